import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md A1-A12: the config file. Config/ConfigErrorTests.swift holds the
// full tables with exact messages; each case here runs representative inputs
// through `trainer run` and checks the harness assertions (one line, the
// place, exit 2, stdout empty, the folder and the previous weights file
// untouched, no trap).

/// Writes `marked` (with `⟨here⟩` where the error is) as `c.json` and expects
/// `run` to reject it with `c.json:{line}:{column}: message`.
func expectRejectedAtSpot(_ marked: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let directory = TemporaryDirectory()
    let (text, position) = markedSpot(marked)
    let config = directory.faultConfig(text)
    try expectBadInput(
        ["run", config, "--quiet"], in: directory, "trainer: error: $DIR/c.json:\(position ?? ""): \(message)\n",
        sourceLocation: sourceLocation)
}

/// Writes `text` as `c.json` and expects `command` to reject it with exactly `line`.
func expectRejectedConfig(
    _ text: String, _ line: String, command: String = "run", sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let directory = TemporaryDirectory()
    let config = directory.faultConfig(text)
    let arguments = command == "run" ? ["run", config, "--quiet"] : [command, config]
    try expectBadInput(arguments, in: directory, line + "\n", sourceLocation: sourceLocation)
}

/// Writes `text` as `c.json` and expects `check` to accept it.
func expectAcceptedConfig(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = TemporaryDirectory()
    let config = directory.faultConfig(text)
    let result = runCLI(["check", config])
    #expect(result.code == 0, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout.hasSuffix("ok\n"), sourceLocation: sourceLocation)
}

extension FaultTests {
    @Suite("A. Config JSON") struct ConfigJSON {
        typealias C = FaultConfig

        @Test("A1: config or data missing, a directory, or unreadable; a relative data path")
        func a1() throws {
            let csvConfig = C.text(data: #"{"train": {"csv": "data/x.csv"}}"#)
            let directory = TemporaryDirectory()
            directory.faultConfig(csvConfig)
            try FileManager.default.createDirectory(atPath: directory.file("folder.json"), withIntermediateDirectories: false)
            try expectBadInput(
                ["run", directory.file("missing.json"), "--quiet"], in: directory,
                "trainer: error: $DIR/missing.json: No such file or directory\n")
            try expectBadInput(
                ["check", directory.file("folder.json")], in: directory,
                "trainer: error: $DIR/folder.json: is a directory; expected a file\n")
            // A relative data path resolves against the config's folder and is
            // shown as resolved, with the key that named it (run in the folder,
            // as a user types it).
            try expectBadInput(
                ["run", "c.json", "--quiet"], in: directory, runner: .binary,
                "trainer: error: data/x.csv (from c.json: data.train.csv): No such file or directory\n")
            directory.write("configs/c.json", C.text(data: #"{"train": {"csv": "../data/x.csv"}}"#))
            try expectBadInput(
                ["check", "configs/c.json"], in: directory, runner: .binary,
                "trainer: error: data/x.csv (from configs/c.json: data.train.csv): No such file or directory\n")
            try FileManager.default.createDirectory(atPath: directory.file("data/x.csv"), withIntermediateDirectories: true)
            try expectBadInput(
                ["run", "c.json", "--quiet"], in: directory, runner: .binary,
                "trainer: error: data/x.csv (from c.json: data.train.csv): is a directory; expected a file\n")

            // Unreadable files (chmod 000): root reads anything, so run as nobody.
            let unreadable = TemporaryDirectory()
            unreadable.openToEveryone()
            unreadable.faultConfig(csvConfig)
            unreadable.write("locked.json", C.text())
            unreadable.write("data/x.csv", "x1,x2,y\n0,0,0\n0,1,1\n")
            chmod(unreadable.file("locked.json"), 0)
            chmod(unreadable.file("data/x.csv"), 0)
            guard isRoot == false || canRunAsNobody else {
                skipLoudly("A1 unreadable files: needs setpriv to run as nobody")
                return
            }
            let runner: Runner = isRoot ? .nobody : .binary
            try expectBadInput(
                ["run", "locked.json", "--quiet"], in: unreadable, runner: runner,
                "trainer: error: locked.json: Permission denied\n")
            try expectBadInput(
                ["run", "c.json", "--quiet"], in: unreadable, runner: runner,
                "trainer: error: data/x.csv (from c.json: data.train.csv): Permission denied\n")
        }

        @Test("A2: config from a FIFO, /dev/stdin or stdin; /dev/zero and a 5 GB file refused by size")
        func a2() throws {
            // Relative paths in a config read from a stream resolve against the
            // working folder, and the default outputs go to its out/ (docs/configuration.md):
            // never to /dev/out or /dev/fd/out.
            let streamConfig = C.text(data: #"{"train": {"csv": "data/x.csv"}}"#)
            let csv = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"

            let substitution = TemporaryDirectory()
            substitution.write("c.json", streamConfig)
            substitution.write("data/x.csv", csv)
            let checked = try runTrainerShell(#""$TRAINER" check <(cat c.json)"#, in: substitution)
            #expect(checked.code == 0, "\(checked.stderr)")
            #expect(checked.stdout.contains("data.train: 4 samples") && checked.stdout.hasSuffix("ok\n"), "\(checked.stdout)")
            let ran = try runTrainerShell(#""$TRAINER" run <(cat c.json) --quiet"#, in: substitution)
            #expect(ran.code == 0 && ran.stderr == "", "\(ran.stderr)")
            let written = (try? FileManager.default.contentsOfDirectory(atPath: substitution.file("out"))) ?? []
            #expect(
                written.filter { $0.hasSuffix(".weights.json") }.count == 1 && written.filter { $0.hasSuffix(".loss.csv") }.count == 1,
                "\(written)")
            expectNoTrap(ran)

            let fifo = TemporaryDirectory()
            fifo.write("c.json", streamConfig)
            fifo.write("data/x.csv", csv)
            let fromFIFO = try runTrainerShell(#"mkfifo f.json && { cat c.json > f.json & } && "$TRAINER" run f.json --quiet"#, in: fifo)
            #expect(fromFIFO.code == 0 && fromFIFO.stderr == "", "\(fromFIFO.stderr)")
            #expect(fifo.exists("out/f.weights.json") && fifo.exists("out/f.loss.csv"))

            for path in ["/dev/stdin", "-"] {
                let stdin = TemporaryDirectory()
                stdin.write("data/x.csv", csv)
                let result = try runTrainer(["run", path, "--quiet"], in: stdin, runner: .binary, input: streamConfig)
                #expect(result.code == 0 && result.stderr == "", "\(path): \(result.stderr)")
                #expect(stdin.exists("out/stdin.weights.json") && stdin.exists("out/stdin.loss.csv"), "\(path)")
                expectNoTrap(result)
            }
            #expect(!FileManager.default.fileExists(atPath: "/dev/out"))

            // Endless and huge: refused by the 256 MiB cap, quickly, without
            // reading the whole of either (a regular file by its size alone).
            let huge = TemporaryDirectory()
            huge.faultConfig()
            let sparse = huge.write("big.json", "")
            #expect(truncate(sparse, 5 << 30) == 0)
            var started = ContinuousClock.now
            try expectBadInput(
                ["check", sparse], in: huge,
                "trainer: error: $DIR/big.json: larger than 256 MiB (5368709120 bytes); expected a smaller file\n")
            #expect(ContinuousClock.now - started < .seconds(2))
            started = ContinuousClock.now
            try expectBadInput(
                ["run", "/dev/zero", "--quiet"], in: huge, runner: .binary,
                "trainer: error: /dev/zero: larger than 256 MiB; expected a smaller file\n")
            #expect(ContinuousClock.now - started < .seconds(20))
        }

        static let a3Cases: [FaultCase] = [
            FaultCase("empty file", "⟨here⟩", "expected a JSON object, found end of file"),
            FaultCase("whitespace only", "⟨here⟩  \n\n\t \n", "expected a JSON object, found end of file"),
            FaultCase("[2, 3,, 1] on line 2", C.text(network: #"{"layers": [2, 3,⟨here⟩, 1]}"#), "unexpected ','; expected a value"),
            FaultCase(
                "unterminated string at the end of the file", "{\n  \"network\": {\"layers\": [2, 3, 1], \"activation\": ⟨here⟩\"sigm",
                "unterminated string; expected '\"' before the end of the file"),
            FaultCase(
                "unterminated string at the end of a line", C.text(training: #"{"learning_rate": 0.5, "epochs": 10, "loss": ⟨here⟩"sse}"#),
                "unterminated string; expected '\"' before the end of the line"),
            FaultCase(
                "unclosed { at the end", "{\n  \"network\": \(C.network),\n  \"training\": \(C.training),\n  \"data\": \(C.data)\n⟨here⟩",
                "unexpected end of file; expected ',' or '}' (the object opened at 1:1 is not closed)"),
        ]

        @Test("A3: empty file, syntax errors, unterminated string, unclosed { at the end: line:column", arguments: a3Cases)
        func a3(_ example: FaultCase) throws {
            // docs/faults.md's own example: `c.json:2:31: unexpected ','; expected a value`.
            if example.name.hasPrefix("[2, 3,, 1]") { #expect(markedSpot(example.config).position == "2:31") }
            try expectRejectedAtSpot(example.config, example.message)
        }

        static let a4Cases: [(config: String, message: String)] = [
            (
                C.text(network: #"{"layers": [2, 3, 1,⟨here⟩]}"#),
                "unexpected ']'; expected a value after ','; trailing commas are not allowed"
            ),
            (
                C.text(training: #"{"learning_rate": 0.5, "epochs": 10,⟨here⟩}"#),
                "unexpected '}'; expected a key after ','; trailing commas are not allowed"
            ),
            (
                "{\n  ⟨here⟩// XOR\n" + C.text().dropFirst(2),
                "unexpected '/'; expected a key (a string in double quotes) (JSON has no comments)"
            ),
            (C.text(network: #"{"layers": [2, 3, 1] ⟨here⟩/* hidden */}"#), "unexpected '/'; expected ',' or '}' (JSON has no comments)"),
            (
                C.text(network: #"{"layers": [2, 3, 1], "activation": ⟨here⟩'tanh'}"#),
                "unexpected \"'\"; expected a value (JSON strings take double quotes)"
            ),
            (
                C.text(training: #"{"learning_rate": ⟨here⟩NaN, "epochs": 10}"#),
                "unexpected 'NaN'; expected a value (JSON has no NaN or Infinity)"
            ),
            (
                C.text(training: #"{"learning_rate": ⟨here⟩Infinity, "epochs": 10}"#),
                "unexpected 'Infinity'; expected a value (JSON has no NaN or Infinity)"
            ),
            (
                C.text(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩+1}"#),
                "unexpected '+'; expected a value (a JSON number may not start with '+')"
            ),
            (
                C.text(training: #"{"learning_rate": ⟨here⟩.5, "epochs": 10}"#),
                "unexpected '.'; expected a value (a JSON number needs a digit before '.')"
            ),
            (C.text(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩05}"#), "a number may not have leading zeros"),
            (C.text() + "⟨here⟩x\n", "unexpected 'x'; expected end of file after the top-level value"),
            ("⟨here⟩[\(C.network)]\n", "expected a JSON object, found '['"),
        ]

        /// All 318 JSONTestSuite files are run through the reader by
        /// JSONReaderTests.jsonTestSuiteAcceptsYRejectsNAndMatchesTheTableForI;
        /// here its 188 n_ files also go through `trainer check`: every one is
        /// refused with a line:column, exit 2, no trap.
        @Test("A4: what lenient parsers accept is rejected with line:column (and JSONTestSuite's n_ files)")
        func a4() throws {
            for (config, message) in Self.a4Cases {
                try expectRejectedAtSpot(config, message)
            }
            let folder = jsonTestSuiteDirectory
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("n_") }.sorted()
            #expect(names.count == 188)
            let directory = TemporaryDirectory()
            for name in names {
                let path = directory.write(name, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
                let result = runCLI(["check", path])
                #expect(result.code == 2, "\(name): \(result.stderr)")
                #expect(result.errorLines.count == 1 && result.stdout.isEmpty, "\(name)")
                let place = result.stderr.dropFirst("trainer: error: \(path):".count)
                #expect(
                    result.stderr.hasPrefix("trainer: error: \(path):") && place.first?.isNumber == true,
                    "\(name): no line:column: \(result.stderr)")
            }
        }

        @Test("A5: invalid UTF-8 byte, UTF-16 file refused; a UTF-8 BOM accepted")
        func a5() throws {
            let directory = TemporaryDirectory()
            let (text, position) = markedSpot(C.text(network: #"{"layers": [2, 3, 1], "activation": "sig⟨here⟩moid"}"#))
            let bytes = Array(text.utf8)
            let offset = bytes.count - Array(text[text.range(of: "moid\"}")!.lowerBound...].utf8).count
            let config = directory.write("c.json", bytes: Array(bytes[..<offset]) + [0xFF] + Array(bytes[offset...]))
            directory.write("out/c.weights.json", C.previousWeights)
            #expect(position == "2:54")
            try expectBadInput(["run", config, "--quiet"], in: directory, "trainer: error: $DIR/c.json:2:54: invalid UTF-8 byte 0xFF\n")

            let utf16 = directory.write("utf16.json", bytes: [0xFF, 0xFE] + Array(C.text().utf8).flatMap { [$0, 0] })
            try expectBadInput(["run", utf16, "--quiet"], in: directory, "$DIR/utf16.json:1:1: expected UTF-8, found UTF-16")

            // The BOM is JSONTestSuite's i_structure_UTF-8_BOM_empty_object: accepted (docs/json-implementation-defined.md).
            let bom = directory.write("bom.json", bytes: [0xEF, 0xBB, 0xBF] + Array(C.text().utf8))
            let result = runCLI(["check", bom])
            #expect(result.code == 0, "\(result.stderr)")
        }

        @Test("A6: 100 000 nested arrays, open or closed: refused at level 65, no stack overflow")
        func a6() throws {
            // The built binary, so that a stack overflow would show as SIGSEGV
            // rather than take the test runner down.
            let prefix = #"{"network": "#
            let position = "1:\(prefix.count + 64)"
            for text in [
                prefix + String(repeating: "[", count: 100_000),
                prefix + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
            ] {
                let directory = TemporaryDirectory()
                directory.faultConfig(text)
                try expectBadInput(
                    ["run", "c.json", "--quiet"], in: directory, runner: .binary,
                    "trainer: error: c.json:\(position): nested deeper than 64 levels\n")
            }
        }

        @Test("A7: a duplicate key names both lines")
        func a7() throws {
            try expectRejectedConfig(
                """
                {
                  "training": {
                    "epochs": 10,
                    "learning_rate": 0.5,
                    "batch_size": 1,
                    "shuffle": false,
                    "epochs": 20
                  },
                  "network": \(C.network),
                  "data": \(C.data)
                }
                """,
                #"trainer: error: $DIR/c.json:7:5: training: duplicate key "epochs" (first at line 3)"#)
        }

        @Test("A8: unknown or misspelt key, key in the wrong section")
        func a8() throws {
            try expectRejectedConfig(
                """
                {
                  "network": {"layers": [2, 3, 1]},
                  "training": {
                    "epochs": 10,
                    "batch_size": 1,
                    "learning_rte": 0.5
                  },
                  "data": \(C.data)
                }
                """,
                "trainer: error: $DIR/c.json:6:5: training.learning_rte: unknown key; did you mean learning_rate?")
            try expectRejectedAtSpot(
                C.text(network: #"{"layers": [2, 3, 1], ⟨here⟩"epochs": 10}"#), "network.epochs: unknown key; epochs belongs in training")
        }

        @Test(
            "A9: missing required keys",
            arguments: [
                FaultCase(
                    "training.learning_rate", C.text(training: #"{"epochs": 10}"#),
                    "training.learning_rate: required, missing; expected a number > 0"),
                FaultCase("data.train", C.text(data: "{}"), "data.train: required, missing; expected inline data, a CSV file or IDX files"),
                FaultCase(
                    "network.layers", C.text(network: #"{"activation": "tanh"}"#),
                    "network.layers: required, missing; expected layer sizes such as [2, 3, 1]"),
            ])
        func a9(_ example: FaultCase) throws {
            try expectRejectedConfig(example.config, "trainer: error: $DIR/c.json: \(example.message)")
        }

        @Test(
            "A10: wrong JSON types give line:column and the path",
            arguments: [
                FaultCase(
                    "a string for a number", C.text(training: #"{"learning_rate": ⟨here⟩"fast", "epochs": 10}"#),
                    "training.learning_rate: expected a number, found a string"),
                FaultCase(
                    "a string in layers", C.text(network: #"{"layers": [2, ⟨here⟩"3", 1]}"#),
                    "network.layers[1]: expected a number, found a string"),
                FaultCase(
                    "null", C.text(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩null}"#),
                    "training.epochs: expected a number, found null"),
                FaultCase(
                    "true in weights", C.text(network: #"{"layers": [2, 1], "weights": [[[0.5], [⟨here⟩true]]]}"#),
                    "network.weights[0][1][0]: expected a number, found true"),
            ])
        func a10(_ example: FaultCase) throws {
            try expectRejectedAtSpot(example.config, example.message)
        }

        @Test("A11: numbers the field cannot hold name the field; 2.0, 1e2 and 0e1 are accepted")
        func a11() throws {
            for (epochs, found) in [("2.5", "2.5"), ("1e400", "1e400"), ("99999999999999999999", "99999999999999999999")] {
                try expectRejectedConfig(
                    C.text(training: #"{"learning_rate": 0.5, "epochs": \#(epochs)}"#),
                    "trainer: error: $DIR/c.json: training.epochs: expected a whole number ≥ 1, found \(found)")
            }
            try expectRejectedConfig(
                C.text(training: #"{"learning_rate": 1e-400, "epochs": 3}"#),
                "trainer: error: $DIR/c.json: training.learning_rate: 1e-400 underflows float64 (rounds to 0)")
            // Whole numbers may be written 2.0 or 1e2 (docs/configuration.md); 0e1 is zero.
            expectAcceptedConfig(C.text(training: #"{"learning_rate": 0.5, "epochs": 2.0, "batch_size": 1e0, "seed": 0e1}"#))
            expectAcceptedConfig(C.text(training: #"{"learning_rate": 0.5, "epochs": 1e2}"#))
        }

        @Test(
            "A12: values out of range name the field and the allowed values",
            arguments: [
                FaultCase(
                    "learning_rate 0", C.text(training: #"{"learning_rate": 0, "epochs": 3}"#),
                    "training.learning_rate: expected a number > 0, found 0"),
                FaultCase(
                    "epochs 0", C.text(training: #"{"learning_rate": 0.5, "epochs": 0}"#),
                    "training.epochs: expected a whole number ≥ 1, found 0"),
                FaultCase(
                    "batch_size 0", C.text(training: #"{"learning_rate": 0.5, "epochs": 3, "batch_size": 0}"#),
                    "training.batch_size: expected a whole number ≥ 1, found 0"),
                FaultCase(
                    "one layer", C.text(network: #"{"layers": [2]}"#),
                    "network.layers: expected at least 2 sizes (inputs and outputs), found 1"),
                FaultCase(
                    "a layer of 0", C.text(network: #"{"layers": [2, 0, 1]}"#), "network.layers[1]: expected a whole number ≥ 1, found 0"),
                FaultCase(
                    "unknown activation", C.text(network: #"{"layers": [2, 3, 1], "activation": "sigmod"}"#),
                    #"network.activation: unknown activation "sigmod"; did you mean sigmoid? (expected one of sigmoid, tanh, relu, linear, softmax)"#
                ),
                FaultCase(
                    "softmax on a hidden layer", C.text(network: #"{"layers": [2, 3, 2], "activations": ["softmax", "sigmoid"]}"#),
                    "network.activations[0]: softmax is only allowed on the output layer (layer 1 is hidden)"),
                FaultCase(
                    "activations of the wrong count",
                    C.text(network: #"{"layers": [2, 3, 1], "activations": ["tanh", "sigmoid", "sigmoid"]}"#),
                    "network.activations: expected 2 names (one per layer after the input), found 3"),
                FaultCase(
                    "float16", C.text(training: #"{"learning_rate": 0.5, "epochs": 3, "precision": "float16"}"#),
                    #"training.precision: unknown precision "float16"; did you mean float64? (expected one of float64, float32)"#),
            ])
        func a12(_ example: FaultCase) throws {
            try expectRejectedConfig(example.config, "trainer: error: $DIR/c.json: \(example.message)")
        }
    }
}
