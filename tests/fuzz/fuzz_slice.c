/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: index expressions (vw_parse_index + vw_slice), as `view
 * show --slice` and viewfs users write them, applied up to three times to
 * base views of several shapes, then tolist/hex/tobytes/get.
 * Input: one byte choosing the base view, then expressions separated by
 * NUL bytes.  Promises checked: every derived view stays inside the
 * buffer; refusals are reported properly; output functions succeed.
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf[FUZZ_BUF];
static char out[FUZZ_BUF];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vw_index idx[VW_MAXDIM + 1];
	struct vw_view v, w;
	struct vw_error err;
	char *part[3];
	ssize_t zeros[VW_MAXDIM] = { 0 };
	struct vw_value val;
	int n, ret;

	if (size < 1)
		return 0;
	fuzz_base(data[0], buf, &v);
	fuzz_parts(data + 1, size - 1, part, 3);
	for (int k = 0; k < 3; k++) {
		if (!part[k][0] && k)
			break;
		memset(&err, 0, sizeof(err));
		n = vw_parse_index(part[k], idx, VW_MAXDIM + 1, &err);
		if (n < 0) {
			fuzz_check_err(n, &err);
			FUZZ_ASSERT(n == -EINVAL || n == -E2BIG);
			break;
		}
		FUZZ_ASSERT(n >= 1 && n <= VW_MAXDIM + 1);
		n = vw_slice(&w, &v, idx, n, &err);
		if (n < 0) {
			fuzz_check_err(n, &err);
			FUZZ_ASSERT(n == -EINVAL || n == -ERANGE);
			break;
		}
		fuzz_check_view(&w, buf, sizeof(buf));
		vw_release(&v);
		v = w;
	}
	if (v.len <= 512) {	/* printing is slow; its paths are the same */
		ret = vw_tolist(&v, fuzz_null(), &err);
		FUZZ_ASSERT(ret == 0 || (ret == -E2BIG && v.len == 0));
		FUZZ_ASSERT(vw_hex(&v, ' ', -3, fuzz_null(), &err) == 0);
	}
	FUZZ_ASSERT(vw_tobytes(&v, 'A', out, sizeof(out), &err) == 0);
	if (v.len > 0)
		FUZZ_ASSERT(vw_get(&v, zeros, &val, &err) == 0);
	vw_release(&v);
	fuzz_free_parts(part, 3);
	return 0;
}
