/// One screen cell: a grapheme cluster, its display width and its style.
/// A grapheme of width n occupies its cell and the n - 1 after it (continuations,
/// width 0).
public struct Cell: Hashable, Sendable {
    public var text: String
    public var width: Int
    public var style: Style

    public init(_ text: String = " ", width: Int = 1, style: Style = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
    static func continuation(_ style: Style) -> Cell { Cell("", width: 0, style: style) }

    public var isContinuation: Bool { width == 0 }
}

/// A rectangle of cells, 0-based, origin top-left.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}

/// A whole frame as values: views draw into it, tests compare it with text fixtures,
/// and `Terminal` copies it to ncurses. Writing never splits a grapheme and never lets
/// a control character through.
public struct CellBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Fills a rectangle (clipped to the buffer) with spaces in `style`.
    public mutating func fill(_ rect: Rect, style: Style = .plain) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        let space = Cell(" ", width: 1, style: style)
        for y in y0..<y1 {
            let row = y * width
            // A span of one-column cells takes the spaces as it is (no wide glyph to blank,
            // what `set` would look for first); otherwise cell by cell through `set`.
            let plain = cells.withUnsafeMutableBufferPointer { p -> Bool in
                for x in x0..<x1 where p[row + x].width != 1 { return false }
                for x in x0..<x1 { p[row + x] = space }
                return true
            }
            if !plain {
                for x in x0..<x1 { set(x, y, space) }
            }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns (default: to the right
    /// edge). Control characters are made visible. A wide grapheme that does not fit
    /// at the end leaves a space. Returns the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        if let used = putSimple(text, x: x, y: y, limit: limit, cutTo: nil, style: style) { return used }
        return putGraphemes(text, x: x, y: y, limit: limit, style: style)
    }

    /// Writes `count` copies of `glyph` from (x, y) to the right edge: the cells `put`
    /// writes for `String(repeating: String(glyph), count: count)`, without the string.
    /// Returns the number of columns written.
    @discardableResult
    public mutating func putRepeated(_ glyph: Unicode.Scalar, count: Int, x: Int, y: Int, style: Style = .plain) -> Int {
        guard DisplayWidth.simpleWidth(glyph) == 1, glyph.value >= 0x7F else {
            return put(String(repeating: String(glyph), count: max(0, count)), x: x, y: y, style: style)
        }
        guard y >= 0, y < height, x < width else { return 0 }
        let cell = Cell(CellBuffer.string(glyph.value), width: 1, style: style)
        var col = x
        while col < x + count, col < width {
            if col >= 0 {
                let k = y * width + col
                if cells[k].width == 1 { cells[k] = cell } else { set(col, y, cell) }
            }
            col += 1
        }
        return max(0, col - x)
    }

    /// `put` for any string type (a substring): the same cells.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, maxWidth: Int? = nil,
                             style: Style = .plain) -> Int {
        put(String(text), x: x, y: y, maxWidth: maxWidth, style: style)
    }

    /// `put` grapheme by grapheme, whatever the text (the fast path's reference).
    mutating func putGraphemes(_ text: some StringProtocol, x: Int, y: Int, limit: Int, style: Style) -> Int {
        var col = x
        for c in Text.visible(text) {
            let w = DisplayWidth.of(c)
            if w == 0 {
                // A zero-width cluster rides on the cell before it.
                if col > x, col - 1 >= 0, col - 1 < width {
                    var prev = col - 1
                    if self[prev, y].isContinuation, prev > 0 { prev -= 1 }
                    var cell = self[prev, y]
                    cell.text += String(c)
                    cells[y * width + prev] = cell
                }
                continue
            }
            if col + w > limit {
                // Pad what is left with spaces rather than draw part of a glyph.
                col = padBlank(from: col, to: limit, y: y, style: style)
                break
            }
            if col >= 0 { set(col, y, Cell(String(c), width: w, style: style)) }
            col += w
        }
        return max(0, col - x)
    }

    /// Spaces in `style` from column `col` up to `limit` (a wide glyph that does not fit
    /// leaves them); returns `limit`, or `col` when it is past it.
    private mutating func padBlank(from col: Int, to limit: Int, y: Int, style: Style) -> Int {
        var col = col
        while col < limit {
            if col >= 0 { set(col, y, Cell(" ", width: 1, style: style)) }
            col += 1
        }
        return col
    }

    /// The printable ASCII characters as strings, space first.
    static let ascii: [String] = (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }

    /// Writes `text` and pads with spaces in `style` to exactly `width` columns.
    public mutating func putPadded(_ text: String, x: Int, y: Int, width w: Int, style: Style = .plain) {
        guard w > 0, y >= 0, y < height, x < width else { return }
        let limit = min(width, x + w)
        // Simple text needs nothing made visible: cut, written and padded in one pass.
        if let used = putSimple(text, x: x, y: y, limit: limit, cutTo: w, style: style) {
            if used < w { fill(Rect(x: x + used, y: y, width: w - used, height: 1), style: style) }
            return
        }
        putPaddedGraphemes(text, x: x, y: y, width: w, style: style)
    }

    /// `putPadded` for any string type (a substring): the same cells.
    public mutating func putPadded(_ text: some StringProtocol, x: Int, y: Int, width w: Int, style: Style = .plain) {
        putPadded(String(text), x: x, y: y, width: w, style: style)
    }

    /// `putPadded` through `Text.visible`, `Text.truncate`, `put` and `fill`, whatever the
    /// text (the single pass's reference).
    mutating func putPaddedGraphemes(_ text: some StringProtocol, x: Int, y: Int, width w: Int, style: Style) {
        let used = put(Text.truncate(Text.visible(text), to: w), x: x, y: y, maxWidth: w, style: style)
        if used < w { fill(Rect(x: x + used, y: y, width: w - used, height: 1), style: style) }
    }

    /// Writes `text` from column `x` up to `limit` when every scalar of it is simple
    /// (`DisplayWidth.simpleWidth`), and returns the columns used as `put` does; nil,
    /// with nothing written, when one is not. With `cutTo`, text wider than that many
    /// columns is cut as `Text.truncate` cuts it, the ellipsis written after what fits.
    /// The UTF-8 is read once to measure and once to write: no intermediate string.
    mutating func putSimple(_ text: String, x: Int, y: Int, limit: Int, cutTo: Int?, style: Style) -> Int? {
        var utf8 = text.utf8
        if let done = utf8.withContiguousStorageIfAvailable({ putSimple($0, x: x, y: y, limit: limit, cutTo: cutTo, style: style) }) {
            return done
        }
        // Not contiguous (a bridged string): made native once.
        var native = String(text)
        native.makeContiguousUTF8()
        utf8 = native.utf8
        return utf8.withContiguousStorageIfAvailable { putSimple($0, x: x, y: y, limit: limit, cutTo: cutTo, style: style) } ?? nil
    }

    private mutating func putSimple(_ bytes: UnsafeBufferPointer<UInt8>, x: Int, y: Int, limit: Int, cutTo: Int?,
                                    style: Style) -> Int? {
        let n = bytes.count
        // Measure, and check that every scalar is simple.
        var total = 0, i = 0
        while i < n {
            let (v, len) = DisplayWidth.scalar(bytes, i)
            let w = DisplayWidth.simpleWidth(v)
            if w == 0 { return nil }
            total += w
            i += len
        }
        // Cut as `Text.truncate` does: what fits in one column less, then the ellipsis.
        let room = cutTo.map { total > $0 ? $0 - 1 : Int.max } ?? Int.max
        var col = x, used = 0
        i = 0
        while i < n {
            var (v, len) = DisplayWidth.scalar(bytes, i)
            var w = DisplayWidth.simpleWidth(v)
            if used + w > room {
                // The ellipsis, and nothing after it.
                (v, len, w) = (0x2026, n - i, 1)
            }
            if col + w > limit {
                // Pad what is left with spaces rather than draw part of a glyph.
                col = padBlank(from: col, to: limit, y: y, style: style)
                break
            }
            if col >= 0 {
                if v < 0x7F {
                    let cell = Cell(CellBuffer.ascii[Int(v &- 0x20)], width: 1, style: style)
                    let k = y * width + col
                    if cells[k].width == 1 { cells[k] = cell } else { set(col, y, cell) }
                } else {
                    set(col, y, Cell(CellBuffer.string(v), width: w, style: style))
                }
            }
            col += w
            used += w
            i += len
        }
        return max(0, col - x)
    }

    /// One scalar as a string: the box-drawing and punctuation scalars the views draw on
    /// every frame from a table, others made.
    @inline(__always)
    static func string(_ v: UInt32) -> String {
        if v &- 0x2500 < 0x80 { return box[Int(v &- 0x2500)] }
        if v &- 0x2010 < 0x20 { return punctuation[Int(v &- 0x2010)] }
        return String(Character(Unicode.Scalar(v)!))
    }

    static let box: [String] = (0x2500..<0x2580).map { String(Character(Unicode.Scalar($0)!)) }
    static let punctuation: [String] = (0x2010..<0x2030).map { String(Character(Unicode.Scalar($0)!)) }

    /// Sets one cell (and the continuations of a wide one), first blanking any wide
    /// glyph it overlaps, so a row never holds part of a glyph.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        // The common case: one column over one column (no wide glyph to blank).
        if cell.width == 1, cells[y * width + x].width == 1 {
            cells[y * width + x] = cell
            return
        }
        guard x + cell.width <= width else {
            set(x, y, Cell(" ", width: 1, style: cell.style))
            return
        }
        for k in 0..<max(1, cell.width) { blankGlyph(covering: x + k, y) }
        let row = y * width
        cells[row + x] = cell
        for k in 1..<max(1, cell.width) { cells[row + x + k] = .continuation(cell.style) }
    }

    /// If column x is part of a glyph wider than one column, replaces that whole
    /// glyph with spaces in its style.
    private mutating func blankGlyph(covering x: Int, _ y: Int) {
        let row = y * width
        var start = x
        while start > 0, cells[row + start].isContinuation { start -= 1 }
        let w = cells[row + start].width
        guard w > 1 || cells[row + x].isContinuation else { return }
        let style = cells[row + start].style
        var i = start
        while i < width, i == start || cells[row + i].isContinuation {
            cells[row + i] = Cell(" ", width: 1, style: style)
            i += 1
        }
    }

    /// The row as text (continuations skipped), for snapshots and tests.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width {
            let c = self[x, y]
            if !c.isContinuation { s += c.text }
        }
        return s
    }

    /// The whole buffer as text, one line per row, trailing spaces trimmed.
    public var text: String {
        (0..<height).map { y -> String in
            var l = line(y)
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }

    /// The cells a terminal that shows `previous` must be given to show this buffer, row
    /// by row, left to right: each cell that is not a continuation and differs from
    /// `previous`'s cell at the same place. With no `previous`, or one of another size,
    /// every cell that is not a continuation. Cells at or past `columns` or `rows` are
    /// left out.
    ///
    /// A wide cell that stays as it was keeps its continuation, and a change to a wide
    /// cell changes the cells it covers or uncovers too, so those are given as well.
    public func forEachChange(from previous: CellBuffer?, columns: Int, rows: Int,
                              _ body: (_ x: Int, _ y: Int, _ cell: Cell) -> Void) {
        let w = Swift.min(width, columns), h = Swift.min(height, rows)
        guard w > 0, h > 0 else { return }
        let before = previous.flatMap { $0.width == width && $0.height == height ? $0.cells : nil }
        cells.withUnsafeBufferPointer { now in
            for y in 0..<h {
                let start = y * width
                for x in 0..<w {
                    let cell = now[start + x]
                    if cell.isContinuation { continue }
                    if let before, before[start + x] == cell { continue }
                    body(x, y, cell)
                }
            }
        }
    }
}
