/// The delta rule's update: every weight and bias steps against its gradient,
/// `W[k] -= η · ∂E/∂W[k]` and `b[k] -= η · ∂E/∂b[k]`, with the gradients the
/// batch means that ``Backpropagation`` computed.
public struct GradientDescent<S: Scalar>: Sendable {
    /// η, the learning rate.
    public var learningRate: S

    public init(learningRate: S) {
        self.learningRate = learningRate
    }

    /// Applies one step to `network` from the gradients in `pass`.
    public func update(_ network: inout Network<S>, from pass: Backpropagation<S>) {
        let eta = learningRate
        for k in 0..<network.layerCount {
            network.weights[k].elements.withUnsafeMutableBufferPointer { w in
                pass.weightGradients[k].elements.withUnsafeBufferPointer { g in
                    S.subtractScaled(w.baseAddress!, g.baseAddress!, scale: eta, count: w.count)  // W[k] -= η · ∂E/∂W[k]
                }
            }
            network.biases[k].withUnsafeMutableBufferPointer { b in
                pass.biasGradients[k].withUnsafeBufferPointer { g in
                    for j in 0..<b.count { b[j] -= eta * g[j] }  // b[k] -= η · ∂E/∂b[k]
                }
            }
        }
    }
}
