// SPDX-License-Identifier: GPL-2.0
/*
 * goslab module: Go's mallocinit.  Brings the layers up in dependency
 * order (heap, central lists, per-CPU caches, the shrinker, debugfs) and
 * down in reverse, giving every page back to the buddy allocator on
 * unload.  An observer: it may use every layer.  malloc.c has the overview.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/cpuhotplug.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>

#include "debugfs.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "arena.h"
#include "reclaim.h"
#include "nmifree.h"
#include "rcufree.h"
#include "memcg.h"
#include "usercopy.h"
#include "report.h"

/*
 * The mcache paths run with preemption off and, when they must, take the
 * heap's and central lists' spinlock_t locks and call the page allocator
 * there: on PREEMPT_RT those sleep.  Refuse to build rather than corrupt.
 */
#ifdef CONFIG_PREEMPT_RT
#error "goslab does not support PREEMPT_RT (see Documentation/design.rst)"
#endif

/*
 * The arena table indexes untagged direct-map addresses (arena.h); the
 * tag-based KASAN modes put a tag in a pointer's top byte.  x86-64 has
 * only generic KASAN, which tags nothing.
 */
#if defined(CONFIG_KASAN_SW_TAGS) || defined(CONFIG_KASAN_HW_TAGS)
#error "goslab does not support tag-based KASAN (see Documentation/design.rst)"
#endif

static int goslab_cpuhp_state = -1;

/*
 * Is all memory (up to the highest online node's end) in the arena
 * table's reach?  Memory hot-added above it later is refused by each
 * grow instead (arena_table_prepare()).
 */
static int goslab_check_memory(void)
{
	unsigned long end = 0;
	int node;

	for_each_online_node(node)
		end = max(end, node_end_pfn(node));
	if (arena_table_covers(end))
		return 0;
	report_table_range((u64)end << PAGE_SHIFT, GS_TABLE_BYTES);
	return -ERANGE;
}

/* A CPU is dead: its cache is drained from a surviving CPU. */
static int goslab_cpu_dead(unsigned int cpu)
{
	nmifree_cpu_dead(cpu);
	rcufree_cpu_dead(cpu);
	mcache_drain_dead_cpu(cpu);
	return 0;
}

static int __init goslab_init(void)
{
	int err;

	err = goslab_check_memory();
	if (err)
		return err;
	err = memcg_init();
	if (err)
		return err;
	err = mheap_init();
	if (err)
		goto out_memcg;
	err = mcentral_init();
	if (err)
		goto out_heap;
	err = mcache_init();
	if (err)
		goto out_central;
	err = nmifree_init();
	if (err)
		goto out_mcache;
	err = rcufree_init();
	if (err)
		goto out_nmifree;
	err = reclaim_init();
	if (err)
		goto out_rcufree;
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "goslab:dead",
					NULL, goslab_cpu_dead);
	if (err < 0)
		goto out_reclaim;
	goslab_cpuhp_state = err;
	err = goslab_debugfs_init();
	if (err)
		goto out_cpuhp;
	/* Last: once hooked, the kernel's copies look into the heap. */
	usercopy_init();
	pr_info("goslab: %d size classes, %lu KiB pages, %lu KiB arenas\n",
		GOSLAB_NUM_SIZE_CLASSES - 1, GOSLAB_PAGE_SIZE >> 10,
		GS_ARENA_BYTES >> 10);
	return 0;

out_cpuhp:
	cpuhp_remove_state_nocalls(goslab_cpuhp_state);
out_reclaim:
	reclaim_exit();
out_rcufree:
	rcufree_exit();
out_nmifree:
	nmifree_exit();
out_mcache:
	mcache_destroy();
out_central:
	mcentral_exit();
out_heap:
	mheap_exit();
out_memcg:
	memcg_exit();
	return err;
}

static void __exit goslab_exit(void)
{
	usercopy_exit();
	goslab_debugfs_exit();
	/* No shrinker may walk the heaps while they are taken down. */
	reclaim_exit();
	cpuhp_remove_state_nocalls(goslab_cpuhp_state);
	/* The frees still pending, done while the heap is whole. */
	rcufree_exit();
	nmifree_exit();
	mcache_exit();
	mheap_report_leaks();
	mcentral_exit();
	mheap_exit();
	mcache_destroy();
	memcg_exit();
}

module_init(goslab_init);
module_exit(goslab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab: Go's memory allocator for the kernel");
MODULE_AUTHOR("The goslab developers");
