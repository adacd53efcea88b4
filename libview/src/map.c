/* SPDX-License-Identifier: MIT */
/*
 * Mappings and their reference counts.
 *
 * A struct vw_map owns one memory range: an mmap of a file or device node
 * (unmapped on the last put; the descriptor is closed right after mmap, as
 * the mapping keeps the file alive), or the caller's memory (handed back
 * through the caller's release callback on the last put).  Every live
 * owning struct vw_view holds exactly one reference (refs); views are
 * created only by vw_open*, vw_from_memory and the derivations, each
 * taking one reference, and vw_release drops it.  The count is atomic so
 * views on one mapping may be released from different threads (while the
 * process has a single thread it is updated without a lock prefix:
 * vw__map_get/vw__map_drop in internal.h).  A borrowed view (vw_borrow)
 * holds none: its map pointer carries bit 0 (VW__BORROWED), derivations
 * from it copy that tagged pointer and take nothing, and vw_release only
 * clears it.
 */
#include "internal.h"
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

size_t vw__map_len(const struct vw_map *m)
{
	return m->len;
}

/* Base address for empty views: never dereferenced, never NULL. */
static char vw__empty[1];

static void vw__map_put(struct vw_map *m)
{
	if (vw__map_drop(m) != 1)
		return;
	if (m->is_mmap && m->addr)
		munmap(m->addr, m->len);
	else if (m->release)
		m->release(m->addr, m->len, m->arg);
	free(m);
}

void vw__map_range(const struct vw_map *m, uintptr_t *base, size_t *len,
		   int *populate)
{
	*base = (uintptr_t)m->addr;
	*len = m->addr ? m->len : 0;
	if (populate)
		*populate = m->is_mmap && m->is_reg && m->addr;
}

/* A fresh 1-D 'B' view over m. */
static void vw__byte_view(struct vw_view *v, struct vw_map *m, int readonly)
{
	v->buf = m->addr ? m->addr : vw__empty;
	v->map = m;
	v->len = (ssize_t)m->len;
	v->itemsize = 1;
	v->ndim = 1;
	v->readonly = readonly;
	memset(v->format, 0, sizeof(v->format));
	v->format[0] = 'B';
	vw_format_parse("B", &v->fmt, NULL);
	v->shape[0] = (ssize_t)m->len;
	v->strides[0] = 1;
}

static struct vw_map *vw__map_new(void *addr, size_t len, int is_mmap)
{
	struct vw_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	atomic_init(&m->refs, 1);
	m->addr = addr;
	m->len = len;
	m->is_mmap = is_mmap;
	return m;
}

VW_PUBLIC int vw_from_memory(struct vw_view *out, void *ptr, size_t len,
			     int flags,
			     void (*release)(void *ptr, size_t len, void *arg),
			     void *arg, struct vw_error *err)
{
	struct vw_map *m;

	if (flags & ~VW_RDWR)
		return vw__fail(err, -EINVAL, "bad flags 0x%x", flags);
	if (!ptr && len)
		return vw__fail(err, -EINVAL,
				"NULL pointer with length %zu", len);
	if (len > SSIZE_MAX)
		return vw__fail(err, -EINVAL, "length %zu too large", len);
	m = vw__map_new(ptr, len, 0);
	if (!m)
		return vw__fail(err, -ENOMEM, "out of memory");
	m->release = release;
	m->arg = arg;
	vw__byte_view(out, m, !(flags & VW_RDWR));
	return 0;
}

/* Lowest and highest byte offsets from element [0,...,0] that a strided
 * layout touches: [*lo, *hi).  0 when it fits ssize_t, else -EOVERFLOW. */
static int vw__byte_extent(int ndim, const ssize_t *shape, const ssize_t *strides,
		      ssize_t itemsize, ssize_t *lo, ssize_t *hi)
{
	ssize_t l = 0, h = itemsize, d;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] == 0) {
			*lo = *hi = 0;
			return 0;
		}
	}
	for (int i = 0; i < ndim; i++) {
		if (__builtin_mul_overflow(shape[i] - 1, strides[i], &d))
			return -EOVERFLOW;
		if (__builtin_add_overflow(d < 0 ? l : h, d, d < 0 ? &l : &h))
			return -EOVERFLOW;
	}
	*lo = l;
	*hi = h;
	return 0;
}

VW_PUBLIC int vw_from_strided(struct vw_view *out, void *buf, const char *fmt,
			      int ndim, const ssize_t *shape,
			      const ssize_t *strides, int flags,
			      void (*release)(void *ptr, size_t len, void *arg),
			      void *arg, struct vw_error *err)
{
	ssize_t lo, hi, span, nbytes;
	struct vw_format f;
	struct vw_map *m;
	uintptr_t base = (uintptr_t)buf;
	int rc;

	if (flags & ~VW_RDWR)
		return vw__fail(err, -EINVAL, "bad flags 0x%x", flags);
	if (!buf)
		return vw__fail(err, -EINVAL, "NULL buffer pointer");
	if (!fmt)
		fmt = "B";
	rc = vw_format_parse(fmt, &f, err);
	if (rc)
		return rc;
	if (ndim < 0 || ndim > VW_MAXDIM || (ndim && (!shape || !strides)))
		return vw__fail(err, -EINVAL,
				"number of dimensions %d must be 0..%d",
				ndim, VW_MAXDIM);
	rc = vw__shape_bytes(ndim, shape, (ssize_t)f.itemsize, &nbytes);
	if (rc == -EINVAL)
		return vw__fail(err, rc, "negative dimension in shape");
	if (rc || vw__byte_extent(ndim, shape, strides, (ssize_t)f.itemsize,
			     &lo, &hi) ||
	    __builtin_sub_overflow(hi, lo, &span) || (lo < 0 && base < (uintptr_t)-lo) ||
	    (hi > 0 && UINTPTR_MAX - base < (uintptr_t)hi))
		return vw__fail(err, -EINVAL,
				"strided layout of format '%s' is too large",
				fmt);
	m = vw__map_new(buf, 0, 0);
	if (!m)
		return vw__fail(err, -ENOMEM, "out of memory");
	m->release = release;
	m->arg = arg;
	memset(out, 0, sizeof(*out));
	out->map = m;
	out->buf = buf;
	out->readonly = !(flags & VW_RDWR);
	out->itemsize = (ssize_t)f.itemsize;
	strcpy(out->format, fmt);	/* vw_format_parse checked the length */
	out->fmt = f;
	out->ndim = ndim;
	for (int i = 0; i < ndim; i++) {
		out->shape[i] = shape[i];
		out->strides[i] = strides[i];
	}
	out->len = nbytes;
	return 0;
}

/* Size of what fd refers to: st_size, or SEEK_END for device nodes. */
static int vw__fd_size(int fd, const struct stat *st, size_t *size,
		       struct vw_error *err)
{
	off_t cur, end;

	if (S_ISREG(st->st_mode)) {
		*size = (size_t)st->st_size;
		return 0;
	}
	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return vw__fail(err, -EINVAL,
				"not a regular file or device node (mode 0%o)",
				(unsigned)st->st_mode & S_IFMT);
	cur = lseek(fd, 0, SEEK_CUR);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return vw__fail(err, -errno,
				"cannot find the size of the device: %s",
				strerror(errno));
	if (cur >= 0)
		lseek(fd, cur, SEEK_SET);
	*size = (size_t)end;
	return 0;
}

/* Read one text attribute into buf, trimming trailing white space. */
static void vw__trim(char *buf)
{
	size_t n = strlen(buf);

	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
		     buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		buf[--n] = 0;
}

static int vw__read_xattr(int fd, const char *name, char *buf, size_t n,
			  struct vw_error *err)
{
	ssize_t r = fgetxattr(fd, name, buf, n - 1);

	if (r < 0) {
		buf[0] = 0;
		if (errno == ENODATA || errno == ENOTSUP || errno == ENOSYS)
			return 0;
		if (errno == ERANGE)
			return vw__fail(err, -EINVAL,
					"attribute %s is too long", name);
		return vw__fail(err, -errno, "cannot read attribute %s: %s",
				name, strerror(errno));
	}
	buf[r] = 0;
	if (memchr(buf, 0, (size_t)r))
		return vw__fail(err, -EINVAL,
				"attribute %s contains a NUL byte", name);
	vw__trim(buf);
	return 0;
}

static int vw__read_sysfs(const struct stat *st, const char *name, char *buf,
			  size_t n)
{
	char path[96];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/%s",
		 major(st->st_rdev), minor(st->st_rdev), name);
	buf[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* not a viewdev node: no metadata */
	r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = 0;
	vw__trim(buf);
	return 0;
}

int vw__read_meta(int fd, char *fmt, size_t nfmt, char *shape, size_t nshape,
		  struct vw_error *err)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0)
		return vw__fail(err, -errno, "fstat: %s", strerror(errno));
	if (S_ISCHR(st.st_mode)) {
		vw__read_sysfs(&st, "format", fmt, nfmt);
		vw__read_sysfs(&st, "shape", shape, nshape);
		return 0;
	}
	rc = vw__read_xattr(fd, "user.view.format", fmt, nfmt, err);
	if (!rc)
		rc = vw__read_xattr(fd, "user.view.shape", shape, nshape, err);
	return rc;
}

VW_PUBLIC int vw_open_fd(struct vw_view *out, int fd, int flags,
			 struct vw_error *err)
{
	char fmt[64], shape[1024];
	struct vw_view raw;
	struct vw_map *m;
	struct stat st;
	size_t size = 0;
	void *addr = NULL;
	int rc;

	if (flags & ~(VW_RDWR | VW_NOMETA))
		return vw__fail(err, -EINVAL, "bad flags 0x%x", flags);
	if (fstat(fd, &st) < 0)
		return vw__fail(err, -errno, "fstat: %s", strerror(errno));
	rc = vw__fd_size(fd, &st, &size, err);
	if (rc)
		return rc;
	if (size > SSIZE_MAX)
		return vw__fail(err, -EFBIG, "size %zu too large", size);
	fmt[0] = shape[0] = 0;
	if (!(flags & VW_NOMETA)) {
		rc = vw__read_meta(fd, fmt, sizeof(fmt), shape, sizeof(shape),
				   err);
		if (rc)
			return rc;
	}
	if (size) {
		int prot = PROT_READ | ((flags & VW_RDWR) ? PROT_WRITE : 0);

		addr = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
		if (addr == MAP_FAILED)
			return vw__fail(err, -errno, "mmap of %zu bytes: %s",
					size, strerror(errno));
	}
	m = vw__map_new(addr, size, 1);
	if (!m) {
		if (addr)
			munmap(addr, size);
		return vw__fail(err, -ENOMEM, "out of memory");
	}
	m->is_reg = S_ISREG(st.st_mode);
	vw__byte_view(&raw, m, !(flags & VW_RDWR));
	if (!fmt[0] && !shape[0]) {
		*out = raw;
		return 0;
	}
	rc = vw_apply_meta(out, &raw, fmt[0] ? fmt : NULL,
			   shape[0] ? shape : NULL, err);
	vw_release(&raw);
	return rc;
}

VW_PUBLIC int vw_open(struct vw_view *out, const char *path, int flags,
		      struct vw_error *err)
{
	int fd, rc;

	if (!path)
		return vw__fail(err, -EINVAL, "no path");
	if (flags & ~(VW_RDWR | VW_NOMETA))
		return vw__fail(err, -EINVAL, "bad flags 0x%x", flags);
	fd = open(path, ((flags & VW_RDWR) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return vw__fail(err, -errno, "%s: %s", path, strerror(errno));
	rc = vw_open_fd(out, fd, flags, err);
	close(fd);
	if (rc && err && strncmp(err->msg, path, strlen(path))) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		vw__fail(err, rc, "%.*s: %s", (int)sizeof(msg) / 2, path, msg);
	}
	return rc;
}

VW_PUBLIC int vw_apply_meta(struct vw_view *dst, const struct vw_view *src,
			    const char *fmt, const char *shape,
			    struct vw_error *err)
{
	ssize_t dims[VW_MAXDIM], strides[VW_MAXDIM];
	struct vw_format f;
	int rc, ndim;

	vw_format_parse("B", &f, NULL);
	rc = vw__check(src, err);
	if (rc)
		return rc;
	if (fmt && !*fmt)
		fmt = NULL;
	if (shape && !*shape)
		shape = NULL;
	if (src->ndim != 1 || src->itemsize != 1 ||
	    src->strides[0] != 1)
		return vw__fail(err, -EINVAL,
				"metadata applies to a contiguous 1-D byte view");
	if (fmt) {
		rc = vw_format_parse(fmt, &f, err);
		if (rc)
			return rc;
	}
	rc = vw_meta_check(fmt, shape, (uint64_t)src->len, err);
	if (rc)
		return rc;
	if (shape) {
		ndim = vw_shape_parse(shape, dims, VW_MAXDIM, err);
		if (ndim < 0)
			return ndim;
	} else {
		ndim = 1;
		dims[0] = src->len / (ssize_t)f.itemsize;
	}
	vw__c_strides(ndim, dims, (ssize_t)f.itemsize, strides);
	vw__publish(dst, src, src->buf, ndim, dims, strides, fmt ? fmt : "B",
		    &f);
	return 0;
}

VW_PUBLIC void vw_release(struct vw_view *v)
{
	if (!v || !v->map)
		return;
	if (!vw__borrowed(v))
		vw__map_put(v->map);
	v->map = NULL;
}

VW_PUBLIC int vw_dup(struct vw_view *dst, const struct vw_view *src,
		     struct vw_error *err)
{
	int rc = vw__check(src, err);

	if (rc)
		return rc;
	if (vw__borrowed(src)) {
		/* an owning copy: a reference of its own on the mapping */
		struct vw_map *m = vw__map(src);

		vw__map_get(m);
		if (dst != src)
			vw__publish_same(dst, src);
		dst->map = m;
		return 0;
	}
	if (dst == src)
		return 0;
	vw__publish_same(dst, src);
	return 0;
}

VW_PUBLIC int vw_borrow(struct vw_view *dst, const struct vw_view *src,
			struct vw_error *err)
{
	int rc = vw__check(src, err);

	if (rc)
		return rc;
	if (dst == src) {
		if (vw__borrowed(src))
			return 0;
		return vw__fail(err, -EINVAL,
				"borrow: a view cannot borrow from itself (its own reference would be the one lent)");
	}
	dst->map = (struct vw_map *)((uintptr_t)vw__map(src) | VW__BORROWED);
	dst->readonly = src->readonly;
	vw__copy_format(dst, src);
	for (int i = 0; i < src->ndim; i++) {
		dst->shape[i] = src->shape[i];
		dst->strides[i] = src->strides[i];
	}
	dst->buf = src->buf;
	dst->ndim = src->ndim;
	dst->len = src->len;
	return 0;
}

VW_PUBLIC int vw_is_borrowed(const struct vw_view *v)
{
	return v && v->map && vw__borrowed(v);
}

VW_PUBLIC int vw_is_valid(const struct vw_view *v)
{
	return v && v->map;
}

VW_PUBLIC long vw_map_refs(const struct vw_view *v)
{
	if (!v || !v->map)
		return 0;
	return atomic_load(&vw__map(v)->refs);
}
