/* SPDX-License-Identifier: MIT */
/* Unit tests: borrowed views (vw_borrow, vw_is_borrowed) and their
 * ownership rule (view.h, "Ownership"): a borrowed view holds no reference,
 * views derived from it are borrowed too, vw_release of one drops nothing,
 * vw_dup of one owns a reference, and the lender's reference is the one
 * that keeps the mapping alive. */
#include "unit_fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

/* The element of a 1-D view at i, as an integer. */
static int64_t get1(const struct vw_view *v, ssize_t i)
{
	struct vw_value val;
	struct vw_error err;

	assert_int_equal(vw_get(v, &i, &val, &err), 0);
	return val.type == VW_V_FLOAT ? (int64_t)val.d : val.i;
}

static void test_borrow_takes_no_reference(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
	assert_int_equal(vw_map_refs(&f->v[1]), 1);
	assert_true(vw_is_valid(&f->v[1]));
	assert_true(vw_is_borrowed(&f->v[1]));
	assert_false(vw_is_borrowed(&f->v[0]));
	assert_non_null(f->v[1].map);
}

static void test_borrow_copies_the_whole_view(void **state)
{
	struct fx *f = *state;
	ssize_t shape[] = { 4, 8 }, strides[] = { 16, 2 };

	fx_typed(f, &f->v[1], "<h", 2, shape);
	assert_int_equal(vw_toreadonly(&f->v[1], &f->v[1], &f->err), 0);
	assert_int_equal(vw_borrow(&f->v[2], &f->v[1], &f->err), 0);
	assert_ptr_equal(f->v[2].buf, f->v[1].buf);
	assert_string_equal(f->v[2].format, "<h");
	assert_memory_equal(&f->v[2].fmt, &f->v[1].fmt, sizeof(f->v[1].fmt));
	assert_geometry(&f->v[2], 2, shape, strides, 2);
	assert_int_equal(f->v[2].len, 64);
	assert_int_equal(f->v[2].readonly, 1);
}

static void test_views_derived_from_borrowed_are_borrowed(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 8,
			       .has_stop = 1, .stop = 40 };
	ssize_t shape[] = { 4, 2 };

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_slice(&f->v[2], &f->v[1], &ix, 1, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[3], &f->v[2], "d", 1, NULL, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[4], &f->v[2], "i", 2, shape, &f->err), 0);
	assert_int_equal(vw_transpose(&f->v[5], &f->v[4], NULL, 2, &f->err), 0);
	assert_int_equal(vw_reshape(&f->v[6], &f->v[4], 1, (ssize_t[]){ 8 },
				    &f->err), 0);
	assert_int_equal(vw_toreadonly(&f->v[7], &f->v[2], &f->err), 0);
	for (int i = 1; i < 8; i++) {
		assert_true(vw_is_valid(&f->v[i]));
		assert_true(vw_is_borrowed(&f->v[i]));
	}
	/* not one of them took a reference */
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
	/* and they read the lender's memory */
	assert_int_equal(get1(&f->v[2], 0), 8);
	assert_int_equal(f->v[5].shape[0], 2);
	assert_int_equal(f->v[6].shape[0], 8);
	assert_int_equal(f->v[7].readonly, 1);
	vw_release(&f->v[7]);
	assert_int_equal(vw_apply_meta(&f->v[7], &f->v[1], "H", "2,64",
				       &f->err), 0);
	assert_true(vw_is_borrowed(&f->v[7]));
	assert_int_equal(f->v[7].ndim, 2);
	for (int i = 7; i >= 1; i--)
		vw_release(&f->v[i]);
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
	assert_true(vw_is_valid(&f->v[0]));
}

static void test_release_of_borrowed_drops_nothing(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	vw_release(&f->v[1]);
	assert_false(vw_is_valid(&f->v[1]));
	assert_false(vw_is_borrowed(&f->v[1]));
	assert_null(f->v[1].map);
	assert_int_equal(vw_map_refs(&f->v[1]), 0);
	vw_release(&f->v[1]);	/* twice: still harmless */
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
	assert_int_equal(get1(&f->v[0], 3), 3);
}

static void test_many_borrowed_derivations_leave_the_count_alone(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 1, .has_step = 1, .step = 3 };

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	for (int i = 0; i < 10000; i++) {
		assert_int_equal(vw_slice(&f->v[2], &f->v[1], &ix, 1, &f->err),
				 0);
		assert_int_equal(vw_cast(&f->v[3], &f->v[1], "q", 1, NULL,
					 &f->err), 0);
		vw_release(&f->v[3]);
		vw_release(&f->v[2]);
	}
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

static void test_dup_of_borrowed_owns_a_reference(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 5 };

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_slice(&f->v[2], &f->v[1], &ix, 1, &f->err), 0);
	assert_int_equal(vw_dup(&f->v[3], &f->v[2], &f->err), 0);
	assert_false(vw_is_borrowed(&f->v[3]));
	assert_int_equal(vw_map_refs(&f->v[0]), 2);
	assert_ptr_equal(f->v[3].buf, f->v[2].buf);
	assert_int_equal(f->v[3].shape[0], FX_NBYTES - 5);
	/* the borrowed ones go first, then the lender: v[3] keeps it mapped */
	vw_release(&f->v[2]);
	vw_release(&f->v[1]);
	vw_release(&f->v[0]);
	assert_int_equal(vw_map_refs(&f->v[3]), 1);
	assert_int_equal(get1(&f->v[3], 0), 5);
	/* views derived from an owning view own again */
	assert_int_equal(vw_slice(&f->v[4], &f->v[3], &ix, 1, &f->err), 0);
	assert_false(vw_is_borrowed(&f->v[4]));
	assert_int_equal(vw_map_refs(&f->v[3]), 2);
}

static void test_dup_in_place_turns_borrowed_into_owning(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_dup(&f->v[1], &f->v[1], &f->err), 0);
	assert_false(vw_is_borrowed(&f->v[1]));
	assert_int_equal(vw_map_refs(&f->v[0]), 2);
	vw_release(&f->v[0]);
	assert_int_equal(vw_map_refs(&f->v[1]), 1);
	assert_int_equal(get1(&f->v[1], 200), 200);
	/* an owning view dup'ed in place stays as it was */
	assert_int_equal(vw_dup(&f->v[1], &f->v[1], &f->err), 0);
	assert_int_equal(vw_map_refs(&f->v[1]), 1);
}

static void test_borrow_of_borrowed_has_the_same_lender(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_borrow(&f->v[2], &f->v[1], &f->err), 0);
	assert_true(vw_is_borrowed(&f->v[2]));
	assert_ptr_equal(f->v[2].map, f->v[1].map);
	vw_release(&f->v[1]);
	assert_int_equal(get1(&f->v[2], 7), 7);
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

static void test_borrow_in_place_refused_for_owning_view(void **state)
{
	struct fx *f = *state;
	struct vw_view before = f->v[0];

	assert_int_equal(vw_borrow(&f->v[0], &f->v[0], &f->err), -EINVAL);
	assert_int_equal(f->err.code, -EINVAL);
	assert_non_null(strstr(f->err.msg, "borrow"));
	assert_memory_equal(&f->v[0], &before, sizeof(before));
	assert_false(vw_is_borrowed(&f->v[0]));
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
	/* of a borrowed view: nothing to do */
	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_borrow(&f->v[1], &f->v[1], &f->err), 0);
	assert_true(vw_is_borrowed(&f->v[1]));
}

static void test_borrow_of_released_view_refused(void **state)
{
	struct fx *f = *state;
	struct vw_view z, dst;

	memset(&z, 0, sizeof(z));
	memset(&dst, 0x5a, sizeof(dst));
	assert_int_equal(vw_borrow(&dst, &z, &f->err), -EINVAL);
	assert_int_equal(f->err.code, -EINVAL);
	for (size_t i = 0; i < sizeof(dst); i++)
		assert_int_equal(((unsigned char *)&dst)[i], 0x5a);
	assert_int_equal(vw_borrow(&dst, NULL, NULL), -EINVAL);
	assert_false(vw_is_borrowed(NULL));
	assert_false(vw_is_borrowed(&z));
}

static void test_self_derivation_of_borrowed_stays_borrowed(void **state)
{
	struct fx *f = *state;
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 16 };

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_slice(&f->v[1], &f->v[1], &ix, 1, &f->err), 0);
	assert_int_equal(vw_cast(&f->v[1], &f->v[1], "I", 1, NULL, &f->err), 0);
	assert_true(vw_is_borrowed(&f->v[1]));
	assert_int_equal(f->v[1].shape[0], (FX_NBYTES - 16) / 4);
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

static void test_borrowed_view_supports_every_operation(void **state)
{
	struct fx *f = *state;
	unsigned char out[FX_NBYTES];
	ssize_t i0 = 2;
	struct vw_value val = val_int(99);

	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	assert_int_equal(vw_set(&f->v[1], &i0, &val, &f->err), 0);
	assert_int_equal(f->mem[2], 99);
	assert_int_equal(vw_tobytes(&f->v[1], 'C', out, sizeof(out), &f->err),
			 0);
	assert_memory_equal(out, f->mem, FX_NBYTES);
	assert_int_equal(vw_equal(&f->v[1], &f->v[0], &f->err), 1);
	assert_int_equal(vw_fill(&f->v[1], &val, &f->err), 0);
	assert_int_equal(f->mem[FX_NBYTES - 1], 99);
	assert_int_equal(vw_copy_to(&f->v[0], &f->v[1], &f->err), 0);
	capture_open(&f->cap);
	assert_int_equal(vw_info_json(&f->v[1], f->cap.f, &f->err), 0);
	assert_int_equal(vw_hex(&f->v[1], 0, 0, f->cap.f, &f->err), 0);
	assert_int_equal(vw_tolist(&f->v[1], f->cap.f, &f->err), 0);
	/* the contiguity predicates see a valid view */
	assert_true(vw_c_contiguous(&f->v[1]));
	assert_true(vw_contiguous(&f->v[1]));
}

/* Borrowed views on one mapping derived and released by several threads
 * while the lender lives: nothing is counted, nothing races. */
struct tharg {
	const struct vw_view *lender;
	int ok;
};

static void *borrow_worker(void *p)
{
	struct tharg *a = p;
	struct vw_index ix = { .is_slice = 1, .has_step = 1, .step = 2 };
	struct vw_view b, s;

	a->ok = vw_borrow(&b, a->lender, NULL) == 0;
	for (int i = 0; a->ok && i < 20000; i++) {
		a->ok = vw_slice(&s, &b, &ix, 1, NULL) == 0 &&
			vw_is_borrowed(&s) && s.shape[0] == FX_NBYTES / 2;
		vw_release(&s);
	}
	vw_release(&b);
	return NULL;
}

static void test_borrowed_views_in_threads(void **state)
{
	struct fx *f = *state;
	pthread_t th[4];
	struct tharg a[4];

	for (int i = 0; i < 4; i++) {
		a[i].lender = &f->v[0];
		assert_int_equal(pthread_create(&th[i], NULL, borrow_worker,
						&a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(a[i].ok);
	}
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

/* The rule's other side: a borrowed view used after its mapping went
 * away is a use after free, which AddressSanitizer reports (in a child:
 * the report ends the process). */
static void test_use_after_lender_released_is_caught_by_asan(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	struct fx *f = *state;
	unsigned char *mem = malloc(64);
	struct vw_view owner, b;
	int st;
	pid_t pid;

	assert_non_null(mem);
	assert_int_equal(vw_from_memory(&owner, mem, 64, VW_RDWR, NULL, NULL,
					&f->err), 0);
	assert_int_equal(vw_borrow(&b, &owner, &f->err), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* quiet: the report is expected */
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, 2);
		vw_release(&owner);		/* the mapping is freed */
		(void)vw_map_refs(&b);		/* reads it: reported */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	vw_release(&b);
	vw_release(&owner);
	free(mem);
#else
	(void)state;
	skip();
#endif
}

static const struct CMUnitTest tests[] = {
	T(test_borrow_takes_no_reference),
	T(test_borrow_copies_the_whole_view),
	T(test_views_derived_from_borrowed_are_borrowed),
	T(test_release_of_borrowed_drops_nothing),
	T(test_many_borrowed_derivations_leave_the_count_alone),
	T(test_dup_of_borrowed_owns_a_reference),
	T(test_dup_in_place_turns_borrowed_into_owning),
	T(test_borrow_of_borrowed_has_the_same_lender),
	T(test_borrow_in_place_refused_for_owning_view),
	T(test_borrow_of_released_view_refused),
	T(test_self_derivation_of_borrowed_stays_borrowed),
	T(test_borrowed_view_supports_every_operation),
	T(test_borrowed_views_in_threads),
	T(test_use_after_lender_released_is_caught_by_asan),
};

UNIT_MAIN(tests)
