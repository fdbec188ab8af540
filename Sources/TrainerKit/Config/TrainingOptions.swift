/// `training.early_stopping`: stop when the monitored column has not improved
/// by more than `minDelta` for `patience` epochs; the best epoch's weights are
/// what the run saves.
public struct EarlyStopping: Equatable, Sendable {
    /// The log column watched: `val_loss` (default), `val_accuracy`,
    /// `test_loss`, `test_accuracy`, `loss` or `accuracy`.
    public var monitor: String = "val_loss"
    /// Epochs without improvement before stopping (≥ 1).
    public var patience: Int = 5
    /// The least change that counts as an improvement (≥ 0).
    public var minDelta: Double = 0

    public static let monitors = ["val_loss", "val_accuracy", "test_loss", "test_accuracy", "loss", "accuracy"]

    /// Accuracy columns improve upwards, losses downwards.
    public var higherIsBetter: Bool { monitor.hasSuffix("accuracy") }

    /// Whether `value` improves on `best` by more than ``minDelta``.
    public func improves(_ value: Double, on best: Double?) -> Bool {
        guard let best else { return true }
        return higherIsBetter ? value > best + minDelta : value < best - minDelta
    }
}

/// `training.target`: stop once the monitored column reaches a value (FANN's
/// desired error): below it, or above it.
public struct TrainingTarget: Equatable, Sendable {
    /// The log column watched, one of ``EarlyStopping/monitors``; `loss` by default.
    public var monitor: String = "loss"
    /// The value to pass, and from which side.
    public var value: Double
    /// True for `above` (an accuracy rising to it), false for `below`.
    public var isAbove: Bool

    /// Whether an epoch whose `monitor` column is `observed` has reached it.
    public func isReached(by observed: Double) -> Bool {
        isAbove ? observed > value : observed < value
    }

    /// `loss 0.00098 below 0.001`.
    public func describe(_ observed: Double) -> String {
        "\(monitor) \(ProgressReporter.short(observed)) \(isAbove ? "above" : "below") \(ProgressReporter.short(value))"
    }
}

extension Config {
    static let optimizerKeys = ["name", "momentum", "nesterov", "beta1", "beta2", "epsilon"]
    static let scheduleKeys = ["name", "every", "factor", "epochs", "minimum"]
    static let earlyStoppingKeys = ["monitor", "patience", "min_delta"]
    static let targetKeys = ["monitor", "below", "above"]
}

/// Decoding of the training options of issue 6: optimizer, l2, lr_schedule,
/// validation_split, early_stopping and checkpoint_every.
extension ConfigDecoder {
    func decodeTrainingOptions(_ object: JSONObject, into training: inout TrainingConfig) throws(TrainerError) {
        if let node = object["optimizer"] { training.optimizer = try decodeOptimizer(node) }
        if let node = object["l2"] {
            training.l2 = try fields.number(node, path: "training.l2", expected: "a number ≥ 0") { $0 >= 0 }
        }
        if let node = object["lr_schedule"] { training.learningRateSchedule = try decodeSchedule(node) }
        if let node = object["validation_split"] {
            training.validationSplit = try fields.number(
                node, path: "training.validation_split", expected: "a fraction between 0 and 1 (exclusive)"
            ) { $0 > 0 && $0 < 1 }
        }
        if let node = object["early_stopping"] { training.earlyStopping = try decodeEarlyStopping(node) }
        if let node = object["target"] { training.target = try decodeTarget(node) }
        if let node = object["checkpoint_every"] {
            training.checkpointEvery = try fields.wholeNumber(node, path: "training.checkpoint_every", minimum: 1)
        }
    }

    /// `"adam"` or `{"name": "adam", "beta1": 0.9, ...}`.
    func decodeOptimizer(_ node: JSONNode) throws(TrainerError) -> OptimizerKind {
        let path = "training.optimizer"
        let (name, object) = try nameOrObject(node, path: path, kind: "optimizer", names: OptimizerKind.names, known: Config.optimizerKeys)
        let allowed: [String] =
            switch name {
            case "momentum": ["name", "momentum", "nesterov"]
            case "adam": ["name", "beta1", "beta2", "epsilon"]
            default: ["name"]
            }
        if let object {
            for key in object.members.keys.sorted() where !allowed.contains(key) {
                throw fields.meaning(
                    path: object.path(key), "not an option of \(name) (its options: \(allowed.dropFirst().joined(separator: ", ")))")
            }
        }
        func fraction(_ key: String, default value: Double) throws(TrainerError) -> Double {
            guard let node = object?[key] else { return value }
            return try fields.number(node, path: "\(path).\(key)", expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
        }
        switch name {
        case "momentum":
            var nesterov = false
            if let node = object?["nesterov"] { nesterov = try fields.bool(node, path: "\(path).nesterov") }
            return .momentum(momentum: try fraction("momentum", default: 0.9), nesterov: nesterov)
        case "adam":
            var epsilon = 1e-8
            if let node = object?["epsilon"] {
                epsilon = try fields.number(node, path: "\(path).epsilon", expected: "a number > 0") { $0 > 0 }
            }
            return .adam(beta1: try fraction("beta1", default: 0.9), beta2: try fraction("beta2", default: 0.999), epsilon: epsilon)
        default:
            return .sgd
        }
    }

    /// `"constant"` or `{"name": "step", "every": 10, "factor": 0.5}` and the like.
    func decodeSchedule(_ node: JSONNode) throws(TrainerError) -> LearningRateSchedule {
        let path = "training.lr_schedule"
        let names = LearningRateSchedule.names
        let (name, object) = try nameOrObject(node, path: path, kind: "schedule", names: names, known: Config.scheduleKeys)
        let required: [String] =
            switch name {
            case "step": ["every", "factor"]
            case "exponential": ["factor"]
            case "cosine": ["epochs"]
            default: []
            }
        let optional = name == "cosine" ? ["minimum"] : []
        if let object {
            for key in object.members.keys.sorted() where key != "name" && !(required + optional).contains(key) {
                let options = (required + optional).joined(separator: ", ")
                throw fields.meaning(
                    path: object.path(key), "not an option of \(name) (its options: \(options.isEmpty ? "none" : options))")
            }
        }
        if name != "constant" && object == nil {
            throw fields.meaning(path: path, "\(name) needs \(required.joined(separator: " and ")); write {\"name\": \"\(name)\", ...}")
        }
        func factor() throws(TrainerError) -> Double {
            let node = try object!.required("factor", in: fields, expected: "a number in (0, 1]")
            return try fields.number(node, path: "\(path).factor", expected: "a number in (0, 1]") { $0 > 0 && $0 <= 1 }
        }
        switch name {
        case "step":
            let every = try fields.wholeNumber(
                try object!.required("every", in: fields, expected: "a whole number ≥ 1"), path: "\(path).every", minimum: 1)
            return .step(every: every, factor: try factor())
        case "exponential":
            return .exponential(factor: try factor())
        case "cosine":
            let epochs = try fields.wholeNumber(
                try object!.required("epochs", in: fields, expected: "a whole number ≥ 1"), path: "\(path).epochs", minimum: 1)
            var minimum = 0.0
            if let node = object!["minimum"] {
                minimum = try fields.number(node, path: "\(path).minimum", expected: "a number ≥ 0") { $0 >= 0 }
            }
            return .cosine(epochs: epochs, minimum: minimum)
        default:
            return .constant
        }
    }

    /// `"name"`, or `{"name": "name", option: value, ...}` with only `known`
    /// keys: the name, and the object when there is one.
    func nameOrObject(
        _ node: JSONNode, path: String, kind: String, names: [String], known: [String]
    ) throws(TrainerError) -> (String, JSONObject?) {
        if case .string = node.value {
            return (try fields.name(node, path: path, kind: kind, names: names), nil)
        }
        guard case .object = node.value else {
            throw fields.typeMismatch(node, path: path, expected: "a name (\(names.joined(separator: ", "))) or an object with name")
        }
        let members = try fields.object(node, path: path, known: known)
        let nameNode = try members.required("name", in: fields, expected: "one of \(names.joined(separator: ", "))")
        return (try fields.name(nameNode, path: "\(path).name", kind: kind, names: names), members)
    }

    func decodeEarlyStopping(_ node: JSONNode) throws(TrainerError) -> EarlyStopping {
        let path = "training.early_stopping"
        let object = try fields.object(node, path: path, known: Config.earlyStoppingKeys)
        var stopping = EarlyStopping()
        if let node = object["monitor"] {
            stopping.monitor = try fields.name(node, path: "\(path).monitor", kind: "column", names: EarlyStopping.monitors)
        }
        if let node = object["patience"] {
            stopping.patience = try fields.wholeNumber(node, path: "\(path).patience", minimum: 1)
        }
        if let node = object["min_delta"] {
            stopping.minDelta = try fields.number(node, path: "\(path).min_delta", expected: "a number ≥ 0") { $0 >= 0 }
        }
        return stopping
    }

    func decodeTarget(_ node: JSONNode) throws(TrainerError) -> TrainingTarget {
        let path = "training.target"
        let object = try fields.object(node, path: path, known: Config.targetKeys)
        var monitor = "loss"
        if let node = object["monitor"] {
            monitor = try fields.name(node, path: "\(path).monitor", kind: "column", names: EarlyStopping.monitors)
        }
        switch (object["below"], object["above"]) {
        case (let below?, nil):
            return TrainingTarget(monitor: monitor, value: try fields.number(below, path: "\(path).below"), isAbove: false)
        case (nil, let above?):
            return TrainingTarget(monitor: monitor, value: try fields.number(above, path: "\(path).above"), isAbove: true)
        default:
            throw fields.meaning(path: path, "expected exactly one of below and above (e.g. {\"monitor\": \"loss\", \"below\": 0.001})")
        }
    }
}
