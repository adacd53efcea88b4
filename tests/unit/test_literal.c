/* SPDX-License-Identifier: MIT */
/* Unit tests: Python literals (vw_literal_parse, vw_literal_free) and
 * whole-view assignment (vw_assign, `m[...] = value`).  Parsed values are
 * what ast.literal_eval gives (plus the nan/inf names); assignment follows
 * memoryview item assignment and the VIEW-CLI.md extensions. */
#include "unit_fixtures.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fixture: the shared struct fx plus one literal that teardown frees. */
struct lfx {
	struct fx *fx;
	struct vw_literal lit;
	int parsed;
};

static int lfx_setup(void **state)
{
	struct lfx *l = calloc(1, sizeof(*l));
	void *inner;

	if (!l)
		return -1;
	if (fx_setup(&inner)) {
		free(l);
		return -1;
	}
	l->fx = inner;
	*state = l;
	return 0;
}

static int lfx_teardown(void **state)
{
	struct lfx *l = *state;
	void *inner = l->fx;

	if (l->parsed)
		vw_literal_free(&l->lit);
	fx_teardown(&inner);
	free(l);
	return 0;
}

#define TL(fn) cmocka_unit_test_setup_teardown(fn, lfx_setup, lfx_teardown)

static struct vw_literal *parse(struct lfx *l, const char *s)
{
	struct vw_error err = { 0 };
	int rc;

	if (l->parsed)
		vw_literal_free(&l->lit);
	l->parsed = 0;
	rc = vw_literal_parse(s, &l->lit, &err);
	if (rc != 0)
		print_error("vw_literal_parse(%s): %d %s\n", s, rc, err.msg);
	assert_int_equal(rc, 0);
	l->parsed = 1;
	return &l->lit;
}

static void assert_lit_int(const struct vw_literal *lit, int64_t i)
{
	assert_false(lit->is_list);
	assert_int_equal(lit->value.type, VW_V_INT);
	assert_true(lit->value.i == i);
}

static void assert_lit_float(const struct vw_literal *lit, double d)
{
	assert_false(lit->is_list);
	assert_int_equal(lit->value.type, VW_V_FLOAT);
	assert_memory_equal(&lit->value.d, &d, sizeof(d));
}

/* ---- vw_literal_parse: tables of scalars ---- */

/* Each row: a literal and what ast.literal_eval gives for it.  A table's
 * test runs every row and names each failing one before it fails. */
static const struct int_case {
	const char *s;
	int64_t i;
} int_cases[] = {
	/* decimal */
	{ "42", 42 }, { "-7", -7 }, { "+5", 5 }, { "0", 0 }, { "00", 0 },
	/* 0x1F, 0X1F, 0o17, 0O17, 0b101, -0x10 */
	{ "0x1F", 31 }, { "0X1f", 31 }, { "0o17", 15 }, { "0O17", 15 },
	{ "0b101", 5 }, { "-0x10", -16 },
	/* underscores: 1_000_000, 0x_ff, '0b_1' == 1, '0o_7' == 7 */
	{ "1_000_000", 1000000 }, { "0x_ff", 255 }, { "0b_1", 1 },
	{ "0o_7", 7 },
	/* ast.literal_eval('0_0') == 0 ('0_7' is refused below) */
	{ "0_0", 0 },
	/* int64 limits */
	{ "9223372036854775807", INT64_MAX },
	{ "-9223372036854775808", INT64_MIN },
	/* ast.literal_eval('(1)') == 1: a parenthesised scalar is no tuple */
	{ "(1)", 1 },
};

static const struct float_case {
	const char *s;
	double d;	/* compared bit for bit: -0.0 is not 0.0 */
} float_cases[] = {
	{ "1.5", 1.5 }, { "1e3", 1000.0 }, { "1E3", 1000.0 }, { ".5", 0.5 },
	{ "5.", 5.0 }, { "1.5e-3", 0.0015 }, { "-0.0", -0.0 },
	{ "1_0.5", 10.5 }, { "0.1", 0.1 }, { "1e400", INFINITY },
	/* the names float() takes (nan: test_literal_float_nan) */
	{ "inf", INFINITY }, { "-inf", -INFINITY },
	/* '1e1_0' == 1e10, '1.e5' == 1e5, '1e+5' == 1e5, '0e0' == 0.0 */
	{ "1e1_0", 1e10 }, { "1.e5", 1e5 }, { "1e+5", 1e5 }, { "0e0", 0.0 },
	/* unlike ints: '09.5' == 9.5, '00.5' == 0.5, '0_0.5' == 0.5 */
	{ "09.5", 9.5 }, { "00.5", 0.5 }, { "0_0.5", 0.5 },
};

/* Each refused with -EINVAL (a SyntaxError or ValueError in Python) and a
 * message. */
static const char *const refused_cases[] = {
	/* underscores */
	"1__0", "1_", "_1", "0_7",
	/* '01': leading zeros in decimal integer literals */
	"01",
	/* incomplete numbers */
	"0x", "0b", "1e", "0b102", "--5", "-",
	/* '1_e1', '1._5': invalid decimal literal */
	"1_e1", "1._5",
	/* '0o8', '0xg', '0x1.5', '1.5.5', '1e5.5', '1j' */
	"0o8", "0xg", "0x1.5", "1.5.5", "1e5.5", "1j",
	/* True and False only */
	"true",
	/* bytes: unterminated, bad \x, short \x, non-ASCII */
	"b'abc", "b'\\xZZ'", "b'\\x4'", "b'\xc3\xa9'",
	/* only bytes literals: 'abc' is a str */
	"'abc'",
	/* lists and tuples */
	"[1, 2", "[1,,2]", "[,]", "(,)", "[1 2]", "[1)", "1]",
	/* empty and garbage */
	"", "   ", "abc", "1 2", "None", "{1: 2}",
};

static void test_literal_int_table(void **state)
{
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < sizeof(int_cases) / sizeof(int_cases[0]); k++) {
		const struct int_case *c = &int_cases[k];
		struct vw_literal lit;
		struct vw_error err = { 0 };
		int rc = vw_literal_parse(c->s, &lit, &err);

		if (rc != 0) {
			print_error("int_cases[%zu] \"%s\": refused: %d %s\n",
				    k, c->s, rc, err.msg);
			bad++;
			continue;
		}
		if (lit.is_list || lit.value.type != VW_V_INT ||
		    lit.value.i != c->i) {
			print_error("int_cases[%zu] \"%s\": is_list %d type %d i %lld, want int %lld\n",
				    k, c->s, lit.is_list, (int)lit.value.type,
				    (long long)lit.value.i, (long long)c->i);
			bad++;
		}
		vw_literal_free(&lit);
	}
	assert_int_equal(bad, 0);
}

static void test_literal_float_table(void **state)
{
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < sizeof(float_cases) / sizeof(float_cases[0]); k++) {
		const struct float_case *c = &float_cases[k];
		struct vw_literal lit;
		struct vw_error err = { 0 };
		int rc = vw_literal_parse(c->s, &lit, &err);

		if (rc != 0) {
			print_error("float_cases[%zu] \"%s\": refused: %d %s\n",
				    k, c->s, rc, err.msg);
			bad++;
			continue;
		}
		if (lit.is_list || lit.value.type != VW_V_FLOAT ||
		    memcmp(&lit.value.d, &c->d, sizeof(c->d)) != 0) {
			print_error("float_cases[%zu] \"%s\": is_list %d type %d d %.17g, want float %.17g\n",
				    k, c->s, lit.is_list, (int)lit.value.type,
				    lit.value.d, c->d);
			bad++;
		}
		vw_literal_free(&lit);
	}
	assert_int_equal(bad, 0);
}

static void test_literal_refused_table(void **state)
{
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < sizeof(refused_cases) / sizeof(refused_cases[0]); k++) {
		const char *s = refused_cases[k];
		struct vw_literal lit;
		struct vw_error err = { 0 };
		int rc;

		memset(&lit, 0, sizeof(lit));
		rc = vw_literal_parse(s, &lit, &err);
		if (rc == 0) {
			vw_literal_free(&lit);
			print_error("refused_cases[%zu] \"%s\": accepted\n", k, s);
			bad++;
		} else if (rc != -EINVAL || err.code != rc || !err.msg[0]) {
			print_error("refused_cases[%zu] \"%s\": rc %d, err.code %d, msg \"%s\"; want -EINVAL and a message\n",
				    k, s, rc, err.code, err.msg);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_literal_float_nan(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "nan");
	assert_int_equal(lit->value.type, VW_V_FLOAT);
	assert_true(isnan(lit->value.d));
}

/* ---- vw_literal_parse: numbers ---- */

static void test_literal_uint64_range(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "9223372036854775808");
	assert_int_equal(lit->value.type, VW_V_UINT);
	assert_true(lit->value.u == UINT64_C(9223372036854775808));
	lit = parse(l, "18446744073709551615");
	assert_int_equal(lit->value.type, VW_V_UINT);
	assert_true(lit->value.u == UINT64_MAX);
	lit = parse(l, "0xffffffffffffffff");
	assert_int_equal(lit->value.type, VW_V_UINT);
	assert_true(lit->value.u == UINT64_MAX);
}

static void test_literal_bigint(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* 2**70 == 1180591620717411303424, float(2**70) == 1.1805916207174113e+21 */
	lit = parse(l, "1180591620717411303424");
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(lit->value.d == 1.1805916207174113e+21);
	/* float(-2**63 - 1) == -9.223372036854776e+18 */
	lit = parse(l, "-9223372036854775809");
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(lit->value.d == -9.223372036854776e+18);
	/* 2**64 */
	lit = parse(l, "18446744073709551616");
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(lit->value.d == 18446744073709551616.0);
}

static void test_literal_bigint_beyond_double_is_infinite(void **state)
{
	struct lfx *l = *state;
	char big[420];
	struct vw_literal *lit;

	/* 10**400: float() overflows -> d is +inf */
	big[0] = '1';
	memset(big + 1, '0', 400);
	big[401] = 0;
	lit = parse(l, big);
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(isinf(lit->value.d) && lit->value.d > 0);
	big[0] = '-';
	big[1] = '1';
	lit = parse(l, big);
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(isinf(lit->value.d) && lit->value.d < 0);
}

/* ---- bools, bytes ---- */

static void test_literal_bools(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "True");
	assert_int_equal(lit->value.type, VW_V_BOOL);
	assert_int_equal(lit->value.i, 1);
	lit = parse(l, "False");
	assert_int_equal(lit->value.type, VW_V_BOOL);
	assert_int_equal(lit->value.i, 0);
}

static void test_literal_bytes_simple(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "b'ab'");
	assert_false(lit->is_list);
	assert_int_equal(lit->value.type, VW_V_BYTES);
	assert_int_equal(lit->ndata, 2);
	assert_memory_equal(lit->data, "ab", 2);
}

static void test_literal_bytes_double_quotes(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "b\"x'y\"");
	assert_int_equal(lit->value.type, VW_V_BYTES);
	assert_int_equal(lit->ndata, 3);
	assert_memory_equal(lit->data, "x'y", 3);
}

static void test_literal_bytes_escapes(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* b'\x00\n\t\r\\\'\x41\101' == b"\x00\n\t\r\\'AA" */
	lit = parse(l, "b'\\x00\\n\\t\\r\\\\\\'\\x41\\101'");
	assert_int_equal(lit->ndata, 8);
	assert_memory_equal(lit->data, "\0\n\t\r\\'AA", 8);
}

static void test_literal_bytes_empty(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "b''");
	assert_int_equal(lit->value.type, VW_V_BYTES);
	assert_int_equal(lit->ndata, 0);
}

static void test_literal_bytes_high_escape(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "b'\\xff\\x80'");
	assert_int_equal(lit->ndata, 2);
	assert_memory_equal(lit->data, "\xff\x80", 2);
}

/* ---- lists and tuples ---- */

static void test_literal_flat_list(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "[1, 2.5, True]");
	assert_true(lit->is_list);
	assert_int_equal(lit->nitems, 3);
	assert_lit_int(&lit->items[0], 1);
	assert_lit_float(&lit->items[1], 2.5);
	assert_int_equal(lit->items[2].value.type, VW_V_BOOL);
}

static void test_literal_nested_list(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "[[1, 2], [3, [4]], []]");
	assert_int_equal(lit->nitems, 3);
	assert_true(lit->items[0].is_list);
	assert_int_equal(lit->items[0].nitems, 2);
	assert_lit_int(&lit->items[1].items[0], 3);
	assert_true(lit->items[1].items[1].is_list);
	assert_lit_int(&lit->items[1].items[1].items[0], 4);
	assert_true(lit->items[2].is_list);
	assert_int_equal(lit->items[2].nitems, 0);
}

static void test_literal_tuples(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "(1, 2)");
	assert_true(lit->is_list);
	assert_int_equal(lit->nitems, 2);
	lit = parse(l, "(1,)");
	assert_true(lit->is_list);
	assert_int_equal(lit->nitems, 1);
	lit = parse(l, "()");
	assert_true(lit->is_list);
	assert_int_equal(lit->nitems, 0);
}

static void test_literal_trailing_comma_and_whitespace(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	lit = parse(l, "  [ 1 ,\t2 , ]\n");
	assert_true(lit->is_list);
	assert_int_equal(lit->nitems, 2);
	assert_lit_int(&lit->items[1], 2);
}

static void test_literal_free_releases_nested_lists(void **state)
{
	struct vw_literal lit;

	(void)state;
	/* LeakSanitizer fails this process if anything is left */
	assert_int_equal(vw_literal_parse("[[b'ab', [1, 2]], (3, b'')]", &lit,
					  NULL), 0);
	vw_literal_free(&lit);
}

static void test_literal_deep_nesting_does_not_crash(void **state)
{
	static char s[200002];
	struct vw_literal lit;
	struct vw_error err;
	int rc;

	(void)state;
	memset(s, '[', 100000);
	memset(s + 100000, ']', 100000);
	s[200000] = 0;
	/* refused past 100 levels (view.h), never a stack overflow */
	rc = vw_literal_parse(s, &lit, &err);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	memset(s, '[', 100);
	memset(s + 100, ']', 100);
	s[200] = 0;
	assert_int_equal(vw_literal_parse(s, &lit, &err), 0);	/* 100 levels */
	vw_literal_free(&lit);
	memset(s, '[', 101);
	memset(s + 101, ']', 101);
	s[202] = 0;
	assert_int_equal(vw_literal_parse(s, &lit, &err), -EINVAL);
}

/* ---- vw_assign ---- */

static int assign(struct lfx *l, const struct vw_view *v, const char *s)
{
	return vw_assign(v, parse(l, s), &l->fx->err);
}

/* Issue 14: an element of an n-D view is never a list, not even for '?'
 * (NumPy refuses too); only a 0-d view takes any object (m[()] = x). */
static void test_assign_bool_view_refuses_too_deep_list(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "?", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[2], "::2");
	assert_int_equal(assign(l, &f->v[3], "[[0], [1]]"), -EINVAL);
	assert_non_null(strstr(f->err.msg, "nested deeper"));
	assert_memory_equal(f->mem, "\x00\x01\x02\x03", 4);
	assert_int_equal(assign(l, &f->v[3], "[[0]]"), -EINVAL);
	/* the 0-d view takes the list's truth value, as memoryview */
	slice_expr(&f->v[5], &f->v[2], ":1");
	assert_int_equal(vw_reshape(&f->v[6], &f->v[5], 0, NULL, &f->err), 0);
	assert_int_equal(assign(l, &f->v[6], "[0]"), 0);
	assert_int_equal(f->mem[0], 1);
}

static void test_assign_0d_scalar(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* the seed: b'XYZ'; m[2] = 74 -> b'XYJ' */
	memcpy(f->mem, "XYZ", 3);
	slice_expr(&f->v[1], &f->v[0], "2");
	assert_int_equal(assign(l, &f->v[1], "74"), 0);
	assert_memory_equal(f->mem, "XYJ", 3);
}

static void test_assign_0d_rejects_list(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], "2");
	assert_int_equal(assign(l, &f->v[1], "[1]"), -EINVAL);
	assert_int_equal(f->mem[2], 2);
}

static void test_assign_1d_list(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "[7, 8, 9]"), 0);
	assert_int_equal(f->mem[0], 7);
	assert_int_equal(f->mem[2], 9);
	assert_int_equal(f->mem[3], 3);
}

static void test_assign_tuple_like_list(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(assign(l, &f->v[1], "(5, 6)"), 0);
	assert_int_equal(f->mem[0], 5);
	assert_int_equal(f->mem[1], 6);
}

static void test_assign_list_through_strides(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2, 2 };

	/* a (2, 2); a.T[...] = [[1, 2], [3, 4]] -> a == [[1, 3], [2, 4]] */
	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(vw_transpose(&f->v[2], &f->v[1], NULL, 2, &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[[1, 2], [3, 4]]"), 0);
	assert_memory_equal(f->mem, "\x01\x03\x02\x04", 4);
}

static void test_assign_list_length_mismatch_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "[7, 8]"), -EINVAL);
	assert_int_equal(assign(l, &f->v[1], "[7, 8, 9, 10]"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_ragged_list_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2, 2 };

	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(assign(l, &f->v[1], "[[1, 2], [3]]"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_flat_list_into_2d_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2, 2 };

	fx_typed(f, &f->v[1], "B", 2, s);
	assert_int_equal(assign(l, &f->v[1], "[1, 2, 3, 4]"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_too_deep_list_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(assign(l, &f->v[1], "[[1], [2]]"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_bytes_into_1d_B(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* m[0:3] = b'abc' */
	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "b'abc'"), 0);
	assert_memory_equal(f->mem, "abc\x03", 4);
}

static void test_assign_bytes_into_strided_B(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* m[4::-2] = b'xyz' -> m[4] = 'x', m[2] = 'y', m[0] = 'z' */
	slice_expr(&f->v[1], &f->v[0], "4::-2");
	assert_int_equal(assign(l, &f->v[1], "b'xyz'"), 0);
	assert_memory_equal(f->mem, "z\x01y\x03x\x05", 6);
}

static void test_assign_bytes_length_mismatch_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* m[0:3] = b'ab': ValueError (different structures) */
	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "b'ab'"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_raw_bytes_into_typed_view(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2 };

	fx_typed(f, &f->v[1], "h", 1, s);
	assert_int_equal(assign(l, &f->v[1], "b'\\x01\\x02\\x03\\x04'"), 0);
	assert_memory_equal(f->mem, "\x01\x02\x03\x04\x04", 5);
}

static void test_assign_raw_bytes_in_c_order_through_strides(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2 };

	/* t = m[:4].cast('h')[::-1]; raw bytes go in t's C order (like
	 * vw_frombytes): item t[0] (memory item 1) gets b'\x01\x00' */
	fx_typed(f, &f->v[1], "h", 1, s);
	slice_expr(&f->v[2], &f->v[1], "::-1");
	assert_int_equal(assign(l, &f->v[2], "b'\\x01\\x00\\x02\\x00'"), 0);
	assert_memory_equal(f->mem, "\x02\x00\x01\x00", 4);
}

static void test_assign_raw_bytes_wrong_length_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2 };

	fx_typed(f, &f->v[1], "h", 1, s);
	assert_int_equal(assign(l, &f->v[1], "b'\\x01\\x02'"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_scalar_broadcast_1d(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 3 };

	fx_typed(f, &f->v[1], "<h", 1, s);
	assert_int_equal(assign(l, &f->v[1], "-2"), 0);
	assert_memory_equal(f->mem, "\xfe\xff\xfe\xff\xfe\xff\x06", 7);
}

static void test_assign_scalar_broadcast_2d_strided(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 3, 4 };

	fx_typed(f, &f->v[1], "B", 2, s);
	slice_expr(&f->v[2], &f->v[1], "::2,1::2");
	assert_int_equal(assign(l, &f->v[2], "0xee"), 0);
	assert_memory_equal(f->mem, "\x00\xee\x02\xee\x04\x05\x06\x07\x08\xee\x0a\xee", 12);
}

static void test_assign_out_of_range_element_writes_nothing(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* m[0:3] = [1, 2, 300]: ValueError, m unchanged */
	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "[9, 9, 300]"), -ERANGE);
	assert_memory_equal(f->mem, "\x00\x01\x02", 3);
}

static void test_assign_wrong_type_element_writes_nothing(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "[9, 9, 2.5]"), -EINVAL);
	assert_memory_equal(f->mem, "\x00\x01\x02", 3);
}

static void test_assign_float_scalar_into_int_view_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(assign(l, &f->v[1], "1.0"), -EINVAL);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_bool_into_int_view(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(assign(l, &f->v[1], "[True, False]"), 0);
	assert_memory_equal(f->mem, "\x01\x00", 2);
}

static void test_assign_doubles(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 4 };
	double got[4];

	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(assign(l, &f->v[1], "[1.5, nan, -inf, 3]"), 0);
	memcpy(got, f->mem, sizeof(got));
	assert_true(got[0] == 1.5);
	assert_true(isnan(got[1]));
	assert_true(isinf(got[2]) && got[2] < 0);
	assert_true(got[3] == 3.0);
}

static void test_assign_bigint_into_double(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };
	double got;

	/* m[0] = 2**70 for 'd' -> 1.1805916207174113e+21 */
	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(assign(l, &f->v[1], "[1180591620717411303424]"), 0);
	memcpy(&got, f->mem, 8);
	assert_true(got == 1.1805916207174113e+21);
}

static void test_assign_int_too_large_for_double_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };
	char lit[420];

	lit[0] = '1';
	memset(lit + 1, '0', 400);
	lit[401] = 0;
	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(assign(l, &f->v[1], lit), -ERANGE);
	assert_int_equal(f->mem[0], 0);
}

static void test_assign_float_overflow_stores_infinity(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };

	/* m.cast('f')[0] = 1e300 -> inf ('0000807f') */
	fx_typed(f, &f->v[1], "<f", 1, s);
	assert_int_equal(assign(l, &f->v[1], "1e300"), 0);
	assert_memory_equal(f->mem, "\x00\x00\x80\x7f", 4);
}

static void test_assign_half_overflow_refused(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 2 };

	fx_typed(f, &f->v[1], "e", 1, s);
	assert_int_equal(assign(l, &f->v[1], "[1.0, 1e10]"), -ERANGE);
	assert_memory_equal(f->mem, "\x00\x01\x02\x03", 4);
}

static void test_assign_bool_view_takes_truth_values(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	/* m.cast('?')[0:5] = [0, 2, b'', 0.0, b'x'] element by element */
	slice_expr(&f->v[1], &f->v[0], ":5");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "?", 0, NULL, &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[0, 2, b'', 0.0, b'x']"), 0);
	assert_memory_equal(f->mem, "\x00\x01\x00\x00\x01", 5);
}

static void test_assign_char_view_takes_single_bytes(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[b'a', b'b']"), 0);
	assert_memory_equal(f->mem, "ab", 2);
}

static void test_assign_char_view_refuses_long_bytes_element(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_true(assign(l, &f->v[2], "[b'a', b'bc']") < 0);
	assert_memory_equal(f->mem, "\x00\x01", 2);
}

static void test_assign_char_view_refuses_int_element(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":2");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[b'a', 98]"), -EINVAL);
	assert_memory_equal(f->mem, "\x00\x01", 2);
}

static void test_assign_0d_char_takes_one_byte(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":4");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "c", 0, NULL, &f->err), 0);
	slice_expr(&f->v[3], &f->v[2], "1");
	assert_int_equal(assign(l, &f->v[3], "b'q'"), 0);
	assert_memory_equal(f->mem, "\x00q\x02", 3);
}

static void test_assign_unsigned_64bit_limits(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };

	fx_typed(f, &f->v[1], "Q", 1, s);
	assert_int_equal(assign(l, &f->v[1], "18446744073709551615"), 0);
	assert_memory_equal(f->mem, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	assert_int_equal(assign(l, &f->v[1], "18446744073709551616"), -ERANGE);
	assert_int_equal(assign(l, &f->v[1], "-1"), -ERANGE);
}

static void test_assign_pointer_negative_wraps(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };

	fx_typed(f, &f->v[1], "P", 1, s);
	assert_int_equal(assign(l, &f->v[1], "-1"), 0);
	assert_memory_equal(f->mem, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}

static void test_assign_readonly_is_erofs(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(vw_toreadonly(&f->v[2], &f->v[1], &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[1, 1, 1]"), -EROFS);
	assert_int_equal(assign(l, &f->v[2], "1"), -EROFS);
	assert_memory_equal(f->mem, "\x00\x01\x02", 3);
}

static void test_assign_empty_list_into_empty_view(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], "3:3");
	assert_int_equal(assign(l, &f->v[1], "[]"), 0);
	assert_int_equal(assign(l, &f->v[1], "b''"), 0);
	assert_int_equal(f->mem[3], 3);
}

static void test_assign_error_message_filled(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(assign(l, &f->v[1], "[1, 2]"), -EINVAL);
	assert_int_equal(f->err.code, -EINVAL);
	assert_true(strlen(f->err.msg) > 0);
}

static void test_literal_bytes_octal_escape(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* b'\0' == b'\x00', b'\12' == b'\n' */
	lit = parse(l, "b'\\0\\12'");
	assert_int_equal(lit->ndata, 2);
	assert_memory_equal(lit->data, "\0\n", 2);
}

static void test_literal_bytes_escaped_quote(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* b"\"" == b'"' */
	lit = parse(l, "b\"\\\"\"");
	assert_int_equal(lit->ndata, 1);
	assert_memory_equal(lit->data, "\"", 1);
}

static void test_literal_nested_tuples(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* ((1,2),(3,4)) */
	lit = parse(l, "((1,2),(3,4))");
	assert_int_equal(lit->nitems, 2);
	assert_true(lit->items[1].is_list);
	assert_lit_int(&lit->items[1].items[1], 4);
}

static void test_literal_signed_list_items(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* [-5, +3.5] */
	lit = parse(l, "[-5, +3.5]");
	assert_lit_int(&lit->items[0], -5);
	assert_lit_float(&lit->items[1], 3.5);
}

static void test_literal_negative_beyond_uint64_is_bigint(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* float(-(2**64 - 1)) == -1.8446744073709552e+19 */
	lit = parse(l, "-18446744073709551615");
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(lit->value.d == -1.8446744073709552e+19);
}

static void test_literal_bigint_rounds_to_nearest_double(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;

	/* float(2**64 + 2**11 + 1) == 1.8446744073709556e+19 (rounds up:
	 * a truncating conversion would give 1.8446744073709552e+19) */
	lit = parse(l, "18446744073709553665");
	assert_int_equal(lit->value.type, VW_V_BIGINT);
	assert_true(lit->value.d == 1.8446744073709556e+19);
}

static void test_assign_bool_into_double_view(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;
	ssize_t s[] = { 1 };
	double got;

	fx_typed(f, &f->v[1], "d", 1, s);
	assert_int_equal(assign(l, &f->v[1], "True"), 0);
	memcpy(&got, f->mem, 8);
	assert_true(got == 1.0);
}

static void test_assign_list_into_signed_bytes(void **state)
{
	struct lfx *l = *state;
	struct fx *f = l->fx;

	slice_expr(&f->v[1], &f->v[0], ":3");
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "b", 0, NULL, &f->err), 0);
	assert_int_equal(assign(l, &f->v[2], "[-1, -128, 127]"), 0);
	assert_memory_equal(f->mem, "\xff\x80\x7f", 3);
	assert_int_equal(assign(l, &f->v[2], "[0, 0, 128]"), -ERANGE);
	assert_memory_equal(f->mem, "\xff\x80\x7f", 3);
}

static void test_literal_long_bytes_value_keeps_its_rule(void **state)
{
	struct lfx *l = *state;
	struct vw_literal *lit;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	/* view.h: value.bytes[0..nbytes) -- never more than the 8 it holds */
	lit = parse(l, "b'0123456789abcdef'");
	assert_int_equal(lit->ndata, 16);
	assert_memory_equal(lit->data, "0123456789abcdef", 16);
	assert_int_equal(lit->value.type, VW_V_BYTES);
	assert_true(lit->value.nbytes <= sizeof(lit->value.bytes));
	assert_memory_equal(lit->value.bytes, "01234567",
			    lit->value.nbytes);
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(vw_format_value(&lit->value, f), 0);
	fclose(f);
	assert_string_equal(buf, "b'01234567'");
	free(buf);
}

static const struct CMUnitTest tests[] = {
	TL(test_literal_int_table),
	TL(test_literal_float_table),
	TL(test_literal_refused_table),
	TL(test_literal_float_nan),
	TL(test_literal_uint64_range),
	TL(test_literal_bigint),
	TL(test_literal_bigint_beyond_double_is_infinite),
	TL(test_literal_bools),
	TL(test_literal_bytes_simple),
	TL(test_literal_long_bytes_value_keeps_its_rule),
	TL(test_literal_bytes_double_quotes),
	TL(test_literal_bytes_escapes),
	TL(test_literal_bytes_empty),
	TL(test_literal_bytes_high_escape),
	TL(test_literal_flat_list),
	TL(test_literal_nested_list),
	TL(test_literal_tuples),
	TL(test_literal_trailing_comma_and_whitespace),
	TL(test_literal_free_releases_nested_lists),
	TL(test_literal_deep_nesting_does_not_crash),
	TL(test_assign_0d_scalar),
	TL(test_assign_0d_rejects_list),
	TL(test_assign_1d_list),
	TL(test_assign_tuple_like_list),
	TL(test_assign_list_through_strides),
	TL(test_assign_list_length_mismatch_refused),
	TL(test_assign_ragged_list_refused),
	TL(test_assign_flat_list_into_2d_refused),
	TL(test_assign_too_deep_list_refused),
	TL(test_assign_bytes_into_1d_B),
	TL(test_assign_bytes_into_strided_B),
	TL(test_assign_bytes_length_mismatch_refused),
	TL(test_assign_raw_bytes_into_typed_view),
	TL(test_assign_raw_bytes_in_c_order_through_strides),
	TL(test_assign_raw_bytes_wrong_length_refused),
	TL(test_assign_scalar_broadcast_1d),
	TL(test_assign_scalar_broadcast_2d_strided),
	TL(test_assign_out_of_range_element_writes_nothing),
	TL(test_assign_wrong_type_element_writes_nothing),
	TL(test_assign_float_scalar_into_int_view_refused),
	TL(test_assign_bool_into_int_view),
	TL(test_assign_doubles),
	TL(test_assign_bigint_into_double),
	TL(test_assign_int_too_large_for_double_refused),
	TL(test_assign_float_overflow_stores_infinity),
	TL(test_assign_half_overflow_refused),
	TL(test_assign_bool_view_takes_truth_values),
	TL(test_assign_char_view_takes_single_bytes),
	TL(test_assign_char_view_refuses_long_bytes_element),
	TL(test_assign_char_view_refuses_int_element),
	TL(test_assign_0d_char_takes_one_byte),
	TL(test_assign_unsigned_64bit_limits),
	TL(test_assign_pointer_negative_wraps),
	TL(test_assign_readonly_is_erofs),
	TL(test_assign_empty_list_into_empty_view),
	TL(test_assign_error_message_filled),
	TL(test_literal_bytes_octal_escape),
	TL(test_literal_bytes_escaped_quote),
	TL(test_literal_nested_tuples),
	TL(test_assign_bool_view_refuses_too_deep_list),
	TL(test_literal_signed_list_items),
	TL(test_literal_negative_beyond_uint64_is_bigint),
	TL(test_literal_bigint_rounds_to_nearest_double),
	TL(test_assign_bool_into_double_view),
	TL(test_assign_list_into_signed_bytes),
};

UNIT_MAIN(tests)
