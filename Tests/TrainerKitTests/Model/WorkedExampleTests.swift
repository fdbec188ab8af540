import Foundation
import Testing
@testable import TrainerKit

/// One step of the 2-2-2 sigmoid net with biases (configs/worked-2-2-2.json),
/// every number compared with a hand derivation in 50-digit decimal
/// arithmetic: Tests/Reference/worked_example.py, whose output is pasted
/// below. Its leading digits are also Mazur's published values
/// ("A Step by Step Backpropagation Example", 2015: E = 0.298371109,
/// w5⁺ = 0.35891648, w1⁺ = 0.149780716).
@Suite struct WorkedExampleTests {
    static let tolerance = 1e-12

    func expectClose(_ actual: [Double], _ expected: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values", sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= Self.tolerance * max(1, abs(e)), "\(what): \(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    func loadWorkedExample() throws -> (Config, NetworkSpec) {
        let path = repositoryDirectory + "/configs/worked-2-2-2.json"
        let config = try Config.load(path: path)
        return (config, try config.resolveNetwork())
    }

    @Test func oneStepMatchesTheHandDerivation() throws {
        let (config, spec) = try loadWorkedExample()
        var generator = RandomGenerator(seed: 0)
        var network: Network<Double> = try spec.build(using: &generator)
        var pass = Backpropagation(network: network, batchCapacity: 1)
        pass.setInputs(Matrix([[0.05, 0.10]]))
        pass.setTargets(Matrix([[0.01, 0.99]]))
        pass.forward(network)
        let loss = pass.computeLosses(config.training.loss, activation: .sigmoid)
        pass.backward(network, loss: config.training.loss)

        expectClose(pass.weightedInputs[0].elements, [3.77500000000000000000e-1, 3.92500000000000000000e-1], "z[0]")
        expectClose(pass.activations[1].elements, [5.93269992107187255174e-1, 5.96884378259767056200e-1], "a[1]")
        expectClose(pass.weightedInputs[1].elements, [1.10590596705977007736e+0, 1.22492140409646550850e+0], "z[1]")
        expectClose(pass.activations[2].elements, [7.51365069552315707957e-1, 7.72928465321462588524e-1], "a[2]")
        expectClose([loss], [2.98371108760002688607e-1], "E")
        expectClose(pass.deltas[1].elements, [1.38498561628556965982e-1, -3.80982365165562165317e-2], "δ[1]")
        expectClose(pass.deltas[0].elements, [8.77135468948693454097e-3, 9.95425470521720143118e-3], "δ[0]")
        expectClose(
            pass.weightGradients[1].elements,
            [8.21670405642307788464e-2, -2.26025404774750598485e-2, 8.26676278475332553202e-2, -2.27402422159782107529e-2],
            "∂E/∂W[1]")
        expectClose(
            pass.weightGradients[0].elements,
            [4.38567734474346727048e-4, 4.97712735260860071559e-4, 8.77135468948693454097e-4, 9.95425470521720143118e-4],
            "∂E/∂W[0]")
        expectClose(pass.biasGradients[1], [1.38498561628556965982e-1, -3.80982365165562165317e-2], "∂E/∂b[1]")
        expectClose(pass.biasGradients[0], [8.77135468948693454097e-3, 9.95425470521720143118e-3], "∂E/∂b[0]")

        var optimizer = Optimizer(kind: .sgd, network: network)
        optimizer.update(&network, from: pass, learningRate: config.training.learningRate)
        expectClose(
            network.weights[1].elements,
            [3.58916479717884610577e-1, 5.11301270238737529924e-1, 4.08666186076233372340e-1, 5.61370121107989105376e-1],
            "W[1] after the step")
        expectClose(
            network.weights[0].elements,
            [1.49780716132762826636e-1, 2.49751143632369569964e-1, 1.99561432265525653273e-1, 2.99502287264739139928e-1],
            "W[0] after the step")
        expectClose(network.biases[1], [5.30750719185721517009e-1, 6.19049118258278108266e-1], "b[1] after the step")
        expectClose(network.biases[0], [3.45614322655256532730e-1, 3.45022872647391399284e-1], "b[0] after the step")
    }

    /// The same step through `trainer run`: the weights file and the log
    /// carry the same numbers (the log's loss is E before the update).
    @Test func runWritesTheSameStep() throws {
        let directory = TemporaryDirectory()
        let source = try String(contentsOfFile: repositoryDirectory + "/configs/worked-2-2-2.json", encoding: .utf8)
        let config = directory.write("worked.json", source)
        let result = runCLI(["run", config, "--quiet"])
        #expect(result.code == 0, "\(result.stderr)")
        let weights = try WeightsFile.read(FilePath(path: directory.file("out/worked-2-2-2.weights.json")))
        let w1 = weights.weights[1].flatMap { $0 }.map { Double($0)! }
        expectClose(
            w1, [3.58916479717884610577e-1, 5.11301270238737529924e-1, 4.08666186076233372340e-1, 5.61370121107989105376e-1],
            "W[1] in the file")
        let log = directory.read("out/worked-2-2-2.loss.csv") ?? ""
        let row = log.split(separator: "\n")[1].split(separator: ",")
        #expect(row[0] == "1")
        expectClose([Double(row[1])!], [2.98371108760002688607e-1], "logged loss")
    }
}
