import Foundation
import Testing
@testable import TrainerKit

/// `trainer gradcheck` and the checker behind it.
@Suite struct GradientCheckTests {
    /// The combinations docs/configuration.md allows (`loss`, `activations`): any hidden activation, any output
    /// activation with sse and mse, and sigmoid or softmax outputs with
    /// cross-entropy.
    struct Combination: CustomTestStringConvertible, Sendable {
        var hidden: Activation
        var output: Activation
        var loss: Loss
        var testDescription: String { "\(hidden)-\(output) \(loss.rawValue)" }
    }

    static let combinations: [Combination] = {
        var all: [Combination] = []
        for hidden in [Activation.sigmoid, .tanh, .relu, .linear] {
            for output in Activation.allCases {
                for loss in Loss.allCases where loss.accepts(outputActivation: output) {
                    all.append(Combination(hidden: hidden, output: output, loss: loss))
                }
            }
        }
        return all
    }()

    /// A random 4-6-5-3 network (three weight layers) and a batch of five
    /// samples whose targets suit the loss: probabilities for cross-entropy
    /// (one-hot rows for softmax), anything for sse and mse.
    static func problem(_ combination: Combination, seed: UInt64) -> (Network<Double>, Matrix<Double>, Matrix<Double>) {
        var generator = RandomGenerator(seed: seed)
        var network = Network<Double>(
            layerSizes: [4, 6, 5, 3], activations: [combination.hidden, combination.hidden, combination.output],
            initialization: .xavier, using: &generator)
        for k in 0..<network.layerCount {
            for j in network.biases[k].indices { network.biases[k][j] = generator.nextUnitDouble() - 0.5 }
        }
        var inputs = Matrix<Double>(rows: 5, columns: 4)
        for i in inputs.elements.indices { inputs.elements[i] = 2 * generator.nextUnitDouble() - 1 }
        var targets = Matrix<Double>(rows: 5, columns: 3)
        for row in 0..<5 {
            if combination.output == .softmax && combination.loss == .crossEntropy {
                targets[row, generator.nextInt(below: 3)] = 1
            } else {
                for j in 0..<3 { targets[row, j] = generator.nextUnitDouble() }
            }
        }
        return (network, inputs, targets)
    }

    /// Every allowed combination passes at 1e-6 relative with h = 1e-5.
    @Test(arguments: combinations)
    func allowedCombinationPasses(_ combination: Combination) {
        let (network, inputs, targets) = Self.problem(combination, seed: 17)
        let check = GradientCheck.run(network: network, inputs: inputs, targets: targets, loss: combination.loss, epsilon: 1e-5)
        #expect(check.checkedParameters == network.parameterCount)
        let worst = check.worstRow!
        #expect(worst.maxRelativeError < 1e-6, "\(combination.testDescription): \(worst.maxRelativeError) at \(worst.worst)")
    }

    /// An independent backprop written here, one sample at a time with plain
    /// loops, for sigmoid layers and sse; `derivative` is σ' from a = σ(z).
    static func loopBackprop(derivative: @escaping @Sendable (Double) -> Double) -> GradientCheck.GradientFunction {
        return { network, inputs, targets, _ in
            var weightGradients = network.weights.map { Matrix<Double>(rows: $0.rows, columns: $0.columns) }
            var biasGradients = network.biases.map { [Double](repeating: 0, count: $0.count) }
            for s in 0..<inputs.rows {
                var a = [inputs.row(s)]
                for k in 0..<network.layerCount {
                    var next: [Double] = []
                    for j in 0..<network.layerSizes[k + 1] {
                        var z = network.biases[k][j]
                        for i in 0..<network.layerSizes[k] { z += a[k][i] * network.weights[k][i, j] }
                        next.append(1 / (1 + exp(-z)))
                    }
                    a.append(next)
                }
                let last = network.layerCount
                var delta = (0..<network.outputSize).map { j in (a[last][j] - targets[s, j]) * derivative(a[last][j]) }
                for k in stride(from: last - 1, through: 0, by: -1) {
                    for i in 0..<network.layerSizes[k] {
                        for j in 0..<network.layerSizes[k + 1] { weightGradients[k][i, j] += a[k][i] * delta[j] / Double(inputs.rows) }
                    }
                    for j in 0..<network.layerSizes[k + 1] { biasGradients[k][j] += delta[j] / Double(inputs.rows) }
                    if k > 0 {
                        delta = (0..<network.layerSizes[k]).map { i in
                            (0..<network.layerSizes[k + 1]).reduce(0) { $0 + delta[$1] * network.weights[k][i, $1] } * derivative(a[k][i])
                        }
                    }
                }
            }
            return (weightGradients, biasGradients)
        }
    }

    /// The checker can fail: the same independent backprop passes with the
    /// right σ'(z) = a(1 − a) and fails with wrong ones: a, a(1 − a)/2 and 1 − a².
    @Test func wrongDerivativeIsCaught() {
        let (network, inputs, targets) = Self.problem(Combination(hidden: .sigmoid, output: .sigmoid, loss: .sse), seed: 5)
        let right = GradientCheck.run(
            network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5,
            gradients: Self.loopBackprop { a in a * (1 - a) })
        #expect(right.worstRow!.maxRelativeError < 1e-6)
        for wrong: @Sendable (Double) -> Double in [{ a in a }, { a in a * (1 - a) / 2 }, { a in 1 - a * a }] {
            let check = GradientCheck.run(
                network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5,
                gradients: Self.loopBackprop(derivative: wrong))
            #expect(check.worstRow!.maxRelativeError > 1e-2)
        }
    }

    /// Softmax with cross-entropy: the output delta is a − t, and equals the
    /// long way round, the softmax Jacobian times ∂E/∂a = −t/a.
    @Test func softmaxCrossEntropyDeltaIsOutputMinusTarget() {
        let z = Matrix([[0.3, -1.2, 2.5, 0.0], [1.0, 1.0, -3.0, 0.5]])
        let t = Matrix([[0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.0, 0.5]])
        var a = Matrix<Double>(rows: 2, columns: 4)
        Activation.softmax.forward(z, into: &a)
        var delta = Matrix<Double>(rows: 2, columns: 4)
        Loss.crossEntropy.outputDelta(output: a, weightedInput: z, target: t, activation: .softmax, into: &delta)
        var longWay = Matrix(rows: 2, columns: 4, elements: zip(t.elements, a.elements).map { -$0 / $1 })
        Activation.softmax.backward(&longWay, activation: a, weightedInput: z)
        for i in 0..<8 {
            #expect(delta.elements[i] == a.elements[i] - t.elements[i])
            #expect(abs(delta.elements[i] - longWay.elements[i]) < 1e-15)
        }
    }

    /// Cross-entropy at outputs of exactly 0 and 1 stays finite: it is
    /// computed from z, never as log(0).
    @Test func crossEntropyAtSaturatedOutputsIsFinite() {
        let z = [1000.0, -1000.0]
        let t = [1.0, 0.0]
        let a = z.map { Activation.sigmoid.value($0) }
        #expect(a == [1, 0])
        let sigmoidLoss = Loss.crossEntropy.sampleLoss(output: a, weightedInput: z, target: t, count: 2, activation: .sigmoid)
        #expect(sigmoidLoss.isFinite && sigmoidLoss == 0)
        let wrong = Loss.crossEntropy.sampleLoss(output: a, weightedInput: z, target: [0.0, 1.0], count: 2, activation: .sigmoid)
        #expect(wrong.isFinite && wrong == 2000)
        let softmaxLoss = Loss.crossEntropy.sampleLoss(
            output: [1.0, 0.0], weightedInput: [1000.0, 0.0], target: [0.0, 1.0], count: 2, activation: .softmax)
        #expect(softmaxLoss == 1000)
    }

    /// gradcheck through the CLI: the table, exit 0 within tolerance, exit 1
    /// with one error line above it.
    @Test func commandLine() throws {
        let config = repositoryDirectory + "/configs/worked-3-5-4-2.json"
        let result = runCLI(["gradcheck", config])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "gradcheck: \(config): 1 sample, sse loss, epsilon 1.0e-05, tolerance 1.0e-06 (float64)")
        #expect(lines[2].hasPrefix("layer  parameters  checked  max abs error  max rel error  worst"))
        #expect(lines[3].hasPrefix("W[0]   15          15 "))
        #expect(result.stdout.contains("for all 54 parameters"))
        #expect(result.stdout.contains("result: ok: within the tolerance"))

        let strict = runCLI(["gradcheck", config, "--tolerance", "1e-20"])
        #expect(strict.code == 1)
        #expect(strict.stdout.contains("result: FAILED: above the tolerance"))
        #expect(strict.errorLines.count == 1)
        #expect(strict.stderr.hasPrefix("trainer: error: \(config): gradcheck: the largest relative error "))
        #expect(strict.stderr.hasSuffix(" exceeds the tolerance 1.0e-20\n"))
    }

    /// Issue 15, item 10: gradients that are not finite are counted, not
    /// compared (a NaN error used to be dropped by max(), leaving 0). With
    /// a backprop that returns NaN for every parameter, none of the 4-6-5-3
    /// network's 83 parameters (4·6+6 + 6·5+5 + 5·3+3) can be compared,
    /// though the loss is finite; the verdict says so.
    @Test func gradientsThatAreNotFiniteAreNotCompared() {
        let (network, inputs, targets) = Self.problem(Combination(hidden: .sigmoid, output: .sigmoid, loss: .sse), seed: 5)
        let nan: GradientCheck.GradientFunction = { network, _, _, _ in
            (
                network.weights.map {
                    Matrix(rows: $0.rows, columns: $0.columns, elements: Array(repeating: .nan, count: $0.elements.count))
                },
                network.biases.map { Array(repeating: .nan, count: $0.count) }
            )
        }
        let check = GradientCheck.run(network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5, gradients: nan)
        #expect(check.loss.isFinite)
        #expect(check.checkedParameters == 83 && check.notCompared == 83)
        #expect(check.rows.allSatisfy { $0.maxRelativeError == 0 && $0.worst.isEmpty })
        #expect(check.firstNotCompared?.name == "W[0][0][0]" && check.firstNotCompared?.backprop.isNaN == true)
        let failure = GradcheckCommand.failure(of: check, tolerance: 1e-6)
        #expect(
            failure?.result.hasPrefix(
                "all 83 checked gradients are not finite, so none could be compared (first W[0][0][0]: backprop nan, numerical ") == true)
        let report = GradcheckCommand.report(check, file: "x.json", samples: 5, loss: .sse, epsilon: 1e-5, tolerance: 1e-6)
        #expect(!report.contains("result: ok"))
        #expect(report.contains("result: FAILED: all 83 checked gradients are not finite"))
        // The same network with backprop's own gradients passes.
        let right = GradientCheck.run(network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5)
        #expect(right.notCompared == 0 && GradcheckCommand.failure(of: right, tolerance: 1e-6) == nil)
    }

    @Test(arguments: [
        (["--epsilon", "0"], "trainer: error: --epsilon: expected a positive number, found 0\n"),
        (["--epsilon", "-1e-5"], "trainer: error: --epsilon: expected a positive number, found -1e-5\n"),
        (["--epsilon", "nan"], "trainer: error: --epsilon: expected a positive number, found nan\n"),
        (["--tolerance", "-1"], "trainer: error: --tolerance: expected a positive number, found -1\n"),
        (["--samples", "2"], "trainer: error: --samples: 2 is more than the 1 sample of data.train\n"),
        (["--samples", "0"], "trainer: error: --samples: expected a whole number ≥ 1, found 0\n"),
    ])
    func badFlag(_ flags: [String], _ expected: String) {
        let result = runCLI(["gradcheck", repositoryDirectory + "/configs/worked-3-5-4-2.json"] + flags)
        #expect(result.code == 2)
        #expect(result.stderr == expected)
        #expect(result.stdout == "")
    }

    /// A layer larger than --max-parameters is checked on a seeded sample,
    /// and the table says so.
    @Test func largeLayersAreSampled() {
        var generator = RandomGenerator(seed: 3)
        let network = Network<Double>(layerSizes: [30, 20, 2], activations: [.sigmoid, .sigmoid], initialization: nil, using: &generator)
        var inputs = Matrix<Double>(rows: 2, columns: 30)
        for i in inputs.elements.indices { inputs.elements[i] = generator.nextUnitDouble() }
        let targets = Matrix([[1.0, 0.0], [0.0, 1.0]])
        let check = GradientCheck.run(network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5, maximumPerLayer: 50)
        #expect(check.rows.map(\.checked) == [50, 20, 40, 2])
        #expect(check.rows.map(\.total) == [600, 20, 40, 2])
        #expect(check.checkedParameters == 112)
        let report = GradcheckCommand.report(check, file: "x.json", samples: 2, loss: .sse, epsilon: 1e-5, tolerance: 1e-6)
        #expect(report.contains("50 (sample)"))
        #expect(report.contains("112 of 662 parameters; about"))
        // The same seed, the same sample.
        let again = GradientCheck.run(network: network, inputs: inputs, targets: targets, loss: .sse, epsilon: 1e-5, maximumPerLayer: 50)
        #expect(again.rows.map(\.worst) == check.rows.map(\.worst))
    }
}

/// The activation and loss combinations docs/configuration.md rules out, each with its message
/// and exit 2 (the others are in ConfigErrorTests).
@Suite struct CombinationErrorTests {
    static let cases: [(network: String, training: String, data: String, expected: String)] = [
        (
            #"{"layers": [2, 3, 1], "activations": ["sigmoid", "softmax"]}"#, #"{"learning_rate": 0.1, "epochs": 1}"#,
            #"{"train": {"inputs": [[0, 1]], "targets": [[1]]}}"#,
            "network.layers: softmax over a single output neuron is always 1; use sigmoid, or two or more outputs"
        ),
        (
            #"{"layers": [2, 3, 2], "activations": ["sigmoid", "tanh"]}"#, #"{"learning_rate": 0.1, "epochs": 1, "loss": "cross_entropy"}"#,
            #"{"train": {"inputs": [[0, 1]], "targets": [[1, 0]]}}"#,
            "training.loss: cross_entropy needs a softmax or sigmoid output layer, found tanh"
        ),
        (
            #"{"layers": [2, 3, 2], "activations": ["sigmoid", "relu"]}"#, #"{"learning_rate": 0.1, "epochs": 1, "loss": "cross_entropy"}"#,
            #"{"train": {"inputs": [[0, 1]], "targets": [[1, 0]]}}"#,
            "training.loss: cross_entropy needs a softmax or sigmoid output layer, found relu"
        ),
    ]

    @Test(arguments: cases)
    func rejected(_ testCase: (network: String, training: String, data: String, expected: String)) {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json", #"{"network": \#(testCase.network), "training": \#(testCase.training), "data": \#(testCase.data)}"#)
        let result = runCLI(["run", config])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(config): \(testCase.expected)\n")
        #expect(directory.listing().count == 1)
    }

    /// Targets that are not probabilities, for cross-entropy: the sample is named.
    @Test(arguments: [
        (
            #"{"layers": [2, 2], "activation": "sigmoid"}"#, #"[[0.5, 1.5]]"#,
            "data.train.targets[0]: target 1.5 is outside [0, 1]; cross_entropy needs targets that are probabilities"
        ),
        (
            #"{"layers": [2, 2], "activation": "softmax"}"#, #"[[0.5, 0.25]]"#,
            "data.train.targets[0]: targets sum to 0.75; softmax with cross_entropy needs each row of targets to sum to 1"
        ),
    ])
    func targetsMustBeProbabilities(_ network: String, _ targets: String, _ expected: String) {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            #"{"network": \#(network), "training": {"learning_rate": 0.1, "epochs": 1, "loss": "cross_entropy"}, "data": {"train": {"inputs": [[0, 1]], "targets": \#(targets)}}}"#
        )
        let result = runCLI(["run", config])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(config): \(expected)\n")
    }
}
