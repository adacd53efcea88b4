# libview: build/lib/libview.a and build/lib/libview.so.$(VERSION) with
# the symlinks libview.so.$(VERSION_MAJOR) (the soname, what a dynamically
# linked program loads) and libview.so (what -lview links); only the names
# libview.map lists are exported.
LIBVIEW_SRCS := $(wildcard libview/src/*.c)
LIBVIEW_OBJS := $(LIBVIEW_SRCS:%.c=$(BUILD)/obj/%.o)
LIBVIEW_A := $(BUILD)/lib/libview.a
LIBVIEW_SONAME := libview.so.$(VERSION_MAJOR)
LIBVIEW_REAL := libview.so.$(VERSION)
LIBVIEW_SO := $(BUILD)/lib/libview.so
LIBVIEW_CFLAGS := $(CFLAGS_COMMON) -std=c11 -Ilibview/include -Ikmod/include -fvisibility=hidden

ALL += $(LIBVIEW_A) $(LIBVIEW_SO)

$(BUILD)/obj/libview/%.o: libview/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBVIEW_CFLAGS) -c $< -o $@

# shortest.c's table of powers of ten is computed at build time, with exact
# big-integer arithmetic, by a program built and run on the build machine.
LIBVIEW_POW10_GEN := $(BUILD)/gen/pow10_table
LIBVIEW_POW10_H := $(BUILD)/gen/libview/pow10_table.h

$(LIBVIEW_POW10_GEN): libview/gen/pow10_table.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -std=c11 $(LDFLAGS_COMMON) -o $@ $<

$(LIBVIEW_POW10_H): $(LIBVIEW_POW10_GEN)
	@mkdir -p $(dir $@)
	$< >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/libview/src/shortest.o: $(LIBVIEW_POW10_H)
$(BUILD)/obj/libview/src/shortest.o: LIBVIEW_CFLAGS += -I$(dir $(LIBVIEW_POW10_H))

$(LIBVIEW_A): $(LIBVIEW_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/$(LIBVIEW_REAL): $(LIBVIEW_OBJS) libview/libview.map VERSION
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_COMMON) -Wl,--version-script=libview/libview.map -Wl,-soname,$(LIBVIEW_SONAME) -o $@ $(LIBVIEW_OBJS) -lm

$(LIBVIEW_SO): $(BUILD)/lib/$(LIBVIEW_REAL)
	$(if $(filter-out $<,$(wildcard $(BUILD)/lib/libview.so.*.*.*)),rm -f $(filter-out $<,$(wildcard $(BUILD)/lib/libview.so.*.*.*)))
	ln -sf $(LIBVIEW_REAL) $(BUILD)/lib/$(LIBVIEW_SONAME)
	ln -sf $(LIBVIEW_SONAME) $@

-include $(LIBVIEW_OBJS:.o=.d)

# make install / uninstall: the library, its symlinks, view.h, libview.pc.
LIBVIEW_INST := $(addprefix $(DESTDIR)$(libdir)/,$(LIBVIEW_REAL) $(LIBVIEW_SONAME) libview.so libview.a) \
	$(DESTDIR)$(includedir)/view.h $(DESTDIR)$(pkgconfigdir)/libview.pc
INSTALL_TARGETS += install-libview
UNINSTALL_TARGETS += uninstall-libview
.PHONY: install-libview uninstall-libview

install-libview: $(LIBVIEW_A) $(LIBVIEW_SO) libview/libview.pc.in
	$(INSTALL) -d $(DESTDIR)$(libdir) $(DESTDIR)$(includedir) $(DESTDIR)$(pkgconfigdir)
	$(INSTALL_DATA) $(BUILD)/lib/$(LIBVIEW_REAL) $(DESTDIR)$(libdir)/$(LIBVIEW_REAL)
	ln -sfn $(LIBVIEW_REAL) $(DESTDIR)$(libdir)/$(LIBVIEW_SONAME)
	ln -sfn $(LIBVIEW_SONAME) $(DESTDIR)$(libdir)/libview.so
	$(INSTALL_DATA) $(LIBVIEW_A) $(DESTDIR)$(libdir)/libview.a
	$(INSTALL_DATA) libview/include/view.h $(DESTDIR)$(includedir)/view.h
	sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(libdir)|' \
		-e 's|@includedir@|$(includedir)|' -e 's|@VERSION@|$(VERSION)|' \
		libview/libview.pc.in >$(DESTDIR)$(pkgconfigdir)/libview.pc
	chmod 0644 $(DESTDIR)$(pkgconfigdir)/libview.pc

uninstall-libview:
	rm -f $(LIBVIEW_INST)

# libview's ABI (tools/abi.sh: exported symbols, public struct layout and
# constants) against the committed libview/libview.abi.  tests/install
# runs the check; after an intended change, `make abi-update` and commit.
.PHONY: abi-check abi-update
abi-check: $(LIBVIEW_SO)
	@bash tools/abi.sh $(LIBVIEW_SO) | diff -u libview/libview.abi - && echo "abi-check: libview ABI unchanged"

abi-update: $(LIBVIEW_SO)
	bash tools/abi.sh $(LIBVIEW_SO) >libview/libview.abi
