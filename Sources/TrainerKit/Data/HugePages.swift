#if canImport(Glibc)
import Glibc
#endif

/// Large read-only arrays that training reads at random (MNIST's pixels, one
/// shuffled 784-byte row after another), copied into memory the kernel is
/// asked to back with 2 MiB pages: with 4 KiB pages nearly every row of a
/// batch costs a TLB miss and a page walk on top of its cache misses.
enum HugePages {
    /// A copy of `source`, whose storage is advised `MADV_HUGEPAGE` before it
    /// is first written (the advice only shapes pages faulted in afterwards).
    /// Where the advice is not supported it is ignored; the copy is the same.
    static func copy(_ source: ArraySlice<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: source.count) { buffer, initialized in
            if let base = buffer.baseAddress { advise(base, count: buffer.count) }
            _ = buffer.initialize(from: source)
            initialized = source.count
        }
    }

    private static let hugePageSize = 2 << 20

    private static func advise(_ base: UnsafeMutablePointer<UInt8>, count: Int) {
        #if os(Linux)
        // Only whole 2 MiB pages inside the buffer: madvise wants an aligned
        // start, and a huge page must not spill outside the allocation.
        let start = (Int(bitPattern: base) + hugePageSize - 1) & ~(hugePageSize - 1)
        let end = (Int(bitPattern: base) + count) & ~(hugePageSize - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
