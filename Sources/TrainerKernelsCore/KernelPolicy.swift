/// How one CPU level shapes its register tiles. The numbers follow from the
/// register file (16 vector registers up to AVX2, 32 with AVX-512): a tile of
/// R rows × NV column vectors needs R·NV accumulators, NV registers for the
/// row of B and one for the broadcast element of A.
public protocol KernelPolicy {
    /// Whether `c + a·b` is one fused multiply-add. Only levels whose CPUs
    /// have FMA say yes: elsewhere `addingProduct` would call libm's `fmaf`.
    static var fused: Bool { get }
    /// The most column vectors in one register tile (2...4).
    static var maxVectors: Int { get }
    /// The most rows in a tile of `vectors` column vectors (1...12).
    static func maxRows(vectors: Int) -> Int
    /// Length of a block of the summed index (cache blocking): a tile loads its
    /// accumulators from C, adds this many products, and stores them back.
    static var sumBlock: Int { get }
    /// The most column vectors in one ``StreamKernel`` tile (1...2).
    static var maxStreamVectors: Int { get }
    /// The most summed rows of B a ``StreamKernel`` keeps in registers with
    /// `vectors` column vectors (1...12).
    static func maxStreamSums(vectors: Int) -> Int
}

/// x86-64 baseline (SSE2, 16 xmm registers), no FMA.
public enum BaselinePolicy: KernelPolicy {
    @inlinable @inline(__always) public static var maxStreamVectors: Int { 2 }
    @inlinable @inline(__always) public static func maxStreamSums(vectors: Int) -> Int { vectors == 1 ? 10 : 4 }
    @inlinable @inline(__always) public static var fused: Bool { false }
    @inlinable @inline(__always) public static var maxVectors: Int { 3 }
    @inlinable @inline(__always) public static func maxRows(vectors: Int) -> Int { vectors == 1 ? 12 : 12 / vectors }
    @inlinable @inline(__always) public static var sumBlock: Int { 512 }
}

/// x86-64-v3 (AVX2 + FMA, 16 ymm registers).
public enum V3Policy: KernelPolicy {
    @inlinable @inline(__always) public static var maxStreamVectors: Int { 2 }
    @inlinable @inline(__always) public static func maxStreamSums(vectors: Int) -> Int { vectors == 1 ? 10 : 4 }
    @inlinable @inline(__always) public static var fused: Bool { true }
    @inlinable @inline(__always) public static var maxVectors: Int { 3 }
    @inlinable @inline(__always) public static func maxRows(vectors: Int) -> Int { vectors == 1 ? 12 : 12 / vectors }
    @inlinable @inline(__always) public static var sumBlock: Int { 512 }
}

/// x86-64-v4 (AVX-512, 32 zmm registers).
public enum V4Policy: KernelPolicy {
    @inlinable @inline(__always) public static var maxStreamVectors: Int { 2 }
    @inlinable @inline(__always) public static func maxStreamSums(vectors: Int) -> Int { 12 }
    @inlinable @inline(__always) public static var fused: Bool { true }
    @inlinable @inline(__always) public static var maxVectors: Int { 4 }
    @inlinable @inline(__always) public static func maxRows(vectors: Int) -> Int { vectors <= 2 ? 12 : 24 / vectors }
    @inlinable @inline(__always) public static var sumBlock: Int { 512 }
}

/// Level `P`'s tile shapes without FMA: every `c + a·b` rounded twice, as the
/// naive kernels round it. Float64 uses this at every level, so float64
/// results (the teaching examples, the Python reference) are the same bits on
/// every CPU, whatever its vector width.
public enum Unfused<P: KernelPolicy>: KernelPolicy {
    @inlinable @inline(__always) public static var fused: Bool { false }
    @inlinable @inline(__always) public static var maxVectors: Int { P.maxVectors }
    @inlinable @inline(__always) public static func maxRows(vectors: Int) -> Int { P.maxRows(vectors: vectors) }
    @inlinable @inline(__always) public static var sumBlock: Int { P.sumBlock }
    @inlinable @inline(__always) public static var maxStreamVectors: Int { P.maxStreamVectors }
    @inlinable @inline(__always) public static func maxStreamSums(vectors: Int) -> Int { P.maxStreamSums(vectors: vectors) }
}
