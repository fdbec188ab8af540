/// A trained network as an ONNX model (https://onnx.ai), for runtimes such as
/// onnxruntime: the same forward pass as `trainer predict`, input scaling
/// included, in the weights file's precision.
///
/// The graph, in row-vector convention (`W[k]` is `layers[k] × layers[k+1]`):
///
///     input                      N × layers[0], raw inputs (N: any batch size)
///     a0 = (input − offset) / scale   Sub, Div: only with metadata.normalize
///     z[k] = a[k]·W[k] + b[k]    Gemm(a[k], W[k], b[k])
///     a[k+1] = f[k](z[k])        Sigmoid, Tanh, Relu, Softmax(axis=1);
///                                no node for linear (a[k+1] is z[k])
///     output                     the last layer's a, N × layers[L]
///
/// IR version 7 with operator set 13, so that runtimes from 2020 on read it.
/// Parameters are initializers in `raw_data`, parsed from the file's decimal
/// literals straight into its precision, so each holds the bits `predict`
/// computes with; float32 scaling constants are the float64 values rounded
/// once, as ``InputScaling/scaled(_:column:)`` rounds them.
public enum ONNXExport {
    /// `ModelProto.ir_version`: 7, published 2020-05-08.
    static let irVersion: Int64 = 7
    /// The `ai.onnx` operator set: 13 has every operator used here in its
    /// current form (Softmax over one axis, Gemm with a 1-D bias).
    static let operatorSetVersion: Int64 = 13

    /// The serialized ONNX ModelProto of a trained network.
    ///
    /// Precondition: `file` is well formed, as ``WeightsFile/read(_:)``
    /// returns it: `weights[k]` is `layers[k]` rows of `layers[k+1]` decimal
    /// literals, `biases[k]` has `layers[k+1]`, one activation per layer after
    /// the input, scaling (when set) has `layers[0]` columns. A literal that
    /// is not a number, which that reader never lets through, is written as
    /// NaN rather than stopping the program.
    public static func model(of file: WeightsFile, producerVersion: String) -> [UInt8] {
        var model = ProtobufWriter()
        model.int64(ONNXProto.Model.irVersion, irVersion)
        model.string(ONNXProto.Model.producerName, "trainer")
        model.string(ONNXProto.Model.producerVersion, producerVersion)
        model.message(ONNXProto.Model.graph, graph(of: file))
        model.message(ONNXProto.Model.opsetImport, ONNXProto.operatorSet(domain: "", version: operatorSetVersion))
        for (key, value) in metadata(of: file) {
            model.message(ONNXProto.Model.metadataProps, ONNXProto.entry(key, value))
        }
        return model.encoded
    }

    /// The `GraphProto`: nodes in the order they run, then the initializers
    /// they read, the documentation, the input and the output.
    static func graph(of file: WeightsFile) -> ProtobufWriter {
        let precision = file.metadata.precision
        let elementType: ONNXProto.DataType = precision == .float32 ? .float : .double
        var nodes: [ProtobufWriter] = []
        var initializers: [ProtobufWriter] = []

        // a0: the input, scaled as predict scales it.
        var a = "input"
        if let scaling = appliedScaling(file) {
            let count = scaling.count
            initializers.append(ONNXProto.tensor("offset", dims: [count], type: elementType, rawData: rawData(scaling.offset, precision)))
            initializers.append(ONNXProto.tensor("scale", dims: [count], type: elementType, rawData: rawData(scaling.scale, precision)))
            nodes.append(ONNXProto.node("Sub", name: "normalize_sub", inputs: [a, "offset"], outputs: ["centered"]))
            nodes.append(ONNXProto.node("Div", name: "normalize_div", inputs: ["centered", "scale"], outputs: ["a0"]))
            a = "a0"
        }

        let last = file.activations.count - 1
        for (k, activation) in file.activations.enumerated() {
            let (n, m) = (file.layers[k], file.layers[k + 1])
            initializers.append(
                ONNXProto.tensor("W\(k)", dims: [n, m], type: elementType, rawData: rawData(file.weights[k].joined(), precision)))
            initializers.append(ONNXProto.tensor("b\(k)", dims: [m], type: elementType, rawData: rawData(file.biases[k], precision)))
            let operation = operatorName(activation)
            // The last node's result is the graph's output, whichever node that is.
            let z = k == last && operation == nil ? "output" : "z\(k)"
            // z[k] = a[k]·W[k] + b[k]: Gemm's defaults (alpha = beta = 1, no
            // transposes) are that product, the bias broadcast over the rows.
            nodes.append(ONNXProto.node("Gemm", name: "gemm\(k)", inputs: [a, "W\(k)", "b\(k)"], outputs: [z]))
            a = z
            if let operation {
                let output = k == last ? "output" : "a\(k + 1)"
                // Softmax-13 normalizes along one axis, the default being the
                // last; axis 1 says "across each sample's outputs" explicitly.
                let attributes = activation == .softmax ? [ONNXProto.attribute("axis", 1)] : []
                nodes.append(
                    ONNXProto.node(operation, name: "\(activation.rawValue)\(k)", inputs: [z], outputs: [output], attributes: attributes))
                a = output
            }
        }

        var graph = ProtobufWriter()
        for node in nodes { graph.message(ONNXProto.Graph.node, node) }
        graph.string(ONNXProto.Graph.name, "trainer_mlp")
        for initializer in initializers { graph.message(ONNXProto.Graph.initializer, initializer) }
        graph.string(ONNXProto.Graph.docString, documentation(of: file))
        let batch = ONNXProto.Dimension.parameter("N")
        let inputs = file.layers[0], outputs = file.layers[file.layers.count - 1]
        graph.message(ONNXProto.Graph.input, ONNXProto.valueInfo("input", type: elementType, shape: [batch, .value(inputs)]))
        graph.message(ONNXProto.Graph.output, ONNXProto.valueInfo("output", type: elementType, shape: [batch, .value(outputs)]))
        return graph
    }

    /// The ONNX operator of an activation, or nil for linear (the identity,
    /// so no node).
    static func operatorName(_ activation: Activation) -> String? {
        switch activation {
        case .sigmoid: "Sigmoid"
        case .tanh: "Tanh"
        case .relu: "Relu"
        case .softmax: "Softmax"
        case .linear: nil
        }
    }

    /// The scaling predict applies: nil when there is none, or when it is
    /// `none`, which ``InputScaling/apply(to:)`` leaves out as well.
    static func appliedScaling(_ file: WeightsFile) -> InputScaling? {
        guard let scaling = file.metadata.inputScaling, scaling.method != .none else { return nil }
        return scaling
    }

    /// `ModelProto.metadata_props`: what a reader of the model needs beyond
    /// the graph (class names, how the inputs are scaled), as key-value text.
    /// Lists are JSON, as in the weights file.
    static func metadata(of file: WeightsFile) -> [(String, String)] {
        var entries: [(String, String)] = [
            ("layers", "[" + file.layers.map(String.init).joined(separator: ", ") + "]"),
            ("activations", "[" + file.activations.map { JSONWriter.string($0.rawValue) }.joined(separator: ", ") + "]"),
        ]
        if let loss = file.metadata.loss { entries.append(("loss", loss.rawValue)) }
        entries.append(("precision", file.metadata.precision.rawValue))
        if let classes = file.metadata.classes {
            entries.append(("classes", "[" + classes.map(JSONWriter.string).joined(separator: ", ") + "]"))
        }
        if let scaling = appliedScaling(file) { entries.append(("normalize", scaling.method.rawValue)) }
        return entries
    }

    /// `GraphProto.doc_string`: what the graph computes, for a person
    /// opening the model in a viewer such as Netron.
    static func documentation(of file: WeightsFile) -> String {
        let inputs = file.layers[0], outputs = file.layers[file.layers.count - 1]
        var text =
            "A multilayer perceptron trained by trainer: layers "
            + file.layers.map(String.init).joined(separator: "-") + ", activations "
            + file.activations.map(\.rawValue).joined(separator: ", ") + ", " + file.metadata.precision.rawValue + ". "
        text += "input: N x \(inputs), one sample per row, raw values"
        if let scaling = appliedScaling(file) {
            text += "; the graph first scales column j to (x - offset[j]) / scale[j] (data.normalize \(scaling.method.rawValue))"
        }
        text += ". Each layer k computes z_k = a_k W_k + b_k (W_k stored inputs x outputs), then its activation. "
        text += "output: N x \(outputs), one row per sample"
        if file.metadata.classes != nil { text += ", one column per class of metadata_props classes" }
        return text + "."
    }

    // MARK: - raw_data

    /// Decimal literals as raw_data in `precision`: each parsed straight into
    /// that precision (one rounding, as predict's reader does), then its IEEE
    /// 754 bits little-endian, the layout of protobuf's fixed32 and fixed64.
    static func rawData(_ literals: some Sequence<String>, _ precision: Precision) -> [UInt8] {
        var data = ProtobufWriter()
        switch precision {
        case .float32: for text in literals { data.appendLittleEndian((Float(text) ?? .nan).bitPattern) }
        case .float64: for text in literals { data.appendLittleEndian((Double(text) ?? .nan).bitPattern) }
        }
        return data.encoded
    }

    /// Scaling constants (float64) as raw_data in `precision`: for float32,
    /// each rounded once to the nearest float, as the network's own scaling
    /// rounds it before subtracting or dividing.
    static func rawData(_ values: [Double], _ precision: Precision) -> [UInt8] {
        var data = ProtobufWriter()
        switch precision {
        case .float32: for value in values { data.appendLittleEndian(Float(value).bitPattern) }
        case .float64: for value in values { data.appendLittleEndian(value.bitPattern) }
        }
        return data.encoded
    }
}
