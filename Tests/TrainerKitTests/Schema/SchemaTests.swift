import Foundation
import Testing
@testable import TrainerKit

/// configs/trainer.schema.json against the example configs and against the
/// config reader: every key the schema describes is accepted by the reader,
/// every key the reader knows is in the schema, and both refuse a key neither
/// knows. Checked with the small validator in SchemaValidator.swift.
///
/// Adding a config key: add it to the schema with a description and a
/// default (or `examples` when there is none; the tests use the first example,
/// else the default, const or first enum value, as the key's value). A key
/// that needs another key with it goes in an object-level `examples` entry
/// or `dependentRequired`. A new nested object needs a line in `readerTable`.
@Suite struct SchemaTests {
    static let schemaPath = repositoryDirectory + "/configs/trainer.schema.json"

    static func loadSchema() throws -> (schema: JSONValue, validator: SchemaValidator) {
        let schema = try JSONTree.parseFile(schemaPath)
        return (schema, try SchemaValidator(schema: schema))
    }

    /// The reader's key table for the object at a config path, or nil when
    /// the test does not know which table checks it.
    static func readerTable(for path: [String]) -> [String]? {
        switch path {
        case []: return Config.topLevelKeys
        case ["network"]: return Config.networkKeys
        case ["training"]: return Config.trainingKeys
        case ["data"]: return Config.dataKeys
        case ["output"]: return Config.outputKeys
        case ["training", "optimizer"]: return Config.optimizerKeys
        case ["training", "lr_schedule"]: return Config.scheduleKeys
        case ["training", "early_stopping"]: return Config.earlyStoppingKeys
        case ["training", "target"]: return Config.targetKeys
        case let path where path.count == 2 && path[0] == "data": return Config.sourceKeys  // every member of data is a data set
        default: return nil
        }
    }

    /// Decodes config text as `trainer` does (without reading data files).
    static func decode(_ config: JSONValue) -> TrainerError? {
        do {
            _ = try Config.decode(Array(JSONTree.text(config).utf8), file: "c.json", directory: "")
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The schema itself

    @Test func schemaIsDraft202012AndUsesOnlySupportedKeywords() throws {
        let (schema, _) = try Self.loadSchema()  // throws on a keyword the validator does not support
        #expect(JSONTree.member(schema, "$schema").flatMap(JSONTree.string) == "https://json-schema.org/draft/2020-12/schema")
        #expect(JSONTree.member(schema, "$id").flatMap(JSONTree.string)?.isEmpty == false)
        #expect(JSONTree.keys(schema).first == "$schema")
    }

    /// The schema's names are the program's names.
    @Test func enumsMatchTheProgram() throws {
        let (_, validator) = try Self.loadSchema()
        func names(_ pointer: String) -> [String] {
            JSONTree.strings(validator.resolve(pointer).flatMap { JSONTree.member($0, "enum") })
        }
        #expect(names("#/$defs/activation") == Activation.names)
        #expect(names("#/properties/training/properties/loss") == Loss.names)
        #expect(names("#/properties/training/properties/precision") == Precision.names)
        #expect(names("#/properties/network/properties/init") == Initialization.names)
    }

    // MARK: - (a) The example configs

    static var exampleConfigs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repositoryDirectory + "/configs")) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
    }

    @Test func thereAreExampleConfigs() {
        #expect(Self.exampleConfigs.count >= 5)
    }

    /// Every configs/*.json names the schema first and validates against it.
    @Test(arguments: exampleConfigs)
    func exampleConfigValidates(name: String) throws {
        let (_, validator) = try Self.loadSchema()
        let path = repositoryDirectory + "/configs/" + name
        let config = try JSONTree.parseFile(path)
        #expect(JSONTree.keys(config).first == "$schema", "\(name): \"$schema\" should be the first key")
        #expect(JSONTree.member(config, "$schema").flatMap(JSONTree.string) == "trainer.schema.json")
        let failures = validator.validate(config)
        #expect(failures.isEmpty, "\(name): \(failures.map(\.description).joined(separator: "\n"))")
        #expect(Self.decode(config) == nil)
    }

    // MARK: - (b) Agreement with the reader

    /// An object the schema describes: its config path and its schema.
    /// A data set has three (inline, CSV, IDX), all at the same path.
    struct ObjectSite {
        var path: [String]
        var pointer: String
        var schema: JSONValue
        var properties: [(key: String, schema: JSONValue)]
        var pathText: String { path.isEmpty ? "(top level)" : path.joined(separator: ".") }
    }

    /// Every object schema with `properties`, by config path, following
    /// `$ref`, `oneOf`, `anyOf` and `allOf`.
    static func objectSites(_ schema: JSONValue, _ validator: SchemaValidator) -> [ObjectSite] {
        var sites: [ObjectSite] = []
        var seen: Set<String> = []
        func visit(_ node: JSONValue, path: [String], pointer: String) {
            guard seen.insert(path.joined(separator: ".") + " " + pointer).inserted, path.count < 16 else { return }
            if let reference = JSONTree.member(node, "$ref").flatMap(JSONTree.string), let target = validator.resolve(reference) {
                visit(target, path: path, pointer: reference)
            }
            for combination in ["oneOf", "anyOf", "allOf"] {
                if case .array(let branches)? = JSONTree.member(node, combination) {
                    for (index, branch) in branches.enumerated() {
                        visit(branch.value, path: path, pointer: "\(pointer)/\(combination)/\(index)")
                    }
                }
            }
            guard case .object(let members)? = JSONTree.member(node, "properties") else { return }
            let properties = members.map { (key: $0.key, schema: $0.value.value) }
            sites.append(ObjectSite(path: path, pointer: pointer, schema: node, properties: properties))
            for property in properties {
                visit(property.schema, path: path + [property.key], pointer: "\(pointer)/properties/\(property.key)")
            }
        }
        visit(schema, path: [], pointer: "#")
        return sites
    }

    /// A valid value for a property: its first example, else its default,
    /// const or first enum value, else one of what it refers to.
    static func exampleValue(_ schema: JSONValue, _ validator: SchemaValidator, depth: Int = 0) -> JSONValue? {
        guard depth < 16 else { return nil }
        if case .array(let examples)? = JSONTree.member(schema, "examples"), let first = examples.first { return first.value }
        if let value = JSONTree.member(schema, "default") { return value }
        if let value = JSONTree.member(schema, "const") { return value }
        if case .array(let options)? = JSONTree.member(schema, "enum"), let first = options.first { return first.value }
        if let reference = JSONTree.member(schema, "$ref").flatMap(JSONTree.string), let target = validator.resolve(reference),
            let value = exampleValue(target, validator, depth: depth + 1)
        {
            return value
        }
        for combination in ["oneOf", "anyOf"] {
            if case .array(let branches)? = JSONTree.member(schema, combination) {
                for branch in branches {
                    if let value = exampleValue(branch.value, validator, depth: depth + 1) { return value }
                }
            }
        }
        return nil
    }

    /// Configs that exercise every property of a site: the site's own
    /// examples (or the schema's example config's object at that path, or
    /// its required keys), then one more for each property not in those,
    /// added to the first. Each comes as a whole config (the schema's first
    /// example with the object put at the site's path) and the object alone.
    static func instances(of site: ObjectSite, baseConfig: JSONValue, _ validator: SchemaValidator)
        -> [(object: JSONValue, config: JSONValue, added: String?)]
    {
        var objects: [JSONValue] = []
        if case .array(let examples)? = JSONTree.member(site.schema, "examples") {
            objects = examples.map(\.value)
        } else if let existing = JSONTree.value(baseConfig, at: site.path), validator.isValid(existing, against: site.schema) {
            objects = [existing]
        } else {
            let required = JSONTree.strings(JSONTree.member(site.schema, "required"))
            let members = required.map { key in
                (key, site.properties.first { $0.key == key }.flatMap { exampleValue($0.schema, validator) } ?? .null)
            }
            objects = [JSONTree.object(members)]
        }
        var result = objects.map { (object: $0, config: JSONTree.setting(baseConfig, at: site.path, to: $0), added: String?.none) }
        let covered = Set(objects.flatMap(JSONTree.keys))
        for property in site.properties where !covered.contains(property.key) {
            guard let value = exampleValue(property.schema, validator) else {
                Issue.record("\(site.pathText).\(property.key): no example value (give it a default or examples)")
                continue
            }
            var object = JSONTree.setting(objects[0], property.key, to: value)
            // And the keys it needs with it.
            for needed in JSONTree.strings(JSONTree.member(site.schema, "dependentRequired").flatMap { JSONTree.member($0, property.key) })
            where JSONTree.member(object, needed) == nil {
                if let schema = site.properties.first(where: { $0.key == needed })?.schema, let value = exampleValue(schema, validator) {
                    object = JSONTree.setting(object, needed, to: value)
                }
            }
            result.append((object, JSONTree.setting(baseConfig, at: site.path, to: object), property.key))
        }
        return result
    }

    static func baseConfig(_ schema: JSONValue) -> JSONValue {
        guard case .array(let examples)? = JSONTree.member(schema, "examples"), let first = examples.first else {
            Issue.record("the schema needs a top-level example config")
            return .null
        }
        return first.value
    }

    /// The reader's key tables equal the schema's property sets, object by
    /// object (a data set's keys being those of its three forms together),
    /// and every object the reader checks for unknown keys is closed in the
    /// schema (`additionalProperties: false`).
    @Test func readerKeyTablesEqualSchemaProperties() throws {
        let (schema, validator) = try Self.loadSchema()
        let sites = Self.objectSites(schema, validator)
        var byPath: [[String]: Set<String>] = [:]
        for site in sites {
            byPath[site.path, default: []].formUnion(site.properties.map(\.key))
            if case .bool(false)? = JSONTree.member(site.schema, "additionalProperties") {
            } else {
                Issue.record("\(site.pathText) (\(site.pointer)): the reader refuses unknown keys; add \"additionalProperties\": false")
            }
        }
        for (path, keys) in byPath.sorted(by: { $0.key.joined(separator: ".") < $1.key.joined(separator: ".") }) {
            let place = path.isEmpty ? "(top level)" : path.joined(separator: ".")
            guard let table = Self.readerTable(for: path) else {
                Issue.record(
                    "\(place): the schema describes an object the test cannot match to a reader key table; add it to SchemaTests.readerTable"
                )
                continue
            }
            let readerKeys = Set(table)
            #expect(
                readerKeys.subtracting(keys).isEmpty,
                "\(place): keys the reader accepts but the schema lacks: \(readerKeys.subtracting(keys).sorted())")
            #expect(
                keys.subtracting(readerKeys).isEmpty,
                "\(place): keys the schema has but the reader refuses: \(keys.subtracting(readerKeys).sorted())")
        }
        // Every table is reached.
        for path in [[], ["network"], ["training"], ["data"], ["data", "train"], ["data", "test"], ["output"]] as [[String]] {
            #expect(byPath[path] != nil, "the schema has no object at \(path.joined(separator: "."))")
        }
    }

    /// For every property the schema describes, a config using it (with a
    /// value from the schema) validates and the reader accepts it.
    @Test func everySchemaPropertyIsAcceptedByTheReader() throws {
        let (schema, validator) = try Self.loadSchema()
        let base = Self.baseConfig(schema)
        #expect(validator.validate(base).isEmpty, "the schema's example config: \(validator.validate(base))")
        #expect(Self.decode(base) == nil)
        var exercised: Set<String> = []
        for site in Self.objectSites(schema, validator) {
            for instance in Self.instances(of: site, baseConfig: base, validator) {
                let what =
                    "\(site.pathText) \(instance.added.map { "with \($0)" } ?? "example") (\(site.pointer)): \(JSONTree.text(instance.object))"
                #expect(validator.isValid(instance.object, against: site.schema), "\(what) does not validate against its own schema")
                let failures = validator.validate(instance.config)
                #expect(failures.isEmpty, "\(what): \(failures.map(\.description).joined(separator: "; "))")
                if let error = Self.decode(instance.config) {
                    Issue.record("\(what): the reader refuses it: \(error)")
                }
                for key in JSONTree.keys(instance.object) { exercised.insert((site.path + [key]).joined(separator: ".")) }
            }
        }
        // Spot checks that the walk reached every kind of object.
        for path in [
            "$schema", "network.from", "network.metadata", "training.precision", "data.test",
            "data.train.labels", "data.train.classes", "data.train.header", "data.test.limit", "output.loss_log",
        ] {
            #expect(exercised.contains(path), "\(path) was not exercised")
        }
    }

    /// A key that is in no table and not in the schema is refused by both,
    /// in every object.
    @Test func madeUpKeyIsRefusedByReaderAndValidator() throws {
        let (schema, validator) = try Self.loadSchema()
        let base = Self.baseConfig(schema)
        for site in Self.objectSites(schema, validator) {
            guard let first = Self.instances(of: site, baseConfig: base, validator).first else { continue }
            let object = JSONTree.setting(first.object, "made_up_key", to: .number("1"))
            let config = JSONTree.setting(base, at: site.path, to: object)
            let place = (site.path + ["made_up_key"]).joined(separator: ".")
            let failures = validator.validate(config)
            // Inside a oneOf (a data set's three forms) the key is refused by its own form.
            #expect(
                failures.flatMap(\.flattened).contains { $0.path == place && $0.message.hasPrefix("unknown key") },
                "\(site.pointer): the validator accepts \(place): \(failures)")
            let error = Self.decode(config)
            #expect(
                error?.description.contains("\(place): unknown key") == true,
                "\(site.pointer): the reader accepts \(place): \(error?.description ?? "no error")")
        }
    }

    // MARK: - $schema in a config

    /// A top-level "$schema" is accepted and ignored; elsewhere it is an
    /// unknown key like any other, and it must be a string.
    @Test func topLevelSchemaKeyIsAcceptedAndIgnored() throws {
        let (schema, _) = try Self.loadSchema()
        let base = Self.baseConfig(schema)
        let with = JSONTree.object(
            [("$schema", .string("trainer.schema.json"))] + JSONTree.keys(base).map { ($0, JSONTree.member(base, $0)!) })
        #expect(Self.decode(with) == nil)
        let plain = try Config.decode(Array(JSONTree.text(base).utf8), file: "c.json", directory: "")
        let annotated = try Config.decode(Array(JSONTree.text(with).utf8), file: "c.json", directory: "")
        #expect(plain.network.layers == annotated.network.layers)
        #expect(plain.training.epochs == annotated.training.epochs)

        let nested = JSONTree.setting(base, at: ["network", "$schema"], to: .string("trainer.schema.json"))
        #expect(Self.decode(nested)?.description.contains("network.$schema: unknown key") == true)
        let number = JSONTree.setting(base, "$schema", to: .number("1"))
        #expect(Self.decode(number)?.description.contains("$schema: expected a string") == true)
    }

    // MARK: - (c) The validator can fail

    static let wrongConfigs: [(name: String, edit: @Sendable (JSONValue) -> JSONValue, place: String, message: String)] = [
        (
            "wrong type", { JSONTree.setting($0, at: ["training", "epochs"], to: .string("10")) }, "training.epochs",
            "expected a whole number, found a string"
        ),
        (
            "fraction where a whole number goes", { JSONTree.setting($0, at: ["training", "epochs"], to: .number("2.5")) },
            "training.epochs", "expected a whole number"
        ),
        ("unknown key", { JSONTree.setting($0, at: ["training", "epoch"], to: .number("10")) }, "training.epoch", "unknown key"),
        (
            "bad enum", { JSONTree.setting($0, at: ["network", "activation"], to: .string("sigmod")) }, "network.activation",
            "expected one of"
        ),
        (
            "below an exclusive minimum", { JSONTree.setting($0, at: ["training", "learning_rate"], to: .number("0")) },
            "training.learning_rate", "expected > 0"
        ),
        (
            "too few layers", { JSONTree.setting($0, at: ["network", "layers"], to: JSONTree.array([.number("2")])) }, "network.layers",
            "expected at least 2 entries"
        ),
        (
            "required key missing", { JSONTree.setting($0, "training", to: JSONTree.object([("epochs", .number("1"))])) },
            "training.learning_rate", "required, missing"
        ),
        (
            "both activation and activations",
            {
                JSONTree.setting(
                    JSONTree.setting($0, at: ["network", "activation"], to: .string("tanh")),
                    at: ["network", "activations"], to: JSONTree.array([.string("tanh"), .string("sigmoid")]))
            }, "network", "must not match"
        ),
        (
            "a data set of two forms",
            {
                JSONTree.setting($0, at: ["data", "train", "csv"], to: .string("x.csv"))
            }, "data.train", "matches none of the 3 alternatives"
        ),
        (
            "an empty file path", { JSONTree.setting($0, at: ["output", "weights"], to: .string("")) }, "output.weights",
            "expected at least 1 characters"
        ),
    ]

    @Test(arguments: wrongConfigs.indices)
    func validatorRejectsWrongConfig(index: Int) throws {
        let (schema, validator) = try Self.loadSchema()
        let wrong = Self.wrongConfigs[index]
        let config = wrong.edit(Self.baseConfig(schema))
        let failures = validator.validate(config)
        #expect(
            failures.contains { $0.path == wrong.place && $0.message.contains(wrong.message) },
            "\(wrong.name): \(failures.isEmpty ? "accepted" : failures.map(\.description).joined(separator: "; "))")
        // The reader refuses each too.
        #expect(Self.decode(config) != nil, "\(wrong.name): the reader accepts \(JSONTree.text(config))")
    }

    /// A schema keyword the validator does not implement is an error, not
    /// silently skipped.
    @Test func validatorRefusesUnsupportedKeywords() throws {
        #expect(throws: SchemaValidator.UnsupportedSchema.self) {
            try SchemaValidator(schema: try JSONTree.parse(#"{"type": "object", "patternProperties": {"^x": true}}"#))
        }
        #expect(throws: SchemaValidator.UnsupportedSchema.self) {
            try SchemaValidator(schema: try JSONTree.parse(##"{"$ref": "#/$defs/missing"}"##))
        }
    }

    /// The validator's own semantics on small schemas.
    @Test func validatorBasics() throws {
        func check(_ schema: String, _ instance: String) throws -> Bool {
            try SchemaValidator(schema: try JSONTree.parse(schema)).validate(try JSONTree.parse(instance)).isEmpty
        }
        #expect(try check(#"{"type": "integer"}"#, "2.0"))
        #expect(try !check(#"{"type": "integer"}"#, "2.5"))
        #expect(try check(#"{"const": 1}"#, "1.0"))
        #expect(try check(#"{"prefixItems": [{"type": "string"}], "items": {"type": "number"}}"#, #"["a", 1, 2]"#))
        #expect(try !check(#"{"prefixItems": [{"type": "string"}], "items": {"type": "number"}}"#, #"["a", "b"]"#))
        #expect(try !check(#"{"oneOf": [{"type": "number"}, {"type": "integer"}]}"#, "1"))
        #expect(try check(#"{"anyOf": [{"type": "number"}, {"type": "integer"}]}"#, "1"))
        #expect(try !check(#"{"pattern": "^a+$"}"#, #""ab""#))
        #expect(try check(#"{"pattern": "^a+$"}"#, #""aa""#))
        #expect(try !check(#"{"dependentRequired": {"a": ["b"]}}"#, #"{"a": 1}"#))
        #expect(try check(#"{"maximum": 3, "exclusiveMaximum": 4}"#, "3"))
        #expect(try !check(#"{"items": false}"#, "[1]"))
    }
}
