/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mspan: a run of goslab pages holding objects of one span class, and
 * every question about the liveness of its objects (runtime/mheap.go's
 * mspan, mbitmap.go's bits).  A leaf: the functions here and in
 * mbitmap.c use nothing but other leaves.  malloc.c's overview walks the
 * paths that use them.
 */
#ifndef _GOSLAB_MSPAN_H
#define _GOSLAB_MSPAN_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/math.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/spinlock.h>

#include "sizeclasses.h"
#include "report.h"
#include "kasan.h"

/* Span class: size class << 1 | noscan, exactly as Go packs it. */
static inline u8 make_spanclass(unsigned int sizeclass, bool noscan)
{
	return (u8)((sizeclass << 1) | noscan);
}

static inline unsigned int spanclass_sizeclass(unsigned int spc)
{
	return spc >> 1;
}

static inline bool spanclass_noscan(unsigned int spc)
{
	return spc & 1;
}

/*
 * The mid classes, over 4 KiB (4864 to 32768 bytes, 1 to 10 pages a span
 * of 1 to 9 objects), are cached per CPU like the small ones: an
 * alloc+free pair of them takes no shared lock, as SLUB's per-CPU slab
 * serves kmalloc-8k.  What a cached span could pin is bounded apart:
 * a class's first span on a node holds one object in the fewest pages
 * (mcentral_grow_npages()), its next spans have Go's size; the class
 * keeps no empty span (mcentral_keep_empty()); and the idle pass
 * (mcache_trim_idle()) takes back a cached span whose class had no
 * allocation for a whole period.  See Documentation/design.rst.
 */
#define GS_MID_MIN_SIZE		4096

static inline bool spanclass_mid(unsigned int spc)
{
	return class_to_size[spanclass_sizeclass(spc)] > GS_MID_MIN_SIZE;
}

/* Go's tinySpanClass: the 16-byte noscan class feeds the tiny allocator. */
#define GS_TINY_SIZE		16
#define GS_TINY_SIZECLASS	2
#define GS_TINY_SPANCLASS	((GS_TINY_SIZECLASS << 1) | 1)

enum mspan_state {
	MSPAN_DEAD = 0,		/* free pages, or the struct is unused */
	MSPAN_INUSE,		/* objects are handed out of it */
};

/* Where an uncached in-use span sits in its mcentral. */
enum mspan_list {
	MSPAN_LIST_NONE = 0,	/* cached by an mcache or being set up */
	MSPAN_LIST_PARTIAL,
	MSPAN_LIST_FULL,
	MSPAN_LIST_EMPTY,	/* nothing live, kept for the next refill */
};

#define GS_ALLOCBITS_WORDS	(GOSLAB_MAX_OBJS_PER_SPAN / 64)

/*
 * freestate packs "an mcache owns this span" (bit 0), "uncached, on its
 * mcentral's partial list" (bit 1), a generation that changes each time
 * the span is put on the partial list (bits 2-31), and the count of
 * frees not yet merged into alloc_bits (bits 32-63).  One word lets a
 * remote free commit lock-free while the span is cached, or while it is
 * partial and the free leaves it neither empty nor in need of another
 * list (mcentral_commit_frees()); the generation makes sure such a free
 * judged the span by the alloc_count of the placement it commits against.
 * The count may dip below zero for a moment while a free is in flight;
 * the low bits survive that in two's complement.
 */
#define MSPAN_CACHED		1L	/* bit 0 */
#define MSPAN_PARTIAL		2L	/* bit 1 */
#define MSPAN_GEN_ONE		(MSPAN_PARTIAL << 1)
#define MSPAN_GEN_MASK		0xfffffffcL
#define MSPAN_FREE_SHIFT	32
#define MSPAN_FREE_ONE		((long)BIT(MSPAN_FREE_SHIFT))	/* one pending free */

/* Frees counted in freestate @v and not yet merged. */
static inline long mspan_pending(long v)
{
	return v >> MSPAN_FREE_SHIFT;
}

struct heap_arena;
struct gs_objdebug;

/**
 * struct mspan - a run of goslab pages holding objects of one span class
 *
 * Field names are Go's, in kernel spelling.  alloc_bits has Go's meaning:
 * a set bit is an object allocated at the last sweep; objects below
 * free_index are allocated whatever their bit says.  free_bits collects
 * explicit frees from any CPU until the owner merges them, the way Go's
 * sweep merges gcmarkBits.  claim_bits names the objects a free has won
 * and not yet published in free_bits or local_bits (mspan_claim()).
 */
struct mspan {
	struct list_head list;		/* mcentral partial/full list */
	unsigned long start_addr;
	unsigned long limit;		/* end of the last object */
	unsigned int npages;		/* goslab pages */
	unsigned int nelems;
	unsigned int elemsize;
	unsigned int divmagic;
	unsigned int free_index;
	unsigned int alloc_count;
	u64 alloc_cache;		/* ~alloc_bits from free_index on */
	atomic_long_t freestate;
	u8 spanclass;			/* size class << 1 | noscan */
	u8 state;			/* enum mspan_state */
	u8 where;			/* enum mspan_list */
	u8 needzero;
	int node;
	struct heap_arena *arena;	/* NULL for a huge span */
	u16 *tinyrefs;			/* tiny blocks' start bits */
	struct gs_objdebug *debug;	/* per-object records, debug mode */
	unsigned int localhead;		/* owner's LIFO: top index + 1, 0 empty */
	unsigned long *alloc_bits;
	unsigned long *free_bits;
	unsigned long *local_bits;	/* objects on the owner's LIFO */
	unsigned long *claim_bits;	/* frees that won, not yet reusable */
	/*
	 * The four bitmaps, as many words each as nelems needs: one word
	 * for every class of 128 bytes and up, so most spans carry 32 bytes
	 * of bitmaps rather than Go's fixed-size side arrays.
	 */
	unsigned long bits[];
};

static inline unsigned int mspan_bitmap_words(unsigned int nelems)
{
	return DIV_ROUND_UP(nelems, BITS_PER_LONG);
}

/* Point the four bitmaps into @s->bits, @words words each. */
static inline void mspan_layout_bits(struct mspan *s, unsigned int words)
{
	s->alloc_bits = s->bits;
	s->free_bits = s->bits + words;
	s->local_bits = s->bits + 2 * words;
	s->claim_bits = s->bits + 3 * words;
}

static inline size_t mspan_struct_size(unsigned int words)
{
	return sizeof(struct mspan) + 4 * words * sizeof(unsigned long);
}

/*
 * Objects of an uncached span that are handed out and not freed: counted
 * allocations less the frees not yet merged, read from freestate @v.
 * Racy: lock-free committers read alloc_count while a sweep or an owner
 * may be storing it, and their cmpxchg of freestate then fails; so every
 * store of alloc_count is a WRITE_ONCE().  The ordering that makes a
 * freestate and the alloc_count read after it belong together is in
 * mcentral_commit_frees().
 */
static inline long mspan_live_count(const struct mspan *s, long v)
{
	return (long)READ_ONCE(s->alloc_count) - mspan_pending(v);
}

/* mbitmap.c: Go's free-index scanning, sweep and drain. */
void mspan_init_bits(struct mspan *s);
void refill_alloc_cache(struct mspan *s, unsigned int which_byte);
unsigned int next_free_index(struct mspan *s);
unsigned int next_free_batch(struct mspan *s, void **p, unsigned int n,
			     unsigned long tag);
unsigned int mspan_sweep(struct mspan *s);
unsigned int mspan_count_alloc(const struct mspan *s);
void mspan_drain_local(struct mspan *s);
unsigned long mspan_bad_link(struct mspan *s, unsigned long v,
			     unsigned long caller);

/**
 * mspan_is_free - Go's isFree: is object @idx unallocated?
 * @s: the span
 * @idx: object index below nelems
 *
 * Objects below free_index were handed out since the last sweep whatever
 * alloc_bits says.  Called racily by remote frees: the answer is exact for
 * any object the caller legitimately owns.
 */
static __always_inline bool mspan_is_free(const struct mspan *s,
					  unsigned int idx)
{
	if (idx < READ_ONCE(s->free_index))
		return false;
	/* Pairs with the smp_wmb() in mspan_sweep(). */
	smp_rmb();
	return !(READ_ONCE(s->alloc_bits[idx / BITS_PER_LONG]) &
		 BIT(idx % BITS_PER_LONG));
}

/*
 * Is object @idx handed out and not freed?  Go's isFree plus the two
 * places a free waits: free_bits (remote) and local_bits (the owner's
 * LIFO).  Whole words, not bit instructions on memory.  A free that won
 * it and is still wiping it holds its claim (mspan_claimed()).
 *
 * A free on another CPU reads the owner's local_bits while the owner
 * changes other bits of the word (its stores are WRITE_ONCE()): the bit
 * of an object the caller legitimately holds cannot change meanwhile,
 * and for one it does not hold, the racing double free is caught later
 * (mspan_alloc_local(), mspan_drain_local()).
 */
static __always_inline bool mspan_is_live(const struct mspan *s,
					  unsigned int idx)
{
	unsigned int w = idx / BITS_PER_LONG;
	unsigned long m = BIT(idx % BITS_PER_LONG);

	if ((READ_ONCE(s->free_bits[w]) | READ_ONCE(s->local_bits[w])) & m)
		return false;
	return !mspan_is_free(s, idx);
}

/* Has a free claimed object @idx (mspan_claim()) and not published it? */
static __always_inline bool mspan_claimed(const struct mspan *s,
					  unsigned int idx)
{
	return READ_ONCE(s->claim_bits[idx / BITS_PER_LONG]) &
	       BIT(idx % BITS_PER_LONG);
}

/*
 * Objects of word @w that are handed out, not freed and not claimed:
 * mspan_is_live() and mspan_claimed() a word at a time, for bulk frees.
 */
static __always_inline unsigned long mspan_live_word(const struct mspan *s,
						     unsigned int w)
{
	unsigned int fi = READ_ONCE(s->free_index);
	unsigned long alloc;

	/* Pairs with the smp_wmb() in mspan_sweep(), as mspan_is_free(). */
	smp_rmb();
	alloc = READ_ONCE(s->alloc_bits[w]);
	/* Objects below free_index are handed out whatever alloc_bits says. */
	if (fi >= (w + 1) * BITS_PER_LONG)
		alloc = ~0UL;
	else if (fi > w * BITS_PER_LONG)
		alloc |= BIT(fi - w * BITS_PER_LONG) - 1;
	/* local_bits racily, as in mspan_is_live(). */
	return alloc & ~(READ_ONCE(s->free_bits[w]) |
			 READ_ONCE(s->local_bits[w]) |
			 READ_ONCE(s->claim_bits[w]));
}

/*
 * Set object @idx's bit in @s->free_bits.  Return: false, after a report,
 * if it was set already: a second free that raced with the first.
 */
static __always_inline bool mspan_set_free_bit(struct mspan *s,
					       const void *p, unsigned int idx,
					       unsigned long caller)
{
	if (unlikely(test_and_set_bit(idx, s->free_bits))) {
		report_bad(p, REPORT_DOUBLE_FREE, caller);
		return false;
	}
	return true;
}

/*
 * A free that writes into the object (kmemleak, KASAN, debug mode's
 * records and poison, init_on_free's wipe) claims it first, and writes
 * only once it has: of two frees racing for one object, the one that
 * loses is reported and writes nothing, where the object may already
 * belong to its next owner (the winner's free made it reusable).  The
 * claim is a bit of its own, not the free bit: a set free bit makes the
 * object reusable at the next sweep, before the wipe would be done.  So
 * the winner claims, wipes, then publishes (free bit or the owner's
 * LIFO); the bit is cleared where the object becomes reusable: by the
 * sweep that merges its free bit, or by the owner right after it pushed
 * the object on its LIFO, which no one else pops.  Every free claims but
 * the owner's fast path (free_fast(), every hook off): it writes only
 * the LIFO link, where only the owner can hand the object out, and a
 * claim it raced with is found when the owner pops the object or drains
 * the LIFO (so its lookup does not read the claims either).  A remote
 * free claims even when it writes nothing: its free bit set after the
 * owner freed and reused the object would free the next owner's object.
 * Return: false, after a report, if another free claimed @idx first.
 */
static __always_inline bool mspan_claim(struct mspan *s, const void *p,
					unsigned int idx, unsigned long caller)
{
	if (unlikely(test_and_set_bit(idx, s->claim_bits))) {
		report_bad(p, REPORT_DOUBLE_FREE, caller);
		return false;
	}
	return true;
}

/*
 * next_free_fast - Go's nextFreeFast: the lowest set bit of alloc_cache is
 * the next free object.  It declines (returns 0) at a 64-object boundary
 * so that the slow path refills alloc_cache, and when the span is
 * exhausted.
 */
static __always_inline unsigned long next_free_fast(struct mspan *s)
{
	unsigned int the_bit, result, free_idx;

	if (unlikely(!s->alloc_cache))
		return 0;
	the_bit = __ffs64(s->alloc_cache);
	result = s->free_index + the_bit;
	if (unlikely(result >= s->nelems))
		return 0;
	free_idx = result + 1;
	if (unlikely(free_idx % 64 == 0 && free_idx != s->nelems))
		return 0;
	/* the_bit + 1 may be 64: shift in two steps to stay defined. */
	s->alloc_cache = (s->alloc_cache >> the_bit) >> 1;
	/* Remote frees read both racily: mspan_is_free(), mspan_live_count(). */
	WRITE_ONCE(s->free_index, free_idx);
	WRITE_ONCE(s->alloc_count, s->alloc_count + 1);
	return s->start_addr + (unsigned long)result * s->elemsize;
}

/* Object index by the size class's division magic, never a divide. */
static __always_inline unsigned int
mspan_obj_index(const struct mspan *s, unsigned long p)
{
	return (unsigned int)(((u64)(p - s->start_addr) * s->divmagic) >> 32);
}

/* Address of object @idx. */
static __always_inline unsigned long mspan_obj_addr(const struct mspan *s,
						    unsigned int idx)
{
	return s->start_addr + (unsigned long)idx * s->elemsize;
}

/*
 * The owner's LIFO keeps its link, the next object's index + 1 (0 ends
 * it), in the freed object's first word, which KASAN has poisoned by
 * then (kasan.c): under KASAN the link is read and written out of its
 * sight, as SLUB's free pointer is.
 */
static __always_inline void mspan_set_link(void *p, unsigned int next)
{
	if (gs_kasan_on())
		gs_kasan_set_link(p, next);
	else
		*(unsigned int *)p = next;
}

static __always_inline unsigned int mspan_get_link(const void *p)
{
	if (gs_kasan_on())
		return gs_kasan_get_link(p);
	return *(const unsigned int *)p;
}

/* The owner's free: object @idx at @p goes on top of @s's LIFO. */
static __always_inline void mspan_push_local(struct mspan *s, void *p,
					     unsigned int idx)
{
	mspan_set_link(p, s->localhead);
	s->localhead = idx + 1;
	/*
	 * A word operation: bit instructions on memory are slow.  Marked:
	 * remote frees read the word (mspan_is_live()); only the owner
	 * writes it.
	 */
	WRITE_ONCE(s->local_bits[idx / BITS_PER_LONG],
		   s->local_bits[idx / BITS_PER_LONG] | BIT(idx % BITS_PER_LONG));
}

/*
 * The owner's allocation: the most recently freed object of this span,
 * if it freed one (LIFO, cache-hot), else next_free_fast.  *fresh says
 * the object never left the bitmap, so the span's needzero applies to
 * it.  A bad link is reported and dealt with, or with @bail left alone
 * (0: the caller takes its slow path, which comes here without @bail).
 */
static __always_inline unsigned long mspan_alloc_local(struct mspan *s,
						       bool *fresh, bool bail)
{
	unsigned int top = s->localhead, idx, w, next;
	unsigned long v, m;

	if (top) {
		idx = top - 1;
		w = idx / BITS_PER_LONG;
		m = BIT(idx % BITS_PER_LONG);
		v = mspan_obj_addr(s, idx);
		/*
		 * Links live in freed objects, where a write after free may
		 * change them: hand out only objects on the LIFO, follow
		 * only links that name an object of the span.  (SLUB's
		 * hardened free pointer serves the same end.)
		 */
		next = mspan_get_link((void *)v);
		/*
		 * Its free bit or its claim set too: another CPU freed it at
		 * the same moment as this context did, and may still be
		 * wiping it (mspan_bad_link() reports).
		 */
		if (unlikely(!(s->local_bits[w] & m) ||
			     ((READ_ONCE(s->free_bits[w]) |
			       READ_ONCE(s->claim_bits[w])) & m) ||
			     next > s->nelems)) {
			if (bail)
				return 0;
			/* Bit 0 says fresh: no local's address taken here. */
			v = mspan_bad_link(s, v, _RET_IP_);
			*fresh = v & 1;
			return v & ~1UL;
		}
		s->localhead = next;
		/* A word operation, marked as in mspan_push_local(). */
		WRITE_ONCE(s->local_bits[w], s->local_bits[w] & ~m);
		*fresh = false;
		return v;
	}
	*fresh = true;
	return next_free_fast(s);
}

/*
 * Tiny blocks (Documentation/design.rst, "The tiny allocator with
 * explicit free"): one u16 per 16-byte block of a tiny span, a bit for
 * each offset where a live object starts.  An object's extent runs from
 * its start to the next start bit of the block, or to the block's end:
 * alignment gaps and the bytes of freed successors fall into the extent
 * of the object before them.  They are dead: nothing hands them out
 * again before the whole block goes back, so a free may wipe them and
 * the usable size may count them.
 *
 * A block an mcache packs into is held: the block's claim bit
 * (mspan_claim(); the span's objects are the blocks) is set from the
 * moment the mcache takes the block fresh until it lets it go, and the
 * highest start bit is then a sentinel at the packing offset, so the
 * last object's extent ends where the mcache hands out its next object.
 * The held state and the starts are written in this order, by the owner
 * alone: at the hand-out the claim, then the starts; at the release,
 * under the block's lock (tiny_block_lock()), the claim, then the
 * starts without the sentinel.  A reader that takes the starts first,
 * then the claim (tiny_object_size()), can pair starts that still hold
 * the sentinel with a claim already gone: it takes the sentinel for an
 * object, which only a pointer nothing handed out can ask about, and
 * shortens the last object's extent, which is safe.  It cannot take a
 * real object for the sentinel.  Frees decide under the block's lock,
 * where the claim does not change.
 */
#define TINY_START(off)		((u16)BIT(off))

/* The object index of the tiny block at @block: blocks are 16-byte objects. */
static inline unsigned int tiny_block_index(const struct mspan *s,
					    unsigned long block)
{
	return (block - s->start_addr) / GS_TINY_SIZE;
}

/* The start bits of the tiny block at @block. */
static inline u16 *tiny_ref(const struct mspan *s, unsigned long block)
{
	return &s->tinyrefs[tiny_block_index(s, block)];
}

/* Does an mcache pack into the tiny block at @block (its claim)? */
static inline bool tiny_held(const struct mspan *s, unsigned long block)
{
	return mspan_claimed(s, tiny_block_index(s, block));
}

/* The starts of live objects in start bits @r: the sentinel is not one. */
static inline unsigned int tiny_live_starts(u16 r, bool held)
{
	if (held && r)
		r &= ~TINY_START(__fls(r));
	return r;
}

/* Where the extent of the object starting at @off ends (exclusive). */
static inline unsigned int tiny_extent_end(u16 r, unsigned int off)
{
	unsigned long above = r & ~(BIT(off + 1) - 1);

	return above ? __ffs(above) : GS_TINY_SIZE;
}

/* The extent of the live object at @off, from @r and @held, or 0. */
static inline unsigned int tiny_size(u16 r, bool held, unsigned int off)
{
	if (!(tiny_live_starts(r, held) & TINY_START(off)))
		return 0;
	return tiny_extent_end(r, off) - off;
}

/* Block @block's start bits and its held state, in the order above. */
static inline u16 tiny_read(const struct mspan *s, unsigned long block,
			    bool *held)
{
	u16 r = READ_ONCE(*tiny_ref(s, block));

	/* Pairs with the barriers in alloc_tiny() and mcache_release_tiny(). */
	smp_rmb();
	*held = tiny_held(s, block);
	return r;
}

/*
 * The size of the live tiny object at @p (its extent), read now without
 * the block's lock, or 0 when no live tiny object starts there.  For the
 * lookups that only report (usable size, liveness): a stale pair errs
 * as described above; the free decides again under the lock.
 */
static inline unsigned int tiny_object_size(const struct mspan *s,
					    unsigned long p)
{
	unsigned long block = p & ~(GS_TINY_SIZE - 1UL);
	bool held;
	u16 r = tiny_read(s, block, &held);

	return tiny_size(r, held, p - block);
}

/*
 * The lock of the tiny block at @block, one of these by its address:
 * frees and the mcache's release of a block hold it while they decide
 * on its start bits and its claim (mfree.c, mcache.c).  Never nested;
 * interrupts off, as frees come from any context.
 */
#define TINY_BLOCK_LOCKS	64
extern raw_spinlock_t tiny_block_locks[TINY_BLOCK_LOCKS];

static inline raw_spinlock_t *tiny_block_lock(unsigned long block)
{
	return &tiny_block_locks[hash_long(block / GS_TINY_SIZE,
					   ilog2(TINY_BLOCK_LOCKS))];
}

#endif /* _GOSLAB_MSPAN_H */
