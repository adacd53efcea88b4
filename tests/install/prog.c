/* A libview client as a user writes one: built by tests/install/run.sh
 * against the installed tree with `pkg-config --cflags --libs libview`
 * (dynamically, and statically against libview.a).
 * usage: prog FILE  (FILE holds the bytes 0..11) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <view.h>

int main(int argc, char **argv)
{
	struct vw_view v, c, s;
	struct vw_index ix[2];
	struct vw_error err;
	ssize_t shape[2] = { 2, 3 };
	int n, rc;

	if (argc != 2)
		return 2;
	rc = vw_open(&v, "/nonexistent/libview-prog", VW_RDONLY, &err);
	if (rc != -ENOENT || err.code != -ENOENT || !strstr(err.msg, "nonexistent")) {
		fprintf(stderr, "prog: vw_open of a missing file gave %d '%s'\n", rc, err.msg);
		return 1;
	}
	if (vw_open(&v, argv[1], VW_RDONLY, &err) < 0 ||
	    vw_cast(&c, &v, "H", 2, shape, &err) < 0 ||
	    (n = vw_parse_index("::-1,1:", ix, 2, &err)) < 0 ||
	    vw_slice(&s, &c, ix, n, &err) < 0) {
		fprintf(stderr, "prog: %s\n", err.msg);
		return 1;
	}
	vw_release(&v);
	vw_release(&c);
	if (vw_map_refs(&s) != 1)
		return 1;
	if (vw_tolist(&s, stdout, &err) < 0)
		return 1;
	putchar('\n');
	vw_release(&s);
	return 0;
}
