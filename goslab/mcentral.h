/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcentral: the central list of one span class on one node
 * (runtime/mcentral.go).  It calls the heap and the leaves; mcache and
 * the free paths call it.  malloc.c's overview walks the paths through it.
 */
#ifndef _GOSLAB_MCENTRAL_H
#define _GOSLAB_MCENTRAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/cache.h>
#include <linux/atomic.h>
#include <linux/gfp.h>

#include "mspan.h"

/* struct mcentral - the central list of one span class on one node. */
struct mcentral {
	spinlock_t lock;		/* lists, counts; lock order: mheap.c */
	u8 spanclass;
	int node;
	struct list_head partial;
	struct list_head full;
	struct list_head empty;		/* kept empty spans, up to keep_empty */
	unsigned long nr_partial;
	unsigned long nr_full;
	unsigned long nr_empty;
	unsigned int keep_empty;
	unsigned int grow_npages;	/* a grown span's pages, but the first */
	unsigned long nr_cached;
	unsigned long nmalloc_spans;	/* spans handed to mcaches */
	unsigned long grows;
	unsigned long released;		/* empty spans back to the heap */
	unsigned long idle_mark;	/* nmalloc_spans at the last idle pass */
	unsigned long npages;		/* pages of all its spans, any list */
	/*
	 * Objects refills may still take one by one from the central
	 * list, shared by every CPU, before they cache spans; back to
	 * share_objs when the class cached no span for a period
	 * (mcentral_shares()).  Read without the lock by refills.
	 */
	unsigned int share_left;
	unsigned int share_objs;
	unsigned long nshared;		/* objects taken one by one, ever */
} ____cacheline_aligned_in_smp;

/*
 * Empty spans each class keeps per node, in bytes (mcentral_place()): a
 * SLUB kmalloc-1k slab's worth.
 */
#define GS_KEEP_EMPTY_BYTES	(32UL << 10)

/*
 * Spans' worth of objects a class's refills take one by one from the
 * central list per idle period before they cache spans (mcentral.c,
 * mcentral_keep_share()).
 */
#define GS_SHARE_SPANS		4

/*
 * Most pages a mid class's span has (mcentral_mid_npages()): 32 KiB, the
 * order-3 slab SLUB gives kmalloc-8k's per-CPU slab.
 */
#define GS_MID_MAX_PAGES	4

struct mcentral *mcentral_of(int node, unsigned int spc);
struct mspan *mcentral_cache_span(struct mcentral *c, struct mspan *old,
				  gfp_t gfp, unsigned int how);
void mcentral_uncache_span(struct mcentral *c, struct mspan *s);
void mcentral_free_locked(struct mspan *s, long n);
void mcentral_free_object(struct mspan *s, unsigned long p, unsigned int idx,
			  unsigned long caller);
unsigned long mcentral_alloc(struct mcentral *c, gfp_t gfp, unsigned int how,
			     struct mspan **sp, int *err);
void *mcentral_alloc_one(struct mcentral *c, gfp_t gfp, bool *needzero);
unsigned long mcentral_alloc_shared(struct mcentral *c, gfp_t gfp,
				    struct mspan **sp, int *err);
unsigned long mcentral_release_empty(int nid);
unsigned long mcentral_release_idle(void);

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* Called by a hand-back of kept empty spans before the heap has them. */
extern void (*mcentral_release_test_hook)(void);
#endif
int mcentral_init(void);
void mcentral_exit(void);

/**
 * mcentral_commit_frees - count @n frees whose bits are set in free_bits
 * @s: an in-use small span
 * @n: how many
 *
 * One cmpxchg while the span is cached (the owner is then sure to see
 * them at its next sweep) or while it is partial and keeps live objects:
 * its list does not change.  Otherwise under the mcentral lock, which
 * moves it from the full list or hands it back to the heap.  Until
 * counted the objects count as live, which keeps the span from being
 * released under us.
 */
static __always_inline void mcentral_commit_frees(struct mspan *s, long n)
{
	long v = atomic_long_read(&s->freestate);

	do {
		if (v & MSPAN_CACHED)
			continue;
		/*
		 * The alloc_count read after @v must be at least as new as
		 * @v: pairs with the release of freestate in mspan_sweep()
		 * (a sweep on the partial list, in mcentral_alloc()) and
		 * with mspan_set_partial()'s fully ordered cmpxchg.  An
		 * older, higher count would make a last free look like one
		 * that leaves objects live (mspan_sweep() says more).  Not
		 * an acquire load: a failed cmpxchg reloads @v unordered,
		 * and this barrier covers that load too.
		 */
		smp_rmb();
		if (!(v & MSPAN_PARTIAL) || mspan_live_count(s, v) <= n) {
			mcentral_free_locked(s, n);
			return;
		}
	} while (!atomic_long_try_cmpxchg(&s->freestate, &v,
					  v + n * MSPAN_FREE_ONE));
}

/**
 * mcentral_shares - whether a refill takes one object from @c, not a span
 * @c: the central list of the refill's class and node
 *
 * A hint read without the lock: a refill that reads a stale value takes
 * one object more, or one less, before it caches a span.
 * Return: true while the class has objects of its sharing budget left.
 */
static inline bool mcentral_shares(const struct mcentral *c)
{
	return READ_ONCE(c->share_left) != 0;
}

#endif /* _GOSLAB_MCENTRAL_H */
