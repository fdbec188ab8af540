import Foundation
import Testing
@testable import TrainerKit

// Tests of the weights file (docs/contract.md "Files written"; docs/faults.md
// B3; the round-trip property of docs/testing.md's `weights` fuzz target):
// numbers round-trip to the same bits, the same network writes the same
// bytes, the file has docs/contract.md's keys, it works as network.from,
// --init-from and pasted as network, and bad files are reported with their
// place.

// MARK: - Helpers

/// A 2-3-1 float64 network whose parameters are awkward to print: a value with
/// no exact binary form (0.1, 1/3), the smallest subnormal (5e-324, 2^-1074), the
/// smallest normal, the largest finite, a large value with a fraction, -0.0.
private let awkwardDoubles: Network<Double> = Network(
    layerSizes: [2, 3, 1], activations: [.tanh, .sigmoid],
    weights: [
        Matrix([[0.1, 1e-300, .leastNonzeroMagnitude], [-0.0, 1.0 / 3, 123456789.123]]),
        Matrix([[-2.2250738585072014e-308], [1.7976931348623157e308], [0.1 + 0.2]]),
    ],
    biases: [[-0.0, 1e-300, -1.0 / 3], [123456789.123]])

/// The same for float32: 0.1, 1/3, the smallest subnormal (1e-45, 2^-149), the
/// smallest normal, the largest finite, -0.0, a value needing all 24 bits.
private let awkwardFloats: Network<Float> = Network(
    layerSizes: [2, 3, 1], activations: [.relu, .linear],
    weights: [
        Matrix([[0.1, Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude], [-0.0, Float(1) / 3, 123456.79]]),
        Matrix([[Float.greatestFiniteMagnitude], [1e-38], [16777215]]),
    ],
    biases: [[-0.0, 0.1, Float(-1) / 3], [Float.leastNonzeroMagnitude]])

private func metadata(precision: Precision) -> WeightsFile.Metadata {
    var metadata = WeightsFile.Metadata()
    metadata.precision = precision
    metadata.loss = .sse
    metadata.epochsTrained = 12
    metadata.samplesTrained = 48
    metadata.finalLoss = 0.125
    metadata.seed = 7
    metadata.randomState = [1, 0xFFFF_FFFF_FFFF_FFFF, 0, 42]
    metadata.classes = ["no", "yes"]
    return metadata
}

/// Every parameter's bits, weights then biases, for exact comparisons
/// (== would call -0.0 and 0.0 equal).
private func bits(_ network: Network<Double>) -> [UInt64] {
    network.weights.flatMap { $0.elements.map(\.bitPattern) } + network.biases.flatMap { $0.map(\.bitPattern) }
}

private func bits(_ network: Network<Float>) -> [UInt32] {
    network.weights.flatMap { $0.elements.map(\.bitPattern) } + network.biases.flatMap { $0.map(\.bitPattern) }
}

/// The network a decoded file describes, built in precision `S` as a run would build it.
private func network<S: Scalar>(from file: WeightsFile, as: S.Type = S.self) throws(TrainerError) -> Network<S> {
    let spec = NetworkSpec(
        layers: file.layers, activations: file.activations,
        parameters: .literals(weights: file.weights, biases: file.biases, file: "w.json", path: "weights"),
        resumedFrom: nil)
    var generator = RandomGenerator(seed: 0)
    return try spec.build(using: &generator)
}

private func decodeError(_ text: String) -> String? {
    errorLine { () throws(TrainerError) in _ = try WeightsFile.decode(Array(text.utf8), file: "w.json") }
}

/// A config for a 2-3-1 network (or `network`, as JSON text) with inline data.
private func configText(network: String = #"{"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"]}"#) -> String {
    """
    {
      "network": \(network),
      "training": {"learning_rate": 0.5, "epochs": 1, "seed": 3},
      "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
    }
    """
}

// MARK: - Round trip

@Suite struct WeightsFileRoundTripTests {
    @Test func float64WriteReadWriteGivesTheSameBytes() throws {
        let first = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        let decoded = try WeightsFile.decode(Array(first.utf8), file: "w.json")
        // Written again from the decoded literals ...
        #expect(decoded.encoded() == first)
        // ... and from the network built from them.
        let rebuilt: Network<Double> = try network(from: decoded)
        #expect(WeightsFile(network: rebuilt, metadata: decoded.metadata).encoded() == first)
        #expect(decoded.metadata == metadata(precision: .float64))
    }

    @Test func float64ValuesReadBackBitIdentical() throws {
        let text = WeightsFile(network: awkwardDoubles, metadata: WeightsFile.Metadata()).encoded()
        let rebuilt: Network<Double> = try network(from: try WeightsFile.decode(Array(text.utf8), file: "w.json"))
        #expect(bits(rebuilt) == bits(awkwardDoubles))
        #expect(rebuilt.layerSizes == [2, 3, 1])
        #expect(rebuilt.activations == [.tanh, .sigmoid])
        // Spot checks on the text: the shortest decimals that read back exactly.
        #expect(text.contains("[[0.1, 1e-300, 5e-324],"))
        #expect(text.contains("[-0.0, 0.3333333333333333, 123456789.123]]"))
        #expect(text.contains("[0.30000000000000004]"))
    }

    @Test func float32WriteReadWriteGivesTheSameBytes() throws {
        let first = WeightsFile(network: awkwardFloats, metadata: metadata(precision: .float32)).encoded()
        let decoded = try WeightsFile.decode(Array(first.utf8), file: "w.json")
        #expect(decoded.encoded() == first)
        #expect(decoded.metadata.precision == .float32)
        let rebuilt: Network<Float> = try network(from: decoded)
        #expect(WeightsFile(network: rebuilt, metadata: decoded.metadata).encoded() == first)
    }

    @Test func float32ValuesReadBackBitIdentical() throws {
        let text = WeightsFile(network: awkwardFloats, metadata: WeightsFile.Metadata()).encoded()
        let rebuilt: Network<Float> = try network(from: try WeightsFile.decode(Array(text.utf8), file: "w.json"))
        #expect(bits(rebuilt) == bits(awkwardFloats))
        // Float's shortest forms: 0.1 is "0.1" (not 0.10000000149011612), 1e-45 the smallest subnormal.
        #expect(text.contains("[[0.1, 1e-45, -1.1754944e-38],"))
        #expect(text.contains("\"precision\": \"float32\""))
    }

    @Test func theSameNetworkWritesTheSameBytes() {
        // No dates or other varying content: two encodings are equal.
        let a = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        let b = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        #expect(a == b)
    }

    @Test func textIsJSONWithTheSpecKeys() throws {
        let text = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        // Foundation's parser, independent of the project's own reader.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["layers", "activations", "weights", "biases", "format_version", "metadata"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["layers"] as? [Int] == [2, 3, 1])
        #expect(object["activations"] as? [String] == ["tanh", "sigmoid"])
        #expect(object["format_version"] as? Int == 1)
        #expect(object["format"] as? String == "trainer-weights")
        // The shapes of the config's network section: weights[l] is layers[l] × layers[l+1].
        let weights = try #require(object["weights"] as? [[[Double]]])
        #expect(weights.map(\.count) == [2, 3])
        #expect(weights.map { $0.map(\.count) } == [[3, 3], [1, 1, 1]])
        #expect((object["biases"] as? [[Double]])?.map(\.count) == [3, 1])
        let meta = try #require(object["metadata"] as? [String: Any])
        #expect(meta["epochs_trained"] as? Int == 12)
        #expect(meta["final_loss"] as? Double == 0.125)
        #expect(meta["precision"] as? String == "float64")
    }
}

// MARK: - Bad files

@Suite struct WeightsFileErrorTests {
    @Test func aConfigIsNotAWeightsFile() {
        #expect(decodeError(configText()) == "trainer: error: w.json: not a trainer weights file; expected \"format\": \"trainer-weights\"")
        // Nor is any other JSON object.
        #expect(
            decodeError(#"{"format": "something-else", "layers": [1, 1]}"#)
                == "trainer: error: w.json: not a trainer weights file; expected \"format\": \"trainer-weights\"")
        #expect(decodeError("{}") == "trainer: error: w.json: not a trainer weights file; expected \"format\": \"trainer-weights\"")
    }

    @Test func newerFormatVersion() {
        let text = WeightsFile(network: awkwardDoubles, metadata: WeightsFile.Metadata()).encoded()
            .replacingOccurrences(of: "\"format_version\": 1,", with: "\"format_version\": 7,")
        #expect(decodeError(text) == "trainer: error: w.json: format_version 7 is newer than this trainer (1); update trainer")
    }

    @Test func truncatedFileIsASyntaxErrorAtItsEnd() throws {
        let text = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        // Cut just after "[[0.1, " on the weights' first row, as a killed writer might leave it.
        let cut = try #require(text.range(of: "[[0.1, ")).upperBound
        let truncated = String(text[..<cut])
        // The end of the truncated text: its line count and the characters after the last newline, plus one.
        let lines = truncated.split(separator: "\n", omittingEmptySubsequences: false)
        let place = "w.json:\(lines.count):\(lines.last!.count + 1)"
        #expect(place == "w.json:7:12")  // line 7 is `    [[0.1, ` (11 characters)
        #expect(
            decodeError(truncated)
                == "trainer: error: \(place): unexpected end of file; expected a value")
        // An empty file.
        #expect(decodeError("") == "trainer: error: w.json:1:1: expected a JSON object, found end of file")
    }

    @Test func everyPrefixOfAWeightsFileIsRejectedWithAPosition() {
        // docs/faults.md B3 (an error at the cut) and the fuzz property of
        // docs/testing.md: a cut file never reads as weights and never traps. (Only dropping the final newline leaves valid JSON.)
        let bytes = Array(WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded().utf8)
        for length in 0..<(bytes.count - 1) {
            let line = errorLine { () throws(TrainerError) in _ = try WeightsFile.decode(Array(bytes[..<length]), file: "w.json") }
            guard let line else {
                Issue.record("a prefix of \(length) bytes was accepted")
                continue
            }
            #expect(line.hasPrefix("trainer: error: w.json:"), "\(line)")
            // Either the end itself, or the string left open there.
            #expect(line.contains("end of file") || line.contains("end of the file"), "prefix of \(length) bytes: \(line)")
        }
    }

    @Test func initFromWithOtherLayers() {
        let directory = TemporaryDirectory()
        // A 2-4-1 weights file against a config of 2-3-1.
        let other: Network<Double> = Network(
            layerSizes: [2, 4, 1], activations: [.tanh, .sigmoid],
            weights: [Matrix(rows: 2, columns: 4, repeating: 0.5), Matrix(rows: 4, columns: 1, repeating: -0.25)],
            biases: [[0, 0, 0, 0], [0]])
        let weights = directory.write("w.json", WeightsFile(network: other, metadata: WeightsFile.Metadata()).encoded())
        let config = directory.write("c.json", configText())
        let before = directory.listing()
        let result = runCLI(["check", config, "--init-from", weights])
        expectNoCrash(result)
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(
            directory.relative(result.stderr)
                == "trainer: error: w.json: layers [2,4,1] do not match network.layers [2,3,1] of c.json\n")
        #expect(directory.listing() == before)
    }

    @Test func initFromAConfig() {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", configText())
        let result = runCLI(["check", config, "--init-from", config])
        expectNoCrash(result)
        #expect(result.code == 2)
        #expect(
            directory.relative(result.stderr)
                == "trainer: error: c.json: not a trainer weights file; expected \"format\": \"trainer-weights\"\n")
    }
}

// MARK: - As a config's network

@Suite struct WeightsFileInConfigTests {
    @Test func worksAsNetworkFrom() throws {
        let directory = TemporaryDirectory()
        directory.write("nets/w.json", WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded())
        // network.from resolves against the config's folder, cfg/.
        let config = directory.write("cfg/c.json", configText(network: #"{"from": "../nets/w.json"}"#))
        let loaded = try Config.load(path: config)
        let spec = try loaded.resolveNetwork()
        #expect(spec.layers == [2, 3, 1])
        #expect(spec.activations == [.tanh, .sigmoid])
        var generator = RandomGenerator(seed: 0)
        let built: Network<Double> = try spec.build(using: &generator)
        #expect(bits(built) == bits(awkwardDoubles))

        let result = runCLI(["check", config])
        expectNoCrash(result)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("network: 2-3-1 (tanh, sigmoid), 13 parameters\n"), "\(result.stdout)")
        #expect(directory.relative(result.stdout).contains("initial parameters: weights of nets/w.json\n"))
    }

    @Test func worksPastedAsNetwork() throws {
        // The whole weights file, with its format, format_version and metadata
        // keys, as the value of "network".
        let pasted = WeightsFile(network: awkwardDoubles, metadata: metadata(precision: .float64)).encoded()
        let config = try Config.decode(Array(configText(network: pasted).utf8), file: "c.json", directory: "")
        let spec = try config.resolveNetwork()
        #expect(spec.layers == [2, 3, 1])
        #expect(spec.activations == [.tanh, .sigmoid])
        var generator = RandomGenerator(seed: 0)
        let built: Network<Double> = try spec.build(using: &generator)
        #expect(bits(built) == bits(awkwardDoubles))

        let directory = TemporaryDirectory()
        let result = runCLI(["check", directory.write("c.json", configText(network: pasted))])
        expectNoCrash(result)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("network: 2-3-1 (tanh, sigmoid), 13 parameters\n"), "\(result.stdout)")
    }

    @Test func pastedNewerFormatVersionIsRefused() {
        let pasted = WeightsFile(network: awkwardDoubles, metadata: WeightsFile.Metadata()).encoded()
            .replacingOccurrences(of: "\"format_version\": 1,", with: "\"format_version\": 7,")
        let line = errorLine { () throws(TrainerError) in
            _ = try Config.decode(Array(configText(network: pasted).utf8), file: "c.json", directory: "")
        }
        #expect(line == "trainer: error: c.json: format_version 7 is newer than this trainer (1); update trainer")
    }
}
