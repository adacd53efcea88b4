/* SPDX-License-Identifier: GPL-2.0 */
/*
 * viewdev.h — what the parts of the viewdev module share: the buffer
 * object, the global registry and the metadata validators.
 *
 *   viewdev_main.c  module init/exit, parameters, /dev/viewctl ioctls
 *   viewdev_buf.c   one buffer: byte accounting, shmem store, char node,
 *                   sysfs attributes
 *   viewdev_meta.c  format/shape validation (the FUSE xattr rules)
 */
#ifndef VIEWDEV_H
#define VIEWDEV_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include <uapi/viewdev.h>

#define VIEWDEV_MINORS	4096	/* char minors reserved at load */

/*
 * One buffer.  Lifetime is its kref: the registry (viewdev_buffers) holds
 * one reference from create until destroy or module exit, every open
 * file on the node holds one in file->private_data and every VMA that
 * carries viewdev_vm_ops one in vm_private_data.  The buffer owns one
 * reference on the shmem file (each mapping holds its own as vm_file), its
 * size in the byte count until it is freed, and, until it is destroyed,
 * the cdev, the device and the minor number.
 */
struct viewdev_buf {
	struct kref ref;
	struct list_head node;		/* in viewdev_buffers; viewdev_lock */
	struct rw_semaphore lock;	/* size, format, shape */
	struct file *shmem;		/* the store: pages are the data */
	struct cdev *cdev;		/* NULL once destroyed; viewdev_lock */
	struct device *dev;		/* NULL once destroyed; viewdev_lock */
	dev_t devt;
	u64 size;			/* == i_size of shmem; lock held to change */
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	atomic_t opens;
	char name[VIEWDEV_NAME_MAX];
	char format[VIEWDEV_FORMAT_MAX];
	char shape[VIEWDEV_SHAPE_MAX];
};

/* Registry of live buffers (viewdev_main.c). */
extern struct mutex viewdev_lock;
extern struct list_head viewdev_buffers;

/* viewdev_buf.c */
/* The bytes all buffers hold (until freed) and the limit on them. */
void viewdev_bytes_usage(u64 *total, u64 *max);
int viewdev_class_init(void);
void viewdev_class_exit(void);
/* The buffers' tmpfs instance with huge=@huge; !@required: fall back to
 * plain shmem (0) where tmpfs refuses the option.  0 or -errno. */
int viewdev_store_init(const char *huge, bool required);
void viewdev_store_exit(void);
/* Counts req->size against max_total_bytes: ERR_PTR(-ENOSPC) beyond. */
struct viewdev_buf *viewdev_buf_create(const struct viewdev_create *req);
void viewdev_buf_unpublish(struct viewdev_buf *buf);
/* 0, or -EINVAL below the metadata, -ENOSPC/-EFBIG, a store error. */
int viewdev_buf_resize(struct viewdev_buf *buf, u64 size);
void viewdev_buf_put(struct viewdev_buf *buf);

/* viewdev_meta.c */
int viewdev_format_itemsize(const char *fmt);
int viewdev_meta_check(const char *fmt, const char *shape, u64 size);
int viewdev_name_check(const char *name);

#endif /* VIEWDEV_H */
