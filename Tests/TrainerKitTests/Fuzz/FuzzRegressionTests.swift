import Foundation
import Testing
@testable import TrainerKit

/// Replays saved fuzz inputs through the property each fuzz target checks
/// (``FuzzProperty``), without libFuzzer: every file of
/// `Fuzz/Regressions/TARGET/` (inputs that once crashed, and tricky ones kept
/// on purpose) and of the seed corpora `Fuzz/Corpus/TARGET/`.
///
/// A parser that traps on one of these crashes the test process; a broken
/// property (a wrong error kind, a weights file that does not round-trip)
/// is an issue naming the file.
@Suite struct FuzzRegressionTests {
    /// One saved input: the target it belongs to and its path from `Fuzz/`.
    struct Input: CustomTestStringConvertible, Sendable {
        var target: FuzzProperty.Target
        var path: String
        var testDescription: String { path }
    }

    /// The repository's `Fuzz/` folder.
    static let fuzzFolder = repositoryDirectory + "/Fuzz"

    static func inputs(in folder: String) -> [Input] {
        FuzzProperty.Target.allCases.flatMap { target in
            let directory = "\(fuzzFolder)/\(folder)/\(target.rawValue)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().map { Input(target: target, path: "\(folder)/\(target.rawValue)/\($0)") }
        }
    }

    static let regressions = inputs(in: "Regressions")
    static let seeds = inputs(in: "Corpus")

    @Test("every target has regression files and seeds")
    func foldersAreThere() {
        for target in FuzzProperty.Target.allCases {
            #expect(Self.regressions.contains { $0.target == target }, "no files in Fuzz/Regressions/\(target.rawValue)")
            #expect(Self.seeds.contains { $0.target == target }, "no files in Fuzz/Corpus/\(target.rawValue)")
        }
    }

    @Test("regression inputs keep their property", arguments: FuzzRegressionTests.regressions)
    func regression(_ input: Input) throws {
        try replay(input)
    }

    @Test("seed inputs keep their property", arguments: FuzzRegressionTests.seeds)
    func seed(_ input: Input) throws {
        try replay(input)
    }

    private func replay(_ input: Input) throws {
        let data = try #require(FileManager.default.contents(atPath: "\(Self.fuzzFolder)/\(input.path)"), "cannot read \(input.path)")
        let scratch = TemporaryDirectory()
        do {
            try FuzzProperty.check(input.target, Array(data), scratch: scratch.path)
        } catch {
            Issue.record("\(input.path): \(error)")
        }
    }
}
