/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/cache.h>. */
#ifndef _FUZZ_SHIM_LINUX_CACHE_H
#define _FUZZ_SHIM_LINUX_CACHE_H
#define L1_CACHE_BYTES			64
#define ____cacheline_aligned_in_smp	__attribute__((__aligned__(L1_CACHE_BYTES)))
#endif
