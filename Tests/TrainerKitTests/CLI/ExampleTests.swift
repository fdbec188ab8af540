import Foundation
import Testing
@testable import TrainerKit

@Suite struct ExampleTests {
    /// Each built-in example is also in configs/, and the two copies agree,
    /// but for the copy in configs/ naming the schema beside it (a relative
    /// "$schema" that would dangle wherever `trainer example` writes).
    @Test(arguments: Examples.all.map(\.name))
    func builtInExampleMatchesConfigsFolder(name: String) throws {
        let file = try String(contentsOfFile: repositoryDirectory + "/configs/\(name).json", encoding: .utf8)
        let schemaLine = "  \"$schema\": \"trainer.schema.json\",\n"
        #expect(file.hasPrefix("{\n" + schemaLine))
        #expect(Examples.named(name)?.config == file.replacingOccurrences(of: schemaLine, with: ""))
    }

    /// configs/xor.json learns XOR from its seeded initialisation: every
    /// output on the right side of 0.5, by a margin.
    @Test func xorIsLearnt() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("xor.json", Examples.named("xor")!.config)
        let result = runCLI(["run", config, "--quiet"])
        #expect(result.code == 0, "\(result.stderr)")
        let file = try WeightsFile.read(FilePath(path: directory.file("out/xor.weights.json")))
        var generator = RandomGenerator(seed: 0)
        let network: Network<Double> = try NetworkSpec(
            layers: file.layers, activations: file.activations,
            parameters: .literals(weights: file.weights, biases: file.biases, file: "", path: "weights")
        ).build(using: &generator)
        let outputs = network.predict(Matrix([[0, 0], [0, 1], [1, 0], [1, 1]])).elements
        #expect(outputs[0] < 0.1 && outputs[3] < 0.1, "\(outputs)")
        #expect(outputs[1] > 0.9 && outputs[2] > 0.9, "\(outputs)")
        #expect(file.metadata.finalLoss! < 0.01)
    }

    @Test func listAndPrint() {
        let list = runCLI(["example"])
        #expect(list.code == 0)
        #expect(list.stdout.hasPrefix("xor "))
        let printed = runCLI(["example", "xor"])
        #expect(printed.stdout == Examples.named("xor")!.config)
        let unknown = runCLI(["example", "xro"])
        #expect(unknown.code == 2)
        #expect(
            unknown.stderr
                == "trainer: error: unknown example \"xro\"; did you mean xor? (expected one of xor). See 'trainer example'.\n",
            "the argument is named, not --example")
        let flag = runCLI(["run", "--example", "xro"])
        #expect(flag.stderr.hasPrefix("trainer: error: --example: unknown example \"xro\""))
    }
}

extension ExampleTests {
    static var configNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: repositoryDirectory + "/configs")) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
    }

    /// The MNIST configs read data/mnist/, which `make mnist` fills and a
    /// fresh clone lacks.
    static var mnistConfigNames: [String] { configNames.filter { $0.hasPrefix("mnist") } }
    static var mnistIsPresent: Bool {
        FileManager.default.fileExists(atPath: repositoryDirectory + "/data/mnist/t10k-labels-idx1-ubyte")
    }

    /// Every example config is valid and its data loads (`trainer check`).
    @Test(arguments: configNames.filter { !$0.hasPrefix("mnist") })
    func exampleConfigPassesCheck(name: String) {
        let result = runCLI(["check", repositoryDirectory + "/configs/" + name])
        #expect(result.code == 0, "\(name): \(result.stderr)")
        #expect(result.stdout.hasSuffix("ok\n"))
    }

    @Test(
        "MNIST configs pass check (needs data/mnist: run 'make mnist')",
        .enabled(if: mnistIsPresent, "data/mnist/ is missing; 'make mnist' puts MNIST there"),
        arguments: mnistConfigNames)
    func mnistConfigPassesCheck(name: String) {
        exampleConfigPassesCheck(name: name)
    }

    /// configs/iris.json learns the held-out species: the test accuracy of
    /// its last epoch is at least 90% (it reaches 96.7%: 29 of 30).
    @Test func irisIsLearnt() throws {
        let directory = TemporaryDirectory()
        let result = runCLI([
            "run", repositoryDirectory + "/configs/iris.json", "--quiet",
            "--weights-out", directory.file("iris.json"), "--log", directory.file("iris.csv"),
        ])
        #expect(result.code == 0, "\(result.stderr)")
        let log = directory.read("iris.csv") ?? ""
        let lines = log.split(separator: "\n")
        #expect(lines.first == "epoch,loss,accuracy,test_loss,test_accuracy,seconds")
        let last = lines.last!.split(separator: ",")
        #expect(Double(last[4])! >= 0.9, "\(last)")
    }
}

extension ExampleTests {
    /// Trains `configs/NAME.json` into a temp folder; returns the weights
    /// file and the log's rows.
    func train(_ name: String) throws -> (WeightsFile, [[Substring]]) {
        let directory = TemporaryDirectory()
        let result = runCLI([
            "run", repositoryDirectory + "/configs/\(name).json", "--quiet",
            "--weights-out", directory.file("w.json"), "--log", directory.file("log.csv"),
        ])
        #expect(result.code == 0, "\(result.stderr)")
        let log = (directory.read("log.csv") ?? "").split(separator: "\n").map { $0.split(separator: ",") }
        return (try WeightsFile.read(FilePath(path: directory.file("w.json"))), log)
    }

    /// tanh XOR: the loss falls below 0.001 (per sample, SSE).
    @Test func xorWithTanhIsLearnt() throws {
        let (file, _) = try train("xor-tanh")
        #expect(file.metadata.finalLoss! < 1e-3)
    }

    /// The softmax classifier reaches at least 90% on the held-out species
    /// (it reaches 96.7%, 29 of 30).
    @Test func softmaxClassifierIsLearnt() throws {
        let (_, log) = try train("iris-softmax")
        #expect(log[0] == ["epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds"])
        #expect(Double(log.last![4])! >= 0.9)
    }

    /// Linear regression recovers the coefficients the data were made with
    /// (y1 = 2·x1 − x2 + 0.5, y2 = −x1 + 3·x2 − 1) to 1e-9.
    @Test func linearRegressionRecoversTheCoefficients() throws {
        let (file, _) = try train("linear-regression")
        let weights = file.weights[0].flatMap { $0 }.map { Double($0)! }
        let biases = file.biases[0].map { Double($0)! }
        for (actual, expected) in zip(weights + biases, [2.0, -1, -1, 3, 0.5, -1]) {
            #expect(abs(actual - expected) < 1e-9, "\(actual) vs \(expected)")
        }
    }
}
