/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/spinlock.h>: the type only; the harnesses never lock. */
#ifndef _FUZZ_SHIM_LINUX_SPINLOCK_H
#define _FUZZ_SHIM_LINUX_SPINLOCK_H
typedef struct {
	int locked;
} spinlock_t;
#endif
