/// `trainer show W.json --svg out.svg`: what a trained network learnt, drawn.
///
/// - For image inputs (`--image 28x28`, or 784 inputs, MNIST's), the first
///   layer as one tile per hidden neuron: its 784 incoming weights laid out
///   as the image they weigh (Nielsen's and many courses' picture).
/// - For every layer, a heat map of W[k]: a row per input neuron i, a column
///   per output neuron j (but W[0] when it is drawn as tiles). A matrix
///   larger than ``largestSide`` either way is shown in blocks, each the
///   mean of the weights it covers.
///
/// Colours: blue for positive weights, red for negative, white for 0, in
/// ``levels`` steps each way of |w| / (the largest |w| of the tile or map),
/// so every picture uses its full range. Each colour step is one `<path>`
/// (`class="level" data-level="-10…10"`) of unit squares, which keeps a
/// 78,400-weight layer to a few MB.
struct WeightsSVG {
    var weights: [LiteralMatrixValues]
    var title: String
    var subtitle: String
    /// `(width, height)` of the inputs when they are images.
    var image: (width: Int, height: Int)?

    /// One weight matrix's numbers, row-major (`rows` inputs × `columns` outputs).
    struct LiteralMatrixValues {
        var rows: Int
        var columns: Int
        var values: [Double]
        subscript(i: Int, j: Int) -> Double { values[i * columns + j] }
    }

    static var largestSide: Int { 200 }
    static var levels: Int { 10 }

    func render() -> String {
        var body = ""
        var y = 70.0
        var width = 560.0
        if let image, let first = weights.first {
            let (section, height, used) = tiles(of: first, image: image, top: y)
            body += section
            y += height + 30
            width = max(width, used + 40)
        }
        // With tiles, W[0] is drawn already.
        for (k, matrix) in weights.enumerated() where k > 0 || image == nil {
            let (section, height, used) = heatMap(matrix, layer: k, top: y)
            body += section
            y += height + 30
            width = max(width, used + 40)
        }
        let height = y + 20
        var svg = SVGText.header(width: width, height: height, title: title)
        svg +=
            "<text class=\"title\" x=\"\(SVGText.number(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">\(SVGText.escape(title))</text>\n"
        svg +=
            "<text class=\"subtitle\" x=\"\(SVGText.number(width / 2))\" y=\"46\" text-anchor=\"middle\">\(SVGText.escape(subtitle))</text>\n"
        svg += body
        svg += "<text class=\"note\" x=\"\(SVGText.number(width / 2))\" y=\"\(SVGText.number(height - 10))\" text-anchor=\"middle\">"
        svg += "blue: positive weights, red: negative, white: 0; each tile or map scaled to its largest |w|</text>\n</svg>\n"
        return svg
    }

    /// The colour of level `level` in −levels…levels.
    static func colour(level: Int) -> String {
        let share = Double(abs(level)) / Double(levels)
        let full: (Double, Double, Double) = level >= 0 ? (0x1f, 0x77, 0xb4) : (0xd6, 0x27, 0x28)
        func channel(_ value: Double) -> String {
            let byte = Int((255 - (255 - value) * share).rounded())
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return "#" + channel(full.0) + channel(full.1) + channel(full.2)
    }

    /// The level of `value` when the largest magnitude is `largest`.
    static func level(_ value: Double, largest: Double) -> Int {
        guard largest > 0, value.isFinite else { return 0 }
        return Int((value / largest * Double(levels)).rounded())
    }

    /// Squares of `side` px at the given cells, one path per colour level.
    private func squares(_ cells: [(x: Double, y: Double, level: Int)], side: Double) -> String {
        var byLevel: [Int: String] = [:]
        for cell in cells where cell.level != 0 {
            byLevel[cell.level, default: ""] +=
                "M\(SVGText.number(cell.x)) \(SVGText.number(cell.y))h\(SVGText.number(side))v\(SVGText.number(side))h-\(SVGText.number(side))z"
        }
        var svg = ""
        for level in byLevel.keys.sorted() {
            svg += "    <path class=\"level\" data-level=\"\(level)\" fill=\"\(Self.colour(level: level))\" d=\"\(byLevel[level]!)\"/>\n"
        }
        return svg
    }

    /// The first layer as image tiles, one per neuron of layer 1.
    private func tiles(of matrix: LiteralMatrixValues, image: (width: Int, height: Int), top: Double) -> (String, Double, Double) {
        let count = matrix.columns
        let perRow = Int(Double(count).squareRoot().rounded(.up))
        let pixel = max(1.0, min(4.0, 96.0 / Double(max(image.width, image.height))))
        let tileWidth = Double(image.width) * pixel, tileHeight = Double(image.height) * pixel
        let gap = 14.0, left = 40.0
        var svg = "<g class=\"tiles\" data-layer=\"0\" data-tiles=\"\(count)\" data-image=\"\(image.width)x\(image.height)\">\n"
        svg += "  <text class=\"section-title\" x=\"\(SVGText.number(left))\" y=\"\(SVGText.number(top))\" font-weight=\"bold\">"
        svg += "W[0] as images: the \(image.width)×\(image.height) weights into each neuron of layer 1</text>\n"
        for j in 0..<count {
            let (row, column) = (j / perRow, j % perRow)
            let x0 = left + Double(column) * (tileWidth + gap), y0 = top + 22 + Double(row) * (tileHeight + gap + 12)
            var largest = 0.0
            for i in 0..<matrix.rows { largest = max(largest, abs(matrix[i, j])) }
            var cells: [(x: Double, y: Double, level: Int)] = []
            for i in 0..<min(matrix.rows, image.width * image.height) {
                let (py, px) = (i / image.width, i % image.width)
                cells.append((x0 + Double(px) * pixel, y0 + Double(py) * pixel, Self.level(matrix[i, j], largest: largest)))
            }
            svg += "  <g class=\"tile\" data-neuron=\"\(j)\" data-max-abs=\"\(largest)\">\n"
            svg +=
                "    <rect x=\"\(SVGText.number(x0))\" y=\"\(SVGText.number(y0))\" width=\"\(SVGText.number(tileWidth))\" height=\"\(SVGText.number(tileHeight))\" fill=\"white\" stroke=\"#999999\" stroke-width=\"0.5\"/>\n"
            svg += squares(cells, side: pixel)
            svg +=
                "    <text x=\"\(SVGText.number(x0 + tileWidth / 2))\" y=\"\(SVGText.number(y0 + tileHeight + 10))\" text-anchor=\"middle\" font-size=\"9\">\(j)</text>\n"
            svg += "  </g>\n"
        }
        svg += "</g>\n"
        let rows = (count + perRow - 1) / perRow
        let used = left + Double(perRow) * (tileWidth + gap)
        return (svg, 22 + Double(rows) * (tileHeight + gap + 12), used)
    }

    /// A heat map of W[k], in blocks of means when a side is above ``largestSide``.
    private func heatMap(_ matrix: LiteralMatrixValues, layer k: Int, top: Double) -> (String, Double, Double) {
        let blockRows = (matrix.rows + Self.largestSide - 1) / Self.largestSide
        let blockColumns = (matrix.columns + Self.largestSide - 1) / Self.largestSide
        let rows = (matrix.rows + blockRows - 1) / blockRows, columns = (matrix.columns + blockColumns - 1) / blockColumns
        var means = [Double](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                var sum = 0.0, count = 0
                for i in (r * blockRows)..<min((r + 1) * blockRows, matrix.rows) {
                    for j in (c * blockColumns)..<min((c + 1) * blockColumns, matrix.columns) {
                        sum += matrix[i, j]
                        count += 1
                    }
                }
                means[r * columns + c] = sum / Double(count)
            }
        }
        let largest = means.map(abs).max() ?? 0
        let cell = max(2.0, min(28.0, 480.0 / Double(max(rows, columns))))
        let left = 90.0, mapTop = top + 40
        var svg = "<g class=\"heat-map\" data-layer=\"\(k)\" data-rows=\"\(matrix.rows)\" data-columns=\"\(matrix.columns)\" "
        svg += "data-block=\"\(blockRows)x\(blockColumns)\" data-max-abs=\"\(largest)\">\n"
        let blocks = blockRows * blockColumns > 1 ? ", each square the mean of \(blockRows)×\(blockColumns)" : ""
        svg += "  <text class=\"section-title\" x=\"40\" y=\"\(SVGText.number(top))\" font-weight=\"bold\">"
        svg += "W[\(k)]: \(matrix.rows) × \(matrix.columns)\(blocks); largest |w| \(ProgressReporter.short(largest))</text>\n"
        svg +=
            "  <text x=\"\(SVGText.number(left + Double(columns) * cell / 2))\" y=\"\(SVGText.number(mapTop - 8))\" text-anchor=\"middle\">j: neuron of layer \(k + 1)</text>\n"
        svg +=
            "  <text transform=\"translate(\(SVGText.number(left - 14)) \(SVGText.number(mapTop + Double(rows) * cell / 2))) rotate(-90)\" text-anchor=\"middle\">i: neuron of layer \(k)</text>\n"
        svg +=
            "  <rect x=\"\(SVGText.number(left))\" y=\"\(SVGText.number(mapTop))\" width=\"\(SVGText.number(Double(columns) * cell))\" height=\"\(SVGText.number(Double(rows) * cell))\" fill=\"white\" stroke=\"#999999\" stroke-width=\"0.5\"/>\n"
        var cells: [(x: Double, y: Double, level: Int)] = []
        for r in 0..<rows {
            for c in 0..<columns {
                cells.append((left + Double(c) * cell, mapTop + Double(r) * cell, Self.level(means[r * columns + c], largest: largest)))
            }
        }
        svg += squares(cells, side: cell)
        svg += "</g>\n"
        return (svg, 40 + Double(rows) * cell, left + Double(columns) * cell)
    }
}
