/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/list.h>: struct list_head is in the shim's types.h. */
#include <linux/types.h>
