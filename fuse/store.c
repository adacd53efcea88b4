/* SPDX-License-Identifier: MIT */
/*
 * viewfs store: where the buffers live.
 *
 * Default: a tmpfs instance of our own, made with fsopen/fsconfig/fsmount
 * and attached to no path, so only this daemon (and the kernel, for
 * passthrough I/O) can reach it.  Its files are shmem files exactly like
 * memfds, but the instance carries the -o size= and -o max_files= limits,
 * so the kernel answers ENOSPC even for passthrough writes that never
 * reach the daemon; it vanishes when the daemon's descriptors close.
 *
 * Without CAP_SYS_ADMIN the private tmpfs is made in a user namespace of
 * our own (see private_tmpfs_userns); only where that is not allowed
 * either is the store a fresh directory under /dev/shm (also RAM), removed
 * at exit, with /dev/shm's limits instead of size=.
 *
 * --store DIR: the tree lives in DIR itself, one file per buffer, so it
 * survives unmount, restart and a crash of the daemon.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the fs context logged last ("e tmpfs: Bad value for 'size'"),
 * without the level prefix and newline; "" when nothing. */
static void tmpfs_msg(int fsfd, char *buf, size_t len)
{
	ssize_t n;
	char *p = buf;

	buf[0] = '\0';
	while ((n = read(fsfd, buf, len - 1)) > 0)
		buf[n] = '\0';
	if (p[0] && p[1] == ' ')
		memmove(p, p + 2, strlen(p + 2) + 1);
	p[strcspn(p, "\n")] = '\0';
}

/* key: the tmpfs parameter; opt: the viewfs option the user wrote. */
static int tmpfs_set(int fsfd, const char *key, const char *opt, const char *val)
{
	char msg[256];

	if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, val, 0) < 0) {
		int e = errno;

		tmpfs_msg(fsfd, msg, sizeof(msg));
		vwfs_log("viewfs: bad %s=%s (%s)\n", opt, val, msg[0] ? msg : strerror(e));
		return -e;
	}
	return 0;
}

/*
 * Transparent huge pages for the private tmpfs (-o huge=).  The kernel
 * offers them when /sys/kernel/mm/transparent_hugepage exists (a kernel
 * without CONFIG_TRANSPARENT_HUGEPAGE refuses any huge= but never).
 */
static int have_thp(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/shmem_enabled", F_OK) == 0;
}

/* huge_value() chose the default: a tmpfs that refuses it (THP configured
 * but not usable on this CPU) is made without, and says so. */
static int huge_is_default;

/* huge: the value to give tmpfs, or NULL for none (huge=never, or the
 * default on a kernel without THP).  Returns the fsmount() descriptor,
 * -EPERM when not allowed, or -errno. */
static int private_tmpfs(const char *size, const char *max_files, const char *huge)
{
	char mode[16], uid[16], gid[16];
	int fsfd, mfd, ret;

	fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	snprintf(mode, sizeof(mode), "%o", 0755);
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	snprintf(gid, sizeof(gid), "%u", (unsigned)getgid());
	ret = tmpfs_set(fsfd, "mode", "mode", mode);
	if (!ret)
		ret = tmpfs_set(fsfd, "uid", "uid", uid);
	if (!ret)
		ret = tmpfs_set(fsfd, "gid", "gid", gid);
	if (!ret && size)
		ret = tmpfs_set(fsfd, "size", "size", size);
	if (!ret && max_files)
		ret = tmpfs_set(fsfd, "nr_inodes", "max_files", max_files);
	if (!ret && huge) {
		if (!huge_is_default) {
			ret = tmpfs_set(fsfd, "huge", "huge", huge);
		} else if (fsconfig(fsfd, FSCONFIG_SET_STRING, "huge", huge, 0) < 0) {
			char msg[256];

			tmpfs_msg(fsfd, msg, sizeof(msg));
			vwfs_log("viewfs: tmpfs refuses huge=%s (%s): the store uses "
				"4 KiB pages\n", huge, msg[0] ? msg : strerror(errno));
		}
	}
	if (ret)
		goto err_close;
	/* older kernels lack inode64: 32-bit inode numbers then */
	(void)fsconfig(fsfd, FSCONFIG_SET_FLAG, "inode64", NULL, 0);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		char msg[256];

		ret = -errno;
		tmpfs_msg(fsfd, msg, sizeof(msg));
		if (ret != -EPERM)
			vwfs_log("viewfs: cannot create the private tmpfs: %s\n",
				msg[0] ? msg : strerror(-ret));
		goto err_close;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (mfd < 0) {
		ret = -errno;
		goto err_close;
	}
	close(fsfd);
	return mfd;

err_close:
	close(fsfd);
	return ret;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Without CAP_SYS_ADMIN: a child enters a new user namespace (where it may
 * mount tmpfs), makes the private tmpfs there and hands its descriptor
 * back.  The instance belongs to that namespace, in which our uid is its
 * root, so the daemon (outside) owns its root directory and the kernel
 * still enforces size= and nr_inodes=.  Returns the fsmount() descriptor
 * or -errno.
 */
static int private_tmpfs_userns(const char *size, const char *max_files,
				const char *huge)
{
	char map[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	struct iovec iov;
	int sv[2], st, fd = -1, err = 0;
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	iov.iov_base = &err;
	iov.iov_len = sizeof(err);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (pid == 0) {
		close(sv[0]);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			err = -EPERM;	/* no user namespaces: use /dev/shm */
		} else {
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
			if (write_file("/proc/self/setgroups", "deny") ||
			    write_file("/proc/self/uid_map", map))
				err = -EPERM;
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
			if (!err && write_file("/proc/self/gid_map", map))
				err = -EPERM;
		}
		if (!err)
			fd = private_tmpfs(size, max_files, huge);
		if (fd < 0 && !err)
			err = fd;
		if (fd >= 0) {
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		_exit(sendmsg(sv[1], &msg, 0) < 0 ? 1 : 0);
	}
	close(sv[1]);
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC) != sizeof(err))
		err = err ? err : -EPERM;
	cm = CMSG_FIRSTHDR(&msg);
	if (!err && cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	else if (!err)
		err = -EPERM;
	close(sv[0]);
	waitpid(pid, &st, 0);
	return err ? err : fd;
}

static int root_open(struct vwfs *fs, int dirfd, const char *path)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	fs->root.path_fd = fd;
	fs->root.dev = st.st_dev;
	fs->root.ino = st.st_ino;
	fs->root.type = S_IFDIR;
	fs->root.nlookup = 2;	/* never forgotten */
	pthread_mutex_init(&fs->root.lock, NULL);
	pthread_spin_init(&fs->root.files_lock, PTHREAD_PROCESS_PRIVATE);
	return 0;
}

/* The pid holding a flock on the inode of fd, from /proc/locks, or 0. */
static long lock_holder(int fd)
{
	char line[256];
	struct stat st;
	long pid = 0;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long ino;
		long p;

		if (sscanf(line, "%*d: FLOCK %*s %*s %ld %x:%x:%llu", &p, &maj, &min, &ino) == 4 &&
		    ino == (unsigned long long)st.st_ino &&
		    makedev(maj, min) == st.st_dev) {
			pid = p;
			break;
		}
	}
	fclose(f);
	return pid;
}

/*
 * One daemon per --store DIR: an exclusive flock on DIR itself, held for
 * the daemon's lifetime (the descriptor survives fuse_daemonize's fork).
 * Locking the directory, not a file in it, keeps every name in the store
 * a buffer of the mounted tree.
 */
static int store_lock(struct vwfs *fs)
{
	long pid;
	int e;

	fs->lock_fd = open(fs->store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->lock_fd < 0) {
		e = errno;	/* vwfs_log may change errno */
		vwfs_log("viewfs: --store %s: %s\n", fs->store_dir, strerror(e));
		return -e;
	}
	if (flock(fs->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		e = errno;
		vwfs_log("viewfs: --store %s: lock: %s\n", fs->store_dir, strerror(e));
		return -e;
	}
	pid = lock_holder(fs->lock_fd);
	if (pid > 0)
		vwfs_log("viewfs: --store %s is in use by another viewfs daemon (pid %ld)\n",
			fs->store_dir, pid);
	else
		vwfs_log("viewfs: --store %s is in use by another viewfs daemon\n",
			fs->store_dir);
	return -EBUSY;
}

/*
 * -o huge= for the private tmpfs: tmpfs's values; NULL means the default,
 * within_size (a huge page for each 2 MiB a file's size covers, none for
 * small files).  *out is what to give tmpfs (NULL: nothing, also for the
 * default on a kernel without THP, which is logged).  0 or -EINVAL after
 * a one-line message.
 */
static int huge_value(const char *huge, const char **out)
{
	static const char *const values[] = { "never", "always", "within_size", "advise" };

	*out = NULL;
	if (!huge) {
		huge_is_default = 1;
		if (have_thp())
			*out = "within_size";
		else
			vwfs_log("viewfs: the kernel has no transparent huge pages: "
				"the store uses 4 KiB pages\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (strcmp(huge, values[i]))
			continue;
		if (i > 0 && !have_thp()) {
			vwfs_log("viewfs: huge=%s, but the kernel has no transparent "
				"huge pages (no /sys/kernel/mm/transparent_hugepage)\n", huge);
			return -EINVAL;
		}
		*out = i > 0 ? values[i] : NULL;
		return 0;
	}
	vwfs_log("viewfs: bad huge=%s (never, always, within_size or advise)\n", huge);
	return -EINVAL;
}

int vwfs_store_open(struct vwfs *fs, const char *dir, const char *size,
		   const char *max_files, const char *huge)
{
	char tmpl[] = "/dev/shm/viewfs.XXXXXX";
	const char *huge_val;
	int ret;

	fs->mnt_fd = -1;
	fs->lock_fd = -1;
	fs->handle_fd = -1;
	if (dir) {
		if (size || max_files) {
			vwfs_log("viewfs: -o size= and -o max_files= bound the RAM store; "
				"with --store %s the file system holding it sets the limits\n",
				dir);
			return -EINVAL;
		}
		if (huge) {
			vwfs_log("viewfs: -o huge= sets the RAM store's huge pages; with "
				"--store %s its file system decides (e.g. tmpfs huge=)\n",
				dir);
			return -EINVAL;
		}
		fs->store_kind = VWFS_STORE_DIR;
		fs->store_dir = realpath(dir, NULL);
		if (!fs->store_dir) {
			ret = -errno;
			vwfs_log("viewfs: --store %s: %s\n", dir, strerror(-ret));
			return ret;
		}
		ret = root_open(fs, AT_FDCWD, fs->store_dir);
		if (ret < 0) {
			vwfs_log("viewfs: --store %s: %s\n", dir, strerror(-ret));
			return ret;
		}
		return store_lock(fs);
	}

	ret = huge_value(huge, &huge_val);
	if (ret < 0)
		return ret;
	ret = private_tmpfs(size, max_files, huge_val);
	if (ret == -EPERM)
		ret = private_tmpfs_userns(size, max_files, huge_val);
	if (ret >= 0) {
		fs->store_kind = VWFS_STORE_TMPFS;
		fs->mnt_fd = ret;
		ret = root_open(fs, fs->mnt_fd, ".");
		if (ret < 0)
			vwfs_log("viewfs: private tmpfs root: %s\n", strerror(-ret));
		return ret;
	}
	if (ret != -EPERM)
		return ret;	/* said why already */

	/* No user namespaces either: a private directory on /dev/shm. */
	if (huge) {
		vwfs_log("viewfs: huge=%s: no permission for a private tmpfs, and the "
			"/dev/shm fallback store takes /dev/shm's huge pages (its mount's "
			"huge=); drop -o huge= to use it\n", huge);
		return -EINVAL;
	}
	if (size || max_files)
		vwfs_log("viewfs: warning: no permission for a private tmpfs; "
			"size=/max_files= are not enforced, /dev/shm's limits apply\n");
	if (!mkdtemp(tmpl)) {
		ret = -errno;
		vwfs_log("viewfs: cannot create a store under /dev/shm: %s\n",
			strerror(-ret));
		return ret;
	}
	fs->store_kind = VWFS_STORE_SHM;
	fs->store_dir = strdup(tmpl);
	if (!fs->store_dir) {
		rmdir(tmpl);
		return -ENOMEM;
	}
	ret = root_open(fs, AT_FDCWD, fs->store_dir);
	if (ret < 0) {
		vwfs_log("viewfs: %s: %s\n", fs->store_dir, strerror(-ret));
		rmdir(tmpl);
	}
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void vwfs_store_close(struct vwfs *fs)
{
	if (fs->lock_fd >= 0)
		close(fs->lock_fd);
	fs->lock_fd = -1;
	if (fs->handle_fd >= 0)
		close(fs->handle_fd);
	fs->handle_fd = -1;
	if (fs->root.path_fd >= 0)
		close(fs->root.path_fd);
	fs->root.path_fd = -1;
	if (fs->store_kind == VWFS_STORE_SHM && fs->store_dir)
		nftw(fs->store_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (fs->mnt_fd >= 0)
		close(fs->mnt_fd);
	fs->mnt_fd = -1;
	free(fs->store_dir);
	fs->store_dir = NULL;
}
