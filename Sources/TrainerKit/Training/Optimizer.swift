import TrainerKernels

/// How a gradient becomes a step: plain gradient descent (the delta rule),
/// momentum (optionally Nesterov's), or Adam, each with optional L2 weight
/// decay. The definitions follow PyTorch's `torch.optim`, so results can be
/// compared with it:
///
/// - sgd:      W ← W − η·g
/// - momentum: v ← μ·v + g;  W ← W − η·v   (Nesterov: W ← W − η·(g + μ·v))
/// - adam:     m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;
///             W ← W − η·m̂ / (√v̂ + ε), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
///
/// where g = ∂E/∂W + λ·W with L2 decay λ (weights only, never biases; for
/// Adam this is L2 in the gradient, not AdamW's decoupled decay).
public enum OptimizerKind: Equatable, Sendable {
    case sgd
    case momentum(momentum: Double, nesterov: Bool)
    case adam(beta1: Double, beta2: Double, epsilon: Double)

    public static let names = ["sgd", "momentum", "adam"]

    public var name: String {
        switch self {
        case .sgd: return "sgd"
        case .momentum: return "momentum"
        case .adam: return "adam"
        }
    }

    /// State buffers per parameter: none, the velocity, or the two moments.
    var slots: Int { OptimizerKind.slots(named: name) }

    /// State buffers per parameter of the optimizer called `name`.
    static func slots(named name: String) -> Int {
        switch name {
        case "momentum": return 1
        case "adam": return 2
        default: return 0
        }
    }
}

/// An optimizer and its state: the velocities or moments of every weight and
/// bias, and the number of steps taken (Adam's t). The state is saved in the
/// weights file, so that a resumed run takes exactly the steps an
/// uninterrupted one would.
public struct Optimizer<S: Scalar>: Sendable {
    public let kind: OptimizerKind
    /// λ, the L2 weight decay.
    public let l2: Double
    /// Steps taken so far.
    public private(set) var step: Int
    /// `slots[s][k]`: slot s (velocity, or m then v) of layer k's weights.
    public private(set) var weightSlots: [[Matrix<S>]]
    /// `biasSlots[s][k]`: the same for layer k's biases.
    public private(set) var biasSlots: [[[S]]]

    /// A fresh optimizer (zero state) for `network`'s shapes.
    public init(kind: OptimizerKind, l2: Double = 0, network: Network<S>) {
        self.kind = kind
        self.l2 = l2
        self.step = 0
        weightSlots = (0..<kind.slots).map { _ in network.weights.map { Matrix(rows: $0.rows, columns: $0.columns) } }
        biasSlots = (0..<kind.slots).map { _ in network.biases.map { [S](repeating: 0, count: $0.count) } }
    }

    /// An optimizer resuming from saved state; the shapes must match `network`'s.
    public init(kind: OptimizerKind, l2: Double, step: Int, weightSlots: [[Matrix<S>]], biasSlots: [[[S]]]) {
        precondition(weightSlots.count == kind.slots && biasSlots.count == kind.slots)
        self.kind = kind
        self.l2 = l2
        self.step = step
        self.weightSlots = weightSlots
        self.biasSlots = biasSlots
    }

    /// One step of every weight and bias of `network` from the textbook
    /// backward pass's batch-mean gradients (Model/Backprop.swift), with
    /// learning rate `learningRate`. (The engine's step takes the same one
    /// from its own pass: Engine/Optimizer+Pass.swift.)
    public mutating func update(_ network: inout Network<S>, along gradients: Gradients<S>, learningRate: Double) {
        update(&network, weightGradients: gradients.weights, biasGradients: gradients.biases, learningRate: learningRate)
    }

    mutating func update(
        _ network: inout Network<S>, weightGradients: [Matrix<S>], biasGradients: [[S]], learningRate: Double
    ) {
        step += 1
        let eta = S(learningRate)
        let decay = S(l2)
        // Adam's bias corrections, in float64 then rounded once.
        var correction1: S = 1, correction2: S = 1
        if case .adam(let beta1, let beta2, _) = kind {
            correction1 = S(1 - pow(beta1, step))
            correction2 = S(1 - pow(beta2, step))
        }
        for k in 0..<network.layerCount {
            network.weights[k].elements.withUnsafeMutableBufferPointer { w in
                weightGradients[k].elements.withUnsafeBufferPointer { g in
                    apply(
                        to: w, gradient: g, layer: k, isBias: false, eta: eta, decay: decay, correction1: correction1,
                        correction2: correction2)
                }
            }
            network.biases[k].withUnsafeMutableBufferPointer { b in
                biasGradients[k].withUnsafeBufferPointer { g in
                    apply(
                        to: b, gradient: g, layer: k, isBias: true, eta: eta, decay: 0, correction1: correction1, correction2: correction2)
                }
            }
        }
    }

    private mutating func apply(
        to w: UnsafeMutableBufferPointer<S>, gradient g: UnsafeBufferPointer<S>, layer k: Int, isBias: Bool,
        eta: S, decay: S, correction1: S, correction2: S
    ) {
        // The slots are taken out of self while they are written (and put
        // back after): no copy, and no overlapping access to self.
        var first = takeSlot(0, layer: k, isBias: isBias)
        var second = takeSlot(1, layer: k, isBias: isBias)
        defer {
            putSlot(&first, 0, layer: k, isBias: isBias)
            putSlot(&second, 1, layer: k, isBias: isBias)
        }
        switch kind {
        case .sgd:
            if decay == 0 {
                // W ← W − η·g (a buffer with elements has an address)
                if let w0 = w.baseAddress, let g0 = g.baseAddress { Kernels.subtractScaled(w0, g0, scale: eta, count: w.count) }
            } else {
                for i in 0..<w.count { w[i] -= eta * (g[i] + decay * w[i]) }  // g = ∂E/∂W + λ·W
            }
        case .momentum(let momentum, let nesterov):
            let mu = S(momentum)
            first.withUnsafeMutableBufferPointer { v in
                for i in 0..<w.count {
                    let gradient = g[i] + decay * w[i]
                    v[i] = mu * v[i] + gradient  // v ← μ·v + g
                    w[i] -= eta * (nesterov ? gradient + mu * v[i] : v[i])  // W ← W − η·v  (Nesterov: η·(g + μ·v))
                }
            }
        case .adam(let beta1, let beta2, let epsilon):
            // Every constant is formed in float64 and rounded once, like the
            // bias corrections above (and as PyTorch rounds the Python floats
            // it gives a float32 step). 1 − β₂ taken in float32 instead,
            // 1 − Float(0.999) = 0.00099998713, is 1.3e-5 below the 0.001 of
            // 1 − β₂¹, so that early steps came out 6.4e-6 too large.
            let b1 = S(beta1), b2 = S(beta2), e = S(epsilon)
            let oneMinusB1 = S(1 - beta1), oneMinusB2 = S(1 - beta2)
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    for i in 0..<w.count {
                        let gradient = g[i] + decay * w[i]
                        m[i] = b1 * m[i] + oneMinusB1 * gradient  // m ← β₁·m + (1−β₁)·g
                        v[i] = b2 * v[i] + oneMinusB2 * gradient * gradient  // v ← β₂·v + (1−β₂)·g²
                        let mHat = m[i] / correction1, vHat = v[i] / correction2
                        w[i] -= eta * mHat / (vHat.squareRoot() + e)  // W ← W − η·m̂/(√v̂ + ε)
                    }
                }
            }
        }
    }

    /// The elements of slot `slot` for layer k's weights or biases, moved out
    /// (an empty array when the optimizer has no such slot).
    private mutating func takeSlot(_ slot: Int, layer k: Int, isBias: Bool) -> [S] {
        guard slot < kind.slots else { return [] }
        var elements: [S] = []
        if isBias { swap(&elements, &biasSlots[slot][k]) } else { swap(&elements, &weightSlots[slot][k].elements) }
        return elements
    }

    private mutating func putSlot(_ elements: inout [S], _ slot: Int, layer k: Int, isBias: Bool) {
        guard slot < kind.slots else { return }
        if isBias { swap(&elements, &biasSlots[slot][k]) } else { swap(&elements, &weightSlots[slot][k].elements) }
    }
}

private func pow(_ base: Double, _ exponent: Int) -> Double {
    // Exponentiation by squaring: exact step counts, no libm dependence.
    var result = 1.0, factor = base, n = exponent
    while n > 0 {
        if n & 1 == 1 { result *= factor }
        factor *= factor
        n >>= 1
    }
    return result
}

// MARK: - Saved state

/// An optimizer's state as the weights file holds it (`metadata.optimizer`):
/// the step count and each slot's values as literal numbers, so that it is
/// independent of the precision until a run resumes from it.
public struct OptimizerState: Equatable, Sendable {
    public var name: String
    public var step: Int
    /// Per slot (velocity; or Adam's m then v): weights and biases by layer.
    public var weightSlots: [[LiteralMatrix]]
    public var biasSlots: [[[String]]]

    public init(name: String, step: Int, weightSlots: [[LiteralMatrix]], biasSlots: [[[String]]]) {
        self.name = name
        self.step = step
        self.weightSlots = weightSlots
        self.biasSlots = biasSlots
    }
}

extension Optimizer {
    /// The state to save, or nil for plain sgd (which has none).
    public var savedState: OptimizerState? {
        guard kind.slots > 0 else { return nil }
        return OptimizerState(
            name: kind.name, step: step,
            weightSlots: weightSlots.map { layers in layers.map { $0.rowArrays.map { $0.map(JSONWriter.number) } } },
            biasSlots: biasSlots.map { layers in layers.map { $0.map(JSONWriter.number) } })
    }

    /// An optimizer continuing from `state` when it was saved by the same
    /// kind of optimizer (its slot shapes were checked when the file was
    /// read); a fresh one otherwise, as when a run switches optimizers.
    public init(kind: OptimizerKind, l2: Double, network: Network<S>, resuming state: OptimizerState?) {
        guard let state, state.name == kind.name, state.weightSlots.count == kind.slots,
            state.weightSlots.allSatisfy({ $0.count == network.layerCount })
        else {
            self.init(kind: kind, l2: l2, network: network)
            return
        }
        let weightSlots = state.weightSlots.map { layers in
            layers.map { rows in
                Matrix<S>(rows: rows.count, columns: rows.first?.count ?? 0, elements: rows.flatMap { $0.map { S($0) ?? 0 } })
            }
        }
        let biasSlots = state.biasSlots.map { layers in layers.map { $0.map { S($0) ?? 0 } } }
        self.init(kind: kind, l2: l2, step: state.step, weightSlots: weightSlots, biasSlots: biasSlots)
    }
}
