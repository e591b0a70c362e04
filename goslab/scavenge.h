/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scavenge: when the page heap gives its free pages back to the buddy
 * allocator (runtime/mgcscavenge.go's policy and its background
 * scavenger).  Part of the mheap layer: mheap.c tells it how much is
 * free, it calls mheap_release(); reclaim.c's shrinker overrides it under
 * memory pressure.
 */
#ifndef _GOSLAB_SCAVENGE_H
#define _GOSLAB_SCAVENGE_H

#include <linux/types.h>

struct mheap;

unsigned long scavenge_target(const struct mheap *h);
void scavenge_kick(struct mheap *h, unsigned long free);
unsigned long scavenge_retain_pages(void);
void scavenge_set_retain_pages(unsigned long pages);
unsigned int scavenge_retain_shift(void);
int scavenge_set_retain_shift(unsigned int shift);
unsigned long scavenge_runs(void);
void scavenge_flush(void);
void scavenge_exit(void);

#endif /* _GOSLAB_SCAVENGE_H */
