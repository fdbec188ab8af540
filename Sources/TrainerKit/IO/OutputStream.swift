import Glibc

/// Where `trainer` writes text: stdout, stderr, a file, or a buffer in tests.
/// Writes can fail (a closed pipe, a full disk), and callers must hear of it:
/// `print` swallows EPIPE, and the legacy `FileHandle.write` traps on it.
public protocol TextOutput: AnyObject {
    /// Writes `text`; may buffer until ``flush()``.
    func write(_ text: String) throws(OutputError)
    /// Sends everything buffered to its destination.
    func flush() throws(OutputError)
}

/// A failed write: the stream's name and the reason.
public struct OutputError: Error, Equatable, Sendable {
    /// `stdout`, `stderr` or a file path.
    public var stream: String
    public var code: Int32

    /// True when the reader went away (EPIPE): the caller stops quietly.
    public var isBrokenPipe: Bool { code == EPIPE }

    public var trainerError: TrainerError {
        TrainerError(.failure, place: stream, systemErrorText(code))
    }
}

/// A stream over a file descriptor, with its own buffer (so each row of a
/// loss log is one write(2) call, flushed as docs/contract.md requires).
public final class FileDescriptorOutput: TextOutput {
    public let descriptor: Int32
    public let name: String
    private var buffer: [UInt8] = []
    private let capacity: Int

    /// - Parameters:
    ///   - capacity: bytes buffered before a write is forced; 0 writes at once.
    public init(descriptor: Int32, name: String, capacity: Int = 1 << 16) {
        self.descriptor = descriptor
        self.name = name
        self.capacity = capacity
    }

    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws(OutputError) {
        var offset = 0
        defer { buffer.removeFirst(offset) }
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                takeBack(offset)
                offset = buffer.count  // drop what cannot be written
                throw OutputError(stream: name, code: code)
            }
            offset += written
        }
    }

    /// Removes the last `count` bytes written, when the descriptor is a
    /// regular file: a flush that fails part-way (a full disk, a file-size
    /// limit) leaves the file as it was before it, so a loss log never ends
    /// in half a row. Pipes and terminals cannot take bytes back.
    private func takeBack(_ count: Int) {
        guard count > 0 else { return }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return }
        let end = lseek(descriptor, 0, SEEK_CUR)
        guard end >= off_t(count) else { return }
        if ftruncate(descriptor, end - off_t(count)) == 0 {
            lseek(descriptor, end - off_t(count), SEEK_SET)
        }
    }
}

/// A stream that collects text in memory, for tests and for composing output.
public final class BufferOutput: TextOutput {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) throws(OutputError) { self.text += text }
    public func flush() throws(OutputError) {}
}
