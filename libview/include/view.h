/* SPDX-License-Identifier: MIT */
/*
 * libview — typed, zero-copy views over any mapping.
 *
 * A view is what CPython's Py_buffer is: a base pointer, a struct-module
 * format, itemsize, ndim, shape[] and strides[] (in bytes, may be negative
 * or zero), a readonly flag, and one reference on the mapping it came from.
 *
 * Ownership
 * ---------
 * struct vw_view is a plain struct the caller owns (on the stack, in an
 * array, anywhere).  Every *valid* view holds exactly one reference on a
 * struct vw_map (borrowed views, below, hold none).  Functions that produce a view (vw_open, vw_open_fd,
 * vw_from_memory, vw_dup, vw_cast, vw_slice, ...) take a new reference for
 * the destination; vw_release() drops it and marks the view released.  A
 * mapping is unmapped (and its fd closed) when the last view referring to
 * it is released, so releasing a parent while children live is safe.
 * Never copy a struct vw_view by assignment and use both copies: use
 * vw_dup().  Deriving a view never copies data and never allocates.
 *
 * Borrowed views (vw_borrow) are the one exception, for derivations in a
 * hot loop: a borrowed view holds NO reference; it uses the reference of
 * the view it was borrowed from (its lender).  Every view derived from a
 * borrowed view (vw_slice, vw_cast, vw_transpose, vw_reshape,
 * vw_toreadonly, vw_apply_meta) is borrowed too, so deriving and
 * releasing them counts no reference at all (no atomic operation).  The
 * rule: a borrowed view may be used only while its lender, or another
 * owning view on the same mapping, still holds its reference; release
 * borrowed views first (vw_release marks them released and drops
 * nothing).  Using one after the last owning view on its mapping was
 * released is a use after free (AddressSanitizer reports it).  vw_dup of
 * a borrowed view gives an owning view (its own reference), also in place
 * (vw_dup(&v, &v, ...)); vw_is_borrowed() tells the two kinds apart.
 *
 * A released or never-initialised (zeroed) view refuses every operation
 * with -EINVAL.  The destination of a derivation may be the source itself
 * (vw_slice(&v, &v, ...)): the source's reference is then carried over.
 * On failure the destination is left untouched.
 *
 * Errors
 * ------
 * Functions return 0 (or a non-negative count) on success and a negative
 * errno on failure.  When the caller passes a non-NULL struct vw_error, a
 * one-line human message naming the bad value is written there.  Nothing
 * prints, nothing aborts.  Views are not locked: concurrent use of one
 * struct vw_view from several threads needs the caller's lock; distinct
 * views on one mapping may be used from different threads.  Reference
 * counts are atomic; while the process has a single thread (glibc's
 * __libc_single_threaded) they are updated without atomic
 * read-modify-writes, which is exact because only that thread could touch
 * them or start another (a thread made with a bare clone() system call,
 * not pthread_create, is not seen: libview does not support those).
 *
 * Faults in the mapping
 * ---------------------
 * A mapping can lose pages under a live view: another process truncates
 * the file below its mapped size, or a write needs a page its file system
 * has no room for (a full tmpfs or viewfs store).  The kernel answers an
 * access to such a page with SIGBUS, which would kill the process.
 * libview turns it into an error instead; its one process-wide side
 * effect is the SIGBUS handler described here.
 *
 *  - Guarded functions: vw_get, vw_set, vw_tobytes, vw_frombytes,
 *    vw_copy_to, vw_fill, vw_equal, vw_tolist, vw_hex and vw_assign (the
 *    functions that touch a view's memory; vw_unpack and vw_pack work on
 *    a bare pointer and are not guarded).  A SIGBUS raised by one of their
 *    own accesses to a view's mapping (a file mapping or vw_from_memory
 *    memory) makes the function return -EFAULT, err->code -EFAULT, with a
 *    message naming the byte offset in the mapping ("cannot read byte N
 *    of the mapping: SIGBUS (...)").  What was done stays done: output a
 *    read wrote to f or out before the fault stays there (vw_tolist and
 *    vw_hex output is then cut short), and the view and its mapping stay
 *    valid (release them as usual; the pages still there can be used).
 *  - Writes are all-or-nothing where the kernel can tell in advance:
 *    before the first byte is written to a view of a mapped regular file
 *    (vw_open/vw_open_fd), the pages the write will touch (only those)
 *    are faulted in writable with madvise(MADV_POPULATE_WRITE), and
 *    vw_copy_to first faults in its source's pages (MADV_POPULATE_READ).
 *    A page beyond the end of the file, one its file system has no space
 *    for, or an I/O error then fails the call with -EFAULT (-ENOMEM when
 *    the kernel is out of memory) and nothing is written ("cannot write
 *    byte N of the mapping: madvise(...): ...; nothing was written").
 *    Pages populated before the failing one stay allocated, contents
 *    unchanged (holes among them now take space: a store that had no room
 *    for the write is left full).  Not pre-populated, so guarded only:
 *    device nodes and vw_from_memory memory (a device mapping may be I/O
 *    memory; the caller's memory is the caller's), writes within one page
 *    (a fault there writes nothing anyway), and mappings madvise refuses
 *    (EINVAL: Linux before 5.14, or a mapping it cannot populate; EPERM).
 *    A file that shrinks *during* a write still stops it with -EFAULT
 *    after part was written (the part lost is gone with the file's end).
 *  - The handler: a guarded call (one with mapped memory to touch) looks
 *    at SIGBUS's disposition (one sigaction() call) and, unless it is
 *    libview's handler, puts libview's in place with sigaction
 *    (SA_SIGINFO | SA_ONSTACK | SA_NODEFER, plus SA_RESTART if the one
 *    found had it), keeping the one found as the one it forwards to.
 *    vw_get and vw_set, which touch one element (the system call would
 *    cost twenty times the access), do this only until libview's handler
 *    has first been in place; after code that replaced it they are
 *    guarded again once another guarded call or vw_sigbus_guard(1) has
 *    put it back.  The handler acts only on a SIGBUS the kernel raised at
 *    a faulting access (si_code BUS_ADRALN..BUS_MCEERR_AR) whose address
 *    lies in the pages of a mapping the faulting thread is accessing
 *    inside a guarded function at that moment (a thread-local record set
 *    around each access loop); it then siglongjmps out of the loop.
 *    vw_get's one read is, on x86-64, a load instruction the handler
 *    knows by its address: a fault there (which can only be that read of
 *    the view's mapping) resumes vw_get with the error, no jump.  Any
 *    other SIGBUS (another address, a fault outside libview's loops, a
 *    signal sent by kill/raise/sigqueue, BUS_MCEERR_AO) goes to the
 *    disposition libview found: a previous handler is called with the
 *    same arguments under its own sa_mask (SA_RESETHAND honoured); for
 *    SIG_DFL or SIG_IGN the default is restored and the fault re-runs (a
 *    sent signal is raised again), so the process dies of SIGBUS as it
 *    would have without libview; a previous handler that forwards back
 *    to libview's gets that default action too (no loop).  The handler is
 *    async-signal-safe (no allocation, no locks, initial-exec TLS) and
 *    keeps errno.  Threads: guards are per thread, and the kernel sends a
 *    fault's SIGBUS to the faulting thread, so each thread's faults are
 *    its own; the handler can be put in place from any thread.
 *  - Other handlers: a handler the program installs later gets every
 *    SIGBUS until the next guarded call (other than vw_get and vw_set) or
 *    vw_sigbus_guard(1) puts libview's back in front of it; from then on
 *    it receives every SIGBUS that is not libview's, as above.  So a
 *    program's handler should not expect libview's faults.  A program
 *    that wants no handler from libview calls vw_sigbus_guard(0) before
 *    its first guarded call: libview then puts none in place (one already
 *    there forwards everything), guarded functions fault as plain memory
 *    accesses do, and only the pre-population above still prevents
 *    partial writes.  Under AddressSanitizer, whose SIGBUS handler is then
 *    the one found, this works with the default handle_sigbus=1 (not with
 *    handle_sigbus=2, which refuses other handlers).
 */
#ifndef VIEW_H
#define VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VW_MAXDIM 64		/* as CPython's PyBUF_MAX_NDIM */
#define VW_FORMAT_MAX 16	/* longest format string kept, incl. NUL */

/* Open flags. */
#define VW_RDONLY   0x0		/* map read-only (PROT_READ) */
#define VW_RDWR     0x1		/* map read-write, MAP_SHARED */
#define VW_NOMETA   0x2		/* ignore user.view.* metadata: a 1-D 'B' view */

/* Human-readable error detail. */
struct vw_error {
	int code;		/* the negative errno also returned */
	char msg[256];		/* one line, no trailing newline; control
				   characters quoted from input are
				   written as \xNN */
};

struct vw_map;			/* opaque, reference counted */

/* Kind of value a format stores. */
enum vw_kind {
	VW_K_INT,		/* signed integer */
	VW_K_UINT,		/* unsigned integer (incl. 'P') */
	VW_K_FLOAT,		/* f, d, e */
	VW_K_BOOL,		/* ? */
	VW_K_CHAR,		/* c: bytes of length 1 */
};

/* A parsed single-item format. */
struct vw_format {
	char code;		/* one of c b B h H i I l L q Q n N f d e ? P */
	char order;		/* '@' native (also for no prefix), '<', '>', '=', '!' */
	int native;		/* 1 when the format is "X" or "@X" (memoryview's
				   native single-character formats) */
	int swap;		/* 1 when bytes must be swapped on this machine */
	size_t itemsize;
	enum vw_kind kind;
};


/* A view.  Fields are public for reading; change them only through the API. */
struct vw_view {
	char *buf;		/* address of element [0,0,...,0] */
	struct vw_map *map;	/* one reference; NULL when released; for a
				   borrowed view (vw_borrow) a tagged
				   value holding no reference: only
				   compare it with NULL */
	ssize_t len;		/* nbytes: product(shape) * itemsize */
	ssize_t itemsize;
	int ndim;
	int readonly;
	char format[VW_FORMAT_MAX];	/* as written by the user, e.g. "@d" */
	struct vw_format fmt;	/* format[] parsed (kept in step by the library) */
	ssize_t shape[VW_MAXDIM];
	ssize_t strides[VW_MAXDIM];
};

/* ------------------------------------------------------------------ */
/* Formats                                                             */
/* ------------------------------------------------------------------ */

/*
 * vw_format_parse - parse a struct-module format of one item.
 * Accepts an optional byte-order prefix ('@', '<', '>', '=', '!') and one
 * of the codes "cbBhHiIlLqQnNfde?P".  With a prefix other than '@' the
 * standard sizes apply and 'n', 'N', 'P' are refused (as in struct).
 * Errors: -EINVAL empty, unknown, multi-item or too long (>= VW_FORMAT_MAX)
 * format.
 */
int vw_format_parse(const char *fmt, struct vw_format *out,
		    struct vw_error *err);

/*
 * vw_shape_parse - parse "D0,D1,..." (decimal, each >= 0) into shape[].
 * An empty string gives ndim 0.  Returns ndim.
 * Errors: -EINVAL malformed number or empty item; -E2BIG more than max
 * dimensions; -EOVERFLOW a dimension, or the product of the nonzero
 * dimensions, beyond SSIZE_MAX (a zero dimension does not lift the bound
 * on the others: "0,4294967296,4294967296" overflows).
 */
int vw_shape_parse(const char *s, ssize_t *shape, int max,
		   struct vw_error *err);

/*
 * vw_meta_check - validate a format/shape metadata pair against a buffer of
 * size bytes, as the user.view.* xattrs and the kernel attributes are
 * validated.  fmt or shape may be NULL or "" (not set: an attribute that
 * exists but is empty counts as absent, as an empty sysfs attribute does).
 * Rules: the format parses; the shape parses; as NumPy's "array is too
 * big", the product of the NONZERO dimensions times itemsize fits ssize_t
 * (so does every C-order stride), even when another dimension is zero;
 * product(shape) * itemsize <= size; a shape with a zero dimension is
 * empty (as in memoryview, "0,2,3" fits an empty buffer), but the number
 * of empty sub-arrays it describes (the product of the dimensions before
 * the first zero, what tolist prints) must be <= VW_META_EMPTY_MAX or <=
 * size ("9223372036854775807,0" is refused: its tolist would never end);
 * a format without a shape needs size to be a multiple of its
 * itemsize (25 bytes of 'd' are refused, not truncated to 3 items).
 * Shapes are vw_shape_parse's: decimal dimensions separated by commas,
 * blanks (' ') allowed around each.  viewdev's check (kmod) follows the
 * same rules; tests/common/meta_vectors.h holds cases both must answer
 * alike.  A size change never consults the metadata here: viewfs lets a
 * typed file shrink (O_TRUNC must work), and vw_open then refuses the
 * metadata; viewdev refuses a resize below it (kmod/README.md).
 * Errors: -EINVAL with a message naming the bad value, for every rule
 * (also a shape vw_shape_parse refuses with -E2BIG or -EOVERFLOW);
 * err->code is then -EINVAL too.
 */
int vw_meta_check(const char *fmt, const char *shape, uint64_t size,
		  struct vw_error *err);
/* Most empty sub-arrays vw_meta_check lets an empty shape describe. */
#define VW_META_EMPTY_MAX (1ULL << 20)

/* ------------------------------------------------------------------ */
/* Opening and releasing                                               */
/* ------------------------------------------------------------------ */

/*
 * vw_open - map the whole of a file or device node.
 * path may be a regular file (on any file system, viewfs included) or a
 * char device that implements llseek(SEEK_END) and mmap (viewdev).
 * flags: VW_RDONLY or VW_RDWR, optionally | VW_NOMETA.  Without VW_NOMETA
 * the view starts as the typed view the file's metadata describes
 * (user.view.format / user.view.shape xattrs, or viewdev's attributes),
 * else as a 1-D view of format 'B' over every byte.  An empty file gives a
 * 1-D view of shape [0].
 * Errors: -errno of open/fstat/mmap (-ENOENT, -EACCES, -ENODEV ...);
 * -EINVAL bad flags or metadata that does not fit the file (see
 * vw_meta_check; VW_NOMETA still opens it); -EFBIG a size beyond
 * SSIZE_MAX; -ENOMEM.
 */
int vw_open(struct vw_view *out, const char *path, int flags,
	    struct vw_error *err);

/*
 * vw_open_fd - as vw_open on an open descriptor.  The descriptor is
 * borrowed (not closed, not kept).  Errors: as vw_open; -EBADF.
 */
int vw_open_fd(struct vw_view *out, int fd, int flags, struct vw_error *err);

/*
 * vw_from_memory - a 1-D 'B' view over the caller's memory [ptr, ptr+len).
 * The caller keeps the memory valid until every view on it is released.
 * flags: VW_RDONLY or VW_RDWR.  release, if non-NULL, is called with
 * (ptr, len, arg) when the last view on it is released.  A SIGBUS in
 * [ptr, ptr+len) during a guarded call is an error as for mapped files,
 * but writes into it are not pre-populated (see "Faults in the mapping").
 * Errors: -EINVAL ptr NULL with len > 0, bad flags; -ENOMEM.
 */
int vw_from_memory(struct vw_view *out, void *ptr, size_t len, int flags,
		   void (*release)(void *ptr, size_t len, void *arg),
		   void *arg, struct vw_error *err);

/*
 * vw_from_strided - a view with the exact layout of a Py_buffer over the
 * caller's memory: element [0,...,0] at buf, format fmt (NULL means "B"),
 * shape[0..ndim) and strides[0..ndim) in bytes (any sign, zero allowed).
 * The mapping covers the lowest to the highest byte any element touches
 * (nothing when a dimension is 0); release, if non-NULL, is called with
 * (buf, 0, arg) when the last view on it is released (the pointer given,
 * not the lowest address).  flags: VW_RDONLY or VW_RDWR.  No byte is read.
 * Errors: -EINVAL buf NULL, bad flags, bad format (see vw_format_parse),
 * ndim outside 0..VW_MAXDIM, a negative dimension, product(shape) *
 * itemsize or the byte extent beyond SSIZE_MAX or wrapping the address
 * space; -ENOMEM.
 */
int vw_from_strided(struct vw_view *out, void *buf, const char *fmt,
		    int ndim, const ssize_t *shape, const ssize_t *strides,
		    int flags, void (*release)(void *ptr, size_t len, void *arg),
		    void *arg, struct vw_error *err);

/*
 * vw_apply_meta - turn a 1-D 'B' view of a whole file into the typed view
 * described by fmt and shape (either may be NULL): a cast to fmt and, if
 * shape is given, a reshape to it over the first product(shape)*itemsize
 * bytes.  NULL and "" both mean "not set".  fmt and shape must pass
 * vw_meta_check for src's length (a format alone must divide it).
 * Errors: -EINVAL bad format, bad shape, shape larger than the view, any
 * other vw_meta_check rule.
 */
int vw_apply_meta(struct vw_view *dst, const struct vw_view *src,
		  const char *fmt, const char *shape, struct vw_error *err);

/*
 * vw_release - drop the view's reference and mark it released.  Safe on a
 * released or zeroed view (does nothing).  Never fails.
 */
void vw_release(struct vw_view *v);

/*
 * vw_dup - dst becomes a copy of src holding its own reference (also when
 * src is borrowed: vw_dup(&v, &v, ...) turns a borrowed v into an owning
 * one).
 * Errors: -EINVAL src released.
 */
int vw_dup(struct vw_view *dst, const struct vw_view *src,
	   struct vw_error *err);

/*
 * vw_borrow - dst becomes a copy of src that holds no reference: a
 * borrowed view (see "Ownership"), lent src's reference.  Views derived
 * from dst are borrowed too, and deriving or releasing them touches no
 * reference count.  Use dst and everything derived from it only while src
 * (or another owning view on the same mapping) is not released; releasing
 * dst (vw_release) drops nothing.  src may itself be borrowed: dst then
 * borrows from the same lender.  vw_map_refs() does not count borrowed
 * views.
 * Errors: -EINVAL src released, or dst == src for an owning src (a view
 * cannot lend to itself; dst == src for a borrowed src does nothing).
 */
int vw_borrow(struct vw_view *dst, const struct vw_view *src,
	      struct vw_error *err);

/* vw_is_borrowed - 1 when v is a valid borrowed view, else 0. */
int vw_is_borrowed(const struct vw_view *v);

/* vw_is_valid - 1 when v holds a reference or is borrowed (not released),
 * else 0. */
int vw_is_valid(const struct vw_view *v);

/* vw_map_refs - references currently held on v's mapping, by owning views
 * (borrowed views hold none); 0 if v is released. */
long vw_map_refs(const struct vw_view *v);

/* ------------------------------------------------------------------ */
/* Deriving views (no copy, no allocation)                            */
/* ------------------------------------------------------------------ */

/*
 * vw_cast - memoryview.cast(fmt[, shape]), rule for rule.
 * shape == NULL means "no shape given" (result 1-D); otherwise ndim
 * entries (ndim 0 allowed: a 0-d result).
 * Errors: -EINVAL src not C-contiguous, zeros in shape when a shape is
 * given or src is not 1-D, neither side a byte format (B b c), not 1-D->N-D
 * or N-D->1-D, bad format, length not a multiple of the itemsize,
 * product(shape)*itemsize != nbytes, a dimension <= 0, ndim > VW_MAXDIM.
 */
int vw_cast(struct vw_view *dst, const struct vw_view *src, const char *fmt,
	    int ndim, const ssize_t *shape, struct vw_error *err);

/* One item of a NumPy basic index.  An integer index is is_slice 0 with
 * the integer in start (has_start 1). */
struct vw_index {
	int is_slice;		/* 0: integer index, 1: slice */
	int has_start, has_stop, has_step; /* parts present (slice) */
	ssize_t start, stop, step; /* saturated to SSIZE_MIN..SSIZE_MAX */
};

/*
 * vw_parse_index - parse "1:5:2,-1,::-1" (comma-separated ints and
 * start:stop[:step] slices, Python syntax, blanks allowed around items;
 * integers beyond ssize_t are saturated as Python's slice does) into
 * idx[].  Returns the item count (>= 1).
 * Errors: -EINVAL syntax error, an empty expression or an empty item
 * (including a trailing comma); -E2BIG more than max items.
 */
int vw_parse_index(const char *expr, struct vw_index *idx, int max,
		   struct vw_error *err);

/*
 * vw_slice - NumPy basic indexing applied to the leading dimensions:
 * an integer removes its dimension (negative counts from the end), a slice
 * keeps it with bounds clamped as slice.indices() and stride*step as new
 * stride (also when the slice selects nothing).
 * Errors: -EINVAL step 0, more items than dimensions, any index list (even
 * an empty one) on a 0-d view; -ERANGE integer index out of range.
 */
int vw_slice(struct vw_view *dst, const struct vw_view *src,
	     const struct vw_index *idx, int nidx, struct vw_error *err);

/*
 * vw_transpose - NumPy a.transpose(perm): axis i of dst is axis perm[i] of
 * src (shape and stride), buf unchanged; perm NULL reverses the axes (and
 * nperm is ignored).  perm must name each of 0..ndim-1 exactly once;
 * negative axes are refused, not counted from the end as NumPy does.
 * Errors: -EINVAL perm not a permutation of 0..ndim-1 (nperm != ndim, an
 * axis repeated, negative or >= ndim).
 */
int vw_transpose(struct vw_view *dst, const struct vw_view *src,
		 const int *perm, int nperm, struct vw_error *err);

/*
 * vw_reshape - a view of src with a new C-order shape, without copying.
 * Works where NumPy's reshape would return a view: the new shape's
 * elements must be addressable with strides (contiguous runs of src).
 * The product of the nonzero dimensions times itemsize must fit ssize_t
 * (overflow-checked, also when another dimension is zero: NumPy's "array
 * is too big"), so a product that wraps to src's length is refused.
 * Errors: -EINVAL product differs or is too big, negative dimension,
 * ndim > VW_MAXDIM;
 * -ENOTSUP the strides do not allow a view (a copy would be needed).
 */
int vw_reshape(struct vw_view *dst, const struct vw_view *src, int ndim,
	       const ssize_t *shape, struct vw_error *err);

/* vw_toreadonly - memoryview.toreadonly(): a read-only view.
 * Errors: -EINVAL src released. */
int vw_toreadonly(struct vw_view *dst, const struct vw_view *src,
		  struct vw_error *err);

/* ------------------------------------------------------------------ */
/* Properties                                                          */
/* ------------------------------------------------------------------ */

/* memoryview.c_contiguous / f_contiguous / contiguous (1-D: shape[0]==1 or
 * stride==itemsize; 0-d: always; n-D: PyBuffer_IsContiguous).  0 if released. */
int vw_c_contiguous(const struct vw_view *v);
int vw_f_contiguous(const struct vw_view *v);
int vw_contiguous(const struct vw_view *v);

/* ------------------------------------------------------------------ */
/* Elements                                                            */
/* ------------------------------------------------------------------ */

/* One element's value, as Python would see it. */
enum vw_vtype {
	VW_V_INT,		/* i: a signed 64-bit integer */
	VW_V_UINT,		/* u: an unsigned integer > INT64_MAX */
	VW_V_FLOAT,		/* d */
	VW_V_BOOL,		/* i is 0 or 1 */
	VW_V_BYTES,		/* bytes[0..nbytes), nbytes <= 8 (<= 1 for
				   'c'); the library never makes one with
				   more */
	VW_V_BIGINT,		/* an integer beyond 64 bits: sign and d (its
				   value rounded to double, or +-inf) */
};

struct vw_value {
	enum vw_vtype type;
	int64_t i;
	uint64_t u;
	double d;
	unsigned char bytes[8];
	size_t nbytes;
};

/*
 * vw_get - read the element at index[0..ndim) (negative indices count from
 * the end).  For a 0-d view index may be NULL.
 * Errors: -EINVAL released; -ERANGE index out of range; -EFAULT the
 * element's page is gone (see "Faults in the mapping").
 */
int vw_get(const struct vw_view *v, const ssize_t *index,
	   struct vw_value *out, struct vw_error *err);

/*
 * vw_unpack - decode one item at p with format f (no bounds check).
 */
void vw_unpack(const struct vw_format *f, const void *p, struct vw_value *out);

/*
 * vw_pack - encode val as one item of format f at p, with memoryview's
 * item-assignment rules (struct-module range checks).  Nothing is written
 * on failure.
 * Errors: -EINVAL wrong type for the format (a float into an int format,
 * a non-bytes into 'c'); -ERANGE value out of the C type's range, bytes
 * of a length other than 1 into 'c', a float too large for 'e', an int
 * too large for a double.
 */
int vw_pack(const struct vw_format *f, const struct vw_value *val, void *p,
	    struct vw_error *err);

/*
 * vw_set - write one element (see vw_pack) at index[0..ndim).
 * Errors: -EINVAL released; -EROFS read-only view; -ERANGE index out of
 * range; those of vw_pack; -EFAULT, -ENOMEM the element's pages cannot be
 * written (nothing is written; see "Faults in the mapping").
 */
int vw_set(const struct vw_view *v, const ssize_t *index,
	   const struct vw_value *val, struct vw_error *err);

/* ------------------------------------------------------------------ */
/* Copying operations (they say so in their name)                      */
/* ------------------------------------------------------------------ */

/*
 * vw_tobytes - memoryview.tobytes(order) into out[0..v->len).
 * order: 'C', 'F' or 'A' (memory order if the view is C- or F-contiguous,
 * else C).  outlen must be >= v->len.  Returns 0.
 * Errors: -EINVAL released or bad order; -ENOBUFS outlen too small;
 * -EFAULT a page of the view is gone (out holds a part; see "Faults in
 * the mapping").
 */
int vw_tobytes(const struct vw_view *v, char order, void *out, size_t outlen,
	       struct vw_error *err);

/*
 * vw_frombytes - the reverse of vw_tobytes('C'): write len == v->len bytes
 * in C order through the view's strides.
 * Errors: -EINVAL released or len != nbytes; -EROFS read-only; -EFAULT,
 * -ENOMEM the view's pages cannot be written (in a mapped regular file
 * nothing is written; see "Faults in the mapping").
 */
int vw_frombytes(const struct vw_view *v, const void *src, size_t len,
		 struct vw_error *err);

/*
 * vw_copy_to - strided copy of every element of src into dst (same shape
 * and itemsize required; formats need not match).  Contiguous inner
 * dimensions are collapsed into memcpy runs; overlapping views are handled
 * (memmove semantics).
 * Errors: -EINVAL released, shape or itemsize differ; -EROFS dst read-only;
 * -ENOMEM; -EFAULT a page of src cannot be read or one of dst cannot be
 * written (checked first for mapped regular files: nothing is written;
 * see "Faults in the mapping").
 */
int vw_copy_to(const struct vw_view *dst, const struct vw_view *src,
	       struct vw_error *err);

/*
 * vw_fill - store val into every element (converted once with vw_pack).
 * Errors: -EINVAL released; -EROFS; those of vw_pack; -EFAULT, -ENOMEM
 * the view's pages cannot be written (in a mapped regular file nothing is
 * written; see "Faults in the mapping").
 */
int vw_fill(const struct vw_view *v, const struct vw_value *val,
	    struct vw_error *err);

/*
 * vw_equal - memoryview ==: shapes equal and every element equal by value
 * (Python rules: 1 == 1.0 == True, NaN != NaN, bytes only equal bytes).
 * Returns 1 equal, 0 not equal.
 * Errors: -EINVAL a view released; -EFAULT a page of either view is gone
 * (see "Faults in the mapping").
 */
int vw_equal(const struct vw_view *a, const struct vw_view *b,
	     struct vw_error *err);

/*
 * vw_tolist - write repr(memoryview.tolist()) to f: nested lists, ints,
 * floats as Python's repr (nan, inf, -0.0), True/False, b'x'.
 * An empty view prints one "[]" per sub-array before its first zero
 * dimension; at most max(VW_META_EMPTY_MAX, length of its mapping) of
 * them (the bound vw_meta_check puts on metadata, here for views any
 * derivation made: reshape to "4611686018427387904,0", or a transposed
 * "0,N").
 * Errors: -EINVAL released; -E2BIG an empty view beyond that bound
 * (nothing written); -EIO write error on f; -EFAULT a page of the view
 * is gone (f holds the output up to there; see "Faults in the mapping").
 */
int vw_tolist(const struct vw_view *v, FILE *f, struct vw_error *err);

/*
 * vw_hex - memoryview.hex(sep, bytes_per_sep) to f (no newline).
 * sep 0 means no separator; bytes_per_sep as in Python (negative groups
 * from the left, 0 no separator).
 * Errors: -EINVAL released or sep not ASCII; -EIO write error; -EFAULT a
 * page of the view is gone (f holds the output up to there; see "Faults
 * in the mapping").
 */
int vw_hex(const struct vw_view *v, char sep, int bytes_per_sep, FILE *f,
	   struct vw_error *err);

/*
 * vw_info_json - memoryview's attributes as one JSON object to f: format,
 * itemsize, ndim, shape, strides, nbytes, readonly, c_contiguous,
 * f_contiguous, contiguous.  Errors: -EINVAL released; -EIO.
 */
int vw_info_json(const struct vw_view *v, FILE *f, struct vw_error *err);

/*
 * vw_format_value - write one value as Python's repr to f.
 * Errors: -EIO write error; -EINVAL a bytes value with nbytes > 8 (breaks
 * struct vw_value's rule; nothing is read past bytes[]).
 */
int vw_format_value(const struct vw_value *val, FILE *f);

/* ------------------------------------------------------------------ */
/* Python literals (for `view set --value`)                            */
/* ------------------------------------------------------------------ */

/* A parsed literal: a scalar value or a list/tuple of literals. */
struct vw_literal {
	int is_list;
	struct vw_value value;		/* when !is_list; a bytes literal's
					   value holds its first min(ndata, 8)
					   bytes (nbytes == min(ndata, 8)):
					   all of them are in data */
	unsigned char *data;		/* bytes literal contents (owned) */
	size_t ndata;
	struct vw_literal *items;	/* when is_list (owned) */
	size_t nitems;
};

/*
 * vw_literal_parse - parse a Python literal: ints (decimal, 0x, 0o, 0b,
 * '_' separators, any size), floats (incl. nan, inf, -inf names),
 * True/False, bytes (b'..' with escapes, any length: data/ndata hold
 * them, value.bytes only the first 8, see struct vw_literal) and nested
 * lists/tuples.
 * The result owns heap memory: free it with vw_literal_free.
 * Errors: -EINVAL syntax error (message gives the position), lists
 * nested more than 100 deep; -ENOMEM.
 */
int vw_literal_parse(const char *s, struct vw_literal *out,
		     struct vw_error *err);

/* vw_literal_free - free what vw_literal_parse allocated. */
void vw_literal_free(struct vw_literal *lit);

/*
 * vw_assign - `m[...] = value` for the whole view v: a 0-d view takes one
 * element (a '?' view the truth value of any literal, a list included, as
 * memoryview's m[()] = x); an n-D view a nested list of exactly its shape
 * (no deeper: its elements are never lists, also for '?'), or a bytes
 * literal (1-D 'B' view: one byte per element; any view: exactly nbytes
 * raw bytes), or a scalar broadcast to every element.  Every element is
 * converted before any is written: on error nothing is written.
 * Errors: -EINVAL released, shape mismatch, wrong type; -ERANGE value out
 * of range; -EROFS read-only view; -ENOMEM; -EFAULT the view's pages
 * cannot be written (in a mapped regular file nothing is written: see
 * "Faults in the mapping").
 */
int vw_assign(const struct vw_view *v, const struct vw_literal *value,
	      struct vw_error *err);

/* ------------------------------------------------------------------ */
/* Seals                                                               */
/* ------------------------------------------------------------------ */

/*
 * Seals make a buffer immutable after it is published, so that a consumer
 * mapping it without copying can trust it: nobody changes its bytes
 * (write seal) or cuts it under the mapping (shrink seal: no SIGBUS in the
 * consumer).  One set of rules serves viewfs files, viewdev nodes and
 * memfds; this comment is the one place they are written in full (the
 * man pages, docs/viewfs.md and kmod/README.md point here).  The bits
 * have the values of memfd's F_SEAL_* (F_SEAL_SEAL is not offered):
 *
 *   VW_SEAL_SHRINK  any size change to a smaller size fails with EPERM
 *                   (truncate, ftruncate, O_TRUNC of a non-empty file,
 *                   viewdev's RESIZE).
 *   VW_SEAL_GROW    any size change to a larger size fails with EPERM,
 *                   and so do writes past the end and fallocate beyond it
 *                   (viewfs is stricter: below).
 *   VW_SEAL_WRITE   every open for writing (O_WRONLY, O_RDWR, O_TRUNC),
 *                   write, truncate, fallocate, copy_file_range into the
 *                   file and writable shared mmap fail with EPERM (a
 *                   writable mapping needs a writable open, which is
 *                   refused; on a memfd mmap itself says EPERM), and so do
 *                   changes of the view metadata (user.view.format and
 *                   user.view.shape on viewfs, the format and shape
 *                   attributes on viewdev).
 *
 * Seals are only ever added, never removed (removing one is EPERM).  They
 * bind every user, root included, and every data path (viewfs with and
 * without kernel passthrough).  Reads, read-only and private mappings,
 * stat, unlink (viewfs) and destroy (viewdev) keep working on sealed
 * buffers.  Adding seals is for the file's owner (the caller's fsuid is
 * the file's uid) or root / CAP_SYS_ADMIN; anyone who can open the file
 * may read them.  Adding VW_SEAL_WRITE fails with EBUSY while the buffer
 * has an open file with write access or a writable shared mapping (viewfs
 * sees an open until the kernel releases it, which is after its last
 * mapping is gone; viewdev also counts shared mappings of a read-write
 * open, read-write dma-bufs and pages pinned for DMA); nothing is changed
 * when it fails.
 *
 * Where they live:
 *  - viewfs: the extended attribute user.view.seals (VW_SEALS_XATTR), kept
 *    with the store file, so seals survive a daemon restart on --store,
 *    are shared by hard links and kept by rename.  Its value is a
 *    comma-separated list of the words write, shrink, grow (no blanks,
 *    each at most once, not empty).  setxattr ADDS the listed seals to
 *    the file's (a value that lacks a seal already set is no error: that
 *    seal stays); getxattr gives the current seals in the fixed order
 *    "write,shrink,grow" (only those set), ENODATA when none; listxattr
 *    names it once a seal is set; removexattr is EPERM; a bad value is
 *    EINVAL; the kernel wants write permission in the file's mode for
 *    setting any user.* attribute, this one included.  An xattr because it works from setfattr/getfattr and any
 *    language, is visible to consumers without new tools, needs no FUSE
 *    ioctl (passthrough does not route ioctls) and persists with the
 *    other view metadata.  viewfs keeps VW_SEAL_GROW stricter than
 *    memfd does: with kernel passthrough (and with the writeback cache) a
 *    write past the end never reaches the daemon, so a grow-sealed file
 *    cannot be opened for writing at all (EPERM) and adding the grow seal
 *    fails with EBUSY while the file is open for writing, on both data
 *    paths alike (a file behaves the same however it is served).  A
 *    writable open stays counted until the kernel's RELEASE, which comes
 *    shortly after the last close or munmap; an add waits up to 250 ms for
 *    releases under way before it answers EBUSY.
 *  - viewdev: VIEWDEV_IOC_ADD_SEALS / VIEWDEV_IOC_GET_SEALS on the node
 *    /dev/view/NAME (a read-only open is enough) and the read-only sysfs
 *    attribute seals (the same text as the xattr).
 *  - memfd: fcntl F_ADD_SEALS / F_GET_SEALS (the memfd must have been made
 *    with MFD_ALLOW_SEALING; F_SEAL_SEAL and F_SEAL_FUTURE_WRITE are not
 *    reported by vw_seals).
 */
#define VW_SEAL_SHRINK 0x0002u
#define VW_SEAL_GROW 0x0004u
#define VW_SEAL_WRITE 0x0008u
#define VW_SEAL_ALL (VW_SEAL_SHRINK | VW_SEAL_GROW | VW_SEAL_WRITE)
/* The viewfs extended attribute, and room for its longest text + NUL. */
#define VW_SEALS_XATTR "user.view.seals"
#define VW_SEALS_TEXT_MAX 18

/*
 * vw_seal_add - add seals (VW_SEAL_* bits; 0 adds nothing) to the buffer
 * open as fd (any open of it: a read-only one is enough and, on viewfs
 * and viewdev, needed for the write seal: a writable fd of the buffer is
 * itself a writer).  The descriptor is borrowed.  A char device is asked
 * with viewdev's VIEWDEV_IOC_ADD_SEALS; a memfd with F_ADD_SEALS (which
 * wants a descriptor open for writing: a read-only fd is reopened
 * read-write through /proc/self/fd for the call, and closed again); a
 * file on a viewfs mount (file system type fuse.viewfs in
 * /proc/self/mountinfo) by setting VW_SEALS_XATTR.  A file anywhere else
 * is refused even where user xattrs work (tmpfs, ext4): there the
 * attribute would be stored and bind nobody.
 * Errors: -EINVAL bits outside VW_SEAL_ALL; -EPERM the caller is neither
 * the owner nor root/CAP_SYS_ADMIN, or a memfd that does not allow sealing
 * (made without MFD_ALLOW_SEALING, or F_SEAL_SEAL set); -EBUSY
 * VW_SEAL_WRITE while a writer exists (see above), nothing changed;
 * -ENOTSUP fd is none of the three (a file on another file system, a
 * char device that is not a viewdev node, a pipe ...); -EBADF fd not
 * open; -errno of fstat/fsetxattr/ioctl/open otherwise (-EACCES: no write
 * permission to reopen a read-only memfd descriptor; -ENOSPC ...).
 */
int vw_seal_add(int fd, unsigned seals);

/*
 * vw_seals - the buffer's seals (VW_SEAL_* bits, 0 for none) into *seals.
 * Dispatch as vw_seal_add (viewdev VIEWDEV_IOC_GET_SEALS, memfd
 * F_GET_SEALS, else the xattr: ENODATA from it is 0 seals).
 * Errors: -EINVAL seals NULL, or an xattr value vw_seals_parse refuses;
 * -ENOTSUP as for vw_seal_add; -EBADF; -errno of fstat/fgetxattr/ioctl
 * otherwise.
 */
int vw_seals(int fd, unsigned *seals);

/*
 * vw_seals_parse - parse the text of VW_SEALS_XATTR (len bytes at text, no
 * NUL needed) into *seals: a comma-separated list of write, shrink, grow,
 * each at most once, no blanks, not empty.
 * Errors: -EINVAL any other text (an empty one included).
 */
int vw_seals_parse(const char *text, size_t len, unsigned *seals);

/*
 * vw_seals_format - the text of seals in the fixed order
 * "write,shrink,grow" (only those set; "" for 0) into buf, NUL-terminated.
 * Returns its length (without the NUL).
 * Errors: -EINVAL bits outside VW_SEAL_ALL; -ERANGE size too small
 * (VW_SEALS_TEXT_MAX is always enough).
 */
int vw_seals_format(unsigned seals, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Faults in the mapping                                               */
/* ------------------------------------------------------------------ */

/*
 * vw_sigbus_guard - turn libview's SIGBUS guard off (enable 0) or on
 * (enable 1, the default); enable < 0 only asks.  Returns the previous
 * setting (1 on, 0 off).  Never fails.  See "Faults in the mapping" above
 * for what the guard does.  On (1) also puts libview's handler in place
 * now, in front of the disposition in place (kept as the one it forwards
 * to), unless it is there already: call it after code that replaced the
 * SIGBUS handler, before using vw_get/vw_set.  Off (0), libview puts no
 * handler in place and one already installed forwards every SIGBUS to
 * the disposition it found; the pre-population of writes stays.
 */
int vw_sigbus_guard(int enable);

#ifdef __cplusplus
}
#endif
#endif /* VIEW_H */
