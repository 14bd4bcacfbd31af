import CNCursesw
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's signal handling, in one file on purpose: the C slot it uses lives in
/// a static inline function (see shim.h), so all its callers must share an object file.
///
/// - SIGINT, SIGTERM, SIGHUP and SIGQUIT set the slot; the event loop polls it with
///   `take()` and exits cleanly through the normal path (terminal restored, store closed).
/// - SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE restore the terminal and re-raise
///   with the previous action, so the crash is still reported and the terminal is usable.
/// - Every other signal whose default action ends the process (SIGUSR1, SIGUSR2, SIGALRM,
///   SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPOLL, SIGSYS, SIGPWR, real-time signals)
///   restores the terminal, then dies by that signal.
/// - SIGPIPE is ignored (EPIPE is handled where it is written).
/// - SIGWINCH is left to ncurses (it becomes `Key.resize`).
///
/// Restoring from a handler uses only async-signal-safe calls: one reset string,
/// computed at start-up, written with write(2), and tcsetattr to the modes saved before
/// ncurses started (`saveTerminalModes`).
enum Signals {
    /// Before ncurses changes the terminal: the modes a signal handler restores.
    static func saveTerminalModes() { rapport_save_terminal_modes() }
    /// After ncurses started (terminfo loaded): computes the reset string, installs handlers.
    static func install() { rapport_install_signal_handlers() }
    static func reset() { rapport_reset_signal_handlers() }

    /// The quit signal received since the last call, if any.
    static func take() -> Int32? {
        let s = rapport_take_signal()
        return s == 0 ? nil : s
    }

    /// Runs `body` with SIGINT and SIGQUIT ignored (as system(3) does while its child
    /// runs), then puts the previous actions back. A child started with default
    /// dispositions (posix_spawn's SETSIGDEF) still gets them.
    static func ignoringInterrupts<T>(_ body: () -> T) -> T {
        var ignore = sigaction()
        #if canImport(Glibc)
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        #else
        ignore.__sigaction_u.__sa_handler = SIG_IGN
        #endif
        sigemptyset(&ignore.sa_mask)
        var previousInt = sigaction(), previousQuit = sigaction()
        sigaction(SIGINT, &ignore, &previousInt)
        sigaction(SIGQUIT, &ignore, &previousQuit)
        defer {
            sigaction(SIGINT, &previousInt, nil)
            sigaction(SIGQUIT, &previousQuit, nil)
        }
        return body()
    }

    /// Stops the process as Ctrl-Z would (the terminal must already be restored).
    static func stopSelf() { rapport_stop_self() }
}
