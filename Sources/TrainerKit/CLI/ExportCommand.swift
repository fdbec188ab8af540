/// The formats `trainer export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    case onnx
    case c

    public static var names: [String] { allCases.map(\.rawValue) }
}

/// `trainer export W.json --format onnx|c`: the trained network, its input
/// scaling and class labels, for use without trainer.
struct ExportCommand {
    let arguments: ParsedArguments
    let context: CommandContext

    func execute() throws -> Int32 {
        let weightsPath = arguments.positionals[0]
        // The command line is checked before anything is read.
        let format = try Self.format(arguments.value("--format"), output: arguments.value("--output"))
        let output = arguments.value("--output") ?? (format == .c ? "-" : nil)
        guard let output, !output.isEmpty else {
            throw TrainerError.usage("--output", "expected a file for the ONNX model (it is binary, so not stdout)")
        }
        if output == "-", format == .onnx {
            throw TrainerError.usage("--output", "the ONNX model is binary; give a file, not '-'")
        }
        if arguments.value("--name") != nil, format != .c {
            throw TrainerError.usage("--name", "only used with --format c")
        }
        let name =
            try arguments.value("--name").map { text throws(TrainerError) in try Self.checkedName(text, option: "--name") }
            ?? Self.defaultName(weightsPath: weightsPath)
        if output != "-" {
            try OutputPlan.checkWritable(FilePath(path: output))
            if OutputPlan.identity(AtomicFile.resolveSymlinks(output)) == OutputPlan.identity(weightsPath) {
                throw TrainerError.usage("--output", "same file as the weights file (\(weightsPath)); writing it would destroy them")
            }
        }

        let file = try WeightsFile.read(FilePath(path: weightsPath))
        // Built once, as predict builds it, so that a literal that does not
        // fit the file's precision is the same placed error here.
        var unused = RandomGenerator(seed: 0)
        let spec = NetworkSpec(weights: file, file: weightsPath)
        switch file.metadata.precision {
        case .float64: _ = try spec.build(using: &unused, as: Double.self)
        case .float32: _ = try spec.build(using: &unused, as: Float.self)
        }
        let bytes: [UInt8]
        switch format {
        case .onnx: bytes = ONNXExport.model(of: file, producerVersion: CLI.version)
        case .c: bytes = Array(CExport.source(of: file, name: name).utf8)
        }
        if output == "-" {
            try context.stdout.write(String(decoding: bytes, as: UTF8.self))
        } else {
            try OutputPlan.createFolder(for: FilePath(path: output))
            try AtomicFile.write(bytes: bytes, to: output, display: output)
        }
        if !arguments.has("--quiet") {
            let place = output == "-" ? "stdout" : output
            context.note(
                "trainer: wrote \(place): \(format == .onnx ? "ONNX model" : "C header"), \(MemoryEstimate.grouped(bytes.count)) bytes")
        }
        return ExitCode.success
    }

    /// `--format`, or the one `--output`'s extension names (`.onnx`, `.h`).
    static func format(_ text: String?, output: String?) throws(TrainerError) -> ExportFormat {
        if let text {
            guard let format = ExportFormat(rawValue: text) else {
                throw TrainerError.usage("--format", JSONFields.unknownName(text, kind: "format", names: ExportFormat.names))
            }
            return format
        }
        if let output, output.hasSuffix(".onnx") { return .onnx }
        if let output, output.hasSuffix(".h") { return .c }
        throw TrainerError.usage(
            "--format", "missing; expected one of \(ExportFormat.names.joined(separator: ", ")) (or an --output ending .onnx or .h)")
    }

    /// C's identifiers: a letter or `_`, then letters, digits and `_`; not
    /// a C99 keyword (nor C++'s alternative operator names, for headers
    /// included from C++).
    static func checkedName(_ text: String, option: String) throws(TrainerError) -> String {
        let bytes = Array(text.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        guard let first = bytes.first, isLetter(first), bytes.allSatisfy({ isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }) else {
            throw TrainerError.usage(option, "expected a C identifier (a letter or _, then letters, digits or _), found \"\(text)\"")
        }
        guard !reservedWords.contains(text) else {
            throw TrainerError.usage(option, "\"\(text)\" is a C or C++ keyword; expected another name")
        }
        return text
    }

    static let reservedWords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor", "xor_eq",
    ]

    /// `configs/out/iris-softmax.weights.json` → `iris_softmax`: the file's
    /// name before its first dot, other characters turned into `_`, `_`
    /// first when it would start with a digit or be a keyword.
    static func defaultName(weightsPath: String) -> String {
        let base = Paths.fileName(of: weightsPath).split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var name = String(
            base.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
                    ? Character(scalar) : "_"
            })
        if name.isEmpty { name = "model" }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) || reservedWords.contains(name) { name = "_" + name }
        return name
    }
}
