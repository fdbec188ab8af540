/// The error for a command trainer does not have, pointing to the one
/// meant: the names other tools give the same job (`train` and `fit` for
/// `run`, as in darknet, Keras and scikit-learn), then close misspellings.
extension Commands {
    /// Other tools' words for trainer's commands.
    static let synonyms: [String: String] = [
        "train": "run", "fit": "run", "learn": "run", "start": "run",
        "validate": "check", "lint": "check", "verify": "check",
        "evaluate": "eval", "test": "eval", "score": "eval",
        "infer": "predict", "inference": "predict",
        "examples": "example", "man": "help", "version": "--version",
    ]

    /// `unknown command 'NAME'; did you mean run? See 'trainer help'.`
    /// - Parameter place: where the name was given (`help` for `trainer
    ///   help NAME`), empty for the command itself.
    static func unknownCommand(_ name: String, place: String) -> TrainerError {
        let meant = synonyms[name.lowercased()] ?? Suggestion.closest(to: name, in: all.map(\.name))
        let suggestion = meant.map { "; did you mean '\($0)'?" } ?? "."
        return TrainerError.usage(place, "unknown command '\(name)'\(suggestion) See 'trainer help'.")
    }
}
