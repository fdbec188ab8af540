import Foundation
import Testing
@testable import TrainerKit

/// ``CSVRowStream`` reads a stream in pieces cut by ``CSVScanner``; whatever
/// the cuts, it must give the records, line numbers and errors of
/// ``CSVReader`` reading the whole text at once (the expected values here
/// are that reader's), and the scanner must count the records the reader
/// finds.
@Suite struct CSVRowStreamTests {
    /// Texts that put every rule of the reader at a cut: a byte order mark,
    /// CRLF, lone CRs, blank lines, quoted fields with commas, quotes and
    /// line ends, no final newline, a quote inside an unquoted field, and
    /// errors on a later line.
    static let texts: [[UInt8]] =
        [
            "a,b\n1,2\n",
            "\u{FEFF}x,y\r\n1,2\r\n\r\n3,4",
            "1,\"two\nlines\",3\n4,\"say \"\"hi\"\"\",6\n7,8,9\n",
            "1,2\r3,4\r\r5,6\n\r\n7,8\r",
            "\n\n1,2\n\r\n\n3,4\n\n",
            "a\"b,c\n\"\",\"\"\n",
            "1,2\n3,\"4\"x\n5,6\n",
            "1,2\n3,4\n\"unterminated\n5\n",
            "\u{FEFF}\n1\n",
        ].map { Array($0.utf8) } + [[0x31, 0x2C, 0x32, 0x0A, 0x31, 0x2C, 0xFF, 0x0A, 0x33, 0x0A]]

    /// Records as `line: fields`, then the error line if reading stopped at one.
    static func readWhole(_ bytes: [UInt8]) -> [String] {
        var reader = CSVReader(bytes: bytes, file: "x.csv")
        var fields: [String] = []
        var out: [String] = []
        do {
            while let line = try reader.next(into: &fields) { out.append("\(line): \(fields)") }
        } catch {
            out.append(error.description)
        }
        return out
    }

    static func readStream(_ bytes: [UInt8], chunkSize: Int, directory: TemporaryDirectory) throws -> [String] {
        let path = directory.write("x.csv", bytes: bytes)
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        let stream = CSVRowStream(descriptor: descriptor, file: "x.csv", chunkSize: chunkSize)
        var fields: [String] = []
        var out: [String] = []
        do {
            while let line = try stream.next(into: &fields) { out.append("\(line): \(fields)") }
        } catch {
            out.append(error.description)
        }
        return out
    }

    @Test("every chunk size gives the records, lines and errors of reading the whole text")
    func piecesReadAsTheWhole() throws {
        let directory = TemporaryDirectory()
        for text in Self.texts {
            let expected = Self.readWhole(text)
            for chunkSize in 1...text.count + 1 {
                let streamed = try Self.readStream(text, chunkSize: chunkSize, directory: directory)
                #expect(streamed == expected, "chunks of \(chunkSize) of \(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
    }

    @Test("the scanner counts the records the reader reads, in any chunks")
    func scannerCountsRecords() {
        for text in Self.texts {
            let whole = Self.readWhole(text)
            guard !whole.contains(where: { $0.hasPrefix("trainer: error:") }) else { continue }
            #expect(CSVScanner.countRecords(text) == whole.count, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            for chunkSize in 1...max(text.count, 1) {
                var scanner = CSVScanner()
                let start = text.starts(with: CSVReader.byteOrderMark) ? 3 : 0
                var offset = start
                while offset < text.count {
                    let end = min(offset + chunkSize, text.count)
                    text[offset..<end].withUnsafeBufferPointer { _ = scanner.scan($0) }
                    offset = end
                }
                #expect(scanner.records == whole.count, "chunks of \(chunkSize)")
            }
        }
    }

    /// /dev/zero: NUL bytes and never a line end. (predict reads at most
    /// 256 MiB without one; 1 MiB here, for a debug build's speed.)
    @Test("a stream with no line end within the cap is refused, naming the line it starts on")
    func endlessRecordIsRefused() throws {
        let descriptor = open("/dev/zero", O_RDONLY)
        try #require(descriptor >= 0)
        let stream = CSVRowStream(descriptor: descriptor, file: "/dev/zero", maximumRecordSize: 1 << 20)
        var fields: [String] = []
        let line = errorLine { () throws(TrainerError) in _ = try stream.next(into: &fields) }
        #expect(line == "trainer: error: /dev/zero:1: no end of line in 1.0 MiB; expected rows of CSV")

        // After two rows: the third line is named, and the rows come first.
        let directory = TemporaryDirectory()
        let path = directory.write("x.csv", "1,2\n3,4\n" + String(repeating: "5", count: 2 << 20))
        let file = open(path, O_RDONLY)
        try #require(file >= 0)
        let rows = CSVRowStream(descriptor: file, file: "x.csv", maximumRecordSize: 1 << 20)
        #expect(try rows.next(into: &fields) == 1 && fields == ["1", "2"])
        #expect(try rows.next(into: &fields) == 2 && fields == ["3", "4"])
        let third = errorLine { () throws(TrainerError) in _ = try rows.next(into: &fields) }
        #expect(third == "trainer: error: x.csv:3: no end of line in 1.0 MiB; expected rows of CSV")
    }
}
