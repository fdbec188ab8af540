/// Checks across keys: combinations of activations and loss that make no
/// sense. (Shapes are checked while decoding; data against the network once
/// the data is loaded.)
extension Config {
    func validateCombinations() throws(TrainerError) {
        try validateTrainingOptions()
        guard let layers = network.layers else { return }  // `from`: checked once the file is read
        let activations =
            network.activations?.resolved(layerCount: layers.count - 1)
            ?? Array(repeating: .sigmoid, count: layers.count - 1)
        try Config.checkArchitecture(
            layers: layers, activations: activations, activationChoice: network.activations,
            loss: training.loss, file: file)
    }

    /// Softmax only on the output layer and over two or more neurons;
    /// cross-entropy only after a softmax or sigmoid output.
    static func checkArchitecture(
        layers: [Int], activations: [Activation], activationChoice: ActivationChoice?, loss: Loss, file: String
    ) throws(TrainerError) {
        let outputIndex = activations.count - 1
        for (k, activation) in activations.enumerated() where activation == .softmax && k != outputIndex {
            if case .all = activationChoice {
                throw TrainerError.at(
                    file, path: "network.activation",
                    "softmax is only allowed on the output layer; use network.activations, for example [\"sigmoid\", \"softmax\"]")
            }
            throw TrainerError.at(
                file, path: "network.activations[\(k)]",
                "softmax is only allowed on the output layer (layer \(k + 1) is hidden)")
        }
        if activations[outputIndex] == .softmax, layers[layers.count - 1] < 2 {
            throw TrainerError.at(
                file, path: "network.layers",
                "softmax over a single output neuron is always 1; use sigmoid, or two or more outputs")
        }
        if !loss.accepts(outputActivation: activations[outputIndex]) {
            throw TrainerError.at(
                file, path: "training.loss",
                "cross_entropy needs a softmax or sigmoid output layer, found \(activations[outputIndex].rawValue)")
        }
    }

    /// Validation from two places, or early stopping or a target on a
    /// column the log will not have.
    func validateTrainingOptions() throws(TrainerError) {
        if training.validationSplit != nil && data.validation != nil {
            throw TrainerError.at(
                file, path: "training.validation_split",
                "data.validation is also given; expected one source of validation data, not both")
        }
        let monitors = [
            training.earlyStopping.map { ($0.monitor, "training.early_stopping.monitor") },
            training.target.map { ($0.monitor, "training.target.monitor") },
        ]
        for case (let monitor, let path)? in monitors {
            if monitor.hasPrefix("val_") && training.validationSplit == nil && data.validation == nil {
                throw TrainerError.at(
                    file, path: path, "\(monitor) needs validation data; add training.validation_split or data.validation")
            }
            if monitor.hasPrefix("test_") && data.test == nil {
                throw TrainerError.at(file, path: path, "\(monitor) needs data.test")
            }
        }
    }
}
