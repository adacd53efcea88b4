/*
 * The request loop with a spinning reader (-o spin=US).
 *
 * libfuse's loop keeps its idle threads asleep in read(2) on /dev/fuse, so
 * every request wakes one of them, on another CPU than its caller (the
 * scheduler puts a woken thread on an idle CPU).  On a VM whose idle vCPUs
 * halt, that wakeup is most of a round trip.  Here one thread at a time
 * holds the reader role.  After each request it polls the (non-blocking)
 * descriptor for up to spin microseconds before it sleeps in poll(2): a
 * request that comes meanwhile is taken without any wakeup, and no other
 * thread sleeps on the device to be woken instead.
 *
 * The reader serves what it takes itself, so the role is vacant while it
 * works.  A watcher thread looks every WATCH_NS; when one request has kept
 * the role vacant since its last look, it takes the role over (and finds
 * itself a new watcher), so a slow request (a big fallocate, a slow
 * --store) holds the others up by at most two periods.  The reader it
 * replaced becomes the watcher or waits in the pool when it is done.  The
 * watcher sleeps without a timeout while the reader sleeps (an idle daemon
 * wakes nobody).  Threads: the reader, the watcher, and those a slow
 * request made, up to max_threads.
 *
 * The role passes with a compare-and-swap on vacant_by, which holds the
 * ticket of the reader that left the role (0: not vacant).  Every new
 * reader gets a new ticket, so a replaced reader cannot take the role back.
 */
#include "viewfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define WATCH_NS 1000000L	/* the watcher's period: 1 ms */

struct loop {
	struct fuse_session *se;
	struct vwfs_loop_stats *st;
	int fd;			/* /dev/fuse, made O_NONBLOCK */
	int efd;		/* eventfd: readable once the loop ends */
	long spin_ns;
	unsigned int max_threads;
	atomic_ulong vacant_by;	/* ticket of the reader serving a request, or 0 */
	atomic_ulong taken;	/* requests taken by readers */
	atomic_int end;		/* the loop ends: every thread leaves */
	pthread_mutex_t m;
	pthread_cond_t pool;	/* idle threads: one becomes the watcher */
	pthread_cond_t watch;	/* the watcher's sleep */
	/* under m: */
	unsigned long next_ticket;
	int sleeping;		/* the reader sleeps in poll(2) */
	int watcher_waits;	/* the watcher sleeps untimed for that reason */
	int has_watcher;
	unsigned int idle;	/* threads waiting in the pool */
	unsigned int nthreads;
	int err;		/* first errno that ended the loop, or 0 */
	pthread_t *threads;	/* nthreads of max_threads, joined at the end */
};

enum role { READER, IDLE, LEAVE };

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* End the loop (once): every thread leaves, the main thread returns. */
static void end_loop(struct loop *lp, int err)
{
	uint64_t one = 1;

	pthread_mutex_lock(&lp->m);
	if (err && !lp->err)
		lp->err = err;
	atomic_store(&lp->end, 1);
	pthread_cond_broadcast(&lp->pool);
	pthread_cond_broadcast(&lp->watch);
	pthread_mutex_unlock(&lp->m);
	if (write(lp->efd, &one, sizeof(one)) < 0) {
		/* cannot fail: the counter is far from its maximum */
	}
}

static void *worker(void *arg);

/* Start a thread that begins as a pool thread; under m.  0 or an errno. */
static int spawn(struct loop *lp)
{
	int err;

	if (lp->nthreads >= lp->max_threads)
		return EAGAIN;
	err = pthread_create(&lp->threads[lp->nthreads], NULL, worker, lp);
	if (err == 0)
		lp->nthreads++;
	return err;
}

/*
 * The reader's wait for one request: spin, then sleep.  > 0: a request in
 * buf; 0: the session ended.
 */
static int take_one(struct loop *lp, struct fuse_buf *buf)
{
	long deadline = now_ns() + lp->spin_ns;
	int slept = 0;

	for (;;) {
		int r = fuse_session_receive_buf(lp->se, buf);

		if (r > 0) {
			atomic_fetch_add_explicit(slept ? &lp->st->after_sleep :
						  &lp->st->spinning, 1, memory_order_relaxed);
			return r;
		}
		if (r == 0 || fuse_session_exited(lp->se) || atomic_load(&lp->end))
			return 0;
		if (r != -EAGAIN && r != -EINTR) {
			end_loop(lp, -r);
			return 0;
		}
		if (r == -EINTR || now_ns() < deadline)
			continue;

		struct pollfd p[2] = {
			{ .fd = lp->fd, .events = POLLIN },
			{ .fd = lp->efd, .events = POLLIN },
		};

		pthread_mutex_lock(&lp->m);
		lp->sleeping = 1;
		pthread_mutex_unlock(&lp->m);
		r = poll(p, 2, -1);
		pthread_mutex_lock(&lp->m);
		lp->sleeping = 0;
		if (lp->watcher_waits)
			pthread_cond_signal(&lp->watch);
		pthread_mutex_unlock(&lp->m);
		if (r < 0 && errno != EINTR) {
			end_loop(lp, errno);
			return 0;
		}
		if (p[1].revents)
			return 0;
		/* POLLERR/POLLHUP (unmounted) reach the read as ENODEV */
		slept = 1;
		deadline = now_ns() + lp->spin_ns;
	}
}

/* Hold the reader role with ticket until a watcher takes it over. */
static enum role read_requests(struct loop *lp, struct fuse_buf *buf,
			       unsigned long ticket)
{
	for (;;) {
		unsigned long mine = ticket;

		if (take_one(lp, buf) <= 0) {
			end_loop(lp, 0);
			return LEAVE;
		}
		atomic_fetch_add(&lp->taken, 1);
		atomic_store(&lp->vacant_by, ticket);
		fuse_session_process_buf(lp->se, buf);
		if (fuse_session_exited(lp->se)) {	/* a handler ended it (init) */
			end_loop(lp, 0);
			return LEAVE;
		}
		if (!atomic_compare_exchange_strong(&lp->vacant_by, &mine, 0))
			return IDLE;	/* taken over meanwhile */
	}
}

/*
 * The watcher: under m on entry and return.  READER (with *ticket) when it
 * took the role over, LEAVE at the end.
 */
static enum role watch(struct loop *lp, unsigned long *ticket)
{
	unsigned long seen = atomic_load(&lp->taken);

	for (;;) {
		if (atomic_load(&lp->end))
			return LEAVE;
		if (lp->sleeping) {
			lp->watcher_waits = 1;
			pthread_cond_wait(&lp->watch, &lp->m);
			lp->watcher_waits = 0;
			seen = atomic_load(&lp->taken);
			continue;
		}

		long t = now_ns() + WATCH_NS;
		struct timespec ts = { t / 1000000000L, t % 1000000000L };

		pthread_cond_timedwait(&lp->watch, &lp->m, &ts);
		if (atomic_load(&lp->end))
			return LEAVE;

		unsigned long v = atomic_load(&lp->vacant_by);
		unsigned long n = atomic_load(&lp->taken);

		if (v && n == seen && atomic_compare_exchange_strong(&lp->vacant_by, &v, 0)) {
			*ticket = ++lp->next_ticket;
			lp->has_watcher = 0;
			atomic_fetch_add_explicit(&lp->st->takeovers, 1, memory_order_relaxed);
			/* a new watcher: an idle thread, else a new one; at
			 * max_threads the replaced reader becomes it when done */
			if (lp->idle)
				pthread_cond_signal(&lp->pool);
			else
				(void)spawn(lp);
			return READER;
		}
		seen = n;
	}
}

static void *worker(void *arg)
{
	struct loop *lp = arg;
	struct fuse_buf buf = { 0 };
	unsigned long ticket = 0;
	enum role role = IDLE;

	pthread_mutex_lock(&lp->m);
	if (lp->next_ticket == 0)	/* the first thread: the first reader */
		ticket = ++lp->next_ticket, role = READER;
	pthread_mutex_unlock(&lp->m);

	while (role != LEAVE) {
		if (role == READER) {
			role = read_requests(lp, &buf, ticket);
			continue;
		}
		pthread_mutex_lock(&lp->m);
		lp->idle++;
		while (!atomic_load(&lp->end) && lp->has_watcher)
			pthread_cond_wait(&lp->pool, &lp->m);
		lp->idle--;
		if (atomic_load(&lp->end)) {
			role = LEAVE;
		} else {
			lp->has_watcher = 1;
			role = watch(lp, &ticket);
			if (role == LEAVE)
				lp->has_watcher = 0;
		}
		pthread_mutex_unlock(&lp->m);
	}
	free(buf.mem);
	return NULL;
}

int vwfs_loop_spin(struct fuse_session *se, unsigned int spin_us,
		   unsigned int max_threads, struct vwfs_loop_stats *st)
{
	struct loop lp = {
		.se = se, .st = st, .fd = fuse_session_fd(se),
		.spin_ns = (long)spin_us * 1000, .max_threads = max_threads,
		.m = PTHREAD_MUTEX_INITIALIZER, .pool = PTHREAD_COND_INITIALIZER,
	};
	sigset_t block, old;
	pthread_condattr_t ca;
	int fl, err = 0;

	if (spin_us == 0 || max_threads < 2)
		return errno = EINVAL, -1;
	fl = fcntl(lp.fd, F_GETFL);
	if (fl < 0 || fcntl(lp.fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	lp.threads = calloc(max_threads, sizeof(*lp.threads));
	lp.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!lp.threads || lp.efd < 0) {
		err = lp.threads ? errno : ENOMEM;
		goto out;
	}
	/* the watcher's timed sleeps count on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lp.watch, &ca);
	pthread_condattr_destroy(&ca);

	/* libfuse's signal handlers end the session; they must run here, in
	 * ppoll, so that this thread sees it: the workers block them */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_mutex_lock(&lp.m);
	err = spawn(&lp);		/* the reader */
	if (err == 0)
		(void)spawn(&lp);	/* the watcher; else the pool's first */
	pthread_mutex_unlock(&lp.m);
	if (err == 0) {
		struct pollfd p = { .fd = lp.efd, .events = POLLIN };

		while (!atomic_load(&lp.end) && !fuse_session_exited(se))
			if (ppoll(&p, 1, NULL, &old) < 0 && errno != EINTR) {
				err = errno;
				break;
			}
		end_loop(&lp, 0);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* end is set: no thread starts any more, nthreads is final */
	pthread_mutex_lock(&lp.m);
	unsigned int n = lp.nthreads;
	pthread_mutex_unlock(&lp.m);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(lp.threads[i], NULL);
	st->threads = n;
	if (!err)
		err = lp.err;
	pthread_cond_destroy(&lp.watch);
out:
	if (lp.efd >= 0)
		close(lp.efd);
	free(lp.threads);
	fcntl(lp.fd, F_SETFL, fl);
	if (err)
		return errno = err, -1;
	return 0;
}
