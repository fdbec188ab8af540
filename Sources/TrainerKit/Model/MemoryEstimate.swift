import Glibc

/// What a run will hold in memory, computed before anything is allocated,
/// with overflow-checked arithmetic, so that `layers: [100000, 125000, 10]`
/// is refused in milliseconds instead of ending in a trap or the OOM killer.
public struct MemoryEstimate: Equatable, Sendable {
    public var parameters: Int
    /// Parameters, their gradients and the per-batch buffers.
    public var networkBytes: Int
    /// The data sets held in memory.
    public var dataBytes: Int

    public var totalBytes: Int {
        let (sum, overflow) = networkBytes.addingReportingOverflow(dataBytes)
        return overflow ? Int.max : sum
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

    /// The estimate for a network trained in batches of `batchSize`, or nil
    /// when it overflows (which no machine can hold anyway).
    /// - Parameter samples: samples of all data sets, with inputs and outputs each.
    public static func estimate(layers: [Int], batchSize: Int, precision: Precision, samples: Int = 0) -> MemoryEstimate? {
        guard let parameters = parameterCount(layers: layers) else { return nil }
        var units = 0  // numbers held
        // Weights and biases, their gradients, and a copy for saving.
        guard add(&units, parameters, times: 3) else { return nil }
        // Per batch: a, z and δ of every layer, for the training batch and
        // the evaluation batch.
        let neurons = layers.reduce(0) { $0 &+ $1 }
        guard neurons >= 0, add(&units, neurons, times: 3 * (batchSize + Evaluator<Double>.batchSize)) else { return nil }
        var dataUnits = 0
        guard add(&dataUnits, samples, times: layers[0] + layers[layers.count - 1]) else { return nil }
        let (networkBytes, overflow1) = units.multipliedReportingOverflow(by: precision.size)
        let (dataBytes, overflow2) = dataUnits.multipliedReportingOverflow(by: precision.size)
        if overflow1 || overflow2 { return nil }
        return MemoryEstimate(parameters: parameters, networkBytes: networkBytes, dataBytes: dataBytes)
    }

    private static func add(_ total: inout Int, _ count: Int, times factor: Int) -> Bool {
        let (product, overflow1) = count.multipliedReportingOverflow(by: factor)
        let (sum, overflow2) = total.addingReportingOverflow(product)
        if overflow1 || overflow2 { return false }
        total = sum
        return true
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
