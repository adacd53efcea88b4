"""Reference counting and releases: loops of create/derive/export/release
must return every Python reference (sys.getrefcount of the exporter),
every mapping (/proc/self/maps), every buffer lock (the exporter can be
resized again) and must not grow Python's heap (tracemalloc).  Under the
sanitizer build run.sh runs this file again with LeakSanitizer on and
fails on any leak whose allocation stack passes through the module."""
import gc
import os
import sys
import tracemalloc

import libview
import numpy as np

from harness import tmpdir

N = int(os.environ.get('PYVIEW_LEAK_LOOPS', '300'))


def churn_object(b, dlpack=True):
    v = libview.View(b)
    s = v[1:9]
    c = s.cast('i', [2])
    t = c.transpose()
    r = v.reshape(len(v) // 4, 4)[::-1, 1:]
    ro = r.toreadonly()
    m = memoryview(r)
    a = np.asarray(t)
    _ = (a.sum(), r.tolist(), ro.tobytes('F'), ro.hex(':'), s.dtype, r.shape, r.strides)
    r[0] = [1, 2, 3]
    r[1:, 0] = np.arange(len(r) - 1, dtype=np.uint8)
    v[::2] = v[1::2]
    cap = c.__dlpack__()   # unconsumed: its destructor drops the reference
    # consumed: NumPy calls the deleter (NumPy 1.24's from_dlpack itself
    # keeps ~64 bytes per call, also for its own arrays: see the last test)
    d = np.from_dlpack(c) if dlpack else None
    for bad in (lambda: v[10 ** 6], lambda: v['x'], lambda: v.cast('d'),
                lambda: v.cast('Zd'), lambda: ro.__setitem__(0, 1),
                lambda: v.__setitem__(slice(0, 2), [1]), lambda: v.reshape(7, 7),
                lambda: ro.__dlpack__(), lambda: v.release() if m else None):
        try:
            bad()
        except (IndexError, TypeError, ValueError, BufferError):
            pass
    m.release()
    del a, d, cap
    it = iter(r)
    next(it)
    del it
    for x in (ro, r, t, c, s):
        x.release()
    v.release()


def test_exporter_references_and_lock_are_returned():
    b = bytearray(64)
    before = sys.getrefcount(b)
    for _ in range(N):
        churn_object(b)
    gc.collect()
    assert sys.getrefcount(b) == before, (sys.getrefcount(b), before)
    b.extend(b'x')  # no buffer export is left


def test_view_dropped_without_release_returns_everything():
    b = bytearray(32)
    before = sys.getrefcount(b)
    for _ in range(N):
        v = libview.View(b)
        parts = [v[::3], v.cast('h'), np.asarray(v), v.__dlpack__()]
        del v, parts
    assert sys.getrefcount(b) == before
    b.extend(b'x')


class Owner(bytearray):
    """A bytearray that can hold a reference to a View over itself."""


def test_cycles_through_the_exporter_are_collected():
    # b -> View(b) -> b: the collector sees the View's .obj and its
    # exporter's Py_buffer, as memoryview's managed buffer
    import weakref
    gc.collect()
    for make in (lambda b: libview.View(b),
                 lambda b: libview.View(b)[2:].cast('B', [2, 7]).T,
                 lambda b: iter(libview.View(b)),
                 lambda b: libview.View(memoryview(b)),
                 lambda b: memoryview(libview.View(b))):
        b = Owner(16)
        b.v = make(b)
        w = weakref.ref(b)
        del b
        gc.collect()
        assert w() is None, 'cycle through %r not collected' % w().v
    # a DLPack tensor (invisible to the collector) keeps the memory alive
    b = Owner(16)
    v = libview.View(b)
    b.v = v
    a = np.from_dlpack(v.cast('i'))
    w = weakref.ref(b)
    del b, v
    gc.collect()
    assert w() is not None and a.tolist() == [0, 0, 0, 0]
    del a
    gc.collect()
    assert w() is None


def mappings_of(path):
    with open('/proc/self/maps') as f:
        return sum(1 for line in f if line.rstrip().endswith(path))


def test_file_mappings_are_unmapped():
    with tmpdir() as d:
        p = os.path.join(d, 'f')
        libview.create(p, (16, 16), '<f').release()
        for _ in range(N):
            v = libview.open(p, writable=True)
            a = np.asarray(v[2:, ::2])
            x = np.from_dlpack(v.T)
            s = v[3]
            assert mappings_of(p) == 1  # one mapping, however many views
            del a, x, s
            v.release()
            assert mappings_of(p) == 0
        w = libview.create(os.path.join(d, 'g'), 4, 'B')
        del w
        assert mappings_of(os.path.join(d, 'g')) == 0


def heap_growth(fn, loops):
    for _ in range(20):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(loops):
            fn()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()


def test_python_heap_does_not_grow():
    b = bytearray(64)
    grown = heap_growth(lambda: churn_object(b, dlpack=False), N)
    # a leak of one object per loop would be >= N * 16 bytes
    assert grown < N * 16, 'Python heap grew by %d bytes over %d loops' % (grown, N)


def test_from_dlpack_heap_growth_is_numpys_own():
    b = bytearray(64)
    a = np.zeros(16, dtype=np.int32)
    v = libview.View(b).cast('i')
    ours = heap_growth(lambda: np.from_dlpack(v[1:]), N)
    theirs = heap_growth(lambda: np.from_dlpack(a[1:]), N)
    # whatever NumPy keeps per call, a View must not add to it
    assert ours <= theirs + N * 8, 'from_dlpack(View) grew %d bytes, from_dlpack(ndarray) %d' % (ours, theirs)
