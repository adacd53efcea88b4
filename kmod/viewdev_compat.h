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
#include <linux/mm.h>
#include <linux/module.h>

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

/*
 * Since 6.6 vfs_iocb_iter_write() takes the store's freeze protection
 * itself; taking it around the call as well would nest sb_start_write()
 * (a deadlock against a pending freeze, a lockdep report).  Before 6.6
 * the caller takes it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static inline ssize_t viewdev_iocb_iter_write(struct file *file,
					      struct kiocb *iocb,
					      struct iov_iter *from)
{
	return vfs_iocb_iter_write(file, iocb, from);
}
#else
static inline ssize_t viewdev_iocb_iter_write(struct file *file,
					      struct kiocb *iocb,
					      struct iov_iter *from)
{
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iocb_iter_write(file, iocb, from);
	file_end_write(file);
	return ret;
}
#endif

/* mm->get_unmapped_area became mm_get_unmapped_area() in 6.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define viewdev_mm_get_unmapped_area(file, addr, len, pgoff, flags) \
	mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags)
#else
#define viewdev_mm_get_unmapped_area(file, addr, len, pgoff, flags) \
	current->mm->get_unmapped_area(file, addr, len, pgoff, flags)
#endif

/* vm_flags became read-only, changed through vm_flags_set/clear, in 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define viewdev_vm_flags_set(vma, flags) vm_flags_set(vma, flags)
#define viewdev_vm_flags_clear(vma, flags) vm_flags_clear(vma, flags)
#else
#define viewdev_vm_flags_set(vma, flags) ((vma)->vm_flags |= (flags))
#define viewdev_vm_flags_clear(vma, flags) ((vma)->vm_flags &= ~(flags))
#endif

/* MODULE_IMPORT_NS() takes a string literal since 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VIEWDEV_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#else
#define VIEWDEV_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif /* VIEWDEV_COMPAT_H */
