/* SPDX-License-Identifier: MIT */
/*
 * viewfs: how an inode reaches its store object (see the comment at the
 * top of inode.c for why).
 *
 * Handle mode (a root daemon, the normal shared deployment): an inode
 * holds the object's file handle (name_to_handle_at, some 20 bytes on
 * tmpfs) and no descriptor; each operation opens the object by handle
 * (open_by_handle_at against the store root) for its own length.  The
 * daemon's descriptor count is then a handful plus its open files, however
 * many inodes the kernel caches, and the daemon keeps nothing of a deleted
 * object alive: its space is free when unlink returns.
 *
 * Descriptor mode (fallback): an inode keeps an O_PATH descriptor, as
 * before.  Used for every inode when the store's file system has no
 * handles or the daemon may not open them (an unprivileged daemon: the
 * kernel wants CAP_DAC_READ_SEARCH in the initial user namespace), and for
 * single objects whose handle cannot be used (another mount inside a
 * --store DIR).
 *
 * Directories in handle mode also keep an O_PATH descriptor, for as long
 * as the kernel caches them and up to fs->dir_fds_max of them: every name
 * operation (lookup, create, unlink, getattr of the parent after each
 * change) starts from its directory, and reopening that by handle was one
 * open_by_handle_at and one close per request, 6 of the 8 requests of a
 * create+write+close+unlink.  Bounded, so no user can fill the descriptor
 * table with directories; a removed directory kept this way holds no data
 * (it is empty), and its handle still tells a reused inode number apart.
 *
 * Either way, an inode with open files reaches its object through one of
 * their descriptors: that works for a file unlinked while open, whose
 * handle no longer opens (ESTALE), and costs no handle decoding.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CAP_DAC_READ_SEARCH_BIT 2

/* A struct file_handle with room for any handle. */
union vwfs_handle_buf {
	struct file_handle fh;
	char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* CAP_DAC_READ_SEARCH effective, in the initial user namespace. */
static int may_open_handles(const char **why)
{
	unsigned long long eff = 0;
	unsigned int a, b, c;
	char line[256];
	int full_map = 0;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(f);
	}
	if (!((eff >> CAP_DAC_READ_SEARCH_BIT) & 1)) {
		*why = "the daemon lacks CAP_DAC_READ_SEARCH (not root)";
		return 0;
	}
	/* In another user namespace the kernel opens directory handles only. */
	f = fopen("/proc/self/uid_map", "re");
	if (f) {
		full_map = fscanf(f, "%u %u %u", &a, &b, &c) == 3 &&
			   a == 0 && b == 0 && c == 4294967295u;
		fclose(f);
	}
	if (!full_map) {
		*why = "the daemon runs in a user namespace";
		return 0;
	}
	return 1;
}

void vwfs_handles_probe(struct vwfs *fs)
{
	union vwfs_handle_buf h;
	const char *why = NULL;
	int mnt_id, fd = -1;

	fs->use_handles = 0;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (!may_open_handles(&why)) {
		/* why is set */
	} else if (name_to_handle_at(fs->root.path_fd, "", &h.fh, &mnt_id,
				     AT_EMPTY_PATH) < 0) {
		why = "the store's file system has no file handles";
	} else if ((fs->handle_fd = openat(fs->root.path_fd, ".", O_RDONLY |
					   O_DIRECTORY | O_CLOEXEC)) < 0 ||
		   (fd = open_by_handle_at(fs->handle_fd, &h.fh,
					   O_PATH | O_CLOEXEC)) < 0) {
		why = "the store's handles cannot be opened";
	} else {
		fs->root_mnt_id = mnt_id;
		fs->use_handles = 1;
	}
	if (fd >= 0)
		close(fd);
	if (!fs->use_handles && fs->handle_fd >= 0) {
		close(fs->handle_fd);
		fs->handle_fd = -1;
	}
	if (fs->use_handles) {
		struct rlimit rl;

		/* an eighth of the limit main() raised, at most VWFS_DIR_FDS */
		fs->dir_fds_max = VWFS_DIR_FDS;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (long)(rl.rlim_cur / 8) < fs->dir_fds_max)
			fs->dir_fds_max = (long)(rl.rlim_cur / 8);
		vwfs_log("viewfs: store objects: file handles (no descriptor per cached inode; "
			"up to %ld directories keep one)\n", fs->dir_fds_max);
	}
	else
		vwfs_log("viewfs: store objects: one descriptor per cached inode, because %s "
			"(the descriptor limit bounds the cached inodes)\n", why);
}

struct vwfs_inode *vwfs_inode_new(struct vwfs *fs, int fd, const struct stat *st)
{
	union vwfs_handle_buf h;
	struct vwfs_inode *in;
	size_t extra = 0;
	int mnt_id;

	if (fs->use_handles) {
		h.fh.handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) == 0 &&
		    mnt_id == fs->root_mnt_id)
			extra = sizeof(struct file_handle) + h.fh.handle_bytes;
	}
	/* the handle follows the inode in one allocation */
	in = calloc(1, sizeof(*in) + extra);
	if (!in) {
		close(fd);
		return NULL;
	}
	if (extra) {
		in->handle = (struct file_handle *)(void *)(in + 1);
		memcpy(in->handle, &h.fh, extra);
		in->path_fd = -1;
		if (S_ISDIR(st->st_mode) &&
		    atomic_fetch_add(&fs->dir_fds, 1) < fs->dir_fds_max) {
			in->path_fd = fd;	/* lent for O_PATH uses only */
			in->dir_cached = 1;
		} else {
			if (S_ISDIR(st->st_mode))
				atomic_fetch_sub(&fs->dir_fds, 1);
			close(fd);
		}
	} else {
		in->path_fd = fd;
	}
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	in->type = st->st_mode & S_IFMT;
	pthread_mutex_init(&in->lock, NULL);
	pthread_spin_init(&in->files_lock, PTHREAD_PROCESS_PRIVATE);
	return in;
}

void vwfs_inode_free(struct vwfs *fs, struct vwfs_inode *in)
{
	if (VWFS_TSAN) {
		/* the kernel's order (FORGET after the last reply), made visible
		 * to ThreadSanitizer: the last holders of the locks, and the
		 * last descriptor users, before us */
		pthread_mutex_lock(&in->lock);
		pthread_mutex_unlock(&in->lock);
		pthread_spin_lock(&in->files_lock);
		pthread_spin_unlock(&in->files_lock);
		vwfs_inode_freeing(in);
	}
	if (in->path_fd >= 0)
		close(in->path_fd);
	in->path_fd = -1;
	if (in->dir_cached)
		atomic_fetch_sub(&fs->dir_fds, 1);
	in->dir_cached = 0;
	pthread_mutex_destroy(&in->lock);
	pthread_spin_destroy(&in->files_lock);
	if (in != &fs->root)
		free(in);
}

int vwfs_inode_same(const struct vwfs_inode *a, const struct vwfs_inode *b)
{
	if (!a->handle || !b->handle)
		return 1;	/* a descriptor keeps its object: no reuse */
	return a->handle->handle_type == b->handle->handle_type &&
	       a->handle->handle_bytes == b->handle->handle_bytes &&
	       memcmp(a->handle->f_handle, b->handle->f_handle,
		      a->handle->handle_bytes) == 0;
}

/* A descriptor for flags from the O_PATH or open descriptor fd. */
static int reopen(int fd, int flags)
{
	char path[64];
	int nfd;

	if (flags == (O_PATH | O_CLOEXEC))
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	else if (vwfs_proc_path(fd, path, sizeof(path)) == 0)
		nfd = open(path, flags);
	else
		return -ENAMETOOLONG;
	return nfd < 0 ? -errno : nfd;
}

static int inode_fd(struct vwfs *fs, struct vwfs_inode *in, int flags)
{
	int fd = -1, borrowed = 0;

	flags |= O_CLOEXEC;
	if (in->path_fd >= 0 && (!in->handle || flags == (O_PATH | O_CLOEXEC))) {
		if (flags == (O_PATH | O_CLOEXEC))
			return in->path_fd;	/* lent: done() keeps it */
		return reopen(in->path_fd, flags);
	}
	pthread_spin_lock(&in->files_lock);
	if (in->files) {
		borrowed = 1;
		fd = fcntl(in->files->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = -errno;
	}
	pthread_spin_unlock(&in->files_lock);
	if (fd >= 0 && flags != (O_PATH | O_CLOEXEC)) {
		int nfd = reopen(fd, flags);

		close(fd);
		return nfd;
	}
	if (borrowed)
		return fd;	/* the dup, or its error (-EMFILE, ...) */
	if (!in->handle)
		return -EBADF;	/* not reached: one of the two is set */
	fd = open_by_handle_at(fs->handle_fd, in->handle, flags);
	if (fd < 0)	/* gone from the store: what tmpfs says of a lost name */
		return errno == ESTALE ? -ENOENT : -errno;
	return fd;
}

int vwfs_inode_fd(struct vwfs *fs, struct vwfs_inode *in, int flags)
{
	int fd = inode_fd(fs, in, flags);

	/* after its last read of in: an open keeps the descriptor and never
	 * calls vwfs_inode_fd_done (see vwfs_inode_used in viewfs.h) */
	vwfs_inode_used(in);
	return fd;
}

void vwfs_inode_fd_done(struct vwfs_inode *in, int fd)
{
	int e = errno, own = fd >= 0 && fd != in->path_fd;

	vwfs_inode_used(in);	/* after the last read of in (path_fd) */
	if (own)
		close(fd);
	errno = e;
}

void vwfs_open_fds_add(struct vwfs *fs)
{
	long n = atomic_fetch_add(&fs->open_fds, 1) + 1;
	long peak = atomic_load(&fs->open_fds_peak);

	while (n > peak && !atomic_compare_exchange_weak(&fs->open_fds_peak, &peak, n))
		;
}

int vwfs_open_fds_check(fuse_req_t req)
{
	struct vwfs *fs = vwfs_data(req);
	struct rlimit rl;
	long reserve;

	if (fuse_req_ctx(req)->uid == 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX)
		return 0;
	reserve = (long)rl.rlim_cur / 8;
	if (reserve < 32)
		reserve = 32;
	if (atomic_load(&fs->open_fds) + reserve >= (long)rl.rlim_cur) {
		if (fs->debug)
			vwfs_log("viewfs: uid %u: ENFILE, %ld descriptors held by open files\n",
				(unsigned)fuse_req_ctx(req)->uid, atomic_load(&fs->open_fds));
		return -ENFILE;
	}
	return 0;
}

void vwfs_inode_files_add(struct vwfs_inode *in, struct vwfs_file *f)
{
	pthread_spin_lock(&in->files_lock);
	f->inode_next = in->files;
	in->files = f;
	pthread_spin_unlock(&in->files_lock);
}

void vwfs_inode_files_del(struct vwfs_inode *in, struct vwfs_file *f)
{
	struct vwfs_file **pp;

	pthread_spin_lock(&in->files_lock);
	for (pp = &in->files; *pp; pp = &(*pp)->inode_next) {
		if (*pp == f) {
			*pp = f->inode_next;
			break;
		}
	}
	pthread_spin_unlock(&in->files_lock);
	f->inode_next = NULL;
}
