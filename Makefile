# viewfs — top-level build.  Each part keeps its rules in its own fragment
# (libview/libview.mk, tools/view/view.mk, fuse/fuse.mk, kmod/kmod.mk,
# tests/tests.mk); this file holds the shared flags and the user targets.
#
#   make deps     install every Debian package the project needs
#   make          build into build/  (build/lib/libview.{a,so}, build/bin/*)
#   make test     sanitizer build (ASan+UBSan) into build/san/, then all tests
#   make run      mount viewfs on ./mnt with a demo buffer;  make stop
#   make bench    benchmarks (not tests)
#   make fuzz     coverage-guided fuzzers, FUZZ_S seconds each (default 60)
#   make install  install into PREFIX (default /usr/local; DESTDIR stages);
#                 make uninstall removes exactly that; make install-dkms

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else ifeq ($(SAN),thread)
# ThreadSanitizer build of the daemon (tests/fs runs it under a concurrent
# workload when build/tsan/bin/viewfs exists): make SAN=thread viewfs
BUILD ?= build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
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
# CPPFLAGS, CFLAGS and LDFLAGS from the caller come last (a distribution's
# hardening flags, e.g. dpkg-buildflags in debian/rules).
CFLAGS_COMMON := $(OPT) $(WARN) $(SANFLAGS) -fPIC -D_GNU_SOURCE -MMD -MP -DVIEW_VERSION='"$(VERSION)"' $(CPPFLAGS) $(CFLAGS)
LDFLAGS_COMMON := $(SANFLAGS) $(LDFLAGS)

# Installation: GNU directory variables (any may be set on the command
# line), DESTDIR for staged installs.  mount(8) looks for its helpers only
# in /sbin, so mount.fuse.viewfs goes there for the system prefixes /usr
# and /usr/local, and into sbindir for any other prefix (a trial install
# stays inside its prefix; set mounthelperdir=/sbin to have mount(8) use it).
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
sbindir ?= $(exec_prefix)/sbin
libdir ?= $(exec_prefix)/lib
includedir ?= $(prefix)/include
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man
docdir ?= $(datarootdir)/doc/viewfs
pkgconfigdir ?= $(libdir)/pkgconfig
mounthelperdir ?= $(if $(filter /usr /usr/local,$(patsubst %/,%,$(prefix))),/sbin,$(sbindir))
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755
INSTALL_DATA ?= $(INSTALL) -m 0644
# Run after install/uninstall without DESTDIR, so ld.so finds libview.so.N.
LDCONFIG ?= $(if $(filter 0,$(shell id -u)),ldconfig,:)

# Targets the fragments add to: ALL (built by `make`), CLEAN, and
# INSTALL_TARGETS / UNINSTALL_TARGETS (phony rules each fragment defines
# for its own files; `make install` runs every one, `make uninstall` too).
ALL :=
CLEAN :=
INSTALL_TARGETS :=
UNINSTALL_TARGETS :=

.PHONY: all deps test test-unit test-diff test-fs test-vm run stop bench clean help install uninstall
all: all-targets

-include libview/libview.mk
-include tools/view/view.mk
-include fuse/fuse.mk
-include kmod/kmod.mk
-include tests/tests.mk
-include bench/bench.mk
-include docs/man/man.mk

all-targets: $(ALL)

install: $(INSTALL_TARGETS)
	$(if $(DESTDIR),@:,$(LDCONFIG))

uninstall: $(UNINSTALL_TARGETS)
	$(if $(DESTDIR),@:,$(LDCONFIG))

# make deb: the Debian packages (debian/) built from a copy of this tree
# in build/deb/viewfs-VERSION (dpkg-buildpackage puts its results next to
# the tree it builds), then lintian: build/deb/*.deb, build/deb/lintian.log.
DEB_DIR := build/deb
.PHONY: deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/viewfs-$(VERSION)
	tar -C . --exclude=./build --exclude=./.git --exclude=./mnt --exclude='*.o' --exclude='*.ko' \
		--exclude='.*.cmd' --exclude='*.mod*' --exclude='*.d' -cf - . | tar -C $(DEB_DIR)/viewfs-$(VERSION) -xf -
	cd $(DEB_DIR)/viewfs-$(VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error $(DEB_DIR)/viewfs_$(VERSION)_*.changes >$(DEB_DIR)/lintian.log 2>&1; \
		rc=$$?; cat $(DEB_DIR)/lintian.log; exit $$rc

# A new VERSION rebuilds what prints or embeds it.
$(LIBVIEW_OBJS) $(VIEW_OBJS) $(VIEWFS_OBJS): VERSION

deps:
	@bash tools/deps.sh

clean:
	rm -rf build $(CLEAN)

help:
	@sed -n '3,12p' Makefile
