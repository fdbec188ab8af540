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

        let colour = try usesColour
        let follow = arguments.has("--follow")
        if !follow {
            let bytes = try FileReading.read(argument: path)
            try draw(bytes, path: path, display: display, scale: scale, svgPath: svgPath, width: width, height: height, colour: colour)
            return ExitCode.success
        }
        return try followLog(path: path, display: display) { bytes, ended throws in
            // Until the header and a row have come, there is nothing to draw
            // yet; a chart that is not on a terminal or in a file is drawn once,
            // at the end.
            guard (try? LossLogTable.parse(bytes, file: display))?.rows.isEmpty == false else { return }
            guard ended || svgPath != nil || context.stdoutIsTerminal else { return }
            if svgPath == nil, context.stdoutIsTerminal, let lines = drawn.lines {
                // Up to the previous chart's first line, and clear below.
                try context.stdout.write("\u{1B}[\(lines)F\u{1B}[J")
            }
            try draw(bytes, path: path, display: display, scale: scale, svgPath: svgPath, width: width, height: height, colour: colour)
            try context.stdout.flush()
        }
    }

    /// What `--follow` drew last.
    private let drawn = DrawnChart()

    private final class DrawnChart {
        /// Lines of the last terminal chart (for `--follow`'s redraw); 0 for an SVG.
        var lines: Int?
    }

    /// Draws the log in `bytes`: losses and accuracies in separate panels
    /// (one above the other) when the columns hold both.
    private func draw(
        _ bytes: [UInt8], path: String, display: String, scale: ValueScale, svgPath: String?, width: Int, height: Int, colour: Bool
    ) throws {
        let table = try LossLogTable.parse(bytes, file: display)
        let columns = try table.series(named: arguments.value("--columns"))
        let accuracies = columns.filter { $0.hasSuffix("accuracy") }, others = columns.filter { !$0.hasSuffix("accuracy") }
        let splits = !accuracies.isEmpty && !others.isEmpty && (svgPath != nil || height >= 2 * TerminalChart.minimumHeight)
        let groups = splits ? [others, accuracies] : [columns]
        var panels: [ChartData] = []
        for group in groups {
            let data = ChartData(table: table, columns: group, scale: scale)
            guard data.yRange != nil else {
                if table.rows.isEmpty {
                    throw TrainerError.file(display, "no rows after the header yet; nothing to plot")
                }
                let names = group.joined(separator: ", ")
                if scale == .log10 {
                    throw TrainerError.file(display, "no values > 0 in \(names); a log scale has no place for the others")
                }
                throw TrainerError.file(display, "no values in \(names); every cell is empty")
            }
            try data.checkMagnitudes(file: display)
            panels.append(data)
        }
        let leftOut = panels.flatMap(\.leftOut)
        if !leftOut.isEmpty, drawn.lines == nil {
            let counts = leftOut.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")
            context.note("trainer: note: --log-scale leaves out values <= 0: \(counts)")
        }

        if let svgPath {
            let title = path == "-" ? "stdin" : Paths.fileName(of: path)
            let svg = SVGChart.document(title: title, panels: panels)
            try OutputPlan.write(svg, to: svgPath, stdout: context.stdout)
            drawn.lines = 0
            return
        }
        // The height shared out: the first panel takes the odd line.
        var text = ""
        for (index, data) in panels.enumerated() {
            let share = panels.count == 1 ? height : (index == 0 ? (height + 1) / 2 : height / 2)
            text += TerminalChart(data: data, width: width, height: share, colour: colour).render()
        }
        try context.stdout.write(text)
        drawn.lines = text.utf8.count(where: { $0 == UInt8(ascii: "\n") })
    }

    /// `--follow`: calls `draw` with everything read so far, once the input
    /// has a new whole line and at most five times a second, until the input
    /// ends (a pipe: `tail -F log | trainer plot - --follow`) or, for a file,
    /// until the process is interrupted (it is read as `tail -f` reads one).
    /// - Parameter draw: given the bytes so far and whether the input ended.
    private func followLog(path: String, display: String, draw: ([UInt8], Bool) throws -> Void) throws -> Int32 {
        let (descriptor, status) = try FileReading.open(path == "-" ? "/dev/stdin" : path, display: display)
        defer { close(descriptor) }
        let isFile = (status.st_mode & S_IFMT) == S_IFREG
        var bytes: [UInt8] = []
        var drawnUpTo = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let clock = ContinuousClock()
        var lastDraw = clock.now - .seconds(1)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TrainerError.file(display, systemErrorText(errno))
            }
            if count > 0 {
                guard bytes.count + count <= FileReading.maximumSize else {
                    throw TrainerError.file(display, "larger than \(FileReading.maximumSize >> 20) MiB; expected a smaller log")
                }
                bytes.append(contentsOf: chunk[0..<count])
            }
            let ended = count == 0 && !isFile
            let wholeLines = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            if wholeLines > drawnUpTo, ended || clock.now - lastDraw >= .milliseconds(200) {
                try draw(bytes, ended)
                drawnUpTo = wholeLines
                lastDraw = clock.now
            }
            if ended {
                if drawn.lines == nil { try self.draw(bytes, path: path, display: display) }
                return ExitCode.success
            }
            // At the end of a file, wait for it to grow.
            if count == 0 { usleep(100_000) }
        }
    }

    /// The plain draw once more, so that a log that never had a row is the
    /// error it is without `--follow`.
    private func draw(_ bytes: [UInt8], path: String, display: String) throws {
        try draw(
            bytes, path: path, display: display, scale: arguments.has("--log-scale") ? .log10 : .linear, svgPath: arguments.value("--svg"),
            width: TerminalChart.defaultWidth, height: TerminalChart.defaultHeight, colour: false)
    }

    /// ANSI colour: `--color always` or `never`; by default (`auto`) only on
    /// a terminal, and not when NO_COLOR is set to anything but the empty
    /// string (no-color.org) or TERM is `dumb`.
    var usesColour: Bool {
        get throws(TrainerError) {
            switch arguments.value("--color") ?? "auto" {
            case "always": return true
            case "never": return false
            case "auto":
                guard context.stdoutIsTerminal else { return false }
                if let noColour = context.environment["NO_COLOR"], !noColour.isEmpty { return false }
                return context.environment["TERM"] != "dumb"
            case let other:
                throw TrainerError.usage("--color", "expected auto, always or never, found \"\(other)\"")
            }
        }
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
