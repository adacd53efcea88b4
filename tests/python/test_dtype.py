"""Every format's dtype: .dtype names a NumPy dtype of the same itemsize,
kind and byte order (never a name that changes the size, as 'l' is 8 bytes
in NumPy and '<l' 4 in struct), and NumPy reading the View through the
buffer protocol and through .dtype sees the same values as memoryview /
struct."""
import struct
import sys

import libview
import numpy as np

from harness import expect_raises

CODES = 'cbBhHiIlLqQnNfde?P'
STD_ONLY = 'nNP'  # no standard size: refused with a byte-order prefix
KIND = {'c': 'S', '?': 'b', 'f': 'f', 'd': 'f', 'e': 'f'}


def formats():
    for c in CODES:
        for o in ('', '@', '=', '<', '>', '!'):
            if o in '=<>!' and o and c in STD_ONLY:
                continue
            yield o + c


def sample(fmt, n=3):
    """n items of fmt as bytes, values that differ in every byte."""
    c = fmt[-1]
    if c == 'c':
        vals = [b'a', b'\xff', b'\x00']
    elif c == '?':
        vals = [True, False, True]
    elif c in 'fde':
        vals = [1.5, -2.25, 1024.0]
    elif c in 'bhilqn':
        size = struct.calcsize(fmt)
        vals = [-(2 ** (8 * size - 1)), 0x12 - 2 ** (8 * size - 2), 2 ** (8 * size - 1) - 1]
    else:
        size = struct.calcsize(fmt)
        vals = [2 ** (8 * size) - 1, 0x0102030405060708 % 2 ** (8 * size), 1]
    return struct.pack(fmt[:-1] + '%d%s' % (n, c), *vals), vals


def test_every_format_dtype_has_same_itemsize_kind_and_order():
    for fmt in formats():
        v = libview.View(bytes(struct.calcsize(fmt) * 2)).cast(fmt)
        dt = np.dtype(v.dtype)
        assert dt.itemsize == v.itemsize == struct.calcsize(fmt), (fmt, v.dtype)
        want_kind = KIND.get(fmt[-1], 'i' if fmt[-1].islower() else 'u')
        assert dt.kind == want_kind, (fmt, v.dtype)
        if dt.itemsize > 1:
            big = fmt[0] in '>!' or (fmt[0] not in '<' and sys.byteorder == 'big')
            assert dt.isnative == (big == (sys.byteorder == 'big')), (fmt, v.dtype)


def test_examples_from_the_issue():
    def dt(f):
        return libview.View(bytes(8)).cast(f).dtype
    assert dt('<l') == '<i4' and dt('@d') == '=f8' and dt('!H') == '>u2'
    assert dt('n') == '=i8' and dt('B') == '|u1' and dt('?') == '|b1' and dt('c') == '|S1'
    assert dt('e') == '=f2' and dt('P') == '=u8'


def test_every_format_values_agree_with_struct_and_numpy():
    for fmt in formats():
        raw, vals = sample(fmt)
        v = libview.View(raw).cast(fmt)
        assert v.tolist() == vals, (fmt, v.tolist(), vals)
        by_dtype = np.frombuffer(raw, dtype=np.dtype(v.dtype))
        got = by_dtype.tolist()
        if fmt[-1] == 'c':  # NumPy's S1 drops trailing NULs: compare bytes
            assert by_dtype.tobytes() == raw, fmt
        else:
            assert got == vals, (fmt, got, vals)
        try:
            by_buffer = np.asarray(v)   # NumPy parsing the PEP 3118 format
        except (ValueError, TypeError, NotImplementedError) as e:
            # NumPy 1.24's PEP 3118 parser has no 'n', 'N', 'P' (it refuses
            # memoryview's too); only those may fail, and .dtype still works
            assert fmt[-1] in 'nNP', (fmt, e)
            assert np.frombuffer(v, dtype=v.dtype).tolist() == got, fmt
            continue
        assert by_buffer.dtype == np.dtype(v.dtype), (fmt, by_buffer.dtype, v.dtype)
        assert by_buffer.tolist() == got, fmt


def test_bad_format_names_are_refused():
    for bad in ('<n', '>P', 'Zd', 'ii', 'x', '', '2i'):
        expect_raises(ValueError, libview.View(bytes(8)).cast, bad)
