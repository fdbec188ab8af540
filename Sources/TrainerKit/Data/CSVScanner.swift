import Glibc

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
    // States: 0 between records, 1 after a comma, 2 in an unquoted field,
    // 3 in a quoted field, 4 at a `"` in a quoted field (the field's end,
    // or the first half of `""`; any byte after a closing quote but a
    // comma or a line end is an error the reader reports).
    private var state: UInt8 = 0
    /// The last byte seen was a CR that ended a record or a blank line: a
    /// cut is safe after it once the next byte shows it is not CRLF's CR.
    private var afterCR = false
    /// Records begun so far.
    private(set) var records = 0

    /// The class of each byte: 0 any other, 1 a comma, 2 LF, 3 CR, 4 `"`.
    private static let byteClass: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: ","): 1
        case UInt8(ascii: "\n"): 2
        case UInt8(ascii: "\r"): 3
        case UInt8(ascii: "\""): 4
        default: 0
        }
    }

    private static let startsRecord: UInt8 = 8, endsAfter: UInt8 = 16, endsAtCR: UInt8 = 32

    /// For each state and byte class: the next state (the low 3 bits), and
    /// whether a record starts, a record or blank line ends after the byte
    /// (LF), or ends at a CR.
    private static let transitions: [UInt8] = {
        let lineEnds: [UInt8] = [endsAfter | 0, endsAtCR | 0]  // LF, CR: back between records
        return [
            // other, comma, LF, CR, quote
            [startsRecord | 2, startsRecord | 1] + lineEnds + [startsRecord | 3],  // between records
            [2, 1] + lineEnds + [3],  // after a comma
            [2, 1] + lineEnds + [2],  // unquoted: a quote is a character
            [3, 3, 3, 3, 4],  // quoted: line ends and commas are characters
            [2, 1] + lineEnds + [3],  // after a quote in a quoted field
        ].flatMap { $0 }
    }()

    /// Scans the next `bytes` of the text and returns the offset, within
    /// them, just past the last record end where the text can be cut into
    /// pieces that a ``CSVReader`` each reads as it would read the whole
    /// (after an LF, or after a CR that the next byte shows is no CRLF's),
    /// or nil when there is none. An offset of 0 is the end of the bytes
    /// scanned before.
    @discardableResult
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if let cut = scanPlain(bytes) { return cut < 0 ? nil : cut }
        var cut = -1
        var state = Int(self.state), afterCR = self.afterCR, records = self.records
        CSVScanner.byteClass.withUnsafeBufferPointer { byteClass in
            CSVScanner.transitions.withUnsafeBufferPointer { transitions in
                for i in 0..<bytes.count {
                    let byte = bytes[i]
                    if afterCR {
                        afterCR = false
                        if byte != UInt8(ascii: "\n") { cut = i }
                    }
                    let entry = transitions[state &* 5 &+ Int(byteClass[Int(byte)])]
                    state = Int(entry & 7)
                    if entry > 7 {
                        if entry & CSVScanner.startsRecord != 0 { records &+= 1 }
                        if entry & CSVScanner.endsAfter != 0 { cut = i &+ 1 }
                        if entry & CSVScanner.endsAtCR != 0 { afterCR = true }
                    }
                }
            }
        }
        self.state = UInt8(state)
        self.afterCR = afterCR
        self.records = records
        return cut < 0 ? nil : cut
    }

    /// ``scan(_:)`` for the common text without a quote or a CR, at memory
    /// speed rather than a table step a byte: there every LF ends a record
    /// or a blank line, and a record starts at each other byte after an LF
    /// (or after the previous bytes' record end). Returns the cut as
    /// ``scan(_:)`` does (-1 for none), or nil, having changed nothing, for
    /// text it does not handle (a quote, a CR, or a quoted field or a CR
    /// left open by the bytes before).
    private mutating func scanPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard state <= 2, !afterCR, let base = bytes.baseAddress, bytes.count > 0,
            memchr(base, Int32(UInt8(ascii: "\"")), bytes.count) == nil, memchr(base, 0x0D, bytes.count) == nil
        else { return nil }
        let count = bytes.count
        // Starts: a byte other than LF whose previous byte is an LF; the
        // first byte's "previous" is the state between records.
        // Eight bytes at a time: the LF bytes' mask (an exact zero-byte test
        // of the word xor LFs: bit 7 of each byte that is an LF), shifted one
        // byte on to mark the bytes after an LF; the starts are those not
        // LFs themselves. The first byte's "previous" is whether the bytes
        // before ended between records.
        let high: UInt64 = 0x8080_8080_8080_8080, low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let raw = UnsafeRawPointer(base)
        var previousLF: UInt64 = state == 0 ? 1 : 0
        var starts = 0
        var i = 0
        while i &+ 8 <= count {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ newlines
            let lf = ~(((x & low) &+ low) | x | low)
            let afterLF = (lf << 8) | (previousLF << 7)
            starts &+= (afterLF & ~lf & high).nonzeroBitCount
            previousLF = lf >> 63
            i &+= 8
        }
        var afterNewline = previousLF == 1
        while i < count {
            let byte = base[i]
            if afterNewline, byte != 0x0A { starts &+= 1 }
            afterNewline = byte == 0x0A
            i &+= 1
        }
        records &+= starts
        let last = base[count - 1]
        // The state the table would end in: after an LF between records,
        // after a comma, or else in an unquoted field.
        state = last == 0x0A ? 0 : last == UInt8(ascii: ",") ? 1 : 2
        var end = count
        while end > 0, base[end &- 1] != 0x0A { end &-= 1 }
        return end > 0 ? end : -1
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
