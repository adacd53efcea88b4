// SPDX-License-Identifier: MIT
/*
 * viewfs: -o auto_unmount, done by the daemon itself, and the check for a
 * dead mount left on the mountpoint.
 *
 * libfuse implements auto_unmount by spawning `fusermount3 --auto-unmount`,
 * an option Debian 12's fusermount3 (3.14) does not know, while viewfs links
 * a newer private libfuse: the option then broke the mount or left it
 * "Transport endpoint is not connected" after a crash.  So viewfs takes the
 * option out of libfuse's hands: after mounting it forks a watcher that
 * holds nothing but the read end of a pipe whose write end only the daemon
 * holds.  A daemon that unmounted cleanly writes one byte before it exits,
 * and the watcher leaves without looking: the device number of an unmounted
 * FUSE connection is given to the next one, so a mount made on the same
 * path after a clean unmount would look like this one.  When the daemon
 * ends any other way (kill -9 included) the pipe reads EOF; if the
 * mountpoint still carries a fuse.viewfs mount with this device number in
 * /proc/self/mountinfo, the watcher detaches it.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* viewfs.h */
int vwfs_mount_dev(const char *path, char *dev, size_t devlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], mdev[64], mpoint[PATH_MAX], fstype[64];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		/* id parent major:minor root mountpoint ... - fstype ... */
		if (!sep || sscanf(line, "%*s %*s %63s %*s %4095s", mdev, mpoint) != 2 ||
		    sscanf(sep, " - %63s", fstype) != 1)
			continue;
		/* (mountinfo escapes blanks as \040: such a path is not found) */
		if (strcmp(fstype, "fuse.viewfs") || strcmp(mpoint, path))
			continue;
		snprintf(dev, devlen, "%s", mdev);
		found = 0;
	}
	fclose(f);
	return found;
}

/* The write end of the watcher's pipe (-1 without a watcher), and what it
 * watches. */
static int watcher_fd = -1;
static char watched_path[PATH_MAX], watched_dev[64];

static void watch(int rfd, const char *path, const char *dev)
{
	char now[64], c;
	ssize_t n;

	while ((n = read(rfd, &c, 1)) < 0 && errno == EINTR)
		;
	/* A byte: the daemon unmounted; what is there now is not ours. */
	if (n == 1)
		_exit(0);
	/* EOF: the daemon is gone without unmounting. */
	if (vwfs_mount_dev(path, now, sizeof(now)) != 0 || strcmp(now, dev))
		_exit(0);
	if (geteuid() == 0)
		_exit(umount2(path, MNT_DETACH) == 0 ? 0 : 1);
	execlp("fusermount3", "fusermount3", "-uqz", "--", path, (char *)NULL);
	_exit(1);
}

int vwfs_auto_unmount_start(const char *path)
{
	char dev[64];
	int p[2];
	pid_t pid;

	/* Never stat the mount point here: that would wait for our own reply. */
	if (vwfs_mount_dev(path, dev, sizeof(dev)) != 0)
		return -ENOENT;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		/* A grandchild, so nobody waits for it; out of the terminal's
		 * process group, so ^C reaches only the daemon (which unmounts
		 * by itself on SIGINT). */
		if (fork() != 0)
			_exit(0);
		setsid();
		prctl(PR_SET_NAME, "viewfs-unmount");
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(p[1]);
		/* Hold nothing else: above all not the /dev/fuse descriptor,
		 * which would keep the connection alive. */
		if (p[0] != 3) {
			dup2(p[0], 3);
			close(p[0]);
		}
		close_range(0, 2, 0);
		close_range(4, ~0U, 0);
		open("/dev/null", O_RDWR);
		dup2(0, 1);
		dup2(0, 2);
		watch(3, path, dev);
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
	/* p[1] stays open until the daemon exits or disarms the watcher.
	 * (O_CLOEXEC: nothing the daemon runs inherits it.) */
	watcher_fd = p[1];
	snprintf(watched_path, sizeof(watched_path), "%s", path);
	snprintf(watched_dev, sizeof(watched_dev), "%s", dev);
	return 0;
}

void vwfs_auto_unmount_disarm(void)
{
	char now[64];

	if (watcher_fd < 0)
		return;
	/* Still mounted (the unmount failed): leave the watcher armed. */
	if (vwfs_mount_dev(watched_path, now, sizeof(now)) == 0 && !strcmp(now, watched_dev))
		return;
	/* A full pipe cannot happen (one byte, once); a failed write leaves
	 * the EOF path, which still finds no mount of ours to detach. */
	if (write(watcher_fd, "u", 1) < 0)
		vwfs_log("viewfs: auto_unmount: cannot tell the watcher: %s\n", strerror(errno));
	close(watcher_fd);
	watcher_fd = -1;
}

int vwfs_mountpoint_dead(const char *mountpoint)
{
	struct statfs sf;

	/* Not stat(): the kernel may answer it from cached attributes for a
	 * while after the daemon died; STATFS always asks the daemon.  A
	 * request caught in flight by the abort ends with ECONNABORTED: with
	 * FUSE over io_uring the dead daemon's rings are torn down after its
	 * exit, and a STATFS sent meanwhile waits for that and gets this. */
	return statfs(mountpoint, &sf) < 0 && (errno == ENOTCONN || errno == ECONNABORTED);
}
