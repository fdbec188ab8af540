/// How weights are drawn when a config gives none. Biases start at zero.
/// Each layer draws its weights row by row, layer after layer, from the one
/// seeded generator, so a seed fixes every initial weight.
public enum Initialization: String, CaseIterable, Sendable {
    /// Glorot & Bengio (2010): U(-√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))).
    /// Keeps the variance of activations and gradients alike across layers for
    /// sigmoid, tanh, linear and softmax layers.
    case xavier
    /// He et al. (2015): U(-√(6/fan_in), +√(6/fan_in)), for ReLU layers, whose
    /// half-zero outputs would otherwise shrink the signal layer by layer.
    case he

    public static var names: [String] { allCases.map(\.rawValue) }

    /// The scheme suited to a layer's activation.
    public static func suited(to activation: Activation) -> Initialization {
        activation == .relu ? .he : .xavier
    }

    /// The half-width of the uniform interval for a layer with these fans.
    public func limit(fanIn: Int, fanOut: Int) -> Double {
        switch self {
        case .xavier: return (6.0 / Double(fanIn + fanOut)).squareRoot()
        case .he: return (6.0 / Double(fanIn)).squareRoot()
        }
    }

    /// A `fanIn × fanOut` weight matrix drawn from `generator`, row-major.
    public func weights<S: Scalar>(fanIn: Int, fanOut: Int, using generator: inout RandomGenerator) -> Matrix<S> {
        let limit = self.limit(fanIn: fanIn, fanOut: fanOut)
        var matrix = Matrix<S>(rows: fanIn, columns: fanOut)
        for i in 0..<matrix.elements.count {
            matrix.elements[i] = S((2 * generator.nextUnitDouble() - 1) * limit)
        }
        return matrix
    }
}
