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
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmstat.h>
#include <linux/panic.h>

#include <goslab.h>
#include "gs_test.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/fixalloc.h"
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
	/* Metadata chunks let go reach the page allocator a grace period later. */
	fixalloc_barrier();
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

#define FF_LARGE_SIZE	BIT(20)
#define FF_HELD_PAGE	100

/*
 * A large object's pages go back to the buddy allocator as whole blocks
 * (mem_heap_free_block()), but a page someone else still holds a
 * reference to must not go with its block: goslab drops only its own
 * references on it, the holder's last put frees it.  The other pages go
 * back, and the page allocator finds nothing wrong with any of them
 * (CONFIG_DEBUG_VM checks every freed page: a tail freed with a count
 * left would taint the kernel with a bad page).
 */
static void foreign_held_large_page_test(struct kunit *test)
{
	bool bad0 = test_taint(TAINT_BAD_PAGE);
	unsigned long held0;
	struct page *page;
	unsigned int round;
	void *p;

	ff_release_all();
	held0 = mem_pages();
	for (round = 0; round < 2; round++) {
		p = goslab_alloc(FF_LARGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		page = virt_to_page(p + FF_HELD_PAGE * PAGE_SIZE);
		/* Round 0 holds a page; round 1 frees the blocks whole. */
		if (!round)
			get_page(page);
		goslab_free(p);
		ff_expect_begin();
		ff_release_all();
		ff_expect_end();
		if (!round) {
			KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
			put_page(page);
		}
		KUNIT_EXPECT_LE(test, mem_pages(), held0 + 8);
	}
	KUNIT_EXPECT_EQ(test, test_taint(TAINT_BAD_PAGE), bad0);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * A stray kfree() puts a heap page while goslab gives it back, between
 * goslab's read of its count and the free (mem_test_free_hook).  goslab
 * reports the lost reference and frees the page once, with the count it
 * holds then.  Before, it subtracted the references it had read: the
 * put took the count to zero first, and the free underflowed it
 * (CONFIG_DEBUG_VM: "VM_BUG_ON_PAGE(page_ref_count(page) == 0)").
 */
static struct page *ff_put_target;

static void ff_put_hook(struct page *page)
{
	if (page == READ_ONCE(ff_put_target)) {
		WRITE_ONCE(ff_put_target, NULL);
		put_page(page);
	}
}

static void foreign_racing_put_test(struct kunit *test)
{
	bool bad0 = test_taint(TAINT_BAD_PAGE);
	unsigned long held0, frees0;
	struct page *page;

	ff_release_all();
	held0 = mem_pages();
	frees0 = atomic_long_read(&report_stats.foreign_frees);
	page = mem_heap_alloc(numa_mem_id(), GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, mem_heap_refs_lost((unsigned long)page_address(page)),
			0);
	WRITE_ONCE(ff_put_target, page);
	WRITE_ONCE(mem_test_free_hook, ff_put_hook);
	ff_expect_begin();
	mem_heap_free((unsigned long)page_address(page), 1);
	ff_expect_end();
	WRITE_ONCE(mem_test_free_hook, NULL);
	KUNIT_EXPECT_NULL(test, READ_ONCE(ff_put_target));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.foreign_frees),
			frees0 + 1);
	KUNIT_EXPECT_EQ(test, mem_pages(), held0);
	KUNIT_EXPECT_EQ(test, test_taint(TAINT_BAD_PAGE), bad0);
}

/*
 * goslab_kfree(), the kfree() of include/goslab_kmalloc.h, of a pointer
 * into goslab's heap that is no live object: the inside of an object, an
 * object freed already.  goslab_holds() says it is goslab's, and goslab
 * reports it and keeps its page.  Before, goslab_kfree() gave every
 * pointer that was no live object to kvfree(): SLUB's
 * free_large_kmalloc() warned and took a reference of goslab's page
 * (the kernel's KASAN suite, on the switch, found it in
 * kmalloc_large_invalid_free and kmalloc_double_kzfree).
 */
static void foreign_kfree_bad_test(struct kunit *test)
{
	struct report_record r0, r;
	unsigned long page;
	char *p, *keep;
	int here;

	p = goslab_alloc(FF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* The page's other object: the span stays in use throughout. */
	keep = goslab_alloc(FF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	page = (unsigned long)p & PAGE_MASK;
	KUNIT_EXPECT_TRUE(test, goslab_holds(p + 1));
	KUNIT_EXPECT_FALSE(test, goslab_owns(p + 1));
	KUNIT_EXPECT_FALSE(test, goslab_holds(&here));

	report_get_last(&r0);
	ff_expect_begin();
	goslab_kfree(p + 1);
	ff_expect_end();
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - r0.seq, 1UL);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)(p + 1));
	KUNIT_EXPECT_EQ(test, r.why, REPORT_MIDDLE);
	KUNIT_EXPECT_TRUE(test, goslab_owns(p));
	KUNIT_EXPECT_EQ(test, mem_heap_refs_lost(page), 0);

	goslab_free(p);
	KUNIT_EXPECT_TRUE(test, goslab_holds(p));
	ff_expect_begin();
	goslab_kfree(p);
	ff_expect_end();
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - r0.seq, 2UL);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)p);
	KUNIT_EXPECT_EQ(test, r.why, REPORT_NOT_ALLOCATED);
	KUNIT_EXPECT_EQ(test, mem_heap_refs_lost(page), 0);
	goslab_free(keep);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static struct kunit_case goslab_foreign_cases[] = {
	KUNIT_CASE(foreign_kfree_test),
	KUNIT_CASE(foreign_kfree_bad_test),
	KUNIT_CASE(foreign_kvfree_test),
	KUNIT_CASE(foreign_slab_counter_test),
	KUNIT_CASE(foreign_held_large_page_test),
	KUNIT_CASE(foreign_racing_put_test),
	{}
};

static struct kunit_suite goslab_foreign_suite = {
	.name = "goslab_foreign",
	.test_cases = goslab_foreign_cases,
};

kunit_test_suite(goslab_foreign_suite);
