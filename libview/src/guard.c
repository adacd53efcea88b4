/* SPDX-License-Identifier: MIT */
/*
 * Faults in mapped memory become errors (view.h, "Faults in the mapping").
 *
 * A mapping can lose pages under a live view: another process truncates
 * the file, or a write fault needs a page its file system has no room for.
 * The kernel then sends SIGBUS to the thread touching the page.  libview
 * turns that into -EFAULT for its own accesses, and only those:
 *
 *  - Guard: every function that reads or writes a view's memory runs its
 *    access loop through vw__guarded(), which records in a thread-local
 *    chain (vw__cur) a sigjmp_buf and the page-aligned address ranges of
 *    the mappings that loop touches.  The loop itself only reads and
 *    writes memory: it never holds a lock or owns an allocation that a
 *    jump out of it would leak (stdio calls happen between accesses, not
 *    during one).  The exception is vw_get's one read on x86-64: a load
 *    instruction in [vw__ld_begin, vw__ld_end) or listed in the section
 *    vw_ldtab (vw_get's inline loads, internal.h VW__LD_INLINE) that the
 *    handler recognises by the faulting instruction pointer and resumes
 *    with the fault reported in registers (no sigsetjmp, which costs as
 *    much as the rest of vw_get).
 *  - Handler: vw__sigbus, put in place by every guarded call that finds
 *    another disposition in place (vw__front: one sigaction() to look;
 *    code that saves and restores SIGBUS handlers around libview calls,
 *    as test harnesses do, would otherwise remove it; vw_get and vw_set
 *    look only until it first went in: g->lookup 0), with SA_SIGINFO |
 *    SA_ONSTACK | SA_NODEFER.  For a SIGBUS raised at a faulting access
 *    whose si_addr lies in a range of the innermost guard of the faulting
 *    thread, it unlinks that guard and siglongjmp()s to it.  Anything else
 *    goes to the disposition libview found when it last put its handler in
 *    place (vw__olds), as the kernel would have delivered it; SIG_DFL (and
 *    SIG_IGN, which the kernel does not honour for a fault) is restored
 *    and the fault re-runs, so the process dies of SIGBUS exactly as
 *    without libview.  A previous handler that forwards back to libview's
 *    (it found libview's when it was installed) gets the default action
 *    instead of a loop.
 *  - Pre-population (vw__prepare): before the first byte of a write, the
 *    pages the write will touch in a mapped regular file are faulted in
 *    writable with madvise(MADV_POPULATE_WRITE), which reports EFAULT
 *    where an access would raise SIGBUS; so a write that cannot complete
 *    fails before it starts.
 *
 * The handler is async-signal-safe: it reads the thread-local chain
 * (initial-exec TLS, no allocation), calls sigaction, sigprocmask, raise,
 * siglongjmp and the previous handler, and keeps errno.
 */
#include "internal.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif
#ifndef EHWPOISON
#define EHWPOISON 133	/* madvise: a poisoned page */
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Innermost active guard of this thread (NULL outside guarded loops). */
static __thread struct vw__guard *volatile vw__cur
	__attribute__((tls_model("initial-exec")));
/* 1 while this thread's handler forwards a SIGBUS (breaks handler loops). */
static __thread volatile int vw__forwarding
	__attribute__((tls_model("initial-exec")));

atomic_int vw__enabled = 1;	/* vw_sigbus_guard() */
atomic_int vw__ever;		/* 1 once libview's handler went in */
/* The SIGBUS disposition libview's handler forwards to: the one it found
 * when it last put itself in place.  Two slots, so that a handler reading
 * one while vw__front() fills the other reads a whole struct. */
static struct sigaction vw__olds[2];
static atomic_int vw__oldi;
static pthread_mutex_t vw__front_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * x86-64: vw_get's element read is one of the load instructions below,
 * leaf functions returning { value in rax, fault flag in rdx } (a 16-byte
 * struct of two integers is returned in rax:rdx).  A synchronous SIGBUS
 * whose instruction pointer lies in [vw__ld_begin, vw__ld_end) can only be
 * such a load (nothing else there touches memory): the handler sets rax to
 * the faulting address, rdx to 1 and resumes at vw__ld_fix, a bare ret,
 * so the call returns the fault instead of the value.
 */
#if VW__FASTLOAD
#include <ucontext.h>
__asm__(
	".pushsection .text\n"
	".p2align 4\n"
	".globl vw__ld_begin, vw__ld_end, vw__ld_fix\n"
	".globl vw__ld1, vw__ld2, vw__ld4, vw__ld8\n"
	".hidden vw__ld_begin, vw__ld_end, vw__ld_fix\n"
	".hidden vw__ld1, vw__ld2, vw__ld4, vw__ld8\n"
	".type vw__ld1, @function\n"
	".type vw__ld2, @function\n"
	".type vw__ld4, @function\n"
	".type vw__ld8, @function\n"
	"vw__ld_begin:\n"
	"vw__ld1:\n\txorl %edx, %edx\n\tmovzbl (%rdi), %eax\n\tret\n"
	".size vw__ld1, . - vw__ld1\n"
	"vw__ld2:\n\txorl %edx, %edx\n\tmovzwl (%rdi), %eax\n\tret\n"
	".size vw__ld2, . - vw__ld2\n"
	"vw__ld4:\n\txorl %edx, %edx\n\tmovl (%rdi), %eax\n\tret\n"
	".size vw__ld4, . - vw__ld4\n"
	"vw__ld8:\n\txorl %edx, %edx\n\tmovq (%rdi), %rax\n\tret\n"
	".size vw__ld8, . - vw__ld8\n"
	"vw__ld_fix:\n\tret\n"
	"vw__ld_end:\n"
	".popsection\n");
#endif

/* A SIGBUS the kernel raised at the access that caused it (so returning
 * from the handler re-runs the access): not one sent by kill/raise/sigqueue
 * (si_code <= 0) nor an asynchronous memory-error report (BUS_MCEERR_AO). */
static int vw__sync_fault(const siginfo_t *si)
{
	return si && si->si_code >= BUS_ADRALN && si->si_code <= BUS_MCEERR_AR;
}

/* SIGBUS's default action, as the kernel would take it: a fault re-runs
 * the access (after the return) and dies of it, a sent signal is sent
 * again (SIGBUS is not blocked in the handler: SA_NODEFER). */
static void vw__die_default(const siginfo_t *si)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL);
	if (!vw__sync_fault(si))
		raise(SIGBUS);
}

/* Deliver a SIGBUS that is not libview's as the previous disposition
 * would have received it. */
static void vw__chain(int sig, siginfo_t *si, void *ctx)
{
	int i = atomic_load(&vw__oldi);
	struct sigaction old = vw__olds[i];
	sigset_t mask, saved;

	if (old.sa_handler == SIG_IGN && !vw__sync_fault(si))
		return;		/* a sent SIGBUS that was ignored */
	if (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN ||
	    vw__forwarding) {
		/* a fault cannot be ignored; and a previous handler that
		 * forwards back to libview's would loop */
		vw__die_default(si);
		return;
	}
	if (old.sa_flags & SA_RESETHAND)
		vw__olds[i].sa_handler = SIG_DFL;
	/* the mask the previous handler would have run with */
	mask = old.sa_mask;
	if (!(old.sa_flags & SA_NODEFER))
		sigaddset(&mask, SIGBUS);
	sigprocmask(SIG_BLOCK, &mask, &saved);
	vw__forwarding = 1;
	if (old.sa_flags & SA_SIGINFO)
		old.sa_sigaction(sig, si, ctx);
	else
		old.sa_handler(sig);
	vw__forwarding = 0;
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

static void vw__sigbus(int sig, siginfo_t *si, void *ctx)
{
	struct vw__guard *g = vw__cur;
	int saved_errno = errno;

#if VW__FASTLOAD
	if (ctx && vw__sync_fault(si) && !vw__forwarding &&
	    atomic_load_explicit(&vw__enabled, memory_order_relaxed)) {
		mcontext_t *mc = &((ucontext_t *)ctx)->uc_mcontext;
		uintptr_t ip = (uintptr_t)mc->gregs[REG_RIP];

		uintptr_t fix = 0;

		if (ip >= (uintptr_t)vw__ld_begin &&
		    ip < (uintptr_t)vw__ld_end)
			fix = (uintptr_t)vw__ld_fix;
		/* vw_get's inline loads (internal.h, VW__LD_INLINE) */
		for (const struct vw__ldent *e = __start_vw_ldtab;
		     !fix && e < __stop_vw_ldtab; e++)
			if ((uintptr_t)&e->ip + (uintptr_t)(intptr_t)e->ip == ip)
				fix = (uintptr_t)&e->fix +
				      (uintptr_t)(intptr_t)e->fix;
		if (fix) {
			mc->gregs[REG_RAX] = (greg_t)(uintptr_t)si->si_addr;
			mc->gregs[REG_RDX] = 1;
			mc->gregs[REG_RIP] = (greg_t)fix;
			errno = saved_errno;
			return;
		}
	}
#endif
	if (g && vw__sync_fault(si) && !vw__forwarding &&
	    atomic_load_explicit(&vw__enabled, memory_order_relaxed)) {
		uintptr_t a = (uintptr_t)si->si_addr;

		for (int i = 0; i < g->n; i++) {
			if (a < g->lo[i] || a >= g->hi[i])
				continue;
			g->addr = a;
			g->which = i;
			vw__cur = g->prev;
			errno = saved_errno;
			siglongjmp(g->jb, 1);
		}
	}
	vw__chain(sig, si, ctx);
	errno = saved_errno;
}

static int vw__is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == vw__sigbus;
}

/* Put libview's handler in place unless it is: the disposition found
 * becomes the one it forwards to.  Returns 1 when it is in place. */
int vw__front(void)
{
	struct sigaction cur, sa;
	int ok = 0, i;

	if (sigaction(SIGBUS, NULL, &cur))
		return 0;
	if (vw__is_ours(&cur))
		return 1;
	pthread_mutex_lock(&vw__front_lock);
	if (sigaction(SIGBUS, NULL, &cur) == 0) {
		ok = vw__is_ours(&cur);
		if (!ok) {
			i = !atomic_load(&vw__oldi);
			vw__olds[i] = cur;
			atomic_store(&vw__oldi, i);
			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = vw__sigbus;
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER |
				      (cur.sa_flags & SA_RESTART);
			sigemptyset(&sa.sa_mask);
			ok = sigaction(SIGBUS, &sa, NULL) == 0;
		}
		if (ok)
			atomic_store(&vw__ever, 1);
	}
	pthread_mutex_unlock(&vw__front_lock);
	return ok;
}

VW_PUBLIC int vw_sigbus_guard(int enable)
{
	int was;

	if (enable < 0)
		return atomic_load(&vw__enabled);
	was = atomic_exchange(&vw__enabled, enable ? 1 : 0);
	if (enable)
		vw__front();
	return was;
}

void vw__guard_init(struct vw__guard *g, const struct vw_view *a, int acc_a,
		    const struct vw_view *b, int acc_b)
{
	const struct vw_view *v[2] = { a, b };
	int acc[2] = { acc_a, acc_b };
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	g->n = 0;
	g->lookup = 1;
	g->prev = NULL;
	g->addr = 0;
	g->which = 0;
	for (int i = 0; i < 2; i++) {
		uintptr_t base;
		size_t len;

		if (!v[i] || !v[i]->map)
			continue;
		vw__map_range(vw__map(v[i]), &base, &len, NULL);
		if (!len)
			continue;
		if (g->n && g->base[0] == base) {
			g->access[0] |= acc[i];	/* one mapping, both ways */
			continue;
		}
		g->base[g->n] = base;
		g->lo[g->n] = base & ~(page - 1);
		g->hi[g->n] = (base + len + page - 1) & ~(page - 1);
		g->access[g->n] = acc[i];
		g->n++;
	}
}

int vw__guarded(struct vw__guard *g, int (*fn)(void *), void *arg)
{
	int rc;

	if (!g->n || !atomic_load_explicit(&vw__enabled,
					   memory_order_relaxed))
		return fn(arg);
	if ((g->lookup || !atomic_load_explicit(&vw__ever,
						memory_order_relaxed)) &&
	    !vw__front())
		return fn(arg);
	vw__forwarding = 0;	/* a forwarded handler may have jumped out */
	g->prev = vw__cur;
	if (sigsetjmp(g->jb, 0))
		return -EFAULT;	/* the handler unlinked g */
	atomic_signal_fence(memory_order_seq_cst);
	vw__cur = g;
	atomic_signal_fence(memory_order_seq_cst);
	rc = fn(arg);
	atomic_signal_fence(memory_order_seq_cst);
	vw__cur = g->prev;
	atomic_signal_fence(memory_order_seq_cst);
	return rc;
}

int vw__fault_at(struct vw_error *err, int acc, uintptr_t addr,
		 uintptr_t base)
{
	return vw__fail(err, -EFAULT,
			"cannot %s byte %zu of the mapping: SIGBUS (the file was truncated below its mapped size, or its file system has no room for the page)",
			acc == (VW__RD | VW__WR) ? "access" :
			acc == VW__WR ? "write" : "read",
			(size_t)(addr - base));
}

int vw__fault_fail(struct vw_error *err, const struct vw__guard *g)
{
	return vw__fault_at(err, g->access[g->which], g->addr,
			    g->base[g->which]);
}

/* ---- one guarded element read (vw_get) ------------------------------ */

#if !VW__FASTLOAD
struct vw__read_job {
	const void *p;
	size_t n;
	unsigned char *b;
};

static int vw__read_run(void *arg)
{
	const struct vw__read_job *j = arg;

	memcpy(j->b, j->p, j->n);
	return 0;
}

int vw__read_elem(const struct vw_view *v, const void *p, size_t n,
		  unsigned char *b, uintptr_t *addr)
{
	struct vw__read_job j = { p, n, b };
	struct vw__guard g;

	vw__guard_init(&g, v, VW__RD, NULL, 0);
	g.lookup = 0;	/* a system call costs 20 times the access */
	if (vw__guarded(&g, vw__read_run, &j)) {
		*addr = g.addr;
		return -EFAULT;
	}
	return 0;
}
#endif

/* madvise the page-aligned spans of a view; on failure, where. */
struct vw__pop {
	int advice;
	uintptr_t page;
	int err;		/* errno of the failed madvise */
	uintptr_t at;		/* the first page it could not populate */
};

static int vw__madvise(uintptr_t lo, uintptr_t hi, int advice)
{
	for (int tries = 0; tries < 16; tries++) {
		if (!madvise((void *)lo, hi - lo, advice))
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			break;
	}
	return errno ? errno : EIO;
}

static int vw__populate_span(uintptr_t lo, uintptr_t hi, void *arg)
{
	struct vw__pop *p = arg;
	uintptr_t good = lo, bad = hi;	/* [lo, good) populates */

	p->err = vw__madvise(lo, hi, p->advice);
	if (!p->err)
		return 0;
	if (p->err == EFAULT || p->err == ENOMEM || p->err == EHWPOISON) {
		/* find the first page that fails: [lo, bad) fails */
		while (bad - good > p->page) {
			uintptr_t mid = good + (bad - good) / p->page / 2 *
					       p->page;

			if (vw__madvise(lo, mid, p->advice))
				bad = mid;
			else
				good = mid;
		}
	}
	p->at = good;
	return 1;
}

int vw__prepare(const struct vw_view *v, int writing, struct vw_error *err)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), base, lo, hi;
	struct vw__pop p = { writing ? MADV_POPULATE_WRITE : MADV_POPULATE_READ,
			     page, 0, 0 };
	size_t len;
	int populate;

	if (!v->len)
		return 0;
	vw__map_range(vw__map(v), &base, &len, &populate);
	if (!populate)
		return 0;
	/* a view within one page faults at its first access or not at all */
	vw__extent(v, &lo, &hi);
	if ((lo & ~(page - 1)) == ((hi - 1) & ~(page - 1)))
		return 0;
	if (!vw__page_spans(v, (size_t)page, vw__populate_span, &p))
		return 0;
	if (p.err != EFAULT && p.err != ENOMEM && p.err != EHWPOISON)
		return 0;	/* EINVAL: Linux < 5.14 or a mapping madvise
				   cannot populate; EPERM: sealed: the guard
				   is all there is */
	if (p.at < base)
		p.at = base;	/* the view starts inside the first page */
	return vw__fail(err, p.err == ENOMEM ? -ENOMEM : -EFAULT,
			"cannot %s byte %zu of the mapping: madvise(%s): %s (%s); nothing was %s",
			writing ? "write" : "read", (size_t)(p.at - base),
			writing ? "MADV_POPULATE_WRITE" : "MADV_POPULATE_READ",
			strerror(p.err),
			p.err == ENOMEM ? "out of memory" :
			"the file is shorter than its mapping, or its file system has no room for the page",
			writing ? "written" : "copied");
}
