import Foundation

/// The settings of a training run that the epoch loop needs.
public struct TrainingSchedule: Sendable {
    public var loss: Loss
    public var learningRate: Double
    /// Epochs this run trains (SPEC: `--epochs` counts this run's epochs).
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: Bool

    public init(loss: Loss, learningRate: Double, epochs: Int, batchSize: Int, shuffle: Bool) {
        self.loss = loss
        self.learningRate = learningRate
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
    }
}

/// How far training has come, over every run that led here: what a weights
/// file records so that `--init-from` continues exactly where a run stopped.
public struct TrainingProgress: Equatable, Sendable {
    /// Complete epochs trained.
    public var epochsCompleted = 0
    /// Samples of the next epoch already trained on (after an interruption).
    public var samplesIntoEpoch = 0
    /// Samples trained on in all.
    public var samplesTrained = 0
    /// The shuffling generator at the start of the next epoch.
    public var generator: RandomGenerator
    /// The loss sum and correct count of the next epoch's trained samples.
    public var partialLossSum = 0.0
    public var partialCorrect = 0
    /// The mean loss of the last complete epoch.
    public var lastEpochLoss: Double?

    public init(generator: RandomGenerator) {
        self.generator = generator
    }
}

/// One row of the loss log.
public struct EpochRecord: Equatable, Sendable {
    /// The epoch's number, counting every run that led here.
    public var epoch: Int
    /// The mean per-sample loss of the epoch's forward passes, each taken
    /// before the update that follows it.
    public var loss: Double
    public var accuracy: Double?
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// Wall time since this run's training began.
    public var seconds: Double
}

/// Why a run ended.
public enum StopReason: Equatable, Sendable {
    case completed
    /// A signal asked to stop; training ended at a batch boundary.
    case interrupted(signal: Int32)
    /// The loss log's reader went away (a closed pipe).
    case outputClosed
}

/// What a run reports as it goes. The library never prints: the CLI turns
/// these calls into log rows and progress lines.
public struct TrainingObserver {
    /// After each epoch (and its test evaluation). Return false to stop (the
    /// log's reader went away).
    public var epochFinished: (EpochRecord) throws(TrainerError) -> Bool
    /// After each batch: samples done in this epoch, of how many, and the
    /// running loss sum. Called often; keep it cheap.
    public var batchFinished: (_ epoch: Int, _ samplesDone: Int, _ samples: Int, _ lossSum: Double) -> Void
    /// Checked before each batch; a non-nil signal number stops the run.
    public var pendingSignal: () -> Int32?

    public init(
        epochFinished: @escaping (EpochRecord) throws(TrainerError) -> Bool = { _ in true },
        batchFinished: @escaping (Int, Int, Int, Double) -> Void = { _, _, _, _ in },
        pendingSignal: @escaping () -> Int32? = { nil }
    ) {
        self.epochFinished = epochFinished
        self.batchFinished = batchFinished
        self.pendingSignal = pendingSignal
    }
}

/// Mini-batch gradient descent over a data set: shuffle (from the seeded
/// generator), then for each batch a forward pass, the loss, a backward pass
/// and an update; after each epoch, the test set's loss and accuracy.
public struct Trainer<S: Scalar> {
    public private(set) var network: Network<S>
    public private(set) var progress: TrainingProgress
    public let schedule: TrainingSchedule
    public let train: Dataset<S>
    public let test: Dataset<S>?

    private var pass: Backpropagation<S>
    private var evaluator: Evaluator<S>?
    private let optimizer: GradientDescent<S>

    public init(network: Network<S>, progress: TrainingProgress, schedule: TrainingSchedule, train: Dataset<S>, test: Dataset<S>?) {
        self.network = network
        self.progress = progress
        self.schedule = schedule
        self.train = train
        self.test = test
        self.pass = Backpropagation(network: network, batchCapacity: min(schedule.batchSize, train.count))
        self.evaluator = test.map { _ in Evaluator(network: network) }
        self.optimizer = GradientDescent(learningRate: S(schedule.learningRate))
    }

    /// Trains `schedule.epochs` epochs (finishing an interrupted epoch first,
    /// which counts as one), or until the observer stops it.
    /// - Throws: a ``TrainerError`` of kind `.failure` when the loss becomes
    ///   NaN or infinite; the network is then not to be saved.
    public mutating func run(observer: TrainingObserver) throws(TrainerError) -> StopReason {
        let clock = ContinuousClock()
        let started = clock.now
        let n = train.count
        var order = Array(0..<n)
        for _ in 0..<schedule.epochs {
            let epoch = progress.epochsCompleted + 1
            let generatorAtEpochStart = progress.generator
            var generator = progress.generator
            fillEpochOrder(&order, using: &generator)
            var lossSum = progress.partialLossSum
            var correct = progress.partialCorrect
            var start = progress.samplesIntoEpoch
            while start < n {
                if let signal = observer.pendingSignal() {
                    // Stop at this batch boundary; the file saved records how
                    // to continue: the same shuffle, from sample `start`.
                    progress.samplesIntoEpoch = start
                    progress.partialLossSum = lossSum
                    progress.partialCorrect = correct
                    progress.generator = generatorAtEpochStart
                    try checkParametersAreFinite(epoch: epoch)
                    return .interrupted(signal: signal)
                }
                let m = min(schedule.batchSize, n - start)
                let result = step(samples: order[start..<start + m])
                guard result.lossSum.isFinite else {
                    throw nonFiniteLoss(epoch: epoch, value: result.lossSum)
                }
                lossSum += result.lossSum
                correct += result.correct
                start += m
                progress.samplesTrained += m
                observer.batchFinished(epoch, start, n, lossSum)
            }
            // A weight can overflow while the loss stays finite (a saturated
            // sigmoid hides it); such a network must not be saved either.
            try checkParametersAreFinite(epoch: epoch)
            progress.generator = generator
            progress.epochsCompleted = epoch
            progress.samplesIntoEpoch = 0
            progress.partialLossSum = 0
            progress.partialCorrect = 0
            let epochLoss = lossSum / Double(n)
            progress.lastEpochLoss = epochLoss
            var record = EpochRecord(
                epoch: epoch, loss: epochLoss,
                accuracy: train.labels.map { _ in Double(correct) / Double(n) },
                seconds: 0)
            if let test, var evaluator {
                let result = evaluator.evaluate(network, on: test, loss: schedule.loss)
                self.evaluator = evaluator
                record.testLoss = result.loss
                record.testAccuracy = result.accuracy
            }
            let elapsed = clock.now - started
            record.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            guard try observer.epochFinished(record) else { return .outputClosed }
        }
        return .completed
    }

    /// The order in which an epoch visits the training samples: shuffled by
    /// `generator` when the schedule shuffles, else in file order.
    public func fillEpochOrder(_ order: inout [Int], using generator: inout RandomGenerator) {
        for i in order.indices { order[i] = i }
        if schedule.shuffle { generator.shuffle(&order) }
    }

    /// The loss sum and the correctly classified count of one batch.
    public struct StepResult: Sendable {
        public var lossSum: Double
        public var correct: Int
    }

    /// One step of gradient descent on the given samples: forward pass, loss
    /// (before the update), backward pass, update. Afterwards ``trace`` holds
    /// every z, a, δ and gradient of the step.
    public mutating func step(samples: ArraySlice<Int>) -> StepResult {
        let m = samples.count
        pass.setBatchSize(m)
        train.copyBatch(samples: samples, into: &pass)
        pass.forward(network)
        let lossSum = pass.computeLosses(schedule.loss, activation: network.activations[network.layerCount - 1])
        var correct = 0
        if let labels = train.labels {
            let output = pass.output
            for (row, sample) in samples.enumerated() where output.argmax(row: row) == labels[sample] { correct += 1 }
        }
        pass.backward(network, loss: schedule.loss)
        optimizer.update(&network, from: pass)
        return StepResult(lossSum: lossSum, correct: correct)
    }

    /// The last step's forward and backward pass: every z, a, δ and gradient.
    public var trace: Backpropagation<S> { pass }

    /// Throws when a weight or bias is NaN or infinite: a network that is
    /// not to be saved.
    private func checkParametersAreFinite(epoch: Int) throws(TrainerError) {
        guard let parameter = network.firstNonFiniteParameter() else { return }
        throw TrainerError(
            .failure, place: "epoch \(epoch)",
            "a parameter became \(parameter.hasSuffix("nan") ? "nan" : "infinite") (\(parameter)); try a smaller training.learning_rate")
    }

    private func nonFiniteLoss(epoch: Int, value: Double) -> TrainerError {
        let last = progress.lastEpochLoss.map { "last finite: \($0) at epoch \(epoch - 1)" } ?? "no epoch finished before it"
        return TrainerError(
            .failure, place: "epoch \(epoch)",
            "loss became \(value.isNaN ? "nan" : "inf") (\(last)); try a smaller training.learning_rate")
    }
}
