import Foundation
import Testing
import TrainerKernels
@testable import TrainerKit

/// The float32 delta rule with the first layer in two halves of its inputs
/// (from 128 inputs; `TrainingEngine.splitsFirstLayer`): each half of a[0] is loaded
/// and multiplied, and its rows of W[0] updated, on a thread of its own, and
/// W[0]'s update is deferred into the next step's forward pass. None of that
/// may change a bit: not the thread count, not the deferral, not an
/// interruption in the middle of an epoch.
@Suite struct FirstLayerHalvesTests {
    /// 130 inputs (halves of 65, neither a multiple of a vector), 7 hidden, 3
    /// classes; 40 samples in batches of 7, so the last batch (5) is shorter
    /// and the deferred update must be finished before the size changes.
    static let samples = 40, inputCount = 130

    static func config(epochs: Int) -> String {
        var random = RandomGenerator(seed: 5)
        var inputs: [String] = [], targets: [String] = []
        for i in 0..<samples {
            let x = (0..<inputCount).map { _ in String(Float(random.nextUnitDouble())) }
            inputs.append("[" + x.joined(separator: ",") + "]")
            targets.append(["[1,0,0]", "[0,1,0]", "[0,0,1]"][i % 3])
        }
        return """
            {"network": {"layers": [\(inputCount), 7, 3], "activation": "sigmoid"},
             "training": {"loss": "sse", "learning_rate": 2.0, "epochs": \(epochs), "batch_size": 7, "seed": 3, "precision": "float32"},
             "data": {"train": {"inputs": [\(inputs.joined(separator: ","))], "targets": [\(targets.joined(separator: ","))]}}}
            """
    }

    static func trainer(epochs: Int, threads: Int = 1) throws -> Trainer<Float> {
        let trainer: Trainer<Float> = try inMemoryTrainer(config(epochs: epochs), inputs: inputCount, outputs: 3, threads: threads)
        #expect(trainer.fusesUpdate && TrainingEngine.splitsFirstLayer(trainer.network), "the fast path splits this first layer")
        return trainer
    }

    /// Steps an epoch by hand, each step finishing its own update (no deferral).
    static func stepByHand(_ trainer: inout Trainer<Float>, batches: Int = .max) {
        var generator = trainer.progress.generator
        var order = Array(0..<samples)
        trainer.fillEpochOrder(&order, using: &generator)
        var start = 0, done = 0
        while start < samples && done < batches {
            let end = min(start + 7, samples)
            _ = trainer.step(samples: order[start..<end], learningRate: 2.0)
            start = end
            done += 1
        }
    }

    @Test(arguments: [2, 3])
    func threadsAndDeferralGiveTheSameBits(threads: Int) throws {
        var one = try Self.trainer(epochs: 3), many = try Self.trainer(epochs: 3, threads: threads)
        _ = try one.run(observer: TrainingObserver())
        _ = try many.run(observer: TrainingObserver())
        #expect(one.network.weights.map(\.elements) == many.network.weights.map(\.elements))
        #expect(one.network.biases == many.network.biases)
        #expect(one.progress.lastEpochLoss == many.progress.lastEpochLoss)

        // One epoch through run (deferred updates) equals the same batches
        // stepped by hand (each update finished in its own step).
        var deferred = try Self.trainer(epochs: 1, threads: threads), byHand = try Self.trainer(epochs: 1, threads: threads)
        let initial = byHand.network
        _ = try deferred.run(observer: TrainingObserver())
        Self.stepByHand(&byHand)
        #expect(deferred.network.weights.map(\.elements) == byHand.network.weights.map(\.elements))
        #expect(deferred.network.weights[0].elements != initial.weights[0].elements, "training moved W[0]")
    }

    /// An interruption after 3 batches leaves W[0] with its third update
    /// done: the network equals 3 steps by hand.
    @Test func interruptionFinishesTheDeferredUpdate() throws {
        var interrupted = try Self.trainer(epochs: 1, threads: 2), byHand = try Self.trainer(epochs: 1)
        var checks = 0
        let observer = TrainingObserver(pendingSignal: {
            checks += 1
            return checks > 3 ? SIGINT : nil
        })
        #expect(try interrupted.run(observer: observer) == .interrupted(signal: SIGINT))
        #expect(interrupted.progress.samplesIntoEpoch == 21)
        Self.stepByHand(&byHand, batches: 3)
        #expect(interrupted.network.weights.map(\.elements) == byHand.network.weights.map(\.elements))
        #expect(interrupted.network.biases == byHand.network.biases)
    }

    /// One step of the halved pass against the same step in float64 (z[0]
    /// from every product, the update from its definition), with the
    /// float32 pass's δ[0] (the halving changes only how z[0] and W[0]'s
    /// products are grouped, so each stays within float32 rounding of the
    /// exact value).
    @Test func halvedStepMatchesFloat64() throws {
        var random = RandomGenerator(seed: 17)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
        let sizes = [Self.inputCount, 19, 3], m = 6
        let network = Network<Float>(
            layerSizes: sizes, activations: [.sigmoid, .sigmoid],
            weights: (0..<2).map { Matrix(rows: sizes[$0], columns: sizes[$0 + 1], elements: values(sizes[$0] * sizes[$0 + 1])) },
            biases: (0..<2).map { values(sizes[$0 + 1]) })
        let inputs = Matrix<Float>(rows: m, columns: sizes[0], elements: values(m * sizes[0]).map { ($0 + 1) / 2 })
        var targets = Matrix<Float>(rows: m, columns: 3)
        for row in 0..<m { targets[row, row % 3] = 1 }
        let eta: Float = 0.5

        for threads in [1, 2] {
            var updated = network
            var step = ScaledDeltaStep(
                network: network, batchCapacity: m, splittingFirstLayer: true, pool: threads > 1 ? KernelThreadPool(threads: threads) : nil)
            #expect(step.halves?.split == Self.inputCount / 2)
            step.pass.setTargets(targets)
            step.forward(&updated) { columns, destination in
                for row in 0..<m {
                    for (offset, column) in columns.enumerated() { destination[row * columns.count + offset] = inputs[row, column] }
                }
            }
            for row in 0..<m {
                for j in 0..<sizes[1] {
                    var sum = Double(network.biases[0][j]), magnitude = abs(sum)
                    for i in 0..<sizes[0] {
                        let product = Double(inputs[row, i]) * Double(network.weights[0][i, j])
                        sum += product
                        magnitude += abs(product)
                    }
                    // Float32 rounding of a sum of 131 terms, each step at most ½ ulp.
                    let bound = Double(Float.ulpOfOne) * Double(sizes[0] + 2) * magnitude
                    #expect(abs(Double(step.pass.weightedInputs[0][row, j]) - sum) <= bound, "z[0][\(row)][\(j)], \(threads) threads")
                }
            }
            step.backwardUpdating(&updated, loss: .sse, learningRate: eta, deferringFirstLayer: true)
            #expect(step.updatePending)
            #expect(updated.weights[0].elements == network.weights[0].elements, "W[0] waits for its update")
            // δ[0] is now (−η/m)·δ[0]; undo the scale in float64 for the check.
            step.finishFirstLayerUpdate(&updated)
            #expect(!step.updatePending)
            let scale = Double(-eta / Float(m))
            for i in 0..<sizes[0] {
                for j in 0..<sizes[1] {
                    var sum = 0.0, magnitude = 0.0
                    for row in 0..<m {
                        let product = Double(inputs[row, i]) * Double(step.pass.deltas[0][row, j]) / scale
                        sum += product
                        magnitude += abs(product)
                    }
                    let exact = Double(network.weights[0][i, j]) - Double(eta) * sum / Double(m)
                    let bound =
                        Double(Float.ulpOfOne) * Double(m + 3)
                        * (abs(Double(network.weights[0][i, j])) + Double(eta) * magnitude / Double(m))
                    #expect(abs(Double(updated.weights[0][i, j]) - exact) <= bound, "W[0][\(i)][\(j)], \(threads) threads")
                }
            }
        }
    }
}

/// `Dataset.copyInputs(of:columns:to:)`, the loader of one half: the same
/// numbers as the whole rows, for inputs held as numbers and as bytes.
@Suite struct ColumnCopyTests {
    @Test func columnsOfBytesAndValuesEqualTheRows() {
        let bytes: [UInt8] = (0..<4 * 9).map { UInt8(($0 * 37) % 256) }
        let targets = Matrix<Float>(rows: 4, columns: 1)
        let fromBytes = Dataset<Float>(name: "b", bytes: bytes, inputSize: 9, targets: targets, locator: .indexed(file: "b"))
        let fromValues = Dataset<Float>(name: "v", inputs: fromBytes.inputs, targets: targets)
        for data in [fromBytes, fromValues] {
            var copied = [Float](repeating: -1, count: 3 * 4)
            copied.withUnsafeMutableBufferPointer { data.copyInputs(of: [2, 0, 3], columns: 5..<9, to: $0.baseAddress!) }
            let expected = [2, 0, 3].flatMap { sample in (5..<9).map { Float(bytes[sample * 9 + $0]) / 255 } }
            #expect(copied == expected, "\(data.name)")
        }
    }
}

/// `HalvesThreadChoice`: each cycle times `trialSteps` steps on two threads,
/// then as many on one (each after `warmUpSteps` untimed), and runs the rest
/// of the cycle the way whose median step was shorter. A synthetic clock
/// makes each step take a chosen time; the warm-up steps take longer, as a
/// sleeping worker's would, and pauses between steps are not timed.
@Suite struct HalvesThreadChoiceTests {
    /// The choices for `steps` steps when a step takes `threaded` µs on two
    /// threads and `alone` µs on one; `delayed` steps take 1 ms longer, and
    /// after each step in `pauses` 50 ms pass between steps.
    static func choices(
        steps: Int, threaded: Int, alone: Int,
        choice: HalvesThreadChoice = HalvesThreadChoice(period: 12, warmUpSteps: 1, trialSteps: 2),
        delayed: Set<Int> = [], pauses: Set<Int> = []
    ) -> [Bool] {
        var choice = choice
        var now = ContinuousClock.now
        var result: [Bool] = []
        var previous: Bool?
        for step in 0..<steps {
            let onThreads = choice.beforeStep(now: { now })
            result.append(onThreads)
            // A step after a switch pays 100 µs, which the trials must not count.
            let extra = (onThreads != previous ? 100 : 0) + (delayed.contains(step) ? 1000 : 0)
            now = now.advanced(by: .microseconds((onThreads ? threaded : alone) + extra))
            choice.afterStep(now: { now })
            if pauses.contains(step) {
                now = now.advanced(by: .milliseconds(50))
                choice.paused()
            }
            previous = onThreads
        }
        return result
    }

    @Test func twoThreadsKeptWhenFaster() {
        // Steps 0–2 on two threads (0 warms up), 3–5 on one (3 warms up),
        // 6–11 on two; step 12 starts the next cycle.
        #expect(
            Self.choices(steps: 14, threaded: 5, alone: 7)
                == [true, true, true, false, false, false, true, true, true, true, true, true, true, true])
    }

    @Test func oneThreadChosenWhenFaster() {
        #expect(
            Self.choices(steps: 16, threaded: 9, alone: 7)
                == [true, true, true, false, false, false, false, false, false, false, false, false, true, true, true, false])
    }

    @Test func oneDelayedStepDoesNotDecide() {
        // Trials of 3 timed steps: steps 1–3 on two threads, 5–7 on one. Step 2
        // is delayed by 1 ms, which would make the two-thread trial's total
        // (5 + 1005 + 5 µs) longer than one thread's (3 × 7 µs); its median
        // (5 µs) is not, so two threads are kept from step 8.
        let trial = HalvesThreadChoice(period: 16, warmUpSteps: 1, trialSteps: 3)
        let choices = Self.choices(steps: 16, threaded: 5, alone: 7, choice: trial, delayed: [2])
        #expect(choices == [true, true, true, true, false, false, false, false] + Array(repeating: true, count: 8))
        // The same delay in the one-thread trial does not hand it to two threads either.
        let alone = Self.choices(steps: 16, threaded: 9, alone: 7, choice: trial, delayed: [6])
        #expect(alone == [true, true, true, true] + Array(repeating: false, count: 12))
    }

    @Test func aPauseLongAfterTheTrialStartsANewOne() {
        // A trial of 1 + 2 steps each way (6 steps), a cycle of 40. A pause
        // after step 10 (11 steps into the cycle, under 4 × 6) changes
        // nothing; one after step 29 (30 steps in) starts a trial at step 30.
        let trial = HalvesThreadChoice(period: 40, warmUpSteps: 1, trialSteps: 2)
        let choices = Self.choices(steps: 37, threaded: 9, alone: 7, choice: trial, pauses: [10, 29])
        let cycle = [true, true, true, false, false, false] + Array(repeating: false, count: 24)
        #expect(choices == cycle + [true, true, true, false, false, false, false])
    }

    @Test func trialAndCycleShortenWithTheStep() {
        // 784-30-10 at batch 10: 238,000 multiply-adds a step, the defaults.
        let small = FirstLayerHalves<Float>.threadChoice(layerSizes: [784, 30, 10], batch: 10)
        #expect([small.period, small.warmUpSteps, small.trialSteps] as [Int] == [3000, 20, 100])
        // 784-1000-1000-10 at batch 10: 17,940,000, about 9 times 2 million.
        let big = FirstLayerHalves<Float>.threadChoice(layerSizes: [784, 1000, 1000, 10], batch: 10)
        #expect([big.period, big.warmUpSteps, big.trialSteps] as [Int] == [334, 4, 11])
        // At batch 1000 the shortest: 4 + 8 steps each way, a cycle of 120.
        let huge = FirstLayerHalves<Float>.threadChoice(layerSizes: [784, 1000, 1000, 10], batch: 1000)
        #expect([huge.period, huge.warmUpSteps, huge.trialSteps] as [Int] == [120, 4, 8])
    }

    @Test func pausesAreNotTimedAndTheTrialRunsOn() {
        // Epochs of 2 steps (a 50 ms evaluation after steps 1, 3, 5, …): the
        // trial (steps 0–5) spans three epochs and still decides, and the
        // pauses, far longer than any step, do not decide it.
        let pauses = Set(stride(from: 1, to: 16, by: 2))
        #expect(
            Self.choices(steps: 14, threaded: 5, alone: 7, pauses: pauses)
                == [true, true, true, false, false, false, true, true, true, true, true, true, true, true])
        #expect(
            Self.choices(steps: 12, threaded: 9, alone: 7, pauses: pauses)
                == [true, true, true, false, false, false, false, false, false, false, false, false])
    }
}
