import Foundation
import Testing
@testable import TrainerKit
import TrainerKernels

/// The built binary as users and scripts run it: exit codes, streams, pipes,
/// and files left alone when a run fails.
@Suite struct EndToEndTests {
    /// XOR for many epochs: long enough that a closed pipe is noticed mid-run.
    static let longXOR = """
        {
          "network": {"layers": [2, 3, 1]},
          "training": {"learning_rate": 2.0, "epochs": 200000, "seed": 1},
          "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
        }
        """

    /// A linear output with a huge learning rate: the loss overflows to inf
    /// within a few epochs.
    static let divergent = """
        {
          "network": {"layers": [1, 1], "activation": "linear", "weights": [[[1.0]]]},
          "training": {"loss": "mse", "learning_rate": 1000, "epochs": 500, "shuffle": false},
          "data": {"train": {"inputs": [[1], [2], [3]], "targets": [[2], [4], [6]]}}
        }
        """

    @Test func logToAPipeThatCloses() throws {
        let directory = TemporaryDirectory()
        directory.write("long.json", Self.longXOR)
        let result = try runShell(
            "\"$TRAINER\" run long.json --log - | head -3; echo \"status ${PIPESTATUS[0]}\" >&2", in: directory.path)
        #expect(result.stdout.split(separator: "\n").count == 3)
        #expect(result.stdout.hasPrefix("epoch,loss,seconds\n1,"))
        // Quiet apart from the progress lines: no error, no trap; 141 as GNU tools.
        #expect(!result.stderr.contains("error"), "\(result.stderr)")
        #expect(result.stderr.contains("status 141"), "\(result.stderr)")
        expectNoCrash(result)
        // Stopped early, with what it had learnt saved and said to be so.
        let weights = try WeightsFile.read(FilePath(path: directory.file("out/long.weights.json")))
        #expect(weights.metadata.stoppedBy == "output_closed")
        // Rows of short epochs go out a tenth of a second apart (LossLog),
        // so the closed pipe is found at the write after head's.
        #expect(weights.metadata.epochsTrained < 200_000 / 2)
    }

    /// A batch size larger than the data is one batch of all of it, as in
    /// Keras and PyTorch: the same weights as a batch of exactly the
    /// samples (the same shuffle, the same sums), with a note on stderr.
    @Test func batchLargerThanTheDataIsOneBatchOfAll() throws {
        let directory = TemporaryDirectory()
        let large = try runBinary(
            ["run", "--example", "xor", "--epochs", "5", "--batch-size", "10", "--weights-out", "w10.json"], in: directory.path)
        #expect(large.code == 0)
        #expect(
            large.stderr.hasPrefix(
                "trainer: note: --batch-size 10 is larger than the 4 samples of data.train; each epoch is one batch of all 4\n"))
        let exact = try runBinary(
            ["run", "--example", "xor", "--epochs", "5", "--batch-size", "4", "--quiet", "--weights-out", "w4.json"], in: directory.path)
        #expect(exact.code == 0 && exact.stderr.isEmpty)
        let a = try WeightsFile.read(FilePath(path: directory.file("w10.json"))),
            b = try WeightsFile.read(FilePath(path: directory.file("w4.json")))
        #expect(a.weights == b.weights && a.biases == b.biases)
        let quiet = try runBinary(
            ["run", "--example", "xor", "--epochs", "1", "--batch-size", "10", "--quiet", "--weights-out", "w.json"], in: directory.path)
        #expect(quiet.stderr.isEmpty, "no note with --quiet")
    }

    @Test func quietRunWritesNothingToTheStreams() throws {
        let directory = TemporaryDirectory()
        let result = try runBinary(["run", "--example", "xor", "--quiet"], in: directory.path)
        #expect(result.code == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
    }

    @Test func logOnStdoutIsOnlyTheCSV() throws {
        let directory = TemporaryDirectory()
        let result = try runBinary(["run", "--example", "xor", "--log", "-", "--epochs", "5"], in: directory.path)
        #expect(result.code == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0] == "epoch,loss,seconds")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").count == 3 })
        // Progress went to stderr.
        #expect(result.stderr.contains("epoch 5/5"))
        #expect(!directory.exists("out/xor.loss.csv"))
    }

    @Test func exitCodes() throws {
        let directory = TemporaryDirectory()
        directory.write("divergent.json", Self.divergent)
        #expect(try runBinary(["--version"]).code == 0)
        #expect(try runBinary(["run"], in: directory.path).code == 2)
        #expect(try runBinary(["run", "missing.json"], in: directory.path).code == 2)
        #expect(try runBinary(["frobnicate"], in: directory.path).code == 2)
        #expect(try runBinary(["run", "--example", "xor", "--epochs", "0"], in: directory.path).code == 2)
        let diverged = try runBinary(["run", "divergent.json", "--quiet"], in: directory.path)
        #expect(diverged.code == 1)
        #expect(diverged.errorLines.count == 1)
        #expect(diverged.stderr.hasPrefix("trainer: error: epoch "))
        #expect(diverged.stderr.contains("try a smaller training.learning_rate"))
        expectNoCrash(diverged)
    }

    /// A failed run leaves a previous weights file byte for byte as it was:
    /// bad input is found before training; a diverging run never saves.
    @Test func failedRunsLeaveThePreviousWeightsAlone() throws {
        let directory = TemporaryDirectory()
        directory.write("divergent.json", Self.divergent)
        let previous = directory.write("out/divergent.weights.json", "previous weights\n")
        let badFlag = try runBinary(["run", "divergent.json", "--batch-size", "0"], in: directory.path)
        #expect(badFlag.code == 2)
        #expect(badFlag.stderr == "trainer: error: --batch-size: expected a whole number ≥ 1, found 0\n")
        #expect(try String(contentsOfFile: previous, encoding: .utf8) == "previous weights\n")
        #expect(!directory.exists("out/divergent.loss.csv"))

        let diverged = try runBinary(["run", "divergent.json", "--quiet"], in: directory.path)
        #expect(diverged.code == 1)
        #expect(try String(contentsOfFile: previous, encoding: .utf8) == "previous weights\n")
        // The log keeps the rows of the epochs before the loss became infinite.
        let log = directory.read("out/divergent.loss.csv") ?? ""
        #expect(log.hasPrefix("epoch,loss,seconds\n"))
        #expect(!log.contains("nan") && !log.contains("inf"))
        #expect(directory.listing().filter { $0.contains(".tmp.") }.isEmpty)
    }

    /// Same config, same bytes: two runs, and one and two threads.
    @Test func runsAreDeterministic() throws {
        let directory = TemporaryDirectory()
        var outputs: [String] = []
        var losses: [[Substring]] = []
        for (index, threads) in ["1", "2", "1"].enumerated() {
            let result = try runBinary(
                [
                    "run", "--example", "xor", "--quiet", "--epochs", "300", "--threads", threads,
                    "--weights-out", "w\(index).json", "--log", "log\(index).csv",
                ], in: directory.path)
            #expect(result.code == 0)
            outputs.append(directory.read("w\(index).json") ?? "")
            let log = directory.read("log\(index).csv") ?? ""
            losses.append(log.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",")[...] })
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        #expect(losses[0] == losses[1])
        #expect(losses[0] == losses[2])
    }

    /// A 130-9-3 network on 40 samples in batches of 7: wide enough for the
    /// float32 first layer to run in two halves (from 128 inputs, with sgd).
    static func wideConfig(precision: String, optimizer: String) -> String {
        var inputs: [String] = [], targets: [String] = []
        for i in 0..<40 {
            inputs.append("[" + (0..<130).map { j in String(Double((i * 7 + j * 13) % 17) / 16) }.joined(separator: ",") + "]")
            targets.append(["[1,0,0]", "[0,1,0]", "[0,0,1]"][i % 3])
        }
        return """
            {"network": {"layers": [130, 9, 3], "activations": ["tanh", "softmax"]},
             "training": {"loss": "cross_entropy", "learning_rate": 0.05, "epochs": 3, "batch_size": 7, "seed": 5,
               "precision": "\(precision)", "optimizer": "\(optimizer)"},
             "data": {"train": {"inputs": [\(inputs.joined(separator: ","))], "targets": [\(targets.joined(separator: ","))]}}}
            """
    }

    /// Runs `command` (trainer's arguments after `$TRAINER`, with an
    /// environment before it) and returns the weights file and the log
    /// without its seconds column.
    static func outputs(_ environment: String, _ arguments: String, in directory: TemporaryDirectory, name: String) throws -> (
        String, [String]
    ) {
        let result = try runShell(
            "\(environment) \"$TRAINER\" run c.json --quiet --weights-out \(name).json --log \(name).csv \(arguments)", in: directory.path)
        #expect(result.code == 0, "\(result.stderr)")
        let log = (directory.read("\(name).csv") ?? "").split(separator: "\n").map {
            $0.split(separator: ",").dropLast().joined(separator: ",")
        }
        return (directory.read("\(name).json") ?? "", log)
    }

    /// The promise of docs/files-and-streams.md ("Files written"), through the binary: float64
    /// writes the same bytes at every kernel level this CPU runs
    /// (TRAINER_KERNEL_LEVEL), with sgd and with Adam.
    @Test(arguments: ["sgd", "adam"])
    func float64IsTheSameAtEveryKernelLevel(optimizer: String) throws {
        let directory = TemporaryDirectory()
        directory.write("c.json", Self.wideConfig(precision: "float64", optimizer: optimizer))
        let levels = KernelLevel.supported
        let runs = try levels.map { level in
            try Self.outputs("TRAINER_KERNEL_LEVEL=\(level)", "", in: directory, name: "\(level)")
        }
        for (level, run) in zip(levels, runs).dropFirst() {
            #expect(run.0 == runs[0].0 && !run.0.isEmpty, "\(level): other weights than \(levels[0])")
            #expect(run.1 == runs[0].1, "\(level): another log than \(levels[0])")
        }
    }

    /// ... and float32 the same bytes at one level whatever `--threads`:
    /// sgd takes the two-halves first layer, Adam the plain products.
    @Test(arguments: ["sgd", "adam"])
    func float32IsTheSameForAnyThreadCount(optimizer: String) throws {
        let directory = TemporaryDirectory()
        directory.write("c.json", Self.wideConfig(precision: "float32", optimizer: optimizer))
        let runs = try [1, 2, 3].map { threads in
            try Self.outputs("", "--threads \(threads)", in: directory, name: "t\(threads)")
        }
        #expect(!runs[0].0.isEmpty && runs[0].0.contains("\"precision\": \"float32\""))
        for (threads, run) in zip([1, 2, 3], runs).dropFirst() {
            #expect(run.0 == runs[0].0, "--threads \(threads): other weights than --threads 1")
            #expect(run.1 == runs[0].1, "--threads \(threads): another log than --threads 1")
        }
    }

    /// `--init-from` continues exactly: 300 epochs in one run equal 120, then
    /// 180 more from the saved file, to the last bit, and the log is appended
    /// with continuing epoch numbers.
    @Test func resumingEqualsAnUninterruptedRun() throws {
        let directory = TemporaryDirectory()
        let whole = try runBinary(
            ["run", "--example", "xor", "--quiet", "--epochs", "300", "--weights-out", "whole.json", "--log", "whole.csv"],
            in: directory.path)
        #expect(whole.code == 0)
        let first = try runBinary(
            ["run", "--example", "xor", "--quiet", "--epochs", "120", "--weights-out", "part.json", "--log", "part.csv"],
            in: directory.path)
        #expect(first.code == 0)
        let second = try runBinary(
            [
                "run", "--example", "xor", "--quiet", "--epochs", "180", "--init-from", "part.json",
                "--weights-out", "part.json", "--log", "part.csv",
            ], in: directory.path)
        #expect(second.code == 0, "\(second.stderr)")
        let wholeFile = try WeightsFile.read(FilePath(path: directory.file("whole.json")))
        let resumedFile = try WeightsFile.read(FilePath(path: directory.file("part.json")))
        #expect(wholeFile.weights == resumedFile.weights)
        #expect(wholeFile.biases == resumedFile.biases)
        #expect(resumedFile.metadata.epochsTrained == 300)
        let wholeLoss = (directory.read("whole.csv") ?? "").split(separator: "\n").map { $0.split(separator: ",").prefix(2) }
        let resumedLoss = (directory.read("part.csv") ?? "").split(separator: "\n").map { $0.split(separator: ",").prefix(2) }
        #expect(wholeLoss == resumedLoss)
    }
}

extension EndToEndTests {
    /// A weight overflows to infinity while a saturated sigmoid keeps the loss
    /// finite (found by a test of the weights file): stopped with exit 1,
    /// nothing saved, no trap while writing the weights.
    @Test func overflowingWeightStopsTheRun() throws {
        let directory = TemporaryDirectory()
        directory.write(
            "overflow.json",
            """
            {
              "network": {"layers": [1, 1], "weights": [[[0]]]},
              "training": {"learning_rate": 1.7e308, "epochs": 3, "shuffle": false},
              "data": {"train": {"inputs": [[100]], "targets": [[1]]}}
            }
            """)
        let result = try runBinary(["run", "overflow.json", "--quiet"], in: directory.path)
        #expect(result.code == 1)
        #expect(
            result.stderr
                == "trainer: error: epoch 1: a parameter became infinite (W[0][0][0] = inf); try a smaller training.learning_rate\n")
        #expect(!directory.exists("out/overflow.weights.json"))
        expectNoCrash(result)
    }
}
