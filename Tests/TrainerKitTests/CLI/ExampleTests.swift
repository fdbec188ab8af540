import Foundation
import Testing
@testable import TrainerKit

@Suite struct ExampleTests {
    /// Each built-in example is also in configs/, and the two copies agree.
    @Test(arguments: Examples.all.map(\.name))
    func builtInExampleMatchesConfigsFolder(name: String) throws {
        let file = try String(contentsOfFile: repositoryDirectory + "/configs/\(name).json", encoding: .utf8)
        #expect(Examples.named(name)?.config == file)
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
        #expect(unknown.stderr == "trainer: error: --example: unknown example \"xro\"; did you mean xor? (expected one of xor). See 'trainer example'.\n")
    }
}

extension ExampleTests {
    static var configNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: repositoryDirectory + "/configs")) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
    }

    /// Every example config is valid and its data loads (`trainer check`).
    @Test(arguments: configNames)
    func exampleConfigPassesCheck(name: String) {
        let result = runCLI(["check", repositoryDirectory + "/configs/" + name])
        #expect(result.code == 0, "\(name): \(result.stderr)")
        #expect(result.stdout.hasSuffix("ok\n"))
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
