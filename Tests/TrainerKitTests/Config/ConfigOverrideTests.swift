import Foundation
import Testing
@testable import TrainerKit

/// `--set PATH=VALUE` (issue 18, item 1): a value set on the command line is
/// the value written in the file, checked the same way, and its errors name
/// the argument.
@Suite struct ConfigOverrideTests {
    static let xor = Examples.named("xor")!.config

    /// A run with `--set` and a run of the config edited by hand (the text
    /// replaced, an independent route) train the same weights; the file
    /// records the arguments.
    @Test func setEqualsEditingTheFile() throws {
        let directory = TemporaryDirectory()
        let plain = directory.write("xor.json", Self.xor)
        let edited = directory.write(
            "edited.json",
            Self.xor.replacingOccurrences(of: #""learning_rate": 2.0"#, with: #""learning_rate": 0.5"#)
                .replacingOccurrences(of: #""layers": [2, 3, 1]"#, with: #""layers": [2, 5, 1]"#)
                .replacingOccurrences(of: #""batch_size": 1,"#, with: #""batch_size": 1, "optimizer": "momentum","#))
        #expect(edited != plain)
        let set = runCLI([
            "run", plain, "--quiet", "--epochs", "20", "--set", "training.learning_rate=0.5", "--set", "network.layers=[2,5,1]",
            "--set", "training.optimizer=momentum", "--weights-out", directory.file("set.json"), "--log", directory.file("set.csv"),
        ])
        #expect(set.code == 0, "\(set.stderr)")
        let file = runCLI([
            "run", edited, "--quiet", "--epochs", "20", "--weights-out", directory.file("file.json"), "--log", directory.file("file.csv"),
        ])
        #expect(file.code == 0, "\(file.stderr)")
        let a = try WeightsFile.read(FilePath(path: directory.file("set.json")))
        let b = try WeightsFile.read(FilePath(path: directory.file("file.json")))
        #expect(a.layers == [2, 5, 1])
        #expect(a.weights == b.weights && a.biases == b.biases)
        #expect(a.metadata.overrides == ["training.learning_rate=0.5", "network.layers=[2,5,1]", "training.optimizer=momentum"])
        #expect(b.metadata.overrides == nil)
        #expect(a.metadata.lastEpoch?.first?.column == "loss")
    }

    private func text(_ value: JSONValue) -> String {
        switch value {
        case .number(let literal): "number \(literal)"
        case .string(let string): "string \(string)"
        case .bool(let bool): "bool \(bool)"
        default: value.kindDescription
        }
    }

    /// Paths, values, and what becomes of them.
    @Test func parsing() throws {
        let layer = try ConfigOverride("network.layers[1]=30")
        #expect(layer.path == [.key("network"), .key("layers"), .index(1)])
        #expect(text(layer.value) == "number 30")
        #expect(text(try ConfigOverride("training.optimizer=adam").value) == "string adam", "a bare word is a string")
        #expect(text(try ConfigOverride(#"training.optimizer="adam""#).value) == "string adam")
        #expect(text(try ConfigOverride("training.shuffle=false").value) == "bool false")
        #expect(text(try ConfigOverride("output.weights=out/a=b.json").value) == "string out/a=b.json", "the first = splits")
    }

    @Test(arguments: [
        (["--set", "training.learning_rate=-1"], "--set training.learning_rate=-1: expected a number > 0, found -1"),
        (["--set", "training.learnig_rate=1"], "--set training.learnig_rate=1: unknown key; did you mean learning_rate?"),
        (
            ["--set", #"training.target={"belwo": 1}"#],
            #"--set training.target={"belwo": 1}: training.target.belwo: unknown key; did you mean below?"#
        ),
        (["--set", "network.layers[1]=hello"], "--set network.layers[1]=hello: expected a number, found a string"),
        (["--set", "network.layers[5]=3"], "--set network.layers[5]=3: network.layers has 3 elements; expected an index below 3"),
        (["--set", "training.learning_rate.x=3"], "--set training.learning_rate.x=3: training.learning_rate is a number, not an object"),
        (["--set", "nonsense"], "--set nonsense: expected PATH=VALUE, such as training.learning_rate=0.5"),
        (["--set", "a..b=1"], "--set a..b=1: \"a..b\" is not a config path; expected keys joined by dots, such as training.learning_rate"),
        (
            ["--set", "training.early_stopping.monitor=val_loss"],
            "--set training.early_stopping.monitor=val_loss: val_loss needs validation data; add training.validation_split or data.validation"
        ),
        (["--set", "training.epochs=1", "--set", "training.epochs=0"], "--set training.epochs=0: expected a whole number ≥ 1, found 0"),
    ])
    func errorsNameTheArgument(_ arguments: [String], _ message: String) {
        for command in ["check", "run", "explain", "gradcheck"] {
            let result = runCLI([command, "--example", "xor"] + arguments)
            #expect(result.code == 2, "\(command)")
            #expect(result.stderr == "trainer: error: \(message)\n", "\(command)")
        }
    }

    /// An error about a value the file wrote still names the file.
    @Test func fileErrorsStayTheFiles() {
        let directory = TemporaryDirectory()
        let config = directory.write("c.json", Self.xor.replacingOccurrences(of: #""learning_rate": 2.0"#, with: #""learning_rate": -2"#))
        let result = runCLI(["check", config, "--set", "training.epochs=3"])
        #expect(result.stderr == "trainer: error: \(config): training.learning_rate: expected a number > 0, found -2\n")
    }
}
