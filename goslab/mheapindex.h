/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheapindex: a node's arenas bucketed by their longest free run (the
 * max of Go's pallocSum), so that finding pages for a span, and the
 * arena the scavenger empties next, costs the same with one arena or
 * thousands.  Part of the mheap layer: mheap.c keeps it under the heap
 * lock and asks it where to carve; Documentation/design.rst says how it
 * differs from Go's radix tree of summaries.
 */
#ifndef _GOSLAB_MHEAPINDEX_H
#define _GOSLAB_MHEAPINDEX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/bitops.h>
#include <linux/bug.h>

#include "arena.h"

/* One bucket for every longest-run length an arena can have: 0 to 512. */
#define GS_INDEX_BUCKETS	(GS_PAGES_PER_ARENA + 1)

/*
 * Candidates an aligned request tries in the buckets where a run of its
 * length need not hold an aligned one, before it goes to the first
 * bucket where every run does (mheap_index_find()).
 */
#define GS_INDEX_ALIGN_TRIES	8

/*
 * struct mheap_index - every arena of one heap, by its sum.max
 * @nonempty: bit b set when @bucket[b] holds an arena
 * @bucket: arenas whose longest free run is b pages, most recently
 *	re-bucketed first (struct heap_arena's bylen)
 */
struct mheap_index {
	unsigned long nonempty[BITS_TO_LONGS(GS_INDEX_BUCKETS)];
	struct hlist_head bucket[GS_INDEX_BUCKETS];
};

struct mheap;

void mheap_index_init(struct mheap_index *x);
struct heap_arena *mheap_index_find_aligned(const struct mheap_index *x,
					    unsigned int npages,
					    unsigned int align,
					    unsigned int *page);
struct heap_arena *mheap_index_emptiest(const struct mheap_index *x);
const char *mheap_index_check(const struct mheap *h,
			      const struct heap_arena **bad);

/*
 * The operations of every span carve and free are inline, compiled into
 * mheap.c: under QEMU's TCG each call into another object's pages costs
 * a translation-block lookup, which at one arena made a span pair
 * measurably slower than the list walk was (benchmarks.rst).
 */

/* Put @a in the bucket of @max. */
static __always_inline void mheap_index_link(struct mheap_index *x,
					     struct heap_arena *a,
					     unsigned int max)
{
	hlist_add_head(&a->bylen, &x->bucket[max]);
	__set_bit(max, x->nonempty);
}

/* Take @a out of the bucket of @max, which holds it. */
static __always_inline void mheap_index_unlink(struct mheap_index *x,
					       struct heap_arena *a,
					       unsigned int max)
{
	hlist_del_init(&a->bylen);
	if (hlist_empty(&x->bucket[max]))
		__clear_bit(max, x->nonempty);
}

/* mheap_index_add - index a new arena by its summary; heap lock held */
static inline void mheap_index_add(struct mheap_index *x, struct heap_arena *a)
{
	mheap_index_link(x, a, a->sum.max);
}

/* mheap_index_del - forget an arena that goes; heap lock held */
static inline void mheap_index_del(struct mheap_index *x, struct heap_arena *a)
{
	mheap_index_unlink(x, a, a->sum.max);
}

/*
 * mheap_index_moved - @a's summary changed (a->sum), it was @old_max;
 * heap lock held.  Re-bucketed at the head: the arena a span just came
 * from or went to is the one whose bits are in the cache.
 */
static __always_inline void mheap_index_moved(struct mheap_index *x,
					      struct heap_arena *a,
					      unsigned int old_max)
{
	if (old_max == a->sum.max)
		return;
	mheap_index_unlink(x, a, old_max);
	mheap_index_link(x, a, a->sum.max);
}

/* The first non-empty bucket at or above @b, or GS_INDEX_BUCKETS. */
static __always_inline unsigned int mheap_index_next(const struct mheap_index *x,
						     unsigned int b)
{
	unsigned int w = b / BITS_PER_LONG;
	unsigned long m;

	if (b >= GS_INDEX_BUCKETS)
		return GS_INDEX_BUCKETS;
	m = x->nonempty[w] & (~0UL << (b % BITS_PER_LONG));
	while (!m) {
		if (++w == BITS_TO_LONGS(GS_INDEX_BUCKETS))
			return GS_INDEX_BUCKETS;
		m = x->nonempty[w];
	}
	/* No bit past the last bucket is ever set. */
	return w * BITS_PER_LONG + __ffs(m);
}

/**
 * mheap_index_find - the arena a span of @npages pages is carved from
 * @x: the heap's index; heap lock held
 * @npages: the span's pages, 1 to an arena's
 * @align: the page alignment its start needs (a power of two; 1: none)
 * @page: set to the span's first page in the arena
 *
 * Best fit across arenas, first fit inside the arena: without alignment
 * the first arena of the lowest bucket at or above @npages fits.  Aligned
 * spans: mheap_index_find_aligned().
 * Return: the arena, or NULL when none fits.
 */
static inline struct heap_arena *mheap_index_find(const struct mheap_index *x,
						  unsigned int npages,
						  unsigned int align,
						  unsigned int *page)
{
	struct heap_arena *a;
	unsigned int b;

	if (align > 1)
		return mheap_index_find_aligned(x, npages, align, page);
	if (!npages || npages > GS_PAGES_PER_ARENA)
		return NULL;
	b = mheap_index_next(x, npages);
	if (b >= GS_INDEX_BUCKETS)
		return NULL;
	a = hlist_entry(x->bucket[b].first, struct heap_arena, bylen);
	*page = pallocbits_find(&a->pages, npages);
	/* The summary promised the run: a stale one is a bug. */
	if (WARN_ON_ONCE(*page == PALLOC_NONE))
		return NULL;
	return a;
}

#endif /* _GOSLAB_MHEAPINDEX_H */
