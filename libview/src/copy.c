/* SPDX-License-Identifier: MIT */
/*
 * The copying operations: tobytes, frombytes, copy_to, fill, and the
 * element-wise comparison.  One strided-copy engine serves them all: size-1
 * dimensions are dropped, adjacent dimensions that are contiguous in both
 * source and destination are merged, and a contiguous innermost dimension
 * becomes one memcpy per run.
 *
 * A copy whose output is larger than the caches (VW__NT_MIN), with
 * items (runs) of a multiple of 16 bytes stored at 16-byte aligned
 * addresses, or 8-byte items stored next to each other (paired into 16
 * bytes), writes with non-temporal stores on x86-64 (vw__copy_items_nt):
 * the output would not stay in the cache anyway, and stores that bypass it
 * neither read each destination line first nor evict the source lines
 * still to be read.  Every other 64-byte run of a 128 MiB buffer ran at
 * about 1.3x the plain stores this way (issue 12 item 6; bench/README.md
 * has the measurements and the limit of that access pattern).
 */
#include "internal.h"
#include <stdint.h>
#include <stdlib.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define VW__NT 1
#else
#define VW__NT 0
#endif

#if VW__NT
/*
 * Every other byte (1-byte items, source step 2) into a contiguous row:
 * 16 items per 16-byte store, from two 16-byte loads whose odd bytes are
 * dropped (and + packus).  The block loop stops while one more item
 * follows, so the loads never read past the last item.  nt: stream the
 * stores (after plain ones up to a 16-byte boundary).
 */
static void vw__copy_bytes_step2(char *d, const char *s, ssize_t count,
				 int nt)
{
	const __m128i lo = _mm_set1_epi16(0xff);

	if (nt)
		for (; count && (uintptr_t)d % 16; count--, s += 2)
			*d++ = *s;
	for (; count > 16; count -= 16, d += 16, s += 32) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i b = _mm_loadu_si128(
			(const __m128i *)(const void *)(s + 16));
		__m128i v = _mm_packus_epi16(_mm_and_si128(a, lo),
					     _mm_and_si128(b, lo));

		if (nt)
			_mm_stream_si128((__m128i *)(void *)d, v);
		else
			_mm_storeu_si128((__m128i *)(void *)d, v);
	}
	for (; count; count--, s += 2)
		*d++ = *s;
}
#endif

/* Copy count items of a constant size: the compiler inlines the memcpy. */
#define VW__COPY_N(N)							\
	for (ssize_t k = 0; k < count; k++, d += dstep, s += sstep)	\
		memcpy(d, s, N)

static inline void vw__copy_items(char *d, ssize_t dstep, const char *s,
				  ssize_t sstep, ssize_t count,
				  ssize_t itemsize)
{
	switch (itemsize) {
	case 1:
#if VW__NT
		if (sstep == 2 && dstep == 1) {
			vw__copy_bytes_step2(d, s, count, 0);
			return;
		}
#endif
		VW__COPY_N(1);
		return;
	case 2: VW__COPY_N(2); return;
	case 4: VW__COPY_N(4); return;
	case 8: VW__COPY_N(8); return;
	case 16: VW__COPY_N(16); return;
	case 32: VW__COPY_N(32); return;
	case 64: VW__COPY_N(64); return;
	default: VW__COPY_N((size_t)itemsize); return;
	}
}

#if VW__NT
/* Output bytes from which a copy uses non-temporal stores: past what the
 * caches of common machines keep (sysconf's cache sizes are what the
 * hypervisor claims: 320 MiB of L3 on the 32 MiB bench VM). */
#define VW__NT_MIN ((size_t)16 << 20)

/* As vw__copy_items with non-temporal stores: itemsize a multiple of 16,
 * d and dstep 16-byte aligned (checked by the caller). */
#define VW__NT_LOOP(N)							\
	for (ssize_t k = 0; k < count; k++, d += dstep, s += sstep) {	\
		const __m128i *sv = (const __m128i *)(const void *)s;	\
		__m128i *dv = (__m128i *)(void *)d;			\
		for (ssize_t j = 0; j < (N) / 16; j++)			\
			_mm_stream_si128(dv + j, _mm_loadu_si128(sv + j)); \
	}

/* 8-byte items into a contiguous destination (dstep 8, d 8-byte
 * aligned): two items per 16-byte non-temporal store, an item before the
 * first 16-byte boundary and an odd last item with plain stores.  The
 * loads are 8 bytes each: nothing outside the items is read. */
static void vw__copy_items8_nt(char *d, const char *s, ssize_t sstep,
			       ssize_t count)
{
	if ((uintptr_t)d % 16 && count) {
		memcpy(d, s, 8);
		d += 8;
		s += sstep;
		count--;
	}
	for (; count >= 2; count -= 2, d += 16, s += 2 * sstep) {
		__m128i a = _mm_loadl_epi64((const __m128i *)(const void *)s);
		__m128i b = _mm_loadl_epi64(
			(const __m128i *)(const void *)(s + sstep));

		_mm_stream_si128((__m128i *)(void *)d, _mm_unpacklo_epi64(a, b));
	}
	if (count)
		memcpy(d, s, 8);
}

static void vw__copy_items_nt(char *d, ssize_t dstep, const char *s,
			      ssize_t sstep, ssize_t count, ssize_t itemsize)
{
	switch (itemsize) {
	case 1: vw__copy_bytes_step2(d, s, count, 1); return;
	case 8: vw__copy_items8_nt(d, s, sstep, count); return;
	case 16: VW__NT_LOOP(16); return;
	case 32: VW__NT_LOOP(32); return;
	case 64: VW__NT_LOOP(64); return;
	default: VW__NT_LOOP(itemsize); return;
	}
}

/*
 * 1 when every store of the plan can be a 16-byte non-temporal one and it
 * pays: the output is large, items are 8 bytes into a contiguous row (two
 * per store) or 16 to 256 bytes (larger runs go
 * through libc's memcpy, whose own large-copy path was faster at 4 KiB),
 * and the source does not skip whole cache lines between items.  Measured
 * on the bench VM (AMD EPYC), every other run of 64 MiB: 64-byte runs
 * that straddle lines 8.6 -> 12.5 GB/s, 16-byte runs 9.8 -> 12.3; but
 * line-aligned 256-byte runs every 512 bytes 9.4 -> 5.9 and line-aligned
 * 64-byte runs every 128 bytes no change, so those keep plain stores.
 */
static int vw__use_nt(const char *dst, const char *src,
		      const struct vw__plan *pl, int n, ssize_t itemsize)
{
	size_t total = (size_t)itemsize;
	ssize_t step = pl->ss[n - 1] < 0 ? -pl->ss[n - 1] : pl->ss[n - 1];
	ssize_t gap = step - itemsize;

	if (itemsize == 1) {
		/* every other byte into a contiguous row
		 * (vw__copy_bytes_step2) */
		if (pl->ds[n - 1] != 1 || pl->ss[n - 1] != 2)
			return 0;
		for (int i = 0; i < n; i++)
			total *= (size_t)pl->shape[i];
	} else if (itemsize == 8) {
		/* pairs of items per store (vw__copy_items8_nt): a
		 * contiguous innermost destination, 8-byte aligned rows */
		if (pl->ds[n - 1] != 8 || (uintptr_t)dst % 8)
			return 0;
		for (int i = 0; i < n; i++) {
			if (pl->ds[i] % 8)
				return 0;
			total *= (size_t)pl->shape[i];
		}
	} else {
		if (itemsize % 16 || itemsize > 256 || (uintptr_t)dst % 16)
			return 0;
		for (int i = 0; i < n; i++) {
			if (pl->ds[i] % 16)
				return 0;
			total *= (size_t)pl->shape[i];
		}
	}
	if (total < VW__NT_MIN)
		return 0;
	if (gap < 64)
		return 1;	/* no gap holds a whole line */
	if (step % 64)
		return 0;	/* some gaps do, some not */
	/* every item starts at the same offset in its line: the gap after
	 * the first item (in address order) holds a line or not */
	{
		uintptr_t lo = (uintptr_t)src + (uintptr_t)itemsize;
		uintptr_t line = (lo + 63) & ~(uintptr_t)63;

		return line + 64 > lo + (uintptr_t)gap;
	}
}
#endif

void vw__copy_strided(char *dst, const ssize_t *ds, const char *src,
		      const ssize_t *ss, const ssize_t *shape, int ndim,
		      ssize_t itemsize)
{
	struct vw__plan pl;
	ssize_t idx[VW_MAXDIM];
	int n, i;

	if (!vw__plan(&pl, ds, ss, shape, ndim))
		return;
	n = pl.ndim;
	/* a run contiguous on both sides becomes one bigger item */
	if (n && pl.ds[n - 1] == itemsize && pl.ss[n - 1] == itemsize) {
		itemsize *= pl.shape[n - 1];
		n--;
	}
	if (n == 0) {
		memcpy(dst, src, (size_t)itemsize);
		return;
	}
#if VW__NT
	const int nt = vw__use_nt(dst, src, &pl, n, itemsize);
#endif
	memset(idx, 0, sizeof(ssize_t) * n);
	for (;;) {
#if VW__NT
		if (nt)
			vw__copy_items_nt(dst, pl.ds[n - 1], src,
					  pl.ss[n - 1], pl.shape[n - 1],
					  itemsize);
		else
#endif
			vw__copy_items(dst, pl.ds[n - 1], src, pl.ss[n - 1],
				       pl.shape[n - 1], itemsize);
		/* odometer over the outer dimensions */
		for (i = n - 2; i >= 0; i--) {
			dst += pl.ds[i];
			src += pl.ss[i];
			if (++idx[i] < pl.shape[i])
				break;
			dst -= pl.ds[i] * pl.shape[i];
			src -= pl.ss[i] * pl.shape[i];
			idx[i] = 0;
		}
		if (i < 0)
			break;
	}
#if VW__NT
	/* the non-temporal stores are weakly ordered: make them visible
	 * before anything the caller stores next */
	if (nt)
		_mm_sfence();
#endif
}

/* One strided copy, as an access loop a SIGBUS guard can run. */
struct vw__copy_job {
	char *dst;
	const ssize_t *ds;
	const char *src;
	const ssize_t *ss;
	const ssize_t *shape;
	int ndim;
	ssize_t itemsize;
};

static int vw__copy_job_run(void *arg)
{
	const struct vw__copy_job *j = arg;

	vw__copy_strided(j->dst, j->ds, j->src, j->ss, j->shape, j->ndim,
			 j->itemsize);
	return 0;
}

/* Run the copy under a guard of rd's (read) and wr's (written) mappings,
 * either may be NULL: 0 or -EFAULT. */
static int vw__copy_guarded(const struct vw_view *rd, const struct vw_view *wr,
			    const struct vw__copy_job *j,
			    struct vw_error *err)
{
	struct vw__guard g;

	vw__guard_init(&g, rd, VW__RD, wr, VW__WR);
	if (vw__guarded(&g, vw__copy_job_run, (void *)j))
		return vw__fault_fail(err, &g);
	return 0;
}

static void vw__f_strides(int ndim, const ssize_t *shape, ssize_t itemsize,
			  ssize_t *strides)
{
	ssize_t s = itemsize;

	for (int i = 0; i < ndim; i++) {
		strides[i] = s;
		s *= shape[i];
	}
}

VW_PUBLIC int vw_tobytes(const struct vw_view *v, char order, void *out,
			 size_t outlen, struct vw_error *err)
{
	ssize_t st[VW_MAXDIM];
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	if (order != 'C' && order != 'F' && order != 'A')
		return vw__fail(err, -EINVAL,
				"order must be 'C', 'F' or 'A', not '%c'",
				order);
	if (outlen < (size_t)v->len)
		return vw__fail(err, -ENOBUFS,
				"output buffer of %zu bytes is smaller than the view's %zd",
				outlen, v->len);
	if (order == 'A')
		order = (vw_f_contiguous(v) && !vw_c_contiguous(v)) ? 'F' : 'C';
	if (order == 'F')
		vw__f_strides(v->ndim, v->shape, v->itemsize, st);
	else
		vw__c_strides(v->ndim, v->shape, v->itemsize, st);
	{
		struct vw__copy_job j = { out, st, v->buf, v->strides,
					  v->shape, v->ndim, v->itemsize };

		return vw__copy_guarded(v, NULL, &j, err);
	}
}

VW_PUBLIC int vw_frombytes(const struct vw_view *v, const void *src,
			   size_t len, struct vw_error *err)
{
	ssize_t st[VW_MAXDIM];
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	rc = vw__check_writable(v, err);
	if (rc)
		return rc;
	if (len != (size_t)v->len)
		return vw__fail(err, -EINVAL,
				"%zu bytes given for a view of %zd bytes", len,
				v->len);
	vw__c_strides(v->ndim, v->shape, v->itemsize, st);
	rc = vw__prepare(v, 1, err);
	if (rc)
		return rc;
	{
		struct vw__copy_job j = { v->buf, v->strides, src, st,
					  v->shape, v->ndim, v->itemsize };

		return vw__copy_guarded(NULL, v, &j, err);
	}
}

VW_PUBLIC int vw_copy_to(const struct vw_view *dst, const struct vw_view *src,
			 struct vw_error *err)
{
	uintptr_t dl, dh, sl, sh;
	int rc;

	rc = vw__check(dst, err);
	if (!rc)
		rc = vw__check(src, err);
	if (rc)
		return rc;
	rc = vw__check_writable(dst, err);
	if (rc)
		return rc;
	if (dst->ndim != src->ndim || dst->itemsize != src->itemsize)
		return vw__fail(err, -EINVAL,
				"copy: views differ in ndim (%d, %d) or itemsize (%zd, %zd)",
				dst->ndim, src->ndim, dst->itemsize,
				src->itemsize);
	for (int i = 0; i < dst->ndim; i++)
		if (dst->shape[i] != src->shape[i])
			return vw__fail(err, -EINVAL,
					"copy: shapes differ in axis %d (%zd, %zd)",
					i, dst->shape[i], src->shape[i]);
	if (!dst->len)
		return 0;
	vw__extent(dst, &dl, &dh);
	vw__extent(src, &sl, &sh);
	if (dl < sh && sl < dh) {
		/* overlap: go through a temporary, as memmove would */
		void *tmp = malloc((size_t)src->len);

		if (!tmp)
			return vw__fail(err, -ENOMEM, "out of memory");
		rc = vw_tobytes(src, 'C', tmp, (size_t)src->len, err);
		if (!rc)
			rc = vw_frombytes(dst, tmp, (size_t)src->len, err);
		free(tmp);
		return rc;
	}
	/* the source first: a copy that cannot read all of it writes none */
	rc = vw__prepare(src, 0, err);
	if (!rc)
		rc = vw__prepare(dst, 1, err);
	if (rc)
		return rc;
	{
		struct vw__copy_job j = { dst->buf, dst->strides, src->buf,
					  src->strides, dst->shape, dst->ndim,
					  dst->itemsize };

		return vw__copy_guarded(src, dst, &j, err);
	}
}

VW_PUBLIC int vw_fill(const struct vw_view *v, const struct vw_value *val,
		      struct vw_error *err)
{
	ssize_t zero[VW_MAXDIM] = { 0 };
	unsigned char item[8];
	struct vw_format f;
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	rc = vw__check_writable(v, err);
	if (rc)
		return rc;
	vw__view_format(v, &f);
	rc = vw_pack(&f, val, item, err);
	if (rc)
		return rc;
	rc = vw__prepare(v, 1, err);
	if (rc)
		return rc;
	{
		/* a zero source stride repeats the one packed item */
		struct vw__copy_job j = { v->buf, v->strides,
					  (const char *)item, zero, v->shape,
					  v->ndim, v->itemsize };

		return vw__copy_guarded(NULL, v, &j, err);
	}
}

/* The element loop of vw_equal (an access loop a guard can run):
 * 1 equal, 0 not. */
struct vw__eq_job {
	const struct vw_view *a, *b;
};

static int vw__equal_run(void *arg)
{
	const struct vw__eq_job *j = arg;
	const struct vw_view *a = j->a, *b = j->b;
	ssize_t idx[VW_MAXDIM];
	struct vw_format fa, fb;
	int n = a->ndim;

	vw__view_format(a, &fa);
	vw__view_format(b, &fb);
	memset(idx, 0, sizeof(ssize_t) * (n > 0 ? n : 1));
	for (;;) {
		const char *pa = a->buf, *pb = b->buf;
		struct vw_value va, vb;
		int i;

		for (i = 0; i < n; i++) {
			pa += idx[i] * a->strides[i];
			pb += idx[i] * b->strides[i];
		}
		vw_unpack(&fa, pa, &va);
		vw_unpack(&fb, pb, &vb);
		if (!vw__value_eq(&va, &vb))
			return 0;
		if (!vw__next_index(idx, a->shape, n))
			return 1;
	}
}

VW_PUBLIC int vw_equal(const struct vw_view *a, const struct vw_view *b,
		       struct vw_error *err)
{
	struct vw__eq_job j = { a, b };
	struct vw__guard g;
	int rc, n;

	rc = vw__check(a, err);
	if (!rc)
		rc = vw__check(b, err);
	if (rc)
		return rc;
	if (a->ndim != b->ndim)
		return 0;
	n = a->ndim;
	for (int i = 0; i < n; i++) {
		if (a->shape[i] != b->shape[i])
			return 0;
		if (a->shape[i] == 0)
			return 1;	/* as CPython: no elements to compare */
	}
	vw__guard_init(&g, a, VW__RD, b, VW__RD);
	rc = vw__guarded(&g, vw__equal_run, &j);
	return rc < 0 ? vw__fault_fail(err, &g) : rc;
}
