/// The numbers of a CSV file's samples as the loader reads them: the inputs
/// as bytes while every one is a whole number 0…255 (a quarter of float32's
/// memory; the same numbers to the network) and as numbers from the first
/// that is not; the targets, or the label texts of a class column; and each
/// sample's line, for the errors found later.
///
/// Sized from a count of the records when there is one: arrays left to
/// grow double their size, and for a moment hold the old copy beside the
/// new, so the peak of a load (and the memory estimate's error) would depend
/// on where the count falls between powers of two. A stream, which cannot be
/// counted first, grows them, asking MemoryProbe each time.
struct CSVSampleStore<S: Scalar> {
    /// The file, as errors name it.
    let file: String
    /// The file's records, when counted first.
    let records: Int?
    let inputCount: Int
    private(set) var inputBytes: [UInt8] = []
    /// Whether the inputs are still held as bytes.
    private(set) var asBytes = true
    private(set) var inputValues: [S] = []
    private(set) var targetValues: [S] = []
    private(set) var labelTexts: [String] = []
    private(set) var lines: [Int] = []

    /// Asks for the memory of `records` samples first (MemoryProbe), so that
    /// the arrays never grow past what can be allocated.
    init(file: String, records: Int?, columns: CSVDataLoader.Columns) throws(TrainerError) {
        self.file = file
        self.records = records
        inputCount = columns.inputs.count
        guard let records else { return }
        try CSVDataLoader.reserve(records, samplesOf: columns.inputs.count + columns.targets.count, as: S.self, file: file)
        inputBytes.reserveCapacity(records * columns.inputs.count)
        lines.reserveCapacity(records)
        if columns.label != nil {
            labelTexts.reserveCapacity(records)
        } else {
            targetValues.reserveCapacity(records * columns.targets.count)
        }
    }

    /// The file's first record, read the String way: the inputs are kept as
    /// bytes from here if its are whole numbers 0…255.
    mutating func appendFirst(inputs: [S], targets: [S], label: String?, line: Int) throws(TrainerError) {
        targetValues.append(contentsOf: targets)
        if let label { labelTexts.append(label) }
        lines.append(line)
        if let bytes = CSVRecordParser.wholeBytes(inputs) {
            inputBytes.append(contentsOf: bytes)
        } else {
            inputValues = inputs
            try switchToValues()
        }
    }

    /// The records of one parsed piece, whose lines count from `firstLine`.
    mutating func append(_ piece: CSVPieceResult<S>, firstLine: Int) throws(TrainerError) {
        if asBytes, let bytes = piece.inputBytes {
            try Self.append(bytes, to: &inputBytes, what: "the inputs", file: file)
        } else {
            if asBytes { try switchToValues() }
            if let bytes = piece.inputBytes {
                // A piece parsed before an earlier one ended the bytes.
                try Self.append(bytes.map { S($0) }, to: &inputValues, what: "the inputs", file: file)
            } else {
                try Self.append(piece.inputs, to: &inputValues, what: "the inputs", file: file)
            }
        }
        try Self.append(piece.targets, to: &targetValues, what: "the targets", file: file)
        try Self.append(piece.labels, to: &labelTexts, what: "the labels", file: file)
        try Self.append(piece.lines.map { $0 + firstLine }, to: &lines, what: "the line numbers", file: file)
    }

    /// What was read, handed over: the store is left empty, so that no
    /// array is held twice while the data set is built from them.
    mutating func takeAll() -> (inputBytes: [UInt8]?, inputValues: [S], targetValues: [S], labelTexts: [String], lines: [Int]) {
        defer { (inputBytes, inputValues, targetValues, labelTexts, lines) = ([], [], [], [], []) }
        return (asBytes ? inputBytes : nil, inputValues, targetValues, labelTexts, lines)
    }

    /// Turns the inputs kept as bytes into numbers, sized for every record
    /// when they were counted: bytes and numbers are held together for that
    /// moment (docs/memory.md).
    private mutating func switchToValues() throws(TrainerError) {
        asBytes = false
        let known = MemoryEstimate.times(records ?? 0, inputCount)
        let capacity = max(known, inputBytes.count + inputValues.count)
        try MemoryProbe.require(capacity, of: S.self, place: file, "for the inputs", expected: "a higher limit or less data")
        var values: [S] = []
        values.reserveCapacity(capacity)
        values.append(contentsOf: inputBytes.lazy.map { S($0) })
        values.append(contentsOf: inputValues)
        inputValues = values
        inputBytes = []
    }

    /// Appends `source` to `array`, growing it (after asking MemoryProbe) by
    /// doubling when it is full. Static: a method of `self` given one of
    /// its own arrays inout would be given a copy of `self`, and the array,
    /// referenced twice, would be copied whole on each append.
    private static func append<T>(_ source: [T], to array: inout [T], what: String, file: String) throws(TrainerError) {
        let needed = array.count + source.count
        if needed > array.capacity {
            let capacity = max(needed, 2 * array.capacity)
            try MemoryProbe.require(
                bytes: MemoryEstimate.times(capacity + array.capacity, MemoryLayout<T>.stride), place: file, "for \(what)")
            array.reserveCapacity(capacity)
        }
        array.append(contentsOf: source)
    }
}
