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
        #expect(ONNXExport.metadata(of: file).map { "\($0.0)=\($0.1)" } == [
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
            + node(["z1"], "output", "softmax1", "Softmax", attribute: "    attribute {\n      name: \"axis\"\n      i: 1\n      type: INT\n    }\n")
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
}
