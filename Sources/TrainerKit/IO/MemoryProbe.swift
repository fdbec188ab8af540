import Glibc

/// Asking for memory before a large array is made. A Swift array whose
/// allocation fails traps ("failed to allocate", exit 134), which cannot be
/// caught, so the allocations whose size comes from the input (the files
/// read, the data sets and their copies, the network and its batches) are
/// tried first; when the kernel says no, trainer stops with one line and
/// exit 2 before anything is written. Under `ulimit -v` (RLIMIT_AS) or
/// `ulimit -d` (RLIMIT_DATA) the line says which limit and how much of it
/// is in use.
enum MemoryProbe {
    /// Whether `bytes` more could be allocated now: a private, anonymous,
    /// read-write mapping of that size, made and unmapped at once. Nothing is
    /// touched, so nothing is used; the mapping counts against RLIMIT_AS,
    /// RLIMIT_DATA and the kernel's overcommit check as malloc's own
    /// mappings for large blocks do. (malloc and free would not do: the
    /// optimizer may remove a pair whose pointer is never used.)
    static func canAllocate(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        guard let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapping != MAP_FAILED else {
            return false
        }
        munmap(mapping, bytes)
        return true
    }

    /// The bytes of `count` elements of `T` with room for an array's header,
    /// or nil when that overflows.
    static func bytes<T>(_ count: Int, of type: T.Type) -> Int? {
        let (product, overflow) = max(count, 0).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        let (sum, overflow2) = product.addingReportingOverflow(64)
        return overflow || overflow2 ? nil : sum
    }

    /// Throws, naming `place`, when `count` elements of `T` cannot be
    /// allocated now. `what` says what they are for (`"to read it"`,
    /// `"for 60,000 samples"`); `expected` what would help.
    static func require<T>(
        _ count: Int, of type: T.Type, place: String, _ what: String, expected: String = "a higher limit or less data"
    ) throws(TrainerError) {
        try require(bytes: bytes(count, of: type), place: place, what, expected: expected)
    }

    /// ``require(_:of:place:_:expected:)`` for a `rows × columns` matrix.
    static func require<T>(
        rows: Int, columns: Int, of type: T.Type, place: String, _ what: String, expected: String = "a higher limit or less data"
    ) throws(TrainerError) {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        try require(bytes: overflow ? nil : bytes(count, of: type), place: place, what, expected: expected)
    }

    /// ``require(_:of:place:_:expected:)`` for a size in bytes (nil: too
    /// large to count).
    static func require(bytes: Int?, place: String, _ what: String, expected: String = "a higher limit or less data") throws(TrainerError) {
        guard let bytes else {
            throw TrainerError(place: place, "cannot allocate memory \(what): the size overflows a 64-bit integer; expected \(expected)")
        }
        guard !canAllocate(bytes) else { return }
        throw TrainerError(place: place, "cannot allocate \(MemoryEstimate.bytes(bytes)) \(what): \(shortfall); expected \(expected)")
    }

    /// Throws when the tree JSONReader would build from `bytes` might not
    /// fit. The bound: at most one value per `[`, `,` and `:`, and the root;
    /// 64 bytes for each (its node and its share of an array, generously);
    /// and the text twice more, for strings and numbers too long to be held
    /// inline. (Checked against a parse: docs/performance.md, "The JSON tree's bound".)
    static func requireJSON(_ bytes: [UInt8], file: String) throws(TrainerError) {
        let values = bytes.withUnsafeBytes { buffer -> Int in
            guard let start = buffer.baseAddress else { return 0 }
            var total = 1
            for byte in [UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: ":")] {
                var from = start
                let end = start + buffer.count
                while from < end, let found = memchr(from, Int32(byte), end - from) {
                    total += 1
                    from = UnsafeRawPointer(found) + 1
                }
            }
            return total
        }
        // Both at most 256 MiB × 64 + 512 MiB: no overflow.
        try require(bytes: values * 64 + 2 * bytes.count, place: file, "to parse it", expected: "a higher limit or a smaller file")
    }

    /// Why an allocation failed, as a phrase: `more than the address-space
    /// limit (ulimit -v) of 146 MiB leaves (52 MiB in use)`, or, without
    /// such a limit, `more than this machine can allocate`.
    static var shortfall: String {
        // /proc/self/statm: sizes in pages; the first is the address space,
        // the sixth the data (and stack).
        let pages = statm()
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        func inUse(_ field: Int) -> String {
            guard field < pages.count, pageSize > 0 else { return "" }
            let (bytes, overflow) = pages[field].multipliedReportingOverflow(by: pageSize)
            return overflow ? "" : " (\(MemoryEstimate.bytes(bytes)) in use)"
        }
        if let limit = softLimit(Int32(RLIMIT_AS.rawValue)) {
            return "more than the address-space limit (ulimit -v) of \(MemoryEstimate.bytes(limit)) leaves\(inUse(0))"
        }
        if let limit = softLimit(Int32(RLIMIT_DATA.rawValue)) {
            return "more than the data limit (ulimit -d) of \(MemoryEstimate.bytes(limit)) leaves\(inUse(5))"
        }
        return "more than this machine can allocate"
    }

    /// Whether `ulimit -v` or `ulimit -d` limits this process.
    static var isLimited: Bool {
        softLimit(Int32(RLIMIT_AS.rawValue)) != nil || softLimit(Int32(RLIMIT_DATA.rawValue)) != nil
    }

    /// The soft limit of `resource` in bytes, or nil when there is none.
    static func softLimit(_ resource: Int32) -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return limit.rlim_cur > UInt(Int.max) ? nil : Int(limit.rlim_cur)
    }

    /// The numbers of /proc/self/statm, or [] when it cannot be read.
    private static func statm() -> [Int] {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        return buffer[0..<count].split(separator: UInt8(ascii: " ")).compactMap {
            Int(String(decoding: $0, as: UTF8.self).filter(\.isNumber))
        }
    }
}
