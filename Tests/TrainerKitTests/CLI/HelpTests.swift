import Foundation
import Testing
@testable import TrainerKit

/// `trainer help` and `trainer help COMMAND` against committed snapshots:
/// `Tests/TrainerKitTests/Fixtures/help/NAME.txt` for every command of the
/// command table and `overview.txt` for `trainer help`, so every change to a
/// help text shows up in review as a diff of those files.
///
/// After changing the command table (`Sources/TrainerKit/CLI/Commands.swift`)
/// or the layout (`Help.swift`), rewrite the snapshots with
///
///     UPDATE_SNAPSHOTS=1 swift test --filter HelpTests
///
/// and review them with `git diff Tests/TrainerKitTests/Fixtures/help`.
/// Without `UPDATE_SNAPSHOTS` a difference fails with a line diff (see
/// `Support/Snapshot.swift`). A new command needs no new test: its snapshot
/// is written by the same command, and `everySnapshotIsACommand` fails until
/// it exists.
///
/// The other tests check what a snapshot cannot: the man-page sections are
/// there, the exit codes are docs/contract.md's, and every example names real
/// commands, options and files.
@Suite struct HelpTests {
    static var snapshotDirectory: String { repositoryDirectory + "/Tests/TrainerKitTests/Fixtures/help" }

    static let names = Commands.all.map(\.name)

    // MARK: - Snapshots

    @Test func overviewMatchesSnapshot() {
        let result = runCLI(["help"])
        #expect(result.code == 0)
        #expect(result.stderr == "")
        Snapshot.expect(result.stdout, matches: Self.snapshotDirectory + "/overview.txt", suite: "HelpTests")
        #expect(runCLI(["--help"]).stdout == result.stdout)
        #expect(runCLI(["-h"]).stdout == result.stdout)
    }

    @Test(arguments: names)
    func commandHelpMatchesSnapshot(_ name: String) {
        let result = runCLI(["help", name])
        #expect(result.code == 0)
        #expect(result.stderr == "")
        Snapshot.expect(result.stdout, matches: Self.snapshotDirectory + "/\(name).txt", suite: "HelpTests")
        // `trainer COMMAND --help` is the same page.
        for flag in ["--help", "-h"] {
            let flagged = runCLI([name, flag])
            #expect(flagged.code == 0)
            #expect(flagged.stdout == result.stdout, "trainer \(name) \(flag)")
        }
    }

    @Test func everySnapshotIsACommand() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.snapshotDirectory)
        #expect(files.sorted() == (Self.names + ["overview"]).map { $0 + ".txt" }.sorted())
    }

    // MARK: - What every page has

    @Test func overviewListsEveryCommand() {
        let lines = runCLI(["help"]).stdout.split(separator: "\n").map(String.init)
        for command in Commands.all {
            let line = lines.first { $0.hasPrefix("  \(command.name) ") }
            #expect(line?.hasSuffix(" " + command.summary) == true, "no line for \(command.name) in trainer help")
        }
    }

    @Test(arguments: names)
    func pageHasTheManPageSections(_ name: String) throws {
        let command = try #require(Commands.all.first { $0.name == name })
        let text = runCLI(["help", name]).stdout
        #expect(text.hasPrefix("trainer \(name) - \(command.summary)\n\nUSAGE\n  \(command.usage)\n"))
        var headings = ["USAGE"]
        if !command.arguments.isEmpty { headings.append("ARGUMENTS") }
        headings += ["OPTIONS", "DESCRIPTION", "EXIT STATUS", "EXAMPLES"]
        let found = text.split(separator: "\n").filter { $0.first?.isUppercase == true }.map(String.init)
        #expect(found == headings)
        for argument in command.arguments { #expect(text.contains("\n  \(argument.name)")) }
        for option in command.options { #expect(text.contains(option.name), "\(name): \(option.name)") }
        for example in command.examples { #expect(text.contains("\n    \(example.command)\n")) }
    }

    /// Every line fits 80 columns, except the example command lines, which are
    /// never wrapped so that they can be copied.
    @Test(arguments: [""] + names)
    func pageFitsEightyColumns(_ name: String) {
        let text = runCLI(name.isEmpty ? ["help"] : ["help", name]).stdout
        var inExamples = false
        for line in text.split(separator: "\n") {
            if line == "EXAMPLES" { inExamples = true }
            if inExamples && line.hasPrefix("    ") { continue }
            #expect(line.count <= Help.width, "trainer help \(name): \(line)")
            #expect(!line.hasSuffix(" "), "trainer help \(name): trailing space in '\(line)'")
        }
    }

    // MARK: - Exit statuses

    /// docs/contract.md's codes, each at most once, in order; 0 and 2 everywhere;
    /// 130 and 143 only for run, the one command that catches the signals.
    @Test(arguments: names)
    func exitStatusesAreTheSpecsCodes(_ name: String) throws {
        let command = try #require(Commands.all.first { $0.name == name })
        let codes = command.exitStatus.map(\.codes)
        let order = ["0", "1", "2", "130, 143", "141"]
        #expect(codes.allSatisfy(order.contains), "\(name): \(codes)")
        #expect(codes == order.filter(codes.contains), "\(name): \(codes) not in order, or repeated")
        #expect(codes.contains("0") && codes.contains("2"))
        #expect(codes.contains("130, 143") == (name == "run"))
        #expect(command.exitStatus.allSatisfy { !$0.meaning.isEmpty })
    }

    @Test func gradcheckAboveToleranceIsExitOne() throws {
        let gradcheck = try #require(Commands.all.first { $0.name == "gradcheck" })
        #expect(gradcheck.exitStatus.first { $0.codes == "1" }?.meaning.contains("--tolerance") == true)
    }

    // MARK: - Examples

    @Test(arguments: names)
    func commandHasTwoToFourExamples(_ name: String) throws {
        let command = try #require(Commands.all.first { $0.name == name })
        #expect((2...4).contains(command.examples.count), "\(name) has \(command.examples.count) examples")
        #expect(command.examples.contains { Self.invocations(in: $0.command).contains { $0.first == name } })
    }

    /// Each `trainer` in an example names a command and options the parser
    /// accepts, and each file of the repository it reads exists (outputs of
    /// an earlier example, under `configs/out/`, aside). That the examples
    /// run was checked by hand from the repository's root; this keeps them
    /// from going stale.
    @Test func examplesUseRealCommandsOptionsAndFiles() throws {
        let examples = Commands.all.flatMap(\.examples) + Help.overviewExamples
        for example in examples {
            let invocations = Self.invocations(in: example.command)
            #expect(!invocations.isEmpty, "no trainer in '\(example.command)'")
            for words in invocations {
                guard let name = words.first, let command = Commands.all.first(where: { $0.name == name }) else {
                    Issue.record("'\(example.command)': unknown command \(words.first ?? "(none)")")
                    continue
                }
                let parsed: ParsedArguments
                do {
                    parsed = try command.parse(Array(words.dropFirst()))
                } catch {
                    Issue.record("'\(example.command)': \(error)")
                    continue
                }
                #expect(parsed.positionals.count <= command.arguments.count, "'\(example.command)': too many arguments")
                let paths = parsed.positionals + parsed.values.values
                for path in paths where (path.hasPrefix("configs/") || path.hasPrefix("data/")) && !path.hasPrefix("configs/out/") {
                    #expect(
                        FileManager.default.fileExists(atPath: repositoryDirectory + "/" + path),
                        "'\(example.command)': no file \(path) in the repository")
                }
            }
        }
    }

    /// The arguments after each `trainer` of a shell command line, up to the
    /// end of its pipeline stage or a redirection (`source <(trainer x)` and
    /// `a | trainer b > f` understood; the examples quote nothing that a
    /// `trainer` stage reads).
    static func invocations(in commandLine: String) -> [[String]] {
        let stages = commandLine.split(whereSeparator: { "|;&".contains($0) })
        return stages.compactMap { stage in
            var words = stage.split(separator: " ").map(String.init)
            guard let start = words.firstIndex(where: { $0 == "trainer" || $0 == "<(trainer" }) else { return nil }
            words = Array(words[(start + 1)...])
            if let redirect = words.firstIndex(where: { $0.hasPrefix(">") || $0.hasPrefix("<") }) {
                words = Array(words[..<redirect])
            }
            if stage.contains("<(trainer"), let last = words.last, last.hasSuffix(")") {
                words[words.count - 1] = String(last.dropLast())
            }
            return words
        }
    }

    @Test func invocationsAreFoundInPipelines() {
        #expect(
            Self.invocations(in: "trainer run c.json --log - | trainer plot -") == [["run", "c.json", "--log", "-"], ["plot", "-"]])
        #expect(Self.invocations(in: "source <(trainer completion bash)") == [["completion", "bash"]])
        #expect(Self.invocations(in: "mkdir -p x && trainer completion zsh > x/_trainer") == [["completion", "zsh"]])
        #expect(Self.invocations(in: "printf '0,0\\n' | trainer predict w.json") == [["predict", "w.json"]])
    }

    // MARK: - Errors

    @Test func unknownCommandIsAUsageErrorWithASuggestion() {
        let result = runCLI(["help", "rnu"])
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "trainer: error: help: unknown command 'rnu'; did you mean 'run'? See 'trainer help'.\n")
    }

    /// Other tools' words for a command point to trainer's (issue 18):
    /// darknet's `train`, Keras' and scikit-learn's `fit`; misspelt options
    /// before a command to --version or --help; no match still ends in a
    /// full stop before "See".
    @Test(arguments: [
        (["train", "c.json"], "unknown command 'train'; did you mean 'run'? See 'trainer help'."),
        (["fit"], "unknown command 'fit'; did you mean 'run'? See 'trainer help'."),
        (["evaluate", "w.json"], "unknown command 'evaluate'; did you mean 'eval'? See 'trainer help'."),
        (["xyzzy"], "unknown command 'xyzzy'. See 'trainer help'."),
        (["--verison"], "--verison: unknown option; did you mean --version? See 'trainer help'."),
        (["--hlep"], "--hlep: unknown option; did you mean --help? See 'trainer help'."),
        (["--epochs", "3"], "--epochs: unknown option; expected a command first. See 'trainer help'."),
    ])
    func unknownWordsPointToTheCommand(_ arguments: [String], _ message: String) {
        let result = runCLI(arguments)
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "trainer: error: \(message)\n")
    }
}
