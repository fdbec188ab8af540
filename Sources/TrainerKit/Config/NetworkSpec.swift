/// The network a run starts from, resolved from the config (and
/// `network.from` or `--init-from`), before it is built in a precision.
public struct NetworkSpec: Sendable {
    public var layers: [Int]
    public var activations: [Activation]
    public var parameters: Parameters
    /// The metadata of the weights file given with `--init-from`, which a
    /// resumed run continues from.
    public var resumedFrom: WeightsFile.Metadata?
    /// The input scaling of the weights file the network starts from
    /// (`network.from` or `--init-from`), which its weights were trained for.
    public var startScaling: (scaling: InputScaling, file: String)?

    public init(layers: [Int], activations: [Activation], parameters: Parameters, resumedFrom: WeightsFile.Metadata? = nil) {
        self.layers = layers
        self.activations = activations
        self.parameters = parameters
        self.resumedFrom = resumedFrom
    }

    /// The network saved in `weights`, read from `file` (how errors name it).
    init(weights: WeightsFile, file: String, resumedFrom: WeightsFile.Metadata? = nil) {
        self.init(
            layers: weights.layers, activations: weights.activations,
            parameters: .literals(weights: weights.weights, biases: weights.biases, file: file, path: "weights"),
            resumedFrom: resumedFrom)
    }

    public enum Parameters: Sendable {
        /// Weights (and optionally biases) written as literals, in `file`
        /// at `path` (`network.weights` of a config, `weights` of a weights file).
        case literals(weights: [LiteralMatrix], biases: [[String]]?, file: String, path: String)
        /// Weights drawn from the seeded generator; `biases` given or zero.
        case initialized(Initialization?, biases: [[String]]?, file: String)
    }

    public var parameterCount: Int? {
        MemoryEstimate.parameterCount(layers: layers)
    }

    /// Builds the network in precision `S`, drawing initial weights from
    /// `generator` when the config gives none.
    public func build<S: Scalar>(using generator: inout RandomGenerator, as: S.Type = S.self) throws(TrainerError) -> Network<S> {
        switch parameters {
        case .literals(let weights, let biases, let file, let path):
            var matrices: [Matrix<S>] = []
            for (l, literal) in weights.enumerated() {
                var matrix = Matrix<S>(rows: layers[l], columns: layers[l + 1])
                for (i, row) in literal.enumerated() {
                    for (j, text) in row.enumerated() {
                        matrix[i, j] = try DataLoader.value(text, place: "\(file): \(path)[\(l)][\(i)][\(j)]")
                    }
                }
                matrices.append(matrix)
            }
            let biasPath = path == "weights" ? "biases" : "network.biases"
            let vectors: [[S]] = try NetworkSpec.biases(biases, layers: layers, file: file, path: biasPath)
            return Network(layerSizes: layers, activations: activations, weights: matrices, biases: vectors)
        case .initialized(let scheme, let biases, let file):
            var network = Network<S>(layerSizes: layers, activations: activations, initialization: scheme, using: &generator)
            network.biases = try NetworkSpec.biases(biases, layers: layers, file: file, path: "network.biases")
            return network
        }
    }

    private static func biases<S: Scalar>(
        _ literals: [[String]]?, layers: [Int], file: String, path: String
    ) throws(TrainerError) -> [[S]] {
        guard let literals else { return layers.dropFirst().map { [S](repeating: 0, count: $0) } }
        var vectors: [[S]] = []
        for (l, vector) in literals.enumerated() {
            var values: [S] = []
            for (j, text) in vector.enumerated() {
                values.append(try DataLoader.value(text, place: "\(file): \(path)[\(l)][\(j)]"))
            }
            vectors.append(values)
        }
        return vectors
    }
}

extension Config {
    /// The network this config starts from. `initFrom` (the `--init-from`
    /// file) takes precedence over `network.from`; either file's layers and
    /// activations must agree with any the config gives.
    public func resolveNetwork(initFrom: FilePath? = nil) throws(TrainerError) -> NetworkSpec {
        if let fileSource = initFrom ?? network.from {
            let weights = try WeightsFile.read(fileSource)
            let file = fileSource.display
            if let layers = network.layers, layers != weights.layers {
                throw TrainerError.file(
                    file, "layers \(describe(weights.layers)) do not match network.layers \(describe(layers)) of \(self.file)")
            }
            if let choice = network.activations {
                let expected = choice.resolved(layerCount: weights.layers.count - 1)
                if expected != weights.activations {
                    throw TrainerError.file(
                        file,
                        "activations \(describe(weights.activations.map(\.rawValue))) do not match the config's \(describe(expected.map(\.rawValue)))"
                    )
                }
            }
            try Config.checkArchitecture(
                layers: weights.layers, activations: weights.activations, activationChoice: .perLayer(weights.activations),
                loss: training.loss, file: self.file)
            var spec = NetworkSpec(weights: weights, file: file, resumedFrom: initFrom != nil ? weights.metadata : nil)
            spec.startScaling = weights.metadata.inputScaling.map { ($0, file) }
            return spec
        }
        let layers = network.layers!  // decoding requires layers without `from`
        let activations =
            network.activations?.resolved(layerCount: layers.count - 1)
            ?? Array(repeating: .sigmoid, count: layers.count - 1)
        if let weights = network.weights {
            return NetworkSpec(
                layers: layers, activations: activations,
                parameters: .literals(weights: weights, biases: network.biases, file: file, path: "network.weights"))
        }
        return NetworkSpec(
            layers: layers, activations: activations,
            parameters: .initialized(network.initialization, biases: network.biases, file: file))
    }

    /// The scaling of the weights file `spec` starts from, which its
    /// weights were learnt for; an error when `data.normalize` names another.
    public func startScaling(of spec: NetworkSpec) throws(TrainerError) -> InputScaling? {
        guard let start = spec.startScaling else { return nil }
        if let method = data.normalize, method != start.scaling.method {
            let wanted = start.scaling.method.rawValue
            throw TrainerError.at(
                file, path: "data.normalize",
                "is \(method.rawValue), but \(start.file) was trained on inputs scaled by \(wanted); give \(wanted) or leave data.normalize out"
            )
        }
        return start.scaling
    }

    private func describe(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    private func describe(_ values: [String]) -> String {
        "[" + values.joined(separator: ",") + "]"
    }
}

extension NetworkSpec {
    /// The memory and count of the literal numbers the spec holds as text: `network.weights`, or a starting weights file's parameters and
    /// optimizer state (``MemoryEstimate/textBytes(_:)`` each, and 32 bytes
    /// for each row's array).
    var literalText: (bytes: Int, count: Int) {
        var total = 0, count = 0
        func add(_ rows: [[String]]) {
            for row in rows {
                total = MemoryEstimate.plus(total, 32)
                count = MemoryEstimate.plus(count, row.count)
                for literal in row { total = MemoryEstimate.plus(total, MemoryEstimate.textBytes(literal)) }
            }
        }
        switch parameters {
        case .literals(let weights, let biases, _, _):
            weights.forEach(add)
            add(biases ?? [])
        case .initialized(_, let biases, _):
            add(biases ?? [])
        }
        if let state = resumedFrom?.optimizer {
            for slot in state.weightSlots { slot.forEach(add) }
            state.biasSlots.forEach(add)
        }
        return (total, count)
    }
}
