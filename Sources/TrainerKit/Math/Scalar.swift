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
}
