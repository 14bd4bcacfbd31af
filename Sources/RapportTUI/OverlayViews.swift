import Foundation
import RapportCore
import RapportText

extension Screen {
    /// A bordered box with a title in the top rule, cleared inside.
    static func drawBox(_ buf: inout CellBuffer, _ box: Rect, title: String) {
        guard box.width > 4, box.height > 2 else { return }
        buf.fill(box)
        let border = Style(.accent, bold: true)
        let inner = box.width - 2
        buf.put("┌" + String(repeating: "─", count: inner) + "┐", x: box.x, y: box.y, style: border)
        buf.put(" " + title + " ", x: box.x + 2, y: box.y, maxWidth: inner - 2, style: border)
        for y in (box.y + 1)..<(box.maxY - 1) {
            buf.put("│", x: box.x, y: y, style: border)
            buf.put("│", x: box.maxX - 1, y: y, style: border)
        }
        buf.put("└" + String(repeating: "─", count: inner) + "┘", x: box.x, y: box.maxY - 1, style: border)
    }

    /// A box of `width` × `height` centred on the screen, clipped to it.
    static func centredBox(_ state: AppState, width: Int, height: Int) -> Rect {
        let w = min(width, state.width - 2), h = min(height, state.height - 2)
        return Rect(x: (state.width - w) / 2, y: (state.height - h) / 2, width: w, height: h)
    }

    /// A text field's visible window with the cursor drawn as a reversed cell.
    static func drawField(_ buf: inout CellBuffer, _ field: TextField, x: Int, y: Int, width: Int, focused: Bool) {
        let (text, col) = field.window(width: width)
        let style = focused ? Style(.normal, underline: true) : Style(.normal)
        buf.putPadded(text, x: x, y: y, width: width, style: style)
        if focused, col < width {
            let under = buf[x + col, y]
            buf.put(under.isContinuation || under.text.isEmpty ? " " : under.text, x: x + col, y: y,
                    style: Style(.selection))
        }
    }

    static func drawOverlay(_ buf: inout CellBuffer, _ state: AppState, _ overlay: Overlay, keymap: Keymap) {
        switch overlay {
        case .help(let scroll): HelpView.draw(&buf, state, keymap: keymap, scroll: scroll)
        case .form(let f): FormView.draw(&buf, state, f, keymap: keymap)
        case .confirm(let c): ConfirmView.draw(&buf, state, c)
        case .menu(let m): MenuView.draw(&buf, state, m)
        case .search: break // drawn in the status bar
        case .editor(let t): EditorView.draw(&buf, state, t)
        case .review(let d): ReviewView.draw(&buf, state, d)
        case .ask(let q): QuestionView.draw(&buf, state, q)
        }
    }
}

enum FormView {
    /// The label column: "› " and the longest label of this form, then a gap
    /// (at least 13 columns, so the forms line up alike).
    static func labelWidth(_ f: Form) -> Int {
        max(13, 2 + (f.fields.map { DisplayWidth.of($0.label) }.max() ?? 0) + 1)
    }

    /// Screen rows of a field of several lines: up to 6, fewer on a short screen.
    static func linesRows(_ state: AppState, _ f: Form) -> Int {
        max(1, min(6, state.height - 2 - (f.fields.count + 6) + 1))
    }

    /// Screen rows of each field.
    static func rows(_ state: AppState, _ f: Form) -> [Int] {
        f.fields.map { $0.kind == .lines ? linesRows(state, f) : 1 }
    }

    static func box(_ state: AppState, _ f: Form) -> Rect {
        Screen.centredBox(state, width: 76, height: rows(state, f).reduce(0, +) + 6)
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ f: Form, keymap: Keymap) {
        let box = box(state, f)
        Screen.drawBox(&buf, box, title: f.title)
        guard box.height > 4 else { return }
        let inner = box.width - 4
        let x = box.x + 2
        let labelWidth = min(labelWidth(f), max(0, inner - 8))
        let heights = rows(state, f)
        var y = box.y + 2
        for (i, field) in f.fields.enumerated() {
            defer { y += heights[i] }
            guard y < box.maxY - 3 || (y < box.maxY - 1 && i == f.fields.count - 1) else { break }
            let focused = i == f.focus
            buf.putPadded((focused ? "› " : "  ") + field.label, x: x, y: y, width: labelWidth,
                          style: focused ? Style(.accent, bold: true) : Style(.muted))
            let errorText = field.error.map { "✗ " + $0 } ?? ""
            let errorWidth = errorText.isEmpty ? 0 : min(DisplayWidth.of(errorText), max(0, inner - labelWidth - 12))
            let valueWidth = max(4, inner - labelWidth - (errorWidth > 0 ? errorWidth + 1 : 0))
            let vx = x + labelWidth
            if case .choice(let options) = field.kind {
                let shown = options.indices.contains(field.choice) ? options[field.choice] : ""
                buf.putPadded("‹ " + shown + " ›", x: vx, y: y, width: valueWidth,
                              style: focused ? Style(.selection) : Style(.normal))
            } else if field.kind == .lines {
                let rows = max(1, min(heights[i], box.maxY - 3 - y))
                Screen.drawTextArea(&buf, field.field, x: vx, y: y, width: valueWidth, rows: rows, focused: focused)
            } else {
                Screen.drawField(&buf, field.field, x: vx, y: y, width: valueWidth, focused: focused)
            }
            if errorWidth > 0 {
                buf.put(Text.truncate(errorText, to: errorWidth), x: vx + valueWidth + 1, y: y, style: Style(.danger, bold: true))
            }
        }
        // Under the fields: completions for a time zone, else the focused field's hint.
        let hintY = box.maxY - 3
        var hint = f.fields.indices.contains(f.focus) ? f.fields[f.focus].hint : ""
        if !f.completions.isEmpty {
            hint = f.completions.prefix(8).joined(separator: "  ") + (f.completions.count > 8 ? "  … \(f.completions.count) in all" : "")
        }
        if hintY > box.y + 1 + heights.reduce(0, +) { buf.put(Text.truncate(hint, to: inner), x: x, y: hintY, style: Style(.muted)) }
        // In a field of several lines the keys differ: the footer lists that mode's hints.
        let footer = f.focusedKind == .lines
            ? keymap.hints(mode: .formLines).map { "\($0.keys) \($0.label)" }.joined(separator: " · ")
            : "Enter saves · Esc cancels · Tab next field"
        buf.put(Text.truncate(footer, to: inner), x: x, y: box.maxY - 2, style: Style(.muted))
    }
}

enum ConfirmView {
    static let keys = "y or Enter: yes (u undoes) · n or Esc: no"
    static let shortKeys = "y: yes (u undoes) · n: no"

    static func keys(inner: Int) -> String { DisplayWidth.of(keys) <= inner ? keys : shortKeys }

    /// The question, what it is about and the keys, wrapped to fit: at most 76 columns
    /// wide, narrower on a narrow screen, as tall as the wrapped text needs.
    static func lines(_ c: Confirm, inner: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        for l in Text.wrap(Text.visible(c.question), width: inner) { out.append((l, Style(.warning, bold: true))) }
        if !c.detail.isEmpty {
            for l in Text.wrap(Text.visible(c.detail), width: inner) { out.append((l, Style(.normal))) }
        }
        out.append(("", .plain))
        for l in Text.wrap(keys(inner: inner), width: inner) { out.append((l, Style(.muted))) }
        return out
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ c: Confirm) {
        let widest = max(DisplayWidth.of(Text.visible(c.question)), DisplayWidth.of(Text.visible(c.detail)), DisplayWidth.of(keys))
        let width = min(max(widest + 4, 40), 76, state.width - 2)
        let inner = max(1, width - 4)
        var lines = lines(c, inner: inner)
        let box = Screen.centredBox(state, width: width, height: lines.count + 4)
        Screen.drawBox(&buf, box, title: "Confirm")
        guard box.height >= 3 else { return }
        // Inside the border: a blank row above and below when there is room. On a short
        // screen the question's start and the keys stay; the middle goes.
        let inside = box.height - 2
        let padded = inside >= lines.count + 2
        let rows = padded ? lines.count : inside
        if lines.count > rows {
            let keyLines = Text.wrap(keys(inner: inner), width: inner).count
            lines = Array(lines.prefix(max(0, rows - keyLines))) + Array(lines.suffix(min(keyLines, rows)))
        }
        let top = box.y + 1 + (padded ? 1 : 0)
        for (i, (text, style)) in lines.enumerated() {
            buf.put(text, x: box.x + 2, y: top + i, maxWidth: inner, style: style)
        }
    }
}

enum MenuView {
    static func box(_ state: AppState, _ m: Menu) -> Rect {
        let width = (m.items.map { DisplayWidth.of($0) } + [DisplayWidth.of(m.title)]).max()! + 8
        return Screen.centredBox(state, width: max(30, width), height: m.items.count + 4)
    }

    /// The item under a mouse position, if any.
    static func item(_ state: AppState, _ m: Menu, x: Int, y: Int) -> Int? {
        let b = box(state, m)
        let rows = b.height - 4
        let top = AppState.scrolled(top: 0, cursor: m.cursor, rows: rows, count: m.items.count)
        let i = top + y - (b.y + 2)
        return b.contains(x: x, y: y) && y >= b.y + 2 && y < b.y + 2 + rows && i < m.items.count ? i : nil
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ m: Menu) {
        let box = box(state, m)
        Screen.drawBox(&buf, box, title: m.title)
        let rows = box.height - 4
        guard rows > 0 else { return }
        let top = AppState.scrolled(top: 0, cursor: m.cursor, rows: rows, count: m.items.count)
        for k in 0..<rows where top + k < m.items.count {
            let i = top + k
            let selected = i == m.cursor
            buf.putPadded((selected ? "› " : "  ") + m.items[i], x: box.x + 2, y: box.y + 2 + k, width: box.width - 4,
                          style: selected ? Style(.selection) : .plain)
        }
    }
}

enum EditorView {
    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ t: TextField) {
        let box = Screen.centredBox(state, width: 90, height: state.height - 2)
        Screen.drawBox(&buf, box, title: "Edit the draft — Ctrl-S done · Esc closes (asks if changed)")
        Screen.drawTextArea(&buf, t, x: box.x + 2, y: box.y + 1, width: box.width - 4, rows: box.height - 2, focused: true)
    }
}

extension Screen {
    /// Text of several lines in `rows` × `width` cells: long lines wrap, the view scrolls
    /// to keep the cursor's row in it, and the cursor is drawn when `focused`. The inline
    /// editor and a form's field of several lines use it.
    static func drawTextArea(_ buf: inout CellBuffer, _ t: TextField, x: Int, y: Int, width: Int, rows: Int, focused: Bool) {
        guard rows > 0, width > 1 else { return }
        let lines = t.text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let (line, col) = t.lineAndColumn
        // Long lines wrap (one column kept for the cursor after the last character).
        let shown = EditorView.wrapped(lines, width: width - 1)
        let cursorRow = shown.indices.first { r in
            let s = shown[r]
            let lastOfLine = r + 1 == shown.count || shown[r + 1].line != s.line
            return s.line == line && (col < s.end || (col == s.end && lastOfLine))
        } ?? 0
        let top = AppState.scrolled(top: 0, cursor: cursorRow, rows: rows, count: shown.count)
        for k in 0..<rows where top + k < shown.count {
            let s = shown[top + k]
            let chars = lines[s.line]
            // Place a one-line field's cursor at the column to reuse its window.
            let at = top + k == cursorRow ? min(max(col, s.start), s.end) : s.start
            var field = TextField(String(chars[s.start..<at]))
            field.insert(String(chars[at..<s.end]))
            for _ in at..<s.end { field.left() }
            Screen.drawField(&buf, field, x: x, y: y + k, width: width, focused: focused && top + k == cursorRow)
        }
    }
}

extension EditorView {

    /// The editor's lines as display rows at most `width` columns wide: for each row the
    /// line and the graphemes it shows, broken after the last space that fits, else
    /// where the row is full.
    static func wrapped(_ lines: [[Character]], width: Int) -> [(line: Int, start: Int, end: Int)] {
        var out: [(line: Int, start: Int, end: Int)] = []
        for (i, chars) in lines.enumerated() {
            var start = 0
            repeat {
                var used = 0, end = start
                var afterSpace: Int?
                while end < chars.count {
                    let w = DisplayWidth.of(Text.visible(String(chars[end])))
                    if used + w > width && end > start { break }
                    used += w
                    end += 1
                    if chars[end - 1] == " " { afterSpace = end }
                }
                if end < chars.count, let b = afterSpace, b > start { end = b }
                out.append((i, start, end))
                start = end
            } while start < chars.count
        }
        return out
    }
}

enum ReviewView {
    /// Lines of the shown draft above its body (`Draft.parts`): the subject line and the
    /// blank line after it, as `MessageTemplate.parse` takes them off.
    static func bodyLineOffset(_ text: String) -> Int {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        guard let first = lines.first, first.lowercased().hasPrefix("subject:") else { return 0 }
        return lines.count > 1 && lines[1].trimmingCharacters(in: .whitespaces).isEmpty ? 2 : 1
    }

    static func lines(_ state: AppState, _ d: Draft, width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        for l in Text.wrapLines(d.text, width: width) { out.append((l, .plain)) }
        out.append(("", .plain))
        switch d.spelling {
        case nil:
            out.append(("Spelling: checking…", Style(.muted)))
        case .unavailable(let why)?:
            out.append(("Spelling: \(why) · Enter goes on without it", Style(.warning)))
        case .checked(let engine, let found)? where found.isEmpty:
            out.append(("Spelling: no misspellings (\(engine))", Style(.good)))
        case .checked(_, let found)?:
            out.append(("Spelling: \(found.count) word\(found.count == 1 ? "" : "s") to check (e edits · j/k select · a adds to your dictionary):",
                        Style(.warning, bold: true)))
            // The checker counts lines from the body and columns from 0; the user reads
            // the whole draft (subject line first), 1-based, as `rapport spell` prints.
            let above = bodyLineOffset(d.text)
            let cursor = AppState.clamp(d.spellCursor, count: found.count)
            let top = AppState.scrolled(top: 0, cursor: cursor, rows: 6, count: found.count)
            if top > 0 { out.append(("  … \(top) more above", Style(.warning))) }
            for (i, m) in found.enumerated().dropFirst(top).prefix(6) {
                let sugg = m.suggestions.prefix(4).joined(separator: ", ")
                let line = "\(i == cursor ? "› " : "  ")\(m.line + above):\(m.column + 1) \(m.word) → \(sugg.isEmpty ? "(no suggestion)" : sugg)"
                out.append((line, i == cursor ? Style(.selection) : Style(.warning)))
            }
            if found.count > top + 6 { out.append(("  … \(found.count - top - 6) more", Style(.warning))) }
        }
        if let w = d.sendWarning {
            for l in Text.wrap("⚠ " + w, width: width) { out.append((l, Style(.warning, bold: true))) }
        }
        for p in d.problems { out.append(("✗ " + p + ": not sent until it is", Style(.danger, bold: true))) }
        return out
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ d: Draft) {
        let name = state.db.recruiter(d.recruiterID)?.name ?? "?"
        let title: String
        switch d.purpose {
        case .reply: title = "Reply to \(name)"
        case .decline: title = "Courtesy decline to \(name)"
        }
        let box = Screen.centredBox(state, width: 90, height: state.height - 2)
        Screen.drawBox(&buf, box, title: title)
        let width = box.width - 4, rows = box.height - 3
        guard rows > 0, width > 4 else { return }
        var all = lines(state, d, width: width)
        // Keep the checks in view: drop body lines from the end of the text first.
        if all.count > rows {
            let checks = all.count - (Text.wrapLines(d.text, width: width).count)
            let keepText = max(0, rows - checks - 1)
            all = Array(all.prefix(keepText)) + [("…", Style(.muted))] + Array(all.suffix(checks))
        }
        for (k, (text, style)) in all.prefix(rows).enumerated() {
            buf.put(Text.truncate(text, to: width), x: box.x + 2, y: box.y + 1 + k, style: style)
        }
        buf.put(Text.truncate("Enter copies and logs it · e edits · y copies · Esc closes", to: width),
                x: box.x + 2, y: box.maxY - 2, style: Style(.accent))
    }
}
