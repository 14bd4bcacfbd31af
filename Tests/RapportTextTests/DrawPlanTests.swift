@testable import RapportTerminal
import RapportText
import Testing

/// What `Terminal.draw` hands to ncurses: only the cells that changed, and one scalar
/// without the glyph arrays where that gives the same cell.
@Suite("Drawing only what changed")
struct DrawPlanTests {
    /// A terminal's screen as ncurses keeps it: a wide character covers the next cell, and
    /// writing over either half of a wide character blanks its other half.
    struct ModelScreen {
        var cells: [Cell?]  // nil: the second half of a wide character
        let width: Int

        init(width: Int, height: Int) {
            self.width = width
            cells = Array(repeating: Cell.blank, count: width * height)
        }

        mutating func put(_ cell: Cell, x: Int, y: Int) {
            let i = y * width + x
            if cells[i] == nil, x > 0 { cells[i - 1] = .blank }
            if let old = cells[i], old.width == 2, x + 1 < width { cells[i + 1] = .blank }
            cells[i] = cell
            if cell.width == 2, x + 1 < width {
                if let next = cells[i + 1], next.width == 2, x + 2 < width { cells[i + 2] = .blank }
                cells[i + 1] = nil
            }
        }

        func matches(_ buffer: CellBuffer) -> Bool {
            zip(cells, buffer.cells).allSatisfy { model, cell in
                cell.isContinuation ? model == nil : model == cell
            }
        }
    }

    struct Rand {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let pieces = ["a", "Zoë", "漢字", "😀", "e\u{301}", "│", "…", "🇫🇷", "👩‍💻", "   ", "Dana Park", "x", "가나", "ok"]
    static let styles = [Style(), Style(.selection, reverse: true), Style(.danger, bold: true), Style(.muted, dim: true)]

    static func frame(_ r: inout Rand, width: Int, height: Int, from base: CellBuffer?, edits: Int) -> CellBuffer {
        var b = base ?? CellBuffer(width: width, height: height)
        for _ in 0..<edits {
            let text = (0..<(1 + r.next(4))).map { _ in pieces[r.next(pieces.count)] }.joined()
            b.put(text, x: r.next(width), y: r.next(height), style: styles[r.next(styles.count)])
        }
        return b
    }

    @Test("the changed cells, put over the last frame, make the new frame, wide characters included")
    func changesRebuildTheFrame() {
        var r = Rand(state: 7)
        for round in 0..<60 {
            let width = 3 + r.next(30), height = 1 + r.next(6)
            var screen = ModelScreen(width: width, height: height)
            var last: CellBuffer?
            for step in 0..<8 {
                let next = Self.frame(&r, width: width, height: height, from: step % 3 == 2 ? nil : last, edits: 1 + r.next(6))
                var given = 0
                next.forEachChange(from: last, columns: width, rows: height) { x, y, cell in
                    #expect(!cell.isContinuation)
                    #expect(next[x, y] == cell)
                    screen.put(cell, x: x, y: y)
                    given += 1
                }
                let rebuilt = screen.matches(next)
                #expect(rebuilt, "round \(round) step \(step)")
                if let last {
                    let differing = zip(next.cells, last.cells).filter { $0 != $1 && !$0.isContinuation }.count
                    #expect(given == differing)
                } else {
                    #expect(given == next.cells.filter { !$0.isContinuation }.count)
                }
                last = next
            }
        }
    }

    @Test("an unchanged frame gives nothing; another size or none gives every cell; the clip is kept")
    func edges() {
        var a = CellBuffer(width: 10, height: 3)
        a.put("Dana 漢", x: 1, y: 1)
        var calls = 0
        a.forEachChange(from: a, columns: 10, rows: 3) { _, _, _ in calls += 1 }
        #expect(calls == 0)
        var all: [Int] = []
        a.forEachChange(from: CellBuffer(width: 9, height: 3), columns: 10, rows: 3) { x, y, _ in all.append(y * 10 + x) }
        #expect(all.count == 29)  // 30 cells, one the second half of 漢
        var clipped: [(Int, Int)] = []
        a.forEachChange(from: nil, columns: 4, rows: 2) { x, y, _ in clipped.append((x, y)) }
        #expect(clipped.count == 8)
        #expect(clipped.allSatisfy { $0.0 < 4 && $0.1 < 2 })
        var b = a
        b.put("Z", x: 1, y: 1)
        var changed: [Int] = []
        b.forEachChange(from: a, columns: 10, rows: 3) { x, y, _ in changed.append(y * 10 + x) }
        #expect(changed == [11])
    }

    @Test("one scalar is put directly exactly when the glyph arrays would give that scalar alone")
    func singleGlyphAgreesWithGlyphs() {
        Terminal.setUpLocale()
        var checked = 0
        var v: UInt32 = 0
        while v <= 0x10FFFF {
            defer { v += v < 0x3_0000 ? 1 : 7 }
            guard let s = Unicode.Scalar(v) else { continue }
            for width in 1...2 {
                let cell = Cell(String(Character(s)), width: width)
                let glyphs = Terminal.glyphs(for: cell)
                if let one = Terminal.singleGlyph(for: cell) {
                    #expect(one == s)
                    #expect(glyphs == [[s]], "U+\(String(v, radix: 16)) width \(width)")
                    checked += 1
                } else if v >= 0x20 {
                    // Left to the general path: a cell it would not draw as this one scalar.
                    #expect(glyphs != [[s]], "U+\(String(v, radix: 16)) width \(width)")
                }
            }
        }
        #expect(checked > 100_000)
        // Cells of more than one scalar always take the general path.
        #expect(Terminal.singleGlyph(for: Cell("e\u{301}")) == nil)
        #expect(Terminal.singleGlyph(for: Cell("🇫🇷", width: 2)) == nil)
        #expect(Terminal.singleGlyph(for: Cell("", width: 0)) == nil)
    }
}
