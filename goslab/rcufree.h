/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcufree: goslab_free_rcu() and its head-less form, batched per CPU
 * (rcufree.c).  Part of the API layer; module.c brings it up and down.
 */
#ifndef _GOSLAB_RCUFREE_H
#define _GOSLAB_RCUFREE_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

/* A page of pointers that wait for one grace period together. */
struct rcufree_block {
	struct rcu_work rwork;
	unsigned long nr;
	void *ptrs[];
};

#define RCUFREE_BLOCK_ENTRIES \
	((PAGE_SIZE - offsetof(struct rcufree_block, ptrs)) / sizeof(void *))

/* Counters, for debugfs's stats and the tests. */
struct rcufree_stats {
	atomic_long_t queued;	/* objects handed to an RCU free */
	atomic_long_t freed;	/* of those, freed after their grace period */
	atomic_long_t blocks;	/* blocks that waited for a grace period */
	atomic_long_t timed;	/* of those, sent before full by the timer */
	atomic_long_t single;	/* objects that waited alone: no block */
};

extern struct rcufree_stats rcufree_stats;

void rcufree_cpu_dead(unsigned int cpu);
int rcufree_init(void);
void rcufree_exit(void);

#endif /* _GOSLAB_RCUFREE_H */
