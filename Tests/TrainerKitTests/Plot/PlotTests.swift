import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing
@testable import TrainerKit

/// `trainer plot`: reading loss logs (also half-written ones), the terminal
/// chart against a snapshot, and the SVG read back through its documented
/// mapping to the CSV's numbers.
@Suite struct PlotTests {
    /// Halving losses, a test_loss missing at epoch 3, and seconds (not plotted by default).
    static let log = """
        epoch,loss,test_loss,seconds
        1,1.0,1.2,0.1
        2,0.5,0.8,0.2
        3,0.25,,0.3
        4,0.125,0.4,0.4
        5,0.0625,0.3,0.5

        """

    // MARK: Reading the log

    @Test func readsColumnsRowsAndEmptyCells() throws {
        let table = try LossLogTable.parse(Array(Self.log.utf8), file: "x.csv")
        #expect(table.columns == ["epoch", "loss", "test_loss", "seconds"])
        #expect(table.rows.count == 5)
        #expect(table.defaultSeries == ["loss", "test_loss"])
        // The empty cell gives epoch 3 no test_loss point.
        #expect(table.points("test_loss").map(\.x) == [1, 2, 4, 5])
        #expect(table.points("loss") == [1.0, 0.5, 0.25, 0.125, 0.0625].enumerated().map { ChartPoint(x: Double($0 + 1), y: $1) })
    }

    /// A log still being written: whatever follows the last newline is left
    /// out, be it half a number or a whole-looking row.
    @Test(arguments: ["5,0.06", "5,", "5", "5,0.0625,0.3,0.5"])
    func ignoresAnIncompleteLastLine(tail: String) throws {
        let complete = "epoch,loss,test_loss,seconds\n1,1.0,1.2,0.1\n2,0.5,0.8,0.2\r\n\n3,0.25,,0.3\n4,0.125,0.4,0.4\n"
        let table = try LossLogTable.parse(Array((complete + tail).utf8), file: "x.csv")
        #expect(table.rows.count == 4)
        #expect(table == (try LossLogTable.parse(Array(complete.utf8), file: "x.csv")))

        // And through the CLI: the same chart as without the partial line.
        let directory = TemporaryDirectory()
        let partial = runCLI(["plot", directory.write("partial.csv", complete + tail)])
        let whole = runCLI(["plot", directory.write("whole.csv", complete)])
        #expect(partial.code == 0, "\(partial.stderr)")
        #expect(partial.stdout == whole.stdout)
    }

    /// Bad logs, each one line naming the file and, for rows, the line.
    @Test(arguments: [
        ("epoch,loss\n1,0.5\n2,abc\n", "x.csv:3: column 'loss': expected a finite number, found 'abc'"),
        ("epoch,loss\n1,0.5\n2,nan\n", "x.csv:3: column 'loss': expected a finite number, found 'nan'"),
        ("epoch,loss\n1,1e999\n", "x.csv:2: column 'loss': expected a finite number, found '1e999'"),
        ("epoch,loss\n1,0.5,7\n", "x.csv:2: expected 2 fields (the header has 2 columns), found 3"),
        ("epoch,loss\n\n,0.5\n", "x.csv:3: column 'epoch' is empty; expected the epoch number"),
        ("Epoch,loss\n1,0.5\n", "x.csv:1: no 'epoch' column (the x axis) in the header Epoch,loss (is 'Epoch' meant to be 'epoch'?)"),
        ("1,0.5\n2,0.4\n", "x.csv:1: expected a header row naming the columns (epoch,loss,...), found numbers: 1,0.5"),
        ("epoch,loss,loss\n", "x.csv:1: column 'loss' appears twice in the header"),
        ("", "x.csv: no header row; expected a loss log such as trainer run writes (epoch,loss,...,seconds)"),
        ("epoch,loss", "x.csv: the header row has no newline yet; expected a loss log such as trainer run writes (epoch,loss,...,seconds)"),
    ])
    func rejectsBadLogs(text: String, message: String) {
        #expect(
            errorLine { () throws(TrainerError) in _ = try LossLogTable.parse(Array(text.utf8), file: "x.csv") } == "trainer: error: "
                + message)
    }

    @Test func badNumberThroughTheCLI() {
        let directory = TemporaryDirectory()
        let path = directory.write("loss.csv", "epoch,loss\n1,0.5\n2,0.4\n3,0.3x\n")
        let result = runCLI(["plot", path])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: \(path):4: column 'loss': expected a finite number, found '0.3x'\n")
        #expect(result.stdout == "")
    }

    // MARK: Choosing columns

    @Test(arguments: [
        (
            ["--columns", "loss,tset_loss"],
            "--columns: no column 'tset_loss' in LOG; did you mean 'test_loss'? (columns: loss, test_loss, seconds)"
        ),
        (["--columns", "accuracy"], "--columns: no column 'accuracy' in LOG (columns: loss, test_loss, seconds)"),
        (["--columns", "epoch"], "--columns: 'epoch' is the x axis; expected a column to plot against it (loss, test_loss, seconds)"),
        (["--columns", "loss,"], "--columns: an empty column name in 'loss,'; expected names such as loss,test_loss"),
        (["--width", "12"], "--width: expected a whole number from 30 to 10000, found 12"),
        (["--height", "x"], "--height: expected a whole number from 6 to 10000, found x"),
        (["--svg", ""], "--svg: expected a file path (or '-' for stdout), found an empty string"),
        (["--colums", "loss"], "--colums: unknown option for 'plot'; did you mean --columns? See 'trainer help plot'."),
    ])
    func rejectsBadOptions(arguments: [String], message: String) {
        let directory = TemporaryDirectory()
        let path = directory.write("loss.csv", Self.log)
        let result = runCLI(["plot", path] + arguments)
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: " + message.replacingOccurrences(of: "LOG", with: path) + "\n")
        #expect(result.stdout == "")
    }

    @Test func columnsChooseAndOrderTheSeries() throws {
        let table = try LossLogTable.parse(Array(Self.log.utf8), file: "x.csv")
        #expect(try table.series(named: "test_loss, loss,test_loss") == ["test_loss", "loss"])
        #expect(try table.series(named: "seconds") == ["seconds"])
        #expect(try table.series(named: nil) == ["loss", "test_loss"])
    }

    @Test func nothingToPlot() {
        let directory = TemporaryDirectory()
        let cases = [
            ("epoch,loss,seconds\n", [String](), "no rows after the header yet; nothing to plot"),
            ("epoch,seconds\n1,0.1\n", [], "no columns to plot besides epoch and seconds; expected loss, accuracy, ..."),
            (
                "epoch,loss,accuracy\n1,0.5,0\n", ["--log-scale", "--columns", "accuracy"],
                "no values > 0 in accuracy; a log scale has no place for the others"
            ),
            ("epoch,loss,test_loss\n1,0.5,\n", ["--columns", "test_loss"], "no values in test_loss; every cell is empty"),
            // Beyond these magnitudes the axis arithmetic would overflow.
            (
                "epoch,loss\n1,0.5\n2,-1e301\n", [],
                "column 'loss': -1e+301 is too large to plot; expected 0 or a magnitude from 1e-300 to 1e300"
            ),
            (
                "epoch,loss\n1,0.5\n2,1e-320\n", [],
                "column 'loss': 1e-320 is too small to plot; expected 0 or a magnitude from 1e-300 to 1e300"
            ),
            (
                "epoch,loss\n1e305,0.5\n", [],
                "column 'epoch': 1e+305 is too large to plot; expected 0 or a magnitude from 1e-300 to 1e300"
            ),
        ]
        for (index, (text, options, message)) in cases.enumerated() {
            let path = directory.write("\(index).csv", text)
            let result = runCLI(["plot", path] + options)
            #expect(result.code == 2)
            #expect(result.stderr == "trainer: error: \(path): \(message)\n")
        }
    }

    // MARK: The terminal chart

    /// The snapshot, checked by eye: loss falls from the top-left corner
    /// (1.2 is test_loss's first value, the largest) to the bottom-right
    /// (0.0625, the smallest); test_loss, dashed (no colour) as its legend
    /// sample shows, joins epochs 2 and 4 across the empty cell; ticks at
    /// epochs 1, 3, 5 and values 1.2, (1.2+0.0625)/2, 0.0625.
    @Test func terminalChartSnapshot() {
        let directory = TemporaryDirectory()
        let result = runCLI(["plot", directory.write("loss.csv", Self.log), "--width", "44", "--height", "10"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(
            result.stdout == """
                   1.2 ┤⠑⠂⢀⡀
                       │⠢⢄ ⠈ ⠢⠄
                       │  ⠉⠢⢄  ⠈⠑ ⠤⠄⢀⡀
                 0.631 ┤     ⠉⠢⢄     ⠈ ⠑⠂⠠⠤ ⡀
                       │        ⠉⠒⠤⢄⣀       ⠈⠁⠐⠒ ⠤⡀⢀⣀
                       │             ⠉⠑⠒⠤⢄⣀⡀          ⠉⠁⠈⠑ ⠒
                0.0625 ┤                   ⠈⠉⠉⠑⠒⠒⠢⠤⠤⠤⠤⠤⣀⣀⣀⣀⣀
                       └┬─────────────────┬────────────────┬
                        1                 3                5
                        x: epoch   ⣀⣀ loss   ⣀⡀ test_loss

                """)
        for line in result.stdout.split(separator: "\n") { #expect(line.count <= 44) }
        #expect(result.stdout.split(separator: "\n").count == 10)
    }

    /// On a log scale halving losses are a straight line, and the middle
    /// tick is the geometric middle (0.25 of 1 and 0.0625).
    @Test func terminalChartLogScale() {
        let directory = TemporaryDirectory()
        let result = runCLI([
            "plot", directory.write("loss.csv", Self.log), "--width", "44", "--height", "10", "--log-scale", "--columns", "loss",
        ])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(
            result.stdout == """
                     1 ┤⠉⠒⠤⢄⡀
                       │    ⠈⠉⠒⠢⢄⣀
                       │          ⠉⠒⠢⢄⣀
                  0.25 ┤               ⠉⠑⠢⠤⣀⡀
                       │                    ⠈⠉⠒⠤⢄⣀
                       │                          ⠉⠑⠢⠤⣀
                0.0625 ┤                               ⠉⠑⠒⠤⣀
                       └┬─────────────────┬────────────────┬
                        1                 3                5
                        x: epoch   ⣀⣀ loss   (y: log scale)

                """)
    }

    /// Values <= 0 have no place on a log scale: left out, with a note.
    @Test func logScaleLeavesOutValuesAtOrBelowZero() {
        let directory = TemporaryDirectory()
        let path = directory.write("loss.csv", "epoch,loss,accuracy\n1,0.5,0\n2,0.4,0\n3,0.3,0.5\n")
        let result = runCLI(["plot", path, "--log-scale"])
        #expect(result.code == 0)
        #expect(result.stderr == "trainer: note: --log-scale leaves out values <= 0: accuracy (2)\n")
        #expect(!result.stdout.isEmpty)
    }

    /// Colour only when stdout is a terminal and NO_COLOR is unset (or empty).
    @Test func colourOnlyOnATerminalWithoutNoColor() {
        let directory = TemporaryDirectory()
        let path = directory.write("loss.csv", Self.log)
        func run(terminal: Bool, environment: [String: String]) -> String {
            let stdout = BufferOutput(), stderr = BufferOutput()
            let context = CommandContext(stdout: stdout, stderr: stderr, stdoutIsTerminal: terminal, environment: environment)
            #expect(CLI.run(["plot", path], context: context) == 0)
            return stdout.text
        }
        let coloured = run(terminal: true, environment: [:])
        #expect(coloured.contains("\u{1B}[34m"))  // loss: blue
        #expect(coloured.contains("\u{1B}[31m"))  // test_loss: red
        #expect(coloured.contains("\u{1B}[0m"))
        #expect(run(terminal: true, environment: ["NO_COLOR": ""]) == coloured)
        let plain = run(terminal: false, environment: [:])
        #expect(!plain.contains("\u{1B}"))
        #expect(run(terminal: true, environment: ["NO_COLOR": "1"]) == plain)
        #expect(run(terminal: true, environment: ["TERM": "dumb"]) == plain)
        // Without colour the second line is dashed, in the legend too.
        #expect(plain.contains("⣀⣀ loss   ⣀⡀ test_loss"))
        // --color always and never win over the terminal test and NO_COLOR.
        func run(_ option: String, terminal: Bool, environment: [String: String]) -> String {
            let stdout = BufferOutput(), stderr = BufferOutput()
            let context = CommandContext(stdout: stdout, stderr: stderr, stdoutIsTerminal: terminal, environment: environment)
            #expect(CLI.run(["plot", path, "--color", option], context: context) == 0)
            return stdout.text
        }
        #expect(run("always", terminal: false, environment: ["NO_COLOR": "1"]) == coloured)
        #expect(run("never", terminal: true, environment: [:]) == plain)
        #expect(run("auto", terminal: true, environment: ["NO_COLOR": "1"]) == plain)
        let bad = runCLI(["plot", path, "--color", "sometimes"])
        #expect(bad.code == 2 && bad.stderr == "trainer: error: --color: expected auto, always or never, found \"sometimes\"\n")
    }

    /// `-` reads stdin (through the binary, whose stdin is a pipe).
    @Test func readsStdin() throws {
        let directory = TemporaryDirectory()
        let fromFile = runCLI(["plot", directory.write("loss.csv", Self.log)])
        // A half-written last line on stdin too.
        let result = try runBinary(["plot", "-"], input: Self.log + "6,0.03")
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout == fromFile.stdout)
        let bad = try runBinary(["plot", "-"], input: "epoch,loss\n1,x\n")
        #expect(bad.code == 2)
        #expect(bad.stderr == "trainer: error: stdin:2: column 'loss': expected a finite number, found 'x'\n")
    }

    // MARK: SVG

    /// The elements of an XML document, in order, with their attributes and text.
    final class XMLElements: NSObject, XMLParserDelegate {
        struct Element {
            var name: String
            var attributes: [String: String]
            var text = ""
        }
        var elements: [Element] = []
        private var open: [Int] = []
        var error: Error?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes))
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

        static func parse(_ text: String) throws -> XMLElements {
            let parser = XMLParser(data: Data(text.utf8))
            let delegate = XMLElements()
            parser.delegate = delegate
            let ok = parser.parse()
            try #require(ok && delegate.error == nil, "not well-formed XML: \(String(describing: parser.parserError))")
            return delegate
        }

        func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    }

    /// The points of a path's `d` (`M x y L x y ...`).
    static func points(_ d: String) throws -> [(x: Double, y: Double)] {
        var tokens = d.split(separator: " ").map(String.init)[...]
        var points: [(x: Double, y: Double)] = []
        while let first = tokens.popFirst() {
            let command = first.first!
            try #require(command == (points.isEmpty ? "M" : "L"))
            let next = tokens.popFirst()
            let second = try #require(next)
            let x = try #require(Double(first.dropFirst())), y = try #require(Double(second))
            points.append((x, y))
        }
        return points
    }

    /// Reads an SVG written by plot and maps every path point back to
    /// (epoch, value) by inverting the documented mapping with the numbers
    /// the file records on <g class="plot">.
    /// Every series read back through the mapping its panel's `<g
    /// class="plot">` records (a path belongs to the group before it).
    static func readBack(_ svg: String) throws -> (document: XMLElements, series: [String: [ChartPoint]]) {
        let document = try XMLElements.parse(svg)
        var series: [String: [ChartPoint]] = [:]
        var map: ((ChartPoint) -> ChartPoint)?
        for element in document.elements {
            if element.name == "g", element.attributes["class"] == "plot" {
                func number(_ key: String) throws -> Double {
                    let text = try #require(element.attributes[key], "\(key)")
                    return try #require(Double(text))
                }
                let (left, top, width, height) = (
                    try number("data-left"), try number("data-top"), try number("data-width"), try number("data-height")
                )
                let (xMin, xMax, yMin, yMax) = (
                    try number("data-x-min"), try number("data-x-max"), try number("data-y-min"), try number("data-y-max")
                )
                let log = element.attributes["data-y-scale"] == "log10"
                let t: (Double) -> Double = log ? { Foundation.log10($0) } : { $0 }
                map = { point in
                    // x = left + (epoch - xMin)/(xMax - xMin)·width; y = top + (t(yMax) - t(v))/(t(yMax) - t(yMin))·height
                    let epoch = xMin + (point.x - left) / width * (xMax - xMin)
                    let position = t(yMax) - (point.y - top) / height * (t(yMax) - t(yMin))
                    return ChartPoint(x: epoch, y: log ? pow(10, position) : position)
                }
            }
            guard element.name == "path" else { continue }
            #expect(element.attributes["class"] == "series")
            let name = try #require(element.attributes["data-column"])
            let mapping = try #require(map, "a path before any <g class=\"plot\">")
            series[name] = try points(element.attributes["d"] ?? "").map { mapping(ChartPoint(x: $0.x, y: $0.y)) }
        }
        return (document, series)
    }

    /// Each read-back point against the CSV's, within 1e-6 relative: the
    /// coordinates are written to 1e-6 px, on an axis a few hundred px long.
    static func expectClose(_ actual: [ChartPoint]?, _ expected: [ChartPoint], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("missing series", sourceLocation: sourceLocation)
            return
        }
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(relativeError(a.x, e.x) <= 1e-6, "epoch \(a.x) vs \(e.x)", sourceLocation: sourceLocation)
            #expect(relativeError(a.y, e.y) <= 1e-6, "value \(a.y) vs \(e.y)", sourceLocation: sourceLocation)
        }
    }

    @Test func svgIsWellFormedWithOnePathPerSeriesThatReadsBack() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("small.loss.csv", Self.log)
        let out = directory.file("charts/new/loss.svg")  // missing folders are created
        let result = runCLI(["plot", path, "--svg", out])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr == "")
        let svg = try #require(directory.read("charts/new/loss.svg"))
        let (document, series) = try Self.readBack(svg)

        let root = try #require(document.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["width"] == "720")
        #expect(root.attributes["viewBox"] == "0 0 720 \(root.attributes["height"]!)")
        #expect(document.all("title").map(\.text) == ["small.loss.csv"])
        #expect(document.all("rect").first?.attributes["fill"] == "white")
        let texts = document.all("text").map(\.text)
        for expected in ["small.loss.csv", "epoch", "value", "loss", "test_loss"] { #expect(texts.contains(expected)) }
        #expect(document.all("path").map { $0.attributes["data-column"] } == ["loss", "test_loss"])

        let table = try LossLogTable.parse(Array(Self.log.utf8), file: "x")
        Self.expectClose(series["loss"], table.points("loss"))
        Self.expectClose(series["test_loss"], table.points("test_loss"))
    }

    @Test func svgLogScaleReadsBack() throws {
        let directory = TemporaryDirectory()
        let text = "epoch,loss,accuracy,seconds\n1,2.5,0.25,1\n2,0.031,0.5,2\n3,0.0004,0.75,3\n4,0.00017,1,4\n"
        let path = directory.write("loss.csv", text)
        let result = runCLI(["plot", path, "--svg", directory.file("out.svg"), "--log-scale"])
        #expect(result.code == 0, "\(result.stderr)")
        let (document, series) = try Self.readBack(try #require(directory.read("out.svg")))
        let plot = try #require(document.all("g").first { $0.attributes["class"] == "plot" })
        #expect(plot.attributes["data-y-scale"] == "log10")
        // Whole decades enclosing 0.00017...2.5.
        #expect(plot.attributes["data-y-min"].flatMap(Double.init) == 1e-4)
        #expect(plot.attributes["data-y-max"].flatMap(Double.init) == 10)
        let table = try LossLogTable.parse(Array(text.utf8), file: "x")
        Self.expectClose(series["loss"], table.points("loss"))
        Self.expectClose(series["accuracy"], table.points("accuracy"))
    }

    /// `--svg -` writes the SVG to stdout; names are escaped for XML.
    @Test func svgToStdoutEscapesNames() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("a&b.csv", "epoch,loss<1>,seconds\n1,0.5,0\n2,0.25,0\n")
        let result = runCLI(["plot", path, "--svg", "-"])
        #expect(result.code == 0, "\(result.stderr)")
        let (document, series) = try Self.readBack(result.stdout)
        #expect(document.all("title").map(\.text) == ["a&b.csv"])
        Self.expectClose(series["loss<1>"], [ChartPoint(x: 1, y: 0.5), ChartPoint(x: 2, y: 0.25)])
    }

    @Test func svgNeverOverwritesTheLog() {
        let directory = TemporaryDirectory()
        let path = directory.write("loss.csv", Self.log)
        let result = runCLI(["plot", path, "--svg", path])
        #expect(result.code == 2)
        #expect(result.stderr == "trainer: error: --svg: same file as the loss log (\(path)); writing it would destroy the log\n")
        #expect(directory.read("loss.csv") == Self.log)
    }

    /// Nice axis ends: round steps, whole steps for epochs.
    @Test func svgAxisTicks() {
        let epochs = SVGChart.linearAxis(1...2000, wholeSteps: true)
        #expect(epochs.ticks == [0, 500, 1000, 1500, 2000])
        #expect(SVGChart.linearAxis(1...3, wholeSteps: true).ticks == [1, 2, 3])
        let losses = SVGChart.linearAxis(0.0002...0.159, wholeSteps: false)
        #expect(losses.labels == ["0", "0.05", "0.10", "0.15", "0.20"])
        #expect(SVGChart.logAxis(0.00017...2.5).labels == ["0.0001", "0.001", "0.01", "0.1", "1", "10"])
    }

    @Test func compactLabels() {
        let cases: [(Double, String)] = [
            (0.6931471805599453, "0.693"), (0.0071234, "0.00712"), (2000, "2000"), (12345.6, "12346"),
            (1.5e-5, "1.5e-5"), (2.5e6, "2.5e6"), (0, "0"), (-0.25, "-0.25"), (1, "1"),
        ]
        for (value, label) in cases { #expect(ChartText.compact(value) == label) }
    }
}
