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
 * view_put_error - finish an error message in msg[0..size), whose first
 * head bytes (snprintf's result) are already written, with fmt and ap,
 * and write it to stderr through view_put_line.  A head that is negative
 * or fills msg is dropped.  Both die (main.c) and kmod_err (kmod.c) go
 * through it.
 */
void view_put_error(char *msg, size_t size, int head, const char *fmt,
		    va_list ap) __attribute__((format(printf, 4, 0)));

#endif /* VIEW_KMOD_H */
