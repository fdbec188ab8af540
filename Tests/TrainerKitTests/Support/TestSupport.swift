import Foundation
import Testing
import TrainerKernels
@testable import TrainerKit

/// A fresh folder under the system temp folder, removed when the value is
/// released. Tests run in parallel, so every test gets its own and uses
/// absolute paths (the working directory is shared by the whole process).
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        let template = NSTemporaryDirectory() + "trainer-tests-XXXXXX"
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The absolute path of `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `contents` to `name` (creating folders) and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        write(name, bytes: Array(contents.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let path = file(name)
        try! FileManager.default.createDirectory(atPath: Paths.directory(of: path), withIntermediateDirectories: true)
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        return path
    }

    func read(_ name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file(name)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// `text` with the folder's path removed from the paths it names, so
    /// `<folder>/data/x.csv` reads `data/x.csv`.
    func relative(_ text: String) -> String {
        text.replacingOccurrences(of: path + "/", with: "")
    }

    /// Every file below the folder with its size and modification time, to
    /// show that a failed run changed nothing.
    func listing() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var entries: [String] = []
        while let name = enumerator?.nextObject() as? String {
            var status = stat()
            stat(file(name), &status)
            entries.append("\(name) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)")
        }
        return entries.sorted()
    }
}

/// The result of running the CLI.
struct CLIResult {
    var code: Int32
    var stdout: String
    var stderr: String

    /// The stderr lines.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Runs the CLI in-process with captured streams.
func runCLI(_ arguments: [String], pendingSignal: @escaping () -> Int32? = { nil }) -> CLIResult {
    let stdout = BufferOutput(), stderr = BufferOutput()
    let context = CommandContext(stdout: stdout, stderr: stderr, pendingSignal: pendingSignal, processorCount: 2)
    let code = CLI.run(arguments, context: context)
    return CLIResult(code: code, stdout: stdout.text, stderr: stderr.text)
}

/// The built `trainer` executable, beside the test bundle.
var trainerExecutable: String {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    // The test runner is `.build/<triple>/<config>/<Package>PackageTests.xctest`
    // (a file on Linux); the executable sits beside it.
    while !FileManager.default.isExecutableFile(atPath: url.deletingLastPathComponent().appendingPathComponent("trainer").path),
        url.pathComponents.count > 1
    {
        url = url.deletingLastPathComponent()
    }
    return url.deletingLastPathComponent().appendingPathComponent("trainer").path
}

/// Runs the built executable as a separate process (for pipes, signals and
/// exit statuses), in `directory`, with `input` on stdin.
func runBinary(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> CLIResult {
    try runProcess(trainerExecutable, arguments, in: directory, input: input)
}

/// Runs a shell command line (for pipelines such as `| head -3`), with the
/// executable's path in `$TRAINER`.
func runShell(_ command: String, in directory: String) throws -> CLIResult {
    var environment = ProcessInfo.processInfo.environment
    environment["TRAINER"] = trainerExecutable
    return try runProcess("/bin/bash", ["-c", command], in: directory, environment: environment)
}

/// Runs `executable` with `arguments` as a separate process and captures its
/// output (also used by TestPython.swift to run the Python checks).
func runProcess(
    _ executable: String, _ arguments: [String], in directory: String?, input: String? = nil,
    environment: [String: String]? = nil
) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a full pipe cannot block the child.
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    let errData = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(
        code: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// The rendered error `body` throws (`trainer: error: ...`), or nil.
func errorLine(_ body: () throws(TrainerError) -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.description
    }
}

/// No trap, stack trace or core dump: docs/faults.md's harness check
/// (``expectNoTrap(_:allowed:sourceLocation:)`` for a run that exited).
func expectNoCrash(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) {
    expectNoTrap(
        TrainerResult(code: result.code, signal: nil, stdout: result.stdout, stderr: result.stderr), sourceLocation: sourceLocation)
}

/// No trap, stack trace or core dump: no `Fatal error`, `Program crashed` or
/// `Backtrac` on stderr, and an exit status below 128 except 130, 141 (a
/// closed pipe, documented) and 143. A process ended by a signal passes only
/// for the signals a test sent (`allowed`).
func expectNoTrap(_ result: TrainerResult, allowed: Set<Int32> = [], sourceLocation: SourceLocation = #_sourceLocation) {
    for marker in ["Fatal error", "Program crashed", "Backtrac"] {
        #expect(!result.stderr.contains(marker), "stderr shows a crash: \(result.stderr)", sourceLocation: sourceLocation)
    }
    if let signal = result.signal {
        #expect(allowed.contains(signal), "ended by signal \(signal): \(result.stderr)", sourceLocation: sourceLocation)
    } else {
        #expect(result.code < 128 || [130, 141, 143].contains(result.code), "exit \(result.code)", sourceLocation: sourceLocation)
    }
}

/// Polls `condition` every millisecond until it holds or `timeout` passes.
@discardableResult
func waitUntil(timeout: Duration = .seconds(30), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        usleep(1000)
    }
    return true
}

/// The marker of the spot an error must name, in a config text.
let spotMarker = "⟨here⟩"

/// The text without the marker `⟨here⟩`, and the marker's `line:column`
/// (1-based, columns counting Unicode scalars), or nil when there is no marker.
func markedSpot(_ marked: String) -> (text: String, position: String?) {
    guard let range = marked.range(of: spotMarker) else { return (marked, nil) }
    let before = marked[..<range.lowerBound]
    let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
    return (String(before + marked[range.upperBound...]), "\(lines.count):\(lines.last!.unicodeScalars.count + 1)")
}

/// The bytes of an IDX file: `00 00 <type> <rank>`, one big-endian UInt32 per
/// dimension, then the payload.
func idxBytes(type: UInt8 = 0x08, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0x00, 0x00, type, UInt8(dimensions.count)]
    for size in dimensions {
        bytes += [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)]
    }
    return bytes + payload
}

/// Relative difference |a - b| / max(|a|, |b|, tiny).
func relativeError(_ a: Double, _ b: Double) -> Double {
    let scale = max(abs(a), abs(b), 1e-300)
    return abs(a - b) / scale
}

/// The repository's root folder.
var repositoryDirectory: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}

/// JSONTestSuite's `test_parsing` files, vendored in the repository (see
/// the README beside them).
var jsonTestSuiteDirectory: String {
    repositoryDirectory + "/Tests/TrainerKitTests/Fixtures/JSONTestSuite/test_parsing"
}

/// The four MNIST files, uncompressed IDX, as `make mnist` names them.
let mnistFileNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

/// The folder holding all four MNIST files, or nil: the repository's
/// `data/mnist/` (where `make mnist` puts them), else `../shared/data/mnist`
/// beside the repository when there is one. Neither is needed: tests that
/// read MNIST are skipped without it, with ``mnistSkipReason``.
var mnistDirectory: String? {
    let parent = URL(fileURLWithPath: repositoryDirectory).deletingLastPathComponent().path
    return [repositoryDirectory + "/data/mnist", parent + "/shared/data/mnist"].first { folder in
        mnistFileNames.allSatisfy { FileManager.default.fileExists(atPath: folder + "/" + $0) }
    }
}

/// Why a test that reads MNIST was skipped, shown by `swift test`.
let mnistSkipReason: Comment =
    "needs MNIST, which is not in data/mnist/ (nor ../shared/data/mnist); 'make mnist' (or 'make mnist MNIST_FROM=DIR') puts it there"

/// A trainer for an inline-data config, as `run` would build it (network
/// from the config's seed, the generator after it), without files.
func inMemoryTrainer<S: Scalar>(
    _ json: String, inputs: Int, outputs: Int, threads: Int = 1,
    minimumSplitOperations: Int = Kernels.defaultMinimumSplitOperations, allowFusedUpdate: Bool = true
) throws -> Trainer<S> {
    let config = try Config.decode(Array(json.utf8), file: "c.json", directory: "")
    let setup = config.training
    let shape = DataShape(inputSize: inputs, outputSize: outputs, configFile: "c.json")
    let data: Dataset<S> = try DataLoader.load(config.data.train, shape: shape)
    var generator = RandomGenerator(seed: setup.seed)
    let network: Network<S> = try config.resolveNetwork(initFrom: nil).build(using: &generator)
    return Trainer(
        network: network, progress: TrainingProgress(generator: generator), schedule: setup.schedule, train: data, test: nil,
        threads: threads, minimumSplitOperations: minimumSplitOperations, allowFusedUpdate: allowFusedUpdate)
}

/// Writes `bytes` to a pipe or FIFO whose reader may have gone: the write
/// then fails (EPIPE) instead of ending the whole test process by SIGPIPE.
/// SIGPIPE is blocked on this thread for the write only, and one it raised
/// is taken off before the mask is restored. (Ignoring SIGPIPE for the
/// process would pass SIG_IGN on to every child the tests start, and
/// `head` in a test's pipeline would print errors instead of ending.)
/// Returns the bytes written, or -1.
@discardableResult
func writeWithoutSIGPIPE(_ descriptor: Int32, _ bytes: [UInt8]) -> Int {
    var pipe = sigset_t(), previous = sigset_t()
    sigemptyset(&pipe)
    sigaddset(&pipe, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &pipe, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            if errno == EPIPE {
                var pending = sigset_t()
                sigpending(&pending)
                if sigismember(&pending, SIGPIPE) == 1 {
                    var zero = timespec()
                    _ = sigtimedwait(&pipe, nil, &zero)
                }
            }
            return -1
        }
        written += count
    }
    return written
}
