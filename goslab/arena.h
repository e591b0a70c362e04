/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena: Go's heapArena and the arena table that maps any address to its
 * span in O(1) (runtime/mheap.go's arenas and spanOf).  A leaf: mheap.c
 * fills the table, every layer reads it.  malloc.c's overview walks the
 * paths that use it.
 */
#ifndef _GOSLAB_ARENA_H
#define _GOSLAB_ARENA_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/compiler.h>

#include "sizeclasses.h"
#include "mpagealloc.h"
#include "mspan.h"

/*
 * An arena is one naturally aligned 4 MiB block of the direct map: one Go
 * page chunk of 512 goslab pages.  The buddy allocator hands out order-10
 * blocks aligned to their size, so an arena never straddles two entries of
 * the arena table.
 */
#define GS_ARENA_SHIFT		22
#define GS_ARENA_BYTES		BIT(GS_ARENA_SHIFT)
#define GS_PAGES_PER_ARENA	(GS_ARENA_BYTES >> GOSLAB_PAGE_SHIFT)
#define GS_ARENA_ORDER		(GS_ARENA_SHIFT - PAGE_SHIFT)
#define GS_PAGE_ORDER		(GOSLAB_PAGE_SHIFT - PAGE_SHIFT)
#define GS_LARGE_MAX_PAGES	GS_PAGES_PER_ARENA

struct mheap;

/*
 * struct heap_arena - Go's heapArena: the metadata of one 4 MiB region.
 * Pages of the region that goslab did not get from the buddy allocator
 * (an arena built from smaller fallback blocks) are never free in the
 * page bitmap and have no span.
 */
struct heap_arena {
	struct list_head list;		/* mheap's arenas, in no order */
	struct hlist_node bylen;	/* its bucket in the mheap_index */
	unsigned long base;
	struct mheap *heap;
	struct pallocbits pages;	/* set: in use or not owned */
	struct pallocsum sum;		/* start/max/end free run */
	unsigned int nowned;		/* goslab pages owned */
	unsigned int nfree;		/* owned pages not in a span */
	struct pallocbits dirty;	/* set: page may hold old data */
	struct mspan *huge;		/* an over-4 MiB span, whole region */
	unsigned long owned[GS_PAGES_PER_ARENA / BITS_PER_LONG];
	struct mspan *spans[GS_PAGES_PER_ARENA];
};

/*
 * The arena table: two levels over the direct map, 2^(12 + 12 + 22) =
 * 64 TiB.  Inline: every free looks its span up here.  Addresses are
 * untagged: x86-64 with generic KASAN has no pointer tags, and goslab
 * refuses to build for the tag-based KASAN modes (module.c).
 */
#define GS_L2_BITS		12
#define GS_L1_BITS		12
#define GS_L2_ENTRIES		BIT(GS_L2_BITS)
#define GS_L1_ENTRIES		BIT(GS_L1_BITS)
extern struct heap_arena **arena_l1[GS_L1_ENTRIES];

/* Bytes of the direct map, from PAGE_OFFSET, that the table covers. */
#define GS_TABLE_BYTES		(1ULL << (GS_L1_BITS + GS_L2_BITS + GS_ARENA_SHIFT))

/*
 * Does the table cover the direct map of memory that ends at @end_pfn?
 * 4-level paging maps at most 64 TiB, all of it covered; 5-level paging
 * maps up to 4 PiB, and memory above 64 TiB could never be an arena
 * (arena_table_prepare() refuses it), so goslab refuses to load there
 * (module.c) rather than fail every grow that lands above.
 */
static inline bool arena_table_covers(unsigned long end_pfn)
{
	return (u64)end_pfn << PAGE_SHIFT <= GS_TABLE_BYTES;
}

/* Index of @addr's region in the arena table, or -1 if out of range. */
static __always_inline long arena_index(unsigned long addr)
{
	unsigned long off = addr - PAGE_OFFSET;

	if (unlikely(addr < PAGE_OFFSET))
		return -1;
	off >>= GS_ARENA_SHIFT;
	if (unlikely(off >= GS_L1_ENTRIES * GS_L2_ENTRIES))
		return -1;
	return off;
}

/**
 * arena_of - the arena whose region holds @addr
 * @addr: any address
 *
 * Lock-free: table entries are written under the heap lock with
 * WRITE_ONCE and read here with READ_ONCE.  Return: the arena or NULL.
 */
static __always_inline struct heap_arena *arena_of(unsigned long addr)
{
	long idx = arena_index(addr);
	struct heap_arena **l2;

	if (idx < 0)
		return NULL;
	l2 = READ_ONCE(arena_l1[idx >> GS_L2_BITS]);
	if (unlikely(!l2))
		return NULL;
	return READ_ONCE(l2[idx & (GS_L2_ENTRIES - 1)]);
}

/* Goslab page @p falls in, as an index into its arena. */
static __always_inline unsigned int arena_page(unsigned long p)
{
	/* Regions are aligned: the page's index needs no load of a->base. */
	return (p >> GOSLAB_PAGE_SHIFT) & (GS_PAGES_PER_ARENA - 1);
}

/**
 * span_of - the span that covers the page of @p, if any
 * @p: any address
 *
 * Go's spanOf: no check that @p lies inside the span's objects or that
 * the span is in use; see span_of_heap() for that.
 */
static __always_inline struct mspan *span_of(unsigned long p)
{
	struct heap_arena *a = arena_of(p);

	if (unlikely(!a))
		return NULL;
	return READ_ONCE(a->spans[arena_page(p)]);
}

/*
 * Is @s an in-use span with @p inside its objects?  The acquire pairs
 * with the release that publishes a span in mheap_alloc(): every field
 * a lookup reads after this was written before it.
 */
static __always_inline bool span_holds(const struct mspan *s, unsigned long p)
{
	/* Pairs with the smp_store_release() of s->state in mheap_alloc(). */
	return s && smp_load_acquire(&s->state) == MSPAN_INUSE &&
	       p >= s->start_addr && p < s->limit;
}

int arena_table_prepare(unsigned long base, gfp_t gfp);
void arena_table_set(unsigned long base, struct heap_arena *a);
void arena_table_exit(void);

#endif /* _GOSLAB_ARENA_H */
