import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md F1-F4: signals, sent to the built binary. Each signal is sent
// when the run has reached the state the case is about, observed from
// outside: the first rows of the loss log, trainer opening a FIFO it is
// reading, the temporary weights file appearing. A run caught in the act of
// saving is frozen with SIGSTOP (and seen stopped in /proc) while the
// temporary file is still there, so the second signal or SIGKILL lands
// before the rename, every time.

/// Runs `C.midEpoch` until the log has a row, stops it with `signal`, checks
/// what the stopped run left, then resumes it with `--init-from` and checks
/// that it ends bit for bit where an uninterrupted run of the same total
/// epochs ends: the weights file byte for byte, the log's rows but for the
/// `seconds` column.
private func interruptMidEpochAndResume(with signal: Int32, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let directory = TemporaryDirectory()
    let config = directory.write("c.json", FaultConfig.midEpoch)
    let run = try TrainerProcess(["run", "c.json", "--quiet", "--weights-out", "out/w.json", "--log", "out/l.csv"], in: directory.path)
    try #require(waitUntil { directory.rows("out/l.csv").count >= 2 }, "no log row appeared", sourceLocation: sourceLocation)
    run.send(signal)
    let stopped = run.wait()
    let name = signal == SIGINT ? "SIGINT" : "SIGTERM"

    // 130 or 143, one line on stderr, the log flushed with whole rows only.
    #expect(stopped.signal == nil && stopped.code == 128 + signal, "\(stopped)", sourceLocation: sourceLocation)
    #expect(
        stopped.errorLines.count == 1 && stopped.stderr.hasPrefix("trainer: stopped by \(name) after "), "\(stopped.stderr)",
        sourceLocation: sourceLocation)
    expectNoTrap(stopped, sourceLocation: sourceLocation)
    let log = directory.read("out/l.csv") ?? ""
    expectWholeRows(log, sourceLocation: sourceLocation)
    let epochs = directory.rows("out/l.csv").count - 1

    // Honest metadata: the complete epochs (one per log row) and how far into the next one.
    let saved = try WeightsFile.read(FilePath(path: directory.file("out/w.json")))
    #expect(saved.metadata.stoppedBy == "interrupted", sourceLocation: sourceLocation)
    #expect(saved.metadata.epochsTrained == epochs, sourceLocation: sourceLocation)
    #expect((0..<500).contains(saved.metadata.samplesIntoEpoch), sourceLocation: sourceLocation)
    #expect(saved.metadata.samplesTrained == 500 * epochs + saved.metadata.samplesIntoEpoch, sourceLocation: sourceLocation)
    #expect(!directory.snapshot().entries.keys.contains { $0.contains(".tmp.") }, sourceLocation: sourceLocation)
    if saved.metadata.samplesIntoEpoch > 0 {
        #expect(saved.metadata.partialLossSum != nil, sourceLocation: sourceLocation)
        #expect(
            stopped.stderr.contains("after \(epochs) epochs and \(saved.metadata.samplesIntoEpoch) samples"), sourceLocation: sourceLocation
        )
    }

    // Resume: two more epochs (finishing the interrupted one counts as one),
    // against one uninterrupted run of as many epochs in all.
    let resumed = runCLI([
        "run", config, "--quiet", "--epochs", "2", "--init-from", directory.file("out/w.json"),
        "--weights-out", directory.file("out/w.json"), "--log", directory.file("out/l.csv"),
    ])
    #expect(resumed.code == 0, "\(resumed.stderr)", sourceLocation: sourceLocation)
    let whole = runCLI([
        "run", config, "--quiet", "--epochs", "\(epochs + 2)",
        "--weights-out", directory.file("whole/w.json"), "--log", directory.file("whole/l.csv"),
    ])
    #expect(whole.code == 0, "\(whole.stderr)", sourceLocation: sourceLocation)
    #expect(
        directory.bytes("out/w.json") == directory.bytes("whole/w.json"), "resumed weights differ from the uninterrupted run's",
        sourceLocation: sourceLocation)
    func withoutSeconds(_ name: String) -> [String] {
        directory.rows(name).map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    }
    #expect(withoutSeconds("out/l.csv") == withoutSeconds("whole/l.csv"), sourceLocation: sourceLocation)
    #expect(withoutSeconds("whole/l.csv").count == epochs + 3, sourceLocation: sourceLocation)
}

/// Waits until `run` is writing the temporary file `temporary`, then stops
/// it with SIGSTOP while that file is still there (before the rename).
/// Returns false when the save ended before it could be caught.
private func freezeWhileSaving(_ run: TrainerProcess, temporary: String) -> Bool {
    let deadline = ContinuousClock.now + .seconds(60)
    while run.isRunning && ContinuousClock.now < deadline {
        if access(temporary, F_OK) == 0 {
            run.send(SIGSTOP)
            waitUntil(timeout: .seconds(5)) { run.state == "T" || !run.isRunning }
            if run.state == "T", access(temporary, F_OK) == 0 { return true }
            run.send(SIGCONT)
            return false
        }
        usleep(50)
    }
    return false
}

extension FaultTests {
    @Suite("F. Signals") struct SignalFaults {
        typealias C = FaultConfig

        @Test("F1: SIGINT mid-epoch: 130, whole log rows, weights saved with honest metadata; --init-from resumes bit for bit")
        func f1() throws {
            try interruptMidEpochAndResume(with: SIGINT)
        }

        enum F2Case: String, CaseIterable, Sendable {
            case sigtermMidEpoch = "SIGTERM mid-epoch"
            case runBeforeTraining = "SIGTERM before training (run reading its data)"
            case check = "SIGINT during check"
            case eval = "SIGTERM during eval"
            case gradcheck = "SIGINT during gradcheck"
        }

        /// Before training (and in check, eval and gradcheck) the signals keep
        /// their default action (IO/Signals.swift): the process ends at once by
        /// the signal, which a shell reports as 130 or 143, having written
        /// nothing. Each command is caught reading its data from a FIFO.
        @Test(
            "F2: SIGTERM mid-epoch as F1 (143); a signal before training or during check/eval/gradcheck: 130/143, nothing written",
            arguments: F2Case.allCases)
        func f2(_ scenario: F2Case) throws {
            if scenario == .sigtermMidEpoch {
                try interruptMidEpochAndResume(with: SIGTERM)
                return
            }
            let directory = TemporaryDirectory()
            directory.faultConfig(C.text(data: #"{"train": {"csv": "data/x.csv"}}"#))
            directory.write(
                "w.json",
                WeightsFile(
                    network: Network<Double>(
                        layerSizes: [2, 3, 1], activations: [.sigmoid, .sigmoid],
                        weights: [Matrix(rows: 2, columns: 3, repeating: 0.5), Matrix(rows: 3, columns: 1, repeating: 0.5)],
                        biases: [[0, 0, 0], [0]]),
                    metadata: WeightsFile.Metadata()
                ).encoded())
            try FileManager.default.createDirectory(atPath: directory.file("data"), withIntermediateDirectories: true)
            #expect(mkfifo(directory.file("data/x.csv"), 0o644) == 0)
            let (arguments, signal): ([String], Int32) =
                switch scenario {
                case .sigtermMidEpoch: ([], SIGTERM)
                case .runBeforeTraining: (["run", "c.json"], SIGTERM)
                case .check: (["check", "c.json"], SIGINT)
                case .eval: (["eval", "w.json", "c.json"], SIGTERM)
                case .gradcheck: (["gradcheck", "c.json"], SIGINT)
                }
            let before = directory.snapshot()
            let run = try TrainerProcess(arguments, in: directory.path)
            // Opening a FIFO for writing succeeds once its reader has it open.
            var writer: Int32 = -1
            #expect(
                waitUntil {
                    writer = open(directory.file("data/x.csv"), O_WRONLY | O_NONBLOCK)
                    return writer >= 0
                }, "trainer never opened its data")
            _ = writeWithoutSIGPIPE(writer, Array("x1,x2,y\n0,0,0\n".utf8))
            run.send(signal)
            let result = run.wait()
            close(writer)
            #expect(result.shellStatus == 128 + signal, "\(result)")
            #expect(result.stdout.isEmpty)
            expectNoTrap(result, allowed: [signal])
            #expect(directory.snapshot() == before, "a signal before training wrote something")
        }

        @Test("F3: a second SIGINT while saving exits 130 at once; the previous weights file is intact")
        func f3() async throws {
            var caught = false
            for _ in 0..<3 where !caught {
                let directory = TemporaryDirectory()
                directory.write("c.json", C.largeSave)
                directory.write("out/w.json", C.previousWeights)
                let run = try TrainerProcess(
                    ["run", "c.json", "--quiet", "--weights-out", "out/w.json", "--log", "out/l.csv"], in: directory.path)
                try #require(waitUntil { directory.rows("out/l.csv").count >= 2 }, "no log row appeared")
                run.send(SIGINT)
                let firstSignal = ContinuousClock.now
                let temporary = directory.file("out/.w.json.tmp.\(run.pid)")
                guard freezeWhileSaving(run, temporary: temporary) else {
                    _ = run.wait()
                    continue
                }
                caught = true
                // A deliberate second signal: not within Signals.repeatInterval
                // of the first, which counts as the same request (IO/Signals.swift).
                let early = firstSignal + Signals.repeatInterval + .milliseconds(50) - ContinuousClock.now
                if early > .zero { try? await Task.sleep(for: early) }
                run.send(SIGINT)
                let resumedAt = ContinuousClock.now
                run.send(SIGCONT)
                let result = run.wait()
                #expect(ContinuousClock.now - resumedAt < .seconds(5), "not at once")
                #expect(result.signal == nil && result.code == 130, "\(result)")
                #expect(directory.read("out/w.json") == C.previousWeights, "the previous weights file changed")
                #expect(access(temporary, F_OK) != 0, "the temporary file was left")
                expectWholeRows(directory.read("out/l.csv") ?? "")
                expectNoTrap(result)
            }
            #expect(caught, "three runs finished saving before they could be caught")
        }

        @Test("F4: SIGKILL mid-save leaves the old weights intact; the next run ignores or replaces the leftover temporary file")
        func f4() throws {
            let directory = TemporaryDirectory()
            directory.write("c.json", C.largeSave)
            directory.write("out/w.json", C.previousWeights)
            var leftover: String?
            for _ in 0..<3 where leftover == nil {
                let run = try TrainerProcess(
                    ["run", "c.json", "--quiet", "--epochs", "1", "--weights-out", "out/w.json", "--log", "out/l.csv"], in: directory.path)
                let temporary = directory.file("out/.w.json.tmp.\(run.pid)")
                if freezeWhileSaving(run, temporary: temporary) {
                    run.send(SIGKILL)
                    let result = run.wait()
                    #expect(result.signal == SIGKILL)
                    leftover = temporary
                } else {
                    _ = run.wait()
                    directory.write("out/w.json", C.previousWeights)
                }
            }
            let temporary = try #require(leftover, "three runs finished saving before they could be caught")
            // The old file is whole; the killed run's partial file is only under the temporary name.
            #expect(directory.read("out/w.json") == C.previousWeights)
            // (Empty or cut short, depending on where the write was.)
            let partial = try #require(FileManager.default.contents(atPath: temporary))

            // The next run writes its own temporary file, never reads the leftover, and replaces w.json whole.
            let next = try runTrainer(
                ["run", "c.json", "--quiet", "--epochs", "1", "--weights-out", "out/w.json", "--log", "out/l.csv"], in: directory,
                runner: .binary)
            #expect(next.code == 0, "\(next.stderr)")
            let written = try #require(directory.read("out/w.json"))
            #expect(written.hasPrefix("{\n  \"format\": \"trainer-weights\",") && written.hasSuffix("}\n"))
            #expect(FileManager.default.contents(atPath: temporary) == partial, "the leftover was read or changed")

            // A leftover with this very process id (a killed run's pid, reused)
            // is replaced, not read.
            let small = TemporaryDirectory()
            let config = small.write("c.json", C.text())
            let ours = small.write("out/.w.json.tmp.\(getpid())", "{\"format\": \"trainer-weights\", \"truncated")
            let result = runCLI(["run", config, "--quiet", "--weights-out", small.file("out/w.json"), "--log", small.file("out/l.csv")])
            #expect(result.code == 0, "\(result.stderr)")
            #expect(try WeightsFile.read(FilePath(path: small.file("out/w.json"))).metadata.epochsTrained == 3)
            #expect(!FileManager.default.fileExists(atPath: ours))
        }
    }
}
