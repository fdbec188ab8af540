import Glibc

/// Builds a data set from a CSV file: column choice, header detection,
/// one-hot labels, and a message naming the line for every bad cell.
enum CSVDataLoader {
    /// Bytes read at a time: blocks of whole records of about this size are
    /// parsed in parallel while no more than one is held.
    static let blockSize = 1 << 20

    /// - Parameters:
    ///   - records: the file's records (a header included), when already
    ///     counted (``DataFootprint``).
    ///   - threads: threads parsing each block (the caller's included).
    ///   - blockSize: bytes read at a time (small in tests, to cut records
    ///     anywhere).
    static func load<S: Scalar>(
        _ source: CSVSource, shape: DataShape, trainingClasses: [String]?, records: Int? = nil,
        threads: Int = HostProcess.availableProcessors, blockSize: Int = CSVDataLoader.blockSize
    ) throws(TrainerError) -> Dataset<S> {
        let file = source.file.display
        let (descriptor, _) = try FileReading.open(source.file.path, display: source.file.openingPlace)
        // The text is read a block of whole records at a time, never whole:
        // memory is the values, not the file (docs/memory.md).
        let stream = CSVRowStream(descriptor: descriptor, file: source.file.openingPlace, chunkSize: blockSize)
        var fields: [String] = []
        var block: [UInt8] = []
        var line = 1
        var firstLine = 0
        var blockStart = 0
        var atFileStart = true
        while firstLine == 0 {
            guard let piece = try stream.nextPiece() else {
                throw TrainerError.file(file, "no samples; the file is empty")
            }
            var reader =
                atFileStart
                ? CSVReader(bytes: piece, file: file, firstLine: line) : CSVReader(bytes: piece, file: file, line: line, offset: 0)
            atFileStart = false
            if let recordLine = try reader.next(into: &fields) {
                firstLine = recordLine
                block = piece
                // The rest of the block is read from here.
                line = reader.line
                blockStart = reader.offset
            } else {
                line = reader.line
            }
        }
        let hasHeader = source.header ?? isRowOfNames(fields)
        let header: [String]? = hasHeader ? fields : nil
        let width = fields.count
        let columns = try chooseColumns(source, header: header, width: width, shape: shape, firstRow: fields)
        var store = try CSVSampleStore<S>(file: file, records: records, columns: columns)

        func columnName(_ index: Int) -> String {
            header.map { "column \"\($0[index])\"" } ?? "column \(index)"
        }
        /// The current record (`fields`), read the String way.
        func readRecord(line: Int) throws(TrainerError) -> (inputs: [S], targets: [S], label: String?) {
            guard fields.count == width else {
                throw TrainerError(place: "\(file):\(line)", "expected \(width) fields, found \(fields.count)")
            }
            var inputs: [S] = [], targets: [S] = []
            for index in columns.inputs {
                inputs.append(try number(fields[index], line: line, column: columnName(index)))
            }
            for index in columns.targets {
                targets.append(
                    try number(
                        fields[index], line: line, column: columnName(index), labelHint: source.label == nil && columns.targets.count == 1))
            }
            return (inputs, targets, columns.label.map { fields[$0] })
        }
        func notANumber(_ text: String, line: Int, column: String, labelHint: Bool) -> TrainerError {
            var message = "\(column): expected a number, found \"\(text)\""
            if labelHint { message += "; for a class column use \(source.path).label" }
            return TrainerError(place: "\(file):\(line)", message)
        }
        func number(_ text: String, line: Int, column: String, labelHint: Bool = false) throws(TrainerError) -> S {
            guard DecimalSyntax.isNumber(text) else {
                throw notANumber(text, line: line, column: column, labelHint: labelHint)
            }
            return try DataLoader.value(text, place: "\(file):\(line): \(column)")
        }
        if !hasHeader {
            // A first row with a number in it is data: its first bad cell
            // (by column) is an error, as in any other row, never a header.
            let numeric = (columns.inputs + columns.targets).sorted()
            if let bad = numeric.first(where: { !DecimalSyntax.isNumber(fields[$0]) }) {
                let labelHint = !columns.inputs.contains(bad) && source.label == nil && columns.targets.count == 1
                throw notANumber(fields[bad], line: firstLine, column: columnName(bad), labelHint: labelHint)
            }
            let record = try readRecord(line: firstLine)
            try store.appendFirst(inputs: record.inputs, targets: record.targets, label: record.label, line: firstLine)
        }

        let plan = CSVColumnPlan(width: width, inputs: columns.inputs, targets: columns.targets, label: columns.label)
        let parser = CSVParallelParser<S>(plan: plan, file: file, threads: threads)
        while true {
            for piece in parser.parse(block, from: blockStart, wantsBytes: store.asBytes) {
                if let failure = piece.failure {
                    // Read again as it always was, for the error it gives.
                    var reader = CSVReader(bytes: block, file: file, line: line + failure.line, offset: failure.offset)
                    guard let recordLine = try reader.next(into: &fields) else { break }
                    _ = try readRecord(line: recordLine)
                    throw TrainerError(place: "\(file):\(recordLine)", "the record could not be read")
                }
                try store.append(piece, firstLine: line)
                line += piece.lineCount
            }
            guard let next = try stream.nextPiece() else { break }
            block = next
            blockStart = 0
        }
        let samples = store.takeAll()
        guard !samples.lines.isEmpty else {
            throw TrainerError.file(file, "no samples; the file has only a header row")
        }
        let count = samples.lines.count
        var targets: Matrix<S>
        var classNames: [String]?
        if let labelColumn = columns.label {
            try MemoryProbe.require(
                rows: count, columns: shape.outputSize, of: S.self, place: file, "for the targets of \(DataLoader.plural(count, "sample"))")
            let classes = try classIndices(
                samples.labelTexts, source: source, trainingClasses: trainingClasses, shape: shape,
                file: file, lines: samples.lines, column: columnName(labelColumn))
            targets = Matrix(rows: count, columns: shape.outputSize)
            for (row, index) in classes.indices.enumerated() { targets[row, index] = 1 }
            classNames = classes.names
        } else {
            targets = Matrix(rows: count, columns: shape.outputSize, elements: samples.targetValues)
        }
        if let bytes = samples.inputBytes {
            return Dataset(
                name: source.path, integers: bytes, inputSize: shape.inputSize, targets: targets, classNames: classNames,
                locator: .lines(file: file, lines: samples.lines))
        }
        return Dataset(
            name: source.path, inputs: Matrix(rows: count, columns: shape.inputSize, elements: samples.inputValues), targets: targets,
            classNames: classNames, locator: .lines(file: file, lines: samples.lines))
    }

    /// Whether a first row is a header when the file does not say: a row of
    /// names, none of its cells a number (an empty cell is allowed, as over
    /// pandas' index column, but not a row of empty cells). A first row with
    /// a number in it is data, so a bad cell beside numbers (`0,NA,0`) is an
    /// error naming its line and column, never a header skipped silently.
    static func isRowOfNames(_ fields: [String]) -> Bool {
        !fields.contains(where: DecimalSyntax.isNumber) && fields.contains { !$0.isEmpty }
    }

    /// Asks for the memory of `samples` samples of `columns` numbers each,
    /// with the line number kept for each (MemoryProbe).
    static func reserve<S: Scalar>(_ samples: Int, samplesOf columns: Int, as: S.Type, file: String) throws(TrainerError) {
        let (numbers, overflow1) = samples.multipliedReportingOverflow(by: columns)
        let (numberBytes, overflow2) = numbers.multipliedReportingOverflow(by: MemoryLayout<S>.stride)
        let (lineBytes, overflow3) = samples.multipliedReportingOverflow(by: 2 * MemoryLayout<Int>.stride)
        let (total, overflow4) = numberBytes.addingReportingOverflow(lineBytes)
        let bytes = overflow1 || overflow2 || overflow3 || overflow4 ? nil : total
        try MemoryProbe.require(bytes: bytes, place: file, "for up to \(DataLoader.plural(samples, "sample"))")
    }

    struct Columns {
        var inputs: [Int]
        var targets: [Int]
        var label: Int?
    }

    /// Resolves the config's column choice to indices and checks the counts
    /// against the network.
    /// - Parameter firstRow: the file's first row, for saying why it is not
    ///   a header when a column is named.
    static func chooseColumns(
        _ source: CSVSource, header: [String]?, width: Int, shape: DataShape, firstRow: [String]? = nil
    ) throws(TrainerError) -> Columns {
        let file = source.file.display
        func resolve(_ reference: ColumnReference, path: String) throws(TrainerError) -> Int {
            switch reference {
            case .index(let index):
                guard index < width else {
                    throw TrainerError(place: path, "column \(index) is not in \(file), which has \(width) columns (0 to \(width - 1))")
                }
                return index
            case .name(let name):
                guard let header else {
                    // A row of names with a number among them (`x1,x2,2021`)
                    // is data unless the config says it is a header.
                    if source.header == nil, let firstRow, firstRow.contains(where: { !$0.isEmpty && !DecimalSyntax.isNumber($0) }),
                        let number = firstRow.firstIndex(where: DecimalSyntax.isNumber)
                    {
                        throw TrainerError(
                            place: path,
                            "column \"\(name)\" named, but the first row of \(file) is not a header: column \(number) is a number, \(firstRow[number]) (a header has names only); set \(source.path).header to true to use it as one"
                        )
                    }
                    throw TrainerError(place: path, "column \"\(name)\" named, but \(file) has no header row; use 0-based indices")
                }
                let matches = header.indices.filter { header[$0] == name }
                guard let first = matches.first else {
                    let suggestion = Suggestion.didYouMean(name, in: header)
                    throw TrainerError(
                        place: path,
                        "column \"\(name)\" not in the header of \(file)\(suggestion) (columns: \(header.joined(separator: ",")))")
                }
                guard matches.count == 1 else {
                    throw TrainerError(place: path, "column \"\(name)\" appears \(matches.count) times in the header of \(file)")
                }
                return first
            }
        }
        func resolveAll(_ references: [ColumnReference]?, key: String) throws(TrainerError) -> [Int]? {
            guard let references else { return nil }
            var indices: [Int] = []
            for (i, reference) in references.enumerated() {
                let path = references.count == 1 ? "\(source.path).\(key)" : "\(source.path).\(key)[\(i)]"
                indices.append(try resolve(reference, path: path))
            }
            return indices
        }
        var label: Int?
        if let reference = source.label { label = try resolve(reference, path: "\(source.path).label") }
        var targets = try resolveAll(source.targets, key: "targets")
        var inputs = try resolveAll(source.inputs, key: "inputs")
        let taken = Set((targets ?? []) + (label.map { [$0] } ?? []))
        if inputs == nil {
            if targets == nil, label == nil {
                // The default: every column but the last is an input, the last is the target.
                inputs = Array(0..<width - 1)
                targets = [width - 1]
            } else {
                inputs = (0..<width).filter { !taken.contains($0) }
            }
        } else if targets == nil, label == nil {
            let inputSet = Set(inputs!)
            targets = (0..<width).filter { !inputSet.contains($0) }
        }
        let chosenInputs = inputs!
        let chosenTargets = targets ?? []
        guard chosenInputs.count == shape.inputSize else {
            throw TrainerError(
                place: "\(file):1",
                "\(DataLoader.plural(chosenInputs.count, "input column")), but network.layers[0] is \(shape.inputSize); choose columns with \(source.path).inputs"
            )
        }
        if label == nil, chosenTargets.count != shape.outputSize {
            throw TrainerError(
                place: "\(file):1",
                "\(DataLoader.plural(chosenTargets.count, "target column")), but the output layer has \(DataLoader.plural(shape.outputSize, "neuron")); choose columns with \(source.path).targets, or a class column with \(source.path).label"
            )
        }
        return Columns(inputs: chosenInputs, targets: chosenTargets, label: label)
    }

    /// Distinct labels in class order: by value when every one reads as a
    /// number (`0.5, 2.0, 10.0`, not the text order `0.5, 10.0, 2.0`; equal
    /// values such as `1` and `1.0` by text), else as text.
    static func sortedLabels(_ labels: Set<String>) -> [String] {
        let values = labels.map { ($0, Double($0)) }
        guard values.allSatisfy({ $0.1?.isFinite == true }) else { return labels.sorted() }
        return values.sorted { $0.1! != $1.1! ? $0.1! < $1.1! : $0.0 < $1.0 }.map(\.0)
    }

    /// Class indices for the label texts, and the class names they stand for.
    static func classIndices(
        _ texts: [String], source: CSVSource, trainingClasses: [String]?, shape: DataShape,
        file: String, lines: [Int], column: String
    ) throws(TrainerError) -> (indices: [Int], names: [String]?) {
        let outputs = shape.outputSize
        let classes: [String]? = source.classes ?? trainingClasses
        if classes == nil, texts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) {
            // Whole-number labels are class indices.
            var indices: [Int] = []
            for (row, text) in texts.enumerated() {
                guard let index = Int(text), index < outputs else {
                    throw TrainerError(
                        place: "\(file):\(lines[row])",
                        "\(column): label \(text) ≥ \(outputs) classes (the output layer has \(DataLoader.plural(outputs, "neuron")))")
                }
                indices.append(index)
            }
            return (indices, nil)
        }
        let names = classes ?? sortedLabels(Set(texts))
        guard names.count <= outputs else {
            throw TrainerError(
                place: "\(source.path).label",
                "\(names.count) classes (\(names.joined(separator: ", "))), but the output layer has \(DataLoader.plural(outputs, "neuron"))"
            )
        }
        var indexOf: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexOf[name] == nil { indexOf[name] = index }
        var indices: [Int] = []
        for (row, text) in texts.enumerated() {
            guard let index = indexOf[text] else {
                throw TrainerError(
                    place: "\(file):\(lines[row])",
                    "\(column): label \"\(text)\" is not one of the classes (\(names.joined(separator: ", ")))")
            }
            indices.append(index)
        }
        return (indices, names)
    }
}

extension CSVDataLoader {
    /// Rows of inputs only, from a whole text (as ``InputRows``).
    static func loadInputs<S: Scalar>(_ bytes: [UInt8], source: CSVSource, width: Int) throws(TrainerError) -> Matrix<S> {
        var reader = CSVReader(bytes: bytes, file: source.file.display)
        var rows = InputRows(file: source.file.display, width: width, header: source.header)
        var fields: [String] = []
        var values: [S] = []
        var count = 0
        try reserve(CSVScanner.countRecords(bytes), samplesOf: width, as: S.self, file: source.file.display)
        while let line = try reader.next(into: &fields) {
            if try rows.append(fields, line: line, to: &values) { count += 1 }
        }
        return Matrix(rows: count, columns: width, elements: values)
    }

    /// Rows of inputs only (for `predict`), a record at a time: every
    /// column is an input. The first row is skipped as a header when
    /// `header` says so, or, when it is nil, when it is a row of names
    /// (``isRowOfNames(_:)``).
    struct InputRows {
        let file: String
        let width: Int
        let header: Bool?
        private var first = true

        init(file: String, width: Int, header: Bool?) {
            self.file = file
            self.width = width
            self.header = header
        }

        /// Appends the numbers of the record on `line` to `values`; false
        /// when it was the header.
        mutating func append<S: Scalar>(_ fields: [String], line: Int, to values: inout [S]) throws(TrainerError) -> Bool {
            if first {
                first = false
                if header ?? isRowOfNames(fields) { return false }
            }
            guard fields.count == width else {
                throw TrainerError(
                    place: "\(file):\(line)",
                    "expected \(DataLoader.plural(width, "field")) (the network has \(DataLoader.plural(width, "input"))), found \(fields.count)"
                )
            }
            for (index, text) in fields.enumerated() {
                guard DecimalSyntax.isNumber(text) else {
                    throw TrainerError(place: "\(file):\(line)", "column \(index): expected a number, found \"\(text)\"")
                }
                values.append(try DataLoader.value(text, place: "\(file):\(line): column \(index)"))
            }
            return true
        }
    }
}
