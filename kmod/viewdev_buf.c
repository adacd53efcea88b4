// SPDX-License-Identifier: GPL-2.0
/*
 * viewdev_buf.c — one buffer: its bytes (counted against the parameter
 * max_total_bytes), its shmem store, its char node /dev/view/NAME
 * (read/write/llseek/mmap) and its sysfs attributes.
 *
 * The node behaves like a fixed-size file: reads stop at the size, writes
 * past it fail with -ENOSPC (as on a block device), SEEK_END is the size,
 * and mmap puts the shmem file itself on the VMA, so every mapping shares
 * the store's pages and access past the end faults with SIGBUS.  A VMA
 * holds the shmem file (mapped data stays valid after the buffer is
 * destroyed), the buffer (its bytes stay counted against max_total_bytes)
 * and a module reference (rmmod waits for the last unmap).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/xarray.h>

#include "viewdev.h"
#include "viewdev_compat.h"

static struct class *viewdev_class;
static dev_t viewdev_devt_base;
static DEFINE_IDA(viewdev_minors);

/* ---- byte accounting: what all buffers hold, under max_total_bytes ---- */

static unsigned long long max_total_bytes = 256ULL << 20;
module_param(max_total_bytes, ullong, 0644);
MODULE_PARM_DESC(max_total_bytes, "most bytes in all buffers together (-ENOSPC beyond)");

/*
 * A buffer's size counts from create until it is freed: a destroyed
 * buffer still open or mapped keeps its store, so it keeps its bytes
 * under the limit.  The spinlock is innermost.
 */
static DEFINE_SPINLOCK(viewdev_bytes_lock);
static u64 viewdev_total_bytes;			/* viewdev_bytes_lock */

/* Count grow more bytes if they fit the limits; else -EFBIG, -ENOSPC. */
static int viewdev_bytes_get(u64 grow)
{
	u64 max = READ_ONCE(max_total_bytes);
	int ret = 0;

	if (grow > MAX_LFS_FILESIZE)
		return -EFBIG;
	spin_lock(&viewdev_bytes_lock);
	if (grow > max || viewdev_total_bytes > max - grow)
		ret = -ENOSPC;
	else
		viewdev_total_bytes += grow;
	spin_unlock(&viewdev_bytes_lock);
	return ret;
}

/* Give back bytes counted by viewdev_bytes_get (any context). */
static void viewdev_bytes_put(u64 bytes)
{
	spin_lock(&viewdev_bytes_lock);
	viewdev_total_bytes -= bytes;
	spin_unlock(&viewdev_bytes_lock);
}

void viewdev_bytes_usage(u64 *total, u64 *max)
{
	*max = READ_ONCE(max_total_bytes);
	spin_lock(&viewdev_bytes_lock);
	*total = viewdev_total_bytes;
	spin_unlock(&viewdev_bytes_lock);
}

/* ---- the buffer object ---- */

static void viewdev_buf_release(struct kref *ref)
{
	struct viewdev_buf *buf = container_of(ref, struct viewdev_buf, ref);

	viewdev_bytes_put(buf->size);
	fput(buf->shmem);
	kfree(buf);
}

void viewdev_buf_put(struct viewdev_buf *buf)
{
	kref_put(&buf->ref, viewdev_buf_release);
}

int viewdev_buf_may_change(const struct viewdev_buf *buf)
{
	if (uid_eq(current_fsuid(), buf->uid) || capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

/* ---- seals: who writes, and the ioctls that add and read them ---- */

static u32 viewdev_seals(struct viewdev_buf *buf)
{
	u32 seals;

	spin_lock(&buf->seal_lock);
	seals = buf->seals;
	spin_unlock(&buf->seal_lock);
	return seals;
}

/* Count one more writer (a writable open, a RW dma-buf): -EPERM if sealed. */
static int viewdev_writer_get(struct viewdev_buf *buf)
{
	int ret = 0;

	spin_lock(&buf->seal_lock);
	if (buf->seals & VIEWDEV_SEAL_WRITE)
		ret = -EPERM;
	else
		buf->writers++;
	spin_unlock(&buf->seal_lock);
	return ret;
}

static void viewdev_writer_put(struct viewdev_buf *buf)
{
	spin_lock(&buf->seal_lock);
	buf->writers--;
	spin_unlock(&buf->seal_lock);
}

/*
 * A VMA that writes to the store or can be made to (mprotect needs
 * VM_MAYWRITE): a shared one of a file opened for writing.  The write
 * seal waits for every such VMA to go.
 */
static bool viewdev_vma_may_write(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE);
}

static void viewdev_wmaps_add(struct viewdev_buf *buf, int n)
{
	spin_lock(&buf->seal_lock);
	buf->wmaps += n;
	spin_unlock(&buf->seal_lock);
}

/*
 * True when a page of the store may be pinned for DMA (FOLL_PIN: O_DIRECT,
 * io_uring fixed buffers): such a pin, taken for writing through a mapping
 * that is gone now, could still write after a write seal (memfd waits for
 * them; here the seal is EBUSY instead).  Called under seal_lock with no
 * writable-capable mapping left, so no new write pin can appear meanwhile
 * and the i_pages lock may be dropped now and then.  Our own dma-bufs hold
 * plain page references, which this does not count (but for 1024 of them
 * on one small page).
 */
static bool viewdev_store_pinned(struct viewdev_buf *buf)
{
	XA_STATE(xas, &buf->shmem->f_mapping->i_pages, 0);
	struct folio *folio;
	bool pinned = false;
	unsigned int n = 0;

	xas_lock_irq(&xas);
	xas_for_each(&xas, folio, ULONG_MAX) {
		if (xa_is_value(folio))
			continue;		/* swapped out: not pinned */
		if (folio_maybe_dma_pinned(folio)) {
			pinned = true;
			break;
		}
		if (++n % 1024 == 0) {
			xas_pause(&xas);
			xas_unlock_irq(&xas);
			xas_lock_irq(&xas);
		}
	}
	xas_unlock_irq(&xas);
	return pinned;
}

/*
 * Add seals.  The write seal's check (no writer, no writable-capable
 * shared VMA, no page pinned for DMA) and its setting happen under
 * seal_lock, where every writer and VMA is counted, so none slips in
 * between; lock (write) keeps a resize or a metadata write from running
 * across the change.
 */
static long viewdev_ioc_add_seals(struct viewdev_buf *buf, unsigned int cmd,
				  void __user *arg)
{
	struct viewdev_seals req;
	int ret;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags || (req.seals & ~VIEWDEV_SEALS))
		return -EINVAL;
	ret = viewdev_buf_may_change(buf);
	if (ret)
		return ret;
	down_write(&buf->lock);
	spin_lock(&buf->seal_lock);
	if ((req.seals & VIEWDEV_SEAL_WRITE) && !(buf->seals & VIEWDEV_SEAL_WRITE) &&
	    (buf->writers || buf->wmaps || viewdev_store_pinned(buf)))
		ret = -EBUSY;
	else
		buf->seals |= req.seals;
	spin_unlock(&buf->seal_lock);
	up_write(&buf->lock);
	return ret;
}

static long viewdev_ioc_get_seals(struct viewdev_buf *buf, unsigned int cmd,
				  void __user *arg)
{
	struct viewdev_seals req;
	int ret;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	req.seals = viewdev_seals(buf);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/* ---- dma-buf export ---- */

static void viewdev_export_done_ro(void *owner)
{
	viewdev_buf_put(owner);
}

static void viewdev_export_done_rw(void *owner)
{
	viewdev_writer_put(owner);
	viewdev_buf_put(owner);
}

/* True once buf was destroyed (its node is gone). */
static bool viewdev_buf_gone(struct viewdev_buf *buf)
{
	bool gone;

	mutex_lock(&viewdev_lock);
	gone = !buf->cdev;
	mutex_unlock(&viewdev_lock);
	return gone;
}

/*
 * A dma-buf of buf's pages as a new O_CLOEXEC fd.  The fd is reserved
 * first and installed last, once its number reached user space, so no
 * error leaves a descriptor behind.
 */
static long viewdev_ioc_export(struct file *file, struct viewdev_buf *buf,
			       unsigned int cmd, void __user *arg)
{
	struct viewdev_export req;
	struct dma_buf *dmabuf;
	bool rdwr;
	u64 size;
	int ret, fd;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if ((req.flags & ~VIEWDEV_EXPORT_FLAGS) || req.fd)
		return -EINVAL;
	rdwr = req.flags & VIEWDEV_EXPORT_RDWR;
	if (!(file->f_mode & FMODE_READ) || (rdwr && !(file->f_mode & FMODE_WRITE)))
		return -EBADF;
	if (viewdev_buf_gone(buf))
		return -ENODEV;

	/* the size cannot change while the pages are pinned */
	down_read(&buf->lock);
	size = buf->size;
	ret = -EPERM;
	if (!(buf->seals & VIEWDEV_SEAL_SHRINK))
		goto out_unlock;
	ret = -EINVAL;
	if (!size)
		goto out_unlock;
	if (rdwr) {
		ret = viewdev_writer_get(buf);
		if (ret)
			goto out_unlock;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		if (rdwr)
			viewdev_writer_put(buf);
		goto out_unlock;
	}
	/* the dma-buf's own reference, handed over below */
	kref_get(&buf->ref);
	dmabuf = viewdev_dmabuf_export(buf->shmem, size, rdwr,
				       rdwr ? viewdev_export_done_rw : viewdev_export_done_ro,
				       buf);
	up_read(&buf->lock);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	req.fd = fd;
	if (copy_to_user(arg, &req, sizeof(req))) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;

out_unlock:
	up_read(&buf->lock);
	return ret;
}

/* The ioctls of a node (uapi/viewdev.h); those of /dev/viewctl are -ENOTTY. */
static long viewdev_node_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct viewdev_buf *buf = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != VIEWDEV_IOC_MAGIC)
		return -ENOTTY;
	/* Match on the number alone so a wrong struct size is -EINVAL. */
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VIEWDEV_IOC_ADD_SEALS):
		return viewdev_ioc_add_seals(buf, cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_GET_SEALS):
		return viewdev_ioc_get_seals(buf, cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_EXPORT):
		return viewdev_ioc_export(file, buf, cmd, uarg);
	default:
		return -ENOTTY;
	}
}

/* ---- file operations on /dev/view/NAME ---- */

/*
 * An open for writing counts as a writer; on a write-sealed buffer it,
 * and O_TRUNC (which a char node otherwise ignores), is -EPERM.
 */
static int viewdev_open_seals(struct viewdev_buf *buf, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return viewdev_writer_get(buf);
	if ((file->f_flags & O_TRUNC) && (viewdev_seals(buf) & VIEWDEV_SEAL_WRITE))
		return -EPERM;
	return 0;
}

static int viewdev_open(struct inode *inode, struct file *file)
{
	struct viewdev_buf *buf;
	int ret = -ENODEV;

	/*
	 * The cdev tells which buffer; going through the registry (and not
	 * container_of) keeps a node that raced with destroy from reaching
	 * a freed buffer.
	 */
	mutex_lock(&viewdev_lock);
	list_for_each_entry(buf, &viewdev_buffers, node) {
		if (buf->cdev && buf->cdev == inode->i_cdev) {
			ret = viewdev_open_seals(buf, file);
			if (ret)
				break;
			kref_get(&buf->ref);
			atomic_inc(&buf->opens);
			file->private_data = buf;
			break;
		}
	}
	mutex_unlock(&viewdev_lock);
	return ret;
}

static int viewdev_release(struct inode *inode, struct file *file)
{
	struct viewdev_buf *buf = file->private_data;

	if (file->f_mode & FMODE_WRITE)
		viewdev_writer_put(buf);
	atomic_dec(&buf->opens);
	viewdev_buf_put(buf);
	return 0;
}

static ssize_t viewdev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct viewdev_buf *buf = iocb->ki_filp->private_data;
	struct kiocb kio;
	ssize_t ret;

	init_sync_kiocb(&kio, buf->shmem);
	kio.ki_pos = iocb->ki_pos;
	ret = vfs_iocb_iter_read(buf->shmem, &kio, to);
	iocb->ki_pos = kio.ki_pos;
	return ret;
}

static ssize_t viewdev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct viewdev_buf *buf = iocb->ki_filp->private_data;
	struct kiocb kio;
	ssize_t ret;
	loff_t pos;

	if (!iov_iter_count(from))
		return 0;
	down_read(&buf->lock);
	pos = (iocb->ki_flags & IOCB_APPEND) ? buf->size : iocb->ki_pos;
	if (buf->seals & VIEWDEV_SEAL_WRITE) {
		ret = -EPERM;	/* a writer blocks the seal: defence only */
		goto out;
	}
	if (pos < 0) {
		ret = -EINVAL;
		goto out;
	}
	if (pos >= buf->size) {
		ret = -ENOSPC;
		goto out;
	}
	/* Never let the write grow the store: the size is set by resize. */
	iov_iter_truncate(from, buf->size - pos);
	init_sync_kiocb(&kio, buf->shmem);
	kio.ki_pos = pos;
	ret = viewdev_iocb_iter_write(buf->shmem, &kio, from);
	if (ret > 0)
		iocb->ki_pos = kio.ki_pos;
out:
	up_read(&buf->lock);
	return ret;
}

static loff_t viewdev_llseek(struct file *file, loff_t offset, int whence)
{
	struct viewdev_buf *buf = file->private_data;

	return fixed_size_llseek(file, offset, whence,
				 i_size_read(file_inode(buf->shmem)));
}

/*
 * Mappings keep shmem's vm_operations (fault, map_pages, NUMA policy) with
 * open/close added, so that every VMA holds a module reference (rmmod is
 * refused while a buffer is mapped) and the buffer in vm_private_data.
 * shmem's table is not exported: it is copied from the first VMA shmem
 * sets up.  Set once, under viewdev_vm_ops_lock, and only read after.
 */
static DEFINE_MUTEX(viewdev_vm_ops_lock);
static const struct vm_operations_struct *viewdev_shmem_vm_ops;
static struct vm_operations_struct viewdev_vm_ops;

static void viewdev_vm_open(struct vm_area_struct *vma)
{
	struct viewdev_buf *buf = vma->vm_private_data;

	/* the VMA it was copied from holds both already */
	kref_get(&buf->ref);
	__module_get(THIS_MODULE);
	if (viewdev_vma_may_write(vma))
		viewdev_wmaps_add(buf, 1);
}

static void viewdev_vm_close(struct vm_area_struct *vma)
{
	struct viewdev_buf *buf = vma->vm_private_data;

	if (viewdev_vma_may_write(vma))
		viewdev_wmaps_add(buf, -1);
	viewdev_buf_put(buf);
	module_put(THIS_MODULE);
}

/*
 * Where a mapping goes: shmem's own choice, which aligns mappings of a
 * huge-page store to 2 MiB so that its faults can map whole huge pages.
 */
static unsigned long viewdev_get_unmapped_area(struct file *file,
					       unsigned long addr,
					       unsigned long len,
					       unsigned long pgoff,
					       unsigned long flags)
{
	struct viewdev_buf *buf = file->private_data;
	struct file *shm = buf->shmem;

	if (shm->f_op->get_unmapped_area)
		return shm->f_op->get_unmapped_area(shm, addr, len, pgoff, flags);
	return viewdev_mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

static int viewdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct viewdev_buf *buf = file->private_data;
	int ret;

	if (!buf->shmem->f_op->mmap)
		return -ENODEV;
	/*
	 * Write-sealed: no writable shared mapping, and a read-only one
	 * cannot become one.  (VM_SHARED needs a file open for writing,
	 * which the seal already refuses: this is defence in depth.)
	 */
	if ((vma->vm_flags & VM_SHARED) && (viewdev_seals(buf) & VIEWDEV_SEAL_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		viewdev_vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* The VMA now holds the shmem file, not this one. */
	vma_set_file(vma, buf->shmem);
	ret = buf->shmem->f_op->mmap(buf->shmem, vma);
	if (ret)
		return ret;
	if (!vma->vm_ops || vma->vm_ops->open || vma->vm_ops->close) {
		/*
		 * not shmem's plain table: leave it alone, and say so once;
		 * such a VMA cannot be counted out, so a writable-capable one
		 * keeps the buffer from ever being write-sealed
		 */
		pr_warn_once("viewdev: shmem's vm_operations have open/close; mappings do not pin their buffer\n");
		if (viewdev_vma_may_write(vma))
			viewdev_wmaps_add(buf, 1);
		return 0;
	}

	mutex_lock(&viewdev_vm_ops_lock);
	if (!viewdev_shmem_vm_ops) {
		viewdev_vm_ops = *vma->vm_ops;
		viewdev_vm_ops.open = viewdev_vm_open;
		viewdev_vm_ops.close = viewdev_vm_close;
		viewdev_shmem_vm_ops = vma->vm_ops;
	}
	mutex_unlock(&viewdev_vm_ops_lock);
	if (vma->vm_ops == viewdev_shmem_vm_ops) {
		/* this file's references pin both now */
		kref_get(&buf->ref);
		__module_get(THIS_MODULE);
		vma->vm_private_data = buf;
		vma->vm_ops = &viewdev_vm_ops;
		if (viewdev_vma_may_write(vma))
			viewdev_wmaps_add(buf, 1);
	}
	return 0;
}

static int viewdev_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	return 0;		/* the store is memory */
}

static const struct file_operations viewdev_buf_fops = {
	.owner = THIS_MODULE,
	.open = viewdev_open,
	.release = viewdev_release,
	.read_iter = viewdev_read_iter,
	.write_iter = viewdev_write_iter,
	.llseek = viewdev_llseek,
	.mmap = viewdev_mmap,
	.get_unmapped_area = viewdev_get_unmapped_area,
	.fsync = viewdev_fsync,
	.unlocked_ioctl = viewdev_node_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- sysfs attributes: /sys/dev/char/MAJOR:MINOR/{size,format,shape,seals} ---- */

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *page)
{
	struct viewdev_buf *buf = dev_get_drvdata(dev);
	ssize_t ret;

	down_read(&buf->lock);
	ret = sysfs_emit(page, "%llu\n", buf->size);
	up_read(&buf->lock);
	return ret;
}
static DEVICE_ATTR_RO(size);

/* Copy a sysfs write into a string of at most max-1 characters. */
static int viewdev_attr_input(const char *in, size_t count, char *out,
			      size_t max)
{
	if (count && in[count - 1] == '\n')
		count--;
	if (count >= max || memchr(in, '\0', count))
		return -EINVAL;
	memcpy(out, in, count);
	out[count] = '\0';
	return 0;
}

/* Show one string attribute of buf (format or shape). */
static ssize_t viewdev_str_show(struct viewdev_buf *buf, const char *s,
				char *page)
{
	ssize_t ret;

	down_read(&buf->lock);
	ret = sysfs_emit(page, "%s\n", s);
	up_read(&buf->lock);
	return ret;
}

/*
 * Set the shape (is_shape) or the format of buf from a sysfs write, once
 * it and the other one are valid metadata for the current size.
 */
static ssize_t viewdev_meta_store(struct device *dev, const char *in,
				  size_t count, bool is_shape)
{
	struct viewdev_buf *buf = dev_get_drvdata(dev);
	char *dst = is_shape ? buf->shape : buf->format;
	size_t max = is_shape ? sizeof(buf->shape) : sizeof(buf->format);
	char *val;
	int ret;

	val = kmalloc(max, GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	ret = viewdev_attr_input(in, count, val, max);
	if (ret)
		goto out;
	down_write(&buf->lock);
	ret = (buf->seals & VIEWDEV_SEAL_WRITE) ? -EPERM :
	      viewdev_meta_check(is_shape ? buf->format : val,
				 is_shape ? val : buf->shape, buf->size);
	if (!ret)
		strscpy(dst, val, max);
	up_write(&buf->lock);
out:
	kfree(val);
	return ret ? ret : count;
}

static ssize_t format_show(struct device *dev, struct device_attribute *attr,
			   char *page)
{
	struct viewdev_buf *buf = dev_get_drvdata(dev);

	return viewdev_str_show(buf, buf->format, page);
}

static ssize_t format_store(struct device *dev, struct device_attribute *attr,
			    const char *in, size_t count)
{
	return viewdev_meta_store(dev, in, count, false);
}
static DEVICE_ATTR_RW(format);

static ssize_t shape_show(struct device *dev, struct device_attribute *attr,
			  char *page)
{
	struct viewdev_buf *buf = dev_get_drvdata(dev);

	return viewdev_str_show(buf, buf->shape, page);
}

static ssize_t shape_store(struct device *dev, struct device_attribute *attr,
			   const char *in, size_t count)
{
	return viewdev_meta_store(dev, in, count, true);
}
static DEVICE_ATTR_RW(shape);

/* The seals as the viewfs xattr user.view.seals: "write,shrink,grow". */
static ssize_t seals_show(struct device *dev, struct device_attribute *attr,
			  char *page)
{
	static const struct { u32 bit; const char *word; } words[] = {
		{ VIEWDEV_SEAL_WRITE, "write" },
		{ VIEWDEV_SEAL_SHRINK, "shrink" },
		{ VIEWDEV_SEAL_GROW, "grow" },
	};
	u32 seals = viewdev_seals(dev_get_drvdata(dev));
	const char *sep = "";
	int len = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (seals & words[i].bit) {
			len += sysfs_emit_at(page, len, "%s%s", sep, words[i].word);
			sep = ",";
		}
	}
	return len + sysfs_emit_at(page, len, "\n");
}
static DEVICE_ATTR_RO(seals);

static struct attribute *viewdev_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_format.attr,
	&dev_attr_shape.attr,
	&dev_attr_seals.attr,
	NULL,
};
ATTRIBUTE_GROUPS(viewdev);

/* ---- the device: name view/NAME, owner and mode of the creator ---- */

static char *viewdev_type_devnode(VIEWDEV_DEVNODE_CONST struct device *dev,
				  umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	const struct viewdev_buf *buf = dev_get_drvdata(dev);

	if (mode)
		*mode = buf->mode;
	if (uid)
		*uid = buf->uid;
	if (gid)
		*gid = buf->gid;
	return NULL;		/* the name comes from the class */
}

static const struct device_type viewdev_type = {
	.name = "viewdev",
	.devnode = viewdev_type_devnode,
};

static char *viewdev_class_devnode(VIEWDEV_DEVNODE_CONST struct device *dev,
				   umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "view/%s", dev_name(dev));
}

static void viewdev_dev_release(struct device *dev)
{
	kfree(dev);
}

/*
 * The buffers' shmem files live in a tmpfs instance of the module's own,
 * mounted nowhere, with huge=HUGE (the module parameter), as i915 keeps
 * its objects: with within_size (the default) a buffer gets transparent
 * huge pages for every 2 MiB its size covers, and a small buffer pays no
 * huge page.  NULL: the kernel's internal shm mount (no huge= of ours).
 */
static struct vfsmount *viewdev_mnt;

int viewdev_store_init(const char *huge, bool required)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct vfsmount *mnt;
	char opts[32];

	/* tmpfs is built in: the reference get_fs_type took is no module's */
	if (!type)
		return required ? -ENODEV : 0;
	snprintf(opts, sizeof(opts), "huge=%s", huge);
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, opts);
	if (IS_ERR(mnt)) {
		if (required)
			return PTR_ERR(mnt);
		pr_info("viewdev: no tmpfs with %s (%ld): buffers use plain shmem pages\n",
			opts, PTR_ERR(mnt));
		return 0;
	}
	viewdev_mnt = mnt;
	return 0;
}

/* Files still mapped keep the instance alive until they are released. */
void viewdev_store_exit(void)
{
	if (viewdev_mnt)
		kern_unmount(viewdev_mnt);
	viewdev_mnt = NULL;
}

int viewdev_class_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&viewdev_devt_base, 0, VIEWDEV_MINORS, "view");
	if (ret)
		return ret;
	viewdev_class = viewdev_class_create("view");
	if (IS_ERR(viewdev_class)) {
		ret = PTR_ERR(viewdev_class);
		goto err_region;
	}
	viewdev_class->devnode = viewdev_class_devnode;
	viewdev_class->dev_groups = viewdev_groups;
	return 0;

err_region:
	unregister_chrdev_region(viewdev_devt_base, VIEWDEV_MINORS);
	return ret;
}

void viewdev_class_exit(void)
{
	class_destroy(viewdev_class);
	unregister_chrdev_region(viewdev_devt_base, VIEWDEV_MINORS);
	ida_destroy(&viewdev_minors);
}

/*
 * Make the buffer a req describes (already validated), count its bytes
 * (given back when the last reference goes) and publish its node.  Called
 * with viewdev_lock held; the caller adds it to the registry (which then
 * owns the initial reference).
 */
struct viewdev_buf *viewdev_buf_create(const struct viewdev_create *req)
{
	struct viewdev_buf *buf;
	struct device *dev;
	char label[VIEWDEV_NAME_MAX + 8];
	int minor, ret;

	ret = viewdev_bytes_get(req->size);
	if (ret)
		return ERR_PTR(ret);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		viewdev_bytes_put(req->size);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&buf->ref);
	INIT_LIST_HEAD(&buf->node);
	init_rwsem(&buf->lock);
	spin_lock_init(&buf->seal_lock);
	atomic_set(&buf->opens, 0);
	strscpy(buf->name, req->name, sizeof(buf->name));
	strscpy(buf->format, req->format, sizeof(buf->format));
	strscpy(buf->shape, req->shape, sizeof(buf->shape));
	buf->size = req->size;
	buf->uid = current_fsuid();
	buf->gid = current_fsgid();
	buf->mode = (req->flags & VIEWDEV_CREATE_MODE) ? req->mode : 0600;

	minor = ida_alloc_max(&viewdev_minors, VIEWDEV_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		ret = minor == -ENOSPC ? -EMFILE : minor;
		goto err_free;
	}
	buf->devt = MKDEV(MAJOR(viewdev_devt_base), minor);

	snprintf(label, sizeof(label), "viewdev:%s", buf->name);
	if (viewdev_mnt)
		buf->shmem = shmem_file_setup_with_mnt(viewdev_mnt, label, buf->size,
						       VM_NORESERVE);
	else
		buf->shmem = shmem_file_setup(label, buf->size, VM_NORESERVE);
	if (IS_ERR(buf->shmem)) {
		ret = PTR_ERR(buf->shmem);
		goto err_minor;
	}
	/*
	 * An internal file is opened without O_LARGEFILE, and
	 * generic_write_checks() then refuses writes at or past 2 GiB
	 * (EFBIG) and shortens those across it; the node's own open has
	 * it (force_o_largefile), so must the store it writes through.
	 * As memfd_create() does.
	 */
	buf->shmem->f_flags |= O_LARGEFILE;

	buf->cdev = cdev_alloc();
	if (!buf->cdev) {
		ret = -ENOMEM;
		goto err_shmem;
	}
	buf->cdev->owner = THIS_MODULE;
	buf->cdev->ops = &viewdev_buf_fops;
	ret = cdev_add(buf->cdev, buf->devt, 1);
	if (ret)
		goto err_cdev_put;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto err_cdev_del;
	}
	device_initialize(dev);
	dev->class = viewdev_class;
	dev->type = &viewdev_type;
	dev->devt = buf->devt;
	dev->release = viewdev_dev_release;
	dev_set_drvdata(dev, buf);
	ret = dev_set_name(dev, "%s", buf->name);
	if (ret)
		goto err_dev;
	ret = device_add(dev);
	if (ret)
		goto err_dev;
	buf->dev = dev;
	return buf;

err_dev:
	put_device(dev);
err_cdev_del:
	cdev_del(buf->cdev);
	goto err_shmem;
err_cdev_put:
	kobject_put(&buf->cdev->kobj);
err_shmem:
	fput(buf->shmem);
err_minor:
	ida_free(&viewdev_minors, minor);
err_free:
	kfree(buf);
	viewdev_bytes_put(req->size);
	return ERR_PTR(ret);
}

/*
 * Remove the node and the sysfs directory; open files and mappings keep
 * the store.  Called with viewdev_lock held, buffer already off the
 * registry list; the caller then drops the registry's reference.
 */
void viewdev_buf_unpublish(struct viewdev_buf *buf)
{
	device_unregister(buf->dev);
	buf->dev = NULL;
	cdev_del(buf->cdev);
	buf->cdev = NULL;
	ida_free(&viewdev_minors, MINOR(buf->devt));
}

/*
 * Set the store's size, counting the bytes it gains or giving back those
 * it loses.  The caller holds viewdev_lock.  Truncating the shmem file
 * unmaps pages past the new end from every mapping, so later access there
 * faults with SIGBUS.
 */
int viewdev_buf_resize(struct viewdev_buf *buf, u64 size)
{
	struct dentry *dentry = buf->shmem->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	struct iattr attr = { .ia_valid = ATTR_SIZE, .ia_size = size };
	u64 old, stale;
	int ret;

	down_write(&buf->lock);
	old = buf->size;
	ret = -EPERM;	/* a write-sealed buffer keeps its size too */
	if ((size < old && (buf->seals & (VIEWDEV_SEAL_SHRINK | VIEWDEV_SEAL_WRITE))) ||
	    (size > old && (buf->seals & (VIEWDEV_SEAL_GROW | VIEWDEV_SEAL_WRITE))))
		goto out;
	ret = viewdev_meta_check(buf->format, buf->shape, size);
	if (ret)
		goto out;
	if (size > old) {
		ret = viewdev_bytes_get(size - old);
		if (ret)
			goto out;
	}
	inode_lock(inode);
	ret = notify_change(VIEWDEV_NOP_IDMAP, dentry, &attr, NULL);
	inode_unlock(inode);
	if (ret)
		goto out_bytes;
	buf->size = size;
	/*
	 * New bytes must read as zero.  A shrink that could not split the
	 * huge page straddling the new end (another reference pins it)
	 * leaves that folio whole in the store, and a later mapping may map
	 * it with one PMD past the end, where writes land (tests/vm's
	 * test_resize_shrink_pinned_huge_page).  Growing punches what such a
	 * folio can hold past the old end: up to the next PMD boundary.
	 */
	stale = min_t(u64, size, ALIGN(old, PMD_SIZE));
	if (size > old && stale > old) {
		ret = vfs_fallocate(buf->shmem, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    old, stale - old);
		if (ret) {
			/*
			 * Cannot promise zeroes: back to the old size (the
			 * grown bytes are given back below); should even that
			 * fail, the grown size stands, as counted.
			 */
			attr.ia_size = old;
			inode_lock(inode);
			if (!notify_change(VIEWDEV_NOP_IDMAP, dentry, &attr, NULL))
				buf->size = old;
			else
				ret = 0;
			inode_unlock(inode);
		}
	}
out_bytes:
	if (ret && size > old)
		viewdev_bytes_put(size - old);
	else if (!ret && size < old)
		viewdev_bytes_put(old - size);
out:
	up_write(&buf->lock);
	return ret;
}
