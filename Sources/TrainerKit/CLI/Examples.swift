/// Configs built into the binary, so that `trainer run --example xor` works on
/// a fresh machine with nothing else. Each is also in `configs/`, where a test
/// checks the two copies agree (the copy there also names the schema beside
/// it with `"$schema"`, which would dangle wherever `trainer example` writes).
public enum Examples {
    public struct Example: Sendable {
        public var name: String
        public var summary: String
        public var config: String
    }

    public static let all: [Example] = [
        Example(
            name: "xor",
            summary: "XOR with a 2-3-1 sigmoid network, learnt from a seeded initialisation",
            config: """
                {
                  "description": "XOR with a 2-3-1 sigmoid network, learnt from a seeded initialisation",
                  "network": {"layers": [2, 3, 1], "activation": "sigmoid"},
                  "training": {
                    "loss": "sse",
                    "learning_rate": 2.0,
                    "epochs": 2000,
                    "batch_size": 1,
                    "shuffle": true,
                    "seed": 1
                  },
                  "data": {
                    "train": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
                  },
                  "output": {"weights": "out/xor.weights.json", "loss_log": "out/xor.loss.csv"}
                }

                """)
    ]

    public static func named(_ name: String) -> Example? {
        all.first { $0.name == name }
    }
}

enum ExampleCommand {
    static func execute(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard let name = arguments.positionals.first else {
            let width = Examples.all.map(\.name.count).max()! + 2
            for example in Examples.all {
                try context.stdout.write(example.name.padded(to: width) + example.summary + "\n")
            }
            return ExitCode.success
        }
        guard let example = Examples.named(name) else {
            throw unknownExample(name, place: "")
        }
        try context.stdout.write(example.config)
        return ExitCode.success
    }

    /// - Parameter place: `--example` for the flag; empty for `trainer
    ///   example NAME`, whose message names the argument itself.
    static func unknownExample(_ name: String, place: String = "--example") -> TrainerError {
        let names = Examples.all.map(\.name)
        return TrainerError.usage(place, JSONFields.unknownName(name, kind: "example", names: names) + ". See 'trainer example'.")
    }
}
