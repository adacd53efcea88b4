/* SPDX-License-Identifier: MIT */
/*
 * Deriving views: cast, index/slice, transpose, reshape, toreadonly, and
 * the contiguity predicates.  Each is small stride arithmetic on a copy of
 * the source header; no data is touched and nothing is allocated.  Rules
 * follow CPython's Objects/memoryobject.c (cast, 1-D slicing, flags) and
 * NumPy (n-D basic indexing, transpose, reshape-as-view).
 */
#include "internal.h"
#include <limits.h>
#include <stdint.h>

/* PyBuffer_IsContiguous for 'C' (len 0 counts as contiguous). */
static int vw__is_c(const struct vw_view *v)
{
	ssize_t sd = v->itemsize;

	if (v->len == 0)
		return 1;
	for (int i = v->ndim - 1; i >= 0; i--) {
		if (v->shape[i] > 1 && v->strides[i] != sd)
			return 0;
		sd *= v->shape[i];
	}
	return 1;
}

static int vw__is_f(const struct vw_view *v)
{
	ssize_t sd = v->itemsize;

	if (v->len == 0)
		return 1;
	for (int i = 0; i < v->ndim; i++) {
		if (v->shape[i] > 1 && v->strides[i] != sd)
			return 0;
		sd *= v->shape[i];
	}
	return 1;
}

/* memoryview's init_flags: 0-d always, 1-D by its own rule, n-D as above. */
static int vw__flag(const struct vw_view *v, int fortran)
{
	if (!v || !v->map)
		return 0;
	if (v->ndim == 0)
		return 1;
	if (v->ndim == 1)
		return v->shape[0] == 1 || v->strides[0] == v->itemsize;
	return fortran ? vw__is_f(v) : vw__is_c(v);
}

VW_PUBLIC int vw_c_contiguous(const struct vw_view *v)
{
	return vw__flag(v, 0);
}

VW_PUBLIC int vw_f_contiguous(const struct vw_view *v)
{
	return vw__flag(v, 1);
}

VW_PUBLIC int vw_contiguous(const struct vw_view *v)
{
	return vw__flag(v, 0) || vw__flag(v, 1);
}

static int vw__is_byte_code(char c)
{
	return c == 'B' || c == 'b' || c == 'c';
}

static int __attribute__((noinline))
vw__cast_any(struct vw_view *dst, const struct vw_view *src, const char *fmt,
	     int ndim, const ssize_t *shape, struct vw_error *err);

/*
 * The common cast first: a contiguous 1-D view to a native
 * single-character format, no shape.  It succeeds exactly when the rules
 * of vw__cast_any below accept the cast (which then gives the same view);
 * anything else, errors included, goes there.
 */
VW_PUBLIC int vw_cast(struct vw_view *dst, const struct vw_view *src,
		      const char *fmt, int ndim, const ssize_t *shape,
		      struct vw_error *err)
{
	const struct vw_format *nf;

	if (__builtin_expect(src && src->map && fmt && !shape &&
			     src->ndim == 1, 1) &&
	    (nf = vw__native_format(fmt)) != NULL &&
	    (src->shape[0] == 1 || src->strides[0] == src->itemsize) &&
	    ((src->fmt.native && vw__is_byte_code(src->fmt.code)) ||
	     vw__is_byte_code(nf->code)) &&
	    !(src->len & (ssize_t)(nf->itemsize - 1))) {
		ssize_t isz = (ssize_t)nf->itemsize;

		if (dst != src)
			vw__inherit(dst, src, 0);
		dst->buf = src->buf;
		dst->len = src->len;
		dst->ndim = 1;
		dst->shape[0] = src->len >> __builtin_ctzl((unsigned long)isz);
		dst->strides[0] = isz;
		vw__set_format(dst, fmt, nf);
		return 0;
	}
	return vw__cast_any(dst, src, fmt, ndim, shape, err);
}

static int vw__cast_any(struct vw_view *dst, const struct vw_view *src,
			const char *fmt, int ndim, const ssize_t *shape,
			struct vw_error *err)
{
	const struct vw_format *pf;
	struct vw_format df;
	ssize_t isz;
	int rc, i;

	rc = vw__check(src, err);
	if (rc)
		return rc;
	if (!fmt)
		return vw__fail(err, -EINVAL, "cast: no format");
	if (!vw__flag(src, 0))
		return vw__fail(err, -EINVAL,
				"cast: the view is not C-contiguous (casts are restricted to C-contiguous views)");
	if (shape && (ndim < 0 || ndim > VW_MAXDIM))
		return vw__fail(err, -EINVAL,
				"cast: number of dimensions %d must be 0..%d",
				ndim, VW_MAXDIM);
	if (shape || src->ndim != 1) {
		for (i = 0; i < src->ndim; i++)
			if (src->shape[i] == 0)
				return vw__fail(err, -EINVAL,
						"cast: cannot cast a view with zeros in shape");
	}
	if (shape && src->ndim != 1 && ndim != 1)
		return vw__fail(err, -EINVAL,
				"cast: must be 1-D -> N-D or N-D -> 1-D (here %d-D -> %d-D)",
				src->ndim, ndim);
	pf = vw__native_format(fmt);
	if (!pf) {
		rc = vw_format_parse(fmt, &df, err);
		if (rc)
			return rc;
		pf = &df;
	}
	/* as CPython: a non-native source only casts to a byte format */
	if ((!src->fmt.native || !vw__is_byte_code(src->fmt.code)) &&
	    !vw__is_byte_code(pf->code))
		return vw__fail(err, -EINVAL,
				"cast: cannot cast between two non-byte formats ('%s' -> '%s')",
				src->format, fmt);
	/* every itemsize is a power of two (1, 2, 4, 8): no division */
	isz = (ssize_t)pf->itemsize;
	if (src->len & (isz - 1))
		return vw__fail(err, -EINVAL,
				"cast: length %zd is not a multiple of itemsize %zu of '%s'",
				src->len, pf->itemsize, fmt);
	if (shape) {
		ssize_t prod = isz;

		for (i = 0; i < ndim; i++) {
			if (shape[i] <= 0)
				return vw__fail(err, -EINVAL,
						"cast: shape element %zd must be > 0",
						shape[i]);
			if (__builtin_mul_overflow(prod, shape[i], &prod))
				return vw__fail(err, -EINVAL,
						"cast: product(shape) too large");
		}
		if (prod != src->len)
			return vw__fail(err, -EINVAL,
					"cast: product(shape) * itemsize = %zd != buffer size %zd",
					prod, src->len);
	}
	/* checked: now written straight into dst (src's fields are read
	 * before dst's are written, so dst == src works) */
	if (dst != src)
		vw__inherit(dst, src, 0);
	dst->buf = src->buf;
	dst->len = src->len;
	if (!shape) {
		dst->ndim = 1;
		dst->shape[0] = src->len >> __builtin_ctzl((unsigned long)isz);
		dst->strides[0] = isz;
	} else {
		dst->ndim = ndim;
		for (i = 0; i < ndim; i++)
			dst->shape[i] = shape[i];
		vw__c_strides(ndim, dst->shape, isz, dst->strides);
	}
	vw__set_format(dst, fmt, pf);
	return 0;
}

/* ---- index expressions --------------------------------------------- */

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
	if (a < 0) {
		a += length;
		if (a < 0)
			a = st < 0 ? -1 : 0;
	} else if (a >= length) {
		a = st < 0 ? length - 1 : length;
	}
	if (b < 0) {
		b += length;
		if (b < 0)
			b = st < 0 ? -1 : 0;
	} else if (b >= length) {
		b = st < 0 ? length - 1 : length;
	}
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

VW_PUBLIC int vw_transpose(struct vw_view *dst, const struct vw_view *src,
			   const int *perm, int nperm, struct vw_error *err)
{
	unsigned char seen[VW_MAXDIM] = { 0 };
	ssize_t ns[VW_MAXDIM], nst[VW_MAXDIM];
	int rc, i, n;

	rc = vw__check(src, err);
	if (rc)
		return rc;
	n = src->ndim;
	if (perm && nperm != n)
		return vw__fail(err, -EINVAL,
				"transpose: %d axes given for a %d-D view",
				nperm, n);
	for (i = 0; i < n; i++) {
		int a = perm ? perm[i] : n - 1 - i;

		if (a < 0 || a >= n || seen[a])
			return vw__fail(err, -EINVAL,
					"transpose: axes are not a permutation of 0..%d (bad or repeated axis %d)",
					n - 1, a);
		seen[a] = 1;
		ns[i] = src->shape[a];
		nst[i] = src->strides[a];
	}
	vw__publish(dst, src, src->buf, n, ns, nst, NULL, NULL);
	return 0;
}

/* NumPy's _attempt_nocopy_reshape (C order). */
VW_PUBLIC int vw_reshape(struct vw_view *dst, const struct vw_view *src,
			 int ndim, const ssize_t *shape,
			 struct vw_error *err)
{
	ssize_t od[VW_MAXDIM], os[VW_MAXDIM], ns[VW_MAXDIM];
	ssize_t prod, nbytes, t;
	int rc, i, on = 0;

	rc = vw__check(src, err);
	if (rc)
		return rc;
	if (ndim < 0 || ndim > VW_MAXDIM || (ndim && !shape))
		return vw__fail(err, -EINVAL,
				"reshape: number of dimensions %d must be 0..%d",
				ndim, VW_MAXDIM);
	for (i = 0; i < ndim; i++)
		if (shape[i] < 0)
			return vw__fail(err, -EINVAL,
					"reshape: negative dimension %zd",
					shape[i]);
	/* overflow-checked, and a zero dimension does not lift the bound on
	 * the others: a wrapped product would pass the size check and walk
	 * past od[] below */
	if (vw__shape_bytes(ndim, shape, src->itemsize, &nbytes))
		return vw__fail(err, -EINVAL,
				"reshape: product(shape) too large (array is too big)");
	prod = nbytes / (src->itemsize ? src->itemsize : 1);
	if (nbytes != src->len)
		return vw__fail(err, -EINVAL,
				"reshape: cannot reshape %zd elements into a shape of %zd elements",
				src->len / (src->itemsize ? src->itemsize : 1),
				prod);
	if (prod == 0) {
		vw__c_strides(ndim, shape, src->itemsize, ns);
		goto done;
	}
	for (i = 0; i < src->ndim; i++) {
		if (src->shape[i] != 1) {
			od[on] = src->shape[i];
			os[on++] = src->strides[i];
		}
	}
	{
		int oi = 0, oj = 1, ni = 0, nj = 1;
		ssize_t last;

		while (ni < ndim && oi < on) {
			ssize_t np = shape[ni], op = od[oi];

			while (np != op) {
				if (np < op)
					np *= shape[nj++];
				else
					op *= od[oj++];
			}
			for (int ok = oi; ok < oj - 1; ok++)
				if (__builtin_mul_overflow(od[ok + 1],
							   os[ok + 1], &t) ||
				    os[ok] != t)
					return vw__fail(err, -ENOTSUP,
							"reshape: the view's strides do not allow this shape without a copy");
			ns[nj - 1] = os[oj - 1];
			for (int nk = nj - 1; nk > ni; nk--)
				ns[nk - 1] = ns[nk] * shape[nk];
			ni = nj++;
			oi = oj++;
		}
		last = ni >= 1 ? ns[ni - 1] : src->itemsize;
		for (int nk = ni; nk < ndim; nk++)
			ns[nk] = last;
	}
done:
	vw__publish(dst, src, src->buf, ndim, shape, ns, NULL, NULL);
	return 0;
}

VW_PUBLIC int vw_toreadonly(struct vw_view *dst, const struct vw_view *src,
			    struct vw_error *err)
{
	int rc = vw__check(src, err);

	if (rc)
		return rc;
	vw__publish(dst, src, src->buf, src->ndim, src->shape, src->strides,
		    NULL, NULL);
	dst->readonly = 1;
	return 0;
}
