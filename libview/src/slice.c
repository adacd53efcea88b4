/* SPDX-License-Identifier: MIT */
/*
 * Index expressions and slicing a view: vw_parse_index, the one parser for
 * "1, ::2, -1"-style expressions (the CLI's --slice and the tests use it),
 * and vw_slice, which applies the parsed items to a view.
 * Slicing is stride arithmetic on a copy of the source header, as in
 * derive.c: no data is touched and nothing is allocated.  Rules follow
 * Python's slice indices (PySlice_Unpack, PySlice_AdjustIndices), CPython's
 * memoryview for 1-D slicing and NumPy for n-D basic indexing.
 */
#include "internal.h"
#include <limits.h>
#include <stdint.h>

/* ---- parsing an index expression ----------------------------------- */

/* Parse an optionally signed decimal integer, saturating to +-SSIZE_MAX
 * (and SSIZE_MIN) as Python's slice indices are clipped.  Returns 1 if a
 * number was read, 0 if none, -1 on a malformed one. */
static int vw__parse_int(const char **pp, ssize_t *out)
{
	const char *p = *pp;
	int neg = 0, sign = 0, any = 0, sat = 0;
	ssize_t v = 0;

	while (*p == ' ')
		p++;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		sign = 1;
		p++;
		while (*p == ' ')
			p++;
	}
	while ((*p >= '0' && *p <= '9') || (*p == '_' && any)) {
		if (*p == '_') {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			p++;
			continue;
		}
		if (!sat && v > (SSIZE_MAX - (*p - '0')) / 10)
			sat = 1;
		if (!sat)
			v = v * 10 + (*p - '0');
		any = 1;
		p++;
	}
	if (!any) {
		if (sign)
			return -1;
		*pp = p;	/* skip blanks before ':' or ',' */
		return 0;
	}
	while (*p == ' ')
		p++;
	if (sat)
		*out = neg ? SSIZE_MIN : SSIZE_MAX;
	else
		*out = neg ? -v : v;
	*pp = p;
	return 1;
}

VW_PUBLIC int vw_parse_index(const char *expr, struct vw_index *idx, int max,
			     struct vw_error *err)
{
	const char *p = expr;
	int n = 0;

	if (!expr)
		return vw__fail(err, -EINVAL, "no index expression");
	for (;;) {
		struct vw_index it;
		ssize_t *parts[3] = { &it.start, &it.stop, &it.step };
		int *has[3] = { &it.has_start, &it.has_stop, &it.has_step };
		int k = 0, r;

		memset(&it, 0, sizeof(it));
		for (;;) {
			r = vw__parse_int(&p, parts[k]);
			if (r < 0)
				return vw__fail(err, -EINVAL,
						"bad index '%s': malformed number",
						expr);
			*has[k] = r;
			if (*p != ':')
				break;
			if (k == 2)
				return vw__fail(err, -EINVAL,
						"bad index '%s': too many ':'",
						expr);
			it.is_slice = 1;
			k++;
			p++;
		}
		if (!it.is_slice && !it.has_start)
			return vw__fail(err, -EINVAL,
					"bad index '%s': expected an integer or a slice at '%s'",
					expr, p);
		if (n >= max)
			return vw__fail(err, -E2BIG,
					"bad index '%s': more than %d items",
					expr, max);
		idx[n++] = it;
		if (!*p)
			return n;
		if (*p != ',')
			return vw__fail(err, -EINVAL,
					"bad index '%s': unexpected '%c'",
					expr, *p);
		p++;
	}
}

/* ---- slicing a view ------------------------------------------------ */

/* a / b for a >= 0, b > 0: a step of 1 needs none, and a 32-bit
 * division is several times cheaper than a 64-bit one. */
static inline ssize_t vw__udiv(uint64_t a, uint64_t b)
{
	if (b == 1)
		return (ssize_t)a;
	if ((a | b) <= UINT32_MAX)
		return (ssize_t)((uint32_t)a / (uint32_t)b);
	return (ssize_t)(a / b);
}

/* One bound (start or stop) of a slice with step st over length items,
 * as PySlice_AdjustIndices clips it: negative counts from the end, then
 * into [0, length], or [-1, length - 1] for a negative step. */
static inline ssize_t vw__slice_bound(ssize_t x, ssize_t length, ssize_t st)
{
	if (x < 0) {
		x += length;
		if (x < 0)
			x = st < 0 ? -1 : 0;
	} else if (x >= length) {
		x = st < 0 ? length - 1 : length;
	}
	return x;
}

/* PySlice_Unpack + PySlice_AdjustIndices; returns the slice length. */
static inline ssize_t vw__slice_indices(const struct vw_index *s, ssize_t length,
				 ssize_t *start, ssize_t *step)
{
	ssize_t st = s->has_step ? s->step : 1;
	ssize_t a, b;

	if (st < -SSIZE_MAX)
		st = -SSIZE_MAX;
	a = s->has_start ? s->start : (st < 0 ? SSIZE_MAX : 0);
	b = s->has_stop ? s->stop : (st < 0 ? SSIZE_MIN : SSIZE_MAX);
	a = vw__slice_bound(a, length, st);
	b = vw__slice_bound(b, length, st);
	*start = a;
	*step = st;
	if (st < 0) {
		if (b >= a)
			return 0;
		return vw__udiv((uint64_t)(a - b - 1), (uint64_t)-st) + 1;
	}
	if (a >= b)
		return 0;
	return vw__udiv((uint64_t)(b - a - 1), (uint64_t)st) + 1;
}

/* Wrapping multiply, as CPython's (formally overflowing) stride*step. */
static inline ssize_t vw__wrapmul(ssize_t a, ssize_t b)
{
	return (ssize_t)((uint64_t)a * (uint64_t)b);
}

/*
 * Written straight into dst, without temporaries: every check comes first
 * (so that dst is untouched on failure), then one pass writes dimension
 * `out` after reading dimension d >= out of src, which is right also when
 * dst == src.
 */
VW_PUBLIC int vw_slice(struct vw_view *dst, const struct vw_view *src,
		       const struct vw_index *idx, int nidx,
		       struct vw_error *err)
{
	uintptr_t base;
	ssize_t len;
	int i, d, out = 0, ndim;

	if (__builtin_expect(!src || !src->map, 0))
		return vw__check(src, err);
	ndim = src->ndim;
	if (ndim == 0)
		return vw__fail(err, -EINVAL, "cannot index a 0-d view");
	if (nidx > ndim)
		return vw__fail(err, -EINVAL,
				"too many indices: %d for a %d-D view", nidx,
				ndim);
	if (nidx < 0 || (nidx && !idx))
		return vw__fail(err, -EINVAL, "bad index list");
	for (i = 0; i < nidx; i++) {
		const struct vw_index *s = &idx[i];

		if (!s->is_slice) {
			ssize_t k = s->start, n = src->shape[i];

			if (k < 0)
				k += n;
			if ((size_t)k >= (size_t)n)
				return vw__fail(err, -ERANGE,
						"index %zd is out of range for axis %d with size %zd",
						s->start, i, n);
		} else if (s->has_step && s->step == 0) {
			return vw__fail(err, -EINVAL,
					"slice step cannot be zero (axis %d)",
					i);
		}
	}
	base = (uintptr_t)src->buf;
	len = src->itemsize;
	if (dst != src)
		vw__inherit(dst, src, 1);
	for (d = 0; d < nidx; d++) {
		const struct vw_index *s = &idx[d];
		ssize_t n = src->shape[d], st = src->strides[d], start, step, ln;

		if (!s->is_slice) {
			ssize_t k = s->start < 0 ? s->start + n : s->start;

			base += (uintptr_t)vw__wrapmul(k, st);
			continue;
		}
		ln = vw__slice_indices(s, n, &start, &step);
		base += (uintptr_t)vw__wrapmul(start, st);
		dst->shape[out] = ln;
		dst->strides[out] = vw__wrapmul(st, step);
		len *= ln;
		out++;
	}
	for (; d < ndim; d++, out++) {
		ssize_t n = src->shape[d];

		dst->shape[out] = n;
		dst->strides[out] = src->strides[d];
		len *= n;
	}
	dst->buf = (char *)base;
	dst->ndim = out;
	dst->len = len;
	return 0;
}
