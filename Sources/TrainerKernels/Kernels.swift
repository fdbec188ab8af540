import TrainerKernelsCore
import TrainerKernelsBaseline
import TrainerKernelsV3
import TrainerKernelsV4

/// The three matrix products of backpropagation, on raw row-major buffers.
///
/// With row vectors (`z = a·W + b`) a mini-batch of m samples gives:
/// - forward: `Z[m×n] += A[m×k] · W[k×n]` (``multiplyAdd``),
/// - weight gradient: `G[k×n] += α · A[m×k]ᵀ · Δ[m×n]` (``multiplyTransposedAAdd``),
/// - backward delta: `D[m×k] = Δ[m×n] · W[k×n]ᵀ` (``multiplyTransposedB``).
///
/// Buffers are contiguous and row-major (no padding between rows).
///
/// **The naive kernels are the specification** (``multiplyAddNaive`` and
/// friends, kept forever): every fast kernel computes each output element as
/// the naive one does — its products added one by one, in increasing order of
/// the summed index, starting from C's initial value (or from zero for
/// `multiplyTransposedB`). Only the rounding of each step may differ: with
/// FMA (levels `v3`, `v4`) `c + a·b` is rounded once, without it (level
/// `baseline`, and the naive kernels) twice. One exception, for speed: the
/// float32 weight gradient at v3/v4 adds a block's even- and odd-numbered
/// samples in two chains and then the two sums (a chain of m dependent FMAs
/// per output is what bounded it: 8.5 → 8.0 µs for 10×784×100). Another:
/// the float32 delta product at v3/v4 with long rows (n ≥ 4 vectors, m ≤ 64:
/// wide hidden layers, never the reference configs' n = 10) runs along the
/// rows of W instead of packing Wᵀ every call, each output summed in one
/// partial sum per vector lane, added pairwise at the end (10×1000×1000:
/// 820 → 265 µs; docs/performance.md). So results do not depend on the
/// thread count (a ``KernelThreadPool`` splits only output rows), and the
/// forward and delta products not on v3 versus v4 (but for those long-row
/// deltas); `baseline` equals the naive kernels bit for bit.
/// Double never uses FMA (its v3 and v4 kernels are `Unfused`), so float64
/// results equal the naive kernels on every CPU: the teaching examples and the
/// Python reference come out the same everywhere. Float32, the fast path, may
/// differ in the last bits between a CPU with FMA and one without.
///
/// Which compiled level runs is ``KernelLevel/active`` unless `level:` says
/// otherwise (a level the CPU cannot run is replaced by the best one it can).
///
/// Preconditions (not checked: these targets are built with -Ounchecked): every
/// buffer holds at least the elements its shape implies, and the output does
/// not overlap an input.
public enum Kernels {
    /// The default ``KernelThreadPool/minimumOperations``: products with fewer
    /// floating-point operations (2·m·k·n) run on one thread even when a pool
    /// is given, because handing half the work to another core costs more
    /// than it saves (measured on whole training runs: docs/performance.md).
    /// (The float32 delta rule splits a wide first layer another way, by
    /// halves of its inputs that stay on one thread each: see TrainerKit's
    /// `FirstLayerHalves`.)
    public static let defaultMinimumSplitOperations = 3_000_000
}

/// A scalar type the kernels are written for (Float and Double), with its
/// per-level tables: what lets every kernel below be one generic entry.
public protocol KernelScalar: BinaryFloatingPoint, Sendable {
    /// Indexed by `KernelLevel.rawValue`.
    static var kernelTables: [KernelTable<Self>] { get }
}

// MARK: - Fast kernels

extension Kernels {
    // The generic entries are @inlinable so that a caller's Float or Double
    // code calls its type's table directly (a specialised call, as the
    // Float and Double overloads these replace were).

    /// `C[m×n] += A[m×k] · B[k×n]`.
    @inlinable
    public static func multiplyAdd<S: KernelScalar>(
        _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ c: UnsafeMutablePointer<S>,
        m: Int, k: Int, n: Int, level: KernelLevel = .active, pool: KernelThreadPool? = nil
    ) {
        let table = S.table(level)
        if n >= m && n >= minimumColumnSplit {
            // A wide layer: each thread reads only its columns of W (the
            // same bits: an element's sum does not depend on its neighbours).
            splitByColumns(n, operations: m, k, n, pool: pool) { c0, columns in
                table.multiplyAdd(a, k, b + c0, n, c + c0, n, m, k, columns)
            }
            return
        }
        splitByRows(m, operations: m, k, n, pool: pool) { r0, rows in  // rows of C = samples
            table.multiplyAdd(a + r0 * k, k, b, n, c + r0 * n, n, rows, k, n)
        }
    }

    /// From this many outputs (and at least as many as the samples), a split
    /// forward product gives each thread columns of W instead of samples.
    public static let minimumColumnSplit = 128

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`.
    @inlinable
    public static func multiplyTransposedAAdd<S: KernelScalar>(
        alpha: S, _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ c: UnsafeMutablePointer<S>,
        m: Int, k: Int, n: Int, level: KernelLevel = .active, pool: KernelThreadPool? = nil
    ) {
        let table = S.table(level)
        splitByRows(k, operations: m, k, n, pool: pool) { p0, rows in  // rows of C = inputs (columns of A)
            table.multiplyTransposedAAdd(alpha, a + p0, k, b, n, c + p0 * n, n, m, rows, n)
        }
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`. A pool splits the columns of C (rows of
    /// B), from the same size as the other products: the same bits.
    @inlinable
    public static func multiplyTransposedB<S: KernelScalar>(
        _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ c: UnsafeMutablePointer<S>,
        m: Int, n: Int, k: Int, level: KernelLevel = .active, pool: KernelThreadPool? = nil
    ) {
        let table = S.table(level)
        splitByRows(k, operations: m, k, n, pool: pool) { p0, rows in  // rows of B = columns of C
            table.multiplyTransposedB(a, n, b + p0 * n, n, c + p0, k, m, n, rows)
        }
    }
}

extension Kernels {
    /// The backward delta and float32's delta-rule update of one layer in one
    /// pass over W: `D[m×k] = Δ[m×n]·W[k×n]ᵀ` with W before the update, then
    /// `W += A[m×k]ᵀ·Δs[m×n]`. The same bits as ``multiplyTransposedB``
    /// followed by ``multiplyTransposedAAdd`` (alpha 1) into W; with long rows
    /// (where the delta runs in dot-product tiles) a block of rows of W at a
    /// time, so W is read from memory once instead of twice. A pool splits
    /// rows of W (each thread owns its rows and its columns of D: no
    /// reduction), so the bits do not depend on the thread count.
    @inlinable
    public static func multiplyTransposedBUpdating<S: KernelScalar>(
        _ delta: UnsafePointer<S>, scaled: UnsafePointer<S>, _ a: UnsafePointer<S>, _ w: UnsafeMutablePointer<S>,
        _ out: UnsafeMutablePointer<S>, m: Int, n: Int, k: Int, level: KernelLevel = .active, pool: KernelThreadPool? = nil
    ) {
        let table = S.table(level)
        splitByRows(k, operations: 2 * m, k, n, pool: pool) { p0, rows in  // rows of W = columns of D
            table.multiplyTransposedBUpdating(delta, scaled, n, a + p0, k, w + p0 * n, n, out + p0, k, m, n, rows)
        }
    }

    /// Whether ``multiplyTransposedBUpdating(_:scaled:_:_:_:m:n:k:level:pool:)``
    /// reads W once (float32 with FMA, rows of at least 64 weights, at most
    /// 64 samples): where the engine takes it instead of the two products.
    public static func fusesDeltaAndUpdate(m: Int, n: Int) -> Bool {
        KernelLevel.active.runnable != .baseline && n >= 64 && m <= 64
    }
}

extension Kernels {
    /// The plain delta rule with the weight gradient never stored:
    /// `W[k×n] −= rate · ((A[m×k]ᵀ · Δ[m×n]) / divisor)`. Each element is
    /// summed from zero over the m samples in order, then divided, multiplied
    /// and subtracted, each step rounded on its own: for Double (unfused at
    /// every level) and baseline Float, the same bits as
    /// ``multiplyTransposedAAdd`` into a zeroed G followed by ``divide`` and
    /// ``subtractScaled`` (``deltaRuleStepNaive``), in one pass over W. `scratch` (k×n) holds partial sums when m is longer than one
    /// register block; its contents afterwards are unspecified. A pool splits
    /// rows of W, so the bits do not depend on the thread count.
    /// Float32 at v3/v4 sums with FMA: equal to the naive rule within rounding.
    @inlinable
    public static func deltaRuleStep<S: KernelScalar>(
        _ a: UnsafePointer<S>, _ delta: UnsafePointer<S>, _ w: UnsafeMutablePointer<S>,
        scratch: UnsafeMutablePointer<S>, m: Int, k: Int, n: Int, divisor: S, rate: S,
        level: KernelLevel = .active, pool: KernelThreadPool? = nil
    ) {
        let table = S.table(level)
        splitByRows(k, operations: m, k, n, pool: pool) { p0, rows in  // rows of W (and of the scratch)
            table.deltaRuleStep(a + p0, k, delta, n, w + p0 * n, n, scratch + p0 * n, m, rows, n, divisor, rate)
        }
    }

    /// The specification of ``deltaRuleStep(_:_:_:scratch:m:k:n:divisor:rate:level:pool:)``:
    /// G = 0, G += Aᵀ·Δ, then `w −= rate·(g / divisor)` element by element.
    public static func deltaRuleStepNaive<T: KernelScalar>(
        _ a: UnsafePointer<T>, _ delta: UnsafePointer<T>, _ w: UnsafeMutablePointer<T>,
        scratch: UnsafeMutablePointer<T>, m: Int, k: Int, n: Int, divisor: T, rate: T
    ) {
        scratch.update(repeating: 0, count: k * n)
        genericMultiplyTransposedAAdd(alpha: 1, a, delta, scratch, m: m, k: k, n: n)
        for i in 0..<k * n {
            let mean = scratch[i] / divisor
            let step = rate * mean
            w[i] = w[i] - step
        }
    }
}

// MARK: - Element by element

extension Kernels {
    /// `x[i] = x[i] / d` for `i < count` (the mean of a summed gradient).
    @inlinable
    public static func divide<S: KernelScalar>(_ x: UnsafeMutablePointer<S>, count: Int, by d: S, level: KernelLevel = .active) {
        S.table(level).divide(x, count, d)
    }

    /// `w[i] = w[i] − scale·g[i]` for `i < count`, rounded twice (no FMA) at
    /// every level: the delta rule's `W -= η·∂E/∂W`.
    @inlinable
    public static func subtractScaled<S: KernelScalar>(
        _ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, scale: S, count: Int, level: KernelLevel = .active
    ) {
        S.table(level).subtractScaled(w, g, scale, count)
    }
}

extension Kernels {
    /// `out[i] = b[i] / 255` (IDX pixels to [0, 1]), correctly rounded: the
    /// same numbers as converting each byte on its own, in vectors.
    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int, level: KernelLevel = .active) {
        switch level.runnable {
        case .baseline: KernelsBaseline.unitBytes(b, out, count: count)
        case .v3: KernelsV3.unitBytes(b, out, count: count)
        case .v4: KernelsV4.unitBytes(b, out, count: count)
        }
    }

    /// `out[i] = b[i] / 255` (IDX pixels to [0, 1]), correctly rounded.
    public static func unitBytes(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Double>, count: Int, level: KernelLevel = .active) {
        switch level.runnable {
        case .baseline: KernelsBaseline.unitBytes(b, out, count: count)
        case .v3: KernelsV3.unitBytes(b, out, count: count)
        case .v4: KernelsV4.unitBytes(b, out, count: count)
        }
    }
}

extension Kernels {
    /// `a[i] = σ(z[i]) = 1 / (1 + e^−z[i])` for `i < count`, vectorised (see
    /// `Logistic` in TrainerKernelsCore): float32 only. Every level gives the
    /// same bits.
    public static func logistic(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int, level: KernelLevel = .active) {
        switch level.runnable {
        case .baseline: KernelsBaseline.logistic(z, a, count: count)
        case .v3: KernelsV3.logistic(z, a, count: count)
        case .v4: KernelsV4.logistic(z, a, count: count)
        }
    }
}

// MARK: - Naive kernels: the specification

extension Kernels {
    /// `C[m×n] += A[m×k] · B[k×n]`, the specification of ``multiplyAdd``.
    public static func multiplyAddNaive(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int
    ) {
        genericMultiplyAdd(a, b, c, m: m, k: k, n: n)
    }

    /// `C[m×n] += A[m×k] · B[k×n]`, the specification of ``multiplyAdd``.
    public static func multiplyAddNaive(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, k: Int, n: Int
    ) {
        genericMultiplyAdd(a, b, c, m: m, k: k, n: n)
    }

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`, the specification of ``multiplyTransposedAAdd``.
    public static func multiplyTransposedAAddNaive(
        alpha: Float, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n)
    }

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`, the specification of ``multiplyTransposedAAdd``.
    public static func multiplyTransposedAAddNaive(
        alpha: Double, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, k: Int, n: Int
    ) {
        genericMultiplyTransposedAAdd(alpha: alpha, a, b, c, m: m, k: k, n: n)
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`, the specification of ``multiplyTransposedB``.
    public static func multiplyTransposedBNaive(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int
    ) {
        genericMultiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`, the specification of ``multiplyTransposedB``.
    public static func multiplyTransposedBNaive(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, n: Int, k: Int
    ) {
        genericMultiplyTransposedB(a, b, c, m: m, n: n, k: k)
    }
}

// The loop orders below keep the innermost loop running along a row of the
// output, so the compiler vectorises it, and add products in index order.
// (Swift never contracts `c + a * b` into an FMA, so these round twice.)

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

// MARK: - Dispatch

extension KernelScalar {
    /// The table of `level`, or of the best supported level if the CPU cannot run `level`.
    @inlinable @inline(__always)
    static func table(_ level: KernelLevel) -> KernelTable<Self> {
        kernelTables[level.runnable.rawValue]
    }
}

private let floatTables = [KernelsBaseline.floatTable, KernelsV3.floatTable, KernelsV4.floatTable]
private let doubleTables = [KernelsBaseline.doubleTable, KernelsV3.doubleTable, KernelsV4.doubleTable]

extension Float: KernelScalar {
    public static var kernelTables: [KernelTable<Float>] { floatTables }
}

extension Double: KernelScalar {
    public static var kernelTables: [KernelTable<Double>] { doubleTables }
}

/// Like ``splitByRows(_:operations:_:_:pool:_:)``, with the parts' edges on
/// multiples of 16 columns (whole vectors at every level).
@inlinable @inline(__always)
func splitByColumns(
    _ columns: Int, operations m: Int, _ k: Int, _ n: Int, pool: KernelThreadPool?,
    _ body: (_ firstColumn: Int, _ count: Int) -> Void
) {
    splitInParts(columns, alignment: 16, operations: 2 * m * k * n, pool: pool, body)
}

/// Runs `body` over all `rows` on this thread, or split by rows across
/// `pool` when the product (2·m·k·n operations) is large enough to pay: part
/// p of P runs `body(r0, count)` for rows `rows·p/P ..< rows·(p+1)/P`. Each
/// element is still computed by one thread, in the same order, so the result
/// does not depend on the number of parts.
@inlinable @inline(__always)
func splitByRows(
    _ rows: Int, operations m: Int, _ k: Int, _ n: Int, pool: KernelThreadPool?,
    _ body: (_ firstRow: Int, _ count: Int) -> Void
) {
    splitInParts(rows, alignment: 1, operations: 2 * m * k * n, pool: pool, body)
}

/// `body(start, count)` over `0..<count` on this thread, or in one part per
/// thread of `pool` when there are more than `alignment` items and
/// `operations` reach the pool's threshold; inner edges on multiples of
/// `alignment`.
@inlinable @inline(__always)
func splitInParts(
    _ count: Int, alignment: Int, operations: Int, pool: KernelThreadPool?, _ body: (_ start: Int, _ count: Int) -> Void
) {
    guard let pool, pool.threadCount > 1, count > alignment, operations >= pool.minimumOperations else {
        body(0, count)
        return
    }
    let parts = pool.threadCount
    pool.run { part in
        let start = part == 0 ? 0 : count * part / parts / alignment * alignment
        let end = part == parts - 1 ? count : count * (part + 1) / parts / alignment * alignment
        if end > start { body(start, end - start) }
    }
}

extension Kernels {
    /// Float32 multiply-adds in twelve independent vector chains at `level`
    /// (``KernelsBaseline/multiplyAddChains(iterations:seed:)``): what one
    /// core retires at most, the floor `kernel-bench --peak` reports.
    public static func multiplyAddChains(iterations: Int, seed: Float, level: KernelLevel = .active) -> (flops: Int, sum: Float) {
        switch level.runnable {
        case .baseline: KernelsBaseline.multiplyAddChains(iterations: iterations, seed: seed)
        case .v3: KernelsV3.multiplyAddChains(iterations: iterations, seed: seed)
        case .v4: KernelsV4.multiplyAddChains(iterations: iterations, seed: seed)
        }
    }
}
