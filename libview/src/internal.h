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
#include <setjmp.h>
#include <stdint.h>

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

/* The memory range of a mapping: base address, length, and whether it is
 * an mmap of a regular file (which vw__prepare may populate).  populate
 * may be NULL. */
void vw__map_range(const struct vw_map *m, uintptr_t *base, size_t *len,
		   int *populate);

/* Lowest and one-past-highest byte address a (nonempty) view touches. */
void vw__extent(const struct vw_view *v, uintptr_t *lo, uintptr_t *hi);

/*
 * Call fn(lo, hi, arg) for page-aligned spans [lo, hi) that together cover
 * exactly the pages holding a byte of an element of v (consecutive
 * overlapping or adjacent spans merged; a page no element touches is in
 * no span).  Stops at the first nonzero return of fn and returns it;
 * 0 when every call returned 0 (or the view is empty).
 */
int vw__page_spans(const struct vw_view *v, size_t page,
		   int (*fn)(uintptr_t lo, uintptr_t hi, void *arg),
		   void *arg);

/*
 * SIGBUS guard (guard.c).  A guard lives on the stack of the function
 * whose access loop it covers; vw__guard_init records the page spans of
 * the mappings of a and b (either may be NULL; they may share a mapping),
 * each accessed as acc_a / acc_b says (VW__RD, VW__WR), and vw__guarded runs
 * fn(arg), returning fn's result, or -EFAULT when a SIGBUS hit one of
 * those spans (addr/which then say where).  fn must not hold a lock or own
 * memory while it touches mapped memory: it may be left by siglongjmp.
 */
struct vw__guard {
	sigjmp_buf jb;
	struct vw__guard *prev;	/* the guard this one is nested in */
	int n;			/* ranges in use */
	int lookup;		/* 1 (the default): check that libview's
				   handler is in place (one sigaction call);
				   0: only put it in place the first time */
	uintptr_t lo[2], hi[2];	/* page-aligned spans of the mappings */
	uintptr_t base[2];	/* the mappings' base addresses */
	int access[2];		/* VW__RD | VW__WR */
	volatile uintptr_t addr;	/* the faulting address (handler) */
	volatile int which;	/* its range */
};
#define VW__RD 1
#define VW__WR 2
void vw__guard_init(struct vw__guard *g, const struct vw_view *a, int acc_a,
		    const struct vw_view *b, int acc_b);
int vw__guarded(struct vw__guard *g, int (*fn)(void *), void *arg);
/* -EFAULT with the message for the fault g caught. */
int vw__fault_fail(struct vw_error *err, const struct vw__guard *g);
/*
 * Before an access to v's memory (writing 1: before its first write),
 * fault in the pages it will touch if v maps a regular file
 * (madvise MADV_POPULATE_WRITE / _READ), so that an access that would
 * raise SIGBUS fails here, before anything is written.  Returns 0 (also
 * when populating is not possible: old kernel, caller's memory, device),
 * -EFAULT (pages beyond the end of the file, no space, I/O error),
 * -ENOMEM.
 */
int vw__prepare(const struct vw_view *v, int writing, struct vw_error *err);

#endif
