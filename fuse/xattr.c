/* SPDX-License-Identifier: MIT */
/*
 * viewfs extended attributes.  user.* attributes are stored on the store
 * object itself (so --store keeps them across restarts); user.view.format
 * and user.view.shape are checked with libview's vw_meta_check() against
 * each other and the file size before they are stored; user.view.seals
 * adds seals (seal.c), cannot be removed, and once the write seal is set
 * no user.view.* attribute changes.  Other namespaces
 * (security.*, trusted.*, system.*) are not stored: get answers ENODATA,
 * set answers EOPNOTSUPP.  getxattr must never answer ENOSYS, which would
 * switch xattrs off for the whole mount.
 */
#include "viewfs.h"
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define XATTR_FORMAT "user.view.format"
#define XATTR_SHAPE "user.view.shape"
#define META_MAX 4096	/* longest format/shape value accepted */

static int is_user(const char *name)
{
	return strncmp(name, "user.", 5) == 0;
}

/* The view metadata the write seal freezes (user.view.seals aside). */
static int is_view_meta(const char *name)
{
	return strncmp(name, "user.view.", 10) == 0 && strcmp(name, VW_SEALS_XATTR);
}

/* Under in->lock: -EPERM when the write seal freezes name. */
static int meta_frozen(struct vwfs *fs, struct vwfs_inode *in, const char *name)
{
	unsigned seals;
	int ret;

	if (!is_view_meta(name) || in->type != S_IFREG)
		return 0;
	ret = vwfs_seals_get(fs, in, -1, &seals);
	if (ret)
		return ret;
	return (seals & VW_SEAL_WRITE) ? -EPERM : 0;
}

/* user.* xattrs live on regular files and directories only (as in the VFS). */
static int has_user_xattrs(const struct vwfs_inode *in)
{
	return in->type == S_IFREG || in->type == S_IFDIR;
}

/*
 * The /proc path of in's store object, for attribute name, through *fd
 * (from vwfs_inode_fd(): give it back with vwfs_inode_fd_done() whatever the
 * result); or -not_user for a name outside user.*, -not_here for an object
 * without user.* attributes (each call answers those with the errno the
 * VFS would), or the error of vwfs_inode_fd().
 */
static int user_xattr_path(struct vwfs *fs, struct vwfs_inode *in, const char *name,
			   int not_user, int not_here, int *fd, char *path, size_t len)
{
	*fd = -1;
	if (!is_user(name))
		return -not_user;
	if (!has_user_xattrs(in))
		return -not_here;
	*fd = vwfs_inode_fd(fs, in, O_PATH);
	if (*fd < 0)
		return *fd;
	return vwfs_proc_path(*fd, path, len);
}

/* Read a metadata attribute as a C string; *out NULL when it is not set. */
static int read_meta(const char *path, const char *name, char **out)
{
	char *buf = malloc(META_MAX + 1);
	ssize_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	n = getxattr(path, name, buf, META_MAX);
	if (n < 0) {
		int e = errno;

		free(buf);
		return e == ENODATA ? 0 : -e;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int check_meta(struct vwfs *fs, struct vwfs_inode *in, const char *path,
		      const char *name, const char *value, size_t size, uid_t uid)
{
	int is_fmt = strcmp(name, XATTR_FORMAT) == 0;
	char *mine = NULL, *other = NULL;
	struct vw_error err;
	struct stat st;
	int ret;

	if (size > META_MAX || memchr(value, '\0', size)) {
		vwfs_log_xattr(fs, uid, in, name, value, size,
			      "value too long or contains NUL (EINVAL)");
		return -EINVAL;
	}
	if (in->type != S_IFREG) {
		vwfs_log_xattr(fs, uid, in, name, value, size,
			      "only regular files take view metadata (EINVAL)");
		return -EINVAL;	/* metadata describes a buffer's bytes */
	}
	mine = strndup(value, size);
	if (!mine)
		return -ENOMEM;
	ret = read_meta(path, is_fmt ? XATTR_SHAPE : XATTR_FORMAT, &other);
	if (ret)
		goto out;
	if (stat(path, &st) < 0) {
		ret = -errno;
		goto out;
	}
	memset(&err, 0, sizeof(err));
	ret = vw_meta_check(is_fmt ? mine : other, is_fmt ? other : mine,
			    (uint64_t)st.st_size, &err);
	if (ret < 0) {
		char why[sizeof(err.msg) + 16];

		snprintf(why, sizeof(why), "%s (EINVAL)", err.msg);
		vwfs_log_xattr(fs, uid, in, name, value, size, why);
		ret = -EINVAL;
	}
out:
	free(mine);
	free(other);
	return ret;
}

void vwfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_inode *in = vwfs_inode(req, ino);
	char path[64];
	int fd, ret;

	ret = user_xattr_path(fs, in, name, EOPNOTSUPP, EPERM, &fd, path, sizeof(path));
	if (ret) {
		vwfs_inode_fd_done(in, fd);
		fuse_reply_err(req, -ret);
		return;
	}
	/* The check and the store are one step against concurrent setters
	 * (and sealers). */
	pthread_mutex_lock(&in->lock);
	if (!strcmp(name, VW_SEALS_XATTR)) {
		ret = vwfs_seals_add(fs, in, path, value, size, fuse_req_ctx(req)->uid);
		pthread_mutex_unlock(&in->lock);
		vwfs_inode_fd_done(in, fd);
		fuse_reply_err(req, -ret);
		return;
	}
	ret = meta_frozen(fs, in, name);
	if (!ret && (!strcmp(name, XATTR_FORMAT) || !strcmp(name, XATTR_SHAPE)))
		ret = check_meta(fs, in, path, name, value, size,
				 fuse_req_ctx(req)->uid);
	if (!ret)	/* with the store's bound on xattr bytes */
		ret = vwfs_space_setxattr(fs, in, path, name, value, size, flags,
					 fuse_req_ctx(req)->uid);
	pthread_mutex_unlock(&in->lock);
	vwfs_inode_fd_done(in, fd);
	fuse_reply_err(req, -ret);
}

void vwfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size)
{
	struct vwfs *fs = vwfs_data(req);
	struct vwfs_inode *in = vwfs_inode(req, ino);
	char path[64], *buf = NULL;
	ssize_t n;
	int fd, ret;

	atomic_fetch_add(&fs->n_getxattr, 1);
	if (!strncmp(name, "security.", 9))
		atomic_fetch_add(&fs->n_getxattr_security, 1);
	ret = user_xattr_path(fs, in, name, ENODATA, ENODATA, &fd, path, sizeof(path));
	if (ret) {
		vwfs_inode_fd_done(in, fd);
		fuse_reply_err(req, -ret);
		return;
	}
	if (size) {
		buf = malloc(size);
		if (!buf) {
			vwfs_inode_fd_done(in, fd);
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	n = getxattr(path, name, buf, size);
	vwfs_inode_fd_done(in, fd);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(buf);
}

void vwfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct vwfs_inode *in = vwfs_inode(req, ino);
	char path[64], *raw = NULL, *out = NULL;
	ssize_t n, i, len = 0;
	int fd;

	if (!has_user_xattrs(in)) {
		if (size)
			fuse_reply_buf(req, NULL, 0);
		else
			fuse_reply_xattr(req, 0);
		return;
	}
	/* "user." is any user.* name: gets the path, or the error */
	n = user_xattr_path(vwfs_data(req), in, "user.", 0, 0, &fd, path, sizeof(path));
	if (n) {
		vwfs_inode_fd_done(in, fd);
		fuse_reply_err(req, (int)-n);
		return;
	}
	/* Only user.* names are ours to show; the store may hold others. */
	for (;;) {
		n = listxattr(path, NULL, 0);
		if (n < 0)
			goto err;
		free(raw);
		raw = malloc((size_t)n + 1);
		if (!raw) {
			errno = ENOMEM;
			goto err;
		}
		n = listxattr(path, raw, (size_t)n);
		if (n >= 0)
			break;
		if (errno != ERANGE)
			goto err;
	}
	out = malloc((size_t)n + 1);
	if (!out) {
		errno = ENOMEM;
		goto err;
	}
	for (i = 0; i < n; i += (ssize_t)strlen(raw + i) + 1) {
		if (is_user(raw + i)) {
			size_t l = strlen(raw + i) + 1;

			memcpy(out + len, raw + i, l);
			len += (ssize_t)l;
		}
	}
	vwfs_inode_fd_done(in, fd);
	if (!size)
		fuse_reply_xattr(req, (size_t)len);
	else if ((size_t)len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, out, (size_t)len);
	free(raw);
	free(out);
	return;
err:
	vwfs_inode_fd_done(in, fd);
	fuse_reply_err(req, errno);
	free(raw);
	free(out);
}

void vwfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct vwfs_inode *in = vwfs_inode(req, ino);
	char path[64];
	int fd, ret;

	ret = user_xattr_path(vwfs_data(req), in, name, EOPNOTSUPP, ENODATA, &fd, path, sizeof(path));
	if (ret) {
		vwfs_inode_fd_done(in, fd);
		fuse_reply_err(req, -ret);
		return;
	}
	/* seals are never removed; the write seal freezes the metadata */
	pthread_mutex_lock(&in->lock);
	if (!strcmp(name, VW_SEALS_XATTR))
		ret = -EPERM;
	if (!ret)
		ret = meta_frozen(vwfs_data(req), in, name);
	if (!ret)
		ret = vwfs_space_removexattr(vwfs_data(req), in, path, name);
	pthread_mutex_unlock(&in->lock);
	vwfs_inode_fd_done(in, fd);
	fuse_reply_err(req, -ret);
}
