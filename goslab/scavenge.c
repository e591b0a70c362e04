// SPDX-License-Identifier: GPL-2.0
/*
 * scavenge: giving the page heap's free pages back, paced
 * (runtime/mgcscavenge.go).
 *
 * Go keeps the memory its heap will soon need again (its goal plus a
 * tenth) and a background goroutine returns the rest a little at a time,
 * so that a program which frees and allocates in waves does not hand the
 * same pages to the OS and back on every wave.  goslab has no GC goal;
 * its stand-in is the heap's own size: the target is
 *
 *	max(retain_pages, grow_pages, pages in use >> retain_shift)
 *
 * free pages per node (grow_pages 16: 128 KiB, mheap_grow_pages();
 * retain_shift 5: 1/32; retain_pages 0), while the heap grows.  When a
 * span goes back to a heap that has more free than that, the excess is
 * given back by a work item: within a second (SCAVENGE_DELAY) when it is
 * small, so that a burst of frees followed by allocations reuses the
 * pages, and at once when it is large (more than SCAVENGE_NOW_PAGES,
 * 512 KiB).  A heap that has not grown for a
 * period keeps only retain_pages: none by default, as a kmalloc cache
 * nobody allocates from keeps no more than its few empty slabs (SLUB's
 * min_partial), and those are counted in the same system-wide figure.
 * Both tunables are in debugfs.  Under memory pressure the shrinker
 * (reclaim.c) gives back what reclaim asks for, target or not.
 *
 * Unlike Go, which keeps its address space and returns the physical
 * memory under it (madvise), goslab returns the pages themselves: a page
 * that goes back is no longer goslab's, and the heap takes new ones from
 * the buddy allocator when it grows.  The buddy allocator is the only
 * place in the kernel where free memory is free for everyone.
 */
#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <linux/nodemask.h>
#include <linux/jiffies.h>
#include <linux/compiler.h>

#include "scavenge.h"
#include "mheap.h"

#define SCAVENGE_DELAY		HZ
#define SCAVENGE_NOW_PAGES	64UL
#define SCAVENGE_MAX_SHIFT	16

static unsigned long scavenge_retain;
static unsigned int scavenge_shift = 5;
static atomic_long_t scavenge_nruns = ATOMIC_LONG_INIT(0);
static bool scavenge_stopped;

static void scavenge_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(scavenge_work, scavenge_work_fn);

/**
 * scavenge_target - free pages @h keeps rather than give back
 * @h: a node's heap (its pages_inuse read without its lock: a hint)
 */
unsigned long scavenge_target(const struct mheap *h)
{
	/* A hint: racing with the heap's locked updates is fine. */
	unsigned long prop = data_race(h->pages_inuse) >>
			     READ_ONCE(scavenge_shift);

	/* A growing heap keeps at least one grow's worth. */
	return max3(READ_ONCE(scavenge_retain),
		    (unsigned long)mheap_grow_pages(), prop);
}

/**
 * scavenge_kick - a span went back to @h, which now has @free free pages
 * @h: the heap
 * @free: its free goslab pages
 *
 * The background pass runs at once when the excess over the target is
 * large, within a period when there is any over retain_pages (an idle
 * heap keeps only those).  Any context but NMI: it only queues work.
 */
void scavenge_kick(struct mheap *h, unsigned long free)
{
	if (READ_ONCE(scavenge_stopped) || free <= scavenge_retain_pages())
		return;
	if (free >= scavenge_target(h) + SCAVENGE_NOW_PAGES)
		mod_delayed_work(system_unbound_wq, &scavenge_work, 0);
	else if (!delayed_work_pending(&scavenge_work))
		queue_delayed_work(system_unbound_wq, &scavenge_work,
				   SCAVENGE_DELAY);
}

/*
 * One pass over the heaps.  A heap that has not grown since the last pass
 * is idle: it keeps only retain_pages, as Go's scavenger, with no
 * allocation pressure, ends up returning all but its floor (Go's floor is
 * its heap goal; goslab has none, and keeps nothing by default).  A busy heap
 * keeps its proportional target and is looked at again a period later,
 * so a burst's pages are back within two periods of its end.  Only an
 * idle pass trims the metadata too (mheap_release(), not
 * mheap_scavenge()): a busy heap needs its span structs again soon.
 */
static void scavenge_work_fn(struct work_struct *work)
{
	bool again = false;
	int node;

	atomic_long_inc(&scavenge_nruns);
	for_each_node(node) {
		struct mheap *h = mheap_of(node);
		unsigned long grows, keep;
		bool idle;

		if (!h)
			continue;
		/* Hints, read without the heap's lock: the release takes it. */
		grows = data_race(h->grows);
		idle = grows == h->scavenged_grows;
		h->scavenged_grows = grows;
		keep = idle ? scavenge_retain_pages() : scavenge_target(h);
		if (idle)
			mheap_release(h, keep);
		/* A hint: the release takes the lock and counts again. */
		else if (data_race(h->pages_free) > keep)
			mheap_scavenge(h, keep);
		/*
		 * A busy heap is looked at again: its next pass may find it
		 * idle, and only an idle pass trims the metadata.
		 */
		if (!idle)
			again = true;
		cond_resched();
	}
	if (again && !READ_ONCE(scavenge_stopped))
		queue_delayed_work(system_unbound_wq, &scavenge_work,
				   SCAVENGE_DELAY);
}

unsigned long scavenge_retain_pages(void)
{
	return READ_ONCE(scavenge_retain);
}

void scavenge_set_retain_pages(unsigned long pages)
{
	WRITE_ONCE(scavenge_retain, pages);
}

unsigned int scavenge_retain_shift(void)
{
	return READ_ONCE(scavenge_shift);
}

/* Return: 0, or -EINVAL for a shift past SCAVENGE_MAX_SHIFT. */
int scavenge_set_retain_shift(unsigned int shift)
{
	if (shift > SCAVENGE_MAX_SHIFT)
		return -EINVAL;
	WRITE_ONCE(scavenge_shift, shift);
	return 0;
}

/* How many times the background scavenger has run. */
unsigned long scavenge_runs(void)
{
	return atomic_long_read(&scavenge_nruns);
}

/**
 * scavenge_flush - run a pending background scavenge now and wait for it
 *
 * For callers that must see its effect (tests, "release").
 */
void scavenge_flush(void)
{
	flush_delayed_work(&scavenge_work);
}

/** scavenge_exit - stop the background scavenger, before the heaps go */
void scavenge_exit(void)
{
	WRITE_ONCE(scavenge_stopped, true);
	cancel_delayed_work_sync(&scavenge_work);
}
