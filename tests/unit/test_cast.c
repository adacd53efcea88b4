/* SPDX-License-Identifier: MIT */
/* Unit tests: vw_cast, checked rule by rule against memoryview.cast.
 * m is memoryview(bytearray(range(256))) (the fixture's views[0]). */
#include "unit_fixtures.h"

#include <errno.h>
#include <string.h>

static void test_cast_B_to_i_gives_quarter_length(void **state)
{
	struct fx *f = *state;
	/* m[:16].cast('i'): shape (4,), strides (4,) */
	ssize_t shape[] = { 4 }, strides[] = { 4 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_string_equal(f->v[2].format, "i");
	assert_geometry(&f->v[2], 1, shape, strides, 4);
}

static void test_cast_keeps_buffer_address(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "8:24");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "q", 0, NULL, &f->err), 0);
	assert_ptr_equal(f->v[2].buf, f->mem + 8);
}

static void test_cast_with_shape_gives_c_strides(void **state)
{
	struct fx *f = *state;
	/* m[:16].cast('i', [2, 2]): strides (8, 4) */
	ssize_t shape[] = { 2, 2 }, strides[] = { 8, 4 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 2, shape, &f->err),
			 0);
	assert_geometry(&f->v[2], 2, shape, strides, 4);
}

static void test_cast_to_empty_shape_gives_0d_view(void **state)
{
	struct fx *f = *state;
	ssize_t none[1] = { 0 };

	/* m[:8].cast('d', []): shape (), strides (), nbytes 8 */
	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, none, &f->err), 0);
	assert_int_equal(f->v[2].ndim, 0);
	assert_int_equal(f->v[2].len, 8);
	assert_int_equal(f->v[2].itemsize, 8);
}

static void test_cast_0d_to_1d_bytes(void **state)
{
	struct fx *f = *state;
	ssize_t none[1] = { 0 };
	/* m[:8].cast('d', []).cast('B'): shape (8,), strides (1,) */
	ssize_t shape[] = { 8 }, strides[] = { 1 };

	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, none, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 1);
}

static void test_cast_nd_to_1d(void **state)
{
	struct fx *f = *state;
	ssize_t s23[] = { 2, 3 };
	/* m[:6].cast('B', [2, 3]).cast('B'): shape (6,) */
	ssize_t shape[] = { 6 }, strides[] = { 1 };

	slice_expr(&f->v[1], &f->v[0], ":6");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s23, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 1);
}

static void test_cast_nd_to_1d_with_explicit_shape(void **state)
{
	struct fx *f = *state;
	ssize_t s23[] = { 2, 3 }, s6[] = { 6 }, strides[] = { 1 };

	/* m[:6].cast('B', [2, 3]).cast('B', [6]): shape (6,) */
	slice_expr(&f->v[1], &f->v[0], ":6");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s23, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 1, s6, &f->err), 0);
	assert_geometry(&f->v[3], 1, s6, strides, 1);
}

static void test_cast_nd_to_1d_with_new_format(void **state)
{
	struct fx *f = *state;
	ssize_t s44[] = { 4, 4 };
	/* m[:16].cast('B', [4, 4]).cast('i'): shape (4,) */
	ssize_t shape[] = { 4 }, strides[] = { 4 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s44, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "i", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 4);
}

static void test_cast_nd_to_nd_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s23[] = { 2, 3 }, s32[] = { 3, 2 };

	/* TypeError: memoryview: cast must be 1D -> ND or ND -> 1D */
	slice_expr(&f->v[1], &f->v[0], ":6");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s23, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 2, s32, &f->err),
			 -EINVAL);
	assert_false(vw_is_valid(&f->v[3]));
}

static void test_cast_nd_to_0d_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s11[] = { 1, 1 }, none[1] = { 0 };

	slice_expr(&f->v[1], &f->v[0], ":1");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s11, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 0, none, &f->err),
			 -EINVAL);
}

static void test_cast_between_two_non_byte_formats_refused(void **state)
{
	struct fx *f = *state;

	/* m[:16].cast('i').cast('d'): TypeError two non-byte formats */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "d", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_non_byte_format_to_itself_refused(void **state)
{
	struct fx *f = *state;

	/* m[:16].cast('i').cast('i'): TypeError two non-byte formats */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "i", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_non_byte_format_back_to_bytes(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 16 }, strides[] = { 1 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "B", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 1);
}

static void test_cast_c_and_b_count_as_byte_formats(void **state)
{
	struct fx *f = *state;

	/* m[:16].cast('c').cast('i') and .cast('b').cast('h') both work */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[4], &f->v[1], "b", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[5], &f->v[4], "@h", 0, NULL, &f->err),
			 0);
	assert_int_equal(f->v[5].shape[0], 8);
}

static void test_cast_non_contiguous_source_refused(void **state)
{
	struct fx *f = *state;

	/* m[::2].cast('B'): casts are restricted to C-contiguous views */
	slice_expr(&f->v[1], &f->v[0], "::2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_reversed_source_refused(void **state)
{
	struct fx *f = *state;

	/* m[::-1].cast('B'): not C-contiguous */
	slice_expr(&f->v[1], &f->v[0], "::-1");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_single_item_strided_source_allowed(void **state)
{
	struct fx *f = *state;
	ssize_t s1[] = { 1 }, strides[] = { 1 };

	/* m[0:3:5] has shape (1,), strides (5,): C-contiguous;
	 * .cast('B', [1]) -> shape (1,), strides (1,) */
	slice_expr(&f->v[1], &f->v[0], "0:3:5");
	assert_int_equal(f->v[1].strides[0], 5);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 1, s1, &f->err), 0);
	assert_geometry(&f->v[2], 1, s1, strides, 1);
}

static void test_cast_length_not_multiple_of_itemsize_refused(void **state)
{
	struct fx *f = *state;

	/* m[:10].cast('i'): length is not a multiple of itemsize */
	slice_expr(&f->v[1], &f->v[0], ":10");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_shape_product_mismatch_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s3[] = { 3 };

	/* m[:16].cast('i', [3]): product(shape) * itemsize != buffer size */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 1, s3, &f->err),
			 -EINVAL);
}

static void test_cast_0d_shape_needs_exactly_one_item(void **state)
{
	struct fx *f = *state;
	ssize_t none[1] = { 0 };

	/* m[:16].cast('d', []): product(shape) * itemsize != buffer size */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, none, &f->err),
			 -EINVAL);
}

static void test_cast_zero_dimension_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 0, 16 };

	/* m[:16].cast('B', [0, 16]): elements of shape must be integers > 0 */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s, &f->err),
			 -EINVAL);
}

static void test_cast_negative_dimension_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { -4, -4 };

	/* m[:16].cast('B', [-4, -4]): elements of shape must be integers > 0
	 * (the product 16 would match: the sign must be checked) */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s, &f->err),
			 -EINVAL);
}

static void test_cast_empty_1d_without_shape_allowed(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 0 }, strides[] = { 4 };

	/* m[0:0].cast('i'): shape (0,), strides (4,) */
	slice_expr(&f->v[1], &f->v[0], "0:0");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[2], 1, shape, strides, 4);
}

static void test_cast_nd_source_with_zero_in_shape_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s23[] = { 2, 3 };

	/* A (2, 0) view: cannot cast view with zeros in shape or strides */
	slice_expr(&f->v[1], &f->v[0], ":6");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s23, &f->err), 0);
	slice_expr(&f->v[3], &f->v[2], ":,0:0");
	assert_int_equal(f->v[3].shape[1], 0);
	assert_int_equal(vw_cast(&f->v[4], &f->v[3], "B", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_unknown_format_refused(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "x", 0, NULL, &f->err),
			 -EINVAL);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "ii", 0, NULL, &f->err),
			 -EINVAL);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "", 0, NULL, &f->err),
			 -EINVAL);
}

static void test_cast_format_reported_as_written(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 2 }, strides[] = { 8 };

	/* m[:16].cast('@d').format == '@d' */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "@d", 0, NULL, &f->err),
			 0);
	assert_string_equal(f->v[2].format, "@d");
	assert_geometry(&f->v[2], 1, shape, strides, 8);
}

static void test_cast_to_64_dimensions_allowed(void **state)
{
	struct fx *f = *state;
	ssize_t ones[VW_MAXDIM];
	int i;

	for (i = 0; i < VW_MAXDIM; i++)
		ones[i] = 1;
	slice_expr(&f->v[1], &f->v[0], ":1");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", VW_MAXDIM, ones,
				 &f->err), 0);
	assert_int_equal(f->v[2].ndim, VW_MAXDIM);
}

static void test_cast_to_65_dimensions_refused(void **state)
{
	struct fx *f = *state;
	ssize_t ones[VW_MAXDIM + 1];
	int i;

	/* number of dimensions must not exceed 64 */
	for (i = 0; i < VW_MAXDIM + 1; i++)
		ones[i] = 1;
	slice_expr(&f->v[1], &f->v[0], ":1");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", VW_MAXDIM + 1, ones,
				 &f->err), -EINVAL);
}

static void test_cast_negative_ndim_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[1] = { 16 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", -1, s, &f->err),
			 -EINVAL);
}

static void test_cast_keeps_readonly(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(f->v[2].readonly, 1);
}

static void test_cast_failure_message_is_filled(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err),
			 -EINVAL);
	assert_int_equal(f->err.code, -EINVAL);
	assert_true(strlen(f->err.msg) > 0);
}

static void test_cast_shape_product_overflow_refused(void **state)
{
	struct fx *f = *state;
	/* (2**62 + 4) * 4 wraps to 16 in 64 bits: must not be taken as 16 */
	ssize_t s[] = { ((ssize_t)1 << 62) + 4, 4 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 2, s, &f->err),
			 -EINVAL);
}

static void test_cast_itemsize_product_overflow_refused(void **state)
{
	struct fx *f = *state;
	/* 2**61 + 2 items of 8 bytes wrap to 16 bytes */
	ssize_t s[] = { ((ssize_t)1 << 61) + 2 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 1, s, &f->err),
			 -EINVAL);
}

static void test_cast_null_shape_ignores_ndim(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 4 }, strides[] = { 4 };

	/* shape == NULL means "no shape given": a 1-D result */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 3, NULL, &f->err), 0);
	assert_geometry(&f->v[2], 1, shape, strides, 4);
}

static void test_cast_error_message_is_one_line(void **state)
{
	struct fx *f = *state;

	memset(&f->err, 0, sizeof(f->err));
	slice_expr(&f->v[1], &f->v[0], "::2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "B", 0, NULL, &f->err),
			 -EINVAL);
	assert_true(strlen(f->err.msg) > 0);
	assert_null(strchr(f->err.msg, '\n'));
}

static void test_cast_keeps_parsed_format_in_step(void **state)
{
	struct fx *f = *state;

	/* struct vw_view.fmt is format[] parsed, for every derived view */
	assert_int_equal(f->v[0].fmt.code, 'B');
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "<i", 0, NULL, &f->err),
			 0);
	assert_int_equal(f->v[2].fmt.code, 'i');
	assert_int_equal(f->v[2].fmt.order, '<');
	assert_int_equal(f->v[2].fmt.itemsize, 4);
	assert_int_equal(f->v[2].fmt.kind, VW_K_INT);
	slice_expr(&f->v[3], &f->v[2], "::-1");
	assert_int_equal(f->v[3].fmt.code, 'i');
	assert_int_equal(f->v[3].fmt.order, '<');
	assert_int_equal(vw_cast(&f->v[4], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(f->v[4].fmt.code, 'c');
	assert_int_equal(f->v[4].fmt.kind, VW_K_CHAR);
}

static void test_cast_from_non_native_source_to_bytes(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 16 }, strides[] = { 1 };

	/* m = memoryview((ctypes.c_int32 * 4)()); m.format == '<i';
	 * m.cast('c') and m.cast('B') work: only the destination format
	 * must be native, the source needs only to be C-contiguous */
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "<i", 0, NULL, &f->err),
			 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "c", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 1);
	assert_int_equal(vw_cast(&f->v[4], &f->v[2], "B", 0, NULL, &f->err), 0);
	assert_geometry(&f->v[4], 1, shape, strides, 1);
}

/* vw_cast's fast path (1-D, no shape, a native "X" format) and its
 * general rules (taken with an explicit 1-D shape, or with "@X") make the
 * same view, byte for byte in every field a view defines. */
static void assert_same_view(const struct vw_view *a, const struct vw_view *b)
{
	assert_ptr_equal(a->buf, b->buf);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->itemsize, b->itemsize);
	assert_int_equal(a->ndim, b->ndim);
	assert_int_equal(a->readonly, b->readonly);
	for (int i = 0; i < a->ndim; i++) {
		assert_int_equal(a->shape[i], b->shape[i]);
		assert_int_equal(a->strides[i], b->strides[i]);
	}
	assert_int_equal(a->fmt.code, b->fmt.code);
	assert_int_equal(a->fmt.order, b->fmt.order);
	assert_int_equal(a->fmt.native, b->fmt.native);
	assert_int_equal(a->fmt.swap, b->fmt.swap);
	assert_int_equal(a->fmt.itemsize, b->fmt.itemsize);
	assert_int_equal(a->fmt.kind, b->fmt.kind);
}

static void test_cast_fast_path_matches_general_rules(void **state)
{
	struct fx *f = *state;
	const char *codes = "cbBhHiIlLqQnNfde?P";

	for (const char *c = codes; *c; c++) {
		char one[2] = { *c, 0 }, at[3] = { '@', *c, 0 };
		struct vw_format pf;
		ssize_t n;

		assert_int_equal(vw_format_parse(one, &pf, &f->err), 0);
		n = FX_NBYTES / (ssize_t)pf.itemsize;
		assert_int_equal(vw_cast(&f->v[1], &f->v[0], one, 1, NULL,
					 &f->err), 0);
		assert_int_equal(vw_cast(&f->v[2], &f->v[0], one, 1, &n,
					 &f->err), 0);
		assert_same_view(&f->v[1], &f->v[2]);
		assert_memory_equal(f->v[1].format, f->v[2].format,
				    VW_FORMAT_MAX);
		assert_int_equal(vw_cast(&f->v[3], &f->v[0], at, 1, NULL,
					 &f->err), 0);
		assert_same_view(&f->v[1], &f->v[3]);
		assert_string_equal(f->v[3].format, at);
		/* and back to bytes, in place */
		assert_int_equal(vw_cast(&f->v[1], &f->v[1], "B", 1, NULL,
					 &f->err), 0);
		assert_same_view(&f->v[1], &f->v[0]);
		for (int k = 1; k < 4; k++)
			vw_release(&f->v[k]);
	}
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

/* What the fast path does not take still fails as the rules say: a
 * strided view, a length the itemsize does not divide, two non-byte
 * formats. */
static void test_cast_fast_path_refusals_keep_their_errors(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "::2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "h", 1, NULL, &f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "C-contiguous"));
	slice_expr(&f->v[3], &f->v[0], ":6");
	assert_int_equal(vw_cast(&f->v[2], &f->v[3], "i", 1, NULL, &f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "not a multiple"));
	assert_int_equal(vw_cast(&f->v[4], &f->v[0], "d", 1, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[2], &f->v[4], "i", 1, NULL, &f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "non-byte"));
	assert_false(vw_is_valid(&f->v[2]));
}

/* The format may be passed from the destination's own format string
 * (read before the destination is written). */
static void test_cast_format_string_may_be_the_destinations(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "<i", 1, NULL, &f->err), 0);
	vw_release(&f->v[1]);	/* its format string stays in the struct */
	assert_int_equal(vw_cast(&f->v[1], &f->v[0], f->v[1].format, 1, NULL,
				 &f->err), 0);
	assert_string_equal(f->v[1].format, "<i");
	assert_int_equal(f->v[1].itemsize, 4);
	slice_expr(&f->v[2], &f->v[0], "4:");
	assert_int_equal(vw_cast(&f->v[2], &f->v[2], f->v[2].format, 1, NULL,
				 &f->err), 0);
	assert_string_equal(f->v[2].format, "B");
	assert_int_equal(vw_cast(&f->v[2], &f->v[2], f->v[2].format, 2,
				 (ssize_t[]){ 2, 126 }, &f->err), 0);
	assert_string_equal(f->v[2].format, "B");
	assert_int_equal(f->v[2].shape[1], 126);
}

static const struct CMUnitTest tests[] = {
	T(test_cast_B_to_i_gives_quarter_length),
	T(test_cast_keeps_buffer_address),
	T(test_cast_with_shape_gives_c_strides),
	T(test_cast_to_empty_shape_gives_0d_view),
	T(test_cast_0d_to_1d_bytes),
	T(test_cast_nd_to_1d),
	T(test_cast_nd_to_1d_with_explicit_shape),
	T(test_cast_nd_to_1d_with_new_format),
	T(test_cast_nd_to_nd_refused),
	T(test_cast_nd_to_0d_refused),
	T(test_cast_between_two_non_byte_formats_refused),
	T(test_cast_non_byte_format_to_itself_refused),
	T(test_cast_non_byte_format_back_to_bytes),
	T(test_cast_c_and_b_count_as_byte_formats),
	T(test_cast_non_contiguous_source_refused),
	T(test_cast_reversed_source_refused),
	T(test_cast_single_item_strided_source_allowed),
	T(test_cast_length_not_multiple_of_itemsize_refused),
	T(test_cast_shape_product_mismatch_refused),
	T(test_cast_0d_shape_needs_exactly_one_item),
	T(test_cast_zero_dimension_refused),
	T(test_cast_negative_dimension_refused),
	T(test_cast_empty_1d_without_shape_allowed),
	T(test_cast_nd_source_with_zero_in_shape_refused),
	T(test_cast_unknown_format_refused),
	T(test_cast_format_reported_as_written),
	T(test_cast_to_64_dimensions_allowed),
	T(test_cast_to_65_dimensions_refused),
	T(test_cast_negative_ndim_refused),
	T(test_cast_keeps_readonly),
	T(test_cast_failure_message_is_filled),
	T(test_cast_shape_product_overflow_refused),
	T(test_cast_itemsize_product_overflow_refused),
	T(test_cast_null_shape_ignores_ndim),
	T(test_cast_error_message_is_one_line),
	T(test_cast_keeps_parsed_format_in_step),
	T(test_cast_from_non_native_source_to_bytes),
	T(test_cast_fast_path_matches_general_rules),
	T(test_cast_fast_path_refusals_keep_their_errors),
	T(test_cast_format_string_may_be_the_destinations),
};

UNIT_MAIN(tests)
