import Foundation
import Testing
@testable import TrainerKit

/// `run --progress N` and the run's last line (issue 18, item 4).
@Suite struct ProgressTests {
    /// A line every N epochs and the last, each with samples/s and (but the
    /// last) the time left; the rate is the samples trained over the
    /// line's own elapsed seconds.
    @Test func progressEveryNEpochs() throws {
        let directory = TemporaryDirectory()
        let outputs = ["--log", directory.file("l.csv"), "--weights-out", directory.file("w.json")]
        let result = runCLI(["run", "--example", "xor", "--epochs", "5", "--progress", "2"] + outputs)
        #expect(result.code == 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        for (line, epoch) in zip(lines, [2, 4, 5]) {
            #expect(line.hasPrefix("epoch \(epoch)/5: loss "), "\(line)")
            let timing = try #require(line.split(separator: "(").last).dropLast()
            let parts = timing.split(separator: ", ").map(String.init)
            let seconds = try #require(Double(parts[0].dropLast(2)))
            let rate = try #require(Double(parts[1].dropLast(10).replacingOccurrences(of: ",", with: "")))
            #expect(parts[1].hasSuffix(" samples/s"))
            // 4 samples an epoch; the seconds shown are rounded to 0.01 s.
            if seconds >= 0.01 { #expect(abs(rate - Double(4 * epoch) / seconds) / rate < 1) }
            #expect(parts.count == (epoch == 5 ? 2 : 3), "\(line)")
            if epoch < 5 { #expect(parts[2].hasSuffix(" s left")) }
        }
        #expect(lines.last!.hasPrefix("trained to epoch 5; final loss "))
        let each = runCLI(["run", "--example", "xor", "--epochs", "3", "--progress", "epoch"] + outputs)
        #expect(each.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count == 3)
        let bad = runCLI(["run", "--example", "xor", "--progress", "0"])
        #expect(
            bad.code == 2 && bad.stderr == "trainer: error: --progress: expected a whole number of epochs ≥ 1 or 'epoch', found \"0\"\n")
    }

    /// After early stopping the last line names the epoch whose weights
    /// were saved, not only the last epoch trained.
    @Test func lastLineNamesTheSavedEpoch() throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            """
            {"network": {"layers": [2, 3, 1]}, "training": {"learning_rate": 2.0, "epochs": 50, "seed": 1,
             "early_stopping": {"monitor": "loss", "patience": 1, "min_delta": 1}},
             "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}}
            """)
        let result = runCLI(["run", config, "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv")])
        #expect(result.code == 0)
        // No epoch improves on the first by min_delta 1: it stops after epoch 2 and keeps epoch 1.
        #expect(
            result.stderr.contains("trainer: early stopping after epoch 2: loss did not improve for 1 epoch; saved the weights of epoch 1"))
        #expect(result.stderr.contains("trained to epoch 2; final loss "))
        #expect(result.stderr.contains("; weights of epoch 1 in \(directory.file("w.json"))"), "\(result.stderr)")
    }
}
