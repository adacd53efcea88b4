# libFuzzer targets, one per input surface (tests/fuzz/fuzz_<surface>.c),
# built with Debian's clang (-fsanitize=fuzzer,address,undefined) into
# build/fuzz/, whatever SAN is: they are their own build.
#
#   make fuzz              every target for FUZZ_S seconds (default 60)
#   make fuzz-TARGET       one of them (e.g. make fuzz-meta FUZZ_S=600)
#
# New inputs go to build/fuzz/corpus/<target>/ (the committed seeds in
# tests/fuzz/corpus/<target>/ are read, never written); crashes to
# build/fuzz/crashes/<target>-crash-*.  Reproduce one with
# build/fuzz/fuzz_<target> FILE, then add FILE under tests/fuzz/regress/
# and a unit test.  tests/fuzz/run.sh (in make test) runs each target for
# a short fixed budget from the committed corpus.
FUZZ_CC ?= clang
FUZZ_S ?= 60
FUZZ_OUT := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP $(FUZZ_SAN) -DVIEW_VERSION='"$(VERSION)"' \
	-fsanitize=fuzzer-no-link -Ilibview/include -Ikmod/include -Itests/fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_LIB_OBJS := $(LIBVIEW_SRCS:%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_COMMON_OBJ := $(FUZZ_OUT)/obj/tests/fuzz/common.o

TEST_BINS += $(FUZZ_BINS)
.SECONDARY: $(FUZZ_SRCS:%.c=$(FUZZ_OUT)/obj/%.o) $(FUZZ_LIB_OBJS) $(FUZZ_COMMON_OBJ)

# libview's shortest.c includes the table libview.mk generates
$(FUZZ_OUT)/obj/libview/src/shortest.o: $(LIBVIEW_POW10_H)
$(FUZZ_OUT)/obj/libview/src/shortest.o: FUZZ_CFLAGS += -I$(dir $(LIBVIEW_POW10_H))

# the module's checks see the kernel headers' shims, nothing else does
$(FUZZ_OUT)/obj/tests/fuzz/fuzz_kmeta.o: FUZZ_CFLAGS += -Itests/fuzz/kshim

# the xattr target runs the daemon's own handlers (fuse/xattr.c, the
# accounting of fuse/space.c, the seals of fuse/seal.c and the escaped,
# rate-limited messages of fuse/log.c) with libfuse's headers and stubbed replies
FUZZ_FUSE_OBJS := $(FUZZ_OUT)/obj/fuse/xattr.o $(FUZZ_OUT)/obj/fuse/space.o \
	$(FUZZ_OUT)/obj/fuse/log.o $(FUZZ_OUT)/obj/fuse/seal.o
$(FUZZ_FUSE_OBJS) $(FUZZ_OUT)/obj/tests/fuzz/fuzz_xattr.o: FUZZ_CFLAGS += -Ifuse $(VIEWFS_FUSE_CFLAGS)
$(FUZZ_OUT)/fuzz_xattr: $(FUZZ_FUSE_OBJS)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_COMMON_OBJ) $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lm -pthread

.PHONY: fuzz $(FUZZ_NAMES:%=fuzz-%)
fuzz: $(FUZZ_NAMES:%=fuzz-%)
$(FUZZ_NAMES:%=fuzz-%): fuzz-%: $(FUZZ_OUT)/fuzz_%
	@mkdir -p $(FUZZ_OUT)/corpus/$* $(FUZZ_OUT)/crashes
	$(FUZZ_OUT)/fuzz_$* -max_total_time=$(FUZZ_S) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_OUT)/crashes/$*- \
		$(if $(wildcard tests/fuzz/dict/$*.dict),-dict=tests/fuzz/dict/$*.dict) \
		$(FUZZ_OUT)/corpus/$* tests/fuzz/corpus/$*

-include $(FUZZ_SRCS:%.c=$(FUZZ_OUT)/obj/%.d) $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_COMMON_OBJ:.o=.d) $(FUZZ_FUSE_OBJS:.o=.d)
