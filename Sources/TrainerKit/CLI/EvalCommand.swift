/// `trainer eval W.json CONFIG.json`: how well saved weights do on a config's
/// data, without training.
struct EvalCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let weightsPath = arguments.positionals[0]
        let format = try OutputFormat(arguments.value("--format"))
        if let svg = arguments.value("--svg") {
            guard !svg.isEmpty else { throw TrainerError.usage("--svg", "expected a file path (or '-' for stdout), found an empty string") }
            if svg != "-" { try OutputPlan.checkWritable(FilePath(path: svg)) }
        }
        let config = try Config.load(path: arguments.positionals[1])
        let weightsFile = FilePath(path: weightsPath)
        // The network comes from the weights file, checked against the config.
        let spec = try config.resolveNetwork(initFrom: weightsFile)
        switch spec.resumedFrom?.precision ?? .float64 {
        case .float64: return try evaluate(config, spec, weightsPath: weightsPath, format: format, as: Double.self)
        case .float32: return try evaluate(config, spec, weightsPath: weightsPath, format: format, as: Float.self)
        }
    }

    func evaluate<S: Scalar>(_ config: Config, _ spec: NetworkSpec, weightsPath: String, format: OutputFormat, as: S.Type) throws -> Int32 {
        var unused = RandomGenerator(seed: 0)
        let network: Network<S> = try spec.build(using: &unused)
        let source = config.data.test ?? config.data.train
        let shape = DataShape(inputSize: spec.layers[0], outputSize: spec.layers[spec.layers.count - 1], configFile: config.file)
        var classes = spec.resumedFrom?.classes
        if case .csv = source, classes == nil, config.data.test != nil {
            // Named labels of a test set are numbered like the training set's.
            let train: Dataset<S> = try DataLoader.load(config.data.train, shape: shape)
            classes = train.classNames
        }
        var data: Dataset<S> = try DataLoader.load(source, shape: shape, classes: classes)
        // The weights file's scaling, as run applied it; never refitted here.
        if let scaling = try config.startScaling(of: spec) {
            try data.requireScalingMemory(place: "\(config.file): data.normalize")
            data.scaleInputs(by: scaling)
        }
        try data.checkTargets(loss: config.training.loss, outputActivation: spec.activations[spec.activations.count - 1])
        var evaluator = Evaluator(network: network)
        let result = evaluator.evaluate(network, on: data, loss: config.training.loss)
        let names = data.classNames ?? classes
        if let svg = arguments.value("--svg") {
            guard let confusion = result.confusion else {
                throw TrainerError.usage(
                    "--svg",
                    "a confusion matrix needs one-hot classes, and \(data.name) of \(config.file) has none; expected a classifier's data")
            }
            let labels = names ?? confusion.indices.map(String.init)
            let accuracy = result.accuracy.map { ", accuracy \(ProgressReporter.short($0))" } ?? ""
            let picture = ConfusionSVG(
                counts: confusion, classNames: labels, title: "confusion matrix of \(Paths.fileName(of: weightsPath))",
                subtitle: "\(data.name) of \(config.file): \(DataLoader.plural(data.count, "sample"))\(accuracy)"
            ).render()
            try OutputPlan.write(picture, to: svg, stdout: context.stdout)
            if svg == "-" { return ExitCode.success }
        }
        switch format {
        case .json:
            try context.stdout.write(
                Self.json(result, data: data, loss: config.training.loss, weights: weightsPath, config: config.file, classNames: names))
        case .text:
            try context.stdout.write(
                Self.text(result, data: data, loss: config.training.loss, weights: weightsPath, config: config.file, classNames: names))
        }
        return ExitCode.success
    }

    static func text<S: Scalar>(
        _ result: Evaluation, data: Dataset<S>, loss: Loss, weights: String, config: String, classNames: [String]?
    ) -> String {
        var lines = ["eval: \(weights) on \(data.name) of \(config) (\(DataLoader.plural(data.count, "sample")))"]
        lines.append("loss: \(result.loss) (\(loss.rawValue), mean per sample)")
        if let accuracy = result.accuracy, let confusion = result.confusion {
            let correct = (0..<confusion.count).reduce(0) { $0 + confusion[$1][$1] }
            lines.append("accuracy: \(accuracy) (\(MemoryEstimate.grouped(correct)) of \(MemoryEstimate.grouped(data.count)))")
            lines.append("confusion matrix (rows: actual class, columns: predicted class):")
            let labels = confusion.indices.map { index in
                classNames.flatMap { index < $0.count ? $0[index] : nil } ?? String(index)
            }
            // Right-aligned columns as wide as the longest class name or count.
            let width = max(labels.map(\.count).max()!, confusion.flatMap { $0 }.map { String($0).count }.max()!)
            func pad(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            lines.append(pad("") + "  " + labels.map(pad).joined(separator: " "))
            for (index, row) in confusion.enumerated() {
                lines.append(pad(labels[index]) + "  " + row.map { pad(String($0)) }.joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json<S: Scalar>(
        _ result: Evaluation, data: Dataset<S>, loss: Loss, weights: String, config: String, classNames: [String]?
    ) -> String {
        var entries = [
            "\"weights\": \(JSONWriter.string(weights))",
            "\"config\": \(JSONWriter.string(config))",
            "\"data\": \(JSONWriter.string(data.name))",
            "\"samples\": \(data.count)",
            "\"loss_function\": \(JSONWriter.string(loss.rawValue))",
            // null when not finite: an output overflowed (the text form says inf or nan).
            "\"loss\": \(JSONWriter.numberOrNull(result.loss))",
        ]
        if let accuracy = result.accuracy, let confusion = result.confusion {
            entries.append("\"accuracy\": \(JSONWriter.numberOrNull(accuracy))")
            if let classNames { entries.append("\"classes\": [\(classNames.map(JSONWriter.string).joined(separator: ", "))]") }
            entries.append(
                "\"confusion\": [\(confusion.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: ", "))]")
        }
        return "{\n  " + entries.joined(separator: ",\n  ") + "\n}\n"
    }
}
