/// One input event, decoded from ncurses (or built by tests).
public enum Key: Hashable, Sendable {
    /// A printable character (a whole grapheme when the terminal sent one).
    case char(Character)
    /// Ctrl plus a letter: `.ctrl("l")` for Ctrl-L.
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab
    case enter, escape, backspace, delete
    case function(Int)
    /// The terminal changed size (ncurses reports SIGWINCH as KEY_RESIZE).
    case resize
    case mouse(MouseEvent)
    /// The terminal's bracketed-paste markers (`ESC [200~` and `ESC [201~`): what
    /// comes between them is pasted text, never keys (see `PasteDecoder`).
    case pasteStart, pasteEnd
    /// A key this program does not know (the raw ncurses code), ignored by the keymap.
    case unknown(Int32)
}

/// A mouse event at a cell position (0-based column `x`, row `y`).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case click(button: Int)
        case doubleClick(button: Int)
        case wheelUp
        case wheelDown
    }

    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

extension Key: CustomStringConvertible {
    /// How the key is written in help text and status-bar hints.
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .resize: return "resize"
        case .mouse: return "mouse"
        case .pasteStart: return "paste start"
        case .pasteEnd: return "paste end"
        case .unknown(let n): return "key \(n)"
        }
    }
}
