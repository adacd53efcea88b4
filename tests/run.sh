#!/usr/bin/env bash
# Runs every test suite (tests/*/run.sh) or the ones named, against the
# build in $1.  A suite prints its own details and, as its last line,
# "RESULT: P passed, F failed, S skipped" (tests/common/result.sh keeps
# the counters and prints it); this script adds them up and
# ends with the closing line "N passed, N failed, N skipped".
set -u
build=${1:-build/san}
shift || true
cd "$(dirname "$0")/.."
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	for d in tests/*/run.sh; do suites+=("$(basename "$(dirname "$d")")"); done
fi
tp=0 tf=0 ts=0 bad=()
for s in "${suites[@]}"; do
	echo "=== suite $s ==="
	log=$(mktemp)
	bash "tests/$s/run.sh" "$build" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -n 1)
	rm -f "$log"
	if [ -n "$line" ]; then
		read -r p f sk <<<"$(echo "$line" | sed -E 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')"
	else
		p=0 f=0 sk=0
	fi
	if [ "$rc" -eq 77 ]; then
		ts=$((ts + sk + (sk == 0))); tp=$((tp + p))
		echo "=== suite $s: skipped ==="
	elif [ "$rc" -ne 0 ]; then
		tf=$((tf + f + (f == 0))); tp=$((tp + p)); ts=$((ts + sk)); bad+=("$s")
		echo "=== suite $s: FAILED (exit $rc) ==="
	else
		tp=$((tp + p)); ts=$((ts + sk))
		echo "=== suite $s: ok ==="
	fi
done
[ ${#bad[@]} -eq 0 ] || echo "failed suites: ${bad[*]}"
echo "$tp passed, $tf failed, $ts skipped"
[ ${#bad[@]} -eq 0 ]
