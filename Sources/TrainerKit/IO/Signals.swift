import Glibc
import Synchronization

/// SIGINT and SIGTERM during training: the first one asks training to stop
/// at the next batch boundary (the run then saves the weights so far and
/// exits 130 or 143); a second one exits at once, removing a half-written
/// temporary weights file, so the previous weights file stays intact.
///
/// Before training starts (and in every other command) the signals keep
/// their default action: the process ends at once, having written nothing.
public enum Signals {
    /// The signal received, 0 for none. Written by the handler.
    static let received = Atomic<Int32>(0)

    /// Installs the handlers. Call once, just before training starts.
    public static func arm() {
        _ = AtomicFile.pendingTemporaryPath.load(ordering: .relaxed)  // initialise the global outside the handler
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            let (exchanged, _) = Signals.received.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
            if !exchanged {
                // A second signal: stop now. unlink and _exit are async-signal-safe.
                if let temporary = AtomicFile.pendingTemporaryPath.load(ordering: .acquiring) { unlink(temporary) }
                _exit(128 + signal)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

    /// Unblocks SIGINT and SIGTERM, which the process may have inherited
    /// blocked: the signal mask survives fork and exec, and a parent that
    /// spawns from a thread blocking them (a test runner's worker thread, for
    /// one) would leave trainer deaf to Ctrl-C, `kill` and `docker stop`.
    /// Dispositions are left as inherited. Call once at startup, before any
    /// thread is created (threads inherit the mask).
    public static func unblock() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// The signal received since ``arm()``, if any.
    public static var pending: Int32? {
        let signal = received.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }
}
