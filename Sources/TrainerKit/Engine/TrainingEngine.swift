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
/// the step (``ScaledDeltaStep`` for float32's plain delta rule, with the
/// first layer in halves from 128 inputs; ``ExactStep`` for everything else,
/// the delta rule folded into the gradient product with float64's exact bits,
/// or the long way through ``Optimizer``), the reused buffers
/// (``Backpropagation``) and the thread pool.
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
            if let smallStep {
                var network = stepped
                smallStep.store(into: &network)
                return network
            }
            guard var step = scaledDeltaStep, step.updatePending else { return stepped }
            var network = stepped
            step.finishFirstLayerUpdate(&network)
            return network
        }
        set {
            scaledDeltaStep?.dropPendingUpdate()
            smallStep?.load(newValue)
            stepped = newValue
        }
    }

    /// The optimizer and its state (saved with the weights).
    public private(set) var optimizer: Optimizer<S>

    /// The network the steps update, which may lack W[0]'s deferred update.
    private var stepped: Network<S>
    private let loss: Loss
    /// The step, chosen in `init`: exactly one of the three is set.
    private var scaledDeltaStep: ScaledDeltaStep<S>?
    private var exactStep: ExactStep<S>?
    /// Holds the parameters it trains (`stepped` keeps the rest of the network).
    private var smallStep: SmallNetworkStep<S>?

    /// Whether the step folds the update into the gradient product.
    public var fusesUpdate: Bool { scaledDeltaStep != nil || smallStep != nil || exactStep!.foldsDeltaRule }

    /// The last step's forward and backward pass: every z, a, δ and gradient.
    public var trace: Backpropagation<S> {
        if let smallStep { return smallStep.trace(of: stepped) }
        return scaledDeltaStep?.pass ?? exactStep!.pass
    }

    /// The first weight or bias that is NaN or infinite, named as
    /// ``Network/firstNonFiniteParameter()`` names it; nil when all are finite.
    public func firstNonFiniteParameter() -> String? {
        if let smallStep, smallStep.parametersAreFinite { return nil }
        return network.firstNonFiniteParameter()
    }

    /// - Parameters:
    ///   - batchCapacity: the largest batch (buffers are made for it once).
    ///   - threads: threads for the large matrix products (the results do
    ///     not depend on it).
    ///   - allowFusedUpdate: false takes every rule the long way (gradients kept).
    public init(
        network: Network<S>, schedule: TrainingSchedule, batchCapacity: Int, optimizerState: OptimizerState? = nil,
        threads: Int = 1, minimumSplitOperations: Int = defaultMinimumSplitOperations, allowFusedUpdate: Bool = true
    ) {
        self.stepped = network
        self.loss = schedule.loss
        let pool = threads > 1 ? KernelThreadPool(threads: threads, minimumOperations: minimumSplitOperations) : nil
        let foldsDeltaRule = schedule.isPlainDeltaRule && allowFusedUpdate
        if foldsDeltaRule && S.self == Double.self && SmallNetworkStep.applies(to: network, batchCapacity: batchCapacity) {
            // Float64's delta rule on a network too small for the kernels to pay.
            smallStep = SmallNetworkStep(network: network, batchCapacity: batchCapacity)
        } else if foldsDeltaRule && S.self == Float.self {
            // The plain delta rule, float32's way: δ scaled first.
            scaledDeltaStep = ScaledDeltaStep(
                network: network, batchCapacity: batchCapacity, splittingFirstLayer: Self.splitsFirstLayer(network), pool: pool)
        } else {
            // Float64's delta rule, rounded as the step the teaching examples
            // write out (the same bits as the long way); or momentum, Adam,
            // L2, or the long way for explain (sgd through the optimizer keeps
            // every ∂E/∂W to show).
            exactStep = ExactStep(network: network, batchCapacity: batchCapacity, foldsDeltaRule: foldsDeltaRule, pool: pool)
        }
        self.optimizer = Optimizer(kind: schedule.optimizer, l2: schedule.l2, network: network, resuming: optimizerState)
    }

    /// The fewest multiply-adds a product needs before the pool splits it
    /// across threads (`Kernels.defaultMinimumSplitOperations`).
    public static var defaultMinimumSplitOperations: Int { Kernels.defaultMinimumSplitOperations }

    /// Whether the float32 delta rule runs `network`'s first layer in two
    /// halves of its inputs (``FirstLayerSplit``).
    public static func splitsFirstLayer(_ network: Network<S>) -> Bool {
        FirstLayerSplit.applies(inputs: network.inputSize)
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
        if smallStep != nil {
            return smallStep!.step(loss: loss, data: data, samples: samples, learningRate: learningRate)
        }
        if scaledDeltaStep != nil {
            return scaledDeltaStep!.step(&stepped, loss: loss, data: data, samples: samples, learningRate: learningRate, next: next)
        }
        return exactStep!.step(
            &stepped, optimizer: &optimizer, loss: loss, data: data, samples: samples, learningRate: learningRate, next: next)
    }
}

/// What both steps share.
extension Backpropagation {
    /// Copies the batch into a[0] and t, starts the next batch on its way
    /// into the cache, and runs the forward pass.
    mutating func forward(_ network: Network<S>, batch samples: ArraySlice<Int>, of data: Dataset<S>, prefetching next: ArraySlice<Int>?) {
        setBatchSize(samples.count)
        data.copyBatch(samples: samples, into: &self)
        // The next batch's scattered rows start on their way into the
        // cache now and arrive while this step computes (why not a worker
        // thread that copies it: docs/performance.md).
        if let next {
            data.prefetchInputs(of: next)
            data.prefetchLabels(of: next)
        }
        forward(network)
    }

    /// The batch's loss sum (before the update) and its correctly classified count.
    mutating func result(loss: Loss, network: Network<S>, data: Dataset<S>, samples: ArraySlice<Int>) -> StepResult {
        let lossSum = computeLosses(loss, activation: network.activations[network.layerCount - 1])
        var correct = 0
        if let labels = data.labels {
            let output = self.output
            for (row, sample) in samples.enumerated() where output.argmax(row: row) == labels[sample] { correct += 1 }
        }
        return StepResult(lossSum: lossSum, correct: correct)
    }
}

/// When a run takes its first layer in two halves of its inputs
/// (``FirstLayerHalves``): the float32 delta rule, from 128 inputs, where
/// each half is worth a thread. It depends on the network and the rule
/// only, never on the thread count, so the bits do not either. The engine
/// chooses by it, and the memory estimate counts the halves' buffers by it.
public enum FirstLayerSplit {
    /// Whether a first layer of `inputs` inputs is split (for the float32
    /// delta rule).
    public static func applies(inputs: Int) -> Bool {
        inputs >= 128
    }

    /// Whether a run in `precision` with `schedule` splits a first layer of
    /// `inputs` inputs: the choice ``TrainingEngine`` makes.
    public static func applies(precision: Precision, schedule: TrainingSchedule, inputs: Int) -> Bool {
        precision == .float32 && schedule.isPlainDeltaRule && applies(inputs: inputs)
    }
}
