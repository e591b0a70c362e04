/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goslab: Go's memory allocator for the Linux kernel.
 *
 * The public API, the only header a client includes.  Every function
 * behaves as its kmalloc() counterpart does: GFP flags are honoured
 * (%__GFP_ZERO, %__GFP_NOWARN, init_on_alloc/init_on_free, sleeping only
 * where the flags allow; %__GFP_ACCOUNT charges the caller's memory
 * cgroup, the request being kmalloc's to serve then), failure gives NULL,
 * an object may be freed from any CPU and any context, and a copy to or
 * from user space that leaves an object is refused as hardened usercopy
 * refuses it for kmalloc.  See Documentation/api.rst.
 */
#ifndef _GOSLAB_H
#define _GOSLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/stddef.h>

/* The largest object goslab hands out: one 4 MiB arena. */
#define GOSLAB_MAX_SIZE		(4UL << 20)

/**
 * goslab_alloc - allocate memory that may hold pointers
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags, as for kmalloc()
 *
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc(size_t size, gfp_t flags);

/**
 * goslab_alloc_noscan - allocate memory that holds no pointers
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags, as for kmalloc()
 *
 * Never shares a span with goslab_alloc() objects, is not scanned by
 * kmemleak, and packs requests under 16 bytes into shared 16-byte blocks.
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc_noscan(size_t size, gfp_t flags);

/**
 * goslab_alloc_node - allocate memory on a NUMA node
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: GFP flags, as for kmalloc()
 * @node: the node, or %NUMA_NO_NODE for the calling CPU's own
 *
 * Return: the object, or NULL on failure.
 */
void *goslab_alloc_node(size_t size, gfp_t flags, int node);

/**
 * goslab_alloc_array - allocate an array
 * @n: number of elements
 * @size: bytes per element
 * @flags: GFP flags, as for kmalloc()
 *
 * Return: the array, or NULL on failure or when @n * @size overflows.
 */
void *goslab_alloc_array(size_t n, size_t size, gfp_t flags);

/**
 * goslab_realloc - resize an object, keeping its contents
 * @p: the object, or NULL to allocate
 * @new_size: bytes; 0 frees @p and gives ZERO_SIZE_PTR
 * @flags: GFP flags, as for kmalloc()
 *
 * Return: the (possibly moved) object, or NULL on failure with @p intact.
 */
void *goslab_realloc(const void *p, size_t new_size, gfp_t flags);

/**
 * goslab_free - free an object
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * An accounted object goslab handed to kmalloc is freed with kfree().  A
 * pointer that is not an allocated goslab object is reported and
 * ignored.  In NMI context the free (its checks and reports too) is
 * deferred to an irq_work that runs once the NMI is over: until then the
 * object stays allocated and untouched.
 */
void goslab_free(const void *p);

/**
 * goslab_usable_size - bytes that may be used at @p
 * @p: an object from goslab
 *
 * A pointer that is not an allocated goslab object is reported, as
 * ksize() of a bad pointer is; goslab_owns() asks silently.
 * Return: at least the size requested; 0 for NULL, ZERO_SIZE_PTR and
 * pointers that are not allocated goslab objects.
 */
size_t goslab_usable_size(const void *p);

/**
 * goslab_size_roundup - the size goslab_alloc() would give @size
 * @size: bytes that would be asked for
 *
 * As kmalloc_size_roundup(): ask for this much to use the whole slot
 * (Go's size class, or whole 8 KiB pages for a large object).  A noscan
 * request under 16 bytes may be packed and have less.
 *
 * Return: the slot size; @size itself for 0 and for sizes over
 * GOSLAB_MAX_SIZE (which goslab_alloc() refuses).
 */
size_t goslab_size_roundup(size_t size);

/**
 * goslab_free_sensitive - clear an object, then free it
 * @p: the object; NULL and ZERO_SIZE_PTR do nothing
 *
 * As kfree_sensitive(): the whole usable size is cleared with
 * memzero_explicit() first, for keys and other secrets.
 */
void goslab_free_sensitive(const void *p);

/**
 * goslab_alloc_bulk - allocate @nr objects of @size bytes
 * @size: bytes per object
 * @flags: GFP flags, as for kmalloc()
 * @nr: number of objects
 * @p: array that receives the objects
 *
 * Return: @nr, or 0 with nothing allocated.
 */
size_t goslab_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p);

/**
 * goslab_free_bulk - free @nr objects
 * @nr: number of objects
 * @p: the objects
 */
void goslab_free_bulk(size_t nr, void **p);

/**
 * goslab_owns - is @p a live goslab object?
 * @p: any pointer
 *
 * Silent, for code that must tell goslab's objects from others': no
 * report whatever @p is.  True only for the start of an object handed
 * out and not yet freed (a tiny object's own start included, and an
 * accounted object goslab handed to kmalloc); an interior pointer, a
 * freed object, NULL, other kmalloc, vmalloc or stack memory give false.
 * The answer is exact for an object the caller owns; for one another CPU
 * may be freeing at the same moment it is a guess.
 *
 * Return: true if goslab_free(@p) would free an object.
 */
bool goslab_owns(const void *p);

/**
 * goslab_holds - is @p goslab's to free or to report?
 * @p: any pointer
 *
 * Silent, as goslab_owns() is, and true where it is, but also for any
 * other pointer into memory goslab's heap holds: a freed object, the
 * inside of an object, a free page of the heap.  Code that frees a
 * pointer from either allocator asks this, not goslab_owns(): such a
 * pointer handed to kfree() or kvfree() would give goslab's pages to SLUB
 * or the page allocator, where goslab_free() reports it and keeps them.
 *
 * Return: true if @p must go to goslab, to be freed or reported.
 */
bool goslab_holds(const void *p);

/**
 * goslab_kfree - free a pointer from kmalloc, kvmalloc, vmalloc or goslab
 * @p: the pointer; NULL and ZERO_SIZE_PTR do nothing
 *
 * For code that cannot know which allocator a pointer came from: a live
 * goslab object goes to goslab_free(), and so does any other pointer into
 * goslab's heap (goslab_holds()), to be reported; anything else goes to
 * kvfree(), which frees kmalloc and vmalloc memory alike.  A pointer that
 * is none of these is the other allocator's to report.
 */
void goslab_kfree(const void *p);

struct rcu_head;

void __goslab_free_rcu(struct rcu_head *head, void *ptr);

/**
 * goslab_free_rcu - free an object once an RCU grace period has passed
 * @ptr: the object, or NULL to do nothing
 * @rhf: the name of the &struct rcu_head member of *@ptr
 *
 * As kfree_rcu(): a reader inside rcu_read_lock() when this is called
 * finds the object intact (not poisoned, not reused) until it leaves.
 * Never sleeps; callable wherever kfree_rcu() is (not NMI).  Objects are
 * batched per CPU and freed a block at a time; the rcu_head is used only
 * when no block can be had.  A pointer that is not a live goslab object
 * is reported at once and not queued.
 */
#define goslab_free_rcu(ptr, rhf)					\
do {									\
	typeof(ptr) ___p = (ptr);					\
									\
	if (___p)							\
		__goslab_free_rcu((struct rcu_head *)((char *)___p +	\
			offsetof(typeof(*___p), rhf)), ___p);		\
} while (0)

/**
 * goslab_free_rcu_mightsleep - free an object after a grace period, with
 *	no rcu_head in it
 * @ptr: the object; NULL does nothing
 *
 * As kvfree_rcu_mightsleep(): may sleep, so only where that is allowed.
 * When no block can be had it waits for a grace period itself
 * (synchronize_rcu()) and frees @ptr before it returns.
 */
void goslab_free_rcu_mightsleep(void *ptr);

/**
 * goslab_rcu_barrier - wait until every goslab RCU free queued so far is done
 *
 * As kvfree_rcu_barrier(): when it returns, every object handed to
 * goslab_free_rcu() or goslab_free_rcu_mightsleep() before the call has
 * been freed.  Sleeps.  Module unload calls it before the heap goes.
 */
void goslab_rcu_barrier(void);

#endif /* _GOSLAB_H */
