/* SPDX-License-Identifier: MIT */
/*
 * Shared fixtures for the libview unit tests.
 *
 * struct fx owns a 256-byte buffer holding the bytes 0..255 and up to
 * FX_NVIEWS views; fx_setup() makes views[0] a read-write 1-D 'B' view of
 * the whole buffer (vw_from_memory), fx_teardown() releases every view and
 * frees the buffer and any capture left open in cap.  Tests derive into the other slots, so a test never
 * has to remember to release what it made.
 *
 * Expected values in the tests come from CPython memoryview / struct (and
 * NumPy's rules for n-D slicing); the Python expression that gave each one
 * is in the comment beside it.
 */
#ifndef UNIT_FIXTURES_H
#define UNIT_FIXTURES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "view.h"

/* Write helpers: capture what a vw_* printer writes to a FILE. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

#define FX_NBYTES 256
#define FX_NVIEWS 8

struct fx {
	unsigned char mem[FX_NBYTES];
	struct vw_view v[FX_NVIEWS];
	struct vw_error err;
	struct capture cap;	/* freed by teardown, also after a failure */
};

int fx_setup(void **state);
int fx_teardown(void **state);

/* A view of fmt over the fixture's first product(shape)*itemsize bytes:
 * vw_cast of views[0] (sliced to the right length) into *out. */
void fx_typed(struct fx *f, struct vw_view *out, const char *fmt, int ndim,
	      const ssize_t *shape);

/* dst = src[expr] through vw_parse_index + vw_slice; asserts success. */
void slice_expr(struct vw_view *dst, const struct vw_view *src,
		const char *expr);
/* As slice_expr, returning vw_slice's result instead of asserting it. */
int try_slice_expr(struct vw_view *dst, const struct vw_view *src,
		   const char *expr);

/* Write helpers: capture what a vw_* printer writes to a FILE. */
void capture_open(struct capture *c);
/* Closes the stream; returns the captured text (owned by c). */
const char *capture_text(struct capture *c);
void capture_free(struct capture *c);

/* Copy of s without whitespace outside '...' / "..." quotes, so that output
 * whose spacing is free can be compared exactly.  Static buffer. */
const char *strip_ws(const char *s);

/* Values. */
struct vw_value val_int(int64_t i);
struct vw_value val_uint(uint64_t u);
struct vw_value val_float(double d);
struct vw_value val_bool(int b);
struct vw_value val_bytes(const void *p, size_t n);
struct vw_value val_bigint(double d);

/* Assert that a view has exactly this geometry. */
void assert_geometry(const struct vw_view *v, int ndim, const ssize_t *shape,
		     const ssize_t *strides, ssize_t itemsize);

/* Byte offset of v->buf from base. */
#define BUF_OFFSET(v, base) ((ssize_t)((v)->buf - (char *)(base)))

/* Run the group; `prog --list` prints the test names, `prog NAME` runs the
 * tests whose names match the glob NAME (tests/unit/run.sh runs each test
 * in its own process so that one crash cannot hide the others). */
int unit_main(int argc, char **argv, const char *group,
	      const struct CMUnitTest *tests, size_t n);
#define UNIT_MAIN(tests) \
	int main(int argc, char **argv) \
	{ \
		return unit_main(argc, argv, __FILE__, tests, \
				 sizeof(tests) / sizeof((tests)[0])); \
	}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

#endif
