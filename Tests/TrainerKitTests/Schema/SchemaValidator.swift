import Foundation
@testable import TrainerKit

/// A JSON Schema (draft 2020-12) validator for the subset that
/// configs/trainer.schema.json uses, over TrainerKit's own ``JSONValue``.
///
/// Supported: boolean schemas; `type` (one name or a list; `integer` is any
/// number with a zero fraction, so `2.0` is one, as in the draft); `properties`,
/// `required`, `additionalProperties`, `dependentRequired`,
/// `dependentSchemas`; `items`, `prefixItems`, `minItems`, `maxItems`; `enum`,
/// `const`; `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`;
/// `minLength`, `maxLength`, `pattern`; `oneOf`, `anyOf`, `allOf`, `not`; and
/// `$ref` to a JSON pointer in the same document (`#/$defs/name`), applied
/// alongside its sibling keywords as in 2020-12. Annotations (`$schema`,
/// `$id`, `$comment`, `title`, `description`, `default`, `examples`) are
/// ignored.
///
/// Any other keyword makes ``init(schema:)`` throw, so the schema cannot use
/// something this validator would silently skip. Numbers are compared as
/// float64, which is exact for every bound the schema has except the seed's
/// maximum (2⁶⁴−1 rounds to 2⁶⁴).
struct SchemaValidator {
    /// One way an instance breaks the schema, at a path written as the config
    /// reader writes them (`training.epochs`, `network.layers[1]`).
    struct Failure: CustomStringConvertible, Sendable {
        var path: String
        var message: String
        /// For `oneOf` and `anyOf`: each alternative's failures.
        var alternatives: [[Failure]] = []
        var description: String { path.isEmpty ? message : "\(path): \(message)" }

        /// This failure and those of its alternatives, recursively.
        var flattened: [Failure] { [self] + alternatives.flatMap { $0.flatMap(\.flattened) } }
    }

    /// A schema that uses something this validator does not support.
    struct UnsupportedSchema: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static let annotations: Set<String> = ["$schema", "$id", "$comment", "title", "description", "default", "examples"]
    static let assertions: Set<String> = [
        "$ref", "$defs", "type", "properties", "required", "additionalProperties", "dependentRequired", "dependentSchemas",
        "items", "prefixItems", "minItems", "maxItems", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "oneOf", "anyOf", "allOf", "not",
    ]
    static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    let root: JSONValue

    init(schema: JSONValue) throws(UnsupportedSchema) {
        root = schema
        try checkKeywords(schema, pointer: "#")
    }

    /// Every failure of `instance`; empty when it is valid.
    func validate(_ instance: JSONValue) -> [Failure] {
        var failures: [Failure] = []
        validate(instance, against: root, path: "", into: &failures)
        return failures
    }

    func isValid(_ instance: JSONValue, against schema: JSONValue) -> Bool {
        var failures: [Failure] = []
        validate(instance, against: schema, path: "", into: &failures)
        return failures.isEmpty
    }

    /// The schema a `$ref` such as `#/$defs/column` points at.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var value = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch value {
            case .object:
                guard let next = JSONTree.member(value, key) else { return nil }
                value = next
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return nil }
                value = elements[index].value
            default:
                return nil
            }
        }
        return reference == "#" || reference.hasPrefix("#/") ? value : nil
    }

    // MARK: - Checking the schema

    private func checkKeywords(_ schema: JSONValue, pointer: String) throws(UnsupportedSchema) {
        if case .bool = schema { return }
        guard case .object(let members) = schema else {
            throw UnsupportedSchema(message: "\(pointer): a schema must be an object or a boolean")
        }
        for member in members {
            let key = member.key, value = member.value.value, here = "\(pointer)/\(key)"
            guard Self.annotations.contains(key) || Self.assertions.contains(key) else {
                throw UnsupportedSchema(message: "\(pointer): keyword \(key) is not supported by this validator")
            }
            switch key {
            case "$defs", "properties", "dependentSchemas":
                guard case .object(let children) = value else { throw UnsupportedSchema(message: "\(here): expected an object") }
                for child in children { try checkKeywords(child.value.value, pointer: "\(here)/\(child.key)") }
            case "additionalProperties", "items", "not":
                try checkKeywords(value, pointer: here)
            case "prefixItems", "oneOf", "anyOf", "allOf":
                guard case .array(let elements) = value, !elements.isEmpty else {
                    throw UnsupportedSchema(message: "\(here): expected a non-empty array of schemas")
                }
                for (index, element) in elements.enumerated() { try checkKeywords(element.value, pointer: "\(here)/\(index)") }
            case "$ref":
                guard case .string(let reference) = value, resolve(reference) != nil else {
                    throw UnsupportedSchema(message: "\(here): only references within this document (#/...) that resolve are supported")
                }
            case "type":
                let names: [String]
                switch value {
                case .string(let name): names = [name]
                case .array(let elements): names = elements.compactMap { JSONTree.string($0.value) }
                default: names = []
                }
                guard !names.isEmpty, names.allSatisfy(Self.typeNames.contains) else {
                    throw UnsupportedSchema(message: "\(here): unknown type")
                }
            case "pattern":
                guard case .string(let pattern) = value, (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw UnsupportedSchema(message: "\(here): not a regular expression")
                }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength":
                guard JSONTree.number(value) != nil else { throw UnsupportedSchema(message: "\(here): expected a number") }
            case "required", "enum":
                guard case .array = value else { throw UnsupportedSchema(message: "\(here): expected an array") }
            default:
                break
            }
        }
    }

    // MARK: - Validating

    private func validate(_ instance: JSONValue, against schema: JSONValue, path: String, into failures: inout [Failure]) {
        switch schema {
        case .bool(true): return
        case .bool(false):
            failures.append(Failure(path: path, message: "not allowed here"))
            return
        default: break
        }
        guard case .object(let members) = schema else { return }
        func fail(_ message: String, at place: String? = nil, alternatives: [[Failure]] = []) {
            failures.append(Failure(path: place ?? path, message: message, alternatives: alternatives))
        }
        var keywords: [String: JSONValue] = [:]
        for member in members where keywords[member.key] == nil { keywords[member.key] = member.value.value }

        if case .string(let reference)? = keywords["$ref"], let target = resolve(reference) {
            validate(instance, against: target, path: path, into: &failures)
        }
        if let type = keywords["type"] {
            let names: [String]
            if case .array(let elements) = type {
                names = elements.compactMap { JSONTree.string($0.value) }
            } else {
                names = [JSONTree.string(type) ?? ""]
            }
            if !names.contains(where: { JSONTree.matches(instance, type: $0) }) {
                fail("expected \(names.map(JSONTree.article).joined(separator: " or ")), found \(instance.kindDescription)")
                return  // the other keywords would only repeat this
            }
        }
        if let options = keywords["enum"], case .array(let elements) = options {
            if !elements.contains(where: { JSONTree.equal($0.value, instance) }) {
                fail(
                    "expected one of \(elements.map { JSONTree.text($0.value) }.joined(separator: ", ")), found \(JSONTree.text(instance))")
            }
        }
        if let constant = keywords["const"], !JSONTree.equal(constant, instance) {
            fail("expected \(JSONTree.text(constant)), found \(JSONTree.text(instance))")
        }

        // Numbers.
        if case .number = instance, let value = JSONTree.number(instance) {
            if let bound = keywords["minimum"].flatMap(JSONTree.number), !(value >= bound) {
                fail("expected ≥ \(JSONTree.text(keywords["minimum"]!)), found \(JSONTree.text(instance))")
            }
            if let bound = keywords["maximum"].flatMap(JSONTree.number), !(value <= bound) {
                fail("expected ≤ \(JSONTree.text(keywords["maximum"]!)), found \(JSONTree.text(instance))")
            }
            if let bound = keywords["exclusiveMinimum"].flatMap(JSONTree.number), !(value > bound) {
                fail("expected > \(JSONTree.text(keywords["exclusiveMinimum"]!)), found \(JSONTree.text(instance))")
            }
            if let bound = keywords["exclusiveMaximum"].flatMap(JSONTree.number), !(value < bound) {
                fail("expected < \(JSONTree.text(keywords["exclusiveMaximum"]!)), found \(JSONTree.text(instance))")
            }
        }

        // Strings.
        if case .string(let text) = instance {
            let length = text.unicodeScalars.count
            if let bound = keywords["minLength"].flatMap(JSONTree.number), Double(length) < bound {
                fail("expected at least \(Int(bound)) characters, found \(length)")
            }
            if let bound = keywords["maxLength"].flatMap(JSONTree.number), Double(length) > bound {
                fail("expected at most \(Int(bound)) characters, found \(length)")
            }
            if case .string(let pattern)? = keywords["pattern"], let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                fail("expected a string matching /\(pattern)/, found \(JSONTree.text(instance))")
            }
        }

        // Arrays.
        if case .array(let elements) = instance {
            if let bound = keywords["minItems"].flatMap(JSONTree.number), Double(elements.count) < bound {
                fail("expected at least \(Int(bound)) entries, found \(elements.count)")
            }
            if let bound = keywords["maxItems"].flatMap(JSONTree.number), Double(elements.count) > bound {
                fail("expected at most \(Int(bound)) entries, found \(elements.count)")
            }
            var prefixCount = 0
            if case .array(let prefix)? = keywords["prefixItems"] {
                prefixCount = prefix.count
                for (index, element) in elements.enumerated() where index < prefix.count {
                    validate(element.value, against: prefix[index].value, path: "\(path)[\(index)]", into: &failures)
                }
            }
            if let items = keywords["items"] {
                for (index, element) in elements.enumerated() where index >= prefixCount {
                    validate(element.value, against: items, path: "\(path)[\(index)]", into: &failures)
                }
            }
        }

        // Objects.
        if case .object(let instanceMembers) = instance {
            var properties: [String: JSONValue] = [:]
            if case .object(let declared)? = keywords["properties"] {
                for member in declared { properties[member.key] = member.value.value }
            }
            for member in instanceMembers {
                let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
                if let property = properties[member.key] {
                    validate(member.value.value, against: property, path: memberPath, into: &failures)
                } else if let additional = keywords["additionalProperties"] {
                    if case .bool(false) = additional {
                        let known = properties.keys.sorted().joined(separator: ", ")
                        fail("unknown key; expected one of \(known)", at: memberPath)
                    } else {
                        validate(member.value.value, against: additional, path: memberPath, into: &failures)
                    }
                }
            }
            let present = Set(instanceMembers.map(\.key))
            if case .array(let required)? = keywords["required"] {
                for key in required.compactMap({ JSONTree.string($0.value) }) where !present.contains(key) {
                    fail("required, missing", at: path.isEmpty ? key : "\(path).\(key)")
                }
            }
            if case .object(let dependencies)? = keywords["dependentRequired"] {
                for dependency in dependencies where present.contains(dependency.key) {
                    guard case .array(let needed) = dependency.value.value else { continue }
                    for key in needed.compactMap({ JSONTree.string($0.value) }) where !present.contains(key) {
                        fail("\(dependency.key) requires \(key)")
                    }
                }
            }
            if case .object(let dependencies)? = keywords["dependentSchemas"] {
                for dependency in dependencies where present.contains(dependency.key) {
                    var inner: [Failure] = []
                    validate(instance, against: dependency.value.value, path: path, into: &inner)
                    if !inner.isEmpty {
                        fail("with \(dependency.key): " + inner.map(\.description).joined(separator: "; "))
                    }
                }
            }
        }

        // Combinations.
        if case .array(let branches)? = keywords["allOf"] {
            for branch in branches { validate(instance, against: branch.value, path: path, into: &failures) }
        }
        if case .array(let branches)? = keywords["anyOf"] {
            let results = branches.map { failuresOf(instance, against: $0.value, path: path) }
            if !results.contains(where: \.isEmpty) {
                fail("matches none of the \(branches.count) alternatives (anyOf): " + summary(results), alternatives: results)
            }
        }
        if case .array(let branches)? = keywords["oneOf"] {
            let results = branches.map { failuresOf(instance, against: $0.value, path: path) }
            let matching = results.filter(\.isEmpty).count
            if matching == 0 {
                fail("matches none of the \(branches.count) alternatives (oneOf): " + summary(results), alternatives: results)
            } else if matching > 1 {
                fail("matches \(matching) of the \(branches.count) alternatives; expected exactly one (oneOf)")
            }
        }
        if let negated = keywords["not"], failuresOf(instance, against: negated, path: path).isEmpty {
            fail("must not match \(JSONTree.text(negated))")
        }
    }

    private func failuresOf(_ instance: JSONValue, against schema: JSONValue, path: String) -> [Failure] {
        var failures: [Failure] = []
        validate(instance, against: schema, path: path, into: &failures)
        return failures
    }

    private func summary(_ results: [[Failure]]) -> String {
        results.enumerated().map { "(\($0.offset + 1)) " + ($0.element.first?.description ?? "ok") }.joined(separator: "; ")
    }
}

/// Reading, building and writing ``JSONValue`` trees in tests.
enum JSONTree {
    static func node(_ value: JSONValue) -> JSONNode { JSONNode(value, offset: 0) }

    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.map { JSONMember(key: $0.0, keyOffset: 0, value: node($0.1)) })
    }

    static func array(_ elements: [JSONValue]) -> JSONValue { .array(elements.map(node)) }

    /// The first member `key` of an object.
    static func member(_ value: JSONValue, _ key: String) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value.value
    }

    /// The keys of an object, in order.
    static func keys(_ value: JSONValue) -> [String] {
        guard case .object(let members) = value else { return [] }
        return members.map(\.key)
    }

    /// The value at a path of keys.
    static func value(_ value: JSONValue, at path: [String]) -> JSONValue? {
        var current = value
        for key in path {
            guard let next = member(current, key) else { return nil }
            current = next
        }
        return current
    }

    /// `value` with member `key` set (replaced in place, or appended).
    static func setting(_ value: JSONValue, _ key: String, to newValue: JSONValue) -> JSONValue {
        guard case .object(var members) = value else { return object([(key, newValue)]) }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = node(newValue)
        } else {
            members.append(JSONMember(key: key, keyOffset: 0, value: node(newValue)))
        }
        return .object(members)
    }

    /// `value` with the value at `path` set, creating objects on the way.
    static func setting(_ value: JSONValue, at path: [String], to newValue: JSONValue) -> JSONValue {
        guard let first = path.first else { return newValue }
        let child = member(value, first) ?? object([])
        return setting(value, first, to: setting(child, at: Array(path.dropFirst()), to: newValue))
    }

    static func string(_ value: JSONValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { string($0.value) }
    }

    static func number(_ value: JSONValue) -> Double? {
        if case .number(let text) = value { return Double(text) }
        return nil
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("number", .number), ("string", .string):
            return true
        case ("integer", .number):
            guard let number = number(value), number.isFinite else { return false }
            return number.rounded(.towardZero) == number
        default:
            return false
        }
    }

    static func article(_ type: String) -> String {
        switch type {
        case "integer": return "a whole number"
        case "boolean": return "true or false"
        case "null": return "null"
        case "object", "array": return "an \(type)"
        default: return "a \(type)"
        }
    }

    /// JSON equality: numbers by value (`1` equals `1.0`), objects regardless of order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number, .number): return number(a) == number(b)
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0.value, $1.value) }
        case (.object(let x), .object(let y)):
            guard Set(x.map(\.key)) == Set(y.map(\.key)), x.count == y.count else { return false }
            return x.allSatisfy { m in member(b, m.key).map { equal(m.value.value, $0) } ?? false }
        default: return false
        }
    }

    /// Compact JSON text.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let literal): return literal
        case .string(let string): return JSONWriter.string(string)
        case .array(let elements): return "[" + elements.map { text($0.value) }.joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { JSONWriter.string($0.key) + ": " + text($0.value.value) }.joined(separator: ", ") + "}"
        }
    }

    /// Parses JSON text with TrainerKit's reader.
    static func parse(_ text: String) throws -> JSONValue {
        try JSONReader.parse(Array(text.utf8)).root.value
    }

    static func parseFile(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaValidator.UnsupportedSchema(message: "cannot read \(path)")
        }
        return try JSONReader.parse(Array(data)).root.value
    }
}
