/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * viewdev — shared memory buffers as character devices.
 *
 * The only header shared by the viewdev kernel module and user space.
 * The control node /dev/viewctl takes the ioctls VERSION to LIST below;
 * each buffer is a character node /dev/view/NAME backed by a shmem file,
 * which takes ADD_SEALS, GET_SEALS and EXPORT, with the attributes size,
 * format, shape and seals under /sys/dev/char/MAJOR:MINOR/.
 *
 * Rules every ioctl follows (Documentation/process/botching-up-ioctls.rst):
 * fixed-size fields with explicit padding; padding and reserved fields must
 * be zero; unknown bits in "flags" are rejected with -EINVAL; the struct
 * size encoded in the command must match the one the module knows
 * (-EINVAL otherwise); strings are NUL-terminated inside their field.
 * VIEWDEV_VERSION changes when any of these structs does.
 */
#ifndef _UAPI_LINUX_VIEWDEV_H
#define _UAPI_LINUX_VIEWDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VIEWDEV_VERSION		2	/* 2: seals, dma-buf export */

#define VIEWDEV_CTL_PATH	"/dev/viewctl"
#define VIEWDEV_DIR		"/dev/view"	/* nodes are VIEWDEV_DIR/NAME */

/*
 * Field sizes, each including the terminating NUL.  A name is 1..63
 * printable ASCII characters other than '/', and not "." or "..".
 */
#define VIEWDEV_NAME_MAX	64
#define VIEWDEV_FORMAT_MAX	16
#define VIEWDEV_SHAPE_MAX	256

/* struct viewdev_create.flags */
#define VIEWDEV_CREATE_MODE	(1U << 0)	/* mode is given (else 0600) */
#define VIEWDEV_CREATE_FLAGS	(VIEWDEV_CREATE_MODE)

/*
 * VIEWDEV_IOC_VERSION: what this module speaks and its limits.
 * Everything is output; flags must be zero on input.  total_bytes, the
 * sum max_total_bytes bounds, counts a destroyed buffer until its last
 * close/unmap (its store lives until then).
 */
struct viewdev_version {
	__u32 flags;		/* in: 0 */
	__u32 version;		/* out: VIEWDEV_VERSION */
	__u32 max_buffers;	/* out: module parameter max_buffers */
	__u32 nbuffers;		/* out: buffers that exist now */
	__u64 max_total_bytes;	/* out: module parameter max_total_bytes */
	__u64 total_bytes;	/* out: sum of the sizes of buffers (above) */
};

/*
 * VIEWDEV_IOC_CREATE: create /dev/view/NAME of size bytes (zero-filled),
 * owned by the caller's fsuid/fsgid, with mode (0600 without
 * VIEWDEV_CREATE_MODE; permission bits only, not 0).  format and shape are
 * optional metadata (empty string: unset), validated as the sysfs
 * attributes are.
 * Errors: -EINVAL bad flags, padding, name, mode, format or shape;
 * -EEXIST name taken; -EMFILE max_buffers reached; -ENOSPC max_total_bytes
 * would be exceeded; -EFBIG size beyond what a file can hold; -EFAULT.
 */
struct viewdev_create {
	__u32 flags;		/* VIEWDEV_CREATE_* */
	__u32 mode;		/* permission bits of the node */
	__u64 size;		/* bytes */
	char name[VIEWDEV_NAME_MAX];
	char format[VIEWDEV_FORMAT_MAX];
	char shape[VIEWDEV_SHAPE_MAX];
};

/*
 * VIEWDEV_IOC_DESTROY: remove /dev/view/NAME.  Open files and mappings
 * keep the data until they are closed/unmapped.
 * Errors: -EINVAL bad flags, padding or name; -ENOENT no such buffer;
 * -EPERM caller neither the owner nor CAP_SYS_ADMIN.
 */
struct viewdev_name {
	__u32 flags;		/* 0 */
	__u32 pad;		/* 0 */
	char name[VIEWDEV_NAME_MAX];
};

/*
 * VIEWDEV_IOC_RESIZE: set the size; new bytes read as zero, mappings past
 * the new end fault with SIGBUS.
 * Errors: as VIEWDEV_IOC_DESTROY; -EPERM also a shrink of a buffer with
 * VIEWDEV_SEAL_SHRINK, a growth with VIEWDEV_SEAL_GROW, any change with
 * VIEWDEV_SEAL_WRITE; -EINVAL a size
 * smaller than the shape attribute describes; -ENOSPC, -EFBIG as
 * VIEWDEV_IOC_CREATE.
 */
struct viewdev_resize {
	__u32 flags;		/* 0 */
	__u32 pad;		/* 0 */
	__u64 size;
	char name[VIEWDEV_NAME_MAX];
};

/*
 * VIEWDEV_IOC_INFO: describe one buffer.  In: flags, pad, name.
 * Errors: as VIEWDEV_IOC_DESTROY, without -EPERM.
 */
struct viewdev_info {
	__u32 flags;		/* in: 0 */
	__u32 pad;		/* in: 0 */
	char name[VIEWDEV_NAME_MAX];	/* in */
	__u64 size;		/* out */
	__u32 mode;		/* out: permission bits of the node */
	__u32 uid;		/* out: in the caller's user namespace */
	__u32 gid;		/* out */
	__u32 major;		/* out: of /dev/view/NAME */
	__u32 minor;		/* out */
	__u32 opens;		/* out: open files on the node */
	char format[VIEWDEV_FORMAT_MAX];	/* out: "" when unset */
	char shape[VIEWDEV_SHAPE_MAX];	/* out: "" when unset */
};

/*
 * VIEWDEV_IOC_LIST: the names of every buffer.  In: names points to an
 * array of count entries of char[VIEWDEV_NAME_MAX] (count may be 0 and
 * names 0 then).  Out: count is the number of buffers; the first
 * min(count in, count out) entries are filled, in creation order.
 * Errors: -EINVAL bad flags or padding; -EFAULT names not writable.
 */
struct viewdev_list {
	__u32 flags;		/* in: 0 */
	__u32 count;		/* in: entries at names; out: buffers */
	__u64 names;		/* in: user pointer */
};

/*
 * Seals of a buffer: the values of memfd's F_SEAL_SHRINK, F_SEAL_GROW and
 * F_SEAL_WRITE, with their meaning (F_SEAL_SEAL is not offered).  Seals
 * are only ever added.  After
 *   VIEWDEV_SEAL_WRITE   every open of the node for writing (O_WRONLY,
 *                        O_RDWR, O_TRUNC), write, writable shared mmap
 *                        (and mprotect to one: shared mappings lose
 *                        VM_MAYWRITE), read-write export, RESIZE (as
 *                        viewfs refuses truncate) and write of the format
 *                        or shape attribute fails with -EPERM, for every
 *                        user, root included;
 *   VIEWDEV_SEAL_SHRINK  VIEWDEV_IOC_RESIZE to a smaller size is -EPERM,
 *                        so no mapping of the buffer can be cut (SIGBUS);
 *   VIEWDEV_SEAL_GROW    VIEWDEV_IOC_RESIZE to a larger size is -EPERM.
 * Reads, read-only and private mappings, read-only exports, INFO and
 * destroy keep working.
 */
#define VIEWDEV_SEAL_SHRINK	0x0002U
#define VIEWDEV_SEAL_GROW	0x0004U
#define VIEWDEV_SEAL_WRITE	0x0008U
#define VIEWDEV_SEALS		(VIEWDEV_SEAL_SHRINK | VIEWDEV_SEAL_GROW | \
				 VIEWDEV_SEAL_WRITE)

/*
 * VIEWDEV_IOC_ADD_SEALS (on a node, any open of it; a read-only one is
 * enough): add seals to the buffer; 0 adds nothing, a seal already set is
 * no error.  The write seal needs the buffer to have no open file with
 * write access (the file the ioctl is issued on counts: seal through a
 * read-only open), no read-write dma-buf and no shared mapping that is or
 * can be made writable (a MAP_SHARED mapping of a file opened O_RDWR, even
 * PROT_READ, counts until unmapped) and no page pinned for DMA (O_DIRECT,
 * io_uring fixed buffers); nothing changes when it fails.
 * Errors: -EINVAL flags or unknown bits in seals; -EPERM caller neither
 * the buffer's owner (fsuid) nor CAP_SYS_ADMIN; -EBUSY as above; -EFAULT.
 *
 * VIEWDEV_IOC_GET_SEALS (on a node): seals is set to the buffer's seals.
 * Errors: -EINVAL flags; -EFAULT.
 */
struct viewdev_seals {
	__u32 flags;		/* in: 0 */
	__u32 seals;		/* ADD: in, VIEWDEV_SEAL_*; GET: out */
};

/* struct viewdev_export.flags */
#define VIEWDEV_EXPORT_RDWR	(1U << 0)	/* read-write (else read-only) */
#define VIEWDEV_EXPORT_FLAGS	(VIEWDEV_EXPORT_RDWR)

/*
 * VIEWDEV_IOC_EXPORT (on a node): a dma-buf of the buffer's pages (its
 * size rounded up to whole pages), as a new file descriptor fd, always
 * O_CLOEXEC.  The buffer must carry VIEWDEV_SEAL_SHRINK (as udmabuf asks
 * F_SEAL_SHRINK of a memfd): its pages stay the buffer's for the
 * dma-buf's life, and growing it later does not change the dma-buf.  The
 * dma-buf holds the buffer (and the module): destroy removes the name
 * only, rmmod is refused until the dma-buf's last file and mapping are
 * gone.  It can be mmap()ed (MAP_SHARED only; PROT_WRITE needs
 * VIEWDEV_EXPORT_RDWR) and takes DMA_BUF_IOCTL_SYNC around CPU access.
 * A read-only dma-buf maps for devices as DMA_TO_DEVICE only (an importer
 * asking more, as DRM's PRIME import does, fails with -EPERM); a
 * read-write one counts as a writer for VIEWDEV_SEAL_WRITE until released.
 * Errors: -EINVAL flags unknown or fd not 0, or a buffer of size 0;
 * -EBADF the node is not open for reading, or RDWR asked of a node not
 * open for writing; -EPERM no VIEWDEV_SEAL_SHRINK, or RDWR asked of a
 * write-sealed buffer; -ENODEV the buffer was destroyed; -EMFILE no free
 * file descriptor; -ENOMEM; -EFAULT.
 */
struct viewdev_export {
	__u32 flags;		/* in: VIEWDEV_EXPORT_* */
	__s32 fd;		/* in: 0; out: the dma-buf */
};

#define VIEWDEV_IOC_MAGIC	'V'
#define VIEWDEV_IOC_VERSION	_IOWR(VIEWDEV_IOC_MAGIC, 0, struct viewdev_version)
#define VIEWDEV_IOC_CREATE	_IOW(VIEWDEV_IOC_MAGIC, 1, struct viewdev_create)
#define VIEWDEV_IOC_DESTROY	_IOW(VIEWDEV_IOC_MAGIC, 2, struct viewdev_name)
#define VIEWDEV_IOC_RESIZE	_IOW(VIEWDEV_IOC_MAGIC, 3, struct viewdev_resize)
#define VIEWDEV_IOC_INFO	_IOWR(VIEWDEV_IOC_MAGIC, 4, struct viewdev_info)
#define VIEWDEV_IOC_LIST	_IOWR(VIEWDEV_IOC_MAGIC, 5, struct viewdev_list)
/* on a node /dev/view/NAME */
#define VIEWDEV_IOC_ADD_SEALS	_IOW(VIEWDEV_IOC_MAGIC, 6, struct viewdev_seals)
#define VIEWDEV_IOC_GET_SEALS	_IOR(VIEWDEV_IOC_MAGIC, 7, struct viewdev_seals)
#define VIEWDEV_IOC_EXPORT	_IOWR(VIEWDEV_IOC_MAGIC, 8, struct viewdev_export)

#endif /* _UAPI_LINUX_VIEWDEV_H */
