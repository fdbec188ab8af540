import Glibc

/// `trainer run`: prepare and check everything, then train, then save.
struct RunCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let setup = try RunSetup(arguments: arguments)
        switch setup.config.training.precision {
        case .float64: return try train(setup, as: Double.self)
        case .float32: return try train(setup, as: Float.self)
        }
    }

    /// `--threads N`, clamped to the cores (results do not depend on the
    /// count, and oversubscribing only slows training down); all cores by
    /// default (docs/commands.md). Products too small to gain stay on one thread.
    func threadCount() throws(TrainerError) -> Int {
        guard let text = arguments.value("--threads") else { return max(context.processorCount, 1) }
        return min(try OptionValue.wholeNumber(text, option: "--threads", minimum: 1), max(context.processorCount, 1))
    }

    /// The outputs named by the flags, the config, or the defaults.
    func outputPlan(_ setup: RunSetup) -> OutputPlan {
        let defaults = OutputPlan.defaultPaths(configDirectory: setup.directory, name: setup.name)
        let weights: OutputPlan.Target
        if let path = arguments.value("--weights-out") {
            weights = .init(file: FilePath(path: path), origin: "--weights-out")
        } else if let file = setup.config.output.weights {
            weights = .init(file: file, origin: "output.weights")
        } else {
            weights = .init(file: defaults.weights, origin: "the default weights path")
        }
        var log: OutputPlan.Target?
        if let path = arguments.value("--log") {
            log = path == "-" ? nil : .init(file: FilePath(path: path), origin: "--log")
        } else if let file = setup.config.output.lossLog {
            log = file.path == "-" ? nil : .init(file: file, origin: "output.loss_log")
        } else {
            log = .init(file: defaults.log, origin: "the default loss log path")
        }
        return OutputPlan(weights: weights, log: log)
    }

    /// `--progress N` or `--progress epoch` (1); nil without it.
    var progressEvery: Int? {
        get throws(TrainerError) {
            guard let text = arguments.value("--progress") else { return nil }
            if text == "epoch" { return 1 }
            guard let every = Int(text), every >= 1 else {
                throw TrainerError.usage("--progress", "expected a whole number of epochs ≥ 1 or 'epoch', found \"\(text)\"")
            }
            return every
        }
    }

    func train<S: Scalar>(_ setup: RunSetup, as: S.Type) throws -> Int32 {
        let threads = try threadCount()
        let progressEvery = try self.progressEvery
        let prepared = try setup.prepare(as: S.self, threads: threads)
        let plan = outputPlan(setup)
        if !arguments.has("--quiet") { prepared.notes.forEach(context.note) }
        try plan.check(inputs: setup.inputFiles)

        let train = prepared.train, test = prepared.test, validation = prepared.validation
        let training = setup.config.training
        let columns = prepared.logColumns
        let appendToLog =
            try plan.log.map { target throws(TrainerError) in
                try existingLogMatches(target.file, columns: columns, resuming: setup.initFrom != nil)
            } ?? false
        // Last, because a successful trial leaves the folder's time changed:
        // what the final save will do, tried now (AtomicFile.probe).
        try AtomicFile.probe(plan.weights.file.path, display: plan.weights.file.display)

        // Every check has passed: from here on files are written, and a
        // signal stops training instead of the process.
        context.armSignals()
        if let signal = context.pendingSignal() {
            throw TrainerError(.interrupted(signal: signal), place: "", "stopped by signal \(signal) before training; nothing written")
        }
        try plan.createFolders()
        // Held until the run ends (OutputLock): a second run writing the
        // same files stops here, before it writes anything.
        let weightsLock = try OutputLock.lockWeights(plan.weights.file.path, display: plan.weights.file.display)
        defer { weightsLock?.release() }
        let logOutput = try openLog(plan, appending: appendToLog, resumedEpoch: prepared.progress.epochsCompleted)
        defer {
            if let file = logOutput as? FileDescriptorOutput, plan.log != nil { close(file.descriptor) }
        }
        let log: LossLog
        do throws(OutputError) {
            log = try LossLog(columns: columns, output: logOutput, writeHeader: !appendToLog)
        } catch {
            if error.isBrokenPipe && plan.log == nil { return ExitCode.brokenPipe }
            throw error.trainerError
        }

        let schedule = setup.config.training.schedule
        var trainer = Trainer(
            network: prepared.network, progress: prepared.progress, schedule: schedule, train: train, test: test,
            validation: validation, optimizerState: prepared.spec.resumedFrom?.optimizer, threads: threads)
        let reporter = ProgressReporter(
            context: context, quiet: arguments.has("--quiet"),
            firstEpoch: prepared.progress.epochsCompleted + 1, epochs: schedule.epochs,
            epochStartSamples: prepared.progress.samplesIntoEpoch, every: progressEvery, samplesPerEpoch: train.count)
        let logIsStdout = plan.log == nil
        let observer = TrainingObserver(
            epochFinished: { (record: EpochRecord) throws(TrainerError) -> Bool in
                do throws(OutputError) {
                    try log.write(record)
                } catch {
                    if error.isBrokenPipe && logIsStdout { return false }
                    throw error.trainerError
                }
                reporter.epochFinished(record)
                return true
            },
            batchFinished: { epoch, done, samples, lossSum in
                reporter.batchFinished(epoch: epoch, samplesDone: done, samples: samples, lossSum: lossSum)
            },
            pendingSignal: context.pendingSignal)

        /// Sends the rows the log still holds; false when its reader (stdout) went away.
        func flushLog() throws(TrainerError) -> Bool {
            do throws(OutputError) {
                try log.flush()
            } catch {
                if error.isBrokenPipe && logIsStdout { return false }
                throw error.trainerError
            }
            return true
        }
        // The rows so far, when training fails (a NaN loss): the log keeps them.
        defer { try? log.flush() }

        let weightsTarget = plan.weights.file
        var stop = try trainer.run(observer: observer, checkpointEvery: training.checkpointEvery) {
            (current: Trainer<S>) throws(TrainerError) in
            // The log first, so that a checkpoint never holds an epoch the log lacks.
            _ = try flushLog()
            // A checkpoint: what an interruption would save, so --init-from resumes from it.
            let file = weightsFile(current, setup: setup, scaling: prepared.scaling, stoppedBy: "checkpoint")
            try AtomicFile.write(file.encoded(), to: weightsTarget.path, display: weightsTarget.display)
        }
        // As a row written at once would have found it: the reader gone.
        if try !flushLog(), stop == .completed || stop == .earlyStopped || stop == .targetReached { stop = .outputClosed }
        if case .interrupted(let signal) = stop, trainer.progress.samplesTrained == prepared.progress.samplesTrained {
            // Stopped before the first batch: nothing learnt, nothing to save.
            return 128 + signal
        }

        let savedEpoch = try saveFinalWeights(&trainer, stop: stop, setup: setup, scaling: prepared.scaling, to: plan.weights.file)

        switch stop {
        case .completed, .earlyStopped, .targetReached:
            reporter.finished(
                progress: trainer.progress, savedEpoch: savedEpoch, weights: plan.weights.file.display, log: plan.log?.file.display)
            return ExitCode.success
        case .interrupted(let signal):
            reporter.interrupted(signal: signal, progress: trainer.progress, weights: plan.weights.file.display)
            return 128 + signal
        case .outputClosed:
            return ExitCode.brokenPipe
        }
    }

    /// The weights file for the trainer's network and progress.
    func weightsFile<S: Scalar>(_ trainer: Trainer<S>, setup: RunSetup, scaling: InputScaling?, stoppedBy: String) -> WeightsFile {
        var metadata = WeightsFile.Metadata()
        metadata.loss = trainer.schedule.loss
        metadata.epochsTrained = trainer.progress.epochsCompleted
        metadata.samplesIntoEpoch = trainer.progress.samplesIntoEpoch
        metadata.samplesTrained = trainer.progress.samplesTrained
        metadata.finalLoss = trainer.progress.lastEpochLoss
        metadata.seed = setup.config.training.seed
        metadata.randomState = trainer.progress.generator.stateWords
        if trainer.progress.samplesIntoEpoch > 0 {
            metadata.partialLossSum = trainer.progress.partialLossSum
            metadata.partialCorrect = trainer.progress.partialCorrect
        }
        metadata.classes = trainer.train.classNames
        metadata.inputScaling = scaling
        metadata.stoppedBy = stoppedBy
        metadata.optimizer = trainer.optimizer.savedState
        if !setup.overrides.isEmpty { metadata.overrides = setup.overrides.map(\.argument) }
        if let record = trainer.lastRecord {
            metadata.lastEpoch = record.logValues.map { WeightsFile.Metadata.LogValue(column: $0.column, value: $0.value) }
        }
        return WeightsFile(network: trainer.network, metadata: metadata)
    }

    /// The loss log, opened for the run: locked first (OutputLock), then
    /// truncated, or, when appending to a resumed run's log, cut back to
    /// the epoch the weights file holds; stdout for `--log -`.
    func openLog(_ plan: OutputPlan, appending: Bool, resumedEpoch: Int) throws(TrainerError) -> TextOutput {
        guard let target = plan.log else { return context.stdout }
        // Truncated only once locked, so that another run's log stays whole.
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (appending ? O_APPEND : 0)
        let descriptor = open(target.file.path, flags, 0o666)
        guard descriptor >= 0 else { throw TrainerError(.failure, place: target.file.display, systemErrorText(errno)) }
        do throws(TrainerError) {
            try OutputLock.lockLog(descriptor, display: target.file.display)
            var status = stat()
            if !appending, fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, ftruncate(descriptor, 0) != 0 {
                throw TrainerError(.failure, place: target.file.display, systemErrorText(errno))
            }
            if appending {
                try dropRowsAfterResumedEpoch(
                    descriptor, file: target.file, epoch: resumedEpoch)
            }
        } catch {
            close(descriptor)
            throw error
        }
        return FileDescriptorOutput(descriptor: descriptor, name: target.file.display, capacity: 0)
    }

    /// Saves the weights when training stops: why it stopped, and with
    /// early stopping the best epoch's weights (not when a signal stopped
    /// it: that file is for resuming, nor when the target was reached),
    /// with a note naming that epoch. Returns the epoch whose weights it saved.
    @discardableResult
    func saveFinalWeights<S: Scalar>(
        _ trainer: inout Trainer<S>, stop: StopReason, setup: RunSetup, scaling: InputScaling?, to target: FilePath
    ) throws(TrainerError) -> Int {
        let training = setup.config.training
        let stoppedBy: String
        switch stop {
        case .completed: stoppedBy = "completed"
        case .interrupted: stoppedBy = "interrupted"
        case .outputClosed: stoppedBy = "output_closed"
        case .earlyStopped: stoppedBy = "early_stopping"
        case .targetReached: stoppedBy = "target"
        }
        if stop == .targetReached, let goal = training.target, let value = trainer.lastRecord?.value(of: goal.monitor),
            !arguments.has("--quiet")
        {
            context.note("trainer: reached the target after epoch \(trainer.progress.epochsCompleted): \(goal.describe(value))")
        }
        var restoredBest: BestEpoch<S>?
        if training.earlyStopping != nil, stop == .completed || stop == .earlyStopped, let best = trainer.best {
            trainer.restoreBest()
            restoredBest = best
        }
        var file = weightsFile(trainer, setup: setup, scaling: scaling, stoppedBy: stoppedBy)
        if let best = restoredBest, let stopping = training.earlyStopping {
            file.metadata.monitor = stopping.monitor
            file.metadata.bestEpoch = best.epoch
            file.metadata.bestValue = best.value
        }
        try AtomicFile.write(file.encoded(), to: target.path, display: target.display)
        if let best = restoredBest, let stopping = training.earlyStopping, !arguments.has("--quiet") {
            let why =
                stop == .earlyStopped
                ? "early stopping after epoch \(trainer.progress.epochsCompleted): \(stopping.monitor) did not improve for \(stopping.patience) epoch\(stopping.patience == 1 ? "" : "s")"
                : "training finished"
            context.note(
                "trainer: \(why); saved the weights of epoch \(best.epoch) (best \(stopping.monitor) \(ProgressReporter.short(best.value)))"
            )
        }
        return restoredBest?.epoch ?? trainer.progress.epochsCompleted
    }

    /// Cuts the locked log being resumed back to the epoch the weights file
    /// holds, so that it stays one run's rows with each epoch once (the
    /// rows a run logged after its last checkpoint are logged again).
    func dropRowsAfterResumedEpoch(_ descriptor: Int32, file: FilePath, epoch: Int) throws(TrainerError) {
        let bytes = try FileReading.read(file.path, display: file.display)
        let kept = LossLog.keptLength(ofExisting: bytes, throughEpoch: epoch)
        guard kept < bytes.count else { return }
        guard ftruncate(descriptor, off_t(kept)) == 0 else {
            throw TrainerError(.failure, place: file.display, systemErrorText(errno))
        }
        let dropped = bytes[kept...].split(separator: UInt8(ascii: "\n")).count
        if !arguments.has("--quiet") {
            context.note(
                "trainer: \(file.display): dropped \(dropped) row\(dropped == 1 ? "" : "s") after epoch \(epoch), "
                    + "where the weights file resumes")
        }
    }

    /// Whether to append to an existing log: only when resuming, and only to
    /// a log whose header matches this run's columns, and only to a regular
    /// file (a FIFO or device is written to, never read back).
    func existingLogMatches(_ file: FilePath, columns: [String], resuming: Bool) throws(TrainerError) -> Bool {
        guard resuming, FileReading.isRegularFile(file.path) else { return false }
        guard let bytes = try? FileReading.read(file.path, display: file.display), !bytes.isEmpty else { return false }
        let firstLine = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let header = String(decoding: firstLine, as: UTF8.self)
        guard header == columns.joined(separator: ",") else {
            throw TrainerError.file(
                file.display,
                "its columns \(header) differ from this run's \(columns.joined(separator: ",")); give another --log to keep it")
        }
        return true
    }
}
