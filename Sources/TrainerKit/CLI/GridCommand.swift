/// `trainer grid CONFIG --vary PATH=V1,V2,… …`: every combination of the
/// varied values as one `trainer run` command line each, for the tools that
/// already run many jobs (GNU parallel runs each line it reads as a command;
/// a SLURM job array or Kubernetes Indexed Job picks its line with
/// `--index`). trainer schedules nothing itself; `--run` runs the selected
/// lines one after another in this process.
///
/// Combinations are numbered from 0 in the order of nested loops over the
/// `--vary` options as given, the last varying fastest. Each writes
/// `out/NAME-gN.weights.json` and `out/NAME-gN.loss.csv` beside the config
/// (or under `--out DIR`), names `trainer summarize` reads back with the
/// `--set` arguments the weights file records.
struct GridCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    /// One varied key and its values, as `--set` arguments' right-hand sides.
    struct Axis {
        let path: String
        let values: [String]
    }

    func execute() throws -> Int32 {
        guard let config = arguments.positionals.first else {
            throw TrainerError.usage("", "missing CONFIG.json. See 'trainer help grid'.")
        }
        guard config != "-" else {
            throw TrainerError.usage("", "the config must be a file, which every run of the grid reads; not stdin")
        }
        let axes = try arguments.values("--vary").map(Self.axis)
        guard !axes.isEmpty else {
            throw TrainerError.usage("--vary", "missing; expected at least one --vary PATH=V1,V2")
        }
        let combinations = try Self.combinations(of: axes)
        let fileName = Paths.fileName(of: config)
        let name = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        let folder = arguments.value("--out") ?? Paths.join(Paths.directory(of: config), "out")
        let fixed = arguments.values("--set")

        // Every combination is checked as run would read it (not its data).
        for (index, sets) in combinations.enumerated() {
            let overrides = try (fixed + sets).map(ConfigOverride.init)
            do {
                _ = try Config.load(path: config, overrides: overrides)
            } catch {
                throw TrainerError(error.kind, place: error.place, error.message + " (grid line \(index))")
            }
        }

        var selected = Array(combinations.indices)
        if let text = arguments.value("--index") {
            let index = try OptionValue.wholeNumber(text, option: "--index", minimum: 0)
            guard index < combinations.count else {
                throw TrainerError.usage(
                    "--index", "\(index) is past the last combination, \(combinations.count - 1) (the grid has \(combinations.count))")
            }
            selected = [index]
        }
        let program = Self.program(context.programName)
        for index in selected {
            let stem = Paths.join(folder, "\(name)-g\(index)")
            let runArguments =
                ["run", config] + (fixed + combinations[index]).flatMap { ["--set", $0] }
                + ["--weights-out", stem + ".weights.json", "--log", stem + ".loss.csv", "--quiet"]
            if arguments.has("--run") {
                let status = try CLI.dispatch(runArguments, context: context)
                guard status == ExitCode.success else { return status }
            } else {
                try context.stdout.write(([program] + runArguments).map(ShellQuoting.quoted).joined(separator: " ") + "\n")
            }
        }
        try context.stdout.flush()
        return ExitCode.success
    }

    /// `PATH=V1,V2,…`, the values split at the commas outside brackets,
    /// braces and quotes (`network.layers=[784,30,10],[784,100,10]`).
    static func axis(_ argument: String) throws(TrainerError) -> Axis {
        let place = "--vary \(argument)"
        guard let equals = argument.firstIndex(of: "=") else {
            throw TrainerError.usage(place, "expected PATH=V1,V2,…, such as training.learning_rate=0.1,0.5,3")
        }
        let path = String(argument[..<equals])
        var values: [String] = []
        var current = "", depth = 0, quoted = false, escaped = false
        for character in argument[argument.index(after: equals)...] {
            if quoted {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { quoted = false }
            } else if character == "\"" {
                quoted = true
            } else if character == "[" || character == "{" {
                depth += 1
            } else if character == "]" || character == "}" {
                depth -= 1
            } else if character == ",", depth == 0 {
                values.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        values.append(current)
        guard !values.contains(where: \.isEmpty) else {
            throw TrainerError.usage(place, "an empty value; expected values separated by commas, such as 0.1,0.5,3")
        }
        // The path is checked as --set checks it.
        _ = try ConfigOverride("\(path)=\(values[0])").path
        return Axis(path: path, values: values)
    }

    /// The `--set` right-hand sides of every combination, the last axis
    /// varying fastest.
    static func combinations(of axes: [Axis]) throws(TrainerError) -> [[String]] {
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, product <= 1_000_000 else {
                throw TrainerError.usage("--vary", "more than 1,000,000 combinations; expected a smaller grid")
            }
            count = product
        }
        var result: [[String]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.map { prefix + ["\(axis.path)=\($0)"] } }
        }
        return result
    }

    /// How the printed lines start trainer: as it was started when that was
    /// a path (`.build/release/trainer`), else `trainer` from the PATH.
    static func program(_ argumentZero: String) -> String {
        argumentZero.contains("/") ? argumentZero : "trainer"
    }
}

/// Words for a POSIX shell: as they are when they hold only characters no
/// shell treats specially, else in single quotes.
enum ShellQuoting {
    static func quoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./=,:+@%".unicodeScalars.contains(scalar)
        }
        return plain && !word.isEmpty ? word : Completion.shellQuoted(word)
    }
}
