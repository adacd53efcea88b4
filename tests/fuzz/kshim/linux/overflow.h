/* SPDX-License-Identifier: MIT */
/* tests/fuzz: <linux/overflow.h>'s checked arithmetic, as the kernel's
 * (both are the compiler's builtins). */
#ifndef FUZZ_KSHIM_OVERFLOW_H
#define FUZZ_KSHIM_OVERFLOW_H
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#endif
