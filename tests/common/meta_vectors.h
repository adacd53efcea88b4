/* SPDX-License-Identifier: MIT */
/*
 * tests/common/meta_vectors.h — format/shape/size cases that libview's
 * vw_meta_check (view.h; the viewfs user.view.* xattrs and the CLI) and
 * viewdev's viewdev_meta_check (kmod/viewdev_meta.c; VIEWDEV_IOC_CREATE
 * and the format/shape sysfs attributes) must answer alike.  The rules
 * are stated once, in view.h at vw_meta_check; kmod/README.md points
 * there.  Used by tests/unit/test_format.c and, through the ioctl and
 * sysfs, by tests/vm/viewdev_test.c.  Sizes stay small: the VM creates
 * buffers of them.  "" is "not set" (a NULL format or shape).
 */
#ifndef META_VECTORS_H
#define META_VECTORS_H

#include <stdint.h>

struct meta_vector {
	const char *format;
	const char *shape;
	uint64_t size;
	int ok;			/* 1 accepted, 0 refused (-EINVAL) */
};

static const struct meta_vector meta_vectors[] = {
	/* nothing set, or a format alone: it must divide the size */
	{ "", "", 0, 1 },		{ "", "", 7, 1 },
	{ "d", "", 64, 1 },		{ "d", "", 25, 0 },
	{ "<i", "", 12, 1 },		{ "<i", "", 13, 0 },
	{ "B", "", 5, 1 },
	/* shapes: decimal dimensions, commas, blanks around items */
	{ "", "4", 4, 1 },		{ "", "2,4", 8, 1 },
	{ "", "2, 4", 8, 1 },		{ "", " 2 , 4 ", 8, 1 },
	{ "<f", "2,3", 24, 1 },		{ "<f", "2,3", 23, 0 },
	{ "<f", "2,3", 64, 1 },		/* may describe fewer bytes than the buffer */
	{ "", "1,,2", 64, 0 },		{ "", ",1", 64, 0 },
	{ "", "1,", 64, 0 },		{ "", "-1", 64, 0 },
	{ "", "+1", 64, 0 },		{ "", "a", 64, 0 },
	{ "", "1;2", 64, 0 },		{ "", "2\t,4", 64, 0 },
	{ "", " ", 64, 0 },		{ "", "1 2", 64, 0 },
	{ "", "99999999999999999999", 64, 0 },
	{ "", "4294967296,4294967296", 64, 0 },
	/* zero dimensions: empty, but the others stay bounded */
	{ "d", "0,5", 0, 1 },		{ "d", "0,5", 64, 1 },
	{ "", "0", 0, 1 },
	{ "<f", "0,9223372036854775807", 24, 0 },
	{ "i", "0,4611686018427387904,4", 0, 0 },
	{ "d", "0,1152921504606846975", 64, 1 },
	{ "d", "9223372036854775807,0", 64, 0 },
	{ "d", "1048576,0", 64, 1 },	{ "d", "1048577,0", 64, 0 },
	/* formats */
	{ "?", "16", 16, 1 },		{ "e", "3", 6, 1 },
	{ "!H", "2,3", 12, 1 },		{ "=q", "1", 8, 1 },
	{ "@P", "1", 8, 1 },		{ "<P", "1", 8, 0 },
	{ "<n", "1", 8, 0 },		{ "x", "1", 8, 0 },
	{ "ii", "1", 8, 0 },		{ "<", "1", 8, 0 },
	/* dimensions: at most 64 (VW_MAXDIM) */
	{ "", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
	      "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", 1, 1 },
	{ "", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
	      "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", 1, 0 },
};

#define META_NVECTORS (sizeof(meta_vectors) / sizeof(meta_vectors[0]))

#endif
