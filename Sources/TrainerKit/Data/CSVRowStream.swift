import Glibc

/// CSV records read from a file or a stream a piece at a time, in memory
/// that does not grow with its length: the input is read in chunks of
/// 64 KiB, cut after its last complete record (``CSVScanner``), and each
/// piece is read by a ``CSVReader`` that starts on the piece's first line,
/// so the records, their line numbers and the errors are exactly those of
/// reading the whole input at once. Only a record longer than
/// ``maximumRecordSize`` is refused.
final class CSVRowStream {
    /// The longest record read: 256 MiB, the size of a whole file read at
    /// once (``FileReading/maximumSize``).
    static let maximumRecordSize = FileReading.maximumSize

    private let descriptor: Int32
    private let file: String
    private let chunkSize: Int
    private let maximumRecordSize: Int
    private var scanner = CSVScanner()
    /// Bytes read and scanned, not yet handed to a reader.
    private var pending: [UInt8] = []
    private var reader: CSVReader?
    /// The line the next piece starts on.
    private var nextLine = 1
    private var atFileStart = true
    private var atEnd = false

    /// Opens a command-line input: the file at `argument`, or stdin for `-`.
    convenience init(argument: String) throws(TrainerError) {
        let name = FileReading.display(of: argument)
        let (descriptor, _) = try FileReading.open(argument == "-" ? "/dev/stdin" : argument, display: name)
        self.init(descriptor: descriptor, file: name)
    }

    /// Reads `descriptor`, which it closes when done with.
    /// - Parameters:
    ///   - file: how messages name the input.
    ///   - chunkSize: bytes read at a time (small in tests, to cut anywhere).
    ///   - maximumRecordSize: the longest record read (smaller in tests).
    init(descriptor: Int32, file: String, chunkSize: Int = 1 << 16, maximumRecordSize: Int = CSVRowStream.maximumRecordSize) {
        self.descriptor = descriptor
        self.file = file
        self.chunkSize = chunkSize
        self.maximumRecordSize = maximumRecordSize
    }

    deinit { close(descriptor) }

    /// Reads the next record into `fields` and returns its line number, or
    /// nil at the end of the input (as ``CSVReader/next(into:)``).
    func next(into fields: inout [String]) throws(TrainerError) -> Int? {
        while true {
            if reader != nil {
                if let line = try reader!.next(into: &fields) { return line }
                nextLine = reader!.line
                reader = nil
            }
            guard let piece = try nextPiece() else {
                fields.removeAll(keepingCapacity: true)
                return nil
            }
            reader = CSVReader(bytes: piece, file: file, firstLine: nextLine, atFileStart: atFileStart)
            atFileStart = false
        }
    }

    /// The next run of whole records (at the end: whatever is left), or nil
    /// when everything was handed out: about `chunkSize` bytes, more when a
    /// record is longer. Not to be mixed with ``next(into:)``.
    func nextPiece() throws(TrainerError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while !atEnd {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TrainerError.file(file, systemErrorText(errno))
            }
            if count == 0 {
                atEnd = true
                break
            }
            let start = pending.count
            if start + count > pending.capacity {
                // A record with no end of line grows the buffer by doubling:
                // asked for first, so that a limit (ulimit -v) is an error,
                // not an abort in the allocator.
                try MemoryProbe.require(
                    bytes: MemoryEstimate.times(2, start + count), place: file, "to read it", expected: "a higher limit or shorter rows")
            }
            pending.append(contentsOf: chunk[0..<count])
            let cut = pending.withUnsafeBufferPointer { scanner.scan(UnsafeBufferPointer(rebasing: $0[start...])) }
            if let cut {
                let end = start + cut
                let piece = Array(pending[0..<end])
                pending.removeFirst(end)
                return piece
            }
            guard pending.count <= maximumRecordSize else {
                throw TrainerError(
                    place: "\(file):\(nextLine)", "no end of line in \(MemoryEstimate.bytes(maximumRecordSize)); expected rows of CSV")
            }
        }
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return pending
    }
}
