#!/usr/bin/python3
"""Crash consistency of viewfs --store: kill the daemon (and the writer)
with SIGKILL at random moments, remount, and check that nothing a completed
fsync/fdatasync/msync(MS_SYNC) made durable is lost or torn.

usage: crash.py VIEWFS STORE MNT ROUNDS SEED [viewfs -o options]

Each round mounts `VIEWFS MNT -f --store STORE`, starts a writer that runs
a deterministic random program (seeded per round) of pwrite, truncate,
fsync, fdatasync, mmap + msync, setxattr and write-fsync-rename-over on a
few files, and kills the daemon with SIGKILL after a random delay (the
writer too, before or after the daemon).  The writer logs the index of
every operation it completed; the parent replays that prefix on a byte
model, marking what the next, possibly half-done operation may touch as
unknown.  After remounting, every byte and user.* xattr the model knows to
be durable must read back exactly, and so must the size of a file whose
size was durable.  What the kill leaves is the next round's starting state.

This kills the daemon, not the machine: the store's own page cache
survives, so the test checks viewfs (its data paths, the splice path's
page cache, the FUSE writeback of mappings), not the disk.
Output: one summary line; exit 1 with the first mismatches on failure.
"""
import mmap
import os
import random
import signal
import subprocess
import sys
import time

FILES = ["f0", "f1", "f2"]
MAXSIZE = 96 * 1024
XNAME = "user.crash"


class Model:
    """One file: cur is the exact content after the completed operations;
    known/sure hold, per byte, the value durable at the last sync and
    whether it is; size_sure says whether the durable size is len(known),
    exists_sure whether the file must exist.  Model() is a file that may
    or may not have been created yet."""

    def __init__(self, content=None, xattr=None):
        sure = content is not None
        content = content or b""
        self.cur = bytearray(content)
        self.known = bytearray(content)
        self.sure = bytearray(b"\1" * len(content))
        self.size_sure = sure
        self.exists_sure = sure
        self.xcur = xattr
        self.xknown = xattr
        self.xsure = sure

    def sync(self):
        self.known = bytearray(self.cur)
        self.sure = bytearray(b"\1" * len(self.cur))
        self.size_sure = True
        self.exists_sure = True
        self.xknown = self.xcur
        self.xsure = True

    def unsure(self, off, ln):
        for i in range(off, min(off + ln, len(self.sure))):
            self.sure[i] = 0

    def write(self, off, data):
        if off + len(data) > len(self.cur):
            self.cur.extend(b"\0" * (off + len(data) - len(self.cur)))
            self.size_sure = False
        self.cur[off:off + len(data)] = data
        self.unsure(off, len(data))

    def truncate(self, size):
        if size < len(self.cur):
            del self.cur[size:]
        else:
            self.cur.extend(b"\0" * (size - len(self.cur)))
        self.unsure(min(size, len(self.sure)), len(self.sure))
        self.size_sure = False


def program(seed, n):
    """The writer's operations: a list of tuples, the same for both sides."""
    r = random.Random(seed)
    ops = []
    for i in range(n):
        f = r.choice(FILES)
        k = r.random()
        if k < 0.35:
            off = r.randrange(0, MAXSIZE - 4096)
            ln = r.randrange(1, 4096)
            ops.append(("pwrite", f, off, bytes(r.getrandbits(8) for _ in range(ln))))
        elif k < 0.45:
            ops.append(("truncate", f, r.randrange(0, MAXSIZE)))
        elif k < 0.60:
            ops.append(("fsync", f))
        elif k < 0.68:
            ops.append(("fdatasync", f))
        elif k < 0.80:
            ops.append(("mmap", f, r.random(), r.random(), bytes([r.getrandbits(8)])))
        elif k < 0.90:
            ops.append(("xattr", f, b"v%d-%d" % (seed % 1000, i)))
        else:
            ln = r.randrange(0, 8192)
            ops.append(("replace", f, bytes(r.getrandbits(8) for _ in range(ln))))
    return ops


def mmap_range(size, a, b):
    """The byte range an mmap op writes in a file of size bytes."""
    off = int(a * size)
    return off, max(1, min(size - off, int(b * 4096)))


def writer(mnt, ops, logfd):
    """Run ops in mnt, writing each completed index to logfd."""
    for i, op in enumerate(ops):
        kind, name = op[0], op[1]
        path = os.path.join(mnt, name)
        if kind == "pwrite":
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            os.pwrite(fd, op[3], op[2])
            os.close(fd)
        elif kind == "truncate":
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            os.ftruncate(fd, op[2])
            os.close(fd)
        elif kind in ("fsync", "fdatasync"):
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
            (os.fsync if kind == "fsync" else os.fdatasync)(fd)
            os.close(fd)
        elif kind == "mmap":
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            size = os.fstat(fd).st_size
            if size:
                off, ln = mmap_range(size, op[2], op[3])
                m = mmap.mmap(fd, size)
                m[off:off + ln] = op[4] * ln
                m.flush()  # msync(MS_SYNC) of the whole mapping
                m.close()
            os.close(fd)
        elif kind == "xattr":
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
            os.setxattr(fd, XNAME, op[2])
            os.fsync(fd)
            os.close(fd)
        elif kind == "replace":
            tmp = os.path.join(mnt, "tmp." + name)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, op[2])
            os.fsync(fd)
            os.close(fd)
            os.rename(tmp, path)
        os.write(logfd, b"%d\n" % i)


def apply(models, op, done):
    """Replay op on the models: done (completed) or possibly half-done."""
    kind, name = op[0], op[1]
    m = models.setdefault(name, Model())
    if kind == "pwrite":
        if done:
            m.write(op[2], op[3])
        else:
            m.unsure(op[2], len(op[3]))
            if op[2] + len(op[3]) > len(m.known):
                m.size_sure = False
    elif kind == "truncate":
        if done:
            m.truncate(op[2])
        else:
            m.unsure(min(op[2], len(m.sure)), len(m.sure))
            m.size_sure = False
    elif kind in ("fsync", "fdatasync"):
        if done:
            m.sync()
    elif kind == "mmap":
        size = len(m.cur)
        if size:
            off, ln = mmap_range(size, op[2], op[3])
            if done:
                m.cur[off:off + ln] = op[4] * ln
                m.sync()
            else:
                m.unsure(off, ln)
    elif kind == "xattr":
        if done:
            m.xcur = op[2]
            m.sync()
        else:
            m.xsure = False
    elif kind == "replace":
        if done:
            models[name] = Model(op[2])
        else:
            # the rename is atomic: old or new content, each durable
            m.unsure(0, len(m.sure))
            m.size_sure = m.size_sure and len(op[2]) == len(m.known)
            m.xsure = False


def check(models, mnt):
    """Mismatches between the mount and what the models know is durable."""
    bad = []
    checked = 0
    for name, m in sorted(models.items()):
        path = os.path.join(mnt, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = None
        if data is None:
            if m.exists_sure:
                bad.append("%s: missing, but it was durable" % name)
            continue
        if m.size_sure and len(data) != len(m.known):
            bad.append("%s: size %d, durable size %d" % (name, len(data), len(m.known)))
        n = min(len(data), len(m.known))
        if m.sure.count(0, 0, n) == 0:
            checked += n
            if data[:n] != m.known[:n]:
                i = next(i for i in range(n) if data[i] != m.known[i])
                bad.append("%s: byte %d is %d, durable %d" % (name, i, data[i], m.known[i]))
            n = 0
        for i in range(n):
            if m.sure[i]:
                checked += 1
                if data[i] != m.known[i]:
                    bad.append("%s: byte %d is %d, durable %d" % (name, i, data[i], m.known[i]))
                    break
        if m.xsure:
            try:
                x = os.getxattr(path, XNAME)
            except OSError:
                x = None
            if x != m.xknown:
                bad.append("%s: %s is %r, durable %r" % (name, XNAME, x, m.xknown))
    return bad, checked


def mounted(mnt):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == mnt for line in f)


def mount(viewfs, store, mnt, opts, log):
    p = subprocess.Popen([viewfs, mnt, "-f", "--store", store] + opts,
                         stdout=log, stderr=log)
    for _ in range(400):
        if mounted(mnt):
            try:
                os.stat(mnt)
                return p
            except OSError:
                pass
        if p.poll() is not None:
            break
        time.sleep(0.02)
    raise SystemExit("viewfs did not mount (exit %r)" % p.poll())


def main():
    viewfs, store, mnt = sys.argv[1:4]
    rounds, seed = int(sys.argv[4]), int(sys.argv[5])
    opts = sys.argv[6:]
    mnt = os.path.realpath(mnt)
    rnd = random.Random(seed)
    models = {}
    log = open(os.path.join(os.path.dirname(store.rstrip("/")) or ".", "crash.log"), "ab")
    stats = dict(rounds=0, ops=0, syncs=0, checked=0, cut=0)
    for rd in range(rounds):
        d = mount(viewfs, store, mnt, opts, log)
        # the previous round's kill left a state: it is the new baseline
        if rd:
            bad, checked = check(models, mnt)
            stats["checked"] += checked
            if bad:
                print("round %d (after the kill of round %d): %d mismatches" % (rd, rd - 1, len(bad)))
                for b in bad[:10]:
                    print("  " + b)
                d.kill()
                d.wait()
                subprocess.call(["fusermount3", "-uz", mnt])
                return 1
        models = {}
        for name in FILES:
            path = os.path.join(mnt, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    content = f.read()
                try:
                    x = os.getxattr(path, XNAME)
                except OSError:
                    x = None
                models[name] = Model(content, x)
        ops = program(seed * 1000 + rd, 400)
        rfd, wfd = os.pipe()
        w = os.fork()
        if w == 0:
            os.close(rfd)
            try:
                writer(mnt, ops, wfd)
            except OSError:
                pass  # the daemon died under it
            os._exit(0)
        os.close(wfd)
        time.sleep(rnd.uniform(0.0, 0.25))
        first_writer = rnd.random() < 0.3
        if first_writer:
            os.kill(w, signal.SIGKILL)
        d.kill()
        if not first_writer:
            time.sleep(rnd.uniform(0.0, 0.01))
            os.kill(w, signal.SIGKILL)
        os.waitpid(w, 0)
        d.wait()
        logged = b""
        while True:
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            logged += chunk
        os.close(rfd)
        done = [int(x) for x in logged.split()]
        ndone = done[-1] + 1 if done else 0
        for op in ops[:ndone]:
            apply(models, op, True)
            if op[0] in ("fsync", "fdatasync", "mmap", "xattr", "replace"):
                stats["syncs"] += 1
        if ndone < len(ops):
            apply(models, ops[ndone], False)
            stats["cut"] += 1
        stats["ops"] += ndone
        stats["rounds"] += 1
        subprocess.call(["fusermount3", "-uz", mnt], stderr=subprocess.DEVNULL)
    # the last kill's state, checked on a final mount
    d = mount(viewfs, store, mnt, opts, log)
    bad, checked = check(models, mnt)
    stats["checked"] += checked
    subprocess.call(["fusermount3", "-u", mnt])
    d.wait()
    if bad:
        print("after the last kill: %d mismatches" % len(bad))
        for b in bad[:10]:
            print("  " + b)
        return 1
    print("crash: %(rounds)d kills, %(ops)d operations completed, %(syncs)d sync points, "
          "%(cut)d cut mid-operation, %(checked)d durable bytes checked, 0 lost" % stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
