// swift-tools-version:6.0
import PackageDescription

// Targets, one job each:
// - TrainerKernels (with TrainerKernelsCore, the generic kernel code, and
//   TrainerKernelsBaseline/V3/V4, that code compiled for each CPU level): the
//   matrix products and element-by-element loops only. These are the targets
//   built with -Ounchecked (no bounds or overflow checks) because their loops
//   run billions of times; parsers and loaders stay in TrainerKit, which
//   keeps every check.
// - TrainerCSupport: the only C: a prefetch hint, which Swift lacks, and the
//   affinity processor count, which needs _GNU_SOURCE.
// - TrainerKit: everything else (config, data, model, training, outputs, CLI).
// - trainer: a thin executable that wires real streams and signals to TrainerKit.
// - kernel-bench: times and checks the kernels (`make bench`).
// Nothing in trainer uses Regex: without the implicit import of
// _StringProcessing, the static binary of `make dist` leaves it and
// _RegexParser out, a smaller binary (docs/performance.md, "Build settings").
let commonFlags: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-implicit-string-processing-module-import"])]

let kernelFlags: [SwiftSetting] =
    commonFlags + [
        // -Ounchecked: removes the precondition checks left in -O builds of the
        // kernel loops; -enforce-exclusivity=unchecked: drops the runtime
        // exclusivity checks on the workspace buffers. See docs/performance.md, "Build settings".
        .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
    ]

// The level targets compile the same kernels for one CPU level each. Without
// cross-module optimisation their bodies stay out of their interfaces, so a
// caller cannot copy one into its own (baseline) module (docs/performance.md,
// "Build settings").
let levelFlags: [SwiftSetting] = kernelFlags + [.unsafeFlags(["-disable-cmo"])]
#if arch(x86_64)
    let v3Flags: [SwiftSetting] = levelFlags + [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
    let v4Flags: [SwiftSetting] = levelFlags + [.unsafeFlags(["-Xcc", "-march=x86-64-v4"])]
#else
    let v3Flags: [SwiftSetting] = levelFlags
    let v4Flags: [SwiftSetting] = levelFlags
#endif

// The commit `trainer --version` names: `make` sets TRAINER_COMMIT (from git
// describe); a plain `swift build` leaves it out and the binary says unknown.
// Only the one C file sees it, so a new commit rebuilds nothing else.
let buildInfo: [CSetting] =
    Context.environment["TRAINER_COMMIT"].map { commit in
        [.define("TRAINER_COMMIT", to: "\"\(commit.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })\"")]
    } ?? []

let package = Package(
    name: "trainer",
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .library(name: "TrainerKit", targets: ["TrainerKit"]),
    ],
    targets: [
        .target(name: "TrainerKernelsCore", swiftSettings: kernelFlags),
        .target(name: "TrainerKernelsBaseline", dependencies: ["TrainerKernelsCore"], swiftSettings: levelFlags),
        .target(name: "TrainerKernelsV3", dependencies: ["TrainerKernelsCore"], swiftSettings: v3Flags),
        .target(name: "TrainerKernelsV4", dependencies: ["TrainerKernelsCore"], swiftSettings: v4Flags),
        .target(
            name: "TrainerKernels",
            dependencies: ["TrainerKernelsCore", "TrainerKernelsBaseline", "TrainerKernelsV3", "TrainerKernelsV4"],
            swiftSettings: kernelFlags),
        .target(name: "TrainerCSupport", cSettings: buildInfo),
        .target(name: "TrainerKit", dependencies: ["TrainerKernels", "TrainerCSupport"], swiftSettings: commonFlags),
        .executableTarget(name: "trainer", dependencies: ["TrainerKit"], swiftSettings: commonFlags),
        .executableTarget(name: "kernel-bench", dependencies: ["TrainerKernels"], swiftSettings: commonFlags),
        .testTarget(
            name: "TrainerKitTests", dependencies: ["TrainerKit", "TrainerKernels"],
            // Read through #filePath, so `swift test` needs no resource bundle.
            exclude: ["Fixtures"]),
    ]
)
