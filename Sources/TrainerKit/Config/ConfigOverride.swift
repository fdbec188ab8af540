/// `--set PATH=VALUE` (run, check, explain, gradcheck): one config value
/// replaced, or added, before the config is read, so that it is checked
/// exactly as if the file held it. `PATH` is the key's path as errors write
/// it (`training.learning_rate`, `network.layers[1]`); `VALUE` is read as
/// JSON (`0.5`, `[784,100,10]`, `{"below": 0.01}`, `true`), and a value
/// that is not JSON is a string (`--set training.optimizer=adam`). Objects
/// missing on the way are created; array elements must exist.
///
/// Errors about a value that came from `--set` name the argument, not the
/// file: `--set training.learning_rate=-1: expected a number > 0, found -1`.
public struct ConfigOverride: Sendable {
    /// One step of a path: an object's key or an array's index.
    public enum Step: Equatable, Sendable {
        case key(String)
        case index(Int)
    }

    /// The argument as given, `training.learning_rate=0.5`.
    public let argument: String
    public let path: [Step]
    /// The path as errors write it.
    public let pathText: String
    let value: JSONValue

    /// Parses one `--set` argument.
    public init(_ argument: String) throws(TrainerError) {
        self.argument = argument
        let place = "--set \(argument)"
        guard let equals = argument.firstIndex(of: "=") else {
            throw TrainerError.usage(place, "expected PATH=VALUE, such as training.learning_rate=0.5")
        }
        let pathText = String(argument[..<equals])
        var steps: [Step] = []
        for part in pathText.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" }) else {
                throw TrainerError.usage(
                    place, "\"\(pathText)\" is not a config path; expected keys joined by dots, such as training.learning_rate")
            }
            steps.append(.key(String(key)))
            rest = rest.dropFirst(key.count)
            while rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0
                else {
                    throw TrainerError.usage(place, "\"\(pathText)\" has a bad index; expected [N] with N ≥ 0, such as network.layers[1]")
                }
                steps.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else {
                throw TrainerError.usage(
                    place, "\"\(pathText)\" is not a config path; expected keys joined by dots, such as training.learning_rate")
            }
        }
        self.path = steps
        self.pathText = pathText
        let text = Array(argument[argument.index(after: equals)...].utf8)
        if let document = try? JSONReader.parse(text) {
            value = document.root.value
        } else {
            value = .string(String(decoding: text, as: UTF8.self))
        }
    }

    /// Applies the override to a config's root object.
    func apply(to root: inout JSONNode) throws(TrainerError) {
        try Self.set(value, at: path[...], in: &root, done: [], argument: argument)
    }

    private static func set(
        _ value: JSONValue, at steps: ArraySlice<Step>, in node: inout JSONNode, done: [Step], argument: String
    ) throws(TrainerError) {
        guard let step = steps.first else {
            node = JSONNode(value.positioned(at: node.offset), offset: node.offset)
            return
        }
        let here = done.isEmpty ? "the config" : text(of: done)
        switch (step, node.value) {
        case (.key(let key), .object(var members)):
            if let index = members.lastIndex(where: { $0.key == key }) {
                try set(value, at: steps.dropFirst(), in: &members[index].value, done: done + [step], argument: argument)
            } else {
                var child = JSONNode(.object([]), offset: node.offset)
                if steps.count == 1 {
                    child = JSONNode(value.positioned(at: node.offset), offset: node.offset)
                } else {
                    try set(value, at: steps.dropFirst(), in: &child, done: done + [step], argument: argument)
                }
                members.append(JSONMember(key: key, keyOffset: node.offset, value: child))
            }
            node.value = .object(members)
        case (.index(let index), .array(var elements)):
            guard index < elements.count else {
                throw TrainerError.usage(
                    "--set \(argument)",
                    "\(here) has \(elements.count) element\(elements.count == 1 ? "" : "s"); expected an index below \(elements.count)")
            }
            try set(value, at: steps.dropFirst(), in: &elements[index], done: done + [step], argument: argument)
            node.value = .array(elements)
        case (.key, _):
            throw TrainerError.usage("--set \(argument)", "\(here) is \(node.value.kindDescription), not an object")
        case (.index, _):
            throw TrainerError.usage("--set \(argument)", "\(here) is \(node.value.kindDescription), not an array")
        }
    }

    static func text(of steps: [Step]) -> String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let key): text = JSONFields.join(text, key)
            case .index(let index): text = JSONFields.join(text, index)
            }
        }
        return text
    }

    /// The same error, naming this override when it is about the value the
    /// override set (or something inside it): `trainer: error: --set
    /// training.learning_rate=-1: expected a number > 0, found -1`.
    /// - Parameter file: how the config's messages name it.
    func attribute(_ error: TrainerError, file: String) -> TrainerError? {
        guard error.place.hasPrefix(file) else { return nil }
        var rest = error.place.dropFirst(file.count)
        // An optional `:line:column`.
        if rest.first == ":", rest.dropFirst().first?.isNumber == true {
            let line = rest.dropFirst().prefix(while: \.isNumber)
            rest = rest.dropFirst(1 + line.count)
            if rest.first == ":" { rest = rest.dropFirst().drop(while: \.isNumber) }
        }
        guard rest.hasPrefix(": ") else { return nil }
        let errorPath = String(rest.dropFirst(2))
        let place = "--set \(argument)"
        if errorPath == pathText { return TrainerError(error.kind, place: place, error.message) }
        if errorPath.hasPrefix(pathText + ".") || errorPath.hasPrefix(pathText + "[") {
            return TrainerError(error.kind, place: "\(place): \(errorPath)", error.message)
        }
        return nil
    }
}

extension ConfigOverride {
    /// `error` naming the last of `overrides` that set the value it is
    /// about, or `error` itself.
    static func attribute(_ error: TrainerError, to overrides: [ConfigOverride], file: String) -> TrainerError {
        for override in overrides.reversed() {
            if let attributed = override.attribute(error, file: file) { return attributed }
        }
        return error
    }
}

extension JSONValue {
    /// The value with every node inside it placed at `offset` (an
    /// override's nodes have no place in the file).
    func positioned(at offset: Int) -> JSONValue {
        switch self {
        case .array(let elements):
            return .array(elements.map { JSONNode($0.value.positioned(at: offset), offset: offset) })
        case .object(let members):
            return .object(
                members.map {
                    JSONMember(key: $0.key, keyOffset: offset, value: JSONNode($0.value.value.positioned(at: offset), offset: offset))
                })
        default:
            return self
        }
    }
}
