import Foundation
import Testing
@testable import TrainerKit

/// README.md and docs/ against the program, so the reference cannot fall
/// behind:
/// - README's command overview (the first fenced block of "## Commands")
///   lists exactly the command table's commands, in its order, each with its
///   usage and summary;
/// - every option of every command is named in docs/commands.md;
/// - every key of `network`, `training`, `data` and `output` in
///   configs/trainer.schema.json has a row `| `KEY` |` in its table of
///   docs/configuration.md, and is named in README's "## Config reference";
/// - the README stays a newcomer's page (at most 300 lines), and every
///   relative link in it and in docs/ leads to a file that exists.
@Suite struct ReadmeTests {
    static func readme() throws -> String {
        try document("README.md")
    }

    /// A file of the repository, by its path from the root.
    static func document(_ path: String) throws -> String {
        try String(contentsOfFile: repositoryDirectory + "/" + path, encoding: .utf8)
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
    /// somewhere in docs/commands.md.
    @Test func commandsDocumentNamesEveryOption() throws {
        let text = try Self.document("docs/commands.md")
        var missing: [String] = []
        for command in Commands.all {
            for option in command.options {
                for name in [option.name] + (option.short.map { [$0] } ?? [])
                where !Self.mentions(name, in: text) {
                    missing.append("\(command.name) \(name)")
                }
            }
        }
        #expect(missing.isEmpty, "options not named in docs/commands.md: \(missing.joined(separator: ", "))")
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
        let table = try #require(
            Self.section("## \(object)", in: try Self.document("docs/configuration.md")), "no ## \(object) in docs/configuration.md")
        let missing = keys.filter { key in !table.contains { $0.hasPrefix("| `\(key)` |") } }
        #expect(missing.isEmpty, "## \(object) in docs/configuration.md has no row | `KEY` | for \(missing)")
        // The README's overview row names the keys a config is made of
        // (the weights-file keys pasted as `network` aside).
        let overview = try #require(Self.section("## Config reference", in: try Self.readme())).joined(separator: "\n")
        let row = try #require(overview.split(separator: "\n").first { $0.hasPrefix("| `\(object)` |") }, "no README row for \(object)")
        let pasted: Set<String> = ["format", "format_version", "metadata"]
        let unnamed = keys.filter { !pasted.contains($0) && !row.contains("`\($0)`") }
        #expect(unnamed.isEmpty, "README's ## Config reference row for \(object) does not name \(unnamed)")
    }

    // MARK: - The shape of the documents

    @Test func readmeIsAtMost300Lines() throws {
        let lines = try Self.readme().split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines <= 300, "README.md has \(lines) lines; move detail to docs/")
    }

    /// Links `[text](path)` and `[text](path#anchor)` that are not URLs must
    /// name a file that exists, relative to the document.
    @Test func relativeLinksLeadToFiles() throws {
        let documents =
            ["README.md"]
            + (try FileManager.default.contentsOfDirectory(atPath: repositoryDirectory + "/docs"))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var broken: [String] = []
        for document in documents {
            let folder = document.contains("/") ? String(document.prefix { $0 != "/" }) + "/" : ""
            // Outside fenced blocks: `a[2][j](1 − a[2][j])` there is no link.
            var inFence = false
            let text = try Self.document(document).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { line in
                    if line.hasPrefix("```") { inFence.toggle() }
                    return !inFence
                }
                .joined(separator: "\n")
            var rest = text[...]
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = String(after[..<close])
                rest = after[close...]
                if target.contains("://") || target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                let path = String(target.prefix { $0 != "#" })
                if !FileManager.default.fileExists(atPath: repositoryDirectory + "/" + folder + path) {
                    broken.append("\(document): \(target)")
                }
            }
        }
        #expect(broken.isEmpty, "links to missing files: \(broken)")
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
