// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim: giving memory back, runtime/mgcscavenge.go's place.  An
 * observer: it may use every layer, and no layer calls it.
 *
 *  - Without pressure, the scavenger (scavenge.c, in the heap's layer)
 *    gives free pages back, page by page, down to a target proportional
 *    to the heap (debugfs retain_pages, retain_shift).
 *  - Once a second, what a CPU's caches and the central lists kept for a
 *    class that was not used for a whole second goes back to the heap
 *    (the idle pass below), so an idle goslab holds only live objects'
 *    spans and the scavenger's floor.
 *  - "release" (reclaim_release()) hands the central lists' kept empty
 *    spans to the heap and trims every heap to that target.
 *  - Under memory pressure the shrinker ignores the target
 *    (reclaim_shrink_node()).
 *
 * malloc.c's overview ends with the pages going back here.
 */
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "reclaim.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "scavenge.h"
#include "compat.h"

static struct shrinker *reclaim_shrinker;

/*
 * The idle pass: once a period, what each CPU's caches have not used
 * for a whole period goes back (mcache_trim_idle()), then the empty spans
 * of classes that took no span (mcentral_release_idle()); the heap's
 * scavenger then returns the pages.  A deferrable work: it does not wake
 * an idle CPU, it runs when the CPU is awake anyway.
 */
#define RECLAIM_IDLE_PERIOD	HZ

static void reclaim_idle_fn(struct work_struct *work);
static DECLARE_DEFERRABLE_WORK(reclaim_idle_work, reclaim_idle_fn);
static bool reclaim_stopped;

static void reclaim_idle_fn(struct work_struct *work)
{
	mcache_trim_idle();
	mcentral_release_idle();
	if (!READ_ONCE(reclaim_stopped))
		queue_delayed_work(system_unbound_wq, &reclaim_idle_work,
				   RECLAIM_IDLE_PERIOD);
}

/* Free pages the shrinker could give back on @sc->nid. */
static unsigned long reclaim_count(struct shrinker *sh,
				   struct shrink_control *sc)
{
	struct mheap *h = mheap_of(sc->nid);
	/* A count for reclaim: no lock, racing with the heap is fine. */
	unsigned long n = h ? data_race(h->pages_free) : 0;

	/* Parked large spans may be any node's: count them everywhere. */
	n += mcache_parked_pages();
	return n ? n : SHRINK_EMPTY;
}

/**
 * reclaim_shrink_node - the shrinker's scan: give back free pages of a node
 * @nid: the node
 * @nr: free goslab pages reclaim asks for
 *
 * Under memory pressure the scavenger's target does not hold: the parked
 * large spans (every CPU's: one span each, wherever it lives) and the
 * node's kept empty spans become free pages first, then free pages of the
 * node go back, page by page, as many as reclaim asked for (or all).
 * Return: the goslab pages given back to the buddy allocator.
 */
unsigned long reclaim_shrink_node(int nid, unsigned long nr)
{
	struct mheap *h = mheap_of(nid);
	unsigned long before, after, keep;

	if (!h)
		return 0;
	mcache_drain_large();
	mcentral_release_empty(nid);
	/* Counts for reclaim, without the heap's lock: racing is fine. */
	before = data_race(h->pages_free);
	keep = before > nr ? before - nr : 0;
	mheap_release(h, keep);
	/* As above. */
	after = data_race(h->pages_free);
	return before > after ? before - after : 0;
}

static unsigned long reclaim_scan(struct shrinker *sh,
				  struct shrink_control *sc)
{
	unsigned long freed = reclaim_shrink_node(sc->nid, sc->nr_to_scan);

	sc->nr_scanned = freed;
	return freed ? freed : SHRINK_STOP;
}

/**
 * reclaim_release - kept empty spans to the heaps, heaps down to what
 *	an idle heap retains, retain_pages (debugfs "release")
 */
void reclaim_release(void)
{
	int node;

	mcentral_release_empty(NUMA_NO_NODE);
	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node), scavenge_retain_pages());
}

/** reclaim_init - register the shrinker, once the heaps exist */
int reclaim_init(void)
{
	reclaim_shrinker = compat_shrinker_create(reclaim_count,
						  reclaim_scan, "goslab");
	if (!reclaim_shrinker)
		return -ENOMEM;
	WRITE_ONCE(reclaim_stopped, false);
	queue_delayed_work(system_unbound_wq, &reclaim_idle_work,
			   RECLAIM_IDLE_PERIOD);
	return 0;
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/**
 * reclaim_idle_hold - stop the idle pass (@hold), or start it again
 * @hold: true to stop it
 *
 * For the cases whose counts the pass would move while they run.
 */
void reclaim_idle_hold(bool hold)
{
	WRITE_ONCE(reclaim_stopped, hold);
	if (hold)
		cancel_delayed_work_sync(&reclaim_idle_work);
	else
		queue_delayed_work(system_unbound_wq, &reclaim_idle_work,
				   RECLAIM_IDLE_PERIOD);
}
#endif

/** reclaim_exit - stop the idle pass, unregister the shrinker, before the heaps go */
void reclaim_exit(void)
{
	WRITE_ONCE(reclaim_stopped, true);
	cancel_delayed_work_sync(&reclaim_idle_work);
	if (reclaim_shrinker)
		compat_shrinker_destroy(reclaim_shrinker);
	reclaim_shrinker = NULL;
}
