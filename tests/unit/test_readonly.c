/* SPDX-License-Identifier: MIT */
/* Unit tests: vw_toreadonly (memoryview.toreadonly()) and the rule that a
 * view derived from a read-only view is read-only.  That a released view
 * refuses vw_toreadonly is with the other operations in test_open.c. */
#include "unit_fixtures.h"

#include <errno.h>
#include <stdlib.h>

/* Fixture: views over the test's own memory, released at the end. */
struct rfx {
	struct vw_view v[4];
	struct vw_error err;
};

static int rfx_setup(void **state)
{
	struct rfx *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	*state = o;
	return 0;
}

static int rfx_teardown(void **state)
{
	struct rfx *o = *state;
	int i;

	for (i = 0; i < 4; i++)
		vw_release(&o->v[i]);
	free(o);
	return 0;
}

#define TR(fn) cmocka_unit_test_setup_teardown(fn, rfx_setup, rfx_teardown)

static void test_toreadonly_gives_readonly_view_of_same_data(void **state)
{
	struct rfx *o = *state;
	char mem[4] = "abc";

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_toreadonly(&o->v[1], &o->v[0], &o->err), 0);
	assert_int_equal(o->v[1].readonly, 1);
	assert_ptr_equal(o->v[1].buf, mem);
	assert_int_equal(o->v[1].len, 4);
}

static void test_toreadonly_leaves_source_writable(void **state)
{
	struct rfx *o = *state;
	char mem[4] = "abc";
	ssize_t i0[] = { 0 };
	struct vw_value val = val_int('z');

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_toreadonly(&o->v[1], &o->v[0], &o->err), 0);
	assert_int_equal(o->v[0].readonly, 0);
	assert_int_equal(vw_set(&o->v[1], i0, &val, &o->err), -EROFS);
	assert_int_equal(vw_set(&o->v[0], i0, &val, &o->err), 0);
	assert_int_equal(mem[0], 'z');
}

static void test_view_derived_from_readonly_is_readonly(void **state)
{
	struct rfx *o = *state;
	char mem[8] = { 0 };
	struct vw_index ix = { .is_slice = 1, .has_step = 1, .step = 2 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDONLY, NULL,
					NULL, &o->err), 0);
	assert_int_equal(vw_slice(&o->v[1], &o->v[0], &ix, 1, &o->err), 0);
	assert_int_equal(o->v[1].readonly, 1);
	assert_int_equal(vw_cast(&o->v[2], &o->v[0], "h", 0, NULL, &o->err), 0);
	assert_int_equal(o->v[2].readonly, 1);
	assert_int_equal(vw_transpose(&o->v[3], &o->v[0], NULL, 1, &o->err), 0);
	assert_int_equal(o->v[3].readonly, 1);
}

static const struct CMUnitTest tests[] = {
	TR(test_toreadonly_gives_readonly_view_of_same_data),
	TR(test_toreadonly_leaves_source_writable),
	TR(test_view_derived_from_readonly_is_readonly),
};

UNIT_MAIN(tests)
