/// A training config, decoded and checked (docs/configuration.md). Numbers
/// that become parameters or data keep their literal text until the network
/// or dataset is built in its precision, so `0.1` becomes the nearest float32
/// or float64 directly, never through a double rounding.
public struct Config: Sendable {
    /// The config file as messages name it (as given on the command line).
    public var file: String
    /// The folder its relative paths resolve against (and default outputs
    /// go beside): the config's own, or "" (the working folder) for stdin,
    /// streams and built-in examples.
    public var directory: String
    public var network: NetworkConfig
    public var training: TrainingConfig
    public var data: DataConfig
    public var output: OutputConfig
}

/// A file named in a config or on the command line: the path to open, how
/// messages show it, and where it was named.
public struct FilePath: Equatable, Sendable {
    /// The path to open: relative to the working directory, or absolute.
    public var path: String
    /// The path as messages show it (the same path, tidied).
    public var display: String
    /// Where it was named, for "not found" messages: `c.json: data.train.csv`.
    public var origin: String?

    public init(path: String, display: String? = nil, origin: String? = nil) {
        self.path = path
        self.display = display ?? path
        self.origin = origin
    }

    /// How errors about opening the file name it:
    /// `data/x.csv (from c.json: data.train.csv)`.
    public var openingPlace: String {
        origin.map { "\(display) (from \($0))" } ?? display
    }
}

/// A matrix of number literals, as written in JSON.
public typealias LiteralMatrix = [[String]]

public struct NetworkConfig: Sendable {
    /// Sizes, input first; nil only when `from` gives them.
    public var layers: [Int]?
    /// `activation` or `activations`; nil when neither is given (sigmoid, or
    /// the activations of `from`).
    public var activations: ActivationChoice?
    /// `init`: nil picks the scheme suited to each layer's activation.
    public var initialization: Initialization?
    /// `weights[l]`: `layers[l]` rows of `layers[l+1]` literals.
    public var weights: [LiteralMatrix]?
    /// `biases[l]`: `layers[l+1]` literals.
    public var biases: [[String]]?
    /// `from`: a weights file to take the whole network from.
    public var from: FilePath?
}

/// `activation` (one name for every layer) or `activations` (one per layer).
public enum ActivationChoice: Equatable, Sendable {
    case all(Activation)
    case perLayer([Activation])

    /// One activation per layer after the input.
    public func resolved(layerCount: Int) -> [Activation] {
        switch self {
        case .all(let activation): return Array(repeating: activation, count: layerCount)
        case .perLayer(let activations): return activations
        }
    }
}

/// The numeric precision a network is trained in.
public enum Precision: String, CaseIterable, Sendable {
    case float64, float32
    public static var names: [String] { allCases.map(\.rawValue) }
    /// Bytes per number.
    public var size: Int { self == .float64 ? 8 : 4 }
}

public struct TrainingConfig: Sendable {
    public var loss: Loss = .sse
    public var learningRate: Double
    public var epochs: Int
    public var batchSize: Int = 1
    public var shuffle: Bool = true
    public var seed: UInt64 = 0
    public var precision: Precision = .float64
    /// How gradients become steps (`sgd`, the plain delta rule, by default).
    public var optimizer: OptimizerKind = .sgd
    /// λ of L2 weight decay (weights only), 0 by default.
    public var l2: Double = 0
    /// The learning rate by epoch; constant by default.
    public var learningRateSchedule: LearningRateSchedule = .constant
    /// The fraction of `data.train` held out for validation, if any.
    public var validationSplit: Double?
    public var earlyStopping: EarlyStopping?
    /// `training.target`: stop once a column reaches a value, if set.
    public var target: TrainingTarget?
    /// Save the weights every this many epochs, if set.
    public var checkpointEvery: Int?

    /// What the epoch loop needs of these settings.
    public var schedule: TrainingSchedule {
        TrainingSchedule(
            loss: loss, learningRate: learningRate, epochs: epochs, batchSize: batchSize, shuffle: shuffle,
            optimizer: optimizer, l2: l2, learningRateSchedule: learningRateSchedule, earlyStopping: earlyStopping, target: target)
    }
}

public struct DataConfig: Sendable {
    public var train: DataSource
    public var test: DataSource?
    /// Validation data (`data.validation`), if given.
    public var validation: DataSource?
    /// `data.normalize`: how inputs are scaled, fitted on the training
    /// samples (after any validation split) only; nil when not given (none,
    /// or the scaling of the weights file a run starts from).
    public var normalize: InputScaling.Method?
}

/// Where a data set comes from.
public enum DataSource: Sendable {
    case inline(InlineData)
    case csv(CSVSource)
    case idx(IDXSource)

    /// The config path of the source: `data.train`.
    public var path: String {
        switch self {
        case .inline(let source): return source.path
        case .csv(let source): return source.path
        case .idx(let source): return source.path
        }
    }
}

/// `{"inputs": [[...]], "targets": [[...]]}` or `{"inputs": ..., "labels": [...]}`.
public struct InlineData: Sendable {
    public var path: String
    public var inputs: LiteralMatrix
    /// Target rows; nil when `labels` gives class indices instead.
    public var targets: LiteralMatrix?
    /// Class indices, one-hot encoded over the output layer.
    public var labels: [Int]?
}

/// A CSV column chosen by header name or 0-based index.
public enum ColumnReference: Equatable, Sendable, CustomStringConvertible {
    case name(String)
    case index(Int)

    public var description: String {
        switch self {
        case .name(let name): return "\"\(name)\""
        case .index(let index): return "\(index)"
        }
    }
}

/// `{"csv": "path", "inputs": [...], "targets": [...], "label": ..., "header": ...}`.
public struct CSVSource: Sendable {
    public var path: String
    public var file: FilePath
    public var inputs: [ColumnReference]?
    public var targets: [ColumnReference]?
    /// A class column, one-hot encoded over the output layer.
    public var label: ColumnReference?
    /// The class names in index order; by default the sorted distinct labels
    /// of the training data (or the labels themselves when they are whole numbers).
    public var classes: [String]?
    /// Whether the first row is a header; nil detects it (a row with no
    /// number in it is a header; see `CSVDataLoader.isRowOfNames`).
    public var header: Bool?
}

/// `{"idx_images": "path", "idx_labels": "path", "limit": N}` (the MNIST format).
public struct IDXSource: Sendable {
    public var path: String
    public var images: FilePath
    public var labels: FilePath
    public var limit: Int?
}

public struct OutputConfig: Sendable {
    public var weights: FilePath?
    public var lossLog: FilePath?
}
