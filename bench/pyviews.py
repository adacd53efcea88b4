#!/usr/bin/python3
"""pyviews - the Python side of the libview rows: memoryview and NumPy.

    /usr/bin/python3 bench/pyviews.py [--quick]

Measures the tests bench/vwbench.c measures (same names, same shapes, same
values) with Python's memoryview and NumPy, in this process with this
process's timer, and prints one JSON object per line:
    {"part":"libview","test":T,"subject":"memoryview"|"numpy",...}
A test a library cannot express (memoryview has no multi-dimensional
slicing, sub-views or transpose) is simply not printed.  Method as
vwbench: calibrate a loop until one repeat takes the target time, keep the
best of several repeats; the loop statement builds and drops the result
object, as vwbench creates and releases its view.
"""
import json
import sys
import time
import timeit

try:
    import numpy as np
except ImportError:  # the row pairing in report.py copes with no numpy rows
    np = None

TARGET_S = 0.1
REPEATS = 5
COPY_BYTES = 64 << 20
NLIST = 1 << 20
ROWS, COLS = 128, 1024
DBUF = 1 << 20
# The element read takes 3-20 ns a call, where one repeat's noise on the
# shared machine is of the same order: both sides keep the best of three
# times as many repeats for it (vwbench.c: ELEMENT_REPEATS_FACTOR).
ELEMENT_TEST = "index element [1000]"
ELEMENT_REPEATS_FACTOR = 3


def emit(test, subject, unit, better, value):
    print(json.dumps({"part": "libview", "test": test, "subject": subject,
                      "unit": unit, "better": better,
                      "value": float("%.6g" % value)}), flush=True)


def best_per_call(stmt, env):
    """Seconds per execution of stmt: calibrated loop, best of REPEATS.

    As vwbench: a single execution longer than the target is not looped;
    it counts as the first sample and the repeats stay within ~2 s."""
    timer = timeit.Timer(stmt, globals=env, timer=time.perf_counter)
    n = 1
    while True:
        t = timer.timeit(n)
        if t >= TARGET_S / 4 or n > 1 << 40:
            break
        n *= 2 if t > 0 and TARGET_S / t < 10 else 10
    if n == 1 and t >= TARGET_S:
        reps = min(REPEATS - 1, int(2.0 / t))  # 0 when one call takes 2 s
        return min([t] + timer.repeat(repeat=reps, number=1))
    n = max(1, int(n * TARGET_S / max(t, 1e-9)))
    return min(timer.repeat(repeat=REPEATS, number=n)) / n


def bench_derive():
    raw = bytearray(DBUF)
    dbl = memoryview(raw).cast("d")
    for i in range(len(dbl)):
        dbl[i] = float(i)
    env = {"m": memoryview(raw), "md": memoryview(raw).cast("d"),
           "md2": memoryview(raw).cast("d", [ROWS, COLS])}
    tests = [
        ("slice 1-D [16:1000:3]", "m[16:1000:3]", "a[16:1000:3]"),
        ("slice 2-D [8:100:2,::-3]", None, "a2[8:100:2, ::-3]"),
        ("index element [1000]", "md[1000]", "ad[1000]"),
        ("index sub-view 2-D [5]", None, "a2[5]"),
        ("cast B->d", "m.cast('d')", "a.view(np.float64)"),
        ("cast B->d [128,1024]", "m.cast('d', [128, 1024])",
         "a.view(np.float64).reshape(128, 1024)"),
        ("transpose 2-D", None, "a2.T"),
    ]
    if np is not None:
        a = np.frombuffer(raw, dtype=np.uint8)
        env.update({"np": np, "a": a, "ad": a.view(np.float64),
                    "a2": a.view(np.float64).reshape(ROWS, COLS)})
    global REPEATS
    for test, mv_stmt, np_stmt in tests:
        saved = REPEATS
        if test == ELEMENT_TEST:
            REPEATS *= ELEMENT_REPEATS_FACTOR  # as vwbench.c
        if mv_stmt:
            emit(test, "memoryview", "ns", "lower",
                 1e9 * best_per_call(mv_stmt, env))
        if np is not None:
            emit(test, "numpy", "ns", "lower",
                 1e9 * best_per_call(np_stmt, env))
        REPEATS = saved


def bench_copy(nbytes):
    base = bytearray(b"\x01") * (2 * nbytes)
    # memoryview.tobytes of a strided view copies item by item (~0.1 GB/s)
    # and cannot express runs of 64 or 4096 bytes: NumPy is the Python
    # reference here, memcpy the one the targets use.
    for run in (1, 8, 64, 4096):
        test = "strided copy run %d B" % run
        if np is not None:
            a = np.frombuffer(base, dtype=np.uint8)
            a = a.reshape(nbytes // run, 2 * run)[:, :run]
            out = np.empty((nbytes // run, run), dtype=np.uint8)
            env = {"np": np, "a": a, "out": out}
            emit(test, "numpy", "GB/s", "higher",
                 nbytes / best_per_call("np.copyto(out, a)", env) / 1e9)


def bench_tolist():
    import array
    ints = array.array("i", [((i * 7919) & 0xFFFFFFFF) - ((i * 7919) & 0x80000000) * 2
                             for i in range(NLIST)])
    dbls = array.array("d", [i / 7.0 for i in range(NLIST)])
    # as vwbench.c: the bit patterns i * 0x9e3779b97f4a7c15, and i/7 as floats
    rnd = array.array("Q", [(i * 0x9e3779b97f4a7c15) & (2**64 - 1) for i in range(NLIST)])
    flts = array.array("f", [i / 7.0 for i in range(NLIST)])
    devnull = open("/dev/null", "w")
    env = {"f": devnull, "mi": memoryview(ints), "md": memoryview(dbls),
           "mr": memoryview(rnd).cast("B").cast("d"), "mf": memoryview(flts)}
    if np is not None:
        env.update({"ai": np.frombuffer(ints, dtype=np.int32),
                    "ad": np.frombuffer(dbls, dtype=np.float64),
                    "ar": np.frombuffer(rnd, dtype=np.float64),
                    "af": np.frombuffer(flts, dtype=np.float32)})
    k = NLIST >> 10
    for test, m, a in (("tolist %dK int32" % k, "mi", "ai"),
                       ("tolist %dK double" % k, "md", "ad"),
                       ("tolist %dK double random bits" % k, "mr", "ar"),
                       ("tolist %dK float" % k, "mf", "af")):
        emit(test, "memoryview", "ms", "lower",
             1e3 * best_per_call("f.write(repr(%s.tolist())); f.flush()" % m, env))
        if np is not None:
            emit(test, "numpy", "ms", "lower",
                 1e3 * best_per_call("f.write(repr(%s.tolist())); f.flush()" % a, env))
    devnull.close()


def main():
    global TARGET_S, REPEATS, COPY_BYTES, NLIST
    args = sys.argv[1:]
    if args[:1] == ["--quick"]:
        TARGET_S, REPEATS, COPY_BYTES, NLIST = 0.03, 3, 16 << 20, 1 << 18
        args = args[1:]
    only = None
    if args[:1] and args[0] in ("derive", "copy", "tolist"):
        only = args[0]      # one part, as vwbench [--quick] [PART]
        args = args[1:]
    if args:
        sys.exit("usage: pyviews.py [--quick] [derive|copy|tolist]")
    if np is None:
        print("pyviews: NumPy not importable by %s; NumPy rows skipped"
              % sys.executable, file=sys.stderr)
    if only in (None, "derive"):
        bench_derive()
    if only in (None, "copy"):
        bench_copy(COPY_BYTES)
    if only in (None, "tolist"):
        bench_tolist()


if __name__ == "__main__":
    main()
