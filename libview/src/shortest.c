/* SPDX-License-Identifier: MIT */
/*
 * Shortest round-trip decimal digits of a double, as Python's repr (David
 * Gay's dtoa mode 0) picks them: of the decimals that read back as x under
 * round-half-even, the ones with the fewest digits, and of those the one
 * nearest x; a tie goes to the even digit.
 *
 * The method is Schubfach (Raffaello Giulietti, "The Schubfach way to render
 * doubles", 2020), written here from the paper.  With x = c * 2^q, every
 * decimal that reads back as x lies in the rounding interval
 * R = [x - 2^(q-1), x + 2^(q-1)] (its ends count when c is even, as
 * round-half-even then reads them as x), except at a power of two, whose
 * lower neighbour is closer: there R = [x - 2^(q-2), x + 2^(q-1)].  Pick k
 * so that R scaled by 10^-k is between 1 and 10 wide: then one of
 * s = floor(x * 10^-k) and s + 1 lies in it, at most one multiple of ten
 * does, and the answer is that multiple of ten if there is one, else
 * whichever of s, s + 1 is in R and nearer x.  The scaling is one 64 x 126
 * bit multiplication by a rounded-up 10^-k (pow10_table.h, computed at
 * build time by libview/gen/pow10_table.c); the paper proves that its
 * result, truncated with a sticky bit for the dropped part, orders against
 * the candidates exactly as the true value would.
 */
#include "internal.h"

struct vw__pow10 {
	uint64_t g1, g0;	/* 10^e * 2^(125 - r) rounded up: g1 * 2^63 + g0 */
	int r;			/* floor(log2(10^e)) */
};

#include "pow10_table.h"

/* floor(log10(2^q)) and floor(log10(3/4 * 2^q)) for q in [-1074, 971]:
 * 315653 / 2^20 is log10(2) close enough there, -131003 / 2^20 is
 * log10(3/4) (test_shortest checks both over the whole range).  >> of a
 * negative int is an arithmetic shift with GCC and Clang. */
int vw__floor_log10_pow2(int q)
{
	return (q * 315653) >> 20;
}

int vw__floor_log10_three_quarters_pow2(int q)
{
	return (q * 315653 - 131003) >> 20;
}

/* floor(g * cp / 2^127), g = g1 * 2^63 + g0, with bit 0 set when the part
 * below 2^127 is not zero (the sticky bit), after rounding g * cp down to a
 * multiple of 2^64 as the paper does.  g is at most 1 above the exact
 * scale, so g * cp is less than cp < 2^64 above the exact product; cp is
 * even, so g1 * cp * 2^63 has no bits below 2^64 and dropping the low 64
 * bits of g0 * cp is that rounding down: an exact product (a multiple of
 * 2^127) comes out with the sticky bit clear. */
static uint64_t vw__scale(const struct vw__pow10 *p, uint64_t cp)
{
	unsigned __int128 lo = (unsigned __int128)p->g0 * cp;
	unsigned __int128 w = (unsigned __int128)p->g1 * cp +
			      ((uint64_t)(lo >> 64) << 1);

	return (uint64_t)(w >> 64) | ((uint64_t)w != 0);
}

/* The shortest decimal f * 10^e of x (finite, > 0), f with no trailing
 * zero. */
static void vw__shortest_decimal(double x, uint64_t *fp, int *ep)
{
	uint64_t bits, t, c, cb, cbl, cbr, vb, vbl, vbr, s, f;
	int be, q, k, h, out;
	const struct vw__pow10 *p;

	memcpy(&bits, &x, sizeof(bits));
	t = bits & ((UINT64_C(1) << 52) - 1);
	be = (int)(bits >> 52) & 0x7ff;
	c = be ? t | UINT64_C(1) << 52 : t;
	q = be ? be - 1075 : -1074;
	/* R in units of 2^(q-2): [cbl, cbr] around cb = 4c */
	out = (int)(c & 1);	/* odd c: the ends read as a neighbour */
	cb = c << 2;
	cbr = cb + 2;
	if (t || be <= 1) {
		cbl = cb - 2;
		k = vw__floor_log10_pow2(q);
	} else {
		/* a power of two: the neighbour below is 2^(q-1) away */
		cbl = cb - 1;
		k = vw__floor_log10_three_quarters_pow2(q);
	}
	p = &vw__pow10_table[-k - VW__POW10_MIN];
	/* 2^h * g / 2^127 = 10^-k * 2^(q + 2): vb ~ 4 * x * 10^-k */
	h = q + p->r + 2;
	vb = vw__scale(p, cb << h);
	vbl = vw__scale(p, cbl << h);
	vbr = vw__scale(p, cbr << h);
	s = vb >> 2;
	if (s >= 10) {
		/* one digit fewer: the one multiple of ten R may hold */
		uint64_t sp = s / 10 * 10, tp = sp + 10;
		int sin = vbl + out <= sp << 2, tin = (tp << 2) + out <= vbr;

		if (sin != tin) {
			f = sin ? sp : tp;
			goto strip;
		}
	}
	{
		int sin = vbl + out <= s << 2, tin = ((s + 1) << 2) + out <= vbr;

		if (sin != tin) {
			f = sin ? s : s + 1;
		} else {
			/* both: the nearer, a tie to even (vb - 4s - 2 is
			 * 4x * 10^-k - 4(s + 1/2)) */
			uint64_t mid = (2 * s + 1) << 1;

			f = vb < mid || (vb == mid && !(s & 1)) ? s : s + 1;
		}
	}
strip:
	while (f % 10 == 0) {
		f /= 10;
		k++;
	}
	*fp = f;
	*ep = k;
}

/* internal.h.  Two digits a step on 32-bit halves: shorter chains of
 * dependent divisions than one 64-bit loop a digit at a time. */
char *vw__put_digits(char *end, uint64_t f)
{
	uint32_t hi, r;

	/* eight digits (leading zeros kept) while the rest needs 64 bits */
	while (f > UINT32_MAX) {
		uint32_t lo = (uint32_t)(f % 100000000);

		f /= 100000000;
		for (int i = 0; i < 4; i++) {
			r = lo % 100;
			lo /= 100;
			*--end = (char)('0' + r % 10);
			*--end = (char)('0' + r / 10);
		}
	}
	hi = (uint32_t)f;
	while (hi >= 100) {
		r = hi % 100;
		hi /= 100;
		*--end = (char)('0' + r % 10);
		*--end = (char)('0' + r / 10);
	}
	if (hi >= 10) {
		*--end = (char)('0' + hi % 10);
		hi /= 10;
	}
	*--end = (char)('0' + hi);
	return end;
}

int vw__shortest(double x, char *digits, int *decpt)
{
	char tmp[20], *end = tmp + sizeof(tmp), *d;
	uint64_t f;
	int e, n;

	vw__shortest_decimal(x, &f, &e);
	d = vw__put_digits(end, f);
	n = (int)(end - d);
	memcpy(digits, d, (size_t)n);
	*decpt = e + n;
	return n;
}
