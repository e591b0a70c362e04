// SPDX-License-Identifier: GPL-2.0
/*
 * mfree: goslab_free() and everything that looks an object up by its
 * address: the lookup and its checks, tiny frees, bulk frees, the usable
 * size.  Go has no counterpart (it frees by sweeping); malloc.c's overview
 * walks the free paths (a, b, c) implemented here.
 */
#include <linux/mm.h>
#include <linux/export.h>
#include <linux/kmemleak.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include <goslab.h>
#include "malloc.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "arena.h"
#include "mspan.h"
#include "report.h"
#include "debug.h"
#include "kasan.h"
#include "nmifree.h"
#include "memcg.h"

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void (*mfree_test_hook)(const void *p);
#endif

/*
 * A free that won object @p, before it writes anything into it: the
 * KUnit suites stop a free here to stage a race (badfree_test.c).
 */
static __always_inline void mfree_test_won(const void *p)
{
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
	void (*hook)(const void *p) = READ_ONCE(mfree_test_hook);

	if (unlikely(hook))
		hook(p);
#endif
}

/* What mfree_lookup() found, when it is not a report_reason. */
#define LOOKUP_OBJECT	(-1)	/* a live object: *sp, *idxp */
#define LOOKUP_TINY	(-2)	/* a block of a tiny span with live objects */

/*
 * mfree_lookup - resolve @p to its span and object index
 * @p: the pointer
 * @fast: for the fast path: any tiny span is left to the full path
 * @sp: set to the span when there is one
 * @idxp: set to the object's index
 *
 * Every check a free makes, in the order the reports rely on, once for
 * the fast and the full paths (the compiler specialises it for each).
 * Return: LOOKUP_OBJECT, LOOKUP_TINY, or the report_reason for @p.
 */
static __always_inline int mfree_lookup(unsigned long p, bool fast,
					struct mspan **sp, unsigned int *idxp)
{
	struct mspan *s = span_of(p);	/* NULL for NULL, ZERO_SIZE_PTR */
	unsigned int idx;

	if (unlikely(!s))
		return REPORT_NOT_OWNED;
	if (unlikely(!span_holds(s, p)))
		return REPORT_FREE_MEMORY;
	idx = mspan_obj_index(s, p);
	*sp = s;
	*idxp = idx;
	if (READ_ONCE(s->spanclass) == GS_TINY_SPANCLASS) {
		if (fast)
			return REPORT_TINY_NOT_ALLOCATED;
		/*
		 * Start bits: a tiny block, with live objects or a held
		 * block's sentinel; mfree_tiny() decides under the block's
		 * lock.  None: a 16-byte object, or a block nobody may free
		 * as one (free, or claimed: being freed, being handed out).
		 */
		if (READ_ONCE(s->tinyrefs[idx]))
			return LOOKUP_TINY;
	}
	if (unlikely(p != mspan_obj_addr(s, idx)))
		return REPORT_MIDDLE;
	if (unlikely(!mspan_is_live(s, idx)))
		return REPORT_NOT_ALLOCATED;
	/* Being freed; the fast path leaves it to the LIFO (mspan_claim()). */
	if (!fast && unlikely(mspan_claimed(s, idx)))
		return REPORT_NOT_ALLOCATED;
	return LOOKUP_OBJECT;
}

static noinline void free_slow(const void *p, unsigned long caller);
static noinline void free_checked(struct mspan *s, unsigned int idx,
				  const void *p, unsigned long caller);

/* What free_fast() leaves goslab_free() to do. */
enum free_rest {
	FREE_DONE,		/* pushed on the owner's LIFO */
	FREE_FOUND,		/* a live object, not the owner's: @s, @idx */
	FREE_FULL,		/* anything else: the full path, reports too */
};

/*
 * goslab_free()'s common case, with nothing to call: a live object of a
 * small class, in the span this context's mcache holds, no hook on
 * (malloc_hooks_off(), and no init_on_free).  mfree_lookup() checks what
 * the full path checks, and the object goes on the span's LIFO.  A leaf:
 * goslab_free() then saves few registers, which TCG (QEMU without KVM)
 * pays for in memory operations.  Nothing is changed unless it returns
 * FREE_DONE; FREE_FOUND hands the checked object on.
 */
static __always_inline enum free_rest free_fast(unsigned long addr,
						struct mspan **sp,
						unsigned int *idxp)
{
	struct mspan *s;
	struct mcache *c;
	unsigned long pc;
	unsigned int idx, spc;

	if (!malloc_hooks_off() || want_init_on_free())
		return FREE_FULL;
	if (unlikely(mfree_lookup(addr, true, &s, &idx) != LOOKUP_OBJECT))
		return FREE_FULL;
	*sp = s;
	*idxp = idx;
	/* NMI: the lookup only read; mfree_free() defers it (nmifree.c). */
	pc = preempt_count();
	if (unlikely(pc & NMI_MASK))
		return FREE_FULL;
	spc = READ_ONCE(s->spanclass);
	preempt_disable();
	c = mcache_for(pc);
	/* Large spans are never cached: only emptymspan has their class. */
	if (c->alloc[spc] != s) {
		preempt_enable();
		return FREE_FOUND;
	}
	c->stats.nfree[spc]++;
	mspan_push_local(s, (void *)addr, idx);
	preempt_enable();
	return FREE_DONE;
}

/* Each fast path in a text section of its own (malloc.h). */
__section(".text.hot.goslab_free") __aligned(GS_FAST_PATH_ALIGN)
void goslab_free(const void *p);

/**
 * goslab_free - free memory from goslab_alloc() and friends
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * O(1), from any CPU and any context kfree() may be called in; from NMI
 * it is deferred until the NMI is over (nmifree.c).  An accounted object
 * goslab handed to kmalloc (memcg.c) is kfree()d.  A
 * pointer that is not an allocated goslab object is reported (address,
 * reason, a warning once and the bad_frees counter) and ignored.
 */
void goslab_free(const void *p)
{
	struct mspan *s;
	unsigned int idx;

	switch (free_fast((unsigned long)p, &s, &idx)) {
	case FREE_DONE:
		return;
	case FREE_FOUND:
		free_checked(s, idx, p, _RET_IP_);
		return;
	default:
		free_slow(p, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(goslab_free);

/*
 * Report what mfree_lookup() found wrong with @p.  A pointer no span
 * covers may still be in pages goslab owns outside every span: a freed
 * large object.
 */
static noinline void mfree_report(unsigned long p, int why,
				  enum report_reason not_owned,
				  unsigned long caller)
{
	struct heap_arena *a;

	if (why == REPORT_NOT_OWNED) {
		a = arena_of(p);
		why = a && test_bit(arena_page(p), a->owned) ?
		      REPORT_FREE_MEMORY : not_owned;
	}
	report_bad((void *)p, why, caller);
}

/*
 * The full lookup: mfree_lookup() plus the report.  Return: the span, or
 * NULL after a report; *tiny says @p is in a tiny block.
 */
static struct mspan *mfree_find(unsigned long p, unsigned int *idxp,
				bool *tiny, enum report_reason not_owned,
				unsigned long caller)
{
	struct mspan *s = NULL;
	int found = mfree_lookup(p, false, &s, idxp);

	*tiny = found == LOOKUP_TINY;
	if (found == LOOKUP_OBJECT || found == LOOKUP_TINY)
		return s;
	mfree_report(p, found, not_owned, caller);
	return NULL;
}

/*
 * Free a tiny object of @s (the tiny span class) at @p, whose block has
 * start bits, cleared first with @zero (goslab_free_sensitive()).  The
 * block goes back to its span when its last object is freed and no
 * mcache packs into it any more.
 *
 * Every tiny free holds the block's lock (tiny_block_lock()) from the
 * liveness check to the exchange of the start bits, whether or not it
 * writes into the object (kmemleak, init_on_free, goslab_free_sensitive():
 * a free that does not must not win the object from under one that
 * does).  The start bit is the claim of a tiny object, but it cannot be
 * taken before the wipe as a small object's claim is (mspan_claim()):
 * with the bit gone the block's last other object may be freed and the
 * block handed out while the wipe is still writing.  So the wipe happens
 * first, with the start bit still set (the block stays out of reach),
 * and the lock keeps a racing free of the same object from wiping at
 * the same time: it finds the bit clear and writes nothing.  Under the
 * lock the held state is settled (the release changes it under the lock
 * too) and the owner's packing changes only the sentinel and what is
 * past it: the object's extent can only grow meanwhile, never into bytes
 * the mcache hands out, which lie past the sentinel.
 */
static void mfree_tiny(struct mspan *s, unsigned long p, unsigned long caller,
		       bool zero)
{
	unsigned long block = p & ~(GS_TINY_SIZE - 1UL);
	raw_spinlock_t *lock = tiny_block_lock(block);
	unsigned int off = p - block;
	u16 *ref = tiny_ref(s, block);
	struct mcache_stats *st;
	unsigned long flags;
	unsigned int size;
	bool held;
	u16 old, new;

	raw_spin_lock_irqsave(lock, flags);
	/*
	 * Not a live tiny object (double free, a pointer inside one, a held
	 * block's sentinel): reported before kmemleak hears of it and before
	 * init_on_free would clear a neighbour's bytes.
	 */
	old = tiny_read(s, block, &held);
	size = tiny_size(old, held, off);
	if (unlikely(!size))
		goto bad;
	mfree_test_won((void *)p);
	kmemleak_free((void *)p);
	if (zero)
		memzero_explicit((void *)p, size);
	else if (want_init_on_free())
		memset((void *)p, 0, size);
	/* Against the owner's packing, which leaves this bit alone. */
	do {
		new = old & ~TINY_START(off);
	} while (!try_cmpxchg(ref, &old, new));
	raw_spin_unlock_irqrestore(lock, flags);
	/*
	 * The block's last object (a held block keeps its sentinel): until
	 * its free bit is set, the block looks like a live 16-byte object
	 * of the tiny span class, which a racing free of the same object
	 * (at offset 0) would free as one.  Its claim (mspan_claim()) makes
	 * that free lose, as it makes a free that came first win the block:
	 * then this one is reported.
	 */
	if (!new && !mspan_claim(s, (void *)p, tiny_block_index(s, block),
				 caller))
		return;
	st = mcache_stats_get();
	st->tiny_frees++;
	if (!new)
		st->nfree[GS_TINY_SPANCLASS]++;
	mcache_stats_put();
	if (!new) {
		gs_kasan_free((void *)block, GS_TINY_SIZE);
		mcentral_free_object(s, block, tiny_block_index(s, block),
				     caller);
	}
	return;
bad:
	raw_spin_unlock_irqrestore(lock, flags);
	report_bad((void *)p, REPORT_TINY_NOT_ALLOCATED, caller);
}

/*
 * What a free writes into object @idx of @s at @p: kmemleak forgets it,
 * goslab_free_sensitive() (@zero) clears it, debug mode checks its red
 * zone and poisons it, or init_on_free wipes it; under KASAN all of it
 * is addressable for that, then none.
 */
static __always_inline void mfree_wipe(struct mspan *s, unsigned int idx,
				       const void *p, unsigned long caller,
				       bool debug, bool zero)
{
	kmemleak_free(p);
	gs_kasan_unpoison(p, s->elemsize);
	if (zero)
		memzero_explicit((void *)p, s->elemsize);
	if (debug && gs_debug_free(s, idx, (void *)p, caller))
		;	/* poisoned: nothing of the old contents is left */
	else if (want_init_on_free())
		memset((void *)p, 0, s->elemsize);
	gs_kasan_free(p, s->elemsize);
}

/*
 * A large object: its span goes back to the heap, or is parked.  Bit 0
 * is claimed first: of two frees racing for the object only the one
 * that set it writes into it (the other is reported and writes nothing),
 * and nothing can reuse the span before mheap_free() or the park.
 */
static void mfree_large(struct mspan *s, const void *p, unsigned long caller,
			bool debug, bool zero)
{
	struct mcache_stats *st;

	if (!mspan_set_free_bit(s, p, 0, caller))
		return;
	mfree_test_won(p);
	mfree_wipe(s, 0, p, caller, debug, zero);
	st = mcache_stats_get();
	st->large_frees++;
	st->large_bytes -= s->elemsize;
	mcache_stats_put();
	if (s->npages > GS_LARGE_PARK_PAGES || debug || !mcache_park_large(s))
		mheap_free(s);
}

/*
 * The free of @p, found by mfree_find() as object @idx of @s, with debug
 * mode as the call read it (gs_debug_read()); with @zero the object is
 * cleared once the free has claimed it (goslab_free_sensitive()).
 */
static __always_inline void mfree_found(struct mspan *s, unsigned int idx,
					bool tiny, const void *p,
					unsigned long caller, bool debug,
					bool zero)
{
	unsigned long addr = (unsigned long)p;
	struct mcache *c;
	bool own;

	if (tiny) {
		mfree_tiny(s, addr, caller, zero);
		return;
	}
	if (unlikely(!spanclass_sizeclass(s->spanclass))) {
		mfree_large(s, p, caller, debug, zero);
		return;
	}
	/* Claim first, then wipe (mspan_claim()). */
	if (!mspan_claim(s, p, idx, caller))
		return;
	mfree_test_won(p);
	mfree_wipe(s, idx, p, caller, debug, zero);
	preempt_disable();
	c = mcache_this();
	c->stats.nfree[s->spanclass]++;
	/*
	 * The owner's own free: onto the span's local LIFO, no atomics.  The
	 * next allocation of this class takes it back while it is hot.  Not
	 * under init_on_free: the LIFO's link would be written into the wiped
	 * object and reach its next owner where init_on_alloc is off (SLUB
	 * wipes its free pointer at allocation for the same reason); the
	 * free bit carries no data.
	 */
	own = c->alloc[s->spanclass] == s;
	if (likely(own && !debug && !want_init_on_free() &&
		   s->spanclass != GS_TINY_SPANCLASS)) {
		mspan_push_local(s, (void *)p, idx);
		/*
		 * On the LIFO, which only this context pops, and not before
		 * preemption is back on: the claim can end now.
		 */
		clear_bit(idx, s->claim_bits);
	} else if (!own) {
		mcache_free_remote(c, s, addr, idx, caller);
	} else {
		mcentral_free_object(s, addr, idx, caller);
	}
	preempt_enable();
}

/*
 * mfree_free(), clearing the object first with @zero, once the free has
 * claimed it (mfree_free_sensitive()).
 */
static void mfree_free_zero(const void *p, unsigned long caller, bool debug,
			    bool zero)
{
	struct mspan *s;
	unsigned int idx;
	bool tiny;

	/* Handed to kmalloc (memcg.c): kfree() emits the event. */
	if (unlikely(!span_of((unsigned long)p)) && memcg_free(p))
		return;
	/* As kfree(): the event for every call, NULL included. */
	trace_kfree(caller, p);
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	s = mfree_find((unsigned long)p, &idx, &tiny, REPORT_NOT_OWNED,
		       caller);
	if (likely(s))
		mfree_found(s, idx, tiny, p, caller, debug, zero);
}

/**
 * mfree_free - goslab_free() for @caller, the API call a report names
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 * @caller: the return address reports print
 * @debug: debug mode, as the API call read it once (gs_debug_read())
 */
void mfree_free(const void *p, unsigned long caller, bool debug)
{
	if (unlikely(in_nmi())) {
		if (!ZERO_OR_NULL_PTR(p))
			nmifree_defer(p, caller, NMIFREE_FREE);
		return;
	}
	mfree_free_zero(p, caller, debug, false);
}

/**
 * mfree_check - is @p a live object?  If not, report it as a free would
 * @p: the pointer
 * @caller: the return address reports print
 *
 * For frees that happen later (rcufree.c): the report names the caller
 * while it is still known.
 * Return: true for a live object, a tiny one's own start included.
 */
bool mfree_check(const void *p, unsigned long caller)
{
	struct mspan *s;
	unsigned int idx;
	bool tiny;

	s = mfree_find((unsigned long)p, &idx, &tiny, REPORT_NOT_OWNED, caller);
	if (!s)
		return false;
	if (tiny && !tiny_object_size(s, (unsigned long)p)) {
		report_bad(p, REPORT_TINY_NOT_ALLOCATED, caller);
		return false;
	}
	return true;
}

/* Everything else goslab_free() may be asked to do, reports included. */
static noinline void free_slow(const void *p, unsigned long caller)
{
	mfree_free(p, caller, gs_debug_read());
}

/*
 * A checked object that is not the owner's (remote, large).
 * free_fast() found every hook off: that read of debug mode is the call's.
 */
static noinline void free_checked(struct mspan *s, unsigned int idx,
				  const void *p, unsigned long caller)
{
	mfree_found(s, idx, false, p, caller, false, false);
}

/*
 * The size lookup of @p: its usable size, and in *@data the bytes that
 * hold data (all of them, unless debug mode knows the request).  With
 * @give, debug mode gives the slot to the caller (no red zone past the
 * request any more), as SLUB's __ksize() gives up the kmalloc red zone.
 * Return: the usable size, or 0 after a report; *@tiny for a tiny object.
 */
static size_t usable_size(const void *p, unsigned long caller, size_t *data,
			  bool debug, bool give, bool *tiny)
{
	unsigned long addr = (unsigned long)p;
	struct mspan *s;
	unsigned int idx;
	size_t size;

	*tiny = false;
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	if (unlikely(!span_of(addr))) {
		size = memcg_usable_size(p);
		if (size) {
			if (data)
				*data = size;
			return size;
		}
	}
	s = mfree_find(addr, &idx, tiny, REPORT_USABLE_NOT_OWNED, caller);
	if (!s)
		return 0;
	if (*tiny) {
		/* Without the lock: a stale pair errs safely (mspan.h). */
		size = tiny_object_size(s, addr);
		if (!size) {
			report_bad(p, REPORT_TINY_NOT_ALLOCATED, caller);
			return 0;
		}
		if (data)
			*data = size;
		return size;
	}
	if (data)
		*data = debug ? gs_debug_size(s, idx) : s->elemsize;
	if (debug && give)
		gs_debug_usable(s, idx);
	return s->elemsize;
}

/**
 * mfree_usable_size - goslab_realloc()'s size lookup
 * @p: the object
 * @caller: the return address reports print
 * @data: set to how many bytes hold data: all of them, unless debug
 *	mode knows the request
 * @debug: debug mode, as the call read it
 * @tiny: set for a tiny object, whose usable size may be 16 (mspan.h)
 *
 * Nothing about the object changes: realloc keeps its red zone.
 * Return: the usable size, or 0 after a report.
 */
size_t mfree_usable_size(const void *p, unsigned long caller, size_t *data,
			 bool debug, bool *tiny)
{
	return usable_size(p, caller, data, debug, false, tiny);
}

/**
 * goslab_usable_size - bytes usable at @p
 * @p: an object from goslab; NULL and ZERO_SIZE_PTR give 0
 *
 * ksize()'s contract since 6.2: the size class's size for small objects,
 * whole pages for large ones, the bytes up to the next object for tiny
 * ones; under KASAN only the bytes asked for stay addressable (a caller
 * that wants the rest asks goslab_size_roundup() before allocating).
 * Debug mode gives up the object's red zone, as SLUB's does.  A pointer
 * that is not an allocated object is reported and gives 0.
 */
size_t goslab_usable_size(const void *p)
{
	bool tiny;

	return usable_size(p, _RET_IP_, NULL, gs_debug_read(), true, &tiny);
}
EXPORT_SYMBOL_GPL(goslab_usable_size);

/**
 * mfree_free_sensitive - goslab_free_sensitive() for @caller
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 * @caller: the return address reports print
 */
void mfree_free_sensitive(const void *p, unsigned long caller)
{
	bool debug, tiny;
	size_t size;

	/* The size lookup writes debug mode's and KASAN's state: deferred. */
	if (unlikely(in_nmi())) {
		if (!ZERO_OR_NULL_PTR(p))
			nmifree_defer(p, caller, NMIFREE_SENSITIVE);
		return;
	}
	debug = gs_debug_read();
	size = usable_size(p, caller, NULL, debug, true, &tiny);
	if (!size)
		return;
	/* kmalloc's object (memcg.c): cleared here, kfree()d by the free. */
	if (unlikely(!span_of((unsigned long)p))) {
		memzero_explicit((void *)p, size);
		mfree_free_zero(p, caller, debug, false);
		return;
	}
	/*
	 * goslab's: cleared by the free once it has claimed the object, as
	 * every write of a free (mspan_claim()), with the whole slot
	 * addressable under KASAN (mfree_wipe(); a tiny block is
	 * addressable whole while its objects live).
	 */
	mfree_free_zero(p, caller, debug, true);
}

/**
 * goslab_free_sensitive - clear an object, then free it
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * The whole usable size is cleared with memzero_explicit(), which the
 * compiler may not drop; under KASAN the slot is made addressable for it
 * first, as kfree_sensitive() does.  A pointer that is not an allocated
 * object is reported once, by the size lookup, and nothing is written or
 * freed.
 */
void goslab_free_sensitive(const void *p)
{
	mfree_free_sensitive(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goslab_free_sensitive);

/*
 * Free the objects @bits of word @w of @s: report those that are not
 * live, claim the rest (mspan_claim(), a word at a time; those another
 * free claimed first are reported), clear them as goslab_free() would,
 * set their free bits in one atomic operation.  Return: how many were
 * freed.
 */
static long free_word(struct mspan *s, unsigned int w, unsigned long bits,
		      unsigned long caller)
{
	unsigned long bad = bits & ~mspan_live_word(s, w), b;
	unsigned long base = mspan_obj_addr(s, w * BITS_PER_LONG);

	bits &= ~bad;
	for (b = bad; b; b &= b - 1)
		report_bad((void *)(base + __ffs(b) * s->elemsize),
			   REPORT_NOT_ALLOCATED, caller);
	bad = atomic_long_fetch_or(bits, (atomic_long_t *)&s->claim_bits[w]) & bits;
	bits &= ~bad;
	for (b = bad; b; b &= b - 1)
		report_bad((void *)(base + __ffs(b) * s->elemsize),
			   REPORT_DOUBLE_FREE, caller);
	for (b = bits; b && (want_init_on_free() || gs_kasan_on()); b &= b - 1) {
		void *obj = (void *)(base + __ffs(b) * s->elemsize);

		gs_kasan_unpoison(obj, s->elemsize);
		if (want_init_on_free())
			memset(obj, 0, s->elemsize);
		gs_kasan_free(obj, s->elemsize);
	}
	bad = atomic_long_fetch_or(bits, (atomic_long_t *)&s->free_bits[w]) & bits;
	/* Lost a race with a concurrent free of the same object. */
	for (b = bad; b; b &= b - 1)
		report_bad((void *)(base + __ffs(b) * s->elemsize),
			   REPORT_DOUBLE_FREE, caller);
	return hweight64(bits & ~bad);
}

/*
 * Free the run of p[0..nr) that lies in one small span: one lookup, the
 * objects checked and their free bits set a word at a time, one count
 * for the whole run (mcentral_commit_frees()).  The run ends at the first
 * object of another span or the middle of an object, which the next call
 * then reports.  Return: how many entries of @p were consumed (at least
 * one).
 */
static size_t free_run(void **p, size_t nr, unsigned long caller)
{
	unsigned long addr = (unsigned long)p[0], start, span, bits;
	unsigned int idx, w;
	struct mspan *s;
	long n = 0;
	size_t k;
	bool tiny;

	if (unlikely(ZERO_OR_NULL_PTR(p[0])))
		return 1;
	if (unlikely(!span_of(addr)) && memcg_free(p[0]))
		return 1;
	s = mfree_find(addr, &idx, &tiny, REPORT_NOT_OWNED, caller);
	if (unlikely(!s))
		return 1;
	/* kmemleak must hear of each free: one at a time for it. */
	if (tiny || s->spanclass == GS_TINY_SPANCLASS ||
	    !spanclass_sizeclass(s->spanclass) ||
	    IS_ENABLED(CONFIG_DEBUG_KMEMLEAK)) {
		mfree_found(s, idx, tiny, p[0], caller, false, false);
		return 1;
	}
	start = s->start_addr;
	span = s->limit - start;
	w = idx / BITS_PER_LONG;
	bits = BIT(idx % BITS_PER_LONG);
	for (k = 1; k < nr; k++) {
		unsigned long a = (unsigned long)p[k];
		unsigned long m;

		if (a - start >= span)
			break;
		idx = mspan_obj_index(s, a);
		if (a != mspan_obj_addr(s, idx))
			break;
		m = BIT(idx % BITS_PER_LONG);
		if (idx / BITS_PER_LONG != w) {
			n += free_word(s, w, bits, caller);
			w = idx / BITS_PER_LONG;
			bits = 0;
		} else if (bits & m) {
			break;	/* twice in the run: the next call reports it */
		}
		bits |= m;
	}
	n += free_word(s, w, bits, caller);
	if (n) {
		mcache_stats_get()->nfree[s->spanclass] += n;
		mcache_stats_put();
		mcentral_commit_frees(s, n);
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
	bool debug = gs_debug_read();
	size_t i = 0;

	/*
	 * Debug mode and kmem:kfree want every object on its own; so does
	 * NMI context, where mfree_free() defers each one.
	 */
	if (debug || trace_kfree_enabled() || in_nmi()) {
		for (; i < nr; i++)
			mfree_free(p[i], _RET_IP_, debug);
		return;
	}
	while (i < nr)
		i += free_run(p + i, nr - i, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goslab_free_bulk);

/*
 * Is @p a live object (a tiny one's own start included)?  Silent; on
 * true, *@sp, *@idxp and *@tiny say where, as mfree_find() does.
 */
static bool mfree_live(unsigned long p, struct mspan **sp,
		       unsigned int *idxp, bool *tiny)
{
	switch (mfree_lookup(p, false, sp, idxp)) {
	case LOOKUP_OBJECT:
		*tiny = false;
		return true;
	case LOOKUP_TINY:
		*tiny = true;
		/* Racy (mspan.h); a free found here decides under the lock. */
		return tiny_object_size(*sp, p) > 0;
	default:
		return false;
	}
}

/**
 * goslab_owns - is @p a live goslab object?
 * @p: any pointer
 *
 * mfree_lookup()'s checks without a report, or an accounted object
 * goslab handed to kmalloc.
 * Return: true if goslab_free(@p) would free an object.
 */
bool goslab_owns(const void *p)
{
	struct mspan *s;
	unsigned int idx;
	bool tiny;

	return mfree_live((unsigned long)p, &s, &idx, &tiny) || memcg_owns(p);
}
EXPORT_SYMBOL_GPL(goslab_owns);

/* Is @p in pages goslab's heap owns, spans or free pages alike? */
static bool mfree_in_heap(unsigned long p)
{
	struct heap_arena *a = arena_of(p);

	return a && test_bit(arena_page(p), a->owned);
}

/**
 * goslab_holds - is @p goslab's to free or to report?
 * @p: any pointer
 *
 * goslab_owns(), or any pointer into the heap's pages (include/goslab.h).
 * Return: true if @p must go to goslab.
 */
bool goslab_holds(const void *p)
{
	return goslab_owns(p) || mfree_in_heap((unsigned long)p);
}
EXPORT_SYMBOL_GPL(goslab_holds);

/**
 * goslab_kfree - free a pointer from kmalloc, kvmalloc, vmalloc or goslab
 * @p: the pointer; NULL and ZERO_SIZE_PTR do nothing
 *
 * A live goslab object is freed as goslab_free() frees it, found by one
 * lookup, an accounted one goslab handed to kmalloc too; another pointer
 * into goslab's heap (a double free, the inside of an object) is
 * goslab_free()'s to report; anything else goes to kvfree().
 */
void goslab_kfree(const void *p)
{
	struct mspan *s;
	unsigned int idx;
	bool tiny;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	if (!mfree_live((unsigned long)p, &s, &idx, &tiny)) {
		if (memcg_free(p))
			return;
		/*
		 * kvfree() of goslab's memory would give its page to SLUB's
		 * large-kmalloc free, and on to the page allocator.
		 */
		if (mfree_in_heap((unsigned long)p))
			free_slow(p, _RET_IP_);
		else
			kvfree(p);
		return;
	}
	/* The lookup only reads: what it found is freed after the NMI. */
	if (unlikely(in_nmi())) {
		nmifree_defer(p, _RET_IP_, NMIFREE_FREE);
		return;
	}
	trace_kfree(_RET_IP_, p);
	mfree_found(s, idx, tiny, p, _RET_IP_, gs_debug_read(), false);
}
EXPORT_SYMBOL_GPL(goslab_kfree);
