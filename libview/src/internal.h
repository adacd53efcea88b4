/* SPDX-License-Identifier: MIT */
/*
 * libview internals shared by the library's source files.  Nothing here is
 * exported from libview.so (see libview.map): names are vw__* or static.
 *
 * Where things live, bottom floor first (each file calls only files above
 * it):
 *   core.c     error messages, C-order shape/stride arithmetic, vw__publish,
 *              the layout walks: vw__plan, vw__extent, vw__page_spans
 *   format.c   format strings and shapes: vw_format_parse, vw_shape_parse,
 *              vw_meta_check
 *   map.c      mappings and their references: vw_open*, vw_from_*,
 *              vw_apply_meta, vw_release, vw_dup, vw_borrow
 *   derive.c   vw_cast, vw_transpose, vw_reshape, vw_toreadonly,
 *              the contiguity predicates
 *   slice.c    index expressions and slicing: vw_parse_index, vw_slice
 *   guard.c    the SIGBUS guard and populating pages before a write
 *   element.c  one element: vw_pack, vw_unpack, vw_get, vw_set
 *   copy.c     strided copies: vw_tobytes, vw_frombytes, vw_copy_to,
 *              vw_fill, vw_equal
 *   literal.c  Python literals: vw_literal_parse, vw_assign
 *   output.c   vw_format_value, vw_tolist, vw_hex, vw_info_json
 */
#ifndef VW_INTERNAL_H
#define VW_INTERNAL_H

#include "view.h"
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdatomic.h>

#define VW_PUBLIC __attribute__((visibility("default")))
#define VW__HIDDEN __attribute__((visibility("hidden")))

#ifndef SSIZE_MIN
#define SSIZE_MIN (-SSIZE_MAX - 1)
#endif

/*
 * The core (core.c), which every other file may call and which calls none
 * of them: vw__fail, vw__check_fail, vw__readonly_fail, vw__shape_bytes,
 * vw__c_strides, vw__publish, vw__plan, vw__extent, vw__page_spans.
 */

/* Fill err (if any) with a formatted one-line message; return code (< 0). */
int vw__fail(struct vw_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 0 if v is valid (holds a reference or is borrowed), else -EINVAL with
 * a message (vw__check_fail, out of line). */
int vw__check_fail(struct vw_error *err) __attribute__((cold));
static inline int vw__check(const struct vw_view *v, struct vw_error *err)
{
	if (__builtin_expect(!v || !v->map, 0))
		return vw__check_fail(err);
	return 0;
}

/* 0 if v (a checked view) may be written, else -EROFS with a message
 * (vw__readonly_fail, out of line).  Every writer calls it right after
 * vw__check of the view it writes. */
int vw__readonly_fail(struct vw_error *err) __attribute__((cold));
static inline int vw__check_writable(const struct vw_view *v,
				     struct vw_error *err)
{
	if (__builtin_expect(v->readonly, 0))
		return vw__readonly_fail(err);
	return 0;
}

/*
 * A borrowed view (vw_borrow) holds no reference: its map field is the
 * mapping's address with bit 0 set (struct vw_map is malloc'd, so the bit
 * is free).  Every use of v->map inside libview goes through vw__map().
 */
#define VW__BORROWED ((uintptr_t)1)
static inline struct vw_map *vw__map(const struct vw_view *v)
{
	return (struct vw_map *)((uintptr_t)v->map & ~VW__BORROWED);
}
static inline int vw__borrowed(const struct vw_view *v)
{
	return ((uintptr_t)v->map & VW__BORROWED) != 0;
}

/* Length in bytes of a mapping (0 for an empty one). */
size_t vw__map_len(const struct vw_map *m);

/*
 * A mapping (map.c): one memory range, an mmap of a file or device node
 * (unmapped on the last put) or the caller's memory (handed back through
 * its release callback).  refs counts the owning views (borrowed views
 * hold none); it is atomic so views on one mapping may be released from
 * different threads.
 */
struct vw_map {
	atomic_long refs;
	void *addr;		/* NULL for an empty mapping */
	size_t len;
	int is_mmap;		/* 1: munmap on last put */
	int is_reg;		/* 1: an mmap of a regular file */
	void (*release)(void *ptr, size_t len, void *arg);
	void *arg;
};

/*
 * 1 while the process has one thread (glibc's __libc_single_threaded, as
 * libstdc++'s shared_ptr uses it): no other thread can then touch a
 * count, and only this one can create another, so a plain load and store
 * (relaxed atomics, no lock prefix) update it exactly.  Elsewhere 0: the
 * count is always updated with atomic read-modify-writes.
 */
#if defined(__GLIBC__) && defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define VW__SINGLE_THREADED() (__libc_single_threaded != 0)
#endif
#endif
#ifndef VW__SINGLE_THREADED
#define VW__SINGLE_THREADED() 0
#endif

/* Take one more reference on a mapping. */
static inline void vw__map_get(struct vw_map *m)
{
	if (VW__SINGLE_THREADED())
		atomic_store_explicit(&m->refs,
				      atomic_load_explicit(&m->refs,
							   memory_order_relaxed) + 1,
				      memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

/* Drop one reference; returns the count before (1: it was the last). */
static inline long vw__map_drop(struct vw_map *m)
{
	long r;

	if (VW__SINGLE_THREADED()) {
		r = atomic_load_explicit(&m->refs, memory_order_relaxed);
		atomic_store_explicit(&m->refs, r - 1, memory_order_relaxed);
		return r;
	}
	return atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel);
}

/* dst's format, parsed format and itemsize become src's. */
static inline void vw__copy_format(struct vw_view *dst,
				   const struct vw_view *src)
{
	dst->itemsize = src->itemsize;
	memcpy(dst->format, src->format, sizeof(dst->format));
	dst->fmt = src->fmt;
}

/* dst's format becomes fmt, parsed as *f (it passed vw_format_parse, so
 * it is one type code after an optional byte-order prefix; it may be
 * dst->format itself, so it is read before anything is written). */
static inline void vw__set_format(struct vw_view *dst, const char *fmt,
				  const struct vw_format *f)
{
	char c0 = fmt[0], c1 = fmt[1];

	memset(dst->format, 0, sizeof(dst->format));
	dst->format[0] = c0;
	dst->format[1] = c1;
	dst->fmt = *f;
	dst->itemsize = (ssize_t)f->itemsize;
}

/*
 * The header dst gets from src in a derivation (dst != src): the mapping
 * (a new reference, or none when src is borrowed: dst is then borrowed
 * too), readonly, and format unless with_format is 0.
 */
static inline void vw__inherit(struct vw_view *dst, const struct vw_view *src,
			       int with_format)
{
	if (!vw__borrowed(src))
		vw__map_get(src->map);
	dst->map = src->map;
	dst->readonly = src->readonly;
	if (with_format)
		vw__copy_format(dst, src);
}

/*
 * The one way a view is made from another (core.c): publish a view of
 * src's memory with buf, shape and strides into dst (copied index by
 * index, so they may be src's own arrays even when dst == src); readonly
 * comes from src, and format/itemsize too unless format (with its parsed
 * f) is given.  Takes a reference unless dst == src, whose reference
 * carries over, or src is borrowed, in which case dst is borrowed too (no
 * reference, nothing atomic).
 */
void vw__publish(struct vw_view *dst, const struct vw_view *src, char *buf,
		 int ndim, const ssize_t *shape, const ssize_t *strides,
		 const char *format, const struct vw_format *f);

/* dst becomes a view of exactly src's layout (vw__publish of src's own
 * buf, shape and strides). */
static inline void vw__publish_same(struct vw_view *dst,
				    const struct vw_view *src)
{
	vw__publish(dst, src, src->buf, src->ndim, src->shape, src->strides,
		    NULL, NULL);
}

/*
 * The parsed native single-character formats ("d", "B", ...) by type code
 * (format.c; code 0 where a character is not a type code), and the one
 * for fmt if it is one of them (else NULL): the fast path of
 * vw_format_parse, a table entry, so no parsed struct is built field by
 * field and read back whole (a store-forwarding stall).
 */
extern VW__HIDDEN const struct vw_format vw__native_formats[128];
static inline const struct vw_format *vw__native_format(const char *fmt)
{
	unsigned char c = (unsigned char)fmt[0];

	if (c < 128 && vw__native_formats[c].code && !fmt[1])
		return &vw__native_formats[c];
	return NULL;
}

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
 * Size of shape[0..ndim) items of itemsize bytes (core.c), as NumPy
 * checks it: the product of the NONZERO dimensions times itemsize must fit
 * ssize_t, even when another dimension is zero; *len (may be NULL) is 0
 * when a dimension is 0, else that product.  Then every C-order stride
 * fits.
 * Returns 0, -EINVAL a negative dimension, -EOVERFLOW too big.
 */
int vw__shape_bytes(int ndim, const ssize_t *shape, ssize_t itemsize,
		    ssize_t *len);

/* Set C-order strides for shape[0..ndim) and itemsize (core.c). */
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

/* Python repr of a double into buf (NUL-terminated); returns its length
 * (at most 24). */
size_t vw__float_repr(double x, char buf[static 32]);

/* shortest.c: the shortest decimal that reads back as x (finite, > 0) and
 * is nearest x, as Python's repr picks it: writes its n significant digits
 * (1 <= n <= 17, no NUL) to digits and sets *decpt so that the decimal is
 * 0.DIGITS * 10^decpt; returns n.  No errors. */
int vw__shortest(double x, char *digits, int *decpt);

/* shortest.c: the decimal digits of f (no sign, no NUL, at most 20),
 * written to end right before end; returns where they start.  Also
 * output.c's integers. */
char *vw__put_digits(char *end, uint64_t f);

/* shortest.c's scales: floor(log10(2^q)) and floor(log10(3/4 * 2^q)),
 * exact for q in [-1074, 971] (a double's binary exponents). */
int vw__floor_log10_pow2(int q);
int vw__floor_log10_three_quarters_pow2(int q);

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

/*
 * The collapsed loop nest of a strided walk (core.c): size-1 dimensions
 * dropped, adjacent dimensions contiguous in both the destination (ds)
 * and source (ss) strides merged.  Returns 0 when a dimension is 0
 * (nothing to walk), else 1.
 */
struct vw__plan {
	int ndim;
	ssize_t shape[VW_MAXDIM];
	ssize_t ds[VW_MAXDIM];
	ssize_t ss[VW_MAXDIM];
};
int vw__plan(struct vw__plan *pl, const ssize_t *ds, const ssize_t *ss,
	     const ssize_t *shape, int ndim);

/* Lowest and one-past-highest byte address a (nonempty) view touches
 * (core.c). */
void vw__extent(const struct vw_view *v, uintptr_t *lo, uintptr_t *hi);

/*
 * (core.c) Call fn(lo, hi, arg) for page-aligned spans [lo, hi) that together cover
 * exactly the pages holding a byte of an element of v (consecutive
 * overlapping or adjacent spans merged; a page no element touches is in
 * no span).  Stops at the first nonzero return of fn and returns it;
 * 0 when every call returned 0 (or the view is empty).
 */
int vw__page_spans(const struct vw_view *v, size_t page,
		   int (*fn)(uintptr_t lo, uintptr_t hi, void *arg),
		   void *arg);

/*
 * One guarded read of an element (guard.c), for vw_get: the n (1, 2, 4 or
 * 8) bytes at p, which lie in the memory of v's mapping, into b[0..8).
 * Returns 0, or -EFAULT when a SIGBUS hit the read (*addr is then the
 * faulting address).  Puts libview's handler in place only the first
 * time (as vw_get always did, see view.h).
 *
 * On x86-64 the read is one load instruction that the SIGBUS handler
 * knows by address (guard.c, vw__ld_begin..vw__ld_end): on a fault there
 * it resumes after the load with the fault reported instead of jumping
 * out, so the read costs no sigsetjmp.  Elsewhere (or built with
 * -DVW_NO_FASTLOAD, how the portable path is tested on x86-64) it is a
 * vw__guarded() loop.
 */
VW__HIDDEN int vw__front(void);
extern VW__HIDDEN atomic_int vw__enabled, vw__ever;
#if defined(__x86_64__) && defined(__linux__) && !defined(VW_NO_FASTLOAD)
#define VW__FASTLOAD 1
struct vw__ld {
	uint64_t v;		/* rax: the value, or the faulting address */
	uint64_t fault;		/* rdx: 1 after a SIGBUS */
};
VW__HIDDEN struct vw__ld vw__ld1(const void *p);
VW__HIDDEN struct vw__ld vw__ld2(const void *p);
VW__HIDDEN struct vw__ld vw__ld4(const void *p);
VW__HIDDEN struct vw__ld vw__ld8(const void *p);
extern VW__HIDDEN const char vw__ld_begin[], vw__ld_end[], vw__ld_fix[];
/*
 * The same loads inline, for vw_get's fast path: no call (a call's return
 * address would land in the red zone the compiler may be using), and the
 * asm names exactly what it changes (rax, rdx, flags), so the caller keeps
 * its values in any other register.  Each load instruction is recorded
 * in the section vw_ldtab with the address to resume at (the one after
 * it), as offsets from the entry's own fields so that the table needs no relocation in a
 * shared object; the SIGBUS handler looks the faulting instruction up
 * there (guard.c) and resumes with rax = the faulting address, rdx = 1.
 */
struct vw__ldent {
	int32_t ip;		/* the load, relative to &ip */
	int32_t fix;		/* where to resume, relative to &fix */
};
extern VW__HIDDEN const struct vw__ldent __start_vw_ldtab[],
	__stop_vw_ldtab[];
/* insn loads into (r).v through its sub-register named by the operand
 * modifier reg: "k" (32 bits, zero-extended) or "q" (64 bits) */
#define VW__LD_INLINE(insn, reg, p, r)					\
	__asm__ volatile("xorl %%edx, %%edx\n"				\
			 "1:\t" insn " (%2), %" reg "0\n"		\
			 "2:\n\t"						\
			 ".pushsection vw_ldtab, \"a\"\n\t"		\
			 ".balign 4\n\t"					\
			 ".long 1b - .\n\t"				\
			 ".long 2b - .\n\t"				\
			 ".popsection"					\
			 : "=a"((r).v), "=d"((r).fault)			\
			 : "r"(p)						\
			 : "memory", "cc")

static inline int vw__read_elem(const struct vw_view *v, const void *p,
				size_t n, unsigned char *b, uintptr_t *addr)
{
	struct vw__ld r;

	(void)v;
	/* as vw__guarded with lookup 0: put the handler in place the
	 * first time only (a sigaction call costs twenty element reads) */
	if (__builtin_expect(!atomic_load_explicit(&vw__ever,
						   memory_order_relaxed), 0) &&
	    atomic_load_explicit(&vw__enabled, memory_order_relaxed))
		vw__front();
	switch (n) {
	case 1: r = vw__ld1(p); break;
	case 2: r = vw__ld2(p); break;
	case 4: r = vw__ld4(p); break;
	default: r = vw__ld8(p); break;
	}
	if (__builtin_expect(r.fault != 0, 0)) {
		*addr = (uintptr_t)r.v;
		return -EFAULT;
	}
	memcpy(b, &r.v, 8);	/* little-endian: the n bytes come first */
	return 0;
}
#else
#define VW__FASTLOAD 0
int vw__read_elem(const struct vw_view *v, const void *p, size_t n,
		  unsigned char *b, uintptr_t *addr);
#endif
/* -EFAULT with the message for a fault at addr, accessed as acc says,
 * in the mapping based at base. */
int vw__fault_at(struct vw_error *err, int acc, uintptr_t addr,
		 uintptr_t base);

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
