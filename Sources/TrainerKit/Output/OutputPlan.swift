import Glibc

/// Where a run writes, decided and checked before training starts: paths
/// that cannot be written, that are folders, or that collide with each other
/// or with an input are reported then (exit 2, nothing written), not after
/// hours of training.
public struct OutputPlan: Sendable {
    /// One output: its path and what named it (`--weights-out`,
    /// `output.weights`, or the default).
    public struct Target: Sendable {
        public var file: FilePath
        public var origin: String
    }

    public var weights: Target
    /// nil when the log goes to stdout (`--log -`).
    public var log: Target?

    /// The defaults when neither the config nor a flag names an output:
    /// `out/NAME.weights.json` and `out/NAME.loss.csv` in the config's folder
    /// (NAME is the config's file name without `.json`), exactly as if the
    /// config said `"output": {"weights": "out/NAME.weights.json", ...}`.
    public static func defaultPaths(configDirectory: String, name: String) -> (weights: FilePath, log: FilePath) {
        let weights = Paths.join(configDirectory, "out/\(name).weights.json")
        let log = Paths.join(configDirectory, "out/\(name).loss.csv")
        return (FilePath(path: weights, display: Paths.tidy(weights)), FilePath(path: log, display: Paths.tidy(log)))
    }

    /// Checks every output: writable (or creatable) and not a folder, and no
    /// two outputs, or an output and an input, naming the same file.
    /// - Parameter inputs: files read by the run, with what named them.
    public func check(inputs: [(file: FilePath, origin: String)]) throws(TrainerError) {
        try OutputPlan.checkWritable(weights.file)
        if let log { try OutputPlan.checkWritable(log.file) }
        let weightsIdentity = OutputPlan.identity(weights.file.path)
        if let log, OutputPlan.identity(log.file.path) == weightsIdentity {
            throw TrainerError.usage(log.origin, "same file as \(weights.origin) (\(weights.file.display)); give them different paths")
        }
        for output in [weights] + (log.map { [$0] } ?? []) {
            let identity = OutputPlan.identity(output.file.path)
            for input in inputs where OutputPlan.identity(input.file.path) == identity {
                throw TrainerError.usage(
                    output.origin, "same file as \(input.origin) (\(input.file.display)); writing it would destroy an input")
            }
        }
    }

    /// Creates the folders the outputs need (after every check has passed).
    public func createFolders() throws(TrainerError) {
        for target in [weights] + (log.map { [$0] } ?? []) {
            try OutputPlan.createFolder(for: target.file)
        }
    }

    /// Writes a command's text output: to `stdout` for `-`, else to the file
    /// at `path`, replaced atomically, its missing folders made (as run's
    /// outputs are).
    static func write(_ text: String, to path: String, stdout: TextOutput) throws {
        if path == "-" {
            try stdout.write(text)
            return
        }
        try createFolder(for: FilePath(path: path))
        try AtomicFile.write(text, to: path, display: path)
    }

    /// Creates the missing folders of one output (its symlinks resolved).
    static func createFolder(for file: FilePath) throws(TrainerError) {
        let directory = Paths.directory(of: AtomicFile.resolveSymlinks(file.path))
        guard !directory.isEmpty else { return }
        do {
            try Directories.create(directory)
        } catch {
            throw TrainerError(place: file.display, "cannot create its folder \(directory)")
        }
    }

    /// An output can be written when it is not a folder and either it is a
    /// writable device or FIFO, or its nearest existing folder is writable
    /// (and the file itself, when it exists).
    static func checkWritable(_ file: FilePath) throws(TrainerError) {
        var status = stat()
        // stat and access follow every link, /dev/stdout's /proc/self/fd/1
        // included, which resolveSymlinks cannot read as a path.
        if stat(file.path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR {
                throw TrainerError.file(file.display, "is a directory; expected a file path")
            }
            if access(file.path, W_OK) != 0 {
                throw TrainerError.file(file.display, systemErrorText(errno))
            }
            // A device or FIFO is written in place (AtomicFile): its folder
            // plays no part.
            if (status.st_mode & S_IFMT) != S_IFREG { return }
        }
        // The folder must let us create the temporary file and rename it.
        let path = AtomicFile.resolveSymlinks(file.path)
        var directory = Paths.directory(of: path)
        while true {
            let probe = directory.isEmpty ? "." : directory
            if stat(probe, &status) == 0 {
                guard (status.st_mode & S_IFMT) == S_IFDIR else {
                    throw TrainerError.file(file.display, "\(probe) is not a directory")
                }
                if access(probe, W_OK | X_OK) != 0 {
                    throw TrainerError.file(file.display, systemErrorText(errno))
                }
                return
            }
            guard errno == ENOENT, !directory.isEmpty, directory != "/" else {
                throw TrainerError.file(file.display, systemErrorText(errno))
            }
            directory = Paths.directory(of: directory)  // missing: created later, if an ancestor allows it
        }
    }

    /// A comparable identity for a path: the device and inode when the file
    /// exists, else its absolute, tidied path.
    static func identity(_ path: String) -> String {
        var status = stat()
        if stat(path, &status) == 0 {
            return "inode:\(status.st_dev):\(status.st_ino)"
        }
        let absolute = path.hasPrefix("/") ? path : Directories.current + "/" + path
        return "path:" + Paths.tidy(absolute)
    }
}
