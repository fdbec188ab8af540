/// `trainer summarize W.json…`: one CSV row per weights file, with the
/// settings each run was given (its `--set` arguments, one column per key)
/// and how it ended (epochs, why it stopped, the best epoch with early
/// stopping, the last epoch's losses and accuracies), for comparing the
/// runs of a grid. `--sort COLUMN` orders the rows best first: losses
/// ascending, accuracies descending, any other column ascending; rows
/// without a value go last.
struct SummarizeCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    /// The columns of the last epoch, in the log's order.
    static let metricColumns = ["loss", "accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy"]

    func execute() throws -> Int32 {
        guard !arguments.positionals.isEmpty else {
            throw TrainerError.usage("", "missing W.json; expected one or more weights files, such as out/*.weights.json")
        }
        var files: [(path: String, file: WeightsFile)] = []
        for path in arguments.positionals {
            files.append((path, try WeightsFile.read(FilePath(path: path, display: FileReading.display(of: path)))))
        }

        // The varied keys, in the order first met.
        var keys: [String] = []
        var settings: [[String: String]] = []
        for (path, file) in files {
            var values: [String: String] = [:]
            for argument in file.metadata.overrides ?? [] {
                guard let equals = argument.firstIndex(of: "=") else {
                    throw TrainerError.file(path, "metadata.overrides: \"\(argument)\" is not PATH=VALUE")
                }
                let key = String(argument[..<equals])
                if !keys.contains(key) { keys.append(key) }
                values[key] = String(argument[argument.index(after: equals)...])
            }
            settings.append(values)
        }
        let metrics = Self.metricColumns.filter { column in
            files.contains { $0.file.metadata.lastEpoch?.contains { $0.column == column } == true }
        }
        let header = ["file"] + keys + ["epochs", "stopped_by", "best_epoch"] + metrics

        var rows: [[String]] = []
        for ((path, file), values) in zip(files, settings) {
            let metadata = file.metadata
            var row = [path] + keys.map { values[$0] ?? "" }
            row += ["\(metadata.epochsTrained)", metadata.stoppedBy, metadata.bestEpoch.map(String.init) ?? ""]
            for column in metrics {
                row.append(metadata.lastEpoch?.first { $0.column == column }.map { LossLog.number($0.value) } ?? "")
            }
            rows.append(row)
        }

        if let column = arguments.value("--sort") {
            guard let index = header.firstIndex(of: column) else {
                throw TrainerError.usage(
                    "--sort",
                    "no column \(column)\(Suggestion.didYouMean(column, in: header)); expected one of \(header.joined(separator: ", "))")
            }
            let descending = column.hasSuffix("accuracy")
            rows = Self.sorted(rows, by: index, descending: descending)
        }
        for row in [header] + rows {
            try context.stdout.write(row.map(PredictCommand.csvField).joined(separator: ",") + "\n")
        }
        try context.stdout.flush()
        return ExitCode.success
    }

    /// Rows by one column: as numbers when both cells are numbers, else as
    /// text; empty cells last; ties keep the files' order.
    static func sorted(_ rows: [[String]], by index: Int, descending: Bool) -> [[String]] {
        rows.enumerated().sorted { a, b in
            let (x, y) = (a.element[index], b.element[index])
            if x.isEmpty != y.isEmpty { return y.isEmpty }
            if x == y { return a.offset < b.offset }
            let ordered: Bool
            if let p = Double(x), let q = Double(y) { ordered = p < q } else { ordered = x < y }
            return descending ? !ordered : ordered
        }.map(\.element)
    }
}
