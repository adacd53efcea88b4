/* SPDX-License-Identifier: GPL-2.0 */
/*
 * viewdev_compat.h — the kernel API differences between 6.1 (Debian 12)
 * and newer kernels, in one place.  Nothing else in kmod/ tests
 * LINUX_VERSION_CODE.
 */
#ifndef VIEWDEV_COMPAT_H
#define VIEWDEV_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/fs.h>

/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define viewdev_class_create(name) class_create(name)
#else
#define viewdev_class_create(name) class_create(THIS_MODULE, name)
#endif

/* devnode callbacks take a const device since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define VIEWDEV_DEVNODE_CONST const
#else
#define VIEWDEV_DEVNODE_CONST
#endif

/* notify_change() takes a struct mnt_idmap since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define VIEWDEV_NOP_IDMAP (&nop_mnt_idmap)
#else
#define VIEWDEV_NOP_IDMAP (&init_user_ns)
#endif

#endif /* VIEWDEV_COMPAT_H */
