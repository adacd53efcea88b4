/* SPDX-License-Identifier: MIT */
/* Unit tests: vw_c_contiguous, vw_f_contiguous, vw_contiguous, against
 * memoryview's .c_contiguous/.f_contiguous/.contiguous (1-D: shape[0] == 1
 * or stride == itemsize; 0-d: always; n-D: PyBuffer_IsContiguous). */
#include "unit_fixtures.h"

#include <errno.h>

static void expect(const struct vw_view *v, int c, int fo, int any)
{
	assert_int_equal(vw_c_contiguous(v), c);
	assert_int_equal(vw_f_contiguous(v), fo);
	assert_int_equal(vw_contiguous(v), any);
}

static void test_contiguous_whole_1d_view(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10)): True True True */
	expect(&f->v[0], 1, 1, 1);
}

static void test_contiguous_1d_step_two_is_not(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10))[::2]: False False False */
	slice_expr(&f->v[1], &f->v[0], "::2");
	expect(&f->v[1], 0, 0, 0);
}

static void test_contiguous_1d_reversed_is_not(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10))[::-1]: False False False */
	slice_expr(&f->v[1], &f->v[0], "::-1");
	expect(&f->v[1], 0, 0, 0);
}

static void test_contiguous_1d_single_item_with_any_stride(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10))[0:3:5]: shape (1,), strides (5,): True x3 */
	slice_expr(&f->v[1], &f->v[0], "0:3:5");
	expect(&f->v[1], 1, 1, 1);
}

static void test_contiguous_1d_empty_unit_stride(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10))[5:2]: shape (0,), strides (1,): True x3 */
	slice_expr(&f->v[1], &f->v[0], "5:2");
	expect(&f->v[1], 1, 1, 1);
}

static void test_contiguous_1d_empty_with_stride_two_is_not(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(10))[::2][5:2]: shape (0,), strides (2,):
	 * False False False (memoryview's 1-D rule, not the len == 0 rule) */
	slice_expr(&f->v[1], &f->v[0], ":10:2");
	slice_expr(&f->v[2], &f->v[1], "5:2");
	expect(&f->v[2], 0, 0, 0);
}

static void test_contiguous_1d_typed(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4 };

	/* memoryview(bytes(16)).cast('i'): True x3; [::2]: False x3 */
	fx_typed(f, &f->v[1], "i", 1, s);
	expect(&f->v[1], 1, 1, 1);
	slice_expr(&f->v[2], &f->v[1], "::2");
	expect(&f->v[2], 0, 0, 0);
}

static void test_contiguous_0d_always(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(8)).cast('d', []): True True True */
	slice_expr(&f->v[1], &f->v[0], "7");
	expect(&f->v[1], 1, 1, 1);
}

static void test_contiguous_2d_c_order(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* memoryview(bytes(12)).cast('B', [3, 4]): True False True */
	fx_typed(f, &f->v[1], "B", 2, s);
	expect(&f->v[1], 1, 0, 1);
}

static void test_contiguous_2d_transposed_is_fortran(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* np.arange(12).reshape(3,4).T.flags: C False, F True */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	expect(&f->v[2], 0, 1, 1);
}

static void test_contiguous_2d_single_row_is_both(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* memoryview(bytes(12)).cast('B', [3, 4])[1:2]: True True True */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "1:2");
	expect(&f->v[2], 1, 1, 1);
}

static void test_contiguous_2d_reversed_rows_is_not(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* memoryview(bytes(12)).cast('B', [3, 4])[::-1]: False x3 */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "::-1");
	expect(&f->v[2], 0, 0, 0);
}

static void test_contiguous_2d_every_other_row_is_not(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4, 4 };

	/* memoryview(bytes(16)).cast('B', [4, 4])[::2]: False x3 */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "::2");
	expect(&f->v[2], 0, 0, 0);
}

static void test_contiguous_2d_column_block_is_not(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* a[:, 1:2]: shape (3, 1), strides (4, 1): PyBuffer_IsContiguous
	 * C: no (stride 4 != 1), F: no (stride 4 != 1) */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,1:2");
	expect(&f->v[2], 0, 0, 0);
}

static void test_contiguous_2d_empty_is_both(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* memoryview(bytes(12)).cast('B', [3, 4])[0:0]: True True True
	 * (PyBuffer_IsContiguous: len == 0) */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "0:0");
	expect(&f->v[2], 1, 1, 1);
}

static void test_contiguous_2d_empty_strided_is_both(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };

	/* a[:, ::-2][0:0] has len 0: contiguous either way */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "0:0,::-2");
	expect(&f->v[2], 1, 1, 1);
}

static void test_contiguous_3d_typed_c_order(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 2, 2 };

	fx_typed(f, &f->v[1], "h", 3, s);
	expect(&f->v[1], 1, 0, 1);
}

static const struct CMUnitTest tests[] = {
	T(test_contiguous_whole_1d_view),
	T(test_contiguous_1d_step_two_is_not),
	T(test_contiguous_1d_reversed_is_not),
	T(test_contiguous_1d_single_item_with_any_stride),
	T(test_contiguous_1d_empty_unit_stride),
	T(test_contiguous_1d_empty_with_stride_two_is_not),
	T(test_contiguous_1d_typed),
	T(test_contiguous_0d_always),
	T(test_contiguous_2d_c_order),
	T(test_contiguous_2d_transposed_is_fortran),
	T(test_contiguous_2d_single_row_is_both),
	T(test_contiguous_2d_reversed_rows_is_not),
	T(test_contiguous_2d_every_other_row_is_not),
	T(test_contiguous_2d_column_block_is_not),
	T(test_contiguous_2d_empty_is_both),
	T(test_contiguous_2d_empty_strided_is_both),
	T(test_contiguous_3d_typed_c_order),
};

UNIT_MAIN(tests)
