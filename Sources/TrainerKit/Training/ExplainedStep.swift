/// One step of gradient descent as `trainer explain` shows it: the network
/// before and after, and the textbook step's forward and backward pass
/// that led from one to the other (Model/Backprop.swift; for float64 the
/// very bits of run's step, for float32 within rounding of them).
///
/// Shapes: the trace holds one row per sample of the batch, in batch order;
/// `samples[s]` is the index in data.train of row `s`.
struct ExplainedStep<S: Scalar> {
    /// The config file as messages name it.
    var configFile: String
    /// The epoch this step begins (counting every run that led here).
    var epoch: Int
    /// The position in the epoch's order of the batch's first sample: 0,
    /// unless resuming a run that stopped inside an epoch.
    var firstSampleInEpoch: Int
    /// The data.train index of each row of the batch.
    var samples: [Int]
    /// The number of samples in data.train.
    var trainCount: Int
    /// training.batch_size (the batch itself may be smaller: the last of an epoch).
    var batchSize: Int
    var shuffle: Bool
    var loss: Loss
    /// η of this step (after training.lr_schedule), in the precision of the update.
    var learningRate: S
    /// How run updates the weights when that is not the plain delta rule
    /// `W ← W − η·∂E/∂W` (`adam`, `momentum`, `sgd with l2 0.01`); nil for it.
    var otherUpdateRule: String?
    /// `data.normalize` as fitted: the trace's inputs a[0] are already scaled.
    var scaling: InputScaling?
    var before: Network<S>
    var after: Network<S>
    /// The forward pass: a[0] (the batch's inputs) … a[L], z[0] … z[L−1].
    var trace: Trace<S>
    /// The backward pass: δ[k], ∂E/∂W[k], ∂E/∂b[k].
    var gradients: Gradients<S>
    /// The batch's targets t.
    var targets: Matrix<S>
    /// Each sample's loss E.
    var sampleLosses: [S]
    /// The batch's mean loss as run adds it up: the per-sample losses summed
    /// in float64 in batch order, then divided by the batch size.
    var meanLoss: Double

    var layerCount: Int { before.layerCount }
    var sizes: [Int] { before.layerSizes }
    /// Samples in the batch (m).
    var batchCount: Int { samples.count }

    /// True when the batch is all of its epoch, so that run's loss log
    /// reports `meanLoss` for the epoch.
    var coversEpoch: Bool { firstSampleInEpoch == 0 && batchCount == trainCount }
}
