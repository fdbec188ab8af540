import Foundation
@testable import TrainerKit

/// The properties the fuzz targets check, one per parser: for any bytes, the
/// parser returns a value or throws a ``TrainerError`` (or, for the JSON
/// reader, a `SyntaxError`) that is well formed; it never traps. Weights
/// files also round-trip: decode → encode → decode → encode gives the same
/// bytes twice.
///
/// This one file serves both sides: `Fuzz/fuzz.sh` compiles it into each
/// libFuzzer binary (which traps on a ``Violation`` so that libFuzzer keeps
/// the input), and `FuzzRegressionTests` replays the saved inputs through it
/// under `swift test` (which records the ``Violation`` as an issue). A trap
/// inside a parser crashes either one, which is the point.
///
/// Parsers that read files (the CSV and IDX data loaders, `trainer check`)
/// are driven through files written into `scratch`, a folder the caller owns.
enum FuzzProperty {
    /// A broken property other than a trap.
    struct Violation: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The fuzz targets, named as the folders under `Fuzz/Corpus` and `Fuzz/Regressions`.
    enum Target: String, CaseIterable, Sendable {
        case json, csv, idx, weights
    }

    static func check(_ target: Target, _ bytes: [UInt8], scratch: String) throws(Violation) {
        switch target {
        case .json: try json(bytes, scratch: scratch)
        case .csv: try csv(bytes, scratch: scratch)
        case .idx: try idx(bytes, scratch: scratch)
        case .weights: try weights(bytes)
        }
    }

    // MARK: - JSON reader and config decoder

    /// `JSONReader.parse` with and without `expectObject` and with a small
    /// depth limit: a document whose every node lies inside the input, or a
    /// syntax error at an offset inside it (or just past its end). Then
    /// `Config.decode`; and for a config that decodes and names only files
    /// inside `scratch`, `trainer check` in-process with `--max-memory 16M`,
    /// which must exit 0 or 2 with one `trainer: error:` line.
    static func json(_ bytes: [UInt8], scratch: String) throws(Violation) {
        for (expectObject, depth) in [(false, JSONReader.defaultMaximumDepth), (true, JSONReader.defaultMaximumDepth), (false, 2)] {
            let document: JSONDocument
            do {
                document = try JSONReader.parse(bytes, expectObject: expectObject, maximumDepth: depth)
            } catch {
                guard (0...bytes.count).contains(error.offset) else {
                    throw Violation("syntax error at offset \(error.offset), outside the \(bytes.count) bytes: \(error.message)")
                }
                _ = LineIndex(bytes).position(of: error.offset)
                guard !error.message.isEmpty else { throw Violation("syntax error with an empty message") }
                continue
            }
            try checkTree(document, bytes: bytes, maximumDepth: depth)
        }
        let config: Config
        do {
            config = try Config.decode(bytes, file: "c.json", directory: scratch)
        } catch {
            try checkInputError(error)
            return
        }
        guard namesOnlyFiles(in: scratch, config) else { return }
        try writeFixtures(in: scratch)
        let path = scratch + "/c.json"
        try write(bytes, to: path)
        let stdout = BufferOutput(), stderr = BufferOutput()
        let code = CLI.run(["check", path, "--max-memory", "16M"], context: CommandContext(stdout: stdout, stderr: stderr))
        switch code {
        case ExitCode.success:
            guard stderr.text.isEmpty else { throw Violation("check exited 0 with stderr: \(stderr.text)") }
        case ExitCode.invalidInput:
            guard stderr.text.hasPrefix("trainer: error: "), stdout.text.isEmpty else {
                throw Violation("check exited 2 with stdout \(stdout.text.debugDescription), stderr \(stderr.text.debugDescription)")
            }
        default:
            throw Violation("check exited \(code); expected 0 or 2. stderr: \(stderr.text)")
        }
    }

    /// Data and weights files the seed configs in `Fuzz/Corpus/json` name,
    /// so that `trainer check` gets past the config to the data.
    private static func writeFixtures(in scratch: String) throws(Violation) {
        guard !FileManager.default.fileExists(atPath: scratch + "/w.json") else { return }
        try write(Array("x1,x2,y,kind\n0,0,0,a\n0,1,1,b\n1,0,1,c\n1,1,0,a\n".utf8), to: scratch + "/train.csv")
        try write(idxFile(dimensions: [4, 2, 2], payload: (0..<16).map { UInt8($0 * 17) }), to: scratch + "/train-images-idx3-ubyte")
        try write(idxFile(dimensions: [4], payload: [0, 9, 3, 1]), to: scratch + "/train-labels-idx1-ubyte")
        let weights = WeightsFile(
            layers: [2, 3, 1], activations: [.sigmoid, .sigmoid],
            weights: [[["0.5", "-1", "2e-1"], ["0", "0.25", "-0.75"]], [["1"], ["-1"], ["0.5"]]],
            biases: [["0", "0", "0"], ["0.1"]], metadata: WeightsFile.Metadata())
        // Written last: its presence says the fixtures are complete.
        try write(Array(weights.encoded().utf8), to: scratch + "/w.json")
    }

    /// Walks the tree without recursion: every offset inside the input, no
    /// deeper than the limit.
    private static func checkTree(_ document: JSONDocument, bytes: [UInt8], maximumDepth: Int) throws(Violation) {
        var stack: [(node: JSONNode, depth: Int)] = [(document.root, 0)]
        while let (node, depth) = stack.popLast() {
            guard (0..<bytes.count).contains(node.offset) else {
                throw Violation("node at offset \(node.offset), outside the \(bytes.count) bytes")
            }
            _ = document.position(of: node.offset)
            switch node.value {
            case .array(let elements):
                guard depth < maximumDepth else { throw Violation("array nested \(depth + 1) deep; limit \(maximumDepth)") }
                stack += elements.map { ($0, depth + 1) }
            case .object(let members):
                guard depth < maximumDepth else { throw Violation("object nested \(depth + 1) deep; limit \(maximumDepth)") }
                for member in members {
                    guard (0..<bytes.count).contains(member.keyOffset) else {
                        throw Violation("key at offset \(member.keyOffset), outside the \(bytes.count) bytes")
                    }
                    stack.append((member.value, depth + 1))
                }
            case .number(let text):
                guard !text.isEmpty else { throw Violation("empty number literal at offset \(node.offset)") }
            case .null, .bool, .string:
                break
            }
        }
    }

    /// Whether every path the config names resolves inside `scratch`, so
    /// that `trainer check` reads nothing else (a fuzzed `/dev/stdin` or
    /// `/dev/zero` would hang or be slow, not wrong).
    private static func namesOnlyFiles(in scratch: String, _ config: Config) -> Bool {
        var files: [FilePath] = []
        if let from = config.network.from { files.append(from) }
        for source in [config.data.train] + (config.data.test.map { [$0] } ?? []) {
            switch source {
            case .inline: break
            case .csv(let csv): files.append(csv.file)
            case .idx(let idx): files += [idx.images, idx.labels]
            }
        }
        if let weights = config.output.weights { files.append(weights) }
        if let log = config.output.lossLog, log.path != "-" { files.append(log) }
        return files.allSatisfy { file in
            file.path.hasPrefix(scratch + "/") && !file.path.split(separator: "/").contains("..")
        }
    }

    // MARK: - CSV reader and loaders

    /// `CSVReader` over every record (line numbers strictly increasing, at
    /// least one field each); then the data loaders on the same bytes with a
    /// few column choices, in both precisions, and `predict`'s input loader.
    static func csv(_ bytes: [UInt8], scratch: String) throws(Violation) {
        var reader = CSVReader(bytes: bytes, file: "x.csv")
        var fields: [String] = []
        var firstRecords: [[String]] = []
        var lastLine = 0
        do {
            while let line = try reader.next(into: &fields) {
                guard line > lastLine else { throw Violation("record at line \(line) after one at line \(lastLine)") }
                guard !fields.isEmpty else { throw Violation("record at line \(line) has no fields") }
                lastLine = line
                if firstRecords.count < 2 { firstRecords.append(fields) }
            }
        } catch let violation as Violation {
            throw violation
        } catch {
            try checkInputError(error)
        }
        let width = firstRecords.first?.count ?? 1
        let file = FilePath(path: scratch + "/x.csv", display: "x.csv", origin: "c.json: data.train.csv")
        let source = CSVSource(path: "data.train", file: file)
        do {
            let _: Matrix<Double> = try CSVDataLoader.loadInputs(bytes, source: source, width: width)
        } catch {
            try checkInputError(error)
        }
        try write(bytes, to: file.path)
        let inputs = max(width - 1, 1)
        let header = firstRecords.first ?? []
        var choices: [(CSVSource, DataShape)] = []
        // The default: the last column is the target.
        choices.append((source, DataShape(inputSize: inputs, outputSize: 1, configFile: "c.json")))
        // The last column is a class label (by index, then by name with a header).
        var labelled = source
        labelled.label = .index(width - 1)
        choices.append((labelled, DataShape(inputSize: inputs, outputSize: 3, configFile: "c.json")))
        if let name = header.last {
            var named = source
            named.label = .name(name)
            named.header = true
            named.classes = ["setosa", "versicolor", "virginica", "0", "1"]
            choices.append((named, DataShape(inputSize: inputs, outputSize: 10, configFile: "c.json")))
        }
        // Explicit columns, no header.
        var explicit = source
        explicit.inputs = [.index(0)]
        explicit.targets = [.index(width - 1)]
        explicit.header = false
        choices.append((explicit, DataShape(inputSize: 1, outputSize: 1, configFile: "c.json")))
        for (index, (source, shape)) in choices.enumerated() {
            do {
                if index % 2 == 0 {
                    let data: Dataset<Double> = try DataLoader.load(.csv(source), shape: shape)
                    try checkDataset(data, shape: shape)
                } else {
                    let data: Dataset<Float> = try DataLoader.load(.csv(source), shape: shape)
                    try checkDataset(data, shape: shape)
                }
            } catch let violation as Violation {
                throw violation
            } catch {
                try checkInputError(error)
            }
        }
    }

    private static func checkDataset<S: Scalar>(_ data: Dataset<S>, shape: DataShape) throws {
        guard data.count > 0, data.inputSize == shape.inputSize, data.outputSize == shape.outputSize,
            data.targets.rows == data.count
        else {
            throw Violation(
                "data set of \(data.count) × \(data.inputSize) → \(data.outputSize) for shape \(shape.inputSize) → \(shape.outputSize)")
        }
        guard data.inputs.elements.allSatisfy(\.isFinite), data.targets.elements.allSatisfy(\.isFinite) else {
            throw Violation("a data set holds a value that is not finite")
        }
        _ = data.classCounts
        for loss in Loss.allCases {
            do { try data.checkTargets(loss: loss, outputActivation: .softmax) } catch { try checkInputError(error) }
        }
    }

    // MARK: - IDX header reader and loader

    /// `IDXReader.header` for ranks 1, 3 and the rank the file claims: a
    /// header whose sizes add up to the file's, or an error. A file with a
    /// good image header is then loaded with a made-up label file, and one
    /// with a good label header with made-up 1×1 images.
    static func idx(_ bytes: [UInt8], scratch: String) throws(Violation) {
        let claimed = bytes.count > 3 ? Int(bytes[3]) : 2
        var headers: [Int: IDXReader.Header] = [:]
        for rank in Set([1, 3, claimed]) {
            do {
                let header = try IDXReader.header(of: bytes, file: "x-idx", rank: rank, what: "bytes")
                guard header.dimensions.count == rank, header.headerSize == 4 + 4 * rank,
                    header.headerSize + header.payloadSize == bytes.count,
                    header.dimensions.reduce(1, *) == header.payloadSize
                else {
                    throw Violation("rank \(rank) header \(header) does not add up to the file's \(bytes.count) bytes")
                }
                headers[rank] = header
            } catch let violation as Violation {
                throw violation
            } catch {
                try checkInputError(error)
            }
        }
        let imagesPath = scratch + "/images-idx3-ubyte", labelsPath = scratch + "/labels-idx1-ubyte"
        func load(limit: Int?, inputSize: Int) throws(Violation) {
            let source = IDXSource(
                path: "data.train", images: FilePath(path: imagesPath, display: "images-idx3-ubyte"),
                labels: FilePath(path: labelsPath, display: "labels-idx1-ubyte"), limit: limit)
            let shape = DataShape(inputSize: inputSize, outputSize: 10, configFile: "c.json")
            do {
                let data: Dataset<Float> = try DataLoader.load(.idx(source), shape: shape)
                try checkDataset(data, shape: shape)
            } catch let violation as Violation {
                throw violation
            } catch {
                try checkInputError(error)
            }
        }
        if let images = headers[3] {
            let count = images.dimensions[0]
            try write(bytes, to: imagesPath)
            // Images of 0 pixels make a valid header of any count; past 64 Ki
            // labels, the made-up label file is just a (truncated) header.
            let labels = count <= 1 << 16 ? (0..<count).map { UInt8($0 % 11) } : []
            try write(idxFile(dimensions: [count], payload: labels), to: labelsPath)
            let (pixels, overflow) = images.dimensions[1].multipliedReportingOverflow(by: images.dimensions[2])
            try load(limit: nil, inputSize: overflow ? 1 : max(pixels, 1))
            try load(limit: 1 + count / 2, inputSize: overflow ? 1 : max(pixels, 1))
        }
        if let labels = headers[1] {
            let count = labels.dimensions[0]
            try write(bytes, to: labelsPath)
            try write(idxFile(dimensions: [count, 1, 1], payload: [UInt8](repeating: 255, count: count)), to: imagesPath)
            try load(limit: nil, inputSize: 1)
        }
    }

    private static func idxFile(dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [
                UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8),
                UInt8(truncatingIfNeeded: size),
            ]
        }
        return bytes + payload
    }

    // MARK: - Weights files

    /// `WeightsFile.decode`: a value or an error. A value must write bytes
    /// that decode again and write the same bytes (nlohmann/json's round-trip
    /// property), and must build a network in both precisions or say why not.
    static func weights(_ bytes: [UInt8]) throws(Violation) {
        let first: WeightsFile
        do {
            first = try WeightsFile.decode(bytes, file: "w.json")
        } catch {
            try checkInputError(error)
            return
        }
        let written = Array(first.encoded().utf8)
        let second: WeightsFile
        do {
            second = try WeightsFile.decode(written, file: "w.json")
        } catch {
            throw Violation("the written file does not read back: \(error)\n\(String(decoding: written, as: UTF8.self))")
        }
        let rewritten = Array(second.encoded().utf8)
        guard rewritten == written else {
            throw Violation(
                "write → read → write changed the bytes:\n\(String(decoding: written, as: UTF8.self))\n---\n\(String(decoding: rewritten, as: UTF8.self))"
            )
        }
        let spec = NetworkSpec(
            layers: first.layers, activations: first.activations,
            parameters: .literals(weights: first.weights, biases: first.biases, file: "w.json", path: "weights"))
        var generator = RandomGenerator(seed: 1)
        do { _ = try spec.build(using: &generator, as: Double.self) } catch { try checkInputError(error) }
        do { _ = try spec.build(using: &generator, as: Float.self) } catch { try checkInputError(error) }
    }

    // MARK: - Helpers

    /// A parser's error: a ``TrainerError`` about the input (exit 2) with a message.
    private static func checkInputError(_ error: any Error) throws(Violation) {
        guard let error = error as? TrainerError else {
            throw Violation("threw \(type(of: error)), not a TrainerError: \(error)")
        }
        guard error.kind == .invalidInput, !error.message.isEmpty else {
            throw Violation("error of kind \(error.kind) or with an empty message: \(error.description)")
        }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(Violation) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw Violation("cannot write the scratch file \(path)")
        }
    }
}
