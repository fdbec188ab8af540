import Foundation
import Testing
@testable import TrainerKit

/// `trainer plot` with losses and accuracies (one panel each) and
/// `--follow` (issue 18, item 5).
@Suite struct PlotPanelsTests {
    static let log = """
        epoch,loss,accuracy,test_loss,test_accuracy,seconds
        1,2.0,0.25,2.5,0.2,0.1
        2,1.0,0.5,1.5,0.4,0.2
        3,0.5,0.75,1.0,0.7,0.3
        4,0.25,0.875,0.75,0.8,0.4

        """

    @Test func terminalPanels() {
        let directory = TemporaryDirectory()
        let result = runCLI(["plot", directory.write("l.csv", Self.log), "--width", "50", "--height", "24"])
        #expect(result.code == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 24)
        let legends = lines.filter { $0.contains("x: epoch") }
        #expect(legends.count == 2)
        #expect(legends[0].contains("loss") && !legends[0].contains("accuracy"))
        #expect(legends[1].contains("accuracy") && legends[1].contains("test_accuracy"))
        // Each panel's axis spans its own values: 2.5 … 0.25 above, 0.875 … 0.2 below.
        #expect(lines[0].hasPrefix(" 2.5 ┤") || lines[0].contains("2.5 ┤"))
        #expect(lines.contains { $0.contains("0.875 ┤") })
        // Too low for two panels: one chart.
        let low = runCLI(["plot", directory.file("l.csv"), "--height", "10"])
        #expect(low.stdout.split(separator: "\n").filter { $0.contains("x: epoch") }.count == 1)
    }

    @Test func svgPanelsReadBack() throws {
        let directory = TemporaryDirectory()
        let result = runCLI(["plot", directory.write("l.csv", Self.log), "--svg", directory.file("p.svg")])
        #expect(result.code == 0, "\(result.stderr)")
        let (document, series) = try PlotTests.readBack(try #require(directory.read("p.svg")))
        let plots = document.all("g").filter { $0.attributes["class"] == "plot" }
        #expect(plots.count == 2)
        #expect(plots.map { $0.attributes["data-y-max"] } == ["2.5", "1.0"])
        let table = try LossLogTable.parse(Array(Self.log.utf8), file: "x")
        for column in ["loss", "accuracy", "test_loss", "test_accuracy"] { PlotTests.expectClose(series[column], table.points(column)) }
        // The second series of each panel is dashed.
        let dashes = document.all("path").map { $0.attributes["stroke-dasharray"] ?? "" }
        #expect(dashes == ["", "7 4", "", "7 4"])
    }

    /// `--follow` on a pipe: rows that come later are drawn; on a pipe
    /// (not a terminal) once, at the end, as a plain plot of the whole log.
    @Test func followAPipe() throws {
        let directory = TemporaryDirectory()
        directory.write("whole.csv", "epoch,loss,seconds\n1,0.5,0.1\n2,0.25,0.2\n3,0.2,0.3\n")
        let followed = try runShell(
            #"(printf 'epoch,loss,seconds\n1,0.5,0.1\n'; sleep 0.4; printf '2,0.25,0.2\n3,0.2'; sleep 0.3; printf ',0.3\n') | "$TRAINER" plot - --follow"#,
            in: directory.path)
        #expect(followed.code == 0, "\(followed.stderr)")
        let whole = runCLI(["plot", directory.file("whole.csv")])
        #expect(followed.stdout == whole.stdout)
    }

    /// `--follow` on a file with `--svg`: the SVG is rewritten as rows are
    /// appended, until the process is interrupted.
    @Test func followAFileIntoSVG() throws {
        let directory = TemporaryDirectory()
        let log = directory.write("l.csv", "epoch,loss,seconds\n1,0.5,0.1\n2,0.25,0.2\n")
        let plot = try TrainerProcess(["plot", log, "--follow", "--svg", directory.file("p.svg")], in: directory.path)
        // A failed expectation below must not leave it following the file.
        defer { if plot.isRunning { plot.send(SIGKILL) } }
        func xMax() -> String? {
            guard let svg = directory.read("p.svg"), let range = svg.range(of: "data-x-max=\"") else { return nil }
            return String(svg[range.upperBound...].prefix { $0 != "\"" })
        }
        try #require(waitUntil { xMax() == "2.0" }, "the first SVG never came")
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data("3,0.2,0.3\n4,0.1,0.4\n5,0.05,0.5\n".utf8))
        try handle.close()
        #expect(waitUntil { xMax() == "5.0" }, "the appended rows were not drawn: x max \(xMax() ?? "none")")
        plot.send(SIGINT)
        let result = plot.wait()
        #expect(result.signal == SIGINT || result.code == 130, "\(result)")
    }
}
