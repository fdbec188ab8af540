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
        let m = batchSize, inputs = network.layerSizes[0], n = network.layerSizes[1], pool = halvesOnThreads ? pool : nil
        let updating = firstLayerUpdatePending
        firstLayerUpdatePending = false
        weightedInputs[0].elements.withUnsafeMutableBufferPointer { zBuffer in
            secondHalfProducts.withUnsafeMutableBufferPointer { pBuffer in
                inputHalves.withUnsafeMutableBufferPointer { xBuffer in
                    deltas[0].elements.withUnsafeBufferPointer { dBuffer in
                        network.weights[0].elements.withUnsafeMutableBufferPointer { wBuffer in
                            network.biases[0].withUnsafeBufferPointer { bBuffer in
                                let z = zBuffer.baseAddress!, p = pBuffer.baseAddress!, x = xBuffer.baseAddress!
                                let w = wBuffer.baseAddress!, b = bBuffer.baseAddress!, d = dBuffer.baseAddress!
                                Self.runHalves(on: pool) { half in
                                    let columns = half == 0 ? 0..<split : split..<inputs
                                    let inputHalf = x + (half == 0 ? 0 : m * split)
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
                                    S.multiplyAdd(inputHalf, w + columns.lowerBound * n, sums, m: m, k: columns.count, n: n, pool: nil)
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

    /// Runs `body(0)` and `body(1)`, on two threads when there is a pool.
    private static func runHalves(on pool: KernelThreadPool?, _ body: (Int) -> Void) {
        if let pool, pool.threadCount > 1 {
            pool.run { part in if part < 2 { body(part) } }
        } else {
            body(0)
            body(1)
        }
    }

    /// Does a pending update of W[0] (``firstLayerUpdatePending``) now.
    public mutating func finishFirstLayerUpdate(_ network: inout Network<S>) {
        guard firstLayerUpdatePending else { return }
        firstLayerUpdatePending = false
        let m = batchSize, inputs = network.layerSizes[0], n = network.layerSizes[1], pool = halvesOnThreads ? pool : nil, split = firstLayerSplit!
        network.weights[0].elements.withUnsafeMutableBufferPointer { wBuffer in
            inputHalves.withUnsafeBufferPointer { xBuffer in
                deltas[0].elements.withUnsafeBufferPointer { dBuffer in
                    let w = wBuffer.baseAddress!, x = xBuffer.baseAddress!, d = dBuffer.baseAddress!
                    Self.runHalves(on: pool) { half in
                        let columns = half == 0 ? 0..<split : split..<inputs
                        Self.updateRows(columns, of: w, inputHalf: x + (half == 0 ? 0 : m * split), scaledDeltas: d, m: m, n: n)
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
        S.multiplyTransposedAAdd(alpha: 1, inputHalf, d, w + rows.lowerBound * n, m: m, k: rows.count, n: n, pool: nil)
    }
}
