/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixalloc: Go's allocator for fixed-size off-heap metadata
 * (runtime/mfixalloc.go), with chunks that go back when they empty.
 * A leaf; its chunks come from mem.c.
 */
#ifndef _GOSLAB_FIXALLOC_H
#define _GOSLAB_FIXALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/mm.h>

/*
 * Chunks with room are sorted into this many lists by how full they are;
 * allocation takes from the fullest list that has one.
 */
#define FIXALLOC_GROUPS		8

/* A chunk holds at least this many blocks after its header. */
#define FIXALLOC_MIN_BLOCKS	4

/*
 * The header at the start of every chunk; blocks follow it from
 * FIXALLOC_HDR on (a cache line, as in the old 16 KiB chunks).
 */
struct fixalloc_chunk {
	struct list_head node;		/* on one of its fixalloc's lists */
	void *free;			/* this chunk's freed blocks, LIFO */
	unsigned int live;		/* blocks handed out */
	unsigned int carved;		/* blocks ever carved from the chunk */
	unsigned int order;		/* for the free after a grace period */
	struct rcu_head rcu;
};

#define FIXALLOC_HDR		ALIGN(sizeof(struct fixalloc_chunk), 64)

struct fixalloc {
	size_t size;			/* block size */
	void (*first)(void *arg, void *p);
	void *arg;
	/* Chunks with room: partial[g] holds live * GROUPS / nper == g. */
	struct list_head partial[FIXALLOC_GROUPS];
	struct list_head full;		/* chunks without room */
	struct fixalloc_chunk *empty;	/* the empty chunk kept, in sys */
	void *spare;			/* chunk prefetched outside locks */
	unsigned int order;		/* a chunk is 2^order kernel pages */
	unsigned int nper;		/* blocks per chunk */
	bool zero;
	/* Chunks never go back before fixalloc_destroy() (Go's). */
	bool persistent;
	size_t inuse;			/* bytes of blocks handed out */
	size_t sys;			/* bytes of chunks, the spare not yet */
};

/* Bytes in one chunk of @f. */
static inline size_t fixalloc_chunk_bytes(const struct fixalloc *f)
{
	return PAGE_SIZE << f->order;
}

void fixalloc_init(struct fixalloc *f, size_t size,
		   void (*first)(void *arg, void *p), void *arg);
void fixalloc_set_min_blocks(struct fixalloc *f, unsigned int blocks);
void *fixalloc_alloc(struct fixalloc *f, gfp_t gfp);
void fixalloc_free(struct fixalloc *f, void *p);
int fixalloc_prefill(struct fixalloc *f, gfp_t gfp);
void fixalloc_trim(struct fixalloc *f);
void fixalloc_destroy(struct fixalloc *f);
void fixalloc_barrier(void);

#endif /* _GOSLAB_FIXALLOC_H */
