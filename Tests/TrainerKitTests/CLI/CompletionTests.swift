import Foundation
import Testing
@testable import TrainerKit

/// `trainer completion bash|zsh`: the scripts load in their shells and
/// complete what the command table holds.
@Suite struct CompletionTests {
    /// The path of an executable on PATH, or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let zsh = executable("zsh")

    /// Writes `trainer completion SHELL`'s script into `directory`.
    static func script(_ shell: String, in directory: TemporaryDirectory) -> String {
        let result = runCLI(["completion", shell])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        return directory.write("trainer.\(shell)", result.stdout)
    }

    /// What the bash completion offers for `words` (the last being the word
    /// under the cursor), run in `directory`.
    static func bashComplete(_ words: [String], script: String, in directory: String) throws -> [String] {
        let array = words.map(Completion.shellQuoted).joined(separator: " ")
        let command = """
            source \(Completion.shellQuoted(script)) || exit 3
            COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); COMPREPLY=()
            _trainer || exit 4
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try runShell(command, in: directory)
        #expect(result.code == 0, "\(words): \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(words): \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashScriptParsesAndRegisters() throws {
        let directory = TemporaryDirectory()
        let script = Self.script("bash", in: directory)
        let syntax = try runShell("bash -n \(Completion.shellQuoted(script))", in: directory.path)
        #expect(syntax.code == 0 && syntax.stderr.isEmpty, "bash -n: \(syntax.stderr)")
        let loaded = try runShell("source \(Completion.shellQuoted(script)) && complete -p trainer", in: directory.path)
        #expect(loaded.code == 0, "\(loaded.stderr)")
        #expect(loaded.stderr.isEmpty, "\(loaded.stderr)")
        #expect(loaded.stdout == "complete -F _trainer trainer\n")
    }

    /// Through the built binary, as a user loads it.
    @Test func bashLoadsFromTheBinary() throws {
        let directory = TemporaryDirectory()
        let result = try runShell(#"source <("$TRAINER" completion bash) && complete -p trainer"#, in: directory.path)
        #expect(result.code == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.contains("_trainer trainer"))
    }

    @Test func bashCompletesCommandsOptionsAndValues() throws {
        let directory = TemporaryDirectory()
        let script = Self.script("bash", in: directory)
        directory.write("a.json", "{}")
        directory.write("b.csv", "1\n")
        directory.write("notes.txt", "")
        directory.write("sub/c.json", "{}")
        let here = directory.path
        func complete(_ words: String...) throws -> [String] {
            try Self.bashComplete(["trainer"] + words, script: script, in: here)
        }

        #expect(try complete("r") == ["run"])
        #expect(try complete("") == Commands.all.map(\.name) + ["--help", "-h", "--version", "-V"])
        #expect(try complete("run", "--ep") == ["--epochs"])
        #expect(try complete("run", "-").contains("--quiet"))
        #expect(try complete("run", "-").contains("-q"))
        #expect(try !complete("run", "--f").contains("--format"))
        #expect(try complete("explain", "--format", "") == ["text", "json", "svg"])
        #expect(try complete("eval", "--format", "=", "j") == ["json"])  // --format=j, as bash splits it
        #expect(try complete("eval", "--format", "=") == ["text", "json"])
        #expect(try complete("run", "--example", "") == Examples.all.map(\.name))
        #expect(try complete("run", "--epochs", "").isEmpty)
        #expect(try complete("help", "") == Commands.all.map(\.name))
        #expect(try complete("completion", "") == ["bash", "zsh"])
        // Files: JSON (and folders) for CONFIG.json and W.json, CSV for INPUT.csv.
        #expect(try Set(complete("run", "")) == ["a.json", "sub"])
        #expect(try Set(complete("run", "--init-from", "")) == ["a.json", "sub"])
        #expect(try complete("run", "sub/") == ["sub/c.json"])
        #expect(try Set(complete("predict", "a.json", "")) == ["b.csv", "sub"])
        #expect(try Set(complete("predict", "--argmax", "a.json", "")) == ["b.csv", "sub"])
        #expect(try Set(complete("eval", "--format", "json", "a.json", "")) == ["a.json", "sub"])
        #expect(try Set(complete("run", "--log", "")) == ["a.json", "b.csv", "notes.txt", "sub", "trainer.bash"])
        #expect(try complete("predict", "a.json", "b.csv", "").isEmpty)  // no third argument
        #expect(try complete("nonsense", "").isEmpty)
    }

    /// Every command's every option, short forms included, is offered.
    @Test(arguments: Commands.all.map(\.name))
    func bashOffersEveryOption(command: String) throws {
        let directory = TemporaryDirectory()
        let script = Self.script("bash", in: directory)
        let spec = Commands.all.first { $0.name == command }!
        let offered = try Self.bashComplete(["trainer", command, "-"], script: script, in: directory.path)
        #expect(offered == Completion.optionWords(spec))
        for option in spec.options { #expect(offered.contains(option.name)) }
    }

    @Test(.enabled(if: zsh != nil, "zsh is not installed: the zsh script was not checked"))
    func zshScriptParses() throws {
        let directory = TemporaryDirectory()
        let script = Self.script("zsh", in: directory)
        let result = try runShell("\(Completion.shellQuoted(Self.zsh!)) -n \(Completion.shellQuoted(script))", in: directory.path)
        #expect(result.code == 0 && result.stderr.isEmpty, "zsh -n: \(result.stderr)")
        // And it loads after compinit, registering _trainer for trainer.
        let loaded = try runShell(
            "\(Completion.shellQuoted(Self.zsh!)) -f -c 'autoload -Uz compinit && compinit -u -D && source \(script) && print -r -- $_comps[trainer]'",
            in: directory.path)
        #expect(loaded.code == 0 && loaded.stderr.isEmpty, "\(loaded.stderr)")
        #expect(loaded.stdout == "_trainer\n")
    }

    @Test func zshScriptNamesEveryCommandAndOption() {
        let script = runCLI(["completion", "zsh"]).stdout
        #expect(script.hasPrefix("#compdef trainer\n"))
        for command in Commands.all {
            #expect(script.contains("    \(command.name))\n"), "no case for \(command.name)")
            for option in command.options { #expect(script.contains("\(option.name)"), "\(command.name) \(option.name)") }
        }
        #expect(script.contains(":FORMAT:(text json)"))
        #expect(script.contains(#":CONFIG.json:_files -g "*.json""#))
    }

    /// A note in the test log when zsh is missing, so a skipped check is seen.
    @Test func zshAvailability() {
        if Self.zsh == nil {
            print("note: zsh is not installed; CompletionTests/zshScriptParses was skipped (the zsh script was not checked by zsh -n)")
        }
    }

    @Test func unknownShellIsAUsageError() {
        let result = runCLI(["completion", "fish"])
        #expect(result.code == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr
                == "trainer: error: completion: unknown shell \"fish\" (expected one of bash, zsh). See 'trainer help completion'.\n")
        let typo = runCLI(["completion", "bsh"])
        #expect(typo.code == 2)
        #expect(typo.stderr.contains("unknown shell \"bsh\"; did you mean bash?"))
        let missing = runCLI(["completion"])
        #expect(missing.code == 2)
        #expect(missing.stderr == "trainer: error: completion: missing SHELL. See 'trainer help completion'.\n")
    }

    @Test func helpDescribesCompletion() {
        let result = runCLI(["help", "completion"])
        #expect(result.code == 0)
        #expect(result.stdout.contains("USAGE\n  trainer completion SHELL\n"))
        #expect(runCLI(["--help"]).stdout.contains("completion"))
    }
}
