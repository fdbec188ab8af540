/// C99 source text for values: floating constants, string literals, and
/// lists of them broken into lines.
enum CLiteral {
    /// The value trainer builds from the number literal `text` (as
    /// `NetworkSpec.build` converts it), written by ``number(_:)``. A literal
    /// that is not finite in `S` is written as it stands, as a floating
    /// constant, for the C compiler to reject or round.
    static func number<S: Scalar>(_ text: String, as: S.Type) -> String {
        switch JSONFields.finiteValue(of: text, as: S.self) {
        case .success(let value): return number(value)
        case .failure: return floating(text) + suffix(S.self)
        }
    }

    /// The shortest decimal that reads back to `value` in `S` (Swift's
    /// `description`: `0.1`, `1.0`, `1e-05`, `-0.0`), with `f` for float,
    /// so that a correctly rounding compiler gets the same bits.
    /// - Precondition: `value` is finite.
    static func number<S: Scalar>(_ value: S) -> String {
        precondition(value.isFinite, "C has no literal for NaN or infinity")
        return value.description + suffix(S.self)
    }

    /// `f` for float, nothing for double.
    private static func suffix<S: Scalar>(_: S.Type) -> String {
        S.precisionName == "float32" ? "f" : ""
    }

    /// A JSON number literal as a C floating constant: `1` becomes `1.0`
    /// (an integer constant cannot take the `f` suffix, and one too large
    /// for any integer type is an error).
    private static func floating(_ text: String) -> String {
        text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
    }

    /// `text` as a C string literal of its UTF-8 bytes. Printable ASCII
    /// stands for itself except `"` and `\`; `?` is escaped so that no
    /// trigraph (`??=`) forms, `*` so that the literal can sit in a comment
    /// without opening or closing one; other bytes are 3-digit octal escapes
    /// (never hex, which would swallow a following digit).
    static func string(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "?"): out += "\\?"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\r"): out += "\\r"
            case 0x20...0x7E where byte != UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return out + "\""
    }

    /// `items` joined by `, ` in lines no wider than `width` (a longer item
    /// gets a line to itself): the first line starts with `first`, the others
    /// with `rest`, and `terminator` follows the last item.
    static func wrapped(_ items: [String], first: String, rest: String, width: Int, terminator: String = "") -> [String] {
        var lines: [String] = []
        var line = first, length = first.utf8.count, empty = true
        for (index, item) in items.enumerated() {
            let piece = item + (index < items.count - 1 ? "," : terminator)
            let count = piece.utf8.count
            if empty {
                line += piece
                length += count
                empty = false
            } else if length + 1 + count <= width {
                line += " " + piece
                length += 1 + count
            } else {
                lines.append(line)
                line = rest + piece
                length = rest.utf8.count + count
            }
        }
        if !empty { lines.append(line) }
        return lines
    }
}
