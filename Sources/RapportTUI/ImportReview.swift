import Foundation
import RapportCore
import RapportText

/// One person an import proposes (or could take), as the review list shows it. The
/// importer's own item (`ImportReviewItem`, RapportInterchange) is turned into this by
/// whoever opens the review, so this module needs no importer.
public struct ReviewEntry: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var firm: String?
    public var title: String?
    /// Messages the import adds for this person.
    public var messageCount: Int
    public var lastContact: Date?
    /// Why this looks like a recruiter, and why not.
    public var evidence: [String]
    public var against: [String]
    /// Accepted when the review opens.
    public var proposed: Bool
    /// The thread ended before the cutoff: it comes in settled (no deadlines).
    public var settled: Bool
    public var alreadyInRapport: Bool
    /// A SPAM or sponsored sender.
    public var blocked: Bool

    public init(id: String, name: String, firm: String? = nil, title: String? = nil, messageCount: Int,
                lastContact: Date? = nil, evidence: [String] = [], against: [String] = [], proposed: Bool,
                settled: Bool = false, alreadyInRapport: Bool = false, blocked: Bool = false) {
        self.id = id
        self.name = name
        self.firm = firm
        self.title = title
        self.messageCount = messageCount
        self.lastContact = lastContact
        self.evidence = evidence
        self.against = against
        self.proposed = proposed
        self.settled = settled
        self.alreadyInRapport = alreadyInRapport
        self.blocked = blocked
    }
}

/// What `a`, `r`, Space and the all-keys do to the review list.
public enum ReviewMark: Sendable, Equatable {
    /// Accept the selected person and go to the next.
    case accept
    /// Reject the selected person and go to the next.
    case reject
    /// Flip the selected person, staying on the row.
    case toggle
    case acceptAll
    case rejectAll
}

/// How the review ended: commit these people (ids, in list order), or cancel.
public enum ReviewOutcome: Sendable, Equatable {
    case commit([String])
    case cancel
}

/// What a review list is for: an import (its caller applies the outcome, `.finishReview`)
/// or the recruiters found in mail (committed in place, MailReview.swift).
public enum ReviewPurpose: Sendable, Equatable {
    case importing
    case mail
}

/// The review list of an import, as a value: who is on it, who is accepted, where the
/// cursor is. Changed only by `update` (mode `.review`), drawn by `ImportReviewView`.
public struct ImportReview: Sendable, Equatable {
    /// "LinkedIn import": the title row's heading.
    public var source: String
    public var purpose: ReviewPurpose = .importing
    public var entries: [ReviewEntry]
    public var accepted: Set<String>
    public var cursor = 0
    public var top = 0

    public init(source: String, entries: [ReviewEntry]) {
        self.source = source
        self.entries = entries
        accepted = Set(entries.filter(\.proposed).map(\.id))
    }

    /// The accepted ids, in list order.
    public var acceptedIDs: [String] { entries.map(\.id).filter { accepted.contains($0) } }

    public var selected: ReviewEntry? { entries.indices.contains(cursor) ? entries[cursor] : nil }
}

// MARK: - Keys and handler

extension ModeTable {
    static let review = ModeTable(.review, [
        Binding([.char("j"), .down], .move(1), section: "Review", help: "next person", hint: "move"),
        Binding([.char("k"), .up], .move(-1), section: "Review", help: "previous person"),
        Binding([.char("g"), .home], .top, section: "Review", help: "first person"),
        Binding([.char("G"), .end], .bottom, section: "Review", help: "last person"),
        Binding([.pageDown, .ctrl("f")], .page(1), section: "Review", help: "down one screen"),
        Binding([.pageUp, .ctrl("b")], .page(-1), section: "Review", help: "up one screen"),
        Binding([.char("a")], .review(.accept), section: "Review", help: "accept: import this person, then the next", hint: "accept"),
        Binding([.char("r"), .char("x")], .review(.reject), section: "Review", help: "reject: leave this person out, then the next", hint: "reject"),
        Binding([.char(" ")], .review(.toggle), section: "Review", help: "accept or reject, staying on the row"),
        Binding([.char("A")], .review(.acceptAll), section: "Review", help: "accept everyone on the list", hint: "all"),
        Binding([.char("R")], .review(.rejectAll), section: "Review", help: "reject everyone on the list"),
        Binding([.enter], .submit, section: "Review", help: "commit: import the accepted people", hint: "commit"),
        Binding([.escape, .char("q")], .cancel, section: "Review", help: "cancel: import nothing, write nothing", hint: "cancel"),
        Keymap.helpKey,
    ] + Keymap.general, handle: updateReview)
}

/// Commands on the import review list.
private func updateReview(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard var r = state.review else { return [] }
    if r.purpose == .mail {
        switch command {
        case .submit: return state.commitMailReview(r)
        case .cancel, .close, .quit:
            state.review = nil
            state.statusMessage = StatusMessage("Review closed: nothing changed")
            return []
        default: break
        }
    }
    defer { state.review = r }
    let rows = ImportReviewView.listRows(state.layout.content)
    func go(_ i: Int) {
        r.cursor = AppState.clamp(i, count: r.entries.count)
        r.top = AppState.scrolled(top: r.top, cursor: r.cursor, rows: rows, count: r.entries.count)
    }
    func set(_ accept: Bool, advance: Bool) {
        guard let e = r.selected else { return }
        if accept { r.accepted.insert(e.id) } else { r.accepted.remove(e.id) }
        if advance { go(r.cursor + 1) }
    }
    switch command {
    case .move(let n): go(r.cursor.addingReportingOverflow(n).partialValue)
    case .page(let n): go(r.cursor + n * max(1, rows - 1))
    case .top: go(0)
    case .bottom: go(r.entries.count - 1)
    case .review(.accept): set(true, advance: true)
    case .review(.reject): set(false, advance: true)
    case .review(.toggle):
        if let e = r.selected { set(!r.accepted.contains(e.id), advance: false) }
    case .review(.acceptAll): r.accepted = Set(r.entries.map(\.id))
    case .review(.rejectAll): r.accepted = []
    case .submit: return [.finishReview(.commit(r.acceptedIDs))]
    case .cancel, .close, .quit: return [.finishReview(.cancel)]
    case .toggleHelp: state.overlays.append(.help(scroll: 0))
    case .redraw: return [.redraw]
    case .suspend: return [.suspend]
    default: break
    }
    return []
}

/// The wheel scrolls the list; a click selects a row, a double-click flips it.
func reviewMouse(_ state: inout AppState, _ ev: MouseEvent) {
    guard var r = state.review else { return }
    defer { state.review = r }
    let list = ImportReviewView.listRect(state.layout.content)
    let rows = list.height
    switch ev.kind {
    case .wheelUp, .wheelDown:
        r.cursor = AppState.clamp(r.cursor + (ev.kind == .wheelUp ? -3 : 3), count: r.entries.count)
    case .click, .doubleClick:
        let i = r.top + ev.y - list.y
        guard list.contains(x: ev.x, y: ev.y), r.entries.indices.contains(i) else { return }
        r.cursor = i
        if case .doubleClick = ev.kind {
            let id = r.entries[i].id
            if r.accepted.contains(id) { r.accepted.remove(id) } else { r.accepted.insert(id) }
        }
    }
    r.top = AppState.scrolled(top: r.top, cursor: r.cursor, rows: rows, count: r.entries.count)
}

extension AppState {
    /// Re-fits the review list's scroll to the screen (after a resize).
    mutating func clampReview() {
        guard var r = review else { return }
        r.cursor = AppState.clamp(r.cursor, count: r.entries.count)
        r.top = AppState.scrolled(top: r.top, cursor: r.cursor, rows: ImportReviewView.listRows(layout.content),
                                  count: r.entries.count)
        review = r
    }
}

// MARK: - View

/// The review list in place of the panes: a header, one row per person (accepted,
/// name, firm, title, messages, last contact) and, under it, the evidence for the
/// selected person.
enum ImportReviewView {
    /// Rows under the list for the selected person's evidence.
    static let detailHeight = 5

    static func listRect(_ content: Rect) -> Rect {
        let detail = content.height >= 12 ? detailHeight : 0
        return Rect(x: content.x, y: content.y + 2, width: content.width, height: max(1, content.height - 2 - detail))
    }

    static func listRows(_ content: Rect) -> Int { listRect(content).height }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, _ r: ImportReview, in c: Rect) {
        let accepted = r.accepted.count
        let verb = r.purpose == .mail ? "to keep" : "to import"
        let heading = "\(r.source): \(r.entries.count) \(r.entries.count == 1 ? "person" : "people") · \(accepted) \(verb)"
        Screen.drawPaneTitle(&buf, heading, focused: state.overlays.isEmpty, in: Rect(x: c.x, y: c.y, width: c.width, height: 1))
        let list = listRect(c)
        let cols = columns(width: c.width)
        // The column heads.
        var head = "    " + Text.fit("Name", to: cols.name) + " " + Text.fit("Firm", to: cols.firm) + " "
            + Text.fit("Title", to: cols.title) + " " + Text.fit("Msgs", to: 5) + " " + "Last"
        head = Text.truncate(head, to: c.width)
        buf.put(head, x: c.x, y: c.y + 1, style: Style(.muted, bold: true))
        if r.entries.isEmpty {
            buf.put("  Nobody to import: the export adds no one new.", x: c.x, y: list.y, maxWidth: c.width, style: Style(.muted))
        }
        for row in 0..<list.height {
            let i = r.top + row
            guard r.entries.indices.contains(i) else { break }
            let e = r.entries[i]
            let on = r.accepted.contains(e.id)
            let selected = i == r.cursor
            var line = (on ? "[x] " : "[ ] ") + Text.fit(clean(e.name), to: cols.name) + " "
            line += Text.fit(clean(e.firm ?? ""), to: cols.firm) + " " + Text.fit(clean(e.title ?? ""), to: cols.title) + " "
            line += Text.fit(String(e.messageCount), to: 5) + " " + (e.lastContact.map { day($0, state.timeZone) } ?? "—")
            if e.settled { line += " settled" }
            let style: Style
            if selected && state.overlays.isEmpty {
                style = Style(.selection, bold: true, reverse: true)
            } else {
                style = on ? .plain : Style(.muted)
            }
            buf.putPadded(line, x: c.x, y: list.y + row, width: c.width, style: style)
        }
        if r.top > 0 {
            Screen.moreAbove(&buf, r.top, title: heading, in: Rect(x: c.x, y: c.y, width: c.width, height: 1))
        }
        let detail = Rect(x: c.x, y: list.maxY, width: c.width, height: c.maxY - list.maxY)
        drawDetail(&buf, state, r, in: detail)
        let below = r.entries.count - r.top - list.height
        if below > 0 {
            // On the rule under the list, or on the last row when there is no room for it.
            let mark = " ↓ \(below) more "
            buf.put(mark, x: c.maxX - DisplayWidth.of(mark) - 1, y: detail.height >= 2 ? detail.y : list.maxY - 1,
                    style: Style(.muted))
        }
    }

    static func drawDetail(_ buf: inout CellBuffer, _ state: AppState, _ r: ImportReview, in d: Rect) {
        guard d.height >= 2, let e = r.selected else { return }
        Screen.drawPaneTitle(&buf, clean(e.name), focused: false, in: Rect(x: d.x, y: d.y, width: d.width, height: 1))
        var lines: [(String, Style)] = []
        var facts: [String] = []
        if r.purpose == .mail {
            facts.append(r.accepted.contains(e.id) ? "keep" : "reject: removed with their mail, not created again by ingest")
        } else {
            facts.append(r.accepted.contains(e.id) ? "accepted" : "rejected")
        }
        if e.alreadyInRapport { facts.append("already in Rapport") }
        if e.blocked { facts.append("SPAM or sponsored") }
        if e.settled { facts.append("comes in settled: no deadlines from its old messages") }
        lines.append((facts.joined(separator: " · "), r.accepted.contains(e.id) ? Style(.good) : Style(.muted)))
        lines.append(("for: " + (e.evidence.isEmpty ? "no recruiter evidence" : e.evidence.map(clean).joined(separator: "; ")), .plain))
        if !e.against.isEmpty { lines.append(("against: " + e.against.map(clean).joined(separator: "; "), Style(.warning))) }
        var y = d.y + 1
        for (text, style) in lines {
            for part in Text.wrap(text, width: max(1, d.width - 2)) {
                guard y < d.maxY else { return }
                buf.put(part, x: d.x + 1, y: y, maxWidth: d.width - 1, style: style)
                y += 1
            }
        }
    }

    /// Name, firm and title share what the fixed columns leave.
    static func columns(width: Int) -> (name: Int, firm: Int, title: Int) {
        // "[x] " + 3 separators + "Msgs " + "yyyy-mm-dd settled"
        let rest = max(12, width - 4 - 3 - 6 - 19)
        let name = rest * 36 / 100, firm = rest * 30 / 100
        return (name, firm, rest - name - firm)
    }

    static func day(_ d: Date, _ zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// Data as it may be drawn: bidi controls taken out (C0/C1 controls are made visible
    /// by the cell buffer).
    static func clean(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isBidiControl) else { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s.unicodeScalars.filter { !isBidiControl($0) })
        return String(out)
    }

    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
