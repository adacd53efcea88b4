/* SPDX-License-Identifier: MIT */
/* Unit tests: text output (vw_tolist, vw_hex, vw_info_json,
 * vw_format_value), captured with open_memstream.  Expected text is
 * Python's repr(m.tolist()), m.hex(...), repr(x); spacing in tolist and
 * JSON is free (VIEW-CLI.md), so those are compared without whitespace
 * outside quotes. */
#include "unit_fixtures.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *tolist(struct fx *f, const struct vw_view *v)
{
	static char text[8192];

	capture_open(&f->cap);
	assert_int_equal(vw_tolist(v, f->cap.f, &f->err), 0);
	snprintf(text, sizeof(text), "%s", capture_text(&f->cap));
	capture_free(&f->cap);
	return text;
}

#define assert_tolist(f, v, want) \
	do { \
		char got_[8192]; \
		snprintf(got_, sizeof(got_), "%s", strip_ws(tolist(f, v))); \
		assert_string_equal(got_, strip_ws(want)); \
	} while (0)

static FILE *full_stream(void)
{
	FILE *fp = fopen("/dev/full", "w");

	if (!fp) {
		print_message("skip: /dev/full not available\n");
		skip();
	}
	setvbuf(fp, NULL, _IONBF, 0);
	return fp;
}

/* ---- vw_tolist ---- */

static void test_tolist_1d_bytes(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], ":5");
	assert_tolist(f, &f->v[1], "[0, 1, 2, 3, 4]");
}

static void test_tolist_exact_python_spacing(void **state)
{
	struct fx *f = *state;

	/* repr([0, 1, 2]) -- the header promises repr(), so spacing too */
	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_string_equal(tolist(f, &f->v[1]), "[0, 1, 2]");
}

static void test_tolist_2d_nested(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };

	/* memoryview(bytes(range(6))).cast('B', [2, 3]).tolist() */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_tolist(f, &f->v[1], "[[0, 1, 2], [3, 4, 5]]");
}

static void test_tolist_2d_transposed(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };

	/* np.arange(6).reshape(2, 3).T.tolist() */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_tolist(f, &f->v[2], "[[0, 3], [1, 4], [2, 5]]");
}

static void test_tolist_3d(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 2, 2 };

	fx_typed(f, &f->v[1], "B", 3, s);
	assert_tolist(f, &f->v[1], "[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]");
}

static void test_tolist_reversed(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "4::-1");
	assert_tolist(f, &f->v[1], "[4, 3, 2, 1, 0]");
}

static void test_tolist_0d_is_bare_element(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\x07').cast('B', []).tolist() == 7 */
	slice_expr(&f->v[1], &f->v[0], "7");
	assert_tolist(f, &f->v[1], "7");
}

static void test_tolist_empty(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "3:3");
	assert_tolist(f, &f->v[1], "[]");
}

static void test_tolist_empty_inner_dimension(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };

	/* np.zeros((2, 0)).tolist() == [[], []] */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], ":,0:0");
	assert_tolist(f, &f->v[2], "[[], []]");
}

static void test_tolist_empty_outer_dimension(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };

	/* np.zeros((0, 3)).tolist() == [] */
	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "0:0");
	assert_tolist(f, &f->v[2], "[]");
}

static void test_tolist_special_doubles(void **state)
{
	struct fx *f = *state;
	double d[4] = { 1.5, NAN, -INFINITY, -0.0 };
	ssize_t s[] = { 4 };

	/* memoryview(struct.pack('4d', 1.5, nan, -inf, -0.0)).cast('d')
	 * .tolist() -> [1.5, nan, -inf, -0.0] */
	memcpy(f->mem, d, sizeof(d));
	fx_typed(f, &f->v[1], "d", 1, s);
	assert_tolist(f, &f->v[1], "[1.5, nan, -inf, -0.0]");
}

static void test_tolist_float_is_exact_double(void **state)
{
	struct fx *f = *state;
	float x = 0.1f;
	ssize_t s[] = { 1 };

	/* memoryview(struct.pack('f', 0.1)).cast('f').tolist()
	 * -> [0.10000000149011612] */
	memcpy(f->mem, &x, 4);
	fx_typed(f, &f->v[1], "f", 1, s);
	assert_tolist(f, &f->v[1], "[0.10000000149011612]");
}

static void test_tolist_half(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3 };

	/* struct.unpack('<3e', bytes.fromhex('662e007c0100'))
	 * -> (0.0999755859375, inf, 5.960464477539063e-08) */
	memcpy(f->mem, "\x66\x2e\x00\x7c\x01\x00", 6);
	fx_typed(f, &f->v[1], "<e", 1, s);
	assert_tolist(f, &f->v[1], "[0.0999755859375, inf, 5.960464477539063e-08]");
}

static void test_tolist_bools(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'\x01\x00').cast('?').tolist() -> [True, False] */
	slice_expr(&f->v[2], &f->v[0], "0:2");
	f->mem[0] = 1;
	f->mem[1] = 0;
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "?", 0, NULL, &f->err), 0);
	assert_tolist(f, &f->v[3], "[True, False]");
}

static void test_tolist_chars(void **state)
{
	struct fx *f = *state;

	/* memoryview(b'a\x00\'\\\n\t\xff"').cast('c').tolist() */
	memcpy(f->mem, "a\0'\\\n\t\xff\"", 8);
	slice_expr(&f->v[1], &f->v[0], ":8");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_tolist(f, &f->v[2],
		      "[b'a', b'\\x00', b\"'\", b'\\\\', b'\\n', b'\\t', b'\\xff', b'\"']");
}

static void test_tolist_64bit_extremes(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 1 };

	memset(f->mem, 0xff, 8);
	memcpy(f->mem + 8, "\0\0\0\0\0\0\0\x80", 8);
	fx_typed(f, &f->v[1], "Q", 1, s);
	assert_tolist(f, &f->v[1], "[18446744073709551615]");
	slice_expr(&f->v[2], &f->v[0], "8:16");
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "<q", 0, NULL, &f->err),
			 0);
	assert_tolist(f, &f->v[3], "[-9223372036854775808]");
}

static void test_tolist_write_error_is_eio(void **state)
{
	struct fx *f = *state;
	FILE *fp = full_stream();

	assert_int_equal(vw_tolist(&f->v[0], fp, &f->err), -EIO);
	fclose(fp);
}

/* ---- vw_format_value ---- */

static void expect_repr(struct vw_value v, const char *want)
{
	struct capture c;

	capture_open(&c);
	assert_int_equal(vw_format_value(&v, c.f), 0);
	assert_string_equal(capture_text(&c), want);
	capture_free(&c);
}

static void test_format_value_ints(void **state)
{
	(void)state;
	expect_repr(val_int(-5), "-5");
	expect_repr(val_int(INT64_MIN), "-9223372036854775808");
	expect_repr(val_uint(UINT64_MAX), "18446744073709551615");
}

static void test_format_value_bools(void **state)
{
	(void)state;
	expect_repr(val_bool(1), "True");
	expect_repr(val_bool(0), "False");
}

static void test_format_value_float_repr(void **state)
{
	(void)state;
	/* repr() of each */
	expect_repr(val_float(0.1), "0.1");
	expect_repr(val_float(100.0), "100.0");
	expect_repr(val_float(1e16), "1e+16");
	expect_repr(val_float(1e15), "1000000000000000.0");
	expect_repr(val_float(1e-5), "1e-05");
	expect_repr(val_float(2.5e-5), "2.5e-05");
	expect_repr(val_float(0.0001), "0.0001");
	expect_repr(val_float(1.5e-7), "1.5e-07");
	expect_repr(val_float(1e22), "1e+22");
	expect_repr(val_float(123456789012345680.0), "1.2345678901234568e+17");
	expect_repr(val_float(5e-324), "5e-324");
	expect_repr(val_float(1.7976931348623157e308), "1.7976931348623157e+308");
}

static void test_format_value_float_specials(void **state)
{
	(void)state;
	expect_repr(val_float(NAN), "nan");
	expect_repr(val_float(-NAN), "nan");
	expect_repr(val_float(INFINITY), "inf");
	expect_repr(val_float(-INFINITY), "-inf");
	expect_repr(val_float(-0.0), "-0.0");
	expect_repr(val_float(0.0), "0.0");
}

static void test_format_value_bytes_repr(void **state)
{
	(void)state;
	/* repr(b'x'), repr(b'\x00'), repr(b"'"), repr(b'\\'), ... */
	expect_repr(val_bytes("x", 1), "b'x'");
	expect_repr(val_bytes("\0", 1), "b'\\x00'");
	expect_repr(val_bytes("'", 1), "b\"'\"");
	expect_repr(val_bytes("\"", 1), "b'\"'");
	expect_repr(val_bytes("\\", 1), "b'\\\\'");
	expect_repr(val_bytes("\n", 1), "b'\\n'");
	expect_repr(val_bytes("\r", 1), "b'\\r'");
	expect_repr(val_bytes("\t", 1), "b'\\t'");
	expect_repr(val_bytes("\x7f", 1), "b'\\x7f'");
	expect_repr(val_bytes("\xff", 1), "b'\\xff'");
	expect_repr(val_bytes(" ", 1), "b' '");
	expect_repr(val_bytes("", 0), "b''");
}

static void test_format_value_write_error_is_eio(void **state)
{
	FILE *fp = full_stream();
	struct vw_value v = val_int(12345);

	(void)state;
	assert_int_equal(vw_format_value(&v, fp), -EIO);
	fclose(fp);
}

/* ---- vw_hex ---- */

static const char *hex(struct fx *f, const struct vw_view *v, char sep,
		       int bps)
{
	static char text[1024];

	capture_open(&f->cap);
	assert_int_equal(vw_hex(v, sep, bps, f->cap.f, &f->err), 0);
	snprintf(text, sizeof(text), "%s", capture_text(&f->cap));
	capture_free(&f->cap);
	return text;
}

static void test_hex_plain(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3, 4, 5]).hex() */
	slice_expr(&f->v[1], &f->v[0], "1:6");
	assert_string_equal(hex(f, &f->v[1], 0, 0), "0102030405");
}

static void test_hex_groups_from_the_right(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3, 4, 5]).hex(':', 2) == '01:0203:0405' */
	slice_expr(&f->v[1], &f->v[0], "1:6");
	assert_string_equal(hex(f, &f->v[1], ':', 2), "01:0203:0405");
	/* .hex(':', 3) == '0102:030405' */
	assert_string_equal(hex(f, &f->v[1], ':', 3), "0102:030405");
}

static void test_hex_negative_groups_from_the_left(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3, 4, 5]).hex(':', -2) == '0102:0304:05' */
	slice_expr(&f->v[1], &f->v[0], "1:6");
	assert_string_equal(hex(f, &f->v[1], ':', -2), "0102:0304:05");
	/* .hex(':', -3) == '010203:0405' */
	assert_string_equal(hex(f, &f->v[1], ':', -3), "010203:0405");
}

static void test_hex_every_byte(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3, 4, 5]).hex(' ', 1) */
	slice_expr(&f->v[1], &f->v[0], "1:6");
	assert_string_equal(hex(f, &f->v[1], ' ', 1), "01 02 03 04 05");
}

static void test_hex_zero_group_means_no_separator(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3]).hex(':', 0) == '010203' */
	slice_expr(&f->v[1], &f->v[0], "1:4");
	assert_string_equal(hex(f, &f->v[1], ':', 0), "010203");
}

static void test_hex_group_longer_than_data(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3]).hex(':', 5) == '010203' */
	slice_expr(&f->v[1], &f->v[0], "1:4");
	assert_string_equal(hex(f, &f->v[1], ':', 5), "010203");
	assert_string_equal(hex(f, &f->v[1], ':', -5), "010203");
}

static void test_hex_no_separator_char_ignores_groups(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "1:4");
	assert_string_equal(hex(f, &f->v[1], 0, 2), "010203");
}

static void test_hex_non_contiguous_is_c_order(void **state)
{
	struct fx *f = *state;

	/* memoryview(bytes(range(6)))[5:0:-2].hex() == '050301' */
	slice_expr(&f->v[1], &f->v[0], "5:0:-2");
	assert_string_equal(hex(f, &f->v[1], 0, 0), "050301");
}

static void test_hex_transposed_is_c_order(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };

	/* np.arange(6, dtype='B').reshape(2, 3).T.tobytes().hex() */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_string_equal(hex(f, &f->v[2], 0, 0), "000301040205");
}

static void test_hex_typed_view_is_raw_bytes(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2 };

	/* memoryview(bytes(range(4))).cast('h').hex(':', 1) */
	fx_typed(f, &f->v[1], "h", 1, s);
	assert_string_equal(hex(f, &f->v[1], ':', 1), "00:01:02:03");
}

static void test_hex_empty(void **state)
{
	struct fx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "0:0");
	assert_string_equal(hex(f, &f->v[1], ':', 2), "");
}

static void test_hex_non_ascii_separator_refused(void **state)
{
	struct fx *f = *state;

	/* b'ab'.hex('\xe9'): ValueError: sep must be ASCII. */
	capture_open(&f->cap);
	assert_int_equal(vw_hex(&f->v[0], (char)0xe9, 1, f->cap.f, &f->err),
			 -EINVAL);
	assert_string_equal(capture_text(&f->cap), "");
}

static void test_hex_any_ascii_separator_allowed(void **state)
{
	struct fx *f = *state;

	/* bytes([1, 2, 3]).hex('\n') == '01\n02\n03' */
	slice_expr(&f->v[1], &f->v[0], "1:4");
	assert_string_equal(hex(f, &f->v[1], '\n', 1), "01\n02\n03");
}

static void test_hex_write_error_is_eio(void **state)
{
	struct fx *f = *state;
	FILE *fp = full_stream();

	assert_int_equal(vw_hex(&f->v[0], 0, 0, fp, &f->err), -EIO);
	fclose(fp);
}

/* ---- vw_info_json ---- */

static const char *info(struct fx *f, const struct vw_view *v)
{
	static char text[2048];

	capture_open(&f->cap);
	assert_int_equal(vw_info_json(v, f->cap.f, &f->err), 0);
	snprintf(text, sizeof(text), "%s", strip_ws(capture_text(&f->cap)));
	capture_free(&f->cap);
	return text;
}

/* Every "key":value pair of want (whitespace-free, one per line) must
 * occur in got, which must be one object. */
static void assert_json_has(const char *got, const char *const *pairs)
{
	size_t n = strlen(got);

	assert_true(n >= 2);
	assert_int_equal(got[0], '{');
	assert_int_equal(got[n - 1], '}');
	for (; *pairs; pairs++) {
		if (!strstr(got, *pairs))
			fail_msg("%s lacks %s", got, *pairs);
	}
}

static void test_info_json_1d_bytes(void **state)
{
	struct fx *f = *state;
	/* m = memoryview(bytearray(256)): format 'B', itemsize 1, ndim 1,
	 * shape (256,), strides (1,), nbytes 256, readonly False, c/f/contig */
	static const char *const pairs[] = {
		"\"format\":\"B\"", "\"itemsize\":1", "\"ndim\":1",
		"\"shape\":[256]", "\"strides\":[1]", "\"nbytes\":256",
		"\"readonly\":false", "\"c_contiguous\":true",
		"\"f_contiguous\":true", "\"contiguous\":true", NULL
	};

	assert_json_has(info(f, &f->v[0]), pairs);
}

static void test_info_json_2d_negative_strides(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 3, 4 };
	/* np.zeros((3, 4), 'h')[::-1, ::2]: shape (3, 2), strides (-8, 4) */
	static const char *const pairs[] = {
		"\"format\":\"h\"", "\"itemsize\":2", "\"ndim\":2",
		"\"shape\":[3,2]", "\"strides\":[-8,4]", "\"nbytes\":12",
		"\"c_contiguous\":false", "\"f_contiguous\":false",
		"\"contiguous\":false", NULL
	};

	fx_typed(f, &f->v[1], "h", 2, s);
	slice_expr(&f->v[2], &f->v[1], "::-1,::2");
	assert_json_has(info(f, &f->v[2]), pairs);
}

static void test_info_json_fortran_view(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2, 3 };
	static const char *const pairs[] = {
		"\"shape\":[3,2]", "\"strides\":[1,3]",
		"\"c_contiguous\":false", "\"f_contiguous\":true",
		"\"contiguous\":true", NULL
	};

	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_json_has(info(f, &f->v[2]), pairs);
}

static void test_info_json_0d(void **state)
{
	struct fx *f = *state;
	ssize_t none[1] = { 0 };
	/* memoryview(bytes(8)).cast('d', []): shape (), strides () */
	static const char *const pairs[] = {
		"\"format\":\"d\"", "\"itemsize\":8", "\"ndim\":0",
		"\"shape\":[]", "\"strides\":[]", "\"nbytes\":8",
		"\"c_contiguous\":true", "\"f_contiguous\":true",
		"\"contiguous\":true", NULL
	};

	fx_typed(f, &f->v[1], "d", 0, none);
	assert_json_has(info(f, &f->v[1]), pairs);
}

static void test_info_json_format_as_written(void **state)
{
	struct fx *f = *state;
	ssize_t s[] = { 2 };
	static const char *const pairs[] = { "\"format\":\"@d\"", NULL };

	fx_typed(f, &f->v[1], "@d", 1, s);
	assert_json_has(info(f, &f->v[1]), pairs);
}

static void test_info_json_readonly(void **state)
{
	struct fx *f = *state;
	static const char *const pairs[] = { "\"readonly\":true", NULL };

	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[0], &f->err), 0);
	assert_json_has(info(f, &f->v[1]), pairs);
}

static void test_info_json_empty_strided(void **state)
{
	struct fx *f = *state;
	/* memoryview(bytes(10))[::2][5:2]: shape (0,), strides (2,),
	 * nbytes 0, all three contiguity flags False */
	static const char *const pairs[] = {
		"\"shape\":[0]", "\"strides\":[2]", "\"nbytes\":0",
		"\"c_contiguous\":false", "\"f_contiguous\":false",
		"\"contiguous\":false", NULL
	};

	slice_expr(&f->v[1], &f->v[0], ":10:2");
	slice_expr(&f->v[2], &f->v[1], "5:2");
	assert_json_has(info(f, &f->v[2]), pairs);
}

static void test_info_json_has_each_key_once(void **state)
{
	struct fx *f = *state;
	const char *got;

	/* "contiguous" appears once as a key (not repeated or duplicated) */
	got = info(f, &f->v[0]);
	assert_non_null(strstr(got, "\"contiguous\":"));
	assert_null(strstr(strstr(got, "\"contiguous\":") + 1,
			   "\"contiguous\":"));
}

static void test_info_json_write_error_is_eio(void **state)
{
	struct fx *f = *state;
	FILE *fp = full_stream();

	assert_int_equal(vw_info_json(&f->v[0], fp, &f->err), -EIO);
	fclose(fp);
}

static void test_hex_extreme_group_sizes(void **state)
{
	struct fx *f = *state;

	/* bytes([1,2,3,4,5]).hex(':', -2**31) and .hex(':', 2**31-1):
	 * '0102030405' (no abs() overflow) */
	slice_expr(&f->v[1], &f->v[0], "1:6");
	assert_string_equal(hex(f, &f->v[1], ':', INT_MIN), "0102030405");
	assert_string_equal(hex(f, &f->v[1], ':', INT_MAX), "0102030405");
}

static void test_tolist_standard_size_formats(void **state)
{
	struct fx *f = *state;

	/* struct.unpack('>2h', bytes(range(4))) == (1, 515) */
	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], ">h", 0, NULL, &f->err),
			 0);
	assert_tolist(f, &f->v[2], "[1, 515]");
}

static void test_tolist_64_dimensions(void **state)
{
	struct fx *f = *state;
	ssize_t ones[VW_MAXDIM];
	char want[2 * VW_MAXDIM + 8];
	int i;

	for (i = 0; i < VW_MAXDIM; i++)
		ones[i] = 1;
	fx_typed(f, &f->v[1], "B", VW_MAXDIM, ones);
	memset(want, '[', VW_MAXDIM);
	want[VW_MAXDIM] = '0';
	memset(want + VW_MAXDIM + 1, ']', VW_MAXDIM);
	want[2 * VW_MAXDIM + 1] = 0;
	assert_tolist(f, &f->v[1], want);
}

static void test_info_json_negative_zero_strides_are_numbers(void **state)
{
	struct fx *f = *state;
	static const char *const pairs[] = {
		"\"shape\":[1]", "\"strides\":[-1]", NULL
	};

	/* memoryview(bytes(range(10)))[0::-1]: shape (1,), strides (-1,) */
	slice_expr(&f->v[1], &f->v[0], "0::-1");
	assert_json_has(info(f, &f->v[1]), pairs);
}

static const struct CMUnitTest tests[] = {
	T(test_tolist_1d_bytes),
	T(test_tolist_exact_python_spacing),
	T(test_tolist_2d_nested),
	T(test_tolist_2d_transposed),
	T(test_tolist_3d),
	T(test_tolist_reversed),
	T(test_tolist_0d_is_bare_element),
	T(test_tolist_empty),
	T(test_tolist_empty_inner_dimension),
	T(test_tolist_empty_outer_dimension),
	T(test_tolist_special_doubles),
	T(test_tolist_float_is_exact_double),
	T(test_tolist_half),
	T(test_tolist_bools),
	T(test_tolist_chars),
	T(test_tolist_64bit_extremes),
	T(test_tolist_write_error_is_eio),
	T(test_format_value_ints),
	T(test_format_value_bools),
	T(test_format_value_float_repr),
	T(test_format_value_float_specials),
	T(test_format_value_bytes_repr),
	T(test_format_value_write_error_is_eio),
	T(test_hex_plain),
	T(test_hex_groups_from_the_right),
	T(test_hex_negative_groups_from_the_left),
	T(test_hex_every_byte),
	T(test_hex_zero_group_means_no_separator),
	T(test_hex_group_longer_than_data),
	T(test_hex_no_separator_char_ignores_groups),
	T(test_hex_non_contiguous_is_c_order),
	T(test_hex_transposed_is_c_order),
	T(test_hex_typed_view_is_raw_bytes),
	T(test_hex_empty),
	T(test_hex_non_ascii_separator_refused),
	T(test_hex_any_ascii_separator_allowed),
	T(test_hex_write_error_is_eio),
	T(test_info_json_1d_bytes),
	T(test_info_json_2d_negative_strides),
	T(test_info_json_fortran_view),
	T(test_info_json_0d),
	T(test_info_json_format_as_written),
	T(test_info_json_readonly),
	T(test_info_json_empty_strided),
	T(test_info_json_has_each_key_once),
	T(test_info_json_write_error_is_eio),
	T(test_hex_extreme_group_sizes),
	T(test_tolist_standard_size_formats),
	T(test_tolist_64_dimensions),
	T(test_info_json_negative_zero_strides_are_numbers),
};

UNIT_MAIN(tests)
