import Foundation
import Testing
import TrainerKernels
@testable import TrainerKit

/// `trainer --version`: the release alone on the first line (what scripts
/// read), then the commit and the kernel level, as the issue that asked for
/// them wrote them down ("names the commit it was built from and the CPU
/// kernel level it chose").
@Suite struct VersionTests {
    @Test func threeLinesReleaseCommitKernels() {
        let result = runCLI(["--version"])
        #expect(result.code == 0)
        #expect(result.stderr == "")
        #expect(runCLI(["-V"]).stdout == result.stdout)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "", "three lines, each ended: \(lines)")
        #expect(lines.first == "trainer \(CLI.version)")
        // The tests are built by `swift build`, which leaves TRAINER_COMMIT
        // unset, or by `make`, which sets it from git describe.
        #expect(lines.dropFirst().first?.hasPrefix("commit: ") == true)
        #expect(lines.dropFirst().first != "commit: ")
        #expect(lines.dropFirst(2).first?.hasPrefix("kernels: \(KernelLevel.active) (") == true)
    }

    /// A forced level is named as forced, next to what the CPU runs. A level
    /// this CPU cannot run is never used (KernelLevel ignores it with a
    /// warning), so only the supported ones are tried here.
    @Test(arguments: KernelLevel.supported)
    func theChosenLevelIsTheOneTheKernelsRun(_ level: KernelLevel) throws {
        let result = try runShell("TRAINER_KERNEL_LEVEL=\(level) \"$TRAINER\" --version", in: NSTemporaryDirectory())
        #expect(result.code == 0)
        #expect(result.stderr == "")
        let kernels = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        if level == KernelLevel.detected {
            #expect(kernels == "kernels: \(level) (\(Version.instructions(level)), the best this CPU runs)")
        } else {
            #expect(
                kernels
                    == "kernels: \(level) (\(Version.instructions(level)), set by TRAINER_KERNEL_LEVEL; this CPU runs \(KernelLevel.detected))"
            )
        }
    }

    /// The commit comes from the build: a binary built with TRAINER_COMMIT
    /// set by make names it; the test binary's own build says what it was
    /// given, which is never empty.
    @Test func commitIsNeverEmpty() {
        #expect(!Version.commit.isEmpty)
        #expect(Version.commit.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
    }
}
