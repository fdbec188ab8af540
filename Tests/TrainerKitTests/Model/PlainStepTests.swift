import Foundation
import Testing
@testable import TrainerKit

/// The textbook step (Model/Backprop.swift): its numbers on the worked
/// example against a hand derivation, its gradients against numerical
/// differentiation, and `run`'s fast step against it: the same bits in
/// float64, within a measured bound in float32.
@Suite struct PlainStepTests {
    // MARK: - The worked example

    /// One step of configs/worked-2-2-2.json (2-2-2 sigmoid, SSE, η = 0.5),
    /// compared with Tests/Reference/worked_example.py, a hand derivation in
    /// 50-digit decimal arithmetic (the numbers WorkedExampleTests pastes;
    /// README's "z = (0.3775, 0.3925)", "a = σ(z) = (0.593270, 0.596884)",
    /// "W[1][0][0] becomes 0.40 − 0.5 × 0.0821670 = 0.358916" are their
    /// leading digits).
    @Test func workedExampleMatchesTheHandDerivation() throws {
        let config = try Config.load(path: repositoryDirectory + "/configs/worked-2-2-2.json")
        var generator = RandomGenerator(seed: 0)
        var network: Network<Double> = try config.resolveNetwork().build(using: &generator)
        let t = Matrix([[0.01, 0.99]])
        let trace = network.forward(Matrix([[0.05, 0.10]]))
        let losses = Loss.sse.sampleLosses(output: trace.output, weightedInput: trace.z[1], targets: t, activation: .sigmoid)
        let g = network.backward(trace, targets: t, loss: .sse)
        network.descend(along: g, learningRate: 0.5)

        let close = WorkedExampleTests()
        close.expectClose(trace.z[0].elements, [3.77500000000000000000e-1, 3.92500000000000000000e-1], "z[0]")
        close.expectClose(trace.a[1].elements, [5.93269992107187255174e-1, 5.96884378259767056200e-1], "a[1]")
        close.expectClose(trace.z[1].elements, [1.10590596705977007736e+0, 1.22492140409646550850e+0], "z[1]")
        close.expectClose(trace.a[2].elements, [7.51365069552315707957e-1, 7.72928465321462588524e-1], "a[2]")
        close.expectClose(losses, [2.98371108760002688607e-1], "E")
        close.expectClose(g.delta[1].elements, [1.38498561628556965982e-1, -3.80982365165562165317e-2], "δ[1]")
        close.expectClose(g.delta[0].elements, [8.77135468948693454097e-3, 9.95425470521720143118e-3], "δ[0]")
        close.expectClose(
            g.weights[1].elements,
            [8.21670405642307788464e-2, -2.26025404774750598485e-2, 8.26676278475332553202e-2, -2.27402422159782107529e-2],
            "∂E/∂W[1]")
        close.expectClose(
            g.weights[0].elements,
            [4.38567734474346727048e-4, 4.97712735260860071559e-4, 8.77135468948693454097e-4, 9.95425470521720143118e-4],
            "∂E/∂W[0]")
        close.expectClose(g.biases[1], [1.38498561628556965982e-1, -3.80982365165562165317e-2], "∂E/∂b[1]")
        close.expectClose(g.biases[0], [8.77135468948693454097e-3, 9.95425470521720143118e-3], "∂E/∂b[0]")
        close.expectClose(
            network.weights[1].elements,
            [3.58916479717884610577e-1, 5.11301270238737529924e-1, 4.08666186076233372340e-1, 5.61370121107989105376e-1],
            "W[1] after the step")
        close.expectClose(
            network.weights[0].elements,
            [1.49780716132762826636e-1, 2.49751143632369569964e-1, 1.99561432265525653273e-1, 2.99502287264739139928e-1],
            "W[0] after the step")
        close.expectClose(network.biases[1], [5.30750719185721517009e-1, 6.19049118258278108266e-1], "b[1] after the step")
        close.expectClose(network.biases[0], [3.45614322655256532730e-1, 3.45022872647391399284e-1], "b[0] after the step")
        // README prints the float64 result in full: W[1][0][0] = 0.35891647971788465.
        #expect(network.weights[1][0, 0] == 0.35891647971788465)
    }

    // MARK: - Against numerical differentiation

    /// A hidden activation with an output layer and a loss that fits it.
    struct Case: CustomTestStringConvertible, Sendable {
        var hidden: Activation
        var output: Activation
        var loss: Loss
        var testDescription: String { "\(hidden)-\(output) \(loss.rawValue)" }
    }

    static let cases: [Case] = [Activation.sigmoid, .tanh, .relu, .linear].flatMap { f in
        [
            Case(hidden: f, output: f, loss: .sse), Case(hidden: f, output: f, loss: .mse),
            Case(hidden: f, output: .softmax, loss: .sse), Case(hidden: f, output: .softmax, loss: .mse),
            Case(hidden: f, output: .softmax, loss: .crossEntropy), Case(hidden: f, output: .sigmoid, loss: .crossEntropy),
        ]
    }

    /// A seeded random network with weights and biases uniform in [−1, 1).
    static func randomNetwork<S: Scalar>(_ sizes: [Int], _ activations: [Activation], seed: UInt64, as: S.Type = S.self) -> Network<S> {
        var random = RandomGenerator(seed: seed)
        func values(_ count: Int) -> [S] { (0..<count).map { _ in S(random.nextUnitDouble() * 2 - 1) } }
        return Network(
            layerSizes: sizes, activations: activations,
            weights: (0..<sizes.count - 1).map {
                Matrix(rows: sizes[$0], columns: sizes[$0 + 1], elements: values(sizes[$0] * sizes[$0 + 1]))
            },
            biases: (1..<sizes.count).map { values(sizes[$0]) })
    }

    /// Seeded inputs in [−1, 1), and targets for `loss`: one-hot rows for
    /// cross-entropy with softmax, values in [0, 1] otherwise.
    static func randomBatch<S: Scalar>(
        samples m: Int, inputs: Int, outputs: Int, oneHot: Bool, seed: UInt64, as: S.Type = S.self
    ) -> (x: Matrix<S>, t: Matrix<S>) {
        var random = RandomGenerator(seed: seed)
        let x = Matrix<S>(rows: m, columns: inputs, elements: (0..<m * inputs).map { _ in S(random.nextUnitDouble() * 2 - 1) })
        var t = Matrix<S>(rows: m, columns: outputs)
        for s in 0..<m {
            if oneHot {
                t[s, random.nextInt(below: outputs)] = 1
            } else {
                for j in 0..<outputs { t[s, j] = S(random.nextUnitDouble()) }
            }
        }
        return (x, t)
    }

    /// The mean loss by the textbook forward pass alone.
    static func meanLoss(_ network: Network<Double>, _ x: Matrix<Double>, _ t: Matrix<Double>, _ loss: Loss) -> Double {
        let trace = network.forward(x)
        let losses = loss.sampleLosses(
            output: trace.output, weightedInput: trace.z[network.layerCount - 1], targets: t, activation: network.activations.last!)
        return losses.reduce(0, +) / Double(x.rows)
    }

    /// Every gradient of a seeded 3-5-4-2 network on a batch of 4 against the
    /// central difference (E(w + h) − E(w − h)) / 2h of the forward pass's
    /// mean loss, h = 1e-5. That difference's error is about h²·|E‴|/6 ≈
    /// 2e-11·|E‴| from truncation and ε·|E|/h ≈ 2e-11·|E| from rounding, so
    /// the tolerance, |backprop − numerical| ≤ 1e-8 + 1e-6·|numerical|, holds
    /// with room: over the 24 cases' 1,296 gradients the largest error
    /// measured is 1.0e-10 (for a gradient of −3.6), and relative to
    /// |numerical| at most 7.3e-8 where that is above 1e-4.
    @Test(arguments: cases)
    func gradientsMatchNumericalDifferentiation(_ c: Case) {
        let network: Network<Double> = Self.randomNetwork([3, 5, 4, 2], [c.hidden, c.hidden, c.output], seed: 16)
        let oneHot = c.output == .softmax && c.loss == .crossEntropy
        let (x, t) = Self.randomBatch(samples: 4, inputs: 3, outputs: 2, oneHot: oneHot, seed: 17, as: Double.self)
        let g = network.backward(network.forward(x), targets: t, loss: c.loss)
        let h = 1e-5
        func numerical(_ nudge: (inout Network<Double>, Double) -> Void) -> Double {
            var plus = network, minus = network
            nudge(&plus, h)
            nudge(&minus, -h)
            return (Self.meanLoss(plus, x, t, c.loss) - Self.meanLoss(minus, x, t, c.loss)) / (2 * h)
        }
        var checked = 0
        for k in 0..<network.layerCount {
            for i in 0..<network.weights[k].rows {
                for j in 0..<network.weights[k].columns {
                    let n = numerical { $0.weights[k][i, j] += $1 }
                    #expect(abs(g.weights[k][i, j] - n) <= 1e-8 + 1e-6 * abs(n), "∂E/∂W[\(k)][\(i)][\(j)]: \(g.weights[k][i, j]) vs \(n)")
                    checked += 1
                }
            }
            for j in 0..<network.biases[k].count {
                let n = numerical { $0.biases[k][j] += $1 }
                #expect(abs(g.biases[k][j] - n) <= 1e-8 + 1e-6 * abs(n), "∂E/∂b[\(k)][\(j)]: \(g.biases[k][j]) vs \(n)")
                checked += 1
            }
        }
        #expect(checked == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2)
    }

    // MARK: - run's fast step against the textbook

    /// A network shape, its activations and the loss.
    struct Shape: Sendable {
        var sizes: [Int]
        var activations: [Activation]
        var loss: Loss
        var description: String {
            "\(sizes.map(String.init).joined(separator: "-")) \(activations.map(\.rawValue).joined(separator: "-")) \(loss.rawValue)"
        }
    }

    /// Widths around the vector lengths (8 doubles or 16 floats with
    /// AVX-512, 4 or 8 with AVX2), so that the kernels take their full tiles,
    /// their narrower types and their overlapping tail vectors.
    static let shapes = [
        Shape(sizes: [20, 37, 19, 6], activations: [.sigmoid, .tanh, .sigmoid], loss: .sse),
        Shape(sizes: [20, 37, 19, 6], activations: [.relu, .sigmoid, .softmax], loss: .crossEntropy),
        Shape(sizes: [9, 17, 3], activations: [.tanh, .linear], loss: .mse),
    ]

    /// The update rules: run folds the plain delta rule into the gradient
    /// product; the others go through ``Optimizer``.
    static let rules: [(optimizer: OptimizerKind, l2: Double)] = [
        (.sgd, 0), (.sgd, 0.01), (.momentum(momentum: 0.9, nesterov: false), 0), (.momentum(momentum: 0.9, nesterov: true), 0.001),
        (.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 0),
    ]

    /// `steps` steps of the textbook on consecutive batches of m samples.
    static func plainSteps<S: Scalar>(
        _ network: Network<S>, _ x: Matrix<S>, _ t: Matrix<S>, batch m: Int, steps: Int, loss: Loss,
        rule: (optimizer: OptimizerKind, l2: Double),
        learningRate: Double
    ) -> (network: Network<S>, lossSums: [Double]) {
        var network = network
        var optimizer = Optimizer(kind: rule.optimizer, l2: rule.l2, network: network)
        var lossSums: [Double] = []
        for step in 0..<steps {
            let xb = Matrix(rows: m, columns: x.columns, elements: Array(x.elements[step * m * x.columns..<(step + 1) * m * x.columns]))
            let tb = Matrix(rows: m, columns: t.columns, elements: Array(t.elements[step * m * t.columns..<(step + 1) * m * t.columns]))
            let trace = network.forward(xb)
            let losses = loss.sampleLosses(
                output: trace.output, weightedInput: trace.z[network.layerCount - 1], targets: tb, activation: network.activations.last!)
            lossSums.append(losses.reduce(0.0) { $0 + Double($1) })
            let g = network.backward(trace, targets: tb, loss: loss)
            if rule.optimizer == .sgd && rule.l2 == 0 {
                network.descend(along: g, learningRate: S(learningRate))
            } else {
                optimizer.update(&network, along: g, learningRate: learningRate)
            }
        }
        return (network, lossSums)
    }

    /// The same steps by `run`'s ``Trainer``, on `threads` threads with every
    /// product split that can be (minimumSplitOperations 0).
    static func fastSteps<S: Scalar>(
        _ network: Network<S>, _ x: Matrix<S>, _ t: Matrix<S>, batch m: Int, steps: Int, loss: Loss,
        rule: (optimizer: OptimizerKind, l2: Double),
        learningRate: Double, threads: Int
    ) -> (network: Network<S>, lossSums: [Double], fused: Bool, trace: Backpropagation<S>) {
        var trainer = Trainer(
            network: network, progress: TrainingProgress(generator: RandomGenerator(seed: 1)),
            schedule: TrainingSchedule(
                loss: loss, learningRate: learningRate, epochs: 1, batchSize: m, shuffle: false, optimizer: rule.optimizer, l2: rule.l2),
            train: Dataset(name: "data.train", inputs: x, targets: t), test: nil, threads: threads, minimumSplitOperations: 0)
        var lossSums: [Double] = []
        for step in 0..<steps {
            lossSums.append(trainer.step(samples: Array(step * m..<(step + 1) * m)[...]).lossSum)
        }
        return (trainer.network, lossSums, trainer.fusesUpdate, trainer.trace)
    }

    /// How many parameters of two networks differ in any bit, and the first of them.
    static func differences(_ a: Network<Double>, _ b: Network<Double>) -> (count: Int, first: String) {
        var count = 0, first = "none"
        func compare(_ x: Double, _ y: Double, _ name: @autoclosure () -> String) {
            guard x.bitPattern != y.bitPattern else { return }
            if count == 0 { first = "\(name()): \(x) vs \(y)" }
            count += 1
        }
        for k in 0..<a.layerCount {
            for (i, (x, y)) in zip(a.weights[k].elements, b.weights[k].elements).enumerated() { compare(x, y, "W[\(k)] element \(i)") }
            for (j, (x, y)) in zip(a.biases[k], b.biases[k]).enumerated() { compare(x, y, "b[\(k)][\(j)]") }
        }
        return (count, first)
    }

    /// Float64: three steps of `run`'s trainer (the plain delta rule folded
    /// into the gradient product, or the optimizer after the unfused backward
    /// pass) give the textbook's weights, biases and losses bit for bit, at
    /// batch sizes 1, 3, 10 and 25 (more than one register block of samples
    /// in the weight gradient), on one thread and on two with every product
    /// split.
    @Test(arguments: [1, 3, 10, 25])
    func fastFloat64StepIsTheTextbookStep(batch m: Int) {
        for (index, shape) in Self.shapes.enumerated() {
            let network: Network<Double> = Self.randomNetwork(shape.sizes, shape.activations, seed: UInt64(20 + index))
            let oneHot = shape.loss == .crossEntropy
            let (x, t) = Self.randomBatch(
                samples: 3 * m, inputs: shape.sizes[0], outputs: shape.sizes.last!, oneHot: oneHot, seed: UInt64(30 + index),
                as: Double.self)
            for rule in Self.rules {
                let plain = Self.plainSteps(network, x, t, batch: m, steps: 3, loss: shape.loss, rule: rule, learningRate: 0.3)
                for threads in [1, 2] {
                    let fast = Self.fastSteps(
                        network, x, t, batch: m, steps: 3, loss: shape.loss, rule: rule, learningRate: 0.3, threads: threads)
                    let what = "\(shape.description), \(rule.optimizer.name) l2 \(rule.l2), batch \(m), \(threads) thread(s)"
                    #expect(fast.fused == (rule.optimizer == .sgd && rule.l2 == 0), "\(what): the path run takes")
                    let differences = Self.differences(fast.network, plain.network)
                    #expect(
                        differences.count == 0, "\(what): \(differences.count) parameters differ after 3 steps, first \(differences.first)")
                    #expect(fast.lossSums.map(\.bitPattern) == plain.lossSums.map(\.bitPattern), "\(what): the losses")
                }
            }
        }
    }

    /// Σ_s |a[s][i]·δ[s][j]| / m for each W[k][i][j], Σ_s |δ[s][j]| / m for each
    /// b[k][j]: the size of the terms the gradient's sum rounds.
    static func termMagnitudes(_ trace: Trace<Float>, _ g: Gradients<Float>) -> (weights: [Matrix<Double>], biases: [[Double]]) {
        let m = Double(trace.batchSize)
        let a = trace.a.map { Matrix<Double>(converting: $0).map(abs) }, delta = g.delta.map { Matrix<Double>(converting: $0).map(abs) }
        return (
            (0..<delta.count).map { Matrix.transposedProduct(a[$0], delta[$0]).divided(by: m) },
            delta.map { $0.columnSums().map { $0 / m } }
        )
    }

    /// The largest `|x − y| / (ε·scale)` over the parameters of a network,
    /// ε being float32's machine epsilon, and where.
    static func largestDifference(
        _ x: (weights: [Matrix<Float>], biases: [[Float]]), _ y: (weights: [Matrix<Float>], biases: [[Float]]),
        scale: (weights: [Matrix<Double>], biases: [[Double]])
    ) -> (units: Double, at: String) {
        var worst = (units: 0.0, at: "none")
        func note(_ a: Float, _ b: Float, _ scale: Double, _ name: @autoclosure () -> String) {
            let units = a == b ? 0 : abs(Double(a) - Double(b)) / (Double(Float.ulpOfOne) * scale)
            if units > worst.units || !units.isFinite { worst = (units, name()) }
        }
        for k in 0..<x.weights.count {
            for (index, w) in x.weights[k].elements.enumerated() {
                note(w, y.weights[k].elements[index], scale.weights[k].elements[index], "W[\(k)] element \(index)")
            }
            for (j, b) in x.biases[k].enumerated() { note(b, y.biases[k][j], scale.biases[k][j], "b[\(k)][\(j)]") }
        }
        return worst
    }

    /// Float32 rounds differently on the two paths: run's forward and δ
    /// products round `c + a·b` once where the CPU has FMA, its sigmoid is a
    /// vectorised kernel a few ulp from libm's (Math/Scalar.swift), its
    /// weight gradient adds even and odd samples in two chains, and its
    /// delta rule is W + aᵀ·((−η/m)·δ), the first layer in halves from 128
    /// inputs (the last two shapes here). So one step is compared within a
    /// bound, in units of ε = 2⁻²³ times the size of the numbers it rounds:
    /// - the delta rule (run's fused step): |W_run − W| ≤ 16 ε·(|W| + |ΔW| + η·Σ_s|a·δ|/m)
    ///   for each weight (|b| + |Δb| + η·Σ_s|δ|/m for a bias); measured at
    ///   most 6.6 (130-24-10 sigmoid sse, batch 1; measured on x86-64-v4);
    /// - Adam, through ``Optimizer`` on both paths, so only the gradient it
    ///   is given differs: |∂E/∂W_run − ∂E/∂W| ≤ 16 ε·max(Σ_s|a·δ|/m) over
    ///   the layer (normwise: δ[k] carries the rounding of every layer above
    ///   it, cancellation included); measured at most 5.5 (130-20-10
    ///   softmax, batch 3). Adam's weights themselves can differ by far more
    ///   than their gradients where |g| is near Adam's ε (m̂/√v̂ divides by |g|);
    /// - the batch's loss: |E_run − E| ≤ 8 ε·E; measured at most 1.6.
    @Test(arguments: [1, 3, 10, 25])
    func fastFloat32StepIsWithinTheBound(batch m: Int) {
        let shapes =
            Self.shapes + [
                Shape(sizes: [130, 20, 10], activations: [.sigmoid, .softmax], loss: .crossEntropy),
                Shape(sizes: [130, 24, 10], activations: [.sigmoid, .sigmoid], loss: .sse),
            ]
        let eta = 0.3
        for (index, shape) in shapes.enumerated() {
            let network: Network<Float> = Self.randomNetwork(shape.sizes, shape.activations, seed: UInt64(40 + index))
            let (x, t) = Self.randomBatch(
                samples: m, inputs: shape.sizes[0], outputs: shape.sizes.last!, oneHot: shape.loss == .crossEntropy,
                seed: UInt64(50 + index), as: Float.self)
            let trace = network.forward(x)
            let g = network.backward(trace, targets: t, loss: shape.loss)
            let terms = Self.termMagnitudes(trace, g)
            for rule in [Self.rules[0], Self.rules[4]] {
                let plain = Self.plainSteps(network, x, t, batch: m, steps: 1, loss: shape.loss, rule: rule, learningRate: eta)
                for threads in [1, 2] {
                    let fast = Self.fastSteps(
                        network, x, t, batch: m, steps: 1, loss: shape.loss, rule: rule, learningRate: eta, threads: threads)
                    let what = "\(shape.description), \(rule.optimizer.name), batch \(m), \(threads) thread(s)"
                    let lossUnits = abs(fast.lossSums[0] - plain.lossSums[0]) / (Double(Float.ulpOfOne) * abs(plain.lossSums[0]))
                    #expect(lossUnits <= 8, "\(what): the loss differs by \(lossUnits) ε·E")
                    if fast.fused {
                        // |W| + |ΔW| + η·Σ|a·δ|/m
                        let scale = (
                            weights: (0..<network.layerCount).map { k in
                                Matrix<Double>(converting: network.weights[k]).map(abs)
                                    .combined(
                                        with: Matrix<Double>(converting: plain.network.weights[k])
                                            .combined(with: Matrix<Double>(converting: network.weights[k]), -).map(abs), +
                                    )
                                    .combined(with: terms.weights[k].map { eta * $0 }, +)
                            },
                            biases: (0..<network.layerCount).map { k in
                                (0..<network.biases[k].count).map { j in
                                    let before = Double(network.biases[k][j]), after = Double(plain.network.biases[k][j])
                                    return abs(before) + abs(after - before) + eta * terms.biases[k][j]
                                }
                            }
                        )
                        let worst = Self.largestDifference(
                            (fast.network.weights, fast.network.biases), (plain.network.weights, plain.network.biases), scale: scale)
                        #expect(worst.units <= 16, "\(what): \(worst.at) differs by \(worst.units) units")
                    } else {
                        // Normwise, per layer: δ[k] carries the rounding of every layer above.
                        let layerScale = (
                            weights: terms.weights.map { w in w.map { _ in w.elements.max()! } },
                            biases: terms.biases.map { b in b.map { _ in b.max()! } }
                        )
                        let worst = Self.largestDifference(
                            (fast.trace.weightGradients, fast.trace.biasGradients), (g.weights, g.biases), scale: layerScale)
                        #expect(worst.units <= 16, "\(what): the gradient of \(worst.at) differs by \(worst.units) units")
                    }
                }
            }
        }
    }
}
