import Foundation
import Testing
@testable import TrainerKit

/// `trainer explain`: run's first step written out. Its numbers are run's
/// (bit for bit, compared as the decimal strings both write), its text is a
/// snapshot, and large steps are summarised unless --full.
@Suite struct ExplainTests {
    // MARK: - The same numbers as run

    /// A config with exactly one step per epoch (one sample, or a batch of
    /// every sample), so that `run --epochs 1` writes the weights after
    /// explain's step and logs its loss.
    struct OneStepCase: CustomTestStringConvertible, Sendable {
        var name: String
        /// The config text; nil to use configs/NAME.json as it is.
        var config: String?
        var testDescription: String { name }
    }

    static let oneStepCases: [OneStepCase] = [
        OneStepCase(name: "worked-2-2-2"),
        OneStepCase(name: "worked-3-5-4-2"),
        // Seeded initial weights and a seeded shuffle: both must be run's.
        OneStepCase(
            name: "shuffled-batch-2",
            config: """
                {"network": {"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"]},
                 "training": {"loss": "cross_entropy", "learning_rate": 0.3, "epochs": 1, "batch_size": 2,
                              "shuffle": true, "seed": 11},
                 "data": {"train": {"inputs": [[0.5, -1], [1, 0.25]], "targets": [[1], [0]]}}}
                """),
        OneStepCase(
            name: "float32-softmax-batch-3",
            config: """
                {"network": {"layers": [2, 4, 3], "activations": ["relu", "softmax"]},
                 "training": {"loss": "cross_entropy", "learning_rate": 0.1, "epochs": 1, "batch_size": 3,
                              "seed": 3, "precision": "float32"},
                 "data": {"train": {"inputs": [[0.5, -1], [0, 1], [1, 0]], "labels": [0, 1, 2]}}}
                """),
    ]

    @Test(arguments: oneStepCases)
    func explainHasTheNumbersOfRunsFirstStep(_ testCase: OneStepCase) throws {
        let directory = TemporaryDirectory()
        let config =
            testCase.config.map { directory.write("\(testCase.name).json", $0) }
            ?? repositoryDirectory + "/configs/\(testCase.name).json"

        let explained = runCLI(["explain", config, "--format", "json"])
        #expect(explained.code == 0, "\(explained.stderr)")
        #expect(explained.stderr == "")
        // Valid JSON for any reader; the literals are compared through trainer's
        // own reader, which keeps each number's text.
        #expect((try? JSONSerialization.jsonObject(with: Data(explained.stdout.utf8))) != nil)
        let json = try JSONReader.parse(Array(explained.stdout.utf8), expectObject: true).root

        let weightsPath = directory.file("run.weights.json"), logPath = directory.file("run.loss.csv")
        let ran = runCLI(["run", config, "--epochs", "1", "--weights-out", weightsPath, "--log", logPath, "--quiet"])
        #expect(ran.code == 0, "\(ran.stderr)")
        let weights = try WeightsFile.read(FilePath(path: weightsPath))
        #expect(weights.metadata.samplesTrained == literals(of: json["samples"]).count, "one step per epoch")

        let layers = try #require(json["layers"].map(elements))
        #expect(layers.count == weights.weights.count)
        for (k, layer) in layers.enumerated() {
            #expect(literalMatrix(layer["weights_after"]) == weights.weights[k], "W[\(k)] after the step")
            #expect(literals(of: layer["biases_after"]) == weights.biases[k], "b[\(k)] after the step")
        }
        let log = try #require(directory.read("run.loss.csv"))
        let firstRow = log.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
        let meanLoss = try #require(literals(of: json["mean_loss"]).first)
        #expect(meanLoss == String(firstRow[1]), "the loss of epoch 1")
        #expect(Double(meanLoss)?.bitPattern == Double(firstRow[1])?.bitPattern)
    }

    /// Resuming: explain --init-from takes the step run would take next,
    /// here the first of epoch 2, with the generator the file saved.
    @Test func explainContinuesFromASavedRun() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.oneStepCases[2].config!)
        let first = directory.file("first.weights.json")
        #expect(runCLI(["run", config, "--weights-out", first, "--log", directory.file("first.csv"), "--quiet"]).code == 0)

        let explained = runCLI(["explain", config, "--init-from", first, "--format", "json"])
        #expect(explained.code == 0, "\(explained.stderr)")
        let json = try JSONReader.parse(Array(explained.stdout.utf8), expectObject: true).root
        #expect(literals(of: json["epoch"]) == ["2"])

        let second = directory.file("second.weights.json")
        let ran = runCLI([
            "run", config, "--init-from", first, "--weights-out", second, "--log", directory.file("second.csv"), "--quiet",
        ])
        #expect(ran.code == 0, "\(ran.stderr)")
        let weights = try WeightsFile.read(FilePath(path: second))
        let layers = try #require(json["layers"].map(elements))
        for (k, layer) in layers.enumerated() {
            #expect(literalMatrix(layer["weights_after"]) == weights.weights[k], "W[\(k)] after epoch 2's step")
        }
    }

    /// Resuming a momentum or Adam run, explain's step continues the saved
    /// velocities and moments, as run does: its weights after the step are
    /// those of `run --init-from` for one epoch of one batch. (Before, explain
    /// started a fresh optimizer, and Adam's first step moved each weight by
    /// about η instead.)
    @Test(arguments: [#""optimizer": "adam""#, #""optimizer": {"name": "momentum", "momentum": 0.9}"#])
    func resumedOptimizerContinues(_ optimizer: String) throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            """
            {"network": {"layers": [2, 3, 1], "activation": "sigmoid"},
             "training": {"loss": "sse", "learning_rate": 0.1, "epochs": 3, "batch_size": 4, "seed": 5, \(optimizer)},
             "data": {"train": {"inputs": [[0,0],[0,1],[1,0],[1,1]], "targets": [[0],[1],[1],[0]]}}}
            """)
        let first = directory.file("first.json"), second = directory.file("second.json")
        #expect(runCLI(["run", config, "--weights-out", first, "--log", directory.file("first.csv"), "--quiet"]).code == 0)
        let explained = runCLI(["explain", config, "--init-from", first, "--format", "json"])
        #expect(explained.code == 0, "\(explained.stderr)")
        let json = try JSONReader.parse(Array(explained.stdout.utf8), expectObject: true).root
        let ran = runCLI(["run", config, "--init-from", first, "--epochs", "1", "--weights-out", second, "--log", "-", "--quiet"])
        #expect(ran.code == 0, "\(ran.stderr)")
        let weights = try WeightsFile.read(FilePath(path: second))
        for (k, layer) in try #require(json["layers"].map(elements)).enumerated() {
            #expect(literalMatrix(layer["weights_after"]) == weights.weights[k], "W[\(k)] after the resumed step")
        }
    }

    /// With a learning-rate schedule, explain's η is the step's own (epoch 3
    /// of a rate halved every epoch: 0.5 × 0.25), and the update it writes
    /// out gives run's weights. With another rule (Adam, L2), explain names
    /// it and shows only the values after run's step, never W − η·∂E/∂W.
    @Test func updateIsTheStepsOwn() throws {
        let directory = TemporaryDirectory()
        func config(_ training: String) -> String {
            """
            {"network": {"layers": [2, 3, 1], "activation": "sigmoid"},
             "training": {"loss": "sse", "learning_rate": 0.5, "epochs": 2, "batch_size": 4, "seed": 5, \(training)},
             "data": {"train": {"inputs": [[0,0],[0,1],[1,0],[1,1]], "targets": [[0],[1],[1],[0]]}}}
            """
        }
        let scheduled = directory.write("s.json", config(#""lr_schedule": {"name": "step", "every": 1, "factor": 0.5}"#))
        let first = directory.file("first.json")
        #expect(runCLI(["run", scheduled, "--quiet", "--weights-out", first, "--log", directory.file("first.csv")]).code == 0)
        let explained = runCLI(["explain", scheduled, "--init-from", first, "--format", "json"])
        #expect(explained.code == 0, "\(explained.stderr)")
        let json = try JSONReader.parse(Array(explained.stdout.utf8), expectObject: true).root
        #expect(literals(of: json["epoch"]) == ["3"])
        #expect(literals(of: json["learning_rate"]) == ["0.125"])
        let text = runCLI(["explain", scheduled, "--init-from", first]).stdout
        #expect(text.contains("Update, η = 0.125: W ← W − η·∂E/∂W"))
        let second = directory.file("second.json")
        #expect(
            runCLI([
                "run", scheduled, "--quiet", "--epochs", "1", "--init-from", first, "--weights-out", second,
                "--log", directory.file("second.csv"),
            ]).code == 0)
        let layers = try #require(json["layers"].map(elements))
        let weights = try WeightsFile.read(FilePath(path: second))
        for (k, layer) in layers.enumerated() {
            #expect(literalMatrix(layer["weights_after"]) == weights.weights[k], "W[\(k)] after epoch 3's step")
        }

        for (training, rule) in [(#""optimizer": "adam""#, "adam"), (#""l2": 0.01"#, "sgd with l2 0.01")] {
            let other = directory.write("o.json", config(training))
            let result = runCLI(["explain", other])
            #expect(result.code == 0, "\(result.stderr)")
            let update = try #require(result.stdout.components(separatedBy: "\nUpdate, ").last)
            #expect(update.hasPrefix("\(rule), η = 0.5: run's step (not W ← W − η·∂E/∂W), the values after it"), "\(update.prefix(120))")
            #expect(!update.contains(" - 0.5×"), "no delta-rule arithmetic under another rule")
        }
    }

    // MARK: - The text

    /// The worked example, written out in full: the snapshot the README
    /// shows. Its numbers agree with Tests/Reference/worked_example.py (50-digit
    /// decimals) in every digit they share, e.g. a[1][0] = 0.5932699921071872
    /// against 5.93269992107187255174e-1 and W[1][0][0] after the step
    /// 0.35891647971788465 against 3.58916479717884610577e-1.
    @Test func workedExampleText() throws {
        let expected = try String(contentsOfFile: Self.fixture("worked-2-2-2.txt"), encoding: .utf8)
        let result = runCLI(["explain", repositoryDirectory + "/configs/worked-2-2-2.json"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let text = result.stdout.replacingOccurrences(of: repositoryDirectory + "/", with: "")
        #expect(text == expected)
        // Readable in an 80-column terminal.
        for line in text.split(separator: "\n") {
            #expect(line.count <= ExplainLimits.width, "\(line)")
        }
    }

    /// docs/commands.md shows the same text, so it cannot drift from the
    /// program; the README shows an excerpt: lines of it in order, with
    /// `...` where lines are left out.
    @Test func docsShowTheWorkedExampleText() throws {
        let expected = try String(contentsOfFile: Self.fixture("worked-2-2-2.txt"), encoding: .utf8)
        let commands = try String(contentsOfFile: repositoryDirectory + "/docs/commands.md", encoding: .utf8)
        #expect(commands.contains("$ trainer explain configs/worked-2-2-2.json\n" + expected + "```"))

        let readme = try String(contentsOfFile: repositoryDirectory + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "$ trainer explain configs/worked-2-2-2.json\n"), "no explain excerpt in README.md")
        let excerpt = readme[start.upperBound...].prefix { _ in true }.components(separatedBy: "```")[0]
            .split(separator: "\n").map(String.init)
        let lines = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var next = 0
        for line in excerpt where line != "..." {
            guard let found = lines[next...].firstIndex(of: line) else {
                Issue.record("README's explain excerpt line is not the program's, or out of order: \(line)")
                break
            }
            next = found + 1
        }
        #expect(excerpt.count > 10 && excerpt.contains("..."))
    }

    /// A batch of several samples: the formula once, then a row per sample
    /// (named by its index in data.train), and gradients as batch means.
    @Test func batchOfSeveralSamplesShowsARowPerSample() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.oneStepCases[2].config!)
        let result = runCLI(["explain", config])
        #expect(result.code == 0, "\(result.stderr)")
        let json = try JSONReader.parse(Array(runCLI(["explain", config, "--format", "json"]).stdout.utf8)).root
        let samples = literals(of: json["samples"])
        #expect(samples.count == 2)
        #expect(result.stdout.contains("  batch:    data.train samples \(samples.joined(separator: ", ")) of 2; batch size 2\n"))
        for sample in samples {
            #expect(result.stdout.contains("\n      s=\(sample): "), "a row for sample \(sample)")
        }
        #expect(result.stdout.contains("    ∂E/∂W[1][0][0] = (Σ_s a[1][0]·δ[1][0]) / 2"))
        #expect(result.stdout.contains("  mean E = ("))
    }

    // MARK: - Size

    /// A 20-30-10 network with seeded weights (940 parameters).
    static let largeConfig: String = {
        var inputs: [String] = []
        for s in 0..<3 {
            let row: [String] = (0..<20).map { i in String(Double((s * 7 + i * 3) % 10) / 10) }
            inputs.append("[" + row.joined(separator: ", ") + "]")
        }
        let labels = ["0", "1", "2"]
        return """
            {"network": {"layers": [20, 30, 10], "activations": ["tanh", "softmax"]},
             "training": {"loss": "cross_entropy", "learning_rate": 0.1, "epochs": 1, "seed": 5},
             "data": {"train": {"inputs": [\(inputs.joined(separator: ", "))], "labels": [\(labels.joined(separator: ", "))]}}}
            """
    }()

    @Test func largeNetworkIsSummarisedUnlessFull() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("large.json", Self.largeConfig)

        let summary = runCLI(["explain", config])
        #expect(summary.code == 0, "\(summary.stderr)")
        #expect(summary.stdout.hasPrefix("trainer explain \(config): the first step of 'trainer run' (a summary)\n"))
        #expect(
            summary.stdout.hasSuffix(
                """
                This is a summary, because the network has 940 parameters (more than 100).
                --full writes every number; --format json writes them all as JSON.

                """))
        #expect(summary.stdout.contains("    z[0] (1×30): min "))
        #expect(summary.stdout.contains("    ∂E/∂W[0] (20×30): norm ≈ "))
        #expect(summary.stdout.split(separator: "\n").count < 120)
        #expect(!summary.stdout.contains("W[0][19][29] ←"))

        let full = runCLI(["explain", config, "--full"])
        #expect(full.code == 0, "\(full.stderr)")
        #expect(!full.stdout.contains("summary"))
        #expect(!full.stdout.contains("--full"))
        // Every parameter's update is written: 940 lines that start with W or b.
        let updates = full.stdout.split(separator: "\n").filter { ($0.hasPrefix("  W[") || $0.hasPrefix("  b[")) && $0.contains(" ← ") }
        #expect(updates.count == 940)
        #expect(full.stdout.contains("\n  W[0][19][29] ← "))
        // Sums of more than the limit of terms are given by their result.
        #expect(full.stdout.contains("    z[0][0] = a[0][0]·W[0][0][0] + … + a[0][19]·W[0][19][0] + b[0][0]"))

        // JSON is never summarised.
        let json = runCLI(["explain", config, "--format", "json"])
        let root = try JSONReader.parse(Array(json.stdout.utf8)).root
        let layers = try #require(root["layers"].map(elements))
        #expect(literalMatrix(layers[0]["weights_after"]).map { $0.count } == Array(repeating: 30, count: 20))
    }

    @Test func largeBatchIsSummarised() throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "batch.json",
            """
            {"network": {"layers": [2, 2, 1], "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5], [0.6]]]},
             "training": {"learning_rate": 0.5, "epochs": 1, "batch_size": 6, "shuffle": false},
             "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [1, 0.5]],
                                "targets": [[0], [1], [1], [0], [1], [0]]}}}
            """)
        let summary = runCLI(["explain", config])
        #expect(summary.code == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("because the batch has 6 samples (more than 4)."))
        #expect(summary.stdout.contains("    … 2 more samples\n"))
        let full = runCLI(["explain", config, "--full"])
        #expect(!full.stdout.contains("summary"))
        #expect(full.stdout.contains("\n      s=5: "))
        // Four samples or fewer are written out in full.
        #expect(!runCLI(["explain", config, "--batch-size", "4"]).stdout.contains("summary"))
    }

    // MARK: - The command line

    @Test(arguments: [
        ("yaml", "trainer: error: --format: unknown format \"yaml\"; expected text, json or svg\n"),
        ("jsn", "trainer: error: --format: unknown format \"jsn\"; expected text, json or svg (did you mean json?)\n"),
        ("txt", "trainer: error: --format: unknown format \"txt\"; expected text, json or svg (did you mean text?)\n"),
        ("svf", "trainer: error: --format: unknown format \"svf\"; expected text, json or svg (did you mean svg?)\n"),
        ("", "trainer: error: --format: unknown format \"\"; expected text, json or svg\n"),
    ])
    func unknownFormatIsAUsageError(format: String, message: String) {
        // Reported before the config is read: the file need not exist.
        let result = runCLI(["explain", "/nonexistent/c.json", "--format", format])
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == message)
    }

    @Test func helpStatesTheThresholds() {
        let help = runCLI(["explain", "--help"]).stdout
        #expect(help.contains("more than \(ExplainLimits.parameters) parameters"))
        #expect(help.contains("more than \(ExplainLimits.batch) samples"))
    }

    // MARK: - Helpers

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/explain/\(name)").path
    }

    /// The literal text of a number (or each number of an array).
    func literals(of node: JSONNode?) -> [String] {
        switch node?.value {
        case .number(let text): return [text]
        case .array(let items): return items.flatMap { literals(of: $0) }
        default: return []
        }
    }

    func literalMatrix(_ node: JSONNode?) -> LiteralMatrix {
        guard let node, case .array(let rows) = node.value else { return [] }
        return rows.map { literals(of: $0) }
    }

    func elements(_ node: JSONNode) -> [JSONNode] {
        guard case .array(let items) = node.value else { return [] }
        return items
    }
}

extension JSONNode {
    /// The member named `key` of an object.
    fileprivate subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }
}
