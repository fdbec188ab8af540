import Foundation

/// Progress and notices of `run` on stderr (never stdout). Without a
/// terminal it writes at most about a dozen epoch lines, evenly spread, so
/// CI logs stay short; `--quiet` writes nothing but errors.
final class ProgressReporter {
    private let context: CommandContext
    private let quiet: Bool
    private let firstEpoch: Int
    private let epochs: Int
    private let stride: Int

    init(context: CommandContext, quiet: Bool, firstEpoch: Int, epochs: Int) {
        self.context = context
        self.quiet = quiet
        self.firstEpoch = firstEpoch
        self.epochs = epochs
        self.stride = max(1, epochs / 10)
    }

    func epochFinished(_ record: EpochRecord) {
        guard !quiet else { return }
        let index = record.epoch - firstEpoch + 1
        guard index == 1 || index == epochs || index % stride == 0 else { return }
        context.note(ProgressReporter.describe(record, lastEpoch: firstEpoch + epochs - 1))
    }

    /// `epoch 10/30: loss 0.0123, accuracy 0.95, test_loss 0.0150, test_accuracy 0.94 (2.1 s)`.
    static func describe(_ record: EpochRecord, lastEpoch: Int) -> String {
        var parts = ["loss \(short(record.loss))"]
        if let accuracy = record.accuracy { parts.append("accuracy \(short(accuracy))") }
        if let loss = record.testLoss { parts.append("test_loss \(short(loss))") }
        if let accuracy = record.testAccuracy { parts.append("test_accuracy \(short(accuracy))") }
        return "epoch \(record.epoch)/\(lastEpoch): " + parts.joined(separator: ", ") + " (\(seconds(record.seconds)))"
    }

    func finished(progress: TrainingProgress, weights: String, log: String?) {
        guard !quiet else { return }
        let loss = progress.lastEpochLoss.map { "; final loss \(ProgressReporter.short($0))" } ?? ""
        context.note("trained to epoch \(progress.epochsCompleted)\(loss); weights in \(weights)\(log.map { ", loss log in \($0)" } ?? "")")
    }

    func interrupted(signal: Int32, progress: TrainingProgress, weights: String) {
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        let position = progress.samplesIntoEpoch > 0
            ? "\(progress.epochsCompleted) epochs and \(progress.samplesIntoEpoch) samples"
            : "\(progress.epochsCompleted) epochs"
        context.note("trainer: stopped by \(name) after \(position); weights so far in \(weights) (continue with --init-from \(weights))")
    }

    /// Four significant digits: `0.01234`, `1.235e-05`.
    static func short(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }
}
