import Glibc

/// The advisory lock a run holds on each of its outputs while it runs, so
/// that a second run writing the same loss log or weights file stops before
/// it writes anything (exit 2, naming the first run's process id) instead
/// of interleaving its rows with the first's.
///
/// Classic POSIX record locks (fcntl F_SETLK), because F_GETLK reports the
/// holder's process id for them; open file description locks report -1,
/// and flock reports nothing. Their pitfall, that closing any descriptor of
/// a file drops the process's locks on it, does not arise: nothing else in
/// a run opens these files while it holds them. They belong to the
/// process, so commands run side by side in one process (the tests) never
/// conflict.
///
/// - The loss log is locked through its own descriptor, open for the run.
/// - The weights file is replaced by rename, which would leave a lock on it
///   behind on the old file; its lock is on `.NAME.lock` beside it (beside
///   the file its symlinks lead to), created if missing and removed when the
///   run ends. A run ended by SIGKILL (or a second signal) leaves it behind,
///   empty and unlocked, and the next run takes it over.
///
/// Devices and FIFOs are written in place and not locked.
final class OutputLock {
    private let descriptor: Int32
    /// The lock file to remove on release.
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Locks the loss log open as `descriptor` (a regular file; anything
    /// else is left alone).
    /// - Throws: `.invalidInput` (exit 2) when another process holds it.
    static func lockLog(_ descriptor: Int32, display: String) throws(TrainerError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return }
        switch lockWhole(descriptor, type: F_WRLCK) {
        case .locked: return
        case .heldBy(let process): throw inUse(display, by: process)
        case .failed(let code): throw TrainerError(.failure, place: display, "cannot lock it (\(systemErrorText(code)))")
        }
    }

    /// Locks the weights file at `path` through its lock file; nil for a
    /// device or FIFO. Release it with ``release()``.
    /// - Throws: `.invalidInput` (exit 2) when another process holds it.
    static func lockWeights(_ path: String, display: String) throws(TrainerError) -> OutputLock? {
        if AtomicFile.isSpecial(path) { return nil }
        let lockPath = AtomicFile.hiddenSibling(of: AtomicFile.resolveSymlinks(path), suffix: ".lock")
        // A run that ends removes its lock file; one opened just before that
        // is nobody's any more, so it is opened again.
        for _ in 0..<8 {
            var type = F_WRLCK
            var descriptor = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if descriptor < 0, errno == EACCES {
                // Another user's lock file: a read lock still meets a writer's lock.
                type = F_RDLCK
                descriptor = open(lockPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard descriptor >= 0 else {
                throw TrainerError(.failure, place: display, "cannot create its lock file \(lockPath) (\(systemErrorText(errno)))")
            }
            switch lockWhole(descriptor, type: type) {
            case .locked:
                var opened = stat(), named = stat()
                if fstat(descriptor, &opened) == 0, stat(lockPath, &named) == 0,
                    opened.st_dev == named.st_dev, opened.st_ino == named.st_ino
                {
                    // Only a writer's lock file is removed at the end: readers may share theirs.
                    return OutputLock(descriptor: descriptor, path: type == F_WRLCK ? lockPath : "")
                }
                close(descriptor)
            case .heldBy(let process):
                close(descriptor)
                throw inUse(display, by: process)
            case .failed(let code):
                close(descriptor)
                throw TrainerError(.failure, place: display, "cannot lock \(lockPath) (\(systemErrorText(code)))")
            }
        }
        throw TrainerError(.failure, place: display, "cannot lock \(lockPath): it keeps being replaced")
    }

    /// Removes the lock file and drops the lock (removed first, so that no
    /// run opens the file between the two and then holds a lock on a file
    /// that has no name).
    func release() {
        if !path.isEmpty { unlink(path) }
        close(descriptor)
    }

    private enum Outcome {
        case locked
        case heldBy(pid_t)
        case failed(Int32)
    }

    /// Takes a lock of `type` on the whole file, without waiting.
    private static func lockWhole(_ descriptor: Int32, type: Int32) -> Outcome {
        for _ in 0..<8 {
            var lock = flock()
            lock.l_type = Int16(type)
            lock.l_whence = Int16(SEEK_SET)
            if fcntl(descriptor, F_SETLK, &lock) == 0 { return .locked }
            let code = errno
            guard code == EACCES || code == EAGAIN else { return .failed(code) }
            // Who holds it: any lock conflicts with a write lock.
            var holder = flock()
            holder.l_type = Int16(F_WRLCK)
            holder.l_whence = Int16(SEEK_SET)
            guard fcntl(descriptor, F_GETLK, &holder) == 0 else { return .failed(errno) }
            if holder.l_type != Int16(F_UNLCK) { return .heldBy(holder.l_pid) }
            // Released between the two calls: try again.
        }
        return .failed(EAGAIN)
    }

    /// The error for an output another process is writing; its id is 0 when
    /// it lives in another PID namespace (a container).
    private static func inUse(_ display: String, by process: pid_t) -> TrainerError {
        let who = process > 0 ? "another run (process \(process))" : "another process"
        return TrainerError.file(display, "in use by \(who); wait for it to end or give another path")
    }
}
