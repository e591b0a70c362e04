/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goslab private interfaces: the structures of Go's allocator in their
 * kernel form.  One header so that a reader of Go's runtime can find every
 * concept (mspan, mcache, mcentral, mheap, fixalloc) in one place.
 */
#ifndef _GOSLAB_INTERNAL_H
#define _GOSLAB_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include <linux/jump_label.h>
#include <linux/preempt.h>

#include "sizeclasses.h"
#include "mpagealloc.h"
#include "compat.h"

/*
 * An arena is one naturally aligned 4 MiB block of the direct map: one Go
 * page chunk of 512 goslab pages.  The buddy allocator hands out order-10
 * blocks aligned to their size, so an arena never straddles two entries of
 * the arena table.
 */
#define GS_ARENA_SHIFT		22
#define GS_ARENA_BYTES		BIT(GS_ARENA_SHIFT)
#define GS_PAGES_PER_ARENA	(GS_ARENA_BYTES >> GOSLAB_PAGE_SHIFT)
#define GS_ARENA_ORDER		(GS_ARENA_SHIFT - PAGE_SHIFT)
#define GS_PAGE_ORDER		(GOSLAB_PAGE_SHIFT - PAGE_SHIFT)
#define GS_LARGE_MAX_PAGES	GS_PAGES_PER_ARENA

/* spanClass: size class << 1 | noscan, exactly as Go packs it. */
typedef u8 spanClass;

static inline spanClass make_spanclass(unsigned int sizeclass, bool noscan)
{
	return (spanClass)((sizeclass << 1) | noscan);
}

static inline unsigned int spanclass_sizeclass(spanClass sc)
{
	return sc >> 1;
}

static inline bool spanclass_noscan(spanClass sc)
{
	return sc & 1;
}

/*
 * Classes over a page are not cached per CPU: their objects come straight
 * from the node's mcentral (mcentral_alloc()), so every CPU fills the same
 * partial span.  A cached span of these classes pins up to 9 pages per
 * CPU and context for a handful of objects, and an object this big costs
 * more to use than the central lock costs to take.  (SLUB's kmalloc sends
 * everything over two pages to the page allocator for the same reason.)
 */
#define GS_SHARED_MIN_SIZE	4096

static inline bool spanclass_shared(spanClass sc)
{
	return class_to_size[spanclass_sizeclass(sc)] > GS_SHARED_MIN_SIZE;
}

/* Go's tinySpanClass: the 16-byte noscan class feeds the tiny allocator. */
#define GS_TINY_SIZE		16
#define GS_TINY_SIZECLASS	2
#define GS_TINY_SPANCLASS	((GS_TINY_SIZECLASS << 1) | 1)

enum mspan_state {
	MSPAN_DEAD = 0,		/* free pages, or the struct is unused */
	MSPAN_INUSE,		/* objects are handed out of it */
};

/* Where an uncached in-use span sits in its mcentral. */
enum mspan_list {
	MSPAN_LIST_NONE = 0,	/* cached by an mcache or being set up */
	MSPAN_LIST_PARTIAL,
	MSPAN_LIST_FULL,
	MSPAN_LIST_EMPTY,	/* nothing live, kept for the next refill */
};

#define GS_ALLOCBITS_WORDS	(GOSLAB_MAX_OBJS_PER_SPAN / 64)

/*
 * freestate packs "an mcache owns this span" (bit 0), "uncached, on its
 * mcentral's partial list" (bit 1), a generation that changes each time
 * the span is put on the partial list (bits 2-31), and the count of
 * frees not yet merged into allocBits (bits 32-63).  One word lets a
 * remote free commit lock-free while the span is cached, or while it is
 * partial and the free leaves it neither empty nor in need of another
 * list (gs_commit_frees()); the generation makes sure such a free judged
 * the span by the allocCount of the placement it commits against.  The
 * count may dip below zero for a moment while a free is in flight; the
 * low bits survive that in two's complement.
 */
#define MSPAN_CACHED		1L	/* bit 0 */
#define MSPAN_PARTIAL		2L	/* bit 1 */
#define MSPAN_GEN_ONE		(MSPAN_PARTIAL << 1)
#define MSPAN_GEN_MASK		0xfffffffcL
#define MSPAN_FREE_SHIFT	32
#define MSPAN_FREE_ONE		((long)BIT(MSPAN_FREE_SHIFT))	/* one pending free */

/* Frees counted in freestate @v and not yet merged. */
static inline long mspan_pending(long v)
{
	return v >> MSPAN_FREE_SHIFT;
}

struct gs_arena;
struct gs_objdebug;

/**
 * struct mspan - a run of goslab pages holding objects of one span class
 *
 * Field names are Go's.  allocBits has Go's meaning: a set bit is an
 * object allocated at the last sweep; objects below freeindex are
 * allocated whatever their bit says.  freeBits collects explicit frees
 * from any CPU until the owner merges them, the way Go's sweep merges
 * gcmarkBits.
 */
struct mspan {
	struct list_head list;		/* mcentral partial/full list */
	unsigned long startAddr;
	unsigned long limit;		/* end of the last object */
	unsigned int npages;		/* goslab pages */
	unsigned int nelems;
	unsigned int elemsize;
	unsigned int divmagic;
	unsigned int freeindex;
	unsigned int allocCount;
	u64 allocCache;			/* ~allocBits from freeindex on */
	atomic_long_t freestate;
	spanClass spanclass;
	u8 state;			/* enum mspan_state */
	u8 where;			/* enum mspan_list */
	u8 needzero;
	int node;
	struct gs_arena *arena;		/* NULL for a huge span */
	u32 *tinyrefs;			/* tiny blocks' live masks */
	struct gs_objdebug *debug;	/* per-object records, debug mode */
	unsigned int localhead;		/* owner's LIFO: top index + 1, 0 empty */
	unsigned long *allocBits;
	unsigned long *freeBits;
	unsigned long *localBits;	/* objects on the owner's LIFO */
	/*
	 * The three bitmaps, as many words each as nelems needs: one word
	 * for every class of 128 bytes and up, so most spans carry 24 bytes
	 * of bitmaps rather than Go's fixed-size side arrays.
	 */
	unsigned long bits[];
};

static inline unsigned int mspan_bitmap_words(unsigned int nelems)
{
	return DIV_ROUND_UP(nelems, BITS_PER_LONG);
}

/* Point the three bitmaps into @s->bits, @words words each. */
static inline void mspan_layout_bits(struct mspan *s, unsigned int words)
{
	s->allocBits = s->bits;
	s->freeBits = s->bits + words;
	s->localBits = s->bits + 2 * words;
}

static inline size_t mspan_struct_size(unsigned int words)
{
	return sizeof(struct mspan) + 3 * words * sizeof(unsigned long);
}

/* fixalloc: Go's off-heap fixed-size allocator for metadata. */
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

/*
 * struct gs_arena - Go's heapArena: the metadata of one 4 MiB region.
 * Pages of the region that goslab did not get from the buddy allocator
 * (an arena built from smaller fallback blocks) are never free in the
 * page bitmap and have no span.
 */
struct gs_arena {
	struct list_head list;		/* mheap's arenas, address order */
	unsigned long base;
	struct mheap *heap;
	struct pallocbits pages;	/* set: in use or not owned */
	struct pallocsum sum;		/* start/max/end free run */
	unsigned int nowned;		/* goslab pages owned */
	unsigned int nfree;		/* owned pages not in a span */
	struct pallocbits dirty;	/* set: page may hold old data */
	struct mspan *huge;		/* an over-4 MiB span, whole region */
	unsigned long owned[GS_PAGES_PER_ARENA / BITS_PER_LONG];
	unsigned long chunkstart[GS_PAGES_PER_ARENA / BITS_PER_LONG];
	u8 chunkorder[GS_PAGES_PER_ARENA];	/* buddy order per chunk */
	struct mspan *spans[GS_PAGES_PER_ARENA];
};

/* struct mheap - the page heap of one NUMA node. */
struct mheap {
	spinlock_t lock;		/* arenas, bitmaps, spans[], counts */
	int node;
	struct list_head arenas;
	unsigned long nr_arenas;
	unsigned long pages_owned;	/* goslab pages from buddy */
	unsigned long pages_free;	/* owned, not in a span */
	unsigned long pages_inuse;
	unsigned long huge_bytes;
	unsigned long grows;		/* blocks taken from buddy */
	unsigned long releases;		/* blocks returned */
	unsigned long released_bytes;
	unsigned long large_allocs;
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

/* Heap counters summed over the nodes (pages, except released bytes). */
struct mheap_totals {
	unsigned long owned, free, inuse, arenas, grows, releases, released;
};

struct mheap *mheap_of(int node);
void mheap_totals(struct mheap_totals *t);
struct mspan *mheap_alloc(struct mheap *h, unsigned int npages,
			  spanClass spc, gfp_t gfp, unsigned int how);
void mheap_free(struct mspan *s);
int mheap_grow(struct mheap *h, unsigned int npages, gfp_t gfp);
void mheap_release(struct mheap *h, unsigned long keep_pages);
struct mspan *spanOfHeap(unsigned long p);
int mheap_init(void);
void gs_report_leaks(void);
void mheap_exit(void);
unsigned long mheap_retain_pages(void);
void mheap_set_retain_pages(unsigned long pages);
unsigned long gs_shrink_node(int nid, unsigned long nr);

/* Fault injection (debugfs fail_pages) */
bool gs_fault(void);
void gs_set_fail_pages(unsigned int pct);
unsigned int gs_fail_pages(void);
unsigned long gs_injected(void);

/*
 * The arena table: two levels over the direct map, 2^(12 + 12 + 22) =
 * 64 TiB.  Inline: every free looks its span up here.
 */
#define GS_L2_BITS		12
#define GS_L1_BITS		12
#define GS_L2_ENTRIES		BIT(GS_L2_BITS)
#define GS_L1_ENTRIES		BIT(GS_L1_BITS)
extern struct gs_arena **gs_arena_l1[GS_L1_ENTRIES];

/* Index of @addr's region in the arena table, or -1 if out of range. */
static __always_inline long arena_index(unsigned long addr)
{
	unsigned long off = addr - PAGE_OFFSET;

	if (unlikely(addr < PAGE_OFFSET))
		return -1;
	off >>= GS_ARENA_SHIFT;
	if (unlikely(off >= GS_L1_ENTRIES * GS_L2_ENTRIES))
		return -1;
	return off;
}

/**
 * arena_of - the arena whose region holds @addr
 * @addr: any address
 *
 * Lock-free: table entries are written under the heap lock with
 * WRITE_ONCE and read here with READ_ONCE.  Return: the arena or NULL.
 */
static __always_inline struct gs_arena *arena_of(unsigned long addr)
{
	long idx = arena_index(addr);
	struct gs_arena **l2;

	if (idx < 0)
		return NULL;
	l2 = READ_ONCE(gs_arena_l1[idx >> GS_L2_BITS]);
	if (unlikely(!l2))
		return NULL;
	return READ_ONCE(l2[idx & (GS_L2_ENTRIES - 1)]);
}

/**
 * spanOf - the span that covers page of @p, if any
 * @p: any address
 *
 * Go's spanOf: no check that @p lies inside the span's objects or that
 * the span is in use; see spanOfHeap() for that.
 */
static __always_inline struct mspan *spanOf(unsigned long p)
{
	struct gs_arena *a = arena_of(p);

	if (unlikely(!a))
		return NULL;
	/* Regions are aligned: the page's index needs no load of a->base. */
	return READ_ONCE(a->spans[(p >> GOSLAB_PAGE_SHIFT) &
				  (GS_PAGES_PER_ARENA - 1)]);
}

/* Metadata allocators (serialized by gs_meta_lock). */
extern spinlock_t gs_meta_lock;
/* One fixalloc per bitmap size: index is words per bitmap. */
extern struct fixalloc gs_spanalloc[GS_ALLOCBITS_WORDS + 1];
extern struct fixalloc gs_arenaalloc;
extern struct fixalloc gs_tinyalloc;
struct mspan *gs_span_alloc(unsigned int nelems);
void gs_span_free(struct mspan *s);
void gs_meta_usage(unsigned long *inuse, unsigned long *sys);
int gs_meta_prefill(spanClass spc, gfp_t gfp);
int mheap_ensure(struct mheap *h, unsigned int npages, spanClass spc,
		 gfp_t gfp);

/* mbitmap.c: Go's free-index scanning. */
void mspan_init_bits(struct mspan *s);
void refillAllocCache(struct mspan *s, unsigned int whichByte);
unsigned int nextFreeIndex(struct mspan *s);
unsigned int nextFreeBatch(struct mspan *s, void **p, unsigned int n,
			   unsigned long tag);

/**
 * mspan_is_free - Go's isFree: is object @idx unallocated?
 * @s: the span
 * @idx: object index below nelems
 *
 * Objects below freeindex were handed out since the last sweep whatever
 * allocBits says.  Called racily by remote frees: the answer is exact for
 * any object the caller legitimately owns.
 */
static __always_inline bool mspan_is_free(const struct mspan *s,
					  unsigned int idx)
{
	if (idx < READ_ONCE(s->freeindex))
		return false;
	/* Pairs with the smp_wmb() in mspan_sweep(). */
	smp_rmb();
	return !(READ_ONCE(s->allocBits[idx / BITS_PER_LONG]) &
		 BIT(idx % BITS_PER_LONG));
}

unsigned int mspan_sweep(struct mspan *s);
unsigned int mspan_count_alloc(const struct mspan *s);

/*
 * nextFreeFast - Go's fast path: the lowest set bit of allocCache is the
 * next free object.  It declines (returns 0) at a 64-object boundary so
 * that the slow path refills allocCache, and when the span is exhausted.
 */
static __always_inline unsigned long nextFreeFast(struct mspan *s)
{
	unsigned int theBit, result, freeidx;

	if (unlikely(!s->allocCache))
		return 0;
	theBit = __ffs64(s->allocCache);
	result = s->freeindex + theBit;
	if (unlikely(result >= s->nelems))
		return 0;
	freeidx = result + 1;
	if (unlikely(freeidx % 64 == 0 && freeidx != s->nelems))
		return 0;
	/* theBit + 1 may be 64: shift in two steps to stay defined. */
	s->allocCache = (s->allocCache >> theBit) >> 1;
	s->freeindex = freeidx;
	s->allocCount++;
	return s->startAddr + (unsigned long)result * s->elemsize;
}

/* Object index by the size class's division magic, never a divide. */
static __always_inline unsigned int
mspan_obj_index(const struct mspan *s, unsigned long p)
{
	return (unsigned int)(((u64)(p - s->startAddr) * s->divmagic) >> 32);
}

/* struct mcentral - the central list of one span class on one node. */
struct mcentral {
	spinlock_t lock;		/* lists, counts, span placement */
	spanClass spanclass;
	int node;
	struct list_head partial;
	struct list_head full;
	struct list_head empty;		/* kept empty spans, up to keep_empty */
	unsigned long nr_partial;
	unsigned long nr_full;
	unsigned long nr_empty;
	unsigned int keep_empty;
	unsigned long nr_cached;
	unsigned long nmalloc_spans;	/* spans handed to mcaches */
	unsigned long grows;
	unsigned long released;		/* empty spans back to the heap */
	unsigned long npages;		/* pages of all its spans, any list */
} ____cacheline_aligned_in_smp;

/*
 * Empty spans each class keeps per node, in bytes (mcentral_place()): a
 * SLUB kmalloc-1k slab's worth.
 */
#define GS_KEEP_EMPTY_BYTES	(32UL << 10)

struct mcentral *mcentral_of(int node, spanClass spc);
struct mspan *mcentral_cacheSpan(struct mcentral *c, struct mspan *old,
				 gfp_t gfp, unsigned int how);
void mcentral_uncacheSpan(struct mcentral *c, struct mspan *s);
void mcentral_free_locked(struct mspan *s, long n);
unsigned long mcentral_alloc(struct mcentral *c, gfp_t gfp, unsigned int how,
			     struct mspan **sp, int *err);
void *mcentral_alloc_one(struct mcentral *c, gfp_t gfp, bool *needzero);
unsigned long mcentral_release_empty(int nid);
int mcentral_init(void);
void mcentral_exit(void);

/* Per-CPU counters, summed on read. */
struct gs_cpu_stats {
	unsigned long nmalloc[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long nfree[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long tiny_allocs;
	unsigned long tiny_frees;
	unsigned long large_allocs;
	unsigned long large_bytes;
	unsigned long large_frees;
	unsigned long refills;
	unsigned long flushes;
};

/*
 * struct mcache - Go's per-P cache, here one per CPU and context level.
 *
 * Task, softirq and hardirq code each have their own mcache on every CPU.
 * A context is only ever interrupted by a higher one, which uses another
 * mcache, so an mcache needs nothing but preemption off: no interrupt
 * masking on the fast path.  (NMI is not a context goslab serves, as it
 * is not one kmalloc serves.)  Each mcache has its own counters, bumped
 * with plain increments under the same rule and summed on read: a
 * this_cpu op would mask interrupts on architectures without one-
 * instruction per-CPU arithmetic.
 */
struct mcache {
	struct mspan *alloc[GOSLAB_NUM_SPAN_CLASSES];
	unsigned long tiny;		/* current tiny block, or 0 */
	struct mspan *tinyspan;		/* its span: no lookup per packing */
	unsigned int tinyoffset;
	struct mspan *large;		/* a freed large span kept, or NULL */
	unsigned int large_npages;	/* pages of the last large allocation */
	/*
	 * Frees by this context to @rfspan, a span it does not allocate
	 * from: their freeBits are set, their count is not yet in the
	 * span's freestate (gs_commit_remote()).
	 */
	struct mspan *rfspan;
	unsigned long rfcount;
	struct gs_cpu_stats stats;	/* this context's counters */
};

/*
 * Large spans of up to this many pages are kept, one per CPU, when freed:
 * the next large allocation of the same size takes it back without the
 * heap's and the metadata's locks, as the buddy allocator's per-CPU lists
 * do for small orders.  64 KiB: the worst case held is one such span a
 * CPU, which the shrinker and "flush" take back.
 */
#define GS_LARGE_PARK_PAGES	8

/*
 * Dynamic per-CPU memory: the mcaches are too big for the small static
 * per-CPU reserve that all modules share.
 */
extern struct mcache __percpu *gs_mcache;		/* task context */
extern struct mcache __percpu *gs_mcache_softirq;
extern struct mcache __percpu *gs_mcache_hardirq;
extern struct mspan emptymspan;

/* The context levels every CPU has an mcache for. */
enum { GS_MCACHE_TASK, GS_MCACHE_SOFTIRQ, GS_MCACHE_HARDIRQ, GS_MCACHE_LEVELS };

/* @cpu's mcache of context level @level, for code that walks them all. */
static inline struct mcache *mcache_of(int cpu, unsigned int level)
{
	struct mcache __percpu *pc = level == GS_MCACHE_TASK ? gs_mcache :
				     level == GS_MCACHE_SOFTIRQ ?
				     gs_mcache_softirq : gs_mcache_hardirq;

	return per_cpu_ptr(pc, cpu);
}

/* The mcache of the context that preempt count @pc names, this CPU. */
static __always_inline struct mcache *gs_mcache_for(unsigned long pc)
{
	if (likely(!(pc & (HARDIRQ_MASK | NMI_MASK | SOFTIRQ_OFFSET))))
		return this_cpu_ptr(gs_mcache);
	if (pc & (HARDIRQ_MASK | NMI_MASK))
		return this_cpu_ptr(gs_mcache_hardirq);
	return this_cpu_ptr(gs_mcache_softirq);
}

/* This CPU's mcache for the current context; preemption must be off. */
static __always_inline struct mcache *gs_this_mcache(void)
{
	return gs_mcache_for(preempt_count());
}

/*
 * The owner's LIFO keeps its link, the next object's index + 1 (0 ends
 * it), in the freed object's first word, which KASAN has poisoned by
 * then (kasan.c): under KASAN the link is read and written out of its
 * sight, as SLUB's free pointer is.
 */
void gs_kasan_set_link(void *p, unsigned int next);
unsigned int gs_kasan_get_link(const void *p);

static __always_inline void gs_set_link(void *p, unsigned int next)
{
	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		gs_kasan_set_link(p, next);
	else
		*(unsigned int *)p = next;
}

static __always_inline unsigned int gs_get_link(const void *p)
{
	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		return gs_kasan_get_link(p);
	return *(const unsigned int *)p;
}

unsigned long mspan_bad_link(struct mspan *s, unsigned long v,
			     unsigned long caller);

/* The owner's free: object @idx at @p goes on top of @s's LIFO. */
static __always_inline void mspan_push_local(struct mspan *s, void *p,
					     unsigned int idx)
{
	gs_set_link(p, s->localhead);
	s->localhead = idx + 1;
	/* A word operation: bit instructions on memory are slow. */
	s->localBits[idx / BITS_PER_LONG] |= BIT(idx % BITS_PER_LONG);
}

/*
 * The owner's fast path: the most recently freed object of this span, if
 * it freed one (LIFO, cache-hot), else nextFreeFast.  *fresh says the
 * object never left the bitmap, so the span's needzero applies to it.
 * A bad link is reported and dealt with, or with @bail left alone (0:
 * the caller takes its slow path, which comes here without @bail).
 */
static __always_inline unsigned long mcache_alloc_fast(struct mspan *s,
						       bool *fresh, bool bail)
{
	unsigned int top = s->localhead, idx, w, next;
	unsigned long v, m;

	if (top) {
		idx = top - 1;
		w = idx / BITS_PER_LONG;
		m = BIT(idx % BITS_PER_LONG);
		v = s->startAddr + (unsigned long)idx * s->elemsize;
		/*
		 * Links live in freed objects, where a write after free may
		 * change them: hand out only objects on the LIFO, follow
		 * only links that name an object of the span.  (SLUB's
		 * hardened free pointer serves the same end.)
		 */
		next = gs_get_link((void *)v);
		if (unlikely(!(s->localBits[w] & m) || next > s->nelems)) {
			if (bail)
				return 0;
			/* Bit 0 says fresh: no local's address taken here. */
			v = mspan_bad_link(s, v, _RET_IP_);
			*fresh = v & 1;
			return v & ~1UL;
		}
		s->localhead = next;
		/* A word operation: bit instructions on memory are slow. */
		s->localBits[w] &= ~m;
		*fresh = false;
		return v;
	}
	*fresh = true;
	return nextFreeFast(s);
}

void mspan_drain_local(struct mspan *s);

unsigned long mcache_nextFree(struct mcache *c, spanClass spc, gfp_t gfp,
			      struct mspan **sp, int *err);
void mcache_releaseAll(struct mcache *c);
struct mspan *mcache_take_large(unsigned int npages, int node);
bool mcache_park_large(struct mspan *s);
unsigned long mcache_drain_large(void);
unsigned long mcache_parked_pages(void);
void mcache_flush_all(void);
void mcache_drain_dead_cpu(int cpu);
int mcache_init(void);
void mcache_exit(void);
void mcache_destroy(void);

/*
 * Tiny blocks: one u32 per 16-byte block of a tiny span: the offsets where
 * live objects start (bits 0-15), where they end (bits 16-30, the last
 * byte; an object ending at 15 has no bit), and the mcache's hold (31).
 */
#define GS_TINY_HELD	BIT(31)	/* the mcache still packs into it */
void gs_tiny_release_block(struct mspan *s, unsigned long block);
bool gs_tiny_free(struct mspan *s, unsigned long p, unsigned long caller);

/* malloc.c */
void gs_free_object(struct mspan *s, unsigned long p, unsigned int idx,
		    unsigned long caller);
void gs_commit_remote(struct mcache *c);
void gs_commit_remote_this(void);
void gs_report_bad(const void *p, const char *reason, unsigned long caller);

/* What gs_report_bad() said last: tests compare it with what they did. */
struct gs_report {
	const void *addr;
	const char *reason;
	unsigned long caller;
	unsigned long seq;
};

void gs_get_last_report(struct gs_report *r);

/* debug.c: slab_debug-style checks behind a static key */
#define GS_DEBUG_POISON		0x1
#define GS_DEBUG_REDZONE	0x2
#define GS_DEBUG_TRACK		0x4
DECLARE_STATIC_KEY_FALSE(gs_debug_key);
extern unsigned int gs_debug_flags;

static __always_inline bool gs_debug_on(void)
{
	return static_branch_unlikely(&gs_debug_key);
}

int gs_debug_set(const char *letters);
int gs_debug_span_init(struct mspan *s, gfp_t gfp, unsigned int how);
void gs_debug_span_free(struct mspan *s);
void gs_debug_alloc(void *p, size_t size, gfp_t flags);
bool gs_debug_free(struct mspan *s, unsigned int idx, void *p,
		   unsigned long caller);
void gs_debug_usable(struct mspan *s, unsigned int idx);
size_t gs_debug_size(struct mspan *s, unsigned int idx);
void gs_debug_print_object(struct mspan *s, const void *p);
void gs_report_debug(const void *p, const char *what, unsigned long caller);

/*
 * kasan.c: goslab's objects under KASAN's generic mode (the mode x86_64
 * has).  Handed out, an object is addressable up to the size asked for;
 * freed, it is not addressable at all, so the kernel's own checks catch
 * use after free and out-of-bounds access to goslab memory as they do for
 * kmalloc.  Without CONFIG_KASAN_GENERIC every hook is empty.
 */
static __always_inline bool gs_kasan_on(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC);
}

#ifdef CONFIG_KASAN_GENERIC
void gs_kasan_unpoison(const void *p, size_t size);
void gs_kasan_alloc(const void *p, size_t size, size_t slot);
void gs_kasan_free(const void *p, size_t slot);
void gs_kasan_span(const struct mspan *s, bool freed);
#else
static inline void gs_kasan_unpoison(const void *p, size_t size) { }
static inline void gs_kasan_alloc(const void *p, size_t size, size_t slot) { }
static inline void gs_kasan_free(const void *p, size_t slot) { }
static inline void gs_kasan_span(const struct mspan *s, bool freed) { }
#endif

/* mheap.c: the flags goslab passes to the page allocator for shared pages */
gfp_t gs_page_gfp(gfp_t gfp);

/* Zone modifiers a kmalloc() caller may pass: see gs_zone_fixup(). */
#define GS_GFP_ZONES		(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

/* Global statistics the paths bump off the fast path. */
struct gs_stats {
	atomic_long_t bad_frees;
	atomic_long_t debug_reports;
};

extern struct gs_stats gs_stats;

/* debugfs.c / module.c */
struct seq_file;
int goslab_debugfs_init(void);
void goslab_debugfs_exit(void);
unsigned long gs_verify(struct seq_file *m);
void gs_sum_stats(struct gs_cpu_stats *sum);
int gs_debugfs_show(const char *name, struct seq_file *m);
extern struct dentry *goslab_debugfs_root;

#endif /* _GOSLAB_INTERNAL_H */
