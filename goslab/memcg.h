/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcg: __GFP_ACCOUNT allocations, handed to kmalloc so that SLUB
 * charges them to the caller's memory cgroup, and the table that lets
 * goslab_free() and the other calls that take a pointer recognise them
 * (memcg.c).  A leaf: it calls kmalloc and report.c; malloc.c and mfree.c
 * call it, module.c brings it up and down.
 */
#ifndef _GOSLAB_MEMCG_H
#define _GOSLAB_MEMCG_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/atomic.h>

#include "compat.h"

/* Objects handed to kmalloc and not yet freed. */
extern atomic_long_t memcg_handed;

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* The tests hand accounted requests over without a memory cgroup. */
extern bool memcg_test_force;
#else
#define memcg_test_force	false
#endif

/*
 * An accounted request while the kernel charges kernel memory to memory
 * cgroups: kmalloc's to serve.  Without that (no memory cgroup, or
 * cgroup.memory=nokmem), SLUB charges nothing either, and goslab serves
 * it.
 */
static __always_inline bool memcg_handoff(gfp_t flags)
{
	return unlikely(flags & __GFP_ACCOUNT) &&
	       (compat_memcg_kmem_on() || memcg_test_force);
}

void *memcg_alloc(size_t size, gfp_t flags, int node);
bool __memcg_free(const void *p);
size_t __memcg_usable_size(const void *p);
bool __memcg_owns(const void *p);

/*
 * The calls on a pointer no goslab span covers: cheap while goslab has
 * handed nothing over.
 */
static inline bool memcg_free(const void *p)
{
	return atomic_long_read(&memcg_handed) && __memcg_free(p);
}

static inline size_t memcg_usable_size(const void *p)
{
	return atomic_long_read(&memcg_handed) ? __memcg_usable_size(p) : 0;
}

static inline bool memcg_owns(const void *p)
{
	return atomic_long_read(&memcg_handed) && __memcg_owns(p);
}

int memcg_init(void);
void memcg_exit(void);

#endif /* _GOSLAB_MEMCG_H */
