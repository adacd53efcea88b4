/*
 * vmbench - the viewdev rows of `make bench`, run inside the QEMU VM by
 * bench/vm.sh (linked static: the initramfs holds only busybox and this).
 *
 *   vmbench SIZE_MIB REPS RAND_OPS TMPFS_DIR [TMPFS_HUGE_DIR]
 *
 * Creates /dev/view/vmbench (SIZE_MIB, through the ioctl of
 * kmod/include/uapi/viewdev.h) and two files of the same size in
 * TMPFS_DIR (the reference, and a second one as the control that shows
 * the noise of the run), fills them with the same non-zero bytes, then
 * for each repetition runs every test on the three subjects, one after the
 * other (interleaved, so a slow moment hits all; which one goes first
 * rotates between repetitions):
 *
 *   seqread        read() of the whole file in 1 MiB blocks        MiB/s
 *   randread       RAND_OPS pread() of 4 KiB at random 4 KiB offsets IOPS
 *   mmap-seqread   fresh MAP_SHARED mapping, memcpy 1 MiB at a time  MiB/s
 *   mmap-randread  fresh mapping, memcpy RAND_OPS 4 KiB blocks       IOPS
 *   mmap-touch     a fresh buffer (viewdev: created anew; tmpfs: a new
 *                  file, ftruncate'd), mapped, one byte stored into every
 *                  4 KiB page, unmapped; from the mmap (tmpfs: the
 *                  ftruncate) to the munmap                        MiB/s
 *
 * (the mmap tests map the file anew each time, as fio's mmap engine does,
 * so they pay the page faults).  One line per sample on stdout:
 *
 *   VMBENCH TEST SUBJECT UNIT VALUE REP
 *
 * SUBJECT is "viewdev", "tmpfs", "tmpfs-b" (the control) or, with
 * TMPFS_HUGE_DIR (a tmpfs mounted huge=within_size, as viewdev's own),
 * "tmpfs-huge".  Errors go to stderr as "VMBENCH-ERROR
 * ..." and the exit status is 1.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../kmod/include/uapi/viewdev.h"

#define NAME "vmbench"
#define BIG (1 << 20)
#define SMALL 4096

static char *blk;
static volatile unsigned long sink;

static void die(const char *what)
{
	fprintf(stderr, "VMBENCH-ERROR %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill(int fd, size_t size)
{
	size_t off;
	ssize_t n;

	for (off = 0; off < size; off += BIG) {
		memset(blk, (int)(off / BIG) | 1, BIG);
		n = pwrite(fd, blk, BIG, off);
		if (n != BIG)
			die("fill: pwrite");
	}
}

static double t_seqread(int fd, size_t size)
{
	double t = now();
	size_t off = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek");
	while (off < size) {
		n = read(fd, blk, BIG);
		if (n <= 0)
			die("read");
		sink += (unsigned char)blk[0];
		off += n;
	}
	return size / (double)BIG / (now() - t);
}

static double t_randread(int fd, size_t size, long ops)
{
	size_t pages = size / SMALL;
	double t;
	long i;

	rng = 88172645463325252ULL;
	t = now();
	for (i = 0; i < ops; i++) {
		if (pread(fd, blk, SMALL, (next() % pages) * SMALL) != SMALL)
			die("pread");
		sink += (unsigned char)blk[0];
	}
	return ops / (now() - t);
}

static double t_mmap(int fd, size_t size, long ops)
{
	size_t pages = size / SMALL, off;
	double t = now(), r;
	char *p;
	long i;

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (ops == 0) {
		for (off = 0; off < size; off += BIG) {
			memcpy(blk, p + off, BIG);
			sink += (unsigned char)blk[0];
		}
	} else {
		rng = 88172645463325252ULL;
		for (i = 0; i < ops; i++) {
			memcpy(blk, p + (next() % pages) * SMALL, SMALL);
			sink += (unsigned char)blk[0];
		}
	}
	munmap(p, size);
	t = now() - t;
	r = ops == 0 ? size / (double)BIG / t : ops / t;
	return r;
}

/* The mmap-touch test: one byte into every page of a fresh mapping;
 * MiB/s from t (now() before the buffer was sized or mapped). */
static double touch_map(int fd, size_t size, double t)
{
	char *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (size_t off = 0; off < size; off += SMALL)
		p[off] = (char)(off / SMALL) | 1;
	munmap(p, size);
	return size / (double)BIG / (now() - t);
}

static int open_node(const char *name)
{
	char path[128];
	int fd = -1;

	snprintf(path, sizeof(path), VIEWDEV_DIR "/%s", name);
	for (int i = 0; i < 50 && fd < 0; i++) {	/* devtmpfs node appears async */
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0)
		die(path);
	return fd;
}

/* mmap-touch on subject s: a fresh viewdev buffer, or a fresh file in dir. */
static double t_touch(int ctl, int s, const char *dir, size_t size)
{
	struct viewdev_create c;
	struct viewdev_name d;
	char path[4096];
	double t, r;
	int fd;

	if (s == 0) {
		memset(&c, 0, sizeof(c));
		c.size = size;
		strcpy(c.name, NAME "-t");
		if (ioctl(ctl, VIEWDEV_IOC_CREATE, &c) != 0)
			die("VIEWDEV_IOC_CREATE (touch)");
		fd = open_node(NAME "-t");
		r = touch_map(fd, size, now());
		close(fd);
		memset(&d, 0, sizeof(d));
		strcpy(d.name, NAME "-t");
		if (ioctl(ctl, VIEWDEV_IOC_DESTROY, &d) != 0)
			die("VIEWDEV_IOC_DESTROY (touch)");
		return r;
	}
	snprintf(path, sizeof(path), "%s/vmbench-touch.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(path);
	t = now();
	if (ftruncate(fd, size) != 0)
		die("ftruncate");
	r = touch_map(fd, size, t);	/* the ftruncate counts */
	close(fd);
	unlink(path);
	return r;
}

int main(int argc, char **argv)
{
	struct viewdev_create c;
	struct viewdev_name d;
	const char *subj[4] = { "viewdev", "tmpfs", "tmpfs-b", "tmpfs-huge" };
	const char *dir[4];
	char path[4][4096];
	int fd[4], ctl, rep, reps, s, i, n;
	size_t size;
	long ops;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: vmbench SIZE_MIB REPS RAND_OPS TMPFS_DIR [TMPFS_HUGE_DIR]\n");
		return 2;
	}
	n = argc == 6 ? 4 : 3;
	dir[0] = NULL;
	dir[1] = dir[2] = argv[4];
	dir[3] = argc == 6 ? argv[5] : NULL;
	size = (size_t)atol(argv[1]) << 20;
	reps = atoi(argv[2]);
	ops = atol(argv[3]);
	blk = aligned_alloc(4096, BIG);
	if (!blk || !size || reps < 1 || ops < 1) {
		fprintf(stderr, "VMBENCH-ERROR bad arguments\n");
		return 2;
	}

	ctl = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die(VIEWDEV_CTL_PATH);
	memset(&c, 0, sizeof(c));
	c.size = size;
	strcpy(c.name, NAME);
	if (ioctl(ctl, VIEWDEV_IOC_CREATE, &c) != 0)
		die("VIEWDEV_IOC_CREATE");
	fd[0] = -1;
	for (s = 0; s < 50 && fd[0] < 0; s++) {	/* devtmpfs node appears async */
		fd[0] = open(VIEWDEV_DIR "/" NAME, O_RDWR | O_CLOEXEC);
		if (fd[0] < 0)
			usleep(100000);
	}
	if (fd[0] < 0)
		die(VIEWDEV_DIR "/" NAME);
	for (s = 1; s < n; s++) {
		snprintf(path[s], sizeof(path[s]), "%s/vmbench-%s.dat", dir[s], subj[s]);
		fd[s] = open(path[s], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd[s] < 0)
			die(path[s]);
		if (ftruncate(fd[s], size) != 0)
			die("ftruncate");
	}
	for (s = 0; s < n; s++)
		fill(fd[s], size);

	for (rep = 1; rep <= reps; rep++) {
		/* the subject that goes first rotates with the repetition */
		for (i = 0; i < n; i++) {
			s = (i + rep - 1) % n;
			printf("VMBENCH seqread %s MiB/s %.2f %d\n", subj[s],
			       t_seqread(fd[s], size), rep);
		}
		for (i = 0; i < n; i++) {
			s = (i + rep - 1) % n;
			printf("VMBENCH randread %s IOPS %.0f %d\n", subj[s],
			       t_randread(fd[s], size, ops), rep);
		}
		for (i = 0; i < n; i++) {
			s = (i + rep - 1) % n;
			printf("VMBENCH mmap-seqread %s MiB/s %.2f %d\n", subj[s],
			       t_mmap(fd[s], size, 0), rep);
		}
		for (i = 0; i < n; i++) {
			s = (i + rep - 1) % n;
			printf("VMBENCH mmap-randread %s IOPS %.0f %d\n", subj[s],
			       t_mmap(fd[s], size, ops), rep);
		}
		for (i = 0; i < n; i++) {
			s = (i + rep - 1) % n;
			printf("VMBENCH mmap-touch %s MiB/s %.2f %d\n", subj[s],
			       t_touch(ctl, s, dir[s], size), rep);
		}
		fflush(stdout);
	}

	for (s = 0; s < n; s++)
		close(fd[s]);
	for (s = 1; s < n; s++)
		unlink(path[s]);
	memset(&d, 0, sizeof(d));
	strcpy(d.name, NAME);
	if (ioctl(ctl, VIEWDEV_IOC_DESTROY, &d) != 0)
		die("VIEWDEV_IOC_DESTROY");
	printf("VMBENCH-DONE\n");
	return 0;
}
