/// A parsed JSON value that remembers where it was written, so that errors
/// about it can name a line and column.
///
/// Numbers keep the literal text: whether `2.0` is a whole number, whether
/// `1e400` fits, and the exact float32 or float64 nearest to `0.1` are all
/// decided by whoever reads the field, not by the parser.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The literal as written; already checked against JSON's number grammar.
    case number(String)
    case string(String)
    case array([JSONNode])
    /// Members in the order written; duplicate keys are kept (JSON allows them,
    /// the config reader rejects them).
    case object([JSONMember])

    /// "a number", "an object", ... for messages such as "expected a number, found a string".
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A value and the byte offset where it starts in its document.
public struct JSONNode: Sendable {
    public var value: JSONValue
    public var offset: Int

    public init(_ value: JSONValue, offset: Int) {
        self.value = value
        self.offset = offset
    }
}

/// One `"key": value` member of an object.
public struct JSONMember: Sendable {
    public var key: String
    public var keyOffset: Int
    public var value: JSONNode
}

/// A parsed document: its root value and what is needed to turn byte offsets
/// into 1-based line:column positions.
public struct JSONDocument: Sendable {
    public let root: JSONNode
    let lineIndex: LineIndex

    /// The 1-based line and column of a byte offset.
    public func position(of offset: Int) -> (line: Int, column: Int) {
        lineIndex.position(of: offset)
    }
}

/// Turns byte offsets into 1-based line:column positions. Columns count Unicode
/// scalars (not bytes), a tab counts as one, and a UTF-8 byte order mark at the
/// start of the file is not counted.
struct LineIndex: Sendable {
    /// Offsets where each line starts.
    private let lineStarts: [Int]
    /// UTF-8 continuation bytes (10xxxxxx) do not start a new column; we keep
    /// only their offsets' count per line lazily by rescanning, so store bytes.
    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        var starts = [bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
        self.bytes = bytes
    }

    func position(of offset: Int) -> (line: Int, column: Int) {
        // The last line start at or before offset (binary search).
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        var column = 1
        var index = start
        let end = min(offset, bytes.count)
        while index < end {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return (low + 1, column)
    }
}
