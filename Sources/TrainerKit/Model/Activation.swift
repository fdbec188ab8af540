/// An activation function `a = f(z)`, applied to every neuron of a layer, and
/// its backward step `δ = ∂E/∂z` from `g = ∂E/∂a`.
///
/// Adding an activation means a case here, its two formulas below, and a row
/// in the derivative test.
public enum Activation: String, CaseIterable, Sendable {
    /// σ(z) = 1 / (1 + e^-z); σ'(z) = a(1 - a).
    case sigmoid
    /// tanh(z); tanh'(z) = 1 - a².
    case tanh
    /// max(0, z); relu'(z) = 1 for z > 0, else 0 (0 at z = 0).
    case relu
    /// z; linear'(z) = 1.
    case linear
    /// e^zⱼ / Σₖ e^zₖ over a layer (output layer only); its Jacobian is
    /// ∂aⱼ/∂zᵢ = aⱼ(1[i=j] - aᵢ).
    case softmax

    /// The config names, in the order help and messages list them.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// True when `a` of one neuron depends only on its own `z`.
    public var isElementwise: Bool { self != .softmax }

    /// `f(z)` for a single neuron of an elementwise activation.
    @inline(__always)
    public func value<S: Scalar>(_ z: S) -> S {
        switch self {
        case .sigmoid:
            // Two branches so that e^x never overflows: for z < 0 use e^z / (1 + e^z).
            if z >= 0 { return 1 / (1 + S.exp(-z)) }
            let e = S.exp(z)
            return e / (1 + e)
        case .tanh: return S.tanh(z)
        case .relu: return z > 0 ? z : 0
        case .linear: return z
        case .softmax: preconditionFailure("softmax acts on a whole layer; use forward(_:into:)")
        }
    }

    /// `f'(z)` for a single neuron, from `a = f(z)` where that is cheaper.
    @inline(__always)
    public func derivative<S: Scalar>(z: S, a: S) -> S {
        switch self {
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return z > 0 ? 1 : 0
        case .linear: return 1
        case .softmax: preconditionFailure("softmax has a Jacobian, not a derivative; use backward")
        }
    }

    /// `a = f(z)` for every row (sample) of `z`; `a` must have z's shape.
    public func forward<S: Scalar>(_ z: Matrix<S>, into a: inout Matrix<S>) {
        precondition(a.rows == z.rows && a.columns == z.columns)
        let (rows, columns) = (z.rows, z.columns)
        z.withElementPointer { zs in
            a.withMutableElementPointer { out in forward(zs, into: out, rows: rows, columns: columns) }
        }
    }

    /// `a = f(z)` for `rows` rows of `columns` neurons, row-major.
    @inline(__always)
    func forward<S: Scalar>(_ zs: UnsafePointer<S>, into out: UnsafeMutablePointer<S>, rows: Int, columns: Int) {
        let count = rows * columns
        switch self {
        case .softmax:
            for row in 0..<rows {
                let base = row * columns
                // Subtracting the row's maximum keeps every e^x ≤ 1.
                var maximum = zs[base]
                for j in 1..<columns { maximum = max(maximum, zs[base + j]) }
                var sum: S = 0
                for j in 0..<columns {
                    let e = S.exp(zs[base + j] - maximum)
                    out[base + j] = e
                    sum += e
                }
                for j in 0..<columns { out[base + j] /= sum }
            }
        case .linear:
            out.update(from: zs, count: count)
        case .sigmoid:
            if count > 0 { S.logistic(zs, out, count: count) }
        default:
            for i in 0..<count { out[i] = value(zs[i]) }
        }
    }

    /// Turns `g = ∂E/∂a` into `δ = ∂E/∂z` in place, given the layer's `a` and `z`.
    public func backward<S: Scalar>(_ g: inout Matrix<S>, activation a: Matrix<S>, weightedInput z: Matrix<S>) {
        let (rows, columns) = (g.rows, g.columns)
        g.withMutableElementPointer { gs in
            a.withElementPointer { as_ in
                z.withElementPointer { zs in backward(gs, activation: as_, weightedInput: zs, rows: rows, columns: columns) }
            }
        }
    }

    /// ``backward(_:activation:weightedInput:)`` on `rows` rows of `columns`
    /// neurons, row-major.
    @inline(__always)
    func backward<S: Scalar>(
        _ gs: UnsafeMutablePointer<S>, activation as_: UnsafePointer<S>, weightedInput zs: UnsafePointer<S>, rows: Int, columns: Int
    ) {
        switch self {
        case .softmax:
            // δⱼ = Σᵢ gᵢ ∂aᵢ/∂zⱼ = aⱼ (gⱼ - Σᵢ gᵢ aᵢ)
            for row in 0..<rows {
                let base = row * columns
                var dot: S = 0
                for i in 0..<columns { dot += gs[base + i] * as_[base + i] }
                for j in 0..<columns { gs[base + j] = as_[base + j] * (gs[base + j] - dot) }
            }
        case .linear:
            break  // δ = g ⊙ 1
        case .sigmoid:
            // δ = g ⊙ a(1 − a), written out so that the loop is one vector loop
            for i in 0..<rows * columns { gs[i] *= as_[i] * (1 - as_[i]) }
        default:
            // δ = g ⊙ f'(z)
            for i in 0..<rows * columns { gs[i] *= derivative(z: zs[i], a: as_[i]) }
        }
    }
}
