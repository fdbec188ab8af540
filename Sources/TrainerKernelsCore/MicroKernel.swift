/// A compile-time count, to pass a value generic parameter explicitly.
public enum Count<let value: Int> {}

/// Where each of a tile's NV column vectors starts: vector v at v·W, except
/// the last, at `width − W` (overlapping its neighbour when width is not a
/// multiple of W; see ``MicroKernel``).
@inlinable @inline(__always)
func tileOffsets<let NV: Int>(width: Int, lanes: Int) -> InlineArray<NV, Int> {
    var offsets = InlineArray<NV, Int>(repeating: 0)
    for v in 0..<NV { offsets[v] = v == NV - 1 ? width - lanes : v * lanes }
    return offsets
}

/// MB rows of B at a tile's column offsets, for a ``StreamKernel`` to keep in
/// registers.
@inlinable @inline(__always)
func streamBlock<let MB: Int, let NV: Int, V: KernelVector>(
    _ b: UnsafePointer<V.Scalar>, ldb: Int, offsets: InlineArray<NV, Int>
) -> InlineArray<MB, InlineArray<NV, V>> {
    var block = InlineArray<MB, InlineArray<NV, V>>(repeating: InlineArray(repeating: V(broadcast: 0)))
    for s in 0..<MB {
        for v in 0..<NV { block[s][v] = V.load(b + s * ldb + offsets[v]) }
    }
    return block
}

/// The register tile: `C[R × width] += Â[R × count] · B[count × width]`, where
/// `Â(r, s) = a[r·rowStride + s·sumStride]` (row-major A for the forward
/// product, column-major — that is Aᵀ — for the weight gradient) and
/// `B(s, j) = b[s·ldb + j]`.
///
/// The R·NV accumulators live in registers for the whole loop over `s`. Each
/// accumulator starts from C and adds its products in increasing `s`, so every
/// element is `((c + â₀b₀) + â₁b₁) + …` — the naive kernel's order.
///
/// Column vector v covers columns `v·W ..< v·W + W`, except the last, which
/// covers `width − W ..< width` and may overlap its neighbour: overlapping
/// lanes compute identical sums from identical inputs, and all loads happen
/// before any store, so writing them twice is harmless. Needs
/// `(NV−1)·W < width ≤ NV·W` and `width ≥ W`.
public enum MicroKernel<let R: Int, let NV: Int, V: KernelVector, P: KernelPolicy> {
    @inlinable @inline(never)
    public static func run(
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int,
        _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int,
        count: Int, width: Int
    ) {
        let offsets: InlineArray<NV, Int> = tileOffsets(width: width, lanes: V.laneCount)
        var acc = InlineArray<R, InlineArray<NV, V>>(repeating: InlineArray(repeating: V(broadcast: 0)))
        for r in 0..<R {
            for v in 0..<NV { acc[r][v] = V.load(c + r * ldc + offsets[v]) }
        }
        var ap = a
        var bp = b
        for _ in 0..<count {
            var row = InlineArray<NV, V>(repeating: V(broadcast: 0))
            for v in 0..<NV { row[v] = V.load(bp + offsets[v]) }
            for r in 0..<R {
                let x = V(broadcast: ap[r * rowStride])
                for v in 0..<NV { acc[r][v] = acc[r][v].adding(x, times: row[v], fused: P.fused) }
            }
            ap += sumStride
            bp += ldb
        }
        for r in 0..<R {
            for v in 0..<NV { acc[r][v].store(c + r * ldc + offsets[v]) }
        }
    }
}

/// The streaming tile, for products with a long output and a short sum (the
/// weight gradient: k output rows, m samples): `C[rows × width] += Â · B[MB ×
/// width]`, where the whole `B` block stays in registers (MB·NV vectors) and
/// the kernel walks down C one row at a time — load, MB multiply-adds per
/// vector, store; the out-of-order core overlaps consecutive rows. The
/// overlap rule of ``MicroKernel``, and its element order at unfused levels
/// (fused levels add even and odd s in two chains; see `run`).
public enum StreamKernel<let MB: Int, let NV: Int, V: KernelVector, P: KernelPolicy> {
    @inlinable @inline(never)
    public static func run(
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int,
        _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int,
        rows: Int, width: Int
    ) {
        let offsets: InlineArray<NV, Int> = tileOffsets(width: width, lanes: V.laneCount)
        let block: InlineArray<MB, InlineArray<NV, V>> = streamBlock(b, ldb: ldb, offsets: offsets)
        var ap = a
        var cp = c
        if P.fused && MB >= 4 {
            // Two chains per vector, even and odd s, added at the end: a
            // row's chain of MB dependent FMAs is what limits this kernel,
            // not the FMA units. A different order from the naive kernel,
            // within the same tolerance; unfused levels keep the naive order.
            for _ in 0..<rows {
                var even = InlineArray<NV, V>(repeating: V(broadcast: 0))
                var odd = InlineArray<NV, V>(repeating: V(broadcast: 0))
                for v in 0..<NV { even[v] = V.load(cp + offsets[v]) }
                var s = 0
                while s + 1 < MB {
                    let x0 = V(broadcast: ap[s * sumStride]), x1 = V(broadcast: ap[(s + 1) * sumStride])
                    for v in 0..<NV {
                        even[v] = even[v].adding(x0, times: block[s][v], fused: true)
                        odd[v] = odd[v].adding(x1, times: block[s + 1][v], fused: true)
                    }
                    s += 2
                }
                if s < MB {
                    let x = V(broadcast: ap[s * sumStride])
                    for v in 0..<NV { even[v] = even[v].adding(x, times: block[s][v], fused: true) }
                }
                let one = V(broadcast: 1)  // even + odd·1: one rounding, the sum
                for v in 0..<NV { even[v].adding(odd[v], times: one, fused: true).store(cp + offsets[v]) }
                ap += rowStride
                cp += ldc
            }
            return
        }
        for _ in 0..<rows {
            var acc = InlineArray<NV, V>(repeating: V(broadcast: 0))
            for v in 0..<NV { acc[v] = V.load(cp + offsets[v]) }
            for s in 0..<MB {
                let x = V(broadcast: ap[s * sumStride])
                for v in 0..<NV { acc[v] = acc[v].adding(x, times: block[s][v], fused: P.fused) }
            }
            for v in 0..<NV { acc[v].store(cp + offsets[v]) }
            ap += rowStride
            cp += ldc
        }
    }
}

extension StreamKernel {
    /// The delta rule's last pass over one column block of W, the gradient
    /// never stored: for each row, the sum starts from zero (or from the
    /// partial sums of earlier blocks, `partial`), adds the MB products in
    /// increasing s in one chain (as ``run`` does at unfused levels; at fused
    /// levels ``run`` splits it in two, so a float32 batch longer than one
    /// block mixes the two orders, within the same tolerance), and then
    /// `w ← w − rate·(sum / divisor)`, each operation rounded on its own: the
    /// bits of summing into a zeroed G, dividing it, and subtracting `rate`
    /// times it. All of a row's loads happen before its stores (the
    /// overlapping tail vector, as in ``MicroKernel``).
    @inlinable @inline(never)
    public static func runDeltaRule(
        _ a: UnsafePointer<V.Scalar>, sumStride: Int,
        _ b: UnsafePointer<V.Scalar>, ldb: Int,
        partial: UnsafePointer<V.Scalar>?, _ w: UnsafeMutablePointer<V.Scalar>, ldw: Int,
        rows: Int, width: Int, divisor: V.Scalar, rate: V.Scalar
    ) {
        let offsets: InlineArray<NV, Int> = tileOffsets(width: width, lanes: V.laneCount)
        let block: InlineArray<MB, InlineArray<NV, V>> = streamBlock(b, ldb: ldb, offsets: offsets)
        let d = V(broadcast: divisor), r = V(broadcast: rate)
        var ap = a
        var wp = w
        var pp = partial
        for _ in 0..<rows {
            var acc = InlineArray<NV, V>(repeating: V(broadcast: 0))
            if let p = pp {
                for v in 0..<NV { acc[v] = V.load(p + offsets[v]) }
                pp = p + ldw
            }
            for s in 0..<MB {
                let x = V(broadcast: ap[s * sumStride])
                for v in 0..<NV { acc[v] = acc[v].adding(x, times: block[s][v], fused: P.fused) }
            }
            var updated = InlineArray<NV, V>(repeating: V(broadcast: 0))
            // ∂E/∂W = Σ / m;  W −= η·∂E/∂W
            for v in 0..<NV { updated[v] = V.load(wp + offsets[v]).subtracting(r, times: acc[v].divided(by: d)) }
            for v in 0..<NV { updated[v].store(wp + offsets[v]) }
            ap += 1  // the next row of W is the next column of A
            wp += ldw
        }
    }
}

/// The dot-product tile, for `C = Â·Bᵀ` with long rows (the backward delta
/// of a wide layer, `D[m×k] = Δ[m×n]·W[k×n]ᵀ`, without transposing W):
/// `C(r, j) = Σ_p a[r·lda + p]·b[j·ldb + p]` for R rows of A and J rows of B,
/// both read along their rows. Each of the R·J accumulators holds
/// `laneCount` partial sums (lane l sums p ≡ l modulo the lane count, in
/// increasing p, with FMA), added pairwise at the end (``KernelVector/sum()``):
/// a different order from the naive kernel, within the same tolerance. The
/// last `length mod laneCount` elements are summed in a vector that ends at
/// `length`, its A lanes before them multiplied by zero (`mask`: `laneCount`
/// zeros, then `laneCount` ones). Needs `length ≥ laneCount`; C is overwritten.
public enum DotKernel<let R: Int, let J: Int, V: KernelVector, P: KernelPolicy> {
    @inlinable @inline(never)
    public static func run(
        _ a: UnsafePointer<V.Scalar>, lda: Int, _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, length: Int, mask: UnsafePointer<V.Scalar>
    ) {
        let lanes = V.laneCount
        var acc = InlineArray<R, InlineArray<J, V>>(repeating: InlineArray(repeating: V(broadcast: 0)))
        var p = 0
        while p + lanes <= length {
            var x = InlineArray<R, V>(repeating: V(broadcast: 0))
            for r in 0..<R { x[r] = V.load(a + r * lda + p) }
            for j in 0..<J {
                let y = V.load(b + j * ldb + p)
                for r in 0..<R { acc[r][j] = acc[r][j].adding(x[r], times: y, fused: P.fused) }
            }
            p += lanes
        }
        if p < length {
            // lanes before p (summed already) times 0, the rest times 1: exact
            let keep = V.load(mask + (length - p)), zero = V(broadcast: 0), start = length - lanes
            var x = InlineArray<R, V>(repeating: zero)
            for r in 0..<R { x[r] = zero.adding(V.load(a + r * lda + start), times: keep, fused: P.fused) }
            for j in 0..<J {
                let y = V.load(b + j * ldb + start)
                for r in 0..<R { acc[r][j] = acc[r][j].adding(x[r], times: y, fused: P.fused) }
            }
        }
        for r in 0..<R {
            for j in 0..<J { c[r * ldc + j] = acc[r][j].sum() }
        }
    }
}
