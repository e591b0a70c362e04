/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/gfp.h>: gfp_t is in the shim's types.h. */
#include <linux/types.h>
