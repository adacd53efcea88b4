# bench: `make bench` (QUICK=1 for the short run).  Benchmarks are never
# part of `make test`: they print ratios against references measured in the
# same run (tmpfs, memcpy, Python memoryview, NumPy, libfuse's passthrough_hp)
# and write build/bench/results.json and build/bench/summary.png.
#
# The harness always uses the optimised, non-sanitized build in build/,
# whatever SAN says, so that the numbers are the ones users get.
QUICK ?= 0
BENCH_DIR := build/bench
VWBENCH := $(BENCH_DIR)/vwbench
BENCH_TOOLS := $(BENCH_DIR)/meta_ops $(BENCH_DIR)/map_hold $(BENCH_DIR)/map_touch
BENCH_CFLAGS := -O2 -g $(WARN) -std=gnu11 -D_GNU_SOURCE
# the optimised build's library (the harness builds BUILD=build, above)
BENCH_LIBVIEW := build/lib/libview.a

.PHONY: bench bench-tools

bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory SAN=0 BUILD=build all || \
		echo "bench: 'make all' failed; measuring whatever binaries exist (run.sh says which rows it skips)"
	@$(MAKE) --no-print-directory SAN=0 BUILD=build bench-tools
	@QUICK=$(QUICK) bash bench/run.sh

# vwbench needs libview; when libview does not build, the libview rows are
# skipped by run.sh (it says so) and the file-system parts still run.
bench-tools: $(BENCH_TOOLS)
	@$(MAKE) --no-print-directory SAN=0 BUILD=build $(VWBENCH) || \
		echo "bench: vwbench not built (libview missing?); libview rows will be skipped"

$(VWBENCH): bench/vwbench.c libview/include/view.h $(BENCH_LIBVIEW)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Ilibview/include -o $@ $< $(BENCH_LIBVIEW) -lm

$(BENCH_DIR)/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

# vmbench runs as a static binary inside bench/vm.sh's initramfs (no libs
# to copy); bench/vm.sh builds it itself and skips the kmod rows without it.
$(BENCH_DIR)/vmbench: bench/vmbench.c kmod/include/uapi/viewdev.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<
