import Glibc

/// The settings of a training run that the epoch loop needs.
public struct TrainingSchedule: Sendable {
    public var loss: Loss
    public var learningRate: Double
    /// Epochs this run trains (docs/contract.md, "Saving, failing and resuming": `--epochs` counts this run's epochs).
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: Bool
    public var optimizer: OptimizerKind
    /// λ of L2 weight decay.
    public var l2: Double
    public var learningRateSchedule: LearningRateSchedule
    public var earlyStopping: EarlyStopping?
    public var target: TrainingTarget?

    public init(
        loss: Loss, learningRate: Double, epochs: Int, batchSize: Int, shuffle: Bool,
        optimizer: OptimizerKind = .sgd, l2: Double = 0, learningRateSchedule: LearningRateSchedule = .constant,
        earlyStopping: EarlyStopping? = nil, target: TrainingTarget? = nil
    ) {
        self.loss = loss
        self.learningRate = learningRate
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.optimizer = optimizer
        self.l2 = l2
        self.learningRateSchedule = learningRateSchedule
        self.earlyStopping = earlyStopping
        self.target = target
    }

    /// Whether the update is the plain delta rule, W ← W − η·∂E/∂W (sgd
    /// without L2), which `run` folds into the gradient product.
    public var isPlainDeltaRule: Bool { optimizer == .sgd && l2 == 0 }

    /// The learning rate of `epoch` (1-based, over every run).
    public func learningRate(epoch: Int) -> Double {
        learningRateSchedule.rate(base: learningRate, epoch: epoch)
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
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// The learning rate the epoch trained with.
    public var learningRate: Double = 0
    /// Wall time since this run's training began: every epoch's training,
    /// evaluation and logging so far (the log's `seconds`).
    public var seconds: Double
    /// This epoch's training passes alone (forward, backward, update), without
    /// evaluating the test or validation data or writing the log (the log's
    /// `train_seconds`).
    public var trainSeconds: Double = 0
}

/// Why a run ended.
public enum StopReason: Equatable, Sendable {
    case completed
    /// A signal asked to stop; training ended at a batch boundary.
    case interrupted(signal: Int32)
    /// The loss log's reader went away (a closed pipe).
    case outputClosed
    /// Early stopping: the monitored column stopped improving.
    case earlyStopped
    /// `training.target`: the monitored column reached the target.
    case targetReached
}

/// Early stopping's memory: the best epoch so far and its network.
public struct BestEpoch<S: Scalar>: Sendable {
    public var epoch: Int
    public var value: Double
    public var network: Network<S>
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
    /// The network as the steps so far leave it.
    public var network: Network<S> { engine.network }
    public private(set) var progress: TrainingProgress
    public let schedule: TrainingSchedule
    public let train: Dataset<S>
    public let test: Dataset<S>?
    public let validation: Dataset<S>?
    /// The optimizer and its state (saved with the weights).
    public var optimizer: Optimizer<S> { engine.optimizer }
    /// With early stopping: the best epoch of this run so far.
    public private(set) var best: BestEpoch<S>?
    /// The row of the last epoch trained, if any.
    public private(set) var lastRecord: EpochRecord?

    /// The step: everything that makes it fast (Engine/).
    private var engine: TrainingEngine<S>
    private var evaluator: Evaluator<S>?
    /// Whether ``step(samples:learningRate:loadingNext:)`` folds the update into the gradient product.
    public var fusesUpdate: Bool { engine.fusesUpdate }

    /// - Parameter threads: threads for the large matrix products (the
    ///   results do not depend on it).
    public init(
        network: Network<S>, progress: TrainingProgress, schedule: TrainingSchedule, train: Dataset<S>, test: Dataset<S>?,
        validation: Dataset<S>? = nil, optimizerState: OptimizerState? = nil, threads: Int = 1,
        minimumSplitOperations: Int = TrainingEngine<S>.defaultMinimumSplitOperations, allowFusedUpdate: Bool = true
    ) {
        self.progress = progress
        self.schedule = schedule
        self.train = train
        self.test = test
        self.engine = TrainingEngine(
            network: network, schedule: schedule, batchCapacity: min(schedule.batchSize, train.count), optimizerState: optimizerState,
            threads: threads, minimumSplitOperations: minimumSplitOperations, allowFusedUpdate: allowFusedUpdate)
        self.validation = validation
        self.evaluator = (test ?? validation).map { _ in Evaluator(network: network) }
    }

    /// Trains `schedule.epochs` epochs (finishing an interrupted epoch first,
    /// which counts as one), or until the observer stops it.
    /// - Throws: a ``TrainerError`` of kind `.failure` when the loss becomes
    ///   NaN or infinite; the network is then not to be saved.
    /// - Parameter checkpoint: called with the trainer after every
    ///   `checkpointEvery`-th epoch (by the epoch's number), to save it.
    public mutating func run(
        observer: TrainingObserver, checkpointEvery: Int? = nil,
        checkpoint: ((Trainer<S>) throws(TrainerError) -> Void)? = nil
    ) throws(TrainerError) -> StopReason {
        let clock = ContinuousClock()
        let started = clock.now
        // Taken out of self once: each step then borrows it, rather than
        // copying it out of self (the arrays retained) while the engine is
        // being changed.
        let train = self.train
        let n = train.count
        var order = Array(0..<n)
        for _ in 0..<schedule.epochs {
            let epoch = progress.epochsCompleted + 1
            let generatorAtEpochStart = progress.generator
            var generator = progress.generator
            fillEpochOrder(&order, using: &generator)
            let learningRate = schedule.learningRate(epoch: epoch)
            var lossSum = progress.partialLossSum
            var correct = progress.partialCorrect
            var start = progress.samplesIntoEpoch
            let epochStarted = clock.now
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
                let next = start + m < n ? order[start + m..<min(start + m + schedule.batchSize, n)] : nil
                let result = engine.step(train, samples: order[start..<start + m], learningRate: learningRate, next: next)
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
            let trained = clock.now
            let trainSeconds = (trained - epochStarted).seconds
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
            record.learningRate = learningRate
            record.trainSeconds = trainSeconds
            if let result = evaluate(on: test) {
                (record.testLoss, record.testAccuracy) = (result.loss, result.accuracy)
            }
            if let result = evaluate(on: validation) {
                (record.validationLoss, record.validationAccuracy) = (result.loss, result.accuracy)
            }
            // The clock read once more only when evaluation took time since.
            record.seconds = ((test == nil && validation == nil ? trained : clock.now) - started).seconds
            lastRecord = record
            let shouldStop = noteForEarlyStopping(record)
            let reached = schedule.target.flatMap { target in record.value(of: target.monitor).map(target.isReached) } ?? false
            guard try observer.epochFinished(record) else { return .outputClosed }
            if reached { return .targetReached }
            if shouldStop { return .earlyStopped }
            if let every = checkpointEvery, let checkpoint, epoch % every == 0 {
                try checkpoint(self)
            }
        }
        return .completed
    }

    /// The network's loss and accuracy on `data`, if there is such data.
    private mutating func evaluate(on data: Dataset<S>?) -> Evaluation? {
        // Taken out of self while it runs, so that its buffers have one
        // owner and are written in place, not copied on the first write.
        guard let data, var evaluator = evaluator.take() else { return nil }
        let result = evaluator.evaluate(network, on: data, loss: schedule.loss)
        self.evaluator = evaluator
        return result
    }

    /// Updates ``best`` with the epoch just finished; true when the
    /// monitored column has not improved for `patience` epochs.
    private mutating func noteForEarlyStopping(_ record: EpochRecord) -> Bool {
        guard let stopping = schedule.earlyStopping, let value = record.value(of: stopping.monitor) else { return false }
        guard let best, !stopping.improves(value, on: best.value) else {
            best = BestEpoch(epoch: record.epoch, value: value, network: network)
            return false
        }
        // Every epoch has the monitored value (RunSetup refuses a monitor
        // the log lacks), so the epochs since the best are the difference.
        return record.epoch - best.epoch >= stopping.patience
    }

    /// Puts the best epoch's weights back (early stopping, at the end of a run).
    public mutating func restoreBest() {
        if let best { engine.network = best.network }
    }

    /// The order in which an epoch visits the training samples: shuffled by
    /// `generator` when the schedule shuffles, else in file order.
    public func fillEpochOrder(_ order: inout [Int], using generator: inout RandomGenerator) {
        for i in order.indices { order[i] = i }
        if schedule.shuffle { generator.shuffle(&order) }
    }

    /// One step of gradient descent on the given samples: forward pass, loss
    /// (before the update), backward pass, update. Afterwards ``trace`` holds
    /// every z, a, δ and gradient of the step.
    /// - Parameter loadingNext: the next batch's samples, whose rows are
    ///   prefetched while this step computes. The numbers are the same either
    ///   way.
    public mutating func step(
        samples: ArraySlice<Int>, learningRate: Double? = nil, loadingNext next: ArraySlice<Int>? = nil
    ) -> StepResult {
        let rate = learningRate ?? schedule.learningRate(epoch: progress.epochsCompleted + 1)
        return engine.step(train, samples: samples, learningRate: rate, next: next)
    }

    /// The last step's forward and backward pass: every z, a, δ and gradient.
    public var trace: Backpropagation<S> { engine.trace }

    /// Throws when a weight or bias is NaN or infinite: a network that is
    /// not to be saved.
    private func checkParametersAreFinite(epoch: Int) throws(TrainerError) {
        guard let parameter = engine.firstNonFiniteParameter() else { return }
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

extension EpochRecord {
    /// The value of a log column by its name, nil where the epoch has none
    /// (early stopping, the loss log and the progress lines read it).
    /// The row's values other than the epoch and the times, in the log's
    /// order: loss, accuracy, test_…, val_…, lr.
    public var logValues: [(column: String, value: Double)] {
        var values: [(String, Double)] = [("loss", loss)]
        for column in ["accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy"] {
            if let value = value(of: column) { values.append((column, value)) }
        }
        return values
    }

    public func value(of column: String) -> Double? {
        switch column {
        case "loss": loss
        case "accuracy": accuracy
        case "test_loss": testLoss
        case "test_accuracy": testAccuracy
        case "val_loss": validationLoss
        case "val_accuracy": validationAccuracy
        default: nil
        }
    }
}
