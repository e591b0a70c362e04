// SPDX-License-Identifier: GPL-2.0
/*
 * mheapindex: which arena a span's pages come from (see mheapindex.h).
 *
 * An arena sits in the bucket of its longest free run, sum.max, from 0
 * (no free page) to 512 (all free); a bitmap says which buckets hold
 * one.  A span of N pages takes the first arena of the lowest non-empty
 * bucket at or above N (mheap_index_next(), nine words): the arena
 * whose longest run fits it most tightly, best fit across arenas, first
 * fit inside it (pallocbits_find()).  Spans then pile into the fullest
 * arenas, and the emptiest ones, which the scavenger takes first (the
 * highest bucket), drain and go back to the page allocator whole.
 *
 * Every operation but the check is O(1) in the number of arenas: a
 * bucket moves when a summary changes (mheap.c's arena_update_sum()),
 * a search reads the bitmap and one arena's bits.  Only an aligned
 * request may look at more than one arena, GS_INDEX_ALIGN_TRIES at
 * most.  The caller holds the heap's lock for all of it.  The
 * operations of every carve and free are inline, in mheapindex.h.
 */
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/list.h>

#include "mheapindex.h"
#include "mheap.h"
#include "mpagealloc.h"

void mheap_index_init(struct mheap_index *x)
{
	unsigned int b;

	bitmap_zero(x->nonempty, GS_INDEX_BUCKETS);
	for (b = 0; b < GS_INDEX_BUCKETS; b++)
		INIT_HLIST_HEAD(&x->bucket[b]);
}

/*
 * Does an arena whose longest free run is @max pages surely hold @npages
 * free pages at a multiple of @align?  A run of at least npages + align - 1
 * pages always does; an arena that is all free (512, a whole chunk) does
 * for every span that fits in one, its first page being aligned to any
 * power of two up to the chunk.
 */
static unsigned int index_sure_bucket(unsigned int npages, unsigned int align)
{
	return min_t(unsigned int, npages + align - 1, GS_PAGES_PER_ARENA);
}

/**
 * mheap_index_find_aligned - mheap_index_find() for an aligned span
 * @x: the heap's index; heap lock held
 * @npages: the span's pages, 1 to an arena's
 * @align: the page alignment its start needs, a power of two over 1
 * @page: set to the span's first page in the arena
 *
 * A run of @npages may hold no aligned start: arenas of the buckets
 * below index_sure_bucket() are tried, GS_INDEX_ALIGN_TRIES at most,
 * before the first arena of the lowest sure bucket, so a request may miss
 * an aligned run further down the buckets and grow the heap instead; the
 * time it takes stays bounded.
 * Return: the arena, or NULL when none fits.
 */
struct heap_arena *mheap_index_find_aligned(const struct mheap_index *x,
					    unsigned int npages,
					    unsigned int align,
					    unsigned int *page)
{
	unsigned int b, sure, tries = 0, i;
	struct heap_arena *a;

	if (!npages || npages > GS_PAGES_PER_ARENA)
		return NULL;
	sure = index_sure_bucket(npages, align);
	for (b = mheap_index_next(x, npages); b < sure;
	     b = mheap_index_next(x, b + 1)) {
		hlist_for_each_entry(a, &x->bucket[b], bylen) {
			i = pallocbits_find_aligned(&a->pages, npages, align);
			if (i != PALLOC_NONE) {
				*page = i;
				return a;
			}
			if (++tries == GS_INDEX_ALIGN_TRIES)
				goto sure;
		}
	}
sure:
	b = mheap_index_next(x, sure);
	if (b >= GS_INDEX_BUCKETS)
		return NULL;
	a = hlist_entry(x->bucket[b].first, struct heap_arena, bylen);
	i = pallocbits_find_aligned(&a->pages, npages, align);
	/* The summary promised the run: a stale one is a bug. */
	if (WARN_ON_ONCE(i == PALLOC_NONE))
		return NULL;
	*page = i;
	return a;
}

/**
 * mheap_index_emptiest - the arena with the longest free run
 * @x: the heap's index; heap lock held
 *
 * The scavenger's next arena: an arena that is all free is in the top
 * bucket, so whole arenas go back before any pages of partly used ones.
 * Return: the arena, or NULL when no arena has a free page.
 */
struct heap_arena *mheap_index_emptiest(const struct mheap_index *x)
{
	unsigned int b = find_last_bit(x->nonempty, GS_INDEX_BUCKETS);

	if (!b || b >= GS_INDEX_BUCKETS)
		return NULL;
	return hlist_entry(x->bucket[b].first, struct heap_arena, bylen);
}

/**
 * mheap_index_check - is @h's index exactly its arenas by their summaries?
 * @h: the heap; its lock held
 * @bad: set to the arena at fault, or NULL for the index as a whole
 *
 * Every arena of @h is in the bucket of its sum.max and nothing else is
 * in any bucket; a bucket's bit is set exactly when it holds an arena.
 * Whether a->sum matches the bits is the caller's to check.  For the
 * verify file and KUnit: it walks every bucket and every arena.
 * Return: NULL, or what is wrong.
 */
const char *mheap_index_check(const struct mheap *h,
			      const struct heap_arena **bad)
{
	const struct mheap_index *x = &h->index;
	const struct heap_arena *a;
	unsigned long n = 0;
	unsigned int b;

	*bad = NULL;
	for (b = 0; b < GS_INDEX_BUCKETS; b++) {
		if (hlist_empty(&x->bucket[b]) == test_bit(b, x->nonempty))
			return "a bucket's bit disagrees with its list";
		hlist_for_each_entry(a, &x->bucket[b], bylen) {
			*bad = a;
			if (a->heap != h)
				return "another heap's arena in a bucket";
			if (a->sum.max != b)
				return "in the bucket of another run length";
			/* A cycle or a foreign list would run on forever. */
			if (++n > h->nr_arenas)
				return "more arenas in the buckets than in the heap";
		}
	}
	list_for_each_entry(a, &h->arenas, list) {
		*bad = a;
		if (hlist_unhashed(&a->bylen))
			return "an arena in no bucket";
	}
	*bad = NULL;
	if (n != h->nr_arenas)
		return "fewer arenas in the buckets than in the heap";
	return NULL;
}
