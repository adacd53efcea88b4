# tests/common/result.sh: the counters of one test suite and the line
# shellcheck shell=bash
# tests/run.sh reads.  Sourced by every tests/*/run.sh:
#
#   . "$(dirname "$0")/../common/result.sh"   (before any cd), or by path
#
#   ok NAME          one check passed: counts it, prints "ok   NAME"
#   bad NAME         one check failed: counts it, prints "FAIL NAME"
#   skip_one NAME    one check skipped: counts it, prints "skip NAME"
#   count P F S      adds counts found elsewhere (CMocka, TAP, a child)
#   result           prints "RESULT: P passed, F failed, S skipped" and
#                    returns 0 when nothing failed (a suite's last command)
#   suite_skip WHY   the suite cannot run here: prints "skip: WHY" and
#                    "RESULT: 0 passed, 0 failed, 1 skipped", exits 77
#   suite_broken WHY the suite cannot run because the build is broken (a
#                    missing binary is not a reason to skip): prints
#                    "FAIL: WHY" and "RESULT: 0 passed, 1 failed, 0
#                    skipped", exits 1
#
# The counters are the shell variables pass, fail and skip.
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skip_one() { skip=$((skip + 1)); echo "skip $*"; }
count() { pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3)); }
result() {
	echo "RESULT: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}
suite_skip() {
	echo "skip: $*"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 77
}
suite_broken() {
	echo "FAIL: $*"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
