import Foundation
import Testing
@testable import TrainerKit

// Bad configs and data files run through the CLI in-process (docs/faults.md A1,
// A3 to A12, B1, B2, B4, C1 to C3, D3): each gives exactly one line on
// stderr, exit 2, nothing on stdout, and no file created or changed.
//
// The config is written to a fresh temporary folder and passed by its
// absolute path, so messages name it as `$DIR/c.json`: `$DIR` stands for the
// folder. Where a case marks a spot with ⟨here⟩ (removed before writing),
// `{pos}` in the expected line stands for that spot's line:column
// (`markedSpot` in Support/TestSupport.swift).

@Suite struct ConfigErrorTests {
    /// One bad input and the exact line it must give.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The config text, written as `c.json`; nil writes none.
        var config: String?
        /// The config as bytes, for encodings a string cannot hold.
        var configBytes: [UInt8]? = nil
        /// A byte written in place of the ⟨here⟩ marker instead of removing it.
        var spotByte: UInt8? = nil
        /// More files (data), by path relative to the folder.
        var files: [String: String] = [:]
        /// Folders to create, relative to the folder.
        var folders: [String] = []
        /// The config path passed to the command, relative to the folder.
        var configName = "c.json"
        /// `run` (with `--quiet`) or `check`.
        var command = "run"
        /// The one stderr line, with `$DIR` and `{pos}`.
        var expected: String

        var testDescription: String { name }
    }

    // MARK: - Config builders

    static let network = #"{"layers": [2, 3, 1], "activation": "sigmoid"}"#
    static let training = #"{"learning_rate": 0.5, "epochs": 10, "batch_size": 1, "seed": 7}"#
    static let data = #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}"#
    static let csvData = #"{"train": {"csv": "data/x.csv"}}"#
    static let csvHeader = "x1,x2,y\n"

    /// A config with one section per line: network on line 2, training on
    /// line 3, data on line 4 (when each is one line).
    static func config(network: String = network, training: String = training, data: String = data, extra: String = "") -> String {
        "{\n  \"network\": \(network),\n  \"training\": \(training),\n  \"data\": \(data)\(extra)\n}\n"
    }

    /// The same with training written one key per line, starting on line 3:
    /// learning_rate on line 4, epochs on line 5, batch_size on line 6.
    static func configWithTrainingLines(
        learningRate: String = "0.5", epochs: String = "10", more: String = "", network: String = network
    ) -> String {
        """
        {
          "network": \(network),
          "training": {
            "learning_rate": \(learningRate),
            "epochs": \(epochs),
            "batch_size": 1\(more)
          },
          "data": \(data)
        }

        """
    }

    /// A config with the weights (and biases) given for the network `layers`.
    static func configWithWeights(
        layers: String = "[2, 3, 1]", weights: String, biases: String? = nil, precision: String = "float64"
    ) -> String {
        let biasesText = biases.map { #", "biases": \#($0)"# } ?? ""
        return config(
            network: #"{"layers": \#(layers), "weights": \#(weights)\#(biasesText)}"#,
            training: #"{"learning_rate": 0.5, "epochs": 10, "precision": "\#(precision)"}"#)
    }

    static let goodWeights = "[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8], [0.9]]]"

    /// A config that trains on `data/x.csv` with `source` as data.train.
    static func csvConfig(_ source: String = #"{"csv": "data/x.csv"}"#) -> String {
        config(data: #"{"train": \#(source)}"#)
    }

    /// A CSV case: the data file's text and the expected line.
    static func csv(
        _ name: String, _ text: String, _ expected: String, source: String = #"{"csv": "data/x.csv"}"#, command: String = "run"
    ) -> Case {
        Case(name: name, config: csvConfig(source), files: ["data/x.csv": text], command: command, expected: expected)
    }

    /// A CSV case with one bad cell in column x2 of line 3.
    static func badCell(_ cell: String, found: String) -> Case {
        csv(
            "CSV cell \(found)", csvHeader + "0,0,0\n0,\(cell),1\n1,0,1\n1,1,0\n",
            #"trainer: error: $DIR/data/x.csv:3: column "x2": expected a number, found \#(found)"#)
    }

    // MARK: - The table

    static let cases: [Case] = [
        // A1: files that cannot be read.
        Case(
            name: "config missing", config: nil, configName: "missing.json",
            expected: "trainer: error: $DIR/missing.json: No such file or directory"),
        Case(
            name: "config is a directory", config: nil, folders: ["c.json"],
            expected: "trainer: error: $DIR/c.json: is a directory; expected a file"),
        Case(
            name: "config is a directory (check)", config: nil, folders: ["c.json"], command: "check",
            expected: "trainer: error: $DIR/c.json: is a directory; expected a file"),
        Case(
            name: "data file missing", config: csvConfig(),
            expected: "trainer: error: $DIR/data/x.csv (from $DIR/c.json: data.train.csv): No such file or directory"),
        Case(
            name: "data file missing, path with ..", config: csvConfig(#"{"csv": "./more/../data/x.csv"}"#), command: "check",
            expected: "trainer: error: $DIR/data/x.csv (from $DIR/c.json: data.train.csv): No such file or directory"),
        Case(
            name: "data path is a directory", config: csvConfig(), folders: ["data/x.csv"],
            expected: "trainer: error: $DIR/data/x.csv (from $DIR/c.json: data.train.csv): is a directory; expected a file"),
        Case(
            name: "test data file missing", config: config(data: #"{"train": {"csv": "data/x.csv"}, "test": {"csv": "data/t.csv"}}"#),
            files: ["data/x.csv": csvHeader + "0,0,0\n0,1,1\n1,0,1\n1,1,0\n"],
            expected: "trainer: error: $DIR/data/t.csv (from $DIR/c.json: data.test.csv): No such file or directory"),

        // A3: JSON syntax, with line:column.
        Case(name: "empty config", config: "", expected: "trainer: error: $DIR/c.json:1:1: expected a JSON object, found end of file"),
        Case(
            name: "whitespace-only config", config: "  \n\n\t \n",
            expected: "trainer: error: $DIR/c.json:1:1: expected a JSON object, found end of file"),
        Case(
            name: "doubled comma on line 2",
            config: """
                {
                  "network": {"layers": [2, 3,, 1]},
                  "training": {"learning_rate": 0.5, "epochs": 10},
                  "data": \(data)
                }
                """,
            expected: "trainer: error: $DIR/c.json:2:31: unexpected ','; expected a value"),
        Case(
            name: "unterminated string at the end of the file",
            config: "{\n  \"network\": {\"layers\": [2, 3, 1], \"activation\": ⟨here⟩\"sigm",
            expected: "trainer: error: $DIR/c.json:{pos}: unterminated string; expected '\"' before the end of the file"),
        Case(
            name: "unterminated string at the end of the line",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "loss": ⟨here⟩"sse}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unterminated string; expected '\"' before the end of the line"),
        Case(
            name: "unclosed { at the end of the file",
            config: "{\n  \"network\": \(network),\n  \"training\": \(training),\n  \"data\": \(data)\n",
            expected:
                "trainer: error: $DIR/c.json:5:1: unexpected end of file; expected ',' or '}' (the object opened at 1:1 is not closed)"),

        // A4: what lenient parsers accept.
        Case(
            name: "trailing comma in an array", config: config(network: #"{"layers": [2, 3, 1,⟨here⟩]}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected ']'; expected a value after ','; trailing commas are not allowed"),
        Case(
            name: "trailing comma in an object", config: config(training: #"{"learning_rate": 0.5, "epochs": 10,⟨here⟩}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected '}'; expected a key after ','; trailing commas are not allowed"),
        Case(
            name: "// comment",
            config: "{\n  ⟨here⟩// XOR\n  \"network\": \(network),\n  \"training\": \(training),\n  \"data\": \(data)\n}\n",
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected '/'; expected a key (a string in double quotes) (JSON has no comments)"
        ),
        Case(
            name: "/* */ comment", config: config(network: #"{"layers": [2, 3, 1] ⟨here⟩/* hidden: 3 */}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected '/'; expected ',' or '}' (JSON has no comments)"),
        Case(
            name: "single quotes", config: config(network: #"{"layers": [2, 3, 1], "activation": ⟨here⟩'tanh'}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected \"'\"; expected a value (JSON strings take double quotes)"),
        Case(
            name: "NaN", config: config(training: #"{"learning_rate": ⟨here⟩NaN, "epochs": 10}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected 'NaN'; expected a value (JSON has no NaN or Infinity)"),
        Case(
            name: "Infinity", config: config(training: #"{"learning_rate": ⟨here⟩Infinity, "epochs": 10}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected 'Infinity'; expected a value (JSON has no NaN or Infinity)"),
        Case(
            name: "+1", config: config(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩+1}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected '+'; expected a value (a JSON number may not start with '+')"),
        Case(
            name: ".5", config: config(training: #"{"learning_rate": ⟨here⟩.5, "epochs": 10}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected '.'; expected a value (a JSON number needs a digit before '.')"),
        Case(
            name: "05", config: config(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩05}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: a number may not have leading zeros"),
        Case(
            name: "trailing garbage", config: config() + "⟨here⟩x\n",
            expected: "trainer: error: $DIR/c.json:{pos}: unexpected 'x'; expected end of file after the top-level value"),
        Case(
            name: "top level is an array", config: "⟨here⟩[\(network)]\n",
            expected: "trainer: error: $DIR/c.json:{pos}: expected a JSON object, found '['"),

        // A5: encodings.
        Case(
            name: "byte 0xFF in a string", config: config(network: #"{"layers": [2, 3, 1], "activation": "sig⟨here⟩moid"}"#),
            spotByte: 0xFF,
            expected: "trainer: error: $DIR/c.json:2:54: invalid UTF-8 byte 0xFF"),
        Case(
            name: "Latin-1 é in a string", config: config(extra: ",\n  \"description\": \"caf⟨here⟩\""), spotByte: 0xE9,
            expected: "trainer: error: $DIR/c.json:{pos}: invalid UTF-8 sequence 0xE9 0x22"),
        Case(
            name: "UTF-16 with a byte order mark", config: nil,
            configBytes: [0xFF, 0xFE] + Array(config().utf8).flatMap { [$0, 0] },
            expected: "trainer: error: $DIR/c.json:1:1: expected UTF-8, found UTF-16 (byte order mark 0xFF 0xFE)"),
        Case(
            name: "UTF-16 without a byte order mark", config: nil, configBytes: Array(config().utf8).flatMap { [$0, 0] },
            expected: "trainer: error: $DIR/c.json:1:1: expected UTF-8, found a zero byte (is the file UTF-16?)"),

        // A6: deep nesting, in a config.
        Case(
            name: "100000 opening brackets",
            config: #"{"network": "# + String(repeating: "[", count: 63) + spotMarker + String(repeating: "[", count: 99_937),
            expected: "trainer: error: $DIR/c.json:{pos}: nested deeper than 64 levels"),
        Case(
            name: "100000 nested closed arrays",
            config: #"{"network": "# + String(repeating: "[", count: 63) + spotMarker + String(repeating: "[", count: 99_937)
                + String(repeating: "]", count: 100_000) + "}",
            expected: "trainer: error: $DIR/c.json:{pos}: nested deeper than 64 levels"),
        Case(
            name: "100000 opening brackets at the top level", config: String(repeating: "[", count: 100_000),
            expected: "trainer: error: $DIR/c.json:1:1: expected a JSON object, found '['"),

        // A7: a key given twice.
        Case(
            name: "duplicate key",
            config: """
                {
                  "training": {
                    "epochs": 10,
                    "learning_rate": 0.5,
                    "batch_size": 1,
                    "shuffle": false,
                    "epochs": 20
                  },
                  "network": \(network),
                  "data": \(data)
                }
                """,
            expected: #"trainer: error: $DIR/c.json:7:5: training: duplicate key "epochs" (first at line 3)"#),
        Case(
            name: "duplicate section", config: config(extra: ",\n  ⟨here⟩\"network\": {\"layers\": [2, 1]}"),
            expected: #"trainer: error: $DIR/c.json:{pos}: duplicate key "network" (first at line 2)"#),

        // A8: unknown keys.
        Case(
            name: "misspelt key",
            config: """
                {
                  "network": {"layers": [2, 3, 1]},
                  "training": {
                    "epochs": 10,
                    "batch_size": 1,
                    "learning_rte": 0.5
                  },
                  "data": \(data)
                }
                """,
            expected: "trainer: error: $DIR/c.json:6:5: training.learning_rte: unknown key; did you mean learning_rate?"),
        Case(
            name: "key in the wrong section", config: config(network: #"{"layers": [2, 3, 1], ⟨here⟩"epochs": 10}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: network.epochs: unknown key; epochs belongs in training"),
        Case(
            name: "section key at the top level", config: config(extra: ",\n  ⟨here⟩\"learning_rate\": 0.5"),
            expected: "trainer: error: $DIR/c.json:{pos}: learning_rate: unknown key; learning_rate belongs in training"),
        Case(
            name: "misspelt section", config: config(extra: ",\n  ⟨here⟩\"ouptut\": {}"),
            expected: "trainer: error: $DIR/c.json:{pos}: ouptut: unknown key; did you mean output?"),
        Case(
            name: "unknown key with no near name", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, ⟨here⟩"dropout": 0.9}"#),
            expected:
                "trainer: error: $DIR/c.json:{pos}: training.dropout: unknown key; expected one of loss, learning_rate, epochs, batch_size, shuffle, seed, precision, optimizer, l2, lr_schedule, validation_split, early_stopping, target, checkpoint_every"
        ),
        Case(
            name: "optimizer option at the training level",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, ⟨here⟩"momentum": 0.9}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: training.momentum: unknown key; momentum belongs in training.optimizer"),

        // A9: required keys missing.
        Case(
            name: "learning_rate missing", config: config(training: #"{"epochs": 10}"#), command: "check",
            expected: "trainer: error: $DIR/c.json: training.learning_rate: required, missing; expected a number > 0"),
        Case(
            name: "epochs missing", config: config(training: #"{"learning_rate": 0.5}"#),
            expected: "trainer: error: $DIR/c.json: training.epochs: required, missing; expected a whole number ≥ 1"),
        Case(
            name: "network.layers missing", config: config(network: #"{"activation": "tanh"}"#),
            expected: "trainer: error: $DIR/c.json: network.layers: required, missing; expected layer sizes such as [2, 3, 1]"),
        Case(
            name: "data.train missing", config: config(data: "{}"),
            expected: "trainer: error: $DIR/c.json: data.train: required, missing; expected inline data, a CSV file or IDX files"),
        Case(
            name: "training section missing", config: "{\n  \"network\": \(network),\n  \"data\": \(data)\n}\n",
            expected: "trainer: error: $DIR/c.json: training: required, missing; expected an object with learning_rate and epochs"),
        Case(
            name: "inline targets missing", config: config(data: #"{"train": {"inputs": [[0, 0]]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.targets: required, missing; expected one row of targets per row of inputs"),

        // A10: wrong JSON types, with line:column and path.
        Case(
            name: "learning_rate is a string", config: configWithTrainingLines(learningRate: #""fast""#),
            expected: "trainer: error: $DIR/c.json:4:22: training.learning_rate: expected a number, found a string"),
        Case(
            name: "a layer size is a string", config: config(network: #"{"layers": [2, ⟨here⟩"3", 1]}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: network.layers[1]: expected a number, found a string"),
        Case(
            name: "epochs is null", config: config(training: #"{"learning_rate": 0.5, "epochs": ⟨here⟩null}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: training.epochs: expected a number, found null"),
        Case(
            name: "true in weights",
            config: configWithWeights(weights: "[[[0.1, 0.2, 0.3], [0.4, 0.5, ⟨here⟩true]], [[0.7], [0.8], [0.9]]]"),
            expected: "trainer: error: $DIR/c.json:{pos}: network.weights[0][1][2]: expected a number, found true"),
        Case(
            name: "shuffle is a string", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "shuffle": ⟨here⟩"yes"}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: training.shuffle: expected true or false, found a string"),
        Case(
            name: "training is an array", config: config(training: #"⟨here⟩[0.5, 10]"#),
            expected: "trainer: error: $DIR/c.json:{pos}: training: expected an object, found an array"),
        Case(
            name: "layers is a number", config: config(network: #"{"layers": ⟨here⟩3}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: network.layers: expected an array of layer sizes, found a number"),
        Case(
            name: "inline inputs is a string", config: config(data: #"{"train": {"inputs": ⟨here⟩"x.csv", "targets": []}}"#),
            expected: "trainer: error: $DIR/c.json:{pos}: data.train.inputs: expected an array of rows, found a string"),

        // A11: numbers the field cannot hold.
        Case(
            name: "2.5 epochs", config: configWithTrainingLines(epochs: "2.5"), command: "check",
            expected: "trainer: error: $DIR/c.json: training.epochs: expected a whole number ≥ 1, found 2.5"),
        Case(
            name: "1e400 epochs", config: configWithTrainingLines(epochs: "1e400"),
            expected: "trainer: error: $DIR/c.json: training.epochs: expected a whole number ≥ 1, found 1e400"),
        Case(
            name: "epochs beyond Int", config: configWithTrainingLines(epochs: "99999999999999999999"),
            expected: "trainer: error: $DIR/c.json: training.epochs: expected a whole number ≥ 1, found 99999999999999999999"),
        Case(
            name: "learning_rate 1e-400", config: configWithTrainingLines(learningRate: "1e-400"),
            expected: "trainer: error: $DIR/c.json: training.learning_rate: 1e-400 underflows float64 (rounds to 0)"),
        Case(
            name: "learning_rate 1e400", config: configWithTrainingLines(learningRate: "1e400"),
            expected: "trainer: error: $DIR/c.json: training.learning_rate: 1e400 overflows float64"),
        Case(
            name: "seed -1", config: configWithTrainingLines(more: ",\n    \"seed\": -1"),
            expected: "trainer: error: $DIR/c.json: training.seed: expected a whole number from 0 to 18446744073709551615, found -1"),
        Case(
            name: "seed beyond UInt64", config: configWithTrainingLines(more: ",\n    \"seed\": 18446744073709551616"),
            expected:
                "trainer: error: $DIR/c.json: training.seed: expected a whole number from 0 to 18446744073709551615, found 18446744073709551616"
        ),
        Case(
            name: "batch_size 1.5", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "batch_size": 1.5}"#),
            expected: "trainer: error: $DIR/c.json: training.batch_size: expected a whole number ≥ 1, found 1.5"),

        // A12: values out of the allowed range.
        Case(
            name: "learning_rate 0", config: configWithTrainingLines(learningRate: "0"),
            expected: "trainer: error: $DIR/c.json: training.learning_rate: expected a number > 0, found 0"),
        Case(
            name: "learning_rate negative", config: configWithTrainingLines(learningRate: "-0.5"), command: "check",
            expected: "trainer: error: $DIR/c.json: training.learning_rate: expected a number > 0, found -0.5"),
        Case(
            name: "epochs 0", config: configWithTrainingLines(epochs: "0"),
            expected: "trainer: error: $DIR/c.json: training.epochs: expected a whole number ≥ 1, found 0"),
        Case(
            name: "batch_size 0", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "batch_size": 0}"#),
            expected: "trainer: error: $DIR/c.json: training.batch_size: expected a whole number ≥ 1, found 0"),
        Case(
            name: "one layer", config: config(network: #"{"layers": [2]}"#),
            expected: "trainer: error: $DIR/c.json: network.layers: expected at least 2 sizes (inputs and outputs), found 1"),
        Case(
            name: "no layers", config: config(network: #"{"layers": []}"#),
            expected: "trainer: error: $DIR/c.json: network.layers: expected at least 2 sizes (inputs and outputs), found 0"),
        Case(
            name: "a layer of 0", config: config(network: #"{"layers": [2, 0, 1]}"#),
            expected: "trainer: error: $DIR/c.json: network.layers[1]: expected a whole number ≥ 1, found 0"),
        Case(
            name: "activation sigmod", config: config(network: #"{"layers": [2, 3, 1], "activation": "sigmod"}"#),
            expected:
                #"trainer: error: $DIR/c.json: network.activation: unknown activation "sigmod"; did you mean sigmoid? (expected one of sigmoid, tanh, relu, linear, softmax)"#
        ),
        Case(
            name: "unknown activation in the list", config: config(network: #"{"layers": [2, 3, 1], "activations": ["relu", "step"]}"#),
            expected:
                #"trainer: error: $DIR/c.json: network.activations[1]: unknown activation "step" (expected one of sigmoid, tanh, relu, linear, softmax)"#
        ),
        Case(
            name: "softmax for every layer", config: config(network: #"{"layers": [2, 3, 2], "activation": "softmax"}"#),
            expected:
                #"trainer: error: $DIR/c.json: network.activation: softmax is only allowed on the output layer; use network.activations, for example ["sigmoid", "softmax"]"#
        ),
        Case(
            name: "softmax on a hidden layer", config: config(network: #"{"layers": [2, 3, 2], "activations": ["softmax", "sigmoid"]}"#),
            expected: "trainer: error: $DIR/c.json: network.activations[0]: softmax is only allowed on the output layer (layer 1 is hidden)"
        ),
        Case(
            name: "activations of the wrong count",
            config: config(network: #"{"layers": [2, 3, 1], "activations": ["tanh", "sigmoid", "sigmoid"]}"#),
            expected: "trainer: error: $DIR/c.json: network.activations: expected 2 names (one per layer after the input), found 3"),
        Case(
            name: "precision float16", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "precision": "float16"}"#),
            expected:
                #"trainer: error: $DIR/c.json: training.precision: unknown precision "float16"; did you mean float64? (expected one of float64, float32)"#
        ),
        Case(
            name: "unknown optimizer", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": "adma"}"#),
            expected:
                "trainer: error: $DIR/c.json: training.optimizer: unknown optimizer \"adma\"; did you mean adam? (expected one of sgd, momentum, adam)"
        ),
        Case(
            name: "unknown optimizer in an object",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": {"name": "nesterov"}}"#),
            expected:
                "trainer: error: $DIR/c.json: training.optimizer.name: unknown optimizer \"nesterov\" (expected one of sgd, momentum, adam)"
        ),
        Case(
            name: "beta1 of 1",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": {"name": "adam", "beta1": 1}}"#),
            expected: "trainer: error: $DIR/c.json: training.optimizer.beta1: expected a number in [0, 1), found 1"),
        Case(
            name: "negative beta2",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": {"name": "adam", "beta2": -0.5}}"#),
            expected: "trainer: error: $DIR/c.json: training.optimizer.beta2: expected a number in [0, 1), found -0.5"),
        Case(
            name: "momentum option given to adam",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": {"name": "adam", "momentum": 0.9}}"#),
            expected: "trainer: error: $DIR/c.json: training.optimizer.momentum: not an option of adam (its options: beta1, beta2, epsilon)"
        ),
        Case(
            name: "zero epsilon",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "optimizer": {"name": "adam", "epsilon": 0}}"#),
            expected: "trainer: error: $DIR/c.json: training.optimizer.epsilon: expected a number > 0, found 0"),
        Case(
            name: "negative l2", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "l2": -0.01}"#),
            expected: "trainer: error: $DIR/c.json: training.l2: expected a number ≥ 0, found -0.01"),
        Case(
            name: "unknown schedule", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "lr_schedule": "cosin"}"#),
            expected:
                "trainer: error: $DIR/c.json: training.lr_schedule: unknown schedule \"cosin\"; did you mean cosine? (expected one of constant, step, exponential, cosine)"
        ),
        Case(
            name: "step schedule without its options",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "lr_schedule": "step"}"#),
            expected: "trainer: error: $DIR/c.json: training.lr_schedule: step needs every and factor; write {\"name\": \"step\", ...}"),
        Case(
            name: "step factor above 1",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "lr_schedule": {"name": "step", "every": 5, "factor": 2}}"#),
            expected: "trainer: error: $DIR/c.json: training.lr_schedule.factor: expected a number in (0, 1], found 2"),
        Case(
            name: "validation_split of 1", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "validation_split": 1}"#),
            expected: "trainer: error: $DIR/c.json: training.validation_split: expected a fraction between 0 and 1 (exclusive), found 1"),
        Case(
            name: "negative patience",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "validation_split": 0.5, "early_stopping": {"patience": -1}}"#),
            expected: "trainer: error: $DIR/c.json: training.early_stopping.patience: expected a whole number ≥ 1, found -1"),
        Case(
            name: "negative min_delta",
            config: config(
                training: #"{"learning_rate": 0.5, "epochs": 10, "validation_split": 0.5, "early_stopping": {"min_delta": -0.1}}"#),
            expected: "trainer: error: $DIR/c.json: training.early_stopping.min_delta: expected a number ≥ 0, found -0.1"),
        Case(
            name: "unknown monitor",
            config: config(
                training: #"{"learning_rate": 0.5, "epochs": 10, "validation_split": 0.5, "early_stopping": {"monitor": "val_los"}}"#),
            expected:
                "trainer: error: $DIR/c.json: training.early_stopping.monitor: unknown column \"val_los\"; did you mean val_loss? (expected one of val_loss, val_accuracy, test_loss, test_accuracy, loss, accuracy)"
        ),
        Case(
            name: "val_loss monitored without validation data",
            config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "early_stopping": {"patience": 3}}"#),
            expected:
                "trainer: error: $DIR/c.json: training.early_stopping.monitor: val_loss needs validation data; add training.validation_split or data.validation"
        ),
        Case(
            name: "checkpoint_every 0", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "checkpoint_every": 0}"#),
            expected: "trainer: error: $DIR/c.json: training.checkpoint_every: expected a whole number ≥ 1, found 0"),
        Case(
            name: "unknown loss", config: config(training: #"{"learning_rate": 0.5, "epochs": 10, "loss": "mae"}"#),
            expected:
                #"trainer: error: $DIR/c.json: training.loss: unknown loss "mae"; did you mean mse? (expected one of sse, mse, cross_entropy)"#
        ),
        Case(
            name: "cross_entropy after a linear output",
            config: config(
                network: #"{"layers": [2, 3, 1], "activation": "linear"}"#,
                training: #"{"learning_rate": 0.5, "epochs": 10, "loss": "cross_entropy"}"#),
            expected: "trainer: error: $DIR/c.json: training.loss: cross_entropy needs a softmax or sigmoid output layer, found linear"),

        // B1, B2: weight and bias shapes.
        Case(
            name: "two matrices for four layers", config: configWithWeights(layers: "[2, 3, 3, 1]", weights: goodWeights),
            expected: "trainer: error: $DIR/c.json: network.weights: expected 3 matrices (one per layer after the input), found 2"),
        Case(
            name: "a matrix with the wrong rows",
            config: configWithWeights(weights: "[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8]]]"),
            expected: "trainer: error: $DIR/c.json: network.weights[1]: expected 3 rows (layer 1 has 3 neurons), found 2"),
        Case(
            name: "a ragged weight row", config: configWithWeights(weights: "[[[0.1, 0.2, 0.3], [0.4, 0.5]], [[0.7], [0.8], [0.9]]]"),
            expected: "trainer: error: $DIR/c.json: network.weights[0][1]: expected 3 columns (layer 1 has 3 neurons), found 2"),
        Case(
            name: "wrong number of bias vectors", config: configWithWeights(weights: goodWeights, biases: "[[0, 0, 0]]"),
            expected: "trainer: error: $DIR/c.json: network.biases: expected 2 vectors (one per layer after the input), found 1"),
        Case(
            name: "a bias vector of the wrong length", config: configWithWeights(weights: goodWeights, biases: "[[0, 0], [0]]"),
            expected: "trainer: error: $DIR/c.json: network.biases[0]: expected 3 values (layer 1 has 3 neurons), found 2"),

        // D3: a value that fits float64 but not float32.
        Case(
            name: "1e39 in float32 weights",
            config: configWithWeights(weights: "[[[0.1, 0.2, 0.3], [0.4, 0.5, 1e39]], [[0.7], [0.8], [0.9]]]", precision: "float32"),
            expected: "trainer: error: $DIR/c.json: network.weights[0][1][2]: 1e39 overflows float32"),
        Case(
            name: "1e39 in float32 biases",
            config: configWithWeights(weights: goodWeights, biases: "[[0, 0, 0], [-1e39]]", precision: "float32"),
            expected: "trainer: error: $DIR/c.json: network.biases[1][0]: -1e39 overflows float32"),
        Case(
            name: "1e39 in float32 inline data",
            config: config(
                training: #"{"learning_rate": 0.5, "epochs": 10, "precision": "float32"}"#,
                data: #"{"train": {"inputs": [[0, 0], [1e39, 1]], "targets": [[0], [1]]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.inputs[1][0]: 1e39 overflows float32"),
        // Issue 15, item 13: float32 training settings that overflow float32
        // (largest finite 3.4028235e38) or are not 0 but round to 0
        // (smallest positive 1e-45, a subnormal): a NaN, or a silent 0, at run time.
        float32Setting(#""learning_rate": 1e39"#, "training.learning_rate: 1e39 overflows float32 (largest 3.4028235e38)"),
        float32Setting(#""learning_rate": 1e-50"#, "training.learning_rate: 1e-50 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(#""learning_rate": 0.5, "l2": 3.5e38"#, "training.l2: 3.5e38 overflows float32 (largest 3.4028235e38)"),
        float32Setting(#""learning_rate": 0.5, "l2": 7e-46"#, "training.l2: 7e-46 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "optimizer": {"name": "momentum", "momentum": 1e-50}"#,
            "training.optimizer.momentum: 1e-50 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "optimizer": {"name": "adam", "beta1": 1e-46}"#,
            "training.optimizer.beta1: 1e-46 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "optimizer": {"name": "adam", "beta2": 2e-50}"#,
            "training.optimizer.beta2: 2e-50 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "optimizer": {"name": "adam", "epsilon": 1e-60}"#,
            "training.optimizer.epsilon: 1e-60 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "optimizer": {"name": "adam", "epsilon": 1e300}"#,
            "training.optimizer.epsilon: 1e300 overflows float32 (largest 3.4028235e38)"),
        float32Setting(
            #""learning_rate": 0.5, "lr_schedule": {"name": "exponential", "factor": 1e-50}"#,
            "training.lr_schedule.factor: 1e-50 underflows float32 (rounds to 0; smallest 1e-45)"),
        float32Setting(
            #""learning_rate": 0.5, "lr_schedule": {"name": "cosine", "epochs": 5, "minimum": 1e-50}"#,
            "training.lr_schedule.minimum: 1e-50 underflows float32 (rounds to 0; smallest 1e-45)"),

        // B4: inline data against the network.
        Case(
            name: "an input row too wide",
            config: config(data: #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0, 1]], "targets": [[0], [1], [1]]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.inputs[2]: expected 2 values (network.layers[0] is 2), found 3"),
        Case(
            name: "a target row too wide",
            config: config(data: #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0, 1]]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.targets[3]: expected 1 value (the output layer has 1 neuron), found 2"),
        Case(
            name: "fewer target rows than inputs",
            config: config(data: #"{"train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1]]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.targets: expected 4 rows (one per row of inputs), found 3"),
        Case(
            name: "no inline samples", config: config(data: #"{"train": {"inputs": [], "targets": []}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.inputs: no samples; expected at least one row"),
        Case(
            name: "a class label beyond the outputs",
            config: config(network: #"{"layers": [2, 3, 2]}"#, data: #"{"train": {"inputs": [[0, 0], [0, 1]], "labels": [0, 2]}}"#),
            expected: "trainer: error: $DIR/c.json: data.train.labels[1]: class 2 ≥ 2 (the output layer has 2 neurons)"),
        csv(
            "CSV with 3 input columns for 2 inputs", "a,b,c,y\n0,0,0,0\n1,1,1,1\n",
            "trainer: error: $DIR/data/x.csv:1: 3 input columns, but network.layers[0] is 2; choose columns with data.train.inputs"),

        // C1, C2: CSV rows and cells.
        csv(
            "CSV ragged row", csvHeader + "0,0,0\n0,1\n1,0,1\n",
            "trainer: error: $DIR/data/x.csv:3: expected 3 fields, found 2"),
        csv(
            "CSV row too long, after a blank line", csvHeader + "0,0,0\n\n0,1,1,1\n",
            "trainer: error: $DIR/data/x.csv:4: expected 3 fields, found 4", command: "check"),
        badCell("nan", found: #""nan""#),
        badCell("inf", found: #""inf""#),
        badCell("-Infinity", found: #""-Infinity""#),
        badCell("NA", found: #""NA""#),
        badCell("", found: #""""#),
        badCell("0x1p3", found: #""0x1p3""#),
        badCell(" 1", found: #"" 1""#),
        badCell("1 ", found: #""1 ""#),
        badCell("abc", found: #""abc""#),
        badCell(#""1,5""#, found: #""1,5""#),
        csv(
            "CSV cell 1e400", csvHeader + "0,0,0\n0,1e400,1\n",
            #"trainer: error: $DIR/data/x.csv:3: column "x2": 1e400 overflows float64"#),
        csv(
            "CSV target NA", csvHeader + "0,0,0\n0,1,NA\n",
            #"trainer: error: $DIR/data/x.csv:3: column "y": expected a number, found "NA"; for a class column use data.train.label"#),
        csv(
            "CSV without a header, bad cell", "0,0,0\n0,x,1\n",
            #"trainer: error: $DIR/data/x.csv:2: column 1: expected a number, found "x""#,
            source: #"{"csv": "data/x.csv", "header": false}"#),

        // C3: CSV structure.
        csv("CSV empty", "", "trainer: error: $DIR/data/x.csv: no samples; the file is empty"),
        csv("CSV only blank lines", "\n\r\n\n", "trainer: error: $DIR/data/x.csv: no samples; the file is empty"),
        csv("CSV header only", csvHeader, "trainer: error: $DIR/data/x.csv: no samples; the file has only a header row", command: "check"),
        csv(
            "CSV label column missing", csvHeader + "0,0,0\n",
            #"trainer: error: data.train.label: column "species" not in the header of $DIR/data/x.csv (columns: x1,x2,y)"#,
            source: #"{"csv": "data/x.csv", "label": "species"}"#),
        csv(
            "CSV input column misspelt", csvHeader + "0,0,0\n",
            #"trainer: error: data.train.inputs[1]: column "x3" not in the header of $DIR/data/x.csv; did you mean x1? (columns: x1,x2,y)"#,
            source: #"{"csv": "data/x.csv", "inputs": ["x1", "x3"]}"#),
        csv(
            "CSV column index out of range", csvHeader + "0,0,0\n",
            "trainer: error: data.train.targets: column 3 is not in $DIR/data/x.csv, which has 3 columns (0 to 2)",
            source: #"{"csv": "data/x.csv", "targets": 3}"#),
        csv(
            "CSV column named twice in the header", "x1,x1,y\n0,0,0\n",
            #"trainer: error: data.train.inputs[0]: column "x1" appears 2 times in the header of $DIR/data/x.csv"#,
            source: #"{"csv": "data/x.csv", "inputs": ["x1", "y"]}"#),
        Case(
            name: "CSV class label beyond the outputs",
            config: config(
                network: #"{"layers": [2, 3, 2], "activations": ["tanh", "softmax"]}"#,
                data: #"{"train": {"csv": "data/x.csv", "label": "y"}}"#),
            files: ["data/x.csv": csvHeader + "0,0,0\n0,1,1\n1,0,2\n"],
            expected: #"trainer: error: $DIR/data/x.csv:4: column "y": label 2 ≥ 2 classes (the output layer has 2 neurons)"#),
        csv(
            "CSV unterminated quote", csvHeader + "0,0,0\n0,\"1,1\n",
            "trainer: error: $DIR/data/x.csv:3: unterminated quoted field; expected a closing '\"'"),
    ]

    /// A float32 config with these training members, and its error line.
    static func float32Setting(_ members: String, _ expected: String) -> Case {
        Case(
            name: "float32 \(members)",
            config: config(training: "{\(members), \"epochs\": 10, \"precision\": \"float32\"}"),
            expected: "trainer: error: $DIR/c.json: \(expected)")
    }

    @Test(arguments: ConfigErrorTests.cases)
    func badInputGivesOneLineAndExit2AndWritesNothing(_ testCase: Case) throws {
        let directory = TemporaryDirectory()
        for folder in testCase.folders {
            try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true)
        }
        for (name, text) in testCase.files { directory.write(name, text) }
        var position: String?
        if let bytes = testCase.configBytes {
            directory.write(testCase.configName, bytes: bytes)
        } else if let marked = testCase.config {
            let (text, spotPosition) = markedSpot(marked)
            position = spotPosition
            if let byte = testCase.spotByte, let range = marked.range(of: spotMarker) {
                let bytes = Array(marked[..<range.lowerBound].utf8) + [byte] + Array(marked[range.upperBound...].utf8)
                directory.write(testCase.configName, bytes: bytes)
            } else {
                directory.write(testCase.configName, text)
            }
        }
        if testCase.expected.contains("{pos}") {
            try #require(position != nil, "the expected line has {pos} but the config marks no spot")
        }
        let expected = testCase.expected.replacingOccurrences(of: "{pos}", with: position ?? "")

        let before = directory.listing()
        let arguments = [testCase.command, directory.file(testCase.configName)] + (testCase.command == "run" ? ["--quiet"] : [])
        let result = runCLI(arguments)
        let after = directory.listing()

        let stderr = result.stderr.replacingOccurrences(of: directory.path, with: "$DIR")
        #expect(stderr == expected + "\n")
        #expect(result.code == 2)
        #expect(result.stdout == "")
        #expect(after == before, "the run created or changed files")
        expectNoCrash(result)
    }

    // MARK: - Accepted variants (so the cases above fail for their stated reason)

    static let acceptedConfigs: [(String, String)] = [
        ("the base config", config()),
        ("epochs 2.0", configWithTrainingLines(epochs: "2.0")),
        ("epochs 1e2", configWithTrainingLines(epochs: "1e2")),
        ("epochs 1E+1", configWithTrainingLines(epochs: "1E+1")),
        ("seed 0e1", configWithTrainingLines(more: ",\n    \"seed\": 0e1")),
        ("seed -0", configWithTrainingLines(more: ",\n    \"seed\": -0")),
        ("seed at UInt64.max", configWithTrainingLines(more: ",\n    \"seed\": 18446744073709551615")),
        ("learning_rate 5e-1", configWithTrainingLines(learningRate: "5e-1")),
        ("batch_size equal to the samples", config(training: #"{"learning_rate": 0.5, "epochs": 10, "batch_size": 4}"#)),
        ("weights and biases", configWithWeights(weights: goodWeights, biases: "[[0, 0.1, -0.1], [0.2]]")),
        (
            "float32 weights at the edge",
            configWithWeights(weights: "[[[0.1, 0.2, 0.3], [0.4, 0.5, 3e38]], [[0.7], [0.8], [0.9]]]", precision: "float32")
        ),
        // Issue 15, item 13: float32 settings at the edges of float32, and
        // float64 settings that only float32 would refuse.
        ("float32 learning_rate 3.4e38", config(training: #"{"learning_rate": 3.4e38, "epochs": 10, "precision": "float32"}"#)),
        ("float32 learning_rate 1e-45 (subnormal)", config(training: #"{"learning_rate": 1e-45, "epochs": 10, "precision": "float32"}"#)),
        (
            "float32 l2 0, schedule minimum 0",
            config(
                training:
                    #"{"learning_rate": 0.5, "epochs": 10, "precision": "float32", "l2": 0, "lr_schedule": {"name": "cosine", "epochs": 5, "minimum": 0e-50}}"#
            )
        ),
        (
            "float64 learning_rate 1e39, epsilon 1e-60",
            config(training: #"{"learning_rate": 1e39, "epochs": 10, "optimizer": {"name": "adam", "epsilon": 1e-60}}"#)
        ),
        ("a description", config(extra: ",\n  \"description\": \"ok\"")),
    ]

    @Test(arguments: ConfigErrorTests.acceptedConfigs)
    func acceptedVariantPassesCheck(_ name: String, _ text: String) {
        let directory = TemporaryDirectory()
        let path = directory.write("c.json", text)
        let before = directory.listing()
        let result = runCLI(["check", path])
        #expect(result.code == 0, "\(name): \(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout.hasSuffix("ok\n"))
        #expect(directory.listing() == before)
        expectNoCrash(result)
    }

    @Test func utf8ByteOrderMarkInAConfigIsAccepted() {
        let directory = TemporaryDirectory()
        let path = directory.write("c.json", bytes: [0xEF, 0xBB, 0xBF] + Array(ConfigErrorTests.config().utf8))
        let result = runCLI(["check", path])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == "")
    }

    @Test func syntaxErrorAfterAByteOrderMarkCountsColumnsWithoutIt() {
        let directory = TemporaryDirectory()
        let path = directory.write("c.json", bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"network": [2,,]}"#.utf8))
        let result = runCLI(["run", path, "--quiet"])
        #expect(result.stderr == "trainer: error: \(path):1:16: unexpected ','; expected a value\n")
        #expect(result.code == 2)
    }

    /// The table covers at least the 30 configs the brief asks for.
    @Test func tableIsLargeEnough() {
        #expect(ConfigErrorTests.cases.count >= 30)
        #expect(Set(ConfigErrorTests.cases.map(\.name)).count == ConfigErrorTests.cases.count, "case names are unique")
    }
}
