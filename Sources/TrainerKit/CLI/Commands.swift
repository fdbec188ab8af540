/// The table of commands and their options: the one source for parsing,
/// `trainer help` and the README's command reference.
public enum Commands {
    /// Options shared by the commands that read a config and may override it.
    static let configOptions: [OptionSpec] = [
        OptionSpec("--epochs", value: "N", help: "override training.epochs (this run's epochs)"),
        OptionSpec("--learning-rate", value: "X", help: "override training.learning_rate"),
        OptionSpec("--batch-size", value: "N", help: "override training.batch_size"),
        OptionSpec("--seed", value: "N", help: "override training.seed"),
        OptionSpec("--init-from", value: "W.json", help: "start from a saved weights file (resume, fine-tune)"),
        OptionSpec("--example", value: "NAME", help: "use a built-in example config instead of CONFIG.json"),
        OptionSpec("--max-memory", value: "SIZE", help: "refuse runs estimated above SIZE (default: 16G or 3/4 of RAM)"),
    ]

    public static let run = CommandSpec(
        name: "run",
        summary: "train a network; write its weights and a loss log",
        arguments: [ArgumentSpec("CONFIG.json", optional: true, help: "the config file ('-' reads stdin)")],
        options: configOptions + [
            OptionSpec("--log", value: "PATH", help: "the loss log, overriding output.loss_log; '-' is stdout"),
            OptionSpec("--weights-out", value: "PATH", help: "the weights file, overriding output.weights"),
            OptionSpec("--threads", value: "N", help: "worker threads (default: all cores; more are clamped)"),
            OptionSpec("--quiet", short: "-q", help: "nothing on stderr but errors"),
        ],
        details: """
            Trains with mini-batch gradient descent (the delta rule) and writes:
              - the weights file (output.weights; default out/NAME.weights.json
                beside the config, NAME being the config's name without .json),
                replaced atomically when training ends or is interrupted;
              - the loss log (output.loss_log; default out/NAME.loss.csv), one CSV
                row per epoch, flushed as it is written.
            Missing output folders are created. Progress and notices go to stderr,
            never stdout; with --log - stdout carries only the CSV.

            --init-from W.json continues a run: the network and the shuffling
            generator come from the file, epochs counts this run's epochs, the
            log's epoch numbers continue from the file's, and an existing log
            with the same columns is appended to.

            Exit codes: 0 trained; 1 failed while running (I/O, loss became NaN or
            infinite; no weights written); 2 bad command line, config or data
            (nothing written); 130/143 stopped by SIGINT/SIGTERM after saving the
            weights so far; 141 the log's reader went away (weights so far saved).
            """)

    public static let check = CommandSpec(
        name: "check",
        summary: "validate a config and its data; print a summary; train and write nothing",
        arguments: [ArgumentSpec("CONFIG.json", optional: true, help: "the config file ('-' reads stdin)")],
        options: configOptions,
        details: """
            Reads the config and its data exactly as run would, with the same
            overrides, and prints on stdout: the layers and parameter count, the
            memory estimate, the training settings, the data shapes (and class
            counts), and where run would write. Exit 0 when run would start, 2
            with the first problem otherwise.
            """)

    public static let predict = CommandSpec(
        name: "predict",
        summary: "outputs of a saved network for CSV rows of inputs",
        arguments: [
            ArgumentSpec("W.json", help: "a weights file written by run"),
            ArgumentSpec("INPUT.csv", optional: true, help: "rows of inputs ('-' or absent: stdin)"),
        ],
        options: [
            OptionSpec("--argmax", help: "print the index of the largest output instead of the outputs"),
        ],
        details: """
            Reads CSV rows with one column per input neuron (a header row is
            detected and skipped) and writes one CSV row of outputs per input row
            on stdout, each number the shortest decimal that reads back exactly.
            With --argmax each row is the index of the largest output (the class).
            The network runs in the precision it was trained in.
            """)

    public static let example = CommandSpec(
        name: "example",
        summary: "list the built-in example configs, or print one",
        arguments: [ArgumentSpec("NAME", optional: true, help: "the example to print")],
        options: [],
        details: """
            'trainer example' lists the examples; 'trainer example xor' prints that
            config as JSON, a starting point for your own ('trainer example xor >
            my.json'). 'trainer run --example xor' trains it directly; its outputs
            go to out/xor.weights.json and out/xor.loss.csv in the working folder.
            """)

    public static let help = CommandSpec(
        name: "help",
        summary: "show help for trainer or one of its commands",
        arguments: [ArgumentSpec("COMMAND", optional: true, help: "the command to describe")],
        options: [],
        details: "")

    public static let all: [CommandSpec] = [run, check, predict, example, help]
}
