/* SPDX-License-Identifier: MIT */
/*
 * viewfs — internal header of the FUSE daemon (fuse/).
 *
 * The daemon is a low-level libfuse file system over a *store*: a directory
 * tree that holds one regular file per buffer.  The store is either a
 * private tmpfs instance that is mounted nowhere (the default: RAM, sized
 * by -o size=, gone at unmount), a directory under /dev/shm when a private
 * tmpfs may not be created, or the user's --store DIR (survives restarts).
 * Every FUSE inode stands for one object of the store and holds a file
 * handle of it (name_to_handle_at) or, where handles cannot be used, an
 * O_PATH descriptor on it (see handle.c); operations reach the object
 * through vwfs_inode_fd().  Data goes to the store's files directly, through
 * kernel FUSE passthrough when it is on, else through splice in the daemon.
 *
 * Ownership
 * ---------
 * struct vwfs (one per daemon, in main.c) owns the store descriptors and the
 * inode table.  struct vwfs_inode is owned by the table: created by a
 * lookup-type reply, freed when the kernel's lookup count drops to zero
 * (forget).  The root inode is never freed.  struct vwfs_file (one per
 * open(2) of a regular file) is owned by the kernel's file handle: made in
 * open/create, freed in release (file.c).  struct vwfs_dir likewise for
 * opendir (dir.c).
 */
#ifndef VIEWFS_H
#define VIEWFS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* libfuse >= 3.17 has fuse_passthrough_open(); 3.14 (Debian 12) does not. */
#if FUSE_MAJOR_VERSION > 3 || (FUSE_MAJOR_VERSION == 3 && FUSE_MINOR_VERSION >= 17)
#define VWFS_HAVE_PASSTHROUGH 1
#else
#define VWFS_HAVE_PASSTHROUGH 0
#endif

#ifndef VIEW_VERSION
#error "VIEW_VERSION comes from the top-level VERSION file (Makefile)"
#endif
/* Background requests (RELEASE among them) the kernel may have in flight:
 * see vwfs_init.  An unprivileged mount is capped lower by the kernel
 * (/sys/module/fuse/parameters/max_user_bgreq). */
#define VWFS_MAX_BACKGROUND 1024
/* Most directories that keep an O_PATH descriptor in handle mode (handle.c). */
#define VWFS_DIR_FDS 4096

#define VIEWFS_VERSION VIEW_VERSION

#define VWFS_STR_(x) #x
#define VWFS_STR(x) VWFS_STR_(x)
/* The libfuse series viewfs was compiled against, e.g. "3.17". */
#define VWFS_FUSE_BUILT VWFS_STR(FUSE_MAJOR_VERSION) "." VWFS_STR(FUSE_MINOR_VERSION)

enum vwfs_pt_mode { VWFS_PT_AUTO, VWFS_PT_ON, VWFS_PT_OFF };

/* libfuse >= 3.18 serves FUSE over io_uring (its -o io_uring). */
#ifdef FUSE_CAP_OVER_IO_URING
#define VWFS_HAVE_URING 1
#else
#define VWFS_HAVE_URING 0
#endif
/* The kernel's switch for FUSE over io_uring: Y or N (root sets it). */
#define VWFS_URING_PARAM "/sys/module/fuse/parameters/enable_uring"

enum vwfs_store_kind {
	VWFS_STORE_TMPFS,	/* private tmpfs instance, attached nowhere */
	VWFS_STORE_SHM,		/* a directory under /dev/shm, removed at exit */
	VWFS_STORE_DIR,		/* the user's --store DIR */
};

struct vwfs_file;

/*
 * One object of the store (file, directory, symlink, fifo, socket).  It is
 * reached by exactly one of path_fd and handle (a directory may have both,
 * see dir_cached); code outside handle.c uses
 * neither but vwfs_inode_fd()/vwfs_inode_fd_done() (the root's path_fd, the
 * store's root directory, is always valid and may be used directly).
 */
struct vwfs_inode {
	int path_fd;		/* O_PATH|O_NOFOLLOW on the store object, owned; -1
				 * when the inode holds a handle only */
	struct file_handle *handle;	/* the object's file handle, in the same
				 * allocation as the inode; NULL with path_fd */
	int dir_cached;		/* a directory that holds both: its handle and,
				 * for O_PATH uses, a cached path_fd (counted in
				 * vwfs.dir_fds) */
	dev_t dev;
	ino_t ino;
	mode_t type;		/* S_IFMT bits */
	uint64_t nlookup;	/* kernel references; guarded by vwfs.lock */
	struct vwfs_inode *next;	/* hash chain; guarded by vwfs.lock */

	pthread_mutex_t lock;	/* guards nopen, backing_id, xattr checks */
	int nopen;		/* open file handles of this inode */
	int backing_id;		/* passthrough backing shared by all opens; 0 none */
	int xattr_dead;		/* unlinked while open: xattr bytes given back at
				 * the last close (space.c) */
	int nwriters;		/* open files with write access (seal.c) */
	atomic_uint seals;	/* seals once read from the store (seal.c);
				 * written under lock */

	pthread_spinlock_t files_lock;	/* guards files (never held across a wait) */
	struct vwfs_file *files;	/* this inode's open files, via vwfs_file.inode_next */
};

/* A place in one of vwfs's lists of open handles (files, dirs). */
struct vwfs_link {
	struct vwfs_link *prev, *next;	/* guarded by vwfs.lock */
};
#define VWFS_CONTAINER(l, type, member) \
	((type *)(void *)((char *)(l) - offsetof(type, member)))

/* One open regular file. */
struct vwfs_file {
	int fd;			/* read/write descriptor on the store file; owned */
	int passthrough;	/* opened with the inode's backing id */
	int writable;		/* opened for writing: counted in nwriters */
	struct vwfs_link link;	/* in vwfs.files */
	struct vwfs_file *inode_next;	/* in vwfs_inode.files; guarded by its files_lock */
};

/*
 * Space accounting of one store (space.c): reservation of sized buffers
 * and the bound on user.* xattr bytes.  Part of struct vwfs.
 */
struct vwfs_space {
	int inited;		/* the mutexes below exist */
	int reserve;		/* -o reserve: growing a file allocates its pages */
	pthread_mutex_t grow_lock;	/* serialises allocating grows */
	int xattr_counted;	/* RAM store: user.* bytes are counted */
	uint64_t max_xattr;	/* bound on xattr_bytes; 0 none */
	atomic_ullong xattr_bytes;	/* charged bytes of user.* xattrs */
	/* -o stats: allocations of 2 MiB or more, those that ran on the
	 * caller's CPU, and those the daemon moved there (space.c) */
	atomic_ulong n_large, n_near, n_moved;
};

/* The rate limit of vwfs_log_limited (log.c).  Part of struct vwfs. */
struct vwfs_log_limit {
	int inited;		/* the mutex exists */
	pthread_mutex_t lock;	/* guards the fields below */
	int tokens;		/* lines vwfs_log_limited may still print now */
	long long last;		/* CLOCK_MONOTONIC second of the last call */
	unsigned long dropped;	/* lines suppressed since the last one */
};

/* One open directory. */
struct vwfs_dir {
	pthread_mutex_t lock;
	void *dp;		/* DIR *, owns the descriptor */
	off_t offset;		/* offset the stream is positioned at */
	void *entry;		/* struct dirent * read but not yet returned */
	struct vwfs_link link;	/* in vwfs.dirs */
};

/* What vwfs_loop_spin() saw, for -o stats. */
struct vwfs_loop_stats {
	atomic_ulong spinning;		/* requests taken while polling */
	atomic_ulong after_sleep;	/* ... after a sleep in poll(2) */
	atomic_ulong takeovers;		/* slow requests whose reader was replaced */
	unsigned int threads;		/* threads started, set at the end */
};

struct vwfs {
	enum vwfs_store_kind store_kind;
	int lock_fd;		/* --store DIR: flock held on DIR, or -1 */
	char *store_dir;	/* --store DIR or the /dev/shm directory; owned */
	int mnt_fd;		/* fsmount() descriptor (tmpfs store) or -1 */
	struct vwfs_inode root;
	struct vwfs_space space;	/* space.c */
	struct vwfs_log_limit log_limit;	/* log.c */
	int use_handles;	/* new inodes hold file handles, not descriptors */
	int handle_fd;		/* O_RDONLY on the store root, for open_by_handle_at
				 * (which refuses O_PATH); owned, or -1 */
	atomic_long open_fds;	/* descriptors kept by open files and directories */
	atomic_long open_fds_peak;	/* most open_fds seen (-o stats) */
	atomic_long dir_fds;	/* directories with a cached O_PATH descriptor */
	long dir_fds_max;	/* bound on dir_fds: VWFS_DIR_FDS or less (handle.c) */
	int root_mnt_id;	/* mount id of the store root (name_to_handle_at) */

	pthread_mutex_t lock;	/* guards the inode table */
	struct vwfs_inode **table;
	struct vwfs_link *files;	/* open files, freed at exit if never released */
	struct vwfs_link *dirs;	/* open directories, likewise */
	size_t table_size;
	size_t ninodes;

	enum vwfs_pt_mode pt_mode;
	enum vwfs_pt_mode uring_mode;	/* -o io_uring=auto|on|off (same values) */
	int uring;		/* io_uring asked of libfuse (auto with the kernel's
				 * parameter at Y, or on) */
	atomic_int passthrough;	/* 1 while opens use kernel passthrough */
	double timeout;		/* entry and attribute timeout, seconds */
	int killpriv_v2;	/* negotiated FUSE_CAP_HANDLE_KILLPRIV_V2 */
	int writeback;		/* -o writeback_cache (fallback path only) */
	unsigned max_read;	/* -o max_read= the mount was given (file.c) */
	int max_read_given;	/* ... by the user (main.c's option table) */
	unsigned readahead;	/* bytes of readahead set on the mount's bdi, or 0 */
	int debug;
	int init_error;		/* set by init() when passthrough=on or
				 * io_uring=on is impossible */
	struct fuse_session *se;

	/* counters printed at exit with -o stats */
	int stats;
	atomic_ulong n_getxattr, n_getxattr_security, n_read, n_write, n_open;

	/* -o spin=US: how long the reading thread polls /dev/fuse for the
	 * next request before it sleeps; 0: libfuse's own loop */
	unsigned int spin_us;
	struct vwfs_loop_stats loop;
};

/*
 * The kernel sends RELEASE (RELEASEDIR) for a handle only once every
 * request on it has been answered, so the release may close and free what
 * those requests used.  That order passes through /dev/fuse, which
 * ThreadSanitizer cannot see: in its build, every request on a handle
 * calls vwfs_handle_done() after its last use of the handle and before its
 * reply (after the reply the handle may be gone), and release calls
 * vwfs_handle_released() before freeing: a happens-before edge on one
 * address of struct vwfs, which outlives every handle.  What libfuse does
 * with the descriptor inside the reply itself (fuse_reply_data reads the
 * store file) stays invisible: tests/fs/tsan.supp names it.  No code in
 * other builds.
 */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define vwfs_handle_done(fs) __tsan_release(&(fs)->files)
#define vwfs_handle_released(fs) __tsan_acquire(&(fs)->files)
/*
 * Likewise for node ids: an inode made by one request reaches the next
 * ones through the kernel (the id in an entry reply).  Under /dev/fuse
 * libfuse's worker bookkeeping happens to order the threads; with FUSE
 * over io_uring each ring thread runs on its own, and ThreadSanitizer saw
 * a lookup on one ring read an inode another ring had just made.
 * vwfs_inode_published() after filling an entry, vwfs_inode_reached() in
 * vwfs_inode(): the edge on one address of struct vwfs.
 */
#define vwfs_inode_published(fs) __tsan_release(&(fs)->table)
#define vwfs_inode_reached(fs) __tsan_acquire(&(fs)->table)
/* and FORGET after the last request on an inode: every use of an inode's
 * descriptor ends with vwfs_inode_fd_done() (a release on the inode),
 * and the free acquires it (handle.c) */
#define vwfs_inode_used(in) __tsan_release(in)
#define vwfs_inode_freeing(in) __tsan_acquire(in)
/* and open handles: open, create and opendir publish the handle they
 * filled before the reply that hands its fh to the kernel, and a request
 * that reaches it through fi->fh (vwfs_fh) acquires it; over io_uring the
 * two run on different rings (seen: opendir on one, readdir on another) */
#define vwfs_fh_published(h) __tsan_release(h)
#define vwfs_fh_reached(h) __tsan_acquire(h)
#define VWFS_TSAN 1
#else
#define vwfs_fh_published(h) ((void)(h))
#define vwfs_fh_reached(h) ((void)(h))
#define vwfs_inode_used(in) ((void)(in))
#define vwfs_inode_freeing(in) ((void)(in))
#define VWFS_TSAN 0
#define vwfs_handle_done(fs) ((void)(fs))
#define vwfs_handle_released(fs) ((void)(fs))
#define vwfs_inode_published(fs) ((void)(fs))
#define vwfs_inode_reached(fs) ((void)(fs))
#endif

/* The open file or directory behind fi->fh (file.c's vwfs_file, dir.c's
 * vwfs_dir), as open, create or opendir left it. */
static inline void *vwfs_fh(const struct fuse_file_info *fi)
{
	void *h = (void *)(uintptr_t)fi->fh;

	vwfs_fh_reached(h);
	return h;
}

/* The daemon's state behind a request (main.c made it the session's). */
static inline struct vwfs *vwfs_data(fuse_req_t req)
{
	return (struct vwfs *)fuse_req_userdata(req);
}

/* Lists of open handles (fs->files, fs->dirs): add l at the head, remove
 * l; under fs->lock. */
static inline void vwfs_link_add(struct vwfs *fs, struct vwfs_link **head,
				 struct vwfs_link *l)
{
	pthread_mutex_lock(&fs->lock);
	l->prev = NULL;
	l->next = *head;
	if (l->next)
		l->next->prev = l;
	*head = l;
	pthread_mutex_unlock(&fs->lock);
}

static inline void vwfs_link_del(struct vwfs *fs, struct vwfs_link **head,
				 struct vwfs_link *l)
{
	pthread_mutex_lock(&fs->lock);
	if (l->prev)
		l->prev->next = l->next;
	else
		*head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	pthread_mutex_unlock(&fs->lock);
}

/* log.c: messages (below every other file of fuse/) */
/* Print fmt (printf) to stderr, or to syslog after vwfs_log_to_syslog(). */
void vwfs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From now on vwfs_log goes to syslog (LOG_DAEMON, LOG_NOTICE): once the
 * daemon has left the terminal, before serving. */
void vwfs_log_to_syslog(void);
/*
 * Set up fs->log_limit, the state of vwfs_log_limited; vwfs_log_limit_fini
 * logs the count of lines suppressed since the last one and undoes it (a
 * no-op if vwfs_log_limit_init was not called).
 */
void vwfs_log_limit_init(struct vwfs *fs);
void vwfs_log_limit_fini(struct vwfs *fs);
/*
 * Print fmt (one line, no newline) at the default level, at most
 * LOG_BURST lines at once and one a second after that; suppressed lines
 * are counted in the next one.  For messages a user's request causes.
 */
void vwfs_log_limited(struct vwfs *fs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Log a refused setxattr with the escaped name, value and reason. */
void vwfs_log_xattr(struct vwfs *fs, uid_t uid, const struct vwfs_inode *in,
		   const char *name, const void *value, size_t size,
		   const char *why);
/*
 * Escape at most @max bytes of in into out (printable ASCII as is, \\, \"
 * and \xHH otherwise; "..." when cut), always NUL-terminated.  Returns
 * the length written.
 */
size_t vwfs_escape(char *out, size_t outlen, const void *in, size_t inlen,
		  size_t max);

/* store.c */
/* huge: -o huge= (NULL: the default, within_size where the kernel has
 * transparent huge pages); refused with --store and the /dev/shm store. */
int vwfs_store_open(struct vwfs *fs, const char *dir, const char *size,
		   const char *max_files, const char *huge);
void vwfs_store_close(struct vwfs *fs);

/* inode.c */
struct vwfs_inode *vwfs_inode(fuse_req_t req, fuse_ino_t ino);
/*
 * "/proc/self/fd/FD" into buf: a path to the object behind descriptor fd
 * (from vwfs_inode_fd(), O_PATH ones included) for the calls that have no
 * descriptor form (chmod, xattrs, linkat).  0 or -ENAMETOOLONG.
 */
int vwfs_proc_path(int fd, char *buf, size_t len);
int vwfs_inode_table_init(struct vwfs *fs);
void vwfs_inode_put(struct vwfs *fs, struct vwfs_inode *in, uint64_t n);
void vwfs_inode_table_free(struct vwfs *fs);

/* inode.c: operations on names and attributes */
void vwfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void vwfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void vwfs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets);
void vwfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vwfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int valid, struct fuse_file_info *fi);
void vwfs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void vwfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev);
void vwfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode);
void vwfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name);
void vwfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname);
void vwfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void vwfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void vwfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags);
void vwfs_op_statfs(fuse_req_t req, fuse_ino_t ino);
int vwfs_make_entry(struct vwfs *fs, struct vwfs_inode *parent, const char *name,
		   struct fuse_entry_param *e);
void vwfs_chown_new(fuse_req_t req, struct vwfs_inode *parent, const char *name);
/*
 * The inode of the store object (dev, ino) if the kernel knows it, with
 * one lookup reference taken (give it back with vwfs_inode_put); NULL if
 * the table has none.
 */
struct vwfs_inode *vwfs_inode_find(struct vwfs *fs, dev_t dev, ino_t ino);

/* file.c: data path */
/*
 * Before fuse_session_new: unless the user gave -o max_read=
 * (fs->max_read_given), add the size of the daemon's read requests
 * (fallback path; see file.c) to args and keep it in fs->max_read, which
 * init must echo.  0 or -1 (no memory).
 */
int vwfs_data_path_args(struct vwfs *fs, struct fuse_args *args);
/*
 * After the mount: the readahead window of the mount's page cache
 * (/sys/class/bdi/MAJ:MIN/read_ahead_kb, which only root may set; without
 * it the kernel's default stays, silently), kept in fs->readahead for
 * init to ask of the kernel (its INIT takes the smaller of the two).
 * Before the session loop; never blocks on the mount.
 */
void vwfs_data_path_mounted(struct vwfs *fs, const char *mountpoint);
void vwfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		   mode_t mode, struct fuse_file_info *fi);
void vwfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vwfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void vwfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi);
void vwfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vwfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vwfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi);
void vwfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
		      off_t len, struct fuse_file_info *fi);
void vwfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi);
void vwfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags);
int vwfs_kill_suidgid(struct vwfs *fs, struct vwfs_inode *in, int fd);
/* At exit: free the files the kernel never released. */
void vwfs_files_free(struct vwfs *fs);

/* dir.c: open directories */
void vwfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vwfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void vwfs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void vwfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi);
/* At exit: free the directories the kernel never released. */
void vwfs_dirs_free(struct vwfs *fs);

/* handle.c: how an inode reaches its store object */
/*
 * At start, after vwfs_store_open() and before serving (main calls it once
 * mounted, so that refusals before the mount stay one line): decide
 * whether inodes hold file handles (fs->use_handles) or descriptors, and
 * log which.  Handles need a store
 * file system that exports them and a daemon that may open them
 * (CAP_DAC_READ_SEARCH in the initial user namespace).  Never fails: the
 * fallback is a descriptor per inode.
 */
void vwfs_handles_probe(struct vwfs *fs);
/*
 * A new inode for the store object behind fd (O_PATH), whose stat is st:
 * with fs->use_handles and a handle the root can open, the inode holds the
 * handle and fd is closed; otherwise it keeps fd.  fd is consumed either
 * way.  Fields other than path_fd, handle, dev, ino, type and the locks
 * are zero.  NULL when out of memory.
 */
struct vwfs_inode *vwfs_inode_new(struct vwfs *fs, int fd, const struct stat *st);
/* Free an inode of vwfs_inode_new (or the root's locks and descriptor). */
void vwfs_inode_free(struct vwfs *fs, struct vwfs_inode *in);
/*
 * 1 if a and b are the same store object.  Two inodes with one (st_dev,
 * st_ino) can be different objects when handles let a deleted object go
 * while the kernel still knows it and the store reuses its number.
 */
int vwfs_inode_same(const struct vwfs_inode *a, const struct vwfs_inode *b);
/*
 * A descriptor on in's store object for the length of one operation.
 * flags: O_PATH for a descriptor to pass to *at() calls (as dirfd, or with
 * AT_EMPTY_PATH) or to vwfs_proc_path(); otherwise open(2) flags without
 * O_CREAT (O_RDONLY|O_DIRECTORY, O_WRONLY, the store flags of an open).
 * O_CLOEXEC is added.  While the inode has open files the descriptor is
 * made from one of theirs (so an unlinked open file stays reachable), else
 * from the handle or path_fd.  Give it back with vwfs_inode_fd_done() on
 * every path, before the reply (which may end the kernel's last reference
 * to in, so that a FORGET frees it); never close it.  One for flags other
 * than O_PATH is always new and may instead be kept, and closed, by the
 * caller (open and opendir keep theirs).  Returns the descriptor or
 * -errno: -ENOENT when the object is gone from the store (deleted while
 * the kernel still knew the inode, e.g. `stat .` in a removed directory;
 * open_by_handle_at's ESTALE, reported as the lost name it is),
 * -EMFILE/-ENFILE, -ENOMEM, or what open(2) answers for flags (EACCES,
 * EISDIR, ENOTDIR, ...).
 */
int vwfs_inode_fd(struct vwfs *fs, struct vwfs_inode *in, int flags);
/* Give back a descriptor of vwfs_inode_fd(); ignores fd < 0; keeps errno. */
void vwfs_inode_fd_done(struct vwfs_inode *in, int fd);
/*
 * Before an open, create or opendir for req's caller: 0, or -ENFILE when
 * the caller is not root and the descriptors open files and directories
 * keep (fs->open_fds) already reach the daemon's RLIMIT_NOFILE less a
 * reserve (1/8 of it, at least 32).  The reserve keeps root able to open
 * and every user able to stat (operations take descriptors for a moment)
 * when users hold many files open.  Callers count what they keep in
 * fs->open_fds.
 */
int vwfs_open_fds_check(fuse_req_t req);
/* fs->open_fds += 1, keeping open_fds_peak. */
void vwfs_open_fds_add(struct vwfs *fs);
/* Link f into / out of in's open files (attach_file, detach_file). */
void vwfs_inode_files_add(struct vwfs_inode *in, struct vwfs_file *f);
void vwfs_inode_files_del(struct vwfs_inode *in, struct vwfs_file *f);

/* xattr.c */
void vwfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags);
void vwfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size);
void vwfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void vwfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/*
 * seal.c: seals (libview's view.h, "Seals"), kept as user.view.seals on
 * the store object.  All but vwfs_seals_now and vwfs_seals_check_write
 * run under in->lock, held by the caller.  fd: a descriptor on the object
 * that is not O_PATH, or -1.  Each returns 0 or -errno: -EPERM what a seal
 * forbids, -EIO a stored value viewfs did not write, -errno of the store.
 */
/* The seals of in (read from the store the first time) into *seals. */
int vwfs_seals_get(struct vwfs *fs, struct vwfs_inode *in, int fd,
		   unsigned *seals);
/* The seals known now, without a lock (0 before the first read). */
unsigned vwfs_seals_now(const struct vwfs_inode *in);
/* An open with flags (O_ACCMODE, O_TRUNC) of the object open as fd. */
int vwfs_seals_check_open(struct vwfs *fs, struct vwfs_inode *in, int fd,
			  int flags);
/* A size change to size (setattr). */
int vwfs_seals_check_size(struct vwfs *fs, struct vwfs_inode *in, int fd,
			  off_t size);
/* A write of [off, off + len) into fd (grows: it may extend the file). */
int vwfs_seals_check_write(struct vwfs_inode *in, int fd, off_t off, off_t len,
			   int grows);
/*
 * setxattr(user.view.seals, value) by uid on in's object at path: add the
 * seals value lists.  -EINVAL a bad value or not a regular file; -EPERM
 * uid neither root nor the owner; -EBUSY the write or grow seal while the
 * file is open for writing (after waiting briefly for releases under way,
 * with in->lock dropped meanwhile); -ENOSPC the store's xattr bound.
 */
int vwfs_seals_add(struct vwfs *fs, struct vwfs_inode *in, const char *path,
		   const char *value, size_t size, uid_t uid);

/* space.c: reservation, the xattr bound */
/* Set up fs->space (before the store is opened); vwfs_space_fini undoes it
 * and may be called whether or not vwfs_space_init was. */
void vwfs_space_init(struct vwfs *fs);
void vwfs_space_fini(struct vwfs *fs);
/*
 * After the store is open: -o reserve=on|off (NULL: on for the RAM
 * stores, off for --store DIR; on with --store probes DIR's fallocate)
 * and -o max_xattr_bytes=N (NULL: capacity / 16, at most 64 MiB; 0: no
 * bound; refused with --store).  0, or -EINVAL/-errno of the probe after
 * a one-line message.
 */
int vwfs_space_configure(struct vwfs *fs, const char *reserve,
			const char *max_xattr_bytes);
/*
 * The allocations below take @caller, the pid of the FUSE request (0 when
 * the kernel could not name it): one of 2 MiB or more runs on the CPU the
 * caller last ran on, so its pages come from that CPU's free lists and
 * memory node, as tmpfs's would at the caller's own page fault (best
 * effort: where the CPU cannot be learnt or is not allowed to the daemon,
 * it runs where it is).
 *
 * Set the size of the store file fd (open for writing) to @size for
 * setattr: -EFBIG above the RAM store's whole capacity; with reserve a
 * grow allocates the new pages first (-ENOSPC, file unchanged, when they
 * do not fit); -errno of fstat/fallocate/ftruncate.
 */
int vwfs_space_truncate(struct vwfs *fs, int fd, off_t size, pid_t caller);
/*
 * fallocate(2) for the FUSE request: the EFBIG rule unless punching, and
 * allocations serialised with grows.  0 or -errno.
 */
int vwfs_space_fallocate(struct vwfs *fs, int fd, int mode, off_t off, off_t len,
			 pid_t caller);
/*
 * Before a write or copy into fd at @off: with reserve, allocate the gap
 * between the end of the file and @off (size unchanged) so it is no
 * unreserved hole; *from is where the gap starts, or -1 when nothing was
 * allocated.  0, -ENOSPC or -errno.
 */
int vwfs_space_write_gap(struct vwfs *fs, int fd, off_t off, off_t *from,
			 pid_t caller);
/* The write after vwfs_space_write_gap wrote nothing: give the gap
 * [from, off) back, unless the file has grown into it meanwhile. */
void vwfs_space_write_gap_undo(struct vwfs *fs, int fd, off_t from, off_t off);
/* Log (rate-limited) that a write-back WRITE of @len bytes at @off into
 * fd failed with @err: the kernel has no one to report it to but fsync. */
void vwfs_space_write_lost(struct vwfs *fs, int fd, off_t off, size_t len,
			  int err);
/*
 * setxattr(path, ...) with the store's xattr bound, under in->lock held
 * by the caller.  0; -ENOSPC past max_xattr_bytes (logged with uid);
 * -ENOENT on an object without a name left; -errno of the store.
 */
int vwfs_space_setxattr(struct vwfs *fs, struct vwfs_inode *in, const char *path,
		       const char *name, const char *value, size_t size,
		       int flags, uid_t uid);
/* removexattr(path, name), giving its bytes back; under in->lock held by
 * the caller.  0 or -errno. */
int vwfs_space_removexattr(struct vwfs *fs, struct vwfs_inode *in,
			  const char *path, const char *name);
/*
 * unlinkat(2) / renameat2(2) in the store; the object that loses its last
 * name gives its xattr bytes back (at once, or at its last close if it is
 * open).  Nothing extra when no xattr bytes are charged.  0 or -errno.
 */
int vwfs_space_unlinkat(struct vwfs *fs, int dirfd, const char *name, int flags);
int vwfs_space_renameat2(struct vwfs *fs, int olddirfd, const char *oldname,
			int newdirfd, const char *newname, unsigned int flags);
/* Under in->lock when its last open handle (descriptor fd) closes. */
void vwfs_space_last_close(struct vwfs *fs, struct vwfs_inode *in, int fd);
/* The charged user.* xattr bytes of the store (for -o stats). */
uint64_t vwfs_space_xattr_bytes(struct vwfs *fs);

/* unmount.c */
/*
 * The device number ("major:minor") of the fuse.viewfs mount whose mount
 * point is @path (absolute, as in mountinfo), the last one listed (the top
 * of the stack), into @dev; 0 if found, -ENOENT if not (a path with
 * blanks, which mountinfo escapes, is never found), or fopen's -errno.
 * Reads /proc/self/mountinfo only: never asks the mount itself.
 */
int vwfs_mount_dev(const char *path, char *dev, size_t devlen);
/*
 * -o auto_unmount: start a watcher process that detaches the fuse.viewfs
 * mount on @path (absolute, as libfuse resolved it) once this process has
 * ended without unmounting, kill -9 included.  Call after mounting, before
 * serving.  0, -ENOENT if @path is not a viewfs mount in mountinfo (e.g. a
 * path with blanks), or the errno of pipe/fork.
 */
int vwfs_auto_unmount_start(const char *path);
/*
 * After a clean unmount: tell the watcher to leave without looking, so a
 * mount made on the same path later (which may get the same device number)
 * is never detached.  Does nothing without a watcher, or while the mount
 * is still there (a failed unmount keeps the watcher armed).
 */
void vwfs_auto_unmount_disarm(void);
/* 1 if @mountpoint holds a FUSE mount whose daemon is gone (ENOTCONN, or
 * ECONNABORTED for a request the abort caught). */
int vwfs_mountpoint_dead(const char *mountpoint);

/**
 * vwfs_loop_spin() - serve a mounted session with a spinning reader (loop.c)
 * @se:		the session, mounted; its /dev/fuse descriptor is made
 *		O_NONBLOCK while the loop runs and put back afterwards
 * @spin_us:	how long the reading thread polls for the next request
 *		before it sleeps in poll(2), in microseconds (> 0)
 * @max_threads: threads at most (>= 2: the reader and a watcher that takes
 *		the role over from a reader held up by one request for a
 *		millisecond or more)
 * @st:		counters, updated as requests are taken
 *
 * Returns when the session ends: at unmount, or when SIGINT, SIGTERM or
 * SIGHUP made libfuse's handlers (fuse_set_signal_handlers()) end it; the
 * calling thread takes those signals, the loop's threads block them.
 *
 * Return: 0, or -1 with errno: EINVAL (@spin_us 0 or @max_threads < 2),
 * an error of fcntl(2) or eventfd(2), ENOMEM, EAGAIN (no thread could be
 * started), or the error that ended reading /dev/fuse.
 */
int vwfs_loop_spin(struct fuse_session *se, unsigned int spin_us,
		   unsigned int max_threads, struct vwfs_loop_stats *st);

#endif /* VIEWFS_H */
