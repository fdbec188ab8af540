import Foundation
import Testing
@testable import TrainerKit

// Tests of the CSV reader, the number syntax of data files and the CSV data
// loader (docs/configuration.md "data"; docs/faults.md C1-C3, B4, A1). Every expected value is
// read off the CSV text written in the test; every expected message is the
// exact line `trainer` prints, with the temporary folder's prefix removed.

// MARK: - Helpers

/// One record as the reader returns it.
private struct Record: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var description: String { "\(line): \(fields)" }
}

/// Every record of `bytes`, read with the name `data/x.csv`.
private func records(_ bytes: [UInt8]) throws(TrainerError) -> [Record] {
    var reader = CSVReader(bytes: bytes, file: "data/x.csv")
    var fields: [String] = []
    var result: [Record] = []
    while let line = try reader.next(into: &fields) {
        result.append(Record(line: line, fields: fields))
    }
    return result
}

private func records(_ text: String) throws(TrainerError) -> [Record] {
    try records(Array(text.utf8))
}

/// A temporary folder holding one CSV file at `data/x.csv`, and ways to load it.
private struct CSVFixture {
    let directory = TemporaryDirectory()

    /// Writes `text` to `name` and returns a source for it, as the config
    /// decoder would build it for `"data.train": {"csv": ...}`.
    func source(_ text: String, name: String = "data/x.csv", path: String = "data.train") -> CSVSource {
        let file = directory.write(name, text)
        return CSVSource(path: path, file: FilePath(path: file, origin: "c.json: \(path).csv"))
    }

    func load<S: Scalar>(
        _ source: CSVSource, inputs: Int, outputs: Int, classes: [String]? = nil, as: S.Type = S.self
    ) throws(TrainerError) -> Dataset<S> {
        try DataLoader.load(.csv(source), shape: DataShape(inputSize: inputs, outputSize: outputs, configFile: "c.json"), classes: classes)
    }

    /// The error line loading `source` gives, with the temporary folder removed
    /// from paths (`/tmp/trainer-tests-XXXX/data/x.csv` -> `data/x.csv`).
    func error(_ source: CSVSource, inputs: Int, outputs: Int, classes: [String]? = nil, as precision: Precision = .float64) -> String? {
        let line = errorLine { () throws(TrainerError) in
            switch precision {
            case .float64: _ = try load(source, inputs: inputs, outputs: outputs, classes: classes, as: Double.self)
            case .float32: _ = try load(source, inputs: inputs, outputs: outputs, classes: classes, as: Float.self)
            }
        }
        return line.map(directory.relative)
    }
}

extension CSVSource {
    /// The source with some choices set, for the tests below.
    fileprivate func with(
        inputs: [ColumnReference]? = nil, targets: [ColumnReference]? = nil, label: ColumnReference? = nil,
        classes: [String]? = nil, header: Bool? = nil
    ) -> CSVSource {
        var source = self
        source.inputs = inputs ?? source.inputs
        source.targets = targets ?? source.targets
        source.label = label ?? source.label
        source.classes = classes ?? source.classes
        source.header = header ?? source.header
        return source
    }
}

// MARK: - CSVReader

@Suite struct CSVReaderTests {
    @Test func quotedFieldMayHoldCommas() throws {
        #expect(try records("a,\"b,c\",d\n") == [Record(line: 1, fields: ["a", "b,c", "d"])])
    }

    @Test func doubledQuoteIsOneQuote() throws {
        // "say ""hi""" is the 8 characters say "hi" (RFC 4180, 2.7).
        #expect(try records("\"say \"\"hi\"\"\",x\n") == [Record(line: 1, fields: ["say \"hi\"", "x"])])
        // An empty quoted field, and a field that is only a quote.
        #expect(try records("\"\",\"\"\"\"\n") == [Record(line: 1, fields: ["", "\""])])
    }

    @Test func newlineInsideQuotesKeepsTheRecordOnItsFirstLine() throws {
        // Line 1: h1,h2; lines 2-3: one record with a two-line field; line 4: next,3.
        let text = "h1,h2\n\"line one\nline two\",2\nnext,3\n"
        #expect(
            try records(text) == [
                Record(line: 1, fields: ["h1", "h2"]),
                Record(line: 2, fields: ["line one\nline two", "2"]),
                Record(line: 4, fields: ["next", "3"]),
            ])
    }

    @Test func crlfLineEnds() throws {
        // CR LF ends a record and is not part of the last field; inside quotes it is kept.
        #expect(
            try records("a,b\r\n1,2\r\n\"x\r\ny\",3\r\n4,5\r\n") == [
                Record(line: 1, fields: ["a", "b"]),
                Record(line: 2, fields: ["1", "2"]),
                Record(line: 3, fields: ["x\r\ny", "3"]),
                Record(line: 5, fields: ["4", "5"]),
            ])
    }

    @Test func noFinalNewline() throws {
        #expect(try records("a,b\n1,2") == [Record(line: 1, fields: ["a", "b"]), Record(line: 2, fields: ["1", "2"])])
        #expect(try records("\"quoted at the end\"") == [Record(line: 1, fields: ["quoted at the end"])])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        // EF BB BF is the UTF-8 byte order mark; the first field is "a", not "\u{FEFF}a".
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8)
        #expect(try records(bytes) == [Record(line: 1, fields: ["a", "b"]), Record(line: 2, fields: ["1", "2"])])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        // Lines: 1 "a,b", 2 "", 3 "1,2", 4 "\r" (a blank CRLF line), 5 "", 6 "3,4", then a blank line 7.
        #expect(
            try records("a,b\n\n1,2\n\r\n\n3,4\n\n") == [
                Record(line: 1, fields: ["a", "b"]),
                Record(line: 3, fields: ["1", "2"]),
                Record(line: 6, fields: ["3", "4"]),
            ])
        #expect(try records("") == [])
        #expect(try records("\n\r\n\n") == [])
    }

    @Test func emptyFieldsAreKept() throws {
        #expect(
            try records("1,,3\n1,2,\n,\n") == [
                Record(line: 1, fields: ["1", "", "3"]),
                Record(line: 2, fields: ["1", "2", ""]),
                Record(line: 3, fields: ["", ""]),
            ])
    }

    @Test func unterminatedQuoteNamesTheLineItOpensOn() {
        // The quote opens on line 2 and the file ends on line 4.
        #expect(
            errorLine { () throws(TrainerError) in _ = try records("a,b\n1,\"open\nmore\n") }
                == "trainer: error: data/x.csv:2: unterminated quoted field; expected a closing '\"'")
    }

    @Test func characterAfterClosingQuote() {
        #expect(
            errorLine { () throws(TrainerError) in _ = try records("a,b\n\"1\"x,2\n") }
                == "trainer: error: data/x.csv:2: unexpected character after a closing quote; expected ',' or the end of the line")
    }

    @Test func invalidUTF8() {
        // 0xFF never occurs in UTF-8; it is in the second field of line 2.
        let bytes: [UInt8] = Array("a,b\n1,".utf8) + [0xFF] + Array("\n".utf8)
        #expect(
            errorLine { () throws(TrainerError) in _ = try records(bytes) }
                == "trainer: error: data/x.csv:2: invalid UTF-8; expected a UTF-8 text file")
        // A character cut short inside quotes: C3 is the first byte of a two-byte character.
        let quoted: [UInt8] = Array("a\n\"x".utf8) + [0xC3] + Array("\"\n".utf8)
        #expect(
            errorLine { () throws(TrainerError) in _ = try records(quoted) }
                == "trainer: error: data/x.csv:2: invalid UTF-8; expected a UTF-8 text file")
    }

    @Test func nonASCIITextIsKept() throws {
        #expect(try records("café,\"naïve, ja\"\n") == [Record(line: 1, fields: ["café", "naïve, ja"])])
    }
}

// MARK: - DecimalSyntax

@Suite struct DecimalSyntaxTests {
    // A plain decimal (docs/configuration.md, "data"; docs/faults.md C2): a sign,
    // digits with an optional point, an optional exponent.
    @Test(arguments: ["1", "-2.5", "+3", ".5", "5.", "1e-3", "1E+2", "0", "-0", "007", "12345678901234567890", "1e400"])
    func accepted(_ text: String) {
        // (1e400 is well-formed; its overflow is caught when it is converted, see below.)
        #expect(DecimalSyntax.isNumber(text))
    }

    // What Swift's Double() would accept (nan, inf, hex) and what pandas maps to NaN (NA, empty).
    @Test(arguments: [
        "nan", "NaN", "inf", "-inf", "Infinity", "0x1p3", "", " 1", "1 ", "1,5", "e3", "1e", "--1", "NA",
        ".", "+", "-", "1e+", "1.2.3", "1e3.5", "١", "1_000", "0b1",
    ])
    func rejected(_ text: String) {
        #expect(!DecimalSyntax.isNumber(text))
    }
}

// MARK: - Loading

@Suite struct CSVDataLoaderTests {
    @Test func defaultColumnsLastIsTheTarget() throws {
        let fixture = CSVFixture()
        // Header x1,x2,y detected (x1 is not a number); inputs x1,x2, target y.
        let data: Dataset<Double> = try fixture.load(fixture.source("x1,x2,y\n0.1,0.2,1\n0.3,-4e-2,0\n"), inputs: 2, outputs: 1)
        #expect(data.name == "data.train")
        #expect(data.count == 2)
        #expect(data.inputs.rowArrays == [[0.1, 0.2], [0.3, -0.04]])
        #expect(data.targets.rowArrays == [[1], [0]])
        // One output: targets are not classes.
        #expect(data.labels == nil)
        // Samples are placed by line: row 1 is on line 3.
        #expect(data.place(ofSample: 1).hasSuffix("data/x.csv:3"))
    }

    @Test func valuesAreExactlyTheTextsNearestDoubles() throws {
        let fixture = CSVFixture()
        // Each text is also written as a Swift literal, which the compiler
        // rounds to the nearest Double, as reading the text must.
        let data: Dataset<Double> = try fixture.load(
            fixture.source("a,b,c,d,y\n0.1,-2.5e3,1.7976931348623157e308,4.9e-324,.5\n+3,5.,1E+2,-0,1e-3\n"), inputs: 4, outputs: 1)
        // 4.9e-324 is the smallest subnormal, 2^-1074 (its nearest Double).
        let expected: [[Double]] = [[0.1, -2500, 1.7976931348623157e308, .leastNonzeroMagnitude], [3, 5, 100, -0.0]]
        #expect(data.inputs.rowArrays == expected)
        #expect(data.inputs[1, 3].sign == .minus)  // -0 keeps its sign
        #expect(data.targets.rowArrays == [[0.5], [0.001]])
    }

    @Test func noHeaderDetected() throws {
        let fixture = CSVFixture()
        // Every field of the first row is a number, so it is a sample.
        let data: Dataset<Double> = try fixture.load(fixture.source("1,2,3\n4,5,6\n"), inputs: 2, outputs: 1)
        #expect(data.count == 2)
        #expect(data.inputs.rowArrays == [[1, 2], [4, 5]])
        #expect(data.targets.rowArrays == [[3], [6]])
    }

    @Test func classNamesAloneDoNotMakeAHeader() throws {
        let fixture = CSVFixture()
        // No header: the first row has numbers, so it is a sample (2 samples,
        // not 1); its word is in the class column, which holds words anyway.
        let source = fixture.source("5.1,3.5,setosa\n6.2,2.9,versicolor\n").with(label: .index(2))
        let data: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 2)
        #expect(data.count == 2)
        #expect(data.inputs.rowArrays == [[5.1, 3.5], [6.2, 2.9]])
        #expect(data.classNames == ["setosa", "versicolor"])
        // With a header, its names stand over columns of numbers.
        let named = fixture.source("a,b,species\n5.1,3.5,setosa\n6.2,2.9,versicolor\n").with(label: .index(2))
        let withHeader: Dataset<Double> = try fixture.load(named, inputs: 2, outputs: 2)
        #expect(withHeader.count == 2)
        // One row of words and nothing to compare with: a header, so no samples.
        #expect(
            fixture.error(fixture.source("a,b,species\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv: no samples; the file has only a header row")
    }

    /// Issue 15, item 3: a first row mixing numbers and a bad cell was taken
    /// for a header (`0,NA,0` over numbers: 3 samples instead of 4). A row
    /// with a number in it is data, and its bad cell an error on line 1.
    @Test func firstRowWithNumbersAndABadCellIsAnError() throws {
        let fixture = CSVFixture()
        // Column 1 of line 1 is "NA", the same message as on any later line.
        #expect(
            fixture.error(fixture.source("0,NA,0\n0,1,1\n1,0,1\n1,1,0\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: column 1: expected a number, found \"NA\"")
        // The first bad cell by column, whatever the order of the chosen
        // columns (inputs 2, 0, target 1: "b" in column 1 comes first).
        let reordered = fixture.source("1,b,c\n4,5,6\n").with(inputs: [.index(2), .index(0)], targets: [.index(1)])
        #expect(
            fixture.error(reordered, inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: column 1: expected a number, found \"b\"; for a class column use data.train.label")
        // An empty cell beside numbers, and a row of empty cells, are data too.
        #expect(
            fixture.error(fixture.source("1,,3\n4,5,6\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: column 1: expected a number, found \"\"")
        #expect(
            fixture.error(fixture.source(",,\n4,5,6\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: column 0: expected a number, found \"\"")
        // A class column's word does not make the row a header or an error.
        let labelled: Dataset<Double> = try fixture.load(
            fixture.source("0,1,setosa\n1,0,virginica\n").with(label: .index(2)), inputs: 2, outputs: 2)
        #expect(labelled.count == 2)
    }

    /// A row of names is a header, also with an empty name (pandas writes
    /// one over its index column) and with no row after it to compare.
    @Test func rowOfNamesIsAHeader() throws {
        let fixture = CSVFixture()
        let data: Dataset<Double> = try fixture.load(
            fixture.source(",x,y\n0,0.5,1\n1,0.25,0\n").with(inputs: [.name("x")], targets: [.name("y")]), inputs: 1, outputs: 1)
        #expect(data.inputs.rowArrays == [[0.5], [0.25]])
        #expect(data.targets.rowArrays == [[1], [0]])
        // Words that are not numbers in Swift's sense either: still names.
        #expect(
            fixture.error(fixture.source("nan,inf,NA\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv: no samples; the file has only a header row")
    }

    /// Names over a number-like name (`x1,x2,2021`) are data unless the
    /// config says header: true; naming a column then says why.
    @Test func namedColumnWithANumberInTheFirstRow() throws {
        let fixture = CSVFixture()
        let source = fixture.source("x1,x2,2021\n1,2,3\n").with(targets: [.name("2021")])
        #expect(
            fixture.error(source, inputs: 2, outputs: 1)
                == "trainer: error: data.train.targets: column \"2021\" named, but the first row of data/x.csv is not a header: column 2 is a number, 2021 (a header has names only); set data.train.header to true to use it as one"
        )
        let forced: Dataset<Double> = try fixture.load(source.with(header: true), inputs: 2, outputs: 1)
        #expect(forced.inputs.rowArrays == [[1, 2]] && forced.targets.rowArrays == [[3]])
    }

    @Test func headerForcedOn() throws {
        let fixture = CSVFixture()
        // header: true makes the numeric first row a header; its names can be used.
        let source = fixture.source("1,2,3\n4,5,6\n").with(targets: [.name("1")], header: true)
        let data: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 1)
        #expect(data.count == 1)
        #expect(data.inputs.rowArrays == [[5, 6]])
        #expect(data.targets.rowArrays == [[4]])
    }

    @Test func headerForcedOff() throws {
        let fixture = CSVFixture()
        // header: false on numeric data changes nothing ...
        let numeric: Dataset<Double> = try fixture.load(fixture.source("1,2,3\n").with(header: false), inputs: 2, outputs: 1)
        #expect(numeric.inputs.rowArrays == [[1, 2]])
        // ... and on a row of names it makes them data, which are not numbers.
        #expect(
            fixture.error(fixture.source("x1,x2,y\n1,2,3\n").with(header: false), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: column 0: expected a number, found \"x1\"")
    }

    @Test func columnsByName() throws {
        let fixture = CSVFixture()
        // inputs d, b (in that order) and target a; column c is not used.
        let source = fixture.source("a,b,c,d\n1,2,3,4\n5,6,7,8\n").with(inputs: [.name("d"), .name("b")], targets: [.name("a")])
        let data: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 1)
        #expect(data.inputs.rowArrays == [[4, 2], [8, 6]])
        #expect(data.targets.rowArrays == [[1], [5]])
    }

    @Test func columnsByIndex() throws {
        let fixture = CSVFixture()
        // The same choice as columnsByName, by 0-based index, without a header.
        let source = fixture.source("1,2,3,4\n5,6,7,8\n").with(inputs: [.index(3), .index(1)], targets: [.index(0)])
        let data: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 1)
        #expect(data.inputs.rowArrays == [[4, 2], [8, 6]])
        #expect(data.targets.rowArrays == [[1], [5]])
    }

    @Test func onlyInputsOrOnlyTargetsGiven() throws {
        let fixture = CSVFixture()
        let text = "a,b,c,d\n1,2,3,4\n"
        // inputs a,b given: the targets are the other columns, c and d.
        let byInputs: Dataset<Double> = try fixture.load(
            fixture.source(text).with(inputs: [.name("a"), .name("b")]), inputs: 2, outputs: 2)
        #expect(byInputs.inputs.rowArrays == [[1, 2]])
        #expect(byInputs.targets.rowArrays == [[3, 4]])
        // targets a given: the inputs are the other columns, b, c and d.
        let byTargets: Dataset<Double> = try fixture.load(fixture.source(text).with(targets: [.name("a")]), inputs: 3, outputs: 1)
        #expect(byTargets.inputs.rowArrays == [[2, 3, 4]])
        #expect(byTargets.targets.rowArrays == [[1]])
    }

    @Test func integerLabelsAreOneHotOverTheOutputs() throws {
        let fixture = CSVFixture()
        // Labels 2, 0, 1 over 3 outputs; the label column is not an input.
        let source = fixture.source("x,label,z\n0.5,2,1\n0.25,0,2\n0.125,1,3\n").with(label: .name("label"))
        let data: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 3)
        #expect(data.inputs.rowArrays == [[0.5, 1], [0.25, 2], [0.125, 3]])
        #expect(data.targets.rowArrays == [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
        #expect(data.labels == [2, 0, 1])
        #expect(data.classNames == nil)
        // Four outputs: label 2 is still column 2; column 3 stays 0.
        let wider: Dataset<Double> = try fixture.load(source, inputs: 2, outputs: 4)
        #expect(wider.targets.rowArrays[0] == [0, 0, 1, 0])
    }

    @Test func namedLabelsAreSortedClasses() throws {
        let fixture = CSVFixture()
        // Classes sorted: cat 0, dog 1, emu 2.
        let source = fixture.source("x,animal\n1,dog\n2,cat\n3,emu\n4,cat\n").with(label: .name("animal"))
        let data: Dataset<Double> = try fixture.load(source, inputs: 1, outputs: 3)
        #expect(data.classNames == ["cat", "dog", "emu"])
        #expect(data.labels == [1, 0, 2, 0])
        #expect(data.targets.rowArrays == [[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]])
        #expect(data.classCounts == [2, 1, 1])
    }

    /// Labels that all read as numbers sort by value: 0.0 < 1.0 < 2.0 < 10.0
    /// (as text, 10.0 would come before 2.0); 1 and 1.0 are equal values,
    /// ordered by text. One label that is not a number sorts them all as text.
    @Test func numericLabelsSortAsNumbers() throws {
        let fixture = CSVFixture()
        let source = fixture.source("x,y\n1,10.0\n2,2.0\n3,0.0\n4,1.0\n5,2.0\n").with(label: .name("y"))
        let data: Dataset<Double> = try fixture.load(source, inputs: 1, outputs: 4)
        #expect(data.classNames == ["0.0", "1.0", "2.0", "10.0"])
        #expect(data.labels == [3, 2, 0, 1, 2])
        #expect(CSVDataLoader.sortedLabels(["-1.5", "1.0", "1", "1e-3"]) == ["-1.5", "1e-3", "1", "1.0"])
        #expect(CSVDataLoader.sortedLabels(["10.0", "2.0", "n/a"]) == ["10.0", "2.0", "n/a"])
    }

    @Test func explicitClassesSetTheOrder() throws {
        let fixture = CSVFixture()
        // classes emu, dog, cat: emu 0, dog 1, cat 2.
        let source = fixture.source("x,animal\n1,dog\n2,cat\n3,emu\n").with(label: .index(1), classes: ["emu", "dog", "cat"])
        let data: Dataset<Double> = try fixture.load(source, inputs: 1, outputs: 3)
        #expect(data.classNames == ["emu", "dog", "cat"])
        #expect(data.labels == [1, 2, 0])
        // Explicit classes also apply to whole-number labels: "2" is class 0 here.
        let digits = fixture.source("x,y\n1,2\n2,0\n", name: "data/digits.csv").with(label: .name("y"), classes: ["2", "1", "0"])
        let byName: Dataset<Double> = try fixture.load(digits, inputs: 1, outputs: 3)
        #expect(byName.labels == [0, 2])
    }

    @Test func testSetReusesTheTrainingClasses() throws {
        let fixture = CSVFixture()
        let train: Dataset<Double> = try fixture.load(
            fixture.source("x,animal\n1,dog\n2,cat\n3,emu\n").with(label: .name("animal")), inputs: 1, outputs: 3)
        #expect(train.classNames == ["cat", "dog", "emu"])
        // The test set has only emu and dog; with the training classes, emu is
        // still 2 and dog 1 (on its own it would have sorted to dog 0, emu 1).
        let testSource = fixture.source("x,animal\n5,emu\n6,dog\n", name: "data/test.csv", path: "data.test").with(label: .name("animal"))
        let test: Dataset<Double> = try fixture.load(testSource, inputs: 1, outputs: 3, classes: train.classNames)
        #expect(test.classNames == ["cat", "dog", "emu"])
        #expect(test.labels == [2, 1])
        let alone: Dataset<Double> = try fixture.load(testSource, inputs: 1, outputs: 3)
        #expect(alone.labels == [1, 0])
        // A class the training data does not have.
        let unknown = fixture.source("x,animal\n5,yak\n", name: "data/test.csv", path: "data.test").with(label: .name("animal"))
        #expect(
            fixture.error(unknown, inputs: 1, outputs: 3, classes: train.classNames)
                == "trainer: error: data/test.csv:2: column \"animal\": label \"yak\" is not one of the classes (cat, dog, emu)")
    }

    @Test func float32ValuesComeStraightFromTheText() throws {
        let fixture = CSVFixture()
        // 1.0000000596046447753906251 is 1 + 2^-24 + 1e-25: just above the
        // midpoint between the floats 1 and 1 + 2^-23. Read directly it rounds
        // up to 1 + 2^-23; read through Double it would first round to the
        // midpoint 1 + 2^-24 (the 1e-25 is below half a Double ulp, 1.1e-16)
        // and then, ties to even, down to 1.
        let source = fixture.source("x,y\n0.1,1.0000000596046447753906251\n")
        let data: Dataset<Float> = try fixture.load(source, inputs: 1, outputs: 1)
        #expect(data.inputs[0, 0] == Float("0.1")!)
        #expect(data.inputs[0, 0].bitPattern == 0x3DCC_CCCD)  // 0.1 in float32 (IEEE 754 tables)
        #expect(data.targets[0, 0] == 1 + Float.ulpOfOne)
        #expect(Float(Double("1.0000000596046447753906251")!) == 1)  // the double rounding avoided
        // A value that fits a Double but not a Float (docs/faults.md D3).
        #expect(
            fixture.error(fixture.source("x,y\n1e39,1\n"), inputs: 1, outputs: 1, as: .float32)
                == "trainer: error: data/x.csv:2: column \"x\": 1e39 overflows float32")
    }

    @Test func quotedCellsAndCRLFAndBOMLoad() throws {
        let fixture = CSVFixture()
        // A BOM, CRLF ends, a quoted header name with a comma, quoted numbers, no final newline.
        let text = "\u{FEFF}\"x, first\",\"y\"\r\n\"1.5\",2\r\n\r\n3,\"4\""
        let source = fixture.source(text).with(inputs: [.name("x, first")])
        let data: Dataset<Double> = try fixture.load(source, inputs: 1, outputs: 1)
        #expect(data.inputs.rowArrays == [[1.5], [3]])
        #expect(data.targets.rowArrays == [[2], [4]])
        #expect(data.place(ofSample: 1).hasSuffix("data/x.csv:4"))
    }

    // MARK: Iris

    @Test func irisDataSet() throws {
        // data/iris.csv: a copy of ../shared/data/small/iris.csv (150 rows,
        // 50 of each species; see data/iris.LICENSE-NOTE.txt).
        let source = CSVSource(
            path: "data.train", file: FilePath(path: repositoryDirectory + "/data/iris.csv"), label: .name("species"))
        let data: Dataset<Double> = try DataLoader.load(.csv(source), shape: DataShape(inputSize: 4, outputSize: 3, configFile: "c.json"))
        #expect(data.count == 150)
        #expect(data.inputSize == 4)
        #expect(data.classNames == ["setosa", "versicolor", "virginica"])
        #expect(data.classCounts == [50, 50, 50])
        // The first row of the file: 5.1,3.5,1.4,0.2,setosa; the last: 5.9,3.0,5.1,1.8,virginica.
        #expect(data.inputs.row(0) == [5.1, 3.5, 1.4, 0.2])
        #expect(data.targets.row(0) == [1, 0, 0])
        #expect(data.inputs.row(149) == [5.9, 3.0, 5.1, 1.8])
        #expect(data.targets.row(149) == [0, 0, 1])
    }
}

// MARK: - Errors

@Suite struct CSVDataErrorTests {
    @Test func raggedRow() {
        let fixture = CSVFixture()
        // The header has 5 fields; line 3 has 4 (pandas: "Expected 5 fields in line 3, saw 4").
        let source = fixture.source("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n")
        #expect(fixture.error(source, inputs: 4, outputs: 1) == "trainer: error: data/x.csv:3: expected 5 fields, found 4")
        // Too many fields on line 6, after a blank line 3 and a record on lines 4-5
        // whose unused note column holds a line break.
        let longer = fixture.source("a,b,note\n1,2,x\n\n3,4,\"two\nlines\"\n5,6,7,8\n").with(inputs: [.name("a")], targets: [.name("b")])
        #expect(fixture.error(longer, inputs: 1, outputs: 1) == "trainer: error: data/x.csv:6: expected 3 fields, found 4")
    }

    // Cells that are not finite decimals, in column x2 on line 3 (docs/faults.md C2).
    @Test(arguments: [
        ("abc", "expected a number, found \"abc\""),
        ("", "expected a number, found \"\""),
        ("NA", "expected a number, found \"NA\""),
        ("nan", "expected a number, found \"nan\""),
        ("inf", "expected a number, found \"inf\""),
        ("0x1p3", "expected a number, found \"0x1p3\""),
        ("\"1,5\"", "expected a number, found \"1,5\""),
        (" 1", "expected a number, found \" 1\""),
        ("1e400", "1e400 overflows float64"),
        ("1e-400", "1e-400 underflows float64 (rounds to 0)"),
    ])
    func nonNumericCellNamesTheColumn(cell: String, message: String) {
        let fixture = CSVFixture()
        let source = fixture.source("x1,x2,y\n1,2,3\n4,\(cell),6\n")
        #expect(fixture.error(source, inputs: 2, outputs: 1) == "trainer: error: data/x.csv:3: column \"x2\": \(message)")
    }

    @Test func nonNumericCellWithoutHeaderNamesTheIndex() {
        let fixture = CSVFixture()
        // header: false so that the row of numbers and a word is not taken for a header.
        let source = fixture.source("1,2,3\n4,five,6\n").with(header: false)
        #expect(fixture.error(source, inputs: 2, outputs: 1) == "trainer: error: data/x.csv:2: column 1: expected a number, found \"five\"")
    }

    @Test func nonNumericTargetSuggestsLabel() {
        let fixture = CSVFixture()
        let source = fixture.source("x,species\n1,setosa\n")
        #expect(
            fixture.error(source, inputs: 1, outputs: 1)
                == "trainer: error: data/x.csv:2: column \"species\": expected a number, found \"setosa\"; for a class column use data.train.label"
        )
    }

    @Test func labelNotInClasses() {
        let fixture = CSVFixture()
        let source = fixture.source("x,y\n1,a\n2,b\n3,c\n").with(label: .name("y"), classes: ["a", "b"])
        #expect(
            fixture.error(source, inputs: 1, outputs: 2)
                == "trainer: error: data/x.csv:4: column \"y\": label \"c\" is not one of the classes (a, b)")
    }

    @Test func integerLabelTooLarge() {
        let fixture = CSVFixture()
        // Labels must be < 3 for 3 outputs; line 3 has 3.
        let source = fixture.source("x,y\n1,0\n2,3\n").with(label: .name("y"))
        #expect(
            fixture.error(source, inputs: 1, outputs: 3)
                == "trainer: error: data/x.csv:3: column \"y\": label 3 ≥ 3 classes (the output layer has 3 neurons)")
    }

    @Test func tooManyClassesForTheOutputLayer() {
        let fixture = CSVFixture()
        let source = fixture.source("x,y\n1,d\n2,c\n3,b\n4,a\n").with(label: .name("y"))
        #expect(
            fixture.error(source, inputs: 1, outputs: 3)
                == "trainer: error: data.train.label: 4 classes (a, b, c, d), but the output layer has 3 neurons")
    }

    @Test func columnNameNotInHeader() {
        let fixture = CSVFixture()
        let text = "sepal,petal,species\n1,2,a\n"
        // A near miss gets a suggestion; the columns are listed either way.
        #expect(
            fixture.error(fixture.source(text).with(label: .name("spcies")), inputs: 2, outputs: 1)
                == "trainer: error: data.train.label: column \"spcies\" not in the header of data/x.csv; did you mean species? (columns: sepal,petal,species)"
        )
        #expect(
            fixture.error(fixture.source(text).with(inputs: [.name("sepal"), .name("width")]), inputs: 2, outputs: 1)
                == "trainer: error: data.train.inputs[1]: column \"width\" not in the header of data/x.csv (columns: sepal,petal,species)")
    }

    @Test func duplicateColumnName() {
        let fixture = CSVFixture()
        #expect(
            fixture.error(fixture.source("a,b,a\n1,2,3\n").with(targets: [.name("a")]), inputs: 1, outputs: 1)
                == "trainer: error: data.train.targets: column \"a\" appears 2 times in the header of data/x.csv")
    }

    @Test func columnIndexOutOfRange() {
        let fixture = CSVFixture()
        #expect(
            fixture.error(fixture.source("1,2,3\n").with(targets: [.index(3)]), inputs: 2, outputs: 1)
                == "trainer: error: data.train.targets: column 3 is not in data/x.csv, which has 3 columns (0 to 2)")
    }

    @Test func namesWithoutHeader() {
        let fixture = CSVFixture()
        #expect(
            fixture.error(fixture.source("1,2,3\n").with(label: .name("y")), inputs: 2, outputs: 3)
                == "trainer: error: data.train.label: column \"y\" named, but data/x.csv has no header row; use 0-based indices")
    }

    @Test func emptyFile() {
        let fixture = CSVFixture()
        #expect(fixture.error(fixture.source(""), inputs: 1, outputs: 1) == "trainer: error: data/x.csv: no samples; the file is empty")
        // Only blank lines (and a BOM) is empty too.
        #expect(
            fixture.error(fixture.source("\u{FEFF}\n\r\n\n"), inputs: 1, outputs: 1)
                == "trainer: error: data/x.csv: no samples; the file is empty")
    }

    @Test func headerOnly() {
        let fixture = CSVFixture()
        #expect(
            fixture.error(fixture.source("x,y\n\n"), inputs: 1, outputs: 1)
                == "trainer: error: data/x.csv: no samples; the file has only a header row")
    }

    @Test func inputColumnsDoNotMatchTheNetwork() {
        let fixture = CSVFixture()
        // Three columns before the last, but layers[0] is 2 (docs/faults.md B4).
        #expect(
            fixture.error(fixture.source("a,b,c,y\n1,2,3,4\n"), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: 3 input columns, but network.layers[0] is 2; choose columns with data.train.inputs")
    }

    @Test func targetColumnsDoNotMatchTheOutputLayer() {
        let fixture = CSVFixture()
        #expect(
            fixture.error(fixture.source("a,b,c,d\n1,2,3,4\n").with(inputs: [.index(0), .index(1)]), inputs: 2, outputs: 1)
                == "trainer: error: data/x.csv:1: 2 target columns, but the output layer has 1 neuron; choose columns with data.train.targets, or a class column with data.train.label"
        )
    }
}

// MARK: - Never a trap

@Suite struct CSVPrefixTests {
    @Test func everyPrefixLoadsOrIsReported() throws {
        // The fuzz property of docs/testing.md ("Fuzzing") on a small scale: every prefix of a file
        // with a BOM, CRLF, quotes, a quoted line break and two-byte
        // characters (cut inside them too) loads or throws a placed error.
        let fixture = CSVFixture()
        let text = "\u{FEFF}x,\"note\",y\r\n1.5,\"a, \"\"b\"\"\",café\r\n-2e-1,\"two\r\nlines\",thé\n3,,café"
        let bytes = Array(text.utf8)
        var loaded = 0
        for length in 0...bytes.count {
            let path = fixture.directory.write("data/x.csv", bytes: Array(bytes[..<length]))
            let source = CSVSource(path: "data.train", file: FilePath(path: path), inputs: [.name("x")], label: .name("y"))
            do {
                let data: Dataset<Double> = try DataLoader.load(
                    .csv(source), shape: DataShape(inputSize: 1, outputSize: 2, configFile: "c.json"))
                #expect(data.count >= 1)
                loaded += 1
            } catch {
                #expect(error.description.hasPrefix("trainer: error: "), "\(error)")
                #expect(!error.place.isEmpty, "prefix of \(length) bytes: \(error)")
            }
        }
        // The whole file loads (3 samples, classes café and thé).
        #expect(loaded > 0)
        let whole: Dataset<Double> = try DataLoader.load(
            .csv(
                CSVSource(
                    path: "data.train", file: FilePath(path: fixture.directory.write("data/x.csv", text)), inputs: [.name("x")],
                    label: .name("y"))),
            shape: DataShape(inputSize: 1, outputSize: 2, configFile: "c.json"))
        #expect(whole.inputs.rowArrays == [[1.5], [-0.2], [3]])
        #expect(whole.classNames == ["café", "thé"])
        #expect(whole.labels == [0, 1, 0])
    }
}

// MARK: - Through the command line

@Suite struct CSVCommandLineTests {
    /// A config in `cfg/c.json` whose training data is `csv` (relative to `cfg/`).
    private func config(in directory: TemporaryDirectory, csv: String) -> String {
        directory.write(
            "cfg/c.json",
            """
            {
              "network": {"layers": [2, 1]},
              "training": {"learning_rate": 0.5, "epochs": 1},
              "data": {"train": {"csv": "\(csv)"}}
            }
            """)
    }

    @Test func relativePathResolvesAgainstTheConfigFolder() {
        let directory = TemporaryDirectory()
        directory.write("data/x.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n")
        // ../data/x.csv exists only relative to cfg/, not to the working directory.
        let result = runCLI(["check", config(in: directory, csv: "../data/x.csv")])
        expectNoCrash(result)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout.contains("data.train: 3 samples, 2 inputs, 1 target\n"), "\(result.stdout)")
    }

    @Test func missingFileNamesTheResolvedPathAndTheKey() {
        let directory = TemporaryDirectory()
        let result = runCLI(["check", config(in: directory, csv: "../data/missing.csv")])
        expectNoCrash(result)
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(
            directory.relative(result.stderr)
                == "trainer: error: data/missing.csv (from cfg/c.json: data.train.csv): No such file or directory\n")
    }

    @Test func dataErrorThroughTheCommandLine() {
        let directory = TemporaryDirectory()
        directory.write("data/x.csv", "a,b,y\n0,0,0\n0,1\n")
        let configFile = config(in: directory, csv: "../data/x.csv")
        let before = directory.listing()
        let result = runCLI(["check", configFile])
        expectNoCrash(result)
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(directory.relative(result.stderr) == "trainer: error: data/x.csv:3: expected 3 fields, found 2\n")
        #expect(directory.listing() == before)
    }
}
