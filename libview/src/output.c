/* SPDX-License-Identifier: MIT */
/*
 * Text output in Python's own spelling: repr of floats (shortest round-trip
 * digits, Python's choice between fixed and exponent notation), of bytes,
 * of memoryview.tolist(), memoryview.hex(), and the --info JSON object.
 */
#include "internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Python's repr of a finite or special double: the shortest round-trip
 * digits (shortest.c) in fixed notation when 1e-4 <= |x| < 1e16, else as
 * d.ddde[+-]XX with at least two exponent digits. */
size_t vw__float_repr(double x, char buf[static 32])
{
	char digits[17], *p = buf;
	int decpt, nd, e;

	if (isnan(x)) {
		memcpy(buf, "nan", 4);
		return 3;
	}
	if (signbit(x))
		*p++ = '-';
	if (isinf(x) || x == 0) {
		memcpy(p, isinf(x) ? "inf" : "0.0", 4);
		return (size_t)(p - buf) + 3;
	}
	nd = vw__shortest(x, digits, &decpt);
	if (decpt <= -4 || decpt > 16) {
		*p++ = digits[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, digits + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		e = decpt - 1;
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		e = abs(e);
		if (e >= 100)
			*p++ = (char)('0' + e / 100);
		*p++ = (char)('0' + e / 10 % 10);
		*p++ = (char)('0' + e % 10);
	} else if (decpt <= 0) {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)-decpt);
		p += -decpt;
		memcpy(p, digits, (size_t)nd);
		p += nd;
	} else if (decpt < nd) {
		memcpy(p, digits, (size_t)decpt);
		p += decpt;
		*p++ = '.';
		memcpy(p, digits + decpt, (size_t)(nd - decpt));
		p += nd - decpt;
	} else {
		memcpy(p, digits, (size_t)nd);
		p += nd;
		memset(p, '0', (size_t)(decpt - nd));
		p += decpt - nd;
		*p++ = '.';
		*p++ = '0';
	}
	*p = 0;
	return (size_t)(p - buf);
}

static int vw__bytes_repr(const unsigned char *b, size_t n, FILE *f)
{
	int squote = memchr(b, '\'', n) != NULL;
	int dquote = memchr(b, '"', n) != NULL;
	char q = (squote && !dquote) ? '"' : '\'';

	if (fprintf(f, "b%c", q) < 0)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		unsigned c = b[i];
		int r;

		if (c == (unsigned char)q || c == '\\')
			r = fprintf(f, "\\%c", c);
		else if (c == '\t')
			r = fputs("\\t", f);
		else if (c == '\n')
			r = fputs("\\n", f);
		else if (c == '\r')
			r = fputs("\\r", f);
		else if (c < 0x20 || c >= 0x7f)
			r = fprintf(f, "\\x%02x", c);
		else
			r = fputc((int)c, f);
		if (r < 0)
			return -EIO;
	}
	return fputc(q, f) < 0 ? -EIO : 0;
}

/*
 * One value to f, the caller holding f's lock (flockfile): tolist writes a
 * million values under one lock, and %lld through fprintf cost more than
 * all the rest of an int's way (92 ns a value for 1M int32, then).
 */
static int vw__format_value_locked(const struct vw_value *val, FILE *f)
{
	char buf[64], *p;
	size_t n;

	switch (val->type) {
	case VW_V_INT:
	case VW_V_UINT:
		if (val->type == VW_V_UINT || val->i >= 0) {
			p = vw__put_digits(buf + sizeof(buf),
					   val->type == VW_V_UINT ? (uint64_t)val->u
								  : (uint64_t)val->i);
		} else {
			/* the magnitude of INT64_MIN fits only unsigned */
			p = vw__put_digits(buf + sizeof(buf), 0 - (uint64_t)val->i);
			*--p = '-';
		}
		n = (size_t)(buf + sizeof(buf) - p);
		break;
	case VW_V_BOOL:
		p = val->i ? "True" : "False";
		n = val->i ? 4 : 5;
		break;
	case VW_V_FLOAT:
	case VW_V_BIGINT:
		p = buf;
		n = vw__float_repr(val->d, buf);
		break;
	case VW_V_BYTES:
		if (val->nbytes > sizeof(val->bytes))
			return -EINVAL;	/* breaks struct vw_value's rule */
		return vw__bytes_repr(val->bytes, val->nbytes, f);
	default:
		return -EIO;
	}
	return fwrite_unlocked(p, 1, n, f) == n ? 0 : -EIO;
}

VW_PUBLIC int vw_format_value(const struct vw_value *val, FILE *f)
{
	int rc;

	flockfile(f);
	rc = vw__format_value_locked(val, f);
	funlockfile(f);
	return rc;
}

static int vw__tolist_rec(const struct vw_view *v, const struct vw_format *fm,
			  const char *p, int dim, FILE *f)
{
	struct vw_value val;
	int rc;

	if (dim == v->ndim) {
		vw_unpack(fm, p, &val);
		return vw__format_value_locked(&val, f);
	}
	if (putc_unlocked('[', f) < 0)
		return -EIO;
	for (ssize_t i = 0; i < v->shape[dim]; i++) {
		if (i && fwrite_unlocked(", ", 1, 2, f) != 2)
			return -EIO;
		rc = vw__tolist_rec(v, fm, p + i * v->strides[dim], dim + 1, f);
		if (rc)
			return rc;
	}
	return putc_unlocked(']', f) < 0 ? -EIO : 0;
}

struct vw__tolist_job {
	const struct vw_view *v;
	FILE *f;
};

static int vw__tolist_run(void *arg)
{
	const struct vw__tolist_job *j = arg;
	struct vw_format fm;

	vw__view_format(j->v, &fm);
	return vw__tolist_rec(j->v, &fm, j->v->buf, 0, j->f);
}

VW_PUBLIC int vw_tolist(const struct vw_view *v, FILE *f,
			struct vw_error *err)
{
	struct vw__tolist_job j = { v, f };
	struct vw__guard g;
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	/* An empty view prints one "[]" per sub-array before its first zero
	 * dimension: bound that as vw_meta_check bounds empty shapes, here for
	 * views any derivation made (a transposed "0,N" is "N,0"). */
	if (v->len == 0) {
		uint64_t outer = 1, lim = VW_META_EMPTY_MAX;

		if (vw__map_len(vw__map(v)) > lim)
			lim = vw__map_len(vw__map(v));
		for (int i = 0; i < v->ndim && v->shape[i]; i++)
			if (__builtin_mul_overflow(outer, (uint64_t)v->shape[i], &outer) ||
			    outer > lim)
				return vw__fail(err, -E2BIG,
						"tolist: this empty view would print more than %llu empty lists",
						(unsigned long long)lim);
	}
	vw__guard_init(&g, v, VW__RD, NULL, 0);
	/* Locked around the guarded walk: a fault (only ever in a load from
	 * the view, never inside stdio) jumps back to vw__guarded, and the
	 * lock is given back here on every path. */
	flockfile(f);
	rc = vw__guarded(&g, vw__tolist_run, &j);
	funlockfile(f);
	if (rc == -EFAULT)
		return vw__fault_fail(err, &g);
	if (rc)
		return vw__fail(err, rc, "write error");
	return 0;
}

/* Emit the bytes of the view in C order through a callback-free walk. */
struct vw__hexstate {
	FILE *f;
	size_t total, pos;
	char sep;
	int group;		/* bytes_per_sep */
	int err;
};

static void vw__hex_bytes(struct vw__hexstate *st, const unsigned char *b,
			  size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t ag = st->group < 0 ? (size_t)-(long)st->group : (size_t)st->group;

	for (size_t i = 0; i < n; i++, st->pos++) {
		if (st->sep && ag && st->pos) {
			size_t k = st->group > 0 ? st->total - st->pos : st->pos;

			if (k % ag == 0 && fputc(st->sep, st->f) < 0)
				st->err = 1;
		}
		if (fputc(hexd[b[i] >> 4], st->f) < 0 ||
		    fputc(hexd[b[i] & 15], st->f) < 0)
			st->err = 1;
	}
}

struct vw__hex_job {
	const struct vw_view *v;
	struct vw__hexstate *st;
};

static int vw__hex_run(void *arg)
{
	const struct vw__hex_job *j = arg;
	const struct vw_view *v = j->v;
	ssize_t idx[VW_MAXDIM];
	int i, n = v->ndim;

	memset(idx, 0, sizeof(ssize_t) * (n > 0 ? n : 1));
	for (;;) {
		const char *p = v->buf;

		for (i = 0; i < n; i++)
			p += idx[i] * v->strides[i];
		if (n && v->strides[n - 1] == v->itemsize) {
			/* a contiguous innermost row at once */
			vw__hex_bytes(j->st, (const unsigned char *)p,
				      (size_t)(v->shape[n - 1] * v->itemsize));
			idx[n - 1] = v->shape[n - 1] - 1;
		} else {
			vw__hex_bytes(j->st, (const unsigned char *)p,
				      (size_t)v->itemsize);
		}
		if (!vw__next_index(idx, v->shape, n))
			return 0;
	}
}

VW_PUBLIC int vw_hex(const struct vw_view *v, char sep, int bytes_per_sep,
		     FILE *f, struct vw_error *err)
{
	struct vw__hexstate st = { f, 0, 0, sep, bytes_per_sep, 0 };
	struct vw__hex_job j = { v, &st };
	struct vw__guard g;
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	if (sep && (unsigned char)sep > 0x7f)
		return vw__fail(err, -EINVAL,
				"hex separator must be one ASCII character");
	st.total = (size_t)v->len;
	if (!v->len)
		return 0;
	vw__guard_init(&g, v, VW__RD, NULL, 0);
	if (vw__guarded(&g, vw__hex_run, &j))
		return vw__fault_fail(err, &g);
	return st.err ? vw__fail(err, -EIO, "write error") : 0;
}

VW_PUBLIC int vw_info_json(const struct vw_view *v, FILE *f,
			   struct vw_error *err)
{
	int rc = vw__check(v, err), r = 0;

	if (rc)
		return rc;
	r |= fputs("{\"format\": \"", f) < 0;
	for (const char *p = v->format; *p; p++) {
		if (*p == '"' || *p == '\\')
			r |= fputc('\\', f) < 0;
		r |= fputc(*p, f) < 0;
	}
	r |= fprintf(f, "\", \"itemsize\": %zd, \"ndim\": %d, \"shape\": [",
		     v->itemsize, v->ndim) < 0;
	for (int i = 0; i < v->ndim; i++)
		r |= fprintf(f, "%s%zd", i ? ", " : "", v->shape[i]) < 0;
	r |= fputs("], \"strides\": [", f) < 0;
	for (int i = 0; i < v->ndim; i++)
		r |= fprintf(f, "%s%zd", i ? ", " : "", v->strides[i]) < 0;
	r |= fprintf(f,
		     "], \"nbytes\": %zd, \"readonly\": %s, \"c_contiguous\": %s, \"f_contiguous\": %s, \"contiguous\": %s}",
		     v->len, v->readonly ? "true" : "false",
		     vw_c_contiguous(v) ? "true" : "false",
		     vw_f_contiguous(v) ? "true" : "false",
		     vw_contiguous(v) ? "true" : "false") < 0;
	return r ? vw__fail(err, -EIO, "write error") : 0;
}
