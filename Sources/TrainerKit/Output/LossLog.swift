import Glibc

/// The loss log of docs/contract.md ("Files written"): a CSV header, then one row per epoch, each row
/// flushed as one write so a stopped run leaves whole rows only.
///
/// Columns: `epoch,loss`, then `accuracy` when the targets are one-hot
/// classes, then `test_loss` (and `test_accuracy` for classes) when
/// `data.test` is given, then `seconds`. Numbers are plain decimals that
/// gnuplot, pandas and spreadsheets read (`0.0123`, `1.5e-05`); the loss is
/// written with enough digits to read back the exact float64.
public final class LossLog {
    public let columns: [String]
    private let output: TextOutput

    /// The columns for a run.
    ///
    /// Beyond the columns listed on ``LossLog``, placed before `seconds`: `val_loss` (and
    /// `val_accuracy` for classes) with validation data, and `lr` when a
    /// schedule changes the learning rate between epochs.
    public static func columns(
        accuracy: Bool, test: Bool, testAccuracy: Bool, validation: Bool = false, validationAccuracy: Bool = false,
        learningRate: Bool = false
    ) -> [String] {
        var columns = ["epoch", "loss"]
        if accuracy { columns.append("accuracy") }
        if test { columns.append("test_loss") }
        if test && testAccuracy { columns.append("test_accuracy") }
        if validation { columns.append("val_loss") }
        if validation && validationAccuracy { columns.append("val_accuracy") }
        if learningRate { columns.append("lr") }
        columns.append("seconds")
        return columns
    }

    /// A log writing to `output`; writes the header row unless appending to
    /// a log that already has it.
    public init(columns: [String], output: TextOutput, writeHeader: Bool) throws(OutputError) {
        self.columns = columns
        self.output = output
        if writeHeader {
            try output.write(columns.joined(separator: ",") + "\n")
            try output.flush()
        }
    }

    /// Writes and flushes one row.
    public func write(_ record: EpochRecord) throws(OutputError) {
        var fields: [String] = []
        for column in columns {
            switch column {
            case "epoch": fields.append(String(record.epoch))
            case "lr": fields.append(LossLog.number(record.learningRate))
            case "seconds": fields.append(String(cFormat: "%.6f", record.seconds))
            default: fields.append(record.value(of: column).map(LossLog.number) ?? "")  // loss, accuracy, test_…, val_…
            }
        }
        try output.write(fields.joined(separator: ",") + "\n")
        try output.flush()
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

    /// The shortest decimal that reads back as `value` (`nan`/`inf` never
    /// reach the log: a non-finite loss stops the run first).
    static func number(_ value: Double) -> String {
        value.description
    }
}
