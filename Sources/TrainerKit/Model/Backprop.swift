/// Backpropagation as the textbook writes it: a forward pass that keeps its
/// trace, one backward pass, and the plain update. This is what `explain`
/// and `gradcheck` run, and the specification that `run`'s fast step
/// (Backpropagation.swift, the kernels) is tested against: for float64 the
/// same bits, for float32 within a measured bound
/// (Tests/TrainerKitTests/Model/PlainStepTests.swift). docs/model.md follows
/// one step through both.
///
/// Notation (docs/contract.md; row vectors, one sample per row, a batch of m samples,
/// layers k = 0 … L−1 with L = `layerCount`):
///
///     z[k] = a[k]·W[k] + b[k]              a[k+1] = f(z[k])           a[0] = the inputs
///     δ[k] = ∂E/∂z[k]                      E = the mean over the batch of each sample's loss
///     δ[L−1] = ∂E/∂a[L] ⊙ f'(z[L−1])       (softmax or sigmoid with cross-entropy: a[L] − t)
///     δ[k−1] = (δ[k]·W[k]ᵀ) ⊙ f'(z[k−1])
///     ∂E/∂W[k] = a[k]ᵀ·δ[k] / m            ∂E/∂b[k] = Σ_s δ[k][s] / m
///     W[k] ← W[k] − η·∂E/∂W[k]             b[k] ← b[k] − η·∂E/∂b[k]
///
/// Every matrix operation is a ``Matrix`` method with plain indexing
/// (Math/Matrix+Arithmetic.swift says in what order each sums, and why that
/// gives the fast kernels' float64 bits).

/// What the forward pass computes: every layer's weighted inputs and activations.
public struct Trace<S: Scalar>: Equatable, Sendable {
    /// `a[0] … a[L]`: the inputs, then each layer's activations (m rows each).
    public var a: [Matrix<S>]
    /// `z[0] … z[L−1]`: each layer's weighted inputs (m rows each).
    public var z: [Matrix<S>]

    /// The network's outputs, `a[L]`.
    public var output: Matrix<S> { a[a.count - 1] }
    /// The number of samples, m.
    public var batchSize: Int { a[0].rows }
}

/// What the backward pass computes: every layer's δ and the gradients of the
/// batch's mean loss.
public struct Gradients<S: Scalar>: Equatable, Sendable {
    /// `δ[0] … δ[L−1]`, `δ[k] = ∂E/∂z[k]` for each sample (m rows each).
    public var delta: [Matrix<S>]
    /// `∂E/∂W[0] … ∂E/∂W[L−1]`, each shaped like its `W`.
    public var weights: [Matrix<S>]
    /// `∂E/∂b[0] … ∂E/∂b[L−1]`.
    public var biases: [[S]]
}

extension Network {
    /// The forward pass over a batch (one sample per row of `inputs`).
    public func forward(_ inputs: Matrix<S>) -> Trace<S> {
        var a = [inputs], z: [Matrix<S>] = []
        for k in 0..<layerCount {
            var zk = Matrix(rows: inputs.rows, repeatingRow: biases[k])  // b[k] on every sample's row, then
            zk.addProduct(a[k], weights[k])  // z[k] = a[k]·W[k] + b[k]
            z.append(zk)
            a.append(activations[k](zk))  // a[k+1] = f(z[k])
        }
        return Trace(a: a, z: z)
    }

    /// The backward pass: δ for every layer, from the output back, and the
    /// gradients of the mean loss over the batch. The network is not changed.
    public func backward(_ trace: Trace<S>, targets t: Matrix<S>, loss: Loss) -> Gradients<S> {
        let last = layerCount - 1
        let m = S(trace.batchSize)
        var delta = [Matrix<S>](repeating: Matrix(rows: 0, columns: 0), count: layerCount)
        let output = trace.a[last + 1], f = activations[last]
        if loss == .crossEntropy {
            delta[last] = output.combined(with: t, -)  // δ[L−1] = a[L] − t (cross-entropy's shortcut)
        } else {
            let dEda = loss.outputGradient(output, targets: t)  // ∂E/∂a[L]
            delta[last] = f.delta(dEda, z: trace.z[last], a: output)  // δ[L−1] = ∂E/∂a[L] ⊙ f'(z[L−1])
        }
        for k in stride(from: last, to: 0, by: -1) {
            let dEda = Matrix.productTransposed(delta[k], weights[k])  // ∂E/∂a[k] = δ[k]·W[k]ᵀ
            delta[k - 1] = activations[k - 1].delta(dEda, z: trace.z[k - 1], a: trace.a[k])  // δ[k−1] = ∂E/∂a[k] ⊙ f'(z[k−1])
        }
        let dW = (0...last).map { k in Matrix.transposedProduct(trace.a[k], delta[k]).divided(by: m) }  // ∂E/∂W[k] = a[k]ᵀ·δ[k] / m
        let db = (0...last).map { k in delta[k].columnSums().map { $0 / m } }  // ∂E/∂b[k] = Σ_s δ[k] / m
        return Gradients(delta: delta, weights: dW, biases: db)
    }

    /// The plain update (sgd, the delta rule): one step down the gradient.
    /// (Momentum, Adam and L2 are ``Optimizer``'s, one formula a line there;
    /// the textbook step hands them its gradients.)
    public mutating func descend(along g: Gradients<S>, learningRate eta: S) {
        for k in 0..<layerCount {
            weights[k].subtractScaled(eta, g.weights[k])  // W[k] ← W[k] − η·∂E/∂W[k]
            biases[k].subtractScaled(eta, g.biases[k])  // b[k] ← b[k] − η·∂E/∂b[k]
        }
    }
}

extension Activation {
    /// `a = f(z)` for every sample (row) of a layer: elementwise, or for
    /// softmax along each row, `aⱼ = e^(zⱼ − max z) / Σᵢ e^(zᵢ − max z)`
    /// (subtracting the row's maximum keeps every e^x ≤ 1).
    public func callAsFunction<S: Scalar>(_ z: Matrix<S>) -> Matrix<S> {
        guard self == .softmax else { return z.map(value) }
        var a = z
        for s in 0..<z.rows {
            var maximum = z[s, 0]
            for j in 1..<z.columns { maximum = max(maximum, z[s, j]) }
            var sum: S = 0
            for j in 0..<z.columns {
                a[s, j] = S.exp(z[s, j] - maximum)  // e^(zⱼ − max)
                sum += a[s, j]
            }
            for j in 0..<z.columns { a[s, j] /= sum }  // aⱼ = e^(zⱼ − max) / Σᵢ e^(zᵢ − max)
        }
        return a
    }

    /// `δ = ∂E/∂z` from `g = ∂E/∂a`, given the layer's `z` and `a = f(z)`:
    /// `g ⊙ f'(z)`; for softmax, whose Jacobian ∂aᵢ/∂zⱼ = aᵢ(1[i=j] − aⱼ) is
    /// not diagonal, `δⱼ = Σᵢ gᵢ·∂aᵢ/∂zⱼ = aⱼ(gⱼ − Σᵢ gᵢaᵢ)` on each row.
    public func delta<S: Scalar>(_ g: Matrix<S>, z: Matrix<S>, a: Matrix<S>) -> Matrix<S> {
        switch self {
        case .linear:
            return g  // f'(z) = 1
        case .softmax:
            var delta = g
            for s in 0..<g.rows {
                var dot: S = 0
                for i in 0..<g.columns { dot += g[s, i] * a[s, i] }  // Σᵢ gᵢaᵢ
                for j in 0..<g.columns { delta[s, j] = a[s, j] * (g[s, j] - dot) }  // δⱼ = aⱼ(gⱼ − Σᵢ gᵢaᵢ)
            }
            return delta
        default:
            let fPrime = z.combined(with: a) { derivative(z: $0, a: $1) }  // f'(z), from a where cheaper
            return g.hadamard(fPrime)  // δ = g ⊙ f'(z)
        }
    }
}

extension Loss {
    /// `∂E/∂a` of each sample's loss, for the losses whose δ goes through
    /// f'(z): `a − t` (sse), `2(a − t)/n` (mse, n outputs).
    public func outputGradient<S: Scalar>(_ a: Matrix<S>, targets t: Matrix<S>) -> Matrix<S> {
        switch self {
        case .sse:
            return a.combined(with: t, -)  // ∂E/∂a = a − t
        case .mse:
            let n = S(a.columns)
            return a.combined(with: t) { 2 * ($0 - $1) / n }  // ∂E/∂a = 2(a − t)/n
        case .crossEntropy:
            preconditionFailure("cross-entropy's δ is a − t, taken before f'(z)")
        }
    }
}
