/* SPDX-License-Identifier: MIT */
/* tests/fuzz: <linux/ctype.h>'s isdigit, defined for every char value as
 * the kernel's is (libc's is undefined for negative chars). */
#ifndef FUZZ_KSHIM_CTYPE_H
#define FUZZ_KSHIM_CTYPE_H
#define isdigit(c) ((unsigned)(unsigned char)(c) - '0' < 10u)
#endif
