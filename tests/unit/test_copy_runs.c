/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: large strided copies, the size-specialised run loops of
 * libview/src/copy.c.  A copy of 16 MiB or more whose runs are 16..256
 * bytes, stored at 16-byte aligned addresses and read from a source whose
 * gaps hold no whole cache line, takes the non-temporal store loop
 * (vw__copy_items_nt); everything else the plain constant-size loops.
 * Each test copies every other run (or runs with small gaps) of a large
 * buffer and compares with a byte-by-byte reference: every run size (8
 * bytes: two items to a store; every other byte: 16 to a store at any
 * size), odd
 * and line-straddling source alignments, an unaligned destination (the
 * plain path), reversed rows (negative strides), the last run and the
 * bytes after it, and a strided destination through vw_copy_to.
 */
#include "unit_fixtures.h"

#include <stdlib.h>
#include <string.h>

#define OUT_BYTES ((size_t)16 << 20)	/* the non-temporal threshold */
#define SRC_BYTES ((size_t)8 * OUT_BYTES + 8192)

static unsigned char *srcbuf, *outbuf, *refbuf;

static unsigned char pattern(size_t i)
{
	/* differs between neighbouring runs of every size tested */
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

static int runs_setup(void **state)
{
	/* page-aligned, so that the offsets below are offsets in a line */
	srcbuf = aligned_alloc(4096, SRC_BYTES);
	outbuf = aligned_alloc(4096, OUT_BYTES + 8192);
	refbuf = malloc(OUT_BYTES + 8192);
	if (!srcbuf || !outbuf || !refbuf)
		return -1;
	for (size_t i = 0; i < SRC_BYTES; i++)
		srcbuf[i] = pattern(i);
	return fx_setup(state);
}

static int runs_teardown(void **state)
{
	free(refbuf);
	free(outbuf);
	free(srcbuf);
	return fx_teardown(state);
}

/*
 * tobytes of src[::1 or ::-1, 0:run] over [rows, step] bytes starting at
 * srcbuf + off, into outbuf + doff, rows chosen so that the output is at
 * least `out` bytes; checks every byte and that the 64 bytes after the
 * output are untouched.
 */
static void check_tobytes(struct fx *f, size_t run, size_t step, size_t off,
			  int reverse, size_t doff, size_t out)
{
	size_t rows = (out + run - 1) / run, total = rows * run;
	ssize_t shape[2] = { (ssize_t)rows, (ssize_t)step };
	struct vw_index idx[2] = {
		{ .is_slice = 1, .has_step = 1, .step = reverse ? -1 : 1 },
		{ .is_slice = 1, .has_start = 1, .has_stop = 1, .start = 0,
		  .stop = (ssize_t)run },
	};

	assert_true(off + rows * step <= SRC_BYTES);
	assert_true(doff + total + 64 <= OUT_BYTES + 8192);
	for (size_t r = 0; r < rows; r++) {
		size_t sr = reverse ? rows - 1 - r : r;

		memcpy(refbuf + r * run, srcbuf + off + sr * step, run);
	}
	memset(outbuf, 0xa5, doff + total + 64);
	assert_int_equal(vw_from_memory(&f->v[1], srcbuf + off, rows * step,
					VW_RDONLY, NULL, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, shape, &f->err),
			 0);
	assert_int_equal(vw_slice(&f->v[3], &f->v[2], idx, 2, &f->err), 0);
	assert_int_equal(vw_tobytes(&f->v[3], 'C', outbuf + doff, total,
				    &f->err), 0);
	if (memcmp(outbuf + doff, refbuf, total)) {
		size_t i = 0;

		while (outbuf[doff + i] == refbuf[i])
			i++;
		fail_msg("run %zu step %zu off %zu%s doff %zu: byte %zu of %zu "
			 "is %02x, not %02x", run, step, off,
			 reverse ? " reversed" : "", doff, i, total,
			 outbuf[doff + i], refbuf[i]);
	}
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(outbuf[doff + total + i], 0xa5);
	for (size_t i = 0; i < doff; i++)
		assert_int_equal(outbuf[i], 0xa5);
	for (int i = 3; i >= 1; i--)
		vw_release(&f->v[i]);
}

static const size_t sizes[] = { 8, 16, 32, 48, 64, 128, 256 };

/* Every other run: line-aligned sources (gaps of whole lines: plain
 * stores for 64..256), sources off by 16 and 48 (runs straddle lines:
 * non-temporal) and odd offsets (unaligned loads). */
static void test_every_other_run_each_size(void **state)
{
	static const size_t offs[] = { 0, 16, 48, 1, 7 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++)
			check_tobytes(*state, sizes[k], 2 * sizes[k], offs[o],
				      0, 0, OUT_BYTES);
}

/* Gaps shorter than a line always take the non-temporal loop. */
static void test_small_gaps_each_size(void **state)
{
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		check_tobytes(*state, sizes[k], sizes[k] + 16, 0, 0, 0,
			      OUT_BYTES);
		check_tobytes(*state, sizes[k], sizes[k] + 48, 3, 0, 0,
			      OUT_BYTES);
	}
}

/* Reversed rows: a negative outer stride, the first run read last. */
static void test_negative_strides_each_size(void **state)
{
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		check_tobytes(*state, sizes[k], 2 * sizes[k], 16, 1, 0,
			      OUT_BYTES);
		check_tobytes(*state, sizes[k], sizes[k] + 16, 5, 1, 0,
			      OUT_BYTES);
	}
}

/* A destination that is not 16-byte aligned keeps plain stores; one
 * that is (but not at the start of a page) may stream. */
static void test_destination_alignment(void **state)
{
	static const size_t doffs[] = { 1, 8, 16, 4095 };

	for (size_t d = 0; d < sizeof(doffs) / sizeof(doffs[0]); d++) {
		check_tobytes(*state, 64, 128, 16, 0, doffs[d], OUT_BYTES);
		check_tobytes(*state, 32, 48, 0, 1, doffs[d], OUT_BYTES);
	}
}

/* 8-byte items go two to a store: a destination at 8 mod 16 (the first
 * item alone), an odd number of items (the last alone), one that is not
 * 8-byte aligned (plain stores), reversed and with small gaps. */
static void test_eight_byte_pairs(void **state)
{
	check_tobytes(*state, 8, 16, 16, 0, 8, OUT_BYTES);
	check_tobytes(*state, 8, 16, 16, 0, 0, OUT_BYTES + 8);
	check_tobytes(*state, 8, 16, 16, 0, 8, OUT_BYTES + 8);
	check_tobytes(*state, 8, 16, 3, 1, 8, OUT_BYTES + 8);
	check_tobytes(*state, 8, 24, 5, 0, 4, OUT_BYTES);
	check_tobytes(*state, 8, 8 + 56, 0, 1, 0, OUT_BYTES);
}

/* Every other byte (1-byte items, source step 2) goes 16 items per
 * store at any size: counts around the 16-item blocks (the loads of a
 * block must not pass the last item: ASan and the trailing bytes check
 * it), odd source and destination offsets, large copies (streamed after
 * a plain head up to a 16-byte boundary), reversed (the generic loop). */
static void test_every_other_byte(void **state)
{
	static const size_t counts[] = { 1, 2, 15, 16, 17, 31, 32, 33, 47, 48,
					 49, 100, 4095 };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
		for (size_t off = 0; off < 3; off++) {
			check_tobytes(*state, 1, 2, off, 0, off, counts[c]);
			check_tobytes(*state, 1, 2, off + 1, 0, 7, counts[c]);
		}
	check_tobytes(*state, 1, 2, 0, 0, 0, OUT_BYTES);
	check_tobytes(*state, 1, 2, 1, 0, 3, OUT_BYTES + 5);
	check_tobytes(*state, 1, 2, 5, 0, 16, OUT_BYTES + 17);
	check_tobytes(*state, 1, 2, 0, 1, 1, OUT_BYTES);
	check_tobytes(*state, 1, 3, 0, 0, 0, OUT_BYTES);
}

/* The same on a buffer that ends at the last item (m[::2] of 2n-1 bytes):
 * a block load past it is a heap overflow under ASan. */
static void test_every_other_byte_at_the_end(void **state)
{
	struct fx *f = *state;

	for (size_t n = 1; n <= 70; n++) {
		unsigned char *b = malloc(2 * n - 1), out[70];

		assert_non_null(b);
		for (size_t i = 0; i < 2 * n - 1; i++)
			b[i] = pattern(i);
		assert_int_equal(vw_from_memory(&f->v[1], b, 2 * n - 1,
						VW_RDONLY, NULL, NULL, &f->err),
				 0);
		slice_expr(&f->v[2], &f->v[1], "::2");
		assert_int_equal(vw_tobytes(&f->v[2], 'C', out, n, &f->err), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(out[i], b[2 * i]);
		vw_release(&f->v[2]);
		vw_release(&f->v[1]);
		free(b);
	}
}

/* vw_fill of a large contiguous 'd' view: the 8-byte item repeated from a
 * zero source stride, two to a store. */
static void test_fill_large_doubles(void **state)
{
	struct fx *f = *state;
	size_t n = OUT_BYTES / 8 + 1;
	struct vw_value val = val_float(1.5);
	double want = 1.5;

	memset(outbuf, 0xa5, OUT_BYTES + 8192);
	assert_int_equal(vw_from_memory(&f->v[1], outbuf + 8, n * 8, VW_RDWR,
					NULL, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, NULL, &f->err), 0);
	assert_int_equal(vw_fill(&f->v[2], &val, &f->err), 0);
	for (size_t i = 0; i < n; i++)
		if (memcmp(outbuf + 8 + 8 * i, &want, 8))
			fail_msg("item %zu of %zu not filled", i, n);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(outbuf[i], 0xa5);
		assert_int_equal(outbuf[8 + 8 * n + i], 0xa5);
	}
	vw_release(&f->v[2]);
	vw_release(&f->v[1]);
}

/* Sizes around the other paths: 4 KiB runs (libc's memcpy), 80-byte runs
 * (a multiple of 16 with no constant loop), 24 bytes (not a multiple of
 * 16), and just below and at the threshold. */
static void test_other_sizes_and_threshold(void **state)
{
	check_tobytes(*state, 4096, 8192, 16, 1, 0, OUT_BYTES);
	check_tobytes(*state, 80, 96, 16, 0, 0, OUT_BYTES);
	check_tobytes(*state, 24, 48, 16, 0, 0, OUT_BYTES);
	check_tobytes(*state, 64, 80, 16, 0, 0, OUT_BYTES - 64);
	check_tobytes(*state, 64, 80, 16, 0, 0, OUT_BYTES + 64);
}

/* vw_copy_to between two strided views: the destination's gaps (every
 * other 64-byte run of its buffer) must stay as they were. */
static void test_copy_to_strided_destination(void **state)
{
	struct fx *f = *state;
	size_t run = 64, rows = OUT_BYTES / run;
	ssize_t sshape[2] = { (ssize_t)rows, 80 };
	ssize_t dshape[2] = { (ssize_t)rows, 128 };
	struct vw_index idx[2] = {
		{ .is_slice = 1 },
		{ .is_slice = 1, .has_start = 1, .has_stop = 1, .start = 0,
		  .stop = (ssize_t)run },
	};
	unsigned char *dbuf = aligned_alloc(4096, 2 * OUT_BYTES + 8192);

	assert_non_null(dbuf);
	memset(dbuf, 0x5a, 2 * OUT_BYTES + 16);
	assert_int_equal(vw_from_memory(&f->v[1], srcbuf + 16, rows * 80,
					VW_RDONLY, NULL, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, sshape, &f->err),
			 0);
	assert_int_equal(vw_slice(&f->v[3], &f->v[2], idx, 2, &f->err), 0);
	assert_int_equal(vw_from_memory(&f->v[4], dbuf + 16, rows * 128,
					VW_RDWR, NULL, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[5], &f->v[4], "B", 2, dshape, &f->err),
			 0);
	assert_int_equal(vw_slice(&f->v[6], &f->v[5], idx, 2, &f->err), 0);
	assert_int_equal(vw_copy_to(&f->v[6], &f->v[3], &f->err), 0);
	for (size_t r = 0; r < rows; r++) {
		const unsigned char *d = dbuf + 16 + r * 128;

		if (memcmp(d, srcbuf + 16 + r * 80, run))
			fail_msg("row %zu differs", r);
		for (size_t i = run; i < 128; i++)
			if (d[i] != 0x5a)
				fail_msg("row %zu: gap byte %zu written", r, i);
	}
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(dbuf[i], 0x5a);
	for (int i = 6; i >= 1; i--)
		vw_release(&f->v[i]);
	free(dbuf);
}

#undef T
#define T(fn) cmocka_unit_test_setup_teardown(fn, runs_setup, runs_teardown)

static const struct CMUnitTest tests[] = {
	T(test_every_other_run_each_size),
	T(test_small_gaps_each_size),
	T(test_negative_strides_each_size),
	T(test_destination_alignment),
	T(test_every_other_byte),
	T(test_every_other_byte_at_the_end),
	T(test_eight_byte_pairs),
	T(test_fill_large_doubles),
	T(test_other_sizes_and_threshold),
	T(test_copy_to_strided_destination),
};

UNIT_MAIN(tests)
