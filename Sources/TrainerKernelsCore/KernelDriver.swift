/// The three products of backpropagation built from ``MicroKernel`` tiles, for
/// one vector type `V` and one CPU level `P`. Everything is `@inlinable`: a
/// level target instantiates `KernelDriver<FloatX16, V4Policy>` and the
/// compiler builds it there, with that target's `-march`.
///
/// Leading dimensions (`lda`, `ldb`, `ldc`) are the row strides, in elements.
/// Preconditions are not checked: buffers hold what their shapes imply and the
/// output overlaps no input.
public enum KernelDriver<V: KernelVector, P: KernelPolicy> {
    public typealias S = V.Scalar

    /// `C[m×n] += A[m×k] · B[k×n]`.
    @inlinable
    public static func multiplyAdd(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>, ldc: Int,
        m: Int, k: Int, n: Int
    ) {
        product(a, rowStride: lda, sumStride: 1, b, ldb: ldb, c, ldc: ldc, rows: m, columns: n, count: k, shapes: WideTiles.self)
    }

    /// `C[k×n] += alpha · A[m×k]ᵀ · B[m×n]`: tiles of C's rows (k) × columns,
    /// each summing over the m samples; Aᵀ is read in place (row stride 1).
    @inlinable
    public static func multiplyTransposedAAdd(
        alpha: S, _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, m: Int, k: Int, n: Int
    ) {
        if m <= 0 || k <= 0 || n <= 0 { return }
        if alpha == 1 {
            transposedAProduct(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, k: k, n: n)
            return
        }
        // alpha·A[i,p] rounded first, as the naive kernel does, into a scratch
        // block of columns of A, then the same product.
        let chunk = min(k, max(64, 16384 / m))
        withUnsafeTemporaryAllocation(of: S.self, capacity: m * chunk) { scratch in
            let scaled = scratch.baseAddress!
            var p0 = 0
            while p0 < k {
                let width = min(chunk, k - p0)
                for i in 0..<m {
                    let source = a + i * lda + p0, target = scaled + i * width
                    for p in 0..<width { target[p] = alpha * source[p] }
                }
                streamProduct(
                    scaled, rowStride: 1, sumStride: width, b, ldb: ldb, c + p0 * ldc, ldc: ldc,
                    rows: width, columns: n, count: m)
                p0 += width
            }
        }
    }

    /// `C[k×n] += A[m×k]ᵀ · B[m×n]`, each element's m products added in
    /// increasing order. Past ``dotMaximumRows`` samples in register tiles of
    /// several rows of C, which share each row of B they load; up to it,
    /// streamed a row of C at a time with the rows of B held in registers
    /// (no tile of C to pay for), as the fused delta-and-update pass does it,
    /// so that both give the same bits (docs/performance.md, "Wide layers").
    @inlinable @inline(__always)
    static func transposedAProduct(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>, ldc: Int,
        m: Int, k: Int, n: Int
    ) {
        if m > dotMaximumRows {
            product(a, rowStride: 1, sumStride: lda, b, ldb: ldb, c, ldc: ldc, rows: k, columns: n, count: m, shapes: WideTiles.self)
        } else {
            streamProduct(a, rowStride: 1, sumStride: lda, b, ldb: ldb, c, ldc: ldc, rows: k, columns: n, count: m)
        }
    }

    /// `C[m×k] = A[m×n] · B[k×n]ᵀ`: C is zeroed, then blocks of Bᵀ are packed
    /// (so the products run along rows of the packed block) and added.
    @inlinable
    public static func multiplyTransposedB(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>, ldc: Int,
        m: Int, n: Int, k: Int
    ) {
        if m <= 0 || k <= 0 { return }
        if P.fused && n >= dotMinimumLength && m <= dotMaximumRows {
            dotProduct(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k)
            return
        }
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<k { row[j] = 0 }
        }
        if n <= 0 { return }
        let chunk = min(k, max(64, 16384 / n))
        withUnsafeTemporaryAllocation(of: S.self, capacity: n * chunk) { scratch in
            let packed = scratch.baseAddress!
            var j0 = 0
            while j0 < k {
                let width = min(chunk, k - j0)
                // 64 rows of B at a time (in L1), each packed row written
                // along its length: scattered writes cost more.
                var jb = 0
                while jb < width {
                    let rows = min(64, width - jb)
                    let source = b + (j0 + jb) * ldb
                    for p in 0..<n {
                        let target = packed + p * width + jb
                        for j in 0..<rows { target[j] = source[j * ldb + p] }
                    }
                    jb += rows
                }
                product(
                    a, rowStride: lda, sumStride: 1, packed, ldb: width, c + j0, ldc: ldc,
                    rows: m, columns: width, count: n, shapes: WideTiles.self)
                j0 += width
            }
        }
    }

    /// The backward delta and the update of a layer in one pass over W:
    /// `D[m×k] = Δ[m×n]·W[k×n]ᵀ` with W before the update, then `W +=
    /// A[m×k]ᵀ·Δs[m×n]` (Δs the scaled δ of the float32 delta rule). Where the
    /// delta runs in ``DotKernel`` tiles, a block of rows of W at a time (in
    /// L1/L2 between the two products); elsewhere the two products one after
    /// the other. Either way the same bits as ``multiplyTransposedB`` followed
    /// by ``multiplyTransposedAAdd`` with alpha 1: each row's numbers do not
    /// depend on how the rows are blocked.
    @inlinable
    public static func multiplyTransposedBUpdating(
        _ delta: UnsafePointer<S>, _ scaled: UnsafePointer<S>, ldd: Int, _ a: UnsafePointer<S>, lda: Int,
        _ w: UnsafeMutablePointer<S>, ldw: Int, _ out: UnsafeMutablePointer<S>, ldo: Int, m: Int, n: Int, k: Int
    ) {
        if m <= 0 || k <= 0 { return }
        guard P.fused && n >= dotMinimumLength && m <= dotMaximumRows else {
            multiplyTransposedB(delta, lda: ldd, w, ldb: ldw, out, ldc: ldo, m: m, n: n, k: k)
            transposedAProduct(a, lda: lda, scaled, ldb: ldd, w, ldc: ldw, m: m, k: k, n: n)
            return
        }
        var j0 = 0
        while j0 < k {
            let rows = min(fusedBlockRows, k - j0)
            dotProduct(delta, lda: ldd, w + j0 * ldw, ldb: ldw, out + j0, ldc: ldo, m: m, n: n, k: rows)
            streamProduct(a + j0, rowStride: 1, sumStride: lda, scaled, ldb: ldd, w + j0 * ldw, ldc: ldw, rows: rows, columns: n, count: m)
            j0 += rows
        }
    }

    /// Rows of W per block of ``multiplyTransposedBUpdating``.
    @inlinable @inline(__always) static var fusedBlockRows: Int { 16 }

    /// From this many summed elements (n) the float32 delta product with FMA
    /// runs along the rows of W (``DotKernel``) instead of packing Wᵀ; the
    /// reference configs' deltas (n = 10) keep their bits.
    @inlinable @inline(__always) static var dotMinimumLength: Int { 4 * V.laneCount }
    /// Up to this many rows of A (samples) the dot-product tiles win.
    @inlinable @inline(__always) static var dotMaximumRows: Int { 64 }

    /// `C[m×k] = A[m×n]·B[k×n]ᵀ` in ``DotKernel`` tiles: blocks of rows of B
    /// (J at a time, in L1) each against every block of rows of A.
    @inlinable
    static func dotProduct(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>, ldc: Int,
        m: Int, n: Int, k: Int
    ) {
        let lanes = V.laneCount
        withUnsafeTemporaryAllocation(of: S.self, capacity: 2 * lanes) { table in
            let mask = table.baseAddress!
            for l in 0..<lanes {
                mask[l] = 0
                mask[lanes + l] = 1
            }
            let rowBlocks = (m + dotRows - 1) / dotRows
            var b0 = 0
            while b0 < k {
                // A block of rows of W (in L2) against each block of rows of
                // A in turn (in L1 while it meets the whole block).
                let blockEnd = min(k, b0 + fusedBlockRows)
                var r0 = 0
                for block in 0..<rowBlocks {
                    let rows = balancedShare(m, parts: rowBlocks, index: block)
                    var j0 = b0
                    while j0 < blockEnd {
                        let columns = min(dotColumns, blockEnd - j0)
                        dotTile(
                            rows: rows, columns: columns, a + r0 * lda, lda: lda, b + j0 * ldb, ldb: ldb, c + r0 * ldc + j0, ldc: ldc,
                            length: n, mask: mask)
                        j0 += columns
                    }
                    r0 += rows
                }
                b0 = blockEnd
            }
        }
    }

    /// The most rows of A and of B in one ``DotKernel`` tile.
    @inlinable @inline(__always) static var dotRows: Int { 5 }
    @inlinable @inline(__always) static var dotColumns: Int { 4 }

    @inlinable @inline(__always)
    static func dotTile(
        rows: Int, columns: Int, _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>,
        ldc: Int, length: Int, mask: UnsafePointer<S>
    ) {
        switch columns {
        case 1: dotTile(Count<1>.self, rows: rows, a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        case 2: dotTile(Count<2>.self, rows: rows, a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        case 3: dotTile(Count<3>.self, rows: rows, a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        default: dotTile(Count<4>.self, rows: rows, a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        }
    }

    @inlinable @inline(__always)
    static func dotTile<let J: Int>(
        _: Count<J>.Type, rows: Int, _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, _ c: UnsafeMutablePointer<S>,
        ldc: Int, length: Int, mask: UnsafePointer<S>
    ) {
        typealias K<let R: Int> = DotKernel<R, J, V, P>
        switch rows {
        case 1: K<1>.run(a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        case 2: K<2>.run(a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        case 3: K<3>.run(a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        case 4: K<4>.run(a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        default: K<5>.run(a, lda: lda, b, ldb: ldb, c, ldc: ldc, length: length, mask: mask)
        }
    }

    /// `C[rows × columns] += Â · B` over `count` summed indices (see
    /// ``MicroKernel``). Columns are cut into groups of at most
    /// `P.maxVectors` vectors (larger groups last, so a tail vector that
    /// overlaps its neighbour shares its tile), rows into balanced blocks of at
    /// most `P.maxRows`, the summed index into blocks of `P.sumBlock`.
    /// Outputs narrower than one vector go to the next narrower type.
    /// `shapes` says which tile widths to instantiate: all for the level's
    /// widest vector, at most two for the narrower ones (which only ever see
    /// outputs narrower than one wide vector), to keep the code small.
    @inlinable
    public static func product<T: TileShapes>(
        _ a: UnsafePointer<S>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, rows: Int, columns: Int, count: Int, shapes: T.Type
    ) {
        if rows <= 0 || columns <= 0 || count <= 0 { return }
        if columns < V.laneCount {
            KernelDriver<V.Narrower, P>.product(
                a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc,
                rows: rows, columns: columns, count: count, shapes: NarrowTiles.self)
            return
        }
        var s0 = 0
        while s0 < count {
            let sums = min(P.sumBlock, count - s0)
            forEachColumnGroup(columns: columns, maxVectors: min(P.maxVectors, T.maxVectors)) { nv, column0, width in
                let maxRows = P.maxRows(vectors: nv)
                let blocks = (rows + maxRows - 1) / maxRows
                var r0 = 0
                for block in 0..<blocks {
                    let height = balancedShare(rows, parts: blocks, index: block)
                    T.tile(
                        V.self, P.self, rows: height, vectors: nv,
                        a + r0 * rowStride + s0 * sumStride, rowStride: rowStride, sumStride: sumStride,
                        b + s0 * ldb + column0, ldb: ldb, c + r0 * ldc + column0, ldc: ldc,
                        count: sums, width: width)
                    r0 += height
                }
            }
            s0 += sums
        }
    }

    /// `C[rows × columns] += Â · B` like ``product``, but with ``StreamKernel``
    /// tiles: for a short sum (`count`) and many rows. Columns are cut into
    /// groups of at most `P.maxStreamVectors` vectors, the summed index into
    /// balanced blocks of at most `P.maxStreamSums` (each block one pass over C).
    @inlinable
    public static func streamProduct(
        _ a: UnsafePointer<S>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, rows: Int, columns: Int, count: Int
    ) {
        if rows <= 0 || columns <= 0 || count <= 0 { return }
        if columns < V.laneCount {
            KernelDriver<V.Narrower, P>.streamProduct(
                a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc,
                rows: rows, columns: columns, count: count)
            return
        }
        forEachColumnGroup(columns: columns, maxVectors: P.maxStreamVectors) { nv, column0, width in
            let maxSums = P.maxStreamSums(vectors: nv)
            let blocks = (count + maxSums - 1) / maxSums
            var s0 = 0
            for block in 0..<blocks {
                let sums = balancedShare(count, parts: blocks, index: block)
                streamTile(
                    sums: sums, vectors: nv, a + s0 * sumStride, rowStride: rowStride, sumStride: sumStride,
                    b + s0 * ldb + column0, ldb: ldb, c + column0, ldc: ldc, rows: rows, width: width)
                s0 += sums
            }
        }
    }

    /// Cuts `columns` (at least one vector) into balanced groups of at most
    /// `maxVectors` vectors, larger groups last, and calls `body` with each
    /// group's vector count, first column and width.
    @inlinable @inline(__always)
    static func forEachColumnGroup(
        columns: Int, maxVectors: Int, _ body: (_ vectors: Int, _ column0: Int, _ width: Int) -> Void
    ) {
        let w = V.laneCount
        let vectors = (columns + w - 1) / w
        let groups = (vectors + maxVectors - 1) / maxVectors
        var firstVector = 0
        for g in 0..<groups {
            let nv = balancedShare(vectors, parts: groups, index: g)
            let column0 = firstVector * w
            body(nv, column0, min(nv * w, columns - column0))
            firstVector += nv
        }
    }

    /// The plain delta rule with the gradient never stored:
    /// `W[k×n] −= rate · ((A[m×k]ᵀ · B[m×n]) / divisor)`, where each
    /// element's sum starts from zero and adds its m products in increasing
    /// order, as ``multiplyTransposedAAdd`` into a zeroed gradient does; then
    /// it is divided, multiplied and subtracted, each rounded on its own. So
    /// the bits equal those separate passes (zero G, add into G, divide G,
    /// update W), in one pass over W instead of four when m fits one
    /// register block (`P.maxStreamSums`). Longer sums keep their partial
    /// sums in `scratch` (k×n, row stride `ldw`, contents left unspecified).
    @inlinable
    public static func deltaRuleStep(
        _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ w: UnsafeMutablePointer<S>, ldw: Int, scratch: UnsafeMutablePointer<S>,
        m: Int, k: Int, n: Int, divisor: S, rate: S
    ) {
        if m <= 0 || k <= 0 || n <= 0 { return }
        if n < V.laneCount {
            KernelDriver<V.Narrower, P>.deltaRuleStep(
                a, lda: lda, b, ldb: ldb, w, ldw: ldw, scratch: scratch, m: m, k: k, n: n, divisor: divisor, rate: rate)
            return
        }
        forEachColumnGroup(columns: n, maxVectors: P.maxStreamVectors) { nv, column0, width in
            let maxSums = P.maxStreamSums(vectors: nv)
            let blocks = (m + maxSums - 1) / maxSums
            var s0 = 0
            var partial: UnsafePointer<S>? = nil
            if blocks > 1 {
                // Σ over all but the last block into scratch, from zero.
                for r in 0..<k {
                    let row = scratch + r * ldw + column0
                    for j in 0..<width { row[j] = 0 }
                }
                for block in 0..<blocks - 1 {
                    let sums = balancedShare(m, parts: blocks, index: block)
                    streamTile(
                        sums: sums, vectors: nv, a + s0 * lda, rowStride: 1, sumStride: lda,
                        b + s0 * ldb + column0, ldb: ldb, scratch + column0, ldc: ldw, rows: k, width: width)
                    s0 += sums
                }
                partial = UnsafePointer(scratch + column0)
            }
            deltaRuleTile(
                sums: m - s0, vectors: nv, a + s0 * lda, sumStride: lda, b + s0 * ldb + column0, ldb: ldb,
                partial: partial, w + column0, ldw: ldw, rows: k, width: width, divisor: divisor, rate: rate)
        }
    }

    @inlinable @inline(__always)
    static func deltaRuleTile(
        sums: Int, vectors: Int, _ a: UnsafePointer<S>, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        partial: UnsafePointer<S>?, _ w: UnsafeMutablePointer<S>, ldw: Int, rows: Int, width: Int, divisor: S, rate: S
    ) {
        if vectors == 1 {
            deltaRuleTile(
                Count<1>.self, sums: sums, a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw,
                rows: rows, width: width, divisor: divisor, rate: rate)
        } else {
            deltaRuleTile(
                Count<2>.self, sums: sums, a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw,
                rows: rows, width: width, divisor: divisor, rate: rate)
        }
    }

    @inlinable @inline(__always)
    static func deltaRuleTile<let NV: Int>(
        _: Count<NV>.Type, sums: Int, _ a: UnsafePointer<S>, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        partial: UnsafePointer<S>?, _ w: UnsafeMutablePointer<S>, ldw: Int, rows: Int, width: Int, divisor: S, rate: S
    ) {
        typealias K<let MB: Int> = StreamKernel<MB, NV, V, P>
        switch sums {
        case 1:
            K<1>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 2:
            K<2>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 3:
            K<3>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 4:
            K<4>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 5:
            K<5>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 6:
            K<6>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 7:
            K<7>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 8:
            K<8>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 9:
            K<9>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 10:
            K<10>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        case 11:
            K<11>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        default:
            K<12>.runDeltaRule(
                a, sumStride: sumStride, b, ldb: ldb, partial: partial, w, ldw: ldw, rows: rows, width: width, divisor: divisor, rate: rate)
        }
    }

    @inlinable @inline(__always)
    static func streamTile(
        sums: Int, vectors: Int,
        _ a: UnsafePointer<S>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, rows: Int, width: Int
    ) {
        if vectors == 1 {
            streamTile(
                Count<1>.self, sums: sums, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width
            )
        } else {
            streamTile(
                Count<2>.self, sums: sums, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width
            )
        }
    }

    @inlinable @inline(__always)
    static func streamTile<let NV: Int>(
        _: Count<NV>.Type, sums: Int,
        _ a: UnsafePointer<S>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<S>, ldb: Int,
        _ c: UnsafeMutablePointer<S>, ldc: Int, rows: Int, width: Int
    ) {
        typealias K<let MB: Int> = StreamKernel<MB, NV, V, P>
        switch sums {
        case 1: K<1>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 2: K<2>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 3: K<3>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 4: K<4>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 5: K<5>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 6: K<6>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 7: K<7>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 8: K<8>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 9: K<9>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 10: K<10>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        case 11: K<11>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        default: K<12>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, rows: rows, width: width)
        }
    }
}

/// Which ``MicroKernel`` tile widths a ``KernelDriver/product`` may use.
public protocol TileShapes {
    /// The most column vectors per tile.
    static var maxVectors: Int { get }
    /// Runs the tile with `rows` rows (1...12) and `vectors` column vectors.
    static func tile<V: KernelVector, P: KernelPolicy>(
        _: V.Type, _: P.Type, rows: Int, vectors: Int,
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, count: Int, width: Int)
}

/// Tiles of 1 to 4 column vectors (the level's widest vector type).
public enum WideTiles: TileShapes {
    @inlinable @inline(__always) public static var maxVectors: Int { 4 }

    @inlinable @inline(__always)
    public static func tile<V: KernelVector, P: KernelPolicy>(
        _: V.Type, _: P.Type, rows: Int, vectors: Int,
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, count: Int, width: Int
    ) {
        switch vectors {
        case 1:
            TileRows<1, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 2:
            TileRows<2, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 3:
            TileRows<3, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        default:
            TileRows<4, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        }
    }
}

/// Tiles of 1 or 2 column vectors (the narrower fallback vector types).
public enum NarrowTiles: TileShapes {
    @inlinable @inline(__always) public static var maxVectors: Int { 2 }

    @inlinable @inline(__always)
    public static func tile<V: KernelVector, P: KernelPolicy>(
        _: V.Type, _: P.Type, rows: Int, vectors: Int,
        _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, count: Int, width: Int
    ) {
        if vectors == 1 {
            TileRows<1, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        } else {
            TileRows<2, V, P>.run(
                rows: rows, a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        }
    }
}

/// Picks the ``MicroKernel`` for a run-time row count (1...12).
public enum TileRows<let NV: Int, V: KernelVector, P: KernelPolicy> {
    @inlinable @inline(__always)
    public static func run(
        rows: Int, _ a: UnsafePointer<V.Scalar>, rowStride: Int, sumStride: Int, _ b: UnsafePointer<V.Scalar>, ldb: Int,
        _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, count: Int, width: Int
    ) {
        typealias M<let R: Int> = MicroKernel<R, NV, V, P>
        switch rows {
        case 1: M<1>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 2: M<2>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 3: M<3>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 4: M<4>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 5: M<5>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 6: M<6>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 7: M<7>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 8: M<8>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 9: M<9>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 10: M<10>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        case 11: M<11>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        default: M<12>.run(a, rowStride: rowStride, sumStride: sumStride, b, ldb: ldb, c, ldc: ldc, count: count, width: width)
        }
    }
}

/// Part `index` of `total` cut into `parts` shares that differ by at most
/// one, the larger ones last.
@inlinable @inline(__always)
func balancedShare(_ total: Int, parts: Int, index: Int) -> Int {
    total / parts + (index >= parts - total % parts ? 1 : 0)
}
