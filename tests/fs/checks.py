#!/usr/bin/python3
"""File-system checks for tests/fs/run.sh that are easier in Python.

    checks.py CHECK DIR [ARGS...]

Each check works inside DIR (a directory on the mount under test), prints
what went wrong and exits 1 on failure, exits 0 on success.  Run with
Debian's /usr/bin/python3 (numpy).
"""
import ctypes
import errno
import mmap
import os
import random
import sys
import threading

from fsutil import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, check, fail, fallocate, libc

AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


def renameat2(a, b, flags):
    libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                               ctypes.c_char_p, ctypes.c_uint]
    r = libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags)
    return 0 if r == 0 else ctypes.get_errno()


def put(path, data):
    with open(path, "wb") as f:
        f.write(data)


def get(path):
    with open(path, "rb") as f:
        return f.read()


def unlink_open(d):
    p = os.path.join(d, "unlinked")
    data = os.urandom(100000)
    put(p, data)
    fd = os.open(p, os.O_RDWR)
    os.unlink(p)
    check(not os.path.exists(p), "name still there after unlink")
    check(os.pread(fd, len(data), 0) == data, "data gone after unlink")
    os.pwrite(fd, b"after", 5)
    check(os.pread(fd, 5, 5) == b"after", "write after unlink not readable")
    check(os.fstat(fd).st_nlink == 0, "nlink %d after unlink" % os.fstat(fd).st_nlink)
    m = mmap.mmap(fd, 0)
    check(m[5:10] == b"after", "mmap of unlinked file differs")
    m.close()
    os.close(fd)


def rename_open(d):
    a, b = os.path.join(d, "ra"), os.path.join(d, "rb")
    put(a, b"new content")
    put(b, b"old content, longer")
    fd = os.open(b, os.O_RDONLY)
    os.rename(a, b)
    check(os.pread(fd, 100, 0) == b"old content, longer",
          "open fd of the replaced file does not keep the old content")
    check(get(b) == b"new content", "renamed path does not show the new file")
    check(not os.path.exists(a), "source still exists after rename")
    os.close(fd)


def rename_flags(d):
    a, b = os.path.join(d, "xa"), os.path.join(d, "xb")
    put(a, b"AAAA")
    put(b, b"BB")
    check(renameat2(a, b, RENAME_NOREPLACE) == errno.EEXIST,
          "RENAME_NOREPLACE over an existing name did not fail with EEXIST")
    check(get(a) == b"AAAA" and get(b) == b"BB", "failed NOREPLACE changed files")
    e = renameat2(a, b, RENAME_EXCHANGE)
    check(e == 0, "RENAME_EXCHANGE failed: %s" % os.strerror(e))
    check(get(a) == b"BB" and get(b) == b"AAAA", "RENAME_EXCHANGE did not swap")
    c = os.path.join(d, "xc")
    check(renameat2(a, c, RENAME_NOREPLACE) == 0, "NOREPLACE to a free name failed")
    check(get(c) == b"BB" and not os.path.exists(a), "NOREPLACE rename wrong")


def readdir_concurrent(d):
    """Entries present for the whole listing appear exactly once while
    other entries are created and removed between getdents calls."""
    sub = os.path.join(d, "rd")
    os.mkdir(sub)
    pad = "x" * 150     # long names: many getdents calls per listing
    stable = set()
    for i in range(600):
        n = "s%04d_%s" % (i, pad)
        open(os.path.join(sub, n), "w").close()
        stable.add(n)
    for i in range(300):
        open(os.path.join(sub, "v%04d_%s" % (i, pad)), "w").close()
    for rnd in range(3):
        seen = []
        k = 0
        with os.scandir(sub) as it:
            for ent in it:
                seen.append(ent.name)
                k += 1
                if k % 50 == 0:   # churn between reads
                    for j in range(10):
                        v = "v%04d_%s" % (random.randrange(300), pad)
                        p = os.path.join(sub, v)
                        if os.path.exists(p):
                            os.unlink(p)
                        else:
                            open(p, "w").close()
        got = [n for n in seen if n.startswith("s")]
        check(len(got) == len(set(got)), "round %d: stable entries repeated" % rnd)
        check(set(got) == stable, "round %d: %d stable entries missing" %
              (rnd, len(stable - set(got))))


class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]


def readdir_seek(d):
    """telldir/seekdir positions stay valid while entries come and go: after
    seeking back, the entries that were listed after that position (and
    still exist) are listed again, none twice."""
    libc.opendir.restype = ctypes.c_void_p
    libc.opendir.argtypes = [ctypes.c_char_p]
    libc.readdir.restype = ctypes.POINTER(Dirent)
    libc.readdir.argtypes = [ctypes.c_void_p]
    libc.telldir.restype = ctypes.c_long
    libc.telldir.argtypes = [ctypes.c_void_p]
    libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
    libc.closedir.argtypes = [ctypes.c_void_p]
    sub = os.path.join(d, "rs")
    os.mkdir(sub)
    pad = "y" * 150
    for i in range(400):
        open(os.path.join(sub, "s%04d_%s" % (i, pad)), "w").close()

    def rest(dp):
        out = []
        while True:
            e = libc.readdir(dp)
            if not e:
                return out
            out.append(e.contents.d_name.decode())
    dp = libc.opendir(sub.encode())
    check(dp, "opendir failed")
    first = []
    for _ in range(150):
        first.append(libc.readdir(dp).contents.d_name.decode())
    pos = libc.telldir(dp)
    after = rest(dp)
    # churn: new names and removed names, none of the listed-after ones
    for i in range(100):
        open(os.path.join(sub, "n%04d_%s" % (i, pad)), "w").close()
    for n in first[-40:]:
        if n.startswith("s"):
            os.unlink(os.path.join(sub, n))
    libc.seekdir(dp, pos)
    again = [n for n in rest(dp) if not n.startswith("n")]
    libc.closedir(dp)
    check(len(again) == len(set(again)), "entries repeated after seekdir")
    check(again == after, "after seekdir back: %d entries, expected the %d listed "
          "after telldir" % (len(again), len(after)))


def numpy_interop(d, view):
    import numpy as np
    import subprocess
    p = os.path.join(d, "np.bin")
    a = np.memmap(p, dtype="<f4", mode="w+", shape=(64, 32))
    a[:] = np.arange(64 * 32, dtype="<f4").reshape(64, 32) / 4
    a.flush()
    with open(p, "rb") as f:
        raw = f.read()
    check(raw == a.tobytes(), "bytes read() differ from numpy.memmap contents")
    b = np.memmap(p, dtype="<f4", mode="r+", shape=(64, 32))
    b[3, 4] = -1.5
    check(a[3, 4] == -1.5, "second numpy.memmap store not seen by the first")
    os.setxattr(p, "user.view.format", b"<f")
    os.setxattr(p, "user.view.shape", b"64,32")
    if view and os.access(view, os.X_OK):
        out = subprocess.run([view, "show", p, "--slice", "3,0:8", "--tolist"],
                             capture_output=True, text=True)
        check(out.returncode == 0, "view show failed: %s" % out.stderr.strip())
        import ast
        check(ast.literal_eval(out.stdout.strip()) == a[3, 0:8].tolist(),
              "view show %s differs from numpy %s" % (out.stdout.strip(),
                                                      a[3, 0:8].tolist()))
    del a, b


def seek_data(d, pages="4k"):
    """pages "4k": a store of 4 KiB pages (huge=never), holes to the page.
    "huge": the default huge=within_size, where the 4 MiB file's pages are
    2 MiB ones (4 KiB where none was free), and data and holes come in
    whole pages, as on a tmpfs mounted huge=within_size."""
    p = os.path.join(d, "sparse")
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, 4 << 20)
    os.pwrite(fd, b"x" * 4096, 2 << 20)
    check(os.lseek(fd, 0, os.SEEK_DATA) == 2 << 20,
          "SEEK_DATA from 0 gave %d" % os.lseek(fd, 0, os.SEEK_DATA))
    holes = [(2 << 20) + 4096] + ([4 << 20] if pages == "huge" else [])
    check(os.lseek(fd, 2 << 20, os.SEEK_HOLE) in holes,
          "SEEK_HOLE after the data gave %d" % os.lseek(fd, 2 << 20, os.SEEK_HOLE))
    check(os.lseek(fd, 0, os.SEEK_END) == 4 << 20, "SEEK_END")
    e = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 << 20, 4096)
    check(e == 0, "punch hole: %s" % os.strerror(e))
    check(os.pread(fd, 4096, 2 << 20) == bytes(4096), "punched range not zero")
    check(os.fstat(fd).st_size == 4 << 20, "punch hole changed the size")
    e = fallocate(fd, FALLOC_FL_KEEP_SIZE, 4 << 20, 8192)
    check(e == 0 and os.fstat(fd).st_size == 4 << 20, "KEEP_SIZE changed the size")
    e = fallocate(fd, 0, 4 << 20, 8192)
    check(e == 0 and os.fstat(fd).st_size == (4 << 20) + 8192,
          "fallocate mode 0 did not extend the file")
    os.close(fd)


def copy_range(d):
    a, b = os.path.join(d, "cra"), os.path.join(d, "crb")
    data = os.urandom(300000)
    put(a, data)
    fi = os.open(a, os.O_RDONLY)
    fo = os.open(b, os.O_RDWR | os.O_CREAT, 0o644)
    n = 0
    while n < len(data):
        k = os.copy_file_range(fi, fo, len(data) - n, n, n)
        check(k > 0, "copy_file_range returned %d" % k)
        n += k
    os.close(fi)
    os.close(fo)
    check(get(b) == data, "copy_file_range copy differs")


def many_files(d, count):
    """More files than a default descriptor limit (1024), all kept open
    by the kernel's dentry cache at once, each readable."""
    sub = os.path.join(d, "many")
    os.mkdir(sub)
    n = int(count)
    for i in range(n):
        with open(os.path.join(sub, "f%d" % i), "w") as f:
            f.write(str(i))
    for i in range(n):
        check(get(os.path.join(sub, "f%d" % i)) == str(i).encode(),
              "file %d of %d unreadable" % (i, n))
    check(len(os.listdir(sub)) == n, "listing has %d of %d" % (len(os.listdir(sub)), n))
    for i in range(n):
        os.unlink(os.path.join(sub, "f%d" % i))
    os.rmdir(sub)


def concurrent_writers(d):
    """Eight threads write disjoint stripes of one file through their own
    descriptors and a shared mapping; nothing is lost."""
    p = os.path.join(d, "conc")
    size = 8 * 256 * 1024
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, size)
    m = mmap.mmap(fd, size)

    def worker(k):
        f = os.open(p, os.O_RDWR)
        base = k * 256 * 1024
        for i in range(64):
            blk = bytes([(k * 64 + i) & 0xff]) * 2048
            if i % 2:
                os.pwrite(f, blk, base + i * 4096)
            else:
                m[base + i * 4096: base + i * 4096 + 2048] = blk
        os.close(f)
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for k in range(8):
        for i in range(64):
            want = bytes([(k * 64 + i) & 0xff]) * 2048
            off = k * 256 * 1024 + i * 4096
            check(os.pread(fd, 2048, off) == want, "stripe %d block %d lost (read)" % (k, i))
            check(m[off:off + 2048] == want, "stripe %d block %d lost (mmap)" % (k, i))
    m.close()
    os.close(fd)


def model(d, seed, nops):
    """Random operations applied to the mount and to an in-memory model;
    every file's bytes and size are compared throughout."""
    rnd = random.Random(int(seed))
    d = os.path.join(d, "model-%s" % seed)
    os.mkdir(d)
    names = ["m0", "m1", "m2", "m3"]
    mdl = {}
    log = []

    def path(n):
        return os.path.join(d, n)

    def verify(tag):
        for n in names:
            p = path(n)
            if n not in mdl:
                check(not os.path.exists(p), "%s: %s exists, model has none; ops %s" %
                      (tag, n, log[-8:]))
                continue
            st = os.stat(p)
            check(st.st_size == len(mdl[n]), "%s: %s size %d, model %d; ops %s" %
                  (tag, n, st.st_size, len(mdl[n]), log[-8:]))
            got = get(p)
            if got != bytes(mdl[n]):
                i = next(i for i in range(len(got)) if got[i] != mdl[n][i])
                fail("%s: %s differs at byte %d; last ops %s" % (tag, n, i, log[-8:]))

    for step in range(int(nops)):
        op = rnd.choice(["write", "write", "read", "truncate", "mmap", "mmap",
                         "punch", "alloc", "rename", "unlink", "append"])
        n = rnd.choice(names)
        p = path(n)
        if op in ("write", "append") or (n not in mdl and op != "rename"):
            if n not in mdl:
                mdl[n] = bytearray()
            buf = mdl[n]
            off = len(buf) if op == "append" else rnd.randrange(0, 300000)
            data = bytes([rnd.randrange(256)]) * rnd.randrange(1, 70000)
            flags = os.O_RDWR | os.O_CREAT | (os.O_APPEND if op == "append" else 0)
            fd = os.open(p, flags, 0o644)
            os.pwrite(fd, data, off) if op != "append" else os.write(fd, data)
            os.close(fd)
            if off > len(buf):
                buf.extend(bytes(off - len(buf)))
            buf[off:off + len(data)] = data
            log.append((op, n, off, len(data)))
        elif op == "read":
            buf = mdl[n]
            off = rnd.randrange(0, len(buf) + 10)
            ln = rnd.randrange(0, 100000)
            fd = os.open(p, os.O_RDONLY)
            got = os.pread(fd, ln, off)
            os.close(fd)
            check(got == bytes(buf[off:off + ln]), "read %s at %d+%d differs" % (n, off, ln))
        elif op == "truncate":
            sz = rnd.randrange(0, 300000)
            os.truncate(p, sz)
            buf = mdl[n]
            if sz < len(buf):
                del buf[sz:]
            else:
                buf.extend(bytes(sz - len(buf)))
            log.append((op, n, sz))
        elif op == "mmap":
            buf = mdl[n]
            if not buf:
                continue
            fd = os.open(p, os.O_RDWR)
            m = mmap.mmap(fd, len(buf))
            off = rnd.randrange(0, len(buf))
            ln = rnd.randrange(1, min(50000, len(buf) - off) + 1)
            val = bytes([rnd.randrange(256)]) * ln
            m[off:off + ln] = val
            buf[off:off + ln] = val
            check(os.pread(fd, ln, off) == val, "read after mmap store differs")
            m.close()
            os.close(fd)
            log.append((op, n, off, ln))
        elif op in ("punch", "alloc"):
            buf = mdl[n]
            fd = os.open(p, os.O_RDWR)
            off = rnd.randrange(0, len(buf) + 5000)
            ln = rnd.randrange(1, 80000)
            if op == "punch":
                e = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, ln)
                check(e == 0, "punch: %s" % os.strerror(e))
                end = min(off + ln, len(buf))
                if off < end:
                    buf[off:end] = bytes(end - off)
            else:
                e = fallocate(fd, 0, off, ln)
                check(e == 0, "fallocate: %s" % os.strerror(e))
                if off + ln > len(buf):
                    buf.extend(bytes(off + ln - len(buf)))
            os.close(fd)
            log.append((op, n, off, ln))
        elif op == "rename":
            if n not in mdl:
                continue
            t = rnd.choice(names)
            os.rename(p, path(t))
            if t != n:
                mdl[t] = mdl.pop(n)
            log.append((op, n, t))
        elif op == "unlink":
            os.unlink(p)
            del mdl[n]
            log.append((op, n))
        if step % 25 == 0:
            verify("step %d" % step)
    verify("end")
    print("model: %d operations, seed %s, all files match" % (int(nops), seed))


def semantics(d, out):
    """Print the outcome (errno names, sizes, modes, link counts, whether
    times moved) of many edge-case operations, one per line, to compare a
    viewfs directory with a tmpfs one (run.sh diffs the two files)."""
    import time
    res = []

    def do(name, fn):
        try:
            r = fn()
            res.append("%s: ok %s" % (name, "" if r is None else r))
        except OSError as e:
            res.append("%s: %s" % (name, errno.errorcode.get(e.errno, e.errno)))

    def p(*a):
        return os.path.join(d, *a)
    os.mkdir(p("dir"))
    put(p("dir", "f"), b"12345")
    os.mkdir(p("empty"))
    put(p("file"), b"x" * 10)
    do("mkdir existing", lambda: os.mkdir(p("dir")))
    do("rmdir file", lambda: os.rmdir(p("file")))
    do("rmdir non-empty", lambda: os.rmdir(p("dir")))
    do("unlink dir", lambda: os.unlink(p("dir")))
    do("rename file over dir", lambda: os.rename(p("file"), p("empty")))
    do("rename dir over file", lambda: os.rename(p("empty"), p("file")))
    do("rename dir over non-empty dir", lambda: os.rename(p("empty"), p("dir")))
    do("rename dir into itself", lambda: os.rename(p("dir"), p("dir", "sub")))
    do("rename missing", lambda: os.rename(p("nope"), p("nope2")))
    do("open O_DIRECTORY on file", lambda: os.close(os.open(p("file"), os.O_RDONLY | os.O_DIRECTORY)))
    do("open dir for writing", lambda: os.close(os.open(p("dir"), os.O_WRONLY)))
    do("open missing", lambda: os.close(os.open(p("nope"), os.O_RDONLY)))
    do("open through file", lambda: os.close(os.open(p("file", "x"), os.O_RDONLY)))
    do("long name", lambda: put(p("n" * 256), b""))
    do("name 255", lambda: put(p("n" * 255), b""))
    do("link to dir", lambda: os.link(p("dir"), p("dirlink")))
    do("link existing", lambda: os.link(p("file"), p("dir", "f")))
    os.symlink("loop2", p("loop1"))
    os.symlink("loop1", p("loop2"))
    do("open symlink loop", lambda: os.close(os.open(p("loop1"), os.O_RDONLY)))
    do("open O_NOFOLLOW symlink", lambda: os.close(os.open(p("loop1"), os.O_RDONLY | os.O_NOFOLLOW)))
    do("symlink dangling lstat", lambda: oct(os.lstat(p("loop1")).st_mode))
    do("truncate dir", lambda: os.truncate(p("dir"), 0))
    do("truncate negative", lambda: os.truncate(p("file"), -1))
    do("write to O_RDONLY", lambda: os.write(os.open(p("file"), os.O_RDONLY), b"x"))
    do("read from O_WRONLY", lambda: os.read(os.open(p("file"), os.O_WRONLY), 1))
    do("pread negative offset", lambda: os.pread(os.open(p("file"), os.O_RDONLY), 1, -1))
    do("lseek negative", lambda: os.lseek(os.open(p("file"), os.O_RDONLY), -1, os.SEEK_SET))
    do("read at EOF", lambda: len(os.pread(os.open(p("file"), os.O_RDONLY), 10, 100)))
    do("mkdir nlink", lambda: (os.mkdir(p("dir", "sub")), os.stat(p("dir")).st_nlink)[1])
    do("rmdir nlink", lambda: (os.rmdir(p("dir", "sub")), os.stat(p("dir")).st_nlink)[1])
    do("new dir nlink", lambda: os.stat(p("empty")).st_nlink)
    do("file mode", lambda: oct(os.stat(p("file")).st_mode))
    do("dir size is not huge", lambda: os.stat(p("empty")).st_size < 4096)
    os.umask(0o022)
    do("create mode under umask", lambda: (os.close(os.open(p("um"), os.O_CREAT | os.O_WRONLY, 0o777)),
                                            oct(os.stat(p("um")).st_mode))[1])
    do("mkdir mode under umask", lambda: (os.mkdir(p("umd"), 0o777), oct(os.stat(p("umd")).st_mode))[1])
    do("chmod sticky dir", lambda: (os.chmod(p("umd"), 0o1777), oct(os.stat(p("umd")).st_mode))[1])
    do("chmod suid file", lambda: (os.chmod(p("um"), 0o4755), oct(os.stat(p("um")).st_mode))[1])

    def moved(fn, path, field):
        a = getattr(os.stat(path), field)
        time.sleep(0.02)
        fn()
        return getattr(os.stat(path), field) > a
    do("ctime on chmod", lambda: moved(lambda: os.chmod(p("file"), 0o600), p("file"), "st_ctime_ns"))
    do("ctime on link", lambda: moved(lambda: os.link(p("file"), p("file2")), p("file"), "st_ctime_ns"))
    do("ctime on rename", lambda: moved(lambda: os.rename(p("file2"), p("file3")), p("file"), "st_ctime_ns"))
    do("mtime on truncate", lambda: moved(lambda: os.truncate(p("file"), 3), p("file"), "st_mtime_ns"))
    do("mtime on write", lambda: moved(lambda: put(p("file"), b"abc"), p("file"), "st_mtime_ns"))
    do("dir mtime on create", lambda: moved(lambda: put(p("dir", "g"), b""), p("dir"), "st_mtime_ns"))
    do("dir mtime on unlink", lambda: moved(lambda: os.unlink(p("dir", "g")), p("dir"), "st_mtime_ns"))
    do("utime sets", lambda: (os.utime(p("file"), ns=(1, 2)), os.stat(p("file")).st_mtime_ns)[1])
    do("utime omit", lambda: (os.utime(p("file"), ns=(5, 2)), os.stat(p("file")).st_atime_ns)[1])
    do("listxattr fresh", lambda: sorted(os.listxattr(p("file"))))
    do("getxattr missing", lambda: os.getxattr(p("file"), "user.nope"))
    do("setxattr create twice", lambda: [os.setxattr(p("file"), "user.c", b"1", os.XATTR_CREATE)
                                         for _ in range(2)])
    do("setxattr replace missing", lambda: os.setxattr(p("file"), "user.r", b"1", os.XATTR_REPLACE))
    do("removexattr missing", lambda: os.removexattr(p("file"), "user.nope"))
    do("xattr on symlink", lambda: os.setxattr(p("loop1"), "user.x", b"1", follow_symlinks=False))
    do("statvfs namemax", lambda: os.statvfs(d).f_namemax)
    with open(out, "w") as f:
        f.write("\n".join(res) + "\n")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    name, d, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    fn = globals().get(name)
    if not callable(fn):
        fail("no check %s" % name)
    fn(d, *args)


if __name__ == "__main__":
    main()
