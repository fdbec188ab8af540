import Glibc
import TrainerKernels

/// The floating-point types a network can be trained in: `Double` (`float64`,
/// the default, exact enough for worked examples) and `Float` (`float32`, the
/// fast path). Generic code over `Scalar` is specialised by the compiler, so it
/// costs nothing at run time.
public protocol Scalar: KernelScalar, LosslessStringConvertible {
    /// The config's name for this precision: `"float64"` or `"float32"`.
    static var precisionName: String { get }
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self

    /// `C[m×n] += A[m×k] · B[k×n]` (see ``Kernels``).
    /// A `pool` splits large products across its threads (same bits).
    static func multiplyAdd(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>, m: Int, k: Int, n: Int, pool: KernelThreadPool?)
    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]` (see ``Kernels``).
    static func multiplyTransposedAAdd(alpha: Self, _ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>, m: Int, k: Int, n: Int, pool: KernelThreadPool?)
    /// `C[m×k] = A[m×n] · B[k×n]ᵀ` (see ``Kernels``).
    static func multiplyTransposedB(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>, m: Int, n: Int, k: Int)
    /// `x[i] /= d` for `i < count` (see ``Kernels``).
    static func divide(_ x: UnsafeMutablePointer<Self>, count: Int, by d: Self)
    /// `w[i] -= scale·g[i]` for `i < count`, never fused (see ``Kernels``).
    static func subtractScaled(_ w: UnsafeMutablePointer<Self>, _ g: UnsafePointer<Self>, scale: Self, count: Int)
    /// `W[k×n] −= rate·((A[m×k]ᵀ·Δ[m×n]) / divisor)`, the gradient never
    /// stored; the bits of the separate steps for float64 (see ``Kernels``).
    static func deltaRuleStep(
        _ a: UnsafePointer<Self>, _ delta: UnsafePointer<Self>, _ w: UnsafeMutablePointer<Self>, scratch: UnsafeMutablePointer<Self>,
        m: Int, k: Int, n: Int, divisor: Self, rate: Self, pool: KernelThreadPool?)
    /// `a[i] = σ(z[i])` for `i < count`: float32 by the vectorised kernel (a
    /// few ulp from the exact value); float64 with libm's exp, the teaching
    /// examples' numbers (``Activation/value(_:)``'s, bit for bit).
    static func logistic(_ z: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, count: Int)
    /// `out[i] = b[i] / 255`, correctly rounded (see ``Kernels``).
    static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Self>, count: Int)
}

extension Double: Scalar {
    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        Kernels.unitBytes(b, out, count: count)
    }
    public static func logistic(_ z: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, count: Int) {
        // Two loops: exp one value at a time, then the divisions, which the
        // compiler vectorises (one loop kept each division waiting on its
        // exp call).
        for i in 0..<count {
            let x = z[i]
            a[i] = exp(x >= 0 ? -x : x)  // e^−|z|, never overflowing
        }
        for i in 0..<count {
            let e = a[i]
            a[i] = (z[i] >= 0 ? 1 : e) / (1 + e)  // 1/(1 + e^−z), or e^z/(1 + e^z) for z < 0
        }
    }

    public static var precisionName: String { "float64" }
    public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    public static func log(_ x: Double) -> Double { Glibc.log(x) }
    public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }

    public static func multiplyAdd(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, k: Int, n: Int, pool: KernelThreadPool?) {
        Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, pool: pool)
    }
    public static func multiplyTransposedAAdd(alpha: Double, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, k: Int, n: Int, pool: KernelThreadPool?) {
        Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, pool: pool)
    }
    public static func multiplyTransposedB(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, n: Int, k: Int) {
        Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }
    public static func divide(_ x: UnsafeMutablePointer<Double>, count: Int, by d: Double) {
        Kernels.divide(x, count: count, by: d)
    }
    public static func subtractScaled(_ w: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, scale: Double, count: Int) {
        Kernels.subtractScaled(w, g, scale: scale, count: count)
    }
    public static func deltaRuleStep(
        _ a: UnsafePointer<Double>, _ delta: UnsafePointer<Double>, _ w: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int, divisor: Double, rate: Double, pool: KernelThreadPool?
    ) {
        Kernels.deltaRuleStep(a, delta, w, scratch: scratch, m: m, k: k, n: n, divisor: divisor, rate: rate, pool: pool)
    }
}

extension Float: Scalar {
    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.unitBytes(b, out, count: count)
    }
    public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.logistic(z, a, count: count)
    }

    public static var precisionName: String { "float32" }
    public static func exp(_ x: Float) -> Float { Glibc.expf(x) }
    public static func log(_ x: Float) -> Float { Glibc.logf(x) }
    public static func log1p(_ x: Float) -> Float { Glibc.log1pf(x) }
    public static func tanh(_ x: Float) -> Float { Glibc.tanhf(x) }

    public static func multiplyAdd(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int, pool: KernelThreadPool?) {
        Kernels.multiplyAdd(a, b, c, m: m, k: k, n: n, pool: pool)
    }
    public static func multiplyTransposedAAdd(alpha: Float, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int, pool: KernelThreadPool?) {
        Kernels.multiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n, pool: pool)
    }
    public static func multiplyTransposedB(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        Kernels.multiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }
    public static func divide(_ x: UnsafeMutablePointer<Float>, count: Int, by d: Float) {
        Kernels.divide(x, count: count, by: d)
    }
    public static func subtractScaled(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, scale: Float, count: Int) {
        Kernels.subtractScaled(w, g, scale: scale, count: count)
    }
    public static func deltaRuleStep(
        _ a: UnsafePointer<Float>, _ delta: UnsafePointer<Float>, _ w: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int, divisor: Float, rate: Float, pool: KernelThreadPool?
    ) {
        Kernels.deltaRuleStep(a, delta, w, scratch: scratch, m: m, k: k, n: n, divisor: divisor, rate: rate, pool: pool)
    }
}
