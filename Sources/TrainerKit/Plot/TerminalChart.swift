/// A line chart in the terminal, drawn with Unicode braille characters
/// (U+2800-U+28FF): each character cell holds 2×4 dots, so a 65×17 cell
/// canvas is 130×68 dots.
///
/// Layout, `width` characters by `height` lines in all:
///
///     0.693 ┤⠑⠢⣀            the top row is labelled with the largest value,
///           │   ⠈⠉⠒⠤⣀⣀      the bottom row with the smallest, and the row
///      0.35 ┤         ...   holding the middle value with it (on a log
///           │               scale: the geometric middle)
///   0.00712 ┤          ⠉⠉⠉
///           └┬───────┬──────┬
///            1     1000  2000       the smallest, middle and largest epoch
///            x: epoch   ⣀⣀ loss   ⣀⣀ test_loss
///
/// A value v is drawn at dot row round((hi - t(v)) / (hi - lo) · (4·rows - 1))
/// from the top, where t is the scale (identity, or log10) and lo, hi are the
/// smallest and largest t(v) plotted; an epoch x at dot column
/// round((x - first) / (last - first) · (2·columns - 1)). Consecutive points
/// of a series are joined by straight lines, across rows where its cell is
/// empty. With colour, each series has its own ANSI colour (a cell takes the
/// colour of the last series drawn through it); without it, each has its
/// own dash pattern (solid, dashed, dotted, dash-dot, …), drawn in the
/// legend too, so that the lines are told apart on any terminal and on paper.
struct TerminalChart {
    /// The narrowest and lowest charts drawn (`--width`, `--height`).
    static let minimumWidth = 30
    static let minimumHeight = 6
    static let defaultWidth = 72
    static let defaultHeight = 20

    /// ANSI foreground colours, in series order: blue, red, green, yellow,
    /// magenta, cyan (close to the SVG's palette).
    static let colours = [34, 31, 32, 33, 35, 36]
    /// The legend's sample of a line.
    static let marker = "⣀⣀"
    /// Dash patterns by series (without colour), a dot drawn where true,
    /// counted along each line from its first point.
    static let dashes: [[Bool]] = [
        [true], [true, true, true, false, false], [true, false, false], [true, true, false, true, false, false],
        [true, false, false, false, false, false],
    ]

    var data: ChartData
    /// Characters per line, the y labels included.
    var width: Int = defaultWidth
    /// Lines, the x axis, its labels and the legend included.
    var height: Int = defaultHeight
    /// Whether to write ANSI colour escapes.
    var colour: Bool = false

    /// The chart, lines ending in newlines, no trailing spaces.
    /// - Precondition: at least one series has a point.
    func render() -> String {
        let xData = data.xRange!, yData = data.yRange!
        // The y axis, in transformed units (log10 on a log scale).
        var (lo, hi) = (data.scale.transform(yData.lowerBound), data.scale.transform(yData.upperBound))
        if lo == hi {
            // One value: a band around it (half a decade on a log scale).
            let pad = data.scale == .log10 ? 0.5 : (lo == 0 ? 1 : abs(lo) * 0.1)
            (lo, hi) = (lo - pad, hi + pad)
        }
        var (first, last) = (xData.lowerBound, xData.upperBound)
        if first == last { (first, last) = (first - 1, last + 1) }

        let middleValue = data.scale.inverse((lo + hi) / 2)
        let topLabel = ChartText.compact(data.scale.inverse(hi))
        let bottomLabel = ChartText.compact(data.scale.inverse(lo))
        let middleLabel = ChartText.compact(middleValue)
        let labelWidth = [topLabel, bottomLabel, middleLabel].map(\.count).max()!
        let columns = max(4, width - labelWidth - 2)
        let indent = String(repeating: " ", count: labelWidth + 2)

        let legend = legendLines(indent: indent)
        let rows = max(2, height - 2 - legend.count)
        let dotColumns = 2 * columns, dotRows = 4 * rows

        func dotColumn(_ x: Double) -> Int { dot((x - first) / (last - first), of: dotColumns) }
        func dotRow(_ t: Double) -> Int { dot((hi - t) / (hi - lo), of: dotRows) }

        // The canvas: braille bits and the series drawn last, per cell.
        var cells = [UInt8](repeating: 0, count: rows * columns)
        var owner = [Int](repeating: -1, count: rows * columns)
        func set(_ x: Int, _ y: Int, _ series: Int) {
            let cell = (y / 4) * columns + x / 2
            cells[cell] |= Self.bit(x: x % 2, y: y % 4)
            owner[cell] = series
        }
        for (index, series) in data.series.enumerated() {
            let dots = series.points.map { (dotColumn($0.x), dotRow(data.scale.transform($0.y))) }
            guard var previous = dots.first else { continue }
            let pattern = colour ? [true] : Self.dashes[index % Self.dashes.count]
            var step = 0
            set(previous.0, previous.1, index)
            for dot in dots.dropFirst() {
                Self.line(from: previous, to: dot) { x, y in
                    // The shared end of two segments is counted once.
                    if (x, y) == previous, step > 0 { return }
                    if pattern[step % pattern.count] { set(x, y, index) }
                    step += 1
                }
                previous = dot
            }
        }

        // Tick rows and their labels.
        var rowLabels: [Int: String] = [0: topLabel, rows - 1: bottomLabel]
        let middleRow = dotRow((lo + hi) / 2) / 4
        if middleRow > 0, middleRow < rows - 1 { rowLabels[middleRow] = middleLabel }

        var lines: [String] = []
        for row in 0..<rows {
            let label = rowLabels[row] ?? ""
            var line = String(repeating: " ", count: labelWidth - label.count) + label + " "
            line += rowLabels[row] == nil ? "│" : "┤"
            var current = -1
            // Up to the last dot only, so that no line ends in spaces (nor
            // in spaces before a colour reset).
            var used = columns
            while used > 0, cells[row * columns + used - 1] == 0 { used -= 1 }
            for column in 0..<used {
                let cell = row * columns + column
                if cells[cell] == 0 {
                    line += " "
                    continue
                }
                if colour, owner[cell] != current {
                    current = owner[cell]
                    line += "\u{1B}[\(Self.colours[current % Self.colours.count])m"
                }
                line += String(UnicodeScalar(0x2800 + UInt32(cells[cell]))!)
            }
            if colour, current != -1 { line += "\u{1B}[0m" }
            lines.append(line)
        }

        // The x axis: ticks at the first, middle and last epoch.
        let allWhole = data.series.allSatisfy { $0.points.allSatisfy { $0.x == $0.x.rounded() } }
        var middleEpoch = (first + last) / 2
        if allWhole { middleEpoch = middleEpoch.rounded(.down) }
        // The ends first, then the middle if its label touches neither.
        let ticks: [(column: Int, label: String, start: (Int) -> Int)] = [
            (0, ChartText.epoch(first), { _ in 0 }),
            (columns - 1, ChartText.epoch(last), { columns - $0 }),
            (dotColumn(middleEpoch) / 2, ChartText.epoch(middleEpoch), { dotColumn(middleEpoch) / 2 - $0 / 2 }),
        ]
        var axis = Array(repeating: "─", count: columns)
        var labels = [Character](repeating: " ", count: columns)
        var taken: [ClosedRange<Int>] = []
        for tick in ticks {
            let text = Array(tick.label)
            let start = tick.start(text.count)
            let span = (start - 1)...(start + text.count)
            guard start >= 0, start + text.count <= columns, !taken.contains(where: { $0.overlaps(span) }) else { continue }
            axis[tick.column] = "┬"
            for (offset, character) in text.enumerated() { labels[start + offset] = character }
            taken.append(start...(start + text.count - 1))
        }
        lines.append(String(repeating: " ", count: labelWidth + 1) + "└" + axis.joined())
        lines.append(indent + String(labels))
        lines += legend
        return lines.map(Self.trimmingTrailingSpaces).joined(separator: "\n") + "\n"
    }

    /// `x: epoch   ⣀⣀ loss   ⣀⣀ test_loss`, wrapped to the width.
    private func legendLines(indent: String) -> [String] {
        var entries = ["x: epoch"]
        for (index, series) in data.series.enumerated() {
            let marker =
                colour
                ? "\u{1B}[\(Self.colours[index % Self.colours.count])m\(Self.marker)\u{1B}[0m"
                : Self.sample(Self.dashes[index % Self.dashes.count])
            entries.append(marker + " " + series.name)
        }
        if data.scale == .log10 { entries.append("(y: log scale)") }
        var lines: [String] = []
        var line = indent, visible = indent.count
        for entry in entries {
            let length = visibleLength(entry)
            if visible > indent.count, visible + 3 + length > width {
                lines.append(line)
                (line, visible) = (indent, indent.count)
            }
            if visible > indent.count {
                line += "   "
                visible += 3
            }
            line += entry
            visible += length
        }
        lines.append(line)
        return lines
    }

    /// A legend's line in a dash pattern: its first 4 dots along the cells'
    /// bottom row, 2 characters (`⣀⣀` solid, `⣀⡀` dashed, `⡀⢀` dotted,
    /// `⣀⢀` dash-dot), as wide as ``marker``.
    static func sample(_ pattern: [Bool]) -> String {
        var text = ""
        for cell in 0..<2 {
            var bits: UInt8 = 0
            for x in 0..<2 where pattern[(2 * cell + x) % pattern.count] { bits |= bit(x: x, y: 3) }
            text += String(UnicodeScalar(0x2800 + UInt32(bits))!)
        }
        return text
    }

    /// Characters on screen, leaving out ANSI escapes.
    private func visibleLength(_ text: String) -> Int {
        var count = 0, inEscape = false
        for character in text {
            if character == "\u{1B}" {
                inEscape = true
                continue
            }
            if inEscape {
                if character == "m" { inEscape = false }
                continue
            }
            count += 1
        }
        return count
    }

    /// The braille bit of dot (x, y) in a cell, x in 0...1, y in 0...3 from the top:
    /// dots 1-2-3 and 7 down the left column, 4-5-6 and 8 down the right.
    static func bit(x: Int, y: Int) -> UInt8 {
        brailleBits[x][y]
    }

    /// ``bit(x:y:)``'s table: `[x][y]`.
    private static let brailleBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Calls `plot` for each dot of the straight line from `a` to `b`
    /// (Bresenham's algorithm), both ends included.
    static func line(from a: (Int, Int), to b: (Int, Int), _ plot: (Int, Int) -> Void) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var error = dx + dy
        while true {
            plot(x, y)
            if x == b.0, y == b.1 { return }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += sx
            }
            if doubled <= dx {
                error += dx
                y += sy
            }
        }
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}

/// The dot `fraction` of the way along `count` dots (0 is the first, 1 the
/// last), rounded to the nearest.
private func dot(_ fraction: Double, of count: Int) -> Int {
    guard fraction.isFinite else { return 0 }
    return Int((min(max(fraction, 0), 1) * Double(count - 1)).rounded())
}
