#!/usr/bin/env bash
# Python suite: the CPython module `libview` built into $1/python (by
# python/python.mk) under Debian's /usr/bin/python3 and python3-numpy.
#   - every tests/python/test_*.py through harness.py, each file in its own
#     process (a crash or sanitizer report fails that file, not the suite);
#   - difftest.py: random slices/casts/transposes/reshapes against NumPy and
#     memoryview (PYVIEW_SEED, default 1; PYVIEW_CASES, default 400), each
#     case counted;
#   - test_zero_copy.py again on a viewfs mount of $1/bin/viewfs (root and
#     /dev/fuse needed, else one skip saying why);
#   - with the sanitizer build (the module links libasan): everything runs
#     with LD_PRELOAD of gcc's libasan and PYTHONMALLOC=malloc, so ASan sees
#     Python objects too; then test_leaks.py runs again with LeakSanitizer,
#     and any leak whose allocation stack has a frame in the module (our C or
#     libview's) fails.  Python's own leaks at exit (stacks without such a
#     frame) are counted and printed, not failed: the check is "no leak
#     from the module", not "no leak in the process".
# Usage: tests/python/run.sh BUILD_DIR   (e.g. build/san)
# Last line: RESULT: P passed, F failed, S skipped.  Exit 0, 1, or 77 (skip).
set -u
build=${1:-build/san}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
py=/usr/bin/python3

[ -x "$py" ] || suite_skip "$py not found (Debian's python3; make deps installs it)"
"$py" -c 'import numpy' 2>/dev/null || suite_skip "$py has no numpy (make deps installs python3-numpy)"
shopt -s nullglob
mods=("$build"/python/libview.*.so)
if [ ${#mods[@]} -eq 0 ]; then
	# a missing module is a broken build, not a reason to skip
	suite_broken "no module in $build/python (build it: make SAN=1 all; needs python3-dev)"
fi
mod=${mods[0]}
export PYTHONPATH=$PWD/$build/python PYTHONDONTWRITEBYTECODE=1
san=0 pyenv=()
if readelf -d "$mod" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	san=1
	asan=$(gcc -print-file-name=libasan.so)
	if [ ! -e "$asan" ]; then
		suite_broken "$mod needs libasan but gcc has none ($asan)"
	fi
	# only for python: the shell tools here must not run under ASan
	pyenv=(env LD_PRELOAD="$asan" PYTHONMALLOC=malloc
		ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1)
	echo "python: sanitizer build ($mod), LD_PRELOAD=$asan, PYTHONMALLOC=malloc"
fi

failed=()
out=$(mktemp)
trap 'rm -f "$out" "$out".lsan* "$out".viewfs' EXIT

# run NAME CMD...: add the COUNTS line CMD prints; no COUNTS (a crash) or a
# non-zero exit with no failure counted is one failure.
run() {
	local name=$1 rc p f s line
	shift
	timeout 600 "$@" >"$out" 2>&1
	rc=$?
	grep -v '^PASS ' "$out" | grep -v '^COUNTS ' | sed "s/^/  $name: /"
	line=$(grep -E '^COUNTS [0-9]+ [0-9]+ [0-9]+$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "--- FAIL $name: no result (exit $rc)"
		count 0 1 0; failed+=("$name"); return
	fi
	read -r _ p f s <<<"$line"
	count "$p" "$f" "$s"
	if [ "$f" -gt 0 ]; then
		failed+=("$name")
	elif [ "$rc" -ne 0 ]; then
		echo "--- FAIL $name: exit $rc after its tests"
		count 0 1 0; failed+=("$name")
	fi
}

for t in tests/python/test_*.py; do
	run "$(basename "$t" .py)" "${pyenv[@]}" "$py" tests/python/harness.py "$t"
done
run difftest "${pyenv[@]}" "$py" tests/python/difftest.py --seed "${PYVIEW_SEED:-1}" --cases "${PYVIEW_CASES:-400}"

# The zero-copy and two-process tests again on a viewfs mount (the real
# deployment), where this machine allows mounting: root, /dev/fuse, the
# daemon built.  Otherwise one skip, with the reason.
viewfs_part() {
	local bin=$PWD/$build/bin/viewfs mnt vpid ok=0
	[ "$(id -u)" = 0 ] || { echo "  viewfs: skip: mounting needs root"; return 77; }
	[ -c /dev/fuse ] || { echo "  viewfs: skip: no /dev/fuse"; return 77; }
	[ -x "$bin" ] || { echo "  viewfs: skip: $bin not built"; return 77; }
	command -v fusermount3 >/dev/null || { echo "  viewfs: skip: no fusermount3 (make deps)"; return 77; }
	mnt=$(mktemp -d /tmp/pyview-viewfs.XXXXXX)
	"$bin" "$mnt" -f >"$out.viewfs" 2>&1 &
	vpid=$!
	for _ in $(seq 200); do
		grep -qs " $mnt fuse.viewfs " /proc/mounts && stat "$mnt" >/dev/null 2>&1 && { ok=1; break; }
		kill -0 "$vpid" 2>/dev/null || break
		sleep 0.05
	done
	if [ "$ok" -eq 1 ]; then
		echo "  viewfs: mounted $bin on $mnt"
		run test_zero_copy@viewfs env PYVIEW_TMPDIR="$mnt" "${pyenv[@]}" "$py" \
			tests/python/harness.py tests/python/test_zero_copy.py
		fusermount3 -u "$mnt" || umount -l "$mnt"
		wait "$vpid" || { echo "--- FAIL viewfs daemon exit status $?:"; tail -n 20 "$out.viewfs"; count 0 1 0; failed+=("viewfs-daemon"); }
	else
		echo "--- FAIL viewfs: mount failed:"; tail -n 20 "$out.viewfs"
		kill "$vpid" 2>/dev/null; wait "$vpid" 2>/dev/null
		count 0 1 0; failed+=("viewfs-mount")
	fi
	rmdir "$mnt" 2>/dev/null
	return 0
}
viewfs_part || count 0 0 1

if [ "$san" -eq 1 ]; then
	# full stacks (Python has no frame pointers), so a leak made by the
	# module shows the module's frame however deep the allocator is
	# exitcode=0: Python's own leaks at exit must not fail the run; the
	# reports are judged below.  Not the tracemalloc tests: tracemalloc's
	# own trace tables are allocated under our frames and never freed.
	run lsan-test_leaks "${pyenv[@]}" \
		ASAN_OPTIONS=detect_leaks=1:exitcode=0:fast_unwind_on_malloc=0:malloc_context_size=40:log_path="$out.lsan" \
		"$py" tests/python/harness.py tests/python/test_leaks.py \
		$(grep -o '^def test_[a-z_]*' tests/python/test_leaks.py | sed 's/^def //' | grep -v heap)
	logs=("$out".lsan*)
	if [ ${#logs[@]} -eq 0 ]; then
		echo "  lsan: no leaks reported at all"
		count 1 0 0
	else
		ours=$(awk -v m="$(basename "$mod")" '
			/^(Direct|Indirect) leak/ { inleak = 1; hit = 0; next }
			inleak && /^ *#/ { if (index($0, m) || /python\/[a-z_]+\.c:/ || /libview\/src\//) hit = 1; next }
			inleak { if (hit) n++; inleak = 0 }
			END { if (inleak && hit) n++; print n + 0 }' "${logs[@]}")
		total=$(grep -cE '^(Direct|Indirect) leak' "${logs[@]}" | awk -F: '{ s += $NF } END { print s + 0 }')
		errors=$(grep -l 'ERROR: AddressSanitizer' "${logs[@]}" 2>/dev/null | wc -l)
		echo "  lsan: $total leak reports at exit, $ours with a frame in the module, $errors ASan error logs"
		if [ "$ours" -eq 0 ] && [ "$errors" -eq 0 ]; then
			count 1 0 0
		else
			count 0 1 0; failed+=("lsan")
			grep -B2 -A30 -E "$(basename "$mod")|ERROR: AddressSanitizer" "${logs[@]}" | head -n 120
		fi
	fi
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "python: failed: ${failed[*]}"
fi
result
