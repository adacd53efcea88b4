/* SPDX-License-Identifier: MIT */
/*
 * viewfs seals: the rules are libview's (view.h, "Seals"); this file keeps
 * them for the daemon.  A file's seals live in its store object as the
 * attribute user.view.seals itself, always in vw_seals_format's text, so
 * they survive a restart on --store, hard links share them and rename
 * keeps them, and getxattr/listxattr show them with no translation; only
 * setxattr (which adds, xattr.c) and removexattr (EPERM) are ours.  The
 * inode caches them (vwfs_inode.seals) once read.
 *
 * Every decision is taken under the inode's lock, with what it decides
 * about: an open for writing is counted (vwfs_inode.nwriters) under the
 * same lock as its check (file.c, attach_file), so a seal that needs no
 * writers and an open that needs no seal cannot both succeed.
 *
 * Grow seal: with kernel passthrough (and with the writeback cache) a
 * write past the end never reaches the daemon, so viewfs keeps the grow
 * seal as it keeps the write seal: no open for writing is allowed once it
 * is set, and it is refused (EBUSY) while one exists.  The same on both
 * data paths, so a file's behaviour does not depend on how it is served.
 * The checks of write, fallocate and copy_file_range below can then only
 * see an unsealed file; they stay as the last line.
 */
#include "viewfs.h"
#include "view.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* vwfs_inode.seals: VW_SEAL_* bits, and this once read from the store. */
#define SEALS_KNOWN 0x80000000u
/* Seals that no open for writing may coexist with (see above). */
#define SEALS_NO_WRITERS (VW_SEAL_WRITE | VW_SEAL_GROW)
/* How long an add waits for writers the kernel is releasing: RELEASE is
 * sent in the background after the last close (or munmap), so a sealer
 * that has just closed its writable descriptor would otherwise race it. */
#define RELEASE_WAIT_MS 250

/* The text of the attribute, from a descriptor (not O_PATH) or a path. */
static int read_seals(int fd, const char *path, unsigned *seals)
{
	char text[VW_SEALS_TEXT_MAX];
	ssize_t n = fd >= 0 ? fgetxattr(fd, VW_SEALS_XATTR, text, sizeof(text)) :
			      getxattr(path, VW_SEALS_XATTR, text, sizeof(text));

	if (n < 0 && (errno == ENODATA || errno == ENOTSUP)) {
		*seals = 0;
		return 0;
	}
	if (n < 0)
		return errno == ERANGE ? -EIO : -errno;
	/* a value viewfs did not write (the store edited by hand): fail closed */
	return vw_seals_parse(text, (size_t)n, seals) ? -EIO : 0;
}

int vwfs_seals_get(struct vwfs *fs, struct vwfs_inode *in, int fd,
		   unsigned *seals)
{
	unsigned now = atomic_load(&in->seals);
	char path[64];
	int ifd, ret;

	if (now & SEALS_KNOWN) {
		*seals = now & VW_SEAL_ALL;
		return 0;
	}
	if (in->type != S_IFREG) {
		*seals = 0;
		return 0;
	}
	if (fd >= 0) {
		ret = read_seals(fd, NULL, seals);
	} else {
		ifd = vwfs_inode_fd(fs, in, O_PATH);
		ret = ifd < 0 ? ifd : vwfs_proc_path(ifd, path, sizeof(path));
		if (!ret)
			ret = read_seals(-1, path, seals);
		vwfs_inode_fd_done(in, ifd);
	}
	if (!ret)
		atomic_store(&in->seals, *seals | SEALS_KNOWN);
	return ret;
}

unsigned vwfs_seals_now(const struct vwfs_inode *in)
{
	return atomic_load(&in->seals) & VW_SEAL_ALL;
}

int vwfs_seals_check_open(struct vwfs *fs, struct vwfs_inode *in, int fd,
			  int flags)
{
	int writable = (flags & O_ACCMODE) != O_RDONLY;
	unsigned seals;
	struct stat st;
	int ret;

	if (!writable && !(flags & O_TRUNC))
		return 0;
	ret = vwfs_seals_get(fs, in, fd, &seals);
	if (ret)
		return ret;
	if (seals & VW_SEAL_WRITE)
		return -EPERM;
	if (writable && (seals & SEALS_NO_WRITERS))
		return -EPERM;
	if ((flags & O_TRUNC) && (seals & VW_SEAL_SHRINK)) {
		if (fstat(fd, &st) < 0)
			return -errno;
		if (st.st_size > 0)
			return -EPERM;
	}
	return 0;
}

int vwfs_seals_check_size(struct vwfs *fs, struct vwfs_inode *in, int fd,
			  off_t size)
{
	unsigned seals;
	struct stat st;
	int ret, ifd = -1;

	ret = vwfs_seals_get(fs, in, fd, &seals);
	if (ret || !seals)
		return ret;
	if (seals & VW_SEAL_WRITE)
		return -EPERM;
	if (fd < 0) {
		ifd = vwfs_inode_fd(fs, in, O_PATH);
		if (ifd < 0)
			return ifd;
	}
	ret = fstatat(fd >= 0 ? fd : ifd, "", &st, AT_EMPTY_PATH) < 0 ? -errno : 0;
	vwfs_inode_fd_done(in, ifd);
	if (ret)
		return ret;
	if ((size < st.st_size && (seals & VW_SEAL_SHRINK)) ||
	    (size > st.st_size && (seals & VW_SEAL_GROW)))
		return -EPERM;
	return 0;
}

int vwfs_seals_check_write(struct vwfs_inode *in, int fd, off_t off, off_t len,
			   int grows)
{
	unsigned seals = vwfs_seals_now(in);
	struct stat st;

	if (seals & VW_SEAL_WRITE)
		return -EPERM;
	if (!(seals & VW_SEAL_GROW) || !grows)
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	return off + len > st.st_size ? -EPERM : 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };

	nanosleep(&ts, NULL);
}

int vwfs_seals_add(struct vwfs *fs, struct vwfs_inode *in, const char *path,
		   const char *value, size_t size, uid_t uid)
{
	char text[VW_SEALS_TEXT_MAX];
	unsigned add, cur, next;
	struct stat st;
	int ret, waited;

	if (vw_seals_parse(value, size, &add)) {
		vwfs_log_xattr(fs, uid, in, VW_SEALS_XATTR, value, size,
			      "expected a comma-separated list of write, shrink, grow (EINVAL)");
		return -EINVAL;
	}
	if (in->type != S_IFREG)
		return -EINVAL;	/* seals keep a buffer's bytes */
	if (stat(path, &st) < 0)
		return -errno;
	if (uid != 0 && uid != st.st_uid)
		return -EPERM;
	/* Read the seals again after each wait: another add may have run
	 * while the lock was dropped. */
	for (waited = 0;; waited += 2) {
		ret = vwfs_seals_get(fs, in, -1, &cur);
		if (ret)
			return ret;
		next = cur | add;
		if (next == cur)
			return 0;
		if (!((next & ~cur & SEALS_NO_WRITERS) && in->nwriters > 0))
			break;
		if (waited >= RELEASE_WAIT_MS)
			return -EBUSY;
		pthread_mutex_unlock(&in->lock);
		sleep_ms(2);
		pthread_mutex_lock(&in->lock);
	}
	ret = vw_seals_format(next, text, sizeof(text));
	if (ret < 0)
		return ret;
	ret = vwfs_space_setxattr(fs, in, path, VW_SEALS_XATTR, text, (size_t)ret,
				  0, uid);
	if (!ret)
		atomic_store(&in->seals, next | SEALS_KNOWN);
	return ret;
}
