# view: the CLI (build/bin/view), linked statically against libview.
VIEW_SRCS := $(wildcard tools/view/*.c)
VIEW_OBJS := $(VIEW_SRCS:%.c=$(BUILD)/obj/%.o)
VIEW_BIN := $(BUILD)/bin/view
VIEW_CFLAGS := $(CFLAGS_COMMON) -std=gnu11 -Ilibview/include -Ikmod/include

ALL += $(VIEW_BIN)

$(BUILD)/obj/tools/view/%.o: tools/view/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIEW_CFLAGS) -c $< -o $@

$(VIEW_BIN): $(VIEW_OBJS) $(LIBVIEW_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_COMMON) -o $@ $(VIEW_OBJS) $(LIBVIEW_A) -lm

-include $(VIEW_OBJS:.o=.d)

# make install / uninstall
INSTALL_TARGETS += install-view
UNINSTALL_TARGETS += uninstall-view
.PHONY: install-view uninstall-view
install-view: $(VIEW_BIN)
	$(INSTALL) -d $(DESTDIR)$(bindir)
	$(INSTALL_PROGRAM) $(VIEW_BIN) $(DESTDIR)$(bindir)/view

uninstall-view:
	rm -f $(DESTDIR)$(bindir)/view
