// SPDX-License-Identifier: GPL-2.0
/*
 * memcg: memory cgroup charging for __GFP_ACCOUNT allocations.  Go has
 * no counterpart.
 *
 * SLUB charges an accounted object to the allocating task's memory
 * cgroup through obj_cgroup_charge(), and a page through
 * __memcg_kmem_charge_page(); neither is exported, nor is anything else
 * that charges bytes to a cgroup.  What a module can do is ask for memory
 * with __GFP_ACCOUNT from an allocator that charges it.  So goslab hands
 * every accounted request to kmalloc while kernel memory is charged
 * (memcg_handoff()): SLUB charges it, uncharges it at kfree(), and the
 * task's memory.max bounds it exactly as it bounds a kmalloc() of the
 * same size, the OOM killer included.
 *
 * goslab_free(), goslab_realloc(), goslab_usable_size(), goslab_owns()
 * and goslab_kfree() must then recognise such an object, and only such
 * an object: a kmalloc pointer goslab did not hand out is still a bad
 * pointer to report, a second free of a handed-over one too.  The table
 * here holds every object handed over and not yet freed: a hash of
 * buckets, each a singly linked list under a bit lock in its head word
 * (taken with interrupts off: goslab is called from any context kmalloc
 * is), one 16-byte kmalloc node per object, charged with it.  The node
 * keeps the object's address inverted, so that kmemleak, which scans the
 * node, still reports the object if its owner leaks it.
 *
 * A lookup happens only for a pointer no goslab span covers, and only
 * while something is handed over (memcg_handed): goslab's own objects
 * never pay for it.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/hash.h>
#include <linux/bit_spinlock.h>
#include <linux/irqflags.h>
#include <linux/log2.h>

#include "memcg.h"
#include "report.h"

/* An object handed to kmalloc. */
struct memcg_node {
	struct memcg_node *next;
	unsigned long key;	/* ~address: not a reference for kmemleak */
};

atomic_long_t memcg_handed;
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
bool memcg_test_force;
#endif

/* Bucket heads, bit 0 each bucket's lock. */
static unsigned long *memcg_table;
static unsigned int memcg_bits;

/* One bucket per 16 pages of memory: 0.01% of it, short lists. */
#define MEMCG_PAGES_PER_BUCKET	16
#define MEMCG_MIN_BITS		8
#define MEMCG_MAX_BITS		20

static unsigned long *memcg_bucket(const void *p)
{
	return &memcg_table[hash_ptr((void *)p, memcg_bits)];
}

static struct memcg_node *memcg_head(unsigned long *b)
{
	return (struct memcg_node *)(READ_ONCE(*b) & ~1UL);
}

/* bit_spin_lock()'s context for sparse is "bitlock". */
static unsigned long memcg_lock(unsigned long *b)
	__acquires(bitlock)
{
	unsigned long flags;

	local_irq_save(flags);
	bit_spin_lock(0, b);
	return flags;
}

static void memcg_unlock(unsigned long *b, unsigned long flags)
	__releases(bitlock)
{
	bit_spin_unlock(0, b);
	local_irq_restore(flags);
}

/*
 * Unlink @p's node, with the bucket locked.  Return: the node, or NULL
 * if @p was not handed over.
 */
static struct memcg_node *memcg_unlink(unsigned long *b, const void *p)
{
	unsigned long key = ~(unsigned long)p;
	struct memcg_node *n = memcg_head(b), *prev = NULL;

	for (; n; prev = n, n = n->next) {
		if (n->key != key)
			continue;
		if (prev)
			prev->next = n->next;
		else	/* keeps the lock bit, which is set */
			WRITE_ONCE(*b, (unsigned long)n->next | 1UL);
		return n;
	}
	return NULL;
}

/**
 * memcg_alloc - serve an accounted request from kmalloc
 * @size: bytes
 * @flags: the request's flags, __GFP_ACCOUNT among them
 * @node: NUMA node or NUMA_NO_NODE
 *
 * kmalloc warns on failure unless __GFP_NOWARN, as goslab would.
 * Return: the kmalloc object, or NULL.
 */
void *memcg_alloc(size_t size, gfp_t flags, int node)
{
	struct memcg_node *n;
	unsigned long *b, irqs;
	void *p;

	n = kmalloc_node(sizeof(*n), flags & ~__GFP_ZERO, node);
	if (!n)
		return NULL;
	p = kmalloc_node(size, flags, node);
	if (!p) {
		kfree(n);
		return NULL;
	}
	n->key = ~(unsigned long)p;
	b = memcg_bucket(p);
	irqs = memcg_lock(b);
	n->next = memcg_head(b);
	WRITE_ONCE(*b, (unsigned long)n | 1UL);
	memcg_unlock(b, irqs);
	atomic_long_inc(&memcg_handed);
	return p;
}

/**
 * __memcg_free - free @p if goslab handed it to kmalloc
 * @p: a pointer no goslab span covers
 *
 * Return: true if it was handed over (and is now freed).
 */
bool __memcg_free(const void *p)
{
	unsigned long *b = memcg_bucket(p), irqs;
	struct memcg_node *n;

	irqs = memcg_lock(b);
	n = memcg_unlink(b, p);
	memcg_unlock(b, irqs);
	if (!n)
		return false;
	atomic_long_dec(&memcg_handed);
	kfree(n);
	kfree(p);
	return true;
}

/**
 * __memcg_owns - did goslab hand @p to kmalloc, and not yet free it?
 * @p: a pointer no goslab span covers
 */
bool __memcg_owns(const void *p)
{
	unsigned long *b = memcg_bucket(p), irqs;
	unsigned long key = ~(unsigned long)p;
	struct memcg_node *n;

	irqs = memcg_lock(b);
	for (n = memcg_head(b); n && n->key != key; n = n->next)
		;
	memcg_unlock(b, irqs);
	return n;
}

/**
 * __memcg_usable_size - ksize() of an object goslab handed to kmalloc
 * @p: a pointer no goslab span covers
 *
 * Return: its usable size, or 0 if goslab did not hand it over.
 */
size_t __memcg_usable_size(const void *p)
{
	return __memcg_owns(p) ? ksize(p) : 0;
}

/**
 * memcg_init - the table, sized by the memory it may have to cover
 *
 * Return: 0 or -ENOMEM.
 */
int memcg_init(void)
{
	unsigned long buckets = totalram_pages() / MEMCG_PAGES_PER_BUCKET;

	memcg_bits = clamp_t(unsigned int, ilog2(buckets | 1), MEMCG_MIN_BITS,
			     MEMCG_MAX_BITS);
	memcg_table = kvcalloc(1UL << memcg_bits, sizeof(*memcg_table),
			       GFP_KERNEL);
	return memcg_table ? 0 : -ENOMEM;
}

/**
 * memcg_exit - drop the table at unload
 *
 * Objects still handed over are their owners' leaks: reported, and left
 * to kmalloc (and to kmemleak), only their nodes are freed.  No goslab
 * call can run any more.
 */
void memcg_exit(void)
{
	unsigned long i, left = 0;

	for (i = 0; i < (1UL << memcg_bits); i++) {
		struct memcg_node *n = memcg_head(&memcg_table[i]), *next;

		for (; n; n = next) {
			next = n->next;
			kfree(n);
			left++;
		}
	}
	if (left)
		report_memcg_leaked(left);
	atomic_long_set(&memcg_handed, 0);
	kvfree(memcg_table);
	memcg_table = NULL;
}
