"""What tests/fs/checks.py and tests/fs/seals.py both need: failing with a
message, and fallocate(2) with its errno (Python's os has no flags)."""
import ctypes
import sys

libc = ctypes.CDLL(None, use_errno=True)
FALLOC_FL_KEEP_SIZE = 1
FALLOC_FL_PUNCH_HOLE = 2


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def fallocate(fd, mode, off, length):
    """0, or the errno fallocate(fd, mode, off, length) fails with."""
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long,
                               ctypes.c_long]
    r = libc.fallocate(fd, mode, off, length)
    return 0 if r == 0 else ctypes.get_errno()
