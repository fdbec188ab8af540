import Foundation
import Testing
@testable import TrainerKit

// docs/faults.md B1-B4 (dimensions and weights) and C1-C7 (data files), through
// the command line. In depth: Config/ConfigErrorTests.swift (B1, B2, B4,
// C1-C3), Output/WeightsFileTests.swift (B3), Data/CSVTests.swift (C1-C3)
// and Data/IDXTests.swift (C4-C7).

/// A folder with `c.json` training on `data/x.csv` (header `x1,x2,y` unless
/// the text says otherwise) and a previous weights file.
private func csvFolder(
    _ csv: String, source: String = #"{"csv": "data/x.csv"}"#, network: String = FaultConfig.network
) -> TemporaryDirectory {
    let directory = TemporaryDirectory()
    directory.faultConfig(FaultConfig.text(network: network, data: #"{"train": \#(source)}"#))
    directory.write("data/x.csv", csv)
    return directory
}

/// Expects `run` on a folder's `c.json` to be refused with exactly `line`.
private func expectRunRefused(_ directory: TemporaryDirectory, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectBadInput(["run", directory.file("c.json"), "--quiet"], in: directory, line + "\n", sourceLocation: sourceLocation)
}

/// A folder with `c.json` training a 4-3-2 network on `data/images.idx`
/// (2×2 pixels) and `data/labels.idx`.
private func idxFolder(images: [UInt8], labels: [UInt8], limit: String? = nil) -> TemporaryDirectory {
    let directory = TemporaryDirectory()
    let limitText = limit.map { #", "limit": \#($0)"# } ?? ""
    directory.faultConfig(
        FaultConfig.text(
            network: #"{"layers": [4, 3, 2]}"#,
            data: #"{"train": {"idx_images": "data/images.idx", "idx_labels": "data/labels.idx"\#(limitText)}}"#))
    directory.write("data/images.idx", bytes: images)
    directory.write("data/labels.idx", bytes: labels)
    return directory
}

/// Three 2×2 images and their labels 0, 1, 0.
private let threeImages = idxBytes(dimensions: [3, 2, 2], payload: Array(0..<12))
private let threeLabels = idxBytes(dimensions: [3], payload: [0, 1, 0])

extension FaultTests {
    @Suite("B. Dimensions and weights") struct Dimensions {
        typealias C = FaultConfig
        static let weights = "[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8], [0.9]]]"

        @Test("B1: the wrong number of weight matrices")
        func b1() throws {
            try expectRejectedConfig(
                C.text(network: #"{"layers": [2, 3, 3, 1], "weights": \#(Self.weights)}"#),
                "trainer: error: $DIR/c.json: network.weights: expected 3 matrices (one per layer after the input), found 2")
        }

        @Test(
            "B2: wrong rows, a ragged row, wrong biases; biases without weights are allowed",
            arguments: [
                FaultCase(
                    "wrong rows", #"{"layers": [2, 3, 1], "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8]]]}"#,
                    "network.weights[1]: expected 3 rows (layer 1 has 3 neurons), found 2"),
                FaultCase(
                    "a ragged row", #"{"layers": [2, 3, 1], "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5]], [[0.7], [0.8], [0.9]]]}"#,
                    "network.weights[0][1]: expected 3 columns (layer 1 has 3 neurons), found 2"),
                FaultCase(
                    "wrong bias count", #"{"layers": [2, 3, 1], "weights": \#(weights), "biases": [[0, 0, 0]]}"#,
                    "network.biases: expected 2 vectors (one per layer after the input), found 1"),
                FaultCase(
                    "wrong bias length", #"{"layers": [2, 3, 1], "weights": \#(weights), "biases": [[0, 0], [0]]}"#,
                    "network.biases[0]: expected 3 values (layer 1 has 3 neurons), found 2"),
            ])
        func b2(_ example: FaultCase) throws {
            try expectRejectedConfig(C.text(network: example.config), "trainer: error: $DIR/c.json: \(example.message)")
            // docs/configuration.md: biases without weights means weights drawn from the seed and the given biases.
            expectAcceptedConfig(C.text(network: #"{"layers": [2, 3, 1], "biases": [[0, 0.1, -0.1], [0.2]]}"#))
        }

        @Test("B3: network.from and --init-from: missing, truncated, not weights, newer version, other layers")
        func b3() throws {
            let directory = TemporaryDirectory()
            let config = directory.faultConfig()
            // A real weights file of this network, then damaged copies of it.
            let made = runCLI([
                "run", config, "--quiet", "--epochs", "1", "--weights-out", directory.file("w.json"), "--log", directory.file("w.csv"),
            ])
            try #require(made.code == 0, "\(made.stderr)")
            let good = try #require(directory.read("w.json"))
            let cut = String(good.prefix(good.count / 2))
            let lines = cut.split(separator: "\n", omittingEmptySubsequences: false)
            directory.write("truncated.json", cut)
            directory.write("newer.json", good.replacingOccurrences(of: "\"format_version\": 1,", with: "\"format_version\": 7,"))
            let other = runCLI([
                "run", directory.write("other.json", C.text(network: #"{"layers": [2, 4, 1]}"#)), "--quiet", "--epochs", "1",
                "--weights-out", directory.file("w241.json"), "--log", directory.file("w241.csv"),
            ])
            try #require(other.code == 0, "\(other.stderr)")

            // (network.from gives the whole network, so only --init-from has
            // layers to disagree with.)
            let cases: [(file: String, message: String, fromMessage: String?)] = [
                (
                    "missing.json", "$DIR/missing.json: No such file or directory",
                    "$DIR/missing.json (from $DIR/from.json: network.from): No such file or directory"
                ),
                (
                    "truncated.json", "$DIR/truncated.json:\(lines.count):\(lines.last!.count + 1): ",
                    "$DIR/truncated.json:\(lines.count):\(lines.last!.count + 1): "
                ),
                (
                    "c.json", "$DIR/c.json: not a trainer weights file; expected \"format\": \"trainer-weights\"",
                    "$DIR/c.json: not a trainer weights file; expected \"format\": \"trainer-weights\""
                ),
                (
                    "newer.json", "$DIR/newer.json: format_version 7 is newer than this trainer (1); update trainer",
                    "$DIR/newer.json: format_version 7 is newer than this trainer (1); update trainer"
                ),
                ("w241.json", "$DIR/w241.json: layers [2,4,1] do not match network.layers [2,3,1] of $DIR/c.json", nil),
            ]
            for (file, message, fromMessage) in cases {
                try expectBadInput(["run", config, "--quiet", "--init-from", directory.file(file)], in: directory, message)
                if let fromMessage {
                    let from = directory.write("from.json", C.text(network: #"{"from": "\#(file)"}"#))
                    try expectBadInput(["check", from], in: directory, fromMessage)
                }
            }
        }

        @Test(
            "B4: data width not equal to the network",
            arguments: [
                FaultCase(
                    "an input row too wide", #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0, 1]], "targets": [[0], [1], [1]]}}"#,
                    "$DIR/c.json: data.train.inputs[2]: expected 2 values (network.layers[0] is 2), found 3"),
                FaultCase(
                    "a target row too wide",
                    #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0, 1]]}}"#,
                    "$DIR/c.json: data.train.targets[3]: expected 1 value (the output layer has 1 neuron), found 2"),
                FaultCase(
                    "a class label beyond the outputs", #"{"train": {"inputs": [[0, 0], [0, 1]], "labels": [0, 2]}}"#,
                    "$DIR/c.json: data.train.labels[1]: class 2 ≥ 1 (the output layer has 1 neuron)"),
            ])
        func b4(_ example: FaultCase) throws {
            try expectRejectedConfig(C.text(data: example.config), "trainer: error: " + example.message)
            // A CSV with 3 input columns for 2 inputs.
            try expectRunRefused(
                csvFolder("a,b,c,y\n0,0,0,0\n1,1,1,1\n"),
                "trainer: error: $DIR/data/x.csv:1: 3 input columns, but network.layers[0] is 2; choose columns with data.train.inputs")
        }
    }

    @Suite("C. Data files") struct DataFiles {
        static let header = "x1,x2,y\n"

        @Test("C1: a ragged CSV row")
        func c1() throws {
            try expectRunRefused(
                csvFolder(Self.header + "0,0,0\n0,1\n1,0,1\n"), "trainer: error: $DIR/data/x.csv:3: expected 3 fields, found 2")
        }

        @Test(
            "C2: CSV cells that are not finite decimals",
            arguments: [
                "abc", "", "NA", "nan", "inf", "-Infinity", "0x1p3", #""1,5""#, " 1", "1 ",
            ])
        func c2(cell: String) throws {
            let found = cell.hasPrefix("\"") ? cell : "\"\(cell)\""
            try expectRunRefused(
                csvFolder(Self.header + "0,0,0\n0,\(cell),1\n1,0,1\n"),
                #"trainer: error: $DIR/data/x.csv:3: column "x2": expected a number, found \#(found)"#)
            try expectRunRefused(
                csvFolder(Self.header + "0,0,0\n0,1e400,1\n"), #"trainer: error: $DIR/data/x.csv:3: column "x2": 1e400 overflows float64"#)
        }

        @Test("C3: CSV structure: empty, header only, bad columns refused; CRLF, BOM, blank lines, quotes accepted")
        func c3() throws {
            try expectRunRefused(csvFolder(""), "trainer: error: $DIR/data/x.csv: no samples; the file is empty")
            try expectRunRefused(csvFolder(Self.header), "trainer: error: $DIR/data/x.csv: no samples; the file has only a header row")
            try expectRunRefused(
                csvFolder(Self.header + "0,0,0\n", source: #"{"csv": "data/x.csv", "label": "species"}"#),
                #"trainer: error: data.train.label: column "species" not in the header of $DIR/data/x.csv (columns: x1,x2,y)"#)
            try expectRunRefused(
                csvFolder("x1,x1,y\n0,0,0\n", source: #"{"csv": "data/x.csv", "inputs": ["x1", "y"]}"#),
                #"trainer: error: data.train.inputs[0]: column "x1" appears 2 times in the header of $DIR/data/x.csv"#)
            // A label that is not a whole number is a class name (docs/configuration.md): two
            // classes fit two outputs; three do not.
            let twoOutputs = #"{"layers": [2, 3, 2], "activations": ["tanh", "softmax"]}"#
            try expectRunRefused(
                csvFolder(Self.header + "0,0,1.5\n0,1,2\n1,1,2.5\n", source: #"{"csv": "data/x.csv", "label": "y"}"#, network: twoOutputs),
                "trainer: error: data.train.label: 3 classes (1.5, 2, 2.5), but the output layer has 2 neurons")

            // Accepted: CRLF, no final newline, a UTF-8 BOM, blank lines, a quoted field with a comma.
            let accepted = TemporaryDirectory()
            let config = accepted.faultConfig(
                FaultConfig.text(
                    network: twoOutputs, data: #"{"train": {"csv": "data/x.csv", "label": "y"}}"#))
            accepted.write(
                "data/x.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("x1,x2,y\r\n0,0,\"no, not\"\r\n\r\n0,1,yes\r\n1,1,\"no, not\"".utf8))
            let result = runCLI(["check", config])
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stdout.contains("data.train: 3 samples, 2 inputs, 2 targets; classes: no, not 2, yes 1"), "\(result.stdout)")
        }

        @Test("C4: IDX payload cut short, or a header promising more than the file holds")
        func c4() throws {
            try expectRunRefused(
                idxFolder(images: idxBytes(dimensions: [3, 2, 2], payload: Array(0..<9)), labels: threeLabels),
                "trainer: error: $DIR/data/images.idx: truncated: header says 3×2×2 = 12 bytes of pixels, file has 9 after the 16-byte header"
            )
            try expectRunRefused(
                idxFolder(images: idxBytes(dimensions: [60000, 28, 28], payload: Array(repeating: 0, count: 10)), labels: threeLabels),
                "trainer: error: $DIR/data/images.idx: truncated: header says 60000×28×28 = 47040000 bytes of pixels, file has 10 after the 16-byte header"
            )
        }

        @Test("C5: IDX that is really gzip")
        func c5() throws {
            try expectRunRefused(
                idxFolder(images: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03], labels: threeLabels),
                "trainer: error: $DIR/data/images.idx: gzip-compressed (starts with 1f 8b); gunzip it first")
        }

        @Test(
            "C6: IDX header faults",
            arguments: [
                FaultCase("empty", "", "too short for an IDX file (0 bytes); expected at least a 4-byte header"),
                FaultCase(
                    "bad zeros", "12 34 08 03 00 00 00 01 00 00 00 02 00 00 00 02 00 00 00 00",
                    "not an IDX file: starts with 0x12 0x34; expected 0x00 0x00"),
                FaultCase(
                    "unknown type", "00 00 0d 03 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 00",
                    "IDX data type 0x0d is not supported; expected 0x08 (unsigned bytes)"),
                FaultCase("wrong rank", "00 00 08 01 00 00 00 02 00 01", "IDX rank 1; expected rank 3 (images: count × rows × columns)"),
                FaultCase(
                    "missing header bytes", "00 00 08 03 00 00 00 01 00 00", "truncated header: rank 3 needs 16 bytes, the file has 10"),
                FaultCase(
                    "extra items", "00 00 08 03 00 00 00 01 00 00 00 02 00 00 00 02 01 02 03 04 05 06 07",
                    "3 extra bytes after the 1×2×2 = 4 bytes of pixels the header describes"),
            ])
        func c6(_ example: FaultCase) throws {
            let bytes = example.config.split(separator: " ").map { UInt8($0, radix: 16)! }
            try expectRunRefused(idxFolder(images: bytes, labels: threeLabels), "trainer: error: $DIR/data/images.idx: \(example.message)")
        }

        @Test("C7: IDX pairs: counts differ, a label beyond the classes, limit out of range")
        func c7() throws {
            try expectRunRefused(
                idxFolder(images: threeImages, labels: idxBytes(dimensions: [2], payload: [0, 1])),
                "trainer: error: $DIR/c.json: data.train: 3 images but 2 labels")
            try expectRunRefused(
                idxFolder(images: threeImages, labels: idxBytes(dimensions: [3], payload: [0, 11, 1])),
                "trainer: error: $DIR/data/labels.idx: labels[1] = 11 ≥ 2 classes (the output layer has 2 neurons)")
            try expectRunRefused(
                idxFolder(images: threeImages, labels: threeLabels, limit: "4"),
                "trainer: error: $DIR/c.json: data.train.limit: 4 > 3 samples")
            try expectRunRefused(
                idxFolder(images: threeImages, labels: threeLabels, limit: "0"),
                "trainer: error: $DIR/c.json: data.train.limit: expected a whole number ≥ 1, found 0")
        }
    }
}
