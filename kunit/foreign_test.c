// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a goslab object handed to another allocator's free:
 * kfree() and kvfree() of a goslab object end in SLUB's
 * free_large_kmalloc(), which puts the page (and warns once).  goslab's
 * heap pages carry a reference bias (goslab/mem.c), so the page and
 * every object on it stay goslab's: contents intact, the object still
 * live, verify naming the page, and the page's release putting the slab
 * counter right and reporting it.
 *
 * Before the bias, such a kfree() returned the page (or a whole block)
 * to the buddy allocator under goslab's live objects.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmstat.h>

#include <goslab.h>
#include "gs_test.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/mcache.h"
#include "../goslab/mem.h"
#include "../goslab/report.h"
#include "../goslab/debugfs.h"

/*
 * Objects of 4 KiB, two to a goslab page, each at the start of a page of
 * the kernel's: KASAN reports a kfree() of any other pointer into a page
 * (an invalid free), which would fail the case for KASAN's reason, not
 * goslab's.
 */
#define FF_SIZE		PAGE_SIZE
#define FF_OBJS		8

static void ff_expect_begin(void)
{
	pr_info("goslab-test: expect-report begin\n");
}

static void ff_expect_end(void)
{
	pr_info("goslab-test: expect-report end\n");
}

/* Give every free page of every heap back, as unload would. */
static void ff_release_all(void)
{
	int node;

	mcache_flush_all();
	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node), 0);
}

typedef void (*ff_free_fn)(const void *p);

static void ff_kvfree(const void *p)
{
	kvfree(p);
}

/*
 * One page of goslab objects, one of them freed with @wrong: the page
 * survives, the neighbours keep their bytes, and goslab reports it.
 */
static void ff_check(struct kunit *test, ff_free_fn wrong)
{
	long foreign0 = atomic_long_read(&report_stats.foreign_frees);
	unsigned long page, pages0;
	void *p[FF_OBJS];
	unsigned int i, victim = 3;

	for (i = 0; i < FF_OBJS; i++) {
		p[i] = goslab_alloc(FF_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], 0x40 + i, FF_SIZE);
	}
	page = (unsigned long)p[victim] & PAGE_MASK;
	KUNIT_ASSERT_EQ(test, mem_heap_refs_lost(page), 0);

	ff_expect_begin();
	wrong(p[victim]);
	ff_expect_end();

	/* The page is still goslab's: one reference gone, nothing freed. */
	KUNIT_EXPECT_EQ(test, mem_heap_refs_lost(page), 1);
	KUNIT_EXPECT_TRUE(test, goslab_owns(p[victim]));
	for (i = 0; i < FF_OBJS; i++)
		KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(p[i], 0x40 + i, FF_SIZE),
				      "object %u changed", i);
	KUNIT_EXPECT_GT(test, goslab_verify(NULL), 0UL);

	/* Freed properly, the objects go and the page with them, reported. */
	for (i = 0; i < FF_OBJS; i++)
		goslab_free(p[i]);
	pages0 = mem_pages();
	ff_expect_begin();
	ff_release_all();
	ff_expect_end();
	KUNIT_EXPECT_LT(test, mem_pages(), pages0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&report_stats.foreign_frees),
			foreign0);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static void foreign_kfree_test(struct kunit *test)
{
	ff_check(test, kfree);
}

static void foreign_kvfree_test(struct kunit *test)
{
	ff_check(test, ff_kvfree);
}

#define FF_COUNTER_OBJS	64

/*
 * goslab's part of the node's slab counter moves exactly with the pages
 * it holds, kfree()s of its objects included: each kfree() took a page
 * out of the counter, and the release gives that back, so after it the
 * counter is where it was (without the correction it would be 64 pages
 * low).
 */
static void foreign_slab_counter_test(struct kunit *test)
{
	int node = numa_mem_id();
	long slab0, slab1, moved;
	unsigned long held0;
	void *p[FF_COUNTER_OBJS];
	unsigned int i;

	ff_release_all();
	slab0 = goslab_sysmem_node_pages(node, NR_SLAB_UNRECLAIMABLE_B);
	held0 = mem_pages();
	for (i = 0; i < FF_COUNTER_OBJS; i++) {
		p[i] = goslab_alloc_node(GOSLAB_PAGE_SIZE, GFP_KERNEL, node);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	ff_expect_begin();
	for (i = 0; i < FF_COUNTER_OBJS; i++)
		kfree(p[i]);
	ff_expect_end();
	for (i = 0; i < FF_COUNTER_OBJS; i++)
		goslab_free(p[i]);
	ff_expect_begin();
	ff_release_all();
	ff_expect_end();
	slab1 = goslab_sysmem_node_pages(node, NR_SLAB_UNRECLAIMABLE_B);
	/* The pages went back; metadata chunks (fixalloc) may stay. */
	KUNIT_EXPECT_LE(test, mem_pages(), held0 + 8);
	/* Other slab users of the node may move it by a few pages meanwhile. */
	moved = slab1 - slab0;
	KUNIT_EXPECT_LE_MSG(test, abs(moved), 16L,
			    "slab counter moved by %ld pages", moved);
}

static struct kunit_case goslab_foreign_cases[] = {
	KUNIT_CASE(foreign_kfree_test),
	KUNIT_CASE(foreign_kvfree_test),
	KUNIT_CASE(foreign_slab_counter_test),
	{}
};

static struct kunit_suite goslab_foreign_suite = {
	.name = "goslab_foreign",
	.test_cases = goslab_foreign_cases,
};

kunit_test_suite(goslab_foreign_suite);
