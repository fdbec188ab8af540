import Glibc

/// What a data set holds in memory once read, and while it is read: found
/// from the config and the files' sizes and headers, and for a CSV file by
/// counting its records (``CSVScanner``, 64 KiB at a time), so that the
/// memory estimate comes before the data is read into memory.
public struct DataFootprint: Equatable, Sendable {
    public enum Form: Sendable {
        case inline, csv, idx
    }

    /// The config path: `data.train`.
    public var name: String
    public var form: Form
    public var samples: Int
    public var inputs: Int
    public var outputs: Int
    /// Whether the targets are classes, whose index each sample keeps.
    public var classes: Bool
    /// Whether a CSV file's inputs will be held as bytes: every cell after
    /// the header a whole number 0…99 (``SmallNumberText``); the loader
    /// keeps all whole numbers 0…255 as bytes, so this never counts less
    /// than it takes.
    public var byteInputs = false
    /// The file's bytes: the CSV text (read a block at a time), or the IDX
    /// image and label files (held whole while read).
    public var fileBytes: Int

    public init(name: String, form: Form, samples: Int, inputs: Int, outputs: Int, classes: Bool, fileBytes: Int) {
        self.name = name
        self.form = form
        self.samples = samples
        self.inputs = inputs
        self.outputs = outputs
        self.classes = classes
        self.fileBytes = fileBytes
    }

    /// The set as held: its inputs (IDX pixels as bytes until scaled), its
    /// targets, each sample's class and, for CSV, its line number.
    func storageBytes(size: Int, scaled: Bool) -> Int {
        let inputBytes = holdsBytes && !scaled ? 1 : size
        var perSample = MemoryEstimate.plus(MemoryEstimate.times(inputs, inputBytes), MemoryEstimate.times(outputs, size))
        if classes { perSample = MemoryEstimate.plus(perSample, 8) }
        if form == .csv { perSample = MemoryEstimate.plus(perSample, 8) }
        return MemoryEstimate.times(samples, perSample)
    }

    /// Held besides the set while it is read. A CSV file is read a block
    /// at a time (``CSVDataLoader/blockSize``), never whole: about five
    /// blocks of text (the one read, the one parsed, the stream's buffers)
    /// and the inputs of one block before they are appended (at most one
    /// every two bytes, a byte each when held as bytes), and its class labels as text (16 bytes
    /// each). An IDX image file's pixels are the set's inputs in place (the
    /// header cut off, nothing copied), so only the rest of its files counts.
    func readingBytes(size: Int) -> Int {
        switch form {
        case .csv:
            let block = min(fileBytes, CSVDataLoader.blockSize)
            let blocks = MemoryEstimate.plus(MemoryEstimate.times(block, 5), MemoryEstimate.times(block, byteInputs ? 1 : size) / 2)
            return classes ? MemoryEstimate.plus(blocks, MemoryEstimate.times(samples, 16)) : blocks
        case .idx: return max(0, fileBytes - MemoryEstimate.times(samples, inputs))
        default: return fileBytes
        }
    }

    /// Held besides the set while a validation split copies it: both parts,
    /// and the lists of which samples go where (9 bytes a sample).
    func splitBytes(size: Int) -> Int {
        MemoryEstimate.plus(storageBytes(size: size, scaled: false), MemoryEstimate.times(samples, 9))
    }

    /// The inputs as numbers.
    func inputNumbers(size: Int) -> Int {
        MemoryEstimate.times(MemoryEstimate.times(samples, inputs), size)
    }

    /// Whether the inputs are held as bytes until scaled: IDX pixels, and a
    /// CSV file's small whole numbers.
    var holdsBytes: Bool { form == .idx || byteInputs }

    /// `200,000 samples of 99 float32 inputs`.
    func describe(precision: String, scaled: Bool) -> String {
        "\(MemoryEstimate.grouped(samples)) sample\(samples == 1 ? "" : "s") of \(inputs) \(holdsBytes && !scaled ? "byte" : precision) input\(inputs == 1 ? "" : "s")"
    }
}

extension DataFootprint {
    /// The footprint of `source`, found without reading it into memory, or
    /// nil when that cannot be known before reading it: a CSV stream (a
    /// pipe has no size, and reading it would consume it), or a file the
    /// loader will refuse, which it then reports. A CSV file of any size is
    /// counted: the loader streams it.
    static func survey(_ source: DataSource, shape: DataShape) -> DataFootprint? {
        switch source {
        case .inline(let data):
            return DataFootprint(
                name: data.path, form: .inline, samples: data.inputs.count, inputs: shape.inputSize, outputs: shape.outputSize,
                classes: data.labels != nil, fileBytes: 0)
        case .csv(let csv):
            guard let (records, hasHeader, size, small) = surveyCSV(csv) else { return nil }
            var footprint = DataFootprint(
                name: csv.path, form: .csv, samples: max(records - (hasHeader ? 1 : 0), 0), inputs: shape.inputSize,
                outputs: shape.outputSize, classes: csv.label != nil, fileBytes: size)
            footprint.byteInputs = small
            return footprint
        case .idx(let idx):
            guard let (images, imageSize) = idxHeader(idx.images.path, rank: 3), let (_, labelSize) = idxHeader(idx.labels.path, rank: 1),
                MemoryEstimate.times(images[1], images[2]) == shape.inputSize
            else { return nil }
            return DataFootprint(
                name: idx.path, form: .idx, samples: min(images[0], idx.limit ?? images[0]), inputs: shape.inputSize,
                outputs: shape.outputSize, classes: true, fileBytes: MemoryEstimate.plus(imageSize, labelSize))
        }
    }

    /// The footprint of `source` once read into `count` samples: for data
    /// that ``survey(_:shape:)`` could not size (a stream, whose text is
    /// then left out: it is gone by the time this is known).
    static func loaded(_ source: DataSource, count: Int, shape: DataShape) -> DataFootprint {
        let form: Form
        let classes: Bool
        switch source {
        case .inline(let data): (form, classes) = (.inline, data.labels != nil)
        case .csv(let csv): (form, classes) = (.csv, csv.label != nil)
        case .idx: (form, classes) = (.idx, true)
        }
        return DataFootprint(
            name: source.path, form: form, samples: count, inputs: shape.inputSize, outputs: shape.outputSize, classes: classes,
            fileBytes: 0)
    }

    /// A regular CSV file's records, whether the first is a header (as the
    /// loader decides it), its size, and whether its data cells are all
    /// small whole numbers (``SmallNumberText``); nil for a stream.
    private static func surveyCSV(_ source: CSVSource) -> (records: Int, hasHeader: Bool, size: Int, small: Bool)? {
        guard FileReading.isRegularFile(source.file.path),
            let (descriptor, status) = try? FileReading.open(source.file.path, display: source.file.display)
        else { return nil }
        defer { close(descriptor) }
        let size = Int(status.st_size)
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var scanner = CSVScanner()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // The first record's bytes, kept until a second record starts (or up
        // to 16 MiB), to tell a header as the loader does.
        var opening: [UInt8] = []
        var first = true
        // Checked from the end of the first line (the header's, when there
        // is one; the first line itself is checked below when it is data).
        var small = SmallNumberText()
        var pastFirstLine = false
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            if scanner.records < 2, opening.count < 16 << 20 { opening.append(contentsOf: chunk[0..<count]) }
            let skip = first && chunk[0..<count].starts(with: CSVReader.byteOrderMark) ? 3 : 0
            first = false
            chunk.withUnsafeBufferPointer { _ = scanner.scan(UnsafeBufferPointer(rebasing: $0[skip..<count])) }
            var from = skip
            if !pastFirstLine {
                if let newline = chunk[skip..<count].firstIndex(of: 0x0A) {
                    pastFirstLine = true
                    from = newline + 1
                } else {
                    from = count
                }
            }
            if small.holds { chunk.withUnsafeBufferPointer { small.check(UnsafeBufferPointer(rebasing: $0[from..<count])) } }
        }
        var hasHeader = source.header ?? false
        if source.header == nil {
            var reader = CSVReader(bytes: opening, file: source.file.display)
            var fields: [String] = []
            if (try? reader.next(into: &fields)) != nil { hasHeader = CSVDataLoader.isRowOfNames(fields) }
        }
        if !hasHeader {
            let start = opening.starts(with: CSVReader.byteOrderMark) ? 3 : 0
            let end = opening[start...].firstIndex(of: 0x0A) ?? opening.count
            opening.withUnsafeBufferPointer { small.check(UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
        return (scanner.records, hasHeader, size, small.holds)
    }

    /// The dimensions and file size of a well-formed IDX file of unsigned
    /// bytes with `rank` dimensions, from its header; nil otherwise.
    private static func idxHeader(_ path: String, rank: Int) -> ([Int], Int)? {
        guard FileReading.isRegularFile(path), let (descriptor, status) = try? FileReading.open(path, display: path) else { return nil }
        defer { close(descriptor) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var header = [UInt8](repeating: 0, count: 4 + 4 * rank)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count == header.count, header[0] == 0, header[1] == 0, header[2] == 0x08, Int(header[3]) == rank else { return nil }
        let dimensions = (0..<rank).map { d in
            (0..<4).reduce(0) { $0 << 8 | Int(header[4 + 4 * d + $1]) }
        }
        return (dimensions, Int(status.st_size))
    }
}
