import Foundation
import Testing

/// Snapshot files: committed text a test's output must equal byte for byte.
///
/// `UPDATE_SNAPSHOTS=1 swift test --filter NAME` rewrites the files from the
/// output instead of comparing (then review them with `git diff`). Without
/// it, a mismatch fails with a line diff of the snapshot (`-`) against the
/// output (`+`) and the command that rewrites it.
enum Snapshot {
    static var updating: Bool {
        let value = ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// Compares `actual` with the file at `path` (or writes it, when updating).
    /// `suite` names the tests to rerun in the message that says how to update.
    static func expect(
        _ actual: String, matches path: String, suite: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if updating {
            do {
                try FileManager.default.createDirectory(
                    atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
                try actual.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("cannot write snapshot \(path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record(
                "no snapshot at \(path); create it with UPDATE_SNAPSHOTS=1 swift test --filter \(suite)",
                sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        guard expected != actual else { return }
        Issue.record(
            """
            output differs from the snapshot \(path) (- snapshot, + output):
            \(diff(expected, actual))
            If the new output is right: UPDATE_SNAPSHOTS=1 swift test --filter \(suite), then review git diff.
            """, sourceLocation: sourceLocation)
    }

    /// A line diff of `old` and `new` (longest common subsequence), showing
    /// changed lines with up to 2 unchanged lines around them; `...` marks
    /// what is left out. Trailing spaces are made visible; a missing final
    /// newline shows as an empty last line removed or added.
    static func diff(_ old: String, _ new: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lengths = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var lines: [(mark: Character, text: String)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && a[i] == b[j] {
                lines.append((" ", a[i]))
                i += 1
                j += 1
            } else if i < a.count && (j == b.count || lengths[i + 1][j] >= lengths[i][j + 1]) {
                lines.append(("-", a[i]))
                i += 1
            } else {
                lines.append(("+", b[j]))
                j += 1
            }
        }
        let changed = lines.indices.filter { lines[$0].mark != " " }
        var shown = Set<Int>()
        for index in changed { shown.formUnion(max(0, index - 2)...min(lines.count - 1, index + 2)) }
        var text: [String] = []
        var previous = -1
        for index in shown.sorted() {
            if index != previous + 1 { text.append("...") }
            let line = lines[index].text
            let visible = line.hasSuffix(" ") ? line + "⏎ (trailing spaces)" : line
            text.append("\(lines[index].mark) \(visible)")
            previous = index
        }
        if previous != lines.count - 1 { text.append("...") }
        return text.joined(separator: "\n")
    }
}
