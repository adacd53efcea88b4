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
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uaccess.h>
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
 * the cdev, the device and the minor number.  An exported dma-buf holds
 * one reference (and, read-write, counts as a writer) until released.
 *
 * Seals (uapi VIEWDEV_SEAL_*) are only ever added, under both lock
 * (write) and seal_lock, so either lock is enough to read them: resize
 * and the metadata writes hold lock across their check and change;
 * opens, mmap and exports change writers/wmaps under seal_lock, where
 * VIEWDEV_IOC_ADD_SEALS decides that both are 0 and sets the write seal.
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
	spinlock_t seal_lock;		/* seals, writers, wmaps; innermost */
	u32 seals;			/* VIEWDEV_SEAL_* */
	unsigned int writers;		/* open files with FMODE_WRITE, RW dma-bufs */
	unsigned int wmaps;		/* VMAs VM_SHARED with VM_MAYWRITE */
	char name[VIEWDEV_NAME_MAX];
	char format[VIEWDEV_FORMAT_MAX];
	char shape[VIEWDEV_SHAPE_MAX];
};

/* Registry of live buffers (viewdev_main.c). */
extern struct mutex viewdev_lock;
extern struct list_head viewdev_buffers;

/*
 * Copy an ioctl argument in after checking that the command carries the
 * size this module knows: 0, -EINVAL, -EFAULT.
 */
static inline int viewdev_copy_in(void *dst, size_t size, unsigned int cmd,
				  void __user *arg)
{
	if (_IOC_SIZE(cmd) != size)
		return -EINVAL;
	if (copy_from_user(dst, arg, size))
		return -EFAULT;
	return 0;
}

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
/* 0 when the caller may destroy, resize or seal buf, else -EPERM. */
int viewdev_buf_may_change(const struct viewdev_buf *buf);
void viewdev_buf_unpublish(struct viewdev_buf *buf);
/* 0, or -EPERM sealed against it, -EINVAL below the metadata,
 * -ENOSPC/-EFBIG, a store error. */
int viewdev_buf_resize(struct viewdev_buf *buf, u64 size);
void viewdev_buf_put(struct viewdev_buf *buf);

/* viewdev_dmabuf.c */
struct dma_buf;
/*
 * Pin the pages of the first size bytes (size > 0) of the shmem file
 * store and export them as a dma-buf, read-write or read-only.  The
 * dma-buf holds the module; when it is released the pages are unpinned
 * and done(owner) is called.  done(owner) is called exactly once in every
 * case, on an error before this returns: the caller hands its reference
 * on owner over.  The dma-buf, or ERR_PTR(-ENOMEM) or a shmem error.
 */
struct dma_buf *viewdev_dmabuf_export(struct file *store, u64 size, bool rdwr,
				      void (*done)(void *owner), void *owner);

/* viewdev_meta.c */
int viewdev_format_itemsize(const char *fmt);
int viewdev_meta_check(const char *fmt, const char *shape, u64 size);
int viewdev_name_check(const char *name);

#endif /* VIEWDEV_H */
