/* SPDX-License-Identifier: MIT */
/*
 * viewfs directories: an open directory (struct vwfs_dir, one per
 * opendir, owned by the kernel's file handle until releasedir) and the
 * operations on it: opendir, readdir, releasedir, fsyncdir.  Creating and
 * removing directories are operations on names of the parent (mkdir,
 * rmdir: inode.c).
 */
#include "viewfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void dir_free(struct vwfs *fs, struct vwfs_dir *d)
{
	vwfs_link_del(fs, &fs->dirs, &d->link);
	closedir(d->dp);
	atomic_fetch_sub(&fs->open_fds, 1);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* At exit: directories the kernel never released. */
void vwfs_dirs_free(struct vwfs *fs)
{
	while (fs->dirs)
		dir_free(fs, VWFS_CONTAINER(fs->dirs, struct vwfs_dir, link));
}

void vwfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vwfs_dir *d;
	int fd = vwfs_open_fds_check(req);

	if (fd) {
		fuse_reply_err(req, -fd);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fd = vwfs_inode_fd(vwfs_data(req), vwfs_inode(req, ino), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		errno = -fd;
	if (fd < 0 || !(d->dp = fdopendir(fd))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		free(d);
		fuse_reply_err(req, e);
		return;
	}
	pthread_mutex_init(&d->lock, NULL);
	fi->fh = (uintptr_t)d;
	vwfs_link_add(vwfs_data(req), &vwfs_data(req)->dirs, &d->link);
	vwfs_open_fds_add(vwfs_data(req));
	vwfs_fh_published(d);
	if (fuse_reply_open(req, fi) == -ENOENT)	/* interrupted */
		dir_free(vwfs_data(req), d);
}

/*
 * Offsets are the store's own d_off values (tmpfs keeps them stable while
 * entries come and go), so a reader that resumes after a concurrent
 * create or unlink neither skips nor repeats the entries that stayed.
 */
void vwfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct vwfs_dir *d = vwfs_fh(fi);
	struct vwfs *fs = vwfs_data(req);
	char *buf = malloc(size ? size : 1);
	size_t used = 0;
	int err = 0;

	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (;;) {
		struct dirent *de = d->entry;
		struct stat st;
		size_t n;

		if (!de) {
			errno = 0;
			de = readdir(d->dp);
			if (!de) {
				err = errno;
				break;
			}
			d->entry = de;
		}
		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)de->d_type << 12;
		n = fuse_add_direntry(req, buf + used, size - used, de->d_name,
				      &st, de->d_off);
		if (n > size - used)
			break;	/* full: keep this entry for the next call */
		used += n;
		d->entry = NULL;
		d->offset = de->d_off;
	}
	pthread_mutex_unlock(&d->lock);
	vwfs_handle_done(fs);	/* before the reply: see vwfs_handle_done */
	if (err && used == 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

void vwfs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vwfs_dir *d = vwfs_fh(fi);

	(void)ino;
	vwfs_handle_released(vwfs_data(req));
	dir_free(vwfs_data(req), d);
	fuse_reply_err(req, 0);
}

void vwfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	struct vwfs_dir *d = vwfs_fh(fi);
	int fd = dirfd(d->dp);
	int ret = (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? errno : 0;

	(void)ino;
	vwfs_handle_done(vwfs_data(req));
	fuse_reply_err(req, ret);
}
