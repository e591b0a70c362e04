/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs: /sys/kernel/debug/goslab/, runtime.MemStats' place (debugfs.c).
 * An observer: it may use every layer; only module.c and the tests call it.
 */
#ifndef _GOSLAB_DEBUGFS_H
#define _GOSLAB_DEBUGFS_H

struct seq_file;

int goslab_debugfs_init(void);
void goslab_debugfs_exit(void);
unsigned long goslab_verify(struct seq_file *m);
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* The read-only files into @m, for the tests. */
int goslab_debugfs_show(const char *name, struct seq_file *m);
#endif

#endif /* _GOSLAB_DEBUGFS_H */
