/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: viewfs's extended-attribute handlers (fuse/xattr.c, with
 * the xattr accounting of fuse/space.c, the seals of fuse/seal.c and the
 * messages of fuse/log.c,
 * which go to stderr, rate-limited), called as libfuse calls them on a
 * real file and directory of a tmpfs store (/dev/shm), with the few
 * daemon functions they use stubbed below (replies are recorded).
 * Input: byte 0 the operation (set, get, list, remove) and target (file
 * or directory), byte 1 setxattr flags, bytes 2-3 the file's size, then
 * "name\0value".  Promises checked after every call:
 *  - the reply is an errno the VFS may give (never ENOSYS, which would
 *    switch xattrs off for the mount) or the data asked for;
 *  - the stored user.view.format/user.view.shape pair passes vw_meta_check
 *    for the file's size right after a successful set;
 *  - listxattr shows only user.* names;
 *  - user.view.seals, when stored, is vw_seals_format's text of what
 *    vw_seals_parse reads from it (only fuse/seal.c writes it);
 *  - the charged xattr bytes equal the cost of what is stored (name +
 *    value + 64 per attribute) and never exceed max_xattr_bytes.
 * The store is emptied before each input, so every input is reproducible.
 */
#include "viewfs.h"
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vwfs fs;
static struct vwfs_inode file_in, dir_in;
static char store[] = "/dev/shm/viewfs-fuzz-xattr.XXXXXX";
static struct fuse_ctx ctx;
static int replied, reply_err;
static size_t reply_len;
static char reply_buf[1 << 17];

/* ---- what libfuse and the rest of the daemon provide ---------------- */

int fuse_reply_err(fuse_req_t req, int err)
{
	(void)req;
	replied++;
	reply_err = err;
	return 0;
}

int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size)
{
	(void)req;
	replied++;
	reply_err = 0;
	FUZZ_ASSERT(size <= sizeof(reply_buf));
	memcpy(reply_buf, buf, size);
	reply_len = size;
	return 0;
}

int fuse_reply_xattr(fuse_req_t req, size_t count)
{
	(void)req;
	replied++;
	reply_err = 0;
	reply_len = count;
	return 0;
}

void *fuse_req_userdata(fuse_req_t req)
{
	(void)req;
	return &fs;
}

const struct fuse_ctx *fuse_req_ctx(fuse_req_t req)
{
	(void)req;
	return &ctx;
}

struct vwfs_inode *vwfs_inode(fuse_req_t req, fuse_ino_t ino)
{
	(void)req;
	return (struct vwfs_inode *)(uintptr_t)ino;
}

int vwfs_inode_fd(struct vwfs *f, struct vwfs_inode *in, int flags)
{
	int fd = fcntl(in->path_fd, F_DUPFD_CLOEXEC, 0);

	(void)f;
	(void)flags;	/* O_PATH is all xattr.c asks for */
	return fd < 0 ? -errno : fd;
}

void vwfs_inode_fd_done(struct vwfs_inode *in, int fd)
{
	(void)in;
	if (fd >= 0)
		close(fd);
}

int vwfs_proc_path(int fd, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/fd/%d", fd) >= (int)len ? -ENAMETOOLONG : 0;
}

struct vwfs_inode *vwfs_inode_find(struct vwfs *f, dev_t dev, ino_t ino)
{
	(void)f; (void)dev; (void)ino;
	return NULL;
}

void vwfs_inode_put(struct vwfs *f, struct vwfs_inode *in, uint64_t n)
{
	(void)f; (void)in; (void)n;
}

/* ---- the target ------------------------------------------------------ */

static uint64_t stored_cost(const char *path)
{
	char list[1 << 16];
	ssize_t n = listxattr(path, list, sizeof(list));
	uint64_t sum = 0;

	FUZZ_ASSERT(n >= 0);
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
		ssize_t v = getxattr(path, list + i, NULL, 0);

		if (!strncmp(list + i, "user.", 5) && v >= 0)
			sum += strlen(list + i) + (uint64_t)v + 64;
	}
	return sum;
}

static void clear_xattrs(const char *path)
{
	char list[1 << 16];
	ssize_t n = listxattr(path, list, sizeof(list));

	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
		removexattr(path, list + i);
}

static char *read_attr(const char *path, const char *name)
{
	static char buf[2][8192];
	static int k;
	char *b = buf[k ^= 1];
	ssize_t n = getxattr(path, name, b, sizeof(buf[0]) - 1);

	if (n < 0)
		return NULL;
	b[n] = '\0';
	return b;
}

static void setup(void)
{
	char p[128];
	int fd;

	FUZZ_ASSERT(mkdtemp(store));
	snprintf(p, sizeof(p), "%s/f", store);
	fd = open(p, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	FUZZ_ASSERT(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/d", store);
	FUZZ_ASSERT(mkdir(p, 0755) == 0);
	fs.store_kind = VWFS_STORE_TMPFS;
	fs.root.path_fd = open(store, O_PATH | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(fs.root.path_fd >= 0);
	snprintf(p, sizeof(p), "%s/f", store);
	file_in.path_fd = open(p, O_PATH | O_CLOEXEC);
	file_in.type = S_IFREG;
	pthread_mutex_init(&file_in.lock, NULL);
	snprintf(p, sizeof(p), "%s/d", store);
	dir_in.path_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	dir_in.type = S_IFDIR;
	pthread_mutex_init(&dir_in.lock, NULL);
	FUZZ_ASSERT(file_in.path_fd >= 0 && dir_in.path_fd >= 0);
	vwfs_space_init(&fs);
	vwfs_log_limit_init(&fs);
	FUZZ_ASSERT(vwfs_space_configure(&fs, "off", "16k") == 0);
}

static void cleanup(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char fpath[128], dpath[128], *name, *value;
	struct vwfs_inode *in;
	size_t nlen, vlen;
	unsigned op;
	int flags;
	off_t fsize;

	if (!ready) {
		setup();
		atexit(cleanup);
		ready = 1;
	}
	if (size < 4)
		return 0;
	snprintf(fpath, sizeof(fpath), "%s/f", store);
	snprintf(dpath, sizeof(dpath), "%s/d", store);
	/* a fresh store: no attributes, nothing charged */
	clear_xattrs(fpath);
	clear_xattrs(dpath);
	vwfs_space_fini(&fs);
	vwfs_space_init(&fs);
	vwfs_log_limit_init(&fs);
	FUZZ_ASSERT(vwfs_space_configure(&fs, "off", "16k") == 0);
	atomic_store(&file_in.seals, 0);	/* the cache of what was cleared */
	atomic_store(&dir_in.seals, 0);

	op = data[0];
	flags = data[1] % 4;	/* 0, XATTR_CREATE, XATTR_REPLACE, both */
	fsize = (off_t)(data[2] | data[3] << 8);
	FUZZ_ASSERT(truncate(fpath, fsize) == 0);
	in = (op & 0x10) ? &dir_in : &file_in;
	data += 4;
	size -= 4;
	name = malloc(size + 1);
	FUZZ_ASSERT(name);
	memcpy(name, data, size);
	name[size] = '\0';
	nlen = strlen(name);
	value = name + (nlen < size ? nlen + 1 : size);
	vlen = nlen < size ? size - nlen - 1 : 0;

	/* twice: the second call sees what the first stored */
	for (int round = 0; round < 2; round++) {
		replied = 0;
		switch (op & 3) {
		case 0:
			vwfs_op_setxattr((fuse_req_t)&fs, (fuse_ino_t)(uintptr_t)in,
					name, value, vlen, flags);
			break;
		case 1:
			vwfs_op_getxattr((fuse_req_t)&fs, (fuse_ino_t)(uintptr_t)in,
					name, round ? sizeof(reply_buf) : 0);
			break;
		case 2:
			vwfs_op_listxattr((fuse_req_t)&fs, (fuse_ino_t)(uintptr_t)in,
					 round ? sizeof(reply_buf) : 0);
			break;
		default:
			vwfs_op_removexattr((fuse_req_t)&fs, (fuse_ino_t)(uintptr_t)in, name);
			break;
		}
		FUZZ_ASSERT(replied == 1);
		FUZZ_ASSERT(reply_err != ENOSYS);
		FUZZ_ASSERT(reply_err >= 0 && reply_err < 4096);
		if ((op & 3) == 2 && round && !reply_err)
			for (size_t i = 0; i < reply_len; i += strlen(reply_buf + i) + 1)
				FUZZ_ASSERT(!strncmp(reply_buf + i, "user.", 5));
		if ((op & 3) == 0 && !reply_err && in == &file_in) {
			const char *f = read_attr(fpath, "user.view.format");
			const char *s = read_attr(fpath, "user.view.shape");

			FUZZ_ASSERT(vw_meta_check(f, s, (uint64_t)fsize, NULL) == 0);
		}
		{
			const char *t = read_attr(fpath, VW_SEALS_XATTR);
			char canon[VW_SEALS_TEXT_MAX];
			unsigned seals;

			FUZZ_ASSERT(!read_attr(dpath, VW_SEALS_XATTR));
			if (t) {
				FUZZ_ASSERT(vw_seals_parse(t, strlen(t), &seals) == 0);
				FUZZ_ASSERT(vw_seals_format(seals, canon, sizeof(canon)) > 0);
				FUZZ_ASSERT(!strcmp(canon, t));
			}
		}
		FUZZ_ASSERT(vwfs_space_xattr_bytes(&fs) == stored_cost(fpath) + stored_cost(dpath));
		FUZZ_ASSERT(vwfs_space_xattr_bytes(&fs) <= 16384);
		/* a first set of a name, then a second value of it */
		if ((op & 3) == 0 && vlen)
			value[0] ^= 1;
	}
	free(name);
	return 0;
}
