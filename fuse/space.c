/* SPDX-License-Identifier: MIT */
/*
 * viewfs space: what a buffer owns in the store, and what its extended
 * attributes cost.
 *
 * Reservation (-o reserve=on, the RAM stores' default).  A buffer of N
 * bytes owns N bytes of the store: every way of growing a file through
 * the daemon (truncate/ftruncate/setattr-size, fallocate, a write or
 * copy_file_range that starts past the end) allocates the store's pages
 * with fallocate(2) before it returns.  tmpfs charges fallocate against
 * size= atomically and undoes a partial allocation when it fails, so the
 * capacity check is the kernel's own accounting and ENOSPC comes from the
 * call that sized the buffer, never later from a store into a mapping
 * (which would be lost silently at write-back without passthrough, or be
 * SIGBUS with it).  Grows are serialised by one mutex, so of two grows
 * that each fit but not together exactly one succeeds (without it, both
 * could fail, each holding half of the space when the other needs it).
 * Shrinking, O_TRUNC and FALLOC_FL_PUNCH_HOLE give pages back: a punched
 * range is sparse again, by the user's wish.  reserve=off keeps tmpfs's
 * sparse files.
 *
 * Extended attributes of a RAM store are kernel memory that size= does
 * not count and nothing can reclaim, so their total is bounded
 * (-o max_xattr_bytes).  Each user.* attribute costs its name, its value
 * and XATTR_OVERHEAD bytes; the count lives in fs->space.xattr_bytes,
 * starts at 0 with the empty store, and changes only under the inode's
 * lock of the object (set, replace, remove) or, when an object dies,
 * under that of the dead object: its last link unlinked, rmdir'd or
 * renamed over gives its bytes back at once, or at its last close when a
 * handle is still open (vwfs_inode.xattr_dead).  An object without a name
 * takes no new attributes (ENOENT, as libfuse's hard_remove does), so it
 * can never be charged after its bytes were given back.
 *
 * A refused xattr and a lost write-back are logged through log.c's
 * vwfs_log_limited (escaped, rate-limited).
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* What one attribute costs beyond its name and value: the kernel's
 * struct simple_xattr (40 bytes) and the name's own allocation. */
#define XATTR_OVERHEAD 64
#define XATTR_DEFAULT_MAX (64ull << 20)	/* cap of the default bound */
#define XATTR_DEFAULT_SHARE 16		/* default: capacity / 16 */

void vwfs_space_init(struct vwfs *fs)
{
	struct vwfs_space *sp = &fs->space;

	pthread_mutex_init(&sp->grow_lock, NULL);
	atomic_store(&sp->xattr_bytes, 0);
	atomic_store(&sp->n_large, 0);
	atomic_store(&sp->n_near, 0);
	atomic_store(&sp->n_moved, 0);
	sp->inited = 1;
}

void vwfs_space_fini(struct vwfs *fs)
{
	struct vwfs_space *sp = &fs->space;

	if (!sp->inited)
		return;
	pthread_mutex_destroy(&sp->grow_lock);
	sp->inited = 0;
}

/* BYTES with an optional k, m, g or t (binary) suffix. */
static int parse_bytes(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && v > (~0ull >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/*
 * reserve=on with --store DIR: DIR's file system must reserve with
 * fallocate.  Probe on a file nobody sees (O_TMPFILE), or a name removed
 * at once where O_TMPFILE is not supported.
 */
static int probe_fallocate(struct vwfs *fs)
{
	char name[64];
	int fd, ret = 0;

	name[0] = '\0';
	fd = openat(fs->root.path_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(name, sizeof(name), ".viewfs-reserve-probe.%ld", (long)getpid());
		fd = openat(fs->root.path_fd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = -errno;
			vwfs_log("viewfs: reserve=on: cannot test --store %s: %s\n",
				fs->store_dir, strerror(-ret));
			return ret;
		}
		unlinkat(fs->root.path_fd, name, 0);
	}
	if (fallocate(fd, 0, 0, 4096) < 0) {
		ret = -errno;
		vwfs_log("viewfs: reserve=on: the file system of --store %s cannot "
			"reserve space (fallocate: %s); use -o reserve=off\n",
			fs->store_dir, strerror(-ret));
	}
	close(fd);
	return ret;
}

int vwfs_space_configure(struct vwfs *fs, const char *reserve,
			const char *max_xattr_bytes)
{
	struct vwfs_space *sp = &fs->space;
	int ram = fs->store_kind != VWFS_STORE_DIR;
	struct statvfs sv;

	if (!reserve)
		sp->reserve = ram;
	else if (!strcmp(reserve, "on"))
		sp->reserve = 1;
	else if (!strcmp(reserve, "off"))
		sp->reserve = 0;
	else {
		vwfs_log("viewfs: bad reserve=%s (on or off)\n", reserve);
		return -EINVAL;
	}
	if (!ram) {
		if (max_xattr_bytes) {
			vwfs_log("viewfs: -o max_xattr_bytes= bounds the RAM store; with "
				"--store %s its file system bounds extended attributes\n",
				fs->store_dir);
			return -EINVAL;
		}
		return sp->reserve ? probe_fallocate(fs) : 0;
	}
	sp->xattr_counted = 1;
	if (max_xattr_bytes) {
		if (parse_bytes(max_xattr_bytes, &sp->max_xattr)) {
			vwfs_log("viewfs: bad max_xattr_bytes=%s (bytes, with suffix k, m, g "
				"or t; 0 for no bound)\n", max_xattr_bytes);
			return -EINVAL;
		}
		return 0;
	}
	sp->max_xattr = XATTR_DEFAULT_MAX;
	if (fstatvfs(fs->root.path_fd, &sv) == 0 && sv.f_blocks) {
		uint64_t cap = (uint64_t)sv.f_blocks * sv.f_frsize;

		if (cap / XATTR_DEFAULT_SHARE < sp->max_xattr)
			sp->max_xattr = cap / XATTR_DEFAULT_SHARE;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

void vwfs_space_write_lost(struct vwfs *fs, int fd, off_t off, size_t len,
			  int err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		st.st_ino = 0;
	vwfs_log_limited(fs, "viewfs: write-back of %zu bytes at offset %lld of inode %llu "
			"failed: %s (data of a mapped or cached page is lost; fsync "
			"and msync report it)", len, (long long)off,
			(unsigned long long)st.st_ino, strerror(err));
}

/* ------------------------------------------------------------------ */
/* Reservation                                                         */
/* ------------------------------------------------------------------ */

/*
 * The RAM store's capacity rule: -EFBIG for a file of @size bytes larger
 * than the whole store (as POSIX has it), else 0, and always 0 for a
 * --store DIR (its own file system's limits) or a store without a limit;
 * -errno of fstatvfs.  Free space is no rule here: with -o reserve the
 * kernel's allocation checks it, without it files are sparse as on tmpfs.
 */
static int fits_capacity(struct vwfs *fs, uint64_t size)
{
	struct statvfs sv;

	if (fs->store_kind == VWFS_STORE_DIR)
		return 0;
	if (fstatvfs(fs->root.path_fd, &sv) < 0)
		return -errno;
	if (sv.f_blocks == 0)
		return 0;	/* no limit (tmpfs size=0) */
	return size > (uint64_t)sv.f_blocks * sv.f_frsize ? -EFBIG : 0;
}

/*
 * Where a reservation is allocated.  The kernel takes a new page from the
 * per-CPU free lists of the CPU that allocates and from the memory node it
 * runs on; tmpfs allocates at the page fault, on the CPU of the process
 * that touches the page.  A daemon thread is woken wherever the scheduler
 * finds an idle CPU, usually not the caller's, which sleeps until the
 * reply: on a NUMA machine the buffer would land on the daemon's node,
 * and in a VM with free page reporting (this project's test machines) on
 * memory the host has taken back and must fault in again.  Measured, 1 GiB
 * ftruncate + first touch of a mapping on a huge-page store, 6 samples
 * each: daemon pinned to the other CPU 1.6-6.0 GB/s, to the caller's
 * 13-22 GB/s, tmpfs huge=within_size 16-23 GB/s.  So a large allocation
 * moves the thread to the caller's CPU for its duration (two
 * sched_setaffinity calls and a read of /proc/PID/stat, tens of
 * microseconds, against milliseconds of allocation).  A thread created
 * meanwhile would inherit the one-CPU mask; libfuse's loop starts its new
 * workers before it hands a request on, never during one.
 */
#define NEAR_CALLER_MIN (2 << 20)	/* smaller allocations stay put */

struct near { cpu_set_t mask; int moved; };

/* The CPU task @pid last ran on (field 39 of /proc/PID/stat), or -1. */
static int task_cpu(pid_t pid)
{
	char path[32], buf[1024], *p;
	ssize_t n;
	int fd, field, cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces and ')' */
	if (!p)
		return -1;
	/* after ") " comes field 3 (the state) */
	for (field = 2; p && field < 39; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", &cpu) != 1)
		return -1;
	return cpu;
}

static void near_caller(struct vwfs_space *sp, struct near *nr, pid_t caller,
			off_t len)
{
	cpu_set_t one;
	int cpu;

	nr->moved = 0;
	if (len < NEAR_CALLER_MIN)
		return;
	atomic_fetch_add(&sp->n_large, 1);
	cpu = caller > 0 ? task_cpu(caller) : -1;
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return;
	if (cpu != sched_getcpu()) {
		if (sched_getaffinity(0, sizeof(nr->mask), &nr->mask) < 0 ||
		    !CPU_ISSET(cpu, &nr->mask))
			return;		/* a cpuset the daemon may not enter */
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) < 0)
			return;
		nr->moved = 1;
		atomic_fetch_add(&sp->n_moved, 1);
	}
	if (sched_getcpu() == cpu)
		atomic_fetch_add(&sp->n_near, 1);
}

static void near_done(struct near *nr)
{
	if (nr->moved)
		(void)sched_setaffinity(0, sizeof(nr->mask), &nr->mask);
}

/* Allocate [off, off + len) of fd, with or without extending its size. */
static int reserve_range(struct vwfs *fs, int fd, int mode, off_t off, off_t len,
			 pid_t caller)
{
	struct near nr;
	int ret = 0;

	near_caller(&fs->space, &nr, caller, len);
	pthread_mutex_lock(&fs->space.grow_lock);
	if (fallocate(fd, mode, off, len) < 0)
		ret = -errno;
	pthread_mutex_unlock(&fs->space.grow_lock);
	near_done(&nr);
	return ret;
}

int vwfs_space_truncate(struct vwfs *fs, int fd, off_t size, pid_t caller)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (size > st.st_size) {
		ret = fits_capacity(fs, (uint64_t)size);
		if (ret)
			return ret;
		if (fs->space.reserve) {
			ret = reserve_range(fs, fd, 0, st.st_size, size - st.st_size,
					    caller);
			if (ret) {
				/* tmpfs undoes a partial allocation itself; other file
				 * systems of a --store may keep part and a new size */
				if (fs->store_kind == VWFS_STORE_DIR)
					(void)!ftruncate(fd, st.st_size);
				return ret;
			}
		}
	}
	/* Exact even if the file changed since fstat; frees pages past size. */
	if (ftruncate(fd, size) < 0)
		return -errno;
	return 0;
}

int vwfs_space_fallocate(struct vwfs *fs, int fd, int mode, off_t off, off_t len,
			 pid_t caller)
{
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return fallocate(fd, mode, off, len) < 0 ? -errno : 0;
	/* Past the whole RAM store's capacity: EFBIG, as for truncate. */
	if (fits_capacity(fs, (uint64_t)off + (uint64_t)len) == -EFBIG)
		return -EFBIG;
	return reserve_range(fs, fd, mode, off, len, caller);
}

int vwfs_space_write_gap(struct vwfs *fs, int fd, off_t off, off_t *from,
			 pid_t caller)
{
	struct stat st;
	int ret;

	*from = -1;
	if (!fs->space.reserve)
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (off <= st.st_size)
		return 0;
	ret = reserve_range(fs, fd, FALLOC_FL_KEEP_SIZE, st.st_size, off - st.st_size,
			    caller);
	if (!ret)
		*from = st.st_size;
	return ret;
}

void vwfs_space_write_gap_undo(struct vwfs *fs, int fd, off_t from, off_t off)
{
	struct stat st;

	if (from < 0 || off <= from)
		return;
	/* Only while the file has not grown into the gap meanwhile. */
	pthread_mutex_lock(&fs->space.grow_lock);
	if (fstat(fd, &st) == 0 && st.st_size <= from)
		(void)!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from,
				 off - from);
	pthread_mutex_unlock(&fs->space.grow_lock);
}

/* ------------------------------------------------------------------ */
/* Extended attribute bytes                                            */
/* ------------------------------------------------------------------ */

static uint64_t xattr_cost(const char *name, size_t size)
{
	return XATTR_OVERHEAD + strlen(name) + size;
}

static int charge(struct vwfs_space *sp, uint64_t n)
{
	unsigned long long cur = atomic_load(&sp->xattr_bytes);

	do {
		if (sp->max_xattr && (n > sp->max_xattr || cur > sp->max_xattr - n))
			return -ENOSPC;
	} while (!atomic_compare_exchange_weak(&sp->xattr_bytes, &cur, cur + n));
	return 0;
}

static void uncharge(struct vwfs_space *sp, uint64_t n)
{
	unsigned long long cur = atomic_load(&sp->xattr_bytes), next;

	do
		next = cur > n ? cur - n : 0;	/* never below zero */
	while (!atomic_compare_exchange_weak(&sp->xattr_bytes, &cur, next));
}

uint64_t vwfs_space_xattr_bytes(struct vwfs *fs)
{
	return atomic_load(&fs->space.xattr_bytes);
}

/*
 * What the user.* attributes of an object cost, read from the store by
 * path (if not NULL) or by descriptor.  An unreadable list counts 0: the
 * bytes then stay charged, which errs on the side of the bound.
 */
static uint64_t object_cost(const char *path, int fd)
{
	ssize_t n = -1, i;
	uint64_t sum = 0;
	char *list = NULL;

	for (int tries = 0; tries < 4; tries++) {
		n = path ? listxattr(path, NULL, 0) : flistxattr(fd, NULL, 0);
		if (n <= 0) {
			free(list);
			return 0;
		}
		free(list);
		list = malloc((size_t)n);
		if (!list)
			return 0;
		n = path ? listxattr(path, list, (size_t)n) : flistxattr(fd, list, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	for (i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1) {
		ssize_t v;

		if (strncmp(list + i, "user.", 5))
			continue;
		v = path ? getxattr(path, list + i, NULL, 0) : fgetxattr(fd, list + i, NULL, 0);
		if (v >= 0)
			sum += xattr_cost(list + i, (size_t)v);
	}
	free(list);
	return sum;
}

int vwfs_space_setxattr(struct vwfs *fs, struct vwfs_inode *in, const char *path,
		       const char *name, const char *value, size_t size,
		       int flags, uid_t uid)
{
	struct vwfs_space *sp = &fs->space;
	uint64_t oldc = 0, newc, add = 0;
	struct stat st;
	ssize_t old;

	if (!sp->xattr_counted)
		return setxattr(path, name, value, size, flags) < 0 ? -errno : 0;
	if (stat(path, &st) < 0)
		return -errno;
	if (st.st_nlink == 0)
		return -ENOENT;	/* no name left: its bytes may be given back */
	old = getxattr(path, name, NULL, 0);
	if (old < 0 && errno != ENODATA)
		return -errno;
	if (old >= 0)
		oldc = xattr_cost(name, (size_t)old);
	newc = xattr_cost(name, size);
	if (newc > oldc) {
		add = newc - oldc;
		if (charge(sp, add)) {
			char why[160];

			snprintf(why, sizeof(why), "the store's extended attributes would "
				 "exceed max_xattr_bytes=%llu (ENOSPC)",
				 (unsigned long long)sp->max_xattr);
			vwfs_log_xattr(fs, uid, in, name, value, size, why);
			return -ENOSPC;
		}
	}
	if (setxattr(path, name, value, size, flags) < 0) {
		int e = errno;

		if (add)
			uncharge(sp, add);
		if (e == ENOSPC)
			vwfs_log_xattr(fs, uid, in, name, value, size,
				      "the store has no room for it (ENOSPC)");
		return -e;
	}
	if (oldc > newc)
		uncharge(sp, oldc - newc);
	return 0;
}

int vwfs_space_removexattr(struct vwfs *fs, struct vwfs_inode *in,
			  const char *path, const char *name)
{
	struct vwfs_space *sp = &fs->space;
	struct stat st;
	int ret = 0, counted;
	ssize_t old;

	if (!sp->xattr_counted)
		return removexattr(path, name) < 0 ? -errno : 0;
	/* A dead object's bytes were given back already, unless at its last
	 * close (xattr_dead). */
	counted = stat(path, &st) == 0 && (st.st_nlink > 0 || in->xattr_dead);
	old = getxattr(path, name, NULL, 0);
	if (removexattr(path, name) < 0)
		ret = -errno;
	else if (counted && old >= 0)
		uncharge(sp, xattr_cost(name, (size_t)old));
	return ret;
}

/* An object that an unlink, rmdir or rename may end. */
struct victim {
	int fd;			/* O_PATH on it, or -1 when nothing to count */
	struct vwfs_inode *in;	/* its inode with a reference, locked; or NULL */
	uint64_t cost;		/* what its attributes cost */
};

static void victim_begin(struct vwfs *fs, int dirfd, const char *name,
			 struct victim *v)
{
	char path[64];
	struct stat st;

	v->fd = -1;
	v->in = NULL;
	v->cost = 0;
	/* The fast path: nothing is charged, nothing to give back. */
	if (!fs->space.xattr_counted || atomic_load(&fs->space.xattr_bytes) == 0)
		return;
	v->fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (v->fd < 0)
		return;
	if (fstat(v->fd, &st) < 0 ||
	    !(S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_nlink == 1)))
		goto none;	/* not its last name, or no user.* attributes */
	v->in = vwfs_inode_find(fs, st.st_dev, st.st_ino);
	if (v->in)
		pthread_mutex_lock(&v->in->lock);	/* no set or remove meanwhile */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", v->fd);
	v->cost = object_cost(path, -1);
	return;
none:
	close(v->fd);
	v->fd = -1;
}

static void victim_end(struct vwfs *fs, struct victim *v, int ret)
{
	struct stat st;

	if (v->fd < 0)
		return;
	if (ret == 0 && v->cost && fstat(v->fd, &st) == 0 && st.st_nlink == 0) {
		if (v->in && v->in->nopen > 0)
			v->in->xattr_dead = 1;	/* at its last close */
		else
			uncharge(&fs->space, v->cost);
	}
	if (v->in) {
		pthread_mutex_unlock(&v->in->lock);
		vwfs_inode_put(fs, v->in, 1);
	}
	close(v->fd);
}

int vwfs_space_unlinkat(struct vwfs *fs, int dirfd, const char *name, int flags)
{
	struct victim v;
	int ret;

	victim_begin(fs, dirfd, name, &v);
	ret = unlinkat(dirfd, name, flags) < 0 ? -errno : 0;
	victim_end(fs, &v, ret);
	return ret;
}

int vwfs_space_renameat2(struct vwfs *fs, int olddirfd, const char *oldname,
			int newdirfd, const char *newname, unsigned int flags)
{
	struct victim v = { .fd = -1 };
	int ret;

	if (!(flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)))
		victim_begin(fs, newdirfd, newname, &v);
	ret = renameat2(olddirfd, oldname, newdirfd, newname, flags) < 0 ? -errno : 0;
	victim_end(fs, &v, ret);
	return ret;
}

void vwfs_space_last_close(struct vwfs *fs, struct vwfs_inode *in, int fd)
{
	if (!in->xattr_dead)
		return;
	in->xattr_dead = 0;
	uncharge(&fs->space, object_cost(NULL, fd));
}
