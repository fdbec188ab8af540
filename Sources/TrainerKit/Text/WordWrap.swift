/// Filling words into lines of a given width: the help texts' tables and
/// examples, and the paragraphs of `trainer explain`.
enum WordWrap {
    /// Words of `text` filled into lines of at most `width` characters (a
    /// word longer than that gets a line of its own). Text without words
    /// gives one empty line.
    static func lines(of text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
