/// Which of a CSV file's columns the loader keeps, and where each goes in a
/// sample: the input columns' numbers, then the target columns', in the
/// order the config chose them.
struct CSVColumnPlan: Sendable {
    let width: Int
    let inputCount: Int
    let targetCount: Int
    let label: Int?
    /// For each column, its first place among the inputs then targets, or -1.
    let slot: [Int]
    /// Places filled from another place: a column chosen twice.
    let copies: [(from: Int, to: Int)]
    let inputs: [Int]
    let targets: [Int]

    init(width: Int, inputs: [Int], targets: [Int], label: Int?) {
        self.width = width
        self.inputs = inputs
        self.targets = targets
        self.inputCount = inputs.count
        self.targetCount = targets.count
        self.label = label
        var slot = [Int](repeating: -1, count: width)
        var copies: [(from: Int, to: Int)] = []
        for (place, column) in (inputs + targets).enumerated() {
            if slot[column] < 0 { slot[column] = place } else { copies.append((slot[column], place)) }
        }
        self.slot = slot
        self.copies = copies
    }
}

/// What parsing one piece of CSV text gave: the numbers of its records in
/// order, or where the first record the loader refuses starts (whose error
/// the loader then reports by reading that record again as it always has).
final class CSVPieceResult<S: Scalar>: @unchecked Sendable {
    var inputs: [S] = []
    /// The inputs as bytes, instead of `inputs`, when asked for and every
    /// one is a whole number 0…255 written in digits (not `-0`, whose sign
    /// a byte would lose).
    var inputBytes: [UInt8]?
    var targets: [S] = []
    var labels: [String] = []
    /// Each record's line, counted from the piece's first line as 0.
    var lines: [Int] = []
    /// The lines the piece spans: the next piece starts this many lines on.
    var lineCount = 0
    /// The first refused record: its offset in the block and its line
    /// (counted as `lines`). Parsing stops there.
    var failure: (offset: Int, line: Int)?
}

/// Parses a run of whole CSV records into numbers, by the rules of
/// ``CSVReader`` and the loader: a record of plain ASCII cells is read
/// straight from its bytes (``DecimalBytes``), and anything else (a quote,
/// a byte outside ASCII, a number off the fast path) by the String path, so
/// that values are those of `S(text)` and any record the loader would
/// refuse is marked as refused.
enum CSVRecordParser {
    /// Byte classes: 0 a cell's byte, 1 a comma, 2 LF, 3 CR, 4 a quote or a
    /// byte outside ASCII (read by ``CSVReader``).
    private static let byteClass: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: ","): 1
        case 0x0A: 2
        case 0x0D: 3
        case UInt8(ascii: "\""), 0x80...0xFF: 4
        default: 0
        }
    }

    /// Parses the records of `block[range]`.
    /// - Parameter wantsBytes: whether to give the inputs as bytes instead
    ///   (``CSVPieceResult/inputBytes``), when they all are whole numbers
    ///   0…255 written in digits.
    /// - Precondition: `range` starts where a record or blank line starts
    ///   and ends where one ends (a cut of ``CSVScanner``) or at the end of
    ///   the input; `block` holds the records whole.
    static func parse<S: Scalar>(
        _ block: [UInt8], range: Range<Int>, plan: CSVColumnPlan, file: String, wantsBytes: Bool = false
    ) -> CSVPieceResult<S> {
        let result = CSVPieceResult<S>()
        let places = plan.inputCount + plan.targetCount
        // Sized for the densest records (a byte and a comma a cell), so
        // that appending never reallocates.
        let most = range.count / max(2 * plan.width, 1) + 1
        // While every input is a whole number 0…255 written in digits, the
        // inputs are kept as bytes only; at the first that is not, the
        // piece's bytes so far become numbers.
        var allBytes = wantsBytes
        var inputBytes: [UInt8] = []
        if allBytes {
            inputBytes.reserveCapacity(most * plan.inputCount)
        } else {
            result.inputs.reserveCapacity(most * plan.inputCount)
        }
        var rowBytes = [UInt8](repeating: 0, count: max(plan.inputCount, 1))
        result.targets.reserveCapacity(most * plan.targetCount)
        result.lines.reserveCapacity(most)
        var row = [S](repeating: 0, count: max(places, 1))
        var fields: [String] = []
        let end = range.upperBound
        var i = range.lowerBound
        var line = 0
        block.withUnsafeBufferPointer { bytes in
            CSVRecordParser.byteClass.withUnsafeBufferPointer { byteClass in
                plan.slot.withUnsafeBufferPointer { slot in
                    records: while true {
                        // Blank lines: only an LF counts as a line, as in CSVReader.
                        while i < end, bytes[i] == 0x0A || bytes[i] == 0x0D {
                            if bytes[i] == 0x0A { line &+= 1 }
                            i &+= 1
                        }
                        guard i < end else { break records }
                        let recordStart = i, recordLine = line
                        var rowIsBytes = allBytes
                        var column = 0
                        var label: String?
                        var fast = true
                        cells: while true {
                            let cellStart = i
                            var kind: UInt8 = 0
                            // A whole number ended by a comma, a line end or
                            // the end, read in the same pass that finds the
                            // cell's end (most data cells); anything else is
                            // found by byte class and read by DecimalBytes.
                            var whole: S?
                            var j = i
                            let negative = j < end && bytes[j] == UInt8(ascii: "-")
                            if negative { j &+= 1 }
                            let digitsStart = j
                            var mantissa: UInt64 = 0
                            while j < end {
                                let digit = bytes[j] &- 0x30
                                guard digit <= 9 else { break }
                                mantissa = mantissa &* 10 &+ UInt64(digit)
                                j &+= 1
                            }
                            let digits = j &- digitsStart
                            // Up to 18 digits cannot overflow; S holds the
                            // mantissa exactly below 2^(significand bits + 1).
                            if digits > 0, digits <= 18, mantissa >> UInt64(S.significandBitCount + 1) == 0 {
                                let next: UInt8 = j < end ? byteClass[Int(bytes[j])] : 0
                                if j == end || (next >= 1 && next <= 3) {
                                    kind = next
                                    i = j
                                    whole = negative ? -S(mantissa) : S(mantissa)
                                }
                            }
                            if whole == nil {
                                while i < end {
                                    kind = byteClass[Int(bytes[i])]
                                    if kind != 0 { break }
                                    i &+= 1
                                }
                            }
                            if kind == 4 {
                                fast = false
                                break cells
                            }
                            if column < plan.width {
                                let place = slot[column]
                                if place >= 0 {
                                    if let whole {
                                        row[place] = whole
                                        if rowIsBytes, place < plan.inputCount {
                                            if !negative, mantissa <= 255 {
                                                rowBytes[place] = UInt8(truncatingIfNeeded: mantissa)
                                            } else {
                                                rowIsBytes = false
                                            }
                                        }
                                    } else if let value = DecimalBytes.value(bytes, from: cellStart, to: i, as: S.self) {
                                        row[place] = value
                                        if place < plan.inputCount { rowIsBytes = false }
                                    } else if let value: S = number(
                                        String(decoding: UnsafeBufferPointer(rebasing: bytes[cellStart..<i]), as: UTF8.self))
                                    {
                                        row[place] = value
                                        if place < plan.inputCount { rowIsBytes = false }
                                    } else {
                                        result.failure = (recordStart, recordLine)
                                        break records
                                    }
                                }
                                if column == plan.label {
                                    label = String(decoding: UnsafeBufferPointer(rebasing: bytes[cellStart..<i]), as: UTF8.self)
                                }
                            }
                            column &+= 1
                            guard i < end else { break cells }
                            if kind == 1 {
                                i &+= 1
                                continue cells
                            }
                            i &+= kind == 3 && i &+ 1 < end && bytes[i &+ 1] == 0x0A ? 2 : 1
                            line &+= 1
                            break cells
                        }
                        if !fast {
                            // The String path, from the record's start.
                            var reader = CSVReader(bytes: block, file: file, line: recordLine, offset: recordStart)
                            guard (try? reader.next(into: &fields)) != nil, fields.count == plan.width else {
                                result.failure = (recordStart, recordLine)
                                break records
                            }
                            for (place, column) in (plan.inputs + plan.targets).enumerated() {
                                guard let value: S = number(fields[column]) else {
                                    result.failure = (recordStart, recordLine)
                                    break records
                                }
                                row[place] = value
                            }
                            label = plan.label.map { fields[$0] }
                            rowIsBytes = false
                            i = reader.offset
                            line = reader.line
                        } else if column != plan.width {
                            result.failure = (recordStart, recordLine)
                            break records
                        }
                        for copy in plan.copies {
                            row[copy.to] = row[copy.from]
                            if copy.to < plan.inputCount {
                                if copy.from < plan.inputCount { rowBytes[copy.to] = rowBytes[copy.from] } else { rowIsBytes = false }
                            }
                        }
                        if allBytes, rowIsBytes {
                            inputBytes.append(contentsOf: rowBytes[0..<plan.inputCount])
                        } else {
                            if allBytes {
                                allBytes = false
                                result.inputs.reserveCapacity(most * plan.inputCount)
                                result.inputs.append(contentsOf: inputBytes.lazy.map { S($0) })
                                inputBytes = []
                            }
                            result.inputs.append(contentsOf: row[0..<plan.inputCount])
                        }
                        result.targets.append(contentsOf: row[plan.inputCount..<places])
                        if let label { result.labels.append(label) }
                        result.lines.append(recordLine)
                    }
                }
            }
        }
        result.lineCount = line
        if allBytes { result.inputBytes = inputBytes }
        return result
    }

    /// `values` as bytes when every one is a whole number 0…255 (and not
    /// −0), else nil: for the loader's first row, read the old way.
    static func wholeBytes<S: Scalar>(_ values: [S]) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: values.count)
        for (i, value) in values.enumerated() {
            guard value >= 0, value <= 255, value.sign == .plus, value == value.rounded(.towardZero) else { return nil }
            bytes[i] = UInt8(value)
        }
        return bytes
    }

    /// A cell's number by the String path (``DecimalSyntax``, then `S(text)`
    /// within `S`'s range), or nil where the loader reports an error.
    static func number<S: Scalar>(_ text: String) -> S? {
        guard DecimalSyntax.isNumber(text), case .success(let value) = JSONFields.finiteValue(of: text, as: S.self) else { return nil }
        return value
    }
}
