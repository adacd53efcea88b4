/* SPDX-License-Identifier: MIT */
/*
 * repr of doubles (libview/src/shortest.c, output.c): Python's spelling of
 * edge values, and two checks that need no oracle: over every binary
 * exponent and many random bit patterns, the text reads back as the double
 * (strtod), no decimal with one digit fewer does, and of the decimals with
 * as many digits it is the nearest one that reads back.  The comparison
 * with Python's repr on millions of doubles is tests/diff/reprcheck.py.
 */
#include "unit_fixtures.h"
#include "../../libview/src/internal.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void expect_repr(double x, const char *want)
{
	struct vw_value v = val_float(x);
	struct capture c;

	capture_open(&c);
	assert_int_equal(vw_format_value(&v, c.f), 0);
	assert_string_equal(capture_text(&c), want);
	capture_free(&c);
}

/* x as hexadecimal (exact), repr(x) from Python 3.11, the Python
 * expression x came from (bits(b) is the double with bit pattern b, nx is
 * math.nextafter, f32 rounds through struct 'f' as memoryview's 'f' does) */
static const struct {
	double x;
	const char *repr;
} edges[] = {
	{ 0x0.0p+0, "0.0" },	/* 0.0 */
	{ -0x0.0p+0, "-0.0" },	/* -0.0 */
	{ 0x0.0000000000001p-1022, "5e-324" },	/* bits(1) */
	{ 0x0.0000000000002p-1022, "1e-323" },	/* bits(2) */
	{ 0x0.0000000000003p-1022, "1.5e-323" },	/* bits(3) */
	{ 0x0.fffffffffffffp-1022, "2.225073858507201e-308" },	/* bits(0x000fffffffffffff) */
	{ 0x0.ffffffffffffep-1022, "2.2250738585072004e-308" },	/* bits(0x000ffffffffffffe) */
	{ 0x1.0000000000000p-1022, "2.2250738585072014e-308" },	/* bits(0x0010000000000000) */
	{ 0x1.0000000000001p-1022, "2.225073858507202e-308" },	/* bits(0x0010000000000001) */
	{ 0x1.fffffffffffffp+1023, "1.7976931348623157e+308" },	/* bits(0x7fefffffffffffff) */
	{ 0x1.ffffffffffffep+1023, "1.7976931348623155e+308" },	/* bits(0x7feffffffffffffe) */
	{ -0x1.fffffffffffffp+1023, "-1.7976931348623157e+308" },	/* -bits(0x7fefffffffffffff) */
	{ 0x0.8000000000000p-1022, "1.1125369292536007e-308" },	/* math.ldexp(1, -1023) */
	{ 0x1.0000000000000p-1021, "4.450147717014403e-308" },	/* math.ldexp(1, -1021) */
	{ 0x1.0000000000000p-500, "3.054936363499605e-151" },	/* math.ldexp(1, -500) */
	{ 0x1.0000000000000p-100, "7.888609052210118e-31" },	/* math.ldexp(1, -100) */
	{ 0x1.0000000000000p-1, "0.5" },	/* math.ldexp(1, -1) */
	{ 0x1.0000000000000p+0, "1.0" },	/* 1.0 */
	{ 0x1.0000000000000p+1, "2.0" },	/* 2.0 */
	{ 0x1.0000000000000p+52, "4503599627370496.0" },	/* math.ldexp(1, 52) */
	{ 0x1.0000000000000p+53, "9007199254740992.0" },	/* math.ldexp(1, 53) */
	{ 0x1.0000000000000p+54, "1.8014398509481984e+16" },	/* math.ldexp(1, 54) */
	{ 0x1.0000000000000p+63, "9.223372036854776e+18" },	/* math.ldexp(1, 63) */
	{ 0x1.0000000000000p+64, "1.8446744073709552e+19" },	/* math.ldexp(1, 64) */
	{ 0x1.0000000000000p+100, "1.2676506002282294e+30" },	/* math.ldexp(1, 100) */
	{ 0x1.0000000000000p+500, "3.273390607896142e+150" },	/* math.ldexp(1, 500) */
	{ 0x1.0000000000000p+1023, "8.98846567431158e+307" },	/* math.ldexp(1, 1023) */
	{ 0x1.fffffffffffffp-1, "0.9999999999999999" },	/* nx(1.0, 0) */
	{ 0x1.0000000000001p+0, "1.0000000000000002" },	/* nx(1.0, 2) */
	{ 0x1.fffffffffffffp+1022, "8.988465674311579e+307" },	/* nx(math.ldexp(1, 1023), 0) */
	{ 0x0.0000000000014p-1022, "1e-322" },	/* 1e-322 */
	{ 0x0.00000000007e8p-1022, "1e-320" },	/* 1e-320 */
	{ 0x0.012688b70e62bp-1022, "1e-310" },	/* 1e-310 */
	{ 0x0.730d67819e8d2p-1022, "1e-308" },	/* 1e-308 */
	{ 0x1.1fa182c40c60dp-1020, "1e-307" },	/* 1e-307 */
	{ 0x1.56e1fc2f8f359p-997, "1e-300" },	/* 1e-300 */
	{ 0x1.bff2ee48e0530p-333, "1e-100" },	/* 1e-100 */
	{ 0x1.e392010175ee6p-74, "1e-22" },	/* 1e-22 */
	{ 0x1.cd2b297d889bcp-54, "1e-16" },	/* 1e-16 */
	{ 0x1.4f8b588e368f1p-17, "1e-05" },	/* 1e-5 */
	{ 0x1.a36e2eb1c432dp-14, "0.0001" },	/* 1e-4 */
	{ 0x1.0624dd2f1a9fcp-10, "0.001" },	/* 0.001 */
	{ 0x1.999999999999ap-4, "0.1" },	/* 0.1 */
	{ 0x1.4000000000000p+3, "10.0" },	/* 10.0 */
	{ 0x1.9000000000000p+6, "100.0" },	/* 100.0 */
	{ 0x1.c6bf526340000p+49, "1000000000000000.0" },	/* 1e15 */
	{ 0x1.1c37937e08000p+53, "1e+16" },	/* 1e16 */
	{ 0x1.6345785d8a000p+56, "1e+17" },	/* 1e17 */
	{ 0x1.b1ae4d6e2ef50p+69, "1e+21" },	/* 1e21 */
	{ 0x1.0f0cf064dd592p+73, "1e+22" },	/* 1e22 */
	{ 0x1.52d02c7e14af6p+76, "1e+23" },	/* 1e23 */
	{ 0x1.52d02c7e14af5p+76, "9.999999999999997e+22" },	/* nx(1e23, 0) */
	{ 0x1.52d02c7e14af7p+76, "1.0000000000000001e+23" },	/* nx(1e23, math.inf) */
	{ 0x1.249ad2594c37dp+332, "1e+100" },	/* 1e100 */
	{ 0x1.7e43c8800759cp+996, "1e+300" },	/* 1e300 */
	{ 0x1.1ccf385ebc8a0p+1023, "1e+308" },	/* 1e308 */
	{ 0x1.fffffffffffffp+52, "9007199254740991.0" },	/* 9007199254740991.0 */
	{ 0x1.0000000000001p+53, "9007199254740994.0" },	/* 9007199254740994.0 */
	{ 0x1.0000000000002p+53, "9007199254740996.0" },	/* 9007199254740995.0 */
	{ -0x1.0000000000000p+53, "-9007199254740992.0" },	/* -9007199254740993.0 */
	{ 0x1.0000000000001p+50, "1125899906842624.2" },	/* 1125899906842624.25 */
	{ 0x1.0000000000003p+50, "1125899906842624.8" },	/* 1125899906842624.75 */
	{ 0x1.0000000000005p+50, "1125899906842625.2" },	/* 1125899906842625.25 */
	{ 0x1.ffffffffffffep+50, "2251799813685247.5" },	/* 2251799813685247.5 */
	{ 0x1.3333333333333p-2, "0.3" },	/* 0.3 */
	{ 0x1.3333333333334p-2, "0.30000000000000004" },	/* 0.1 + 0.2 */
	{ 0x1.1666666666666p+2, "4.35" },	/* 4.35 */
	{ 0x1.5555555555555p-1, "0.6666666666666666" },	/* 2 / 3 */
	{ 0x1.ec00000000000p+6, "123.0" },	/* 123.0 */
	{ 0x1.1c37937e07fffp+53, "9999999999999998.0" },	/* 1e16 - 2 */
	{ 0x1.a36e2eb1c432cp-14, "9.999999999999999e-05" },	/* 0.00009999999999999999 */
	{ 0x1.b69b4ba630f35p+56, "1.2345678901234568e+17" },	/* 123456789012345678.0 */
	{ 0x1.99999a0000000p-4, "0.10000000149011612" },	/* f32(0.1) */
	{ 0x1.5555560000000p-2, "0.3333333432674408" },	/* f32(1 / 3) */
	{ 0x1.fffffe0000000p+127, "3.4028234663852886e+38" },	/* f32(3.4028234663852886e38) */
	{ 0x1.0000000000000p-126, "1.1754943508222875e-38" },	/* f32(1.1754943508222875e-38) */
	{ 0x1.0000000000000p-149, "1.401298464324817e-45" },	/* f32(1.401298464324817e-45) */
	{ 0x1.0000000000000p+24, "16777216.0" },	/* f32(16777217.0) */
	{ 0x1.921fa00000000p+1, "3.141590118408203" },	/* f32(3.14159) */
	{ 0x1.2a05f20000000p+33, "10000000000.0" },	/* f32(1e10) */
	{ -0x1.4000000000000p+1, "-2.5" },	/* f32(-2.5) */
};

static void test_repr_edge_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		expect_repr(edges[i].x, edges[i].repr);
}

static void test_repr_float_limits_widened(void **state)
{
	(void)state;
	/* repr(struct.unpack('f', struct.pack('I', b))[0]) for FLT_MAX,
	 * FLT_MIN, FLT_TRUE_MIN, FLT_EPSILON, nextafter(1, 2) */
	expect_repr((double)FLT_MAX, "3.4028234663852886e+38");
	expect_repr((double)FLT_MIN, "1.1754943508222875e-38");
	expect_repr((double)FLT_TRUE_MIN, "1.401298464324817e-45");
	expect_repr((double)FLT_EPSILON, "1.1920928955078125e-07");
	expect_repr((double)nextafterf(1.0f, 2.0f), "1.0000001192092896");
}

/* The decimal m * 10^e read back as a double. */
static double read_decimal(uint64_t m, int e)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%" PRIu64 "e%d", m, e);
	return strtod(buf, NULL);
}

/* x correctly rounded to n significant digits (glibc's printf is exact):
 * x ~ *m * 10^*e with *m of n digits. */
static void round_to_digits(double x, int n, uint64_t *m, int *e)
{
	char buf[48], *p = buf, *exp;

	snprintf(buf, sizeof(buf), "%.*e", n - 1, x);
	*m = 0;
	exp = strchr(buf, 'e');
	for (; p < exp; p++)
		if (*p >= '0' && *p <= '9')
			*m = *m * 10 + (uint64_t)(*p - '0');
	*e = atoi(exp + 1) - (n - 1);
}

static uint64_t pow10u(int n)
{
	uint64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* x > 0 finite: vw__shortest's digits read back as x, are the fewest that
 * do, and are the nearest such decimal of their length. */
static void check_shortest(double x)
{
	char digits[17], txt[48];
	int decpt, n = vw__shortest(x, digits, &decpt), e;
	uint64_t got = 0, m;

	if (n < 1 || n > 17)
		fail_msg("%a: %d digits", x, n);
	for (int i = 0; i < n; i++)
		got = got * 10 + (uint64_t)(digits[i] - '0');
	if (read_decimal(got, decpt - n) != x)
		fail_msg("%a: %" PRIu64 "e%d does not read back", x, got, decpt - n);
	if (n > 1 && digits[n - 1] == '0')
		fail_msg("%a: trailing zero in %.*s", x, n, digits);
	if (n > 1) {
		/* the nearest (n-1)-digit decimals on both sides of x are
		 * the rounded one and one of its neighbours: none reads back */
		round_to_digits(x, n - 1, &m, &e);
		if (read_decimal(m, e) == x || read_decimal(m + 1, e) == x ||
		    (m - 1 >= pow10u(n - 2) ? read_decimal(m - 1, e) == x :
		     read_decimal(10 * m - 1, e - 1) == x))
			fail_msg("%a: %" PRIu64 "e%d has fewer digits than %.*s",
				 x, m, e, n, digits);
	}
	/* of n digits: the rounded decimal if it reads back, else (next to a
	 * power of two, where the interval is lopsided) its neighbour */
	round_to_digits(x, n, &m, &e);
	while (m % 10 == 0 && m) {
		m /= 10;
		e++;
	}
	if (read_decimal(m, e) == x && (m != got || e != decpt - n)) {
		snprintf(txt, sizeof(txt), "%" PRIu64 "e%d", m, e);
		fail_msg("%a: got %.*s (decpt %d), the nearer %s reads back",
			 x, n, digits, decpt, txt);
	}
}

static double from_bits(uint64_t b)
{
	double x;

	memcpy(&x, &b, sizeof(x));
	return x;
}

static void test_shortest_every_binary_exponent(void **state)
{
	static const uint64_t mant[] = {
		0, 1, 2, 3, 0x8000000000000, 0xfffffffffffff, 0xffffffffffffe,
		0x5555555555555, 0xaaaaaaaaaaaaa,
	};

	(void)state;
	for (uint64_t be = 0; be < 2047; be++)
		for (size_t i = 0; i < sizeof(mant) / sizeof(mant[0]); i++)
			if (be || mant[i])
				check_shortest(from_bits(be << 52 | mant[i]));
}

/* xorshift64*: a fixed sequence, so a failure can be rerun */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static void test_shortest_random_bit_patterns(void **state)
{
	uint64_t seed = 0x5eed;

	(void)state;
	for (int i = 0; i < 150000; i++) {
		double x = from_bits(next_random(&seed) & ~(UINT64_C(1) << 63));

		if (isfinite(x) && x > 0)
			check_shortest(x);
	}
}

static void test_shortest_random_floats_widened(void **state)
{
	uint64_t seed = 0xf10a7;

	(void)state;
	for (int i = 0; i < 150000; i++) {
		uint32_t b = (uint32_t)(next_random(&seed) >> 33);
		float f;

		memcpy(&f, &b, sizeof(f));
		if (isfinite(f) && f > 0)
			check_shortest((double)f);
	}
}

static void test_scales_exact_over_the_double_range(void **state)
{
	(void)state;
	/* q * log10(2) is at least 8.7e-5 away from an integer for every
	 * q != 0 here (and so is q * log10(2) + log10(3/4)): long double is
	 * far more precise than that */
	for (int q = -1074; q <= 971; q++) {
		long double l = (long double)q * log10l(2.0L);

		assert_int_equal(vw__floor_log10_pow2(q), (int)floorl(l));
		assert_int_equal(vw__floor_log10_three_quarters_pow2(q),
				 (int)floorl(l + log10l(0.75L)));
	}
}

static const struct CMUnitTest tests[] = {
	T(test_repr_edge_values),
	T(test_repr_float_limits_widened),
	T(test_shortest_every_binary_exponent),
	T(test_shortest_random_bit_patterns),
	T(test_shortest_random_floats_widened),
	T(test_scales_exact_over_the_double_range),
};

UNIT_MAIN(tests)
