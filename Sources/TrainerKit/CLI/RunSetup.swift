import Glibc

/// The part of `run` that `check` shares: the config (from a file, stdin or
/// a built-in example) with the command line's overrides applied, the network
/// it starts from, and its data, all checked before anything is written.
struct RunSetup {
    var config: Config
    /// NAME in the default output paths `out/NAME.weights.json`.
    var name: String
    /// The folder default outputs and relative config paths live in.
    var directory: String { config.directory }
    /// The config file read, if it is a file (for output collision checks).
    var configFile: FilePath?
    var initFrom: FilePath?
    var memoryLimit: Int
    /// True when `--seed` was given, which replaces a resumed generator.
    var seedOverridden: Bool
    /// Where each overridable value came from: a flag or a config key.
    var batchSizeOrigin: String
    var epochsOrigin: String
    /// `--train-seconds`: the log gets a `train_seconds` column.
    var logsTrainSeconds: Bool
    /// The `--set PATH=VALUE` arguments, in order (recorded in the weights file).
    var overrides: [ConfigOverride]

    init(arguments: ParsedArguments) throws(TrainerError) {
        var overrides: [ConfigOverride] = []
        for argument in arguments.values("--set") { overrides.append(try ConfigOverride(argument)) }
        self.overrides = overrides
        if let exampleName = arguments.value("--example") {
            guard arguments.positionals.isEmpty else {
                throw TrainerError.usage("--example", "give either --example or CONFIG.json, not both")
            }
            guard let example = Examples.named(exampleName) else { throw ExampleCommand.unknownExample(exampleName) }
            config = try Config.decode(Array(example.config.utf8), file: "example \(example.name)", directory: "", overrides: overrides)
            name = example.name
        } else {
            guard let path = arguments.positionals.first else {
                throw TrainerError.usage("", "missing CONFIG.json (or --example NAME). See 'trainer help run'.")
            }
            // A stream (`-`, `/dev/stdin`, `<(cat c.json)`) has no folder of
            // its own: Config.load gives it the working folder, for its paths
            // and for the default outputs.
            config = try Config.load(path: path, overrides: overrides)
            if path == "-" {
                name = "stdin"
            } else {
                let fileName = Paths.fileName(of: path)
                name = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
                configFile = FilePath(path: path)
            }
        }
        initFrom = arguments.value("--init-from").map { FilePath(path: $0) }
        memoryLimit =
            try arguments.value("--max-memory").map { text throws(TrainerError) in
                try OptionValue.byteCount(text, option: "--max-memory")
            } ?? MemoryEstimate.defaultLimit
        seedOverridden = arguments.value("--seed") != nil
        logsTrainSeconds = arguments.has("--train-seconds")
        batchSizeOrigin = arguments.value("--batch-size") != nil ? "--batch-size" : "\(config.file): training.batch_size"
        epochsOrigin = arguments.value("--epochs") != nil ? "--epochs" : "\(config.file): training.epochs"
        if let text = arguments.value("--epochs") {
            config.training.epochs = try OptionValue.wholeNumber(text, option: "--epochs", minimum: 1)
        }
        if let text = arguments.value("--learning-rate") {
            config.training.learningRate = try OptionValue.positiveNumber(text, option: "--learning-rate")
            // As training.learning_rate is checked: a float32 run's rate must be a float32 number.
            if config.training.precision == .float32, let problem = JSONFields.float32RangeProblem(text) {
                throw TrainerError.usage("--learning-rate", problem)
            }
        }
        if let text = arguments.value("--batch-size") {
            config.training.batchSize = try OptionValue.wholeNumber(text, option: "--batch-size", minimum: 1)
        }
        if let text = arguments.value("--seed") {
            config.training.seed = try OptionValue.seed(text, option: "--seed")
        }
    }

    /// The files the run reads, which no output may overwrite.
    var inputFiles: [(file: FilePath, origin: String)] {
        var files: [(FilePath, String)] = []
        if let configFile { files.append((configFile, "the config")) }
        for source in [config.data.train] + [config.data.test, config.data.validation].compactMap({ $0 }) {
            switch source {
            case .inline: break
            case .csv(let csv): files.append((csv.file, "\(source.path).csv"))
            case .idx(let idx):
                files.append((idx.images, "\(source.path).idx_images"))
                files.append((idx.labels, "\(source.path).idx_labels"))
            }
        }
        return files
    }

    /// Everything a run starts from, in precision `S`.
    struct Prepared<S: Scalar> {
        var spec: NetworkSpec
        var network: Network<S>
        var progress: TrainingProgress
        var train: Dataset<S>
        var test: Dataset<S>?
        /// `data.validation`, or the share of `data.train` that `training.validation_split` held out.
        var validation: Dataset<S>?
        /// `data.normalize` as fitted (or as the starting weights file had
        /// it), already applied to the three data sets; nil for none.
        var scaling: InputScaling?
        var estimate: MemoryEstimate
        /// The loss log's columns for this run.
        var logColumns: [String]
        /// Notices for stderr (not with --quiet), each a line: a batch size
        /// larger than the data, taken as all of it.
        var notes: [String] = []
    }

    /// The config's network, data and checks for a run in `S`; an error
    /// about a value `--set` gave names that `--set` argument.
    /// - Parameter threads: threads parsing CSV data (`--threads` for `run`).
    func prepare<S: Scalar>(as: S.Type, threads: Int = HostProcess.availableProcessors) throws(TrainerError) -> Prepared<S> {
        do {
            return try prepareFromConfig(as: S.self, threads: threads)
        } catch {
            throw ConfigOverride.attribute(error, to: overrides, file: config.file)
        }
    }

    private func prepareFromConfig<S: Scalar>(as: S.Type, threads: Int) throws(TrainerError) -> Prepared<S> {
        let spec = try config.resolveNetwork(initFrom: initFrom)
        let training = config.training
        let shape = DataShape(inputSize: spec.layers[0], outputSize: spec.layers[spec.layers.count - 1], configFile: config.file)
        // Refuse runs too large for memory before allocating any of it: the
        // data sets are sized from their files without reading them in
        // (a CSV stream, which cannot be, is counted once read).
        let sources = [config.data.train] + [config.data.test, config.data.validation].compactMap { $0 }
        var footprints = sources.map { DataFootprint.survey($0, shape: shape) }
        _ = try checkedEstimate(spec: spec, data: footprints.compactMap { $0 }, trainSamples: footprints[0]?.samples, allocated: false)

        var generator = RandomGenerator(seed: training.seed)
        var progress: TrainingProgress
        if let resumed = spec.resumedFrom {
            if !seedOverridden, let state = resumed.randomState, let saved = RandomGenerator(state: state) {
                generator = saved
            }
            progress = TrainingProgress(generator: generator)
            progress.epochsCompleted = resumed.epochsTrained
            progress.samplesIntoEpoch = resumed.samplesIntoEpoch
            progress.samplesTrained = resumed.samplesTrained
            progress.partialLossSum = resumed.partialLossSum ?? 0
            progress.partialCorrect = resumed.partialCorrect ?? 0
            progress.lastEpochLoss = resumed.finalLoss
        } else {
            progress = TrainingProgress(generator: generator)
        }
        let network: Network<S> = try spec.build(using: &generator)
        if spec.resumedFrom == nil { progress.generator = generator }  // shuffling continues the stream

        var train: Dataset<S> = try DataLoader.load(config.data.train, shape: shape, footprint: footprints[0], threads: threads)
        var test: Dataset<S>? = try config.data.test.map { source throws(TrainerError) in
            try DataLoader.load(source, shape: shape, classes: train.classNames, footprint: footprints[1], threads: threads)
        }
        var validation: Dataset<S>? = try config.data.validation.map { source throws(TrainerError) in
            try DataLoader.load(
                source, shape: shape, classes: train.classNames, footprint: footprints[footprints.count - 1], threads: threads)
        }
        let counts = [train.count] + [test?.count, validation?.count].compactMap { $0 }
        let integerInputs = [train.holdsIntegerBytes] + [test?.holdsIntegerBytes, validation?.holdsIntegerBytes].compactMap { $0 }
        for index in footprints.indices where footprints[index] == nil {
            var footprint = DataFootprint.loaded(sources[index], count: counts[index], shape: shape)
            // A stream's inputs, known once read: bytes when they all were
            // small whole numbers.
            footprint.byteInputs = integerInputs[index]
            footprints[index] = footprint
        }
        if let fraction = training.validationSplit {
            // Both parts are copies (MemoryProbe).
            try train.requireCopyMemory(
                place: "\(config.file): training.validation_split", "to split \(DataLoader.plural(train.count, "sample"))")
            (train, validation) = try train.splitForValidation(fraction: fraction, seed: training.seed, file: config.file)
        }
        if scalesInputs(spec) {
            for data in [train, test, validation].compactMap({ $0 }) {
                try data.requireScalingMemory(place: "\(config.file): data.normalize")
            }
        }
        let scaling = try inputScaling(spec: spec, fittingTo: train)
        if let scaling {
            train.scaleInputs(by: scaling)
            test?.scaleInputs(by: scaling)
            validation?.scaleInputs(by: scaling)
        }
        // As Keras and PyTorch do: a batch larger than the data is all of it.
        var notes: [String] = []
        if training.batchSize > train.count {
            let setting = batchSizeOrigin == "--batch-size" ? "--batch-size" : "training.batch_size"
            notes.append(
                "trainer: note: \(setting) \(training.batchSize) is larger than the \(DataLoader.plural(train.count, "sample")) of data.train; "
                    + "each epoch is one batch of all \(train.count)")
        }
        if progress.samplesIntoEpoch >= train.count, progress.samplesIntoEpoch > 0 {
            throw TrainerError.file(
                initFrom?.display ?? "",
                "was saved \(progress.samplesIntoEpoch) samples into an epoch, but data.train has \(train.count); was the data changed?")
        }
        let resumedStep = spec.resumedFrom?.optimizer.flatMap { $0.name == training.optimizer.name ? $0.step : nil }
        try checkCounters(progress, optimizerStep: resumedStep ?? 0, samples: train.count)
        let outputActivation = spec.activations[spec.activations.count - 1]
        try train.checkTargets(loss: training.loss, outputActivation: outputActivation)
        try test?.checkTargets(loss: training.loss, outputActivation: outputActivation)
        try validation?.checkTargets(loss: training.loss, outputActivation: outputActivation)
        let estimate = try checkedEstimate(spec: spec, data: footprints.compactMap { $0 }, trainSamples: train.count, allocated: true)
        let columns = LossLog.columns(
            accuracy: train.labels != nil, test: test != nil, testAccuracy: test?.labels != nil,
            validation: validation != nil, validationAccuracy: validation?.labels != nil,
            learningRate: training.learningRateSchedule.varies, trainSeconds: logsTrainSeconds)
        // Here, not in run: check and explain refuse the config too.
        let monitors = [
            training.earlyStopping.map { ($0.monitor, "training.early_stopping.monitor") },
            training.target.map { ($0.monitor, "training.target.monitor") },
        ]
        for case (let monitor, let path)? in monitors where !columns.contains(monitor) {
            throw TrainerError.at(
                config.file, path: path,
                "this run's log has no \(monitor) column (its columns: \(columns.joined(separator: ", "))); accuracy needs one-hot classes"
            )
        }
        return Prepared(
            spec: spec, network: network, progress: progress, train: train, test: test, validation: validation, scaling: scaling,
            estimate: estimate, logColumns: columns, notes: notes)
    }

    /// Refuses a run whose counters would overflow: the epoch number, the
    /// samples trained and the optimizer's step grow from the values of the
    /// --init-from weights file by `training.epochs` epochs of `samples`
    /// samples, and each must stay at most 2^63 − 1. Checked before any
    /// arithmetic on them, so a counter near 2^63 in a weights file, or a
    /// huge --epochs, is an error here and not a trap mid-run.
    func checkCounters(_ progress: TrainingProgress, optimizerStep: Int, samples: Int) throws(TrainerError) {
        let epochs = config.training.epochs, batchSize = config.training.batchSize
        let file = initFrom?.display ?? ""
        let steps = samples / batchSize + (samples % batchSize == 0 ? 0 : 1)
        let largest = "\(Int.max) (2^63 − 1)"
        // Each counter: its start, its growth per epoch, the weights file's
        // key for it, what it counts, and an epoch's share in words.
        let counters: [(start: Int, perEpoch: Int, key: String, counts: String, share: String)] = [
            (progress.epochsCompleted, 1, "metadata.epochs_trained", "epochs", ""),
            (
                progress.samplesTrained, samples, "metadata.samples_trained", "samples trained",
                " of \(DataLoader.plural(samples, "sample"))"
            ),
            (optimizerStep, steps, "metadata.optimizer.step", "optimizer steps", " of \(DataLoader.plural(steps, "optimizer step"))"),
        ]
        // The most epochs each leaves room for (start ≥ 0 and perEpoch ≥ 1:
        // a weights file's counts are whole numbers ≥ 0).
        let room = counters.map { (Int.max - $0.start) / $0.perEpoch }
        for (counter, most) in zip(counters, room) where most < 1 {
            throw TrainerError.at(
                file, path: counter.key,
                "\(counter.start) leaves no room for another epoch\(counter.share): counts stop at \(largest); expected at most \(Int.max - counter.perEpoch)"
            )
        }
        // The counter with the least room names the limit.
        let binding = room.indices.min { room[$0] < room[$1] }!
        if epochs > room[binding] {
            let counter = counters[binding]
            let after = counter.start > 0 ? " after the \(counter.start) of \(file)" : ""
            throw TrainerError(
                place: epochsOrigin,
                "\(epochs) epochs\(counter.share)\(after) would count \(counter.counts) past \(largest); expected at most \(room[binding])")
        }
    }

    /// The input scaling of this run: the starting weights file's, whose
    /// weights were learnt for it (refitting would change what they mean),
    /// else `data.normalize` fitted to the training samples.
    func inputScaling<S: Scalar>(spec: NetworkSpec, fittingTo train: Dataset<S>) throws(TrainerError) -> InputScaling? {
        if let start = try config.startScaling(of: spec) { return start }
        guard let method = config.data.normalize, method != .none, train.count > 0 else { return nil }
        return InputScaling(fitting: method, to: train.inputs)
    }

    /// Whether the run scales its inputs: by data.normalize, or as the
    /// weights file it starts from did.
    func scalesInputs(_ spec: NetworkSpec) -> Bool {
        (config.data.normalize ?? .none) != .none || spec.startScaling != nil
    }

    /// What the run is made of, for its memory estimate.
    /// - Parameter trainSamples: data.train's samples, when known: no batch is larger.
    func memoryPlan(spec: NetworkSpec, data: [DataFootprint], trainSamples: Int? = nil) -> MemoryPlan {
        let training = config.training
        let batchSize = max(min(training.batchSize, trainSamples ?? training.batchSize), 1)
        var plan = MemoryPlan(layers: spec.layers, precision: training.precision, batchSize: batchSize)
        plan.optimizerSlots = training.optimizer.slots
        plan.keepsBestNetwork = training.earlyStopping != nil
        plan.splitsFirstLayer = FirstLayerSplit.applies(precision: training.precision, schedule: training.schedule, inputs: spec.layers[0])
        plan.validationSplit = training.validationSplit != nil
        plan.normalizes = scalesInputs(spec)
        (plan.literalBytes, plan.literalCount) = spec.literalText
        if let file = initFrom ?? config.network.from {
            var status = stat()
            if stat(file.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG { plan.startingFileBytes = Int(status.st_size) }
        }
        plan.data = data
        return plan
    }

    /// The config key (or flag) to change for each part of the estimate.
    func place(of part: MemoryEstimate.Part) -> String {
        switch part.name {
        case "network":
            if initFrom != nil { return "--init-from" }
            return "\(config.file): network.\(config.network.from != nil ? "from" : "layers")"
        case "batches": return batchSizeOrigin
        case "runtime": return "--max-memory"
        default: return "\(config.file): \(part.name)"
        }
    }

    /// The memory estimate, or an error, blaming its largest part, when it
    /// is above the limit.
    /// - Parameter allocated: whether the data sets are in memory already,
    ///   so that only the network and its batches are still to be asked for.
    func checkedEstimate(
        spec: NetworkSpec, data: [DataFootprint], trainSamples: Int?, allocated: Bool
    ) throws(TrainerError) -> MemoryEstimate {
        let overflow = "too large: the parameter count or memory overflows a 64-bit integer"
        guard let estimate = MemoryEstimate.estimate(memoryPlan(spec: spec, data: data, trainSamples: trainSamples)) else {
            throw TrainerError(place: place(of: MemoryEstimate.Part(name: "network", bytes: 0, detail: "")), overflow)
        }
        let total = estimate.totalBytes
        let place = place(of: estimate.parts[0])
        guard total < Int.max else { throw TrainerError(place: place, overflow) }
        if total > memoryLimit {
            throw TrainerError(
                place: place, "the run needs \(estimate.summary); limit is \(MemoryEstimate.bytes(memoryLimit)) (set --max-memory)")
        }
        // A --max-memory raised past what the machine (or `ulimit -v`) can
        // give: Swift traps ("failed to allocate") when an array cannot be
        // allocated, so ask first (MemoryProbe) for all but what is in use
        // already: the runtime, and once loaded the data sets. Nothing is
        // touched, so nothing is used.
        let toAllocate =
            allocated
            ? estimate.parts.filter { $0.name == "network" || $0.name == "batches" }.reduce(0) { MemoryEstimate.plus($0, $1.bytes) }
            : total - MemoryEstimate.runtimeBytes
        guard MemoryProbe.canAllocate(max(toAllocate, 1)) else {
            let smaller =
                switch estimate.parts[0].name {
                case "network": "a smaller network"
                case "batches": "smaller batches"
                default: "less data"
                }
            throw TrainerError(
                place: place,
                "the run needs \(estimate.summary); \(MemoryProbe.shortfall); expected \(smaller)\(MemoryProbe.isLimited ? " or a higher limit" : "")"
            )
        }
        return estimate
    }
}
