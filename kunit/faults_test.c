// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab under page-allocation failures and memory
 * pressure: the fail_pages fault injection (mem_set_fail_pages()) makes
 * goslab's calls into the buddy allocator fail, and the shrinker gives
 * free arenas back.
 *
 *  - With every page allocation failing and an empty heap, allocations
 *    that need a new span or large span return NULL, in sleeping and
 *    atomic context, with nothing leaked and nothing counted.
 *  - With 30% failing, a mixed workload sees both NULLs and objects; the
 *    objects are usable, everything is freed, the heap verifies and its
 *    pages all come back; with 0% failing everything works again.
 *  - The shrinker's scan (reclaim_shrink_node(), what reclaim calls) returns
 *    free arenas to the buddy allocator whatever retain_pages says.
 *
 * fail_pages and retain_pages are restored by the suite's exit, which
 * runs even when a case fails an assertion.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmstat.h>

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "gs_test.h"
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

static void ft_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
}

struct ft_heap {
	unsigned long owned, free, inuse, arenas;
	size_t meta;
};

/* Every node's heap summed, and the metadata in use. */
static void ft_heap(struct ft_heap *t)
{
	struct mheap_totals h;
	unsigned long sys;

	mheap_totals(&h);
	t->owned = h.owned;
	t->free = h.free;
	t->inuse = h.inuse;
	t->arenas = h.arenas;
	mheap_meta_usage(&t->meta, &sys);
}

/* Drain every cache and give every free page back (retain 0). */
static void ft_settle(struct ft_heap *t)
{
	int node;

	mcache_flush_all();
	scavenge_set_retain_pages(0);
	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node), 0);
	ft_heap(t);
}

/* The counters of every context and CPU summed: allocations counted. */
static unsigned long ft_counted_allocs(void)
{
	struct mcache_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long n = 0;
	unsigned int spc;

	if (WARN_ON(!st))
		return 0;
	mcache_sum_stats(st);
	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++)
		n += st->nmalloc[spc];
	n += st->large_allocs + st->tiny_allocs;
	kfree(st);
	return n;
}

#define FT_EXPECT_VERIFY(test)						\
	KUNIT_EXPECT_EQ_MSG(test, goslab_verify(NULL), 0UL,			\
			    "verify found violations: read debugfs verify")

/*
 * Every page allocation fails and the heap is empty: whatever needs a
 * new span fails cleanly.
 */
static void faults_all_fail_test(struct kunit *test)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL | __GFP_NOWARN,
		GFP_ATOMIC | __GFP_NOWARN,
		GFP_NOWAIT | __GFP_NOWARN,
	};
	/* Classes no earlier case keeps spans of, and large sizes. */
	static const size_t sizes[] = { 6528, 13568, 32768 + 1, 100000, 1 << 20,
					GOSLAB_MAX_SIZE };
	unsigned long counted, injected;
	struct ft_heap t0, t1;
	void *bulk[4];
	unsigned int i, g;
	int node = numa_mem_id();

	ft_pin(test);
	ft_settle(&t0);
	KUNIT_ASSERT_EQ_MSG(test, mheap_of(node)->pages_free, 0UL,
			    "free pages left in arenas with live objects: an earlier test leaked");
	/* No span of any class has room: every request needs a new one. */
	for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++)
		KUNIT_ASSERT_EQ_MSG(test, mcentral_of(node, i)->nr_partial +
				    mcentral_of(node, i)->nr_empty, 0UL,
				    "spanclass %u has partial or empty spans", i);
	counted = ft_counted_allocs();
	injected = mem_injected();

	mem_set_fail_pages(100);
	for (g = 0; g < ARRAY_SIZE(gfps); g++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			KUNIT_EXPECT_NULL_MSG(test, goslab_alloc(sizes[i], gfps[g]),
					      "%zu bytes, gfp %pGg", sizes[i], &gfps[g]);
			KUNIT_EXPECT_NULL_MSG(test, goslab_alloc_noscan(sizes[i], gfps[g]),
					      "%zu bytes noscan, gfp %pGg", sizes[i], &gfps[g]);
			KUNIT_EXPECT_NULL_MSG(test, goslab_alloc_node(sizes[i], gfps[g], node),
					      "%zu bytes on node %d, gfp %pGg", sizes[i],
					      node, &gfps[g]);
		}
		/* Tiny and the smallest classes need a span too. */
		KUNIT_EXPECT_NULL(test, goslab_alloc_noscan(5, gfps[g]));
		KUNIT_EXPECT_NULL(test, goslab_alloc(8, gfps[g]));
		KUNIT_EXPECT_NULL(test, goslab_alloc_array(10, 100, gfps[g]));
		KUNIT_EXPECT_NULL(test, goslab_realloc(NULL, 500, gfps[g]));
		KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(64, gfps[g], 4, bulk), (size_t)0);
		KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(50000, gfps[g], 2, bulk),
				(size_t)0);
	}
	/* Without __GFP_NOWARN too: a warning line, no splat. */
	KUNIT_EXPECT_NULL(test, goslab_alloc(6528, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goslab_alloc(100000, GFP_ATOMIC));
	mem_set_fail_pages(0);

	KUNIT_EXPECT_GT(test, mem_injected(), injected);
	/* Nothing was counted as allocated, nothing leaked. */
	KUNIT_EXPECT_EQ(test, ft_counted_allocs(), counted);
	ft_heap(&t1);
	KUNIT_EXPECT_EQ(test, t1.owned, t0.owned);
	KUNIT_EXPECT_EQ(test, t1.inuse, t0.inuse);
	KUNIT_EXPECT_EQ(test, t1.arenas, t0.arenas);
	KUNIT_EXPECT_EQ(test, t1.meta, t0.meta);
	FT_EXPECT_VERIFY(test);

	/* And with the fault gone, the same requests work. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = goslab_alloc(sizes[i], GFP_KERNEL);
		void *q = goslab_alloc_noscan(sizes[i], GFP_ATOMIC);

		KUNIT_EXPECT_NOT_NULL_MSG(test, p, "%zu bytes", sizes[i]);
		KUNIT_EXPECT_NOT_NULL_MSG(test, q, "%zu bytes noscan", sizes[i]);
		if (p)
			memset(p, 0x11, sizes[i]);
		if (q)
			memset(q, 0x22, sizes[i]);
		goslab_free(p);
		goslab_free(q);
	}
	ft_settle(&t1);
	KUNIT_EXPECT_EQ(test, t1.owned, t0.owned);
	KUNIT_EXPECT_EQ(test, t1.inuse, t0.inuse);
	FT_EXPECT_VERIFY(test);
}

/*
 * __GFP_NOFAIL never fails, injected failures or not: the page allocator
 * does not fail it, so neither may goslab's fault injection (it did, and
 * goslab_alloc() returned NULL).  Sizes whose spans take one goslab
 * page, an order-1 block: the page allocator may warn about __GFP_NOFAIL
 * above that once it has to reclaim.
 */
static void faults_nofail_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 64, 1000, 4096 };
	struct ft_heap t0, t1;
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	ft_pin(test);
	ft_settle(&t0);
	mem_set_fail_pages(100);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = goslab_alloc(sizes[i], GFP_KERNEL | __GFP_NOFAIL);
		KUNIT_EXPECT_NOT_NULL_MSG(test, p[i], "%zu bytes, __GFP_NOFAIL",
					  sizes[i]);
		if (p[i])
			memset(p[i], 0x33, sizes[i]);
	}
	mem_set_fail_pages(0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		goslab_free(p[i]);
	ft_settle(&t1);
	KUNIT_EXPECT_EQ(test, t1.inuse, t0.inuse);
	FT_EXPECT_VERIFY(test);
}

/*
 * An object that already exists survives a failing realloc, and one
 * that fits in place needs no page at all.
 */
static void faults_realloc_test(struct kunit *test)
{
	struct ft_heap t0;
	char *p, *q;

	ft_pin(test);
	ft_settle(&t0);
	/* A whole arena: the heap keeps no free page beside it. */
	p = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 4096);
	KUNIT_ASSERT_EQ(test, mheap_of(numa_mem_id())->pages_free, 0UL);

	mem_set_fail_pages(100);
	q = goslab_realloc(p, 100, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_NULL(test, goslab_realloc(p, GOSLAB_MAX_SIZE + 1,
					       GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_NULL(test, goslab_alloc(300, GFP_KERNEL | __GFP_NOWARN));
	mem_set_fail_pages(0);

	/*
	 * The 100 bytes kept; the rest cleared if init_on_alloc is on.  Past
	 * the 100 bytes only uninstrumented reads: under KASAN the object is
	 * 100 bytes now, and the failed realloc left it so.
	 */
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x5a, 100));
	if (want_init_on_alloc(GFP_KERNEL))
		KUNIT_EXPECT_NULL(test, gs_test_memchr_inv(p + 100, 0, 4096 - 100));
	else
		KUNIT_EXPECT_NULL(test, gs_test_memchr_inv(p + 100, 0x5a, 4096 - 100));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)GOSLAB_MAX_SIZE);
	goslab_free(p);
	FT_EXPECT_VERIFY(test);
}

#define FT_ROUNDS	24
#define FT_PER_ROUND	12

static const size_t ft_sizes[] = {
	3, 8, 24, 100, 1000, 3456, 6528, 20000, 32768, 40000, 100000,
	1 << 19, 1 << 20, 2 << 20, 3 << 20, GOSLAB_MAX_SIZE,
};

/*
 * With 30% of page allocations failing, rounds of mixed allocations see
 * both failures and successes; every round starts from an empty heap so
 * that each round has to grow it.  The successes are whole, usable
 * objects, and everything comes back.
 */
static void faults_partial_test(struct kunit *test)
{
	unsigned long nulls = 0, oks = 0, injected;
	struct ft_heap t0, t1;
	void *p[FT_PER_ROUND];
	size_t sz[FT_PER_ROUND];
	unsigned int r, i, k = 0;

	ft_pin(test);
	ft_settle(&t0);
	injected = mem_injected();

	for (r = 0; r < FT_ROUNDS; r++) {
		mem_set_fail_pages(30);
		for (i = 0; i < FT_PER_ROUND; i++) {
			gfp_t gfp = (i & 1 ? GFP_ATOMIC : GFP_KERNEL) | __GFP_NOWARN;

			sz[i] = ft_sizes[k++ % ARRAY_SIZE(ft_sizes)];
			p[i] = i % 3 ? goslab_alloc(sz[i], gfp) :
				       goslab_alloc_noscan(sz[i], gfp);
			if (!p[i]) {
				nulls++;
				continue;
			}
			oks++;
			KUNIT_EXPECT_GE(test, goslab_usable_size(p[i]), sz[i]);
			/* Usable: the whole object, first and last page. */
			memset(p[i], i + 1, min_t(size_t, sz[i], 8192));
			((u8 *)p[i])[sz[i] - 1] = i + 1;
		}
		mem_set_fail_pages(0);
		for (i = 0; i < FT_PER_ROUND; i++) {
			if (!p[i])
				continue;
			KUNIT_EXPECT_NULL(test, memchr_inv(p[i], i + 1,
							   min_t(size_t, sz[i], 8192)));
			KUNIT_EXPECT_EQ(test, ((u8 *)p[i])[sz[i] - 1], (u8)(i + 1));
			goslab_free(p[i]);
		}
		ft_settle(&t1);
		KUNIT_EXPECT_EQ_MSG(test, t1.owned, t0.owned, "round %u", r);
		KUNIT_EXPECT_EQ_MSG(test, t1.inuse, t0.inuse, "round %u", r);
		if (r % 8 == 7)
			FT_EXPECT_VERIFY(test);
	}
	kunit_info(test, "%lu allocations failed, %lu succeeded, %lu page allocations failed on purpose",
		   nulls, oks, mem_injected() - injected);
	KUNIT_EXPECT_GT(test, nulls, 0UL);
	KUNIT_EXPECT_GT(test, oks, 0UL);
	KUNIT_EXPECT_GT(test, mem_injected(), injected);
	KUNIT_EXPECT_EQ(test, t1.meta, t0.meta);
	FT_EXPECT_VERIFY(test);

	/* Faults off: every size works again. */
	for (i = 0; i < ARRAY_SIZE(ft_sizes); i++) {
		void *q = goslab_alloc(ft_sizes[i], GFP_KERNEL);

		KUNIT_EXPECT_NOT_NULL_MSG(test, q, "%zu bytes", ft_sizes[i]);
		if (q) {
			memset(q, 0x33, ft_sizes[i]);
			goslab_free(q);
		}
	}
	ft_settle(&t1);
	KUNIT_EXPECT_EQ(test, t1.owned, t0.owned);
	KUNIT_EXPECT_EQ(test, t1.inuse, t0.inuse);
	FT_EXPECT_VERIFY(test);
}

#define FT_SHRINK_ARENAS	3
/* mm/shrinker.c's SHRINK_BATCH: what do_shrink_slab() asks for at most. */
#define FT_SHRINK_BATCH		128UL

/*
 * Memory pressure: the shrinker's scan gives free arenas back to the
 * buddy allocator even when retain_pages says to keep them, in the
 * batches reclaim asks for (SHRINK_BATCH objects, here goslab pages).
 */
static void faults_shrinker_test(struct kunit *test)
{
	unsigned long freed, total = 0, free_before, free_after;
	void *p[FT_SHRINK_ARENAS];
	struct ft_heap t0, t1, t2;
	int node = numa_mem_id(), calls;
	unsigned int i;

	ft_pin(test);
	ft_settle(&t0);
	/* Retain everything: only the shrinker gives pages back now. */
	scavenge_set_retain_pages(64 * GS_PAGES_PER_ARENA);
	for (i = 0; i < FT_SHRINK_ARENAS; i++) {
		p[i] = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < FT_SHRINK_ARENAS; i++)
		goslab_free(p[i]);
	ft_heap(&t1);
	KUNIT_ASSERT_EQ(test, t1.owned - t0.owned,
			(unsigned long)FT_SHRINK_ARENAS * GS_PAGES_PER_ARENA);
	KUNIT_ASSERT_EQ(test, t1.free - t0.free,
			(unsigned long)FT_SHRINK_ARENAS * GS_PAGES_PER_ARENA);

	/* One batch of the size reclaim uses gives back at least that much. */
	free_before = goslab_sysmem_free_pages();
	freed = reclaim_shrink_node(node, FT_SHRINK_BATCH);
	KUNIT_EXPECT_GE(test, freed, FT_SHRINK_BATCH);
	total += freed;
	/* Then until the node has nothing left to give. */
	for (calls = 0; calls < 64; calls++) {
		freed = reclaim_shrink_node(node, FT_SHRINK_BATCH);
		if (!freed)
			break;
		total += freed;
	}
	KUNIT_EXPECT_LT(test, calls, 64);
	free_after = goslab_sysmem_free_pages();

	ft_heap(&t2);
	KUNIT_EXPECT_EQ(test, total, (unsigned long)FT_SHRINK_ARENAS * GS_PAGES_PER_ARENA);
	KUNIT_EXPECT_EQ(test, t2.owned, t0.owned);
	KUNIT_EXPECT_EQ(test, t2.free, t0.free);
	/*
	 * The buddy allocator got the pages: its free count grew by about
	 * what was given back (other CPUs allocate a little meanwhile).
	 */
	KUNIT_EXPECT_GE(test, free_after + (total << GS_PAGE_ORDER) / 4,
			free_before + (total << GS_PAGE_ORDER));
	/* Nothing left: the scan says so. */
	KUNIT_EXPECT_EQ(test, reclaim_shrink_node(node, FT_SHRINK_BATCH), 0UL);
	KUNIT_EXPECT_EQ(test, reclaim_shrink_node(node, ULONG_MAX), 0UL);
	FT_EXPECT_VERIFY(test);

	/* And the heap grows again. */
	p[0] = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	goslab_free(p[0]);
	/* Page by page: a batch gives back what it asks for, no more. */
	KUNIT_EXPECT_EQ(test, reclaim_shrink_node(node, FT_SHRINK_BATCH),
			FT_SHRINK_BATCH);
	KUNIT_EXPECT_EQ(test, reclaim_shrink_node(node, ULONG_MAX),
			(unsigned long)GS_PAGES_PER_ARENA - FT_SHRINK_BATCH);
	FT_EXPECT_VERIFY(test);
}

/* ---- suite ------------------------------------------------------------- */

static unsigned long ft_saved_retain;

/*
 * The shrinker also takes what goslab keeps for speed: the CPU's parked
 * large span and a class's one empty partial span.
 */
static void faults_shrink_caches_test(struct kunit *test)
{
	unsigned int sc = goslab_size_to_class(1024), n = class_to_nelems[sc], i;
	struct mcentral *c = mcentral_of(numa_mem_id(), make_spanclass(sc, false));
	int node = numa_mem_id();
	struct ft_heap t0, t1;
	void *big, **objs;

	ft_pin(test);
	objs = kunit_kcalloc(test, n + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	ft_settle(&t0);
	scavenge_set_retain_pages(64 * GS_PAGES_PER_ARENA);

	big = goslab_alloc(5 * GOSLAB_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	goslab_free(big);
	KUNIT_EXPECT_EQ(test, mcache_parked_pages(), 5UL);

	/* Fill a span, move on to the next, empty the first: it is kept. */
	for (i = 0; i <= n; i++) {
		objs[i] = goslab_alloc(1024, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < n; i++)
		goslab_free(objs[i]);
	export_commit_remote();
	KUNIT_EXPECT_EQ(test, c->nr_empty, 1UL);

	reclaim_shrink_node(node, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, mcache_parked_pages(), 0UL);
	KUNIT_EXPECT_EQ(test, c->nr_empty, 0UL);
	goslab_free(objs[n]);
	ft_settle(&t1);
	KUNIT_EXPECT_EQ(test, t1.owned, t0.owned);
	KUNIT_EXPECT_EQ(test, t1.inuse, t0.inuse);
	FT_EXPECT_VERIFY(test);
}

static int ft_init(struct kunit *test)
{
	ft_saved_retain = scavenge_retain_pages();
	return 0;
}

/* Runs even when a case failed an assertion. */
static void ft_exit(struct kunit *test)
{
	mem_set_fail_pages(0);
	scavenge_set_retain_pages(ft_saved_retain);
}

static struct kunit_case goslab_faults_cases[] = {
	KUNIT_CASE(faults_all_fail_test),
	KUNIT_CASE(faults_nofail_test),
	KUNIT_CASE(faults_realloc_test),
	KUNIT_CASE(faults_partial_test),
	KUNIT_CASE(faults_shrinker_test),
	KUNIT_CASE(faults_shrink_caches_test),
	{}
};

static struct kunit_suite goslab_faults_suite = {
	.name = "goslab_faults",
	.init = ft_init,
	.exit = ft_exit,
	.test_cases = goslab_faults_cases,
};

kunit_test_suite(goslab_faults_suite);
