import Foundation
import Testing
@testable import TrainerKit

/// `predict` and `eval` on saved weights: their numbers equal the trained
/// network's own forward pass, and the confusion matrix counts what argmax
/// says, computed here sample by sample.
@Suite struct PredictEvalTests {
    /// Trains configs/iris.json for 20 epochs into `directory`; returns the weights path.
    func trainIris(_ directory: TemporaryDirectory) throws -> String {
        let weights = directory.file("iris.weights.json")
        let result = runCLI([
            "run", repositoryDirectory + "/configs/iris.json", "--quiet", "--epochs", "20",
            "--weights-out", weights, "--log", directory.file("iris.csv"),
        ])
        try #require(result.code == 0, "\(result.stderr)")
        return weights
    }

    func network(_ path: String) throws -> Network<Double> {
        let file = try WeightsFile.read(FilePath(path: path))
        var generator = RandomGenerator(seed: 0)
        return try NetworkSpec(
            layers: file.layers, activations: file.activations,
            parameters: .literals(weights: file.weights, biases: file.biases, file: path, path: "weights")
        ).build(using: &generator)
    }

    static let inputs = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.4,3.2,4.5,1.5\n6.3,3.3,6.0,2.5\n"
    static let rows: [[Double]] = [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5]]

    @Test func predictWritesTheForwardPass() throws {
        let directory = TemporaryDirectory()
        let weights = try trainIris(directory)
        let input = directory.write("in.csv", Self.inputs)
        let result = runCLI(["predict", weights, input])
        #expect(result.code == 0, "\(result.stderr)")
        let expected = try network(weights).predict(Matrix(Self.rows))
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for (row, line) in lines.enumerated() {
            // Each number reads back to exactly the forward pass's value.
            #expect(line.split(separator: ",").map { Double($0)! } == expected.row(row))
        }
        // The weights file names the species (the CSV's labels, sorted), so
        // --argmax prints the name of the largest output's class; --index its index.
        let classes = try #require(try WeightsFile.read(FilePath(path: weights)).metadata.classes)
        #expect(classes == ["setosa", "versicolor", "virginica"])
        let argmax = runCLI(["predict", weights, input, "--argmax"])
        #expect(argmax.stdout == (0..<3).map { "\(classes[expected.argmax(row: $0)])\n" }.joined())
        let index = runCLI(["predict", weights, input, "--argmax", "--index"])
        #expect(index.stdout == (0..<3).map { "\(expected.argmax(row: $0))\n" }.joined())
        // --proba: the same rows as without it, under a header of the labels.
        let proba = runCLI(["predict", weights, input, "--proba"])
        #expect(proba.stdout == "setosa,versicolor,virginica\n" + result.stdout)
    }

    /// Without classes in the weights file (XOR's one output), --argmax gives
    /// the index and --proba a header of output indices.
    @Test func predictWithoutClassesUsesIndices() throws {
        let directory = TemporaryDirectory()
        let weights = directory.file("xor.json")
        let run = runCLI(["run", "--example", "xor", "--quiet", "--weights-out", weights, "--log", directory.file("l.csv")])
        try #require(run.code == 0, "\(run.stderr)")
        let input = directory.write("in.csv", "0,1\n")
        #expect(runCLI(["predict", weights, input, "--argmax"]).stdout == "0\n")
        #expect(runCLI(["predict", weights, input, "--proba"]).stdout.hasPrefix("0\n0."))
        try expectBadInput(["predict", weights, input, "--index"], in: directory, "--index: only used with --argmax")
        try expectBadInput(
            ["predict", weights, input, "--proba", "--argmax"], in: directory, "--proba: give either --proba or --argmax, not both")
    }

    /// Labels are CSV fields: one with a comma or a quote is quoted, inner
    /// quotes doubled (RFC 4180, section 2, rules 6 and 7).
    @Test func labelsAreQuotedAsCSVFields() {
        #expect(PredictCommand.csvField("setosa") == "setosa")
        #expect(PredictCommand.csvField("a,b") == "\"a,b\"")
        #expect(PredictCommand.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(PredictCommand.csvField("two\r\nlines") == "\"two\r\nlines\"")
        #expect(PredictCommand.csvField(" padded") == "\" padded\"")
    }

    /// Through the binary, CSV rows on stdin, as in the README's `make example`.
    @Test func predictReadsStdin() throws {
        let directory = TemporaryDirectory()
        let weights = try trainIris(directory)
        let result = try runBinary(["predict", weights, "--argmax"], input: "5.1,3.5,1.4,0.2\n6.3,3.3,6.0,2.5\n")
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
    }

    @Test func predictRejectsBadRows() throws {
        let directory = TemporaryDirectory()
        let weights = try trainIris(directory)
        let input = directory.write("in.csv", "1,2,3,4\n1,2,3\n")
        let result = runCLI(["predict", weights, input])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(input):2: expected 4 fields (the network has 4 inputs), found 3\n")
        #expect(result.stdout == "")
    }

    @Test func evalReportsLossAccuracyAndConfusion() throws {
        let directory = TemporaryDirectory()
        let weights = try trainIris(directory)
        let config = repositoryDirectory + "/configs/iris.json"
        let result = runCLI(["eval", weights, config, "--format", "json"])
        #expect(result.code == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["data"] as? String == "data.test")
        #expect(json["samples"] as? Int == 30)
        #expect(json["classes"] as? [String] == ["setosa", "versicolor", "virginica"])

        // The same numbers, one sample at a time from the test file.
        let net = try network(weights)
        let test: Dataset<Double> = try DataLoader.load(
            .csv(CSVSource(path: "data.test", file: FilePath(path: repositoryDirectory + "/data/iris-test.csv"), label: .name("species"))),
            shape: DataShape(inputSize: 4, outputSize: 3, configFile: config))
        var confusion = Array(repeating: Array(repeating: 0, count: 3), count: 3)
        var lossSum = 0.0
        for i in 0..<test.count {
            let output = net.predict(Matrix([test.inputs.row(i)])).row(0)
            let target = test.targets.row(i)
            lossSum += zip(output, target).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } / 2
            confusion[test.labels![i]][output.firstIndex(of: output.max()!)!] += 1
        }
        #expect(json["confusion"] as? [[Int]] == confusion)
        let correct = (0..<3).reduce(0) { $0 + confusion[$1][$1] }
        #expect(json["accuracy"] as? Double == Double(correct) / 30)
        #expect(abs((json["loss"] as! Double) - lossSum / 30) < 1e-12)

        let text = runCLI(["eval", weights, config])
        #expect(text.stdout.hasPrefix("eval: \(weights) on data.test of \(config) (30 samples)\nloss: "))
        #expect(text.stdout.contains("confusion matrix (rows: actual class, columns: predicted class):\n"))
        #expect(text.stdout.contains("\n                setosa versicolor  virginica\n    setosa          "))
    }

    @Test func evalRefusesAMismatchedNetwork() throws {
        let directory = TemporaryDirectory()
        let weights = try trainIris(directory)
        let config = repositoryDirectory + "/configs/xor.json"
        let result = runCLI(["eval", weights, config])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(weights): layers [4,8,3] do not match network.layers [2,3,1] of \(config)\n")
    }
}
