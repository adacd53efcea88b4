/* SPDX-License-Identifier: MIT */
/* tests/fuzz: the little of <linux/kernel.h> kmod/viewdev_meta.c needs,
 * for its user-space build in fuzz_kmeta.c. */
#ifndef FUZZ_KSHIM_KERNEL_H
#define FUZZ_KSHIM_KERNEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint64_t u64;
#define S64_MAX INT64_MAX
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
