import Foundation
import Testing
@testable import TrainerKit

// CExport's header, compiled with gcc and clang under
// `-std=c99 -Wall -Wextra -Werror -pedantic`, run on CSV rows, and compared
// with `trainer predict` on the same weights file: the expected numbers are
// always the trainer's own forward pass. gcc is required; clang (the Swift
// toolchain's) is skipped, visibly, where it is missing.

@Suite("CExport: the network as one C99 header") struct CExportTests {
    // MARK: - Against trainer predict

    @Test("gcc: NAME_predict gives trainer predict's outputs", arguments: ExportCase.allCases)
    func gccMatchesPredict(_ example: ExportCase) throws {
        try expectMatchesPredict(example, compiler: .gcc)
    }

    @Test(
        "clang: NAME_predict gives trainer predict's outputs",
        .enabled(if: CCompiler.clang.isAvailable, CCompiler.clang.missingReason), arguments: ExportCase.allCases)
    func clangMatchesPredict(_ example: ExportCase) throws {
        try expectMatchesPredict(example, compiler: .clang)
    }

    // MARK: - Including the header

    @Test("gcc: included in two files linked together, and included unused")
    func gccIncludes() throws {
        try expectTwoFilesLink(compiler: .gcc)
        try expectUnusedIncludeCompiles(compiler: .gcc)
    }

    @Test(
        "clang: included in two files linked together, and included unused",
        .enabled(if: CCompiler.clang.isAvailable, CCompiler.clang.missingReason))
    func clangIncludes() throws {
        try expectTwoFilesLink(compiler: .clang)
        try expectUnusedIncludeCompiles(compiler: .clang)
    }

    @Test("gcc: NAME_classes holds the class names' bytes, however odd the names")
    func gccClasses() throws {
        try expectClassNames(compiler: .gcc)
    }

    @Test(
        "clang: NAME_classes holds the class names' bytes, however odd the names",
        .enabled(if: CCompiler.clang.isAvailable, CCompiler.clang.missingReason))
    func clangClasses() throws {
        try expectClassNames(compiler: .clang)
    }

    // MARK: - The text

    /// A hand-set 2-1 network: every line checked here is written out by
    /// hand from the weights below.
    @Test("a tiny network's header, line by line")
    func tinyHeader() {
        var metadata = WeightsFile.Metadata()
        metadata.precision = .float32
        let file = WeightsFile(
            layers: [2, 1], activations: [.sigmoid], weights: [[["1"], ["-0.5"]]], biases: [["0.25"]], metadata: metadata)
        let header = CExport.source(of: file, name: "tiny")
        let lines = header.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for expected in [
            "#ifndef tiny_H_INCLUDED", "#define tiny_INPUTS 2", "#define tiny_OUTPUTS 1",
            "void tiny_predict(const float *input, float *output);",
            "#ifdef tiny_IMPLEMENTATION",
            "static const float tiny_W0[2 * 1] = {", "    1.0f,", "    -0.5f,",
            "static const float tiny_b0[1] = {", "    0.25f,",
            "    if (z >= 0) return 1 / (1 + expf(-z));",
        ] {
            #expect(lines.contains(expected), "missing line: \(expected)")
        }
        // No hidden layer: no buffers, so no WIDTH; no classes, no scaling.
        #expect(!header.contains("tiny_WIDTH") && !header.contains("tiny_classes") && !header.contains("tiny_offset"))
        #expect(lines.filter { $0.hasPrefix("#include") } == ["#include <math.h>"])
        #expect(header == CExport.source(of: file, name: "tiny"), "the same file gives the same bytes")
    }

    /// Expected literals: the C99 standard's grammar of floating constants
    /// (6.4.4.2) and string literals (6.4.5), by hand.
    @Test(
        "literals",
        arguments: [
            (CLiteral.number("1", as: Float.self), "1.0f"),
            (CLiteral.number("1", as: Double.self), "1.0"),
            (CLiteral.number("0.1", as: Float.self), "0.1f"),
            (CLiteral.number("1e-05", as: Float.self), "1e-05f"),
            (CLiteral.number("-0", as: Double.self), "-0.0"),
            // 30 digits: the double nearest to them, shortest.
            (CLiteral.number("0.100000000000000005551115123126", as: Double.self), "0.1"),
            (CLiteral.number(Float(0.1 as Double)), "0.1f"),
            (CLiteral.string("a\"b\\c"), #""a\"b\\c""#),
            (CLiteral.string("??=/*x*/"), #""\?\?=/\052x\052/""#),
            (CLiteral.string("é\n"), #""\303\251\n""#),
        ])
    func literals(_ written: String, _ expected: String) {
        #expect(written == expected)
    }
}

// MARK: - Networks

/// The networks exported. Each test says where its expected numbers come
/// from: every one here from `trainer predict` on the same weights file.
enum ExportCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// 2-2-1 sigmoid, float64, trained on XOR by `trainer run` (seed 3).
    case xor
    /// 4-8-3 tanh then softmax with class names and a hand-set `standard`
    /// scaling, seeded random weights, float32.
    case irisFloat32
    /// The same network in float64.
    case irisFloat64
    /// 3-16-8-2 relu, relu, linear (two hidden buffers), float64, seeded.
    case regression
    /// 784-30-10 sigmoid, float32, seeded random weights and biases.
    case mnistShaped

    var testDescription: String { rawValue }

    /// The C identifier the header is written for.
    var name: String {
        switch self {
        case .xor: "xor"
        case .irisFloat32, .irisFloat64: "iris"
        case .regression: "regression"
        case .mnistShaped: "mnist"
        }
    }

    /// The weights file (training it in `directory` for xor).
    func weightsFile(in directory: TemporaryDirectory) throws -> WeightsFile {
        switch self {
        case .xor:
            let config = directory.write(
                "xor.json",
                """
                {"network": {"layers": [2, 2, 1], "activation": "sigmoid"},
                 "training": {"loss": "sse", "learning_rate": 2.0, "epochs": 2000, "batch_size": 1, "seed": 3},
                 "data": {"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}},
                 "output": {"weights": "xor.weights.json"}}
                """)
            let result = runCLI(["run", "--quiet", config])
            #expect(result.code == 0, "\(result.stderr)")
            return try WeightsFile.read(FilePath(path: directory.file("xor.weights.json")))
        case .irisFloat32:
            return ExportCase.iris(Float.self)
        case .irisFloat64:
            return ExportCase.iris(Double.self)
        case .regression:
            return ExportCase.seeded(Double.self, layers: [3, 16, 8, 2], activations: [.relu, .relu, .linear], seed: 11)
        case .mnistShaped:
            return ExportCase.seeded(Float.self, layers: [784, 30, 10], activations: [.sigmoid, .sigmoid], seed: 5)
        }
    }

    /// Input rows as CSV text: in [0, 1] (xor: the four corners first, then
    /// random points), iris-like measurements in cm, [-2, 2] for regression.
    func inputs(count inputSize: Int) -> String {
        var generator = RandomGenerator(seed: 99)
        var rows: [[Double]] = []
        switch self {
        case .xor: rows = [[0, 0], [0, 1], [1, 0], [1, 1]]
        default: break
        }
        let ranges: [ClosedRange<Double>]
        switch self {
        case .irisFloat32, .irisFloat64: ranges = [4.3...7.9, 2.0...4.4, 1.0...6.9, 0.1...2.5]
        case .regression: ranges = Array(repeating: -2...2, count: inputSize)
        default: ranges = Array(repeating: 0...1, count: inputSize)
        }
        for _ in 0..<(self == .mnistShaped ? 20 : 40) {
            rows.append(ranges.map { $0.lowerBound + generator.nextUnitDouble() * ($0.upperBound - $0.lowerBound) })
        }
        // Written in the network's precision, so predict and strtof/strtod
        // read the same value.
        let float32 = self == .irisFloat32 || self == .mnistShaped
        return rows.map { row in row.map { float32 ? Float($0).description : $0.description }.joined(separator: ",") }
            .joined(separator: "\n") + "\n"
    }

    /// Class names that test the escaping: quotes, a backslash, a trigraph,
    /// comment markers, UTF-8 and a newline.
    static let irisClasses = ["setosa \"s\"", "versi\\color ??= */ /*", "virgínica\n"]

    /// 4-8-3 tanh, softmax with weights and biases drawn in [-1, 1] from
    /// seed 7, classes, and a `standard` scaling near iris's means and
    /// deviations (offsets and scales that are not exact in float32).
    static func iris<S: Scalar>(_: S.Type) -> WeightsFile {
        var file = seeded(S.self, layers: [4, 8, 3], activations: [.tanh, .softmax], seed: 7)
        file.metadata.loss = .crossEntropy
        file.metadata.classes = irisClasses
        file.metadata.inputScaling = InputScaling(
            method: .standard, offset: [5.843333, 3.057333, 3.758, 1.199333], scale: [0.825301, 0.434411, 1.759404, 0.759693])
        return file
    }

    /// A network with weights and biases uniform in [-1, 1] from `seed`.
    static func seeded<S: Scalar>(_: S.Type, layers: [Int], activations: [Activation], seed: UInt64) -> WeightsFile {
        var generator = RandomGenerator(seed: seed)
        func draw() -> S { S(2 * generator.nextUnitDouble() - 1) }
        var weights: [Matrix<S>] = [], biases: [[S]] = []
        for k in 0..<layers.count - 1 {
            weights.append(Matrix(rows: layers[k], columns: layers[k + 1], elements: (0..<layers[k] * layers[k + 1]).map { _ in draw() }))
            biases.append((0..<layers[k + 1]).map { _ in draw() })
        }
        let network = Network(layerSizes: layers, activations: activations, weights: weights, biases: biases)
        return WeightsFile(network: network, metadata: WeightsFile.Metadata())
    }
}

// MARK: - Compilers

/// A C compiler at a fixed path.
struct CCompiler: Sendable {
    var name: String
    var path: String

    static let gcc = CCompiler(name: "gcc", path: "/usr/bin/gcc")
    static let clang = CCompiler(name: "clang", path: "/opt/swift/usr/bin/clang")

    /// The flags the header must pass: strict C99, every warning an error.
    static let flags = "-std=c99 -Wall -Wextra -Werror -pedantic -O2"

    var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }
    var missingReason: Comment { "\(name) is not at \(path)" }

    /// Runs `cc FLAGS arguments` in `directory`; expects success.
    func compile(_ arguments: String, in directory: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        try #require(isAvailable, "\(name) is required at \(path)", sourceLocation: sourceLocation)
        let result = try runShell("'\(path)' \(CCompiler.flags) \(arguments)", in: directory.path)
        #expect(result.code == 0, "\(name) \(arguments):\n\(result.stderr)", sourceLocation: sourceLocation)
        return result.code == 0
    }
}

// MARK: - Checks

/// A C main that reads CSV rows of inputs from stdin (strtof for float, as
/// the trainer reads float32 inputs, correctly rounded) and prints each
/// row's outputs with as many digits as read back to the same value.
private func csvMain(name: String, precision: Precision) -> String {
    let float32 = precision == .float32
    let type = float32 ? "float" : "double"
    return """
        #include <stdio.h>
        #include <stdlib.h>
        #define \(name)_IMPLEMENTATION
        #include "\(name).h"

        static char line[1 << 20];

        int main(void)
        {
            \(type) input[\(name)_INPUTS], output[\(name)_OUTPUTS];
            while (fgets(line, sizeof line, stdin)) {
                char *p = line, *end;
                int j;
                for (j = 0; j < \(name)_INPUTS; j++) {
                    input[j] = \(float32 ? "strtof" : "strtod")(p, &end);
                    if (end == p) return 1;
                    p = *end == ',' ? end + 1 : end;
                }
                \(name)_predict(input, output);
                for (j = 0; j < \(name)_OUTPUTS; j++) {
                    if (j > 0) putchar(',');
                    printf("\(float32 ? "%.9g" : "%.17g")", (double)output[j]);
                }
                putchar('\\n');
            }
            return 0;
        }

        """
}

/// CSV rows of numbers, each read in `precision` and widened to Double.
private func numbers(_ text: String, precision: Precision) -> [[Double]] {
    text.split(separator: "\n").map { line in
        line.split(separator: ",").map { field in
            precision == .float32 ? Double(Float(String(field)) ?? .nan) : Double(String(field)) ?? .nan
        }
    }
}

/// `trainer predict` on `file` and `inputs` (CSV text), parsed. Predict
/// applies `metadata.normalize` to the raw inputs, as the header does.
private func trainerOutputs(_ file: WeightsFile, inputs: String, in directory: TemporaryDirectory) -> [[Double]] {
    let weights = directory.write("expected.weights.json", file.encoded())
    let input = directory.write("expected-inputs.csv", inputs)
    let result = runCLI(["predict", weights, input])
    #expect(result.code == 0, "\(result.stderr)")
    return numbers(result.stdout, precision: file.metadata.precision)
}

/// The largest `|c − t| / max(1, |t|)` over all outputs; records a
/// mismatch in shape.
private func largestDifference(_ c: [[Double]], _ t: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    #expect(c.count == t.count && zip(c, t).allSatisfy { $0.count == $1.count }, "shapes differ", sourceLocation: sourceLocation)
    var largest = 0.0
    for (cRow, tRow) in zip(c, t) {
        for (x, y) in zip(cRow, tRow) {
            let difference = abs(x - y) / max(1, abs(y))
            largest = max(largest, difference.isNaN ? .infinity : difference)
        }
    }
    return largest
}

/// Expected: `trainer predict`'s outputs for the same file and rows.
/// Tolerance: |C − trainer| ≤ 1e-5·max(1, |trainer|) in float32 (trainer's
/// float32 sigmoid is its own polynomial, a few ulp from expf's, and its
/// kernels may fuse multiply-adds), 1e-12·max(1, |trainer|) in float64.
private func expectMatchesPredict(_ example: ExportCase, compiler: CCompiler) throws {
    let directory = TemporaryDirectory()
    let file = try example.weightsFile(in: directory)
    let name = example.name
    directory.write("\(name).h", CExport.source(of: file, name: name))
    directory.write("main.c", csvMain(name: name, precision: file.metadata.precision))
    guard try compiler.compile("main.c -o main -lm", in: directory) else { return }
    let inputs = example.inputs(count: file.layers[0])
    directory.write("inputs.csv", inputs)
    let run = try runShell("./main < inputs.csv", in: directory.path)
    #expect(run.code == 0, "\(run.stderr)")
    let c = numbers(run.stdout, precision: file.metadata.precision)
    let expected = trainerOutputs(file, inputs: inputs, in: directory)
    #expect(c.count == inputs.split(separator: "\n").count)
    let tolerance = file.metadata.precision == .float32 ? 1e-5 : 1e-12
    let largest = largestDifference(c, expected)
    #expect(largest <= tolerance, "\(compiler.name), \(example): largest relative difference \(largest)")
}

/// Two .c files include the float32 iris header, one with the
/// implementation; linked together, the program's outputs are trainer
/// predict's (tolerance 1e-5·max(1, |t|), as above). The implementation
/// file also includes the header twice (plainly, then with
/// iris_IMPLEMENTATION), which the second guard allows.
private func expectTwoFilesLink(compiler: CCompiler) throws {
    let directory = TemporaryDirectory()
    let file = ExportCase.iris(Float.self)
    directory.write("iris.h", CExport.source(of: file, name: "iris"))
    directory.write(
        "model.c",
        """
        #include "iris.h"
        #define iris_IMPLEMENTATION
        #include "iris.h"

        """)
    directory.write(
        "main.c",
        """
        #include <stdio.h>
        #include "iris.h"

        int main(void)
        {
            const float input[iris_INPUTS] = {5.1f, 3.5f, 1.4f, 0.2f};
            float output[iris_OUTPUTS];
            int j;
            iris_predict(input, output);
            for (j = 0; j < iris_OUTPUTS; j++) printf(j > 0 ? ",%.9g" : "%.9g", (double)output[j]);
            printf("\\n");
            return 0;
        }

        """)
    guard try compiler.compile("-c model.c -o model.o", in: directory),
        try compiler.compile("-c main.c -o main.o", in: directory),
        try compiler.compile("model.o main.o -o main -lm", in: directory)
    else { return }
    let run = try runShell("./main", in: directory.path)
    #expect(run.code == 0, "\(run.stderr)")
    let expected = trainerOutputs(file, inputs: "5.1,3.5,1.4,0.2\n", in: directory)
    let largest = largestDifference(numbers(run.stdout, precision: .float32), expected)
    #expect(largest <= 1e-5, "\(compiler.name): largest relative difference \(largest)")
}

/// The header (with classes, scaling and a sigmoid helper) included and not
/// used: plainly, and with the implementation but no call. Either must
/// compile and link without a warning.
private func expectUnusedIncludeCompiles(compiler: CCompiler) throws {
    let directory = TemporaryDirectory()
    var file = ExportCase.iris(Float.self)
    file.activations = [.sigmoid, .softmax]
    directory.write("iris.h", CExport.source(of: file, name: "iris"))
    directory.write("plain.c", "#include \"iris.h\"\n\nint main(void)\n{\n    return 0;\n}\n")
    directory.write("defined.c", "#define iris_IMPLEMENTATION\n#include \"iris.h\"\n\nint main(void)\n{\n    return 0;\n}\n")
    _ = try compiler.compile("plain.c -o plain -lm", in: directory)
    _ = try compiler.compile("defined.c -o defined -lm", in: directory)
}

/// Expected: each name's UTF-8 bytes, from Swift, in hex; the C program
/// prints iris_classes[j]'s bytes the same way.
private func expectClassNames(compiler: CCompiler) throws {
    let directory = TemporaryDirectory()
    directory.write("iris.h", CExport.source(of: ExportCase.iris(Double.self), name: "iris"))
    directory.write(
        "main.c",
        """
        #include <stdio.h>
        #include "iris.h"

        int main(void)
        {
            int j;
            const char *p;
            for (j = 0; j < iris_OUTPUTS; j++) {
                for (p = iris_classes[j]; *p; p++) printf("%02x", (unsigned)(unsigned char)*p);
                printf("\\n");
            }
            return 0;
        }

        """)
    guard try compiler.compile("main.c -o main", in: directory) else { return }
    let run = try runShell("./main", in: directory.path)
    let expected = ExportCase.irisClasses.map { name in
        name.utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "\n"
    }.joined()
    #expect(run.stdout == expected)
}
