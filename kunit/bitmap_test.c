// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the span's free-index scanning (goslab/mbitmap.c and
 * next_free_fast() in goslab/mspan.h): Go's next_free_fast, next_free_index
 * and refill_alloc_cache, the sweep that merges explicit frees, isFree.
 *
 * Every span here is a struct mspan in kunit memory with nelems and
 * alloc_bits set by hand; start_addr is an arbitrary non-zero number (the
 * scanning only computes addresses, it never touches them), so that an
 * address of 0 can only mean "next_free_fast declined".  The expected
 * results come from a slow reference: the first clear bit of alloc_bits at
 * or after free_index below nelems.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/prandom.h>
#include <linux/bitmap.h>

#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/mcentral.h"
#include "../goslab/mcache.h"
#include "../goslab/fixalloc.h"
#include "../goslab/mem.h"
#include "../goslab/report.h"
#include "../goslab/debug.h"
#include "../goslab/kasan.h"
#include "../goslab/reclaim.h"
#include "../goslab/debugfs.h"
#include "../goslab/export_test.h"

#define BT_BASE		0x40000000UL	/* never dereferenced */
#define BT_ELEMSIZE	8UL
#define BT_MAXOBJS	GOSLAB_MAX_OBJS_PER_SPAN

static const unsigned int bt_nelems[] = { 1, 3, 170, 341, 512, 1024 };

/* Indices around every word boundary of interest. */
static const unsigned int bt_boundaries[] = {
	0, 1, 62, 63, 64, 65, 126, 127, 128, 129, 169, 191, 192, 255, 256,
	340, 511, 512, 1022, 1023,
};

static struct mspan *bt_span(struct kunit *test, unsigned int nelems)
{
	struct mspan *s = kunit_kzalloc(test,
					mspan_struct_size(GS_ALLOCBITS_WORDS),
					GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	/* Full-size bitmaps, so the tests may use BT_MAXOBJS bits. */
	mspan_layout_bits(s, GS_ALLOCBITS_WORDS);
	s->nelems = nelems;
	s->elemsize = BT_ELEMSIZE;
	s->start_addr = BT_BASE;
	s->limit = BT_BASE + nelems * BT_ELEMSIZE;
	s->state = MSPAN_INUSE;
	mspan_init_bits(s);
	return s;
}

/*
 * Install @bits as alloc_bits the way a sweep leaves a span: nothing past
 * nelems is set, free_index is 0 and alloc_cache holds the inverted word 0.
 */
static void bt_load(struct mspan *s, const unsigned long *bits)
{
	if (bits != s->alloc_bits)
		bitmap_copy(s->alloc_bits, bits, s->nelems);
	bitmap_clear(s->alloc_bits, s->nelems, BT_MAXOBJS - s->nelems);
	s->free_index = 0;
	s->alloc_count = bitmap_weight(s->alloc_bits, s->nelems);
	refill_alloc_cache(s, 0);
}

/*
 * Move free_index to @f in the state Go keeps after handing out objects up
 * to f - 1: alloc_cache is ~alloc_bits of f's word shifted right by f % 64,
 * so bit 0 of the cache stands for object f.
 */
static void bt_start_at(struct mspan *s, unsigned int f)
{
	s->free_index = f;
	if (f < s->nelems)
		s->alloc_cache = ~(u64)s->alloc_bits[f / 64] >> (f % 64);
	else
		s->alloc_cache = 0;
}

/* Bit @i of alloc_bits, read plainly (no instrumented bitop). */
static bool bt_bit(const struct mspan *s, unsigned int i)
{
	return (s->alloc_bits[i / 64] >> (i % 64)) & 1;
}

/* Reference: the first free object at or after @from, or nelems. */
static unsigned int ref_next(const struct mspan *s, unsigned int from)
{
	unsigned int i;

	for (i = from; i < s->nelems; i++)
		if (!bt_bit(s, i))
			return i;
	return s->nelems;
}

/*
 * What Go's next_free_fast returns in the current state: the object, or -1
 * where it declines (no free bit left in the cached word, the object is
 * past nelems, or taking it would leave free_index on a 64-object boundary
 * that is not the end of the span).
 */
static int go_fast_expect(const struct mspan *s)
{
	unsigned int f = s->free_index, i, end;

	if (f >= s->nelems)
		return -1;
	end = round_down(f, 64) + 64;
	for (i = f; i < end; i++) {
		/* Bits past nelems are clear: they read as free. */
		if (i >= s->nelems || !bt_bit(s, i))
			break;
	}
	if (i == end || i >= s->nelems)
		return -1;
	if ((i + 1) % 64 == 0 && i + 1 != s->nelems)
		return -1;
	return i;
}

/* Go's invariant: alloc_cache is alloc_bits from free_index on, inverted. */
static bool bt_cache_consistent(const struct mspan *s)
{
	unsigned int f = s->free_index;

	if (f >= s->nelems)
		return true;
	return s->alloc_cache == ~(u64)s->alloc_bits[f / 64] >> (f % 64);
}

/*
 * Allocate everything left the way mcache does (next_free_fast, then
 * next_free_index when it declines) and check each step against the
 * reference.  With @slow_only, next_free_index alone.  Stops at the first
 * mismatch.  Return: the number of fast-path declines before "full".
 */
static int bt_drain(struct kunit *test, struct mspan *s, bool slow_only)
{
	unsigned int from = s->free_index, n = 0, declines = 0, steps = 0;
	unsigned int count = s->alloc_count;
	unsigned int want_total = 0, i;

	for (i = from; i < s->nelems; i++)
		want_total += !bt_bit(s, i);

	for (;;) {
		unsigned int want = ref_next(s, s->free_index);
		unsigned int got;

		if (++steps > s->nelems + 2) {
			KUNIT_FAIL(test, "nelems %u: no progress", s->nelems);
			return -1;
		}
		if (!slow_only) {
			int fast = go_fast_expect(s);
			unsigned long p = next_free_fast(s);

			if (fast >= 0 && (unsigned int)fast != want) {
				KUNIT_FAIL(test, "nelems %u: model bug %d != %u",
					   s->nelems, fast, want);
				return -1;
			}
			if (fast < 0 && p) {
				KUNIT_FAIL(test,
					   "nelems %u free_index %u: next_free_fast gave %lu, Go declines",
					   s->nelems, s->free_index,
					   (p - BT_BASE) / BT_ELEMSIZE);
				return -1;
			}
			if (fast >= 0 &&
			    p != BT_BASE + (unsigned long)fast * BT_ELEMSIZE) {
				KUNIT_FAIL(test,
					   "nelems %u: next_free_fast gave %#lx, want object %d",
					   s->nelems, p, fast);
				return -1;
			}
			if (p) {
				count++;
				n++;
				if (s->free_index != want + 1 ||
				    s->alloc_count != count ||
				    !bt_cache_consistent(s)) {
					KUNIT_FAIL(test,
						   "nelems %u after fast %u: free_index %u alloc_count %u/%u cache %llx",
						   s->nelems, want, s->free_index,
						   s->alloc_count, count,
						   s->alloc_cache);
					return -1;
				}
				continue;
			}
			declines++;
		}
		got = next_free_index(s);
		if (got != want) {
			KUNIT_FAIL(test, "nelems %u: next_free_index %u, want %u",
				   s->nelems, got, want);
			return -1;
		}
		if (got > s->nelems) {
			KUNIT_FAIL(test, "next_free_index %u past nelems %u", got,
				   s->nelems);
			return -1;
		}
		if (got == s->nelems) {
			if (s->free_index != s->nelems) {
				KUNIT_FAIL(test, "full span: free_index %u != nelems %u",
					   s->free_index, s->nelems);
				return -1;
			}
			break;
		}
		s->alloc_count++;	/* the caller's job, as in Go */
		count++;
		n++;
		if (s->free_index != got + 1 || !bt_cache_consistent(s)) {
			KUNIT_FAIL(test, "nelems %u after slow %u: free_index %u cache %llx",
				   s->nelems, got, s->free_index, s->alloc_cache);
			return -1;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, n, want_total, "nelems %u from %u", s->nelems,
			    from);
	/* Full stays full, on both paths. */
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), s->nelems);
	KUNIT_EXPECT_EQ(test, s->free_index, s->nelems);
	return declines;
}

/* A fresh span: init gives free_index 0, nothing allocated, cache ~0. */
static void bitmap_init_bits_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 170);

	s->alloc_bits[1] = 5;
	s->free_bits[2] = 7;
	s->free_index = 9;
	s->alloc_count = 3;
	mspan_init_bits(s);
	KUNIT_EXPECT_EQ(test, s->free_index, 0U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 0U);
	KUNIT_EXPECT_EQ(test, s->alloc_cache, ~0ULL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->alloc_bits, BT_MAXOBJS));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->free_bits, BT_MAXOBJS));
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 0U);
}

/* refill_alloc_cache loads the 8 bytes at which_byte, inverted. */
static void bitmap_refill_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 1024);
	unsigned int k;

	for (k = 0; k < GS_ALLOCBITS_WORDS; k++)
		s->alloc_bits[k] = 0x0123456789abcdefUL * (k + 1);
	for (k = 0; k < GS_ALLOCBITS_WORDS; k++) {
		refill_alloc_cache(s, k * 8);
		KUNIT_EXPECT_EQ(test, s->alloc_cache, ~(u64)s->alloc_bits[k]);
	}
}

/* An empty span hands out 0, 1, 2, ... and declines exactly where Go does. */
static void bitmap_empty_span_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);
		int declines = bt_drain(test, s, false);

		/*
		 * One decline at each 64-boundary inside the span (63, 127,
		 * ...) plus the final "full" one.
		 */
		KUNIT_EXPECT_EQ_MSG(test, declines, (int)((ne - 1) / 64) + 1,
				    "nelems %u", ne);
		KUNIT_EXPECT_EQ(test, s->alloc_count, ne);
	}
}

/* The exact decline points for nelems 170 on an empty span. */
static void bitmap_fast_declines_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 170);
	unsigned int i;

	for (i = 0; i < 170; i++) {
		unsigned long p = next_free_fast(s);

		if (i == 63 || i == 127) {
			/* free_idx would be 64/128, not nelems: decline. */
			KUNIT_EXPECT_EQ_MSG(test, p, 0UL, "object %u", i);
			KUNIT_EXPECT_EQ(test, s->free_index, i);
			KUNIT_EXPECT_EQ(test, next_free_index(s), i);
			/* The slow path refilled the cache for the next word. */
			KUNIT_EXPECT_EQ(test, s->alloc_cache, ~0ULL);
			s->alloc_count++;
		} else {
			KUNIT_EXPECT_EQ_MSG(test, p, BT_BASE + i * BT_ELEMSIZE,
					    "object %u", i);
		}
		KUNIT_EXPECT_EQ(test, s->free_index, i + 1);
	}
	/* 169 + 1 == nelems was allowed; now 170 >= nelems declines. */
	KUNIT_EXPECT_NE(test, s->alloc_cache, 0ULL);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 170U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 170U);
}

/* nelems a multiple of 64: the last object's free_idx == nelems is allowed. */
static void bitmap_fast_last_object_test(struct kunit *test)
{
	static const unsigned int nes[] = { 64, 128, 512, 1024 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nes); i++) {
		struct mspan *s = bt_span(test, nes[i]);

		/* bitmap_fill() would set whole words: set exactly n - 1. */
		bitmap_zero(s->alloc_bits, BT_MAXOBJS);
		bitmap_set(s->alloc_bits, 0, nes[i] - 1);
		bt_load(s, s->alloc_bits);
		bt_start_at(s, nes[i] - 64);
		KUNIT_EXPECT_EQ(test, next_free_fast(s),
				BT_BASE + (nes[i] - 1) * BT_ELEMSIZE);
		KUNIT_EXPECT_EQ(test, s->free_index, nes[i]);
		KUNIT_EXPECT_EQ(test, s->alloc_cache, 0ULL);
		KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
		KUNIT_EXPECT_EQ(test, next_free_index(s), nes[i]);
	}
}

/* A full span: both paths say so at once, from any free_index. */
static void bitmap_full_span_test(struct kunit *test)
{
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		bitmap_fill(s->alloc_bits, ne);
		bt_load(s, s->alloc_bits);
		KUNIT_EXPECT_EQ(test, s->alloc_count, ne);
		KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
		KUNIT_EXPECT_EQ(test, next_free_index(s), ne);
		KUNIT_EXPECT_EQ(test, s->free_index, ne);
		KUNIT_EXPECT_EQ(test, next_free_index(s), ne);
		KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), ne);

		for (b = 0; b < ARRAY_SIZE(bt_boundaries); b++) {
			if (bt_boundaries[b] >= ne)
				continue;
			bt_start_at(s, bt_boundaries[b]);
			KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
			KUNIT_EXPECT_EQ_MSG(test, next_free_index(s), ne,
					    "nelems %u from %u", ne,
					    bt_boundaries[b]);
		}
	}
}

/* A single free object at each boundary, found from every start before it. */
static void bitmap_single_free_test(struct kunit *test)
{
	unsigned int i, b, f;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		for (b = 0; b < ARRAY_SIZE(bt_boundaries); b++) {
			unsigned int hole = bt_boundaries[b];

			if (hole >= ne)
				continue;
			for (f = 0; f <= hole; f += (f < 2 || hole - f < 3) ? 1 : 61) {
				bitmap_fill(s->alloc_bits, ne);
				clear_bit(hole, s->alloc_bits);
				bt_load(s, s->alloc_bits);
				bt_start_at(s, f);
				if (bt_drain(test, s, false) < 0)
					return;
				KUNIT_EXPECT_EQ(test, s->alloc_count, ne);

				bitmap_fill(s->alloc_bits, ne);
				clear_bit(hole, s->alloc_bits);
				bt_load(s, s->alloc_bits);
				bt_start_at(s, f);
				KUNIT_EXPECT_EQ_MSG(test, next_free_index(s), hole,
						    "nelems %u hole %u from %u",
						    ne, hole, f);
				KUNIT_EXPECT_EQ(test, s->free_index, hole + 1);
				KUNIT_EXPECT_EQ(test, next_free_index(s), ne);
			}
		}
	}
}

/* Everything free except one object at each boundary. */
static void bitmap_single_used_test(struct kunit *test)
{
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		for (b = 0; b < ARRAY_SIZE(bt_boundaries); b++) {
			unsigned int used = bt_boundaries[b];

			if (used >= ne)
				continue;
			bitmap_zero(s->alloc_bits, BT_MAXOBJS);
			set_bit(used, s->alloc_bits);
			bt_load(s, s->alloc_bits);
			if (bt_drain(test, s, false) < 0)
				return;
			bitmap_zero(s->alloc_bits, BT_MAXOBJS);
			set_bit(used, s->alloc_bits);
			bt_load(s, s->alloc_bits);
			if (bt_drain(test, s, true) < 0)
				return;
		}
	}
}

/* Crafted patterns: runs and holes across the 63/64/65 and 127/128 edges. */
static void bitmap_crafted_patterns_test(struct kunit *test)
{
	static const struct {
		unsigned int start, len;	/* allocated run */
	} runs[] = {
		{ 0, 63 }, { 0, 64 }, { 0, 65 }, { 1, 63 }, { 1, 64 },
		{ 63, 1 }, { 63, 2 }, { 63, 66 }, { 64, 64 }, { 64, 65 },
		{ 65, 62 }, { 0, 127 }, { 0, 128 }, { 0, 129 }, { 127, 2 },
		{ 128, 384 }, { 0, 1023 }, { 1, 1023 }, { 100, 900 },
	};
	unsigned int i, r;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		for (r = 0; r < ARRAY_SIZE(runs); r++) {
			unsigned int st = runs[r].start, len = runs[r].len;
			bool slow;

			if (st >= ne)
				continue;
			len = min(len, ne - st);
			for (slow = false; ; slow = true) {
				bitmap_zero(s->alloc_bits, BT_MAXOBJS);
				bitmap_set(s->alloc_bits, st, len);
				bt_load(s, s->alloc_bits);
				if (bt_drain(test, s, slow) < 0)
					return;
				/* The inverse pattern: only the run is free. */
				bitmap_fill(s->alloc_bits, ne);
				bitmap_clear(s->alloc_bits, st, len);
				bt_load(s, s->alloc_bits);
				if (bt_drain(test, s, slow) < 0)
					return;
				if (slow)
					break;
			}
		}
		/* Alternating bits, and one free object per word at bit 63. */
		bitmap_zero(s->alloc_bits, BT_MAXOBJS);
		for (r = 0; r < ne; r += 2)
			set_bit(r, s->alloc_bits);
		bt_load(s, s->alloc_bits);
		if (bt_drain(test, s, false) < 0)
			return;
		bitmap_fill(s->alloc_bits, ne);
		for (r = 63; r < ne; r += 64)
			clear_bit(r, s->alloc_bits);
		bt_load(s, s->alloc_bits);
		if (bt_drain(test, s, false) < 0)
			return;
	}
}

/* nelems of 1: a large span's single object. */
static void bitmap_one_object_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 1);

	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE);
	KUNIT_EXPECT_EQ(test, s->free_index, 1U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 1U);
	/* The cache still has set bits past nelems: result >= nelems. */
	KUNIT_EXPECT_NE(test, s->alloc_cache, 0ULL);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 1U);

	mspan_init_bits(s);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 0U);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 1U);
	KUNIT_EXPECT_EQ(test, s->free_index, 1U);
}

/* nelems of 3 with object 1 taken: 0, 2, then full. */
static void bitmap_three_objects_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 3);

	__set_bit(1, s->alloc_bits);
	bt_load(s, s->alloc_bits);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 1U);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE + 2 * BT_ELEMSIZE);
	KUNIT_EXPECT_EQ(test, s->free_index, 3U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 3U);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 3U);
}

/*
 * next_free_index skips whole used words and never reports an object past
 * nelems: with objects 170..191 clear in the last word (they read free
 * in the cache), a span whose real objects are all taken is full.
 */
static void bitmap_tail_past_nelems_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 170);

	bitmap_fill(s->alloc_bits, 170);
	bt_load(s, s->alloc_bits);
	bt_start_at(s, 128);
	KUNIT_EXPECT_NE(test, s->alloc_cache, 0ULL);	/* 170..191 look free */
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 170U);
	KUNIT_EXPECT_EQ(test, s->free_index, 170U);

	/* 341 (24-byte class): last word holds objects 320..340. */
	s = bt_span(test, 341);
	bitmap_fill(s->alloc_bits, 341);
	bt_load(s, s->alloc_bits);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 341U);
	clear_bit(340, s->alloc_bits);
	bt_load(s, s->alloc_bits);
	bt_start_at(s, 300);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 340U);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 341U);
}

/* Starting mid-word: free_index and alloc_cache as Go leaves them. */
static void bitmap_mid_word_start_test(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int i, b, k;

	prandom_seed_state(&rnd, 0x60a110cULL);
	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		for (b = 0; b < ARRAY_SIZE(bt_boundaries); b++) {
			unsigned int f = bt_boundaries[b];

			if (f > ne)
				continue;
			for (k = 0; k < 3; k++) {
				unsigned int w;

				for (w = 0; w < GS_ALLOCBITS_WORDS; w++)
					s->alloc_bits[w] =
						(unsigned long)prandom_u32_state(&rnd) << 32 |
						prandom_u32_state(&rnd);
				bt_load(s, s->alloc_bits);
				bt_start_at(s, f);
				if (bt_drain(test, s, k == 2) < 0)
					return;
			}
		}
		/* A start reached by allocating, not by hand: same answers. */
		bitmap_zero(s->alloc_bits, BT_MAXOBJS);
		bitmap_set(s->alloc_bits, 0, ne / 2);
		bt_load(s, s->alloc_bits);
		KUNIT_EXPECT_EQ(test, next_free_index(s), ne / 2);
		KUNIT_EXPECT_TRUE(test, bt_cache_consistent(s));
		if (bt_drain(test, s, false) < 0)
			return;
	}
}

/*
 * A random alloc_bits for @s, each object allocated with probability
 * @density/64, and free_index at 0 or (when @mid) at a random object.
 */
static void bt_random_pattern(struct mspan *s, unsigned int density, bool mid,
			      struct rnd_state *rnd)
{
	unsigned int k;

	bitmap_zero(s->alloc_bits, BT_MAXOBJS);
	for (k = 0; k < s->nelems; k++)
		if (prandom_u32_state(rnd) % 64 < density)
			__set_bit(k, s->alloc_bits);
	bt_load(s, s->alloc_bits);
	bt_start_at(s, mid ? prandom_u32_state(rnd) % (s->nelems + 1) : 0);
}

/* Random patterns of several densities against the reference. */
static void bitmap_random_test(struct kunit *test)
{
	/* Probability of an allocated bit, in 64ths. */
	static const unsigned int density[] = { 8, 32, 56, 63 };
	struct rnd_state rnd;
	unsigned int i, d, it;

	prandom_seed_state(&rnd, 0x900dbeefULL);
	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		struct mspan *s = bt_span(test, bt_nelems[i]);

		for (d = 0; d < ARRAY_SIZE(density); d++) {
			for (it = 0; it < 16; it++) {
				bt_random_pattern(s, density[d], it, &rnd);
				if (bt_drain(test, s, it % 4 == 3) < 0)
					return;
			}
		}
	}
}

/*
 * Take everything left in @s with next_free_batch() in batches of random
 * sizes: exactly the objects the reference finds, in order, tagged, and
 * free_index, alloc_cache and alloc_count left in a state next_free_fast and
 * next_free_index accept.  Short only when the span is exhausted.
 */
static void bt_batches(struct kunit *test, struct mspan *s, void **objs,
		       unsigned long tag, struct rnd_state *rnd)
{
	unsigned int ne = s->nelems, next = s->free_index;
	unsigned int count = s->alloc_count, n, got, k, want;

	do {
		n = 1 + prandom_u32_state(rnd) % 130;
		got = next_free_batch(s, objs, n, tag);
		count += got;
		for (k = 0; k < got; k++) {
			want = ref_next(s, next);
			KUNIT_ASSERT_EQ_MSG(test, (unsigned long)objs[k],
					    (BT_BASE + want * BT_ELEMSIZE) | tag,
					    "nelems %u batch object %u", ne, k);
			next = want + 1;
		}
		KUNIT_ASSERT_EQ(test, s->alloc_count, count);
		KUNIT_ASSERT_GE(test, s->free_index, next);
		KUNIT_ASSERT_EQ_MSG(test, ref_next(s, s->free_index),
				    ref_next(s, next),
				    "nelems %u: batch skipped a free object", ne);
		KUNIT_ASSERT_TRUE(test, bt_cache_consistent(s));
	} while (got == n);
	KUNIT_EXPECT_EQ(test, ref_next(s, next), ne);
	KUNIT_EXPECT_EQ(test, next_free_index(s), ne);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
}

/* next_free_batch on random patterns of several densities. */
static void bitmap_batch_test(struct kunit *test)
{
	static const unsigned int density[] = { 0, 8, 32, 56, 63 };
	void **objs = kunit_kcalloc(test, BT_MAXOBJS, sizeof(void *),
				    GFP_KERNEL);
	struct rnd_state rnd;
	unsigned int i, d, it;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	prandom_seed_state(&rnd, 0xba7c4ULL);
	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		struct mspan *s = bt_span(test, bt_nelems[i]);

		for (d = 0; d < ARRAY_SIZE(density); d++) {
			for (it = 0; it < 8; it++) {
				bt_random_pattern(s, density[d], it, &rnd);
				bt_batches(test, s, objs, it & 1, &rnd);
			}
		}
	}
}

/* mspan_is_free: below free_index never free, else the alloc_bits bit. */
static void bitmap_is_free_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 170);
	unsigned int i;

	for (i = 0; i < 170; i += 3)
		__set_bit(i, s->alloc_bits);
	bt_load(s, s->alloc_bits);
	for (i = 0; i < 170; i++)
		KUNIT_EXPECT_EQ_MSG(test, mspan_is_free(s, i), i % 3 != 0,
				    "object %u", i);
	bt_start_at(s, 65);
	for (i = 0; i < 170; i++)
		KUNIT_EXPECT_EQ_MSG(test, mspan_is_free(s, i),
				    i >= 65 && i % 3 != 0, "object %u", i);
	/* Handing out an object makes it not free. */
	i = next_free_index(s);
	KUNIT_EXPECT_EQ(test, i, 65U);
	KUNIT_EXPECT_FALSE(test, mspan_is_free(s, 65));
	KUNIT_EXPECT_FALSE(test, mspan_is_free(s, 66));
	KUNIT_EXPECT_TRUE(test, mspan_is_free(s, 67));
}

/* mspan_count_alloc counts alloc_bits below nelems plus all below free_index. */
static void bitmap_count_alloc_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 341);

	bitmap_set(s->alloc_bits, 300, 41);
	bt_load(s, s->alloc_bits);
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 41U);
	bt_start_at(s, 100);
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 141U);
	bt_start_at(s, 320);
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 320U + 21U);
	bt_start_at(s, 341);
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 341U);
}

/* Frees recorded in free_bits become clear alloc_bits at sweep. */
static void bitmap_sweep_basic_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 170);
	unsigned int i, merged;

	bitmap_set(s->alloc_bits, 120, 30);	/* 120..149 */
	bt_load(s, s->alloc_bits);
	bt_start_at(s, 100);			/* 0..99 handed out since */
	s->alloc_count = 130;
	/* Free 5, 63, 64, 99 (handed out) and 120, 149 (from alloc_bits). */
	__set_bit(5, s->free_bits);
	__set_bit(63, s->free_bits);
	__set_bit(64, s->free_bits);
	__set_bit(99, s->free_bits);
	__set_bit(120, s->free_bits);
	__set_bit(149, s->free_bits);
	atomic_long_set(&s->freestate, MSPAN_CACHED + 6 * MSPAN_FREE_ONE);
	s->needzero = 0;

	merged = mspan_sweep(s);
	KUNIT_EXPECT_EQ(test, merged, 6U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->freestate), MSPAN_CACHED);
	KUNIT_EXPECT_EQ(test, s->free_index, 0U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 124U);
	KUNIT_EXPECT_EQ(test, mspan_count_alloc(s), 124U);
	KUNIT_EXPECT_EQ(test, s->alloc_cache, ~(u64)s->alloc_bits[0]);
	KUNIT_EXPECT_EQ(test, s->needzero, 1);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->free_bits, BT_MAXOBJS));
	for (i = 0; i < 170; i++) {
		bool live = (i < 100 || (i >= 120 && i < 150)) &&
			    i != 5 && i != 63 && i != 64 && i != 99 &&
			    i != 120 && i != 149;

		KUNIT_EXPECT_EQ_MSG(test, !!test_bit(i, s->alloc_bits), live,
				    "object %u", i);
		KUNIT_EXPECT_EQ_MSG(test, mspan_is_free(s, i), !live,
				    "object %u", i);
	}
	/* The freed objects come back first, in address order. */
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE + 5 * BT_ELEMSIZE);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);	/* 63: boundary */
	KUNIT_EXPECT_EQ(test, next_free_index(s), 63U);
	s->alloc_count++;
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE + 64 * BT_ELEMSIZE);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE + 99 * BT_ELEMSIZE);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), BT_BASE + 100 * BT_ELEMSIZE);
	bt_load(s, s->alloc_bits);
	bt_drain(test, s, false);
}

/* A sweep with nothing to merge keeps needzero and freestate. */
static void bitmap_sweep_nothing_test(struct kunit *test)
{
	struct mspan *s = bt_span(test, 512);

	bitmap_set(s->alloc_bits, 200, 10);
	bt_load(s, s->alloc_bits);
	bt_start_at(s, 64);
	atomic_long_set(&s->freestate, MSPAN_CACHED);
	s->needzero = 0;
	KUNIT_EXPECT_EQ(test, mspan_sweep(s), 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->freestate), MSPAN_CACHED);
	KUNIT_EXPECT_EQ(test, s->needzero, 0);
	KUNIT_EXPECT_EQ(test, s->free_index, 0U);
	/* Objects below the old free_index are now alloc_bits. */
	KUNIT_EXPECT_EQ(test, s->alloc_count, 74U);
	KUNIT_EXPECT_EQ(test, s->alloc_bits[0], ~0UL);
	KUNIT_EXPECT_EQ(test, s->alloc_cache, 0ULL);
	KUNIT_EXPECT_EQ(test, next_free_fast(s), 0UL);
	KUNIT_EXPECT_EQ(test, next_free_index(s), 64U);
}

/* Sweeping a full span (free_index == nelems) with frees spread out. */
static void bitmap_sweep_full_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);
		unsigned int k, nfree = 0;

		bt_drain(test, s, false);		/* everything handed out */
		for (k = 0; k < ne; k += 7) {
			__set_bit(k, s->free_bits);
			nfree++;
		}
		atomic_long_set(&s->freestate, nfree * MSPAN_FREE_ONE);
		KUNIT_EXPECT_EQ(test, mspan_sweep(s), nfree);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&s->freestate), 0L);
		KUNIT_EXPECT_EQ(test, s->alloc_count, ne - nfree);
		/* Nothing set past nelems, even in the last word. */
		KUNIT_EXPECT_EQ(test, bitmap_weight(s->alloc_bits, BT_MAXOBJS),
				ne - nfree);
		for (k = 0; k < ne; k++)
			if (mspan_is_free(s, k) != (k % 7 == 0)) {
				KUNIT_FAIL(test, "nelems %u object %u", ne, k);
				break;
			}
		if (bt_drain(test, s, false) < 0)
			return;
		KUNIT_EXPECT_EQ(test, s->alloc_count, ne);
	}
}

/* Random allocate / free / sweep rounds against a shadow of live objects. */
static void bitmap_sweep_random_test(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned long *live;
	unsigned int i, round, k;

	live = kunit_kzalloc(test, BITS_TO_LONGS(BT_MAXOBJS) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rnd, 0x5eed5eedULL);
	for (i = 0; i < ARRAY_SIZE(bt_nelems); i++) {
		unsigned int ne = bt_nelems[i];
		struct mspan *s = bt_span(test, ne);

		bitmap_zero(live, BT_MAXOBJS);
		atomic_long_set(&s->freestate, MSPAN_CACHED);
		for (round = 0; round < 12; round++) {
			unsigned int want = prandom_u32_state(&rnd) % (ne + 1);
			unsigned int nfree = 0, merged, idx;
			unsigned long p;

			/* Allocate up to @want objects. */
			for (k = 0; k < want; k++) {
				p = next_free_fast(s);
				if (p) {
					idx = (p - BT_BASE) / BT_ELEMSIZE;
				} else {
					idx = next_free_index(s);
					if (idx == ne)
						break;
					s->alloc_count++;
				}
				if (idx >= ne || test_bit(idx, live)) {
					KUNIT_FAIL(test, "nelems %u: object %u handed out twice",
						   ne, idx);
					return;
				}
				__set_bit(idx, live);
			}
			/* Free a random subset of the live objects. */
			for_each_set_bit(k, live, ne) {
				if (prandom_u32_state(&rnd) % 3)
					continue;
				KUNIT_EXPECT_FALSE(test, mspan_is_free(s, k));
				__clear_bit(k, live);
				__set_bit(k, s->free_bits);
				atomic_long_add(MSPAN_FREE_ONE, &s->freestate);
				nfree++;
			}
			KUNIT_EXPECT_EQ(test, mspan_count_alloc(s),
					bitmap_weight(live, ne) + nfree);
			merged = mspan_sweep(s);
			KUNIT_EXPECT_EQ(test, merged, nfree);
			KUNIT_EXPECT_EQ(test, atomic_long_read(&s->freestate),
					MSPAN_CACHED);
			KUNIT_EXPECT_EQ(test, s->alloc_count,
					bitmap_weight(live, ne));
			if (!bitmap_equal(s->alloc_bits, live, BT_MAXOBJS)) {
				KUNIT_FAIL(test, "nelems %u round %u: alloc_bits differ from live",
					   ne, round);
				return;
			}
		}
	}
}

static struct kunit_case goslab_bitmap_cases[] = {
	KUNIT_CASE(bitmap_init_bits_test),
	KUNIT_CASE(bitmap_refill_test),
	KUNIT_CASE(bitmap_empty_span_test),
	KUNIT_CASE(bitmap_fast_declines_test),
	KUNIT_CASE(bitmap_fast_last_object_test),
	KUNIT_CASE(bitmap_full_span_test),
	KUNIT_CASE(bitmap_single_free_test),
	KUNIT_CASE(bitmap_single_used_test),
	KUNIT_CASE(bitmap_crafted_patterns_test),
	KUNIT_CASE(bitmap_one_object_test),
	KUNIT_CASE(bitmap_three_objects_test),
	KUNIT_CASE(bitmap_tail_past_nelems_test),
	KUNIT_CASE(bitmap_mid_word_start_test),
	KUNIT_CASE(bitmap_random_test),
	KUNIT_CASE(bitmap_batch_test),
	KUNIT_CASE(bitmap_is_free_test),
	KUNIT_CASE(bitmap_count_alloc_test),
	KUNIT_CASE(bitmap_sweep_basic_test),
	KUNIT_CASE(bitmap_sweep_nothing_test),
	KUNIT_CASE(bitmap_sweep_full_test),
	KUNIT_CASE(bitmap_sweep_random_test),
	{}
};

static struct kunit_suite goslab_bitmap_suite = {
	.name = "goslab_bitmap",
	.test_cases = goslab_bitmap_cases,
};

kunit_test_suite(goslab_bitmap_suite);
