import TrainerKernels

/// One forward and backward pass over a mini-batch, and everything it
/// computes, layer by layer: the trace that `explain` prints, `gradcheck`
/// checks and `run` learns from (one implementation for all three).
///
/// Notation (docs/contract.md, row vectors, one sample per row, m samples):
/// - `a[0]` is the input batch; `z[k] = a[k]·W[k] + b[k]`; `a[k+1] = f(z[k])`;
/// - `δ[k] = ∂E/∂z[k]`, the error of layer k+1's neurons;
/// - `∂E/∂W[k]` and `∂E/∂b[k]` are means over the batch's samples.
///
/// The buffers are allocated once for the largest batch and reused, so the
/// training loop allocates nothing.
public struct Backpropagation<S: Scalar>: Sendable {
    /// `a[0] … a[L]`.
    public internal(set) var activations: [Matrix<S>]
    /// `z[0] … z[L-1]`.
    public internal(set) var weightedInputs: [Matrix<S>]
    /// `δ[0] … δ[L-1]`.
    public internal(set) var deltas: [Matrix<S>]
    /// `∂E/∂W[0] … ∂E/∂W[L-1]`, each shaped like its `W`.
    public internal(set) var weightGradients: [Matrix<S>]
    /// `∂E/∂b[0] … ∂E/∂b[L-1]`.
    public internal(set) var biasGradients: [[S]]
    /// The targets `t` of the batch (m × outputs).
    public internal(set) var targets: Matrix<S>
    /// The loss of each sample of the batch, from the last ``computeLosses(_:activation:)``.
    public internal(set) var sampleLosses: [S]

    /// The number of samples in the current batch.
    public private(set) var batchSize: Int

    /// Threads for the large products (`--threads`); nil runs on the caller.
    /// Results are the same bits either way: a pool splits output rows only.
    public var pool: KernelThreadPool?

    /// Buffers for batches of up to `batchCapacity` samples of `network`.
    public init(network: Network<S>, batchCapacity: Int) {
        let m = batchCapacity
        let sizes = network.layerSizes
        activations = sizes.map { Matrix(rows: m, columns: $0) }
        weightedInputs = sizes.dropFirst().map { Matrix(rows: m, columns: $0) }
        deltas = sizes.dropFirst().map { Matrix(rows: m, columns: $0) }
        weightGradients = network.weights.map { Matrix(rows: $0.rows, columns: $0.columns) }
        biasGradients = network.biases.map { [S](repeating: 0, count: $0.count) }
        targets = Matrix(rows: m, columns: network.outputSize)
        sampleLosses = [S](repeating: 0, count: m)
        batchSize = m
    }

    /// The network's output for the current batch, `a[L]`.
    public var output: Matrix<S> { activations[activations.count - 1] }

    /// Sets the number of samples in the batch (at most the capacity it was
    /// made for, to allocate nothing; more is allowed and grows the buffers).
    public mutating func setBatchSize(_ m: Int) {
        guard m != batchSize else { return }
        batchSize = m
        for k in activations.indices { activations[k].resizeRows(to: m) }
        for k in weightedInputs.indices {
            weightedInputs[k].resizeRows(to: m)
            deltas[k].resizeRows(to: m)
        }
        targets.resizeRows(to: m)
        if sampleLosses.count != m { sampleLosses = [S](repeating: 0, count: m) }
    }

    /// Copies a batch of inputs (one sample per row) into `a[0]`.
    public mutating func setInputs(_ inputs: Matrix<S>) {
        setBatchSize(inputs.rows)
        activations[0].elements.replaceSubrange(0..<inputs.elements.count, with: inputs.elements)
    }

    /// Copies a batch of targets into `t`; its rows must equal the batch size.
    public mutating func setTargets(_ newTargets: Matrix<S>) {
        precondition(newTargets.rows == batchSize && newTargets.columns == targets.columns)
        targets.elements.replaceSubrange(0..<newTargets.elements.count, with: newTargets.elements)
    }

    /// Gives a loader the current batch's targets (`batchSize` rows).
    public mutating func withTargetBuffer(_ body: (UnsafeMutablePointer<S>) -> Void) {
        targets.withMutableElementPointer(body)
    }

    /// Gives a loader the current batch's inputs (`batchSize` rows).
    public mutating func withInputBuffer(_ body: (UnsafeMutablePointer<S>) -> Void) {
        activations[0].withMutableElementPointer(body)
    }

    // MARK: - Forward

    /// `z[k] = a[k]·W[k] + b[k]`, `a[k+1] = f(z[k])` for every layer.
    public mutating func forward(_ network: Network<S>) {
        for k in 0..<network.layerCount { forward(layer: k, network) }
    }

    /// `z[k] = a[k]·W[k] + b[k]`, `a[k+1] = f(z[k])`.
    mutating func forward(layer k: Int, _ network: Network<S>) {
        let m = batchSize
        let n = network.layerSizes[k + 1], inputs = network.layerSizes[k]
        // z[k] = b[k] on every row, then z[k] += a[k]·W[k]
        weightedInputs[k].withMutableElementPointer { z in
            network.biases[k].withElementPointer { b in
                for row in 0..<m {
                    for j in 0..<n { z[row * n + j] = b[j] }
                }
            }
            activations[k].withElementPointer { a in
                network.weights[k].withElementPointer { w in
                    Kernels.multiplyAdd(a, w, z, m: m, k: inputs, n: n, pool: pool)
                }
            }
        }
        network.activations[k].forward(weightedInputs[k], into: &activations[k + 1])  // a[k+1] = f(z[k])
    }

    /// Fills ``sampleLosses`` for the current batch and returns their sum.
    @discardableResult
    public mutating func computeLosses(_ loss: Loss, activation: Activation) -> Double {
        let m = batchSize, n = targets.columns
        let last = activations.count - 1
        var total = 0.0
        activations[last].withElementPointer { a in
            weightedInputs[last - 1].withElementPointer { z in
                targets.withElementPointer { t in
                    for row in 0..<m {
                        let value = loss.sampleLoss(
                            output: a + row * n, weightedInput: z + row * n,
                            target: t + row * n, count: n, activation: activation)
                        sampleLosses[row] = value
                        total += Double(value)
                    }
                }
            }
        }
        return total
    }

    // MARK: - Backward

    /// Fills every δ and gradient for the current batch, from the outputs of
    /// the last ``forward(_:)``. The network is not changed.
    public mutating func backward(_ network: Network<S>, loss: Loss) {
        computeOutputDelta(network, loss: loss)
        for k in stride(from: network.layerCount - 1, through: 0, by: -1) {
            computeGradients(layer: k, network: network)
            if k > 0 { propagateDelta(to: k - 1, network: network) }
        }
    }

    /// The backward pass of the rules that fold the delta rule into the
    /// gradient product (``ExactStep`` and ``ScaledDeltaStep``): for each
    /// layer from the last, δ[k-1] from W[k] before its update, then
    /// ∂E/∂b[k], then `updateWeights(&pass, &network, k)` updates W[k] from
    /// δ[k], then `b[k] -= η · ∂E/∂b[k]`.
    ///
    /// Where `fusesDelta(k)` says so (k > 0), `updateWeights` also writes
    /// `δ[k]·W[k]ᵀ` (with W[k] before its update) into `deltas[k-1]`, in the
    /// same pass over W[k], and f'(z[k-1]) is applied after it.
    mutating func backwardUpdating(
        _ network: inout Network<S>, loss: Loss, learningRate eta: S, fusesDelta: (_ layer: Int) -> Bool = { _ in false },
        updatingWeights updateWeights: (_ pass: inout Self, _ network: inout Network<S>, _ layer: Int) -> Void
    ) {
        computeOutputDelta(network, loss: loss)
        for k in stride(from: network.layerCount - 1, through: 0, by: -1) {
            let fused = k > 0 && fusesDelta(k)
            if k > 0 && !fused { propagateDelta(to: k - 1, network: network) }  // with W[k] before its update
            computeBiasGradient(layer: k, n: network.layerSizes[k + 1])
            updateWeights(&self, &network, k)
            if fused { applyDerivative(to: k - 1, network: network) }
            stepBiases(&network, layer: k, learningRate: eta)
        }
    }

    /// `b[k] -= η · ∂E/∂b[k]`.
    private func stepBiases(_ network: inout Network<S>, layer k: Int, learningRate eta: S) {
        let count = network.biases[k].count
        network.biases[k].withMutableElementPointer { b in
            biasGradients[k].withElementPointer { g in
                Kernels.subtractScaled(b, g, scale: eta, count: count)  // b[k] -= η · ∂E/∂b[k]
            }
        }
    }

    /// `δ[L-1] = ∂E/∂a[L] ⊙ f'(z[L-1])` (`a - t` for cross-entropy).
    private mutating func computeOutputDelta(_ network: Network<S>, loss: Loss) {
        let last = network.layerCount - 1
        loss.outputDelta(
            output: activations[last + 1], weightedInput: weightedInputs[last], target: targets,
            activation: network.activations[last], into: &deltas[last])
    }

    /// `∂E/∂b[k] = Σ_rows δ[k] / m`.
    private mutating func computeBiasGradient(layer k: Int, n: Int) {
        let m = batchSize
        let count = S(m)
        biasGradients[k].withUnsafeMutableBufferPointer { gb in
            deltas[k].withElementPointer { d in
                // ∂E/∂b[k] = Σ δ[k] / m, summed a row at a time (each sum in
                // row order, as one column at a time would, but along rows).
                for j in 0..<n { gb[j] = 0 }
                for row in 0..<m {
                    let deltaRow = d + row * n
                    for j in 0..<n { gb[j] += deltaRow[j] }
                }
                for j in 0..<n { gb[j] /= count }
            }
        }
    }

    /// `∂E/∂W[k] = a[k]ᵀ·δ[k] / m` and `∂E/∂b[k] = Σ_rows δ[k] / m`.
    private mutating func computeGradients(layer k: Int, network: Network<S>) {
        let m = batchSize, inputs = network.layerSizes[k], n = network.layerSizes[k + 1]
        let count = S(m)
        let size = weightGradients[k].elements.count
        weightGradients[k].withMutableElementPointer { g in
            g.update(repeating: 0, count: size)
            activations[k].withElementPointer { a in
                deltas[k].withElementPointer { d in
                    // ∂E/∂W[k] = a[k]ᵀ·δ[k], summed over the batch ...
                    Kernels.multiplyTransposedAAdd(alpha: 1, a, d, g, m: m, k: inputs, n: n, pool: pool)
                }
            }
            // ... then divided by m for the mean (exact for m = 1).
            if m > 1 { Kernels.divide(g, count: size, by: count) }
        }
        computeBiasGradient(layer: k, n: n)
    }

    /// `δ[k-1] = (δ[k]·W[k]ᵀ) ⊙ f'(z[k-1])`, into `deltas[k-1]`.
    private mutating func propagateDelta(to previous: Int, network: Network<S>) {
        let k = previous + 1
        let m = batchSize, n = network.layerSizes[k + 1], width = network.layerSizes[k]
        deltas[k].withElementPointer { d in
            network.weights[k].withElementPointer { w in
                deltas[previous].withMutableElementPointer { out in
                    // ∂E/∂a[k] = δ[k]·W[k]ᵀ
                    Kernels.multiplyTransposedB(d, w, out, m: m, n: n, k: width, pool: pool)
                }
            }
        }
        applyDerivative(to: previous, network: network)
    }

    /// `δ[k-1] = ∂E/∂a[k] ⊙ f'(z[k-1])`, in place in `deltas[k-1]`.
    private mutating func applyDerivative(to previous: Int, network: Network<S>) {
        network.activations[previous].backward(
            &deltas[previous], activation: activations[previous + 1], weightedInput: weightedInputs[previous])
    }
}
