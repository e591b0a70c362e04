// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's public API (include/goslab.h): sizes across
 * every class boundary, usable sizes, scan/noscan separation, zeroing,
 * realloc, bulk, node placement, overflow and limits, and the reports
 * for pointers goslab must refuse to free.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <trace/events/kmem.h>
#include <linux/tracepoint.h>
#include <linux/kallsyms.h>

#include <goslab.h>
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
#include "gs_test.h"

static void api_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
}

static void *api_alloc(size_t size, gfp_t gfp, bool noscan)
{
	return noscan ? goslab_alloc_noscan(size, gfp) : goslab_alloc(size, gfp);
}

/* Pages in use over every node's heap. */
static unsigned long api_pages_inuse(void)
{
	unsigned long n = 0, flags;
	int node;

	for_each_node(node) {
		struct mheap *h = mheap_of(node);

		if (!h)
			continue;
		spin_lock_irqsave(&h->lock, flags);
		n += h->pages_inuse;
		spin_unlock_irqrestore(&h->lock, flags);
	}
	return n;
}

/*
 * What goslab_usable_size() must say for a fresh object of @size; a tiny
 * one's is the least its extent may be (api_check_size()).
 */
static size_t api_want_usable(size_t size, bool noscan)
{
	if (noscan && size < GS_TINY_SIZE)
		return size;
	if (size <= GOSLAB_MAX_SMALL_SIZE)
		return class_to_size[goslab_size_to_class(size)];
	return round_up(size, GOSLAB_PAGE_SIZE);
}

/*
 * Allocate @size as scan and as noscan at once and check both objects:
 * usable size, span class, placement in the span, separation.
 */
static void api_check_size(struct kunit *test, size_t size)
{
	void *p[2];
	int k;

	for (k = 0; k < 2; k++)
		p[k] = api_alloc(size, GFP_KERNEL, k);
	if (!size) {
		for (k = 0; k < 2; k++) {
			KUNIT_EXPECT_PTR_EQ(test, p[k], ZERO_SIZE_PTR);
			KUNIT_EXPECT_EQ(test, goslab_usable_size(p[k]), (size_t)0);
			goslab_free(p[k]);
		}
		return;
	}
	for (k = 0; k < 2; k++) {
		bool noscan = k;
		size_t usable, want = api_want_usable(size, noscan);
		unsigned long v = (unsigned long)p[k];
		struct mspan *s;

		KUNIT_ASSERT_NOT_NULL_MSG(test, p[k], "size %zu noscan %d", size, k);
		s = span_of(v);
		KUNIT_ASSERT_NOT_NULL_MSG(test, s, "size %zu noscan %d", size, k);
		usable = goslab_usable_size(p[k]);
		/*
		 * A tiny object's extent runs to the end of what its block
		 * handed out: the block's end when the block was not kept.
		 */
		if (noscan && size < GS_TINY_SIZE)
			KUNIT_EXPECT_LE_MSG(test, usable,
					    GS_TINY_SIZE - v % GS_TINY_SIZE,
					    "size %zu noscan %d", size, k);
		else
			KUNIT_EXPECT_EQ_MSG(test, usable, want,
					    "size %zu noscan %d", size, k);
		KUNIT_EXPECT_GE(test, usable, size);
		KUNIT_EXPECT_EQ_MSG(test, spanclass_noscan(s->spanclass), noscan,
				    "size %zu", size);
		KUNIT_EXPECT_EQ(test, s->state, (u8)MSPAN_INUSE);
		if (noscan && size < GS_TINY_SIZE) {
			KUNIT_EXPECT_EQ(test, s->spanclass,
					(u8)GS_TINY_SPANCLASS);
		} else if (size <= GOSLAB_MAX_SMALL_SIZE) {
			unsigned int sc = goslab_size_to_class(size);

			KUNIT_EXPECT_EQ_MSG(test, s->spanclass,
					    make_spanclass(sc, noscan),
					    "size %zu", size);
			KUNIT_EXPECT_EQ_MSG(test, (v - s->start_addr) % want, 0UL,
					    "size %zu", size);
			KUNIT_EXPECT_EQ(test, v % 8, 0UL);
		} else {
			KUNIT_EXPECT_EQ(test, spanclass_sizeclass(s->spanclass), 0U);
			KUNIT_EXPECT_EQ(test, v, s->start_addr);
			KUNIT_EXPECT_EQ(test, v % GOSLAB_PAGE_SIZE, 0UL);
			KUNIT_EXPECT_EQ(test, (size_t)s->elemsize, want);
		}
		/*
		 * The bytes asked for are ours to write; the rest of the slot
		 * only to a caller that asked goslab_size_roundup() first, as
		 * ksize()'s contract is (api_size_roundup_test()).
		 */
		memset(p[k], 0x40 + k, size);
	}
	/* Scan and noscan never share a span. */
	KUNIT_EXPECT_PTR_NE_MSG(test, span_of((unsigned long)p[0]),
				span_of((unsigned long)p[1]), "size %zu", size);
	for (k = 0; k < 2; k++) {
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p[k], 0x40 + k, size),
				      "size %zu noscan %d overwritten", size, k);
		goslab_free(p[k]);
	}
}

/* Every class boundary (size - 1, size, size + 1), then large sizes. */
static void api_sizes_test(struct kunit *test)
{
	static const size_t large[] = {
		32769, 32768 + 8192, 40000, 65535, 65536, 65537, 69999, 70000,
		70001, 100000, 1 << 20, (1 << 20) + 1, GOSLAB_MAX_SIZE - 8192,
		GOSLAB_MAX_SIZE - 1, GOSLAB_MAX_SIZE,
	};
	unsigned long before;
	unsigned int c, i;
	size_t size;

	api_pin(test);
	mcache_flush_all();
	before = api_pages_inuse();

	api_check_size(test, 0);
	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		api_check_size(test, class_to_size[c] - 1);
		api_check_size(test, class_to_size[c]);
		api_check_size(test, class_to_size[c] + 1);
	}
	for (i = 0; i < ARRAY_SIZE(large); i++)
		api_check_size(test, large[i]);
	/* And a sweep of 0..70,000 in odd steps between the boundaries. */
	for (size = 0; size <= 70000; size += 97)
		api_check_size(test, size);

	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, api_pages_inuse(), before);
}

#define API_ZERO_N	24

/*
 * Dirty @n objects of @size, free them, and check that the same number
 * allocated with @gfp (reusing the dirtied memory) reads as zero.
 */
static void api_check_zeroed(struct kunit *test, size_t size, gfp_t gfp,
			     bool noscan, bool bulk)
{
	void *p[API_ZERO_N];
	int i, n = API_ZERO_N;

	/* All of each slot, dirtied and checked: asked for, as ksize() says. */
	size = goslab_size_roundup(size);
	if (size > GOSLAB_MAX_SMALL_SIZE)
		n = 4;
	for (i = 0; i < n; i++) {
		p[i] = api_alloc(size, GFP_KERNEL, noscan);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], 0xa5, goslab_usable_size(p[i]));
	}
	for (i = 0; i < n; i++)
		goslab_free(p[i]);
	/* Twice: the second round reuses the first one's swept slots. */
	for (int round = 0; round < 2; round++) {
		if (bulk) {
			KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(size, gfp, n, p),
					(size_t)n);
		} else {
			for (i = 0; i < n; i++) {
				p[i] = api_alloc(size, gfp, noscan);
				KUNIT_ASSERT_NOT_NULL(test, p[i]);
			}
		}
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_NULL_MSG(test,
					      memchr_inv(p[i], 0, goslab_usable_size(p[i])),
					      "size %zu noscan %d bulk %d object %d not zeroed",
					      size, noscan, bulk, i);
			memset(p[i], 0x5a, goslab_usable_size(p[i]));
		}
		for (i = 0; i < n; i++)
			goslab_free(p[i]);
	}
}

static const size_t api_zero_sizes[] = {
	8, 16, 100, 1024, 3072, 8192, 32768, 40000, 100000,
};

/* __GFP_ZERO gives zeroed memory even where old data was. */
static void api_gfp_zero_test(struct kunit *test)
{
	unsigned int i;

	api_pin(test);
	for (i = 0; i < ARRAY_SIZE(api_zero_sizes); i++) {
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL | __GFP_ZERO,
				 false, false);
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL | __GFP_ZERO,
				 true, false);
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL | __GFP_ZERO,
				 false, true);
		/* Also after a flush: spans rebuilt from dirty heap pages. */
		mcache_flush_all();
	}
	/* Tiny objects too. */
	for (i = 1; i < GS_TINY_SIZE; i++) {
		void *p = goslab_alloc_noscan(i, GFP_ATOMIC | __GFP_ZERO);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, i));
		memset(p, 0xff, i);
		goslab_free(p);
	}
	mcache_flush_all();
}

/* With init_on_alloc on, every allocation is zeroed, as SLUB's are. */
static void api_init_on_alloc_test(struct kunit *test)
{
	unsigned int i;

	if (!want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "init_on_alloc is off in this kernel (boot with init_on_alloc=1)");
	api_pin(test);
	for (i = 0; i < ARRAY_SIZE(api_zero_sizes); i++) {
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL, false, false);
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL, true, false);
		api_check_zeroed(test, api_zero_sizes[i], GFP_KERNEL, false, true);
		mcache_flush_all();
	}
}

/* realloc keeps the contents: grow, shrink, NULL and 0. */
static void api_realloc_test(struct kunit *test)
{
	static const size_t steps[] = { 5, 24, 100, 1000, 5000, 32768, 40000,
					200000, 64, 1 };
	size_t kept = 0;
	u8 *p, *q;
	unsigned int i;

	api_pin(test);
	/* NULL and ZERO_SIZE_PTR allocate. */
	p = goslab_realloc(NULL, 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GE(test, goslab_usable_size(p), (size_t)10);
	q = goslab_realloc(ZERO_SIZE_PTR, 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	goslab_free(q);
	/* 0 frees and gives ZERO_SIZE_PTR. */
	KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(p, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(NULL, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);

	/* Through tiny, small and large and back, contents carried along. */
	p = goslab_alloc_noscan(3, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 3; i++)
		p[i] = 0x11 + i;
	kept = 3;
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		size_t size = steps[i], old = goslab_usable_size(p), n;

		q = goslab_realloc(p, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, q, "realloc to %zu", size);
		n = min(kept, size);
		for (size_t j = 0; j < n; j++)
			if (q[j] != (u8)(0x11 + j % 200)) {
				KUNIT_FAIL(test, "realloc to %zu: byte %zu lost",
					   size, j);
				break;
			}
		if (size <= old)
			KUNIT_EXPECT_PTR_EQ_MSG(test, q, p,
						"shrink to %zu moved", size);
		KUNIT_EXPECT_GE(test, goslab_usable_size(q), size);
		/* The noscan kind travels with the object. */
		KUNIT_EXPECT_TRUE(test, spanclass_noscan(span_of((unsigned long)q)->spanclass));
		for (size_t j = 0; j < size; j++)
			q[j] = 0x11 + j % 200;
		kept = size;
		p = q;
	}
	goslab_free(p);

	/* A scan object stays scan. */
	p = goslab_alloc(40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	q = goslab_realloc(p, 4000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_FALSE(test, spanclass_noscan(span_of((unsigned long)q)->spanclass));
	/* Failure leaves the object alone. */
	KUNIT_EXPECT_NULL(test, goslab_realloc(q, GOSLAB_MAX_SIZE + 1,
					       GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(q), (size_t)4096);
	/*
	 * Shrinking in place with __GFP_ZERO clears the spare bytes, as
	 * krealloc() does, so growing back in place hands out zeroes.
	 */
	memset(q, 0x7e, 4096);
	KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(q, 100, GFP_KERNEL | __GFP_ZERO),
			    (void *)q);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x7e, 100));
	KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(q, 4096, GFP_KERNEL | __GFP_ZERO),
			    (void *)q);
	KUNIT_EXPECT_NULL(test, memchr_inv(q + 100, 0, 4096 - 100));
	goslab_free(q);
	mcache_flush_all();
}

/* Bulk: nr objects, distinct and usable; all or nothing. */
static void api_bulk_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 15, 16, 256, 3000, 32768, 50000 };
	unsigned long before;
	void **p;
	unsigned int i, j, k;
	const unsigned int nr = 100;

	api_pin(test);
	p = kunit_kcalloc(test, nr, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mcache_flush_all();
	before = api_pages_inuse();

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned int n = sizes[i] > GOSLAB_MAX_SMALL_SIZE ? 8 : nr;

		KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(sizes[i], GFP_KERNEL, n, p),
				(size_t)n);
		for (j = 0; j < n; j++) {
			KUNIT_ASSERT_NOT_NULL(test, p[j]);
			KUNIT_EXPECT_EQ(test, goslab_usable_size(p[j]),
					api_want_usable(sizes[i], false));
			for (k = 0; k < j; k++)
				if (p[k] == p[j])
					KUNIT_FAIL(test, "size %zu: object %u twice",
						   sizes[i], j);
			memset(p[j], j, sizes[i]);
		}
		for (j = 0; j < n; j++)
			KUNIT_EXPECT_NULL(test, memchr_inv(p[j], j & 0xff, sizes[i]));
		goslab_free_bulk(n, p);
	}
	/* NULL entries are skipped by free_bulk. */
	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(64, GFP_KERNEL, 3, p), (size_t)3);
	goslab_free(p[1]);
	p[1] = NULL;
	goslab_free_bulk(3, p);

	/* All or nothing: a failing bulk leaves nothing allocated. */
	for (j = 0; j < 4; j++)
		p[j] = (void *)0x1;
	KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(GOSLAB_MAX_SIZE + 1,
						GFP_KERNEL | __GFP_NOWARN, 4, p), (size_t)0);
	KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(64, GFP_KERNEL, 0, p), (size_t)0);

	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, api_pages_inuse(), before);
}

static int api_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Bulk calls that cross many spans: bitmap words taken whole, refills,
 * sweeps of the CPU's own span.  Every object distinct and usable,
 * dirty objects zeroed for __GFP_ZERO, shuffled bulk frees mixed with
 * single ones, and every page back at the end.
 */
static void api_bulk_many_test(struct kunit *test)
{
	static const size_t sizes[] = { 16, 64, 512, 4096 };
	const unsigned int nr = 3000;
	void **p, **q;
	unsigned long before;
	unsigned int i, j, round;

	api_pin(test);
	p = kunit_kcalloc(test, nr, sizeof(*p), GFP_KERNEL);
	q = kunit_kcalloc(test, nr, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q);
	mcache_flush_all();
	before = api_pages_inuse();

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t sz = sizes[i];

		for (round = 0; round < 3; round++) {
			gfp_t gfp = GFP_KERNEL | (round ? __GFP_ZERO : 0);

			KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(sz, gfp, nr, p),
					(size_t)nr);
			for (j = 0; j < nr; j++) {
				KUNIT_ASSERT_NOT_NULL(test, p[j]);
				KUNIT_ASSERT_EQ(test, goslab_usable_size(p[j]),
						api_want_usable(sz, false));
				if (round)
					KUNIT_ASSERT_NULL_MSG(test, memchr_inv(p[j], 0, sz),
							      "size %zu object %u not zeroed",
							      sz, j);
				memset(p[j], 0xa5, sz);
			}
			memcpy(q, p, nr * sizeof(*p));
			sort(q, nr, sizeof(*q), api_cmp_ptr, NULL);
			for (j = 1; j < nr; j++)
				KUNIT_ASSERT_PTR_NE_MSG(test, q[j], q[j - 1],
							"size %zu: object handed out twice",
							sz);
			/*
			 * In order (long runs), shuffled, or reversed; a few
			 * freed alone first, the rest in bulk.
			 */
			for (j = nr - 1; round == 1 && j > 0; j--) {
				unsigned int r = get_random_u32_below(j + 1);

				swap(p[j], p[r]);
			}
			for (j = 0; round == 2 && j < nr / 2; j++)
				swap(p[j], p[nr - 1 - j]);
			for (j = 0; j < nr; j += 7) {
				goslab_free(p[j]);
				p[j] = NULL;
			}
			goslab_free_bulk(nr, p);
			mcache_flush_all();
		}
	}
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, api_pages_inuse(), before);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/* goslab_alloc_node() places the object's span on the node. */
static void api_alloc_node_test(struct kunit *test)
{
	static const size_t sizes[] = { 8, 100, 3072, 32768, 50000 };
	unsigned int i;
	int node;

	api_pin(test);
	for_each_online_node(node) {
		if (!node_state(node, N_MEMORY))
			continue;
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			void *p = goslab_alloc_node(sizes[i], GFP_KERNEL, node);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_EQ_MSG(test, page_to_nid(virt_to_page(p)), node,
					    "size %zu", sizes[i]);
			KUNIT_EXPECT_EQ(test, span_of((unsigned long)p)->node, node);
			KUNIT_EXPECT_EQ(test, goslab_usable_size(p),
					api_want_usable(sizes[i], false));
			memset(p, 0x77, sizes[i]);
			goslab_free(p);
		}
	}
	/* NUMA_NO_NODE and nodes that do not exist fall back to local. */
	for (i = 0; i < 3; i++) {
		static const int nodes[] = { NUMA_NO_NODE, MAX_NUMNODES + 3, -7 };
		void *p = goslab_alloc_node(100, GFP_KERNEL, nodes[i]);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)112);
		goslab_free(p);
	}
	mcache_flush_all();
}

/* Overflow and limits give NULL, quietly with __GFP_NOWARN. */
static void api_limits_test(struct kunit *test)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	void *p;

	api_pin(test);
	KUNIT_EXPECT_NULL(test, goslab_alloc_array(SIZE_MAX / 2, 4, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc_array(4, SIZE_MAX / 2, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc_array(SIZE_MAX, SIZE_MAX, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc_array((1UL << 32) + 1, 1UL << 32, gfp));
	KUNIT_EXPECT_PTR_EQ(test, goslab_alloc_array(0, 100, gfp),
			    (void *)ZERO_SIZE_PTR);
	p = goslab_alloc_array(10, 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)112);
	goslab_free(p);

	KUNIT_EXPECT_NULL(test, goslab_alloc(GOSLAB_MAX_SIZE + 1, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc_noscan(GOSLAB_MAX_SIZE + 1, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc_node(GOSLAB_MAX_SIZE + 1, gfp,
						  numa_mem_id()));
	KUNIT_EXPECT_NULL(test, goslab_alloc(SIZE_MAX, gfp));
	/* Sizes whose page count does not fit 32 bits. */
	KUNIT_EXPECT_NULL(test, goslab_alloc((1UL << 45) + 1, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc((1UL << 45) + GOSLAB_PAGE_SIZE, gfp));
	KUNIT_EXPECT_NULL(test, goslab_alloc(1UL << 45, gfp));
	/* The largest size still works. */
	p = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)GOSLAB_MAX_SIZE);
	goslab_free(p);
}

static void api_expect_begin(void)
{
	pr_info("goslab-test: expect-report begin\n");
}

static void api_expect_end(void)
{
	pr_info("goslab-test: expect-report end\n");
}

#define API_BAD(test, bad, call)					\
do {									\
	long __b = atomic_long_read(&report_stats.bad_frees);		\
									\
	api_expect_begin();						\
	call;								\
	api_expect_end();						\
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees), \
			    __b + 1, "%s not reported", #call);		\
	(bad)++;							\
} while (0)

/*
 * Zone modifiers: __GFP_DMA is refused (goslab has no DMA-zone heap), with
 * a warning unless __GFP_NOWARN; __GFP_DMA32 and __GFP_HIGHMEM are dropped
 * as kmalloc() drops them.  The flags that reach the page allocator for
 * shared arenas and metadata keep how hard to try and nothing else.
 */
static void api_gfp_zones_test(struct kunit *test)
{
	void *p, *b[4];

	KUNIT_EXPECT_NULL(test, goslab_alloc(64, GFP_KERNEL | __GFP_DMA | __GFP_NOWARN));
	KUNIT_EXPECT_NULL(test, goslab_alloc(100000, GFP_ATOMIC | __GFP_DMA | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(64, GFP_KERNEL | __GFP_DMA | __GFP_NOWARN,
						ARRAY_SIZE(b), b), (size_t)0);
	api_expect_begin();
	p = goslab_alloc(64, GFP_KERNEL | __GFP_DMA);
	api_expect_end();
	KUNIT_EXPECT_NULL(test, p);

	p = goslab_alloc(64, GFP_KERNEL | __GFP_DMA32 | __GFP_NOWARN | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 64));
	goslab_free(p);
	p = goslab_alloc(5000, __GFP_HIGHMEM | __GFP_NOWARN);
	KUNIT_ASSERT_NOT_NULL(test, p);
	goslab_free(p);
	p = goslab_alloc(200, GFP_KERNEL_ACCOUNT);
	KUNIT_ASSERT_NOT_NULL(test, p);
	goslab_free(p);

	KUNIT_EXPECT_EQ(test, mem_page_gfp(GFP_KERNEL_ACCOUNT | __GFP_MOVABLE |
					  __GFP_THISNODE | __GFP_ZERO | __GFP_COMP |
					  __GFP_NOWARN),
			GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_EQ(test, mem_page_gfp(GFP_ATOMIC | __GFP_RECLAIMABLE),
			GFP_ATOMIC);
	/*
	 * A bigger block than the span needs (the heap's whole-arena try)
	 * neither reclaims nor wakes kswapd nor takes reserves.
	 */
	KUNIT_EXPECT_EQ(test, mem_opportunistic_gfp(GFP_KERNEL),
			__GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_NORETRY |
			__GFP_NOMEMALLOC);
	KUNIT_EXPECT_EQ(test, mem_opportunistic_gfp(GFP_ATOMIC),
			__GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC);
	KUNIT_EXPECT_EQ(test, mem_opportunistic_gfp(GFP_NOFS | __GFP_NOFAIL |
						    __GFP_MEMALLOC),
			__GFP_IO | __GFP_NOWARN | __GFP_NORETRY |
			__GFP_NOMEMALLOC);
	KUNIT_EXPECT_FALSE(test, gfpflags_allow_blocking(mem_opportunistic_gfp(GFP_KERNEL)));
	KUNIT_EXPECT_EQ(test, mem_page_gfp(GFP_NOFS | __GFP_NOFAIL | __GFP_DMA32),
			GFP_NOFS | __GFP_NOFAIL);
}

/*
 * goslab_size_roundup() says what goslab_usable_size() then says, and is
 * its own fixed point; goslab_free_sensitive() clears the whole usable
 * size before it frees, and reports a bad pointer once without touching
 * it.
 */
static void api_roundup_sensitive_test(struct kunit *test)
{
	static const size_t sizes[] = {
		1, 8, 9, 16, 17, 24, 25, 100, 1024, 1025, 4096, 4097, 32768,
		32769, 40000, 100000, GOSLAB_MAX_SIZE,
	};
	static const struct {
		size_t size;
		bool noscan;
	} secrets[] = { { 5, true }, { 100, false }, { 5000, false }, { 40000, false } };
	unsigned int i, nbad = 0;
	char *k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t r = goslab_size_roundup(sizes[i]);
		void *p = goslab_alloc(sizes[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_GE(test, r, sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, goslab_usable_size(p), r, "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, goslab_size_roundup(r), r, "size %zu", sizes[i]);
		goslab_free(p);
	}
	KUNIT_EXPECT_EQ(test, goslab_size_roundup(0), (size_t)0);
	KUNIT_EXPECT_EQ(test, goslab_size_roundup(GOSLAB_MAX_SIZE + 1),
			(size_t)GOSLAB_MAX_SIZE + 1);

	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(secrets); i++) {
		size_t size = secrets[i].size, usable, from;
		u8 *p = secrets[i].noscan ? goslab_alloc_noscan(size, GFP_KERNEL) :
					    goslab_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		usable = goslab_usable_size(p);
		/* Past the request too: goslab_free_sensitive() clears it all. */
		memset(p, 0xa5, size);
		gs_test_fill(p + size, 0xa5, usable - size);
		goslab_free_sensitive(p);
		/* The owner's LIFO keeps a link in a freed object's first word. */
		from = size < GS_TINY_SIZE ? 0 : 8;
		KUNIT_EXPECT_NULL_MSG(test, gs_test_memchr_inv(p + from, 0, usable - from),
				      "size %zu: not cleared", size);
	}
	migrate_enable();
	goslab_free_sensitive(NULL);
	goslab_free_sensitive(ZERO_SIZE_PTR);
	k = kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	memset(k, 0x6b, 64);
	API_BAD(test, nbad, goslab_free_sensitive(k));
	KUNIT_EXPECT_EQ(test, nbad, 1U);
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0x6b, 64));
	kfree(k);
	mcache_flush_all();
}

#define API_CHURN	300

/*
 * Double frees and foreign pointers are reported, counted and ignored,
 * and the heap is consistent afterwards.
 */
static void api_bad_free_test(struct kunit *test)
{
	long bad0 = atomic_long_read(&report_stats.bad_frees);
	char stackbuf[32] __aligned(16);
	char *stackp = stackbuf;
	unsigned long before;
	char *p, *q, *l, *k, *v;
	void **churn;
	long nbad = 0;
	int i, j;

	/* Let the compiler not see that goslab_free() gets a stack address. */
	OPTIMIZER_HIDE_VAR(stackp);
	api_pin(test);
	churn = kunit_kcalloc(test, API_CHURN, sizeof(*churn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, churn);
	mcache_flush_all();
	before = api_pages_inuse();

	p = goslab_alloc(100, GFP_KERNEL);
	q = goslab_alloc(100, GFP_KERNEL);
	l = goslab_alloc(40000, GFP_KERNEL);
	k = kmalloc(64, GFP_KERNEL);
	v = vmalloc(3 * PAGE_SIZE);
	KUNIT_ASSERT_TRUE(test, p && q && l && k && v);
	memset(q, 0x3c, 100);

	goslab_free(p);
	API_BAD(test, nbad, goslab_free(p));		/* double free */
	API_BAD(test, nbad, goslab_free(q + 8));	/* interior */
	API_BAD(test, nbad, goslab_free(q + 1));
	API_BAD(test, nbad, goslab_free(l + 16));	/* interior of large */
	API_BAD(test, nbad, goslab_free(l + GOSLAB_PAGE_SIZE));
	API_BAD(test, nbad, goslab_free(k));		/* kmalloc */
	API_BAD(test, nbad, goslab_free(stackp));	/* stack */
	API_BAD(test, nbad, goslab_free(v));		/* vmalloc */
	API_BAD(test, nbad, goslab_free(v + PAGE_SIZE));
	API_BAD(test, nbad, goslab_free((void *)PAGE_OFFSET));
	API_BAD(test, nbad, KUNIT_EXPECT_EQ(test, goslab_usable_size(k), (size_t)0));
	API_BAD(test, nbad, KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)0));
	API_BAD(test, nbad, KUNIT_EXPECT_NULL(test, goslab_realloc(k, 200, GFP_KERNEL)));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad0 + nbad);

	/* The victims are intact and still freeable exactly once. */
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x3c, 100));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(q), (size_t)112);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(l), (size_t)40960);
	goslab_free(q);
	goslab_free(l);
	kfree(k);
	vfree(v);
	API_BAD(test, nbad, goslab_free(l));		/* large double free */
	API_BAD(test, nbad, goslab_free(q));
	/* NULL and ZERO_SIZE_PTR are not errors. */
	goslab_free(NULL);
	goslab_free(ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad0 + nbad);

	/* Consistent: no object handed out twice, all pages come back. */
	for (i = 0; i < API_CHURN; i++) {
		churn[i] = goslab_alloc(i & 1 ? 100 : 40000 + i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, churn[i]);
		memset(churn[i], i & 0xff, i & 1 ? 100 : 40000);
	}
	for (i = 0; i < API_CHURN; i++) {
		for (j = 0; j < i; j++)
			if (churn[i] == churn[j])
				KUNIT_FAIL(test, "object %px handed out twice",
					   churn[i]);
		KUNIT_EXPECT_NULL(test, memchr_inv(churn[i], i & 0xff,
						   i & 1 ? 100 : 40000));
	}
	for (i = 0; i < API_CHURN; i++)
		goslab_free(churn[i]);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, api_pages_inuse(), before);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad0 + nbad);
}

/*
 * kmalloc's alignment: an object whose size is a power of two is aligned
 * to that size, every power of two from 1 byte (noscan: the tiny
 * allocator's Go rule gives 1, 2, 4 and 8 bytes their own alignment) and
 * 8 bytes (scan) to GOSLAB_MAX_SIZE, many objects each, with 8 KiB
 * objects in between so that no span starts where an aligned one would
 * by chance; and every goslab_alloc() object is ARCH_KMALLOC_MINALIGN
 * aligned whatever its size.  16 KiB to 4 MiB came back 8 KiB aligned
 * before spans of a power of two pages were carved at a multiple of
 * their size.
 */
#define API_ALIGN_OBJS	24

static void api_alignment_test(struct kunit *test)
{
	void **p = kunit_kcalloc(test, 2 * API_ALIGN_OBJS, sizeof(*p),
				 GFP_KERNEL);
	unsigned int shift, i, bad = 0;
	size_t size;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (shift = 0; (1UL << shift) <= GOSLAB_MAX_SIZE; shift++) {
		unsigned int n = min_t(unsigned long, API_ALIGN_OBJS,
				       (16UL << 20) >> shift);
		bool noscan;

		size = 1UL << shift;
		for (noscan = false; ; noscan = true) {
			for (i = 0; i < n; i++) {
				if (noscan)
					p[2 * i] = goslab_alloc_noscan(size, GFP_KERNEL);
				else if (size >= 8)
					p[2 * i] = goslab_alloc(size, GFP_KERNEL);
				else
					p[2 * i] = NULL;
				p[2 * i + 1] = goslab_alloc(GOSLAB_PAGE_SIZE, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, p[2 * i + 1]);
				if (noscan || size >= 8)
					KUNIT_ASSERT_NOT_NULL(test, p[2 * i]);
				if (p[2 * i] && !IS_ALIGNED((unsigned long)p[2 * i], size)) {
					if (!bad++)
						kunit_err(test, "%zu bytes (%s) at %px\n", size,
							  noscan ? "noscan" : "scan", p[2 * i]);
				}
			}
			for (i = 0; i < 2 * n; i++)
				goslab_free(p[i]);
			if (noscan)
				break;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "power-of-two objects not aligned to their size");

	for (size = 1; size <= 2 * GOSLAB_PAGE_SIZE; size += size < 256 ? 1 : 97) {
		void *q = goslab_alloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)q,
						       ARCH_KMALLOC_MINALIGN),
				      "%zu bytes at %px", size, q);
		goslab_free(q);
	}
}

/*
 * init_on_free: a freed object is wiped, and nothing goslab keeps in it
 * afterwards may reach its next owner.  With init_on_alloc off, every
 * scan class's objects are written, freed (the owner's free, which went
 * onto the span's LIFO and left its link in the object's first word) and
 * handed out again, straight away and after a flush drained the caches:
 * every object this test freed must come back all zero.  make check's
 * kunit-free stage boots with init_on_free=1 init_on_alloc=0 for it;
 * elsewhere it skips.
 */
#define API_FREE_OBJS	64

static bool api_was_freed(void **freed, unsigned int n, void *p)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (freed[i] == p)
			return true;
	return false;
}

static void api_init_on_free_test(struct kunit *test)
{
	void **p = kunit_kcalloc(test, 2 * API_FREE_OBJS, sizeof(*p),
				 GFP_KERNEL);
	unsigned int sc, i, round, bad = 0, checked = 0;

	KUNIT_ASSERT_NOT_NULL(test, p);
	if (!want_init_on_free() || want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "needs init_on_free=1 init_on_alloc=0");
	api_pin(test);
	for (sc = 1; sc < GOSLAB_NUM_SIZE_CLASSES; sc++) {
		size_t size = class_to_size[sc];

		for (round = 0; round < 2; round++) {
			for (i = 0; i < API_FREE_OBJS; i++) {
				p[i] = goslab_alloc(size, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, p[i]);
				memset(p[i], 0xa5, size);
			}
			for (i = 0; i < API_FREE_OBJS; i++)
				goslab_free(p[i]);
			if (round)
				mcache_flush_all();
			for (i = 0; i < API_FREE_OBJS; i++) {
				void *q = goslab_alloc(size, GFP_KERNEL);

				KUNIT_ASSERT_NOT_NULL(test, q);
				p[API_FREE_OBJS + i] = q;
				if (!api_was_freed(p, API_FREE_OBJS, q))
					continue;
				checked++;
				if (memchr_inv(q, 0, size) && !bad++)
					kunit_err(test, "%zu bytes at %px: not zero after reuse\n",
						  size, q);
			}
			for (i = 0; i < API_FREE_OBJS; i++)
				goslab_free(p[API_FREE_OBJS + i]);
		}
	}
	KUNIT_EXPECT_GT(test, checked, 0U);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "reused objects not zero under init_on_free");
}

/*
 * The kernel's kmem:kmalloc and kmem:kfree events, for goslab as for
 * kmalloc: every allocation and free, bulk and realloc included, with the
 * caller's call site, the pointer, the bytes asked for and given, the
 * flags and the node (perf kmem, trace-cmd and scripts/trace2gtrace read
 * them).  A probe on each event keeps the ones for goslab's memory.
 */
#define API_TRACE_MAX	64

struct api_trace_ev {
	unsigned long site;
	const void *ptr;
	size_t req, alloc;
	gfp_t gfp;
	int node;
	bool free;
};

static struct api_trace_ev api_trace_evs[API_TRACE_MAX];
static atomic_t api_trace_n;

static void api_trace_add(unsigned long site, const void *ptr, size_t req,
			  size_t alloc, gfp_t gfp, int node, bool free)
{
	int i;

	/* Only goslab's objects: SLUB fires the same events meanwhile. */
	if (!ptr || !span_of((unsigned long)ptr))
		return;
	i = atomic_inc_return(&api_trace_n) - 1;
	if (i < API_TRACE_MAX)
		api_trace_evs[i] = (struct api_trace_ev){ site, ptr, req, alloc,
							   gfp, node, free };
}

static void api_trace_kmalloc(void *data, unsigned long site, const void *ptr,
			      size_t req, size_t alloc, gfp_t gfp, int node)
{
	api_trace_add(site, ptr, req, alloc, gfp, node, false);
}

static void api_trace_kfree(void *data, unsigned long site, const void *ptr)
{
	api_trace_add(site, ptr, 0, 0, 0, 0, true);
}

/* Event @i is what it should be; its call site is in @test's function. */
static void api_trace_expect(struct kunit *test, int i, const void *ptr,
			     bool free, size_t req, size_t alloc, gfp_t gfp,
			     const char *what)
{
	struct api_trace_ev *e = &api_trace_evs[i];
	char sym[KSYM_SYMBOL_LEN];

	KUNIT_ASSERT_LT_MSG(test, i, atomic_read(&api_trace_n), "%s: no event", what);
	KUNIT_EXPECT_PTR_EQ_MSG(test, e->ptr, ptr, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, e->free, free, "%s", what);
	sprint_symbol_no_offset(sym, e->site);
	KUNIT_EXPECT_TRUE_MSG(test, strstarts(sym, "api_trace_test"),
			      "%s: call site %s", what, sym);
	if (free)
		return;
	KUNIT_EXPECT_EQ_MSG(test, e->req, req, "%s: bytes_req", what);
	KUNIT_EXPECT_EQ_MSG(test, e->alloc, alloc, "%s: bytes_alloc", what);
	KUNIT_EXPECT_EQ_MSG(test, e->gfp, gfp, "%s: gfp", what);
	KUNIT_EXPECT_EQ_MSG(test, e->node, NUMA_NO_NODE, "%s: node", what);
}

static void api_trace_test(struct kunit *test)
{
	void *p, *q, *t, *l, *b[3];
	int n;

	api_pin(test);
	atomic_set(&api_trace_n, 0);
	KUNIT_ASSERT_EQ(test, register_trace_kmalloc(api_trace_kmalloc, NULL), 0);
	KUNIT_ASSERT_EQ(test, register_trace_kfree(api_trace_kfree, NULL), 0);
	p = goslab_alloc(100, GFP_KERNEL);
	t = goslab_alloc_noscan(5, GFP_KERNEL);
	l = goslab_alloc(100000, GFP_KERNEL | __GFP_ZERO);
	q = goslab_realloc(p, 3000, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, goslab_alloc_bulk(64, GFP_KERNEL, ARRAY_SIZE(b), b),
			ARRAY_SIZE(b));
	goslab_free(t);
	goslab_free(l);
	goslab_free(q);
	goslab_free_bulk(ARRAY_SIZE(b), b);
	unregister_trace_kfree(api_trace_kfree, NULL);
	unregister_trace_kmalloc(api_trace_kmalloc, NULL);
	tracepoint_synchronize_unregister();

	n = atomic_read(&api_trace_n);
	KUNIT_ASSERT_EQ(test, n, 14);
	api_trace_expect(test, 0, p, false, 100, 112, GFP_KERNEL, "alloc 100");
	api_trace_expect(test, 1, t, false, 5, 5, GFP_KERNEL, "tiny 5");
	api_trace_expect(test, 2, l, false, 100000,
			 round_up(100000, GOSLAB_PAGE_SIZE),
			 GFP_KERNEL | __GFP_ZERO, "large 100000");
	api_trace_expect(test, 3, q, false, 3000, 3072, GFP_KERNEL,
			 "realloc: the new object");
	api_trace_expect(test, 4, p, true, 0, 0, 0, "realloc: the old one");
	api_trace_expect(test, 5, b[0], false, 64, 64, GFP_KERNEL, "bulk 0");
	api_trace_expect(test, 7, b[2], false, 64, 64, GFP_KERNEL, "bulk 2");
	api_trace_expect(test, 8, t, true, 0, 0, 0, "free tiny");
	api_trace_expect(test, 9, l, true, 0, 0, 0, "free large");
	api_trace_expect(test, 10, q, true, 0, 0, 0, "free");
	api_trace_expect(test, 11, b[0], true, 0, 0, 0, "bulk free 0");
	api_trace_expect(test, 13, b[2], true, 0, 0, 0, "bulk free 2");
}

/*
 * goslab_owns() tells a live goslab object from anything else, silently;
 * goslab_kfree() frees a pointer of any of the kernel's allocators with
 * its own: goslab's, kmalloc's, vmalloc's and kvmalloc's.
 */
static void api_owns_kfree_test(struct kunit *test)
{
	char *g = goslab_alloc(100, GFP_KERNEL), *t = goslab_alloc_noscan(5, GFP_KERNEL);
	char *l = goslab_alloc(100000, GFP_KERNEL), *k = kmalloc(100, GFP_KERNEL);
	char *v = vmalloc(10000), *kv = kvmalloc(1 << 20, GFP_KERNEL);
	long bad0 = atomic_long_read(&report_stats.bad_frees);
	struct mcache_stats *st0 = kunit_kzalloc(test, sizeof(*st0), GFP_KERNEL);
	struct mcache_stats *st1 = kunit_kzalloc(test, sizeof(*st1), GFP_KERNEL);
	char here;

	KUNIT_ASSERT_TRUE(test, g && t && l && k && v && kv && st0 && st1);
	KUNIT_EXPECT_TRUE(test, goslab_owns(g));
	KUNIT_EXPECT_TRUE(test, goslab_owns(t));
	KUNIT_EXPECT_TRUE(test, goslab_owns(l));
	KUNIT_EXPECT_FALSE(test, goslab_owns(g + 1));
	KUNIT_EXPECT_FALSE(test, goslab_owns(t + 1));
	KUNIT_EXPECT_FALSE(test, goslab_owns(l + GOSLAB_PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, goslab_owns(k));
	KUNIT_EXPECT_FALSE(test, goslab_owns(v));
	KUNIT_EXPECT_FALSE(test, goslab_owns(kv));
	KUNIT_EXPECT_FALSE(test, goslab_owns(&here));
	KUNIT_EXPECT_FALSE(test, goslab_owns(NULL));
	KUNIT_EXPECT_FALSE(test, goslab_owns(ZERO_SIZE_PTR));
	goslab_free(g);
	KUNIT_EXPECT_FALSE(test, goslab_owns(g));

	mcache_sum_stats(st0);
	goslab_kfree(t);
	goslab_kfree(l);
	goslab_kfree(k);
	goslab_kfree(v);
	goslab_kfree(kv);
	goslab_kfree(NULL);
	goslab_kfree(ZERO_SIZE_PTR);
	mcache_sum_stats(st1);
	/* goslab freed its two, kvfree() the others. */
	KUNIT_EXPECT_EQ(test, st1->tiny_frees, st0->tiny_frees + 1);
	KUNIT_EXPECT_EQ(test, st1->large_frees, st0->large_frees + 1);
	KUNIT_EXPECT_FALSE(test, goslab_owns(t));
	KUNIT_EXPECT_FALSE(test, goslab_owns(l));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad0);
}

static struct kunit_case goslab_api_cases[] = {
	KUNIT_CASE(api_sizes_test),
	KUNIT_CASE(api_gfp_zero_test),
	KUNIT_CASE(api_init_on_alloc_test),
	KUNIT_CASE(api_realloc_test),
	KUNIT_CASE(api_bulk_test),
	KUNIT_CASE(api_bulk_many_test),
	KUNIT_CASE(api_alloc_node_test),
	KUNIT_CASE(api_limits_test),
	KUNIT_CASE(api_gfp_zones_test),
	KUNIT_CASE(api_roundup_sensitive_test),
	KUNIT_CASE(api_bad_free_test),
	KUNIT_CASE(api_alignment_test),
	KUNIT_CASE(api_init_on_free_test),
	KUNIT_CASE(api_trace_test),
	KUNIT_CASE(api_owns_kfree_test),
	{}
};

static struct kunit_suite goslab_api_suite = {
	.name = "goslab_api",
	.test_cases = goslab_api_cases,
};

kunit_test_suite(goslab_api_suite);
