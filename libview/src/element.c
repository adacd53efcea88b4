/* SPDX-License-Identifier: MIT */
/*
 * One element: decoding (unpack) and encoding (pack) with the rules of
 * memoryview item assignment (CPython's pack_single/unpack_single and the
 * struct module's half-float packing), and Python's == and bool() on the
 * resulting values.
 */
#include "internal.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>

static void vw__swap(unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		unsigned char t = b[i];

		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
}

/* PyFloat_Unpack2 */
static double vw__half_to_double(uint16_t h)
{
	int sign = h >> 15, e = (h >> 10) & 0x1f;
	unsigned f = h & 0x3ff;
	double x;

	if (e == 0x1f) {
		if (f == 0)
			return sign ? -INFINITY : INFINITY;
		return sign ? -NAN : NAN;
	}
	x = (double)f / 1024.0;
	if (e == 0)
		e = -14;
	else {
		x += 1.0;
		e -= 15;
	}
	x = ldexp(x, e);
	return sign ? -x : x;
}

/* PyFloat_Pack2: round half to even; -ERANGE when too large. */
static int vw__double_to_half(double x, uint16_t *out)
{
	unsigned short bits;
	int sign, e;
	double f;

	if (x == 0.0) {
		sign = signbit(x) != 0;
		e = 0;
		bits = 0;
	} else if (isinf(x)) {
		sign = x < 0.0;
		e = 0x1f;
		bits = 0;
	} else if (isnan(x)) {
		sign = signbit(x) != 0;
		e = 0x1f;
		bits = 512;
	} else {
		sign = x < 0.0;
		if (sign)
			x = -x;
		f = frexp(x, &e);
		f *= 2.0;
		e--;
		if (e >= 16)
			return -ERANGE;
		if (e < -25) {
			f = 0.0;
			e = 0;
		} else if (e < -14) {
			f = ldexp(f, 14 + e);
			e = 0;
		} else {
			e += 15;
			f -= 1.0;
		}
		f *= 1024.0;
		bits = (unsigned short)f;
		if ((f - bits > 0.5) || ((f - bits == 0.5) && (bits % 2 == 1))) {
			++bits;
			if (bits == 1024) {
				bits = 0;
				++e;
				if (e == 31)
					return -ERANGE;
			}
		}
	}
	*out = (uint16_t)(bits | (e << 10) | (sign << 15));
	return 0;
}

static void vw__set_int(struct vw_value *out, int64_t i)
{
	out->type = VW_V_INT;
	out->i = i;
}

static void vw__set_uint(struct vw_value *out, uint64_t u)
{
	if (u <= INT64_MAX) {
		vw__set_int(out, (int64_t)u);
	} else {
		out->type = VW_V_UINT;
		out->u = u;
	}
}

/* Decode one item from b[0..itemsize) (b holds 8 bytes): one dispatch on
 * (kind, itemsize). */
#define VW__KN(k, n) (((unsigned)(k) << 4) | (unsigned)(n))
static inline __attribute__((always_inline)) void vw__decode(const struct vw_format *f, unsigned char *b,
			      struct vw_value *out)
{
	size_t n = f->itemsize;

	memset(out, 0, sizeof(*out));
	if (f->swap)
		vw__swap(b, n);
	switch (VW__KN(f->kind, n)) {
	case VW__KN(VW_K_FLOAT, 8):
		out->type = VW_V_FLOAT;
		memcpy(&out->d, b, 8);
		return;
	case VW__KN(VW_K_FLOAT, 4): {
		float x;

		memcpy(&x, b, 4);
		out->type = VW_V_FLOAT;
		out->d = x;
		return;
	}
	case VW__KN(VW_K_FLOAT, 2): {
		uint16_t h;

		memcpy(&h, b, 2);
		out->type = VW_V_FLOAT;
		out->d = vw__half_to_double(h);
		return;
	}
	case VW__KN(VW_K_INT, 1): { int8_t x; memcpy(&x, b, 1); vw__set_int(out, x); return; }
	case VW__KN(VW_K_INT, 2): { int16_t x; memcpy(&x, b, 2); vw__set_int(out, x); return; }
	case VW__KN(VW_K_INT, 4): { int32_t x; memcpy(&x, b, 4); vw__set_int(out, x); return; }
	case VW__KN(VW_K_INT, 8): { int64_t x; memcpy(&x, b, 8); vw__set_int(out, x); return; }
	case VW__KN(VW_K_UINT, 1): vw__set_int(out, b[0]); return;
	case VW__KN(VW_K_UINT, 2): { uint16_t x; memcpy(&x, b, 2); vw__set_int(out, x); return; }
	case VW__KN(VW_K_UINT, 4): { uint32_t x; memcpy(&x, b, 4); vw__set_int(out, x); return; }
	case VW__KN(VW_K_UINT, 8): { uint64_t x; memcpy(&x, b, 8); vw__set_uint(out, x); return; }
	case VW__KN(VW_K_CHAR, 1):
		out->type = VW_V_BYTES;
		out->bytes[0] = b[0];
		out->nbytes = 1;
		return;
	default:	/* VW_K_BOOL: '?', whatever sizeof(_Bool) is */
		out->type = VW_V_BOOL;
		out->i = b[0] != 0;
		return;
	}
}

VW_PUBLIC void vw_unpack(const struct vw_format *f, const void *p,
			 struct vw_value *out)
{
	unsigned char b[8];

	switch (f->itemsize) {	/* constant sizes: no memcpy call */
	case 1: memcpy(b, p, 1); break;
	case 2: memcpy(b, p, 2); break;
	case 4: memcpy(b, p, 4); break;
	default: memcpy(b, p, 8); break;
	}
	vw__decode(f, b, out);
}

int vw__truth(const struct vw_value *v)
{
	switch (v->type) {
	case VW_V_INT:
	case VW_V_BOOL:
		return v->i != 0;
	case VW_V_UINT:
	case VW_V_BIGINT:
		return 1;
	case VW_V_FLOAT:
		return v->d != 0.0 || isnan(v->d);
	case VW_V_BYTES:
		return v->nbytes != 0;
	}
	return 0;
}

static const char *vw__type_name(const struct vw_value *v)
{
	switch (v->type) {
	case VW_V_INT:
	case VW_V_UINT:
	case VW_V_BIGINT:
		return "int";
	case VW_V_BOOL:
		return "bool";
	case VW_V_FLOAT:
		return "float";
	case VW_V_BYTES:
		return "bytes";
	}
	return "?";
}

/* Integer value of v into (neg, mag): -EINVAL if not an int/bool,
 * -ERANGE if beyond 64 bits. */
static int vw__as_int(const struct vw_value *v, int *neg, uint64_t *mag)
{
	switch (v->type) {
	case VW_V_INT:
	case VW_V_BOOL:
		*neg = v->i < 0;
		*mag = v->i < 0 ? (uint64_t)0 - (uint64_t)v->i : (uint64_t)v->i;
		return 0;
	case VW_V_UINT:
		*neg = 0;
		*mag = v->u;
		return 0;
	case VW_V_BIGINT:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

static int vw__as_double(const struct vw_value *v, double *d)
{
	switch (v->type) {
	case VW_V_INT:
	case VW_V_BOOL:
		*d = (double)v->i;
		return 0;
	case VW_V_UINT:
		*d = (double)v->u;
		return 0;
	case VW_V_FLOAT:
		*d = v->d;
		return 0;
	case VW_V_BIGINT:
		if (isinf(v->d))
			return -ERANGE;
		*d = v->d;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Limits of an integer item: [-lo_mag, hi] as (magnitude of min, max). */
static void vw__int_limits(const struct vw_format *f, uint64_t *neg_lim,
			   uint64_t *pos_lim)
{
	unsigned bits = (unsigned)f->itemsize * 8;

	if (f->code == 'P') {
		*neg_lim = (uint64_t)LONG_MAX + 1;
		*pos_lim = ULONG_MAX;
	} else if (f->kind == VW_K_INT) {
		*pos_lim = (UINT64_C(1) << (bits - 1)) - 1;
		*neg_lim = UINT64_C(1) << (bits - 1);
	} else {
		*neg_lim = 0;
		*pos_lim = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	}
}

VW_PUBLIC int vw_pack(const struct vw_format *f, const struct vw_value *val,
		      void *p, struct vw_error *err)
{
	unsigned char b[8];
	size_t n = f->itemsize;
	int rc;

	switch (f->kind) {
	case VW_K_CHAR:
		if (val->type != VW_V_BYTES)
			return vw__fail(err, -EINVAL,
					"invalid type for format '%c': %s (expected bytes of length 1)",
					f->code, vw__type_name(val));
		if (val->nbytes != 1)
			return vw__fail(err, -ERANGE,
					"invalid value for format 'c': bytes of length %zu (expected 1)",
					val->nbytes);
		b[0] = val->bytes[0];
		break;
	case VW_K_BOOL:
		b[0] = (unsigned char)vw__truth(val);
		break;
	case VW_K_FLOAT: {
		double d;

		rc = vw__as_double(val, &d);
		if (rc == -EINVAL)
			return vw__fail(err, rc,
					"invalid type for format '%c': %s",
					f->code, vw__type_name(val));
		if (rc)
			return vw__fail(err, rc,
					"int too large to convert to float (format '%c')",
					f->code);
		if (n == 2) {
			uint16_t h;

			if (vw__double_to_half(d, &h))
				return vw__fail(err, -ERANGE,
						"float too large to pack with e format");
			memcpy(b, &h, 2);
		} else if (n == 4) {
			float x = (float)d;

			memcpy(b, &x, 4);
		} else {
			memcpy(b, &d, 8);
		}
		break;
	}
	case VW_K_INT:
	case VW_K_UINT: {
		uint64_t mag, nl, pl, u;
		int neg;

		rc = vw__as_int(val, &neg, &mag);
		if (rc == -EINVAL)
			return vw__fail(err, rc,
					"invalid type for format '%c': %s",
					f->code, vw__type_name(val));
		vw__int_limits(f, &nl, &pl);
		if (rc || (neg && mag > nl) || (!neg && mag > pl))
			return vw__fail(err, -ERANGE,
					"invalid value for format '%c': out of range",
					f->code);
		u = neg ? (uint64_t)0 - mag : mag;
		switch (n) {
		case 1: b[0] = (uint8_t)u; break;
		case 2: { uint16_t x = (uint16_t)u; memcpy(b, &x, 2); break; }
		case 4: { uint32_t x = (uint32_t)u; memcpy(b, &x, 4); break; }
		default: memcpy(b, &u, 8); break;
		}
		break;
	}
	}
	if (f->swap)
		vw__swap(b, n);
	memcpy(p, b, n);
	return 0;
}

/* Address of the element at index[] (negative from the end). */
static int vw__elem(const struct vw_view *v, const ssize_t *index,
		    char **out, struct vw_error *err)
{
	uintptr_t p = (uintptr_t)v->buf;

	for (int i = 0; i < v->ndim; i++) {
		ssize_t k = index[i], n = v->shape[i];

		if (k < 0 && k >= -n)
			k += n;
		if (k < 0 || k >= n)
			return vw__fail(err, -ERANGE,
					"index %zd is out of range for axis %d with size %zd",
					index[i], i, n);
		p += (uintptr_t)(k * v->strides[i]);
	}
	*out = (char *)p;
	return 0;
}

/* One element's access, as a loop a guard can run. */
struct vw__elem_job {
	const struct vw_format *f;
	char *p;
	struct vw_value *out;		/* get */
	const struct vw_value *val;	/* set */
	struct vw_error *err;
};

static int vw__set_run(void *arg)
{
	const struct vw__elem_job *j = arg;

	return vw_pack(j->f, j->val, j->p, j->err);
}

/* vw_get after a fault at addr: the documented -EFAULT and message. */
static int __attribute__((noinline, cold))
vw__get_fault(const struct vw_view *v, uintptr_t addr, struct vw_error *err)
{
	uintptr_t base;
	size_t len;

	vw__map_range(vw__map(v), &base, &len, NULL);
	return vw__fault_at(err, VW__RD, addr, base);
}

/* vw_get's out-of-line paths: a decoded read of any format, and the
 * errors (kept out of vw_get so that its fast path saves no register). */
static int __attribute__((noinline))
vw__get_any(const struct vw_view *v, uintptr_t p, struct vw_value *out,
	    struct vw_error *err)
{
	unsigned char b[8];
	uintptr_t addr;

	if (vw__read_elem(v, (const void *)p, v->fmt.itemsize, b, &addr))
		return vw__get_fault(v, addr, err);
	vw__decode(&v->fmt, b, out);
	return 0;
}

static int __attribute__((noinline, cold))
vw__get_bad_index(const struct vw_view *v, const ssize_t *index,
		  struct vw_error *err)
{
	if (!index)
		return vw__fail(err, -EINVAL, "no index for a %d-D view",
				v->ndim);
	for (int i = 0; i < v->ndim; i++) {
		ssize_t k = index[i], n = v->shape[i];

		if (k < 0)
			k += n;
		if ((size_t)k >= (size_t)n)
			return vw__fail(err, -ERANGE,
					"index %zd is out of range for axis %d with size %zd",
					index[i], i, n);
	}
	return vw__fail(err, -EINVAL, "bad index");	/* not reached */
}

VW_PUBLIC int vw_get(const struct vw_view *v, const ssize_t *index,
		     struct vw_value *out, struct vw_error *err)
{
	uintptr_t p;

	if (__builtin_expect(!v || !v->map, 0))
		return vw__check(v, err);
	if (__builtin_expect(v->ndim && !index, 0))
		return vw__get_bad_index(v, index, err);
	p = (uintptr_t)v->buf;
	if (v->ndim == 1) {	/* the common case, without the loop */
		ssize_t k = index[0], n = v->shape[0];

		if (k < 0)
			k += n;
		if (__builtin_expect((size_t)k >= (size_t)n, 0))
			return vw__get_bad_index(v, index, err);
		p += (uintptr_t)(k * v->strides[0]);
	} else {
		for (int i = 0; i < v->ndim; i++) {
			ssize_t k = index[i], n = v->shape[i];

			if (k < 0)
				k += n;
			if (__builtin_expect((size_t)k >= (size_t)n, 0))
				return vw__get_bad_index(v, index, err);
			p += (uintptr_t)(k * v->strides[i]);
		}
	}
#if VW__FASTLOAD
	const struct vw_format *f = &v->fmt;

	/* the common formats, once libview's handler went in (the first
	 * guarded call puts it there, see vw__read_elem): one dispatch on
	 * (kind, size) that both loads (vw__ld*, the load whose fault the
	 * handler reports, see internal.h) and decodes */
	if (__builtin_expect(!f->swap &&
			     atomic_load_explicit(&vw__ever,
						  memory_order_relaxed), 1)) {
		struct vw__ld r;

		switch (VW__KN(f->kind, f->itemsize)) {
		case VW__KN(VW_K_FLOAT, 8):
			VW__LD_INLINE("movq", "q", p, r);
			if (__builtin_expect(r.fault != 0, 0))
				return vw__get_fault(v, (uintptr_t)r.v, err);
			memset(out, 0, sizeof(*out));
			out->type = VW_V_FLOAT;
			memcpy(&out->d, &r.v, 8);
			return 0;
		case VW__KN(VW_K_INT, 8):
			VW__LD_INLINE("movq", "q", p, r);
			if (__builtin_expect(r.fault != 0, 0))
				return vw__get_fault(v, (uintptr_t)r.v, err);
			memset(out, 0, sizeof(*out));
			vw__set_int(out, (int64_t)r.v);
			return 0;
		case VW__KN(VW_K_INT, 4):
			VW__LD_INLINE("movl", "k", p, r);
			if (__builtin_expect(r.fault != 0, 0))
				return vw__get_fault(v, (uintptr_t)r.v, err);
			memset(out, 0, sizeof(*out));
			vw__set_int(out, (int32_t)(uint32_t)r.v);
			return 0;
		case VW__KN(VW_K_UINT, 1):
			VW__LD_INLINE("movzbl", "k", p, r);
			if (__builtin_expect(r.fault != 0, 0))
				return vw__get_fault(v, (uintptr_t)r.v, err);
			memset(out, 0, sizeof(*out));
			vw__set_int(out, (int64_t)r.v);
			return 0;
		default:
			break;
		}
	}
#endif
	return vw__get_any(v, p, out, err);
}

VW_PUBLIC int vw_set(const struct vw_view *v, const ssize_t *index,
		     const struct vw_value *val, struct vw_error *err)
{
	struct vw_format f;
	struct vw__elem_job j = { &f, NULL, NULL, val, err };
	struct vw_view one;
	uintptr_t page;
	struct vw__guard g;
	int rc = vw__check(v, err);

	if (rc)
		return rc;
	rc = vw__check_writable(v, err);
	if (rc)
		return rc;
	if (v->ndim && !index)
		return vw__fail(err, -EINVAL, "no index for a %d-D view",
				v->ndim);
	rc = vw__elem(v, index, &j.p, err);
	if (rc)
		return rc;
	vw__view_format(v, &f);
	page = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (((uintptr_t)j.p & ~(page - 1)) !=
	    (((uintptr_t)j.p + (uintptr_t)v->itemsize - 1) & ~(page - 1))) {
		/* across two pages: reserve both (as a 0-d view) first */
		one = *v;
		one.buf = j.p;
		one.ndim = 0;
		one.len = v->itemsize;
		rc = vw__prepare(&one, 1, err);
		if (rc)
			return rc;
	}
	vw__guard_init(&g, NULL, 0, v, VW__WR);
	g.lookup = 0;	/* a system call costs 20 times the access */
	rc = vw__guarded(&g, vw__set_run, &j);
	return rc == -EFAULT ? vw__fault_fail(err, &g) : rc;
}

/* Python == of a float and an integer (neg, mag): exact comparison. */
static int vw__float_eq_int(double d, int neg, uint64_t mag)
{
	if (isnan(d) || isinf(d) || d != floor(d))
		return 0;
	if ((d < 0) != neg && !(d == 0 && mag == 0))
		return 0;
	d = fabs(d);
	if (d >= 18446744073709551616.0)
		return 0;
	return (uint64_t)d == mag;
}

int vw__value_eq(const struct vw_value *a, const struct vw_value *b)
{
	int an = 0, bn = 0;
	uint64_t am = 0, bm = 0;

	if (a->type == VW_V_BYTES || b->type == VW_V_BYTES)
		return a->type == b->type && a->nbytes == b->nbytes &&
		       !memcmp(a->bytes, b->bytes, a->nbytes);
	if (a->type == VW_V_FLOAT && b->type == VW_V_FLOAT)
		return a->d == b->d;
	if (a->type == VW_V_BIGINT || b->type == VW_V_BIGINT)
		return 0;	/* never produced by unpack */
	if (a->type == VW_V_FLOAT) {
		vw__as_int(b, &bn, &bm);
		return vw__float_eq_int(a->d, bn, bm);
	}
	if (b->type == VW_V_FLOAT) {
		vw__as_int(a, &an, &am);
		return vw__float_eq_int(b->d, an, am);
	}
	vw__as_int(a, &an, &am);
	vw__as_int(b, &bn, &bm);
	return an == bn && am == bm;
}
