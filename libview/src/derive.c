/* SPDX-License-Identifier: MIT */
/*
 * Deriving views: cast, transpose, reshape, toreadonly, and the
 * contiguity predicates (indexing and slicing are in slice.c).  Each is
 * small stride arithmetic on a copy of the source header; no data is
 * touched and nothing is allocated.  Rules follow CPython's
 * Objects/memoryobject.c (cast, flags) and NumPy (transpose,
 * reshape-as-view).
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

/*
 * The strides that lay shape[0..ndim) over a view's memory without a copy,
 * into ns: NumPy's _attempt_nocopy_reshape, C order.  od/os are the view's
 * on dimensions other than 1 and their strides; the product of od equals
 * that of shape, and is not 0.
 *
 * The rule: cut both shapes into the shortest runs of axes whose extents
 * have equal products (one run of old axes against one run of new).  A run
 * of old axes can be cut anew only if it is contiguous within itself (the
 * stride of each axis is the next axis's stride times its extent); its new
 * axes then get C-order strides that end in the stride of the run's last
 * old axis.  New axes left over at the end have extent 1: they take the
 * last stride (the itemsize if there is none).  0, or -ENOTSUP when a run
 * is not contiguous within itself.
 */
static int vw__nocopy_strides(int ndim, const ssize_t *shape, int on,
			      const ssize_t *od, const ssize_t *os,
			      ssize_t itemsize, ssize_t *ns)
{
	int oi = 0, oj = 1, ni = 0, nj = 1;
	ssize_t last, t;

	while (ni < ndim && oi < on) {
		ssize_t np = shape[ni], op = od[oi];

		while (np != op) {
			if (np < op)
				np *= shape[nj++];
			else
				op *= od[oj++];
		}
		for (int ok = oi; ok < oj - 1; ok++)
			if (__builtin_mul_overflow(od[ok + 1], os[ok + 1], &t) ||
			    os[ok] != t)
				return -ENOTSUP;
		ns[nj - 1] = os[oj - 1];
		for (int nk = nj - 1; nk > ni; nk--)
			ns[nk - 1] = ns[nk] * shape[nk];
		ni = nj++;
		oi = oj++;
	}
	last = ni >= 1 ? ns[ni - 1] : itemsize;
	for (int nk = ni; nk < ndim; nk++)
		ns[nk] = last;
	return 0;
}

VW_PUBLIC int vw_reshape(struct vw_view *dst, const struct vw_view *src,
			 int ndim, const ssize_t *shape,
			 struct vw_error *err)
{
	ssize_t od[VW_MAXDIM], os[VW_MAXDIM], ns[VW_MAXDIM];
	ssize_t prod, nbytes;
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
	 * past od[] in vw__nocopy_strides */
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
	} else {
		for (i = 0; i < src->ndim; i++) {
			if (src->shape[i] != 1) {
				od[on] = src->shape[i];
				os[on++] = src->strides[i];
			}
		}
		if (vw__nocopy_strides(ndim, shape, on, od, os, src->itemsize,
				       ns))
			return vw__fail(err, -ENOTSUP,
					"reshape: the view's strides do not allow this shape without a copy");
	}
	vw__publish(dst, src, src->buf, ndim, shape, ns, NULL, NULL);
	return 0;
}

VW_PUBLIC int vw_toreadonly(struct vw_view *dst, const struct vw_view *src,
			    struct vw_error *err)
{
	int rc = vw__check(src, err);

	if (rc)
		return rc;
	vw__publish_same(dst, src);
	dst->readonly = 1;
	return 0;
}
