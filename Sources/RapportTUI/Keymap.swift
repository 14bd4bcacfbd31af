import RapportText

/// Which keys apply: the panes, or the overlay on top.
public enum KeyMode: Sendable, Equatable {
    case panes
    case help
    case form
    case confirm
    case menu
    case search
    case editor
    case review

    /// The insight view (`4`) and the call-prep view (`p`) in place of the panes.
    case insight
    case callPrep

    /// Modes with a text field: keys the table does not bind are typed into it.
    public var takesText: Bool { [.form, .search, .editor].contains(self) }
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
        Binding([.char("1")], .focus(.recruiters), section: "Panes", help: "jump to Recruiters"),
        Binding([.char("2")], .focus(.messages), section: "Panes", help: "jump to Messages"),
        Binding([.char("3")], .focus(.deadlines), section: "Panes", help: "jump to Deadlines"),

        Binding([.char("a")], .addRecruiter, section: "Recruiters", help: "add a recruiter (form)", hint: "add"),
        Binding([.char("e")], .editRecruiter, section: "Recruiters", help: "edit the selected recruiter"),
        Binding([.char("t")], .toggleTargeting, section: "Recruiters", help: "toggle targeted / blanket"),
        Binding([.char("D")], .toggleDoNotContact, section: "Recruiters", help: "toggle do-not-contact"),
        Binding([.char("d"), .delete], .delete, section: "Recruiters", help: "delete recruiter, message, follow-up (asks)"),
        Binding([.char("/")], .search, section: "Recruiters", help: "search names, firms, tags, message text", hint: "search"),
        Binding([.char("n")], .searchNext(1), section: "Recruiters", help: "next match"),
        Binding([.char("N")], .searchNext(-1), section: "Recruiters", help: "previous match"),
        Binding([.char("F")], .filterMenu, section: "Recruiters", help: "filter by flag (menu)"),
        Binding([.char("S")], .cycleSort, section: "Recruiters", help: "sort: urgency → name → last contact"),

        Binding([.char("l")], .logMessage, section: "Messages", help: "log a message (form)", hint: "log"),
        Binding([.char("r")], .markReplied, section: "Messages", help: "mark reply sent (logs an outbound now)", hint: "replied"),
        Binding([.char("R")], .writeReply, section: "Messages", help: "write a reply: template, $EDITOR, spelling", hint: "write"),
        Binding([.char("c")], .decline, section: "Messages", help: "courtesy decline (reason, re-engage date)"),
        Binding([.char("i")], .logInterview, section: "Messages", help: "log an interview (the thank-you falls due)"),
        Binding([.char("y")], .copy, modes: [.panes, .review], section: "Messages", help: "copy the message or draft (OSC 52)"),

        Binding([.char("f")], .followUp, section: "Deadlines", help: "schedule a follow-up"),
        Binding([.char("x")], .markDone, section: "Deadlines", help: "mark the selected deadline done"),
        Binding([.char("s")], .snooze, section: "Deadlines", help: "snooze the selected follow-up"),

        Binding([.char("u")], .undo, section: "Undo", help: "undo the last change (many levels)", hint: "undo"),
        Binding([.ctrl("r")], .redo, modes: [.panes, .insight, .callPrep], section: "Undo", help: "redo"),
        Binding([.char("u")], .undo, modes: [.insight, .callPrep], section: "Undo", help: "undo the last change (many levels)"),

        // Forms and text fields (typing goes into the field).
        Binding([.enter], .submit, modes: [.form], section: "Forms and text", help: "save", hint: "save"),
        Binding([.escape], .cancel, modes: [.form, .editor, .search, .menu, .confirm, .review], section: "Forms and text",
                help: "cancel: nothing is changed", hint: "cancel"),
        Binding([.tab, .down], .nextField, modes: [.form], section: "Forms and text", help: "next field; completes a time zone", hint: "next"),
        Binding([.backTab, .up], .previousField, modes: [.form], section: "Forms and text", help: "previous field"),
        Binding([.ctrl("a"), .home], .input(.home), modes: [.form, .editor, .search], section: "Forms and text", help: "start of the line"),
        Binding([.ctrl("e"), .end], .input(.end), modes: [.form, .editor, .search], section: "Forms and text", help: "end of the line"),
        Binding([.ctrl("w")], .input(.ctrl("w")), modes: [.form, .editor, .search], section: "Forms and text", help: "delete the word before the cursor"),
        Binding([.ctrl("u")], .input(.ctrl("u")), modes: [.form, .editor, .search], section: "Forms and text", help: "delete to the start of the line"),
        Binding([.ctrl("k")], .input(.ctrl("k")), modes: [.form, .editor, .search], section: "Forms and text", help: "delete to the end of the line"),
        Binding([.left], .input(.left), modes: [.form, .editor, .search], section: "Forms and text", help: "back a character; previous choice"),
        Binding([.right], .input(.right), modes: [.form, .editor, .search], section: "Forms and text", help: "forward a character; next choice"),
        Binding([.ctrl("s")], .submit, modes: [.editor], section: "Forms and text", help: "inline editor: done (Enter is a new line)", hint: "done"),

        Binding([.enter], .submit, modes: [.search], section: "Search", help: "keep the match", hint: "keep"),
        Binding([.char("j"), .down], .move(1), modes: [.menu], section: "Menu", help: "down", hint: "move"),
        Binding([.char("k"), .up], .move(-1), modes: [.menu], section: "Menu", help: "up"),
        Binding([.enter], .submit, modes: [.menu], section: "Menu", help: "choose", hint: "choose"),
        Binding([.char("q")], .cancel, modes: [.menu, .review], section: "Menu", help: "close"),
        Binding([.char("y"), .enter], .submit, modes: [.confirm], section: "Confirm", help: "yes", hint: "yes"),
        Binding([.char("n")], .cancel, modes: [.confirm], section: "Confirm", help: "no", hint: "no"),
        Binding([.enter], .submit, modes: [.review], section: "Draft", help: "copy to the clipboard and log as sent", hint: "copy & log"),
        Binding([.char("e")], .editDraft, modes: [.review], section: "Draft", help: "edit the draft again", hint: "edit"),
    ]
}
