/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/bits.h>: BIT() lives in the shim's types.h. */
#include <linux/types.h>
