#!/usr/bin/python3
"""Concurrent churn on a viewfs mount: many client processes doing lookup,
create, write, read, rename, link, unlink, setattr, xattrs, readdir and
mmap on a shared set of names, so that the daemon's threads race on the
same inodes.  Errors a racing file system legitimately gives (ENOENT,
EEXIST, ENOTEMPTY, ...) are expected; anything else is counted as a
failure and printed.

usage: churn.py MNT CLIENTS OPS_PER_CLIENT NAMES SEED [--create-only]
  --create-only: each client only creates (and closes) OPS new empty
  files of its own, then removes them (the 100k-file churn of the
  descriptor/RSS test).
Output: one line "churn: N operations, E expected errors, F unexpected".
Exit 1 if any unexpected error or a client died.
"""
import errno
import mmap
import os
import random
import sys

EXPECTED = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR,
            errno.EISDIR, errno.ENODATA, errno.EXDEV, errno.EINVAL,
            errno.EBUSY, errno.ESTALE}


def client(mnt, ops, names, seed, out):
    r = random.Random(seed)
    dirs = [os.path.join(mnt, "d%d" % i) for i in range(4)]
    done = expected = 0
    bad = []
    for _ in range(ops):
        p = os.path.join(r.choice(dirs), "n%d" % r.randrange(names))
        q = os.path.join(r.choice(dirs), "n%d" % r.randrange(names))
        k = r.randrange(14)
        try:
            if k == 0:
                fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
                os.pwrite(fd, os.urandom(r.randrange(1, 9000)), r.randrange(0, 8192))
                os.close(fd)
            elif k == 1:
                with open(p, "rb") as f:
                    f.read()
            elif k == 2:
                os.rename(p, q)
            elif k == 3:
                os.unlink(p)
            elif k == 4:
                os.link(p, q)
            elif k == 5:
                os.truncate(p, r.randrange(0, 20000))
            elif k == 6:
                os.chmod(p, r.choice([0o600, 0o644, 0o664]))
            elif k == 7:
                os.utime(p, (r.randrange(1 << 30), r.randrange(1 << 30)))
            elif k == 8:
                os.setxattr(p, "user.k%d" % r.randrange(4), os.urandom(r.randrange(1, 64)))
            elif k == 9:
                os.listxattr(p)
                os.getxattr(p, "user.k0")
            elif k == 10:
                os.listdir(os.path.dirname(p))
            elif k == 11:
                os.stat(p)
            elif k == 12:
                fd = os.open(p, os.O_RDWR)
                try:
                    size = os.fstat(fd).st_size
                    if size:
                        m = mmap.mmap(fd, size)
                        m[0:1] = b"x"
                        m.flush()
                        m.close()
                finally:
                    os.close(fd)
            else:
                d = os.path.join(os.path.dirname(p), "sub%d" % r.randrange(3))
                if r.random() < 0.5:
                    os.mkdir(d)
                else:
                    os.rmdir(d)
            done += 1
        except OSError as e:
            if e.errno in EXPECTED:
                expected += 1
            else:
                bad.append("%s on %s: %s" % (k, p, e))
        except ValueError as e:
            if "mmap length is greater than file size" in str(e):
                expected += 1  # truncated by another client since fstat
            else:
                bad.append("%s on %s: %r" % (k, p, e))
    os.write(out, ("%d %d %d\n" % (done, expected, len(bad))).encode())
    for b in bad[:5]:
        os.write(out, ("  " + b + "\n").encode())


def creator(mnt, ops, seed, out):
    d = os.path.join(mnt, "c%d" % seed)
    os.mkdir(d)
    bad = []
    for i in range(ops):
        try:
            os.close(os.open(os.path.join(d, "f%d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
        except OSError as e:
            bad.append("create f%d: %s" % (i, e))
            if len(bad) > 5:
                break
    for i in range(ops):
        try:
            os.unlink(os.path.join(d, "f%d" % i))
        except OSError as e:
            bad.append("unlink f%d: %s" % (i, e))
            if len(bad) > 10:
                break
    os.rmdir(d)
    os.write(out, ("%d 0 %d\n" % (2 * ops, len(bad))).encode())
    for b in bad[:5]:
        os.write(out, ("  " + b + "\n").encode())


def main():
    mnt = sys.argv[1]
    nclients, ops, names, seed = (int(x) for x in sys.argv[2:6])
    create_only = "--create-only" in sys.argv[6:]
    for i in range(4):
        os.makedirs(os.path.join(mnt, "d%d" % i), exist_ok=True)
    rfd, wfd = os.pipe()
    kids = []
    for c in range(nclients):
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            try:
                if create_only:
                    creator(mnt, ops, seed * 1000 + c, wfd)
                else:
                    client(mnt, ops, names, seed * 1000 + c, wfd)
            finally:
                os._exit(0)
        kids.append(pid)
    os.close(wfd)
    text = b""
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        text += chunk
    died = 0
    for pid in kids:
        _, st = os.waitpid(pid, 0)
        if not os.WIFEXITED(st) or os.WEXITSTATUS(st):
            died += 1
    done = expected = bad = reports = 0
    details = []
    for line in text.decode().splitlines():
        if line.startswith("  "):
            details.append(line)
            continue
        a, b, c = (int(x) for x in line.split())
        done += a
        expected += b
        bad += c
        reports += 1
    print("churn: %d operations, %d expected errors, %d unexpected, %d clients died" %
          (done, expected, bad, died + nclients - reports))
    for d in details[:10]:
        print(d)
    return 1 if bad or died or reports != nclients else 0


if __name__ == "__main__":
    sys.exit(main())
