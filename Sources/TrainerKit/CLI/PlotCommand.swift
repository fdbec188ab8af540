import Glibc

/// `trainer plot LOSS.csv`: a chart of a loss log, in the terminal (braille
/// dots, on stdout) or as an SVG file (`--svg OUT.svg`).
struct PlotCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let path = arguments.positionals[0]
        let display = FileReading.display(of: path)
        // The command line is checked before anything is read.
        var width = TerminalChart.defaultWidth, height = TerminalChart.defaultHeight
        if let text = arguments.value("--width") {
            width = try OptionValue.wholeNumber(text, option: "--width", minimum: TerminalChart.minimumWidth, maximum: 10_000)
        }
        if let text = arguments.value("--height") {
            height = try OptionValue.wholeNumber(text, option: "--height", minimum: TerminalChart.minimumHeight, maximum: 10_000)
        }
        let scale: ValueScale = arguments.has("--log-scale") ? .log10 : .linear
        let svgPath = arguments.value("--svg")
        if let svgPath {
            try checkOutput(svgPath, input: path)
        }

        let bytes = try FileReading.read(argument: path)
        let table = try LossLogTable.parse(bytes, file: display)
        let columns = try table.series(named: arguments.value("--columns"))
        let data = ChartData(table: table, columns: columns, scale: scale)
        guard data.yRange != nil else {
            if table.rows.isEmpty {
                throw TrainerError.file(display, "no rows after the header yet; nothing to plot")
            }
            let names = columns.joined(separator: ", ")
            if scale == .log10 {
                throw TrainerError.file(display, "no values > 0 in \(names); a log scale has no place for the others")
            }
            throw TrainerError.file(display, "no values in \(names); every cell is empty")
        }
        try data.checkMagnitudes(file: display)
        if !data.leftOut.isEmpty {
            let counts = data.leftOut.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")
            context.note("trainer: note: --log-scale leaves out values <= 0: \(counts)")
        }

        if let svgPath {
            let title = path == "-" ? "stdin" : Paths.fileName(of: path)
            let svg = SVGChart(data: data, title: title).render()
            if svgPath == "-" {
                try context.stdout.write(svg)
            } else {
                // The same folder creation as run's outputs.
                try OutputPlan.createFolder(for: FilePath(path: svgPath))
                try AtomicFile.write(svg, to: svgPath, display: svgPath)
            }
            return ExitCode.success
        }
        let chart = TerminalChart(data: data, width: width, height: height, colour: usesColour)
        try context.stdout.write(chart.render())
        return ExitCode.success
    }

    /// ANSI colour only on a terminal, and not when NO_COLOR is set to
    /// anything but the empty string (no-color.org) or TERM is `dumb`.
    var usesColour: Bool {
        guard context.stdoutIsTerminal else { return false }
        if let noColour = context.environment["NO_COLOR"], !noColour.isEmpty { return false }
        return context.environment["TERM"] != "dumb"
    }

    /// The SVG output must be writable and must not be the log itself.
    private func checkOutput(_ svgPath: String, input: String) throws(TrainerError) {
        guard !svgPath.isEmpty else {
            throw TrainerError.usage("--svg", "expected a file path (or '-' for stdout), found an empty string")
        }
        guard svgPath != "-" else { return }
        try OutputPlan.checkWritable(FilePath(path: svgPath))
        if input != "-", OutputPlan.identity(AtomicFile.resolveSymlinks(svgPath)) == OutputPlan.identity(input) {
            throw TrainerError.usage("--svg", "same file as the loss log (\(input)); writing it would destroy the log")
        }
    }
}
