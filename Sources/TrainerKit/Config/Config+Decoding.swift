/// Turning a config file into a ``Config``: every key of docs/configuration.md,
/// unknown keys refused, every error placed.
extension Config {
    /// The keys of each section, the single source for unknown-key checks.
    static let topLevelKeys = ["$schema", "description", "network", "training", "data", "output"]
    static let networkKeys = [
        "layers", "activation", "activations", "init", "weights", "biases", "from",
        // A weights file's own keys, so that one can be pasted as `network`.
        "format", "format_version", "metadata",
    ]
    static let trainingKeys = [
        "loss", "learning_rate", "epochs", "batch_size", "shuffle", "seed", "precision",
        "optimizer", "l2", "lr_schedule", "validation_split", "early_stopping", "target", "checkpoint_every",
    ]
    static let dataKeys = ["train", "test", "validation", "normalize"]
    static let sourceKeys = [
        "inputs", "targets", "labels", "csv", "label", "classes", "header", "idx_images", "idx_labels", "limit",
    ]
    static let outputKeys = ["weights", "loss_log"]

    /// The section each key belongs in, for "epochs belongs in training".
    static let sectionOfKey: [String: String] = {
        var map: [String: String] = [:]
        for key in networkKeys { map[key] = "network" }
        for key in trainingKeys { map[key] = "training" }
        for key in dataKeys { map[key] = "data" }
        for key in outputKeys where map[key] == nil { map[key] = "output" }
        return map
    }()

    /// Reads and decodes the config at `path` (`-` reads stdin). Paths in
    /// the config resolve against its folder, or against the working folder
    /// when it comes from a stream (see ``FileReading/isStream(_:)``).
    public static func load(path: String, overrides: [ConfigOverride] = []) throws(TrainerError) -> Config {
        // Before reading: a FIFO's type is known without consuming it.
        let directory = FileReading.isStream(path) ? "" : Paths.directory(of: path)
        let bytes = try FileReading.read(argument: path)
        return try decode(bytes, file: FileReading.display(of: path), directory: directory, overrides: overrides)
    }

    /// Decodes config text.
    /// - Parameters:
    ///   - file: how messages name the config.
    ///   - directory: the folder paths inside the config resolve against
    ///     (empty for the working directory).
    ///   - overrides: `--set` values, applied in order before decoding;
    ///     errors about them name the `--set` argument.
    public static func decode(
        _ bytes: [UInt8], file: String, directory: String, overrides: [ConfigOverride] = []
    ) throws(TrainerError) -> Config {
        var document: JSONDocument
        try MemoryProbe.requireJSON(bytes, file: file)
        do {
            document = try JSONReader.parse(bytes, expectObject: true)
        } catch {
            let position = LineIndex(bytes).position(of: error.offset)
            throw TrainerError(place: "\(file):\(position.line):\(position.column)", error.message)
        }
        if !overrides.isEmpty {
            var root = document.root
            for override in overrides { try override.apply(to: &root) }
            document = JSONDocument(root: root, lineIndex: document.lineIndex)
        }
        var decoder = ConfigDecoder(fields: JSONFields(file: file, document: document), directory: directory)
        do {
            return try decoder.decodeConfig(document.root)
        } catch {
            throw ConfigOverride.attribute(error, to: overrides, file: file)
        }
    }
}

/// The decoding state: the fields reader and where relative paths resolve.
struct ConfigDecoder {
    let fields: JSONFields
    let directory: String

    func elsewhere(except section: String) -> [String: String] {
        Config.sectionOfKey.filter { $0.value != section }
    }

    mutating func decodeConfig(_ root: JSONNode) throws(TrainerError) -> Config {
        let top = try fields.object(root, path: "", known: Config.topLevelKeys, elsewhere: Config.sectionOfKey)
        if let schema = top["$schema"] { _ = try fields.string(schema, path: "$schema") }
        if let description = top["description"] { _ = try fields.string(description, path: "description") }

        let trainingNode = try top.required("training", in: fields, expected: "an object with learning_rate and epochs")
        let training = try decodeTraining(trainingNode)
        let networkNode = try top.required("network", in: fields, expected: "an object with layers")
        let network = try decodeNetwork(networkNode)
        let dataNode = try top.required("data", in: fields, expected: "an object with train")
        let data = try decodeData(dataNode)
        let output = try top["output"].map { node throws(TrainerError) in try decodeOutput(node) } ?? OutputConfig()
        let config = Config(file: fields.file, directory: directory, network: network, training: training, data: data, output: output)
        try config.validateCombinations()
        return config
    }

    // MARK: - training

    func decodeTraining(_ node: JSONNode) throws(TrainerError) -> TrainingConfig {
        var misplaced = elsewhere(except: "training")
        for key in Config.optimizerKeys where key != "name" { misplaced[key] = "training.optimizer" }
        for key in Config.earlyStoppingKeys { misplaced[key] = "training.early_stopping" }
        let object = try fields.object(node, path: "training", known: Config.trainingKeys, elsewhere: misplaced)
        let rateNode = try object.required("learning_rate", in: fields, expected: "a number > 0")
        let learningRate = try fields.number(rateNode, path: "training.learning_rate", expected: "a number > 0") { $0 > 0 }
        let epochsNode = try object.required("epochs", in: fields, expected: "a whole number ≥ 1")
        var training = TrainingConfig(
            learningRate: learningRate,
            epochs: try fields.wholeNumber(epochsNode, path: "training.epochs", minimum: 1))
        if let node = object["loss"] {
            training.loss = Loss(rawValue: try fields.name(node, path: "training.loss", kind: "loss", names: Loss.names))!
        }
        if let node = object["batch_size"] {
            training.batchSize = try fields.wholeNumber(node, path: "training.batch_size", minimum: 1)
        }
        if let node = object["shuffle"] {
            training.shuffle = try fields.bool(node, path: "training.shuffle")
        }
        if let node = object["seed"] {
            training.seed = try decodeSeed(node, path: "training.seed")
        }
        if let node = object["precision"] {
            training.precision = Precision(
                rawValue: try fields.name(node, path: "training.precision", kind: "precision", names: Precision.names))!
        }
        try decodeTrainingOptions(object, into: &training)
        if training.precision == .float32 { try checkFloat32Settings(object) }
        return training
    }

    /// The real-valued settings a float32 run turns into float32 numbers:
    /// one that overflows float32 (1e39) would make the run NaN, and one
    /// that is not 0 but rounds to 0 (1e-50) would silently be 0.
    func checkFloat32Settings(_ training: JSONObject) throws(TrainerError) {
        var settings: [(path: String, node: JSONNode)] = []
        for key in ["learning_rate", "l2"] {
            if let node = training[key] { settings.append(("training.\(key)", node)) }
        }
        for (section, keys, known) in [
            ("optimizer", ["momentum", "beta1", "beta2", "epsilon"], Config.optimizerKeys),
            ("lr_schedule", ["factor", "minimum"], Config.scheduleKeys),
        ] {
            guard let node = training[section], case .object = node.value else { continue }
            let object = try fields.object(node, path: "training.\(section)", known: known)
            for key in keys {
                if let setting = object[key] { settings.append(("training.\(section).\(key)", setting)) }
            }
        }
        for (path, node) in settings {
            if let problem = JSONFields.float32RangeProblem(try fields.numberLiteral(node, path: path)) {
                throw fields.meaning(path: path, problem)
            }
        }
    }

    func decodeSeed(_ node: JSONNode, path: String) throws(TrainerError) -> UInt64 {
        let text = try fields.numberLiteral(node, path: path)
        if let seed = UInt64(text) { return seed }
        if let whole = JSONFields.wholeValue(of: text), whole >= 0 { return UInt64(whole) }
        throw fields.meaning(path: path, "expected a whole number from 0 to \(UInt64.max), found \(text)")
    }

    // MARK: - network

    func decodeNetwork(_ node: JSONNode) throws(TrainerError) -> NetworkConfig {
        let object = try fields.object(node, path: "network", known: Config.networkKeys, elsewhere: elsewhere(except: "network"))
        var network = NetworkConfig()
        if let node = object["format_version"] {
            try WeightsFile.checkFormatVersion(node, fields: fields, path: "network.format_version")
        }
        if let node = object["from"] {
            network.from = try filePath(node, path: "network.from")
            for key in ["weights", "biases", "init"] where object.has(key) {
                throw fields.meaning(path: object.path(key), "not allowed with network.from, which gives the whole network")
            }
        }
        if let node = object["layers"] {
            let elements = try fields.array(node, path: "network.layers", of: "an array of layer sizes")
            var layers: [Int] = []
            for (index, element) in elements.enumerated() {
                layers.append(try fields.wholeNumber(element, path: JSONFields.join("network.layers", index), minimum: 1))
            }
            guard layers.count >= 2 else {
                throw fields.meaning(path: "network.layers", "expected at least 2 sizes (inputs and outputs), found \(layers.count)")
            }
            network.layers = layers
        } else if network.from == nil {
            throw fields.meaning(path: "network.layers", "required, missing; expected layer sizes such as [2, 3, 1]")
        }
        network.activations = try decodeActivations(object, layerCount: network.layers.map { $0.count - 1 })
        if let node = object["init"] {
            network.initialization = Initialization(
                rawValue: try fields.name(node, path: "network.init", kind: "initialisation", names: Initialization.names))!
        }
        if let layers = network.layers {
            if let node = object["weights"] {
                network.weights = try decodeWeights(node, layers: layers, path: "network.weights")
            }
            if let node = object["biases"] {
                network.biases = try decodeBiases(node, layers: layers, path: "network.biases")
            }
        }
        return network
    }

    func decodeActivations(_ object: JSONObject, layerCount: Int?) throws(TrainerError) -> ActivationChoice? {
        if object.has("activation"), object.has("activations") {
            throw fields.meaning(path: "network.activations", "give either network.activation or network.activations, not both")
        }
        if let node = object["activation"] {
            let name = try fields.name(node, path: "network.activation", kind: "activation", names: Activation.names)
            return .all(Activation(rawValue: name)!)
        }
        guard let node = object["activations"] else { return nil }
        let elements = try fields.array(node, path: "network.activations", of: "an array of activation names")
        var activations: [Activation] = []
        for (index, element) in elements.enumerated() {
            let name = try fields.name(
                element, path: JSONFields.join("network.activations", index), kind: "activation", names: Activation.names)
            activations.append(Activation(rawValue: name)!)
        }
        if let layerCount, activations.count != layerCount {
            throw fields.meaning(
                path: "network.activations",
                "expected \(layerCount) names (one per layer after the input), found \(activations.count)")
        }
        return .perLayer(activations)
    }

    func decodeWeights(_ node: JSONNode, layers: [Int], path: String) throws(TrainerError) -> [LiteralMatrix] {
        let matrices = try fields.array(node, path: path, of: "an array of weight matrices")
        guard matrices.count == layers.count - 1 else {
            throw fields.meaning(
                path: path,
                "expected \(layers.count - 1) \(layers.count == 2 ? "matrix" : "matrices") (one per layer after the input), found \(matrices.count)"
            )
        }
        var result: [LiteralMatrix] = []
        for (l, matrixNode) in matrices.enumerated() {
            let matrixPath = JSONFields.join(path, l)
            let rows = try fields.array(matrixNode, path: matrixPath, of: "a matrix (an array of rows)")
            guard rows.count == layers[l] else {
                throw fields.meaning(
                    path: matrixPath,
                    "expected \(layers[l]) rows (layer \(l) has \(layers[l]) neuron\(layers[l] == 1 ? "" : "s")), found \(rows.count)")
            }
            var matrix: LiteralMatrix = []
            for (i, rowNode) in rows.enumerated() {
                let rowPath = JSONFields.join(matrixPath, i)
                let row = try numberRow(rowNode, path: rowPath)
                guard row.count == layers[l + 1] else {
                    throw fields.meaning(
                        path: rowPath,
                        "expected \(layers[l + 1]) columns (layer \(l + 1) has \(layers[l + 1]) neuron\(layers[l + 1] == 1 ? "" : "s")), found \(row.count)"
                    )
                }
                matrix.append(row)
            }
            result.append(matrix)
        }
        return result
    }

    func decodeBiases(_ node: JSONNode, layers: [Int], path: String) throws(TrainerError) -> [[String]] {
        let vectors = try fields.array(node, path: path, of: "an array of bias vectors")
        guard vectors.count == layers.count - 1 else {
            throw fields.meaning(
                path: path,
                "expected \(layers.count - 1) vector\(layers.count == 2 ? "" : "s") (one per layer after the input), found \(vectors.count)"
            )
        }
        var result: [[String]] = []
        for (l, vectorNode) in vectors.enumerated() {
            let vectorPath = JSONFields.join(path, l)
            let vector = try numberRow(vectorNode, path: vectorPath)
            guard vector.count == layers[l + 1] else {
                throw fields.meaning(
                    path: vectorPath,
                    "expected \(layers[l + 1]) value\(layers[l + 1] == 1 ? "" : "s") (layer \(l + 1) has \(layers[l + 1]) neuron\(layers[l + 1] == 1 ? "" : "s")), found \(vector.count)"
                )
            }
            result.append(vector)
        }
        return result
    }

    /// An array of number literals.
    func numberRow(_ node: JSONNode, path: String) throws(TrainerError) -> [String] {
        let elements = try fields.array(node, path: path, of: "an array of numbers")
        var row: [String] = []
        row.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .number(let text) = element.value else {
                throw fields.typeMismatch(element, path: JSONFields.join(path, index), expected: "a number")
            }
            row.append(text)
        }
        return row
    }

    /// An array of arrays of number literals (a data matrix).
    func numberMatrix(_ node: JSONNode, path: String) throws(TrainerError) -> LiteralMatrix {
        let rows = try fields.array(node, path: path, of: "an array of rows")
        var matrix: LiteralMatrix = []
        matrix.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            matrix.append(try numberRow(row, path: JSONFields.join(path, index)))
        }
        return matrix
    }

    // MARK: - data

    func decodeData(_ node: JSONNode) throws(TrainerError) -> DataConfig {
        let object = try fields.object(node, path: "data", known: Config.dataKeys, elsewhere: elsewhere(except: "data"))
        let trainNode = try object.required("train", in: fields, expected: "inline data, a CSV file or IDX files")
        let train = try decodeSource(trainNode, path: "data.train")
        let test = try object["test"].map { node throws(TrainerError) in try decodeSource(node, path: "data.test") }
        let validation = try object["validation"].map { node throws(TrainerError) in try decodeSource(node, path: "data.validation") }
        var normalize: InputScaling.Method?
        if let node = object["normalize"] {
            normalize = InputScaling.Method(
                rawValue: try fields.name(node, path: "data.normalize", kind: "normalization", names: InputScaling.Method.names))!
        }
        return DataConfig(train: train, test: test, validation: validation, normalize: normalize)
    }

    func decodeSource(_ node: JSONNode, path: String) throws(TrainerError) -> DataSource {
        let object = try fields.object(node, path: path, known: Config.sourceKeys)
        let only: (String, [String]) throws(TrainerError) -> Void = { (form: String, allowed: [String]) throws(TrainerError) in
            for key in Config.sourceKeys where object.has(key) && !allowed.contains(key) {
                throw fields.meaning(path: object.path(key), "not used with \(form)")
            }
        }
        if let csvNode = object["csv"] {
            try only("csv", ["csv", "inputs", "targets", "label", "classes", "header"])
            var source = CSVSource(path: path, file: try filePath(csvNode, path: object.path("csv")))
            if let node = object["inputs"] { source.inputs = try columns(node, path: object.path("inputs")) }
            if let node = object["targets"] { source.targets = try columns(node, path: object.path("targets")) }
            if let node = object["label"] { source.label = try column(node, path: object.path("label")) }
            if let node = object["classes"] {
                let elements = try fields.array(node, path: object.path("classes"), of: "an array of class names")
                var names: [String] = []
                for (index, element) in elements.enumerated() {
                    names.append(try fields.string(element, path: JSONFields.join(object.path("classes"), index)))
                }
                source.classes = names
            }
            if let node = object["header"] { source.header = try fields.bool(node, path: object.path("header")) }
            if source.targets != nil, source.label != nil {
                throw fields.meaning(path: object.path("label"), "give either targets or label, not both")
            }
            if source.classes != nil, source.label == nil {
                throw fields.meaning(path: object.path("classes"), "only used with label")
            }
            return .csv(source)
        }
        if object.has("idx_images") || object.has("idx_labels") {
            try only("IDX files", ["idx_images", "idx_labels", "limit"])
            let images = try object.required("idx_images", in: fields, expected: "the path of an IDX image file")
            let labels = try object.required("idx_labels", in: fields, expected: "the path of an IDX label file")
            var source = IDXSource(
                path: path, images: try filePath(images, path: object.path("idx_images")),
                labels: try filePath(labels, path: object.path("idx_labels")))
            if let node = object["limit"] { source.limit = try fields.wholeNumber(node, path: object.path("limit"), minimum: 1) }
            return .idx(source)
        }
        try only("inline data", ["inputs", "targets", "labels"])
        guard let inputsNode = object["inputs"] else {
            throw fields.meaning(
                path: path, "expected inline data (inputs and targets), a CSV file (csv) or IDX files (idx_images and idx_labels)")
        }
        var inline = InlineData(path: path, inputs: try numberMatrix(inputsNode, path: object.path("inputs")))
        if object.has("targets"), object.has("labels") {
            throw fields.meaning(path: object.path("labels"), "give either targets or labels, not both")
        }
        if let node = object["targets"] {
            inline.targets = try numberMatrix(node, path: object.path("targets"))
        } else if let node = object["labels"] {
            let elements = try fields.array(node, path: object.path("labels"), of: "an array of class indices")
            var labels: [Int] = []
            for (index, element) in elements.enumerated() {
                labels.append(try fields.wholeNumber(element, path: JSONFields.join(object.path("labels"), index), minimum: 0))
            }
            inline.labels = labels
        } else {
            throw fields.meaning(path: object.path("targets"), "required, missing; expected one row of targets per row of inputs")
        }
        return .inline(inline)
    }

    func columns(_ node: JSONNode, path: String) throws(TrainerError) -> [ColumnReference] {
        if case .array(let elements) = node.value {
            var references: [ColumnReference] = []
            for (index, element) in elements.enumerated() {
                references.append(try column(element, path: JSONFields.join(path, index)))
            }
            guard !references.isEmpty else { throw fields.meaning(path: path, "expected at least one column") }
            return references
        }
        return [try column(node, path: path)]
    }

    func column(_ node: JSONNode, path: String) throws(TrainerError) -> ColumnReference {
        switch node.value {
        case .string(let name): return .name(name)
        case .number: return .index(try fields.wholeNumber(node, path: path, minimum: 0))
        default: throw fields.typeMismatch(node, path: path, expected: "a column name or 0-based index")
        }
    }

    // MARK: - output

    func decodeOutput(_ node: JSONNode) throws(TrainerError) -> OutputConfig {
        let object = try fields.object(node, path: "output", known: Config.outputKeys, elsewhere: elsewhere(except: "output"))
        var output = OutputConfig()
        if let node = object["weights"] { output.weights = try filePath(node, path: "output.weights") }
        if let node = object["loss_log"] {
            let path = try fields.string(node, path: "output.loss_log")
            // "-" is stdout, as with --log -.
            output.lossLog = path == "-" ? FilePath(path: "-", display: "stdout") : try filePath(node, path: "output.loss_log")
        }
        return output
    }

    // MARK: - paths

    /// A path written in the config, resolved against the config's folder.
    func filePath(_ node: JSONNode, path: String) throws(TrainerError) -> FilePath {
        let text = try fields.string(node, path: path)
        guard !text.isEmpty else { throw fields.meaning(path: path, "expected a file path, found an empty string") }
        let joined = Paths.join(directory, text)
        return FilePath(path: joined, display: Paths.tidy(joined), origin: "\(fields.file): \(path)")
    }
}
