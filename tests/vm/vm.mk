# tests/vm: programs that run inside the test VM.  Built without
# sanitizers whatever SAN says (the initramfs has no sanitizer runtime to
# spare), into build/vm/bin; tests/vm/run.sh packs them with the module.
VM_OUT := build/vm/bin
VM_CFLAGS := -O2 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Ikmod/include
VM_BINS := $(VM_OUT)/viewdev_test $(VM_OUT)/viewdev_fuzz
# The shared file-semantics checker, when tests/common has it.
ifneq ($(wildcard tests/common/filesem.c),)
VM_BINS += $(VM_OUT)/filesem
endif

.PHONY: vm-bins
vm-bins: $(VM_BINS)
TEST_BINS += vm-bins

$(VM_OUT)/viewdev_test: tests/vm/viewdev_test.c tests/vm/modload.h kmod/include/uapi/viewdev.h
	@mkdir -p $(dir $@)
	$(CC) $(VM_CFLAGS) -o $@ $< -lcmocka -lpthread

# The ioctl/file/race fuzzer of the -smp 2 boot (no CMocka: its own report).
$(VM_OUT)/viewdev_fuzz: tests/vm/viewdev_fuzz.c tests/vm/modload.h kmod/include/uapi/viewdev.h
	@mkdir -p $(dir $@)
	$(CC) $(VM_CFLAGS) -o $@ $< -lpthread

$(VM_OUT)/filesem: tests/common/filesem.c
	@mkdir -p $(dir $@)
	$(CC) $(VM_CFLAGS) -o $@ $<

# make test-vm KVER=6.12 (a series of tools/kver.sh, a release such as
# 6.12.117+deb12-amd64, or a quoted list): the kernels tests/vm/run.sh
# builds the module for and boots; by default (make test too) every series,
# 6.1 and 6.12.  KVER also selects `make kmod`'s headers (kmod/kmod.mk).
ifneq ($(KVER),)
export VIEW_VM_KVER := $(KVER)
endif
