import Glibc

/// How values map to the y axis: as they are, or by their base-10 logarithm
/// (`--log-scale`). Charts place `transform(value)` linearly between the
/// transformed ends of the axis.
enum ValueScale: String, Sendable {
    case linear
    case log10

    func transform(_ value: Double) -> Double {
        switch self {
        case .linear: return value
        case .log10: return Glibc.log10(value)
        }
    }

    func inverse(_ position: Double) -> Double {
        switch self {
        case .linear: return position
        case .log10: return pow(10, position)
        }
    }

    /// Whether `value` has a place on this scale (a logarithm needs a value > 0).
    func admits(_ value: Double) -> Bool {
        self == .linear || value > 0
    }
}

/// The series of a chart, ready to draw: the points each column has on the
/// chosen scale, and how many were left out because they have none.
struct ChartData: Sendable {
    var series: [ChartSeries]
    var scale: ValueScale
    /// Per column, the values left out (values <= 0 on a log scale).
    var leftOut: [(name: String, count: Int)]

    /// The columns of `table` named in `names`, on `scale`.
    init(table: LossLogTable, columns names: [String], scale: ValueScale) {
        self.scale = scale
        series = []
        leftOut = []
        for name in names {
            let all = table.points(name)
            let kept = all.filter { scale.admits($0.y) }
            series.append(ChartSeries(name: name, points: kept))
            if kept.count < all.count { leftOut.append((name, all.count - kept.count)) }
        }
    }

    /// The largest magnitude plotted, and the smallest other than 0: beyond
    /// them the axis arithmetic (spans, ticks, logarithms) would overflow or
    /// lose its precision.
    static let largestMagnitude = 1e300
    static let smallestMagnitude = 1e-300

    /// Checks that every epoch and value is 0 or has a magnitude from
    /// 1e-300 to 1e300.
    func checkMagnitudes(file: String) throws(TrainerError) {
        for series in series {
            for point in series.points {
                for (name, value) in [(LossLogTable.xColumn, point.x), (series.name, point.y)] {
                    let magnitude = abs(value)
                    if magnitude != 0, magnitude < Self.smallestMagnitude || magnitude > Self.largestMagnitude {
                        throw TrainerError.file(
                            file,
                            "column '\(name)': \(value) is too \(magnitude > 1 ? "large" : "small") to plot; expected 0 or a magnitude from 1e-300 to 1e300"
                        )
                    }
                }
            }
        }
    }

    /// The smallest and largest epoch of any point, nil when there are none.
    var xRange: ClosedRange<Double>? {
        Self.range(series.flatMap { $0.points.map(\.x) })
    }

    /// The smallest and largest value of any point, nil when there are none.
    var yRange: ClosedRange<Double>? {
        Self.range(series.flatMap { $0.points.map(\.y) })
    }

    private static func range(_ values: [Double]) -> ClosedRange<Double>? {
        guard let low = values.min(), let high = values.max() else { return nil }
        return low...high
    }
}

/// Text helpers shared by the terminal and SVG charts.
enum ChartText {
    /// `text` without leading and trailing spaces and tabs.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = text.lastIndex(where: { !isBlank($0) })!
        return String(text[first...last])
    }

    /// A short label for an axis value: at most 3 significant digits
    /// (`0.693`, `0.00712`, `1.5e-5`), whole numbers up to 99999 in full
    /// (`2000`), exponents without `+` or leading zeros (`1e-5`, `2.5e6`).
    static func compact(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1, magnitude < 100_000, value == value.rounded() {
            return String(Int(value))
        }
        if magnitude >= 1000, magnitude < 100_000 {
            return String(cFormat: "%.0f", value)
        }
        return tidyExponent(String(cFormat: "%.3g", value))
    }

    /// `1e-05` -> `1e-5`, `1.23e+06` -> `1.23e6`.
    static func tidyExponent(_ text: String) -> String {
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "+" || exponent.first == "-" {
            if exponent.first == "-" { sign = "-" }
            exponent = exponent.dropFirst()
        }
        while exponent.count > 1, exponent.first == "0" { exponent = exponent.dropFirst() }
        return text[..<e] + "e" + sign + exponent
    }

    /// A label for an epoch: the whole number when it is one, else compact.
    static func epoch(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return compact(value)
    }
}
