/* SPDX-License-Identifier: MIT */
/* Unit tests: one element at a time (vw_unpack, vw_pack, vw_get, vw_set).
 * Expected bytes and values come from Python's struct module and
 * memoryview item assignment (m[0] = x), e.g. struct.pack('<h', -2). */
#include "unit_fixtures.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static struct vw_format fmt(const char *s)
{
	struct vw_format f;

	assert_int_equal(vw_format_parse(s, &f, NULL), 0);
	return f;
}

static struct vw_value unpack_hex(const char *format, const char *hex)
{
	struct vw_format f = fmt(format);
	unsigned char b[16];
	struct vw_value v;
	size_t i;

	assert_int_equal(strlen(hex), 2 * f.itemsize);
	for (i = 0; i < f.itemsize; i++)
		sscanf(hex + 2 * i, "%2hhx", &b[i]);
	memset(&v, 0x77, sizeof(v));
	vw_unpack(&f, b, &v);
	return v;
}

/* Packs val with format; on success compares the bytes with hex. */
static int pack_hex(const char *format, struct vw_value val, const char *hex)
{
	struct vw_format f = fmt(format);
	unsigned char b[16], want[16];
	struct vw_error err = { 0 };
	size_t i;
	int rc;

	memset(b, 0xaa, sizeof(b));
	rc = vw_pack(&f, &val, b, &err);
	if (rc != 0) {
		for (i = 0; i < sizeof(b); i++)	/* nothing written */
			assert_int_equal(b[i], 0xaa);
		assert_int_equal(err.code, rc);
		return rc;
	}
	assert_non_null(hex);
	for (i = 0; i < f.itemsize; i++)
		sscanf(hex + 2 * i, "%2hhx", &want[i]);
	assert_memory_equal(b, want, f.itemsize);
	assert_int_equal(b[f.itemsize], 0xaa);
	return 0;
}

static void assert_int_value(struct vw_value v, int64_t i)
{
	assert_int_equal(v.type, VW_V_INT);
	assert_true(v.i == i);
}

static void assert_float_value(struct vw_value v, double d)
{
	assert_int_equal(v.type, VW_V_FLOAT);
	assert_memory_equal(&v.d, &d, sizeof(d));	/* bit-exact, -0.0 too */
}

/* ---- vw_unpack ---- */

static void test_unpack_b_is_signed(void **state)
{
	(void)state;
	assert_int_value(unpack_hex("b", "ff"), -1);
}

static void test_unpack_B_is_unsigned(void **state)
{
	(void)state;
	assert_int_value(unpack_hex("B", "ff"), 255);
}

static void test_unpack_little_endian_h(void **state)
{
	(void)state;
	/* struct.unpack('<h', bytes.fromhex('feff')) == (-2,) */
	assert_int_value(unpack_hex("<h", "feff"), -2);
}

static void test_unpack_little_endian_i(void **state)
{
	(void)state;
	/* struct.pack('<i', -123456789).hex() == 'eb32a4f8' */
	assert_int_value(unpack_hex("<i", "eb32a4f8"), -123456789);
}

static void test_unpack_q_minimum(void **state)
{
	(void)state;
	assert_int_value(unpack_hex("<q", "0000000000000080"), INT64_MIN);
}

static void test_unpack_Q_small_is_int(void **state)
{
	(void)state;
	/* header: VW_V_UINT only for values > INT64_MAX */
	assert_int_value(unpack_hex("<Q", "0500000000000000"), 5);
}

static void test_unpack_Q_above_int64_is_uint(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("<Q", "ffffffffffffffff");
	assert_int_equal(v.type, VW_V_UINT);
	assert_true(v.u == UINT64_MAX);
	v = unpack_hex("<Q", "0000000000000080");
	assert_int_equal(v.type, VW_V_UINT);
	assert_true(v.u == UINT64_C(9223372036854775808));
}

static void test_unpack_P_is_unsigned(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("P", "ffffffffffffffff");
	assert_int_equal(v.type, VW_V_UINT);
	assert_true(v.u == UINT64_MAX);
}

static void test_unpack_big_endian_i(void **state)
{
	(void)state;
	/* struct.unpack('>i', bytes.fromhex('00000100')) == (256,) */
	assert_int_value(unpack_hex(">i", "00000100"), 256);
}

static void test_unpack_network_order_H(void **state)
{
	(void)state;
	/* struct.unpack('!H', bytes.fromhex('0102')) == (258,) */
	assert_int_value(unpack_hex("!H", "0102"), 258);
}

static void test_unpack_f_gives_exact_double(void **state)
{
	(void)state;
	/* struct.unpack('<f', bytes.fromhex('cdcccc3d')) == (0.10000000149011612,) */
	assert_float_value(unpack_hex("<f", "cdcccc3d"), 0.10000000149011612);
}

static void test_unpack_big_endian_d(void **state)
{
	(void)state;
	assert_float_value(unpack_hex(">d", "3ff8000000000000"), 1.5);
}

static void test_unpack_d_negative_zero(void **state)
{
	(void)state;
	assert_float_value(unpack_hex("<d", "0000000000000080"), -0.0);
}

static void test_unpack_d_nan(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("<d", "000000000000f87f");
	assert_int_equal(v.type, VW_V_FLOAT);
	assert_true(isnan(v.d));
}

static void test_unpack_e_one(void **state)
{
	(void)state;
	/* struct.unpack('<e', bytes.fromhex('003c')) == (1.0,) */
	assert_float_value(unpack_hex("<e", "003c"), 1.0);
}

static void test_unpack_e_most_negative(void **state)
{
	(void)state;
	assert_float_value(unpack_hex("<e", "fffb"), -65504.0);
}

static void test_unpack_e_smallest_subnormal(void **state)
{
	(void)state;
	/* struct.unpack('<e', bytes.fromhex('0100')) == (5.960464477539063e-08,) */
	assert_float_value(unpack_hex("<e", "0100"), 5.960464477539063e-08);
}

static void test_unpack_e_smallest_normal(void **state)
{
	(void)state;
	assert_float_value(unpack_hex("<e", "0004"), 6.103515625e-05);
}

static void test_unpack_e_infinity(void **state)
{
	(void)state;
	assert_float_value(unpack_hex("<e", "007c"), INFINITY);
	assert_float_value(unpack_hex("<e", "00fc"), -INFINITY);
}

static void test_unpack_e_nan(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("<e", "007e");
	assert_int_equal(v.type, VW_V_FLOAT);
	assert_true(isnan(v.d));
}

static void test_unpack_e_negative_zero(void **state)
{
	(void)state;
	assert_float_value(unpack_hex("<e", "0080"), -0.0);
}

static void test_unpack_e_tenth(void **state)
{
	(void)state;
	/* struct.unpack('<e', struct.pack('<e', 0.1)) == (0.0999755859375,) */
	assert_float_value(unpack_hex("<e", "662e"), 0.0999755859375);
}

static void test_unpack_bool(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("?", "01");
	assert_int_equal(v.type, VW_V_BOOL);
	assert_int_equal(v.i, 1);
	v = unpack_hex("?", "00");
	assert_int_equal(v.type, VW_V_BOOL);
	assert_int_equal(v.i, 0);
}

static void test_unpack_char_is_one_byte(void **state)
{
	struct vw_value v;

	(void)state;
	v = unpack_hex("c", "78");
	assert_int_equal(v.type, VW_V_BYTES);
	assert_int_equal(v.nbytes, 1);
	assert_int_equal(v.bytes[0], 'x');
}

/* ---- vw_pack: integer ranges (memoryview: ValueError -> -ERANGE) ---- */

static void test_pack_b_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("b", val_int(127), "7f"), 0);
	assert_int_equal(pack_hex("b", val_int(-128), "80"), 0);
	assert_int_equal(pack_hex("b", val_int(128), NULL), -ERANGE);
	assert_int_equal(pack_hex("b", val_int(-129), NULL), -ERANGE);
}

static void test_pack_B_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("B", val_int(255), "ff"), 0);
	assert_int_equal(pack_hex("B", val_int(0), "00"), 0);
	assert_int_equal(pack_hex("B", val_int(256), NULL), -ERANGE);
	assert_int_equal(pack_hex("B", val_int(-1), NULL), -ERANGE);
}

static void test_pack_h_range(void **state)
{
	(void)state;
	/* struct.pack('<h', -2).hex() == 'feff' */
	assert_int_equal(pack_hex("<h", val_int(-2), "feff"), 0);
	assert_int_equal(pack_hex("h", val_int(32768), NULL), -ERANGE);
	assert_int_equal(pack_hex("h", val_int(-32769), NULL), -ERANGE);
}

static void test_pack_H_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<H", val_int(65535), "ffff"), 0);
	assert_int_equal(pack_hex("H", val_int(65536), NULL), -ERANGE);
	assert_int_equal(pack_hex("H", val_int(-1), NULL), -ERANGE);
}

static void test_pack_i_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<i", val_int(-123456789), "eb32a4f8"), 0);
	assert_int_equal(pack_hex("i", val_int(2147483648LL), NULL), -ERANGE);
	assert_int_equal(pack_hex("i", val_int(-2147483649LL), NULL), -ERANGE);
}

static void test_pack_I_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<I", val_int(4294967295LL), "ffffffff"), 0);
	assert_int_equal(pack_hex("I", val_int(4294967296LL), NULL), -ERANGE);
	assert_int_equal(pack_hex("I", val_int(-1), NULL), -ERANGE);
}

static void test_pack_standard_l_is_four_bytes(void **state)
{
	(void)state;
	/* struct.pack('<l', 2**31): struct.error, argument out of range */
	assert_int_equal(pack_hex("<l", val_int(2147483647), "ffffff7f"), 0);
	assert_int_equal(pack_hex("<l", val_int(2147483648LL), NULL), -ERANGE);
}

static void test_pack_q_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<q", val_int(INT64_MIN), "0000000000000080"),
			 0);
	assert_int_equal(pack_hex("q", val_uint(UINT64_C(9223372036854775808)),
				  NULL), -ERANGE);
}

static void test_pack_Q_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<Q", val_uint(UINT64_MAX),
				  "ffffffffffffffff"), 0);
	assert_int_equal(pack_hex("Q", val_int(-1), NULL), -ERANGE);
}

static void test_pack_n_N_range(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("n", val_int(INT64_MIN), "0000000000000080"),
			 0);
	assert_int_equal(pack_hex("n", val_uint(UINT64_MAX), NULL), -ERANGE);
	assert_int_equal(pack_hex("N", val_uint(UINT64_MAX),
				  "ffffffffffffffff"), 0);
	assert_int_equal(pack_hex("N", val_int(-1), NULL), -ERANGE);
}

static void test_pack_P_negative_wraps(void **state)
{
	(void)state;
	/* m = memoryview(bytearray(8)).cast('P'); m[0] = -1; m[0] == 2**64-1 */
	assert_int_equal(pack_hex("P", val_int(-1), "ffffffffffffffff"), 0);
	assert_int_equal(pack_hex("P", val_int(INT64_MIN), "0000000000000080"),
			 0);
	assert_int_equal(pack_hex("P", val_uint(UINT64_MAX),
				  "ffffffffffffffff"), 0);
}

static void test_pack_bigint_into_integer_formats_is_erange(void **state)
{
	(void)state;
	/* m[0] = 2**70 for 'q', 'Q', 'P': ValueError */
	assert_int_equal(pack_hex("q", val_bigint(1180591620717411303424.0),
				  NULL), -ERANGE);
	assert_int_equal(pack_hex("Q", val_bigint(1180591620717411303424.0),
				  NULL), -ERANGE);
	assert_int_equal(pack_hex("P", val_bigint(-1180591620717411303424.0),
				  NULL), -ERANGE);
}

static void test_pack_bool_into_integer_format(void **state)
{
	(void)state;
	/* m[0] = True for 'B' stores 1 */
	assert_int_equal(pack_hex("B", val_bool(1), "01"), 0);
	assert_int_equal(pack_hex("<i", val_bool(1), "01000000"), 0);
}

static void test_pack_float_into_integer_format_is_einval(void **state)
{
	(void)state;
	/* m[0] = 1.0 for 'B': TypeError: memoryview: invalid type for format */
	assert_int_equal(pack_hex("B", val_float(1.0), NULL), -EINVAL);
	assert_int_equal(pack_hex("q", val_float(2.5), NULL), -EINVAL);
}

static void test_pack_bytes_into_integer_format_is_einval(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("B", val_bytes("x", 1), NULL), -EINVAL);
}

static void test_pack_big_endian_h(void **state)
{
	(void)state;
	/* struct.pack('>h', 258).hex() == '0102' */
	assert_int_equal(pack_hex(">h", val_int(258), "0102"), 0);
}

/* ---- vw_pack: floats ---- */

static void test_pack_int_into_double(void **state)
{
	(void)state;
	/* struct.pack('<d', 3).hex() */
	assert_int_equal(pack_hex("<d", val_int(3), "0000000000000840"), 0);
}

static void test_pack_large_int_into_double_rounds(void **state)
{
	(void)state;
	/* float(2**64-1) == 1.8446744073709552e+19 -> '000000000000f043' */
	assert_int_equal(pack_hex("<d", val_uint(UINT64_MAX), "000000000000f043"),
			 0);
}

static void test_pack_bigint_into_double(void **state)
{
	(void)state;
	/* m[0] = 2**70 for 'd' -> 1.1805916207174113e+21 ('0000000000005044') */
	assert_int_equal(pack_hex("<d", val_bigint(1180591620717411303424.0),
				  "0000000000005044"), 0);
}

static void test_pack_int_too_large_for_double_is_erange(void **state)
{
	(void)state;
	/* m[0] = 10**400 for 'd': ValueError (OverflowError in float()) */
	assert_int_equal(pack_hex("d", val_bigint(INFINITY), NULL), -ERANGE);
	assert_int_equal(pack_hex("f", val_bigint(-INFINITY), NULL), -ERANGE);
}

static void test_pack_bool_into_double(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("<d", val_bool(1), "000000000000f03f"), 0);
}

static void test_pack_f_rounds_to_float(void **state)
{
	(void)state;
	/* struct.pack('<f', 0.1).hex() == 'cdcccc3d' */
	assert_int_equal(pack_hex("<f", val_float(0.1), "cdcccc3d"), 0);
}

static void test_pack_f_overflow_stores_infinity(void **state)
{
	(void)state;
	/* m = memoryview(bytearray(4)).cast('f'); m[0] = 1e300; m[0] == inf */
	assert_int_equal(pack_hex("<f", val_float(1e300), "0000807f"), 0);
	assert_int_equal(pack_hex("<f", val_float(-1e300), "000080ff"), 0);
}

static void test_pack_f_max(void **state)
{
	(void)state;
	/* struct.pack('<f', 3.4028234663852886e38).hex() == 'ffff7f7f' */
	assert_int_equal(pack_hex("<f", val_float(3.4028234663852886e38),
				  "ffff7f7f"), 0);
}

static void test_pack_e_max(void **state)
{
	(void)state;
	/* struct.pack('<e', 65504.0).hex() == 'ff7b'; 65519.99 rounds down */
	assert_int_equal(pack_hex("<e", val_float(65504.0), "ff7b"), 0);
	assert_int_equal(pack_hex("<e", val_float(65519.99), "ff7b"), 0);
}

static void test_pack_e_too_large_is_erange(void **state)
{
	(void)state;
	/* struct.pack('<e', 65520.0): OverflowError float too large */
	assert_int_equal(pack_hex("e", val_float(65520.0), NULL), -ERANGE);
	assert_int_equal(pack_hex("e", val_float(-1e10), NULL), -ERANGE);
	assert_int_equal(pack_hex("e", val_int(100000), NULL), -ERANGE);
}

static void test_pack_e_infinity_and_nan(void **state)
{
	(void)state;
	/* struct.pack('<e', inf).hex() == '007c'; nan -> '007e' */
	assert_int_equal(pack_hex("<e", val_float(INFINITY), "007c"), 0);
	assert_int_equal(pack_hex("<e", val_float(-INFINITY), "00fc"), 0);
	assert_int_equal(pack_hex("<e", val_float(NAN), "007e"), 0);
}

static void test_pack_e_rounding(void **state)
{
	(void)state;
	/* struct.pack('<e', x).hex(): 0.1 -> '662e', 1e-08 -> '0000',
	 * 6e-08 -> '0100', -0.0 -> '0080', 2 -> '0040' */
	assert_int_equal(pack_hex("<e", val_float(0.1), "662e"), 0);
	assert_int_equal(pack_hex("<e", val_float(1e-8), "0000"), 0);
	assert_int_equal(pack_hex("<e", val_float(6e-8), "0100"), 0);
	assert_int_equal(pack_hex("<e", val_float(-0.0), "0080"), 0);
	assert_int_equal(pack_hex("<e", val_int(2), "0040"), 0);
}

static void test_pack_e_round_half_to_even(void **state)
{
	(void)state;
	/* 1 + 2**-11 is halfway between 1.0 and 1.0009765625:
	 * struct.pack('<e', 1 + 2**-11).hex() == '003c' (even);
	 * 1 + 3 * 2**-11 -> '023c' */
	assert_int_equal(pack_hex("<e", val_float(1.0 + 0x1p-11), "003c"), 0);
	assert_int_equal(pack_hex("<e", val_float(1.0 + 3 * 0x1p-11), "023c"),
			 0);
}

static void test_pack_bytes_into_float_is_einval(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("d", val_bytes("x", 1), NULL), -EINVAL);
}

static void test_pack_big_endian_d(void **state)
{
	(void)state;
	assert_int_equal(pack_hex(">d", val_float(1.5), "3ff8000000000000"), 0);
}

/* ---- vw_pack: '?' and 'c' ---- */

static void test_pack_bool_format_stores_truth_value(void **state)
{
	(void)state;
	/* m = memoryview(bytearray(1)).cast('?'); m[0] = 2 -> b'\x01';
	 * 0.0 -> b'\x00'; nan -> b'\x01'; b'' -> b'\x00'; b'x' -> b'\x01' */
	assert_int_equal(pack_hex("?", val_int(2), "01"), 0);
	assert_int_equal(pack_hex("?", val_int(0), "00"), 0);
	assert_int_equal(pack_hex("?", val_float(0.0), "00"), 0);
	assert_int_equal(pack_hex("?", val_float(NAN), "01"), 0);
	assert_int_equal(pack_hex("?", val_bytes("", 0), "00"), 0);
	assert_int_equal(pack_hex("?", val_bytes("x", 1), "01"), 0);
	assert_int_equal(pack_hex("?", val_uint(UINT64_MAX), "01"), 0);
	assert_int_equal(pack_hex("?", val_bigint(1e30), "01"), 0);
	assert_int_equal(pack_hex("?", val_bool(0), "00"), 0);
}

static void test_pack_char_takes_one_byte(void **state)
{
	(void)state;
	assert_int_equal(pack_hex("c", val_bytes("x", 1), "78"), 0);
}

static void test_pack_char_refuses_other_lengths(void **state)
{
	(void)state;
	/* m[0] = b'' / b'ab' for 'c': ValueError (the header leaves the
	 * errno open: only failure and "nothing written" are checked) */
	assert_true(pack_hex("c", val_bytes("", 0), NULL) < 0);
	assert_true(pack_hex("c", val_bytes("ab", 2), NULL) < 0);
}

static void test_pack_char_refuses_non_bytes(void **state)
{
	(void)state;
	/* m[0] = 1 for 'c': TypeError: invalid type for format 'c' */
	assert_int_equal(pack_hex("c", val_int(120), NULL), -EINVAL);
	assert_int_equal(pack_hex("c", val_bool(1), NULL), -EINVAL);
	assert_int_equal(pack_hex("c", val_float(1.0), NULL), -EINVAL);
}

static void test_pack_unpack_round_trip_every_format(void **state)
{
	static const char *fmts[] = { "b", "B", "h", "H", "i", "I", "l", "L",
				      "q", "Q", "n", "N", "P", ">i", "<H",
				      "!q" };
	unsigned char b[8];
	struct vw_value in = val_int(100), out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct vw_format f = fmt(fmts[i]);

		assert_int_equal(vw_pack(&f, &in, b, NULL), 0);
		vw_unpack(&f, b, &out);
		assert_int_value(out, 100);
	}
}

/* ---- vw_get / vw_set ---- */

static void test_get_1d_negative_index(void **state)
{
	struct fx *f = *state;
	ssize_t idx[] = { -1 };
	struct vw_value v;

	assert_int_equal(vw_get(&f->v[0], idx, &v, &f->err), 0);
	assert_int_value(v, 255);
}

static void test_get_2d(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, idx[] = { 1, -1 };
	struct vw_value v;

	/* np.arange(12).reshape(3, 4)[1, -1] == 7 */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_get(&f->v[1], idx, &v, &f->err), 0);
	assert_int_value(v, 7);
}

static void test_get_through_negative_stride(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4 }, idx[] = { 0 };
	struct vw_value v;

	/* bytes 0..15 as '<h' -> [256, 770, 1284, 1798]; [::-1][0] == 1798 */
	fx_typed(f, &f->v[1], "<h", 1, s);
	slice_expr(&f->v[2], &f->v[1], "::-1");
	assert_int_equal(vw_get(&f->v[2], idx, &v, &f->err), 0);
	assert_int_value(v, 1798);
}

static void test_get_0d_with_null_index(void **state)
{
	struct fx *f = *state;
	struct vw_value v;

	slice_expr(&f->v[1], &f->v[0], "42");
	assert_int_equal(vw_get(&f->v[1], NULL, &v, &f->err), 0);
	assert_int_value(v, 42);
}

static void test_get_index_out_of_range_is_erange(void **state)
{
	struct fx *f = *state;
	ssize_t hi[] = { 256 }, lo[] = { -257 };
	struct vw_value v;

	assert_int_equal(vw_get(&f->v[0], hi, &v, &f->err), -ERANGE);
	assert_int_equal(f->err.code, -ERANGE);
	assert_int_equal(vw_get(&f->v[0], lo, &v, &f->err), -ERANGE);
}

static void test_get_second_index_out_of_range_is_erange(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, idx[] = { 0, 4 };
	struct vw_value v;

	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_get(&f->v[1], idx, &v, &f->err), -ERANGE);
}

static void test_set_2d_writes_through_strides(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 }, idx[] = { 2, 1 };
	struct vw_value v = val_int(-2);

	/* a = np.arange(12, dtype='<i2')... here a (3, 4) '<h' view over
	 * 24 bytes, transposed: T[2, 1] is a[1, 2] at byte 2 * (1*4 + 2) */
	fx_typed(f, &f->v[1], "<h", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(vw_set(&f->v[2], idx, &v, &f->err), 0);
	assert_int_equal(f->mem[12], 0xfe);
	assert_int_equal(f->mem[13], 0xff);
	assert_int_equal(f->mem[11], 11);
	assert_int_equal(f->mem[14], 14);
}

static void test_set_negative_index(void **state)
{
	struct fx *f = *state;
	ssize_t idx[] = { -2 };
	struct vw_value v = val_int(7);

	assert_int_equal(vw_set(&f->v[0], idx, &v, &f->err), 0);
	assert_int_equal(f->mem[254], 7);
}

static void test_set_0d_with_null_index(void **state)
{
	struct fx *f = *state;
	struct vw_value v = val_int(99);

	slice_expr(&f->v[1], &f->v[0], "3");
	assert_int_equal(vw_set(&f->v[1], NULL, &v, &f->err), 0);
	assert_int_equal(f->mem[3], 99);
}

static void test_set_readonly_is_erofs(void **state)
{
	struct fx *f = *state;
	ssize_t idx[] = { 0 };
	struct vw_value v = val_int(99);

	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_set(&f->v[1], idx, &v, &f->err), -EROFS);
	assert_int_equal(f->err.code, -EROFS);
	assert_int_equal(f->mem[0], 0);
}

static void test_set_index_out_of_range_is_erange(void **state)
{
	struct fx *f = *state;
	ssize_t idx[] = { 256 };
	struct vw_value v = val_int(1);

	assert_int_equal(vw_set(&f->v[0], idx, &v, &f->err), -ERANGE);
}

static void test_set_value_out_of_range_writes_nothing(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 4 }, idx[] = { 1 };
	struct vw_value v = val_int(40000);

	fx_typed(f, &f->v[1], "h", 1, s);
	assert_int_equal(vw_set(&f->v[1], idx, &v, &f->err), -ERANGE);
	assert_int_equal(f->mem[2], 2);
	assert_int_equal(f->mem[3], 3);
}

static void test_set_wrong_type_is_einval(void **state)
{
	struct fx *f = *state;
	ssize_t idx[] = { 0 };
	struct vw_value v = val_float(1.5);

	assert_int_equal(vw_set(&f->v[0], idx, &v, &f->err), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_set_then_get_double(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2 }, idx[] = { 1 };
	struct vw_value in = val_float(-0.0), out;

	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(vw_set(&f->v[1], idx, &in, &f->err), 0);
	assert_int_equal(vw_get(&f->v[1], idx, &out, &f->err), 0);
	assert_float_value(out, -0.0);
}

static void test_unpack_bool_any_nonzero_byte_is_true(void **state)
{
	struct vw_value v;

	(void)state;
	/* struct.unpack('?', b'\x02') == (True,) */
	v = unpack_hex("?", "02");
	assert_int_equal(v.type, VW_V_BOOL);
	assert_int_equal(v.i, 1);
	v = unpack_hex("?", "80");
	assert_int_equal(v.i, 1);
}

static const struct CMUnitTest tests[] = {
	T(test_unpack_b_is_signed),
	T(test_unpack_B_is_unsigned),
	T(test_unpack_little_endian_h),
	T(test_unpack_little_endian_i),
	T(test_unpack_q_minimum),
	T(test_unpack_Q_small_is_int),
	T(test_unpack_Q_above_int64_is_uint),
	T(test_unpack_P_is_unsigned),
	T(test_unpack_big_endian_i),
	T(test_unpack_network_order_H),
	T(test_unpack_f_gives_exact_double),
	T(test_unpack_big_endian_d),
	T(test_unpack_d_negative_zero),
	T(test_unpack_d_nan),
	T(test_unpack_e_one),
	T(test_unpack_e_most_negative),
	T(test_unpack_e_smallest_subnormal),
	T(test_unpack_e_smallest_normal),
	T(test_unpack_e_infinity),
	T(test_unpack_e_nan),
	T(test_unpack_e_negative_zero),
	T(test_unpack_e_tenth),
	T(test_unpack_bool),
	T(test_unpack_char_is_one_byte),
	T(test_pack_b_range),
	T(test_pack_B_range),
	T(test_pack_h_range),
	T(test_pack_H_range),
	T(test_pack_i_range),
	T(test_pack_I_range),
	T(test_pack_standard_l_is_four_bytes),
	T(test_pack_q_range),
	T(test_pack_Q_range),
	T(test_pack_n_N_range),
	T(test_pack_P_negative_wraps),
	T(test_pack_bigint_into_integer_formats_is_erange),
	T(test_pack_bool_into_integer_format),
	T(test_pack_float_into_integer_format_is_einval),
	T(test_pack_bytes_into_integer_format_is_einval),
	T(test_pack_big_endian_h),
	T(test_pack_int_into_double),
	T(test_pack_large_int_into_double_rounds),
	T(test_pack_bigint_into_double),
	T(test_pack_int_too_large_for_double_is_erange),
	T(test_pack_bool_into_double),
	T(test_pack_f_rounds_to_float),
	T(test_pack_f_overflow_stores_infinity),
	T(test_pack_f_max),
	T(test_pack_e_max),
	T(test_pack_e_too_large_is_erange),
	T(test_pack_e_infinity_and_nan),
	T(test_pack_e_rounding),
	T(test_pack_e_round_half_to_even),
	T(test_pack_bytes_into_float_is_einval),
	T(test_pack_big_endian_d),
	T(test_pack_bool_format_stores_truth_value),
	T(test_pack_char_takes_one_byte),
	T(test_pack_char_refuses_other_lengths),
	T(test_pack_char_refuses_non_bytes),
	T(test_pack_unpack_round_trip_every_format),
	T(test_get_1d_negative_index),
	T(test_get_2d),
	T(test_get_through_negative_stride),
	T(test_get_0d_with_null_index),
	T(test_get_index_out_of_range_is_erange),
	T(test_get_second_index_out_of_range_is_erange),
	T(test_set_2d_writes_through_strides),
	T(test_set_negative_index),
	T(test_set_0d_with_null_index),
	T(test_set_readonly_is_erofs),
	T(test_set_index_out_of_range_is_erange),
	T(test_set_value_out_of_range_writes_nothing),
	T(test_set_wrong_type_is_einval),
	T(test_set_then_get_double),
	T(test_unpack_bool_any_nonzero_byte_is_true),
};

UNIT_MAIN(tests)
