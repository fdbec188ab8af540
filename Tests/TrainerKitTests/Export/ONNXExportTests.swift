import Foundation
import Testing
@testable import TrainerKit

/// ``ONNXExport``: the bytes it writes, the model as the onnx package reads
/// it, and the model's outputs under onnxruntime against `trainer predict` on
/// the same weights file. The Python checks (Tests/Export/*.py) need
/// ``TestPython``; without it they are skipped, visibly.
@Suite struct ONNXExportTests {
    // MARK: - Bytes, without Python

    /// raw_data holds IEEE 754 bits little-endian, each literal parsed
    /// straight into the model's precision: 0.1 is 0x3dcccccd in float32
    /// and 0x3fb999999999999a in float64 (the nearest binary values; Python's
    /// `struct.pack('<f', 0.1).hex()` gives `cdcccc3d`).
    @Test func rawDataIsLittleEndianIEEE754() {
        #expect(ONNXExport.rawData(["0.1", "-2"], .float32) == [0xcd, 0xcc, 0xcc, 0x3d, 0x00, 0x00, 0x00, 0xc0])
        #expect(ONNXExport.rawData(["0.1"], .float64) == [0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f])
        // Scaling constants are float64 values; float32 models round them once.
        #expect(ONNXExport.rawData([0.1], .float32) == [0xcd, 0xcc, 0xcc, 0x3d])
        #expect(ONNXExport.rawData([0.1], .float64) == [0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f])
    }

    /// The model opens with ModelProto's fields 1-3 (onnx.proto): key 08
    /// and varint 7 for ir_version, key 12 and "trainer" for producer_name,
    /// key 1a and the given producer_version.
    @Test func modelOpensWithVersionAndProducer() {
        let bytes = ONNXExport.model(of: Self.smallFile, producerVersion: "1.2.3")
        let expected: [UInt8] = [0x08, 0x07, 0x12, 0x07] + Array("trainer".utf8) + [0x1a, 0x05] + Array("1.2.3".utf8) + [0x3a]
        #expect(Array(bytes.prefix(expected.count)) == expected)
    }

    /// The metadata a reader needs beside the graph; lists are JSON, as in
    /// the weights file; `normalize` names the method only when the graph
    /// scales, and a `none` scaling adds neither nodes nor an entry.
    @Test func metadataEntries() {
        var file = Self.smallFile
        #expect(
            ONNXExport.metadata(of: file).map { "\($0.0)=\($0.1)" } == [
                "layers=[2, 2, 2]", #"activations=["relu", "softmax"]"#, "loss=cross_entropy", "precision=float32",
                #"classes=["no", "yes \"quoted\""]"#, "normalize=standard",
            ])
        file.metadata.loss = nil
        file.metadata.classes = nil
        file.metadata.inputScaling = InputScaling(method: .none, offset: [0, 0], scale: [1, 1])
        #expect(ONNXExport.metadata(of: file).map(\.0) == ["layers", "activations", "precision"])
        #expect(ONNXExport.appliedScaling(file) == nil)
    }

    /// A 2-2-2 relu-softmax float32 network with hand-set parameters and
    /// scaling: every number is exact in binary, so the text below is exact.
    static let smallFile: WeightsFile = {
        var metadata = WeightsFile.Metadata()
        metadata.precision = .float32
        metadata.loss = .crossEntropy
        metadata.classes = ["no", "yes \"quoted\""]
        metadata.inputScaling = InputScaling(method: .standard, offset: [1, 0.5], scale: [2, 0.25])
        return WeightsFile(
            layers: [2, 2, 2], activations: [.relu, .softmax],
            weights: [[["1", "-1"], ["0.5", "2"]], [["1", "0"], ["-1", "1"]]],
            biases: [["0", "0.25"], ["0.5", "-0.5"]], metadata: metadata)
    }()

    // MARK: - The model as onnx reads it

    /// The small model decoded by the onnx package (Tests/Export/onnx_text.py,
    /// which shows raw_data as float_data and prints any field onnx.proto
    /// does not know by number). Expected: the graph of ONNXExport's doc
    /// comment written out by hand in protobuf text format, with onnx.proto's
    /// field names; it checks every field number and wire type we use.
    @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason))
    func modelAsOnnxReadsIt() throws {
        let directory = TemporaryDirectory()
        let model = directory.write("small.onnx", bytes: ONNXExport.model(of: Self.smallFile, producerVersion: "test"))
        let result = try TestPython.run("onnx_text.py", ["ModelProto", model])
        #expect(result.code == 0, "\(result.stderr)")
        let documentation =
            "A multilayer perceptron trained by trainer: layers 2-2-2, activations relu, softmax, float32. "
            + "input: N x 2, one sample per row, raw values; the graph first scales column j to (x - offset[j]) / scale[j] "
            + "(data.normalize standard). Each layer k computes z_k = a_k W_k + b_k (W_k stored inputs x outputs), "
            + "then its activation. output: N x 2, one row per sample, one column per class of metadata_props classes."
        #expect(result.stdout == Self.smallModelText(documentation: documentation))
    }

    static func smallModelText(documentation: String) -> String {
        func node(_ inputs: [String], _ output: String, _ name: String, _ op: String, attribute: String = "") -> String {
            "  node {\n" + inputs.map { "    input: \"\($0)\"\n" }.joined() + "    output: \"\(output)\"\n"
                + "    name: \"\(name)\"\n    op_type: \"\(op)\"\n" + attribute + "  }\n"
        }
        func tensor(_ name: String, _ dims: [Int], _ values: [String]) -> String {
            "  initializer {\n" + dims.map { "    dims: \($0)\n" }.joined() + "    data_type: 1\n"
                + values.map { "    float_data: \($0)\n" }.joined() + "    name: \"\(name)\"\n  }\n"
        }
        func valueInfo(_ kind: String, _ name: String, _ size: Int) -> String {
            """
              \(kind) {
                name: "\(name)"
                type {
                  tensor_type {
                    elem_type: 1
                    shape {
                      dim {
                        dim_param: "N"
                      }
                      dim {
                        dim_value: \(size)
                      }
                    }
                  }
                }
              }

            """
        }
        func entry(_ key: String, _ value: String) -> String {
            "metadata_props {\n  key: \"\(key)\"\n  value: \"\(value)\"\n}\n"
        }
        return "ir_version: 7\nproducer_name: \"trainer\"\nproducer_version: \"test\"\ngraph {\n"
            + node(["input", "offset"], "centered", "normalize_sub", "Sub")
            + node(["centered", "scale"], "a0", "normalize_div", "Div")
            + node(["a0", "W0", "b0"], "z0", "gemm0", "Gemm")
            + node(["z0"], "a1", "relu0", "Relu")
            + node(["a1", "W1", "b1"], "z1", "gemm1", "Gemm")
            + node(
                ["z1"], "output", "softmax1", "Softmax",
                attribute: "    attribute {\n      name: \"axis\"\n      i: 1\n      type: INT\n    }\n")
            + "  name: \"trainer_mlp\"\n"
            + tensor("offset", [2], ["1.0", "0.5"])
            + tensor("scale", [2], ["2.0", "0.25"])
            + tensor("W0", [2, 2], ["1.0", "-1.0", "0.5", "2.0"])
            + tensor("b0", [2], ["0.0", "0.25"])
            + tensor("W1", [2, 2], ["1.0", "0.0", "-1.0", "1.0"])
            + tensor("b1", [2], ["0.5", "-0.5"])
            + "  doc_string: \"\(documentation)\"\n"
            + valueInfo("input", "input", 2)
            + valueInfo("output", "output", 2)
            + "}\nopset_import {\n  domain: \"\"\n  version: 13\n}\n"
            + entry("layers", "[2, 2, 2]")
            + entry("activations", #"[\"relu\", \"softmax\"]"#)
            + entry("loss", "cross_entropy")
            + entry("precision", "float32")
            + entry("classes", #"[\"no\", \"yes \\\"quoted\\\"\"]"#)
            + entry("normalize", "standard")
    }

    // MARK: - onnxruntime agrees with predict

    /// XOR as `trainer run --example xor` trains it (2-3-1 sigmoid, float64,
    /// 2000 epochs from seed 1), on its four inputs and four more.
    @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason))
    func xorAgrees() throws {
        let directory = TemporaryDirectory()
        let weights = directory.file("xor.weights.json")
        let run = runCLI(["run", "--example", "xor", "--quiet", "--weights-out", weights, "--log", directory.file("xor.csv")])
        try #require(run.code == 0, "\(run.stderr)")
        let file = try WeightsFile.read(FilePath(path: weights))
        let rows: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [-1, 2], [0.25, 0.75], [3, -3]]
        let difference = try maximumDifference(file, rows: rows, in: directory)
        #expect(difference <= 1e-12, "largest |onnxruntime - predict| / max(1, |predict|): \(difference)")
    }

    /// configs/iris-softmax.json (4-8-3 tanh-softmax, cross-entropy, the
    /// species as classes, standard scaling) trained 20 epochs in each
    /// precision, its fitted scaling then replaced by a hand-set one (close
    /// to the training columns' mean and deviation; decimals not exact in
    /// float32, so the rounding of offset and scale is exercised), on the 30
    /// raw rows of data/iris-test.csv.
    @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason), arguments: [Precision.float32, .float64])
    func irisSoftmaxWithScalingAgrees(precision: Precision) throws {
        let directory = TemporaryDirectory()
        let config = try String(contentsOfFile: repositoryDirectory + "/configs/iris-softmax.json", encoding: .utf8)
            .replacingOccurrences(of: "\"../data/", with: "\"\(repositoryDirectory)/data/")
            .replacingOccurrences(of: "\"seed\": 7}", with: "\"seed\": 7, \"precision\": \"\(precision.rawValue)\"}")
        let weights = directory.file("iris.weights.json")
        let run = runCLI([
            "run", directory.write("iris.json", config), "--quiet", "--epochs", "20", "--weights-out", weights, "--log",
            directory.file("iris.csv"),
        ])
        try #require(run.code == 0, "\(run.stderr)")
        var file = try WeightsFile.read(FilePath(path: weights))
        try #require(file.metadata.precision == precision && file.metadata.classes == ["setosa", "versicolor", "virginica"])
        try #require(file.metadata.inputScaling?.method == .standard, "configs/iris-softmax.json scales its inputs")
        file.metadata.inputScaling = InputScaling(
            method: .standard, offset: [5.843, 3.057, 3.758, 1.199], scale: [0.825, 0.434, 1.759, 0.760])

        let csv = try String(contentsOfFile: repositoryDirectory + "/data/iris-test.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { line in line.split(separator: ",").prefix(4).map { Double($0)! } }
        try #require(rows.count == 30)
        let difference = try maximumDifference(file, rows: rows, in: directory)
        let tolerance = precision == .float32 ? 1e-5 : 1e-12
        #expect(difference <= tolerance, "largest |onnxruntime - predict| / max(1, |predict|): \(difference)")
    }

    /// A 3-16-1 relu-then-linear regression net (float64), parameters from
    /// the library's seeded initialization (He for relu, Xavier for linear)
    /// and seeded random biases; inputs in [-2, 2] so some units are off.
    @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason))
    func reluLinearRegressionAgrees() throws {
        let directory = TemporaryDirectory()
        let file = randomWeightsFile([3, 16, 1], [.relu, .linear], seed: 11, as: Double.self)
        var generator = RandomGenerator(seed: 12)
        let rows = (0..<25).map { _ in (0..<3).map { _ in 4 * generator.nextUnitDouble() - 2 } }
        let difference = try maximumDifference(file, rows: rows, in: directory)
        #expect(difference <= 1e-12, "largest |onnxruntime - predict| / max(1, |predict|): \(difference)")
    }

    /// MNIST's shape without MNIST: a 784-30-10 sigmoid float32 network
    /// with seeded Xavier weights and random biases, on 20 rows of random
    /// pixels k/256 in [0, 1) (exact in float32, so both readers agree on
    /// the inputs). Also reports the model's size.
    @Test(.enabled(if: TestPython.isReady, onnxPythonSkipReason))
    func mnistShapedAgrees() throws {
        let directory = TemporaryDirectory()
        let file = randomWeightsFile([784, 30, 10], [.sigmoid, .sigmoid], seed: 3, as: Float.self)
        var generator = RandomGenerator(seed: 4)
        let rows = (0..<20).map { _ in (0..<784).map { _ in Double(generator.nextInt(below: 256)) / 256 } }
        let difference = try maximumDifference(file, rows: rows, in: directory)
        #expect(difference <= 1e-5, "largest |onnxruntime - predict| / max(1, |predict|): \(difference)")
        // 784·30 + 30 + 30·10 + 10 = 23,860 parameters of 4 bytes in raw_data,
        // and under a kilobyte of graph, names and metadata around them.
        let size = ONNXExport.model(of: file, producerVersion: "test").count
        #expect(size > 23_860 * 4 && size < 23_860 * 4 + 1024, "\(size) bytes")
    }

    // MARK: - Helpers

    /// A network of `layers` with the library's seeded initialization (the
    /// scheme suited to each activation) and biases drawn from U(-0.5, 0.5)
    /// by the same generator, as the weights file `run` would write for it.
    func randomWeightsFile<S: Scalar>(_ layers: [Int], _ activations: [Activation], seed: UInt64, as: S.Type) -> WeightsFile {
        var generator = RandomGenerator(seed: seed)
        var network = Network<S>(layerSizes: layers, activations: activations, initialization: nil, using: &generator)
        network.biases = network.biases.map { $0.map { _ in S(generator.nextUnitDouble() - 0.5) } }
        return WeightsFile(network: network, metadata: WeightsFile.Metadata())
    }

    /// Exports `file`, runs it under onnxruntime (Tests/Export/onnx_run.py,
    /// which also runs onnx's full checker) and `trainer predict` on it, on
    /// the same `rows`, and returns the largest |onnxruntime − predict| /
    /// max(1, |predict|) over every output.
    ///
    /// Inputs are written exact in the model's precision (a float32 model
    /// gets each row's values rounded to float32, written as their exact
    /// float64 decimal), so that Swift's and Python's readers agree on them.
    func maximumDifference(_ file: WeightsFile, rows: [[Double]], in directory: TemporaryDirectory) throws -> Double {
        let precision = file.metadata.precision
        let exact: (Double) -> Double = { precision == .float32 ? Double(Float($0)) : $0 }
        let inputs = directory.write("inputs.csv", csv(rows.map { $0.map(exact) }))
        let model = directory.write("model.onnx", bytes: ONNXExport.model(of: file, producerVersion: "test"))
        let onnx = try TestPython.run("onnx_run.py", [model, inputs])
        try #require(onnx.code == 0, "\(onnx.stderr)")

        // predict scales the raw rows itself (metadata.normalize), as the graph does.
        let weights = directory.write("W.json", file.encoded())
        let predict = runCLI(["predict", weights, inputs])
        try #require(predict.code == 0, "\(predict.stderr)")

        // predict writes each output's shortest decimal in its precision.
        let parse: (Substring) -> Double? = { precision == .float32 ? Float($0).map(Double.init) : Double($0) }
        let expected = predict.stdout.split(separator: "\n").map { $0.split(separator: ",").map { parse($0) ?? .nan } }
        let actual = onnx.stdout.split(separator: "\n").map { $0.split(separator: ",").map { Double($0) ?? .nan } }
        try #require(expected.count == rows.count && actual.count == rows.count, "\(onnx.stdout)\n---\n\(predict.stdout)")
        var largest = 0.0
        for (expectedRow, actualRow) in zip(expected, actual) {
            try #require(expectedRow.count == file.layers.last && actualRow.count == expectedRow.count)
            for (e, a) in zip(expectedRow, actualRow) {
                let difference = abs(a - e) / max(1, abs(e))
                largest = difference.isNaN ? .infinity : max(largest, difference)
            }
        }
        return largest
    }

    /// Rows as CSV, each number its shortest float64 decimal (exact).
    func csv(_ rows: [[Double]]) -> String {
        rows.map { $0.map { "\($0)" }.joined(separator: ",") + "\n" }.joined()
    }
}
