/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/string.h>: libc's memset and friends. */
#include <string.h>
