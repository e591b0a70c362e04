/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the goslab KUnit suites share: two worker kthreads, one bound
 * to each of two CPUs.
 */
#ifndef _GOSLAB_KUNIT_GS_TEST_H
#define _GOSLAB_KUNIT_GS_TEST_H

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/types.h>
/* The page allocator's counters, shared with goslab_bench. */
#include <goslab_sysmem.h>

#include "../goslab/export_test.h"

/* The first two online CPUs, or the only one twice. */
static inline void gs_test_two_cpus(struct kunit *test, int cpus[2])
{
	cpus[0] = cpumask_first(cpu_online_mask);
	cpus[1] = cpumask_next(cpus[0], cpu_online_mask);
	if (cpus[1] >= nr_cpu_ids) {
		kunit_info(test, "one CPU online: both threads on CPU %d", cpus[0]);
		cpus[1] = cpus[0];
	}
}

/*
 * Start fn(arg0) on cpus[0] and fn(arg1) on cpus[1], each in a bound
 * kthread named "<name>/<i>".  Both start only once both exist.
 * Return: false, with the test failed, if a kthread could not be made.
 */
static inline bool gs_test_start_pair(struct kunit *test, int (*fn)(void *),
				      void *arg0, void *arg1,
				      const int cpus[2], const char *name)
{
	void *args[2] = { arg0, arg1 };
	struct task_struct *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		t[i] = kthread_create(fn, args[i], "%s/%d", name, i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t[i]));
			/* Never woken, so its function never runs. */
			if (i == 1)
				kthread_stop(t[0]);
			return false;
		}
	}
	for (i = 0; i < 2; i++) {
		kthread_bind(t[i], cpus[i]);
		wake_up_process(t[i]);
	}
	return true;
}

/*
 * Deliberate access to bytes KASAN marks off-limits (a freed object, the
 * red zone past a request), for the cases that test goslab's own checks
 * or its bookkeeping of those bytes rather than KASAN's: not instrumented,
 * so KASAN neither reports nor fails the case.  Byte by byte with
 * READ_ONCE()/WRITE_ONCE(), so the compiler cannot turn them into
 * (checked) mem calls.
 */
static noinline __no_sanitize_address __maybe_unused void
gs_test_poke(void *p, u8 v)
{
	WRITE_ONCE(*(u8 *)p, v);
}

static noinline __no_sanitize_address __maybe_unused void
gs_test_poke_long(void *p, unsigned long v)
{
	WRITE_ONCE(*(unsigned long *)p, v);
}

static noinline __no_sanitize_address __maybe_unused u8
gs_test_peek(const void *p)
{
	return READ_ONCE(*(const u8 *)p);
}

/* memset() for off-limits bytes, as gs_test_poke(). */
static noinline __no_sanitize_address __maybe_unused void
gs_test_fill(void *p, int c, size_t n)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		WRITE_ONCE(b[i], (u8)c);
}

/* memchr_inv() for off-limits bytes, as gs_test_poke(). */
static noinline __no_sanitize_address __maybe_unused const void *
gs_test_memchr_inv(const void *p, int c, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (READ_ONCE(b[i]) != (u8)c)
			return &b[i];
	return NULL;
}

/*
 * A test hook holds the path it interrupted: say so in @stopped, then
 * wait until @go is set, at most 200 ms.  The path may hold a raw lock
 * with interrupts off, so the wait is a count of short delays, not
 * jiffies.
 */
static inline __maybe_unused void gs_test_hold(atomic_t *stopped,
					       const atomic_t *go)
{
	unsigned int i;

	atomic_set(stopped, 1);
	for (i = 0; i < 40000 && !atomic_read(go); i++)
		udelay(5);
}

/*
 * For the rest of the case no class shares its spans between CPUs
 * (mcentral_shares()): the first allocation of a class caches a span
 * and a free goes on its owner's LIFO, as the case expects.
 */
static inline __maybe_unused void gs_test_no_share(struct kunit *test)
{
	unsigned int *saved = export_share_off();

	KUNIT_ASSERT_NOT_NULL(test, saved);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							export_share_restore,
							saved), 0);
}

#endif /* _GOSLAB_KUNIT_GS_TEST_H */
