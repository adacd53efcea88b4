# libview: build/lib/libview.a and build/lib/libview.so (only vw_* exported)
LIBVIEW_SRCS := $(wildcard libview/src/*.c)
LIBVIEW_OBJS := $(LIBVIEW_SRCS:%.c=$(BUILD)/obj/%.o)
LIBVIEW_A := $(BUILD)/lib/libview.a
LIBVIEW_SO := $(BUILD)/lib/libview.so
LIBVIEW_CFLAGS := $(CFLAGS_COMMON) -std=c11 -Ilibview/include -fvisibility=hidden

ALL += $(LIBVIEW_A) $(LIBVIEW_SO)

$(BUILD)/obj/libview/%.o: libview/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBVIEW_CFLAGS) -c $< -o $@

$(LIBVIEW_A): $(LIBVIEW_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBVIEW_SO): $(LIBVIEW_OBJS) libview/libview.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_COMMON) -Wl,--version-script=libview/libview.map -Wl,-soname,libview.so.0 -o $@ $(LIBVIEW_OBJS) -lm

-include $(LIBVIEW_OBJS:.o=.d)
