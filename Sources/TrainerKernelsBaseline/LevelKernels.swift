import TrainerKernelsCore

// One source for the three CPU-level targets: TrainerKernelsV3 and
// TrainerKernelsV4 hold symbolic links to this file. Each target's
// Level.swift says which vector types and tile policies it instantiates; the
// compiler builds everything here with that target's -march (Package.swift).
// Only TrainerKernels calls these, after checking the CPU can run them.

/// The kernels of one CPU level (`KernelDriver` and `Elementwise` for this
/// target's vector types). Named per target by Level.swift.
///
/// Every function is `@inline(never)`, and the level targets are built with
/// `-disable-cmo` (Package.swift): inlined or specialised into TrainerKernels
/// (which cross-module optimisation did with the smaller ones), a body would
/// be compiled for that target's baseline CPU instead of this target's
/// -march (found by profiling: the byte conversion ran as SSE).
public enum LevelKernels {
    @inline(never) static func multiplyAdd<S: LevelScalar>(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<S.Vector, S.Policy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) static func multiplyTransposedAAdd<S: LevelScalar>(
        alpha: S, _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<S.Vector, S.Policy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) static func multiplyTransposedB<S: LevelScalar>(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<S.Vector, S.Policy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    @inline(never) static func deltaRuleStep<S: LevelScalar>(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ w: UnsafeMutablePointer<S>, ldw: Int, scratch: UnsafeMutablePointer<S>,
        m: Int, k: Int, n: Int, divisor: S, rate: S
    ) {
        KernelDriver<S.Vector, S.Policy>.deltaRuleStep(
            a, lda: lda, b, ldb: ldb, w, ldw: ldw, scratch: scratch, m: m, k: k, n: n, divisor: divisor, rate: rate)
    }

    @inline(never) static func multiplyTransposedBUpdating<S: LevelScalar>(
        _ delta: UnsafePointer<S>, _ scaled: UnsafePointer<S>, ldd: Int, _ a: UnsafePointer<S>, lda: Int,
        _ w: UnsafeMutablePointer<S>, ldw: Int, _ out: UnsafeMutablePointer<S>, ldo: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<S.Vector, S.Policy>.multiplyTransposedBUpdating(
            delta, scaled, ldd: ldd, a, lda: lda, w, ldw: ldw, out, ldo: ldo, m: m, n: n, k: k)
    }

    @inline(never) static func divide<S: LevelScalar>(_ x: UnsafeMutablePointer<S>, count: Int, by d: S) {
        Elementwise<S.Vector>.divide(x, count: count, by: d)
    }

    @inline(never) static func subtractScaled<S: LevelScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, scale: S, count: Int) {
        Elementwise<S.Vector>.subtractScaled(w, g, scale: scale, count: count)
    }

    /// Twelve independent chains of `c + a·b` on this level's float vectors,
    /// `iterations` steps each: as many multiply-adds as a core retires, the
    /// floor `kernel-bench --peak` measures the kernels against
    /// (2 · 12 · lanes · iterations flops). Returns a sum of the chains, so
    /// that none is left out.
    @inline(never) public static func multiplyAddChains(iterations: Int, seed: Float) -> (flops: Int, sum: Float) {
        let a = FloatVector(broadcast: 1.0000001), b = FloatVector(broadcast: seed)
        var c0 = FloatVector(broadcast: 0), c1 = FloatVector(broadcast: 1), c2 = FloatVector(broadcast: 2)
        var c3 = FloatVector(broadcast: 3), c4 = FloatVector(broadcast: 4), c5 = FloatVector(broadcast: 5)
        var c6 = FloatVector(broadcast: 6), c7 = FloatVector(broadcast: 7), c8 = FloatVector(broadcast: 8)
        var c9 = FloatVector(broadcast: 9), c10 = FloatVector(broadcast: 10), c11 = FloatVector(broadcast: 11)
        let fused = FloatPolicy.fused
        for _ in 0..<iterations {
            c0 = c0.adding(a, times: b, fused: fused)
            c1 = c1.adding(a, times: b, fused: fused)
            c2 = c2.adding(a, times: b, fused: fused)
            c3 = c3.adding(a, times: b, fused: fused)
            c4 = c4.adding(a, times: b, fused: fused)
            c5 = c5.adding(a, times: b, fused: fused)
            c6 = c6.adding(a, times: b, fused: fused)
            c7 = c7.adding(a, times: b, fused: fused)
            c8 = c8.adding(a, times: b, fused: fused)
            c9 = c9.adding(a, times: b, fused: fused)
            c10 = c10.adding(a, times: b, fused: fused)
            c11 = c11.adding(a, times: b, fused: fused)
        }
        let total = [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11].reduce(Float(0)) { $0 + $1.sum() }
        return (2 * 12 * FloatVector.laneCount * iterations, total)
    }

    @inline(never) public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise<FloatVector>.logistic(z, a, count: count)
    }

    // Loops the compiler vectorises. Levels without AVX-512 divide (float32)
    // or look up (float64) instead of the division-free form, which costs
    // them more (docs/performance.md); all give the same bits.
    @inline(never) public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        if convertsInt64InVectors {
            for i in 0..<count { out[i] = Float(unitFraction(b[i])) * 0x1p-63 }
        } else {
            for i in 0..<count { out[i] = Float(b[i]) / 255 }
        }
    }

    @inline(never) public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        if convertsInt64InVectors {
            for i in 0..<count { out[i] = Double(unitFraction(b[i])) * 0x1p-63 }
        } else {
            unitTable.withUnsafeBufferPointer { table in
                for i in 0..<count { out[i] = table[Int(b[i])] }
            }
        }
    }

    /// `p / 255` for every byte p, in float64.
    static let unitTable: [Double] = (0...255).map { Double($0) / 255 }

    /// p/255 without a division: in binary, p/255 = 0.pppppppp… (p's eight
    /// bits repeated), so p·0x0101010101010101 = ⌊p·2⁶⁴/255⌋ exactly, and
    /// halved it is ⌊p·2⁶³/255⌋, an Int64. Converting that integer rounds it
    /// once, to the float nearest p·2⁶³/255 (the fraction it drops is under
    /// one unit, and a tie would need the dropped bits to read 100…0, which
    /// the repeated pattern never does); times 2⁻⁶³ is exact. So the result
    /// is p/255 correctly rounded, in float32 and float64, as the tests check
    /// for all 256 bytes at every level. (A vector division was the cost.)
    @inline(__always)
    static func unitFraction(_ p: UInt8) -> Int64 {
        Int64(bitPattern: (UInt64(p) &* 0x0101_0101_0101_0101) >> 1)
    }
}

/// A scalar type with this level's vector and tile policy (Level.swift):
/// what lets each kernel above be one generic function, specialised here,
/// for this target's -march, for Float and for Double.
protocol LevelScalar: BinaryFloatingPoint {
    associatedtype Vector: KernelVector where Vector.Scalar == Self
    associatedtype Policy: KernelPolicy
}

extension Float: LevelScalar {
    typealias Vector = FloatVector
    typealias Policy = FloatPolicy
}

extension Double: LevelScalar {
    typealias Vector = DoubleVector
    typealias Policy = DoublePolicy
}

extension LevelKernels {
    /// This level's kernels, for TrainerKernels' dispatch.
    public static let floatTable = KernelTable<Float>(
        multiplyAdd: multiplyAdd, multiplyTransposedAAdd: multiplyTransposedAAdd, multiplyTransposedB: multiplyTransposedB,
        divide: divide, subtractScaled: subtractScaled, deltaRuleStep: deltaRuleStep,
        multiplyTransposedBUpdating: multiplyTransposedBUpdating)

    /// This level's kernels, for TrainerKernels' dispatch.
    public static let doubleTable = KernelTable<Double>(
        multiplyAdd: multiplyAdd, multiplyTransposedAAdd: multiplyTransposedAAdd, multiplyTransposedB: multiplyTransposedB,
        divide: divide, subtractScaled: subtractScaled, deltaRuleStep: deltaRuleStep,
        multiplyTransposedBUpdating: multiplyTransposedBUpdating)
}
