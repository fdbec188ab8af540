/// The loss and accuracy of a network on a whole data set, without training.
public struct Evaluation: Equatable, Sendable {
    /// The mean per-sample loss.
    public var loss: Double
    /// The fraction of samples whose largest output is their class, when the
    /// targets are one-hot classes.
    public var accuracy: Double?
    /// `confusion[actual][predicted]` counts, when the targets are classes.
    public var confusion: [[Int]]?
}

extension Matrix {
    /// The column of the largest element of row `row` (the first, on ties).
    public func argmax(row: Int) -> Int {
        var best = 0
        var bestValue = self[row, 0]
        for j in 1..<columns where self[row, j] > bestValue {
            best = j
            bestValue = self[row, j]
        }
        return best
    }
}
