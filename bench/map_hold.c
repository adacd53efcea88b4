/*
 * map_hold - map a whole file MAP_SHARED, touch every page, hold the map.
 *
 *   map_hold FILE
 *
 * Reads one byte of every page (so every page is faulted into this
 * process), prints "ready" on stdout, then holds the mapping until stdin
 * reaches end of file.  The memory benchmark runs two of these on one
 * buffer and reads /proc/meminfo while both hold their maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	volatile unsigned char sink = 0;
	unsigned char *p;
	struct stat st;
	char buf[64];
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: map_hold FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "map_hold: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "map_hold: mmap %s (%lld bytes): %s\n", argv[1],
			(long long)st.st_size, strerror(errno));
		return 1;
	}
	for (off_t off = 0; off < st.st_size; off += page)
		sink += p[off];
	printf("ready\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	munmap(p, st.st_size);
	close(fd);
	return 0;
}
