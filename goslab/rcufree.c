// SPDX-License-Identifier: GPL-2.0
/*
 * rcufree: goslab_free_rcu(), goslab_free_rcu_mightsleep() and
 * goslab_rcu_barrier(), kfree_rcu()'s counterparts for goslab's objects.
 * Go has none: its collector frees what no reader can reach.  Part of the
 * API layer: it calls mfree.c's frees and the leaves; module.c calls it.
 *
 * The batching is kvfree_rcu()'s: each CPU fills a page-sized block with
 * pointers, and a block waits for one grace period (queue_rcu_work()),
 * after which a worker frees all of it with goslab_free_bulk(), whose
 * runs of one span cost one lookup and one count.  A block is handed to
 * RCU when it is full, or RCUFREE_DRAIN_JIFFIES after its first pointer.
 * The object is not touched until then: no poison, no KASAN marking, no
 * link through it, so a reader still inside rcu_read_lock() finds it
 * intact, and debug mode and KASAN see the free when it happens.  Only
 * when no block can be had does an object wait on its own: call_rcu() on
 * its rcu_head, or, for the head-less form, which may sleep,
 * synchronize_rcu() and the free in place.
 */
#include <linux/gfp.h>
#include <linux/hardirq.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/export.h>

#include <goslab.h>
#include "malloc.h"
#include "rcufree.h"
#include "arena.h"
#include "mspan.h"

/*
 * How long a block may collect before its grace period starts.
 * kvfree_rcu() waits up to 5 s; goslab's frees give whole spans back, and
 * a pointer waiting in a block keeps its span, so it waits 1 s at most.
 */
#define RCUFREE_DRAIN_JIFFIES	HZ

struct rcufree_cpu {
	spinlock_t lock;		/* @cur, @monitor_on */
	struct rcufree_block *cur;	/* filling, or NULL */
	struct delayed_work monitor;	/* submits @cur after a while */
	bool monitor_on;
};

struct rcufree_stats rcufree_stats;

static struct rcufree_cpu __percpu *rcufree_cpus;
/* The blocks' workers and the monitors: flushed at the barrier. */
static struct workqueue_struct *rcufree_wq;

/* After a grace period: free every pointer of the block, then the block. */
static void rcufree_block_work(struct work_struct *work)
{
	struct rcufree_block *b = container_of(to_rcu_work(work),
					       struct rcufree_block, rwork);
	unsigned long nr = b->nr;

	goslab_free_bulk(nr, b->ptrs);
	free_page((unsigned long)b);
	atomic_long_add(nr, &rcufree_stats.freed);
}

/* Start @b's grace period; the caller holds its CPU's lock. */
static void rcufree_submit(struct rcufree_block *b)
{
	INIT_RCU_WORK(&b->rwork, rcufree_block_work);
	queue_rcu_work(rcufree_wq, &b->rwork);
	atomic_long_inc(&rcufree_stats.blocks);
}

/* Submit @rc's block, if it has one; @timer: for the monitor. */
static void rcufree_flush_cpu(struct rcufree_cpu *rc, bool timer)
{
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	if (timer)
		rc->monitor_on = false;
	if (rc->cur) {
		rcufree_submit(rc->cur);
		rc->cur = NULL;
		if (timer)
			atomic_long_inc(&rcufree_stats.timed);
	}
	spin_unlock_irqrestore(&rc->lock, flags);
}

static void rcufree_monitor(struct work_struct *work)
{
	rcufree_flush_cpu(container_of(to_delayed_work(work),
				       struct rcufree_cpu, monitor), true);
}

/*
 * Put @p in this CPU's block, taking a new block with @gfp when there is
 * none.  The page is taken outside the lock; another CPU's block may be
 * the one that gets it after a migration, and a block that is not needed
 * after all goes back.  Return: false if no block could be had.
 */
static bool rcufree_add(void *p, gfp_t gfp)
{
	struct rcufree_block *fresh = NULL, *b;
	struct rcufree_cpu *rc;
	unsigned long flags;

	for (;;) {
		local_irq_save(flags);
		rc = this_cpu_ptr(rcufree_cpus);
		spin_lock(&rc->lock);
		b = rc->cur;
		if (!b && fresh) {
			b = fresh;
			b->nr = 0;
			rc->cur = b;
			fresh = NULL;
		}
		if (b)
			break;
		spin_unlock_irqrestore(&rc->lock, flags);
		fresh = (void *)__get_free_page(gfp | __GFP_NOWARN);
		if (!fresh)
			return false;
	}
	b->ptrs[b->nr++] = p;
	atomic_long_inc(&rcufree_stats.queued);
	if (b->nr == RCUFREE_BLOCK_ENTRIES) {
		rc->cur = NULL;
		rcufree_submit(b);
	} else if (!rc->monitor_on) {
		rc->monitor_on = true;
		queue_delayed_work(rcufree_wq, &rc->monitor,
				   RCUFREE_DRAIN_JIFFIES);
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	if (fresh)
		free_page((unsigned long)fresh);
	return true;
}

/*
 * An object that waited alone on its rcu_head: its start is found from
 * the head, which lies inside it (rcu_head is 16 bytes, so the object is
 * never a tiny one).
 */
static void rcufree_head_cb(struct rcu_head *head)
{
	unsigned long a = (unsigned long)head;
	struct mspan *s = span_of(a);

	mfree_free((void *)mspan_obj_addr(s, mspan_obj_index(s, a)),
		   _RET_IP_, gs_debug_read());
	atomic_long_inc(&rcufree_stats.freed);
}

/**
 * __goslab_free_rcu - goslab_free_rcu()'s function
 * @head: the rcu_head inside @ptr
 * @ptr: the object
 *
 * A pointer that is not a live object is reported now, naming the
 * caller, and nothing is queued.  NMI code may not use it, as it may not
 * use kfree_rcu(): the block's lock may be held under it.  Refused, loudly.
 */
void __goslab_free_rcu(struct rcu_head *head, void *ptr)
{
	if (WARN_ON_ONCE(in_nmi()))
		return;
	if (!mfree_check(ptr, _RET_IP_))
		return;
	if (rcufree_add(ptr, GFP_NOWAIT))
		return;
	atomic_long_inc(&rcufree_stats.queued);
	atomic_long_inc(&rcufree_stats.single);
	call_rcu(head, rcufree_head_cb);
}
EXPORT_SYMBOL_GPL(__goslab_free_rcu);

/**
 * goslab_free_rcu_mightsleep - free an object after a grace period, no
 *	rcu_head needed
 * @ptr: the object; NULL does nothing
 *
 * May sleep: when no block can be had it waits for the grace period
 * itself (synchronize_rcu()) and frees @ptr in place.
 */
void goslab_free_rcu_mightsleep(void *ptr)
{
	might_sleep();
	if (!ptr || !mfree_check(ptr, _RET_IP_))
		return;
	if (rcufree_add(ptr, GFP_KERNEL | __GFP_NORETRY | __GFP_NOMEMALLOC))
		return;
	atomic_long_inc(&rcufree_stats.queued);
	atomic_long_inc(&rcufree_stats.single);
	synchronize_rcu();
	mfree_free(ptr, _RET_IP_, gs_debug_read());
	atomic_long_inc(&rcufree_stats.freed);
}
EXPORT_SYMBOL_GPL(goslab_free_rcu_mightsleep);

/**
 * goslab_rcu_barrier - wait for every RCU free queued so far
 *
 * Every CPU's block starts its grace period now; rcu_barrier() then
 * waits for those and for the objects that wait on their own rcu_head,
 * and the flush for the workers that free the blocks.
 */
void goslab_rcu_barrier(void)
{
	int cpu;

	might_sleep();
	for_each_possible_cpu(cpu)
		rcufree_flush_cpu(per_cpu_ptr(rcufree_cpus, cpu), false);
	rcu_barrier();
	flush_workqueue(rcufree_wq);
}
EXPORT_SYMBOL_GPL(goslab_rcu_barrier);

/**
 * rcufree_cpu_dead - start the grace period of a dead CPU's block
 * @cpu: the CPU, no longer running
 */
void rcufree_cpu_dead(unsigned int cpu)
{
	rcufree_flush_cpu(per_cpu_ptr(rcufree_cpus, cpu), false);
}

int rcufree_init(void)
{
	int cpu;

	rcufree_cpus = alloc_percpu(struct rcufree_cpu);
	if (!rcufree_cpus)
		return -ENOMEM;
	/* Its workers free memory: a rescuer, for progress under pressure. */
	rcufree_wq = alloc_workqueue("goslab_rcu", WQ_MEM_RECLAIM, 0);
	if (!rcufree_wq) {
		free_percpu(rcufree_cpus);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct rcufree_cpu *rc = per_cpu_ptr(rcufree_cpus, cpu);

		spin_lock_init(&rc->lock);
		INIT_DELAYED_WORK(&rc->monitor, rcufree_monitor);
	}
	return 0;
}

/* Unload: every RCU free done before the heap goes. */
void rcufree_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cancel_delayed_work_sync(&per_cpu_ptr(rcufree_cpus, cpu)->monitor);
	goslab_rcu_barrier();
	destroy_workqueue(rcufree_wq);
	free_percpu(rcufree_cpus);
}
