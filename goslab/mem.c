// SPDX-License-Identifier: GPL-2.0
/*
 * mem: goslab's calls into the page allocator (see mem.h).  Arenas and
 * metadata are shared by every caller, so only the caller's "how hard to
 * try" flags reach the page allocator: never where the pages go or whose
 * memory cgroup pays (mem_page_gfp()).
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/random.h>
#include <linux/atomic.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>

#include "mem.h"
#include "report.h"
#include "compat.h"

static unsigned int mem_fail_pct;
/* Pages (the kernel's) goslab holds from the page allocator. */
static atomic_long_t mem_pages_held = ATOMIC_LONG_INIT(0);
static atomic_long_t mem_injected_failures = ATOMIC_LONG_INIT(0);

/*
 * A caller's __GFP_ACCOUNT, __GFP_MOVABLE or __GFP_THISNODE must not
 * place or charge a shared arena; SLUB masks its slab pages the same way
 * (mm's GFP_RECLAIM_MASK).
 */
#define GS_GFP_PAGE_MASK	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | \
				 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
				 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
				 __GFP_NOLOCKDEP)

/**
 * mem_page_gfp - the flags goslab passes on for pages every caller shares
 * @gfp: the caller's flags
 */
gfp_t mem_page_gfp(gfp_t gfp)
{
	return gfp & GS_GFP_PAGE_MASK;
}

/**
 * mem_opportunistic_gfp - the flags for a larger block than needed
 * @gfp: flags from mem_page_gfp()
 *
 * The heap asks for a whole arena before the order a span needs.  That
 * attempt is a bonus: it must not reclaim, compact, wake kswapd or dip
 * into the atomic or emergency reserves (a GFP_ATOMIC caller's
 * __GFP_HIGH would take 4 MiB of them for one small object), and may
 * fail quietly.  Only the smallest order that serves the request gets
 * the caller's flags, as SLUB's allocate_slab() treats its preferred
 * order.
 */
gfp_t mem_opportunistic_gfp(gfp_t gfp)
{
	return (gfp | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC) &
	       ~(__GFP_NOFAIL | __GFP_RECLAIM | __GFP_HIGH | __GFP_MEMALLOC);
}

/**
 * mem_fault - should this page allocation fail on purpose?
 *
 * The debugfs knob fail_pages makes that share (in percent) of goslab's
 * calls into the buddy allocator fail, to test every error path.
 */
bool mem_fault(void)
{
	unsigned int pct = READ_ONCE(mem_fail_pct);

	if (likely(!pct) || get_random_u32_below(100) >= pct)
		return false;
	atomic_long_inc(&mem_injected_failures);
	return true;
}

void mem_set_fail_pages(unsigned int pct)
{
	WRITE_ONCE(mem_fail_pct, pct);
}

unsigned int mem_fail_pages(void)
{
	return READ_ONCE(mem_fail_pct);
}

unsigned long mem_injected(void)
{
	return atomic_long_read(&mem_injected_failures);
}

/*
 * @nr pages of @page's node taken (> 0) or given back (< 0): in goslab's
 * own count and in the kernel's slab counter of that node, so that
 * /proc/meminfo's Slab and SUnreclaim, per-node meminfo, free(1) and OOM
 * reports see goslab as they see SLUB.  Free pages goslab keeps in its
 * arenas count as SLUB's free objects in its slabs do: held, not free.
 */
static void mem_account(struct page *page, long nr)
{
	atomic_long_add(nr, &mem_pages_held);
	mod_node_page_state(page_pgdat(page), NR_SLAB_UNRECLAIMABLE_B,
			    nr << PAGE_SHIFT);
}

/**
 * mem_pages - the pages goslab holds from the page allocator
 *
 * Arenas, metadata chunks and arena tables: exactly what goslab's part of
 * NR_SLAB_UNRECLAIMABLE_B is.  Return: a count of PAGE_SIZE pages.
 */
unsigned long mem_pages(void)
{
	return atomic_long_read(&mem_pages_held);
}

/**
 * mem_alloc_pages - a block of 2^@order pages from the buddy allocator
 * @node: the node, or NUMA_NO_NODE for the caller's memory policy
 * @gfp: the flags, already masked by the caller
 * @order: the block's order
 *
 * Return: the block's first page, or NULL (injected failures included,
 * except for __GFP_NOFAIL, which the page allocator never fails either).
 */
struct page *mem_alloc_pages(int node, gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (!(gfp & __GFP_NOFAIL) && mem_fault())
		return NULL;
	if (node == NUMA_NO_NODE)
		page = alloc_pages(gfp, order);
	else
		page = alloc_pages_node(node, gfp, order);
	if (page)
		mem_account(page, 1L << order);
	return page;
}

/**
 * mem_free_pages - give a block from mem_alloc_pages() back
 * @addr: its address in the direct map
 * @order: its order
 */
void mem_free_pages(unsigned long addr, unsigned int order)
{
	mem_account(virt_to_page((void *)addr), -(1L << order));
	free_pages(addr, order);
}

/*
 * Heap pages carry MEM_HEAP_BIAS references more than their owner needs.
 * A kfree(), kvfree() or kfree_rcu() of a goslab object ends in SLUB's
 * free_large_kmalloc() (the page is not a slab folio), which drops one
 * reference and takes a page out of NR_SLAB_UNRECLAIMABLE_B.  With the
 * bias the page stays goslab's and its other objects intact, however
 * many such frees hit it; the release below counts the references they
 * took, puts the slab counter right and reports them.
 */
#define MEM_HEAP_BIAS	1024

/**
 * mem_heap_alloc - a block of 2^@order pages for the page heap
 * @node: the node, or NUMA_NO_NODE for the caller's memory policy
 * @gfp: the flags, already masked by the caller
 * @order: the block's order
 *
 * The block is split into order-0 pages (split_page()), so that the heap
 * can give back any page of it on its own, whenever it is free (Go's
 * scavenger returns pages, not arenas); each holds the bias above.
 * Return: the first page, or NULL.
 */
struct page *mem_heap_alloc(int node, gfp_t gfp, unsigned int order)
{
	struct page *page = mem_alloc_pages(node, gfp & ~__GFP_COMP, order);
	unsigned long i;

	if (!page)
		return NULL;
	if (order)
		split_page(page, order);
	for (i = 0; i < (1UL << order); i++)
		page_ref_add(page + i, MEM_HEAP_BIAS);
	return page;
}

/* References a kfree() took from heap page @page (0 when none did). */
static int mem_heap_lost(struct page *page)
{
	return MEM_HEAP_BIAS + 1 - page_ref_count(page);
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void (*mem_test_free_hook)(struct page *page);
#endif

/*
 * Give back one heap page, as mem_heap_alloc() left it or not.  A stray
 * kfree() may put the page at any time, so the count goslab read is
 * frozen before the free: dropping the references it read with a plain
 * subtraction would, after such a put, take the count to zero and free
 * a page with no reference left (a refcount underflow, DEBUG_VM's BUG).
 * A page someone else holds (get_page()) keeps their references: theirs
 * is the last put, unless they dropped them meanwhile.  A stray kfree()
 * and a holder on one page at once cannot be told apart by the count:
 * the holder's reference is then taken for the one the kfree() took, as
 * the block free above would.  Return: the
 * page's worth a kfree() already took out of the slab counter.
 */
static long mem_heap_free_page(struct page *page)
{
	int count, lost;

	for (;;) {
		count = page_ref_count(page);
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
		{
			void (*hook)(struct page *page) =
				READ_ONCE(mem_test_free_hook);

			/* The KUnit suites put the page here (foreign_test.c). */
			if (hook)
				hook(page);
		}
#endif
		lost = MEM_HEAP_BIAS + 1 - count;
		if (unlikely(count <= 0)) {
			/* 1,025 stray puts: the page went back under goslab. */
			report_foreign_free(page_address(page), lost);
			return 0;
		}
		if (lost < 0) {
			report_foreign_free(page_address(page), lost);
			if (page_ref_sub_and_test(page, MEM_HEAP_BIAS + 1)) {
				page_ref_unfreeze(page, 1);
				__free_page(page);
			}
			return 0;
		}
		if (page_ref_freeze(page, count))
			break;
	}
	if (unlikely(lost))
		report_foreign_free(page_address(page), lost);
	page_ref_unfreeze(page, 1);
	__free_page(page);
	return lost;
}

/*
 * Give back the naturally aligned block of 2^@order heap pages at @page
 * in one call, as the buddy allocator's own blocks go back, rather than
 * page by page through the per-CPU lists (for a 1 MiB object, 256 calls
 * and 256 buddy merges).  split_page() made every page its own, so each
 * tail's references are frozen to zero first: a tail someone else holds
 * a reference to (a kfree(), a speculative get_page_unless_zero() from
 * compaction) cannot be frozen, and then the block goes back page by
 * page after all, as it does when a page of it is poisoned.  The head
 * keeps one reference; __free_pages() drops it
 * and, if a speculative holder still has one, frees the tails now and
 * leaves the head to that holder's put, which is how the page allocator
 * handles such a holder on any block.  Return: false if the block was
 * not clean and nothing was freed.
 */
static bool mem_heap_free_block(struct page *page, unsigned int order)
{
	unsigned long n = 1UL << order, i;

	/* split_page() also split the tag; a block free would leave tails' */
	if (IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING))
		return false;
	/*
	 * A poisoned page (memory_failure()) must go back alone: only an
	 * order-0 free keeps it out of the free lists.  The head is frozen
	 * too, so that a racing put (a stray kfree()) cannot take it to zero
	 * between the check and the free.
	 */
	if (PageHWPoison(page) || !page_ref_freeze(page, MEM_HEAP_BIAS + 1))
		return false;
	for (i = 1; i < n; i++)
		if (PageHWPoison(page + i) ||
		    !page_ref_freeze(page + i, MEM_HEAP_BIAS + 1))
			break;
	if (i < n) {
		while (--i)
			page_ref_unfreeze(page + i, MEM_HEAP_BIAS + 1);
		page_ref_unfreeze(page, MEM_HEAP_BIAS + 1);
		return false;
	}
	page_ref_unfreeze(page, 1);
	__free_pages(page, order);
	return true;
}

/**
 * mem_heap_free - give pages of mem_heap_alloc() blocks back
 * @addr: the first page's address in the direct map
 * @nr: pages (the kernel's) from there, any part of any blocks
 *
 * The run goes back as the largest naturally aligned blocks it holds
 * (mem_heap_free_block()), a page that is not as goslab left it on its
 * own.  Each kfree() that hit a page took a page's worth out of the slab
 * counter (SLUB warned about it): that is given back here, and reported.
 * A page with more references than goslab's is still used by someone who
 * took one (get_page() on slab memory): goslab drops its own, the last
 * put frees it.
 */
void mem_heap_free(unsigned long addr, unsigned long nr)
{
	struct page *page = virt_to_page((void *)addr);
	unsigned long pfn = page_to_pfn(page), i = 0;
	unsigned int order;
	long kfreed = 0;

	while (i < nr) {
		order = min3((unsigned int)__ffs((pfn + i) | (1UL << GS_MAX_PAGE_ORDER)),
			     (unsigned int)ilog2(nr - i),
			     (unsigned int)GS_MAX_PAGE_ORDER);
		if (order && mem_heap_free_block(page + i, order)) {
			i += 1UL << order;
			continue;
		}
		kfreed += mem_heap_free_page(page + i);
		i++;
	}
	atomic_long_sub(nr, &mem_pages_held);
	mod_node_page_state(page_pgdat(page), NR_SLAB_UNRECLAIMABLE_B,
			    -((long)(nr - kfreed) << PAGE_SHIFT));
}

/**
 * mem_heap_refs_lost - references a kfree() took from a heap page
 * @addr: the page's address
 *
 * Return: 0 when the page is as mem_heap_alloc() left it; > 0 for the
 * kfree()s that hit it; < 0 for references someone else holds.
 */
int mem_heap_refs_lost(unsigned long addr)
{
	return mem_heap_lost(virt_to_page((void *)addr));
}

/**
 * mem_alloc_table - zeroed pages for a table of goslab's own
 * @gfp: flags; no warning on failure, the caller reports
 * @order: the table's order
 *
 * Return: the table, or NULL.
 */
void *mem_alloc_table(gfp_t gfp, unsigned int order)
{
	struct page *page = mem_alloc_pages(NUMA_NO_NODE,
					    gfp | __GFP_ZERO | __GFP_NOWARN,
					    order);

	return page ? page_address(page) : NULL;
}

/**
 * mem_free_table - free a table from mem_alloc_table()
 * @p: the table
 * @order: its order
 */
void mem_free_table(void *p, unsigned int order)
{
	mem_free_pages((unsigned long)p, order);
}
