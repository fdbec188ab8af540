/// The world a command runs in: its streams, whether they are terminals,
/// the environment, and the signal flag. The executable passes the real
/// ones; tests pass buffers and fakes, so every command runs in-process.
public struct CommandContext {
    public var stdout: TextOutput
    public var stderr: TextOutput
    public var stderrIsTerminal: Bool
    /// Whether stdout is a terminal (colour in `plot`'s chart).
    public var stdoutIsTerminal: Bool
    public var environment: [String: String]
    /// The signal (SIGINT, SIGTERM) received and not yet acted on, if any.
    public var pendingSignal: () -> Int32?
    /// Makes SIGINT and SIGTERM ask training to stop (instead of ending the
    /// process); called just before training starts.
    public var armSignals: () -> Void
    /// Cores available, the default for `--threads`.
    public var processorCount: Int
    /// How trainer was started (its argv[0]), for the command lines `grid` prints.
    public var programName: String

    public init(
        stdout: TextOutput, stderr: TextOutput, stderrIsTerminal: Bool = false, stdoutIsTerminal: Bool = false,
        environment: [String: String] = [:], pendingSignal: @escaping () -> Int32? = { nil },
        armSignals: @escaping () -> Void = {}, processorCount: Int = 1, programName: String = "trainer"
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.stderrIsTerminal = stderrIsTerminal
        self.stdoutIsTerminal = stdoutIsTerminal
        self.environment = environment
        self.pendingSignal = pendingSignal
        self.armSignals = armSignals
        self.processorCount = processorCount
        self.programName = programName
    }

    /// Writes a line to stderr; a failing stderr is ignored (there is nowhere
    /// left to report it).
    func note(_ line: String) {
        try? stderr.write(line + "\n")
        try? stderr.flush()
    }
}
