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
        let spec = NetworkSpec(weights: file, file: weightsPath)
        var unused = RandomGenerator(seed: 0)
        let network: Network<S> = try spec.build(using: &unused)

        if arguments.has("--header"), arguments.has("--no-header") {
            throw TrainerError.usage("--header", "give either --header or --no-header, not both")
        }
        let argmax = arguments.has("--argmax")
        if arguments.has("--index"), !argmax {
            throw TrainerError.usage("--index", "only used with --argmax")
        }
        if arguments.has("--proba"), argmax {
            throw TrainerError.usage("--proba", "give either --proba or --argmax, not both")
        }
        let labels = arguments.has("--index") ? nil : file.metadata.classes.flatMap { $0.count == network.outputSize ? $0 : nil }
        // Written with the first batch, so that an error in the first rows
        // leaves stdout empty.
        var probaHeader: String? = nil
        if arguments.has("--proba") {
            probaHeader = (labels ?? (0..<network.outputSize).map(String.init)).map(Self.csvField).joined(separator: ",") + "\n"
        }

        // The input is read a piece at a time and its rows are written a
        // batch at a time, so memory does not grow with its length; an
        // error in a row ends the run after the batches before it were
        // written, as a streaming filter does (docs/commands.md, predict).
        let inputPath = arguments.positionals.count > 1 ? arguments.positionals[1] : "-"
        let input = try CSVRowStream(argument: inputPath)
        // Without either flag the first row is a header when it holds no number.
        let header: Bool? = arguments.has("--header") ? true : arguments.has("--no-header") ? false : nil
        var rows = CSVDataLoader.InputRows(file: FileReading.display(of: inputPath), width: network.inputSize, header: header)
        let width = network.inputSize, batchSize = Evaluator<S>.batchSize
        var evaluator = Evaluator(network: network)
        var values: [S] = []
        values.reserveCapacity(batchSize * width)
        var count = 0
        // The batch's input lines, and the rows with an output that is not
        // finite: how many, and the line of the first.
        var lines: [Int] = []
        var nonFinite = (rows: 0, firstLine: 0)
        func writeBatch() throws {
            var text = probaHeader ?? ""
            probaHeader = nil
            if count > 0 {
                var batch = Matrix(rows: count, columns: width, elements: values)
                if let scaling = file.metadata.inputScaling { batch = scaling.apply(to: batch) }
                let output = evaluator.outputs(network, for: batch)
                for row in 0..<count {
                    if (0..<output.columns).contains(where: { !output[row, $0].isFinite }) {
                        if nonFinite.rows == 0 { nonFinite.firstLine = lines[row] }
                        nonFinite.rows += 1
                    }
                    if argmax {
                        let index = output.argmax(row: row)
                        text += (labels.map { Self.csvField($0[index]) } ?? String(index)) + "\n"
                    } else {
                        text += (0..<output.columns).map { Self.number(output[row, $0]) }.joined(separator: ",") + "\n"
                    }
                }
            }
            if !text.isEmpty { try context.stdout.write(text) }
            values.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
            count = 0
        }
        var fields: [String] = []
        while let line = try input.next(into: &fields) {
            if try rows.append(fields, line: line, to: &values) {
                count += 1
                lines.append(line)
            }
            if count == batchSize { try writeBatch() }
        }
        try writeBatch()
        if nonFinite.rows > 0 {
            try context.stdout.flush()
            let rows = nonFinite.rows == 1 ? "in 1 row" : "in \(nonFinite.rows) rows, this the first"
            context.note(
                "trainer: note: \(FileReading.display(of: inputPath)):\(nonFinite.firstLine): outputs not finite (written as inf, -inf or nan) \(rows); "
                    + "the inputs, scaled, are too large for the network in \(S.precisionName)")
        }
        return ExitCode.success
    }

    /// An output as CSV: the shortest decimal that reads back exactly; one
    /// that overflowed as `inf` or `-inf`, an undefined one as `nan` (the
    /// spellings of eval's text and of numpy and pandas, which read them).
    static func number<S: Scalar>(_ value: S) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return JSONWriter.number(value)
    }

    /// A CSV field: as is, or in double quotes (inner quotes doubled) when it
    /// holds a comma, a quote, a line break, or space at either end (RFC 4180).
    static func csvField(_ text: String) -> String {
        let needsQuotes =
            text.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text { quoted += character == "\"" ? "\"\"" : String(character) }
        return quoted + "\""
    }
}
