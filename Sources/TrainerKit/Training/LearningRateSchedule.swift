import Glibc

/// The learning rate as a function of the epoch (1-based, counting every run
/// that led here, so a resumed run continues the schedule):
///
/// - constant:    η
/// - step:        η · γ^⌊(e − 1) / s⌋            (γ every s epochs)
/// - exponential: η · γ^(e − 1)
/// - cosine:      η_min + (η − η_min) · (1 + cos(π · min(e − 1, T) / T)) / 2
///                over T epochs, then η_min
public enum LearningRateSchedule: Equatable, Sendable {
    case constant
    case step(every: Int, factor: Double)
    case exponential(factor: Double)
    case cosine(epochs: Int, minimum: Double)

    public static let names = ["constant", "step", "exponential", "cosine"]

    public var name: String {
        switch self {
        case .constant: return "constant"
        case .step: return "step"
        case .exponential: return "exponential"
        case .cosine: return "cosine"
        }
    }

    /// The rate for epoch `epoch` (≥ 1) from the base rate η.
    public func rate(base eta: Double, epoch: Int) -> Double {
        switch self {
        case .constant:
            return eta
        case .step(let every, let factor):
            return eta * Glibc.pow(factor, Double((epoch - 1) / every))
        case .exponential(let factor):
            return eta * Glibc.pow(factor, Double(epoch - 1))
        case .cosine(let epochs, let minimum):
            let progress = Double(min(epoch - 1, epochs)) / Double(epochs)
            return minimum + (eta - minimum) * (1 + cos(Double.pi * progress)) / 2
        }
    }

    /// Whether the rate can change between epochs (the log then has an `lr` column).
    public var varies: Bool { self != .constant }
}
