// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit stress test for goslab across CPUs and contexts.
 *
 * One kthread bound to each of two CPUs allocates objects of random sizes
 * (tiny, small and large), fills each with a pattern (its own address in
 * the first word, then a per-object byte) and hands it to the other CPU
 * through a lock-free llist; the receiver checks every byte and frees it.
 * An hrtimer on each CPU allocates with GFP_ATOMIC in hard IRQ and sends
 * those objects to the other CPU too, and frees objects the other CPU
 * sent to it, so frees race with allocations in every context.
 *
 * A second mode keeps every object in one class of eight objects a span
 * (1 KiB) and frees what a kthread receives with goslab_free_bulk() in
 * runs: spans go from full to partial to empty while the other CPU
 * refills from the same central list, so lock-free partial frees, their
 * generations, bulk runs and the kept empty span all race.
 *
 * At the end, after mcache_flush_all() and mheap_release(h, 0) on every
 * node, the heap must hold exactly the pages it held before the test,
 * and not one byte may have been corrupted.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/unaligned.h>

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
#include "gs_test.h"

/* ~200k goslab operations in all: 4 per object (item + object, both ways). */
#define CONC_ITERS		20000
#define CONC_MAX_INFLIGHT	1024	/* objects queued to one CPU */
#define CONC_MAX_IRQ_PENDING	32	/* objects queued to one hrtimer */
#define CONC_TIMER_NS		(500 * NSEC_PER_USEC)
#define CONC_IRQ_ALLOCS		2	/* allocations per timer tick */

struct conc_item {
	struct llist_node node;
	void *p;
	u32 size;
	u8 pat;
	u8 noscan;
};

struct conc_state;

struct conc_cpu {
	struct conc_state *st;
	struct conc_cpu *peer;
	int cpu;
	u64 rng;			/* the kthread's */
	u64 irq_rng;			/* the hrtimer's */
	struct llist_head inbox;	/* checked and freed by the kthread */
	struct llist_head irq_inbox;	/* checked and freed by the hrtimer */
	atomic_t inflight;		/* items in inbox */
	atomic_t irq_pending;		/* items in irq_inbox */
	bool stopping;
	struct hrtimer timer;
	struct completion done;
};

/* Objects a kthread frees with one goslab_free_bulk() in one-class mode. */
#define CONC_BULK		16

struct conc_state {
	struct conc_cpu c[2];
	u32 one_size;			/* one-class mode: every object's size */
	atomic_t producers_done;
	atomic_t timers_stopped;
	atomic_long_t allocs, frees, irq_allocs, irq_frees, irq_fails;
	atomic_long_t corrupt, fails;
};

static u32 conc_rand(u64 *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 0x2545F4914F6CDD1DULL) >> 32;
}

/*
 * A random size: 40% tiny (noscan, 1..15), 45% up to 1 KiB, the rest up
 * to 32 KiB and (from process context) a few large objects to 96 KiB.
 */
static u32 conc_size(u64 *rng, bool irq, bool *noscan)
{
	u32 r = conc_rand(rng), kind = r % 100, v = r >> 8;

	if (kind < 40) {
		*noscan = true;
		return 1 + v % 15;
	}
	*noscan = v & 1;
	v >>= 1;
	if (kind < 85)
		return 16 + v % 1009;
	if (irq)
		return 1025 + v % 3072;
	if (kind < 98)
		return 1025 + v % (GOSLAB_MAX_SMALL_SIZE - 1024);
	return GOSLAB_MAX_SMALL_SIZE + 1 + v % (64 * 1024);
}

static struct conc_item *conc_make(struct conc_state *st, u64 *rng, gfp_t gfp,
				   bool irq)
{
	struct conc_item *it;
	bool noscan = false;
	u32 size = st->one_size ?: conc_size(rng, irq, &noscan);

	it = goslab_alloc(sizeof(*it), gfp);
	if (!it)
		return NULL;
	it->p = noscan ? goslab_alloc_noscan(size, gfp) : goslab_alloc(size, gfp);
	if (!it->p) {
		goslab_free(it);
		return NULL;
	}
	it->size = size;
	it->noscan = noscan;
	it->pat = 1 + conc_rand(rng) % 255;
	memset(it->p, it->pat, size);
	if (size >= sizeof(unsigned long))
		put_unaligned((unsigned long)it->p, (unsigned long *)it->p);
	return it;
}

/* Count the bytes of @it that are not what its maker wrote. */
static unsigned long conc_check(struct conc_item *it)
{
	unsigned long bad = 0, hdr = 0;
	u8 *p = it->p;
	u32 i;

	if (it->size >= sizeof(unsigned long)) {
		hdr = sizeof(unsigned long);
		if (get_unaligned((unsigned long *)p) != (unsigned long)p)
			bad += hdr;
	}
	if (memchr_inv(p + hdr, it->pat, it->size - hdr))
		for (i = hdr; i < it->size; i++)
			bad += p[i] != it->pat;
	return bad;
}

static void conc_verify(struct conc_state *st, struct conc_item *it)
{
	unsigned long bad = conc_check(it);

	if (bad) {
		atomic_long_add(bad, &st->corrupt);
		pr_err("goslab-test: %lu corrupted bytes in a %u-byte object at %px\n",
		       bad, it->size, it->p);
	}
}

static void conc_consume(struct conc_state *st, struct conc_item *it)
{
	conc_verify(st, it);
	goslab_free(it->p);
	goslab_free(it);
}

/* One-class mode: objects, then their items, in bulk runs. */
static void conc_free_bulk(void **objs, void **items, unsigned int n)
{
	goslab_free_bulk(n, objs);
	goslab_free_bulk(n, items);
}

/* Check and free everything sent to this CPU's kthread. */
static unsigned long conc_drain(struct conc_cpu *me)
{
	struct llist_node *n = llist_del_all(&me->inbox);
	void *objs[CONC_BULK], *items[CONC_BULK];
	struct conc_item *it, *tmp;
	unsigned long k = 0;
	unsigned int b = 0;

	llist_for_each_entry_safe(it, tmp, n, node) {
		k++;
		if (!me->st->one_size) {
			conc_consume(me->st, it);
			continue;
		}
		conc_verify(me->st, it);
		objs[b] = it->p;
		items[b++] = it;
		if (b == CONC_BULK) {
			conc_free_bulk(objs, items, b);
			b = 0;
		}
	}
	conc_free_bulk(objs, items, b);
	atomic_sub(k, &me->inflight);
	atomic_long_add(k, &me->st->frees);
	return k;
}

static enum hrtimer_restart conc_tick(struct hrtimer *t)
{
	struct conc_cpu *me = container_of(t, struct conc_cpu, timer);
	struct conc_state *st = me->st;
	struct llist_node *n = llist_del_all(&me->irq_inbox);
	struct conc_item *it, *tmp;
	unsigned long k = 0;
	int i;

	/* Objects from the other CPU, freed here in hard IRQ. */
	llist_for_each_entry_safe(it, tmp, n, node) {
		conc_consume(st, it);
		k++;
	}
	atomic_sub(k, &me->irq_pending);
	atomic_long_add(k, &st->irq_frees);
	atomic_long_add(k, &st->frees);

	/* Objects allocated here, checked and freed by the other CPU. */
	if (!READ_ONCE(me->stopping)) {
		for (i = 0; i < CONC_IRQ_ALLOCS; i++) {
			it = conc_make(st, &me->irq_rng, GFP_ATOMIC | __GFP_NOWARN,
				       true);
			if (!it) {
				atomic_long_inc(&st->irq_fails);
				continue;
			}
			atomic_long_inc(&st->irq_allocs);
			atomic_long_inc(&st->allocs);
			atomic_inc(&me->peer->inflight);
			llist_add(&it->node, &me->peer->inbox);
		}
	}
	hrtimer_forward_now(t, ns_to_ktime(CONC_TIMER_NS));
	return HRTIMER_RESTART;
}

/* Drain until @cond holds, sleeping a little when there is nothing. */
#define conc_wait(me, cond)					\
	do {							\
		while (!(cond))					\
			if (!conc_drain(me))			\
				usleep_range(50, 100);		\
	} while (0)

static int conc_thread(void *arg)
{
	struct conc_cpu *me = arg, *peer = me->peer;
	struct conc_state *st = me->st;
	struct conc_item *it;
	int i;

	hrtimer_init(&me->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	me->timer.function = conc_tick;
	hrtimer_start(&me->timer, ns_to_ktime(CONC_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);

	for (i = 0; i < CONC_ITERS; i++) {
		it = conc_make(st, &me->rng, GFP_KERNEL, false);
		if (!it) {
			atomic_long_inc(&st->fails);
		} else {
			atomic_long_inc(&st->allocs);
			/* Some small ones go to the other CPU's hard IRQ. */
			if (!(i & 7) && it->size <= 1024 &&
			    atomic_read(&peer->irq_pending) < CONC_MAX_IRQ_PENDING) {
				atomic_inc(&peer->irq_pending);
				llist_add(&it->node, &peer->irq_inbox);
			} else {
				atomic_inc(&peer->inflight);
				llist_add(&it->node, &peer->inbox);
			}
		}
		conc_drain(me);
		conc_wait(me, atomic_read(&peer->inflight) < CONC_MAX_INFLIGHT);
		if (!(i & 63))
			cond_resched();
	}

	/* Producers done: no kthread sends any more. */
	smp_mb__before_atomic();
	atomic_inc(&st->producers_done);
	conc_wait(me, atomic_read(&st->producers_done) == 2);
	/* Then no hrtimer sends any more. */
	WRITE_ONCE(me->stopping, true);
	hrtimer_cancel(&me->timer);
	/* Its last llist_add happens before the count says it stopped. */
	smp_mb__before_atomic();
	atomic_inc(&st->timers_stopped);
	conc_wait(me, atomic_read(&st->timers_stopped) == 2);
	conc_drain(me);

	/* What the other CPU left for our (stopped) hrtimer. */
	{
		struct llist_node *n = llist_del_all(&me->irq_inbox);
		struct conc_item *tmp;
		unsigned long k = 0;

		llist_for_each_entry_safe(it, tmp, n, node) {
			conc_consume(st, it);
			k++;
		}
		atomic_sub(k, &me->irq_pending);
		atomic_long_add(k, &st->frees);
	}
	complete(&me->done);
	return 0;
}

/* Flush every cache, return every free page, and count what is left. */
static void conc_settle(unsigned long *inuse, unsigned long *owned)
{
	struct mheap_totals t;
	int node;

	mcache_flush_all();
	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node), 0);
	mheap_totals(&t);
	*inuse = t.inuse;
	*owned = t.owned;
}

/* Mixed sizes, or (param 1000) one 1 KiB class with bulk frees. */
static const u32 conc_modes[] = { 0, 1000 };

static void conc_mode_desc(const u32 *m, char *desc)
{
	if (*m)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u bytes, bulk frees", *m);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "mixed sizes");
}

KUNIT_ARRAY_PARAM(conc_modes, conc_modes, conc_mode_desc);

static void concurrency_cross_cpu_test(struct kunit *test)
{
	unsigned long inuse0, owned0, inuse1, owned1;
	struct conc_state *st;
	int cpus[2], i;

	gs_test_two_cpus(test, cpus);

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->one_size = *(const u32 *)test->param_value;
	conc_settle(&inuse0, &owned0);

	for (i = 0; i < 2; i++) {
		struct conc_cpu *c = &st->c[i];

		c->st = st;
		c->peer = &st->c[1 - i];
		c->cpu = cpus[i];
		c->rng = 0x9e3779b97f4a7c15ULL * (i + 1);
		c->irq_rng = 0xd1b54a32d192ed03ULL * (i + 3);
		init_llist_head(&c->inbox);
		init_llist_head(&c->irq_inbox);
		init_completion(&c->done);
	}
	if (!gs_test_start_pair(test, conc_thread, &st->c[0], &st->c[1], cpus,
				"goslab-conc"))
		return;
	for (i = 0; i < 2; i++)
		wait_for_completion(&st->c[i].done);

	kunit_info(test, "%ld objects (%ld from hard IRQ, %ld freed there), %ld atomic failures",
		   atomic_long_read(&st->allocs), atomic_long_read(&st->irq_allocs),
		   atomic_long_read(&st->irq_frees),
		   atomic_long_read(&st->irq_fails));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->corrupt), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->fails), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->allocs),
			atomic_long_read(&st->frees));
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->irq_allocs), 0L);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&st->c[i].inflight), 0);
		KUNIT_EXPECT_EQ(test, atomic_read(&st->c[i].irq_pending), 0);
		KUNIT_EXPECT_TRUE(test, llist_empty(&st->c[i].inbox));
		KUNIT_EXPECT_TRUE(test, llist_empty(&st->c[i].irq_inbox));
	}

	/* Every page goslab took for the test is back. */
	conc_settle(&inuse1, &owned1);
	KUNIT_EXPECT_EQ(test, inuse1, inuse0);
	KUNIT_EXPECT_EQ(test, owned1, owned0);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static struct kunit_case goslab_concurrency_cases[] = {
	KUNIT_CASE_PARAM(concurrency_cross_cpu_test, conc_modes_gen_params),
	{}
};

static struct kunit_suite goslab_concurrency_suite = {
	.name = "goslab_concurrency",
	.test_cases = goslab_concurrency_cases,
};

kunit_test_suite(goslab_concurrency_suite);
