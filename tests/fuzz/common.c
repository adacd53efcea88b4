/* SPDX-License-Identifier: MIT */
/* tests/fuzz: helpers shared by the targets (see fuzz.h). */
#include "fuzz.h"

#include <errno.h>

FILE *fuzz_null(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	FUZZ_ASSERT(f);
	return f;
}

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_parts(const uint8_t *data, size_t size, char **out, int n)
{
	size_t at = 0;

	for (int i = 0; i < n; i++) {
		const uint8_t *end = at < size ? memchr(data + at, 0, size - at) : NULL;
		size_t len = at >= size ? 0 : end ? (size_t)(end - (data + at)) : size - at;

		out[i] = fuzz_str(data + (at < size ? at : 0), len);
		at += len + 1;
	}
}

void fuzz_free_parts(char **out, int n)
{
	for (int i = 0; i < n; i++)
		free(out[i]);
}

void fuzz_check_view(const struct vw_view *v, const char *base, size_t len)
{
	__int128 lo = 0, hi = 0, items = 1;

	FUZZ_ASSERT(vw_is_valid(v));
	FUZZ_ASSERT(v->ndim >= 0 && v->ndim <= VW_MAXDIM);
	FUZZ_ASSERT(v->itemsize >= 1 && v->itemsize <= 8);
	FUZZ_ASSERT((size_t)v->itemsize == v->fmt.itemsize);
	for (int i = 0; i < v->ndim; i++) {
		FUZZ_ASSERT(v->shape[i] >= 0);
		items *= v->shape[i];
	}
	FUZZ_ASSERT(items * v->itemsize == v->len);
	if (items == 0)
		return;		/* reaches nothing */
	for (int i = 0; i < v->ndim; i++) {
		__int128 span = (__int128)(v->shape[i] - 1) * v->strides[i];

		if (span < 0)
			lo += span;
		else
			hi += span;
	}
	lo += (v->buf - base);
	hi += (v->buf - base) + v->itemsize;
	FUZZ_ASSERT(lo >= 0 && hi <= (__int128)len);
}

void fuzz_check_err(int ret, const struct vw_error *err)
{
	FUZZ_ASSERT(ret < 0);
	FUZZ_ASSERT(err->code == ret);
	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof(err->msg)));
	FUZZ_ASSERT(err->msg[0] != '\0');
	FUZZ_ASSERT(!strchr(err->msg, '\n'));
}

struct base {
	const char *fmt;
	int ndim;
	ssize_t shape[4];
};

static const struct base bases[] = {
	{ "B", 1, { 4096 } },	{ "B", 2, { 64, 64 } },	{ "<i", 2, { 32, 32 } },
	{ "d", 3, { 8, 8, 8 } },	{ "h", 4, { 4, 4, 4, 4 } },	{ "?", 1, { 16 } },
	{ "c", 2, { 3, 5 } },	{ "e", 1, { 10 } },	{ "Q", 2, { 0, 7 } },
	{ "f", 0, { 0 } },	{ ">l", 2, { 2, 3 } },	{ "b", 1, { 0 } },
	{ "@P", 1, { 3 } },	{ "n", 2, { 5, 1 } },	{ "I", 3, { 1, 1, 1 } },
	{ "q", 2, { 3, 0 } },	{ "!H", 3, { 2, 3, 4 } },	{ "=d", 1, { 7 } },
};

void fuzz_base(unsigned sel, char *buf, struct vw_view *out)
{
	const struct base *b = &bases[sel % (sizeof(bases) / sizeof(bases[0]))];
	struct vw_view all, head, typed;
	struct vw_index idx = { .is_slice = 1, .has_stop = 1 };
	struct vw_format f;
	struct vw_error err;
	ssize_t items = 1;
	int zero = 0;

	for (int i = 0; i < FUZZ_BUF; i++)
		buf[i] = (char)(i * 151 + (i >> 8));
	FUZZ_ASSERT(vw_format_parse(b->fmt, &f, &err) == 0);
	for (int i = 0; i < b->ndim; i++) {
		items *= b->shape[i];
		zero |= b->shape[i] == 0;
	}
	idx.stop = items * (ssize_t)f.itemsize;
	FUZZ_ASSERT(vw_from_memory(&all, buf, FUZZ_BUF, VW_RDWR, NULL, NULL, &err) == 0);
	FUZZ_ASSERT(vw_slice(&head, &all, &idx, 1, &err) == 0);
	if (!zero) {
		FUZZ_ASSERT(vw_cast(out, &head, b->fmt, b->ndim, b->shape, &err) == 0);
	} else {
		FUZZ_ASSERT(vw_cast(&typed, &head, b->fmt, 0, NULL, &err) == 0);
		FUZZ_ASSERT(vw_reshape(out, &typed, b->ndim, b->shape, &err) == 0);
		vw_release(&typed);
	}
	vw_release(&head);
	vw_release(&all);
}
