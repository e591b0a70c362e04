// SPDX-License-Identifier: GPL-2.0
/*
 * The span's allocation bitmap and Go's free-index scanning
 * (runtime/mbitmap.go: nextFreeIndex, refillAllocCache, isFree), plus the
 * sweep that merges explicit frees into allocBits the way Go's sweeper
 * merges gcmarkBits.
 *
 * allocBits are stored as unsigned longs; on a 64-bit little-endian
 * kernel word k is exactly Go's 8 bytes at whichByte = 8k.
 */
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "internal.h"

static_assert(BITS_PER_LONG == 64, "goslab's allocCache needs 64-bit words");

/**
 * refillAllocCache - load allocCache from allocBits at @whichByte
 * @s: the span
 * @whichByte: byte offset into allocBits, a multiple of 8
 *
 * allocCache holds the inverted bits so that count-trailing-zeros finds
 * the next free object directly.
 */
void refillAllocCache(struct mspan *s, unsigned int whichByte)
{
	s->allocCache = ~(u64)s->allocBits[whichByte / 8];
}

/**
 * mspan_init_bits - a fresh span: nothing allocated, cache at object 0
 * @s: the span, with nelems set
 */
void mspan_init_bits(struct mspan *s)
{
	/* The three bitmaps are contiguous, freeBits - allocBits words each. */
	memset(s->allocBits, 0, 3 * (s->freeBits - s->allocBits) *
	       sizeof(unsigned long));
	s->localhead = 0;
	s->freeindex = 0;
	s->allocCount = 0;
	refillAllocCache(s, 0);
}

/**
 * nextFreeIndex - index of the next free object at or after freeindex
 * @s: the span
 *
 * Skips whole words with no free object, reloads allocCache at 64-object
 * boundaries and never returns an index past nelems; returns nelems when
 * the span is full.  Advances freeindex past the returned object.
 */
unsigned int nextFreeIndex(struct mspan *s)
{
	unsigned int sfreeindex = s->freeindex;
	unsigned int snelems = s->nelems;
	unsigned int bitIndex, result;
	u64 aCache;

	if (sfreeindex == snelems)
		return sfreeindex;
	if (WARN_ON_ONCE(sfreeindex > snelems))
		return snelems;

	aCache = s->allocCache;
	bitIndex = aCache ? __ffs64(aCache) : 64;
	while (bitIndex == 64) {
		/* Move to the start of the next cached word. */
		sfreeindex = (sfreeindex + 64) & ~63U;
		if (sfreeindex >= snelems) {
			s->freeindex = snelems;
			return snelems;
		}
		refillAllocCache(s, sfreeindex / 8);
		aCache = s->allocCache;
		bitIndex = aCache ? __ffs64(aCache) : 64;
	}
	result = sfreeindex + bitIndex;
	if (result >= snelems) {
		s->freeindex = snelems;
		return snelems;
	}
	s->allocCache = (aCache >> bitIndex) >> 1;
	sfreeindex = result + 1;
	/*
	 * Every set bit of allocCache up to here was shifted away: at a
	 * word boundary load the next word so allocCache matches freeindex.
	 */
	if (sfreeindex % 64 == 0 && sfreeindex != snelems)
		refillAllocCache(s, sfreeindex / 8);
	s->freeindex = sfreeindex;
	return result;
}

/**
 * nextFreeBatch - up to @n free objects of @s at once, for bulk allocation
 * @s: the span
 * @p: receives the objects' addresses, each ORed with @tag
 * @n: how many are wanted
 * @tag: low bits the caller wants on every address (objects are 8-aligned)
 *
 * nextFreeFast and nextFreeIndex in one loop: count trailing zeros over
 * allocCache, whole allocated words skipped, allocCache reloaded at each
 * 64-object boundary, and freeindex, allocCache and allocCount written
 * once at the end, in the state nextFreeIndex would leave them in.
 *
 * Return: how many objects were taken; fewer than @n only when the span
 * is exhausted.
 */
unsigned int nextFreeBatch(struct mspan *s, void **p, unsigned int n,
			   unsigned long tag)
{
	unsigned long base = s->startAddr | tag, size = s->elemsize;
	unsigned int idx = s->freeindex, nelems = s->nelems, k = 0;
	unsigned int w = idx / 64, last = 0;
	/* This word's free objects from freeindex on, at their bit places. */
	u64 free = s->allocCache << (idx % 64);

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
		/* The word is used up: on to the next, as nextFreeIndex. */
		idx = ++w * 64;
		if (idx >= nelems)
			goto exhausted;
		free = ~(u64)s->allocBits[w];
	}
out:
	s->freeindex = idx;
	s->allocCache = free >> (idx % 64);
	s->allocCount += k;
	return k;
exhausted:
	s->freeindex = nelems;
	s->allocCache = 0;
	s->allocCount += k;
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
		n += hweight64((s->allocBits[k] | below_mask(k, s->freeindex)) &
			       below_mask(k, s->nelems));
	return n;
}

/**
 * mspan_sweep - merge the explicit frees into allocBits
 * @s: a span its caller owns (cached, or taken off every list)
 *
 * Like Go's sweep: the objects still allocated become allocBits,
 * freeindex goes back to 0 and allocCache is reloaded.  Frees that land
 * while this runs either make it into this word's exchange or stay in
 * freeBits for the next sweep.
 *
 * Return: the number of frees merged.
 */
unsigned int mspan_sweep(struct mspan *s)
{
	unsigned int k, merged = 0, count = 0;
	unsigned int words = DIV_ROUND_UP(s->nelems, 64);

	for (k = 0; k < words; k++) {
		unsigned long live = s->allocBits[k] | below_mask(k, s->freeindex);
		unsigned long freed = 0;

		if (READ_ONCE(s->freeBits[k]))
			freed = xchg(&s->freeBits[k], 0);
		live &= ~freed & below_mask(k, s->nelems);
		merged += hweight64(freed);
		count += hweight64(live);
		WRITE_ONCE(s->allocBits[k], live);
	}
	/* A racing isFree() that sees freeindex 0 must see the new bits. */
	smp_wmb();
	WRITE_ONCE(s->freeindex, 0);
	s->allocCount = count;
	refillAllocCache(s, 0);
	if (merged) {
		/* Reused objects hold old data: Go sets needzero here too. */
		s->needzero = 1;
		atomic_long_sub(merged * MSPAN_FREE_ONE, &s->freestate);
	}
	return merged;
}

/**
 * mspan_drain_local - turn the owner's local frees into ordinary frees
 * @s: a span the caller's mcache caches
 *
 * Before an mcache lets a span go, the objects its context freed into
 * the span's private LIFO become pending frees in freeBits, counted in
 * freestate, as if they had come from another CPU.  localBits names them
 * all, so the links in the objects are not followed: one a write after
 * free changed cannot lose or invent a free.
 */
void mspan_drain_local(struct mspan *s)
{
	unsigned int w, words = mspan_bitmap_words(s->nelems);
	unsigned long n = 0;

	for (w = 0; w < words; w++) {
		unsigned long b = s->localBits[w];

		if (!b)
			continue;
		s->localBits[w] = 0;
		atomic_long_or(b, (atomic_long_t *)&s->freeBits[w]);
		n += hweight_long(b);
	}
	s->localhead = 0;
	if (n)
		atomic_long_add(n * MSPAN_FREE_ONE, &s->freestate);
}

/**
 * mspan_bad_link - the owner's LIFO was written after a free
 * @s: the span, cached by the caller's mcache
 * @v: the object on top of the LIFO
 * @caller: the allocation's caller, for the report
 *
 * Either @v's link names no object of the span (@v was written after it
 * was freed: @v itself is handed out, its link is not followed) or the
 * link that led to @v was changed and @v is not on the LIFO (reported,
 * not handed out).  Either way the LIFO is dropped: its objects stay in
 * localBits and are drained when the span goes back.
 * Return: the object mcache_alloc_fast() hands out, or 0, with bit 0 set
 * when it is fresh (from the bitmap).
 */
unsigned long mspan_bad_link(struct mspan *s, unsigned long v,
			     unsigned long caller)
{
	unsigned int idx = s->localhead - 1;
	unsigned long m = BIT(idx % BITS_PER_LONG);

	s->localhead = 0;
	if (!(s->localBits[idx / BITS_PER_LONG] & m)) {
		gs_report_bad((void *)v,
			      "LIFO names an object that is not free (write after free?)",
			      caller);
		v = nextFreeFast(s);
		return v ? v | 1 : 0;
	}
	gs_report_bad((void *)v, "link in a freed object overwritten (write after free?)",
		      caller);
	s->localBits[idx / BITS_PER_LONG] &= ~m;
	return v;
}
