// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's span refill chain (Go's nextFree -> refill ->
 * cacheSpan -> grow -> mheap.alloc) and the way explicit frees move spans
 * between an mcache, its mcentral's partial and full lists and the heap.
 *
 * Every case pins the KUnit thread (a fresh kthread per case) to the CPU
 * it runs on, so goslab_alloc() always uses that CPU's mcache, then starts
 * from mcache_flush_all(): no CPU caches a span of the class under test.
 * The classes are ones nothing else in a KUnit kernel allocates, so the
 * central counters move only because of the test.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/workqueue.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/topology.h>

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/mcentral.h"
#include "../goslab/mcache.h"
#include "../goslab/fixalloc.h"
#include "../goslab/mem.h"
#include "../goslab/report.h"
#include "../goslab/debug.h"
#include "../goslab/kasan.h"
#include "../goslab/reclaim.h"
#include "../goslab/debugfs.h"
#include "../goslab/export_test.h"

/*
 * Rarely used classes an mcache caches: 3072 bytes (3 pages, 8 objects),
 * 2304 (2, 7).  The mid classes, over GS_MID_MIN_SIZE, have their own
 * cases.
 */
static const size_t refill_sizes[] = { 3072, 2304 };

static void refill_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(refill_size, refill_sizes, refill_size_desc);

/* The counters of one mcentral and its node's heap. */
struct refill_snap {
	unsigned long partial, full, cached, grows, released, spans;
	unsigned long inuse, class_pages, empty;
};

struct refill_ctx {
	size_t size;
	unsigned int sc, npages, nelems;
	unsigned int spc;
	int cpu, node;
	struct mcentral *c;
	struct mheap *h;
	struct mcache *mc;
	struct refill_snap base;
};

static void refill_snap(struct refill_ctx *x, struct refill_snap *s)
{
	unsigned long flags;

	spin_lock_irqsave(&x->c->lock, flags);
	s->partial = x->c->nr_partial;
	s->full = x->c->nr_full;
	s->empty = x->c->nr_empty;
	s->cached = x->c->nr_cached;
	s->grows = x->c->grows;
	s->released = x->c->released;
	s->spans = x->c->nmalloc_spans;
	s->class_pages = x->c->npages;
	spin_unlock_irqrestore(&x->c->lock, flags);
	spin_lock_irqsave(&x->h->lock, flags);
	s->inuse = x->h->pages_inuse;
	spin_unlock_irqrestore(&x->h->lock, flags);
}

/*
 * Check every counter against the baseline plus the given deltas.  A
 * macro so that a failure names the caller's line.
 */
#define REFILL_EXPECT(test, x, dpartial, dfull, dcached, dgrows, drel,	\
		      dspans, dpages)					\
do {									\
	struct kunit *__t = (test);					\
	struct refill_ctx *__x = (x);					\
	unsigned long __pages = (dpages) * __x->npages;			\
	struct refill_snap __s;						\
									\
	refill_snap(__x, &__s);						\
	KUNIT_EXPECT_EQ(__t, __s.partial, __x->base.partial + (dpartial)); \
	KUNIT_EXPECT_EQ(__t, __s.full, __x->base.full + (dfull));	\
	KUNIT_EXPECT_EQ(__t, __s.cached, __x->base.cached + (dcached));	\
	KUNIT_EXPECT_EQ(__t, __s.grows, __x->base.grows + (dgrows));	\
	KUNIT_EXPECT_EQ(__t, __s.released, __x->base.released + (drel)); \
	KUNIT_EXPECT_EQ(__t, __s.spans, __x->base.spans + (dspans));	\
	KUNIT_EXPECT_EQ(__t, __s.inuse, __x->base.inuse + __pages);	\
	KUNIT_EXPECT_EQ(__t, __s.class_pages,				\
			__x->base.class_pages + __pages);		\
} while (0)

/* The kept empty spans against the baseline. */
#define REFILL_EXPECT_EMPTY(test, x, dempty)				\
do {									\
	struct refill_ctx *__x = (x);					\
	struct refill_snap __e;						\
									\
	refill_snap(__x, &__e);						\
	KUNIT_EXPECT_EQ((test), __e.empty, __x->base.empty + (dempty));	\
} while (0)

/* A class's sharing budget, restored when the case ends. */
struct refill_share {
	struct mcentral *c;
	unsigned int objs;
};

static void refill_share_restore(void *arg)
{
	struct refill_share *r = arg;

	export_set_share(r->c, r->objs);
}

/*
 * Set the budget of @spc's central list on this node to @objs for the
 * rest of the case: 0 for the cases about cached spans, which the class's
 * first refills would otherwise not cache (mcentral_shares()).
 */
static void refill_set_share(struct kunit *test, unsigned int spc,
			     unsigned int objs)
{
	struct refill_share *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->c = mcentral_of(numa_mem_id(), spc);
	r->objs = export_set_share(r->c, objs);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							refill_share_restore,
							r), 0);
}

/*
 * Pin to the current CPU, drain every mcache and take the baseline.  The
 * KUnit thread is a kthread of its own that exits after the case, so the
 * affinity needs no restoring (and an assertion may end it at any time).
 */
static void refill_setup(struct kunit *test, struct refill_ctx *x, size_t size)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	x->cpu = smp_processor_id();
	KUNIT_ASSERT_EQ(test, x->cpu, cpu);
	x->node = numa_mem_id();
	x->size = size;
	x->sc = goslab_size_to_class(size);
	KUNIT_ASSERT_EQ(test, (size_t)class_to_size[x->sc], size);
	x->npages = class_to_allocnpages[x->sc];
	x->nelems = class_to_nelems[x->sc];
	x->spc = make_spanclass(x->sc, false);
	x->c = mcentral_of(x->node, x->spc);
	x->h = mheap_of(x->node);
	x->mc = this_cpu_ptr(mcache_task);
	KUNIT_ASSERT_NOT_NULL(test, x->h);

	mcache_flush_all();
	refill_snap(x, &x->base);
	/* These cases are about cached spans; refill_share_test() shares. */
	refill_set_share(test, x->spc, 0);
	KUNIT_ASSERT_EQ_MSG(test, x->base.cached, 0UL,
			    "a span of class %u is still cached after a flush",
			    x->sc);
	KUNIT_ASSERT_EQ_MSG(test, x->base.partial, 0UL,
			    "class %u has partial spans: an earlier test leaked",
			    x->sc);
	KUNIT_ASSERT_PTR_EQ(test, x->mc->alloc[x->spc], &emptymspan);
}

/* @n objects of the class under test, in a test-managed array. */
static void **refill_objs(struct kunit *test, struct refill_ctx *x,
			  unsigned int n)
{
	void **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = goslab_alloc(x->size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	return objs;
}

static bool span_cached(struct mspan *s)
{
	return atomic_long_read(&s->freestate) & MSPAN_CACHED;
}

static long span_pending(struct mspan *s)
{
	return mspan_pending(atomic_long_read(&s->freestate));
}

/*
 * The first allocation of a class: refill finds the mcache's emptymspan,
 * the mcentral has no partial span and grows one from the heap.  A free
 * to the cached span is only counted; the flush gives the now empty span
 * back to the heap.
 */
static void refill_grow_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	struct refill_ctx x;
	unsigned long refills;
	struct mspan *s;
	void *p;

	refill_setup(test, &x, *size);
	refills = x.mc->stats.refills;

	p = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = span_of((unsigned long)p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], s);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 1);
	KUNIT_EXPECT_EQ(test, s->spanclass, x.spc);
	KUNIT_EXPECT_EQ(test, s->npages, x.npages);
	KUNIT_EXPECT_EQ(test, s->nelems, x.nelems);
	KUNIT_EXPECT_EQ(test, s->elemsize, (unsigned int)x.size);
	KUNIT_EXPECT_EQ(test, s->node, x.node);
	KUNIT_EXPECT_EQ(test, s->alloc_count, 1U);
	KUNIT_EXPECT_EQ(test, (unsigned long)p, s->start_addr);
	KUNIT_EXPECT_EQ(test, s->state, (u8)MSPAN_INUSE);
	KUNIT_EXPECT_EQ(test, s->where, (u8)MSPAN_LIST_NONE);
	KUNIT_EXPECT_TRUE(test, span_cached(s));
	KUNIT_EXPECT_EQ(test, span_pending(s), 0L);
	/* Grown: one more cached span, npages more pages in use. */
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 1);

	goslab_free(p);
	/*
	 * The owner's free to its cached span goes on the span's local LIFO:
	 * no free_bits bit, no pending count, the next allocation takes it.
	 */
	KUNIT_EXPECT_TRUE(test, test_bit(0, s->local_bits));
	KUNIT_EXPECT_EQ(test, s->localhead, 1U);
	KUNIT_EXPECT_FALSE(test, test_bit(0, s->free_bits));
	KUNIT_EXPECT_EQ(test, span_pending(s), 0L);
	KUNIT_EXPECT_TRUE(test, span_cached(s));
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 1);

	/* Uncached with nothing live: straight back to the heap. */
	mcache_flush_all();
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], &emptymspan);
	REFILL_EXPECT(test, &x, 0, 0, 0, 1, 1, 1, 0);
}

/*
 * The whole life of a span: filled on one CPU, uncached into the full
 * list by the refill that follows, moved to partial by a free, cached
 * again from partial (no grow) with the freed slot reused, and finally
 * returned to the heap once its last object is freed.
 */
static void refill_full_partial_empty_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	struct refill_ctx x;
	struct mspan *a, *b;
	unsigned long refills;
	void **objs, **more;
	void *first, *z;
	unsigned int i;

	refill_setup(test, &x, *size);
	objs = kunit_kcalloc(test, x.nelems, sizeof(*objs), GFP_KERNEL);
	more = kunit_kcalloc(test, x.nelems, sizeof(*more), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, more);
	refills = x.mc->stats.refills;

	/* Exactly nelems objects: one span, full but still cached. */
	for (i = 0; i < x.nelems; i++) {
		objs[i] = goslab_alloc(x.size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	a = span_of((unsigned long)objs[0]);
	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < x.nelems; i++) {
		KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)objs[i]), a);
		KUNIT_EXPECT_EQ(test, (unsigned long)objs[i],
				a->start_addr + i * x.size);
	}
	KUNIT_EXPECT_EQ(test, a->alloc_count, x.nelems);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], a);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 1);
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 1);

	/* One more: the refill uncaches the full span into the full list. */
	first = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, first);
	b = span_of((unsigned long)first);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], b);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 2);
	KUNIT_EXPECT_FALSE(test, span_cached(a));
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_FULL);
	KUNIT_EXPECT_TRUE(test, span_cached(b));
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 2, 2);

	/*
	 * A free to the uncached full span: its bit is set at once, its
	 * count waits in this context's mcache; counted, it moves the span
	 * to partial.
	 */
	goslab_free(objs[0]);
	KUNIT_EXPECT_TRUE(test, test_bit(0, a->free_bits));
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, a);
	KUNIT_EXPECT_EQ(test, x.mc->rfcount, 1UL);
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_FULL);
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 2, 2);
	export_commit_remote();
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, NULL);
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_PARTIAL);
	KUNIT_EXPECT_EQ(test, span_pending(a), 1L);
	REFILL_EXPECT(test, &x, 1, 0, 1, 2, 0, 2, 2);

	/* Fill b; the refill after it takes a from partial, not the heap. */
	more[0] = first;
	for (i = 1; i < x.nelems; i++) {
		more[i] = goslab_alloc(x.size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, more[i]);
		KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)more[i]), b);
	}
	REFILL_EXPECT(test, &x, 1, 0, 1, 2, 0, 2, 2);
	z = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z);
	/* cacheSpan swept a: the freed slot is the one handed out. */
	KUNIT_EXPECT_PTR_EQ(test, z, objs[0]);
	KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)z), a);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], a);
	KUNIT_EXPECT_TRUE(test, span_cached(a));
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_NONE);
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	KUNIT_EXPECT_EQ(test, a->alloc_count, x.nelems);
	KUNIT_EXPECT_FALSE(test, test_bit(0, a->free_bits));
	/* Old data may be in a reused slot. */
	KUNIT_EXPECT_EQ(test, a->needzero, (u8)1);
	KUNIT_EXPECT_FALSE(test, span_cached(b));
	KUNIT_EXPECT_EQ(test, b->where, (u8)MSPAN_LIST_FULL);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 3);
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 3, 2);
	objs[0] = z;

	/*
	 * Free b's objects: one batch, counted in one go, takes b from full
	 * to the empty list, where the class keeps it for its next refill
	 * (mcentral_place()).
	 */
	for (i = 0; i < x.nelems; i++)
		goslab_free(more[i]);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, b);
	KUNIT_EXPECT_EQ(test, x.mc->rfcount, (unsigned long)x.nelems);
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 3, 2);
	REFILL_EXPECT_EMPTY(test, &x, 0);
	export_commit_remote();
	REFILL_EXPECT(test, &x, 0, 0, 1, 2, 0, 3, 2);
	REFILL_EXPECT_EMPTY(test, &x, 1);
	KUNIT_EXPECT_EQ(test, b->where, (u8)MSPAN_LIST_EMPTY);
	KUNIT_EXPECT_EQ(test, b->alloc_count, (unsigned int)span_pending(b));

	/*
	 * a's objects freed from this CPU while its mcache caches a: they
	 * go on a's local LIFO, lock-free and uncounted until a is let go.
	 */
	for (i = 0; i < x.nelems; i++)
		goslab_free(objs[i]);
	KUNIT_EXPECT_TRUE(test, span_cached(a));
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	KUNIT_EXPECT_EQ(test, bitmap_weight(a->local_bits, x.nelems), x.nelems);
	REFILL_EXPECT(test, &x, 0, 0, 1, 2, 0, 3, 2);
	REFILL_EXPECT_EMPTY(test, &x, 1);

	/*
	 * Uncached, a joins b on the empty list or, past the class's
	 * keep_empty, goes to the heap; the flush hands every kept one back.
	 */
	mcache_flush_all();
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], &emptymspan);
	REFILL_EXPECT(test, &x, 0, 0, 0, 2, 2, 3, 0);
}

/*
 * Free one object from another CPU, in a kworker bound to it.  Not in an
 * IPI handler: an idle CPU that polls runs IPI callbacks from its idle
 * task, so the free and the commit below could take different contexts'
 * mcaches from one run to the next.
 */
static long refill_remote_free(void *p)
{
	goslab_free(p);
	return 0;
}

/* Count the frees that CPU's task context batched. */
static long refill_remote_commit(void *unused)
{
	export_commit_remote();
	return 0;
}

/*
 * Frees to the cached span, one local and one from the other CPU, are
 * merged in place by the next refill (Go's sweep): no trip to mcentral,
 * no grow, and the freed slots are handed out again.
 */
static void refill_local_sweep_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	struct refill_ctx x;
	unsigned long refills;
	unsigned int i, k1, k2;
	void **objs;
	struct mspan *a;
	void *y1, *y2;
	int other;

	refill_setup(test, &x, *size);
	other = cpumask_any_but(cpu_online_mask, x.cpu);
	if (other >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");
	refills = x.mc->stats.refills;
	objs = refill_objs(test, &x, x.nelems);
	a = span_of((unsigned long)objs[0]);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, a->alloc_count, x.nelems);
	KUNIT_ASSERT_PTR_EQ(test, x.mc->alloc[x.spc], a);

	k1 = x.nelems - 1;
	k2 = 0;
	/* k1 freed by the owner (local LIFO), k2 by the other CPU. */
	goslab_free(objs[k1]);
	KUNIT_EXPECT_EQ(test, work_on_cpu(other, refill_remote_free, objs[k2]),
			0L);
	/* The remote free is batched on that CPU until it commits it. */
	KUNIT_EXPECT_TRUE(test, test_bit(k2, a->free_bits));
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	KUNIT_EXPECT_EQ(test, work_on_cpu(other, refill_remote_commit, NULL),
			0L);
	KUNIT_EXPECT_EQ(test, span_pending(a), 1L);
	KUNIT_EXPECT_TRUE(test, test_bit(k1, a->local_bits));
	KUNIT_EXPECT_FALSE(test, test_bit(k1, a->free_bits));
	KUNIT_EXPECT_TRUE(test, test_bit(k2, a->free_bits));
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 1);

	/*
	 * The local free comes back first, without a refill; then the span
	 * is exhausted and the refill sweeps the remote free in place.
	 */
	y1 = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, y1);
	KUNIT_EXPECT_PTR_EQ(test, y1, objs[k1]);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 1);
	y2 = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, y2);
	KUNIT_EXPECT_PTR_EQ(test, y2, objs[k2]);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], a);
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	KUNIT_EXPECT_EQ(test, a->alloc_count, x.nelems);
	KUNIT_EXPECT_EQ(test, x.mc->stats.refills, refills + 2);
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 1);
	objs[k1] = y1;
	objs[k2] = y2;

	/* A full cached span flushed goes to the full list... */
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_FULL);
	REFILL_EXPECT(test, &x, 0, 1, 0, 1, 0, 1, 1);
	/*
	 * ...and frees, once counted, take it to the empty list, where it
	 * stays until "release" takes it.
	 */
	for (i = 0; i < x.nelems; i++) {
		goslab_free(objs[i]);
		REFILL_EXPECT(test, &x, 0, 1, 0, 1, 0, 1, 1);
	}
	export_commit_remote();
	REFILL_EXPECT(test, &x, 0, 0, 0, 1, 0, 1, 1);
	REFILL_EXPECT_EMPTY(test, &x, 1);
	KUNIT_EXPECT_EQ(test, mcentral_release_empty(x.node), (unsigned long)x.npages);
	REFILL_EXPECT(test, &x, 0, 0, 0, 1, 1, 1, 0);
	REFILL_EXPECT_EMPTY(test, &x, 0);
}

/*
 * Frees to spans this context does not allocate from: each object's bit
 * at once, the count per span in a batch, counted when the context frees
 * to another span, commits on purpose, or is flushed.
 */
static void refill_remote_batch_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	struct refill_ctx x;
	struct mspan *a, *b;
	unsigned int i, n;
	void **objs;

	refill_setup(test, &x, *size);
	n = 2 * x.nelems;
	objs = refill_objs(test, &x, n);
	a = span_of((unsigned long)objs[0]);
	b = span_of((unsigned long)objs[x.nelems]);
	KUNIT_ASSERT_TRUE(test, a && b && a != b);
	mcache_flush_all();
	REFILL_EXPECT(test, &x, 0, 2, 0, 2, 0, 2, 2);
	KUNIT_ASSERT_PTR_EQ(test, x.mc->rfspan, NULL);

	goslab_free(objs[0]);
	goslab_free(objs[1]);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, a);
	KUNIT_EXPECT_EQ(test, x.mc->rfcount, 2UL);
	KUNIT_EXPECT_TRUE(test, test_bit(0, a->free_bits));
	KUNIT_EXPECT_TRUE(test, test_bit(1, a->free_bits));
	KUNIT_EXPECT_EQ(test, span_pending(a), 0L);
	REFILL_EXPECT(test, &x, 0, 2, 0, 2, 0, 2, 2);

	/* A free to b counts a's batch in one step: a goes to partial. */
	goslab_free(objs[x.nelems]);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, b);
	KUNIT_EXPECT_EQ(test, x.mc->rfcount, 1UL);
	KUNIT_EXPECT_EQ(test, span_pending(a), 2L);
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_PARTIAL);
	KUNIT_EXPECT_EQ(test, b->where, (u8)MSPAN_LIST_FULL);
	REFILL_EXPECT(test, &x, 1, 1, 0, 2, 0, 2, 2);

	/* A flush counts what is left. */
	mcache_flush_all();
	KUNIT_EXPECT_PTR_EQ(test, x.mc->rfspan, NULL);
	KUNIT_EXPECT_EQ(test, span_pending(b), 1L);
	KUNIT_EXPECT_EQ(test, b->where, (u8)MSPAN_LIST_PARTIAL);
	REFILL_EXPECT(test, &x, 2, 0, 0, 2, 0, 2, 2);

	for (i = 2; i < n; i++)
		if (i != x.nelems)
			goslab_free(objs[i]);
	export_commit_remote();
	REFILL_EXPECT(test, &x, 0, 0, 0, 2, 2 - min(2U, x.c->keep_empty),
		      2, min(2U, x.c->keep_empty));
	REFILL_EXPECT_EMPTY(test, &x, min(2U, x.c->keep_empty));
	mcache_flush_all();
	REFILL_EXPECT(test, &x, 0, 0, 0, 2, 2, 2, 0);
	REFILL_EXPECT_EMPTY(test, &x, 0);
}

/*
 * A class keeps up to keep_empty empty spans (GS_KEEP_EMPTY_BYTES of
 * them, at least one) and gives the rest back; a refill takes a partial
 * span before a kept empty one.
 */
static void refill_keep_empty_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	unsigned int i, n, nspans, keep;
	struct mspan *last;
	struct refill_ctx x;
	void **objs, *p;

	refill_setup(test, &x, *size);
	keep = x.c->keep_empty;
	KUNIT_EXPECT_EQ(test, keep,
			(unsigned int)max(1UL, GS_KEEP_EMPTY_BYTES /
					  (x.npages * GOSLAB_PAGE_SIZE)));
	nspans = keep + 2;
	n = nspans * x.nelems;
	objs = refill_objs(test, &x, n);
	last = span_of((unsigned long)objs[n - 1]);
	KUNIT_ASSERT_NOT_NULL(test, last);
	mcache_flush_all();
	REFILL_EXPECT(test, &x, 0, nspans, 0, nspans, 0, nspans, nspans);

	/* All but one object: keep spans kept, one released, one partial. */
	for (i = 0; i < n - 1; i++)
		goslab_free(objs[i]);
	export_commit_remote();
	REFILL_EXPECT(test, &x, 1, 0, 0, nspans, 1, nspans, nspans - 1);
	REFILL_EXPECT_EMPTY(test, &x, keep);
	KUNIT_EXPECT_EQ(test, last->where, (u8)MSPAN_LIST_PARTIAL);

	p = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)p), last);
	REFILL_EXPECT(test, &x, 0, 0, 1, nspans, 1, nspans + 1, nspans - 1);
	REFILL_EXPECT_EMPTY(test, &x, keep);

	goslab_free(p);
	goslab_free(objs[n - 1]);
	mcache_flush_all();
	REFILL_EXPECT(test, &x, 0, 0, 0, nspans, nspans, nspans + 1, 0);
	REFILL_EXPECT_EMPTY(test, &x, 0);
}

/*
 * A hand-back of kept empty spans under way (the idle pass, another
 * "release") holds spans that are on no list and not yet in the heap.  A
 * flush meanwhile must wait for it: when mcache_flush_all() returns, the
 * pages of every span kept when it was called are back in the heap.
 * Without the wait the flush found the lists empty and returned with the
 * span still counted in use: the "mixed sizes" concurrency case saw 48
 * pages so once, in a starved guest.
 */
struct refill_hold {
	struct task_struct *holder;	/* the hand-back that stops */
	struct completion stopped, done, go;
	struct delayed_work release;
};

static struct refill_hold *refill_hold;

/* mcentral_release_test_hook: stop the holder's hand-back, at most 10 s. */
static void refill_hold_hook(void)
{
	struct refill_hold *h = READ_ONCE(refill_hold);

	if (!h || current != h->holder)
		return;
	complete(&h->stopped);
	wait_for_completion_timeout(&h->go, 10 * HZ);
}

static int refill_hold_thread(void *arg)
{
	struct refill_hold *h = arg;

	mcentral_release_empty(NUMA_NO_NODE);
	complete(&h->done);
	return 0;
}

static void refill_hold_release(struct work_struct *work)
{
	struct refill_hold *h = container_of(to_delayed_work(work),
					     struct refill_hold, release);

	complete(&h->go);
}

static void refill_release_waits_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	struct task_struct *t;
	struct refill_ctx x;
	struct refill_hold *h;
	unsigned int i;
	void **objs;

	refill_setup(test, &x, *size);
	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	init_completion(&h->stopped);
	init_completion(&h->done);
	init_completion(&h->go);
	INIT_DELAYED_WORK(&h->release, refill_hold_release);

	/* One span of the class, emptied: kept on its central list. */
	objs = refill_objs(test, &x, x.nelems);
	mcache_flush_all();
	for (i = 0; i < x.nelems; i++)
		goslab_free(objs[i]);
	export_commit_remote();
	REFILL_EXPECT(test, &x, 0, 0, 0, 1, 0, 1, 1);
	REFILL_EXPECT_EMPTY(test, &x, 1);

	t = kthread_create(refill_hold_thread, h, "refill_hold");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	h->holder = t;
	WRITE_ONCE(refill_hold, h);
	WRITE_ONCE(mcentral_release_test_hook, refill_hold_hook);
	wake_up_process(t);
	if (!wait_for_completion_timeout(&h->stopped, 10 * HZ)) {
		KUNIT_FAIL(test, "the hand-back never reached the hook");
		complete(&h->go);
	} else {
		/* The holder has the span; let it go on 200 ms from now. */
		schedule_delayed_work(&h->release, HZ / 5);
		mcache_flush_all();
		/* Taken off its list by the holder: handed back by now. */
		REFILL_EXPECT(test, &x, 0, 0, 0, 1, 1, 1, 0);
		REFILL_EXPECT_EMPTY(test, &x, 0);
	}
	wait_for_completion(&h->done);
	cancel_delayed_work_sync(&h->release);
	WRITE_ONCE(mcentral_release_test_hook, NULL);
	WRITE_ONCE(refill_hold, NULL);
	REFILL_EXPECT(test, &x, 0, 0, 0, 1, 1, 1, 0);
}

/*
 * A mid class (over GS_MID_MIN_SIZE; 9472 bytes: Go's span 7 pages, 6
 * objects) is cached per CPU like a small one.  Its first span on the
 * node holds one object in 2 pages; once a span is full, the next has
 * GS_MID_MAX_PAGES (4 pages, 3 objects), not Go's 7.  The owner's free
 * goes to its cached span's LIFO and is the next object handed out; a
 * free to an uncached span is a batched remote free; and the class keeps
 * no empty span: each goes back to the heap.
 */
static void refill_mid_test(struct kunit *test)
{
	struct refill_ctx x;
	struct mspan *a, *b;
	unsigned int sc;
	void *p[3], *q;

	refill_setup(test, &x, 9472);
	KUNIT_ASSERT_TRUE(test, spanclass_mid(x.spc));
	sc = goslab_size_to_class(GS_MID_MIN_SIZE);
	KUNIT_ASSERT_FALSE(test, spanclass_mid(make_spanclass(sc, false)));
	KUNIT_EXPECT_EQ(test, x.c->keep_empty, 0U);
	KUNIT_EXPECT_EQ(test, x.npages, 7U);
	KUNIT_EXPECT_EQ(test, x.c->grow_npages, 4U);
	/* Spans of two sizes: count the heap's pages one by one. */
	x.npages = 1;

	p[0] = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	a = span_of((unsigned long)p[0]);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, a->npages, 2U);
	KUNIT_EXPECT_EQ(test, a->nelems, 1U);
	KUNIT_EXPECT_EQ(test, a->limit, a->start_addr + x.size);
	KUNIT_EXPECT_TRUE(test, span_cached(a));
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], a);
	REFILL_EXPECT(test, &x, 0, 0, 1, 1, 0, 1, 2);

	/* a is full: it goes to the full list, b of 4 pages is cached. */
	p[1] = goslab_alloc(x.size, GFP_KERNEL);
	p[2] = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[1]);
	KUNIT_ASSERT_NOT_NULL(test, p[2]);
	b = span_of((unsigned long)p[1]);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)p[2]), b);
	KUNIT_EXPECT_EQ(test, b->npages, 4U);
	KUNIT_EXPECT_EQ(test, b->nelems, 3U);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p[2]), x.size);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], b);
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_FULL);
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 2, 2 + 4);

	/* The owner's free: the next allocation takes it back, no lock. */
	goslab_free(p[1]);
	q = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[1]);
	p[1] = q;
	REFILL_EXPECT(test, &x, 0, 1, 1, 2, 0, 2, 2 + 4);

	/* A free to the uncached a is batched, then a goes to the heap. */
	goslab_free(p[0]);
	KUNIT_EXPECT_EQ(test, a->where, (u8)MSPAN_LIST_FULL);
	export_commit_remote();
	REFILL_EXPECT(test, &x, 0, 0, 1, 2, 1, 2, 4);

	goslab_free(p[1]);
	goslab_free(p[2]);
	mcache_flush_all();
	REFILL_EXPECT(test, &x, 0, 0, 0, 2, 2, 2, 0);
	REFILL_EXPECT_EMPTY(test, &x, 0);
}

/*
 * The span size of every mid class once it is in use: at most
 * GS_MID_MAX_PAGES pages, Go's own where that fits, at least one object,
 * and a tail of at most a quarter of the span (Go's: an eighth).
 */
static void refill_mid_npages_test(struct kunit *test)
{
	unsigned int sc, n, k, size;
	struct mcentral *c;

	for (sc = goslab_size_to_class(GS_MID_MIN_SIZE) + 1;
	     sc < GOSLAB_NUM_SIZE_CLASSES; sc++) {
		c = mcentral_of(numa_mem_id(), make_spanclass(sc, false));
		size = class_to_size[sc];
		n = c->grow_npages;
		k = (n << GOSLAB_PAGE_SHIFT) / size;
		KUNIT_EXPECT_LE_MSG(test, n, (unsigned int)GS_MID_MAX_PAGES,
				    "class %u", sc);
		if (class_to_allocnpages[sc] <= GS_MID_MAX_PAGES)
			KUNIT_EXPECT_EQ(test, n, (unsigned int)class_to_allocnpages[sc]);
		KUNIT_EXPECT_GE_MSG(test, k, 1U, "class %u", sc);
		KUNIT_EXPECT_LE_MSG(test, 4UL * ((n << GOSLAB_PAGE_SHIFT) - k * size),
				    (unsigned long)n << GOSLAB_PAGE_SHIFT,
				    "class %u: %u pages", sc, n);
		KUNIT_EXPECT_EQ(test, mcentral_of(numa_mem_id(),
						  make_spanclass(sc, true))->grow_npages, n);
	}
}

/*
 * Every class over 4 KiB, scan and noscan: the first allocation caches
 * the object's span in this CPU's mcache, and an alloc+free pair after
 * it stays on that span and takes the same object back.  Before, these
 * classes were never cached (their objects came from the central lists
 * under the lock), and the mcache's slot stayed emptymspan.
 */
static void refill_mid_cached_test(struct kunit *test)
{
	struct refill_ctx x;
	unsigned int sc, spc;
	struct mspan *s;
	void *p, *q;
	int noscan;

	refill_setup(test, &x, 8192);
	for (sc = goslab_size_to_class(GS_MID_MIN_SIZE) + 1;
	     sc < GOSLAB_NUM_SIZE_CLASSES; sc++) {
		for (noscan = 0; noscan < 2; noscan++) {
			size_t size = class_to_size[sc];

			spc = make_spanclass(sc, noscan);
			KUNIT_EXPECT_TRUE(test, spanclass_mid(spc));
			refill_set_share(test, spc, 0);
			p = noscan ? goslab_alloc_noscan(size, GFP_KERNEL) :
				     goslab_alloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			s = span_of((unsigned long)p);
			KUNIT_ASSERT_NOT_NULL(test, s);
			KUNIT_EXPECT_EQ(test, s->spanclass, (u8)spc);
			KUNIT_EXPECT_PTR_EQ_MSG(test, x.mc->alloc[spc], s,
						"class %u not cached", sc);
			goslab_free(p);
			q = noscan ? goslab_alloc_noscan(size, GFP_KERNEL) :
				     goslab_alloc(size, GFP_KERNEL);
			KUNIT_EXPECT_PTR_EQ(test, q, p);
			KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[spc], s);
			goslab_free(q);
		}
	}
	mcache_flush_all();
}

static void refill_idle_restart(void *unused)
{
	reclaim_idle_hold(false);
}

/* One object of @size, on the CPU work_on_cpu() runs this on. */
static long refill_remote_alloc(void *size)
{
	return (long)goslab_alloc(*(size_t *)size, GFP_KERNEL);
}

/*
 * A class in little use shares its spans between CPUs: the refills of
 * two CPUs take their first objects from the central list, one span for
 * both, and cache none (mcentral_shares()).  Once the class took its
 * budget of objects, a refill caches a span again; a period without a
 * span taken renews the budget (mcentral_release_idle(), called here
 * with the background pass held).
 */
static void refill_share_test(struct kunit *test)
{
	const size_t *size = test->param_value;
	unsigned int i, n, budget;
	unsigned long shared;
	struct refill_ctx x;
	void **objs;
	int other;

	refill_setup(test, &x, *size);
	other = cpumask_any_but(cpu_online_mask, x.cpu);
	if (other >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");
	/* The idle pass would renew the budget while the case spends it. */
	reclaim_idle_hold(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							refill_idle_restart,
							NULL), 0);
	budget = GS_SHARE_SPANS * x.nelems;
	refill_set_share(test, x.spc, budget);
	shared = x.c->nshared;

	n = budget + 1;
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	objs[0] = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs[0]);
	objs[1] = (void *)work_on_cpu(other, refill_remote_alloc, &x.size);
	KUNIT_ASSERT_NOT_NULL(test, objs[1]);
	KUNIT_EXPECT_PTR_EQ(test, span_of((unsigned long)objs[1]),
			    span_of((unsigned long)objs[0]));
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], &emptymspan);
	KUNIT_EXPECT_FALSE(test, span_cached(span_of((unsigned long)objs[0])));
	/* One partial span, grown once, handed to no mcache. */
	REFILL_EXPECT(test, &x, 1, 0, 0, 1, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, x.c->nshared, shared + 2);

	/* The rest of the budget fills spans one after the other. */
	for (i = 2; i < budget; i++) {
		objs[i] = goslab_alloc(x.size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	REFILL_EXPECT(test, &x, 0, GS_SHARE_SPANS, 0, GS_SHARE_SPANS, 0, 0,
		      GS_SHARE_SPANS);
	KUNIT_EXPECT_FALSE(test, mcentral_shares(x.c));
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc], &emptymspan);

	/* Spent: the next refill caches a span of its own. */
	objs[budget] = goslab_alloc(x.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs[budget]);
	KUNIT_EXPECT_PTR_EQ(test, x.mc->alloc[x.spc],
			    span_of((unsigned long)objs[budget]));
	REFILL_EXPECT(test, &x, 0, GS_SHARE_SPANS, 1, GS_SHARE_SPANS + 1, 0,
		      1, GS_SHARE_SPANS + 1);

	/* Two idle passes with no span taken between: the budget is back. */
	mcentral_release_idle();
	mcentral_release_idle();
	KUNIT_EXPECT_TRUE(test, mcentral_shares(x.c));
	KUNIT_EXPECT_EQ(test, READ_ONCE(x.c->share_left), budget);

	for (i = 0; i < n; i++)
		goslab_free(objs[i]);
	mcache_flush_all();
	refill_snap(&x, &x.base);
	KUNIT_EXPECT_EQ(test, x.base.partial + x.base.full + x.base.cached,
			0UL);
}

static struct kunit_case goslab_refill_cases[] = {
	KUNIT_CASE_PARAM(refill_grow_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_full_partial_empty_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_local_sweep_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_remote_batch_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_keep_empty_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_release_waits_test, refill_size_gen_params),
	KUNIT_CASE_PARAM(refill_share_test, refill_size_gen_params),
	KUNIT_CASE(refill_mid_test),
	KUNIT_CASE(refill_mid_cached_test),
	KUNIT_CASE(refill_mid_npages_test),
	{}
};

static struct kunit_suite goslab_refill_suite = {
	.name = "goslab_refill",
	.test_cases = goslab_refill_cases,
};

kunit_test_suite(goslab_refill_suite);
