// SPDX-License-Identifier: GPL-2.0
/*
 * viewdev_meta.c — validation of buffer names and of the format/shape
 * metadata, by the rules libview and the viewfs xattrs use: a format is
 * one struct-module item with an optional byte-order prefix, a shape is
 * "D0,D1,..." in decimal, and product(shape) * itemsize must fit the
 * buffer.  An empty string means "unset" (format B, no shape).
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "viewdev.h"

#define VIEWDEV_MAXDIM 64	/* as libview's VW_MAXDIM */
#define VIEWDEV_EMPTY_MAX (1ULL << 20)	/* as libview's VW_META_EMPTY_MAX */

struct viewdev_code {
	char code;
	u8 native;		/* size with no prefix or '@' */
	u8 standard;		/* size with '<', '>', '=', '!'; 0: refused */
};

static const struct viewdev_code viewdev_codes[] = {
	{ 'c', 1, 1 }, { 'b', 1, 1 }, { 'B', 1, 1 }, { '?', 1, 1 },
	{ 'h', 2, 2 }, { 'H', 2, 2 }, { 'i', 4, 4 }, { 'I', 4, 4 },
	{ 'l', sizeof(long), 4 }, { 'L', sizeof(long), 4 },
	{ 'q', 8, 8 }, { 'Q', 8, 8 },
	{ 'n', sizeof(size_t), 0 }, { 'N', sizeof(size_t), 0 },
	{ 'f', 4, 4 }, { 'd', 8, 8 }, { 'e', 2, 2 },
	{ 'P', sizeof(void *), 0 },
};

/* Itemsize of a single-item format ("" is 'B'), or -EINVAL. */
int viewdev_format_itemsize(const char *fmt)
{
	bool standard = false;
	size_t i;

	if (!fmt[0])
		return 1;
	if (strchr("@<>=!", fmt[0])) {
		standard = fmt[0] != '@';
		fmt++;
	}
	if (!fmt[0] || fmt[1])
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(viewdev_codes); i++) {
		const struct viewdev_code *c = &viewdev_codes[i];

		if (c->code != fmt[0])
			continue;
		if (standard)
			return c->standard ? c->standard : -EINVAL;
		return c->native;
	}
	return -EINVAL;
}

/*
 * Parse a shape: *items is the product of all dimensions, *nonzero the
 * product of the nonzero ones (what NumPy bounds as "array is too big"),
 * *outer the product of the dimensions before the first zero (the number
 * of empty sub-arrays an empty shape describes).  "" is no shape: 0 dims,
 * *items 0, *nonzero and *outer 1.  A zero dimension does not lift the
 * bound on the others: *nonzero must fit S64_MAX.  Blanks (' ') may stand
 * around each dimension ("2, 4"), as in libview's vw_shape_parse.
 */
static int viewdev_shape_parse(const char *shape, u64 *items, u64 *nonzero,
			       u64 *outer)
{
	const char *p = shape;
	bool zero = false;
	int ndim = 0;

	*items = 0;
	*nonzero = 1;
	*outer = 1;
	if (!*p)
		return 0;
	for (;;) {
		u64 dim = 0;

		while (*p == ' ')
			p++;
		if (!isdigit(*p))
			return -EINVAL;
		while (isdigit(*p)) {
			if (check_mul_overflow(dim, (u64)10, &dim) ||
			    check_add_overflow(dim, (u64)(*p - '0'), &dim))
				return -EINVAL;
			p++;
		}
		while (*p == ' ')
			p++;
		if (++ndim > VIEWDEV_MAXDIM || dim > S64_MAX)
			return -EINVAL;
		if (!dim)
			zero = true;
		else if (check_mul_overflow(*nonzero, dim, nonzero) ||
			 *nonzero > S64_MAX)
			return -EINVAL;
		if (!zero)
			*outer = *nonzero;
		if (!*p)
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	*items = zero ? 0 : *nonzero;
	return 0;
}

/*
 * 0 when fmt and shape (NUL-terminated, "" unset) are valid metadata for
 * a buffer of size bytes, else -EINVAL.  The rules are libview's
 * vw_meta_check (view.h): product(nonzero dims) * itemsize fits S64_MAX,
 * product(shape) * itemsize <= size, an empty shape describes at most
 * max(VIEWDEV_EMPTY_MAX, size) empty sub-arrays, and a format without a
 * shape divides the size (25 bytes of 'd' are refused, not cut to 3).
 * tests/common/meta_vectors.h holds the cases both must agree on.
 */
int viewdev_meta_check(const char *fmt, const char *shape, u64 size)
{
	int itemsize = viewdev_format_itemsize(fmt);
	u64 items, nonzero, outer, bytes;
	int ret;

	if (itemsize < 0)
		return itemsize;
	ret = viewdev_shape_parse(shape, &items, &nonzero, &outer);
	if (ret)
		return ret;
	if (check_mul_overflow(nonzero, (u64)itemsize, &bytes) || bytes > S64_MAX)
		return -EINVAL;
	if (check_mul_overflow(items, (u64)itemsize, &bytes) || bytes > size)
		return -EINVAL;
	if (*shape && !items && outer > VIEWDEV_EMPTY_MAX && outer > size)
		return -EINVAL;
	if (!*shape && size % itemsize)
		return -EINVAL;
	return 0;
}

/*
 * 0 when name (NUL-terminated within VIEWDEV_NAME_MAX) can name a node
 * under /dev/view and a sysfs directory: 1..63 printable ASCII
 * characters, no '/', not "." or "..".
 */
int viewdev_name_check(const char *name)
{
	size_t len = strnlen(name, VIEWDEV_NAME_MAX);
	size_t i;

	if (len == 0 || len == VIEWDEV_NAME_MAX)
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '/')
			return -EINVAL;
	}
	return 0;
}
