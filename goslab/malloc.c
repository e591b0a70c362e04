// SPDX-License-Identifier: GPL-2.0
/*
 * goslab: Go's memory allocator for the Linux kernel.
 *
 * This file is goslab's malloc.go: the allocation API and the paths every
 * allocation takes; mfree.c has the frees.  The design is Go's
 * (runtime/malloc.go, mcache.go, mcentral.go, mheap.go); what differs, and
 * why, is in Documentation/design.rst.  Every other file of goslab/ opens
 * with its role and points here.
 *
 * Layers, each a file, data flowing down; no file calls or includes one
 * above it (scripts/layers.py checks the objects in make check):
 *
 *   malloc.c, mfree.c	the API, fast paths, tiny, large, bulk, realloc
 *   nmifree.c, rcufree.c	frees deferred from NMI, frees after RCU
 *   mcache.c		per CPU and context: one span per span class, the
 *			tiny block, a parked large span, the remote-free batch
 *   mcentral.c		per span class and node: partial, full and empty spans
 *   mheap.c		per node: arenas, spans carved from page bitmaps
 *   leaves		mspan.h/mbitmap.c (a span's bits and liveness),
 *			arena.c (span_of()), mpagealloc.c, fixalloc.c,
 *			sizeclasses.c, mem.c (the page allocator), report.c,
 *			debug.c, kasan.c
 *   observers		reclaim.c (shrinker, flush), debugfs.c, module.c
 *
 * Object sizes: 0 is ZERO_SIZE_PTR, as kmalloc; tiny (noscan, under 16
 * bytes) objects are packed into 16-byte blocks; small ones (up to 32 KiB)
 * use Go's 67 size classes; large ones get a span of whole pages.
 *
 * An allocation of a small object (goslab_alloc()):
 *
 *  1. alloc_fast(), while no hook is on (malloc_hooks_off(): no KASAN,
 *     kmemleak, debug mode or kmem event): this context's mcache (task,
 *     softirq or hardirq, so that no interrupt masking is needed) holds
 *     one span per span class (size class << 1 | noscan).
 *     mspan_alloc_local() pops the owner's LIFO, the objects this context
 *     freed to the span, most recent first (one whose free bit is set too
 *     was freed by another CPU at the same moment: reported, not handed
 *     out);
 *  2. else next_free_fast(): the lowest set bit of the span's alloc_cache,
 *     the inverted alloc_bits from free_index on;
 *  3. else mcache_next_free() (mcache.c): next_free_index() scans
 *     alloc_bits a word at a time, refill_alloc_cache() at each 64-object
 *     boundary;
 *  4. else the span is used up: refill() merges frees other CPUs made to
 *     it (mspan_sweep(), as Go's sweep merges mark bits) and keeps it, or
 *     hands it back and takes another (mcentral_cache_span()); while the
 *     class is in little use (mcentral_shares()) it caches none, and the
 *     object comes from the central list, whose spans all CPUs share;
 *  5. the central list gives a partial or kept empty span, or grows: a
 *     new span from mheap_alloc(), which carves pages from an arena's page
 *     bitmap, or mheap_grow() takes a block from the buddy allocator
 *     (mem.c, which counts every page in the node's slab counter).  Where
 *     the caller may sleep but goslab holds preemption off, the heap says
 *     -EAGAIN and grow_retry() grows with preemption on, then the
 *     allocation starts again.  A span of one object of a power of two
 *     pages is carved at a multiple of its size (kmalloc's alignment);
 *  6. post_alloc_hook(): KASAN, zeroing, debug mode, kmemleak; then the
 *     kmem:kmalloc event.
 *
 * Every small class is cached per CPU, the mid ones (over 4 KiB,
 * spanclass_mid()) too, with what they may pin bounded in mcentral.c.  A
 * large object takes this CPU's parked span of its size
 * (mcache_take_large()) or a span of its own from the heap.
 *
 * A free (goslab_free(), mfree.c) emits kmem:kfree, finds the span with
 * span_of() (the arena table), checks that the pointer is a live object
 * (mfree_lookup(), or a report through report.c), then:
 *
 *  a. the owner's free: the span is this context's cached span: the
 *     object goes on the span's LIFO (mspan_push_local()), no atomics
 *     (not in debug mode or under init_on_free, whose wiped object must
 *     not carry the LIFO's link: those take c);
 *  b. a remote free: its bit is set in free_bits at once, the count is
 *     batched in this context's mcache while frees hit the same span
 *     (mcache_free_remote()) and committed to the span's freestate later;
 *  c. a central free (tiny blocks, the cases of a): the bit
 *     and the count at once (mcentral_free_object()).  A commit is one
 *     cmpxchg while the span is cached or stays partial; a span that
 *     leaves the full list or empties takes the central lock
 *     (mcentral_commit_frees()), and an empty span goes back to the heap.
 *
 * Before b, c, or a outside the fast path, the free claims the object
 * (mspan_claim(); a large one its bit 0, a tiny one its block's lock)
 * and only then writes into it: of two frees racing for one object the
 * loser is reported and writes nothing.
 *
 * A free in NMI context changes nothing: nmifree.c records the pointer
 * and an irq_work takes it through a-c once the NMI is over.  RCU frees
 * (rcufree.c) wait in per-CPU blocks for a grace period, then go through
 * goslab_free_bulk().
 *
 * Large objects go back to the heap, or are parked on this CPU.  Free
 * pages go back to the buddy allocator page by page (as aligned blocks
 * where they can, mem_heap_free()): a large object's at
 * once past the scavenger's target, the rest within a second by the
 * background scavenger (scavenge.c), and under memory pressure by the
 * shrinker; once a second the idle pass (reclaim.c) takes back what the
 * caches keep for classes nobody used for a second.
 *
 * Living with the kernel (leaves of their own): an accounted request
 * (__GFP_ACCOUNT, while memory cgroups charge kernel memory) leaves the
 * fast path on the zone mask's test and is kmalloc's, which charges it
 * (memcg.c); the free paths look a pointer no span covers up in memcg.c's
 * table.  Hardened usercopy's check is hooked to bound copies by goslab's
 * objects (usercopy.c).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/kmemleak.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include <goslab.h>
#include "malloc.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "mspan.h"
#include "mem.h"
#include "report.h"
#include "debug.h"
#include "kasan.h"
#include "memcg.h"

/* Out of line, under the fast path below. */
static noinline void *alloc_refill(size_t size, gfp_t flags,
				   unsigned int spc);
static noinline void *malloc_slow(size_t size, gfp_t flags, bool noscan,
				  unsigned long caller);
static void *malloc_debug(size_t size, gfp_t flags, bool noscan, int node,
			  unsigned long caller, bool debug);

/*
 * goslab_alloc()'s common case: a small class, not tiny, no hook on
 * (malloc_hooks_off()) and no zone modifier, an object on this context's
 * span's LIFO or in its alloc_cache.  Every way out is a return or a tail
 * call (memset() returns the object, alloc_refill() gets a span,
 * malloc_slow() does it all), so that it saves few registers, which TCG
 * (QEMU without KVM) pays for in memory operations.  Its zeroing is
 * post_alloc_hook() with every hook off.
 */
static __always_inline void *alloc_fast(size_t size, gfp_t flags,
					bool noscan)
{
	unsigned long pc, v;
	unsigned int sc, spc;
	struct mcache *c;
	struct mspan *s;
	bool fresh, needzero;

	might_alloc(flags);
	if (!malloc_hooks_off())
		goto slow;
	/* An accounted request is memcg.c's: one mask for both. */
	if (unlikely(size - 1 >= GOSLAB_MAX_SMALL_SIZE ||
		     (noscan && size < GS_TINY_SIZE) ||
		     (flags & (GS_GFP_ZONES | __GFP_ACCOUNT))))
		goto slow;
	pc = preempt_count();
	if (unlikely(pc & NMI_MASK))
		goto slow;
	sc = goslab_size_to_class(size);
	spc = make_spanclass(sc, noscan);
	preempt_disable();
	c = mcache_for(pc);
	s = c->alloc[spc];
	v = mspan_alloc_local(s, &fresh, true);
	if (unlikely(!v)) {
		/* A LIFO left means a bad link, for the full path to report. */
		if (s->localhead) {
			preempt_enable();
			goto slow;
		}
		preempt_enable();
		return alloc_refill(size, flags, spc);
	}
	c->stats.nmalloc[spc]++;
	needzero = !fresh || s->needzero;
	preempt_enable();
	if (want_init_on_alloc(flags) && needzero)
		return memset((void *)v, 0, class_to_size[sc]);
	return (void *)v;
slow:
	return malloc_slow(size, flags, noscan, _RET_IP_);
}

/* Each fast path in a text section of its own (malloc.h). */
__section(".text.hot.goslab_alloc") __aligned(GS_FAST_PATH_ALIGN)
void *goslab_alloc(size_t size, gfp_t flags);
__section(".text.hot.goslab_alloc_noscan") __aligned(GS_FAST_PATH_ALIGN)
void *goslab_alloc_noscan(size_t size, gfp_t flags);

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
	return alloc_fast(size, flags, false);
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
	return alloc_fast(size, flags, true);
}
EXPORT_SYMBOL_GPL(goslab_alloc_noscan);

/**
 * post_alloc_hook - what every object goes through on its way out
 * @p: the object
 * @size: bytes asked for
 * @slot: its slot (the class size, a large span's pages), or 0 for a
 *	tiny object, which shares its block's granules and zeroing
 * @flags: the allocation's flags
 * @needzero: the slot may hold old data
 * @noscan: Go's noscan: kmemleak need not scan it
 * @debug: debug mode, as the allocation read it once (gs_debug_read())
 *
 * Under KASAN the whole slot is addressable first, for the zeroing and
 * debug mode's checks, then trimmed to the request.  Debug mode zeroes
 * itself, after it checked the poison.  It never sees a tiny object: the
 * tiny path is taken only when the same read said debug mode is off, so
 * a switch in the middle of the call cannot hand a tiny object (whose
 * slot is its neighbours') to its records and red zones, nor leave an
 * object both unzeroed and unchecked.  The fast paths run only when no
 * hook is on (malloc_hooks_off()): what they do here is only the zeroing.
 * Return: @p.
 */
static __always_inline void *post_alloc_hook(void *p, size_t size,
					     size_t slot, gfp_t flags,
					     bool needzero, bool noscan,
					     bool debug)
{
	if (gs_kasan_on() && slot)
		gs_kasan_unpoison(p, slot);
	if (debug)
		gs_debug_alloc(p, size, flags);
	else if (want_init_on_alloc(flags) && needzero)
		memset(p, 0, slot);
	if (gs_kasan_on() && slot)
		gs_kasan_alloc(p, size, slot);
	kmemleak_alloc(p, size, 1, flags);
	if (noscan)
		kmemleak_no_scan(p);
	return p;
}

/* Grow the local heap where we may sleep, for a refill that said -EAGAIN. */
static bool grow_retry(unsigned int spc, gfp_t flags)
{
	unsigned int sc = spanclass_sizeclass(spc);

	return !mheap_ensure(mheap_of(numa_mem_id()), class_to_allocnpages[sc],
			     spc, flags);
}

/*
 * The small-object slow path: another node's mcentral, or next_free
 * (refill, grow where @flags allow sleeping).  Out of line, so that the
 * fast path takes no local's address.
 */
static noinline void *alloc_small_slow(size_t size, unsigned int spc,
				       gfp_t flags, int node, bool debug)
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
		mcache_stats_get()->nmalloc[spc]++;
		mcache_stats_put();
		goto out;
	}
	for (;;) {
		struct mcache *c;

		preempt_disable();
		c = mcache_this();
		v = mcache_next_free(c, spc, flags, &s, &err);
		if (likely(v)) {
			c->stats.nmalloc[spc]++;
			needzero = READ_ONCE(s->needzero);
		}
		preempt_enable();
		if (v)
			break;
		if (err != -EAGAIN || !grow_retry(spc, flags))
			return NULL;
	}
out:
	return post_alloc_hook((void *)v, size, class_to_size[sc], flags,
			       needzero, spanclass_noscan(spc), debug);
}

/*
 * The small-object path: the span's local LIFO or next_free_fast, else
 * the slow path.  Preemption is off while the mcache is used; interrupts
 * stay on (see struct mcache).
 */
static __always_inline void *alloc_small(size_t size, gfp_t flags,
					 bool noscan, int node, bool debug)
{
	unsigned int sc = goslab_size_to_class(size);
	unsigned int spc = make_spanclass(sc, noscan);
	struct mcache *c;
	struct mspan *s;
	unsigned long v;
	bool fresh, needzero;

	if (unlikely(node != NUMA_NO_NODE))
		return alloc_small_slow(size, spc, flags, node, debug);
	preempt_disable();
	c = mcache_this();
	s = c->alloc[spc];
	v = mspan_alloc_local(s, &fresh, false);
	if (unlikely(!v)) {
		preempt_enable();
		return alloc_small_slow(size, spc, flags, node, debug);
	}
	c->stats.nmalloc[spc]++;
	needzero = !fresh || s->needzero;
	preempt_enable();
	return post_alloc_hook((void *)v, size, class_to_size[sc], flags,
			       needzero, noscan, debug);
}

/*
 * Pack an object at @off, ending at @end (under 16), into a held block
 * whose sentinel is at @sentinel: the object's start bit and the new
 * sentinel at its end, the old one cleared, in one exchange, since frees
 * of the block's other objects change its bits meanwhile.  The old
 * sentinel's bit stays when the object starts there.
 */
static void tiny_pack(u16 *ref, unsigned int sentinel, unsigned int off,
		      unsigned int end)
{
	u16 old = READ_ONCE(*ref), new;

	do {
		new = (old & ~TINY_START(sentinel)) | TINY_START(off) |
		      TINY_START(end);
	} while (!try_cmpxchg(ref, &old, new));
}

/*
 * Go's tiny allocator, with start bits so that explicit free works
 * (mspan.h).  A pack that fills the block to 16 leaves no room for the
 * sentinel, nor for another object: the block is released with it.
 */
static void *alloc_tiny(size_t size, gfp_t flags)
{
	struct mcache *c;
	struct mspan *s, *olds = NULL;
	unsigned long v, old = 0;
	unsigned int off, oldoff = 0;
	int err = 0;

retry:
	preempt_disable();
	c = mcache_this();
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
		if (off + size < GS_TINY_SIZE) {
			tiny_pack(tiny_ref(c->tinyspan, c->tiny), c->tinyoffset,
				  off, off + size);
			c->tinyoffset = off + size;
		} else {
			mcache_release_tiny(c->tinyspan, c->tiny,
					    c->tinyoffset, TINY_START(off));
			c->tiny = 0;
			c->tinyspan = NULL;
			c->tinyoffset = 0;
		}
		c->stats.tiny_allocs++;
		preempt_enable();
		goto out;
	}
	s = c->alloc[GS_TINY_SPANCLASS];
	v = next_free_fast(s);
	if (!v)
		v = mcache_next_free(c, GS_TINY_SPANCLASS, flags, &s, &err);
	if (!v) {
		preempt_enable();
		if (err == -EAGAIN && grow_retry(GS_TINY_SPANCLASS, flags))
			goto retry;
		return NULL;
	}
	c->stats.nmalloc[GS_TINY_SPANCLASS]++;
	c->stats.tiny_allocs++;
	/* Under KASAN a block is addressable whole while it is in use. */
	gs_kasan_unpoison((void *)v, GS_TINY_SIZE);
	memset((void *)v, 0, GS_TINY_SIZE);
	/*
	 * Keep the block with more room left, as Go does.  A kept block is
	 * held: its claim, then its starts with the sentinel at @size
	 * (mspan.h).  No free can hold the claim of a block being handed
	 * out: the sweep that made it reusable ended its last claim.
	 */
	if (size < c->tinyoffset || !c->tiny) {
		old = c->tiny;
		olds = c->tinyspan;
		oldoff = c->tinyoffset;
		c->tiny = v;
		c->tinyspan = s;
		c->tinyoffset = size;
		set_bit(tiny_block_index(s, v), s->claim_bits);
		/* Pairs with the smp_rmb() in tiny_read(). */
		smp_mb__after_atomic();
		WRITE_ONCE(*tiny_ref(s, v), TINY_START(0) | TINY_START(size));
	} else {
		WRITE_ONCE(*tiny_ref(s, v), TINY_START(0));
	}
	if (old)
		mcache_release_tiny(olds, old, oldoff, 0);
	preempt_enable();
out:
	return post_alloc_hook((void *)v, size, 0, flags, false, true, false);
}

static void *alloc_large(size_t size, gfp_t flags, bool noscan, int node,
			 bool debug)
{
	struct mcache_stats *st;
	unsigned int npages;
	struct mspan *s;

	if (node == NUMA_NO_NODE)
		node = numa_mem_id();
	/* Before the page count: it would wrap or truncate for huge sizes. */
	if (unlikely(size > GOSLAB_MAX_SIZE)) {
		report_too_large(size, flags);
		return NULL;
	}
	npages = DIV_ROUND_UP(size, GOSLAB_PAGE_SIZE);
	s = npages <= GS_LARGE_PARK_PAGES && !debug ?
	    mcache_take_large(npages, node) : NULL;
	if (s) {
		/* Parked since its free: in use all along, now its object. */
		s->spanclass = make_spanclass(0, noscan);
		s->needzero = 1;
		clear_bit(0, s->free_bits);
	} else {
		s = mheap_alloc(mheap_of(node), npages,
				make_spanclass(0, noscan), flags,
				mheap_how(flags));
		if (IS_ERR(s))
			return NULL;
		/* One object, handed out: Go's large spans look the same. */
		s->free_index = 1;
		s->alloc_count = 1;
		s->alloc_cache = 0;
	}
	st = mcache_stats_get();
	st->large_allocs++;
	st->large_bytes += s->elemsize;
	mcache_stats_put();
	return post_alloc_hook((void *)s->start_addr, size, s->elemsize, flags,
			       s->needzero, noscan, debug);
}

/*
 * A zone modifier in @flags.  kmalloc() serves __GFP_DMA from caches of
 * its own; goslab has no heap in the DMA zone, and memory from another
 * zone would fail the caller's device silently: refused, with a warning.
 * __GFP_DMA32 and __GFP_HIGHMEM are bugs for kmalloc() too, which warns
 * and drops them; goslab does the same (its memory is in the linear map
 * anyway).  Return: false when the allocation must fail.
 */
static __always_inline bool alloc_zone_fixup(gfp_t *flags)
{
	if (likely(!(*flags & GS_GFP_ZONES)))
		return true;
	report_zone(*flags);
	if (*flags & __GFP_DMA)
		return false;
	*flags &= ~GS_GFP_ZONES;
	return true;
}

/*
 * malloc_any() after its might_alloc(), which the fast path has done.
 * @caller is the call site the kmem:kmalloc event names; @debug is debug
 * mode as the API call read it, once (gs_debug_read()): every decision
 * of the call follows that one read.
 */
static __always_inline void *__malloc_any(size_t size, gfp_t flags,
					  bool noscan, int node,
					  unsigned long caller, bool debug)
{
	bool tiny;
	void *p;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	/* NMI code may interrupt the hardirq mcache: not a context we serve. */
	if (WARN_ON_ONCE(in_nmi()))
		return NULL;
	if (!alloc_zone_fixup(&flags))
		return NULL;
	/* kmalloc emits the events and warns on failure itself. */
	if (memcg_handoff(flags)) {
		if (unlikely(size > GOSLAB_MAX_SIZE)) {
			report_too_large(size, flags);
			return NULL;
		}
		return memcg_alloc(size, flags, node);
	}
	tiny = noscan && size < GS_TINY_SIZE && node == NUMA_NO_NODE && !debug;
	if (size > GOSLAB_MAX_SMALL_SIZE)
		p = alloc_large(size, flags, noscan, node, debug);
	else if (tiny)
		p = alloc_tiny(size, flags);
	else
		p = alloc_small(size, flags, noscan, node, debug);
	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		report_alloc_failed(size, flags);
	/*
	 * A tiny object takes its own bytes of a shared block.  The size
	 * lookup only while the event is on: trace_kmalloc()'s arguments are
	 * computed before its static key is tested.
	 */
	if (trace_kmalloc_enabled())
		trace_kmalloc(caller, p, size,
			      tiny ? size : goslab_size_roundup(size), flags,
			      node);
	return p;
}

/* Every allocation: Go's mallocgc, debug mode as the caller read it. */
static void *malloc_debug(size_t size, gfp_t flags, bool noscan, int node,
			  unsigned long caller, bool debug)
{
	might_alloc(flags);
	return __malloc_any(size, flags, noscan, node, caller, debug);
}

/* An allocation that reads debug mode now, once. */
static __always_inline void *malloc_any(size_t size, gfp_t flags,
					bool noscan, int node,
					unsigned long caller)
{
	return malloc_debug(size, flags, noscan, node, caller,
			    gs_debug_read());
}

/*
 * alloc_fast()'s refill: the checks are done, and its read found no hook
 * on, debug mode included.
 */
static noinline void *alloc_refill(size_t size, gfp_t flags,
				   unsigned int spc)
{
	void *p = alloc_small_slow(size, spc, flags, NUMA_NO_NODE, false);

	if (unlikely(!p) && !(flags & __GFP_NOWARN))
		report_alloc_failed(size, flags);
	return p;
}

/*
 * malloc_any() out of line, under the fast path.  The fast path's read
 * only chose this path (nothing it did depends on it): the read here is
 * the one the allocation follows.
 */
static noinline void *malloc_slow(size_t size, gfp_t flags, bool noscan,
				  unsigned long caller)
{
	return __malloc_any(size, flags, noscan, NUMA_NO_NODE, caller,
			    gs_debug_read());
}

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
	return malloc_any(size, flags, false, node, _RET_IP_);
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
 * goslab_realloc - resize an object, keeping its contents
 * @p: the object, or NULL to allocate
 * @new_size: bytes; 0 frees @p and gives ZERO_SIZE_PTR
 * @flags: GFP flags as for goslab_alloc()
 *
 * Returns @p itself when @new_size still fits; then, as krealloc()
 * does, with __GFP_ZERO or init_on_alloc the bytes from @new_size to the
 * usable size are cleared.  In debug mode the red zone moves to
 * @new_size instead (krealloc() of 6.12 loses SLUB's).  The new object
 * keeps @p's scan/noscan kind.  On failure @p is left untouched.
 * Return: the object, or NULL on failure (or if @p is not goslab's).
 */
void *goslab_realloc(const void *p, size_t new_size, gfp_t flags)
{
	bool debug = gs_debug_read(), noscan, tiny;
	struct mspan *s;
	size_t old, data;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return malloc_debug(new_size, flags, false, NUMA_NO_NODE,
				    _RET_IP_, debug);
	/* Reports name our caller, not goslab_realloc(). */
	if (!new_size) {
		mfree_free(p, _RET_IP_, debug);
		return ZERO_SIZE_PTR;
	}
	old = mfree_usable_size(p, _RET_IP_, &data, debug, &tiny);
	if (!old)
		return NULL;
	/*
	 * Under KASAN only the bytes asked for are addressable: the whole
	 * slot for the clearing, the red zone and the copy (p is freed
	 * after it).  Not a tiny object, whose block is addressable whole
	 * (its usable size, its extent, may reach 16: mspan.h).
	 */
	/* No span: an accounted object goslab handed to kmalloc. */
	s = span_of((unsigned long)p);
	if (new_size <= old) {
		if (gs_kasan_on() && !tiny)
			gs_kasan_unpoison(p, old);
		/*
		 * As krealloc(): with __GFP_ZERO or init_on_alloc the spare
		 * bytes are cleared, so a later grow in place hands out
		 * zeroes; debug mode does it, and keeps its red zone.
		 */
		if (!(debug && !tiny &&
		      gs_debug_realloc((void *)p, new_size, flags)) &&
		    want_init_on_alloc(flags))
			memset((u8 *)p + new_size, 0, old - new_size);
		/*
		 * As kasan_krealloc(): addressable up to the new size.  Not a
		 * tiny object: it shares its granules.
		 */
		if (gs_kasan_on() && s && !tiny)
			gs_kasan_alloc(p, new_size, old);
		return (void *)p;
	}
	noscan = s && spanclass_noscan(s->spanclass);
	n = malloc_debug(new_size, flags, noscan, NUMA_NO_NODE, _RET_IP_,
			 debug);
	if (!n)
		return NULL;
	if (gs_kasan_on() && !tiny)
		gs_kasan_unpoison(p, old);
	/* Not debug mode's red zone: with __GFP_ZERO the rest stays zero. */
	memcpy(n, p, data);
	mfree_free(p, _RET_IP_, debug);
	return n;
}
EXPORT_SYMBOL_GPL(goslab_realloc);

/*
 * Zero the objects of p[0..nr) tagged in bit 0 and clear the tags;
 * neighbours in a span (next_free_batch() hands them out in address
 * order) take one memset() per run.
 */
static void bulk_zero_runs(void **p, size_t nr, size_t slot)
{
	unsigned long run = 0, run_end = 0;
	size_t k;

	for (k = 0; k < nr; k++) {
		unsigned long a = (unsigned long)p[k];

		if (!(a & 1))
			continue;
		a &= ~1UL;
		p[k] = (void *)a;
		if (a != run_end) {
			if (run_end > run)
				memset((void *)run, 0, run_end - run);
			run = a;
		}
		run_end = a + slot;
	}
	if (run_end > run)
		memset((void *)run, 0, run_end - run);
}

/*
 * Bulk allocation of small objects from the CPU's span: the local LIFO,
 * then whole alloc_cache words at a time (next_free_batch()), then
 * next_free for the refill.  Preemption is off throughout; objects that
 * need zeroing are tagged in bit 0 meanwhile.  Then each object goes
 * through post_alloc_hook(), except when no hook is on
 * (malloc_hooks_off()): the hook would only zero, and adjacent objects
 * are zeroed with one memset() per run instead.  Return: how many.
 */
static size_t alloc_bulk_small(size_t size, gfp_t flags, size_t nr,
			       void **p, bool debug)
{
	unsigned int sc = goslab_size_to_class(size);
	unsigned int spc = make_spanclass(sc, false);
	unsigned long zero = want_init_on_alloc(flags);
	struct mcache *c;
	size_t i = 0, k;
	int err = 0;

	preempt_disable();
	c = mcache_this();
	while (i < nr) {
		struct mspan *s = c->alloc[spc];
		unsigned long v;
		bool fresh;

		while (s->localhead && i < nr) {
			v = mspan_alloc_local(s, &fresh, false);
			if (!v)
				break;
			p[i++] = (void *)(v | zero);
		}
		i += next_free_batch(s, p + i, min_t(size_t, nr - i, UINT_MAX),
				     zero & s->needzero);
		if (i == nr)
			break;
		v = mcache_next_free(c, spc, flags, &s, &err);
		if (!v)
			break;
		p[i++] = (void *)(v | (zero & READ_ONCE(s->needzero)));
	}
	c->stats.nmalloc[spc] += i;
	preempt_enable();
	if (!debug && malloc_other_hooks_off()) {
		if (zero)
			bulk_zero_runs(p, i, class_to_size[sc]);
		return i;
	}
	for (k = 0; k < i; k++) {
		unsigned long a = (unsigned long)p[k];

		p[k] = post_alloc_hook((void *)(a & ~1UL), size,
				       class_to_size[sc], flags, a & 1, false,
				       debug);
	}
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
size_t goslab_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p)
{
	bool debug = gs_debug_read();
	size_t i = 0;

	might_alloc(flags);
	if (!alloc_zone_fixup(&flags))
		return 0;
	/* An accounted request goes to kmalloc object by object. */
	if (size >= GS_TINY_SIZE && size <= GOSLAB_MAX_SMALL_SIZE &&
	    !debug && !memcg_handoff(flags) && !WARN_ON_ONCE(in_nmi()))
		i = alloc_bulk_small(size, flags, nr, p, debug);
	if (trace_kmalloc_enabled()) {
		size_t k;

		for (k = 0; k < i; k++)
			trace_kmalloc(_RET_IP_, p[k], size,
				      goslab_size_roundup(size), flags,
				      NUMA_NO_NODE);
	}
	for (; i < nr; i++) {
		p[i] = malloc_debug(size, flags, false, NUMA_NO_NODE, _RET_IP_,
				    debug);
		if (!p[i]) {
			goslab_free_bulk(i, p);
			return 0;
		}
	}
	return nr;
}
EXPORT_SYMBOL_GPL(goslab_alloc_bulk);
