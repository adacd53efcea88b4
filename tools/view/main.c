/* SPDX-License-Identifier: MIT */
/*
 * view — the command line on libview: `view show`, `view set`, `view
 * seal` (tools/view/seal.c) and `view kmod` (the viewdev control node,
 * tools/view/kmod.c).  The exact
 * contract of show/set is ../shared/VIEW-CLI.md: options apply left to
 * right to a view of the whole file; any error prints one line on stderr,
 * exits non-zero and leaves the file untouched (libview turns a SIGBUS in
 * its accesses into -EFAULT and populates the pages a write will touch
 * before writing any: view.h, "Faults in the mapping").
 */
#include "view.h"
#include "kmod.h"
#include "seal.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VIEW_VERSION
#error "VIEW_VERSION comes from the top-level VERSION file (Makefile)"
#endif


static const char usage_text[] =
"Usage: view show PATH [OPTION...] OUTPUT\n"
"       view set  PATH [OPTION...] --value LITERAL\n"
"       view seal PATH [--write] [--shrink] [--grow] [--all]\n"
"       view kmod COMMAND ...        (see `view kmod --help`)\n"
"       view --help | --version\n"
"\n"
"Look at a file (or a viewdev node /dev/view/NAME) through a typed,\n"
"zero-copy view, as Python's memoryview and NumPy's strided arrays do.\n"
"The file is memory-mapped; nothing is copied until the output is made.\n"
"\n"
"The view starts as a 1-D view of format 'B' over every byte (an empty\n"
"file gives shape [0]).  If the file carries user.view.format and\n"
"user.view.shape extended attributes (viewdev: the sysfs attributes), it\n"
"starts as the typed view they describe, unless --raw is given.\n"
"\n"
"OPTIONS (applied left to right; an option's argument is the next\n"
"argument even if it starts with '-')\n"
"  --raw               start from the raw bytes, ignoring metadata\n"
"  --offset N          m[N:]  (N decimal >= 0, clamped); 1-D B/b/c views\n"
"  --length N          m[:N]  (N decimal >= 0, clamped); 1-D B/b/c views\n"
"  --cast FMT[:D0,D1,...]\n"
"                      memoryview.cast(FMT[, shape]) with its rules: the\n"
"                      view must be C-contiguous, one side a byte format\n"
"                      (B b c), 1-D -> N-D or N-D -> 1-D.  FMT is one of\n"
"                      c b B h H i I l L q Q n N f d e ? P, optionally\n"
"                      prefixed by '@'; '<' '>' '=' '!' prefixes (standard\n"
"                      sizes) are an extension.  'FMT:' casts to 0-d.\n"
"  --slice EXPR        NumPy basic indexing of the leading dimensions:\n"
"                      comma-separated integers (remove the dimension;\n"
"                      negative counts from the end) and start:stop[:step]\n"
"                      slices (keep it), e.g. --slice 1:5:2,-1\n"
"  --transpose[=P0,P1,...]\n"
"                      permute the axes (NumPy a.transpose(P)); without\n"
"                      '=' the axes are reversed\n"
"  --readonly          memoryview.toreadonly()\n"
"\n"
"OUTPUT (show; exactly one, last)\n"
"  --tolist            repr(m.tolist()): nested lists, ints, floats as\n"
"                      Python's repr (nan, inf, -0.0), True/False, b'x'\n"
"  --info              one JSON object: format, itemsize, ndim, shape,\n"
"                      strides, nbytes, readonly, c_contiguous,\n"
"                      f_contiguous, contiguous, and the file's seals\n"
"                      (\"seals\": [\"write\", ...], see view seal)\n"
"  --hex[=SEP[,N]]     m.hex() or m.hex(SEP, N); N > 0 groups N bytes from\n"
"                      the right, N < 0 from the left\n"
"  --tobytes[=C|F|A]   m.tobytes(order): raw bytes on stdout (default C)\n"
"\n"
"VALUE (set; last)\n"
"  --value LITERAL     a Python literal written as m[...] = LITERAL:\n"
"                      a 0-d view takes one element; an N-D view a nested\n"
"                      list of exactly its shape, a bytes literal (a 1-D\n"
"                      'B' view: one byte per element; any view: exactly\n"
"                      nbytes raw bytes) or a scalar broadcast to every\n"
"                      element.  Ints, floats (nan, inf, -inf), True,\n"
"                      False, b'...' and lists.  Every element is\n"
"                      converted before any is written.\n"
"\n"
"SEAL (view seal PATH; see `view seal --help`)\n"
"  --write, --shrink, --grow, --all\n"
"                      add those seals to a viewfs file, viewdev node or\n"
"                      memfd (never removed; they bind root too); with\n"
"                      none, print the current seals (\"write,shrink\")\n"
"\n"
"EXIT STATUS\n"
"  0 success; 1 error (one line on stderr, the file unchanged);\n"
"  2 usage error.  A page the file no longer has (another process\n"
"  truncated it) or has no room for (a full store) is such an error, not\n"
"  a crash: set checks every page it will write before the first byte;\n"
"  show may have printed part of its output when the file shrinks under\n"
"  it.\n"
"\n"
"EXAMPLES\n"
"  printf XYZ > f; view set f --slice 2 --value 74; cat f      # XYJ\n"
"  view show f --cast H:3,2 --transpose --slice ::-1 --tolist\n"
"  view show mnt/frame --slice 0:2,::1024,0 --tolist\n";

static const char *prog_path = "";

static void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	view_verror(*prog_path ? prog_path : NULL, NULL, fmt, ap);
	va_end(ap);
	exit(code);
}

void view_verror(const char *a, const char *b, const char *fmt, va_list ap)
{
	char msg[2048];
	int n = snprintf(msg, sizeof(msg), "view: %s%s%s%s", a ? a : "",
			 a && b ? " " : "", b ? b : "", a || b ? ": " : "");

	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	view_put_line(stderr, msg);
}

void view_error(const char *a, const char *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	view_verror(a, b, fmt, ap);
	va_end(ap);
}

void view_put_line(FILE *f, const char *msg)
{
	/* one line whatever the user's input held: escape control characters */
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

/* Decimal N >= 0 (digits only), saturating as Python's slice indices. */
static ssize_t parse_count(const char *opt, const char *s)
{
	ssize_t v = 0;

	if (!*s)
		die(1, "%s: expected a decimal number >= 0, got ''", opt);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			die(1, "%s: expected a decimal number >= 0, got '%s'",
			    opt, s);
		if (v > (SSIZE_MAX - (*p - '0')) / 10)
			v = SSIZE_MAX;
		else
			v = v * 10 + (*p - '0');
	}
	return v;
}

static int is_byte_format(const char *f)
{
	if (*f == '@')
		f++;
	return (f[0] == 'B' || f[0] == 'b' || f[0] == 'c') && !f[1];
}

/*
 * The options that shape the view: a table of handlers, one an option.
 * cmd_view records them in the order given and applies them left to right
 * once the file is open.  A handler returns libview's code (its message in
 * err); an argument that breaks the option's own syntax dies at once.
 */
struct op;
enum op_arg {
	OP_ARG_NONE,		/* --readonly */
	OP_ARG_NEXT,		/* --slice EXPR: the next argument, even "-1" */
	OP_ARG_EQ,		/* --transpose[=P]: optional, after '=' */
};

struct view_opt {
	const char *name;
	enum op_arg arg;
	int (*run)(struct vw_view *v, const struct op *op,
		   struct vw_error *err);
};

struct op {
	const struct view_opt *opt;
	const char *arg;	/* NULL when the option was given none */
};

/* --offset N and --length N: m[N:] and m[:N] of a 1-D byte view. */
static int op_bound(struct vw_view *v, const struct op *op, int is_stop,
		    struct vw_error *err)
{
	struct vw_index ix = { .is_slice = 1 };
	ssize_t n = parse_count(op->opt->name, op->arg);

	if (v->ndim != 1 || !is_byte_format(v->format))
		die(1, "%s needs a 1-D view of format B, b or c (the view is %d-D of format '%s')",
		    op->opt->name, v->ndim, v->format);
	if (is_stop) {
		ix.has_stop = 1;
		ix.stop = n;
	} else {
		ix.has_start = 1;
		ix.start = n;
	}
	return vw_slice(v, v, &ix, 1, err);
}

static int op_offset(struct vw_view *v, const struct op *op,
		     struct vw_error *err)
{
	return op_bound(v, op, 0, err);
}

static int op_length(struct vw_view *v, const struct op *op,
		     struct vw_error *err)
{
	return op_bound(v, op, 1, err);
}

/* --cast FMT[:D0,D1,...] */
static int op_cast(struct vw_view *v, const struct op *op,
		   struct vw_error *err)
{
	char fmt[64];
	ssize_t shape[VW_MAXDIM];
	const char *colon = strchr(op->arg, ':');
	size_t fl = colon ? (size_t)(colon - op->arg) : strlen(op->arg);
	int ndim = 0;

	if (fl >= sizeof(fmt))
		die(1, "--cast: format '%s' is too long", op->arg);
	memcpy(fmt, op->arg, fl);
	fmt[fl] = 0;
	if (colon) {
		ndim = vw_shape_parse(colon + 1, shape, VW_MAXDIM, err);
		if (ndim < 0)
			die(1, "--cast %s: %s", op->arg, err->msg);
	}
	return vw_cast(v, v, fmt, ndim, colon ? shape : NULL, err);
}

/* --slice EXPR */
static int op_slice(struct vw_view *v, const struct op *op,
		    struct vw_error *err)
{
	struct vw_index ix[VW_MAXDIM];
	int n = vw_parse_index(op->arg, ix, VW_MAXDIM, err);

	if (n < 0)
		die(1, "--slice: %s", err->msg);
	return vw_slice(v, v, ix, n, err);
}

/* --transpose[=P0,P1,...]: without '=' the axes are reversed. */
static int op_transpose(struct vw_view *v, const struct op *op,
			struct vw_error *err)
{
	int perm[VW_MAXDIM], n = 0;
	const char *p = op->arg;

	if (p && *p) {
		for (;;) {
			char *end;
			long a;

			if (n >= VW_MAXDIM)
				die(1, "--transpose=%s: too many axes", op->arg);
			errno = 0;
			a = strtol(p, &end, 10);
			if (end == p || errno || a < INT_MIN || a > INT_MAX ||
			    (*end && *end != ','))
				die(1, "--transpose=%s: expected comma-separated axis numbers",
				    op->arg);
			perm[n++] = (int)a;
			if (!*end)
				break;
			p = end + 1;
		}
	}
	return vw_transpose(v, v, op->arg ? perm : NULL, n, err);
}

/* --readonly */
static int op_readonly(struct vw_view *v, const struct op *op,
		       struct vw_error *err)
{
	(void)op;
	return vw_toreadonly(v, v, err);
}

static const struct view_opt view_opts[] = {
	{ "--offset", OP_ARG_NEXT, op_offset },
	{ "--length", OP_ARG_NEXT, op_length },
	{ "--cast", OP_ARG_NEXT, op_cast },
	{ "--slice", OP_ARG_NEXT, op_slice },
	{ "--transpose", OP_ARG_EQ, op_transpose },
	{ "--readonly", OP_ARG_NONE, op_readonly },
};

/* The view option argument a names, or NULL; *eq is its "=ARG" part
 * (OP_ARG_EQ options only; NULL when there is none). */
static const struct view_opt *find_view_opt(const char *a, const char **eq)
{
	*eq = NULL;
	for (size_t k = 0; k < sizeof(view_opts) / sizeof(view_opts[0]); k++) {
		const struct view_opt *o = &view_opts[k];
		size_t n = strlen(o->name);

		if (strncmp(a, o->name, n))
			continue;
		if (!a[n])
			return o;
		if (o->arg == OP_ARG_EQ && a[n] == '=') {
			*eq = a + n + 1;
			return o;
		}
	}
	return NULL;
}

static void apply(struct vw_view *v, const struct op *op)
{
	struct vw_error err = { 0 };
	int rc = op->opt->run(v, op, &err);

	if (rc)
		die(1, "%s%s%s: %s", op->opt->name, op->arg ? " " : "",
		    op->arg ? op->arg : "", err.msg);
}

static int write_all(const void *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/*
 * The --info member "seals" (after VIEW-CLI.md's members, at the end): the
 * words of the file's seals in view seal's order; [] where the file has
 * none or cannot have any (not viewfs, viewdev or a memfd).
 */
static int put_seals_member(const char *path)
{
	char text[VW_SEALS_TEXT_MAX], *w, *save = NULL;
	unsigned seals = 0;
	int fd, rc, first = 1;

	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = vw_seals(fd, &seals);
	close(fd);
	if (rc == -ENOTSUP)
		seals = 0;
	else if (rc)
		return rc;
	if (vw_seals_format(seals, text, sizeof(text)) < 0)
		return -EINVAL;
	fputs(", \"seals\": [", stdout);
	for (w = strtok_r(text, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		printf("%s\"%s\"", first ? "" : ", ", w);
		first = 0;
	}
	fputs("]}", stdout);
	return 0;
}

/* vw_info_json's object with the "seals" member added at its end. */
static int info_with_seals(const struct vw_view *v, const char *path,
			   struct vw_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc;

	if (!mem) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	rc = vw_info_json(v, mem, err);
	if (fclose(mem) && !rc) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		rc = -ENOMEM;
	}
	if (!rc && (len < 2 || buf[len - 1] != '}'))
		rc = -EIO;
	if (!rc && fwrite(buf, 1, len - 1, stdout) != len - 1)
		rc = -EIO;
	free(buf);
	if (!rc) {
		rc = put_seals_member(path);
		if (rc && rc != -EIO) {
			snprintf(err->msg, sizeof(err->msg), "cannot read the seals: %s",
				 strerror(-rc));
			rc = -EINVAL;
		}
	}
	return rc;
}

static void output(const struct vw_view *v, const char *out, const char *path)
{
	struct vw_error err = { 0 };
	int rc = 0;

	if (!strcmp(out, "--tolist")) {
		rc = vw_tolist(v, stdout, &err);
		if (!rc && putchar('\n') == EOF)
			rc = -EIO;
	} else if (!strcmp(out, "--info")) {
		rc = info_with_seals(v, path, &err);
		if (!rc && putchar('\n') == EOF)
			rc = -EIO;
	} else if (!strncmp(out, "--hex", 5) && (!out[5] || out[5] == '=')) {
		char sep = 0;
		long n = 1;

		if (out[5] == '=') {
			const char *a = out + 6;

			if (!*a)
				die(1, "--hex=: the separator must be one character");
			if ((unsigned char)*a >= 0x80)
				die(1, "--hex=%s: the separator must be ASCII", a);
			sep = *a;
			if (a[1]) {
				char *end;

				if (a[1] != ',')
					die(1, "--hex=%s: the separator must be one character (then ',N')",
					    a);
				errno = 0;
				n = strtol(a + 2, &end, 10);
				if (end == a + 2 || *end || errno || n < INT_MIN ||
				    n > INT_MAX)
					die(1, "--hex=%s: bytes per separator must be an integer",
					    a);
			}
		}
		rc = vw_hex(v, sep, (int)n, stdout, &err);
		if (!rc && putchar('\n') == EOF)
			rc = -EIO;
	} else if (!strncmp(out, "--tobytes", 9) &&
		   (!out[9] || out[9] == '=')) {
		char order = 'C';
		void *buf;

		if (out[9] == '=') {
			if (strlen(out + 10) != 1 || !strchr("CFA", out[10]))
				die(1, "--tobytes=%s: order must be C, F or A",
				    out + 10);
			order = out[10];
		}
		if (v->len == 0)
			return;
		buf = malloc((size_t)v->len);
		if (!buf)
			die(1, "out of memory for %zd bytes", v->len);
		rc = vw_tobytes(v, order, buf, (size_t)v->len, &err);
		if (!rc && write_all(buf, (size_t)v->len))
			rc = -EIO;
		free(buf);
	}
	if (!rc && fflush(stdout))
		rc = -EIO;
	if (rc)
		die(1, "%s: %s", out, rc == -EIO ? "write error" : err.msg);
}

static int is_output(const char *a)
{
	return !strcmp(a, "--tolist") || !strcmp(a, "--info") ||
	       (!strncmp(a, "--hex", 5) && (!a[5] || a[5] == '=')) ||
	       (!strncmp(a, "--tobytes", 9) && (!a[9] || a[9] == '='));
}

/* Open PATH for show: read-write where allowed (as a writable mmap's
 * memoryview reports readonly=False), else read-only. */
static void open_view(struct vw_view *v, const char *path, int writable,
		      int raw)
{
	struct vw_error err = { 0 };
	int meta = raw ? VW_NOMETA : 0;
	int rc;

	rc = vw_open(v, path, VW_RDWR | meta, &err);
	if (rc && !writable &&
	    (rc == -EACCES || rc == -EPERM || rc == -EROFS || rc == -ETXTBSY ||
	     rc == -ENODEV))
		rc = vw_open(v, path, VW_RDONLY | meta, &err);
	if (rc == -EINVAL && !raw && !writable) {
		struct vw_view bytes;
		struct vw_error e2 = { 0 };

		/* the file opens without its metadata: say how to see it */
		if (!vw_open(&bytes, path, VW_RDONLY | VW_NOMETA, &e2)) {
			vw_release(&bytes);
			prog_path = "";
			die(1, "%s (--raw shows the bytes)", err.msg);
		}
	}
	if (rc) {
		prog_path = "";	/* libview's message names the path */
		die(1, "%s", err.msg);
	}
}

static int cmd_view(int argc, char **argv, int is_set)
{
	struct op *ops = calloc((size_t)argc, sizeof(*ops));
	const char *out = NULL, *value = NULL;
	struct vw_view v;
	int nops = 0, raw = 0;

	if (!ops)
		die(1, "out of memory");
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		if (argc >= 2) {
			fputs(usage_text, stdout);
			exit(0);
		}
		die(2, "%s: missing PATH (see view --help)", argv[0]);
	}
	prog_path = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		struct op *op = &ops[nops];
		const struct view_opt *o;
		const char *eq;

		if (!strcmp(a, "--raw")) {
			raw = 1;
		} else if ((o = find_view_opt(a, &eq)) != NULL) {
			op->opt = o;
			op->arg = eq;
			if (o->arg == OP_ARG_NEXT) {
				if (i + 1 >= argc)
					die(2, "%s needs an argument", a);
				op->arg = argv[++i];
			}
			nops++;
		} else if (!is_set && is_output(a)) {
			if (i != argc - 1)
				die(2, "%s must be the last argument", a);
			out = a;
		} else if (is_set && !strcmp(a, "--value")) {
			if (i + 1 >= argc)
				die(2, "--value needs a literal");
			if (i + 2 != argc)
				die(2, "--value LITERAL must come last");
			value = argv[++i];
		} else if (!strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		} else {
			die(2, "unknown option '%s' (see view --help)", a);
		}
	}
	if (!is_set && !out)
		die(2, "no OUTPUT given (--tolist, --info, --hex or --tobytes)");
	if (is_set && !value)
		die(2, "no --value LITERAL given");

	open_view(&v, argv[1], is_set, raw);
	for (int i = 0; i < nops; i++)
		apply(&v, &ops[i]);
	free(ops);
	if (is_set) {
		struct vw_literal lit;
		struct vw_error err = { 0 };

		if (vw_literal_parse(value, &lit, &err))
			die(1, "--value: %s", err.msg);
		if (vw_assign(&v, &lit, &err))
			die(1, "--value %s: %s", value, err.msg);
		vw_literal_free(&lit);
	} else {
		output(&v, out, argv[1]);
	}
	vw_release(&v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die(2, "missing command (see view --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("view %s (libview)\n", VIEW_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "show"))
		return cmd_view(argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "set"))
		return cmd_view(argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "seal"))
		return view_seal_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kmod"))
		return view_kmod_main(argc - 1, argv + 1);
	die(2, "unknown command '%s' (see view --help)", argv[1]);
}
