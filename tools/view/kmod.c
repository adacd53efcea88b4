/* SPDX-License-Identifier: MIT */
/*
 * kmod.c — `view kmod`: the user side of the viewdev control node.
 * Parses the command line, checks names and metadata in user space with
 * the same rules as the module (metadata through libview's vw_meta_check,
 * so the messages name the bad value), issues one ioctl, and turns its
 * errno into one line on stderr.  Owns nothing beyond one command
 * (export hands its dma-buf to the command it runs in its place).
 */
#include "kmod.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/viewdev.h>

#include "view.h"

static const char kmod_usage[] =
"Usage: view kmod create NAME SIZE [--format F] [--shape D0,D1,...] [--mode OCTAL]\n"
"       view kmod destroy NAME\n"
"       view kmod resize NAME SIZE\n"
"       view kmod list [--json]\n"
"       view kmod export NAME [--rdwr] [--fd N] -- COMMAND [ARG...]\n"
"       view kmod --help\n"
"\n"
"Manage buffers of the viewdev kernel module: each is a character device\n"
VIEWDEV_DIR "/NAME backed by shared memory, usable as a file by every\n"
"program (read, write, mmap) and by `view show`.\n"
"\n"
"  create   a zero-filled buffer of SIZE bytes (K, M, G, T suffixes: powers\n"
"           of 1024), owned by the caller, mode 0600 unless --mode;\n"
"           --format/--shape set its metadata (sysfs attributes format and\n"
"           shape), as user.view.* on viewfs\n"
"  destroy  remove the node; open files and mappings keep the data\n"
"  resize   change the size; new bytes are zero, mappings past the end fault\n"
"  list     one line per buffer, or a JSON array with --json\n"
"  export   run COMMAND with a dma-buf of the buffer open as descriptor N\n"
"           (--fd, default 3), for programs that hand it to a device\n"
"           (DRM PRIME, V4L2); read-only unless --rdwr.  The buffer must be\n"
"           sealed against shrinking first (view seal " VIEWDEV_DIR "/NAME\n"
"           --shrink); --rdwr needs write access to the node and a buffer\n"
"           not write-sealed.  COMMAND replaces view (exit status is its\n"
"           own; 127 when it cannot be run)\n"
"\n"
"NAME: 1 to 63 printable characters, no '/' or space, not '.' or '..'.\n"
"Errors name the bad value; the module must be loaded (" VIEWDEV_CTL_PATH ").\n";

/* SIZE: decimal bytes with an optional K/M/G/T suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ULL << 10;
		break;
	case 'm': case 'M':
		mul = 1ULL << 20;
		break;
	case 'g': case 'G':
		mul = 1ULL << 30;
		break;
	case 't': case 'T':
		mul = 1ULL << 40;
		break;
	default:
		return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

/* The module's name rule, checked here to say which character is wrong. */
static int check_name(const char *cmd, const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= VIEWDEV_NAME_MAX) {
		view_error("kmod", cmd, "name '%s' must be 1 to %d characters", name,
			 VIEWDEV_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		view_error("kmod", cmd, "name '%s' is not allowed", name);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c > '~' || c == '/') {
			view_error("kmod", cmd, "name '%s' has a character not allowed (0x%02x at %zu)",
				 name, c, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int get_size(const char *cmd, const char *s, uint64_t *out)
{
	int rc = parse_size(s, out);

	if (rc == -ERANGE)
		view_error("kmod", cmd, "size '%s' is too large", s);
	else if (rc)
		view_error("kmod", cmd, "size '%s' is not a number of bytes (e.g. 4096, 64K, 1M, 2G)", s);
	return rc;
}

/* Open the control node, saying plainly when the module is not loaded. */
static int open_ctl(const char *cmd)
{
	int fd = open(VIEWDEV_CTL_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		view_error("kmod", cmd, "the viewdev module is not loaded (no %s); load it with "
			 "'insmod kmod/viewdev.ko' or 'modprobe viewdev'",
			 VIEWDEV_CTL_PATH);
	else
		view_error("kmod", cmd, "cannot open %s: %s", VIEWDEV_CTL_PATH, strerror(errno));
	return -1;
}

/* Limits of the loaded module, for error messages (0s if unknown). */
static struct viewdev_version limits(int fd)
{
	struct viewdev_version v;

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, VIEWDEV_IOC_VERSION, &v) < 0)
		memset(&v, 0, sizeof(v));
	return v;
}

/* The seals of buffer NAME as text (view.h's syntax) into text[size],
 * "" when it has none or they cannot be read. */
static void node_seals(const char *name, char *text, size_t size)
{
	char path[sizeof(VIEWDEV_DIR) + VIEWDEV_NAME_MAX + 1];
	unsigned seals = 0;
	int fd;

	text[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", VIEWDEV_DIR, name);
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (vw_seals(fd, &seals) || !seals || vw_seals_format(seals, text, size) < 0)
		text[0] = 0;
	close(fd);
}

/* One line for an ioctl's errno, naming the buffer and the value. */
static void report(const char *cmd, int fd, int err, const char *name,
		   const char *size)
{
	struct viewdev_version v;

	switch (err) {
	case EEXIST:
		view_error("kmod", cmd, "buffer '%s' already exists", name);
		break;
	case ENOENT:
		view_error("kmod", cmd, "no buffer '%s'", name);
		break;
	case EPERM:
		/* a resize the seals forbid is EPERM too, for root as well */
		if (!strcmp(cmd, "resize")) {
			char text[64];

			node_seals(name, text, sizeof(text));
			if (text[0]) {
				view_error("kmod", cmd, "buffer '%s' is sealed (%s): its size "
					   "cannot change to '%s'", name, text, size);
				break;
			}
		}
		/* fall through */
	case EACCES:
		view_error("kmod", cmd, "buffer '%s': only its owner or root may do that", name);
		break;
	case EMFILE:
		v = limits(fd);
		view_error("kmod", cmd, "cannot create '%s': %u buffers exist (max_buffers is %u)",
			 name, v.nbuffers, v.max_buffers);
		break;
	case ENOSPC:
		v = limits(fd);
		view_error("kmod", cmd, "size '%s' for '%s' does not fit: %" PRIu64 " of %"
			 PRIu64 " bytes in use (max_total_bytes)", size, name,
			 (uint64_t)v.total_bytes, (uint64_t)v.max_total_bytes);
		break;
	case EFBIG:
		view_error("kmod", cmd, "size '%s' for '%s' is too large for a file", size, name);
		break;
	case EINVAL:
		if (!strcmp(cmd, "resize"))
			view_error("kmod", cmd, "size '%s' for '%s' is smaller than its shape describes",
				 size, name);
		else
			view_error("kmod", cmd, "buffer '%s': the module refused the request (%s)",
				 name, strerror(err));
		break;
	default:
		view_error("kmod", cmd, "buffer '%s': %s", name, strerror(err));
	}
}

/* One control ioctl: open /dev/viewctl, call, say what failed, close.
 * Returns the exit status (0 done, 1 error). */
static int ctl_call(const char *cmd, unsigned long req, void *arg,
		    const char *name, const char *val)
{
	int fd = open_ctl(cmd), rc;

	if (fd < 0)
		return 1;
	rc = ioctl(fd, req, arg) < 0 ? errno : 0;
	if (rc)
		report(cmd, fd, rc, name, val);
	close(fd);
	return rc ? 1 : 0;
}

static int cmd_create(int argc, char **argv)
{
	struct viewdev_create c;
	const char *fmt = "", *shape = "";
	struct vw_error verr;
	uint64_t size;
	int i;

	if (argc < 3) {
		view_error("kmod", "create", "expected NAME SIZE (see view kmod --help)");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	for (i = 3; i < argc; i++) {
		const char *opt = argv[i];
		char *end;
		unsigned long mode;

		if (strcmp(opt, "--format") && strcmp(opt, "--shape") &&
		    strcmp(opt, "--mode")) {
			view_error("kmod", "create", "unknown option '%s'", opt);
			return 2;
		}
		if (i + 1 >= argc) {
			view_error("kmod", "create", "option '%s' needs a value", opt);
			return 2;
		}
		if (!strcmp(opt, "--format")) {
			fmt = argv[++i];
		} else if (!strcmp(opt, "--shape")) {
			shape = argv[++i];
		} else if (!strcmp(opt, "--mode")) {
			const char *m = argv[++i];

			/* strtoul alone would take " 600", "+600" and "-0". */
			errno = 0;
			mode = strtoul(m, &end, 8);
			if (*m < '0' || *m > '7' || *end || errno || mode == 0 ||
			    mode > 0777) {
				view_error("kmod", "create", "mode '%s' must be octal permission bits 1..0777",
					 m);
				return 2;
			}
			c.flags |= VIEWDEV_CREATE_MODE;
			c.mode = (uint32_t)mode;
		}
	}
	if (check_name("create", argv[1]) || get_size("create", argv[2], &size))
		return 1;
	if (strlen(fmt) >= sizeof(c.format)) {
		view_error("kmod", "create", "format '%s' is too long", fmt);
		return 1;
	}
	if (strlen(shape) >= sizeof(c.shape)) {
		view_error("kmod", "create", "shape '%s' is too long", shape);
		return 1;
	}
	if (vw_meta_check(*fmt ? fmt : NULL, *shape ? shape : NULL, size, &verr)) {
		view_error("kmod", "create", "%s", verr.msg);
		return 1;
	}
	strcpy(c.name, argv[1]);
	strcpy(c.format, fmt);
	strcpy(c.shape, shape);
	c.size = size;
	return ctl_call("create", VIEWDEV_IOC_CREATE, &c, argv[1], argv[2]);
}

static int cmd_destroy(int argc, char **argv)
{
	struct viewdev_name d;

	if (argc != 2) {
		view_error("kmod", "destroy", "expected NAME (see view kmod --help)");
		return 2;
	}
	if (check_name("destroy", argv[1]))
		return 1;
	memset(&d, 0, sizeof(d));
	strcpy(d.name, argv[1]);
	return ctl_call("destroy", VIEWDEV_IOC_DESTROY, &d, argv[1], "");
}

static int cmd_resize(int argc, char **argv)
{
	struct viewdev_resize r;
	uint64_t size;

	if (argc != 3) {
		view_error("kmod", "resize", "expected NAME SIZE (see view kmod --help)");
		return 2;
	}
	if (check_name("resize", argv[1]) || get_size("resize", argv[2], &size))
		return 1;
	memset(&r, 0, sizeof(r));
	strcpy(r.name, argv[1]);
	r.size = size;
	return ctl_call("resize", VIEWDEV_IOC_RESIZE, &r, argv[1], argv[2]);
}

/* A JSON string; names and metadata are printable ASCII already. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int cmd_list(int argc, char **argv)
{
	struct viewdev_list l;
	char (*names)[VIEWDEV_NAME_MAX] = NULL;
	int json = 0, fd, rc = 0;
	uint32_t n, i, shown = 0;

	if (argc >= 2 && !strcmp(argv[1], "--json"))
		json = 1;
	if (argc > 1 + json) {
		view_error("kmod", "list", "unknown argument '%s'", argv[1 + json]);
		return 2;
	}
	fd = open_ctl("list");
	if (fd < 0)
		return 1;
	/* Ask for the count, then the names; retry if buffers were added. */
	for (n = 0;;) {
		memset(&l, 0, sizeof(l));
		l.count = n;
		l.names = (uintptr_t)names;
		if (ioctl(fd, VIEWDEV_IOC_LIST, &l) < 0) {
			view_error("kmod", "list", "%s", strerror(errno));
			rc = 1;
			goto out;
		}
		if (l.count <= n)
			break;
		n = l.count + 8;
		free(names);
		names = calloc(n, VIEWDEV_NAME_MAX);
		if (!names) {
			view_error("kmod", "list", "out of memory");
			rc = 1;
			goto out;
		}
	}
	n = l.count;
	if (json)
		putchar('[');
	else
		printf("%-20s %12s %-8s %-16s %5s %6s %6s %-9s %5s\n", "NAME", "SIZE",
		       "FORMAT", "SHAPE", "MODE", "UID", "GID", "DEVICE", "OPENS");
	for (i = 0; i < n; i++) {
		struct viewdev_info in;
		char path[sizeof(VIEWDEV_DIR) + VIEWDEV_NAME_MAX];

		memset(&in, 0, sizeof(in));
		memcpy(in.name, names[i], VIEWDEV_NAME_MAX);
		if (ioctl(fd, VIEWDEV_IOC_INFO, &in) < 0)
			continue;	/* destroyed meanwhile */
		if (json) {
			printf("%s{\"name\": ", shown ? ", " : "");
			json_str(in.name);
			printf(", \"size\": %" PRIu64 ", \"format\": ", (uint64_t)in.size);
			json_str(in.format);
			printf(", \"shape\": ");
			json_str(in.shape);
			printf(", \"mode\": \"%04o\", \"uid\": %u, \"gid\": %u, "
			       "\"major\": %u, \"minor\": %u, \"opens\": %u, \"path\": ",
			       in.mode, in.uid, in.gid, in.major, in.minor, in.opens);
			snprintf(path, sizeof(path), "%s/%s", VIEWDEV_DIR, in.name);
			json_str(path);
			printf("}");
		} else {
			printf("%-20s %12" PRIu64 " %-8s %-16s %5.4o %6u %6u %4u:%-4u %5u\n",
			       in.name, (uint64_t)in.size, *in.format ? in.format : "-",
			       *in.shape ? in.shape : "-", in.mode, in.uid, in.gid,
			       in.major, in.minor, in.opens);
		}
		shown++;
	}
	if (json)
		printf("]\n");
out:
	free(names);
	close(fd);
	return rc;
}

/* Why an export failed, from the errno and the buffer's seals. */
static void export_report(const char *name, int nfd, int err, bool rdwr)
{
	struct viewdev_seals s;

	memset(&s, 0, sizeof(s));
	switch (err) {
	case EPERM:
		if (ioctl(nfd, VIEWDEV_IOC_GET_SEALS, &s) == 0 &&
		    !(s.seals & VIEWDEV_SEAL_SHRINK))
			view_error("kmod", "export", "buffer '%s' is not sealed against shrinking "
				 "(view seal %s/%s --shrink)", name, VIEWDEV_DIR, name);
		else if (rdwr)
			view_error("kmod", "export", "buffer '%s' is write-sealed: only a read-only export",
				 name);
		else
			view_error("kmod", "export", "buffer '%s': %s", name, strerror(err));
		break;
	case EINVAL:
		view_error("kmod", "export", "buffer '%s' is empty (size 0) or the module refused "
			 "the request", name);
		break;
	case ENOTTY:
		view_error("kmod", "export", "the loaded viewdev module has no dma-buf export "
			 "(version below 2)");
		break;
	case ENODEV:
		view_error("kmod", "export", "buffer '%s' was destroyed", name);
		break;
	default:
		view_error("kmod", "export", "buffer '%s': %s", name, strerror(err));
	}
}

/*
 * export NAME [--rdwr] [--fd N] -- COMMAND [ARG...]: the dma-buf (made
 * close-on-exec by the module) is moved to N without close-on-exec, then
 * COMMAND replaces this process, so it is the dma-buf's only holder.
 */
static int cmd_export(int argc, char **argv)
{
	struct viewdev_export e;
	char path[sizeof(VIEWDEV_DIR) + VIEWDEV_NAME_MAX + 1];
	const char *name = argc > 1 ? argv[1] : "";
	bool rdwr = false;
	long want = 3;
	int i, nfd, d;

	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--rdwr")) {
			rdwr = true;
		} else if (!strcmp(argv[i], "--fd")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			char *end;

			if (!v) {
				view_error("kmod", "export", "option '--fd' needs a value");
				return 2;
			}
			errno = 0;
			want = strtol(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || errno || want > INT_MAX) {
				view_error("kmod", "export", "descriptor '%s' must be a number 0..%d", v,
					 INT_MAX);
				return 2;
			}
		} else {
			view_error("kmod", "export", "unknown option '%s'", argv[i]);
			return 2;
		}
	}
	if (argc < 2 || !strcmp(name, "--") || i + 1 >= argc) {
		view_error("kmod", "export", "expected NAME [--rdwr] [--fd N] -- COMMAND [ARG...] "
			 "(see view kmod --help)");
		return 2;
	}
	if (check_name("export", name))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", VIEWDEV_DIR, name);
	nfd = open(path, (rdwr ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (nfd < 0) {
		if (errno == ENOENT)
			view_error("kmod", "export", "no buffer '%s'", name);
		else if (errno == EPERM && rdwr)
			view_error("kmod", "export", "buffer '%s' is write-sealed: only a read-only export",
				 name);
		else
			view_error("kmod", "export", "cannot open %s%s: %s", path,
				 rdwr ? " for writing" : "", strerror(errno));
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.flags = rdwr ? VIEWDEV_EXPORT_RDWR : 0;
	if (ioctl(nfd, VIEWDEV_IOC_EXPORT, &e) < 0) {
		export_report(name, nfd, errno, rdwr);
		close(nfd);
		return 1;
	}
	close(nfd);
	d = e.fd;
	/* dup2 leaves the new descriptor without close-on-exec */
	if (d == want ? fcntl(d, F_SETFD, 0) < 0 : dup2(d, (int)want) < 0) {
		view_error("kmod", "export", "cannot place the dma-buf at descriptor %ld: %s", want,
			 strerror(errno));
		close(d);
		return 1;
	}
	if (d != want)
		close(d);
	fflush(NULL);
	execvp(argv[i + 1], argv + i + 1);
	view_error("kmod", "export", "cannot run '%s': %s", argv[i + 1], strerror(errno));
	return 127;
}

int view_kmod_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 2 || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(kmod_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(cmd, "create"))
		return cmd_create(argc - 1, argv + 1);
	if (!strcmp(cmd, "destroy"))
		return cmd_destroy(argc - 1, argv + 1);
	if (!strcmp(cmd, "resize"))
		return cmd_resize(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 1, argv + 1);
	view_error("kmod", cmd, "unknown command (create, destroy, resize, list, export; see view kmod --help)");
	return 2;
}
