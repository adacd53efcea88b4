/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the format parser (vw_format_parse), the first thing every
 * user.view.format xattr, --cast and --format goes through.  Promises
 * checked: an accepted format has one of the documented codes, a size of
 * 1, 2, 4 or 8 and parses again to the same result; a refusal is -EINVAL
 * with a one-line message.
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct vw_format f, g;
	struct vw_error err;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = vw_format_parse(s, &f, &err);
	if (ret < 0) {
		fuzz_check_err(ret, &err);
		FUZZ_ASSERT(ret == -EINVAL);
	} else {
		FUZZ_ASSERT(ret == 0);
		FUZZ_ASSERT(strlen(s) < VW_FORMAT_MAX);
		FUZZ_ASSERT(f.code && strchr("cbBhHiIlLqQnNfde?P", f.code));
		FUZZ_ASSERT(f.itemsize == 1 || f.itemsize == 2 ||
			    f.itemsize == 4 || f.itemsize == 8);
		FUZZ_ASSERT(strchr("@<>=!", f.order));
		FUZZ_ASSERT(vw_format_parse(s, &g, NULL) == 0);
		FUZZ_ASSERT(f.code == g.code && f.order == g.order &&
			    f.native == g.native && f.swap == g.swap &&
			    f.itemsize == g.itemsize && f.kind == g.kind);
	}
	free(s);
	return 0;
}
