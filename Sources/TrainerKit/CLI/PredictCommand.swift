/// `trainer predict W.json [INPUT.csv|-]`: the forward pass of a saved
/// network over CSV rows, one row of outputs (or a class index) per row.
struct PredictCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let weightsPath = arguments.positionals[0]
        let file = try WeightsFile.read(FilePath(path: weightsPath))
        switch file.metadata.precision {
        case .float64: return try predict(file, weightsPath: weightsPath, as: Double.self)
        case .float32: return try predict(file, weightsPath: weightsPath, as: Float.self)
        }
    }

    func predict<S: Scalar>(_ file: WeightsFile, weightsPath: String, as: S.Type) throws -> Int32 {
        let spec = NetworkSpec(
            layers: file.layers, activations: file.activations,
            parameters: .literals(weights: file.weights, biases: file.biases, file: weightsPath, path: "weights"))
        var unused = RandomGenerator(seed: 0)
        let network: Network<S> = try spec.build(using: &unused)

        let inputPath = arguments.positionals.count > 1 ? arguments.positionals[1] : "-"
        let display = FileReading.display(of: inputPath)
        let bytes = try FileReading.read(argument: inputPath)
        let source = CSVSource(path: "input", file: FilePath(path: inputPath, display: display), inputs: nil, targets: nil)
        let inputs: Matrix<S> = try CSVDataLoader.loadInputs(bytes, source: source, width: network.inputSize)

        let argmax = arguments.has("--argmax")
        var pass = Backpropagation(network: network, batchCapacity: min(Evaluator<S>.batchSize, max(inputs.rows, 1)))
        var start = 0
        while start < inputs.rows {
            let m = min(Evaluator<S>.batchSize, inputs.rows - start)
            let batch = Matrix(rows: m, columns: inputs.columns, elements: Array(inputs.elements[start * inputs.columns..<(start + m) * inputs.columns]))
            pass.setInputs(batch)
            pass.forward(network)
            let output = pass.output
            var text = ""
            for row in 0..<m {
                if argmax {
                    text += "\(output.argmax(row: row))\n"
                } else {
                    text += (0..<output.columns).map { JSONWriter.number(output[row, $0]) }.joined(separator: ",") + "\n"
                }
            }
            try context.stdout.write(text)
            start += m
        }
        return ExitCode.success
    }
}
