#!/usr/bin/env bash
# tests/fuzz: the libFuzzer targets of tests/fuzz/fuzz_*.c (built by
# tests/fuzz/fuzz.mk into build/fuzz/, whatever the build dir), each
#   1. on every saved reproducer in tests/fuzz/regress/<target>/ (one run
#      each: a fixed bug must stay fixed), then
#   2. coverage-guided for FUZZ_TEST_S seconds (default 10) from the
#      committed corpus tests/fuzz/corpus/<target>/, new inputs kept in a
#      scratch directory (the tree is never written).
# A crash, sanitizer report, broken promise (abort) or a unit slower than
# 10 s fails the target; the input is left in build/fuzz/crashes/.
# usage: tests/fuzz/run.sh [BUILD_DIR (unused)].  Last line: RESULT.
set -u
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
out=build/fuzz
secs=${FUZZ_TEST_S:-10}
srcs=(tests/fuzz/fuzz_*.c)
command -v clang >/dev/null || suite_skip "clang missing (make deps)"
mkdir -p "$out/crashes"
scratch=$(mktemp -d /tmp/viewfs-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# the targets abort on findings; leaks are findings too
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

for src in "${srcs[@]}"; do
	t=$(basename "$src" .c); t=${t#fuzz_}
	bin=$out/fuzz_$t
	if [ ! -x "$bin" ]; then bad "$t: $bin not built (make test-bins)"; continue; fi
	reg=(tests/fuzz/regress/$t/*)
	if [ -e "${reg[0]}" ]; then
		if "$bin" -timeout=10 -artifact_prefix="$out/crashes/$t-" "${reg[@]}" >"$scratch/$t.reg" 2>&1; then
			ok "$t: ${#reg[@]} saved reproducers"
		else
			bad "$t: a saved reproducer fails again:"
			grep -E 'ERROR|broken promise|runtime error|Running' "$scratch/$t.reg" | tail -n 6 | sed 's/^/    /'
		fi
	fi
	mkdir -p "$scratch/$t"
	dargs=()
	[ -f "tests/fuzz/dict/$t.dict" ] && dargs=(-dict="tests/fuzz/dict/$t.dict")
	if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$t-" "${dargs[@]}" \
		"$scratch/$t" "tests/fuzz/corpus/$t" >"$scratch/$t.log" 2>&1; then
		cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$scratch/$t.log" | tail -n 1 | sed -E 's/.*(cov: [0-9]+).*(exec\/s: [0-9]+).*/\1, \2/')
		runs=$(grep -E '^stat::number_of_executed_units' "$scratch/$t.log" | awk '{print $2}')
		ok "$t: ${secs}s, ${runs:-?} inputs, ${cov:-no stats}"
	else
		bad "$t: finding (input saved under $out/crashes/):"
		grep -E 'ERROR|broken promise|runtime error|SUMMARY|Test unit written' "$scratch/$t.log" | head -n 8 | sed 's/^/    /'
	fi
done
result
