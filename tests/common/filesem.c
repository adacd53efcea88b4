/* SPDX-License-Identifier: MIT */
/*
 * filesem — POSIX file semantics of ONE buffer file, for any backend:
 * a file on a viewfs mount, or a viewdev node /dev/view/NAME.
 *
 *   filesem [--no-truncate] [--no-append] PATH
 *
 * PATH must exist, be writable, and may be overwritten (its content is
 * destroyed).  With --no-truncate the file's size is taken as fixed (a
 * device node) and must be >= 64 KiB; otherwise the tests resize it.
 * Each check prints "ok NAME" or "not ok NAME: why"; the last line is
 * "N passed, N failed".  Exit 0 when all pass, 1 otherwise, 2 on usage.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUFSZ (64 * 1024)

static const char *path;
static int can_truncate = 1, can_append = 1;
static int npass, nfail;
static char why[256];

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); return 1; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

static void run(const char *name, int (*fn)(void))
{
	why[0] = '\0';
	if (fn() == 0) {
		npass++;
		printf("ok %s\n", name);
	} else {
		nfail++;
		printf("not ok %s: %s\n", name, why);
	}
	fflush(stdout);
}

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

static off_t size_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_size;
	return lseek(fd, 0, SEEK_END);
}

/* Open PATH read-write with the buffer at BUFSZ bytes (where resizable). */
static int open_sized(void)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return -1;
	if (can_truncate && ftruncate(fd, BUFSZ) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int t_write_read(void)
{
	static unsigned char a[BUFSZ], b[BUFSZ];
	int fd = open_sized();

	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	pattern(a, BUFSZ, 1);
	CHECK(write(fd, a, BUFSZ) == BUFSZ, "write: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek SET 0");
	CHECK(read(fd, b, BUFSZ) == BUFSZ, "read: %s", strerror(errno));
	close(fd);
	CHECK(!memcmp(a, b, BUFSZ), "read back differs from written bytes");
	return 0;
}

static int t_pread_pwrite(void)
{
	unsigned char a[1000], b[1000];
	int fd = open_sized();

	CHECK(fd >= 0, "open: %s", strerror(errno));
	pattern(a, sizeof(a), 2);
	CHECK(pwrite(fd, a, sizeof(a), 12345) == (ssize_t)sizeof(a), "pwrite: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_CUR) == 0, "pwrite moved the file offset");
	CHECK(pread(fd, b, sizeof(b), 12345) == (ssize_t)sizeof(b), "pread: %s", strerror(errno));
	CHECK(!memcmp(a, b, sizeof(a)), "pread differs from pwrite at 12345");
	/* unaligned single bytes around it untouched by later writes */
	CHECK(pwrite(fd, "Z", 1, 12344) == 1, "pwrite 1 byte");
	CHECK(pread(fd, b, 2, 12344) == 2 && b[0] == 'Z' && b[1] == a[0],
	      "byte at 12344/12345 wrong after 1-byte pwrite");
	close(fd);
	return 0;
}

static int t_seek_end(void)
{
	int fd = open_sized();
	off_t sz;
	char c;

	CHECK(fd >= 0, "open: %s", strerror(errno));
	sz = size_of(fd);
	CHECK(sz >= BUFSZ, "size %lld < %d", (long long)sz, BUFSZ);
	CHECK(lseek(fd, 0, SEEK_END) == sz, "SEEK_END != size %lld", (long long)sz);
	CHECK(lseek(fd, -1, SEEK_END) == sz - 1, "SEEK_END -1");
	CHECK(read(fd, &c, 1) == 1, "read last byte: %s", strerror(errno));
	CHECK(read(fd, &c, 1) == 0, "read at EOF did not return 0");
	close(fd);
	return 0;
}

static int t_mmap_coherent(void)
{
	unsigned char a[4096], b[4096];
	unsigned char *m;
	int fd = open_sized();

	CHECK(fd >= 0, "open: %s", strerror(errno));
	m = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	/* store through the mapping, see it with read() */
	pattern(m + 8192, 4096, 3);
	pattern(a, 4096, 3);
	CHECK(pread(fd, b, 4096, 8192) == 4096, "pread: %s", strerror(errno));
	CHECK(!memcmp(a, b, 4096), "read() does not see a store through mmap");
	/* write(), see it in the mapping */
	pattern(a, 4096, 4);
	CHECK(pwrite(fd, a, 4096, 16384 + 100) == 4096, "pwrite: %s", strerror(errno));
	CHECK(!memcmp(m + 16384 + 100, a, 4096), "mapping does not see write()");
	/* a second mapping of the same file is the same memory */
	{
		unsigned char *m2 = mmap(NULL, BUFSZ, PROT_READ, MAP_SHARED, fd, 0);

		CHECK(m2 != MAP_FAILED, "second mmap: %s", strerror(errno));
		m[5] = 0xA5;
		CHECK(m2[5] == 0xA5, "second mapping does not see the first");
		munmap(m2, BUFSZ);
	}
	CHECK(msync(m, BUFSZ, MS_SYNC) == 0, "msync: %s", strerror(errno));
	munmap(m, BUFSZ);
	close(fd);
	return 0;
}

/* Two processes map the buffer; each sees the other's stores. */
static int t_two_processes(void)
{
	int fd = open_sized(), st;
	volatile unsigned char *m;
	int p2c[2], c2p[2];
	pid_t pid;
	char tok;

	CHECK(fd >= 0, "open: %s", strerror(errno));
	m = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	m[100] = 0;
	m[200] = 0;
	CHECK(pipe(p2c) == 0 && pipe(c2p) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* the child opens and maps the file by its own */
		int cfd = open(path, O_RDWR);
		volatile unsigned char *cm;
		unsigned char b;
		int ok = 1;

		cm = cfd < 0 ? MAP_FAILED :
		     mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (cm == MAP_FAILED)
			_exit(3);
		if (read(p2c[0], &tok, 1) != 1)
			_exit(4);
		ok &= cm[100] == 0x11;		/* parent's mmap store */
		ok &= pread(cfd, &b, 1, 100) == 1 && b == 0x11;
		cm[200] = 0x22;			/* child's store */
		b = 0x33;
		ok &= pwrite(cfd, &b, 1, 300) == 1;
		if (write(c2p[1], "x", 1) != 1)
			_exit(5);
		_exit(ok ? 0 : 1);
	}
	m[100] = 0x11;
	CHECK(write(p2c[1], "x", 1) == 1, "pipe write");
	CHECK(read(c2p[0], &tok, 1) == 1, "child did not answer");
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child did not see the parent's store (status %d)", st);
	CHECK(m[200] == 0x22, "parent mapping does not see the child's mmap store");
	CHECK(m[300] == 0x33, "parent mapping does not see the child's pwrite");
	munmap((void *)m, BUFSZ);
	close(fd);
	close(p2c[0]); close(p2c[1]); close(c2p[0]); close(c2p[1]);
	return 0;
}

static int t_ftruncate(void)
{
	unsigned char b[4096], z[4096] = { 0 };
	int fd = open_sized();
	struct stat st;

	CHECK(fd >= 0, "open: %s", strerror(errno));
	memset(b, 0x7f, sizeof(b));
	CHECK(pwrite(fd, b, 4096, 0) == 4096, "pwrite");
	CHECK(ftruncate(fd, 100) == 0, "shrink to 100: %s", strerror(errno));
	CHECK(fstat(fd, &st) == 0 && st.st_size == 100, "size after shrink %lld",
	      (long long)st.st_size);
	CHECK(pread(fd, b, 4096, 0) == 100, "read after shrink not 100 bytes");
	CHECK(ftruncate(fd, 8192) == 0, "grow to 8192: %s", strerror(errno));
	CHECK(pread(fd, b, 4096, 100) == 4096, "read grown part");
	CHECK(!memcmp(b, z, 4096), "grown part not zero-filled (old bytes came back)");
	close(fd);
	return 0;
}

#define SIGBUS_EXIT 42

static void on_sigbus(int sig)
{
	(void)sig;
	_exit(SIGBUS_EXIT);	/* sanitizers would report it as a crash */
}

static int t_mmap_past_eof_sigbus(void)
{
	int fd = open_sized(), st;
	pid_t pid;

	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK(ftruncate(fd, 4096) == 0, "ftruncate 4096");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		volatile char *m = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);

		if (m == MAP_FAILED)
			_exit(3);
		signal(SIGBUS, on_sigbus);
		(void)m[2 * 4096];	/* past the end: SIGBUS */
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	close(fd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == SIGBUS_EXIT,
	      "access past EOF in a mapping gave status %d, not SIGBUS", st);
	return 0;
}

static int t_append(void)
{
	int fd = open_sized();
	char b[4];

	CHECK(fd >= 0, "open: %s", strerror(errno));
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0, "open O_APPEND: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	CHECK(write(fd, "tail", 4) == 4, "append write: %s", strerror(errno));
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "reopen");
	CHECK(size_of(fd) == BUFSZ + 4, "size after append %lld", (long long)size_of(fd));
	CHECK(pread(fd, b, 4, BUFSZ) == 4 && !memcmp(b, "tail", 4), "appended bytes wrong");
	close(fd);
	return 0;
}

static int t_otrunc(void)
{
	int fd = open_sized();
	struct stat st;

	CHECK(fd >= 0, "open: %s", strerror(errno));
	close(fd);
	fd = open(path, O_RDWR | O_TRUNC);
	CHECK(fd >= 0, "open O_TRUNC: %s", strerror(errno));
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "size after O_TRUNC %lld",
	      (long long)st.st_size);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--no-truncate"))
			can_truncate = 0;
		else if (!strcmp(argv[i], "--no-append"))
			can_append = 0;
		else {
			fprintf(stderr, "filesem: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: filesem [--no-truncate] [--no-append] PATH\n");
		return 2;
	}
	path = argv[i];
	run("write_read_roundtrip", t_write_read);
	run("pread_pwrite_offsets", t_pread_pwrite);
	run("lseek_seek_end", t_seek_end);
	run("mmap_shared_coherent_with_read_write", t_mmap_coherent);
	run("two_processes_see_each_others_stores", t_two_processes);
	if (can_truncate) {
		run("ftruncate_shrink_then_grow_zero_fills", t_ftruncate);
		run("mmap_past_eof_sigbus", t_mmap_past_eof_sigbus);
		run("open_o_trunc_empties", t_otrunc);
	}
	if (can_truncate && can_append)
		run("o_append_writes_at_end", t_append);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
