extension Optimizer {
    /// One step of every weight and bias of `network` from the batch-mean
    /// gradients of the engine's `pass`, with learning rate `learningRate`:
    /// the same update as ``update(_:along:learningRate:)``.
    public mutating func update(_ network: inout Network<S>, from pass: Backpropagation<S>, learningRate: Double) {
        update(&network, weightGradients: pass.weightGradients, biasGradients: pass.biasGradients, learningRate: learningRate)
    }
}
