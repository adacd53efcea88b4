/* SPDX-License-Identifier: MIT */
/*
 * The core every other libview file stands on, and which calls none of
 * them: error messages (vw__fail, vw__check_fail, vw__readonly_fail),
 * C-order shape and stride arithmetic (vw__shape_bytes, vw__c_strides),
 * publishing a derived view (vw__publish), and the layout walks that
 * copy.c and guard.c share: the collapsed loop nest (vw__plan), a view's
 * extent (vw__extent) and its page spans (vw__page_spans).  format.c,
 * map.c and derive.c each read top down from here; none reaches back
 * into a sibling that calls it.
 */
#include "internal.h"
#include <stdarg.h>
#include <stdio.h>

int vw__fail(struct vw_error *err, int code, const char *fmt, ...)
{
	if (err) {
		char raw[sizeof(err->msg)];
		size_t o = 0;
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		/* One line whatever the caller's input held: control characters
		 * quoted from it are written as \xNN (as the CLI prints them). */
		for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
			int ctl = *p < 0x20 || *p == 0x7f;

			if (o + (ctl ? 4 : 1) >= sizeof(err->msg))
				break;
			if (ctl)
				o += (size_t)snprintf(err->msg + o, 5, "\\x%02x", *p);
			else
				err->msg[o++] = (char)*p;
		}
		err->msg[o] = '\0';
		err->code = code;
	}
	return code;
}

int vw__check_fail(struct vw_error *err)
{
	return vw__fail(err, -EINVAL, "operation on a released view");
}

int vw__readonly_fail(struct vw_error *err)
{
	return vw__fail(err, -EROFS, "cannot modify a read-only view");
}

int vw__shape_bytes(int ndim, const ssize_t *shape, ssize_t itemsize,
		    ssize_t *len)
{
	ssize_t p = itemsize;
	int zero = 0;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return -EINVAL;
		if (!shape[i]) {
			zero = 1;
			continue;
		}
		if (__builtin_mul_overflow(p, shape[i], &p))
			return -EOVERFLOW;
	}
	if (len)
		*len = zero ? 0 : p;
	return 0;
}

void vw__c_strides(int ndim, const ssize_t *shape, ssize_t itemsize,
		   ssize_t *strides)
{
	ssize_t s = itemsize;

	for (int i = ndim - 1; i >= 0; i--) {
		strides[i] = s;
		s *= shape[i];
	}
}

void vw__publish(struct vw_view *dst, const struct vw_view *src, char *buf,
		 int ndim, const ssize_t *shape, const ssize_t *strides,
		 const char *format, const struct vw_format *f)
{
	ssize_t len;

	if (dst != src)		/* a borrowed source: dst stays tagged */
		vw__inherit(dst, src, !format);
	if (format)
		vw__set_format(dst, format, f);
	len = dst->itemsize;
	for (int i = 0; i < ndim; i++) {
		dst->shape[i] = shape[i];
		dst->strides[i] = strides[i];
		len *= shape[i];
	}
	dst->buf = buf;
	dst->ndim = ndim;
	dst->len = len;
}

int vw__plan(struct vw__plan *pl, const ssize_t *ds, const ssize_t *ss,
		    const ssize_t *shape, int ndim)
{
	int n = 0;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] == 0)
			return 0;
		if (shape[i] == 1)
			continue;
		if (n && pl->ds[n - 1] == shape[i] * ds[i] &&
		    pl->ss[n - 1] == shape[i] * ss[i]) {
			pl->shape[n - 1] *= shape[i];
			pl->ds[n - 1] = ds[i];
			pl->ss[n - 1] = ss[i];
			continue;
		}
		pl->shape[n] = shape[i];
		pl->ds[n] = ds[i];
		pl->ss[n] = ss[i];
		n++;
	}
	pl->ndim = n;
	return 1;
}

/* Lowest and one-past-highest byte a view touches. */
void vw__extent(const struct vw_view *v, uintptr_t *lo, uintptr_t *hi)
{
	intptr_t a = 0, b = v->itemsize;

	for (int i = 0; i < v->ndim; i++) {
		intptr_t s = v->strides[i] * (v->shape[i] - 1);

		if (s < 0)
			a += s;
		else
			b += s;
	}
	*lo = (uintptr_t)v->buf + (uintptr_t)a;
	*hi = (uintptr_t)v->buf + (uintptr_t)b;
}

/* Add the page span of bytes [a, b) to the current span of a walk. */
struct vw__spanwalk {
	uintptr_t page, lo, hi;	/* current span; hi == 0: none yet */
	int (*fn)(uintptr_t lo, uintptr_t hi, void *arg);
	void *arg;
};

static int vw__span_add(struct vw__spanwalk *w, uintptr_t a, uintptr_t b)
{
	uintptr_t lo = a & ~(w->page - 1);
	uintptr_t hi = (b + w->page - 1) & ~(w->page - 1);
	int rc;

	if (w->hi && lo <= w->hi && hi >= w->lo) {
		if (lo < w->lo)
			w->lo = lo;
		if (hi > w->hi)
			w->hi = hi;
		return 0;
	}
	if (w->hi) {
		rc = w->fn(w->lo, w->hi, w->arg);
		if (rc)
			return rc;
	}
	w->lo = lo;
	w->hi = hi;
	return 0;
}

/* The pages of one innermost run of count items, stride s, from p. */
static int vw__span_run(struct vw__spanwalk *w, uintptr_t p, ssize_t s,
			ssize_t count, ssize_t itemsize)
{
	ssize_t as = s < 0 ? -s : s;
	int rc;

	if ((size_t)as <= w->page) {
		/* gaps shorter than a page: every page in between is hit */
		uintptr_t a = p, b = p + (uintptr_t)((count - 1) * s);

		if (s < 0) {
			a = b;
			b = p;
		}
		return vw__span_add(w, a, b + (uintptr_t)itemsize);
	}
	for (ssize_t k = 0; k < count; k++, p += (uintptr_t)s) {
		rc = vw__span_add(w, p, p + (uintptr_t)itemsize);
		if (rc)
			return rc;
	}
	return 0;
}

int vw__page_spans(const struct vw_view *v, size_t page,
		   int (*fn)(uintptr_t lo, uintptr_t hi, void *arg),
		   void *arg)
{
	struct vw__spanwalk w = { page, 0, 0, fn, arg };
	struct vw__plan pl;
	ssize_t idx[VW_MAXDIM], itemsize = v->itemsize;
	uintptr_t p = (uintptr_t)v->buf;
	int n, i, rc;

	if (!vw__plan(&pl, v->strides, v->strides, v->shape, v->ndim))
		return 0;
	n = pl.ndim;
	if (n && pl.ds[n - 1] == itemsize) {
		itemsize *= pl.shape[n - 1];
		n--;
	}
	if (n == 0) {
		rc = vw__span_add(&w, p, p + (uintptr_t)itemsize);
		return rc ? rc : fn(w.lo, w.hi, arg);
	}
	memset(idx, 0, sizeof(ssize_t) * n);
	for (;;) {
		rc = vw__span_run(&w, p, pl.ds[n - 1], pl.shape[n - 1],
				  itemsize);
		if (rc)
			return rc;
		for (i = n - 2; i >= 0; i--) {
			p += (uintptr_t)pl.ds[i];
			if (++idx[i] < pl.shape[i])
				break;
			p -= (uintptr_t)(pl.ds[i] * pl.shape[i]);
			idx[i] = 0;
		}
		if (i < 0)
			break;
	}
	return w.hi ? fn(w.lo, w.hi, arg) : 0;
}
