/// Samples held as two row-major matrices, one sample per row: inputs
/// (`count × inputSize`) and targets (`count × outputSize`), in the precision
/// of the network they feed.
public struct Dataset<S: Scalar>: Sendable {
    /// The config path it came from: `data.train`, `data.test`.
    public var name: String
    public var inputs: Matrix<S>
    public var targets: Matrix<S>
    /// The class of each sample when the targets are one-hot classes (exactly
    /// one 1 and zeros elsewhere, two or more outputs); nil otherwise.
    public private(set) var labels: [Int]?
    /// Class names in output order, when the data named them.
    public var classNames: [String]?
    /// Where each sample came from, for messages about one sample.
    var locator: SampleLocator

    public init(name: String, inputs: Matrix<S>, targets: Matrix<S>, classNames: [String]? = nil, locator: SampleLocator? = nil) {
        precondition(inputs.rows == targets.rows)
        self.name = name
        self.inputs = inputs
        self.targets = targets
        self.classNames = classNames
        self.locator = locator ?? .path(file: "", path: name + ".inputs")
        self.labels = Dataset.oneHotLabels(targets)
    }

    public var count: Int { inputs.rows }
    public var inputSize: Int { inputs.columns }
    public var outputSize: Int { targets.columns }

    /// The argmax of each target row if every row is one-hot, else nil.
    static func oneHotLabels(_ targets: Matrix<S>) -> [Int]? {
        guard targets.columns >= 2, targets.rows > 0 else { return nil }
        var labels = [Int](repeating: 0, count: targets.rows)
        for row in 0..<targets.rows {
            var hot = -1
            for j in 0..<targets.columns {
                let value = targets[row, j]
                if value == 1, hot < 0 { hot = j } else if value != 0 { return nil }
            }
            guard hot >= 0 else { return nil }
            labels[row] = hot
        }
        return labels
    }

    /// The number of samples of each class, when the targets are classes.
    public var classCounts: [Int]? {
        guard let labels else { return nil }
        var counts = [Int](repeating: 0, count: outputSize)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// Where sample `i` came from: `data/x.csv:42`, `c.json: data.train.targets[3]`.
    func place(ofSample i: Int, part: String = "targets") -> String {
        locator.place(ofSample: i, part: part)
    }
}

/// How to name one sample in a message.
public enum SampleLocator: Sendable {
    /// Inline data in a config: `c.json: data.train.targets[3]`.
    case path(file: String, path: String)
    /// A CSV file: `data/x.csv:42`, from each sample's line.
    case lines(file: String, lines: [Int])
    /// IDX files: `labels.idx: sample 123`.
    case indexed(file: String)

    func place(ofSample i: Int, part: String) -> String {
        switch self {
        case .path(let file, let path):
            let base = path.hasSuffix(".inputs") ? String(path.dropLast(".inputs".count)) : path
            return "\(file): \(base).\(part)[\(i)]"
        case .lines(let file, let lines):
            return "\(file):\(lines[i])"
        case .indexed(let file):
            return "\(file): sample \(i)"
        }
    }
}

extension Dataset {
    /// Checks targets against the loss: cross-entropy needs targets in [0, 1],
    /// and with a softmax output each target row must sum to 1.
    func checkTargets(loss: Loss, outputActivation: Activation) throws(TrainerError) {
        guard loss == .crossEntropy else { return }
        for row in 0..<count {
            var sum: S = 0
            for j in 0..<outputSize {
                let t = targets[row, j]
                guard t >= 0, t <= 1 else {
                    throw TrainerError(
                        place: place(ofSample: row),
                        "target \(t) is outside [0, 1]; cross_entropy needs targets that are probabilities")
                }
                sum += t
            }
            if outputActivation == .softmax, abs(Double(sum) - 1) > 1e-6 {
                throw TrainerError(
                    place: place(ofSample: row),
                    "targets sum to \(sum); softmax with cross_entropy needs each row of targets to sum to 1")
            }
        }
    }
}
