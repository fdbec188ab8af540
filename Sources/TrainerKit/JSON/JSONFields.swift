/// Reads typed values out of a parsed JSON document, with errors that name
/// the file, the JSON path and, for how a value is written, its line:column:
///
/// - a value of the wrong type, an unknown or duplicate key:
///   `c.json:5:22: training.learning_rate: expected a number, found a string`
/// - a value out of range or inconsistent with others (its meaning):
///   `c.json: training.epochs: expected a whole number ≥ 1, found 2.5`
struct JSONFields {
    /// The file as messages name it.
    let file: String
    let document: JSONDocument

    // MARK: - Errors

    /// An error about how the value at `offset` is written: `file:line:column: path: message`.
    func positioned(_ offset: Int, path: String, _ message: String) -> TrainerError {
        let position = document.position(of: offset)
        let place = "\(file):\(position.line):\(position.column)"
        return TrainerError(place: path.isEmpty ? place : "\(place): \(path)", message)
    }

    /// An error about what a value means: `file: path: message`.
    func meaning(path: String, _ message: String) -> TrainerError {
        TrainerError.at(file, path: path, message)
    }

    func typeMismatch(_ node: JSONNode, path: String, expected: String) -> TrainerError {
        positioned(node.offset, path: path, "expected \(expected), found \(node.value.kindDescription)")
    }

    // MARK: - Objects

    /// The members of the object at `node`, after checking that every key is
    /// one of `known` and none appears twice.
    /// - Parameter elsewhere: keys that belong in another section, with that
    ///   section's path (`"epochs": "training"`), for a better message.
    func object(
        _ node: JSONNode, path: String, known: [String], elsewhere: [String: String] = [:]
    ) throws(TrainerError) -> JSONObject {
        guard case .object(let members) = node.value else {
            throw typeMismatch(node, path: path, expected: "an object")
        }
        var byKey: [String: JSONMember] = [:]
        for member in members {
            let memberPath = JSONFields.join(path, member.key)
            if let first = byKey[member.key] {
                let firstLine = document.position(of: first.keyOffset).line
                throw positioned(
                    member.keyOffset, path: path.isEmpty ? "" : path,
                    "duplicate key \"\(member.key)\" (first at line \(firstLine))")
            }
            if !known.contains(member.key) {
                var message = "unknown key"
                if let section = elsewhere[member.key] {
                    message += "; \(member.key) belongs in \(section)"
                } else if let match = Suggestion.closest(to: member.key, in: known) {
                    message += "; did you mean \(match)?"
                } else {
                    message += "; expected one of \(known.joined(separator: ", "))"
                }
                throw positioned(member.keyOffset, path: memberPath, message)
            }
            byKey[member.key] = member
        }
        return JSONObject(path: path, members: byKey, offset: node.offset)
    }

    /// The path of a member: `training` + `epochs` -> `training.epochs`.
    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The path of an element: `network.weights` + 1 -> `network.weights[1]`.
    static func join(_ path: String, _ index: Int) -> String {
        "\(path)[\(index)]"
    }

    // MARK: - Scalars

    func string(_ node: JSONNode, path: String) throws(TrainerError) -> String {
        guard case .string(let value) = node.value else { throw typeMismatch(node, path: path, expected: "a string") }
        return value
    }

    func bool(_ node: JSONNode, path: String) throws(TrainerError) -> Bool {
        guard case .bool(let value) = node.value else { throw typeMismatch(node, path: path, expected: "true or false") }
        return value
    }

    func array(_ node: JSONNode, path: String, of description: String = "an array") throws(TrainerError) -> [JSONNode] {
        guard case .array(let elements) = node.value else { throw typeMismatch(node, path: path, expected: description) }
        return elements
    }

    /// The literal text of a number.
    func numberLiteral(_ node: JSONNode, path: String) throws(TrainerError) -> String {
        guard case .number(let text) = node.value else { throw typeMismatch(node, path: path, expected: "a number") }
        return text
    }

    /// A finite number in float64 (literals that overflow to infinity, or that
    /// are not zero but round to zero, are refused).
    func number(_ node: JSONNode, path: String) throws(TrainerError) -> Double {
        let text = try numberLiteral(node, path: path)
        return try JSONFields.finiteValue(of: text, as: Double.self)
            .get(orThrow: { meaning(path: path, $0) })
    }

    /// A finite number that satisfies `isValid`, or an error quoting the
    /// literal as written: `training.l2: expected a number ≥ 0, found -0.01`.
    func number(_ node: JSONNode, path: String, expected: String, where isValid: (Double) -> Bool) throws(TrainerError) -> Double {
        let value = try number(node, path: path)
        guard isValid(value) else { throw meaning(path: path, "expected \(expected), found \(try numberLiteral(node, path: path))") }
        return value
    }

    /// The value of a JSON number literal in `S`, or why it does not fit:
    /// `"1e39 overflows float32"`, `"1e-400 underflows float64 (rounds to 0)"`.
    static func finiteValue<S: Scalar>(of text: String, as: S.Type) -> Result<S, ValueProblem> {
        guard let value = S(text) else { return .failure(ValueProblem("\(text) is not a number")) }
        if !value.isFinite { return .failure(ValueProblem("\(text) overflows \(S.precisionName)")) }
        if value == 0, literalIsNonZero(text) {
            return .failure(ValueProblem("\(text) underflows \(S.precisionName) (rounds to 0)"))
        }
        return .success(value)
    }

    /// Why a training setting written `text` (a finite float64) cannot be a
    /// float32 number, with float32's range, or nil when it can:
    /// `"1e39 overflows float32 (largest 3.4028235e38)"`,
    /// `"1e-50 underflows float32 (rounds to 0; smallest 1e-45)"`.
    static func float32RangeProblem(_ text: String) -> String? {
        guard let value = Float(text) else { return nil }
        if !value.isFinite { return "\(text) overflows float32 (largest 3.4028235e38)" }
        if value == 0, literalIsNonZero(text) { return "\(text) underflows float32 (rounds to 0; smallest 1e-45)" }
        return nil
    }

    /// True when the mantissa of a number literal has a non-zero digit.
    static func literalIsNonZero(_ text: String) -> Bool {
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }
        return mantissa.contains { ("1"..."9").contains($0) }
    }

    /// A whole number in `minimum...maximum`. `2.0` and `1e2` are whole
    /// numbers; `2.5` is not.
    func wholeNumber(_ node: JSONNode, path: String, minimum: Int, maximum: Int = Int.max) throws(TrainerError) -> Int {
        let text = try numberLiteral(node, path: path)
        let expectation = JSONFields.wholeNumberExpectation(minimum: minimum, maximum: maximum)
        guard let value = JSONFields.wholeValue(of: text), value >= minimum, value <= maximum else {
            throw meaning(path: path, "expected \(expectation), found \(text)")
        }
        return value
    }

    static func wholeNumberExpectation(minimum: Int, maximum: Int) -> String {
        maximum == Int.max ? "a whole number ≥ \(minimum)" : "a whole number from \(minimum) to \(maximum)"
    }

    /// The integer value of a literal written as a whole number (`12`, `2.0`,
    /// `1e2`), or nil if it has a fraction or does not fit in `Int`.
    static func wholeValue(of text: String) -> Int? {
        if let exact = Int(text) { return exact }
        guard let value = Double(text), value.isFinite, value.rounded(.towardZero) == value,
            value >= -9.2e18, value <= 9.2e18
        else { return nil }
        return Int(value)
    }

    /// A name from a fixed list, with "did you mean" for a near miss:
    /// `network.activation: unknown activation "sigmod"; did you mean sigmoid? (expected one of ...)`.
    func name(_ node: JSONNode, path: String, kind: String, names: [String]) throws(TrainerError) -> String {
        let value = try string(node, path: path)
        guard names.contains(value) else {
            throw meaning(path: path, JSONFields.unknownName(value, kind: kind, names: names))
        }
        return value
    }

    static func unknownName(_ value: String, kind: String, names: [String]) -> String {
        var message = "unknown \(kind) \"\(value)\""
        if let match = Suggestion.closest(to: value, in: names) { message += "; did you mean \(match)?" }
        return message + " (expected one of \(names.joined(separator: ", ")))"
    }
}

/// Why a number does not fit where it is going.
struct ValueProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension Result where Failure == ValueProblem {
    func get(orThrow makeError: (String) -> TrainerError) throws(TrainerError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problem): throw makeError(problem.message)
        }
    }
}

/// An object's members by key, and the path they live at.
struct JSONObject {
    let path: String
    let members: [String: JSONMember]
    /// Where the object starts, for errors about a missing member.
    let offset: Int

    subscript(key: String) -> JSONNode? { members[key]?.value }

    func has(_ key: String) -> Bool { members[key] != nil }

    /// The path of a member of this object.
    func path(_ key: String) -> String { JSONFields.join(path, key) }

    /// The member `key`, or an error naming it as required.
    func required(_ key: String, in fields: JSONFields, expected: String) throws(TrainerError) -> JSONNode {
        guard let node = members[key]?.value else {
            throw fields.meaning(path: path(key), "required, missing; expected \(expected)")
        }
        return node
    }
}
