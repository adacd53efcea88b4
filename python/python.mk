# The CPython module `libview` (python/*.c) for Debian's /usr/bin/python3:
# $(BUILD)/python/libview$(PY_EXT), e.g. build/python/libview.cpython-311-
# x86_64-linux-gnu.so, with libview linked in statically (its -fPIC
# objects; only PyInit_libview is exported).  The sanitizer build
# (SAN=1 -> build/san/python/) is loaded with LD_PRELOAD of libasan, see
# tests/python/run.sh.  Skipped (with a note) when python3-dev is missing:
# `make deps` installs it.
#
#   make install-python    install into $(DESTDIR)$(PY_SITEDIR)
#   make uninstall-python
PY := /usr/bin/python3
PY_CONFIG := /usr/bin/python3-config
PY_INCLUDES := $(shell $(PY_CONFIG) --includes 2>/dev/null)
PY_EXT := $(shell $(PY_CONFIG) --extension-suffix 2>/dev/null)
PY_VERSION := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Where Debian's python3 looks: /usr/lib/python3/dist-packages for the
# system prefix, prefix/lib/python3.X/dist-packages otherwise (on its
# sys.path for /usr/local).  prefix is the Makefile's (PREFIX).
ifeq ($(patsubst %/,%,$(prefix)),/usr)
PY_SITEDIR ?= /usr/lib/python3/dist-packages
else
PY_SITEDIR ?= $(prefix)/lib/python$(PY_VERSION)/dist-packages
endif

PY_SRCS := $(wildcard python/*.c)
PY_OBJS := $(PY_SRCS:%.c=$(BUILD)/obj/%.o)
PY_MODULE := $(BUILD)/python/libview$(PY_EXT)
PY_CFLAGS := $(CFLAGS_COMMON) -std=gnu11 -fvisibility=hidden -fno-strict-aliasing \
	-Ilibview/include $(PY_INCLUDES)

.PHONY: python install-python uninstall-python
ifneq ($(PY_INCLUDES),)
ALL += $(PY_MODULE)
INSTALL_TARGETS += install-python
UNINSTALL_TARGETS += uninstall-python
python: $(PY_MODULE)
else
python:
	@echo "python: $(PY_CONFIG) not found (make deps installs python3-dev)"; false
endif

$(BUILD)/obj/python/%.o: python/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PY_CFLAGS) -c $< -o $@

# --exclude-libs: libview's vw_* stay inside the module, so it cannot clash
# with a libview.so loaded into the same process.
$(PY_MODULE): $(PY_OBJS) $(LIBVIEW_A)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_COMMON) -Wl,--exclude-libs,ALL -o $@ $(PY_OBJS) $(LIBVIEW_A) -lm

install-python: $(PY_MODULE)
	$(INSTALL) -d $(DESTDIR)$(PY_SITEDIR)
	$(INSTALL_DATA) $(PY_MODULE) $(DESTDIR)$(PY_SITEDIR)/libview$(PY_EXT)

uninstall-python:
	rm -f $(DESTDIR)$(PY_SITEDIR)/libview$(PY_EXT)

-include $(PY_OBJS:.o=.d)
