import Foundation
import Testing
@testable import TrainerKit

/// Training against an independent float64 reference.
///
/// The expected numbers come from `Tests/Reference/reference.py`, a pure
/// Python implementation of the training semantics of docs/contract.md
/// ("Notation") and docs/configuration.md, written from the mathematics
/// (forward pass, losses, backpropagation, mini-batch gradient descent,
/// xoshiro256** shuffling and seeded initialisation), not from these sources.
/// Its fixtures live in `Tests/TrainerKitTests/Fixtures/reference/`,
/// one JSON file per case: `description`, `config` (a complete trainer config
/// with inline data), `epoch_losses`, `final_weights`, `final_biases`.
/// Regenerate them with `python3 Tests/Reference/reference.py` (no arguments;
/// deterministic); `swift test` itself needs no Python.
///
/// Each case is run through the whole CLI path (`trainer run CONFIG --quiet`,
/// in-process), and every epoch loss of the log and every final weight and
/// bias of the weights file must agree with the reference to 1e-9 relative
/// (absolute 1e-12 near zero).
@Suite struct ReferenceTrainingTests {
    static let relativeTolerance = 1e-9
    static let absoluteFloor = 1e-12

    static var fixtureDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference").path
    }

    /// The cases, one per fixture file (see `cases()` in reference.py).
    static let fixtureNames = [
        "sigmoid_sse_batch1",
        "sigmoid_mse_batch3",
        "seeded_xavier_sigmoid",
        "tanh_linear_mse_regression",
        "tanh_linear_mse_batch4",
        "relu_sigmoid_binary_ce",
        "seeded_he_relu_binary_ce",
        "softmax_cross_entropy",
        "softmax_sse",
        "softmax_mse_batch4",
        // Issue 6: optimizers, L2 and learning-rate schedules.
        "sgd_l2_exponential",
        "momentum_step_schedule",
        "nesterov_l2",
        "adam_softmax_cosine",
        "adam_l2_custom",
    ]

    @Test func everyFixtureIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtureDirectory)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(files.sorted() == Self.fixtureNames.sorted())
    }

    @Test(arguments: fixtureNames)
    func trainingMatchesReference(_ name: String) throws {
        let fixture = try ReferenceFixture(path: Self.fixtureDirectory + "/" + name + ".json")
        let directory = TemporaryDirectory()
        let configPath = directory.write("\(name).json", fixture.configText)

        // The config decodes, and describes the run the reference trained.
        let config = try Config.decode(Array(fixture.configText.utf8), file: configPath, directory: directory.path)
        #expect(config.training.precision == .float64)
        #expect(config.training.epochs == fixture.epochLosses.count)
        let layers = try #require(config.network.layers)
        #expect(fixture.finalWeights.count == layers.count - 1)

        let weightsPath = directory.file("out/\(name).weights.json")
        let logPath = directory.file("out/\(name).loss.csv")
        let result = runCLI(["run", configPath, "--quiet", "--weights-out", weightsPath, "--log", logPath])
        try #require(result.code == 0, "trainer run failed: \(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout == "")

        var worst = (loss: 0.0, parameter: 0.0)
        func compare(_ actual: Double, _ expected: Double, _ place: @autoclosure () -> String, isLoss: Bool = false) {
            let difference = abs(actual - expected)
            let scale = max(abs(actual), abs(expected))
            if scale > 0 {
                if isLoss {
                    worst.loss = max(worst.loss, difference / scale)
                } else {
                    worst.parameter = max(worst.parameter, difference / scale)
                }
            }
            #expect(
                difference <= max(Self.relativeTolerance * scale, Self.absoluteFloor),
                "\(name): \(place()): trainer \(actual), reference \(expected)")
        }

        // The loss log: one row per epoch, `epoch,loss,...`.
        let log = try #require(FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) })
        let rows = log.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(rows.first)
        #expect(Array(header.prefix(2)) == ["epoch", "loss"])
        let lossColumn = try #require(header.firstIndex(of: "loss"))
        try #require(
            rows.count - 1 == fixture.epochLosses.count, "\(name): \(rows.count - 1) log rows, expected \(fixture.epochLosses.count)")
        for (index, row) in rows.dropFirst().enumerated() {
            #expect(row[0] == String(index + 1))
            let loss = try #require(Double(row[lossColumn]), "\(name): epoch \(index + 1): loss \(row[lossColumn])")
            compare(loss, fixture.epochLosses[index], "epoch \(index + 1) loss", isLoss: true)
        }

        // The weights file.
        let bytes = try #require(FileManager.default.contents(atPath: weightsPath))
        let saved = try WeightsFile.decode(Array(bytes), file: weightsPath)
        #expect(saved.layers == layers)
        #expect(saved.metadata.epochsTrained == fixture.epochLosses.count)
        try #require(saved.weights.count == fixture.finalWeights.count && saved.biases.count == fixture.finalBiases.count)
        for k in fixture.finalWeights.indices {
            try #require(saved.weights[k].count == fixture.finalWeights[k].count)
            for i in fixture.finalWeights[k].indices {
                try #require(saved.weights[k][i].count == fixture.finalWeights[k][i].count)
                for j in fixture.finalWeights[k][i].indices {
                    let value = try #require(Double(saved.weights[k][i][j]))
                    compare(value, fixture.finalWeights[k][i][j], "weights[\(k)][\(i)][\(j)]")
                }
            }
            try #require(saved.biases[k].count == fixture.finalBiases[k].count)
            for j in fixture.finalBiases[k].indices {
                let value = try #require(Double(saved.biases[k][j]))
                compare(value, fixture.finalBiases[k][j], "biases[\(k)][\(j)]")
            }
        }
        if ProcessInfo.processInfo.environment["REFERENCE_VERBOSE"] != nil {
            print("reference \(name): largest relative error: losses \(worst.loss), weights and biases \(worst.parameter)")
        }
    }
}

/// One fixture file written by `Tests/Reference/reference.py`.
struct ReferenceFixture {
    /// The `config` member, written back out with its number literals
    /// unchanged, so the trainer reads exactly what the reference read.
    var configText: String
    var epochLosses: [Double]
    var finalWeights: [[[Double]]]
    var finalBiases: [[Double]]

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw FormatError(description: "cannot read \(path)") }
        let root = try JSONReader.parse(Array(data), expectObject: true).root
        guard case .object(let members) = root.value else { throw FormatError(description: "\(path): not an object") }
        func member(_ key: String) throws -> JSONNode {
            guard let node = members.first(where: { $0.key == key })?.value else {
                throw FormatError(description: "\(path): no \(key)")
            }
            return node
        }
        configText = Self.text(of: try member("config")) + "\n"
        epochLosses = try Self.numbers(try member("epoch_losses"))
        finalWeights = try Self.array(try member("final_weights")) { try Self.array($0, Self.numbers) }
        finalBiases = try Self.array(try member("final_biases"), Self.numbers)
    }

    static func array<T>(_ node: JSONNode, _ element: (JSONNode) throws -> T) throws -> [T] {
        guard case .array(let elements) = node.value else { throw FormatError(description: "expected an array") }
        return try elements.map(element)
    }

    static func numbers(_ node: JSONNode) throws -> [Double] {
        try array(node) { element in
            guard case .number(let text) = element.value, let value = Double(text) else {
                throw FormatError(description: "expected a number")
            }
            return value
        }
    }

    /// JSON text for a parsed node, numbers as their original literals.
    static func text(of node: JSONNode) -> String {
        switch node.value {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let literal): return literal
        case .string(let value): return JSONWriter.string(value)
        case .array(let elements): return "[" + elements.map { text(of: $0) }.joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { JSONWriter.string($0.key) + ": " + text(of: $0.value) }.joined(separator: ", ") + "}"
        }
    }
}
