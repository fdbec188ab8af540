import Foundation

/// What the four libFuzzer targets share: turning libFuzzer's buffer into
/// bytes, a scratch folder for the properties that read files, and a
/// deliberate trap when a property breaks, so that libFuzzer saves the input.
enum FuzzHarness {
    /// A folder of this process's own under the temp folder, removed at a normal exit.
    static let scratch: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/trainer-fuzz-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            report("fuzz: cannot create a scratch folder under \(base)")
            exit(1)
        }
        let path = String(cString: made)
        atexit { try? FileManager.default.removeItem(atPath: FuzzHarness.scratch) }
        return path
    }()

    static func run(_ target: FuzzProperty.Target, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try FuzzProperty.check(target, bytes, scratch: scratch)
        } catch {
            report("fuzz \(target.rawValue): property violated: \(error)")
            abort()
        }
        return 0
    }

    private static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
