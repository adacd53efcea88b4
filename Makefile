# viewfs — top-level build.  Each part keeps its rules in its own fragment
# (libview/libview.mk, tools/view/view.mk, fuse/fuse.mk, kmod/kmod.mk,
# tests/tests.mk); this file holds the shared flags and the user targets.
#
#   make deps     install every Debian package the project needs
#   make          build into build/  (build/lib/libview.{a,so}, build/bin/*)
#   make test     sanitizer build (ASan+UBSan) into build/san/, then all tests
#   make run      mount viewfs on ./mnt with a demo buffer;  make stop
#   make bench    benchmarks (not tests)

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

# The one version of the whole tree (libview's soname and file name, the
# .pc file, view/viewfs --version, the module's MODULE_VERSION, DKMS).
VERSION := $(shell cat VERSION)
ifeq ($(shell echo '$(VERSION)' | grep -Ex '[0-9]+\.[0-9]+\.[0-9]+'),)
$(error VERSION must hold MAJOR.MINOR.PATCH, not '$(VERSION)')
endif
VERSION_MAJOR := $(firstword $(subst ., ,$(VERSION)))

CC ?= cc
WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := $(OPT) $(WARN) $(SANFLAGS) -fPIC -D_GNU_SOURCE -MMD -MP -DVIEW_VERSION='"$(VERSION)"'
LDFLAGS_COMMON := $(SANFLAGS)

# Targets the fragments add to.
ALL :=
CLEAN :=

.PHONY: all deps test test-unit test-diff test-fs test-vm run stop bench clean help
all: all-targets

-include libview/libview.mk
-include tools/view/view.mk
-include fuse/fuse.mk
-include kmod/kmod.mk
-include tests/tests.mk
-include bench/bench.mk

all-targets: $(ALL)

# A new VERSION rebuilds what prints or embeds it.
$(LIBVIEW_OBJS) $(VIEW_OBJS) $(VIEWFS_OBJS): VERSION

deps:
	@bash tools/deps.sh

clean:
	rm -rf build $(CLEAN)

help:
	@sed -n '3,9p' Makefile
