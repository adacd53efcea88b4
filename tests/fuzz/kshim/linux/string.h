/* SPDX-License-Identifier: MIT */
/* tests/fuzz: <linux/string.h> is libc's <string.h> in user space. */
#include <string.h>
