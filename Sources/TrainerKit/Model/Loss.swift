/// A per-sample loss `E(a, t)` over the output layer, and the output delta
/// `δ = ∂E/∂z` that starts backpropagation.
///
/// The softmax (or sigmoid) with cross-entropy delta `a - t` lives here, so
/// backpropagation itself has no special case.
public enum Loss: String, CaseIterable, Sendable {
    /// E = ½ Σⱼ (tⱼ - aⱼ)²; ∂E/∂a = a - t.
    case sse
    /// E = (1/n) Σⱼ (tⱼ - aⱼ)² over the n outputs; ∂E/∂a = 2(a - t)/n.
    case mse
    /// With softmax: E = -Σⱼ tⱼ log aⱼ; with sigmoid: binary cross-entropy
    /// E = -Σⱼ [tⱼ log aⱼ + (1 - tⱼ) log(1 - aⱼ)]. Either way δ = a - t.
    case crossEntropy = "cross_entropy"

    public static var names: [String] { allCases.map(\.rawValue) }

    /// Output activations this loss can be paired with.
    public func accepts(outputActivation: Activation) -> Bool {
        switch self {
        case .sse, .mse: return true
        case .crossEntropy: return outputActivation == .softmax || outputActivation == .sigmoid
        }
    }

    /// The loss of one sample: output `a`, weighted input `z` and target `t`,
    /// each `count` long. Cross-entropy is computed from `z` (log-sum-exp and
    /// softplus), so an output of exactly 0 or 1 never takes log(0).
    @inline(__always)
    public func sampleLoss<S: Scalar>(
        output a: UnsafePointer<S>, weightedInput z: UnsafePointer<S>, target t: UnsafePointer<S>,
        count: Int, activation: Activation
    ) -> S {
        switch self {
        case .sse:
            var sum: S = 0
            for j in 0..<count {
                let d = t[j] - a[j]
                sum += d * d
            }
            return sum / 2
        case .mse:
            var sum: S = 0
            for j in 0..<count {
                let d = t[j] - a[j]
                sum += d * d
            }
            return sum / S(count)
        case .crossEntropy:
            if activation == .softmax {
                // log aⱼ = zⱼ - m - log Σₖ e^(zₖ - m), with m = maxₖ zₖ
                var maximum = z[0]
                for j in 1..<count { maximum = max(maximum, z[j]) }
                var sum: S = 0
                for j in 0..<count { sum += S.exp(z[j] - maximum) }
                let logSum = maximum + S.log(sum)
                var loss: S = 0
                for j in 0..<count where t[j] != 0 { loss -= t[j] * (z[j] - logSum) }
                return loss
            }
            // -[t log σ(z) + (1-t) log(1-σ(z))] = t·softplus(-z) + (1-t)·softplus(z)
            var loss: S = 0
            for j in 0..<count {
                loss += t[j] * softplus(-z[j]) + (1 - t[j]) * softplus(z[j])
            }
            return loss
        }
    }

    /// The loss of each sample (row) of a batch: ``sampleLoss(output:weightedInput:target:count:activation:)``
    /// of its row of `a`, `z` and `t`, the formulas `run` adds up.
    public func sampleLosses<S: Scalar>(
        output a: Matrix<S>, weightedInput z: Matrix<S>, targets t: Matrix<S>, activation: Activation
    ) -> [S] {
        let n = a.columns
        return a.withElementPointer { as_ in
            z.withElementPointer { zs in
                t.withElementPointer { ts in
                    (0..<a.rows).map { s in
                        sampleLoss(
                            output: as_ + s * n, weightedInput: zs + s * n,
                            target: ts + s * n, count: n, activation: activation)
                    }
                }
            }
        }
    }

    /// softplus(x) = log(1 + e^x), without overflow for large x.
    @inline(__always)
    private func softplus<S: Scalar>(_ x: S) -> S {
        max(x, 0) + S.log1p(S.exp(-abs(x)))
    }

    /// The output layer's `δ = ∂E/∂z`, written into `delta` (same shape as `a`).
    public func outputDelta<S: Scalar>(
        output a: Matrix<S>, weightedInput z: Matrix<S>, target t: Matrix<S>,
        activation: Activation, into delta: inout Matrix<S>
    ) {
        let (rows, columns) = (a.rows, a.columns)
        a.withElementPointer { as_ in
            z.withElementPointer { zs in
                t.withElementPointer { ts in
                    delta.withMutableElementPointer { ds in
                        outputDelta(
                            output: as_, weightedInput: zs, target: ts, activation: activation, into: ds, rows: rows, columns: columns)
                    }
                }
            }
        }
    }

    /// ``outputDelta(output:weightedInput:target:activation:into:)`` on
    /// `rows` rows of `columns` outputs, row-major.
    @inline(__always)
    func outputDelta<S: Scalar>(
        output as_: UnsafePointer<S>, weightedInput zs: UnsafePointer<S>, target ts: UnsafePointer<S>,
        activation: Activation, into ds: UnsafeMutablePointer<S>, rows: Int, columns: Int
    ) {
        let count = rows * columns, n = S(columns)
        switch self {
        case .sse:
            for i in 0..<count { ds[i] = as_[i] - ts[i] }  // ∂E/∂a = a - t
        case .mse:
            for i in 0..<count { ds[i] = 2 * (as_[i] - ts[i]) / n }  // ∂E/∂a = 2(a - t)/n
        case .crossEntropy:
            for i in 0..<count { ds[i] = as_[i] - ts[i] }  // δ = a - t, already ∂E/∂z
        }
        if self != .crossEntropy {
            activation.backward(ds, activation: as_, weightedInput: zs, rows: rows, columns: columns)  // δ = ∂E/∂a ⊙ f'(z)
        }
    }
}
