/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Move a whole subsystem's kmalloc family onto goslab without editing a
 * line of it.  Its build force-includes this header with gcc's -include,
 * in ccflags-y (subdir-ccflags-y for a tree of directories; see
 * scripts/ext4/Kbuild), and every kmalloc(), kzalloc(), kcalloc(),
 * krealloc(), kvmalloc(), kfree(), ksize(), kfree_rcu() ... of its code
 * is goslab's.  kmem_cache_*() stays SLUB's.
 *
 * Objects cross the boundary both ways, so the frees take anything: the
 * subsystem frees with kfree() what kernel helpers (kstrdup(), kmemdup(),
 * kasprintf(), posix_acl_alloc(), ...) allocated with SLUB, and a pointer
 * from kmalloc, kvmalloc, vmalloc or goslab goes back to the allocator it
 * came from (goslab_kfree()).  krealloc(), ksize() and the RCU frees ask
 * goslab_holds() first: a pointer into goslab's heap that is no live
 * object (a double free, a use after free) is goslab's to report, never
 * SLUB's, which would take goslab's page for one of its own.  An object
 * the subsystem hands to the kernel core for the core's own kfree() would
 * be a goslab object freed by SLUB: the one hand-over of that kind ext4
 * has, a symlink body the VFS frees through kfree_link(), names its free
 * function, and the name is mapped below.  Documentation/api.rst says how to look for others.
 *
 * The names are object-like macros where the kernel has a function, so
 * code that takes kfree's address (a callback, a devm action) gets
 * goslab_kfree(), whose type is kfree()'s.  Nothing here changes the
 * kernel's own inline helpers compiled before this header: it includes
 * their headers first, so they keep kmalloc.  For 6.12: the fallbacks
 * are the kernel's _noprof functions (6.10 on).
 */
#ifndef _GOSLAB_KMALLOC_H
#define _GOSLAB_KMALLOC_H

#include <linux/build_bug.h>
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kasan.h>
#include <linux/kasan-checks.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "goslab.h"

/*
 * Is @p goslab's (goslab_holds())?  Under KASAN, a pointer into goslab's
 * heap that is no live object (a use after free, a double free) gets
 * KASAN's report first, as SLUB's ksize(), krealloc() and
 * kfree_sensitive() check the byte with KASAN before anything else;
 * goslab's own report follows.  kasan_check_read() is the check the kernel
 * exports to modules.  The inside of a live object is addressable, so only
 * goslab reports that.
 */
static inline bool goslab_km_holds(const void *p)
{
	/* One lookup for SLUB's pointers: goslab_holds() is goslab_owns() and more. */
	if (!goslab_holds(p))
		return false;
	if (IS_ENABLED(CONFIG_KASAN_GENERIC) && !goslab_owns(p))
		kasan_check_read(p, 1);
	return true;
}

/* kmalloc_array_node(): goslab_alloc_array() with a node. */
static inline void *goslab_km_alloc_array_node(size_t n, size_t size,
					       gfp_t flags, int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return goslab_alloc_node(bytes, flags, node);
}

/*
 * krealloc(): goslab's own objects (live or not: goslab reports a freed
 * one) and NULL stay goslab's; an object from a kernel helper
 * (kstrdup() ...) is kmalloc's to resize.
 */
static inline void *goslab_km_krealloc(const void *p, size_t size,
				       gfp_t flags)
{
	if (ZERO_OR_NULL_PTR(p) || goslab_km_holds(p))
		return goslab_realloc(p, size, flags);
	return krealloc_noprof(p, size, flags);
}

static inline void *goslab_km_krealloc_array(void *p, size_t n, size_t size,
					     gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return goslab_km_krealloc(p, bytes, flags);
}

/* ksize(): goslab_usable_size() reports a pointer not goslab's. */
static inline size_t goslab_km_ksize(const void *p)
{
	return goslab_km_holds(p) ? goslab_usable_size(p) : ksize(p);
}

static inline void goslab_km_kfree_sensitive(const void *p)
{
	if (goslab_km_holds(p))
		goslab_free_sensitive(p);
	else
		kfree_sensitive(p);
}

static inline void goslab_km_kvfree_sensitive(const void *p, size_t len)
{
	if (goslab_km_holds(p))
		goslab_free_sensitive(p);
	else
		kvfree_sensitive(p, len);
}

/*
 * kfree_const(): the kernel's tells its own .rodata (kstrdup_const()'s
 * strings) from kmalloc memory, and kfree()s with SLUB.
 */
static inline void goslab_km_kfree_const(const void *p)
{
	if (goslab_km_holds(p))
		goslab_free(p);
	else
		kfree_const(p);
}

/*
 * kfree_link(): the VFS's delayed call for a symlink body the file system
 * allocated (ext4's inline-data symlinks).  The file system names it, so
 * it names this one: the core calls it, goslab frees the body.
 */
static inline void goslab_km_kfree_link(void *p)
{
	goslab_kfree(p);
}

/*
 * The flags of kvmalloc()'s first, contiguous try: as kvmalloc's, a
 * request over a page may fail quietly and at once, vmalloc being behind.
 */
static inline gfp_t goslab_km_kv_first_gfp(gfp_t flags, size_t size)
{
	if (size > PAGE_SIZE) {
		flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			flags |= __GFP_NORETRY;
		flags &= ~__GFP_NOFAIL;
	}
	return flags;
}

/*
 * kvmalloc_node(): goslab up to GOSLAB_MAX_SIZE, then vmalloc, under
 * kvmalloc's rules: nothing under a page falls back, nor a request that
 * may not sleep, nor one over INT_MAX.  6.12 exports no vmalloc that takes
 * both flags and a node, so the fallback takes the flags and any node.
 */
static inline void *goslab_km_kvmalloc_node(size_t size, gfp_t flags,
					    int node)
{
	void *p;

	if (size <= GOSLAB_MAX_SIZE) {
		p = goslab_alloc_node(size, goslab_km_kv_first_gfp(flags, size),
				      node);
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (!gfpflags_allow_blocking(flags))
		return NULL;
	if (unlikely(size > INT_MAX)) {
		WARN_ON_ONCE(!(flags & __GFP_NOWARN));
		return NULL;
	}
	return __vmalloc_noprof(size, flags);
}

static inline void *goslab_km_kvmalloc_array_node(size_t n, size_t size,
						  gfp_t flags, int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return goslab_km_kvmalloc_node(bytes, flags, node);
}

/*
 * kvrealloc(): vmalloc and kmalloc memory is the kernel's to resize; a
 * goslab object (or NULL) is resized by goslab, and moves to a fresh
 * kvmalloc() when goslab cannot serve the new size.
 */
static inline void *goslab_km_kvrealloc(const void *p, size_t size,
					gfp_t flags)
{
	void *n = NULL;

	if (!ZERO_OR_NULL_PTR(p) && !goslab_km_holds(p))
		return kvrealloc_noprof(p, size, flags);
	if (size <= GOSLAB_MAX_SIZE)
		n = goslab_realloc(p, size, goslab_km_kv_first_gfp(flags, size));
	if (n)
		return n;
	n = goslab_km_kvmalloc_node(size, flags, NUMA_NO_NODE);
	if (n && !ZERO_OR_NULL_PTR(p)) {
		/* The whole old slot, as the kernel's kvrealloc() copies. */
		kasan_disable_current();
		memcpy(n, kasan_reset_tag(p), min(goslab_usable_size(p), size));
		kasan_enable_current();
		goslab_free(p);
	}
	return n;
}

/*
 * kfree_rcu() and kvfree_rcu(): goslab's objects wait in goslab's batches,
 * anything else in the kernel's, which keeps the rcu_head's offset in
 * 12 bits; the offset is a constant, so the check costs nothing.
 */
static __always_inline void goslab_km_free_rcu(const void *p, size_t offset)
{
	struct rcu_head *head;

	BUILD_BUG_ON(!__is_kvfree_rcu_offset(offset));
	if (!p)
		return;
	head = (struct rcu_head *)((char *)p + offset);
	if (goslab_km_holds(p))
		__goslab_free_rcu(head, (void *)p);
	else
		kvfree_call_rcu(head, (void *)p);
}

static inline void goslab_km_free_rcu_mightsleep(const void *p)
{
	if (goslab_km_holds(p))
		goslab_free_rcu_mightsleep((void *)p);
	else if (p)
		kvfree_call_rcu(NULL, (void *)p);
}

DEFINE_FREE(goslab_kfree, void *, if (!IS_ERR_OR_NULL(_T)) goslab_kfree(_T))

/* --- the names --------------------------------------------------------- */

#undef kmalloc
#undef kzalloc
#undef kmalloc_node
#undef kzalloc_node
#undef kmalloc_array
#undef kcalloc
#undef kmalloc_array_node
#undef kcalloc_node
#undef kmalloc_track_caller
#undef kmalloc_node_track_caller
#undef krealloc
#undef krealloc_array
#undef kvmalloc
#undef kvzalloc
#undef kvmalloc_node
#undef kvzalloc_node
#undef kvmalloc_array
#undef kvcalloc
#undef kvcalloc_node
#undef kvrealloc
#undef kfree_rcu
#undef kvfree_rcu
#undef kfree_rcu_mightsleep
#undef kvfree_rcu_mightsleep

#define kmalloc(size, flags)		goslab_alloc(size, flags)
#define kzalloc(size, flags)		goslab_alloc(size, (flags) | __GFP_ZERO)
#define kmalloc_node(size, flags, node)	goslab_alloc_node(size, flags, node)
#define kzalloc_node(size, flags, node)	\
	goslab_alloc_node(size, (flags) | __GFP_ZERO, node)
#define kmalloc_array(n, size, flags)	goslab_alloc_array(n, size, flags)
#define kcalloc(n, size, flags)		\
	goslab_alloc_array(n, size, (flags) | __GFP_ZERO)
#define kmalloc_array_node(n, size, flags, node)	\
	goslab_km_alloc_array_node(n, size, flags, node)
#define kcalloc_node(n, size, flags, node)	\
	goslab_km_alloc_array_node(n, size, (flags) | __GFP_ZERO, node)
/* goslab records its own caller in the kmem events, not the caller's. */
#define kmalloc_track_caller(size, flags)	goslab_alloc(size, flags)
#define kmalloc_node_track_caller(size, flags, node)	\
	goslab_alloc_node(size, flags, node)
#define krealloc(p, size, flags)	goslab_km_krealloc(p, size, flags)
#define krealloc_array(p, n, size, flags)	\
	goslab_km_krealloc_array(p, n, size, flags)

#define kvmalloc(size, flags)		\
	goslab_km_kvmalloc_node(size, flags, NUMA_NO_NODE)
#define kvzalloc(size, flags)		\
	goslab_km_kvmalloc_node(size, (flags) | __GFP_ZERO, NUMA_NO_NODE)
#define kvmalloc_node(size, flags, node)	\
	goslab_km_kvmalloc_node(size, flags, node)
#define kvzalloc_node(size, flags, node)	\
	goslab_km_kvmalloc_node(size, (flags) | __GFP_ZERO, node)
#define kvmalloc_array(n, size, flags)	\
	goslab_km_kvmalloc_array_node(n, size, flags, NUMA_NO_NODE)
#define kvcalloc(n, size, flags)	\
	goslab_km_kvmalloc_array_node(n, size, (flags) | __GFP_ZERO, \
				      NUMA_NO_NODE)
#define kvcalloc_node(n, size, flags, node)	\
	goslab_km_kvmalloc_array_node(n, size, (flags) | __GFP_ZERO, node)
#define kvrealloc(p, size, flags)	goslab_km_kvrealloc(p, size, flags)

/* Object-like: a function's address is goslab's function's too. */
#define kfree				goslab_kfree
#define kvfree				goslab_kfree
#define kfree_sensitive			goslab_km_kfree_sensitive
#define kvfree_sensitive		goslab_km_kvfree_sensitive
#define kfree_const			goslab_km_kfree_const
#define kfree_link			goslab_km_kfree_link
#define ksize				goslab_km_ksize
#define kmalloc_size_roundup		goslab_size_roundup
/* __free(kfree) and __free(kvfree) paste these names. */
#define __free_kfree			__free_goslab_kfree
#define __free_kvfree			__free_goslab_kfree

#define kfree_rcu(ptr, rhf)						\
do {									\
	typeof(ptr) ___gp = (ptr);					\
									\
	goslab_km_free_rcu(___gp, offsetof(typeof(*___gp), rhf));	\
} while (0)
#define kvfree_rcu(ptr, rhf)		kfree_rcu(ptr, rhf)
#define kfree_rcu_mightsleep(ptr)	goslab_km_free_rcu_mightsleep(ptr)
#define kvfree_rcu_mightsleep(ptr)	goslab_km_free_rcu_mightsleep(ptr)

#endif /* _GOSLAB_KMALLOC_H */
