import Glibc
import Synchronization

/// SIGINT and SIGTERM during training: the first one asks training to stop
/// at the next batch boundary (the run then saves the weights so far and
/// exits 130 or 143); a deliberate second one exits at once, removing a
/// half-written temporary weights file, so the previous weights file stays
/// intact.
///
/// Signals that arrive together are one request. GNU `timeout` sends its
/// signal to trainer and then to trainer's process group, so trainer gets
/// two SIGTERMs microseconds apart (supervisors that signal a whole group
/// do the same), and the second used to end the run before it saved. So a
/// later signal counts only when training has already stopped for the
/// first one (until then nothing is being saved that it could cut short,
/// and the run stops at the next batch boundary anyway) and at least
/// ``repeatInterval`` has passed since the first: far more than the
/// microseconds between `timeout`'s two signals, and less than a person
/// takes to decide to press Ctrl-C again. Earlier ones are ignored.
///
/// Before training starts (and in every other command) the signals keep
/// their default action: the process ends at once, having written nothing.
public enum Signals {
    /// The signal received, 0 for none. Written by the handler.
    static let received = Atomic<Int32>(0)
    /// When the first signal arrived, in CLOCK_MONOTONIC nanoseconds; 0 before.
    static let receivedAt = Atomic<Int64>(0)
    /// Whether the run has taken the first signal (read it through ``pending``).
    static let seen = Atomic<Bool>(false)
    /// How long after the first signal a second one may end the process at once.
    public static let repeatInterval = Duration.milliseconds(500)
    /// ``repeatInterval`` in nanoseconds, for the handler (computed in ``arm()``).
    static let repeatNanoseconds = repeatInterval.components.seconds * 1_000_000_000 + repeatInterval.components.attoseconds / 1_000_000_000

    /// Installs the handlers. Call once, just before training starts.
    public static func arm() {
        // Initialise the globals outside the handler.
        _ = AtomicFile.pendingTemporaryPath.load(ordering: .relaxed)
        _ = (received.load(ordering: .relaxed), receivedAt.load(ordering: .relaxed), seen.load(ordering: .relaxed), repeatNanoseconds)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            // clock_gettime, unlink and _exit are async-signal-safe.
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            // The time is claimed first, so that a signal on another thread
            // never finds a signal recorded without its time.
            let (first, at) = Signals.receivedAt.compareExchange(expected: 0, desired: nanoseconds, ordering: .acquiringAndReleasing)
            if first {
                Signals.received.store(signal, ordering: .releasing)
                return
            }
            guard Signals.seen.load(ordering: .acquiring), nanoseconds - at >= Signals.repeatNanoseconds else {
                return  // part of the first request
            }
            if let temporary = AtomicFile.pendingTemporaryPath.load(ordering: .acquiring) { unlink(temporary) }
            _exit(128 + signal)
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

    /// The signal received since ``arm()``, if any. Reading one marks it
    /// taken: from then on a second signal, after ``repeatInterval``, ends
    /// the process at once.
    public static var pending: Int32? {
        let signal = received.load(ordering: .acquiring)
        guard signal != 0 else { return nil }
        seen.store(true, ordering: .releasing)
        return signal
    }
}
