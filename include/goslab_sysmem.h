/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page allocator's counters read the way the rest of the system sees
 * them, for goslab's KUnit suites (kunit/gs_test.h) and goslab_bench
 * (clients/bench/): the pages an allocator takes show as free pages gone.
 * Nothing of goslab's is here, and it is not goslab's API (<goslab.h>
 * is): the bench client, a client like any other, includes <goslab.h>
 * and this, none of goslab's own headers.
 *
 * A counter is read with every CPU's delta that is not folded into it
 * yet: a CPU holds back up to its stat threshold per counter and zone
 * (tens of pages here), as much as the smaller tests measure.
 */
#ifndef _GOSLAB_SYSMEM_H
#define _GOSLAB_SYSMEM_H

#include <linux/compiler.h>
/* Before <linux/vmstat.h>, whose folio helpers it needs. */
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/vmstat.h>

/**
 * goslab_sysmem_free_pages() - free pages as the page allocator has them
 *
 * %NR_FREE_PAGES with every CPU's unfolded delta, plus the pages on every
 * CPU's per-CPU page lists: free, but not in %NR_FREE_PAGES until a drain
 * moves them to the buddy lists.  That is the figure drain_all_pages()
 * would leave, without the drain: it is not exported, and a drain does
 * not change how many pages are free (a list's count is in base pages,
 * its high-order pages included).  An allocator that gives pages back
 * one at a time puts order-0 pages on those lists.
 *
 * Return: the number of free pages.
 */
static inline long goslab_sysmem_free_pages(void)
{
	long v = global_zone_page_state(NR_FREE_PAGES);
	int nid, cpu, z;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			for_each_online_cpu(cpu) {
#ifdef CONFIG_SMP
				struct per_cpu_zonestat *zs;

				/* Only SMP kernels hold deltas back. */
				zs = per_cpu_ptr(zone->per_cpu_zonestats, cpu);
				v += zs->vm_stat_diff[NR_FREE_PAGES];
#endif
				v += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset,
							   cpu)->count);
			}
		}
	}
	return v;
}

/**
 * goslab_sysmem_node_pages() - a node counter of one node, exactly
 * @nid: the node
 * @item: the counter (%NR_SLAB_UNRECLAIMABLE_B, say: SLUB's slabs and
 *        large kmallocs)
 *
 * Return: the counter in pages, every CPU's unfolded delta included.
 */
static inline long goslab_sysmem_node_pages(int nid, enum node_stat_item item)
{
	struct pglist_data *pgdat = NODE_DATA(nid);
	/* node_page_state_pages(), which modules do not have. */
	long v = atomic_long_read(&pgdat->vm_stat[item]);
#ifdef CONFIG_SMP
	int cpu;

	for_each_online_cpu(cpu)
		v += per_cpu_ptr(pgdat->per_cpu_nodestats,
				 cpu)->vm_node_stat_diff[item];
#endif
	return v;
}

/**
 * goslab_sysmem_pages() - a node counter summed over the online nodes
 * @item: the counter
 *
 * Return: the sum of goslab_sysmem_node_pages() over the online nodes.
 */
static inline long goslab_sysmem_pages(enum node_stat_item item)
{
	long v = 0;
	int nid;

	for_each_online_node(nid)
		v += goslab_sysmem_node_pages(nid, item);
	return v;
}

#endif /* _GOSLAB_SYSMEM_H */
