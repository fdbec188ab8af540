import Glibc

/// A line chart as a standalone SVG file: white background, axes with ticks
/// and labels, grid lines, the axis titles, a legend, the file name as the
/// title, and exactly one `<path class="series" data-column="NAME">` per
/// series (the only `<path>` elements in the file).
///
/// The mapping from data to the picture is exact and written into the file,
/// so the values can be read back. The `<g class="plot">` element holding
/// the paths carries the plot area (`data-left`, `data-top`, `data-width`,
/// `data-height`, in pixels) and the axis ends in data units (`data-x-min`,
/// `data-x-max`, `data-y-min`, `data-y-max`, each the shortest decimal that
/// reads back to the value used) and `data-y-scale` (`linear` or `log10`).
/// A point (epoch, value) is at
///
///     x = left + (epoch - xMin) / (xMax - xMin) · width
///     y = top + (t(yMax) - t(value)) / (t(yMax) - t(yMin)) · height
///
/// where t is the identity on a linear scale and log10 on a log scale. The
/// path is `M x y L x y L x y ...`, one point per row that has a value for
/// the column (in file order; rows whose cell is empty are skipped, so the
/// line joins their neighbours), each coordinate written with 6 decimals at
/// most (so a value reads back to within 5e-7 px). A series without points
/// has an empty `d`.
///
/// The axes end at round tick values (1, 2 or 5 times a power of ten; whole
/// decades on a log scale) enclosing every point.
struct SVGChart {
    var data: ChartData
    /// The chart's title: the loss log's file name.
    var title: String

    static let width = 720.0
    static let plotLeft = 80.0, plotTop = 44.0, plotWidth = 610.0, plotHeight = 300.0
    /// Line colours, in series order (the "tab10" palette of matplotlib).
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2"]

    /// The SVG document, ending in a newline.
    /// - Precondition: at least one series has a point.
    func render() -> String {
        Self.document(title: title, panels: [data])
    }

    /// One document holding a chart per element of `panels`, one under the
    /// other (losses above accuracies, so that neither squashes the other),
    /// each with its own axes and legend, under one title.
    /// - Precondition: every panel has a series with a point.
    static func document(title: String, panels: [ChartData]) -> String {
        var body = ""
        var top = plotTop
        for data in panels {
            let (svg, end) = SVGChart(data: data, title: title).panel(top: top)
            body += svg
            top = end + plotTop - 6
        }
        let height = top - plotTop + 6
        return SVGText.header(width: width, height: height, title: title)
            + "<text class=\"title\" x=\"\(n(plotLeft + plotWidth / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
            + body + "</svg>\n"
    }

    /// Line dash patterns, in series order (`stroke-dasharray`), so that the
    /// lines are told apart without colour too; the first is solid.
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 6"]

    /// A chart whose plot area starts `top` px down: its SVG, and the y of
    /// its bottom edge (below the legend).
    private func panel(top: Double) -> (svg: String, end: Double) {
        let xAxis = Self.linearAxis(data.xRange!, wholeSteps: data.series.allSatisfy { $0.points.allSatisfy { $0.x == $0.x.rounded() } })
        let yAxis = data.scale == .log10 ? Self.logAxis(data.yRange!) : Self.linearAxis(data.yRange!, wholeSteps: false)
        let (left, top, plotWidth, plotHeight) = (Self.plotLeft, top, Self.plotWidth, Self.plotHeight)
        let bottom = top + plotHeight, right = left + plotWidth
        let (t0, t1) = (data.scale.transform(yAxis.low), data.scale.transform(yAxis.high))
        func px(_ x: Double) -> Double { left + (x - xAxis.low) / (xAxis.high - xAxis.low) * plotWidth }
        func py(_ value: Double) -> Double { top + (t1 - data.scale.transform(value)) / (t1 - t0) * plotHeight }

        let legend = legendLayout(top: bottom + 62)
        var svg = ""
        // Grid lines and tick marks with their labels.
        svg += "<g class=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n"
        for tick in xAxis.ticks { svg += "  <line x1=\"\(n(px(tick)))\" y1=\"\(n(top))\" x2=\"\(n(px(tick)))\" y2=\"\(n(bottom))\"/>\n" }
        for tick in yAxis.ticks { svg += "  <line x1=\"\(n(left))\" y1=\"\(n(py(tick)))\" x2=\"\(n(right))\" y2=\"\(n(py(tick)))\"/>\n" }
        svg += "</g>\n"
        svg += "<g class=\"x-ticks\" stroke=\"black\">\n"
        for tick in xAxis.ticks {
            svg += "  <line x1=\"\(n(px(tick)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(tick)))\" y2=\"\(n(bottom + 5))\"/>\n"
        }
        svg += "</g>\n<g class=\"x-tick-labels\" text-anchor=\"middle\">\n"
        for (tick, label) in zip(xAxis.ticks, xAxis.labels) {
            svg += "  <text x=\"\(n(px(tick)))\" y=\"\(n(bottom + 19))\">\(Self.escape(label))</text>\n"
        }
        svg += "</g>\n<g class=\"y-ticks\" stroke=\"black\">\n"
        for tick in yAxis.ticks { svg += "  <line x1=\"\(n(left - 5))\" y1=\"\(n(py(tick)))\" x2=\"\(n(left))\" y2=\"\(n(py(tick)))\"/>\n" }
        svg += "</g>\n<g class=\"y-tick-labels\" text-anchor=\"end\">\n"
        for (tick, label) in zip(yAxis.ticks, yAxis.labels) {
            svg += "  <text x=\"\(n(left - 8))\" y=\"\(n(py(tick)))\" dy=\"0.35em\">\(Self.escape(label))</text>\n"
        }
        svg += "</g>\n"
        svg +=
            "<rect class=\"axes\" x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotWidth))\" height=\"\(n(plotHeight))\" fill=\"none\" stroke=\"black\"/>\n"
        svg +=
            "<text class=\"axis-title x-title\" x=\"\(n(left + plotWidth / 2))\" y=\"\(n(bottom + 40))\" text-anchor=\"middle\">epoch</text>\n"
        let yTitle = (data.series.count == 1 ? data.series[0].name : "value") + (data.scale == .log10 ? " (log scale)" : "")
        svg +=
            "<text class=\"axis-title y-title\" transform=\"translate(18 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yTitle))</text>\n"

        // The series.
        svg +=
            "<g class=\"plot\" data-left=\"\(n(left))\" data-top=\"\(n(top))\" data-width=\"\(n(plotWidth))\" data-height=\"\(n(plotHeight))\" "
        svg +=
            "data-x-min=\"\(xAxis.low)\" data-x-max=\"\(xAxis.high)\" data-y-min=\"\(yAxis.low)\" data-y-max=\"\(yAxis.high)\" data-y-scale=\"\(data.scale.rawValue)\" "
        svg += "fill=\"none\" stroke-width=\"1.5\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for (index, series) in data.series.enumerated() {
            var d = ""
            for (number, point) in series.points.enumerated() {
                d += (number == 0 ? "M" : " L") + n(px(point.x)) + " " + n(py(point.y))
            }
            svg +=
                "  <path class=\"series\" data-column=\"\(Self.escape(series.name))\" stroke=\"\(colour(index))\"\(dash(index)) d=\"\(d)\"/>\n"
        }
        svg += "</g>\n"

        // The legend, below the x axis title.
        svg += "<g class=\"legend\">\n"
        for (index, entry) in legend.enumerated() {
            svg +=
                "  <line x1=\"\(n(entry.x))\" y1=\"\(n(entry.y))\" x2=\"\(n(entry.x + 24))\" y2=\"\(n(entry.y))\" stroke=\"\(colour(index))\"\(dash(index)) stroke-width=\"2.5\"/>\n"
            svg += "  <text x=\"\(n(entry.x + 30))\" y=\"\(n(entry.y))\" dy=\"0.35em\">\(Self.escape(data.series[index].name))</text>\n"
        }
        svg += "</g>\n"
        return (svg, (legend.last?.y ?? bottom + 62) + 22)
    }

    private func colour(_ index: Int) -> String { Self.colours[index % Self.colours.count] }

    /// ` stroke-dasharray="7 4"`, or nothing for the solid first series.
    private func dash(_ index: Int) -> String {
        let pattern = Self.dashes[index % Self.dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    /// Where each legend entry's line starts: left to right in rows of 20 px,
    /// a new row when the next entry would pass the plot's right edge
    /// (names are measured at 7 px a character, about 12 px sans-serif).
    private func legendLayout(top: Double) -> [(x: Double, y: Double)] {
        var positions: [(x: Double, y: Double)] = []
        var x = Self.plotLeft, y = top
        for series in data.series {
            let entryWidth = 30 + 7 * Double(series.name.count)
            if x > Self.plotLeft, x + entryWidth > Self.plotLeft + Self.plotWidth {
                (x, y) = (Self.plotLeft, y + 20)
            }
            positions.append((x, y))
            x += entryWidth + 18
        }
        return positions
    }

    /// An axis: its ends, its ticks (ends included), and their labels.
    struct Axis: Equatable {
        var low: Double
        var high: Double
        var ticks: [Double]
        var labels: [String]
    }

    /// Round ticks about 5 apart, 1, 2 or 5 times a power of ten, the axis
    /// ending at ticks that enclose `range`.
    /// - Parameter wholeSteps: steps of at least 1 (epochs are whole numbers).
    static func linearAxis(_ range: ClosedRange<Double>, wholeSteps: Bool) -> Axis {
        var (low, high) = (range.lowerBound, range.upperBound)
        if low == high {
            let pad = wholeSteps ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, (Glibc.log10(raw)).rounded(.down))
        let residual = raw / magnitude
        var step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        if wholeSteps { step = max(step, 1) }
        // The slack keeps rounding error (3.0000000001 steps) from adding a tick.
        let first = (low / step + 1e-9).rounded(.down), last = (high / step - 1e-9).rounded(.up)
        guard step.isFinite, step > 0, last - first <= 50 else {
            // Not reached with values the plot command accepts (magnitudes
            // up to 1e300): the ends as they are, rather than a trap.
            return Axis(low: low, high: high, ticks: [low, high], labels: [ChartText.compact(low), ChartText.compact(high)])
        }
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        let decimals = max(0, -Int((Glibc.log10(step) + 1e-9).rounded(.down)))
        let huge = ticks.map(abs).max()! >= 1e6 || decimals > 6
        let labels = ticks.map { tick -> String in
            if tick == 0 { return "0" }
            return huge ? ChartText.compact(tick) : String(cFormat: "%.\(decimals)f", tick)
        }
        return Axis(low: ticks.first!, high: ticks.last!, ticks: ticks, labels: labels)
    }

    /// Whole decades enclosing `range` (all values > 0), a tick at each (at
    /// every second, third, ... decade when there are more than 8).
    static func logAxis(_ range: ClosedRange<Double>) -> Axis {
        let first = Glibc.log10(range.lowerBound).rounded(.down)
        var last = Glibc.log10(range.upperBound).rounded(.up)
        if last == first { last += 1 }
        let every = max(1, Int(((last - first) / 8).rounded(.up)))
        let decades = stride(from: Int(first), through: Int(last), by: every).map { Double($0) }
        let ticks = decades.map { pow(10, $0) }
        return Axis(low: pow(10, first), high: pow(10, last), ticks: ticks, labels: ticks.map(ChartText.compact))
    }

    /// `&`, `<`, `>`, `"` and `'` as XML entities.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// A coordinate with 6 decimals at most, without trailing zeros (`80`, `12.5`,
/// `301.234568`).
private func n(_ value: Double) -> String {
    var text = String(cFormat: "%.6f", value)
    while text.last == "0" { text.removeLast() }
    if text.last == "." { text.removeLast() }
    return text == "-0" ? "0" : text
}

/// What every picture trainer draws shares with ``SVGChart``: the numbers in
/// coordinates and the escaping of text.
enum SVGText {
    /// A coordinate with 6 decimals at most, without trailing zeros.
    static func number(_ value: Double) -> String { n(value) }
    /// Text for an element or an attribute.
    static func escape(_ text: String) -> String { SVGChart.escape(text) }
    /// The document's start: the XML declaration, the `<svg>` element of
    /// `width` × `height` px, the title, and the white background.
    static func header(width: Double, height: Double, title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="12">
        <title>\(escape(title))</title>
        <rect class="background" x="0" y="0" width="\(n(width))" height="\(n(height))" fill="white"/>

        """
    }
}
