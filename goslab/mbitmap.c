// SPDX-License-Identifier: GPL-2.0
/*
 * The span's allocation bitmap and Go's free-index scanning
 * (runtime/mbitmap.go: nextFreeIndex, refillAllocCache, isFree), plus the
 * sweep that merges explicit frees into alloc_bits the way Go's sweeper
 * merges gcmarkBits.
 *
 * alloc_bits are stored as unsigned longs; on a 64-bit little-endian
 * kernel word k is exactly Go's 8 bytes at which_byte = 8k.  A leaf (see
 * mspan.h); steps 2-4 of malloc.c's overview run here.  The tiny
 * blocks' locks live here, the tiny span's part of those bits.
 */
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "mspan.h"
#include "report.h"

static_assert(BITS_PER_LONG == 64, "goslab's alloc_cache needs 64-bit words");

/* The tiny blocks' locks (tiny_block_lock()): a tiny span's bits too. */
raw_spinlock_t tiny_block_locks[TINY_BLOCK_LOCKS] = {
	[0 ... TINY_BLOCK_LOCKS - 1] =
		__RAW_SPIN_LOCK_UNLOCKED(tiny_block_locks),
};

/**
 * refill_alloc_cache - load alloc_cache from alloc_bits at @which_byte
 * @s: the span
 * @which_byte: byte offset into alloc_bits, a multiple of 8
 *
 * alloc_cache holds the inverted bits so that count-trailing-zeros finds
 * the next free object directly.
 */
void refill_alloc_cache(struct mspan *s, unsigned int which_byte)
{
	s->alloc_cache = ~(u64)s->alloc_bits[which_byte / 8];
}

/**
 * mspan_init_bits - a fresh span: nothing allocated, cache at object 0
 * @s: the span, with nelems set
 */
void mspan_init_bits(struct mspan *s)
{
	/* The four bitmaps are contiguous, free_bits - alloc_bits words each. */
	memset(s->alloc_bits, 0, 4 * (s->free_bits - s->alloc_bits) *
	       sizeof(unsigned long));
	s->localhead = 0;
	s->free_index = 0;
	s->alloc_count = 0;
	refill_alloc_cache(s, 0);
}

/**
 * next_free_index - index of the next free object at or after free_index
 * @s: the span
 *
 * Skips whole words with no free object, reloads alloc_cache at 64-object
 * boundaries and never returns an index past nelems; returns nelems when
 * the span is full.  Advances free_index past the returned object.
 */
unsigned int next_free_index(struct mspan *s)
{
	unsigned int sfree_index = s->free_index;
	unsigned int snelems = s->nelems;
	unsigned int bit_index, result;
	u64 a_cache;

	if (sfree_index == snelems)
		return sfree_index;
	if (WARN_ON_ONCE(sfree_index > snelems))
		return snelems;

	a_cache = s->alloc_cache;
	bit_index = a_cache ? __ffs64(a_cache) : 64;
	while (bit_index == 64) {
		/* Move to the start of the next cached word. */
		sfree_index = (sfree_index + 64) & ~63U;
		if (sfree_index >= snelems) {
			WRITE_ONCE(s->free_index, snelems);
			return snelems;
		}
		refill_alloc_cache(s, sfree_index / 8);
		a_cache = s->alloc_cache;
		bit_index = a_cache ? __ffs64(a_cache) : 64;
	}
	result = sfree_index + bit_index;
	if (result >= snelems) {
		WRITE_ONCE(s->free_index, snelems);
		return snelems;
	}
	s->alloc_cache = (a_cache >> bit_index) >> 1;
	sfree_index = result + 1;
	/*
	 * Every set bit of alloc_cache up to here was shifted away: at a
	 * word boundary load the next word so alloc_cache matches free_index.
	 */
	if (sfree_index % 64 == 0 && sfree_index != snelems)
		refill_alloc_cache(s, sfree_index / 8);
	/* Remote frees read it racily (mspan_is_free()). */
	WRITE_ONCE(s->free_index, sfree_index);
	return result;
}

/**
 * next_free_batch - up to @n free objects of @s at once, for bulk allocation
 * @s: the span
 * @p: receives the objects' addresses, each ORed with @tag
 * @n: how many are wanted
 * @tag: low bits the caller wants on every address (objects are 8-aligned)
 *
 * next_free_fast and next_free_index in one loop: count trailing zeros over
 * alloc_cache, whole allocated words skipped, alloc_cache reloaded at each
 * 64-object boundary, and free_index, alloc_cache and alloc_count written
 * once at the end, in the state next_free_index would leave them in.
 *
 * Return: how many objects were taken; fewer than @n only when the span
 * is exhausted.
 */
unsigned int next_free_batch(struct mspan *s, void **p, unsigned int n,
			     unsigned long tag)
{
	unsigned long base = s->start_addr | tag, size = s->elemsize;
	unsigned int idx = s->free_index, nelems = s->nelems, k = 0;
	unsigned int w = idx / 64, last = 0;
	/* This word's free objects from free_index on, at their bit places. */
	u64 free = s->alloc_cache << (idx % 64);

	if (idx >= nelems)
		return 0;
	while (k < n) {
		/* Objects of this word below nelems: bits past it read free. */
		unsigned int lim = min(nelems - w * 64, 64U);

		/* Clear the lowest set bit each time: no shift chain. */
		while (free && k < n) {
			last = __ffs64(free);
			if (last >= lim)
				goto exhausted;
			p[k++] = (void *)(base + (unsigned long)(w * 64 + last) * size);
			free &= free - 1;
		}
		if (free) {
			/* Stopped inside the word: keep the rest cached. */
			idx = w * 64 + last + 1;
			goto out;
		}
		/* The word is used up: on to the next, as next_free_index. */
		idx = ++w * 64;
		if (idx >= nelems)
			goto exhausted;
		free = ~(u64)s->alloc_bits[w];
	}
out:
	/* Both read racily by remote frees, as in next_free_fast(). */
	WRITE_ONCE(s->free_index, idx);
	s->alloc_cache = free >> (idx % 64);
	WRITE_ONCE(s->alloc_count, s->alloc_count + k);
	return k;
exhausted:
	WRITE_ONCE(s->free_index, nelems);
	s->alloc_cache = 0;
	WRITE_ONCE(s->alloc_count, s->alloc_count + k);
	return k;
}

/* Mask of the objects of word @k below @limit (objects 64k..64k+63). */
static unsigned long below_mask(unsigned int k, unsigned int limit)
{
	unsigned int lo = k * 64;

	if (limit <= lo)
		return 0;
	if (limit >= lo + 64)
		return ~0UL;
	return (1UL << (limit - lo)) - 1;
}

/**
 * mspan_count_alloc - objects allocated at the last sweep or since
 * @s: the span
 */
unsigned int mspan_count_alloc(const struct mspan *s)
{
	unsigned int k, n = 0, words = DIV_ROUND_UP(s->nelems, 64);

	for (k = 0; k < words; k++)
		n += hweight64((s->alloc_bits[k] | below_mask(k, s->free_index)) &
			       below_mask(k, s->nelems));
	return n;
}

/**
 * mspan_sweep - merge the explicit frees into alloc_bits
 * @s: a span its caller owns (cached, or taken off every list)
 *
 * Like Go's sweep: the objects still allocated become alloc_bits,
 * free_index goes back to 0 and alloc_cache is reloaded.  Frees that land
 * while this runs either make it into this word's exchange or stay in
 * free_bits for the next sweep.
 *
 * Return: the number of frees merged.
 */
unsigned int mspan_sweep(struct mspan *s)
{
	unsigned int k, merged = 0, count = 0;
	unsigned int words = DIV_ROUND_UP(s->nelems, 64);

	for (k = 0; k < words; k++) {
		unsigned long live = s->alloc_bits[k] | below_mask(k, s->free_index);
		unsigned long freed = 0;

		if (READ_ONCE(s->free_bits[k])) {
			freed = xchg(&s->free_bits[k], 0);
			/*
			 * Reusable from here on: their claims end (mspan_claim()),
			 * before anyone can hand them out and free them again.
			 */
			atomic_long_andnot(freed, (atomic_long_t *)&s->claim_bits[k]);
		}
		live &= ~freed & below_mask(k, s->nelems);
		merged += hweight64(freed);
		count += hweight64(live);
		WRITE_ONCE(s->alloc_bits[k], live);
	}
	/* A racing isFree() that sees free_index 0 must see the new bits. */
	smp_wmb();
	WRITE_ONCE(s->free_index, 0);
	/* Read racily by lock-free committers: mspan_live_count(). */
	WRITE_ONCE(s->alloc_count, count);
	refill_alloc_cache(s, 0);
	if (merged) {
		/*
		 * Reused objects hold old data: Go sets needzero here too.
		 * mcentral_alloc_one() reads it after dropping the lock.
		 */
		WRITE_ONCE(s->needzero, 1);
		/*
		 * Release: the new alloc_count before the lower pending
		 * count.  mcentral_alloc() sweeps a span that stays on the
		 * partial list, open to lock-free commits, and a committer
		 * judges it by alloc_count less the pending frees.  The new
		 * pending count with the old, higher alloc_count would make
		 * a last free look like one that leaves objects live: it
		 * would commit without the lock, and the empty span would
		 * stay on the partial list, where release and the shrinker
		 * never find it.  Old pending with the new count errs the
		 * safe way (the committer takes the lock).  A plain
		 * atomic_long_sub() orders nothing on a weakly ordered CPU;
		 * x86 keeps stores in order, so only KCSAN's model or such a
		 * CPU would show it.  Pairs with the smp_rmb() in
		 * mcentral_commit_frees().
		 */
		atomic_long_fetch_sub_release(merged * MSPAN_FREE_ONE,
					      &s->freestate);
	}
	return merged;
}

/**
 * mspan_drain_local - turn the owner's local frees into ordinary frees
 * @s: a span the caller's mcache caches
 *
 * Before an mcache lets a span go, the objects its context freed into
 * the span's private LIFO become pending frees in free_bits, counted in
 * freestate, as if they had come from another CPU.  local_bits names them
 * all, so the links in the objects are not followed: one a write after
 * free changed cannot lose or invent a free.  An object whose free bit
 * is set already was freed by another CPU at the same moment as by the
 * owner: that free took effect and was counted, this one is reported.
 * So is one another CPU's free claimed (mspan_claim()): that free may
 * still be wiping it, and publishes it itself.  The drain claims the
 * others first, so that such a free coming later loses and writes
 * nothing into an object the sweep after the drain may hand out.
 */
void mspan_drain_local(struct mspan *s)
{
	unsigned int w, words = mspan_bitmap_words(s->nelems);
	unsigned long n = 0;

	for (w = 0; w < words; w++) {
		unsigned long b = s->local_bits[w], dup;

		if (!b)
			continue;
		/* Remote frees read it racily (mspan_is_live()). */
		WRITE_ONCE(s->local_bits[w], 0);
		dup = atomic_long_fetch_or(b, (atomic_long_t *)&s->claim_bits[w]) & b;
		dup |= atomic_long_fetch_or(b & ~dup,
					    (atomic_long_t *)&s->free_bits[w]) & b;
		n += hweight_long(b & ~dup);
		for (; dup; dup &= dup - 1)
			report_bad((void *)mspan_obj_addr(s, w * BITS_PER_LONG +
							  __ffs(dup)),
				   REPORT_RACING_DOUBLE_FREE, _RET_IP_);
	}
	s->localhead = 0;
	if (n)
		atomic_long_add(n * MSPAN_FREE_ONE, &s->freestate);
}

/**
 * mspan_bad_link - the owner's LIFO cannot be followed
 * @s: the span, cached by the caller's mcache
 * @v: the object on top of the LIFO
 * @caller: the allocation's caller, for the report
 *
 * Either @v's link names no object of the span (@v was written after it
 * was freed: @v itself is handed out, its link is not followed), or the
 * link that led to @v was changed and @v is not on the LIFO (reported,
 * not handed out), or @v is on the LIFO and its free bit or its claim is
 * set: another CPU freed it at the same moment as the owner did, and that
 * free is the one that counts (reported, not handed out).  In every case
 * the LIFO is dropped: its objects stay in local_bits and are drained
 * when the span goes back.
 * Return: the object mspan_alloc_local() hands out, or 0, with bit 0 set
 * when it is fresh (from the bitmap).
 */
unsigned long mspan_bad_link(struct mspan *s, unsigned long v,
			     unsigned long caller)
{
	unsigned int idx = s->localhead - 1;
	unsigned long m = BIT(idx % BITS_PER_LONG);

	s->localhead = 0;
	if ((s->local_bits[idx / BITS_PER_LONG] & m) &&
	    ((READ_ONCE(s->free_bits[idx / BITS_PER_LONG]) |
	      READ_ONCE(s->claim_bits[idx / BITS_PER_LONG])) & m)) {
		/* Freed remotely too: that free counts, this one is dropped. */
		WRITE_ONCE(s->local_bits[idx / BITS_PER_LONG],
			   s->local_bits[idx / BITS_PER_LONG] & ~m);
		report_bad((void *)v, REPORT_RACING_DOUBLE_FREE, caller);
		v = next_free_fast(s);
		return v ? v | 1 : 0;
	}
	if (!(s->local_bits[idx / BITS_PER_LONG] & m)) {
		report_bad((void *)v, REPORT_LIFO_NOT_FREE, caller);
		v = next_free_fast(s);
		return v ? v | 1 : 0;
	}
	report_bad((void *)v, REPORT_LINK_OVERWRITTEN, caller);
	WRITE_ONCE(s->local_bits[idx / BITS_PER_LONG],
		   s->local_bits[idx / BITS_PER_LONG] & ~m);
	return v;
}
