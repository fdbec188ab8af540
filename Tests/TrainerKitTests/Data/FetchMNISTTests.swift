import Foundation
import Testing

/// scripts/fetch-mnist.sh (`make mnist`), offline and fast: each test copies
/// the script into a temporary folder shaped like the repository
/// (`repo/scripts/`, `repo/data/`) and gives it tiny fake files instead of
/// MNIST. `MNIST_MD5_FILE` replaces the script's MD5 table with the sums of
/// the fake files, `MNIST_MIRRORS` its mirrors (file:// URLs, and a loopback
/// port where nothing listens), and `../shared` beside the copy is whatever
/// the test puts there (nothing, unless it says so).
@Suite struct FetchMNISTTests {
    /// The four names, with fake contents `fake NAME\n` and the sums of those
    /// contents, from `printf 'fake %s\n' NAME | md5sum`.
    static let fakeFiles: [(name: String, md5: String)] = [
        ("train-images-idx3-ubyte", "942693e691ee1d38b1fc09751bbef679"),
        ("train-labels-idx1-ubyte", "1385fe992dcf8797ab2f77f56339fefc"),
        ("t10k-images-idx3-ubyte", "3592b56daea69e92076283fd971b98ae"),
        ("t10k-labels-idx1-ubyte", "a81d0d0404beece223faac06a4c1608f"),
    ]

    static func contents(_ name: String) -> String { "fake \(name)\n" }

    /// A temporary repository-shaped folder holding a copy of the script.
    struct Fixture {
        let directory = TemporaryDirectory()
        var repository: String { directory.file("repo") }

        init() throws {
            let script = directory.write(
                "repo/scripts/fetch-mnist.sh", try String(contentsOfFile: repositoryDirectory + "/scripts/fetch-mnist.sh", encoding: .utf8))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            try FileManager.default.createDirectory(atPath: directory.file("repo/data"), withIntermediateDirectories: true)
            directory.write("md5.txt", Self.md5Lines)
        }

        static var md5Lines: String { FetchMNISTTests.fakeFiles.map { "\($0.md5)  \($0.name)\n" }.joined() }

        /// Writes the four fake files into `folder` (relative to the
        /// temporary folder), gzipped (`gzip -n`) when asked.
        func writeFakeFiles(in folder: String, gzipped: Bool = false) throws {
            for file in FetchMNISTTests.fakeFiles {
                directory.write("\(folder)/\(file.name)", FetchMNISTTests.contents(file.name))
            }
            if gzipped {
                let result = try runShell("gzip -n *", in: directory.file(folder))
                try #require(result.code == 0, "gzip: \(result.stderr)")
            }
        }

        /// Runs the script from the repository folder, with `MNIST_FROM`
        /// (relative to the temporary folder, or none) and the mirrors.
        func fetch(from: String? = nil, mirrors: [String]) throws -> CLIResult {
            let assignments = [
                "MNIST_FROM=" + (from.map { FetchMNISTTests.quoted(directory.file($0)) } ?? "''"),
                "MNIST_MD5_FILE=" + FetchMNISTTests.quoted(directory.file("md5.txt")),
                "MNIST_MIRRORS=" + FetchMNISTTests.quoted(mirrors.joined(separator: " ")),
            ]
            return try runShell(assignments.joined(separator: " ") + " ./scripts/fetch-mnist.sh", in: repository)
        }

        /// A mirror URL that fails at once: a file:// folder that does not exist.
        var missingMirror: String { "file://" + directory.file("no-such-mirror") }

        /// What is in the repository's `data/`, and in `data/mnist/` when it exists.
        func dataListing() throws -> [String] {
            let data = try FileManager.default.contentsOfDirectory(atPath: repository + "/data").sorted()
            let mnist = (try? FileManager.default.contentsOfDirectory(atPath: repository + "/data/mnist")) ?? []
            return data + mnist.sorted().map { "mnist/" + $0 }
        }

        /// Every fake file is in data/mnist/ with its exact contents, mode
        /// 644, and nothing else is in data/ (no temporary folder).
        func expectAllFetched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(
                try dataListing() == ["mnist"] + FetchMNISTTests.fakeFiles.map { "mnist/" + $0.name }.sorted(),
                sourceLocation: sourceLocation)
            for file in FetchMNISTTests.fakeFiles {
                let path = repository + "/data/mnist/" + file.name
                #expect(
                    (try? String(contentsOfFile: path, encoding: .utf8)) == FetchMNISTTests.contents(file.name), "\(file.name)",
                    sourceLocation: sourceLocation)
                let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
                #expect(mode == 0o644, "\(file.name): mode \(String(mode, radix: 8))", sourceLocation: sourceLocation)
            }
        }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test func rawFilesFromMNISTFromAreCopied() throws {
        let fixture = try Fixture()
        try fixture.writeFakeFiles(in: "from")
        let result = try fixture.fetch(from: "from", mirrors: [fixture.missingMirror])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        try fixture.expectAllFetched()
        // The source is untouched.
        #expect(fixture.directory.read("from/train-images-idx3-ubyte") == Self.contents("train-images-idx3-ubyte"))
        // A second run finds all four in place, with the right sums, and fetches nothing.
        let again = try fixture.fetch(mirrors: [fixture.missingMirror])
        #expect(again.code == 0 && again.stdout == "fetch-mnist: MNIST is in data/mnist/\n", "\(again.stdout)\(again.stderr)")
    }

    /// A run killed with SIGKILL leaves its temporary folder; the next run
    /// removes it, but not the folder of a run that is still going (here the
    /// test process's own PID stands for a live run; 999999999 is above
    /// Linux's largest PID, 2^22, so no process has it).
    @Test func foldersOfKilledRunsAreRemovedAndLiveOnesKept() throws {
        let fixture = try Fixture()
        let live = ".fetch-mnist.\(ProcessInfo.processInfo.processIdentifier).abc123"
        fixture.directory.write("repo/data/.fetch-mnist.999999999.Xy12zz/train-images-idx3-ubyte", "half a file")
        fixture.directory.write("repo/data/\(live)/t10k-images-idx3-ubyte", "a live run's file")
        try fixture.writeFakeFiles(in: "from")
        let result = try fixture.fetch(from: "from", mirrors: [fixture.missingMirror])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(try fixture.dataListing() == [live, "mnist"] + Self.fakeFiles.map { "mnist/" + $0.name }.sorted())
    }

    @Test func gzippedFilesFromMNISTFromAreUnzipped() throws {
        let fixture = try Fixture()
        try fixture.writeFakeFiles(in: "from", gzipped: true)
        #expect(fixture.directory.exists("from/t10k-labels-idx1-ubyte.gz") && !fixture.directory.exists("from/t10k-labels-idx1-ubyte"))
        let result = try fixture.fetch(from: "from", mirrors: [fixture.missingMirror])
        #expect(result.code == 0, "\(result.stderr)")
        try fixture.expectAllFetched()
    }

    @Test func sharedFolderBesideTheRepositoryIsUsed() throws {
        // ../shared/data/mnist relative to the copy's repository folder.
        let fixture = try Fixture()
        try fixture.writeFakeFiles(in: "shared/data/mnist")
        let result = try fixture.fetch(mirrors: [fixture.missingMirror])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("fetch-mnist: train-images-idx3-ubyte from ../shared/data/mnist\n"), "\(result.stdout)")
        try fixture.expectAllFetched()
    }

    @Test func secondMirrorServesWhenTheFirstFails() throws {
        // The mirrors serve NAME.gz; the first is missing, the second a
        // file:// folder of the gzipped fake files.
        let fixture = try Fixture()
        try fixture.writeFakeFiles(in: "mirror", gzipped: true)
        let result = try fixture.fetch(mirrors: [fixture.missingMirror, "file://" + fixture.directory.file("mirror")])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(
            result.stdout.contains("downloading file://\(fixture.directory.file("mirror"))/t10k-images-idx3-ubyte.gz"), "\(result.stdout)")
        try fixture.expectAllFetched()
    }

    @Test func wrongChecksumFailsWithOneLineAndLeavesNothing() throws {
        // The first file in MNIST_FROM is not what the table says: its
        // contents are "not the file\n", whose MD5 is
        // 2d97d4a38d7b6c92c13e242ed9316946 (`printf 'not the file\n' | md5sum`).
        // The folder the user named is not second-guessed: no fallback to
        // the mirror, which would have the right file.
        let fixture = try Fixture()
        try fixture.writeFakeFiles(in: "from")
        try fixture.writeFakeFiles(in: "mirror", gzipped: true)
        fixture.directory.write("from/train-images-idx3-ubyte", "not the file\n")
        let result = try fixture.fetch(from: "from", mirrors: ["file://" + fixture.directory.file("mirror")])
        #expect(result.code == 1)
        #expect(
            result.stderr
                == "fetch-mnist: \(fixture.directory.file("from"))/train-images-idx3-ubyte has MD5 2d97d4a38d7b6c92c13e242ed9316946, "
                + "expected 942693e691ee1d38b1fc09751bbef679: not the MNIST file; replace it, or run 'make mnist' without MNIST_FROM to download\n"
        )
        #expect(try fixture.dataListing() == [], "no data/mnist, no temporary folder, no partial file")
    }

    @Test func nothingAvailableFailsWithOneLineAndLeavesNothing() throws {
        // No MNIST_FROM, no ../shared beside the copy, and two mirrors that
        // cannot answer: a missing file:// folder (curl error 37) and
        // 127.0.0.1 port 9 (discard), where nothing listens (curl error 7).
        let fixture = try Fixture()
        let result = try fixture.fetch(mirrors: [fixture.missingMirror, "http://127.0.0.1:9/mnist"])
        #expect(result.code == 1)
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        let line = result.stderr
        #expect(
            line.hasPrefix(
                "fetch-mnist: cannot get train-images-idx3-ubyte: no MNIST_FROM folder, no ../shared/data/mnist, and both mirrors failed ("),
            "\(line)")
        #expect(line.contains("\(fixture.missingMirror): (37) ") && line.contains("http://127.0.0.1:9/mnist: (7) "), "\(line)")
        #expect(
            line.hasSuffix(
                "; download the four MNIST .gz files from \(fixture.missingMirror)/ into a folder DIR and run 'make mnist MNIST_FROM=DIR'\n"
            ),
            "\(line)")
        #expect(try fixture.dataListing() == [], "no data/mnist, no temporary folder, no partial file")
    }

    @Test func missingMNISTFromFolderIsAnError() throws {
        let fixture = try Fixture()
        let result = try fixture.fetch(from: "typo", mirrors: [fixture.missingMirror])
        #expect(result.code == 1)
        #expect(
            result.stderr == "fetch-mnist: MNIST_FROM=\(fixture.directory.file("typo")) is not a folder; "
                + "name the folder holding the four MNIST files (raw or .gz)\n")
        #expect(try fixture.dataListing() == [])
    }
}
