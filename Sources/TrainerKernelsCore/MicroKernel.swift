/// A compile-time count, to pass a value generic parameter explicitly.
public enum Count<let value: Int> {}

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
        let w = V.laneCount
        var offsets = InlineArray<NV, Int>(repeating: 0)
        for v in 0..<NV { offsets[v] = v == NV - 1 ? width - w : v * w }
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
/// vector, store; the out-of-order core overlaps consecutive rows. Same
/// element order and overlap rule as ``MicroKernel``.
public enum StreamKernel<let MB: Int, let NV: Int, V: KernelVector, P: KernelPolicy> {
    @inlinable @inline(never)
    public static func run(
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int,
        _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int,
        rows: Int, width: Int
    ) {
        let w = V.laneCount
        var offsets = InlineArray<NV, Int>(repeating: 0)
        for v in 0..<NV { offsets[v] = v == NV - 1 ? width - w : v * w }
        var block = InlineArray<MB, InlineArray<NV, V>>(repeating: InlineArray(repeating: V(broadcast: 0)))
        for s in 0..<MB {
            for v in 0..<NV { block[s][v] = V.load(b + s * ldb + offsets[v]) }
        }
        var ap = a
        var cp = c
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
