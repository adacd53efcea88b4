/* SPDX-License-Identifier: MIT */
/*
 * libview internals shared by the library's source files.  Nothing here is
 * exported from libview.so (see libview.map): names are vw__* or static.
 */
#ifndef VW_INTERNAL_H
#define VW_INTERNAL_H

#include "view.h"
#include <errno.h>
#include <string.h>
#include <limits.h>

#define VW_PUBLIC __attribute__((visibility("default")))

#ifndef SSIZE_MIN
#define SSIZE_MIN (-SSIZE_MAX - 1)
#endif

/* Fill err (if any) with a formatted one-line message; return code (< 0). */
int vw__fail(struct vw_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 0 if v holds a reference, else -EINVAL with a message. */
int vw__check(const struct vw_view *v, struct vw_error *err);

/* Length in bytes of a mapping (0 for an empty one). */
size_t vw__map_len(const struct vw_map *m);

/* Take one more reference on a mapping. */
void vw__map_get(struct vw_map *m);

/*
 * The one way a view is made from another: publish a view of src's memory
 * with buf, shape and strides into dst (copied index by index, so they may
 * be src's own arrays even when dst == src); readonly comes from src, and
 * format/itemsize too unless format (with its parsed f) is given.  Takes a
 * reference unless dst == src, whose reference carries over.
 */
void vw__publish(struct vw_view *dst, const struct vw_view *src, char *buf,
		 int ndim, const ssize_t *shape, const ssize_t *strides,
		 const char *format, const struct vw_format *f);

/* The parsed format of a live view. */
static inline void vw__view_format(const struct vw_view *v,
				   struct vw_format *f)
{
	*f = v->fmt;
}

/* Advance idx[0..n) to the next element in C order; 0 once it wraps. */
static inline int vw__next_index(ssize_t *idx, const ssize_t *shape, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		if (++idx[i] < shape[i])
			return 1;
		idx[i] = 0;
	}
	return 0;
}

/*
 * Size of shape[0..ndim) items of itemsize bytes, as NumPy checks it: the
 * product of the NONZERO dimensions times itemsize must fit ssize_t, even
 * when another dimension is zero; *len (may be NULL) is 0 when a dimension
 * is 0, else that product.  Then every C-order stride fits.
 * Returns 0, -EINVAL a negative dimension, -EOVERFLOW too big.
 */
int vw__shape_bytes(int ndim, const ssize_t *shape, ssize_t itemsize,
		    ssize_t *len);

/* Set C-order strides for shape[0..ndim) and itemsize. */
void vw__c_strides(int ndim, const ssize_t *shape, ssize_t itemsize,
		   ssize_t *strides);

/*
 * Strided copy of shape[0..ndim) items of itemsize bytes from src (strides
 * ss) to dst (strides ds).  Inner contiguous dimensions become memcpy runs.
 * Source and destination must not overlap.
 */
void vw__copy_strided(char *dst, const ssize_t *ds, const char *src,
		      const ssize_t *ss, const ssize_t *shape, int ndim,
		      ssize_t itemsize);

/* Truth value of a value, as Python's bool(). */
int vw__truth(const struct vw_value *v);

/* Python == between two element values. */
int vw__value_eq(const struct vw_value *a, const struct vw_value *b);

/* Python repr of a double into buf (at least 32 bytes). */
void vw__float_repr(double x, char *buf, size_t n);

/* Read the metadata (format, shape) of an open file or viewdev node.  Each
 * out string is set to "" when unset.  Errors: -errno other than "no such
 * attribute". */
int vw__read_meta(int fd, char *fmt, size_t nfmt, char *shape, size_t nshape,
		  struct vw_error *err);

#endif
