// SPDX-License-Identifier: GPL-2.0
/*
 * viewdev_main.c — the viewdev module: parameters (limits), the registry
 * of buffers and the control node /dev/viewctl with its ioctls
 * (uapi/viewdev.h).
 *
 * Locking: viewdev_lock (a mutex) protects the registry list, the
 * buffer count and the publication of nodes; it is taken by every ioctl
 * and by opens of a buffer node.  Each buffer's own rw_semaphore protects
 * its size and metadata and is taken inside viewdev_lock, never the
 * reverse.  The byte count and its limit max_total_bytes belong to the
 * buffers (viewdev_buf.c).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "viewdev.h"

static unsigned int max_buffers = 64;
module_param(max_buffers, uint, 0644);
MODULE_PARM_DESC(max_buffers, "most buffers at once (-EMFILE beyond; at most 4096)");

static char *huge = "within_size";
module_param(huge, charp, 0444);
MODULE_PARM_DESC(huge, "transparent huge pages for buffers, as tmpfs's huge=: never, always, within_size (default: a huge page for every 2 MiB a buffer's size covers), advise");

/* Guards viewdev_buffers, the count below and node publication. */
DEFINE_MUTEX(viewdev_lock);
LIST_HEAD(viewdev_buffers);
static unsigned int viewdev_nbuffers;		/* viewdev_lock */

/* The registry entry called name, or NULL.  viewdev_lock held. */
static struct viewdev_buf *viewdev_find(const char *name)
{
	struct viewdev_buf *buf;

	list_for_each_entry(buf, &viewdev_buffers, node) {
		if (!strcmp(buf->name, name))
			return buf;
	}
	return NULL;
}

/* As viewdev_copy_in, into a new allocation the caller kfree()s. */
static void *viewdev_dup_in(size_t size, unsigned int cmd, void __user *arg)
{
	if (_IOC_SIZE(cmd) != size)
		return ERR_PTR(-EINVAL);
	return memdup_user(arg, size);
}

static bool viewdev_str_ok(const char *s, size_t max)
{
	return strnlen(s, max) < max;
}

static long viewdev_ioc_version(unsigned int cmd, void __user *arg)
{
	struct viewdev_version v;
	int ret;

	ret = viewdev_copy_in(&v, sizeof(v), cmd, arg);
	if (ret)
		return ret;
	if (v.flags)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.version = VIEWDEV_VERSION;
	v.max_buffers = READ_ONCE(max_buffers);
	mutex_lock(&viewdev_lock);
	v.nbuffers = viewdev_nbuffers;
	mutex_unlock(&viewdev_lock);
	viewdev_bytes_usage(&v.total_bytes, &v.max_total_bytes);
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long viewdev_ioc_create(unsigned int cmd, void __user *arg)
{
	struct viewdev_create *req;
	struct viewdev_buf *buf;
	long ret;

	req = viewdev_dup_in(sizeof(*req), cmd, arg);
	if (IS_ERR(req))
		return PTR_ERR(req);
	ret = -EINVAL;
	if (req->flags & ~VIEWDEV_CREATE_FLAGS)
		goto out;
	if ((req->flags & VIEWDEV_CREATE_MODE) ?
	    (!req->mode || (req->mode & ~0777U)) : req->mode)
		goto out;
	if (viewdev_name_check(req->name) ||
	    !viewdev_str_ok(req->format, sizeof(req->format)) ||
	    !viewdev_str_ok(req->shape, sizeof(req->shape)))
		goto out;
	if (req->size > MAX_LFS_FILESIZE) {
		ret = -EFBIG;
		goto out;
	}
	ret = viewdev_meta_check(req->format, req->shape, req->size);
	if (ret)
		goto out;

	mutex_lock(&viewdev_lock);
	if (viewdev_find(req->name)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (viewdev_nbuffers >= min_t(unsigned int, READ_ONCE(max_buffers),
				      VIEWDEV_MINORS)) {
		ret = -EMFILE;
		goto out_unlock;
	}
	buf = viewdev_buf_create(req);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto out_unlock;
	}
	list_add_tail(&buf->node, &viewdev_buffers);
	viewdev_nbuffers++;
	ret = 0;
out_unlock:
	mutex_unlock(&viewdev_lock);
out:
	kfree(req);
	return ret;
}

/* Take buf off the registry and drop the registry's reference. */
static void viewdev_destroy_locked(struct viewdev_buf *buf)
{
	list_del_init(&buf->node);
	viewdev_nbuffers--;
	viewdev_buf_unpublish(buf);
	viewdev_buf_put(buf);
}

static long viewdev_ioc_destroy(unsigned int cmd, void __user *arg)
{
	struct viewdev_name req;
	struct viewdev_buf *buf;
	long ret;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags || req.pad || viewdev_name_check(req.name))
		return -EINVAL;
	mutex_lock(&viewdev_lock);
	buf = viewdev_find(req.name);
	ret = buf ? viewdev_buf_may_change(buf) : -ENOENT;
	if (!ret)
		viewdev_destroy_locked(buf);
	mutex_unlock(&viewdev_lock);
	return ret;
}

static long viewdev_ioc_resize(unsigned int cmd, void __user *arg)
{
	struct viewdev_resize req;
	struct viewdev_buf *buf;
	long ret;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags || req.pad || viewdev_name_check(req.name))
		return -EINVAL;
	if (req.size > MAX_LFS_FILESIZE)
		return -EFBIG;
	mutex_lock(&viewdev_lock);
	buf = viewdev_find(req.name);
	ret = buf ? viewdev_buf_may_change(buf) : -ENOENT;
	if (!ret)
		ret = viewdev_buf_resize(buf, req.size);
	mutex_unlock(&viewdev_lock);
	return ret;
}

static long viewdev_ioc_info(unsigned int cmd, void __user *arg)
{
	struct viewdev_info *info;
	struct viewdev_buf *buf;
	long ret;

	info = viewdev_dup_in(sizeof(*info), cmd, arg);
	if (IS_ERR(info))
		return PTR_ERR(info);
	ret = -EINVAL;
	if (info->flags || info->pad || viewdev_name_check(info->name))
		goto out;
	mutex_lock(&viewdev_lock);
	buf = viewdev_find(info->name);
	if (!buf) {
		mutex_unlock(&viewdev_lock);
		ret = -ENOENT;
		goto out;
	}
	memset(info, 0, sizeof(*info));
	strscpy(info->name, buf->name, sizeof(info->name));
	info->mode = buf->mode;
	info->uid = from_kuid_munged(current_user_ns(), buf->uid);
	info->gid = from_kgid_munged(current_user_ns(), buf->gid);
	info->major = MAJOR(buf->devt);
	info->minor = MINOR(buf->devt);
	info->opens = atomic_read(&buf->opens);
	down_read(&buf->lock);
	info->size = buf->size;
	strscpy(info->format, buf->format, sizeof(info->format));
	strscpy(info->shape, buf->shape, sizeof(info->shape));
	up_read(&buf->lock);
	mutex_unlock(&viewdev_lock);
	ret = copy_to_user(arg, info, sizeof(*info)) ? -EFAULT : 0;
out:
	kfree(info);
	return ret;
}

static long viewdev_ioc_list(unsigned int cmd, void __user *arg)
{
	struct viewdev_list req;
	struct viewdev_buf *buf;
	char (*names)[VIEWDEV_NAME_MAX] = NULL;
	u32 n = 0, want;
	long ret;

	ret = viewdev_copy_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	/* Snapshot under the lock, copy out after: no user fault under it. */
	want = min_t(u32, req.count, VIEWDEV_MINORS);
	if (want) {
		names = kvcalloc(want, VIEWDEV_NAME_MAX, GFP_KERNEL);
		if (!names)
			return -ENOMEM;
	}
	mutex_lock(&viewdev_lock);
	list_for_each_entry(buf, &viewdev_buffers, node) {
		if (n < want)
			strscpy(names[n], buf->name, VIEWDEV_NAME_MAX);
		n++;
	}
	mutex_unlock(&viewdev_lock);
	ret = 0;
	if (min(n, want) &&
	    copy_to_user(u64_to_user_ptr(req.names), names,
			 (size_t)min(n, want) * VIEWDEV_NAME_MAX))
		ret = -EFAULT;
	kvfree(names);
	if (ret)
		return ret;
	req.count = n;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long viewdev_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != VIEWDEV_IOC_MAGIC)
		return -ENOTTY;
	/* Match on the number alone so a wrong struct size is -EINVAL. */
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VIEWDEV_IOC_VERSION):
		return viewdev_ioc_version(cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_CREATE):
		return viewdev_ioc_create(cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_DESTROY):
		return viewdev_ioc_destroy(cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_RESIZE):
		return viewdev_ioc_resize(cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_INFO):
		return viewdev_ioc_info(cmd, uarg);
	case _IOC_NR(VIEWDEV_IOC_LIST):
		return viewdev_ioc_list(cmd, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations viewdev_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = viewdev_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice viewdev_ctl = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "viewctl",
	.fops = &viewdev_ctl_fops,
	.mode = 0666,
};

static int __init viewdev_init(void)
{
	static const char *const modes[] = { "never", "always", "within_size", "advise" };
	bool known = false;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		known |= !strcmp(huge, modes[i]);
	if (!known) {
		pr_err("viewdev: huge=%s: expected never, always, within_size or advise\n", huge);
		return -EINVAL;
	}
	/* the default falls back where tmpfs has no huge pages; a choice does not */
	ret = viewdev_store_init(huge, strcmp(huge, "within_size") != 0);
	if (ret) {
		pr_err("viewdev: huge=%s: the kernel's tmpfs refuses it (%d)\n", huge, ret);
		return ret;
	}
	ret = viewdev_class_init();
	if (ret)
		goto err_store;
	ret = misc_register(&viewdev_ctl);
	if (ret)
		goto err_class;
	return 0;

err_class:
	viewdev_class_exit();
err_store:
	viewdev_store_exit();
	return ret;
}

/*
 * No file of ours is open (each holds a module reference), so every
 * buffer holds only the registry's reference and is freed here; mappings
 * keep their shmem file on their own.
 */
static void __exit viewdev_exit(void)
{
	struct viewdev_buf *buf, *tmp;

	misc_deregister(&viewdev_ctl);
	mutex_lock(&viewdev_lock);
	list_for_each_entry_safe(buf, tmp, &viewdev_buffers, node)
		viewdev_destroy_locked(buf);
	mutex_unlock(&viewdev_lock);
	viewdev_class_exit();
	viewdev_store_exit();
}

module_init(viewdev_init);
module_exit(viewdev_exit);

MODULE_DESCRIPTION("viewdev: shared memory buffers as character devices");
MODULE_AUTHOR("viewfs project");
MODULE_LICENSE("GPL");
MODULE_VERSION(VIEWDEV_MODVER);
