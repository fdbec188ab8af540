/// Writing JSON text by hand, so that files have a stable key order, one
/// matrix row per line, and numbers that read back to the same bits.
enum JSONWriter {
    /// A JSON string literal with the escapes JSON requires.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The shortest decimal that reads back as exactly `value` in its own
    /// precision (Swift's `description`), which is valid JSON for every
    /// finite value. Precondition: `value` is finite.
    static func number<S: Scalar>(_ value: S) -> String {
        precondition(value.isFinite, "JSON has no NaN or infinity")
        return value.description
    }

    /// ``number(_:)``, or `null` for NaN and the infinities, which JSON
    /// cannot hold (`eval --format json`'s loss when an output overflowed).
    static func numberOrNull<S: Scalar>(_ value: S) -> String {
        value.isFinite ? number(value) : "null"
    }

    /// `[1, 2, 3]`.
    static func row<S: Scalar>(_ values: some Collection<S>) -> String {
        "[" + values.map { number($0) }.joined(separator: ", ") + "]"
    }
}
