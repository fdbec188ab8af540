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
        let epsilon =
            try arguments.value("--epsilon").map { text throws(TrainerError) in
                try OptionValue.positiveNumber(text, option: "--epsilon")
            } ?? Self.defaultEpsilon
        let tolerance =
            try arguments.value("--tolerance").map { text throws(TrainerError) in
                try OptionValue.positiveNumber(text, option: "--tolerance")
            } ?? Self.defaultTolerance
        let maximumPerLayer =
            try arguments.value("--max-parameters").map { text throws(TrainerError) in
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

        try context.stdout.write(
            Self.report(
                check, file: setup.config.file, samples: count, loss: loss, epsilon: epsilon, tolerance: tolerance))
        guard let failure = Self.failure(of: check, tolerance: tolerance) else { return ExitCode.success }
        throw TrainerError(.failure, place: setup.config.file, "gradcheck: \(failure.error)")
    }

    /// Why the check failed, for the result line and the error line, or nil
    /// when it passed. A loss or a gradient that is not finite fails it
    /// first: nothing was compared there, whatever the errors say.
    static func failure(of check: GradientCheck, tolerance: Double) -> (result: String, error: String)? {
        if !check.loss.isFinite {
            let reason = "the loss is \(value(check.loss)), so no gradient could be compared"
            return (reason, reason + "; expected a finite loss")
        }
        if let first = check.firstNotCompared {
            let count = check.notCompared, checked = MemoryEstimate.grouped(check.checkedParameters)
            let which =
                count == check.checkedParameters
                ? "all \(checked) checked gradients are not finite, so none could be compared"
                : "\(MemoryEstimate.grouped(count)) of the \(checked) checked gradients \(count == 1 ? "is" : "are") not finite, so \(count == 1 ? "it" : "they") could not be compared"
            let reason =
                "\(which) (\(count == 1 ? "" : "first ")\(first.name): backprop \(value(first.backprop)), numerical \(value(first.numerical)))"
            return (reason, reason + "; expected finite gradients")
        }
        if let worst = check.worstRow, worst.maxRelativeError > tolerance {
            return (
                "above the tolerance; the largest relative error is \(scientific(worst.maxRelativeError)) (\(worst.worst))",
                "the largest relative error \(scientific(worst.maxRelativeError)) (\(worst.worst)) exceeds the tolerance \(scientific(tolerance))"
            )
        }
        return nil
    }

    static func report(_ check: GradientCheck, file: String, samples: Int, loss: Loss, epsilon: Double, tolerance: Double) -> String {
        var lines: [String] = []
        lines.append(
            "gradcheck: \(file): \(DataLoader.plural(samples, "sample")), \(loss.rawValue) loss, epsilon \(scientific(epsilon)), tolerance \(scientific(tolerance)) (float64)"
        )
        lines.append("")
        let header = ["layer", "parameters", "checked", "max abs error", "max rel error", "worst"]
        var table = [header]
        for row in check.rows {
            // A row none of whose gradients is finite has no errors to show.
            let compared = row.notCompared < row.checked
            table.append([
                row.name, MemoryEstimate.grouped(row.total),
                row.checked == row.total ? MemoryEstimate.grouped(row.checked) : "\(MemoryEstimate.grouped(row.checked)) (sample)",
                compared ? scientific(row.maxAbsoluteError) : "-", compared ? scientific(row.maxRelativeError) : "-",
                compared ? row.worst : "-",
            ])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max()! }
        for row in table {
            lines.append(
                row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padded(to: widths[column] + 2)
                }.joined())
        }
        lines.append("")
        let checked =
            check.checkedParameters == check.totalParameters
            ? "all \(MemoryEstimate.grouped(check.totalParameters)) parameters"
            : "\(MemoryEstimate.grouped(check.checkedParameters)) of \(MemoryEstimate.grouped(check.totalParameters)) parameters; about \(duration(check.fullNumericalSeconds)) for all"
        lines.append("numerical gradient: \(duration(check.numericalSeconds)) for \(checked) (2 forward passes each)")
        lines.append("backprop gradient:  \(duration(check.backpropSeconds)) for all (1 forward and 1 backward pass)")
        if check.backpropSeconds > 0 {
            let ratio = check.fullNumericalSeconds / check.backpropSeconds
            lines.append("ratio:              numerical differentiation is \(MemoryEstimate.grouped(Int(ratio.rounded())))× slower")
        }
        if let failure = failure(of: check, tolerance: tolerance) {
            lines.append("result: FAILED: \(failure.result)")
        } else if let worst = check.worstRow {
            lines.append(
                "result: ok: within the tolerance; the largest relative error is \(scientific(worst.maxRelativeError)) (\(worst.worst))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `3.4e-09`, or `inf`, `-inf`, `nan` (never printf's `-nan`).
    static func value(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        return scientific(number)
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
