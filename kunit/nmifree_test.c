// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for frees from NMI context (goslab/nmifree.c).  KUnit
 * cannot raise an NMI portably, so export_nmi_enter() puts the CPU in
 * the state goslab sees in an NMI (in_nmi(), interrupts off) at a moment
 * the test chooses: inside a hard interrupt that is in the middle of
 * using its mcache, which is what a real NMI may interrupt.  Each case
 * pins itself to its CPU and starts from mcache_flush_all().
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mcache.h"
#include "../goslab/report.h"
#include "../goslab/nmifree.h"
#include "../goslab/debugfs.h"
#include "../goslab/export_test.h"
#include "gs_test.h"

static void nf_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
	/* The cases expect this CPU's mcache to cache the spans. */
	gs_test_no_share(test);
}

/* Counters of nmifree_stats, read at once. */
struct nf_count {
	long deferred, done, dropped;
};

static void nf_count(struct nf_count *c)
{
	c->deferred = atomic_long_read(&nmifree_stats.deferred);
	c->done = atomic_long_read(&nmifree_stats.done);
	c->dropped = atomic_long_read(&nmifree_stats.dropped);
}

/*
 * What the hard interrupt of nf_interleave_test() does and finds.  The
 * objects come from task context, so the interrupt's frees of them are
 * remote frees to spans its mcache does not cache.
 */
struct nf_irq {
	struct irq_work work;
	/* In: allocated by the task. */
	void *remote;		/* freed by the interrupt, then again in NMI */
	void *other;		/* 512 bytes, another span: a new batch */
	void *large;
	void *shared;		/* a mid class, 5000 bytes */
	void *tiny;
	/* Out. */
	void *own;		/* allocated by the interrupt, freed in NMI */
	void *reused;		/* the second run: the next 256-byte object */
	bool changed[GS_MCACHE_LEVELS];	/* an mcache changed in NMI */
	bool rf_pending;	/* the interrupt's batch was open (rfspan) */
	bool live_in_nmi;	/* every object still live after the NMI */
	unsigned long reports;	/* reports made in NMI */
	bool second;
};

static struct mcache nf_snap[GS_MCACHE_LEVELS];

static void nf_irq_fn(struct irq_work *work)
{
	struct nf_irq *d = container_of(work, struct nf_irq, work);
	struct report_record r0, r1;
	unsigned int l;
	int cpu = smp_processor_id();

	if (d->second) {
		d->reused = goslab_alloc(256, GFP_ATOMIC);
		return;
	}
	d->own = goslab_alloc(256, GFP_ATOMIC);
	if (!d->own)
		return;
	/* Opens this interrupt's remote-free batch: rfspan and rfcount. */
	goslab_free(d->remote);
	d->rf_pending = !!mcache_of(cpu, GS_MCACHE_HARDIRQ)->rfspan;
	for (l = 0; l < GS_MCACHE_LEVELS; l++)
		nf_snap[l] = *mcache_of(cpu, l);
	report_get_last(&r0);

	/* An NMI comes now: every kind of free, two of them double frees. */
	export_nmi_enter();
	goslab_free(d->own);
	goslab_free(d->other);
	goslab_free(d->large);
	goslab_free(d->shared);
	goslab_free(d->tiny);
	goslab_free(d->remote);		/* freed above: reported later */
	goslab_free(d->own);		/* twice in NMI: reported later */
	export_nmi_exit();

	for (l = 0; l < GS_MCACHE_LEVELS; l++)
		d->changed[l] = memcmp(&nf_snap[l], mcache_of(cpu, l),
				       sizeof(nf_snap[l])) != 0;
	d->live_in_nmi = goslab_owns(d->own) && goslab_owns(d->other) &&
			 goslab_owns(d->large) && goslab_owns(d->shared) &&
			 goslab_owns(d->tiny);
	report_get_last(&r1);
	d->reports = r1.seq - r0.seq;
	/* The deferred frees run once this interrupt has returned. */
}

static void nf_run_irq(struct nf_irq *d)
{
	irq_work_queue(&d->work);
	irq_work_sync(&d->work);
}

/*
 * A free from NMI while a hard interrupt on the same CPU is in the middle
 * of using its mcache (its remote-free batch open, a span cached) changes
 * none of the CPU's three mcaches and frees nothing until the NMI is over;
 * then every object is freed by the ordinary path, the two double frees
 * are reported and not done, the counters add up, verify finds nothing
 * wrong, and the object the interrupt freed is the next it gets back.
 * Before the deferral, the NMI's frees went through the hard IRQ mcache
 * (its LIFO, its counters, its batch).
 */
static void nf_interleave_test(struct kunit *test)
{
	struct nf_irq *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct mcache_stats *s0 = kunit_kzalloc(test, sizeof(*s0), GFP_KERNEL);
	struct mcache_stats *s1 = kunit_kzalloc(test, sizeof(*s1), GFP_KERNEL);
	struct report_record r;
	struct nf_count c0, c1;
	unsigned int spc256, spc512, spcsh;
	unsigned long seq;

	KUNIT_ASSERT_TRUE(test, d && s0 && s1);
	nf_pin(test);
	mcache_flush_all();
	d->work = IRQ_WORK_INIT_HARD(nf_irq_fn);
	d->remote = goslab_alloc(256, GFP_KERNEL);
	d->other = goslab_alloc(512, GFP_KERNEL);
	d->large = goslab_alloc(40000, GFP_KERNEL);
	d->shared = goslab_alloc(5000, GFP_KERNEL);
	d->tiny = goslab_alloc_noscan(5, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d->remote && d->other && d->large &&
			  d->shared && d->tiny);
	spc256 = span_of((unsigned long)d->remote)->spanclass;
	spc512 = span_of((unsigned long)d->other)->spanclass;
	spcsh = span_of((unsigned long)d->shared)->spanclass;
	mcache_sum_stats(s0);
	nf_count(&c0);
	report_get_last(&r);
	seq = r.seq;

	pr_info("goslab-test: expect-report begin\n");
	nf_run_irq(d);
	nmifree_sync();
	pr_info("goslab-test: expect-report end\n");

	KUNIT_ASSERT_NOT_NULL(test, d->own);
	KUNIT_EXPECT_TRUE(test, d->rf_pending);
	KUNIT_EXPECT_FALSE_MSG(test, d->changed[GS_MCACHE_HARDIRQ],
			       "the hard IRQ mcache changed in NMI");
	KUNIT_EXPECT_FALSE(test, d->changed[GS_MCACHE_SOFTIRQ]);
	KUNIT_EXPECT_FALSE(test, d->changed[GS_MCACHE_TASK]);
	KUNIT_EXPECT_TRUE_MSG(test, d->live_in_nmi,
			      "an object was freed inside the NMI");
	KUNIT_EXPECT_EQ(test, d->reports, 0UL);

	/* After the NMI: all freed, the double frees reported. */
	KUNIT_EXPECT_FALSE(test, goslab_owns(d->own));
	KUNIT_EXPECT_FALSE(test, goslab_owns(d->other));
	KUNIT_EXPECT_FALSE(test, goslab_owns(d->large));
	KUNIT_EXPECT_FALSE(test, goslab_owns(d->shared));
	KUNIT_EXPECT_FALSE(test, goslab_owns(d->tiny));
	report_get_last(&r);
	KUNIT_EXPECT_EQ(test, r.seq - seq, 2UL);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)d->own);
	KUNIT_EXPECT_EQ(test, r.why, REPORT_NOT_ALLOCATED);
	nf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.deferred - c0.deferred, 7L);
	KUNIT_EXPECT_EQ(test, c1.done - c0.done, 7L);
	KUNIT_EXPECT_EQ(test, c1.dropped - c0.dropped, 0L);
	mcache_sum_stats(s1);
	/* remote by the interrupt, own after the NMI: each once. */
	KUNIT_EXPECT_EQ(test, s1->nmalloc[spc256] - s0->nmalloc[spc256], 1UL);
	KUNIT_EXPECT_EQ(test, s1->nfree[spc256] - s0->nfree[spc256], 2UL);
	KUNIT_EXPECT_EQ(test, s1->nfree[spc512] - s0->nfree[spc512], 1UL);
	KUNIT_EXPECT_EQ(test, s1->nfree[spcsh] - s0->nfree[spcsh], 1UL);
	KUNIT_EXPECT_EQ(test, s1->large_frees - s0->large_frees, 1UL);
	KUNIT_EXPECT_EQ(test, s1->tiny_frees - s0->tiny_frees, 1UL);

	/* The interrupt's own object is its next one, as any owner's free. */
	d->second = true;
	nf_run_irq(d);
	KUNIT_ASSERT_NOT_NULL(test, d->reused);
	if (!want_init_on_free())
		KUNIT_EXPECT_PTR_EQ(test, d->reused, d->own);
	goslab_free(d->reused);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

#define NF_MANY	200

/*
 * More frees from NMI than a CPU's table holds, before interrupts are on
 * again: the ones that do not fit are refused (counted, reported once
 * the NMI is over) and their objects stay live, never half freed; the
 * rest are freed.
 */
static void nf_full_test(struct kunit *test)
{
	void **p = kunit_kcalloc(test, NF_MANY, sizeof(*p), GFP_KERNEL);
	struct nf_count c0, c1;
	unsigned long flags, live = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	nf_pin(test);
	mcache_flush_all();
	for (i = 0; i < NF_MANY; i++) {
		p[i] = goslab_alloc(64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	nf_count(&c0);
	pr_info("goslab-test: expect-report begin\n");
	local_irq_save(flags);
	export_nmi_enter();
	for (i = 0; i < NF_MANY; i++)
		goslab_free(p[i]);
	export_nmi_exit();
	local_irq_restore(flags);
	nmifree_sync();
	pr_info("goslab-test: expect-report end\n");
	nf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.deferred - c0.deferred, (long)NF_MANY);
	KUNIT_EXPECT_GT(test, c1.dropped - c0.dropped, 0L);
	KUNIT_EXPECT_EQ(test, (c1.done - c0.done) + (c1.dropped - c0.dropped),
			(long)NF_MANY);
	for (i = 0; i < NF_MANY; i++) {
		if (goslab_owns(p[i])) {
			live++;
			goslab_free(p[i]);
		}
	}
	KUNIT_EXPECT_EQ(test, (long)live, c1.dropped - c0.dropped);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * The other frees of the API from NMI: goslab_free_sensitive() leaves the
 * object as it is until the free runs (then clears and frees it),
 * goslab_kfree() of a goslab object and goslab_free_bulk() are deferred
 * object by object, and NULL does nothing.
 */
static void nf_api_test(struct kunit *test)
{
	struct nf_count c0, c1;
	unsigned long flags;
	u8 *sens, *kf, *b[3];
	bool intact;
	unsigned int i;

	nf_pin(test);
	mcache_flush_all();
	sens = goslab_alloc(100, GFP_KERNEL);
	kf = goslab_alloc(300, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, sens && kf);
	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(128, GFP_KERNEL, 3, (void **)b),
			3);
	memset(sens, 0xa5, 100);
	nf_count(&c0);
	local_irq_save(flags);
	export_nmi_enter();
	goslab_free_sensitive(sens);
	goslab_kfree(kf);
	goslab_free_bulk(3, (void **)b);
	goslab_free(NULL);
	goslab_free_sensitive(NULL);
	export_nmi_exit();
	intact = !memchr_inv(sens, 0xa5, 100);
	local_irq_restore(flags);
	nmifree_sync();
	KUNIT_EXPECT_TRUE_MSG(test, intact, "cleared inside the NMI");
	nf_count(&c1);
	KUNIT_EXPECT_EQ(test, c1.deferred - c0.deferred, 5L);
	KUNIT_EXPECT_EQ(test, c1.done - c0.done, 5L);
	KUNIT_EXPECT_FALSE(test, goslab_owns(sens));
	KUNIT_EXPECT_FALSE(test, goslab_owns(kf));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE(test, goslab_owns(b[i]));
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static struct kunit_case goslab_nmifree_cases[] = {
	KUNIT_CASE(nf_interleave_test),
	KUNIT_CASE(nf_full_test),
	KUNIT_CASE(nf_api_test),
	{}
};

static struct kunit_suite goslab_nmifree_suite = {
	.name = "goslab_nmifree",
	.test_cases = goslab_nmifree_cases,
};

kunit_test_suite(goslab_nmifree_suite);
