import CNCursesw
import Synchronization
import RapportText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal interface cannot start.
public enum TerminalUnavailable: Error, Equatable, CustomStringConvertible {
    case notATerminal
    /// `TERM` names a terminal type this system has no description of (no terminfo entry),
    /// or one that cannot address the cursor.
    case unknownTerm(String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "not a terminal; use `rapport list` / `rapport due` for scripts"
        case .unknownTerm(let term):
            return "TERM=\(term) is not a terminal type this system knows (no usable terminfo entry); "
                + "set TERM to one it has, like xterm-256color, or use `rapport list` / `rapport due` for scripts"
        }
    }
}

/// The one owner of the ncurses screen. Everything that touches ncurses is here:
/// start-up (locale, raw mode, keypad, mouse, colours), drawing a `CellBuffer`,
/// decoding input into `Key`, suspend/resume, and restoring the terminal.
@MainActor
public final class Terminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    /// Whether colours are in use (false: the monochrome attribute theme).
    public let colors: Bool
    private var previous: CellBuffer?
    private var open = true
    private let timeout: Int32

    /// Checks, without touching the terminal, that stdin and stdout are terminals and
    /// `TERM` names one that can address the cursor. Nothing is written anywhere.
    public nonisolated static func check(environment: [String: String]) throws(TerminalUnavailable) {
        guard isatty(0) == 1, isatty(1) == 1 else { throw .notATerminal }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else { throw .notATerminal }
        guard rapport_term_usable(term) == 1 else { throw .unknownTerm(term) }
    }

    /// Starts full-screen mode. Call `check(environment:)` first; this throws when
    /// ncurses still refuses the terminal (it never exits the process: `newterm`).
    /// How long `readKey` waits for input. Short enough that a resize or a quit signal
    /// is handled at once in practice (ncurses resumes its wait after a signal), long
    /// enough that an idle app costs nothing.
    public static let readTimeoutMilliseconds: Int32 = 250

    public init(colorMode: ColorMode, environment: [String: String],
                timeoutMilliseconds: Int32 = Terminal.readTimeoutMilliseconds) throws {
        try Terminal.check(environment: environment)
        Terminal.setUpLocale()
        Signals.saveTerminalModes()
        guard let term = environment["TERM"],
              let scr = newterm(term, rapport_stdout(), rapport_stdin()) else {
            throw TerminalUnavailable.notATerminal
        }
        screen = scr
        timeout = timeoutMilliseconds
        set_term(scr)
        guard let win = rapport_stdscr() else {
            endwin()
            delscreen(scr)
            throw TerminalUnavailable.notATerminal
        }
        window = win
        raw()
        noecho()
        nonl()
        keypad(win, true)
        curs_set(0)
        set_escdelay(25)
        wtimeout(win, timeoutMilliseconds)
        mousemask(rapport_all_mouse_events(), nil)
        rapport_define_paste_keys()
        let useColors = colorMode.useColors(terminalHasColors: has_colors(), environment: environment)
        if useColors {
            start_color()
            use_default_colors()
            Palette.install(colorCount: Int(rapport_colors()))
        }
        colors = useColors
        Signals.install()
        Terminal.bracketedPaste(true)
    }

    /// Bracketed paste on and off (xterm's private mode 2004, which every emulator that
    /// brackets pastes uses). On while the interface has the screen; off on every way out
    /// (quit, a quit signal, Ctrl-Z, `$EDITOR`); the crash and signal paths turn it off
    /// with the rest of the terminal (`rapport_prepare_terminal_reset`).
    public nonisolated static let bracketedPasteOn = "\u{1B}[?2004h"
    public nonisolated static let bracketedPasteOff = "\u{1B}[?2004l"

    /// Written after ncurses has flushed its output, so it never lands inside a frame.
    private static func bracketedPaste(_ on: Bool) {
        fflush(rapport_stdout())
        fputs(on ? bracketedPasteOn : bracketedPasteOff, rapport_stdout())
        fflush(rapport_stdout())
    }

    /// setlocale before ncurses starts, so wide characters work. With no locale at all
    /// (the C locale, common in containers), text is still UTF-8: use C.UTF-8 for
    /// character types. Once per process: call it before starting other threads
    /// (`setlocale` must not run while another thread uses the locale); `init` calls it too.
    public nonisolated static func setUpLocale() {
        localeSet.withLock { done in
            guard !done else { return }
            done = true
            setlocale(LC_ALL, "")
            if rapport_locale_is_utf8() == 0 {
                setlocale(LC_CTYPE, "C.UTF-8")
            }
        }
    }

    private nonisolated static let localeSet = Mutex(false)

    /// The size of the terminal on standard output as the kernel reports it, before
    /// ncurses starts (nil when it reports none).
    public nonisolated static func windowSize() -> (width: Int, height: Int)? {
        var ws = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 else { return nil }
        return (Int(ws.ws_col), Int(ws.ws_row))
    }

    /// The screen size in cells.
    public var size: (width: Int, height: Int) {
        (Int(rapport_getmaxx(window)), Int(rapport_getmaxy(window)))
    }

    /// Copies a frame to the screen. Only cells that changed since the last frame are
    /// handed to ncurses (`CellBuffer.forEachChange`), and `doupdate` sends only what
    /// differs on the terminal.
    public func draw(_ buffer: CellBuffer) {
        guard open else { return }
        let (cols, rows) = size
        let full = previous.map { $0.width != buffer.width || $0.height != buffer.height } ?? true
        if full { werase(window) }
        buffer.forEachChange(from: full ? nil : previous, columns: cols, rows: rows) { x, y, cell in
            put(cell, x: x, y: y, maxX: cols)
        }
        wnoutrefresh(window)
        doupdate()
        previous = buffer
    }

    /// Forgets what is on screen, so the next `draw` repaints every cell (Ctrl-L,
    /// after a resize or a resume).
    public func invalidate() {
        guard open else { return }
        clearok(rapport_curscr(), true)
        previous = nil
    }

    private func put(_ cell: Cell, x: Int, y: Int, maxX: Int) {
        let attrs = Palette.attributes(for: cell.style, colors: colors)
        let pair = colors ? Int16(cell.style.role.rawValue) : 0
        if let scalar = Terminal.singleGlyph(for: cell) {
            // Most cells: one scalar that libc places as wide as the cell.
            var cc = cchar_t()
            var wchars: (wchar_t, wchar_t) = (wchar_t(bitPattern: scalar.value), 0)
            _ = withUnsafePointer(to: &wchars) {
                $0.withMemoryRebound(to: wchar_t.self, capacity: 2) { rapport_setcchar(&cc, $0, attrs, pair) }
            }
            mvwadd_wch(window, Int32(y), Int32(x), &cc)
            return
        }
        var col = x
        for glyph in Terminal.glyphs(for: cell) where col < maxX {
            var cc = cchar_t()
            var wchars = glyph.map { wchar_t(bitPattern: $0.value) } + [0]
            _ = rapport_setcchar(&cc, &wchars, attrs, pair)
            mvwadd_wch(window, Int32(y), Int32(col), &cc)
            col += Swift.max(1, Int(rapport_wcwidth(wchars[0])))
        }
    }

    /// The one scalar of a cell that `glyphs(for:)` gives as its only glyph, found
    /// without building arrays: a cell of one scalar (not a control character) whose
    /// width in the C library is the cell's width. Nil for every other cell.
    nonisolated static func singleGlyph(for cell: Cell) -> Unicode.Scalar? {
        var scalars = cell.text.unicodeScalars.makeIterator()
        guard let s = scalars.next(), scalars.next() == nil, s.value >= 0x20, cell.width >= 1 else { return nil }
        if s.value < 0x7F { return cell.width == 1 ? s : nil }
        return Int(rapport_wcwidth(wchar_t(bitPattern: s.value))) == cell.width ? s : nil
    }

    /// The ncurses cells for one grapheme. ncurses places a character by the C
    /// library's wcwidth of its first scalar and accepts only zero-width marks after
    /// it, so a cluster becomes one cchar per spacing scalar (Devanagari vowel signs)
    /// with its marks attached. Emoji clusters that libc cannot place as one wide
    /// glyph (flags, ZWJ sequences, skin tones) are split or reduced so the columns
    /// still match `DisplayWidth`.
    nonisolated static func glyphs(for cell: Cell) -> [[Unicode.Scalar]] {
        let scalars = Array(cell.text.unicodeScalars)
        guard let base = scalars.first else { return [[" "]] }
        func libc(_ s: Unicode.Scalar) -> Int { Int(rapport_wcwidth(wchar_t(bitPattern: s.value))) }
        if cell.width == 2, scalars.count == 2,
           scalars.allSatisfy({ DisplayWidth.isRegionalIndicator($0) && libc($0) == 1 }) {
            return [[scalars[0]], [scalars[1]]]
        }
        let emoji = base.properties.isEmoji && scalars.contains {
            $0.value == 0xFE0F || $0.value == 0x200D || DisplayWidth.isSkinTone($0)
        }
        var glyphs: [[Unicode.Scalar]] = []
        var columns = 0
        for s in scalars {
            let w = libc(s)
            if glyphs.isEmpty || (w > 0 && !emoji) {
                glyphs.append([s])
                columns += max(0, w)
            } else if emoji {
                // Keep the base; drop joiners and the other parts of the sequence.
                if w == 0, s.value != 0x200D, glyphs[0].count < 5 { glyphs[0].append(s) }
                if s.value == 0x200D { break }
            } else if glyphs[glyphs.count - 1].count < 5 {
                glyphs[glyphs.count - 1].append(s)
            }
        }
        if columns == cell.width { return glyphs }
        if columns < cell.width { return glyphs + Array(repeating: [" "], count: cell.width - columns) }
        return Array(repeating: ["?"], count: max(1, cell.width))
    }

    /// The next input, or nil when the timeout passed (or a signal interrupted the
    /// wait). Blocks for at most the timeout given at start-up.
    public func readKey() -> Key? {
        guard open else { return nil }
        var wch: wint_t = 0
        let rc = wget_wch(window, &wch)
        if rc == rapport_err() { return nil }
        if rc == rapport_key_code_yes() {
            let code = Int32(wch)
            if code == rapport_key_paste_start() { return .pasteStart }
            if code == rapport_key_paste_end() { return .pasteEnd }
            return decodeFunctionKey(code)
        }
        return Terminal.decodeCharacter(UInt32(wch))
    }

    /// A plain character from wget_wch as a key.
    public nonisolated static func decodeCharacter(_ v: UInt32) -> Key {
        switch v {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0: return .ctrl("@")
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(v) + 0x60)))
        case 28...31: return .unknown(Int32(v))
        default:
            guard let s = Unicode.Scalar(v) else { return .unknown(Int32(bitPattern: v)) }
            return .char(Character(s))
        }
    }

    private func decodeFunctionKey(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_RESIZE: return .resize
        case KEY_MOUSE: return decodeMouse() ?? .unknown(code)
        default:
            let f0 = rapport_key_f0()
            if code > f0 && code <= f0 + 24 { return .function(Int(code - f0)) }
            return .unknown(code)
        }
    }

    private func decodeMouse() -> Key? {
        var ev = MEVENT()
        guard getmouse(&ev) == rapport_ok() else { return nil }
        let b = ev.bstate
        let x = Int(ev.x), y = Int(ev.y)
        if b & rapport_button4_pressed() != 0 { return .mouse(MouseEvent(.wheelUp, x: x, y: y)) }
        if b & rapport_button5_pressed() != 0 { return .mouse(MouseEvent(.wheelDown, x: x, y: y)) }
        if b & rapport_button1_double_clicked() != 0 || b & rapport_button1_triple_clicked() != 0 {
            return .mouse(MouseEvent(.doubleClick(button: 1), x: x, y: y))
        }
        if b & (rapport_button1_clicked() | rapport_button1_pressed() | rapport_button1_released()) != 0 {
            return .mouse(MouseEvent(.click(button: 1), x: x, y: y))
        }
        if b & rapport_button3_clicked() != 0 { return .mouse(MouseEvent(.click(button: 3), x: x, y: y)) }
        return nil
    }

    /// A key that is already waiting, without blocking: the loop drains a paste this
    /// way and draws once for all of it.
    public func pollKey() -> Key? {
        guard open else { return nil }
        wtimeout(window, 0)
        defer { wtimeout(window, timeout) }
        return readKey()
    }

    /// Puts text on the clipboard with OSC 52, written after ncurses has flushed its
    /// output so the sequence never lands inside a frame.
    public func copyToClipboard(_ text: String) {
        guard open else { return }
        let seq = OSC52.sequence(for: text)
        fflush(rapport_stdout())
        fputs(seq, rapport_stdout())
        fflush(rapport_stdout())
    }

    /// Leaves full-screen mode (as Ctrl-Z does) while `body` runs a program that
    /// needs the terminal, such as `$EDITOR`, then repaints everything. Like
    /// system(3), SIGINT and SIGQUIT are ignored meanwhile: Ctrl-C typed in the editor
    /// is the editor's, and must not quit the interface when it returns.
    public func suspended<T>(_ body: () -> T) -> T {
        guard open else { return Signals.ignoringInterrupts(body) }
        Terminal.bracketedPaste(false)
        endwin()
        let result = Signals.ignoringInterrupts(body)
        reset_prog_mode()
        invalidate()
        wrefresh(window)
        Terminal.bracketedPaste(true)
        return result
    }

    /// SIGINT, SIGTERM or SIGHUP received since the last call.
    public func takeQuitSignal() -> Int32? { Signals.take() }

    /// Ctrl-Z: restore the terminal, stop, and on resume repaint everything.
    public func suspend() {
        guard open else { return }
        Terminal.bracketedPaste(false)
        endwin()
        Signals.stopSelf()
        invalidate()
        doupdate()
        Terminal.bracketedPaste(true)
    }

    /// Restores the terminal (idempotent). Every exit path calls this.
    public func shutdown() {
        guard open else { return }
        open = false
        Terminal.bracketedPaste(false)
        curs_set(1)
        endwin()
        delscreen(screen)
        Signals.reset()
    }
}
