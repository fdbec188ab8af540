import Foundation
import Testing
@testable import TrainerKit

// Issue 15, item 11: memory. `--max-memory`'s estimate was off 3× both ways
// (CSV 183 MiB estimated, 563 MiB used; MNIST 215 MiB estimated, 110 MB
// used) and blamed network.layers for data; `predict` read its whole input
// and refused streams over 256 MiB. Each test reproduces one of these and
// failed before its fix. Peaks are the child's own accounting (wait4's
// ru_maxrss), measured on the binary the tests run.

/// What a measured run did.
struct MeasuredRun {
    var status: Int32
    /// The largest resident set among the processes of the command, in bytes.
    var peak: Int
    var stdout: String
    var stderr: String
}

/// GNU time, which measures a command's peak memory: wait4's ru_maxrss of
/// the child it forks. (The test cannot take that figure itself: a process
/// started from the test process counts the test process's own resident
/// set, tens of MB, as the floor of its peak, since exec keeps the peak of
/// the memory it replaces.)
let gnuTime = "/usr/bin/time"

/// Runs `command` with /bin/sh in `directory` (`$TRAINER` the binary under
/// test, stdin empty) under GNU time, and returns its peak memory.
func runMeasured(_ command: String, in directory: TemporaryDirectory) throws -> MeasuredRun {
    directory.write(".measured.sh", command + "\n")
    let result = try runTrainerShell("\(gnuTime) -f %M -o .peak /bin/sh .measured.sh", in: directory)
    let kibibytes = (directory.read(".peak") ?? "").split(separator: "\n").last.flatMap { Int($0) }
    try #require(kibibytes != nil, "no peak from \(gnuTime): \(directory.read(".peak") ?? "")")
    return MeasuredRun(status: result.code, peak: kibibytes! * 1024, stdout: result.stdout, stderr: result.stderr)
}

/// Why peaks cannot be measured here, or nil: without GNU time, or under a
/// sanitizer (`make test` runs the suite under ASan and TSan), whose
/// runtime adds shadow memory and keeps freed blocks.
var peakSkipReason: String? {
    let environment = ProcessInfo.processInfo.environment
    if trainerExecutable.contains("/sanitize-") || environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil {
        return "peak memory under a sanitizer is the sanitizer's"
    }
    if !FileManager.default.isExecutableFile(atPath: gnuTime) {
        return "no GNU time at \(gnuTime) to measure peak memory (Debian package time)"
    }
    return nil
}

/// `rows` CSV rows of `width` one-digit cells (2 bytes a cell: the most
/// numbers for the fewest bytes to parse), seeded.
func digitRows(_ rows: Int, width: Int, seed: UInt64 = 1) -> String {
    var generator = RandomGenerator(seed: seed)
    var text = ""
    text.reserveCapacity(rows * width * 2)
    for _ in 0..<rows {
        for column in 0..<width {
            text += String(generator.next() % 10)
            text += column == width - 1 ? "\n" : ","
        }
    }
    return text
}

@Suite("Issue 15, item 11: memory") struct Issue15MemoryTests {
    /// A float64 network with `inputs` inputs and 2 outputs, saved as `w.json`.
    static func weights(inputs: Int, in directory: TemporaryDirectory) throws -> String {
        let config = directory.write(
            "net.json",
            """
            {"network": {"layers": [\(inputs), 4, 2]},
             "training": {"learning_rate": 0.1, "epochs": 1, "seed": 3},
             "data": {"train": {"inputs": [[\(Array(repeating: "0", count: inputs).joined(separator: ","))]], "targets": [[0, 1]]}}}
            """)
        let path = directory.file("w.json")
        let result = runCLI(["run", config, "--quiet", "--weights-out", path, "--log", directory.file("net.csv")])
        try #require(result.code == 0, "\(result.stderr)")
        return path
    }

    // MARK: --max-memory's estimate

    /// A float64 99-8-10 network on `file`, whose last column is the class.
    static func config(_ file: String, in directory: TemporaryDirectory) {
        directory.write(
            "c.json",
            """
            {"network": {"layers": [99, 8, 10]},
             "training": {"learning_rate": 0.1, "epochs": 1, "batch_size": 10, "seed": 1},
             "data": {"train": {"csv": "\(file)", "label": 99}}}
            """)
    }

    /// `rows` rows of 100 one-digit cells (200 bytes each), made of one
    /// seeded block of 1,000 rows repeated (fast to make in a debug build).
    static func digitCSV(rows: Int) -> String {
        let block = digitRows(1_000, width: 100)
        return String(repeating: block, count: rows / 1_000)
    }

    /// The estimate `trainer check` prints, in bytes.
    static func estimate(in directory: TemporaryDirectory) throws -> Int {
        let check = try runTrainer(["check", "c.json"], in: directory, runner: .binary)
        let line = try #require(check.stdout.split(separator: "\n").first { $0.hasPrefix("memory: ≈ ") }, "\(check.stdout)\(check.stderr)")
        let words = line.dropFirst("memory: ≈ ".count).split(separator: " ")
        let value = try #require(Double(words[0]))
        let units: [String: Double] = ["B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824]
        let unit = units[String(words[1])] ?? 0
        return Int(value * unit)
    }

    /// Reproduces: a CSV's estimate was a third of the measured peak (183
    /// MiB estimated, 563 MiB used): it counted the numbers only, in the
    /// training precision, and not the file's text held while they are
    /// parsed, nor the arrays' growth. Now it must be within ±25 % of the
    /// peak of `run` (wait4's figure, via GNU time). The CSV is 10,000
    /// rows (2 MB) for a debug build, whose parser reads about 0.5 MB/s,
    /// and 100,000 (20 MB) for a release build; in a debug build the
    /// runtime is about 2 MiB more than the 11 MiB the model counts, which
    /// leaves room (measured: debug, 22.0 MiB estimated, 23.3 used; the
    /// release build before the fix, 9.0 estimated, 20.9 used).
    @Test("11: the estimate of a CSV run is within ±25 % of its measured peak")
    func estimateMatchesThePeak() throws {
        if let reason = peakSkipReason {
            skipLoudly("11, the estimate against the peak: \(reason)")
            return
        }
        let directory = TemporaryDirectory()
        let release = trainerExecutable.contains("/release/")
        directory.write("big.csv", Self.digitCSV(rows: release ? 100_000 : 10_000))
        Self.config("big.csv", in: directory)
        let estimate = try Self.estimate(in: directory)
        let run = try runMeasured(#""$TRAINER" run c.json --quiet --weights-out w.json --log l.csv"#, in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let ratio = Double(estimate) / Double(run.peak)
        #expect(abs(ratio - 1) <= 0.25, "estimated \(estimate) bytes, peak \(run.peak)")
    }

    /// Reproduces: over the limit, the error blamed network.layers for a
    /// run whose memory was data ("network.layers: 890 parameters need ≈
    /// 51 MiB"). Now it names data.train, and the parts largest first.
    /// Expected numbers (docs/memory.md's model): 60,000 rows of 99 one-digit
    /// inputs, held as bytes, and a class of 10 hold 60,000 × (99 + 10 × 8 +
    /// 8 + 8) = 11,700,000 bytes, and while read a block of text (1 MiB) ×
    /// (5 + 1 / 2) and 16 bytes a label: 18,427,168 bytes (18 MiB); with the
    /// runtime's 11 MiB and the 890 weights' 7,120 bytes, 29,968,624 (29 MiB).
    @Test("11: over --max-memory, the error blames data.train, its largest part, and lists the parts")
    func errorBlamesTheData() throws {
        let directory = TemporaryDirectory()
        directory.write("big.csv", Self.digitCSV(rows: 60_000))
        Self.config("big.csv", in: directory)
        try expectBadInput(
            ["check", "c.json", "--max-memory", "20M"], in: directory, runner: .binary,
            "trainer: error: c.json: data.train: the run needs ≈ 29 MiB at its peak, while data.train is read: "
                + "data.train 18 MiB (60,000 samples of 99 byte inputs; 11 MiB of CSV text read in blocks), runtime 11 MiB, "
                + "network 7.0 KiB (890 float64 parameters); limit is 20 MiB (set --max-memory)\n")
    }

    /// Reproduces: the data was read and parsed before the estimate that
    /// counts it was checked, so the limit did not keep the run from using
    /// the memory (the 12 MB CSV above took the refused check 78 MiB over
    /// one without data). Now the file is sized
    /// without reading it in: the refused check takes no more memory than
    /// one without data (`check --example xor`; allowed: 2 MiB more).
    @Test("11: a run over --max-memory is refused before its data is read")
    func refusedBeforeReading() throws {
        if let reason = peakSkipReason {
            skipLoudly("11, the refused run's peak: \(reason)")
            return
        }
        let directory = TemporaryDirectory()
        directory.write("big.csv", Self.digitCSV(rows: 60_000))
        Self.config("big.csv", in: directory)
        let refused = try runMeasured(#""$TRAINER" check c.json --max-memory 20M"#, in: directory)
        #expect(refused.status == 2 && refused.stderr.contains("data.train: the run needs"), "\(refused.stderr)")
        let base = try runMeasured(#""$TRAINER" check --example xor"#, in: directory)
        #expect(base.status == 0)
        #expect(refused.peak - base.peak < 2 << 20, "peak \(refused.peak) bytes refused, \(base.peak) without data")
    }

    // MARK: predict streams its input

    /// Reproduces: predict read its whole input before the first output, so
    /// its memory grew with the input: the text and then every number
    /// (float64: 8 bytes for each 2-byte cell here) were held at once, and
    /// a stream over 256 MiB was refused. 2 MB of rows through a pipe took
    /// 10 MB or more above a 10-row input; streamed, the two peaks are the
    /// same but for noise (measured, release build: 11.3 MB for 10 MB and
    /// for 300 MB of 99-input rows; allowed here: 3 MiB).
    @Test("11: predict's memory does not grow with its input (2 MB through a pipe, against 10 rows)")
    func predictStreamsInConstantMemory() throws {
        if let reason = peakSkipReason {
            skipLoudly("11, predict's peak: \(reason)")
            return
        }
        let directory = TemporaryDirectory()
        _ = try Self.weights(inputs: 10, in: directory)
        directory.write("small.csv", digitRows(10, width: 10))
        directory.write("large.csv", digitRows(100_000, width: 10))
        let small = try runMeasured(#"cat small.csv | "$TRAINER" predict w.json - | wc -l"#, in: directory)
        let large = try runMeasured(#"cat large.csv | "$TRAINER" predict w.json - | wc -l"#, in: directory)
        #expect(small.status == 0 && small.stdout.trimmingCharacters(in: .whitespaces) == "10\n", "\(small.stderr)")
        #expect(large.status == 0 && large.stdout.trimmingCharacters(in: .whitespaces) == "100000\n", "\(large.stderr)")
        let growth = large.peak - small.peak
        #expect(growth < 3 << 20, "peak \(large.peak) bytes for 2 MB of rows, \(small.peak) for 10 rows")
    }

    /// Reproduces (the other half of streaming): nothing was written before
    /// the whole input was read. Now the outputs of each batch of 256 rows
    /// are written as it is done; a bad row on line 1001 (after a header
    /// and 999 good rows) is named, exit 2, after the 3 whole batches before
    /// it (768 rows), as docs/commands.md says.
    @Test("11: a bad row on a late line is named; the batches before it were written")
    func predictErrorOnALateLine() throws {
        let directory = TemporaryDirectory()
        _ = try Self.weights(inputs: 4, in: directory)
        let rows = digitRows(999, width: 4)
        directory.write("in.csv", "a,b,c,d\n" + rows + "1,2,3,x\n" + digitRows(10, width: 4, seed: 2))
        let result = try runTrainerShell(#"cat in.csv | "$TRAINER" predict w.json -"#, in: directory)
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: stdin:1001: column 3: expected a number, found \"x\"\n")
        let written = result.stdout.split(separator: "\n")
        #expect(written.count == 768)
        // They are the rows' outputs, in order: the same as predicting them alone.
        directory.write("good.csv", String(rows.split(separator: "\n").prefix(768).joined(separator: "\n")) + "\n")
        let alone = try runTrainer(["predict", "w.json", "good.csv"], in: directory, runner: .binary)
        #expect(alone.code == 0 && alone.stdout == result.stdout)
    }
}
