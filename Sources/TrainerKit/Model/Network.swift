/// A fully connected feed-forward network in the row-vector convention of
/// docs/contract.md, "Notation": layer sizes `n₀ … n_L`, and for each layer k after the input a
/// weight matrix `W[k]` (`n_k × n_{k+1}`; `W[k][i][j]` joins neuron i of layer k
/// to neuron j of layer k+1), a bias row `b[k]` (`n_{k+1}` long) and an
/// activation f, so that `z[k] = a[k]·W[k] + b[k]` and `a[k+1] = f(z[k])`,
/// with `a[0]` the input.
public struct Network<S: Scalar>: Equatable, Sendable {
    public var layerSizes: [Int]
    public var activations: [Activation]
    public var weights: [Matrix<S>]
    public var biases: [[S]]

    /// A network with the given parameters; shapes must agree with `layerSizes`.
    public init(layerSizes: [Int], activations: [Activation], weights: [Matrix<S>], biases: [[S]]) {
        precondition(layerSizes.count >= 2 && activations.count == layerSizes.count - 1)
        precondition(weights.count == activations.count && biases.count == activations.count)
        for k in 0..<weights.count {
            precondition(weights[k].rows == layerSizes[k] && weights[k].columns == layerSizes[k + 1])
            precondition(biases[k].count == layerSizes[k + 1])
        }
        self.layerSizes = layerSizes
        self.activations = activations
        self.weights = weights
        self.biases = biases
    }

    /// A network with weights drawn by `initialization` (or the scheme suited
    /// to each layer's activation) and zero biases.
    public init(
        layerSizes: [Int], activations: [Activation], initialization: Initialization?,
        using generator: inout RandomGenerator
    ) {
        var weights: [Matrix<S>] = []
        for k in 0..<layerSizes.count - 1 {
            let scheme = initialization ?? .suited(to: activations[k])
            weights.append(scheme.weights(fanIn: layerSizes[k], fanOut: layerSizes[k + 1], using: &generator))
        }
        let biases = layerSizes.dropFirst().map { [S](repeating: 0, count: $0) }
        self.init(layerSizes: layerSizes, activations: activations, weights: weights, biases: biases)
    }

    /// The number of layers with weights (one less than `layerSizes.count`).
    public var layerCount: Int { weights.count }

    public var inputSize: Int { layerSizes[0] }
    public var outputSize: Int { layerSizes[layerSizes.count - 1] }

    /// Weights and biases together.
    public var parameterCount: Int {
        (0..<layerCount).reduce(0) { $0 + layerSizes[$1] * layerSizes[$1 + 1] + layerSizes[$1 + 1] }
    }

    /// The outputs for a batch of inputs (one sample per row), by the
    /// textbook forward pass (Backprop.swift).
    public func predict(_ inputs: Matrix<S>) -> Matrix<S> {
        forward(inputs).output
    }
}

extension Network {
    /// The same network in another precision (rounding to nearest).
    public init<Other: Scalar>(converting other: Network<Other>) {
        self.init(
            layerSizes: other.layerSizes, activations: other.activations,
            weights: other.weights.map { Matrix<S>(converting: $0) },
            biases: other.biases.map { $0.map { S($0) } })
    }
}

extension Network {
    /// The first weight or bias that is NaN or infinite, named in the notation
    /// of docs/contract.md (`W[1][0][2] = inf`), or nil when all are finite.
    public func firstNonFiniteParameter() -> String? {
        for k in 0..<layerCount {
            if let index = weights[k].elements.firstIndex(where: { !$0.isFinite }) {
                let columns = weights[k].columns
                return "W[\(k)][\(index / columns)][\(index % columns)] = \(weights[k].elements[index])"
            }
            if let j = biases[k].firstIndex(where: { !$0.isFinite }) {
                return "b[\(k)][\(j)] = \(biases[k][j])"
            }
        }
        return nil
    }
}
