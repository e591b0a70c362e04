// SPDX-License-Identifier: GPL-2.0
/*
 * mheap: Go's page heap (runtime/mheap.go) on the buddy allocator.
 *
 * Memory comes in naturally aligned blocks from alloc_pages(): an order-10
 * block is a whole arena (4 MiB, 512 goslab pages, one Go page chunk).
 * When that order is not to be had, smaller blocks are taken and placed
 * in the arena that covers their 4 MiB region, so an arena may own only
 * part of its region.  Each arena keeps Go's page bitmap and summary
 * (mpagealloc.c); a span of N pages is carved first-fit from the first
 * arena whose summary says it has a free run of N, and on free its pages
 * simply go back to the bitmap, where they coalesce with free neighbours.
 *
 * The heap fills the arena table (arena.c) that span_of() reads.  It
 * calls only leaves: the arena table, page bitmaps (mpagealloc.c),
 * fixalloc, debug and KASAN hooks, and the page allocator through mem.c.
 * Step 5 of malloc.c's overview ends here.
 *
 * Lock order (outer first; every lock IRQ-safe, since allocations reach
 * these paths from hard IRQ):
 *
 *   mcentral.lock	a span class's lists (mcentral.c); mheap_free() and
 *			mheap_alloc() are called after it is dropped, never
 *			under it
 *   mheap.lock		a node's arenas, bitmaps, spans[] and counts
 *   mheap_meta_lock	the metadata fixallocs (meta_alloc()), never held
 *			with another goslab lock: the heap takes metadata
 *			before it locks and frees it after it unlocks
 *
 * Under any of them the buddy allocator is only called with flags that
 * cannot sleep.
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/nodemask.h>
#include <linux/topology.h>
#include <linux/err.h>
#include <linux/log2.h>

#include "mheap.h"
#include "arena.h"
#include "mspan.h"
#include "mpagealloc.h"
#include "fixalloc.h"
#include "mem.h"
#include "report.h"
#include "debug.h"
#include "kasan.h"
#include "compat.h"

DEFINE_SPINLOCK(mheap_meta_lock);
struct fixalloc mheap_spanalloc[GS_ALLOCBITS_WORDS + 1];
struct fixalloc mheap_arenaalloc;
struct fixalloc mheap_tinyalloc;

static struct mheap *mheap_nodes[MAX_NUMNODES];
static unsigned long mheap_retain = GS_PAGES_PER_ARENA;

struct mheap *mheap_of(int node)
{
	return mheap_nodes[node];
}

unsigned long mheap_retain_pages(void)
{
	return READ_ONCE(mheap_retain);
}

void mheap_set_retain_pages(unsigned long pages)
{
	WRITE_ONCE(mheap_retain, pages);
}

/* Metadata from the fixallocs, serialized by mheap_meta_lock. */
static void *meta_alloc(struct fixalloc *f)
{
	unsigned long flags;
	void *p;

	spin_lock_irqsave(&mheap_meta_lock, flags);
	p = fixalloc_alloc(f, GFP_NOWAIT);
	spin_unlock_irqrestore(&mheap_meta_lock, flags);
	return p;
}

static void meta_free(struct fixalloc *f, void *p)
{
	unsigned long flags;

	spin_lock_irqsave(&mheap_meta_lock, flags);
	fixalloc_free(f, p);
	spin_unlock_irqrestore(&mheap_meta_lock, flags);
}

/**
 * mheap_alloc_mspan - a span struct with bitmaps for @nelems objects
 * @nelems: objects in the span (1 for a large span)
 *
 * Return: the struct, bitmaps laid out, or NULL.
 */
struct mspan *mheap_alloc_mspan(unsigned int nelems)
{
	unsigned int words = mspan_bitmap_words(nelems);
	struct mspan *s = meta_alloc(&mheap_spanalloc[words]);

	if (s) {
		mspan_layout_bits(s, words);
		/* mheap_free_mspan() finds the struct's allocator by nelems. */
		s->nelems = nelems;
	}
	return s;
}

void mheap_free_mspan(struct mspan *s)
{
	meta_free(&mheap_spanalloc[mspan_bitmap_words(s->nelems)], s);
}

/** mheap_meta_usage - bytes of metadata in use and held, over every fixalloc */
void mheap_meta_usage(unsigned long *inuse, unsigned long *sys)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&mheap_meta_lock, flags);
	*inuse = mheap_arenaalloc.inuse + mheap_tinyalloc.inuse;
	*sys = mheap_arenaalloc.sys + mheap_tinyalloc.sys;
	for (i = 1; i <= GS_ALLOCBITS_WORDS; i++) {
		*inuse += mheap_spanalloc[i].inuse;
		*sys += mheap_spanalloc[i].sys;
	}
	spin_unlock_irqrestore(&mheap_meta_lock, flags);
}

/**
 * mheap_totals - every node's heap counters summed, each read under its lock
 * @t: filled in
 */
void mheap_totals(struct mheap_totals *t)
{
	unsigned long flags;
	int node;

	memset(t, 0, sizeof(*t));
	for_each_node(node) {
		struct mheap *h = mheap_nodes[node];

		if (!h)
			continue;
		spin_lock_irqsave(&h->lock, flags);
		t->owned += h->pages_owned;
		t->free += h->pages_free;
		t->inuse += h->pages_inuse;
		t->arenas += h->nr_arenas;
		t->grows += h->grows;
		t->releases += h->releases;
		t->released += h->released_bytes;
		spin_unlock_irqrestore(&h->lock, flags);
	}
}

/**
 * mheap_meta_prefill - top up, outside any lock, the metadata allocators a
 *	span of class @spc needs
 * @spc: the span class (its span struct size; tiny side tables)
 * @gfp: the caller's flags
 */
int mheap_meta_prefill(unsigned int spc, gfp_t gfp)
{
	unsigned int sc = spanclass_sizeclass(spc);
	unsigned int words = mspan_bitmap_words(sc ? class_to_nelems[sc] : 1);

	gfp = mem_page_gfp(gfp);
	if (fixalloc_prefill(&mheap_spanalloc[words], gfp))
		return -ENOMEM;
	if (spc == GS_TINY_SPANCLASS && fixalloc_prefill(&mheap_tinyalloc, gfp))
		return -ENOMEM;
	return 0;
}

/*
 * The page alignment a span of @npages pages of class @spc needs.
 * kmalloc() promises that an object whose size is a power of two is
 * aligned to that size.  Objects of up to a goslab page get it from their
 * span's 8 KiB-aligned start; a span that holds one object of a power of
 * two pages (the 16 and 32 KiB classes, large objects of 2, 4, ... 512
 * pages) must start at a multiple of its size.  (SLUB sends such sizes to
 * the buddy allocator, whose blocks are naturally aligned.)
 */
static unsigned int mheap_span_align(unsigned int npages, unsigned int spc)
{
	unsigned int sc = spanclass_sizeclass(spc);

	if (npages < 2 || !is_power_of_2(npages))
		return 1;
	if (sc && class_to_size[sc] != npages << GOSLAB_PAGE_SHIFT)
		return 1;
	return npages;
}

/* Where in @a a span of @npages pages aligned to @align fits, or PALLOC_NONE. */
static unsigned int arena_find(const struct heap_arena *a,
			       unsigned int npages, unsigned int align)
{
	if (a->sum.max < npages)
		return PALLOC_NONE;
	return pallocbits_find_aligned(&a->pages, npages, align);
}

/**
 * mheap_ensure - make sure a span of @npages pages and its metadata can
 *	be had without the buddy allocator
 * @h: the node's heap
 * @npages: the span's pages
 * @spc: its span class
 * @gfp: the caller's flags; called where they may sleep
 *
 * What an allocation that got -EAGAIN does before retrying: grow only if
 * no arena has the run (another CPU may have grown meanwhile).
 */
int mheap_ensure(struct mheap *h, unsigned int npages, unsigned int spc,
		 gfp_t gfp)
{
	unsigned int align = mheap_span_align(npages, spc);
	struct heap_arena *a;
	unsigned long flags;
	bool fits = false;
	int err = mheap_meta_prefill(spc, gfp);

	if (err)
		return err;
	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list)
		if (arena_find(a, npages, align) != PALLOC_NONE) {
			fits = true;
			break;
		}
	spin_unlock_irqrestore(&h->lock, flags);
	return fits ? 0 : mheap_grow(h, npages, gfp);
}

static void arena_update_sum(struct heap_arena *a)
{
	a->sum = pallocbits_summarize(&a->pages);
}

/*
 * Add the buddy block of @order at @addr to @h.  Called with h->lock held;
 * @new is a zeroed arena struct to use if the region has none yet.
 * Return: true when @new was used.
 */
static bool mheap_add_block(struct mheap *h, unsigned long addr,
			    unsigned int order, bool zeroed,
			    struct heap_arena *new)
{
	unsigned long base = addr & ~(GS_ARENA_BYTES - 1);
	unsigned int first = (addr - base) >> GOSLAB_PAGE_SHIFT;
	unsigned int n = 1U << (order - GS_PAGE_ORDER);
	struct heap_arena *a = arena_of(addr);
	struct heap_arena *pos;
	bool used = false;
	unsigned int i;

	if (!a) {
		a = new;
		a->base = base;
		a->heap = h;
		pallocbits_fill(&a->pages);
		pallocbits_fill(&a->dirty);
		/* Keep the list in address order: first fit prefers low. */
		list_for_each_entry(pos, &h->arenas, list)
			if (pos->base > base)
				break;
		list_add_tail(&a->list, &pos->list);
		h->nr_arenas++;
		arena_table_set(base, a);
		used = true;
	}
	for (i = first; i < first + n; i++)
		__set_bit(i, a->owned);
	__set_bit(first, a->chunkstart);
	a->chunkorder[first] = order;
	pallocbits_free_range(&a->pages, first, n);
	if (zeroed)
		pallocbits_free_range(&a->dirty, first, n);
	a->nowned += n;
	a->nfree += n;
	h->pages_owned += n;
	h->pages_free += n;
	h->grows++;
	arena_update_sum(a);
	return used;
}

/* The order that holds @npages goslab pages. */
static unsigned int pages_order(unsigned int npages)
{
	return GS_PAGE_ORDER + order_base_2(npages);
}

/**
 * mheap_grow - take a block from the buddy allocator for @npages pages
 * @h: the node's heap
 * @npages: the span that must fit afterwards
 * @gfp: the caller's flags; this function sleeps only if they allow it
 *
 * Asks for a whole arena first, then for smaller orders down to the
 * smallest that fits @npages.  Only that last attempt has the caller's
 * flags (reclaim, reserves, warnings); the others are opportunistic
 * (mem_opportunistic_gfp()).
 */
int mheap_grow(struct mheap *h, unsigned int npages, gfp_t gfp)
{
	unsigned int order = GS_ARENA_ORDER, min = pages_order(npages);
	struct heap_arena *new;
	struct page *page = NULL;
	unsigned long flags, addr;
	bool zeroed;
	int err;

	if (min > GS_ARENA_ORDER || min > GS_MAX_PAGE_ORDER)
		return -E2BIG;
	if (order > GS_MAX_PAGE_ORDER)
		order = GS_MAX_PAGE_ORDER;
	gfp = mem_page_gfp(gfp);

	err = fixalloc_prefill(&mheap_arenaalloc, gfp);
	if (err)
		return err;
	for (; order >= min; order--) {
		gfp_t g = gfp;

		if (order > min)
			g = mem_opportunistic_gfp(g);
		page = mem_alloc_pages(h->node, g, order);
		if (page)
			break;
	}
	if (!page)
		return -ENOMEM;
	addr = (unsigned long)page_address(page);
	zeroed = want_init_on_alloc(gfp);
	err = arena_table_prepare(addr, gfp);
	if (err)
		goto fail;
	new = meta_alloc(&mheap_arenaalloc);
	/*
	 * Another CPU may have taken the spare chunk since the prefill: a
	 * __GFP_NOFAIL caller that may sleep gets another one rather than a
	 * failure (without reclaim the page allocator fails NOFAIL too).
	 */
	while (!new && (gfp & __GFP_NOFAIL) && gfpflags_allow_blocking(gfp) &&
	       !arena_of(addr)) {
		if (fixalloc_prefill(&mheap_arenaalloc, gfp))
			break;
		new = meta_alloc(&mheap_arenaalloc);
	}
	spin_lock_irqsave(&h->lock, flags);
	if (!arena_of(addr) && !new) {
		spin_unlock_irqrestore(&h->lock, flags);
		err = -ENOMEM;
		goto fail;
	}
	if (mheap_add_block(h, addr, order, zeroed, new))
		new = NULL;
	spin_unlock_irqrestore(&h->lock, flags);
	if (new)
		meta_free(&mheap_arenaalloc, new);
	return 0;
fail:
	mem_free_pages(addr, order);
	return err;
}

/*
 * Objects of class @sc in a span of @npages: the class's own count for
 * its own page count, fewer in the smaller first span of a shared class
 * (mcentral_alloc()).
 */
static unsigned int mspan_class_nelems(unsigned int sc, unsigned int npages)
{
	return min_t(unsigned int, class_to_nelems[sc],
		     ((unsigned long)npages << GOSLAB_PAGE_SHIFT) /
		     class_to_size[sc]);
}

/* Fill in a span's class fields; pages and bits are set by the caller. */
static void mspan_init_class(struct mspan *s, unsigned int spc)
{
	unsigned int sc = spanclass_sizeclass(spc);

	s->spanclass = spc;
	if (sc) {
		s->elemsize = class_to_size[sc];
		s->nelems = mspan_class_nelems(sc, s->npages);
		s->divmagic = class_to_divmagic[sc];
	} else {
		/* A large span: one object, index always 0. */
		s->elemsize = s->npages << GOSLAB_PAGE_SHIFT;
		s->nelems = 1;
		s->divmagic = 0;
	}
	s->limit = s->start_addr + (unsigned long)s->nelems * s->elemsize;
}

/* A cached struct for a span of @words bitmap words, or NULL; h->lock held. */
static struct mspan *mheap_spancache_pop(struct mheap *h, unsigned int words)
{
	struct mspan *s = h->spancache[words];

	if (s) {
		h->spancache[words] = (struct mspan *)s->list.next;
		WRITE_ONCE(h->nspancache[words], h->nspancache[words] - 1);
	}
	return s;
}

/* Keep @s's struct for the next span of its size; h->lock held. */
static bool mheap_spancache_push(struct mheap *h, struct mspan *s)
{
	unsigned int words = mspan_bitmap_words(s->nelems);

	if (h->nspancache[words] >= GS_SPANCACHE_MAX)
		return false;
	s->list.next = (struct list_head *)h->spancache[words];
	h->spancache[words] = s;
	WRITE_ONCE(h->nspancache[words], h->nspancache[words] + 1);
	return true;
}

/*
 * Carve @npages, at a multiple of @align pages, from the first arena that
 * fits; h->lock held.
 */
static struct mspan *mheap_carve(struct mheap *h, unsigned int npages,
				 unsigned int align, struct mspan *s)
{
	struct heap_arena *a;
	unsigned int i, k;

	list_for_each_entry(a, &h->arenas, list) {
		i = arena_find(a, npages, align);
		if (i == PALLOC_NONE) {
			/* The summary promised a run: only alignment may fail. */
			WARN_ON_ONCE(align == 1 && a->sum.max >= npages);
			continue;
		}
		pallocbits_alloc_range(&a->pages, i, npages);
		arena_update_sum(a);
		s->needzero = !pallocbits_range_free(&a->dirty, i, npages);
		pallocbits_alloc_range(&a->dirty, i, npages);
		s->start_addr = a->base + ((unsigned long)i << GOSLAB_PAGE_SHIFT);
		s->npages = npages;
		s->arena = a;
		s->node = h->node;
		for (k = i; k < i + npages; k++)
			WRITE_ONCE(a->spans[k], s);
		a->nfree -= npages;
		h->pages_free -= npages;
		h->pages_inuse += npages;
		return s;
	}
	return NULL;
}

/**
 * mheap_alloc - a new in-use span of @npages pages for span class @spc
 * @h: the node's heap
 * @npages: goslab pages, at most one arena
 * @spc: span class; class 0 is a large span with one object
 * @gfp: the caller's flags
 * @how: GS_MAY_BLOCK if the caller can sleep right now (no IRQs or
 *	preemption disabled by goslab); without it a blocking @gfp makes
 *	this return -EAGAIN instead of growing, and the caller grows
 *	after enabling interrupts, then retries.
 *
 * Return: the span (bits initialised, state in use, on no list), or an
 * ERR_PTR: -EAGAIN as above, -ENOMEM, -E2BIG.
 */
struct mspan *mheap_alloc(struct mheap *h, unsigned int npages,
			  unsigned int spc, gfp_t gfp, unsigned int how)
{
	unsigned int align = mheap_span_align(npages, spc);
	bool tiny = spc == GS_TINY_SPANCLASS;
	unsigned int nelems, words;
	unsigned long flags;
	struct mspan *s;
	u32 *refs = NULL;
	int err;

	if (!npages || npages > GS_LARGE_MAX_PAGES)
		return ERR_PTR(-E2BIG);
	nelems = spanclass_sizeclass(spc) ?
		 mspan_class_nelems(spanclass_sizeclass(spc), npages) : 1;
	if (!nelems)
		return ERR_PTR(-EINVAL);
	/* A cached struct and free pages: one lock for the whole span. */
	words = mspan_bitmap_words(nelems);
	if (!tiny && READ_ONCE(h->nspancache[words])) {
		spin_lock_irqsave(&h->lock, flags);
		s = mheap_spancache_pop(h, words);
		if (s && !mheap_carve(h, npages, align, s)) {
			mheap_spancache_push(h, s);
			s = NULL;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		if (s)
			goto carved;
	}
	for (;;) {
		/*
		 * Metadata first, outside the heap lock.  When its allocator
		 * is empty, top it up with the caller's flags, or, where the
		 * caller may sleep but cannot now, let it do so (-EAGAIN).
		 */
		s = mheap_alloc_mspan(nelems);
		if (s && tiny)
			refs = meta_alloc(&mheap_tinyalloc);
		if (!s || (tiny && !refs)) {
			if (s)
				mheap_free_mspan(s);
			if (!(how & GS_MAY_BLOCK) && gfpflags_allow_blocking(gfp))
				return ERR_PTR(-EAGAIN);
			err = mheap_meta_prefill(spc, gfp);
			if (err)
				return ERR_PTR(err);
			continue;
		}
		spin_lock_irqsave(&h->lock, flags);
		if (mheap_carve(h, npages, align, s)) {
			spin_unlock_irqrestore(&h->lock, flags);
			break;
		}
		spin_unlock_irqrestore(&h->lock, flags);
		if (refs)
			meta_free(&mheap_tinyalloc, refs);
		mheap_free_mspan(s);
		refs = NULL;
		if (!(how & GS_MAY_BLOCK) && gfpflags_allow_blocking(gfp))
			return ERR_PTR(-EAGAIN);
		err = mheap_grow(h, npages, gfp);
		if (err)
			return ERR_PTR(err);
	}
carved:
	s->tinyrefs = refs;
	s->debug = NULL;
	mspan_init_class(s, spc);
	mspan_init_bits(s);
	atomic_long_set(&s->freestate, 0);
	s->where = MSPAN_LIST_NONE;
	INIT_LIST_HEAD(&s->list);
	if (gs_debug_on() && gs_debug_span_init(s, gfp, how & GS_MAY_BLOCK)) {
		mheap_free(s);
		return ERR_PTR(-ENOMEM);
	}
	gs_kasan_span(s, false);
	/* Publish last: a racing lookup must not see a half-made span. */
	smp_store_release(&s->state, MSPAN_INUSE);
	return s;
}

/* Give every fully free block of @a back to the buddy allocator. */
static void arena_release_blocks(struct mheap *h, struct heap_arena *a,
				 unsigned long keep)
{
	unsigned int i;

	for_each_set_bit(i, a->chunkstart, GS_PAGES_PER_ARENA) {
		unsigned int order = a->chunkorder[i];
		unsigned int n = 1U << (order - GS_PAGE_ORDER);
		unsigned int k;

		if (h->pages_free < keep + n)
			break;
		if (!pallocbits_range_free(&a->pages, i, n))
			continue;
		pallocbits_alloc_range(&a->pages, i, n);
		pallocbits_alloc_range(&a->dirty, i, n);
		for (k = i; k < i + n; k++)
			__clear_bit(k, a->owned);
		__clear_bit(i, a->chunkstart);
		a->nowned -= n;
		a->nfree -= n;
		h->pages_owned -= n;
		h->pages_free -= n;
		h->releases++;
		h->released_bytes += (unsigned long)n << GOSLAB_PAGE_SHIFT;
		mem_free_pages(a->base + ((unsigned long)i << GOSLAB_PAGE_SHIFT),
			       order);
	}
	arena_update_sum(a);
}

/*
 * Release free blocks while more than @keep pages are free; h->lock held.
 * Arenas left owning nothing are unlinked and returned in @dead.
 */
static void mheap_release_locked(struct mheap *h, unsigned long keep,
				 struct list_head *dead)
{
	struct heap_arena *a, *tmp;

	list_for_each_entry_safe_reverse(a, tmp, &h->arenas, list) {
		if (h->pages_free <= keep)
			break;
		if (!a->nfree)
			continue;
		arena_release_blocks(h, a, keep);
		if (!a->nowned) {
			arena_table_set(a->base, NULL);
			list_move(&a->list, dead);
			h->nr_arenas--;
		}
	}
}

static void free_dead_arenas(struct list_head *dead)
{
	struct heap_arena *a, *tmp;

	list_for_each_entry_safe(a, tmp, dead, list) {
		list_del(&a->list);
		meta_free(&mheap_arenaalloc, a);
	}
}

/**
 * mheap_release - return free blocks until at most @keep pages are free
 * @h: the node's heap
 * @keep: free goslab pages to keep
 */
void mheap_release(struct mheap *h, unsigned long keep)
{
	struct mspan *chains[GS_ALLOCBITS_WORDS + 1], *s;
	unsigned long flags;
	unsigned int w;
	LIST_HEAD(dead);

	spin_lock_irqsave(&h->lock, flags);
	mheap_release_locked(h, keep, &dead);
	/* The span struct cache goes back to its fixallocs too. */
	memcpy(chains, h->spancache, sizeof(chains));
	memset(h->spancache, 0, sizeof(h->spancache));
	memset(h->nspancache, 0, sizeof(h->nspancache));
	spin_unlock_irqrestore(&h->lock, flags);
	free_dead_arenas(&dead);
	for (w = 0; w <= GS_ALLOCBITS_WORDS; w++) {
		while ((s = chains[w])) {
			chains[w] = (struct mspan *)s->list.next;
			mheap_free_mspan(s);
		}
	}
}

/**
 * mheap_free - give a span's pages back to the heap
 * @s: an in-use span on no list and cached by no mcache
 *
 * The pages rejoin the arena's bitmap, coalescing with free neighbours.
 * When more than the retained amount is then free, fully free blocks go
 * back to the buddy allocator at once.
 */
void mheap_free(struct mspan *s)
{
	struct heap_arena *a = s->arena;
	struct mheap *h = a->heap;
	unsigned int i = (s->start_addr - a->base) >> GOSLAB_PAGE_SHIFT;
	unsigned long flags, retain = mheap_retain_pages();
	u32 *refs = s->tinyrefs;
	bool cached = false;
	unsigned int k;
	LIST_HEAD(dead);

	gs_kasan_span(s, true);
	spin_lock_irqsave(&h->lock, flags);
	WRITE_ONCE(s->state, MSPAN_DEAD);
	for (k = i; k < i + s->npages; k++)
		WRITE_ONCE(a->spans[k], NULL);
	pallocbits_free_range(&a->pages, i, s->npages);
	arena_update_sum(a);
	a->nfree += s->npages;
	h->pages_free += s->npages;
	h->pages_inuse -= s->npages;
	if (h->pages_free > retain + GS_PAGES_PER_ARENA &&
	    a->nfree == a->nowned)
		mheap_release_locked(h, retain, &dead);
	if (!refs && !s->debug)
		cached = mheap_spancache_push(h, s);
	spin_unlock_irqrestore(&h->lock, flags);
	free_dead_arenas(&dead);
	if (cached)
		return;
	if (s->debug)
		gs_debug_span_free(s);
	if (refs)
		meta_free(&mheap_tinyalloc, refs);
	s->tinyrefs = NULL;
	mheap_free_mspan(s);
}

int mheap_init(void)
{
	unsigned int i;
	int node;

	for (i = 1; i <= GS_ALLOCBITS_WORDS; i++)
		fixalloc_init(&mheap_spanalloc[i], mspan_struct_size(i), NULL, NULL);
	fixalloc_init(&mheap_arenaalloc, sizeof(struct heap_arena), NULL, NULL);
	fixalloc_init(&mheap_tinyalloc,
		      (GOSLAB_PAGE_SIZE / GS_TINY_SIZE) * sizeof(u32), NULL, NULL);
	for_each_node(node) {
		struct mheap *h = kzalloc_node(sizeof(*h), GFP_KERNEL,
					       node_state(node, N_NORMAL_MEMORY) ?
					       node : NUMA_NO_NODE);

		if (!h)
			goto fail;
		spin_lock_init(&h->lock);
		INIT_LIST_HEAD(&h->arenas);
		h->node = node;
		mheap_nodes[node] = h;
	}
	return 0;
fail:
	mheap_exit();
	return -ENOMEM;
}

/*
 * Module exit: every block goes back to the buddy allocator, even one
 * whose objects were never freed (those were reported by the caller),
 * then the metadata chunks and the arena table.
 */
void mheap_exit(void)
{
	struct heap_arena *a, *tmp;
	unsigned long i;
	int node;

	for_each_node(node) {
		struct mheap *h = mheap_nodes[node];

		if (!h)
			continue;
		list_for_each_entry_safe(a, tmp, &h->arenas, list) {
			for_each_set_bit(i, a->chunkstart, GS_PAGES_PER_ARENA)
				mem_free_pages(a->base + (i << GOSLAB_PAGE_SHIFT),
					       a->chunkorder[i]);
			arena_table_set(a->base, NULL);
		}
		kfree(h);
		mheap_nodes[node] = NULL;
	}
	for (i = 1; i <= GS_ALLOCBITS_WORDS; i++)
		fixalloc_destroy(&mheap_spanalloc[i]);
	fixalloc_destroy(&mheap_arenaalloc);
	fixalloc_destroy(&mheap_tinyalloc);
	arena_table_exit();
}

/**
 * mheap_report_leaks - at unload, report objects that were never freed
 *
 * Counts live objects per size class over every in-use span; the pages
 * go back to the buddy allocator anyway (mheap_exit()).
 */
void mheap_report_leaks(void)
{
	unsigned long live[GOSLAB_NUM_SIZE_CLASSES] = { 0 };
	unsigned long total = 0;
	struct heap_arena *a;
	unsigned int k, c;
	int node;

	for_each_node(node) {
		struct mheap *h = mheap_nodes[node];

		if (!h)
			continue;
		list_for_each_entry(a, &h->arenas, list) {
			for (k = 0; k < GS_PAGES_PER_ARENA; k++) {
				struct mspan *s = a->spans[k];
				long n;

				if (!s || s->start_addr != a->base +
				    ((unsigned long)k << GOSLAB_PAGE_SHIFT))
					continue;
				n = mspan_live_count(s,
						     atomic_long_read(&s->freestate));
				if (n > 0)
					live[spanclass_sizeclass(s->spanclass)] += n;
			}
		}
	}
	for (c = 0; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		if (!live[c])
			continue;
		total += live[c];
		report_leaked(live[c], c, c ? class_to_size[c] : 0);
	}
	if (total)
		report_leaked_total(total);
}
