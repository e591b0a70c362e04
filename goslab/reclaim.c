// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim: giving memory back, runtime/mgcscavenge.go's place.  An
 * observer: it may use every layer, and no layer calls it.
 *
 *  - Without pressure, the scavenger (scavenge.c, in the heap's layer)
 *    gives free pages back, page by page, down to a target proportional
 *    to the heap (debugfs retain_pages, retain_shift).
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

#include "reclaim.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "scavenge.h"
#include "compat.h"

static struct shrinker *reclaim_shrinker;

/* Free pages the shrinker could give back on @sc->nid. */
static unsigned long reclaim_count(struct shrinker *sh,
				   struct shrink_control *sc)
{
	struct mheap *h = mheap_of(sc->nid);
	unsigned long n = h ? READ_ONCE(h->pages_free) : 0;

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
	before = READ_ONCE(h->pages_free);
	keep = before > nr ? before - nr : 0;
	mheap_release(h, keep);
	after = READ_ONCE(h->pages_free);
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
 *	they retain (debugfs "release")
 */
void reclaim_release(void)
{
	int node;

	mcentral_release_empty(NUMA_NO_NODE);
	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node),
				      scavenge_target(mheap_of(node)));
}

/** reclaim_init - register the shrinker, once the heaps exist */
int reclaim_init(void)
{
	reclaim_shrinker = compat_shrinker_create(reclaim_count,
						  reclaim_scan, "goslab");
	return reclaim_shrinker ? 0 : -ENOMEM;
}

/** reclaim_exit - unregister the shrinker, before the heaps go */
void reclaim_exit(void)
{
	if (reclaim_shrinker)
		compat_shrinker_destroy(reclaim_shrinker);
	reclaim_shrinker = NULL;
}
