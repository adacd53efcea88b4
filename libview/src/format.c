/* SPDX-License-Identifier: MIT */
/*
 * Format strings and shapes: the one parser for struct-module single-item
 * formats ("@d", "<i", "B") and for "D0,D1,..." shapes, shared by the CLI,
 * the FUSE daemon's xattr validation and the tests.
 */
#include "internal.h"
#include <limits.h>

struct code_info {
	char code;
	unsigned char native_size;
	unsigned char std_size;	/* 0: not allowed with a byte-order prefix */
	enum vw_kind kind;
};

static const struct code_info codes[] = {
	{ 'c', 1, 1, VW_K_CHAR },
	{ 'b', 1, 1, VW_K_INT },
	{ 'B', 1, 1, VW_K_UINT },
	{ '?', sizeof(_Bool), 1, VW_K_BOOL },
	{ 'h', sizeof(short), 2, VW_K_INT },
	{ 'H', sizeof(short), 2, VW_K_UINT },
	{ 'i', sizeof(int), 4, VW_K_INT },
	{ 'I', sizeof(int), 4, VW_K_UINT },
	{ 'l', sizeof(long), 4, VW_K_INT },
	{ 'L', sizeof(long), 4, VW_K_UINT },
	{ 'q', sizeof(long long), 8, VW_K_INT },
	{ 'Q', sizeof(long long), 8, VW_K_UINT },
	{ 'n', sizeof(ssize_t), 0, VW_K_INT },
	{ 'N', sizeof(size_t), 0, VW_K_UINT },
	{ 'e', 2, 2, VW_K_FLOAT },
	{ 'f', sizeof(float), 4, VW_K_FLOAT },
	{ 'd', sizeof(double), 8, VW_K_FLOAT },
	{ 'P', sizeof(void *), 0, VW_K_UINT },
};

/* The native single-character formats ("X"), parsed, by type code. */
#define VW__NATIVE(c, size, k) \
	[c] = { .code = c, .order = '@', .native = 1, .swap = 0, \
		.itemsize = size, .kind = k }
const struct vw_format vw__native_formats[128] = {
	VW__NATIVE('c', 1, VW_K_CHAR),
	VW__NATIVE('b', 1, VW_K_INT),
	VW__NATIVE('B', 1, VW_K_UINT),
	VW__NATIVE('?', sizeof(_Bool), VW_K_BOOL),
	VW__NATIVE('h', sizeof(short), VW_K_INT),
	VW__NATIVE('H', sizeof(short), VW_K_UINT),
	VW__NATIVE('i', sizeof(int), VW_K_INT),
	VW__NATIVE('I', sizeof(int), VW_K_UINT),
	VW__NATIVE('l', sizeof(long), VW_K_INT),
	VW__NATIVE('L', sizeof(long), VW_K_UINT),
	VW__NATIVE('q', sizeof(long long), VW_K_INT),
	VW__NATIVE('Q', sizeof(long long), VW_K_UINT),
	VW__NATIVE('n', sizeof(ssize_t), VW_K_INT),
	VW__NATIVE('N', sizeof(size_t), VW_K_UINT),
	VW__NATIVE('e', 2, VW_K_FLOAT),
	VW__NATIVE('f', sizeof(float), VW_K_FLOAT),
	VW__NATIVE('d', sizeof(double), VW_K_FLOAT),
	VW__NATIVE('P', sizeof(void *), VW_K_UINT),
};

VW_PUBLIC int vw_format_parse(const char *fmt, struct vw_format *out,
			      struct vw_error *err)
{
	const char *p = fmt;
	char order = '@';
	size_t i;

	/* fast path: "X", the native single-character formats; the same
	 * result as the loop below */
	if (fmt) {
		const struct vw_format *nf = vw__native_format(fmt);

		if (nf) {
			*out = *nf;
			return 0;
		}
	}
	if (!fmt || !*fmt)
		return vw__fail(err, -EINVAL, "empty format");
	if (strnlen(fmt, VW_FORMAT_MAX) >= VW_FORMAT_MAX)
		return vw__fail(err, -EINVAL, "format '%.20s...' is too long",
				fmt);
	if (*p == '@' || *p == '<' || *p == '>' || *p == '=' || *p == '!')
		order = *p++;
	if (!*p)
		return vw__fail(err, -EINVAL,
				"format '%s' has a byte order but no type code",
				fmt);
	if (p[1])
		return vw__fail(err, -EINVAL,
				"unsupported format '%s': only single-item formats (one type code, optional @<>=! prefix) are supported",
				fmt);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const struct code_info *c = &codes[i];
		int little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

		if (c->code != *p)
			continue;
		if (order != '@' && !c->std_size)
			return vw__fail(err, -EINVAL,
					"format '%s': '%c' is only allowed in native mode (no prefix or '@')",
					fmt, *p);
		out->code = *p;
		out->order = order;
		out->native = order == '@';
		out->itemsize = order == '@' ? c->native_size : c->std_size;
		out->kind = c->kind;
		out->swap = out->itemsize > 1 &&
			    (((order == '>' || order == '!') && little) ||
			     (order == '<' && !little));
		return 0;
	}
	return vw__fail(err, -EINVAL, "unknown format '%s'", fmt);
}

VW_PUBLIC int vw_shape_parse(const char *s, ssize_t *shape, int max,
			     struct vw_error *err)
{
	const char *p = s;
	int n = 0;
	ssize_t nz = 1;		/* product of the nonzero dimensions */

	if (!s)
		return vw__fail(err, -EINVAL, "no shape");
	if (!*s)
		return 0;
	for (;;) {
		ssize_t d = 0;
		const char *start = p;

		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return vw__fail(err, -EINVAL,
					"bad shape '%s': expected a decimal number >= 0 at '%s'",
					s, start);
		while (*p >= '0' && *p <= '9') {
			if (d > (SSIZE_MAX - (*p - '0')) / 10)
				return vw__fail(err, -EOVERFLOW,
						"bad shape '%s': dimension too large",
						s);
			d = d * 10 + (*p++ - '0');
		}
		while (*p == ' ')
			p++;
		if (n >= max)
			return vw__fail(err, -E2BIG,
					"bad shape '%s': more than %d dimensions",
					s, max);
		/* a zero dimension does not lift the bound on the others */
		if (d && nz > SSIZE_MAX / d)
			return vw__fail(err, -EOVERFLOW,
					"bad shape '%s': product of dimensions too large",
					s);
		if (d)
			nz *= d;
		shape[n++] = d;
		if (!*p)
			return n;
		if (*p != ',')
			return vw__fail(err, -EINVAL,
					"bad shape '%s': unexpected '%c'", s,
					*p);
		p++;
	}
}

VW_PUBLIC int vw_meta_check(const char *fmt, const char *shape,
			    uint64_t size, struct vw_error *err)
{
	struct vw_format f = { .itemsize = 1 };
	ssize_t dims[VW_MAXDIM], len;
	int ndim, rc;

	if (fmt && *fmt) {
		rc = vw_format_parse(fmt, &f, err);
		if (rc)
			return rc;
	}
	if (!shape || !*shape) {
		if (size % f.itemsize)
			return vw__fail(err, -EINVAL,
					"format '%s' without a shape: the buffer's %llu bytes are not a multiple of its itemsize %zu",
					fmt, (unsigned long long)size,
					f.itemsize);
		return 0;
	}
	ndim = vw_shape_parse(shape, dims, VW_MAXDIM, err);
	if (ndim < 0) {
		if (err)
			err->code = -EINVAL;	/* the errno returned */
		return -EINVAL;
	}
	if (vw__shape_bytes(ndim, dims, (ssize_t)f.itemsize, &len))
		return vw__fail(err, -EINVAL,
				"shape '%s' is too large (array is too big: product of the nonzero dimensions * itemsize %zu overflows)",
				shape, f.itemsize);
	if ((uint64_t)len > size)
		return vw__fail(err, -EINVAL,
				"shape '%s' of format '%s' needs %llu bytes but the buffer has %llu",
				shape, fmt && *fmt ? fmt : "B",
				(unsigned long long)len,
				(unsigned long long)size);
	/* An empty shape is what memoryview and NumPy accept, but an xattr is
	 * untrusted: bound the empty lists tolist would print (the product
	 * of the dimensions before the first zero; "9223372036854775807,0"
	 * would print [] without end). */
	if (!len) {
		uint64_t outer = 1;

		for (int i = 0; i < ndim && dims[i]; i++)
			outer *= (uint64_t)dims[i];	/* checked above: no overflow */
		if (outer > VW_META_EMPTY_MAX && outer > size)
			return vw__fail(err, -EINVAL,
					"shape '%s' is empty but describes %llu empty sub-arrays (more than the buffer's %llu bytes and than %llu)",
					shape, (unsigned long long)outer,
					(unsigned long long)size,
					(unsigned long long)VW_META_EMPTY_MAX);
	}
	return 0;
}
