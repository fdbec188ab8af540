#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The instruction-set level a kernel was compiled for. The same kernel source
/// is built three times (targets TrainerKernelsBaseline, TrainerKernelsV3 and
/// TrainerKernelsV4, see Package.swift); the level is chosen once, at run time,
/// from what this CPU supports, so a binary built here also runs on a CPU
/// without AVX-512 (or without AVX2).
///
/// Set `TRAINER_KERNEL_LEVEL=baseline|v3|v4` to force a level (for tests of the
/// fallback paths and for benchmarks). A level the CPU cannot run is never
/// used: the variable is then ignored with a warning on standard error.
///
/// Results are bit-identical between `v3` and `v4` (both use FMA and add in the
/// same order), except float32's weight gradient: it sums the samples in
/// blocks whose length depends on the level's registers, each block in two
/// FMA chains (see ``Kernels``); `baseline`
/// rounds each product separately and is bit-identical to the naive kernels.
public enum KernelLevel: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// x86-64 baseline: SSE2, 16 bytes per vector, no FMA. Also used on other
    /// architectures (compiled for their own baseline).
    case baseline
    /// x86-64-v3: AVX2 and FMA, 32 bytes per vector.
    case v3
    /// x86-64-v4: AVX-512 (F, BW, CD, DQ, VL), 64 bytes per vector.
    case v4

    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .v3: "v3"
        case .v4: "v4"
        }
    }

    public init?(name: String) {
        guard let level = KernelLevel.allCases.first(where: { $0.description == name }) else { return nil }
        self = level
    }

    public static func < (lhs: KernelLevel, rhs: KernelLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The best level this CPU runs (read once from /proc/cpuinfo).
    public static let detected: KernelLevel = detectLevel()

    /// The level the kernels use by default: ``detected``, or the level named
    /// by `TRAINER_KERNEL_LEVEL` if this CPU supports it.
    public static let active: KernelLevel = chooseActiveLevel()

    /// Every level this CPU can run, lowest first.
    public static var supported: [KernelLevel] { allCases.filter { $0 <= detected } }

    /// Whether this CPU can run code of this level.
    public var isSupported: Bool { self <= KernelLevel.detected }

    /// This level if the CPU can run it, else the best one it can.
    @usableFromInline var runnable: KernelLevel { isSupported ? self : KernelLevel.detected }
}

extension KernelLevel {
    /// The CPU flags each level needs, as /proc/cpuinfo spells them: x86-64-v2
    /// (cx16 lahf_lm popcnt pni sse4_1 sse4_2 ssse3), then v3 (avx avx2 bmi1
    /// bmi2 f16c fma abm=lzcnt movbe xsave), then v4 (avx512f/bw/cd/dq/vl).
    /// Linux lists the avx* flags only if it saves those registers on context
    /// switches, so they also tell that the OS supports them.
    static let v3Flags = [
        "cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3",
        "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave",
    ]
    static let v4Flags = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]

    /// The level a set of cpuinfo flags allows.
    static func level(flags: Set<Substring>) -> KernelLevel {
        guard v3Flags.allSatisfy({ flags.contains(Substring($0)) }) else { return .baseline }
        guard v4Flags.allSatisfy({ flags.contains(Substring($0)) }) else { return .v3 }
        return .v4
    }

    private static func detectLevel() -> KernelLevel {
        #if arch(x86_64) && os(Linux)
            guard let text = readFile("/proc/cpuinfo") else { return .baseline }
            for line in text.split(separator: "\n") where line.hasPrefix("flags") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                return level(flags: Set(line[line.index(after: colon)...].split(separator: " ")))
            }
            return .baseline
        #else
            // The v3/v4 targets get their -march flags only on x86-64 hosts.
            return .baseline
        #endif
    }

    private static func chooseActiveLevel() -> KernelLevel {
        guard let value = getenv("TRAINER_KERNEL_LEVEL").map({ String(cString: $0) }), !value.isEmpty else {
            return detected
        }
        guard let requested = KernelLevel(name: value) else {
            warn("TRAINER_KERNEL_LEVEL=\(value) is not one of baseline, v3, v4; using \(detected)")
            return detected
        }
        guard requested.isSupported else {
            warn("TRAINER_KERNEL_LEVEL=\(value) is not supported by this CPU; using \(detected)")
            return detected
        }
        return requested
    }

    private static func warn(_ message: String) {
        let line = Array("trainer: warning: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// The whole file, or nil. (Files in /proc report size 0, so read to EOF.)
    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            // The first processor's block holds the flags line; stop there.
            if bytes.count > 65536 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
