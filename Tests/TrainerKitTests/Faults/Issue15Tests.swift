import Foundation
import Testing
@testable import TrainerKit

// Issue 15: outputs that are not plain files, signals that arrive together,
// closed standard streams, saves that can only fail at the end, ownership,
// and two runs writing one file. Each test reproduces one reported failure
// and failed before its fix.

/// The type bits of `path` (following links), or nil when it is missing.
private func fileType(_ path: String) -> mode_t? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return status.st_mode & S_IFMT
}

/// What can be read now from a non-blocking descriptor (up to its end or
/// until it would block).
private func drain(_ descriptor: Int32) -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The user `nobody`, whom root's tests run trainer as.
private let nobody: uid_t = 65534

/// Whether `text` is a whole weights file, as `run` writes one.
private func isWeightsFile(_ text: String) -> Bool {
    text.hasPrefix("{\n  \"format\": \"trainer-weights\",") && text.hasSuffix("}\n")
}

@Suite("Issue 15: outputs, streams, signals and locks") struct Issue15Tests {
    // MARK: 1. Outputs that are not regular files

    /// Reproduces: as root, `--weights-out /dev/null` (or a FIFO, or a link
    /// to either, or `plot --svg /dev/null`) renamed the temporary file over
    /// the node, leaving a plain file where the device or FIFO was.
    ///
    /// The nodes of this machine's /dev are touched last, and only after
    /// the same writes into a FIFO and into private copies of /dev/null and
    /// /dev/full (mknod, as root) kept them what they were: a build without
    /// the fix fails there, before it can turn /dev/null into a file.
    @Test("1: a device, a FIFO or a link to one is written in place, never renamed over")
    func specialOutputsAreWrittenInPlace() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("l.csv")
        func run(_ weights: String) -> CLIResult {
            // 50 epochs: the SVG of their log, like the weights, fits in a pipe's buffer.
            runCLI(["run", "--example", "xor", "--quiet", "--epochs", "50", "--weights-out", weights, "--log", log])
        }

        // A FIFO with a reader (non-blocking, so the test reads what is there).
        let fifo = directory.file("pipe")
        try #require(mkfifo(fifo, 0o644) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try FileManager.default.createSymbolicLink(atPath: directory.file("link"), withDestinationPath: "pipe")
        for weights in [fifo, directory.file("link")] {
            let result = run(weights)
            #expect(result.code == 0, "\(result.stderr)")
            try #require(fileType(fifo) == S_IFIFO, "\(weights): the FIFO was replaced")
            #expect(isWeightsFile(drain(reader)), "\(weights): the reader did not get the weights")
        }
        let svg = runCLI(["plot", log, "--svg", fifo])
        #expect(svg.code == 0, "\(svg.stderr)")
        try #require(fileType(fifo) == S_IFIFO, "plot --svg replaced the FIFO")
        let drawn = drain(reader)
        #expect(drawn.contains("<svg") && drawn.hasSuffix("</svg>\n"), "the reader did not get the SVG")

        guard isRoot else {
            skipLoudly("1: devices (mknod, and writing /dev/null as root) need root")
            return
        }
        // Private device nodes with the device numbers of /dev/null and /dev/full.
        let null = directory.file("null"), full = directory.file("full")
        for (node, device) in [(null, "/dev/null"), (full, "/dev/full")] {
            var status = stat()
            try #require(stat(device, &status) == 0 && mknod(node, S_IFCHR | 0o666, status.st_rdev) == 0, "mknod \(node)")
        }
        try FileManager.default.createSymbolicLink(atPath: directory.file("link-null"), withDestinationPath: "null")
        for weights in [null, directory.file("link-null")] {
            let result = run(weights)
            #expect(result.code == 0, "\(result.stderr)")
            try #require(fileType(null) == S_IFCHR, "\(weights): the device was replaced")
        }
        let privateFull = run(full)
        try #require(fileType(full) == S_IFCHR, "the device was replaced")
        #expect(privateFull.code == 1 && privateFull.stderr == "trainer: error: \(full): No space left on device\n", "\(privateFull.stderr)")

        // The real ones, through the binary as a user would run it.
        let devNull = try runTrainer(["run", "--example", "xor", "--quiet", "--weights-out", "/dev/null", "--log", "l.csv"], in: directory, runner: .binary)
        #expect(devNull.code == 0, "\(devNull.stderr)")
        #expect(fileType("/dev/null") == S_IFCHR)
        let plot = try runTrainer(["plot", "l.csv", "--svg", "/dev/null"], in: directory, runner: .binary)
        #expect(plot.code == 0, "\(plot.stderr)")
        #expect(fileType("/dev/null") == S_IFCHR)
        let devFull = try runTrainer(["run", "--example", "xor", "--quiet", "--weights-out", "/dev/full", "--log", "l.csv"], in: directory, runner: .binary)
        #expect(devFull.code == 1 && devFull.stderr == "trainer: error: /dev/full: No space left on device\n", "\(devFull.stderr)")
        #expect(fileType("/dev/full") == S_IFCHR)
        expectNoTrap(devFull)
    }

    // MARK: 7. Owner and group of a replaced file

    /// Reproduces: root replacing another user's weights file kept its mode
    /// but made root its owner (the temporary file was root's).
    @Test("7: root replacing another user's weights file keeps its owner, group and mode; a user who cannot is not refused")
    func replacedFileKeepsItsOwner() throws {
        guard canRunAsNobody else {
            skipLoudly("7: needs root (chown) and setpriv to run as nobody")
            return
        }
        let directory = TemporaryDirectory()
        directory.openToEveryone()
        let config = directory.write("c.json", FaultConfig.text())
        let weights = directory.write("w.json", FaultConfig.previousWeights)
        try #require(chown(weights, nobody, nobody) == 0 && chmod(weights, 0o640) == 0)
        let result = runCLI(["run", config, "--quiet", "--weights-out", weights, "--log", directory.file("l.csv")])
        #expect(result.code == 0, "\(result.stderr)")
        var status = stat()
        try #require(stat(weights, &status) == 0)
        #expect(status.st_uid == nobody && status.st_gid == nobody, "owner \(status.st_uid):\(status.st_gid)")
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(isWeightsFile(directory.read("w.json") ?? ""))

        // nobody replacing root's file (writable by all) in nobody's folder:
        // fchown fails with EPERM, which is no error; the file becomes nobody's.
        let folder = directory.file("theirs")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try #require(chown(folder, nobody, nobody) == 0)
        let rootFile = directory.write("theirs/w.json", FaultConfig.previousWeights)
        try #require(chmod(rootFile, 0o666) == 0)
        let asNobody = try runTrainer(["run", "c.json", "--quiet", "--weights-out", "theirs/w.json", "--log", "theirs/l.csv"], in: directory, runner: .nobody)
        #expect(asNobody.code == 0, "\(asNobody.stderr)")
        try #require(stat(rootFile, &status) == 0)
        #expect(status.st_uid == nobody && status.st_mode & 0o7777 == 0o666)
        #expect(isWeightsFile(directory.read("theirs/w.json") ?? ""))
    }
}
