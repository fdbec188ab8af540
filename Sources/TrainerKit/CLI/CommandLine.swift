/// One option of a command: its name, the value it takes (if any), and its
/// help line. The same table drives parsing, `--help` and docs/commands.md.
public struct OptionSpec: Sendable {
    /// `--epochs`.
    public var name: String
    /// `-q`, when there is a short form.
    public var short: String?
    /// The value's placeholder (`N`, `PATH`); nil for a flag.
    public var value: String?
    public var help: String

    public init(_ name: String, short: String? = nil, value: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.value = value
        self.help = help
    }

    /// The names the parser accepts: the long name, then the short one if any.
    public var names: [String] {
        [name] + (short.map { [$0] } ?? [])
    }
}

/// A positional argument of a command.
public struct ArgumentSpec: Sendable {
    public var name: String
    public var optional: Bool
    /// The last argument may be given any number of times (`W.json...`).
    public var repeats: Bool
    public var help: String

    public init(_ name: String, optional: Bool = false, repeats: Bool = false, help: String) {
        self.name = name
        self.optional = optional
        self.repeats = repeats
        self.help = help
    }

    /// As usage lines write it: `[CONFIG.json]`, `W.json...`.
    public var usage: String {
        let shown = repeats ? name + "..." : name
        return optional ? "[\(shown)]" : shown
    }
}

/// One line of a command's EXIT STATUS section: the code (or codes, `130, 143`)
/// and what it means for that command.
public struct ExitStatusSpec: Sendable {
    public var codes: String
    public var meaning: String

    public init(_ codes: String, _ meaning: String) {
        self.codes = codes
        self.meaning = meaning
    }
}

/// One entry of a command's EXAMPLES section: a command line that works from
/// the repository's root folder, and what it does.
public struct ExampleSpec: Sendable {
    public var command: String
    public var meaning: String

    public init(_ command: String, _ meaning: String) {
        self.command = command
        self.meaning = meaning
    }
}

/// A command: its arguments, options and help text.
public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    /// Paragraphs shown by `trainer help COMMAND` after the option list.
    public var details: String
    /// The exit codes this command can return (docs/contract.md, "Streams and exit codes").
    public var exitStatus: [ExitStatusSpec]
    /// Command lines that work from the repository's root folder.
    public var examples: [ExampleSpec]

    /// `run CONFIG.json [options]`.
    public var usage: String {
        var parts = ["trainer", name]
        for argument in arguments { parts.append(argument.usage) }
        if !options.isEmpty { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// The option list as help and the manual show it: `-q, --quiet` or
    /// `--epochs N` on the left, its help on the right, `--help` last.
    public var optionRows: [(option: String, help: String)] {
        var rows = options.map { option -> (option: String, help: String) in
            var left = option.short.map { "\($0), " } ?? ""
            left += option.name
            if let value = option.value { left += " \(value)" }
            return (left, option.help)
        }
        rows.append(("-h, --help", "show this help"))
        return rows
    }
}

/// The arguments of one command, parsed.
public struct ParsedArguments: Sendable {
    public var positionals: [String] = []
    /// Option values by option name (`--epochs` -> `"5"`): the last given.
    public var values: [String: String] = [:]
    /// Every value of each option, in the order given (`--set` repeats).
    public var allValues: [String: [String]] = [:]
    /// Flags given (`--quiet`).
    public var flags: Set<String> = []
    /// `--help` or `-h` was given.
    public var wantsHelp = false

    public func value(_ name: String) -> String? { values[name] }
    /// Every value given for a repeatable option, in order.
    public func values(_ name: String) -> [String] { allValues[name] ?? [] }
    public func has(_ name: String) -> Bool { flags.contains(name) }
}

extension CommandSpec {
    /// Parses `arguments` (after the command name). `--name value`,
    /// `--name=value`, `-q`, `--` (everything after is positional) and `-`
    /// (a positional: stdin or stdout) are understood.
    public func parse(_ arguments: [String]) throws(TrainerError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "--help" || argument == "-h" {
                parsed.wantsHelp = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.names.contains(name) }) else {
                let hint = Suggestion.didYouMean(name, in: options.map(\.name))
                throw TrainerError.usage(
                    name, "unknown option for '\(self.name)'\(hint.isEmpty ? "." : hint) See 'trainer help \(self.name)'.")
            }
            if option.value == nil {
                if inlineValue != nil {
                    throw TrainerError.usage(option.name, "takes no value. See 'trainer help \(self.name)'.")
                }
                parsed.flags.insert(option.name)
                continue
            }
            if let inlineValue {
                parsed.values[option.name] = inlineValue
                parsed.allValues[option.name, default: []].append(inlineValue)
            } else {
                guard index < arguments.count else {
                    throw TrainerError.usage(option.name, "expected a value (\(option.value!)). See 'trainer help \(self.name)'.")
                }
                parsed.values[option.name] = arguments[index]
                parsed.allValues[option.name, default: []].append(arguments[index])
                index += 1
            }
        }
        if parsed.wantsHelp { return parsed }
        let required = self.arguments.filter { !$0.optional }
        if parsed.positionals.count < required.count {
            let missing = required[parsed.positionals.count]
            throw TrainerError.usage(name, "missing \(missing.name). See 'trainer help \(name)'.")
        }
        if parsed.positionals.count > self.arguments.count, self.arguments.last?.repeats != true {
            let extra = parsed.positionals[self.arguments.count]
            throw TrainerError.usage(name, "unexpected argument '\(extra)'. See 'trainer help \(name)'.")
        }
        return parsed
    }
}

/// Reading typed option values, with errors that name the flag.
enum OptionValue {
    /// A whole number written in digits, in `minimum...maximum`.
    static func wholeNumber(_ text: String, option: String, minimum: Int, maximum: Int = Int.max) throws(TrainerError) -> Int {
        let expectation = JSONFields.wholeNumberExpectation(minimum: minimum, maximum: maximum)
        guard let value = Int(text), value >= minimum, value <= maximum, text.first != "+" else {
            throw TrainerError.usage(option, "expected \(expectation), found \(text)")
        }
        return value
    }

    /// A finite number > 0 written as a decimal (`0.5`, `1e-3`).
    static func positiveNumber(_ text: String, option: String) throws(TrainerError) -> Double {
        guard DecimalSyntax.isNumber(text), let value = Double(text), value.isFinite, value > 0 else {
            throw TrainerError.usage(option, "expected a positive number, found \(text)")
        }
        return value
    }

    /// A seed: a whole number from 0 to 2^64 - 1.
    static func seed(_ text: String, option: String) throws(TrainerError) -> UInt64 {
        guard let value = UInt64(text), text.first != "+" else {
            throw TrainerError.usage(option, "expected a whole number from 0 to \(UInt64.max), found \(text)")
        }
        return value
    }

    /// A size in bytes: `512M`, `16G`, `16GiB`, `1T`, or plain bytes (binary units).
    static func byteCount(_ text: String, option: String) throws(TrainerError) -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text.uppercased())
        if digits.hasSuffix("IB") { digits = digits.dropLast(2) } else if digits.hasSuffix("B") { digits = digits.dropLast() }
        var unit = 1
        if let last = digits.last, let multiplier = units[last] {
            unit = multiplier
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0 else {
            throw TrainerError.usage(option, "expected a size such as 512M or 16G, found \(text)")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw TrainerError.usage(option, "\(text) is too large") }
        return bytes
    }
}
