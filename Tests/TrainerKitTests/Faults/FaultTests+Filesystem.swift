import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md E1-E7: the filesystem and the streams. These run the built binary
// where the process matters (another user, file-size limits, pipes,
// /dev/full) and mount a tmpfs for a full or read-only disk (as root; without
// root those parts are recorded as known issues).

/// The user `nobody`, whom root's tests run trainer as.
private let nobody: uid_t = 65534

extension FaultTests {
    @Suite("E. Filesystem and streams") struct Filesystem {
        typealias C = FaultConfig

        /// A 2-200-200-1 network: a weights file of about 1 MB, larger than
        /// the 512 KiB tmpfs and the 100 KiB file-size limit below.
        static let largeWeights = C.text(
            network: #"{"layers": [2, 200, 200, 1]}"#, training: #"{"learning_rate": 0.1, "epochs": 1, "seed": 1}"#)

        @Test("E1: missing output folders are created, after validation")
        func e1() throws {
            let directory = TemporaryDirectory()
            let config = directory.write("c.json", C.text())
            // Bad input creates no folder.
            try expectBadInput(
                ["run", config, "--quiet", "--epochs", "0"], in: directory,
                "trainer: error: --epochs: expected a whole number ≥ 1, found 0\n")
            #expect(!directory.exists("out"))
            // An output below a file cannot be made: refused before training.
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", directory.file("c.json/w.json")], in: directory,
                "trainer: error: $DIR/c.json/w.json: $DIR/c.json is not a directory\n")
            // The default out/, and deeper folders named by flags.
            let result = runCLI(["run", config, "--quiet"])
            #expect(result.code == 0, "\(result.stderr)")
            #expect(directory.exists("out/c.weights.json") && directory.exists("out/c.loss.csv"))
            let deep = runCLI([
                "run", config, "--quiet", "--weights-out", directory.file("a/b/w.json"), "--log", directory.file("c/d/l.csv"),
            ])
            #expect(deep.code == 0, "\(deep.stderr)")
            #expect(directory.exists("a/b/w.json") && directory.exists("c/d/l.csv"))
        }

        @Test("E2: an unwritable folder or a read-only filesystem is found before training; unwritable mid-run gives exit 1")
        func e2() throws {
            // As another user: root writes anywhere, so run as nobody (or, not
            // being root, simply make the folder read-only).
            let locked = TemporaryDirectory()
            locked.openToEveryone()
            locked.faultConfig()
            let runner: Runner
            if isRoot {
                guard canRunAsNobody else {
                    skipLoudly("E2 unwritable folder: needs setpriv to run as nobody")
                    return
                }
                runner = .nobody
            } else {
                chmod(locked.file("out"), 0o555)
                chmod(locked.path, 0o555)
                runner = .binary
            }
            try expectBadInput(
                ["run", "c.json", "--quiet"], in: locked, runner: runner, "trainer: error: out/c.weights.json: Permission denied\n")
            try expectBadInput(
                ["run", "c.json", "--quiet", "--weights-out", "new/w.json"], in: locked, runner: runner,
                "trainer: error: new/w.json: Permission denied\n")
            if !isRoot { chmod(locked.path, 0o755) }

            try unwritableMidRun()

            // A read-only filesystem (root: a tmpfs remounted read-only).
            let readOnly = TemporaryDirectory()
            let config = readOnly.faultConfig()
            let (mounted, reason) = Tmpfs.mount(at: readOnly.file("ro"))
            guard let mounted else {
                skipLoudly("E2 read-only filesystem: \(reason)")
                return
            }
            defer { mounted.unmount() }
            readOnly.write("ro/w.json", C.previousWeights)
            try #require(mounted.remountReadOnly(), "mount -o remount,ro failed")
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", readOnly.file("ro/w.json")], in: readOnly,
                "trainer: error: $DIR/ro/w.json: Read-only file system\n")
            try expectBadInput(
                ["run", config, "--quiet", "--log", readOnly.file("ro/logs/l.csv")], in: readOnly,
                "trainer: error: $DIR/ro/logs/l.csv: Read-only file system\n")
        }

        /// The folder becomes unwritable after training started: the save
        /// fails with exit 1 and the previous file stays as it was.
        func unwritableMidRun() throws {
            let directory = TemporaryDirectory()
            directory.openToEveryone()
            directory.write("c.json", C.midEpoch)
            directory.write("out/w.json", C.previousWeights)
            if isRoot {
                chown(directory.file("out"), nobody, nobody)
                chown(directory.file("out/w.json"), nobody, nobody)
            }
            let run = try TrainerProcess(
                ["run", "c.json", "--quiet", "--weights-out", "out/w.json", "--log", "out/l.csv"], in: directory.path, asNobody: isRoot)
            #expect(waitUntil { directory.rows("out/l.csv").count >= 2 }, "no log row appeared")
            chmod(directory.file("out"), 0o555)
            run.send(SIGINT)
            let result = run.wait()
            chmod(directory.file("out"), 0o755)
            #expect(result.code == 1, "\(result.stderr)")
            #expect(result.stderr == "trainer: error: out/w.json: Permission denied\n")
            #expect(directory.read("out/w.json") == C.previousWeights)
            #expect(!directory.snapshot().entries.keys.contains { $0.contains(".tmp.") })
            expectWholeRows(directory.read("out/l.csv") ?? "")
            expectNoTrap(result)
        }

        @Test("E3: an output path that is a directory")
        func e3() throws {
            let directory = TemporaryDirectory()
            let config = directory.faultConfig()
            try FileManager.default.createDirectory(atPath: directory.file("out/w.json"), withIntermediateDirectories: true)
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", directory.file("out/w.json")], in: directory,
                "trainer: error: $DIR/out/w.json: is a directory; expected a file path\n")
            try expectBadInput(
                ["run", config, "--quiet", "--log", directory.file("out")], in: directory,
                "trainer: error: $DIR/out: is a directory; expected a file path\n")
        }

        @Test("E4: disk full or file too large at save, and while logging: exit 1, old file intact, no temp left")
        func e4() throws {
            // Without root: a file-size limit (trainer ignores SIGXFSZ, so the
            // write fails with EFBIG instead of the process being killed).
            let limited = TemporaryDirectory()
            limited.write("big.json", Self.largeWeights)
            limited.write("w.json", C.previousWeights)
            let weights = try runTrainerShell(
                #"ulimit -f 100; exec "$TRAINER" run big.json --quiet --weights-out w.json --log l.csv"#, in: limited)
            #expect(weights.code == 1)
            #expect(weights.stderr == "trainer: error: w.json: File too large\n")
            #expect(limited.read("w.json") == C.previousWeights)
            #expect(!limited.snapshot().entries.keys.contains { $0.contains(".tmp.") })
            expectNoTrap(weights)

            limited.write("c.json", C.endless)
            let log = try runTrainerShell(
                #"ulimit -f 1; exec "$TRAINER" run c.json --quiet --weights-out w.json --log small.csv"#, in: limited)
            #expect(log.code == 1)
            #expect(log.stderr == "trainer: error: small.csv: File too large\n")
            #expect(limited.read("w.json") == C.previousWeights)
            let text = limited.read("small.csv") ?? ""
            expectWholeRows(text)
            #expect(text.utf8.count > 900 && text.utf8.count <= 1024, "the log was filled up to the limit: \(text.utf8.count) bytes")
            expectNoTrap(log)

            // With root: a 512 KiB tmpfs.
            let directory = TemporaryDirectory()
            let config = directory.write("big.json", Self.largeWeights)
            let endless = directory.write("c.json", C.endless)
            let (mounted, reason) = Tmpfs.mount(at: directory.file("full"))
            guard let mounted else {
                skipLoudly("E4 full disk: \(reason)")
                return
            }
            defer { mounted.unmount() }
            directory.write("full/w.json", C.previousWeights)
            let full = runCLI([
                "run", config, "--quiet", "--weights-out", directory.file("full/w.json"), "--log", directory.file("full/l.csv"),
            ])
            #expect(full.code == 1)
            #expect(full.stderr == "trainer: error: \(directory.file("full/w.json")): No space left on device\n")
            #expect(directory.read("full/w.json") == C.previousWeights)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("full")).sorted() == ["l.csv", "w.json"])

            // The log fills the disk: leave a page free.
            directory.write("full/filler", bytes: [UInt8](repeating: 0, count: (512 - 8) << 10))
            let logFull = runCLI([
                "run", endless, "--quiet", "--weights-out", directory.file("full/w.json"), "--log", directory.file("full/l.csv"),
            ])
            #expect(logFull.code == 1)
            #expect(logFull.stderr == "trainer: error: \(directory.file("full/l.csv")): No space left on device\n")
            #expect(directory.read("full/w.json") == C.previousWeights)
            let rows = directory.read("full/l.csv") ?? ""
            expectWholeRows(rows)
            #expect(rows.split(separator: "\n").count > 10)
        }

        @Test("E5: a symlinked output keeps the link and replaces its target; an existing file keeps its mode")
        func e5() throws {
            let directory = TemporaryDirectory()
            let config = directory.write("c.json", C.text())
            directory.write("store/real.json", C.previousWeights)
            chmod(directory.file("store/real.json"), 0o640)
            try FileManager.default.createSymbolicLink(atPath: directory.file("link.json"), withDestinationPath: "store/real.json")
            try FileManager.default.createSymbolicLink(atPath: directory.file("dangling.json"), withDestinationPath: "store/new.json")

            for link in ["link.json", "dangling.json"] {
                let result = runCLI(["run", config, "--quiet", "--weights-out", directory.file(link), "--log", directory.file("l.csv")])
                #expect(result.code == 0, "\(result.stderr)")
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.file(link)).hasPrefix("store/"))
            }
            for target in ["store/real.json", "store/new.json"] {
                let weights = try WeightsFile.read(FilePath(path: directory.file(target)))
                #expect(weights.metadata.epochsTrained == 3)
            }
            var status = stat()
            stat(directory.file("store/real.json"), &status)
            #expect(status.st_mode & 0o777 == 0o640)
            // The temporary file went beside the target and was renamed over it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("store")).sorted() == ["new.json", "real.json"])
        }

        @Test("E6: --init-from and --weights-out the same file works; other collisions are refused")
        func e6() throws {
            let directory = TemporaryDirectory()
            let config = directory.faultConfig(FaultConfig.text(data: #"{"train": {"csv": "x.csv"}}"#))
            directory.write("x.csv", "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
            let weights = directory.file("out/w.json")
            #expect(
                runCLI(["run", config, "--quiet", "--epochs", "2", "--weights-out", weights, "--log", directory.file("l.csv")]).code == 0)
            // The input is read whole before the output replaces it.
            let resumed = runCLI([
                "run", config, "--quiet", "--epochs", "3", "--init-from", weights, "--weights-out", weights, "--log",
                directory.file("l.csv"),
            ])
            #expect(resumed.code == 0, "\(resumed.stderr)")
            #expect(try WeightsFile.read(FilePath(path: weights)).metadata.epochsTrained == 5)
            #expect(directory.rows("l.csv").count == 6)

            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", weights, "--log", weights], in: directory,
                "trainer: error: --log: same file as --weights-out ($DIR/out/w.json); give them different paths\n")
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", directory.file("out/new.json"), "--log", directory.file("out/./new.json")],
                in: directory,
                "trainer: error: --log: same file as --weights-out ($DIR/out/new.json); give them different paths\n")
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", config], in: directory,
                "trainer: error: --weights-out: same file as the config ($DIR/c.json); writing it would destroy an input\n")
            try expectBadInput(
                ["run", config, "--quiet", "--log", directory.file("x.csv")], in: directory,
                "trainer: error: --log: same file as data.train.csv ($DIR/x.csv); writing it would destroy an input\n")
            // Through a symlink: the same file all the same.
            try FileManager.default.createSymbolicLink(atPath: directory.file("alias.csv"), withDestinationPath: "x.csv")
            try expectBadInput(
                ["run", config, "--quiet", "--weights-out", directory.file("alias.csv")], in: directory,
                "trainer: error: --weights-out: same file as data.train.csv ($DIR/x.csv); writing it would destroy an input\n")
        }

        @Test("E7: --log - into a closed pipe ends quietly (141, documented); stdout on /dev/full is an error, exit 1")
        func e7() throws {
            let directory = TemporaryDirectory()
            directory.faultConfig(C.endless)
            let started = ContinuousClock.now
            let piped = try runTrainerShell(#""$TRAINER" run c.json --log - | head -3; echo "status ${PIPESTATUS[0]}" >&2"#, in: directory)
            #expect(ContinuousClock.now - started < .seconds(20), "training went on into the void")
            #expect(piped.stdout.split(separator: "\n").count == 3 && piped.stdout.hasPrefix("epoch,loss,seconds\n1,"))
            #expect(!piped.stderr.contains("error"), "\(piped.stderr)")
            #expect(piped.stderr.hasSuffix("status 141\n"), "\(piped.stderr)")
            expectNoTrap(piped)
            // docs/files-and-streams.md: the weights so far are saved, and say why training stopped.
            #expect(try WeightsFile.read(FilePath(path: directory.file("out/c.weights.json"))).metadata.stoppedBy == "output_closed")

            // stdout is /dev/full: one line, exit 1, and no weights written.
            let full = TemporaryDirectory()
            full.faultConfig()
            full.write(
                "w.json",
                WeightsFile(
                    network: Network<Double>(
                        layerSizes: [2, 1], activations: [.sigmoid], weights: [Matrix(rows: 2, columns: 1, repeating: 0.5)], biases: [[0]]),
                    metadata: WeightsFile.Metadata()
                ).encoded())
            full.write("in.csv", "0,0\n0,1\n")
            for command in [
                #""$TRAINER" run c.json --quiet --log - > /dev/full"#,
                #""$TRAINER" check c.json > /dev/full"#,
                #""$TRAINER" predict w.json in.csv > /dev/full"#,
            ] {
                let before = full.snapshot()
                let result = try runTrainerShell(command, in: full)
                #expect(result.code == 1, "\(command)")
                #expect(result.stderr == "trainer: error: stdout: No space left on device\n", "\(command): \(result.stderr)")
                #expect(full.snapshot().ignoringFolderTimes == before.ignoringFolderTimes, "\(command) changed the folder")
                expectNoTrap(result)
            }
        }
    }
}
