// swift-tools-version:6.0
import PackageDescription

// Three targets, one job each:
// - TrainerKernels: the matrix products only. It is the one target built with
//   -Ounchecked (no bounds or overflow checks) because its loops run billions of
//   times; parsers and loaders stay in TrainerKit, which keeps every check.
// - TrainerKit: everything else (config, data, model, training, outputs, CLI).
// - trainer: a thin executable that wires real streams and signals to TrainerKit.
let kernelFlags: [SwiftSetting] = [
    // -Ounchecked: removes the precondition checks left in -O builds of the
    // kernel loops; -enforce-exclusivity=unchecked: drops the runtime
    // exclusivity checks on the workspace buffers. Measured in `make bench`.
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "trainer",
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .library(name: "TrainerKit", targets: ["TrainerKit"]),
    ],
    targets: [
        .target(name: "TrainerKernels", swiftSettings: kernelFlags),
        .target(name: "TrainerKit", dependencies: ["TrainerKernels"]),
        .executableTarget(name: "trainer", dependencies: ["TrainerKit"]),
        .testTarget(
            name: "TrainerKitTests", dependencies: ["TrainerKit", "TrainerKernels"],
            // Read through #filePath, so `swift test` needs no resource bundle.
            exclude: ["Fixtures"]),
    ]
)
