/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/spinlock.h>: the type and initializer of the tiny
 * blocks' raw spinlocks, which goslab/mbitmap.c defines and goslab/mspan.h
 * declares.  The fuzzers are single-threaded and never take them.
 */
#ifndef _FUZZ_SHIM_LINUX_SPINLOCK_H
#define _FUZZ_SHIM_LINUX_SPINLOCK_H

typedef struct {
	int locked;
} raw_spinlock_t;

#define __RAW_SPIN_LOCK_UNLOCKED(name)	{ .locked = 0 }

#endif /* _FUZZ_SHIM_LINUX_SPINLOCK_H */
