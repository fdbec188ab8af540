import Foundation
import Testing
@testable import TrainerKit

/// `data.normalize`: the fitted offsets and scales against values worked out
/// by hand, fitting on the training samples only, and the same scaling
/// applied by run, predict, eval and explain.
@Suite struct InputScalingTests {
    /// Columns 1,2,3,4 / 100,200,300,400 / 7,7,7,7 (constant).
    static let root5 = Double(5).squareRoot()
    static let columns = Matrix<Double>([[1, 100, 7], [2, 200, 7], [3, 300, 7], [4, 400, 7]])

    /// Mean 2.5 and population σ = √(Σ(x − 2.5)² / 4) = √(5/4) = √5/2; the
    /// constant column gets scale 1, never 0.
    @Test func standardIsTheZScoreOfThePopulation() {
        let scaling = InputScaling(fitting: .standard, to: Self.columns)
        #expect(scaling.offset == [2.5, 250, 7])
        #expect(scaling.scale == [Self.root5 / 2, 50 * Self.root5, 1])
        let scaled = scaling.apply(to: Self.columns)
        // (1 − 2.5) / (√5/2) = −3/√5; the constant column becomes 0.
        #expect(abs(scaled[0, 0] - (-3 / Self.root5)) < 1e-15)
        #expect(scaled.rowArrays.map { $0[2] } == [0, 0, 0, 0])
    }

    /// minmax: offset the minimum, scale max − min, so the column spans [0, 1].
    @Test func minmaxMapsTheTrainingRangeToZeroOne() {
        let scaling = InputScaling(fitting: .minmax, to: Self.columns)
        #expect(scaling.offset == [1, 100, 7])
        #expect(scaling.scale == [3, 300, 1])
        #expect(scaling.apply(to: Self.columns).rowArrays.map { $0[0] } == [0, 1.0 / 3, 2.0 / 3, 1])
    }

    /// A config whose test set is far from the training set: the stored
    /// offsets are the training rows' means (by hand: 2.5 and 25), untouched
    /// by the test rows (whose mean is 1000).
    @Test func fittedOnTheTrainingSamplesOnly() throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            """
            {"network": {"layers": [2, 1]}, "training": {"loss": "sse", "learning_rate": 0.1, "epochs": 1, "batch_size": 4},
             "data": {"normalize": "standard",
                      "train": {"inputs": [[1, 10], [2, 20], [3, 30], [4, 40]], "targets": [[0], [0], [1], [1]]},
                      "test": {"inputs": [[1000, 1000], [1000, 1000]], "targets": [[0], [1]]}}}
            """)
        let result = runCLI(["run", config, "--quiet", "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv")])
        try #require(result.code == 0, "\(result.stderr)")
        let scaling = try #require(try WeightsFile.read(FilePath(path: directory.file("w.json"))).metadata.inputScaling)
        #expect(scaling.method == .standard)
        #expect(scaling.offset == [2.5, 25])
        #expect(scaling.scale == [Self.root5 / 2, 5 * Self.root5])
    }

    /// A hand-made 1-1 linear network, W = 2, b = 1, with offset 3 and
    /// scale 4: the raw input 11 becomes (11 − 3) / 4 = 2, and 2·2 + 1 = 5;
    /// the raw input 3 becomes 0, giving 1.
    static let linearWeights = """
        {"format": "trainer-weights", "format_version": 1, "layers": [1, 1], "activations": ["linear"],
         "weights": [[[2]]], "biases": [[1]],
         "metadata": {"precision": "float64", "loss": "sse", "normalize": {"method": "standard", "offset": [3], "scale": [4]}}}
        """

    @Test func predictScalesRawInputs() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write("w.json", Self.linearWeights)
        let result = runCLI(["predict", weights, directory.write("in.csv", "11\n3\n")])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout == "5.0\n1.0\n")
    }

    /// eval of the same network on targets 5 and 0: the SSE losses are
    /// ½(5 − 5)² = 0 and ½(1 − 0)² = 0.5, mean 0.25.
    @Test func evalScalesTheDataAsTheWeightsFileSays() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write("w.json", Self.linearWeights)
        let config = directory.write(
            "c.json",
            """
            {"network": {"layers": [1, 1], "activation": "linear"}, "training": {"loss": "sse", "learning_rate": 0.1, "epochs": 1},
             "data": {"train": {"inputs": [[11], [3]], "targets": [[5], [0]]}}}
            """)
        let result = runCLI(["eval", weights, config, "--format", "json"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"loss\": 0.25"), "\(result.stdout)")
    }

    /// Starting from a weights file keeps its scaling (its weights were learnt
    /// for it): the new training data (mean 100) does not refit it; a config
    /// naming another method is refused, at data.normalize.
    @Test func startingWeightsKeepTheirScaling() throws {
        let directory = TemporaryDirectory()
        directory.write("w.json", Self.linearWeights)
        let config = """
            {"network": {"from": "w.json"}, "training": {"loss": "sse", "learning_rate": 0.01, "epochs": 1},
             "data": {NORMALIZE"train": {"inputs": [[99], [101]], "targets": [[1], [2]]}}}
            """
        let keep = directory.write("keep.json", config.replacingOccurrences(of: "NORMALIZE", with: ""))
        let result = runCLI(["run", keep, "--quiet", "--weights-out", directory.file("out.json"), "--log", directory.file("l.csv")])
        try #require(result.code == 0, "\(result.stderr)")
        let scaling = try WeightsFile.read(FilePath(path: directory.file("out.json"))).metadata.inputScaling
        #expect(scaling == InputScaling(method: .standard, offset: [3], scale: [4]))

        directory.write("other.json", config.replacingOccurrences(of: "NORMALIZE", with: "\"normalize\": \"minmax\", "))
        try expectBadInput(
            ["run", directory.file("other.json")], in: directory,
            "other.json: data.normalize: is minmax, but", "w.json was trained on inputs scaled by standard")
    }

    /// explain's a[0] is the scaled input: with shuffle off, sample 0 is
    /// [1, 100] and becomes (1 − 2.5)/(√5/2) = −3/√5 in both columns.
    @Test func explainShowsTheScaledInput() throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            """
            {"network": {"layers": [2, 1]}, "training": {"loss": "sse", "learning_rate": 0.1, "epochs": 1, "batch_size": 1, "shuffle": false},
             "data": {"normalize": "standard", "train": {"inputs": [[1, 100], [2, 200], [3, 300], [4, 400]], "targets": [[0], [0], [1], [1]]}}}
            """)
        let result = runCLI(["explain", config, "--format", "json"])
        #expect(result.code == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let inputs = try #require(object["inputs"] as? [[Double]])
        let expected = -3 / Self.root5
        #expect(inputs.count == 1 && inputs[0].allSatisfy { abs($0 - expected) < 1e-15 }, "\(inputs)")
        let normalize = try #require(object["normalize"] as? [String: Any])
        #expect(normalize["method"] as? String == "standard")
        let text = runCLI(["explain", config])
        #expect(
            text.stdout.contains("data.normalize standard, fitted on data.train: a[0][i] = (x[i] − offset[i]) / scale[i]"), "\(text.stdout)"
        )
    }

    @Test func badNormalizeIsRefusedWithItsPlace() throws {
        let directory = TemporaryDirectory()
        directory.write(
            "c.json",
            """
            {"network": {"layers": [1, 1]}, "training": {"loss": "sse", "learning_rate": 0.1, "epochs": 1},
             "data": {"normalize": "zscore", "train": {"inputs": [[1]], "targets": [[1]]}}}
            """)
        try expectBadInput(
            ["run", directory.file("c.json")], in: directory,
            "c.json: data.normalize: unknown normalization \"zscore\"", "(expected one of none, standard, minmax)")
        directory.write("w.json", Self.linearWeights.replacingOccurrences(of: "\"scale\": [4]", with: "\"scale\": [0]"))
        try expectBadInput(
            ["predict", directory.file("w.json")], in: directory, "metadata.normalize.scale[0]: expected a non-zero number, found 0")
        directory.write("w2.json", Self.linearWeights.replacingOccurrences(of: "\"offset\": [3]", with: "\"offset\": [3, 4]"))
        try expectBadInput(
            ["predict", directory.file("w2.json")], in: directory, "metadata.normalize.offset: expected 1 number (one per input), found 2")
    }
}
