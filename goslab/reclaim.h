/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reclaim: the shrinker and the release policy (reclaim.c).  For the
 * observers only: module.c, debugfs.c and the tests.
 */
#ifndef _GOSLAB_RECLAIM_H
#define _GOSLAB_RECLAIM_H

#include <linux/kconfig.h>
#include <linux/types.h>

unsigned long reclaim_shrink_node(int nid, unsigned long nr);
void reclaim_release(void);
int reclaim_init(void);
void reclaim_exit(void);
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void reclaim_idle_hold(bool hold);
#endif

#endif /* _GOSLAB_RECLAIM_H */
