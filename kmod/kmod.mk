# viewdev: the kernel module (kmod/viewdev.ko), built out of tree through
# the top-level Kbuild against Debian's packaged headers, with W=1 and
# -Werror (kmod/Kbuild).  Not part of ALL: the headers may be missing on a
# machine that only builds user space; tests/vm builds it.
#
#   make kmod                   against the default kernel's headers (6.1:
#                               the ones linux-headers-amd64 depends on)
#   make kmod KVER=6.12         against a series of tools/kver.sh (6.1, 6.12)
#   make kmod KVER=6.12.117+deb12-amd64   against an installed header tree
#   make kmod-clean             removes the module's build products only
#
# KVER also selects the kernel of `make test-vm` (tests/vm/vm.mk);
# KMOD_KVER (a release) overrides it for the module alone.
KMOD_KVER ?= $(shell bash tools/kver.sh $(KVER))
KMOD_KDIR ?= /usr/src/linux-headers-$(KMOD_KVER)
KMOD_KO := kmod/viewdev.ko

.PHONY: kmod kmod-clean
kmod:
	@test -n "$(KMOD_KVER)" -a -d "$(KMOD_KDIR)" || \
		{ echo "kmod: no kernel headers at '$(KMOD_KDIR)' (run make deps)" >&2; exit 1; }
	$(MAKE) -C $(KMOD_KDIR) M=$(CURDIR) W=1 modules

# What kbuild leaves behind: in kmod/ and, since M= is the top (the
# Kbuild there names kmod/), a few files at the top.  Not kbuild's own
# `clean`: with M= at the top it deletes every *.o, *.a, *.s, *.ko and
# .*.cmd in the whole tree (build/ included).
KMOD_PRODUCTS := kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/.*.d \
	kmod/modules.order Module.symvers modules.order .Module.symvers.cmd \
	.modules.order.cmd .module-common.o ..module-common.o.cmd .module-common.o.cmd
kmod-clean:
	rm -f $(KMOD_PRODUCTS)

CLEAN += $(KMOD_PRODUCTS)

# make install / uninstall: the UAPI header, as <linux/viewdev.h> (where
# the kernel's headers_install would put include/uapi/viewdev.h).
INSTALL_TARGETS += install-uapi
UNINSTALL_TARGETS += uninstall-uapi
.PHONY: install-uapi uninstall-uapi
install-uapi: kmod/include/uapi/viewdev.h
	$(INSTALL) -d $(DESTDIR)$(includedir)/linux
	$(INSTALL_DATA) kmod/include/uapi/viewdev.h $(DESTDIR)$(includedir)/linux/viewdev.h

uninstall-uapi:
	rm -f $(DESTDIR)$(includedir)/linux/viewdev.h

# make install-dkms / uninstall-dkms: the module's source for DKMS under
# $(dkmsdir)/viewdev-$(VERSION) (DESTDIR applies), in the source tree's
# own layout so the same Kbuild files build it.  Not part of `make
# install`.  uninstall-dkms first runs `dkms remove` when DKMS knows the
# version (no DESTDIR), then removes exactly the files and directories
# install-dkms made.
dkmsdir ?= /usr/src
DKMS_DIR := $(DESTDIR)$(dkmsdir)/viewdev-$(VERSION)
DKMS_SRC := Kbuild VERSION kmod/Kbuild $(sort $(wildcard kmod/*.c kmod/*.h)) kmod/include/uapi/viewdev.h
DKMS_DIRS := kmod/include/uapi kmod/include kmod
.PHONY: install-dkms uninstall-dkms
install-dkms: $(DKMS_SRC) kmod/dkms.conf.in
	$(INSTALL) -d $(addprefix $(DKMS_DIR)/,$(DKMS_DIRS))
	$(foreach f,$(DKMS_SRC),$(INSTALL_DATA) $(f) $(DKMS_DIR)/$(f) &&) :
	sed 's|@VERSION@|$(VERSION)|' kmod/dkms.conf.in >$(DKMS_DIR)/dkms.conf
	chmod 0644 $(DKMS_DIR)/dkms.conf

uninstall-dkms:
	$(if $(DESTDIR),,-@command -v dkms >/dev/null && dkms status -m viewdev -v $(VERSION) 2>/dev/null | grep -q . && \
		dkms remove -m viewdev -v $(VERSION) --all)
	rm -f $(addprefix $(DKMS_DIR)/,$(DKMS_SRC) dkms.conf)
	-rmdir $(addprefix $(DKMS_DIR)/,$(DKMS_DIRS)) $(DKMS_DIR)
