import Foundation
import Testing
@testable import TrainerKit

// Issue 15, the items about input and numbers: a first CSV row taken for a
// header (3), gradcheck's verdict on a loss it cannot compare (10), and
// float32 settings that overflow or round to 0 (13). (Item 12, float32
// Adam, is tested in Training/TrainingOptionsTests.swift.) Each test
// reproduces the reported failure through the command line and failed
// before its fix.

/// XOR's network trained for a few epochs into `directory`; returns the
/// weights file's path.
private func xorWeights(_ directory: TemporaryDirectory) throws -> String {
    let weights = directory.file("w.json")
    let result = runCLI([
        "run", "--example", "xor", "--quiet", "--epochs", "5", "--weights-out", weights, "--log", directory.file("l.csv"),
    ])
    try #require(result.code == 0, "\(result.stderr)")
    return weights
}

@Suite("Issue 15: CSV headers, gradcheck verdicts, float32 settings") struct Issue15InputTests {
    // MARK: 3. A first CSV row with a bad cell

    /// Reproduces: `printf '1,NA\n3,4\n5,6\n' | trainer predict w.json`
    /// printed 2 rows for 3 inputs and exited 0 (the row was skipped as a
    /// header). Through the binary, reading stdin, as reported.
    @Test("3: predict: a first row of numbers and a bad cell is an error on line 1, not a header")
    func predictFirstRowWithABadCell() throws {
        let directory = TemporaryDirectory()
        let weights = try xorWeights(directory)
        let result = try runBinary(["predict", weights], in: directory.path, input: "1,NA\n3,4\n5,6\n")
        #expect(result.code == 2, "\(result.stderr)")
        #expect(result.stderr == "trainer: error: stdin:1: column 1: expected a number, found \"NA\"\n")
        #expect(result.stdout == "")

        // The three rows without the bad cell: three outputs; a row of
        // names over them is a header (skipped), so the same three.
        let numbers = "1,2\n3,4\n5,6\n"
        let plain = runCLI(["predict", weights, directory.write("n.csv", numbers)])
        #expect(plain.code == 0, "\(plain.stderr)")
        #expect(plain.stdout.split(separator: "\n").count == 3)
        let named = runCLI(["predict", weights, directory.write("h.csv", "x1,x2\n" + numbers)])
        #expect(named.stdout == plain.stdout, "\(named.stderr)")
    }

    /// `--header` skips row 1 whatever it holds; `--no-header` reads it as
    /// data, so a row of names is then a bad cell.
    @Test("3: predict --header skips row 1, --no-header reads it as data")
    func predictHeaderFlags() throws {
        let directory = TemporaryDirectory()
        let weights = try xorWeights(directory)
        let numbers = directory.write("n.csv", "1,2\n3,4\n5,6\n")
        let all = runCLI(["predict", weights, numbers])
        try #require(all.code == 0, "\(all.stderr)")
        let rows = all.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        // --header: rows 2 and 3 only, the same outputs as before.
        let skipped = runCLI(["predict", weights, numbers, "--header"])
        #expect(skipped.code == 0 && skipped.stdout == rows[1...].joined(separator: "\n"), "\(skipped.stderr)")
        #expect(runCLI(["predict", weights, numbers, "--no-header"]).stdout == all.stdout)
        let names = directory.write("h.csv", "x1,x2\n1,2\n")
        try expectBadInput(["predict", weights, names, "--no-header"], in: directory, "h.csv:1: column 0: expected a number, found \"x1\"")
        try expectBadInput(
            ["predict", weights, names, "--header", "--no-header"], in: directory, "--header: give either --header or --no-header, not both"
        )
    }

    /// Reproduces: a training CSV whose first row is `0,NA,0` gave 3
    /// samples instead of 4 (the row was skipped as a header).
    @Test("3: a training CSV's first row with a bad cell is an error on line 1, nothing written")
    func trainingFirstRowWithABadCell() throws {
        let directory = TemporaryDirectory()
        let config = directory.faultConfig(FaultConfig.text(data: #"{"train": {"csv": "data/x.csv"}}"#))
        directory.write("data/x.csv", "0,NA,0\n0,1,1\n1,0,1\n1,1,0\n")
        let message = "trainer: error: $DIR/data/x.csv:1: column 1: expected a number, found \"NA\"\n"
        try expectBadInput(["check", config], in: directory, message)
        try expectBadInput(["run", config, "--quiet"], in: directory, message)
        // With a number in its place, all four rows are samples.
        directory.write("data/x.csv", "0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
        let check = runCLI(["check", config])
        #expect(check.code == 0 && check.stdout.contains("data.train: 4 samples, 2 inputs, 1 target"), "\(check.stdout)\(check.stderr)")
    }

    // MARK: 10. gradcheck with nothing to compare

    /// A 1-1 linear network with weights and inputs given, mse loss, one
    /// sample with target 0: `z` is written as the config's numbers make it.
    static func lossConfig(weights: String, inputs: String) -> String {
        FaultConfig.text(
            network: #"{"layers": [\#(inputs.split(separator: ",").count), 1], "activation": "linear", "weights": [\#(weights)]}"#,
            training: #"{"learning_rate": 0.5, "epochs": 1, "loss": "mse"}"#,
            data: #"{"train": {"inputs": [[\#(inputs)]], "targets": [[0]]}}"#)
    }

    /// Reproduces: gradcheck printed `result: ok` (exit 0) when the loss was
    /// infinite: every difference was inf − inf = NaN, and NaN never
    /// compared above the tolerance. Worked by hand: z = 1·1e200, so the
    /// mse loss (z − 0)² = 1e400 overflows to inf; with weights 1e200 and
    /// −1e200 on inputs 1e200 and 1e200, z = inf + (−inf) = NaN.
    @Test(
        "10: gradcheck with an infinite or NaN loss fails (exit 1) and says why",
        arguments: [
            ("[[1]]", "1e200", "inf"),
            ("[[1e200], [-1e200]]", "1e200, 1e200", "nan"),
        ])
    func gradcheckNonFiniteLoss(weights: String, inputs: String, loss: String) throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.lossConfig(weights: weights, inputs: inputs))
        let result = runCLI(["gradcheck", config])
        #expect(result.code == 1)
        #expect(
            result.stderr
                == "trainer: error: \(config): gradcheck: the loss is \(loss), so no gradient could be compared; expected a finite loss\n")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last == "result: FAILED: the loss is \(loss), so no gradient could be compared", "\(result.stdout)")
        #expect(!result.stdout.contains("result: ok"))
        // Every row: nothing compared, so no errors shown.
        for row in lines where row.hasPrefix("W[0]") || row.hasPrefix("b[0]") {
            #expect(row.split(separator: " ", omittingEmptySubsequences: true).suffix(3) == ["-", "-", "-"], "\(row)")
        }
    }

    /// A finite loss with a gradient that is not: with x = 1e300 and
    /// w = 1.3e-146, z = 1.3e154 and the loss z² = 1.69e308 is finite (below
    /// 1.797e308), but backprop's 2·z·x = 2.6e454 is inf, and w ± h
    /// (h = 1e-5) makes z = ±1e295, whose losses are both inf: numerical
    /// (inf − inf)/2h = NaN. The bias is compared (b ± h leaves z as it is:
    /// numerical 0 against backprop 2z, relative error 1).
    @Test("10: gradcheck with a gradient that is not finite fails and names it")
    func gradcheckNonFiniteGradient() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.lossConfig(weights: "[[1.3e-146]]", inputs: "1e300"))
        let result = runCLI(["gradcheck", config])
        #expect(result.code == 1)
        let reason = "1 of the 2 checked gradients is not finite, so it could not be compared (W[0][0][0]: backprop inf, numerical nan)"
        #expect(result.stderr == "trainer: error: \(config): gradcheck: \(reason); expected finite gradients\n")
        #expect(result.stdout.hasSuffix("result: FAILED: \(reason)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("b[0]   1           1        2.6e+154       1.0e+00        b[0][0]\n"), "\(result.stdout)")
    }

    // MARK: 13. float32 settings that overflow or round to 0

    /// Reproduces: a float32 config with `"learning_rate": 1e39` passed
    /// `check` (exit 0) and `run` ended in NaN (exit 1, "a parameter became
    /// nan"); `--learning-rate 1e-50` trained at a rate of 0 (exit 0, the
    /// weights unchanged). Float32's largest finite number is 3.4028235e38
    /// and its smallest positive one 1e-45 (2^-149, a subnormal).
    @Test("13: check and run refuse a float32 learning rate that overflows or rounds to 0 (exit 2, nothing written)")
    func float32LearningRate() throws {
        let directory = TemporaryDirectory()
        let float32 = #"{"learning_rate": 1e39, "epochs": 3, "seed": 7, "precision": "float32"}"#
        let config = directory.faultConfig(FaultConfig.text(training: float32))
        let message = "trainer: error: $DIR/c.json: training.learning_rate: 1e39 overflows float32 (largest 3.4028235e38)\n"
        try expectBadInput(["check", config], in: directory, message)
        try expectBadInput(["run", config, "--quiet"], in: directory, message)
        try expectBadInput(["explain", config], in: directory, message)

        // The command line's rate goes through the same check.
        let good = directory.faultConfig(FaultConfig.text(training: float32.replacingOccurrences(of: "1e39", with: "0.5")))
        try expectBadInput(
            ["run", good, "--quiet", "--learning-rate", "1e-50"], in: directory,
            "trainer: error: --learning-rate: 1e-50 underflows float32 (rounds to 0; smallest 1e-45)\n")
        try expectBadInput(
            ["check", good, "--learning-rate", "1e39"], in: directory,
            "trainer: error: --learning-rate: 1e39 overflows float32 (largest 3.4028235e38)\n")
        // In float32 range, and in float64, the same numbers are accepted.
        #expect(runCLI(["check", good, "--learning-rate", "3e38"]).code == 0)
        let float64 = directory.write("d.json", FaultConfig.text(training: #"{"learning_rate": 1e39, "epochs": 3}"#))
        let check64 = runCLI(["check", float64, "--learning-rate", "1e-50"])
        #expect(check64.code == 0, "\(check64.stderr)")
    }
}
