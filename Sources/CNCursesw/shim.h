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
#include <ncursesw/curses.h>

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
static inline mmask_t rapport_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
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

#endif
