// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for fixalloc (goslab/fixalloc.c), Go's off-heap allocator
 * for fixed-size metadata: chunk sizes, LIFO reuse within a chunk,
 * carving and getting a new chunk when one runs out, chunks going back
 * when they empty (all but the one kept), the fullest chunk first, the
 * first-use callback, zeroing, the inuse/sys accounting, the prefetched
 * spare chunk (also for GFP_NOWAIT callers), trim and destroy.
 *
 * Each case uses a private struct fixalloc (never goslab's own), torn
 * down by a deferred action so a failed assertion leaks nothing.  Callers
 * of fixalloc serialize; these tests are single-threaded.
 */

#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/prandom.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>

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

KUNIT_DEFINE_ACTION_WRAPPER(fa_destroy_action, fixalloc_destroy,
			    struct fixalloc *);

/* A private allocator in kunit memory, destroyed when the test ends. */
static struct fixalloc *fa_new(struct kunit *test, size_t size,
			       void (*first)(void *arg, void *p), void *arg)
{
	struct fixalloc *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fixalloc_init(f, size, first, arg);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fa_destroy_action, f), 0);
	return f;
}

static void *fa_alloc(struct kunit *test, struct fixalloc *f)
{
	void *p = fixalloc_alloc(f, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static size_t fa_bytes(const struct fixalloc *f)
{
	return fixalloc_chunk_bytes(f);
}

/* The chunk that holds @p: its address rounded down to the chunk size. */
static struct fixalloc_chunk *fa_chunk(const struct fixalloc *f, const void *p)
{
	return (struct fixalloc_chunk *)((unsigned long)p & ~(fa_bytes(f) - 1));
}

/* Is the block at @p inside the block area of the chunk at @c? */
static bool fa_in_chunk(const struct fixalloc *f, const void *c, const void *p)
{
	return (const char *)p >= (const char *)c + FIXALLOC_HDR &&
	       (const char *)p + f->size <= (const char *)c + fa_bytes(f);
}

/* Chunks on @f's lists (the kept empty one is on none); their live blocks. */
static unsigned int fa_count_chunks(struct fixalloc *f, unsigned long *live)
{
	struct fixalloc_chunk *c;
	unsigned int n = 0, g;

	*live = 0;
	for (g = 0; g < FIXALLOC_GROUPS; g++) {
		list_for_each_entry(c, &f->partial[g], node) {
			n++;
			*live += c->live;
		}
	}
	list_for_each_entry(c, &f->full, node) {
		n++;
		*live += c->live;
	}
	return n;
}

static bool fa_lists_empty(struct fixalloc *f)
{
	unsigned long live;

	return !fa_count_chunks(f, &live);
}

static bool fa_all_bytes(const void *p, size_t n, u8 v)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/*
 * init rounds the block size up to pointer alignment, at least a pointer,
 * and picks the smallest power of two of pages that holds 4 blocks.
 */
static void fixalloc_init_sizes_test(struct kunit *test)
{
	static const struct {
		size_t size, want;
	} cases[] = {
		{ 1, 8 }, { 7, 8 }, { 8, 8 }, { 9, 16 }, { 24, 24 },
		{ 100, 104 }, { 1009, 1016 }, { 4000, 4000 },
		{ sizeof(struct mspan), ALIGN(sizeof(struct mspan), 8) },
		{ sizeof(struct heap_arena), ALIGN(sizeof(struct heap_arena), 8) },
	};
	struct fixalloc f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t want = cases[i].want;

		memset(&f, 0xa5, sizeof(f));
		fixalloc_init(&f, cases[i].size, NULL, NULL);
		KUNIT_EXPECT_EQ_MSG(test, f.size, want, "size %zu",
				    cases[i].size);
		KUNIT_EXPECT_TRUE(test, f.zero);
		KUNIT_EXPECT_EQ(test, f.inuse, (size_t)0);
		KUNIT_EXPECT_EQ(test, f.sys, (size_t)0);
		KUNIT_EXPECT_TRUE(test, fa_lists_empty(&f));
		KUNIT_EXPECT_NULL(test, f.empty);
		KUNIT_EXPECT_NULL(test, f.spare);
		/* At least 4 blocks a chunk, and half a chunk would not do. */
		KUNIT_EXPECT_EQ(test, f.nper,
				(unsigned int)((fa_bytes(&f) - FIXALLOC_HDR) / want));
		KUNIT_EXPECT_GE_MSG(test, f.nper, 4U, "size %zu", want);
		if (f.order)
			KUNIT_EXPECT_LT_MSG(test, (PAGE_SIZE << (f.order - 1)) -
					    FIXALLOC_HDR, 4 * want,
					    "size %zu order %u", want, f.order);
		/* Nothing is taken from the buddy allocator until first use. */
		fixalloc_destroy(&f);
	}
	/* 1016 bytes: 4 need 4064 + the header, over a page: two pages. */
	fixalloc_init(&f, 1009, NULL, NULL);
	KUNIT_EXPECT_EQ(test, fa_bytes(&f), (size_t)2 * PAGE_SIZE);
	fixalloc_init(&f, 8, NULL, NULL);
	KUNIT_EXPECT_EQ(test, fa_bytes(&f), (size_t)PAGE_SIZE);
}

/*
 * goslab's own allocators: a span struct chunk is one page, whatever the
 * bitmap size; tiny side tables get what holds 4; arena structs the
 * order-1 chunk that holds one (fixalloc_set_min_blocks()), so that no
 * grow in fragmented memory compacts for one.  Only the sizes are read;
 * the allocators are mheap.c's.
 */
static void fixalloc_mheap_chunks_test(struct kunit *test)
{
	unsigned int i;

	for (i = 1; i <= GS_ALLOCBITS_WORDS; i++) {
		KUNIT_EXPECT_EQ_MSG(test, fa_bytes(&mheap_spanalloc[i]),
				    (size_t)PAGE_SIZE, "%u bitmap words", i);
		KUNIT_EXPECT_GE(test, mheap_spanalloc[i].nper, 4U);
	}
	KUNIT_EXPECT_GE(test, mheap_arenaalloc.nper, 1U);
	KUNIT_EXPECT_EQ(test, fa_bytes(&mheap_arenaalloc), (size_t)2 * PAGE_SIZE);
	KUNIT_EXPECT_GE(test, mheap_tinyalloc.nper, 4U);
	kunit_info(test, "chunks: spans %zu (%u of %zu bytes), arenas %zu (%u of %zu), tiny %zu (%u of %zu)",
		   fa_bytes(&mheap_spanalloc[1]), mheap_spanalloc[1].nper,
		   mheap_spanalloc[1].size, fa_bytes(&mheap_arenaalloc),
		   mheap_arenaalloc.nper, mheap_arenaalloc.size,
		   fa_bytes(&mheap_tinyalloc), mheap_tinyalloc.nper,
		   mheap_tinyalloc.size);
}

/* A chunk's blocks are distinct, aligned, carved in order, one chunk. */
static void fixalloc_carve_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 24, 40, 64, 200, 1000 };
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct fixalloc *f = fa_new(test, sizes[i], NULL, NULL);
		char *prev = NULL, *p;
		struct fixalloc_chunk *c = NULL;

		for (k = 0; k < f->nper; k++) {
			p = fa_alloc(test, f);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
							   sizeof(void *)));
			if (!prev) {
				c = fa_chunk(f, p);
				KUNIT_EXPECT_PTR_EQ(test, p, (char *)c + FIXALLOC_HDR);
			} else {
				KUNIT_EXPECT_PTR_EQ(test, p, prev + f->size);
			}
			KUNIT_EXPECT_TRUE(test, fa_in_chunk(f, c, p));
			/* The whole block is writable (KASAN would object). */
			memset(p, 0x5a, f->size);
			prev = p;
		}
		/* The header found by rounding down counts them all. */
		KUNIT_EXPECT_EQ(test, c->live, f->nper);
		KUNIT_EXPECT_EQ(test, f->inuse, f->nper * f->size);
		KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	}
}

/* Within a chunk the free list is LIFO: the last block freed is reused first. */
static void fixalloc_lifo_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 48, NULL, NULL);
	/* A block that stays: the chunk never empties (it would be reset). */
	void *anchor = fa_alloc(test, f);
	void *a = fa_alloc(test, f), *b = fa_alloc(test, f);
	void *c = fa_alloc(test, f), *d;
	struct fixalloc_chunk *ch = fa_chunk(f, anchor);

	fixalloc_free(f, a);
	fixalloc_free(f, c);
	fixalloc_free(f, b);
	KUNIT_EXPECT_PTR_EQ(test, ch->free, b);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), b);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), c);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), a);
	KUNIT_EXPECT_NULL(test, ch->free);
	/* The list is empty again: the next block is fresh, after c. */
	d = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, d, (char *)c + f->size);
	KUNIT_EXPECT_EQ(test, f->inuse, 5 * f->size);
	KUNIT_EXPECT_EQ(test, ch->live, 5U);

	/* Free then alloc of one block is the identity, many times over. */
	for (int i = 0; i < 100; i++) {
		fixalloc_free(f, d);
		KUNIT_ASSERT_PTR_EQ(test, fa_alloc(test, f), d);
	}
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
}

/*
 * When every chunk is full a new one is taken: sys grows by a chunk and
 * the blocks move to it.  A chunk is a naturally aligned buddy block: the
 * first block of a fresh chunk lies FIXALLOC_HDR past a multiple of the
 * chunk size.
 */
static void fixalloc_new_chunk_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 64, 72, 1000, 4096, 8192 };
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct fixalloc *f = fa_new(test, sizes[i], NULL, NULL);
		struct fixalloc_chunk *first_chunk;
		void *p;

		p = fa_alloc(test, f);
		first_chunk = fa_chunk(f, p);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p - FIXALLOC_HDR,
						   fa_bytes(f)));
		for (n = 1; n < f->nper; n++)
			p = fa_alloc(test, f);
		KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
		KUNIT_EXPECT_EQ(test, first_chunk->live, f->nper);
		KUNIT_EXPECT_TRUE(test, fa_in_chunk(f, first_chunk, p));
		/* The chunk is full: the next block opens the second. */
		p = fa_alloc(test, f);
		KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
		KUNIT_EXPECT_PTR_NE(test, fa_chunk(f, p), first_chunk);
		KUNIT_EXPECT_FALSE(test, fa_in_chunk(f, first_chunk, p));
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p - FIXALLOC_HDR,
						   fa_bytes(f)));
		KUNIT_EXPECT_EQ(test, fa_chunk(f, p)->live, 1U);
		KUNIT_EXPECT_EQ(test, f->inuse, (f->nper + 1) * f->size);
		memset(p, 0x11, f->size);
	}
}

/* Many chunks: sys counts every one, blocks never overlap. */
static void fixalloc_many_chunks_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 512, NULL, NULL);
	unsigned int n = 5 * f->nper, i, chunks;
	void **blocks = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	unsigned long live;
	void *kept, *p;

	KUNIT_ASSERT_NOT_NULL(test, blocks);
	for (i = 0; i < n; i++) {
		blocks[i] = fa_alloc(test, f);
		memset(blocks[i], i, 512);
	}
	chunks = fa_count_chunks(f, &live);
	KUNIT_EXPECT_EQ(test, chunks, 5U);
	KUNIT_EXPECT_EQ(test, live, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)chunks * fa_bytes(f));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, fa_all_bytes(blocks[i], 512, (u8)i));
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)n * 512);
	for (i = 0; i < n; i++)
		fixalloc_free(f, blocks[i]);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	/* All empty: every chunk went back but one. */
	KUNIT_EXPECT_TRUE(test, fa_lists_empty(f));
	KUNIT_EXPECT_NOT_NULL(test, f->empty);
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	/* The kept chunk is used next, carved afresh from its start. */
	kept = f->empty;
	p = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, p, (char *)kept + FIXALLOC_HDR);
	KUNIT_EXPECT_NULL(test, f->empty);
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
}

/*
 * The chunk-return case, with nothing but the allocator's interface:
 * four chunks' worth of blocks, all freed, leave one chunk held.
 */
static void fixalloc_chunk_return_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 1000, NULL, NULL);
	void *blocks[128];
	size_t chunk;
	unsigned int n = 0, i;

	blocks[n++] = fa_alloc(test, f);
	chunk = f->sys;
	KUNIT_ASSERT_GT(test, chunk, (size_t)0);
	while (f->sys < 4 * chunk) {
		KUNIT_ASSERT_LT(test, n, (unsigned int)ARRAY_SIZE(blocks));
		blocks[n++] = fa_alloc(test, f);
	}
	for (i = 0; i < n; i++)
		fixalloc_free(f, blocks[i]);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_EQ_MSG(test, f->sys, chunk,
			    "%u blocks in 4 chunks of %zu bytes, all freed",
			    n, chunk);
}

/*
 * A persistent allocator (goslab's arena structs) keeps every chunk when
 * its blocks are all freed, and carves them again before taking more.
 */
static void fixalloc_persistent_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 1000, NULL, NULL);
	void *blocks[128];
	size_t sys;
	unsigned int n = 0, i;

	f->persistent = true;
	blocks[n++] = fa_alloc(test, f);
	while (f->sys < 3 * fa_bytes(f)) {
		KUNIT_ASSERT_LT(test, n, (unsigned int)ARRAY_SIZE(blocks));
		blocks[n++] = fa_alloc(test, f);
	}
	sys = f->sys;
	for (i = 0; i < n; i++)
		fixalloc_free(f, blocks[i]);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_EQ(test, f->sys, sys);
	fixalloc_trim(f);
	KUNIT_EXPECT_EQ(test, f->sys, sys);
	for (i = 0; i < n; i++)
		blocks[i] = fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, f->sys, sys);
	for (i = 0; i < n; i++)
		fixalloc_free(f, blocks[i]);
}

/*
 * Chunk by chunk: the first chunk to empty is kept (sys stays), every
 * other leaves at once (its pages after a grace period); the kept one
 * serves the next allocation that finds no room, and a free/alloc cycle
 * of one block then costs nothing.
 */
static void fixalloc_keep_one_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 512, NULL, NULL);
	unsigned int nper = f->nper, i, k;
	void **b = kunit_kcalloc(test, 3 * nper, sizeof(void *), GFP_KERNEL);
	struct fixalloc_chunk *ch[3];
	size_t bytes = fa_bytes(f);
	long held;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < 3 * nper; i++)
		b[i] = fa_alloc(test, f);
	held = mem_pages();
	for (k = 0; k < 3; k++) {
		ch[k] = fa_chunk(f, b[k * nper]);
		for (i = 0; i < nper; i++)
			KUNIT_ASSERT_PTR_EQ(test, fa_chunk(f, b[k * nper + i]), ch[k]);
	}
	KUNIT_EXPECT_EQ(test, f->sys, 3 * bytes);

	/* The middle chunk empties first: kept. */
	for (i = 0; i < nper; i++)
		fixalloc_free(f, b[nper + i]);
	KUNIT_EXPECT_PTR_EQ(test, f->empty, ch[1]);
	KUNIT_EXPECT_EQ(test, f->sys, 3 * bytes);
	/* The first one empties: one is kept already, so it goes back. */
	for (i = 0; i < nper; i++) {
		KUNIT_EXPECT_EQ(test, f->sys, 3 * bytes);
		fixalloc_free(f, b[i]);
	}
	KUNIT_EXPECT_EQ(test, f->sys, 2 * bytes);
	KUNIT_EXPECT_PTR_EQ(test, f->empty, ch[1]);

	/* The third is full: a new block comes from the kept chunk. */
	p = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(f, ch[1], p));
	KUNIT_EXPECT_NULL(test, f->empty);
	KUNIT_EXPECT_EQ(test, f->sys, 2 * bytes);
	for (i = 0; i < 100; i++) {
		fixalloc_free(f, p);
		KUNIT_ASSERT_PTR_EQ(test, f->empty, ch[1]);
		KUNIT_ASSERT_EQ(test, f->sys, 2 * bytes);
		KUNIT_ASSERT_PTR_EQ(test, fa_alloc(test, f), p);
	}
	fixalloc_free(f, p);

	/* The last one empties too: only the kept chunk is held. */
	for (i = 0; i < nper; i++)
		fixalloc_free(f, b[2 * nper + i]);
	KUNIT_EXPECT_EQ(test, f->sys, bytes);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_TRUE(test, fa_lists_empty(f));
	/*
	 * The two chunks' pages reach the page allocator after a grace
	 * period (goslab's page count: only the scavenger runs meanwhile,
	 * and it only gives pages back).
	 */
	fixalloc_barrier();
	KUNIT_EXPECT_GE(test, held - (long)mem_pages(), 2L << f->order);
}

/* Allocation takes from the fullest chunk with room, then the next fullest. */
static void fixalloc_fullest_first_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 512, NULL, NULL);
	unsigned int nper = f->nper, i, k;
	void **b = kunit_kcalloc(test, 3 * nper, sizeof(void *), GFP_KERNEL);
	/* Blocks freed from each chunk: it keeps nper - drop live. */
	const unsigned int drop[3] = { nper - 2, 1, nper / 2 };
	const unsigned int want[3] = { 1, 2, 0 };	/* fullest first */
	struct fixalloc_chunk *ch[3];
	size_t sys;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_GE(test, nper, 6U);
	for (i = 0; i < 3 * nper; i++)
		b[i] = fa_alloc(test, f);
	for (k = 0; k < 3; k++) {
		ch[k] = fa_chunk(f, b[k * nper]);
		for (i = 0; i < drop[k]; i++)
			fixalloc_free(f, b[k * nper + i]);
		KUNIT_EXPECT_EQ(test, ch[k]->live, nper - drop[k]);
	}
	sys = f->sys;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < drop[want[k]]; i++) {
			void *p = fa_alloc(test, f);

			KUNIT_EXPECT_PTR_EQ_MSG(test, fa_chunk(f, p), ch[want[k]],
						"allocation %u of round %u", i, k);
		}
		KUNIT_EXPECT_EQ(test, ch[want[k]]->live, nper);
	}
	KUNIT_EXPECT_EQ(test, f->sys, sys);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)3 * nper * 512);
}

struct fa_first_log {
	unsigned int calls;
	void *last;
	u64 marker;
};

static void fa_first(void *arg, void *p)
{
	struct fa_first_log *log = arg;

	log->calls++;
	log->last = p;
	/* first sees a zeroed block, and what it writes stays. */
	if (!fa_all_bytes(p, 32, 0))
		log->marker = 0xbad;
	((u64 *)p)[1] = log->marker;
}

/* first runs on a block's first use only, never on reuse. */
static void fixalloc_first_callback_test(struct kunit *test)
{
	struct fa_first_log log = { .marker = 0x1234abcd };
	struct fixalloc *f = fa_new(test, 32, fa_first, &log);
	struct fixalloc *g = fa_new(test, 32, fa_first, &log);
	void *a, *b, *c;
	unsigned int i;

	a = fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, log.calls, 1U);
	KUNIT_EXPECT_PTR_EQ(test, log.last, a);
	KUNIT_EXPECT_EQ(test, ((u64 *)a)[1], 0x1234abcdULL);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, log.calls, 2U);
	KUNIT_EXPECT_PTR_EQ(test, log.last, b);

	fixalloc_free(f, a);
	c = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, c, a);
	KUNIT_EXPECT_EQ(test, log.calls, 2U);	/* reuse: no call */
	KUNIT_EXPECT_PTR_EQ(test, log.last, b);

	/* Across a chunk change first keeps running once per fresh block. */
	for (i = 0; i < f->nper; i++)
		fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, log.calls, 2U + f->nper);
	KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
	KUNIT_EXPECT_NE(test, log.marker, 0xbadULL);

	/* An allocator without first never calls it. */
	g->first = NULL;
	fa_alloc(test, g);
	KUNIT_EXPECT_EQ(test, log.calls, 2U + f->nper);
}

/* With zero (the default) a reused block comes back all zero. */
static void fixalloc_zero_on_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 96, NULL, NULL);
	void *a = fa_alloc(test, f), *b;

	KUNIT_EXPECT_TRUE(test, fa_all_bytes(a, 96, 0));
	memset(a, 0xcc, 96);
	/* A second block keeps the chunk from emptying. */
	fa_alloc(test, f);
	fixalloc_free(f, a);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(b, 96, 0));
}

/*
 * With zero off a reused block keeps its old contents past the free
 * list's link word (Go's fixalloc.zero = false); fresh blocks from a chunk
 * are still zero, and so are those of a chunk that emptied and is carved
 * again.
 */
static void fixalloc_zero_off_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 96, NULL, NULL);
	void *a, *b, *keep, *fresh;

	f->zero = false;
	a = fa_alloc(test, f);
	/* A second block keeps the chunk from emptying when a is freed. */
	keep = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(a, 96, 0));
	memset(a, 0xcc, 96);
	fixalloc_free(f, a);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes((char *)b + sizeof(void *),
					     96 - sizeof(void *), 0xcc));
	fresh = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(fresh, 96, 0));

	/* Every block freed: the kept chunk is carved afresh, zeroed. */
	memset(keep, 0xdd, 96);
	memset(fresh, 0xdd, 96);
	fixalloc_free(f, b);
	fixalloc_free(f, keep);
	fixalloc_free(f, fresh);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_NOT_NULL(test, f->empty);
	a = fa_alloc(test, f);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, b, keep);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(a, 96, 0));
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(b, 96, 0));
}

/* Fresh blocks are zero even when the chunk's pages held old data. */
static void fixalloc_fresh_zero_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 256, NULL, NULL);
	unsigned int i;

	/* Dirty pages for the buddy allocator to hand back. */
	for (i = 0; i < 4; i++) {
		struct page *pg = alloc_pages(GFP_KERNEL, f->order);

		KUNIT_ASSERT_NOT_NULL(test, pg);
		memset(page_address(pg), 0xee, fa_bytes(f));
		__free_pages(pg, f->order);
	}
	f->zero = false;
	for (i = 0; i < 2 * f->nper; i++) {
		void *p = fa_alloc(test, f);

		if (!fa_all_bytes(p, 256, 0)) {
			KUNIT_FAIL(test, "fresh block %u not zeroed", i);
			break;
		}
	}
}

/*
 * inuse follows every alloc and free; sys counts the chunks that hold
 * blocks.  New blocks go to the fuller of two half-emptied chunks.
 */
static void fixalloc_inuse_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 136, NULL, NULL);
	unsigned int nper = f->nper, i;
	struct fixalloc_chunk *c0;
	void *p[40];

	KUNIT_EXPECT_EQ(test, f->size, (size_t)136);
	KUNIT_ASSERT_LT(test, nper, (unsigned int)ARRAY_SIZE(p));
	KUNIT_ASSERT_GT(test, 2 * nper, (unsigned int)ARRAY_SIZE(p));
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = fa_alloc(test, f);
		KUNIT_EXPECT_EQ(test, f->inuse, (i + 1) * (size_t)136);
	}
	c0 = fa_chunk(f, p[0]);
	for (i = 0; i < ARRAY_SIZE(p); i += 2) {
		fixalloc_free(f, p[i]);
		KUNIT_EXPECT_EQ(test, f->inuse,
				(ARRAY_SIZE(p) - i / 2 - 1) * (size_t)136);
	}
	KUNIT_EXPECT_EQ(test, f->inuse, 20 * (size_t)136);
	KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
	/* The first chunk keeps about half of nper, the second fewer. */
	KUNIT_ASSERT_GT(test, c0->live, fa_chunk(f, p[ARRAY_SIZE(p) - 1])->live);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_PTR_EQ(test, fa_chunk(f, fa_alloc(test, f)), c0);
	KUNIT_EXPECT_EQ(test, f->inuse, 30 * (size_t)136);
	KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
	KUNIT_EXPECT_LE(test, f->inuse, f->sys);
}

/* A prefetched spare chunk is used before the buddy allocator is asked. */
static void fixalloc_prefill_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 64, NULL, NULL);
	void *spare, *p;
	size_t n;

	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	spare = f->spare;
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)0);	/* not counted yet */
	/* A second prefill keeps the spare it has. */
	KUNIT_EXPECT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, f->spare, spare);

	p = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, fa_chunk(f, p), spare);
	KUNIT_EXPECT_NULL(test, f->spare);
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(f, spare, p));
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));

	/* Prefill again, then exhaust the chunk: the spare is next. */
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	spare = f->spare;
	KUNIT_ASSERT_NOT_NULL(test, spare);
	for (n = 1; f->sys == fa_bytes(f); n++) {
		p = fa_alloc(test, f);
		KUNIT_ASSERT_LE(test, n, (size_t)f->nper + 1);
	}
	KUNIT_EXPECT_PTR_EQ(test, fa_chunk(f, p), spare);
	KUNIT_EXPECT_NULL(test, f->spare);

	/*
	 * With a spare, an emptied chunk goes back: the spare is the one
	 * kept.  And with an empty chunk kept, prefill takes no spare.
	 */
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_ASSERT_NOT_NULL(test, f->spare);
	fixalloc_free(f, p);
	KUNIT_EXPECT_NULL(test, f->empty);
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	fixalloc_trim(f);
	p = fa_alloc(test, f);
	fixalloc_free(f, p);
	KUNIT_ASSERT_NOT_NULL(test, f->empty);
	KUNIT_EXPECT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, f->spare);
}

/*
 * What mheap.c's GFP_NOWAIT callers rely on: a prefill, then allocations
 * under a spinlock with interrupts off that need no page allocation.
 * Every page allocation fails on purpose meanwhile, so a block that came
 * from the buddy allocator would show as NULL.
 */
static void fixalloc_prefill_nowait_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 64, NULL, NULL);
	void **p = kunit_kcalloc(test, f->nper, sizeof(void *), GFP_KERNEL);
	unsigned int i, got = 0;
	spinlock_t lock;		/* stands for mheap_meta_lock */
	unsigned long flags;
	void *extra;

	KUNIT_ASSERT_NOT_NULL(test, p);
	spin_lock_init(&lock);
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_NOWAIT), 0);
	KUNIT_ASSERT_NOT_NULL(test, f->spare);
	mem_set_fail_pages(100);
	spin_lock_irqsave(&lock, flags);
	for (i = 0; i < f->nper; i++) {
		p[i] = fixalloc_alloc(f, GFP_NOWAIT);
		if (p[i])
			got++;
	}
	/* The spare is used up: the next chunk would be the buddy's. */
	extra = fixalloc_alloc(f, GFP_NOWAIT);
	spin_unlock_irqrestore(&lock, flags);
	mem_set_fail_pages(0);

	KUNIT_EXPECT_EQ(test, got, f->nper);
	KUNIT_EXPECT_NULL(test, extra);
	KUNIT_EXPECT_NULL(test, f->spare);
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)got * f->size);
	/* Freeing under the lock too: the emptied chunk is kept. */
	spin_lock_irqsave(&lock, flags);
	for (i = 0; i < f->nper; i++)
		if (p[i])
			fixalloc_free(f, p[i]);
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_EQ(test, f->sys, got ? fa_bytes(f) : 0);
}

/* A spare chunk that was never used is given back by destroy. */
static void fixalloc_prefill_unused_test(struct kunit *test)
{
	struct fixalloc f;

	fixalloc_init(&f, 64, NULL, NULL);
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(&f, GFP_KERNEL), 0);
	KUNIT_EXPECT_NOT_NULL(test, f.spare);
	fixalloc_destroy(&f);
	KUNIT_EXPECT_NULL(test, f.spare);
	KUNIT_EXPECT_EQ(test, f.sys, (size_t)0);
}

/* trim gives back the kept empty chunk and the spare: nothing is held. */
static void fixalloc_trim_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 200, NULL, NULL);
	unsigned int n = 3 * f->nper + 1, i;
	void **b = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	void *keep;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++)
		b[i] = fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, f->sys, 4 * fa_bytes(f));
	/* With blocks in use, trim keeps their chunks. */
	fixalloc_trim(f);
	KUNIT_EXPECT_EQ(test, f->sys, 4 * fa_bytes(f));
	for (i = 0; i < n; i++)
		fixalloc_free(f, b[i]);
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	KUNIT_EXPECT_NOT_NULL(test, f->empty);
	fixalloc_trim(f);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)0);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_NULL(test, f->empty);
	KUNIT_EXPECT_TRUE(test, fa_lists_empty(f));

	/* A spare goes too; trimming an empty allocator does nothing. */
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_EXPECT_NOT_NULL(test, f->spare);
	fixalloc_trim(f);
	KUNIT_EXPECT_NULL(test, f->spare);
	fixalloc_trim(f);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)0);

	/* And the allocator works on. */
	keep = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(keep, 200, 0));
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)200);
}

#define FA_SLOTS	300
#define FA_ROUNDS	20000

/* A block's contents: its slot and generation in every word. */
static void fa_stamp(u64 *p, size_t size, u64 v)
{
	size_t i;

	for (i = 0; i < size / sizeof(u64); i++)
		p[i] = v;
}

static bool fa_stamped(const u64 *p, size_t size, u64 v)
{
	size_t i;

	for (i = 0; i < size / sizeof(u64); i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * Random allocs and frees: every block keeps what was written to it until
 * freed (no two overlap), inuse is the live blocks, the chunks' live
 * counts add up to them, and sys is the chunks that hold blocks plus at
 * most the one kept.
 */
static void fixalloc_random_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 200, 1500 };
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct fixalloc *f = fa_new(test, sizes[s], NULL, NULL);
		void **slot = kunit_kcalloc(test, FA_SLOTS, sizeof(void *),
					    GFP_KERNEL);
		u64 *stamp = kunit_kcalloc(test, FA_SLOTS, sizeof(u64),
					   GFP_KERNEL);
		unsigned int r, i, nlive = 0, chunks, bad = 0;
		struct rnd_state rnd;
		unsigned long live;

		KUNIT_ASSERT_NOT_NULL(test, slot);
		KUNIT_ASSERT_NOT_NULL(test, stamp);
		prandom_seed_state(&rnd, 0xf1a110c + s);
		for (r = 0; r < FA_ROUNDS; r++) {
			/* Phases that grow, then shrink, the live set. */
			bool grow = (r / 2000) % 2 == 0;
			u32 x = prandom_u32_state(&rnd);

			i = x % FA_SLOTS;
			if (!slot[i] && (grow ? x % 4 != 0 : x % 4 == 0)) {
				slot[i] = fa_alloc(test, f);
				stamp[i] = (u64)r << 16 | i;
				fa_stamp(slot[i], f->size, stamp[i]);
				nlive++;
			} else if (slot[i]) {
				if (!fa_stamped(slot[i], f->size, stamp[i]))
					bad++;
				fixalloc_free(f, slot[i]);
				slot[i] = NULL;
				nlive--;
			}
			if (r % 500)
				continue;
			chunks = fa_count_chunks(f, &live);
			KUNIT_ASSERT_EQ(test, live, (unsigned long)nlive);
			KUNIT_ASSERT_EQ(test, f->inuse, (size_t)nlive * f->size);
			KUNIT_ASSERT_EQ(test, f->sys, (chunks + !!f->empty) *
					fa_bytes(f));
			KUNIT_ASSERT_GE(test, (unsigned long)chunks * f->nper,
					live);
		}
		KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "size %zu", f->size);
		for (i = 0; i < FA_SLOTS; i++) {
			if (!slot[i])
				continue;
			KUNIT_EXPECT_TRUE(test, fa_stamped(slot[i], f->size,
							   stamp[i]));
			fixalloc_free(f, slot[i]);
		}
		KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
		KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
		KUNIT_EXPECT_TRUE(test, fa_lists_empty(f));
	}
}

/* destroy returns every chunk; the allocator can be used again after. */
static void fixalloc_destroy_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 200, NULL, NULL);
	unsigned int i;
	void *p = NULL;

	for (i = 0; i < 3 * f->nper; i++) {
		p = fa_alloc(test, f);
		if (i % 3 == 0)
			fixalloc_free(f, p);
	}
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_EXPECT_GE(test, f->sys, 2 * fa_bytes(f));
	fixalloc_destroy(f);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)0);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_TRUE(test, fa_lists_empty(f));
	KUNIT_EXPECT_NULL(test, f->empty);
	KUNIT_EXPECT_NULL(test, f->spare);
	/* Destroying twice is harmless, and the allocator works again. */
	fixalloc_destroy(f);
	p = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(p, 200, 0));
	KUNIT_EXPECT_EQ(test, f->sys, fa_bytes(f));
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)200);
}

/* Blocks of a quarter chunk: four to a chunk, each chunk its own. */
static void fixalloc_big_block_test(struct kunit *test)
{
	size_t size = (4 * PAGE_SIZE - FIXALLOC_HDR) / 4;
	struct fixalloc *f = fa_new(test, size, NULL, NULL);
	void *b[5];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, fa_bytes(f), (size_t)4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, f->nper, 4U);
	for (i = 0; i < ARRAY_SIZE(b); i++) {
		b[i] = fa_alloc(test, f);
		memset(b[i], i + 1, f->size);
	}
	KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(f, fa_chunk(f, b[0]), b[3]));
	KUNIT_EXPECT_FALSE(test, fa_in_chunk(f, fa_chunk(f, b[0]), b[4]));
	fixalloc_free(f, b[4]);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), b[4]);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, fa_all_bytes(b[i], f->size, i + 1));
	KUNIT_EXPECT_EQ(test, f->sys, 2 * fa_bytes(f));
}

static struct kunit_case goslab_fixalloc_cases[] = {
	KUNIT_CASE(fixalloc_init_sizes_test),
	KUNIT_CASE(fixalloc_mheap_chunks_test),
	KUNIT_CASE(fixalloc_carve_test),
	KUNIT_CASE(fixalloc_lifo_test),
	KUNIT_CASE(fixalloc_new_chunk_test),
	KUNIT_CASE(fixalloc_many_chunks_test),
	KUNIT_CASE(fixalloc_chunk_return_test),
	KUNIT_CASE(fixalloc_persistent_test),
	KUNIT_CASE(fixalloc_keep_one_test),
	KUNIT_CASE(fixalloc_fullest_first_test),
	KUNIT_CASE(fixalloc_first_callback_test),
	KUNIT_CASE(fixalloc_zero_on_test),
	KUNIT_CASE(fixalloc_zero_off_test),
	KUNIT_CASE(fixalloc_fresh_zero_test),
	KUNIT_CASE(fixalloc_inuse_test),
	KUNIT_CASE(fixalloc_prefill_test),
	KUNIT_CASE(fixalloc_prefill_nowait_test),
	KUNIT_CASE(fixalloc_prefill_unused_test),
	KUNIT_CASE(fixalloc_trim_test),
	KUNIT_CASE(fixalloc_random_test),
	KUNIT_CASE(fixalloc_destroy_test),
	KUNIT_CASE(fixalloc_big_block_test),
	{}
};

static struct kunit_suite goslab_fixalloc_suite = {
	.name = "goslab_fixalloc",
	.test_cases = goslab_fixalloc_cases,
};

kunit_test_suite(goslab_fixalloc_suite);
