/// The few operations backpropagation's formulas need, with plain indexing
/// (no unsafe pointers): what the textbook step of Model/Backprop.swift runs.
/// Row vectors, one sample per row, as in ``Matrix``.
///
/// **Rounding and order.** Swift never fuses `c + a * b` into one FMA, so
/// every product and every sum below is rounded on its own. Each sum starts
/// where the fast kernels start and adds its terms in increasing order of
/// the summed index: the order of the naive kernels, which every fast kernel
/// keeps ("The naive kernels are the specification", TrainerKernels/Kernels.swift),
/// and which float64 keeps unfused at every CPU level (its v3 and v4 tiles
/// are `Unfused<P>`, TrainerKernelsCore/KernelPolicy.swift; the blocks of
/// `KernelDriver` reload each partial sum from memory, which changes no
/// bit). So for float64 each element below has the bits of the fast path:
///
/// | here | element | fast path |
/// | --- | --- | --- |
/// | ``addProduct(_:_:)`` on z = b | `((b[j] + a[s][0]·W[0][j]) + a[s][1]·W[1][j]) + …` | `Kernels.multiplyAdd` |
/// | ``transposedProduct(_:_:)`` | `((0 + a[0][i]·δ[0][j]) + a[1][i]·δ[1][j]) + …` | `multiplyTransposedAAdd` into 0, `deltaRuleStep` |
/// | ``productTransposed(_:_:)`` | `((0 + δ[s][0]·W[i][0]) + δ[s][1]·W[i][1]) + …` | `multiplyTransposedB` |
/// | ``columnSums()`` | `((0 + δ[0][j]) + δ[1][j]) + …` | `Backpropagation.computeBiasGradient` |
/// | ``subtractScaled(_:_:)`` | `w − (η·g)`, the product rounded first | `Kernels.subtractScaled`, `deltaRuleStep` |
///
/// Float32's fast kernels round `c + a·b` once where the CPU has FMA (v3,
/// v4), and their weight gradient adds even and odd samples in two chains
/// there; float32 results here differ from them in rounding only (the bound
/// is measured in Tests/TrainerKitTests/Model/PlainStepTests.swift).
extension Matrix {
    /// A `rows × row.count` matrix with `row` on every row: a bias row for
    /// each sample of a batch.
    public init(rows: Int, repeatingRow row: [Element]) {
        self.init(rows: rows, columns: row.count, elements: Array((0..<rows).map { _ in row }.joined()))
    }

    /// `C += A·B` (self is C, `rows × b.columns`): each element adds
    /// `a[s][p]·b[p][j]` for p = 0, 1, … to its value.
    public mutating func addProduct(_ a: Matrix, _ b: Matrix) {
        precondition(a.columns == b.rows && rows == a.rows && columns == b.columns, "C += A·B: shapes do not agree")
        for s in 0..<rows {
            for j in 0..<columns {
                var sum = self[s, j]
                for p in 0..<a.columns { sum += a[s, p] * b[p, j] }
                self[s, j] = sum
            }
        }
    }

    /// `C += Aᵀ·B` (self is C, `a.columns × b.columns`): each element adds
    /// `a[s][i]·b[s][j]` for s = 0, 1, … (over the batch's samples) to its value.
    public mutating func addTransposedProduct(_ a: Matrix, _ b: Matrix) {
        precondition(a.rows == b.rows && rows == a.columns && columns == b.columns, "C += Aᵀ·B: shapes do not agree")
        for i in 0..<rows {
            for j in 0..<columns {
                var sum = self[i, j]
                for s in 0..<a.rows { sum += a[s, i] * b[s, j] }
                self[i, j] = sum
            }
        }
    }

    /// `Aᵀ·B`, each element summed from zero over the rows (samples) in order.
    public static func transposedProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.columns, columns: b.columns)
        c.addTransposedProduct(a, b)
        return c
    }

    /// `A·Bᵀ` (`a.rows × b.rows`), each element summed from zero:
    /// `c[s][i] = Σ_p a[s][p]·b[i][p]`, p in order.
    public static func productTransposed(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.columns == b.columns, "A·Bᵀ: shapes do not agree")
        var c = Matrix(rows: a.rows, columns: b.rows)
        for s in 0..<a.rows {
            for i in 0..<b.rows {
                var sum: Element = 0
                for p in 0..<a.columns { sum += a[s, p] * b[i, p] }
                c[s, i] = sum
            }
        }
        return c
    }

    /// `f` applied to every element.
    public func map(_ f: (Element) -> Element) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: elements.map(f))
    }

    /// `f(x, y)` of the elements at the same place in two matrices of one shape.
    public func combined(with other: Matrix, _ f: (Element, Element) -> Element) -> Matrix {
        precondition(rows == other.rows && columns == other.columns, "elementwise: shapes do not agree")
        return Matrix(rows: rows, columns: columns, elements: zip(elements, other.elements).map(f))
    }

    /// `A ⊙ B`, the elementwise (Hadamard) product.
    public func hadamard(_ other: Matrix) -> Matrix {
        combined(with: other) { $0 * $1 }
    }

    /// Every element divided by `d`.
    public func divided(by d: Element) -> Matrix {
        map { $0 / d }
    }

    /// `Σ_s row s`: each column's sum over the rows, from zero, rows in order.
    public func columnSums() -> [Element] {
        var sums = [Element](repeating: 0, count: columns)
        for s in 0..<rows {
            for j in 0..<columns { sums[j] += self[s, j] }
        }
        return sums
    }

    /// `W ← W − η·G` (self is W): each element `w − (η·g)`, the product
    /// rounded before the subtraction.
    public mutating func subtractScaled(_ eta: Element, _ g: Matrix) {
        precondition(rows == g.rows && columns == g.columns, "W − η·G: shapes do not agree")
        for i in elements.indices { elements[i] -= eta * g.elements[i] }
    }
}

extension Array where Element: Scalar {
    /// `b ← b − η·g` for a bias row: each element `b − (η·g)`.
    mutating func subtractScaled(_ eta: Element, _ g: [Element]) {
        precondition(count == g.count, "b − η·g: lengths do not agree")
        for j in indices { self[j] -= eta * g[j] }
    }
}
