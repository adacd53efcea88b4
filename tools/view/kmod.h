/* SPDX-License-Identifier: MIT */
/*
 * kmod.h — `view kmod`: create, destroy, resize and list viewdev buffers
 * through the control node /dev/viewctl (kmod/include/uapi/viewdev.h).
 */
#ifndef VIEW_KMOD_H
#define VIEW_KMOD_H

/*
 * view_kmod_main - run `view kmod ...`; argv[0] is "kmod".
 * Returns the process exit status: 0 done, 1 error (one line on stderr),
 * 2 usage error.
 */
#include <stdarg.h>
#include <stdio.h>

int view_kmod_main(int argc, char **argv);

/*
 * view_put_line - write msg to f as one line: control characters (which a
 * user's file name, value or option may hold) as \xNN, then a newline.
 * Every error message of the CLI goes through it.
 */
void view_put_line(FILE *f, const char *msg);

/*
 * view_error - write "view: A B: message" to stderr as one line (through
 * view_put_line), the message formatted from fmt; A or B may be NULL and
 * is then left out with its separator ("view: message" when both are).
 * Callers: `view kmod` (A "kmod", B the subcommand), `view seal` (A
 * "seal:", B the path).  view_verror takes a va_list (die in main.c).
 * Messages are cut at 2047 bytes.
 */
void view_error(const char *a, const char *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void view_verror(const char *a, const char *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif /* VIEW_KMOD_H */
