import Foundation
import Testing
@testable import TrainerKit

/// README.md against the program, so the reference cannot fall behind:
/// - the command overview (the first fenced block of "## Commands") lists
///   exactly the command table's commands, in its order, each with its usage
///   and summary;
/// - every option of every command is named in "## Commands";
/// - every key of `network`, `training`, `data` and `output` in
///   configs/trainer.schema.json has a row `| `KEY` |` in its table of
///   "## Config reference".
@Suite struct ReadmeTests {
    static func readme() throws -> String {
        try String(contentsOfFile: repositoryDirectory + "/README.md", encoding: .utf8)
    }

    /// The lines of the section under `heading` (`## Commands`), up to the
    /// next heading of the same or a higher level; subsections included.
    static func section(_ heading: String, in text: String) -> [String]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let level = heading.prefix { $0 == "#" }.count
        var inFence = false
        var start: Int?
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("```") { inFence.toggle() }
            if inFence { continue }
            if start == nil {
                if line == heading { start = index + 1 }
                continue
            }
            let hashes = line.prefix { $0 == "#" }.count
            if hashes > 0 && hashes <= level && line.dropFirst(hashes).hasPrefix(" ") {
                return Array(lines[start!..<index])
            }
        }
        return start.map { Array(lines[$0...]) }
    }

    /// The lines inside the first fenced block of `lines`.
    static func firstFence(in lines: [String]) -> [String]? {
        guard let open = lines.firstIndex(where: { $0.hasPrefix("```") }),
            let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
        else { return nil }
        return Array(lines[(open + 1)..<close])
    }

    /// The overview block as it should read: usage, then the summary.
    static var expectedOverview: [String] {
        let usages = Commands.all.map { $0.name == "help" ? $0.usage + " | --help | --version" : $0.usage }
        let width = usages.map(\.count).max()! + 2
        return zip(usages, Commands.all).map { usage, command in
            usage.padding(toLength: width, withPad: " ", startingAt: 0) + command.summary
        }
    }

    // MARK: - Commands

    @Test func commandOverviewIsTheCommandTable() throws {
        let commands = try #require(Self.section("## Commands", in: try Self.readme()), "no ## Commands in README.md")
        let block = try #require(Self.firstFence(in: commands), "no fenced block in ## Commands").filter { !$0.isEmpty }
        let hint = "README.md's ## Commands block should read:\n" + Self.expectedOverview.joined(separator: "\n")

        // Each line: `trainer NAME ...`, two or more spaces, the summary.
        var names: [String] = []
        for line in block {
            guard line.hasPrefix("trainer "), let gap = line.range(of: "  ") else {
                Issue.record("not 'trainer COMMAND ...  summary': \(line)\n\(hint)")
                continue
            }
            let usage = String(line[..<gap.lowerBound])
            let summary = line[gap.upperBound...].trimmingCharacters(in: .whitespaces)
            let name = String(usage.split(separator: " ")[1])
            names.append(name)
            guard let command = Commands.all.first(where: { $0.name == name }) else {
                Issue.record("README lists '\(name)', which is no command\n\(hint)")
                continue
            }
            #expect(summary == command.summary, "\(name): README says '\(summary)'\n\(hint)")
            #expect(
                usage == command.usage || usage.hasPrefix(command.usage + " | "),
                "\(name): README's usage '\(usage)' is not '\(command.usage)'\n\(hint)")
        }
        #expect(names == Commands.all.map(\.name), "README lists \(names)\n\(hint)")
    }

    /// Each option is written in backquotes (`--log PATH`, `--quiet`, `-q`)
    /// somewhere in "## Commands" or its subsections.
    @Test func commandsSectionNamesEveryOption() throws {
        let text = try #require(Self.section("## Commands", in: try Self.readme())).joined(separator: "\n")
        var missing: [String] = []
        for command in Commands.all {
            for option in command.options {
                for name in [option.name] + (option.short.map { [$0] } ?? [])
                where !Self.mentions(name, in: text) {
                    missing.append("\(command.name) \(name)")
                }
            }
        }
        #expect(missing.isEmpty, "options not named in README.md's ## Commands: \(missing.joined(separator: ", "))")
    }

    /// "`--log" followed by a space, "`" or "=" (so that `--log-scale` does
    /// not count as `--log`).
    static func mentions(_ option: String, in text: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: "`" + option, range: searchRange) {
            if found.upperBound == text.endIndex || " `=".contains(text[found.upperBound]) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    @Test func mentionsTellsOptionsApart() {
        #expect(Self.mentions("--log", in: "| `--log PATH` |"))
        #expect(Self.mentions("--quiet", in: "`--quiet`, `-q`"))
        #expect(Self.mentions("-q", in: "`--quiet`, `-q`"))
        #expect(!Self.mentions("--log", in: "| `--log-scale` |"))
        #expect(!Self.mentions("--log", in: "--log PATH"))
    }

    // MARK: - Config reference

    @Test(arguments: ["network", "training", "data", "output"])
    func configReferenceHasARowForEverySchemaKey(_ object: String) throws {
        let schema = try JSONTree.parseFile(repositoryDirectory + "/configs/trainer.schema.json")
        let properties = try #require(JSONTree.value(schema, at: ["properties", object, "properties"]))
        let keys = JSONTree.keys(properties)
        #expect(!keys.isEmpty)
        let reference = try #require(Self.section("## Config reference", in: try Self.readme()))
        let table = try #require(
            Self.section("### \(object)", in: reference.joined(separator: "\n")), "no ### \(object) in ## Config reference")
        let missing = keys.filter { key in !table.contains { $0.hasPrefix("| `\(key)` |") } }
        #expect(missing.isEmpty, "### \(object) in README.md's ## Config reference has no row | `KEY` | for \(missing)")
    }

    // MARK: - The helpers

    @Test func sectionsEndAtTheNextHeadingOfTheirLevel() {
        let text = "# t\n## A\na\n### A1\nb\n```\n## not a heading\n```\n## B\nc"
        #expect(Self.section("## A", in: text) == ["a", "### A1", "b", "```", "## not a heading", "```"])
        #expect(Self.section("### A1", in: text) == ["b", "```", "## not a heading", "```"])
        #expect(Self.section("## B", in: text) == ["c"])
        #expect(Self.section("## C", in: text) == nil)
    }
}
