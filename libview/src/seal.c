/* SPDX-License-Identifier: MIT */
/*
 * Seals of a buffer (view.h, "Seals", holds the rules): vw_seal_add and
 * vw_seals dispatch on what the descriptor is (a viewdev node, a memfd, a
 * file on viewfs), and the one parser and printer of the viewfs attribute
 * text, which the daemon (fuse/xattr.c) and the CLI use too.  Nothing here
 * keeps state or owns a descriptor: fd is always the caller's.
 */
#include "view.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "uapi/viewdev.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* The three seals have the same values everywhere (seals.md). */
_Static_assert(VW_SEAL_SHRINK == F_SEAL_SHRINK && VW_SEAL_GROW == F_SEAL_GROW &&
	       VW_SEAL_WRITE == F_SEAL_WRITE, "VW_SEAL_* are memfd's F_SEAL_*");
_Static_assert(VW_SEAL_SHRINK == VIEWDEV_SEAL_SHRINK &&
	       VW_SEAL_GROW == VIEWDEV_SEAL_GROW &&
	       VW_SEAL_WRITE == VIEWDEV_SEAL_WRITE, "VW_SEAL_* are viewdev's");

/* The words of the attribute, in the order vw_seals_format prints them. */
static const struct {
	const char *word;
	unsigned bit;
} seal_words[] = {
	{ "write", VW_SEAL_WRITE },
	{ "shrink", VW_SEAL_SHRINK },
	{ "grow", VW_SEAL_GROW },
};
#define NWORDS (sizeof(seal_words) / sizeof(seal_words[0]))

_Static_assert(sizeof("write,shrink,grow") <= VW_SEALS_TEXT_MAX,
	       "VW_SEALS_TEXT_MAX holds the longest text");

/* The bit of the word [w, w+n), or 0 for no word. */
static unsigned seal_bit(const char *w, size_t n)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (strlen(seal_words[i].word) == n && !memcmp(seal_words[i].word, w, n))
			return seal_words[i].bit;
	return 0;
}

VW_PUBLIC int vw_seals_parse(const char *text, size_t len, unsigned *seals)
{
	unsigned got = 0;
	size_t i = 0;

	if (!text || !seals || len == 0)
		return -EINVAL;
	for (;;) {
		const char *comma = memchr(text + i, ',', len - i);
		size_t n = comma ? (size_t)(comma - (text + i)) : len - i;
		unsigned bit = seal_bit(text + i, n);

		if (!bit || (got & bit))
			return -EINVAL;	/* unknown, empty or repeated word */
		got |= bit;
		if (!comma)
			break;
		i += n + 1;
	}
	*seals = got;
	return 0;
}

VW_PUBLIC int vw_seals_format(unsigned seals, char *buf, size_t size)
{
	size_t len = 0;

	if (seals & ~VW_SEAL_ALL)
		return -EINVAL;
	if (!buf || size == 0)
		return -ERANGE;
	buf[0] = '\0';
	for (size_t i = 0; i < NWORDS; i++) {
		size_t n = strlen(seal_words[i].word) + (len ? 1 : 0);

		if (!(seals & seal_words[i].bit))
			continue;
		if (len + n + 1 > size)
			return -ERANGE;
		snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			 seal_words[i].word);
		len += n;
	}
	return (int)len;
}

/* How fd's seals are reached. */
enum seal_kind { SEAL_NONE, SEAL_VIEWDEV, SEAL_MEMFD, SEAL_XATTR };

/*
 * 1 if fd is a file on a viewfs mount: FUSE by statfs, then the file
 * system type of fd's mount (mnt_id in /proc/self/fdinfo) in
 * /proc/self/mountinfo is fuse.viewfs.  0 otherwise (also without /proc).
 */
static int on_viewfs(int fd)
{
	char path[64], line[4096];
	struct statfs sfs;
	long mnt_id = -1;
	int found = 0;
	FILE *f;

	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != FUSE_SUPER_MAGIC)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %ld", &mnt_id) == 1)
			break;
	fclose(f);
	if (mnt_id < 0)
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		long id;

		if (sscanf(line, "%ld", &id) == 1 && id == mnt_id && sep)
			found = !strncmp(sep + 3, "fuse.viewfs ", 12);
	}
	fclose(f);
	return found;
}

/*
 * 1 if fd is a memfd.  F_GET_SEALS alone does not tell: it answers for
 * every shmem file (F_SEAL_SEAL on a plain tmpfs file); a memfd's
 * /proc/self/fd link reads "/memfd:NAME (deleted)".
 */
static int is_memfd(int fd)
{
	char path[64], link[16];
	ssize_t n;

	if (fcntl(fd, F_GET_SEALS) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link));
	return n >= 7 && !memcmp(link, "/memfd:", 7);
}

static int seal_kind(int fd, enum seal_kind *kind)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISCHR(st.st_mode))
		*kind = SEAL_VIEWDEV;
	else if (S_ISREG(st.st_mode) && is_memfd(fd))
		*kind = SEAL_MEMFD;
	else if (S_ISREG(st.st_mode) && on_viewfs(fd))
		*kind = SEAL_XATTR;
	else
		*kind = SEAL_NONE;
	return 0;
}

/* A viewdev ioctl's answer: a char device that is not viewdev says ENOTTY. */
static int viewdev_errno(int e)
{
	return e == ENOTTY ? -ENOTSUP : -e;
}

/*
 * F_ADD_SEALS wants a descriptor open for writing; a read-only one (as
 * `view seal` opens /proc/PID/fd/N) is reopened read-write for the call.
 * A writable descriptor is no writer for memfd's write seal (mappings are).
 */
static int memfd_add_seals(int fd, unsigned seals)
{
	int flags = fcntl(fd, F_GETFL), rw = fd, ret;
	char path[64];

	if (flags < 0)
		return -errno;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rw = open(path, O_RDWR | O_CLOEXEC);
		if (rw < 0)
			return -errno;
	}
	ret = fcntl(rw, F_ADD_SEALS, (int)seals) < 0 ? -errno : 0;
	if (rw != fd)
		close(rw);
	return ret;
}

VW_PUBLIC int vw_seal_add(int fd, unsigned seals)
{
	enum seal_kind kind;
	char text[VW_SEALS_TEXT_MAX];
	int ret;

	if (seals & ~VW_SEAL_ALL)
		return -EINVAL;
	ret = seal_kind(fd, &kind);
	if (ret)
		return ret;
	switch (kind) {
	case SEAL_VIEWDEV: {
		struct viewdev_seals s = { .flags = 0, .seals = seals };

		return ioctl(fd, VIEWDEV_IOC_ADD_SEALS, &s) < 0 ? viewdev_errno(errno) : 0;
	}
	case SEAL_MEMFD:
		return seals ? memfd_add_seals(fd, seals) : 0;
	case SEAL_XATTR:
		if (!seals)
			return 0;
		ret = vw_seals_format(seals, text, sizeof(text));
		if (ret < 0)
			return ret;
		return fsetxattr(fd, VW_SEALS_XATTR, text, (size_t)ret, 0) < 0 ?
		       -errno : 0;
	case SEAL_NONE:
		break;
	}
	return -ENOTSUP;
}

VW_PUBLIC int vw_seals(int fd, unsigned *seals)
{
	enum seal_kind kind;
	char text[VW_SEALS_TEXT_MAX];
	ssize_t n;
	int ret;

	if (!seals)
		return -EINVAL;
	ret = seal_kind(fd, &kind);
	if (ret)
		return ret;
	switch (kind) {
	case SEAL_VIEWDEV: {
		struct viewdev_seals s = { 0 };

		if (ioctl(fd, VIEWDEV_IOC_GET_SEALS, &s) < 0)
			return viewdev_errno(errno);
		*seals = s.seals & VW_SEAL_ALL;
		return 0;
	}
	case SEAL_MEMFD:
		ret = fcntl(fd, F_GET_SEALS);
		if (ret < 0)
			return -errno;
		*seals = (unsigned)ret & VW_SEAL_ALL;
		return 0;
	case SEAL_XATTR:
		n = fgetxattr(fd, VW_SEALS_XATTR, text, sizeof(text));
		if (n < 0 && errno == ENODATA) {
			*seals = 0;
			return 0;
		}
		if (n < 0)
			return errno == ERANGE ? -EINVAL : -errno;
		return vw_seals_parse(text, (size_t)n, seals);
	case SEAL_NONE:
		break;
	}
	return -ENOTSUP;
}
