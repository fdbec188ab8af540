/// `trainer completion bash|zsh`: prints the completion script.
enum CompletionCommand {
    static func execute(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let name = arguments.positionals.first ?? ""
        guard let shell = Completion.Shell(rawValue: name) else {
            throw TrainerError.usage(
                "completion",
                JSONFields.unknownName(name, kind: "shell", names: Completion.Shell.names) + ". See 'trainer help completion'.")
        }
        try context.stdout.write(Completion.script(for: shell))
        return ExitCode.success
    }
}
