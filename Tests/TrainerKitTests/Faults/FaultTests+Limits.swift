import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md G1-G3: resource limits and flag values. In depth:
// Data/IDXTests.swift (dimensionsWhoseProductOverflowsInt, for G2's IDX case).

/// The kernel's overcommit mode (0 heuristic, 1 always, 2 never), if known.
private var overcommitMode: Int? {
    (try? String(contentsOfFile: "/proc/sys/vm/overcommit_memory", encoding: .utf8)).flatMap {
        Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

extension FaultTests {
    @Suite("G. Resource limits and flags") struct Limits {
        typealias C = FaultConfig
        static let huge = C.text(network: #"{"layers": [100000, 125000, 10]}"#)

        @Test("G1: a network too large for memory is refused before allocating, in check and run; --max-memory sets the limit")
        func g1() throws {
            let directory = TemporaryDirectory()
            let config = directory.faultConfig(Self.huge)
            // The network's parts: 8 bytes a parameter for the weights, their
            // copy and gradients (24), and 148 for saving them as text
            // (MemoryEstimate.savedNumberBytes): 172 × 12,501,375,010 bytes =
            // 2.0 TiB, the largest part, named first.
            let network =
                "network.layers: the run needs ≈ 2.0 TiB at its peak, while the weights are saved: network 2.0 TiB (12,501,375,010 float64 parameters; as text while saved), runtime 11 MiB, "
            for command in ["check", "run"] {
                let started = ContinuousClock.now
                try expectBadInput(
                    [command, config, "--max-memory", "16G"], in: directory,
                    "trainer: error: $DIR/c.json: " + network, "; limit is 16 GiB (set --max-memory)\n")
                #expect(ContinuousClock.now - started < .seconds(1), "not refused in milliseconds")
                // The default limit: 16 GiB or 3/4 of the RAM, whichever is less.
                try expectBadInput([command, config], in: directory, "$DIR/c.json: " + network, "; limit is ", " (set --max-memory)\n")
            }

            // --max-memory lowers and raises the limit; below what the runtime
            // itself takes, the flag is named.
            let small = directory.write("small.json", C.text(network: #"{"layers": [2, 3000, 1]}"#))
            try expectBadInput(
                ["check", small, "--max-memory", "1M"], in: directory,
                "trainer: error: --max-memory: the run needs ≈ 13 MiB at its peak, while the weights are saved: runtime 11 MiB, network 2.0 MiB (12,001 float64 parameters; as text while saved), ",
                "; limit is 1.0 MiB (set --max-memory)\n")
            #expect(runCLI(["check", small, "--max-memory", "64M"]).code == 0)

            // Raised past what the machine can give: refused (malloc is asked
            // first), not a trap in the allocator. Unsafe to try where the
            // kernel always overcommits, or on a machine that has 2 TiB.
            guard overcommitMode != 1, ProcessInfo.processInfo.physicalMemory < 200 << 30 else {
                skipLoudly("G1 with --max-memory 4T: this machine could start allocating 2.0 TiB")
                return
            }
            for command in ["check", "run"] {
                try expectBadInput(
                    [command, "c.json", "--max-memory", "4T"], in: directory, runner: .binary,
                    "trainer: error: c.json: " + network, "; more than this machine can allocate; expected a smaller network\n")
            }
        }

        @Test(
            "G2: layer sizes whose product overflows Int are reported as too large, never trapped",
            arguments: [
                "[4294967296, 4294967296]", "[2, 4294967296, 4294967296, 1]", "[9223372036854775807, 2]", "[2, 9223372036854775807]",
            ])
        func g2(layers: String) throws {
            // The binary: a trap would end it by SIGILL or SIGTRAP (shell status 132, 133).
            let directory = TemporaryDirectory()
            directory.faultConfig(C.text(network: #"{"layers": \#(layers)}"#))
            for command in ["check", "run"] {
                try expectBadInput(
                    [command, "c.json"], in: directory, runner: .binary,
                    "trainer: error: c.json: network.layers: too large: the parameter count or memory overflows a 64-bit integer\n")
            }
        }

        @Test(
            "G3: bad flag values give exit 2 naming the flag; --threads above the cores is clamped",
            arguments: [
                FaultCase("--threads 0", "run --threads 0", "--threads: expected a whole number ≥ 1, found 0"),
                FaultCase("--threads -1", "run --threads -1", "--threads: expected a whole number ≥ 1, found -1"),
                FaultCase("--threads abc", "run --threads abc", "--threads: expected a whole number ≥ 1, found abc"),
                FaultCase("--batch-size 0", "run --batch-size 0", "--batch-size: expected a whole number ≥ 1, found 0"),
                FaultCase("--epochs 1e12", "run --epochs 1e12", "--epochs: expected a whole number ≥ 1, found 1e12"),
                FaultCase("--epochs abc", "run --epochs abc", "--epochs: expected a whole number ≥ 1, found abc"),
                FaultCase("--learning-rate nan", "run --learning-rate nan", "--learning-rate: expected a positive number, found nan"),
                FaultCase("--max-memory 0", "check --max-memory 0", "--max-memory: expected a size such as 512M or 16G, found 0"),
                FaultCase("--epsilon 0", "gradcheck --epsilon 0", "--epsilon: expected a positive number, found 0"),
                FaultCase("--epsilon -1e-5", "gradcheck --epsilon -1e-5", "--epsilon: expected a positive number, found -1e-5"),
                FaultCase("--epsilon nan", "gradcheck --epsilon nan", "--epsilon: expected a positive number, found nan"),
                FaultCase("--epsilon NaN", "gradcheck --epsilon NaN", "--epsilon: expected a positive number, found NaN"),
                FaultCase("--tolerance -1", "gradcheck --tolerance -1", "--tolerance: expected a positive number, found -1"),
            ])
        func g3(_ example: FaultCase) throws {
            let directory = TemporaryDirectory()
            let config = directory.faultConfig()
            let words = example.config.split(separator: " ").map(String.init)
            try expectBadInput([words[0], config] + words.dropFirst(), in: directory, "trainer: error: \(example.message)\n")
            // docs/commands.md: more threads than cores are clamped.
            let clamped = runCLI([
                "run", config, "--quiet", "--threads", "100000", "--weights-out", directory.file("t.json"), "--log",
                directory.file("t.csv"),
            ])
            #expect(clamped.code == 0, "\(clamped.stderr)")
        }
    }
}
