// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for fixalloc (goslab/fixalloc.c), Go's off-heap allocator
 * for fixed-size metadata: LIFO reuse through the free list, carving from
 * 16 KiB chunks and getting a new chunk when one runs out, the first-use
 * callback, zeroing, the inuse/sys accounting, the prefetched spare chunk
 * and destroy.
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

/* Is [p, p + size) inside the chunk that starts at @c? */
static bool fa_in_chunk(const void *c, const void *p, size_t size)
{
	return p >= c && (const char *)p + size <= (const char *)c + FIXALLOC_CHUNK;
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

/* init rounds the block size up to pointer alignment, at least a pointer. */
static void fixalloc_init_sizes_test(struct kunit *test)
{
	static const struct {
		size_t size, want;
	} cases[] = {
		{ 1, 8 }, { 7, 8 }, { 8, 8 }, { 9, 16 }, { 24, 24 },
		{ 100, 104 }, { sizeof(struct mspan), ALIGN(sizeof(struct mspan), 8) },
		{ sizeof(struct heap_arena), ALIGN(sizeof(struct heap_arena), 8) },
	};
	struct fixalloc f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&f, 0xa5, sizeof(f));
		fixalloc_init(&f, cases[i].size, NULL, NULL);
		KUNIT_EXPECT_EQ_MSG(test, f.size, cases[i].want, "size %zu",
				    cases[i].size);
		KUNIT_EXPECT_TRUE(test, f.zero);
		KUNIT_EXPECT_EQ(test, f.inuse, (size_t)0);
		KUNIT_EXPECT_EQ(test, f.sys, (size_t)0);
		KUNIT_EXPECT_NULL(test, f.list);
		KUNIT_EXPECT_NULL(test, f.chunks);
		KUNIT_EXPECT_NULL(test, f.spare);
		KUNIT_EXPECT_EQ(test, f.nchunk, (size_t)0);
		/* Nothing is taken from the buddy allocator until first use. */
		fixalloc_destroy(&f);
	}
}

/* Blocks of one chunk are distinct, aligned and do not overlap. */
static void fixalloc_carve_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 24, 40, 64, 200, 1000 };
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct fixalloc *f = fa_new(test, sizes[i], NULL, NULL);
		char *prev = NULL, *p;

		for (k = 0; k < 8; k++) {
			p = fa_alloc(test, f);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
							   sizeof(void *)));
			KUNIT_EXPECT_TRUE(test, fa_in_chunk(f->chunks, p, f->size));
			if (prev)
				KUNIT_EXPECT_PTR_EQ(test, p, prev + f->size);
			/* The whole block is writable (KASAN would object). */
			memset(p, 0x5a, f->size);
			prev = p;
		}
		KUNIT_EXPECT_EQ(test, f->inuse, 8 * f->size);
		KUNIT_EXPECT_EQ(test, f->sys, (size_t)FIXALLOC_CHUNK);
	}
}

/* The free list is LIFO: the last block freed is the first reused. */
static void fixalloc_lifo_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 48, NULL, NULL);
	void *a = fa_alloc(test, f), *b = fa_alloc(test, f);
	void *c = fa_alloc(test, f), *d;

	fixalloc_free(f, a);
	fixalloc_free(f, c);
	fixalloc_free(f, b);
	KUNIT_EXPECT_PTR_EQ(test, f->list, b);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), b);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), c);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), a);
	KUNIT_EXPECT_NULL(test, f->list);
	/* The list is empty again: the next block is fresh, after c. */
	d = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, d, (char *)c + f->size);
	KUNIT_EXPECT_EQ(test, f->inuse, 4 * f->size);

	/* Free then alloc of one block is the identity, many times over. */
	for (int i = 0; i < 100; i++) {
		fixalloc_free(f, d);
		KUNIT_ASSERT_PTR_EQ(test, fa_alloc(test, f), d);
	}
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)FIXALLOC_CHUNK);
}

/*
 * When a chunk cannot hold another block a new 16 KiB chunk is taken:
 * sys grows by FIXALLOC_CHUNK and the blocks move to the new chunk.
 */
static void fixalloc_new_chunk_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 64, 72, 1000, 4096, 8192 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct fixalloc *f = fa_new(test, sizes[i], NULL, NULL);
		void *first_chunk, *p;
		size_t n = 0;

		p = fa_alloc(test, f);
		n++;
		first_chunk = f->chunks;
		KUNIT_ASSERT_NOT_NULL(test, first_chunk);
		KUNIT_EXPECT_TRUE(test, fa_in_chunk(first_chunk, p, f->size));
		/* Fill the first chunk. */
		while (f->sys == FIXALLOC_CHUNK) {
			p = fa_alloc(test, f);
			n++;
			KUNIT_ASSERT_LE(test, n, FIXALLOC_CHUNK / f->size + 1);
		}
		/* n - 1 blocks fit; the n-th opened the second chunk. */
		KUNIT_EXPECT_LE(test, n - 1, FIXALLOC_CHUNK / f->size);
		KUNIT_EXPECT_GE(test, n - 1, (FIXALLOC_CHUNK - 128) / f->size);
		KUNIT_EXPECT_EQ(test, f->sys, (size_t)2 * FIXALLOC_CHUNK);
		KUNIT_EXPECT_PTR_NE(test, f->chunks, first_chunk);
		KUNIT_EXPECT_TRUE(test, fa_in_chunk(f->chunks, p, f->size));
		KUNIT_EXPECT_FALSE(test, fa_in_chunk(first_chunk, p, 1));
		KUNIT_EXPECT_EQ(test, f->inuse, n * f->size);
		/* Chunks come from the buddy allocator: page aligned. */
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(f->chunks));
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(first_chunk));
		memset(p, 0x11, f->size);
	}
}

/* Many chunks: sys counts every one, and blocks never overlap. */
static void fixalloc_many_chunks_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 512, NULL, NULL);
	const unsigned int n = 5 * (FIXALLOC_CHUNK / 512);
	void **blocks = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	unsigned int i, chunks = 0;
	void *c;

	KUNIT_ASSERT_NOT_NULL(test, blocks);
	for (i = 0; i < n; i++) {
		blocks[i] = fa_alloc(test, f);
		*(unsigned int *)blocks[i] = i;
	}
	for (c = f->chunks; c; c = *(void **)c)
		chunks++;
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)chunks * FIXALLOC_CHUNK);
	/* 32 blocks of 512 in 16 KiB, less room for the chunk's link. */
	KUNIT_EXPECT_GE(test, chunks, DIV_ROUND_UP(n, FIXALLOC_CHUNK / 512));
	KUNIT_EXPECT_LE(test, chunks, DIV_ROUND_UP(n, FIXALLOC_CHUNK / 512 - 1));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, *(unsigned int *)blocks[i], i);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)n * 512);
	for (i = 0; i < n; i++)
		fixalloc_free(f, blocks[i]);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	/* Freed blocks are reused before any new chunk. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), blocks[n - 1 - i]);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)chunks * FIXALLOC_CHUNK);
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
	for (i = 0; i < FIXALLOC_CHUNK / 32; i++)
		fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, log.calls, 2U + FIXALLOC_CHUNK / 32);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)2 * FIXALLOC_CHUNK);
	KUNIT_EXPECT_NE(test, log.marker, 0xbadULL);

	/* An allocator without first never calls it. */
	g->first = NULL;
	fa_alloc(test, g);
	KUNIT_EXPECT_EQ(test, log.calls, 2U + FIXALLOC_CHUNK / 32);
}

/* With zero (the default) a reused block comes back all zero. */
static void fixalloc_zero_on_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 96, NULL, NULL);
	void *a = fa_alloc(test, f), *b;

	KUNIT_EXPECT_TRUE(test, fa_all_bytes(a, 96, 0));
	memset(a, 0xcc, 96);
	fixalloc_free(f, a);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(b, 96, 0));
}

/*
 * With zero off a reused block keeps its old contents past the free
 * list's link word (Go's fixalloc.zero = false); fresh blocks from a chunk
 * are still zero.
 */
static void fixalloc_zero_off_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 96, NULL, NULL);
	void *a, *b, *fresh;

	f->zero = false;
	a = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(a, 96, 0));
	memset(a, 0xcc, 96);
	fixalloc_free(f, a);
	b = fa_alloc(test, f);
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes((char *)b + sizeof(void *),
					     96 - sizeof(void *), 0xcc));
	fresh = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(fresh, 96, 0));
}

/* Fresh blocks are zero even when the chunk's pages held old data. */
static void fixalloc_fresh_zero_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 256, NULL, NULL);
	unsigned int i;

	/* Dirty pages for the buddy allocator to hand back. */
	for (i = 0; i < 4; i++) {
		struct page *pg = alloc_pages(GFP_KERNEL, FIXALLOC_CHUNK_ORDER);

		KUNIT_ASSERT_NOT_NULL(test, pg);
		memset(page_address(pg), 0xee, FIXALLOC_CHUNK);
		__free_pages(pg, FIXALLOC_CHUNK_ORDER);
	}
	f->zero = false;
	for (i = 0; i < 2 * FIXALLOC_CHUNK / 256; i++) {
		void *p = fa_alloc(test, f);

		if (!fa_all_bytes(p, 256, 0)) {
			KUNIT_FAIL(test, "fresh block %u not zeroed", i);
			break;
		}
	}
}

/* inuse follows every alloc and free; sys only grows until destroy. */
static void fixalloc_inuse_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 136, NULL, NULL);
	void *p[40];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, f->size, (size_t)136);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = fa_alloc(test, f);
		KUNIT_EXPECT_EQ(test, f->inuse, (i + 1) * (size_t)136);
	}
	for (i = 0; i < ARRAY_SIZE(p); i += 2) {
		fixalloc_free(f, p[i]);
		KUNIT_EXPECT_EQ(test, f->inuse,
				(ARRAY_SIZE(p) - i / 2 - 1) * (size_t)136);
	}
	KUNIT_EXPECT_EQ(test, f->inuse, 20 * (size_t)136);
	for (i = 0; i < 10; i++)
		fa_alloc(test, f);
	KUNIT_EXPECT_EQ(test, f->inuse, 30 * (size_t)136);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)FIXALLOC_CHUNK);
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
	KUNIT_EXPECT_PTR_EQ(test, f->chunks, spare);
	KUNIT_EXPECT_NULL(test, f->spare);
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(spare, p, f->size));
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)FIXALLOC_CHUNK);

	/* Prefill again, then exhaust the chunk: the spare is next. */
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	spare = f->spare;
	KUNIT_ASSERT_NOT_NULL(test, spare);
	for (n = 1; f->sys == FIXALLOC_CHUNK; n++) {
		p = fa_alloc(test, f);
		KUNIT_ASSERT_LE(test, n, FIXALLOC_CHUNK / 64 + 1);
	}
	KUNIT_EXPECT_PTR_EQ(test, f->chunks, spare);
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(spare, p, f->size));
	KUNIT_EXPECT_NULL(test, f->spare);
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

/* destroy returns every chunk; the allocator can be used again after. */
static void fixalloc_destroy_test(struct kunit *test)
{
	struct fixalloc *f = fa_new(test, 200, NULL, NULL);
	unsigned int i;
	void *p = NULL;

	for (i = 0; i < 3 * FIXALLOC_CHUNK / 200; i++) {
		p = fa_alloc(test, f);
		if (i % 3 == 0)
			fixalloc_free(f, p);
	}
	KUNIT_ASSERT_EQ(test, fixalloc_prefill(f, GFP_KERNEL), 0);
	KUNIT_EXPECT_GE(test, f->sys, (size_t)2 * FIXALLOC_CHUNK);
	fixalloc_destroy(f);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)0);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)0);
	KUNIT_EXPECT_NULL(test, f->chunks);
	KUNIT_EXPECT_NULL(test, f->list);
	KUNIT_EXPECT_NULL(test, f->spare);
	KUNIT_EXPECT_EQ(test, f->nchunk, (size_t)0);
	/* Destroying twice is harmless, and the allocator works again. */
	fixalloc_destroy(f);
	p = fa_alloc(test, f);
	KUNIT_EXPECT_TRUE(test, fa_all_bytes(p, 200, 0));
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)FIXALLOC_CHUNK);
	KUNIT_EXPECT_EQ(test, f->inuse, (size_t)200);
}

/* Blocks as large as a chunk allows: one per chunk. */
static void fixalloc_big_block_test(struct kunit *test)
{
	size_t size = FIXALLOC_CHUNK - 64;
	struct fixalloc *f = fa_new(test, size, NULL, NULL);
	void *a = fa_alloc(test, f), *b = fa_alloc(test, f);

	KUNIT_EXPECT_EQ(test, f->sys, (size_t)2 * FIXALLOC_CHUNK);
	KUNIT_EXPECT_TRUE(test, fa_in_chunk(f->chunks, b, size));
	KUNIT_EXPECT_FALSE(test, fa_in_chunk(f->chunks, a, 1));
	memset(a, 1, size);
	memset(b, 2, size);
	fixalloc_free(f, a);
	KUNIT_EXPECT_PTR_EQ(test, fa_alloc(test, f), a);
	KUNIT_EXPECT_EQ(test, f->sys, (size_t)2 * FIXALLOC_CHUNK);
}

static struct kunit_case goslab_fixalloc_cases[] = {
	KUNIT_CASE(fixalloc_init_sizes_test),
	KUNIT_CASE(fixalloc_carve_test),
	KUNIT_CASE(fixalloc_lifo_test),
	KUNIT_CASE(fixalloc_new_chunk_test),
	KUNIT_CASE(fixalloc_many_chunks_test),
	KUNIT_CASE(fixalloc_first_callback_test),
	KUNIT_CASE(fixalloc_zero_on_test),
	KUNIT_CASE(fixalloc_zero_off_test),
	KUNIT_CASE(fixalloc_fresh_zero_test),
	KUNIT_CASE(fixalloc_inuse_test),
	KUNIT_CASE(fixalloc_prefill_test),
	KUNIT_CASE(fixalloc_prefill_unused_test),
	KUNIT_CASE(fixalloc_destroy_test),
	KUNIT_CASE(fixalloc_big_block_test),
	{}
};

static struct kunit_suite goslab_fixalloc_suite = {
	.name = "goslab_fixalloc",
	.test_cases = goslab_fixalloc_cases,
};

kunit_test_suite(goslab_fixalloc_suite);
