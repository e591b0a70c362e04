// SPDX-License-Identifier: GPL-2.0
/*
 * mheap: Go's page heap (runtime/mheap.go) on the buddy allocator.
 *
 * Memory comes in naturally aligned blocks from alloc_pages(): an order-10
 * block is a whole arena (4 MiB, 512 goslab pages, one Go page chunk).
 * When that order is not to be had, smaller blocks are taken and placed
 * in the arena that covers their 4 MiB region, so an arena may own only
 * part of its region.  Each arena keeps Go's page bitmap and summary
 * (mpagealloc.c), and the heap's index (mheapindex.c) keeps the arenas
 * bucketed by their summary's longest free run: a span of N pages is
 * carved first fit from the arena whose longest run fits N most tightly,
 * in the same time however many arenas the heap has, and on free its
 * pages simply go back to the bitmap, where they coalesce with free
 * neighbours.
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
 *   mheap.lock		a node's arenas, their index (mheapindex.c),
 *			bitmaps, spans[] and counts
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
#include <linux/kmemleak.h>

#include "mheap.h"
#include "arena.h"
#include "mspan.h"
#include "mpagealloc.h"
#include "fixalloc.h"
#include "mem.h"
#include "report.h"
#include "debug.h"
#include "kasan.h"
#include "scavenge.h"
#include "compat.h"

DEFINE_SPINLOCK(mheap_meta_lock);
struct fixalloc mheap_spanalloc[GS_ALLOCBITS_WORDS + 1];
struct fixalloc mheap_arenaalloc;
struct fixalloc mheap_tinyalloc;

static struct mheap *mheap_nodes[MAX_NUMNODES];

struct mheap *mheap_of(int node)
{
	return mheap_nodes[node];
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

/*
 * Would mheap_carve() find a run of @npages pages aligned to @align in
 * @h?  The same search, so the two agree.
 */
static bool mheap_fits(struct mheap *h, unsigned int npages,
		       unsigned int align)
{
	unsigned long flags;
	unsigned int page;
	bool fits;

	spin_lock_irqsave(&h->lock, flags);
	fits = mheap_index_find(&h->index, npages, align, &page);
	spin_unlock_irqrestore(&h->lock, flags);
	return fits;
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
	struct mheap *f;
	int err = mheap_meta_prefill(spc, gfp);

	if (err)
		return err;
	if (mheap_fits(h, npages, align))
		return 0;
	/* Out of this node's memory, the fallback heap's pages will do. */
	f = READ_ONCE(h->fallback);
	if (f && mheap_fits(f, npages, align))
		return 0;
	return mheap_grow(h, npages, gfp);
}

/* After @a's page bits changed: its summary, and its bucket; h->lock held. */
static void arena_update_sum(struct heap_arena *a)
{
	unsigned int old = a->sum.max;

	a->sum = pallocbits_summarize(&a->pages);
	mheap_index_moved(&a->heap->index, a, old);
}

/* @a owns no page any more: out of @h, onto @dead; h->lock held. */
static void mheap_drop_arena(struct mheap *h, struct heap_arena *a,
			     struct list_head *dead)
{
	arena_table_set(a->base, NULL);
	mheap_index_del(&h->index, a);
	list_move(&a->list, dead);
	h->nr_arenas--;
}

/*
 * Add the block of @order at @addr (split by mem_heap_alloc()) to @h.
 * Called with h->lock held; @new is a zeroed arena struct to use if the
 * region has none yet.  An arena belongs to one heap: a region that
 * another node's heap already holds is never touched here, since its
 * bitmaps are under that heap's lock (the caller checked).
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
	bool used = false;

	if (!a) {
		a = new;
		a->base = base;
		a->heap = h;
		pallocbits_fill(&a->pages);
		pallocbits_fill(&a->dirty);
		/* All used: the zeroed summary is right, bucket 0. */
		mheap_index_add(&h->index, a);
		/*
		 * In no order: the index picks arenas, and address order
		 * would cost a walk of every arena here (design.rst).
		 */
		list_add_tail(&a->list, &h->arenas);
		h->nr_arenas++;
		arena_table_set(base, a);
		used = true;
	}
	bitmap_set(a->owned, first, n);
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

static unsigned int mheap_grow_npages = 16;

/** mheap_grow_pages - goslab pages a grow asks for at least (a power of 2) */
unsigned int mheap_grow_pages(void)
{
	return READ_ONCE(mheap_grow_npages);
}

/**
 * mheap_set_grow_pages - set what a grow asks for at least
 * @pages: a power of two from 1 to an arena's pages
 *
 * Return: 0, or -EINVAL.
 */
int mheap_set_grow_pages(unsigned int pages)
{
	if (!pages || pages > GS_PAGES_PER_ARENA || !is_power_of_2(pages))
		return -EINVAL;
	WRITE_ONCE(mheap_grow_npages, pages);
	return 0;
}

/*
 * Take a block for @npages pages from the page allocator, @h's node
 * first.  Return: the block's first page, or NULL.
 */
static struct page *mheap_grow_block(struct mheap *h, unsigned int npages,
				     gfp_t gfp, unsigned int *orderp)
{
	unsigned int min = pages_order(npages);
	unsigned int order = pages_order(max(npages, mheap_grow_pages()));
	struct page *page;

	/*
	 * The grow size first, opportunistically (mem_opportunistic_gfp()),
	 * then the smallest order that fits with the caller's flags, on this
	 * node only; the page allocator's fallback to another node comes
	 * last, so a node's heap holds its own node's memory whenever the
	 * node has any.
	 */
	for (; order > min; order--) {
		page = mem_heap_alloc(h->node, mem_opportunistic_gfp(gfp) |
				      __GFP_THISNODE, order);
		if (page)
			goto got;
	}
	/*
	 * With another node to fall back to, this node's failure is no
	 * failure of the caller's: the page allocator must not warn of it.
	 */
	page = mem_heap_alloc(h->node, gfp | __GFP_THISNODE |
			      (nr_online_nodes > 1 ? __GFP_NOWARN : 0), min);
	if (!page && nr_online_nodes > 1)
		page = mem_heap_alloc(h->node, gfp, min);
got:
	*orderp = order;
	return page;
}

/**
 * mheap_grow - take a block from the buddy allocator for @npages pages
 * @h: the node's heap
 * @npages: the span that must fit afterwards
 * @gfp: the caller's flags; this function sleeps only if they allow it
 *
 * The block goes to the heap of the node it is on: @h's, or, when @h's
 * node had no memory, the node the page allocator fell back to, which
 * becomes @h's fallback (h->fallback) for a while.
 * Return: 0, -E2BIG or -ENOMEM.
 */
int mheap_grow(struct mheap *h, unsigned int npages, gfp_t gfp)
{
	unsigned int order, min = pages_order(npages);
	struct heap_arena *new, *a;
	struct mheap *into;
	unsigned long flags, addr;
	struct page *page;
	bool zeroed;
	int err;

	if (min > GS_ARENA_ORDER || min > GS_MAX_PAGE_ORDER)
		return -E2BIG;
	gfp = mem_page_gfp(gfp);

	err = fixalloc_prefill(&mheap_arenaalloc, gfp);
	if (err)
		return err;
	page = mheap_grow_block(h, npages, gfp, &order);
	if (!page)
		return -ENOMEM;
	addr = (unsigned long)page_address(page);
	into = mheap_of(page_to_nid(page)) ?: h;
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
	spin_lock_irqsave(&into->lock, flags);
	a = arena_of(addr);
	/*
	 * The region's arena, if any, is @into's: two nodes never share a
	 * 4 MiB region (nodes span whole memory sections, 128 MiB on x86).
	 * Should one ever, the block goes back rather than corrupt another
	 * heap's bitmaps.
	 */
	if ((!a && !new) || (a && WARN_ON_ONCE(a->heap != into))) {
		spin_unlock_irqrestore(&into->lock, flags);
		err = -ENOMEM;
		goto fail;
	}
	if (mheap_add_block(into, addr, order, zeroed, new))
		new = NULL;
	spin_unlock_irqrestore(&into->lock, flags);
	WRITE_ONCE(h->fallback, into == h ? NULL : into);
	if (new)
		meta_free(&mheap_arenaalloc, new);
	return 0;
fail:
	mem_heap_free(addr, 1UL << order);
	if (new)
		meta_free(&mheap_arenaalloc, new);
	return err;
}

/*
 * Objects of class @sc in a span of @npages: the class's own count for
 * its own page count, fewer in the smaller first span of a mid class
 * (mcentral_grow_npages()).
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
 * Carve @npages, at a multiple of @align pages, from the arena the index
 * picks (best fit, mheapindex.c); h->lock held.  The span is @node's
 * (its caches and central list); its pages are @h's, which is another
 * node's heap only when @node's memory ran out (h->fallback).
 */
static struct mspan *mheap_carve(struct mheap *h, unsigned int npages,
				 unsigned int align, struct mspan *s, int node)
{
	struct heap_arena *a;
	unsigned int i, k;

	a = mheap_index_find(&h->index, npages, align, &i);
	if (!a)
		return NULL;
	pallocbits_alloc_range(&a->pages, i, npages);
	arena_update_sum(a);
	s->needzero = !pallocbits_range_free(&a->dirty, i, npages);
	pallocbits_alloc_range(&a->dirty, i, npages);
	s->start_addr = a->base + ((unsigned long)i << GOSLAB_PAGE_SHIFT);
	s->npages = npages;
	s->arena = a;
	s->node = node;
	for (k = i; k < i + npages; k++)
		WRITE_ONCE(a->spans[k], s);
	a->nfree -= npages;
	h->pages_free -= npages;
	h->pages_inuse += npages;
	return s;
}

/*
 * Carve for @h's node from @h, or from its fallback heap while it has
 * one; takes the heap's lock.
 */
static struct mspan *mheap_carve_any(struct mheap *h, unsigned int npages,
				     unsigned int align, struct mspan *s)
{
	struct mheap *f = READ_ONCE(h->fallback);
	unsigned long flags;
	struct mspan *got;

	spin_lock_irqsave(&h->lock, flags);
	got = mheap_carve(h, npages, align, s, h->node);
	spin_unlock_irqrestore(&h->lock, flags);
	if (got || !f)
		return got;
	spin_lock_irqsave(&f->lock, flags);
	got = mheap_carve(f, npages, align, s, h->node);
	spin_unlock_irqrestore(&f->lock, flags);
	return got;
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
	u16 *refs = NULL;
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
		if (s && !mheap_carve(h, npages, align, s, h->node)) {
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
		if (mheap_carve_any(h, npages, align, s))
			break;
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
	/* Without its records the span works, unchecked (debug.c). */
	if (gs_debug_on())
		gs_debug_span_init(s, gfp, how & GS_MAY_BLOCK);
	gs_kasan_span(s, false);
	/* Publish last: a racing lookup must not see a half-made span. */
	smp_store_release(&s->state, MSPAN_INUSE);
	return s;
}

/* A run of free pages taken out of an arena, to give back unlocked. */
struct mheap_run {
	unsigned long addr;
	unsigned int npages;
};

#define MHEAP_RUNS	32

/*
 * Take the free owned pages [@start, @start + @len) of @a out of the heap;
 * h->lock held, the caller updates the summary.  Return: the run, for
 * mem_heap_free() once the lock is dropped.
 */
static struct mheap_run arena_take_range(struct mheap *h, struct heap_arena *a,
					 unsigned int start, unsigned int len)
{
	struct mheap_run run = {
		.addr = a->base + ((unsigned long)start << GOSLAB_PAGE_SHIFT),
		.npages = len,
	};

	pallocbits_alloc_range(&a->pages, start, len);
	pallocbits_alloc_range(&a->dirty, start, len);
	bitmap_clear(a->owned, start, len);
	a->nowned -= len;
	a->nfree -= len;
	h->pages_owned -= len;
	h->pages_free -= len;
	h->releases++;
	h->released_bytes += (unsigned long)len << GOSLAB_PAGE_SHIFT;
	return run;
}

/*
 * Take free owned pages of @a out of the heap, high addresses first
 * (Go's scavenger works down from the top), while more than @keep pages
 * are free and @runs has room; h->lock held.  Return: runs added.
 */
static unsigned int arena_take_free(struct mheap *h, struct heap_arena *a,
				    unsigned long keep, struct mheap_run *runs,
				    unsigned int room)
{
	unsigned int n = 0, end = GS_PAGES_PER_ARENA, start, len;

	while (n < room && h->pages_free > keep && a->nfree) {
		/* The last free owned page below @end ends the next run. */
		while (end && (pallocbits_range_used(&a->pages, end - 1, 1) ||
			       !test_bit(end - 1, a->owned)))
			end--;
		if (!end)
			break;
		start = end - 1;
		while (start && !pallocbits_range_used(&a->pages, start - 1, 1) &&
		       test_bit(start - 1, a->owned))
			start--;
		len = min_t(unsigned long, end - start, h->pages_free - keep);
		start = end - len;
		runs[n++] = arena_take_range(h, a, start, len);
		end = start;
	}
	arena_update_sum(a);
	return n;
}

/*
 * Take free pages out of @h while more than @keep are free, into @runs;
 * h->lock held.  The emptiest arenas first (mheap_index_emptiest()), so
 * that whole arenas go back rather than holes of the ones in use; an
 * arena left owning nothing is unlinked into @dead.  Each arena taken
 * from gives up every free page unless @keep or @runs stops the pass,
 * so no arena is visited twice.
 */
static unsigned int mheap_take_free(struct mheap *h, unsigned long keep,
				    struct mheap_run *runs,
				    struct list_head *dead)
{
	struct heap_arena *a;
	unsigned int n = 0, got;

	while (h->pages_free > keep && n < MHEAP_RUNS) {
		a = mheap_index_emptiest(&h->index);
		if (!a)
			break;
		got = arena_take_free(h, a, keep, runs + n, MHEAP_RUNS - n);
		if (!a->nowned)
			mheap_drop_arena(h, a, dead);
		if (!got)
			break;
		n += got;
	}
	return n;
}

static void free_dead_arenas(struct list_head *dead)
{
	struct heap_arena *a, *tmp;

	list_for_each_entry_safe(a, tmp, dead, list) {
		list_del(&a->list);
		meta_free(&mheap_arenaalloc, a);
	}
}

/* mheap_release() and mheap_scavenge(); @meta: trim the metadata too. */
static unsigned long __mheap_release(struct mheap *h, unsigned long keep,
				     bool meta)
{
	struct mspan *chains[GS_ALLOCBITS_WORDS + 1], *s;
	struct mheap_run runs[MHEAP_RUNS];
	unsigned long flags, total = 0;
	unsigned int n, i, w;
	LIST_HEAD(dead);

	might_sleep();
	mutex_lock(&h->release_mutex);
	do {
		spin_lock_irqsave(&h->lock, flags);
		n = mheap_take_free(h, keep, runs, &dead);
		spin_unlock_irqrestore(&h->lock, flags);
		for (i = 0; i < n; i++) {
			mem_heap_free(runs[i].addr, (unsigned long)runs[i].npages
				      << GS_PAGE_ORDER);
			total += runs[i].npages;
		}
		free_dead_arenas(&dead);
	} while (n == MHEAP_RUNS);
	if (!meta)
		goto out;

	/* The span struct cache goes back to its fixallocs too. */
	spin_lock_irqsave(&h->lock, flags);
	memcpy(chains, h->spancache, sizeof(chains));
	memset(h->spancache, 0, sizeof(h->spancache));
	memset(h->nspancache, 0, sizeof(h->nspancache));
	spin_unlock_irqrestore(&h->lock, flags);
	for (w = 0; w <= GS_ALLOCBITS_WORDS; w++) {
		while ((s = chains[w])) {
			chains[w] = (struct mspan *)s->list.next;
			mheap_free_mspan(s);
		}
	}
	/* And the fixallocs their kept empty chunks and spares. */
	spin_lock_irqsave(&mheap_meta_lock, flags);
	for (w = 1; w <= GS_ALLOCBITS_WORDS; w++)
		fixalloc_trim(&mheap_spanalloc[w]);
	fixalloc_trim(&mheap_arenaalloc);
	fixalloc_trim(&mheap_tinyalloc);
	spin_unlock_irqrestore(&mheap_meta_lock, flags);
out:
	mutex_unlock(&h->release_mutex);
	return total;
}

/**
 * mheap_release - give free pages back until at most @keep pages are free
 * @h: the node's heap
 * @keep: free goslab pages to keep
 *
 * Page by page, not block by block: any free page of an arena can go
 * back on its own (mem_heap_alloc() split the blocks).  The pages leave
 * the heap under its lock and reach the buddy allocator after it is
 * dropped, a batch of runs at a time, so the lock is held for a bounded
 * time however much goes back.  Releases of one heap are serialized
 * (h->release_mutex): when this returns, every page a concurrent release
 * took out is back in the buddy allocator too.  The cached span structs
 * and the metadata allocators' kept chunks go back as well
 * (mheap_scavenge() leaves them).  Process context only.
 * Return: goslab pages given back.
 */
unsigned long mheap_release(struct mheap *h, unsigned long keep)
{
	return __mheap_release(h, keep, true);
}

/**
 * mheap_scavenge - mheap_release() for a heap still in use
 * @h: the node's heap
 * @keep: free goslab pages to keep
 *
 * Pages only: the span structs it caches and the fixallocs' kept empty
 * chunks are what the next spans need, and a busy heap that gave them
 * back would take them again within the period (each chunk freed after
 * two RCU grace periods, then allocated anew).  The idle pass, "release"
 * and the shrinker trim them (mheap_release()).
 * Return: goslab pages given back.
 */
unsigned long mheap_scavenge(struct mheap *h, unsigned long keep)
{
	return __mheap_release(h, keep, false);
}

/**
 * mheap_free - give a span's pages back to the heap
 * @s: an in-use span on no list and cached by no mcache
 *
 * The pages rejoin the arena's bitmap, coalescing with free neighbours.
 * When more than the scavenger's target is then free, the scavenger
 * gives the excess back (scavenge.c): at once when it is large, paced
 * otherwise.
 */
void mheap_free(struct mspan *s)
{
	struct heap_arena *a = s->arena;
	struct mheap *h = a->heap;
	unsigned int i = (s->start_addr - a->base) >> GOSLAB_PAGE_SHIFT;
	struct mheap_run run = { .npages = 0 };
	unsigned long flags, excess = 0, free, target;
	u16 *refs = s->tinyrefs;
	bool cached = false;
	unsigned int k;
	LIST_HEAD(dead);

	gs_kasan_span(s, true);
	spin_lock_irqsave(&h->lock, flags);
	WRITE_ONCE(s->state, MSPAN_DEAD);
	for (k = i; k < i + s->npages; k++)
		WRITE_ONCE(a->spans[k], NULL);
	pallocbits_free_range(&a->pages, i, s->npages);
	a->nfree += s->npages;
	h->pages_free += s->npages;
	h->pages_inuse -= s->npages;
	target = scavenge_target(h);
	if (h->pages_free > target)
		excess = h->pages_free - target;
	/*
	 * A large object's pages beyond the target go back at once, as
	 * SLUB's kfree() of a large kmalloc does: a burst of large objects
	 * then never holds more than the target on top of what is live.
	 * Small spans come back a few at a time; the scavenger collects them.
	 */
	if (excess && !spanclass_sizeclass(s->spanclass)) {
		run.npages = min_t(unsigned long, excess, s->npages);
		run = arena_take_range(h, a, i + s->npages - run.npages,
				       run.npages);
	}
	arena_update_sum(a);
	if (!a->nowned)
		mheap_drop_arena(h, a, &dead);
	free = h->pages_free;
	if (!refs && !s->debug)
		cached = mheap_spancache_push(h, s);
	spin_unlock_irqrestore(&h->lock, flags);
	if (run.npages)
		mem_heap_free(run.addr, (unsigned long)run.npages << GS_PAGE_ORDER);
	free_dead_arenas(&dead);
	scavenge_kick(h, free);
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
	/*
	 * span_of() reads an arena struct for any address in its region,
	 * a kmalloc'd pointer freed through goslab_free() too (memcg.c), with
	 * preemption on: the struct must stay metadata after the arena goes.
	 * They are few (one per 4 MiB region goslab ever used: 0.1%).
	 */
	mheap_arenaalloc.persistent = true;
	/*
	 * One struct (4,344 bytes) a chunk: an order-1 chunk, where four
	 * would be order 3, which a grow in fragmented memory would compact
	 * for (the grow itself asks for order 1 at the most).
	 */
	fixalloc_set_min_blocks(&mheap_arenaalloc, 1);
	/* A u16 of start bits per 16-byte block of a one-page tiny span. */
	fixalloc_init(&mheap_tinyalloc,
		      (GOSLAB_PAGE_SIZE / GS_TINY_SIZE) * sizeof(u16), NULL, NULL);
	for_each_node(node) {
		struct mheap *h = kzalloc_node(sizeof(*h), GFP_KERNEL,
					       node_state(node, N_NORMAL_MEMORY) ?
					       node : NUMA_NO_NODE);

		if (!h)
			goto fail;
		spin_lock_init(&h->lock);
		mutex_init(&h->release_mutex);
		INIT_LIST_HEAD(&h->arenas);
		mheap_index_init(&h->index);
		h->node = node;
		mheap_nodes[node] = h;
	}
	return 0;
fail:
	mheap_exit();
	return -ENOMEM;
}

/* Does page @k of @a belong to a span that still holds objects? */
static bool arena_page_live(const struct heap_arena *a, unsigned int k)
{
	struct mspan *s = a->spans[k];

	return s && mspan_live_count(s, atomic_long_read(&s->freestate)) > 0;
}

/*
 * Module exit: every page goes back to the buddy allocator but those of
 * spans that still hold objects (reported by mheap_report_leaks()): a
 * client that leaked an object may still use it, and a page the kernel
 * reused under it would be corrupted silently.  SLUB's
 * kmem_cache_destroy() keeps such slabs too.  Then the metadata chunks
 * and the arena table.
 */
void mheap_exit(void)
{
	struct heap_arena *a, *tmp;
	unsigned long kept = 0;
	unsigned int k, start;
	unsigned long i;
	int node;

	scavenge_exit();
	for_each_node(node) {
		struct mheap *h = mheap_nodes[node];

		if (!h)
			continue;
		list_for_each_entry_safe(a, tmp, &h->arenas, list) {
			for (k = 0; k < GS_PAGES_PER_ARENA; k = start + 1) {
				start = k;
				if (!test_bit(k, a->owned))
					continue;
				if (arena_page_live(a, k)) {
					kept++;
					continue;
				}
				while (start + 1 < GS_PAGES_PER_ARENA &&
				       test_bit(start + 1, a->owned) &&
				       !arena_page_live(a, start + 1))
					start++;
				mem_heap_free(a->base + ((unsigned long)k <<
							 GOSLAB_PAGE_SHIFT),
					      (unsigned long)(start - k + 1) <<
					      GS_PAGE_ORDER);
			}
			arena_table_set(a->base, NULL);
		}
		kfree(h);
		mheap_nodes[node] = NULL;
	}
	if (kept)
		report_kept_pages(kept);
	for (i = 1; i <= GS_ALLOCBITS_WORDS; i++)
		fixalloc_destroy(&mheap_spanalloc[i]);
	fixalloc_destroy(&mheap_arenaalloc);
	fixalloc_destroy(&mheap_tinyalloc);
	fixalloc_barrier();
	arena_table_exit();
}

/*
 * Tell kmemleak that the live objects of @s are not leaks: goslab's own
 * report names them, and their pages stay allocated (mheap_exit()), so
 * kmemleak, which still tracks each object, would only report them a
 * second time once the client that held them is gone.  They are still
 * scanned: a leaked object keeps what it points to referenced.
 */
static void mspan_unleak(const struct mspan *s)
{
	bool tiny = s->spanclass == GS_TINY_SPANCLASS && s->tinyrefs;
	unsigned int idx, off;
	unsigned long live;
	u16 r;

	for (idx = 0; idx < s->nelems; idx++) {
		unsigned long p = mspan_obj_addr(s, idx);

		if (!mspan_is_live(s, idx))
			continue;
		r = tiny ? READ_ONCE(s->tinyrefs[idx]) : 0;
		if (!r) {
			kmemleak_not_leak((void *)p);
			continue;
		}
		/*
		 * A tiny block: each object packed into it is kmemleak's,
		 * a held block's sentinel is none (nothing frees or packs
		 * any more at unload).
		 */
		live = tiny_live_starts(r, mspan_claimed(s, idx));
		for_each_set_bit(off, &live, GS_TINY_SIZE)
			kmemleak_not_leak((void *)(p + off));
	}
}

/**
 * mheap_report_leaks - at unload, report objects that were never freed
 *
 * Counts live objects per size class over every in-use span, under each
 * heap's lock: the scavenger runs until mheap_exit() stops it, and its
 * release takes free pages and dead arenas off the heap.
 * Their pages stay out of the buddy allocator (mheap_exit()) and
 * kmemleak is told they are reported.
 */
void mheap_report_leaks(void)
{
	unsigned long live[GOSLAB_NUM_SIZE_CLASSES] = { 0 };
	unsigned long total = 0, flags;
	struct heap_arena *a;
	unsigned int k, c;
	int node;

	for_each_node(node) {
		struct mheap *h = mheap_nodes[node];

		if (!h)
			continue;
		spin_lock_irqsave(&h->lock, flags);
		list_for_each_entry(a, &h->arenas, list) {
			for (k = 0; k < GS_PAGES_PER_ARENA; k++) {
				struct mspan *s = a->spans[k];
				long n;

				if (!s || s->start_addr != a->base +
				    ((unsigned long)k << GOSLAB_PAGE_SHIFT))
					continue;
				n = mspan_live_count(s,
						     atomic_long_read(&s->freestate));
				if (n <= 0)
					continue;
				live[spanclass_sizeclass(s->spanclass)] += n;
				mspan_unleak(s);
			}
		}
		spin_unlock_irqrestore(&h->lock, flags);
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
