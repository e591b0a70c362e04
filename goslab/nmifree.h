/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nmifree: frees asked for in NMI context, deferred to an irq_work
 * (nmifree.c).  Part of the API layer: mfree.c defers to it, module.c
 * brings it up and down.
 */
#ifndef _GOSLAB_NMIFREE_H
#define _GOSLAB_NMIFREE_H

#include <linux/types.h>

/* What the deferred free does with the pointer. */
enum nmifree_op {
	NMIFREE_FREE,		/* goslab_free() */
	NMIFREE_SENSITIVE,	/* goslab_free_sensitive() */
};

/* Counters, for debugfs's stats and the tests. */
struct nmifree_stats {
	atomic_long_t deferred;	/* frees recorded in NMI context */
	atomic_long_t done;	/* of those, handed to the ordinary free */
	atomic_long_t dropped;	/* refused: the CPU's table was full */
};

extern struct nmifree_stats nmifree_stats;

void nmifree_defer(const void *p, unsigned long caller, enum nmifree_op op);
void nmifree_sync(void);
void nmifree_cpu_dead(unsigned int cpu);
int nmifree_init(void);
void nmifree_exit(void);

#endif /* _GOSLAB_NMIFREE_H */
