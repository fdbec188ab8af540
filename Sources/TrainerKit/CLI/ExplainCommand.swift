/// `trainer explain`: the first step of `run`, written out like a worked
/// example (text) or as one JSON object.
struct ExplainCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        // The format is checked first: a bad flag is reported before any file is read.
        let format = try OutputFormat(arguments.value("--format"))
        let setup = try RunSetup(arguments: arguments)
        let full = arguments.has("--full")
        let output: String
        switch setup.config.training.precision {
        case .float64: output = Self.render(try Self.firstStep(setup, as: Double.self), format: format, full: full)
        case .float32: output = Self.render(try Self.firstStep(setup, as: Float.self), format: format, full: full)
        }
        try context.stdout.write(output)
        return ExitCode.success
    }

    static func render<S: Scalar>(_ step: ExplainedStep<S>, format: OutputFormat, full: Bool) -> String {
        switch format {
        case .text: return ExplainText(step: step, full: full).render()
        case .json: return ExplainJSON.render(step)
        }
    }

    /// Runs exactly what `run` runs first: the same setup, the same trainer,
    /// epoch 1's order from the same generator, its first batch (or, when
    /// resuming inside an epoch, the batch where the run stopped), one step.
    static func firstStep<S: Scalar>(_ setup: RunSetup, as: S.Type) throws(TrainerError) -> ExplainedStep<S> {
        let prepared = try setup.prepare(as: S.self)
        let training = setup.config.training
        let schedule = training.schedule
        // explain never evaluates, so the trainer gets no test set.
        var trainer = Trainer(
            network: prepared.network, progress: prepared.progress, schedule: schedule,
            train: prepared.train, test: nil)
        let count = prepared.train.count
        var order = Array(0..<count)
        var generator = prepared.progress.generator  // a copy: the trainer's own stays untouched
        trainer.fillEpochOrder(&order, using: &generator)
        let start = prepared.progress.samplesIntoEpoch
        let batch = order[start..<start + min(schedule.batchSize, count - start)]
        let result = trainer.step(samples: batch)
        let trace: Backpropagation<S>
        if trainer.fusesUpdate {
            // The trace comes from an unfused step: with sgd, run folds the
            // update into the gradient product and keeps no ∂E/∂W, so a second
            // trainer takes the same step the long way to show them. The
            // weights after the step are run's (the fused trainer's): for
            // float64 the same bits as W − η·∂E/∂W; for float32 they may
            // differ from it in the last bit.
            var tracer = Trainer(
                network: prepared.network, progress: prepared.progress, schedule: schedule,
                train: prepared.train, test: nil, allowFusedUpdate: false)
            _ = tracer.step(samples: batch)
            trace = tracer.trace
        } else {
            trace = trainer.trace
        }
        return ExplainedStep(
            configFile: setup.config.file, epoch: prepared.progress.epochsCompleted + 1,
            firstSampleInEpoch: start, samples: Array(batch), trainCount: count,
            batchSize: schedule.batchSize, shuffle: schedule.shuffle, loss: schedule.loss,
            learningRate: S(schedule.learningRate(epoch: prepared.progress.epochsCompleted + 1)),
            otherUpdateRule: schedule.isPlainDeltaRule
                ? nil : schedule.optimizer.name + (schedule.l2 == 0 ? "" : " with l2 \(schedule.l2)"),
            scaling: prepared.scaling, before: prepared.network, after: trainer.network, trace: trace,
            meanLoss: result.lossSum / Double(batch.count))
    }
}
