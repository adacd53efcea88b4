#!/usr/bin/env bash
# Unit suite: runs every CMocka binary in $1/tests/unit (built by
# tests/unit/unit.mk).  A binary whose whole run exits 0 with every test
# passed or skipped is counted from CMocka's summary; otherwise each of its
# tests is rerun in its own process, so that a crash, a sanitizer report or
# a leak (LeakSanitizer reports at exit) fails that test only and the other
# tests still count.  Last line: "RESULT: P passed, F failed, S skipped".
set -u
build=${1:-build/san}
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
dir=$build/tests/unit
shopt -s nullglob
bins=("$dir"/test_*)
if [ ${#bins[@]} -eq 0 ]; then
	suite_broken "unit: no test binaries in $dir (run: make SAN=1 test-bins)"
fi
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for b in "${bins[@]}"; do
	[ -x "$b" ] || continue
	names=$("$b" --list) || { failed+=("$(basename "$b") --list"); count 0 1 0; continue; }
	total=$(echo "$names" | grep -c .)
	timeout 300 "$b" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$out" | tail -n 1)
	# CMocka names a skipped test twice (when run, and in the summary)
	sk=$(grep '^\[  SKIPPED \] test_' "$out" | sort -u | grep -c .)
	if [ "$rc" -eq 0 ] && [ -n "$p" ] && [ $((p + sk)) -eq "$total" ]; then
		count "$p" 0 "$sk"
		grep -v '^\[' "$out" | grep -v '^ *[0-9]* SKIPPED TEST' | grep . | sed "s/^/  $(basename "$b"): /"
		continue
	fi
	for t in $names; do
		timeout 60 "$b" "$t" >"$out" 2>&1
		rc=$?
		if grep -q '^\[  SKIPPED \] '"$t"'$' "$out" && [ "$rc" -eq 0 ]; then
			count 0 0 1
			grep -v '^\[' "$out" | sed "s/^/  $t: /"
		elif grep -q '^\[  PASSED  \] 1 test(s)\.' "$out" && [ "$rc" -eq 0 ]; then
			count 1 0 0
		else
			count 0 1 0
			failed+=("$(basename "$b"):$t")
			echo "--- FAIL $(basename "$b") $t (exit $rc)"
			sed 's/^/    /' "$out" | head -n 40
		fi
	done
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "unit: failed tests:"
	printf '  %s\n' "${failed[@]}"
fi
result
