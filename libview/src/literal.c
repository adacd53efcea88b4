/* SPDX-License-Identifier: MIT */
/*
 * Python literals for `view set --value`, and assignment of a literal to a
 * whole view (m[...] = value).  The parser owns the heap memory of the
 * literal tree (bytes contents and list items); vw_literal_free releases it.
 * Assignment converts every element into a temporary C-order buffer first,
 * so a failure leaves the view's memory untouched.
 */
#include "internal.h"
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define VW_LIT_MAXDEPTH 100

struct vw__lp {
	const char *s, *p;
	struct vw_error *err;
	int depth;
};

static int vw__lfail(struct vw__lp *lp, const char *what)
{
	return vw__fail(lp->err, -EINVAL,
			"bad literal '%.60s': %s at offset %ld", lp->s, what,
			(long)(lp->p - lp->s));
}

static void vw__ws(struct vw__lp *lp)
{
	while (*lp->p == ' ' || *lp->p == '\t' || *lp->p == '\n' ||
	       *lp->p == '\r')
		lp->p++;
}

static int vw__ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int vw__digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Strip '_' separators, validating their placement (between digits). */
static int vw__strip_us(const char *tok, size_t n, char *out, size_t on,
			int base)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = tok[i];

		if (c == '_') {
			/* between two digits of the base (or right after 0x) */
			int prev_ok = i > 0 && (vw__digit(tok[i - 1]) < base ||
						(base != 10 && i == 2));
			if (!prev_ok || i + 1 >= n || vw__digit(tok[i + 1]) >= base)
				return -1;
			continue;
		}
		if (k + 1 >= on)
			return -1;
		out[k++] = c;
	}
	out[k] = 0;
	return 0;
}


/* A base-2/8/16 digit string (no prefix, no '_') as a double, correctly
 * rounded (half to even) as Python's float(int); +inf beyond DBL_MAX. */
static double vw__pow2_digits(const char *d, int base)
{
	int bpd = base == 16 ? 4 : base == 8 ? 3 : 1;
	uint64_t mant = 0;
	int nbits = 0, round = 0, sticky = 0;

	for (; *d; d++) {
		int k = vw__digit(*d);

		for (int b = bpd - 1; b >= 0; b--) {
			int bit = (k >> b) & 1;

			if (!nbits && !bit)
				continue;	/* leading zeros */
			if (nbits < 53)
				mant = mant << 1 | (uint64_t)bit;
			else if (nbits == 53)
				round = bit;
			else
				sticky |= bit;
			nbits++;
		}
	}
	if (nbits <= 53)
		return ldexp((double)mant, 0);
	if (round && (sticky || (mant & 1)))
		mant++;		/* may carry to 2**53: still exact */
	return ldexp((double)mant, nbits - 53);	/* inf when too large */
}

/* An integer token (no sign) into val with sign neg. */
static int vw__int_value(struct vw__lp *lp, const char *t, int neg,
			 struct vw_value *val)
{
	int base = 10;
	const char *d = t;
	uint64_t mag = 0;
	int big = 0;

	if (t[0] == '0' && t[1] && strchr("xXoObB", t[1])) {
		base = strchr("xX", t[1]) ? 16 : strchr("oO", t[1]) ? 8 : 2;
		d = t + 2;
		if (!*d)
			return vw__lfail(lp, "missing digits");
	} else if (t[0] == '0') {
		for (const char *q = t; *q; q++)
			if (*q != '0')
				return vw__lfail(lp,
						 "leading zeros in a decimal integer");
	}
	for (const char *q = d; *q; q++) {
		int k = vw__digit(*q);

		if (k >= base)
			return vw__lfail(lp, "invalid digit");
		if (!big && mag > (UINT64_MAX - (uint64_t)k) / (uint64_t)base)
			big = 1;
		if (!big)
			mag = mag * (uint64_t)base + (uint64_t)k;
	}
	memset(val, 0, sizeof(*val));
	if (big || (neg && mag > (uint64_t)INT64_MAX + 1)) {
		val->type = VW_V_BIGINT;
		/* correctly rounded, as Python's float(int) */
		val->d = base == 10 ? strtod(d, NULL) : vw__pow2_digits(d, base);
		if (neg)
			val->d = -val->d;
		val->i = neg ? -1 : 1;
		return 0;
	}
	if (neg) {
		val->type = VW_V_INT;
		val->i = (int64_t)((uint64_t)0 - mag);
	} else if (mag > INT64_MAX) {
		val->type = VW_V_UINT;
		val->u = mag;
	} else {
		val->type = VW_V_INT;
		val->i = (int64_t)mag;
	}
	return 0;
}

static int vw__number(struct vw__lp *lp, struct vw_literal *out)
{
	const char *start;
	char tok[512], clean[512];
	int neg = 0, is_float = 0, base = 10;
	size_t n;

	if (*lp->p == '+' || *lp->p == '-') {
		neg = *lp->p == '-';
		lp->p++;
		vw__ws(lp);
	}
	start = lp->p;
	if (!strncmp(start, "inf", 3) && !vw__ident_char(start[3])) {
		lp->p += 3;
		out->value.type = VW_V_FLOAT;
		out->value.d = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (!strncmp(start, "nan", 3) && !vw__ident_char(start[3])) {
		lp->p += 3;
		out->value.type = VW_V_FLOAT;
		out->value.d = neg ? -NAN : NAN;
		return 0;
	}
	if (!isdigit((unsigned char)*start) && *start != '.')
		return vw__lfail(lp, "expected a value");
	if (start[0] == '0' && start[1] && strchr("xXoObB", start[1]))
		base = 16;	/* only to let hex digits through the scan */
	while (vw__ident_char(*lp->p) || *lp->p == '.' ||
	       ((*lp->p == '+' || *lp->p == '-') && base == 10 &&
		(lp->p[-1] == 'e' || lp->p[-1] == 'E')))
		lp->p++;
	n = (size_t)(lp->p - start);
	if (n >= sizeof(tok))
		return vw__lfail(lp, "number too long");
	memcpy(tok, start, n);
	tok[n] = 0;
	if (base == 10 && strpbrk(tok, ".eE"))
		is_float = 1;
	if (vw__strip_us(tok, n, clean, sizeof(clean), base) < 0)
		return vw__lfail(lp, "misplaced '_' in a number");
	if (is_float) {
		char *end;
		double d;

		for (char *q = clean; *q; q++)
			if (!isdigit((unsigned char)*q) && !strchr(".eE+-", *q))
				return vw__lfail(lp, "malformed float");
		d = strtod(clean, &end);
		if (*end || end == clean)
			return vw__lfail(lp, "malformed float");
		out->value.type = VW_V_FLOAT;
		out->value.d = neg ? -d : d;
		return 0;
	}
	return vw__int_value(lp, clean, neg, &out->value);
}

/*
 * Bytes literals, by Python's rules: a prefix and opening quote, a body up
 * to the closing quote, and adjacent literals concatenated.
 */

/* The prefix (b, B, rb, br, any case) and opening quote(s) of a bytes
 * literal at lp->p, which is left after them.  0, or -1 when lp->p does
 * not start one (lp->p then where the mismatch is). */
static int vw__bytes_open(struct vw__lp *lp, int *raw, char *q, int *triple)
{
	*raw = 0;
	if (tolower((unsigned char)lp->p[0]) == 'r') {
		*raw = 1;
		lp->p++;
	}
	if (tolower((unsigned char)lp->p[0]) != 'b')
		return -1;
	lp->p++;
	if (!*raw && tolower((unsigned char)lp->p[0]) == 'r') {
		*raw = 1;
		lp->p++;
	}
	*q = *lp->p;
	if (*q != '\'' && *q != '"')
		return -1;
	*triple = lp->p[1] == *q && lp->p[2] == *q;
	lp->p += *triple ? 3 : 1;
	return 0;
}

/*
 * The escape after a backslash at lp->p (left after it): 0 with the byte
 * it stands for in *c (an unknown escape keeps the backslash, as Python
 * does: *c is '\\' and lp->p on the character after it); 1 for a line
 * continuation (no byte); < 0 with lp's error for a bad \x escape or a
 * backslash at the end of the text.
 */
static int vw__bytes_escape(struct vw__lp *lp, unsigned *c)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	char e = *lp->p++;

	for (const char *s = simple; *s; s += 2)
		if (*s == e) {
			*c = (unsigned char)s[1];
			return 0;
		}
	if (e == '\n')
		return 1;
	if (e >= '0' && e <= '7') {
		*c = (unsigned)(e - '0');
		for (int k = 0; k < 2 && *lp->p >= '0' && *lp->p <= '7'; k++)
			*c = *c * 8 + (unsigned)(*lp->p++ - '0');
		*c &= 0xff;
		return 0;
	}
	if (e == 'x') {
		int h1 = vw__digit(lp->p[0]);
		int h2 = h1 < 16 ? vw__digit(lp->p[1]) : 99;

		if (h1 > 15 || h2 > 15)
			return vw__lfail(lp, "invalid \\x escape");
		*c = (unsigned)(h1 * 16 + h2);
		lp->p += 2;
		return 0;
	}
	if (!e)
		return vw__lfail(lp, "unterminated bytes");
	lp->p--;	/* keep the backslash */
	*c = '\\';
	return 0;
}

/* The body of one bytes literal from lp->p (after its opening quote) to
 * its closing quote (lp->p left after it), decoded onto buf[*n..). */
static int vw__bytes_body(struct vw__lp *lp, unsigned char *buf, size_t *n,
			  int raw, char q, int triple)
{
	while (triple ? !(lp->p[0] == q && lp->p[1] == q && lp->p[2] == q) :
			*lp->p != q) {
		unsigned c = (unsigned char)*lp->p;

		if (!c || (c == '\n' && !triple))
			return vw__lfail(lp, "unterminated bytes");
		if (c >= 0x80)
			return vw__lfail(lp,
					 "bytes can only contain ASCII characters");
		lp->p++;
		if (c == '\\' && !raw) {
			int rc = vw__bytes_escape(lp, &c);

			if (rc < 0)
				return rc;
			if (rc)
				continue;
		} else if (c == '\\' && raw && *lp->p) {
			/* raw: backslash kept, next char taken as is */
			buf[(*n)++] = '\\';
			c = (unsigned char)*lp->p++;
		}
		buf[(*n)++] = (unsigned char)c;
	}
	lp->p += triple ? 3 : 1;
	return 0;
}

/* 1 if another bytes literal follows blanks at lp->p (lp->p is then on
 * it: adjacent literals concatenate, as in Python source); else 0 with
 * lp->p unmoved. */
static int vw__bytes_follows(struct vw__lp *lp)
{
	const char *save = lp->p;

	vw__ws(lp);
	if ((tolower((unsigned char)*lp->p) == 'b' ||
	     tolower((unsigned char)*lp->p) == 'r') &&
	    (lp->p[1] == '\'' || lp->p[1] == '"' ||
	     tolower((unsigned char)lp->p[1]) == 'b' ||
	     tolower((unsigned char)lp->p[1]) == 'r'))
		return 1;
	lp->p = save;
	return 0;
}

static int vw__bytes(struct vw__lp *lp, struct vw_literal *out)
{
	/* decoded bytes are never longer than the literal's text */
	size_t n = 0;
	unsigned char *buf = malloc(strlen(lp->p) + 1);

	if (!buf)
		return vw__fail(lp->err, -ENOMEM, "out of memory");
	do {
		int raw, triple, rc;
		char q;

		if (vw__bytes_open(lp, &raw, &q, &triple))
			rc = vw__lfail(lp, "expected a value");
		else
			rc = vw__bytes_body(lp, buf, &n, raw, q, triple);
		if (rc) {
			free(buf);
			return rc;
		}
	} while (vw__bytes_follows(lp));
	out->data = buf;
	out->ndata = n;
	out->value.type = VW_V_BYTES;
	/* value keeps its rule (bytes[0..nbytes), nbytes <= 8): a longer
	 * literal's value holds its first 8 bytes; data has them all */
	out->value.nbytes = n < sizeof(out->value.bytes) ?
			    n : sizeof(out->value.bytes);
	memcpy(out->value.bytes, buf, out->value.nbytes);
	return 0;
}

static int vw__value(struct vw__lp *lp, struct vw_literal *out);

static int vw__seq(struct vw__lp *lp, struct vw_literal *out, char close,
		   int *had_comma)
{
	size_t cap = 0;
	int rc;

	out->is_list = 1;
	*had_comma = 0;
	lp->p++;
	for (;;) {
		vw__ws(lp);
		if (*lp->p == close) {
			lp->p++;
			return 0;
		}
		if (out->nitems == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct vw_literal *ni = realloc(out->items, nc * sizeof(*ni));

			if (!ni)
				return vw__fail(lp->err, -ENOMEM, "out of memory");
			out->items = ni;
			cap = nc;
		}
		memset(&out->items[out->nitems], 0, sizeof(*out->items));
		rc = vw__value(lp, &out->items[out->nitems]);
		out->nitems++;
		if (rc)
			return rc;
		vw__ws(lp);
		if (*lp->p == ',') {
			*had_comma = 1;
			lp->p++;
			continue;
		}
		if (*lp->p != close)
			return vw__lfail(lp, close == ']' ? "expected ',' or ']'" :
						       "expected ',' or ')'");
	}
}

static int vw__value(struct vw__lp *lp, struct vw_literal *out)
{
	int rc, comma;

	if (++lp->depth > VW_LIT_MAXDEPTH)
		return vw__lfail(lp, "nested too deeply");
	vw__ws(lp);
	if (*lp->p == '[') {
		rc = vw__seq(lp, out, ']', &comma);
	} else if (*lp->p == '(') {
		rc = vw__seq(lp, out, ')', &comma);
		/* (x) is x itself; (x,) and () are tuples */
		if (!rc && out->nitems == 1 && !comma) {
			struct vw_literal inner = out->items[0];

			free(out->items);
			*out = inner;
		}
	} else if (!strncmp(lp->p, "True", 4) && !vw__ident_char(lp->p[4])) {
		lp->p += 4;
		out->value.type = VW_V_BOOL;
		out->value.i = 1;
		rc = 0;
	} else if (!strncmp(lp->p, "False", 5) && !vw__ident_char(lp->p[5])) {
		lp->p += 5;
		out->value.type = VW_V_BOOL;
		out->value.i = 0;
		rc = 0;
	} else if (strchr("bBrR", *lp->p) && *lp->p) {
		rc = vw__bytes(lp, out);
	} else {
		rc = vw__number(lp, out);
	}
	lp->depth--;
	return rc;
}

VW_PUBLIC int vw_literal_parse(const char *s, struct vw_literal *out,
			       struct vw_error *err)
{
	struct vw__lp lp = { s, s, err, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return vw__fail(err, -EINVAL, "no literal");
	rc = vw__value(&lp, out);
	if (!rc) {
		vw__ws(&lp);
		if (*lp.p)
			rc = vw__lfail(&lp, "unexpected text after the value");
	}
	if (rc)
		vw_literal_free(out);
	return rc;
}

VW_PUBLIC void vw_literal_free(struct vw_literal *lit)
{
	if (!lit)
		return;
	for (size_t i = 0; i < lit->nitems; i++)
		vw_literal_free(&lit->items[i]);
	free(lit->items);
	free(lit->data);
	memset(lit, 0, sizeof(*lit));
}

/* ---- assignment ------------------------------------------------------ */

static int vw__pack_leaf(const struct vw_format *f,
			 const struct vw_literal *lit, unsigned char *p,
			 struct vw_error *err)
{
	if (lit->is_list) {
		if (f->kind == VW_K_BOOL) {
			*p = lit->nitems != 0;
			return 0;
		}
		return vw__fail(err, -EINVAL,
				"invalid type for format '%c': a list where one element was expected",
				f->code);
	}
	return vw_pack(f, &lit->value, p, err);
}

/* Pack a nested list of exactly v's shape (from dimension dim). */
static int vw__pack_nested(const struct vw_view *v, const struct vw_format *f,
			   const struct vw_literal *lit, int dim,
			   unsigned char **p, struct vw_error *err)
{
	int rc;

	if (dim == v->ndim) {
		/* An element of an n-D view is never a list, not even for '?'
		 * (only a 0-d view takes any object, as memoryview's m[()]). */
		if (lit->is_list)
			return vw__fail(err, -EINVAL,
					"value does not match the view's shape: a list nested deeper than its %d dimensions",
					v->ndim);
		rc = vw__pack_leaf(f, lit, *p, err);
		*p += v->itemsize;
		return rc;
	}
	if (!lit->is_list)
		return vw__fail(err, -EINVAL,
				"value does not match the view's shape: expected a list of %zd items at depth %d",
				v->shape[dim], dim);
	if ((ssize_t)lit->nitems != v->shape[dim])
		return vw__fail(err, -EINVAL,
				"value does not match the view's shape: %zu items for axis %d of size %zd",
				lit->nitems, dim, v->shape[dim]);
	for (size_t i = 0; i < lit->nitems; i++) {
		rc = vw__pack_nested(v, f, &lit->items[i], dim + 1, p, err);
		if (rc)
			return rc;
	}
	return 0;
}

VW_PUBLIC int vw_assign(const struct vw_view *v, const struct vw_literal *lit,
			struct vw_error *err)
{
	struct vw_format f;
	unsigned char *tmp, *p;
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	if (!lit)
		return vw__fail(err, -EINVAL, "no value");
	rc = vw__check_writable(v, err);
	if (rc)
		return rc;
	vw__view_format(v, &f);

	if (!lit->is_list && lit->value.type == VW_V_BYTES) {
		int byte_rule = v->ndim == 1 && f.code == 'B' &&
				(ssize_t)lit->ndata == v->shape[0];

		if (v->ndim == 0 && (f.kind == VW_K_CHAR || f.kind == VW_K_BOOL))
			return vw_fill(v, &lit->value, err);
		if (byte_rule || (ssize_t)lit->ndata == v->len)
			return vw_frombytes(v, lit->data, lit->ndata, err);
		if (f.kind == VW_K_CHAR || f.kind == VW_K_BOOL)
			return vw_fill(v, &lit->value, err);
		return vw__fail(err, -EINVAL,
				"bytes of length %zu do not fit a view of %zd bytes with format '%s'",
				lit->ndata, v->len, v->format);
	}
	if (!lit->is_list)
		return vw_fill(v, &lit->value, err);	/* scalar, broadcast */
	if (v->ndim == 0) {
		unsigned char item[8];

		rc = vw__pack_leaf(&f, lit, item, err);
		return rc ? rc : vw_frombytes(v, item, (size_t)v->itemsize, err);
	}
	tmp = malloc(v->len ? (size_t)v->len : 1);
	if (!tmp)
		return vw__fail(err, -ENOMEM, "out of memory");
	p = tmp;
	rc = vw__pack_nested(v, &f, lit, 0, &p, err);
	if (!rc)
		rc = vw_frombytes(v, tmp, (size_t)v->len, err);
	free(tmp);
	return rc;
}
