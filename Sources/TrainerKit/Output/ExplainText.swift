import Glibc

/// When `trainer explain` summarises instead of writing every number, and how
/// wide its text is. One place, so that the help text states the same values.
enum ExplainLimits {
    /// More parameters than this and the text is a summary (unless --full).
    static let parameters = 100
    /// More samples in the batch than this and the text is a summary.
    static let batch = 4
    /// Sums of more terms than this are given by their result only.
    static let writtenOutTerms = 8
    /// A summary lists targets of at most this many outputs.
    static let summaryTargets = 20
    /// Lines are broken to fit an 80-column terminal.
    static let width = 80
    /// Entries shown by name in a summary, per vector.
    static let examples = 3
}

/// `trainer explain`'s text: one step written out like the worked examples
/// it comes from. Every number printed is a value of the step itself (the
/// trace, or the network before or after), in the shortest form that reads
/// back to the same bits; the operands written before it show where it came
/// from, but the result is never recomputed here. Only the statistics of a
/// summary (means, norms, marked ≈) are computed for display.
struct ExplainText<S: Scalar> {
    let step: ExplainedStep<S>
    /// Write every number, however large the network or the batch.
    let full: Bool

    private var layout = EquationLayout(width: ExplainLimits.width)
    /// The width of the longest `s=N:` label, so that sample rows line up.
    private let sampleLabelWidth: Int

    init(step: ExplainedStep<S>, full: Bool) {
        self.step = step
        self.full = full
        sampleLabelWidth = step.samples.map { "s=\($0):".count }.max() ?? 0
    }

    /// Why the text is a summary, or nil when it writes every number.
    var summaryReason: String? {
        guard !full else { return nil }
        var reasons: [String] = []
        let parameters = step.before.parameterCount
        if parameters > ExplainLimits.parameters {
            reasons.append("the network has \(MemoryEstimate.grouped(parameters)) parameters (more than \(ExplainLimits.parameters))")
        }
        if step.batchCount > ExplainLimits.batch {
            reasons.append("the batch has \(step.batchCount) samples (more than \(ExplainLimits.batch))")
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: " and ")
    }

    func render() -> String {
        var text = self
        text.writeHeader()
        let summary = summaryReason
        if summary == nil { text.writeFull() } else { text.writeSummary() }
        if let summary {
            text.layout.blank()
            text.layout.paragraph(
                "This is a summary, because \(summary). --full writes every number; --format json writes them all as JSON.")
        }
        return text.layout.lines.joined(separator: "\n") + "\n"
    }

    // MARK: - The step's numbers, by their names in docs/contract.md's Notation

    private var trace: Trace<S> { step.trace }
    private var gradients: Gradients<S> { step.gradients }
    private var m: Int { step.batchCount }
    private var last: Int { step.layerCount - 1 }
    private func a(_ k: Int, _ s: Int, _ j: Int) -> S { trace.a[k][s, j] }
    private func z(_ k: Int, _ s: Int, _ j: Int) -> S { trace.z[k][s, j] }
    private func delta(_ k: Int, _ s: Int, _ j: Int) -> S { gradients.delta[k][s, j] }
    private func t(_ s: Int, _ j: Int) -> S { step.targets[s, j] }
    private func w(_ k: Int, _ i: Int, _ j: Int) -> S { step.before.weights[k][i, j] }
    private func b(_ k: Int, _ j: Int) -> S { step.before.biases[k][j] }

    // MARK: - Number formats

    /// The shortest decimal that reads back to the same bits.
    private func number(_ x: S) -> String { x.description }

    /// An operand: negative numbers in brackets, so `0.5×(-0.2)` and `1 - (-0.2)` read right.
    private func operand(_ x: S) -> String { x.sign == .minus && !x.isNaN ? "(\(x))" : x.description }

    private func vector(_ values: [S]) -> String { "[" + values.map(number).joined(separator: ", ") + "]" }

    /// A derived statistic, marked as such: four significant digits.
    private func approximately(_ x: Double) -> String { "≈ " + String(cFormat: "%.4g", x) }

    // MARK: - Entries

    /// One named quantity: its formula in symbols, then for each sample the
    /// formula with the numbers, then the value.
    private struct Entry {
        var head: String
        var relation = "="
        var symbolic: String?
        var numeric: (Int) -> String? = { _ in nil }
        var value: (Int) -> String
        /// False for what the batch has one of (gradients, updates).
        var perSample = true
    }

    /// `s=3:` for the row of data.train sample 3, padded to a common width.
    private func sampleLabel(_ s: Int) -> String {
        "s=\(step.samples[s]):".padded(to: sampleLabelWidth)
    }

    /// An entry for the given rows of the batch: with a batch of one, one
    /// derivation; otherwise the formula, then one row per sample.
    private mutating func write(_ entry: Entry, indent: Int, rows: [Int]? = nil) {
        let pad = String(repeating: " ", count: indent)
        if !entry.perSample || m == 1 {
            let tokens = [entry.symbolic, entry.numeric(0), entry.value(0)].compactMap { $0 }
            layout.equation(pad + entry.head, tokens, relation: entry.relation)
            return
        }
        if let symbolic = entry.symbolic {
            layout.equation(pad + entry.head, [symbolic], relation: entry.relation)
        } else {
            layout.line(pad + entry.head)
        }
        for s in rows ?? Array(0..<m) {
            layout.equation(pad + "  " + sampleLabel(s), [entry.numeric(s), entry.value(s)].compactMap { $0 }, relation: "")
        }
    }

    /// `x[0] + x[1] + x[2]`, or `x[0] + … + x[n-1]` past the limit of written-out terms.
    private func sum(_ count: Int, _ term: (Int) -> String) -> String {
        guard count > ExplainLimits.writtenOutTerms else { return (0..<count).map(term).joined(separator: " + ") }
        return "\(term(0)) + … + \(term(count - 1))"
    }

    private func writtenOut(_ count: Int) -> Bool { count <= ExplainLimits.writtenOutTerms }

    private func inputEntry() -> Entry {
        Entry(head: "a[0]", symbolic: "the input", value: { s in self.vector(self.trace.a[0].row(s)) })
    }

    private func targetEntry() -> Entry {
        Entry(head: "t", symbolic: "the target", value: { s in self.vector(self.step.targets.row(s)) })
    }

    /// z[k][j] = Σ_i a[k][i]·W[k][i][j] + b[k][j].
    private func weightedInputEntry(_ k: Int, _ j: Int) -> Entry {
        let inputs = step.sizes[k]
        let symbolic = sum(inputs) { i in "a[\(k)][\(i)]·W[\(k)][\(i)][\(j)]" } + " + b[\(k)][\(j)]"
        return Entry(
            head: "z[\(k)][\(j)]", symbolic: symbolic,
            numeric: { s in
                guard self.writtenOut(inputs) else { return nil }
                let terms = (0..<inputs).map { i in "\(self.operand(self.a(k, s, i)))×\(self.operand(self.w(k, i, j)))" }
                return terms.joined(separator: " + ") + " + " + self.operand(self.b(k, j))
            },
            value: { s in self.number(self.z(k, s, j)) })
    }

    /// a[k+1][j] = f(z[k][j]).
    private func activationEntry(_ k: Int, _ j: Int) -> Entry {
        let f = step.before.activations[k]
        let head = "a[\(k + 1)][\(j)]", zName = "z[\(k)][\(j)]"
        let value: (Int) -> String = { s in self.number(self.a(k + 1, s, j)) }
        switch f {
        case .sigmoid:
            return Entry(head: head, symbolic: "σ(\(zName))", numeric: { s in "σ(\(self.number(self.z(k, s, j))))" }, value: value)
        case .tanh:
            return Entry(head: head, symbolic: "tanh(\(zName))", numeric: { s in "tanh(\(self.number(self.z(k, s, j))))" }, value: value)
        case .relu:
            return Entry(
                head: head, symbolic: "max(0, \(zName))", numeric: { s in "max(0, \(self.number(self.z(k, s, j))))" }, value: value)
        case .linear:
            return Entry(head: head, symbolic: zName, value: value)
        case .softmax:
            let n = step.sizes[k + 1]
            return Entry(
                head: head, symbolic: "exp(\(zName)) / Σ_i exp(z[\(k)][i])",
                numeric: { s in
                    guard self.writtenOut(n) else { return nil }
                    let terms = (0..<n).map { i in "exp(\(self.number(self.z(k, s, i))))" }
                    return "exp(\(self.number(self.z(k, s, j)))) / (\(terms.joined(separator: " + ")))"
                },
                value: value)
        }
    }

    /// The per-sample loss E, with the numbers of its formula.
    private func lossEntry() -> Entry {
        let L = step.layerCount, n = step.sizes[L]
        let output = step.before.activations[last]
        let symbolic: String
        let terms: (Int) -> [String]
        let wrap: ([String]) -> String
        switch step.loss {
        case .sse:
            symbolic = "½ Σ_j (t[j] − a[\(L)][j])²"
            terms = { s in (0..<n).map { j in "(\(self.number(self.t(s, j))) - \(self.operand(self.a(L, s, j))))²" } }
            wrap = { "½(" + $0.joined(separator: " + ") + ")" }
        case .mse:
            symbolic = "(1/\(n)) Σ_j (t[j] − a[\(L)][j])²"
            terms = { s in (0..<n).map { j in "(\(self.number(self.t(s, j))) - \(self.operand(self.a(L, s, j))))²" } }
            wrap = { "(" + $0.joined(separator: " + ") + ") / \(n)" }
        case .crossEntropy where output == .softmax:
            symbolic = "−Σ_j t[j]·log(a[\(L)][j])"
            terms = { s in
                (0..<n).filter { self.t(s, $0) != 0 }.map { j in "\(self.operand(self.t(s, j)))×log(\(self.number(self.a(L, s, j))))" }
            }
            wrap = { "-(" + $0.joined(separator: " + ") + ")" }
        case .crossEntropy:
            symbolic = "−Σ_j [t[j]·log(a[\(L)][j]) + (1 − t[j])·log(1 − a[\(L)][j])]"
            terms = { s in
                (0..<n).map { j in
                    let tj = self.operand(self.t(s, j)), aj = self.operand(self.a(L, s, j))
                    return "\(tj)×log(\(self.number(self.a(L, s, j)))) + (1 - \(tj))×log(1 - \(aj))"
                }
            }
            wrap = { "-(" + $0.joined(separator: " + ") + ")" }
        }
        return Entry(
            head: "E", symbolic: symbolic,
            numeric: { s in
                let written = terms(s)
                return self.writtenOut(written.count) ? wrap(written) : nil
            },
            value: { s in self.number(self.step.sampleLosses[s]) })
    }

    /// f'(z[k][j]) of layer k+1 in symbols, or nil where it is 1 (or a Jacobian).
    private func derivativeSymbol(_ k: Int, _ j: String) -> String? {
        let aName = "a[\(k + 1)][\(j)]"
        switch step.before.activations[k] {
        case .sigmoid: return "\(aName)(1 − \(aName))"
        case .tanh: return "(1 − \(aName)²)"
        case .relu: return "relu'(z[\(k)][\(j)])"
        case .linear, .softmax: return nil
        }
    }

    /// f'(z[k][j]) of layer k+1 in symbols and in numbers, or nil where it is 1.
    private func derivative(_ k: Int, _ j: Int) -> (symbolic: String, numeric: (Int) -> String)? {
        guard let symbolic = derivativeSymbol(k, String(j)) else { return nil }
        switch step.before.activations[k] {
        case .sigmoid:
            return (symbolic, { s in "\(self.operand(self.a(k + 1, s, j)))×(1 - \(self.operand(self.a(k + 1, s, j))))" })
        case .tanh:
            return (symbolic, { s in "(1 - \(self.operand(self.a(k + 1, s, j)))²)" })
        default:
            return (symbolic, { s in self.z(k, s, j) > 0 ? "1" : "0" })
        }
    }

    /// The output layer's δ[L-1][j] in symbols: ∂E/∂a ⊙ f'(z), or a − t for cross-entropy.
    private func outputDeltaFormula(_ j: String) -> String {
        let L = step.layerCount, n = step.sizes[L]
        let aName = "a[\(L)][\(j)]", tName = "t[\(j)]"
        if step.loss == .crossEntropy { return "\(aName) − \(tName)" }
        if step.before.activations[last] == .softmax {
            // The softmax Jacobian mixes every output: the formula, then the result.
            let g = step.loss == .sse ? "a[\(L)] − t" : "2(a[\(L)] − t)/\(n)"
            return "\(aName)·(g[\(j)] − Σ_i g[i]·a[\(L)][i]) with g = \(g)"
        }
        let gradient = step.loss == .sse ? "(\(aName) − \(tName))" : "2(\(aName) − \(tName))/\(n)"
        return gradient + (derivativeSymbol(last, j).map { " · " + $0 } ?? "")
    }

    /// The output layer's δ with the numbers of its formula.
    private func outputDeltaEntry(_ j: Int) -> Entry {
        let k = last, L = step.layerCount, n = step.sizes[L]
        let head = "δ[\(k)][\(j)]", symbolic = outputDeltaFormula(String(j))
        let value: (Int) -> String = { s in self.number(self.delta(k, s, j)) }
        let difference: (Int) -> String = { s in "\(self.operand(self.a(L, s, j))) - \(self.operand(self.t(s, j)))" }
        if step.loss == .crossEntropy {
            return Entry(head: head, symbolic: symbolic, numeric: difference, value: value)
        }
        if step.before.activations[k] == .softmax {
            return Entry(head: head, symbolic: symbolic, value: value)
        }
        let gradientNumbers: (Int) -> String = { s in
            self.step.loss == .sse ? "(\(difference(s)))" : "2×(\(difference(s)))/\(n)"
        }
        let fPrime = derivative(k, j)
        return Entry(
            head: head, symbolic: symbolic,
            numeric: { s in gradientNumbers(s) + (fPrime.map { " × " + $0.numeric(s) } ?? "") }, value: value)
    }

    /// A hidden layer's δ[k][i] = (Σ_j δ[k+1][j]·W[k+1][i][j]) · f'(z[k][i]).
    private func hiddenDeltaEntry(_ k: Int, _ i: Int) -> Entry {
        let next = step.sizes[k + 2]
        let backSum = "(" + sum(next) { j in "δ[\(k + 1)][\(j)]·W[\(k + 1)][\(i)][\(j)]" } + ")"
        let backNumbers: (Int) -> String? = { s in
            guard self.writtenOut(next) else { return nil }
            return "("
                + (0..<next).map { j in "\(self.operand(self.delta(k + 1, s, j)))×\(self.operand(self.w(k + 1, i, j)))" }
                .joined(separator: " + ") + ")"
        }
        let fPrime = derivative(k, i)
        return Entry(
            head: "δ[\(k)][\(i)]", symbolic: backSum + (fPrime.map { " · " + $0.symbolic } ?? ""),
            numeric: { s in backNumbers(s).map { $0 + (fPrime.map { " × " + $0.numeric(s) } ?? "") } },
            value: { s in self.number(self.delta(k, s, i)) })
    }

    /// ∂E/∂W[k][i][j] = a[k][i]·δ[k][j], the mean over the batch.
    private func weightGradientEntry(_ k: Int, _ i: Int, _ j: Int) -> Entry {
        let product = "a[\(k)][\(i)]·δ[\(k)][\(j)]"
        let terms = (0..<(writtenOut(m) ? m : 0)).map { s in "\(operand(a(k, s, i)))×\(operand(delta(k, s, j)))" }
        let symbolic = m == 1 ? product : "(Σ_s \(product)) / \(m)"
        let numeric = !writtenOut(m) ? nil : m == 1 ? terms[0] : "(" + terms.joined(separator: " + ") + ") / \(m)"
        return Entry(
            head: "∂E/∂W[\(k)][\(i)][\(j)]", symbolic: symbolic, numeric: { _ in numeric },
            value: { _ in self.number(self.gradients.weights[k][i, j]) }, perSample: false)
    }

    /// ∂E/∂b[k][j] = δ[k][j], the mean over the batch.
    private func biasGradientEntry(_ k: Int, _ j: Int) -> Entry {
        let terms = (0..<(writtenOut(m) ? m : 0)).map { s in operand(delta(k, s, j)) }
        let symbolic = m == 1 ? "δ[\(k)][\(j)]" : "(Σ_s δ[\(k)][\(j)]) / \(m)"
        let numeric = m == 1 || !writtenOut(m) ? nil : "(" + terms.joined(separator: " + ") + ") / \(m)"
        return Entry(
            head: "∂E/∂b[\(k)][\(j)]", symbolic: symbolic, numeric: { _ in numeric },
            value: { _ in self.number(self.gradients.biases[k][j]) }, perSample: false)
    }

    /// W[k][i][j] ← W[k][i][j] − η·∂E/∂W[k][i][j] (for another rule, only
    /// the weight after run's step).
    private func weightUpdateEntry(_ k: Int, _ i: Int, _ j: Int) -> Entry {
        let numeric =
            step.otherUpdateRule != nil
            ? nil : "\(number(w(k, i, j))) - \(operand(step.learningRate))×\(operand(gradients.weights[k][i, j]))"
        return Entry(
            head: "W[\(k)][\(i)][\(j)]", relation: "←", numeric: { _ in numeric },
            value: { _ in self.number(self.step.after.weights[k][i, j]) }, perSample: false)
    }

    /// b[k][j] ← b[k][j] − η·∂E/∂b[k][j] (for another rule, only the bias
    /// after run's step).
    private func biasUpdateEntry(_ k: Int, _ j: Int) -> Entry {
        let numeric =
            step.otherUpdateRule != nil
            ? nil : "\(number(b(k, j))) - \(operand(step.learningRate))×\(operand(gradients.biases[k][j]))"
        return Entry(
            head: "b[\(k)][\(j)]", relation: "←", numeric: { _ in numeric },
            value: { _ in self.number(self.step.after.biases[k][j]) }, perSample: false)
    }

    // MARK: - Section headings

    private func activationSymbol(_ k: Int) -> String {
        let f = step.before.activations[k]
        switch f {
        case .sigmoid: return "a[\(k + 1)] = σ(z[\(k)])"
        case .linear: return "a[\(k + 1)] = z[\(k)]"
        case .relu: return "a[\(k + 1)] = max(0, z[\(k)])"
        case .tanh, .softmax: return "a[\(k + 1)] = \(f.rawValue)(z[\(k)])"
        }
    }

    private func layerName(_ k: Int) -> String {
        let n = step.sizes[k + 1]
        let kind = k == last ? "output, " : ""
        return "layer \(k + 1) (\(kind)\(n) neuron\(n == 1 ? "" : "s"), \(step.before.activations[k].rawValue))"
    }

    /// `layer 1 (…): z[0] = …, a[1] = …`, on two lines when one is too narrow.
    private mutating func writeForwardHeading(_ k: Int) {
        let name = "  \(layerName(k)):", formula = "z[\(k)] = a[\(k)]·W[\(k)] + b[\(k)], \(activationSymbol(k))"
        if (name + " " + formula).count <= ExplainLimits.width {
            layout.line(name + " " + formula)
        } else {
            layout.line(name)
            layout.line("    " + formula)
        }
    }

    private mutating func writeBackwardHeading(_ k: Int) {
        if k == last {
            layout.equation("  layer \(k + 1) (output): δ[\(k)][j]", ["∂E/∂z[\(k)][j]", outputDeltaFormula("j")])
            return
        }
        let fPrime = step.before.activations[k] == .linear ? "" : " ⊙ f'(z[\(k)])"
        layout.line("  layer \(k + 1): δ[\(k)] = (δ[\(k + 1)]·W[\(k + 1)]ᵀ)\(fPrime)")
    }

    private func gradientHeading(_ k: Int) -> String {
        m == 1
            ? "    ∂E/∂W[\(k)][i][j] = a[\(k)][i]·δ[\(k)][j], ∂E/∂b[\(k)][j] = δ[\(k)][j]"
            : "    ∂E/∂W[\(k)][i][j] and ∂E/∂b[\(k)][j]: the mean over the batch's samples s"
    }

    private var updateHeading: String {
        if let rule = step.otherUpdateRule {
            return "Update, \(rule), η = \(number(step.learningRate)): run's step (not W ← W − η·∂E/∂W), the values after it"
        }
        return "Update, η = \(number(step.learningRate)): W ← W − η·∂E/∂W, b ← b − η·∂E/∂b"
    }

    /// What run's loss log reports for this epoch, compared with this step's
    /// loss; or why run would stop (its checks, so the reader is not misled).
    private var logNote: String {
        if !step.meanLoss.isFinite {
            return "  The loss is not finite: run stops at this step with exit 1."
        }
        if let parameter = step.after.firstNonFiniteParameter() {
            return "  The update makes \(parameter): run stops at the end of epoch \(step.epoch) with exit 1."
        }
        return step.coversEpoch
            ? "  The batch is all of epoch \(step.epoch): run's loss log shows this loss for it."
            : "  Run's loss log shows the mean E over epoch \(step.epoch)'s \(step.trainCount) samples."
    }

    // MARK: - Header

    private mutating func writeHeader() {
        let sizes = step.sizes.map(String.init).joined(separator: "-")
        // Never broken: a long path only lengthens this line.
        layout.line("trainer explain \(step.configFile): the first step of 'trainer run'" + (summaryReason == nil ? "" : " (a summary)"))
        let indices = step.samples.map(String.init)
        let listed =
            full || indices.count <= 8
            ? indices.joined(separator: ", ") + " of \(step.trainCount)"
            : indices.prefix(8).joined(separator: ", ") + ", … (\(m) of \(step.trainCount))"
        layout.equation(
            "  batch:   ", ["data.train sample\(m == 1 ? "" : "s") \(listed); batch size \(step.batchSize)"], relation: "")
        let order = step.shuffle ? "after run's seeded shuffle" : "in file order"
        let position =
            step.firstSampleInEpoch == 0
            ? "its first batch" : "from its sample \(step.firstSampleInEpoch + 1) (resumed)"
        layout.line("  epoch:    \(step.epoch), \(position), \(order)")
        let names = step.before.activations.map(\.rawValue)
        let activations = Set(names).count == 1 ? "\(names[0]) throughout" : "activations \(names.joined(separator: ", "))"
        layout.equation(
            "  network: ",
            ["\(sizes), \(activations); \(MemoryEstimate.grouped(step.before.parameterCount)) parameters; \(S.precisionName)"],
            relation: "")
        layout.line("  training: loss \(step.loss.rawValue); learning rate η = \(number(step.learningRate))")
        if let scaling = step.scaling {
            // Offsets and scales as the network's precision rounds them, the numbers the division used.
            func list(_ values: [Double]) -> String {
                let shown = values.count <= ExplainLimits.writtenOutTerms ? values : Array(values.prefix(3))
                return "[" + shown.map { number(S($0)) }.joined(separator: ", ")
                    + (shown.count < values.count ? ", … (\(values.count))]" : "]")
            }
            layout.line(
                "  inputs:   data.normalize \(scaling.method.rawValue), fitted on data.train: a[0][i] = (x[i] − offset[i]) / scale[i];")
            layout.equation("    ", ["offset = \(list(scaling.offset)); scale = \(list(scaling.scale))"], relation: "")
        }
        layout.line("notation: row vectors; z[k] = a[k]·W[k] + b[k]; a[k+1] = f(z[k]);")
        layout.line("  δ[k] = ∂E/∂z[k]; t is the target; E is the loss of one sample;")
        layout.line("  W[k][i][j] joins neuron i of layer k to neuron j of layer k+1" + (m == 1 ? "" : ";"))
        if m > 1 { layout.line("  a row s=N holds the values of data.train sample N") }
    }

    // MARK: - Every number

    private mutating func writeFull() {
        layout.blank()
        layout.line("Forward")
        write(inputEntry(), indent: 2)
        for k in 0..<step.layerCount {
            layout.blank()
            writeForwardHeading(k)
            for j in 0..<step.sizes[k + 1] { write(weightedInputEntry(k, j), indent: 4) }
            for j in 0..<step.sizes[k + 1] { write(activationEntry(k, j), indent: 4) }
        }

        layout.blank()
        layout.line("Loss (\(step.loss.rawValue))")
        write(targetEntry(), indent: 2)
        write(lossEntry(), indent: 2)
        if m > 1 {
            let losses = (0..<m).map { number(step.sampleLosses[$0]) }
            let numeric = writtenOut(m) ? ["(" + losses.joined(separator: " + ") + ") / \(m)"] : []
            layout.equation("  mean E", numeric + [step.meanLoss.description])
        }
        layout.line(logNote)

        layout.blank()
        layout.line("Backward")
        for k in stride(from: last, through: 0, by: -1) {
            if k != last { layout.blank() }
            writeBackwardHeading(k)
            for j in 0..<step.sizes[k + 1] {
                write(k == last ? outputDeltaEntry(j) : hiddenDeltaEntry(k, j), indent: 4)
            }
            layout.line(gradientHeading(k))
            for i in 0..<step.sizes[k] {
                for j in 0..<step.sizes[k + 1] { write(weightGradientEntry(k, i, j), indent: 4) }
            }
            for j in 0..<step.sizes[k + 1] { write(biasGradientEntry(k, j), indent: 4) }
        }

        layout.blank()
        layout.line(updateHeading)
        for k in 0..<step.layerCount {
            for i in 0..<step.sizes[k] {
                for j in 0..<step.sizes[k + 1] { write(weightUpdateEntry(k, i, j), indent: 2) }
            }
            for j in 0..<step.sizes[k + 1] { write(biasUpdateEntry(k, j), indent: 2) }
        }
    }

    // MARK: - A summary

    /// Minimum, maximum and mean of a matrix, and its largest entry by size.
    private struct Statistics {
        var minimum: S
        var maximum: S
        var mean: Double
        var norm: Double
        /// The row-major index of the entry largest in absolute value.
        var largest: Int

        init(_ values: [S]) {
            minimum = values.min() ?? 0
            maximum = values.max() ?? 0
            var total = 0.0, squares = 0.0
            var largest = 0
            for (index, value) in values.enumerated() {
                total += Double(value)
                squares += Double(value) * Double(value)
                if abs(value) > abs(values[largest]) { largest = index }
            }
            mean = values.isEmpty ? 0 : total / Double(values.count)
            norm = squares.squareRoot()
            self.largest = largest
        }
    }

    private func shape(_ rows: Int, _ columns: Int) -> String { "\(rows)×\(columns)" }

    /// `name (m×n): min …, max …, mean ≈ …`.
    private mutating func writeStatistics(_ name: String, _ matrix: Matrix<S>, indent: Int) {
        let statistics = Statistics(matrix.elements)
        layout.equation(
            String(repeating: " ", count: indent) + "\(name) (\(shape(matrix.rows, matrix.columns))):",
            ["min \(number(statistics.minimum)), max \(number(statistics.maximum)), mean \(approximately(statistics.mean))"],
            relation: "")
    }

    /// `x[first] = …, x[first+1] = …, …`: entries by name, up to the
    /// summary's number of examples counting those before `first`.
    private mutating func writeExamples(_ name: (Int) -> String, _ values: [S], from first: Int, indent: Int) {
        let end = min(values.count, ExplainLimits.examples)
        guard first < end else { return }
        var parts = (first..<end).map { "\(name($0)) = \(number(values[$0]))" }
        if end < values.count { parts.append("…") }
        let pad = String(repeating: " ", count: indent)
        // The relation "" puts one space between the head and the text.
        let head = m > 1 ? pad + sampleLabel(0) : String(pad.dropLast())
        layout.equation(head, [parts.joined(separator: ", ")], relation: "")
    }

    /// `name: ‖·‖ ≈ …, largest name[i][j] = …`.
    /// - Returns: the row-major index of the largest entry by size.
    private mutating func writeGradientStatistics(_ name: String, _ values: [S], columns: Int?, indent: Int) -> Int {
        let statistics = Statistics(values)
        let index = statistics.largest
        let largestName = columns.map { "\(name)[\(index / $0)][\(index % $0)]" } ?? "\(name)[\(index)]"
        let dimensions = columns.map { shape(values.count / $0, $0) } ?? "\(values.count)"
        layout.equation(
            String(repeating: " ", count: indent) + "\(name) (\(dimensions)):",
            ["norm \(approximately(statistics.norm)); largest \(largestName) = \(number(values[index]))"], relation: "")
        return index
    }

    private mutating func writeSummary() {
        let firstRow = [0]
        layout.blank()
        layout.line("Forward")
        let input = trace.a[0]
        writeStatistics("a[0], the input", input, indent: 2)
        writeExamples({ "a[0][\($0)]" }, input.row(0), from: 0, indent: 4)
        for k in 0..<step.layerCount {
            layout.blank()
            writeForwardHeading(k)
            writeStatistics("z[\(k)]", trace.z[k], indent: 4)
            write(weightedInputEntry(k, 0), indent: 6, rows: firstRow)
            writeExamples({ "z[\(k)][\($0)]" }, trace.z[k].row(0), from: 1, indent: 6)
            writeStatistics("a[\(k + 1)]", trace.a[k + 1], indent: 4)
            write(activationEntry(k, 0), indent: 6, rows: firstRow)
            writeExamples({ "a[\(k + 1)][\($0)]" }, trace.a[k + 1].row(0), from: 1, indent: 6)
        }

        layout.blank()
        layout.line("Loss (\(step.loss.rawValue))")
        let shown = Array(0..<min(m, ExplainLimits.batch))
        if step.sizes[step.layerCount] <= ExplainLimits.summaryTargets {
            write(targetEntry(), indent: 2, rows: shown)
        } else {
            writeStatistics("t", step.targets, indent: 2)
        }
        write(lossEntry(), indent: 2, rows: shown)
        if m > shown.count { layout.line("    … \(m - shown.count) more samples") }
        if m > 1 { layout.equation("  mean E", [step.meanLoss.description]) }
        layout.line(logNote)

        layout.blank()
        layout.line("Backward")
        // The largest gradient of each layer, for the update's examples.
        var largestWeightGradient = [Int](repeating: 0, count: step.layerCount)
        var largestBiasGradient = [Int](repeating: 0, count: step.layerCount)
        for k in stride(from: last, through: 0, by: -1) {
            if k != last { layout.blank() }
            writeBackwardHeading(k)
            writeStatistics("δ[\(k)]", gradients.delta[k], indent: 4)
            write(k == last ? outputDeltaEntry(0) : hiddenDeltaEntry(k, 0), indent: 6, rows: firstRow)
            writeExamples({ "δ[\(k)][\($0)]" }, gradients.delta[k].row(0), from: 1, indent: 6)
            layout.line(gradientHeading(k))
            largestWeightGradient[k] = writeGradientStatistics(
                "∂E/∂W[\(k)]", gradients.weights[k].elements, columns: step.sizes[k + 1], indent: 4)
            write(weightGradientEntry(k, 0, 0), indent: 6)
            largestBiasGradient[k] = writeGradientStatistics("∂E/∂b[\(k)]", gradients.biases[k], columns: nil, indent: 4)
            write(biasGradientEntry(k, 0), indent: 6)
        }

        layout.blank()
        layout.line(updateHeading)
        for k in 0..<step.layerCount {
            let columns = step.sizes[k + 1]
            let largest = largestWeightGradient[k]
            layout.line("  W[\(k)] (\(shape(step.sizes[k], columns))): the first weight, and the one with the largest gradient")
            write(weightUpdateEntry(k, 0, 0), indent: 4)
            if largest != 0 { write(weightUpdateEntry(k, largest / columns, largest % columns), indent: 4) }
            let largestBias = largestBiasGradient[k]
            layout.line("  b[\(k)] (\(columns)): the first bias, and the one with the largest gradient")
            write(biasUpdateEntry(k, 0), indent: 4)
            if largestBias != 0 { write(biasUpdateEntry(k, largestBias), indent: 4) }
        }
    }
}
