import Glibc

/// The loss log of docs/contract.md ("Files written"): a CSV header, then one row per epoch.
///
/// A row is written at once, as one write, unless the last write was less
/// than ``flushInterval`` before (by the rows' `seconds`); then it is held
/// and written with the next row due, or by ``flush()``, which `run` calls
/// before saving a checkpoint and when training stops. So rows of epochs
/// slower than a tenth of a second are written as they end, and short
/// epochs' rows go out a few at a time: one write(2) per row cost 0.1 s of
/// 0.6 in 100,000 epochs of XOR. A stopped run leaves whole rows only, and a
/// checkpoint never holds an epoch the log lacks.
///
/// Columns: `epoch,loss`, then `accuracy` when the targets are one-hot
/// classes, then `test_loss` (and `test_accuracy` for classes) when
/// `data.test` is given, then `seconds`. Numbers are plain decimals that
/// gnuplot, pandas and spreadsheets read (`0.0123`, `1.5e-05`); the loss is
/// written with enough digits to read back the exact float64.
public final class LossLog {
    public let columns: [String]
    private let output: TextOutput
    /// Each column's field, found once rather than by name on every row.
    private let fields: [(EpochRecord) -> String]
    /// Rows not yet sent to `output`, each ending in a newline.
    private var pending = ""
    /// The `seconds` of the row last sent (the run's clock).
    private var lastSent = -Double.infinity
    /// How long after a write the next row is held, at least.
    public var flushInterval: Duration = .milliseconds(100)

    /// The columns for a run.
    ///
    /// Beyond the columns listed on ``LossLog``, placed before `seconds`: `val_loss` (and
    /// `val_accuracy` for classes) with validation data, and `lr` when a
    /// schedule changes the learning rate between epochs.
    public static func columns(
        accuracy: Bool, test: Bool, testAccuracy: Bool, validation: Bool = false, validationAccuracy: Bool = false,
        learningRate: Bool = false, trainSeconds: Bool = false
    ) -> [String] {
        var columns = ["epoch", "loss"]
        if accuracy { columns.append("accuracy") }
        if test { columns.append("test_loss") }
        if test && testAccuracy { columns.append("test_accuracy") }
        if validation { columns.append("val_loss") }
        if validation && validationAccuracy { columns.append("val_accuracy") }
        if learningRate { columns.append("lr") }
        if trainSeconds { columns.append("train_seconds") }
        columns.append("seconds")
        return columns
    }

    /// A log writing to `output`; writes the header row unless appending to
    /// a log that already has it.
    public init(columns: [String], output: TextOutput, writeHeader: Bool) throws(OutputError) {
        self.columns = columns
        self.output = output
        fields = columns.map { column in
            switch column {
            case "epoch": { String($0.epoch) }
            case "lr": { LossLog.number($0.learningRate) }
            case "train_seconds": { LossLog.microseconds($0.trainSeconds) }
            case "seconds": { LossLog.microseconds($0.seconds) }
            default: { $0.value(of: column).map(LossLog.number) ?? "" }  // loss, accuracy, test_…, val_…
            }
        }
        if writeHeader {
            try output.write(columns.joined(separator: ",") + "\n")
            try output.flush()
        }
    }

    /// Writes one row: at once when the last write was ``flushInterval`` or
    /// more before it, else with the next row due or by ``flush()``; with
    /// what is held once that reaches 64 KiB.
    public func write(_ record: EpochRecord) throws(OutputError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { pending += "," }
            pending += field(record)
        }
        pending += "\n"
        if record.seconds - lastSent >= flushInterval.seconds || pending.utf8.count >= 1 << 16 {
            lastSent = record.seconds
            try flush()
        }
    }

    /// Sends every row held, as one write. When that fails (a full disk, a
    /// file-size limit), the output has taken it back, and the rows are sent
    /// one at a time, so the log keeps every whole row there is room for.
    public func flush() throws(OutputError) {
        guard !pending.isEmpty else { return }
        let rows = pending
        pending = ""
        do throws(OutputError) {
            try output.write(rows)
            try output.flush()
        } catch {
            if error.isBrokenPipe { throw error }
            for row in rows.split(separator: "\n") {
                try output.write(row + "\n")
                try output.flush()
            }
        }
    }

    /// How many leading bytes of an existing log a run resumed after
    /// `epoch` keeps: the header and the whole rows up to that epoch.
    ///
    /// A run killed after a checkpoint has logged epochs its weights file
    /// does not hold; the resumed run logs them again, so they go, as does
    /// a row cut short without its newline. The count stops at the first
    /// row that is not a whole row of an epoch ≤ `epoch`.
    public static func keptLength(ofExisting bytes: [UInt8], throughEpoch epoch: Int) -> Int {
        let newline = UInt8(ascii: "\n")
        guard let headerEnd = bytes.firstIndex(of: newline) else { return 0 }
        var kept = headerEnd + 1
        while kept < bytes.count, let rowEnd = bytes[kept...].firstIndex(of: newline) {
            let field = bytes[kept..<rowEnd].prefix { $0 != UInt8(ascii: ",") }
            guard let rowEpoch = Int(String(decoding: field, as: UTF8.self)), rowEpoch <= epoch else { break }
            kept = rowEnd + 1
        }
        return kept
    }

    /// Seconds with six decimals, as `%.6f` writes them (`12.345678`), to
    /// the nearest microsecond. Precondition: `value` is finite and ≥ 0.
    static func microseconds(_ value: Double) -> String {
        let total = Int((value * 1e6).rounded())
        let fraction = String(total % 1_000_000)
        return String(total / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// The shortest decimal that reads back as `value` (`nan`/`inf` never
    /// reach the log: a non-finite loss stops the run first).
    static func number(_ value: Double) -> String {
        value.description
    }
}
