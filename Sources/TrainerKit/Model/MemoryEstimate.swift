import Glibc

/// What a run is made of, for its memory estimate.
public struct MemoryPlan: Sendable {
    public var layers: [Int]
    public var precision: Precision
    public var batchSize: Int
    /// The optimizer's state per parameter: 0 (sgd), 1 (momentum), 2 (adam).
    public var optimizerSlots: Int = 0
    /// Early stopping keeps the best epoch's network.
    public var keepsBestNetwork = false
    /// The float32 delta rule's first layer in halves (``FirstLayerSplit``).
    public var splitsFirstLayer = false
    /// `training.validation_split` holds out part of data.train.
    public var validationSplit = false
    /// Inputs are scaled (`data.normalize`, or the starting weights file's scaling).
    public var normalizes = false
    /// Literal numbers held as text all run long: a starting weights file's
    /// or `network.weights` (``MemoryEstimate/textBytes(_:)`` each).
    public var literalBytes = 0
    /// How many numbers those are.
    public var literalCount = 0
    /// The starting weights file's size (`--init-from`, `network.from`), or 0.
    public var startingFileBytes = 0
    /// The data sets in the order they are read: data.train first.
    public var data: [DataFootprint] = []

    public init(layers: [Int], precision: Precision, batchSize: Int) {
        self.layers = layers
        self.precision = precision
        self.batchSize = batchSize
    }
}

/// What a run will hold in memory at its peak, computed before anything
/// large is allocated, with overflow-checked (saturating) arithmetic, so
/// that `layers: [100000, 125000, 10]` is refused in milliseconds instead
/// of ending in a trap or the OOM killer, and a CSV file too large for the
/// limit is refused before it is read. docs/memory.md describes the model
/// and the measurements it was checked against.
///
/// A run passes through moments whose memory differs: each data set is
/// read (its file's bytes beside the numbers made from them), a validation
/// split copies the training set, `data.normalize` copies the inputs,
/// training holds the network, its gradients, the optimizer's state and
/// the batches, and the save turns every parameter into text. The estimate
/// is the largest moment, broken into its parts.
public struct MemoryEstimate: Equatable, Sendable {
    /// One part of the peak: what holds the memory.
    public struct Part: Equatable, Sendable {
        /// `data.train`, `data.test`, `data.validation`, `network`, `batches` or `runtime`.
        public var name: String
        public var bytes: Int
        /// What it holds: `200,000 samples of 99 float32 inputs; 68 MiB of CSV text while read`.
        public var detail: String

        /// `data.train 157 MiB (200,000 samples …)`.
        public var description: String {
            "\(name) \(MemoryEstimate.bytes(bytes))" + (detail.isEmpty ? "" : " (\(detail))")
        }
    }

    public var parameters: Int
    /// When the peak comes: `while data.train is read`, `while training`.
    public var moment: String
    /// The parts at the peak, largest first.
    public var parts: [Part]

    public var totalBytes: Int { parts.reduce(0) { MemoryEstimate.plus($0, $1.bytes) } }

    /// `≈ 168 MiB at its peak, while data.train is read: data.train 157 MiB
    /// (…), runtime 11 MiB, …`: the parts largest first.
    public var summary: String {
        "≈ \(MemoryEstimate.bytes(totalBytes)) at its peak, \(moment): " + parts.map(\.description).joined(separator: ", ")
    }

    /// The memory of the Swift runtime, the binary and its libraries, and
    /// the buffers every run has, as measured: see docs/memory.md, "The model".
    public static let runtimeBytes = 11 << 20

    /// Bytes that saving holds per number (a weight, or an optimizer's
    /// state value): its text as a Swift string (16 bytes, plus a heap
    /// block for more than 15 characters, as float64's shortest decimals
    /// have) and in the growing JSON text and its UTF-8 copy. The figures are
    /// measured: see docs/performance.md, "Bytes a saved number holds".
    public static func savedNumberBytes(_ precision: Precision) -> Int {
        precision == .float64 ? 148 : 48
    }

    /// Literal numbers held as text: 16 bytes a string, and a heap block
    /// for one longer than 15 UTF-8 bytes (a 32-byte header, the bytes and
    /// a NUL, in malloc's 16-byte steps).
    public static func textBytes(_ literal: String) -> Int {
        let count = literal.utf8.count
        return count <= 15 ? 16 : 16 + ((32 + count + 1 + 8 + 15) & ~15)
    }

    /// Weights and biases of a network with these layer sizes, or nil when
    /// the count does not fit in a 64-bit integer.
    public static func parameterCount(layers: [Int]) -> Int? {
        var total = 0
        for k in 0..<layers.count - 1 {
            let (product, overflow1) = layers[k].multipliedReportingOverflow(by: layers[k + 1])
            let (withBias, overflow2) = product.addingReportingOverflow(layers[k + 1])
            let (sum, overflow3) = total.addingReportingOverflow(withBias)
            if overflow1 || overflow2 || overflow3 { return nil }
            total = sum
        }
        return total
    }

    /// The estimate for `plan`, or nil when the parameter count overflows a
    /// 64-bit integer. Memory that overflows saturates at `Int.max`.
    public static func estimate(_ plan: MemoryPlan) -> MemoryEstimate? {
        guard let parameters = parameterCount(layers: plan.layers) else { return nil }
        let size = plan.precision.size
        let precision = plan.precision.rawValue
        let layers = plan.layers
        let inputs = layers[0], outputs = layers[layers.count - 1]
        let neurons = layers.reduce(0) { plus($0, $1) }
        let computed = plus(neurons, -inputs)  // z and δ: every layer but the input
        let train = plan.data.first
        let evaluates = plan.data.count > 1 || plan.validationSplit

        // The network: its weights from the start (and any literal numbers
        // it was given as text); when training, a second copy (the one that
        // learns; the first stays with the run's setup), the gradients of
        // the training pass and of the evaluation pass, the optimizer's
        // state and, with early stopping, the best epoch's copy.
        let weights = times(parameters, size)
        var copies = 3 + plan.optimizerSlots
        if evaluates { copies += 1 }
        if plan.keepsBestNetwork { copies += 1 }
        let beforeTraining = plus(weights, plan.literalBytes)
        let whileTraining = plus(times(weights, copies), plan.literalBytes)
        let savedNumbers = times(parameters, 1 + plan.optimizerSlots)
        let whileSaving = plus(whileTraining, times(savedNumbers, savedNumberBytes(plan.precision)))
        let parameterText = "\(grouped(parameters)) \(precision) parameters"

        // The batches: a, z and δ of every layer, the targets and losses,
        // for the training batch (m samples) and the evaluation batch (256);
        // a float32 first layer in halves holds its inputs and products again.
        let m = min(plan.batchSize, max(train?.samples ?? plan.batchSize, 1))
        func batchBytes(_ rows: Int, halves: Bool) -> Int {
            var numbers = plus(plus(neurons, times(computed, 2)), plus(outputs, 1))
            if halves { numbers = plus(numbers, plus(inputs, layers[1])) }
            return times(times(rows, numbers), size)
        }
        var batches = batchBytes(m, halves: plan.splitsFirstLayer)
        if evaluates { batches = plus(batches, batchBytes(Evaluator<Double>.batchSize, halves: false)) }
        let batchText = DataLoader.plural(m, "sample") + (evaluates ? ", and 256 for evaluation" : "")

        var moments: [(moment: String, parts: [Part])] = []
        func moment(_ name: String, data: [Part], network: Int, networkDetail: String = "", batches: Int = 0) {
            var parts = data
            parts.append(Part(name: "network", bytes: network, detail: parameterText + networkDetail))
            if batches > 0 { parts.append(Part(name: "batches", bytes: batches, detail: batchText)) }
            parts.append(Part(name: "runtime", bytes: runtimeBytes, detail: ""))
            moments.append((name, parts))
        }
        func part(_ set: DataFootprint, scaled: Bool, extra: Int = 0, while note: String = "") -> Part {
            let bytes = plus(set.storageBytes(size: size, scaled: scaled), extra)
            return Part(name: set.name, bytes: bytes, detail: set.describe(precision: precision, scaled: scaled) + note)
        }

        // Reading the starting weights file: its text, a JSON node for each
        // number (32 bytes), and the numbers as text, kept.
        if plan.startingFileBytes > 0 {
            let reading = plus(plus(plan.startingFileBytes, times(plan.literalCount, 32)), plan.literalBytes)
            moment(
                "while the starting weights are read", data: [], network: reading,
                networkDetail: "; \(bytes(plan.startingFileBytes)) of JSON text while read")
        }
        // Reading each data set: the ones before it, itself, and its file.
        for (k, set) in plan.data.enumerated() {
            var data = plan.data[..<k].map { part($0, scaled: false) }
            let note =
                switch set.form {
                case .idx where set.fileBytes > 0: "; \(bytes(set.fileBytes)) of IDX files while read"
                case .csv where set.fileBytes > 0: "; \(bytes(set.fileBytes)) of CSV text read in blocks"
                default: ""
                }
            data.append(part(set, scaled: false, extra: set.readingBytes(size: size), while: note))
            moment("while \(set.name) is read", data: data, network: beforeTraining)
        }
        // training.validation_split: the training set and its two parts.
        if plan.validationSplit, let train {
            var data = [
                part(
                    train, scaled: false, extra: train.splitBytes(size: size), while: "; copied into two parts by training.validation_split"
                )
            ]
            data += plan.data.dropFirst().map { part($0, scaled: false) }
            moment("while training.validation_split copies data.train", data: data, network: beforeTraining)
        }
        // data.normalize: fitted to the training inputs (made numbers from
        // bytes for it), then each set's inputs scaled into a new copy.
        if plan.normalizes, let train {
            if train.holdsBytes {
                var data = [
                    part(
                        train, scaled: false, extra: train.inputNumbers(size: size), while: "; its inputs as numbers to fit data.normalize")
                ]
                data += plan.data.dropFirst().map { part($0, scaled: false) }
                moment("while data.normalize is fitted", data: data, network: beforeTraining)
            }
            for (k, set) in plan.data.enumerated() {
                var data = plan.data[..<k].map { part($0, scaled: true) }
                let copies = set.holdsBytes ? 2 : 1
                data.append(
                    part(set, scaled: false, extra: times(set.inputNumbers(size: size), copies), while: "; its inputs scaled into a copy"))
                data += plan.data[(k + 1)...].map { part($0, scaled: false) }
                moment("while data.normalize scales \(set.name)", data: data, network: beforeTraining)
            }
        }
        // Training, then the save, with every set as it is by then and the
        // epoch's order of the training samples.
        let trained = plan.data.enumerated().map { index, set in
            part(set, scaled: plan.normalizes, extra: index == 0 ? times(set.samples, 8) : 0)
        }
        moment("while training", data: trained, network: whileTraining, batches: batches)
        moment("while the weights are saved", data: trained, network: whileSaving, networkDetail: "; as text while saved", batches: batches)

        var peak = moments[0]
        var peakTotal = 0
        for candidate in moments {
            let total = candidate.parts.reduce(0) { plus($0, $1.bytes) }
            if total > peakTotal { (peak, peakTotal) = (candidate, total) }
        }
        // Largest first; equal parts keep their order.
        let parts = peak.parts.enumerated().sorted {
            $0.element.bytes != $1.element.bytes ? $0.element.bytes > $1.element.bytes : $0.offset < $1.offset
        }.map(\.element)
        return MemoryEstimate(parameters: parameters, moment: peak.moment, parts: parts)
    }

    /// `a + b`, or `Int.max` when it overflows.
    static func plus(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? Int.min : Int.max) : sum
    }

    /// `a × b` for counts (never negative), or `Int.max` when it overflows.
    static func times(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    /// The default limit: 16 GiB, or three quarters of physical memory if less.
    public static var defaultLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        let limit = 16 << 30
        guard pages > 0, pageSize > 0 else { return limit }
        let (physical, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? limit : min(limit, physical / 4 * 3)
    }

    /// `12,501,375,010`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }

    /// `280 GiB`, `4.2 MiB`, `512 B`.
    public static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        return value >= 10 ? "\(Int(value.rounded())) \(units[unit])" : String(cFormat: "%.1f", value) + " " + units[unit]
    }
}
