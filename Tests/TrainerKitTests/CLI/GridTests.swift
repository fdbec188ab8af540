import Foundation
import Testing
@testable import TrainerKit

/// `trainer grid` and `trainer summarize` (issue 18, item 2): a sweep run by
/// GNU parallel, its summary checked against each run's own loss log and
/// against the same settings run one by one.
@Suite struct GridTests {
    static let config = """
        {"network": {"layers": [2, 3, 1]}, "training": {"learning_rate": 2.0, "epochs": 30, "seed": 1},
         "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}}
        """

    static let vary = ["--vary", "training.learning_rate=0.5,2", "--vary", "network.layers=[2,3,1],[2,6,1]"]

    @Test func linesAreEveryCombinationInOrder() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.config)
        let result = runCLI(["grid", config] + Self.vary + ["--set", "training.epochs=5"])
        #expect(result.code == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let out = Paths.join(directory.path, "out")
        let expected = [("0.5", "[2,3,1]"), ("0.5", "[2,6,1]"), ("2", "[2,3,1]"), ("2", "[2,6,1]")].enumerated().map { index, pair in
            "trainer run \(config) --set training.epochs=5 --set training.learning_rate=\(pair.0) --set 'network.layers=\(pair.1)' "
                + "--weights-out \(out)/c-g\(index).weights.json --log \(out)/c-g\(index).loss.csv --quiet"
        }
        #expect(lines == expected)
        let one = runCLI(["grid", config] + Self.vary + ["--index", "2"])
        #expect(one.stdout.split(separator: "\n").count == 1 && one.stdout.contains("learning_rate=2 "))
    }

    @Test(arguments: [
        (["--vary", "training.learning_rate=0.1,-1"], "--set training.learning_rate=-1: expected a number > 0, found -1 (grid line 1)"),
        (
            ["--vary", "training.learning_rate"],
            "--vary training.learning_rate: expected PATH=V1,V2,…, such as training.learning_rate=0.1,0.5,3"
        ),
        (
            ["--vary", "training.learning_rate=0.1,,2"],
            "--vary training.learning_rate=0.1,,2: an empty value; expected values separated by commas, such as 0.1,0.5,3"
        ),
        (["--vary", "training.seed=1,2", "--index", "2"], "--index: 2 is past the last combination, 1 (the grid has 2)"),
        ([], "--vary: missing; expected at least one --vary PATH=V1,V2"),
    ])
    func badGridsAreRefused(_ arguments: [String], _ message: String) {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.config)
        let result = runCLI(["grid", config] + arguments)
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(message)\n")
        #expect(!directory.exists("out"))
    }

    /// The README's recipe: the grid's lines piped to GNU parallel, then
    /// summarize. Each row is checked against the run's own log (its last
    /// row) and against the same combination run alone with `--run`.
    @Test func gnuParallelRunsTheGridAndSummarizeReportsIt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/parallel") else {
            return skipLoudly("GNU parallel is not installed (apt-get install parallel; scripts/test-tools.sh does it as root)")
        }
        let directory = TemporaryDirectory()
        directory.write("c.json", Self.config)
        let vary = Self.vary.map { "'\($0)'" }.joined(separator: " ")
        let sweep = try runShell(#""$TRAINER" grid c.json \#(vary) | parallel --halt now,fail=1 -j 2"#, in: directory.path)
        #expect(sweep.code == 0, "\(sweep.stderr)")
        let summary = try runShell(#""$TRAINER" summarize out/c-g*.weights.json --sort loss"#, in: directory.path)
        #expect(summary.code == 0, "\(summary.stderr)")
        let rows = summary.stdout.split(separator: "\n").map { Self.fields(of: String($0)) }
        #expect(rows.first == ["file", "training.learning_rate", "network.layers", "epochs", "stopped_by", "best_epoch", "loss"])
        #expect(rows.count == 5)
        var losses: [Double] = []
        for row in rows.dropFirst() {
            // The last row of the run's own loss log.
            let log = try String(
                contentsOfFile: directory.file(row[0].replacingOccurrences(of: ".weights.json", with: ".loss.csv")), encoding: .utf8)
            let last = log.split(separator: "\n").last!.split(separator: ",")
            #expect(last[0] == "30" && row[3] == "30" && row[4] == "completed")
            #expect(Double(last[1]) == Double(row[6]), "\(row[0]): the summary's loss is the log's last")
            losses.append(Double(row[6])!)
            // The same combination run alone, sequentially, in-process.
            let index = row[0].dropFirst("out/c-g".count).prefix { $0.isNumber }
            let alone = runCLI(
                ["grid", directory.file("c.json")] + Self.vary + ["--index", String(index), "--run", "--out", directory.file("alone")])
            #expect(alone.code == 0, "\(alone.stderr)")
            let a = try WeightsFile.read(FilePath(path: directory.file(row[0])))
            let b = try WeightsFile.read(FilePath(path: directory.file("alone/c-g\(index).weights.json")))
            #expect(a.weights == b.weights && a.biases == b.biases, "\(row[0])")
            #expect(a.metadata.overrides == ["training.learning_rate=\(row[1])", "network.layers=\(row[2])"])
        }
        #expect(losses == losses.sorted(), "--sort loss: lowest first")
    }

    /// A CSV row's fields, quotes undone (RFC 4180), for reading summarize's output.
    static func fields(of row: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = row.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" { quoted = false } else { current.append(character) }
            } else if character == "\"" {
                if current.hasSuffix("\"") || !current.isEmpty { current.append(character) }
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        return fields + [current]
    }

    @Test func summarizeSortsAndQuotes() throws {
        let rows = [["a", "0.5", ""], ["b", "0.25", "x"], ["c", "", "y"], ["d", "1e-3", "z"]]
        #expect(SummarizeCommand.sorted(rows, by: 1, descending: false).map { $0[0] } == ["d", "b", "a", "c"])
        #expect(SummarizeCommand.sorted(rows, by: 1, descending: true).map { $0[0] } == ["a", "b", "d", "c"])
        #expect(PredictCommand.csvField("network.layers=[2,3,1]") == "\"network.layers=[2,3,1]\"")
        #expect(PredictCommand.csvField("plain") == "plain")
        let unknown = runCLI(["summarize", "/nonexistent.json"])
        #expect(unknown.code == 2)
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.config)
        _ = runCLI(["run", config, "--quiet", "--epochs", "2", "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv")])
        let badSort = runCLI(["summarize", directory.file("w.json"), "--sort", "los"])
        #expect(badSort.stderr.hasPrefix("trainer: error: --sort: no column los; did you mean loss?"))
    }
}
