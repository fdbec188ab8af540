/// The float64 delta rule for networks so small that the step's own
/// bookkeeping, not its arithmetic, is the cost (XOR's 2-3-1 network does
/// about 40 multiply-adds a step): one buffer holds the parameters and every
/// z, a and δ, and each formula is one plain loop over it, with no kernel
/// dispatch, no matrix per layer and nothing retained per step.
///
/// The numbers are those of ``ExactStep`` and of the textbook step
/// (Model/Backprop.swift), bit for bit: every sum starts where theirs does
/// and adds its terms in the same order (Math/Matrix+Arithmetic.swift lists
/// the orders), every product is rounded on its own, and f, f', the losses
/// and the output δ are the very functions they call
/// (Tests/TrainerKitTests/Model/PlainStepTests.swift checks it).
///
/// The step keeps the parameters it trains: ``TrainingEngine`` gives it the
/// network with ``load(_:)`` and reads it back with ``store(into:)``.
struct SmallNetworkStep<S: Scalar> {
    /// Where one layer's numbers live in the buffer, and its shape.
    struct Layer {
        /// n_k and n_{k+1}.
        let inputs: Int, outputs: Int
        let activation: Activation
        /// Offsets of W[k] (inputs × outputs), b[k], a[k] and a[k+1]
        /// (capacity rows each), z[k], δ[k] and ∂E/∂b[k].
        let weights: Int, biases: Int, input: Int, output: Int, weightedInput: Int, delta: Int, biasGradient: Int
    }

    /// The buffer, freed with its last owner.
    final class Storage {
        let base: UnsafeMutablePointer<S>
        init(count: Int) {
            base = .allocate(capacity: count)
            base.initialize(repeating: 0, count: count)
        }
        deinit { base.deallocate() }
    }

    let layers: [Layer]
    let capacity: Int
    /// Offsets of the batch's targets `t`, each sample's loss, and a row of
    /// ∂E/∂W being summed.
    let targets: Int, losses: Int, scratch: Int
    let storage: Storage
    /// Samples in the last step's batch.
    private(set) var batchSize: Int

    /// The most parameters × samples a step may touch for this step to be
    /// chosen: above it the kernels' vectors win over these plain loops
    /// (docs/performance.md, "Small networks").
    static var largestWork: Int { 1024 }

    /// Whether the float64 delta rule on `network` with batches of up to
    /// `batchCapacity` takes this step.
    static func applies(to network: Network<S>, batchCapacity: Int) -> Bool {
        let parameters = max(network.parameterCount, 1)
        return parameters <= largestWork && batchCapacity <= largestWork / parameters
    }

    init(network: Network<S>, batchCapacity: Int) {
        let sizes = network.layerSizes, m = batchCapacity
        var offset = 0
        func take(_ count: Int) -> Int {
            defer { offset += count }
            return offset
        }
        var activationOffsets = sizes.map { _ in 0 }
        activationOffsets[0] = take(m * sizes[0])
        var layers: [Layer] = []
        for k in 0..<network.layerCount {
            let n = sizes[k + 1]
            let weights = take(sizes[k] * n), biases = take(n)
            activationOffsets[k + 1] = take(m * n)
            layers.append(
                Layer(
                    inputs: sizes[k], outputs: n, activation: network.activations[k], weights: weights, biases: biases,
                    input: activationOffsets[k], output: activationOffsets[k + 1], weightedInput: take(m * n), delta: take(m * n),
                    biasGradient: take(n)))
        }
        targets = take(m * network.outputSize)
        losses = take(m)
        scratch = take(sizes.dropFirst().max()!)
        self.layers = layers
        capacity = m
        batchSize = m
        storage = Storage(count: offset)
        load(network)
    }

    /// Takes `network`'s parameters as the ones to train.
    func load(_ network: Network<S>) {
        let p = storage.base
        for (k, layer) in layers.enumerated() {
            network.weights[k].withElementPointer { (p + layer.weights).update(from: $0, count: layer.inputs * layer.outputs) }
            network.biases[k].withElementPointer { (p + layer.biases).update(from: $0, count: layer.outputs) }
        }
    }

    /// Writes the trained parameters into `network` (of the same shape).
    func store(into network: inout Network<S>) {
        let p = storage.base
        for (k, layer) in layers.enumerated() {
            network.weights[k].withMutableElementPointer { $0.update(from: p + layer.weights, count: layer.inputs * layer.outputs) }
            network.biases[k].withMutableElementPointer { $0.update(from: p + layer.biases, count: layer.outputs) }
        }
    }

    /// One step of the delta rule on `samples` of `data`
    /// (``TrainingEngine/step(_:samples:learningRate:next:)``).
    mutating func step(loss: Loss, data: Dataset<S>, samples: ArraySlice<Int>, learningRate: Double) -> StepResult {
        let m = samples.count
        precondition(m <= capacity, "a batch larger than the step was made for")
        batchSize = m
        let p = storage.base, eta = S(learningRate), count = S(m)
        return layers.withUnsafeBufferPointer { layers in
            let last = layers[layers.count - 1]
            data.copyInputs(of: samples, columns: 0..<layers[0].inputs, to: p + layers[0].input)
            data.copyTargets(samples: samples, to: p + targets)

            for layer in layers {
                let a = p + layer.input, w = p + layer.weights, b = p + layer.biases, z = p + layer.weightedInput
                let (inputs, n) = (layer.inputs, layer.outputs)
                // z[k] = a[k]·W[k] + b[k]: each z[s][j] adds a[s][i]·W[i][j] to b[j]
                // for i = 0, 1, … (a row of W at a time, which vectorizes over j).
                for s in 0..<m {
                    let zRow = z + s * n
                    zRow.update(from: b, count: n)
                    for i in 0..<inputs {
                        let x = a[s * inputs + i], wRow = w + i * n
                        for j in 0..<n { zRow[j] += x * wRow[j] }
                    }
                }
                layer.activation.forward(z, into: p + layer.output, rows: m, columns: n)  // a[k+1] = f(z[k])
            }

            // The loss before the update, and the batch's correct count.
            let output = p + last.output, n = last.outputs
            var lossSum = 0.0
            for s in 0..<m {
                let value = loss.sampleLoss(
                    output: output + s * n, weightedInput: p + last.weightedInput + s * n, target: p + targets + s * n, count: n,
                    activation: last.activation)
                p[losses + s] = value
                lossSum += Double(value)
            }
            var correct = 0
            if let labels = data.labels {
                for (s, sample) in samples.enumerated() {
                    var best = 0
                    for j in 1..<n where output[s * n + j] > output[s * n + best] { best = j }
                    if best == labels[sample] { correct += 1 }
                }
            }

            // δ[L-1] = ∂E/∂a[L] ⊙ f'(z[L-1])  (a − t for cross-entropy)
            loss.outputDelta(
                output: output, weightedInput: p + last.weightedInput, target: p + targets, activation: last.activation,
                into: p + last.delta, rows: m, columns: n)
            for k in stride(from: layers.count - 1, through: 0, by: -1) {
                let layer = layers[k]
                let (inputs, n) = (layer.inputs, layer.outputs)
                let a = p + layer.input, w = p + layer.weights, b = p + layer.biases, delta = p + layer.delta
                if k > 0 {
                    // With W[k] before its update:
                    let below = layers[k - 1], previous = p + below.delta
                    for s in 0..<m {
                        for i in 0..<inputs {
                            var sum: S = 0
                            for j in 0..<n { sum += delta[s * n + j] * w[i * n + j] }
                            previous[s * inputs + i] = sum  // ∂E/∂a[k] = δ[k]·W[k]ᵀ
                        }
                    }
                    // δ[k-1] = ∂E/∂a[k] ⊙ f'(z[k-1])
                    below.activation.backward(previous, activation: a, weightedInput: p + below.weightedInput, rows: m, columns: inputs)
                }
                let gb = p + layer.biasGradient
                for j in 0..<n { gb[j] = 0 }
                for s in 0..<m {
                    for j in 0..<n { gb[j] += delta[s * n + j] }
                }
                for j in 0..<n { gb[j] /= count }  // ∂E/∂b[k] = Σ δ[k] / m
                // W[k] -= η · (Σ_s a[k]ᵀ·δ[k]) / m, a row of W at a time: each
                // sum from zero over s = 0, 1, …, divided by m, times η, subtracted.
                let sum = p + scratch
                for i in 0..<inputs {
                    for j in 0..<n { sum[j] = 0 }
                    for s in 0..<m {
                        let x = a[s * inputs + i], deltaRow = delta + s * n
                        for j in 0..<n { sum[j] += x * deltaRow[j] }
                    }
                    let wRow = w + i * n
                    for j in 0..<n { wRow[j] -= eta * (sum[j] / count) }
                }
                for j in 0..<n { b[j] -= eta * gb[j] }  // b[k] -= η · ∂E/∂b[k]
            }
            return StepResult(lossSum: lossSum, correct: correct)
        }
    }

    /// Whether every weight and bias is finite (checked after each epoch).
    var parametersAreFinite: Bool {
        let p = storage.base
        for layer in layers {
            for i in 0..<layer.inputs * layer.outputs where !p[layer.weights + i].isFinite { return false }
            for j in 0..<layer.outputs where !p[layer.biases + j].isFinite { return false }
        }
        return true
    }

    /// The last step's forward and backward pass as ``Backpropagation`` holds
    /// one: every z, a and δ, the targets, losses and ∂E/∂b; ∂E/∂W, never
    /// stored, is zero (a fused step leaves it unspecified).
    func trace(of network: Network<S>) -> Backpropagation<S> {
        var pass = Backpropagation(network: network, batchCapacity: batchSize)
        let p = storage.base, m = batchSize
        pass.activations[0].withMutableElementPointer { $0.update(from: p + layers[0].input, count: m * layers[0].inputs) }
        for (k, layer) in layers.enumerated() {
            let count = m * layer.outputs
            pass.weightedInputs[k].withMutableElementPointer { $0.update(from: p + layer.weightedInput, count: count) }
            pass.activations[k + 1].withMutableElementPointer { $0.update(from: p + layer.output, count: count) }
            pass.deltas[k].withMutableElementPointer { $0.update(from: p + layer.delta, count: count) }
            pass.biasGradients[k].withMutableElementPointer { $0.update(from: p + layer.biasGradient, count: layer.outputs) }
        }
        pass.targets.withMutableElementPointer { $0.update(from: p + targets, count: m * network.outputSize) }
        pass.sampleLosses.withMutableElementPointer { $0.update(from: p + losses, count: m) }
        return pass
    }
}
