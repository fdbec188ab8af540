import TrainerCSupport

/// Samples, one per row: inputs (`count × inputSize`) and targets (`count ×
/// outputSize`), in the precision of the network they feed.
///
/// Inputs are held either as numbers or, for IDX images, as their bytes,
/// each standing for p/255 (correctly rounded): a quarter of the
/// memory of float32 (docs/performance.md, "IDX images as bytes"),
/// and a quarter of the memory traffic when an epoch gathers its shuffled
/// batches; or, for a CSV file whose inputs are all whole numbers 0…255,
/// as those numbers in bytes. All give the same numbers to the network.
public struct Dataset<S: Scalar>: Sendable {
    /// How the inputs are held.
    enum InputStorage: Sendable {
        case values(Matrix<S>)
        /// Row-major bytes, `byte / 255` being the input value.
        case bytes([UInt8])
        /// Row-major bytes, each the input value itself (a CSV file's
        /// whole numbers 0…255).
        case integers([UInt8])
    }

    /// The config path it came from: `data.train`, `data.test`.
    public var name: String
    var inputStorage: InputStorage
    public var targets: Matrix<S>
    public let inputSize: Int
    /// The class of each sample when the targets are one-hot classes (exactly
    /// one 1 and zeros elsewhere, two or more outputs); nil otherwise.
    public private(set) var labels: [Int]?
    /// Class names in output order, when the data named them.
    public var classNames: [String]?
    /// Where each sample came from, for messages about one sample.
    var locator: SampleLocator

    public init(name: String, inputs: Matrix<S>, targets: Matrix<S>, classNames: [String]? = nil, locator: SampleLocator? = nil) {
        precondition(inputs.rows == targets.rows)
        self.init(
            name: name, storage: .values(inputs), inputSize: inputs.columns, targets: targets, classNames: classNames,
            locator: locator ?? .path(file: "", path: name + ".inputs"))
    }

    /// Inputs held as bytes (`inputSize` per sample), each standing for byte/255.
    init(name: String, bytes: [UInt8], inputSize: Int, targets: Matrix<S>, classNames: [String]? = nil, locator: SampleLocator) {
        precondition(bytes.count == inputSize * targets.rows)
        self.init(name: name, storage: .bytes(bytes), inputSize: inputSize, targets: targets, classNames: classNames, locator: locator)
    }

    /// Inputs held as bytes (`inputSize` per sample), each the input value
    /// itself.
    init(name: String, integers: [UInt8], inputSize: Int, targets: Matrix<S>, classNames: [String]? = nil, locator: SampleLocator) {
        precondition(integers.count == inputSize * targets.rows)
        self.init(
            name: name, storage: .integers(integers), inputSize: inputSize, targets: targets, classNames: classNames, locator: locator)
    }

    private init(name: String, storage: InputStorage, inputSize: Int, targets: Matrix<S>, classNames: [String]?, locator: SampleLocator) {
        self.name = name
        self.inputStorage = storage
        self.inputSize = inputSize
        self.targets = targets
        self.classNames = classNames
        self.locator = locator
        self.labels = Dataset.oneHotLabels(targets)
    }

    /// All the inputs as a matrix (made on each call for byte inputs: for
    /// occasional use, not in training loops; see ``copyInputs(of:columns:to:)``).
    public var inputs: Matrix<S> {
        switch inputStorage {
        case .values(let matrix): return matrix
        case .bytes(let bytes):
            var elements = [S](repeating: 0, count: bytes.count)
            bytes.withElementPointer { b in
                elements.withMutableElementPointer { S.unitBytes(b, $0, count: bytes.count) }
            }
            return Matrix(rows: count, columns: inputSize, elements: elements)
        case .integers(let bytes):
            return Matrix(rows: count, columns: inputSize, elements: bytes.map { S($0) })
        }
    }

    /// Writes columns `columns` of the given samples' inputs, one sample per
    /// row of `columns.count`, to `destination`.
    func copyInputs(of samples: some Collection<Int>, columns: Range<Int>, to destination: UnsafeMutablePointer<S>) {
        let width = inputSize, count = columns.count
        switch inputStorage {
        case .values(let matrix):
            matrix.withElementPointer { x in
                for (row, sample) in samples.enumerated() {
                    (destination + row * count).update(from: x + sample * width + columns.lowerBound, count: count)
                }
            }
        case .bytes(let bytes):
            bytes.withElementPointer { b in
                for (row, sample) in samples.enumerated() {
                    S.unitBytes(b + sample * width + columns.lowerBound, destination + row * count, count: count)
                }
            }
        case .integers(let bytes):
            bytes.withElementPointer { b in
                for (row, sample) in samples.enumerated() {
                    let source = b + sample * width + columns.lowerBound, target = destination + row * count
                    for k in 0..<count { target[k] = S(source[k]) }
                }
            }
        }
    }

    /// Starts loading the given samples' input bytes into the cache, without
    /// waiting for them: a batch of shuffled MNIST rows is 10 scattered reads
    /// of 784 bytes (13 cache lines each). Issued for the batch being copied,
    /// the misses overlap one another instead of coming one row at a time
    /// (docs/performance.md, "Prefetching a batch's rows"); issued for the next
    /// batch while this one computes, they overlap the step as well.
    /// `columns` limits it to those inputs of each sample (the half a thread
    /// will copy).
    @inline(__always)
    func prefetchInputs(of samples: some Collection<Int>, columns: Range<Int>? = nil) {
        let bytes: [UInt8]
        switch inputStorage {
        case .bytes(let held), .integers(let held): bytes = held
        case .values: return
        }
        let width = inputSize, columns = columns ?? 0..<width
        guard !columns.isEmpty else { return }
        bytes.withElementPointer { b in
            for sample in samples {
                let row = b + sample * width
                var offset = columns.lowerBound
                while offset < columns.upperBound {
                    trainer_prefetch(row + offset)
                    offset += 64
                }
                trainer_prefetch(row + columns.upperBound - 1)
            }
        }
    }

    /// Starts loading the given samples' labels into the cache: they are as
    /// scattered as the inputs (one-hot targets are written from them).
    @inline(__always)
    func prefetchLabels(of samples: some Collection<Int>) {
        labels?.withElementPointer { l in
            for sample in samples { trainer_prefetch(l + sample) }
        }
    }

    /// Whether the inputs are held as bytes that are the values themselves
    /// (a CSV file's whole numbers 0…255).
    var holdsIntegerBytes: Bool {
        if case .integers = inputStorage { return true }
        return false
    }

    public var count: Int { targets.rows }
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

extension Dataset {
    /// Asks for the memory of a copy of every sample (MemoryProbe): its
    /// inputs as they are held (a byte each for IDX images) and its targets.
    func requireCopyMemory(place: String, _ what: String) throws(TrainerError) {
        let inputBytes: Int
        switch inputStorage {
        case .values: inputBytes = MemoryLayout<S>.stride
        case .bytes, .integers: inputBytes = 1
        }
        // The data is in memory, so these sizes are far from overflowing.
        try MemoryProbe.require(
            rows: count, columns: inputSize * inputBytes + outputSize * MemoryLayout<S>.stride, of: UInt8.self, place: place, what)
    }

    /// Asks for the memory ``scaleInputs(by:)`` needs (MemoryProbe): the
    /// inputs as numbers, and their scaled copy.
    func requireScalingMemory(place: String) throws(TrainerError) {
        try MemoryProbe.require(rows: 2 * count, columns: inputSize, of: S.self, place: place, "to scale the inputs of \(name)")
    }

    /// The inputs with `scaling` applied (`data.normalize`). Byte inputs
    /// become numbers: a scaled byte no longer stands for byte/255.
    public mutating func scaleInputs(by scaling: InputScaling) {
        precondition(scaling.count == inputSize)
        guard scaling.method != .none else { return }
        inputStorage = .values(scaling.apply(to: inputs))
    }
}
