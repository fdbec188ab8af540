import Glibc
import Synchronization

/// Replacing a file so that no reader ever sees it half-written: write a
/// temporary file in the same folder, fsync it, rename it over the target,
/// fsync the folder. A failure at any step removes the temporary file and
/// leaves the old file as it was.
///
/// Only a regular file (or a missing one) is replaced. A device, FIFO or
/// socket (`/dev/null`, `/dev/stdout` on a pipe, a named pipe) is opened and
/// written where it is, as `cp` writes to one: renaming over it would put a
/// plain file in its place.
///
/// Symlinks: the link is kept and its target replaced (the path is followed
/// to the final file, and the temporary file goes beside that). The new file
/// keeps the old file's permission bits, and its owner and group where the
/// process may give them (root may; another user keeps at least a group of
/// its own); a new file gets 0666 less the umask.
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

    /// Replaces the file at `path` with `bytes` (or writes them into it, when
    /// it is not a regular file).
    /// - Parameter display: how errors name the file.
    public static func write(bytes contents: [UInt8], to path: String, display: String) throws(TrainerError) {
        func failure(_ code: Int32) -> TrainerError {
            TrainerError(.failure, place: display, systemErrorText(code))
        }
        if isSpecial(path) {
            // O_WRONLY alone, as cp opens an existing destination: no O_CREAT
            // (it exists), and O_TRUNC means nothing to a device or a FIFO.
            let descriptor = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure(errno) }
            var status = stat()
            if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
                var code = writeAll(contents, to: descriptor)
                if close(descriptor) != 0, code == 0 { code = errno }
                guard code == 0 else { throw failure(code) }
                return
            }
            close(descriptor)  // a regular file since the stat: replace it below
        }

        let target = resolveSymlinks(path)
        let directory = Paths.directory(of: target)
        let temporary = temporaryPath(for: target)
        var existing = stat()
        let old: stat? = stat(target, &existing) == 0 ? existing : nil

        // Published before the file is created, so that a second signal at
        // any moment of the save removes it (unlinking a name not yet
        // created is harmless).
        let pending = strdup(temporary)
        pendingTemporaryPath.store(pending, ordering: .releasing)
        defer {
            pendingTemporaryPath.store(nil, ordering: .releasing)
            free(pending)
        }
        let descriptor = createTemporary(temporary)
        guard descriptor >= 0 else { throw failure(-descriptor) }
        var code = writeAll(contents, to: descriptor)
        if code == 0, let old {
            keepOwner(of: old, on: descriptor)  // before fchmod: a chown may clear the set-id bits
        }
        if code == 0 {
            let finalMode = old.map { $0.st_mode & 0o7777 } ?? (0o666 & ~currentUmask())
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

    /// Tries, before any work is done, what ``write(bytes:to:display:)`` will
    /// do at the end, so that a save that cannot succeed is refused now
    /// rather than after hours of training: creates and removes the very
    /// temporary file in the target's folder, and refuses a file that a
    /// sticky folder will not let this user rename over. A path written in
    /// place (a device or FIFO) and a folder still to be created (which
    /// will be this user's) need no trial.
    /// - Throws: a ``TrainerError`` of kind `.invalidInput` (exit 2).
    static func probe(_ path: String, display: String) throws(TrainerError) {
        if isSpecial(path) { return }
        let target = resolveSymlinks(path)
        let directory = Paths.directory(of: target)
        var folder = stat()
        guard stat(directory.isEmpty ? "." : directory, &folder) == 0 else { return }
        var existing = stat()
        if stat(target, &existing) == 0, stickyForbidsReplacing(existing, in: folder) {
            let name = directory.isEmpty ? "." : directory
            throw TrainerError.file(
                display,
                "belongs to another user and its folder \(name) is sticky, so it cannot be replaced; expected a file of your own or another path"
            )
        }
        let temporary = temporaryPath(for: target)
        let descriptor = createTemporary(temporary)
        guard descriptor >= 0 else {
            throw TrainerError.file(
                display,
                "cannot create its temporary file \(temporary) (\(systemErrorText(-descriptor))); expected a folder where it can be written and renamed over the file"
            )
        }
        close(descriptor)
        unlink(temporary)
    }

    /// Whether `path` exists and is neither a regular file nor a folder (a
    /// character or block device, a FIFO, a socket), following symlinks,
    /// `/proc/self/fd` links included.
    static func isSpecial(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let type = status.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// The sticky bit (`/tmp`, mode 1777) lets only the owner of a file, the
    /// owner of the folder, or a process with CAP_FOWNER rename over or
    /// remove a file (the kernel's `check_sticky`); root stands for
    /// CAP_FOWNER here.
    static func stickyForbidsReplacing(_ file: stat, in folder: stat) -> Bool {
        let user = geteuid()
        return (folder.st_mode & S_ISVTX) != 0 && user != 0 && file.st_uid != user && folder.st_uid != user
    }

    /// The temporary file for `target`, in its folder: `.NAME.tmp.PID`.
    static func temporaryPath(for target: String) -> String {
        hiddenSibling(of: target, suffix: ".tmp.\(getpid())")
    }

    /// `.NAME` + `suffix` in the folder of `target` (its name fitted to
    /// the folder's NAME_MAX by ``hiddenName(for:suffix:nameMax:)``).
    static func hiddenSibling(of target: String, suffix: String) -> String {
        let directory = Paths.directory(of: target)
        let limit = pathconf(directory.isEmpty ? "." : directory, Int32(_PC_NAME_MAX))
        let name = hiddenName(for: Paths.fileName(of: target), suffix: suffix, nameMax: limit > 0 ? limit : 255)
        return Paths.join(directory, name)
    }

    /// `.NAME` + `suffix`, within `nameMax` bytes: a NAME too long for that
    /// is cut at a character boundary and followed by `~` and 8 hex digits
    /// of a hash of the whole name, so two long names that share a start
    /// still get different files.
    static func hiddenName(for fileName: String, suffix: String, nameMax: Int) -> String {
        let whole = "." + fileName + suffix
        guard whole.utf8.count > nameMax else { return whole }
        var hash: UInt32 = 0x811c_9dc5  // FNV-1a
        for byte in fileName.utf8 {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        var tag = String(hash, radix: 16)
        tag = "~" + String(repeating: "0", count: 8 - tag.count) + tag
        let room = nameMax - 1 - tag.utf8.count - suffix.utf8.count
        var prefix = ""
        for character in fileName.unicodeScalars {
            guard prefix.utf8.count + character.utf8.count <= room else { break }
            prefix.unicodeScalars.append(character)
        }
        return "." + prefix + tag + suffix
    }

    /// Creates the temporary file (mode 0600, never an existing one); the
    /// descriptor, or minus the errno. A leftover under the same name (a
    /// killed run that had this process id) is removed first, never read.
    private static func createTemporary(_ temporary: String) -> Int32 {
        var descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == EEXIST {
            unlink(temporary)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        return descriptor >= 0 ? descriptor : -errno
    }

    /// Writes every byte; 0, or the errno of the write that failed.
    private static func writeAll(_ contents: [UInt8], to descriptor: Int32) -> Int32 {
        contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return 0
        }
    }

    /// Gives the new file the old one's owner and group. Root can (else
    /// replacing another user's file would hand it to root); another user
    /// can keep only a group it belongs to, and EPERM for the rest is no
    /// error: the file is then theirs, as any new file would be.
    private static func keepOwner(of old: stat, on descriptor: Int32) {
        guard old.st_uid != geteuid() || old.st_gid != getegid() else { return }
        if fchown(descriptor, old.st_uid, old.st_gid) != 0 {
            _ = fchown(descriptor, uid_t.max, old.st_gid)  // uid -1: unchanged
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
