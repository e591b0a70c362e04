/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mem: the boundary to the page allocator (runtime/mem.go's sysAlloc and
 * sysFree, mem_linux.go).  Every page goslab takes or gives back passes
 * through here: the flags it may pass on, the fault injection that tests
 * every error path, and the accounting of what goslab holds, in its own
 * count and in the kernel's slab counters.
 * A leaf.  malloc.c's overview walks the paths that reach it.
 */
#ifndef _GOSLAB_MEM_H
#define _GOSLAB_MEM_H

#include <linux/types.h>
#include <linux/gfp.h>

/* Zone modifiers a kmalloc() caller may pass: see alloc_zone_fixup(). */
#define GS_GFP_ZONES		(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

gfp_t mem_page_gfp(gfp_t gfp);
gfp_t mem_opportunistic_gfp(gfp_t gfp);
struct page *mem_alloc_pages(int node, gfp_t gfp, unsigned int order);
void mem_free_pages(unsigned long addr, unsigned int order);
struct page *mem_heap_alloc(int node, gfp_t gfp, unsigned int order);
void mem_heap_free(unsigned long addr, unsigned long nr);
int mem_heap_refs_lost(unsigned long addr);
void *mem_alloc_table(gfp_t gfp, unsigned int order);
void mem_free_table(void *p, unsigned int order);
unsigned long mem_pages(void);

/* Fault injection (debugfs fail_pages). */
bool mem_fault(void);
void mem_set_fail_pages(unsigned int pct);
unsigned int mem_fail_pages(void);
unsigned long mem_injected(void);

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* Called by the per-page free after it read the page's count (mem.c). */
extern void (*mem_test_free_hook)(struct page *page);
#endif

#endif /* _GOSLAB_MEM_H */
