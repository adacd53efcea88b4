/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the shape parser and the metadata check (vw_shape_parse,
 * vw_meta_check), the functions viewfs's setxattr and the CLI use, then
 * vw_apply_meta and the output functions on what they accepted.
 * Input: 8 bytes of buffer size (little-endian), then "format\0shape".
 * Promises checked: vw_meta_check's refusals are -EINVAL with err->code
 * the same; what it accepts vw_apply_meta turns into a view that stays
 * inside the buffer and can be printed (tolist/hex/info), and bounds what
 * an empty shape makes tolist print.
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define APPLY_MAX 4096	/* largest buffer the accepted metadata is applied to */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t dims[VW_MAXDIM];
	struct vw_view b, t;
	struct vw_error err;
	uint64_t bsize = 0;
	char *part[2], *fmt, *shape, *buf;
	int ret, nd;

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		bsize |= (uint64_t)data[i] << (8 * i);
	fuzz_parts(data + 8, size - 8, part, 2);
	fmt = part[0][0] ? part[0] : NULL;
	shape = part[1][0] ? part[1] : NULL;

	memset(&err, 0, sizeof(err));
	nd = shape ? vw_shape_parse(shape, dims, VW_MAXDIM, &err) : 0;
	if (nd < 0)
		fuzz_check_err(nd, &err);
	else
		for (int i = 0; i < nd; i++)
			FUZZ_ASSERT(dims[i] >= 0);

	memset(&err, 0, sizeof(err));
	ret = vw_meta_check(fmt, shape, bsize, &err);
	if (ret < 0) {
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(ret == -EINVAL);
		goto out;
	}
	FUZZ_ASSERT(ret == 0 && nd >= 0);
	if (bsize > APPLY_MAX)
		goto out;
	buf = calloc(1, bsize ? bsize : 1);
	FUZZ_ASSERT(buf);
	FUZZ_ASSERT(vw_from_memory(&b, buf, bsize, VW_RDWR, NULL, NULL, &err) == 0);
	ret = vw_apply_meta(&t, &b, fmt, shape, &err);
	FUZZ_ASSERT(ret == 0);	/* vw_meta_check said it fits */
	fuzz_check_view(&t, buf, bsize);
	FUZZ_ASSERT(t.ndim == (shape ? nd : 1));
	FUZZ_ASSERT(vw_tolist(&t, fuzz_null(), &err) == 0);
	FUZZ_ASSERT(vw_hex(&t, ':', 2, fuzz_null(), &err) == 0);
	FUZZ_ASSERT(vw_info_json(&t, fuzz_null(), &err) == 0);
	vw_release(&t);
	vw_release(&b);
	free(buf);
out:
	fuzz_free_parts(part, 2);
	return 0;
}
