import Foundation
import Testing
@testable import TrainerKit

/// The pictures of issue 19: `explain --format svg` and `eval --svg`,
/// parsed as XML and checked for the numbers the text reports.
@Suite struct PicturesTests {
    typealias XML = PlotTests.XMLElements

    static func texts(_ document: XML) -> [String] {
        document.elements.filter { $0.name == "text" || $0.name == "tspan" }.map(\.text)
    }

    /// The worked 2-2-2 example: the tutorials' numbers (docs and
    /// WorkedExampleTests: z = 0.3775, a = 0.593270, W[1][0][0] 0.4 →
    /// 0.358916, ∂E/∂W[1][0][0] = 0.0821670, E = 0.298371) in the picture.
    @Test func explainDrawsTheWorkedExample() throws {
        let directory = TemporaryDirectory()
        let result = runCLI([
            "explain", repositoryDirectory + "/configs/worked-2-2-2.json", "--format", "svg", "-o", directory.file("step.svg"),
        ])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let svg = try #require(directory.read("step.svg"))
        let document = try XML.parse(svg)
        let texts = Self.texts(document).joined(separator: "\n")
        for expected in [
            "z[0][0] = 0.3775", "a[1][0] = 0.593270", "a[0][0] = 0.05", "δ[1][0] = 0.138499", "W[1][0][0]: 0.4 → 0.358916",
            "∂E/∂W = 0.0821670", "E = 0.298371 (sse)", "t = [0.01, 0.99]", "b[1][0]: 0.6 → 0.530751",
        ] {
            #expect(texts.contains(expected), "\(expected) is not in the picture")
        }
        #expect(document.elements.filter { $0.name == "line" && $0.attributes["class"] == "weight" }.count == 8)
        #expect(document.elements.filter { $0.name == "g" && $0.attributes["class"] == "neuron" }.count == 6)
    }

    @Test func explainRefusesWideLayers() {
        let result = runCLI(["explain", "--example", "xor", "--set", "network.layers=[2,31,1]", "--format", "svg"])
        #expect(result.code == 2)
        #expect(
            result.stderr
                == "trainer: error: --format: svg draws networks of up to 30 neurons a layer, and layer 1 has 31; use --format text or json\n"
        )
    }

    /// The heat map holds one square per pair, each with the count the text
    /// report prints.
    @Test func evalDrawsTheConfusionMatrix() throws {
        let directory = TemporaryDirectory()
        let config = repositoryDirectory + "/configs/iris.json"
        let run = runCLI([
            "run", config, "--quiet", "--epochs", "20", "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv"),
        ])
        #expect(run.code == 0, "\(run.stderr)")
        let result = runCLI(["eval", directory.file("w.json"), config, "--format", "json", "--svg", directory.file("cm.svg")])
        #expect(result.code == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let confusion = try #require(report["confusion"] as? [[Int]])
        let document = try XML.parse(try #require(directory.read("cm.svg")))
        let cells = document.elements.filter { $0.name == "rect" && $0.attributes["class"] == "cell" }
        #expect(cells.count == 9)
        for cell in cells {
            let actual = Int(cell.attributes["data-actual"]!)!, predicted = Int(cell.attributes["data-predicted"]!)!
            #expect(Int(cell.attributes["data-count"]!) == confusion[actual][predicted])
        }
        let texts = Self.texts(document)
        for name in ["setosa", "versicolor", "virginica", "predicted class", "actual class"] { #expect(texts.contains(name)) }
        let regression = runCLI(["eval", directory.file("w.json"), repositoryDirectory + "/configs/linear-regression.json", "--svg", "-"])
        #expect(regression.code == 2)
    }

    /// `show`: the summary's numbers and the heat map's colours from a
    /// weights file written by hand (independent of training).
    @Test func showSummarizesAndDrawsTheWeights() throws {
        let directory = TemporaryDirectory()
        let weights = directory.write(
            "w.json",
            """
            {"format": "trainer-weights", "format_version": 1, "layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"],
             "weights": [[[0.5, -1.0], [0.25, 2.0]], [[-4.0], [1.0]]], "biases": [[0, 0], [0]],
             "metadata": {"precision": "float64", "epochs_trained": 3, "samples_into_epoch": 0, "samples_trained": 12, "stopped_by": "completed"}}
            """)
        let text = runCLI(["show", weights])
        #expect(text.code == 0, "\(text.stderr)")
        // W[0]: mean (0.5 − 1 + 0.25 + 2)/4 = 0.4375; std √((0.0625² + 1.4375² + 0.1875² + 1.5625²)/4) = √1.13672 = 1.066.
        #expect(text.stdout.contains("2-2-1 (sigmoid), 9 parameters, float64"))
        #expect(text.stdout.contains("W[0]: 2 × 2; min -1, max 2, mean 0.4375, std 1.066"))
        #expect(text.stdout.contains("W[1]: 2 × 1; min -4, max 1, mean -1.5, std 2.5"))

        let drawn = runCLI(["show", weights, "--svg", directory.file("w.svg")])
        #expect(drawn.code == 0, "\(drawn.stderr)")
        let document = try XML.parse(try #require(directory.read("w.svg")))
        let maps = document.elements.filter { $0.name == "g" && $0.attributes["class"] == "heat-map" }
        #expect(maps.map { $0.attributes["data-max-abs"] } == ["2.0", "4.0"])
        // Levels are round(10·w/max|w|): W[0] → 3, -5, 1, 10; W[1] → -10, 3 (two at 3, in one path).
        let levels = document.elements.filter { $0.name == "path" && $0.attributes["class"] == "level" }.compactMap {
            $0.attributes["data-level"].flatMap(Int.init)
        }
        #expect(levels == [-5, 1, 3, 10, -10, 3])
        #expect(document.elements.filter { $0.name == "g" && $0.attributes["class"] == "tiles" }.isEmpty, "2 inputs are not an image")
        let wrong = runCLI(["show", weights, "--image", "28x28"])
        #expect(wrong.code == 2 && wrong.stderr == "trainer: error: --image: 28x28 is 784 pixels, but the network has 2 inputs\n")
    }

    /// Image inputs: one tile per neuron of layer 1.
    @Test func showDrawsImageTiles() throws {
        let directory = TemporaryDirectory()
        let config = directory.write(
            "c.json",
            #"{"network": {"layers": [16, 3, 2]}, "training": {"learning_rate": 0.5, "epochs": 1}, "data": {"train": {"inputs": [[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]], "targets": [[1, 0]]}}}"#
        )
        #expect(runCLI(["run", config, "--quiet", "--weights-out", directory.file("w.json"), "--log", directory.file("l.csv")]).code == 0)
        let result = runCLI(["show", directory.file("w.json"), "--image", "4x4", "--svg", "-"])
        #expect(result.code == 0, "\(result.stderr)")
        let document = try XML.parse(result.stdout)
        let tiles = document.elements.filter { $0.name == "g" && $0.attributes["class"] == "tile" }
        #expect(tiles.count == 3)
        #expect(document.elements.first { $0.attributes["class"] == "tiles" }?.attributes["data-image"] == "4x4")
    }
}
