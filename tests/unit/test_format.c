/* SPDX-License-Identifier: MIT */
/* Unit tests: format strings, shape strings and metadata checks
 * (vw_format_parse, vw_shape_parse, vw_meta_check). */
#include "unit_fixtures.h"
#include "../common/meta_vectors.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/types.h>

static int parse(const char *fmt, struct vw_format *out)
{
	struct vw_error err = { 0 };

	return vw_format_parse(fmt, out, &err);
}

/* struct.calcsize('@X') for every code, x86-64 / aarch64 LP64. */
static void test_format_native_itemsizes_match_struct_calcsize(void **state)
{
	static const struct { const char *fmt; size_t size; } t[] = {
		{ "c", 1 }, { "b", 1 }, { "B", 1 }, { "h", 2 }, { "H", 2 },
		{ "i", 4 }, { "I", 4 }, { "l", sizeof(long) },
		{ "L", sizeof(long) }, { "q", 8 }, { "Q", 8 },
		{ "n", sizeof(ssize_t) }, { "N", sizeof(size_t) }, { "f", 4 },
		{ "d", 8 }, { "e", 2 }, { "?", 1 }, { "P", sizeof(void *) },
	};
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].fmt, &f), 0);
		assert_int_equal(f.code, t[i].fmt[0]);
		assert_int_equal(f.itemsize, t[i].size);
	}
}

/* struct.calcsize('<X'): standard sizes, l/L are 4 bytes. */
static void test_format_standard_sizes_with_prefix(void **state)
{
	static const struct { const char *fmt; size_t size; } t[] = {
		{ "<l", 4 }, { ">L", 4 }, { "=q", 8 }, { "!Q", 8 },
		{ "<h", 2 }, { "<i", 4 }, { "<e", 2 }, { "<?", 1 },
		{ "<f", 4 }, { ">d", 8 }, { "<c", 1 },
	};
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].fmt, &f), 0);
		assert_int_equal(f.itemsize, t[i].size);
		assert_int_equal(f.order, t[i].fmt[0]);
		assert_int_equal(f.native, 0);
	}
}

static void test_format_kinds(void **state)
{
	static const struct { const char *fmt; enum vw_kind kind; } t[] = {
		{ "b", VW_K_INT }, { "h", VW_K_INT }, { "i", VW_K_INT },
		{ "l", VW_K_INT }, { "q", VW_K_INT }, { "n", VW_K_INT },
		{ "B", VW_K_UINT }, { "H", VW_K_UINT }, { "I", VW_K_UINT },
		{ "L", VW_K_UINT }, { "Q", VW_K_UINT }, { "N", VW_K_UINT },
		{ "P", VW_K_UINT }, { "f", VW_K_FLOAT }, { "d", VW_K_FLOAT },
		{ "e", VW_K_FLOAT }, { "?", VW_K_BOOL }, { "c", VW_K_CHAR },
	};
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].fmt, &f), 0);
		assert_int_equal(f.kind, t[i].kind);
	}
}

static void test_format_no_prefix_is_native_at(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(parse("d", &f), 0);
	assert_int_equal(f.order, '@');
	assert_int_equal(f.native, 1);
	assert_int_equal(f.swap, 0);
}

/* "X" comes from a table (the fast path casts take), "@X" from the
 * parser: the two agree field by field for every code, and a character
 * that is not a code is refused as before. */
static void test_format_bare_code_fast_path_matches_parser(void **state)
{
	const char *codes = "cbBhHiIlLqQnNfde?P";
	struct vw_format a, b;
	char one[2] = { 0 }, at[3] = { '@', 0, 0 };

	(void)state;
	for (const char *c = codes; *c; c++) {
		one[0] = at[1] = *c;
		assert_int_equal(parse(one, &a), 0);
		assert_int_equal(parse(at, &b), 0);
		assert_int_equal(a.code, b.code);
		assert_int_equal(a.order, b.order);
		assert_int_equal(a.native, b.native);
		assert_int_equal(a.swap, b.swap);
		assert_int_equal(a.itemsize, b.itemsize);
		assert_int_equal(a.kind, b.kind);
	}
	for (int ch = 1; ch < 256; ch++) {
		one[0] = (char)ch;
		if (strchr(codes, ch))
			continue;
		assert_int_equal(parse(one, &a), -EINVAL);
	}
}

static void test_format_at_prefix_is_native(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(parse("@i", &f), 0);
	assert_int_equal(f.code, 'i');
	assert_int_equal(f.order, '@');
	assert_int_equal(f.native, 1);
	assert_int_equal(f.itemsize, 4);
}

static void test_format_swap_follows_machine_byte_order(void **state)
{
	struct vw_format f;
	int little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	(void)state;
	assert_int_equal(parse("<i", &f), 0);
	assert_int_equal(f.swap, !little);
	assert_int_equal(parse(">i", &f), 0);
	assert_int_equal(f.swap, little);
	assert_int_equal(parse("!i", &f), 0);
	assert_int_equal(f.swap, little);
	assert_int_equal(parse("=i", &f), 0);
	assert_int_equal(f.swap, 0);
}


/* struct.calcsize('<n') -> struct.error: bad char in struct format */
static void test_format_n_N_P_refused_with_standard_prefix(void **state)
{
	static const char *bad[] = { "<n", ">N", "=P", "!n", "<P" };
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &f), -EINVAL);
}

static void test_format_n_N_P_accepted_with_at_prefix(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(parse("@n", &f), 0);
	assert_int_equal(parse("@N", &f), 0);
	assert_int_equal(parse("@P", &f), 0);
}

static void test_format_empty_refused(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(parse("", &f), -EINVAL);
}

static void test_format_prefix_alone_refused(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(parse("@", &f), -EINVAL);
	assert_int_equal(parse("<", &f), -EINVAL);
}

static void test_format_unknown_code_refused(void **state)
{
	static const char *bad[] = { "x", "s", "p", "Z", "D", "g", " ", "%" };
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &f), -EINVAL);
}

static void test_format_multi_item_refused(void **state)
{
	static const char *bad[] = { "ii", "2i", "@ii", "<hh", "B ", "@@B",
				     "<>i" };
	struct vw_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &f), -EINVAL);
}

static void test_format_too_long_refused(void **state)
{
	char fmt[VW_FORMAT_MAX + 1];
	struct vw_format f;

	(void)state;
	memset(fmt, 'B', VW_FORMAT_MAX);
	fmt[VW_FORMAT_MAX] = 0;
	assert_int_equal(parse(fmt, &f), -EINVAL);
}

static void test_format_error_fills_vw_error(void **state)
{
	struct vw_format f;
	struct vw_error err = { 0 };
	int rc;

	(void)state;
	rc = vw_format_parse("Y", &f, &err);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(err.code, rc);
	assert_non_null(strchr(err.msg, 'Y'));
	assert_null(strchr(err.msg, '\n'));
}

static void test_format_null_error_pointer_allowed(void **state)
{
	struct vw_format f;

	(void)state;
	assert_int_equal(vw_format_parse("Y", &f, NULL), -EINVAL);
	assert_int_equal(vw_format_parse("B", &f, NULL), 0);
}

/* ---- vw_shape_parse ---- */

static void test_shape_parse_three_dims(void **state)
{
	ssize_t shape[8];

	(void)state;
	assert_int_equal(vw_shape_parse("2,3,4", shape, 8, NULL), 3);
	assert_int_equal(shape[0], 2);
	assert_int_equal(shape[1], 3);
	assert_int_equal(shape[2], 4);
}

static void test_shape_parse_empty_string_is_ndim_zero(void **state)
{
	ssize_t shape[8];

	(void)state;
	assert_int_equal(vw_shape_parse("", shape, 8, NULL), 0);
}

static void test_shape_parse_zero_dimension_allowed(void **state)
{
	ssize_t shape[8];

	(void)state;
	assert_int_equal(vw_shape_parse("0", shape, 8, NULL), 1);
	assert_int_equal(shape[0], 0);
	assert_int_equal(vw_shape_parse("3,0", shape, 8, NULL), 2);
	assert_int_equal(shape[1], 0);
}

static void test_shape_parse_empty_item_refused(void **state)
{
	static const char *bad[] = { "2,,3", "2,", ",2", "," };
	ssize_t shape[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vw_shape_parse(bad[i], shape, 8, NULL),
				 -EINVAL);
}

static void test_shape_parse_malformed_number_refused(void **state)
{
	static const char *bad[] = { "-1", "a", "2x", "1.5", "0x10", "2;3" };
	ssize_t shape[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vw_shape_parse(bad[i], shape, 8, NULL),
				 -EINVAL);
}

static void test_shape_parse_more_than_max_is_e2big(void **state)
{
	ssize_t shape[2];

	(void)state;
	assert_int_equal(vw_shape_parse("1,2,3", shape, 2, NULL), -E2BIG);
}

static void test_shape_parse_exactly_max_dims_accepted(void **state)
{
	ssize_t shape[2];

	(void)state;
	assert_int_equal(vw_shape_parse("1,2", shape, 2, NULL), 2);
}

static void test_shape_parse_dimension_beyond_ssize_max_overflows(void **state)
{
	ssize_t shape[4];

	(void)state;
	/* str(2**63) */
	assert_int_equal(vw_shape_parse("9223372036854775808", shape, 4, NULL),
			 -EOVERFLOW);
}

static void test_shape_parse_ssize_max_dimension_accepted(void **state)
{
	ssize_t shape[4];

	(void)state;
	assert_int_equal(vw_shape_parse("9223372036854775807", shape, 4, NULL),
			 1);
	assert_int_equal(shape[0], SSIZE_MAX);
}

static void test_shape_parse_product_beyond_ssize_max_overflows(void **state)
{
	ssize_t shape[4];

	(void)state;
	/* 2**32 * 2**32 == 2**64 > 2**63-1 */
	assert_int_equal(vw_shape_parse("4294967296,4294967296", shape, 4,
					NULL), -EOVERFLOW);
}

static void test_shape_parse_error_fills_vw_error(void **state)
{
	ssize_t shape[4];
	struct vw_error err = { 0 };
	int rc;

	(void)state;
	rc = vw_shape_parse("2,Q", shape, 4, &err);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(err.code, rc);
	assert_true(strlen(err.msg) > 0);
}

/* ---- vw_meta_check ---- */

static void test_meta_check_both_null_ok(void **state)
{
	(void)state;
	assert_int_equal(vw_meta_check(NULL, NULL, 10, NULL), 0);
}

static void test_meta_check_fitting_pair_ok(void **state)
{
	(void)state;
	/* 2*3*4 bytes of 'i' == 24 */
	assert_int_equal(vw_meta_check("i", "2,3", 24, NULL), 0);
	assert_int_equal(vw_meta_check("i", "2,3", 100, NULL), 0);
}

static void test_meta_check_shape_larger_than_size_refused(void **state)
{
	struct vw_error err = { 0 };

	(void)state;
	assert_int_equal(vw_meta_check("i", "2,3", 23, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_true(strlen(err.msg) > 0);
}

static void test_meta_check_shape_alone_uses_byte_items(void **state)
{
	(void)state;
	assert_int_equal(vw_meta_check(NULL, "4,4", 16, NULL), 0);
	assert_int_equal(vw_meta_check(NULL, "4,4", 15, NULL), -EINVAL);
}

static void test_meta_check_bad_format_refused(void **state)
{
	(void)state;
	assert_int_equal(vw_meta_check("ii", NULL, 16, NULL), -EINVAL);
	assert_int_equal(vw_meta_check("x", "2", 16, NULL), -EINVAL);
}

static void test_meta_check_bad_shape_refused(void **state)
{
	(void)state;
	assert_int_equal(vw_meta_check("B", "2,x", 16, NULL), -EINVAL);
	assert_int_equal(vw_meta_check("B", "-2", 16, NULL), -EINVAL);
}

static void test_meta_check_huge_shape_refused(void **state)
{
	(void)state;
	/* product overflows ssize_t: must not wrap into a small number */
	assert_int_equal(vw_meta_check("d", "4294967296,4294967296", 16, NULL),
			 -EINVAL);
	/* 2**61 items of 8 bytes: product*itemsize overflows 64 bits */
	assert_int_equal(vw_meta_check("d", "2305843009213693952", 16, NULL),
			 -EINVAL);
}

static void test_shape_parse_wrapping_product_overflows(void **state)
{
	ssize_t shape[4];

	(void)state;
	/* (2**62 + 4) * 4 == 2**64 + 16: wraps to 16 if unchecked */
	assert_int_equal(vw_shape_parse("4611686018427387908,4", shape, 4,
					NULL), -EOVERFLOW);
}

static void test_meta_check_wrapping_product_refused(void **state)
{
	(void)state;
	/* (2**62 + 4) * 4 bytes wraps to 16 == size if unchecked */
	assert_int_equal(vw_meta_check("B", "4611686018427387908,4", 16, NULL),
			 -EINVAL);
	/* (2**61 + 2) doubles wrap to 16 bytes */
	assert_int_equal(vw_meta_check("d", "2305843009213693954", 16, NULL),
			 -EINVAL);
}

static void test_meta_check_empty_strings_mean_not_set(void **state)
{
	(void)state;
	/* header: "" counts as absent, like NULL */
	assert_int_equal(vw_meta_check("", "", 0, NULL), 0);
	assert_int_equal(vw_meta_check("", "4,4", 16, NULL), 0);
	assert_int_equal(vw_meta_check("", "4,4", 15, NULL), -EINVAL);
	assert_int_equal(vw_meta_check("i", "", 16, NULL), 0);
}

static void test_shape_parse_zero_dimension_keeps_overflow_check(void **state)
{
	ssize_t shape[4];

	(void)state;
	/* a zero does not lift the bound on the nonzero dimensions */
	assert_int_equal(vw_shape_parse("0,4294967296,4294967296", shape, 4,
					NULL), -EOVERFLOW);
	assert_int_equal(vw_shape_parse("4294967296,0,4294967296", shape, 4,
					NULL), -EOVERFLOW);
	assert_int_equal(vw_shape_parse("0,9223372036854775807", shape, 4,
					NULL), 2);
}

static void test_meta_check_zero_dimension_keeps_overflow_check(void **state)
{
	struct vw_error err = { 0 };

	(void)state;
	/* NumPy: np.empty((0, 2**62, 4), 'i') -> array is too big */
	assert_int_equal(vw_meta_check("i", "0,4611686018427387904,4", 1024,
				       &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	/* 4 * (2**63 - 1) overflows: strides would be [-4, 4] */
	assert_int_equal(vw_meta_check("<f", "0,9223372036854775807", 24,
				       NULL), -EINVAL);
	assert_int_equal(vw_meta_check("<f", "0,6", 24, NULL), 0);
	assert_int_equal(vw_meta_check("i", "0", 0, NULL), 0);
}

static void test_meta_check_zero_dimension_bounds_the_others(void **state)
{
	(void)state;
	/* 2**63-1 empty rows: tolist would print [] without end */
	assert_int_equal(vw_meta_check("B", "9223372036854775807,0", 1 << 20,
				       NULL), -EINVAL);
	assert_int_equal(vw_meta_check(NULL, "9223372036854775807,0", 24,
				       NULL), -EINVAL);
	/* the bound: VW_META_EMPTY_MAX empty rows, or as many as bytes */
	assert_int_equal(vw_meta_check("B", "24,0", 24, NULL), 0);
	assert_int_equal(vw_meta_check("i", "1048576,0", 24, NULL), 0);
	assert_int_equal(vw_meta_check("i", "1048577,0", 24, NULL), -EINVAL);
	assert_int_equal(vw_meta_check("B", "2097152,0", 2097152, NULL), 0);
	assert_int_equal(vw_meta_check("B", "1048577,3,0", 24, NULL), -EINVAL);
	/* as memoryview: a leading zero describes no sub-arrays at all */
	assert_int_equal(vw_meta_check("l", "0,2,3", 0, NULL), 0);
	assert_int_equal(vw_meta_check("i", "0,4", 0, NULL), 0);
}

static void test_meta_check_bad_shape_error_code_is_einval(void **state)
{
	struct vw_error err = { 0 };

	(void)state;
	/* view.h: err->code is the errno returned */
	assert_int_equal(vw_meta_check("B", "99999999999999999999", 16, &err),
			 -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	memset(&err, 0, sizeof(err));
	assert_int_equal(vw_meta_check("B", "4294967296,4294967296", 16, &err),
			 -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	memset(&err, 0, sizeof(err));
	{
		char many[4 * VW_MAXDIM + 8] = "";

		for (int i = 0; i <= VW_MAXDIM; i++)
			strcat(many, i ? ",1" : "1");
		assert_int_equal(vw_meta_check("B", many, 16, &err), -EINVAL);
		assert_int_equal(err.code, -EINVAL);
	}
}

static void test_meta_check_format_alone_must_divide_size(void **state)
{
	struct vw_error err = { 0 };

	(void)state;
	/* 25 bytes are not whole doubles */
	assert_int_equal(vw_meta_check("d", NULL, 25, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.msg, "25"));
	assert_int_equal(vw_meta_check("d", "", 25, NULL), -EINVAL);
	assert_int_equal(vw_meta_check("d", NULL, 24, NULL), 0);
	assert_int_equal(vw_meta_check("d", NULL, 0, NULL), 0);
	/* with a shape, a prefix of the buffer is fine */
	assert_int_equal(vw_meta_check("d", "3", 25, NULL), 0);
}

/* view.h: err->msg is one line even when it quotes input with control
 * characters (found by tests/fuzz: a shape holding a newline). */
static void test_error_message_stays_one_line(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_format_parse("i\n\x1b[2J", &(struct vw_format){ 0 }, &f->err),
			 -EINVAL);
	assert_null(strchr(f->err.msg, '\n'));
	assert_null(strchr(f->err.msg, '\x1b'));
	assert_non_null(strstr(f->err.msg, "i\\x0a\\x1b[2J"));
	assert_int_equal(vw_meta_check("B", "2,\n3", 64, &f->err), -EINVAL);
	assert_null(strchr(f->err.msg, '\n'));
}

/* The cases viewdev's check must answer alike (tests/common). */
static void test_meta_check_shared_vectors(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < META_NVECTORS; i++) {
		const struct meta_vector *m = &meta_vectors[i];
		int rc = vw_meta_check(m->format[0] ? m->format : NULL,
				       m->shape[0] ? m->shape : NULL, m->size, &f->err);

		if (rc != (m->ok ? 0 : -EINVAL))
			fail_msg("vector %zu (format '%s', shape '%s', size %llu): %d (%s)",
				 i, m->format, m->shape, (unsigned long long)m->size, rc,
				 rc ? f->err.msg : "accepted");
	}
}

static const struct CMUnitTest tests[] = {
	T(test_format_native_itemsizes_match_struct_calcsize),
	T(test_format_standard_sizes_with_prefix),
	T(test_format_kinds),
	T(test_format_no_prefix_is_native_at),
	T(test_format_bare_code_fast_path_matches_parser),
	T(test_format_at_prefix_is_native),
	T(test_format_swap_follows_machine_byte_order),
	T(test_format_n_N_P_refused_with_standard_prefix),
	T(test_format_n_N_P_accepted_with_at_prefix),
	T(test_format_empty_refused),
	T(test_format_prefix_alone_refused),
	T(test_format_unknown_code_refused),
	T(test_format_multi_item_refused),
	T(test_format_too_long_refused),
	T(test_format_error_fills_vw_error),
	T(test_format_null_error_pointer_allowed),
	T(test_shape_parse_three_dims),
	T(test_shape_parse_empty_string_is_ndim_zero),
	T(test_shape_parse_zero_dimension_allowed),
	T(test_shape_parse_empty_item_refused),
	T(test_shape_parse_malformed_number_refused),
	T(test_shape_parse_more_than_max_is_e2big),
	T(test_shape_parse_exactly_max_dims_accepted),
	T(test_shape_parse_dimension_beyond_ssize_max_overflows),
	T(test_shape_parse_ssize_max_dimension_accepted),
	T(test_shape_parse_product_beyond_ssize_max_overflows),
	T(test_shape_parse_error_fills_vw_error),
	T(test_meta_check_both_null_ok),
	T(test_meta_check_fitting_pair_ok),
	T(test_meta_check_shape_larger_than_size_refused),
	T(test_meta_check_shape_alone_uses_byte_items),
	T(test_meta_check_bad_format_refused),
	T(test_meta_check_bad_shape_refused),
	T(test_meta_check_huge_shape_refused),
	T(test_shape_parse_wrapping_product_overflows),
	T(test_meta_check_wrapping_product_refused),
	T(test_meta_check_empty_strings_mean_not_set),
	T(test_shape_parse_zero_dimension_keeps_overflow_check),
	T(test_meta_check_zero_dimension_keeps_overflow_check),
	T(test_meta_check_zero_dimension_bounds_the_others),
	T(test_meta_check_bad_shape_error_code_is_einval),
	T(test_meta_check_format_alone_must_divide_size),
	T(test_error_message_stays_one_line),
	T(test_meta_check_shared_vectors),
};

UNIT_MAIN(tests)
