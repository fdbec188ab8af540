import Glibc

extension String {
    /// The C library's `printf` rendering of `arguments` under `format`
    /// (`"%.4g"`, `"%.1f ms"`, `"%3d%%"`): the same characters Foundation's
    /// `String(format:)` gives for these conversions, without linking
    /// Foundation. Only for fixed-precision display (progress lines, axis
    /// labels, the loss log's seconds); numbers that must read back to the
    /// same bits are written with `description`, the shortest round-trip
    /// decimal.
    ///
    /// - Precondition: `format` holds one conversion per argument, each of a
    ///   type the argument has (`%d` for `Int`, `%f`/`%e`/`%g` for `Double`).
    init(cFormat format: String, _ arguments: CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let needed = withVaList(arguments) { list in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) }
            }
            if needed < 0 {
                self = ""
                return
            }
            if Int(needed) < buffer.count {
                self = String(decoding: buffer[..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return
            }
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        }
    }

    /// The string followed by spaces up to `width` characters (unchanged when
    /// it is already as long), for aligned columns of text.
    func padded(to width: Int) -> String {
        let missing = width - count
        return missing > 0 ? self + String(repeating: " ", count: missing) : self
    }

    /// The string with every `target` replaced by `replacement`.
    func replacing(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
