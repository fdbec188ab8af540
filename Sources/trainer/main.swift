// The trainer executable: real streams and signals in, an exit code out.
// Everything else is in TrainerKit, where tests can reach it.
import Glibc
import TrainerKit

// Before anything is opened: a closed stdin, stdout or stderr gets /dev/null,
// so that no file trainer opens takes its number.
StandardDescriptors.openClosed()
// A closed pipe must come back as EPIPE from write(2), not kill the process
// before it can save; a full file-size limit as EFBIG, not SIGXFSZ.
signal(SIGPIPE, SIG_IGN)
signal(SIGXFSZ, SIG_IGN)
// SIGINT and SIGTERM stop trainer (docs/contract.md, "Streams and exit codes"), even if the parent left them blocked.
Signals.unblock()

let context = CommandContext(
    stdout: FileDescriptorOutput(descriptor: STDOUT_FILENO, name: "stdout"),
    stderr: FileDescriptorOutput(descriptor: STDERR_FILENO, name: "stderr", capacity: 0),
    stderrIsTerminal: isatty(STDERR_FILENO) == 1,
    stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
    environment: HostProcess.environment,
    pendingSignal: { Signals.pending },
    armSignals: { Signals.arm() },
    processorCount: HostProcess.availableProcessors,
    programName: CommandLine.arguments.first ?? "trainer")
exit(CLI.run(Array(CommandLine.arguments.dropFirst()), context: context))
