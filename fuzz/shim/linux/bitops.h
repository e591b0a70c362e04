/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/bitops.h>: the kernel's semantics (undefined __ffs64 of
 * zero, atomic set/test-and-set on unsigned long bitmaps) on compiler
 * builtins.  The harnesses are single-threaded; the atomics are real anyway.
 */
#ifndef _FUZZ_SHIM_LINUX_BITOPS_H
#define _FUZZ_SHIM_LINUX_BITOPS_H

#include <linux/types.h>
#include <linux/bug.h>

/* Index of the lowest set bit; like the kernel's, undefined for 0. */
static inline unsigned long __ffs64(u64 word)
{
	/* The kernel leaves it undefined; the fuzzer makes it a failure. */
	BUG_ON(word == 0);
	return (unsigned long)__builtin_ctzll(word);
}

static inline unsigned long __ffs(unsigned long word)
{
	return __ffs64(word);
}

/* Index of the highest set bit; like the kernel's, undefined for 0. */
static inline unsigned long __fls(unsigned long word)
{
	BUG_ON(word == 0);
	return 63 - (unsigned long)__builtin_clzl(word);
}

/* 1-based index of the highest set bit, 0 for 0: the kernel's fls64(). */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned int hweight64(u64 w)
{
	return (unsigned int)__builtin_popcountll(w);
}

#define hweight_long(w)		hweight64(w)

#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))

static inline bool test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >>
		(nr % BITS_PER_LONG)) & 1;
}

static inline void set_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline bool test_and_set_bit(unsigned long nr,
				    volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* The non-atomic forms. */
static inline void __set_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

#endif
