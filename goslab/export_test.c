// SPDX-License-Identifier: GPL-2.0
/*
 * export_test: hooks for the KUnit suites (see export_test.h), linked only
 * into a kernel built with CONFIG_GOSLAB_KUNIT_TEST.  An observer: it may
 * use every layer.  report_get_last() is report.c's, under the same option.
 */
#include <linux/preempt.h>
#include <linux/hardirq.h>
#include <linux/lockdep.h>
#include <linux/nodemask.h>
#include <linux/slab.h>

#include "export_test.h"
#include "mcache.h"
#include "mcentral.h"
#include "arena.h"

/**
 * export_commit_remote - count the current context's batched frees now
 *
 * For tests that must see every free counted.
 */
void export_commit_remote(void)
{
	preempt_disable();
	mcache_commit_remote(mcache_this());
	preempt_enable();
}

/**
 * span_of_heap - Go's spanOfHeap: span_of(), but only an in-use span with
 *	@p inside its objects
 * @p: any address
 */
struct mspan *span_of_heap(unsigned long p)
{
	struct mspan *s = span_of(p);

	return span_holds(s, p) ? s : NULL;
}

/**
 * export_nmi_enter - this CPU is in NMI context as far as goslab can tell
 *
 * Interrupts off.  What nmi_enter() does that code running in the NMI
 * sees: in_nmi() and the hard IRQ count in preempt_count(), lockdep off.
 * KUnit cannot raise an NMI portably; with this a test takes goslab's
 * NMI route (nmifree.c) at a moment of its choosing, on top of whatever
 * this CPU's caches are in the middle of.
 */
void export_nmi_enter(void)
{
	lockdep_assert_irqs_disabled();
	__nmi_enter();
}

/**
 * export_nmi_exit - leave what export_nmi_enter() entered
 */
void export_nmi_exit(void)
{
	__nmi_exit();
}

/**
 * export_set_share - set a class's sharing budget (mcentral_shares())
 * @c: the class's central list on one node
 * @objs: objects its refills take one by one per idle period; 0: every
 *	refill caches a span, as before a class shared
 *
 * For cases that test what a cached span does, and the sharing itself.
 * Return: the budget it had, for the case to restore.
 */
unsigned int export_set_share(struct mcentral *c, unsigned int objs)
{
	unsigned long flags;
	unsigned int old;

	spin_lock_irqsave(&c->lock, flags);
	old = c->share_objs;
	WRITE_ONCE(c->share_objs, objs);
	WRITE_ONCE(c->share_left, objs);
	spin_unlock_irqrestore(&c->lock, flags);
	return old;
}

/**
 * export_share_off - no class of any node shares its spans
 *
 * For cases about what a cached span does (the owner's LIFO, refills,
 * per-class counts): every refill caches a span again.
 * Return: the budgets to give export_share_restore(), or NULL.
 */
unsigned int *export_share_off(void)
{
	unsigned int *saved;
	int node, i;

	saved = kcalloc(MAX_NUMNODES * GOSLAB_NUM_SPAN_CLASSES,
			sizeof(*saved), GFP_KERNEL);
	if (!saved)
		return NULL;
	for_each_node(node)
		for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++)
			saved[node * GOSLAB_NUM_SPAN_CLASSES + i] =
				export_set_share(mcentral_of(node, i), 0);
	return saved;
}

/**
 * export_share_restore - the budgets export_share_off() took, back
 * @saved: its answer, freed here
 */
void export_share_restore(void *saved)
{
	unsigned int *b = saved;
	int node, i;

	for_each_node(node)
		for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++)
			export_set_share(mcentral_of(node, i),
					 b[node * GOSLAB_NUM_SPAN_CLASSES + i]);
	kfree(b);
}
