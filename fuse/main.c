/* SPDX-License-Identifier: MIT */
/*
 * viewfs main: command line, the store, the FUSE session and its
 * connection setup (init: passthrough, KILLPRIV_V2, splice), the event
 * loop and a clean shutdown on unmount, SIGINT, SIGTERM or SIGHUP.
 */
#include "viewfs.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
"NAME\n"
"    viewfs - shared memory buffers as files\n"
"\n"
"SYNOPSIS\n"
"    viewfs MOUNTPOINT [-f] [-d] [-s] [-o OPTION[,OPTION...]] [--store DIR]\n"
"    viewfs --help | --version\n"
"\n"
"DESCRIPTION\n"
"    viewfs mounts a file system whose regular files are shared buffers.\n"
"    Every program uses them as ordinary files (read, write, mmap with\n"
"    MAP_SHARED, truncate, cp, dd, tar, ...); every process that maps a\n"
"    buffer sees the same pages.  The extended attributes user.view.format\n"
"    (a struct-module format such as B, <f or d) and user.view.shape\n"
"    (D0,D1,...) describe a typed view of the bytes; they are validated\n"
"    against each other and the file size, and are what `view show` and\n"
"    libview's vw_open() read.  Other user.* attributes are stored as given.\n"
"\n"
"    By default the buffers live in RAM, in a tmpfs instance private to the\n"
"    daemon and attached to no path; they disappear at unmount.  With\n"
"    --store DIR each buffer is a file in DIR under the same path, so they\n"
"    survive unmount, restart and a crash of the daemon (every byte a\n"
"    write(2) returned for, and the attributes).\n"
"\n"
"    Data goes straight to the store: with kernel FUSE passthrough (Linux\n"
"    >= 6.9, libfuse >= 3.17, CAP_SYS_ADMIN) reads, writes and mmap of an\n"
"    open file never reach the daemon; otherwise the daemon splices data\n"
"    between the store and the kernel.  The daemon says at start which\n"
"    path it uses.\n"
"\n"
"    Unmount with `fusermount3 -u MOUNTPOINT` (or umount), or send SIGINT or\n"
"    SIGTERM to the daemon: it unmounts and exits cleanly.\n"
"\n"
"OPTIONS\n"
"    --store DIR\n"
"        Keep the buffers in DIR (created beforehand; may hold buffers of an\n"
"        earlier run) instead of RAM.  DIR must not be changed by others\n"
"        while mounted.  The mountpoint may be DIR itself but not lie\n"
"        inside it.\n"
"    -o size=BYTES\n"
"        Capacity of the RAM store, with suffix k, m, g, t or % of RAM\n"
"        (as tmpfs).  Default: half of RAM.  Writes beyond the free space\n"
"        fail with ENOSPC (with reserve=on truncates and fallocate too),\n"
"        sizes beyond the whole capacity with EFBIG; df shows size and use.\n"
"    -o reserve=on|off\n"
"        on (default for the RAM store): a buffer of N bytes owns N bytes.\n"
"        Growing a file (truncate, ftruncate, fallocate, a write past its\n"
"        end) allocates its pages at once, so ENOSPC comes from that call\n"
"        and df counts it, and no later store into the buffer, mmap\n"
"        included, can fail for lack of space.  off: sparse files as on\n"
"        tmpfs (a store into a hole of a full store fails later: SIGBUS\n"
"        with passthrough, a lost write-back without, logged).  Default\n"
"        off for --store DIR; on there needs fallocate in DIR's file system.\n"
"    -o max_xattr_bytes=BYTES\n"
"        Bound on the user.* extended attributes of the RAM store, each\n"
"        counted as name + value + 64 bytes (kernel memory outside size=).\n"
"        Default: size/16, at most 64m; 0: no bound.  ENOSPC beyond.  With\n"
"        --store DIR its file system bounds them.\n"
"    -o huge=never|always|within_size|advise\n"
"        Transparent huge pages of the RAM store (tmpfs's huge= values).\n"
"        within_size (default): a 2 MiB page for every 2 MiB a file's size\n"
"        covers when its pages are allocated, so a buffer sized at once\n"
"        (truncate, fallocate; with reserve=on every grow) takes one page\n"
"        fault and one TLB entry per 2 MiB, and files under 2 MiB keep\n"
"        4 KiB pages (no 2 MiB each).  never: 4 KiB pages, as a default\n"
"        tmpfs.  Refused with --store DIR (its file system decides) and\n"
"        where the store falls back to /dev/shm; a kernel without\n"
"        transparent huge pages refuses any value but never (the default\n"
"        then uses 4 KiB pages, logged).\n"
"    -o max_files=N\n"
"        Most files, directories and links the RAM store holds (ENOSPC\n"
"        beyond).  Default: as tmpfs.\n"
"    -o passthrough=auto|on|off\n"
"        Kernel FUSE passthrough: auto (default) uses it when kernel,\n"
"        libfuse and privileges allow and falls back otherwise; on fails to\n"
"        mount without it; off always uses the daemon's splice path.\n"
"    -o io_uring=auto|on|off\n"
"        FUSE over io_uring (Linux >= 6.14, libfuse >= 3.18): requests and\n"
"        replies go through rings shared with the kernel, one per CPU,\n"
"        instead of a read(2) and a write(2) on /dev/fuse each, which\n"
"        makes metadata operations (create, unlink, getattr) cheaper.  The\n"
"        kernel offers it only while root has set\n"
"        " VWFS_URING_PARAM " to Y (N by\n"
"        default; viewfs never changes it).  auto (default): used when that\n"
"        parameter is Y, silently not otherwise; on: refuse to mount\n"
"        without it; off: never.  The daemon says at start which it uses.\n"
"    -o writeback_cache\n"
"        Without passthrough only: let the kernel gather small writes in its\n"
"        page cache (much faster 4 KiB writes).  A full store is then\n"
"        reported by fsync(2) and close(2), no longer by write(2)\n"
"        (writes inside a buffer sized with reserve=on cannot fail).\n"
"    -o timeout=SECONDS\n"
"        How long the kernel caches names and attributes (default 1).\n"
"    -o spin=MICROSECONDS\n"
"        After each request the reading thread polls /dev/fuse this long\n"
"        for the next one before it sleeps (0 to 10000).  A request that\n"
"        comes meanwhile is taken without waking a thread, which on a VM\n"
"        (whose idle vCPUs halt) is much of a round trip: measured there,\n"
"        create + unlink 1.1-1.4x faster, small writes without passthrough\n"
"        1.0-1.6x.  The cost\n"
"        is up to one CPU while requests keep coming, and spin\n"
"        microseconds after the last; an idle daemon does not spin.  One\n"
"        thread reads at a time and serves what it reads; another takes\n"
"        reading over when one request holds it up for a millisecond.\n"
"        Default 0 (off): one reader serves concurrent requests (readahead,\n"
"        many callers) one after the other, where libfuse's loop serves\n"
"        them in parallel.  Worth trying for a few callers doing small\n"
"        synchronous operations on a VM.  0, -s, clone_fd and io_uring\n"
"        use libfuse's loop.\n"
"    -o stats\n"
"        Print request counters at exit (reads, writes, opens, getxattr),\n"
"        the most descriptors open files and directories held, and how\n"
"        many allocations of 2 MiB or more (reserve=on grows, fallocate)\n"
"        ran on the CPU of the process that asked for them, and with\n"
"        spin how many requests were taken spinning or after a sleep.\n"
"    -o auto_unmount\n"
"        Unmount when the daemon ends in any way, kill -9 included (a\n"
"        watcher process of viewfs's own does it; a mount placed on the\n"
"        mountpoint later is never touched).  Without it a crashed daemon\n"
"        leaves \"Transport endpoint is not connected\" until\n"
"        `fusermount3 -uz MOUNTPOINT`; viewfs refuses to mount over that and\n"
"        says so.\n"
"    -o allow_other\n"
"        Let other users access the mount (access is then checked against\n"
"        file modes: viewfs always mounts with default_permissions).\n"
"    -f  Stay in the foreground (messages go to stderr, else to syslog).\n"
"    -d  Debug: foreground, and print every FUSE request.\n"
"    -s  Single-threaded.\n"
"    -o max_threads=N\n"
"        Worker threads (default: one per CPU, at least 2; libfuse's own\n"
"        default of 10 is slower on small machines).\n"
"    -h, --help     This text, then the generic FUSE options.\n"
"    -V, --version  Versions of viewfs and libfuse, and passthrough support.\n"
"\n"
"LIMITS\n"
"    With reserve=on a buffer's pages are allocated when it is sized; a\n"
"    write past the end through kernel passthrough (which the daemon does\n"
"    not see) and FALLOC_FL_PUNCH_HOLE leave holes, and a store into a\n"
"    hole of a full store fails as with reserve=off.  A file grown in\n"
"    small steps by writes (cp, dd bs=1M) gets 4 KiB pages, as on tmpfs\n"
"    huge=within_size.  A mapping uses 2 MiB entries only at a 2 MiB\n"
"    aligned address (the kernel aligns mappings of 2 MiB or more).\n"
"    Refused setxattr calls and lost write-backs are logged (at most 10\n"
"    lines at once, then one a second).  The mount is always nosuid\n"
"    and nodev (suid/dev options are overridden): device nodes can be made\n"
"    (by root) and copied, but not opened as devices.  Only user.*\n"
"    extended attributes are kept; no POSIX ACLs.  One daemon per --store\n"
"    DIR (a second one is refused).\n"
"    Locks (flock, fcntl) are local to this kernel.\n"
"\n"
"EXIT STATUS\n"
"    0 after an unmount or a signal, 1 when the options, the store or the\n"
"    mount fail (a one-line message says why on stderr).\n"
"\n"
"EXAMPLES\n"
"    viewfs mnt -o size=1g\n"
"    truncate -s 64M mnt/frame\n"
"    setfattr -n user.view.format -v B mnt/frame\n"
"    setfattr -n user.view.shape -v 4096,4096,4 mnt/frame\n"
"    view show mnt/frame --slice 0,0:4 --tolist\n"
"    fusermount3 -u mnt\n"
"\n";

struct vwfs_opts {
	char *size;
	char *max_files;
	char *passthrough;
	char *store;
	char *timeout;
	char *reserve;
	char *max_xattr_bytes;
	char *huge;
	char *io_uring;
	char *spin;
	char *max_read;		/* libfuse's own, also kept for it */
	int stats;
	int writeback;
	int auto_unmount;
};

#define VOPT(t, m) { t, offsetof(struct vwfs_opts, m), 1 }
static const struct fuse_opt vwfs_opt_spec[] = {
	VOPT("size=%s", size),
	VOPT("max_files=%s", max_files),
	VOPT("passthrough=%s", passthrough),
	VOPT("timeout=%s", timeout),
	VOPT("reserve=%s", reserve),
	VOPT("max_xattr_bytes=%s", max_xattr_bytes),
	VOPT("huge=%s", huge),
	VOPT("io_uring=%s", io_uring),
	VOPT("spin=%s", spin),
	/* libfuse's mount option: read here, and passed on to libfuse */
	VOPT("max_read=%s", max_read),
	FUSE_OPT_KEY("max_read=", FUSE_OPT_KEY_KEEP),
	VOPT("--store=%s", store),
	VOPT("--store %s", store),
	VOPT("stats", stats),
	VOPT("writeback_cache", writeback),
	/* ours, not libfuse's: see unmount.c */
	VOPT("auto_unmount", auto_unmount),
	FUSE_OPT_END
};

/* CAP_SYS_ADMIN in the effective set: the kernel wants it for passthrough. */
static int have_sys_admin(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long eff = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 21) & 1;
}

/*
 * FUSE over io_uring, asked of libfuse with -o io_uring (fs->uring): the
 * kernel offers it in INIT only while its enable_uring parameter is Y, and
 * libfuse then starts one ring thread per CPU after this callback (a ring
 * that fails to start is logged by libfuse, which stays on /dev/fuse).
 */
static void init_uring(struct vwfs *fs, struct fuse_conn_info *conn)
{
	if (!fs->uring)
		return;
#if VWFS_HAVE_URING
	if (conn->capable_ext & FUSE_CAP_OVER_IO_URING) {
		fuse_set_feature_flag(conn, FUSE_CAP_OVER_IO_URING);
		vwfs_log("viewfs: io_uring: on (one ring per CPU)\n");
		return;
	}
#else
	(void)conn;
#endif
	if (fs->uring_mode == VWFS_PT_ON) {
		vwfs_log("viewfs: io_uring=on, but the kernel did not offer FUSE over "
			"io_uring (" VWFS_URING_PARAM " went to N?)\n");
		fs->init_error = 1;
		fuse_session_exit(fs->se);
	}
}

static void vwfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct vwfs *fs = userdata;
	const char *why = NULL;

	/*
	 * RELEASE is a background request, and the kernel keeps at most
	 * max_background of those in flight (libfuse's default: 12).  Under
	 * many creating clients the releases then queue in the kernel while
	 * their files' descriptors stay open here: 64 processes doing
	 * create+close reached 20,000 descriptors (EMFILE for everyone).  With
	 * room for many, releases reach us in arrival order, right after their
	 * creates, and open descriptors stay near the number of clients.
	 */
	conn->max_background = VWFS_MAX_BACKGROUND;
	conn->congestion_threshold = VWFS_MAX_BACKGROUND * 3 / 4;

	/* Replies spliced from the store, writes spliced into it. */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE;
	/* Receiving requests by splice costs two more system calls each;
	 * measured slower here for 4 KiB writes. */
	conn->want &= ~FUSE_CAP_SPLICE_READ;
	/* Only the daemon changes the store: a changed mtime is no reason to
	 * drop cached pages. */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	/* Writeback caching would report ENOSPC late; keep write(2) exact. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/*
	 * Without HANDLE_KILLPRIV_V2 the kernel asks for security.capability
	 * before every write (one round trip per write(2), passthrough
	 * included).  With it the super block is SB_NOSEC and the kernel
	 * remembers per inode that there is nothing to clear; we clear
	 * set-user-ID/set-group-ID ourselves where the flag asks it.
	 */
#ifdef FUSE_CAP_HANDLE_KILLPRIV_V2	/* libfuse >= 3.16 */
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV_V2) {
		conn->want |= FUSE_CAP_HANDLE_KILLPRIV_V2;
		fs->killpriv_v2 = 1;
	}
#endif
	if (conn->max_write < (1u << 20))
		conn->max_write = 1u << 20;
	conn->max_read = fs->max_read;	/* what the mount was given */
	if (fs->readahead > conn->max_readahead)	/* file.c */
		conn->max_readahead = fs->readahead;

	atomic_store(&fs->passthrough, 0);
#if VWFS_HAVE_PASSTHROUGH
	if (fs->pt_mode == VWFS_PT_OFF)
		why = "passthrough=off";
	else if (!(conn->capable & FUSE_CAP_PASSTHROUGH))
		why = "the kernel does not offer FUSE passthrough";
	else if (!have_sys_admin())
		why = "passthrough needs CAP_SYS_ADMIN";
	if (!why) {
		conn->want |= FUSE_CAP_PASSTHROUGH;
		conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
		atomic_store(&fs->passthrough, 1);
	}
#else
	(void)have_sys_admin;
	why = "viewfs was built against libfuse " VWFS_FUSE_BUILT
	      ", which has no passthrough (run make deps)";
#endif
	if (why && fs->pt_mode == VWFS_PT_ON) {
		vwfs_log("viewfs: passthrough=on, but %s\n", why);
		fs->init_error = 1;
		fuse_session_exit(fs->se);
		return;
	}
	/* Without passthrough, and only when asked: the kernel gathers small
	 * writes in its page cache and sends them later, so write(2) no
	 * longer reports ENOSPC (fsync and close do). */
	if (why && fs->writeback && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	if (why)
		vwfs_log("viewfs: data path: daemon (splice%s), because %s\n",
			(conn->want & FUSE_CAP_WRITEBACK_CACHE) ? ", writeback cache" : "", why);
	else
		vwfs_log("viewfs: data path: kernel passthrough\n");
	if (fs->killpriv_v2)
		vwfs_log("viewfs: handle_killpriv_v2: on (no security.capability probe per write)\n");
	init_uring(fs, conn);
}

static void vwfs_destroy(void *userdata)
{
	struct vwfs *fs = userdata;

	/* Everything write(2) returned for is in the store; make it durable. */
	if (fs->store_kind == VWFS_STORE_DIR)
		syncfs(fs->root.path_fd);
}

static const struct fuse_lowlevel_ops vwfs_ops = {
	.init = vwfs_init,
	.destroy = vwfs_destroy,
	.lookup = vwfs_op_lookup,
	.forget = vwfs_op_forget,
	.forget_multi = vwfs_op_forget_multi,
	.getattr = vwfs_op_getattr,
	.setattr = vwfs_op_setattr,
	.readlink = vwfs_op_readlink,
	.mknod = vwfs_op_mknod,
	.mkdir = vwfs_op_mkdir,
	.symlink = vwfs_op_symlink,
	.link = vwfs_op_link,
	.unlink = vwfs_op_unlink,
	.rmdir = vwfs_op_rmdir,
	.rename = vwfs_op_rename,
	.statfs = vwfs_op_statfs,
	.opendir = vwfs_op_opendir,
	.readdir = vwfs_op_readdir,
	.releasedir = vwfs_op_releasedir,
	.fsyncdir = vwfs_op_fsyncdir,
	.create = vwfs_op_create,
	.open = vwfs_op_open,
	.read = vwfs_op_read,
	.write_buf = vwfs_op_write_buf,
	.flush = vwfs_op_flush,
	.release = vwfs_op_release,
	.fsync = vwfs_op_fsync,
	.fallocate = vwfs_op_fallocate,
	.lseek = vwfs_op_lseek,
	.copy_file_range = vwfs_op_copy_file_range,
	.setxattr = vwfs_op_setxattr,
	.getxattr = vwfs_op_getxattr,
	.listxattr = vwfs_op_listxattr,
	.removexattr = vwfs_op_removexattr,
};

/* Without file handles every inode the kernel knows holds a descriptor
 * (handle.c), and every open file does: allow as many as we may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			vwfs_log("viewfs: warning: cannot raise the descriptor limit: %s\n",
				strerror(errno));
	}
}

static int parse_pt_mode(const char *s, enum vwfs_pt_mode *out)
{
	if (!s || !strcmp(s, "auto"))
		*out = VWFS_PT_AUTO;
	else if (!strcmp(s, "on"))
		*out = VWFS_PT_ON;
	else if (!strcmp(s, "off"))
		*out = VWFS_PT_OFF;
	else
		return -EINVAL;
	return 0;
}

static const char *store_name(const struct vwfs *fs)
{
	switch (fs->store_kind) {
	case VWFS_STORE_TMPFS: return "RAM (private tmpfs)";
	case VWFS_STORE_SHM: return "RAM (directory under /dev/shm)";
	default: return fs->store_dir;
	}
}

/*
 * libfuse starts up to 10 workers; on a small machine the hand-offs between
 * them cost more than they overlap (4 KiB random writes without
 * passthrough: 3k IOPS with 10 workers, 12k with 2, on 2 CPUs).  Default to
 * one worker per CPU, at least 2, unless -o max_threads= says otherwise.
 */
static int max_threads_given(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++)
		if (strstr(argv[i], "max_threads="))
			return 1;
	return 0;
}

/* CPUs this process may run on (1 if that cannot be read). */
static int allowed_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}

static unsigned int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : (unsigned int)n;
}

/*
 * path lies strictly below dir (both absolute and resolved).  A mountpoint
 * below the store makes a lookup in the store cross into this very mount:
 * a deadlock with -s, else requests to ourselves and a mount that cannot
 * be unmounted (EBUSY) because the daemon holds a descriptor inside it.
 * The store itself as mountpoint is fine: it is opened before the mount.
 */
static int path_below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	while (n > 0 && dir[n - 1] == '/')
		n--;
	return strncmp(dir, path, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

static void print_version(void)
{
	printf("viewfs %s\n", VIEWFS_VERSION);
	printf("libfuse %s (built against %s), kernel passthrough support: %s\n",
	       fuse_pkgversion(), VWFS_FUSE_BUILT,
	       VWFS_HAVE_PASSTHROUGH ? "yes" : "no (libfuse < 3.17)");
	fflush(stdout);
	fuse_lowlevel_version();
}

/*
 * libfuse's own options (-f, -d, -s, the mountpoint, --help, --version).
 * Returns -1 to go on, else the exit status: 0 after --help or --version,
 * 1 after a bad command line (libfuse or this says why).
 */
static int parse_command_line(struct fuse_args *args, struct fuse_cmdline_opts *cmd)
{
	if (fuse_parse_cmdline(args, cmd) != 0)
		return 1;	/* libfuse said why; it may have set mountpoint */
	if (cmd->show_help) {
		fputs(usage_text, stdout);
		printf("GENERIC FUSE OPTIONS\n");
		fflush(stdout);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		return 0;
	}
	if (cmd->show_version) {
		print_version();
		return 0;
	}
	if (!cmd->mountpoint) {
		fprintf(stderr, "usage: viewfs MOUNTPOINT [options]  (viewfs --help for more)\n");
		return 1;
	}
	return -1;
}

/*
 * io_uring=auto|on|off against what libfuse and the kernel allow: sets
 * fs->uring.  0, or -1 after a one-line message (on, and it cannot be).
 * The kernel's parameter is read, never written.
 */
static int check_uring(struct vwfs *fs)
{
	const char *why = NULL;
	char v = 0;
	FILE *f;

	if (fs->uring_mode == VWFS_PT_OFF)
		return 0;
	f = fopen(VWFS_URING_PARAM, "re");
	if (f) {
		v = (char)fgetc(f);
		fclose(f);
	}
	if (!VWFS_HAVE_URING)
		why = "viewfs was built against libfuse " VWFS_FUSE_BUILT
		      ", which has no io_uring (libfuse >= 3.18: run make deps)";
	else if (!f)
		why = "this kernel has no FUSE over io_uring (no " VWFS_URING_PARAM ")";
	else if (v != 'Y')
		why = "the kernel has it switched off (" VWFS_URING_PARAM
		      " is N; root may set it to Y)";
	if (!why) {
		fs->uring = 1;
		return 0;
	}
	if (fs->uring_mode == VWFS_PT_ON) {
		fprintf(stderr, "viewfs: io_uring=on, but %s\n", why);
		return -1;
	}
	return 0;	/* auto: silently off */
}

/*
 * Check viewfs's -o options that need no store and put them into fs.
 * 0, or -1 after a one-line message.
 */
static int apply_options(struct vwfs *fs, const struct vwfs_opts *opts,
			 const struct fuse_cmdline_opts *cmd)
{
	char *end;

	if (parse_pt_mode(opts->io_uring, &fs->uring_mode)) {
		fprintf(stderr, "viewfs: bad io_uring=%s (auto, on or off)\n", opts->io_uring);
		return -1;
	}
	if (check_uring(fs) < 0)
		return -1;
	/* libfuse checks the value; init must echo it (file.c) */
	fs->max_read_given = opts->max_read != NULL;
	if (opts->max_read)
		fs->max_read = (unsigned)strtoul(opts->max_read, NULL, 0);
	if (parse_pt_mode(opts->passthrough, &fs->pt_mode)) {
		fprintf(stderr, "viewfs: bad passthrough=%s (auto, on or off)\n",
			opts->passthrough);
		return -1;
	}
	if (opts->timeout) {
		fs->timeout = strtod(opts->timeout, &end);
		/* !(>= 0) also refuses nan, which libfuse would cast to an integer */
		if (*end || end == opts->timeout || !(fs->timeout >= 0)) {
			fprintf(stderr, "viewfs: bad timeout=%s (seconds >= 0)\n",
				opts->timeout);
			return -1;
		}
	}
#if !VWFS_HAVE_PASSTHROUGH
	if (fs->pt_mode == VWFS_PT_ON) {
		fprintf(stderr, "viewfs: passthrough=on, but viewfs was built against "
			"libfuse %s, which has no passthrough (run make deps)\n",
			VWFS_FUSE_BUILT);
		return -1;
	}
#else
	/* Known before mounting: say it here, not after the daemon has left
	 * the terminal (without -f the INIT-time message goes to syslog and
	 * the command would seem to succeed). */
	if (fs->pt_mode == VWFS_PT_ON && !have_sys_admin()) {
		fprintf(stderr, "viewfs: passthrough=on, but passthrough needs CAP_SYS_ADMIN\n");
		return -1;
	}
#endif
	if (opts->spin) {
		unsigned long us = strtoul(opts->spin, &end, 10);

		if (*end || end == opts->spin || opts->spin[0] == '-' || us > 10000) {
			fprintf(stderr, "viewfs: bad spin=%s (microseconds, 0 to 10000)\n",
				opts->spin);
			return -1;
		}
		fs->spin_us = (unsigned int)us;
	}
	fs->debug = cmd->debug;
	fs->stats = opts->stats;
	fs->writeback = opts->writeback;
	return 0;
}

/*
 * Open the store and its space accounting, and check that the mountpoint
 * can be served from it.  0, or -1 after a message; either way
 * close_store() undoes what was done.
 */
static int open_store(struct vwfs *fs, const struct vwfs_opts *opts,
		      const char *mountpoint)
{
	vwfs_space_init(fs);
	vwfs_log_limit_init(fs);
	if (vwfs_store_open(fs, opts->store, opts->size, opts->max_files, opts->huge) < 0)
		return -1;	/* it may have resolved store_dir or made mnt_fd */
	if (vwfs_space_configure(fs, opts->reserve, opts->max_xattr_bytes) < 0)
		return -1;
	if (fs->store_kind == VWFS_STORE_DIR && path_below(fs->store_dir, mountpoint)) {
		fprintf(stderr, "viewfs: mountpoint %s is inside --store %s: the daemon "
			"would meet its own mount in the store (use a mountpoint outside it)\n",
			mountpoint, fs->store_dir);
		return -1;
	}
	return 0;
}

/* After open_store() and, if there was one, the session's end. */
static void close_store(struct vwfs *fs)
{
	vwfs_files_free(fs);
	vwfs_dirs_free(fs);
	vwfs_store_close(fs);
	vwfs_inode_table_free(fs);
	vwfs_space_fini(fs);
	vwfs_log_limit_fini(fs);
}

/*
 * Make the FUSE session, mount it on cmd->mountpoint and leave the
 * terminal (unless -f): the daemon is then ready to serve.  0, or -1 with
 * nothing of the session left (libfuse or a message said why).
 */
static int start_session(struct vwfs *fs, struct fuse_args *args,
			 const struct fuse_cmdline_opts *cmd,
			 const struct vwfs_opts *opts)
{
	const char *mnt = cmd->mountpoint;

	/* Access checks by the kernel against the modes we report.  Always
	 * nosuid,nodev, whatever -o suid,dev (or mount.fuse3/fstab)
	 * asked for: libfuse takes the last of suid/nosuid and dev/nodev, and
	 * these come after every user option.  Device nodes in the store are
	 * then never opened as devices, set-id bits never honoured. */
	if (fs->uring && fuse_opt_add_arg(args, "-oio_uring"))
		return -1;
	if (fuse_opt_add_arg(args, "-odefault_permissions") ||
	    fuse_opt_add_arg(args, "-ofsname=viewfs") ||
	    fuse_opt_add_arg(args, "-onosuid,nodev") ||
	    vwfs_data_path_args(fs, args))
		return -1;
	fs->se = fuse_session_new(args, &vwfs_ops, sizeof(vwfs_ops), fs);
	if (!fs->se)
		return -1;
	/* A shell starts background jobs with SIGINT ignored, and libfuse
	 * only catches signals left at their default: SIGINT must unmount. */
	signal(SIGINT, SIG_DFL);
	if (fuse_set_signal_handlers(fs->se) != 0)
		goto out_session;
	if (vwfs_mountpoint_dead(mnt)) {
		fprintf(stderr, "viewfs: %s: a dead FUSE mount is still there (its daemon "
			"ended without unmounting): clear it with `fusermount3 -uz %s` "
			"(or umount -l), or mount with -o auto_unmount\n", mnt, mnt);
		goto out_signals;
	}
	if (fuse_session_mount(fs->se, mnt) != 0)
		goto out_signals;
	if (opts->auto_unmount && vwfs_auto_unmount_start(mnt) < 0) {
		fprintf(stderr, "viewfs: auto_unmount: cannot watch %s (a path with "
			"blanks?): not mounting without it\n", mnt);
		fuse_session_unmount(fs->se);
		goto out_signals;
	}
	vwfs_log("viewfs: mounted %s, store: %s\n", mnt, store_name(fs));
	vwfs_handles_probe(fs);	/* logs which; before any request */
	vwfs_data_path_mounted(fs, mnt);
	fuse_daemonize(cmd->foreground);
	if (!cmd->foreground)
		vwfs_log_to_syslog();
	return 0;

out_signals:
	fuse_remove_signal_handlers(fs->se);
out_session:
	fuse_session_destroy(fs->se);
	return -1;
}

/* Serve requests until unmount or a signal: 0 for a clean end, else 1. */
static int serve(struct vwfs *fs, const struct fuse_cmdline_opts *cmd,
		 int argc, char *argv[])
{
	int ret;

	unsigned int threads = max_threads_given(argc, argv) ? cmd->max_threads :
			       default_threads();

	if (fs->spin_us && allowed_cpus() >= 2 && !fs->uring && !cmd->singlethread &&
	    !cmd->clone_fd && threads >= 2) {
		ret = vwfs_loop_spin(fs->se, fs->spin_us, threads, &fs->loop);
		if (ret < 0)
			vwfs_log("viewfs: request loop: %s\n", strerror(errno));
	} else if (cmd->singlethread) {
		ret = fuse_session_loop(fs->se);
	} else {
		struct fuse_loop_config *cfg = fuse_loop_cfg_create();

		fuse_loop_cfg_set_clone_fd(cfg, cmd->clone_fd);
		if (cmd->max_idle_threads != UINT_MAX)	/* UINT_MAX: not given */
			fuse_loop_cfg_set_idle_threads(cfg, cmd->max_idle_threads);
		fuse_loop_cfg_set_max_threads(cfg, threads);
		ret = fuse_session_loop_mt(fs->se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	/* A signal (ret > 0) or unmount (0) is a clean end. */
	return (ret < 0 || fs->init_error) ? 1 : 0;
}

/* After serve(): unmount, say so (and -o stats), end the session. */
static void stop_session(struct vwfs *fs, const char *mountpoint)
{
	fuse_session_unmount(fs->se);
	vwfs_auto_unmount_disarm();
	vwfs_log("viewfs: unmounted %s\n", mountpoint);
	if (fs->stats)
		vwfs_log("viewfs: stats: open %lu, read %lu, write %lu, getxattr %lu "
			"(security.* %lu), open descriptors at most %ld\n",
			atomic_load(&fs->n_open), atomic_load(&fs->n_read),
			atomic_load(&fs->n_write), atomic_load(&fs->n_getxattr),
			atomic_load(&fs->n_getxattr_security),
			atomic_load(&fs->open_fds_peak));
	if (fs->stats)
		vwfs_log("viewfs: stats: allocations of 2 MiB or more %lu, on the "
			"caller's CPU %lu (moved there %lu)\n",
			atomic_load(&fs->space.n_large), atomic_load(&fs->space.n_near),
			atomic_load(&fs->space.n_moved));
	if (fs->stats && fs->loop.threads)
		vwfs_log("viewfs: stats: spin %u us: requests taken spinning %lu, after "
			"a sleep %lu; readers replaced %lu, threads %u\n", fs->spin_us,
			atomic_load(&fs->loop.spinning), atomic_load(&fs->loop.after_sleep),
			atomic_load(&fs->loop.takeovers), fs->loop.threads);
	if (fs->stats && fs->space.xattr_counted)
		vwfs_log("viewfs: user xattr bytes charged at exit: %llu of %llu\n",
			(unsigned long long)vwfs_space_xattr_bytes(fs),
			(unsigned long long)fs->space.max_xattr);
	fuse_remove_signal_handlers(fs->se);
	fuse_session_destroy(fs->se);
}

static void free_options(struct fuse_args *args, struct fuse_cmdline_opts *cmd,
			 struct vwfs_opts *opts)
{
	free(cmd->mountpoint);
	fuse_opt_free_args(args);
	free(opts->size);
	free(opts->max_files);
	free(opts->huge);
	free(opts->io_uring);
	free(opts->spin);
	free(opts->max_read);
	free(opts->passthrough);
	free(opts->store);
	free(opts->timeout);
	free(opts->reserve);
	free(opts->max_xattr_bytes);
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct vwfs_opts opts;
	struct vwfs fs;
	int ret;

	memset(&opts, 0, sizeof(opts));
	memset(&cmd, 0, sizeof(cmd));
	memset(&fs, 0, sizeof(fs));
	fs.root.path_fd = -1;
	fs.mnt_fd = -1;
	fs.timeout = 1.0;

	if (fuse_opt_parse(&args, &opts, vwfs_opt_spec, NULL) < 0)
		return 1;
	ret = parse_command_line(&args, &cmd);
	if (ret >= 0)
		goto out_args;
	ret = 1;
	if (apply_options(&fs, &opts, &cmd) < 0)
		goto out_args;
	/* Modes come from the caller (the kernel applied its umask). */
	umask(0);
	raise_fd_limit();
	if (vwfs_inode_table_init(&fs) < 0)
		goto out_args;
	if (open_store(&fs, &opts, cmd.mountpoint) < 0)
		goto out_store;
	if (start_session(&fs, &args, &cmd, &opts) < 0)
		goto out_store;
	ret = serve(&fs, &cmd, argc, argv);
	stop_session(&fs, cmd.mountpoint);
out_store:
	close_store(&fs);
out_args:
	free_options(&args, &cmd, &opts);
	return ret;
}
