import Foundation
import Testing

/// The Python that checks exports with the onnx package and onnxruntime:
/// the interpreter `TRAINER_TEST_PYTHON` names when set, else the
/// repository's `.build/test-venv/bin/python` (scripts/test-venv.sh makes
/// it; `make test` runs that first). Neither is needed: the tests that run
/// it are skipped without it, visibly, with ``onnxPythonSkipReason``.
enum TestPython {
    /// Where the interpreter is looked for: `TRAINER_TEST_PYTHON`, else the venv.
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["TRAINER_TEST_PYTHON"], !path.isEmpty { return path }
        return repositoryDirectory + "/.build/test-venv/bin/python"
    }

    /// True when ``path`` is an executable file: a cheap check, made when
    /// tests are listed, to word the skip reason.
    static var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// True when the interpreter imports onnx, onnxruntime and numpy. Asked
    /// once per process, and only when a test that needs it runs (the
    /// `.enabled(if:)` condition is evaluated lazily; the import takes about
    /// a second).
    static let isReady: Bool = {
        guard exists else { return false }
        let result = try? runProcess(path, ["-c", "import onnx, onnxruntime, numpy"], in: nil)
        return result?.code == 0
    }()

    /// Runs `script`, a file in Tests/Export, with `arguments`.
    static func run(_ script: String, _ arguments: [String]) throws -> CLIResult {
        try runProcess(path, [repositoryDirectory + "/Tests/Export/" + script] + arguments, in: nil)
    }
}

/// Why a test that needs ``TestPython`` was skipped, shown by `swift test`.
/// Worded from the cheap check alone: if the interpreter exists and the
/// test was skipped anyway, it is the import that failed.
let onnxPythonSkipReason: Comment = {
    let setup = "'scripts/test-venv.sh' makes .build/test-venv with them, or set TRAINER_TEST_PYTHON"
    if TestPython.exists {
        return Comment(rawValue: "needs onnx, onnxruntime and numpy, which \(TestPython.path) cannot import; \(setup)")
    }
    return Comment(rawValue: "needs a Python with onnx, onnxruntime and numpy, and there is none at \(TestPython.path); \(setup)")
}()
