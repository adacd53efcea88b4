/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/modload.h — unload and reload viewdev from a program in the
 * guest (viewdev_test and viewdev_fuzz), with the module file ko_path
 * that the program was given.  Static: each program includes it once.
 */
#ifndef VIEWDEV_MODLOAD_H
#define VIEWDEV_MODLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *ko_path;

/* rmmod viewdev without waiting: 0, -EWOULDBLOCK while in use, -errno. */
static int rmmod(void)
{
	return syscall(SYS_delete_module, "viewdev", O_NONBLOCK) ? -errno : 0;
}

/* insmod ko_path (no parameters): 0 or -errno. */
static int insmod(void)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

#endif
