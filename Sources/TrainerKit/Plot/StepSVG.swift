/// `trainer explain --format svg`: the first step of a run drawn as the
/// tutorials draw it. Each layer is a column of neurons; each neuron shows
/// its bias b and, for the batch's first sample, its weighted input z, its
/// activation a and its error δ = ∂E/∂z, named as the text names them
/// (`z[0][0]`, `a[1][0]`, `δ[0][0]`). Each weight is an arrow from neuron i
/// to neuron j, blue when positive and red when negative, as wide as its
/// size; on networks of at most ``largestLabelledEdges`` weights each arrow
/// carries `W[k][i][j]`, its value before → after the step and its gradient
/// ∂E/∂W. The loss and the targets stand beside the output layer.
///
/// Numbers have 6 significant digits (`0.593270`), or fewer when that is
/// the whole number (`0.3775`), as the tutorials round them.
struct StepSVG<S: Scalar> {
    var step: ExplainedStep<S>

    /// The most neurons in a layer that are drawn.
    static var largestLayer: Int { 30 }
    /// The most weights whose values are written on their arrows.
    static var largestLabelledEdges: Int { 40 }

    /// Refuses networks too large to draw legibly.
    static func check(_ sizes: [Int]) throws(TrainerError) {
        if let (layer, size) = sizes.enumerated().first(where: { $0.element > largestLayer }) {
            throw TrainerError.usage(
                "--format",
                "svg draws networks of up to \(largestLayer) neurons a layer, and layer \(layer) has \(size); use --format text or json")
        }
    }

    static var boxWidth: Double { 140 }
    static var boxHeight: Double { 66 }

    func render(title: String) -> String {
        let sizes = step.sizes
        let labelled = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 } <= Self.largestLabelledEdges
        // Room between the neurons for the weights' labels when they are written.
        let rowGap = labelled ? 64.0 : 22.0, columnGap = labelled ? 340.0 : 220.0
        let tallest = Double(sizes.max()!)
        let top = 92.0, left = 40.0
        let columnHeight = tallest * (Self.boxHeight + rowGap) - rowGap
        let width = left + Double(sizes.count - 1) * columnGap + Self.boxWidth + 230
        let height = top + columnHeight + 90
        func box(_ layer: Int, _ neuron: Int) -> (x: Double, y: Double) {
            let count = Double(sizes[layer])
            let offset = (columnHeight - (count * (Self.boxHeight + rowGap) - rowGap)) / 2
            return (left + Double(layer) * columnGap, top + offset + Double(neuron) * (Self.boxHeight + rowGap))
        }

        var svg = SVGText.header(width: width, height: height, title: title)
        svg +=
            "<text class=\"title\" x=\"\(SVGText.number(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">\(SVGText.escape(title))</text>\n"
        let sample = step.samples.first.map { "data.train sample \($0)" } ?? "no sample"
        let batch = step.batchCount == 1 ? sample : "\(sample), the first of a batch of \(step.batchCount) (∂E/∂W is the batch's mean)"
        svg +=
            "<text class=\"subtitle\" x=\"\(SVGText.number(width / 2))\" y=\"46\" text-anchor=\"middle\">\(SVGText.escape("\(batch); loss \(step.loss.rawValue); η = \(Self.number(step.learningRate))"))</text>\n"

        // The arrows first, under the neurons.
        var largest = 0.0
        for matrix in step.before.weights { for w in matrix.elements { largest = max(largest, abs(Double(w))) } }
        svg += "<g class=\"weights\" fill=\"none\">\n"
        for k in 0..<step.layerCount {
            for i in 0..<sizes[k] {
                for j in 0..<sizes[k + 1] {
                    let w = Double(step.before.weights[k][i, j])
                    let (from, to) = (box(k, i), box(k + 1, j))
                    let (x1, y1) = (from.x + Self.boxWidth, from.y + Self.boxHeight / 2)
                    let (x2, y2) = (to.x, to.y + Self.boxHeight / 2)
                    let strokeWidth = 0.75 + 3.25 * (largest > 0 ? abs(w) / largest : 0)
                    svg +=
                        "  <line class=\"weight\" data-name=\"W[\(k)][\(i)][\(j)]\" x1=\"\(SVGText.number(x1))\" y1=\"\(SVGText.number(y1))\" "
                    svg += "x2=\"\(SVGText.number(x2))\" y2=\"\(SVGText.number(y2))\" stroke=\"\(w < 0 ? "#d62728" : "#1f77b4")\" "
                    svg += "stroke-opacity=\"0.75\" stroke-width=\"\(SVGText.number(strokeWidth))\"/>\n"
                }
            }
        }
        svg += "</g>\n"
        if labelled {
            svg += "<g class=\"weight-labels\" font-size=\"10\">\n"
            for k in 0..<step.layerCount {
                let outputs = sizes[k + 1]
                for i in 0..<sizes[k] {
                    for j in 0..<outputs {
                        let (from, to) = (box(k, i), box(k + 1, j))
                        // A fixed way along each arrow, where the arrows from one
                        // neuron have spread apart (they meet again at the next layer).
                        let t = 0.36
                        let x = from.x + Self.boxWidth + t * (to.x - from.x - Self.boxWidth)
                        let y = from.y + Self.boxHeight / 2 + t * (to.y - from.y)
                        let name = "W[\(k)][\(i)][\(j)]"
                        let before = step.before.weights[k][i, j], after = step.after.weights[k][i, j]
                        let gradient = step.gradients.weights[k][i, j]
                        svg +=
                            "  <text class=\"weight-label\" data-name=\"\(name)\" x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y - 5))\" text-anchor=\"middle\">"
                        svg += "<tspan>\(SVGText.escape("\(name): \(Self.number(before)) → \(Self.number(after))"))</tspan>"
                        svg +=
                            "<tspan x=\"\(SVGText.number(x))\" dy=\"12\">\(SVGText.escape("∂E/∂W = \(Self.number(gradient))"))</tspan></text>\n"
                    }
                }
            }
            svg += "</g>\n"
        }

        // The neurons.
        svg += "<g class=\"neurons\">\n"
        for layer in 0..<sizes.count {
            let kind = layer == 0 ? "input" : layer == sizes.count - 1 ? "output" : "layer \(layer)"
            let head = box(layer, 0)
            svg +=
                "  <text class=\"layer-title\" x=\"\(SVGText.number(head.x + Self.boxWidth / 2))\" y=\"\(SVGText.number(top - 14))\" text-anchor=\"middle\" font-weight=\"bold\">\(SVGText.escape(kind))</text>\n"
            for neuron in 0..<sizes[layer] {
                let (x, y) = box(layer, neuron)
                var lines: [String] = []
                if layer == 0 {
                    lines.append("a[0][\(neuron)] = \(Self.number(step.trace.a[0][0, neuron]))")
                } else {
                    let k = layer - 1
                    lines.append("z[\(k)][\(neuron)] = \(Self.number(step.trace.z[k][0, neuron]))")
                    lines.append("a[\(layer)][\(neuron)] = \(Self.number(step.trace.a[layer][0, neuron]))")
                    lines.append("δ[\(k)][\(neuron)] = \(Self.number(step.gradients.delta[k][0, neuron]))")
                    lines.append(
                        "b[\(k)][\(neuron)]: \(Self.number(step.before.biases[k][neuron])) → \(Self.number(step.after.biases[k][neuron]))")
                }
                svg += "  <g class=\"neuron\" data-layer=\"\(layer)\" data-index=\"\(neuron)\">\n"
                svg +=
                    "    <rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" width=\"\(SVGText.number(Self.boxWidth))\" height=\"\(SVGText.number(Self.boxHeight))\" rx=\"14\" fill=\"#f4f7fb\" stroke=\"#555555\"/>\n"
                let firstLine = y + Self.boxHeight / 2 - Double(lines.count - 1) * 6.5
                for (index, line) in lines.enumerated() {
                    svg +=
                        "    <text x=\"\(SVGText.number(x + Self.boxWidth / 2))\" y=\"\(SVGText.number(firstLine + Double(index) * 13))\" dy=\"0.35em\" text-anchor=\"middle\" font-size=\"11\">\(SVGText.escape(line))</text>\n"
                }
                svg += "  </g>\n"
            }
        }
        svg += "</g>\n"

        // The loss, beside the outputs.
        let out = box(sizes.count - 1, 0)
        let lossX = out.x + Self.boxWidth + 24
        let targets = (0..<sizes[sizes.count - 1]).map { Self.number(step.targets[0, $0]) }.joined(separator: ", ")
        svg += "<g class=\"loss\" font-size=\"12\">\n"
        svg +=
            "  <text x=\"\(SVGText.number(lossX))\" y=\"\(SVGText.number(top + columnHeight / 2 - 10))\">\(SVGText.escape("t = [\(targets)]"))</text>\n"
        svg +=
            "  <text x=\"\(SVGText.number(lossX))\" y=\"\(SVGText.number(top + columnHeight / 2 + 10))\">\(SVGText.escape("E = \(Self.number(step.sampleLosses[0])) (\(step.loss.rawValue))"))</text>\n"
        svg += "</g>\n"
        svg += "<text class=\"note\" x=\"\(SVGText.number(width / 2))\" y=\"\(SVGText.number(height - 24))\" text-anchor=\"middle\">"
        svg += SVGText.escape("blue: positive weight, red: negative, wider: larger; \"before → after\" is the step W ← W − η·∂E/∂W")
        svg += "</text>\n</svg>\n"
        return svg
    }

    /// 6 significant digits (`0.593270`, `0.0821670`), or the shortest
    /// decimal when it has no more (`0.3775`, `0.5`).
    static func number(_ value: S) -> String {
        let shortest = value.description
        let digits = shortest.drop { $0 == "-" || $0 == "0" || $0 == "." }.filter(\.isNumber)
        if !shortest.contains("e"), digits.count <= 6 { return shortest }
        return String(cFormat: "%#.6g", Double(value))
    }
}
