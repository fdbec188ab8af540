/// `trainer eval … --svg cm.svg`: the confusion matrix as a heat map, one
/// square per (actual, predicted) pair with its count written in it, shaded
/// by the share of its row (of the samples of that actual class), so that a
/// good classifier is a dark diagonal. Rows are actual classes, columns
/// predicted ones, each labelled with its class name (or index).
///
/// Each square is `<rect class="cell" data-actual="i" data-predicted="j"
/// data-count="N">`, followed by its `<text class="count">`.
struct ConfusionSVG {
    /// `counts[actual][predicted]`.
    var counts: [[Int]]
    var classNames: [String]
    var title: String
    var subtitle: String

    func render() -> String {
        let k = counts.count
        let cell = min(56.0, max(14.0, 560.0 / Double(k)))
        let labelWidth = min(160.0, 12 + 7 * Double(classNames.map(\.count).max() ?? 1))
        let left = 40 + labelWidth, top = 96.0
        let side = cell * Double(k)
        let width = max(left + side + 40, 520), height = top + side + 60
        let fontSize = min(13.0, cell * 0.32)
        var svg = SVGText.header(width: width, height: height, title: title)
        svg +=
            "<text class=\"title\" x=\"\(SVGText.number(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">\(SVGText.escape(title))</text>\n"
        svg +=
            "<text class=\"subtitle\" x=\"\(SVGText.number(width / 2))\" y=\"46\" text-anchor=\"middle\">\(SVGText.escape(subtitle))</text>\n"
        svg +=
            "<text class=\"axis-title x-title\" x=\"\(SVGText.number(left + side / 2))\" y=\"\(SVGText.number(top - 30))\" text-anchor=\"middle\">predicted class</text>\n"
        svg +=
            "<text class=\"axis-title y-title\" transform=\"translate(18 \(SVGText.number(top + side / 2))) rotate(-90)\" text-anchor=\"middle\">actual class</text>\n"
        svg += "<g class=\"labels\">\n"
        for (index, name) in classNames.enumerated() {
            let middle = Double(index) * cell + cell / 2
            svg +=
                "  <text class=\"predicted-label\" x=\"\(SVGText.number(left + middle))\" y=\"\(SVGText.number(top - 8))\" text-anchor=\"middle\">\(SVGText.escape(name))</text>\n"
            svg +=
                "  <text class=\"actual-label\" x=\"\(SVGText.number(left - 8))\" y=\"\(SVGText.number(top + middle))\" dy=\"0.35em\" text-anchor=\"end\">\(SVGText.escape(name))</text>\n"
        }
        svg += "</g>\n<g class=\"cells\" stroke=\"#ffffff\" stroke-width=\"1\">\n"
        for (actual, row) in counts.enumerated() {
            let total = row.reduce(0, +)
            for (predicted, count) in row.enumerated() {
                let share = total > 0 ? Double(count) / Double(total) : 0
                let (x, y) = (left + Double(predicted) * cell, top + Double(actual) * cell)
                svg += "  <rect class=\"cell\" data-actual=\"\(actual)\" data-predicted=\"\(predicted)\" data-count=\"\(count)\" "
                svg +=
                    "x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" width=\"\(SVGText.number(cell))\" height=\"\(SVGText.number(cell))\" fill=\"\(Self.shade(share))\"/>\n"
                svg +=
                    "  <text class=\"count\" x=\"\(SVGText.number(x + cell / 2))\" y=\"\(SVGText.number(y + cell / 2))\" dy=\"0.35em\" text-anchor=\"middle\" "
                svg +=
                    "font-size=\"\(SVGText.number(fontSize))\" stroke=\"none\" fill=\"\(share > 0.5 ? "white" : "black")\">\(count)</text>\n"
            }
        }
        svg += "</g>\n"
        svg += "<text class=\"note\" x=\"\(SVGText.number(width / 2))\" y=\"\(SVGText.number(top + side + 30))\" text-anchor=\"middle\">"
        svg += "shade: share of the actual class's samples; the diagonal is right</text>\n"
        svg += "</svg>\n"
        return svg
    }

    /// White (0) to the plot's blue, #1f77b4 (1).
    static func shade(_ share: Double) -> String {
        let s = min(max(share, 0), 1)
        func channel(_ full: Double) -> Int { Int((255 - (255 - full) * s).rounded()) }
        let (r, g, b) = (channel(0x1f), channel(0x77), channel(0xb4))
        return "#" + [r, g, b].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
