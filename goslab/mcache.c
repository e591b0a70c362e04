// SPDX-License-Identifier: GPL-2.0
/*
 * mcache: Go's per-P cache (runtime/mcache.go), here one per CPU.  It
 * holds one span per span class and the tiny block.  Everything in it is
 * touched only by its CPU with interrupts off, which makes it safe from
 * hard IRQ as kmalloc(GFP_ATOMIC) is; the central lists and the heap take
 * IRQ-safe spinlocks and never sleep in here.  A refill that needs the
 * buddy allocator with a blocking gfp returns -EAGAIN, and the caller
 * grows the heap after re-enabling interrupts (malloc.c).
 */
#include <linux/err.h>
#include <linux/smp.h>
#include <linux/cpu.h>
#include <linux/topology.h>

#include "internal.h"

DEFINE_PER_CPU(struct mcache, gs_mcache);

/*
 * Go's emptymspan: a span with nothing free, so the fast path needs no
 * NULL check; nextFreeIndex() on it returns nelems (0) at once.
 */
struct mspan emptymspan;

/*
 * refill - give back the current span of @spc and cache one with room
 * Interrupts are off.  Pending frees to the current span are merged in
 * place first: reusing it costs no trip to the central list.
 */
static int refill(struct mcache *c, spanClass spc, gfp_t gfp)
{
	struct mspan *s = c->alloc[spc];

	if (s != &emptymspan) {
		if (atomic_long_read(&s->freestate) >> 1) {
			mspan_sweep(s);
			if (s->allocCount < s->nelems) {
				c->stats.refills++;
				return 0;
			}
		}
		c->alloc[spc] = &emptymspan;
		mcentral_uncacheSpan(mcentral_of(s->node, spc), s);
	}
	s = mcentral_cacheSpan(mcentral_of(numa_mem_id(), spc), gfp, 0);
	if (IS_ERR(s))
		return PTR_ERR(s);
	c->alloc[spc] = s;
	c->stats.refills++;
	return 0;
}

/**
 * mcache_nextFree - Go's nextFree: the slow path under nextFreeFast
 * @c: this CPU's mcache, interrupts off
 * @spc: span class
 * @gfp: the allocation's flags
 * @sp: set to the span the object came from
 * @err: set on failure: -EAGAIN (grow with interrupts on and retry) or
 *	-ENOMEM
 *
 * Return: the object's address, or 0.
 */
unsigned long mcache_nextFree(struct mcache *c, spanClass spc, gfp_t gfp,
			      struct mspan **sp, int *err)
{
	struct mspan *s = c->alloc[spc];
	unsigned int idx = nextFreeIndex(s);

	if (idx == s->nelems) {
		*err = refill(c, spc, gfp);
		if (*err)
			return 0;
		s = c->alloc[spc];
		idx = nextFreeIndex(s);
		if (WARN_ON_ONCE(idx >= s->nelems)) {
			*err = -ENOMEM;
			return 0;
		}
	}
	s->allocCount++;
	*sp = s;
	return s->startAddr + (unsigned long)idx * s->elemsize;
}

/**
 * mcache_releaseAll - give every cached span and the tiny block back
 * @c: an mcache its caller owns: this CPU's with interrupts off, or a
 *	dead CPU's
 */
void mcache_releaseAll(struct mcache *c)
{
	unsigned int spc;

	if (c->tiny) {
		struct mspan *s = spanOf(c->tiny);

		gs_tiny_release_block(s, c->tiny);
		c->tiny = 0;
		c->tinyoffset = 0;
	}
	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		struct mspan *s = c->alloc[spc];

		if (s == &emptymspan)
			continue;
		c->alloc[spc] = &emptymspan;
		mcentral_uncacheSpan(mcentral_of(s->node, spc), s);
	}
	c->stats.flushes++;
}

static void mcache_flush_local(void *unused)
{
	unsigned long flags;

	local_irq_save(flags);
	mcache_releaseAll(this_cpu_ptr(&gs_mcache));
	local_irq_restore(flags);
}

/**
 * mcache_flush_cpu - drain one CPU's cache, from any context that may sleep
 * @cpu: an online CPU
 */
void mcache_flush_cpu(int cpu)
{
	smp_call_function_single(cpu, mcache_flush_local, NULL, 1);
}

/** mcache_flush_all - drain every online CPU's cache; may sleep */
void mcache_flush_all(void)
{
	on_each_cpu(mcache_flush_local, NULL, 1);
}

int mcache_init(void)
{
	int cpu, spc;

	for_each_possible_cpu(cpu) {
		struct mcache *c = per_cpu_ptr(&gs_mcache, cpu);

		memset(c, 0, sizeof(*c));
		for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++)
			c->alloc[spc] = &emptymspan;
	}
	return 0;
}

/* Module exit: every CPU's cache, online or not, goes back. */
void mcache_exit(void)
{
	int cpu;

	mcache_flush_all();
	cpus_read_lock();
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			mcache_releaseAll(per_cpu_ptr(&gs_mcache, cpu));
	cpus_read_unlock();
}
