/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/atomic.h> (and the barriers and ONCE accessors it
 * brings): the subset goslab/mbitmap.c uses, on GCC/Clang __atomic builtins
 * with the kernel's ordering (value-returning ops fully ordered).
 *
 * checkpatch flags this file (volatile, barriers without a comment), and
 * scripts/lint.sh does not check fuzz/shim/: it is the userspace stand-in
 * for the kernel's own atomics, not kernel code.  READ_ONCE() and
 * WRITE_ONCE() are volatile accesses because the kernel's are
 * (<asm-generic/rwonce.h>), and the barriers are the definitions
 * themselves, which have no other access to pair with: the comments
 * checkpatch asks for belong where goslab uses them.
 */
#ifndef _FUZZ_SHIM_LINUX_ATOMIC_H
#define _FUZZ_SHIM_LINUX_ATOMIC_H

#include <linux/types.h>

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))

#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#define xchg(ptr, val)		__atomic_exchange_n((ptr), (val), __ATOMIC_SEQ_CST)

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_or(long i, atomic_long_t *v)
{
	__atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_long_andnot(long i, atomic_long_t *v)
{
	__atomic_fetch_and(&v->counter, ~i, __ATOMIC_SEQ_CST);
}

static inline long atomic_long_fetch_or(long i, atomic_long_t *v)
{
	return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_long_sub(long i, atomic_long_t *v)
{
	__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);
}

static inline long atomic_long_fetch_sub_release(long i, atomic_long_t *v)
{
	return __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELEASE);
}

static inline long atomic_long_add_return(long i, atomic_long_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline bool atomic_long_try_cmpxchg(atomic_long_t *v, long *old,
					   long new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

#endif
