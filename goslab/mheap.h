/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap: Go's page heap (runtime/mheap.go), one per NUMA node, on the
 * buddy allocator through mem.c.  It calls only leaves; mcentral and the
 * large-object paths above call it.  malloc.c's overview walks the paths
 * that reach it; the locks are described in mheap.c.
 */
#ifndef _GOSLAB_MHEAP_H
#define _GOSLAB_MHEAP_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/gfp.h>

#include "arena.h"
#include "mheapindex.h"
#include "mspan.h"
#include "fixalloc.h"

/* struct mheap - the page heap of one NUMA node. */
struct mheap {
	spinlock_t lock;		/* arenas, index, bitmaps, spans[], counts */
	struct mutex release_mutex;	/* one mheap_release() at a time */
	int node;
	struct list_head arenas;	/* every arena, for walks */
	unsigned long nr_arenas;
	struct mheap_index index;	/* the arenas by longest free run */
	unsigned long pages_owned;	/* goslab pages from buddy */
	unsigned long pages_free;	/* owned, not in a span */
	unsigned long pages_inuse;
	unsigned long huge_bytes;
	unsigned long grows;		/* blocks taken from buddy */
	unsigned long releases;		/* runs of pages returned */
	unsigned long released_bytes;
	unsigned long large_allocs;
	unsigned long scavenged_grows;	/* grows at the last scavenge pass */
	/*
	 * The heap whose pages serve this node's spans while this node has
	 * no memory left: set when a grow fell back to another node,
	 * cleared by the next grow that finds memory here.
	 */
	struct mheap *fallback;
	/*
	 * Structs of freed spans, by bitmap words, linked through ->list.next:
	 * Go's mspancache.  A span cycle then takes no global metadata lock.
	 */
	struct mspan *spancache[GS_ALLOCBITS_WORDS + 1];
	unsigned int nspancache[GS_ALLOCBITS_WORDS + 1];
};

/* Structs kept per heap and bitmap size: as many as Go's mspancache. */
#define GS_SPANCACHE_MAX	128

/* Allocation context flags for the heap and central lists. */
#define GS_MAY_BLOCK	0x1	/* caller may sleep now: grow in place */

/* The context flags for an allocation with @flags that may sleep now. */
static __always_inline unsigned int mheap_how(gfp_t flags)
{
	return gfpflags_allow_blocking(flags) ? GS_MAY_BLOCK : 0;
}

/* Heap counters summed over the nodes (pages, except released bytes). */
struct mheap_totals {
	unsigned long owned, free, inuse, arenas, grows, releases, released;
};

/*
 * Metadata allocators, serialized by mheap_meta_lock: one fixalloc per
 * span-struct bitmap size (index: words per bitmap), arenas, tiny side
 * tables.
 */
extern spinlock_t mheap_meta_lock;
extern struct fixalloc mheap_spanalloc[GS_ALLOCBITS_WORDS + 1];
extern struct fixalloc mheap_arenaalloc;
extern struct fixalloc mheap_tinyalloc;

struct mheap *mheap_of(int node);
void mheap_totals(struct mheap_totals *t);
struct mspan *mheap_alloc(struct mheap *h, unsigned int npages,
			  unsigned int spc, gfp_t gfp, unsigned int how);
void mheap_free(struct mspan *s);
int mheap_grow(struct mheap *h, unsigned int npages, gfp_t gfp);
int mheap_ensure(struct mheap *h, unsigned int npages, unsigned int spc,
		 gfp_t gfp);
unsigned long mheap_release(struct mheap *h, unsigned long keep_pages);
unsigned long mheap_scavenge(struct mheap *h, unsigned long keep_pages);
unsigned int mheap_grow_pages(void);
int mheap_set_grow_pages(unsigned int pages);
struct mspan *mheap_alloc_mspan(unsigned int nelems);
void mheap_free_mspan(struct mspan *s);
void mheap_meta_usage(unsigned long *inuse, unsigned long *sys);
int mheap_meta_prefill(unsigned int spc, gfp_t gfp);
void mheap_report_leaks(void);
int mheap_init(void);
void mheap_exit(void);

#endif /* _GOSLAB_MHEAP_H */
