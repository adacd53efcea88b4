"""The zero-copy claim: one mapping seen through NumPy, the View, the file
and another process.  A write on one side must be visible on every other
side at once, without any copy, flush or reopen."""
import os
import struct
import subprocess
import sys

import libview
import numpy as np

from harness import tmpdir


def typed_file(d, shape=(4, 8), fmt='<i'):
    p = os.path.join(d, 'buf')
    libview.create(p, shape, fmt).release()
    return p


def read_file(p, fmt, n):
    with open(p, 'rb') as f:
        return list(struct.unpack('%s%d%s' % (fmt[0], n, fmt[1]), f.read()))


def test_numpy_write_seen_by_view_and_file():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p, writable=True)
        a = np.asarray(v)
        assert a.dtype == np.dtype('<i4') and a.shape == (4, 8)
        a[2, 3] = -123456
        assert v[2, 3] == -123456
        assert read_file(p, '<i', 32)[2 * 8 + 3] == -123456


def test_view_write_seen_by_numpy_and_file():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p, writable=True)
        a = np.asarray(v)
        v[1, ::2] = 77
        assert a[1].tolist() == [77, 0] * 4
        assert read_file(p, '<i', 32)[8:16] == [77, 0] * 4


def test_file_write_seen_by_view_and_numpy():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p)
        a = np.asarray(v)
        with open(p, 'r+b') as f:
            f.seek(4 * 5)
            f.write(struct.pack('<i', 99))
        assert v[0, 5] == 99 and a[0, 5] == 99


def test_frombuffer_and_slices_share_memory():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p, writable=True)
        whole = np.asarray(v)
        part = np.asarray(v[1:3, ::-2])
        flat = np.frombuffer(v.cast('B'), dtype='<i4')
        assert np.shares_memory(whole, part) and np.shares_memory(whole, flat)
        part[0, 0] = 5  # v[1, 7]
        assert whole[1, 7] == 5 and flat[15] == 5


def test_derived_numpy_array_survives_release_of_every_view():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p, writable=True)
        a = np.asarray(v[3])
        s = v[3]
        v.release()
        del s
        a[:] = 11
        assert read_file(p, '<i', 32)[24:] == [11] * 8


CHILD = r'''
import sys, time
sys.path.insert(0, sys.argv[1])
import libview, numpy as np
v = libview.open(sys.argv[2], writable=True)
a = np.asarray(v)
# wait for the parent's value, then answer in the next row
deadline = time.monotonic() + 20
while a[0, 0] != 4242:
    if time.monotonic() > deadline:
        sys.exit("child: parent's write never arrived")
    time.sleep(0.001)
a[1, :] = a[0, 0] + 1
print("child saw", int(a[0, 0]))
'''


def test_two_processes_share_the_buffer():
    with tmpdir() as d:
        p = typed_file(d)
        v = libview.open(p, writable=True)
        a = np.asarray(v)
        child = subprocess.Popen([sys.executable, '-c', CHILD, os.path.dirname(libview.__file__), p],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        a[0, 0] = 4242
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0, out
        assert 'child saw 4242' in out, out
        assert v[1].tolist() == [4243] * 8  # the child's write, through our mapping
