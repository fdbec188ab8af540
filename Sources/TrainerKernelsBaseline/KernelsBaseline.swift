import TrainerKernelsCore

/// The kernels instantiated for x86-64 baseline (SSE2: 4 floats or 2 doubles per vector, no FMA): `KernelDriver` compiled in this
/// target, with this target's `-march` (see Package.swift). Only
/// TrainerKernels calls these, after checking the CPU can run them.
public enum KernelsBaseline {
    public static func multiplyAdd(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatX4, BaselinePolicy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyAdd(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleX2, BaselinePolicy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedAAdd(
        alpha: Float, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatX4, BaselinePolicy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedAAdd(
        alpha: Double, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleX2, BaselinePolicy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedB(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<FloatX4, BaselinePolicy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    public static func multiplyTransposedB(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<DoubleX2, BaselinePolicy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    public static func divide(_ x: UnsafeMutablePointer<Float>, count: Int, by d: Float) {
        Elementwise<FloatX4>.divide(x, count: count, by: d)
    }

    public static func subtractScaled(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, scale: Float, count: Int) {
        Elementwise<FloatX4>.subtractScaled(w, g, scale: scale, count: count)
    }

    public static func divide(_ x: UnsafeMutablePointer<Double>, count: Int, by d: Double) {
        Elementwise<DoubleX2>.divide(x, count: count, by: d)
    }

    public static func subtractScaled(_ w: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, scale: Double, count: Int) {
        Elementwise<DoubleX2>.subtractScaled(w, g, scale: scale, count: count)
    }

    public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, by d: Float, scale: Float, count: Int
    ) {
        Elementwise<FloatX4>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, by d: Double, scale: Double, count: Int
    ) {
        Elementwise<DoubleX2>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise<FloatX4>.logistic(z, a, count: count)
    }

    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = Float(b[i]) / 255 }  // a loop the compiler vectorises
    }

    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { out[i] = Double(b[i]) / 255 }
    }
}
