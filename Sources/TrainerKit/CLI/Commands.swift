/// The table of commands and their options: the one source for parsing,
/// `trainer help` and docs/commands.md.
public enum Commands {
    /// Options shared by the commands that read a config and may override it.
    static let configOptions: [OptionSpec] = [
        OptionSpec("--epochs", value: "N", help: "override training.epochs (this run's epochs)"),
        OptionSpec("--learning-rate", value: "X", help: "override training.learning_rate"),
        OptionSpec("--batch-size", value: "N", help: "override training.batch_size"),
        OptionSpec("--seed", value: "N", help: "override training.seed"),
        OptionSpec("--set", value: "PATH=VALUE", help: "set any config value, as JSON (repeatable): training.optimizer=adam"),
        OptionSpec("--init-from", value: "W.json", help: "start from a saved weights file (resume, fine-tune)"),
        OptionSpec("--example", value: "NAME", help: "use a built-in example config instead of CONFIG.json"),
        OptionSpec("--max-memory", value: "SIZE", help: "refuse runs estimated above SIZE (default: 16G or 3/4 of RAM)"),
    ]

    /// The optional config argument of run, check, explain and gradcheck.
    static let configArgument = ArgumentSpec("CONFIG.json", optional: true, help: "the config file ('-' reads stdin)")
    /// The weights file argument of predict and eval.
    static let weightsArgument = ArgumentSpec("W.json", help: "a weights file written by run")
    /// `--format text|json`, of explain and eval.
    static let formatOption = OptionSpec("--format", value: "FORMAT", help: "text (default) or json")

    /// Exit statuses shared by several commands.
    static let invalidInput = ExitStatusSpec("2", "bad command line, config or data; nothing is written")
    static let outputFailed = ExitStatusSpec("1", "writing stdout failed (a full disk, for one)")
    static let outputClosed = ExitStatusSpec("141", "the reader of stdout went away ('| head'); the rest is not written")

    public static let run = CommandSpec(
        name: "run",
        summary: "train a network; write its weights and a loss log",
        arguments: [configArgument],
        options: configOptions + [
            OptionSpec("--log", value: "PATH", help: "the loss log, overriding output.loss_log; '-' is stdout"),
            OptionSpec("--weights-out", value: "PATH", help: "the weights file, overriding output.weights"),
            OptionSpec("--threads", value: "N", help: "worker threads (default: all cores; more are clamped)"),
            OptionSpec("--train-seconds", help: "add a train_seconds column: each epoch's training alone"),
            OptionSpec("--progress", value: "N", help: "a progress line every N epochs ('epoch': each), with samples/s and time left"),
            OptionSpec("--quiet", short: "-q", help: "nothing on stderr but errors"),
        ],
        details: """
            Trains with mini-batch gradient descent (the delta rule) and writes:
              - the weights file (output.weights; default out/NAME.weights.json
                beside the config, NAME being the config's name without .json),
                replaced atomically when training ends or is interrupted;
              - the loss log (output.loss_log; default out/NAME.loss.csv), one CSV
                row per epoch, written as the epoch ends (a few rows at a time
                when epochs take less than 0.1 s). Its seconds column is the
                wall time since training began, evaluation and logging
                included; --train-seconds adds train_seconds, the epoch's
                forward, backward and update passes alone.
            Missing output folders are created. Progress and notices go to stderr,
            never stdout; with --log - stdout carries only the CSV.

            --init-from W.json continues a run: the network and the shuffling
            generator come from the file, epochs counts this run's epochs, the
            log's epoch numbers continue from the file's, and an existing log
            with the same columns is appended to, after its rows past the
            file's epoch (logged after a checkpoint) are dropped.
            """,
        exitStatus: [
            ExitStatusSpec("0", "trained to the last epoch, or stopped by training.early_stopping or training.target"),
            ExitStatusSpec(
                "1",
                "failed while running: an I/O error, or the loss became NaN or infinite (the weights file is not written; the log keeps the rows before)"
            ),
            ExitStatusSpec("2", "bad command line, config or data, found before training; nothing is written"),
            ExitStatusSpec(
                "130, 143",
                "stopped by SIGINT or SIGTERM at a batch boundary; the log is complete to the last epoch and the weights so far are saved (continue with --init-from)"
            ),
            ExitStatusSpec("141", "the reader of --log - went away ('| head -3'); the weights so far are saved"),
        ],
        examples: [
            ExampleSpec(
                "trainer run configs/xor.json",
                "Train XOR; the weights go to configs/out/xor.weights.json, the log to configs/out/xor.loss.csv."),
            ExampleSpec(
                "trainer run configs/xor.json --epochs 1000 --init-from configs/out/xor.weights.json",
                "Then 1000 epochs more from the saved weights: epochs 2001 to 3000, appended to the log."),
            ExampleSpec(
                "trainer run configs/mnist.json --epochs 5 --log - | trainer plot -",
                "Five epochs of MNIST (after 'make mnist'), the log on stdout drawn as a chart."),
            ExampleSpec("trainer run --example xor --quiet", "The built-in example, no file needed; its outputs go to out/."),
        ])

    public static let check = CommandSpec(
        name: "check",
        summary: "validate a config and its data; print a summary; write nothing",
        arguments: [configArgument],
        options: configOptions,
        details: """
            Reads the config and its data exactly as run would, with the same
            overrides, and prints on stdout: the layers and parameter count, the
            training settings, the data shapes (and class counts), the estimate
            of the run's peak memory (its parts largest first), and where run
            would write.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the config and its data are valid: run would start"),
            outputFailed,
            ExitStatusSpec("2", "the first problem found in the command line, config or data"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer check configs/mnist.json", "The network, memory estimate and data shapes of MNIST's config."),
            ExampleSpec("trainer check configs/iris.json --batch-size 16", "The same with an override, as run would apply it."),
            ExampleSpec("trainer example xor | trainer check -", "A config read from stdin."),
        ])

    public static let gradcheck = CommandSpec(
        name: "gradcheck",
        summary: "backprop's gradients against central differences, per layer",
        arguments: [configArgument],
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
            seeded random sample of them (the output says so).

            A loss that is NaN or infinite, or a gradient that is (by backprop or
            numerically), leaves nothing to compare: the check fails and its
            result line says which (a row with no finite gradient shows - for
            its errors).
            """,
        exitStatus: [
            ExitStatusSpec("0", "the largest relative error is at most --tolerance, and every gradient was compared"),
            ExitStatusSpec(
                "1",
                "the largest relative error is above --tolerance, or the loss or a gradient is NaN or infinite so nothing could be compared (or writing stdout failed)"
            ),
            invalidInput,
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer gradcheck configs/worked-3-5-4-2.json", "Every parameter of the tutorials' 3-5-4-2 network."),
            ExampleSpec(
                "trainer gradcheck configs/mnist.json --samples 10 --max-parameters 100",
                "MNIST's 784-30-10 network on 10 images, 100 sampled weights per layer."),
            ExampleSpec("trainer gradcheck configs/xor.json --epsilon 1e-1", "A step h too large: the check fails, exit 1."),
        ])

    public static let explain = CommandSpec(
        name: "explain",
        summary: "one training step written out like a worked example",
        arguments: [configArgument],
        options: configOptions + [
            OptionSpec("--full", help: "write every number, however large the network"),
            OptionSpec("--format", value: "text|json|svg", help: "text (default), json, or svg: the network drawn with every number"),
            OptionSpec("--output", short: "-o", value: "PATH", help: "write to PATH (replaced atomically) instead of stdout"),
        ],
        details: """
            Runs the first step of 'trainer run' (the first batch of the first
            epoch, after the same seeded shuffle) and writes out every number of
            it: for each layer z = a·W + b and a = f(z), the loss, each delta,
            each dE/dW and dE/db, and the weights and biases after the update.
            Labels follow the config: W[1][i][j] joins neuron i of layer 1 to
            neuron j of layer 2. Each number is the shortest decimal that reads
            back to the same bits; in float64 they are run's first step's,
            exactly (float32's trace rounds a little differently from run's
            vectorised kernels; the weights after it are run's).

            The text is a summary (per layer: shapes, ranges, a few entries
            written out) when the network has more than \(ExplainLimits.parameters) parameters or the
            batch more than \(ExplainLimits.batch) samples; --full writes every number whatever
            the size. Sums of more than \(ExplainLimits.writtenOutTerms) terms are given by their result
            only; lines are broken to fit \(ExplainLimits.width) columns. --format json writes
            every number as one JSON object, never summarised: layers[k] holds
            W[k] and b[k] before the step, z[k], a[k+1], the delta of z[k], the
            gradients of W[k] and b[k], and W[k] and b[k] after it.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the step was written out"),
            outputFailed,
            invalidInput,
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer explain configs/worked-2-2-2.json", "The worked example's step, every number written out."),
            ExampleSpec("trainer explain configs/iris.json --full", "A 4-8-3 network's first batch of 10, unsummarised."),
            ExampleSpec("trainer explain configs/xor.json --format json", "The same numbers as one JSON object, for scripts."),
        ])

    public static let predict = CommandSpec(
        name: "predict",
        summary: "outputs of a saved network for CSV rows of inputs",
        arguments: [
            weightsArgument,
            ArgumentSpec("INPUT.csv", optional: true, help: "rows of inputs ('-' or absent: stdin)"),
        ],
        options: [
            OptionSpec("--argmax", help: "print the class of the largest output (its label, or its index)"),
            OptionSpec("--index", help: "with --argmax, print the class index even when labels are known"),
            OptionSpec("--proba", help: "print a header row of the class labels over the outputs"),
            OptionSpec("--header", help: "the first input row is a header (names): skip it"),
            OptionSpec("--no-header", help: "the first input row is data, even if it holds no number"),
        ],
        details: """
            Reads CSV rows with one column per input neuron and writes one CSV
            row of outputs per input row on stdout, each number the shortest
            decimal that reads back exactly (an output that overflowed as inf
            or -inf, an undefined one as nan, with a note on stderr naming the
            first such row's line). The first row is a header, and
            skipped, when none of its cells is a number (a row of names); a
            first row with a number in it is data, so a bad cell there (1,NA)
            is an error naming line 1 and its column, like a bad cell in any
            other row. --header and --no-header decide instead.
            Inputs are scaled as the weights file's metadata.normalize says (the
            data.normalize the network was trained with), so give raw inputs.
            With --argmax each row is the class of the largest output: its label
            when the weights file holds metadata.classes, else (or with --index)
            its index. --proba writes the outputs under a header row naming each
            output's class (its index when no labels are known); labels with a
            comma or a quote are quoted as CSV quotes them.
            The network runs in the precision it was trained in.
            The input is streamed, in memory that does not grow with its length:
            rows are read and written in batches of 256, so a bad row ends
            predict (exit 2) after the outputs of the batches before it were
            written.
            """,
        exitStatus: [
            ExitStatusSpec("0", "every row was predicted"),
            ExitStatusSpec("1", "reading the input or writing stdout failed"),
            ExitStatusSpec(
                "2",
                "bad command line or weights file, or an input row that is not numbers of the right count (the batches before it are written)"
            ),
            outputClosed,
        ],
        examples: [
            ExampleSpec(
                "printf '0,0\\n0,1\\n1,0\\n1,1\\n' | trainer predict configs/out/xor.weights.json",
                "XOR's four outputs, after 'trainer run configs/xor.json'."),
            ExampleSpec(
                "cut -d, -f1-4 data/iris-test.csv | trainer predict configs/out/iris.weights.json --argmax",
                "The class of each test flower, after 'trainer run configs/iris.json' (the header row is skipped)."),
            ExampleSpec(
                "cut -d, -f1-4 data/iris-test.csv | trainer predict configs/out/iris-softmax.weights.json --proba",
                "Each class's probability, under a header of the class names."),
        ])

    public static let export = CommandSpec(
        name: "export",
        summary: "the trained network as an ONNX model or a C header",
        arguments: [weightsArgument],
        options: [
            OptionSpec(
                "--format", value: ExportFormat.names.joined(separator: "|"), help: "onnx (an ONNX model, opset 13) or c (one C99 header)"),
            OptionSpec("--output", short: "-o", value: "PATH", help: "the file to write ('-': stdout, for c only; default: stdout for c)"),
            OptionSpec("--name", value: "IDENTIFIER", help: "c: the prefix of the header's names (default: from W.json's name)"),
            OptionSpec("--quiet", short: "-q", help: "no line on stderr about what was written"),
        ],
        details: """
            Writes what predict computes, for use without trainer. The exported
            model takes raw inputs: the weights file's metadata.normalize comes
            first in it. onnx: one input 'input' of shape [N, inputs] (N, the
            batch, left open) and one output 'output', Gemm and the activation
            per layer, in the weights file's precision; layers, activations,
            loss, precision, classes and normalize are in its metadata_props.
            c: a header with the weights as static const arrays and
            NAME_predict(const float *input, float *output) (double for float64
            weights): no allocation, a stack bounded by the widest layer, only
            <math.h>; define NAME_IMPLEMENTATION in one file before including
            it. The output is replaced atomically; a line on stderr names it and
            its size in bytes.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the model was written"),
            ExitStatusSpec("1", "writing the output failed"),
            ExitStatusSpec("2", "bad command line or weights file; nothing is written"),
            outputClosed,
        ],
        examples: [
            ExampleSpec(
                "trainer export configs/out/iris-softmax.weights.json --format onnx -o iris.onnx",
                "An ONNX model of the iris classifier, after 'trainer run configs/iris-softmax.json'."),
            ExampleSpec(
                "trainer export configs/out/xor.weights.json --format c --name xor_net -o xor.h",
                "XOR as C: '#define xor_net_IMPLEMENTATION', '#include \"xor.h\"', then xor_net_predict(in, out)."),
        ])

    public static let eval = CommandSpec(
        name: "eval",
        summary: "loss, accuracy and confusion matrix of saved weights",
        arguments: [
            weightsArgument,
            ArgumentSpec("CONFIG.json", help: "the config whose data.test (else data.train) is evaluated"),
        ],
        options: [
            formatOption,
            OptionSpec("--svg", value: "OUT.svg", help: "also draw the confusion matrix as an SVG heat map ('-': only it, on stdout)"),
        ],
        details: """
            Runs the saved network forward over the config's data.test (or
            data.train when there is no test set) and prints the mean per-sample
            loss (the config's training.loss) and, when the targets are one-hot
            classes, the accuracy and the confusion matrix (rows: the actual
            class, columns: the predicted one). The network must have the
            config's layers; it runs in the precision it was trained in.
            A loss that is not finite (an output overflowed) is inf or nan in
            the text and null in --format json, which has no such numbers.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the data was evaluated"),
            outputFailed,
            ExitStatusSpec("2", "bad command line, weights file, config or data, or a network without the config's layers"),
            outputClosed,
        ],
        examples: [
            ExampleSpec(
                "trainer eval configs/out/iris.weights.json configs/iris.json",
                "Iris's test set, after 'trainer run configs/iris.json'."),
            ExampleSpec(
                "trainer eval configs/out/iris.weights.json configs/iris.json --format json",
                "The same as one JSON object, for scripts."),
        ])

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
            OptionSpec("--color", value: "auto|always|never", help: "colour the lines (auto: on a terminal, unless NO_COLOR is set)"),
            OptionSpec("--follow", help: "redraw as rows arrive, until the input ends (a file: until interrupted)"),
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
            """,
        exitStatus: [
            ExitStatusSpec("0", "the chart was drawn, or the SVG file written"),
            ExitStatusSpec("1", "the SVG file or stdout could not be written"),
            ExitStatusSpec(
                "2", "bad command line, or a log that cannot be plotted (no rows, an unknown column, a cell that is not a number)"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer plot configs/out/xor.loss.csv --log-scale", "XOR's loss, after 'trainer run configs/xor.json'."),
            ExampleSpec(
                "trainer plot configs/out/iris.loss.csv --columns loss,test_loss --svg configs/out/iris.svg",
                "Two columns of iris's log as an SVG file, after 'trainer run configs/iris.json'."),
            ExampleSpec(
                "trainer run configs/mnist.json --epochs 5 --log - | trainer plot -",
                "A log read from stdin: five epochs of MNIST (after 'make mnist'), drawn when they are done."),
        ])

    public static let show = CommandSpec(
        name: "show",
        summary: "what a weights file holds: a summary, or drawn as SVG",
        arguments: [weightsArgument],
        options: [
            OptionSpec("--svg", value: "OUT.svg", help: "draw the weights: image tiles of layer 0, a heat map per layer ('-': stdout)"),
            OptionSpec("--image", value: "WxH", help: "the inputs are WxH images (default: 28x28 for 784 inputs)"),
        ],
        details: """
            Without --svg: the network's shape, how it was trained, and each
            weight matrix's size, smallest, largest, mean and standard deviation.

            With --svg: for image inputs, the first layer as one tile per neuron
            of layer 1, its incoming weights laid out as the image; then a heat
            map of every weight matrix (in blocks of means above 200 a side).
            Blue is positive, red negative, each tile and map scaled to its
            largest |w|.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the summary or the picture was written"),
            outputFailed,
            ExitStatusSpec("2", "not a weights file, or --image does not match the inputs"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer show configs/out/mnist.weights.json --svg mnist.svg", "MNIST's 30 hidden neurons as 28×28 tiles."),
            ExampleSpec("trainer show out/xor.weights.json", "XOR's network and its weights in numbers."),
        ])

    public static let grid = CommandSpec(
        name: "grid",
        summary: "print one run command per combination of varied config values",
        arguments: [ArgumentSpec("CONFIG.json", help: "the config every run starts from")],
        options: [
            OptionSpec("--vary", value: "PATH=V1,V2", help: "a config key and its values (repeatable; a grid of all combinations)"),
            OptionSpec("--set", value: "PATH=VALUE", help: "a config value every run shares (repeatable)"),
            OptionSpec("--index", value: "N", help: "only combination N, from 0 (a job array's task index)"),
            OptionSpec("--out", value: "DIR", help: "where the runs write (default: out/ beside the config)"),
            OptionSpec("--run", help: "run the selected combinations here, one after another, instead of printing them"),
        ],
        details: """
            Prints one 'trainer run' command line per combination of the --vary
            values, numbered from 0 with the last --vary changing fastest, each
            with its --set arguments and its own outputs, DIR/NAME-gN.weights.json
            and DIR/NAME-gN.loss.csv. Values are split at commas outside brackets
            and quotes (network.layers=[784,30,10],[784,100,10]) and read as
            --set reads them. Every combination's config is checked first.

            trainer schedules nothing: GNU parallel runs each line it reads as a
            command, and a SLURM job array or a Kubernetes Indexed Job runs one
            combination per task with --index and --run. 'trainer summarize'
            compares the runs afterwards.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the lines were printed, or with --run the runs finished"),
            outputFailed,
            ExitStatusSpec("2", "a bad --vary, --set or --index, or a combination whose config is wrong"),
            outputClosed,
        ],
        examples: [
            ExampleSpec(
                "trainer grid configs/iris.json --vary training.learning_rate=0.1,0.5 --vary network.layers[1]=4,8 | parallel",
                "Four runs of iris, two at a time on two cores, by GNU parallel."),
            ExampleSpec(
                "trainer grid c.json --vary training.seed=1,2,3 --index $SLURM_ARRAY_TASK_ID --run",
                "One seed per task of 'sbatch --array=0-2'."),
            ExampleSpec("trainer summarize configs/out/iris-g*.weights.json --sort test_accuracy", "The runs compared, the best first."),
        ])

    public static let summarize = CommandSpec(
        name: "summarize",
        summary: "a CSV of runs' settings and results from their weights files",
        arguments: [ArgumentSpec("W.json", repeats: true, help: "weights files written by run (out/*.weights.json)")],
        options: [
            OptionSpec("--sort", value: "COLUMN", help: "order by a column, the best first (losses ascending, accuracies descending)")
        ],
        details: """
            Prints on stdout one CSV row per weights file: file, then one column
            per config key any run set with --set (or grid's --vary), then
            epochs, stopped_by and best_epoch (with early stopping), then the
            last epoch's loss, accuracy, test_loss, test_accuracy, val_loss and
            val_accuracy, those that any run logged. Cells a run lacks are
            empty. --sort orders the rows by one column, empty cells last.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the table was printed"),
            outputFailed,
            ExitStatusSpec("2", "a file is not a weights file, or an unknown --sort column"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer summarize out/*.weights.json", "Every run in out/, in the order the shell lists them."),
            ExampleSpec(
                "trainer summarize out/c-g*.weights.json --sort val_loss | column -s, -t",
                "A grid's runs as a table, the lowest val_loss first."),
        ])

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
            """,
        exitStatus: [
            ExitStatusSpec("0", "the list or the config was printed"),
            outputFailed,
            ExitStatusSpec("2", "an unknown example"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer example", "The built-in examples, one a line."),
            ExampleSpec("trainer example xor > my.json", "XOR's config as a file to edit; 'trainer run my.json' trains it."),
        ])

    public static let help = CommandSpec(
        name: "help",
        summary: "show help for trainer or one of its commands",
        arguments: [ArgumentSpec("COMMAND", optional: true, help: "the command to describe")],
        options: [OptionSpec("--man", help: "print the manual page trainer.1 (troff), every command in one page")],
        details: """
            Without COMMAND: every command with its summary. With one: its usage,
            arguments, options, description, exit status and examples, the same
            text as 'trainer COMMAND --help'.

            --man prints the same for all commands as a manual page, from the
            same table: 'make install' installs it ('man trainer'), and
            'trainer help --man | man -l -' reads it without installing.
            """,
        exitStatus: [
            ExitStatusSpec("0", "the help was printed"),
            outputFailed,
            ExitStatusSpec("2", "an unknown command"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("trainer help", "Every command."),
            ExampleSpec("trainer help run", "How to use run; 'trainer run --help' prints the same."),
            ExampleSpec("trainer help --man | man -l -", "The manual page, read without installing it."),
        ])

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
            """,
        exitStatus: [
            ExitStatusSpec("0", "the script was printed"),
            outputFailed,
            ExitStatusSpec("2", "a missing or unknown shell"),
            outputClosed,
        ],
        examples: [
            ExampleSpec("source <(trainer completion bash)", "Completion in the running bash (add the line to ~/.bashrc to keep it)."),
            ExampleSpec(
                "mkdir -p ~/.zfunc && trainer completion zsh > ~/.zfunc/_trainer",
                "For zsh, with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc."),
        ])

    public static let all: [CommandSpec] = [
        run, check, explain, gradcheck, predict, eval, export, plot, show, grid, summarize, example, completion, help,
    ]
}
