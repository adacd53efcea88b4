/*
 * map_touch - the "mmap" rows of `make bench` (issue 12 item 1: huge pages).
 *
 *   map_touch SIZE_MIB REPS RAND_OPS SUBJECT=DIR...
 *
 * For each repetition, and each subject in turn (which one goes first
 * rotates, so a slow moment of the shared machine hits all alike):
 *
 *   first-touch  create DIR/map_touch.dat, ftruncate it to SIZE_MIB (on a
 *                viewfs RAM store with reserve=on that allocates the pages),
 *                map it MAP_SHARED, store one byte into every 4 KiB page,
 *                unmap; MiB/s from the ftruncate to the munmap, so the
 *                page allocation is counted wherever it happens
 *   randread     a fresh mapping of the same (now filled) file, memcpy of
 *                RAND_OPS 4 KiB blocks at random 4 KiB offsets, unmap; IOPS
 *                (the fresh mapping pays its faults, as fio's mmap engine)
 *
 * then the file is removed.  Repetition 0 runs everything once unmeasured.
 * On this VM, memory the guest freed more than ~2 s ago is slow to touch
 * again: free page reporting (page_reporting_order 9) hands every free
 * 2 MiB block back to the host, which must fault it in anew, so one
 * subject's first touch ran at 0.6 or 6 GB/s depending on what it got.
 * Before each first-touch sample the tool therefore touches and frees
 * SIZE_MIB + 64 MiB of anonymous memory (2 MiB pages), so that every
 * subject allocates memory the host has just backed: the samples measure
 * the guest kernel's fault and allocation path, as on bare metal, not the
 * host's.  One sample a line on stdout, as
 * bench/run.sh's measure.jsonl wants, with the mapping's ShmemPmdMapped
 * (kB, from smaps, after the touch) as "pmd_kib".
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define MAXSUBJ 8

static volatile unsigned long sink;
static uint64_t rng;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "map_touch: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ShmemPmdMapped + FilePmdMapped (kB) of the mapping that starts at p. */
static long pmd_kib(const void *p)
{
	unsigned long lo, hi;
	char line[256];
	long sum = 0, v;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {	/* a mapping's header */
			in = lo == (unsigned long)p;
			continue;
		}
		if (in && (sscanf(line, "ShmemPmdMapped: %ld", &v) == 1 ||
			   sscanf(line, "FilePmdMapped: %ld", &v) == 1))
			sum += v;
	}
	fclose(f);
	return sum;
}

/* Touch and free size bytes of anonymous memory (see the top). */
static void prewarm(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	madvise(p, size, MADV_HUGEPAGE);
	for (size_t off = 0; off < size; off += PAGE)
		p[off] = 1;
	munmap(p, size);
}

static double first_touch(const char *path, size_t size, long *pmd)
{
	double t;
	char *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open", path);
	t = now();
	if (ftruncate(fd, (off_t)size) != 0)
		die("ftruncate", path);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", path);
	for (size_t off = 0; off < size; off += PAGE)
		p[off] = (char)(off / PAGE) | 1;
	t = now() - t;
	*pmd = pmd_kib(p);
	munmap(p, size);
	close(fd);
	return size / 1048576.0 / t;
}

static double rand_reads(const char *path, size_t size, long ops)
{
	static char blk[PAGE];
	size_t pages = size / PAGE;
	double t;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	rng = 88172645463325252ULL;
	t = now();
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", path);
	for (long i = 0; i < ops; i++) {
		memcpy(blk, p + (next() % pages) * PAGE, PAGE);
		sink += (unsigned char)blk[0];
	}
	munmap(p, size);
	t = now() - t;
	close(fd);
	return ops / t;
}

int main(int argc, char **argv)
{
	char path[MAXSUBJ][4096], *name[MAXSUBJ];
	int n = argc - 4, reps, rep, i, s;
	size_t size;
	long ops, pmd;
	double v;

	if (argc < 5 || n > MAXSUBJ) {
		fprintf(stderr, "usage: map_touch SIZE_MIB REPS RAND_OPS SUBJECT=DIR...\n");
		return 2;
	}
	size = (size_t)atol(argv[1]) << 20;
	reps = atoi(argv[2]);
	ops = atol(argv[3]);
	for (s = 0; s < n; s++) {
		char *eq = strchr(argv[4 + s], '=');

		if (!eq) {
			fprintf(stderr, "map_touch: %s: want SUBJECT=DIR\n", argv[4 + s]);
			return 2;
		}
		*eq = '\0';
		name[s] = argv[4 + s];
		snprintf(path[s], sizeof(path[s]), "%s/map_touch.dat", eq + 1);
	}
	for (rep = 0; rep <= reps; rep++) {
		for (i = 0; i < n; i++) {
			s = (i + rep) % n;
			prewarm(size + (64u << 20));
			v = first_touch(path[s], size, &pmd);
			if (rep)
				printf("{\"part\":\"mmap\",\"test\":\"first touch of each 4 KiB page\","
				       "\"subject\":\"%s\",\"unit\":\"MiB/s\",\"better\":\"higher\","
				       "\"value\":%.1f,\"pmd_kib\":%ld,\"size_mib\":%zu}\n",
				       name[s], v, pmd, size >> 20);
			v = rand_reads(path[s], size, ops);
			if (rep)
				printf("{\"part\":\"mmap\",\"test\":\"random 4 KiB reads, fresh mapping\","
				       "\"subject\":\"%s\",\"unit\":\"IOPS\",\"better\":\"higher\","
				       "\"value\":%.0f,\"size_mib\":%zu}\n", name[s], v, size >> 20);
			fflush(stdout);
			if (unlink(path[s]) != 0)
				die("unlink", path[s]);
		}
	}
	return 0;
}
