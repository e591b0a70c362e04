// SPDX-License-Identifier: GPL-2.0
/*
 * mcentral: the central free lists of one span class on one node
 * (runtime/mcentral.go).  Go keeps swept/unswept partial and full span
 * sets; goslab has no GC, so one partial list (spans with free objects)
 * and one full list suffice, plus a short list of empty spans (below).  A
 * span cached by an mcache is on none.
 *
 * Explicit frees move spans between the lists (the central free, c, of
 * malloc.c's overview): a free to an uncached span takes this lock, so
 * the placement below is always computed from the span's current counts.
 * An empty span goes back to the heap, or onto the empty list for the
 * next refill.  It calls the heap and the leaves; step 5 of the overview
 * starts here.
 */
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/nodemask.h>
#include <linux/mutex.h>

#include "mcentral.h"
#include "mheap.h"
#include "mspan.h"

static struct mcentral *mcentral_nodes[MAX_NUMNODES];

struct mcentral *mcentral_of(int node, unsigned int spc)
{
	return &mcentral_nodes[node][spc];
}

/* Take @s off its list; c->lock held.  No lock-free free commits after. */
static void mcentral_unlink(struct mcentral *c, struct mspan *s)
{
	if (s->where == MSPAN_LIST_PARTIAL) {
		atomic_long_andnot(MSPAN_PARTIAL, &s->freestate);
		c->nr_partial--;
	} else if (s->where == MSPAN_LIST_FULL) {
		c->nr_full--;
	} else if (s->where == MSPAN_LIST_EMPTY) {
		c->nr_empty--;
	} else {
		return;
	}
	list_del_init(&s->list);
	s->where = MSPAN_LIST_NONE;
}

/*
 * Open lock-free frees to a span just put on the partial list: a new
 * generation, so no free that read freestate earlier commits against it.
 * Fully ordered: alloc_count and the list are published first.  Only
 * frees that wait for c->lock (held) can change freestate meanwhile.
 */
static void mspan_set_partial(struct mspan *s)
{
	long old = atomic_long_read(&s->freestate), new;

	do {
		new = (old & ~MSPAN_GEN_MASK) |
		      ((old + MSPAN_GEN_ONE) & MSPAN_GEN_MASK) | MSPAN_PARTIAL;
	} while (!atomic_long_try_cmpxchg(&s->freestate, &old, new));
}

/*
 * Put an uncached span on the list its counts call for; c->lock held.
 * Return: true when the span is empty and was unlinked: the caller hands
 * it to the heap after dropping the lock.
 */
static bool mcentral_place(struct mcentral *c, struct mspan *s)
{
	long v;

	if (atomic_long_read(&s->freestate) & MSPAN_CACHED)
		return false;		/* its mcache decides at uncache */
	/*
	 * Off the list first: from here only frees that take this lock
	 * move the count, so @v stays exact while we decide.
	 */
	mcentral_unlink(c, s);
	v = atomic_long_read(&s->freestate);
	/*
	 * An empty span goes back to the heap, unless the class keeps
	 * fewer than keep_empty: as SLUB keeps min_partial slabs, so that a
	 * class whose spans empty and refill over and over (objects freed
	 * on another CPU) does not take them from the heap each time.  No
	 * free can reach an empty span, so it needs no partial bit.
	 */
	if (mspan_live_count(s, v) <= 0) {
		if (c->nr_empty >= c->keep_empty) {
			c->released++;
			c->npages -= s->npages;
			return true;
		}
		list_add(&s->list, &c->empty);
		s->where = MSPAN_LIST_EMPTY;
		c->nr_empty++;
		return false;
	}
	if (s->alloc_count < s->nelems || mspan_pending(v) > 0) {
		list_add(&s->list, &c->partial);
		s->where = MSPAN_LIST_PARTIAL;
		c->nr_partial++;
		mspan_set_partial(s);
	} else {
		list_add(&s->list, &c->full);
		s->where = MSPAN_LIST_FULL;
		c->nr_full++;
	}
	return false;
}

/*
 * Give back @s, cached by the caller, c->lock held.  Clearing the cached
 * bit and reading the pending frees is one atomic step: every remote free
 * either landed before it (and is counted here) or sees the span uncached
 * and takes this lock itself.  Return: true when the caller must hand @s
 * to the heap after dropping the lock.
 */
static bool mcentral_uncache_locked(struct mcentral *c, struct mspan *s)
{
	atomic_long_andnot(MSPAN_CACHED, &s->freestate);
	c->nr_cached--;
	return mcentral_place(c, s);
}

/*
 * The span a refill takes: partial spans before empty ones, which keeps
 * live objects together and the empty spans free to go back.
 */
static struct mspan *mcentral_first_free(struct mcentral *c)
{
	return list_first_entry_or_null(&c->partial, struct mspan, list) ?:
	       list_first_entry_or_null(&c->empty, struct mspan, list);
}

/*
 * Pages of the span @c grows by next; c->lock held.  Go sizes a class's
 * span for a heap full of its objects: up to 10 pages for 3 objects.  A
 * mid class with no full span here yet gets the fewest pages that hold
 * one object, so that a class used for a handful of objects (the common
 * case in the kernel) pins no more than SLUB's order-1 to order-3 slab
 * would; once a span fills, the class is in use and gets grow_npages
 * (mcentral_mid_npages()).
 */
static unsigned int mcentral_grow_npages(struct mcentral *c)
{
	unsigned int sc = spanclass_sizeclass(c->spanclass);

	if (!c->nr_full && spanclass_mid(c->spanclass))
		return DIV_ROUND_UP(class_to_size[sc], GOSLAB_PAGE_SIZE);
	return c->grow_npages;
}

/**
 * mcentral_cache_span - a span with at least one free object for an mcache
 * @c: the central list
 * @old: a span of @c the mcache gives back at the same time, or NULL
 * @gfp: the allocation's flags
 * @how: GS_MAY_BLOCK if the caller can sleep now (see mheap_alloc())
 *
 * Partial spans first, then kept empty ones (mcentral_first_free()),
 * swept (pending frees merged) after they leave their list; otherwise
 * grow: a new span from the heap (mcentral_grow_npages()).  A refill's
 * give-back
 * and take share one lock round, and so does a grow's accounting.
 * Return: the span, marked cached, or an ERR_PTR from mheap_alloc().
 */
struct mspan *mcentral_cache_span(struct mcentral *c, struct mspan *old,
				  gfp_t gfp, unsigned int how)
{
	unsigned int npages = 0;
	bool release = false;
	unsigned long flags;
	struct mspan *s;

	for (;;) {
		spin_lock_irqsave(&c->lock, flags);
		if (old)
			release = mcentral_uncache_locked(c, old);
		s = mcentral_first_free(c);
		if (s) {
			mcentral_unlink(c, s);
			atomic_long_or(MSPAN_CACHED, &s->freestate);
		} else {
			npages = mcentral_grow_npages(c);
			c->grows++;
			c->npages += npages;
		}
		/* Counted now; undone below if the heap has nothing. */
		c->nr_cached++;
		c->nmalloc_spans++;
		spin_unlock_irqrestore(&c->lock, flags);
		if (release)
			mheap_free(old);
		old = NULL;
		release = false;
		if (!s)
			break;
		if (mspan_pending(atomic_long_read(&s->freestate)))
			mspan_sweep(s);
		if (s->alloc_count < s->nelems)
			return s;
		/* Its frees were merged by an earlier owner: full after all. */
		old = s;
	}

	s = mheap_alloc(mheap_of(c->node), npages, c->spanclass, gfp, how);
	if (IS_ERR(s)) {
		spin_lock_irqsave(&c->lock, flags);
		c->nr_cached--;
		c->nmalloc_spans--;
		c->grows--;
		c->npages -= npages;
		spin_unlock_irqrestore(&c->lock, flags);
		return s;
	}
	atomic_long_set(&s->freestate, MSPAN_CACHED);
	return s;
}

/**
 * mcentral_uncache_span - an mcache gives a span back
 * @c: the span's central list
 * @s: the span, cached by the caller
 *
 * See mcentral_uncache_locked().
 */
void mcentral_uncache_span(struct mcentral *c, struct mspan *s)
{
	unsigned long flags;
	bool release;

	spin_lock_irqsave(&c->lock, flags);
	release = mcentral_uncache_locked(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
	if (release)
		mheap_free(s);
}

/**
 * mcentral_free_locked - count frees to an uncached span under the lock
 * @s: the span; the objects' bits are already set in free_bits
 * @n: how many
 *
 * The caller's objects still count live until the increment below, so
 * @s cannot be released to the heap before this takes the lock.
 */
void mcentral_free_locked(struct mspan *s, long n)
{
	struct mcentral *c = mcentral_of(s->node, s->spanclass);
	unsigned long flags;
	bool release = false;
	long v;

	spin_lock_irqsave(&c->lock, flags);
	v = atomic_long_add_return(n * MSPAN_FREE_ONE, &s->freestate);
	if (!(v & MSPAN_CACHED))
		release = mcentral_place(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
	if (release)
		mheap_free(s);
}

/**
 * mcentral_free_object - return object @idx of @s to its span
 * @s: an in-use small span
 * @p: the object's address
 * @idx: its index
 * @caller: for reports
 *
 * The free bit is set first, then counted (mcentral_commit_frees()).
 */
void mcentral_free_object(struct mspan *s, unsigned long p, unsigned int idx,
			  unsigned long caller)
{
	if (mspan_set_free_bit(s, (void *)p, idx, caller))
		mcentral_commit_frees(s, 1);
}

/**
 * mcentral_alloc - one object straight from the central list
 * @c: the central list
 * @gfp: the allocation's flags
 * @how: GS_MAY_BLOCK if the caller can sleep now (see mheap_alloc())
 * @sp: set to the object's span
 * @err: set on failure: -EAGAIN (grow where the caller may sleep, then
 *	retry) or what mheap_alloc() said
 *
 * The path of allocations for another node, and of a refill while the
 * class shares its spans (mcentral_alloc_shared()).  A partial span is never
 * cached, so the lock alone makes it ours: merge its pending frees, take
 * an object and put it back where its counts say.  Only when no span has room does a
 * new one come from the heap, outside the lock.
 * Return: the object's address, or 0.
 */
unsigned long mcentral_alloc(struct mcentral *c, gfp_t gfp, unsigned int how,
			     struct mspan **sp, int *err)
{
	unsigned long flags;
	unsigned int npages;
	struct mspan *s;
	unsigned int idx;

	spin_lock_irqsave(&c->lock, flags);
	while ((s = mcentral_first_free(c))) {
		if (mspan_pending(atomic_long_read(&s->freestate)))
			mspan_sweep(s);
		if (s->alloc_count < s->nelems)
			goto take;
		/* Its frees were merged by an earlier sweep: full after all. */
		if (mcentral_place(c, s)) {
			spin_unlock_irqrestore(&c->lock, flags);
			mheap_free(s);
			spin_lock_irqsave(&c->lock, flags);
		}
	}
	npages = mcentral_grow_npages(c);
	spin_unlock_irqrestore(&c->lock, flags);

	/* Nobody else sees a new span before it is placed below. */
	s = mheap_alloc(mheap_of(c->node), npages, c->spanclass, gfp, how);
	if (IS_ERR(s)) {
		*err = PTR_ERR(s);
		return 0;
	}
	spin_lock_irqsave(&c->lock, flags);
	c->grows++;
	c->npages += s->npages;
take:
	idx = next_free_index(s);
	if (WARN_ON_ONCE(idx >= s->nelems)) {
		bool release = mcentral_place(c, s);

		spin_unlock_irqrestore(&c->lock, flags);
		if (release)
			mheap_free(s);
		*err = -ENOMEM;
		return 0;
	}
	/* Lock-free committers read it racily: mspan_live_count(). */
	WRITE_ONCE(s->alloc_count, s->alloc_count + 1);
	mcentral_place(c, s);
	if (c->share_left)
		WRITE_ONCE(c->share_left, c->share_left - 1);
	c->nshared++;
	spin_unlock_irqrestore(&c->lock, flags);
	*sp = s;
	return mspan_obj_addr(s, idx);
}

/**
 * mcentral_alloc_shared - a refill's one object, from the central list
 * @c: the local node's central list of the class
 * @gfp: the allocation's flags
 * @sp: set to the object's span
 * @err: set on failure: -EAGAIN (grow where the caller may sleep, then
 *	retry) or what mheap_alloc() said
 *
 * For a refill while mcentral_shares(): the object comes from the
 * central list's partial spans, which every CPU takes from, so that the
 * few objects of a class in little use share spans instead of each CPU
 * filling one of its own (see mcentral_keep_share()).
 * Return: the object's address, or 0.
 */
unsigned long mcentral_alloc_shared(struct mcentral *c, gfp_t gfp,
				    struct mspan **sp, int *err)
{
	return mcentral_alloc(c, gfp, 0, sp, err);
}

/**
 * mcentral_alloc_one - one object of another node, where the caller may
 *	sleep if @gfp allows
 * @c: that node's central list
 * @gfp: the allocation's flags
 * @needzero: set when the object may hold old data
 *
 * Return: the object, or NULL.
 */
void *mcentral_alloc_one(struct mcentral *c, gfp_t gfp, bool *needzero)
{
	unsigned int how = mheap_how(gfp);
	struct mspan *s;
	unsigned long v;
	int err;

	v = mcentral_alloc(c, gfp, how, &s, &err);
	if (!v)
		return NULL;
	/*
	 * Read after the lock was dropped: needzero only goes from 0 to 1
	 * in a span's life, and a sweep that made our object reusable set
	 * it before we took the lock.
	 */
	*needzero = READ_ONCE(s->needzero);
	return (void *)v;
}

/* The kept empty spans of @c, onto @out; c->lock not held. */
static void mcentral_take_empty(struct mcentral *c, struct list_head *out)
{
	struct mspan *s, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(s, tmp, &c->empty, list) {
		mcentral_unlink(c, s);
		list_add(&s->list, out);
		c->released++;
		c->npages -= s->npages;
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void (*mcentral_release_test_hook)(void);
#endif

/*
 * Hand-backs of kept empty spans, one at a time.  A span taken off its
 * list is on no list and not yet in the heap: without this a second
 * caller (the idle pass running while "flush", "release" or a test
 * settles) would find the lists empty and return while another still
 * held the spans, leaving pages counted in use that no one owns.  Taken
 * only where sleeping is allowed; nothing under it allocates.
 */
static DEFINE_MUTEX(mcentral_release_mutex);

/* Hand the spans on @list to the heap.  Return: their pages. */
static unsigned long mcentral_free_spans(struct list_head *list)
{
	unsigned long pages = 0;
	struct mspan *s, *tmp;

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
	void (*hook)(void) = READ_ONCE(mcentral_release_test_hook);

	/* The KUnit suites stop a hand-back here (refill_test.c). */
	if (hook && !list_empty(list))
		hook();
#endif
	list_for_each_entry_safe(s, tmp, list, list) {
		list_del_init(&s->list);
		pages += s->npages;
		mheap_free(s);
	}
	return pages;
}

/**
 * mcentral_release_empty - hand a node's empty spans to its heap
 * @nid: the node, or NUMA_NO_NODE for every node
 *
 * The spans mcentral_place() kept: for "release" and the shrinker, as
 * kmem_cache_shrink() discards empty slabs.  An empty span gets no frees,
 * so it can go under the lock alone.  Sleeps: it waits for a hand-back
 * already under way, so that every span kept when it was called is in
 * the heap when it returns.
 * Return: the pages handed back.
 */
unsigned long mcentral_release_empty(int nid)
{
	unsigned long pages;
	LIST_HEAD(empty);
	int node, i;

	might_sleep();
	mutex_lock(&mcentral_release_mutex);
	for_each_node(node) {
		if (!mcentral_nodes[node] || (nid != NUMA_NO_NODE && node != nid))
			continue;
		for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++)
			mcentral_take_empty(&mcentral_nodes[node][i], &empty);
	}
	pages = mcentral_free_spans(&empty);
	mutex_unlock(&mcentral_release_mutex);
	return pages;
}

/*
 * A class that cached no span for a whole period is in little use: its
 * refills share the central list's spans for share_objs objects more.  A
 * class that shares takes no span, so it keeps sharing while it takes
 * fewer objects a period than its budget; one that keeps caching spans
 * never gets it back.
 */
static void mcentral_renew_share(struct mcentral *c)
{
	unsigned long flags;

	/* Written under the lock; a stale read waits a period. */
	if (READ_ONCE(c->share_left) == READ_ONCE(c->share_objs))
		return;
	spin_lock_irqsave(&c->lock, flags);
	WRITE_ONCE(c->share_left, c->share_objs);
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * mcentral_release_idle - kept empty spans of classes that took no span
 *	since the last call go back to the heap
 *
 * The empty spans a class keeps are for churn (SLUB's min_partial); a
 * class that did not need a span for a whole period has no churn.
 * Return: the pages handed back.
 */
unsigned long mcentral_release_idle(void)
{
	unsigned long pages;
	LIST_HEAD(empty);
	int node, i;

	might_sleep();
	mutex_lock(&mcentral_release_mutex);
	for_each_node(node) {
		if (!mcentral_nodes[node])
			continue;
		for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++) {
			struct mcentral *c = &mcentral_nodes[node][i];
			/* Hints without the lock; taking the spans takes it. */
			unsigned long n = data_race(c->nmalloc_spans);
			bool kept;

			/* The same: an empty list seen late waits a period. */
			kept = data_race(c->nr_empty);
			if (n == c->idle_mark && kept)
				mcentral_take_empty(c, &empty);
			if (n == c->idle_mark)
				mcentral_renew_share(c);
			c->idle_mark = n;
		}
	}
	pages = mcentral_free_spans(&empty);
	mutex_unlock(&mcentral_release_mutex);
	return pages;
}

/*
 * Empty spans a class keeps per node: GS_KEEP_EMPTY_BYTES of them, at
 * least one; none for the mid classes, whose few big spans go back at
 * once.
 */
static unsigned int mcentral_keep_empty(unsigned int spc)
{
	unsigned int sc = spanclass_sizeclass(spc);

	if (!sc || spanclass_mid(spc))
		return 0;
	return max(1UL, GS_KEEP_EMPTY_BYTES /
		   ((unsigned long)class_to_allocnpages[sc] << GOSLAB_PAGE_SHIFT));
}

/*
 * The pages of a mid class's span once it is in use: Go's, up to
 * GS_MID_MAX_PAGES; over that, the page count up to GS_MID_MAX_PAGES that
 * wastes the smallest share of its span (9472 bytes: 3 objects in 4
 * pages, not Go's 6 in 7; 18432: 1 in 3, not 4 in 9).  Every CPU and
 * context caches a span of each class it uses, which holds on to its
 * span until the idle pass even when the objects are gone: a 10-page
 * span per CPU for a few objects of 27 KiB is what SLUB's page-allocator
 * path would not hold.  The tail waste is at most a quarter, below
 * SLUB's power-of-two blocks for these sizes.
 */
static unsigned int mcentral_mid_npages(unsigned int sc)
{
	unsigned int size = class_to_size[sc], best = 0, n, k;
	unsigned long used, bused = 0;

	if (class_to_allocnpages[sc] <= GS_MID_MAX_PAGES)
		return class_to_allocnpages[sc];
	for (n = DIV_ROUND_UP(size, GOSLAB_PAGE_SIZE); n <= GS_MID_MAX_PAGES; n++) {
		k = (n << GOSLAB_PAGE_SHIFT) / size;
		used = (unsigned long)k * size;
		/* used/(n pages) > bused/(best pages), without division. */
		if (!best || used * best > bused * n) {
			best = n;
			bused = used;
		}
	}
	return best;
}

/*
 * The objects a class's refills take one at a time from the central list
 * before they cache spans (mcentral_shares()): one span's worth of the
 * class in use.  Each CPU caching a span of its own holds up to a span
 * per CPU that its few objects leave mostly free, and no free can move
 * an object into another CPU's span; taken from the central list under
 * its lock, a class's first objects fill one span between all CPUs.  A
 * span's worth bounds the locked allocations a class costs per idle
 * period.  None for the tiny class: its blocks are packed per CPU.
 */
static unsigned int mcentral_keep_share(unsigned int spc,
					unsigned int grow_npages)
{
	unsigned int sc = spanclass_sizeclass(spc);

	if (!sc || spc == GS_TINY_SPANCLASS)
		return 0;
	return GS_SHARE_SPANS * ((grow_npages << GOSLAB_PAGE_SHIFT) /
				 class_to_size[sc]);
}

int mcentral_init(void)
{
	int node, i;

	for_each_node(node) {
		struct mcentral *c;

		c = kcalloc_node(GOSLAB_NUM_SPAN_CLASSES, sizeof(*c), GFP_KERNEL,
				 node_state(node, N_NORMAL_MEMORY) ?
				 node : NUMA_NO_NODE);
		if (!c) {
			mcentral_exit();
			return -ENOMEM;
		}
		for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++) {
			spin_lock_init(&c[i].lock);
			c[i].spanclass = i;
			c[i].node = node;
			INIT_LIST_HEAD(&c[i].partial);
			INIT_LIST_HEAD(&c[i].full);
			INIT_LIST_HEAD(&c[i].empty);
			c[i].keep_empty = mcentral_keep_empty(i);
			c[i].grow_npages = spanclass_mid(i) ?
				mcentral_mid_npages(spanclass_sizeclass(i)) :
				class_to_allocnpages[spanclass_sizeclass(i)];
			c[i].share_objs = mcentral_keep_share(i,
							      c[i].grow_npages);
			c[i].share_left = c[i].share_objs;
		}
		mcentral_nodes[node] = c;
	}
	return 0;
}

void mcentral_exit(void)
{
	int node;

	for_each_node(node) {
		kfree(mcentral_nodes[node]);
		mcentral_nodes[node] = NULL;
	}
}
