import Glibc

/// Progress and notices of `run` on stderr (never stdout).
///
/// On a terminal: one line that updates in place while an epoch runs (a bar
/// over its samples, samples per second, elapsed and remaining time, the
/// running loss), at most five times a second, then a summary line per epoch.
/// Without a terminal (CI, a redirected stderr): no bar, and at most about a
/// dozen epoch lines, evenly spread, so logs stay short. `--progress N` (or
/// `epoch`, 1) writes a line every N epochs instead, anywhere, with the
/// samples per second and the time left. `--quiet` writes nothing but errors.
final class ProgressReporter {
    private let context: CommandContext
    private let quiet: Bool
    private let firstEpoch: Int
    private let epochs: Int
    /// The number of this run's last epoch.
    private var lastEpoch: Int { firstEpoch - 1 + epochs }  // at most 2^63 - 1 (RunSetup.checkCounters)
    private let stride: Int
    /// `--progress N`: a line every N epochs (and the last), with rate and time left.
    private let every: Int?
    /// Training samples in an epoch.
    private let samplesPerEpoch: Int
    /// Samples done in the first epoch before this run (a resumed run).
    private let startSamples: Int
    private let clock = ContinuousClock()
    private var epochStarted: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant
    /// Samples done when the epoch's timing started (a resumed epoch starts part-way).
    private var epochStartSamples: Int
    private var barShown = false

    /// The least time between two redraws of the bar.
    static let redrawInterval = Duration.milliseconds(200)

    /// - Parameter epochStartSamples: samples already done in the first
    ///   epoch (a resumed run starts part-way into it).
    /// - Parameters:
    ///   - every: `--progress N`, nil for the default choice of lines.
    ///   - samplesPerEpoch: the training samples, for the rate.
    init(
        context: CommandContext, quiet: Bool, firstEpoch: Int, epochs: Int, epochStartSamples: Int, every: Int? = nil,
        samplesPerEpoch: Int = 0
    ) {
        self.context = context
        self.quiet = quiet
        self.firstEpoch = firstEpoch
        self.epochs = epochs
        self.epochStartSamples = epochStartSamples
        self.startSamples = epochStartSamples
        self.every = every
        self.samplesPerEpoch = samplesPerEpoch
        self.stride = max(1, epochs / 10)
        epochStarted = clock.now
        lastDrawn = clock.now
    }

    /// Whether the updating bar is drawn: a terminal, and not `--quiet`.
    var showsBar: Bool { !quiet && context.stderrIsTerminal }

    /// After each batch; redraws the bar when it is due. Cheap otherwise.
    func batchFinished(epoch: Int, samplesDone: Int, samples: Int, lossSum: Double) {
        guard showsBar else { return }
        let now = clock.now
        guard now - lastDrawn >= ProgressReporter.redrawInterval || samplesDone == samples else { return }
        lastDrawn = now
        barShown = true
        let elapsed = (now - epochStarted).seconds
        try? context.stderr.write(
            "\r\u{1B}[K"
                + Self.bar(
                    epoch: epoch, lastEpoch: lastEpoch, samplesDone: samplesDone, samples: samples,
                    startSamples: epochStartSamples, elapsed: elapsed, lossSum: lossSum))
        try? context.stderr.flush()
    }

    /// `epoch 3/30 [########------------]  40%  24,000/60,000  312,000/s  0.1 s, 0.1 s left  loss 0.0412`.
    static func bar(
        epoch: Int, lastEpoch: Int, samplesDone: Int, samples: Int, startSamples: Int, elapsed: Double, lossSum: Double,
        width: Int = 20
    ) -> String {
        let fraction = samples > 0 ? Double(samplesDone) / Double(samples) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let rate = elapsed > 0 ? Double(samplesDone - startSamples) / elapsed : 0
        let left = rate > 0 ? Double(samples - samplesDone) / rate : 0
        let percent = String(cFormat: "%3d%%", Int(fraction * 100))
        return "epoch \(epoch)/\(lastEpoch) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            + "] \(percent)  \(MemoryEstimate.grouped(samplesDone))/\(MemoryEstimate.grouped(samples))"
            + "  \(MemoryEstimate.grouped(Int(rate)))/s  \(seconds(elapsed)), \(seconds(left)) left"
            + "  loss \(short(samplesDone > 0 ? lossSum / Double(samplesDone) : 0))"
    }

    func epochFinished(_ record: EpochRecord) {
        guard !quiet else { return }
        epochStarted = clock.now
        epochStartSamples = 0
        if barShown {
            try? context.stderr.write("\r\u{1B}[K")
            barShown = false
        }
        let index = record.epoch - firstEpoch + 1
        if let every {
            guard index % every == 0 || index == epochs else { return }
            let samples = index * samplesPerEpoch - startSamples
            let rate = record.seconds > 0 ? Double(samples) / record.seconds : 0
            let left = Double(epochs - index) * record.seconds / Double(index)
            context.note(
                ProgressReporter.describe(record, lastEpoch: lastEpoch, rate: rate, left: index == epochs ? nil : left))
            return
        }
        // A terminal shows every epoch; a log file about a dozen.
        guard context.stderrIsTerminal || index == 1 || index == epochs || index % stride == 0 else { return }
        context.note(ProgressReporter.describe(record, lastEpoch: lastEpoch))
    }

    /// `epoch 10/30: loss 0.0123, accuracy 0.95, test_loss 0.0150, test_accuracy 0.94 (2.1 s)`.
    /// With a rate (`--progress`): `… (2.1 s, 285,714 samples/s, 4.2 s left)`.
    static func describe(_ record: EpochRecord, lastEpoch: Int, rate: Double? = nil, left: Double? = nil) -> String {
        let columns = ["loss", "accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy"]
        let parts = columns.compactMap { column in record.value(of: column).map { "\(column) \(short($0))" } }
        var timing = seconds(record.seconds)
        if let rate { timing += ", \(MemoryEstimate.grouped(Int(rate.rounded()))) samples/s" }
        if let left { timing += ", \(seconds(left)) left" }
        return "epoch \(record.epoch)/\(lastEpoch): " + parts.joined(separator: ", ") + " (\(timing))"
    }

    /// The last line of a run: how far it trained and, when early stopping
    /// saved an earlier epoch's weights, which.
    func finished(progress: TrainingProgress, savedEpoch: Int, weights: String, log: String?) {
        guard !quiet else { return }
        let loss = progress.lastEpochLoss.map { "; final loss \(ProgressReporter.short($0))" } ?? ""
        let saved = savedEpoch == progress.epochsCompleted ? "weights" : "weights of epoch \(savedEpoch)"
        context.note(
            "trained to epoch \(progress.epochsCompleted)\(loss); \(saved) in \(weights)\(log.map { ", loss log in \($0)" } ?? "")")
    }

    func interrupted(signal: Int32, progress: TrainingProgress, weights: String) {
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        let position =
            progress.samplesIntoEpoch > 0
            ? "\(progress.epochsCompleted) epochs and \(progress.samplesIntoEpoch) samples"
            : "\(progress.epochsCompleted) epochs"
        context.note("trainer: stopped by \(name) after \(position); weights so far in \(weights) (continue with --init-from \(weights))")
    }

    /// Four significant digits: `0.01234`, `1.235e-05`.
    static func short(_ value: Double) -> String {
        String(cFormat: "%.4g", value)
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(cFormat: "%.2f s", value) : String(cFormat: "%.1f s", value)
    }
}
