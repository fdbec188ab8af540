/// Help texts, generated from the command table so they cannot drift from
/// what the parser accepts.
enum Help {
    /// Help is written for an 80-column terminal: table cells and example
    /// descriptions are wrapped to it (the description paragraphs of the
    /// command table are wrapped by hand).
    static let width = 80

    static func overview() -> String {
        var text = """
            trainer \(CLI.version) - trains multilayer perceptrons by backpropagation

            USAGE
              trainer COMMAND [ARGUMENTS] [OPTIONS]
              trainer help COMMAND, or trainer COMMAND --help: how to use COMMAND

            COMMANDS

            """
        text += table(Commands.all.map { ($0.name, $0.summary) })
        text += "\nOPTIONS\n"
        text += table([("-h, --help", "show this help"), ("-V, --version", "print the version")])
        text += "\nEXIT STATUS\n"
        text += table(overviewExitStatus.map { ($0.codes, $0.meaning) })
        text += "\nENVIRONMENT\n"
        text += table(environment.map { ($0.codes, $0.meaning) })
        text += "\nEXAMPLES\n" + examples(overviewExamples)
        return text
    }

    /// The environment variables trainer reads, with what they change.
    static let environment = [
        ExitStatusSpec("NO_COLOR", "when set and not empty, plot draws without colour"),
        ExitStatusSpec("TERM", "'dumb' also turns plot's colour off"),
        ExitStatusSpec(
            "TRAINER_KERNEL_LEVEL",
            "baseline, v3 or v4: run the matrix kernels built for that CPU level instead of the best this CPU runs (for tests and benchmarks)"
        ),
    ]

    /// The exit statuses of `trainer help`, common to every command.
    static let overviewExitStatus = [
        ExitStatusSpec("0", "success"),
        ExitStatusSpec("1", "a failure while running: I/O, the loss became NaN or infinite, gradcheck above its tolerance"),
        ExitStatusSpec("2", "bad command line, config or data, found before anything is written"),
        ExitStatusSpec("130, 143", "interrupted by SIGINT or SIGTERM (run saves the weights so far)"),
        ExitStatusSpec("141", "the reader of stdout went away"),
    ]

    /// The examples of `trainer help`.
    static let overviewExamples = [
        ExampleSpec("trainer run --example xor", "Train the built-in XOR example; a first run, no file needed."),
        ExampleSpec("trainer example xor > my.json", "Its config, a starting point for your own."),
        ExampleSpec("trainer help run", "How to use run."),
    ]

    /// `trainer help COMMAND`, `trainer COMMAND --help`: a short man page.
    static func text(for command: CommandSpec) -> String {
        var text = "trainer \(command.name) - \(command.summary)\n\nUSAGE\n  \(command.usage)\n"
        if !command.arguments.isEmpty {
            text += "\nARGUMENTS\n"
            text += table(command.arguments.map { ($0.name, $0.help) })
        }
        text += "\nOPTIONS\n" + table(command.optionRows.map { ($0.option, $0.help) })
        if !command.details.isEmpty {
            text += "\nDESCRIPTION\n" + indented(command.details, by: 2) + "\n"
        }
        if !command.exitStatus.isEmpty {
            text += "\nEXIT STATUS\n" + table(command.exitStatus.map { ($0.codes, $0.meaning) })
        }
        if !command.examples.isEmpty {
            text += "\nEXAMPLES\n" + examples(command.examples)
        }
        return text
    }

    /// Two columns: the left one indented by 2, the right one wrapped to
    /// `width` and aligned; a left cell too wide for its column gets a line
    /// of its own.
    private static func table(_ rows: [(String, String)]) -> String {
        let column = min(28, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { left, right in
            let lines = WordWrap.lines(of: right, width: width - 2 - column)
            let indent = String(repeating: " ", count: column + 2)
            var cell = "  " + left
            if left.count + 2 > column {
                cell += "\n" + indent
            } else {
                cell += String(repeating: " ", count: column - left.count)
            }
            return cell + lines.joined(separator: "\n" + indent) + "\n"
        }.joined()
    }

    /// Each example: what it does (wrapped, indented by 2), then the command
    /// line on its own (indented by 4, never wrapped, so it can be copied).
    private static func examples(_ examples: [ExampleSpec]) -> String {
        examples.map { example in
            WordWrap.lines(of: example.meaning, width: width - 2).map { "  " + $0 + "\n" }.joined() + "    " + example.command + "\n"
        }.joined(separator: "\n")
    }

    private static func indented(_ text: String, by count: Int) -> String {
        let indent = String(repeating: " ", count: count)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : indent + $0 }
            .joined(separator: "\n")
    }

    static func execute(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        if arguments.has("--man") {
            guard arguments.positionals.isEmpty else {
                throw TrainerError.usage("--man", "prints the whole manual; give no COMMAND with it")
            }
            try context.stdout.write(ManPage.text())
            return ExitCode.success
        }
        guard let name = arguments.positionals.first else {
            try context.stdout.write(overview())
            return ExitCode.success
        }
        guard let command = Commands.all.first(where: { $0.name == name }) else {
            throw Commands.unknownCommand(name, place: "help")
        }
        try context.stdout.write(text(for: command))
        return ExitCode.success
    }
}
