/// The command line of `trainer`: parses the arguments, runs the command,
/// reports any error as one line on stderr, and returns the exit code.
public enum CLI {
    public static let version = "0.1.0"

    /// Runs `trainer` with `arguments` (without the program name).
    public static func run(_ arguments: [String], context: CommandContext) -> Int32 {
        do {
            let code = try dispatch(arguments, context: context)
            try context.stdout.flush()
            return code
        } catch let error as TrainerError {
            try? context.stdout.flush()
            context.note(error.description)
            return error.exitCode
        } catch let error as OutputError {
            if error.isBrokenPipe { return ExitCode.brokenPipe }
            context.note(error.trainerError.description)
            return ExitCode.failure
        } catch {
            context.note("trainer: error: \(error)")
            return ExitCode.failure
        }
    }

    static func dispatch(_ arguments: [String], context: CommandContext) throws -> Int32 {
        guard let first = arguments.first else {
            throw TrainerError.usage(
                "", "no command given; try 'trainer help' (commands: \(Commands.all.map(\.name).joined(separator: ", ")))")
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "--version", "-V":
            try context.stdout.write(Version.text())
            return ExitCode.success
        case "--help", "-h":
            try context.stdout.write(Help.overview())
            return ExitCode.success
        default:
            break
        }
        guard let spec = Commands.all.first(where: { $0.name == first }) else {
            if first.hasPrefix("-") {
                let meant = Suggestion.closest(to: first, in: ["--version", "--help"])
                let hint = meant.map { "did you mean \($0)?" } ?? "expected a command first."
                throw TrainerError.usage(first, "unknown option; \(hint) See 'trainer help'.")
            }
            throw Commands.unknownCommand(first, place: "")
        }
        let parsed = try spec.parse(rest)
        if parsed.wantsHelp {
            try context.stdout.write(Help.text(for: spec))
            return ExitCode.success
        }
        switch spec.name {
        case "run": return try RunCommand(arguments: parsed, context: context).execute()
        case "check": return try CheckCommand(arguments: parsed, context: context).execute()
        case "explain": return try ExplainCommand(arguments: parsed, context: context).execute()
        case "gradcheck": return try GradcheckCommand(arguments: parsed, context: context).execute()
        case "predict": return try PredictCommand(arguments: parsed, context: context).execute()
        case "eval": return try EvalCommand(arguments: parsed, context: context).execute()
        case "export": return try ExportCommand(arguments: parsed, context: context).execute()
        case "plot": return try PlotCommand(arguments: parsed, context: context).execute()
        case "show": return try ShowCommand(arguments: parsed, context: context).execute()
        case "grid": return try GridCommand(arguments: parsed, context: context).execute()
        case "summarize": return try SummarizeCommand(arguments: parsed, context: context).execute()
        case "example": return try ExampleCommand.execute(parsed, context: context)
        case "completion": return try CompletionCommand.execute(parsed, context: context)
        case "help": return try Help.execute(parsed, context: context)
        default: preconditionFailure("command \(spec.name) has no implementation")
        }
    }
}
