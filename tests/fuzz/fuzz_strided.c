/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: vw_from_strided, the view the Python module makes over
 * another object's Py_buffer (any format, shape and byte strides, negative
 * and zero included), then a few derivations of it.  Input: format byte,
 * ndim byte, per dimension a shape and a stride (small numbers, or the
 * extremes that reach the overflow paths), then an offset into the buffer.
 * Promises checked: a layout whose extent fits ssize_t and the address
 * space is accepted; one that does not is refused with -EINVAL; an
 * accepted view and everything derived from it reach only the bytes the
 * caller described; the release callback runs exactly once, after the
 * last view.
 */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf[FUZZ_BUF];
static char out[FUZZ_BUF];

static void count_release(void *ptr, size_t len, void *arg)
{
	(void)ptr;
	(void)len;
	++*(int *)arg;
}

/* A few derivations, each checked against the described extent. */
static void derive(struct vw_view *v, struct fuzz_prog *pr, const char *base,
		   size_t len)
{
	struct vw_error err;
	struct vw_view w;
	struct vw_index ix = { .is_slice = 1, .has_step = 1 };

	for (int k = 0; k < 8 && pr->p < pr->end; k++) {
		unsigned op = fuzz_take(pr);
		int ret;

		memset(&err, 0, sizeof(err));
		switch (op % 5) {
		case 0:
			ix.step = fuzz_take_num(pr);
			ret = vw_slice(&w, v, &ix, v->ndim ? 1 : 0, &err);
			break;
		case 1:
			ret = vw_transpose(&w, v, NULL, 0, &err);
			break;
		case 2:
			ret = vw_cast(&w, v, "B", 0, NULL, &err);
			break;
		case 3: {
			ssize_t n = v->len / v->itemsize;

			ret = vw_reshape(&w, v, 1, &n, &err);
			break;
		}
		default:
			ret = vw_toreadonly(&w, v, &err);
			break;
		}
		if (ret < 0) {
			fuzz_check_err(ret, &err);
			continue;
		}
		fuzz_check_view(&w, base, len);
		vw_release(v);
		*v = w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_prog pr = { data, data + size };
	ssize_t shape[8], strides[8];
	__int128 lo = 0, hi, items = 1;
	unsigned k = fuzz_take(&pr) % (FUZZ_NFORMATS + 1);
	const char *fmt = k < FUZZ_NFORMATS ? fuzz_formats[k] : NULL;	/* NULL: "B" */
	struct vw_format f = { .itemsize = 1 };
	struct vw_error err = { 0 };
	struct vw_view v;
	int ndim = (int)(fuzz_take(&pr) % 6), calls = 0, ret, empty = 0;
	size_t off;
	char *start;

	if (fmt)
		FUZZ_ASSERT(vw_format_parse(fmt, &f, NULL) == 0);
	for (int i = 0; i < ndim; i++) {
		shape[i] = fuzz_take_num(&pr);
		strides[i] = fuzz_take_num(&pr);
		if (shape[i] < 0)
			shape[i] = ~shape[i];	/* shapes are >= 0 */
	}
	off = fuzz_take(&pr) * (FUZZ_BUF / 256);
	start = buf + off;
	hi = (__int128)f.itemsize;
	for (int i = 0; i < ndim; i++) {
		__int128 span = shape[i] ? ((__int128)shape[i] - 1) * strides[i] : 0;
		const __int128 cap = (__int128)1 << 100;	/* beyond ssize_t */

		span = span > cap ? cap : span < -cap ? -cap : span;

		if (items <= SSIZE_MAX)	/* saturate: 5 dims of 2**62 overflow even __int128 */
			items *= shape[i] ? shape[i] : 1;
		if (!shape[i])
			empty = 1;
		else if (span < 0)
			lo += span;
		else
			hi += span;
	}
	ret = vw_from_strided(&v, start, fmt, ndim, shape, strides, VW_RDWR,
			      count_release, &calls, &err);
	if (items > SSIZE_MAX || items * (__int128)f.itemsize > SSIZE_MAX ||
	    (!empty && (hi > SSIZE_MAX || lo < -(__int128)SSIZE_MAX ||
			(__int128)(uintptr_t)start + lo < 0 ||
			(__int128)(uintptr_t)start + hi > (__int128)UINTPTR_MAX))) {
		FUZZ_ASSERT(ret == -EINVAL);
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(calls == 0);
		return 0;
	}
	/* a valid layout may still be refused only for its extent span
	 * (hi - lo) beyond ssize_t, which the checks above do not cover */
	if (ret < 0) {
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(ret == -EINVAL && hi - lo > SSIZE_MAX);
		return 0;
	}
	FUZZ_ASSERT(v.buf == start && v.ndim == ndim && !v.readonly);
	FUZZ_ASSERT(!strcmp(v.format, fmt ? fmt : "B"));
	if (empty) {
		FUZZ_ASSERT(v.len == 0);
	} else if (off + lo >= 0 && off + hi <= FUZZ_BUF) {
		/* inside our buffer: derive and read through it */
		const char *base = start + (ssize_t)lo;
		size_t len = (size_t)(hi - lo);

		fuzz_check_view(&v, base, len);
		derive(&v, &pr, base, len);
		FUZZ_ASSERT(vw_tobytes(&v, 'A', out, sizeof(out), &err) == 0 ||
			    (size_t)v.len > sizeof(out));
		if (v.len <= 512)
			FUZZ_ASSERT(vw_hex(&v, ':', 2, fuzz_null(), &err) == 0);
		if (v.len <= 1 << 16)	/* zero strides can make it huge */
			FUZZ_ASSERT(vw_equal(&v, &v, &err) >= 0);
	}
	FUZZ_ASSERT(calls == 0);
	vw_release(&v);
	FUZZ_ASSERT(calls == 1);
	return 0;
}
