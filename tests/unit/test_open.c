/* SPDX-License-Identifier: MIT */
/* Unit tests: opening, mapping, metadata, releasing and reference counting
 * (vw_open, vw_open_fd, vw_from_memory, vw_from_strided, vw_apply_meta,
 * vw_release, vw_dup, vw_is_valid, vw_map_refs), and the rule that a
 * released or zeroed view refuses every operation (vw_toreadonly is
 * tested in test_readonly.c). */
#include "unit_fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#if defined(__GLIBC__) && __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#endif
#include <sys/xattr.h>
#include <unistd.h>

/* Fixture: a private temp directory with one file path in it. */
struct ofx {
	char dir[64];
	char path[128];
	struct vw_view v[4];
	struct vw_error err;
	int fd;
};

static int ofx_setup(void **state)
{
	struct ofx *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	strcpy(o->dir, "/tmp/vw-unit-XXXXXX");
	if (!mkdtemp(o->dir)) {
		free(o);
		return -1;
	}
	snprintf(o->path, sizeof(o->path), "%s/buf", o->dir);
	o->fd = -1;
	*state = o;
	return 0;
}

static int ofx_teardown(void **state)
{
	struct ofx *o = *state;
	int i;

	for (i = 0; i < 4; i++)
		vw_release(&o->v[i]);
	if (o->fd >= 0)
		close(o->fd);
	unlink(o->path);
	rmdir(o->dir);
	free(o);
	return 0;
}

#define TO(fn) cmocka_unit_test_setup_teardown(fn, ofx_setup, ofx_teardown)

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

/* Sets a user xattr; skips the test when the file system refuses them. */
static void set_xattr_or_skip(const char *path, const char *name,
			      const char *value)
{
	if (setxattr(path, name, value, strlen(value), 0) == 0)
		return;
	if (errno == ENOTSUP || errno == EPERM) {
		print_message("skip: user xattrs unsupported on %s: %s\n",
			      path, strerror(errno));
		skip();
	}
	fail_msg("setxattr %s: %s", name, strerror(errno));
}

static void test_open_regular_file_gives_1d_B_view_of_every_byte(void **state)
{
	struct ofx *o = *state;
	ssize_t shape[] = { 5 }, strides[] = { 1 };

	write_file(o->path, "hello", 5);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "B");
	assert_geometry(&o->v[0], 1, shape, strides, 1);
	assert_memory_equal(o->v[0].buf, "hello", 5);
}

static void test_open_rdonly_view_is_readonly(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "hello", 5);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_int_equal(o->v[0].readonly, 1);
}

static void test_open_rdwr_view_is_writable(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "hello", 5);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDWR, &o->err), 0);
	assert_int_equal(o->v[0].readonly, 0);
}

static void test_open_rdwr_write_reaches_file(void **state)
{
	struct ofx *o = *state;
	ssize_t idx[] = { 2 };
	struct vw_value val = val_int('J');
	char back[4] = { 0 };
	int fd;

	/* The seed example: XYZ, m[2] = 74 -> XYJ */
	write_file(o->path, "XYZ", 3);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDWR, &o->err), 0);
	assert_int_equal(vw_set(&o->v[0], idx, &val, &o->err), 0);
	vw_release(&o->v[0]);
	fd = open(o->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, back, 3), 3);
	close(fd);
	assert_string_equal(back, "XYJ");
}

static void test_open_rdonly_refuses_set_with_erofs(void **state)
{
	struct ofx *o = *state;
	ssize_t idx[] = { 0 };
	struct vw_value val = val_int(1);

	write_file(o->path, "XYZ", 3);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_int_equal(vw_set(&o->v[0], idx, &val, &o->err), -EROFS);
}

static void test_open_empty_file_gives_shape_zero(void **state)
{
	struct ofx *o = *state;
	ssize_t shape[] = { 0 }, strides[] = { 1 };

	write_file(o->path, "", 0);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_true(vw_is_valid(&o->v[0]));
	assert_string_equal(o->v[0].format, "B");
	/* memoryview(b'').shape, .strides == (0,), (1,) */
	assert_geometry(&o->v[0], 1, shape, strides, 1);
}

static void test_open_nonexistent_path_is_enoent(void **state)
{
	struct ofx *o = *state;

	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err),
			 -ENOENT);
	assert_int_equal(o->err.code, -ENOENT);
	assert_true(strlen(o->err.msg) > 0);
}

static void test_open_error_message_names_the_path(void **state)
{
	struct ofx *o = *state;

	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err),
			 -ENOENT);
	assert_non_null(strstr(o->err.msg, o->path));
}

static void test_open_failure_leaves_destination_untouched(void **state)
{
	struct ofx *o = *state;
	struct vw_view t, before;

	memset(&t, 0x5a, sizeof(t));
	before = t;
	assert_int_equal(vw_open(&t, o->path, VW_RDONLY, &o->err), -ENOENT);
	assert_memory_equal(&t, &before, sizeof(before));
}

static void test_open_bad_flags_refused(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	assert_int_equal(vw_open(&o->v[0], o->path, 0x100, &o->err), -EINVAL);
}

static void test_open_directory_refused(void **state)
{
	struct ofx *o = *state;

	assert_true(vw_open(&o->v[0], o->dir, VW_RDONLY, &o->err) < 0);
	assert_false(vw_is_valid(&o->v[0]));
}

static void test_open_holds_one_reference(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_int_equal(vw_map_refs(&o->v[0]), 1);
}

static void test_open_fd_borrows_descriptor(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	o->fd = open(o->path, O_RDONLY);
	assert_true(o->fd >= 0);
	assert_int_equal(vw_open_fd(&o->v[0], o->fd, VW_RDONLY, &o->err), 0);
	vw_release(&o->v[0]);
	/* still ours: not closed by open nor by release */
	assert_true(fcntl(o->fd, F_GETFD) >= 0);
}

static void test_open_fd_view_survives_close_of_descriptor(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	o->fd = open(o->path, O_RDONLY);
	assert_true(o->fd >= 0);
	assert_int_equal(vw_open_fd(&o->v[0], o->fd, VW_RDONLY, &o->err), 0);
	close(o->fd);
	o->fd = -1;
	assert_memory_equal(o->v[0].buf, "abc", 3);
	assert_int_equal(o->v[0].len, 3);
}

static void test_open_fd_negative_descriptor_is_ebadf(void **state)
{
	struct ofx *o = *state;

	assert_int_equal(vw_open_fd(&o->v[0], -1, VW_RDONLY, &o->err), -EBADF);
}

static void test_open_fd_closed_descriptor_is_ebadf(void **state)
{
	struct ofx *o = *state;
	int fd;

	write_file(o->path, "abc", 3);
	fd = open(o->path, O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vw_open_fd(&o->v[0], fd, VW_RDONLY, &o->err), -EBADF);
}

static void test_open_fd_rdwr_on_readonly_descriptor_is_eacces(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	o->fd = open(o->path, O_RDONLY);
	assert_true(o->fd >= 0);
	/* mmap(PROT_WRITE, MAP_SHARED) of an O_RDONLY fd fails with EACCES */
	assert_int_equal(vw_open_fd(&o->v[0], o->fd, VW_RDWR, &o->err),
			 -EACCES);
}

static void test_open_xattr_format_and_shape_give_typed_view(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	/* memoryview(bytes(16)).cast('i', [2, 2]): strides (8, 4) */
	ssize_t shape[] = { 2, 2 }, strides[] = { 8, 4 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "i");
	set_xattr_or_skip(o->path, "user.view.shape", "2,2");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "i");
	assert_geometry(&o->v[0], 2, shape, strides, 4);
}

static void test_open_xattr_format_only_gives_1d_typed_view(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	ssize_t shape[] = { 8 }, strides[] = { 2 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "h");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "h");
	assert_geometry(&o->v[0], 1, shape, strides, 2);
}

static void test_open_xattr_shape_only_gives_B_view_of_that_shape(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	ssize_t shape[] = { 4, 4 }, strides[] = { 4, 1 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.shape", "4,4");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "B");
	assert_geometry(&o->v[0], 2, shape, strides, 1);
}

static void test_open_xattr_shape_smaller_than_file_covers_prefix(void **state)
{
	struct ofx *o = *state;
	unsigned char data[10] = { 1, 0, 2, 0, 3, 0, 4, 0, 5, 0 };
	ssize_t shape[] = { 3 }, strides[] = { 2 };
	ssize_t i0[] = { 2 };
	struct vw_value val;

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "<h");
	set_xattr_or_skip(o->path, "user.view.shape", "3");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_geometry(&o->v[0], 1, shape, strides, 2);
	assert_int_equal(vw_get(&o->v[0], i0, &val, &o->err), 0);
	assert_int_equal(val.type, VW_V_INT);
	assert_int_equal(val.i, 3);
}

static void test_open_nometa_ignores_xattrs(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	ssize_t shape[] = { 16 }, strides[] = { 1 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "i");
	set_xattr_or_skip(o->path, "user.view.shape", "2,2");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY | VW_NOMETA,
				 &o->err), 0);
	assert_string_equal(o->v[0].format, "B");
	assert_geometry(&o->v[0], 1, shape, strides, 1);
}

static void test_open_xattr_shape_larger_than_file_is_einval(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "i");
	set_xattr_or_skip(o->path, "user.view.shape", "5");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err),
			 -EINVAL);
	assert_false(vw_is_valid(&o->v[0]));
}

static void test_open_xattr_bad_format_is_einval(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "ii");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err),
			 -EINVAL);
}

static void test_open_fd_reads_xattrs(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	ssize_t shape[] = { 2 }, strides[] = { 8 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "d");
	o->fd = open(o->path, O_RDONLY);
	assert_true(o->fd >= 0);
	assert_int_equal(vw_open_fd(&o->v[0], o->fd, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "d");
	assert_geometry(&o->v[0], 1, shape, strides, 8);
}

static void test_open_other_user_xattrs_ignored(void **state)
{
	struct ofx *o = *state;
	unsigned char data[4] = { 0 };
	ssize_t shape[] = { 4 }, strides[] = { 1 };

	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.comment", "d");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_geometry(&o->v[0], 1, shape, strides, 1);
}

/* ---- vw_from_memory and release callbacks ---- */

struct cb_count {
	int calls;
	void *ptr;
	size_t len;
};

static void count_release(void *ptr, size_t len, void *arg)
{
	struct cb_count *c = arg;

	c->calls++;
	c->ptr = ptr;
	c->len = len;
}

static void test_from_memory_gives_1d_B_view(void **state)
{
	struct ofx *o = *state;
	char mem[7] = "abcdef";
	ssize_t shape[] = { 7 }, strides[] = { 1 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 7, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_ptr_equal(o->v[0].buf, mem);
	assert_string_equal(o->v[0].format, "B");
	assert_int_equal(o->v[0].readonly, 0);
	assert_geometry(&o->v[0], 1, shape, strides, 1);
	vw_release(&o->v[0]);
}

static void test_from_memory_rdonly_is_readonly(void **state)
{
	struct ofx *o = *state;
	char mem[4] = "abc";

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, VW_RDONLY, NULL,
					NULL, &o->err), 0);
	assert_int_equal(o->v[0].readonly, 1);
	vw_release(&o->v[0]);
}

static void test_from_memory_null_ptr_with_length_refused(void **state)
{
	struct ofx *o = *state;

	assert_int_equal(vw_from_memory(&o->v[0], NULL, 4, VW_RDONLY, NULL,
					NULL, &o->err), -EINVAL);
	assert_false(vw_is_valid(&o->v[0]));
}

static void test_from_memory_null_ptr_zero_length_is_empty_view(void **state)
{
	struct ofx *o = *state;
	ssize_t shape[] = { 0 }, strides[] = { 1 };

	assert_int_equal(vw_from_memory(&o->v[0], NULL, 0, VW_RDONLY, NULL,
					NULL, &o->err), 0);
	assert_geometry(&o->v[0], 1, shape, strides, 1);
}

static void test_from_memory_bad_flags_refused(void **state)
{
	struct ofx *o = *state;
	char mem[4];

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, 0x40, NULL, NULL,
					&o->err), -EINVAL);
}

/* ---- vw_from_strided: a Py_buffer's layout over caller memory ---- */

static void test_from_strided_keeps_format_shape_and_negative_strides(void **state)
{
	struct ofx *o = *state;
	static int32_t mem[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	ssize_t shape[] = { 3, 2 }, strides[] = { -16, 8 };
	struct vw_value val;
	ssize_t idx[] = { 0, 1 };

	/* element [0,0] is mem[8]: rows 8,4,0 backwards, every other column */
	assert_int_equal(vw_from_strided(&o->v[0], &mem[8], "<i", 2, shape,
					 strides, VW_RDONLY, NULL, NULL,
					 &o->err), 0);
	assert_string_equal(o->v[0].format, "<i");
	assert_int_equal(o->v[0].itemsize, 4);
	assert_int_equal(o->v[0].len, 24);
	assert_int_equal(o->v[0].readonly, 1);
	assert_int_equal(o->v[0].strides[0], -16);
	assert_int_equal(vw_get(&o->v[0], idx, &val, &o->err), 0);
	assert_int_equal(val.i, 10);
	idx[0] = 2;
	assert_int_equal(vw_get(&o->v[0], idx, &val, &o->err), 0);
	assert_int_equal(val.i, 2);
}

static void test_from_strided_null_format_is_B_and_0d_allowed(void **state)
{
	struct ofx *o = *state;
	static unsigned char mem[1] = { 7 };
	struct vw_value val;

	assert_int_equal(vw_from_strided(&o->v[0], mem, NULL, 0, NULL, NULL,
					 VW_RDWR, NULL, NULL, &o->err), 0);
	assert_string_equal(o->v[0].format, "B");
	assert_int_equal(o->v[0].ndim, 0);
	assert_int_equal(o->v[0].len, 1);
	assert_int_equal(vw_get(&o->v[0], NULL, &val, &o->err), 0);
	assert_int_equal(val.i, 7);
}

static void test_from_strided_refuses_bad_arguments(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	ssize_t shape[] = { 2 }, neg[] = { -1 }, strides[] = { 1 };
	ssize_t huge[] = { SSIZE_MAX / 2 }, big[] = { 4 };

	assert_int_equal(vw_from_strided(&o->v[0], NULL, "B", 1, shape, strides,
					 VW_RDONLY, NULL, NULL, &o->err), -EINVAL);
	assert_int_equal(vw_from_strided(&o->v[0], mem, "Zd", 1, shape, strides,
					 VW_RDONLY, NULL, NULL, &o->err), -EINVAL);
	assert_int_equal(vw_from_strided(&o->v[0], mem, "B", 1, neg, strides,
					 VW_RDONLY, NULL, NULL, &o->err), -EINVAL);
	assert_int_equal(vw_from_strided(&o->v[0], mem, "B", VW_MAXDIM + 1,
					 shape, strides, VW_RDONLY, NULL, NULL,
					 &o->err), -EINVAL);
	assert_int_equal(vw_from_strided(&o->v[0], mem, "B", 1, shape, strides,
					 0x40, NULL, NULL, &o->err), -EINVAL);
	/* (n - 1) * stride overflows ssize_t */
	assert_int_equal(vw_from_strided(&o->v[0], mem, "B", 1, huge, big,
					 VW_RDONLY, NULL, NULL, &o->err), -EINVAL);
	assert_false(vw_is_valid(&o->v[0]));
}

static void test_from_strided_release_callback_gets_buf_after_last_view(void **state)
{
	struct ofx *o = *state;
	static char mem[16];
	struct cb_count c = { 0 };
	ssize_t shape[] = { 4 }, strides[] = { -4 };

	assert_int_equal(vw_from_strided(&o->v[0], mem + 12, "i", 1, shape,
					 strides, VW_RDWR, count_release, &c,
					 &o->err), 0);
	assert_int_equal(vw_transpose(&o->v[1], &o->v[0], NULL, 0, &o->err), 0);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 0);
	vw_release(&o->v[1]);
	assert_int_equal(c.calls, 1);
	assert_ptr_equal(c.ptr, mem + 12);
}

static void test_release_callback_runs_once_parent_released_first(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	struct cb_count c = { 0 };
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 2 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR,
					count_release, &c, &o->err), 0);
	assert_int_equal(vw_slice(&o->v[1], &o->v[0], &ix, 1, &o->err), 0);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 0);
	assert_memory_equal(o->v[1].buf, mem + 2, 6);	/* child still usable */
	vw_release(&o->v[1]);
	assert_int_equal(c.calls, 1);
	vw_release(&o->v[1]);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 1);
}

static void test_release_callback_runs_once_child_released_first(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	struct cb_count c = { 0 };
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 2 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR,
					count_release, &c, &o->err), 0);
	assert_int_equal(vw_slice(&o->v[1], &o->v[0], &ix, 1, &o->err), 0);
	vw_release(&o->v[1]);
	assert_int_equal(c.calls, 0);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 1);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 1);
}

static void test_release_callback_gets_ptr_and_len(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	struct cb_count c = { 0 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR,
					count_release, &c, &o->err), 0);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 1);
	assert_ptr_equal(c.ptr, mem);
	assert_int_equal(c.len, 8);
}

static void test_release_callback_waits_for_dup(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	struct cb_count c = { 0 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR,
					count_release, &c, &o->err), 0);
	assert_int_equal(vw_dup(&o->v[1], &o->v[0], &o->err), 0);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 0);
	vw_release(&o->v[1]);
	assert_int_equal(c.calls, 1);
}

static void test_release_marks_view_released(void **state)
{
	struct ofx *o = *state;
	char mem[4];

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_true(vw_is_valid(&o->v[0]));
	vw_release(&o->v[0]);
	assert_false(vw_is_valid(&o->v[0]));
	assert_null(o->v[0].map);
	assert_int_equal(vw_map_refs(&o->v[0]), 0);
}

static void test_release_zeroed_view_is_harmless(void **state)
{
	struct vw_view z;

	(void)state;
	memset(&z, 0, sizeof(z));
	vw_release(&z);
	assert_false(vw_is_valid(&z));
	assert_int_equal(vw_map_refs(&z), 0);
}

static void test_dup_takes_own_reference(void **state)
{
	struct ofx *o = *state;
	char mem[4] = "abc";

	assert_int_equal(vw_from_memory(&o->v[0], mem, 4, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_dup(&o->v[1], &o->v[0], &o->err), 0);
	assert_int_equal(vw_map_refs(&o->v[0]), 2);
	vw_release(&o->v[0]);
	assert_true(vw_is_valid(&o->v[1]));
	assert_int_equal(vw_map_refs(&o->v[1]), 1);
	assert_memory_equal(o->v[1].buf, "abc", 4);
	vw_release(&o->v[1]);
}

static void test_dup_copies_geometry(void **state)
{
	struct ofx *o = *state;
	char mem[12] = { 0 };
	ssize_t shape[] = { 3 }, strides[] = { 4 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 12, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_cast(&o->v[1], &o->v[0], "i", 0, NULL, &o->err), 0);
	assert_int_equal(vw_dup(&o->v[2], &o->v[1], &o->err), 0);
	assert_string_equal(o->v[2].format, "i");
	assert_ptr_equal(o->v[2].buf, o->v[1].buf);
	assert_geometry(&o->v[2], 1, shape, strides, 4);
}

static void test_map_refs_counts_every_derived_view(void **state)
{
	struct ofx *o = *state;
	char mem[8] = { 0 };
	struct vw_index ix = { .is_slice = 1 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_slice(&o->v[1], &o->v[0], &ix, 1, &o->err), 0);
	assert_int_equal(vw_cast(&o->v[2], &o->v[1], "h", 0, NULL, &o->err), 0);
	assert_int_equal(vw_toreadonly(&o->v[3], &o->v[2], &o->err), 0);
	assert_int_equal(vw_map_refs(&o->v[0]), 4);
	assert_int_equal(vw_map_refs(&o->v[3]), 4);
	vw_release(&o->v[1]);
	vw_release(&o->v[2]);
	assert_int_equal(vw_map_refs(&o->v[0]), 2);
}

static void test_derive_into_itself_keeps_reference_count(void **state)
{
	struct ofx *o = *state;
	char mem[8] = { 0 };
	struct vw_index ix = { .is_slice = 1, .has_start = 1, .start = 1 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_slice(&o->v[0], &o->v[0], &ix, 1, &o->err), 0);
	assert_int_equal(vw_map_refs(&o->v[0]), 1);
	assert_int_equal(o->v[0].shape[0], 7);
	assert_ptr_equal(o->v[0].buf, mem + 1);
}

static void test_failed_derivation_leaves_destination_untouched(void **state)
{
	struct ofx *o = *state;
	char mem[8] = { 0 };
	struct vw_index ix = { .is_slice = 0, .has_start = 1, .start = 99 };
	struct vw_view before;

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_dup(&o->v[1], &o->v[0], &o->err), 0);
	before = o->v[1];
	assert_int_equal(vw_slice(&o->v[1], &o->v[0], &ix, 1, &o->err),
			 -ERANGE);
	assert_memory_equal(&o->v[1], &before, sizeof(before));
	assert_int_equal(vw_map_refs(&o->v[0]), 2);
}

static void test_failed_self_derivation_keeps_view_valid(void **state)
{
	struct ofx *o = *state;
	char mem[8] = { 0 };

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_cast(&o->v[0], &o->v[0], "d", 0, NULL, &o->err), 0);
	/* 'd' -> 'i' is not allowed (two non-byte formats) */
	assert_int_equal(vw_cast(&o->v[0], &o->v[0], "i", 0, NULL, &o->err),
			 -EINVAL);
	assert_true(vw_is_valid(&o->v[0]));
	assert_string_equal(o->v[0].format, "d");
	assert_int_equal(vw_map_refs(&o->v[0]), 1);
}

/* ---- vw_apply_meta ---- */

static void mem16(struct ofx *o, unsigned char *mem)
{
	assert_int_equal(vw_from_memory(&o->v[0], mem, 16, VW_RDWR, NULL, NULL,
					&o->err), 0);
}

static void test_apply_meta_without_meta_keeps_B_view(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];
	ssize_t shape[] = { 16 }, strides[] = { 1 };

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], NULL, NULL,
				       &o->err), 0);
	assert_string_equal(o->v[1].format, "B");
	assert_geometry(&o->v[1], 1, shape, strides, 1);
	assert_ptr_equal(o->v[1].buf, mem);
}

static void test_apply_meta_format_casts_whole_view(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];
	ssize_t shape[] = { 4 }, strides[] = { 4 };

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "f", NULL,
				       &o->err), 0);
	assert_string_equal(o->v[1].format, "f");
	assert_geometry(&o->v[1], 1, shape, strides, 4);
}

static void test_apply_meta_format_and_shape_reshape_prefix(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];
	ssize_t shape[] = { 3, 2 }, strides[] = { 4, 2 };

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "H", "3,2",
				       &o->err), 0);
	assert_string_equal(o->v[1].format, "H");
	assert_geometry(&o->v[1], 2, shape, strides, 2);
	assert_ptr_equal(o->v[1].buf, mem);
}

static void test_apply_meta_empty_strings_mean_not_set(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];
	ssize_t shape[] = { 2 }, strides[] = { 8 };
	ssize_t bshape[] = { 16 }, bstrides[] = { 1 };

	/* header: NULL and "" both mean "not set" */
	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "d", "", &o->err),
			 0);
	assert_geometry(&o->v[1], 1, shape, strides, 8);
	assert_int_equal(vw_apply_meta(&o->v[2], &o->v[0], "", "", &o->err),
			 0);
	assert_string_equal(o->v[2].format, "B");
	assert_geometry(&o->v[2], 1, bshape, bstrides, 1);
}

static void test_apply_meta_bad_format_refused(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "q2", NULL,
				       &o->err), -EINVAL);
	assert_false(vw_is_valid(&o->v[1]));
}

static void test_apply_meta_bad_shape_refused(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "B", "4,,4",
				       &o->err), -EINVAL);
}

static void test_apply_meta_shape_larger_than_view_refused(void **state)
{
	struct ofx *o = *state;
	unsigned char mem[16];

	mem16(o, mem);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "i", "5",
				       &o->err), -EINVAL);
}

/* ---- released and zeroed views refuse use ---- */

static void released(struct ofx *o)
{
	static char mem[16];

	assert_int_equal(vw_from_memory(&o->v[0], mem, 16, VW_RDWR, NULL, NULL,
					&o->err), 0);
	assert_int_equal(vw_from_memory(&o->v[1], mem, 16, VW_RDWR, NULL, NULL,
					&o->err), 0);
	vw_release(&o->v[0]);
}

#define REFUSES(name, expr) \
static void test_released_view_refuses_##name(void **state) \
{ \
	struct ofx *o = *state; \
	struct vw_view *r = &o->v[0], *ok = &o->v[1], *d = &o->v[2]; \
	ssize_t i0[] = { 0 }; \
	struct vw_value val = val_int(1); \
	struct vw_index ix = { .is_slice = 1 }; \
	char buf[16]; \
	struct capture c; \
	int rc; \
	(void)r; (void)ok; (void)d; (void)i0; (void)val; (void)ix; (void)buf; \
	released(o); \
	capture_open(&c); \
	rc = (expr); \
	capture_free(&c); \
	assert_int_equal(rc, -EINVAL); \
	assert_false(vw_is_valid(d)); \
}

REFUSES(dup, vw_dup(d, r, &o->err))
REFUSES(cast, vw_cast(d, r, "b", 0, NULL, &o->err))
REFUSES(slice, vw_slice(d, r, &ix, 1, &o->err))
REFUSES(transpose, vw_transpose(d, r, NULL, 1, &o->err))
REFUSES(reshape, vw_reshape(d, r, 1, (ssize_t[]){ 16 }, &o->err))
REFUSES(toreadonly, vw_toreadonly(d, r, &o->err))
REFUSES(apply_meta, vw_apply_meta(d, r, "B", NULL, &o->err))
REFUSES(get, vw_get(r, i0, &val, &o->err))
REFUSES(set, vw_set(r, i0, &val, &o->err))
REFUSES(tobytes, vw_tobytes(r, 'C', buf, sizeof(buf), &o->err))
REFUSES(frombytes, vw_frombytes(r, buf, 16, &o->err))
REFUSES(copy_to_as_source, vw_copy_to(ok, r, &o->err))
REFUSES(copy_to_as_destination, vw_copy_to(r, ok, &o->err))
REFUSES(fill, vw_fill(r, &val, &o->err))
REFUSES(equal, vw_equal(r, ok, &o->err))
REFUSES(equal_with_itself, vw_equal(r, r, &o->err))
REFUSES(tolist, vw_tolist(r, c.f, &o->err))
REFUSES(hex, vw_hex(r, 0, 0, c.f, &o->err))
REFUSES(info_json, vw_info_json(r, c.f, &o->err))

static void test_released_view_refuses_assign(void **state)
{
	struct ofx *o = *state;
	struct vw_literal lit;

	released(o);
	assert_int_equal(vw_literal_parse("1", &lit, &o->err), 0);
	assert_int_equal(vw_assign(&o->v[0], &lit, &o->err), -EINVAL);
	vw_literal_free(&lit);
}

static void test_released_view_is_not_contiguous(void **state)
{
	struct ofx *o = *state;

	released(o);
	assert_int_equal(vw_c_contiguous(&o->v[0]), 0);
	assert_int_equal(vw_f_contiguous(&o->v[0]), 0);
	assert_int_equal(vw_contiguous(&o->v[0]), 0);
}

static void test_released_view_writes_nothing_to_stream(void **state)
{
	struct ofx *o = *state;
	struct capture c;

	released(o);
	capture_open(&c);
	assert_int_equal(vw_tolist(&o->v[0], c.f, &o->err), -EINVAL);
	assert_string_equal(capture_text(&c), "");
	capture_free(&c);
}

static void test_zeroed_view_refuses_use(void **state)
{
	struct ofx *o = *state;
	struct vw_view z;
	ssize_t i0[] = { 0 };
	struct vw_value val;

	memset(&z, 0, sizeof(z));
	assert_int_equal(vw_dup(&o->v[1], &z, &o->err), -EINVAL);
	assert_int_equal(vw_get(&z, i0, &val, &o->err), -EINVAL);
	assert_int_equal(vw_toreadonly(&o->v[1], &z, &o->err), -EINVAL);
	assert_int_equal(o->err.code, -EINVAL);
}

static void test_open_sees_later_writes_to_the_file(void **state)
{
	struct ofx *o = *state;
	int fd;

	write_file(o->path, "abcd", 4);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	fd = open(o->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "Z", 1, 1), 1);
	close(fd);
	/* MAP_SHARED: the page cache is the mapping */
	assert_memory_equal(o->v[0].buf, "aZcd", 4);
}

static void test_open_fd_write_only_descriptor_is_eacces(void **state)
{
	struct ofx *o = *state;

	write_file(o->path, "abc", 3);
	o->fd = open(o->path, O_WRONLY);
	assert_true(o->fd >= 0);
	/* mmap(PROT_READ) of an O_WRONLY fd fails with EACCES */
	assert_int_equal(vw_open_fd(&o->v[0], o->fd, VW_RDONLY, &o->err),
			 -EACCES);
}

static void test_open_rdwr_nometa_is_writable_bytes(void **state)
{
	struct ofx *o = *state;
	ssize_t shape[] = { 3 }, strides[] = { 1 };

	write_file(o->path, "abc", 3);
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDWR | VW_NOMETA,
				 &o->err), 0);
	assert_int_equal(o->v[0].readonly, 0);
	assert_geometry(&o->v[0], 1, shape, strides, 1);
}

struct race {
	struct vw_view *base;
	int failures;
};

static void *dup_release_loop(void *arg)
{
	struct race *r = arg;
	struct vw_view v;
	int i;

	for (i = 0; i < 20000; i++) {
		if (vw_dup(&v, r->base, NULL) != 0) {
			r->failures++;
			continue;
		}
		vw_release(&v);
	}
	return NULL;
}

static void test_refcount_exact_under_concurrent_dup_release(void **state)
{
	struct ofx *o = *state;
	static char mem[8];
	struct cb_count c = { 0 };
	struct race r[4];
	pthread_t t[4];
	int i;

	assert_int_equal(vw_from_memory(&o->v[0], mem, 8, VW_RDWR,
					count_release, &c, &o->err), 0);
	for (i = 0; i < 4; i++) {
		r[i].base = &o->v[0];
		r[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, dup_release_loop,
						&r[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].failures, 0);
	}
	assert_int_equal(c.calls, 0);
	assert_int_equal(vw_map_refs(&o->v[0]), 1);
	vw_release(&o->v[0]);
	assert_int_equal(c.calls, 1);
}

/* References taken while the process may still have one thread (counts
 * then updated without atomic read-modify-writes, view.h "Threads") and
 * dropped after other threads started, and the other way round, stay
 * exact.  Run in a fresh process (exec of this test alone: it starts with
 * one thread), and then here. */
static void *hold_and_drop(void *arg)
{
	struct vw_view *held = arg;

	for (int i = 0; i < 64; i++)
		vw_release(&held[i]);
	return NULL;
}

static int refs_across_thread_start(void)
{
	static char mem[8];
	struct cb_count c = { 0 };
	struct vw_view base, held[64];
	struct race r[2];
	pthread_t t[3];

	if (vw_from_memory(&base, mem, 8, VW_RDWR, count_release, &c, NULL))
		return 1;
	for (int i = 0; i < 64; i++)
		if (vw_dup(&held[i], &base, NULL))
			return 2;
	if (vw_map_refs(&base) != 65)
		return 3;
	/* threads start: held[] is dropped by one of them, while two more
	 * take and drop references */
	for (int i = 0; i < 2; i++) {
		r[i].base = &base;
		r[i].failures = 0;
		if (pthread_create(&t[i], NULL, dup_release_loop, &r[i]))
			return 4;
	}
	if (pthread_create(&t[2], NULL, hold_and_drop, held))
		return 4;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	if (r[0].failures || r[1].failures)
		return 5;
	if (vw_map_refs(&base) != 1 || c.calls != 0)
		return 6;
	vw_release(&base);
	return c.calls == 1 ? 0 : 7;
}

static void test_refcount_exact_across_first_thread_start(void **state)
{
	char *argv[] = { "/proc/self/exe",
			 "test_refcount_exact_across_first_thread_start", NULL };
	int st;
	pid_t pid;

	(void)state;
	if (getenv("VW_REFS_CHILD")) {
		/* a fresh process running only this test: one thread */
#if defined(__GLIBC__) && __has_include(<sys/single_threaded.h>)
		if (!__libc_single_threaded)
			_exit(10);
#endif
		_exit(refs_across_thread_start());
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		setenv("VW_REFS_CHILD", "1", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* and in this process, which may have started threads already */
	assert_int_equal(refs_across_thread_start(), 0);
}

static void test_open_empty_xattr_counts_as_absent(void **state)
{
	struct ofx *o = *state;
	unsigned char data[16] = { 0 };
	ssize_t shape[] = { 8 }, strides[] = { 2 };

	/* header: an attribute that exists but is empty counts as absent */
	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "h");
	if (setxattr(o->path, "user.view.shape", "", 0, 0) != 0)
		fail_msg("setxattr empty: %s", strerror(errno));
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_string_equal(o->v[0].format, "h");
	assert_geometry(&o->v[0], 1, shape, strides, 2);
}

static void test_open_xattr_format_not_dividing_size_is_einval(void **state)
{
	struct ofx *o = *state;
	unsigned char data[25] = { 0 };

	/* 25 bytes of 'd': an error, not a silently truncated 3-item view */
	write_file(o->path, data, sizeof(data));
	set_xattr_or_skip(o->path, "user.view.format", "d");
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err),
			 -EINVAL);
	assert_int_equal(o->err.code, -EINVAL);
	assert_false(vw_is_valid(&o->v[0]));
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY | VW_NOMETA,
				 &o->err), 0);
}

static void test_apply_meta_zero_dimension_overflow_is_einval(void **state)
{
	struct ofx *o = *state;
	unsigned char data[24] = { 0 };

	write_file(o->path, data, sizeof(data));
	assert_int_equal(vw_open(&o->v[0], o->path, VW_RDONLY, &o->err), 0);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "<f",
				       "0,9223372036854775807", &o->err),
			 -EINVAL);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "i",
				       "0,4611686018427387904,4", &o->err),
			 -EINVAL);
	assert_int_equal(vw_apply_meta(&o->v[1], &o->v[0], "d", NULL,
				       &o->err), 0);
	assert_int_equal(o->v[1].shape[0], 3);
}

static const struct CMUnitTest tests[] = {
	TO(test_open_regular_file_gives_1d_B_view_of_every_byte),
	TO(test_open_rdonly_view_is_readonly),
	TO(test_open_rdwr_view_is_writable),
	TO(test_open_rdwr_write_reaches_file),
	TO(test_open_rdonly_refuses_set_with_erofs),
	TO(test_open_empty_file_gives_shape_zero),
	TO(test_open_nonexistent_path_is_enoent),
	TO(test_open_error_message_names_the_path),
	TO(test_open_failure_leaves_destination_untouched),
	TO(test_open_bad_flags_refused),
	TO(test_open_directory_refused),
	TO(test_open_holds_one_reference),
	TO(test_open_fd_borrows_descriptor),
	TO(test_open_fd_view_survives_close_of_descriptor),
	TO(test_open_fd_negative_descriptor_is_ebadf),
	TO(test_open_fd_closed_descriptor_is_ebadf),
	TO(test_open_fd_rdwr_on_readonly_descriptor_is_eacces),
	TO(test_open_xattr_format_and_shape_give_typed_view),
	TO(test_open_xattr_format_only_gives_1d_typed_view),
	TO(test_open_xattr_shape_only_gives_B_view_of_that_shape),
	TO(test_open_xattr_shape_smaller_than_file_covers_prefix),
	TO(test_open_nometa_ignores_xattrs),
	TO(test_open_xattr_shape_larger_than_file_is_einval),
	TO(test_open_xattr_bad_format_is_einval),
	TO(test_open_xattr_format_not_dividing_size_is_einval),
	TO(test_apply_meta_zero_dimension_overflow_is_einval),
	TO(test_open_fd_reads_xattrs),
	TO(test_open_other_user_xattrs_ignored),
	TO(test_from_memory_gives_1d_B_view),
	TO(test_from_memory_rdonly_is_readonly),
	TO(test_from_memory_null_ptr_with_length_refused),
	TO(test_from_memory_null_ptr_zero_length_is_empty_view),
	TO(test_from_memory_bad_flags_refused),
	TO(test_from_strided_keeps_format_shape_and_negative_strides),
	TO(test_from_strided_null_format_is_B_and_0d_allowed),
	TO(test_from_strided_refuses_bad_arguments),
	TO(test_from_strided_release_callback_gets_buf_after_last_view),
	TO(test_release_callback_runs_once_parent_released_first),
	TO(test_release_callback_runs_once_child_released_first),
	TO(test_release_callback_gets_ptr_and_len),
	TO(test_release_callback_waits_for_dup),
	TO(test_release_marks_view_released),
	TO(test_release_zeroed_view_is_harmless),
	TO(test_dup_takes_own_reference),
	TO(test_dup_copies_geometry),
	TO(test_map_refs_counts_every_derived_view),
	TO(test_derive_into_itself_keeps_reference_count),
	TO(test_failed_derivation_leaves_destination_untouched),
	TO(test_failed_self_derivation_keeps_view_valid),
	TO(test_apply_meta_without_meta_keeps_B_view),
	TO(test_apply_meta_format_casts_whole_view),
	TO(test_apply_meta_format_and_shape_reshape_prefix),
	TO(test_apply_meta_empty_strings_mean_not_set),
	TO(test_apply_meta_bad_format_refused),
	TO(test_apply_meta_bad_shape_refused),
	TO(test_apply_meta_shape_larger_than_view_refused),
	TO(test_released_view_refuses_dup),
	TO(test_released_view_refuses_cast),
	TO(test_released_view_refuses_slice),
	TO(test_released_view_refuses_transpose),
	TO(test_released_view_refuses_reshape),
	TO(test_released_view_refuses_toreadonly),
	TO(test_released_view_refuses_apply_meta),
	TO(test_released_view_refuses_get),
	TO(test_released_view_refuses_set),
	TO(test_released_view_refuses_tobytes),
	TO(test_released_view_refuses_frombytes),
	TO(test_released_view_refuses_copy_to_as_source),
	TO(test_released_view_refuses_copy_to_as_destination),
	TO(test_released_view_refuses_fill),
	TO(test_released_view_refuses_equal),
	TO(test_released_view_refuses_equal_with_itself),
	TO(test_released_view_refuses_tolist),
	TO(test_released_view_refuses_hex),
	TO(test_released_view_refuses_info_json),
	TO(test_released_view_refuses_assign),
	TO(test_released_view_is_not_contiguous),
	TO(test_released_view_writes_nothing_to_stream),
	TO(test_zeroed_view_refuses_use),
	TO(test_open_sees_later_writes_to_the_file),
	TO(test_open_fd_write_only_descriptor_is_eacces),
	TO(test_open_rdwr_nometa_is_writable_bytes),
	TO(test_refcount_exact_under_concurrent_dup_release),
	TO(test_refcount_exact_across_first_thread_start),
	TO(test_open_empty_xattr_counts_as_absent),
};

UNIT_MAIN(tests)
