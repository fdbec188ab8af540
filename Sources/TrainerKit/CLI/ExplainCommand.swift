/// `trainer explain`: the first step of `run`, written out like a worked
/// example (text) or as one JSON object.
struct ExplainCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        // The format is checked first: a bad flag is reported before any file is read.
        let svg = arguments.value("--format") == "svg"
        let format = svg ? .text : try OutputFormat(arguments.value("--format"), others: ["svg"])
        let path = arguments.value("--output")
        if let path, path != "-" { try OutputPlan.checkWritable(FilePath(path: path)) }
        let setup = try RunSetup(arguments: arguments)
        let full = arguments.has("--full")
        let output: String
        switch setup.config.training.precision {
        case .float64:
            output = try Self.render(try Self.firstStep(setup, as: Double.self), format: format, svg: svg, full: full, setup: setup)
        case .float32:
            output = try Self.render(try Self.firstStep(setup, as: Float.self), format: format, svg: svg, full: full, setup: setup)
        }
        try OutputPlan.write(output, to: path ?? "-", stdout: context.stdout)
        return ExitCode.success
    }

    static func render<S: Scalar>(
        _ step: ExplainedStep<S>, format: OutputFormat, svg: Bool, full: Bool, setup: RunSetup
    ) throws(TrainerError) -> String {
        guard svg else { return render(step, format: format, full: full) }
        try StepSVG<S>.check(step.sizes)
        return StepSVG(step: step).render(title: "trainer explain \(setup.config.file): the first step of 'trainer run'")
    }

    static func render<S: Scalar>(_ step: ExplainedStep<S>, format: OutputFormat, full: Bool) -> String {
        switch format {
        case .text: return ExplainText(step: step, full: full).render()
        case .json: return ExplainJSON.render(step)
        }
    }

    /// Takes the step `run` takes first: the same setup, epoch 1's order from
    /// the same generator, its first batch (or, when resuming inside an
    /// epoch, the batch where the run stopped), by the textbook
    /// (Model/Backprop.swift): forward pass, losses, backward pass, update.
    /// For float64 those are run's numbers bit for bit (PlainStepTests).
    /// Float32's fast step rounds differently, so there run's trainer takes
    /// the step too, and the weights after it and the mean loss are its own:
    /// what run's weights file and loss log hold.
    static func firstStep<S: Scalar>(_ setup: RunSetup, as: S.Type) throws(TrainerError) -> ExplainedStep<S> {
        let prepared = try setup.prepare(as: S.self)
        let schedule = setup.config.training.schedule
        // explain never evaluates, so the trainer gets no test set.
        let savedOptimizer = prepared.spec.resumedFrom?.optimizer
        var trainer = Trainer(
            network: prepared.network, progress: prepared.progress, schedule: schedule,
            train: prepared.train, test: nil, optimizerState: savedOptimizer)
        let count = prepared.train.count
        var order = Array(0..<count)
        var generator = prepared.progress.generator  // a copy: the trainer's own stays untouched
        trainer.fillEpochOrder(&order, using: &generator)
        let start = prepared.progress.samplesIntoEpoch
        let batch = order[start..<start + min(schedule.batchSize, count - start)]
        let epoch = prepared.progress.epochsCompleted + 1
        let rate = schedule.learningRate(epoch: epoch)

        let network = prepared.network, last = network.layerCount - 1
        let samples = prepared.train.subset(Array(batch), name: prepared.train.name)
        let trace = network.forward(samples.inputs)
        let losses = schedule.loss.sampleLosses(
            output: trace.output, weightedInput: trace.z[last], targets: samples.targets, activation: network.activations[last])
        let gradients = network.backward(trace, targets: samples.targets, loss: schedule.loss)
        var after = network
        if schedule.isPlainDeltaRule {
            after.descend(along: gradients, learningRate: S(rate))
        } else {
            // Resuming, the velocities or moments continue from the file, as in run.
            var optimizer = Optimizer(kind: schedule.optimizer, l2: schedule.l2, network: network, resuming: savedOptimizer)
            optimizer.update(&after, along: gradients, learningRate: rate)
        }
        var meanLoss = losses.reduce(0.0) { $0 + Double($1) } / Double(batch.count)
        if S.self == Float.self {
            let result = trainer.step(samples: batch)
            after = trainer.network
            meanLoss = result.lossSum / Double(batch.count)
        }
        return ExplainedStep(
            configFile: setup.config.file, epoch: epoch,
            firstSampleInEpoch: start, samples: Array(batch), trainCount: count,
            batchSize: min(schedule.batchSize, count), shuffle: schedule.shuffle, loss: schedule.loss,
            learningRate: S(rate),
            otherUpdateRule: schedule.isPlainDeltaRule
                ? nil : schedule.optimizer.name + (schedule.l2 == 0 ? "" : " with l2 \(schedule.l2)"),
            scaling: prepared.scaling, before: network, after: after, trace: trace, gradients: gradients,
            targets: samples.targets, sampleLosses: losses, meanLoss: meanLoss)
    }
}
