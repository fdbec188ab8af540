import Foundation
import Testing
@testable import TrainerKit

// Issue 15, item 9: traps on numbers at the edges. Outputs that are not
// finite (predict, eval --format json), counters and sizes near 2^63, and
// memory that cannot be allocated under `ulimit -v`. A trap ends the
// process (exit 132/133/134, a backtrace on stderr), so every case runs the
// built binary as a subprocess; each failed before its fix.

/// A weights file of a linear network, written by hand (no training, so
/// the outputs are known exactly).
private func linearWeights(layers: [Int], weights: String, biases: String, precision: String = "float64") -> String {
    """
    {"format": "trainer-weights", "format_version": 1, "layers": \(layers), "activations": \(Array(repeating: "linear", count: layers.count - 1)),
     "weights": \(weights), "biases": \(biases), "metadata": {"precision": "\(precision)"}}
    """
}

/// configs/linear-regression.json's answer: y1 = 2·x1 − x2 + 0.5 and
/// y2 = −x1 + 3·x2 − 1 (W[0] row i holds input i's weights).
private func regressionWeights(precision: String = "float64") -> String {
    linearWeights(layers: [2, 2], weights: "[[[2, -1], [-1, 3]]]", biases: "[[0.5, -1]]", precision: precision)
}

@Suite("Issue 15, item 9: numbers at the edges never trap") struct Issue15TrapTests {
    // MARK: Outputs that are not finite

    /// Reproduces: `printf '1e308,1e308\n' | trainer predict` on a linear
    /// model trapped (exit 132) writing inf, and the rows before it, still
    /// in the output buffer, were lost. Now every row is written, a
    /// non-finite output as inf, -inf or nan, and a note names the first.
    /// 600 rows: three of predict's batches of 256, the overflow in the second.
    @Test("predict writes inf, -inf and nan and keeps every row (float64)")
    func predictNonFiniteFloat64() throws {
        let directory = TemporaryDirectory()
        directory.write("w.json", regressionWeights())
        // Exact by hand: (1, 2) gives (2 − 2 + 0.5, −1 + 6 − 1); (3, 4) gives
        // (6 − 4 + 0.5, −3 + 12 − 1); 2·1e308 overflows: (inf, inf); with
        // x1 = −1e308: (−inf, inf).
        var input = "", expected = ""
        for row in 0..<600 {
            switch row {
            case 400: (input, expected) = (input + "1e308,1e308\n", expected + "inf,inf\n")
            case 401: (input, expected) = (input + "-1e308,1e308\n", expected + "-inf,inf\n")
            case _ where row % 2 == 0: (input, expected) = (input + "1,2\n", expected + "0.5,4.0\n")
            default: (input, expected) = (input + "3,4\n", expected + "2.5,8.0\n")
            }
        }
        let result = try runBinary(["predict", "w.json"], in: directory.path, input: input)
        expectNoCrash(result)
        #expect(result.code == 0)
        #expect(result.stdout == expected)
        #expect(
            result.stderr
                == "trainer: note: stdin:401: outputs not finite (written as inf, -inf or nan) in 2 rows, this the first; the inputs, scaled, are too large for the network in float64\n"
        )
        // --argmax: the first of equal outputs; --proba: the same rows under a header.
        let argmax = try runBinary(["predict", "w.json", "--argmax"], in: directory.path, input: "1,2\n1e308,1e308\n-1e308,1e308\n")
        #expect(argmax.code == 0 && argmax.stdout == "1\n0\n1\n", "\(argmax)")
        let proba = try runBinary(["predict", "w.json", "--proba"], in: directory.path, input: "1e308,1e308\n")
        #expect(proba.code == 0 && proba.stdout == "0,1\ninf,inf\n", "\(proba)")
    }

    /// Reproduces: the same with `3e38` in float32 (the largest float32 is
    /// about 3.4e38, so 2·3e38 overflows); and ∞ − ∞, which is nan: a
    /// 1-2-1 network whose hidden units are 2x and 2x and whose output is
    /// their difference.
    @Test("predict writes inf in float32, and nan for inf - inf")
    func predictNonFiniteFloat32AndNaN() throws {
        let directory = TemporaryDirectory()
        directory.write("w32.json", regressionWeights(precision: "float32"))
        let float32 = try runBinary(["predict", "w32.json"], in: directory.path, input: "x1,x2\n1,2\n3e38,3e38\n")
        expectNoCrash(float32)
        #expect(float32.code == 0 && float32.stdout == "0.5,4.0\ninf,inf\n", "\(float32)")
        #expect(float32.stderr.hasPrefix("trainer: note: stdin:3: outputs not finite") && float32.stderr.hasSuffix("in float32\n"))

        directory.write("nan.json", linearWeights(layers: [1, 2, 1], weights: "[[[2, 2]], [[1], [-1]]]", biases: "[[0, 0], [0]]"))
        directory.write("in.csv", "1\n1e308\n-1e308\n")
        let nan = try runBinary(["predict", "nan.json", "in.csv"], in: directory.path)
        expectNoCrash(nan)
        #expect(nan.code == 0 && nan.stdout == "0.0\nnan\nnan\n", "\(nan)")
        #expect(nan.stderr.hasPrefix("trainer: note: in.csv:2: outputs not finite (written as inf, -inf or nan) in 2 rows, this the first;"))
    }

    /// Reproduces: `eval --format json` with an infinite loss trapped (exit
    /// 132): JSON has no infinity. Now the loss is null (README), and the
    /// text form says inf as before. The mse of (inf, inf) against (1, 1) is inf.
    @Test("eval --format json writes a loss that is not finite as null")
    func evalNonFiniteLoss() throws {
        let directory = TemporaryDirectory()
        directory.write("w.json", regressionWeights())
        directory.write(
            "c.json",
            """
            {"network": {"layers": [2, 2], "activation": "linear"}, "training": {"loss": "mse", "learning_rate": 0.1, "epochs": 1},
             "data": {"train": {"inputs": [[1, 2], [1e308, 1e308]], "targets": [[0.5, 4], [1, 1]]}}}
            """)
        let json = try runBinary(["eval", "w.json", "c.json", "--format", "json"], in: directory.path)
        expectNoCrash(json)
        #expect(json.code == 0, "\(json.stderr)")
        #expect(json.stdout.contains("\n  \"loss\": null\n}\n"), "\(json.stdout)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(parsed?["loss"] is NSNull)
        let text = try runBinary(["eval", "w.json", "c.json"], in: directory.path)
        #expect(text.code == 0 && text.stdout.contains("\nloss: inf (mse, mean per sample)\n"), "\(text)")
    }

    // MARK: Sizes near 2^63

    /// Reproduces: `--batch-size 9223372036854775807` trapped (exit 132) in
    /// the memory estimate, adding the evaluation batch's 256 rows to it.
    /// Now the memory check before the data is loaded assumes batches of
    /// one, and the batch size is then checked against the data.
    @Test("a batch size of 2^63 - 1 is larger than the data, not a trap in the memory estimate")
    func hugeBatchSize() throws {
        let directory = TemporaryDirectory()
        for command in ["check", "run", "explain", "gradcheck"] {
            try expectBadInput(
                [command, "--example", "xor", "--batch-size", "9223372036854775807"], in: directory, runner: .binary,
                "trainer: error: --batch-size: 9223372036854775807 is larger than the 4 samples of data.train; expected at most 4\n")
        }
        directory.write("c.json", FaultConfig.text(training: #"{"learning_rate": 0.5, "epochs": 3, "batch_size": 9223372036854775807}"#))
        try expectBadInput(
            ["check", "c.json"], in: directory, runner: .binary,
            "trainer: error: c.json: training.batch_size: 9223372036854775807 is larger than the 4 samples of data.train; expected at most 4\n")
    }

    /// A batch size within the data whose batches alone exceed
    /// --max-memory names the batch size, not the layers. The numbers:
    /// 2-3-1 has 13 parameters (×3 copies) and 6 neurons; a, z and δ of each
    /// for 2000 + 256 rows are 40,608 numbers; the data 2000 × 3; in all
    /// 46,647 float64 = 364 KiB. With batches of one: 10,665 numbers, 83 KiB.
    @Test("batches that alone exceed --max-memory are blamed on the batch size")
    func batchAboveMemoryLimit() throws {
        let directory = TemporaryDirectory()
        let inputs = (0..<2000).map { "[\($0 % 2), \($0 / 2 % 2)]" }.joined(separator: ", ")
        let targets = (0..<2000).map { "[\(($0 % 2) ^ ($0 / 2 % 2))]" }.joined(separator: ", ")
        let config = directory.write(
            "c.json",
            FaultConfig.text(
                training: #"{"learning_rate": 0.5, "epochs": 1, "batch_size": 2000}"#,
                data: #"{"train": {"inputs": [\#(inputs)], "targets": [\#(targets)]}}"#))
        try expectBadInput(
            ["check", config, "--max-memory", "200K"], in: directory,
            "trainer: error: $DIR/c.json: training.batch_size: batches of 2,000 samples need ≈ 364 KiB in all; limit is 200 KiB (set --max-memory, or use a smaller batch size)\n")
        #expect(runCLI(["check", config, "--max-memory", "200K", "--batch-size", "100"]).code == 0)
    }
}
