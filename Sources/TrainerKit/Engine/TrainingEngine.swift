import TrainerKernels

/// The loss sum and the correctly classified count of one batch.
public struct StepResult: Sendable {
    public var lossSum: Double
    public var correct: Int
}

/// The fast step of `trainer run`, behind one door: a batch in, the network
/// one step of gradient descent further, its loss sum and accuracy out.
///
/// Everything that makes the step fast lives in this folder and is chosen
/// once, in ``init(network:schedule:batchCapacity:optimizerState:threads:minimumSplitOperations:allowFusedUpdate:)``:
/// the update rule (the delta rule folded into the gradient product, in
/// float32's way or float64's exact one, or the long way through
/// ``Optimizer``), the float32 first layer in halves with its thread choice
/// (``HalvesThreadChoice``) and its deferred update, prefetching of the next
/// batch, the reused buffers (``Backpropagation``) and the thread pool.
///
/// The engine holds the network it trains. A step whose batch has no next
/// may leave none of its work undone; any other may defer W[0]'s update to
/// the next step, and ``network`` does it first (on a copy) when read in
/// between, so every reader sees the network after every step so far.
public struct TrainingEngine<S: Scalar> {
    /// The network as the steps so far leave it; W[0]'s deferred update
    /// included, if any (done on a copy: the engine keeps it for its next step).
    public var network: Network<S> {
        get {
            guard pass.firstLayerUpdatePending else { return stepped }
            var network = stepped
            var pass = self.pass
            pass.finishFirstLayerUpdate(&network)
            return network
        }
        set {
            pass.firstLayerUpdatePending = false
            stepped = newValue
        }
    }

    /// The optimizer and its state (saved with the weights).
    public private(set) var optimizer: Optimizer<S>

    /// The network the steps update, which may lack W[0]'s deferred update.
    private var stepped: Network<S>
    private var pass: Backpropagation<S>
    private let loss: Loss
    /// How a step turns the batch's gradient into new weights.
    private let update: UpdateRule
    /// With the first layer in halves and two threads or more: whether steps
    /// use the second thread, measured as they go.
    private var halvesChoice: HalvesThreadChoice?
    private let clock = ContinuousClock()

    /// Whether the step folds the update into the gradient product.
    public var fusesUpdate: Bool { update == .fused || update == .fusedExactly }

    /// The last step's forward and backward pass: every z, a, δ and gradient.
    public var trace: Backpropagation<S> { pass }

    /// - Parameters:
    ///   - batchCapacity: the largest batch (buffers are made for it once).
    ///   - threads: threads for the large matrix products (the results do
    ///     not depend on it).
    ///   - allowFusedUpdate: false takes every rule the long way (gradients kept).
    public init(
        network: Network<S>, schedule: TrainingSchedule, batchCapacity: Int, optimizerState: OptimizerState? = nil,
        threads: Int = 1, minimumSplitOperations: Int = Kernels.defaultMinimumSplitOperations, allowFusedUpdate: Bool = true
    ) {
        self.stepped = network
        self.loss = schedule.loss
        let fuses = schedule.isPlainDeltaRule && allowFusedUpdate
        let isFloat32 = S.self == Float.self
        self.pass = Backpropagation(
            network: network, batchCapacity: batchCapacity,
            splittingFirstLayer: fuses && isFloat32 && Self.splitsFirstLayer(network))
        if fuses {
            // The plain delta rule folded into the gradient product: float32
            // scales δ first (Backpropagation.backwardUpdating); float64 rounds
            // each number as the step the teaching examples write out
            // (backwardUpdatingExactly), the same bits as the long way.
            self.update = isFloat32 ? .fused : .fusedExactly
        } else {
            // Momentum, Adam, L2, or the long way for explain (sgd through
            // the optimizer keeps every ∂E/∂W to show).
            self.update = .optimizer
        }
        if threads > 1 {
            self.pass.pool = KernelThreadPool(threads: threads, minimumOperations: minimumSplitOperations)
            if pass.firstLayerSplit != nil { halvesChoice = HalvesThreadChoice() }
        }
        self.optimizer = Optimizer(kind: schedule.optimizer, l2: schedule.l2, network: network, resuming: optimizerState)
    }

    /// Whether the float32 delta rule runs `network`'s first layer in two
    /// halves of its inputs (``Backpropagation/init(network:batchCapacity:splittingFirstLayer:)``):
    /// from 128 inputs, where each half is worth a thread. It depends on the
    /// network only, never on the thread count, so the bits do not either.
    public static func splitsFirstLayer(_ network: Network<S>) -> Bool {
        network.layerSizes[0] >= 128
    }

    /// One step of gradient descent on the given samples of `data`: forward
    /// pass, loss (before the update), backward pass, update. Afterwards
    /// ``trace`` holds every z, a, δ and gradient of the step.
    /// - Parameter next: the next batch's samples, whose rows are prefetched
    ///   while this step computes; nil when no step follows soon (the end of
    ///   an epoch), so that none of this one's work is left for it. The
    ///   numbers are the same either way.
    public mutating func step(
        _ data: Dataset<S>, samples: ArraySlice<Int>, learningRate: Double, next: ArraySlice<Int>? = nil
    ) -> StepResult {
        let clock = self.clock
        if let onThreads = halvesChoice?.beforeStep(now: { clock.now }) { pass.halvesOnThreads = onThreads }
        if samples.count != pass.batchSize { pass.finishFirstLayerUpdate(&stepped) }
        pass.setBatchSize(samples.count)
        if pass.firstLayerSplit != nil {
            data.copyTargets(samples: samples, into: &pass)
            if let next { data.prefetchLabels(of: next) }
            // Each thread loads its half of the inputs and multiplies it, and
            // starts its half of the next batch's rows on their way into its
            // own cache.
            pass.forward(&stepped) { columns, destination in
                data.prefetchInputs(of: samples, columns: columns)
                data.copyInputs(of: samples, columns: columns, to: destination)
                if let next { data.prefetchInputs(of: next, columns: columns) }
            }
        } else {
            data.copyBatch(samples: samples, into: &pass)
            // The next batch's scattered rows start on their way into the
            // cache now and arrive while this step computes. (A worker thread
            // that copied the next batch instead, with --threads 2, gained at
            // most 3 % over this on 784-30-10, and lost up to 45 % in runs
            // where the VM placed the two cores far apart: the copied batch
            // then crossed between them slowly. Measured, 2-core Zen 5 VM,
            // s/epoch: 1 thread 0.041–0.044; 2 threads with the worker
            // 0.041–0.066, without it 0.041–0.042.)
            if let next {
                data.prefetchInputs(of: next)
                data.prefetchLabels(of: next)
            }
            pass.forward(stepped)
        }
        let lossSum = pass.computeLosses(loss, activation: stepped.activations[stepped.layerCount - 1])
        var correct = 0
        if let labels = data.labels {
            let output = pass.output
            for (row, sample) in samples.enumerated() where output.argmax(row: row) == labels[sample] { correct += 1 }
        }
        switch update {
        case .fused:
            // W[0]'s update waits for the next step's forward pass, which
            // does it in the same pass over each half (one handing of work
            // to the other thread per step instead of two).
            pass.backwardUpdating(&stepped, loss: loss, learningRate: S(learningRate), deferringFirstLayer: next != nil)
        case .fusedExactly:
            pass.backwardUpdatingExactly(&stepped, loss: loss, learningRate: S(learningRate))
        case .optimizer:
            pass.backward(stepped, loss: loss)
            optimizer.update(&stepped, from: pass, learningRate: learningRate)
        }
        // A pause (an epoch's evaluation) follows a step without a next: the
        // thread choice's next trial must not time it.
        if next == nil { halvesChoice?.restart() }
        return StepResult(lossSum: lossSum, correct: correct)
    }
}

/// How a step updates the network.
private enum UpdateRule {
    /// Float32 and the plain delta rule: folded into the gradient product.
    case fused
    /// Float64 and the plain delta rule: folded into the gradient product,
    /// with the bits of the long way through ``Optimizer``.
    case fusedExactly
    /// Momentum, Adam, L2, or any rule the long way (gradients kept, for
    /// `explain`): through ``Optimizer``.
    case optimizer
}
