#!/usr/bin/python3
"""Differential test of the `view` CLI against CPython's memoryview.

Generates random files and random chains of view operations, runs
`view show FILE OPS... OUTPUT` / `view set FILE OPS... --value LITERAL`
and compares with what the oracle computes.  The oracle is the contract in
/work/shared/VIEW-CLI.md:

* Every view state is turned into a *real* memoryview (PyMemoryView_FromBuffer
  through ctypes, with the state's exact buf/shape/strides), so cast rules,
  contiguity flags, tolist, tobytes(order) and hex(sep, n) come from CPython
  itself.  Format 'e' (not in 3.11's memoryview) rides on 'H' and is decoded
  / encoded with struct's 'e' (3.12 memoryview semantics).
* n-D slicing, integer indexing and transpose follow NumPy basic indexing,
  except that a slice's stride is stride*step even when it selects nothing
  (memoryview's rule).  Non-empty results are cross-checked against NumPy.
* `set` stores every element through a memoryview item assignment of the
  view's format (struct.pack 'e' for half floats), converting all elements
  before writing any.

Where VIEW-CLI.md leaves a case open, the oracle accepts each reasonable
reading (listed in AMBIGUOUS below); it never accepts a crash, a sanitizer
report, output on an error, more than one stderr line, or a changed file on
`show` or on a failed `set`.

Usage: difftest.py --view build/san/bin/view [--seed S] [--cases N] [--jobs J]
       difftest.py --view ... --case K --seed S   (one case, verbose)
       difftest.py --self-test                    (oracle vs itself: harness check)
Exit 0 all passed, 1 failures, 77 nothing could run.
"""

import argparse
import ast
import concurrent.futures
import ctypes
import json
import math
import os
import random
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import tokenize
import io
import warnings

try:
    import numpy as np
except ImportError:  # run.sh turns this into a skip
    np = None

SSIZE_MAX = 2**63 - 1
SSIZE_MIN = -2**63
FORMATS = 'cbBhHiIlLqQnNfde?P'
BYTEFMT = {'B', 'b', 'c', '@B', '@b', '@c'}
INT_CODES = 'bBhHiIlLqQnN'
FLOAT_CODES = 'fde'
INFO_KEYS = ['format', 'itemsize', 'ndim', 'shape', 'strides', 'nbytes',
             'readonly', 'c_contiguous', 'f_contiguous', 'contiguous']
MARGIN = 64

AMBIGUOUS = """\
Cases where VIEW-CLI.md is open and the oracle accepts more than one answer:
- --info readonly: `show` may map read-only or read-write (true or false).
- --transpose with negative axes: NumPy accepts them, VIEW-CLI.md says error.
- --offset/--length N beyond 2**63-1: clamp as m[N:] (memoryview) or error.
- a slice whose stride*step overflows 64 bits: any clean result.
- set: an invalid scalar broadcast over an empty view: error or no-op.
- set into '?' views: a list where an element is expected (0-d, or a leaf):
  error, or stored as its truth value.  (bytes into '?' views not generated.)
"""


class Err(Exception):
    """The CLI must fail (non-zero exit, one stderr line, no stdout)."""


class AnyResult:
    """Any clean result (success or error) is acceptable."""


ANY = AnyResult()


def fmt_ok(fmt):
    return fmt in FORMATS or (len(fmt) == 2 and fmt[0] == '@' and fmt[1] in FORMATS)


def fmt_code(fmt):
    return fmt[-1]


def mv_fmt(fmt):
    return fmt.replace('e', 'H')


def fmt_size(fmt):
    return struct.calcsize(fmt_code(fmt))


# ---------------------------------------------------------------------------
# Real memoryviews with arbitrary buf/shape/strides.

class Py_buffer(ctypes.Structure):
    _fields_ = [('buf', ctypes.c_void_p), ('obj', ctypes.c_void_p),
                ('len', ctypes.c_ssize_t), ('itemsize', ctypes.c_ssize_t),
                ('readonly', ctypes.c_int), ('ndim', ctypes.c_int),
                ('format', ctypes.c_char_p),
                ('shape', ctypes.POINTER(ctypes.c_ssize_t)),
                ('strides', ctypes.POINTER(ctypes.c_ssize_t)),
                ('suboffsets', ctypes.POINTER(ctypes.c_ssize_t)),
                ('internal', ctypes.c_void_p)]


_FromBuffer = ctypes.pythonapi.PyMemoryView_FromBuffer
_FromBuffer.argtypes = [ctypes.POINTER(Py_buffer)]
_FromBuffer.restype = ctypes.py_object


class Mem:
    """The file's bytes in C memory, with room around them."""

    def __init__(self, data):
        self.size = len(data)
        self.cbuf = ctypes.create_string_buffer(bytes(MARGIN) + data + bytes(MARGIN))
        self.base = ctypes.addressof(self.cbuf) + MARGIN
        self.keep = []

    def mv(self, v):
        n = v.nbytes
        if n > 0:
            lo = hi = v.off
            for s, st in zip(v.shape, v.strides):
                if st < 0:
                    lo += (s - 1) * st
                else:
                    hi += (s - 1) * st
            assert 0 <= lo and hi + v.itemsize <= self.size, ('oracle: view out of file', v)
            addr = self.base + v.off
        else:
            addr = self.base  # nothing is ever read through an empty view
        b = Py_buffer()
        b.buf = addr
        b.obj = None
        b.len = n
        b.itemsize = v.itemsize
        b.readonly = 0
        b.ndim = v.ndim
        f = mv_fmt(v.fmt).encode()
        b.format = f
        k = max(1, v.ndim)
        sh = (ctypes.c_ssize_t * k)(*v.shape)
        st = (ctypes.c_ssize_t * k)(*v.strides)
        b.shape = sh
        b.strides = st
        b.suboffsets = None
        b.internal = None
        m = _FromBuffer(ctypes.byref(b))
        self.keep.append((f, sh, st, b))
        return m


class View:
    __slots__ = ('fmt', 'itemsize', 'shape', 'strides', 'off')

    def __init__(self, fmt, itemsize, shape, strides, off):
        self.fmt, self.itemsize = fmt, itemsize
        self.shape, self.strides, self.off = tuple(shape), tuple(strides), off

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def nelem(self):
        return math.prod(self.shape)

    @property
    def nbytes(self):
        return self.nelem * self.itemsize

    def __repr__(self):
        return 'View(%s,%r,%r,off=%d)' % (self.fmt, self.shape, self.strides, self.off)

    def offsets(self):
        """Byte offsets of the elements in C order."""
        res = [self.off]
        for s, st in zip(self.shape, self.strides):
            res = [o + i * st for o in res for i in range(s)]
        return res


def c_strides(shape, itemsize):
    st = []
    acc = itemsize
    for s in reversed(shape):
        st.append(acc)
        acc *= s
    return tuple(reversed(st))


# ---------------------------------------------------------------------------
# Argument grammar (as VIEW-CLI.md), shared by the oracle and the self-test.

DEC = re.compile(r'[0-9]+\Z')
INT = re.compile(r'-?[0-9]+\Z')


def parse_cmdline(cmd, args):
    """args after PATH -> (raw, ops, final).  ops: list of (name, arg)."""
    raw = False
    ops = []
    i = 0
    n = len(args)
    last = n - (2 if cmd == 'set' else 1)
    if last < 0:
        raise Err('missing output')
    while i < last:
        a = args[i]
        if a == '--raw':
            raw = True
            i += 1
        elif a in ('--offset', '--length', '--cast', '--slice'):
            if i + 1 >= last + (0 if cmd == 'show' else 0):
                raise Err('missing argument')
            ops.append((a[2:], args[i + 1]))
            i += 2
        elif a == '--transpose':
            ops.append(('transpose', None))
            i += 1
        elif a.startswith('--transpose='):
            ops.append(('transpose', a[len('--transpose='):]))
            i += 1
        else:
            raise Err('bad option %r' % a)
    if i != last:
        raise Err('bad command line')
    if cmd == 'set':
        if args[last] != '--value':
            raise Err('missing --value')
        return raw, ops, ('value', args[last + 1])
    out = args[last]
    if out in ('--tolist', '--info'):
        return raw, ops, (out[2:], None)
    for name in ('hex', 'tobytes'):
        if out == '--' + name:
            return raw, ops, (name, None)
        if out.startswith('--%s=' % name):
            return raw, ops, (name, out[len(name) + 3:])
    raise Err('bad output %r' % out)


def start_views(mem, raw, xattrs):
    """-> list of acceptable starting views (or raises Err)."""
    size = mem.size
    v = View('B', 1, (size,), (1,), 0)
    if raw or not xattrs:
        return [v]
    if xattrs.get('user.view.format') == '':
        # open question (view.h: empty counts as absent): absent, or an error
        rest = {k: x for k, x in xattrs.items() if k != 'user.view.format'}
        try:
            return [Err('empty format xattr')] + start_views(mem, raw, rest)
        except Err as e:
            return [e]
    fmt = xattrs.get('user.view.format', 'B')
    shp = xattrs.get('user.view.shape')
    if not fmt_ok(fmt):
        raise Err('bad format xattr')
    isz = fmt_size(fmt)
    if shp is None:
        shape = (size // isz,)
        if size % isz:
            # open question: the format alone on a file whose size is not a
            # multiple of its itemsize -- an error, or the whole items only
            return [Err('file size not a multiple of the format size'),
                    View(fmt, isz, shape, c_strides(shape, isz), 0)]
    elif shp == '':
        # open question: an empty user.view.shape -- an error, 0-d (as
        # vw_shape_parse reads it), or as if the attribute were not set
        outs = [Err('empty shape xattr')]
        if isz <= size:
            outs.append(View(fmt, isz, (), (), 0))
        if 'user.view.format' not in xattrs:
            outs.append(v)
        elif size % isz == 0:
            outs.append(View(fmt, isz, (size // isz,), (isz,), 0))
        return outs
    else:
        parts = shp.split(',')
        if not all(DEC.match(p) for p in parts):
            raise Err('bad shape xattr')
        shape = tuple(int(p) for p in parts)
        if len(shape) > 64 or math.prod(shape) * isz > size:
            raise Err('shape does not fit')
    return [View(fmt, isz, shape, c_strides(shape, isz), 0)]


def saturate(x):
    return max(SSIZE_MIN, min(SSIZE_MAX, x))


def adjust(n, start, stop, step):
    """PySlice_Unpack + PySlice_AdjustIndices -> (start, length, step)."""
    step = 1 if step is None else max(-SSIZE_MAX, min(SSIZE_MAX, step))
    if start is None:
        start = SSIZE_MAX if step < 0 else 0
    if stop is None:
        stop = SSIZE_MIN if step < 0 else SSIZE_MAX
    start, stop = saturate(start), saturate(stop)
    if start < 0:
        start += n
        if start < 0:
            start = -1 if step < 0 else 0
    elif start >= n:
        start = n - 1 if step < 0 else n
    if stop < 0:
        stop += n
        if stop < 0:
            stop = -1 if step < 0 else 0
    elif stop >= n:
        stop = n - 1 if step < 0 else n
    if step < 0:
        length = (start - stop - 1) // (-step) + 1 if stop < start else 0
    else:
        length = (stop - start - 1) // step + 1 if start < stop else 0
    return start, length, step


def parse_index(expr):
    items = []
    for part in expr.split(','):
        if ':' in part:
            p = part.split(':')
            if len(p) > 3:
                raise Err('bad slice')
            vals = []
            for x in p:
                if x == '':
                    vals.append(None)
                elif INT.match(x):
                    vals.append(int(x))
                else:
                    raise Err('bad slice')
            while len(vals) < 3:
                vals.append(None)
            if vals[2] == 0:
                raise Err('step 0')
            items.append(('s', vals))
        elif INT.match(part):
            items.append(('i', int(part)))
        else:
            raise Err('bad index')
    return items


numpy_disagreements = []


def numpy_check(mem, v, items, res):
    """Cross-check a non-empty slice result with NumPy basic indexing."""
    if np is None or v.nelem == 0 or res.nelem == 0 or v.ndim == 0 or v.ndim > 32:
        return   # NumPy 1.x arrays have at most 32 dimensions
    raw = np.frombuffer((ctypes.c_char * (mem.size + 2 * MARGIN)).from_address(
        mem.base - MARGIN), dtype=np.uint8)
    arr = np.lib.stride_tricks.as_strided(
        raw[MARGIN + v.off:], shape=v.shape, strides=v.strides)
    # itemsize does not matter for the geometry: use a uint8 stand-in
    idx = tuple(x if k == 'i' else slice(*x) for k, x in items) + (Ellipsis,)
    r = arr[idx]
    off = r.__array_interface__['data'][0] - mem.base
    if (tuple(r.shape) != res.shape or tuple(r.strides) != res.strides
            or off != res.off):
        numpy_disagreements.append('%r[%r] numpy %r %r off=%d model %r' % (
            v, idx, r.shape, r.strides, off, res))


def apply_op(mem, v, name, arg):
    """One option on view v -> list of outcomes (View, Err instance or ANY)."""
    if name in ('offset', 'length'):
        if not DEC.match(arg):
            return [Err('bad number %r' % arg)]
        N = int(arg)
        if v.ndim != 1 or v.fmt not in BYTEFMT:
            return [Err('offset/length need a 1-D byte view')]
        sl = slice(N, None) if name == 'offset' else slice(None, N)
        start, length, _ = adjust(v.shape[0], sl.start, sl.stop, 1)
        r = View(v.fmt, v.itemsize, (length,), v.strides, v.off + start * v.strides[0])
        m = mem.mv(v)[sl]
        assert m.shape == r.shape and m.strides == r.strides
        outs = [r]
        if N > SSIZE_MAX:
            outs.append(Err('huge'))
        return outs
    if name == 'cast':
        fmt, sep, shp = arg.partition(':')
        if not fmt_ok(fmt):
            return [Err('bad format')]
        shape = None
        if sep:
            if shp == '':
                shape = []
            else:
                parts = shp.split(',')
                if not all(DEC.match(p) for p in parts):
                    return [Err('bad shape')]
                shape = [int(p) for p in parts]
        m = mem.mv(v)
        try:
            r = m.cast(mv_fmt(fmt)) if shape is None else m.cast(mv_fmt(fmt), shape)
        except (TypeError, ValueError, OverflowError) as e:
            return [Err(str(e))]
        return [View(fmt, r.itemsize, r.shape, r.strides, v.off)]
    if name == 'slice':
        items = parse_index(arg)
        if v.ndim == 0:
            return [Err('index on 0-d')]
        if len(items) > v.ndim:
            return [Err('too many indices')]
        shape, strides, off = [], [], v.off
        overflow = False
        for d, (kind, x) in enumerate(items):
            n, st = v.shape[d], v.strides[d]
            if kind == 'i':
                i = x + n if x < 0 else x
                if not 0 <= i < n:
                    return [Err('index out of range')]
                off += i * st
            else:
                start, length, step = adjust(n, *x)
                off += start * st
                shape.append(length)
                strides.append(st * step)
                if not SSIZE_MIN <= st * step <= SSIZE_MAX:
                    overflow = True
        shape += v.shape[len(items):]
        strides += v.strides[len(items):]
        if overflow:
            return [ANY]
        r = View(v.fmt, v.itemsize, shape, strides, off)
        if v.ndim == 1 and items[0][0] == 's':
            m = mem.mv(v)[slice(*items[0][1])]
            assert m.shape == r.shape and m.strides == r.strides, (v, items, r)
        numpy_check(mem, v, items, r)
        return [r]
    if name == 'transpose':
        if arg is None:
            perm = list(range(v.ndim))[::-1]
        else:
            parts = arg.split(',') if arg != '' else []
            if not all(INT.match(p) for p in parts):
                return [Err('bad permutation')]
            perm = [int(p) for p in parts]
        outs = []
        if sorted(perm) == list(range(v.ndim)):
            ok = perm
        else:
            outs.append(Err('not a permutation'))
            ok = None
            if any(p < 0 for p in perm) and all(-v.ndim <= p < v.ndim for p in perm):
                norm = [p % v.ndim for p in perm]
                if sorted(norm) == list(range(v.ndim)):
                    ok = norm   # NumPy's reading (ambiguous)
        if ok is not None:
            outs.append(View(v.fmt, v.itemsize, [v.shape[p] for p in ok],
                             [v.strides[p] for p in ok], v.off))
        return outs
    raise AssertionError(name)


def eval_chain(mem, raw, xattrs, ops):
    """-> list of outcomes of the whole chain (View, Err or ANY)."""
    try:
        cands = start_views(mem, raw, xattrs)
    except Err as e:
        return [e]
    done = [c for c in cands if not isinstance(c, View)]
    cands = [c for c in cands if isinstance(c, View)]
    for name, arg in ops:
        nxt = []
        for c in cands:
            try:
                outs = apply_op(mem, c, name, arg)
            except Err as e:
                outs = [e]
            for o in outs:
                (nxt if isinstance(o, View) else done).append(o)
        cands = nxt[:8]
        if not cands:
            break
    return cands + done


def half_decode(u):
    return struct.unpack('e', struct.pack('H', u))[0]


def map_half(x):
    if isinstance(x, list):
        return [map_half(y) for y in x]
    return half_decode(x)


def expected_show(mem, v, out, outarg):
    """-> ('text', parsed-obj) etc, or Err."""
    m = mem.mv(v)
    if out == 'tolist':
        r = m.tolist()
        if fmt_code(v.fmt) == 'e':
            r = map_half(r)
        return ('tolist', r)
    if out == 'info':
        return ('info', {
            'format': v.fmt, 'itemsize': v.itemsize, 'ndim': v.ndim,
            'shape': list(v.shape), 'strides': list(v.strides),
            'nbytes': v.nbytes, 'readonly': None,
            'c_contiguous': m.c_contiguous, 'f_contiguous': m.f_contiguous,
            'contiguous': m.contiguous})
    if out == 'hex':
        if outarg is None:
            return ('hex', m.hex())
        sep, comma, nstr = outarg.partition(',')
        if comma:
            if not INT.match(nstr):
                raise Err('bad bytes_per_sep')
            n = int(nstr)
        else:
            n = 1
        try:
            return ('hex', m.hex(sep, n))
        except (ValueError, OverflowError, TypeError) as e:
            raise Err(str(e))
    if out == 'tobytes':
        try:
            return ('tobytes', m.tobytes(outarg) if outarg is not None else m.tobytes())
        except ValueError as e:
            raise Err(str(e))
    raise AssertionError(out)


# ---------------------------------------------------------------------------
# Literals

class LitError(Exception):
    pass


def lit_eval(text):
    """A Python literal of ints, floats (nan/inf names), bools, bytes, lists."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            tree = ast.parse(text.strip(), mode='eval')
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise LitError(str(e)[:80])
    try:
        return _lit(tree.body)
    except RecursionError as e:
        raise LitError(str(e))


def _lit(n):
    if isinstance(n, ast.Constant):
        if type(n.value) in (int, float, bool, bytes):
            return n.value
        raise LitError('bad constant %r' % (n.value,))
    if isinstance(n, ast.List):
        return [_lit(e) for e in n.elts]
    if isinstance(n, ast.Name) and n.id in ('nan', 'inf'):
        return float(n.id)
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
        x = _lit(n.operand)
        if type(x) in (int, float) and (isinstance(n.operand, (ast.Constant, ast.Name))):
            return -x
    raise LitError('not a literal: %s' % ast.dump(n)[:60])


def render(x, rng=None, variants=False):
    """Python-literal text of x (repr with optional spacing / syntax variants)."""
    sp = ''
    if rng is not None and rng.random() < 0.1:
        sp = rng.choice([' ', '  ', '\n', '\t'])
    if isinstance(x, list):
        sep = ',' if rng is not None and rng.random() < 0.3 else ', '
        tail = ',' if x and variants and rng is not None and rng.random() < 0.05 else ''
        return '[' + sp + sep.join(render(y, rng, variants) for y in x) + tail + sp + ']'
    if isinstance(x, float) and math.isnan(x) and variants and rng is not None \
            and rng.random() < 0.3:
        return '-nan'
    if type(x) is int and variants and rng is not None and rng.random() < 0.05:
        if x >= 0:
            return rng.choice([hex(x), '{:_}'.format(x), '0' * (x == 0) + str(x)])
    if type(x) is float and variants and rng is not None and rng.random() < 0.05:
        if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
            return rng.choice(['%d.' % x, '%de0' % x, '%dE+00' % x])
    return repr(x)


# Valid Python literals with unusual spelling (scalars).
TRICKY_OK = ['0x10000000000000801', '0x1_0000_0000_0000_0801', '0x1fffffffffffffffff',
             '-0x8000000000000000', '-0x8000000000000001', '0o777', '0O17', '0b1010',
             '0B1', '0x_1f', '0_0', '00', '00.5', '1_0.5', '1_000', '1e400', '-1e400',
             '1e-400', '-1e-400', '-nan', '- 5', '-0', '-0.0', '0e0', '.5', '5.', '1E5',
             '1e+05', '1e-05', '9007199254740993', '-9223372036854775809',
             '18446744073709551616', '18446744073709551615', '-9223372036854775808',
             '0.1000000000000000055511151231257827021181583404541015625',
             '2.4703282292062327e-324', '2.4703282292062328e-324',
             '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308',
             '179769313486231580793728971405301e276', '3.4028235677973366e38',
             '3.4028235677973367e38', '65519.999999999996', '65520', '-65520.0',
             '0.000000000000000000000000000000000000000000001401298464324817',
             '7.00649232162408535e-46', '7.006492321624086e-46',
             '2.98023223876953125e-08', '2.9802322387695313e-08',
             '123456789012345678901234567890', '1' + '0' * 400, '-' + '9' * 330,
             "B'x'", "b'a' b'b'", "b'a'b\"\"", "rb'\\x41'", "Rb'x'", "bR'x'",
             "b'\\101'", "b'\\0'", "b'\\a\\b\\f\\v\\t\\n\\r'",
             "b'\\''", 'b"\\""', "b''", 'True', 'False', ' 1 ', '\t7\n',
             "b'''x'''", 'b\"\"\"xy\"\"\"']
# Not Python literals of the accepted kinds: must be errors.
TRICKY_BAD = ['1e_5', '1_e5', '1__0', '1_', '_1', '0x', '007', '1.5e', '--5', '+-5',
              'NaN', 'Inf', 'infinity', 'nan0', '1j', "b'\xc3\xa9'", "u'x'", "'x'",
              "b'\\x4'", '0b2', '0o8', '0xg', '1.2.3', '.', '-', '[', ']', '', ' ',
              '[1]]', 'True False', 'true', 'None', '{}', '1 2', '[1 2]', '[,]', '[1,,]',
              "b'x' 'y'", 'b"x', '1+2', '~1', '-True', 'not 1', '(1', '[1)']


def same(a, b):
    """Exact equality: types, -0.0 vs 0.0, nan == nan."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return struct.pack('<d', a) == struct.pack('<d', b)
    return a == b


def conv(fmt, x):
    """memoryview item assignment of x to one element of fmt -> bytes."""
    code = fmt_code(fmt)
    if code == 'e':
        if type(x) not in (int, float, bool):
            raise Err('invalid type for e')
        try:
            return struct.pack('e', x)
        except (struct.error, OverflowError) as e:
            raise Err(str(e))
    m = memoryview(bytearray(fmt_size(fmt))).cast(mv_fmt(fmt))
    try:
        m[0] = x
    except (TypeError, ValueError, OverflowError) as e:
        raise Err(str(e))
    return bytes(m.obj)


def expected_set(data, v, text):
    """-> list of acceptable outcomes: bytes (new file) or Err."""
    try:
        val = lit_eval(text)
    except LitError as e:
        return [Err(str(e))]
    code = fmt_code(v.fmt)
    offs = v.offsets()
    isz = v.itemsize

    def write(pieces):
        out = bytearray(data)
        for o, p in zip(offs, pieces):
            out[o:o + isz] = p
        return bytes(out)

    def scalar(x):
        try:
            p = conv(v.fmt, x)
        except Err as e:
            if not offs and v.ndim > 0:
                return [e, bytes(data)]      # empty view: ambiguous
            return [e]
        return [write([p] * len(offs))]

    if isinstance(val, bytes):
        assert code != '?', 'bytes into ? views are not generated'
        if code == 'c' and len(val) == 1:
            return scalar(val)
        if len(val) == v.nbytes:
            return [write([val[i:i + isz] for i in range(0, len(val), isz)])]
        return scalar(val)
    if isinstance(val, list):
        if v.ndim == 0:
            if code == '?':
                return [Err('list into 0-d'), write([conv(v.fmt, val)])]
            return [Err('list into 0-d view')]
        leaves = []
        amb = []

        def walk(x, d):
            if d == v.ndim:
                if isinstance(x, list):
                    if code != '?':
                        raise Err('list where an element is expected')
                    amb.append(1)
                leaves.append(x)
                return
            if not isinstance(x, list) or len(x) != v.shape[d]:
                raise Err('shape mismatch')
            for y in x:
                walk(y, d + 1)
        try:
            walk(val, 0)
            pieces = [conv(v.fmt, x) for x in leaves]
        except Err as e:
            return [e]
        if amb:
            return [Err('list leaf into ?'), write(pieces)]
        return [write(pieces)]
    return scalar(val)


# ---------------------------------------------------------------------------
# Generation

INT_RANGE = {}
for _c in INT_CODES + 'P':
    _s = struct.calcsize(_c)
    if _c == 'P':
        INT_RANGE[_c] = (-2**63, 2**64 - 1)
    elif _c.isupper():
        INT_RANGE[_c] = (0, 2**(8 * _s) - 1)
    else:
        INT_RANGE[_c] = (-2**(8 * _s - 1), 2**(8 * _s - 1) - 1)

SPECIAL_FLOATS = [0.0, -0.0, float('nan'), float('inf'), float('-inf'), 1.5, -2.25,
                  1e300, -1e300, 1e-300, 5e-324, -5e-324, 2.2250738585072014e-308,
                  3.4028234663852886e+38, 3.4028235677973366e+38, 3.402823669209385e+38,
                  1e39, -1e39, 1.401298464324817e-45, 7e-46, 1.1754943508222875e-38,
                  65504.0, -65504.0, 65519.99, 65520.0, -65520.0, 65519.0,
                  6.103515625e-05, 5.960464477539063e-08, 2.9802322387695312e-08,
                  2.980232238769532e-08, 1e-8, 0.1, 1/3, 1e16, 2.0**53 + 2,
                  1.0000000000000002, 0.30000000000000004]
SPECIAL_INTS = [0, 1, -1, 2**53 + 1, 2**53 + 3, 2**63, -2**63, 2**64, 2**64 - 1,
                10**30, -10**30, 2**1023, 2**1024, -2**1024, 10**400, 65520, 65504,
                2**128, 2**128 - 2**103, 2**24 + 1]


def rand_half_neighbourhood(rng):
    """A double at / near the midpoint of two adjacent finite halves."""
    while True:
        u = rng.randrange(0, 0x7bff)
        a, b = half_decode(u), half_decode(u + 1)
        mid = (a + b) / 2
        k = rng.choice([0, 0, 1, -1])
        x = mid if k == 0 else math.nextafter(mid, math.inf if k > 0 else -math.inf)
        return -x if rng.random() < 0.5 else x


def gen_elem(code, rng, for_list=False):
    r = rng.random()
    if code in INT_RANGE:
        lo, hi = INT_RANGE[code]
        if r < 0.55:
            return rng.randint(lo, hi)
        if r < 0.62:
            return rng.randint(-3, 3)
        if r < 0.8:
            return rng.choice([lo, hi, lo - 1, hi + 1, 0])
        if r < 0.86:
            return rng.choice([True, False])
        if r < 0.92:
            return rng.choice(SPECIAL_INTS)
        if r < 0.97:
            return rng.choice([1.0, 0.0, -0.5, float('nan')])
        return rng.choice([b'x', b''])
    if code in FLOAT_CODES:
        if r < 0.3:
            return rng.choice(SPECIAL_FLOATS)
        if r < 0.45:
            return struct.unpack('d', rng.randbytes(8))[0]
        if r < 0.55:
            return rng.uniform(-1e5, 1e5)
        if r < 0.65:
            return struct.unpack('f', rng.randbytes(4))[0]
        if r < 0.75:
            return rand_half_neighbourhood(rng)
        if r < 0.83:
            return rng.choice(SPECIAL_INTS)
        if r < 0.9:
            return rng.randint(-70000, 70000)
        if r < 0.95:
            return rng.choice([True, False])
        return rng.choice([b'x', b''])
    if code == '?':
        return rng.choice([0, 1, -1, 2, 10**30, 0.0, -0.0, float('nan'), 1.5, True, False,
                           b'', b'\x00', b'x'])
    if code == 'c':
        if r < 0.88:
            return bytes([rng.choice([0, 10, 39, 34, 92, 127, 128, 255, rng.randrange(256)])])
        return rng.choice([b'', b'ab', 1, 0, True, 1.0])
    raise AssertionError(code)


def factor(n, k, rng):
    """A random shape of k dims with product n (n > 0)."""
    dims = []
    for _ in range(k - 1):
        divs = [d for d in range(1, n + 1) if n % d == 0]
        d = rng.choice(divs)
        dims.append(d)
        n //= d
    dims.append(n)
    rng.shuffle(dims)
    return dims


class Gen:
    def __init__(self, rng, xattr_ok, variants):
        self.rng = rng
        self.xattr_ok = xattr_ok
        self.variants = variants
        self.mem = None

    def data(self, size):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return rng.randbytes(size)
        if r < 0.7:
            return bytes(rng.choice([0, 1, 0x80, 0xff, 0x7f, 0x3c, 0x7c]) for _ in range(size))
        if r < 0.85:   # packed special floats
            code = rng.choice('fde')
            b = b''
            while len(b) < size:
                x = rng.choice(SPECIAL_FLOATS)
                try:
                    b += struct.pack(code, x)
                except (OverflowError, struct.error):
                    b += struct.pack(code, 0.0)
            return b[:size]
        return bytes(i % 256 for i in range(size))

    def size(self):
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            return rng.choice([0, 1, 2, 3])
        if r < 0.75:
            return rng.choice([4, 5, 6, 7, 8, 9, 12, 15, 16, 18, 24, 30, 32, 36, 40, 48,
                               60, 64, 72, 80, 96, 120, 128])
        if r < 0.98:
            return rng.randint(0, 300)
        return rng.randint(1000, 5000)

    def xattrs(self, size):
        rng = self.rng
        fmt = rng.choice(FORMATS + 'BBhdf')
        if rng.random() < 0.2:
            fmt = '@' + fmt
        isz = fmt_size(fmt)
        x = {}
        r = rng.random()
        if r < 0.25:   # format only
            x['user.view.format'] = fmt
            if size % isz and rng.random() < 0.8:
                x['user.view.format'] = 'B'
            return x
        if r > 0.85:
            fmt = None
        else:
            x['user.view.format'] = fmt
        isz = fmt_size(fmt or 'B')
        cnt = size // isz
        if rng.random() < 0.3 and cnt > 1:
            cnt = rng.randint(1, cnt)
        k = rng.choice([1, 1, 2, 2, 3, 4])
        if cnt == 0:
            shape = [0] + [rng.randint(1, 3) for _ in range(k - 1)]
        else:
            shape = factor(cnt, k, rng)
        s = ','.join(map(str, shape))
        rr = rng.random()
        if rr < 0.06:
            s = str(cnt + 1)             # does not fit
        elif rr < 0.09:
            s = rng.choice(['2,x', '-1', '', '1,,1', '99999999999999999999999'])
        elif rr < 0.11 and fmt is not None:
            x['user.view.format'] = rng.choice(['Z', 'ii', '@'])
        elif rr < 0.13:
            s = ','.join(['1'] * rng.choice([64, 65]))
        elif rr < 0.16:
            x['user.view.format'] = ''
        x['user.view.shape'] = s
        return x

    def op(self, v):
        rng = self.rng
        if v is not None and v.ndim == 1 and v.fmt in BYTEFMT:
            kinds = ['cast'] * 4 + ['offset', 'length'] * 2 + ['slice'] * 3 + ['transpose']
        elif v is not None and v.ndim >= 2:
            kinds = ['slice'] * 5 + ['transpose'] * 3 + ['cast'] * 2
        else:
            kinds = ['slice'] * 5 + ['transpose'] + ['cast'] * 3
        if v is not None and v.ndim == 0:
            kinds = ['cast'] * 8 + ['transpose']
        elif (v is not None and self.mem is not None and rng.random() < 0.8 and
              (not self.mem.mv(v).c_contiguous or (v.nelem == 0 and v.ndim > 1))):
            kinds = [k for k in kinds if k != 'cast']
        if rng.random() < 0.04 or v is None:
            kinds = ['cast', 'slice', 'transpose', 'offset', 'length']
        k = rng.choice(kinds)
        return getattr(self, 'op_' + k)(v)

    def num(self, n):
        rng = self.rng
        r = rng.random()
        if r < 0.94:
            return str(rng.randint(0, n + 3))
        if r < 0.97:
            return rng.choice(['0', str(10**20), str(2**63 - 1), str(2**64), '00' + str(n // 2)])
        return rng.choice(['-1', 'x', '', '1x', '0x10', ' 1'])

    def op_offset(self, v):
        return ['--offset', self.num(v.shape[0] if v and v.ndim == 1 else 5)]

    def op_length(self, v):
        return ['--length', self.num(v.shape[0] if v and v.ndim == 1 else 5)]

    def op_cast(self, v):
        rng = self.rng
        if v is None or rng.random() < 0.06:
            return ['--cast', rng.choice(['Z', '@', '@@B', 'w', 'B:-1', 'B:x', 'B:1,,1',
                                          'B:' + ','.join(['1'] * 65),
                                          'B:' + ','.join(['1'] * 64),
                                          'B:99999999999999999999', 'B:4611686018427387904,4',
                                          'h:' + str(2**62), 'B:0', 'B:2,,3', 'B:2x3',
                                          'B:,2', 'B:1.0', ':4', ''])]
        isbyte = v.fmt in BYTEFMT
        if isbyte and rng.random() < 0.85:
            fmt = rng.choice(FORMATS + 'hidBf')
        elif rng.random() < 0.9:
            fmt = rng.choice('BBbc')
        else:
            fmt = rng.choice(FORMATS)
        nb = v.nbytes
        if rng.random() < 0.95:
            fits = [f for f in FORMATS + 'hidBf' if nb % fmt_size(f) == 0
                    and (isbyte or f in 'Bbc')]
            if fits and fmt not in fits:
                fmt = rng.choice(fits)
        if rng.random() < 0.2:
            fmt = '@' + fmt
        isz = fmt_size(fmt)
        cnt = nb // isz
        r = rng.random()
        if v.ndim != 1 and r < 0.85:
            return ['--cast', fmt]
        if r < 0.45:
            return ['--cast', fmt]
        if r < 0.5:
            return ['--cast', fmt + ':']
        k = rng.choice([1, 2, 2, 3, 3, 4, 5])
        if cnt == 0:
            shape = [0] * k
        else:
            shape = factor(cnt, k, rng)
        if rng.random() < 0.06:    # many dimensions (up to 64, or 65: an error)
            extra = rng.choice([5, 10, 30, 64 - k, 64 - k, 65 - k])
            for _ in range(max(0, extra)):
                shape.insert(rng.randint(0, len(shape)), 1)
        if rng.random() < 0.05:
            shape[rng.randrange(len(shape))] += 1
        return ['--cast', fmt + ':' + ','.join(map(str, shape))]

    def bound(self, n):
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return ''
        if r < 0.96:
            return str(rng.randint(-n - 2, n + 2))
        return rng.choice([str(10**20), str(-10**20), str(2**63), str(-2**63 - 1),
                           str(2**63 - 1), str(-2**63)])

    def op_slice(self, v):
        rng = self.rng
        nd = v.ndim if v is not None else 1
        if nd == 0:
            return ['--slice', rng.choice(['0', ':', '-1'])]
        k = rng.randint(1, nd)
        if rng.random() < 0.04:
            k = nd + 1
        all_int = rng.random() < 0.07
        items = []
        for d in range(k):
            n = v.shape[d] if v is not None and d < nd else 3
            if (all_int or rng.random() < (0.12 if nd == 1 else 0.25)) and \
                    (n > 0 or rng.random() < 0.3):
                r = rng.random()
                if n > 0 and r < 0.88:
                    items.append(str(rng.randint(-n, n - 1)))
                else:
                    items.append(rng.choice([str(n), str(-n - 1), str(10**20),
                                             str(-10**20), '0']))
                continue
            start, stop = self.bound(n), self.bound(n)
            r = rng.random()
            if r < 0.4:
                step = ''
            elif r < 0.95:
                step = str(rng.choice([1, 1, 2, 3, -1, -1, -2, -3, 5, -7]))
            elif r < 0.97:
                step = '0'
            else:
                step = rng.choice([str(2**40), str(-2**40), str(10**20), str(-10**20),
                                   str(n + 1), str(-n - 1)])
            if step == '':
                items.append(start + ':' + stop + rng.choice(['', ':']))
            else:
                items.append(start + ':' + stop + ':' + step)
        if rng.random() < 0.02:
            return ['--slice', rng.choice(['1:2:3:4', '1.5', 'a', '1:a', '1e3', ':::',
                                           '1,,0', '[0]', '0:1;2'])]
        return ['--slice', ','.join(items)]

    def op_transpose(self, v):
        rng = self.rng
        nd = v.ndim if v is not None else 2
        if rng.random() < 0.4 or nd == 0:
            return ['--transpose']
        perm = list(range(nd))
        rng.shuffle(perm)
        r = rng.random()
        if r < 0.04:
            perm.append(nd)
        elif r < 0.08 and nd > 1:
            perm[0] = perm[1]
        elif r < 0.11:
            perm = perm[:-1]
        elif r < 0.14:
            perm[-1] = nd
        elif r < 0.17:
            i = rng.randrange(nd)
            perm[i] -= nd
        if rng.random() < 0.03:
            return ['--transpose=' + rng.choice(['a', '1,,0', '0.5', '0;1', '[0]', '0,'])]
        return ['--transpose=' + ','.join(map(str, perm))]

    def output(self, v):
        rng = self.rng
        r = rng.random()
        nb = v.nbytes if v is not None else 4
        if r < 0.38:
            return '--tolist'
        if r < 0.6:
            return '--info'
        if r < 0.8:
            rr = rng.random()
            if rr < 0.3:
                return '--hex'
            r3 = rng.random()
            if r3 < 0.85:
                sep = rng.choice(':-_ .|/x#')
            elif r3 < 0.93:
                sep = rng.choice(['\t', '\x01', '\x7f', '"', "'", '\\', '%', '~', '0'])
            else:
                sep = rng.choice(['ab', 'é', '', '::'])
            rr = rng.random()
            if rr < 0.3:
                return '--hex=' + sep
            if rr < 0.95:
                n = rng.choice([1, 2, 3, -1, -2, -3, 0, rng.randint(-nb - 2, nb + 2)])
            else:
                n = rng.choice(['x', str(2**31 - 1), str(-2**31), str(2**31), ''])
            return '--hex=%s,%s' % (sep, n)
        rr = rng.random()
        if rr < 0.25:
            return '--tobytes'
        if rr < 0.95:
            return '--tobytes=' + rng.choice('CFA')
        return '--tobytes=' + rng.choice(['X', 'c', '', 'CF'])

    def value(self, v):
        rng = self.rng
        if v is None:
            return render(rng.choice([1, [1], b'x', 1.5]), rng)
        code = fmt_code(v.fmt)
        r = rng.random()
        if r < 0.03:
            return rng.choice(['[1,', 'abc', '', '[1 2]', '1.2.3', 'None', "{1: 2}",
                               "b'\\xZZ'", '[1,,2]', '1+2', 'nan nan'])
        if self.variants and r < 0.1:
            rr = rng.random()
            if rr < 0.05:
                n = rng.choice([65, 101, 300, 5000, 50000])
                return '[' * n + ']' * n
            t = rng.choice(TRICKY_OK if rr < 0.75 else TRICKY_BAD)
            if code == '?':
                try:
                    if isinstance(lit_eval(t), bytes):
                        t = 'True'
                except LitError:
                    pass
            if v.ndim > 0 and rng.random() < 0.5 and v.nelem <= 4096:
                val = self.nested(v, 0, code)
                txt = render(val, rng, self.variants)
                # swap the first leaf for the tricky token
                m = re.search(r"\[+(b'[^']*'|b\"[^\"]*\"|[^,\]\[]+)", txt)
                if m:
                    return txt[:m.start(1)] + t + txt[m.end(1):]
            return t
        if r < 0.09 and code not in '?':
            return rng.choice(["'s'", "u'x'", '(1, 2)' if code == '?' else 'None'])
        if r < 0.6 and v.ndim > 0 and v.nelem <= 4096:
            val = self.nested(v, 0, code)
            rr = rng.random()
            if rr < 0.1:
                val = self.defect(val, v, code)
            elif rr < 0.25:
                val = self.spoil(val, v)
        elif r < 0.87 or v.ndim == 0:
            val = self.elem(v, rng.random() < 0.75)
            if v.ndim == 0 and rng.random() < 0.03:
                val = [val]
        elif code != '?':
            if rng.random() < 0.75:
                val = rng.randbytes(v.nbytes)
            else:
                val = rng.randbytes(max(0, v.nbytes + rng.choice([-1, 1, 2])))
        else:
            val = rng.choice([True, 0.0, [1] * (v.shape[0] if v.ndim else 1)])
        return render(val, rng, self.variants)

    def elem(self, v, valid):
        """An element that converts (valid) or does not, when possible."""
        code = fmt_code(v.fmt)
        x = None
        for _ in range(30):
            x = gen_elem(code, self.rng)
            if code == '?' and isinstance(x, bytes):
                continue
            try:
                conv(v.fmt, x)
                ok = True
            except Err:
                ok = False
            if ok == valid:
                return x
        return x

    def nested(self, v, d, code):
        if d == v.ndim:
            return self.elem(v, True)
        return [self.nested(v, d + 1, code) for _ in range(v.shape[d])]

    def spoil(self, val, v):
        """Replace one leaf by an element that does not convert."""
        node = val
        for d in range(v.ndim - 1):
            if not node:
                return val
            node = node[self.rng.randrange(len(node))]
        if node:
            node[self.rng.randrange(len(node))] = self.elem(v, False)
        return val

    def defect(self, val, v, code):
        rng = self.rng
        # walk to a random depth and damage it
        d = rng.randrange(v.ndim)
        node = val
        for _ in range(d):
            if not node:
                return val
            node = node[rng.randrange(len(node))]
        r = rng.random()
        if r < 0.3:
            node.append(node[0] if node else 0)
        elif r < 0.55 and node:
            node.pop()
        elif node:
            i = rng.randrange(len(node))
            if d == v.ndim - 1:
                node[i] = [node[i]]          # list at leaf
            else:
                node[i] = gen_elem(code, rng)  # scalar where a list belongs
        return val


# ---------------------------------------------------------------------------
# Cases

class Case:
    def __init__(self, idx, cmd, data, xattrs, args):
        self.idx, self.cmd, self.data, self.xattrs, self.args = idx, cmd, data, xattrs, args

    def groups(self):
        """args split into option groups (for shrinking)."""
        g = []
        i = 0
        a = self.args
        tail = 2 if self.cmd == 'set' else 1
        while i < len(a) - tail:
            if a[i] in ('--offset', '--length', '--cast', '--slice'):
                g.append(a[i:i + 2])
                i += 2
            else:
                g.append(a[i:i + 1])
                i += 1
        return g, a[len(a) - tail:]


def gen_case(seed, idx, xattr_ok, variants):
    rng = random.Random('%d/%d' % (seed, idx))
    g = Gen(rng, xattr_ok, variants)
    size = g.size()
    data = g.data(size)
    xattrs = None
    args = []
    raw_at = None
    if xattr_ok and rng.random() < 0.15:
        xattrs = g.xattrs(size)
        if rng.random() < 0.25:
            args.append('--raw')
            raw_at = rng.random()
    if rng.random() < 0.05:
        return float_case(rng, idx)
    mem = Mem(data)
    g.mem = mem
    cmd = 'set' if rng.random() < 0.28 else 'show'
    nops = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6])
    if rng.random() < 0.03:
        nops = rng.randint(10, 70)
    try:
        v = [x for x in start_views(mem, '--raw' in args, xattrs) if isinstance(x, View)][0]
    except (Err, IndexError):
        v = None
    if v is not None and v.ndim == 1 and v.fmt in BYTEFMT and nops and rng.random() < 0.45:
        # a typed n-D view first, then slices and transposes on it
        fits = [f for f in FORMATS if v.nbytes % fmt_size(f) == 0]
        if fits and v.nbytes:
            f = rng.choice(fits)
            cnt = v.nbytes // fmt_size(f)
            shape = factor(cnt, rng.choice([2, 2, 3, 3, 4]), rng)
            if rng.random() < 0.2:
                f = '@' + f
            args += ['--cast', '%s:%s' % (f, ','.join(map(str, shape)))]
            nops -= 1
            outs = eval_chain(mem, '--raw' in args, xattrs,
                              parse_cmdline('show', args + ['--info'])[1])
            v = ([o for o in outs if isinstance(o, View)] or [None])[0]
    for _ in range(nops):
        op = g.op(v)
        args += op
        if v is not None:
            outs = eval_chain(mem, '--raw' in args, xattrs, parse_cmdline('show', args + ['--info'])[1])
            views = [o for o in outs if isinstance(o, View)]
            v = views[0] if views else None
            if v is None and rng.random() < 0.7:
                break
    if cmd == 'set':
        if v is not None and fmt_code(v.fmt) == '?':
            pass
        args += ['--value', g.value(v)]
        # bytes into '?' views are ambiguous: never generated
        if v is not None and fmt_code(v.fmt) != '?':
            pass
    else:
        args.append(g.output(v))
    if raw_at is not None and raw_at < 0.3:
        # --raw anywhere among the options
        args.remove('--raw')
        tail = 2 if cmd == 'set' else 1
        args.insert(len(args) - tail, '--raw')
    c = Case(idx, cmd, data, xattrs, args)
    fix_bool_bytes(c)
    if rng.random() < 0.04:
        fuzz(c, rng)
    return c


FUZZ_CHARS = '0123456789-:,+ _@.xeE[]()\'"b' + FORMATS + '\t\n\\'


def fuzz(c, rng):
    """Mangle one option argument at the character level.  Only robustness
    is checked then: no crash, no sanitizer report, a clean error or a
    result, the file untouched by show and by a failed set."""
    cand = [i for i, a in enumerate(c.args)
            if i > 0 and c.args[i - 1] in ('--offset', '--length', '--cast', '--slice',
                                            '--value')
            or a.startswith(('--transpose=', '--hex=', '--tobytes='))]
    if not cand:
        return
    i = rng.choice(cand)
    a = c.args[i]
    for _ in range(rng.randint(1, 4)):
        k = rng.randint(0, len(a))
        r = rng.random()
        ch = rng.choice(FUZZ_CHARS)
        if r < 0.4:
            a = a[:k] + ch + a[k:]
        elif r < 0.7:
            a = a[:k] + a[k + 1:]
        elif r < 0.9:
            a = a[:k] + ch + a[k + 1:]
        else:
            a = a[:k] + a[k:k + 8] * rng.randint(2, 50) + a[k + 8:]
    c.args[i] = a
    c.fuzz = True


def static_cases():
    """Fixed cases: the seed example and the command-line grammar."""
    L = []

    def add(cmd, data, args, xattrs=None, path=None):
        c = Case(10**6 + len(L), cmd, data, xattrs, args)
        c.path = path
        L.append(c)
    add('set', b'XYZ', ['--slice', '2', '--value', '74'])
    add('show', b'XYZ', ['--slice', '-1', '--tolist'])
    add('set', b'XYZ', ['--cast', 'b', '--slice', '-1', '--value', '-5'])
    add('show', b'XYZ', [])
    add('show', b'XYZ', ['--tolist', '--info'])
    add('show', b'XYZ', ['--bogus', '--tolist'])
    add('show', b'XYZ', ['--slice'])
    add('show', b'XYZ', ['--slice', '--tolist'])
    add('show', b'XYZ', ['--offset', '-1', '--tolist'])
    add('show', b'XYZ', ['--tolist', '--slice', '0'])
    add('set', b'XYZ', ['--value'])
    add('set', b'XYZ', ['--value', '1', '--slice', '0'])
    add('set', b'XYZ', ['--slice', '0'])
    add('set', b'XYZ', ['--tolist'])
    add('show', b'XYZ', ['--value', '1'])
    add('show', b'XYZ', ['--hex=', ])
    add('show', b'XYZ', ['--hex=:,'])
    add('show', b'XYZ', ['--tobytes='])
    add('show', b'', ['--tobytes'])
    add('show', b'', ['--tolist'])
    add('show', b'', ['--hex=:,2'])
    add('set', b'', ['--value', 'b\'\''])
    add('set', b'', ['--value', '[]'])
    add('set', b'', ['--value', '1'])
    add('show', b'XYZ', ['--tolist'], path='missing')
    add('show', b'XYZ', ['--tolist'], path='dir')
    add('set', b'XYZ', ['--value', '1'], path='missing')
    # every half float, and many float/double bit patterns, through --tolist
    add('show', struct.pack('<65536H', *range(65536)), ['--cast', 'e', '--tolist'])
    rng = random.Random(7)
    add('show', b''.join(struct.pack('d', special_double(rng)) for _ in range(4000)),
        ['--cast', 'd', '--tolist'])
    add('show', b''.join(struct.pack('I', rng.getrandbits(32)) for _ in range(4000)),
        ['--cast', 'f', '--tolist'])
    # the unusual literals: all those valid for a format in one list
    for fmt in FORMATS:
        ok = []
        for t in TRICKY_OK:
            try:
                x = lit_eval(t)
                if isinstance(x, bytes) and fmt != 'c':
                    continue
                conv(fmt, x)
                ok.append(t)
            except (LitError, Err):
                pass
        if ok:
            add('set', bytes(len(ok) * fmt_size(fmt)),
                ['--cast', fmt, '--value', '[' + ', '.join(ok) + ']'])
    for t in TRICKY_BAD:
        add('set', b'\x00', ['--value', t])
    return L


def special_double(rng):
    """Doubles whose shortest repr is hard to get right."""
    r = rng.random()
    if r < 0.25:
        nd = rng.choice([1, 2, 5, 14, 15, 15, 16, 16, 17, 17])
        m = rng.randrange(10**(nd - 1), 10**nd)
        e = rng.randint(-330, 310)
        x = float('%de%d' % (m, e))
    elif r < 0.4:
        x = math.ldexp(1.0, rng.randint(-1074, 1023))
    elif r < 0.5:
        x = 10.0 ** rng.randint(-323, 308)
    elif r < 0.6:
        x = struct.unpack('d', struct.pack('Q', rng.randrange(1, 2**52)))[0]  # subnormal
    elif r < 0.7:
        x = float(rng.choice([1e16, 1e15, 1e-4, 1e-5, 9.999999999999999e15,
                              1e16 - 2, 123456789012345678, 0.0001, 0.00009999999999999999,
                              5e-324, 1.7976931348623157e308, 2.2250738585072014e-308,
                              2.225073858507201e-308, 4.35, 0.3, 2**53, 2**63, 1e22, 1e23]))
    elif r < 0.85:
        x = struct.unpack('d', rng.randbytes(8))[0]
    else:
        x = rng.uniform(-1e6, 1e6)
    k = rng.choice([0, 0, 0, 1, -1])
    if k and math.isfinite(x):
        x = math.nextafter(x, math.inf * k)
    return -x if rng.random() < 0.3 else x


def float_case(rng, idx):
    """Many hard floats through one --tolist (or a set of them)."""
    code = rng.choice('dddffe')
    n = rng.randint(64, 1024)
    vals = [special_double(rng) for _ in range(n)]
    if code == 'd':
        data = b''.join(struct.pack('d', x) for x in vals)
    elif code == 'f':
        data = b''.join(struct.pack('I', rng.getrandbits(32)) if rng.random() < 0.5 else
                        struct.pack('f', max(-3e38, min(3e38, x))) for x in vals)
    else:
        data = rng.randbytes(2 * n)
    fmt = rng.choice([code, '@' + code])
    if rng.random() < 0.2:
        val = [special_double(rng) for _ in range(n)]
        return Case(idx, 'set', data, None, ['--cast', fmt, '--value', render(val, rng)])
    args = ['--cast', fmt]
    if rng.random() < 0.3:
        args += ['--slice', '::-%d' % rng.randint(1, 3)]
    return Case(idx, 'show', data, None, args + ['--tolist'])


def fix_bool_bytes(c):
    """Replace a bytes --value into a '?' view (an open question) by 1."""
    if c.cmd != 'set':
        return
    try:
        val = lit_eval(c.args[-1])
    except LitError:
        return
    if not isinstance(val, bytes):
        return
    mem = Mem(c.data)
    try:
        raw, ops, _ = parse_cmdline('set', c.args)
    except Err:
        return
    for o in eval_chain(mem, raw, c.xattrs, ops):
        if isinstance(o, View) and fmt_code(o.fmt) == '?':
            c.args[-1] = '1'
            return


def oracle(c):
    """-> list of acceptable outcomes:
    ('err',), ('any',), ('show', kind, value), ('set', newbytes)."""
    mem = Mem(c.data)
    if getattr(c, 'path', None):
        return [('err',)]
    if getattr(c, 'fuzz', False):
        return [('any',)]
    try:
        raw, ops, final = parse_cmdline(c.cmd, c.args)
    except Err:
        return [('err',)]
    outs = []
    for o in eval_chain(mem, raw, c.xattrs, ops):
        if o is ANY:
            outs.append(('any',))
        elif isinstance(o, Err):
            outs.append(('err',))
        elif c.cmd == 'show':
            try:
                outs.append(('show',) + expected_show(mem, o, final[0], final[1]))
            except Err:
                outs.append(('err',))
        else:
            for r in expected_set(c.data, o, final[1]):
                outs.append(('err',) if isinstance(r, Err) else ('set', r))
    return outs


# ---------------------------------------------------------------------------
# Running and comparing

SAN_MARKS = ('Sanitizer', 'runtime error:', 'LeakSanitizer', 'AddressSanitizer')


class HarnessError(Exception):
    """The binary could not be run at all (not a test result)."""


class Runner:
    def __init__(self, view, tmpdir, timeout=30):
        self.view = view
        self.tmpdir = tmpdir
        self.timeout = timeout

    def run(self, c, tag=''):
        path = os.path.join(self.tmpdir, 'c%d%s' % (c.idx, tag))
        special = getattr(c, 'path', None)
        if special == 'missing':
            target = path + '.missing'
        elif special == 'dir':
            target = self.tmpdir
        else:
            target = path
        with open(path, 'wb') as f:
            f.write(c.data)
        if c.xattrs:
            for k, val in c.xattrs.items():
                os.setxattr(path, k, val.encode())
        try:
            for attempt in range(20):
                try:
                    p = subprocess.run([self.view, c.cmd, target] + c.args,
                                       capture_output=True, timeout=self.timeout)
                    rc, out, err = p.returncode, p.stdout, p.stderr
                    break
                except subprocess.TimeoutExpired:
                    rc, out, err = 'timeout', b'', b''
                    break
                except OSError as e:
                    # the binary being rebuilt (ETXTBSY, EACCES, ENOENT) or
                    # no processes left: not a result, try again
                    if attempt == 19:
                        raise HarnessError('cannot run %s: %s' % (self.view, e))
                    time.sleep(0.5 + attempt * 0.5)
            with open(path, 'rb') as f:
                after = f.read()
        finally:
            os.unlink(path)
        return rc, out, err, after


class Emulator:
    """The oracle as a CLI (strict readings) -- for --self-test only."""

    def run(self, c, tag=''):
        outs = oracle(c)
        o = outs[0]
        if o[0] in ('err', 'any'):
            return 1, b'', b'view: error\n', c.data
        if o[0] == 'set':
            return 0, b'', b'', o[1]
        kind, val = o[1], o[2]
        if kind == 'tolist':
            return 0, (repr(val) + '\n').encode(), b'', c.data
        if kind == 'info':
            val = dict(val, readonly=True)
            return 0, (json.dumps(val) + '\n').encode(), b'', c.data
        if kind == 'hex':
            return 0, (val + '\n').encode(), b'', c.data
        return 0, val, b'', c.data


def short(x, n=240):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + '...(%d chars)' % len(s)


def first_diff(a, b, path):
    """(index path, a-part, b-part) of the first difference, or None."""
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, path + (i,))
            if d:
                return d
        if len(a) != len(b):
            return (path, 'len %d' % len(a), 'len %d' % len(b))
        return None
    return None if same(a, b) else (path, a, b)


def _tokens(text):
    toks = []
    skip = (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
            tokenize.DEDENT)
    for t in tokenize.generate_tokens(io.StringIO(text).readline):
        if t.type in skip:
            continue
        if t.type == tokenize.STRING:
            toks.append(('str', ast.literal_eval(t.string)))
        else:
            toks.append(('tok', t.string))
    return toks


def text_diff(want, text):
    """None if text spells the same tokens as want (spacing free, bytes by
    value), else (want-token, got-token) at the first difference."""
    try:
        a, b = _tokens(want), _tokens(text)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return ('repr %s' % short(want), 'untokenizable %s' % short(text))
    for x, y in zip(a, b):
        if x != y:
            return ('token %r in %s' % (x[1], short(want, 160)),
                    'token %r in %s' % (y[1], short(text.strip(), 160)))
    if len(a) != len(b):
        return ('%d tokens' % len(a), '%d tokens' % len(b))
    return None


def diff_bytes(want, got):
    """Short description of how two byte strings differ."""
    if len(want) != len(got):
        return ('%d bytes %s' % (len(want), short(want.hex())),
                '%d bytes %s' % (len(got), short(got.hex())))
    d = [i for i in range(len(want)) if want[i] != got[i]]
    lo, hi = d[0] // 8 * 8, min(len(want), d[0] // 8 * 8 + 16)
    return ('file[%d:%d] = %s' % (lo, hi, want[lo:hi].hex()),
            'file[%d:%d] = %s (%d bytes differ, first at %d)' % (
                lo, hi, got[lo:hi].hex(), len(d), d[0]))


def check_one(exp, c, rc, out, err, after):
    """-> None if (rc, out, err, after) is acceptable for outcome exp, else
    (kind, expected-text, got-text)."""
    errtxt = err.decode('utf-8', 'replace')
    if rc == 'timeout':
        return ('hang', 'a result', 'no exit after timeout')
    if isinstance(rc, int) and rc < 0:
        return ('crash', 'a result', 'killed by signal %d; stderr %s' % (-rc, short(errtxt)))
    if any(m in errtxt for m in SAN_MARKS):
        return ('sanitizer', 'clean run', short(errtxt, 400))
    if c.cmd == 'show' and after != c.data:
        return ('show-changed-file', 'file unchanged', 'file changed')
    if rc != 0:
        lines = errtxt.split('\n')
        if lines and lines[-1] == '':
            lines.pop()
        if len(lines) != 1 or not lines[0].strip():
            return ('error-format', 'one stderr line', 'stderr %r' % short(errtxt))
        if out:
            return ('error-format', 'no stdout on error', 'stdout %s' % short(out))
        if c.cmd == 'set' and after != c.data:
            return ('failed-set-changed-file', 'file unchanged', 'file changed')
    kind = exp[0]
    if kind == 'any':
        return None
    if kind == 'err':
        if rc == 0:
            return ('missing-error', 'an error', 'exit 0, stdout %s' % short(out)
                    if c.cmd == 'show' else 'exit 0, file %s' % (
                        'unchanged' if after == c.data else 'changed to %s' % short(after.hex())))
        return None
    if rc != 0:
        return ('unexpected-error', 'success', 'exit %s: %s' % (rc, errtxt.strip()))
    if err:
        return ('stderr-on-success', 'empty stderr', short(errtxt))
    if kind == 'set':
        if out:
            return ('set-output', 'no stdout', short(out))
        if after != exp[1]:
            return ('wrong-set',) + diff_bytes(exp[1], after)
        return None
    what, val = exp[1], exp[2]
    if what == 'tobytes':
        if out != val:
            return ('wrong-tobytes', val.hex(), out.hex())
        return None
    try:
        text = out.decode()
    except UnicodeDecodeError:
        return ('wrong-' + what, 'utf-8 text', short(out))
    if text.count('\n') > 1 or (text and not text.endswith('\n')) and what == 'hex':
        pass
    if what == 'hex':
        if text.rstrip('\n') != val or text.count('\n') > 1:
            return ('wrong-hex', repr(val), repr(text))
        return None
    if what == 'tolist':
        try:
            got = lit_eval(text)
        except LitError as e:
            return ('wrong-tolist', short(repr(val)), 'unparsable %s (%s)' % (short(text), e))
        if not same(got, val):
            where = first_diff(val, got, ())
            if where and len(repr(val)) > 200:
                path, x, y = where
                return ('wrong-tolist', 'at index %s: %r (of %s)' % (list(path), x, short(repr(val), 100)),
                        'at index %s: %r (of %s)' % (list(path), y, short(repr(got), 100)))
            return ('wrong-tolist', short(repr(val), 400), short(repr(got), 400))
        d = text_diff(repr(val), text)
        if d:
            return ('tolist-not-repr', d[0], d[1])
        return None
    if what == 'info':
        try:
            got = json.loads(text)
        except ValueError:
            return ('wrong-info', 'JSON', short(text))
        # memoryview's members, then the file's seals (none here)
        if not isinstance(got, dict) or list(got) != INFO_KEYS + ['seals']:
            return ('wrong-info', 'keys %s + seals' % INFO_KEYS, short(text))
        if got['seals'] != []:
            return ('wrong-info', 'seals=[]', 'seals=%s' % json.dumps(got['seals']))
        bad = []
        for k in INFO_KEYS:
            e, g = val[k], got[k]
            if k == 'readonly':
                if type(g) is not bool:
                    bad.append(k)
            elif type(e) is not type(g) or e != g:
                bad.append(k)
        if bad:
            return ('wrong-info',
                    ', '.join('%s=%s' % (k, json.dumps(val[k])) for k in bad),
                    ', '.join('%s=%s' % (k, json.dumps(got[k])) for k in bad))
        return None
    raise AssertionError(what)


def judge(c, runner, tag=''):
    """-> (status, details) status 'pass'|'fail'."""
    exps = oracle(c)
    rc, out, err, after = runner.run(c, tag)
    probs = []
    for e in exps:
        p = check_one(e, c, rc, out, err, after)
        if p is None:
            return 'pass', None
        probs.append(p)
    # report the problem against the strict (first) reading
    return 'fail', probs[0]


def repro(c, view):
    if getattr(c, 'path', None) == 'missing':
        return ' '.join(shlex.quote(x) for x in [view, c.cmd, '/nonexistent/F'] + c.args)
    if getattr(c, 'path', None) == 'dir':
        return ' '.join(shlex.quote(x) for x in [view, c.cmd, '/tmp'] + c.args)
    if c.data:
        parts = ["cd \"$(mktemp -d)\"", "printf '%s' > F" % ''.join('\\x%02x' % b for b in c.data)]
    else:
        parts = ["cd \"$(mktemp -d)\"", ': > F']
    for k, v in (c.xattrs or {}).items():
        parts.append('setfattr -n %s -v %s F' % (k, shlex.quote(v) if v else "''"))
    parts.append(' '.join(shlex.quote(x) for x in [view, c.cmd, 'F'] + c.args))
    if c.cmd == 'set':
        parts.append('xxd -p F')
    return ' && '.join(parts)


def shrink(c, runner, kind, budget=60):
    """Greedy: drop option groups, simplify and shorten the data."""
    best = c
    tries = 0

    def still(cand):
        nonlocal tries
        tries += 1
        try:
            st, det = judge(cand, runner, '.s')
        except AssertionError:
            return False
        return st == 'fail' and det[0] == kind

    changed = True
    while changed and tries < budget:
        changed = False
        groups, final = best.groups()
        for i in range(len(groups)):
            if tries >= budget:
                break
            ng = groups[:i] + groups[i + 1:]
            cand = Case(best.idx, best.cmd, best.data, best.xattrs,
                        [x for g in ng for x in g] + final)
            if still(cand):
                best, changed = cand, True
                break
        if changed:
            continue
        for nd in (best.data[:len(best.data) // 2], best.data[:len(best.data) - 1],
                   bytes(len(best.data)), bytes(i % 256 for i in range(len(best.data)))):
            if tries >= budget or nd == best.data:
                continue
            cand = Case(best.idx, best.cmd, nd, best.xattrs, best.args)
            if still(cand):
                best, changed = cand, True
                break
    return best


def signature(c, det):
    groups, final = c.groups()
    out = final[0].split('=')[0] if final else '(none)'
    return (det[0], c.cmd, out)


def case_weight(c):
    return (len(c.args), len(c.data), sum(len(x) for x in c.args))


def xattr_supported(d):
    p = os.path.join(d, 'xattr-probe')
    try:
        with open(p, 'wb'):
            pass
        os.setxattr(p, 'user.view.probe', b'1')
        return True, ''
    except OSError as e:
        return False, 'user xattrs not supported in %s (%s)' % (d, e.strerror)
    finally:
        try:
            os.unlink(p)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--view', help='path of the view binary')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cases', type=int, default=600)
    ap.add_argument('--case', type=int, help='run only this case, verbosely')
    ap.add_argument('--jobs', type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument('--tmpdir', default=None)
    ap.add_argument('--no-shrink', action='store_true')
    ap.add_argument('--no-xattr', action='store_true')
    ap.add_argument('--no-variants', action='store_true',
                    help='do not use literal syntax variants (0x.., 1_000, 1.)')
    ap.add_argument('--max-repros', type=int, default=3, help='reproducers per signature')
    ap.add_argument('--self-test', action='store_true',
                    help='run against the oracle itself (harness check)')
    ap.add_argument('--show-ambiguous', action='store_true')
    a = ap.parse_args()
    if a.show_ambiguous:
        print(AMBIGUOUS)
        return 0
    if np is None:
        print('SKIP: numpy not available in %s' % sys.executable)
        return 77
    if not a.self_test and (not a.view or not os.access(a.view, os.X_OK)):
        print('SKIP: no view binary at %s' % a.view)
        return 77
    tmp = tempfile.mkdtemp(prefix='difftest.', dir=a.tmpdir)
    try:
        return run_all(a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_all(a, tmp):
    xok, why = xattr_supported(tmp)
    if a.no_xattr:
        xok, why = False, 'xattr cases disabled (--no-xattr)'
    if not xok:
        print('note: skipping xattr cases: ' + why)
    if a.self_test:
        runner = Emulator()
        view = 'view'
    else:
        view = os.path.abspath(a.view)
        runner = Runner(view, tmp)
    ids = [a.case] if a.case is not None else range(a.cases)
    t0 = time.time()
    # Generation does not depend on the file system: cases with xattrs are
    # skipped (and counted) where user xattrs are unavailable.
    cases = []
    gen_errors = []
    for i in ids:
        try:
            cases.append(gen_case(a.seed, i, True, not a.no_variants))
        except Exception:
            import traceback
            gen_errors.append('case %d: %s' % (i, traceback.format_exc()))
    if a.case is None:
        cases = static_cases() + cases
    skipped = 0
    if not xok:
        skipped = sum(1 for c in cases if c.xattrs)
        cases = [c for c in cases if not c.xattrs]

    def work(c):
        try:
            return judge(c, runner)
        except HarnessError as e:
            return 'harness-error', str(e)
        except Exception as e:  # an oracle bug: report, never hide
            import traceback
            return 'oracle-error', traceback.format_exc()

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        results = list(ex.map(work, cases))
    passed, failed = 0, len(gen_errors)
    for e in gen_errors[:3]:
        print('ORACLE ERROR (a bug in difftest.py) generating ' + e)
    sigs = {}
    oracle_errors = []
    harness_errors = []
    for c, (st, det) in zip(cases, results):
        if st == 'pass':
            passed += 1
        elif st == 'fail':
            failed += 1
            sigs.setdefault(signature(c, det), []).append((c, det))
        elif st == 'harness-error':
            failed += 1
            harness_errors.append((c, det))
        else:
            failed += 1
            oracle_errors.append((c, det))
        if a.case is not None:
            print('case %d: %s' % (c.idx, st))
            print('  ' + repro(c, view))
            for o in oracle(c):
                print('  acceptable: %s' % short(repr(o), 600))
            if det:
                print('  detail: %s' % (det,))
    if harness_errors:
        print('HARNESS: %d case(s) could not run, e.g. %s' % (
            len(harness_errors), harness_errors[0][1]))
    for c, tb in oracle_errors[:5]:
        print('ORACLE ERROR (a bug in difftest.py) case %d: %s\n%s' % (c.idx, repro(c, view), tb))
    if numpy_disagreements:
        print('ORACLE NOTE: %d model/NumPy geometry disagreements, e.g. %s' % (
            len(numpy_disagreements), numpy_disagreements[0]))
    for sig, lst in sorted(sigs.items(), key=lambda kv: -len(kv[1])):
        print('FAIL [%s] %d case(s): %s' % (sig[0], len(lst), ' / '.join(x for x in sig[1:] if x)))
        lst.sort(key=lambda cd: case_weight(cd[0]))
        for c, det in lst[:a.max_repros]:
            if not a.no_shrink and not a.self_test:
                c2 = shrink(c, runner, det[0])
                st2, det2 = judge(c2, runner, '.r')
                if st2 == 'fail':
                    c, det = c2, det2
            print('  case %d: %s' % (c.idx, repro(c, view)))
            print('    expected: %s' % det[1])
            print('    got:      %s' % det[2])
    dt = time.time() - t0
    print('difftest: seed %d, %d cases in %.1fs: %d passed, %d failed (%d distinct signatures)'
          % (a.seed, len(cases), dt, passed, failed, len(sigs)))
    print('RESULT: %d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
