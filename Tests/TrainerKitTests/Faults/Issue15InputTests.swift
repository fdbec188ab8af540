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
        try expectBadInput(["predict", weights, names, "--header", "--no-header"], in: directory, "--header: give either --header or --no-header, not both")
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
}
