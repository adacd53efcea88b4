# tests/fs: the viewfs suite.  tests/common/filesem.c is the file-semantics
# checker shared with the viewdev (kernel module) tests.
FILESEM_BIN := $(BUILD)/tests/filesem
TEST_BINS += $(FILESEM_BIN) $(VIEWFS_BIN)

$(FILESEM_BIN): tests/common/filesem.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -std=gnu11 $(LDFLAGS_COMMON) -o $@ $<
