import TrainerKernels

/// The step of float32's plain delta rule: `W[k] += a[k]ᵀ·((−η/m)·δ[k])`
/// is one pass over W[k] (δ[k] scaled in place once it is used up, and the
/// kernel adding the products straight into the weights), where the long way
/// takes four (zero the gradient, add the products, divide by m, subtract η
/// times it). The result differs from the long way in rounding only.
///
/// From 128 inputs the first layer runs in two halves of its inputs
/// (``FirstLayerHalves``), and W[0]'s update may wait for the next step's
/// forward pass (``updatePending``); with a pool, the halves' timed thread
/// choice decides for the whole step whether the pool is used.
struct ScaledDeltaStep<S: Scalar> {
    /// The buffers, and the last step's trace (with the first layer in
    /// halves, `activations[0]` is not written). The weight gradients are not
    /// kept, and the δ are left scaled by −η/m; the bias gradients are kept.
    var pass: Backpropagation<S>
    /// The first layer in halves of its inputs, or nil (fewer than 128 inputs).
    private(set) var halves: FirstLayerHalves<S>?
    /// The engine's pool, which `pass.pool` holds while the halves' timed
    /// choice says threads pay, and lets go of while it says they do not.
    private let threadPool: KernelThreadPool?

    /// - Parameter splittingFirstLayer: whether the first layer runs in halves
    ///   (``TrainingEngine/splitsFirstLayer(_:)``); with a pool of two threads
    ///   or more, the halves choose as they go whether to use the second one.
    init(network: Network<S>, batchCapacity: Int, splittingFirstLayer: Bool, pool: KernelThreadPool?) {
        pass = Backpropagation(network: network, batchCapacity: batchCapacity)
        pass.pool = pool
        threadPool = pool
        if splittingFirstLayer {
            halves = FirstLayerHalves(network: network, batchCapacity: batchCapacity, choosingThreads: (pool?.threadCount ?? 1) > 1)
        }
    }

    /// Whether W[0] still lacks the last step's update.
    var updatePending: Bool { halves?.updatePending ?? false }

    /// One step of gradient descent (``TrainingEngine/step(_:samples:learningRate:next:)``).
    mutating func step(
        _ network: inout Network<S>, loss: Loss, data: Dataset<S>, samples: ArraySlice<Int>, learningRate: Double, next: ArraySlice<Int>?
    ) -> StepResult {
        guard halves != nil else {
            pass.forward(network, batch: samples, of: data, prefetching: next)
            let result = pass.result(loss: loss, network: network, data: data, samples: samples)
            backwardUpdating(&network, loss: loss, learningRate: S(learningRate))
            return result
        }
        halves!.chooseThreads()
        // The whole step follows the halves' choice: with a wide layer the
        // split products are most of the step, and on a busy machine (or
        // far-apart vCPUs) a second thread may cost more than it brings.
        pass.pool = halves!.onThreads ? threadPool : nil
        if samples.count != pass.batchSize { finishFirstLayerUpdate(&network) }
        pass.setBatchSize(samples.count)
        data.copyTargets(samples: samples, into: &pass)
        if let next { data.prefetchLabels(of: next) }
        // Each thread loads its half of the inputs and multiplies it, and
        // starts its half of the next batch's rows on their way into its
        // own cache.
        forward(&network) { columns, destination in
            data.prefetchInputs(of: samples, columns: columns)
            data.copyInputs(of: samples, columns: columns, to: destination)
            if let next { data.prefetchInputs(of: next, columns: columns) }
        }
        let result = pass.result(loss: loss, network: network, data: data, samples: samples)
        // W[0]'s update waits for the next step's forward pass, which does it
        // in the same pass over each half (one handing of work to the other
        // thread per step instead of two).
        backwardUpdating(&network, loss: loss, learningRate: S(learningRate), deferringFirstLayer: next != nil)
        // A pause (an epoch's evaluation) follows a step without a next.
        halves!.stepEnded(pauseFollows: next == nil)
        return result
    }

    /// The forward pass with the first layer in halves, each half of the
    /// batch's inputs loaded by `load` on the thread that multiplies it
    /// (``FirstLayerHalves/forward(_:_:loading:)``).
    mutating func forward(
        _ network: inout Network<S>, loadingInputHalves load: (_ columns: Range<Int>, _ destination: UnsafeMutablePointer<S>) -> Void
    ) {
        halves!.forward(&pass, &network, loading: load)
    }

    /// The backward pass and the update: δ[k] is scaled in place by −η/m once
    /// δ[k-1] and ∂E/∂b[k] are done (m·n products where scaling a[k] would
    /// take m·inputs), then `W[k] += a[k]ᵀ·((−η/m)·δ[k])`; biases as by the
    /// unfused rule.
    ///
    /// With the first layer in halves and `deferringFirstLayer`, W[0] is left
    /// for the next ``forward(_:loadingInputHalves:)`` to update
    /// (``updatePending``); ``finishFirstLayerUpdate(_:)`` does it at once.
    mutating func backwardUpdating(_ network: inout Network<S>, loss: Loss, learningRate eta: S, deferringFirstLayer: Bool = false) {
        let inHalves = halves != nil, m = pass.batchSize, sizes = network.layerSizes
        // A wide hidden layer's δ[k-1] and W[k]'s update in one pass over W[k].
        let fusesDelta = { (k: Int) in S.self == Float.self && Kernels.fusesDeltaAndUpdate(m: m, n: sizes[k + 1]) }
        pass.backwardUpdating(&network, loss: loss, learningRate: eta, fusesDelta: fusesDelta) { pass, network, k in
            let m = pass.batchSize, inputs = network.layerSizes[k], n = network.layerSizes[k + 1], pool = pass.pool
            let scale = -eta / S(m)
            if k > 0 && fusesDelta(k) {
                Self.propagateDeltaUpdating(&pass, &network, layer: k, scale: scale)
                return
            }
            pass.deltas[k].elements.withUnsafeMutableBufferPointer { d in
                for i in 0..<m * n { d[i] *= scale }
            }
            if k == 0 && inHalves { return }  // W[0]: a half at a time, below
            network.weights[k].withMutableElementPointer { w in
                pass.activations[k].withElementPointer { a in
                    pass.deltas[k].withElementPointer { d in
                        // W[k] += a[k]ᵀ·((−η/m)·δ[k])
                        Kernels.multiplyTransposedAAdd(alpha: 1, a, d, w, m: m, k: inputs, n: n, pool: pool)
                    }
                }
            }
        }
        guard inHalves else { return }
        halves!.updatePending = true
        if !deferringFirstLayer { finishFirstLayerUpdate(&network) }
    }

    /// `δ[k-1]·… = δ[k]·W[k]ᵀ` (before f'), and `W[k] += a[k]ᵀ·((−η/m)·δ[k])`,
    /// in one pass over W[k] (``Kernels/multiplyTransposedBUpdating(_:scaled:_:_:_:m:n:k:level:pool:)``):
    /// the same bits as the two products one after the other. δ[k] is left
    /// scaled, as on the other path.
    private static func propagateDeltaUpdating(_ pass: inout Backpropagation<S>, _ network: inout Network<S>, layer k: Int, scale: S) {
        let m = pass.batchSize, inputs = network.layerSizes[k], n = network.layerSizes[k + 1], pool = pass.pool
        withTemporaryElements(of: S.self, count: m * n) { s in
            pass.deltas[k].withElementPointer { d in
                for i in 0..<m * n { s[i] = d[i] * scale }
            }
            network.weights[k].withMutableElementPointer { w in
                pass.activations[k].withElementPointer { a in
                    pass.deltas[k].withElementPointer { d in
                        pass.deltas[k - 1].withMutableElementPointer { out in
                            Kernels.multiplyTransposedBUpdating(d, scaled: s, a, w, out, m: m, n: n, k: inputs, pool: pool)
                        }
                    }
                }
            }
            pass.deltas[k].withMutableElementPointer { d in d.update(from: s, count: m * n) }
        }
    }

    /// Does a pending update of W[0] (``updatePending``) now.
    mutating func finishFirstLayerUpdate(_ network: inout Network<S>) {
        halves?.finishUpdate(pass, &network)
    }

    /// Forgets a pending update of W[0] (the network is replaced).
    mutating func dropPendingUpdate() {
        halves?.updatePending = false
    }
}
