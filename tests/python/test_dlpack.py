"""DLPack: numpy.from_dlpack(View) shares the mapping (a write through the
View or the file is seen in the array; NumPy < 2 makes DLPack arrays
read-only, so writes through the array are checked only where NumPy allows
them), keeps it alive after the View is gone, has the View's shape and strides,
and formats or views DLPack cannot express raise BufferError."""
import os

import libview
import numpy as np

from harness import Skip, expect_raises, tmpdir

if not hasattr(np, 'from_dlpack'):
    raise ImportError('numpy %s has no from_dlpack' % np.__version__)


def test_device_is_cpu():
    assert libview.View(bytearray(4)).__dlpack_device__() == (1, 0)


def test_from_dlpack_shares_memory_both_ways():
    with tmpdir() as d:
        p = os.path.join(d, 'b')
        v = libview.create(p, (3, 4), 'd')
        a = np.from_dlpack(v)
        assert a.shape == (3, 4) and a.dtype == np.float64
        assert a.ctypes.data == np.asarray(v).ctypes.data
        v[2, 0] = -1.0
        assert a[2, 0] == -1.0
        with open(p, 'r+b') as f:
            f.write(b'\x00' * 7 + b'\x40')  # a[0, 0] = 2.0
        assert a[0, 0] == 2.0
        if a.flags.writeable:
            a[1, 2] = 6.5
            assert v[1, 2] == 6.5


def test_from_dlpack_keeps_strides_of_a_slice():
    b = bytearray(range(24))
    v = libview.View(b).cast('B', [4, 6])[::-1, 1::2]
    a = np.from_dlpack(v)
    assert a.shape == v.shape and a.strides == v.strides
    assert a.tolist() == v.tolist()


def test_tensor_outlives_the_view():
    with tmpdir() as d:
        p = os.path.join(d, 'b')
        v = libview.create(p, 8, '<i')
        a = np.from_dlpack(v[2:6])
        refs = v._map_refs
        v.release()
        assert refs == 2
        w = libview.open(p, writable=True)
        w[2:6] = 3
        assert a.tolist() == [3, 3, 3, 3]  # still the mapping, after v is gone
        del a
        assert w._map_refs == 1


def test_unconsumed_capsule_drops_its_reference():
    v = libview.View(bytearray(8)).cast('i')
    cap = v.__dlpack__()
    assert v._map_refs == 2
    del cap
    assert v._map_refs == 1


def test_types_for_every_expressible_format():
    for fmt, dt in (('b', 'i1'), ('B', 'u1'), ('h', 'i2'), ('H', 'u2'), ('i', 'i4'),
                    ('I', 'u4'), ('q', 'i8'), ('Q', 'u8'), ('n', 'i8'), ('N', 'u8'),
                    ('P', 'u8'), ('f', 'f4'), ('d', 'f8'), ('e', 'f2'),
                    ('<i', 'i4'), ('=H', 'u2')):
        a = np.from_dlpack(libview.View(bytearray(16)).cast(fmt))
        assert a.dtype == np.dtype(dt), (fmt, a.dtype)


def test_bool_is_kdlbool_where_numpy_reads_it():
    v = libview.View(bytearray(b'\x01\x00')).cast('?')
    try:
        a = np.from_dlpack(v)
    except (BufferError, TypeError, ValueError, RuntimeError) as e:
        raise Skip('numpy %s cannot import DLPack bool (kDLBool): %s' % (np.__version__, e))
    assert a.dtype == np.bool_ and a.tolist() == [True, False]


def test_inexpressible_formats_raise_buffererror():
    expect_raises(BufferError, libview.View(bytearray(4)).cast('c').__dlpack__)
    expect_raises(BufferError, libview.View(bytearray(4)).cast('>i').__dlpack__)
    expect_raises(BufferError, libview.View(b'abcd').__dlpack__)  # read-only
    expect_raises(BufferError, np.from_dlpack, libview.View(bytearray(4)).cast('c'))


def test_unaligned_stride_raises_buffererror():
    a = np.zeros(20, dtype=np.uint8)
    s = np.lib.stride_tricks.as_strided(a[:16].view(np.int32), shape=(3,), strides=(5,))
    v = libview.View(s)
    assert v.strides == (5,)
    expect_raises(BufferError, v.__dlpack__)


def test_stream_and_device_arguments():
    v = libview.View(bytearray(4))
    v.__dlpack__(stream=None)
    expect_raises(BufferError, v.__dlpack__, stream=1)
    expect_raises(BufferError, v.__dlpack__, dl_device=(2, 0))
    v.__dlpack__(dl_device=(1, 0), max_version=(1, 0))


def test_dl_device_that_is_not_a_tuple_is_typeerror():
    v = libview.View(bytearray(4))
    for dev in ([1, 0], 5, 'cpu'):
        e = expect_raises(TypeError, v.__dlpack__, dl_device=dev)
        assert 'dl_device' in str(e), str(e)
    expect_raises(TypeError, v.__dlpack__, dl_device=(1,))


def read_capsule(cap):
    """The DLManagedTensor in a "dltensor" capsule, read with ctypes (the
    DLPack ABI, independent of what this NumPy can import)."""
    import ctypes

    class Dtype(ctypes.Structure):
        _fields_ = [('code', ctypes.c_uint8), ('bits', ctypes.c_uint8), ('lanes', ctypes.c_uint16)]

    class Tensor(ctypes.Structure):
        _fields_ = [('data', ctypes.c_void_p), ('device_type', ctypes.c_int32),
                    ('device_id', ctypes.c_int32), ('ndim', ctypes.c_int32), ('dtype', Dtype),
                    ('shape', ctypes.POINTER(ctypes.c_int64)),
                    ('strides', ctypes.POINTER(ctypes.c_int64)), ('byte_offset', ctypes.c_uint64)]
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    t = Tensor.from_address(get(cap, b'dltensor'))
    return t, [t.shape[i] for i in range(t.ndim)], [t.strides[i] for i in range(t.ndim)]


def test_capsule_contents_follow_the_abi():
    b = bytearray(64)
    base = np.frombuffer(b, dtype=np.uint8).ctypes.data
    for fmt, code, bits in (('?', 6, 8), ('b', 0, 8), ('N', 1, 64), ('e', 2, 16), ('<d', 2, 64)):
        v = libview.View(b).cast(fmt)
        k = len(v) // 2
        v = v.cast('B').cast(fmt, [2, k])[:, ::-1]
        cap = v.__dlpack__()
        t, shape, strides = read_capsule(cap)
        assert (t.device_type, t.device_id, t.byte_offset) == (1, 0, 0)
        assert (t.dtype.code, t.dtype.bits, t.dtype.lanes) == (code, bits, 1), fmt
        assert shape == [2, k] and strides == [k, -1], (fmt, shape, strides)
        assert t.data == base + (k - 1) * v.itemsize, fmt
        del t, cap


def test_torch_from_dlpack_shares_memory():
    try:
        import torch
    except ImportError:
        raise Skip('torch is not installed (not a Debian package dependency here)')
    v = libview.View(bytearray(16)).cast('f')
    t = torch.from_dlpack(v)
    v[2] = 1.5
    assert t[2].item() == 1.5
    t[3] = -2.0
    assert v[3] == -2.0
