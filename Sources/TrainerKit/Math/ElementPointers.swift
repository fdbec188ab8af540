/// The address of an array's or a matrix's first element, for the kernels
/// and loaders that take pointers, valid for the call only. An array's
/// buffer always has one (an empty array's is its empty storage's, never
/// read), so callers get a pointer, never an optional to force open: this
/// is TrainerKit's one place that does. (Not `body(self)`, which retains the
/// array on each call: see docs/performance.md, "Element pointers".)
extension Array {
    @inline(__always)
    func withElementPointer<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    @inline(__always)
    mutating func withMutableElementPointer<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

extension Matrix {
    /// ``Swift/Array/withElementPointer(_:)`` of the row-major elements.
    @inline(__always)
    func withElementPointer<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        try elements.withElementPointer(body)
    }

    @inline(__always)
    mutating func withMutableElementPointer<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        try elements.withMutableElementPointer(body)
    }
}

/// `count` elements of scratch for the call only (on the stack when small:
/// `withUnsafeTemporaryAllocation`), as a pointer to the first.
@inline(__always)
func withTemporaryElements<Element, R>(of type: Element.Type, count: Int, _ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows
    -> R
{
    try withUnsafeTemporaryAllocation(of: type, capacity: max(count, 1)) { try body($0.baseAddress!) }
}
