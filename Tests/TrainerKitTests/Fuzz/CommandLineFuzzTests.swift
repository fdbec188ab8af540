import Foundation
import Testing
@testable import TrainerKit

/// The command-line fuzzer (issue 15, item 9): the built `trainer` run as a
/// subprocess on seeded random command lines and config values (huge,
/// negative and zero integers, 1e308, -0, NaN-ish strings, wrong types,
/// long strings, odd paths), each in a folder of its own. The property:
/// the exit status is one of 0, 1, 2, 130, 141 and 143 (a run still
/// training after a few seconds is sent SIGTERM, so 143 or death by that
/// signal), nothing on stderr looks like a trap, and a bad input (exit 2)
/// is exactly one line `trainer: error: ...`. A failure prints the case's
/// command line, config and folder contents so that it can be run again.
///
/// `swift test` runs 300 cases of seed 15 (about 5 s alone on 2 cores;
/// beside the rest of the suite, 400 cases took 24 s);
/// `make fuzz-cli` runs more with a seed from the time, or
/// `TRAINER_FUZZ_SEED` and `TRAINER_FUZZ_CASES` (see docs/testing.md).
@Suite struct CommandLineFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["TRAINER_FUZZ_SEED"].flatMap { UInt64($0) } ?? 15
    static let cases = environment["TRAINER_FUZZ_CASES"].flatMap { Int($0) } ?? 300
    /// Seconds a case may run before it is sent SIGTERM.
    static let patience = environment["TRAINER_FUZZ_TIMEOUT"].flatMap { Double($0) } ?? 3
    /// Cases run at once (most of a case's time is process start-up).
    static let lanes = 3
    /// `TRAINER_FUZZ_VERBOSE=1`: a line per case, its exit status and command.
    static let verbose = environment["TRAINER_FUZZ_VERBOSE"] != nil
    /// `TRAINER_FUZZ_BINARY`: another trainer to fuzz (an older build, say).
    static let binary = environment["TRAINER_FUZZ_BINARY"] ?? trainerExecutable

    @Test("random command lines and config values never trap")
    func randomCommandLines() throws {
        print("CommandLineFuzzTests: seed \(Self.seed), \(Self.cases) cases (TRAINER_FUZZ_SEED, TRAINER_FUZZ_CASES)")
        let root = TemporaryDirectory()
        let fixtures = try FuzzFixtures(in: root)
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: Self.lanes) { lane in
            for index in stride(from: lane, to: Self.cases, by: Self.lanes) {
                if failures.count >= 10 { return }
                var random = FuzzRandom(seed: Self.seed, stream: UInt64(index))
                let fuzzCase = FuzzCase.make(index: index, using: &random)
                do {
                    if let failure = try fuzzCase.run(fixtures: fixtures, root: root, patience: Self.patience) {
                        failures.append(failure)
                    }
                } catch {
                    failures.append("case \(index): could not run: \(error)")
                }
            }
        }
        for failure in failures.items {
            Issue.record(Comment(rawValue: failure))
        }
    }
}

/// The failures found by the lanes, in a lock.
private final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func append(_ failure: String) { lock.withLock { list.append(failure) } }
    var count: Int { lock.withLock { list.count } }
    var items: [String] { lock.withLock { list } }
}

// MARK: - Randomness

/// SplitMix64: the fuzzer's own seeded generator.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// Stream `stream` of `seed`: the states of consecutive streams are
    /// scrambled apart, not neighbours in one sequence.
    init(seed: UInt64, stream: UInt64) {
        var mixer = FuzzRandom(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next() ^ mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

// MARK: - Inputs

/// Files every case's folder starts with: valid inputs of each kind, which
/// the command lines and configs name (or do not).
struct FuzzFixtures: Sendable {
    /// Name → bytes.
    var files: [String: [UInt8]] = [:]

    init(in root: TemporaryDirectory) throws {
        files["in.csv"] = Array("x1,x2\n0,0\n0,1\n1,0\n1e308,-1e308\n".utf8)
        files["data.csv"] = Array("x1,x2,kind\n0,0,a\n0,1,b\n1,0,b\n1,1,a\n0.5,0.5,a\n0.2,0.9,b\n0.9,0.1,b\n0.8,0.8,a\n".utf8)
        files["images"] = idxBytes(dimensions: [6, 2, 2], payload: (0..<24).map { UInt8($0 * 10) })
        files["labels"] = idxBytes(dimensions: [6], payload: [0, 1, 1, 0, 1, 0])
        files["log.csv"] = Array("epoch,loss,accuracy,seconds\n1,0.5,0.5,0.01\n2,0.25,0.75,0.02\n3,0.125,1.0,0.03\n".utf8)
        // Weights files as run writes them: XOR, and a two-class softmax
        // with classes, normalize and Adam's state.
        let xor = runCLI([
            "run", "--example", "xor", "--quiet", "--epochs", "3", "--weights-out", root.file("w.json"), "--log", root.file("w.csv"),
        ])
        try #require(xor.code == 0, "\(xor.stderr)")
        let classes = root.write("cls.json", FuzzConfig.classes.text)
        root.write("data.csv", bytes: files["data.csv"]!)
        let trained = runCLI([
            "run", classes, "--quiet", "--epochs", "3", "--weights-out", root.file("c.weights.json"), "--log", root.file("c.csv"),
        ])
        try #require(trained.code == 0, "\(trained.stderr)")
        files["w.json"] = Array(try #require(root.read("w.json")).utf8)
        files["cls.weights.json"] = Array(try #require(root.read("c.weights.json")).utf8)
    }
}

/// A config as a tree of raw JSON texts, so that any value can be put
/// anywhere, including numbers no JSON library would write.
indirect enum FuzzJSON {
    case raw(String)
    case object([(String, FuzzJSON)])
    case array([FuzzJSON])

    var text: String {
        switch self {
        case .raw(let text): return text
        case .object(let members): return "{" + members.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        }
    }

    /// Every path to a leaf value: `training.epochs`, `network.layers`.
    var paths: [[String]] {
        switch self {
        case .raw: return [[]]
        case .object(let members): return members.flatMap { key, value in value.paths.map { [key] + $0 } }
        case .array(let items): return items.enumerated().flatMap { index, value in value.paths.map { [String(index)] + $0 } }
        }
    }

    /// The tree with `path` set to `value` (objects gain missing keys),
    /// or removed when `value` is nil.
    func setting(_ path: ArraySlice<String>, to value: FuzzJSON?) -> FuzzJSON? {
        guard let key = path.first else { return value }
        switch self {
        case .object(var members):
            if let index = members.firstIndex(where: { $0.0 == key }) {
                if let child = members[index].1.setting(path.dropFirst(), to: value) {
                    members[index].1 = child
                } else {
                    members.remove(at: index)
                }
            } else if let child = FuzzJSON.object([]).setting(path.dropFirst(), to: value) {
                members.append((key, child))
            }
            return .object(members)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else { return self }
            if let child = items[index].setting(path.dropFirst(), to: value) { items[index] = child } else { items.remove(at: index) }
            return .array(items)
        case .raw:
            return FuzzJSON.object([]).setting(path, to: value)
        }
    }
}

/// The configs the cases start from, each small and quick to train.
enum FuzzConfig {
    static func o(_ members: (String, FuzzJSON)...) -> FuzzJSON { .object(members) }
    static func r(_ text: String) -> FuzzJSON { .raw(text) }

    static let xor = o(
        ("network", o(("layers", r("[2, 3, 1]")), ("activation", r("\"sigmoid\"")))),
        ("training", o(("learning_rate", r("2.0")), ("epochs", r("20")), ("batch_size", r("1")), ("seed", r("1")))),
        ("data", o(("train", o(("inputs", r("[[0, 0], [0, 1], [1, 0], [1, 1]]")), ("targets", r("[[0], [1], [1], [0]]")))))),
        ("output", o(("weights", r("\"out/w.json\"")), ("loss_log", r("\"out/l.csv\"")))))

    static let classes = o(
        ("network", o(("layers", r("[2, 4, 2]")), ("activations", r("[\"relu\", \"softmax\"]")), ("init", r("\"he\"")))),
        (
            "training",
            o(
                ("loss", r("\"cross_entropy\"")), ("learning_rate", r("0.05")), ("epochs", r("5")), ("batch_size", r("2")),
                ("seed", r("3")),
                ("optimizer", o(("name", r("\"adam\"")), ("beta1", r("0.9")))), ("validation_split", r("0.25")),
                ("early_stopping", o(("monitor", r("\"val_loss\"")), ("patience", r("2")))), ("checkpoint_every", r("2")))
        ),
        (
            "data",
            o(
                ("train", o(("csv", r("\"data.csv\"")), ("inputs", r("[\"x1\", \"x2\"]")), ("label", r("\"kind\"")))),
                ("normalize", r("\"standard\"")))
        ))

    static let images = o(
        ("network", o(("layers", r("[4, 3, 2]")), ("activations", r("[\"tanh\", \"softmax\"]")))),
        (
            "training",
            o(
                ("loss", r("\"cross_entropy\"")), ("learning_rate", r("0.5")), ("epochs", r("4")), ("batch_size", r("2")),
                ("precision", r("\"float32\"")),
                ("lr_schedule", o(("name", r("\"step\"")), ("every", r("2")), ("factor", r("0.5")))))
        ),
        (
            "data",
            o(
                ("train", o(("idx_images", r("\"images\"")), ("idx_labels", r("\"labels\"")), ("limit", r("5")))),
                ("normalize", r("\"minmax\"")))
        ))

    static let linear = o(
        ("network", o(("layers", r("[2, 2]")), ("activation", r("\"linear\"")))),
        (
            "training",
            o(
                ("loss", r("\"mse\"")), ("learning_rate", r("0.05")), ("epochs", r("10")), ("batch_size", r("4")), ("l2", r("0.001")),
                ("optimizer", o(("name", r("\"momentum\"")), ("momentum", r("0.5")))),
                ("lr_schedule", o(("name", r("\"cosine\"")), ("epochs", r("5")))))
        ),
        (
            "data",
            o(
                (
                    "train",
                    o(
                        ("inputs", r("[[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]]")),
                        ("targets", r("[[0.5, -1], [2.5, -2], [-0.5, 2], [1.5, 1], [3.5, 0]]")))
                ),
                ("test", o(("inputs", r("[[1, 2]]")), ("targets", r("[[0.5, 4]]")))))
        ))

    static let all = [xor, classes, images, linear]

    /// Keys a mutation may add, beside those the config has.
    static let extraPaths: [[String]] = [
        ["training", "epochs"], ["training", "batch_size"], ["training", "seed"], ["training", "checkpoint_every"],
        ["training", "early_stopping", "patience"], ["training", "early_stopping", "min_delta"], ["training", "lr_schedule", "every"],
        ["training", "validation_split"], ["training", "l2"], ["training", "precision"], ["training", "shuffle"], ["data", "normalize"],
        ["data", "train", "limit"], ["data", "train", "labels"], ["data", "test"], ["data", "validation"], ["network", "from"],
        ["network", "weights"], ["network", "biases"], ["network", "layers", "0"], ["output", "weights"], ["output", "loss_log"],
    ]
}

/// Values worth trying: at and past the limits of integers and doubles,
/// the wrong types, strings that look like numbers, long and odd text.
enum FuzzValues {
    static let integers = [
        "0", "-1", "1", "2", "3", "7", "255", "256", "65536", "4294967296", "1000000000", "9223372036854775806", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999",
    ]
    static let numbers = [
        "1e308", "-1e308", "1e309", "-0", "-0.0", "0.0", "0.5", "1.5", "2.5e-324", "1e-320", "3.4028235e38", "3.5e38", "1e-7", "100",
    ]
    static let words = [
        "\"NaN\"", "\"nan\"", "\"inf\"", "\"-inf\"", "\"Infinity\"", "\"1e308\"", "\"-0\"", "\"0x10\"", "\"+5\"", "\"\"", "\" 5\"",
        "\"5 \"",
        "\"sigmoid\"", "\"softmax\"", "\"adam\"", "\"standard\"", "\"float32\"", "\"é\\u0000ü\"",
    ]
    static let structures = [
        "true", "false", "null", "[]", "{}", "[1e308, 1e308]", "[[1e308, 0], [0, 1e308]]", "[-1]", "[0]", "{\"name\": 5}",
    ]

    static func json(using random: inout FuzzRandom) -> String {
        switch random.below(10) {
        case 0...3: return random.pick(integers)
        case 4...5: return random.pick(numbers)
        case 6...7: return random.pick(words)
        case 8: return random.pick(structures)
        default: return "\"" + String(repeating: random.pick(["x", "é", "9", "/"]), count: random.pick([300, 5000])) + "\""
        }
    }

    /// Paths a command line or a config may name: inputs of every kind,
    /// folders, missing files, odd names. Outputs stay in the case's folder
    /// or go to /dev/null or /dev/full.
    static let paths = [
        "c.json", "w.json", "cls.weights.json", "in.csv", "data.csv", "images", "labels", "log.csv", "sub", "sub/", ".", "",
        "-", "missing.json", "missing/dir/x.json", "c.json/x", "a b.json", "x\ny.json", "ĉ€.json", String(repeating: "n", count: 300),
        "/dev/null", "/dev/full",
    ]
    /// Paths only read: these too.
    static let inputPaths = paths + ["/", "/proc/self/status", "/dev/stdin"]
}

// MARK: - Cases

/// One command line, and the config it runs on.
struct FuzzCase {
    var index: Int
    var arguments: [String]
    var config: String
    /// What stdin holds: nothing, the config, or CSV rows.
    var stdin: String
    /// log.csv, for plot, when the case changes it.
    var log: String?
    /// Changes to the weights files' metadata: key and new value text.
    var weightsEdits: [(key: String, value: String)] = []

    static let commands: [(name: String, weight: Int)] = [
        ("run", 24), ("check", 16), ("explain", 8), ("gradcheck", 8), ("predict", 14), ("eval", 10), ("export", 8), ("plot", 8),
        ("example", 2), ("completion", 2), ("help", 2), ("", 1),
    ]

    static func make(index: Int, using random: inout FuzzRandom) -> FuzzCase {
        // The config: one of the bases with up to 3 values changed, or
        // (rarely) text that is not such a config at all.
        var tree = random.pick(FuzzConfig.all)
        for _ in 0..<random.pick([0, 1, 1, 1, 2, 2, 3]) {
            let paths = tree.paths + FuzzConfig.extraPaths
            let path = random.pick(paths)
            let value: FuzzJSON? = random.chance(10) ? nil : .raw(FuzzValues.json(using: &random))
            tree = tree.setting(path[...], to: value) ?? tree
        }
        var config = tree.text
        if random.chance(5) { config = String(config.prefix(random.below(config.count + 1))) }
        if random.chance(3) { config = random.pick(["", "[]", "{\"network\": 1}", "\u{FEFF}{}", String(repeating: "[", count: 100)]) }

        // The command.
        var total = 0
        let roll = random.below(commands.reduce(0) { $0 + $1.weight })
        var name = "run"
        for command in commands {
            total += command.weight
            if roll < total {
                name = command.name
                break
            }
        }
        var arguments = name.isEmpty ? [random.pick(["frobnicate", "--version", "-h", "--help", "", "RUN"])] : [name]
        let spec = Commands.all.first { $0.name == name }

        // Positionals: mostly the ones that make sense, sometimes others.
        switch name {
        case "run", "check", "explain", "gradcheck":
            if random.chance(95) { arguments.append(random.chance(85) ? "c.json" : random.pick(FuzzValues.inputPaths)) }
        case "predict":
            arguments.append(random.chance(80) ? random.pick(["w.json", "cls.weights.json"]) : random.pick(FuzzValues.inputPaths))
            if random.chance(70) { arguments.append(random.chance(70) ? "in.csv" : random.pick(FuzzValues.inputPaths)) }
        case "eval":
            arguments.append(random.chance(80) ? random.pick(["w.json", "cls.weights.json"]) : random.pick(FuzzValues.inputPaths))
            arguments.append(random.chance(80) ? "c.json" : random.pick(FuzzValues.inputPaths))
        case "export":
            arguments.append(random.chance(80) ? random.pick(["w.json", "cls.weights.json"]) : random.pick(FuzzValues.inputPaths))
            if random.chance(80) { arguments += ["--format", random.pick(["onnx", "c"])] }
        case "plot":
            arguments.append(random.chance(80) ? "log.csv" : random.pick(FuzzValues.inputPaths))
        case "example":
            if random.chance(70) { arguments.append(random.pick(["xor", "XOR", "", "nope"])) }
        case "completion":
            arguments.append(random.pick(["bash", "zsh", "fish", ""]))
        case "help":
            if random.chance(70) { arguments.append(random.pick(Commands.all.map(\.name) + ["nope"])) }
        default:
            break
        }
        if random.chance(5) { arguments.append(random.pick(FuzzValues.inputPaths)) }  // one too many

        // Options: up to 4 of the command's, with odd values.
        let options = spec?.options ?? []
        for _ in 0..<random.pick([0, 1, 1, 2, 2, 3, 4]) where !options.isEmpty {
            let option = random.pick(options)
            // --example with c.json is one error over and over: mostly not.
            if option.name == "--example", arguments.contains("c.json"), random.chance(80) { continue }
            // So are predict's --index without --argmax, and --proba with it.
            if ["--index", "--proba"].contains(option.name), random.chance(60) { continue }
            let flag = option.short.flatMap { random.chance(30) ? $0 : nil } ?? option.name
            guard let placeholder = option.value else {
                arguments.append(flag)
                continue
            }
            let value = optionValue(placeholder, using: &random)
            if random.chance(5) {
                arguments.append(flag)  // the value missing (at the end) or another flag taken as it
            } else if random.chance(20), flag.hasPrefix("--") {
                arguments.append(flag + "=" + value)
            } else {
                arguments += [flag, value]
            }
        }
        if random.chance(3) { arguments.append(random.pick(["--nope", "-x", "--", "--help", "-"])) }
        let stdin = random.pick(["", config, "0,0\n1,1\n", "1e308,1e308\n"])
        var log: String?
        if random.chance(30) {
            // A loss log with rows of odd numbers (and odd epochs).
            let values = FuzzValues.integers + FuzzValues.numbers + ["", "nan", "x"]
            log = "epoch,loss,accuracy,seconds\n"
            for _ in 0..<random.pick([1, 2, 3, 50]) {
                log! += [random.pick(values), random.pick(values), random.pick(values), random.pick(values)].joined(separator: ",") + "\n"
            }
        }
        var edits: [(key: String, value: String)] = []
        if random.chance(25) {
            // The counters and numbers a resumed run continues from.
            let keys = [
                "epochs_trained", "samples_into_epoch", "samples_trained", "partial_correct", "step", "best_epoch", "seed", "final_loss",
                "partial_loss_sum", "format_version",
            ]
            for _ in 0..<random.pick([1, 1, 2]) {
                edits.append((random.pick(keys), random.chance(70) ? random.pick(FuzzValues.integers) : FuzzValues.json(using: &random)))
            }
            if !arguments.contains("--init-from"), ["run", "check", "explain", "gradcheck"].contains(name), random.chance(70) {
                arguments += ["--init-from", random.pick(["w.json", "cls.weights.json"])]
            }
        }
        return FuzzCase(index: index, arguments: arguments, config: config, stdin: stdin, log: log, weightsEdits: edits)
    }

    /// A value for an option whose placeholder is `placeholder`.
    static func optionValue(_ placeholder: String, using random: inout FuzzRandom) -> String {
        // Half the time a value that works, so that cases get past the
        // command line to the config, the data and training.
        if random.chance(50), let valid = validValues[placeholder] { return random.pick(valid) }
        let numeric = FuzzValues.integers + FuzzValues.numbers + ["", "abc", "nan", "NaN", "inf", "+5", "0x10", "1e3", " 5", "5 ", "٣"]
        switch placeholder {
        case "N": return random.chance(80) ? random.pick(FuzzValues.integers + ["", "abc", "+5", "1e3", "-0", " 5"]) : random.pick(numeric)
        case "X", "E", "T": return random.pick(numeric)
        case "SIZE":
            return random.pick([
                "0", "1", "1K", "512M", "16G", "1T", "8E", "-1", "1.5G", "16GiB", "16gb", "9223372036854775807", "9223372036854775807K", "",
            ])
        case "FORMAT", "onnx|c": return random.pick(["text", "json", "onnx", "c", "JSON", "", "xml"])
        case "NAME": return random.pick(["xor", "XOR", "", "nope", "../xor"])
        case "NAMES": return random.pick(["loss", "loss,accuracy", "nope", "", ",", "epoch", "seconds,loss"])
        case "IDENTIFIER": return random.pick(["net", "9net", "", "a b", "_", String(repeating: "n", count: 300), "é"])
        case "W.json": return random.chance(70) ? random.pick(["w.json", "cls.weights.json"]) : random.pick(FuzzValues.inputPaths)
        default: return random.pick(FuzzValues.paths)  // PATH, OUT.svg
        }
    }

    static let validValues: [String: [String]] = [
        "N": ["1", "2", "3", "5"], "X": ["0.1", "0.5", "2"], "E": ["1e-5", "1e-3"], "T": ["1e-6", "0.5"], "SIZE": ["16G", "64M"],
        "FORMAT": ["text", "json"], "onnx|c": ["onnx", "c"], "NAME": ["xor"], "NAMES": ["loss"], "IDENTIFIER": ["net"],
        "W.json": ["w.json", "cls.weights.json"], "PATH": ["out/x.json", "-", "/dev/null"], "OUT.svg": ["out/x.svg", "-"],
    ]

    /// The command line as a shell would take it.
    var commandLine: String {
        "trainer "
            + arguments.map { argument in
                argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,".contains($0) } && !argument.isEmpty
                    ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }.joined(separator: " ")
    }

    /// Runs the case in a folder of its own; a description of what went
    /// wrong, or nil.
    func run(fixtures: FuzzFixtures, root: TemporaryDirectory, patience: Double) throws -> String? {
        let folder = root.file("case-\(index)")
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        for (name, bytes) in fixtures.files {
            _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(bytes))
        }
        _ = FileManager.default.createFile(atPath: folder + "/c.json", contents: Data(config.utf8))
        if let log { _ = FileManager.default.createFile(atPath: folder + "/log.csv", contents: Data(log.utf8)) }
        for name in ["w.json", "cls.weights.json"] where !weightsEdits.isEmpty {
            var text = String(decoding: fixtures.files[name]!, as: UTF8.self)
            for edit in weightsEdits {
                // `"key": value` where the file has the key; else added to the metadata.
                let pattern = try NSRegularExpression(pattern: "\"\(edit.key)\": [^,\\n}]+")
                let range = NSRange(text.startIndex..., in: text)
                if pattern.firstMatch(in: text, range: range) != nil {
                    text = pattern.stringByReplacingMatches(
                        in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: "\"\(edit.key)\": \(edit.value)"))
                } else {
                    text = text.replacingOccurrences(of: "\"metadata\": {", with: "\"metadata\": {\"\(edit.key)\": \(edit.value), ")
                }
            }
            _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8))
        }
        _ = FileManager.default.createFile(atPath: folder + "/.stdin", contents: Data(stdin.utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineFuzzTests.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let stdout = root.file("case-\(index).stdout"), stderr = root.file("case-\(index).stderr")
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardInput = FileHandle(forReadingAtPath: folder + "/.stdin")
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        var terminated = false
        if !waitUntil(timeout: .milliseconds(Int(patience * 1000)), { !process.isRunning }) {
            kill(process.processIdentifier, SIGTERM)
            terminated = true
            if !waitUntil(timeout: .seconds(10), { !process.isRunning }) {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return describe("did not end within 10 s of SIGTERM", stderr: root.read("case-\(index).stderr") ?? "")
            }
        }
        process.waitUntilExit()
        let wholeErrors = root.read("case-\(index).stderr") ?? ""
        let errors = String(wholeErrors.prefix(4000))
        if CommandLineFuzzTests.verbose {
            let status =
                process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit \(process.terminationStatus)"
            print(
                "case \(index): \(status)\(terminated ? " (SIGTERM sent)" : ""): \(commandLine): \(errors.split(separator: "\n").last ?? "")"
            )
        }
        try? FileManager.default.removeItem(atPath: stdout)
        try? FileManager.default.removeItem(atPath: stderr)

        let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        let code = process.terminationStatus
        if let signal {
            // Only the SIGTERM this fuzzer sent (before trainer installed its handler).
            if !(terminated && signal == SIGTERM) { return describe("ended by signal \(signal)", stderr: errors) }
        } else if ![0, 1, 2, 130, 141, 143].contains(code) {
            return describe("exit \(code)", stderr: errors)
        }
        for marker in ["Fatal error", "Program crashed", "Backtrac", "Precondition failed"] where errors.contains(marker) {
            return describe("stderr shows a trap (\(marker))", stderr: errors)
        }
        if signal == nil, code == 2 {
            let lines = wholeErrors.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if lines.count != 1 || !wholeErrors.hasPrefix("trainer: error: ") || !wholeErrors.hasSuffix("\n") {
                return describe("exit 2 without exactly one line 'trainer: error: ...'", stderr: errors)
            }
        }
        return nil
    }

    private func describe(_ problem: String, stderr: String) -> String {
        """
        case \(index) (TRAINER_FUZZ_SEED=\(CommandLineFuzzTests.seed)): \(problem)
          command: \(commandLine)
          in a folder with c.json, w.json (XOR), cls.weights.json, in.csv, data.csv, images, labels, log.csv, sub/
          c.json: \(config.count > 2000 ? String(config.prefix(2000)) + "..." : config)
          stdin: \(stdin.count > 200 ? String(stdin.prefix(200)) + "..." : stdin.debugDescription)
          weights files' metadata: \(weightsEdits.isEmpty ? "as given" : weightsEdits.map { "\"\($0.key)\": \($0.value.prefix(100))" }.joined(separator: ", "))
          log.csv: \(log.map { $0.count > 2000 ? String($0.prefix(2000)) + "..." : $0.debugDescription } ?? "as given")
          stderr: \(stderr)
        """
    }
}
