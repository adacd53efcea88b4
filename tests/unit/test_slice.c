/* SPDX-License-Identifier: MIT */
/* Unit tests: index expressions and NumPy basic indexing
 * (vw_parse_index, vw_slice).  1-D expectations come from
 * m = memoryview(bytearray(range(10))); m[EXPR].shape/.strides and
 * slice(...).indices(10)[0] for the start offset; n-D ones from NumPy's
 * rules applied per dimension (offset += start*stride, stride *= step). */
#include "unit_fixtures.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* ---- vw_parse_index ---- */

static void test_parse_index_mixed_expression(void **state)
{
	struct vw_index ix[8];

	(void)state;
	assert_int_equal(vw_parse_index("1:5:2,-1,::-1", ix, 8, NULL), 3);
	assert_int_equal(ix[0].is_slice, 1);
	assert_true(ix[0].has_start && ix[0].has_stop && ix[0].has_step);
	assert_int_equal(ix[0].start, 1);
	assert_int_equal(ix[0].stop, 5);
	assert_int_equal(ix[0].step, 2);
	assert_int_equal(ix[1].is_slice, 0);
	assert_int_equal(ix[1].start, -1);
	assert_int_equal(ix[2].is_slice, 1);
	assert_false(ix[2].has_start);
	assert_false(ix[2].has_stop);
	assert_true(ix[2].has_step);
	assert_int_equal(ix[2].step, -1);
}

static void test_parse_index_bare_colon_is_full_slice(void **state)
{
	struct vw_index ix[2];

	(void)state;
	assert_int_equal(vw_parse_index(":", ix, 2, NULL), 1);
	assert_int_equal(ix[0].is_slice, 1);
	assert_false(ix[0].has_start || ix[0].has_stop || ix[0].has_step);
}

static void test_parse_index_double_colon_is_full_slice(void **state)
{
	struct vw_index ix[2];

	(void)state;
	/* slice(None, None, None) */
	assert_int_equal(vw_parse_index("::", ix, 2, NULL), 1);
	assert_int_equal(ix[0].is_slice, 1);
	assert_false(ix[0].has_start || ix[0].has_stop || ix[0].has_step);
}

static void test_parse_index_start_only(void **state)
{
	struct vw_index ix[2];

	(void)state;
	assert_int_equal(vw_parse_index("3:", ix, 2, NULL), 1);
	assert_true(ix[0].is_slice && ix[0].has_start);
	assert_false(ix[0].has_stop || ix[0].has_step);
	assert_int_equal(ix[0].start, 3);
}

static void test_parse_index_negative_stop_only(void **state)
{
	struct vw_index ix[2];

	(void)state;
	assert_int_equal(vw_parse_index(":-3", ix, 2, NULL), 1);
	assert_true(ix[0].is_slice && ix[0].has_stop);
	assert_false(ix[0].has_start || ix[0].has_step);
	assert_int_equal(ix[0].stop, -3);
}

static void test_parse_index_empty_step_is_absent(void **state)
{
	struct vw_index ix[2];

	(void)state;
	/* 1:5: is slice(1, 5, None) */
	assert_int_equal(vw_parse_index("1:5:", ix, 2, NULL), 1);
	assert_true(ix[0].has_start && ix[0].has_stop);
	assert_false(ix[0].has_step);
}

static void test_parse_index_integer(void **state)
{
	struct vw_index ix[2];

	(void)state;
	assert_int_equal(vw_parse_index("7", ix, 2, NULL), 1);
	assert_int_equal(ix[0].is_slice, 0);
	assert_int_equal(ix[0].start, 7);
}

static void test_parse_index_huge_slice_bounds_saturate(void **state)
{
	struct vw_index ix[2];

	(void)state;
	/* slice(10**20, -10**20) clips to ssize_t in slice.indices */
	assert_int_equal(vw_parse_index("100000000000000000000:-100000000000000000000",
					ix, 2, NULL), 1);
	assert_int_equal(ix[0].start, SSIZE_MAX);
	assert_true(ix[0].stop <= -SSIZE_MAX);
}

static void test_parse_index_too_many_colons_refused(void **state)
{
	struct vw_index ix[4];

	(void)state;
	assert_int_equal(vw_parse_index("1:2:3:4", ix, 4, NULL), -EINVAL);
}

static void test_parse_index_garbage_refused(void **state)
{
	static const char *bad[] = { "a", "1.5", "1,,2", ",1", "1 2", "0x", "1:b",
				     "[1]" };
	struct vw_index ix[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vw_parse_index(bad[i], ix, 4, NULL), -EINVAL);
}

static void test_parse_index_more_items_than_max_is_e2big(void **state)
{
	struct vw_index ix[2];

	(void)state;
	assert_int_equal(vw_parse_index("1,2,3", ix, 2, NULL), -E2BIG);
}

static void test_parse_index_error_message_filled(void **state)
{
	struct vw_index ix[2];
	struct vw_error err = { 0 };

	(void)state;
	assert_int_equal(vw_parse_index("1:x", ix, 2, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_true(strlen(err.msg) > 0);
}

/* ---- vw_slice, 1-D over bytes 0..9 ---- */

static void check_1d(struct fx *f, const char *expr, ssize_t offset,
		     ssize_t len, ssize_t stride)
{
	slice_expr(&f->v[1], &f->v[0], ":10");
	slice_expr(&f->v[2], &f->v[1], expr);
	assert_int_equal(f->v[2].ndim, 1);
	assert_int_equal(f->v[2].shape[0], len);
	assert_int_equal(f->v[2].strides[0], stride);
	assert_int_equal(f->v[2].len, len);
	if (len > 0)
		assert_int_equal(BUF_OFFSET(&f->v[2], f->mem), offset);
}

/* m[2:8:2] -> (3,) (2,), [2, 4, 6] */
static void test_slice_step_two(void **state)
{
	check_1d(*state, "2:8:2", 2, 3, 2);
}

/* m[::-1] -> (10,) (-1,), starts at 9 */
static void test_slice_reverse(void **state)
{
	check_1d(*state, "::-1", 9, 10, -1);
}

/* m[-3:] -> (3,) (1,), [7, 8, 9] */
static void test_slice_negative_start(void **state)
{
	check_1d(*state, "-3:", 7, 3, 1);
}

/* m[8:2:-2] -> (3,) (-2,), [8, 6, 4] */
static void test_slice_negative_step_with_bounds(void **state)
{
	check_1d(*state, "8:2:-2", 8, 3, -2);
}

/* m[::-3] -> (4,) (-3,), [9, 6, 3, 0] */
static void test_slice_negative_step_three(void **state)
{
	check_1d(*state, "::-3", 9, 4, -3);
}

/* m[5:2] -> (0,) (1,) */
static void test_slice_empty_when_stop_before_start(void **state)
{
	check_1d(*state, "5:2", 5, 0, 1);
}

/* m[5:2:3] -> (0,) (3,): stride*step kept on an empty result */
static void test_slice_empty_keeps_stride_times_step(void **state)
{
	check_1d(*state, "5:2:3", 5, 0, 3);
}

/* m[1:-1:-1] -> (0,) (-1,) */
static void test_slice_empty_with_negative_step(void **state)
{
	check_1d(*state, "1:-1:-1", 1, 0, -1);
}

/* m[100:] -> (0,) (1,) */
static void test_slice_start_past_end_is_empty(void **state)
{
	check_1d(*state, "100:", 10, 0, 1);
}

/* m[-100:3] -> (3,) (1,), [0, 1, 2] */
static void test_slice_start_before_begin_is_clamped(void **state)
{
	check_1d(*state, "-100:3", 0, 3, 1);
}

/* m[-10**20:10**20] -> whole view */
static void test_slice_saturated_bounds_select_everything(void **state)
{
	check_1d(*state, "-100000000000000000000:100000000000000000000", 0, 10,
		 1);
}

/* m[10**20::-1] -> (10,) (-1,), starts at 9 */
static void test_slice_saturated_start_with_negative_step(void **state)
{
	check_1d(*state, "100000000000000000000::-1", 9, 10, -1);
}

static void test_slice_no_items_is_identity(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 256 }, strides[] = { 1 };

	assert_int_equal(vw_slice(&f->v[1], &f->v[0], NULL, 0, &f->err), 0);
	assert_geometry(&f->v[1], 1, shape, strides, 1);
	assert_ptr_equal(f->v[1].buf, f->mem);
}

static void test_slice_of_reversed_view(void **state)
{
	struct fx *f = *state;

	/* m[::-1][2:5] -> [7, 6, 5] */
	slice_expr(&f->v[1], &f->v[0], ":10");
	slice_expr(&f->v[2], &f->v[1], "::-1");
	slice_expr(&f->v[3], &f->v[2], "2:5");
	assert_int_equal(f->v[3].shape[0], 3);
	assert_int_equal(f->v[3].strides[0], -1);
	assert_int_equal(BUF_OFFSET(&f->v[3], f->mem), 7);
}

static void test_slice_twice_reversed_is_original(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	slice_expr(&f->v[2], &f->v[1], "::-1");
	slice_expr(&f->v[3], &f->v[2], "::-1");
	assert_int_equal(f->v[3].strides[0], 1);
	assert_int_equal(f->v[3].shape[0], 10);
	assert_ptr_equal(f->v[3].buf, f->mem);
}

static void test_slice_integer_gives_0d_view(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	slice_expr(&f->v[2], &f->v[1], "3");
	assert_int_equal(f->v[2].ndim, 0);
	assert_int_equal(f->v[2].len, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 3);
}

static void test_slice_negative_integer_counts_from_end(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	slice_expr(&f->v[2], &f->v[1], "-1");
	assert_ptr_equal(f->v[2].buf, f->mem + 9);
	slice_expr(&f->v[3], &f->v[1], "-10");
	assert_ptr_equal(f->v[3].buf, f->mem);
}

static void test_slice_integer_past_end_is_erange(void **state)
{
	struct fx *f = *state;

	/* m[10]: IndexError: index out of bounds on dimension 1 */
	slice_expr(&f->v[1], &f->v[0], ":10");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "10"), -ERANGE);
}

static void test_slice_integer_before_begin_is_erange(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "-11"), -ERANGE);
}

static void test_slice_huge_integer_is_erange(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":10");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1],
					"-100000000000000000000"), -ERANGE);
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1],
					"100000000000000000000"), -ERANGE);
}

static void test_slice_integer_on_empty_view_is_erange(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "0:0");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "0"), -ERANGE);
}

static void test_slice_step_zero_refused(void **state)
{
	struct fx *f = *state;

	/* m[::0]: ValueError: slice step cannot be zero */
	assert_int_equal(try_slice_expr(&f->v[1], &f->v[0], "::0"), -EINVAL);
	assert_false(vw_is_valid(&f->v[1]));
}

static void test_slice_more_items_than_dimensions_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(try_slice_expr(&f->v[1], &f->v[0], "1,2"), -EINVAL);
}

static void test_slice_integer_on_0d_view_refused(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "4");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "0"), -EINVAL);
}

static void test_slice_colon_on_0d_view_refused(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "4");
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], ":"), -EINVAL);
}

static void test_slice_typed_view_scales_by_itemsize(void **state)
{
	struct fx *f = *state;
	ssize_t s4[] = { 4 };

	/* m[:16].cast('i')[1:3]: shape (2,), strides (4,), starts at byte 4 */
	fx_typed(f, &f->v[1], "i", 1, s4);
	slice_expr(&f->v[2], &f->v[1], "1:3");
	assert_int_equal(f->v[2].shape[0], 2);
	assert_int_equal(f->v[2].strides[0], 4);
	assert_int_equal(f->v[2].len, 8);
	assert_ptr_equal(f->v[2].buf, f->mem + 4);
	assert_string_equal(f->v[2].format, "i");
}

/* ---- vw_slice, n-D: a (3, 4) 'B' view of bytes 0..11, strides (4, 1) ---- */

static void grid34(struct fx *f)
{
	ssize_t s[] = { 3, 4 };

	fx_typed(f, &f->v[1], "B", 2, s);
}

static void test_slice_nd_integer_removes_leading_dimension(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 4 }, strides[] = { 1 };

	/* a[1] -> shape (4,), strides (1,), [4, 5, 6, 7] */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "1");
	assert_geometry(&f->v[2], 1, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 4);
}

static void test_slice_nd_two_integers_give_0d(void **state)
{
	struct fx *f = *state;

	/* a[1, 2] -> 6 */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "1,2");
	assert_int_equal(f->v[2].ndim, 0);
	assert_ptr_equal(f->v[2].buf, f->mem + 6);
}

static void test_slice_nd_column(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 3 }, strides[] = { 4 };

	/* a[:, 1] -> shape (3,), strides (4,), [1, 5, 9] */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], ":,1");
	assert_geometry(&f->v[2], 1, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 1);
}

static void test_slice_nd_negative_steps(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 3, 2 }, strides[] = { -4, 2 };

	/* a[::-1, ::2] -> shape (3, 2), strides (-4, 2), [[8, 10], ...] */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "::-1,::2");
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 8);
}

static void test_slice_nd_negative_integers(void **state)
{
	struct fx *f = *state;

	/* a[-1, -1] -> 11 */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "-1,-1");
	assert_ptr_equal(f->v[2].buf, f->mem + 11);
}

static void test_slice_nd_slice_keeps_dimension_of_one(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 1, 4 }, strides[] = { 4, 1 };

	/* a[1:2] -> shape (1, 4) */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "1:2");
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 4);
}

static void test_slice_nd_empty_leading_dimension(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 0, 4 }, strides[] = { 4, 1 };

	/* a[1:1] -> shape (0, 4), strides (4, 1) */
	grid34(f);
	slice_expr(&f->v[2], &f->v[1], "1:1");
	assert_geometry(&f->v[2], 2, shape, strides, 1);
}

static void test_slice_nd_second_index_out_of_range_is_erange(void **state)
{
	struct fx *f = *state;

	grid34(f);
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], ":,4"), -ERANGE);
}

static void test_slice_nd_first_index_out_of_range_is_erange(void **state)
{
	struct fx *f = *state;

	grid34(f);
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "3"), -ERANGE);
}

static void test_slice_nd_three_items_on_2d_refused(void **state)
{
	struct fx *f = *state;

	grid34(f);
	assert_int_equal(try_slice_expr(&f->v[2], &f->v[1], "0,0,0"), -EINVAL);
}

static void test_slice_3d_mixed(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3, 4 };
	ssize_t shape[] = { 3, 2 }, strides[] = { -4, 1 };

	/* np.arange(24).reshape(2,3,4)[1, ::-1, 1:3]: shape (3, 2),
	 * strides (-4, 1) in bytes, first element 21 */
	fx_typed(f, &f->v[1], "B", 3, s);
	slice_expr(&f->v[2], &f->v[1], "1,::-1,1:3");
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 21);
}

static void test_slice_typed_2d_uses_byte_strides(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 4 };
	ssize_t shape[] = { 2, 2 }, strides[] = { 32, -16 };

	/* np.zeros((2, 4), 'd')[:, 3:0:-2]: shape (2, 2), strides (32, -16),
	 * first element at byte 3 * 8 */
	fx_typed(f, &f->v[1], "d", 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,3:0:-2");
	assert_geometry(&f->v[2], 2, shape, strides, 8);
	assert_ptr_equal(f->v[2].buf, f->mem + 24);
}

static void test_slice_error_message_filled(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 0, .has_start = 1, .start = 1000 };

	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(vw_slice(&f->v[1], &f->v[0], &ix, 1, &f->err),
			 -ERANGE);
	assert_int_equal(f->err.code, -ERANGE);
	assert_true(strlen(f->err.msg) > 0);
}

static void test_slice_hand_built_step_zero_refused(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 1, .has_step = 1, .step = 0 };

	assert_int_equal(vw_slice(&f->v[1], &f->v[0], &ix, 1, &f->err),
			 -EINVAL);
}

static void test_slice_huge_step_selects_first_element(void **state)
{
	struct fx *f = *state;
	int rc;

	/* m[::2][::2**62]: one element (m[0]); stride*step does not fit in
	 * ssize_t, which must not be undefined behaviour (UBSan) */
	slice_expr(&f->v[1], &f->v[0], "::2");
	rc = try_slice_expr(&f->v[2], &f->v[1], "::4611686018427387904");
	assert_int_equal(rc, 0);
	assert_int_equal(f->v[2].shape[0], 1);
	assert_ptr_equal(f->v[2].buf, f->mem);
}

static void test_slice_most_negative_step(void **state)
{
	struct fx *f = *state;
	int rc;

	/* m[::-2**63] (saturated): one element, the last */
	rc = try_slice_expr(&f->v[1], &f->v[0], "::-9223372036854775808");
	assert_int_equal(rc, 0);
	assert_int_equal(f->v[1].shape[0], 1);
	assert_ptr_equal(f->v[1].buf, f->mem + 255);
}

static void test_slice_most_negative_integer_is_erange(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 0, .has_start = 1,
			       .start = -SSIZE_MAX - 1 };

	assert_int_equal(vw_slice(&f->v[1], &f->v[0], &ix, 1, &f->err),
			 -ERANGE);
}

static void test_slice_failed_self_slice_keeps_view(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "2:6");
	assert_int_equal(try_slice_expr(&f->v[1], &f->v[1], "9"), -ERANGE);
	assert_true(vw_is_valid(&f->v[1]));
	assert_int_equal(f->v[1].shape[0], 4);
	assert_ptr_equal(f->v[1].buf, f->mem + 2);
	assert_int_equal(vw_map_refs(&f->v[0]), 2);
}

static void test_slice_error_message_is_one_line(void **state)
{
	struct fx *f = *state;
	struct vw_index ix[1];

	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(vw_parse_index("::0", ix, 1, &f->err), 1);
	assert_int_equal(vw_slice(&f->v[1], &f->v[0], ix, 1, &f->err), -EINVAL);
	assert_true(strlen(f->err.msg) > 0);
	assert_null(strchr(f->err.msg, '\n'));
}

static const struct CMUnitTest tests[] = {
	T(test_parse_index_mixed_expression),
	T(test_parse_index_bare_colon_is_full_slice),
	T(test_parse_index_double_colon_is_full_slice),
	T(test_parse_index_start_only),
	T(test_parse_index_negative_stop_only),
	T(test_parse_index_empty_step_is_absent),
	T(test_parse_index_integer),
	T(test_parse_index_huge_slice_bounds_saturate),
	T(test_parse_index_too_many_colons_refused),
	T(test_parse_index_garbage_refused),
	T(test_parse_index_more_items_than_max_is_e2big),
	T(test_parse_index_error_message_filled),
	T(test_slice_step_two),
	T(test_slice_reverse),
	T(test_slice_negative_start),
	T(test_slice_negative_step_with_bounds),
	T(test_slice_negative_step_three),
	T(test_slice_empty_when_stop_before_start),
	T(test_slice_empty_keeps_stride_times_step),
	T(test_slice_empty_with_negative_step),
	T(test_slice_start_past_end_is_empty),
	T(test_slice_start_before_begin_is_clamped),
	T(test_slice_saturated_bounds_select_everything),
	T(test_slice_saturated_start_with_negative_step),
	T(test_slice_no_items_is_identity),
	T(test_slice_of_reversed_view),
	T(test_slice_twice_reversed_is_original),
	T(test_slice_integer_gives_0d_view),
	T(test_slice_negative_integer_counts_from_end),
	T(test_slice_integer_past_end_is_erange),
	T(test_slice_integer_before_begin_is_erange),
	T(test_slice_huge_integer_is_erange),
	T(test_slice_integer_on_empty_view_is_erange),
	T(test_slice_step_zero_refused),
	T(test_slice_more_items_than_dimensions_refused),
	T(test_slice_integer_on_0d_view_refused),
	T(test_slice_colon_on_0d_view_refused),
	T(test_slice_typed_view_scales_by_itemsize),
	T(test_slice_nd_integer_removes_leading_dimension),
	T(test_slice_nd_two_integers_give_0d),
	T(test_slice_nd_column),
	T(test_slice_nd_negative_steps),
	T(test_slice_nd_negative_integers),
	T(test_slice_nd_slice_keeps_dimension_of_one),
	T(test_slice_nd_empty_leading_dimension),
	T(test_slice_nd_second_index_out_of_range_is_erange),
	T(test_slice_nd_first_index_out_of_range_is_erange),
	T(test_slice_nd_three_items_on_2d_refused),
	T(test_slice_3d_mixed),
	T(test_slice_typed_2d_uses_byte_strides),
	T(test_slice_error_message_filled),
	T(test_slice_hand_built_step_zero_refused),
	T(test_slice_huge_step_selects_first_element),
	T(test_slice_most_negative_step),
	T(test_slice_most_negative_integer_is_erange),
	T(test_slice_failed_self_slice_keeps_view),
	T(test_slice_error_message_is_one_line),
};

UNIT_MAIN(tests)
