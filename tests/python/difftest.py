#!/usr/bin/python3
"""Differential test of the binding: random chains of slicing, integer
indexing, transpose, cast and reshape applied to a libview.View and, as
the oracle, to a NumPy array over an identical copy of the bytes (NumPy's
basic indexing and no-copy reshape rules; memoryview for tolist, tobytes,
hex and contiguity flags, for the formats memoryview supports).  Element
assignment is applied through the View and through memoryview/NumPy on
the copy, and the two buffers must stay byte-identical.

Compared after every step: shape, strides (except on empty views: libview
keeps stride*step there as memoryview does, NumPy does not), ndim,
itemsize, nbytes, dtype, contiguity, tolist, tobytes(C/F/A), hex, the
address np.asarray(View) and numpy.from_dlpack(View) see, and the
exception class of refused operations.

Usage: difftest.py [--seed S] [--cases N] [--case K]   (prints the seed)
Exit 0 all passed, 1 failures.  Output ends with "COUNTS P F 0".
"""
import argparse
import random
import struct
import sys
import traceback

import libview
import numpy as np

NATIVE = 'bBhHiIlLqQnNfd?c'
PREFIXED = ['<i', '>H', '!q', '=d', '<e', 'e', '>f', '<Q', '=b']
MV_TOLIST = set(NATIVE)  # memoryview 3.11 unpacks these ('e' came in 3.12)


def oracle_dtype(fmt):
    """NumPy dtype of fmt from struct's own size (independent of .dtype)."""
    c, size = fmt[-1], struct.calcsize(fmt)
    kind = {'c': 'S', '?': 'b', 'f': 'f', 'd': 'f', 'e': 'f'}.get(c, 'i' if c.islower() else 'u')
    order = {'<': '<', '>': '>', '!': '>'}.get(fmt[0], '=')
    return np.dtype('%s%s%d' % (order if size > 1 else '|', kind, size))


class Case:
    def __init__(self, rng, k):
        self.rng, self.k, self.log = rng, k, []
        fmt = rng.choice(NATIVE + NATIVE) if rng.random() < 0.7 else rng.choice(PREFIXED)
        if fmt[-1] in 'nNP' and fmt[0] in '<>!=':
            fmt = fmt[-1]
        self.fmt = fmt
        ndim = rng.choice([1, 1, 2, 2, 3, 4])
        shape = [rng.choice([1, 2, 3, 4, 5, 7]) for _ in range(ndim)]
        size = struct.calcsize(fmt)
        n = size * int(np.prod(shape))
        if fmt[-1] == '?':
            data = bytes(rng.randrange(2) for _ in range(n))
        else:
            data = bytes(rng.randrange(256) for _ in range(n))
        self.lv_buf, self.or_buf = bytearray(data), bytearray(data)
        self.lv_base = np.frombuffer(self.lv_buf, np.uint8).ctypes.data
        self.or_base = np.frombuffer(self.or_buf, np.uint8).ctypes.data
        self.v = libview.View(self.lv_buf).cast(fmt, shape) if ndim > 1 else libview.View(self.lv_buf).cast(fmt)
        self.a = np.frombuffer(self.or_buf, dtype=oracle_dtype(fmt)).reshape(shape)
        self.log.append('View(bytes[%d]).cast(%r, %r)' % (n, fmt, shape))

    # -- random operations; each returns (view, array) or raises Refused --
    def rand_key(self):
        rng, items = self.rng, []
        for d in range(rng.randint(0, self.a.ndim)):
            n = self.a.shape[d]
            if rng.random() < 0.3 and n:
                items.append(rng.randrange(-n, n) if rng.random() < 0.95 else n + rng.randrange(3))
            else:
                def b():
                    return None if rng.random() < 0.3 else rng.randint(-n - 2, n + 2)
                step = None if rng.random() < 0.3 else rng.choice([-3, -2, -1, 1, 2, 3, 0 if rng.random() < 0.05 else 1])
                items.append(slice(b(), b(), step))
        return tuple(items) if len(items) != 1 or rng.random() < 0.5 else items[0]

    def op_slice(self):
        key = self.rand_key()
        return 'v[%r]' % (key,), lambda v: v[key], lambda a: a[key]

    def op_transpose(self):
        perm = list(range(self.a.ndim))
        self.rng.shuffle(perm)
        return 'transpose(%r)' % (perm,), lambda v: v.transpose(*perm), lambda a: a.transpose(perm)

    def op_cast(self):
        rng, a = self.rng, self.a
        if not a.flags.c_contiguous or a.size == 0 or a.ndim == 0:
            return None
        fmt = rng.choice(list(NATIVE) + PREFIXED)
        size = struct.calcsize(fmt)
        # '?' only over bytes that are 0 or 1 (other bytes are not bools)
        if a.nbytes % size or (fmt[-1] == '?' and self.fmt[-1] != '?'):
            fmt, size = 'B', 1
        items = a.nbytes // size
        shape = [items]
        if rng.random() < 0.5:
            divs = [x for x in range(1, items + 1) if items % x == 0]
            d0 = rng.choice(divs)
            shape = [d0, items // d0]

        def lv(v):
            b = v.cast('B') if v.format not in ('B', '@B') or v.ndim != 1 else v
            return b.cast(fmt, shape) if len(shape) > 1 else b.cast(fmt)

        def ref(a):
            return a.reshape(-1).view(np.uint8).view(oracle_dtype(fmt)).reshape(shape)
        return "cast('B').cast(%r, %r)" % (fmt, shape), lv, ref

    def op_reshape(self):
        rng, a = self.rng, self.a
        n = a.size
        divs = [x for x in range(1, n + 1) if n % x == 0] or [1]
        d0 = rng.choice(divs)
        shape = [d0, n // d0] if rng.random() < 0.6 else [n]
        if rng.random() < 0.3:
            shape = shape + [1]

        def ref(a):
            r = a.view()
            r.shape = shape  # raises AttributeError where a copy is needed
            return r
        return 'reshape(%r)' % (shape,), lambda v: v.reshape(*shape), ref

    def step(self):
        op = self.rng.choice([self.op_slice, self.op_slice, self.op_transpose,
                              self.op_cast, self.op_reshape])()
        if op is None:
            return
        text, lv, ref = op
        self.log.append(text)
        try:
            want = ref(self.a)
            want_exc = None
        except (IndexError, ValueError, TypeError, AttributeError) as e:
            want, want_exc = None, type(e)
        try:
            got = lv(self.v)
            got_exc = None
        except (IndexError, ValueError, TypeError) as e:
            got, got_exc = None, e
        if want_exc or got_exc:
            ok = {IndexError: IndexError, ValueError: ValueError, TypeError: TypeError,
                  AttributeError: ValueError}
            if not (want_exc and got_exc and isinstance(got_exc, ok[want_exc])):
                raise AssertionError('%s: oracle %s, View %r' % (text, want_exc, got_exc))
            return
        if not isinstance(want, np.ndarray):  # an element
            if self.v.format[-1] == 'c':  # NumPy's S1 strips a NUL
                assert got == bytes(want).ljust(1, b'\x00'), (text, got, want)
            else:
                assert repr(got) == repr(want.item()), (text, got, want)
            return
        self.v, self.a = got, want
        self.compare(text, reshaped=text.startswith('reshape'))
        if text.startswith('reshape') and want.size:
            # take libview's strides on the free axes, so later steps compare exactly
            self.a = np.lib.stride_tricks.as_strided(want, strides=got.strides,
                                                     writeable=want.flags.writeable)

    def set_element(self):
        a, rng = self.a, self.rng
        if a.size == 0 or self.v.readonly:
            return
        idx = tuple(rng.randrange(n) for n in a.shape)
        c = self.v.format[-1]
        if c == 'c':
            val = bytes([rng.randrange(256)])
        elif c == '?':
            val = rng.random() < 0.5
        elif c in 'fde':
            val = rng.choice([0.5, -1.25, 3.0, float('inf')])
        else:
            info = np.iinfo(a.dtype)
            val = rng.randint(int(info.min), int(info.max))
        self.log.append('v[%r] = %r' % (idx, val))
        self.v[idx] = val
        a[idx] = val
        assert self.lv_buf == self.or_buf, 'buffers differ after ' + self.log[-1]

    def compare(self, text, reshaped=False):
        """reshaped: strides of axes of length 1 are free (NumPy keeps the
        old ones where its shape setter sees nothing to change)."""
        v, a = self.v, self.a
        assert v.shape == a.shape and v.ndim == a.ndim, (text, v.shape, a.shape)
        assert v.itemsize == a.itemsize and v.nbytes == a.nbytes
        assert np.dtype(v.dtype) == a.dtype, (v.dtype, a.dtype)
        if a.size:
            keep = [i for i in range(a.ndim) if a.shape[i] > 1 or not reshaped]
            assert [v.strides[i] for i in keep] == [a.strides[i] for i in keep], \
                (text, v.strides, a.strides)
            if v.format[-1] not in 'nNP':  # beyond NumPy 1.24's PEP 3118 parser
                assert np.asarray(v).ctypes.data - self.lv_base == a.ctypes.data - self.or_base, text
            if not v.readonly and v.format[-1] not in 'c?' and np.dtype(v.dtype).isnative and \
                    all(s % v.itemsize == 0 for s in v.strides):
                t = np.from_dlpack(v)
                assert t.ctypes.data - self.lv_base == a.ctypes.data - self.or_base, text
                assert t.strides == v.strides and t.shape == a.shape, text
        m = memoryview(a)
        if a.size:
            for attr in ('c_contiguous', 'f_contiguous', 'contiguous'):
                assert getattr(v, attr) == getattr(m, attr), (text, attr)
        if m.format in MV_TOLIST:  # memoryview itself, on the same layout
            assert repr(v.tolist()) == repr(m.tolist()), (text, v.tolist(), m.tolist())
        if v.format[-1] == 'c':
            def as_bytes(x):
                return [as_bytes(y) for y in x] if isinstance(x, list) else bytes([x])
            want = as_bytes(a.view(np.uint8).tolist())
        else:
            want = a.tolist()
        assert repr(v.tolist()) == repr(want), (text, v.tolist(), want)
        for order in ('C', 'F', 'A'):
            assert v.tobytes(order) == m.tobytes(order), (text, order)
        assert v.hex() == m.hex() and v.hex(':', 3) == m.hex(':', 3), text
        m.release()


def run_case(seed, k, verbose):
    rng = random.Random('%d:%d' % (seed, k))
    c = Case(rng, k)
    try:
        c.compare('start')
        for _ in range(rng.randint(1, 5)):
            c.step()
            if rng.random() < 0.3:
                c.set_element()
        return True
    except Exception:
        print('FAIL case %d (seed %d): %s' % (k, seed, ' -> '.join(c.log)))
        traceback.print_exc(file=sys.stdout)
        return False
    finally:
        if verbose:
            print('case %d: %s' % (k, ' -> '.join(c.log)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cases', type=int, default=400)
    ap.add_argument('--case', type=int)
    args = ap.parse_args()
    print('difftest: seed %d, %d cases (rerun one: --seed %d --case K)'
          % (args.seed, args.cases, args.seed))
    ks = [args.case] if args.case is not None else range(args.cases)
    p = f = 0
    for k in ks:
        if run_case(args.seed, k, args.case is not None):
            p += 1
        else:
            f += 1
    print('difftest: %d cases passed, %d failed' % (p, f))
    print('COUNTS %d %d 0' % (p, f))
    return 1 if f else 0


if __name__ == '__main__':
    sys.exit(main())
