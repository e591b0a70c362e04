// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's RCU frees (goslab/rcufree.c): an object freed
 * with goslab_free_rcu() or goslab_free_rcu_mightsleep() stays intact for
 * a reader inside rcu_read_lock() until it leaves; goslab_rcu_barrier()
 * returns only when every queued object is freed; objects are batched a
 * block to a grace period; bad pointers are reported; under KASAN the
 * object is poisoned only once freed.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#ifdef CONFIG_KASAN_GENERIC
#include <linux/tracepoint.h>
#include <trace/events/error_report.h>
#endif

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mcache.h"
#include "../goslab/report.h"
#include "../goslab/rcufree.h"
#include "../goslab/debugfs.h"
#include "../goslab/debug.h"
#include "gs_test.h"

struct rf_obj {
	struct rcu_head rcu;
	u8 data[100];
};

struct rf_count {
	long queued, freed, blocks, timed, single;
};

static void rf_count(struct rf_count *c)
{
	c->queued = atomic_long_read(&rcufree_stats.queued);
	c->freed = atomic_long_read(&rcufree_stats.freed);
	c->blocks = atomic_long_read(&rcufree_stats.blocks);
	c->timed = atomic_long_read(&rcufree_stats.timed);
	c->single = atomic_long_read(&rcufree_stats.single);
}

/* The reader of rf_reader_test() and what it saw. */
struct rf_reader {
	struct rf_obj *obj;	/* pattern 0x3c */
	u8 *bare;		/* 200 bytes, pattern 0x5d, head-less */
	atomic_t inside;	/* set once in its read-side section */
	atomic_t freed;		/* set once both frees are queued */
	atomic_t stop;
	unsigned long checks;	/* checks after the frees were queued */
	unsigned long bad;	/* bytes found changed */
	struct completion done;
};

static int rf_reader_fn(void *arg)
{
	struct rf_reader *r = arg;
	u64 end = ktime_get_ns() + 10 * NSEC_PER_SEC;

	rcu_read_lock();
	atomic_set(&r->inside, 1);
	/* Bounded (10 s), should the test never stop it. */
	while (!atomic_read(&r->stop) && ktime_get_ns() < end) {
		bool after = atomic_read(&r->freed);

		if (memchr_inv(r->obj->data, 0x3c, sizeof(r->obj->data)))
			r->bad++;
		if (memchr_inv(r->bare, 0x5d, 200))
			r->bad++;
		if (after)
			r->checks++;
		cpu_relax();
	}
	rcu_read_unlock();
	complete(&r->done);
	return 0;
}

struct rf_barrier {
	struct work_struct work;
	atomic_t done;
};

static void rf_barrier_fn(struct work_struct *work)
{
	struct rf_barrier *b = container_of(work, struct rf_barrier, work);

	goslab_rcu_barrier();
	atomic_set(&b->done, 1);
}

/*
 * A reader on another CPU enters rcu_read_lock(); both objects are then
 * freed by RCU and a barrier is started.  While the reader stays inside,
 * the barrier does not return, both objects are live and the reader finds
 * every byte as written; once it leaves, the barrier returns and both are
 * freed, each exactly once.
 */
static void rf_reader_test(struct kunit *test)
{
	struct rf_reader *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct rf_barrier b = { .done = ATOMIC_INIT(0) };
	struct task_struct *t;
	struct rf_count c0, c1;
	int cpus[2], i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs: the reader spins");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])),
			0);
	r->obj = goslab_alloc(sizeof(*r->obj), GFP_KERNEL);
	r->bare = goslab_alloc(200, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r->obj && r->bare);
	memset(r->obj->data, 0x3c, sizeof(r->obj->data));
	memset(r->bare, 0x5d, 200);
	init_completion(&r->done);
	goslab_rcu_barrier();
	rf_count(&c0);

	t = kthread_create(rf_reader_fn, r, "goslab-rcu-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpus[1]);
	wake_up_process(t);
	while (!atomic_read(&r->inside))
		usleep_range(1000, 2000);

	goslab_free_rcu(r->obj, rcu);
	goslab_free_rcu_mightsleep(r->bare);
	atomic_set(&r->freed, 1);
	INIT_WORK_ONSTACK(&b.work, rf_barrier_fn);
	queue_work(system_unbound_wq, &b.work);
	for (i = 0; i < 10; i++) {
		msleep(20);
		KUNIT_EXPECT_FALSE_MSG(test, atomic_read(&b.done),
				       "barrier returned under a reader");
		KUNIT_EXPECT_TRUE(test, goslab_owns(r->obj));
		KUNIT_EXPECT_TRUE(test, goslab_owns(r->bare));
	}
	atomic_set(&r->stop, 1);
	wait_for_completion(&r->done);
	flush_work(&b.work);
	destroy_work_on_stack(&b.work);

	KUNIT_EXPECT_GT(test, r->checks, 0UL);
	KUNIT_EXPECT_EQ(test, r->bad, 0UL);
	KUNIT_EXPECT_TRUE(test, atomic_read(&b.done));
	KUNIT_EXPECT_FALSE(test, goslab_owns(r->obj));
	KUNIT_EXPECT_FALSE(test, goslab_owns(r->bare));
	/*
	 * Debug mode (goslab.debug=P on the command line: no static key
	 * flip here) poisons at the free itself, so only now.
	 */
	if (gs_debug_on() && (gs_debug_flags & GS_DEBUG_POISON)) {
		kunit_info(test, "debug mode: poisoned only after the grace period");
		KUNIT_EXPECT_NULL(test, gs_test_memchr_inv(r->bare, POISON_FREE,
							   200));
	}
	rf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.queued - c0.queued, 2L);
	KUNIT_EXPECT_EQ(test, c1.freed - c0.freed, 2L);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/* Frees from hard IRQ context, as kfree_rcu() may be called there. */
struct rf_irq {
	struct irq_work work;
	struct rf_obj *obj[4];
};

static void rf_irq_fn(struct irq_work *work)
{
	struct rf_irq *d = container_of(work, struct rf_irq, work);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->obj); i++)
		goslab_free_rcu(d->obj[i], rcu);
}

#define RF_MANY	(2 * RCUFREE_BLOCK_ENTRIES + 7)

/*
 * Over two blocks' worth of objects from one CPU, and four from a hard
 * interrupt: after goslab_rcu_barrier() every one is freed, none waited
 * alone, and they took one grace period a block, not one an object: at
 * most the full blocks, the barrier's partial one on each CPU, and any
 * the timer sent early.
 */
static void rf_batch_test(struct kunit *test)
{
	struct rf_obj **p = kunit_kcalloc(test, RF_MANY, sizeof(*p), GFP_KERNEL);
	struct rf_irq *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct mcache_stats *s0 = kunit_kzalloc(test, sizeof(*s0), GFP_KERNEL);
	struct mcache_stats *s1 = kunit_kzalloc(test, sizeof(*s1), GFP_KERNEL);
	struct rf_count c0, c1;
	unsigned int i, spc;
	long n = RF_MANY + ARRAY_SIZE(d->obj);

	KUNIT_ASSERT_TRUE(test, p && d && s0 && s1);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
						   cpumask_of(raw_smp_processor_id())),
			0);
	for (i = 0; i < RF_MANY; i++) {
		p[i] = goslab_alloc(sizeof(**p), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < ARRAY_SIZE(d->obj); i++) {
		d->obj[i] = goslab_alloc(sizeof(**p), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, d->obj[i]);
	}
	spc = span_of((unsigned long)p[0])->spanclass;
	goslab_rcu_barrier();
	mcache_flush_all();
	mcache_sum_stats(s0);
	rf_count(&c0);

	for (i = 0; i < RF_MANY; i++)
		goslab_free_rcu(p[i], rcu);
	d->work = IRQ_WORK_INIT_HARD(rf_irq_fn);
	irq_work_queue(&d->work);
	irq_work_sync(&d->work);
	goslab_rcu_barrier();

	rf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.queued - c0.queued, n);
	KUNIT_EXPECT_EQ(test, c1.freed - c0.freed, n);
	KUNIT_EXPECT_EQ(test, c1.single - c0.single, 0L);
	KUNIT_EXPECT_GE(test, c1.blocks - c0.blocks, 3L);
	KUNIT_EXPECT_LE(test, c1.blocks - c0.blocks,
			(long)(RF_MANY / RCUFREE_BLOCK_ENTRIES) +
			(long)num_possible_cpus() + (c1.timed - c0.timed));
	for (i = 0; i < RF_MANY; i++)
		if (goslab_owns(p[i]))
			break;
	KUNIT_EXPECT_EQ(test, i, (unsigned int)RF_MANY);
	for (i = 0; i < ARRAY_SIZE(d->obj); i++)
		KUNIT_EXPECT_FALSE(test, goslab_owns(d->obj[i]));
	mcache_sum_stats(s1);
	KUNIT_EXPECT_EQ(test, (long)(s1->nfree[spc] - s0->nfree[spc]), n);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * A pointer that is not a live goslab object is reported when it is
 * handed in, naming the caller's mistake then, and is not queued.  An
 * object handed in twice is queued twice (both were live) and its second
 * free is reported as a double free, not done.
 */
static void rf_bad_test(struct kunit *test)
{
	struct rf_obj *k = kmalloc(sizeof(*k), GFP_KERNEL), *g;
	struct report_record r0, r;
	struct rf_count c0, c1;

	KUNIT_ASSERT_NOT_NULL(test, k);
	g = goslab_alloc(sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	goslab_rcu_barrier();
	rf_count(&c0);
	report_get_last(&r0);
	pr_info("goslab-test: expect-report begin\n");
	goslab_free_rcu(k, rcu);
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - r0.seq, 1UL);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)k);
	KUNIT_EXPECT_EQ(test, r.why, REPORT_NOT_OWNED);
	goslab_free_rcu_mightsleep(k);
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - r0.seq, 2UL);
	rf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.queued - c0.queued, 0L);

	goslab_free_rcu(g, rcu);
	goslab_free_rcu_mightsleep(g);
	goslab_rcu_barrier();
	pr_info("goslab-test: expect-report end\n");
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - r0.seq, 3UL);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)g);
	KUNIT_EXPECT_EQ(test, r.why, REPORT_NOT_ALLOCATED);
	KUNIT_EXPECT_FALSE(test, goslab_owns(g));
	rf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.queued - c0.queued, 2L);
	KUNIT_EXPECT_EQ(test, c1.freed - c0.freed, 2L);
	goslab_free_rcu((struct rf_obj *)NULL, rcu);
	goslab_free_rcu_mightsleep(NULL);
	kfree(k);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

#ifdef CONFIG_KASAN_GENERIC

static atomic_t rf_kasan_reports;
static unsigned long rf_kasan_addr;

static void rf_probe(void *ignore, enum error_detector detector,
		     unsigned long id)
{
	if (detector == ERROR_DETECTOR_KASAN) {
		WRITE_ONCE(rf_kasan_addr, id);
		atomic_inc(&rf_kasan_reports);
	}
}

struct rf_access {
	struct work_struct work;
	u8 *p;
};

static void rf_access_fn(struct work_struct *work)
{
	(void)READ_ONCE(*container_of(work, struct rf_access, work)->p);
}

/* Read @p from a worker, so a KASAN report does not fail this case. */
static void rf_read(u8 *p)
{
	struct rf_access a = { .p = p };

	INIT_WORK_ONSTACK(&a.work, rf_access_fn);
	queue_work(system_unbound_wq, &a.work);
	flush_work(&a.work);
	destroy_work_on_stack(&a.work);
}

/*
 * Under KASAN an object queued for an RCU free is still addressable (no
 * report on a read), and a read after its grace period, once the
 * barrier has returned, is one report at the object.
 */
static void rf_kasan_test(struct kunit *test)
{
	struct rf_obj *g = goslab_alloc(sizeof(*g), GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, g);
	p = g->data;
	atomic_set(&rf_kasan_reports, 0);
	KUNIT_ASSERT_EQ(test, register_trace_error_report_end(rf_probe, NULL), 0);
	rcu_read_lock();
	goslab_free_rcu(g, rcu);
	rcu_read_unlock();
	rf_read(p);
	KUNIT_EXPECT_EQ(test, atomic_read(&rf_kasan_reports), 0);
	goslab_rcu_barrier();
	pr_info("goslab-test: expect-report begin\n");
	rf_read(p);
	pr_info("goslab-test: expect-report end\n");
	unregister_trace_error_report_end(rf_probe, NULL);
	tracepoint_synchronize_unregister();
	KUNIT_EXPECT_EQ(test, atomic_read(&rf_kasan_reports), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(rf_kasan_addr), (unsigned long)p);
	mcache_flush_all();
}

#else

static void rf_kasan_test(struct kunit *test)
{
	kunit_skip(test, "no CONFIG_KASAN_GENERIC");
}

#endif /* CONFIG_KASAN_GENERIC */

static struct kunit_case goslab_rcufree_cases[] = {
	KUNIT_CASE(rf_reader_test),
	KUNIT_CASE(rf_batch_test),
	KUNIT_CASE(rf_bad_test),
	KUNIT_CASE(rf_kasan_test),
	{}
};

static struct kunit_suite goslab_rcufree_suite = {
	.name = "goslab_rcufree",
	.test_cases = goslab_rcufree_cases,
};

kunit_test_suite(goslab_rcufree_suite);
