#!/usr/bin/python3
"""pybind - the rows of the Python module libview (python/, build/python/)
against NumPy, for `make bench`.

    PYTHONPATH=build/python /usr/bin/python3 bench/pybind.py DIR [--quick]

DIR holds the test buffer (a tmpfs: /dev/shm).  Measures, in this process
with this process's timer (best of several calibrated repeats, as
bench/pyviews.py):
  * "open 1 GiB <f4 16384x16384 + asarray": libview.open(path) with the
    type from the file's user.view.* xattrs, then numpy.asarray, against
    numpy.memmap(path, dtype, shape) with dtype and shape given by hand;
  * "slice [1:5, ::-1]", "index [3, 7]", "transpose": on that view,
    against the same on the numpy.memmap ("numpy") and on a plain ndarray
    over the same mapping ("ndarray", np.asarray of it).
Prints one JSON object per line: {"part":"python","test":T,
"subject":"libview"|"numpy"|"ndarray",...}.
"""
import json
import os
import sys
import time
import timeit

import numpy as np
import libview

TARGET_S = 0.1
REPEATS = 5


def emit(test, subject, value):
    print(json.dumps({"part": "python", "test": test, "subject": subject,
                      "unit": "ns", "better": "lower",
                      "value": float("%.6g" % (value * 1e9))}), flush=True)


def best_per_call(stmt, env):
    timer = timeit.Timer(stmt, globals=env, timer=time.perf_counter)
    n = 1
    while True:
        t = timer.timeit(n)
        if t >= TARGET_S / 4 or n > 1 << 40:
            break
        n *= 2 if t > 0 and TARGET_S / t < 10 else 10
    n = max(1, int(n * TARGET_S / max(t, 1e-9)))
    return min(timer.repeat(repeat=REPEATS, number=n)) / n


def main():
    quick = "--quick" in sys.argv[2:]
    side = 4096 if quick else 16384
    path = os.path.join(sys.argv[1], "pybind-%d" % os.getpid())
    try:
        v = libview.create(path, (side, side), "<f")
        v.release()
        env = {"libview": libview, "np": np, "path": path, "side": side}
        name = "open %s <f4 %dx%d + asarray" % ("64 MiB" if quick else "1 GiB", side, side)
        emit(name, "libview", best_per_call(
            "np.asarray(libview.open(path))", env))
        emit(name, "numpy", best_per_call(
            "np.memmap(path, dtype='<f4', mode='r', shape=(side, side))", env))
        env["v"] = libview.open(path)
        env["a"] = np.memmap(path, dtype="<f4", mode="r", shape=(side, side))
        env["b"] = np.asarray(env["a"])	# a plain ndarray on the same map
        for test, stmt in (("slice [1:5, ::-1]", "%s[1:5, ::-1]"),
                           ("index [3, 7]", "%s[3, 7]"),
                           ("transpose", "%s.T")):
            emit(test, "libview", best_per_call(stmt % "v", env))
            emit(test, "numpy", best_per_call(stmt % "a", env))
            emit(test, "ndarray", best_per_call(stmt % "b", env))
    finally:
        if os.path.exists(path):
            os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
