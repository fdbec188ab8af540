import Glibc
import Synchronization

/// Replacing a file so that no reader ever sees it half-written: write a
/// temporary file in the same folder, fsync it, rename it over the target,
/// fsync the folder. A failure at any step removes the temporary file and
/// leaves the old file as it was.
///
/// Symlinks: the link is kept and its target replaced (the path is followed
/// to the final file, and the temporary file goes beside that). The new file
/// keeps the old file's permission bits; a new file gets 0666 less the umask.
public enum AtomicFile {
    /// The temporary file being written, so that a second signal can remove
    /// it before exiting (read from the signal handler). Atomic: in-process
    /// tests run commands on several threads at once (a plain static var was a
    /// data race under `swift test --sanitize=thread`). Unsafe only because a
    /// pointer is not Sendable; the atomic is what makes sharing it safe.
    nonisolated(unsafe) static let pendingTemporaryPath = Atomic<UnsafeMutablePointer<CChar>?>(nil)

    /// Replaces the file at `path` with `contents`.
    /// - Parameter display: how errors name the file.
    public static func write(_ contents: String, to path: String, display: String) throws(TrainerError) {
        try write(bytes: Array(contents.utf8), to: path, display: display)
    }

    /// Replaces the file at `path` with `bytes`.
    /// - Parameter display: how errors name the file.
    public static func write(bytes contents: [UInt8], to path: String, display: String) throws(TrainerError) {
        let target = resolveSymlinks(path)
        let directory = Paths.directory(of: target)
        let temporary = Paths.join(directory, ".\(Paths.fileName(of: target)).tmp.\(getpid())")
        var existing = stat()
        let mode: mode_t? = stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : nil

        func failure(_ code: Int32) -> TrainerError {
            TrainerError(.failure, place: display, systemErrorText(code))
        }
        // Published before the file is created, so that a second signal at
        // any moment of the save removes it (unlinking a name not yet
        // created is harmless).
        let pending = strdup(temporary)
        pendingTemporaryPath.store(pending, ordering: .releasing)
        defer {
            pendingTemporaryPath.store(nil, ordering: .releasing)
            free(pending)
        }
        var descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == EEXIST {
            // A leftover of a killed run that had our process id: never read, just replaced.
            unlink(temporary)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard descriptor >= 0 else { throw failure(errno) }
        var bytes = contents
        let written: Int32 = bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return 0
        }
        bytes = []
        var code = written
        if code == 0 {
            let finalMode = mode ?? (0o666 & ~currentUmask())
            if fchmod(descriptor, finalMode) != 0 { code = errno }
        }
        if code == 0, fsync(descriptor) != 0 { code = errno }
        if close(descriptor) != 0, code == 0 { code = errno }
        if code == 0, rename(temporary, target) != 0 { code = errno }
        guard code == 0 else {
            unlink(temporary)
            throw failure(code)
        }
        // Make the rename itself durable.
        let folder = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// The file a path finally names, following symlinks (also dangling ones,
    /// whose target the write then creates).
    static func resolveSymlinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = Paths.join(Paths.directory(of: current), target)
        }
        return current
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
