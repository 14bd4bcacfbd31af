import RapportText

/// Which keys apply: the panes, the overlay on top, or the open view. Each mode has one
/// table of bindings and one handler (`ModeTable`); a command goes to the handler of the
/// mode its key was pressed in, and nowhere else.
///
/// `review` is the import (and, coming, mail) review list; the draft review's mode is
/// `draft`.
public enum KeyMode: Sendable, Equatable, CaseIterable {
    case panes
    case help
    case form
    /// A form whose focused field holds several lines (the log form's body): Enter is a
    /// new line, Ctrl-S saves, Tab leaves the field.
    case formLines
    case confirm
    case menu
    case search
    case editor
    /// A reply or decline being written: spelling, send-time warning, copy and log.
    case draft
    /// A question about a draft (discard it? resume it? log it empty?), one key per answer.
    case ask

    /// The insight view (`4`) and the call-prep view (`p`) in place of the panes.
    case insight
    case callPrep
    /// The week view (`w`).
    case week

    /// The review list of an import: accept or reject each proposed person, then commit.
    case review

    /// Modes with a text field: keys the table does not bind are typed into it.
    public var takesText: Bool { [.form, .formLines, .search, .editor].contains(self) }
}

/// One row of a mode's key table: keys, the command, how help and hints describe them.
public struct Binding: Sendable, Equatable {
    public var keys: [Key]
    public var command: Command
    /// The mode whose table holds the row (set by `ModeTable`).
    public var modes: [KeyMode]
    public var section: String
    public var help: String
    /// Short label for the status bar, or nil when the key is only in `?` help.
    public var hint: String?

    public init(_ keys: [Key], _ command: Command, modes: [KeyMode] = [], section: String,
                help: String, hint: String? = nil) {
        self.keys = keys
        self.command = command
        self.modes = modes
        self.section = section
        self.help = help
        self.hint = hint
    }

    /// The keys as help shows them: "j ↓".
    public var keyLabel: String { keys.map(\.description).joined(separator: " ") }
}

/// One key mode: its bindings, and the handler every command of the mode goes to. The
/// tables sit beside their handlers: the panes' and help's in Update.swift, the
/// overlays' in Workflows.swift, the views' in FullViews.swift.
public struct ModeTable: Sendable {
    public let mode: KeyMode
    public let bindings: [Binding]
    let handle: @Sendable (inout AppState, Command) -> [Effect]

    init(_ mode: KeyMode, _ rows: [Binding], handle: @escaping @Sendable (inout AppState, Command) -> [Effect]) {
        self.mode = mode
        bindings = rows.map { var b = $0; b.modes = [mode]; return b }
        self.handle = handle
    }

    /// Every mode's table, in the order help lists them.
    public static let all: [ModeTable] = [panes, help, form, formLines, editor, search, menu, confirm, draft, ask, insight, callPrep, week, review]

    static func of(_ mode: KeyMode) -> ModeTable {
        switch mode {
        case .panes: return panes
        case .help: return help
        case .form: return form
        case .formLines: return formLines
        case .confirm: return confirm
        case .menu: return menu
        case .search: return search
        case .editor: return editor
        case .draft: return draft
        case .ask: return ask
        case .insight: return insight
        case .callPrep: return callPrep
        case .week: return week
        case .review: return review
        }
    }
}

/// The key table, as data. Dispatch, the status-bar hints and the `?` overlay are all
/// generated from it, so they cannot disagree.
public struct Keymap: Sendable {
    public var bindings: [Binding]

    public init(bindings: [Binding]) { self.bindings = bindings }

    public static let standard = Keymap(bindings: ModeTable.all.flatMap(\.bindings))

    /// Keys planned for coming features, so that they do not collide: none is bound yet,
    /// and a test keeps them free in the panes.
    public static let reserved: [(key: Key, purpose: String)] = []

    /// Only the rows of `mode` (the help of the import review lists just these).
    public func only(_ mode: KeyMode) -> Keymap {
        Keymap(bindings: bindings.filter { $0.modes.contains(mode) })
    }

    public func command(for key: Key, mode: KeyMode) -> Command? {
        bindings.first { $0.modes.contains(mode) && $0.keys.contains(key) }?.command
    }

    /// What a key from the terminal means in `mode`: mouse and resize are events (not in
    /// the table); in a form, the search prompt or the inline editor, keys the table does
    /// not bind are typed into the field.
    public func input(for key: Key, mode: KeyMode, size: (width: Int, height: Int)) -> Input? {
        switch key {
        case .resize: return .event(.resize(width: size.width, height: size.height))
        case .mouse(let m): return .event(.mouse(m))
        default:
            if let c = command(for: key, mode: mode) { return .command(c) }
            return mode.takesText ? .command(.input(key)) : nil
        }
    }

    /// Keys bound by more than one row of one mode: only the first row would ever act.
    public var duplicates: [(mode: KeyMode, key: Key)] {
        var seen: Set<String> = [], out: [(KeyMode, Key)] = []
        for b in bindings {
            for mode in b.modes {
                for key in b.keys where !seen.insert("\(mode) \(key)").inserted { out.append((mode, key)) }
            }
        }
        return out
    }

    /// Status-bar hints, in table order: "j/k move".
    public func hints(mode: KeyMode) -> [(keys: String, label: String)] {
        bindings.compactMap { b in
            guard let h = b.hint, b.modes.contains(mode) else { return nil }
            let label = b.keys.prefix(2).map(\.description).joined(separator: "/")
            return (label, h)
        }
    }

    /// The order of the sections in `?` help.
    static let sectionOrder = ["Review", "Move", "Panes", "General", "Recruiters", "Messages", "Deadlines", "Undo",
                               "Forms and text", "Search", "Menu", "Confirm", "Draft", "Draft questions", "Views", "Sync", "Insight", "Call prep", "Week"]

    /// Help sections, each with its rows in table order.
    public var sections: [(title: String, rows: [Binding])] {
        var out: [(String, [Binding])] = []
        for b in bindings where b.modes.contains(where: { $0 != .help }) {
            // A row repeated in another mode's table (Ctrl-L in the views) is listed once.
            if out.contains(where: { $0.1.contains { $0.keys == b.keys && $0.command == b.command && $0.help == b.help } }) { continue }
            if let i = out.firstIndex(where: { $0.0 == b.section }) { out[i].1.append(b) } else { out.append((b.section, [b])) }
        }
        func rank(_ s: String) -> Int { Keymap.sectionOrder.firstIndex(of: s) ?? Keymap.sectionOrder.count }
        return out.enumerated().sorted { (rank($0.element.0), $0.offset) < (rank($1.element.0), $1.offset) }.map(\.element)
    }

    /// Rows several modes share.
    static let general: [Binding] = [
        Binding([.ctrl("l")], .redraw, section: "General", help: "redraw the screen"),
        Binding([.ctrl("z")], .suspend, section: "General", help: "suspend (resume with fg)"),
        Binding([.ctrl("c")], .quit, section: "General", help: "quit"),
    ]
    static let helpKey = Binding([.char("?")], .toggleHelp, section: "General", help: "this help", hint: "help")
    static let cancelRow = Binding([.escape], .cancel, section: "Forms and text", help: "cancel: nothing is changed", hint: "cancel")
    static let textRows: [Binding] = [
        Binding([.ctrl("a"), .home], .input(.home), section: "Forms and text", help: "start of the line"),
        Binding([.ctrl("e"), .end], .input(.end), section: "Forms and text", help: "end of the line"),
        Binding([.ctrl("w")], .input(.ctrl("w")), section: "Forms and text", help: "delete the word before the cursor"),
        Binding([.ctrl("u")], .input(.ctrl("u")), section: "Forms and text", help: "delete to the start of the line"),
        Binding([.ctrl("k")], .input(.ctrl("k")), section: "Forms and text", help: "delete to the end of the line"),
        Binding([.left], .input(.left), section: "Forms and text", help: "back a character; previous choice"),
        Binding([.right], .input(.right), section: "Forms and text", help: "forward a character; next choice"),
    ]
    static let topBottom: [Binding] = [
        Binding([.char("g"), .home], .top, section: "Move", help: "to the top (oldest message)"),
        Binding([.char("G"), .end], .bottom, section: "Move", help: "to the bottom (newest message)"),
    ]
    static let pages: [Binding] = [
        Binding([.pageDown, .ctrl("f")], .page(1), section: "Move", help: "down one screen"),
        Binding([.pageUp, .ctrl("b")], .page(-1), section: "Move", help: "up one screen"),
    ]
    static let undoRows: [Binding] = [
        Binding([.ctrl("r")], .redo, section: "Undo", help: "redo"),
        Binding([.char("u")], .undo, section: "Undo", help: "undo this session's last change (many levels)"),
    ]
}
