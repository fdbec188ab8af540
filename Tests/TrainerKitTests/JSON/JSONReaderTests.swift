import Foundation
import Testing
@testable import TrainerKit

// Tests of the position-tracking JSON reader (docs/faults.md A3 to A6): the
// JSONTestSuite acceptance sweep, the reported line:column and message of
// each kind of syntax error, the nesting bound, and numbers kept as text.

// MARK: - Helpers

/// What parsing `bytes` gave: the document, or the error with its 1-based
/// line:column (columns count Unicode scalars; a UTF-8 BOM is not counted).
private enum ParseOutcome {
    case parsed(JSONDocument)
    case failed(JSONReader.SyntaxError, line: Int, column: Int)
}

private func parseOutcome(_ bytes: [UInt8], expectObject: Bool) -> ParseOutcome {
    do {
        return .parsed(try JSONReader.parse(bytes, expectObject: expectObject))
    } catch {
        let position = LineIndex(bytes).position(of: error.offset)
        return .failed(error, line: position.line, column: position.column)
    }
}

/// The marker for where an error must be reported; removed before parsing.
private let marker = "⟨here⟩"

/// The text without the marker, and the marker's byte offset, line and
/// column, computed from the text itself (independently of ``LineIndex``):
/// lines split at "\n", the column is 1 + the Unicode scalars before the
/// marker on its line.
private func unmark(_ marked: String) -> (bytes: [UInt8], offset: Int, line: Int, column: Int) {
    guard let range = marked.range(of: marker) else {
        preconditionFailure("no \(marker) in \(marked)")
    }
    let before = marked[..<range.lowerBound]
    let text = before + marked[range.upperBound...]
    let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
    return (Array(text.utf8), before.utf8.count, lines.count, lines.last!.unicodeScalars.count + 1)
}

/// The JSONTestSuite folder, or nil (with an issue recorded) when it is
/// missing or empty: the sweep must not pass by testing nothing.
private func testSuiteFolder(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let folder = jsonTestSuiteDirectory
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder), !names.isEmpty else {
        Issue.record("\(folder) is missing or empty: the JSONTestSuite sweep cannot run", sourceLocation: sourceLocation)
        return nil
    }
    return folder
}

private func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

@Suite struct JSONReaderTests {
    // MARK: - JSONTestSuite

    enum Outcome: String, Sendable { case accepted, rejected }

    /// What our reader does with each implementation-defined (`i_`) file of
    /// JSONTestSuite. docs/json-implementation-defined.md explains each choice;
    /// a test below checks that the document and this table agree.
    static let implementationDefinedOutcomes: [String: Outcome] = [
        // Numbers are kept as literal text; the field that reads one decides
        // whether it fits (see JSONFields.finiteValue), so the reader accepts all.
        "i_number_double_huge_neg_exp.json": .accepted,
        "i_number_huge_exp.json": .accepted,
        "i_number_neg_int_huge_exp.json": .accepted,
        "i_number_pos_double_huge_exp.json": .accepted,
        "i_number_real_neg_overflow.json": .accepted,
        "i_number_real_pos_overflow.json": .accepted,
        "i_number_real_underflow.json": .accepted,
        "i_number_too_big_neg_int.json": .accepted,
        "i_number_too_big_pos_int.json": .accepted,
        "i_number_very_big_negative_int.json": .accepted,
        // Escapes that do not make a valid Unicode scalar (lone or inverted
        // surrogates) are rejected.
        "i_object_key_lone_2nd_surrogate.json": .rejected,
        "i_string_1st_surrogate_but_2nd_missing.json": .rejected,
        "i_string_1st_valid_surrogate_2nd_invalid.json": .rejected,
        "i_string_incomplete_surrogate_and_escape_valid.json": .rejected,
        "i_string_incomplete_surrogate_pair.json": .rejected,
        "i_string_incomplete_surrogates_escape_valid.json": .rejected,
        "i_string_invalid_lonely_surrogate.json": .rejected,
        "i_string_invalid_surrogate.json": .rejected,
        "i_string_inverted_surrogates_U+1D11E.json": .rejected,
        "i_string_lone_second_surrogate.json": .rejected,
        // Invalid UTF-8 (Unicode Table 3-7) is rejected.
        "i_string_UTF-8_invalid_sequence.json": .rejected,
        "i_string_UTF8_surrogate_U+D800.json": .rejected,
        "i_string_invalid_utf-8.json": .rejected,
        "i_string_iso_latin_1.json": .rejected,
        "i_string_lone_utf8_continuation_byte.json": .rejected,
        "i_string_not_in_unicode_range.json": .rejected,
        "i_string_overlong_sequence_2_bytes.json": .rejected,
        "i_string_overlong_sequence_6_bytes.json": .rejected,
        "i_string_overlong_sequence_6_bytes_null.json": .rejected,
        "i_string_truncated-utf-8.json": .rejected,
        // UTF-16, with or without a byte order mark, is rejected ("expected UTF-8").
        "i_string_UTF-16LE_with_BOM.json": .rejected,
        "i_string_utf16BE_no_BOM.json": .rejected,
        "i_string_utf16LE_no_BOM.json": .rejected,
        // Nesting is bounded at 64 levels.
        "i_structure_500_nested_arrays.json": .rejected,
        // A UTF-8 byte order mark at the start is skipped.
        "i_structure_UTF-8_BOM_empty_object.json": .accepted,
    ]

    @Test func jsonTestSuiteAcceptsYRejectsNAndMatchesTheTableForI() throws {
        guard let folder = testSuiteFolder() else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == 318, "JSONTestSuite's test_parsing has 318 files")

        var counts = (y: 0, n: 0, i: 0)
        var implementationDefined: [String: Outcome] = [:]
        for name in names {
            let data = try #require(FileManager.default.contents(atPath: folder + "/" + name), "cannot read \(name)")
            let bytes = [UInt8](data)
            let result = Result { () throws(JSONReader.SyntaxError) in try JSONReader.parse(bytes) }
            switch name.prefix(2) {
            case "y_":
                counts.y += 1
                if case .failure(let error) = result {
                    Issue.record("\(name) must parse, but: \(error.message) at byte \(error.offset)")
                }
            case "n_":
                counts.n += 1
                switch result {
                case .success:
                    Issue.record("\(name) must be rejected, but parsed")
                case .failure(let error):
                    #expect((0...bytes.count).contains(error.offset), "\(name): offset \(error.offset) outside 0...\(bytes.count)")
                    #expect(!error.message.isEmpty, "\(name): empty message")
                }
            case "i_":
                counts.i += 1
                if case .failure(let error) = result {
                    #expect((0...bytes.count).contains(error.offset), "\(name): offset \(error.offset) outside 0...\(bytes.count)")
                }
                implementationDefined[name] = (try? result.get()) != nil ? .accepted : .rejected
            default:
                Issue.record("unexpected file \(name) in test_parsing")
            }
        }
        #expect(counts.y == 95 && counts.n == 188 && counts.i == 35, "y/n/i counts: \(counts)")

        // A change in behaviour on an i_ case must be noticed (and documented).
        for (name, outcome) in implementationDefined.sorted(by: { $0.key < $1.key }) {
            guard let expected = JSONReaderTests.implementationDefinedOutcomes[name] else {
                Issue.record("\(name) (\(outcome)) is not in implementationDefinedOutcomes")
                continue
            }
            #expect(outcome == expected, "\(name): \(outcome), the table says \(expected)")
        }
        for name in JSONReaderTests.implementationDefinedOutcomes.keys where implementationDefined[name] == nil {
            Issue.record("\(name) is in implementationDefinedOutcomes but not in JSONTestSuite")
        }
    }

    /// docs/json-implementation-defined.md lists every i_ case with the same
    /// outcome as the table, as lines such as
    /// "- `i_number_huge_exp.json`: accepted; ...".
    @Test func implementationDefinedDocumentMatchesTheTable() throws {
        let path = repositoryDirectory + "/docs/json-implementation-defined.md"
        let data = try #require(FileManager.default.contents(atPath: path), "\(path) is missing")
        let text = String(decoding: data, as: UTF8.self)
        var documented: [String: Outcome] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("- `i_") {
            let parts = line.dropFirst(3).split(separator: "`", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let rest = parts[1]
            if let outcome = [Outcome.accepted, .rejected].first(where: { rest.hasPrefix(": \($0.rawValue)") }) {
                documented[String(parts[0])] = outcome
            } else {
                Issue.record("cannot read the outcome in: \(line)")
            }
        }
        let table = JSONReaderTests.implementationDefinedOutcomes
        for name in Set(documented.keys).union(table.keys).sorted() {
            #expect(
                documented[name] == table[name],
                "\(name): the document says \(documented[name]?.rawValue ?? "nothing"), the table \(table[name]?.rawValue ?? "nothing")")
        }
    }

    // MARK: - Error positions and messages

    /// A malformed text with the error spot marked by ⟨here⟩, the exact message,
    /// and for some an explicit line:column as well.
    struct PositionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var message: String
        var expectObject = true
        var at: Position? = nil

        struct Position: Sendable, Equatable { var line: Int, column: Int }

        var testDescription: String { name }
    }

    static let positionCases: [PositionCase] = [
        // docs/faults.md A3: the example, on line 2 at column 31.
        PositionCase(
            name: "doubled comma on line 2",
            text: """
                {
                  "network": {"layers": [2, 3,⟨here⟩, 1]},
                  "training": {"learning_rate": 0.5, "epochs": 10}
                }
                """,
            message: "unexpected ','; expected a value", at: .init(line: 2, column: 31)),
        PositionCase(
            name: "unterminated string at the end of the file",
            text: "{\"a\": ⟨here⟩\"abc",
            message: "unterminated string; expected '\"' before the end of the file"),
        PositionCase(
            name: "unterminated string at the end of a line",
            text: "{\n  \"a\": ⟨here⟩\"abc,\n  \"b\": 1\n}\n",
            message: "unterminated string; expected '\"' before the end of the line", at: .init(line: 2, column: 8)),
        PositionCase(
            name: "unclosed { at the end of the file",
            text: "{\"a\": 1⟨here⟩",
            message: "unexpected end of file; expected ',' or '}' (the object opened at 1:1 is not closed)"),
        PositionCase(
            name: "unclosed inner { at the end of the file after a newline",
            text: "{\n  \"a\": {\"b\": 1\n⟨here⟩",
            message: "unexpected end of file; expected ',' or '}' (the object opened at 2:8 is not closed)",
            at: .init(line: 3, column: 1)),
        PositionCase(
            name: "unclosed { after a comma",
            text: "{\"a\": 1,⟨here⟩",
            message: "unexpected end of file; expected a key (the object opened at 1:1 is not closed)"),
        PositionCase(
            name: "unclosed { after a key",
            text: "{\"a\"⟨here⟩",
            message: "unexpected end of file; expected ':' (the object opened at 1:1 is not closed)"),
        PositionCase(
            name: "end of file after a colon",
            text: "{\"a\":⟨here⟩",
            message: "unexpected end of file; expected a value"),
        PositionCase(
            name: "unclosed [ at the end of the file",
            text: "{\"layers\": [2, 3⟨here⟩",
            message: "unexpected end of file; expected ',' or ']' (the array opened at 1:12 is not closed)"),
        PositionCase(
            name: "trailing comma in an array",
            text: "{\"layers\": [2, 3,⟨here⟩]}",
            message: "unexpected ']'; expected a value after ','; trailing commas are not allowed"),
        PositionCase(
            name: "trailing comma in an object",
            text: "{\n  \"a\": 1,\n⟨here⟩}",
            message: "unexpected '}'; expected a key after ','; trailing commas are not allowed", at: .init(line: 3, column: 1)),
        PositionCase(
            name: "// comment",
            text: "{\n  ⟨here⟩// the network\n  \"a\": 1\n}",
            message: "unexpected '/'; expected a key (a string in double quotes) (JSON has no comments)"),
        PositionCase(
            name: "/* */ comment after a value",
            text: "{\"a\": 1 ⟨here⟩/* one */}",
            message: "unexpected '/'; expected ',' or '}' (JSON has no comments)"),
        PositionCase(
            name: "/* */ comment before a value",
            text: "{\"a\": ⟨here⟩/* one */ 1}",
            message: "unexpected '/'; expected a value (JSON has no comments)"),
        PositionCase(
            name: "single-quoted key",
            text: "{⟨here⟩'a': 1}",
            message: "unexpected \"'\"; expected a key (a string in double quotes) (JSON strings take double quotes)"),
        PositionCase(
            name: "single-quoted value",
            text: "{\"a\": ⟨here⟩'sigmoid'}",
            message: "unexpected \"'\"; expected a value (JSON strings take double quotes)"),
        PositionCase(
            name: "NaN",
            text: "{\"a\": ⟨here⟩NaN}",
            message: "unexpected 'NaN'; expected a value (JSON has no NaN or Infinity)"),
        PositionCase(
            name: "Infinity",
            text: "{\"a\": ⟨here⟩Infinity}",
            message: "unexpected 'Infinity'; expected a value (JSON has no NaN or Infinity)"),
        PositionCase(
            name: "-Infinity",
            text: "{\"a\": -⟨here⟩Infinity}",
            message: "unexpected 'Infinity'; expected a digit after '-' (JSON has no NaN or Infinity)"),
        PositionCase(
            name: "+1",
            text: "{\"a\": ⟨here⟩+1}",
            message: "unexpected '+'; expected a value (a JSON number may not start with '+')"),
        PositionCase(
            name: ".5",
            text: "{\"a\": ⟨here⟩.5}",
            message: "unexpected '.'; expected a value (a JSON number needs a digit before '.')"),
        PositionCase(
            name: "05",
            text: "{\"a\": ⟨here⟩05}",
            message: "a number may not have leading zeros"),
        PositionCase(
            name: "-05",
            text: "{\"a\": ⟨here⟩-05}",
            message: "a number may not have leading zeros"),
        PositionCase(
            name: "1.",
            text: "{\"a\": 1.⟨here⟩}",
            message: "unexpected '}'; expected a digit after '.'"),
        PositionCase(
            name: "1e",
            text: "{\"a\": 1e⟨here⟩}",
            message: "unexpected '}'; expected a digit in the exponent"),
        PositionCase(
            name: "a lone -",
            text: "{\"a\": -⟨here⟩}",
            message: "unexpected '}'; expected a digit after '-'"),
        PositionCase(
            name: "True (Python)",
            text: "{\"shuffle\": ⟨here⟩True}",
            message: "unexpected 'True'; expected a value"),
        PositionCase(
            name: "truncated literal",
            text: "{\"shuffle\": ⟨here⟩tru}",
            message: "unexpected 'tru'; expected a value"),
        PositionCase(
            name: "missing colon",
            text: "{\"a\" ⟨here⟩1}",
            message: "unexpected '1'; expected ':' after the key"),
        PositionCase(
            name: "missing comma between members",
            text: "{\"a\": 1\n  ⟨here⟩\"b\": 2}",
            message: "unexpected '\"'; expected ',' or '}'"),
        PositionCase(
            name: "missing comma in an array",
            text: "{\"a\": [1 ⟨here⟩2]}",
            message: "unexpected '2'; expected ',' or ']'"),
        PositionCase(
            name: "trailing garbage after the value",
            text: "{\"a\": 1}\n⟨here⟩x\n",
            message: "unexpected 'x'; expected end of file after the top-level value"),
        PositionCase(
            name: "a second closing brace",
            text: "{\"a\": 1}⟨here⟩}",
            message: "unexpected '}'; expected end of file after the top-level value"),
        PositionCase(
            name: "two top-level objects",
            text: "{\"a\": 1}\n⟨here⟩{\"b\": 2}",
            message: "unexpected '{'; expected end of file after the top-level value"),
        PositionCase(
            name: "top level is an array",
            text: "\n  ⟨here⟩[1, 2]",
            message: "expected a JSON object, found '['"),
        PositionCase(
            name: "top level is a string",
            text: "⟨here⟩\"text\"",
            message: "expected a JSON object, found '\"'"),
        PositionCase(
            name: "top level is a number",
            text: "⟨here⟩42",
            message: "expected a JSON object, found '42'"),
        PositionCase(
            name: "top level is null",
            text: "⟨here⟩null",
            message: "expected a JSON object, found 'null'"),
        PositionCase(
            name: "an array is fine when no object is expected",
            text: "[1, 2⟨here⟩",
            message: "unexpected end of file; expected ',' or ']' (the array opened at 1:1 is not closed)",
            expectObject: false),
        PositionCase(
            name: "empty input",
            text: "⟨here⟩",
            message: "expected a JSON object, found end of file", at: .init(line: 1, column: 1)),
        PositionCase(
            name: "whitespace-only input",
            text: "⟨here⟩  \n\t\r\n   \n",
            message: "expected a JSON object, found end of file", at: .init(line: 1, column: 1)),
        PositionCase(
            name: "empty input, any value",
            text: "⟨here⟩ \n",
            message: "unexpected end of file; expected a value", expectObject: false, at: .init(line: 1, column: 1)),
        PositionCase(
            name: "invalid escape",
            text: "{\"a\": \"x⟨here⟩\\q\"}",
            message: "invalid escape '\\q'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"),
        PositionCase(
            name: "short \\u escape",
            text: "{\"a\": \"⟨here⟩\\u12\"}",
            message: "invalid \\u escape; expected four hexadecimal digits"),
        PositionCase(
            name: "lone high surrogate",
            text: "{\"a\": \"x⟨here⟩\\uD800y\"}",
            message: "lone surrogate \\uD800; expected a pair such as \\uD83D\\uDE00"),
        PositionCase(
            name: "lone low surrogate",
            text: "{\"a\": \"⟨here⟩\\uDC00\"}",
            message: "lone surrogate \\uDC00; expected a pair such as \\uD83D\\uDE00"),
        PositionCase(
            name: "tab inside a string",
            text: "{\"a\": \"x⟨here⟩\ty\"}",
            message: "control character U+0009 in a string; write it as an escape such as \\n or \\u00XX"),
        // Columns count Unicode scalars, not bytes: é is 2 bytes, € 3, 😀 4, and
        // e + U+0301 is one character but two scalars.
        PositionCase(
            name: "multi-byte characters before the error",
            text: "{\"é€😀\": 1,⟨here⟩,}",
            message: "unexpected ','; expected a key (a string in double quotes)", at: .init(line: 1, column: 11)),
        PositionCase(
            name: "combining mark before the error",
            text: "{\n\"cafe\u{301}\": ⟨here⟩x}",
            message: "unexpected 'x'; expected a value", at: .init(line: 2, column: 10)),
        PositionCase(
            name: "a non-ASCII character where a value belongs",
            text: "{\"a\": ⟨here⟩é}",
            message: "unexpected 'é'; expected a value"),
    ]

    @Test(arguments: JSONReaderTests.positionCases)
    func syntaxErrorIsReportedAtTheMarkedSpot(_ testCase: PositionCase) throws {
        let (bytes, offset, line, column) = unmark(testCase.text)
        guard case .failed(let error, let reportedLine, let reportedColumn) = parseOutcome(bytes, expectObject: testCase.expectObject)
        else {
            Issue.record("parsed, but expected: \(testCase.message)")
            return
        }
        #expect(error.message == testCase.message)
        #expect(error.offset == offset, "byte offset")
        #expect(reportedLine == line && reportedColumn == column, "reported \(reportedLine):\(reportedColumn), marked \(line):\(column)")
        if let at = testCase.at {
            #expect(PositionCase.Position(line: reportedLine, column: reportedColumn) == at)
        }
    }

    /// Errors in byte sequences that a Swift string literal cannot hold: invalid
    /// UTF-8, UTF-16, a byte order mark.
    struct ByteCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var message: String
        var line: Int
        var column: Int

        var testDescription: String { name }
    }

    static let byteCases: [ByteCase] = [
        // docs/faults.md A5.
        ByteCase(
            name: "byte 0xFF inside a string",
            bytes: utf8("{\n  \"a\": 1,\n  \"b\":\n  \"xé") + [0xFF] + utf8("\"\n}"),
            message: "invalid UTF-8 byte 0xFF", line: 4, column: 6),
        ByteCase(
            name: "a lone continuation byte",
            bytes: utf8("{\"a\": \"") + [0x81] + utf8("\"}"),
            message: "invalid UTF-8 byte 0x81", line: 1, column: 8),
        ByteCase(
            name: "Latin-1 é (a lead byte without its continuation)",
            bytes: utf8("{\"caf") + [0xE9] + utf8("\": 1}"),
            message: "invalid UTF-8 sequence 0xE9 0x22", line: 1, column: 6),
        ByteCase(
            name: "overlong encoding of '/'",
            bytes: utf8("{\"a\": \"") + [0xC0, 0xAF] + utf8("\"}"),
            message: "invalid UTF-8 byte 0xC0", line: 1, column: 8),
        ByteCase(
            name: "UTF-8-encoded surrogate U+D800",
            bytes: utf8("{\"a\": \"") + [0xED, 0xA0, 0x80] + utf8("\"}"),
            message: "invalid UTF-8 sequence 0xED 0xA0", line: 1, column: 8),
        ByteCase(
            name: "the file ends inside a character",
            bytes: utf8("{\"a\": \"") + [0xE2, 0x82],
            message: "invalid UTF-8: the file ends inside a character", line: 1, column: 8),
        ByteCase(
            name: "invalid byte after the value",
            bytes: utf8("{\"a\": 1}") + [0xFF],
            message: "unexpected byte 0xFF; expected end of file after the top-level value", line: 1, column: 9),
        ByteCase(
            name: "UTF-16LE with a byte order mark",
            bytes: [0xFF, 0xFE] + utf8("{\"a\": 1}").flatMap { [$0, 0] },
            message: "expected UTF-8, found UTF-16 (byte order mark 0xFF 0xFE)", line: 1, column: 1),
        ByteCase(
            name: "UTF-16BE with a byte order mark",
            bytes: [0xFE, 0xFF] + utf8("{\"a\": 1}").flatMap { [0, $0] },
            message: "expected UTF-8, found UTF-16 (byte order mark 0xFE 0xFF)", line: 1, column: 1),
        ByteCase(
            name: "UTF-16LE without a byte order mark",
            bytes: utf8("{\"a\": 1}").flatMap { [$0, 0] },
            message: "expected UTF-8, found a zero byte (is the file UTF-16?)", line: 1, column: 1),
        ByteCase(
            name: "UTF-16BE without a byte order mark",
            bytes: utf8("{\"a\": 1}").flatMap { [0, $0] },
            message: "expected UTF-8, found a zero byte (is the file UTF-16?)", line: 1, column: 1),
        // After a UTF-8 byte order mark, columns do not count the mark.
        ByteCase(
            name: "error after a UTF-8 byte order mark",
            bytes: bom + utf8("{\"a\": 1,}"),
            message: "unexpected '}'; expected a key after ','; trailing commas are not allowed", line: 1, column: 9),
        ByteCase(
            name: "only a UTF-8 byte order mark and whitespace",
            bytes: bom + utf8("\n  "),
            message: "expected a JSON object, found end of file", line: 1, column: 1),
        ByteCase(
            name: "a NUL byte after the value",
            bytes: utf8("{\"a\": 1}") + [0],
            message: "unexpected 'U+0000'; expected end of file after the top-level value", line: 1, column: 9),
    ]

    @Test(arguments: JSONReaderTests.byteCases)
    func byteLevelErrorIsReportedWithItsPosition(_ testCase: ByteCase) {
        guard case .failed(let error, let line, let column) = parseOutcome(testCase.bytes, expectObject: true) else {
            Issue.record("parsed, but expected: \(testCase.message)")
            return
        }
        #expect(error.message == testCase.message)
        #expect(line == testCase.line && column == testCase.column, "reported \(line):\(column)")
        #expect((0...testCase.bytes.count).contains(error.offset))
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let document = try JSONReader.parse(bom + utf8("{\"a\": [1, \"é\"]}"), expectObject: true)
        guard case .object(let members) = document.root.value else {
            Issue.record("not an object: \(document.root.value)")
            return
        }
        #expect(members.map(\.key) == ["a"])
        // The first value after the mark is at 1:1 (offset 3).
        #expect(document.root.offset == 3)
        #expect(document.position(of: document.root.offset) == (1, 1))
        // "é" is at column 12 (after `{"a": [1, `).
        guard case .array(let elements) = members[0].value.value else {
            Issue.record("not an array")
            return
        }
        #expect(document.position(of: elements[1].offset) == (1, 11))
    }

    @Test func valuesKeepTheirPositionsForLaterErrors() throws {
        let text = "{\n  \"training\": {\n    \"epochs\": \"ten\",\n    \"rate\": [1, 2.5]\n  }\n}\n"
        let document = try JSONReader.parse(utf8(text), expectObject: true)
        guard case .object(let top) = document.root.value, case .object(let training) = top[0].value.value else {
            Issue.record("unexpected shape")
            return
        }
        #expect(document.position(of: top[0].keyOffset) == (2, 3))
        #expect(document.position(of: training[0].keyOffset) == (3, 5))
        #expect(document.position(of: training[0].value.offset) == (3, 15))
        guard case .array(let rate) = training[1].value.value else {
            Issue.record("rate is not an array")
            return
        }
        #expect(document.position(of: rate[1].offset) == (4, 17))
    }

    // MARK: - Nesting depth (docs/faults.md A6)

    @Test func oneHundredThousandOpeningBracketsStopAtLevel65() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        guard case .failed(let error, let line, let column) = parseOutcome(bytes, expectObject: false) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
        #expect(line == 1 && column == 65)
    }

    @Test func oneHundredThousandClosedNestedArraysStopAtLevel65() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        guard case .failed(let error, let line, let column) = parseOutcome(bytes, expectObject: false) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
        #expect(line == 1 && column == 65)
    }

    @Test func deeplyNestedObjectsStopAtLevel65() {
        let bytes = Array(String(repeating: "{\"a\":", count: 100_000).utf8)
        guard case .failed(let error, let line, let column) = parseOutcome(bytes, expectObject: true) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
        // The 65th `{` follows 64 copies of `{"a":` (5 characters each).
        #expect(line == 1 && column == 64 * 5 + 1)
    }

    @Test(arguments: [1, 2, 63, 64])
    func nestingUpTo64LevelsIsAccepted(_ depth: Int) throws {
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try JSONReader.parse(utf8(arrays))
        let objects = String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        _ = try JSONReader.parse(utf8(objects), expectObject: true)
    }

    @Test func nesting65LevelsIsRejectedAtTheInnermostOpening() {
        let bytes = utf8(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
        guard case .failed(let error, let line, let column) = parseOutcome(bytes, expectObject: false) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
        #expect(line == 1 && column == 65)
    }

    @Test func mixedNestingCountsArraysAndObjectsTogether() {
        // 32 objects and 33 arrays, alternating: 65 levels.
        var text = ""
        for level in 0..<65 { text += level.isMultiple(of: 2) ? "[" : "{\"k\":" }
        guard case .failed(let error, _, _) = parseOutcome(utf8(text), expectObject: false) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
    }

    // MARK: - Numbers keep their literal text

    @Test(arguments: [
        "1e400", "-1e400", "1e-400", "-0", "0", "0e1", "0E+1", "-0.0e-0", "2.0", "1e2", "99999999999999999999", "0.1", "-1.5E-3",
    ])
    func numberLiteralIsKeptAsWritten(_ literal: String) throws {
        let document = try JSONReader.parse(utf8("[\(literal)]"))
        guard case .array(let elements) = document.root.value, elements.count == 1, case .number(let text) = elements[0].value else {
            Issue.record("not [number]: \(document.root.value)")
            return
        }
        #expect(text == literal)
    }

    @Test func topLevelScalarsParseWhenNoObjectIsExpected() throws {
        for (text, kind) in [("1e400", "a number"), ("\"x\"", "a string"), (" true ", "true"), ("null", "null"), ("{}", "an object")] {
            let document = try JSONReader.parse(utf8(text))
            #expect(document.root.value.kindDescription == kind, "\(text)")
        }
    }

    @Test func stringEscapesDecode() throws {
        let document = try JSONReader.parse(utf8(#"["a\"b\\c\/d\b\f\n\r\t\u00e9\uD83D\uDE00"]"#))
        guard case .array(let elements) = document.root.value, case .string(let value) = elements[0].value else {
            Issue.record("not [string]")
            return
        }
        #expect(value == "a\"b\\c/d\u{8}\u{C}\n\r\té😀")
    }

    @Test func duplicateKeysAreKeptInOrderForTheConfigReaderToRefuse() throws {
        let document = try JSONReader.parse(utf8("{\"a\": 1, \"a\": 2}"), expectObject: true)
        guard case .object(let members) = document.root.value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "a"])
        #expect(members.map(\.keyOffset) == [1, 9])
    }
}
