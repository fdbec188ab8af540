/// Numbers read straight from a CSV cell's bytes, without making a String:
/// the common cells (whole numbers and short decimals, as data files hold)
/// take one exact conversion and at most one correctly rounded multiply or
/// divide; every other cell is left to the caller's String path, so that
/// the values and the messages stay those of ``DecimalSyntax`` and
/// ``DataLoader/value(_:place:)``.
///
/// The fast path is Clinger's: a mantissa that `S` holds exactly (below
/// 2^24 for float32, 2^53 for float64) times or divided by a power of ten
/// that `S` holds exactly (10^10, 10^22) is one IEEE operation on exact
/// operands, so it is correctly rounded, the value `S(text)` gives. Float32
/// is computed in float32, not through float64, since rounding twice can
/// differ from rounding once.
enum DecimalBytes {
    /// 10^0 … 10^22, each exact in float64 (and up to 10^10 in float32).
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of the cell `bytes[start..<end]` when it is written in the
    /// syntax of ``DecimalSyntax`` and takes the fast path; nil for anything
    /// else (longer numbers, large exponents, text, an empty cell), which the
    /// caller reads as a String.
    /// - Precondition: `start <= end <= bytes.count`.
    @inline(__always)
    static func value<S: Scalar>(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, as: S.Type = S.self) -> S? {
        var i = start
        guard i < end else { return nil }
        let first = bytes[i]
        let negative = first == UInt8(ascii: "-")
        if negative || first == UInt8(ascii: "+") { i &+= 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        while i < end {
            let digit = bytes[i] &- 0x30
            guard digit <= 9 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            digits &+= 1
            i &+= 1
        }
        var exponent = 0
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            while i < end {
                let digit = bytes[i] &- 0x30
                guard digit <= 9 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits &+= 1
                exponent &-= 1
                i &+= 1
            }
        }
        // 19 digits always fit in 64 bits; more are left to the slow path.
        guard digits > 0, digits <= 19 else { return nil }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i &+= 1
            var exponentNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i &+= 1
            }
            var written = 0, exponentDigits = 0
            while i < end {
                let digit = bytes[i] &- 0x30
                guard digit <= 9 else { break }
                // Capped so it cannot overflow; a capped exponent is far
                // outside the fast path's range anyway.
                if written < 100_000 { written = written &* 10 &+ Int(digit) }
                exponentDigits &+= 1
                i &+= 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent &+= exponentNegative ? -written : written
        }
        guard i == end, mantissa >> UInt64(S.significandBitCount + 1) == 0 else { return nil }
        let largestPower = S.significandBitCount > 23 ? 22 : 10
        var value = S(mantissa)
        if exponent > 0 {
            guard exponent <= largestPower else { return nil }
            value *= S(powersOfTen[exponent])
        } else if exponent < 0 {
            guard -exponent <= largestPower else { return nil }
            value /= S(powersOfTen[-exponent])
        }
        return negative ? -value : value
    }
}
