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
LIBVIEW_CFLAGS := $(CFLAGS_COMMON) -std=c11 -Ilibview/include -fvisibility=hidden

ALL += $(LIBVIEW_A) $(LIBVIEW_SO)

$(BUILD)/obj/libview/%.o: libview/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBVIEW_CFLAGS) -c $< -o $@

$(LIBVIEW_A): $(LIBVIEW_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/$(LIBVIEW_REAL): $(LIBVIEW_OBJS) libview/libview.map VERSION
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_COMMON) -Wl,--version-script=libview/libview.map -Wl,-soname,$(LIBVIEW_SONAME) -o $@ $(LIBVIEW_OBJS) -lm

$(LIBVIEW_SO): $(BUILD)/lib/$(LIBVIEW_REAL)
	rm -f $(filter-out $<,$(wildcard $(BUILD)/lib/libview.so.*.*.*))
	ln -sf $(LIBVIEW_REAL) $(BUILD)/lib/$(LIBVIEW_SONAME)
	ln -sf $(LIBVIEW_SONAME) $@

-include $(LIBVIEW_OBJS:.o=.d)
