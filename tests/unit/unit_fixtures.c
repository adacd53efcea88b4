/* SPDX-License-Identifier: MIT */
/* Shared fixtures for the libview unit tests (see unit_fixtures.h). */
#include "unit_fixtures.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int i, rc;

	if (!f)
		return -1;
	for (i = 0; i < FX_NBYTES; i++)
		f->mem[i] = (unsigned char)i;
	rc = vw_from_memory(&f->v[0], f->mem, FX_NBYTES, VW_RDWR, NULL, NULL,
			    &f->err);
	if (rc != 0) {
		print_error("fx_setup: vw_from_memory: %d %s\n", rc, f->err.msg);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	int i;

	for (i = 0; i < FX_NVIEWS; i++)
		vw_release(&f->v[i]);
	capture_free(&f->cap);
	free(f);
	return 0;
}

void fx_typed(struct fx *f, struct vw_view *out, const char *fmt, int ndim,
	      const ssize_t *shape)
{
	struct vw_format pf;
	struct vw_index ix = { .is_slice = 1, .has_stop = 1 };
	struct vw_view head = { 0 };
	ssize_t n = 1;
	int i, rc;

	rc = vw_format_parse(fmt, &pf, &f->err);
	assert_int_equal(rc, 0);
	for (i = 0; i < ndim; i++)
		n *= shape[i];
	ix.stop = n * (ssize_t)pf.itemsize;
	assert_true(ix.stop <= FX_NBYTES);
	rc = vw_slice(&head, &f->v[0], &ix, 1, &f->err);
	assert_int_equal(rc, 0);
	rc = vw_cast(out, &head, fmt, ndim, shape, &f->err);
	vw_release(&head);
	if (rc != 0)
		print_error("fx_typed(%s): %s\n", fmt, f->err.msg);
	assert_int_equal(rc, 0);
}

int try_slice_expr(struct vw_view *dst, const struct vw_view *src,
		   const char *expr)
{
	struct vw_index idx[VW_MAXDIM];
	struct vw_error err = { 0 };
	int n;

	n = vw_parse_index(expr, idx, VW_MAXDIM, &err);
	if (n < 0)
		print_error("vw_parse_index(%s): %s\n", expr, err.msg);
	assert_true(n >= 0);
	return vw_slice(dst, src, idx, n, &err);
}

void slice_expr(struct vw_view *dst, const struct vw_view *src,
		const char *expr)
{
	int rc = try_slice_expr(dst, src, expr);

	if (rc != 0)
		print_error("slice [%s] failed: %d\n", expr, rc);
	assert_int_equal(rc, 0);
}

void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

const char *capture_text(struct capture *c)
{
	if (c->f) {
		fclose(c->f);
		c->f = NULL;
	}
	return c->buf;
}

void capture_free(struct capture *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	free(c->buf);
	c->buf = NULL;
}

const char *strip_ws(const char *s)
{
	static char out[8192];
	size_t n = 0;
	char quote = 0;

	for (; *s && n + 1 < sizeof(out); s++) {
		if (quote) {
			if (*s == '\\' && s[1]) {
				out[n++] = *s++;
			} else if (*s == quote) {
				quote = 0;
			}
			out[n++] = *s;
			continue;
		}
		if (*s == '\'' || *s == '"')
			quote = *s;
		if (isspace((unsigned char)*s))
			continue;
		out[n++] = *s;
	}
	out[n] = 0;
	return out;
}

struct vw_value val_int(int64_t i)
{
	struct vw_value v = { .type = VW_V_INT, .i = i };
	return v;
}

struct vw_value val_uint(uint64_t u)
{
	struct vw_value v = { .type = VW_V_UINT, .u = u };
	return v;
}

struct vw_value val_float(double d)
{
	struct vw_value v = { .type = VW_V_FLOAT, .d = d };
	return v;
}

struct vw_value val_bool(int b)
{
	struct vw_value v = { .type = VW_V_BOOL, .i = !!b };
	return v;
}

struct vw_value val_bytes(const void *p, size_t n)
{
	struct vw_value v = { .type = VW_V_BYTES, .nbytes = n };
	memcpy(v.bytes, p, n);
	return v;
}

struct vw_value val_bigint(double d)
{
	struct vw_value v = { .type = VW_V_BIGINT, .d = d };
	return v;
}

void assert_geometry(const struct vw_view *v, int ndim, const ssize_t *shape,
		     const ssize_t *strides, ssize_t itemsize)
{
	ssize_t len = itemsize;
	int i;

	assert_int_equal(v->ndim, ndim);
	assert_int_equal(v->itemsize, itemsize);
	for (i = 0; i < ndim; i++) {
		assert_int_equal(v->shape[i], shape[i]);
		assert_int_equal(v->strides[i], strides[i]);
		len *= shape[i];
	}
	assert_int_equal(v->len, len);
}

int unit_main(int argc, char **argv, const char *group,
	      const struct CMUnitTest *tests, size_t n)
{
	size_t i;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}
