/* SPDX-License-Identifier: MIT */
/*
 * viewfs log: the daemon's messages and the escaper for what users put in
 * them.  Everything else in fuse/ logs through here, and this file calls
 * nothing of theirs, so it sits below them all.
 *
 * vwfs_log writes to stderr until the daemon leaves the terminal
 * (vwfs_log_to_syslog), then to syslog at LOG_NOTICE.  Messages that a
 * user's request causes (refused metadata, the xattr bound, a lost
 * write-back) go through vwfs_log_limited instead: escaped, and at most
 * LOG_BURST lines at once and one more per second after that, so that no
 * user can flood the log.
 */
#include "viewfs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define LOG_BURST 10	/* lines logged at once before the rate applies */
#define LOG_ESC_MAX 96	/* bytes of a user's value shown in the log */

/* Set once, before the session's worker threads start. */
static int log_to_syslog;

void vwfs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_to_syslog)
		vsyslog(LOG_NOTICE, fmt, ap);
	else
		vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void vwfs_log_to_syslog(void)
{
	openlog("viewfs", LOG_PID, LOG_DAEMON);
	log_to_syslog = 1;
}

size_t vwfs_escape(char *out, size_t outlen, const void *in, size_t inlen,
		  size_t max)
{
	const unsigned char *p = in;
	size_t o = 0, i;

	if (!outlen)
		return 0;
	for (i = 0; i < inlen && i < max; i++) {
		unsigned char c = p[i];
		char tmp[5];
		size_t n;

		if (c == '\\' || c == '"')
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			n = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
		else
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		if (o + n + 4 > outlen)	/* room for "..." and the NUL */
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	if (i < inlen && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

/* ------------------------------------------------------------------ */
/* Rate-limited messages                                               */
/* ------------------------------------------------------------------ */

static void log_dropped(unsigned long dropped)
{
	vwfs_log("viewfs: %lu more such messages were not logged (rate limit)\n",
		dropped);
}

void vwfs_log_limit_init(struct vwfs *fs)
{
	struct vwfs_log_limit *ll = &fs->log_limit;

	pthread_mutex_init(&ll->lock, NULL);
	ll->tokens = LOG_BURST;
	ll->inited = 1;
}

void vwfs_log_limit_fini(struct vwfs *fs)
{
	struct vwfs_log_limit *ll = &fs->log_limit;

	if (!ll->inited)
		return;
	if (ll->dropped)
		log_dropped(ll->dropped);
	pthread_mutex_destroy(&ll->lock);
	ll->inited = 0;
}

void vwfs_log_limited(struct vwfs *fs, const char *fmt, ...)
{
	struct vwfs_log_limit *ll = &fs->log_limit;
	unsigned long dropped = 0;
	struct timespec now;
	char line[1536];
	int ok = 0;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&ll->lock);
	if (ll->last) {
		long long gained = (long long)now.tv_sec - ll->last;

		if (gained > 0)
			ll->tokens = gained >= LOG_BURST ? LOG_BURST :
				(ll->tokens + (int)gained > LOG_BURST ?
				 LOG_BURST : ll->tokens + (int)gained);
	}
	ll->last = (long long)now.tv_sec;
	if (ll->tokens > 0) {
		ll->tokens--;
		ok = 1;
		dropped = ll->dropped;
		ll->dropped = 0;
	} else {
		ll->dropped++;
	}
	pthread_mutex_unlock(&ll->lock);
	if (!ok)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (dropped)
		log_dropped(dropped);
	vwfs_log("%s\n", line);
}

void vwfs_log_xattr(struct vwfs *fs, uid_t uid, const struct vwfs_inode *in,
		   const char *name, const void *value, size_t size,
		   const char *why)
{
	char n[LOG_ESC_MAX * 4 + 4], v[LOG_ESC_MAX * 4 + 4], w[1024];

	vwfs_escape(n, sizeof(n), name, strlen(name), LOG_ESC_MAX);
	vwfs_escape(v, sizeof(v), value, value ? size : 0, LOG_ESC_MAX);
	vwfs_escape(w, sizeof(w), why, strlen(why), sizeof(w));
	vwfs_log_limited(fs, "viewfs: uid %u: setxattr %s=\"%s\" (%zu bytes) on inode %llu "
			"refused: %s", (unsigned)uid, n, v, size,
			(unsigned long long)in->ino, w);
}
