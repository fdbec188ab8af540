/// `data.normalize`: each input column mapped by `x' = (x − offset) / scale`
/// before the network sees it, with `offset` and `scale` fitted on the
/// training samples only and stored in the weights file, so that `predict`,
/// `eval` and the exports take raw inputs and scale them the same way.
///
/// The formula is evaluated in the network's precision, `(S(x) − S(offset))
/// / S(scale)`, two correctly rounded operations that ONNX's `Sub` and `Div`
/// and C's `-` and `/` repeat bit for bit.
public struct InputScaling: Equatable, Sendable {
    public enum Method: String, CaseIterable, Sendable {
        /// No scaling (the default): `x' = x`.
        case none
        /// z-score: `offset` the mean, `scale` the standard deviation (of the
        /// population, dividing by n, as scikit-learn's StandardScaler does).
        case standard
        /// To [0, 1] over the training samples: `offset` the minimum, `scale` max − min.
        case minmax

        /// The config names, in the order help and messages list them.
        public static var names: [String] { allCases.map(\.rawValue) }
    }

    public var method: Method
    /// One per input column.
    public var offset: [Double]
    /// One per input column; never zero: a column with one value throughout
    /// gets 1, so it becomes `x − offset` (0 on the training samples).
    public var scale: [Double]

    public init(method: Method, offset: [Double], scale: [Double]) {
        precondition(offset.count == scale.count && scale.allSatisfy { $0 != 0 && $0.isFinite } && offset.allSatisfy(\.isFinite))
        self.method = method
        self.offset = offset
        self.scale = scale
    }

    /// Fits `method` to `inputs` (one sample per row, at least one row).
    /// Sums are taken in float64 whatever the precision of `S`.
    public init<S: Scalar>(fitting method: Method, to inputs: Matrix<S>) {
        precondition(inputs.rows > 0)
        let n = inputs.rows, columns = inputs.columns
        var offset = [Double](repeating: 0, count: columns)
        var scale = [Double](repeating: 1, count: columns)
        switch method {
        case .none:
            break
        case .standard:
            // Two passes: the mean μ = Σx / n, then σ = √(Σ(x − μ)² / n).
            for i in 0..<n { for j in 0..<columns { offset[j] += Double(inputs[i, j]) } }
            for j in 0..<columns { offset[j] /= Double(n) }
            // A sum past the largest float64 (inputs near 1e308): the mean
            // as Σ(x / n) instead, which cannot overflow.
            for j in 0..<columns where !offset[j].isFinite {
                offset[j] = 0
                for i in 0..<n { offset[j] += Double(inputs[i, j]) / Double(n) }
            }
            var squares = [Double](repeating: 0, count: columns)
            for i in 0..<n {
                for j in 0..<columns {
                    let d = Double(inputs[i, j]) - offset[j]
                    squares[j] += d * d
                }
            }
            for j in 0..<columns {
                let sigma = (squares[j] / Double(n)).squareRoot()
                scale[j] = sigma > 0 && sigma.isFinite ? sigma : 1
            }
        case .minmax:
            var low = [Double](repeating: .infinity, count: columns)
            var high = [Double](repeating: -.infinity, count: columns)
            for i in 0..<n {
                for j in 0..<columns {
                    let x = Double(inputs[i, j])
                    low[j] = min(low[j], x)
                    high[j] = max(high[j], x)
                }
            }
            for j in 0..<columns {
                offset[j] = low[j]
                let range = high[j] - low[j]
                scale[j] = range > 0 && range.isFinite ? range : 1
            }
        }
        self.init(method: method, offset: offset, scale: scale)
    }

    /// The number of input columns.
    public var count: Int { offset.count }

    /// `(x − offset[j]) / scale[j]` for column `j`, in the precision of `x`.
    @inline(__always)
    public func scaled<S: Scalar>(_ x: S, column j: Int) -> S {
        (x - S(offset[j])) / S(scale[j])
    }

    /// Every row of `inputs` scaled; `inputs.columns == count`.
    public func apply<S: Scalar>(to inputs: Matrix<S>) -> Matrix<S> {
        precondition(inputs.columns == count)
        guard method != .none else { return inputs }
        var result = inputs
        for i in 0..<inputs.rows {
            for j in 0..<count { result[i, j] = scaled(inputs[i, j], column: j) }
        }
        return result
    }
}
