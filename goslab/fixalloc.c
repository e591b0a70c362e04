// SPDX-License-Identifier: GPL-2.0
/*
 * fixalloc: Go's allocator for fixed-size off-heap metadata
 * (runtime/mfixalloc.go): blocks carved from chunks of the buddy
 * allocator, freed blocks reused before new ones are carved, a first-use
 * callback and optional zeroing.
 *
 * Unlike Go's, whose chunks are persistentalloc'd and never freed, a chunk
 * goes back to the page allocator once its last block is freed: a
 * burst of allocations needs thousands of span structs, and a kernel
 * allocator must give that metadata back after the burst, not keep it
 * until unload.  So each chunk keeps its own count and free list in a
 * header at its start; a chunk is a naturally aligned buddy block
 * (2^order pages, aligned to its size), so a block finds its chunk by
 * rounding its address down.  Allocation takes from the fullest chunk that
 * has room (chunks are sorted into FIXALLOC_GROUPS lists by fullness),
 * never from an emptier one while a fuller one has room, so that the
 * emptiest chunks drain and can go.  One empty chunk is kept (@f->empty),
 * so that allocating and freeing one struct over and over does not take
 * and free a chunk each time; fixalloc_trim() lets that one go too.
 *
 * A chunk that empties leaves the allocator at once (sys drops) and its
 * pages go back two grace periods later (RCU's, then RCU Tasks'):
 * lock-free lookups, preempted ones too, may
 * still be reading its blocks.  An allocator marked @persistent keeps its
 * chunks until fixalloc_destroy(), as Go's do: mheap.c's arena structs,
 * which a lookup of any address reads.
 *
 * A chunk is the smallest power of two of kernel pages that holds
 * FIXALLOC_MIN_BLOCKS blocks after its header (one page for span structs),
 * or fewer where the owner says so (fixalloc_set_min_blocks(): 8 KiB for
 * one arena struct).
 *
 * Callers serialize, as in Go: goslab's instances are used under
 * mheap_meta_lock (see mheap.c), a spinlock taken with interrupts off;
 * call_rcu() and freeing pages are safe there (never in NMI: goslab
 * defers NMI frees).  Only fixalloc_prefill() runs unlocked.
 * A leaf: its chunks come from mem.c.
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/string.h>
#include <linux/rcupdate.h>

#include "fixalloc.h"
#include "mem.h"
#include "compat.h"

/* The first word of a free block links it into its chunk's free list. */
struct fixalloc_link {
	struct fixalloc_link *next;
};

/* The smallest order whose chunk holds @blocks of @size. */
static unsigned int fixalloc_order(size_t size, unsigned int blocks)
{
	unsigned int order = 0;

	while (order < GS_MAX_PAGE_ORDER &&
	       (PAGE_SIZE << order) - FIXALLOC_HDR < blocks * size)
		order++;
	return order;
}

static void fixalloc_init_lists(struct fixalloc *f)
{
	unsigned int g;

	for (g = 0; g < FIXALLOC_GROUPS; g++)
		INIT_LIST_HEAD(&f->partial[g]);
	INIT_LIST_HEAD(&f->full);
}

/**
 * fixalloc_init - set up @f for blocks of @size bytes
 * @f: the allocator
 * @size: block size, at least a pointer
 * @first: called on each block the first time it is handed out, or NULL
 * @arg: passed to @first
 *
 * Blocks are zeroed when handed out (Go's fixalloc.zero defaults to true);
 * clear @f->zero after init to skip that.  Nothing is taken from the page
 * allocator until the first allocation or prefill.
 */
void fixalloc_init(struct fixalloc *f, size_t size,
		   void (*first)(void *arg, void *p), void *arg)
{
	memset(f, 0, sizeof(*f));
	f->size = ALIGN(max_t(size_t, size, sizeof(struct fixalloc_link)),
			sizeof(void *));
	f->first = first;
	f->arg = arg;
	f->zero = true;
	fixalloc_set_min_blocks(f, FIXALLOC_MIN_BLOCKS);
	fixalloc_init_lists(f);
}

/**
 * fixalloc_set_min_blocks - chunks just big enough for @blocks blocks
 * @f: the allocator, before its first allocation
 * @blocks: at least 1
 *
 * For blocks over a page, fewer blocks a chunk keep its order low: a
 * chunk is taken with the caller's flags, and in fragmented memory an
 * order above 1 would compact for a few metadata bytes.
 */
void fixalloc_set_min_blocks(struct fixalloc *f, unsigned int blocks)
{
	f->order = fixalloc_order(f->size, max(blocks, 1U));
	/* 0 only for blocks over a quarter of the largest order: never. */
	f->nper = (fixalloc_chunk_bytes(f) - FIXALLOC_HDR) / f->size;
}

/* The chunk that holds @p: chunks are aligned to their size. */
static struct fixalloc_chunk *fixalloc_chunk_of(const struct fixalloc *f,
						const void *p)
{
	return (struct fixalloc_chunk *)((unsigned long)p &
					 ~(fixalloc_chunk_bytes(f) - 1));
}

/* The list a chunk with @live blocks out of @f->nper belongs on. */
static struct list_head *fixalloc_list_for(struct fixalloc *f,
					   unsigned int live)
{
	if (live >= f->nper)
		return &f->full;
	return &f->partial[live * FIXALLOC_GROUPS / f->nper];
}

static void *fixalloc_get_chunk(struct fixalloc *f, gfp_t gfp)
{
	struct page *page;

	page = mem_alloc_pages(NUMA_NO_NODE, gfp | __GFP_NOWARN, f->order);
	return page ? page_address(page) : NULL;
}

/* A chunk that never held a block: nobody can be reading it. */
static void fixalloc_put_chunk(struct fixalloc *f, void *c)
{
	mem_free_pages((unsigned long)c, f->order);
}

static void fixalloc_chunk_free(struct rcu_head *head)
{
	struct fixalloc_chunk *c = container_of(head, struct fixalloc_chunk, rcu);

	mem_free_pages((unsigned long)c, c->order);
}

/* After a grace period: on to the second one, RCU Tasks' (below). */
static void fixalloc_chunk_rcu(struct rcu_head *head)
{
	if (IS_ENABLED(CONFIG_TASKS_RCU))
		call_rcu_tasks(head, fixalloc_chunk_free);
	else
		fixalloc_chunk_free(head);
}

/*
 * A chunk that held blocks goes back two grace periods later: lookups
 * read span and arena structs without a lock and may still be reading a
 * block of it, and must find metadata there, never a page the kernel
 * reused.  An RCU grace period covers those with preemption or
 * interrupts off (span_of() from the usercopy hook, any free from an
 * interrupt); an RCU Tasks grace period then covers a goslab_free() that
 * was preempted in the middle of its lookup (with PREEMPT_RCU, a
 * preempted task is quiescent for RCU but not for RCU Tasks, which waits
 * for each task's voluntary switch; and it does not wait for idle tasks,
 * whose interrupts the first grace period covered).  Without RCU Tasks
 * (a preemptible kernel without ftrace or kprobes) the second is skipped.
 */
static void fixalloc_retire_chunk(struct fixalloc *f, struct fixalloc_chunk *c)
{
	f->sys -= fixalloc_chunk_bytes(f);
	c->order = f->order;
	call_rcu(&c->rcu, fixalloc_chunk_rcu);
}

/**
 * fixalloc_prefill - get a spare chunk now, where the caller may sleep
 * @f: the allocator
 * @gfp: flags for the buddy allocator
 *
 * Called outside any lock so that a later fixalloc_alloc() under a
 * spinlock does not need the buddy allocator.  The spare is installed
 * with cmpxchg since callers of this function do not serialize.  A kept
 * empty chunk serves as well as a spare: none is taken then (@f->empty is
 * read without the callers' lock, a hint: if another CPU uses it first,
 * the caller's allocation fails with GFP_NOWAIT and it prefills again).
 * Return: 0, or -ENOMEM.
 */
int fixalloc_prefill(struct fixalloc *f, gfp_t gfp)
{
	void *c;

	if (READ_ONCE(f->spare) || READ_ONCE(f->empty))
		return 0;
	c = fixalloc_get_chunk(f, gfp);
	if (!c)
		return -ENOMEM;
	if (cmpxchg(&f->spare, NULL, c))
		fixalloc_put_chunk(f, c);
	return 0;
}

/*
 * A chunk to carve: the kept empty one, else the spare, else a new one.
 * Its header is set up and it is on no list yet.
 */
static struct fixalloc_chunk *fixalloc_new_chunk(struct fixalloc *f,
						 gfp_t gfp)
{
	struct fixalloc_chunk *c = f->empty;

	if (c) {
		WRITE_ONCE(f->empty, NULL);
	} else {
		c = xchg(&f->spare, NULL);
		if (!c)
			c = fixalloc_get_chunk(f, gfp);
		if (!c)
			return NULL;
		f->sys += fixalloc_chunk_bytes(f);
	}
	INIT_LIST_HEAD(&c->node);
	c->free = NULL;
	c->live = 0;
	c->carved = 0;
	return c;
}

/* The fullest chunk with room, or NULL. */
static struct fixalloc_chunk *fixalloc_fullest(struct fixalloc *f)
{
	int g;

	for (g = FIXALLOC_GROUPS - 1; g >= 0; g--)
		if (!list_empty(&f->partial[g]))
			return list_first_entry(&f->partial[g],
						struct fixalloc_chunk, node);
	return NULL;
}

/**
 * fixalloc_alloc - hand out one block
 * @f: the allocator
 * @gfp: flags for a new chunk; under a spinlock they must not sleep
 *
 * Return: the block, or NULL when no chunk could be had.
 */
void *fixalloc_alloc(struct fixalloc *f, gfp_t gfp)
{
	struct fixalloc_chunk *c = fixalloc_fullest(f);
	struct list_head *to;
	void *v;

	if (!c) {
		if (unlikely(!f->nper))
			return NULL;
		c = fixalloc_new_chunk(f, gfp);
		if (!c)
			return NULL;
	}
	if (c->free) {
		struct fixalloc_link *l = c->free;

		c->free = l->next;
		v = l;
		if (f->zero)
			memset(v, 0, f->size);
	} else {
		v = (char *)c + FIXALLOC_HDR + (size_t)c->carved * f->size;
		c->carved++;
		/* Fresh chunk memory is not zero: clear it as Go's zeroed pages are. */
		memset(v, 0, f->size);
		if (f->first)
			f->first(f->arg, v);
	}
	c->live++;
	f->inuse += f->size;
	/*
	 * Fuller now: to the head of its new list, so the next allocation
	 * keeps filling this chunk.
	 */
	to = fixalloc_list_for(f, c->live);
	if (list_empty(&c->node) || to != fixalloc_list_for(f, c->live - 1))
		list_move(&c->node, to);
	return v;
}

/**
 * fixalloc_free - put a block back on its chunk's free list
 * @f: the allocator
 * @p: a block from fixalloc_alloc() on @f
 *
 * A chunk whose last block this was goes back to the page allocator at
 * once, unless it is the one empty chunk @f keeps (none kept yet, and no
 * spare that would serve as well).
 */
void fixalloc_free(struct fixalloc *f, void *p)
{
	struct fixalloc_chunk *c = fixalloc_chunk_of(f, p);
	struct fixalloc_link *l = p;
	struct list_head *from = fixalloc_list_for(f, c->live);

	l->next = c->free;
	c->free = l;
	c->live--;
	f->inuse -= f->size;
	if (c->live) {
		struct list_head *to = fixalloc_list_for(f, c->live);

		/*
		 * Emptier: to the tail, behind the chunks of its fullness
		 * that are being filled, so that it is the next to drain.
		 */
		if (to != from)
			list_move_tail(&c->node, to);
		return;
	}
	if (f->persistent) {
		/* Emptiest of all: the last to be carved again. */
		list_move_tail(&c->node, &f->partial[0]);
		return;
	}
	list_del_init(&c->node);
	if (!f->empty && !READ_ONCE(f->spare)) {
		WRITE_ONCE(f->empty, c);
		return;
	}
	fixalloc_retire_chunk(f, c);
}

/**
 * fixalloc_trim - give back the empty chunk kept and the spare
 * @f: the allocator, serialized as for fixalloc_alloc()
 *
 * For the shrinker and the scavenger's passes: what is left holds blocks
 * in use.  The next allocation takes a chunk from the page allocator.
 */
void fixalloc_trim(struct fixalloc *f)
{
	struct fixalloc_chunk *c = f->empty;
	void *spare = xchg(&f->spare, NULL);

	if (c) {
		WRITE_ONCE(f->empty, NULL);
		fixalloc_retire_chunk(f, c);
	}
	if (spare)
		fixalloc_put_chunk(f, spare);
}

static void fixalloc_put_list(struct fixalloc *f, struct list_head *head)
{
	struct fixalloc_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, head, node)
		fixalloc_put_chunk(f, c);
}

/**
 * fixalloc_destroy - give every chunk back to the buddy allocator
 * @f: the allocator; no block may be used after this
 *
 * Chunks retired earlier may still wait for their grace periods: the
 * owner calls fixalloc_barrier() before the module goes.  Process
 * context only.  @f may be used again afterwards, as if just initialised.
 */
void fixalloc_destroy(struct fixalloc *f)
{
	unsigned int g;

	might_sleep();
	fixalloc_trim(f);
	for (g = 0; g < FIXALLOC_GROUPS; g++)
		fixalloc_put_list(f, &f->partial[g]);
	fixalloc_put_list(f, &f->full);
	fixalloc_init_lists(f);
	f->sys = 0;
	f->inuse = 0;
}

/**
 * fixalloc_barrier - wait until every chunk retired so far is freed
 *
 * Before the module goes (its callbacks must not outlive it), once after
 * the last fixalloc_destroy(); and for tests that count pages.  Process
 * context only.
 */
void fixalloc_barrier(void)
{
	/* The first callbacks queue the second ones: in that order. */
	rcu_barrier();
	if (IS_ENABLED(CONFIG_TASKS_RCU))
		rcu_barrier_tasks();
}
