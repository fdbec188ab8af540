/// Reads CSV records (RFC 4180): comma-separated fields, optionally quoted
/// with `"` (a quoted field may hold commas, newlines and `""` for a quote),
/// LF or CRLF line ends, no final newline needed, a UTF-8 byte order mark
/// skipped, blank lines skipped. Records keep the line they start on, for
/// messages such as `data/x.csv:42: expected 5 fields, found 4`.
struct CSVReader {
    private let bytes: [UInt8]
    private let file: String
    private var index: Int
    /// Where the next record (or blank line) starts in the bytes.
    var offset: Int { index }
    /// The line the next byte is on.
    private(set) var line: Int

    /// - Parameters:
    ///   - file: how messages name the file.
    ///   - firstLine: the line `bytes` start on: 1 for a whole file, more
    ///     for a later piece of one (``CSVRowStream``).
    ///   - atFileStart: whether `bytes` start the file, where a byte order
    ///     mark is skipped.
    init(bytes: [UInt8], file: String, firstLine: Int = 1, atFileStart: Bool = true) {
        self.bytes = bytes
        self.file = file
        self.line = firstLine
        self.index = atFileStart && bytes.starts(with: CSVReader.byteOrderMark) ? 3 : 0
    }

    /// Reads `bytes` from `offset`, which is on line `line`, as a reader of
    /// the whole would from there: the start of a record or blank line, not
    /// the start of the file. Shares `bytes` rather than copying them.
    /// - Precondition: `offset <= bytes.count`.
    init(bytes: [UInt8], file: String, line: Int, offset: Int) {
        precondition(offset <= bytes.count)
        self.bytes = bytes
        self.file = file
        self.line = line
        self.index = offset
    }

    /// UTF-8's byte order mark, skipped at the start of a file.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Reads the next record into `fields` and returns its line number, or
    /// nil at the end of the file.
    mutating func next(into fields: inout [String]) throws(TrainerError) -> Int? {
        fields.removeAll(keepingCapacity: true)
        // Skip blank lines.
        while index < bytes.count, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let recordLine = line
        while true {
            fields.append(try readField(recordLine: recordLine))
            guard index < bytes.count else { return recordLine }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case 0x0D where index + 1 < bytes.count && bytes[index + 1] == 0x0A:
                index += 2
                line += 1
                return recordLine
            case 0x0A, 0x0D:
                index += 1
                line += 1
                return recordLine
            default:
                throw TrainerError(
                    place: "\(file):\(line)", "unexpected character after a closing quote; expected ',' or the end of the line")
            }
        }
    }

    private mutating func readField(recordLine: Int) throws(TrainerError) -> String {
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            let openLine = line
            index += 1
            var value: [UInt8] = []
            while true {
                guard index < bytes.count else {
                    throw TrainerError(place: "\(file):\(openLine)", "unterminated quoted field; expected a closing '\"'")
                }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        value.append(byte)
                        index += 2
                        continue
                    }
                    index += 1
                    return try text(value)
                }
                if byte == 0x0A { line += 1 }
                value.append(byte)
                index += 1
            }
        }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") || byte == 0x0A || byte == 0x0D { break }
            index += 1
        }
        return try text(bytes[start..<index])
    }

    private func text(_ slice: some Collection<UInt8>) throws(TrainerError) -> String {
        guard let value = String(validating: slice, as: UTF8.self) else {
            throw TrainerError(place: "\(file):\(line)", "invalid UTF-8; expected a UTF-8 text file")
        }
        return value
    }
}

/// The number syntax accepted in data files: an optional sign, digits with an
/// optional decimal point (`1`, `-2.5`, `.5`, `5.`), an optional exponent
/// (`1e-3`). Not accepted, although Swift's `Double()` would take them:
/// `nan`, `inf`, hexadecimal (`0x1p3`), spaces, the empty string.
enum DecimalSyntax {
    static func isNumber(_ text: String) -> Bool {
        var utf8 = text.utf8.makeIterator()
        var byte = utf8.next()
        if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = utf8.next() }
        var digits = 0
        while let b = byte, b >= 0x30 && b <= 0x39 {
            digits += 1
            byte = utf8.next()
        }
        if byte == UInt8(ascii: ".") {
            byte = utf8.next()
            while let b = byte, b >= 0x30 && b <= 0x39 {
                digits += 1
                byte = utf8.next()
            }
        }
        guard digits > 0 else { return false }
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            byte = utf8.next()
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = utf8.next() }
            var exponentDigits = 0
            while let b = byte, b >= 0x30 && b <= 0x39 {
                exponentDigits += 1
                byte = utf8.next()
            }
            guard exponentDigits > 0 else { return false }
        }
        return byte == nil
    }
}
