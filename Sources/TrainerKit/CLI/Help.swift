/// Help texts, generated from the command table so they cannot drift from
/// what the parser accepts.
enum Help {
    static func overview() -> String {
        var text = """
            trainer \(CLI.version): trains multilayer perceptrons by backpropagation

            Usage: trainer COMMAND [ARGUMENTS] [OPTIONS]

            Commands:

            """
        let width = Commands.all.map(\.name.count).max()! + 2
        for command in Commands.all {
            text += "  " + command.name.padding(toLength: width, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += """

            Global options:
              --help, -h     show this help
              --version      print the version

            Exit codes: 0 success; 1 failure while running; 2 bad command line,
            config or data; 130/143 interrupted by SIGINT/SIGTERM; 141 the reader
            of stdout went away.

            Start with 'trainer run --example xor'. 'trainer help COMMAND' describes a command.

            """
        return text
    }

    static func text(for command: CommandSpec) -> String {
        var text = "trainer \(command.name): \(command.summary)\n\nUsage: \(command.usage)\n"
        if !command.arguments.isEmpty {
            text += "\nArguments:\n"
            text += table(command.arguments.map { ($0.name, $0.help) })
        }
        var rows = command.options.map { option -> (String, String) in
            var left = option.short.map { "\($0), " } ?? ""
            left += option.name
            if let value = option.value { left += " \(value)" }
            return (left, option.help)
        }
        rows.append(("-h, --help", "show this help"))
        text += "\nOptions:\n" + table(rows)
        if !command.details.isEmpty {
            text += "\n" + command.details + "\n"
        }
        return text
    }

    private static func table(_ rows: [(String, String)]) -> String {
        let width = min(28, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { left, right in
            let padded = left.count + 2 > width
                ? left + "\n" + String(repeating: " ", count: width + 2)
                : left.padding(toLength: width, withPad: " ", startingAt: 0)
            return "  " + padded + right + "\n"
        }.joined()
    }

    static func execute(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard let name = arguments.positionals.first else {
            try context.stdout.write(overview())
            return ExitCode.success
        }
        guard let command = Commands.all.first(where: { $0.name == name }) else {
            let suggestion = Suggestion.closest(to: name, in: Commands.all.map(\.name)).map { "; did you mean \($0)?" } ?? ""
            throw TrainerError.usage("help", "unknown command '\(name)'\(suggestion) See 'trainer help'.")
        }
        try context.stdout.write(text(for: command))
        return ExitCode.success
    }
}
