# viewfs — top-level build.  Each part keeps its rules in its own fragment
# (libview/libview.mk, python/python.mk, tools/view/view.mk, fuse/fuse.mk,
# kmod/kmod.mk, tests/tests.mk); this file holds the shared flags and the
# user targets.
#
#   make deps     install every Debian package the project needs
#   make          build into build/  (build/lib/libview.{a,so}, build/bin/*)
#   make test     sanitizer build (ASan+UBSan) into build/san/, then all tests
#   make run      mount viewfs on ./mnt with a demo buffer;  make stop
#   make bench    benchmarks (not tests)
#   make fuzz     coverage-guided fuzzers, FUZZ_S seconds each (default 60)
#   make install-python / uninstall-python   the Python module (python/python.mk)

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT := -O2 -g
endif

CC ?= cc
WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := $(OPT) $(WARN) $(SANFLAGS) -fPIC -D_GNU_SOURCE -MMD -MP
LDFLAGS_COMMON := $(SANFLAGS)

# Targets the fragments add to.
ALL :=
CLEAN :=

.PHONY: all deps test test-unit test-diff test-fs test-vm run stop bench clean help
all: all-targets

-include libview/libview.mk
-include python/python.mk
-include tools/view/view.mk
-include fuse/fuse.mk
-include kmod/kmod.mk
-include tests/tests.mk
-include bench/bench.mk

all-targets: $(ALL)

deps:
	@bash tools/deps.sh

clean:
	rm -rf build $(CLEAN)

help:
	@sed -n '6,12p' Makefile
