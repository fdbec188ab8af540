import Glibc

/// Backpropagation's gradients against central differences of the same loss,
/// `(E(w + h) - E(w - h)) / 2h`, layer by layer, in float64: the check the
/// seeds make between numerical differentiation and backprop, and the proof
/// that a network's gradients are right.
public struct GradientCheck: Sendable {
    /// The comparison for one layer's weights, or its biases.
    public struct Row: Sendable, Equatable {
        /// `W[k]` or `b[k]`.
        public var name: String
        public var total: Int
        public var checked: Int
        public var maxAbsoluteError: Double
        public var maxRelativeError: Double
        /// The parameter with the largest relative error (`W[1][2][0]`);
        /// empty when no parameter of the row could be compared.
        public var worst: String
        /// Checked parameters whose backprop or numerical gradient is NaN or
        /// infinite, so that there is nothing to compare (not in the errors).
        public var notCompared = 0
        /// The first of them.
        public var firstNotCompared: Entry?
    }

    /// One parameter's two gradients.
    public struct Entry: Sendable, Equatable {
        /// `W[1][2][0]` or `b[1][0]`.
        public var name: String
        public var backprop: Double
        public var numerical: Double
    }

    public var rows: [Row]
    /// The mean loss at the network's own weights, which every difference
    /// is taken around: when it is NaN or infinite nothing can be compared.
    public var loss: Double
    public var totalParameters: Int
    public var checkedParameters: Int
    /// Seconds for one backprop pass (forward and backward) over the samples.
    public var backpropSeconds: Double
    /// Seconds spent on the numerical gradients of the checked parameters.
    public var numericalSeconds: Double

    /// Seconds one numerical gradient of every parameter takes (measured, or
    /// extrapolated from the checked ones).
    public var fullNumericalSeconds: Double {
        checkedParameters == 0 ? 0 : numericalSeconds / Double(checkedParameters) * Double(totalParameters)
    }

    public var worstRow: Row? { rows.max { $0.maxRelativeError < $1.maxRelativeError } }

    /// Checked parameters with a gradient that is not finite, over all rows.
    public var notCompared: Int { rows.reduce(0) { $0 + $1.notCompared } }

    /// The first parameter with a gradient that is not finite.
    public var firstNotCompared: Entry? { rows.lazy.compactMap(\.firstNotCompared).first }

    /// The relative error of two derivatives: |a − n| / max(|a|, |n|, floor).
    /// Below the floor the numerical derivative is mostly rounding noise
    /// (ε_machine·E/h ≈ 1e-11·E for h = 1e-5), so the error is measured
    /// against the floor instead.
    public static let relativeFloor = 1e-4

    public static func relativeError(_ analytic: Double, _ numerical: Double) -> Double {
        abs(analytic - numerical) / max(abs(analytic), abs(numerical), relativeFloor)
    }

    /// Gradients of the mean loss: ∂E/∂W[k] and ∂E/∂b[k] for every layer.
    public typealias GradientFunction =
        @Sendable (Network<Double>, Matrix<Double>, Matrix<Double>, Loss) -> (weights: [Matrix<Double>], biases: [[Double]])

    /// Backpropagation's gradients of the mean loss of a batch, by the
    /// textbook step (Model/Backprop.swift; in float64 the same bits as run's).
    public static let backpropagation: GradientFunction = { network, inputs, targets, loss in
        let gradients = network.backward(network.forward(inputs), targets: targets, loss: loss)
        return (gradients.weights, gradients.biases)
    }

    /// Checks every parameter of `network` on the batch, or a seeded sample
    /// of at most `maximumPerLayer` weights (and as many biases) per layer.
    /// - Parameters:
    ///   - epsilon: the step h.
    ///   - gradients: the analytic gradients to check (backpropagation unless a
    ///     test injects a wrong one).
    public static func run(
        network: Network<Double>, inputs: Matrix<Double>, targets: Matrix<Double>, loss: Loss,
        epsilon: Double, maximumPerLayer: Int = 500, seed: UInt64 = 0,
        gradients: GradientFunction = backpropagation
    ) -> GradientCheck {
        let clock = ContinuousClock()
        // Backprop's time: repeated until 10 ms have passed, for a stable mean.
        var repeats = 0
        var analytic = gradients(network, inputs, targets, loss)
        let backpropStart = clock.now
        repeat {
            analytic = gradients(network, inputs, targets, loss)
            repeats += 1
        } while clock.now - backpropStart < .milliseconds(10) && repeats < 1000
        let backpropSeconds = (clock.now - backpropStart).seconds / Double(repeats)

        var evaluator = LossEvaluator(network: network, inputs: inputs, targets: targets, loss: loss)
        let centreLoss = evaluator.meanLoss()
        var generator = RandomGenerator(seed: seed)
        var rows: [Row] = []
        var checkedParameters = 0
        let numericalStart = clock.now
        for k in 0..<network.layerCount {
            let columns = network.weights[k].columns
            let weightIndices = sample(network.weights[k].elements.count, at: maximumPerLayer, using: &generator)
            var row = Row(
                name: "W[\(k)]", total: network.weights[k].elements.count, checked: weightIndices.count, maxAbsoluteError: 0,
                maxRelativeError: 0, worst: "")
            for index in weightIndices {
                let numerical = evaluator.centralDifference(epsilon: epsilon) { $0.weights[k].elements[index] += $1 }
                row.record(analytic.weights[k].elements[index], numerical, name: "W[\(k)][\(index / columns)][\(index % columns)]")
            }
            rows.append(row)
            let biasIndices = sample(network.biases[k].count, at: maximumPerLayer, using: &generator)
            var biasRow = Row(
                name: "b[\(k)]", total: network.biases[k].count, checked: biasIndices.count, maxAbsoluteError: 0, maxRelativeError: 0,
                worst: "")
            for j in biasIndices {
                let numerical = evaluator.centralDifference(epsilon: epsilon) { $0.biases[k][j] += $1 }
                biasRow.record(analytic.biases[k][j], numerical, name: "b[\(k)][\(j)]")
            }
            rows.append(biasRow)
            checkedParameters += weightIndices.count + biasIndices.count
        }
        return GradientCheck(
            rows: rows, loss: centreLoss, totalParameters: network.parameterCount, checkedParameters: checkedParameters,
            backpropSeconds: backpropSeconds, numericalSeconds: (clock.now - numericalStart).seconds)
    }

    /// All of `0..<count`, or `limit` of them drawn without replacement, sorted.
    static func sample(_ count: Int, at limit: Int, using generator: inout RandomGenerator) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        var indices = Array(0..<count)
        for i in 0..<limit {  // a partial Fisher–Yates shuffle
            indices.swapAt(i, i + generator.nextInt(below: count - i))
        }
        return indices[0..<limit].sorted()
    }
}

extension GradientCheck.Row {
    mutating func record(_ analytic: Double, _ numerical: Double, name: String) {
        // NaN would slip through the comparisons below (NaN > x is false)
        // and leave an error of 0: such a parameter is counted instead.
        guard analytic.isFinite && numerical.isFinite else {
            notCompared += 1
            if firstNotCompared == nil {
                firstNotCompared = GradientCheck.Entry(name: name, backprop: analytic, numerical: numerical)
            }
            return
        }
        let absolute = abs(analytic - numerical)
        let relative = GradientCheck.relativeError(analytic, numerical)
        maxAbsoluteError = max(maxAbsoluteError, absolute)
        if relative > maxRelativeError || worst.isEmpty {
            maxRelativeError = max(maxRelativeError, relative)
            worst = name
        }
    }
}

/// The mean loss of a network on a fixed batch, re-evaluated after nudging
/// one parameter: the textbook forward pass, each sample's loss summed in
/// float64 in batch order, divided by the batch size.
struct LossEvaluator {
    var network: Network<Double>
    let inputs: Matrix<Double>
    let targets: Matrix<Double>
    let loss: Loss

    init(network: Network<Double>, inputs: Matrix<Double>, targets: Matrix<Double>, loss: Loss) {
        self.network = network
        self.inputs = inputs
        self.targets = targets
        self.loss = loss
    }

    mutating func meanLoss() -> Double {
        let trace = network.forward(inputs), last = network.layerCount - 1
        let losses = loss.sampleLosses(
            output: trace.output, weightedInput: trace.z[last], targets: targets, activation: network.activations[last])
        return losses.reduce(0, +) / Double(inputs.rows)
    }

    /// (E(w + h) - E(w - h)) / 2h for the parameter `nudge` moves.
    mutating func centralDifference(epsilon h: Double, nudge: (inout Network<Double>, Double) -> Void) -> Double {
        let original = network
        nudge(&network, h)
        let plus = meanLoss()
        network = original
        nudge(&network, -h)
        let minus = meanLoss()
        network = original
        return (plus - minus) / (2 * h)
    }
}
