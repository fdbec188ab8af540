/// What a data set must fit: the network's input and output sizes.
public struct DataShape: Sendable {
    public var inputSize: Int
    public var outputSize: Int
    /// The config file, for messages about inline data.
    public var configFile: String

    public init(inputSize: Int, outputSize: Int, configFile: String) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.configFile = configFile
    }
}

/// Builds a ``Dataset`` from any ``DataSource``.
public enum DataLoader {
    /// Loads `source` in precision `S`.
    /// - Parameters:
    ///   - classes: the training set's class names, which a test set's
    ///     named labels must use.
    ///   - footprint: the source's ``DataFootprint``, when surveyed: a CSV
    ///     file's arrays are sized from its count of samples instead of
    ///     counting again (a count that no longer fits, the file having
    ///     changed, only costs the arrays growing).
    ///   - threads: threads parsing a CSV file.
    public static func load<S: Scalar>(
        _ source: DataSource, shape: DataShape, classes: [String]? = nil, footprint: DataFootprint? = nil,
        threads: Int = HostProcess.availableProcessors, as: S.Type = S.self
    ) throws(TrainerError) -> Dataset<S> {
        switch source {
        case .inline(let data): return try loadInline(data, shape: shape)
        case .csv(let csv):
            return try CSVDataLoader.load(
                csv, shape: shape, trainingClasses: classes, records: footprint.map { $0.samples + 1 }, threads: threads)
        case .idx(let idx): return try IDXDataLoader.load(idx, shape: shape)
        }
    }

    /// Converts a literal to `S`, or throws with `place`.
    static func value<S: Scalar>(_ text: String, place: @autoclosure () -> String) throws(TrainerError) -> S {
        switch JSONFields.finiteValue(of: text, as: S.self) {
        case .success(let value): return value
        case .failure(let problem): throw TrainerError(place: place(), problem.message)
        }
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    static func loadInline<S: Scalar>(_ data: InlineData, shape: DataShape) throws(TrainerError) -> Dataset<S> {
        let file = shape.configFile
        let inputsPath = data.path + ".inputs"
        guard !data.inputs.isEmpty else { throw TrainerError.at(file, path: inputsPath, "no samples; expected at least one row") }
        var inputs = Matrix<S>(rows: data.inputs.count, columns: shape.inputSize)
        for (i, row) in data.inputs.enumerated() {
            let rowPath = "\(inputsPath)[\(i)]"
            guard row.count == shape.inputSize else {
                throw TrainerError.at(
                    file, path: rowPath,
                    "expected \(plural(shape.inputSize, "value")) (network.layers[0] is \(shape.inputSize)), found \(row.count)")
            }
            for (j, text) in row.enumerated() {
                inputs[i, j] = try value(text, place: "\(file): \(rowPath)[\(j)]")
            }
        }
        var targets = Matrix<S>(rows: data.inputs.count, columns: shape.outputSize)
        if let rows = data.targets {
            let targetsPath = data.path + ".targets"
            guard rows.count == data.inputs.count else {
                throw TrainerError.at(
                    file, path: targetsPath,
                    "expected \(plural(data.inputs.count, "row")) (one per row of inputs), found \(rows.count)")
            }
            for (i, row) in rows.enumerated() {
                let rowPath = "\(targetsPath)[\(i)]"
                guard row.count == shape.outputSize else {
                    throw TrainerError.at(
                        file, path: rowPath,
                        "expected \(plural(shape.outputSize, "value")) (the output layer has \(plural(shape.outputSize, "neuron"))), found \(row.count)"
                    )
                }
                for (j, text) in row.enumerated() {
                    targets[i, j] = try value(text, place: "\(file): \(rowPath)[\(j)]")
                }
            }
        } else if let labels = data.labels {
            let labelsPath = data.path + ".labels"
            guard labels.count == data.inputs.count else {
                throw TrainerError.at(
                    file, path: labelsPath,
                    "expected \(plural(data.inputs.count, "label")) (one per row of inputs), found \(labels.count)")
            }
            for (i, label) in labels.enumerated() {
                guard label < shape.outputSize else {
                    throw TrainerError.at(
                        file, path: "\(labelsPath)[\(i)]",
                        "class \(label) ≥ \(shape.outputSize) (the output layer has \(plural(shape.outputSize, "neuron")))")
                }
                targets[i, label] = 1
            }
        }
        return Dataset(name: data.path, inputs: inputs, targets: targets, locator: .path(file: file, path: inputsPath))
    }
}
