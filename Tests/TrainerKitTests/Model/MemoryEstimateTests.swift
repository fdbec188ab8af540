import Testing
@testable import TrainerKit

/// The memory model of docs/memory.md, part by part. The expected numbers
/// are that model's sums, written out here; the cases are the ones its
/// figures were measured on (release build, peak RSS), which are quoted
/// beside them.
@Suite struct MemoryEstimateTests {
    static let mebibyte = Double(1 << 20)

    /// data/big.csv of docs/memory.md: 200,000 rows of 99 inputs and a class
    /// label (0-9), 71,091,681 bytes.
    static let bigCSV = DataFootprint(
        name: "data.train", form: .csv, samples: 200_000, inputs: 99, outputs: 10, classes: true, fileBytes: 71_091_681)

    /// MNIST's training set: 47,040,016 + 60,008 bytes of IDX files.
    static let mnistTrain = DataFootprint(
        name: "data.train", form: .idx, samples: 60_000, inputs: 784, outputs: 10, classes: true, fileBytes: 47_100_024)
    static let mnistTest = DataFootprint(
        name: "data.test", form: .idx, samples: 10_000, inputs: 784, outputs: 10, classes: true, fileBytes: 7_850_024)

    static func plan(_ layers: [Int], _ precision: Precision, batch: Int = 10, data: [DataFootprint]) -> MemoryPlan {
        var plan = MemoryPlan(layers: layers, precision: precision, batchSize: batch)
        plan.data = data
        return plan
    }

    /// Reproduces: a 200,000-row CSV was estimated at 84 MiB (samples ×
    /// (inputs + outputs) × 4, and "network and batches") and blamed on
    /// network.layers; its peak was 167.4 MiB while the file was read whole.
    /// Read in blocks, the same rows (200,000 × 100 cells, 77 MB) peak at
    /// 103.3 MiB (measured: release build, `/usr/bin/time`, `run --epochs 1`,
    /// 105,784 KiB).
    @Test("a large CSV: the peak is while it is read, data.train its largest part")
    func largeCSVWhileRead() throws {
        let estimate = try #require(MemoryEstimate.estimate(Self.plan([99, 30, 10], .float32, data: [Self.bigCSV])))
        #expect(estimate.moment == "while data.train is read")
        let data = estimate.parts[0]
        #expect(data.name == "data.train")
        // Held: 200,000 × (99 × 4 inputs + 10 × 4 targets + 8 class + 8 line)
        // = 90,400,000; beside it while read: a block of text (1 MiB) × (5 +
        // 4 / 2) and the label texts (16 × 200,000).
        #expect(data.bytes == 90_400_000 + 7 * 1_048_576 + 3_200_000)
        #expect(data.detail == "200,000 samples of 99 float32 inputs; 68 MiB of CSV text read in blocks")
        #expect(estimate.parts.map(\.name) == ["data.train", "runtime", "network"])
        // The network's weights only (3,310 parameters × 4), before training.
        #expect(estimate.parts[2].bytes == 3_310 * 4)
        let total = Double(estimate.totalBytes) / Self.mebibyte
        #expect(abs(total / 103.3 - 1) < 0.05, "\(total) MiB against 103.3 measured")
        #expect(estimate.summary.hasPrefix("≈ 107 MiB at its peak, while data.train is read: data.train 96 MiB (200,000 samples"))
    }

    /// Reproduces: MNIST was estimated at 215 MiB (every pixel as a float32)
    /// where its peak is 69.1 MiB (measured: release build, `/usr/bin/time`,
    /// `run configs/mnist.json --epochs 1`, 70,800 KiB; 75.4 MiB in float64):
    /// the pixels are bytes, the images file's own bytes with the header cut
    /// off in place, so reading it holds no second copy, and the peak comes
    /// when the weights are saved as text.
    @Test("MNIST: pixels as bytes, the images file's own; no copy while read")
    func mnistWhileRead() throws {
        let estimate = try #require(MemoryEstimate.estimate(Self.plan([784, 30, 10], .float32, data: [Self.mnistTrain, Self.mnistTest])))
        #expect(estimate.moment == "while the weights are saved")
        #expect(estimate.parts[0].name == "data.train")
        #expect(estimate.parts[0].detail == "60,000 samples of 784 byte inputs")
        let total = Double(estimate.totalBytes) / Self.mebibyte
        #expect(abs(total / 69.1 - 1) < 0.05, "\(total) MiB against 69.1 measured")
    }

    /// data.normalize makes MNIST's bytes numbers, twice for a moment (the
    /// inputs as numbers, and their scaled copy): measured 424.5 MiB.
    @Test("data.normalize on bytes: two copies of the inputs as numbers while scaling")
    func normalizeScalesIntoCopies() throws {
        var plan = Self.plan([784, 30, 10], .float32, data: [Self.mnistTrain, Self.mnistTest])
        plan.normalizes = true
        let estimate = try #require(MemoryEstimate.estimate(plan))
        #expect(estimate.moment == "while data.normalize scales data.train")
        #expect(estimate.parts[0].bytes == 60_000 * 832 + 2 * 60_000 * 784 * 4)
        let total = Double(estimate.totalBytes) / Self.mebibyte
        #expect(abs(total / 424.5 - 1) < 0.05, "\(total) MiB against 424.5 measured")
    }

    /// A wide network on little data: the save, which holds every number as
    /// text, is the peak (4-2000-2000-3, float64: measured 663.2 MiB; with
    /// Adam, whose two moments are saved too, 1894.6 MiB).
    @Test("a wide network: the save is the peak, the network its largest part")
    func wideNetworkWhileSaved() throws {
        let iris = DataFootprint(name: "data.train", form: .csv, samples: 120, inputs: 4, outputs: 3, classes: true, fileBytes: 3_000)
        var plan = Self.plan([4, 2000, 2000, 3], .float64, data: [iris])
        let parameters = 4_018_003
        for (slots, measured) in [(0, 663.2), (2, 1894.6)] {
            plan.optimizerSlots = slots
            let estimate = try #require(MemoryEstimate.estimate(plan))
            #expect(estimate.moment == "while the weights are saved")
            #expect(estimate.parts[0].name == "network")
            // Weights, their copy and gradients, the optimizer's state; then
            // 148 bytes for each number saved.
            #expect(estimate.parts[0].bytes == parameters * 8 * (3 + slots) + parameters * (1 + slots) * 148)
            let total = Double(estimate.totalBytes) / Self.mebibyte
            #expect(abs(total / measured - 1) < 0.05, "\(slots) slots: \(total) MiB against \(measured) measured")
        }
    }

    /// Large batches: a, z and δ of each layer per sample (99-1000-10,
    /// batch 4,096, float32: measured 74.0 MiB).
    @Test("large batches: their buffers, at most as many samples as data.train has")
    func batchesArePerSample() throws {
        let mid = DataFootprint(
            name: "data.train", form: .csv, samples: 20_000, inputs: 99, outputs: 10, classes: true, fileBytes: 7_108_707)
        let estimate = try #require(MemoryEstimate.estimate(Self.plan([99, 1000, 10], .float32, batch: 4096, data: [mid])))
        let batches = try #require(estimate.parts.first { $0.name == "batches" })
        // (1,109 a + 2 × 1,010 z and δ + 10 targets + 1 loss) × 4,096 × 4.
        #expect(batches.bytes == (1_109 + 2 * 1_010 + 11) * 4_096 * 4)
        #expect(estimate.parts[0] == batches)
        // A batch larger than the data holds only the data's samples.
        let capped = try #require(MemoryEstimate.estimate(Self.plan([99, 1000, 10], .float32, batch: 1 << 40, data: [mid])))
        #expect(capped.parts.first { $0.name == "batches" }?.bytes == (1_109 + 2 * 1_010 + 11) * 20_000 * 4)
    }

    /// Sizes near Int.max saturate instead of trapping; a parameter count
    /// that overflows is nil (reported as too large).
    @Test("no size traps: saturated at Int.max, or nil when the parameters overflow")
    func hugeSizesSaturate() {
        #expect(MemoryEstimate.estimate(Self.plan([2, Int.max, 2], .float64, data: [])) == nil)
        let unknownData = MemoryEstimate.estimate(Self.plan([2, 3, 1], .float64, batch: Int.max, data: []))
        #expect(unknownData?.totalBytes == Int.max)
        let huge = DataFootprint(
            name: "data.train", form: .csv, samples: Int.max / 2, inputs: 1 << 40, outputs: 1, classes: true, fileBytes: 1)
        #expect(MemoryEstimate.estimate(Self.plan([1 << 40, 1, 1], .float32, batch: Int.max, data: [huge]))?.totalBytes == Int.max)
    }

    @Test("text of literal numbers: 16 bytes up to 15 characters, a heap block beyond")
    func literalTextBytes() {
        #expect(MemoryEstimate.textBytes("-0.12345678") == 16)
        #expect(MemoryEstimate.textBytes("123456789012345") == 16)
        // 32-byte header + 20 bytes + NUL + malloc's 8, in 16-byte steps: 64.
        #expect(MemoryEstimate.textBytes("-0.12345678901234567") == 16 + 64)
    }
}
