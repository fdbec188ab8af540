/// A trained network as one C99 header (`trainer export --format c`): the
/// weights as `static const` arrays and `NAME_predict`, the forward pass,
/// needing nothing but `<math.h>`.
///
/// The header is stb-style: declarations always, definitions only where the
/// includer defines `NAME_IMPLEMENTATION`, so it can be included from many
/// files of one program and the weights are compiled once. Every name it
/// declares starts with `NAME_`, spelled exactly as given (`xor_predict`,
/// `xor_INPUTS`), so one name is all a user has to know.
///
/// The forward pass repeats the trainer's arithmetic in the network's
/// precision: inputs scaled by `(x − offset[j]) / scale[j]` first, then per
/// layer `z[j] = b[j] + a[0]·W[0][j] + a[1]·W[1][j] + …` added left to right
/// from the bias (the naive kernel's order, which every trainer kernel
/// keeps), then the activation written as ``Activation/value(_:)`` writes it.
public enum CExport {
    /// One C99 header holding the network: weights as static const arrays and NAME_predict.
    ///
    /// The same file gives the same bytes (no dates, no version).
    /// - Precondition: `name` is a C identifier (the CLI checks it).
    /// - Precondition: every weight and bias literal is finite in the file's
    ///   precision, as building the network checks; one that is not is
    ///   written as it stands, and the C compiler will say so.
    public static func source(of file: WeightsFile, name: String) -> String {
        CHeader(file: file, name: name).render()
    }
}

/// The pieces of one header, in the order they are written.
private struct CHeader {
    let file: WeightsFile
    let name: String
    /// `float` or `double`.
    let type: String
    /// The suffix of a literal of `type`: `f` or nothing.
    let suffix: String
    /// `f` for the float versions of libm's functions (`expf`, `tanhf`).
    let mathSuffix: String
    let scaling: InputScaling?
    /// Hidden layers: the buffers `h0`, `h1` that `predict` alternates between.
    let hiddenCount: Int
    /// The widest hidden layer, 0 without one.
    let width: Int

    /// Lines are broken before this column where the format allows.
    static let lineWidth = 100

    init(file: WeightsFile, name: String) {
        self.file = file
        self.name = name
        let float32 = file.metadata.precision == .float32
        type = float32 ? "float" : "double"
        suffix = float32 ? "f" : ""
        mathSuffix = float32 ? "f" : ""
        scaling = ONNXExport.appliedScaling(file)
        hiddenCount = file.layers.count - 2
        width = file.layers.dropFirst().dropLast().max() ?? 0
    }

    var layerCount: Int { file.layers.count - 1 }
    var inputs: Int { file.layers[0] }
    var outputs: Int { file.layers[file.layers.count - 1] }
    /// The buffers on predict's stack: h0 for one hidden layer, h0 and h1 for more.
    var bufferCount: Int { min(hiddenCount, 2) }
    var stackBytes: Int { bufferCount * width * file.metadata.precision.size }

    func render() -> String {
        var out = headerComment()
        out += declarations()
        out += implementation()
        return out
    }

    // MARK: - What it is and how to use it

    private func headerComment() -> String {
        let activations = file.activations.map(\.rawValue).joined(separator: ", ")
        var lines = [
            "/* \(name).h: a trained neural network as one C99 header, made by trainer",
            " * (trainer export --format c) from a weights file.",
            " *",
            " *   layers       \(file.layers.map(String.init).joined(separator: "-")): \(name)_INPUTS inputs, \(name)_OUTPUTS outputs",
            " *   activations  \(activations)",
            " *   precision    \(file.metadata.precision.rawValue): weights and arithmetic in \(type)",
            " *   loss         \(file.metadata.loss?.rawValue ?? "not recorded") (how it was trained)",
        ]
        if let classes = file.metadata.classes, !classes.isEmpty {
            let items = classes.map(CLiteral.string)
            lines += CLiteral.wrapped(items, first: " *   classes      ", rest: " *                ", width: CHeader.lineWidth)
            lines.append(" *                (\(name)_classes, in output order)")
        } else {
            lines.append(" *   classes      none")
        }
        if let scaling {
            lines += [
                " *   normalize    \(scaling.method.rawValue): input j becomes (x[j] - offset[j]) / scale[j]",
                " *                inside \(name)_predict, so give it raw inputs",
            ]
        } else {
            lines.append(" *   normalize    none")
        }
        let example = (0..<min(inputs, 3)).map { _ in "0" }.joined(separator: ", ") + (inputs > 3 ? ", ..." : "")
        lines += [
            " *",
            " * Use it stb-style: include it wherever \(name)_predict is called, and in",
            " * exactly one .c file define \(name)_IMPLEMENTATION before including it;",
            " * that file gets the weights and the function:",
            " *",
            " *     #define \(name)_IMPLEMENTATION",
            " *     #include \"\(name).h\"",
            " *",
            " *     \(type) input[\(name)_INPUTS] = {\(example)};",
            " *     \(type) output[\(name)_OUTPUTS];",
            " *     \(name)_predict(input, output);",
            " *",
            " * It needs only <math.h> (link with -lm). \(name)_predict allocates nothing",
            " * and keeps no state, so it is reentrant; input and output must not overlap.",
        ]
        switch bufferCount {
        case 0: lines.append(" * Its stack holds a few scalars: the layer writes straight into output.")
        case 1: lines.append(" * Its stack holds one buffer of \(name)_WIDTH \(type)s (\(stackBytes) bytes) and a few scalars.")
        default: lines.append(" * Its stack holds two buffers of \(name)_WIDTH \(type)s (\(stackBytes) bytes) and a few scalars.")
        }
        lines += [
            " *",
            " * The arithmetic is trainer's, in \(type): per layer k,",
            " *     z[j] = b[k][j] + a[0]*W[k][0][j] + a[1]*W[k][1][j] + ...",
            " * added left to right from the bias, then a = f(z). The weights are the",
            " * weights file's shortest round-trip decimals, so a correctly rounding",
            " * compiler reads back the same bits. Do not build it with -ffast-math,",
            " * which may reorder the sums.",
            " */",
            "",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Declarations

    private func declarations() -> String {
        var lines = [
            "#ifndef \(name)_H_INCLUDED",
            "#define \(name)_H_INCLUDED",
            "",
            "#define \(name)_INPUTS \(inputs)",
            "#define \(name)_OUTPUTS \(outputs)",
            "",
        ]
        if let classes = file.metadata.classes, !classes.isEmpty {
            // Static, so each file that includes the header has the names
            // without the implementation; compilers drop an unused copy
            // (and warn about none: it comes from a header).
            let size = classes.count == outputs ? "\(name)_OUTPUTS" : "\(classes.count)"
            lines.append("/* The class of each output, in order. */")
            lines.append("static const char *const \(name)_classes[\(size)] = {")
            lines += CLiteral.wrapped(classes.map(CLiteral.string), first: "    ", rest: "    ", width: CHeader.lineWidth, terminator: ",")
            lines += ["};", ""]
        }
        lines += [
            "#ifdef __cplusplus",
            "extern \"C\" {",
            "#endif",
            "",
            "/* Writes the network's \(name)_OUTPUTS outputs for the \(name)_INPUTS values of",
            " * input (raw: \(scaling == nil ? "the network was trained without normalize" : "normalize is applied inside")) to output. */",
            "void \(name)_predict(const \(type) *input, \(type) *output);",
            "",
            "#ifdef __cplusplus",
            "}",
            "#endif",
            "",
            "#endif /* \(name)_H_INCLUDED */",
            "",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Definitions

    private func implementation() -> String {
        // A guard of its own: a file may include the header plainly and then
        // again with NAME_IMPLEMENTATION defined.
        var lines = [
            "#ifdef \(name)_IMPLEMENTATION",
            "#ifndef \(name)_IMPLEMENTATION_INCLUDED",
            "#define \(name)_IMPLEMENTATION_INCLUDED",
            "",
            "#include <math.h>",
            "",
        ]
        if bufferCount > 0 {
            lines += [
                "/* The widest hidden layer: the length of each of \(name)_predict's buffers. */",
                "#define \(name)_WIDTH \(width)",
                "",
            ]
        }
        if let scaling {
            let offset = scaling.offset.map(scalingLiteral)
            let scale = scaling.scale.map(scalingLiteral)
            lines.append("/* normalize (\(scaling.method.rawValue)): x'[j] = (x[j] - \(name)_offset[j]) / \(name)_scale[j]. */")
            lines += array("offset", size: "\(name)_INPUTS", offset)
            lines += array("scale", size: "\(name)_INPUTS", scale)
            lines.append("")
        }
        for k in 0..<layerCount {
            let n = file.layers[k], m = file.layers[k + 1]
            lines.append(
                "/* Layer \(k): \(n) -> \(m), \(file.activations[k].rawValue). W\(k)[i * \(m) + j] joins neuron i of layer \(k) to neuron j of layer \(k + 1). */"
            )
            lines.append("static const \(type) \(name)_W\(k)[\(n) * \(m)] = {")
            for row in file.weights[k] {
                // One row of W per line (or lines), each ending in a comma, the
                // last too (C allows it).
                lines += CLiteral.wrapped(row.map(weightLiteral), first: "    ", rest: "    ", width: CHeader.lineWidth, terminator: ",")
            }
            lines.append("};")
            lines += array("b\(k)", size: "\(m)", file.biases[k].map(weightLiteral))
            lines.append("")
        }
        if file.activations.contains(.sigmoid) {
            lines += [
                "/* sigmoid(z) = 1 / (1 + e^-z), as trainer computes it: for z < 0 as",
                " * e^z / (1 + e^z), so that e^x never overflows. */",
                "static \(type) \(name)_sigmoid(\(type) z)",
                "{",
                "    \(type) e;",
                "    if (z >= 0) return 1 / (1 + exp\(mathSuffix)(-z));",
                "    e = exp\(mathSuffix)(z);",
                "    return e / (1 + e);",
                "}",
                "",
            ]
        }
        lines += predictFunction()
        lines += [
            "#endif /* \(name)_IMPLEMENTATION_INCLUDED */",
            "#endif /* \(name)_IMPLEMENTATION */",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `static const TYPE NAME_label[size] = {…};`, wrapped.
    private func array(_ label: String, size: String, _ literals: [String]) -> [String] {
        ["static const \(type) \(name)_\(label)[\(size)] = {"]
            + CLiteral.wrapped(literals, first: "    ", rest: "    ", width: CHeader.lineWidth, terminator: ",")
            + ["};"]
    }

    private func predictFunction() -> [String] {
        var lines = [
            "void \(name)_predict(const \(type) *input, \(type) *output)",
            "{",
        ]
        for buffer in 0..<bufferCount { lines.append("    \(type) h\(buffer)[\(name)_WIDTH];") }
        lines += ["    int i, j;", ""]
        for k in 0..<layerCount {
            let n = file.layers[k], m = file.layers[k + 1]
            // Layer k reads input or the buffer layer k-1 wrote, and writes
            // the other buffer, or output for the last layer.
            let source = k == 0 ? "input" : "h\((k - 1) % 2)"
            let target = k == layerCount - 1 ? "output" : "h\(k % 2)"
            let ai: String
            if k == 0, scaling != nil {
                lines.append("    /* z = x'*W0 + b0 with x' the normalized input, then \(file.activations[k].rawValue). */")
                ai = "(input[i] - \(name)_offset[i]) / \(name)_scale[i]"
            } else {
                lines.append("    /* z = \(k == 0 ? "x" : "a")*W\(k) + b\(k), then \(file.activations[k].rawValue). */")
                ai = "\(source)[i]"
            }
            lines += [
                "    for (j = 0; j < \(m); j++) \(target)[j] = \(name)_b\(k)[j];",
                "    for (i = 0; i < \(n); i++) {",
                "        const \(type) a = \(ai);",
                "        for (j = 0; j < \(m); j++) \(target)[j] += a * \(name)_W\(k)[i * \(m) + j];",
                "    }",
            ]
            lines += activationLines(file.activations[k], target: target, count: m)
            lines.append("")
        }
        if lines.last == "" { lines.removeLast() }
        lines += ["}", ""]
        return lines
    }

    /// `a = f(z)` in place over `target[0 ..< count]`.
    private func activationLines(_ activation: Activation, target: String, count: Int) -> [String] {
        switch activation {
        case .sigmoid:
            return ["    for (j = 0; j < \(count); j++) \(target)[j] = \(name)_sigmoid(\(target)[j]);"]
        case .tanh:
            return ["    for (j = 0; j < \(count); j++) \(target)[j] = tanh\(mathSuffix)(\(target)[j]);"]
        case .relu:
            return ["    for (j = 0; j < \(count); j++) \(target)[j] = \(target)[j] > 0 ? \(target)[j] : 0;"]
        case .linear:
            return []
        case .softmax:
            // Subtracting the largest z keeps every e^x <= 1; the sum is
            // taken in index order, as the trainer takes it.
            var lines = ["    {", "        \(type) largest = \(target)[0], sum = 0;"]
            if count > 1 {
                lines.append("        for (j = 1; j < \(count); j++) if (\(target)[j] > largest) largest = \(target)[j];")
            }
            lines += [
                "        for (j = 0; j < \(count); j++) {",
                "            \(target)[j] = exp\(mathSuffix)(\(target)[j] - largest);",
                "            sum += \(target)[j];",
                "        }",
                "        for (j = 0; j < \(count); j++) \(target)[j] /= sum;",
                "    }",
            ]
            return lines
        }
    }

    // MARK: - Numbers

    /// A weight or bias: the value trainer builds from the literal, written
    /// as the shortest decimal that reads back to it (for a trainer-written
    /// file, the literal itself), with `f` for float. Going through the
    /// value turns hand-written literals such as `1` or 30 digits into valid
    /// C that means the same number.
    private func weightLiteral(_ text: String) -> String {
        switch file.metadata.precision {
        case .float32: return CLiteral.number(text, as: Float.self)
        case .float64: return CLiteral.number(text, as: Double.self)
        }
    }

    /// An offset or scale (a Double) rounded to the network's precision, as
    /// ``InputScaling/scaled(_:column:)`` rounds it.
    private func scalingLiteral(_ value: Double) -> String {
        switch file.metadata.precision {
        case .float32: return CLiteral.number(Float(value))
        case .float64: return CLiteral.number(value)
        }
    }
}
