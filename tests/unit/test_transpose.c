/* SPDX-License-Identifier: MIT */
/* Unit tests: vw_transpose (NumPy a.transpose(perm)).  Expected strides
 * are what NumPy reports for np.arange(N, dtype=np.uint8) with the same
 * operations (bytes; itemsize 1 unless said otherwise). */
#include "unit_fixtures.h"

#include <errno.h>

static void grid(struct fx *f, struct vw_view *out, int ndim,
		 const ssize_t *shape)
{
	fx_typed(f, out, "B", ndim, shape);
}

static void test_transpose_null_perm_reverses_axes(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	/* np.arange(12).reshape(3,4).T: shape (4, 3), strides (1, 4) */
	ssize_t shape[] = { 4, 3 }, strides[] = { 1, 4 };

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_geometry(&f->v[2], 2, shape, strides, 1);
	assert_ptr_equal(f->v[2].buf, f->mem);
}

static void test_transpose_null_perm_reverses_three_axes(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3, 4 };
	/* np.arange(24).reshape(2,3,4).T: shape (4, 3, 2), strides (1, 4, 12) */
	ssize_t shape[] = { 4, 3, 2 }, strides[] = { 1, 4, 12 };

	grid(f, &f->v[1], 3, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 3, &f->err), 0);
	assert_geometry(&f->v[2], 3, shape, strides, 1);
}

static void test_transpose_with_permutation(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3, 4 };
	int perm[] = { 1, 2, 0 };
	/* .transpose(1, 2, 0): shape (3, 4, 2), strides (4, 1, 12) */
	ssize_t shape[] = { 3, 4, 2 }, strides[] = { 4, 1, 12 };

	grid(f, &f->v[1], 3, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 3, &f->err), 0);
	assert_geometry(&f->v[2], 3, shape, strides, 1);
}

static void test_transpose_identity_permutation_keeps_geometry(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	int perm[] = { 0, 1 };
	ssize_t strides[] = { 4, 1 };

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 2, &f->err), 0);
	assert_geometry(&f->v[2], 2, s, strides, 1);
}

static void test_transpose_moves_elements(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	ssize_t idx[] = { 3, 1 };	/* .T[3, 1] == a[1, 3] == 7 */
	struct vw_value v;

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_get(&f->v[2], idx, &v, &f->err), 0);
	assert_int_equal(v.type, VW_V_INT);
	assert_int_equal(v.i, 7);
}

static void test_transpose_1d_is_unchanged(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 256 }, strides[] = { 1 };

	assert_int_equal(vw_transpose(&f->v[1], &f->v[0], NULL, 1, &f->err), 0);
	assert_geometry(&f->v[1], 1, shape, strides, 1);
}

static void test_transpose_0d_is_unchanged(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "5");
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 0, &f->err), 0);
	assert_int_equal(f->v[2].ndim, 0);
	assert_ptr_equal(f->v[2].buf, f->mem + 5);
}

static void test_transpose_keeps_negative_strides(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	/* a[::-1].T: shape (4, 3), strides (1, -4), first element 8 */
	ssize_t shape[] = { 4, 3 }, strides[] = { 1, -4 };

	grid(f, &f->v[1], 2, s);
	slice_expr(&f->v[2], &f->v[1], "::-1");
	assert_int_equal(vw_transpose(&f->v[3], &f->v[2], NULL, 2, &f->err), 0);
	assert_geometry(&f->v[3], 2, shape, strides, 1);
	assert_ptr_equal(f->v[3].buf, f->mem + 8);
}

static void test_transpose_keeps_format(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };
	ssize_t shape[] = { 3, 2 }, strides[] = { 8, 24 };

	/* np.zeros((2,3),'d').T.strides == (8, 24) */
	fx_typed(f, &f->v[1], "d", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_string_equal(f->v[2].format, "d");
	assert_geometry(&f->v[2], 2, shape, strides, 8);
}

static void test_transpose_repeated_axis_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	int perm[] = { 0, 0 };

	/* a.transpose(0, 0): ValueError: repeated axis in transpose */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 2, &f->err),
			 -EINVAL);
	assert_false(vw_is_valid(&f->v[2]));
}

static void test_transpose_axis_out_of_range_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	int perm[] = { 0, 2 };

	/* a.transpose(0, 2): AxisError */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 2, &f->err),
			 -EINVAL);
}

static void test_transpose_negative_axis_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	int perm[] = { -1, 0 };

	/* header and VIEW-CLI: perm must be a permutation of 0..ndim-1
	 * (NumPy itself would accept -1 as the last axis) */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 2, &f->err),
			 -EINVAL);
}

static void test_transpose_wrong_perm_length_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	int perm[] = { 1, 0, 2 };

	/* a.transpose(0): ValueError: axes don't match array */
	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 1, &f->err),
			 -EINVAL);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], perm, 3, &f->err),
			 -EINVAL);
}

static void test_transpose_into_itself(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	ssize_t shape[] = { 4, 3 }, strides[] = { 1, 4 };

	grid(f, &f->v[1], 2, s);
	assert_int_equal(vw_transpose(&f->v[1], &f->v[1], NULL, 2, &f->err), 0);
	assert_geometry(&f->v[1], 2, shape, strides, 1);
	assert_int_equal(vw_map_refs(&f->v[0]), 2);
}

static const struct CMUnitTest tests[] = {
	T(test_transpose_null_perm_reverses_axes),
	T(test_transpose_null_perm_reverses_three_axes),
	T(test_transpose_with_permutation),
	T(test_transpose_identity_permutation_keeps_geometry),
	T(test_transpose_moves_elements),
	T(test_transpose_1d_is_unchanged),
	T(test_transpose_0d_is_unchanged),
	T(test_transpose_keeps_negative_strides),
	T(test_transpose_keeps_format),
	T(test_transpose_repeated_axis_refused),
	T(test_transpose_axis_out_of_range_refused),
	T(test_transpose_negative_axis_refused),
	T(test_transpose_wrong_perm_length_refused),
	T(test_transpose_into_itself),
};

UNIT_MAIN(tests)
