/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: random chains of derivations (cast, slice, transpose,
 * reshape, toreadonly, dup) from base views of several shapes.  The input
 * is a little program: byte 0 chooses the base view, then each operation
 * is an opcode byte followed by its operand bytes.  After every step the
 * view (accepted or not) must reach only addresses inside its mapping, a
 * refusal must be a proper error, and at the end the output and copy
 * functions must work on whatever the chain made.
 */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUTPUT_MAX 512	/* largest view printed at the end */

static char buf[FUZZ_BUF];
static char out[FUZZ_BUF];

static const char *const formats[] = {
	"B", "b", "c", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N",
	"f", "d", "e", "?", "P", "<i", ">d", "!q", "=H", "@l",
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

struct prog {
	const uint8_t *p, *end;
};

static unsigned take(struct prog *pr)
{
	return pr->p < pr->end ? *pr->p++ : 0;
}

/* A signed small number, a few extremes to reach the overflow paths, or
 * (after 0xfb) any 64-bit value in the next 8 bytes, little-endian. */
static ssize_t take_num(struct prog *pr)
{
	unsigned b = take(pr);
	uint64_t u = 0;

	switch (b) {
	case 0xfb:
		for (int i = 0; i < 8; i++)
			u |= (uint64_t)take(pr) << (8 * i);
		return (ssize_t)u;
	case 0xff: return SSIZE_MAX;
	case 0xfe: return -SSIZE_MAX - 1;
	case 0xfd: return (ssize_t)1 << 62;
	case 0xfc: return ((ssize_t)1 << 62) + 64;
	default: return (ssize_t)(int8_t)b;
	}
}

static int step(struct vw_view *dst, const struct vw_view *v, struct prog *pr,
		struct vw_error *err)
{
	ssize_t shape[VW_MAXDIM];
	struct vw_index idx[8];
	int perm[VW_MAXDIM];
	unsigned op = take(pr), n;

	switch (op % 7) {
	case 0:		/* cast to a format, 1-D */
		return vw_cast(dst, v, formats[take(pr) % NFORMATS], 0, NULL, err);
	case 1:		/* cast with a shape */
		n = take(pr) % 5;
		for (unsigned i = 0; i < n; i++)
			shape[i] = take_num(pr);
		return vw_cast(dst, v, formats[take(pr) % NFORMATS], (int)n, shape, err);
	case 2:		/* slice */
		n = 1 + take(pr) % 5;
		for (unsigned i = 0; i < n; i++) {
			unsigned parts = take(pr);

			memset(&idx[i], 0, sizeof(idx[i]));
			idx[i].is_slice = parts & 1;
			idx[i].has_start = !idx[i].is_slice || (parts & 2);
			idx[i].has_stop = idx[i].is_slice && (parts & 4);
			idx[i].has_step = idx[i].is_slice && (parts & 8);
			if (idx[i].has_start)
				idx[i].start = take_num(pr);
			if (idx[i].has_stop)
				idx[i].stop = take_num(pr);
			if (idx[i].has_step)
				idx[i].step = take_num(pr);
		}
		return vw_slice(dst, v, idx, (int)n, err);
	case 3:		/* transpose: reversed, or a permutation from the input */
		if (take(pr) & 1)
			return vw_transpose(dst, v, NULL, 0, err);
		n = take(pr) % (VW_MAXDIM + 1);
		for (unsigned i = 0; i < n; i++)
			perm[i] = (int)(take(pr) % (n + 1));
		return vw_transpose(dst, v, perm, (int)n, err);
	case 4: {	/* reshape: to 1-D, to (k, rest), or dims from the input */
		ssize_t items = v->itemsize ? v->len / v->itemsize : 0;
		unsigned how = take(pr) % 3;

		if (how == 0) {
			shape[0] = items;
			return vw_reshape(dst, v, 1, shape, err);
		}
		if (how == 1) {
			ssize_t k = 1 + take(pr) % 16;

			shape[0] = k;
			shape[1] = items % k ? items : items / k;
			return vw_reshape(dst, v, 2, shape, err);
		}
		n = take(pr) % 6;
		for (unsigned i = 0; i < n; i++)
			shape[i] = take_num(pr);
		return vw_reshape(dst, v, (int)n, shape, err);
	}
	case 5:
		return vw_toreadonly(dst, v, err);
	default:
		return vw_dup(dst, v, err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prog pr = { data, data + size };
	struct vw_view v, w;
	struct vw_error err;
	int ret;

	if (size < 1)
		return 0;
	fuzz_base(take(&pr), buf, &v);
	for (int k = 0; k < 64 && pr.p < pr.end; k++) {
		memset(&err, 0, sizeof(err));
		ret = step(&w, &v, &pr, &err);
		fuzz_check_view(&v, buf, sizeof(buf));
		if (ret < 0) {
			fuzz_check_err(ret, &err);
			FUZZ_ASSERT(ret == -EINVAL || ret == -ERANGE || ret == -ENOTSUP);
			continue;
		}
		FUZZ_ASSERT(ret == 0);
		fuzz_check_view(&w, buf, sizeof(buf));
		FUZZ_ASSERT(vw_map_refs(&w) >= 2);
		vw_release(&v);
		v = w;
	}
	if (v.len <= OUTPUT_MAX) {	/* printing is slow; its paths are the same */
		ret = vw_tolist(&v, fuzz_null(), &err);
		FUZZ_ASSERT(ret == 0 || (ret == -E2BIG && v.len == 0));
		FUZZ_ASSERT(vw_hex(&v, 0, 0, fuzz_null(), &err) == 0);
	}
	FUZZ_ASSERT(vw_info_json(&v, fuzz_null(), &err) == 0);
	FUZZ_ASSERT(vw_tobytes(&v, 'F', out, sizeof(out), &err) == 0);
	FUZZ_ASSERT(vw_equal(&v, &v, &err) >= 0);
	if (!v.readonly)
		FUZZ_ASSERT(vw_copy_to(&v, &v, &err) == 0);
	FUZZ_ASSERT(vw_map_refs(&v) == 1);
	vw_release(&v);
	return 0;
}
