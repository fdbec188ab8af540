/// `--format text|json`, for the commands that can write either.
enum OutputFormat: String, CaseIterable {
    case text, json

    /// The format a `--format` value names; text when none is given.
    init(_ text: String?) throws(TrainerError) {
        guard let text else {
            self = .text
            return
        }
        guard let format = OutputFormat(rawValue: text) else {
            let names = OutputFormat.allCases.map(\.rawValue)
            let hint = Suggestion.closest(to: text, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw TrainerError.usage("--format", "unknown format \"\(text)\"; expected \(names.joined(separator: " or "))\(hint)")
        }
        self = format
    }
}
