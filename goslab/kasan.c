// SPDX-License-Identifier: GPL-2.0
/*
 * goslab under KASAN (generic mode).
 *
 * KASAN keeps one shadow byte per 8-byte granule: 0 when all of it may be
 * accessed, 1..7 when only that many first bytes may, a negative "poison"
 * value (which also names the kind of bug in a report) when none may.
 * The page allocator unpoisons the pages goslab takes for its arenas, so
 * without these hooks all of goslab's memory would look valid to KASAN.
 * With them:
 *
 *   a span's memory is a red zone when the span is made, and freed pages
 *   when it goes back to the heap;
 *   an object handed out is addressable up to the size asked for, and
 *   the rest of its slot is a red zone (slab red zone for small objects,
 *   page red zone past a large one, as SLUB and kmalloc_large() mark
 *   theirs);
 *   an object freed is poisoned as a freed slab object (small) or freed
 *   pages (large) before the free is published, so that nothing another
 *   CPU hands out meanwhile is poisoned after the fact.
 *
 * A tiny block is addressable whole while any object packed in it lives
 * (a granule is 8 bytes, a tiny object may be 1).  goslab unpoisons a
 * whole slot before it zeroes it or debug mode checks it, and keeps the
 * owner's LIFO link in a freed object out of KASAN's sight.  The shadow
 * is written with kasan_poison(), the one shadow primitive the kernel
 * exports to modules; compat.h says where its declaration comes from.
 * Checks only, a leaf; the hooks run from post_alloc_hook() and the free
 * paths (malloc.c's overview).
 */
#include <linux/kasan.h>
#include <linux/kernel.h>

#include "compat.h"
#include "kasan.h"
#include "mspan.h"

/*
 * Where the kernel's tree is at hand (KUnit stages goslab into one), its
 * own declaration of kasan_poison() is included next to compat.h's, so
 * the compiler checks the two against each other, and the poison values
 * below against the kernel's (Kbuild sets GS_KASAN_PRIVATE_H).
 */
#ifdef GS_KASAN_PRIVATE_H
#include <kasan/kasan.h>
#endif

#define GS_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)

/* mm/kasan/kasan.h's values, so that reports name the bug right. */
#define GS_KASAN_PAGE_FREE	0xFF
#define GS_KASAN_PAGE_REDZONE	0xFE
#define GS_KASAN_SLAB_REDZONE	0xFC
#define GS_KASAN_SLAB_FREE	0xFB

#ifdef GS_KASAN_PRIVATE_H
static_assert(GS_KASAN_PAGE_FREE == KASAN_PAGE_FREE);
static_assert(GS_KASAN_PAGE_REDZONE == KASAN_PAGE_REDZONE);
static_assert(GS_KASAN_SLAB_REDZONE == KASAN_SLAB_REDZONE);
static_assert(GS_KASAN_SLAB_FREE == KASAN_SLAB_FREE);
static_assert(GS_KASAN_GRANULE == KASAN_GRANULE_SIZE);
#endif

static bool gs_kasan_large(size_t slot)
{
	return slot > GOSLAB_MAX_SMALL_SIZE;
}

/**
 * gs_kasan_unpoison - make exactly [@p, @p + @size) addressable
 * @p: granule-aligned start (every goslab object is)
 * @size: bytes
 */
void gs_kasan_unpoison(const void *p, size_t size)
{
	size_t whole = round_down(size, GS_KASAN_GRANULE);

	kasan_poison(p, whole, 0, false);
	/* Generic mode's partial granule: how many of its bytes are valid. */
	if (size > whole)
		kasan_poison(p + whole, GS_KASAN_GRANULE, size - whole, false);
}

/**
 * gs_kasan_alloc - mark a handed-out object
 * @p: the object
 * @size: bytes asked for, addressable from now on
 * @slot: bytes of its slot (class size, or whole pages for a large one);
 *	the rest of the slot becomes a red zone
 */
void gs_kasan_alloc(const void *p, size_t size, size_t slot)
{
	size_t used = round_up(size, GS_KASAN_GRANULE);

	gs_kasan_unpoison(p, size);
	if (slot > used)
		kasan_poison(p + used, slot - used,
			     gs_kasan_large(slot) ? GS_KASAN_PAGE_REDZONE :
						    GS_KASAN_SLAB_REDZONE,
			     false);
}

/**
 * gs_kasan_free - mark a freed object
 * @p: the object
 * @slot: bytes of its slot
 */
void gs_kasan_free(const void *p, size_t slot)
{
	kasan_poison(p, slot, gs_kasan_large(slot) ? GS_KASAN_PAGE_FREE :
						     GS_KASAN_SLAB_FREE, false);
}

/**
 * gs_kasan_span - mark a whole span's memory
 * @s: the span
 * @freed: true when it goes back to the heap (freed pages), false when
 *	it is made (a red zone until its objects are handed out)
 */
void gs_kasan_span(const struct mspan *s, bool freed)
{
	u8 v = freed ? GS_KASAN_PAGE_FREE :
		spanclass_sizeclass(s->spanclass) ? GS_KASAN_SLAB_REDZONE :
						     GS_KASAN_PAGE_REDZONE;

	kasan_poison((void *)s->start_addr,
		     (size_t)s->npages << GOSLAB_PAGE_SHIFT, v, false);
}

/* The owner's LIFO link in a freed object: not instrumented. */
__no_sanitize_address void gs_kasan_set_link(void *p, unsigned int next)
{
	*(unsigned int *)p = next;
}

__no_sanitize_address unsigned int gs_kasan_get_link(const void *p)
{
	return *(const unsigned int *)p;
}
