import Foundation
import Testing
@testable import TrainerKit

/// Data given as a named FIFO (`mkfifo d.csv; cat data.csv > d.csv &`) is
/// opened for reading exactly once. The memory plan sizes data files before
/// loading them; when it opened the FIFO to look and closed it, the writer
/// was left for a moment without a reader, and a write in that moment ended
/// it with SIGPIPE (this killed the test process in CI). The opens and
/// closes are counted from outside with inotify, so the count does not
/// depend on that moment being hit.
@Suite struct FIFODataTests {
    @Test func aFIFOGivenAsDataIsOpenedForReadingOnce() throws {
        let directory = TemporaryDirectory()
        directory.write(
            "c.json",
            #"{"network": {"layers": [2, 3, 1]}, "training": {"learning_rate": 0.5, "epochs": 2}, "data": {"train": {"csv": "d.csv"}}}"#)
        directory.write("data.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
        try #require(mkfifo(directory.file("d.csv"), 0o644) == 0)
        let watcher = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(watcher >= 0)
        defer { close(watcher) }
        try #require(inotify_add_watch(watcher, directory.file("d.csv"), UInt32(IN_CLOSE_NOWRITE | IN_CLOSE_WRITE)) >= 0)

        let result = try TrainerProcess(
            in: directory.path, shell: #"cat data.csv > d.csv & "$TRAINER" run c.json --quiet --weights-out w.json --log l.csv; wait"#
        ).wait()
        #expect(result.code == 0, "\(result)")

        var readerCloses = 0
        var writerCloses = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(watcher, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                if event.mask & UInt32(IN_CLOSE_NOWRITE) != 0 { readerCloses += 1 }
                if event.mask & UInt32(IN_CLOSE_WRITE) != 0 { writerCloses += 1 }
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
            }
        }
        #expect(writerCloses == 1, "cat's one open for writing")
        #expect(readerCloses == 1, "trainer opened the FIFO for reading \(readerCloses) times")
        #expect(directory.rows("l.csv").count == 3)
    }
}
