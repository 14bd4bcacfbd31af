import RapportCore
import RapportText

/// What the terminal's keys mean once a bracketed paste is put together: a key as
/// typed, or text that was pasted (never keys).
public enum TerminalInput: Equatable, Sendable {
    case key(Key)
    case paste(String)
}

/// Pasted text: how much is taken, and how it is made fit for a field.
public enum PasteText {
    /// The most a paste puts into a field, in UTF-8 bytes (64 KiB); the rest is dropped
    /// with a notice. The one definition: the decoder stops collecting just past it.
    public static let limit = 64 * 1024
    /// The notice when a paste was longer.
    public static let cutNotice = "Paste cut to its first 64 KiB; the rest was dropped"
    public static let ignoredNotice = "Paste ignored: no text field is open"

    /// `text` made fit for a field: control characters and bidi controls dropped; line
    /// breaks (CRLF, CR, LF) kept as LF in a field of several lines, else each one
    /// becomes a space (trailing ones go) and a tab a space; at most `limit` bytes, whole
    /// characters only. `cut` says the text was longer than the limit.
    public static func clean(_ text: String, multiline: Bool) -> (text: String, cut: Bool) {
        var out = String.UnicodeScalarView()
        var bytes = 0
        var cut = false
        var pendingBreaks = 0
        var previousCR = false
        func emit(_ u: Unicode.Scalar) -> Bool {
            let n = String(u).utf8.count
            guard bytes + n <= limit else { cut = true; return false }
            out.append(u)
            bytes += n
            return true
        }
        scalars: for u in text.unicodeScalars {
            let wasCR = previousCR
            previousCR = u == "\r"
            if u == "\n" && wasCR { continue }  // the LF of a CRLF
            if u == "\r" || u == "\n" {
                if multiline {
                    if !emit("\n") { break }
                } else {
                    pendingBreaks += 1
                }
                continue
            }
            if ControlText.mustEscape(u.value) { continue }
            if !multiline {
                // Breaks between text become spaces; trailing ones are dropped.
                while pendingBreaks > 0 {
                    if !emit(" ") { break scalars }
                    pendingBreaks -= 1
                }
            }
            if u == "\t" && !multiline {
                if !emit(" ") { break }
                continue
            }
            if !emit(u) { break }
        }
        // The decoder keeps a little more than the limit: then the paste was longer.
        if !cut && text.utf8.count > limit { cut = true }
        return (String(out), cut)
    }
}

/// Puts a bracketed paste together from the keys the terminal layer reads: everything
/// between `.pasteStart` and `.pasteEnd` becomes one `.paste(text)`, whatever keys
/// ncurses made of it. Pure; the event loop feeds it each batch of keys it read, and
/// `idle()` when a read timed out.
///
/// - The markers normally arrive as `Key.pasteStart` / `.pasteEnd` (taught to ncurses).
///   When a marker is split across reads (ncurses gave up waiting after ESCDELAY), it
///   arrives as Esc, `[`, `2`, `0`, `0`, `~`: that is recognized too, the keys of a
///   possible start held back until it is clear (a lone Esc is never held).
/// - Inside a paste, Enter is a line break and Tab a tab; escape sequences in the pasted
///   text (and the keys ncurses decoded them into: arrows, F-keys, mouse) are dropped,
///   as are Ctrl keys. A resize still goes through as a key.
/// - Text past `PasteText.limit` bytes is not kept (the field cuts it with a notice).
/// - A paste whose end marker never comes ends after two idle reads (about half a
///   second): what came is text, never keys.
public struct PasteDecoder: Sendable {
    /// The raw start marker as keys, when ncurses did not put it together.
    static let startKeys: [Key] = [.escape, .char("["), .char("2"), .char("0"), .char("0"), .char("~")]
    /// Idle reads after which an unterminated paste ends.
    public static let idleReadsToEnd = 2

    private var text: String?
    private var bytes = 0
    private var held: [Key] = []
    /// Inside a paste, after an Esc: the escape sequence so far (nil when none).
    private var escape: String?
    private var idleReads = 0

    public init() {}

    /// Whether a paste has started and not ended yet.
    public var inPaste: Bool { text != nil }

    /// The keys of one read, in order: keys and whole pastes.
    public mutating func feed(_ keys: [Key]) -> [TerminalInput] {
        var out: [TerminalInput] = []
        idleReads = 0
        for key in keys { take(key, into: &out) }
        // Never hold a lone Esc: it is the Esc key.
        if held == [.escape] {
            out.append(.key(.escape))
            held = []
        }
        return out
    }

    /// A read timed out with nothing: held keys go out as keys; a paste without its end
    /// marker ends after `idleReadsToEnd` of these, as text.
    public mutating func idle() -> [TerminalInput] {
        var out: [TerminalInput] = held.map { .key($0) }
        held = []
        if text != nil {
            idleReads += 1
            if idleReads >= Self.idleReadsToEnd { finish(into: &out) }
        }
        return out
    }

    private mutating func take(_ key: Key, into out: inout [TerminalInput]) {
        guard text != nil else { return outside(key, into: &out) }
        if var e = escape {
            // An escape sequence in the pasted text: dropped whole. A CSI ends at its
            // final byte (0x40–0x7E); `ESC [201~` is the end marker split across reads;
            // ESC and one character (ESC c, ESC O) is two.
            guard case .char(let c) = key, let v = c.unicodeScalars.first?.value, c.unicodeScalars.count == 1 else {
                escape = nil
                return take(key, into: &out)
            }
            e.unicodeScalars.append(Unicode.Scalar(v)!)
            if e == "[" || (e.hasPrefix("[") && (0x20...0x3F).contains(v) && e.count < 32) {
                escape = e
                return
            }
            // An OSC (a window title, a clipboard write) runs to BEL or ESC \, which
            // arrive as keys and end it.
            if e.hasPrefix("]") && e.count < 512 {
                escape = e
                return
            }
            escape = nil
            if e == "[201~" { finish(into: &out) }
            return
        }
        switch key {
        case .pasteEnd: finish(into: &out)
        case .pasteStart: break
        case .escape: escape = ""
        case .char(let c): append(c)
        case .enter: append("\n")
        case .tab: append("\t")
        case .resize: out.append(.key(.resize))
        default: break  // arrows, F-keys, mouse, Ctrl keys: control sequences in the text
        }
    }

    private mutating func outside(_ key: Key, into out: inout [TerminalInput]) {
        if key == .pasteStart {
            out += held.map { .key($0) }
            held = []
            start()
            return
        }
        let candidate = held + [key]
        if Self.startKeys.starts(with: candidate) {
            held = candidate
            if held.count == Self.startKeys.count {
                held = []
                start()
            }
            return
        }
        if !held.isEmpty {
            out += held.map { .key($0) }
            held = []
            return outside(key, into: &out)
        }
        if key != .pasteEnd { out.append(.key(key)) }
    }

    private mutating func start() {
        text = ""
        bytes = 0
        escape = nil
    }

    private mutating func append(_ c: Character) {
        // One character past the limit is kept, so the field knows the paste was longer.
        guard bytes <= PasteText.limit else { return }
        text?.append(c)
        bytes += c.utf8.count
    }

    private mutating func finish(into out: inout [TerminalInput]) {
        if let t = text { out.append(.paste(t)) }
        text = nil
        escape = nil
        idleReads = 0
    }
}

/// A paste (`Event.paste`) goes into the text field on top as text, as one edit: a
/// form's focused field, the search prompt or the inline editor. Anywhere else it is
/// ignored with a notice, and never read as keys.
func pasteIntoField(_ state: inout AppState, _ text: String) {
    var cut = false
    defer { if cut { state.statusMessage = StatusMessage(PasteText.cutNotice, isError: true) } }
    guard let top = state.overlays.popLast() else {
        state.statusMessage = StatusMessage(PasteText.ignoredNotice)
        return
    }
    switch top {
    case .form(var f):
        guard f.fields.indices.contains(f.focus) else { state.overlays.append(top); return }
        if case .choice = f.fields[f.focus].kind {
            state.overlays.append(top)
            state.statusMessage = StatusMessage("Paste ignored: \(f.fields[f.focus].label) is a choice (←/→ changes it)")
            return
        }
        let clean = PasteText.clean(text, multiline: f.fields[f.focus].kind == .lines)
        cut = clean.cut
        f.paste(clean.text)
        state.overlays.append(.form(f))
    case .editor(var t):
        let clean = PasteText.clean(text, multiline: true)
        cut = clean.cut
        t.insert(clean.text)
        state.overlays.append(.editor(t))
    case .search(var s):
        state.overlays.append(top)
        let clean = PasteText.clean(text, multiline: false)
        cut = clean.cut
        s.field.insert(clean.text)
        searchTyped(&state, s)
    default:
        state.overlays.append(top)
        state.statusMessage = StatusMessage(PasteText.ignoredNotice)
    }
}
