import TrainerKernels

/// The step of float64, and of every rule but float32's delta rule: the
/// batch copied whole into a[0], then the plain delta rule folded into the
/// gradient product with the bits of the long way (``backwardUpdatingExactly(_:loss:learningRate:)``),
/// or the long way itself: ``Backpropagation/backward(_:loss:)``, every
/// gradient kept, and ``Optimizer`` (momentum, Adam, L2, and `explain`).
struct ExactStep<S: Scalar> {
    /// The buffers, and the last step's trace.
    var pass: Backpropagation<S>
    /// Whether the plain delta rule is folded into the gradient product.
    let foldsDeltaRule: Bool

    init(network: Network<S>, batchCapacity: Int, foldsDeltaRule: Bool, pool: KernelThreadPool?) {
        pass = Backpropagation(network: network, batchCapacity: batchCapacity)
        pass.pool = pool
        self.foldsDeltaRule = foldsDeltaRule
    }

    /// One step of gradient descent (``TrainingEngine/step(_:samples:learningRate:next:)``).
    mutating func step(
        _ network: inout Network<S>, optimizer: inout Optimizer<S>, loss: Loss,
        data: Dataset<S>, samples: ArraySlice<Int>, learningRate: Double, next: ArraySlice<Int>?
    ) -> StepResult {
        pass.forward(network, batch: samples, of: data, prefetching: next)
        let result = pass.result(loss: loss, network: network, data: data, samples: samples)
        if foldsDeltaRule {
            backwardUpdatingExactly(&network, loss: loss, learningRate: S(learningRate))
        } else {
            pass.backward(network, loss: loss)
            optimizer.update(&network, from: pass, learningRate: learningRate)
        }
        return result
    }

    /// The backward pass and the plain delta rule in one, with exactly the
    /// numbers of ``Backpropagation/backward(_:loss:)`` followed by the sgd
    /// update (`Optimizer`): each `∂E/∂W[k]` element is summed over the batch
    /// in order, divided by m, multiplied by η and subtracted inside the
    /// product kernel, so W[k] is read and written once and the gradient
    /// never stored (``Backpropagation/weightGradients`` is used as scratch
    /// and left unspecified). Biases as by the unfused rule.
    mutating func backwardUpdatingExactly(_ network: inout Network<S>, loss: Loss, learningRate eta: S) {
        pass.backwardUpdating(&network, loss: loss, learningRate: eta) { pass, network, k in
            let m = pass.batchSize, inputs = network.layerSizes[k], n = network.layerSizes[k + 1], pool = pass.pool
            network.weights[k].withMutableElementPointer { w in
                pass.weightGradients[k].withMutableElementPointer { scratch in
                    pass.activations[k].withElementPointer { a in
                        pass.deltas[k].withElementPointer { d in
                            // ∂E/∂W[k] = (Σ a[k]ᵀ·δ[k]) / m;  W[k] -= η · ∂E/∂W[k]
                            Kernels.deltaRuleStep(
                                a, d, w, scratch: scratch,
                                m: m, k: inputs, n: n, divisor: S(m), rate: eta, pool: pool)
                        }
                    }
                }
            }
        }
    }
}
