#!/usr/bin/env bash
# Differential test of the `view` CLI against CPython's memoryview (and
# NumPy's rules for n-D slicing/transpose): tests/diff/difftest.py.
# Usage: tests/diff/run.sh BUILD_DIR   (e.g. build/san)
# Environment: DIFFTEST_SEED (default 1), DIFFTEST_CASES (default 600),
#              DIFFTEST_ARGS (more difftest.py options).
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

# shellcheck disable=SC2086
"$py" "$here/difftest.py" --view "$view" --tmpdir "$tmp" \
	--seed "${DIFFTEST_SEED:-1}" --cases "${DIFFTEST_CASES:-600}" ${DIFFTEST_ARGS:-}
