/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/types.h> and the few compiler and build
 * helpers the kernel pulls in with it, just enough for goslab/mspan.h
 * and goslab/mbitmap.c to compile into the fuzz harnesses (Documentation/testing.rst).
 * The widths match x86_64 Linux; u64 is uint64_t exactly as the
 * non-kernel branch of goslab/sizeclasses.h and mpagealloc.h declares it.
 */
#ifndef _FUZZ_SHIM_LINUX_TYPES_H
#define _FUZZ_SHIM_LINUX_TYPES_H

#include <assert.h>		/* static_assert */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned int gfp_t;

typedef struct {
	long counter;
} atomic_long_t;

struct list_head {
	struct list_head *next, *prev;
};

/* <linux/compiler.h> */
#ifndef __always_inline		/* glibc's <sys/cdefs.h> has one */
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define __percpu		/* sparse's address space: nothing here */
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
/* No Kconfig option is set in userspace (KASAN hooks and the like). */
#define IS_ENABLED(option)	0

/* <linux/bits.h>, <linux/math.h> */
#define BITS_PER_LONG		64
#define BIT(nr)			(1UL << (nr))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

#endif
