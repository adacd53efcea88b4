/* SPDX-License-Identifier: MIT */
/* Unit tests: the copying operations and comparison (vw_tobytes,
 * vw_frombytes, vw_copy_to, vw_fill, vw_equal).  The fixture's buffer
 * holds bytes 0..255; expected results come from memoryview.tobytes(order),
 * slice assignment m[a] = m[b] and memoryview == in CPython 3.11. */
#include "unit_fixtures.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static void grid34(struct fx *f, struct vw_view *out)
{
	ssize_t s[] = { 3, 4 };

	fx_typed(f, out, "B", 2, s);
}

static void assert_hex(const unsigned char *p, size_t n, const char *hex)
{
	char got[512];
	size_t i;

	assert_true(2 * n < sizeof(got));
	for (i = 0; i < n; i++)
		sprintf(got + 2 * i, "%02x", p[i]);
	got[2 * n] = 0;
	assert_string_equal(got, hex);
}

/* ---- vw_tobytes ---- */

static void test_tobytes_contiguous_is_memory(void **state)
{
	struct fx *f = *state;
	unsigned char out[8];

	slice_expr(&f->v[1], &f->v[0], "3:8");
	assert_true(vw_tobytes(&f->v[1], 'C', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 5, "0304050607");
}

static void test_tobytes_reversed_1d(void **state)
{
	struct fx *f = *state;
	unsigned char out[5];

	/* memoryview(bytes(range(5)))[::-1].tobytes().hex() == '0403020100' */
	slice_expr(&f->v[1], &f->v[0], "4::-1");
	assert_true(vw_tobytes(&f->v[1], 'C', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 5, "0403020100");
}

static void test_tobytes_reversed_typed_keeps_item_bytes(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3 };
	unsigned char out[6];

	/* memoryview(bytes(range(6))).cast('h')[::-1].tobytes().hex()
	 * == '040502030001' */
	fx_typed(f, &f->v[1], "h", 1, s);
	slice_expr(&f->v[2], &f->v[1], "::-1");
	assert_true(vw_tobytes(&f->v[2], 'C', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 6, "040502030001");
}

static void test_tobytes_F_of_c_contiguous_2d(void **state)
{
	struct fx *f = *state;
	unsigned char out[12];

	/* memoryview(bytes(range(12))).cast('B',[3,4]).tobytes('F').hex() */
	grid34(f, &f->v[1]);
	assert_true(vw_tobytes(&f->v[1], 'F', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 12, "00040801050902060a03070b");
}

static void test_tobytes_C_of_transposed(void **state)
{
	struct fx *f = *state;
	unsigned char out[12];

	/* np.arange(12, dtype='B').reshape(3,4).T.tobytes('C').hex() */
	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_true(vw_tobytes(&f->v[2], 'C', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 12, "00040801050902060a03070b");
}

static void test_tobytes_F_of_transposed_is_memory_order(void **state)
{
	struct fx *f = *state;
	unsigned char out[12];

	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_true(vw_tobytes(&f->v[2], 'F', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 12, "000102030405060708090a0b");
}

static void test_tobytes_A_of_fortran_view_is_memory_order(void **state)
{
	struct fx *f = *state;
	unsigned char out[12];

	/* 'A': F-contiguous view -> Fortran (memory) order */
	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_true(vw_tobytes(&f->v[2], 'A', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 12, "000102030405060708090a0b");
}

static void test_tobytes_A_of_c_view_is_c_order(void **state)
{
	struct fx *f = *state;
	unsigned char out[12];

	grid34(f, &f->v[1]);
	assert_true(vw_tobytes(&f->v[1], 'A', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 12, "000102030405060708090a0b");
}

static void test_tobytes_A_of_non_contiguous_is_c_order(void **state)
{
	struct fx *f = *state;
	unsigned char out[6];

	/* np.arange(12,dtype='B').reshape(3,4)[:, ::2].T.tobytes('A'):
	 * neither C nor F contiguous -> C order of the transposed view */
	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[1], ":,::2");
	assert_int_equal(vw_transpose(&f->v[3], &f->v[2], NULL, 2, &f->err), 0);
	assert_true(vw_tobytes(&f->v[3], 'A', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 6, "00040802060a");
}

static void test_tobytes_0d_is_one_item(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4 };
	unsigned char out[4];

	fx_typed(f, &f->v[1], "i", 1, s);
	slice_expr(&f->v[2], &f->v[1], "2");
	assert_true(vw_tobytes(&f->v[2], 'C', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 4, "08090a0b");
}

static void test_tobytes_empty_view(void **state)
{
	struct fx *f = *state;
	unsigned char out[1] = { 0xaa };

	slice_expr(&f->v[1], &f->v[0], "5:5");
	assert_true(vw_tobytes(&f->v[1], 'C', out, 0, &f->err) >= 0);
	assert_int_equal(out[0], 0xaa);
}

static void test_tobytes_bad_order_refused(void **state)
{
	struct fx *f = *state;
	unsigned char out[256];

	/* memoryview(b'ab').tobytes('c'): ValueError order must be C, F or A */
	assert_int_equal(vw_tobytes(&f->v[0], 'X', out, sizeof(out), &f->err),
			 -EINVAL);
	assert_int_equal(vw_tobytes(&f->v[0], 'c', out, sizeof(out), &f->err),
			 -EINVAL);
}

static void test_tobytes_short_buffer_is_enobufs(void **state)
{
	struct fx *f = *state;
	unsigned char out[256];

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(vw_tobytes(&f->v[0], 'C', out, 255, &f->err),
			 -ENOBUFS);
	assert_int_equal(f->err.code, -ENOBUFS);
}

/* ---- vw_frombytes ---- */

static void test_frombytes_fills_in_c_order_through_strides(void **state)
{
	struct fx *f = *state;
	unsigned char src[12];
	int i;

	/* t = a.T (4, 3); t[...] = np.arange(100, 112).reshape(4, 3):
	 * a[j][i] = 100 + 3*i + j, so mem[1] = 103, mem[4] = 101 */
	for (i = 0; i < 12; i++)
		src[i] = (unsigned char)(100 + i);
	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_frombytes(&f->v[2], src, 12, &f->err), 0);
	assert_hex(f->mem, 12, "6467" "6a6d" "6568" "6b6e" "6669" "6c6f");
	assert_int_equal(f->mem[12], 12);
}

static void test_frombytes_reversed_view(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "2::-1");
	assert_int_equal(vw_frombytes(&f->v[1], "abc", 3, &f->err), 0);
	assert_memory_equal(f->mem, "cba", 3);
	assert_int_equal(f->mem[3], 3);
}

static void test_frombytes_tobytes_round_trip(void **state)
{
	struct fx *f = *state;
	unsigned char in[6] = { 9, 8, 7, 6, 5, 4 }, out[6];

	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[1], "::-2,1:");
	assert_int_equal(f->v[2].len, 6);
	assert_int_equal(vw_frombytes(&f->v[2], in, 6, &f->err), 0);
	assert_true(vw_tobytes(&f->v[2], 'C', out, 6, &f->err) >= 0);
	assert_memory_equal(in, out, 6);
}

static void test_frombytes_wrong_length_refused(void **state)
{
	struct fx *f = *state;
	unsigned char in[4] = { 9, 9, 9, 9 };

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(vw_frombytes(&f->v[1], in, 4, &f->err), -EINVAL);
	assert_int_equal(vw_frombytes(&f->v[1], in, 2, &f->err), -EINVAL);
	assert_hex(f->mem, 3, "000102");
}

static void test_frombytes_readonly_is_erofs(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(vw_toreadonly(&f->v[2], &f->v[1], &f->err), 0);
	assert_int_equal(vw_frombytes(&f->v[2], "abc", 3, &f->err), -EROFS);
	assert_hex(f->mem, 3, "000102");
}

/* ---- vw_copy_to ---- */

static void test_copy_to_contiguous(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":4");
	slice_expr(&f->v[2], &f->v[0], "100:104");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 5, "6465666704");
}

static void test_copy_to_strided_destination(void **state)
{
	struct fx *f = *state;

	/* m[0:10:2] = m[100:105] */
	slice_expr(&f->v[1], &f->v[0], "0:10:2");
	slice_expr(&f->v[2], &f->v[0], "100:105");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 10, "64016503660567076809");
}

static void test_copy_to_transposed_source(void **state)
{
	struct fx *f = *state;
	ssize_t s43[] = { 4, 3 };

	/* b = m[128:140].cast('B', [4, 3]); b[...] = a.T */
	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "128:140");
	assert_int_equal(vw_reshape(&f->v[4], &f->v[3], 2, s43, &f->err), 0);
	assert_int_equal(vw_copy_to(&f->v[4], &f->v[2], &f->err), 0);
	assert_hex(f->mem + 128, 12, "00040801050902060a03070b");
}

static void test_copy_to_ignores_format_with_same_itemsize(void **state)
{
	struct fx *f = *state;

	f->mem[200] = 0xff;
	slice_expr(&f->v[1], &f->v[0], "200:201");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "b", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "0:1");
	assert_int_equal(vw_copy_to(&f->v[3], &f->v[2], &f->err), 0);
	assert_int_equal(f->mem[0], 0xff);
}

static void test_copy_to_shape_mismatch_refused(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":4");
	slice_expr(&f->v[2], &f->v[0], "100:105");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), -EINVAL);
	assert_hex(f->mem, 4, "00010203");
}

static void test_copy_to_ndim_mismatch_refused(void **state)
{
	struct fx *f = *state;

	/* (3, 4) vs (12,): same count, different shape */
	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[0], "100:112");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), -EINVAL);
}

static void test_copy_to_itemsize_mismatch_refused(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4 };

	fx_typed(f, &f->v[1], "h", 1, s);
	slice_expr(&f->v[2], &f->v[0], "100:104");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), -EINVAL);
}

static void test_copy_to_readonly_destination_is_erofs(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_toreadonly(&f->v[2], &f->v[1], &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "100:104");
	assert_int_equal(vw_copy_to(&f->v[2], &f->v[3], &f->err), -EROFS);
	assert_hex(f->mem, 4, "00010203");
}

static void test_copy_to_readonly_source_allowed(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":4");
	slice_expr(&f->v[2], &f->v[0], "100:104");
	assert_int_equal(vw_toreadonly(&f->v[3], &f->v[2], &f->err), 0);
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[3], &f->err), 0);
	assert_hex(f->mem, 4, "64656667");
}

static void test_copy_to_overlap_shift_right(void **state)
{
	struct fx *f = *state;

	/* x = memoryview(bytearray(range(10))); x[1:9] = x[0:8]
	 * -> [0, 0, 1, 2, 3, 4, 5, 6, 7, 9] */
	slice_expr(&f->v[1], &f->v[0], "1:9");
	slice_expr(&f->v[2], &f->v[0], "0:8");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 10, "00000102030405060709");
}

static void test_copy_to_overlap_shift_left(void **state)
{
	struct fx *f = *state;

	/* x[0:8] = x[1:9] -> [1, 2, 3, 4, 5, 6, 7, 8, 8, 9] */
	slice_expr(&f->v[1], &f->v[0], "0:8");
	slice_expr(&f->v[2], &f->v[0], "1:9");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 10, "01020304050607080809");
}

static void test_copy_to_overlap_reversed_onto_itself(void **state)
{
	struct fx *f = *state;

	/* x = memoryview(bytearray(range(5))); x[::-1] = x -> [4, 3, 2, 1, 0] */
	slice_expr(&f->v[1], &f->v[0], ":5");
	slice_expr(&f->v[2], &f->v[1], "::-1");
	assert_int_equal(vw_copy_to(&f->v[2], &f->v[1], &f->err), 0);
	assert_hex(f->mem, 6, "040302010005");
}

static void test_copy_to_overlap_strided(void **state)
{
	struct fx *f = *state;

	/* x = bytearray(range(10)); m = memoryview(x); m[0:5] = m[0:10:2]
	 * -> [0, 2, 4, 6, 8, 5, 6, 7, 8, 9] */
	slice_expr(&f->v[1], &f->v[0], "0:5");
	slice_expr(&f->v[2], &f->v[0], "0:10:2");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 10, "00020406080506070809");
}

static void test_copy_to_overlap_2d_transpose_in_place(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 3 };

	/* a = np.arange(9, dtype='B').reshape(3, 3); a[...] = a.T
	 * (NumPy copies overlapping operands first) -> 0 3 6 1 4 7 2 5 8 */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 9, "000306010407020508");
}

static void test_copy_to_empty_views(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "5:5");
	slice_expr(&f->v[2], &f->v[0], "9:9");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_hex(f->mem, 10, "00010203040506070809");
}

static void test_copy_to_0d(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "0");
	slice_expr(&f->v[2], &f->v[0], "200");
	assert_int_equal(vw_copy_to(&f->v[1], &f->v[2], &f->err), 0);
	assert_int_equal(f->mem[0], 200);
}

/* ---- vw_fill ---- */

static void test_fill_every_element(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3 };
	struct vw_value v = val_int(300);

	/* struct.pack('<h', 300).hex() == '2c01' */
	fx_typed(f, &f->v[1], "<h", 1, s);
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), 0);
	assert_hex(f->mem, 7, "2c012c012c0106");
}

static void test_fill_strided_view(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(7);

	slice_expr(&f->v[1], &f->v[0], "0:6:2");
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), 0);
	assert_hex(f->mem, 7, "07010703070506");
}

static void test_fill_2d_transposed(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(0xee);

	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[1], ":,1:3");
	assert_int_equal(vw_transpose(&f->v[3], &f->v[2], NULL, 2, &f->err), 0);
	assert_int_equal(vw_fill(&f->v[3], &v, &f->err), 0);
	assert_hex(f->mem, 13, "00eeee0304eeee0708eeee0b0c");
}

static void test_fill_double_nan(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2 }, i1[] = { 1 };
	struct vw_value v = val_float(NAN), out;

	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), 0);
	assert_int_equal(vw_get(&f->v[1], i1, &out, &f->err), 0);
	assert_true(isnan(out.d));
}

static void test_fill_out_of_range_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(256);

	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), -ERANGE);
	assert_hex(f->mem, 4, "00010203");
}

static void test_fill_wrong_type_refused(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_float(1.0);

	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), -EINVAL);
	assert_hex(f->mem, 4, "00010203");
}

static void test_fill_readonly_is_erofs(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(1);

	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), -EROFS);
	assert_int_equal(f->mem[5], 5);
}

static void test_fill_empty_view(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(1);

	slice_expr(&f->v[1], &f->v[0], "4:4");
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), 0);
	assert_hex(f->mem, 6, "000102030405");
}

static void test_fill_0d(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(77);

	slice_expr(&f->v[1], &f->v[0], "-1");
	assert_int_equal(vw_fill(&f->v[1], &v, &f->err), 0);
	assert_int_equal(f->mem[255], 77);
	assert_int_equal(f->mem[254], 254);
}

/* ---- vw_equal ---- */

static void put_doubles(struct fx *f, size_t at, double a, double b)
{
	memcpy(f->mem + at, &a, 8);
	memcpy(f->mem + at + 8, &b, 8);
}

static void test_equal_same_bytes(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_dup(&f->v[2], &f->v[1], &f->err), 0);
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 1);
}

static void test_equal_different_values(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":8");
	slice_expr(&f->v[2], &f->v[0], "1:9");
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 0);
}

static void test_equal_different_length(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'ab') == memoryview(b'abc') -> False */
	slice_expr(&f->v[1], &f->v[0], ":2");
	slice_expr(&f->v[2], &f->v[0], ":3");
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 0);
}

static void test_equal_different_shape_same_count(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(12)).cast('B',[3,4]) == memoryview(bytes(12))
	 * -> False */
	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[0], ":12");
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 0);
}

static void test_equal_signed_and_unsigned_bytes(void **state)
{
	struct fx *f = *state;

	/* same small values as 'B' and 'b' compare equal */
	slice_expr(&f->v[1], &f->v[0], ":100");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "b", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 1);
}

static void test_equal_by_value_not_bytes(void **state)
{
	struct fx *f = *state;

	/* 0xff as 'B' (255) and as 'b' (-1) differ */
	slice_expr(&f->v[1], &f->v[0], "255:");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "b", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 0);
}

static void test_equal_double_and_int(void **state)
{
	struct fx *f = *state;
	int32_t ints[2] = { 1, 2 };

	/* memoryview(struct.pack('2d', 1.0, 2.0)).cast('d') ==
	 * memoryview(struct.pack('2i', 1, 2)).cast('i') -> True */
	put_doubles(f, 0, 1.0, 2.0);
	memcpy(f->mem + 64, ints, 8);
	slice_expr(&f->v[1], &f->v[0], ":16");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "64:72");
	assert_int_equal(vw_cast(&f->v[4], &f->v[3], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[4], &f->err), 1);
}

static void test_equal_bool_and_int(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\x01').cast('?') == memoryview(b'\x01') -> True */
	slice_expr(&f->v[1], &f->v[0], "1:2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "?", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[1], &f->err), 1);
}

static void test_equal_char_never_equals_int(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\x01').cast('c') == memoryview(b'\x01') -> False */
	slice_expr(&f->v[1], &f->v[0], "1:2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[1], &f->err), 0);
}

static void test_equal_chars(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "1:5");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[3], &f->err), 1);
}

static void test_equal_nan_is_not_equal_to_itself(void **state)
{
	struct fx *f = *state;

	/* n = memoryview(struct.pack('d', nan)).cast('d'); n == n -> False */
	put_doubles(f, 0, NAN, 1.0);
	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "d", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[2], &f->err), 0);
}

static void test_equal_float_and_double_of_tenth_differ(void **state)
{
	struct fx *f = *state;
	float tenth = 0.1f;
	double dtenth = 0.1;

	/* memoryview(struct.pack('f', .1)).cast('f') ==
	 * memoryview(struct.pack('d', .1)).cast('d') -> False */
	memcpy(f->mem, &tenth, 4);
	memcpy(f->mem + 8, &dtenth, 8);
	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "f", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "8:16");
	assert_int_equal(vw_cast(&f->v[4], &f->v[3], "d", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[4], &f->err), 0);
}

static void test_equal_unsigned_max_and_minus_one_differ(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\xff'*8).cast('Q') == ....cast('q') -> False */
	memset(f->mem, 0xff, 8);
	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "Q", 0, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[1], "q", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[3], &f->err), 0);
}

static void test_equal_half_and_double(void **state)
{
	struct fx *f = *state;
	double half = 0.5;

	/* struct.pack('<e', 0.5) == b'\x00\x38'; 0.5 == 0.5 */
	f->mem[0] = 0x00;
	f->mem[1] = 0x38;
	memcpy(f->mem + 8, &half, 8);
	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "<e", 0, NULL, &f->err),
			 0);
	slice_expr(&f->v[3], &f->v[0], "8:16");
	assert_int_equal(vw_cast(&f->v[4], &f->v[3], "d", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[4], &f->err), 1);
}

static void test_equal_transposed_and_c_copy(void **state)
{
	struct fx *f = *state;
	ssize_t s43[] = { 4, 3 };
	unsigned char tmp[12];

	grid34(f, &f->v[1]);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_true(vw_tobytes(&f->v[2], 'C', tmp, 12, &f->err) >= 0);
	memcpy(f->mem + 128, tmp, 12);
	slice_expr(&f->v[3], &f->v[0], "128:140");
	assert_int_equal(vw_reshape(&f->v[4], &f->v[3], 2, s43, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[4], &f->err), 1);
}

static void test_equal_empty_views_of_different_formats(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'').cast('i') == memoryview(b'') -> True */
	slice_expr(&f->v[1], &f->v[0], "0:0");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "i", 0, NULL, &f->err), 0);
	assert_int_equal(vw_equal(&f->v[2], &f->v[1], &f->err), 1);
}

static void test_equal_0d_views(void **state)
{
	struct fx *f = *state;

	f->mem[9] = 5;
	f->mem[20] = 5;
	slice_expr(&f->v[1], &f->v[0], "9");
	slice_expr(&f->v[2], &f->v[0], "20");
	slice_expr(&f->v[3], &f->v[0], "21");
	assert_int_equal(vw_equal(&f->v[1], &f->v[2], &f->err), 1);
	assert_int_equal(vw_equal(&f->v[1], &f->v[3], &f->err), 0);
}

static void test_equal_empty_views_of_different_ndim(void **state)
{
	struct fx *f = *state;

	/* m1 = memoryview(b'').cast('B', ...) shapes (0,) vs (0, 4):
	 * memoryview == compares ndim and shape first -> False */
	grid34(f, &f->v[1]);
	slice_expr(&f->v[2], &f->v[1], "0:0");
	slice_expr(&f->v[3], &f->v[0], "0:0");
	assert_int_equal(vw_equal(&f->v[2], &f->v[3], &f->err), 0);
}

static void test_equal_bool_from_nonzero_byte(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\x02').cast('?') == memoryview(b'\x01') -> True */
	f->mem[0] = 2;
	slice_expr(&f->v[1], &f->v[0], "0:1");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "?", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[0], "1:2");
	assert_int_equal(vw_equal(&f->v[2], &f->v[3], &f->err), 1);
}

static void test_tobytes_F_of_3d(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 2, 2 };
	unsigned char out[8];

	/* np.arange(8, dtype='B').reshape(2,2,2).tobytes('F').hex() */
	fx_typed(f, &f->v[1], "B", 3, s);
	assert_true(vw_tobytes(&f->v[1], 'F', out, sizeof(out), &f->err) >= 0);
	assert_hex(out, 8, "0004020601050307");
}

static void test_copy_to_overlap_2d_shifted_rows(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4, 4 };

	/* a = np.arange(16, dtype='B').reshape(4, 4); a[1:, 1:] = a[:3, :3]
	 * -> rows: 0 1 2 3 / 4 0 1 2 / 8 4 5 6 / 12 8 9 10 */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "1:,1:");
	slice_expr(&f->v[3], &f->v[1], ":3,:3");
	assert_int_equal(vw_copy_to(&f->v[2], &f->v[3], &f->err), 0);
	assert_hex(f->mem, 16, "00010203040001020804050" "60c08090a");
}

static const struct CMUnitTest tests[] = {
	T(test_tobytes_contiguous_is_memory),
	T(test_tobytes_reversed_1d),
	T(test_tobytes_reversed_typed_keeps_item_bytes),
	T(test_tobytes_F_of_c_contiguous_2d),
	T(test_tobytes_C_of_transposed),
	T(test_tobytes_F_of_transposed_is_memory_order),
	T(test_tobytes_A_of_fortran_view_is_memory_order),
	T(test_tobytes_A_of_c_view_is_c_order),
	T(test_tobytes_A_of_non_contiguous_is_c_order),
	T(test_tobytes_0d_is_one_item),
	T(test_tobytes_empty_view),
	T(test_tobytes_bad_order_refused),
	T(test_tobytes_short_buffer_is_enobufs),
	T(test_frombytes_fills_in_c_order_through_strides),
	T(test_frombytes_reversed_view),
	T(test_frombytes_tobytes_round_trip),
	T(test_frombytes_wrong_length_refused),
	T(test_frombytes_readonly_is_erofs),
	T(test_copy_to_contiguous),
	T(test_copy_to_strided_destination),
	T(test_copy_to_transposed_source),
	T(test_copy_to_ignores_format_with_same_itemsize),
	T(test_copy_to_shape_mismatch_refused),
	T(test_copy_to_ndim_mismatch_refused),
	T(test_copy_to_itemsize_mismatch_refused),
	T(test_copy_to_readonly_destination_is_erofs),
	T(test_copy_to_readonly_source_allowed),
	T(test_copy_to_overlap_shift_right),
	T(test_copy_to_overlap_shift_left),
	T(test_copy_to_overlap_reversed_onto_itself),
	T(test_copy_to_overlap_strided),
	T(test_copy_to_overlap_2d_transpose_in_place),
	T(test_copy_to_empty_views),
	T(test_copy_to_0d),
	T(test_fill_every_element),
	T(test_fill_strided_view),
	T(test_fill_2d_transposed),
	T(test_fill_double_nan),
	T(test_fill_out_of_range_writes_nothing),
	T(test_fill_wrong_type_refused),
	T(test_fill_readonly_is_erofs),
	T(test_fill_empty_view),
	T(test_fill_0d),
	T(test_equal_same_bytes),
	T(test_equal_different_values),
	T(test_equal_different_length),
	T(test_equal_different_shape_same_count),
	T(test_equal_signed_and_unsigned_bytes),
	T(test_equal_by_value_not_bytes),
	T(test_equal_double_and_int),
	T(test_equal_bool_and_int),
	T(test_equal_char_never_equals_int),
	T(test_equal_chars),
	T(test_equal_nan_is_not_equal_to_itself),
	T(test_equal_float_and_double_of_tenth_differ),
	T(test_equal_unsigned_max_and_minus_one_differ),
	T(test_equal_half_and_double),
	T(test_equal_transposed_and_c_copy),
	T(test_equal_empty_views_of_different_formats),
	T(test_equal_0d_views),
	T(test_equal_empty_views_of_different_ndim),
	T(test_equal_bool_from_nonzero_byte),
	T(test_tobytes_F_of_3d),
	T(test_copy_to_overlap_2d_shifted_rows),
};

UNIT_MAIN(tests)
