#ifndef SWITCHBOARD_CNCURSES_SHIM_H
#define SWITCHBOARD_CNCURSES_SHIM_H

// SwiftPM drops pkg-config's defines, so the wide-character API is switched on here,
// before the first include, in every module that includes ncurses.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <ncurses.h>

// Macros and variables that Swift cannot import, wrapped as functions.
static inline int sb_attr_bold(void) { return (int)A_BOLD; }
static inline int sb_attr_reverse(void) { return (int)A_REVERSE; }
static inline int sb_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int sb_attr_dim(void) { return (int)A_DIM; }
static inline int sb_attr_normal(void) { return (int)A_NORMAL; }
static inline WINDOW *sb_stdscr(void) { return stdscr; }
static inline FILE *sb_stdout(void) { return stdout; }
static inline FILE *sb_stdin(void) { return stdin; }
static inline int sb_lines(void) { return LINES; }
static inline int sb_cols(void) { return COLS; }
static inline int sb_colors(void) { return COLORS; }
static inline int sb_color_pairs(void) { return COLOR_PAIRS; }
static inline int sb_key_f(int n) { return KEY_F(n); }

// Mouse masks are built from macros.
static inline mmask_t sb_mouse_buttons(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED | BUTTON1_DOUBLE_CLICKED; }
static inline int sb_mouse_is_button1(mmask_t state) {
    return (state & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) != 0;
}

// The locale's character set, after setlocale(LC_ALL, "").
static inline const char *sb_codeset(void) { return nl_langinfo(CODESET); }

// Crash-path terminal restore: the termios saved before ncurses starts, put back by a signal
// handler with only async-signal-safe calls (tcsetattr, write), then the signal re-raised.
static inline struct termios *sb_saved_termios(void) { static struct termios saved; return &saved; }
static inline int *sb_saved_termios_valid(void) { static int valid = 0; return &valid; }

static inline void sb_crash_restore_handler(int signo) {
    static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[?1049l\033[?25h\033[0m\r\n";
    if (*sb_saved_termios_valid()) { tcsetattr(STDIN_FILENO, TCSAFLUSH, sb_saved_termios()); }
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    (void)ignored;
    signal(signo, SIG_DFL);
    raise(signo);
}

/// Saves the terminal modes and installs the crash handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
/// SIGTRAP, SIGABRT) that restore them.
static inline void sb_install_crash_restore(void) {
    if (tcgetattr(STDIN_FILENO, sb_saved_termios()) == 0) { *sb_saved_termios_valid() = 1; }
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT };
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = sb_crash_restore_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = (int)SA_RESETHAND;
        sigaction(signals[i], &action, NULL);
    }
}

/// Puts the default handlers back.
static inline void sb_remove_crash_restore(void) {
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT };
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) { signal(signals[i], SIG_DFL); }
}

#endif
