/// `trainer show W.json`: what a weights file holds, as text, or drawn with
/// `--svg OUT.svg` (``WeightsSVG``: the first layer as image tiles for image
/// inputs, a heat map of every weight matrix).
struct ShowCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let path = arguments.positionals[0]
        let image = try arguments.value("--image").map(Self.imageSize)
        if let svg = arguments.value("--svg"), svg != "-" {
            guard !svg.isEmpty else { throw TrainerError.usage("--svg", "expected a file path (or '-' for stdout), found an empty string") }
            try OutputPlan.checkWritable(FilePath(path: svg))
        }
        let file = try WeightsFile.read(FilePath(path: path, display: FileReading.display(of: path)))
        let matrices = file.weights.map { rows in
            WeightsSVG.LiteralMatrixValues(
                rows: rows.count, columns: rows.first?.count ?? 0, values: rows.flatMap { $0.map { Double($0) ?? .nan } })
        }
        if let image, image.width * image.height != file.layers[0] {
            throw TrainerError.usage(
                "--image",
                "\(image.width)x\(image.height) is \(image.width * image.height) pixels, but the network has \(file.layers[0]) inputs")
        }
        let metadata = file.metadata
        let shape = file.layers.map(String.init).joined(separator: "-")
        let activations =
            Set(file.activations.map(\.rawValue)).count == 1
            ? file.activations[0].rawValue : file.activations.map(\.rawValue).joined(separator: ", ")
        let parameters = zip(file.layers, file.layers.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        let trained = "trained \(DataLoader.plural(metadata.epochsTrained, "epoch")) (\(metadata.stoppedBy))"
        let loss = metadata.finalLoss.map { ", final loss \(ProgressReporter.short($0))" } ?? ""

        guard let svg = arguments.value("--svg") else {
            var lines = [
                "\(FileReading.display(of: path)): \(shape) (\(activations)), \(MemoryEstimate.grouped(parameters)) parameters, \(metadata.precision.rawValue)"
            ]
            lines.append("\(trained)\(loss)")
            for (k, matrix) in matrices.enumerated() {
                let values = matrix.values
                let mean = values.reduce(0, +) / Double(max(values.count, 1))
                let spread = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count, 1))).squareRoot()
                lines.append(
                    "W[\(k)]: \(matrix.rows) × \(matrix.columns); min \(ProgressReporter.short(values.min() ?? 0)), max \(ProgressReporter.short(values.max() ?? 0)), mean \(ProgressReporter.short(mean)), std \(ProgressReporter.short(spread))"
                )
            }
            try context.stdout.write(lines.joined(separator: "\n") + "\n")
            return ExitCode.success
        }
        let imageSize = image ?? (file.layers[0] == 784 ? (28, 28) : nil)
        let picture = WeightsSVG(
            weights: matrices, title: "what \(Paths.fileName(of: path)) learnt",
            subtitle: "\(shape) (\(activations)), \(trained)\(loss)", image: imageSize
        ).render()
        try OutputPlan.write(picture, to: svg, stdout: context.stdout)
        return ExitCode.success
    }

    /// `28x28` as (28, 28).
    static func imageSize(_ text: String) throws(TrainerError) -> (width: Int, height: Int) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width >= 1, height >= 1, width <= 4096,
            height <= 4096
        else {
            throw TrainerError.usage("--image", "expected WIDTHxHEIGHT in pixels, such as 28x28, found \"\(text)\"")
        }
        return (width, height)
    }
}
