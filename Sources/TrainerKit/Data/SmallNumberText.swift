/// Whether a CSV text holds only small whole numbers: digits, commas and
/// line ends, never three digits in a row (every cell 0…99, the common
/// one-digit and two-digit data). The survey runs it over a file's records
/// after the first, eight bytes at a time, so that the memory estimate can
/// count such a file's inputs as the bytes the loader will keep them in
/// (``CSVPieceResult/inputBytes``); a text that fails it (larger numbers,
/// signs, decimals, quotes, names) is estimated at the full precision,
/// which is never less than the loader takes.
struct SmallNumberText {
    /// False once a byte or a run of digits broke the rule.
    private(set) var holds = true
    /// The digit mask (bit 7 of each byte) of the last eight bytes seen, so
    /// a run of digits is followed across calls.
    private var previousDigits: UInt64 = 0

    private static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Bit 7 of each byte of `x` that is zero (exact: no false positives).
    @inline(__always)
    private static func zeroBytes(_ x: UInt64) -> UInt64 {
        ~(((x & low) &+ low) | x | low)
    }

    /// Checks the next bytes of the text.
    mutating func check(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard holds, let base = bytes.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var i = 0
        while i &+ 8 <= count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            // ASCII only, so that adding below 0x50 to a byte never carries
            // into the next: a byte is a digit when b + 0x50 reaches 0x80
            // (b ≥ 0x30) and b + 0x46 does not (b < 0x3A).
            guard word & Self.high == 0 else { return fail() }
            let digits = (word &+ 0x5050_5050_5050_5050) & ~(word &+ 0x4646_4646_4646_4646) & Self.high
            let allowed =
                digits | Self.zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C) | Self.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                | Self.zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
            guard allowed == Self.high else { return fail() }
            // A digit whose two previous bytes are digits.
            let one = (digits << 8) | (previousDigits >> 56)
            let two = (digits << 16) | (previousDigits >> 48)
            guard digits & one & two == 0 else { return fail() }
            previousDigits = digits
            i &+= 8
        }
        while i < count {
            let byte = base[i]
            let digit = byte &- 0x30 <= 9
            guard digit || byte == UInt8(ascii: ",") || byte == 0x0A || byte == 0x0D else { return fail() }
            // Bytes 6 and 7 of the mask are the two bytes before this one.
            guard !(digit && previousDigits >> 48 & 0x8080 == 0x8080) else { return fail() }
            previousDigits = (previousDigits >> 8) | (digit ? 0x80 << 56 : 0)
            i &+= 1
        }
    }

    private mutating func fail() { holds = false }
}
