/*
 * meta_ops - small-file metadata rate: create + write + close + unlink.
 *
 *   meta_ops DIR SECONDS [BYTES]
 *
 * Repeats, for SECONDS, open(O_CREAT|O_EXCL|O_WRONLY) of a fresh name in
 * DIR, one write of BYTES (default 4096), close and unlink, and prints the
 * rate as one number: files per second.  Every failure is fatal (exit 1,
 * message on stderr), so a broken file system never reports a rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int one_file(const char *dir, long i, const char *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/m%ld", dir, i);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0) {
		fprintf(stderr, "meta_ops: create %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (write(fd, data, len) != (ssize_t)len) {
		fprintf(stderr, "meta_ops: write %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0 || unlink(path) < 0) {
		fprintf(stderr, "meta_ops: close/unlink %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double seconds, t0, t;
	size_t len = 4096;
	char *data;
	long n = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: meta_ops DIR SECONDS [BYTES]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	if (argc == 4)
		len = strtoul(argv[3], NULL, 0);
	data = malloc(len ? len : 1);
	if (!data)
		return 1;
	memset(data, 'x', len);
	t0 = now();
	do {
		/* Check the clock every 64 files: clock_gettime is cheap but not free. */
		for (int k = 0; k < 64; k++, n++)
			if (one_file(argv[1], n, data, len) < 0)
				return 1;
		t = now() - t0;
	} while (t < seconds);
	printf("%.1f\n", n / t);
	free(data);
	return 0;
}
