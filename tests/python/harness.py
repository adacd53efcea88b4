#!/usr/bin/python3
"""Runs the test_* functions of one test file, each on its own, and prints
one line per test ("PASS name", "FAIL name" with the traceback, "SKIP name:
reason") and, last, "COUNTS P F S" for run.sh to add up.

Usage: harness.py TESTFILE.py [NAME...]
A test skips by raising harness.Skip("reason"); anything else that escapes
it is a failure.  Helpers the test files share live here too.
"""
import importlib.util
import os
import sys
import tempfile
import traceback


class Skip(Exception):
    """Raised by a test that cannot run here; the message says why."""


def tmpdir():
    """A fresh directory with user xattrs: under $PYVIEW_TMPDIR when set
    (run.sh points it at a viewfs mount), else on /dev/shm (tmpfs), else
    $TMPDIR; removed by the caller (tests use it as a context manager)."""
    forced = os.environ.get('PYVIEW_TMPDIR')
    for base in ([forced] if forced else ['/dev/shm', os.environ.get('TMPDIR', '/tmp')]):
        try:
            d = tempfile.TemporaryDirectory(prefix='pyview.', dir=base)
        except OSError:
            continue
        probe = os.path.join(d.name, 'probe')
        open(probe, 'w').close()
        try:
            os.setxattr(probe, 'user.view.probe', b'1')
        except OSError:
            d.cleanup()
            continue
        os.unlink(probe)
        return d
    if forced:
        raise AssertionError('PYVIEW_TMPDIR=%s has no user xattrs' % forced)
    raise Skip('no directory with user xattrs (/dev/shm or $TMPDIR)')


def expect_raises(exc, fn, *args, **kwargs):
    """fn(*args) must raise exc (exactly that class or a subclass); returns
    the exception."""
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    except Exception as e:  # the wrong exception is a failure, with its name
        raise AssertionError('expected %s, got %s: %s'
                             % (exc.__name__, type(e).__name__, e)) from e
    raise AssertionError('expected %s, nothing raised' % exc.__name__)


def main():
    path = sys.argv[1]
    only = set(sys.argv[2:])
    sys.modules.setdefault('harness', sys.modules[__name__])  # one Skip class
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        os.path.splitext(os.path.basename(path))[0], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    names = [n for n in dir(mod) if n.startswith('test_') and callable(getattr(mod, n))]
    names.sort(key=lambda n: getattr(mod, n).__code__.co_firstlineno)
    p = f = s = 0
    for n in names:
        if only and n not in only:
            continue
        try:
            getattr(mod, n)()
        except Skip as e:
            print('SKIP %s: %s' % (n, e))
            s += 1
        except BaseException:
            print('FAIL %s' % n)
            traceback.print_exc(file=sys.stdout)
            f += 1
        else:
            print('PASS %s' % n)
            p += 1
        sys.stdout.flush()
    print('COUNTS %d %d %d' % (p, f, s))
    return 1 if f else 0


if __name__ == '__main__':
    sys.exit(main())
