// SPDX-License-Identifier: GPL-2.0
/*
 * fixalloc: Go's allocator for fixed-size off-heap metadata
 * (runtime/mfixalloc.go), as the seeds describe it.  alloc takes a block
 * from the free list, else carves one from the current 16 KiB chunk, else
 * gets a new chunk from the buddy allocator.  free pushes the block on the
 * free list; nothing goes back to the buddy allocator before
 * fixalloc_destroy(), so a block stays addressable for as long as goslab
 * is loaded (a late lookup through a stale pointer reads metadata, never
 * someone else's page).
 *
 * Callers serialize, as in Go: goslab's instances are used under
 * mheap_meta_lock (see mheap.c).  A leaf: its chunks come from mem.c.
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/string.h>

#include "fixalloc.h"
#include "mem.h"

/* The first word of a free block or a chunk links it into a list. */
struct fixalloc_link {
	struct fixalloc_link *next;
};

/**
 * fixalloc_init - set up @f for blocks of @size bytes
 * @f: the allocator
 * @size: block size, at least a pointer
 * @first: called on each block the first time it is handed out, or NULL
 * @arg: passed to @first
 *
 * Blocks are zeroed when handed out (Go's fixalloc.zero defaults to true);
 * clear @f->zero after init to skip that.
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
}

static void *fixalloc_get_chunk(gfp_t gfp)
{
	struct page *page;

	page = mem_alloc_pages(NUMA_NO_NODE, gfp | __GFP_NOWARN,
			       FIXALLOC_CHUNK_ORDER);
	return page ? page_address(page) : NULL;
}

/**
 * fixalloc_prefill - get a spare chunk now, where the caller may sleep
 * @f: the allocator
 * @gfp: flags for the buddy allocator
 *
 * Called outside any lock so that a later fixalloc_alloc() under a
 * spinlock does not need the buddy allocator.  The spare is installed
 * with cmpxchg since callers of this function do not serialize.
 */
int fixalloc_prefill(struct fixalloc *f, gfp_t gfp)
{
	void *c;

	if (READ_ONCE(f->spare))
		return 0;
	c = fixalloc_get_chunk(gfp);
	if (!c)
		return -ENOMEM;
	if (cmpxchg(&f->spare, NULL, c))
		mem_free_pages((unsigned long)c, FIXALLOC_CHUNK_ORDER);
	return 0;
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
	void *v;

	if (f->list) {
		struct fixalloc_link *l = f->list;

		f->list = l->next;
		if (f->zero)
			memset(l, 0, f->size);
		f->inuse += f->size;
		return l;
	}
	if (f->nchunk < f->size) {
		struct fixalloc_link *c = xchg(&f->spare, NULL);

		if (!c)
			c = fixalloc_get_chunk(gfp);
		if (!c)
			return NULL;
		/* The chunk's first block records it for destroy. */
		c->next = f->chunks;
		f->chunks = c;
		f->sys += FIXALLOC_CHUNK;
		f->chunk = (unsigned long)c + ALIGN(sizeof(*c), 64);
		f->nchunk = FIXALLOC_CHUNK - ALIGN(sizeof(*c), 64);
	}
	v = (void *)f->chunk;
	/* Fresh chunk memory is not zero: clear it as Go's zeroed pages are. */
	memset(v, 0, f->size);
	if (f->first)
		f->first(f->arg, v);
	f->chunk += f->size;
	f->nchunk -= f->size;
	f->inuse += f->size;
	return v;
}

/**
 * fixalloc_free - put a block on the free list
 * @f: the allocator
 * @p: a block from fixalloc_alloc() on @f
 */
void fixalloc_free(struct fixalloc *f, void *p)
{
	struct fixalloc_link *l = p;

	f->inuse -= f->size;
	l->next = f->list;
	f->list = l;
}

/**
 * fixalloc_destroy - give every chunk back to the buddy allocator
 * @f: the allocator; no block may be used after this
 */
void fixalloc_destroy(struct fixalloc *f)
{
	struct fixalloc_link *c = f->chunks;
	void *spare = xchg(&f->spare, NULL);

	while (c) {
		struct fixalloc_link *next = c->next;

		mem_free_pages((unsigned long)c, FIXALLOC_CHUNK_ORDER);
		c = next;
	}
	if (spare)
		mem_free_pages((unsigned long)spare, FIXALLOC_CHUNK_ORDER);
	f->chunks = NULL;
	f->list = NULL;
	f->nchunk = 0;
	f->sys = 0;
	f->inuse = 0;
}
