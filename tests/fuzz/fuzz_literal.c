/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the literal parser and assignment (vw_literal_parse +
 * vw_assign), what `view set --value` runs, on base views optionally
 * sliced first.  Input: one byte choosing the base view (bit 7: make it
 * read-only), then "index-expression\0literal" (an empty expression: the
 * whole view).  Promises checked: a failed assignment leaves the buffer
 * byte-for-byte unchanged; a read-only view is never written; a literal's
 * bytes value obeys struct vw_value's rule (nbytes <= 8); vw_literal_free
 * releases everything (ASan's leak check).
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf[FUZZ_BUF];
static char before[FUZZ_BUF];

static void check_literal(const struct vw_literal *l, int depth)
{
	FUZZ_ASSERT(depth < 10000);
	if (l->is_list) {
		for (size_t i = 0; i < l->nitems; i++)
			check_literal(&l->items[i], depth + 1);
		return;
	}
	if (l->value.type == VW_V_BYTES)
		FUZZ_ASSERT(l->value.nbytes == (l->ndata < 8 ? l->ndata : 8));
	FUZZ_ASSERT(vw_format_value(&l->value, fuzz_null()) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vw_index idx[VW_MAXDIM];
	struct vw_view v, w;
	struct vw_literal lit;
	struct vw_error err;
	char *part[2];
	int n, ret;

	if (size < 1)
		return 0;
	fuzz_base(data[0] & 0x7f, buf, &v);
	if (data[0] & 0x80) {
		FUZZ_ASSERT(vw_toreadonly(&w, &v, &err) == 0);
		vw_release(&v);
		v = w;
	}
	fuzz_parts(data + 1, size - 1, part, 2);
	if (part[0][0]) {
		n = vw_parse_index(part[0], idx, VW_MAXDIM, &err);
		if (n > 0 && vw_slice(&w, &v, idx, n, &err) == 0) {
			vw_release(&v);
			v = w;
		}
	}
	memset(&err, 0, sizeof(err));
	ret = vw_literal_parse(part[1], &lit, &err);
	if (ret < 0) {
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(ret == -EINVAL || ret == -ENOMEM);
		goto out;
	}
	check_literal(&lit, 0);
	memcpy(before, buf, sizeof(buf));
	memset(&err, 0, sizeof(err));
	ret = vw_assign(&v, &lit, &err);
	if (ret < 0) {
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(memcmp(before, buf, sizeof(buf)) == 0);
	}
	if (v.readonly) {
		FUZZ_ASSERT(ret < 0 || v.len == 0);
		FUZZ_ASSERT(memcmp(before, buf, sizeof(buf)) == 0);
	}
	vw_literal_free(&lit);
out:
	vw_release(&v);
	fuzz_free_parts(part, 2);
	return 0;
}
