/* SPDX-License-Identifier: MIT */
/* Unit tests: vw_reshape (NumPy a.reshape(shape) where it returns a
 * view); vw_transpose is tested in test_transpose.c.  Expected strides are
 * what NumPy reports for np.arange(N, dtype=np.uint8) with the same
 * operations (bytes; itemsize 1 unless said otherwise). */
#include "unit_fixtures.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static void grid(struct fx *f, struct vw_view *out, int ndim,
		 const ssize_t *shape)
{
	fx_typed(f, out, "B", ndim, shape);
}

/* ---- reshape ---- */

static void test_reshape_1d_to_2d(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 3, 4 }, strides[] = { 4, 1 };

	slice_expr(&f->v[1], &f->v[0], ":12");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem);
}

static void test_reshape_1d_to_3d(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 2, 3, 2 }, strides[] = { 6, 2, 1 };

	slice_expr(&f->v[1], &f->v[0], ":12");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 3, shape, &f->err), 0);
	assert_geometry(&f->v[2], 3, shape, strides, 1);
}

static void test_reshape_2d_to_1d(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 12 }, strides[] = { 1 };

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 1, shape, &f->err), 0);
	assert_geometry(&f->v[2], 1, shape, strides, 1);
}

static void test_reshape_2d_to_other_2d(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 2, 6 }, strides[] = { 6, 1 };

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_geometry(&f->v[2], 2, shape, strides, 1);
}

static void test_reshape_typed_view_uses_itemsize(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 6 }, shape[] = { 2, 3 }, strides[] = { 12, 4 };

	/* np.zeros(6, 'i4').reshape(2, 3).strides == (12, 4) */
	fx_typed(f, &f->v[1], "i", 1, s);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_string_equal(f->v[2].format, "i");
	assert_geometry(&f->v[2], 2, shape, strides, 4);
}

static void test_reshape_strided_1d_to_2d(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 2, 3 }, strides[] = { 6, 2 };

	/* np.arange(12)[::2].reshape(2, 3): strides (6, 2) in bytes */
	slice_expr(&f->v[1], &f->v[0], ":12:2");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_geometry(&f->v[2], 2, shape, strides, 1);
}

static void test_reshape_reversed_1d_to_2d(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 2, 3 }, strides[] = { -3, -1 };

	/* np.arange(6)[::-1].reshape(2, 3): strides (-3, -1), first 5 */
	slice_expr(&f->v[1], &f->v[0], "5::-1");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 5);
}

static void test_reshape_split_dimension_of_transposed_view(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 2, 2, 3 }, strides[] = { 2, 1, 4 };

	/* np.arange(12).reshape(3,4).T.reshape(2,2,3): strides (2, 1, 4) */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 3, shape, &f->err), 0);
	assert_geometry(&f->v[3], 3, shape, strides, 1);
}

static void test_reshape_flatten_transposed_needs_copy(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 12 };

	/* np.arange(12).reshape(3,4).T.reshape(12) is a copy, not a view */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 1, shape, &f->err),
			 -ENOTSUP);
	assert_false(vw_is_valid(&f->v[3]));
}

static void test_reshape_flatten_column_slice_needs_copy(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 6 };

	/* a[:, ::3] (columns 0 and 3, strides (4, 3)).reshape(6) copies */
	grid(f, &f->v[1], 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,::3");
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 1, shape, &f->err),
			 -ENOTSUP);
}

static void test_reshape_flatten_evenly_strided_columns(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 6 }, strides[] = { 2 };

	/* a[:, ::2] has strides (4, 2): row stride == 2 * column stride, so
	 * a[:, ::2].reshape(6) is a view with strides (2,) */
	grid(f, &f->v[1], 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,::2");
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 1, shape, &f->err), 0);
	assert_geometry(&f->v[3], 1, shape, strides, 1);
}

static void test_reshape_flatten_sub_block_needs_copy(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 6 };

	/* a[:, :2].reshape(6) copies (rows are not adjacent) */
	grid(f, &f->v[1], 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,:2");
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 1, shape, &f->err),
			 -ENOTSUP);
}

static void test_reshape_insert_unit_dimension_into_sub_block(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, shape[] = { 3, 1, 2 };

	/* a[:, :2].reshape(3, 1, 2) is a view: strides (4, *, 1) */
	grid(f, &f->v[1], 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,:2");
	assert_int_equal(vw_reshape(&f->v[3], &f->v[2], 3, shape, &f->err), 0);
	assert_int_equal(f->v[3].ndim, 3);
	assert_int_equal(f->v[3].shape[0], 3);
	assert_int_equal(f->v[3].shape[1], 1);
	assert_int_equal(f->v[3].shape[2], 2);
	assert_int_equal(f->v[3].strides[0], 4);
	assert_int_equal(f->v[3].strides[2], 1);
}

static void test_reshape_single_item_to_0d(void **state)
{
	struct fx *f = *state;
	ssize_t none[1] = { 0 };

	slice_expr(&f->v[1], &f->v[0], "3:4");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 0, none, &f->err), 0);
	assert_int_equal(f->v[2].ndim, 0);
	assert_int_equal(f->v[2].len, 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 3);
}

static void test_reshape_0d_to_1d(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 1 };

	slice_expr(&f->v[1], &f->v[0], "3");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 1, shape, &f->err), 0);
	assert_int_equal(f->v[2].ndim, 1);
	assert_int_equal(f->v[2].shape[0], 1);
	assert_ptr_equal(f->v[2].buf, f->mem + 3);
}

static void test_reshape_empty_view(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 0, 5 };

	/* np.empty(0).reshape(0, 5) works */
	slice_expr(&f->v[1], &f->v[0], "0:0");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_int_equal(f->v[2].ndim, 2);
	assert_int_equal(f->v[2].shape[0], 0);
	assert_int_equal(f->v[2].shape[1], 5);
	assert_int_equal(f->v[2].len, 0);
}

static void test_reshape_product_mismatch_refused(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 5, 2 };

	slice_expr(&f->v[1], &f->v[0], ":12");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err),
			 -EINVAL);
}

static void test_reshape_negative_dimension_refused(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { -1, 4 }, shape2[] = { -3, -4 };

	/* the header has no -1 "infer" rule: any negative is an error, also
	 * when the product's sign would cancel */
	slice_expr(&f->v[1], &f->v[0], ":12");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err),
			 -EINVAL);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape2, &f->err),
			 -EINVAL);
}

static void test_reshape_too_many_dimensions_refused(void **state)
{
	struct fx *f = *state;
	ssize_t ones[VW_MAXDIM + 1];
	int i;

	for (i = 0; i <= VW_MAXDIM; i++)
		ones[i] = 1;
	slice_expr(&f->v[1], &f->v[0], ":1");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], VW_MAXDIM + 1, ones,
				    &f->err), -EINVAL);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], VW_MAXDIM, ones,
				    &f->err), 0);
}

static void test_reshape_keeps_readonly(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 4, 64 };

	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err), 0);
	assert_int_equal(f->v[2].readonly, 1);
}

static void test_reshape_product_overflow_refused(void **state)
{
	struct fx *f = *state;
	/* (2**62 + 4) * 4 wraps to 16 in 64 bits */
	ssize_t shape[] = { ((ssize_t)1 << 62) + 4, 4 };

	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err),
			 -EINVAL);
}

static void test_reshape_zero_dimension_product_mismatch_refused(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 0, 4 };

	/* np.arange(12).reshape(0, 4): cannot reshape array of size 12 */
	slice_expr(&f->v[1], &f->v[0], ":12");
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, shape, &f->err),
			 -EINVAL);
}

static void test_reshape_into_itself(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 16, 16 }, strides[] = { 16, 1 };

	assert_int_equal(vw_dup(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[1], &f->v[1], 2, shape, &f->err), 0);
	assert_geometry(&f->v[1], 2, shape, strides, 1);
	assert_int_equal(vw_map_refs(&f->v[0]), 2);
}

static void test_reshape_wrapping_byte_product_refused(void **state)
{
	struct fx *f = *state;
	/* ((2**62) + 64) * 4 == 2**64 + 256 wraps to the 256 bytes of the
	 * view: must be refused, not walk past the source dimensions */
	ssize_t shape[] = { ((ssize_t)1 << 62) + 64 };
	ssize_t s[] = { 64 };

	fx_typed(f, &f->v[1], "i", 1, s);
	assert_int_equal(f->v[1].len, 256);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 1, shape, &f->err),
			 -EINVAL);
	assert_int_equal(f->err.code, -EINVAL);
}

static void test_reshape_zero_dimension_keeps_overflow_check(void **state)
{
	struct fx *f = *state;
	/* np.empty(0, 'i').reshape(0, 2**62, 4): array is too big */
	ssize_t shape[] = { 0, (ssize_t)1 << 62, 4 };
	ssize_t shape2[] = { 0, SSIZE_MAX };
	ssize_t ok[] = { 0, 1000 };

	slice_expr(&f->v[1], &f->v[0], ":0");
	assert_int_equal(vw_cast(&f->v[3], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[3], 3, shape, &f->err),
			 -EINVAL);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[3], 2, shape2, &f->err),
			 -EINVAL);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[3], 2, ok, &f->err), 0);
	assert_int_equal(f->v[2].len, 0);
}

/* Found by tests/fuzz (chain): a reshape of an empty view to (1<<62, 0),
 * or a transposed (0, N), describes more empty lists than tolist may
 * print; bounded by max(VW_META_EMPTY_MAX, mapping length) (view.h). */
static void test_tolist_of_huge_empty_view_refused(void **state)
{
	struct fx *f = *state;
	ssize_t empty[] = { 0 }, huge[] = { (ssize_t)1 << 62, 0 };
	ssize_t wide[] = { 0, (ssize_t)VW_META_EMPTY_MAX + 1 };
	ssize_t fits[] = { (ssize_t)VW_META_EMPTY_MAX, 0 };
	struct vw_index none = { .is_slice = 1, .has_stop = 1, .stop = 0 };

	assert_int_equal(vw_slice(&f->v[1], &f->v[0], &none, 1, &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[2], &f->v[1], 2, huge, &f->err), 0);
	capture_open(&f->cap);
	assert_int_equal(vw_tolist(&f->v[2], f->cap.f, &f->err), -E2BIG);
	assert_int_equal(f->err.code, -E2BIG);
	assert_string_equal(capture_text(&f->cap), "");
	capture_free(&f->cap);

	assert_int_equal(vw_reshape(&f->v[3], &f->v[1], 2, wide, &f->err), 0);
	capture_open(&f->cap);
	assert_int_equal(vw_tolist(&f->v[3], f->cap.f, &f->err), 0);	/* "[]" */
	assert_string_equal(capture_text(&f->cap), "[]");
	capture_free(&f->cap);
	assert_int_equal(vw_transpose(&f->v[4], &f->v[3], NULL, 0, &f->err), 0);
	capture_open(&f->cap);
	assert_int_equal(vw_tolist(&f->v[4], f->cap.f, &f->err), -E2BIG);
	capture_free(&f->cap);

	assert_int_equal(vw_reshape(&f->v[5], &f->v[1], 2, fits, &f->err), 0);
	capture_open(&f->cap);
	assert_int_equal(vw_tolist(&f->v[5], f->cap.f, &f->err), 0);
	assert_int_equal(strlen(capture_text(&f->cap)),
			 2 + 2 * VW_META_EMPTY_MAX + 2 * (VW_META_EMPTY_MAX - 1));
	capture_free(&f->cap);
	assert_int_equal(vw_reshape(&f->v[6], &f->v[1], 1, empty, &f->err), 0);
}

static const struct CMUnitTest tests[] = {
	T(test_reshape_1d_to_2d),
	T(test_reshape_1d_to_3d),
	T(test_reshape_2d_to_1d),
	T(test_reshape_2d_to_other_2d),
	T(test_reshape_typed_view_uses_itemsize),
	T(test_reshape_strided_1d_to_2d),
	T(test_reshape_reversed_1d_to_2d),
	T(test_reshape_split_dimension_of_transposed_view),
	T(test_reshape_flatten_transposed_needs_copy),
	T(test_reshape_flatten_column_slice_needs_copy),
	T(test_reshape_flatten_evenly_strided_columns),
	T(test_reshape_flatten_sub_block_needs_copy),
	T(test_reshape_insert_unit_dimension_into_sub_block),
	T(test_reshape_single_item_to_0d),
	T(test_reshape_0d_to_1d),
	T(test_reshape_empty_view),
	T(test_reshape_product_mismatch_refused),
	T(test_reshape_negative_dimension_refused),
	T(test_reshape_too_many_dimensions_refused),
	T(test_reshape_keeps_readonly),
	T(test_reshape_product_overflow_refused),
	T(test_reshape_wrapping_byte_product_refused),
	T(test_reshape_zero_dimension_keeps_overflow_check),
	T(test_reshape_zero_dimension_product_mismatch_refused),
	T(test_reshape_into_itself),
	T(test_tolist_of_huge_empty_view_refused),
};

UNIT_MAIN(tests)
