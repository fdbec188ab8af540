import Foundation
import Testing
@testable import TrainerKit

/// The float32 fast path: `ScaledDeltaStep.backwardUpdating` folds W −= η·(a[k]ᵀ·δ[k] / m)
/// into one kernel call, W += a[k]ᵀ·((−η/m)·δ[k]). Against the long way
/// (backward, then the sgd update), and against a float64 computation of the
/// same step, for a three-layer net and a batch of 7.
@Suite struct FusedUpdateTests {
    @Test(arguments: [Loss.sse, .crossEntropy])
    func fusedStepEqualsTheLongWay(loss: Loss) throws {
        var random = RandomGenerator(seed: 11)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
        let sizes = [5, 9, 4, 3]
        let activations: [Activation] = [.tanh, .sigmoid, loss == .crossEntropy ? .softmax : .sigmoid]
        let network = Network<Float>(
            layerSizes: sizes, activations: activations,
            weights: (0..<3).map { Matrix(rows: sizes[$0], columns: sizes[$0 + 1], elements: values(sizes[$0] * sizes[$0 + 1])) },
            biases: (0..<3).map { values(sizes[$0 + 1]) })
        let m = 7
        let inputs = Matrix<Float>(rows: m, columns: 5, elements: values(m * 5))
        var targets = Matrix<Float>(rows: m, columns: 3)
        for row in 0..<m { targets[row, row % 3] = 1 }
        let eta: Float = 0.7

        var long = network, fused = network
        var pass = Backpropagation(network: network, batchCapacity: m)
        pass.setInputs(inputs)
        pass.setTargets(targets)
        pass.forward(network)
        pass.backward(network, loss: loss)
        var optimizer = Optimizer(kind: .sgd, network: network)
        optimizer.update(&long, from: pass, learningRate: Double(eta))

        var fusedStep = ScaledDeltaStep(network: network, batchCapacity: m, splittingFirstLayer: false, pool: nil)
        fusedStep.pass.setInputs(inputs)
        fusedStep.pass.setTargets(targets)
        fusedStep.pass.forward(network)
        fusedStep.backwardUpdating(&fused, loss: loss, learningRate: eta)

        // The same step in float64 from the float32 gradients' definition:
        // W − η·(Σ a·δ)/m, with a and δ from the (unfused) float32 trace.
        for k in 0..<3 {
            #expect(fused.biases[k] == long.biases[k], "b[\(k)]: the biases take the same path")
            let rows = sizes[k], columns = sizes[k + 1]
            for i in 0..<rows {
                for j in 0..<columns {
                    var sum = 0.0, magnitude = 0.0
                    for row in 0..<m {
                        let product = Double(pass.activations[k][row, i]) * Double(pass.deltas[k][row, j])
                        sum += product
                        magnitude += abs(product)
                    }
                    let exact = Double(network.weights[k][i, j]) - Double(eta) * sum / Double(m)
                    // Float32 rounding of a sum of m + 1 terms, each step at most ½ ulp.
                    let bound =
                        Double(Float.ulpOfOne) * Double(m + 2)
                        * (abs(Double(network.weights[k][i, j])) + Double(eta) * magnitude / Double(m))
                    #expect(abs(Double(fused.weights[k][i, j]) - exact) <= bound, "fused W[\(k)][\(i)][\(j)]")
                    #expect(abs(Double(long.weights[k][i, j]) - exact) <= bound, "long-way W[\(k)][\(i)][\(j)]")
                }
            }
        }
    }
}
