/* SPDX-License-Identifier: MIT */
/*
 * `view seal`: add seals to a buffer (a file on viewfs, a viewdev node
 * /dev/view/NAME, a memfd through /proc/PID/fd/N), or print them.  What
 * the seals mean is libview's (view.h, "Seals"); this file only turns
 * options into VW_SEAL_* bits and errors into one line.
 */
#include "view.h"
#include "kmod.h"
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char view_seal_usage[] =
"Usage: view seal PATH [--write] [--shrink] [--grow] [--all]\n"
"\n"
"Add seals to the buffer PATH (a file on viewfs, a viewdev node\n"
"/dev/view/NAME, or a memfd), which then bind every user, root included;\n"
"seals are never removed.  Without a seal option, print the current\n"
"seals as one line, the text of the user.view.seals attribute\n"
"(\"write,shrink,grow\", only those set; an empty line when none).\n"
"Only the file's owner or root may add seals.\n"
"\n"
"  --write             no more writes: opens for writing, write, truncate,\n"
"                      fallocate, writable shared mmap and changes of the\n"
"                      view metadata fail with EPERM.  Refused (EBUSY)\n"
"                      while the buffer is open for writing or mapped\n"
"                      writable.\n"
"  --shrink            the size never gets smaller (no SIGBUS in mappings)\n"
"  --grow              the size never gets larger (viewfs: also no open\n"
"                      for writing, and EBUSY while there is one)\n"
"  --all               --write --shrink --grow\n";

/* Why adding seals failed, in the words of view.h's rules. */
static const char *add_failure(int rc)
{
	switch (rc) {
	case -EBUSY:
		return "the buffer is open for writing or mapped writable (EBUSY)";
	case -EPERM:
		return "only the file's owner or root may add seals, and a memfd must allow sealing (EPERM)";
	case -ENOTSUP:
		return "not a file on viewfs, a viewdev node or a memfd: no seals here (ENOTSUP)";
	default:
		return strerror(-rc);
	}
}

int view_seal_main(int argc, char **argv)
{
	char text[VW_SEALS_TEXT_MAX];
	const char *path = NULL;
	unsigned add = 0;
	int fd, rc, asked = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help")) {
			fputs(view_seal_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--write")) {
			add |= VW_SEAL_WRITE;
		} else if (!strcmp(a, "--shrink")) {
			add |= VW_SEAL_SHRINK;
		} else if (!strcmp(a, "--grow")) {
			add |= VW_SEAL_GROW;
		} else if (!strcmp(a, "--all")) {
			add |= VW_SEAL_ALL;
		} else if (a[0] == '-' && a[1] && !path) {
			view_error("seal:", a, "unknown option (see view seal --help)");
			return 2;
		} else if (a[0] == '-' && a[1]) {
			view_error("seal:", path, "unknown option '%s' (see view seal --help)", a);
			return 2;
		} else if (path) {
			view_error("seal:", path, "one PATH only, got also '%s'", a);
			return 2;
		} else {
			path = a;
			continue;
		}
		asked = 1;
	}
	if (!path) {
		view_error("seal:", "PATH", "missing (see view seal --help)");
		return 2;
	}
	/* read-only: a writable open would itself block the write seal */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		view_error("seal:", path, "cannot open: %s", strerror(errno));
		return 1;
	}
	if (asked) {
		rc = vw_seal_add(fd, add);
		close(fd);
		if (rc) {
			vw_seals_format(add, text, sizeof(text));
			view_error("seal:", path, "cannot add seals %s: %s", text, add_failure(rc));
			return 1;
		}
		return 0;
	}
	rc = vw_seals(fd, &add);
	close(fd);
	if (!rc)
		rc = vw_seals_format(add, text, sizeof(text));
	if (rc < 0) {
		view_error("seal:", path, "cannot read the seals: %s",
			 rc == -ENOTSUP ? add_failure(rc) : strerror(-rc));
		return 1;
	}
	if (printf("%s\n", text) < 0 || fflush(stdout)) {
		view_error("seal:", path, "write error");
		return 1;
	}
	return 0;
}
