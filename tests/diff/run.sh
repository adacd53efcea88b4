#!/usr/bin/env bash
# Differential test of the `view` CLI against CPython's memoryview (and
# NumPy's rules for n-D slicing/transpose): tests/diff/difftest.py.
# Usage: tests/diff/run.sh BUILD_DIR   (e.g. build/san)
# Then tests/diff/reprcheck.py: float repr against CPython's on ~1.8M values.
# Environment: DIFFTEST_SEED (default 1), DIFFTEST_CASES (default 600),
#              DIFFTEST_ARGS (more difftest.py options),
#              REPRCHECK_COUNT (random doubles for reprcheck.py, default 1000000).
# Counts are per generated case.  Last line: RESULT: P passed, F failed, S skipped
# Exit 0 pass, 1 fail, 77 skip (reason printed).
set -u
build=${1:-build/san}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../common/result.sh
. "$here/../common/result.sh"
py=/usr/bin/python3
view="$build/bin/view"

[ -x "$py" ] || suite_skip "$py not found (Debian's python3; make deps installs it)"
"$py" -c 'import numpy' 2>/dev/null || suite_skip "$py has no numpy (make deps installs python3-numpy)"
if [ ! -x "$view" ]; then
	# a missing binary is a broken build, not a reason to skip
	suite_broken "no view binary at $view (build it first: make SAN=1 all)"
fi

# Test files go where user xattrs work if possible: the build dir, else /tmp.
tmp=""
for d in "$build" "${TMPDIR:-/tmp}"; do
	if [ -d "$d" ] && t=$(mktemp -d "$d/difftest.XXXXXX" 2>/dev/null); then
		if "$py" -c 'import os,sys; p=sys.argv[1]+"/x"; open(p,"w").close(); os.setxattr(p,"user.view.probe",b"1")' "$t" 2>/dev/null; then
			tmp=$t
			break
		fi
		rm -rf "$t"
	fi
done
if [ -z "$tmp" ]; then
	tmp=$(mktemp -d)
	echo "note: no directory with user xattrs found; xattr cases will be skipped"
fi
trap 'rm -rf "$tmp"' EXIT

# difftest.py, then reprcheck.py (float repr on ~1.8M values: more with
# REPRCHECK_COUNT=20000000); one RESULT line adds up both.
log=$tmp/log
# shellcheck disable=SC2086
"$py" "$here/difftest.py" --view "$view" --tmpdir "$tmp" \
	--seed "${DIFFTEST_SEED:-1}" --cases "${DIFFTEST_CASES:-600}" ${DIFFTEST_ARGS:-} | tee "$log"
rc1=${PIPESTATUS[0]}
"$py" "$here/reprcheck.py" --view "$view" --tmpdir "$tmp" \
	--seed "${DIFFTEST_SEED:-1}" --count "${REPRCHECK_COUNT:-1000000}" | tee -a "$log"
rc2=${PIPESTATUS[0]}
p=0 f=0 s=0
while read -r a b c; do
	p=$((p + a)) f=$((f + b)) s=$((s + c))
done < <(sed -En 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/p' "$log")
echo "RESULT: $p passed, $f failed, $s skipped"
# a skip of difftest.py (77) with reprcheck.py passing is a pass of the latter
if [ "$rc1" -ne 0 ] && [ "$rc1" -ne 77 ] || [ "$rc2" -ne 0 ]; then
	exit 1
fi
[ "$rc1" -eq 77 ] && [ "$p" -eq 0 ] && exit 77
exit 0
