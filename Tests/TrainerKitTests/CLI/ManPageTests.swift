import Foundation
import Testing
@testable import TrainerKit

/// `trainer help --man`, the manual page trainer.1 that `make install` and
/// `make dist` ship. It is generated from the same command table as `--help`;
/// these tests check that the two say the same: every cell of every help page
/// (usage, arguments, options, description, exit status, examples) is in the
/// man page, word for word once troff's escapes are undone and the lines are
/// joined. The command table is the independent source both are read against.
@Suite struct ManPageTests {
    static let page = runCLI(["help", "--man"]).stdout

    /// The page as a reader sees its words: troff escapes undone, requests
    /// and font changes dropped, every run of white space one space.
    static let words: String = {
        var lines: [String] = []
        for line in page.split(separator: "\n") {
            if line.hasPrefix(".") {
                // `.SS "usage"` and `.TH` carry text; the other requests do not.
                if line.hasPrefix(".SS ") { lines.append(String(line.dropFirst(4)).replacing("\"", with: "")) }
                continue
            }
            lines.append(String(line))
        }
        return normalized(unescaped(lines.joined(separator: "\n")))
    }()

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// troff's escapes as this page uses them: `\-`, `\e`, `\&`, `\fB`,
    /// `\fR`, `\(bu` and `\[uXXXX]`.
    static func unescaped(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            rest = rest[rest.index(after: slash)...]
            if rest.hasPrefix("-") {
                result += "-"
                rest = rest.dropFirst()
            } else if rest.hasPrefix("e") {
                result += "\\"
                rest = rest.dropFirst()
            } else if rest.hasPrefix("&") {
                rest = rest.dropFirst()
            } else if rest.hasPrefix("fB") || rest.hasPrefix("fR") {
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("(bu") {
                result += "•"
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("[u"), let close = rest.firstIndex(of: "]"),
                let value = UInt32(rest[rest.index(rest.startIndex, offsetBy: 2)..<close], radix: 16),
                let scalar = Unicode.Scalar(value)
            {
                result.unicodeScalars.append(scalar)
                rest = rest[rest.index(after: close)...]
            } else {
                Issue.record("an escape the test does not know: \\\(rest.prefix(4))")
                break
            }
        }
        return result + rest
    }

    @Test func pageStartsAsAManualPageOfSectionOne() {
        let result = runCLI(["help", "--man"])
        #expect(result.code == 0)
        #expect(result.stderr == "")
        let requests = Self.page.split(separator: "\n").filter { $0.hasPrefix(".SH ") }
        #expect(
            requests == [
                ".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH EXAMPLES",
                ".SH SEE ALSO",
            ])
        #expect(Self.page.contains("\n.TH TRAINER 1 \"\" \"trainer \(CLI.version)\" \"User Commands\"\n"))
        #expect(Self.page.contains("\ntrainer \\- trains multilayer perceptrons by backpropagation\n"))
    }

    /// Every cell of `trainer help COMMAND` is in the man page: the page's
    /// words contain the cell's words.
    @Test(arguments: Commands.all.map(\.name))
    func manPageSaysWhatHelpSays(_ name: String) throws {
        let command = try #require(Commands.all.first { $0.name == name })
        let help = Self.normalized(runCLI(["help", name]).stdout)
        var cells = [command.usage, command.summary.prefix(1).uppercased() + command.summary.dropFirst()]
        cells += command.arguments.flatMap { [$0.name, $0.help] }
        for option in command.options {
            cells.append((option.short.map { "\($0), " } ?? "") + option.name + (option.value.map { " " + $0 } ?? ""))
            cells.append(option.help)
        }
        cells += command.exitStatus.flatMap { [$0.codes, $0.meaning] }
        cells += command.examples.flatMap { [$0.command, $0.meaning] }
        // The description, paragraph by paragraph, and each list item alone.
        for paragraph in command.details.split(separator: "\n\n") {
            for item in paragraph.split(separator: "\n  - ") { cells.append(String(item.drop { $0 == "-" || $0 == " " })) }
        }
        for cell in cells {
            let words = Self.normalized(cell)
            // The help page has the summary in lower case, after the name.
            if words != Self.normalized(command.summary.prefix(1).uppercased() + command.summary.dropFirst()) {
                #expect(help.contains(words), "trainer help \(name) lacks '\(words)'")
            }
            #expect(Self.words.contains(words), "the man page lacks '\(words)' (trainer help \(name))")
        }
    }

    @Test func overviewSectionsAreInTheManPage() {
        for row in Help.overviewExitStatus + Help.environment {
            #expect(Self.words.contains(Self.normalized(row.codes + " " + row.meaning)), "\(row.codes)")
        }
        for example in Help.overviewExamples {
            #expect(Self.words.contains(Self.normalized(example.meaning + " " + example.command)))
        }
    }

    @Test func escapesKeepOptionsAndRequestsSafe() {
        #expect(ManPage.escaped("--epochs N") == "\\-\\-epochs N")
        #expect(ManPage.escaped("'trainer example' lists") == "\\&'trainer example' lists")
        #expect(ManPage.escaped(".json files") == "\\&.json files")
        #expect(ManPage.escaped("a\\b") == "a\\eb")
        #expect(ManPage.escaped("2×4, a·W") == "2\\[u00D7]4, a\\[u00B7]W")
        // No text line of the page starts with a quote, which troff would
        // read as a request.
        #expect(!Self.page.split(separator: "\n").contains { $0.hasPrefix("'") })
    }

    @Test func manWithACommandIsAUsageError() {
        let result = runCLI(["help", "run", "--man"])
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "trainer: error: --man: prints the whole manual; give no COMMAND with it\n")
    }

    /// groff (when installed: Debian's groff-base, which man-db needs) reads
    /// the page with every warning on and says nothing, and renders the
    /// options with ASCII minus signs, as a reader copies them.
    @Test func groffReadsThePageWithoutAWarning() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else {
            skipLoudly("groff is not installed: the man page was not rendered")
            return
        }
        let directory = TemporaryDirectory()
        directory.write("trainer.1", Self.page)
        let lint = try runShell("groff -man -Tutf8 -ww -z trainer.1", in: directory.path)
        #expect(lint.code == 0)
        #expect(lint.stderr == "")
        let rendered = try runShell("groff -man -Tutf8 -rLL=200n -rHY=0 -P-cbou trainer.1", in: directory.path)
        #expect(rendered.code == 0)
        for command in Commands.all {
            #expect(rendered.stdout.contains(command.usage), "\(command.usage)")
            for option in command.options { #expect(rendered.stdout.contains(option.name), "\(option.name)") }
        }
    }
}
