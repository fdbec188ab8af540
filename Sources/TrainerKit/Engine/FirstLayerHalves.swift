import TrainerKernels

/// Float32's delta rule with the first layer in two halves of its inputs
/// (from 128 inputs, where each half is worth a thread): z[0] = (b[0] +
/// a[0]'s first half · W[0]'s first rows) + a[0]'s second half · W[0]'s other
/// rows, and W[0]'s update, a half of its rows at a time. With a pool the
/// second half runs on a second thread, and each thread keeps its rows of
/// W[0] in its own cache from step to step; without one, the caller runs
/// both, so the bits do not depend on the thread count.
///
/// Each half of the batch's inputs is loaded on the thread that multiplies
/// it, and W[0]'s update may wait for the next step's forward pass
/// (``updatePending``), which does it in the same pass over each half.
struct FirstLayerHalves<S: Scalar> {
    /// Where the second half of the first layer's inputs starts.
    let split: Int
    /// a[0] in its two halves, `m × split` then `m × (inputs − split)`, each
    /// contiguous, in place of the pass's `activations[0]`.
    private var inputs: [S]
    /// The second half's share of z[0].
    private var secondHalfProducts: [S]
    /// Whether W[0] still lacks the last step's update, which the next
    /// ``forward(_:_:loading:)`` does first, in the same pass over each half.
    var updatePending = false
    /// Whether the halves use the pool's second thread (when there is a pool)
    /// or run one after the other on the caller; the same bits either way.
    /// ``ScaledDeltaStep`` gives the step's other products the pool by it too.
    private(set) var onThreads = true
    /// With two threads or more: the choice of ``onThreads``, timed as training goes.
    private var threadChoice: HalvesThreadChoice?
    private let clock = ContinuousClock()

    init(network: Network<S>, batchCapacity m: Int, choosingThreads: Bool) {
        let sizes = network.layerSizes
        split = sizes[0] / 2
        inputs = [S](repeating: 0, count: m * sizes[0])
        secondHalfProducts = [S](repeating: 0, count: m * sizes[1])
        if choosingThreads { threadChoice = Self.threadChoice(layerSizes: sizes, batch: m) }
    }

    /// The trial for a step of this size. Its default length (20 steps to
    /// warm up and 100 timed, each way) is a few milliseconds on MNIST's
    /// nets; a step of millions of multiply-adds takes a millisecond, and
    /// then a trial on two threads where they do not pay (the hypervisor's
    /// placement of the two vCPUs at times gives the second nothing:
    /// 784-1000-1000-10 at batch 10 ran epochs of 0.41 s or 0.68–0.75 s on
    /// two threads against 0.64 s on one, by the minute) cost a tenth of a
    /// 600-step epoch. So from 2 million multiply-adds a step the trial is
    /// shortened in proportion, to at least 4 + 8 steps each way, and so is
    /// the cycle (to at least ten times the trial), so that a choice is
    /// tried again after about as much time as on a small net.
    static func threadChoice(layerSizes sizes: [Int], batch m: Int) -> HalvesThreadChoice {
        let operations = m * zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
        guard operations > 2_000_000 else { return HalvesThreadChoice() }
        let scale = 2_000_000 / Double(operations)
        let warmUp = max(4, Int(20 * scale)), trial = max(8, Int(100 * scale))
        return HalvesThreadChoice(period: max(10 * (warmUp + trial), Int(3000 * scale)), warmUpSteps: warmUp, trialSteps: trial)
    }

    /// Before each step: whether its halves run on two threads.
    mutating func chooseThreads() {
        let clock = self.clock
        if let choice = threadChoice?.beforeStep(now: { clock.now }) { onThreads = choice }
    }

    /// After each step, for the thread choice's timing; `pauseFollows` when
    /// a pause in training (an epoch's evaluation) comes before the next.
    mutating func stepEnded(pauseFollows: Bool) {
        let clock = self.clock
        threadChoice?.afterStep(now: { clock.now })
        if pauseFollows { threadChoice?.paused() }
    }

    /// The forward pass with the first layer in halves, each half of the
    /// batch's inputs loaded by `load(columns, destination)` (`m` rows of
    /// `columns.count` inputs) on the thread that multiplies it. `load` is
    /// called from two threads at once when there is a pool. A pending
    /// update of W[0] is done first, by the same threads.
    mutating func forward(
        _ pass: inout Backpropagation<S>, _ network: inout Network<S>,
        loading load: (_ columns: Range<Int>, _ destination: UnsafeMutablePointer<S>) -> Void
    ) {
        let m = pass.batchSize, inputCount = network.layerSizes[0], n = network.layerSizes[1]
        let split = self.split, pool = onThreads ? pass.pool : nil
        if inputs.count < m * inputCount {
            inputs = [S](repeating: 0, count: m * inputCount)
            secondHalfProducts = [S](repeating: 0, count: m * n)
        }
        let updating = updatePending
        updatePending = false
        pass.weightedInputs[0].withMutableElementPointer { z in
            secondHalfProducts.withMutableElementPointer { p in
                inputs.withMutableElementPointer { x in
                    pass.deltas[0].withElementPointer { d in
                        network.weights[0].withMutableElementPointer { w in
                            network.biases[0].withElementPointer { b in
                                Self.forEachHalf(split: split, inputs: inputCount, m: m, on: pool) { half, columns, offset in
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
        network.activations[0].forward(pass.weightedInputs[0], into: &pass.activations[1])  // a[1] = f(z[0])
        for k in 1..<network.layerCount { pass.forward(layer: k, network) }
    }

    /// Runs `body(half, columns, offset)` for both halves, on two threads of
    /// `pool` when there is one: `columns` are the half's inputs, `offset`
    /// where its `m` rows start in ``inputs``.
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

    /// Does a pending update of W[0] (``updatePending``) now, from the scaled
    /// δ[0] of `pass`.
    mutating func finishUpdate(_ pass: Backpropagation<S>, _ network: inout Network<S>) {
        guard updatePending else { return }
        updatePending = false
        let m = pass.batchSize, inputCount = network.layerSizes[0], n = network.layerSizes[1]
        let split = self.split, pool = onThreads ? pass.pool : nil
        network.weights[0].withMutableElementPointer { w in
            inputs.withElementPointer { x in
                pass.deltas[0].withElementPointer { d in
                    Self.forEachHalf(split: split, inputs: inputCount, m: m, on: pool) { _, columns, offset in
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
