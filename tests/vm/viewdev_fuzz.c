/* SPDX-License-Identifier: MIT */
/*
 * viewdev_fuzz.c — a random-input fuzzer of the viewdev module, run as
 * root inside the test VM (tests/vm/guest.sh, in the -smp 2 boot) with
 * the module loaded.
 *
 *   viewdev_fuzz [-s SEED] [-t SECONDS] -k KO
 *
 * Two phases share the budget (default 20 s):
 *
 *  1. "seq" (40 %): one process issues random ioctls against /dev/viewctl
 *     and the buffer nodes — valid VIEWDEV_IOC_* numbers, their neighbours
 *     and random numbers, random _IOC sizes and directions, other ioctl
 *     types, random flags/mode/padding, names/formats/shapes that are
 *     unterminated, too long or hold control bytes, sizes at 0, at the
 *     limits and huge, and argument pointers that are NULL, unmapped,
 *     kernel addresses, read-only pages or straddle into a PROT_NONE page —
 *     plus read/write/pread/pwrite/preadv2/pwritev2/lseek/mmap with odd
 *     offsets and lengths, touches of mappings (SIGBUS exactly past the
 *     size), mprotect/madvise/mremap/fork of mappings, sysfs attribute
 *     writes and module parameter writes.  A model of the buffers it made
 *     checks EEXIST/ENOENT, INFO's size/format/shape and the read/write
 *     results; every errno must be one the UAPI header documents.
 *  2. "race" (60 %): rounds of about 1.2 s in which 3 processes (one as
 *     uid 1000) of 2 threads each run the same operations on a small
 *     shared set of names, while a holder process keeps a buffer mapped or
 *     open with every other descriptor closed.  During a round rmmod must
 *     fail with EWOULDBLOCK; once the workers exit it must still fail
 *     while the holder lives; after that it must succeed, leave no
 *     /dev/viewctl, /dev/view/ node, /sys/class/view or
 *     /sys/module/viewdev, and give back the Shmem of /proc/meminfo; then
 *     insmod loads the module for the next round.
 *
 * Prints the seed first, then the counts (ioctls per command and result,
 * errors per errno, file operations, rounds, rmmod cycles) and every
 * violation; exits 1 on any violation.  The same seed gives the same
 * phase 1 (phase 2 depends on scheduling).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/viewdev.h>
#include "modload.h"

#define PAGE 4096UL
#define MAX_LFS ((uint64_t)INT64_MAX)
#define NERR 160
#define OTHER_UID 1000
#define OTHER_GID 1234

#ifndef RWF_HIPRI
#define RWF_HIPRI 0x1
#define RWF_DSYNC 0x2
#define RWF_SYNC 0x4
#define RWF_NOWAIT 0x8
#define RWF_APPEND 0x10
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/* ---- counters, shared by every process of the run ---- */

enum {
	C_VERSION, C_CREATE, C_DESTROY, C_RESIZE, C_INFO, C_LIST,
	C_BADNR,	/* type 'V', a number the module does not know */
	C_OTHERTYPE,	/* another ioctl type */
	C_NODE,		/* any 'V' command on a buffer node */
	NCMD
};
static const char *const cmd_names[NCMD] = {
	"VERSION", "CREATE", "DESTROY", "RESIZE", "INFO", "LIST",
	"unknown-nr", "other-type", "on-node",
};

enum {
	O_OPEN, O_READ, O_WRITE, O_LSEEK, O_MMAP, O_TOUCH, O_MMOP, O_FORK,
	O_SYSFS, O_PARAM, NOP
};
static const char *const op_names[NOP] = {
	"open", "read", "write", "lseek", "mmap", "touch", "mprotect/madvise/mremap",
	"fork", "sysfs", "param",
};

struct stats {
	unsigned long ioc[NCMD][NERR];	/* [cmd][errno], 0: success */
	unsigned long op[NOP][NERR];
	unsigned long sigbus, rounds, rmmod_refused, cycles, violations;
	unsigned long cleanups, past_end_in_huge;
	int stop;			/* race: workers stop */
	char first[20][200];		/* the first violations */
};
static struct stats *st;

static void bump(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void count_ioc(int cmd, int err)
{
	bump(&st->ioc[cmd][err < NERR ? err : NERR - 1]);
}

static void count_op(int op, int err)
{
	bump(&st->op[op][err < NERR ? err : NERR - 1]);
}

static void violation(const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&st->violations, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (n >= 20)
		return;
	va_start(ap, fmt);
	vsnprintf(st->first[n], sizeof(st->first[n]), fmt, ap);
	va_end(ap);
	fprintf(stderr, "fuzz: VIOLATION: %s\n", st->first[n]);
}

/* ---- random numbers: splitmix64 per thread ---- */

static __thread uint64_t rs;

static uint64_t rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(int percent)
{
	return below(100) < (uint64_t)percent;
}

/* ---- the argument arena: [RW][RW][NONE], a read-only page ---- */

static __thread unsigned char *arena;	/* 2 RW pages then a PROT_NONE one */
static __thread unsigned char *ropage;	/* PROT_READ after filling */

static void arena_init(void)
{
	arena = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ropage = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || ropage == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	mprotect(arena + 2 * PAGE, PAGE, PROT_NONE);
	mprotect(ropage, PAGE, PROT_READ);
}

/* Kinds of argument pointer. */
enum { P_GOOD, P_MISALIGNED, P_RO, P_STRADDLE, P_BAD, NPTR };

/* An address no access succeeds at. */
static void *bad_pointer(void)
{
	static const uintptr_t bad[] = {
		0, 1, 8, 4095, (uintptr_t)-1, (uintptr_t)-4096,
		0x7ffffffff000ULL, 0x800000000000ULL, 0xdead000000000000ULL,
		0xffff888000000000ULL, 0xffffffff81000000ULL,
	};
	if (chance(20))
		return arena + 2 * PAGE + below(PAGE);
	return (void *)bad[below(sizeof(bad) / sizeof(bad[0]))];
}

/*
 * Where an argument of n bytes (at most PAGE) goes: the bytes of *src
 * are copied there (not for P_BAD).  For P_STRADDLE the last k >= 1 of
 * them fall into the PROT_NONE page.
 */
static void *place(int kind, const void *src, size_t n)
{
	unsigned char *p;

	if (n > 1024)	/* the largest argument (union anyarg) */
		n = 1024;
	switch (kind) {
	case P_GOOD:
		p = arena + (below(2 * PAGE - n) & ~(size_t)7);
		memcpy(p, src, n);
		return p;
	case P_MISALIGNED:
		p = arena + below(2 * PAGE - n + 1);
		memcpy(p, src, n);
		return p;
	case P_RO:
		mprotect(ropage, PAGE, PROT_READ | PROT_WRITE);
		p = ropage + (below(PAGE - n + 1) & ~(size_t)7);
		memcpy(p, src, n);
		mprotect(ropage, PAGE, PROT_READ);
		return p;
	case P_STRADDLE:
		if (n < 2)
			return bad_pointer();
		p = arena + 2 * PAGE - n + 1 + below(n - 1);
		memcpy(p, src, arena + 2 * PAGE - p);
		return p;
	default:
		return bad_pointer();
	}
}

static int pick_ptr_kind(void)
{
	uint64_t r = below(100);

	return r < 70 ? P_GOOD : r < 78 ? P_MISALIGNED : r < 86 ? P_RO :
	       r < 93 ? P_STRADDLE : P_BAD;
}

/* ---- strings ---- */

#define NPOOL 6
static const char *pool_prefix = "f";

/* A name: mostly from a small pool (so calls collide), else odd. */
static void gen_name(char *dst, size_t n)
{
	static const char *const odd[] = {
		"", ".", "..", "a/b", "/", " a", "a b", "\x7f", "\x01x", "\xff\xfe",
		"%s%n%x", "ok-name_1.2:3", "viewctl", "-", "~~~",
	};
	uint64_t r = below(100);

	memset(dst, 0, n);
	if (r < 75) {
		snprintf(dst, n, "%s%u", pool_prefix, (unsigned)below(NPOOL));
	} else if (r < 85) {
		snprintf(dst, n, "%s", odd[below(sizeof(odd) / sizeof(odd[0]))]);
	} else if (r < 90) {
		memset(dst, 'x', n - 1);	/* the longest name */
	} else if (r < 95) {
		memset(dst, 'y', n);		/* unterminated */
	} else {
		size_t len = below(n) + 1, i;

		for (i = 0; i < len && i < n; i++)
			dst[i] = (char)rnd();
	}
	if (chance(3))	/* garbage after the NUL */
		for (size_t i = strnlen(dst, n) + 1; i < n; i++)
			dst[i] = (char)rnd();
}

/* What the module's name check accepts (viewdev_meta.c). */
static bool name_ok(const char *name, size_t n)
{
	size_t len = strnlen(name, n), i;

	if (len == 0 || len == n || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '/')
			return false;
	return true;
}

static void gen_format(char *dst, size_t n)
{
	static const char *const f[] = {
		"", "", "B", "b", "i", "<i", ">d", "@P", "=e", "!q", "?", "c",
		"n", "<n", "P", "<P", "ii", "x", "@", "<", "\x01", "i\n", "Q ",
		"L", "l", "f", "H", "d\xff",
	};
	memset(dst, 0, n);
	if (chance(5))
		memset(dst, 'i', n);	/* unterminated */
	else if (chance(5))
		for (size_t i = 0; i < n - 1; i++)
			dst[i] = (char)rnd();
	else
		snprintf(dst, n, "%s", f[below(sizeof(f) / sizeof(f[0]))]);
}

static void gen_shape(char *dst, size_t n)
{
	static const char *const s[] = {
		"", "", "", "4", "1,2,3", "16", "0", "0,4611686018427387904,4",
		"9223372036854775807,0", "9223372036854775807", "18446744073709551616",
		"4611686018427387904,2", "1,", ",1", "-1", " 1", "1 ", "1,,2",
		"00000000000000000000000000004", "2,2,2,2,2,2,2,2,2,2", "\n", "3\x01",
	};
	size_t i, len;

	memset(dst, 0, n);
	switch (below(10)) {
	case 0:		/* many dimensions: 64 is the most, 65 too many */
		len = 0;
		for (i = 0; i < 63 + below(4) && len + 2 < n; i++)
			len += snprintf(dst + len, n - len, i ? ",1" : "1");
		break;
	case 1:
		memset(dst, '1', n);	/* unterminated */
		break;
	case 2:		/* random digits and commas */
		len = below(n);
		for (i = 0; i < len; i++)
			dst[i] = chance(20) ? ',' : (char)('0' + below(10));
		break;
	case 3:
		for (i = 0; i < n - 1; i++)
			dst[i] = (char)rnd();
		break;
	default:
		snprintf(dst, n, "%s", s[below(sizeof(s) / sizeof(s[0]))]);
	}
}

static uint64_t gen_size(void)
{
	static const uint64_t sz[] = {
		0, 1, 7, 8, 4095, 4096, 4097, 8192, 65536, 65537, 1 << 20,
		(2 << 20) - 1, 2 << 20, (2 << 20) + 1, 4 << 20, 16 << 20,
		(256ULL << 20) - 1, 256ULL << 20, (256ULL << 20) + 1,
		MAX_LFS - 1, MAX_LFS, MAX_LFS + 1, UINT64_MAX, 1ULL << 62,
		1ULL << 40, 0x100000000ULL,
	};
	if (chance(40))
		return below(64 << 10);
	return sz[below(sizeof(sz) / sizeof(sz[0]))];
}

/* ---- the model of the buffers (phase 1 only: one process) ---- */

struct mbuf {
	bool live;		/* in the registry under its name */
	char name[VIEWDEV_NAME_MAX];
	uint64_t size;
	char format[VIEWDEV_FORMAT_MAX];
	char shape[VIEWDEV_SHAPE_MAX];
};
#define NMODEL 256
static struct mbuf model[NMODEL];
static int nmodel;
static bool use_model;	/* phase 1 */

static struct mbuf *model_find(const char *name)
{
	for (int i = 0; i < nmodel; i++)
		if (model[i].live && !strcmp(model[i].name, name))
			return &model[i];
	return NULL;
}

static int model_live(void)
{
	int n = 0;

	for (int i = 0; i < nmodel; i++)
		n += model[i].live;
	return n;
}

/* ---- per-thread resources: open nodes and mappings ---- */

struct ofd {
	int fd;
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR */
	bool app;		/* O_APPEND: every write goes to the end */
	int mb;			/* model index, -1 unknown */
};
struct omap {
	unsigned char *p;
	size_t len;
	uint64_t off;		/* file offset of p */
	int prot;
	bool shared;
	int mb;
};
#define NFD 6
#define NMAP 6
struct res {
	struct ofd fd[NFD];
	int nfd;
	struct omap map[NMAP];
	int nmap;
	int ctl;
};
static __thread struct res *R;

static void close_all(struct res *r)
{
	for (int i = 0; i < r->nfd; i++)
		close(r->fd[i].fd);
	for (int i = 0; i < r->nmap; i++)
		munmap(r->map[i].p, r->map[i].len);
	r->nfd = r->nmap = 0;
}

/* ---- errno sets (uapi/viewdev.h) ---- */

static bool in_set(int err, const int *set)
{
	for (; *set; set++)
		if (*set == err)
			return true;
	return false;
}

static const int *const ioc_errs[6] = {
	[C_VERSION] = (const int[]){ EINVAL, EFAULT, 0 },
	[C_CREATE] = (const int[]){ EINVAL, EEXIST, EMFILE, ENOSPC, EFBIG, EFAULT, 0 },
	[C_DESTROY] = (const int[]){ EINVAL, ENOENT, EPERM, EFAULT, 0 },
	[C_RESIZE] = (const int[]){ EINVAL, ENOENT, EPERM, ENOSPC, EFBIG, EFAULT, 0 },
	[C_INFO] = (const int[]){ EINVAL, ENOENT, EFAULT, 0 },
	[C_LIST] = (const int[]){ EINVAL, EFAULT, 0 },
};
static const size_t ioc_size[6] = {
	sizeof(struct viewdev_version), sizeof(struct viewdev_create),
	sizeof(struct viewdev_name), sizeof(struct viewdev_resize),
	sizeof(struct viewdev_info), sizeof(struct viewdev_list),
};
static const unsigned long ioc_cmd[6] = {
	VIEWDEV_IOC_VERSION, VIEWDEV_IOC_CREATE, VIEWDEV_IOC_DESTROY,
	VIEWDEV_IOC_RESIZE, VIEWDEV_IOC_INFO, VIEWDEV_IOC_LIST,
};

static int ctl_fd(void)
{
	if (R->ctl < 0) {
		R->ctl = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC);
		if (R->ctl < 0)
			violation("open %s: %s", VIEWDEV_CTL_PATH, strerror(errno));
	}
	return R->ctl;
}

/* The size of the shmem file of model buffer mb, for touches/reads. */
static uint64_t mb_size(int mb)
{
	return mb >= 0 ? model[mb].size : 0;
}

/* ---- one fuzzed ioctl ---- */

union anyarg {
	struct viewdev_version v;
	struct viewdev_create c;
	struct viewdev_name d;
	struct viewdev_resize r;
	struct viewdev_info i;
	struct viewdev_list l;
	unsigned char raw[1024];
};

/* A plausible argument for command nr, then mutated. */
static void gen_arg(int nr, union anyarg *a, int *names_kind, size_t *names_cap)
{
	memset(a, 0, sizeof(*a));
	switch (nr) {
	case C_VERSION:
		break;
	case C_CREATE:
		gen_name(a->c.name, sizeof(a->c.name));
		a->c.size = gen_size();
		if (chance(50))
			gen_format(a->c.format, sizeof(a->c.format));
		if (chance(40))
			gen_shape(a->c.shape, sizeof(a->c.shape));
		if (chance(30)) {
			a->c.flags = VIEWDEV_CREATE_MODE;
			a->c.mode = chance(80) ? (uint32_t)below(01000) :
				    (uint32_t)rnd();
		}
		break;
	case C_DESTROY:
	case C_INFO:
		gen_name(nr == C_DESTROY ? a->d.name : a->i.name, VIEWDEV_NAME_MAX);
		break;
	case C_RESIZE:
		gen_name(a->r.name, sizeof(a->r.name));
		a->r.size = gen_size();
		break;
	case C_LIST: {
		static const uint32_t counts[] = { 0, 1, 2, 5, 64, 4096, 4097, UINT32_MAX };
		size_t cap;

		a->l.count = chance(70) ? (uint32_t)below(10) : counts[below(8)];
		*names_kind = pick_ptr_kind();
		if (*names_kind == P_RO)
			*names_kind = chance(50) ? P_RO : P_GOOD;
		/* the names array sits at the end of the RW arena pages */
		cap = below(2 * PAGE / VIEWDEV_NAME_MAX - 1) + 1;
		*names_cap = cap;
		switch (*names_kind) {
		case P_GOOD:
		case P_MISALIGNED:
			a->l.names = (uintptr_t)(arena + 2 * PAGE - cap * VIEWDEV_NAME_MAX);
			break;
		case P_RO:
			a->l.names = (uintptr_t)ropage;
			*names_cap = 0;
			break;
		case P_STRADDLE:
			a->l.names = (uintptr_t)(arena + 2 * PAGE - cap * VIEWDEV_NAME_MAX + 1);
			*names_cap = cap - 1;
			break;
		default:
			a->l.names = (uintptr_t)bad_pointer();
			*names_cap = 0;
		}
		break;
	}
	}
	/* mutations: flags, padding, random bytes */
	if (chance(8))
		a->c.flags = chance(50) ? 1U << below(32) : (uint32_t)rnd();
	if (chance(6) && (nr == C_DESTROY || nr == C_RESIZE || nr == C_INFO))
		a->d.pad = (uint32_t)rnd() | 1;
	if (chance(3)) {
		size_t n = below(4) + 1;

		while (n--)
			a->raw[below(nr == C_LIST ? 8 : nr < 6 ? ioc_size[nr] : 64)] =
				(unsigned char)rnd();
	}
}

/* The command number for nr with its size (or a wrong one). */
static unsigned long gen_cmd(int nr, bool *size_ok)
{
	unsigned long dir = _IOC_DIR(ioc_cmd[nr]);
	unsigned long size = ioc_size[nr];
	static const long delta[] = { -1, 1, -8, 8, -4, 4, 64 };

	*size_ok = true;
	if (chance(8)) {
		*size_ok = false;
		if (chance(30))
			size = below(1 << _IOC_SIZEBITS);
		else if (chance(20))
			size = 0;
		else
			size = (size + delta[below(7)]) & ((1 << _IOC_SIZEBITS) - 1);
		if (size == ioc_size[nr])
			*size_ok = true;
	}
	if (chance(5))
		dir = below(4);		/* the module ignores the direction */
	return _IOC(dir, VIEWDEV_IOC_MAGIC, nr, size);
}

/* What ioctl(nr) returned is compatible with the model. */
static void check_model(int nr, union anyarg *in, union anyarg *out, int err)
{
	struct mbuf *m;

	switch (nr) {
	case C_CREATE:
		m = model_find(in->c.name);
		if (!err) {
			if (m)
				violation("CREATE %s succeeded on a live name", in->c.name);
			else if (nmodel < NMODEL) {
				m = &model[nmodel++];
				m->live = true;
				memcpy(m->name, in->c.name, sizeof(m->name));
				m->size = in->c.size;
				memcpy(m->format, in->c.format, sizeof(m->format));
				memcpy(m->shape, in->c.shape, sizeof(m->shape));
			}
		} else if (err == EEXIST && !m) {
			violation("CREATE %s: EEXIST, not in the model", in->c.name);
		}
		break;
	case C_DESTROY:
		m = model_find(in->d.name);
		if (!err) {
			if (!m)
				violation("DESTROY %s succeeded, not in the model", in->d.name);
			else
				m->live = false;
		} else if (err == ENOENT && m) {
			violation("DESTROY %s: ENOENT, in the model", in->d.name);
		}
		break;
	case C_RESIZE:
		m = model_find(in->r.name);
		if (!err) {
			if (!m)
				violation("RESIZE %s succeeded, not in the model", in->r.name);
			else
				m->size = in->r.size;
		} else if (err == ENOENT && m) {
			violation("RESIZE %s: ENOENT, in the model", in->r.name);
		}
		break;
	case C_INFO:
		m = model_find(in->i.name);
		if (!err) {
			if (!m)
				violation("INFO %s succeeded, not in the model", in->i.name);
			else if (out->i.size != m->size ||
				 strncmp(out->i.format, m->format, sizeof(m->format)) ||
				 strncmp(out->i.shape, m->shape, sizeof(m->shape)) ||
				 strcmp(out->i.name, m->name))
				violation("INFO %s: size %llu format '%.16s' shape '%.40s', model %llu '%.16s' '%.40s'",
					  m->name, (unsigned long long)out->i.size, out->i.format,
					  out->i.shape, (unsigned long long)m->size, m->format,
					  m->shape);
		} else if (err == ENOENT && m) {
			violation("INFO %s: ENOENT, in the model", in->i.name);
		}
		break;
	case C_VERSION:
		if (!err && out->v.nbuffers != (uint32_t)model_live())
			violation("VERSION: nbuffers %u, model %d", out->v.nbuffers, model_live());
		break;
	}
}

static void fuzz_ioctl(void)
{
	union anyarg a, out;
	int nr, kind, names_kind = P_GOOD, err, cmdidx, fd;
	size_t names_cap = 0;
	unsigned long cmd;
	bool size_ok = true, strict;
	void *p;
	long ret;
	uint64_t r = below(100);

	if (r < 84) {
		nr = (int)below(6);
		cmd = gen_cmd(nr, &size_ok);
		cmdidx = nr;
	} else if (r < 92) {
		static const int nrs[] = { 6, 7, 8, 16, 99, 127, 128, 255 };

		nr = chance(50) ? nrs[below(8)] : 6 + (int)below(250);
		cmd = _IOC(below(4), VIEWDEV_IOC_MAGIC, nr, below(1 << _IOC_SIZEBITS));
		cmdidx = C_BADNR;
	} else {
		/* other types, none the VFS handles itself (FIOCLEX 'T',
		 * FIFREEZE 'X', FIBMAP/FIGETBSZ 0, FICLONE 0x94, 'f', 0x15) */
		static const unsigned char types[] = { 'W', 'U', 'v', 'Z', 0x01, 0xfe, 'v' + 1 };

		nr = (int)below(256);
		cmd = _IOC(below(4), types[below(sizeof(types))], nr,
			   below(1 << _IOC_SIZEBITS));
		cmdidx = C_OTHERTYPE;
	}
	gen_arg(cmdidx < 6 ? cmdidx : C_CREATE, &a, &names_kind, &names_cap);
	kind = pick_ptr_kind();
	p = place(kind, &a, cmdidx < 6 ? ioc_size[cmdidx] : 512);

	if (cmdidx < 6 && chance(3) && R->nfd) {
		fd = R->fd[below(R->nfd)].fd;	/* a real command on a node */
		cmdidx = C_NODE;
	} else {
		fd = ctl_fd();
		if (fd < 0)
			return;
	}
	/* 6..8 (seals, export) are a node's own: not fuzzed here */
	if (cmdidx == C_OTHERTYPE || (cmdidx == C_BADNR && nr > 8)) {
		if (chance(30) && R->nfd) {
			fd = R->fd[below(R->nfd)].fd;
			cmdidx = C_NODE;
		}
	}
	ret = ioctl(fd, cmd, p);
	err = ret < 0 ? errno : 0;
	count_ioc(cmdidx, err);
	if (ret > 0)
		violation("ioctl %#lx returned %ld", cmd, ret);
	if (cmdidx >= C_BADNR) {
		if (err != ENOTTY)
			violation("ioctl %#lx (%s) -> %s, want ENOTTY", cmd,
				  cmd_names[cmdidx], strerror(err));
		return;
	}
	if (!size_ok) {
		if (err != EINVAL)
			violation("ioctl %s with _IOC size %u -> %s, want EINVAL",
				  cmd_names[nr], _IOC_SIZE(cmd), strerror(err));
		return;
	}
	if (err && !in_set(err, ioc_errs[nr]))
		violation("ioctl %s -> %s: not a documented error", cmd_names[nr],
			  strerror(err));
	if ((kind == P_BAD || kind == P_STRADDLE) && err != EFAULT)
		violation("ioctl %s with a %s pointer %p -> %s, want EFAULT",
			  cmd_names[nr], kind == P_BAD ? "bad" : "straddling", p,
			  strerror(err));
	if (kind == P_BAD || kind == P_STRADDLE)
		return;
	memcpy(&out, p, ioc_size[nr]);
	/* read-only argument: an ioctl that writes back cannot succeed */
	if (kind == P_RO && !err && (nr == C_VERSION || nr == C_INFO || nr == C_LIST))
		violation("ioctl %s succeeded writing to a read-only page", cmd_names[nr]);
	if (kind == P_RO && nr == C_VERSION && !a.v.flags && err != EFAULT)
		violation("VERSION into a read-only page -> %s, want EFAULT", strerror(err));
	strict = use_model;
	if (nr == C_CREATE || nr == C_DESTROY || nr == C_RESIZE || nr == C_INFO) {
		const char *nm = nr == C_CREATE ? a.c.name : nr == C_RESIZE ? a.r.name :
				 nr == C_INFO ? a.i.name : a.d.name;

		if (!name_ok(nm, VIEWDEV_NAME_MAX) && err != EINVAL)
			violation("ioctl %s of a bad name -> %s, want EINVAL",
				  cmd_names[nr], strerror(err));
		if (a.d.flags && nr != C_CREATE && err != EINVAL)
			violation("ioctl %s with flags %#x -> %s, want EINVAL",
				  cmd_names[nr], a.d.flags, strerror(err));
	}
	if (nr == C_CREATE && (a.c.flags & ~VIEWDEV_CREATE_FLAGS) && err != EINVAL)
		violation("CREATE with flags %#x -> %s", a.c.flags, strerror(err));
	if (nr == C_LIST && !err) {
		uint32_t want = a.l.count < 4096 ? a.l.count : 4096;

		if (kind != P_RO && strict && out.l.count != (uint32_t)model_live())
			violation("LIST count %u, model %d", out.l.count, model_live());
		if (want && out.l.count && names_cap <
		    (want < out.l.count ? want : out.l.count))
			violation("LIST filled %u names into room for %zu",
				  want < out.l.count ? want : out.l.count, names_cap);
	}
	if (strict)
		check_model(nr, &a, &out, err);
}

/* ---- node operations ---- */

static __thread sigjmp_buf touch_jb;
static __thread volatile int touching;

static void on_sigbus(int sig)
{
	(void)sig;
	if (touching)
		siglongjmp(touch_jb, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static int pick_mb(const char *name)
{
	struct mbuf *m = use_model ? model_find(name) : NULL;

	return m ? (int)(m - model) : -1;
}

static void op_open(void)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	char name[VIEWDEV_NAME_MAX + 1] = { 0 }, path[VIEWDEV_NAME_MAX + 16];
	int fl, fd, acc, err;

	if (R->nfd == NFD) {
		int k = (int)below(NFD);

		close(R->fd[k].fd);
		R->fd[k] = R->fd[--R->nfd];
	}
	gen_name(name, VIEWDEV_NAME_MAX);
	if (!name_ok(name, VIEWDEV_NAME_MAX))
		snprintf(name, sizeof(name), "%s%u", pool_prefix, (unsigned)below(NPOOL));
	snprintf(path, sizeof(path), VIEWDEV_DIR "/%s", name);
	acc = accs[below(4)];
	fl = acc | O_CLOEXEC | (chance(10) ? O_APPEND : 0) | (chance(5) ? O_NONBLOCK : 0) |
	     (chance(3) ? O_TRUNC : 0);
	fd = open(path, fl);
	err = fd < 0 ? errno : 0;
	count_op(O_OPEN, err);
	if (fd < 0) {
		if (!in_set(err, (const int[]){ ENOENT, ENODEV, ENXIO, EACCES, 0 }))
			violation("open %s -> %s", path, strerror(err));
		if (use_model && err != ENOENT && model_find(name))
			violation("open %s -> %s, buffer is live", path, strerror(err));
		return;
	}
	if (use_model && !model_find(name))
		violation("open %s succeeded, not in the model", path);
	R->fd[R->nfd++] = (struct ofd){ .fd = fd, .acc = acc, .app = fl & O_APPEND,
					.mb = pick_mb(name) };
}

static int64_t gen_off(uint64_t size)
{
	static const int64_t odd[] = {
		-1, INT64_MIN, INT64_MAX, INT64_MAX - 10, 1LL << 62, 4096, 4095,
	};
	switch (below(6)) {
	case 0:
		return odd[below(7)];
	case 1:
		return (int64_t)size - (int64_t)below(3);
	case 2:
		return (int64_t)size + (int64_t)below(3);
	default:
		return (int64_t)below(size < (1 << 20) ? size + 1 : 1 << 20);
	}
}

static size_t gen_len(void)
{
	static const size_t odd[] = { 0, 1, 4095, 4096, 4097, 65536, 1 << 20, SIZE_MAX / 2, SIZE_MAX };

	return chance(70) ? below(2 * PAGE) : odd[below(9)];
}

/* A user buffer for len bytes of data: good, read-only, bad, straddling. */
static unsigned char *gen_ubuf(size_t *len, int *kind)
{
	*kind = pick_ptr_kind();
	if (*kind == P_MISALIGNED)
		*kind = P_GOOD;
	switch (*kind) {
	case P_GOOD:
		if (*len > 2 * PAGE)
			*kind = P_STRADDLE;	/* runs into PROT_NONE */
		return *len > 2 * PAGE ? arena : arena + below(2 * PAGE - *len + 1);
	case P_RO:
		return ropage;
	case P_STRADDLE:
		if (*len < 2)
			*len = 2;
		return arena + 2 * PAGE - *len / 2 - (*len > 4 * PAGE ? 0 : 0);
	default:
		return bad_pointer();
	}
}

static void op_rw(bool wr)
{
	struct ofd *f;
	unsigned char *ub;
	size_t len = gen_len();
	int64_t off;
	ssize_t n;
	int kind, err, how = (int)below(6);
	uint64_t size;
	struct iovec iov[3];
	static const int rwf[] = { 0, 0, 0, RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT,
				   RWF_APPEND, 0x40, 0x80, -1 };
	int flags = 0;

	if (!R->nfd)
		return;
	f = &R->fd[below(R->nfd)];
	size = mb_size(f->mb);
	off = gen_off(size);
	if (len > 2 * PAGE && len < SIZE_MAX / 4 && chance(50))
		len = 2 * PAGE;
	ub = gen_ubuf(&len, &kind);
	if (kind == P_STRADDLE && len > 2 * PAGE)
		ub = arena + PAGE;
	iov[0] = (struct iovec){ ub, len };
	iov[1] = (struct iovec){ NULL, chance(50) ? 0 : 8 };
	iov[2] = (struct iovec){ arena, below(64) };
	switch (how) {
	case 0:
		n = wr ? pwrite(f->fd, ub, len, off) : pread(f->fd, ub, len, off);
		break;
	case 1:
		n = wr ? write(f->fd, ub, len) : read(f->fd, ub, len);
		break;
	case 2:
		n = wr ? pwritev(f->fd, iov, 1 + (int)below(3), off) :
			    preadv(f->fd, iov, 1 + (int)below(3), off);
		break;
	case 5: {	/* no splice_read/splice_write, no copy_file_range */
		int pfd[2];
		loff_t o = off;

		if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC)) {
			n = -1;
			break;
		}
		if (chance(50)) {
			n = wr ? splice(pfd[0], NULL, f->fd, &o, len, SPLICE_F_NONBLOCK) :
				 splice(f->fd, &o, pfd[1], NULL, len, SPLICE_F_NONBLOCK);
		} else {
			struct ofd *g = &R->fd[below(R->nfd)];

			n = copy_file_range(f->fd, &o, g->fd, NULL, len, 0);
		}
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = err;
		break;
	}
	default:
		flags = rwf[below(sizeof(rwf) / sizeof(rwf[0]))];
		n = wr ? pwritev2(f->fd, iov, 1, off, flags) :
			    preadv2(f->fd, iov, 1, off, flags);
	}
	err = n < 0 ? errno : 0;
	count_op(wr ? O_WRITE : O_READ, err);
	if (n < 0) {
		const int *ok = wr ?
			(const int[]){ ENOSPC, EFAULT, EINVAL, EBADF, EFBIG, EOVERFLOW, EOPNOTSUPP,
				       EAGAIN, EXDEV, ESPIPE, 0 } :
			(const int[]){ EFAULT, EINVAL, EBADF, EOVERFLOW, EOPNOTSUPP, EAGAIN,
				       EXDEV, ESPIPE, 0 };

		if (!in_set(err, ok))
			violation("%s (%d) len %zu off %lld -> %s", wr ? "write" : "read",
				  how, len, (long long)off, strerror(err));
		/* a plain, in-range access with a good buffer must work */
		if (use_model && f->mb >= 0 && how == 0 && kind == P_GOOD && off >= 0 &&
		    off < (1LL << 40) && (uint64_t)off < size && len && len <= 2 * PAGE &&
		    !(wr && f->app) &&
		    (wr ? f->acc != O_RDONLY : f->acc != O_WRONLY))
			violation("p%s len %zu off %lld size %llu -> %s",
				  wr ? "write" : "read", len, (long long)off,
				  (unsigned long long)size, strerror(err));
		return;
	}
	if ((size_t)n > len && how < 2)
		violation("%s returned %zd > %zu", wr ? "write" : "read", n, len);
	if (use_model && f->mb >= 0 && how == 0 && off >= 0 && off < (1LL << 40) &&
	    !(wr && f->app)) {
		uint64_t want = (uint64_t)off >= size ? 0 :
				size - (uint64_t)off < len ? size - (uint64_t)off : len;

		if (kind == P_GOOD && (uint64_t)n != want)
			violation("p%s len %zu off %lld size %llu returned %zd, want %llu",
				  wr ? "write" : "read", len, (long long)off,
				  (unsigned long long)size, n, (unsigned long long)want);
		if (wr && (uint64_t)off >= size && len)
			violation("pwrite at %lld past size %llu returned %zd",
				  (long long)off, (unsigned long long)size, n);
		/* written bytes read back */
		if (wr && n > 0 && kind == P_GOOD && f->acc == O_RDWR) {
			unsigned char *back = malloc((size_t)n);

			if (back && pread(f->fd, back, (size_t)n, off) == n &&
			    memcmp(back, ub, (size_t)n))
				violation("pwrite of %zd at %lld does not read back", n,
					  (long long)off);
			free(back);
		}
	}
}

static void op_lseek(void)
{
	struct ofd *f;
	int whence = (int)below(6), err;
	int64_t off;
	off_t r;

	if (!R->nfd)
		return;
	f = &R->fd[below(R->nfd)];
	off = chance(30) ? 0 : gen_off(mb_size(f->mb));
	r = lseek(f->fd, off, whence);
	err = r < 0 ? errno : 0;
	count_op(O_LSEEK, err);
	if (r < 0 && !in_set(err, (const int[]){ EINVAL, ENXIO, 0 }))
		violation("lseek %lld %d -> %s", (long long)off, whence, strerror(err));
	if (use_model && f->mb >= 0 && whence == SEEK_END && off == 0 &&
	    (uint64_t)r != mb_size(f->mb))
		violation("SEEK_END gives %lld, size %llu", (long long)r,
			  (unsigned long long)mb_size(f->mb));
}

static void op_mmap(void)
{
	static const size_t lens[] = { 0, 1, PAGE, 2 * PAGE, 3 * PAGE, 2 << 20, 4 << 20,
				       (2 << 20) + PAGE };
	struct ofd *f;
	size_t len;
	uint64_t off;
	int prot, flags, err;
	void *p, *hint = NULL;

	if (!R->nfd)
		return;
	if (R->nmap == NMAP) {
		int k = (int)below(NMAP);

		munmap(R->map[k].p, R->map[k].len);
		R->map[k] = R->map[--R->nmap];
	}
	f = &R->fd[below(R->nfd)];
	len = chance(70) ? (below(8) + 1) * PAGE : lens[below(8)];
	if (chance(5))
		len += below(PAGE);
	off = chance(70) ? below(4) * PAGE : chance(50) ? below(1 << 20) :
	      (uint64_t)gen_off(mb_size(f->mb));
	prot = (int)below(8);
	flags = chance(75) ? MAP_SHARED : MAP_PRIVATE;
	if (chance(10))
		flags |= MAP_POPULATE;
	if (chance(5))
		flags |= MAP_NORESERVE;
	if (chance(5) && R->nmap) {
		/*
		 * Over an existing mapping, same length, replaced in one call:
		 * an munmap first would let another thread map the hole.
		 */
		hint = R->map[0].p;
		len = R->map[0].len;
		flags |= MAP_FIXED;
		R->map[0] = R->map[--R->nmap];
	}
	p = mmap(hint, len, prot, flags, f->fd, (off_t)off);
	err = p == MAP_FAILED ? errno : 0;
	count_op(O_MMAP, err);
	if (p == MAP_FAILED && hint)	/* most failures leave the old one */
		munmap(hint, len);
	if (p == MAP_FAILED) {
		if (!in_set(err, (const int[]){ EINVAL, EACCES, ENOMEM, EOVERFLOW, ENODEV,
						EPERM, EAGAIN, 0 }))
			violation("mmap len %zu off %llu prot %d flags %#x -> %s", len,
				  (unsigned long long)off, prot, flags, strerror(err));
		return;
	}
	if (flags & MAP_SHARED && prot & PROT_WRITE && f->acc == O_RDONLY)
		violation("shared writable mmap of a read-only descriptor");
	R->map[R->nmap++] = (struct omap){
		.p = p, .len = (len + PAGE - 1) & ~(PAGE - 1), .off = off, .prot = prot,
		.shared = flags & MAP_SHARED, .mb = f->mb,
	};
}

static void op_touch(void)
{
	struct omap *m;
	volatile size_t at;
	volatile bool write;
	bool bus;
	uint64_t size;

	if (!R->nmap)
		return;
	m = &R->map[below(R->nmap)];
	if (!(m->prot & PROT_READ) && !(m->prot & PROT_WRITE))
		return;
	/* touch within the first 8 MiB of the file only: bounded memory */
	at = below(m->len);
	if (m->off + at > (8 << 20))
		return;
	write = (m->prot & PROT_WRITE) && chance(60);
	touching = 1;
	if (sigsetjmp(touch_jb, 1) == 0) {
		if (write)
			m->p[at] = (unsigned char)rnd();
		else
			(void)*(volatile unsigned char *)(m->p + at);
		bus = false;
	} else {
		bus = true;
	}
	touching = 0;
	count_op(O_TOUCH, bus ? EFAULT : 0);
	if (bus)
		bump(&st->sigbus);
	if (use_model && m->mb >= 0) {
		uint64_t pmd = 2 << 20, hsize = (model[m->mb].size + pmd - 1) & ~(pmd - 1);

		size = (model[m->mb].size + PAGE - 1) & ~(PAGE - 1);
		/*
		 * A shrink that could not split the huge page at the new end
		 * leaves it whole, and a new mapping may map it with one PMD:
		 * no SIGBUS past the size up to that page's end (the kernel's;
		 * viewdev_test's test_resize_shrink_pinned_huge_page).
		 */
		if (!bus && m->off + at >= size && m->off + at < hsize) {
			bump(&st->past_end_in_huge);
			return;
		}
		if (bus != (m->off + at >= size))
			violation("touch at file offset %llu of size %llu: %s",
				  (unsigned long long)(m->off + at),
				  (unsigned long long)model[m->mb].size,
				  bus ? "SIGBUS" : "no SIGBUS");
	}
}

static void op_mmop(void)
{
	static const int advs[] = { MADV_DONTNEED, MADV_REMOVE, MADV_HUGEPAGE,
				    MADV_NOHUGEPAGE, MADV_WILLNEED, MADV_COLD,
				    MADV_PAGEOUT, MADV_COLLAPSE, MADV_SEQUENTIAL,
				    MADV_RANDOM };
	struct omap *m;
	int k, r, err;
	size_t part;

	if (!R->nmap)
		return;
	k = (int)below(R->nmap);
	m = &R->map[k];
	part = m->len > PAGE ? (below(m->len / PAGE - 1) + 1) * PAGE : 0;
	switch (below(7)) {
	case 0:		/* split: the second part read-only */
		r = part ? mprotect(m->p + part, m->len - part, PROT_READ) : 0;
		if (!r && part)
			m->prot &= ~PROT_WRITE;
		break;
	case 5:		/* all of it back to one protection: VMAs may merge */
		r = mprotect(m->p, m->len, m->prot & (PROT_READ | PROT_WRITE));
		break;
	case 6: {	/* move, leaving the old range mapped (then unmap it) */
		void *np = mremap(m->p, m->len, m->len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);

		r = np == MAP_FAILED ? -1 : 0;
		if (!r) {
			munmap(m->p, m->len);
			m->p = np;
		}
		break;
	}
	case 1:
		r = madvise(m->p, chance(50) ? m->len : part ? part : m->len,
			    advs[below(sizeof(advs) / sizeof(advs[0]))]);
		break;
	case 2: {	/* grow or shrink, maybe moving */
		size_t nlen = (below(8) + 1) * PAGE;
		void *np = mremap(m->p, m->len, nlen, chance(50) ? MREMAP_MAYMOVE : 0);

		r = np == MAP_FAILED ? -1 : 0;
		if (!r) {
			m->p = np;
			m->len = nlen;
		}
		break;
	}
	case 3:
		r = msync(m->p, m->len, chance(50) ? MS_SYNC : MS_ASYNC | MS_INVALIDATE);
		break;
	default:	/* unmap the head, keep the tail */
		r = part ? munmap(m->p, part) : 0;
		if (!r && part) {
			m->p += part;
			m->off += part;
			m->len -= part;
		}
	}
	err = r ? errno : 0;
	count_op(O_MMOP, err);
	/* EFAULT: mremap of a range a split made two VMAs */
	if (r && !in_set(err, (const int[]){ EINVAL, ENOMEM, EAGAIN, EPERM, EBUSY, EFAULT,
						EACCES, 0 }))
		violation("mprotect/madvise/mremap -> %s", strerror(err));
}

/* A child inherits the mappings (vm_open), touches one, exits. */
static void op_fork(void)
{
	pid_t pid;
	int status;

	if (!R->nmap)
		return;
	pid = fork();
	if (pid == 0) {
		struct omap *m = &R->map[below(R->nmap)];

		signal(SIGBUS, SIG_DFL);
		if (m->prot & PROT_READ && m->off < (8 << 20))
			(void)*(volatile unsigned char *)m->p;
		_exit(0);
	}
	if (pid < 0) {
		count_op(O_FORK, errno);
		return;
	}
	waitpid(pid, &status, 0);
	count_op(O_FORK, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGBUS)
		violation("forked child died of signal %d", WTERMSIG(status));
}

static void op_sysfs(void)
{
	static const char *const attrs[] = { "format", "shape", "size", "uevent", "dev" };
	static const char *const vals[] = {
		"i", "i\n", "<d\n", "\n", "", "16", "16\n", "4,4\n", "x", "add", "change\n",
		"remove", "bogus", "i\n\n", "\n\n",
	};
	struct viewdev_info info;
	char path[160], val[PAGE];
	size_t len;
	ssize_t n;
	int fd, err, a, ctl = ctl_fd();
	bool wr = chance(70);

	if (ctl < 0)
		return;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s%u", pool_prefix, (unsigned)below(NPOOL));
	if (ioctl(ctl, VIEWDEV_IOC_INFO, &info))
		return;
	a = (int)(chance(85) ? below(2) : below(5));
	if (!strcmp(attrs[a], "uevent") && wr && chance(70))
		wr = false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/%s", info.major, info.minor, attrs[a]);
	fd = open(path, wr ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		err = errno;
		count_op(O_SYSFS, err);
		/* raced with destroy (ENOENT, ENODEV), or size (read-only) */
		if (!in_set(err, (const int[]){ ENOENT, ENODEV, EACCES, 0 }))
			violation("open %s -> %s", path, strerror(err));
		return;
	}
	if (!wr) {
		n = read(fd, val, sizeof(val));
		err = n < 0 ? errno : 0;
	} else {
		switch (below(4)) {
		case 0:
			len = below(sizeof(val));
			for (size_t i = 0; i < len; i++)
				val[i] = (char)rnd();
			break;
		case 1:
			gen_shape(val, VIEWDEV_SHAPE_MAX + 2);
			len = strnlen(val, VIEWDEV_SHAPE_MAX + 2);
			break;
		case 2:
			gen_format(val, VIEWDEV_FORMAT_MAX + 2);
			len = strnlen(val, VIEWDEV_FORMAT_MAX + 2);
			break;
		default:
			snprintf(val, sizeof(val), "%s", vals[below(sizeof(vals) / sizeof(vals[0]))]);
			len = strlen(val);
		}
		n = write(fd, val, len);
		err = n < 0 ? errno : 0;
		if (n >= 0 && (size_t)n != len && len)
			violation("write %s of %zu returned %zd", path, len, n);
		if (use_model && n > 0 && a < 2) {
			struct mbuf *m = model_find(info.name);
			char *dst = m ? (a ? m->shape : m->format) : NULL;
			size_t max = a ? VIEWDEV_SHAPE_MAX : VIEWDEV_FORMAT_MAX;

			if (len && val[len - 1] == '\n')
				len--;
			if (dst && len < max) {
				memset(dst, 0, max);
				memcpy(dst, val, len);
			}
		}
	}
	close(fd);
	count_op(O_SYSFS, err);
	if (err && !in_set(err, (const int[]){ EINVAL, ENODEV, EACCES, ENOENT, E2BIG, 0 }))
		violation("%s %s -> %s", wr ? "write" : "read", path, strerror(err));
}

static void op_param(void)
{
	static const char *const mb[] = { "0", "1", "3", "8", "64", "64", "4096", "4097",
					  "-1", "abc", "99999999999999999999" };
	static const char *const mt[] = { "0", "4096", "1048576", "67108864",
					  "268435456", "268435456", "9223372036854775807",
					  "18446744073709551615", "-5", "x" };
	bool which = chance(50);
	const char *v = which ? mb[below(11)] : mt[below(10)];
	char path[96];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/module/viewdev/parameters/%s",
		 which ? "max_buffers" : "max_total_bytes");
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		count_op(O_PARAM, errno);
		return;
	}
	if (write(fd, v, strlen(v)) < 0)
		err = errno;
	close(fd);
	count_op(O_PARAM, err);
	if (err && err != EINVAL && err != ERANGE)
		violation("write %s=%s -> %s", path, v, strerror(err));
}

static void param_set(const char *p, const char *v)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/sys/module/viewdev/parameters/%s", p);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, v, strlen(v)) < 0)
			perror(path);
		close(fd);
	}
}

static long shmem_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Destroy every buffer (names from LIST). */
static void destroy_all(void)
{
	static char names[256][VIEWDEV_NAME_MAX];
	struct viewdev_list l = { .count = 256, .names = (uintptr_t)names };
	int fd = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!ioctl(fd, VIEWDEV_IOC_LIST, &l))
		for (unsigned int i = 0; i < l.count && i < 256; i++) {
			struct viewdev_name d = { 0 };

			memcpy(d.name, names[i], sizeof(d.name));
			ioctl(fd, VIEWDEV_IOC_DESTROY, &d);
		}
	close(fd);
}

static __thread const char *cur_op = "-";

/* A crash of the fuzzer itself: say in which operation. */
static void on_sigsegv(int sig)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "fuzz: signal %d in operation %s\n", sig, cur_op);

	if (write(2, msg, (size_t)n) < 0)
		_exit(128 + sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* With nothing open, mapped or left: the module counts no buffer, no byte. */
static void expect_empty(const char *when)
{
	struct viewdev_version v = { 0 };
	int fd = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, VIEWDEV_IOC_VERSION, &v))
		violation("%s: VERSION: %s", when, strerror(errno));
	else if (v.nbuffers || v.total_bytes)
		violation("%s: %u buffers, %llu bytes counted with none left", when,
			  v.nbuffers, (unsigned long long)v.total_bytes);
	if (fd >= 0)
		close(fd);
}

/* One random operation. */
static void one_op(void)
{
	uint64_t r = below(1000);

	cur_op = r < 520 ? "ioctl" : r < 580 ? "open" : r < 590 ? "close" : r < 670 ? "read/write" :
		 r < 700 ? "lseek" : r < 760 ? "mmap" : r < 860 ? "touch" : r < 900 ? "mmop" :
		 r < 905 ? "fork" : r < 985 ? "sysfs" : "param";

	if (r < 520)
		fuzz_ioctl();
	else if (r < 580)
		op_open();
	else if (r < 590 && R->nfd) {
		int k = (int)below(R->nfd);

		close(R->fd[k].fd);
		R->fd[k] = R->fd[--R->nfd];
	} else if (r < 670)
		op_rw(chance(50));
	else if (r < 700)
		op_lseek();
	else if (r < 760)
		op_mmap();
	else if (r < 860)
		op_touch();
	else if (r < 900)
		op_mmop();
	else if (r < 905)
		op_fork();
	else if (r < 985)
		op_sysfs();
	else
		op_param();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- phase 1: sequential, with the model ---- */

static void phase_seq(double secs, uint64_t seed)
{
	struct res res = { .ctl = -1 };
	double end = now() + secs;
	long base = shmem_kib();
	unsigned long n = 0;

	rs = seed;
	R = &res;
	use_model = true;
	while (now() < end) {
		one_op();
		/* bound the memory: start over when the stores grow */
		if (++n % 64 == 0 && shmem_kib() > base + (48 << 10)) {
			close_all(&res);
			destroy_all();
			expect_empty("seq clean-up");
			for (int i = 0; i < nmodel; i++)
				model[i].live = false;
			nmodel = 0;
			bump(&st->cleanups);
		}
		/* the model is full: keep its live buffers, else start over */
		if (nmodel >= NMODEL - 1) {
			int j = 0;

			close_all(&res);
			for (int i = 0; i < nmodel; i++)
				if (model[i].live)
					model[j++] = model[i];
			nmodel = j;
			if (nmodel > NMODEL / 2) {
				destroy_all();
				nmodel = 0;
				bump(&st->cleanups);
			}
		}
	}
	close_all(&res);
	if (res.ctl >= 0)
		close(res.ctl);
	destroy_all();
	expect_empty("end of seq");
	use_model = false;
	printf("fuzz: seq: %lu operations\n", n);
}

/* ---- phase 2: races, rmmod/insmod ---- */


static bool become_other_failed(void)
{
	return setresgid(OTHER_GID, OTHER_GID, OTHER_GID) ||
	       setresuid(OTHER_UID, OTHER_UID, OTHER_UID);
}

struct worker_arg {
	uint64_t seed;
};

static void *worker_thread(void *arg)
{
	struct worker_arg *wa = arg;
	struct res res = { .ctl = -1 };

	rs = wa->seed;
	R = &res;
	arena_init();
	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		one_op();
		if (below(64) == 0 && shmem_kib() > 160 << 10) {
			close_all(&res);
			destroy_all();
			bump(&st->cleanups);
		}
	}
	close_all(&res);
	if (res.ctl >= 0)
		close(res.ctl);
	return NULL;
}

static void worker_process(uint64_t seed, bool other)
{
	pthread_t t[2];
	struct worker_arg wa[2];

	if (other && become_other_failed())
		_exit(3);
	for (int i = 0; i < 2; i++) {
		wa[i].seed = seed * 31 + (uint64_t)i;
		pthread_create(&t[i], NULL, worker_thread, &wa[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

/*
 * The holder: makes a buffer, then keeps only a mapping of it (kind 0),
 * only an open node (1) or a mapping of a destroyed buffer (2), with
 * every other descriptor closed; reports through ready, exits when go
 * is written.
 */
static void holder_process(int kind, int ready, int go)
{
	struct viewdev_create c = { .size = 3 * PAGE, .name = "hold" };
	int ctl = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC), fd;
	unsigned char *p = MAP_FAILED;
	char ch = 'x';

	if (ctl < 0 || ioctl(ctl, VIEWDEV_IOC_CREATE, &c))
		_exit(4);
	fd = open(VIEWDEV_DIR "/hold", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(5);
	if (kind != 1) {
		p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(6);
		memcpy(p, "held", 4);
		/* a split VMA: two references */
		mprotect(p + PAGE, PAGE, PROT_READ);
		close(fd);
	}
	if (kind == 2) {
		struct viewdev_name d = { .name = "hold" };

		if (ioctl(ctl, VIEWDEV_IOC_DESTROY, &d))
			_exit(7);
	}
	close(ctl);
	if (write(ready, &ch, 1) != 1 || read(go, &ch, 1) != 1)
		_exit(8);
	if (p != MAP_FAILED && memcmp(p, "held", 4))
		_exit(9);
	_exit(0);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Nodes left under /dev/view (the directory may be gone: 0). */
static int dev_view_entries(void)
{
	DIR *d = opendir(VIEWDEV_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void expect_refused(const char *when)
{
	int r = rmmod();

	if (r == -EWOULDBLOCK) {
		bump(&st->rmmod_refused);
		return;
	}
	violation("rmmod %s -> %s, want EWOULDBLOCK", when, strerror(-r));
	if (!r && insmod())
		violation("insmod after the wrong rmmod failed");
}

static void phase_race(double secs, uint64_t seed, long shmem_base)
{
	double end = now() + secs;
	int round = 0;

	while (now() < end - 1.0) {
		int ready[2], go[2], status, nw = 3, r;
		pid_t w[3], h;
		char ch = 'g';
		long kib;

		round++;
		__atomic_store_n(&st->stop, 0, __ATOMIC_RELAXED);
		if (pipe(ready) || pipe(go)) {
			perror("pipe");
			exit(2);
		}
		h = fork();
		if (h == 0) {
			close(ready[0]);
			close(go[1]);
			holder_process(round % 3, ready[1], go[0]);
		}
		close(ready[1]);
		close(go[0]);
		if (read(ready[0], &ch, 1) != 1)
			violation("round %d: the holder did not start", round);
		for (int i = 0; i < nw; i++) {
			w[i] = fork();
			if (w[i] == 0) {
				close(ready[0]);
				close(go[1]);
				worker_process(seed + 1000003ULL * (uint64_t)round + (uint64_t)i,
					       i == 2);
			}
		}
		/* rmmod while everything is busy */
		for (int k = 0; k < 4; k++) {
			usleep(250000);
			expect_refused("while workers run");
		}
		__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
		for (int i = 0; i < nw; i++) {
			if (waitpid(w[i], &status, 0) != w[i] || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				violation("round %d: worker %d ended with status %#x", round, i,
					  status);
		}
		/* only the holder's mapping or open node is left */
		expect_refused(round % 3 == 1 ? "while a node is open" :
			       "while a buffer is mapped");
		if (write(go[1], &ch, 1) != 1 || waitpid(h, &status, 0) != h ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			violation("round %d: holder ended with status %#x", round, status);
		close(ready[0]);
		close(go[1]);
		destroy_all();
		expect_empty("end of a round");
		r = rmmod();
		if (r) {
			violation("round %d: rmmod with nothing open -> %s", round, strerror(-r));
			destroy_all();
			continue;
		}
		if (exists(VIEWDEV_CTL_PATH) || dev_view_entries() || exists("/sys/class/view") ||
		    exists("/sys/module/viewdev"))
			violation("round %d: after rmmod: ctl %d, /dev/view entries %d, class %d, module %d",
				  round, exists(VIEWDEV_CTL_PATH), dev_view_entries(),
				  exists("/sys/class/view"), exists("/sys/module/viewdev"));
		kib = shmem_kib();
		if (kib > shmem_base + 2048)
			violation("round %d: Shmem %ld kB after rmmod, %ld kB at the start",
				  round, kib, shmem_base);
		r = insmod();
		if (r) {
			violation("round %d: insmod -> %s", round, strerror(-r));
			break;
		}
		bump(&st->cycles);
		bump(&st->rounds);
	}
}

/* ---- report ---- */

static const char *errname(int e)
{
	static const char *const n[] = {
		[0] = "ok", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EINTR] = "EINTR",
		[ENXIO] = "ENXIO", [EBADF] = "EBADF", [EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [ENODEV] = "ENODEV",
		[EINVAL] = "EINVAL", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
		[EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [EOVERFLOW] = "EOVERFLOW",
		[EOPNOTSUPP] = "EOPNOTSUPP", [ERANGE] = "ERANGE", [E2BIG] = "E2BIG",
	};
	static char buf[16];

	if (e < (int)(sizeof(n) / sizeof(n[0])) && n[e])
		return n[e];
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void print_row(const char *what, const unsigned long *c)
{
	char line[1024];
	unsigned long total = 0;
	int len = 0;

	for (int e = 0; e < NERR; e++)
		total += c[e];
	if (!total)
		return;
	for (int e = 0; e < NERR; e++)
		if (c[e])
			len += snprintf(line + len, sizeof(line) - len, " %s %lu",
					e == 0 && !strcmp(what, "touch") ? "ok" :
					e == EFAULT && !strcmp(what, "touch") ? "SIGBUS" :
					errname(e), c[e]);
	printf("fuzz:   %-24s %8lu:%s\n", what, total, line);
}

static void report(void)
{
	unsigned long err[NERR] = { 0 }, total = 0;

	printf("fuzz: ioctls by command (result counts):\n");
	for (int c = 0; c < NCMD; c++) {
		print_row(cmd_names[c], st->ioc[c]);
		for (int e = 0; e < NERR; e++) {
			total += st->ioc[c][e];
			if (e)
				err[e] += st->ioc[c][e];
		}
	}
	printf("fuzz: ioctls %lu, errors by errno:", total);
	for (int e = 1; e < NERR; e++)
		if (err[e])
			printf(" %s %lu", errname(e), err[e]);
	printf("\nfuzz: other operations:\n");
	for (int o = 0; o < NOP; o++)
		print_row(op_names[o], st->op[o]);
	printf("fuzz: SIGBUS %lu, no SIGBUS past the end inside its huge page (kernel) %lu, memory clean-ups %lu\n",
	       st->sigbus, st->past_end_in_huge, st->cleanups);
	printf("fuzz: concurrency rounds %lu (3 processes x 2 threads + a holder), rmmod refused %lu, rmmod/insmod cycles %lu\n",
	       st->rounds, st->rmmod_refused, st->cycles);
	printf("fuzz: violations %lu%s\n", st->violations,
	       st->violations ? " (the first 20: VIOLATION lines above)" : "");
}

int main(int argc, char **argv)
{
	uint64_t seed = 0x5eed0013ULL;
	double secs = 20;
	long base;
	int opt;

	while ((opt = getopt(argc, argv, "s:t:k:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'k':
			ko_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] -k KO\n", argv[0]);
			return 2;
		}
	}
	if (!ko_path) {
		fprintf(stderr, "%s: -k KO is needed (rmmod/insmod cycles)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	signal(SIGBUS, on_sigbus);
	signal(SIGSEGV, on_sigsegv);
	signal(SIGPIPE, SIG_IGN);
	printf("fuzz: seed %#llx (viewdev_fuzz -s %#llx -t %g), budget %g s: seq %g s, race %g s\n",
	       (unsigned long long)seed, (unsigned long long)seed, secs, secs,
	       secs * 0.4, secs * 0.6);
	destroy_all();
	base = shmem_kib();
	arena_init();
	phase_seq(secs * 0.4, seed);
	destroy_all();
	param_set("max_buffers", "64");
	param_set("max_total_bytes", "268435456");
	pool_prefix = "r";
	phase_race(secs * 0.6, seed, base);
	destroy_all();
	param_set("max_buffers", "64");
	param_set("max_total_bytes", "268435456");
	report();
	return st->violations ? 1 : 0;
}
