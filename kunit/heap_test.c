// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the page heap: the pure page bitmap and its Go-style
 * summaries (goslab/mpagealloc.c) against a slow reference allocator, and
 * the real mheap on alloc_pages() (goslab/mheap.c): spans of every size,
 * the span lookup for every page, arena growth, coalescing, release of
 * free arenas beyond the retain threshold, and the lookup saying "not
 * goslab's" for memory goslab does not own.
 *
 * The real heap is shared with everything else in the kernel, so those
 * cases assert deltas, free everything they allocate (deferred actions
 * free it even after a failed assertion) and restore the retain tunable.
 */

#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/prandom.h>
#include <linux/topology.h>
#include <linux/err.h>
#include <linux/delay.h>
#include <linux/memblock.h>

#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/scavenge.h"
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
#include "gs_test.h"

/* ---- the pure page bitmap ------------------------------------------- */

/* The reference: one bool per page, true = in use. */
struct ref_pages {
	bool used[PALLOC_CHUNK_PAGES];
};

static unsigned int ref_find(const struct ref_pages *r, unsigned int n)
{
	unsigned int i, run = 0;

	if (!n || n > PALLOC_CHUNK_PAGES)
		return PALLOC_NONE;
	for (i = 0; i < PALLOC_CHUNK_PAGES; i++) {
		run = r->used[i] ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return PALLOC_NONE;
}

static struct pallocsum ref_summarize(const struct ref_pages *r)
{
	struct pallocsum s = { 0, 0, 0 };
	unsigned int i, run = 0;

	while (s.start < PALLOC_CHUNK_PAGES && !r->used[s.start])
		s.start++;
	for (i = 0; i < PALLOC_CHUNK_PAGES; i++) {
		run = r->used[i] ? 0 : run + 1;
		if (run > s.max)
			s.max = run;
	}
	s.end = run;
	return s;
}

static void ref_set(struct ref_pages *r, unsigned int i, unsigned int n,
		    bool used)
{
	while (n--)
		r->used[i++] = used;
}

/* Compare the bitmap, its summary and its count with the reference. */
static bool pb_matches(struct kunit *test, const struct pallocbits *b,
		       const struct ref_pages *r, const char *what)
{
	struct pallocsum got = pallocbits_summarize(b), want = ref_summarize(r);
	unsigned int i, nfree = 0;

	for (i = 0; i < PALLOC_CHUNK_PAGES; i++) {
		bool bit = (b->w[i / 64] >> (i % 64)) & 1;

		if (bit != r->used[i]) {
			KUNIT_FAIL(test, "%s: page %u is %d, want %d", what, i,
				   bit, r->used[i]);
			return false;
		}
		nfree += !r->used[i];
	}
	if (!pallocsum_equal(got, want)) {
		KUNIT_FAIL(test, "%s: summary {%u,%u,%u}, want {%u,%u,%u}", what,
			   got.start, got.max, got.end, want.start, want.max,
			   want.end);
		return false;
	}
	if (pallocbits_free_count(b) != nfree) {
		KUNIT_FAIL(test, "%s: free count %u, want %u", what,
			   pallocbits_free_count(b), nfree);
		return false;
	}
	return true;
}

/* Empty and full chunks. */
static void pallocbits_empty_full_test(struct kunit *test)
{
	struct pallocbits b;
	struct pallocsum s;

	pallocbits_clear(&b);
	s = pallocbits_summarize(&b);
	KUNIT_EXPECT_EQ(test, s.start, 512);
	KUNIT_EXPECT_EQ(test, s.max, 512);
	KUNIT_EXPECT_EQ(test, s.end, 512);
	KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 512U);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 1), 0U);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 64), 0U);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 512), 0U);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 513), PALLOC_NONE);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 0), PALLOC_NONE);
	KUNIT_EXPECT_TRUE(test, pallocbits_range_free(&b, 0, 512));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_used(&b, 100, 1));

	pallocbits_fill(&b);
	s = pallocbits_summarize(&b);
	KUNIT_EXPECT_EQ(test, s.start, 0);
	KUNIT_EXPECT_EQ(test, s.max, 0);
	KUNIT_EXPECT_EQ(test, s.end, 0);
	KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 0U);
	KUNIT_EXPECT_EQ(test, pallocbits_find(&b, 1), PALLOC_NONE);
	KUNIT_EXPECT_TRUE(test, pallocbits_range_used(&b, 0, 512));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_free(&b, 511, 1));
}

/* First fit: each case frees some runs of a full chunk and searches. */
static void pallocbits_find_edges_test(struct kunit *test)
{
	static const struct {
		unsigned int free[3][2];	/* runs [start, start+len) */
		unsigned int npages, want;
	} cases[] = {
		{ { { 63, 1 } }, 1, 63 },
		{ { { 64, 1 } }, 1, 64 },
		{ { { 511, 1 } }, 1, 511 },
		{ { { 0, 1 } }, 2, PALLOC_NONE },
		{ { { 60, 8 } }, 8, 60 },		/* crosses a word */
		{ { { 60, 8 } }, 9, PALLOC_NONE },
		{ { { 64, 64 } }, 64, 64 },
		{ { { 1, 64 } }, 64, 1 },
		{ { { 0, 63 }, { 64, 64 } }, 64, 64 },
		{ { { 63, 65 } }, 65, 63 },
		{ { { 64, 64 } }, 65, PALLOC_NONE },
		{ { { 0, 64 }, { 65, 65 } }, 65, 65 },
		{ { { 127, 2 } }, 2, 127 },
		{ { { 100, 300 } }, 300, 100 },
		{ { { 1, 511 } }, 511, 1 },
		{ { { 0, 511 } }, 511, 0 },
		{ { { 1, 511 } }, 512, PALLOC_NONE },
		{ { { 0, 512 } }, 512, 0 },
		{ { { 448, 64 } }, 64, 448 },		/* the last word */
		{ { { 412, 100 } }, 100, 412 },		/* runs to the end */
		{ { { 20, 5 }, { 100, 10 } }, 5, 20 },	/* first, not best */
		{ { { 20, 5 }, { 100, 10 } }, 6, 100 },
		{ { { 3, 3 }, { 10, 7 }, { 30, 2 } }, 7, 10 },	/* inside a word */
		{ { { 3, 3 }, { 10, 6 }, { 30, 7 } }, 7, 30 },
		{ { { 5, 58 }, { 64, 1 } }, 59, PALLOC_NONE },
		{ { { 5, 59 }, { 64, 70 } }, 129, 5 },	/* three words */
		{ { { 0, 10 }, { 200, 300 } }, 256, 200 },
	};
	struct pallocbits b;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pallocbits_fill(&b);
		for (k = 0; k < 3; k++)
			if (cases[i].free[k][1])
				pallocbits_free_range(&b, cases[i].free[k][0],
						      cases[i].free[k][1]);
		KUNIT_EXPECT_EQ_MSG(test, pallocbits_find(&b, cases[i].npages),
				    cases[i].want, "case %u (npages %u)", i,
				    cases[i].npages);
	}
}

/* Summaries of crafted patterns. */
static void pallocbits_summary_cases_test(struct kunit *test)
{
	static const struct {
		unsigned int used[3][2];	/* runs [start, start+len) */
		u16 start, max, end;
	} cases[] = {
		{ { { 0, 1 } }, 0, 511, 511 },
		{ { { 511, 1 } }, 511, 511, 0 },
		{ { { 63, 1 } }, 63, 448, 448 },
		{ { { 64, 1 } }, 64, 447, 447 },
		{ { { 0, 1 }, { 511, 1 } }, 0, 510, 0 },
		{ { { 0, 64 }, { 448, 64 } }, 0, 384, 0 },
		{ { { 10, 1 }, { 20, 1 }, { 500, 1 } }, 10, 479, 11 },
		{ { { 1, 510 } }, 1, 1, 1 },
		{ { { 0, 100 }, { 101, 310 } }, 0, 101, 101 },
		{ { { 0, 3 }, { 5, 500 }, { 507, 1 } }, 0, 4, 4 },
		{ { { 0, 3 }, { 13, 490 }, { 507, 1 } }, 0, 10, 4 },
		{ { { 0, 70 }, { 75, 437 } }, 0, 5, 0 },	/* inner, word 1 */
	};
	struct pallocbits b;
	struct ref_pages r;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pallocsum s;

		pallocbits_clear(&b);
		memset(&r, 0, sizeof(r));
		for (k = 0; k < 3; k++) {
			if (!cases[i].used[k][1])
				continue;
			pallocbits_alloc_range(&b, cases[i].used[k][0],
					       cases[i].used[k][1]);
			ref_set(&r, cases[i].used[k][0], cases[i].used[k][1],
				true);
		}
		s = pallocbits_summarize(&b);
		KUNIT_EXPECT_EQ_MSG(test, s.start, cases[i].start, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, s.max, cases[i].max, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, s.end, cases[i].end, "case %u", i);
		pb_matches(test, &b, &r, "crafted");
	}
}

/* range_free / range_used across words, and alloc/free of exact ranges. */
static void pallocbits_ranges_test(struct kunit *test)
{
	struct pallocbits b;

	pallocbits_clear(&b);
	pallocbits_alloc_range(&b, 60, 70);		/* 60..129 */
	KUNIT_EXPECT_EQ(test, b.w[0], GENMASK_ULL(63, 60));
	KUNIT_EXPECT_EQ(test, b.w[1], ~0ULL);
	KUNIT_EXPECT_EQ(test, b.w[2], GENMASK_ULL(1, 0));
	KUNIT_EXPECT_TRUE(test, pallocbits_range_used(&b, 60, 70));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_used(&b, 59, 2));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_used(&b, 129, 2));
	KUNIT_EXPECT_TRUE(test, pallocbits_range_free(&b, 0, 60));
	KUNIT_EXPECT_TRUE(test, pallocbits_range_free(&b, 130, 382));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_free(&b, 0, 61));
	KUNIT_EXPECT_FALSE(test, pallocbits_range_free(&b, 129, 1));
	pallocbits_free_range(&b, 64, 64);
	KUNIT_EXPECT_EQ(test, b.w[1], 0ULL);
	KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 512U - 6);
	pallocbits_alloc_range(&b, 0, 512);
	KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 0U);
	pallocbits_free_range(&b, 0, 512);
	KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 512U);
}

/* Freed neighbours coalesce: their combined run is found at the first. */
static void pallocbits_coalesce_test(struct kunit *test)
{
	static const struct {
		unsigned int a, alen, blen;
	} cases[] = {
		{ 10, 10, 30 }, { 40, 24, 36 }, { 0, 64, 64 }, { 63, 1, 1 },
		{ 1, 200, 311 }, { 100, 1, 411 },
	};
	struct pallocbits b;
	struct ref_pages r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int a = cases[i].a, alen = cases[i].alen;
		unsigned int bs = a + alen, blen = cases[i].blen;

		pallocbits_fill(&b);
		memset(&r, 1, sizeof(r));
		pallocbits_free_range(&b, a, alen);
		ref_set(&r, a, alen, false);
		KUNIT_EXPECT_EQ(test, pallocbits_find(&b, alen + blen), PALLOC_NONE);
		pallocbits_free_range(&b, bs, blen);
		ref_set(&r, bs, blen, false);
		KUNIT_EXPECT_EQ_MSG(test, pallocbits_find(&b, alen + blen), a,
				    "case %u", i);
		KUNIT_EXPECT_EQ(test, pallocbits_summarize(&b).max, alen + blen);
		pb_matches(test, &b, &r, "coalesce");
		/* Reallocating the merged run restores a full chunk. */
		pallocbits_alloc_range(&b, a, alen + blen);
		KUNIT_EXPECT_EQ(test, pallocbits_free_count(&b), 0U);
	}
}

/* Random alloc/free of N-page runs against the reference allocator. */
static void pallocbits_random_test(struct kunit *test)
{
	struct {
		u16 start, n;
	} *runs;
	struct pallocbits *b;
	struct ref_pages *r;
	struct rnd_state rnd;
	unsigned int seed, step, nruns;

	runs = kunit_kcalloc(test, PALLOC_CHUNK_PAGES, sizeof(*runs), GFP_KERNEL);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, runs);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, r);

	for (seed = 1; seed <= 4; seed++) {
		prandom_seed_state(&rnd, 0xa110c000ULL + seed);
		pallocbits_clear(b);
		memset(r, 0, sizeof(*r));
		nruns = 0;
		for (step = 0; step < 3000; step++) {
			u32 x = prandom_u32_state(&rnd);
			/* Bias towards allocating until the chunk is busy. */
			bool alloc = !nruns || x % 100 < (seed == 4 ? 45 : 60);
			unsigned int n, at, want;

			if (alloc) {
				switch ((x >> 8) % 8) {
				case 0: case 1: case 2:
					n = 1 + (x >> 12) % 8;
					break;
				case 3: case 4:
					n = 1 + (x >> 12) % 64;
					break;
				case 5:
					n = 60 + (x >> 12) % 10;	/* 60..69 */
					break;
				case 6:
					n = 1 + (x >> 12) % 200;
					break;
				default:
					n = 1 + (x >> 12) % 512;
					break;
				}
				at = pallocbits_find(b, n);
				want = ref_find(r, n);
				if (at != want) {
					KUNIT_FAIL(test, "seed %u step %u: find(%u) = %u, want %u",
						   seed, step, n, at, want);
					return;
				}
				if (at == PALLOC_NONE)
					continue;
				if (!pallocbits_range_free(b, at, n)) {
					KUNIT_FAIL(test, "find(%u) = %u is not free", n, at);
					return;
				}
				pallocbits_alloc_range(b, at, n);
				ref_set(r, at, n, true);
				runs[nruns].start = at;
				runs[nruns].n = n;
				nruns++;
			} else {
				unsigned int k = (x >> 8) % nruns;

				if (!pallocbits_range_used(b, runs[k].start, runs[k].n)) {
					KUNIT_FAIL(test, "run %u+%u not in use",
						   runs[k].start, runs[k].n);
					return;
				}
				pallocbits_free_range(b, runs[k].start, runs[k].n);
				ref_set(r, runs[k].start, runs[k].n, false);
				runs[k] = runs[--nruns];
			}
			if (!pb_matches(test, b, r, "random"))
				return;
		}
	}
}

/* The reference's first run of @n free pages at a multiple of @align. */
static unsigned int ref_find_aligned(const struct ref_pages *r, unsigned int n,
				     unsigned int align)
{
	unsigned int i, k;

	for (i = 0; i + n <= PALLOC_CHUNK_PAGES; i += align) {
		for (k = 0; k < n && !r->used[i + k]; k++)
			continue;
		if (k == n)
			return i;
	}
	return PALLOC_NONE;
}

/*
 * Aligned first fit against the reference, over random chunks from
 * sparse to dense: every power of two as its own alignment (the heap's
 * case, the word-folding search up to 64 pages), and other pairs.
 */
static void pallocbits_find_aligned_test(struct kunit *test)
{
	struct pallocbits *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct ref_pages *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int round, i, n, align, at, want, found = 0;
	struct rnd_state rnd;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, r);
	prandom_seed_state(&rnd, 0xa119edULL);
	for (round = 0; round < 400; round++) {
		/* Used runs of 1 to 5 pages, starting at 1 in 4 to 1 in 128. */
		unsigned int density = 1 + round % 6;

		pallocbits_clear(b);
		memset(r, 0, sizeof(*r));
		for (i = 0; i < PALLOC_CHUNK_PAGES; i++) {
			u32 x = prandom_u32_state(&rnd);

			if (x % (2U << density))
				continue;
			n = min(1 + (x >> 16) % 5, PALLOC_CHUNK_PAGES - i);
			pallocbits_alloc_range(b, i, n);
			ref_set(r, i, n, true);
		}
		for (n = 1; n <= PALLOC_CHUNK_PAGES; n <<= 1) {
			for (align = 2; align <= PALLOC_CHUNK_PAGES; align <<= 1) {
				if (align != n && (round + n + align) % 7)
					continue;
				at = pallocbits_find_aligned(b, n, align);
				want = ref_find_aligned(r, n, align);
				if (at != want) {
					KUNIT_FAIL(test, "round %u: find(%u, %u) = %u, want %u",
						   round, n, align, at, want);
					return;
				}
				found += at != PALLOC_NONE;
			}
		}
	}
	/* The chunks were not all too full to hold anything. */
	KUNIT_EXPECT_GT(test, found, 1000U);
}

/* ---- the real heap ----------------------------------------------------- */

KUNIT_DEFINE_ACTION_WRAPPER(hp_free_action, mheap_free, struct mspan *);

static struct mheap *hp_heap(struct kunit *test)
{
	struct mheap *h = mheap_of(numa_mem_id());

	KUNIT_ASSERT_NOT_NULL(test, h);
	return h;
}

/* A span freed by a deferred action unless hp_free() frees it first. */
static struct mspan *hp_alloc(struct kunit *test, struct mheap *h,
			      unsigned int npages, unsigned int spc)
{
	struct mspan *s = mheap_alloc(h, npages, spc, GFP_KERNEL, GS_MAY_BLOCK);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(s), "npages %u: %ld",
			       npages, PTR_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hp_free_action, s), 0);
	return s;
}

static void hp_free(struct kunit *test, struct mspan *s)
{
	kunit_release_action(test, hp_free_action, s);
}

/* Restores the retain tunable and trims the heap to it. */
static void hp_restore_retain(void *old)
{
	unsigned long keep = (unsigned long)old;

	scavenge_set_retain_pages(keep);
	mheap_release(mheap_of(numa_mem_id()), keep);
}

static void hp_set_retain(struct kunit *test, unsigned long pages)
{
	void *old = (void *)scavenge_retain_pages();

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hp_restore_retain, old), 0);
	scavenge_set_retain_pages(pages);
}

/* Keep everything: no release while a case sets the heap up. */
#define HP_RETAIN_ALL	(ULONG_MAX / 4)

static unsigned long hp_page(const struct mspan *s, unsigned int k)
{
	return s->start_addr + ((unsigned long)k << GOSLAB_PAGE_SHIFT);
}

/* Longest free run in any arena of @h. */
static unsigned int hp_max_run(struct mheap *h)
{
	struct heap_arena *a;
	unsigned long flags;
	unsigned int max = 0;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list)
		max = max_t(unsigned int, max, a->sum.max);
	spin_unlock_irqrestore(&h->lock, flags);
	return max;
}

/* Owned pages that are free: every one can go back on its own. */
static unsigned long hp_releasable(struct mheap *h)
{
	struct heap_arena *a;
	unsigned long flags, n = 0;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list)
		n += a->nfree;
	spin_unlock_irqrestore(&h->lock, flags);
	return n;
}

/*
 * Use up every free page of @h so that the next span needs a new block.
 * Never a power of two pages over 1: such a span must be aligned
 * (mheap_span_align()), and a longest run that is not would make the
 * heap grow for it again and again rather than fill the run.
 */
static void hp_fill(struct kunit *test, struct mheap *h)
{
	unsigned int n, spans = 0;

	while ((n = hp_max_run(h)) != 0) {
		if (n > 1 && is_power_of_2(n))
			n--;
		hp_alloc(test, h, n, make_spanclass(0, true));
		KUNIT_ASSERT_LT(test, ++spans, 8192U);
	}
	KUNIT_ASSERT_EQ(test, h->pages_free, 0UL);
}

/* Every page of @s maps to it; the span is set up for its class. */
static void hp_check_span(struct kunit *test, struct mheap *h,
			  struct mspan *s, unsigned int npages, unsigned int spc)
{
	unsigned int sc = spanclass_sizeclass(spc), k;
	unsigned long end = hp_page(s, npages);
	struct heap_arena *a = s->arena;

	KUNIT_EXPECT_EQ(test, s->state, (u8)MSPAN_INUSE);
	KUNIT_EXPECT_EQ(test, s->npages, npages);
	KUNIT_EXPECT_EQ(test, s->spanclass, spc);
	KUNIT_EXPECT_EQ(test, s->node, h->node);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(s->start_addr, GOSLAB_PAGE_SIZE));
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, arena_of(s->start_addr), a);
	KUNIT_EXPECT_PTR_EQ(test, arena_of(end - 1), a);
	KUNIT_EXPECT_PTR_EQ(test, a->heap, h);
	KUNIT_EXPECT_GE(test, s->start_addr, a->base);
	KUNIT_EXPECT_LE(test, end, a->base + GS_ARENA_BYTES);
	if (sc) {
		KUNIT_EXPECT_EQ(test, s->elemsize, (unsigned int)class_to_size[sc]);
		KUNIT_EXPECT_EQ(test, s->nelems, (unsigned int)class_to_nelems[sc]);
	} else {
		KUNIT_EXPECT_EQ(test, s->elemsize, npages << GOSLAB_PAGE_SHIFT);
		KUNIT_EXPECT_EQ(test, s->nelems, 1U);
	}
	KUNIT_EXPECT_EQ(test, s->limit,
			s->start_addr + (unsigned long)s->nelems * s->elemsize);
	KUNIT_EXPECT_LE(test, s->limit, end);
	KUNIT_EXPECT_EQ(test, s->free_index, 0U);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 0U);
	KUNIT_EXPECT_EQ(test, s->alloc_cache, ~0ULL);

	for (k = 0; k < npages; k++) {
		unsigned long p = hp_page(s, k);

		if (span_of(p) != s || span_of(p + GOSLAB_PAGE_SIZE - 1) != s ||
		    span_of(p + 4097) != s) {
			KUNIT_FAIL(test, "npages %u: span_of page %u wrong", npages, k);
			break;
		}
		/*
		 * The memory is ours: write and read back the page's ends
		 * (under KASAN a span without objects is a red zone).
		 */
		gs_test_poke((void *)p, 0x5a);
		gs_test_poke((void *)(p + GOSLAB_PAGE_SIZE - 1), 0xa5);
		KUNIT_EXPECT_EQ(test, gs_test_peek((void *)p), 0x5a);
	}
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(s->start_addr), s);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(s->start_addr + 1), s);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(s->limit - 1), s);
	KUNIT_EXPECT_PTR_NE(test, span_of_heap(s->start_addr - 1), s);
	KUNIT_EXPECT_PTR_NE(test, span_of(end), s);
	if (s->limit < end) {
		/* The tail past the last object is not an object. */
		KUNIT_EXPECT_PTR_EQ(test, span_of(s->limit), s);
		KUNIT_EXPECT_NULL(test, span_of_heap(s->limit));
		KUNIT_EXPECT_NULL(test, span_of_heap(end - 1));
	}
}

/* After the span is gone its pages look up as nobody's. */
static void hp_free_and_check(struct kunit *test, struct mspan *s)
{
	unsigned long start = s->start_addr;
	unsigned int npages = s->npages, k;

	hp_free(test, s);
	for (k = 0; k < npages; k++) {
		unsigned long p = start + ((unsigned long)k << GOSLAB_PAGE_SHIFT);

		if (span_of(p) || span_of_heap(p + 8)) {
			KUNIT_FAIL(test, "freed page %u of %u still has a span",
				   k, npages);
			break;
		}
	}
}

/*
 * The heap's bookkeeping is consistent: summaries match the bitmaps,
 * counters match the bits, a page is in a span exactly when it is owned
 * and marked in use, and the index holds every arena in the bucket of
 * its summary (mheap_index_check()).
 */
static void hp_check_invariants(struct kunit *test, struct mheap *h)
{
	unsigned long owned = 0, nfree = 0, narenas = 0, flags;
	const struct heap_arena *ia;
	const char *bad = NULL, *ibad;
	struct heap_arena *a;
	unsigned int k;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list) {
		struct pallocsum sum = pallocbits_summarize(&a->pages);

		narenas++;
		if (!pallocsum_equal(sum, a->sum) ||
		    pallocbits_free_count(&a->pages) != a->nfree ||
		    bitmap_weight(a->owned, GS_PAGES_PER_ARENA) != a->nowned ||
		    a->nfree > a->nowned || !a->nowned ||
		    !IS_ALIGNED(a->base, GS_ARENA_BYTES) ||
		    arena_of(a->base) != a || a->heap != h) {
			bad = "arena summary, counters or table";
			break;
		}
		for (k = 0; k < GS_PAGES_PER_ARENA; k++) {
			bool own = test_bit(k, a->owned);
			bool used = (a->pages.w[k / 64] >> (k % 64)) & 1;
			struct mspan *s = a->spans[k];

			if ((own && used) != !!s || (!own && !used)) {
				bad = "page bit, ownership and spans[] disagree";
				break;
			}
		}
		if (bad)
			break;
		owned += a->nowned;
		nfree += a->nfree;
	}
	if (!bad && (owned != h->pages_owned || nfree != h->pages_free ||
		     narenas != h->nr_arenas || h->pages_inuse != owned - nfree))
		bad = "heap counters";
	ibad = mheap_index_check(h, &ia);
	spin_unlock_irqrestore(&h->lock, flags);
	KUNIT_EXPECT_NULL_MSG(test, bad, "heap bookkeeping: %s", bad);
	KUNIT_EXPECT_NULL_MSG(test, ibad, "arena index: %s (arena %lx)", ibad,
			      ia ? ia->base : 0);
}

/* Large spans of many sizes: every page looks up to its span. */
static void heap_alloc_npages_test(struct kunit *test)
{
	static const unsigned int sizes[] = {
		1, 2, 3, 5, 8, 16, 31, 63, 64, 65, 100, 127, 128, 129, 255, 256,
		257, 300, 511,
	};
	struct mheap *h = hp_heap(test);
	unsigned long inuse0 = h->pages_inuse;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct mspan *s = hp_alloc(test, h, sizes[i], make_spanclass(0, true));

		hp_check_span(test, h, s, sizes[i], make_spanclass(0, true));
		KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0 + sizes[i]);
		hp_free_and_check(test, s);
		KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0);
	}
	hp_check_invariants(test, h);
}

/* Many spans at once: each page maps to its own span, none overlap. */
static void heap_many_spans_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *s[48];
	unsigned long inuse0 = h->pages_inuse, total = 0;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		unsigned int n = 1 + (i * 7) % 40;

		s[i] = hp_alloc(test, h, n, make_spanclass(0, i & 1));
		total += n;
	}
	KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0 + total);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		hp_check_span(test, h, s[i], s[i]->npages, s[i]->spanclass);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		for (k = i + 1; k < ARRAY_SIZE(s); k++)
			if (s[i]->start_addr < hp_page(s[k], s[k]->npages) &&
			    s[k]->start_addr < hp_page(s[i], s[i]->npages))
				KUNIT_FAIL(test, "spans %u and %u overlap", i, k);
	hp_check_invariants(test, h);
	/* Free every other one, check the rest still look up, free all. */
	for (i = 0; i < ARRAY_SIZE(s); i += 2)
		hp_free_and_check(test, s[i]);
	for (i = 1; i < ARRAY_SIZE(s); i += 2)
		KUNIT_EXPECT_PTR_EQ(test, span_of(hp_page(s[i], s[i]->npages - 1)),
				    s[i]);
	hp_check_invariants(test, h);
	for (i = 1; i < ARRAY_SIZE(s); i += 2)
		hp_free_and_check(test, s[i]);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0);
	hp_check_invariants(test, h);
}

/* Small-object spans: class fields, the tail past limit, obj index. */
static void heap_small_class_spans_test(struct kunit *test)
{
	static const unsigned int classes[] = {
		1, 2, 3, 5, 17, 26, 31, 35, 40, 44, 48, 51, 55, 59, 64, 67,
	};
	struct mheap *h = hp_heap(test);
	unsigned int i, j, tails = 0;

	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		unsigned int c = classes[i];
		unsigned int npages = class_to_allocnpages[c];
		bool noscan;

		for (noscan = false; ; noscan = true) {
			unsigned int spc = make_spanclass(c, noscan);
			struct mspan *s = hp_alloc(test, h, npages, spc);
			unsigned int probe[] = {
				0, s->nelems > 1, s->nelems / 2, s->nelems - 1
			};

			hp_check_span(test, h, s, npages, spc);
			KUNIT_EXPECT_EQ(test, s->divmagic, class_to_divmagic[c]);
			tails += s->limit < hp_page(s, npages);
			for (j = 0; j < ARRAY_SIZE(probe); j++) {
				unsigned long p = s->start_addr +
					(unsigned long)probe[j] * s->elemsize;

				KUNIT_EXPECT_EQ(test, mspan_obj_index(s, p), probe[j]);
				KUNIT_EXPECT_EQ(test, mspan_obj_index(s, p + s->elemsize - 1),
						probe[j]);
				KUNIT_EXPECT_PTR_EQ(test, span_of_heap(p + s->elemsize - 1), s);
			}
			if (spc == GS_TINY_SPANCLASS)
				KUNIT_EXPECT_NOT_NULL(test, s->tinyrefs);
			else
				KUNIT_EXPECT_NULL(test, s->tinyrefs);
			hp_free_and_check(test, s);
			if (noscan)
				break;
		}
	}
	/* Several of these classes leave a tail (e.g. 2688 * 3 < 8192). */
	KUNIT_EXPECT_GT(test, tails, 4U);
	hp_check_invariants(test, h);
}

/* A 512-page span is a whole arena; 513 and 0 pages are refused. */
static void heap_large_spans_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *s, *t, *e;

	hp_set_retain(test, HP_RETAIN_ALL);
	s = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	hp_check_span(test, h, s, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, s->start_addr, s->arena->base);
	KUNIT_EXPECT_EQ(test, s->limit, s->start_addr + GS_ARENA_BYTES);
	KUNIT_EXPECT_EQ(test, s->arena->nfree, 0U);
	KUNIT_EXPECT_EQ(test, s->arena->sum.max, 0);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(s->start_addr + GS_ARENA_BYTES - 1), s);

	/* Two at once come from two arenas. */
	t = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, false));
	KUNIT_EXPECT_PTR_NE(test, t->arena, s->arena);
	KUNIT_EXPECT_EQ(test, t->start_addr, t->arena->base);

	e = mheap_alloc(h, GS_PAGES_PER_ARENA + 1, make_spanclass(0, true),
			GFP_KERNEL, GS_MAY_BLOCK);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), (long)-E2BIG);
	e = mheap_alloc(h, 0, make_spanclass(0, true), GFP_KERNEL, GS_MAY_BLOCK);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), (long)-E2BIG);

	hp_free_and_check(test, t);
	hp_free_and_check(test, s);
	hp_check_invariants(test, h);
}

/* With every page in use the next span grows the heap by a new arena. */
static void heap_grow_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long owned0, arenas0, grows0;
	struct mspan *s, *t, *u;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_fill(test, h);
	owned0 = h->pages_owned;
	arenas0 = h->nr_arenas;
	grows0 = h->grows;

	s = hp_alloc(test, h, 1, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, h->grows, grows0 + 1);
	KUNIT_EXPECT_GT(test, h->pages_owned, owned0);
	KUNIT_EXPECT_EQ(test, h->pages_free, h->pages_owned - owned0 - 1);
	if (s->arena->nowned != GS_PAGES_PER_ARENA)
		kunit_skip(test, "no order-%u block: fell back to a smaller one",
			   GS_ARENA_ORDER);
	KUNIT_EXPECT_EQ(test, h->nr_arenas, arenas0 + 1);
	KUNIT_EXPECT_EQ(test, h->pages_owned, owned0 + GS_PAGES_PER_ARENA);
	/* A fresh arena: first fit takes its first page. */
	KUNIT_EXPECT_EQ(test, s->start_addr, s->arena->base);
	KUNIT_EXPECT_EQ(test, bitmap_weight(s->arena->owned, GS_PAGES_PER_ARENA),
			(unsigned int)GS_PAGES_PER_ARENA);

	/* The rest of the new arena is used before growing again. */
	t = hp_alloc(test, h, GS_PAGES_PER_ARENA - 1, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, h->grows, grows0 + 1);
	KUNIT_EXPECT_PTR_EQ(test, t->arena, s->arena);
	KUNIT_EXPECT_EQ(test, t->start_addr, hp_page(s, 1));
	KUNIT_EXPECT_EQ(test, h->pages_free, 0UL);

	u = hp_alloc(test, h, 3, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, h->grows, grows0 + 2);
	KUNIT_EXPECT_PTR_NE(test, u->arena, s->arena);
	hp_check_invariants(test, h);
}

/* Without GS_MAY_BLOCK a sleeping gfp asks the caller to grow (-EAGAIN). */
static void heap_grow_eagain_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long grows0;
	struct mspan *s;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_fill(test, h);
	grows0 = h->grows;
	s = mheap_alloc(h, 1, make_spanclass(0, true), GFP_KERNEL, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(s), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, h->grows, grows0);
	if (!IS_ERR_OR_NULL(s))
		kunit_add_action_or_reset(test, hp_free_action, s);
	hp_check_invariants(test, h);
}

/* GFP_ATOMIC with interrupts off grows the heap without sleeping. */
static void heap_grow_atomic_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long grows0, flags;
	struct mspan *s;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_fill(test, h);
	grows0 = h->grows;
	local_irq_save(flags);
	s = mheap_alloc(h, 2, make_spanclass(0, true), GFP_ATOMIC, 0);
	local_irq_restore(flags);
	if (PTR_ERR(s) == -ENOMEM)
		kunit_skip(test, "GFP_ATOMIC block not available");
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hp_free_action, s), 0);
	KUNIT_EXPECT_GT(test, h->grows, grows0);
	hp_check_span(test, h, s, 2, make_spanclass(0, true));
	hp_check_invariants(test, h);
}

/*
 * Split and coalesce in a fresh arena: spans are carved first fit from
 * its start, and freed neighbours merge into one run.
 */
static void heap_coalesce_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *a, *b, *c, *d, *e;
	struct heap_arena *ar;
	unsigned long base;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_fill(test, h);
	a = hp_alloc(test, h, 100, make_spanclass(0, true));
	ar = a->arena;
	if (ar->nowned != GS_PAGES_PER_ARENA)
		kunit_skip(test, "no order-%u block for a fresh arena",
			   GS_ARENA_ORDER);
	base = ar->base;
	KUNIT_ASSERT_EQ(test, a->start_addr, base);
	b = hp_alloc(test, h, 150, make_spanclass(0, true));
	c = hp_alloc(test, h, 62, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, b->start_addr, hp_page(a, 100));
	KUNIT_EXPECT_EQ(test, c->start_addr, hp_page(b, 150));
	KUNIT_EXPECT_EQ(test, h->pages_free, 200UL);
	KUNIT_EXPECT_EQ(test, ar->sum.start, 0);
	KUNIT_EXPECT_EQ(test, ar->sum.end, 200);

	hp_free_and_check(test, a);
	hp_free_and_check(test, b);
	KUNIT_EXPECT_EQ(test, h->pages_free, 450UL);
	KUNIT_EXPECT_EQ(test, ar->sum.start, 250);
	KUNIT_EXPECT_EQ(test, ar->sum.max, 250);
	KUNIT_EXPECT_EQ(test, ar->sum.end, 200);

	/* 250 pages fit only where a and b were. */
	d = hp_alloc(test, h, 250, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, d->start_addr, base);
	KUNIT_EXPECT_PTR_EQ(test, span_of(base + 249 * GOSLAB_PAGE_SIZE), d);
	KUNIT_EXPECT_PTR_EQ(test, span_of(base + 250 * GOSLAB_PAGE_SIZE), c);

	/* c between two free runs: freeing everything gives one arena run. */
	hp_free_and_check(test, d);
	hp_free_and_check(test, c);
	KUNIT_EXPECT_EQ(test, ar->nfree, (unsigned int)GS_PAGES_PER_ARENA);
	KUNIT_EXPECT_EQ(test, ar->sum.max, (u16)GS_PAGES_PER_ARENA);
	e = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, e->start_addr, base);
	hp_free_and_check(test, e);
	hp_check_invariants(test, h);
}

/* Reused pages are flagged for zeroing; the first span on them is not. */
static void heap_needzero_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *s, *t;
	unsigned long start;

	hp_set_retain(test, HP_RETAIN_ALL);
	s = hp_alloc(test, h, 8, make_spanclass(0, true));
	start = s->start_addr;
	memset((void *)start, 0x77, 8 * GOSLAB_PAGE_SIZE);
	hp_free_and_check(test, s);
	/* First fit puts the same request back at the same place. */
	t = hp_alloc(test, h, 8, make_spanclass(0, true));
	KUNIT_EXPECT_EQ(test, t->start_addr, start);
	KUNIT_EXPECT_EQ(test, t->needzero, 1);
	hp_free_and_check(test, t);
}

/*
 * Freeing large spans past the scavenger's target gives the excess back
 * at once, page by page, as SLUB's kfree() of a large kmalloc does: no
 * more than the target is left free, and at least the freed spans' pages
 * beyond it went back.
 */
static void heap_retain_threshold_test(struct kunit *test)
{
	const unsigned long retain = GS_PAGES_PER_ARENA;
	struct mheap *h = hp_heap(test);
	unsigned long owned_peak, arenas_peak, releases0;
	struct mspan *s[4];
	unsigned long base[4];
	unsigned int i;

	hp_set_retain(test, HP_RETAIN_ALL);
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i] = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
		base[i] = s[i]->start_addr;
	}
	owned_peak = h->pages_owned;
	arenas_peak = h->nr_arenas;
	releases0 = h->releases;

	scavenge_set_retain_pages(retain);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		hp_free_and_check(test, s[i]);
	KUNIT_EXPECT_LE_MSG(test, h->pages_free, scavenge_target(h),
			    "pages_free %lu, target %lu", h->pages_free,
			    scavenge_target(h));
	KUNIT_EXPECT_GE(test, owned_peak - h->pages_owned,
			4 * GS_PAGES_PER_ARENA - scavenge_target(h));
	KUNIT_EXPECT_LT(test, h->nr_arenas, arenas_peak);
	KUNIT_EXPECT_GT(test, h->releases, releases0);
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		KUNIT_EXPECT_NULL(test, span_of(base[i]));
		KUNIT_EXPECT_NULL(test, span_of_heap(base[i] + 64));
	}
	hp_check_invariants(test, h);
}

#define HP_SCAVENGE_SPANS	1024

/*
 * Small spans come back to the heap one at a time; the background
 * scavenger gives their pages back without being asked (no flush, no
 * release): within a few of its periods the heap holds no more than its
 * target free, and, once idle, no more than retain_pages.
 */
static void heap_scavenger_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long runs0, owned_peak, waited;
	struct mspan **s;
	unsigned int i;

	s = kunit_kcalloc(test, HP_SCAVENGE_SPANS, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	hp_set_retain(test, HP_RETAIN_ALL);
	for (i = 0; i < HP_SCAVENGE_SPANS; i++)
		s[i] = hp_alloc(test, h, 1, make_spanclass(1, true));
	owned_peak = h->pages_owned;
	scavenge_set_retain_pages(16);
	runs0 = scavenge_runs();
	for (i = 0; i < HP_SCAVENGE_SPANS; i++)
		hp_free_and_check(test, s[i]);
	/* Up to 10 s: the scavenger's period is 1 s. */
	for (waited = 0; waited < 100; waited++) {
		if (scavenge_runs() > runs0 + 1 && h->pages_free <= 16)
			break;
		msleep(100);
	}
	KUNIT_EXPECT_GT(test, scavenge_runs(), runs0);
	KUNIT_EXPECT_LE_MSG(test, h->pages_free, 16UL,
			    "%lu pages free after %lu ms", h->pages_free,
			    waited * 100);
	KUNIT_EXPECT_GE(test, owned_peak - h->pages_owned,
			(unsigned long)HP_SCAVENGE_SPANS - 16);
	hp_check_invariants(test, h);
}

/*
 * A scavenge of a heap in use gives back pages only: the span structs the
 * heap caches stay for its next spans (mheap_scavenge()).  A release
 * gives them back to their fixallocs too, as the idle pass does.
 */
static void heap_scavenge_keeps_meta_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned int i, words, cached;
	struct mspan *s[8];

	hp_set_retain(test, HP_RETAIN_ALL);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = hp_alloc(test, h, 1, make_spanclass(1, true));
	words = mspan_bitmap_words(s[0]->nelems);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		hp_free_and_check(test, s[i]);
	cached = READ_ONCE(h->nspancache[words]);
	KUNIT_EXPECT_GT(test, cached, 0U);
	mheap_scavenge(h, 0);
	KUNIT_EXPECT_EQ(test, h->pages_free, 0UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->nspancache[words]), cached);
	mheap_release(h, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->nspancache[words]), 0U);
	hp_check_invariants(test, h);
}

/*
 * A high threshold keeps free arenas; lowering it later releases nothing
 * by itself (the next free or mheap_release() does).
 */
static void heap_retain_keeps_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long owned_peak;
	struct mspan *s[3];
	unsigned int i;

	hp_set_retain(test, HP_RETAIN_ALL);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	owned_peak = h->pages_owned;
	for (i = 0; i < ARRAY_SIZE(s); i++)
		hp_free_and_check(test, s[i]);
	KUNIT_EXPECT_EQ(test, h->pages_owned, owned_peak);
	KUNIT_EXPECT_GE(test, hp_releasable(h), 3UL * GS_PAGES_PER_ARENA);
	scavenge_flush();
	scavenge_set_retain_pages(0);
	KUNIT_EXPECT_EQ(test, h->pages_owned, owned_peak);
	hp_check_invariants(test, h);
}

/* mheap_release(h, 0) returns every free page. */
static void heap_release_all_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	unsigned long owned0, arenas0, base;
	struct mspan *s;

	hp_set_retain(test, HP_RETAIN_ALL);
	s = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	base = s->start_addr;
	hp_free_and_check(test, s);
	KUNIT_EXPECT_NOT_NULL(test, arena_of(base));	/* kept */
	KUNIT_EXPECT_GE(test, hp_releasable(h), (unsigned long)GS_PAGES_PER_ARENA);
	owned0 = h->pages_owned;
	arenas0 = h->nr_arenas;

	mheap_release(h, 0);
	KUNIT_EXPECT_EQ(test, hp_releasable(h), 0UL);
	KUNIT_EXPECT_NULL(test, arena_of(base));
	KUNIT_EXPECT_NULL(test, span_of(base));
	KUNIT_EXPECT_GE(test, owned0 - h->pages_owned,
			(unsigned long)GS_PAGES_PER_ARENA);
	KUNIT_EXPECT_LT(test, h->nr_arenas, arenas0);
	hp_check_invariants(test, h);

	/* The heap still works: a new span grows it again. */
	s = hp_alloc(test, h, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	hp_check_span(test, h, s, GS_PAGES_PER_ARENA, make_spanclass(0, true));
	hp_free_and_check(test, s);
}

/* Random alloc/free of spans on the real heap, bookkeeping checked. */
static void heap_random_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *live[64] = { };
	unsigned long inuse0 = h->pages_inuse, inuse = 0;
	struct rnd_state rnd;
	unsigned int step, i;

	prandom_seed_state(&rnd, 0xbeadULL);
	for (step = 0; step < 1000; step++) {
		u32 x = prandom_u32_state(&rnd);

		i = x % ARRAY_SIZE(live);
		if (live[i]) {
			inuse -= live[i]->npages;
			hp_free_and_check(test, live[i]);
			live[i] = NULL;
		} else {
			unsigned int n = (x >> 8) % 4 ? 1 + (x >> 12) % 16 :
						       1 + (x >> 12) % 300;

			live[i] = hp_alloc(test, h, n, make_spanclass(0, true));
			inuse += n;
			if (span_of(hp_page(live[i], n - 1)) != live[i] ||
			    span_of(live[i]->start_addr) != live[i])
				KUNIT_FAIL(test, "step %u: lookup", step);
		}
		if (h->pages_inuse != inuse0 + inuse) {
			KUNIT_FAIL(test, "step %u: pages_inuse %lu, want %lu", step,
				   h->pages_inuse, inuse0 + inuse);
			break;
		}
		if (step % 50 == 0)
			hp_check_invariants(test, h);
	}
	for (i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i])
			hp_free_and_check(test, live[i]);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0);
	hp_check_invariants(test, h);
}

/* ---- the arena index ---------------------------------------------------- */

/* Is @h's index its arenas by their summaries?  Fails the case if not. */
static bool hp_index_ok(struct kunit *test, struct mheap *h, unsigned int step)
{
	const struct heap_arena *a;
	unsigned long flags;
	const char *why;

	spin_lock_irqsave(&h->lock, flags);
	why = mheap_index_check(h, &a);
	spin_unlock_irqrestore(&h->lock, flags);
	if (why)
		KUNIT_FAIL(test, "step %u: arena index: %s (arena %lx)", step,
			   why, a ? a->base : 0);
	return !why;
}

/* Free runs hp_shape() leaves, lowest arena first. */
static const unsigned int hp_shape_run[3] = { 200, 100, 50 };

/*
 * Three fresh arenas, by address, each with one free run at its end of
 * hp_shape_run[] pages and every other page of the heap in use: the
 * lowest has the longest run, the highest the shortest.  Each is shaped
 * while it is the only arena with a run that long, so where the span
 * goes does not depend on the heap's policy.  @ar gets the arenas, @t
 * the spans that fill them.
 */
static void hp_shape(struct kunit *test, struct mheap *h,
		     struct heap_arena **ar, struct mspan **t)
{
	const unsigned int spc = make_spanclass(0, true);
	struct mspan *s[3], *x;
	unsigned int i, j;

	hp_fill(test, h);
	for (i = 0; i < 3; i++)
		s[i] = hp_alloc(test, h, GS_PAGES_PER_ARENA, spc);
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (s[j]->start_addr < s[i]->start_addr) {
				x = s[i];
				s[i] = s[j];
				s[j] = x;
			}
	for (i = 3; i--;) {
		ar[i] = s[i]->arena;
		hp_free(test, s[i]);
		t[i] = hp_alloc(test, h, GS_PAGES_PER_ARENA - hp_shape_run[i], spc);
		KUNIT_ASSERT_PTR_EQ(test, t[i]->arena, ar[i]);
		KUNIT_ASSERT_EQ(test, ar[i]->sum.max, (u16)hp_shape_run[i]);
	}
	KUNIT_ASSERT_EQ(test, h->pages_free, 350UL);
}

/*
 * Best fit across arenas: a span comes from the arena whose longest free
 * run fits it most tightly, whatever the addresses.  The tightest arena
 * is the highest here; first fit in address order (the list walk before
 * the index) took the lowest.
 */
static void heap_index_best_fit_test(struct kunit *test)
{
	const unsigned int spc = make_spanclass(0, true);
	struct mheap *h = hp_heap(test);
	struct heap_arena *ar[3];
	struct mspan *t[3], *s;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_shape(test, h, ar, t);
	s = hp_alloc(test, h, 40, spc);		/* runs 200 100 50 */
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ar[2]);
	KUNIT_EXPECT_EQ(test, s->start_addr, hp_page(t[2], t[2]->npages));
	s = hp_alloc(test, h, 60, spc);		/* runs 200 100 10 */
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ar[1]);
	s = hp_alloc(test, h, 150, spc);	/* runs 200 40 10 */
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ar[0]);
	s = hp_alloc(test, h, 10, spc);		/* runs 50 40 10: exact */
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ar[2]);
	KUNIT_EXPECT_EQ(test, ar[2]->nfree, 0U);
	hp_check_invariants(test, h);
}

/*
 * An aligned span (a power of two pages, mheap_span_align()) passes over
 * the tightest arena when its run has no aligned start, and lands
 * aligned in the next arena that has one.
 */
static void heap_index_aligned_test(struct kunit *test)
{
	const unsigned int spc = make_spanclass(0, true);
	struct mheap *h = hp_heap(test);
	struct mspan *x, *y, *q, *s;
	struct heap_arena *ax, *ay;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_fill(test, h);
	x = hp_alloc(test, h, GS_PAGES_PER_ARENA, spc);
	y = hp_alloc(test, h, GS_PAGES_PER_ARENA, spc);
	ax = x->arena;
	ay = y->arena;
	/* ax: pages 1 to 40 free, no 32-page run at a multiple of 32. */
	hp_free(test, x);
	KUNIT_ASSERT_EQ(test, hp_alloc(test, h, 1, spc)->start_addr, ax->base);
	q = hp_alloc(test, h, 40, spc);
	KUNIT_ASSERT_PTR_EQ(test, q->arena, ax);
	KUNIT_ASSERT_PTR_EQ(test, hp_alloc(test, h, 471, spc)->arena, ax);
	hp_free(test, q);
	/* ay: pages 412 to 511 free, 416 aligned to 32. */
	hp_free(test, y);
	KUNIT_ASSERT_PTR_EQ(test, hp_alloc(test, h, 412, spc)->arena, ay);
	KUNIT_ASSERT_EQ(test, ax->sum.max, 40);
	KUNIT_ASSERT_EQ(test, ay->sum.max, 100);

	s = hp_alloc(test, h, 32, spc);
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ay);
	KUNIT_EXPECT_EQ(test, s->start_addr, ay->base + 416 * GOSLAB_PAGE_SIZE);
	/* 16 aligned fits in ax's run (16 to 31), the tightest again. */
	s = hp_alloc(test, h, 16, spc);
	KUNIT_EXPECT_PTR_EQ(test, s->arena, ax);
	KUNIT_EXPECT_EQ(test, s->start_addr, ax->base + 16 * GOSLAB_PAGE_SIZE);
	hp_check_invariants(test, h);
}

/*
 * The scavenger empties the emptiest arenas first: with the lowest arena
 * all free and short runs in two above it, giving back an arena's worth
 * of pages gives back that whole arena and leaves the runs alone.  The
 * walk in reverse address order before the index took the highest
 * arenas' runs first and left the free arena in part.
 */
static void heap_scavenge_emptiest_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct heap_arena *ar[3];
	struct mspan *t[3];
	unsigned long base;

	hp_set_retain(test, HP_RETAIN_ALL);
	hp_shape(test, h, ar, t);
	hp_free(test, t[0]);
	base = ar[0]->base;
	KUNIT_ASSERT_EQ(test, ar[0]->nfree, (unsigned int)GS_PAGES_PER_ARENA);
	mheap_release(h, h->pages_free - GS_PAGES_PER_ARENA);
	KUNIT_EXPECT_NULL(test, arena_of(base));
	KUNIT_EXPECT_EQ(test, ar[1]->nfree, hp_shape_run[1]);
	KUNIT_EXPECT_EQ(test, ar[2]->nfree, hp_shape_run[2]);
	KUNIT_EXPECT_EQ(test, h->pages_free, 150UL);
	hp_check_invariants(test, h);
}

#define HP_INDEX_LIVE	64

/*
 * The index stays its arenas' summaries through random spans (aligned
 * ones too), frees, large frees past the scavenger's target, and
 * releases: checked after every step.
 */
static void heap_index_random_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	struct mspan *live[HP_INDEX_LIVE] = { };
	unsigned int step, i, n, kind;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x1de5ULL);
	for (step = 0; step < 800; step++) {
		u32 x = prandom_u32_state(&rnd);

		i = x % HP_INDEX_LIVE;
		kind = (x >> 8) % 8;
		if (live[i]) {
			hp_free(test, live[i]);
			live[i] = NULL;
		} else {
			if (kind < 4)
				n = 1 + (x >> 12) % 16;
			else if (kind < 7)
				n = 2U << ((x >> 12) % 8);	/* aligned: 2 to 256 */
			else
				n = 1 + (x >> 12) % GS_PAGES_PER_ARENA;
			live[i] = hp_alloc(test, h, n, make_spanclass(0, x & 1));
			if (is_power_of_2(n) &&
			    !IS_ALIGNED(live[i]->start_addr,
					(unsigned long)n * GOSLAB_PAGE_SIZE)) {
				KUNIT_FAIL(test, "step %u: %u pages at %lx", step, n,
					   live[i]->start_addr);
				break;
			}
		}
		if (step % 101 == 100)
			mheap_release(h, h->pages_free / 2);
		if (!hp_index_ok(test, h, step))
			break;
	}
	for (i = 0; i < HP_INDEX_LIVE; i++)
		if (live[i])
			hp_free(test, live[i]);
	hp_check_invariants(test, h);
}

/* ---- lookups of memory goslab does not own ------------------------------ */

static void hp_expect_foreign(struct kunit *test, const void *p, const char *what)
{
	unsigned long a = (unsigned long)p;

	KUNIT_EXPECT_NULL_MSG(test, span_of(a), "%s", what);
	KUNIT_EXPECT_NULL_MSG(test, span_of_heap(a), "%s", what);
	KUNIT_EXPECT_NULL_MSG(test, span_of_heap(a + 1), "%s + 1", what);
	KUNIT_EXPECT_NULL_MSG(test, span_of_heap(a | 7), "%s | 7", what);
	/* Outside the direct map there can be no arena at all. */
	if (!virt_addr_valid(p))
		KUNIT_EXPECT_NULL_MSG(test, arena_of(a), "%s", what);
}

static void heap_lookup_stack_test(struct kunit *test)
{
	unsigned long on_stack[4] = { 1, 2, 3, 4 };

	hp_expect_foreign(test, on_stack, "stack");
	hp_expect_foreign(test, &on_stack[3], "stack[3]");
	KUNIT_EXPECT_EQ(test, on_stack[0] + on_stack[3], 5UL);
}

static void heap_lookup_kmalloc_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 64, 192, 4096, 8192, 65536 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = kmalloc(sizes[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		hp_expect_foreign(test, p, "kmalloc");
		hp_expect_foreign(test, (char *)p + sizes[i] - 1, "kmalloc end");
		kfree(p);
	}
}

static void heap_lookup_vmalloc_test(struct kunit *test)
{
	void *p = vmalloc(3 * PAGE_SIZE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	hp_expect_foreign(test, p, "vmalloc");
	hp_expect_foreign(test, (char *)p + 2 * PAGE_SIZE + 5, "vmalloc interior");
	KUNIT_EXPECT_NULL(test, arena_of((unsigned long)p));
	vfree(p);
}

/* Direct-map pages from the buddy allocator that goslab never got. */
static void heap_lookup_buddy_page_test(struct kunit *test)
{
	struct page *pg[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pg); i++) {
		pg[i] = alloc_pages(GFP_KERNEL, i % 4);
		KUNIT_ASSERT_NOT_NULL(test, pg[i]);
		hp_expect_foreign(test, page_address(pg[i]), "alloc_pages");
	}
	for (i = 0; i < ARRAY_SIZE(pg); i++)
		__free_pages(pg[i], i % 4);
}

/* Addresses nowhere near the direct map, and the kernel image. */
static void heap_lookup_odd_addresses_test(struct kunit *test)
{
	static const unsigned long addrs[] = {
		0, 1, 4096, 0x400000, 0x7fffffffe000UL, ~0UL, ~0UL - 4095,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		KUNIT_EXPECT_NULL_MSG(test, span_of(addrs[i]), "%#lx", addrs[i]);
		KUNIT_EXPECT_NULL_MSG(test, span_of_heap(addrs[i]), "%#lx", addrs[i]);
		KUNIT_EXPECT_NULL_MSG(test, arena_of(addrs[i]), "%#lx", addrs[i]);
	}
	KUNIT_EXPECT_NULL(test, span_of(PAGE_OFFSET - 1));
	hp_expect_foreign(test, &mheap_meta_lock, "kernel data");
	hp_expect_foreign(test, (const void *)heap_lookup_odd_addresses_test,
			  "kernel text");
	hp_expect_foreign(test, ZERO_SIZE_PTR, "ZERO_SIZE_PTR");
}

/* Interior, unaligned, tail and freed addresses of a real span. */
static void heap_lookup_interior_test(struct kunit *test)
{
	struct mheap *h = hp_heap(test);
	/* Class 40: 3 objects of 2688 bytes in one page, a 128-byte tail. */
	unsigned int c = 40, npages = class_to_allocnpages[40];
	struct mspan *s, *t;
	unsigned long start, tail;

	KUNIT_ASSERT_EQ(test, (unsigned int)class_to_size[c], 2688U);
	s = hp_alloc(test, h, npages, make_spanclass(c, false));
	start = s->start_addr;
	tail = start + 3 * 2688;
	KUNIT_EXPECT_EQ(test, s->limit, tail);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(start + 3), s);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(start + 2688 + 17), s);
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(tail - 1), s);
	KUNIT_EXPECT_NULL(test, span_of_heap(tail));
	KUNIT_EXPECT_NULL(test, span_of_heap(tail + 5));
	KUNIT_EXPECT_NULL(test, span_of_heap(start + GOSLAB_PAGE_SIZE - 1));
	KUNIT_EXPECT_PTR_EQ(test, span_of(start + GOSLAB_PAGE_SIZE - 1), s);
	KUNIT_EXPECT_EQ(test, mspan_obj_index(s, start + 2 * 2688 + 100), 2U);

	/* A span being dead makes span_of_heap say no even before unlinking. */
	t = hp_alloc(test, h, 2, make_spanclass(0, true));
	KUNIT_EXPECT_PTR_EQ(test, span_of_heap(t->start_addr + 12345), t);
	WRITE_ONCE(t->state, MSPAN_DEAD);
	KUNIT_EXPECT_NULL(test, span_of_heap(t->start_addr + 12345));
	KUNIT_EXPECT_PTR_EQ(test, span_of(t->start_addr + 12345), t);
	WRITE_ONCE(t->state, MSPAN_INUSE);

	hp_free_and_check(test, s);
	KUNIT_EXPECT_NULL(test, span_of(start));
	KUNIT_EXPECT_NULL(test, span_of_heap(start + 3));
	hp_free_and_check(test, t);
}

/*
 * The arena table's reach (the load-time check in module.c): all of
 * 4-level paging's 64 TiB of direct map and nothing beyond, the same
 * bound arena_index() enforces; this machine's memory is inside it.
 */
static void heap_table_reach_test(struct kunit *test)
{
	unsigned long pfns = GS_TABLE_BYTES >> PAGE_SHIFT;

	KUNIT_EXPECT_TRUE(test, arena_table_covers(0));
	KUNIT_EXPECT_TRUE(test, arena_table_covers(pfns));
	KUNIT_EXPECT_FALSE(test, arena_table_covers(pfns + 1));
	KUNIT_EXPECT_FALSE(test, arena_table_covers(ULONG_MAX >> PAGE_SHIFT));
	KUNIT_EXPECT_GE(test, arena_index(PAGE_OFFSET + GS_TABLE_BYTES -
					  GS_ARENA_BYTES), 0L);
	KUNIT_EXPECT_EQ(test, arena_index(PAGE_OFFSET + GS_TABLE_BYTES), -1L);
	KUNIT_EXPECT_TRUE(test, arena_table_covers(max_pfn));
}

static struct kunit_case goslab_heap_cases[] = {
	KUNIT_CASE(pallocbits_empty_full_test),
	KUNIT_CASE(pallocbits_find_edges_test),
	KUNIT_CASE(pallocbits_summary_cases_test),
	KUNIT_CASE(pallocbits_ranges_test),
	KUNIT_CASE(pallocbits_coalesce_test),
	KUNIT_CASE(pallocbits_random_test),
	KUNIT_CASE(pallocbits_find_aligned_test),
	KUNIT_CASE(heap_alloc_npages_test),
	KUNIT_CASE(heap_many_spans_test),
	KUNIT_CASE(heap_small_class_spans_test),
	KUNIT_CASE(heap_large_spans_test),
	KUNIT_CASE(heap_grow_test),
	KUNIT_CASE(heap_grow_eagain_test),
	KUNIT_CASE(heap_grow_atomic_test),
	KUNIT_CASE(heap_coalesce_test),
	KUNIT_CASE(heap_needzero_test),
	KUNIT_CASE(heap_retain_threshold_test),
	KUNIT_CASE(heap_scavenger_test),
	KUNIT_CASE(heap_scavenge_keeps_meta_test),
	KUNIT_CASE(heap_retain_keeps_test),
	KUNIT_CASE(heap_release_all_test),
	KUNIT_CASE(heap_random_test),
	KUNIT_CASE(heap_index_best_fit_test),
	KUNIT_CASE(heap_index_aligned_test),
	KUNIT_CASE(heap_scavenge_emptiest_test),
	KUNIT_CASE(heap_index_random_test),
	KUNIT_CASE(heap_lookup_stack_test),
	KUNIT_CASE(heap_lookup_kmalloc_test),
	KUNIT_CASE(heap_lookup_vmalloc_test),
	KUNIT_CASE(heap_lookup_buddy_page_test),
	KUNIT_CASE(heap_lookup_odd_addresses_test),
	KUNIT_CASE(heap_lookup_interior_test),
	KUNIT_CASE(heap_table_reach_test),
	{}
};

static unsigned int hp_saved_grow;

/*
 * Grow by whole arenas, so that the cases see fresh 4 MiB arenas when
 * the page allocator has the blocks (the cases that need one skip when it
 * has not).
 */
static int hp_suite_init(struct kunit_suite *suite)
{
	hp_saved_grow = mheap_grow_pages();
	return mheap_set_grow_pages(GS_PAGES_PER_ARENA);
}

static void hp_suite_exit(struct kunit_suite *suite)
{
	mheap_set_grow_pages(hp_saved_grow);
}

static struct kunit_suite goslab_heap_suite = {
	.name = "goslab_heap",
	.suite_init = hp_suite_init,
	.suite_exit = hp_suite_exit,
	.test_cases = goslab_heap_cases,
};

kunit_test_suite(goslab_heap_suite);
