import Testing
@testable import TrainerKit

/// The float64 step for small networks (Engine/SmallNetworkStep.swift)
/// against the textbook step of Model/Backprop.swift: the same weights,
/// biases and losses bit for bit over several steps, and the same trace (z,
/// a, δ, ∂E/∂b) after one, for every activation and loss it can meet.
@Suite struct SmallNetworkStepTests {
    typealias Shape = PlainStepTests.Shape

    /// Small enough to take the step at every batch size below (2-3-1 is
    /// XOR's network); each activation, including softmax, and each loss.
    static let shapes = [
        Shape(sizes: [2, 3, 1], activations: [.sigmoid, .sigmoid], loss: .sse),
        Shape(sizes: [3, 5, 4, 2], activations: [.tanh, .relu, .softmax], loss: .crossEntropy),
        Shape(sizes: [4, 6, 3], activations: [.relu, .sigmoid], loss: .crossEntropy),
        Shape(sizes: [2, 4, 2], activations: [.sigmoid, .linear], loss: .mse),
    ]

    @Test(arguments: [1, 2, 5])
    func stepsAreTheTextbookSteps(batch m: Int) {
        for (index, shape) in Self.shapes.enumerated() {
            let network: Network<Double> = PlainStepTests.randomNetwork(shape.sizes, shape.activations, seed: UInt64(40 + index))
            #expect(SmallNetworkStep.applies(to: network, batchCapacity: m), "\(shape.description) is small")
            let oneHot = shape.loss == .crossEntropy
            let (x, t) = PlainStepTests.randomBatch(
                samples: 4 * m, inputs: shape.sizes[0], outputs: shape.sizes.last!, oneHot: oneHot, seed: UInt64(50 + index),
                as: Double.self)
            let what = "\(shape.description), batch \(m)"
            let rule: (optimizer: OptimizerKind, l2: Double) = (.sgd, 0)
            let plain = PlainStepTests.plainSteps(network, x, t, batch: m, steps: 4, loss: shape.loss, rule: rule, learningRate: 0.7)
            let fast = PlainStepTests.fastSteps(
                network, x, t, batch: m, steps: 4, loss: shape.loss, rule: rule, learningRate: 0.7, threads: 1)
            let differences = PlainStepTests.differences(fast.network, plain.network)
            #expect(differences.count == 0, "\(what): \(differences.count) parameters differ, first \(differences.first)")
            #expect(fast.lossSums.map(\.bitPattern) == plain.lossSums.map(\.bitPattern), "\(what): the losses")

            // The trace of one step from the same start.
            let one = PlainStepTests.fastSteps(
                network, x, t, batch: m, steps: 1, loss: shape.loss, rule: rule, learningRate: 0.7, threads: 1)
            let xb = Matrix(rows: m, columns: x.columns, elements: Array(x.elements[0..<m * x.columns]))
            let tb = Matrix(rows: m, columns: t.columns, elements: Array(t.elements[0..<m * t.columns]))
            let trace = network.forward(xb)
            let g = network.backward(trace, targets: tb, loss: shape.loss)
            #expect(one.trace.activations == trace.a, "\(what): a")
            #expect(one.trace.weightedInputs == trace.z, "\(what): z")
            #expect(one.trace.deltas == g.delta, "\(what): δ")
            #expect(one.trace.biasGradients == g.biases, "\(what): ∂E/∂b")
            #expect(one.trace.targets == tb, "\(what): t")
        }
    }

    /// Where the step is chosen: up to 1,024 parameters × samples a step.
    @Test func choice() {
        let xor: Network<Double> = PlainStepTests.randomNetwork([2, 3, 1], [.sigmoid, .sigmoid], seed: 1)
        #expect(SmallNetworkStep.applies(to: xor, batchCapacity: 1))
        #expect(SmallNetworkStep.applies(to: xor, batchCapacity: 78))  // 13 × 78 = 1,014
        #expect(!SmallNetworkStep.applies(to: xor, batchCapacity: 79))  // 1,027
        let mnist: Network<Double> = PlainStepTests.randomNetwork([784, 30, 10], [.sigmoid, .sigmoid], seed: 1)
        #expect(!SmallNetworkStep.applies(to: mnist, batchCapacity: 1))
    }

    /// The engine hands the network back with the trained parameters, and
    /// takes a new one (early stopping's restore) for the next steps.
    @Test func engineReadsAndReplacesTheNetwork() {
        let start: Network<Double> = PlainStepTests.randomNetwork([2, 3, 1], [.sigmoid, .sigmoid], seed: 3)
        let (x, t) = PlainStepTests.randomBatch(samples: 2, inputs: 2, outputs: 1, oneHot: false, seed: 4, as: Double.self)
        let data = Dataset(name: "data.train", inputs: x, targets: t)
        let schedule = TrainingSchedule(loss: .sse, learningRate: 0.5, epochs: 1, batchSize: 1, shuffle: false)
        var engine = TrainingEngine(network: start, schedule: schedule, batchCapacity: 1)
        _ = engine.step(data, samples: [0], learningRate: 0.5)
        var plain = start
        let x0 = Matrix(rows: 1, columns: 2, elements: Array(x.elements[0..<2]))
        let t0 = Matrix(rows: 1, columns: 1, elements: [t.elements[0]])
        plain.descend(along: plain.backward(plain.forward(x0), targets: t0, loss: .sse), learningRate: 0.5)
        #expect(engine.network == plain)
        engine.network = start
        _ = engine.step(data, samples: [0], learningRate: 0.5)
        #expect(engine.network == plain, "a step from the network put back")
        #expect(engine.firstNonFiniteParameter() == nil)
    }
}
