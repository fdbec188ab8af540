/// A loss log read back for plotting: its column names and, per row, one
/// number or nothing for each column.
///
/// Reads what `trainer run` writes (docs/contract.md, "Files written"): a header row, then
/// numeric rows. Also reads a log that is still being written: a last line
/// without its newline may be half a row, so it is left out (a complete row
/// always ends in a newline: the log writes each row whole, newline included).
/// Blank lines are skipped, CRLF is accepted, a UTF-8 byte order mark is
/// skipped, cells are trimmed of spaces. An empty cell is a value missing
/// from that row (a column not computed every epoch): the row gives that
/// column no point. Every other cell must be a finite decimal number.
struct LossLogTable: Equatable {
    /// The x axis: the column every row's position comes from.
    static let xColumn = "epoch"
    /// Columns left out of the default series: the x axis itself, and the
    /// wall time, whose scale has nothing to do with the losses.
    static let unplottedByDefault: Set<String> = [xColumn, "seconds"]

    /// The header's names, in order.
    var columns: [String]
    /// `rows[i][j]`: row i's value in column j, nil when the cell is empty.
    var rows: [[Double?]]
    /// How messages name the file (`out/xor.loss.csv`, `stdin`).
    var file: String

    /// Parses a loss log.
    /// - Parameter file: how messages name the file.
    /// - Throws: `file:LINE: ...` for a bad cell or a row of the wrong
    ///   length; `file: ...` for a missing header or `epoch` column.
    static func parse(_ bytes: [UInt8], file: String) throws(TrainerError) -> LossLogTable {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var header: [String]?
        var rows: [[Double?]] = []
        var line = 0
        var xIndex = 0
        // Only lines that end in '\n' are read: whatever follows the last
        // newline is a row still being written.
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            line += 1
            var end = newline
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            guard let text = String(validating: bytes[start..<end], as: UTF8.self) else {
                throw TrainerError(place: "\(file):\(line)", "invalid UTF-8; expected a UTF-8 text file")
            }
            start = newline + 1
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
                .map(ChartText.trimmed)
            if fields.allSatisfy(\.isEmpty) { continue }  // a blank line
            guard let names = header else {
                header = try checkedHeader(fields, file: file, line: line)
                xIndex = header!.firstIndex(of: xColumn)!
                continue
            }
            guard fields.count == names.count else {
                throw TrainerError(
                    place: "\(file):\(line)",
                    "expected \(names.count) fields (the header has \(names.count) columns), found \(fields.count)")
            }
            var row: [Double?] = []
            row.reserveCapacity(fields.count)
            for (column, field) in fields.enumerated() {
                if field.isEmpty {
                    row.append(nil)
                    continue
                }
                guard DecimalSyntax.isNumber(field), let value = Double(field), value.isFinite else {
                    throw TrainerError(
                        place: "\(file):\(line)",
                        "column '\(names[column])': expected a finite number, found '\(field)'")
                }
                row.append(value)
            }
            if row[xIndex] == nil {
                throw TrainerError(place: "\(file):\(line)", "column '\(xColumn)' is empty; expected the epoch number")
            }
            rows.append(row)
        }
        guard let header else {
            if bytes[start...].contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                throw TrainerError.file(
                    file, "the header row has no newline yet; expected a loss log such as trainer run writes (epoch,loss,...,seconds)")
            }
            throw TrainerError.file(file, "no header row; expected a loss log such as trainer run writes (epoch,loss,...,seconds)")
        }
        return LossLogTable(columns: header, rows: rows, file: file)
    }

    private static func checkedHeader(_ fields: [String], file: String, line: Int) throws(TrainerError) -> [String] {
        let place = "\(file):\(line)"
        var seen: Set<String> = []
        for field in fields {
            if field.isEmpty {
                throw TrainerError(place: place, "a header column has no name; expected names such as epoch,loss,seconds")
            }
            if !seen.insert(field).inserted {
                throw TrainerError(place: place, "column '\(field)' appears twice in the header")
            }
        }
        guard fields.contains(xColumn) else {
            let found = fields.joined(separator: ",")
            if fields.allSatisfy({ DecimalSyntax.isNumber($0) }) {
                throw TrainerError(place: place, "expected a header row naming the columns (epoch,loss,...), found numbers: \(found)")
            }
            let hint = Suggestion.closest(to: xColumn, in: fields).map { " (is '\($0)' meant to be '\(xColumn)'?)" } ?? ""
            throw TrainerError(place: place, "no '\(xColumn)' column (the x axis) in the header \(found)\(hint)")
        }
        return fields
    }

    /// The columns plotted when none are chosen: every column but `epoch`
    /// and `seconds`.
    var defaultSeries: [String] {
        columns.filter { !Self.unplottedByDefault.contains($0) }
    }

    /// The columns named by a `--columns` value (`loss,test_loss`), checked
    /// against the header; nil chooses ``defaultSeries``.
    func series(named list: String?) throws(TrainerError) -> [String] {
        let option = "--columns"
        guard let list else {
            let chosen = defaultSeries
            if chosen.isEmpty {
                throw TrainerError.file(file, "no columns to plot besides epoch and seconds; expected loss, accuracy, ...")
            }
            return chosen
        }
        let candidates = columns.filter { $0 != Self.xColumn }
        var chosen: [String] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false).map(ChartText.trimmed) {
            if name.isEmpty {
                throw TrainerError.usage(option, "an empty column name in '\(list)'; expected names such as loss,test_loss")
            }
            if name == Self.xColumn {
                throw TrainerError.usage(
                    option, "'\(name)' is the x axis; expected a column to plot against it (\(candidates.joined(separator: ", ")))")
            }
            guard candidates.contains(name) else {
                let hint = Suggestion.didYouMean(name, in: candidates, quote: true)
                throw TrainerError.usage(
                    option, "no column '\(name)' in \(file)\(hint) (columns: \(candidates.joined(separator: ", ")))")
            }
            if !chosen.contains(name) { chosen.append(name) }
        }
        return chosen
    }

    /// The points of one column: (epoch, value) for each row, in file order,
    /// leaving out rows whose cell is empty.
    func points(_ column: String) -> [ChartPoint] {
        guard let index = columns.firstIndex(of: column), let xIndex = columns.firstIndex(of: Self.xColumn) else { return [] }
        return rows.compactMap { row in
            guard let x = row[xIndex], let y = row[index] else { return nil }
            return ChartPoint(x: x, y: y)
        }
    }
}

/// One point of a chart, in data units: the epoch and the column's value.
struct ChartPoint: Equatable, Sendable {
    var x: Double
    var y: Double
}

/// One line of a chart: a column's name and its points.
struct ChartSeries: Equatable, Sendable {
    var name: String
    var points: [ChartPoint]
}
