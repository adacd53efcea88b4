/* SPDX-License-Identifier: MIT */
/* Unit tests: seals (vw_seal_add, vw_seals, vw_seals_parse,
 * vw_seals_format) on what a unit test can make without a mount: memfds
 * (F_ADD_SEALS underneath), a plain tmpfs file and a char device that is
 * not viewdev (both -ENOTSUP).  viewfs is tested in tests/fs (seals.py),
 * viewdev in tests/vm. */
#include "unit_fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

static int parse(const char *s, unsigned *seals)
{
	return vw_seals_parse(s, strlen(s), seals);
}

static void test_parse_accepts_each_word_once_in_any_order(void **state)
{
	unsigned s = 99;

	(void)state;
	assert_int_equal(parse("write", &s), 0);
	assert_int_equal(s, VW_SEAL_WRITE);
	assert_int_equal(parse("grow,shrink", &s), 0);
	assert_int_equal(s, VW_SEAL_GROW | VW_SEAL_SHRINK);
	assert_int_equal(parse("shrink,grow,write", &s), 0);
	assert_int_equal(s, VW_SEAL_ALL);
	/* len bounds the text: no NUL needed */
	assert_int_equal(vw_seals_parse("growXYZ", 4, &s), 0);
	assert_int_equal(s, VW_SEAL_GROW);
}

static void test_parse_refuses_anything_else(void **state)
{
	static const char *bad[] = {
		"", "bogus", "write,write", "write ", " write", "WRITE", "write,",
		",write", "write,,grow", "seal", "wri", "writes", "shrink;grow",
	};
	unsigned s = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &s), -EINVAL);
		assert_int_equal(s, 99);	/* untouched */
	}
	assert_int_equal(vw_seals_parse("write\0", 6, &s), -EINVAL);
	assert_int_equal(vw_seals_parse(NULL, 0, &s), -EINVAL);
	assert_int_equal(vw_seals_parse("write", 5, NULL), -EINVAL);
}

static void test_format_fixed_order_and_bounds(void **state)
{
	char buf[VW_SEALS_TEXT_MAX];
	unsigned back;

	(void)state;
	assert_int_equal(vw_seals_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(vw_seals_format(VW_SEAL_ALL, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "write,shrink,grow");
	assert_int_equal(vw_seals_format(VW_SEAL_GROW | VW_SEAL_SHRINK, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "shrink,grow");
	for (unsigned s = 1; s <= VW_SEAL_ALL; s++) {
		if (s & ~VW_SEAL_ALL)
			continue;
		assert_true(vw_seals_format(s, buf, sizeof(buf)) > 0);
		assert_int_equal(parse(buf, &back), 0);	/* round trip */
		assert_int_equal(back, s);
	}
	assert_int_equal(vw_seals_format(0x1, buf, sizeof(buf)), -EINVAL);	/* F_SEAL_SEAL */
	assert_int_equal(vw_seals_format(0x10, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vw_seals_format(VW_SEAL_ALL, buf, 17), -ERANGE);
	assert_int_equal(vw_seals_format(VW_SEAL_WRITE, buf, 6), 5);
	assert_int_equal(vw_seals_format(VW_SEAL_WRITE, buf, 5), -ERANGE);
	assert_int_equal(vw_seals_format(0, buf, 0), -ERANGE);
}

static int sealable_memfd(size_t size)
{
	int fd = memfd_create("vw-seal", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static void test_memfd_seals_added_and_enforced(void **state)
{
	int fd = sealable_memfd(8192);
	unsigned s = 99;

	(void)state;
	assert_int_equal(vw_seals(fd, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(vw_seal_add(fd, 0), 0);
	assert_int_equal(vw_seal_add(fd, VW_SEAL_SHRINK | VW_SEAL_GROW), 0);
	assert_int_equal(vw_seals(fd, &s), 0);
	assert_int_equal(s, VW_SEAL_SHRINK | VW_SEAL_GROW);
	/* the kernel's seals, not a note beside them */
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 16384), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(vw_seal_add(fd, VW_SEAL_WRITE), 0);
	assert_int_equal(vw_seals(fd, &s), 0);
	assert_int_equal(s, VW_SEAL_ALL);
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EPERM);
	close(fd);
}

static void test_memfd_write_seal_busy_while_mapped_writable(void **state)
{
	int fd = sealable_memfd(4096);
	unsigned s = 99;
	void *p;

	(void)state;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(vw_seal_add(fd, VW_SEAL_WRITE), -EBUSY);
	assert_int_equal(vw_seals(fd, &s), 0);
	assert_int_equal(s, 0);	/* nothing changed */
	assert_int_equal(munmap(p, 4096), 0);
	assert_int_equal(vw_seal_add(fd, VW_SEAL_WRITE), 0);
	close(fd);
}

static void test_memfd_bad_bits_and_no_sealing(void **state)
{
	int fd = sealable_memfd(4096), nfd;
	unsigned s = 99;

	(void)state;
	assert_int_equal(vw_seal_add(fd, 0x1), -EINVAL);	/* F_SEAL_SEAL is not offered */
	assert_int_equal(vw_seal_add(fd, 0x10), -EINVAL);
	assert_int_equal(vw_seal_add(fd, VW_SEAL_ALL | 0x100), -EINVAL);
	assert_int_equal(vw_seals(fd, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(vw_seals(fd, NULL), -EINVAL);
	close(fd);
	/* a memfd made without MFD_ALLOW_SEALING: the kernel says EPERM */
	nfd = memfd_create("vw-noseal", MFD_CLOEXEC);
	assert_true(nfd >= 0);
	assert_int_equal(vw_seal_add(nfd, VW_SEAL_SHRINK), -EPERM);
	assert_int_equal(vw_seals(nfd, &s), 0);
	assert_int_equal(s, 0);	/* F_SEAL_SEAL is not reported */
	close(nfd);
}

static void test_plain_tmpfs_file_has_no_seals(void **state)
{
	char path[] = "/dev/shm/vw-seal-XXXXXX";
	int fd = mkstemp(path);
	unsigned s = 99;
	char buf[32];

	(void)state;
	if (fd < 0)
		skip();	/* no /dev/shm here */
	/* F_GET_SEALS answers on any shmem file; still not a memfd, and the
	 * xattr would bind nobody on tmpfs: refused, nothing stored */
	assert_int_equal(vw_seal_add(fd, VW_SEAL_WRITE), -ENOTSUP);
	assert_int_equal(vw_seals(fd, &s), -ENOTSUP);
	assert_int_equal(s, 99);
	assert_int_equal(fgetxattr(fd, VW_SEALS_XATTR, buf, sizeof(buf)), -1);
	assert_true(errno == ENODATA || errno == ENOTSUP);
	assert_int_equal(write(fd, "x", 1), 1);	/* and it stays writable */
	close(fd);
	unlink(path);
}

static void test_other_descriptors_refused(void **state)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), p[2];
	unsigned s = 99;

	(void)state;
	assert_true(null >= 0);
	assert_int_equal(vw_seal_add(null, VW_SEAL_WRITE), -ENOTSUP);	/* not viewdev */
	assert_int_equal(vw_seals(null, &s), -ENOTSUP);
	close(null);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(vw_seal_add(p[0], VW_SEAL_SHRINK), -ENOTSUP);
	assert_int_equal(vw_seals(p[1], &s), -ENOTSUP);
	close(p[0]);
	close(p[1]);
	assert_int_equal(vw_seal_add(-1, VW_SEAL_SHRINK), -EBADF);
	assert_int_equal(vw_seals(-1, &s), -EBADF);
	assert_int_equal(s, 99);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_parse_accepts_each_word_once_in_any_order),
	cmocka_unit_test(test_parse_refuses_anything_else),
	cmocka_unit_test(test_format_fixed_order_and_bounds),
	cmocka_unit_test(test_memfd_seals_added_and_enforced),
	cmocka_unit_test(test_memfd_write_seal_busy_while_mapped_writable),
	cmocka_unit_test(test_memfd_bad_bits_and_no_sealing),
	cmocka_unit_test(test_plain_tmpfs_file_has_no_seals),
	cmocka_unit_test(test_other_descriptors_refused),
};

UNIT_MAIN(tests)
