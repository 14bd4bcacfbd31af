import Foundation
import RapportCore
import RapportText

/// Where the insight view puts its parts in the content area. Shared by the view (to
/// draw) and `update` (to scroll the table), so both agree on how many rows fit.
public struct InsightLayout: Equatable, Sendable {
    /// Below this content size the view says it is too small.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public var tooSmall: Bool
    public var title: Rect
    /// Your reply time: the median line and the monthly sparkline.
    public var reply: Rect
    public var weekly: Rect
    public var funnel: Rect
    /// The recruiter table: a header row, then the rows.
    public var table: Rect
    /// Rows per weekly series: 2 on tall screens (16 levels), else 1.
    public var barRows: Int

    public init(content c: Rect) {
        tooSmall = c.width < InsightLayout.minimumWidth || c.height < InsightLayout.minimumHeight
        title = Rect(x: c.x, y: c.y, width: c.width, height: 1)
        reply = Rect(x: c.x, y: c.y + 1, width: c.width, height: 2)
        barRows = c.height >= 34 ? 2 : 1
        // Weekly activity on the left (26 weeks + labels), the funnel (8 stages) on the right.
        let blockY = c.y + 4, blockHeight = 1 + Stage.allCases.count
        let weeklyWidth = 4 + 26 + 6
        weekly = Rect(x: c.x + 1, y: blockY, width: weeklyWidth, height: blockHeight)
        funnel = Rect(x: weekly.maxX + 3, y: blockY, width: max(0, c.maxX - weekly.maxX - 4), height: blockHeight)
        let tableY = blockY + blockHeight + 1
        table = Rect(x: c.x, y: tableY, width: c.width, height: max(0, c.maxY - tableY))
    }

    /// Recruiter rows that fit below the table header.
    public var tableRows: Int { max(0, table.height - 1) }
}

/// Block-character bars: vertical (weekly activity) and horizontal (the funnel).
public enum Bars {
    static let eighthsUp: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let eighthsRight: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// Vertical bars `rows` high, one column per value, scaled so `top` fills every row;
    /// returned top row first. Zero is blank; anything above zero shows at least ▁.
    public static func vertical(_ values: [Int], top: Int, rows: Int) -> [String] {
        guard rows > 0 else { return [] }
        let levels = values.map { v -> Int in
            guard v > 0, top > 0 else { return 0 }
            return max(1, Int((Double(min(v, top)) / Double(top) * Double(rows * 8)).rounded()))
        }
        return (0..<rows).reversed().map { row in
            String(levels.map { level -> Character in
                let fill = min(8, max(0, level - row * 8))
                return fill == 0 ? " " : eighthsUp[fill - 1]
            })
        }
    }

    /// A horizontal bar for `value` of `top` in `width` columns, with eighth blocks.
    /// Anything above zero shows at least ▏.
    public static func horizontal(_ value: Int, top: Int, width: Int) -> String {
        guard value > 0, top > 0, width > 0 else { return "" }
        let eighths = max(1, Int((Double(min(value, top)) / Double(top) * Double(width * 8)).rounded()))
        var s = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0 { s.append(eighthsRight[eighths % 8 - 1]) }
        return s
    }
}

enum InsightView {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "17.2h" under two days, "3.5d" from two days on, "—" without data.
    static func hours(_ h: Double?) -> String {
        guard let h else { return "—" }
        return h >= 48 ? String(format: "%.1fd", h / 24) : String(format: "%.1fh", h)
    }

    /// Against the 24–48 h norm (`Insight.normVerdict`): faster is good, within (24 h
    /// and 48 h included) is plain, slower is a warning.
    static func normRole(_ h: Double?) -> ColorRole {
        guard let h else { return .muted }
        return h < 24 ? .good : h <= 48 ? .normal : .danger
    }

    /// "2026-03" → "Mar 2026".
    static func monthLabel(_ ym: String) -> String {
        let parts = ym.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[1]), (1...12).contains(m) else { return ym }
        return months[m - 1] + " " + parts[0]
    }

    static func dayMonth(_ d: Date, _ zone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.day, .month], from: d)
        return "\(c.day ?? 1) \(months[(c.month ?? 1) - 1])"
    }

    static func draw(_ buf: inout CellBuffer, _ state: AppState, in c: Rect) {
        let l = InsightLayout(content: c)
        let sort = state.full.insightSort
        Screen.drawPaneTitle(&buf, "Insight · sorted by \(sort.label)", focused: state.overlays.isEmpty, in: l.title)
        if l.tooSmall {
            let lines = ["Too small for insight: it needs \(InsightLayout.minimumWidth)×\(InsightLayout.minimumHeight + 2), this is \(state.width)×\(state.height).",
                         "4 or Esc returns to the panes."]
            for (i, line) in lines.enumerated() where c.y + 2 + i < c.maxY {
                buf.put(" " + line, x: c.x, y: c.y + 2 + i, maxWidth: c.width, style: i == 0 ? Style(.warning, bold: true) : Style(.muted))
            }
            return
        }
        guard let insight = state.full.insight else { return }
        drawReply(&buf, insight, in: l.reply)
        drawWeekly(&buf, insight, zone: state.timeZone, barRows: l.barRows, in: l.weekly)
        drawFunnel(&buf, insight, in: l.funnel)
        drawTable(&buf, state, in: l.table)
        drawRange(&buf, state, rows: l.tableRows, in: l.title)
    }

    static func drawReply(_ buf: inout CellBuffer, _ s: Insight, in r: Rect) {
        let verdict = Insight.normVerdict(s.you.medianHours)
        var x = r.x + 1
        x += buf.put("Your reply time  ", x: x, y: r.y, maxWidth: r.maxX - x, style: Style(.accent, bold: true))
        x += buf.put("median \(hours(s.you.medianHours)), \(s.you.replies) repl\(s.you.replies == 1 ? "y" : "ies") · norm 24–48h · ",
                     x: x, y: r.y, maxWidth: r.maxX - x)
        buf.put(verdict, x: x, y: r.y, maxWidth: r.maxX - x, style: Style(normRole(s.you.medianHours), bold: true))

        let y = r.y + 1
        x = r.x + 1
        let first = s.monthly.first.map { monthLabel($0.month) } ?? "", last = s.monthly.last.map { monthLabel($0.month) } ?? ""
        x += buf.put("by month  \(first) ", x: x, y: y, maxWidth: r.maxX - x, style: Style(.muted))
        let spark = Sparkline.render(s.monthly.map(\.medianHours), lower: 0)
        for (ch, m) in zip(spark, s.monthly) {
            x += buf.put(String(ch), x: x, y: y, maxWidth: r.maxX - x, style: Style(normRole(m.medianHours)))
        }
        x += buf.put(" \(last)   ", x: x, y: y, maxWidth: r.maxX - x, style: Style(.muted))
        if let latest = s.monthly.last(where: { $0.medianHours != nil }) {
            x += buf.put("latest \(monthLabel(latest.month)): ", x: x, y: y, maxWidth: r.maxX - x, style: Style(.muted))
            buf.put(hours(latest.medianHours) + " over \(latest.replies)", x: x, y: y, maxWidth: r.maxX - x,
                    style: Style(normRole(latest.medianHours), bold: true))
        } else {
            buf.put("no replies in the last \(s.monthly.count) months", x: x, y: y, maxWidth: r.maxX - x, style: Style(.muted))
        }
    }

    static func drawWeekly(_ buf: inout CellBuffer, _ s: Insight, zone: TimeZone, barRows: Int, in r: Rect) {
        let from = s.weekly.first.map { " since \(dayMonth($0.start, zone))" } ?? ""
        buf.put("Weekly activity\(from)", x: r.x, y: r.y, maxWidth: r.width, style: Style(.accent, bold: true))
        let top = s.weekly.map { max($0.inbound, $0.outbound) }.max() ?? 0
        let series: [(String, [Int], ColorRole)] = [("in", s.weekly.map(\.inbound), .inbound), ("out", s.weekly.map(\.outbound), .outbound)]
        var y = r.y + 1
        for (label, values, role) in series {
            let rows = Bars.vertical(values, top: top, rows: barRows)
            for (i, line) in rows.enumerated() where y < r.maxY {
                let last = i == rows.count - 1
                buf.put(last ? label : "", x: r.x, y: y, maxWidth: 4, style: Style(role, bold: true))
                buf.put(line, x: r.x + 4, y: y, maxWidth: r.width - 4, style: Style(role))
                if last { buf.put(" \(values.reduce(0, +))", x: r.x + 4 + values.count, y: y, maxWidth: r.maxX - r.x - 4 - values.count, style: Style(role)) }
                y += 1
            }
        }
        if y < r.maxY {
            buf.put("peak \(top) a week", x: r.x + 4, y: y, maxWidth: r.width - 4, style: Style(.muted))
        }
    }

    static func drawFunnel(_ buf: inout CellBuffer, _ s: Insight, in r: Rect) {
        guard r.width > 0 else { return }
        let total = s.funnel.reduce(0) { $0 + $1.count }
        buf.put("Opportunities by stage (\(total))", x: r.x, y: r.y, maxWidth: r.width, style: Style(.accent, bold: true))
        let labelWidth = min(12, s.funnel.map { DisplayWidth.of($0.stage.rawValue) }.max() ?? 0)
        let countWidth = String(s.funnel.map(\.count).max() ?? 0).count
        let barWidth = max(1, min(40, r.width - labelWidth - countWidth - 2))
        let top = s.funnel.map(\.count).max() ?? 0
        for (i, step) in s.funnel.enumerated() where r.y + 1 + i < r.maxY {
            let y = r.y + 1 + i
            let role: ColorRole = step.stage == .closedLost || step.stage == .withdrawn ? .muted
                : step.stage == .offer || step.stage == .closedWon ? .good : .accent
            buf.putPadded(step.stage.rawValue, x: r.x, y: y, width: labelWidth, style: step.count == 0 ? Style(.muted) : .plain)
            let bar = Bars.horizontal(step.count, top: top, width: barWidth)
            let used = buf.put(bar, x: r.x + labelWidth + 1, y: y, maxWidth: barWidth, style: Style(role))
            buf.put((used > 0 ? " " : "") + "\(step.count)", x: r.x + labelWidth + 1 + used, y: y,
                    maxWidth: r.maxX - (r.x + labelWidth + 1 + used), style: step.count == 0 ? Style(.muted) : .plain)
        }
    }

    /// One column of the recruiter table.
    struct Column {
        var title: String
        var width: Int
        var right: Bool
        var sort: InsightSort?
        var cell: (RecruiterInsight) -> (String, ColorRole)
    }

    static func columns(wide: Bool, now: Date) -> [Column] {
        var cols = [
            Column(title: "Ally", width: 5, right: true, sort: .ally) { ("\($0.allyScore)", .normal) },
            Column(title: "They reply", width: 11, right: true, sort: .theirReply) {
                let h = $0.them.medianHours
                return (hours(h), h == nil ? .muted : h! > 120 ? .danger : h! > 48 ? .warning : .normal)
            },
            Column(title: "Silent", width: 9, right: true, sort: .silence) { r in
                guard let rate = r.silenceRate else { return ("—", .muted) }
                return ("\(Int((rate * 100).rounded()))% \(r.silences)/\(r.outboundJudged)", rate >= 0.5 ? .danger : .normal)
            },
            Column(title: "Last contact", width: 13, right: true, sort: .lastContact) {
                ($0.lastContact.map { Format.ago($0, now: now) } ?? "—", $0.lastContact == nil ? .muted : .normal)
            },
            Column(title: "Refs", width: 5, right: true, sort: nil) { ("\($0.referrals)", $0.referrals == 0 ? .muted : .good) },
        ]
        if wide {
            cols.insert(Column(title: "You reply", width: 10, right: true, sort: nil) {
                ($0.you.medianHours.map { hours($0) } ?? "—", normRole($0.you.medianHours))
            }, at: 2)
            cols.append(Column(title: "Stage", width: 11, right: false, sort: nil) {
                ($0.stageReached?.rawValue ?? "—", $0.stageReached == nil ? .muted : .normal)
            })
        }
        return cols
    }

    static func drawTable(_ buf: inout CellBuffer, _ state: AppState, in r: Rect) {
        guard r.height > 0 else { return }
        let rows = state.full.insightRows
        if rows.isEmpty {
            buf.put(" No recruiters yet.", x: r.x, y: r.y, maxWidth: r.width, style: Style(.muted))
            return
        }
        let cols = columns(wide: r.width >= Layout.wideWidth, now: state.now)
        let fixed = cols.reduce(0) { $0 + $1.width + 1 }
        let nameWidth = max(8, r.width - 2 - fixed - 1)
        let sort = state.full.insightSort
        func header(_ t: String, _ s: InsightSort?) -> String { s == sort ? t + "▼" : t }
        let head = Style(.muted, bold: true)
        var x = r.x + 2
        buf.putPadded(header("Recruiter", .name), x: x, y: r.y, width: nameWidth, style: head)
        x += nameWidth + 1
        for col in cols {
            let t = header(col.title, col.sort)
            let pad = col.right ? max(0, col.width - DisplayWidth.of(t)) : 0
            buf.put(t, x: x + pad, y: r.y, maxWidth: col.width - pad, style: head)
            x += col.width + 1
        }
        let visible = r.height - 1
        let focused = state.overlays.isEmpty
        for row in 0..<visible {
            let i = state.full.insightTop + row
            guard i < rows.count else { break }
            let rec = rows[i]
            let y = r.y + 1 + row
            let selected = i == state.full.insightCursor
            let base = Screen.rowStyle(selected: selected, focused: focused)
            buf.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: base)
            buf.put(selected ? "›" : " ", x: r.x, y: y, style: base.bolded)
            var x = r.x + 2
            buf.putPadded(rec.name, x: x, y: y, width: nameWidth, style: base.bolded)
            x += nameWidth + 1
            for col in cols {
                let (text, role) = col.cell(rec)
                let t = Text.truncate(text, to: col.width)
                let pad = col.right ? col.width - DisplayWidth.of(t) : 0
                buf.put(t, x: x + pad, y: y, maxWidth: col.width - pad, style: selected ? base : Style(role, bold: col.sort == .ally))
                x += col.width + 1
            }
        }
    }

    /// "1–7 of 10" on the title row when the table does not show every recruiter.
    static func drawRange(_ buf: inout CellBuffer, _ state: AppState, rows visible: Int, in title: Rect) {
        let count = state.full.insightRows.count, top = state.full.insightTop
        guard count > visible, visible > 0 else { return }
        let text = " \(top + 1)–\(min(count, top + visible)) of \(count) (j/k) "
        buf.put(text, x: title.maxX - DisplayWidth.of(text) - 1, y: title.y, style: Style(.accent, bold: true))
    }
}
