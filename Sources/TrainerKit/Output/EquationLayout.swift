/// Lines of worked-example text, `head = step = step = result`, kept within a
/// terminal's width: steps that do not fit continue on the next line with
/// their `=` under the first one, as one writes a derivation by hand.
struct EquationLayout {
    let width: Int
    private(set) var lines: [String] = []

    init(width: Int) {
        self.width = width
    }

    mutating func line(_ text: String) {
        lines.append(text)
    }

    mutating func blank() {
        if lines.last != "" { lines.append("") }
    }

    /// Text broken between words to fit the width (a word longer than that
    /// gets a line of its own); text without words adds no line.
    mutating func paragraph(_ text: String) {
        lines.append(contentsOf: WordWrap.lines(of: text, width: width).filter { !$0.isEmpty })
    }

    /// `head relation tokens[0] = tokens[1] = …`. A token too long for a line
    /// of its own is broken before its `+`, `-` and `×` (outside brackets
    /// first) or after a comma or semicolon, its pieces aligned under its first character.
    mutating func equation(_ head: String, _ tokens: [String], relation: String = "=") {
        guard !tokens.isEmpty else { return lines.append(head) }
        let pad = String(repeating: " ", count: head.count)
        var current = head
        var broken = false
        for (index, token) in tokens.enumerated() {
            let join = index == 0 ? (relation.isEmpty ? " " : " \(relation) ") : " = "
            // After a step broken over lines, the next starts a line of its own.
            if index == 0 || (!broken && (current + join + token).count <= width) {
                broken = place(token, after: current + join, into: &current)
            } else {
                lines.append(current)
                broken = place(token, after: pad + " = ", into: &current)
            }
        }
        lines.append(current)
    }

    /// Writes `token` after `start`, breaking it into pieces when the line
    /// would overflow; leaves the last, unfinished line in `current`.
    /// Returns whether the token was broken.
    private mutating func place(_ token: String, after start: String, into current: inout String) -> Bool {
        if (start + token).count <= width {
            current = start + token
            return false
        }
        let indent = String(repeating: " ", count: start.count)
        let room = width - start.count
        let pieces = Self.pieces(of: token, room: room, depth: 0)
        var line = start
        for (index, piece) in pieces.enumerated() {
            if index == 0 {
                line += piece
            } else if (line + " " + piece).count <= width {
                line += " " + piece
            } else {
                lines.append(line)
                line = indent + piece
            }
        }
        current = line
        return true
    }

    /// The pieces of `token` that fit in `room` columns: first broken at the
    /// operators outside brackets, then those a piece still too long has
    /// inside one more level of brackets, and so on.
    static func pieces(of token: String, room: Int, depth: Int) -> [String] {
        guard depth <= 8 else { return [token] }
        return pieces(of: token, maximumDepth: depth).flatMap { piece in
            piece.count <= room ? [piece] : pieces(of: piece, room: room, depth: depth + 1)
        }
    }

    /// `a + b×c - d` -> `a`, `+ b×c`, `- d`; `[1, 2]` -> `[1,`, `2]` (at depth 1).
    /// Only operators, commas and semicolons inside at most `maximumDepth` brackets break.
    static func pieces(of token: String, maximumDepth: Int) -> [String] {
        let characters = Array(token)
        var pieces: [String] = []
        var start = 0, depth = 0, index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "(" || character == "[" { depth += 1 }
            if character == ")" || character == "]" { depth -= 1 }
            let breakable = depth <= maximumDepth
            if breakable, character == " ", index + 2 < characters.count, characters[index + 2] == " ",
                "+-×".contains(characters[index + 1]), index > start
            {
                pieces.append(String(characters[start..<index]))
                start = index + 1
            } else if breakable, character == "," || character == ";", index + 1 < characters.count, characters[index + 1] == " " {
                pieces.append(String(characters[start...index]))
                start = index + 2
                index += 1
            }
            index += 1
        }
        pieces.append(String(characters[start...]))
        return pieces.filter { !$0.isEmpty }
    }
}
