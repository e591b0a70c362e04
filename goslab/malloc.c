// SPDX-License-Identifier: GPL-2.0
/*
 * goslab: Go's memory allocator for the Linux kernel.
 *
 * This file is goslab's malloc.go: the public API and the paths every
 * allocation and free takes.  The design is Go's (runtime/malloc.go,
 * mcache.go, mcentral.go, mheap.go); what differs, and why, is in
 * Documentation/design.rst.
 *
 * The allocator is built in layers:
 *
 *  - The page heap (mheap.c, mpagealloc.c) takes 4 MiB arenas from the
 *    buddy allocator and hands out runs of 8 KiB goslab pages (spans),
 *    first fit by Go's page bitmap and summaries.  A two-level arena
 *    table maps any address to its span in O(1).
 *
 *  - A span (mspan) holds objects of one span class: size class << 1 |
 *    noscan.  Its allocBits and allocCache are scanned with count trailing
 *    zeros (mbitmap.c: nextFreeFast, nextFreeIndex, refillAllocCache).
 *
 *  - mcentral (per span class and node) keeps the spans no CPU has
 *    cached, partial or full; mcache (per CPU) caches one span per class
 *    plus the tiny block.  Allocation is nextFreeFast on the CPU's span,
 *    then nextFree, then refill from mcentral, then grow from mheap,
 *    exactly the chain of Go's mallocgc.
 *
 * Object sizes:
 *
 *  - 0: ZERO_SIZE_PTR, as kmalloc.
 *  - tiny (noscan, under 16 bytes): packed into 16-byte blocks with Go's
 *    alignment rules; a block returns to its span when its last object is
 *    freed and no mcache packs into it any more (tinyrefs).
 *  - small (up to 32 KiB): Go's 67 size classes.
 *  - large: a span of whole pages from the heap, one object.
 *
 * Free is what Go does not have.  goslab_free() finds the span in O(1),
 * checks that the pointer is an allocated object (or reports it), and
 * sets the object's bit in the span's freeBits with one atomic operation.
 * The CPU that caches the span merges freeBits into allocBits when its
 * span runs out, the way Go's sweeper merges mark bits.  A free to a span
 * that no CPU caches is one more cmpxchg while the span stays partial;
 * only a free that moves it from the full list to partial, or empties it
 * (back to the heap), takes its mcentral's lock.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/kmemleak.h>
#include <linux/ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include <goslab.h>
#include "internal.h"

struct gs_stats gs_stats;

/* The last report, for tests that assert on what was reported. */
static DEFINE_SPINLOCK(gs_report_lock);
static struct gs_report gs_last_report;

static void gs_record_report(const void *p, const char *reason,
			     unsigned long caller)
{
	unsigned long flags;

	spin_lock_irqsave(&gs_report_lock, flags);
	gs_last_report.addr = p;
	gs_last_report.reason = reason;
	gs_last_report.caller = caller;
	gs_last_report.seq++;
	spin_unlock_irqrestore(&gs_report_lock, flags);
}

/**
 * gs_report_debug - count and record a debug-mode corruption report
 * @p: the corrupted byte
 * @what: what was found
 * @caller: the goslab API call that found it
 *
 * debug.c prints the details; no WARN, the report says everything.
 */
void gs_report_debug(const void *p, const char *what, unsigned long caller)
{
	atomic_long_inc(&gs_stats.debug_reports);
	gs_record_report(p, what, caller);
}

void gs_get_last_report(struct gs_report *r)
{
	unsigned long flags;

	spin_lock_irqsave(&gs_report_lock, flags);
	*r = gs_last_report;
	spin_unlock_irqrestore(&gs_report_lock, flags);
}

/**
 * gs_report_bad - report a bad pointer handed to goslab
 * @p: the pointer
 * @reason: what is wrong with it
 * @caller: the return address of the goslab API call
 *
 * Counted, printed with the caller (ratelimited) and warned about once;
 * the operation is then ignored, so the heap stays consistent.
 */
void gs_report_bad(const void *p, const char *reason, unsigned long caller)
{
	atomic_long_inc(&gs_stats.bad_frees);
	gs_record_report(p, reason, caller);
	pr_err_ratelimited("goslab: %s: pointer %px from %pS\n", reason, p,
			   (void *)caller);
	if (gs_debug_on())
		gs_debug_print_object(spanOf((unsigned long)p), p);
	WARN_ONCE(1, "goslab: bad pointer %px: %s\n", p, reason);
}

/*
 * This context's counters for code that runs with preemption on, as
 * get_cpu_ptr()/put_cpu_ptr(); the fast paths use c->stats directly.
 */
static __always_inline struct gs_cpu_stats *gs_stats_get(void)
{
	preempt_disable();
	return &gs_this_mcache()->stats;
}

static __always_inline void gs_stats_put(void)
{
	preempt_enable();
}

static __always_inline bool gs_want_zero(gfp_t flags)
{
	return want_init_on_alloc(flags);
}

/* The flags goslab passes on, and whether it may block right now. */
static __always_inline unsigned int gs_how(gfp_t flags)
{
	return gfpflags_allow_blocking(flags) ? GS_MAY_BLOCK : 0;
}

static void gs_post_alloc(void *p, size_t size, gfp_t flags, bool noscan)
{
	kmemleak_alloc(p, size, 1, flags);
	if (noscan)
		kmemleak_no_scan(p);
}

/* Grow the local heap where we may sleep, for a refill that said -EAGAIN. */
static bool gs_grow_retry(spanClass spc, gfp_t flags)
{
	unsigned int sc = spanclass_sizeclass(spc);

	return !mheap_ensure(mheap_of(numa_mem_id()), class_to_allocnpages[sc],
			     spc, flags);
}

/*
 * __GFP_ZERO and init_on_alloc; in debug mode gs_debug_alloc() zeroes.
 * Under KASAN the whole slot is made addressable first, for the zeroing
 * and debug mode's checks; gs_malloc() then trims it to the request.
 */
static __always_inline void gs_zero_small(unsigned long v, unsigned int sc,
					  gfp_t flags, bool needzero)
{
	gs_kasan_unpoison((void *)v, class_to_size[sc]);
	if (gs_want_zero(flags) && needzero && !gs_debug_on())
		memset((void *)v, 0, class_to_size[sc]);
}

/*
 * The small-object slow path: another node's mcentral, or nextFree
 * (refill, grow where @flags allow sleeping).  Out of line, so that the
 * fast path takes no local's address.
 */
static noinline void *gs_alloc_small_slow(spanClass spc, gfp_t flags,
					  int node)
{
	unsigned int sc = spanclass_sizeclass(spc);
	unsigned long v;
	struct mspan *s;
	bool needzero;
	int err = 0;

	if (node != NUMA_NO_NODE && node != numa_mem_id()) {
		v = (unsigned long)mcentral_alloc_one(mcentral_of(node, spc),
						      flags, &needzero);
		if (!v)
			return NULL;
		gs_stats_get()->nmalloc[spc]++;
		gs_stats_put();
		gs_zero_small(v, sc, flags, needzero);
		return (void *)v;
	}
	for (;;) {
		struct mcache *c;

		preempt_disable();
		c = gs_this_mcache();
		v = mcache_nextFree(c, spc, flags, &s, &err);
		if (likely(v)) {
			c->stats.nmalloc[spc]++;
			needzero = s->needzero;
		}
		preempt_enable();
		if (v)
			break;
		if (err != -EAGAIN || !gs_grow_retry(spc, flags))
			return NULL;
	}
	gs_zero_small(v, sc, flags, needzero);
	return (void *)v;
}

/*
 * The small-object fast path: the span's local LIFO or nextFreeFast.
 * Preemption is off while the mcache is used; interrupts stay on (see
 * struct mcache).
 */
static __always_inline void *gs_alloc_small(size_t size, gfp_t flags,
					    bool noscan, int node)
{
	unsigned int sc = goslab_size_to_class(size);
	spanClass spc = make_spanclass(sc, noscan);
	struct mcache *c;
	struct mspan *s;
	unsigned long v;
	bool fresh, needzero;

	if (unlikely(node != NUMA_NO_NODE))
		return gs_alloc_small_slow(spc, flags, node);
	preempt_disable();
	c = gs_this_mcache();
	s = c->alloc[spc];
	v = mcache_alloc_fast(s, &fresh, false);
	if (unlikely(!v)) {
		preempt_enable();
		return gs_alloc_small_slow(spc, flags, node);
	}
	c->stats.nmalloc[spc]++;
	needzero = !fresh || s->needzero;
	preempt_enable();
	gs_zero_small(v, sc, flags, needzero);
	return (void *)v;
}

/* Tiny blocks' refs: starts in bits 0-15, ends in 16-30, held in 31. */
#define TINY_START(off)		BIT(off)
static inline u32 tiny_end(unsigned int last)
{
	return last < 15 ? BIT(16 + last) : 0;
}

#define TINY_STARTS		0xffffU

static u32 *tiny_ref(struct mspan *s, unsigned long block)
{
	return &s->tinyrefs[(block - s->startAddr) / GS_TINY_SIZE];
}

static void tiny_ref_or(u32 *ref, u32 bits)
{
	u32 old = READ_ONCE(*ref);

	while (!try_cmpxchg(ref, &old, old | bits))
		;
}

/* Last byte offset of the tiny object starting at @off, from @r. */
static unsigned int tiny_last(u32 r, unsigned int off)
{
	unsigned long ends = (r >> 16) & 0x7fff;

	ends &= ~0UL << off;
	return ends ? __ffs(ends) : 15;
}

/**
 * gs_tiny_release_block - the mcache stops packing into @block
 * @s: the block's span
 * @block: the block's address
 */
void gs_tiny_release_block(struct mspan *s, unsigned long block)
{
	u32 *ref = tiny_ref(s, block);
	u32 old = READ_ONCE(*ref);

	while (!try_cmpxchg(ref, &old, old & ~GS_TINY_HELD))
		;
	if (old == GS_TINY_HELD) {
		gs_stats_get()->nfree[GS_TINY_SPANCLASS]++;
		gs_stats_put();
		gs_kasan_free((void *)block, GS_TINY_SIZE);
		gs_free_object(s, block,
			       (block - s->startAddr) / GS_TINY_SIZE, _RET_IP_);
	}
}

/**
 * gs_tiny_free - free a tiny object
 * @s: its span (the tiny span class)
 * @p: the object
 * @caller: for reports
 *
 * Return: false if @p is not the start of a live tiny object (the
 * caller then treats the block as an ordinary 16-byte object).
 */
bool gs_tiny_free(struct mspan *s, unsigned long p, unsigned long caller)
{
	unsigned long block = p & ~(unsigned long)(GS_TINY_SIZE - 1);
	unsigned int off = p - block;
	u32 *ref = tiny_ref(s, block);
	u32 old = READ_ONCE(*ref), new;
	struct gs_cpu_stats *st;

	do {
		if (!(old & TINY_STARTS))
			return false;
		if (!(old & TINY_START(off))) {
			gs_report_bad((void *)p, "tiny object not allocated", caller);
			return true;
		}
		new = old & ~TINY_START(off) & ~tiny_end(tiny_last(old, off));
	} while (!try_cmpxchg(ref, &old, new));
	st = gs_stats_get();
	st->tiny_frees++;
	if (!new)
		st->nfree[GS_TINY_SPANCLASS]++;
	gs_stats_put();
	if (!new) {
		gs_kasan_free((void *)block, GS_TINY_SIZE);
		gs_free_object(s, block, (block - s->startAddr) / GS_TINY_SIZE,
			       caller);
	}
	return true;
}

/* Go's tiny allocator, with tinyrefs so that explicit free works. */
static void *gs_alloc_tiny(size_t size, gfp_t flags)
{
	struct mcache *c;
	struct mspan *s, *olds = NULL;
	unsigned long v, old = 0;
	unsigned int off;
	int err = 0;

retry:
	preempt_disable();
	c = gs_this_mcache();
	off = c->tinyoffset;
	/* Go's conservative alignment for the requested size. */
	if (!(size & 7))
		off = ALIGN(off, 8);
	else if (!(size & 3))
		off = ALIGN(off, 4);
	else if (!(size & 1))
		off = ALIGN(off, 2);
	if (c->tiny && off + size <= GS_TINY_SIZE) {
		v = c->tiny + off;
		tiny_ref_or(tiny_ref(c->tinyspan, c->tiny),
			    TINY_START(off) | tiny_end(off + size - 1));
		c->tinyoffset = off + size;
		c->stats.tiny_allocs++;
		preempt_enable();
		return (void *)v;
	}
	s = c->alloc[GS_TINY_SPANCLASS];
	v = nextFreeFast(s);
	if (!v)
		v = mcache_nextFree(c, GS_TINY_SPANCLASS, flags, &s, &err);
	if (!v) {
		preempt_enable();
		if (err == -EAGAIN && gs_grow_retry(GS_TINY_SPANCLASS, flags))
			goto retry;
		return NULL;
	}
	c->stats.nmalloc[GS_TINY_SPANCLASS]++;
	c->stats.tiny_allocs++;
	/* Under KASAN a block is addressable whole while it is in use. */
	gs_kasan_unpoison((void *)v, GS_TINY_SIZE);
	memset((void *)v, 0, GS_TINY_SIZE);
	/* Keep the block with more room left, as Go does. */
	if (size < c->tinyoffset || !c->tiny) {
		old = c->tiny;
		olds = c->tinyspan;
		c->tiny = v;
		c->tinyspan = s;
		c->tinyoffset = size;
		*tiny_ref(s, v) = GS_TINY_HELD | TINY_START(0) |
				  tiny_end(size - 1);
	} else {
		*tiny_ref(s, v) = TINY_START(0) | tiny_end(size - 1);
	}
	if (old)
		gs_tiny_release_block(olds, old);
	preempt_enable();
	return (void *)v;
}

static void *gs_alloc_large(size_t size, gfp_t flags, bool noscan, int node)
{
	struct gs_cpu_stats *st;
	unsigned int npages;
	struct mspan *s;

	if (node == NUMA_NO_NODE)
		node = numa_mem_id();
	/* Before the page count: it would wrap or truncate for huge sizes. */
	if (unlikely(size > GOSLAB_MAX_SIZE)) {
		WARN_ONCE(!(flags & __GFP_NOWARN),
			  "goslab: %zu bytes is over the largest object\n", size);
		return NULL;
	}
	npages = DIV_ROUND_UP(size, GOSLAB_PAGE_SIZE);
	s = npages <= GS_LARGE_PARK_PAGES && !gs_debug_on() ?
	    mcache_take_large(npages, node) : NULL;
	if (s) {
		/* Parked since its free: in use all along, now its object. */
		s->spanclass = make_spanclass(0, noscan);
		s->needzero = 1;
		clear_bit(0, s->freeBits);
	} else {
		s = mheap_alloc(mheap_of(node), npages,
				make_spanclass(0, noscan), flags, gs_how(flags));
		if (IS_ERR(s))
			return NULL;
		/* One object, handed out: Go's large spans look the same. */
		s->freeindex = 1;
		s->allocCount = 1;
		s->allocCache = 0;
	}
	st = gs_stats_get();
	st->large_allocs++;
	st->large_bytes += s->elemsize;
	gs_stats_put();
	gs_kasan_unpoison((void *)s->startAddr, s->elemsize);
	if (gs_want_zero(flags) && s->needzero && !gs_debug_on())
		memset((void *)s->startAddr, 0, s->elemsize);
	return (void *)s->startAddr;
}

/*
 * A zone modifier in @flags, out of line (%pGg takes the flags' address).
 * kmalloc() serves __GFP_DMA from caches of its own; goslab has no heap in
 * the DMA zone, and memory from another zone would fail the caller's
 * device silently: refused, with a warning.  __GFP_DMA32 and
 * __GFP_HIGHMEM are bugs for kmalloc() too, which warns and drops them;
 * goslab does the same (its memory is in the linear map anyway).
 * Return: the flags to go on with; __GFP_DMA still set means fail.
 */
static noinline gfp_t gs_zone_fixup(gfp_t flags)
{
	if (flags & __GFP_DMA) {
		WARN_ONCE(!(flags & __GFP_NOWARN),
			  "goslab: no DMA-zone memory (gfp %pGg): use kmalloc()\n",
			  &flags);
		return flags;
	}
	WARN_ONCE(!(flags & __GFP_NOWARN),
		  "goslab: unexpected gfp %pGg: zone modifiers dropped\n", &flags);
	return flags & ~GS_GFP_ZONES;
}

/* Out of line: %pGg takes the flags' address. */
static noinline void gs_alloc_failed(size_t size, gfp_t flags)
{
	pr_warn_ratelimited("goslab: allocation of %zu bytes failed (gfp %pGg)\n",
			    size, &flags);
}

/* gs_malloc() after its might_alloc(), which the fast path has done. */
static __always_inline void *__gs_malloc(size_t size, gfp_t flags,
					 bool noscan, int node)
{
	bool tiny;
	void *p;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	/* NMI code may interrupt the hardirq mcache: not a context we serve. */
	if (WARN_ON_ONCE(in_nmi()))
		return NULL;
	if (unlikely(flags & GS_GFP_ZONES)) {
		flags = gs_zone_fixup(flags);
		if (flags & __GFP_DMA)
			return NULL;
	}
	tiny = noscan && size < GS_TINY_SIZE && node == NUMA_NO_NODE &&
	       !gs_debug_on();
	if (size <= GOSLAB_MAX_SMALL_SIZE) {
		if (tiny)
			p = gs_alloc_tiny(size, flags);
		else
			p = gs_alloc_small(size, flags, noscan, node);
	} else {
		p = gs_alloc_large(size, flags, noscan, node);
	}
	if (unlikely(!p)) {
		if (!(flags & __GFP_NOWARN))
			gs_alloc_failed(size, flags);
		return NULL;
	}
	if (gs_debug_on())
		gs_debug_alloc(p, size, flags);
	/* A tiny object shares its granules: its block stays addressable. */
	if (gs_kasan_on() && !tiny)
		gs_kasan_alloc(p, size, goslab_size_roundup(size));
	gs_post_alloc(p, size, flags, noscan);
	return p;
}

static __always_inline void *gs_malloc(size_t size, gfp_t flags, bool noscan,
				       int node)
{
	might_alloc(flags);
	return __gs_malloc(size, flags, noscan, node);
}

/* gs_alloc_fast()'s refill: the checks are done, no hook is on. */
static noinline void *gs_alloc_refill(size_t size, gfp_t flags,
				      spanClass spc)
{
	void *p = gs_alloc_small_slow(spc, flags, NUMA_NO_NODE);

	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		gs_alloc_failed(size, flags);
	return p;
}

/* gs_malloc() out of line, under the fast path. */
static noinline void *gs_malloc_slow(size_t size, gfp_t flags, bool noscan)
{
	return __gs_malloc(size, flags, noscan, NUMA_NO_NODE);
}

/*
 * goslab_alloc()'s common case: a small class, not tiny, no hook on
 * (debug mode, KASAN, kmemleak) and no zone modifier, an object on this
 * context's span's LIFO or in its allocCache.  Every way out is a return
 * or a tail call (memset() returns the object, gs_alloc_refill() gets a
 * span, gs_malloc_slow() does it all), so that it saves few registers,
 * which TCG (QEMU without KVM) pays for in memory operations.
 */
static __always_inline void *gs_alloc_fast(size_t size, gfp_t flags,
					   bool noscan)
{
	unsigned long pc, v;
	unsigned int sc;
	struct mcache *c;
	struct mspan *s;
	spanClass spc;
	bool fresh, needzero;

	might_alloc(flags);
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || gs_kasan_on() ||
	    gs_debug_on())
		goto slow;
	if (unlikely(size - 1 >= GOSLAB_MAX_SMALL_SIZE ||
		     (noscan && size < GS_TINY_SIZE) ||
		     (flags & GS_GFP_ZONES)))
		goto slow;
	pc = preempt_count();
	if (unlikely(pc & NMI_MASK))
		goto slow;
	sc = goslab_size_to_class(size);
	spc = make_spanclass(sc, noscan);
	preempt_disable();
	c = gs_mcache_for(pc);
	s = c->alloc[spc];
	v = mcache_alloc_fast(s, &fresh, true);
	if (unlikely(!v)) {
		/* A LIFO left means a bad link, for the full path to report. */
		if (s->localhead) {
			preempt_enable();
			goto slow;
		}
		preempt_enable();
		return gs_alloc_refill(size, flags, spc);
	}
	c->stats.nmalloc[spc]++;
	needzero = !fresh || s->needzero;
	preempt_enable();
	if (gs_want_zero(flags) && needzero)
		return memset((void *)v, 0, class_to_size[sc]);
	return (void *)v;
slow:
	return gs_malloc_slow(size, flags, noscan);
}

/**
 * goslab_alloc - allocate memory that may hold pointers
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags, as for kmalloc(): %__GFP_ZERO, %__GFP_NOWARN, and
 *	the reclaim flags that say whether the call may sleep
 *
 * The object is "scan" in Go's sense: kmemleak scans it for pointers.
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc(size_t size, gfp_t flags)
{
	return gs_alloc_fast(size, flags, false);
}
EXPORT_SYMBOL_GPL(goslab_alloc);

/**
 * goslab_alloc_noscan - allocate pointer-free memory
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags as for goslab_alloc()
 *
 * Go's noscan: the object never shares a span with objects that may hold
 * pointers, kmemleak does not scan it, and requests under 16 bytes are
 * packed by the tiny allocator.
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc_noscan(size_t size, gfp_t flags)
{
	return gs_alloc_fast(size, flags, true);
}
EXPORT_SYMBOL_GPL(goslab_alloc_noscan);

/**
 * goslab_alloc_node - allocate memory on a NUMA node
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags as for goslab_alloc()
 * @node: the node, or %NUMA_NO_NODE for the calling CPU's
 *
 * The object's span comes from @node's heap.
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc_node(size_t size, gfp_t flags, int node)
{
	if (node != NUMA_NO_NODE &&
	    (node < 0 || node >= MAX_NUMNODES || !node_online(node) ||
	     !mheap_of(node)))
		node = NUMA_NO_NODE;
	return gs_malloc(size, flags, false, node);
}
EXPORT_SYMBOL_GPL(goslab_alloc_node);

/**
 * goslab_alloc_array - allocate an array of @n elements of @size bytes
 * @n: number of elements
 * @size: bytes per element
 * @flags: GFP flags as for goslab_alloc()
 *
 * Return: the array, or NULL on failure or if @n * @size overflows.
 */
void *goslab_alloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return goslab_alloc(bytes, flags);
}
EXPORT_SYMBOL_GPL(goslab_alloc_array);

/*
 * Count @n frees whose bits are already set in @s->freeBits.  One
 * cmpxchg while the span is cached (the owner is then sure to see them
 * at its next sweep) or while it is partial and keeps live objects: its
 * list does not change.  Otherwise under the mcentral lock, which moves
 * it from the full list or hands it back to the heap.  Until counted our
 * objects count as live, which keeps the span from being released under
 * us.
 */
static __always_inline void gs_commit_frees(struct mspan *s, long n)
{
	long v = atomic_long_read(&s->freestate);

	do {
		if (v & MSPAN_CACHED)
			continue;
		/* allocCount is stable while partial; see mcentral_place(). */
		smp_rmb();
		if (!(v & MSPAN_PARTIAL) ||
		    (long)READ_ONCE(s->allocCount) - mspan_pending(v) <= n) {
			mcentral_free_locked(s, n);
			return;
		}
	} while (!atomic_long_try_cmpxchg(&s->freestate, &v,
					  v + n * MSPAN_FREE_ONE));
}

/*
 * Set object @idx's bit in @s->freeBits.  Return: false, after a report,
 * if it was set already: a second free that raced with the first.
 */
static __always_inline bool gs_set_free_bit(struct mspan *s, const void *p,
					    unsigned int idx,
					    unsigned long caller)
{
	if (unlikely(test_and_set_bit(idx, s->freeBits))) {
		gs_report_bad(p, "double free", caller);
		return false;
	}
	return true;
}

/**
 * gs_free_object - return object @idx of @s to its span
 * @s: an in-use small span
 * @p: the object's address
 * @idx: its index
 * @caller: for reports
 *
 * The free bit is set first, then counted (gs_commit_frees()).
 */
void gs_free_object(struct mspan *s, unsigned long p, unsigned int idx,
		    unsigned long caller)
{
	if (gs_set_free_bit(s, (void *)p, idx, caller))
		gs_commit_frees(s, 1);
}

/**
 * gs_commit_remote - count the frees @c batched for another owner's span
 * @c: this context's mcache, preemption off (or a dead CPU's)
 */
void gs_commit_remote(struct mcache *c)
{
	struct mspan *s = c->rfspan;

	if (s) {
		c->rfspan = NULL;
		gs_commit_frees(s, c->rfcount);
	}
}

/**
 * gs_commit_remote_this - count the current context's batched frees now
 *
 * For tests and anything else that must see every free counted.
 */
void gs_commit_remote_this(void)
{
	preempt_disable();
	gs_commit_remote(gs_this_mcache());
	preempt_enable();
}

/*
 * A free to a span this context does not allocate from, usually another
 * CPU's.  Its bit is set at once, so liveness checks and the owner's next
 * sweep see it; the count is batched in the mcache while frees keep
 * hitting the same span, which makes a remote free one atomic operation
 * instead of two and a span's worth of them one central-list round
 * instead of two.  The batch is counted when this context frees to
 * another span, and by every flush.  Uncounted, the objects still count
 * as live, so at most one span per context stays unreleased meanwhile,
 * as a cached span does.  Classes shared per node are not batched: a
 * slot freed there is for the next allocation on any CPU.
 */
static __always_inline void gs_free_remote(struct mcache *c, struct mspan *s,
					   unsigned long p, unsigned int idx,
					   unsigned long caller)
{
	if (!gs_set_free_bit(s, (void *)p, idx, caller))
		return;
	if (likely(c->rfspan == s)) {
		c->rfcount++;
		return;
	}
	gs_commit_remote(c);
	c->rfspan = s;
	c->rfcount = 1;
}

/*
 * Resolve @p to its span and object index, reporting anything that is
 * not the start of an allocated object.  Tiny objects are resolved to
 * their block.  Return: the span, or NULL after a report.
 */
static noinline void gs_report_foreign(unsigned long p, const char *what,
				       unsigned long caller)
{
	struct gs_arena *a = arena_of(p);

	/* Pages goslab owns outside every span: a freed large object. */
	if (a && test_bit((p - a->base) >> GOSLAB_PAGE_SHIFT, a->owned))
		what = "pointer to free goslab memory";
	gs_report_bad((void *)p, what, caller);
}

/*
 * Is object @idx handed out and not freed?  Go's isFree plus the two
 * places a free waits: freeBits (remote) and localBits (the owner's
 * LIFO).  Whole words, not bit instructions on memory.
 */
static __always_inline bool mspan_is_live(const struct mspan *s,
					  unsigned int idx)
{
	unsigned int w = idx / BITS_PER_LONG;
	unsigned long m = BIT(idx % BITS_PER_LONG);

	if ((READ_ONCE(s->freeBits[w]) | s->localBits[w]) & m)
		return false;
	return !mspan_is_free(s, idx);
}

static __always_inline struct mspan *gs_lookup(unsigned long p,
					       unsigned int *idxp, bool *tiny,
					       const char *what,
					       unsigned long caller)
{
	struct mspan *s = spanOf(p);
	unsigned int idx;

	*tiny = false;
	if (unlikely(!s)) {
		gs_report_foreign(p, what, caller);
		return NULL;
	}
	/* Pairs with the release that publishes a span in mheap_alloc(). */
	if (unlikely(smp_load_acquire(&s->state) != MSPAN_INUSE ||
		     p < s->startAddr || p >= s->limit)) {
		gs_report_bad((void *)p, "pointer to free goslab memory", caller);
		return NULL;
	}
	idx = mspan_obj_index(s, p);
	if (s->spanclass == GS_TINY_SPANCLASS) {
		u32 r = READ_ONCE(s->tinyrefs[idx]);

		if (r & TINY_STARTS) {
			*tiny = true;
			*idxp = idx;
			return s;
		}
		/*
		 * A block an mcache still packs into, with nothing live in
		 * it: the block is the tiny allocator's, not a 16-byte
		 * object to free (that would free it under the mcache).
		 */
		if (unlikely(r & GS_TINY_HELD)) {
			gs_report_bad((void *)p, "tiny object not allocated",
				      caller);
			return NULL;
		}
	}
	if (unlikely(p != s->startAddr + (unsigned long)idx * s->elemsize)) {
		gs_report_bad((void *)p, "pointer into the middle of an object",
			      caller);
		return NULL;
	}
	if (unlikely(!mspan_is_live(s, idx))) {
		gs_report_bad((void *)p, "object not allocated (double free?)",
			      caller);
		return NULL;
	}
	*idxp = idx;
	return s;
}

/* The free of @p, found by gs_lookup() as object @idx of @s. */
static __always_inline void gs_free_found(struct mspan *s, unsigned int idx,
					  bool tiny, const void *p,
					  unsigned long caller)
{
	unsigned long addr = (unsigned long)p;
	struct mcache *c;
	bool own;

	if (tiny) {
		unsigned long block = addr & ~(GS_TINY_SIZE - 1UL);
		u32 r = READ_ONCE(*tiny_ref(s, block));
		unsigned int off = addr - block;

		/*
		 * Not a live tiny object (double free, or a pointer inside
		 * one): report before kmemleak hears of it and before
		 * init_on_free would clear a neighbour's bytes.
		 */
		if (unlikely(!(r & TINY_START(off)))) {
			gs_report_bad(p, "tiny object not allocated", caller);
			return;
		}
		kmemleak_free(p);
		if (want_init_on_free())
			memset((void *)p, 0, tiny_last(r, off) - off + 1);
		gs_tiny_free(s, addr, caller);
		return;
	}
	kmemleak_free(p);
	/* Under KASAN: all of it for debug mode and init_on_free, then none. */
	gs_kasan_unpoison(p, s->elemsize);
	if (gs_debug_on() && gs_debug_free(s, idx, (void *)p, caller))
		;	/* poisoned: nothing of the old contents is left */
	else if (want_init_on_free())
		memset((void *)p, 0, s->elemsize);
	gs_kasan_free(p, s->elemsize);
	if (unlikely(!spanclass_sizeclass(s->spanclass))) {
		/* A large object: its span goes back to the heap. */
		struct gs_cpu_stats *st;

		if (!gs_set_free_bit(s, p, 0, caller))
			return;
		st = gs_stats_get();
		st->large_frees++;
		st->large_bytes -= s->elemsize;
		gs_stats_put();
		if (s->npages > GS_LARGE_PARK_PAGES || gs_debug_on() ||
		    !mcache_park_large(s))
			mheap_free(s);
		return;
	}
	preempt_disable();
	c = gs_this_mcache();
	c->stats.nfree[s->spanclass]++;
	/*
	 * The owner's own free: onto the span's local LIFO, no atomics.  The
	 * next allocation of this class takes it back while it is hot.
	 */
	own = c->alloc[s->spanclass] == s;
	if (likely(own && !gs_debug_on() &&
		   s->spanclass != GS_TINY_SPANCLASS)) {
		mspan_push_local(s, (void *)p, idx);
	} else if (!own && !spanclass_shared(s->spanclass)) {
		gs_free_remote(c, s, addr, idx, caller);
	} else {
		gs_free_object(s, addr, idx, caller);
	}
	preempt_enable();
}

/* goslab_free() for @caller: the API call a report names. */
static __always_inline void gs_free(const void *p, unsigned long caller)
{
	struct mspan *s;
	unsigned int idx;
	bool tiny;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	s = gs_lookup((unsigned long)p, &idx, &tiny,
		      "pointer goslab does not own", caller);
	if (likely(s))
		gs_free_found(s, idx, tiny, p, caller);
}

/* What gs_free_fast() leaves goslab_free() to do. */
enum gs_free_rest {
	GS_FREE_DONE,		/* pushed on the owner's LIFO */
	GS_FREE_FOUND,		/* a live object, not the owner's: @s, @idx */
	GS_FREE_FULL,		/* anything else: the full path, reports too */
};

/*
 * goslab_free()'s common case, with nothing to call: a live object of a
 * small class, in the span this context's mcache holds, no hook on
 * (debug mode, KASAN, kmemleak, init_on_free).  It checks what gs_free()
 * checks, in the same order, and pushes the object on the span's LIFO.
 * A leaf: goslab_free() then saves few registers, which TCG (QEMU
 * without KVM) pays for in memory operations.  Nothing is changed unless
 * it returns GS_FREE_DONE; GS_FREE_FOUND hands the checked object on.
 */
static __always_inline enum gs_free_rest gs_free_fast(unsigned long addr,
						      struct mspan **sp,
						      unsigned int *idxp)
{
	struct mspan *s;
	struct mcache *c;
	unsigned long pc;
	unsigned int idx;
	spanClass spc;

	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || gs_kasan_on() ||
	    gs_debug_on() || want_init_on_free())
		return GS_FREE_FULL;
	s = spanOf(addr);	/* NULL for NULL and ZERO_SIZE_PTR too */
	if (unlikely(!s || smp_load_acquire(&s->state) != MSPAN_INUSE ||
		     addr < s->startAddr || addr >= s->limit))
		return GS_FREE_FULL;
	spc = READ_ONCE(s->spanclass);
	idx = mspan_obj_index(s, addr);
	if (unlikely(spc == GS_TINY_SPANCLASS ||
		     addr != s->startAddr + (unsigned long)idx * s->elemsize ||
		     !mspan_is_live(s, idx)))
		return GS_FREE_FULL;
	*sp = s;
	*idxp = idx;
	pc = preempt_count();
	if (unlikely(pc & NMI_MASK))
		return GS_FREE_FOUND;
	preempt_disable();
	c = gs_mcache_for(pc);
	/* Large and shared classes are never cached: only emptymspan. */
	if (c->alloc[spc] != s) {
		preempt_enable();
		return GS_FREE_FOUND;
	}
	c->stats.nfree[spc]++;
	mspan_push_local(s, (void *)addr, idx);
	preempt_enable();
	return GS_FREE_DONE;
}

/* Everything else goslab_free() may be asked to do, reports included. */
static noinline void gs_free_slow(const void *p, unsigned long caller)
{
	gs_free(p, caller);
}

/* A checked object that is not the owner's (remote, large, shared). */
static noinline void gs_free_checked(struct mspan *s, unsigned int idx,
				     const void *p, unsigned long caller)
{
	gs_free_found(s, idx, false, p, caller);
}

/**
 * goslab_free - free memory from goslab_alloc() and friends
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * O(1), from any CPU and any context kfree() may be called in.  A
 * pointer that is not an allocated goslab object is reported (address,
 * reason, a warning once and the bad_frees counter) and ignored.
 */
void goslab_free(const void *p)
{
	struct mspan *s;
	unsigned int idx;

	switch (gs_free_fast((unsigned long)p, &s, &idx)) {
	case GS_FREE_DONE:
		return;
	case GS_FREE_FOUND:
		gs_free_checked(s, idx, p, _RET_IP_);
		return;
	default:
		gs_free_slow(p, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(goslab_free);

/*
 * goslab_usable_size() for @caller.  *@data, if asked for, gets how many
 * bytes hold data: all of them, unless debug mode knows the request.
 */
static size_t gs_usable_size(const void *p, unsigned long caller,
			     size_t *data)
{
	unsigned long addr = (unsigned long)p;
	struct mspan *s;
	unsigned int idx;
	size_t size;
	bool tiny;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	s = gs_lookup(addr, &idx, &tiny,
		      "usable_size of a pointer goslab does not own", caller);
	if (!s)
		return 0;
	if (tiny) {
		unsigned long block = addr & ~(GS_TINY_SIZE - 1UL);
		u32 r = READ_ONCE(*tiny_ref(s, block));
		unsigned int off = addr - block;

		if (!(r & TINY_START(off))) {
			gs_report_bad(p, "tiny object not allocated", caller);
			return 0;
		}
		size = tiny_last(r, off) - off + 1;
		if (data)
			*data = size;
		return size;
	}
	if (data)
		*data = gs_debug_on() ? gs_debug_size(s, idx) : s->elemsize;
	/* The caller may now use it all: no red zone past the request. */
	if (gs_debug_on())
		gs_debug_usable(s, idx);
	gs_kasan_unpoison(p, s->elemsize);
	return s->elemsize;
}

/**
 * goslab_usable_size - bytes usable at @p
 * @p: an object from goslab; NULL and ZERO_SIZE_PTR give 0
 *
 * The size class's size for small objects, whole pages for large ones,
 * the bytes up to the next object for tiny ones.  A pointer that is not
 * an allocated object is reported and gives 0.
 */
size_t goslab_usable_size(const void *p)
{
	return gs_usable_size(p, _RET_IP_, NULL);
}
EXPORT_SYMBOL_GPL(goslab_usable_size);

/**
 * goslab_size_roundup - the size goslab_alloc() would give @size
 * @size: bytes that would be asked for
 *
 * Return: the size class's size, whole pages for a large object; @size
 * itself for 0 and for sizes over GOSLAB_MAX_SIZE.
 */
size_t goslab_size_roundup(size_t size)
{
	if (!size || size > GOSLAB_MAX_SIZE)
		return size;
	if (size <= GOSLAB_MAX_SMALL_SIZE)
		return class_to_size[goslab_size_to_class(size)];
	return round_up(size, GOSLAB_PAGE_SIZE);
}
EXPORT_SYMBOL_GPL(goslab_size_roundup);

/**
 * goslab_free_sensitive - clear an object, then free it
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * The whole usable size is cleared with memzero_explicit(), which the
 * compiler may not drop.  A pointer that is not an allocated object is
 * reported once, by the size lookup, and nothing is written or freed.
 */
void goslab_free_sensitive(const void *p)
{
	size_t size = gs_usable_size(p, _RET_IP_, NULL);

	if (!size)
		return;
	memzero_explicit((void *)p, size);
	gs_free(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goslab_free_sensitive);

/**
 * goslab_realloc - resize an object, keeping its contents
 * @p: the object, or NULL to allocate
 * @new_size: bytes; 0 frees @p and gives ZERO_SIZE_PTR
 * @flags: GFP flags as for goslab_alloc()
 *
 * Returns @p itself when @new_size still fits; then, as krealloc()
 * does, with __GFP_ZERO or init_on_alloc the bytes from @new_size to the
 * usable size are cleared.  The new object keeps @p's scan/noscan kind.
 * On failure @p is left untouched.
 * Return: the object, or NULL on failure (or if @p is not goslab's).
 */
void *goslab_realloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t old, data;
	bool noscan;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return goslab_alloc(new_size, flags);
	/* Reports name our caller, not goslab_realloc(). */
	if (!new_size) {
		gs_free(p, _RET_IP_);
		return ZERO_SIZE_PTR;
	}
	old = gs_usable_size(p, _RET_IP_, &data);
	if (!old)
		return NULL;
	if (new_size <= old) {
		/*
		 * As krealloc(): with __GFP_ZERO or init_on_alloc the spare
		 * bytes are cleared, so a later grow in place hands out zeroes.
		 */
		if (gs_want_zero(flags))
			memset((u8 *)p + new_size, 0, old - new_size);
		/*
		 * As kasan_krealloc(): addressable up to the new size.  Not a
		 * tiny object (usable size under 16): it shares its granules.
		 */
		if (gs_kasan_on() && old >= GS_TINY_SIZE)
			gs_kasan_alloc(p, new_size, old);
		return (void *)p;
	}
	noscan = spanclass_noscan(spanOf((unsigned long)p)->spanclass);
	n = gs_malloc(new_size, flags, noscan, NUMA_NO_NODE);
	if (!n)
		return NULL;
	/* Not debug mode's red zone: with __GFP_ZERO the rest stays zero. */
	memcpy(n, p, data);
	gs_free(p, _RET_IP_);
	return n;
}
EXPORT_SYMBOL_GPL(goslab_realloc);

/* Zero [@run, @end), adjacent objects of one span. */
static inline void gs_zero_run(unsigned long run, unsigned long end)
{
	if (end > run)
		memset((void *)run, 0, end - run);
}

/*
 * Bulk allocation of small objects from the CPU's span: the local LIFO,
 * then whole allocCache words at a time (nextFreeBatch()), then nextFree
 * for the refill.  Preemption is off throughout; objects that need
 * zeroing are tagged in bit 0 and cleared afterwards.  Return: how many.
 */
static size_t gs_alloc_bulk_small(size_t size, gfp_t flags, size_t nr,
				  void **p)
{
	unsigned int sc = goslab_size_to_class(size);
	spanClass spc = make_spanclass(sc, false);
	unsigned long zero = gs_want_zero(flags), run = 0, run_end = 0;
	struct mcache *c;
	size_t i = 0, k;
	int err = 0;

	preempt_disable();
	c = gs_this_mcache();
	while (i < nr) {
		struct mspan *s = c->alloc[spc];
		unsigned long v, tag;
		bool fresh;

		while (s->localhead && i < nr) {
			v = mcache_alloc_fast(s, &fresh, false);
			if (!v)
				break;
			p[i++] = (void *)(v | zero);
		}
		tag = zero & s->needzero;
		i += nextFreeBatch(s, p + i, min_t(size_t, nr - i, UINT_MAX),
				   tag);
		if (i == nr)
			break;
		v = mcache_nextFree(c, spc, flags, &s, &err);
		if (!v)
			break;
		p[i++] = (void *)(v | (zero & s->needzero));
	}
	c->stats.nmalloc[spc] += i;
	preempt_enable();
	/*
	 * Zero the tagged objects; neighbours in the span (nextFreeBatch()
	 * hands them out in address order) in one memset per run.  Under
	 * KASAN each slot is addressable whole for that, then trimmed.
	 */
	for (k = 0; k < i; k++) {
		unsigned long a = (unsigned long)p[k];

		gs_kasan_unpoison((void *)(a & ~1UL), class_to_size[sc]);
		if (zero && (a & 1)) {
			a &= ~1UL;
			p[k] = (void *)a;
			if (a != run_end) {
				gs_zero_run(run, run_end);
				run = a;
			}
			run_end = a + class_to_size[sc];
		}
		gs_post_alloc(p[k], size, flags, false);
	}
	gs_zero_run(run, run_end);
	if (gs_kasan_on())
		for (k = 0; k < i; k++)
			gs_kasan_alloc(p[k], size, class_to_size[sc]);
	return i;
}

/**
 * goslab_alloc_bulk - allocate @nr objects of @size bytes
 * @size: bytes per object
 * @flags: GFP flags as for goslab_alloc()
 * @nr: number of objects
 * @p: array that receives them
 *
 * All or nothing, like kmem_cache_alloc_bulk().  Small objects come from
 * the CPU's span a bitmap word at a time, with preemption off once.
 * Return: @nr, or 0 with nothing allocated.
 */
int goslab_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p)
{
	size_t i = 0;

	might_alloc(flags);
	if (unlikely(flags & GS_GFP_ZONES)) {
		flags = gs_zone_fixup(flags);
		if (flags & __GFP_DMA)
			return 0;
	}
	if (size >= GS_TINY_SIZE && size <= GOSLAB_MAX_SMALL_SIZE &&
	    !gs_debug_on() && !WARN_ON_ONCE(in_nmi()))
		i = gs_alloc_bulk_small(size, flags, nr, p);
	for (; i < nr; i++) {
		p[i] = goslab_alloc(size, flags);
		if (!p[i]) {
			goslab_free_bulk(i, p);
			return 0;
		}
	}
	return nr;
}
EXPORT_SYMBOL_GPL(goslab_alloc_bulk);

/*
 * Objects of freeBits word @w that are handed out and not freed: the
 * word-wide mspan_is_live(), for bulk frees.
 */
static __always_inline unsigned long mspan_live_word(const struct mspan *s,
						     unsigned int w)
{
	unsigned int fi = READ_ONCE(s->freeindex);
	unsigned long alloc;

	/* Pairs with the smp_wmb() in mspan_sweep(), as mspan_is_free(). */
	smp_rmb();
	alloc = READ_ONCE(s->allocBits[w]);
	/* Objects below freeindex are handed out whatever allocBits says. */
	if (fi >= (w + 1) * BITS_PER_LONG)
		alloc = ~0UL;
	else if (fi > w * BITS_PER_LONG)
		alloc |= BIT(fi - w * BITS_PER_LONG) - 1;
	return alloc & ~(READ_ONCE(s->freeBits[w]) | s->localBits[w]);
}

/*
 * Free the objects @bits of word @w of @s: report those that are not
 * live, clear the rest as goslab_free() would, set their free bits in
 * one atomic operation.  Return: how many were freed.
 */
static long gs_free_word(struct mspan *s, unsigned int w, unsigned long bits,
			 unsigned long caller)
{
	unsigned long bad = bits & ~mspan_live_word(s, w), b;
	unsigned long base = s->startAddr + w * BITS_PER_LONG * s->elemsize;

	bits &= ~bad;
	for (b = bad; b; b &= b - 1)
		gs_report_bad((void *)(base + __ffs(b) * s->elemsize),
			      "object not allocated (double free?)", caller);
	for (b = bits; b && (want_init_on_free() || gs_kasan_on()); b &= b - 1) {
		void *obj = (void *)(base + __ffs(b) * s->elemsize);

		gs_kasan_unpoison(obj, s->elemsize);
		if (want_init_on_free())
			memset(obj, 0, s->elemsize);
		gs_kasan_free(obj, s->elemsize);
	}
	bad = atomic_long_fetch_or(bits, (atomic_long_t *)&s->freeBits[w]) & bits;
	/* Lost a race with a concurrent free of the same object. */
	for (b = bad; b; b &= b - 1)
		gs_report_bad((void *)(base + __ffs(b) * s->elemsize),
			      "double free", caller);
	return hweight64(bits & ~bad);
}

/*
 * Free the run of p[0..nr) that lies in one small span: one lookup, the
 * objects checked and their free bits set a word at a time, one count
 * for the whole run (gs_commit_frees()).  The run ends at the first
 * object of another span or the middle of an object, which the next call
 * then reports.  Return: how many entries of @p were consumed (at least
 * one).
 */
static size_t gs_free_run(void **p, size_t nr, unsigned long caller)
{
	unsigned long addr = (unsigned long)p[0], start, span, bits;
	unsigned int idx, w;
	struct mspan *s;
	long n = 0;
	size_t k;
	bool tiny;

	if (unlikely(ZERO_OR_NULL_PTR(p[0])))
		return 1;
	s = gs_lookup(addr, &idx, &tiny, "pointer goslab does not own",
		      caller);
	if (unlikely(!s))
		return 1;
	/* kmemleak must hear of each free: one at a time for it. */
	if (tiny || s->spanclass == GS_TINY_SPANCLASS ||
	    !spanclass_sizeclass(s->spanclass) ||
	    IS_ENABLED(CONFIG_DEBUG_KMEMLEAK)) {
		gs_free_found(s, idx, tiny, p[0], caller);
		return 1;
	}
	start = s->startAddr;
	span = s->limit - start;
	w = idx / BITS_PER_LONG;
	bits = BIT(idx % BITS_PER_LONG);
	for (k = 1; k < nr; k++) {
		unsigned long a = (unsigned long)p[k];
		unsigned long m;

		if (a - start >= span)
			break;
		idx = mspan_obj_index(s, a);
		if (a != start + (unsigned long)idx * s->elemsize)
			break;
		m = BIT(idx % BITS_PER_LONG);
		if (idx / BITS_PER_LONG != w) {
			n += gs_free_word(s, w, bits, caller);
			w = idx / BITS_PER_LONG;
			bits = 0;
		} else if (bits & m) {
			break;	/* twice in the run: the next call reports it */
		}
		bits |= m;
	}
	n += gs_free_word(s, w, bits, caller);
	if (n) {
		gs_stats_get()->nfree[s->spanclass] += n;
		gs_stats_put();
		gs_commit_frees(s, n);
	}
	return k;
}

/**
 * goslab_free_bulk - free @nr objects
 * @nr: number of objects
 * @p: the objects; NULL entries are skipped
 *
 * Objects that lie next to each other in @p and share a span are freed
 * together: one span lookup and one count for the run, their free bits
 * set a word at a time.  Every object is checked as goslab_free() checks
 * it.
 */
void goslab_free_bulk(size_t nr, void **p)
{
	size_t i = 0;

	if (gs_debug_on()) {
		for (; i < nr; i++)
			gs_free(p[i], _RET_IP_);
		return;
	}
	while (i < nr)
		i += gs_free_run(p + i, nr - i, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goslab_free_bulk);
