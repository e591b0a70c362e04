// SPDX-License-Identifier: GPL-2.0
/*
 * arena: the arena table (see arena.h).  Its level-2 pages come from the
 * page allocator through mem.c and stay until unload: a lookup through a
 * stale pointer then reads NULL, never freed memory.
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/atomic.h>

#include "arena.h"
#include "mem.h"

#define GS_L2_BYTES		(GS_L2_ENTRIES * sizeof(struct heap_arena *))

struct heap_arena **arena_l1[GS_L1_ENTRIES];

/**
 * arena_table_prepare - make sure the level-2 table for @base exists
 * @base: an arena's base address
 * @gfp: flags for the page allocator; sleeps only if they allow it
 *
 * Return: 0, -ERANGE outside the direct map, or -ENOMEM.
 */
int arena_table_prepare(unsigned long base, gfp_t gfp)
{
	long idx = arena_index(base);
	struct heap_arena **l2;

	if (idx < 0)
		return -ERANGE;
	if (READ_ONCE(arena_l1[idx >> GS_L2_BITS]))
		return 0;
	l2 = mem_alloc_table(gfp, get_order(GS_L2_BYTES));
	if (!l2)
		return -ENOMEM;
	if (cmpxchg(&arena_l1[idx >> GS_L2_BITS], NULL, l2))
		mem_free_table(l2, get_order(GS_L2_BYTES));
	return 0;
}

/**
 * arena_table_set - point @base's table entry at @a
 * @base: an arena's base address, whose level-2 table exists
 * @a: the arena, or NULL when it goes
 *
 * Under the owning heap's lock; lookups read the entry without it.
 */
void arena_table_set(unsigned long base, struct heap_arena *a)
{
	long idx = arena_index(base);

	WRITE_ONCE(arena_l1[idx >> GS_L2_BITS][idx & (GS_L2_ENTRIES - 1)], a);
}

/** arena_table_exit - free the level-2 tables, at unload */
void arena_table_exit(void)
{
	unsigned int i;

	for (i = 0; i < GS_L1_ENTRIES; i++) {
		if (arena_l1[i])
			mem_free_table(arena_l1[i], get_order(GS_L2_BYTES));
		arena_l1[i] = NULL;
	}
}
