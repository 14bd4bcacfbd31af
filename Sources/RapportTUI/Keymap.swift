import RapportTerminal

/// Which keys apply: the panes, or the help overlay on top.
public enum KeyMode: Sendable, Equatable {
    case panes
    case help
    /// The insight view (`4`) and the call-prep view (`p`) in place of the panes.
    case insight
    case callPrep
}

/// One row of the key table: keys, what they do, how help and hints describe them.
public struct Binding: Sendable, Equatable {
    public var keys: [Key]
    public var action: Action
    public var modes: [KeyMode]
    public var section: String
    public var help: String
    /// Short label for the status bar, or nil when the key is only in `?` help.
    public var hint: String?

    public init(_ keys: [Key], _ action: Action, modes: [KeyMode] = [.panes], section: String,
                help: String, hint: String? = nil) {
        self.keys = keys
        self.action = action
        self.modes = modes
        self.section = section
        self.help = help
        self.hint = hint
    }

    /// The keys as help shows them: "j ↓".
    public var keyLabel: String { keys.map(\.description).joined(separator: " ") }
}

/// The key table, as data. Dispatch, the status-bar hints and the `?` overlay are all
/// generated from it, so they cannot disagree.
public struct Keymap: Sendable {
    public var bindings: [Binding]

    public init(bindings: [Binding]) { self.bindings = bindings }

    public func action(for key: Key, mode: KeyMode) -> Action? {
        bindings.first { $0.modes.contains(mode) && $0.keys.contains(key) }?.action
    }

    /// Status-bar hints, in table order: "j/k move".
    public func hints(mode: KeyMode) -> [(keys: String, label: String)] {
        bindings.compactMap { b in
            guard let h = b.hint, b.modes.contains(mode) else { return nil }
            let label = b.keys.prefix(2).map(\.description).joined(separator: "/")
            return (label, h)
        }
    }

    /// Help sections in table order, each with its rows.
    public var sections: [(title: String, rows: [Binding])] {
        var out: [(String, [Binding])] = []
        for b in bindings where b.modes.contains(where: { $0 != .help }) {
            // A row repeated for another mode (Ctrl-L in the views) is listed once.
            if out.contains(where: { $0.1.contains { $0.keys == b.keys && $0.action == b.action && $0.help == b.help } }) { continue }
            if let i = out.firstIndex(where: { $0.0 == b.section }) { out[i].1.append(b) } else { out.append((b.section, [b])) }
        }
        return out
    }

    public static let standard = Keymap(bindings: paneBindings + viewBindings)

    static let paneBindings: [Binding] = [
        Binding([.char("j"), .down], .move(1), section: "Move", help: "down a row (Messages: newer)", hint: "move"),
        Binding([.char("k"), .up], .move(-1), section: "Move", help: "up a row (Messages: older)"),
        Binding([.char("j"), .down], .move(1), modes: [.help], section: "Help", help: "scroll down", hint: "scroll"),
        Binding([.char("k"), .up], .move(-1), modes: [.help], section: "Help", help: "scroll up"),
        Binding([.char("g"), .home], .top, modes: [.panes, .help], section: "Move", help: "to the top (oldest message)"),
        Binding([.char("G"), .end], .bottom, modes: [.panes, .help], section: "Move", help: "to the bottom (newest message)"),
        Binding([.pageDown, .ctrl("f")], .page(1), modes: [.panes, .help], section: "Move", help: "down one screen"),
        Binding([.pageUp, .ctrl("b")], .page(-1), modes: [.panes, .help], section: "Move", help: "up one screen"),
        Binding([.tab], .nextPane, section: "Panes", help: "next pane", hint: "pane"),
        Binding([.backTab], .previousPane, section: "Panes", help: "previous pane"),
        Binding([.enter], .open, section: "Panes", help: "open a thread; jump to a deadline's recruiter", hint: "open"),
        Binding([.char("?")], .toggleHelp, section: "General", help: "this help", hint: "help"),
        Binding([.char("q")], .close, section: "General", help: "close the top overlay, or quit", hint: "quit"),
        Binding([.char("q"), .escape, .char("?")], .close, modes: [.help], section: "Help", help: "close help", hint: "close"),
        Binding([.escape], .cancel, modes: [.panes, .help], section: "General", help: "cancel: close the overlay, clear messages"),
        Binding([.ctrl("l")], .redraw, modes: [.panes, .help], section: "General", help: "redraw the screen"),
        Binding([.ctrl("z")], .suspend, modes: [.panes, .help], section: "General", help: "suspend (resume with fg)"),
        Binding([.ctrl("c")], .quit, modes: [.panes, .help], section: "General", help: "quit"),
    ]
}
