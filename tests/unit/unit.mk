# CMocka unit tests for libview: one binary per area, each built from
# tests/unit/test_<area>.c plus the shared fixtures in unit_fixtures.c,
# linked statically against libview.  Run by tests/unit/run.sh.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_FIXTURE_OBJ := $(BUILD)/obj/tests/unit/unit_fixtures.o
UNIT_CFLAGS := $(CFLAGS_COMMON) -std=gnu11 -Ilibview/include -Itests/unit

TEST_BINS += $(UNIT_BINS)

# Keep the objects: make would otherwise delete them as intermediates.
.SECONDARY: $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.o) $(UNIT_FIXTURE_OBJ)

$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(UNIT_FIXTURE_OBJ) $(LIBVIEW_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_COMMON) -o $@ $< $(UNIT_FIXTURE_OBJ) $(LIBVIEW_A) -lcmocka -lm -pthread

-include $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) $(UNIT_FIXTURE_OBJ:.o=.d)
