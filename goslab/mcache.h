/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcache: Go's per-P cache (runtime/mcache.go), here one per CPU and
 * context level.  It calls the central lists, the heap (large spans) and
 * the leaves; only the API above (malloc.c, mfree.c) calls it.
 * malloc.c's overview walks the paths through it.
 */
#ifndef _GOSLAB_MCACHE_H
#define _GOSLAB_MCACHE_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/gfp.h>

#include "mspan.h"
#include "mcentral.h"

/* Per-context counters, summed on read (mcache_sum_stats()). */
struct mcache_stats {
	unsigned long nmalloc[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long nfree[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long tiny_allocs;
	unsigned long tiny_frees;
	unsigned long large_allocs;
	unsigned long large_bytes;
	unsigned long large_frees;
	unsigned long refills;
	unsigned long flushes;
};

/*
 * struct mcache - Go's per-P cache, here one per CPU and context level.
 *
 * Task, softirq and hardirq code each have their own mcache on every CPU.
 * A context is only ever interrupted by a higher one, which uses another
 * mcache, so an mcache needs nothing but preemption off: no interrupt
 * masking on the fast path.  (NMI code never uses an mcache: its frees
 * are deferred (nmifree.c) and its allocations fail, as kmalloc's do.)
 * Each mcache has its own counters, bumped with plain increments under
 * the same rule and summed on read: a this_cpu op would mask interrupts
 * on architectures without one-instruction per-CPU arithmetic.
 */
struct mcache {
	struct mspan *alloc[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long tiny;		/* current tiny block, or 0 */
	struct mspan *tinyspan;		/* its span: no lookup per packing */
	unsigned int tinyoffset;
	struct mspan *large;		/* a freed large span kept, or NULL */
	unsigned int large_npages;	/* pages of the last large allocation */
	/*
	 * Frees by this context to @rfspan, a span it does not allocate
	 * from: their free_bits are set, their count is not yet in the
	 * span's freestate (mcache_commit_remote()).
	 */
	struct mspan *rfspan;
	unsigned long rfcount;
	struct mcache_stats stats;	/* this context's counters */
	/*
	 * stats.nmalloc[] at the last idle pass (mcache_trim_idle()): a
	 * class whose count has not moved since had no allocation for a
	 * whole period.
	 */
	unsigned long idle_mark[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long idle_tiny, idle_large;
};

/*
 * Large spans of up to this many pages are kept, one per CPU, when freed:
 * the next large allocation of the same size takes it back without the
 * heap's and the metadata's locks, as the buddy allocator's per-CPU lists
 * do for small orders.  64 KiB: the worst case held is one such span a
 * CPU, which the shrinker and "flush" take back.
 */
#define GS_LARGE_PARK_PAGES	8

/*
 * Dynamic per-CPU memory: the mcaches are too big for the small static
 * per-CPU reserve that all modules share.
 */
extern struct mcache __percpu *mcache_task;
extern struct mcache __percpu *mcache_softirq;
extern struct mcache __percpu *mcache_hardirq;
extern struct mspan emptymspan;

/* The context levels every CPU has an mcache for. */
enum { GS_MCACHE_TASK, GS_MCACHE_SOFTIRQ, GS_MCACHE_HARDIRQ, GS_MCACHE_LEVELS };

/* @cpu's mcache of context level @level, for code that walks them all. */
static inline struct mcache *mcache_of(int cpu, unsigned int level)
{
	struct mcache __percpu *pc = level == GS_MCACHE_TASK ? mcache_task :
				     level == GS_MCACHE_SOFTIRQ ?
				     mcache_softirq : mcache_hardirq;

	return per_cpu_ptr(pc, cpu);
}

/* The mcache of the context that preempt count @pc names, this CPU. */
static __always_inline struct mcache *mcache_for(unsigned long pc)
{
	if (likely(!(pc & (HARDIRQ_MASK | NMI_MASK | SOFTIRQ_OFFSET))))
		return this_cpu_ptr(mcache_task);
	if (pc & (HARDIRQ_MASK | NMI_MASK))
		return this_cpu_ptr(mcache_hardirq);
	return this_cpu_ptr(mcache_softirq);
}

/* This CPU's mcache for the current context; preemption must be off. */
static __always_inline struct mcache *mcache_this(void)
{
	return mcache_for(preempt_count());
}

/*
 * This context's counters for code that runs with preemption on, as
 * get_cpu_ptr()/put_cpu_ptr(); the fast paths use c->stats directly.
 */
static __always_inline struct mcache_stats *mcache_stats_get(void)
{
	preempt_disable();
	return &mcache_this()->stats;
}

static __always_inline void mcache_stats_put(void)
{
	preempt_enable();
}

void mcache_commit_remote(struct mcache *c);

/*
 * A free to a span this context does not allocate from, usually another
 * CPU's.  Its bit is set at once, so liveness checks and the owner's next
 * sweep see it; the count is batched in the mcache while frees keep
 * hitting the same span, which makes a remote free one atomic operation
 * instead of two and a span's worth of them one central-list round
 * instead of two.  The batch is counted when this context frees to
 * another span, and by every flush.  Uncounted, the objects still count
 * as live, so at most one span per context stays unreleased meanwhile,
 * as a cached span does.
 */
static __always_inline void mcache_free_remote(struct mcache *c,
					       struct mspan *s,
					       unsigned long p,
					       unsigned int idx,
					       unsigned long caller)
{
	if (!mspan_set_free_bit(s, (void *)p, idx, caller))
		return;
	if (likely(c->rfspan == s)) {
		c->rfcount++;
		return;
	}
	mcache_commit_remote(c);
	c->rfspan = s;
	c->rfcount = 1;
}

unsigned long mcache_next_free(struct mcache *c, unsigned int spc, gfp_t gfp,
			       struct mspan **sp, int *err);
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
extern void (*mcache_test_hook)(const void *block);
#endif
void mcache_release_tiny(struct mspan *s, unsigned long block,
			 unsigned int sentinel, u16 packed);
void mcache_release_all(struct mcache *c);
struct mspan *mcache_take_large(unsigned int npages, int node);
bool mcache_park_large(struct mspan *s);
unsigned long mcache_drain_large(void);
unsigned long mcache_parked_pages(void);
void mcache_flush_all(void);
void mcache_trim_idle(void);
void mcache_drain_dead_cpu(int cpu);
void mcache_sum_stats(struct mcache_stats *sum);
int mcache_init(void);
void mcache_exit(void);
void mcache_destroy(void);

#endif /* _GOSLAB_MCACHE_H */
