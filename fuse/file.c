/* SPDX-License-Identifier: MIT */
/*
 * viewfs data path: open/create/release of regular files, read, write,
 * fsync, fallocate, lseek, copy_file_range.
 *
 * With kernel FUSE passthrough the open reply carries a backing id: the
 * kernel then sends read, write, splice and mmap of that file straight to
 * the store file, with no daemon round trip and no second page cache.  The
 * kernel wants one backing file per inode, so the id is registered on the
 * first open of an inode and shared by every later open until the last
 * release.  Without passthrough, reads are spliced from the store file
 * into /dev/fuse (fuse_reply_data with an fd buffer) and writes are
 * spliced from /dev/fuse into the store (write_buf); the kernel's FUSE
 * page cache keeps every mapping coherent, and it stays valid across opens
 * (keep_cache) because nothing but this daemon changes the store.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct vwfs_file *file_of(struct fuse_file_info *fi)
{
	return vwfs_fh(fi);
}

/* Flags for the daemon's own descriptor: the kernel supplies offsets
 * (so no O_APPEND) and the daemon wants the store's page cache. */
static int store_flags(int flags)
{
	return (flags & ~(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW |
			  O_APPEND | O_DIRECT)) | O_RDWR | O_CLOEXEC;
}

/*
 * Reads on the fallback path.  The kernel's readahead turns a sequential
 * read(2) or a fault on a mapping into READ requests, each at most
 * max_read bytes; by default both the window (the bdi's 128 KiB) and the
 * request would be small and serial.  A large window cut into smaller
 * requests keeps several in flight at once (they are background requests,
 * and max_background is large), so both worker threads splice while the
 * reader copies, and a fault on a mapping brings in the whole window.
 */
#define VWFS_READ_REQ (256u << 10)
#define VWFS_READAHEAD_KB 2048u

int vwfs_data_path_args(struct vwfs *fs, struct fuse_args *args)
{
	char opt[32];

	if (fs->max_read_given)
		return 0;	/* the user's, kept for libfuse by the option table */
	fs->max_read = VWFS_READ_REQ;
	snprintf(opt, sizeof(opt), "-omax_read=%u", fs->max_read);
	return fuse_opt_add_arg(args, opt) ? -1 : 0;
}

void vwfs_data_path_mounted(struct vwfs *fs, const char *mountpoint)
{
	unsigned kb = VWFS_READAHEAD_KB;
	char dev[64], path[96], val[16];
	int fd;

	/* mountpoint is libfuse's realpath of it, resolved before the mount
	 * (resolving it now would ask this very daemon, not serving yet) */
	if (vwfs_mount_dev(mountpoint, dev, sizeof(dev)) == 0) {
		snprintf(path, sizeof(path), "/sys/class/bdi/%s/read_ahead_kb", dev);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			snprintf(val, sizeof(val), "%u", kb);
			if (write(fd, val, strlen(val)) == (ssize_t)strlen(val))
				fs->readahead = kb << 10;
			close(fd);
		}
	}
}

static int stat_of(struct vwfs *fs, struct vwfs_inode *in, struct stat *st)
{
	int fd = vwfs_inode_fd(fs, in, O_PATH), ret;

	if (fd < 0)
		return fd;
	ret = fstatat(fd, "", st, AT_EMPTY_PATH) < 0 ? -errno : 0;
	vwfs_inode_fd_done(in, fd);
	return ret;
}

/*
 * Clear set-user-ID and set-group-ID (when group-executable) as the VFS
 * does on a write or truncate by a caller without CAP_FSETID: with
 * FUSE_CAP_HANDLE_KILLPRIV_V2 the kernel leaves that to us.  fd may be -1.
 * Returns 1 when it cleared a bit, else 0.
 */
int vwfs_kill_suidgid(struct vwfs *fs, struct vwfs_inode *in, int fd)
{
	struct stat st;
	mode_t kill = 0;
	char path[64];
	int ifd, ret = 0;

	if (fd >= 0 ? fstat(fd, &st) < 0 : stat_of(fs, in, &st) < 0)
		return 0;
	if (st.st_mode & S_ISUID)
		kill |= S_ISUID;
	if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (!kill)
		return 0;
	if (fd >= 0)
		return fchmod(fd, st.st_mode & 07777 & ~kill) == 0;
	ifd = vwfs_inode_fd(fs, in, O_PATH);
	if (ifd >= 0 && vwfs_proc_path(ifd, path, sizeof(path)) == 0)
		ret = chmod(path, st.st_mode & 07777 & ~kill) == 0;
	vwfs_inode_fd_done(in, ifd);
	return ret;
}

/*
 * The same from open or write, whose replies carry no attributes: the
 * kernel would show the old mode until its attribute cache times out.
 */
static void kill_suidgid_notify(fuse_req_t req, fuse_ino_t ino,
				struct vwfs_inode *in, int fd)
{
	if (vwfs_kill_suidgid(vwfs_data(req), in, fd))
		fuse_lowlevel_notify_inval_inode(vwfs_data(req)->se, ino, -1, 0);
}

static int caller_lacks_fsetid(fuse_req_t req)
{
	return fuse_req_ctx(req)->uid != 0;
}

/* Mode-bit check of an existing file for the caller (primary group only). */
static int caller_may_open(fuse_req_t req, int fd, int flags)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	mode_t want = 0, have;
	struct stat st;

	if (ctx->uid == 0)
		return 1;
	if (fstat(fd, &st) < 0)
		return 0;
	if ((flags & O_ACCMODE) != O_WRONLY)
		want |= S_IROTH;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		want |= S_IWOTH;
	if (ctx->uid == st.st_uid)
		have = (st.st_mode >> 6) & 7;
	else if (ctx->gid == st.st_gid)
		have = (st.st_mode >> 3) & 7;
	else
		have = st.st_mode & 7;
	return (have & want) == want;
}

/*
 * Under in->lock, the seals' part of an open (seal.c): refuse what they
 * forbid, then truncate (O_TRUNC: the store descriptor was opened without
 * it, so the check and the truncation are one step against a sealer).
 */
static int open_sealed(struct vwfs *fs, struct vwfs_inode *in, int fd,
		       int flags)
{
	int ret = vwfs_seals_check_open(fs, in, fd, flags);

	if (ret || !(flags & O_TRUNC))
		return ret;
	if (ftruncate(fd, 0) == 0)
		return 0;
	/* a read-only store descriptor (unprivileged daemon) */
	return errno == EBADF || errno == EINVAL ? -EACCES : -errno;
}

/*
 * Give fi a file handle for fd and, when passthrough is on, the inode's
 * backing id, after the seals' check of the open (fi->flags).  Takes
 * ownership of fd.  Returns 0 or -errno (fd closed).
 */
static int attach_file(fuse_req_t req, struct vwfs_inode *in, int fd,
		       struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_file *f = calloc(1, sizeof(*f));
	int ret = 0;

	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->fd = fd;
	f->writable = (fi->flags & O_ACCMODE) != O_RDONLY;
	pthread_mutex_lock(&in->lock);
	ret = open_sealed(fs, in, fd, fi->flags);
#if VWFS_HAVE_PASSTHROUGH
	if (!ret && !in->backing_id && atomic_load(&fs->passthrough)) {
		int id = fuse_passthrough_open(req, fd);

		if (id > 0) {
			in->backing_id = id;
		} else if (fs->pt_mode == VWFS_PT_ON) {
			ret = -EIO;
		} else {
			atomic_store(&fs->passthrough, 0);
			vwfs_log("viewfs: passthrough refused by the kernel (%s); "
				"data path: daemon (splice) from now on\n",
				strerror(errno));
		}
	}
	if (!ret && in->backing_id) {
		fi->backing_id = in->backing_id;
		f->passthrough = 1;
	}
#endif
	if (!ret) {
		in->nopen++;
		in->nwriters += f->writable;
		vwfs_inode_files_add(in, f);
		vwfs_open_fds_add(fs);
	}
	pthread_mutex_unlock(&in->lock);
	if (ret) {
		close(fd);
		free(f);
		return ret;
	}
	/* The FUSE page cache is only ours to keep when no passthrough. */
	fi->keep_cache = !f->passthrough;
	fi->direct_io = 0;
	/* close(2) needs no FLUSH round trip: data is in the store and locks
	 * are the kernel's (with a writeback cache the kernel still writes
	 * dirty pages back before close). */
	fi->noflush = 1;
	fi->fh = (uintptr_t)f;
	vwfs_link_add(fs, &fs->files, &f->link);
	atomic_fetch_add(&fs->n_open, 1);
	vwfs_fh_published(f);
	return 0;
}

/* At exit: files the kernel never released (releases are asynchronous). */
void vwfs_files_free(struct vwfs *fs)
{
	struct vwfs_link *l, *next;

	for (l = fs->files; l; l = next) {
		struct vwfs_file *f = VWFS_CONTAINER(l, struct vwfs_file, link);

		next = l->next;
		close(f->fd);
		free(f);
	}
	fs->files = NULL;
}

static void detach_file(fuse_req_t req, struct vwfs_inode *in, struct vwfs_file *f)
{
	struct vwfs *fs = vwfs_data(req);

	vwfs_link_del(fs, &fs->files, &f->link);
	vwfs_handle_released(fs);
	vwfs_inode_files_del(in, f);
	pthread_mutex_lock(&in->lock);
	in->nwriters -= f->writable;
	if (--in->nopen == 0 && in->backing_id) {
#if VWFS_HAVE_PASSTHROUGH
		fuse_passthrough_close(req, in->backing_id);
#else
		(void)req;
#endif
		in->backing_id = 0;
	}
	if (in->nopen == 0)	/* unlinked while open: its xattr bytes */
		vwfs_space_last_close(fs, in, f->fd);
	pthread_mutex_unlock(&in->lock);
	close(f->fd);
	atomic_fetch_sub(&fs->open_fds, 1);
	free(f);
}

void vwfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		   mode_t mode, struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_inode *p = vwfs_inode(req, parent), *in;
	struct fuse_entry_param e;
	int fd, pfd, ret, made;

	if (!S_ISREG(mode) && (mode & S_IFMT)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	ret = vwfs_open_fds_check(req);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	pfd = vwfs_inode_fd(fs, p, O_PATH);
	if (pfd < 0) {
		fuse_reply_err(req, -pfd);
		return;
	}
	/* Only a file we made here becomes the caller's: a racing creator
	 * (or a stale negative entry) may have made it first. */
	fd = openat(pfd, name, store_flags(fi->flags) | O_CREAT | O_EXCL,
		    mode & 07777);
	made = fd >= 0;
	if (fd < 0 && errno == EEXIST && !(fi->flags & O_EXCL))
		fd = openat(pfd, name, (store_flags(fi->flags) & ~O_TRUNC) | O_NOFOLLOW);
	vwfs_inode_fd_done(p, pfd);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	if (made) {
		vwfs_chown_new(req, p, name);
	} else if (!caller_may_open(req, fd, fi->flags)) {
		/* The kernel checked the directory only, thinking it creates. */
		close(fd);
		fuse_reply_err(req, EACCES);
		return;
	}	/* O_TRUNC of a file that was there: attach_file, after its seals */
	ret = vwfs_make_entry(fs, p, name, &e);
	if (ret) {
		close(fd);
		fuse_reply_err(req, -ret);
		return;
	}
	in = vwfs_inode(req, e.ino);
	ret = attach_file(req, in, fd, fi);
	if (ret) {
		/* The name exists now; the kernel learns it by lookup. */
		vwfs_inode_put(fs, in, 1);
		fuse_reply_err(req, -ret);
		return;
	}
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {	/* interrupted */
		detach_file(req, in, file_of(fi));
		vwfs_inode_put(fs, in, 1);
	}
}

void vwfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_inode *in = vwfs_inode(req, ino);
	int fd, ret;

	ret = vwfs_open_fds_check(req);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	/* the descriptor is new, and kept by the open file */
	/* O_TRUNC waits for the seals' check (attach_file) */
	fd = vwfs_inode_fd(fs, in, store_flags(fi->flags) & ~O_TRUNC);
	if (fd == -EACCES)	/* unprivileged daemon */
		fd = vwfs_inode_fd(fs, in, (store_flags(fi->flags) & ~(O_RDWR | O_TRUNC)) |
				  (fi->flags & O_ACCMODE));
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	ret = attach_file(req, in, fd, fi);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	/*
	 * With passthrough, writes never reach us, so no write would clear
	 * set-user-ID/set-group-ID: clear them when a caller without
	 * CAP_FSETID opens the file for writing (or truncates it), once the
	 * open is accepted (a sealed file's refused open changes nothing).
	 */
	if (fs->killpriv_v2 && caller_lacks_fsetid(req) &&
	    ((fi->flags & O_TRUNC) || (file_of(fi)->passthrough &&
				       (fi->flags & O_ACCMODE) != O_RDONLY)))
		kill_suidgid_notify(req, ino, in, file_of(fi)->fd);
	if (fuse_reply_open(req, fi) == -ENOENT)
		detach_file(req, in, file_of(fi));
}

void vwfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	detach_file(req, vwfs_inode(req, ino), file_of(fi));
	fuse_reply_err(req, 0);
}

void vwfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* Data is in the store already; locks are the kernel's. */
	(void)ino; (void)fi;
	fuse_reply_err(req, 0);
}

void vwfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	struct vwfs *fs = vwfs_data(req);

	(void)ino;
	atomic_fetch_add(&fs->n_read, 1);
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = file_of(fi)->fd;
	buf.buf[0].pos = off;
	vwfs_handle_done(fs);	/* before the reply: see vwfs_handle_done */
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void vwfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	off_t gap;
	ssize_t n;

	atomic_fetch_add(&fs->n_write, 1);
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = file_of(fi)->fd;
	out.buf[0].pos = off;
	/* a sealed file has no writable handle (seal.c): the last line */
	n = vwfs_seals_check_write(vwfs_inode(req, ino), out.buf[0].fd, off,
				   (off_t)fuse_buf_size(in), 1);
	if (n) {
		vwfs_handle_done(fs);
		fuse_reply_err(req, (int)-n);
		return;
	}
	if (fs->killpriv_v2 && caller_lacks_fsetid(req))
		kill_suidgid_notify(req, ino, vwfs_inode(req, ino), out.buf[0].fd);
	/* -o reserve: a write past the end leaves no unreserved hole (and a
	 * failed one gives the gap back) */
	n = vwfs_space_write_gap(fs, out.buf[0].fd, off, &gap,
				 fuse_req_ctx(req)->pid);
	if (!n)
		n = fuse_buf_copy(&out, in, 0);
	if (n <= 0)
		vwfs_space_write_gap_undo(fs, out.buf[0].fd, gap, off);
	if (fi->writepage && (n < 0 || (size_t)n < fuse_buf_size(in)))
		vwfs_space_write_lost(fs, out.buf[0].fd, off, fuse_buf_size(in),
				     n < 0 ? (int)-n : ENOSPC);
	vwfs_handle_done(fs);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

void vwfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	int fd = file_of(fi)->fd, ret;

	(void)ino;
	ret = (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? errno : 0;
	vwfs_handle_done(fs);
	fuse_reply_err(req, ret);
}

void vwfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
		      off_t len, struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	int fd = file_of(fi)->fd, ret;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	ret = vwfs_seals_check_write(vwfs_inode(req, ino), fd, off, len,
				     !(mode & FALLOC_FL_KEEP_SIZE));
	if (ret) {
		vwfs_handle_done(fs);
		fuse_reply_err(req, -ret);
		return;
	}
	/* The EFBIG rule; the store checks its free space and undoes a
	 * partial allocation. */
	ret = -vwfs_space_fallocate(fs, fd, mode, off, len,
				    fuse_req_ctx(req)->pid);
	vwfs_handle_done(fs);
	fuse_reply_err(req, ret);
}

void vwfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi)
{
	struct vwfs *fs = vwfs_data(req);
	off_t r;
	int e;

	(void)ino;
	r = lseek(file_of(fi)->fd, off, whence);
	e = errno;
	vwfs_handle_done(fs);
	if (r < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_lseek(req, r);
}

void vwfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags)
{
	struct vwfs *fs = vwfs_data(req);
	off_t gap, start = off_out;
	ssize_t n;
	int e;

	(void)ino_in;
	n = vwfs_seals_check_write(vwfs_inode(req, ino_out), file_of(fi_out)->fd,
				   off_out, (off_t)len, 1);
	if (!n)
		n = vwfs_space_write_gap(fs, file_of(fi_out)->fd, off_out, &gap,
					 fuse_req_ctx(req)->pid);
	if (n < 0) {
		vwfs_handle_done(fs);
		fuse_reply_err(req, (int)-n);
		return;
	}
	n = copy_file_range(file_of(fi_in)->fd, &off_in, file_of(fi_out)->fd,
			    &off_out, len, (unsigned)flags);
	e = errno;
	if (n <= 0)
		vwfs_space_write_gap_undo(fs, file_of(fi_out)->fd, gap, start);
	vwfs_handle_done(fs);
	if (n < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_write(req, (size_t)n);
}
