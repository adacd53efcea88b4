# Tests.  `make test` = make deps, the sanitizer build, then every suite
# under tests/ through tests/run.sh (which prints the closing summary).
# Each suite is a script tests/<suite>/run.sh taking the build dir; exit 0
# pass, 77 skip (with the reason printed), anything else fail.  A suite
# adds itself by existing; fragments add build-only targets to TEST_BINS.
TEST_BINS :=
-include tests/unit/unit.mk
-include tests/fs/fs.mk
-include tests/vm/vm.mk
-include tests/fuzz/fuzz.mk

test-bins: $(TEST_BINS)

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory SAN=1 all test-bins
	@$(MAKE) --no-print-directory SAN=thread viewfs
	@bash tests/run.sh build/san

# Run one suite: make test-unit / test-diff / test-fs / test-vm
# (a static pattern rule: make applies no implicit rule to .PHONY targets)
SUITES := $(patsubst tests/%/run.sh,%,$(wildcard tests/*/run.sh))
$(addprefix test-,$(SUITES)): test-%:
	@$(MAKE) --no-print-directory SAN=1 all test-bins
	@bash tests/run.sh build/san $*
