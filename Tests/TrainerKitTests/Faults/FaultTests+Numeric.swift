import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md D1-D3: numeric faults. In depth: CLI/EndToEndTests.swift
// (exitCodes, failedRunsLeaveThePreviousWeightsAlone, overflowingWeightStopsTheRun),
// Model/GradientTests.swift (ActivationTests), Model/GradientCheckTests.swift
// (crossEntropyAtSaturatedOutputsIsFinite), Config/ConfigErrorTests.swift (D3).

extension FaultTests {
    @Suite("D. Numeric faults") struct Numeric {
        typealias C = FaultConfig

        @Test("D1: divergence stops at the first non-finite loss; no weights written, the log keeps its rows")
        func d1() throws {
            let directory = TemporaryDirectory()
            // A linear output with a huge learning rate: the loss overflows within a few epochs.
            let config = directory.faultConfig(
                C.text(
                    network: #"{"layers": [1, 1], "activation": "linear", "weights": [[[1.0]]]}"#,
                    training: #"{"loss": "mse", "learning_rate": 1000, "epochs": 500, "shuffle": false}"#,
                    data: #"{"train": {"inputs": [[1], [2], [3]], "targets": [[2], [4], [6]]}}"#))
            let result = runCLI(["run", config, "--quiet"])
            let stderr = result.stderr
            #expect(result.code == 1)
            #expect(result.errorLines.count == 1 && result.stdout.isEmpty, "\(stderr)")
            // `trainer: error: epoch 3: loss became inf (last finite: 2.31 at epoch 2); try a smaller training.learning_rate`
            let pattern =
                #/^trainer: error: epoch (\d+): loss became (inf|nan) \(last finite: [0-9.e+-]+ at epoch (\d+)\); try a smaller training\.learning_rate\n$/#
            let match = try #require(stderr.wholeMatch(of: pattern), "\(stderr)")
            let failed = try #require(Int(match.1)), lastFinite = try #require(Int(match.3))
            #expect(lastFinite == failed - 1)
            // The previous weights file is byte-identical; no temporary file stays.
            #expect(directory.read("out/c.weights.json") == C.previousWeights)
            #expect(directory.snapshot().entries.keys.filter { $0.contains(".tmp.") }.isEmpty)
            // The log keeps every epoch before the failing one, all finite.
            let log = directory.read("out/c.loss.csv") ?? ""
            expectWholeRows(log)
            #expect(directory.rows("out/c.loss.csv").count == failed, "header + \(failed - 1) rows:\n\(log)")
            #expect(!log.contains("inf") && !log.contains("nan"))
        }

        @Test(
            "D2: saturation gives finite results: sigmoid(±1000), softmax([1000, 0]), cross-entropy at outputs 0 and 1",
            arguments: [
                FaultCase(
                    "sigmoid at z = ±1000, sse",
                    #"{"layers": [1, 1], "weights": [[[1000]]]}"#, #"{"train": {"inputs": [[1], [-1]], "targets": [[0], [1]]}}"#),
                FaultCase(
                    "sigmoid outputs of exactly 0 and 1, cross_entropy",
                    #"{"layers": [1, 1], "weights": [[[1000]]]}"#, #"{"train": {"inputs": [[1], [-1]], "targets": [[0], [1]]}}"#),
                FaultCase(
                    "softmax of [1000, 0], cross_entropy",
                    #"{"layers": [1, 2], "activation": "softmax", "weights": [[[1000, 0]]]}"#,
                    #"{"train": {"inputs": [[1]], "targets": [[0, 1]]}}"#),
            ])
        func d2(_ example: FaultCase) throws {
            // The numbers themselves.
            #expect(Activation.sigmoid.value(1000.0) == 1 && Activation.sigmoid.value(-1000.0) == 0)
            #expect(Activation.sigmoid.value(Float(-1000)).isFinite)
            var softmax = Matrix<Double>(rows: 1, columns: 2)
            Activation.softmax.forward(Matrix([[1000, 0]]), into: &softmax)
            #expect(softmax.elements.allSatisfy { $0.isFinite })
            let crossEntropy = Loss.crossEntropy.sampleLoss(
                output: [1.0, 0.0], weightedInput: [1000.0, -1000.0], target: [0.0, 1.0], count: 2, activation: .sigmoid)
            #expect(crossEntropy.isFinite)

            // And a run: finite losses in the log, exit 0.
            let directory = TemporaryDirectory()
            let loss = example.name.contains("cross_entropy") ? "cross_entropy" : "sse"
            let config = directory.faultConfig(
                C.text(
                    network: example.config,
                    training: #"{"loss": "\#(loss)", "learning_rate": 1e-9, "epochs": 2, "shuffle": false}"#,
                    data: example.message))
            let result = runCLI(["run", config, "--quiet"])
            #expect(result.code == 0, "\(result.stderr)")
            let rows = directory.rows("out/c.loss.csv").dropFirst()
            #expect(rows.count == 2)
            for row in rows {
                let value = try #require(Double(row.split(separator: ",")[1]))
                #expect(value.isFinite && value > 0, "\(row)")
            }
        }

        @Test("D3: float32 refuses a value that fits float64 but not float32 (1e39)")
        func d3() throws {
            let float32 = #"{"learning_rate": 0.5, "epochs": 3, "precision": "float32"}"#
            try expectRejectedConfig(
                C.text(
                    network: #"{"layers": [2, 3, 1], "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 1e39]], [[0.7], [0.8], [0.9]]]}"#,
                    training: float32),
                "trainer: error: $DIR/c.json: network.weights[0][1][2]: 1e39 overflows float32")
            try expectRejectedConfig(
                C.text(training: float32, data: #"{"train": {"inputs": [[0, 0], [1e39, 1]], "targets": [[0], [1]]}}"#),
                "trainer: error: $DIR/c.json: data.train.inputs[1][0]: 1e39 overflows float32")
            let directory = TemporaryDirectory()
            let config = directory.faultConfig(C.text(training: float32, data: #"{"train": {"csv": "x.csv"}}"#))
            directory.write("x.csv", "a,b,y\n0,0,0\n0,1e39,1\n")
            try expectBadInput(
                ["run", config, "--quiet"], in: directory, #"trainer: error: $DIR/x.csv:3: column "b": 1e39 overflows float32"# + "\n")
        }
    }
}
