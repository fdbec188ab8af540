/// Finds where CSV records start and end without reading their fields, by
/// the rules of ``CSVReader``: a record ends at an LF, a CR or a CRLF outside
/// a quoted field; a `"` opens a quoted field only at the start of a field,
/// and `""` inside one stands for a quote; a line with nothing on it is no
/// record. Its state carries over from one chunk to the next, so a file can
/// be scanned a piece at a time (a byte order mark, which the reader skips,
/// is for the caller to skip first).
///
/// Counting a file's records this way lets the loader size its arrays
/// before parsing, and lets ``RunSetup`` estimate a run's memory before the
/// file is read into memory; the places where it is safe to cut a stream
/// (``scan(_:)``'s result) let ``CSVRowStream`` parse a stream of any length
/// in pieces.
struct CSVScanner {
    private enum State {
        /// Between records: the next byte that is not a line end starts one.
        case lineStart
        /// After a comma.
        case fieldStart
        case unquoted
        case quoted
        /// A `"` inside a quoted field: the end of the field, or the first
        /// half of `""`.
        case quoteInQuoted
    }

    private var state = State.lineStart
    /// The last byte seen was a CR that ended a record or a blank line: a
    /// cut is safe after it once the next byte shows it is not CRLF's CR.
    private var afterCR = false
    /// Records begun so far.
    private(set) var records = 0

    /// Scans the next `bytes` of the text and returns the offset, within
    /// them, just past the last record end where the text can be cut into
    /// pieces that a ``CSVReader`` each reads as it would read the whole
    /// (after an LF, or after a CR that the next byte shows is no CRLF's),
    /// or nil when there is none. An offset of 0 is the end of the bytes
    /// scanned before.
    @discardableResult
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        var cut: Int?
        var state = self.state, afterCR = self.afterCR, records = self.records
        for i in 0..<bytes.count {
            let byte = bytes[i]
            if afterCR {
                afterCR = false
                if byte != lf { cut = i }
            }
            switch state {
            case .lineStart, .fieldStart, .unquoted, .quoteInQuoted:
                if byte == lf {
                    state = .lineStart
                    cut = i + 1
                    continue
                }
                if byte == cr {
                    state = .lineStart
                    afterCR = true
                    continue
                }
                switch state {
                case .lineStart:
                    records += 1
                    state = byte == quote ? .quoted : byte == comma ? .fieldStart : .unquoted
                case .fieldStart:
                    state = byte == quote ? .quoted : byte == comma ? .fieldStart : .unquoted
                case .unquoted:
                    if byte == comma { state = .fieldStart }
                case .quoteInQuoted:
                    // `""` continues the quoted field; any other byte after a
                    // closing quote than a comma is an error the reader reports.
                    state = byte == quote ? .quoted : byte == comma ? .fieldStart : .unquoted
                case .quoted:
                    break
                }
            case .quoted:
                if byte == quote { state = .quoteInQuoted }
            }
        }
        self.state = state
        self.afterCR = afterCR
        self.records = records
        return cut
    }

    /// The records of a whole text.
    static func countRecords(_ bytes: [UInt8]) -> Int {
        var scanner = CSVScanner()
        bytes.withUnsafeBufferPointer { buffer in
            let start = bytes.starts(with: CSVReader.byteOrderMark) ? 3 : 0
            _ = scanner.scan(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
        return scanner.records
    }
}
