/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/hash.h>: hash_long() for tiny_block_lock() in
 * goslab/mspan.h, a multiplicative hash as the kernel's (the 64-bit golden
 * ratio, the top @bits bits).  The fuzzers never take the locks; any
 * hash would do, this one keeps the shim's results those of a kernel build.
 */
#ifndef _FUZZ_SHIM_LINUX_HASH_H
#define _FUZZ_SHIM_LINUX_HASH_H

#include <linux/types.h>

#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static inline u32 hash_long(unsigned long val, unsigned int bits)
{
	return (u32)((val * GOLDEN_RATIO_64) >> (64 - bits));
}

#endif /* _FUZZ_SHIM_LINUX_HASH_H */
