/// The weights file of docs/contract.md ("Files written"): `layers`, `activations`, `weights` and
/// `biases` in the shapes of a config's `network` section (so the file works
/// as `network.from`, as `--init-from`, or pasted as `network`), plus
/// `metadata` about how it was trained.
///
/// Numbers are written as the shortest decimal that reads back to the same
/// float64 (or float32) bits; keys come in a fixed order and nothing varies
/// between runs (no dates), so the same run writes the same bytes.
public struct WeightsFile: Sendable {
    public static let format = "trainer-weights"
    public static let formatVersion = 1

    public var layers: [Int]
    public var activations: [Activation]
    /// Literal numbers, converted when the network is built in its precision.
    public var weights: [LiteralMatrix]
    public var biases: [[String]]
    public var metadata: Metadata

    /// How the parameters came about. Informational except for what a resumed
    /// run (`--init-from`) continues from: `epochs_trained`,
    /// `samples_into_epoch`, `random_state` and the partial epoch sums.
    public struct Metadata: Equatable, Sendable {
        public var precision: Precision = .float64
        public var loss: Loss?
        /// Complete epochs trained, over every run that led to this file.
        public var epochsTrained: Int = 0
        /// Samples of the next epoch already trained on (an interrupted run).
        public var samplesIntoEpoch: Int = 0
        /// Samples trained on in all, over every run.
        public var samplesTrained: Int = 0
        /// The mean per-sample loss of the last complete epoch.
        public var finalLoss: Double?
        /// `completed`, `interrupted` (a signal), `output_closed` (the log's reader went away).
        public var stoppedBy: String = "completed"
        public var seed: UInt64?
        /// The shuffling generator's state at the start of the next (or the
        /// interrupted) epoch.
        public var randomState: [UInt64]?
        /// Sums over the samples of an interrupted epoch so far (`samples_into_epoch` of them).
        public var partialLossSum: Double?
        public var partialCorrect: Int?
        /// Class names of one-hot outputs, in output order, when known.
        public var classes: [String]?
        /// `data.normalize` as fitted on the training samples: applied to
        /// every input before the network (by run, eval, predict and the
        /// exports). Nil for `none`.
        public var inputScaling: InputScaling?
        /// With early stopping: the column watched, the epoch whose weights
        /// these are, and its value there.
        public var monitor: String?
        public var bestEpoch: Int?
        public var bestValue: Double?
        /// The optimizer's state (momentum, adam), for an exact resume.
        public var optimizer: OptimizerState?
        /// The `--set PATH=VALUE` arguments of the run that wrote it, in order.
        public var overrides: [String]?
        /// The last epoch's loss-log values (`loss`, `accuracy`, `test_loss`,
        /// …; not the times), in the log's column order, for `summarize`.
        public var lastEpoch: [LogValue]?

        /// One column of the last epoch's row.
        public struct LogValue: Equatable, Sendable {
            public var column: String
            public var value: Double
            public init(column: String, value: Double) {
                self.column = column
                self.value = value
            }
        }

        public init() {}
    }

    public init(layers: [Int], activations: [Activation], weights: [LiteralMatrix], biases: [[String]], metadata: Metadata) {
        self.layers = layers
        self.activations = activations
        self.weights = weights
        self.biases = biases
        self.metadata = metadata
    }

    /// The file for a trained network.
    public init<S: Scalar>(network: Network<S>, metadata: Metadata) {
        self.layers = network.layerSizes
        self.activations = network.activations
        self.weights = network.weights.map { matrix in matrix.rowArrays.map { $0.map(JSONWriter.number) } }
        self.biases = network.biases.map { $0.map(JSONWriter.number) }
        var metadata = metadata
        metadata.precision = S.precisionName == "float32" ? .float32 : .float64
        self.metadata = metadata
    }

    // MARK: - Writing

    /// The file's text.
    public func encoded() -> String {
        var out = "{\n"
        out += "  \"format\": \(JSONWriter.string(WeightsFile.format)),\n"
        out += "  \"format_version\": \(WeightsFile.formatVersion),\n"
        out += "  \"layers\": [\(layers.map(String.init).joined(separator: ", "))],\n"
        out += "  \"activations\": [\(activations.map { JSONWriter.string($0.rawValue) }.joined(separator: ", "))],\n"
        out += "  \"weights\": [\n"
        for (l, matrix) in weights.enumerated() {
            for (i, row) in matrix.enumerated() {
                out += (i == 0 ? "    [" : "     ") + "[" + row.joined(separator: ", ") + "]"
                out += i == matrix.count - 1 ? "]" : ",\n"
            }
            out += l == weights.count - 1 ? "\n" : ",\n"
        }
        out += "  ],\n"
        out += "  \"biases\": [\n"
        for (l, vector) in biases.enumerated() {
            out += "    [" + vector.joined(separator: ", ") + "]" + (l == biases.count - 1 ? "\n" : ",\n")
        }
        out += "  ],\n"
        out += "  \"metadata\": {\n"
        var entries: [String] = []
        entries.append("\"precision\": \(JSONWriter.string(metadata.precision.rawValue))")
        if let loss = metadata.loss { entries.append("\"loss\": \(JSONWriter.string(loss.rawValue))") }
        entries.append("\"epochs_trained\": \(metadata.epochsTrained)")
        entries.append("\"samples_into_epoch\": \(metadata.samplesIntoEpoch)")
        entries.append("\"samples_trained\": \(metadata.samplesTrained)")
        if let loss = metadata.finalLoss, loss.isFinite { entries.append("\"final_loss\": \(JSONWriter.number(loss))") }
        entries.append("\"stopped_by\": \(JSONWriter.string(metadata.stoppedBy))")
        if let seed = metadata.seed { entries.append("\"seed\": \(seed)") }
        if let state = metadata.randomState {
            entries.append("\"random_state\": [\(state.map { JSONWriter.string(hex($0)) }.joined(separator: ", "))]")
        }
        if let sum = metadata.partialLossSum, sum.isFinite { entries.append("\"partial_loss_sum\": \(JSONWriter.number(sum))") }
        if let correct = metadata.partialCorrect { entries.append("\"partial_correct\": \(correct)") }
        if let classes = metadata.classes {
            entries.append("\"classes\": [\(classes.map(JSONWriter.string).joined(separator: ", "))]")
        }
        if let scaling = metadata.inputScaling {
            entries.append(
                "\"normalize\": {\"method\": \(JSONWriter.string(scaling.method.rawValue)), \"offset\": \(JSONWriter.row(scaling.offset)), \"scale\": \(JSONWriter.row(scaling.scale))}"
            )
        }
        if let monitor = metadata.monitor { entries.append("\"monitor\": \(JSONWriter.string(monitor))") }
        if let epoch = metadata.bestEpoch { entries.append("\"best_epoch\": \(epoch)") }
        if let value = metadata.bestValue, value.isFinite { entries.append("\"best_value\": \(JSONWriter.number(value))") }
        if let overrides = metadata.overrides {
            entries.append("\"overrides\": [\(overrides.map(JSONWriter.string).joined(separator: ", "))]")
        }
        if let values = metadata.lastEpoch, values.allSatisfy(\.value.isFinite) {
            let members = values.map { "\(JSONWriter.string($0.column)): \(JSONWriter.number($0.value))" }
            entries.append("\"last_epoch\": {\(members.joined(separator: ", "))}")
        }
        if let state = metadata.optimizer { entries.append("\"optimizer\": " + encoded(state)) }
        out += entries.map { "    " + $0 }.joined(separator: ",\n") + "\n"
        out += "  }\n"
        out += "}\n"
        return out
    }

    /// `{"name": …, "step": t, "weights": [slot][layer] matrices, "biases": [slot][layer] vectors}`.
    private func encoded(_ state: OptimizerState) -> String {
        let indent = "        "
        func list(_ items: [String], _ inner: String) -> String {
            "[\n" + items.map { inner + $0 }.joined(separator: ",\n") + "\n" + String(inner.dropLast(2)) + "]"
        }
        let weights = state.weightSlots.map { slot in
            list(
                slot.map { matrix in "[" + matrix.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]" },
                indent + "    ")
        }
        let biases = state.biasSlots.map { slot in
            list(slot.map { "[" + $0.joined(separator: ", ") + "]" }, indent + "    ")
        }
        return "{\n"
            + "\(indent)\"name\": \(JSONWriter.string(state.name)),\n"
            + "\(indent)\"step\": \(state.step),\n"
            + "\(indent)\"weights\": \(list(weights, indent + "  ")),\n"
            + "\(indent)\"biases\": \(list(biases, indent + "  "))\n"
            + "      }"
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // MARK: - Reading

    static let keys = ["format", "format_version", "layers", "activations", "weights", "biases", "metadata"]
    static let metadataKeys = [
        "precision", "loss", "epochs_trained", "samples_into_epoch", "samples_trained", "final_loss",
        "stopped_by", "seed", "random_state", "partial_loss_sum", "partial_correct", "classes", "normalize",
        "monitor", "best_epoch", "best_value", "overrides", "last_epoch", "optimizer",
    ]
    static let optimizerStateKeys = ["name", "step", "weights", "biases"]
    static let normalizeKeys = ["method", "offset", "scale"]

    /// Reads a weights file.
    /// - Parameter file: the path, resolved; its `display` names it in errors.
    public static func read(_ file: FilePath) throws(TrainerError) -> WeightsFile {
        let bytes = try FileReading.read(file.path, display: file.openingPlace)
        return try decode(bytes, file: file.display)
    }

    /// Decodes weights-file text; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws(TrainerError) -> WeightsFile {
        let document: JSONDocument
        try MemoryProbe.requireJSON(bytes, file: file)
        do {
            document = try JSONReader.parse(bytes, expectObject: true)
        } catch {
            let position = LineIndex(bytes).position(of: error.offset)
            throw TrainerError(place: "\(file):\(position.line):\(position.column)", error.message)
        }
        let fields = JSONFields(file: file, document: document)
        let decoder = ConfigDecoder(fields: fields, directory: "")
        // The format first, so that a config (or other JSON) given as weights
        // is called that, rather than named by its first key a weights file lacks.
        guard case .object(let members) = document.root.value,
            let formatMember = members.first(where: { $0.key == "format" }),
            case .string(WeightsFile.format) = formatMember.value.value
        else {
            throw TrainerError.file(file, "not a trainer weights file; expected \"format\": \"\(WeightsFile.format)\"")
        }
        let object = try fields.object(document.root, path: "", known: keys)
        let versionNode = try object.required("format_version", in: fields, expected: "a whole number")
        try checkFormatVersion(versionNode, fields: fields, path: "format_version")

        let layersNode = try object.required("layers", in: fields, expected: "layer sizes")
        var layers: [Int] = []
        for (index, element) in try fields.array(layersNode, path: "layers").enumerated() {
            layers.append(try fields.wholeNumber(element, path: JSONFields.join("layers", index), minimum: 1))
        }
        guard layers.count >= 2 else {
            throw fields.meaning(path: "layers", "expected at least 2 sizes, found \(layers.count)")
        }
        let activationsNode = try object.required("activations", in: fields, expected: "activation names")
        var activations: [Activation] = []
        for (index, element) in try fields.array(activationsNode, path: "activations").enumerated() {
            let name = try fields.name(element, path: JSONFields.join("activations", index), kind: "activation", names: Activation.names)
            activations.append(Activation(rawValue: name)!)
        }
        guard activations.count == layers.count - 1 else {
            throw fields.meaning(
                path: "activations", "expected \(layers.count - 1) names (one per layer after the input), found \(activations.count)")
        }
        let weights = try decoder.decodeWeights(
            try object.required("weights", in: fields, expected: "weight matrices"), layers: layers, path: "weights")
        let biases = try decoder.decodeBiases(
            try object.required("biases", in: fields, expected: "bias vectors"), layers: layers, path: "biases")
        var metadata = Metadata()
        if let node = object["metadata"] {
            metadata = try decodeMetadata(node, fields: fields, layers: layers)
        }
        return WeightsFile(layers: layers, activations: activations, weights: weights, biases: biases, metadata: metadata)
    }

    static func checkFormatVersion(_ node: JSONNode, fields: JSONFields, path: String) throws(TrainerError) {
        let version = try fields.wholeNumber(node, path: path, minimum: 1)
        if version > formatVersion {
            throw TrainerError.file(fields.file, "format_version \(version) is newer than this trainer (\(formatVersion)); update trainer")
        }
    }

    private static func decodeMetadata(_ node: JSONNode, fields: JSONFields, layers: [Int]) throws(TrainerError) -> Metadata {
        let object = try fields.object(node, path: "metadata", known: metadataKeys)
        var metadata = Metadata()
        if let node = object["precision"] {
            metadata.precision = Precision(
                rawValue: try fields.name(node, path: "metadata.precision", kind: "precision", names: Precision.names))!
        }
        if let node = object["loss"] {
            metadata.loss = Loss(rawValue: try fields.name(node, path: "metadata.loss", kind: "loss", names: Loss.names))
        }
        if let node = object["epochs_trained"] {
            metadata.epochsTrained = try fields.wholeNumber(node, path: "metadata.epochs_trained", minimum: 0)
        }
        if let node = object["samples_into_epoch"] {
            metadata.samplesIntoEpoch = try fields.wholeNumber(node, path: "metadata.samples_into_epoch", minimum: 0)
        }
        if let node = object["samples_trained"] {
            metadata.samplesTrained = try fields.wholeNumber(node, path: "metadata.samples_trained", minimum: 0)
        }
        if let node = object["final_loss"] { metadata.finalLoss = try fields.number(node, path: "metadata.final_loss") }
        if let node = object["stopped_by"] { metadata.stoppedBy = try fields.string(node, path: "metadata.stopped_by") }
        if let node = object["seed"] {
            metadata.seed = try ConfigDecoder(fields: fields, directory: "").decodeSeed(node, path: "metadata.seed")
        }
        if let node = object["random_state"] {
            var words: [UInt64] = []
            for (index, element) in try fields.array(node, path: "metadata.random_state").enumerated() {
                let text = try fields.string(element, path: "metadata.random_state[\(index)]")
                guard text.count == 16, let word = UInt64(text, radix: 16) else {
                    throw fields.meaning(path: "metadata.random_state[\(index)]", "expected 16 hexadecimal digits, found \"\(text)\"")
                }
                words.append(word)
            }
            guard RandomGenerator(state: words) != nil else {
                throw fields.meaning(path: "metadata.random_state", "expected 4 words, not all zero")
            }
            metadata.randomState = words
        }
        if let node = object["partial_loss_sum"] { metadata.partialLossSum = try fields.number(node, path: "metadata.partial_loss_sum") }
        if let node = object["partial_correct"] {
            metadata.partialCorrect = try fields.wholeNumber(node, path: "metadata.partial_correct", minimum: 0)
        }
        if let node = object["classes"] {
            var names: [String] = []
            for (index, element) in try fields.array(node, path: "metadata.classes").enumerated() {
                names.append(try fields.string(element, path: "metadata.classes[\(index)]"))
            }
            metadata.classes = names
        }
        if let node = object["normalize"] { metadata.inputScaling = try decodeInputScaling(node, fields: fields, inputs: layers[0]) }
        if let node = object["monitor"] { metadata.monitor = try fields.string(node, path: "metadata.monitor") }
        if let node = object["best_epoch"] { metadata.bestEpoch = try fields.wholeNumber(node, path: "metadata.best_epoch", minimum: 1) }
        if let node = object["best_value"] { metadata.bestValue = try fields.number(node, path: "metadata.best_value") }
        if let node = object["overrides"] {
            var overrides: [String] = []
            for (index, element) in try fields.array(node, path: "metadata.overrides").enumerated() {
                overrides.append(try fields.string(element, path: "metadata.overrides[\(index)]"))
            }
            metadata.overrides = overrides
        }
        if let node = object["last_epoch"] {
            guard case .object(let members) = node.value else {
                throw fields.typeMismatch(node, path: "metadata.last_epoch", expected: "an object of log columns and numbers")
            }
            metadata.lastEpoch = try members.map { member throws(TrainerError) in
                Metadata.LogValue(column: member.key, value: try fields.number(member.value, path: "metadata.last_epoch.\(member.key)"))
            }
        }
        if let node = object["optimizer"] { metadata.optimizer = try decodeOptimizerState(node, fields: fields, layers: layers) }
        // A resumed run adds to partial_correct; it counts among the
        // samples_into_epoch samples, so it can never be more.
        if let correct = metadata.partialCorrect, correct > metadata.samplesIntoEpoch {
            throw fields.meaning(
                path: "metadata.partial_correct",
                "\(correct) correct, but metadata.samples_into_epoch is \(metadata.samplesIntoEpoch); expected at most \(metadata.samplesIntoEpoch)"
            )
        }
        return metadata
    }

    /// `metadata.normalize`: `{"method", "offset", "scale"}`, one offset and
    /// one non-zero scale per input; nil for method `none`.
    private static func decodeInputScaling(_ node: JSONNode, fields: JSONFields, inputs: Int) throws(TrainerError) -> InputScaling? {
        let path = "metadata.normalize"
        let object = try fields.object(node, path: path, known: normalizeKeys)
        let methodName = try fields.name(
            try object.required("method", in: fields, expected: InputScaling.Method.names.joined(separator: ", ")), path: "\(path).method",
            kind: "normalization", names: InputScaling.Method.names)
        let method = InputScaling.Method(rawValue: methodName)!
        func numbers(_ key: String, nonZero: Bool) throws(TrainerError) -> [Double] {
            let elements = try fields.array(
                try object.required(key, in: fields, expected: "one number per input"), path: "\(path).\(key)")
            guard elements.count == inputs else {
                throw fields.meaning(
                    path: "\(path).\(key)", "expected \(DataLoader.plural(inputs, "number")) (one per input), found \(elements.count)")
            }
            var values: [Double] = []
            for (index, element) in elements.enumerated() {
                if nonZero {
                    values.append(
                        try fields.number(element, path: "\(path).\(key)[\(index)]", expected: "a non-zero number") { $0 != 0 })
                } else {
                    values.append(try fields.number(element, path: "\(path).\(key)[\(index)]"))
                }
            }
            return values
        }
        let offset = try numbers("offset", nonZero: false)
        let scale = try numbers("scale", nonZero: true)
        guard method != .none else { return nil }
        return InputScaling(method: method, offset: offset, scale: scale)
    }

    /// `metadata.optimizer`: each slot shaped like the network's weights and biases.
    private static func decodeOptimizerState(_ node: JSONNode, fields: JSONFields, layers: [Int]) throws(TrainerError) -> OptimizerState {
        let path = "metadata.optimizer"
        let object = try fields.object(node, path: path, known: optimizerStateKeys)
        let name = try fields.name(
            try object.required("name", in: fields, expected: "momentum or adam"), path: "\(path).name",
            kind: "optimizer", names: OptimizerKind.names)
        let step = try fields.wholeNumber(
            try object.required("step", in: fields, expected: "a whole number"), path: "\(path).step", minimum: 0)
        let slots = OptimizerKind.slots(named: name)
        let decoder = ConfigDecoder(fields: fields, directory: "")
        let weightNodes = try fields.array(
            try object.required("weights", in: fields, expected: "an array of slots"), path: "\(path).weights")
        let biasNodes = try fields.array(try object.required("biases", in: fields, expected: "an array of slots"), path: "\(path).biases")
        guard weightNodes.count == slots, biasNodes.count == slots else {
            throw fields.meaning(
                path: path,
                "\(name) keeps \(slots) slot\(slots == 1 ? "" : "s") of state, found \(weightNodes.count) and \(biasNodes.count)")
        }
        var weightSlots: [[LiteralMatrix]] = [], biasSlots: [[[String]]] = []
        for (index, slot) in weightNodes.enumerated() {
            weightSlots.append(try decoder.decodeWeights(slot, layers: layers, path: "\(path).weights[\(index)]"))
        }
        for (index, slot) in biasNodes.enumerated() {
            biasSlots.append(try decoder.decodeBiases(slot, layers: layers, path: "\(path).biases[\(index)]"))
        }
        return OptimizerState(name: name, step: step, weightSlots: weightSlots, biasSlots: biasSlots)
    }
}
