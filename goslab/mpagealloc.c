// SPDX-License-Identifier: GPL-2.0
/*
 * Page bitmap of a 512-page chunk: first-fit search by whole 64-bit words
 * and the Go-style summary (start, max, end) that lets mheap skip chunks
 * without looking at their bits.  Compiles in userspace too, against
 * fuzz/shim/ (fuzz/).  A leaf: mheap.c carves spans with it (malloc.c's
 * overview, step 5).
 */
#include <linux/bitops.h>
#include <linux/string.h>

#include "mpagealloc.h"

/* Trailing (low) free pages of word @w: zeros from bit 0. */
static unsigned int low_free(u64 w)
{
	return w ? __ffs64(w) : 64;
}

/* Leading (high) free pages of word @w: zeros from bit 63 down. */
static unsigned int high_free(u64 w)
{
	return 64 - fls64(w);
}

/* Mask of @n bits from bit @i within one word (i + n <= 64, n >= 1). */
static u64 word_mask(unsigned int i, unsigned int n)
{
	u64 m = n == 64 ? ~0ULL : (1ULL << n) - 1;

	return m << i;
}

void pallocbits_fill(struct pallocbits *b)
{
	memset(b->w, 0xff, sizeof(b->w));
}

void pallocbits_clear(struct pallocbits *b)
{
	memset(b->w, 0, sizeof(b->w));
}

/* Apply @set or clear to pages [i, i+n), one word at a time. */
static void pallocbits_update(struct pallocbits *b, unsigned int i,
			      unsigned int n, bool set)
{
	while (n) {
		unsigned int bit = i % 64;
		unsigned int k = 64 - bit < n ? 64 - bit : n;
		u64 m = word_mask(bit, k);

		if (set)
			b->w[i / 64] |= m;
		else
			b->w[i / 64] &= ~m;
		i += k;
		n -= k;
	}
}

void pallocbits_alloc_range(struct pallocbits *b, unsigned int i,
			    unsigned int n)
{
	pallocbits_update(b, i, n, true);
}

void pallocbits_free_range(struct pallocbits *b, unsigned int i,
			   unsigned int n)
{
	pallocbits_update(b, i, n, false);
}

/* True when every page of [i, i+n) has bit value @set. */
static bool pallocbits_range_is(const struct pallocbits *b, unsigned int i,
				unsigned int n, bool set)
{
	while (n) {
		unsigned int bit = i % 64;
		unsigned int k = 64 - bit < n ? 64 - bit : n;
		u64 m = word_mask(bit, k);
		u64 v = b->w[i / 64] & m;

		if (set ? v != m : v != 0)
			return false;
		i += k;
		n -= k;
	}
	return true;
}

bool pallocbits_range_free(const struct pallocbits *b, unsigned int i,
			   unsigned int n)
{
	return pallocbits_range_is(b, i, n, false);
}

bool pallocbits_range_used(const struct pallocbits *b, unsigned int i,
			   unsigned int n)
{
	return pallocbits_range_is(b, i, n, true);
}

unsigned int pallocbits_free_count(const struct pallocbits *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < PALLOC_WORDS; i++)
		n += 64 - hweight64(b->w[i]);
	return n;
}

/*
 * First run of @n set bits in @c (n <= 64), or 64.  Each step ANDs the
 * word with itself shifted, doubling the run length every bit stands for,
 * so a run of n costs O(log n) word operations.
 */
static unsigned int find_ones_run64(u64 c, unsigned int n)
{
	unsigned int p = n - 1, k = 1;

	while (p > 0) {
		if (p <= k) {
			c &= c >> p;
			break;
		}
		c &= c >> k;
		if (!c)
			return 64;
		p -= k;
		k *= 2;
	}
	return c ? __ffs64(c) : 64;
}

/*
 * pallocbits_find - first fit of @npages free pages.
 *
 * Walks words, carrying the free run that ends at the top of the previous
 * word: a run either crosses into this word (its low free bits) or lies
 * inside it (find_ones_run64 on the inverted word, small runs only).
 * Returns the first page index or PALLOC_NONE.
 */
unsigned int pallocbits_find(const struct pallocbits *b, unsigned int npages)
{
	unsigned int i, run = 0;

	if (!npages || npages > PALLOC_CHUNK_PAGES)
		return PALLOC_NONE;

	for (i = 0; i < PALLOC_WORDS; i++) {
		u64 w = b->w[i];
		unsigned int lo = low_free(w);

		if (run + lo >= npages)
			return i * 64 - run;
		if (w == 0) {
			run += 64;
			continue;
		}
		if (npages <= 64) {
			unsigned int at = find_ones_run64(~w, npages);

			if (at < 64 && at + npages <= 64)
				return i * 64 + at;
		}
		run = high_free(w);
	}
	return PALLOC_NONE;
}

/* Bits at the multiples of @n (a power of two up to 64) of a word. */
static u64 aligned_starts(unsigned int n)
{
	u64 m = 1;
	unsigned int s;

	for (s = n; s < 64; s <<= 1)
		m |= m << s;
	return m;
}

/*
 * First run of @n free pages (a power of two up to 64) at a multiple of
 * @n.  Such a run never crosses a word: in each word the free mask is
 * ANDed with itself shifted by 1, 2, 4, ... n/2, which leaves a bit where
 * n free pages start, and only the bits at multiples of n count.
 */
static unsigned int find_aligned_in_word(const struct pallocbits *b,
					 unsigned int n)
{
	u64 starts = aligned_starts(n);
	unsigned int i, k;

	for (i = 0; i < PALLOC_WORDS; i++) {
		u64 f = ~b->w[i];

		for (k = 1; k < n && f; k <<= 1)
			f &= f >> k;
		f &= starts;
		if (f)
			return i * 64 + __ffs64(f);
	}
	return PALLOC_NONE;
}

/*
 * pallocbits_find_aligned - first fit of @npages free pages starting at a
 * multiple of @align (a power of two; 1 is pallocbits_find()).
 *
 * For spans that kmalloc's alignment promise makes start at a multiple of
 * their size (mheap.c), @align == @npages: up to 64 pages, one pass over
 * the words (find_aligned_in_word()), since the heap's index may try
 * several arenas for one aligned span; over 64 there are at most four
 * candidates.  Those and any other alignment try the aligned pages one by
 * one, at most PALLOC_CHUNK_PAGES / @align of them, a word at a time.
 * Returns the first page index or PALLOC_NONE.
 */
unsigned int pallocbits_find_aligned(const struct pallocbits *b,
				     unsigned int npages, unsigned int align)
{
	unsigned int i;

	if (align <= 1)
		return pallocbits_find(b, npages);
	if (!npages || npages > PALLOC_CHUNK_PAGES)
		return PALLOC_NONE;
	if (align == npages && npages <= 64)
		return find_aligned_in_word(b, npages);
	for (i = 0; i + npages <= PALLOC_CHUNK_PAGES; i += align)
		if (pallocbits_range_free(b, i, npages))
			return i;
	return PALLOC_NONE;
}

/*
 * Longest free run of @w that touches neither end (those runs are carried
 * across words by the caller), scanning from @pos, its first used page.
 */
static unsigned int inner_max(u64 w, unsigned int pos, unsigned int max)
{
	while (pos < 64) {
		u64 used = ~(w >> pos);		/* set: free, from pos on */
		unsigned int len;

		pos += used ? __ffs64(used) : 64 - pos;
		if (pos >= 64)
			break;
		len = (w >> pos) ? __ffs64(w >> pos) : 64 - pos;
		if (pos + len >= 64)
			break;
		if (len > max)
			max = len;
		pos += len;
	}
	return max;
}

/*
 * Two passes: the runs that touch a word boundary first (one step a
 * word), then the runs inside words, only in words where a run could
 * beat the longest one found so far, as Go's summarize() does.
 * The first pass usually finds a long run (an arena's untouched tail), so
 * a fragmented head costs no per-run scan.  mheap summarizes on every
 * span alloc and free: this is on the span-churn path (1,024-batches,
 * cross-CPU frees).
 */
struct pallocsum pallocbits_summarize(const struct pallocbits *b)
{
	unsigned int i, run = 0, max = 0, start = PALLOC_CHUNK_PAGES;

	for (i = 0; i < PALLOC_WORDS; i++) {
		u64 w = b->w[i];

		if (w == 0) {
			run += 64;
			continue;
		}
		if (start == PALLOC_CHUNK_PAGES)
			start = run + low_free(w);
		if (run + low_free(w) > max)
			max = run + low_free(w);
		run = high_free(w);
	}
	if (start == PALLOC_CHUNK_PAGES)
		return (struct pallocsum){ PALLOC_CHUNK_PAGES, PALLOC_CHUNK_PAGES,
					   PALLOC_CHUNK_PAGES };
	if (run > max)
		max = run;
	for (i = 0; i < PALLOC_WORDS; i++) {
		u64 w = b->w[i];
		unsigned int lo;

		if (w == 0)
			continue;
		/* Inner runs lie between the lowest and highest used page. */
		lo = low_free(w);
		if (64 - lo - high_free(w) > max + 2)
			max = inner_max(w, lo, max);
	}
	return (struct pallocsum){ start, max, run };
}
