import TrainerKernelsCore

/// The kernels instantiated for x86-64-v4 (AVX-512: 16 floats or 8 doubles per vector): `KernelDriver` compiled in this
/// target, with this target's `-march` (see Package.swift). Only
/// TrainerKernels calls these, after checking the CPU can run them.
public enum KernelsV4 {
    public static func multiplyAdd(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatX16, V4Policy>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyAdd(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleX8, Unfused<V4Policy>>.multiplyAdd(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedAAdd(
        alpha: Float, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<FloatX16, V4Policy>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedAAdd(
        alpha: Double, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        KernelDriver<DoubleX8, Unfused<V4Policy>>.multiplyTransposedAAdd(
            alpha: alpha, a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
    }

    public static func multiplyTransposedB(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<FloatX16, V4Policy>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    public static func multiplyTransposedB(
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, n: Int, k: Int
    ) {
        KernelDriver<DoubleX8, Unfused<V4Policy>>.multiplyTransposedB(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
    }

    public static func divide(_ x: UnsafeMutablePointer<Float>, count: Int, by d: Float) {
        Elementwise<FloatX16>.divide(x, count: count, by: d)
    }

    public static func subtractScaled(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, scale: Float, count: Int) {
        Elementwise<FloatX16>.subtractScaled(w, g, scale: scale, count: count)
    }

    public static func divide(_ x: UnsafeMutablePointer<Double>, count: Int, by d: Double) {
        Elementwise<DoubleX8>.divide(x, count: count, by: d)
    }

    public static func subtractScaled(_ w: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, scale: Double, count: Int) {
        Elementwise<DoubleX8>.subtractScaled(w, g, scale: scale, count: count)
    }

    public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, by d: Float, scale: Float, count: Int
    ) {
        Elementwise<FloatX16>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    public static func divideAndSubtractScaled(
        _ w: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, by d: Double, scale: Double, count: Int
    ) {
        Elementwise<DoubleX8>.divideAndSubtractScaled(w, g, by: d, scale: scale, count: count)
    }

    public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise<FloatX16>.logistic(z, a, count: count)
    }

    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = Float(b[i]) / 255 }  // a loop the compiler vectorises
    }

    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { out[i] = Double(b[i]) / 255 }
    }
}
