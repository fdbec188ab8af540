import Foundation
import Testing
@testable import TrainerKit

// Tests of the streaming, parallel CSV loader (docs/performance.md, "CSV
// ingestion"): numbers read straight from bytes are the values `S(text)`
// gives, and a file read in blocks of any size, on any number of threads,
// loads to the same values, line numbers and first error as one read whole.

@Suite struct CSVIngestTests {
    /// Cells covering the fast path's edges (mantissas at 2^24 and 2^53,
    /// powers of ten at 10^10 and 10^22, signs, zeros) and the cells it
    /// leaves to the String path, and text that is no number.
    static let edgeCells = [
        "0", "-0", "+0", "00", "0.0", "-0.0", "0e5", "-0e-5", "1", "-1", "+1", "255", "256", ".5", "5.", "-.5", "+5.",
        "16777215", "16777216", "16777217", "16777218", "9007199254740991", "9007199254740992", "9007199254740993",
        "18446744073709551615", "18446744073709551616", "1234567890123456789", "12345678901234567890",
        "1e10", "1e11", "1e22", "1e23", "1e-10", "1e-11", "1e-22", "1e-23", "1.5e3", "1.5E-3", "2.5e+2", "123.456",
        "0.1", "0.2", "0.3", "3.14159", "0.000001", "1e400", "1e-400", "1e39", "1e-50", "4.9e-324", "1.7976931348623157e308",
        "1.0000000596046447753906251", "0.1000000000000000055511151231257827",
        "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,2", "NA", "nan", "inf", "0x10", " 1", "1 ", "1_000", "--1", "1e5.5",
    ]

    /// Random cells: whole numbers and decimals of 1 to 20 digits with
    /// exponents from -30 to 30, so that both paths are taken often.
    static func randomCells(count: Int, seed: UInt64) -> [String] {
        var random = RandomGenerator(seed: seed)
        return (0..<count).map { _ in
            let digits = Int(random.next() % 20) + 1
            var text = random.next() % 4 == 0 ? "-" : ""
            let point = Int(random.next() % UInt64(digits + 1))
            for i in 0..<digits {
                if i == point, random.next() % 2 == 0 { text += "." }
                text += String(random.next() % 10)
            }
            if random.next() % 3 == 0 { text += "e\(Int(random.next() % 61) - 30)" }
            return text
        }
    }

    /// `DecimalBytes.value` of `text`, as the loader calls it.
    static func fast<S: Scalar>(_ text: String, as: S.Type) -> S? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalBytes.value($0, from: 0, to: $0.count, as: S.self) }
    }

    @Test func fastPathGivesTheValueOfTheText() {
        var taken = 0
        for text in Self.edgeCells + Self.randomCells(count: 20_000, seed: 17) {
            // Independently: the old rule, DecimalSyntax then Double(text) / Float(text).
            let syntax = DecimalSyntax.isNumber(text)
            if let value = Self.fast(text, as: Double.self) {
                taken += 1
                #expect(syntax, "\(text) taken by the fast path but not a number")
                #expect(value.bitPattern == Double(text)!.bitPattern, "\(text): \(value) != \(Double(text)!)")
            }
            if let value = Self.fast(text, as: Float.self) {
                #expect(syntax, "\(text) taken by the fast path but not a number")
                #expect(value.bitPattern == Float(text)!.bitPattern, "\(text): \(value) != \(Float(text)!)")
            }
        }
        #expect(taken > 5_000)  // the fast path is taken, not only skipped
        // The fast path's range, on both sides of its edges.
        #expect(Self.fast("16777215", as: Float.self) == 16_777_215)  // 2^24 - 1
        #expect(Self.fast("16777217", as: Float.self) == nil)
        #expect(Self.fast("1e10", as: Float.self) == 1e10)
        #expect(Self.fast("1e11", as: Float.self) == nil)
        #expect(Self.fast("1e22", as: Double.self) == 1e22)
        #expect(Self.fast("1e23", as: Double.self) == nil)
        #expect(Self.fast("-0", as: Double.self)?.sign == .minus)
    }

    /// A CSV text of `rows` rows of `columns` numbers (a header first), and
    /// the text of each number; `wide` adds numbers of up to 20 digits and
    /// exponents up to ±30 (outside float32's range).
    static func table(rows: Int, columns: Int, seed: UInt64, wide: Bool = true) -> (text: String, values: [[String]]) {
        var random = RandomGenerator(seed: seed)
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        var values: [[String]] = []
        for row in 0..<rows {
            var cells: [String] = []
            for _ in 0..<columns {
                switch random.next() % 8 {
                case 0: cells.append("\(Int(random.next() % 2_000_001) - 1_000_000).\(random.next() % 1000)")
                case 1: cells.append("\"\(random.next() % 100)\"")  // quoted: the String path
                case 2 where wide: cells.append(randomCells(count: 1, seed: random.next()).first!)
                default: cells.append(String(random.next() % 256))
                }
            }
            values.append(cells.map { $0.hasPrefix("\"") ? String($0.dropFirst().dropLast()) : $0 })
            text += cells.joined(separator: ",")
            // Line ends of every kind, and now and then a blank line.
            text += ["\n", "\r\n", "\n", "\r\n\n", "\n\r\n"][row % 5]
        }
        return (text, values)
    }

    static func load(
        _ source: CSVSource, columns: Int, threads: Int, blockSize: Int, as precision: Precision = .float64
    ) throws(TrainerError) -> (values: [[Double]], lines: [Int]) {
        let shape = DataShape(inputSize: columns - 1, outputSize: 1, configFile: "c.json")
        func rows<S: Scalar>(_ data: Dataset<S>) -> (values: [[Double]], lines: [Int]) {
            let values = (0..<data.count).map { row in
                (0..<columns - 1).map { Double(data.inputs[row, $0]) } + [Double(data.targets[row, 0])]
            }
            guard case .lines(_, let lines) = data.locator else { return (values, []) }
            return (values, lines)
        }
        switch precision {
        case .float64:
            let data: Dataset<Double> = try CSVDataLoader.load(
                source, shape: shape, trainingClasses: nil, threads: threads, blockSize: blockSize)
            return rows(data)
        case .float32:
            let data: Dataset<Float> = try CSVDataLoader.load(
                source, shape: shape, trainingClasses: nil, threads: threads, blockSize: blockSize)
            return rows(data)
        }
    }

    /// The lines each data row of `text` starts on, counted independently:
    /// the header is line 1, rows follow, blank lines counted.
    static func dataLines(_ text: String) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var first = true
        for piece in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            defer { line += 1 }
            guard !piece.isEmpty else { continue }
            if first {
                first = false
                continue
            }
            lines.append(line)
        }
        return lines
    }

    @Test(arguments: [(1, 7), (1, 1 << 20), (2, 1 << 16), (3, 40_000), (2, 4_099)])
    func anyBlockSizeAndThreadsLoadTheSameValues(threads: Int, blockSize: Int) throws {
        let directory = TemporaryDirectory()
        let (text, cells) = Self.table(rows: 3_000, columns: 9, seed: 5)
        let file = directory.write("x.csv", text)
        let source = CSVSource(path: "data.train", file: FilePath(path: file, origin: "c.json: data.train.csv"))
        let loaded = try Self.load(source, columns: 9, threads: threads, blockSize: blockSize)
        #expect(loaded.values == cells.map { $0.map { Double($0)! } })
        #expect(loaded.lines == Self.dataLines(text))
        // float32 straight from the text, not through float64.
        let (narrowText, narrowCells) = Self.table(rows: 3_000, columns: 9, seed: 8, wide: false)
        let narrowFile = directory.write("y.csv", narrowText)
        let narrow = CSVSource(path: "data.train", file: FilePath(path: narrowFile, origin: "c.json: data.train.csv"))
        let single = try Self.load(narrow, columns: 9, threads: threads, blockSize: blockSize, as: .float32)
        #expect(single.values == narrowCells.map { $0.map { Double(Float($0)!) } })
    }

    @Test(arguments: [(1, 7), (1, 1 << 20), (2, 1 << 16), (3, 40_000)])
    func theFirstBadCellIsReportedWhateverTheSplit(threads: Int, blockSize: Int) {
        let directory = TemporaryDirectory()
        var (text, _) = Self.table(rows: 3_000, columns: 9, seed: 6)
        // Split on LF bytes: "\r\n" is one Character, which "\n" does not split.
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        // Two bad cells, in different blocks: the first is reported.
        let first = 1_700, second = 2_900
        lines[first - 1] = "1,2,NA,4,5,6,7,8,9"
        lines[second - 1] = "1,x,3,4,5,6,7,8,9"
        text = lines.joined(separator: "\n")
        let file = directory.write("x.csv", text)
        let source = CSVSource(path: "data.train", file: FilePath(path: file, origin: "c.json: data.train.csv"))
        let message = errorLine { () throws(TrainerError) in _ = try Self.load(source, columns: 9, threads: threads, blockSize: blockSize) }
        #expect(message.map(directory.relative) == "trainer: error: x.csv:\(first): column \"c2\": expected a number, found \"NA\"")
    }

    @Test(arguments: [(1, 5), (2, 1 << 16)])
    func raggedRowAndBadQuoteAreReportedWhereTheyAre(threads: Int, blockSize: Int) {
        let directory = TemporaryDirectory()
        let rows = (0..<2_000).map { "\($0),\($0 % 7),1" }
        func error(_ text: String) -> String? {
            let file = directory.write("x.csv", text)
            let source = CSVSource(path: "data.train", file: FilePath(path: file, origin: "c.json: data.train.csv"))
            return errorLine { () throws(TrainerError) in _ = try Self.load(source, columns: 3, threads: threads, blockSize: blockSize) }
                .map(directory.relative)
        }
        var ragged = rows
        ragged[1_500] = "1,2"
        #expect(error("a,b,c\n" + ragged.joined(separator: "\n")) == "trainer: error: x.csv:1502: expected 3 fields, found 2")
        var quoted = rows
        quoted[1_200] = "1,\"2\"x,3"
        #expect(
            error("a,b,c\n" + quoted.joined(separator: "\n"))
                == "trainer: error: x.csv:1202: unexpected character after a closing quote; expected ',' or the end of the line")
        var overflow = rows
        overflow[900] = "1,1e400,3"
        #expect(error("a,b,c\n" + overflow.joined(separator: "\n")) == "trainer: error: x.csv:902: column \"b\": 1e400 overflows float64")
    }

    @Test func labelsAndChosenColumnsStreamAsWhole() throws {
        let directory = TemporaryDirectory()
        let names = ["setosa", "versicolor", "\"virginica\""]
        var text = "a,species,b,c\n"
        for row in 0..<5_000 { text += "\(row % 10),\(names[row % 3]),\(row % 255),\(Double(row) / 4)\n" }
        let file = directory.write("x.csv", text)
        var source = CSVSource(path: "data.train", file: FilePath(path: file, origin: "c.json: data.train.csv"))
        source.label = .name("species")
        source.inputs = [.name("c"), .name("a"), .name("c")]
        let shape = DataShape(inputSize: 3, outputSize: 3, configFile: "c.json")
        for (threads, blockSize) in [(1, 11), (2, 1 << 14), (2, 1 << 20)] {
            let data: Dataset<Double> = try CSVDataLoader.load(
                source, shape: shape, trainingClasses: nil, threads: threads, blockSize: blockSize)
            #expect(data.count == 5_000)
            #expect(data.classNames == ["setosa", "versicolor", "virginica"])
            for row in [0, 1, 2, 2_345, 4_999] {
                #expect(data.inputs.rowArrays[row] == [Double(row) / 4, Double(row % 10), Double(row) / 4])
                #expect(data.labels?[row] == row % 3)
            }
        }
    }
}

extension CSVIngestTests {
    /// Texts mixing plain runs (scanned eight bytes at a time) with quoted
    /// fields and CRs (scanned a byte at a time), cut into chunks of every
    /// size, so that either path picks up where the other stopped.
    @Test func scannerCountsAndCutsAsTheReaderReads() throws {
        var random = RandomGenerator(seed: 3)
        let tokens = ["12", "7", ",", ",", "\n", "\n", "\n\n", "\r\n", "\r", "\"a,\nb\"", "\"\"", "x"]
        for _ in 0..<60 {
            let text = Array((0..<Int(random.next() % 40 + 1)).map { _ in tokens[Int(random.next() % UInt64(tokens.count))] }.joined().utf8)
            var reader = CSVReader(bytes: text, file: "x.csv")
            guard let expected = try? reader.countAll() else { continue }
            for chunkSize in 1...text.count {
                var scanner = CSVScanner()
                var offset = 0
                var pieces: [[UInt8]] = []
                var pieceStart = 0
                while offset < text.count {
                    let end = min(offset + chunkSize, text.count)
                    if let cut = text[offset..<end].withUnsafeBufferPointer({ scanner.scan($0) }), offset + cut > pieceStart {
                        pieces.append(Array(text[pieceStart..<offset + cut]))
                        pieceStart = offset + cut
                    }
                    offset = end
                }
                pieces.append(Array(text[pieceStart...]))
                #expect(scanner.records == expected, "\(String(decoding: text, as: UTF8.self).debugDescription) in chunks of \(chunkSize)")
                // Each piece, read alone, holds whole records: the same count.
                var total = 0
                for piece in pieces {
                    var pieceReader = CSVReader(bytes: piece, file: "x.csv", line: 1, offset: 0)
                    total += (try? pieceReader.countAll()) ?? -1_000
                }
                #expect(total == expected, "\(String(decoding: text, as: UTF8.self).debugDescription) cut in chunks of \(chunkSize)")
            }
        }
    }
}

extension CSVReader {
    /// The records left, or an error.
    fileprivate mutating func countAll() throws(TrainerError) -> Int {
        var fields: [String] = []
        var count = 0
        while try next(into: &fields) != nil { count += 1 }
        return count
    }
}

extension CSVIngestTests {
    /// Whole numbers 0…255 are kept as bytes, the numbers the network gets
    /// unchanged; a later cell that is not one (256, -0, 1.5, a quoted 7)
    /// turns them into numbers wherever it falls among the blocks and pieces.
    @Test(arguments: [(1, 7), (2, 1 << 12), (3, 1 << 16)])
    func smallWholeNumbersAreHeldAsBytes(threads: Int, blockSize: Int) throws {
        let directory = TemporaryDirectory()
        var random = RandomGenerator(seed: 11)
        var rows = (0..<4_000).map { _ in (0..<5).map { _ in String(random.next() % 256) } }
        let shape = DataShape(inputSize: 4, outputSize: 1, configFile: "c.json")
        func load(_ rows: [[String]]) throws -> Dataset<Float> {
            let file = directory.write("x.csv", "a,b,c,d,y\n" + rows.map { $0.joined(separator: ",") }.joined(separator: "\n"))
            let source = CSVSource(path: "data.train", file: FilePath(path: file, origin: "c.json: data.train.csv"))
            return try CSVDataLoader.load(source, shape: shape, trainingClasses: nil, threads: threads, blockSize: blockSize)
        }
        func expectSame(_ data: Dataset<Float>, _ rows: [[String]]) {
            let expected = rows.map { $0.prefix(4).map { Float($0.replacingOccurrences(of: "\"", with: ""))! } }
            #expect(data.inputs.rowArrays == expected)
            // The batches copy the same numbers, bit for bit (-0 included).
            var copied = [Float](repeating: 7, count: 3 * 4)
            copied.withUnsafeMutableBufferPointer { data.copyInputs(of: [3_999, 0, 1_234], columns: 0..<4, to: $0.baseAddress!) }
            let wanted = [3_999, 0, 1_234].flatMap { expected[$0] }
            #expect(copied.map(\.bitPattern) == wanted.map(\.bitPattern))
        }
        let bytes = try load(rows)
        guard case .integers = bytes.inputStorage else {
            Issue.record("whole numbers 0…255 not held as bytes")
            return
        }
        expectSame(bytes, rows)
        // A target of 300 does not matter: only the inputs are bytes.
        rows[17][4] = "300"
        #expect(try load(rows).targets[17, 0] == 300)
        for (row, cell) in [(3_990, "256"), (2_000, "-0"), (1, "1.5"), (3_000, "\"7\"")] {
            var changed = rows
            changed[row][2] = cell
            let values = try load(changed)
            guard case .values = values.inputStorage else {
                Issue.record("\(cell) on row \(row) left the inputs as bytes")
                continue
            }
            expectSame(values, changed)
        }
    }

    /// SmallNumberText against a byte-by-byte reading of its rule, on
    /// random texts cut into chunks of every size up to 20.
    @Test func smallNumberTextFollowsItsRule() {
        var random = RandomGenerator(seed: 12)
        let pieces = ["1", "12", "123", "0", ",", "\n", "\r\n", "-", ".", "a", "\"", "99"]
        for _ in 0..<300 {
            let text = Array((0..<Int(random.next() % 12 + 1)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined().utf8)
            // The rule: digits, commas, CR, LF only, never three digits in a row.
            var run = 0
            var expected = true
            for byte in text {
                let digit = (0x30...0x39).contains(byte)
                run = digit ? run + 1 : 0
                if run >= 3 || !(digit || byte == UInt8(ascii: ",") || byte == 0x0A || byte == 0x0D) { expected = false }
            }
            for chunkSize in 1...20 {
                var check = SmallNumberText()
                for start in stride(from: 0, to: text.count, by: chunkSize) {
                    text[start..<min(start + chunkSize, text.count)].withUnsafeBufferPointer { check.check($0) }
                }
                #expect(check.holds == expected, "\(String(decoding: text, as: UTF8.self).debugDescription) in chunks of \(chunkSize)")
            }
        }
    }
}

extension CSVIngestTests {
    /// A stream cannot be surveyed; once read, its estimate counts the
    /// inputs as the loader holds them: 1,000 samples of 3 byte inputs and a
    /// float64 target, with their line numbers and the epoch's order while
    /// training, 1,000 × (3 + 8 + 8 + 8) = 27,000 bytes ("26 KiB"), not
    /// 1,000 × (3 × 8 + 8 + 8 + 8) = 48,000 (47 KiB).
    @Test func aStreamsByteInputsAreEstimatedAsBytes() throws {
        let directory = TemporaryDirectory()
        directory.write(
            "c.json",
            #"{"network": {"layers": [3, 1]}, "training": {"learning_rate": 0.5, "epochs": 1}, "data": {"train": {"csv": "/dev/stdin"}}}"#)
        directory.write("data.csv", "a,b,c,y\n" + String(repeating: "1,2,255,0.5\n", count: 1_000))
        let result = try TrainerProcess(in: directory.path, shell: #"cat data.csv | "$TRAINER" check c.json"#).wait()
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("data.train 26 KiB (1,000 samples of 3 byte inputs)"), "\(result.stdout)")
    }
}
