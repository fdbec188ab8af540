/// Every failure `trainer` reports: what kind it is (which decides the exit
/// code), where it happened, and what was wrong and expected.
///
/// The rendered form is always one line:
/// `trainer: error: <place>: <message>`, where the place is, for example,
/// `c.json:3:17` (JSON syntax), `c.json: network.weights[1]` (meaning),
/// `data/x.csv:42` (data) or `--epochs` (a flag).
public struct TrainerError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// Bad command line, config or data, found before training (exit 2).
        case invalidInput
        /// A failure while running: I/O, a non-finite loss, gradcheck above
        /// tolerance (exit 1).
        case failure
        /// Stopped by a signal after saving what could be saved (exit 128+signal).
        case interrupted(signal: Int32)
    }

    public var kind: Kind
    /// Where: a file, a file position, a JSON path, a CSV line, a flag. May be empty.
    public var place: String
    /// What is wrong and, where it helps, what was expected.
    public var message: String

    public init(_ kind: Kind = .invalidInput, place: String = "", _ message: String) {
        self.kind = kind
        self.place = place
        self.message = message
    }

    /// The one line written to stderr. Control characters from the input
    /// (a path holding a line break, an escape) are shown escaped, `\n`,
    /// `\t`, `\x1b`, so that the line stays one line and the terminal
    /// shows what was there.
    public var description: String {
        let line = place.isEmpty ? "trainer: error: \(message)" : "trainer: error: \(place): \(message)"
        guard line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return line }
        var escaped = ""
        for scalar in line.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The process exit code for this error (docs/contract.md, "Streams and exit codes").
    public var exitCode: Int32 {
        switch kind {
        case .invalidInput: return ExitCode.invalidInput
        case .failure: return ExitCode.failure
        case .interrupted(let signal): return 128 + signal
        }
    }
}

/// The exit codes of docs/contract.md ("Streams and exit codes") in one place.
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let invalidInput: Int32 = 2
    /// The reader of stdout went away (`trainer run c.json --log - | head`);
    /// 128 + SIGPIPE, what GNU tools report when a pipe closes under them.
    public static let brokenPipe: Int32 = 141
}

extension TrainerError {
    /// An error about a config or data file as a whole: `c.json: <message>`.
    static func file(_ file: String, _ message: String) -> TrainerError {
        TrainerError(place: file, message)
    }

    /// An error about the meaning of a config value: `c.json: network.weights[1]: <message>`.
    static func at(_ file: String, path: String, _ message: String) -> TrainerError {
        TrainerError(place: path.isEmpty ? file : "\(file): \(path)", message)
    }

    /// A bad command-line value: `--epochs: <message>`.
    static func usage(_ place: String, _ message: String) -> TrainerError {
        TrainerError(place: place, message)
    }
}
