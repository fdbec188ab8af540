/// A strict RFC 8259 JSON parser that reports errors with a byte offset, so
/// that messages can say `c.json:2:31: unexpected ','; expected a value`.
///
/// Foundation's JSONDecoder on Linux reports no line or column, accepts
/// trailing commas and rejects `0e1`; this reader does neither. It also bounds
/// the nesting depth (64 by default) while parsing, so neither parsing nor
/// freeing a hostile `[[[[...` can overflow the stack.
///
/// Accepted beyond RFC 8259: a UTF-8 byte order mark at the start (skipped).
/// Rejected: invalid UTF-8, UTF-16 and UTF-32 files, lone surrogate escapes
/// (`"\uD800"`), and every JSONTestSuite `n_` case.
public struct JSONReader {
    /// A syntax error at a byte offset of the input.
    public struct SyntaxError: Error, Equatable, Sendable {
        public var offset: Int
        public var message: String
    }

    public static let defaultMaximumDepth = 64

    /// Parses `bytes` as one JSON document.
    /// - Parameters:
    ///   - expectObject: the top-level value must be an object (a config or
    ///     weights file); otherwise any value is accepted.
    ///   - maximumDepth: the deepest nesting of arrays and objects allowed.
    public static func parse(
        _ bytes: [UInt8], expectObject: Bool = false, maximumDepth: Int = defaultMaximumDepth
    ) throws(SyntaxError) -> JSONDocument {
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth)
        try reader.checkEncoding()
        let start = reader.index  // after a byte order mark
        reader.skipWhitespace()
        if reader.peek == nil {
            // Empty or only whitespace: reported at the start of the file, not after the blanks.
            throw SyntaxError(
                offset: start,
                message: expectObject ? "expected a JSON object, found end of file" : "unexpected end of file; expected a value")
        }
        if expectObject, reader.peek != UInt8(ascii: "{") {
            throw SyntaxError(offset: reader.index, message: "expected a JSON object, found \(reader.describeFound())")
        }
        let root = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.index < bytes.count {
            throw reader.unexpected("expected end of file after the top-level value")
        }
        return JSONDocument(root: root, lineIndex: LineIndex(bytes))
    }

    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var index = 0

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    // MARK: - Encoding

    private mutating func checkEncoding() throws(SyntaxError) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            return
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw SyntaxError(offset: 0, message: "expected UTF-8, found UTF-16 (byte order mark \(hex(bytes[0])) \(hex(bytes[1])))")
        }
        // Without a mark, UTF-16 and UTF-32 show as zero bytes around ASCII.
        if bytes.count >= 2, bytes[0] == 0 || bytes[1] == 0 {
            throw SyntaxError(offset: 0, message: "expected UTF-8, found a zero byte (is the file UTF-16?)")
        }
    }

    // MARK: - Values

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONNode {
        let start = index
        guard let byte = peek else {
            throw SyntaxError(offset: index, message: "unexpected end of file; expected a value")
        }
        switch byte {
        case UInt8(ascii: "{"):
            return JSONNode(try parseObject(depth: depth + 1), offset: start)
        case UInt8(ascii: "["):
            return JSONNode(try parseArray(depth: depth + 1), offset: start)
        case UInt8(ascii: "\""):
            return JSONNode(.string(try parseString()), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(.number(try parseNumber()), offset: start)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return JSONNode(.bool(true), offset: start)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return JSONNode(.bool(false), offset: start)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return JSONNode(.null, offset: start)
        default:
            throw unexpected("expected a value")
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(SyntaxError) {
        let literal = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        if index + literal.count <= bytes.count, bytes[index..<index + literal.count].elementsEqual(literal) {
            index += literal.count
            return
        }
        throw unexpected("expected a value")
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        let open = index
        if depth > maximumDepth {
            throw SyntaxError(offset: open, message: "nested deeper than \(maximumDepth) levels")
        }
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "]"), !elements.isEmpty {
                throw unexpected("expected a value after ','; trailing commas are not allowed")
            }
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            case nil: throw unclosed("array", open: open, expected: "',' or ']'")
            default: throw unexpected("expected ',' or ']'")
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        let open = index
        if depth > maximumDepth {
            throw SyntaxError(offset: open, message: "nested deeper than \(maximumDepth) levels")
        }
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else {
                if peek == nil { throw unclosed("object", open: open, expected: "a key") }
                if peek == UInt8(ascii: "}"), !members.isEmpty {
                    throw unexpected("expected a key after ','; trailing commas are not allowed")
                }
                throw unexpected("expected a key (a string in double quotes)")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                if peek == nil { throw unclosed("object", open: open, expected: "':'") }
                throw unexpected("expected ':' after the key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONMember(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            case nil: throw unclosed("object", open: open, expected: "',' or '}'")
            default: throw unexpected("expected ',' or '}'")
            }
        }
    }

    // MARK: - Numbers

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else {
            throw unexpected("expected a digit after '-'")
        }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek, isDigit(next) {
            throw SyntaxError(offset: start, message: "a number may not have leading zeros")
        }
        skipDigits()
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let next = peek, isDigit(next) else { throw unexpected("expected a digit after '.'") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let next = peek, isDigit(next) else { throw unexpected("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }

    // MARK: - Strings

    private mutating func parseString() throws(SyntaxError) -> String {
        let open = index
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek else {
                throw SyntaxError(offset: open, message: "unterminated string; expected '\"' before the end of the file")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x0A, 0x0D:
                throw SyntaxError(offset: open, message: "unterminated string; expected '\"' before the end of the line")
            case 0x00..<0x20:
                throw SyntaxError(
                    offset: index,
                    message: "control character U+\(hex4(UInt32(byte))) in a string; write it as an escape such as \\n or \\u00XX")
            case 0x80...:
                let length = try validUTF8Length()
                utf8.append(contentsOf: bytes[index..<index + length])
                index += length
            default:
                utf8.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(SyntaxError) {
        let start = index
        index += 1
        guard let byte = peek else {
            throw SyntaxError(offset: start, message: "unterminated string; expected '\"' before the end of the file")
        }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: start)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw SyntaxError(offset: start, message: "lone surrogate \\u\(hex4(scalar)); expected a pair such as \\uD83D\\uDE00")
                }
                let lowStart = index
                index += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw SyntaxError(offset: start, message: "lone surrogate \\u\(hex4(scalar)); expected a pair such as \\uD83D\\uDE00")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw SyntaxError(offset: start, message: "lone surrogate \\u\(hex4(scalar)); expected a pair such as \\uD83D\\uDE00")
            }
            // Every value left is a valid scalar: surrogates were handled above.
            utf8.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            throw SyntaxError(
                offset: start,
                message: "invalid escape '\\\(describeByte(byte))'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = hexValue(byte) else {
                throw SyntaxError(offset: escapeStart, message: "invalid \\u escape; expected four hexadecimal digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// The length of the valid UTF-8 sequence starting at `index` (Unicode
    /// Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
    private func validUTF8Length() throws(SyntaxError) -> Int {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw SyntaxError(offset: index, message: "invalid UTF-8 byte \(hex(lead))")
        }
        for k in 1..<length {
            let position = index + k
            // Both errors point at the character's first byte, where an editor shows it.
            guard position < bytes.count else {
                throw SyntaxError(offset: index, message: "invalid UTF-8: the file ends inside a character")
            }
            let range = k == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[position]) else {
                // Name the whole sequence: the byte that breaks it may be a valid one such as '"'.
                let sequence = bytes[index...position].map { hex($0) }.joined(separator: " ")
                throw SyntaxError(offset: index, message: "invalid UTF-8 sequence \(sequence)")
            }
        }
        return length
    }

    // MARK: - Messages

    private func unexpected(_ expectation: String) -> SyntaxError {
        guard index < bytes.count else {
            return SyntaxError(offset: index, message: "unexpected end of file; \(expectation)")
        }
        let token = describeFound()
        var message = "unexpected \(token); \(expectation)"
        if let hint = hintForUnexpected() { message += " (\(hint))" }
        return SyntaxError(offset: index, message: message)
    }

    private func unclosed(_ what: String, open: Int, expected: String) -> SyntaxError {
        let position = LineIndex(bytes).position(of: open)
        return SyntaxError(
            offset: index,
            message:
                "unexpected end of file; expected \(expected) (the \(what) opened at \(position.line):\(position.column) is not closed)")
    }

    /// What stands at `index`: `end of file`, `','`, `'NaN'`, `'é'`, `byte 0xFF`.
    private func describeFound() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if isWordByte(byte) {
            var end = index
            while end < bytes.count, end - index < 20, isWordByte(bytes[end]) { end += 1 }
            return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
        }
        if byte >= 0x80 {
            if let length = try? validUTF8Length() {
                return "'\(String(decoding: bytes[index..<index + length], as: UTF8.self))'"
            }
            return "byte \(hex(byte))"
        }
        if byte == UInt8(ascii: "'") { return "\"'\"" }  // clearer than '''
        return "'\(describeByte(byte))'"
    }

    private func isWordByte(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5F
    }

    private func describeByte(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "U+\(hex4(UInt32(byte)))"
    }

    /// A hint for the lenient-JSON habits people bring from JavaScript or Python.
    private func hintForUnexpected() -> String? {
        let byte = bytes[index]
        let next = index + 1 < bytes.count ? bytes[index + 1] : 0
        switch byte {
        case UInt8(ascii: "/") where next == UInt8(ascii: "/") || next == UInt8(ascii: "*"):
            return "JSON has no comments"
        case UInt8(ascii: "'"):
            return "JSON strings take double quotes"
        case UInt8(ascii: "+"):
            return "a JSON number may not start with '+'"
        case UInt8(ascii: "."):
            return "a JSON number needs a digit before '.'"
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            return "JSON has no NaN or Infinity"
        default:
            return nil
        }
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = Array("0123456789ABCDEF")
        return (0..<4).reversed().map { String(digits[Int((value >> (4 * UInt32($0))) & 15)]) }.joined()
    }
}
