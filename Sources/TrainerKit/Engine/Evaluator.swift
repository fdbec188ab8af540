/// The engine's forward pass over many samples, in batches, reusing its
/// buffers: what `run` evaluates its test and validation sets with, `eval`
/// its data, and `predict` its input rows. (The textbook forward pass,
/// `Network.forward` in Model/Backprop.swift, keeps every layer's trace
/// instead; in float64 the two give the same bits.)
public struct Evaluator<S: Scalar>: Sendable {
    /// Samples per forward pass; a memory bound only, results do not depend on it.
    public static var batchSize: Int { 256 }

    private var pass: Backpropagation<S>

    public init(network: Network<S>) {
        pass = Backpropagation(network: network, batchCapacity: Evaluator.batchSize)
    }

    /// Loss, accuracy and confusion matrix of `network` on `data`.
    public mutating func evaluate(_ network: Network<S>, on data: Dataset<S>, loss: Loss) -> Evaluation {
        var lossSum = 0.0
        var confusion: [[Int]]? = data.labels.map { _ in
            Array(repeating: Array(repeating: 0, count: network.outputSize), count: network.outputSize)
        }
        var start = 0
        while start < data.count {
            let m = min(Evaluator.batchSize, data.count - start)
            pass.setBatchSize(m)
            data.copyBatch(samples: start..<start + m, into: &pass)
            pass.forward(network)
            lossSum += pass.computeLosses(loss, activation: network.activations[network.layerCount - 1])
            if let labels = data.labels {
                let output = pass.output
                for row in 0..<m {
                    confusion![labels[start + row]][output.argmax(row: row)] += 1
                }
            }
            start += m
        }
        let accuracy = confusion.map { matrix in
            Double((0..<matrix.count).reduce(0) { $0 + matrix[$1][$1] }) / Double(data.count)
        }
        return Evaluation(loss: lossSum / Double(data.count), accuracy: accuracy, confusion: confusion)
    }

    /// The outputs for at most ``batchSize`` rows of inputs (one sample
    /// per row).
    public mutating func outputs(_ network: Network<S>, for inputs: Matrix<S>) -> Matrix<S> {
        precondition(inputs.rows <= Evaluator.batchSize, "at most \(Evaluator.batchSize) rows at a time")
        pass.setInputs(inputs)
        pass.forward(network)
        return pass.output
    }
}

extension Dataset {
    /// Copies the given samples, in order, into a pass's inputs and targets.
    func copyBatch(samples: some Collection<Int>, into pass: inout Backpropagation<S>) {
        prefetchInputs(of: samples)
        prefetchLabels(of: samples)
        pass.withInputBuffer { copyInputs(of: samples, columns: 0..<inputSize, to: $0) }
        copyTargets(samples: samples, into: &pass)
    }

    /// Copies the given samples' targets, in order, into a pass's targets.
    func copyTargets(samples: some Collection<Int>, into pass: inout Backpropagation<S>) {
        pass.withTargetBuffer { copyTargets(samples: samples, to: $0) }
    }

    /// Writes the given samples' targets, one sample per row, to `targets`.
    func copyTargets(samples: some Collection<Int>, to targets: UnsafeMutablePointer<S>) {
        let targetWidth = outputSize
        self.targets.withElementPointer { t in
            for (row, sample) in samples.enumerated() {
                let targetRow = targets + row * targetWidth
                if let labels {
                    // One-hot targets, written from the label: the same
                    // numbers without reading the scattered target row.
                    targetRow.update(repeating: 0, count: targetWidth)
                    targetRow[labels[sample]] = 1
                } else {
                    targetRow.update(from: t + sample * targetWidth, count: targetWidth)
                }
            }
        }
    }
}
