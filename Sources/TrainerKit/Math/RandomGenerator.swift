/// The one source of randomness in `trainer`: xoshiro256** (Blackman and
/// Vigna, 2018), seeded through SplitMix64 as its authors recommend. Same seed,
/// same numbers, on every machine; the state can be saved and restored so a
/// resumed run continues the same stream.
public struct RandomGenerator: RandomNumberGenerator, Equatable, Sendable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// Restores a saved state; nil for the all-zero state, which xoshiro never leaves.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = (state[0], state[1], state[2], state[3])
    }

    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
        lhs.stateWords == rhs.stateWords
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's
    /// multiply-and-reject method). Spelled out, rather than using the standard
    /// library's `Int.random(in:using:)`, whose algorithm may change between
    /// Swift releases and with it every shuffled order.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Shuffles in place (Fisher–Yates, from the last element down).
    public mutating func shuffle(_ values: inout [Int]) {
        var i = values.count - 1
        while i > 0 {
            let j = nextInt(below: i + 1)
            values.swapAt(i, j)
            i -= 1
        }
    }
}
