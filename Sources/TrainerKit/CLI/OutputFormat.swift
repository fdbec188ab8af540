/// `--format text|json`, for the commands that can write either.
enum OutputFormat: String, CaseIterable {
    case text, json

    /// The format a `--format` value names; text when none is given.
    /// - Parameter others: more names the command takes (`explain`'s `svg`),
    ///   for the error's list.
    init(_ text: String?, others: [String] = []) throws(TrainerError) {
        guard let text else {
            self = .text
            return
        }
        guard let format = OutputFormat(rawValue: text) else {
            let names = OutputFormat.allCases.map(\.rawValue) + others
            let hint = Suggestion.closest(to: text, in: names).map { " (did you mean \($0)?)" } ?? ""
            let list = names.count == 2 ? names.joined(separator: " or ") : names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw TrainerError.usage("--format", "unknown format \"\(text)\"; expected \(list)\(hint)")
        }
        self = format
    }
}
