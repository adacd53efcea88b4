/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz: what the libFuzzer targets share.  Each target is one
 * fuzz_<surface>.c defining LLVMFuzzerTestOneInput; a finding is an abort
 * (a broken promise of view.h) or a sanitizer report.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "view.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stop with a message: libFuzzer saves the input as a crash. */
#define FUZZ_ASSERT(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: broken promise: %s\n",	\
				__FILE__, __LINE__, #c);		\
			abort();					\
		}							\
	} while (0)

/* A sink for the output functions (tolist, hex, info), opened once. */
FILE *fuzz_null(void);

/* The input as a NUL-terminated string (malloc'd; embedded NULs end it). */
char *fuzz_str(const uint8_t *data, size_t size);

/*
 * Split the input at its NUL bytes into n strings (each malloc'd into
 * out[]; missing parts are ""; the last part ends at the next NUL or the
 * end).  Free with fuzz_free_parts.
 */
void fuzz_parts(const uint8_t *data, size_t size, char **out, int n);
void fuzz_free_parts(char **out, int n);

/*
 * Abort unless every byte view v can reach lies inside [base, base+len)
 * and v->len == product(shape) * itemsize: the library's promise for every
 * view it derives.
 */
void fuzz_check_view(const struct vw_view *v, const char *base, size_t len);

/* The buffer the base views are made over. */
#define FUZZ_BUF 4096

/*
 * Fill buf[0..FUZZ_BUF) with a fixed pattern (every byte value, so floats
 * include NaNs and infinities) and make *out the base view number sel (of
 * a fixed table: every format, 0-d to 4-D, empty shapes) over it, writable.
 * Aborts if the library refuses one of them.
 */
void fuzz_base(unsigned sel, char *buf, struct vw_view *out);

/* Abort unless err is a proper error report of ret (< 0). */
void fuzz_check_err(int ret, const struct vw_error *err);

#endif
