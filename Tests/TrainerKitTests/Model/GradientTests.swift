import Foundation
import Testing
@testable import TrainerKit

/// Backpropagation's gradients against an independent method: central
/// differences of the same loss, (E(w + h) - E(w - h)) / 2h. Its error is
/// about h²·|E‴|/6 from truncation plus ε·|E|/h from rounding; for the
/// smallest gradients here (about 2e-5, with E about 0.3) h = 1e-4 keeps both
/// near 1e-8 relative, under the 1e-7 tolerance (h = 1e-6 would not: its
/// rounding term alone is about 1.5e-6 relative).
@Suite struct GradientTests {
    /// The mean per-sample loss of `network` on a batch.
    static func meanLoss(_ network: Network<Double>, inputs: Matrix<Double>, targets: Matrix<Double>, loss: Loss) -> Double {
        var pass = Backpropagation(network: network, batchCapacity: inputs.rows)
        pass.setInputs(inputs)
        pass.setTargets(targets)
        pass.forward(network)
        return pass.computeLosses(loss, activation: network.activations.last!) / Double(inputs.rows)
    }

    /// Every weight and bias of `network`: backprop against central differences.
    static func checkGradients(
        _ network: Network<Double>, inputs: Matrix<Double>, targets: Matrix<Double>, loss: Loss,
        tolerance: Double = 1e-7, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int {
        var pass = Backpropagation(network: network, batchCapacity: inputs.rows)
        pass.setInputs(inputs)
        pass.setTargets(targets)
        pass.forward(network)
        pass.backward(network, loss: loss)
        let h = 1e-4
        var checked = 0
        func compare(_ analytic: Double, _ perturb: (inout Network<Double>, Double) -> Void, _ name: String) {
            var plus = network, minus = network
            perturb(&plus, h)
            perturb(&minus, -h)
            let numeric =
                (meanLoss(plus, inputs: inputs, targets: targets, loss: loss)
                    - meanLoss(minus, inputs: inputs, targets: targets, loss: loss)) / (2 * h)
            let error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-8)
            #expect(error < tolerance, "\(name): backprop \(analytic), central difference \(numeric)", sourceLocation: sourceLocation)
            checked += 1
        }
        for k in 0..<network.layerCount {
            for i in 0..<network.weights[k].rows {
                for j in 0..<network.weights[k].columns {
                    compare(pass.weightGradients[k][i, j], { $0.weights[k][i, j] += $1 }, "∂E/∂W[\(k)][\(i)][\(j)]")
                }
            }
            for j in 0..<network.biases[k].count {
                compare(pass.biasGradients[k][j], { $0.biases[k][j] += $1 }, "∂E/∂b[\(k)][\(j)]")
            }
        }
        return checked
    }

    /// The seeds' 3-5-4-2 network (configs/worked-3-5-4-2.json): all 54
    /// weights and biases.
    @Test func workedThreeFiveFourTwoNetwork() throws {
        let config = try Config.load(path: repositoryDirectory + "/configs/worked-3-5-4-2.json")
        var generator = RandomGenerator(seed: 0)
        let network: Network<Double> = try config.resolveNetwork().build(using: &generator)
        let checked = Self.checkGradients(
            network, inputs: Matrix([[0.1, 0.2, 0.7]]), targets: Matrix([[1.0, 0.0]]), loss: .sse)
        #expect(checked == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2)
    }

    /// A batch of several samples: the gradient of the mean loss.
    @Test(arguments: [Loss.sse, .mse])
    func batchOfSamples(loss: Loss) throws {
        let config = try Config.load(path: repositoryDirectory + "/configs/worked-3-5-4-2.json")
        var generator = RandomGenerator(seed: 0)
        let network: Network<Double> = try config.resolveNetwork().build(using: &generator)
        let inputs = Matrix([[0.1, 0.2, 0.7], [0.9, -0.4, 0.3], [-0.5, 0.5, 0.0]])
        let targets = Matrix([[1.0, 0.0], [0.0, 1.0], [0.3, 0.6]])
        _ = Self.checkGradients(network, inputs: inputs, targets: targets, loss: loss)
    }

    /// docs/contract.md ("Notation"): a mini-batch update uses the mean of the per-sample gradients.
    /// The batch of 4 and four single-sample passes add the same products in
    /// the same order, so they agree to the last bit.
    @Test func miniBatchGradientIsTheMeanOfPerSampleGradients() {
        var generator = RandomGenerator(seed: 11)
        let network = Network<Double>(layerSizes: [2, 3, 2], activations: [.sigmoid, .sigmoid], initialization: nil, using: &generator)
        let inputs: [[Double]] = [[0, 1], [1, 0], [0.5, 0.25], [-1, 2]]
        let targets: [[Double]] = [[1, 0], [0, 1], [0.5, 0.5], [0.2, 0.9]]

        var batch = Backpropagation(network: network, batchCapacity: 4)
        batch.setInputs(Matrix(inputs))
        batch.setTargets(Matrix(targets))
        batch.forward(network)
        batch.backward(network, loss: .sse)

        var sums = network.weights.map { Matrix<Double>(rows: $0.rows, columns: $0.columns) }
        var biasSums = network.biases.map { [Double](repeating: 0, count: $0.count) }
        for (x, t) in zip(inputs, targets) {
            var single = Backpropagation(network: network, batchCapacity: 1)
            single.setInputs(Matrix([x]))
            single.setTargets(Matrix([t]))
            single.forward(network)
            single.backward(network, loss: .sse)
            for k in 0..<network.layerCount {
                for i in 0..<sums[k].elements.count { sums[k].elements[i] += single.weightGradients[k].elements[i] }
                for j in 0..<biasSums[k].count { biasSums[k][j] += single.biasGradients[k][j] }
            }
        }
        for k in 0..<network.layerCount {
            #expect(batch.weightGradients[k].elements == sums[k].elements.map { $0 / 4 })
            #expect(batch.biasGradients[k] == biasSums[k].map { $0 / 4 })
        }
    }
}

/// Each activation's derivative against a central difference of its value,
/// over a range of inputs that includes large |z| (where a naive sigmoid
/// overflows) — h = 1e-6, tolerance 1e-6 relative with an absolute floor of
/// 1e-9 for the saturated tails.
@Suite struct ActivationTests {
    static let inputs: [Double] = [-1000, -40, -20, -5, -1, -0.3, 0.2, 0.9, 3, 12, 30, 1000]

    @Test(arguments: [Activation.sigmoid, .tanh, .relu, .linear])
    func derivativeMatchesCentralDifference(_ activation: Activation) {
        let h = 1e-6
        for z in Self.inputs {
            let a: Double = activation.value(z)
            #expect(a.isFinite, "\(activation)(\(z)) = \(a)")
            let numeric = (activation.value(z + h) - activation.value(z - h)) / (2 * h)
            let analytic = activation.derivative(z: z, a: a)
            #expect(abs(analytic - numeric) <= max(1e-9, 1e-6 * abs(numeric)), "\(activation)'(\(z)): \(analytic) vs \(numeric)")
        }
    }

    @Test func sigmoidSaturatesWithoutOverflow() {
        #expect(Activation.sigmoid.value(1000.0) == 1)
        #expect(Activation.sigmoid.value(-1000.0) == 0)
        #expect(Activation.sigmoid.value(Float(-1000)) == 0)
        #expect(Activation.sigmoid.value(0.0) == 0.5)
    }

    /// Softmax's backward step is the product with its Jacobian; check it
    /// against central differences of g·softmax(z) for a random g.
    @Test func softmaxBackwardIsTheJacobianProduct() {
        let z: [Double] = [0.5, -1.25, 2.0, 0.1]
        let g: [Double] = [0.3, -0.7, 0.2, 1.1]
        func objective(_ z: [Double]) -> Double {
            var a = Matrix<Double>(rows: 1, columns: z.count)
            Activation.softmax.forward(Matrix([z]), into: &a)
            return zip(a.elements, g).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var a = Matrix<Double>(rows: 1, columns: z.count)
        Activation.softmax.forward(Matrix([z]), into: &a)
        var delta = Matrix([g])
        Activation.softmax.backward(&delta, activation: a, weightedInput: Matrix([z]))
        let h = 1e-6
        for j in z.indices {
            var plus = z, minus = z
            plus[j] += h
            minus[j] -= h
            let numeric = (objective(plus) - objective(minus)) / (2 * h)
            #expect(abs(delta.elements[j] - numeric) < 1e-8, "δ[\(j)] \(delta.elements[j]) vs \(numeric)")
        }
    }

    @Test func softmaxOfLargeValuesIsFinite() {
        var a = Matrix<Double>(rows: 1, columns: 2)
        Activation.softmax.forward(Matrix([[1000, 0]]), into: &a)
        #expect(a.elements == [1, 0])
    }
}
