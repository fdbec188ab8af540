import TrainerKernels

/// The float32 delta rule's first layer in two halves of its inputs (a pass
/// made with `splittingFirstLayer`; see ``Backpropagation/init(network:batchCapacity:splittingFirstLayer:)``):
/// the forward pass that loads and multiplies each half on a thread of its
/// own, and W[0]'s update, a half of its rows per thread.
extension Backpropagation {
    /// The forward pass of a pass with the first layer in halves, each half
    /// of the batch's inputs loaded by `load(columns, destination)` (`m` rows
    /// of `columns.count` inputs) on the thread that multiplies it. `load` is
    /// called from two threads at once when there is a pool. A pending
    /// update of W[0] is done first, by the same threads.
    public mutating func forward(_ network: inout Network<S>, loadingInputHalves load: (_ columns: Range<Int>, _ destination: UnsafeMutablePointer<S>) -> Void) {
        guard let split = firstLayerSplit else { preconditionFailure("the pass does not hold its inputs in halves") }
        let m = batchSize, inputs = network.layerSizes[0], n = network.layerSizes[1], pool = halvesPool
        let updating = firstLayerUpdatePending
        firstLayerUpdatePending = false
        weightedInputs[0].withMutableElementPointer { z in
            secondHalfProducts.withMutableElementPointer { p in
                inputHalves.withMutableElementPointer { x in
                    deltas[0].withElementPointer { d in
                        network.weights[0].withMutableElementPointer { w in
                            network.biases[0].withElementPointer { b in
                                Self.forEachHalf(split: split, inputs: inputs, m: m, on: pool) { half, columns, offset in
                                    let inputHalf = x + offset
                                    if updating {
                                        // The last step's W[0] += a[0]ᵀ·((−η/m)·δ[0]), these rows
                                        Self.updateRows(columns, of: w, inputHalf: inputHalf, scaledDeltas: d, m: m, n: n)
                                    }
                                    load(columns, inputHalf)
                                    // The first half's sums start from b[0], the second's from zero.
                                    let sums = half == 0 ? z : p
                                    if half == 0 {
                                        for row in 0..<m { (sums + row * n).update(from: b, count: n) }
                                    } else {
                                        sums.update(repeating: 0, count: m * n)
                                    }
                                    Kernels.multiplyAdd(
                                        inputHalf, w + columns.lowerBound * n, sums, m: m, k: columns.count, n: n, pool: nil)
                                }
                                // z[0] = (b[0] + first half·W[0]) + second half·W[0]
                                for i in 0..<m * n { z[i] += p[i] }
                            }
                        }
                    }
                }
            }
        }
        network.activations[0].forward(weightedInputs[0], into: &activations[1])  // a[1] = f(z[0])
        for k in 1..<network.layerCount { forward(layer: k, network) }
    }

    /// The pool the halves run on: none while ``halvesOnThreads`` is off.
    private var halvesPool: KernelThreadPool? { halvesOnThreads ? pool : nil }

    /// Runs `body(half, columns, offset)` for both halves, on two threads of
    /// `pool` when there is one: `columns` are the half's inputs, `offset`
    /// where its `m` rows start in ``inputHalves``.
    private static func forEachHalf(
        split: Int, inputs: Int, m: Int, on pool: KernelThreadPool?, _ body: (_ half: Int, _ columns: Range<Int>, _ offset: Int) -> Void
    ) {
        func runHalf(_ half: Int) { body(half, half == 0 ? 0..<split : split..<inputs, half == 0 ? 0 : m * split) }
        if let pool, pool.threadCount > 1 {
            pool.run(parts: 2) { runHalf($0) }
        } else {
            runHalf(0)
            runHalf(1)
        }
    }

    /// Does a pending update of W[0] (``firstLayerUpdatePending``) now.
    public mutating func finishFirstLayerUpdate(_ network: inout Network<S>) {
        guard firstLayerUpdatePending else { return }
        firstLayerUpdatePending = false
        let m = batchSize, inputs = network.layerSizes[0], n = network.layerSizes[1], pool = halvesPool, split = firstLayerSplit!
        network.weights[0].withMutableElementPointer { w in
            inputHalves.withElementPointer { x in
                deltas[0].withElementPointer { d in
                    Self.forEachHalf(split: split, inputs: inputs, m: m, on: pool) { _, columns, offset in
                        Self.updateRows(columns, of: w, inputHalf: x + offset, scaledDeltas: d, m: m, n: n)
                    }
                }
            }
        }
    }

    /// `W[0][rows] += a[0][:, rows]ᵀ·((−η/m)·δ[0])`: one half's rows of the
    /// first layer's update, on the thread that holds them (its rows of W[0]
    /// stay in that core's cache from step to step).
    private static func updateRows(
        _ rows: Range<Int>, of w: UnsafeMutablePointer<S>, inputHalf: UnsafePointer<S>, scaledDeltas d: UnsafePointer<S>, m: Int, n: Int
    ) {
        Kernels.multiplyTransposedAAdd(alpha: 1, inputHalf, d, w + rows.lowerBound * n, m: m, k: rows.count, n: n, pool: nil)
    }
}
