/* SPDX-License-Identifier: MIT */
/*
 * viewfs inodes, names and attributes: the inode table with the kernel's
 * lookup counts, and every operation that works on names (lookup, mkdir,
 * rmdir, unlink, rename, link, symlink, mknod) and on attributes (getattr,
 * setattr, statfs).  Open directories (opendir, readdir, ...) are dir.c's.
 *
 * A FUSE node id is the address of its struct vwfs_inode (the root is
 * FUSE_ROOT_ID).  Objects are keyed by the store's (st_dev, st_ino), so
 * hard links share one inode.  Every path that replies with an entry takes
 * exactly one lookup reference, which the kernel gives back with forget.
 *
 * How an inode reaches its store object (handle.c).  The kernel keeps an
 * inode as long as it likes (until FORGET), so whatever an inode holds is
 * held that long.  It used to be an O_PATH descriptor: any user could then
 * exhaust the daemon's RLIMIT_NOFILE by creating files (~20,000 empty files
 * locked every user, root included, out with EMFILE), and a file removed
 * with rm kept its space until the asynchronous FORGET came (ENOSPC for a
 * truncate right after the rm).  Now, when the store's file system has
 * file handles and the daemon may open them (a root daemon; tmpfs, ext4,
 * xfs, btrfs), an inode holds the object's file handle and no descriptor:
 * every operation takes a descriptor with vwfs_inode_fd() (open_by_handle_at
 * against the store root, which keeps its descriptor) and gives it back
 * with vwfs_inode_fd_done() before replying.  Handles rather than paths,
 * because they survive renames and hard links without any bookkeeping,
 * and rather than closing descriptors of idle inodes (an LRU), because
 * they hold nothing of the object, so space is free when unlink returns.
 * The cost is one open_by_handle_at and one close per operation on a
 * non-root inode (measured in docs/viewfs.md), except for the O_PATH uses
 * of directories, which keep a bounded number of descriptors (handle.c).  Where handles are not
 * possible (an unprivileged daemon, a store without handles) an inode
 * keeps its O_PATH descriptor as before and the descriptor limit, raised
 * to the hard limit at start, bounds the cached inodes.  Inodes stay keyed
 * by (st_dev, st_ino); with handles a number can come back for a new
 * object while the kernel still knows the deleted one, which inode_get()
 * tells apart by the handle.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* A node id is a struct vwfs_inode's address: it must fit. */
_Static_assert(sizeof(fuse_ino_t) >= sizeof(uintptr_t),
	       "fuse_ino_t cannot hold a pointer");

struct vwfs_inode *vwfs_inode(fuse_req_t req, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return &vwfs_data(req)->root;
	vwfs_inode_reached(vwfs_data(req));
	return (struct vwfs_inode *)(uintptr_t)ino;
}

static fuse_ino_t node_id(struct vwfs *fs, struct vwfs_inode *in)
{
	return in == &fs->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)in;
}

int vwfs_proc_path(int fd, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/fd/%d", fd) >= (int)len ? -ENAMETOOLONG : 0;
}

/* ------------------------------------------------------------------ */
/* Inode table                                                         */
/* ------------------------------------------------------------------ */

static size_t hash_key(dev_t dev, ino_t ino, size_t size)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev;

	return (size_t)(h >> 17) & (size - 1);
}

int vwfs_inode_table_init(struct vwfs *fs)
{
	fs->table_size = 1024;
	fs->table = calloc(fs->table_size, sizeof(*fs->table));
	pthread_mutex_init(&fs->lock, NULL);
	return fs->table ? 0 : -ENOMEM;
}

static void inode_destroy(struct vwfs *fs, struct vwfs_inode *in)
{
	vwfs_inode_free(fs, in);
}

void vwfs_inode_table_free(struct vwfs *fs)
{
	for (size_t i = 0; i < fs->table_size && fs->table; i++) {
		struct vwfs_inode *in = fs->table[i], *next;

		for (; in; in = next) {
			next = in->next;
			inode_destroy(fs, in);
		}
	}
	free(fs->table);
	fs->table = NULL;
}

static void table_grow(struct vwfs *fs)
{
	size_t nsize = fs->table_size * 2;
	struct vwfs_inode **nt = calloc(nsize, sizeof(*nt));

	if (!nt)
		return;		/* keep the longer chains */
	for (size_t i = 0; i < fs->table_size; i++) {
		struct vwfs_inode *in = fs->table[i], *next;

		for (; in; in = next) {
			size_t h = hash_key(in->dev, in->ino, nsize);

			next = in->next;
			in->next = nt[h];
			nt[h] = in;
		}
	}
	free(fs->table);
	fs->table = nt;
	fs->table_size = nsize;
}

/*
 * Find or insert the inode of the object fd (an O_PATH descriptor) refers
 * to, taking one lookup reference.  fd is consumed either way.
 */
static struct vwfs_inode *inode_get(struct vwfs *fs, int fd, const struct stat *st)
{
	struct vwfs_inode *in, **pp, *fresh;
	size_t h;

	if (st->st_dev == fs->root.dev && st->st_ino == fs->root.ino) {
		close(fd);
		pthread_mutex_lock(&fs->lock);
		fs->root.nlookup++;
		pthread_mutex_unlock(&fs->lock);
		return &fs->root;
	}
	fresh = vwfs_inode_new(fs, fd, st);	/* consumes fd */
	if (!fresh)
		return NULL;
	pthread_mutex_lock(&fs->lock);
	h = hash_key(st->st_dev, st->st_ino, fs->table_size);
	for (pp = &fs->table[h]; (in = *pp); pp = &in->next) {
		if (in->dev != st->st_dev || in->ino != st->st_ino)
			continue;
		if (vwfs_inode_same(in, fresh)) {
			in->nlookup++;
			pthread_mutex_unlock(&fs->lock);
			inode_destroy(fs, fresh);
			return in;
		}
		/* The number of a deleted object that the kernel still knows,
		 * reused by the store: that node leaves the table (its forget
		 * frees it) and the new object gets its own. */
		*pp = in->next;
		in->next = NULL;
		fs->ninodes--;
		break;
	}
	fresh->nlookup = 1;
	fresh->next = fs->table[h];
	fs->table[h] = fresh;
	if (++fs->ninodes > fs->table_size)
		table_grow(fs);
	pthread_mutex_unlock(&fs->lock);
	return fresh;
}

struct vwfs_inode *vwfs_inode_find(struct vwfs *fs, dev_t dev, ino_t ino)
{
	struct vwfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	for (in = fs->table[hash_key(dev, ino, fs->table_size)]; in; in = in->next)
		if (in->dev == dev && in->ino == ino) {
			in->nlookup++;
			break;
		}
	pthread_mutex_unlock(&fs->lock);
	return in;
}

void vwfs_inode_put(struct vwfs *fs, struct vwfs_inode *in, uint64_t n)
{
	struct vwfs_inode **pp;

	pthread_mutex_lock(&fs->lock);
	if (n > in->nlookup) {
		/* The kernel gives back more than we counted: a lookup-count bug
		 * somewhere (ours or the kernel's).  Never below zero, and said
		 * once, since a clamp would hide it. */
		static atomic_int said;

		if (!atomic_exchange(&said, 1))
			vwfs_log("viewfs: warning: forget of %llu lookups on an inode that holds "
				"%llu (lookup counts disagree; clamped, not logged again)\n",
				(unsigned long long)n, (unsigned long long)in->nlookup);
		n = in->nlookup;
	}
	in->nlookup -= n;
	if (in == &fs->root || in->nlookup) {
		pthread_mutex_unlock(&fs->lock);
		return;
	}
	for (pp = &fs->table[hash_key(in->dev, in->ino, fs->table_size)]; *pp;
	     pp = &(*pp)->next) {
		if (*pp == in) {
			*pp = in->next;
			fs->ninodes--;	/* not counted when it left for a reused number */
			break;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	inode_destroy(fs, in);
}

static int stat_inode(struct vwfs *fs, struct vwfs_inode *in, struct stat *st)
{
	int fd = vwfs_inode_fd(fs, in, O_PATH), ret = 0;

	if (fd < 0)
		return fd;
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	/* A removed directory still answers through its cached descriptor;
	 * by handle it is gone (ENOENT), and that is what viewfs says. */
	else if (in->dir_cached && st->st_nlink == 0)
		ret = -ENOENT;
	vwfs_inode_fd_done(in, fd);
	return ret;
}

/*
 * Fill e for parent/name and take a lookup reference.  Returns 0 or
 * -errno (nothing taken).
 */
int vwfs_make_entry(struct vwfs *fs, struct vwfs_inode *parent, const char *name,
		   struct fuse_entry_param *e)
{
	struct vwfs_inode *in;
	int fd, pfd, ret;

	memset(e, 0, sizeof(*e));
	pfd = vwfs_inode_fd(fs, parent, O_PATH);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	vwfs_inode_fd_done(parent, pfd);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &e->attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	in = inode_get(fs, fd, &e->attr);
	if (!in)
		return -ENOMEM;
	e->ino = node_id(fs, in);
	e->attr_timeout = fs->timeout;
	e->entry_timeout = fs->timeout;
	vwfs_inode_published(fs);
	return 0;
}

/* Reply with an entry; an interrupted request gives its reference back. */
static void reply_entry(fuse_req_t req, const struct fuse_entry_param *e)
{
	if (fuse_reply_entry(req, e) == -ENOENT && e->ino)
		vwfs_inode_put(vwfs_data(req), vwfs_inode(req, e->ino), 1);
}

void vwfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vwfs *fs = vwfs_data(req);
	struct fuse_entry_param e;
	int ret;

	ret = vwfs_make_entry(fs, vwfs_inode(req, parent), name, &e);
	if (ret == -ENOENT) {
		/* A negative entry, cached as long as positive ones. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = fs->timeout;
		reply_entry(req, &e);
		return;
	}
	if (ret)
		fuse_reply_err(req, -ret);
	else
		reply_entry(req, &e);
}

void vwfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	vwfs_inode_put(vwfs_data(req), vwfs_inode(req, ino), nlookup);
	fuse_reply_none(req);
}

void vwfs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		vwfs_inode_put(vwfs_data(req), vwfs_inode(req, forgets[i].ino),
			  forgets[i].nlookup);
	fuse_reply_none(req);
}

/* ------------------------------------------------------------------ */
/* Attributes                                                          */
/* ------------------------------------------------------------------ */

void vwfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vwfs_inode *in = vwfs_inode(req, ino);
	struct stat st;
	int ret;

	/* fstat of an open file: its own descriptor, unlinked or not */
	if (fi && in->type == S_IFREG) {
		ret = fstat(((struct vwfs_file *)vwfs_fh(fi))->fd, &st) < 0 ? -errno : 0;
		vwfs_handle_done(vwfs_data(req));
	} else {
		ret = stat_inode(vwfs_data(req), in, &st);
	}
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_attr(req, &st, vwfs_data(req)->timeout);
}

static int set_size(struct vwfs *fs, struct vwfs_inode *in, int fd, off_t size,
		    pid_t caller)
{
	int ret, own = -1;

	/* the seals' check and the change are one step against a sealer */
	pthread_mutex_lock(&in->lock);
	ret = vwfs_seals_check_size(fs, in, fd, size);
	if (!ret && fd < 0) {
		own = fd = vwfs_inode_fd(fs, in, O_WRONLY);
		ret = fd < 0 ? fd : 0;
	}
	/* the capacity rule and, with -o reserve, the allocation */
	if (!ret)
		ret = vwfs_space_truncate(fs, fd, size, caller);
	pthread_mutex_unlock(&in->lock);
	vwfs_inode_fd_done(in, own);
	return ret;
}

/*
 * The other steps of setattr (set_size above is one), each 0 or -errno.
 * fd is the open file's descriptor when the request came with one (else
 * -1), ifd the inode's O_PATH descriptor and path its /proc path.
 */
static int set_mode(const struct vwfs_inode *in, int fd, const char *path,
		    mode_t mode)
{
	int ret;

	if (fd >= 0)
		ret = fchmod(fd, mode & 07777);
	else if (in->type == S_IFLNK)
		ret = 0;	/* symlink modes are fixed */
	else
		ret = chmod(path, mode & 07777);
	return ret < 0 ? -errno : 0;
}

static int set_owner(int ifd, const struct stat *attr, int valid)
{
	uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
	gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

	if (fchownat(ifd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int set_times(const struct vwfs_inode *in, int fd, int ifd,
		     const char *path, const struct stat *attr, int valid)
{
	struct timespec tv[2];
	int ret;

	tv[0].tv_sec = tv[1].tv_sec = 0;
	tv[0].tv_nsec = tv[1].tv_nsec = UTIME_OMIT;
	if (valid & FUSE_SET_ATTR_ATIME_NOW)
		tv[0].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_ATIME)
		tv[0] = attr->st_atim;
	if (valid & FUSE_SET_ATTR_MTIME_NOW)
		tv[1].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_MTIME)
		tv[1] = attr->st_mtim;
	if (fd >= 0)
		ret = futimens(fd, tv);
	else if (in->type == S_IFLNK)
		ret = utimensat(ifd, "", tv, AT_EMPTY_PATH);
	else
		ret = utimensat(AT_FDCWD, path, tv, 0);
	return ret < 0 ? -errno : 0;
}

/* Apply what valid asks for; the first step that fails ends it. */
static int set_attrs(struct vwfs *fs, struct vwfs_inode *in, int fd, int ifd,
		     const char *path, const struct stat *attr, int valid,
		     pid_t caller)
{
	int ret;

	if ((valid & FUSE_SET_ATTR_MODE) &&
	    (ret = set_mode(in, fd, path, attr->st_mode)))
		return ret;
	if ((valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    (ret = set_owner(ifd, attr, valid)))
		return ret;
	if ((valid & FUSE_SET_ATTR_SIZE) &&
	    (ret = set_size(fs, in, fd, attr->st_size, caller)))
		return ret;
	if ((valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) &&
	    (ret = set_times(in, fd, ifd, path, attr, valid)))
		return ret;
	/* FATTR_KILL_SUIDGID (HANDLE_KILLPRIV_V2): truncate or chown by a
	 * caller without CAP_FSETID. */
	if ((valid & FUSE_SET_ATTR_KILL_SUID) && in->type == S_IFREG)
		(void)vwfs_kill_suidgid(fs, in, fd);
	return 0;
}

void vwfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int valid, struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_inode *in = vwfs_inode(req, ino);
	int fd = fi ? ((struct vwfs_file *)vwfs_fh(fi))->fd : -1;
	int ifd = vwfs_inode_fd(fs, in, O_PATH);
	char path[64];
	struct stat st;
	int ret = ifd < 0 ? ifd : vwfs_proc_path(ifd, path, sizeof(path));

	if (!ret)
		ret = set_attrs(fs, in, fd, ifd, path, attr, valid,
				fuse_req_ctx(req)->pid);
	if (fi)
		vwfs_handle_done(fs);	/* f->fd is used no more */
	/* the attributes as they now are, unless a step failed */
	if (!ret && fstatat(ifd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	vwfs_inode_fd_done(in, ifd);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_attr(req, &st, fs->timeout);
}

void vwfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	struct vwfs_inode *in = vwfs_inode(req, ino);
	int fd = vwfs_inode_fd(vwfs_data(req), in, O_PATH);
	ssize_t n = fd < 0 ? (errno = -fd, -1) : readlinkat(fd, "", buf, sizeof(buf));

	vwfs_inode_fd_done(in, fd);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (n == (ssize_t)sizeof(buf))
		fuse_reply_err(req, ENAMETOOLONG);
	else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
}

void vwfs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	(void)ino;
	if (fstatvfs(vwfs_data(req)->root.path_fd, &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/*
 * The daemon creates objects with its own credentials; give them to the
 * caller, as a local file system would (group from a set-group-ID parent).
 */
void vwfs_chown_new(fuse_req_t req, struct vwfs_inode *parent, const char *name)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int pfd = vwfs_inode_fd(vwfs_data(req), parent, O_PATH);
	struct stat pst;
	gid_t gid = ctx->gid;

	if (pfd < 0)
		return;
	if (fstatat(pfd, "", &pst, AT_EMPTY_PATH) == 0 && (pst.st_mode & S_ISGID))
		gid = pst.st_gid;
	/* EPERM when the daemon is not root: it then owns them, which is
	 * what an unprivileged mount means; nothing to report. */
	if ((ctx->uid != geteuid() || gid != getegid()) &&
	    fchownat(pfd, name, ctx->uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM &&
	    vwfs_data(req)->debug)
		vwfs_log("viewfs: chown of a new object to %u:%u: %s\n",
			(unsigned)ctx->uid, (unsigned)gid, strerror(errno));
	vwfs_inode_fd_done(parent, pfd);
}

/*
 * The end of mknod, mkdir and symlink, which made name in parent's store
 * directory pfd (from vwfs_inode_fd: < 0 is its -errno) unless e (an
 * errno, 0 for success): give pfd back before the reply ends parent, then
 * reply once: e, or the new entry, given to the caller (vwfs_chown_new).
 */
static void reply_made(fuse_req_t req, struct vwfs_inode *parent, int pfd,
		       int e, const char *name)
{
	struct fuse_entry_param entry;
	int ret;

	vwfs_inode_fd_done(parent, pfd);
	if (e) {
		fuse_reply_err(req, e);
		return;
	}
	vwfs_chown_new(req, parent, name);
	ret = vwfs_make_entry(vwfs_data(req), parent, name, &entry);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		reply_entry(req, &entry);
}

void vwfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev)
{
	struct vwfs_inode *p = vwfs_inode(req, parent);

	/* Device nodes are made as tmpfs makes them (mknodat fails with EPERM
	 * when the daemon lacks CAP_MKNOD); the mount is always nodev, so they
	 * cannot be opened as devices through it. */
	if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode) &&
	    !S_ISCHR(mode) && !S_ISBLK(mode)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int e = pfd < 0 ? -pfd : mknodat(pfd, name, mode, rdev) < 0 ? errno : 0;

	reply_made(req, p, pfd, e, name);
}

void vwfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode)
{
	struct vwfs_inode *p = vwfs_inode(req, parent);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int e = pfd < 0 ? -pfd : mkdirat(pfd, name, mode) < 0 ? errno : 0;

	reply_made(req, p, pfd, e, name);
}

void vwfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name)
{
	struct vwfs_inode *p = vwfs_inode(req, parent);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int e = pfd < 0 ? -pfd : symlinkat(link, pfd, name) < 0 ? errno : 0;

	reply_made(req, p, pfd, e, name);
}

void vwfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname)
{
	struct vwfs_inode *in = vwfs_inode(req, ino);
	struct vwfs_inode *p = vwfs_inode(req, newparent);
	struct fuse_entry_param e;
	char path[64];
	int ifd = vwfs_inode_fd(vwfs_data(req), in, O_PATH);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int ret = ifd < 0 ? ifd : pfd < 0 ? pfd : 0;

	if (!ret)
		ret = vwfs_proc_path(ifd, path, sizeof(path));
	if (!ret && linkat(AT_FDCWD, path, pfd, newname, AT_SYMLINK_FOLLOW) < 0)
		ret = -errno;
	vwfs_inode_fd_done(in, ifd);
	vwfs_inode_fd_done(p, pfd);
	if (!ret)
		ret = vwfs_make_entry(vwfs_data(req), p, newname, &e);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		reply_entry(req, &e);
}

void vwfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vwfs_inode *p = vwfs_inode(req, parent);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int e = pfd < 0 ? -pfd : -vwfs_space_unlinkat(vwfs_data(req), pfd, name, 0);

	vwfs_inode_fd_done(p, pfd);	/* before the reply ends p */
	fuse_reply_err(req, e);
}

void vwfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vwfs_inode *p = vwfs_inode(req, parent);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int e = pfd < 0 ? -pfd : -vwfs_space_unlinkat(vwfs_data(req), pfd, name, AT_REMOVEDIR);

	vwfs_inode_fd_done(p, pfd);	/* before the reply ends p */
	fuse_reply_err(req, e);
}

void vwfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	struct vwfs_inode *p = vwfs_inode(req, parent), *np = vwfs_inode(req, newparent);
	int pfd = vwfs_inode_fd(vwfs_data(req), p, O_PATH);
	int npfd = pfd < 0 ? pfd : vwfs_inode_fd(vwfs_data(req), np, O_PATH);
	int e = npfd < 0 ? -npfd : -vwfs_space_renameat2(vwfs_data(req), pfd, name, npfd,
							 newname, flags);

	vwfs_inode_fd_done(p, pfd);	/* before the reply ends p and np */
	vwfs_inode_fd_done(np, npfd);
	fuse_reply_err(req, e);
}
