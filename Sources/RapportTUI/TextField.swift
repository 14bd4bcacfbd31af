import RapportText

/// The editing model of a text field: the text and a cursor counted in graphemes
/// (Swift `Character`s), so the cursor never lands inside a wide glyph, an emoji
/// sequence or a letter with combining marks. Pure; the form and the inline editor
/// use it, and it is tested without a terminal.
public struct TextField: Equatable, Sendable {
    /// Stored as graphemes, so a key costs the same on a long text (a paste arrives
    /// one key per character).
    private var chars: [Character]
    /// Graphemes before the cursor, 0...text.count.
    public private(set) var cursor: Int
    /// Whether Enter inserts a line break (the inline multi-line editor).
    public var multiline: Bool

    public init(_ text: String = "", multiline: Bool = false) {
        chars = Array(text)
        self.multiline = multiline
        cursor = chars.count
    }

    public var text: String {
        get { String(chars) }
        set { chars = Array(newValue) }
    }

    /// Inserts text at the cursor (typing, or a paste of many characters). A combining
    /// mark (or a skin tone, a ZWJ…) typed after a character joins it; the cursor stays
    /// after what was typed.
    public mutating func insert(_ s: String) {
        var s = s
        if !multiline { s = s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ") }
        guard !s.isEmpty else { return }
        // Re-segment the grapheme before the cursor with what is typed, and the one
        // after it, so clusters form across the join.
        let from = max(0, cursor - 1), to = min(chars.count, cursor + 1)
        let before = String(chars[from..<cursor]) + s
        let joined = Array(before + String(chars[cursor..<to]))
        chars.replaceSubrange(from..<to, with: joined)
        cursor = min(from + before.count, chars.count)
    }

    public mutating func left() { cursor = max(0, cursor - 1) }
    public mutating func right() { cursor = min(text.count, cursor + 1) }

    /// Home / Ctrl-A: start of the line.
    public mutating func home() {
        var i = cursor
        while i > 0 && chars[i - 1] != "\n" { i -= 1 }
        cursor = i
    }

    /// End / Ctrl-E: end of the line.
    public mutating func end() {
        var i = cursor
        while i < chars.count && chars[i] != "\n" { i += 1 }
        cursor = i
    }

    /// Backspace: removes the whole grapheme before the cursor.
    public mutating func backspace() {
        guard cursor > 0 else { return }
        chars.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Delete: removes the grapheme under the cursor.
    public mutating func deleteForward() {
        guard cursor < chars.count else { return }
        chars.remove(at: cursor)
    }

    /// Ctrl-W: removes the word before the cursor (and the spaces after it).
    public mutating func deleteWord() {
        var i = cursor
        while i > 0 && chars[i - 1].isWhitespace && chars[i - 1] != "\n" { i -= 1 }
        while i > 0 && !chars[i - 1].isWhitespace { i -= 1 }
        chars.removeSubrange(i..<cursor)
        cursor = i
    }

    /// Ctrl-U: removes everything before the cursor on this line.
    public mutating func deleteToStart() {
        let end = cursor
        home()
        chars.removeSubrange(cursor..<end)
    }

    /// Ctrl-K: removes everything after the cursor on this line.
    public mutating func deleteToEnd() {
        let start = cursor
        end()
        chars.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Replaces the whole text (completion, a default), cursor at the end.
    public mutating func set(_ s: String) {
        chars = Array(multiline ? s : s.replacingOccurrences(of: "\n", with: " "))
        cursor = chars.count
    }

    /// Line and column (in graphemes) of the cursor.
    public var lineAndColumn: (line: Int, column: Int) {
        var line = 0, col = 0
        for ch in chars[..<cursor] {
            if ch == "\n" { line += 1; col = 0 } else { col += 1 }
        }
        return (line, col)
    }

    /// Up/down a line in the multi-line editor, keeping the column where it fits.
    public mutating func vertical(_ delta: Int) {
        let lines: [Int] = chars.split(separator: "\n", omittingEmptySubsequences: false).map(\.count)
        let (line, col) = lineAndColumn
        let target = min(max(0, line + delta), lines.count - 1)
        guard target != line else { return }
        cursor = lines[..<target].reduce(0) { $0 + $1 + 1 } + min(col, lines[target])
    }

    /// Applies an editing key. Returns false for keys a field does not use (Enter in a
    /// one-line field, Tab, Esc…), which the form handles.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c): insert(String(c))
        case .left, .ctrl("b"): left()
        case .right, .ctrl("f"): right()
        case .home, .ctrl("a"): home()
        case .end, .ctrl("e"): end()
        case .backspace, .ctrl("h"): backspace()
        case .delete, .ctrl("d"): deleteForward()
        case .ctrl("w"): deleteWord()
        case .ctrl("u"): deleteToStart()
        case .ctrl("k"): deleteToEnd()
        case .enter where multiline: insert("\n")
        case .up where multiline: vertical(-1)
        case .down where multiline: vertical(1)
        default: return false
        }
        return true
    }

    /// What to show in `width` columns: a window of the text that keeps the cursor in
    /// view, and the cursor's column in it. Control characters are shown visibly.
    public func window(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 1 else { return ("", 0) }
        // Only the graphemes that can be on screen are measured (each is at least a
        // column wide, apart from stray marks).
        let lo = max(0, cursor - width), hi = min(chars.count, cursor + width)
        let shown = chars[lo..<hi].map { Text.visible(String($0)) }
        let widths = shown.map { DisplayWidth.of($0) }
        let cur = cursor - lo
        var start = 0
        var before = widths[..<cur].reduce(0, +)
        // Keep one column for the cursor at the end.
        while before > width - 1 && start < cur {
            before -= widths[start]
            start += 1
        }
        var out = "", used = 0, i = start
        while i < shown.count && used + widths[i] <= width {
            out += shown[i]
            used += widths[i]
            i += 1
        }
        return (out, before)
    }
}
