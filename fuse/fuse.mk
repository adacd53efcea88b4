# viewfs: the FUSE daemon (build/bin/viewfs), and `make run` / `make stop`.
#
# Links libfuse 3.18 from /opt/viewfs/libfuse (built by `make deps`,
# tools/deps/fuse-libfuse.sh) with an rpath, for kernel FUSE passthrough;
# falls back to the system's libfuse3 (3.14, no passthrough) when that
# private build is absent.
VIEWFS_SRCS := $(wildcard fuse/*.c)
VIEWFS_OBJS := $(VIEWFS_SRCS:%.c=$(BUILD)/obj/%.o)
VIEWFS_BIN := $(BUILD)/bin/viewfs
VIEWFS_FUSE_PREFIX ?= /opt/viewfs/libfuse
ifneq ($(wildcard $(VIEWFS_FUSE_PREFIX)/lib/pkgconfig/fuse3.pc),)
VIEWFS_PKG := PKG_CONFIG_PATH=$(VIEWFS_FUSE_PREFIX)/lib/pkgconfig pkg-config
VIEWFS_RPATH := -Wl,-rpath,$(VIEWFS_FUSE_PREFIX)/lib
else
VIEWFS_PKG := pkg-config
VIEWFS_RPATH :=
endif
VIEWFS_FUSE_CFLAGS := $(shell $(VIEWFS_PKG) --cflags fuse3 2>/dev/null)
VIEWFS_FUSE_LIBS := $(shell $(VIEWFS_PKG) --libs fuse3 2>/dev/null)
VIEWFS_CFLAGS := $(CFLAGS_COMMON) -std=gnu11 -Ilibview/include $(VIEWFS_FUSE_CFLAGS)

ALL += $(VIEWFS_BIN)
.PHONY: viewfs
viewfs: $(VIEWFS_BIN)

$(BUILD)/obj/fuse/%.o: fuse/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIEWFS_CFLAGS) -c $< -o $@

$(VIEWFS_BIN): $(VIEWFS_OBJS) $(LIBVIEW_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_COMMON) -o $@ $(VIEWFS_OBJS) $(LIBVIEW_A) $(VIEWFS_FUSE_LIBS) $(VIEWFS_RPATH) -lpthread -lm

-include $(VIEWFS_OBJS:.o=.d)

# make run: deps, build, mount on ./mnt in the background, a demo buffer.
RUN_MNT := mnt
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@bash fuse/run.sh start $(BUILD) $(RUN_MNT)

stop:
	@bash fuse/run.sh stop $(BUILD) $(RUN_MNT)

# make install / uninstall: viewfs goes to sbindir (a system daemon that
# root mounts at boot through mount(8)/fstab; users may still run it by
# path through fusermount3), the mount(8) helper to mounthelperdir (see
# Makefile), the systemd unit to docdir/examples.  The installed viewfs
# keeps its rpath to $(VIEWFS_FUSE_PREFIX)/lib: libfuse 3.18 stays where
# `make deps` built it and is not installed (or removed) here.
VIEWFS_INST := $(DESTDIR)$(sbindir)/viewfs $(DESTDIR)$(mounthelperdir)/mount.fuse.viewfs \
	$(DESTDIR)$(docdir)/examples/mnt-buf.mount
INSTALL_TARGETS += install-viewfs
UNINSTALL_TARGETS += uninstall-viewfs
.PHONY: install-viewfs uninstall-viewfs
install-viewfs: $(VIEWFS_BIN) fuse/mount.fuse.viewfs.in fuse/mnt-buf.mount
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mounthelperdir) $(DESTDIR)$(docdir)/examples
	$(INSTALL_PROGRAM) $(VIEWFS_BIN) $(DESTDIR)$(sbindir)/viewfs
	sed 's|@sbindir@|$(sbindir)|' fuse/mount.fuse.viewfs.in >$(DESTDIR)$(mounthelperdir)/mount.fuse.viewfs
	chmod 0755 $(DESTDIR)$(mounthelperdir)/mount.fuse.viewfs
	$(INSTALL_DATA) fuse/mnt-buf.mount $(DESTDIR)$(docdir)/examples/mnt-buf.mount

uninstall-viewfs:
	rm -f $(VIEWFS_INST)
