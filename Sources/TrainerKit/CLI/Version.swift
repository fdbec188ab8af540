import TrainerCSupport
import TrainerKernels

/// `trainer --version`: the release on the first line (what scripts read),
/// then the commit the binary was built from and the kernel level it runs.
enum Version {
    /// The commit `make` built from (`git describe --always --dirty`), or
    /// `unknown` for a plain `swift build` or a tree without git.
    static var commit: String { String(cString: trainer_build_commit()) }

    static func text() -> String {
        let active = KernelLevel.active
        var kernels = "\(active) (\(instructions(active))"
        if active != KernelLevel.detected {
            kernels += ", set by TRAINER_KERNEL_LEVEL; this CPU runs \(KernelLevel.detected)"
        } else {
            kernels += ", the best this CPU runs"
        }
        return """
            trainer \(CLI.version)
            commit: \(commit)
            kernels: \(kernels))

            """
    }

    /// What a level's code uses, in the words of CPU spec sheets.
    static func instructions(_ level: KernelLevel) -> String {
        #if !arch(x86_64)
            if level == .baseline { return "this architecture's baseline" }
        #endif
        return switch level {
        case .baseline: "x86-64: SSE2, no FMA"
        case .v3: "x86-64-v3: AVX2 and FMA"
        case .v4: "x86-64-v4: AVX-512"
        }
    }
}
