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

        if arguments.has("--header"), arguments.has("--no-header") {
            throw TrainerError.usage("--header", "give either --header or --no-header, not both")
        }
        let inputPath = arguments.positionals.count > 1 ? arguments.positionals[1] : "-"
        let display = FileReading.display(of: inputPath)
        let bytes = try FileReading.read(argument: inputPath)
        var source = CSVSource(path: "input", file: FilePath(path: inputPath, display: display), inputs: nil, targets: nil)
        // Without either flag the first row is a header when it holds no number.
        source.header = arguments.has("--header") ? true : arguments.has("--no-header") ? false : nil
        var inputs: Matrix<S> = try CSVDataLoader.loadInputs(bytes, source: source, width: network.inputSize)
        if let scaling = file.metadata.inputScaling { inputs = scaling.apply(to: inputs) }

        let argmax = arguments.has("--argmax")
        if arguments.has("--index"), !argmax {
            throw TrainerError.usage("--index", "only used with --argmax")
        }
        if arguments.has("--proba"), argmax {
            throw TrainerError.usage("--proba", "give either --proba or --argmax, not both")
        }
        let labels = arguments.has("--index") ? nil : file.metadata.classes.flatMap { $0.count == network.outputSize ? $0 : nil }
        if arguments.has("--proba") {
            let header = labels ?? (0..<network.outputSize).map(String.init)
            try context.stdout.write(header.map(Self.csvField).joined(separator: ",") + "\n")
        }
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
                    let index = output.argmax(row: row)
                    text += (labels.map { Self.csvField($0[index]) } ?? String(index)) + "\n"
                } else {
                    text += (0..<output.columns).map { JSONWriter.number(output[row, $0]) }.joined(separator: ",") + "\n"
                }
            }
            try context.stdout.write(text)
            start += m
        }
        return ExitCode.success
    }

    /// A CSV field: as is, or in double quotes (inner quotes doubled) when it
    /// holds a comma, a quote, a line break, or space at either end (RFC 4180).
    static func csvField(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text { quoted += character == "\"" ? "\"\"" : String(character) }
        return quoted + "\""
    }
}
