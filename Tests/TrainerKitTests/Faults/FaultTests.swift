import Foundation
import Testing
@testable import TrainerKit

// The 40 cases of docs/faults.md, one test each, named by their id
// ("A1: ...", ..., "G3: ..."), in one file per section:
//
//   FaultTests+Config.swift      A1-A12  config JSON
//   FaultTests+Data.swift        B1-B4   dimensions and weights, C1-C7 data files
//   FaultTests+Numeric.swift     D1-D3   numeric faults
//   FaultTests+Filesystem.swift  E1-E7   filesystem and streams
//   FaultTests+Signals.swift     F1-F4   signals
//   FaultTests+Limits.swift      G1-G3   resource limits and flags
//
// Where a case is tested in depth elsewhere (ConfigErrorTests, JSONReaderTests,
// CSVTests, IDXTests, WeightsFileTests, EndToEndTests), the test here checks
// its core assertion through the command line and names the other test.
//
// This file holds the harness: docs/faults.md's assertions for bad input
// (`expectBadInput`), a runner for the built binary that reports signals and
// can send them (`TrainerProcess`), folder snapshots, and the small configs
// the cases share. Cases that need root (running as `nobody`, mounting a
// tmpfs) record a known issue when it is missing, never pass silently.

/// docs/faults.md's 40 cases. Each section is a nested suite, so
/// `swift test --filter Fault` runs them all.
@Suite("docs/faults.md: bad input and faults") struct FaultTests {}

// MARK: - Configs

/// The small configs the cases start from.
enum FaultConfig {
    static let network = #"{"layers": [2, 3, 1]}"#
    static let training = #"{"learning_rate": 0.5, "epochs": 3, "seed": 7}"#
    static let data = #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}"#

    /// A config with one section per line: network on line 2, training on
    /// line 3, data on line 4, then `extra` (`,\n  "output": {...}`).
    static func text(network: String = network, training: String = training, data: String = data, extra: String = "") -> String {
        "{\n  \"network\": \(network),\n  \"training\": \(training),\n  \"data\": \(data)\(extra)\n}\n"
    }

    /// XOR for as many epochs as a test needs to stop it by a signal or a
    /// closed pipe first.
    static let endless = text(training: #"{"learning_rate": 0.5, "epochs": 1000000, "seed": 7}"#)

    /// 500 samples of "x1 + x2 > 1" for a 2-8-1 network: an epoch is 500
    /// batches, so a signal almost always lands in the middle of one.
    static var midEpoch: String {
        var inputs: [String] = [], targets: [String] = []
        for i in 0..<500 {
            let x1 = Double(i % 23) / 22, x2 = Double((i * 7) % 19) / 18
            inputs.append("[\(x1), \(x2)]")
            targets.append(x1 + x2 > 1 ? "[1]" : "[0]")
        }
        return text(
            network: #"{"layers": [2, 8, 1]}"#,
            training: #"{"learning_rate": 0.5, "epochs": 1000000, "seed": 3}"#,
            data: #"{"train": {"inputs": [\#(inputs.joined(separator: ", "))], "targets": [\#(targets.joined(separator: ", "))]}}"#)
    }

    /// A 1000-1000-1 network (a million parameters, a 22 MB weights file)
    /// trained on one sample: epochs are short, saving takes long enough to
    /// be caught in the act.
    static var largeSave: String {
        let input = "[" + Array(repeating: "0.5", count: 1000).joined(separator: ", ") + "]"
        return text(
            network: #"{"layers": [1000, 1000, 1]}"#,
            training: #"{"learning_rate": 0.01, "epochs": 1000000, "seed": 3}"#,
            data: #"{"train": {"inputs": [\#(input)], "targets": [[1]]}}"#)
    }

    /// The bytes of a weights file left by an earlier run, which a failed
    /// run must leave byte for byte as it was.
    static let previousWeights = "previous weights: must survive every failed run\n"
}

/// One input of a parameterized case, named for the test report.
struct FaultCase: Sendable, CustomTestStringConvertible {
    var name: String
    var config: String
    /// The expected message (or the part after the place).
    var message: String

    init(_ name: String, _ config: String, _ message: String) {
        self.name = name
        self.config = config
        self.message = message
    }

    var testDescription: String { name }
}

// MARK: - Folders

/// Every entry below a folder: names, types, sizes, modification times and
/// the bytes of regular files, to show that a failed run changed nothing.
/// FIFOs are listed by name only (writing to one changes its time).
struct FolderSnapshot: Equatable, CustomStringConvertible {
    var entries: [String: String] = [:]
    var contents: [String: Data] = [:]

    init(_ directory: String) {
        var root = stat()
        if stat(directory, &root) == 0 {
            entries["."] = "folder, mtime \(root.st_mtim.tv_sec).\(root.st_mtim.tv_nsec)"
        }
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let name = enumerator?.nextObject() as? String {
            let path = directory + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                entries[name] =
                    "file \(status.st_size) bytes, mtime \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec), mode \(String(status.st_mode & 0o7777, radix: 8))"
                // Bytes of files a test writes; a huge (sparse) input is
                // known by its size and time.
                if status.st_size <= 64 << 20 { contents[name] = FileManager.default.contents(atPath: path) ?? Data() }
            case S_IFDIR:
                // A file created and removed again changes the folder's time.
                entries[name] =
                    "folder, mtime \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec), mode \(String(status.st_mode & 0o7777, radix: 8))"
            case S_IFLNK:
                entries[name] = "link to " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            default:
                entries[name] = "special"
            }
        }
    }

    /// The same snapshot with the folders' times left out: a run that
    /// passed every check tries its save (creating and removing its
    /// temporary file), which changes its weights folder's time and nothing
    /// else, even when it then fails.
    var ignoringFolderTimes: FolderSnapshot {
        var copy = self
        for (name, entry) in entries where entry.hasPrefix("folder") {
            copy.entries[name] = "folder"
        }
        return copy
    }

    var description: String {
        entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: "\n")
    }
}

extension TemporaryDirectory {
    func snapshot() -> FolderSnapshot { FolderSnapshot(path) }

    /// The bytes of `name`, or nil.
    func bytes(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: file(name)).map { [UInt8]($0) }
    }

    /// A config `c.json` and, at its default output `out/c.weights.json`, a
    /// previous weights file; returns the config's absolute path.
    @discardableResult
    func faultConfig(_ text: String = FaultConfig.text(), name: String = "c.json") -> String {
        write("out/" + (name.hasSuffix(".json") ? String(name.dropLast(5)) : name) + ".weights.json", FaultConfig.previousWeights)
        return write(name, text)
    }

    /// The rows of a CSV file (header included), or [] when there is none.
    func rows(_ name: String) -> [String] {
        (read(name) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Makes the folder reachable by other users (mkdtemp makes it 0700).
    func openToEveryone() {
        chmod(path, 0o755)
    }
}

// MARK: - Running trainer

/// How a case runs trainer.
enum Runner {
    /// `CLI.run` in this process, with captured streams (absolute paths only).
    case inProcess
    /// The built binary, in the folder.
    case binary
    /// The built binary as the user `nobody` (setpriv), when running as root.
    case nobody
}

/// What a run did: its exit code (or the signal that ended it) and streams.
struct TrainerResult {
    var code: Int32
    /// The signal that ended the process, when it did not exit.
    var signal: Int32?
    var stdout: String
    var stderr: String

    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// The exit status a shell would report: 128 + the signal for a killed process.
    var shellStatus: Int32 { signal.map { 128 + $0 } ?? code }
}

/// True when running as root (setpriv to `nobody`, mount and chown work).
var isRoot: Bool { geteuid() == 0 }

/// Records, visibly, that part of a case could not run here (a known issue
/// in the test report, never a silent pass).
func skipLoudly(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
    withKnownIssue("not run: \(reason)") {
        Issue.record("not run: \(reason)", sourceLocation: sourceLocation)
    }
}

/// The built binary run as a separate process, which the test can signal.
/// stdout and stderr go to files outside the test's folder (so the folder's
/// snapshot only shows what trainer wrote).
final class TrainerProcess {
    let process = Process()
    private let captures = TemporaryDirectory()
    private let input: Pipe

    /// Starts `trainer arguments` in `directory`, as `nobody` when asked.
    /// - Parameter shell: a bash command line to run instead, with the
    ///   binary's path in `$TRAINER`.
    init(_ arguments: [String] = [], in directory: String, asNobody: Bool = false, shell: String? = nil, input text: String? = nil) throws {
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", shell]
        } else if asNobody {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", trainerExecutable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: trainerExecutable)
            process.arguments = arguments
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRAINER"] = trainerExecutable
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: captures.file("stdout"), contents: nil)
        _ = FileManager.default.createFile(atPath: captures.file("stderr"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: captures.file("stdout"))
        process.standardError = FileHandle(forWritingAtPath: captures.file("stderr"))
        input = Pipe()
        process.standardInput = input
        try process.run()
        if let text { _ = writeWithoutSIGPIPE(input.fileHandleForWriting.fileDescriptor, Array(text.utf8)) }
        try? input.fileHandleForWriting.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end (killing it after `timeout`, which is a
    /// failure) and returns what it did.
    func wait(timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) -> TrainerResult {
        if !waitUntil(timeout: timeout, { !self.process.isRunning }) {
            Issue.record("trainer did not end within \(timeout); killed", sourceLocation: sourceLocation)
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return TrainerResult(
            code: signal == nil ? process.terminationStatus : -1, signal: signal,
            stdout: captures.read("stdout") ?? "", stderr: captures.read("stderr") ?? "")
    }

    /// The process's state letter from /proc (`R`, `S`, `T` when stopped).
    var state: Character? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[close...].dropFirst(2).first
    }
}

/// Runs trainer and waits for it.
func runTrainer(
    _ arguments: [String], in directory: TemporaryDirectory, runner: Runner = .inProcess, input: String? = nil
) throws -> TrainerResult {
    switch runner {
    case .inProcess:
        let result = runCLI(arguments)
        return TrainerResult(code: result.code, stdout: result.stdout, stderr: result.stderr)
    case .binary:
        return try TrainerProcess(arguments, in: directory.path, input: input).wait()
    case .nobody:
        return try TrainerProcess(arguments, in: directory.path, asNobody: true, input: input).wait()
    }
}

/// Runs a bash command line in `directory` with `$TRAINER` set.
func runTrainerShell(_ command: String, in directory: TemporaryDirectory) throws -> TrainerResult {
    try TrainerProcess(in: directory.path, shell: command).wait()
}

// MARK: - docs/faults.md's assertions

/// Runs trainer on bad input and checks docs/faults.md's harness assertions:
/// stderr is exactly one line, starting `trainer: error: ` and containing
/// each of `fragments` (the place, and what is wrong; `$DIR` stands for the
/// folder); the exit code is `code`; stdout is empty; nothing in the folder
/// changed (names, sizes, times, bytes: a previous weights file stays
/// byte-identical); no trap.
@discardableResult
func expectBadInput(
    _ arguments: [String], in directory: TemporaryDirectory, code: Int32 = 2, runner: Runner = .inProcess,
    _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
) throws -> TrainerResult {
    let before = directory.snapshot()
    let result = try runTrainer(arguments, in: directory, runner: runner)
    let after = directory.snapshot()
    let stderr = result.stderr.replacingOccurrences(of: directory.path, with: "$DIR")
    #expect(
        result.signal == nil && result.code == code, "exit \(result.code), signal \(result.signal.map(String.init) ?? "none"): \(stderr)",
        sourceLocation: sourceLocation)
    #expect(stderr.hasPrefix("trainer: error: "), "\(stderr)", sourceLocation: sourceLocation)
    #expect(
        stderr.hasSuffix("\n") && stderr.dropLast().firstIndex(of: "\n") == nil, "not exactly one line: \(stderr)",
        sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(stderr.contains(fragment), "expected \"\(fragment)\" in: \(stderr)", sourceLocation: sourceLocation)
    }
    #expect(result.stdout == "", sourceLocation: sourceLocation)
    #expect(after == before, "the folder changed:\n\(before)\n---\n\(after)", sourceLocation: sourceLocation)
    expectNoTrap(result, sourceLocation: sourceLocation)
    return result
}

/// A loss log holds whole rows only: a header, then rows of as many fields,
/// each a number, and the file ends with a newline.
func expectWholeRows(_ text: String, columns: Int = 3, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(text.isEmpty || text.hasSuffix("\n"), "the log ends in half a row: \(text.suffix(80))", sourceLocation: sourceLocation)
    let lines = text.split(separator: "\n")
    guard let header = lines.first else { return }
    #expect(header.split(separator: ",").count == columns, sourceLocation: sourceLocation)
    for line in lines.dropFirst() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        #expect(
            fields.count == columns && fields.allSatisfy { Double($0) != nil }, "not a whole row: \(line)", sourceLocation: sourceLocation)
    }
}

// MARK: - Privileges and mounts

/// A tmpfs mounted on a folder (root only), unmounted by ``unmount()``.
struct Tmpfs {
    let path: String

    /// Mounts a tmpfs of `size` on `path` (created); nil with the reason when
    /// that is not possible here.
    static func mount(at path: String, size: String = "512k") -> (Tmpfs?, String) {
        guard isRoot else { return (nil, "mounting a tmpfs needs root") }
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = shell("mount -t tmpfs -o size=\(size) tmpfs '\(path)'")
        guard result.status == 0 else { return (nil, "mount failed: \(result.output)") }
        return (Tmpfs(path: path), "")
    }

    func remountReadOnly() -> Bool {
        Self.shell("mount -o remount,ro '\(path)'").status == 0
    }

    func unmount() {
        _ = Self.shell("umount '\(path)'")
    }

    static func shell(_ command: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command + " 2>&1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// Whether `setpriv` can run the binary as `nobody` here.
var canRunAsNobody: Bool {
    isRoot && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
}
