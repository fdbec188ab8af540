import Glibc

/// `trainer gradcheck`: backprop against central differences, as a table.
struct GradcheckCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    static let defaultEpsilon = 1e-5
    static let defaultTolerance = 1e-6
    static let defaultMaximumPerLayer = 500

    func execute() throws -> Int32 {
        let setup = try RunSetup(arguments: arguments)
        let epsilon = try arguments.value("--epsilon").map { text throws(TrainerError) in
            try OptionValue.positiveNumber(text, option: "--epsilon")
        } ?? Self.defaultEpsilon
        let tolerance = try arguments.value("--tolerance").map { text throws(TrainerError) in
            try OptionValue.positiveNumber(text, option: "--tolerance")
        } ?? Self.defaultTolerance
        let maximumPerLayer = try arguments.value("--max-parameters").map { text throws(TrainerError) in
            try OptionValue.wholeNumber(text, option: "--max-parameters", minimum: 1)
        } ?? Self.defaultMaximumPerLayer
        // Gradients are checked in float64 whatever the config's precision:
        // float32's rounding would drown the differences being measured.
        let prepared = try setup.prepare(as: Double.self)
        var count = prepared.train.count
        if let text = arguments.value("--samples") {
            count = try OptionValue.wholeNumber(text, option: "--samples", minimum: 1)
            guard count <= prepared.train.count else {
                throw TrainerError.usage(
                    "--samples", "\(count) is more than the \(DataLoader.plural(prepared.train.count, "sample")) of data.train")
            }
        }
        let train = prepared.train.subset(Array(0..<count), name: prepared.train.name)
        let inputs = train.inputs, targets = train.targets
        let loss = setup.config.training.loss
        let check = GradientCheck.run(
            network: prepared.network, inputs: inputs, targets: targets, loss: loss,
            epsilon: epsilon, maximumPerLayer: maximumPerLayer, seed: setup.config.training.seed)

        try context.stdout.write(Self.report(
            check, file: setup.config.file, samples: count, loss: loss, epsilon: epsilon, tolerance: tolerance))
        guard let worst = check.worstRow, worst.maxRelativeError > tolerance else { return ExitCode.success }
        throw TrainerError(
            .failure, place: setup.config.file,
            "gradcheck: the largest relative error \(Self.scientific(worst.maxRelativeError)) (\(worst.worst)) exceeds the tolerance \(Self.scientific(tolerance))")
    }

    static func report(_ check: GradientCheck, file: String, samples: Int, loss: Loss, epsilon: Double, tolerance: Double) -> String {
        var lines: [String] = []
        lines.append("gradcheck: \(file): \(DataLoader.plural(samples, "sample")), \(loss.rawValue) loss, epsilon \(scientific(epsilon)), tolerance \(scientific(tolerance)) (float64)")
        lines.append("")
        let header = ["layer", "parameters", "checked", "max abs error", "max rel error", "worst"]
        var table = [header]
        for row in check.rows {
            table.append([
                row.name, MemoryEstimate.grouped(row.total),
                row.checked == row.total ? MemoryEstimate.grouped(row.checked) : "\(MemoryEstimate.grouped(row.checked)) (sample)",
                scientific(row.maxAbsoluteError), scientific(row.maxRelativeError), row.worst,
            ])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max()! }
        for row in table {
            lines.append(row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padded(to: widths[column] + 2)
            }.joined())
        }
        lines.append("")
        let checked = check.checkedParameters == check.totalParameters
            ? "all \(MemoryEstimate.grouped(check.totalParameters)) parameters"
            : "\(MemoryEstimate.grouped(check.checkedParameters)) of \(MemoryEstimate.grouped(check.totalParameters)) parameters; about \(duration(check.fullNumericalSeconds)) for all"
        lines.append("numerical gradient: \(duration(check.numericalSeconds)) for \(checked) (2 forward passes each)")
        lines.append("backprop gradient:  \(duration(check.backpropSeconds)) for all (1 forward and 1 backward pass)")
        if check.backpropSeconds > 0 {
            let ratio = check.fullNumericalSeconds / check.backpropSeconds
            lines.append("ratio:              numerical differentiation is \(MemoryEstimate.grouped(Int(ratio.rounded())))× slower")
        }
        if let worst = check.worstRow {
            let verdict = worst.maxRelativeError <= tolerance ? "ok: within" : "FAILED: above"
            lines.append("result: \(verdict) the tolerance; the largest relative error is \(scientific(worst.maxRelativeError)) (\(worst.worst))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `3.4e-09`.
    static func scientific(_ value: Double) -> String {
        value == 0 ? "0" : String(cFormat: "%.1e", value)
    }

    /// `12 µs`, `3.4 ms`, `2.1 s`, `4.8 min`, `20.5 h`.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1e-3: return String(cFormat: "%.1f µs", seconds * 1e6)
        case ..<1: return String(cFormat: "%.1f ms", seconds * 1e3)
        case ..<120: return String(cFormat: "%.1f s", seconds)
        case ..<7200: return String(cFormat: "%.1f min", seconds / 60)
        default: return String(cFormat: "%.1f h", seconds / 3600)
        }
    }
}
