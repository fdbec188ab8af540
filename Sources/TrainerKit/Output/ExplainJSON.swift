/// `trainer explain --format json`: every number of one step as one JSON
/// object, never summarised, keys in a fixed order, one matrix row per line.
///
/// `layers[k]` holds what belongs to the weights `W[k]` between layer k and
/// layer k+1: `weights_before` (W[k]), `biases_before` (b[k]), `z` (z[k]),
/// `a` (a[k+1] = f(z[k])), `delta` (δ[k] = ∂E/∂z[k]), `weight_gradient`
/// (∂E/∂W[k]), `bias_gradient` (∂E/∂b[k]), `weights_after`, `biases_after`.
/// `z`, `a`, `delta`, `inputs` (a[0]) and `targets` have one row per sample
/// of the batch, in the order of `samples` (their indices in data.train).
enum ExplainJSON {
    static let format = "trainer-explain"
    static let formatVersion = 1

    static func render<S: Scalar>(_ step: ExplainedStep<S>) -> String {
        let trace = step.trace, gradients = step.gradients
        var out = "{\n"
        var members: [String] = [
            "\"format\": \(JSONWriter.string(format))",
            "\"format_version\": \(formatVersion)",
            "\"config\": \(JSONWriter.string(step.configFile))",
            "\"precision\": \(JSONWriter.string(S.precisionName))",
            "\"layer_sizes\": [\(step.sizes.map(String.init).joined(separator: ", "))]",
            "\"activations\": [\(step.before.activations.map { JSONWriter.string($0.rawValue) }.joined(separator: ", "))]",
            "\"loss\": \(JSONWriter.string(step.loss.rawValue))",
            "\"learning_rate\": \(number(step.learningRate))",
            "\"batch_size\": \(step.batchSize)",
            "\"shuffle\": \(step.shuffle)",
            "\"epoch\": \(step.epoch)",
            "\"first_sample_in_epoch\": \(step.firstSampleInEpoch)",
            "\"samples\": [\(step.samples.map(String.init).joined(separator: ", "))]",
            "\"inputs\": \(matrix(trace.a[0], indent: 2))",
            "\"targets\": \(matrix(step.targets, indent: 2))",
            "\"sample_losses\": \(row(Array(step.sampleLosses.prefix(step.batchCount))))",
            "\"mean_loss\": \(number(step.meanLoss))",
        ]
        if let scaling = step.scaling {
            // Only with data.normalize, before `inputs` (which it scaled).
            let index = members.firstIndex { $0.hasPrefix("\"inputs\"") }!
            members.insert(
                "\"normalize\": {\"method\": \(JSONWriter.string(scaling.method.rawValue)), \"offset\": \(JSONWriter.row(scaling.offset)), \"scale\": \(JSONWriter.row(scaling.scale))}",
                at: index)
        }
        var layers: [String] = []
        for k in 0..<step.layerCount {
            let fields = [
                "\"k\": \(k)",
                "\"activation\": \(JSONWriter.string(step.before.activations[k].rawValue))",
                "\"weights_before\": \(matrix(step.before.weights[k], indent: 6))",
                "\"biases_before\": \(row(step.before.biases[k]))",
                "\"z\": \(matrix(trace.z[k], indent: 6))",
                "\"a\": \(matrix(trace.a[k + 1], indent: 6))",
                "\"delta\": \(matrix(gradients.delta[k], indent: 6))",
                "\"weight_gradient\": \(matrix(gradients.weights[k], indent: 6))",
                "\"bias_gradient\": \(row(gradients.biases[k]))",
                "\"weights_after\": \(matrix(step.after.weights[k], indent: 6))",
                "\"biases_after\": \(row(step.after.biases[k]))",
            ]
            layers.append("    {\n" + fields.map { "      " + $0 }.joined(separator: ",\n") + "\n    }")
        }
        members.append("\"layers\": [\n" + layers.joined(separator: ",\n") + "\n  ]")
        out += members.map { "  " + $0 }.joined(separator: ",\n")
        return out + "\n}\n"
    }

    /// The shortest decimal that reads back exactly; JSON has no NaN or
    /// infinity, so a step that overflowed writes those as null.
    static func number<T: Scalar>(_ value: T) -> String {
        value.isFinite ? JSONWriter.number(value) : "null"
    }

    static func row<T: Scalar>(_ values: [T]) -> String {
        "[" + values.map { number($0) }.joined(separator: ", ") + "]"
    }

    /// `[` / one row per line / `]`, the closing bracket at `indent`.
    static func matrix<T: Scalar>(_ m: Matrix<T>, indent: Int) -> String {
        guard m.rows > 0 else { return "[]" }
        let pad = String(repeating: " ", count: indent)
        return "[\n" + (0..<m.rows).map { pad + "  " + row(m.row($0)) }.joined(separator: ",\n") + "\n" + pad + "]"
    }
}
