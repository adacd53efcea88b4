"""The View API, one behaviour per test: opening and creating, attributes,
indexing and assignment, derived views outliving their parent, release(),
and the exception each error raises (the one memoryview would)."""
import errno
import os
import struct

import libview
import numpy as np

from harness import Skip, expect_raises, tmpdir


def make(d, name, data, fmt=None, shape=None):
    p = os.path.join(d, name)
    with open(p, 'wb') as f:
        f.write(data)
    if fmt is not None:
        os.setxattr(p, 'user.view.format', fmt.encode())
    if shape is not None:
        os.setxattr(p, 'user.view.shape', shape.encode())
    return p


def test_open_without_metadata_is_1d_bytes():
    with tmpdir() as d:
        v = libview.open(make(d, 'f', b'\x01\x02\x03'))
        assert (v.format, v.shape, v.strides, v.readonly) == ('B', (3,), (1,), True)
        assert v.tolist() == [1, 2, 3]


def test_open_typed_by_xattrs():
    with tmpdir() as d:
        data = struct.pack('<6i', *range(6))
        v = libview.open(make(d, 'f', data, '<i', '2,3'))
        assert (v.format, v.shape, v.strides, v.itemsize) == ('<i', (2, 3), (12, 4), 4)
        assert v.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_open_raw_ignores_xattrs():
    with tmpdir() as d:
        v = libview.open(make(d, 'f', bytes(8), 'd', '1'), raw=True)
        assert (v.format, v.shape) == ('B', (8,))


def test_open_bad_metadata_is_valueerror():
    with tmpdir() as d:
        e = expect_raises(ValueError, libview.open, make(d, 'f', bytes(25), 'd'))
        assert 'f' in str(e) and '25' in str(e), str(e)


def test_open_missing_file_is_filenotfounderror():
    with tmpdir() as d:
        e = expect_raises(FileNotFoundError, libview.open, os.path.join(d, 'nope'))
        assert e.errno == errno.ENOENT and 'nope' in str(e)


def test_undecodable_bytes_in_messages_keep_the_exception():
    # libview quotes paths and xattr values: bytes that are not UTF-8 are
    # \xNN in the message, the exception stays the one the error means
    with tmpdir() as d:
        missing = os.fsencode(d) + b'/\xff/nope'
        for fn in (lambda: libview.open(missing),
                   lambda: libview.open(os.fsdecode(missing)),
                   lambda: libview.create(missing, 4)):
            e = expect_raises(FileNotFoundError, fn)
            assert e.errno == errno.ENOENT and '/\\xff/nope' in str(e), str(e)
        p = make(d, 'f', bytes(16))
        os.setxattr(p, 'user.view.format', b'\xffd')
        e = expect_raises(ValueError, libview.open, p)
        assert "'\\xffd'" in str(e), str(e)


def test_open_writable_maps_shared():
    with tmpdir() as d:
        p = make(d, 'f', bytes(4))
        v = libview.open(p, writable=True)
        assert not v.readonly
        v[2] = 200
        with open(p, 'rb') as f:
            assert f.read() == b'\x00\x00\xc8\x00'


def test_open_empty_file_is_shape_0():
    with tmpdir() as d:
        v = libview.open(make(d, 'f', b''))
        assert v.shape == (0,) and v.tolist() == [] and v.tobytes() == b''


def test_create_sizes_file_and_sets_metadata():
    with tmpdir() as d:
        p = os.path.join(d, 'c')
        v = libview.create(p, (4, 5), '<d')
        assert os.path.getsize(p) == 160
        assert os.getxattr(p, 'user.view.format') == b'<d'
        assert os.getxattr(p, 'user.view.shape') == b'4,5'
        assert (v.format, v.shape, v.readonly) == ('<d', (4, 5), False)
        w = libview.open(p)
        assert (w.format, w.shape) == ('<d', (4, 5))


def test_create_int_shape_and_default_format():
    with tmpdir() as d:
        v = libview.create(os.path.join(d, 'c'), 7)
        assert (v.format, v.shape) == ('B', (7,))


def test_create_refuses_existing_file_unless_overwrite():
    with tmpdir() as d:
        p = make(d, 'f', b'old')
        expect_raises(FileExistsError, libview.create, p, 2, 'H')
        with open(p, 'rb') as f:
            assert f.read() == b'old'
        v = libview.create(p, 2, 'H', overwrite=True)
        assert v.shape == (2,) and os.path.getsize(p) == 4


def test_create_bad_format_is_valueerror_and_no_file():
    with tmpdir() as d:
        p = os.path.join(d, 'c')
        expect_raises(ValueError, libview.create, p, 2, 'Zd')
        expect_raises(ValueError, libview.create, p, (2, -1), 'B')
        expect_raises(ValueError, libview.create, p, (), 'B')
        assert not os.path.exists(p)


def test_create_out_of_memory_leaves_no_file():
    # each allocation in turn fails (_testcapi.set_nomemory), the View
    # object's too, which comes after the file is made: never a file left
    try:
        import _testcapi
    except ImportError:
        raise Skip('no _testcapi (python3 test modules not installed)')
    with tmpdir() as d:
        p = os.path.join(d, 'c')
        for start in range(200):
            err = None
            _testcapi.set_nomemory(start, 0)
            try:
                v = libview.create(p, 4)
            except MemoryError as e:
                err = e
            finally:
                _testcapi.remove_mem_hooks()
            if err is None:
                break
            assert not os.path.exists(p), 'file left when allocation %d failed' % start
        assert v.shape == (4,) and os.path.getsize(p) == 4
        v.release()


def test_fromfd_borrows_descriptor():
    with tmpdir() as d:
        p = make(d, 'f', b'\x05\x06', 'B', '2')
        fd = os.open(p, os.O_RDWR)
        try:
            v = libview.View.fromfd(fd, writable=True)
            os.fstat(fd)  # still open
            v[0] = 9
        finally:
            os.close(fd)
        assert v.tolist() == [9, 6]  # the mapping outlives the descriptor


def test_view_of_bytearray_is_writable_and_shares():
    b = bytearray(b'abc')
    v = libview.View(b)
    assert not v.readonly and v.obj is b
    v[1] = ord('X')
    assert b == bytearray(b'aXc')


def test_view_of_bytes_is_readonly():
    v = libview.View(b'abc')
    assert v.readonly
    expect_raises(TypeError, v.__setitem__, 0, 1)


def test_view_of_numpy_keeps_layout():
    a = np.arange(24, dtype=np.int16).reshape(4, 6)[::-1, ::2]
    v = libview.View(a)
    assert v.shape == a.shape and v.strides == a.strides
    assert v.tolist() == a.tolist()
    assert np.dtype(v.dtype) == a.dtype


def test_view_keeps_exporter_locked_until_last_view():
    b = bytearray(b'abcd')
    v = libview.View(b)
    s = v[1:3]
    del v
    expect_raises(BufferError, b.extend, b'x')  # still exported through s
    s.release()
    b.extend(b'x')


def test_view_refuses_unsupported_format():
    expect_raises(ValueError, libview.View, np.zeros(2, dtype=np.complex128))


def test_attributes_match_memoryview():
    b = bytearray(range(24))
    v = libview.View(b).cast('i', [2, 3])
    m = memoryview(b).cast('i', [2, 3])
    for a in ('format', 'itemsize', 'ndim', 'shape', 'strides', 'nbytes',
              'readonly', 'c_contiguous', 'f_contiguous', 'contiguous'):
        assert getattr(v, a) == getattr(m, a), a
    assert len(v) == len(m) == 2


def test_memoryview_of_view_has_exact_layout():
    a = np.arange(30, dtype='>u2').reshape(5, 6)
    v = libview.View(a)[1:4, ::-2]
    m = memoryview(v)
    assert (m.format, m.shape, m.strides, m.readonly) == (v.format, v.shape, v.strides, v.readonly)
    assert m.obj is v


def test_numpy_asarray_of_view_has_exact_layout():
    b = bytearray(48)
    v = libview.View(b).cast('d', [2, 3]).T
    a = np.asarray(v)
    assert a.shape == v.shape and a.strides == v.strides and a.dtype == np.dtype(v.dtype)
    assert a.ctypes.data == np.frombuffer(b, dtype='u1').ctypes.data


def test_readonly_view_exports_readonly_buffer():
    v = libview.View(b'abcd')
    assert np.asarray(v).flags.writeable is False
    assert memoryview(v).readonly

def test_getitem_element_and_subview():
    v = libview.View(bytearray(range(12))).cast('B', [3, 4])
    assert v[1, 2] == 6 and v[-1, -1] == 11
    assert v[1].tolist() == [4, 5, 6, 7]
    assert v[:, 1].tolist() == [1, 5, 9]
    assert v[..., 0].tolist() == [0, 4, 8]
    assert v[::-2, 1:3].tolist() == [[9, 10], [1, 2]]


def test_getitem_errors():
    v = libview.View(bytearray(4))
    expect_raises(IndexError, v.__getitem__, 4)
    expect_raises(IndexError, v.__getitem__, (0, 0))
    expect_raises(ValueError, v.__getitem__, slice(None, None, 0))
    expect_raises(TypeError, v.__getitem__, 'x')
    expect_raises(IndexError, v.__getitem__, 2 ** 70)


def test_zero_dim_view():
    v = libview.View(bytearray(8)).cast('d', [])
    assert v.ndim == 0 and v.shape == () and v[()] == 0.0
    v[()] = 2.5
    assert v.tolist() == 2.5 and v[...].tolist() == 2.5
    expect_raises(TypeError, v.__getitem__, 0)


def test_setitem_element_rules_as_memoryview():
    v = libview.View(bytearray(8)).cast('h')
    v[0] = -5
    assert v[0] == -5
    expect_raises(ValueError, v.__setitem__, 1, 40000)  # out of range
    expect_raises(TypeError, v.__setitem__, 1, 1.5)     # float into int
    expect_raises(TypeError, v.__setitem__, 1, 'x')
    expect_raises(IndexError, v.__setitem__, 9, 1)
    assert v.tolist() == [-5, 0, 0, 0]


def test_setitem_subview_from_list_scalar_and_buffer():
    v = libview.View(bytearray(12)).cast('B', [3, 4])
    v[0] = [1, 2, 3, 4]
    v[1:, ::2] = 7
    v[2, 1::2] = np.array([8, 9], dtype=np.uint8)
    assert v.tolist() == [[1, 2, 3, 4], [7, 0, 7, 0], [7, 8, 7, 9]]


def test_setitem_structure_mismatch_is_valueerror_and_writes_nothing():
    v = libview.View(bytearray(4))
    expect_raises(ValueError, v.__setitem__, slice(0, 2), [1, 2, 3])
    expect_raises(ValueError, v.__setitem__, slice(0, 2), np.zeros(2, dtype=np.int32))
    expect_raises(ValueError, v.__setitem__, slice(None), [1, 2, 3, 256])
    assert v.tolist() == [0, 0, 0, 0]


def test_setitem_overlapping_copy():
    v = libview.View(bytearray(range(6)))
    v[1:] = v[:-1]
    assert v.tolist() == [0, 0, 1, 2, 3, 4]


def test_setitem_readonly_is_typeerror():
    v = libview.View(bytearray(4)).toreadonly()
    assert v.readonly
    expect_raises(TypeError, v.__setitem__, 0, 1)


class MutatorBase:
    def __init__(self, victim, value):
        self.victim, self.value = victim, value


class Mutator(MutatorBase):
    """An item whose conversion (__index__) empties the list it is in, as
    the reviewer's reproducers do; FloatMutator's __float__ and
    BoolMutator's __bool__ do the same."""

    def __index__(self):
        self.victim.clear()
        return self.value


class FloatMutator(MutatorBase):
    def __float__(self):
        self.victim.clear()
        return float(self.value)


class BoolMutator(MutatorBase):
    def __bool__(self):
        self.victim.clear()
        return bool(self.value)


def mutating_list(value, n, filler=object, kind=Mutator):
    lst = []
    lst.append(kind(lst, value))
    lst.extend(filler() for _ in range(n - 1))
    return lst


def test_list_mutated_during_assignment_is_a_snapshot():
    v = libview.View(bytearray(4000))
    # the items after the first would be freed by lst.clear(): the
    # conversion reads them from a snapshot, so each is a TypeError
    lst = mutating_list(1, 4000)
    expect_raises(TypeError, v.__setitem__, slice(None), lst)
    lst = mutating_list(3, 4, lambda: 2)
    v[:4] = lst
    assert lst == [] and v[:4].tolist() == [3, 2, 2, 2]
    d = libview.View(bytearray(32)).cast('d')
    lst = mutating_list(1.5, 4, lambda: 0.25, FloatMutator)
    d[:] = lst
    assert d.tolist() == [1.5, 0.25, 0.25, 0.25]
    # the __float__ probe of a non-number runs __getattr__ (the item, held
    # only by the list, would be freed under the conversion)
    lst = []

    class Prober:
        def __getattr__(self, name):
            lst.clear()
            raise AttributeError(name)
    lst.extend(Prober() for _ in range(4))
    e = expect_raises(TypeError, d.__setitem__, slice(None), lst)
    assert 'Prober' in str(e), str(e)
    b = libview.View(bytearray(4)).cast('?')
    lst = mutating_list(1, 4, lambda: 0, BoolMutator)
    b[:] = lst
    assert b.tolist() == [True, False, False, False]


def test_list_mutated_during_shape_conversion_is_a_snapshot():
    v = libview.View(bytearray(1 << 16))
    lst = mutating_list(2, 61, lambda: 1.5)
    expect_raises(TypeError, v.reshape, lst)     # the floats of the snapshot
    lst = [Mutator(None, 1 << 8), 1 << 8]
    lst[0].victim = lst
    assert v.reshape(lst).shape == (256, 256)
    c = libview.View(bytearray(8)).cast('B', [2, 2, 2])
    axes = [Mutator(None, 0), 1, 2]
    axes[0].victim = axes
    assert c.transpose(axes).shape == (2, 2, 2)
    shape = [Mutator(None, 2), 4]
    shape[0].victim = shape
    assert libview.View(bytearray(8)).cast('B', shape).shape == (2, 4)
    with tmpdir() as d:
        shape = [Mutator(None, 4), 1, 1]
        shape[0].victim = shape
        w = libview.create(os.path.join(d, 'f'), shape)
        assert w.shape == (4, 1, 1)


def test_cast_errors_as_memoryview():
    v = libview.View(bytearray(12))
    expect_raises(TypeError, v.cast, 'd')                 # 12 % 8
    expect_raises(ValueError, v.cast, 'Zd')
    expect_raises(TypeError, v.cast, 'i', [2, 2])         # product
    expect_raises(ValueError, v.cast, 'i', [3, 0])
    expect_raises(TypeError, v[::2].cast, 'B')            # not contiguous
    expect_raises(TypeError, v.cast('i').cast, 'h')       # two non-byte formats


def test_cast_shape_too_large_is_valueerror_as_memoryview():
    for mk in (memoryview, libview.View):
        v = mk(bytearray(16))
        for shape in ([2 ** 62, 4], [2 ** 63 - 1, 2], [2 ** 31, 2 ** 31, 4]):
            expect_raises(ValueError, v.cast, 'B', shape)
        expect_raises(ValueError, v.cast('B').cast, 'i', [2 ** 62, 2])
        expect_raises(TypeError, v.cast, 'B', [17])    # only the size differs


def test_setitem_long_bytes_as_memoryview():
    for mk in (memoryview, libview.View):
        q = mk(bytearray(16)).cast('q')
        expect_raises(TypeError, q.__setitem__, 0, b'123456789')
        expect_raises(TypeError, q.__setitem__, 0, b'12')
        c = mk(bytearray(16)).cast('c')
        expect_raises(ValueError, c.__setitem__, 0, b'123456789')
        expect_raises(ValueError, c.__setitem__, 0, b'12')
        assert q.tobytes() == bytes(16) and c.tobytes() == bytes(16)


def test_transpose_and_reshape():
    v = libview.View(bytearray(range(24))).cast('B', [2, 3, 4])
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    assert v.transpose().tolist() == a.transpose().tolist()
    assert v.transpose(1, 0, 2).tolist() == a.transpose(1, 0, 2).tolist()
    assert v.transpose((2, 0, 1)).tolist() == a.transpose(2, 0, 1).tolist()
    assert v.transpose(-1, 0, 1).tolist() == a.transpose(-1, 0, 1).tolist()
    assert v.reshape(4, 6).tolist() == a.reshape(4, 6).tolist()
    assert v.reshape((-1, 2)).shape == (12, 2)
    expect_raises(ValueError, v.transpose, 0, 0, 1)
    expect_raises(ValueError, v.reshape, 5, 5)
    expect_raises(ValueError, v.transpose().reshape, 24)  # would need a copy


def test_tobytes_orders_and_hex():
    b = bytearray(range(6))
    v = libview.View(b).cast('B', [2, 3])
    m = memoryview(b).cast('B', [2, 3])
    for o in ('C', 'F', 'A', None):
        assert v.tobytes(o) == m.tobytes(o), o
    assert v.hex() == m.hex() and v.hex(':', 2) == m.hex(':', 2)
    assert v.hex(b'-', -4) == m.hex(b'-', -4)
    expect_raises(ValueError, v.tobytes, 'X')
    expect_raises(ValueError, v.hex, '::')
    expect_raises(TypeError, v.hex, 5)


def test_tolist_values_of_each_kind():
    cases = [('?', b'\x00\x02', [False, True]), ('c', b'zy', [b'z', b'y']),
             ('b', b'\xfd', [-3]), ('<H', b'\xff\xff', [65535]),
             ('>q', b'\x80' + bytes(7), [-2 ** 63]), ('Q', b'\xff' * 8, [2 ** 64 - 1]),
             ('<d', struct.pack('<d', -0.0), [-0.0]), ('f', struct.pack('f', float('inf')), [float('inf')]),
             ('e', struct.pack('e', 1.5), [1.5])]
    for fmt, raw, want in cases:
        got = libview.View(raw).cast(fmt).tolist()
        assert got == want and [type(x) for x in got] == [type(x) for x in want], (fmt, got)
    assert str(libview.View(struct.pack('<d', -0.0)).cast('<d').tolist()) == '[-0.0]'


def test_tolist_of_truncated_file_raises_as_tobytes():
    # a page the file no longer has is SIGBUS on access: tolist() reads
    # through libview's guarded copy, so it raises what tobytes() raises
    with tmpdir() as d:
        p = make(d, 'f', b'\x01' * 65536, 'i', '4,4096')
        v = libview.open(p)
        os.truncate(p, 0)
        e1 = expect_raises(ValueError, v.tobytes)
        e2 = expect_raises(ValueError, v.tolist)
        assert type(e1) is type(e2) and str(e1) == str(e2) and 'SIGBUS' in str(e2), (e1, e2)
        expect_raises(ValueError, v[1:].tolist)
        v.release()


def test_equality_with_memoryview_and_numpy():
    b = bytearray(range(8))
    v = libview.View(b).cast('H')
    assert v == memoryview(b).cast('H')
    assert v == np.frombuffer(b, dtype=np.uint16)
    assert v != memoryview(b)  # 4 items vs 8
    assert (v == 5) is False


def test_derived_views_outlive_parent():
    with tmpdir() as d:
        p = make(d, 'f', bytes(range(16)), 'B', '4,4')
        v = libview.open(p)
        parts = [v[1], v.T, v.cast('B'), v[::2, ::-1], v.reshape(16), v.toreadonly()]
        assert v._map_refs == 7
        v.release()
        assert v.released
        assert parts[0].tolist() == [4, 5, 6, 7]
        assert parts[3].tolist() == [[3, 2, 1, 0], [11, 10, 9, 8]]
        assert parts[0]._map_refs == 6
        del parts[:5]
        expect_raises(ValueError, len, v)


def test_release_refused_while_buffer_exported():
    v = libview.View(bytearray(4))
    m = memoryview(v)
    e = expect_raises(BufferError, v.release)
    assert 'export' in str(e)
    m.release()
    v.release()
    assert v.released


def test_released_view_refuses_everything_with_valueerror():
    v = libview.View(bytearray(4))
    v.release()
    v.release()  # twice is fine
    for f in (lambda: v[0], lambda: v.tolist(), lambda: v.shape, lambda: v.cast('B'),
              lambda: memoryview(v), lambda: v.__dlpack__(), lambda: v.tobytes()):
        expect_raises(ValueError, f)
    assert 'released' in repr(v)


def test_context_manager_releases():
    with libview.View(bytearray(4)) as v:
        assert v[0] == 0
    assert v.released
    with tmpdir() as d:
        with libview.open(make(d, 'f', b'ab')) as w:
            pass
        assert w.released


def test_numpy_array_outlives_view():
    with tmpdir() as d:
        p = make(d, 'f', bytes(8), '<i', '2')
        v = libview.open(p, writable=True)
        a = np.asarray(v)
        expect_raises(BufferError, v.release)
        del v
        a[1] = 42
        with open(p, 'rb') as f:
            assert struct.unpack('<2i', f.read()) == (0, 42)


def test_iteration_over_first_axis():
    v = libview.View(bytearray(range(6))).cast('B', [3, 2])
    assert [r.tolist() for r in v] == [[0, 1], [2, 3], [4, 5]]
    assert list(v[0]) == [0, 1]


def test_buffer_requests_are_honoured_as_memoryview_does():
    import struct as st
    b = bytearray(8)
    v = libview.View(b)
    st.pack_into('<H', v, 2, 0x0102)          # a writable request
    assert b[2:4] == b'\x02\x01'
    expect_raises(TypeError, st.pack_into, 'B', v.toreadonly(), 0, 1)  # refused
    expect_raises(BufferError, np.frombuffer, v[::2], 'u1')  # needs contiguous
    assert bytes(v[::-1]) == bytes(reversed(b))  # a strided request copies in order
    assert v._exports == 0
