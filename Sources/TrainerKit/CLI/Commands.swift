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

    public static let gradcheck = CommandSpec(
        name: "gradcheck",
        summary: "backprop's gradients against central differences, per layer",
        arguments: [ArgumentSpec("CONFIG.json", optional: true, help: "the config file ('-' reads stdin)")],
        options: configOptions + [
            OptionSpec("--epsilon", value: "E", help: "the step h of (E(w+h) - E(w-h)) / 2h (default 1e-5)"),
            OptionSpec("--tolerance", value: "T", help: "the largest relative error that passes (default 1e-6)"),
            OptionSpec("--samples", value: "N", help: "use the first N training samples (default: all)"),
            OptionSpec("--max-parameters", value: "N", help: "check at most N parameters per layer, a seeded sample (default 500)"),
        ],
        details: """
            Computes the gradient of the mean loss over the training samples (or
            the first N) twice: by backpropagation, and numerically by central
            differences of the same forward pass, always in float64. Prints, per
            layer and for weights and biases apart, how many parameters were
            checked and the largest absolute and relative errors, where the
            relative error is |backprop - numerical| / max(|backprop|,
            |numerical|, 1e-4) (the floor keeps near-zero gradients, whose
            numerical value is mostly rounding noise, from failing the check).
            Then the time of one numerical gradient of every parameter (measured,
            or extrapolated when only a sample was checked) against one backprop
            pass, and their ratio: why nobody trains with numerical gradients.

            Layers with more than --max-parameters weights are checked on a
            seeded random sample of them (the output says so). Exit 0 when the
            largest relative error is at most the tolerance, 1 when it is above.
            """)

    public static let explain = CommandSpec(
        name: "explain",
        summary: "one training step written out like a worked example",
        arguments: [ArgumentSpec("CONFIG.json", optional: true, help: "the config file ('-' reads stdin)")],
        options: configOptions + [
            OptionSpec("--full", help: "write every number, however large the network"),
            OptionSpec("--format", value: "FORMAT", help: "text (default) or json"),
        ],
        details: """
            Runs the first step of 'trainer run' (the first batch of the first
            epoch, after the same seeded shuffle) and writes out every number of
            it: for each layer z = a·W + b and a = f(z), the loss, each delta,
            each dE/dW and dE/db, and the weights and biases after the update.
            Labels follow SPEC.md: W[1][i][j] joins neuron i of layer 1 to neuron
            j of layer 2. The numbers are those of run's first step, exactly:
            each is the shortest decimal that reads back to the same bits.

            The text is a summary (per layer: shapes, ranges, a few entries
            written out) when the network has more than \(ExplainLimits.parameters) parameters or the
            batch more than \(ExplainLimits.batch) samples; --full writes every number whatever
            the size. Sums of more than \(ExplainLimits.writtenOutTerms) terms are given by their result
            only; lines are broken to fit \(ExplainLimits.width) columns. --format json writes
            every number as one JSON object, never summarised: layers[k] holds
            W[k] and b[k] before the step, z[k], a[k+1], the delta of z[k], the
            gradients of W[k] and b[k], and W[k] and b[k] after it.
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

    public static let eval = CommandSpec(
        name: "eval",
        summary: "loss, accuracy and confusion matrix of saved weights on a config's data",
        arguments: [
            ArgumentSpec("W.json", help: "a weights file written by run"),
            ArgumentSpec("CONFIG.json", help: "the config whose data.test (else data.train) is evaluated"),
        ],
        options: [
            OptionSpec("--format", value: "FORMAT", help: "text (default) or json"),
        ],
        details: """
            Runs the saved network forward over the config's data.test (or
            data.train when there is no test set) and prints the mean per-sample
            loss (the config's training.loss) and, when the targets are one-hot
            classes, the accuracy and the confusion matrix (rows: the actual
            class, columns: the predicted one). The network must have the
            config's layers; it runs in the precision it was trained in.
            """)

    public static let plot = CommandSpec(
        name: "plot",
        summary: "a chart of a loss log: in the terminal, or as an SVG file",
        arguments: [ArgumentSpec("LOSS.csv", help: "a loss log written by run ('-' reads stdin)")],
        options: [
            OptionSpec("--columns", value: "NAMES", help: "the columns to plot, e.g. loss,test_loss (default: all but epoch and seconds)"),
            OptionSpec("--svg", value: "OUT.svg", help: "write an SVG file instead of drawing in the terminal ('-' is stdout)"),
            OptionSpec("--log-scale", help: "a log10 y axis; values <= 0 are left out (with a note on stderr)"),
            OptionSpec("--width", value: "N", help: "the terminal chart's width in characters (default 72, at least 30)"),
            OptionSpec("--height", value: "N", help: "the terminal chart's height in lines (default 20, at least 6)"),
        ],
        details: """
            Plots the columns of a loss log against its epoch column, one line per
            column. A log still being written can be plotted: a last line without
            its newline is taken to be half-written and left out. An empty cell
            (a column not computed every epoch) gives that row no point; the line
            joins its neighbours. Any other cell must be a number.

            In the terminal the chart is drawn with braille dots (2×4 per
            character), with the smallest, middle and largest value on the y
            axis, the first, middle and last epoch on the x axis, and a legend.
            Colours (one per column) are used when stdout is a terminal, NO_COLOR
            is not set (or empty) and TERM is not dumb; without them the legend
            lists the columns in the order they are drawn.

            --svg writes a standalone SVG file (replaced atomically) and nothing
            on stdout: axes with round ticks, the file name as title, a legend,
            and one <path class="series" data-column="NAME"> per column. The
            <g class="plot"> around the paths records the plot area (data-left,
            data-top, data-width, data-height) and the axis ends (data-x-min,
            data-x-max, data-y-min, data-y-max, data-y-scale): a point is at
            x = left + (epoch - xmin) / (xmax - xmin) * width and
            y = top + (t(ymax) - t(value)) / (t(ymax) - t(ymin)) * height, with t
            the identity, or log10 under --log-scale; coordinates have 6 decimals.
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

    public static let completion = CommandSpec(
        name: "completion",
        summary: "print a shell completion script for bash or zsh",
        arguments: [ArgumentSpec("SHELL", help: "bash or zsh")],
        options: [],
        details: """
            Prints a script, generated from this command table, that completes
            trainer's commands, each command's options, option values with a
            fixed list (--format text|json, --example NAME) and file arguments
            (CONFIG.json and W.json complete to .json files, INPUT.csv and
            LOSS.csv to .csv files, PATH to any file).

            bash: add 'source <(trainer completion bash)' to ~/.bashrc, or save the
            script as ~/.local/share/bash-completion/completions/trainer.
            zsh: save it as _trainer in a folder of $fpath ('trainer completion zsh
            > ~/.zfunc/_trainer' with fpath=(~/.zfunc $fpath) before compinit in
            ~/.zshrc), or add 'source <(trainer completion zsh)' after compinit.
            """)

    public static let all: [CommandSpec] = [run, check, explain, gradcheck, predict, eval, plot, example, completion, help]
}
