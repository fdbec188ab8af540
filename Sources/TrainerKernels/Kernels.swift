/// The three matrix products of backpropagation, on raw row-major buffers.
///
/// With row vectors (`z = a·W + b`) a mini-batch of m samples gives:
/// - forward: `Z[m×n] += A[m×k] · W[k×n]` (``multiplyAdd``),
/// - weight gradient: `G[k×n] += α · A[m×k]ᵀ · Δ[m×n]` (``multiplyTransposedAAdd``),
/// - backward delta: `D[m×k] = Δ[m×n] · W[k×n]ᵀ` (``multiplyTransposedB``).
///
/// Every function adds each output element's products in increasing order of
/// the summed index, whatever the blocking or thread count, so results are
/// bit-identical across `--threads` (only the split of output rows changes).
///
/// Preconditions (not checked: this target is built with -Ounchecked): every
/// buffer holds at least the elements its shape implies, and the output does
/// not overlap an input.
public enum Kernels {}

/// A scalar type the kernels are written for (Float and Double).
public protocol KernelScalar: BinaryFloatingPoint, Sendable {}
extension Float: KernelScalar {}
extension Double: KernelScalar {}

extension Kernels {
    /// `C[m×n] += A[m×k] · B[k×n]`.
    public static func multiplyAdd(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyAdd(a, b, c, m: m, k: k, n: n)
    }

    /// `C[m×n] += A[m×k] · B[k×n]`.
    public static func multiplyAdd(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyAdd(a, b, c, m: m, k: k, n: n)
    }

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`.
    public static func multiplyTransposedAAdd(
        alpha: Float, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n)
    }

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`.
    public static func multiplyTransposedAAdd(
        alpha: Double, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n)
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`.
    public static func multiplyTransposedB(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int
    ) {
        genericMultiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`.
    public static func multiplyTransposedB(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, n: Int, k: Int
    ) {
        genericMultiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }
}

// The loop orders below keep the innermost loop running along a row of the
// output, so the compiler vectorises it, and add products in index order.

@inline(__always)
func genericMultiplyAdd<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, m: Int, k: Int, n: Int
) {
    for i in 0..<m {
        let cRow = c + i * n
        for p in 0..<k {
            let aip = a[i * k + p]
            let bRow = b + p * n
            for j in 0..<n { cRow[j] += aip * bRow[j] }
        }
    }
}

@inline(__always)
func genericMultiplyTransposedAAdd<T: KernelScalar>(
    alpha: T, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, m: Int, k: Int, n: Int
) {
    for p in 0..<k {
        let cRow = c + p * n
        for i in 0..<m {
            let scaled = alpha * a[i * k + p]
            let bRow = b + i * n
            for j in 0..<n { cRow[j] += scaled * bRow[j] }
        }
    }
}

@inline(__always)
func genericMultiplyTransposedB<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, m: Int, n: Int, k: Int
) {
    for i in 0..<m {
        let aRow = a + i * n
        for j in 0..<k {
            let bRow = b + j * n
            var sum: T = 0
            for p in 0..<n { sum += aRow[p] * bRow[p] }
            c[i * k + j] = sum
        }
    }
}
