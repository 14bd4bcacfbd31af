#ifndef RAPPORT_CNCURSESW_SHIM_H
#define RAPPORT_CNCURSESW_SHIM_H

/* SwiftPM drops pkg-config's feature flags, so the wide-character API is
   switched on here, before any ncurses header is read. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <wchar.h>
#include <signal.h>
#include <pthread.h>
#include <string.h>
#include <langinfo.h>
#include <stdio.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <termios.h>
#include <unistd.h>

/* C globals and macros reach Swift only through these accessors. */
static inline WINDOW *rapport_stdscr(void) { return stdscr; }
static inline int rapport_colors(void) { return COLORS; }
static inline int rapport_color_pairs(void) { return COLOR_PAIRS; }
static inline int rapport_err(void) { return ERR; }
static inline int rapport_ok(void) { return OK; }
static inline int rapport_key_code_yes(void) { return KEY_CODE_YES; }
static inline chtype rapport_a_bold(void) { return A_BOLD; }
static inline chtype rapport_a_reverse(void) { return A_REVERSE; }
static inline chtype rapport_a_underline(void) { return A_UNDERLINE; }
static inline chtype rapport_a_dim(void) { return A_DIM; }
static inline chtype rapport_a_normal(void) { return A_NORMAL; }
static inline chtype rapport_color_pair(int n) { return COLOR_PAIR(n); }
static inline int rapport_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int rapport_getmaxx(WINDOW *w) { return getmaxx(w); }
/* Clicks and wheel only: REPORT_MOUSE_POSITION would stream motion events. */
static inline mmask_t rapport_all_mouse_events(void) { return ALL_MOUSE_EVENTS; }
static inline mmask_t rapport_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t rapport_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t rapport_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t rapport_button1_double_clicked(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline mmask_t rapport_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t rapport_button5_pressed(void) { return BUTTON5_PRESSED; }

/* Fill a cchar_t from one grapheme's code points (setcchar with the
   attributes and colour pair given). Returns ERR or OK. */
static inline int rapport_setcchar(cchar_t *c, const wchar_t *wch, attr_t attrs, short pair) {
    return setcchar(c, wch, attrs, pair, NULL);
}

/* wcwidth is only declared by glibc under _XOPEN_SOURCE; it is always there. */
extern int wcwidth(wchar_t c);
static inline int rapport_wcwidth(wchar_t c) { return wcwidth(c); }

/* True when the character-type locale's codeset is UTF-8. */
static inline int rapport_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

static inline mmask_t rapport_button1_triple_clicked(void) { return BUTTON1_TRIPLE_CLICKED; }
static inline mmask_t rapport_button3_clicked(void) { return BUTTON3_CLICKED | BUTTON3_PRESSED; }
static inline int rapport_key_f0(void) { return KEY_F0; }
static inline WINDOW *rapport_curscr(void) { return curscr; }
static inline FILE *rapport_stdout(void) { return stdout; }
static inline FILE *rapport_stdin(void) { return stdin; }

/* Bracketed paste: the terminal sends ESC [200~ before pasted text and ESC [201~ after
   it. With keypad on and a short ESCDELAY ncurses would split them into Esc and
   characters, so they are taught to it as two keys of our own, with codes far above
   the ones ncurses gives the terminal's keys (KEY_MAX) and its extended keys. */
static inline int rapport_key_paste_start(void) { return 0x7E00; }
static inline int rapport_key_paste_end(void) { return 0x7E01; }
static inline void rapport_define_paste_keys(void) {
    define_key("\033[200~", rapport_key_paste_start());
    define_key("\033[201~", rapport_key_paste_end());
}

/* True when `term` names a terminal that can address the cursor (TERM=dumb and
   unknown names are refused). Uses setupterm with an error pointer, so nothing is
   printed and the process never exits; the terminal description is freed again. */
static inline int rapport_term_usable(const char *term) {
    int err = 0;
    if (term == NULL || term[0] == 0) return 0;
    if (setupterm(term, 1, &err) != OK) return 0;
    char *cup = tigetstr("cup");
    int ok = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return ok;
}

/* Signals. The slot below is the one piece of process-wide state: the quit signal
   (SIGINT, SIGTERM, SIGHUP, SIGQUIT) seen last, 0 when none. It is a sig_atomic_t written only
   by the handler and read-and-cleared by the event loop. It lives in a function-level
   static of a static inline function, so every caller must sit in the same object
   file: RapportTerminal calls these from Signals.swift only. */
static inline volatile sig_atomic_t *rapport_signal_slot(void) {
    static volatile sig_atomic_t slot = 0;
    return &slot;
}

static inline void rapport_on_quit_signal(int sig) { *rapport_signal_slot() = sig; }

/* The handlers that were installed before ours (the default action, or the Swift
   runtime's crash reporter), one per signal number, so ours can chain to them and be
   undone. Same single-object-file rule as the slot above. */
static inline struct sigaction *rapport_previous_actions(void) {
    static struct sigaction previous[NSIG];
    return previous;
}

/* What a signal handler needs to give the terminal back, computed before any signal
   can need it (same single-object-file rule): the terminal modes from before ncurses
   changed them, and one reset string (leave the alternate screen, cursor on, mouse
   reporting and bracketed paste off, attributes off). A handler then only calls
   write(2) and tcsetattr(3), which are async-signal-safe; never endwin(). */
struct rapport_terminal_reset {
    struct termios modes;
    int have_modes;
    char bytes[512];
    size_t length;
};

static inline struct rapport_terminal_reset *rapport_reset_state(void) {
    static struct rapport_terminal_reset state;
    return &state;
}

/* Before newterm: the modes to restore. */
static inline void rapport_save_terminal_modes(void) {
    struct rapport_terminal_reset *r = rapport_reset_state();
    r->have_modes = tcgetattr(STDIN_FILENO, &r->modes) == 0;
}

static inline void rapport_reset_append(const char *s) {
    struct rapport_terminal_reset *r = rapport_reset_state();
    if (s == NULL || s == (const char *)-1) return;
    size_t n = strlen(s);
    if (r->length + n >= sizeof r->bytes) return;
    memcpy(r->bytes + r->length, s, n);
    r->length += n;
}

/* After newterm (terminfo is loaded): the reset string, from the terminal's own
   capabilities where it has them, else the xterm sequences every emulator knows. */
static inline void rapport_prepare_terminal_reset(void) {
    struct rapport_terminal_reset *r = rapport_reset_state();
    r->length = 0;
    const char *sgr0 = tigetstr("sgr0"), *cnorm = tigetstr("cnorm"), *rmkx = tigetstr("rmkx"), *rmcup = tigetstr("rmcup");
    rapport_reset_append("\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l"); /* mouse off */
    rapport_reset_append("\033[?2004l"); /* bracketed paste off */
    rapport_reset_append(sgr0 && sgr0 != (char *)-1 ? sgr0 : "\033[0m");
    rapport_reset_append(rmkx && rmkx != (char *)-1 ? rmkx : "");
    rapport_reset_append(rmcup && rmcup != (char *)-1 ? rmcup : "\033[?1049l");
    rapport_reset_append(cnorm && cnorm != (char *)-1 ? cnorm : "\033[?25h");
    rapport_reset_append("\r\n");
}

/* Async-signal-safe: the reset string with write(2), the saved modes with tcsetattr. */
static inline void rapport_restore_terminal_now(void) {
    struct rapport_terminal_reset *r = rapport_reset_state();
    size_t done = 0;
    while (done < r->length) {
        ssize_t w = write(STDOUT_FILENO, r->bytes + done, r->length - done);
        if (w <= 0) break;
        done += (size_t)w;
    }
    if (r->have_modes) tcsetattr(STDIN_FILENO, TCSANOW, &r->modes);
}

/* Fatal signals: put the terminal back, then hand the signal on to whatever handled it
   before us (the default action, or the runtime's crash reporter), so the crash is
   still reported, a core is written and the shell sees the same signal. */
static inline void rapport_on_fatal_signal(int sig) {
    rapport_restore_terminal_now();
    struct sigaction *previous = &rapport_previous_actions()[sig];
    int handled = (previous->sa_flags & SA_SIGINFO) ? previous->sa_sigaction != NULL
        : (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN);
    if (handled) {
        /* Run the previous handler now (ours has SA_NODEFER, so it is delivered at once). */
        sigaction(sig, previous, NULL);
        raise(sig);
    }
    /* A crash reporter may return (it expects a real fault to repeat): die by the
       signal with the default action either way. */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Every other signal whose default action ends the process (SIGUSR1, SIGALRM, SIGXCPU,
   real-time signals, …): put the terminal back, then die by that same signal. */
static inline void rapport_on_terminating_signal(int sig) {
    rapport_restore_terminal_now();
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

/* The terminating signals handled that way (SIGINT, SIGTERM, SIGHUP and SIGQUIT quit
   cleanly through the event loop instead; the crash signals above chain). */
static inline int rapport_is_terminating_signal(int sig) {
    switch (sig) {
    case SIGUSR1: case SIGUSR2: case SIGALRM: case SIGVTALRM: case SIGPROF:
    case SIGXCPU: case SIGXFSZ: case SIGPOLL: case SIGSYS:
#ifdef SIGSTKFLT
    case SIGSTKFLT:
#endif
#ifdef SIGPWR
    case SIGPWR:
#endif
        return 1;
    default:
        return sig >= SIGRTMIN && sig <= SIGRTMAX;
    }
}

/* The thread running the event loop may have inherited a mask that blocks these
   (Swift's executor threads block most signals); unblock them in this thread so a
   signal wakes the blocking read at once and Ctrl-Z stops synchronously. */
static inline void rapport_unblock_loop_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGTSTP);
    sigaddset(&set, SIGCONT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static inline void rapport_install_signal_handlers(void) {
    rapport_prepare_terminal_reset();
    rapport_unblock_loop_signals();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    struct sigaction *previous = rapport_previous_actions();
    sa.sa_handler = rapport_on_quit_signal;
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read wakes up at once */
    sigaction(SIGINT, &sa, &previous[SIGINT]);
    sigaction(SIGTERM, &sa, &previous[SIGTERM]);
    sigaction(SIGHUP, &sa, &previous[SIGHUP]);
    /* SIGQUIT like SIGTERM: a clean exit, no backtrace over the interface. */
    sigaction(SIGQUIT, &sa, &previous[SIGQUIT]);
    /* SIGPIPE ignored: a helper's closed pipe is an EPIPE error where it is written. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &previous[SIGPIPE]);
    /* The others that would end the process: only where the action is still the
       default (a signal the shell ignores, e.g. under nohup, stays ignored). */
    sa.sa_handler = rapport_on_terminating_signal;
    sa.sa_flags = SA_NODEFER;
    for (int sig = 1; sig < NSIG; sig++) {
        if (!rapport_is_terminating_signal(sig)) continue;
        struct sigaction current;
        if (sigaction(sig, NULL, &current) != 0) continue;
        previous[sig] = current;
        if ((current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL) continue;
        sigaction(sig, &sa, NULL);
    }
    sa.sa_handler = rapport_on_fatal_signal;
    sa.sa_flags = SA_NODEFER; /* the re-raise inside the handler is delivered at once */
    sigaction(SIGSEGV, &sa, &previous[SIGSEGV]);
    sigaction(SIGBUS, &sa, &previous[SIGBUS]);
    sigaction(SIGILL, &sa, &previous[SIGILL]);
    sigaction(SIGTRAP, &sa, &previous[SIGTRAP]);
    sigaction(SIGABRT, &sa, &previous[SIGABRT]);
    sigaction(SIGFPE, &sa, &previous[SIGFPE]);
}

/* Put back the handlers that were there before ours (after the terminal is restored). */
static inline void rapport_reset_signal_handlers(void) {
    int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &rapport_previous_actions()[sigs[i]], NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (rapport_is_terminating_signal(sig)) sigaction(sig, &rapport_previous_actions()[sig], NULL);
}

/* Read and clear the slot in one step, so a signal arriving in between is not lost. */
static inline int rapport_take_signal(void) {
    return __atomic_exchange_n(rapport_signal_slot(), 0, __ATOMIC_SEQ_CST);
}

/* Ctrl-Z in raw mode arrives as a key: stop the process with the default SIGTSTP
   action (the caller has called endwin first); returns after SIGCONT. */
static inline void rapport_stop_self(void) {
    struct sigaction sa, old;
    sigset_t set, oldmask;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &sa, &old);
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &set, &oldmask);
    raise(SIGTSTP); /* delivered to this thread before raise returns: stops here */
    pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
    sigaction(SIGTSTP, &old, NULL);
}

#endif
