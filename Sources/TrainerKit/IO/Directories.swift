import Glibc

/// The process's folders: the working directory, and `mkdir -p`.
enum Directories {
    /// The working directory as an absolute path, or `.` when it cannot be
    /// read (removed under us, or longer than `PATH_MAX`).
    static var current: String {
        guard let path = getcwd(nil, 0) else { return "." }
        defer { free(path) }
        return String(cString: path)
    }

    /// Creates `path` and any missing parents, each with mode 0777 less the
    /// umask, as `mkdir -p` does; a folder that already exists is fine.
    static func create(_ path: String) throws(SystemCallError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else { throw SystemCallError(code: ENOTDIR) }
            return
        }
        let parent = Paths.directory(of: path)
        if !parent.isEmpty, parent != path { try create(parent) }
        // EEXIST: made meanwhile by someone else, which is what was asked.
        if mkdir(path, 0o777) != 0, errno != EEXIST { throw SystemCallError(code: errno) }
    }
}
