import Glibc

/// Reading whole input files (configs, weights, CSV, IDX) with errors that
/// name the file as the user wrote it.
///
/// Uses open(2)/read(2) rather than `Data(contentsOf:)`: that reports
/// "permission" problems for FIFOs and cannot cap the size of `/dev/zero`.
/// Pipes and process substitutions (`trainer run <(cat c.json)`) are read to
/// their end; regular files are checked against the cap before reading.
public enum FileReading {
    /// The largest input file read whole: 256 MiB. (IDX payloads, which can be
    /// larger, are read by ``IDXReader`` with their own size check.)
    public static let maximumSize = 256 << 20

    /// How messages name a command-line input: `stdin` for `-`, else the path.
    public static func display(of argument: String) -> String {
        argument == "-" ? "stdin" : argument
    }

    /// Reads a command-line input: the file at `argument`, or stdin for `-`.
    public static func read(argument: String) throws(TrainerError) -> [UInt8] {
        try read(argument == "-" ? "/dev/stdin" : argument, display: display(of: argument))
    }

    /// Reads the file at `path`.
    /// - Parameters:
    ///   - display: how messages name the file (for example
    ///     `data/x.csv (from c.json: data.train.csv)`).
    ///   - maximumSize: bytes beyond which the file is refused.
    public static func read(_ path: String, display: String? = nil, maximumSize: Int = maximumSize) throws(TrainerError) -> [UInt8] {
        let name = display ?? path
        let (descriptor, status) = try open(path, display: name)
        defer { close(descriptor) }
        let isRegular = (status.st_mode & S_IFMT) == S_IFREG
        if isRegular, Int(status.st_size) > maximumSize {
            throw TrainerError.file(name, "larger than \(maximumSize >> 20) MiB (\(status.st_size) bytes); expected a smaller file")
        }
        var bytes: [UInt8] = []
        // The memory is asked for first (MemoryProbe): a file larger than
        // `ulimit -v` leaves is an error, not a trap in the allocator.
        func reserve(_ capacity: Int) throws(TrainerError) {
            try MemoryProbe.require(capacity, of: UInt8.self, place: name, "to read it", expected: "a higher limit or a smaller file")
            bytes.reserveCapacity(capacity)
        }
        if isRegular { try reserve(Int(status.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TrainerError.file(name, systemErrorText(errno))
            }
            if count == 0 { break }
            // Checked before appending, so an endless stream (`/dev/zero`)
            // never holds more than the cap in memory.
            guard bytes.count + count <= maximumSize else {
                throw TrainerError.file(name, "larger than \(maximumSize >> 20) MiB; expected a smaller file")
            }
            // A stream (or a file that grew) doubles its buffer, asking first.
            if bytes.count + count > bytes.capacity {
                try reserve(min(max(bytes.capacity * 2, bytes.count + count), maximumSize))
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Opens the file at `path` for reading, refusing a directory; the
    /// caller closes the descriptor.
    /// - Parameter name: how messages name the file.
    public static func open(_ path: String, display name: String) throws(TrainerError) -> (descriptor: Int32, status: stat) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TrainerError.file(name, systemErrorText(errno))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw TrainerError.file(name, systemErrorText(code))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw TrainerError.file(name, "is a directory; expected a file")
        }
        return (descriptor, status)
    }

    /// Whether `path` is a regular file (following links), asked with
    /// stat(2): opening a FIFO only to look at it would take its writer's
    /// reader away when closed (the writer's next write then fails with
    /// SIGPIPE), so a caller that only wants to size a file asks this first.
    public static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` names a stream rather than a file in a folder: `-`
    /// (stdin), a pipe, FIFO, socket or device (`trainer run <(cat c.json)`
    /// reads `/dev/fd/63`), or an open descriptor's name (`/dev/stdin`,
    /// `/dev/fd/N`, `/proc/self/fd/N`) even when it leads to a regular file.
    /// A config read from a stream has no folder of its own: its relative
    /// paths and default outputs resolve against the working folder, as for
    /// `-` (not against `/dev` or `/dev/fd`, which hold no data and take no
    /// outputs). Checked with stat(2), so a FIFO is not consumed.
    public static func isStream(_ path: String) -> Bool {
        if path == "-" { return true }
        let folder = Paths.directory(of: path)
        if folder == "/dev" || folder == "/dev/fd" || (folder.hasPrefix("/proc/") && folder.hasSuffix("/fd")) { return true }
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let type = status.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }
}
