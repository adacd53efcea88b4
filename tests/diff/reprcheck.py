#!/usr/bin/python3
"""Differential test of libview's float repr against CPython's repr(float).

`view show FILE --cast F --tolist` must print exactly repr(m.tolist()) for
files of doubles ('d'), floats ('f', widened to double as memoryview does)
and half floats ('e', struct's 'e': every one of the 65536 patterns).  The
doubles are random bit patterns, random floats, and edge values: every
binary exponent with its smallest, largest and a few other significands,
powers of ten and their neighbours, decimals of 1 to 17 digits, halfway
cases between two 17-digit decimals, integers around 2^53.

Each group is one check; a failing group names its first wrong elements.

Usage: reprcheck.py --view build/san/bin/view [--seed S] [--count N] [--tmpdir D]
  --count: random doubles (default 1000000; half as many random floats);
           run by hand with more, e.g. --count 20000000.
Last line: RESULT: P passed, F failed, S skipped.
"""

import argparse
import array
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import time


def bits_to_double(b):
    return struct.unpack('<d', struct.pack('<Q', b))[0]


def edge_doubles(rng):
    out = []
    top = (1 << 52) - 1
    for be in range(2047):
        for t in (0, 1, 2, 3, 1 << 51, top, top - 1, rng.getrandbits(52),
                  rng.getrandbits(52), rng.getrandbits(52)):
            if be or t:
                x = bits_to_double(be << 52 | t)
                out += [x, -x]
    for e in range(-325, 310):
        x = float('1e%d' % e)
        out += [x, math.nextafter(x, 0), math.nextafter(x, math.inf)]
    for _ in range(60000):
        nd = rng.randint(1, 17)
        x = float('%de%d' % (rng.randrange(10 ** (nd - 1), 10 ** nd),
                             rng.randint(-340, 320)))
        out += [x, math.nextafter(x, 0), math.nextafter(x, math.inf)]
    # halfway between two 17-digit decimals: doubles with few fraction bits
    # in [2^50, 2^54) (x * 10 a half integer, x a half integer, ...)
    for _ in range(20000):
        x = math.ldexp(rng.getrandbits(53) | 1 << 52, rng.randint(-3, 1))
        out.append(x)
    for d in range(-2000, 2001):
        out.append(float(2 ** 53 + d))
        out.append(float(10 ** 16 + d))
        out.append(float(10 ** 15 + d) / 10)
    return out


def edge_floats(rng):
    out = []
    top = (1 << 23) - 1
    for be in range(255):
        for t in (0, 1, 2, top, top - 1, rng.getrandbits(23), rng.getrandbits(23)):
            out += [be << 23 | t, 1 << 31 | be << 23 | t]
    return out


def run_view(view, path, code):
    p = subprocess.run([view, 'show', path, '--cast', code, '--tolist'],
                       capture_output=True, text=True)
    if p.returncode != 0 or p.stderr:
        return None, 'exit %d, stderr %r' % (p.returncode, p.stderr[:300])
    return p.stdout.rstrip('\n'), None


def check(view, tmp, name, code, data, values):
    """One group: data (bytes) viewed as code must print repr(values)."""
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(data)
    got, err = run_view(view, path, code)
    os.unlink(path)
    want = repr(values)
    if err:
        print('FAIL %s: view failed: %s' % (name, err))
        return False
    if got == want:
        return True
    g = got[1:-1].split(', ') if got.startswith('[') else [got]
    w = want[1:-1].split(', ')
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(w, g)) if a != b]
    print('FAIL %s: %d of %d elements differ%s' % (
        name, len(bad), len(values),
        '' if len(g) == len(w) else ' (%d printed)' % len(g)))
    for i, a, b in bad[:5]:
        x = values[i]
        print('  [%d] %s (%s): repr %s, view %s' % (
            i, x.hex() if isinstance(x, float) else x,
            struct.pack('<d', x).hex(), a, b))
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--view', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1000000)
    ap.add_argument('--tmpdir', default=None)
    a = ap.parse_args()
    if not os.access(a.view, os.X_OK):
        print('FAIL: no view binary at %s' % a.view)
        print('RESULT: 0 passed, 1 failed, 0 skipped')
        return 1
    rng = random.Random(a.seed)
    t0 = time.time()
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix='reprcheck.', dir=a.tmpdir)
    try:
        def groups():
            """(name, format, bytes, values), made one at a time"""
            left, i = a.count, 0
            while left > 0:  # random doubles, 1M a file
                n = min(left, 1 << 20)
                left, i = left - n, i + 1
                data = rng.randbytes(8 * n)
                yield ('random-doubles-%d' % i, 'd', data, array.array('d', data).tolist())
            left, i = a.count // 2, 0
            while left > 0:
                n = min(left, 1 << 20)
                left, i = left - n, i + 1
                data = rng.randbytes(4 * n)
                yield ('random-floats-%d' % i, 'f', data, array.array('f', data).tolist())
            vals = edge_doubles(rng)
            yield ('edge-doubles', 'd', array.array('d', vals).tobytes(), vals)
            data = array.array('I', edge_floats(rng)).tobytes()
            yield ('edge-floats', 'f', data, array.array('f', data).tolist())
            data = b"".join(struct.pack("<H", u) for u in range(65536))  # every half
            yield ('every-half', 'e', data, [struct.unpack('<e', data[2 * i:2 * i + 2])[0]
                                            for i in range(65536)])

        nvals = 0
        for name, code, data, values in groups():
            nvals += len(values)
            if check(a.view, tmp, name, code, data, values):
                passed += 1
            else:
                failed += 1
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    print('reprcheck: seed %d, %d values in %d groups, %.1fs: %d passed, %d failed'
          % (a.seed, nvals, passed + failed, time.time() - t0, passed, failed))
    print('RESULT: %d passed, %d failed, 0 skipped' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
