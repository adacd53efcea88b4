/* SPDX-License-Identifier: MIT */
/*
 * The core every other libview file stands on, and which calls none of
 * them: error messages (vw__fail, vw__check_fail), C-order shape and
 * stride arithmetic (vw__shape_bytes, vw__c_strides) and publishing a
 * derived view (vw__publish).  format.c, map.c and derive.c each read top
 * down from here; none reaches back into a sibling that calls it.
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
