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

import numpy as np
import libview

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyviews import best_per_call  # noqa: E402  the same calibrated loop


def emit(test, subject, value):
    print(json.dumps({"part": "python", "test": test, "subject": subject,
                      "unit": "ns", "better": "lower",
                      "value": float("%.6g" % (value * 1e9))}), flush=True)


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
