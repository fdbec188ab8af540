/// `trainer check`: everything `run` checks, then a summary on stdout;
/// nothing trained, nothing written.
struct CheckCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let setup = try RunSetup(arguments: arguments)
        switch setup.config.training.precision {
        case .float64: return try check(setup, as: Double.self)
        case .float32: return try check(setup, as: Float.self)
        }
    }

    func check<S: Scalar>(_ setup: RunSetup, as: S.Type) throws -> Int32 {
        let prepared = try setup.prepare(as: S.self)
        let plan = RunCommand(arguments: arguments, context: context).outputPlan(setup)
        if !arguments.has("--quiet") { prepared.notes.forEach(context.note) }
        try plan.check(inputs: setup.inputFiles)
        let training = setup.config.training
        let spec = prepared.spec
        var lines: [String] = []
        lines.append("config: \(setup.config.file)")
        let activations = spec.activations.map(\.rawValue)
        let activationText = Set(activations).count == 1 ? activations[0] : activations.joined(separator: ", ")
        lines.append(
            "network: \(spec.layers.map(String.init).joined(separator: "-")) (\(activationText)), \(MemoryEstimate.grouped(prepared.estimate.parameters)) parameters"
        )
        switch spec.parameters {
        case .literals(_, _, let file, let path):
            lines.append("initial parameters: \(path) of \(file)")
        case .initialized(let scheme, let biases, _):
            let schemes =
                scheme.map { $0.rawValue }
                ?? Array(Set(spec.activations.map { Initialization.suited(to: $0).rawValue })).sorted().joined(separator: "/")
            lines.append("initial parameters: \(schemes) from seed \(training.seed)\(biases == nil ? ", zero biases" : ", given biases")")
        }
        if let resumed = spec.resumedFrom {
            lines.append(
                "resuming: after epoch \(resumed.epochsTrained)\(resumed.samplesIntoEpoch > 0 ? " and \(resumed.samplesIntoEpoch) samples" : "")"
            )
        }
        lines.append(
            "training: \(training.loss.rawValue) loss, learning rate \(training.learningRate), \(DataLoader.plural(training.epochs, "epoch")), batch size \(training.batchSize), shuffle \(training.shuffle ? "on" : "off"), seed \(training.seed), \(training.precision.rawValue)"
        )
        if let options = describeOptions(training) { lines.append(options) }
        lines.append(describe(prepared.train))
        if let test = prepared.test { lines.append(describe(test)) }
        if let validation = prepared.validation { lines.append(describe(validation)) }
        lines.append("memory: \(prepared.estimate.summary); limit \(MemoryEstimate.bytes(setup.memoryLimit))")
        lines.append("output: weights \(plan.weights.file.display), loss log \(plan.log?.file.display ?? "stdout")")
        lines.append("ok")
        try context.stdout.write(lines.joined(separator: "\n") + "\n")
        return ExitCode.success
    }

    /// The optimizer, L2, schedule, early stopping and checkpoints, when
    /// any differs from the plain delta rule.
    func describeOptions(_ training: TrainingConfig) -> String? {
        var parts: [String] = []
        switch training.optimizer {
        case .sgd: if training.l2 > 0 || training.learningRateSchedule.varies { parts.append("sgd") }
        case .momentum(let momentum, let nesterov): parts.append("momentum \(momentum)\(nesterov ? " (Nesterov)" : "")")
        case .adam(let beta1, let beta2, let epsilon): parts.append("adam (β₁ \(beta1), β₂ \(beta2), ε \(epsilon))")
        }
        if training.l2 > 0 { parts.append("L2 \(training.l2)") }
        switch training.learningRateSchedule {
        case .constant: break
        case .step(let every, let factor): parts.append("learning rate ×\(factor) every \(DataLoader.plural(every, "epoch"))")
        case .exponential(let factor): parts.append("learning rate ×\(factor) per epoch")
        case .cosine(let epochs, let minimum):
            parts.append("cosine learning rate over \(DataLoader.plural(epochs, "epoch")) down to \(minimum)")
        }
        if let fraction = training.validationSplit { parts.append("validation split \(fraction)") }
        if let stopping = training.earlyStopping {
            parts.append("early stopping on \(stopping.monitor) (patience \(stopping.patience), min_delta \(stopping.minDelta))")
        }
        if let target = training.target {
            parts.append("stop when \(target.monitor) is \(target.isAbove ? "above" : "below") \(ProgressReporter.short(target.value))")
        }
        if let every = training.checkpointEvery { parts.append("checkpoint every \(DataLoader.plural(every, "epoch"))") }
        return parts.isEmpty ? nil : "options: " + parts.joined(separator: ", ")
    }

    func describe<S: Scalar>(_ data: Dataset<S>) -> String {
        var text =
            "\(data.name): \(DataLoader.plural(data.count, "sample")), \(DataLoader.plural(data.inputSize, "input")), \(DataLoader.plural(data.outputSize, "target"))"
        if let counts = data.classCounts {
            let names = data.classNames ?? counts.indices.map(String.init)
            let parts = counts.enumerated().map { index, count in
                "\(index < names.count ? names[index] : String(index)) \(count)"
            }
            text += "; classes: " + parts.joined(separator: ", ")
        }
        return text
    }
}
