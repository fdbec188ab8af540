import TrainerKernelsCore

// One source for the three CPU-level targets: TrainerKernelsV3 and
// TrainerKernelsV4 hold symbolic links to this file. Each target's
// Level.swift says which vector types and tile policies it instantiates; the
// compiler builds everything here with that target's -march (Package.swift).
// Only TrainerKernels calls these, after checking the CPU can run them.

/// The kernels of one CPU level (`KernelDriver` and `Elementwise` for this
/// target's vector types). Named per target by Level.swift.
///
/// Every function is `@inline(never)`: inlined into TrainerKernels (which
/// the optimiser's cross-module inlining did with the smaller ones), its
/// body would be compiled for that target's baseline CPU instead of this
/// target's -march (found by disassembly: the byte conversion ran as SSE).
public enum LevelKernels {
    @inline(never) public static func multiplyAdd(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatVector, FloatPolicy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) public static func multiplyAdd(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleVector, DoublePolicy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) public static func multiplyTransposedAAdd(
        alpha: Float, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatVector, FloatPolicy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) public static func multiplyTransposedAAdd(
        alpha: Double, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleVector, DoublePolicy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    @inline(never) public static func multiplyTransposedB(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<FloatVector, FloatPolicy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    @inline(never) public static func multiplyTransposedB(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<DoubleVector, DoublePolicy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    @inline(never) public static func divide(_ x: UnsafeMutablePointer<Float>, count: Int, by d: Float) {
        Elementwise<FloatVector>.divide(x, count: count, by: d)
    }

    @inline(never) public static func subtractScaled(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, scale: Float, count: Int) {
        Elementwise<FloatVector>.subtractScaled(w, g, scale: scale, count: count)
    }

    @inline(never) public static func divide(_ x: UnsafeMutablePointer<Double>, count: Int, by d: Double) {
        Elementwise<DoubleVector>.divide(x, count: count, by: d)
    }

    @inline(never) public static func subtractScaled(_ w: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, scale: Double, count: Int) {
        Elementwise<DoubleVector>.subtractScaled(w, g, scale: scale, count: count)
    }

    @inline(never) public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, by d: Float, scale: Float, count: Int
    ) {
        Elementwise<FloatVector>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    @inline(never) public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, by d: Double, scale: Double, count: Int
    ) {
        Elementwise<DoubleVector>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    @inline(never) public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise<FloatVector>.logistic(z, a, count: count)
    }

    @inline(never) public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = Float(b[i]) / 255 }  // a loop the compiler vectorises
    }

    @inline(never) public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        // A table: dividing doubles in vectors is slower than looking up.
        unitTable.withUnsafeBufferPointer { table in
            for i in 0..<count { out[i] = table[Int(b[i])] }
        }
    }

    /// `p / 255` for every byte p, in float64.
    static let unitTable: [Double] = (0...255).map { Double($0) / 255 }
}
