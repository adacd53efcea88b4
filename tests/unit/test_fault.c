/* SPDX-License-Identifier: MIT */
/* Unit tests: pages a mapping loses under a live view (view.h, "Faults in
 * the mapping").  Each test maps a 3-page memfd (a tmpfs file: bytes
 * pattern(i)), truncates it underneath through the same descriptor, and
 * calls a guarded function: it must return -EFAULT with a message instead
 * of dying of SIGBUS, and a write must leave every byte that is still in
 * the file unchanged.  The last tests run the test binary again in a
 * child (a fresh process, so libview's handler is installed there for the
 * first time) to check that a SIGBUS that is not libview's still reaches
 * the handler that was there before, or kills the process.  (cmocka puts
 * its own SIGBUS handler in place around every test and restores the old
 * one after it; libview's guard puts its handler back in front.) */
#include "unit_fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPAGES 3

struct ffx {
	int fd;			/* the memfd, owned */
	size_t page, size;
	struct vw_view v[4];
	struct vw_error err;
	struct capture cap;
	unsigned char *mem;	/* scratch memory (owned) for copies */
};

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static int ffx_setup(void **state)
{
	struct ffx *f = calloc(1, sizeof(*f));
	unsigned char *buf;

	if (!f)
		return -1;
	f->page = (size_t)sysconf(_SC_PAGESIZE);
	f->size = NPAGES * f->page;
	f->fd = memfd_create("vw-unit-fault", MFD_CLOEXEC);
	f->mem = malloc(f->size);
	buf = malloc(f->size);
	if (f->fd < 0 || !f->mem || !buf)
		goto fail;
	for (size_t i = 0; i < f->size; i++)
		buf[i] = pattern(i);
	if (pwrite(f->fd, buf, f->size, 0) != (ssize_t)f->size)
		goto fail;
	free(buf);
	memset(f->mem, 0xee, f->size);
	if (vw_open_fd(&f->v[0], f->fd, VW_RDWR, &f->err))
		goto fail_view;
	*state = f;
	return 0;
fail:
	free(buf);
fail_view:
	if (f->fd >= 0)
		close(f->fd);
	free(f->mem);
	free(f);
	return -1;
}

static int ffx_teardown(void **state)
{
	struct ffx *f = *state;

	for (int i = 0; i < 4; i++)
		vw_release(&f->v[i]);
	capture_free(&f->cap);
	close(f->fd);
	free(f->mem);
	free(f);
	return 0;
}

#define TF(fn) cmocka_unit_test_setup_teardown(fn, ffx_setup, ffx_teardown)

/* The file now ends at size: the mapping's pages past it are gone. */
static void lose_from(struct ffx *f, size_t size)
{
	assert_int_equal(ftruncate(f->fd, (off_t)size), 0);
}

/* The bytes [0, n) of the file still hold the pattern. */
static void assert_file_unchanged(struct ffx *f, size_t n)
{
	unsigned char *got = malloc(n);

	assert_non_null(got);
	assert_int_equal(pread(f->fd, got, n, 0), (ssize_t)n);
	for (size_t i = 0; i < n; i++)
		if (got[i] != pattern(i)) {
			free(got);
			fail_msg("byte %zu changed", i);
		}
	free(got);
}

/* vw_get and vw_set put libview's SIGBUS handler in place only the first
 * time (view.h): cmocka replaces it around every test, so the tests of
 * those two put it back as a program that replaced it would. */
static void rearm(void)
{
	assert_int_equal(vw_sigbus_guard(1), 1);
}

/* rc is the documented fault: -EFAULT, in err too, naming byte at. */
static void assert_fault(struct ffx *f, int rc, size_t at)
{
	char want[64];

	if (rc != -EFAULT)
		print_error("rc %d: %s\n", rc, f->err.msg);
	assert_int_equal(rc, -EFAULT);
	assert_int_equal(f->err.code, -EFAULT);
	snprintf(want, sizeof(want), "byte %zu of the mapping", at);
	if (!strstr(f->err.msg, want))
		fail_msg("message '%s' lacks '%s'", f->err.msg, want);
	assert_null(strchr(f->err.msg, '\n'));
}

/* ---- reads ---- */

static void test_get_of_a_lost_page_is_efault(void **state)
{
	struct ffx *f = *state;
	ssize_t idx = (ssize_t)(2 * f->page + 5);
	struct vw_value val;

	rearm();

	lose_from(f, 2 * f->page);
	assert_fault(f, vw_get(&f->v[0], &idx, &val, &f->err), 2 * f->page + 5);
	assert_non_null(strstr(f->err.msg, "SIGBUS"));
}

static void test_view_still_works_after_a_fault(void **state)
{
	struct ffx *f = *state;
	ssize_t lost = (ssize_t)(2 * f->page), kept = 10;
	struct vw_value val;

	rearm();

	lose_from(f, 2 * f->page);
	assert_fault(f, vw_get(&f->v[0], &lost, &val, &f->err), 2 * f->page);
	assert_int_equal(vw_get(&f->v[0], &kept, &val, &f->err), 0);
	assert_int_equal(val.i, pattern(10));
	/* and the guard catches the next fault as well */
	assert_fault(f, vw_get(&f->v[0], &lost, &val, &f->err), 2 * f->page);
}

/* vw_get's read is one load of the item's size (1, 2, 4 or 8 bytes, on
 * x86-64 one instruction the handler knows): each size faults as -EFAULT
 * naming the item's first byte, also for an item straddling the end. */
static void test_get_of_a_lost_page_is_efault_for_every_itemsize(void **state)
{
	struct ffx *f = *state;
	static const char *fmts[] = { "B", "<h", "i", "d", "?", "e", ">q" };
	struct vw_value val;

	rearm();
	lose_from(f, 2 * f->page);
	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++) {
		struct vw_format pf;
		ssize_t idx;

		assert_int_equal(vw_format_parse(fmts[k], &pf, &f->err), 0);
		vw_release(&f->v[1]);
		assert_int_equal(vw_cast(&f->v[1], &f->v[0], fmts[k], 1, NULL,
					 &f->err), 0);
		idx = (ssize_t)(2 * f->page / pf.itemsize) + 3;
		assert_fault(f, vw_get(&f->v[1], &idx, &val, &f->err),
			     2 * f->page + 3 * pf.itemsize);
		/* the element before the lost page still reads */
		idx = (ssize_t)(2 * f->page / pf.itemsize) - 1;
		assert_int_equal(vw_get(&f->v[1], &idx, &val, &f->err), 0);
	}
}

/* A borrowed view (no reference of its own) is guarded as its lender. */
static void test_borrowed_view_of_a_lost_page_is_efault(void **state)
{
	struct ffx *f = *state;
	ssize_t idx = (ssize_t)(2 * f->page + 1);
	struct vw_value val;

	rearm();
	assert_int_equal(vw_borrow(&f->v[1], &f->v[0], &f->err), 0);
	slice_expr(&f->v[2], &f->v[1], "1:");
	assert_true(vw_is_borrowed(&f->v[2]));
	lose_from(f, 2 * f->page);
	assert_fault(f, vw_get(&f->v[2], &idx, &val, &f->err), 2 * f->page + 2);
	assert_fault(f, vw_tobytes(&f->v[2], 'C', f->mem, f->size - 1,
				   &f->err), 2 * f->page);
	assert_fault(f, vw_frombytes(&f->v[2], f->mem, f->size - 1, &f->err),
		     2 * f->page);
	assert_file_unchanged(f, 2 * f->page);
	assert_int_equal(vw_map_refs(&f->v[0]), 1);
}

static void test_tobytes_of_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;

	lose_from(f, f->page);
	assert_fault(f, vw_tobytes(&f->v[0], 'C', f->mem, f->size, &f->err),
		     f->page);
	/* what came before the lost page was copied */
	assert_int_equal(f->mem[f->page - 1], pattern(f->page - 1));
}

static void test_tobytes_fortran_order_of_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;
	ssize_t shape[] = { NPAGES, (ssize_t)f->page };

	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "B", 2, shape, &f->err),
			 0);
	lose_from(f, 0);
	assert_fault(f, vw_tobytes(&f->v[1], 'F', f->mem, f->size, &f->err),
		     0);
}

/* Another thread can take f's stdio lock (ftrylockfile): 0 if it could. */
static void *try_lock_file(void *arg)
{
	FILE *f = arg;

	if (ftrylockfile(f) != 0)
		return (void *)1;
	funlockfile(f);
	return NULL;
}

static void test_tolist_of_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;
	ssize_t shape[] = { (ssize_t)(f->size / 8) };
	void *busy = (void *)1;
	const char *text;
	pthread_t th;

	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "Q", 1, shape, &f->err),
			 0);
	lose_from(f, f->page);
	capture_open(&f->cap);
	assert_fault(f, vw_tolist(&f->v[1], f->cap.f, &f->err), f->page);
	/* tolist writes under the stream's lock: the fault gave it back */
	assert_int_equal(pthread_create(&th, NULL, try_lock_file, f->cap.f), 0);
	assert_int_equal(pthread_join(th, &busy), 0);
	assert_null(busy);
	text = capture_text(&f->cap);
	/* the output stops where the page is lost */
	assert_int_equal(text[0], '[');
	assert_null(strchr(text, ']'));
}

static void test_hex_of_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;

	lose_from(f, 0);
	capture_open(&f->cap);
	assert_fault(f, vw_hex(&f->v[0], ':', 2, f->cap.f, &f->err), 0);
	assert_string_equal(capture_text(&f->cap), "");
}

static void test_hex_of_a_strided_view_of_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "::-3");
	lose_from(f, 2 * f->page);
	capture_open(&f->cap);
	assert_fault(f, vw_hex(&f->v[1], 0, 0, f->cap.f, &f->err),
		     f->size - 1);
}

static void test_equal_with_a_truncated_file_is_efault(void **state)
{
	struct ffx *f = *state;

	assert_int_equal(vw_from_memory(&f->v[1], f->mem, f->size, VW_RDONLY,
					NULL, NULL, &f->err), 0);
	for (size_t i = 0; i < f->size; i++)
		f->mem[i] = pattern(i);
	lose_from(f, f->page);
	assert_fault(f, vw_equal(&f->v[1], &f->v[0], &f->err), f->page);
	assert_fault(f, vw_equal(&f->v[0], &f->v[1], &f->err), f->page);
}

/* ---- writes: the file is left as it was ---- */

static void test_fill_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	struct vw_value one = val_int(1);

	lose_from(f, f->page + 100);	/* page 1 partly, page 2 not */
	assert_fault(f, vw_fill(&f->v[0], &one, &f->err), 2 * f->page);
	assert_non_null(strstr(f->err.msg, "nothing was written"));
	assert_file_unchanged(f, f->page + 100);
}

static void test_frombytes_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;

	lose_from(f, 2 * f->page - 1);
	assert_fault(f, vw_frombytes(&f->v[0], f->mem, f->size, &f->err),
		     2 * f->page);
	assert_file_unchanged(f, 2 * f->page - 1);
}

static void test_copy_to_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;

	assert_int_equal(vw_from_memory(&f->v[1], f->mem, f->size, VW_RDONLY,
					NULL, NULL, &f->err), 0);
	lose_from(f, f->page);
	assert_fault(f, vw_copy_to(&f->v[0], &f->v[1], &f->err), f->page);
	assert_file_unchanged(f, f->page);
}

static void test_copy_from_a_truncated_file_writes_nothing(void **state)
{
	struct ffx *f = *state;

	assert_int_equal(vw_from_memory(&f->v[1], f->mem, f->size, VW_RDWR,
					NULL, NULL, &f->err), 0);
	lose_from(f, 2 * f->page);
	assert_fault(f, vw_copy_to(&f->v[1], &f->v[0], &f->err), 2 * f->page);
	for (size_t i = 0; i < f->size; i++)
		if (f->mem[i] != 0xee)
			fail_msg("destination byte %zu written", i);
}

static void test_overlapping_copy_past_the_end_is_efault(void **state)
{
	struct ffx *f = *state;

	slice_expr(&f->v[1], &f->v[0], "1:");
	slice_expr(&f->v[2], &f->v[0], ":-1");
	lose_from(f, f->page);
	assert_fault(f, vw_copy_to(&f->v[1], &f->v[2], &f->err), f->page);
	assert_file_unchanged(f, f->page);
}

static void test_set_of_an_element_across_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	struct vw_value big = val_uint(0xffffffffffffffffULL);
	ssize_t zero = 0;
	char expr[64];

	rearm();

	/* one 'Q' whose first 4 bytes are in page 1, the rest in page 2 */
	snprintf(expr, sizeof(expr), "%zu:%zu", 2 * f->page - 4,
		 2 * f->page + 4);
	slice_expr(&f->v[1], &f->v[0], expr);
	assert_int_equal(vw_cast(&f->v[2], &f->v[1], "Q", 0, NULL, &f->err),
			 0);
	lose_from(f, 2 * f->page);
	assert_fault(f, vw_set(&f->v[2], &zero, &big, &f->err), 2 * f->page);
	assert_file_unchanged(f, 2 * f->page);
}

static void test_set_past_the_end_is_efault(void **state)
{
	struct ffx *f = *state;
	ssize_t idx = (ssize_t)(f->size - 1);
	struct vw_value one = val_int(1);

	rearm();

	lose_from(f, f->page);
	assert_fault(f, vw_set(&f->v[0], &idx, &one, &f->err), f->size - 1);
	assert_file_unchanged(f, f->page);
}

static void test_assign_list_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	size_t n = f->size / 8, len = 0;
	ssize_t shape[] = { (ssize_t)n };
	struct vw_literal lit;
	char *s = malloc(n * 8 + 3);

	assert_non_null(s);
	s[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s%zu", i ? "," : "", i);
	s[len++] = ']';
	s[len] = 0;
	assert_int_equal(vw_literal_parse(s, &lit, &f->err), 0);
	free(s);
	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "Q", 1, shape, &f->err),
			 0);
	lose_from(f, f->page + 8);
	assert_fault(f, vw_assign(&f->v[1], &lit, &f->err), 2 * f->page);
	vw_literal_free(&lit);
	assert_file_unchanged(f, f->page + 8);
}

static void test_assign_scalar_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	struct vw_literal lit;

	assert_int_equal(vw_literal_parse("7", &lit, &f->err), 0);
	lose_from(f, 1);
	assert_fault(f, vw_assign(&f->v[0], &lit, &f->err), f->page);
	vw_literal_free(&lit);
	assert_file_unchanged(f, 1);
}

static void test_strided_fill_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	struct vw_value one = val_int(1);
	char expr[32];

	/* elements at bytes 0 and 2*page: two pages apart */
	snprintf(expr, sizeof(expr), "::%zu", 2 * f->page);
	slice_expr(&f->v[1], &f->v[0], expr);
	assert_int_equal(f->v[1].shape[0], 2);
	lose_from(f, 2 * f->page);
	assert_fault(f, vw_fill(&f->v[1], &one, &f->err), 2 * f->page);
	assert_file_unchanged(f, 2 * f->page);
}

static void test_reversed_transposed_fill_past_the_end_writes_nothing(void **state)
{
	struct ffx *f = *state;
	struct vw_value one = val_int(1);
	ssize_t shape[] = { NPAGES, (ssize_t)f->page };

	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "B", 2, shape, &f->err),
			 0);
	slice_expr(&f->v[2], &f->v[1], "::-1,::-1");
	assert_int_equal(vw_transpose(&f->v[3], &f->v[2], NULL, 0, &f->err),
			 0);
	lose_from(f, 2 * f->page - 1);
	assert_fault(f, vw_fill(&f->v[3], &one, &f->err), 2 * f->page);
	assert_fault(f, vw_fill(&f->v[2], &one, &f->err), 2 * f->page);
	assert_file_unchanged(f, 2 * f->page - 1);
}

static void test_fill_of_pages_still_in_the_file_succeeds(void **state)
{
	struct ffx *f = *state;
	struct vw_value one = val_int(1);
	ssize_t shape[] = { NPAGES, (ssize_t)f->page };
	unsigned char b;

	/* rows 0 and 1 of a (3, page) view: only pages the file keeps */
	assert_int_equal(vw_cast(&f->v[1], &f->v[0], "B", 2, shape, &f->err),
			 0);
	slice_expr(&f->v[2], &f->v[1], ":2,::7");
	lose_from(f, 2 * f->page);
	assert_int_equal(vw_fill(&f->v[2], &one, &f->err), 0);
	assert_int_equal(pread(f->fd, &b, 1, (off_t)(f->page + 7)), 1);
	assert_int_equal(b, 1);
}

/* The caller's own mapping (vw_from_memory) is guarded too. */
static void unmap(void *p, size_t n, void *arg)
{
	(void)arg;
	munmap(p, n);
}

static void test_from_memory_mapping_fault_is_efault(void **state)
{
	struct ffx *f = *state;
	void *p = mmap(NULL, f->size, PROT_READ, MAP_SHARED, f->fd, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(vw_from_memory(&f->v[1], p, f->size, VW_RDONLY, unmap,
					NULL, &f->err), 0);
	lose_from(f, f->page);
	capture_open(&f->cap);
	assert_fault(f, vw_hex(&f->v[1], 0, 0, f->cap.f, &f->err), f->page);
}

/* Guards are per thread: a fault in another thread is caught there. */
struct thread_job {
	struct ffx *f;
	int rc;
};

static void *hex_in_thread(void *arg)
{
	struct thread_job *j = arg;
	FILE *null = fopen("/dev/null", "w");

	j->rc = null ? vw_hex(&j->f->v[1], 0, 0, null, &j->f->err) : -ENOENT;
	if (null)
		fclose(null);
	return NULL;
}

static void test_fault_in_another_thread_is_efault_there(void **state)
{
	struct ffx *f = *state;
	struct thread_job j = { f, 1 };
	pthread_t t;

	assert_int_equal(vw_dup(&f->v[1], &f->v[0], &f->err), 0);
	lose_from(f, f->page);
	assert_int_equal(pthread_create(&t, NULL, hex_in_thread, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_fault(f, j.rc, f->page);
	/* and this thread's guard still works */
	capture_open(&f->cap);
	assert_fault(f, vw_hex(&f->v[0], 0, 0, f->cap.f, &f->err), f->page);
}

/* ---- other SIGBUS are not libview's (in a fresh child process) ---- */

static void exit_42(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si, (void)ctx;
	_exit(42);
}

/* Run this binary again with only test NAME, VW_FAULT_ROLE=role and
 * SIGBUS left to the default by ASan; returns the wait status.  The child
 * reports on a pipe (VW_FAULT_FD) that libview turned its own fault into
 * -EFAULT before it went on (child_expect_guarded_fault): *guarded says
 * whether it did. */
static int run_child(const char *name, const char *role, int *guarded)
{
	char *argv[] = { "/proc/self/exe", (char *)name, NULL };
	const char *asan = getenv("ASAN_OPTIONS");
	char opts[512], fdnum[16], c = 0;
	int status, p[2];
	pid_t pid;

	snprintf(opts, sizeof(opts), "%s%shandle_sigbus=0", asan ? asan : "",
		 asan && *asan ? ":" : "");
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		close(p[0]);
		dup2(null, 1);
		dup2(null, 2);
		snprintf(fdnum, sizeof(fdnum), "%d", p[1]);
		setenv("VW_FAULT_FD", fdnum, 1);
		setenv("VW_FAULT_ROLE", role, 1);
		setenv("ASAN_OPTIONS", opts, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*guarded = read(p[0], &c, 1) == 1 && c == 'g';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* In the child: SIGBUS's disposition is the default (not cmocka's
 * per-test handler). */
static void child_default_sigbus(void)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL);
}

/* In the child: a guarded call on the lost page must return -EFAULT (the
 * handler is there and ours); else exit 3. */
static void child_expect_guarded_fault(struct ffx *f)
{
	ssize_t idx = (ssize_t)(2 * f->page);
	struct vw_value val;

	const char *fd = getenv("VW_FAULT_FD");

	lose_from(f, 2 * f->page);
	if (vw_get(&f->v[0], &idx, &val, &f->err) != -EFAULT)
		_exit(3);
	if (!fd || write(atoi(fd), "g", 1) != 1)
		_exit(6);
}

/* In the child: touch the lost page directly, outside libview. */
static void child_touch_lost_page(struct ffx *f)
{
	volatile unsigned char *p = (volatile unsigned char *)f->v[0].buf;

	(void)p[2 * f->page];
	_exit(4);	/* not reached: the access faults */
}

static void test_sigbus_outside_libview_reaches_previous_handler(void **state)
{
	struct ffx *f = *state;
	const char *role = getenv("VW_FAULT_ROLE");
	int st, guarded;

	if (role && !strcmp(role, "chain")) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = exit_42;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		/* before libview's first guarded call in this process */
		sigaction(SIGBUS, &sa, NULL);
		child_expect_guarded_fault(f);
		child_touch_lost_page(f);
	}
	st = run_child("test_sigbus_outside_libview_reaches_previous_handler",
		       "chain", &guarded);
	assert_true(guarded);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
}

static void test_sigbus_outside_libview_still_kills(void **state)
{
	struct ffx *f = *state;
	const char *role = getenv("VW_FAULT_ROLE");
	int st, guarded;

	if (role && !strcmp(role, "default")) {
		child_default_sigbus();
		child_expect_guarded_fault(f);
		child_touch_lost_page(f);
	}
	st = run_child("test_sigbus_outside_libview_still_kills", "default",
		       &guarded);
	assert_true(guarded);
	if (WIFEXITED(st))
		fail_msg("child exited %d instead of dying of SIGBUS",
			 WEXITSTATUS(st));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
}

static void test_sent_sigbus_still_kills(void **state)
{
	struct ffx *f = *state;
	const char *role = getenv("VW_FAULT_ROLE");
	int st, guarded;

	if (role && !strcmp(role, "kill")) {
		child_default_sigbus();
		child_expect_guarded_fault(f);
		kill(getpid(), SIGBUS);
		_exit(4);
	}
	st = run_child("test_sent_sigbus_still_kills", "kill", &guarded);
	assert_true(guarded);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
}

static void test_opt_out_leaves_sigbus_to_the_process(void **state)
{
	struct ffx *f = *state;
	const char *role = getenv("VW_FAULT_ROLE");
	int st, guarded;

	if (role && !strcmp(role, "optout")) {
		ssize_t idx = (ssize_t)(2 * f->page);
		struct vw_value val;

		child_default_sigbus();
		if (vw_sigbus_guard(0) != 1 || vw_sigbus_guard(-1) != 0)
			_exit(5);
		lose_from(f, 2 * f->page);
		vw_get(&f->v[0], &idx, &val, &f->err);
		_exit(4);	/* not reached */
	}
	assert_int_equal(vw_sigbus_guard(-1), 1);	/* the default */
	st = run_child("test_opt_out_leaves_sigbus_to_the_process", "optout",
		       &guarded);
	assert_false(guarded);
	if (WIFEXITED(st))
		fail_msg("child exited %d instead of dying of SIGBUS",
			 WEXITSTATUS(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
}

static const struct CMUnitTest tests[] = {
	TF(test_get_of_a_lost_page_is_efault),
	TF(test_view_still_works_after_a_fault),
	TF(test_get_of_a_lost_page_is_efault_for_every_itemsize),
	TF(test_borrowed_view_of_a_lost_page_is_efault),
	TF(test_tobytes_of_a_truncated_file_is_efault),
	TF(test_tobytes_fortran_order_of_a_truncated_file_is_efault),
	TF(test_tolist_of_a_truncated_file_is_efault),
	TF(test_hex_of_a_truncated_file_is_efault),
	TF(test_hex_of_a_strided_view_of_a_truncated_file_is_efault),
	TF(test_equal_with_a_truncated_file_is_efault),
	TF(test_fill_past_the_end_writes_nothing),
	TF(test_frombytes_past_the_end_writes_nothing),
	TF(test_copy_to_past_the_end_writes_nothing),
	TF(test_copy_from_a_truncated_file_writes_nothing),
	TF(test_overlapping_copy_past_the_end_is_efault),
	TF(test_set_of_an_element_across_the_end_writes_nothing),
	TF(test_set_past_the_end_is_efault),
	TF(test_assign_list_past_the_end_writes_nothing),
	TF(test_assign_scalar_past_the_end_writes_nothing),
	TF(test_strided_fill_past_the_end_writes_nothing),
	TF(test_reversed_transposed_fill_past_the_end_writes_nothing),
	TF(test_fill_of_pages_still_in_the_file_succeeds),
	TF(test_from_memory_mapping_fault_is_efault),
	TF(test_fault_in_another_thread_is_efault_there),
	TF(test_sigbus_outside_libview_reaches_previous_handler),
	TF(test_sigbus_outside_libview_still_kills),
	TF(test_sent_sigbus_still_kills),
	TF(test_opt_out_leaves_sigbus_to_the_process),
};

UNIT_MAIN(tests)
