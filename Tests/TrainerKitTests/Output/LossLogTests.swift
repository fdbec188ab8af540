import Foundation
import Testing
@testable import TrainerKit

/// The loss log's rows: their `seconds` text, when they are sent, and the
/// `train_seconds` column of `run --train-seconds` (docs/files-and-streams.md).
@Suite struct LossLogTests {
    /// The six-decimal seconds against C's printf("%.6f"), the format the
    /// column had before, on values with every number of integer digits and
    /// on halfway-looking fractions.
    @Test func secondsAreWrittenAsPrintfWritesThem() {
        var values: [Double] = [0, 0.000001, 0.0000004, 0.0000006, 0.1, 0.5, 0.9999994, 1, 12.345678, 59.999999, 3600.25, 86_400.000001]
        var random = RandomGenerator(seed: 7)
        for _ in 0..<2000 { values.append(random.nextUnitDouble() * pow(10, Double(random.nextInt(below: 6)))) }
        for value in values {
            #expect(LossLog.microseconds(value) == String(format: "%.6f", value), "\(value)")
        }
    }

    private func record(_ epoch: Int, seconds: Double) -> EpochRecord {
        EpochRecord(epoch: epoch, loss: 0.5, accuracy: nil, testLoss: nil, testAccuracy: nil, seconds: seconds)
    }

    /// A row is sent at once when the last write was 0.1 s (of the run's
    /// clock, the rows' `seconds`) or more before it; otherwise it is held
    /// and sent with the next row due; `flush()` sends what is held.
    @Test func rowsAreHeldOnlyWithinATenthOfASecondOfAWrite() throws {
        let output = BufferOutput()
        let log = try LossLog(columns: ["epoch", "loss", "seconds"], output: output, writeHeader: true)
        #expect(output.text == "epoch,loss,seconds\n")
        try log.write(record(1, seconds: 0.01))
        #expect(output.text == "epoch,loss,seconds\n1,0.5,0.010000\n", "the first row at once")
        try log.write(record(2, seconds: 0.05))
        try log.write(record(3, seconds: 0.08))
        #expect(output.text == "epoch,loss,seconds\n1,0.5,0.010000\n", "held")
        try log.write(record(4, seconds: 0.11))
        #expect(output.text.hasSuffix("1,0.5,0.010000\n2,0.5,0.050000\n3,0.5,0.080000\n4,0.5,0.110000\n"))
        try log.write(record(5, seconds: 0.12))
        #expect(output.text.hasSuffix("4,0.5,0.110000\n"))
        try log.flush()
        #expect(output.text.hasSuffix("4,0.5,0.110000\n5,0.5,0.120000\n"))
        try log.write(record(6, seconds: 2.5))
        #expect(output.text.hasSuffix("5,0.5,0.120000\n6,0.5,2.500000\n"), "a slow epoch's row at once")
    }

    /// `--train-seconds`: a column before `seconds` holding each epoch's
    /// training alone, which can only be less than the time between rows.
    @Test func trainSecondsColumn() throws {
        let result = runCLI([
            "run", "--example", "xor", "--epochs", "5", "--quiet", "--train-seconds", "--log", "-", "--weights-out", "/dev/null",
        ])
        #expect(result.code == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["epoch", "loss", "train_seconds", "seconds"])
        var previous = 0.0
        for row in rows.dropFirst() {
            let train = try #require(Double(row[2])), seconds = try #require(Double(row[3]))
            #expect(train >= 0 && train <= seconds - previous + 1e-6, "\(row)")
            previous = seconds
        }
        #expect(rows.count == 6)
        let plain = runCLI(["run", "--example", "xor", "--epochs", "1", "--quiet", "--log", "-", "--weights-out", "/dev/null"])
        #expect(plain.stdout.hasPrefix("epoch,loss,seconds\n"), "the default columns stay")
    }
}
