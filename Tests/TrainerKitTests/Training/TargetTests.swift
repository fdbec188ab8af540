import Foundation
import Testing
@testable import TrainerKit

/// `training.target` (issue 18, item 3; FANN's desired error): the run stops
/// after the first epoch whose monitored column passes the value, and that
/// epoch is found independently in the log of a run without a target.
@Suite struct TargetTests {
    static func xor(target: String, epochs: Int = 5000) -> String {
        """
        {"network": {"layers": [2, 3, 1]}, "training": {"learning_rate": 2.0, "epochs": \(epochs), "seed": 1\(target)},
         "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}}
        """
    }

    @Test func stopsAtTheFirstEpochBelowTheTarget() throws {
        let directory = TemporaryDirectory()
        let free = directory.write("free.json", Self.xor(target: ""))
        let aimed = directory.write("aimed.json", Self.xor(target: #", "target": {"monitor": "loss", "below": 0.001}"#))
        let whole = runCLI(["run", free, "--quiet", "--log", "-", "--weights-out", directory.file("free.weights.json")])
        #expect(whole.code == 0)
        // The first epoch whose loss is below 0.001, read off the free run's log.
        let rows = whole.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        let first = try #require(rows.first { Double($0[1])! < 0.001 })
        let expected = Int(first[0])!

        let result = runCLI(["run", aimed, "--log", "-", "--weights-out", directory.file("aimed.weights.json")])
        #expect(result.code == 0, "\(result.stderr)")
        let logged = result.stdout.split(separator: "\n").dropFirst()
        #expect(logged.count == expected)
        #expect(result.stderr.contains("trainer: reached the target after epoch \(expected): loss "))
        let saved = try WeightsFile.read(FilePath(path: directory.file("aimed.weights.json")))
        #expect(saved.metadata.stoppedBy == "target")
        #expect(saved.metadata.epochsTrained == expected)

        // The same weights as a run of exactly that many epochs.
        let cut = runCLI([
            "run", free, "--quiet", "--epochs", "\(expected)", "--log", "/dev/null", "--weights-out", directory.file("cut.json"),
        ])
        #expect(cut.code == 0)
        let reference = try WeightsFile.read(FilePath(path: directory.file("cut.json")))
        #expect(saved.weights == reference.weights && saved.biases == reference.biases)
    }

    @Test func notReachedTrainsEveryEpoch() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.xor(target: #", "target": {"below": 1e-12}"#, epochs: 20))
        let result = runCLI(["run", config, "--quiet", "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv")])
        #expect(result.code == 0)
        #expect(try WeightsFile.read(FilePath(path: directory.file("w.json"))).metadata.stoppedBy == "completed")
    }

    @Test(arguments: [
        (
            #", "target": {"below": 0.1, "above": 0.2}"#,
            "training.target: expected exactly one of below and above (e.g. {\"monitor\": \"loss\", \"below\": 0.001})"
        ),
        (
            #", "target": {"monitor": "loss"}"#,
            "training.target: expected exactly one of below and above (e.g. {\"monitor\": \"loss\", \"below\": 0.001})"
        ),
        (
            #", "target": {"monitor": "val_loss", "below": 0.1}"#,
            "training.target.monitor: val_loss needs validation data; add training.validation_split or data.validation"
        ),
        (
            #", "target": {"monitor": "accuracy", "above": 0.9}"#,
            "training.target.monitor: this run's log has no accuracy column (its columns: epoch, loss, seconds); accuracy needs one-hot classes"
        ),
        (#", "target": {"monitor": "loss", "belwo": 0.1}"#, "training.target.belwo: unknown key; did you mean below?"),
    ])
    func badTargetsAreRefused(_ target: String, _ message: String) {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.xor(target: target))
        let result = runCLI(["check", config])
        #expect(result.code == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
