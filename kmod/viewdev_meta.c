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

/* Number of items the shape describes ("" is none: 0 dims, 0 items). */
static int viewdev_shape_items(const char *shape, u64 *items)
{
	const char *p = shape;
	int ndim = 0;
	u64 prod = 1;

	*items = 0;
	if (!*p)
		return 0;
	for (;;) {
		u64 dim = 0;

		if (!isdigit(*p))
			return -EINVAL;
		while (isdigit(*p)) {
			if (check_mul_overflow(dim, (u64)10, &dim) ||
			    check_add_overflow(dim, (u64)(*p - '0'), &dim))
				return -EINVAL;
			p++;
		}
		if (++ndim > VIEWDEV_MAXDIM)
			return -EINVAL;
		if (dim > S64_MAX || check_mul_overflow(prod, dim, &prod) ||
		    prod > S64_MAX)
			return -EINVAL;
		if (!*p)
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	*items = prod;
	return 0;
}

/*
 * 0 when fmt and shape (NUL-terminated, "" unset) are valid metadata for
 * a buffer of size bytes, else -EINVAL.
 */
int viewdev_meta_check(const char *fmt, const char *shape, u64 size)
{
	int itemsize = viewdev_format_itemsize(fmt);
	u64 items, bytes;
	int ret;

	if (itemsize < 0)
		return itemsize;
	ret = viewdev_shape_items(shape, &items);
	if (ret)
		return ret;
	if (check_mul_overflow(items, (u64)itemsize, &bytes) || bytes > size)
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
