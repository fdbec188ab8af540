import Glibc

/// The text of an errno value, as the C library words it ("No such file or directory").
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// A failed system call: the errno and its text.
struct SystemCallError: Error, Equatable {
    var code: Int32
    var text: String { systemErrorText(code) }

    static var current: SystemCallError { SystemCallError(code: errno) }
}
