/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: viewdev's metadata and name checks (kmod/viewdev_meta.c,
 * the code behind VIEWDEV_IOC_CREATE and the format/shape sysfs
 * attributes), built in user space with the shims in tests/fuzz/kshim.
 * Input: 8 bytes of buffer size (little-endian), then
 * "format\0shape\0name".  Promises checked: every answer is 0 or -EINVAL;
 * the itemsize agrees with libview's for every format both accept; the
 * module and libview agree on accepting every pair (the rules view.h's
 * vw_meta_check states; tests/common/meta_vectors.h has fixed cases).
 */
#include "fuzz.h"

#include <errno.h>

/* The module's own header is kernel-only: skip it, keep its UAPI. */
#define VIEWDEV_H
#include "../../kmod/include/uapi/viewdev.h"
int viewdev_format_itemsize(const char *fmt);
int viewdev_meta_check(const char *fmt, const char *shape, uint64_t size);
int viewdev_name_check(const char *name);
#include "../../kmod/viewdev_meta.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vw_format f;
	struct vw_error err;
	uint64_t bsize = 0;
	char *part[3];
	int kret, uret, ks;

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		bsize |= (uint64_t)data[i] << (8 * i);
	fuzz_parts(data + 8, size - 8, part, 3);

	ks = viewdev_format_itemsize(part[0]);
	FUZZ_ASSERT(ks == -EINVAL || (ks >= 1 && ks <= 8));
	if (ks > 0 && part[0][0] && vw_format_parse(part[0], &f, &err) == 0)
		FUZZ_ASSERT((size_t)ks == f.itemsize);
	kret = viewdev_meta_check(part[0], part[1], bsize);
	FUZZ_ASSERT(kret == 0 || kret == -EINVAL);
	{
		uret = vw_meta_check(part[0], part[1], bsize, &err);
		if ((kret == 0) != (uret == 0)) {
			fprintf(stderr, "module %d, libview %d (%s) for format '%s' shape '%s' size %llu\n",
				kret, uret, uret ? err.msg : "ok", part[0], part[1],
				(unsigned long long)bsize);
			FUZZ_ASSERT(!"module and libview disagree");
		}
	}
	ks = viewdev_name_check(part[2]);
	FUZZ_ASSERT(ks == 0 || ks == -EINVAL);
	fuzz_free_parts(part, 3);
	return 0;
}
