// SPDX-License-Identifier: GPL-2.0
/*
 * nmifree: frees asked for in NMI context.  An NMI may interrupt goslab
 * anywhere on its CPU: in the middle of an mcache update (the hardirq
 * mcache's as much as the others', between setting rfspan and rfcount,
 * say) or with a central or heap lock held.  A free from NMI therefore
 * touches none of them, and not the object either: it records the
 * pointer, its caller and what to do in a per-CPU table, and an irq_work
 * hands each recorded pointer to the ordinary free (mfree.c) in hard IRQ
 * context, with every check and hook, once the NMI has returned and
 * interrupts are on.  SLUB's kfree_nolock() defers the same way.  Part
 * of the API layer: it calls mfree.c's frees, and only mfree.c and the
 * observers call it.  malloc.c's overview walks the free paths.
 *
 * The table holds pointers rather than linking the objects through
 * their first word, as kfree_nolock() does: a tiny object may be one
 * byte at any offset of its block, too small and too unaligned for a
 * link, and a pointer freed twice from NMI would link an object into a
 * list twice, a cycle.  In the table a second entry for one object is
 * just a second free, which the ordinary path reports as a double free.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/percpu.h>

#include "malloc.h"
#include "nmifree.h"
#include "report.h"

/*
 * Frees one CPU's NMIs may ask for before its irq_work runs, which is as
 * soon as interrupts are on again there: an NMI that frees a few objects
 * would need to come hundreds of times within one interrupts-off section
 * to fill it.  A full table refuses the free: the object is leaked and
 * reported (nmifree_report_dropped()), never half freed.
 */
#define NMIFREE_SLOTS	128

/* A slot's pointer while the NMI that took the slot is filling it. */
#define NMIFREE_BUSY	1UL

struct nmifree_slot {
	unsigned long p;	/* the pointer, 0 for an empty slot */
	unsigned long caller;	/* the call site the free's reports name */
	unsigned long op;	/* enum nmifree_op */
};

struct nmifree_cpu {
	struct irq_work work;
	atomic_long_t dropped;	/* refused since the last drain */
	struct nmifree_slot slot[NMIFREE_SLOTS];
};

struct nmifree_stats nmifree_stats;

/* Dynamic per-CPU memory, as the mcaches: too big for the static reserve. */
static struct nmifree_cpu __percpu *nmifree_cpus;

/*
 * Free what @nc holds.  Run by @nc's CPU in hard IRQ context (its
 * irq_work), where the only thing that can interrupt it is an NMI adding
 * to the table; or for a dead CPU, or at unload, by another CPU when
 * nothing adds any more.  A slot is emptied before its free runs, so an
 * NMI during the free finds room.
 */
static void nmifree_drain(struct nmifree_cpu *nc)
{
	unsigned long n;
	unsigned int i;

	for (i = 0; i < NMIFREE_SLOTS; i++) {
		struct nmifree_slot *sl = &nc->slot[i];
		unsigned long caller, op, p;

		/* Pairs with nmifree_defer()'s release: @caller and @op are set. */
		p = smp_load_acquire(&sl->p);
		if (p <= NMIFREE_BUSY)
			continue;
		caller = sl->caller;
		op = sl->op;
		/* Read before an NMI may take the slot again. */
		smp_store_release(&sl->p, 0);
		if (op == NMIFREE_SENSITIVE)
			mfree_free_sensitive((void *)p, caller);
		else
			mfree_free((void *)p, caller, gs_debug_read());
		atomic_long_inc(&nmifree_stats.done);
	}
	n = atomic_long_xchg(&nc->dropped, 0);
	if (n)
		report_nmi_dropped(n);
}

static void nmifree_work(struct irq_work *work)
{
	nmifree_drain(container_of(work, struct nmifree_cpu, work));
}

/**
 * nmifree_defer - free @p once this NMI is over
 * @p: the pointer, not NULL or ZERO_SIZE_PTR; not looked at here
 * @caller: the call site the free's reports will name
 * @op: which free
 *
 * NMI context only.  Lock-free: one cmpxchg on this CPU's table (NMIs
 * may nest), then irq_work_queue(), which NMI code may call.
 */
void nmifree_defer(const void *p, unsigned long caller, enum nmifree_op op)
{
	struct nmifree_cpu *nc = this_cpu_ptr(nmifree_cpus);
	unsigned int i;

	atomic_long_inc(&nmifree_stats.deferred);
	for (i = 0; i < NMIFREE_SLOTS; i++) {
		struct nmifree_slot *sl = &nc->slot[i];

		if (READ_ONCE(sl->p) ||
		    cmpxchg(&sl->p, 0, NMIFREE_BUSY) != 0)
			continue;
		sl->caller = caller;
		sl->op = op;
		/* @caller and @op before the pointer that says they are set. */
		smp_store_release(&sl->p, (unsigned long)p);
		break;
	}
	if (i == NMIFREE_SLOTS) {
		atomic_long_inc(&nc->dropped);
		atomic_long_inc(&nmifree_stats.dropped);
	}
	irq_work_queue(&nc->work);
}

/**
 * nmifree_sync - wait until every free deferred so far has run
 *
 * Task context.  A CPU's irq_work runs on that CPU; an NMI that records
 * a free while the work is draining queues it again, and irq_work_sync()
 * waits for that run too.
 */
void nmifree_sync(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(&per_cpu_ptr(nmifree_cpus, cpu)->work);
}

/**
 * nmifree_cpu_dead - free what a dead CPU's NMIs left in its table
 * @cpu: the CPU, no longer running
 *
 * The kernel runs a dying CPU's irq_work before it goes; an NMI after
 * that still leaves its free in the table.  No NMI adds to it now.
 */
void nmifree_cpu_dead(unsigned int cpu)
{
	nmifree_drain(per_cpu_ptr(nmifree_cpus, cpu));
}

int nmifree_init(void)
{
	int cpu;

	nmifree_cpus = alloc_percpu(struct nmifree_cpu);
	if (!nmifree_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		per_cpu_ptr(nmifree_cpus, cpu)->work =
			IRQ_WORK_INIT_HARD(nmifree_work);
	return 0;
}

/* Unload: every deferred free done before the heap goes. */
void nmifree_exit(void)
{
	int cpu;

	nmifree_sync();
	for_each_possible_cpu(cpu)
		nmifree_drain(per_cpu_ptr(nmifree_cpus, cpu));
	free_percpu(nmifree_cpus);
}
