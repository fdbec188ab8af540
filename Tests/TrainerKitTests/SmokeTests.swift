import Foundation
import Testing
@testable import TrainerKit

@Test func builtInXORExampleLearns() throws {
    let directory = TemporaryDirectory()
    let result = try runBinary(["run", "--example", "xor", "--quiet"], in: directory.path)
    #expect(result.code == 0, "\(result.stderr)")
    #expect(result.stderr == "")
    #expect(directory.exists("out/xor.weights.json"))
}
