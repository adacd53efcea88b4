#!/usr/bin/python3
"""Seals on viewfs (libview's view.h, "Seals"), for tests/fs/run.sh.

    seals.py CHECK DIR

CHECK is one of
  rules      every rule on files in DIR: bad values, owner only, EBUSY while
             a writable fd or a writable shared mapping exists, every sealed
             operation refused as root and as another user (nobody), links,
             rename, unlink, reads and private mappings still working
  nosigbus   a consumer maps a shrink-sealed buffer; the producer's
             truncations all fail; the consumer reads every page, no SIGBUS
  race       writers open, write and close in threads while the write
             seal is tried until it succeeds: no write lands after it, and
             every open for writing after it fails with EPERM
  persist-1  make DIR/persist sealed (before a daemon restart)
  persist-2  DIR/persist still sealed (after the restart)
Prints what went wrong and exits 1 on failure, 0 on success.
"""
import errno
import mmap
import os
import signal
import sys
import threading
import time

from fsutil import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, check, fail, fallocate

SEALS = "user.view.seals"
NOBODY = 65534


def errno_of(fn, *args):
    """The errno fn(*args) fails with, or 0 when it succeeds."""
    try:
        r = fn(*args)
        if isinstance(r, int) and fn is os.open:
            os.close(r)
        return 0
    except OSError as e:
        return e.errno


def expect(err, what, fn, *args):
    got = errno_of(fn, *args)
    check(got == err, "%s: wanted %s, got %s" % (
        what, errno.errorcode.get(err, err) if err else "success",
        errno.errorcode.get(got, got) if got else "success"))


def seals_of(path):
    try:
        return os.getxattr(path, SEALS).decode()
    except OSError as e:
        if e.errno == errno.ENODATA:
            return ""
        raise


def make(path, size, mode=0o666, uid=0):
    with open(path, "wb") as f:
        f.write(bytes(range(256)) * (size // 256))
    os.chmod(path, mode)
    os.chown(path, uid, uid)


def as_user(uid, fn):
    """Run fn() in a child as uid (gid uid, no groups); its exit status:
    fn's failures print and exit 1 there."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            fn()
        except SystemExit as e:
            os._exit(e.code if isinstance(e.code, int) else 1)
        except BaseException as e:  # noqa: BLE001 - report and fail
            print("FAIL: as uid %d: %r" % (uid, e))
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "the check as uid %d failed (status %#x)" % (uid, status))


def write_sealed_refused(path, who):
    """Everything the write seal (with shrink and grow) forbids, by the
    caller (root or another user): EPERM each time, nothing changed."""
    size = os.stat(path).st_size
    before = open(path, "rb").read()
    for flags, name in ((os.O_WRONLY, "O_WRONLY"), (os.O_RDWR, "O_RDWR"),
                        (os.O_RDONLY | os.O_TRUNC, "O_RDONLY|O_TRUNC"),
                        (os.O_WRONLY | os.O_TRUNC, "O_WRONLY|O_TRUNC"),
                        (os.O_WRONLY | os.O_APPEND, "O_WRONLY|O_APPEND"),
                        (os.O_RDWR | os.O_CREAT, "O_RDWR|O_CREAT")):
        expect(errno.EPERM, "%s: open %s" % (who, name), os.open, path, flags)
    expect(errno.EPERM, who + ": truncate smaller", os.truncate, path, size // 2)
    expect(errno.EPERM, who + ": truncate larger", os.truncate, path, size * 2)
    expect(errno.EPERM, who + ": truncate to 0", os.truncate, path, 0)
    expect(errno.EPERM, who + ": set user.view.format", os.setxattr, path,
           "user.view.format", b"B")
    expect(errno.EPERM, who + ": remove user.view.format", os.removexattr, path,
           "user.view.format")
    expect(errno.EPERM, who + ": remove user.view.seals", os.removexattr, path,
           SEALS)
    # a read-only descriptor gives no way to write either
    fd = os.open(path, os.O_RDONLY)
    try:
        expect(errno.EBADF, who + ": write on O_RDONLY", os.write, fd, b"x")
        expect(errno.EINVAL, who + ": ftruncate on O_RDONLY", os.ftruncate, fd, 0)
        check(fallocate(fd, 0, 0, size * 2) == errno.EBADF,
              who + ": fallocate on O_RDONLY not EBADF")
        expect(errno.EACCES, who + ": mmap MAP_SHARED PROT_WRITE", mmap.mmap,
               fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        # what still works: read, read-only and private mappings
        check(os.pread(fd, size, 0) == before, who + ": read differs")
        m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
        check(m[:] == before, who + ": shared read-only mapping differs")
        m.close()
        m = mmap.mmap(fd, size, mmap.MAP_PRIVATE,
                      mmap.PROT_READ | mmap.PROT_WRITE)
        m[0:4] = b"priv"
        m.close()
    finally:
        os.close(fd)
    check(open(path, "rb").read() == before, who + ": the file changed")
    check(os.stat(path).st_size == size, who + ": the size changed")


def check_rules(d):
    f = os.path.join(d, "sealed")
    make(f, 64 * 1024)
    os.setxattr(f, "user.view.format", b"B")
    check(seals_of(f) == "", "a new file has seals")
    check(SEALS not in os.listxattr(f), "listxattr names seals before any")

    # bad values: EINVAL, nothing set
    for bad in (b"", b"bogus", b"write,write", b"write ", b" write", b"WRITE",
                b"write,", b",write", b"write,,grow", b"write\0", b"seal"):
        expect(errno.EINVAL, "value %r" % bad, os.setxattr, f, SEALS, bad)
    check(seals_of(f) == "", "a bad value left seals")

    # who may seal: not another user, even one who may write the file
    def nobody_seals_roots_file():
        expect(errno.EPERM, "nobody seals root's 0666 file", os.setxattr, f,
               SEALS, b"shrink")
        check(seals_of(f) == "", "nobody may still read the seals")
    as_user(NOBODY, nobody_seals_roots_file)
    check(seals_of(f) == "", "a refused seal was set")

    # EBUSY while a writable descriptor exists; nothing changed
    fd = os.open(f, os.O_RDWR)
    expect(errno.EBUSY, "write seal with an O_RDWR fd", os.setxattr, f, SEALS,
           b"write")
    expect(errno.EBUSY, "grow seal with an O_RDWR fd", os.setxattr, f, SEALS,
           b"grow")
    expect(errno.EBUSY, "write,shrink with an O_RDWR fd", os.setxattr, f,
           SEALS, b"write,shrink")
    check(seals_of(f) == "", "a refused write seal left seals")
    # ... and while a writable shared mapping outlives its descriptor
    m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    os.close(fd)
    m[0:1] = b"M"
    expect(errno.EBUSY, "write seal with a writable mapping, fd closed",
           os.setxattr, f, SEALS, b"write")
    check(seals_of(f) == "", "a refused write seal left seals (mapping)")
    m.close()  # munmap: the kernel releases the open now
    os.setxattr(f, SEALS, b"write")
    check(seals_of(f) == "write", "seals after write: %r" % seals_of(f))
    check(open(f, "rb").read(1) == b"M", "the mapping's store was lost")

    # adding: setxattr adds, the order is fixed, old seals stay
    os.setxattr(f, SEALS, b"grow")
    check(seals_of(f) == "write,grow", "after grow: %r" % seals_of(f))
    os.setxattr(f, SEALS, b"grow,shrink,write")
    check(seals_of(f) == "write,shrink,grow", "after all: %r" % seals_of(f))
    os.setxattr(f, SEALS, b"shrink")  # a value lacking seals removes none
    check(seals_of(f) == "write,shrink,grow", "a seal went: %r" % seals_of(f))
    check(os.listxattr(f).count(SEALS) == 1, "listxattr: %r" % os.listxattr(f))
    check(os.getxattr(f, SEALS) == b"write,shrink,grow", "raw value")
    check(os.getxattr(f, "user.view.format") == b"B", "format lost")

    write_sealed_refused(f, "root")
    as_user(NOBODY, lambda: write_sealed_refused(f, "nobody"))
    as_user(NOBODY, lambda: expect(errno.EPERM, "nobody seals a sealed file",
                                   os.setxattr, f, SEALS, b"write"))
    # other attributes and the mode still change; stat works
    os.setxattr(f, "user.other", b"1")
    os.chmod(f, 0o644)
    os.chmod(f, 0o666)

    # hard links share the seals (the inode's), rename keeps them
    g = os.path.join(d, "sealed-link")
    os.link(f, g)
    check(seals_of(g) == "write,shrink,grow", "the link lacks the seals")
    expect(errno.EPERM, "open the link O_RDWR", os.open, g, os.O_RDWR)
    h = os.path.join(d, "sealed-renamed")
    os.rename(g, h)
    check(seals_of(h) == "write,shrink,grow", "rename lost the seals")
    expect(errno.EPERM, "truncate the renamed link", os.truncate, h, 0)
    # unlink still works on sealed files
    os.unlink(h)
    os.unlink(f)
    check(not os.path.exists(f), "unlink of a sealed file failed")

    # the shrink seal alone: writes in place and growing work
    s = os.path.join(d, "shrink-only")
    make(s, 8192)
    fd = os.open(s, os.O_RDWR)
    os.setxattr(s, SEALS, b"shrink")  # no EBUSY: writers may stay
    os.pwrite(fd, b"abc", 10)
    os.pwrite(fd, b"end", 8192)  # past the end: grows
    check(os.fstat(fd).st_size == 8195, "shrink-sealed file did not grow")
    expect(errno.EPERM, "ftruncate smaller, shrink seal", os.ftruncate, fd, 100)
    expect(errno.EPERM, "truncate smaller, shrink seal", os.truncate, s, 0)
    check(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536) == 0,
          "fallocate keep-size refused with the shrink seal")
    os.ftruncate(fd, 16384)
    os.close(fd)
    expect(errno.EPERM, "O_TRUNC, shrink seal", os.open, s,
           os.O_WRONLY | os.O_TRUNC)
    check(os.stat(s).st_size == 16384, "the shrink-sealed size changed")
    check(seals_of(s) == "shrink", "seals: %r" % seals_of(s))
    os.unlink(s)

    # the grow seal alone: shrinking works, growing and writers do not
    # (viewfs keeps it as strictly on both data paths: view.h)
    gr = os.path.join(d, "grow-only")
    make(gr, 8192)
    os.setxattr(gr, SEALS, b"grow")
    expect(errno.EPERM, "truncate larger, grow seal", os.truncate, gr, 8193)
    expect(errno.EPERM, "open O_RDWR, grow seal", os.open, gr, os.O_RDWR)
    os.truncate(gr, 4096)
    check(os.stat(gr).st_size == 4096, "grow-sealed file did not shrink")
    os.unlink(gr)

    # a non-root owner seals its own file; root is then bound too
    n = os.path.join(d, "nobodys")
    make(n, 4096, 0o644, NOBODY)
    as_user(NOBODY, lambda: os.setxattr(n, SEALS, b"write,shrink"))
    check(seals_of(n) == "write,shrink", "nobody's own seal: %r" % seals_of(n))
    expect(errno.EPERM, "root opens nobody's sealed file O_RDWR", os.open, n,
           os.O_RDWR)
    as_user(NOBODY, lambda: expect(errno.EPERM, "nobody removes its seal",
                                   os.removexattr, n, SEALS))
    os.unlink(n)

    # seals on a directory: EINVAL
    sd = os.path.join(d, "sealdir")
    os.mkdir(sd)
    expect(errno.EINVAL, "seal a directory", os.setxattr, sd, SEALS, b"write")
    os.rmdir(sd)


def check_nosigbus(d):
    """The consumer of a shrink-sealed buffer can never get SIGBUS."""
    f = os.path.join(d, "frame")
    size = 4 << 20
    make(f, size)
    prod = os.open(f, os.O_RDWR)
    os.setxattr(f, SEALS, b"shrink")
    rd, wr = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the consumer: map all of it, wait, read every page
        os.close(rd)
        os.close(go_w)
        fd = os.open(f, os.O_RDONLY)
        m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
        os.write(wr, b"m")
        os.read(go_r, 1)
        total = 0
        for off in range(0, size, 4096):
            total += m[off]
        os.write(wr, b"%d" % total)
        os._exit(0)
    os.close(wr)
    os.close(go_r)
    check(os.read(rd, 1) == b"m", "the consumer did not map")
    # the producer tries every way to cut the buffer
    expect(errno.EPERM, "producer ftruncate(0)", os.ftruncate, prod, 0)
    expect(errno.EPERM, "producer ftruncate(half)", os.ftruncate, prod, size // 2)
    expect(errno.EPERM, "producer truncate(path, 4096)", os.truncate, f, 4096)
    expect(errno.EPERM, "producer O_TRUNC", os.open, f, os.O_RDWR | os.O_TRUNC)
    check(fallocate(prod, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, size)
          == 0, "punching a hole (keeps the size) refused")
    os.write(go_w, b"g")
    _, status = os.waitpid(pid, 0)
    out = os.read(rd, 64)
    if os.WIFSIGNALED(status):
        fail("the consumer died of %s" % signal.Signals(os.WTERMSIG(status)).name)
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "consumer status %#x" % status)
    check(out == b"0", "the consumer read %r (holes read as zero)" % out)
    check(os.fstat(prod).st_size == size, "the size changed")
    os.close(prod)
    os.unlink(f)


def check_race(d):
    """The check of an open and the seal are one step in the daemon."""
    f = os.path.join(d, "raced")
    make(f, 4096)
    sealed = threading.Event()
    late = []

    stop = time.monotonic() + 5  # writers give up then: the seal wins

    def writer(k):
        n = 0
        while time.monotonic() < stop:
            after = sealed.is_set()
            try:
                fd = os.open(f, os.O_RDWR)
            except OSError as e:
                if e.errno != errno.EPERM:
                    late.append("writer %d: open: %s" % (k, e))
                elif "write" not in seals_of(f):
                    late.append("writer %d: EPERM before the seal" % k)
                return  # refused once sealed: done
            if after:
                late.append("writer %d: opened O_RDWR after the seal" % k)
            os.pwrite(fd, bytes([n & 0xff]), k)
            n += 1
            os.close(fd)
            # writers all rest in the last 150 ms of every 500: the seal
            # can win while they run, at the edge of a rest
            while time.monotonic() % 0.5 >= 0.35:
                time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(k,), daemon=True)
               for k in range(4)]
    for t in threads:
        t.start()
    tries = busy = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tries += 1
        try:
            os.setxattr(f, SEALS, b"write")
            won = time.monotonic()
            break
        except OSError as e:
            if e.errno != errno.EBUSY:
                fail("seal under writers: %s" % e)
            busy += 1
    else:
        fail("no seal in 60 s of %d tries" % tries)
    snap = open(f, "rb").read()
    sealed.set()
    for t in threads:
        t.join()
    check(not late, "; ".join(late[:3]))
    # when the seal won, not after the joins (which may outlast stop)
    check(won < stop, "the seal won only once the writers had stopped")
    time.sleep(0.2)
    check(open(f, "rb").read() == snap, "a write landed after the seal")
    print("  sealed after %d tries (%d EBUSY)" % (tries, busy))
    os.unlink(f)


def check_persist(d, step):
    f = os.path.join(d, "persist")
    if step == 1:
        make(f, 12288)
        os.setxattr(f, SEALS, b"shrink,write")
        check(seals_of(f) == "write,shrink", "seals %r" % seals_of(f))
        return
    check(seals_of(f) == "write,shrink", "after restart: %r" % seals_of(f))
    check(os.listxattr(f).count(SEALS) == 1, "listxattr %r" % os.listxattr(f))
    write_sealed_refused_partly(f)
    os.unlink(f)


def write_sealed_refused_partly(f):
    expect(errno.EPERM, "after restart: open O_RDWR", os.open, f, os.O_RDWR)
    expect(errno.EPERM, "after restart: truncate", os.truncate, f, 0)
    expect(errno.EPERM, "after restart: removexattr", os.removexattr, f, SEALS)
    check(os.stat(f).st_size == 12288, "after restart: size")


def main():
    if len(sys.argv) != 3:
        fail("usage: seals.py rules|nosigbus|race|persist-1|persist-2 DIR")
    name, d = sys.argv[1], sys.argv[2]
    if name == "rules":
        check_rules(d)
    elif name == "nosigbus":
        check_nosigbus(d)
    elif name == "race":
        check_race(d)
    elif name in ("persist-1", "persist-2"):
        check_persist(d, int(name[-1]))
    else:
        fail("unknown check " + name)


if __name__ == "__main__":
    main()
