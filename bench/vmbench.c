/*
 * vmbench - the viewdev rows of `make bench`, run inside the QEMU VM by
 * bench/vm.sh (linked static: the initramfs holds only busybox and this).
 *
 *   vmbench SIZE_MIB REPS RAND_OPS TMPFS_DIR
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
 *
 * (the mmap tests map the file anew each time, as fio's mmap engine does,
 * so they pay the page faults).  One line per sample on stdout:
 *
 *   VMBENCH TEST SUBJECT UNIT VALUE REP
 *
 * SUBJECT is "viewdev", "tmpfs" or "tmpfs-b" (the control).  Errors go to stderr as "VMBENCH-ERROR
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

int main(int argc, char **argv)
{
	struct viewdev_create c;
	struct viewdev_name d;
	const char *subj[3] = { "viewdev", "tmpfs", "tmpfs-b" };
	char path[3][4096];
	int fd[3], ctl, rep, reps, s, i;
	size_t size;
	long ops;

	if (argc != 5) {
		fprintf(stderr, "usage: vmbench SIZE_MIB REPS RAND_OPS TMPFS_DIR\n");
		return 2;
	}
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
	for (s = 1; s < 3; s++) {
		snprintf(path[s], sizeof(path[s]), "%s/vmbench-%s.dat", argv[4], subj[s]);
		fd[s] = open(path[s], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd[s] < 0)
			die(path[s]);
		if (ftruncate(fd[s], size) != 0)
			die("ftruncate");
	}
	for (s = 0; s < 3; s++)
		fill(fd[s], size);

	for (rep = 1; rep <= reps; rep++) {
		/* the subject that goes first rotates with the repetition */
		for (i = 0; i < 3; i++) {
			s = (i + rep - 1) % 3;
			printf("VMBENCH seqread %s MiB/s %.2f %d\n", subj[s],
			       t_seqread(fd[s], size), rep);
		}
		for (i = 0; i < 3; i++) {
			s = (i + rep - 1) % 3;
			printf("VMBENCH randread %s IOPS %.0f %d\n", subj[s],
			       t_randread(fd[s], size, ops), rep);
		}
		for (i = 0; i < 3; i++) {
			s = (i + rep - 1) % 3;
			printf("VMBENCH mmap-seqread %s MiB/s %.2f %d\n", subj[s],
			       t_mmap(fd[s], size, 0), rep);
		}
		for (i = 0; i < 3; i++) {
			s = (i + rep - 1) % 3;
			printf("VMBENCH mmap-randread %s IOPS %.0f %d\n", subj[s],
			       t_mmap(fd[s], size, ops), rep);
		}
		fflush(stdout);
	}

	for (s = 0; s < 3; s++)
		close(fd[s]);
	unlink(path[1]);
	unlink(path[2]);
	memset(&d, 0, sizeof(d));
	strcpy(d.name, NAME);
	if (ioctl(ctl, VIEWDEV_IOC_DESTROY, &d) != 0)
		die("VIEWDEV_IOC_DESTROY");
	printf("VMBENCH-DONE\n");
	return 0;
}
