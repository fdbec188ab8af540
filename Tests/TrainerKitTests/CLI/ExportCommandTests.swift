import Foundation
import Testing
@testable import TrainerKit

/// `trainer export`'s command line: formats, outputs, names and bad input.
/// What the exported models compute is checked against predict in
/// Export/ONNXExportTests.swift and Export/CExportTests.swift.
@Suite struct ExportCommandTests {
    /// A minimal weights file, as a hand-written (or older) one may be: no
    /// metadata at all, so float64, no classes, no scaling.
    static let minimalWeights = """
        {"format": "trainer-weights", "format_version": 1, "layers": [2, 1], "activations": ["sigmoid"],
         "weights": [[[0.5], [-0.25]]], "biases": [[0.125]]}
        """

    @Test func writesEachFormatAndReportsItsSize() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write("tiny.weights.json", Self.minimalWeights)
        let onnx = runCLI(["export", weights, "--format", "onnx", "--output", directory.file("out/tiny.onnx")])
        #expect(onnx.code == 0, "\(onnx.stderr)")
        let onnxSize = try #require(try FileManager.default.attributesOfItem(atPath: directory.file("out/tiny.onnx"))[.size] as? Int)
        #expect(onnx.stderr == "trainer: wrote \(directory.file("out/tiny.onnx")): ONNX model, \(onnxSize) bytes\n")
        #expect(onnx.stdout.isEmpty)

        // The format from the extension; the C header on stdout by default.
        let header = runCLI(["export", weights, "-o", directory.file("tiny.h"), "--quiet"])
        #expect(header.code == 0 && header.stderr.isEmpty, "\(header.stderr)")
        let text = try #require(directory.read("tiny.h"))
        #expect(text.contains("tiny_predict("))
        let stdout = runCLI(["export", weights, "--format", "c"])
        #expect(stdout.code == 0 && stdout.stdout == text, "\(stdout.stderr)")
        #expect(stdout.stderr == "trainer: wrote stdout: C header, \(MemoryEstimate.grouped(text.utf8.count)) bytes\n")
    }

    @Test func badCommandLinesAreRefusedBeforeAnythingIsWritten() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write("w.json", Self.minimalWeights)
        try expectBadInput(
            ["export", weights, "--format", "tflite", "-o", directory.file("m")], in: directory,
            "--format: unknown format \"tflite\" (expected one of onnx, c)")
        try expectBadInput(["export", weights, "-o", directory.file("m.bin")], in: directory, "--format: missing; expected one of onnx, c")
        try expectBadInput(["export", weights, "--format", "onnx"], in: directory, "--output: expected a file for the ONNX model")
        try expectBadInput(["export", weights, "--format", "onnx", "-o", "-"], in: directory, "--output: the ONNX model is binary")
        try expectBadInput(
            ["export", weights, "--format", "c", "--name", "2fast"], in: directory, "--name: expected a C identifier", "\"2fast\"")
        try expectBadInput(
            ["export", weights, "--format", "c", "--name", "float"], in: directory, "--name: \"float\" is a C or C++ keyword")
        try expectBadInput(
            ["export", weights, "--format", "onnx", "--name", "m", "-o", directory.file("m.onnx")], in: directory,
            "--name: only used with --format c")
        // The weights file itself as the output.
        try expectBadInput(["export", weights, "--format", "c", "-o", weights], in: directory, "--output: same file as the weights file")
    }

    /// A bad weights file is named with its place, and an existing output is
    /// left as it was.
    @Test func badWeightsLeaveTheOutputAlone() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write("w.json", Self.minimalWeights.replacingOccurrences(of: "[[0.5], [-0.25]]", with: "[[0.5]]"))
        directory.write("m.h", "previous\n")
        try expectBadInput(["export", weights, "-o", directory.file("m.h")], in: directory, "w.json: weights[0]")
        #expect(directory.read("m.h") == "previous\n")
    }

    @Test func defaultNamesAreCIdentifiersFromTheFileName() {
        #expect(ExportCommand.defaultName(weightsPath: "configs/out/iris-softmax.weights.json") == "iris_softmax")
        #expect(ExportCommand.defaultName(weightsPath: "784-30-10.json") == "_784_30_10")
        #expect(ExportCommand.defaultName(weightsPath: "xor.weights.json") == "_xor")
        #expect(ExportCommand.defaultName(weightsPath: "/tmp/.json") == "model")
        #expect(ExportCommand.defaultName(weightsPath: "née.json") == "n_e")
    }
}
