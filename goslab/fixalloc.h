/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixalloc: Go's allocator for fixed-size off-heap metadata
 * (runtime/mfixalloc.go).  A leaf; its chunks come from mem.c.
 */
#ifndef _GOSLAB_FIXALLOC_H
#define _GOSLAB_FIXALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/mm.h>

struct fixalloc {
	size_t size;
	void (*first)(void *arg, void *p);
	void *arg;
	void *list;			/* free list of released blocks */
	unsigned long chunk;		/* current chunk cursor */
	size_t nchunk;			/* bytes left in the chunk */
	void *spare;			/* chunk prefetched outside locks */
	void *chunks;			/* every chunk, for release at exit */
	bool zero;
	size_t inuse;
	size_t sys;
};

#define FIXALLOC_CHUNK		(16 * 1024)
#define FIXALLOC_CHUNK_ORDER	(get_order(FIXALLOC_CHUNK))

void fixalloc_init(struct fixalloc *f, size_t size,
		   void (*first)(void *arg, void *p), void *arg);
void *fixalloc_alloc(struct fixalloc *f, gfp_t gfp);
void fixalloc_free(struct fixalloc *f, void *p);
int fixalloc_prefill(struct fixalloc *f, gfp_t gfp);
void fixalloc_destroy(struct fixalloc *f);

#endif /* _GOSLAB_FIXALLOC_H */
