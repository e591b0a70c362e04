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
void mheap_index_add(struct mheap_index *x, struct heap_arena *a);
void mheap_index_del(struct mheap_index *x, struct heap_arena *a);
void mheap_index_moved(struct mheap_index *x, struct heap_arena *a,
		       unsigned int old_max);
struct heap_arena *mheap_index_find(const struct mheap_index *x,
				    unsigned int npages, unsigned int align,
				    unsigned int *page);
struct heap_arena *mheap_index_emptiest(const struct mheap_index *x);
const char *mheap_index_check(const struct mheap *h,
			      const struct heap_arena **bad);

#endif /* _GOSLAB_MHEAPINDEX_H */
