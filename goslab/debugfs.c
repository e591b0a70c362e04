// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/goslab/: goslab's runtime.MemStats.  Each file is a
 * table with a header line; Documentation/debugfs.rst describes them.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

struct dentry *goslab_debugfs_root;

/* The size-class table, as Go prints it in sizeclasses.go. */
static int sizeclasses_show(struct seq_file *m, void *v)
{
	unsigned int c;

	seq_puts(m, "class  bytes/obj  bytes/span  objects  tail_waste  max_waste\n");
	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		unsigned int size = class_to_size[c];
		unsigned int prev = class_to_size[c - 1];
		unsigned long span = (unsigned long)class_to_allocnpages[c] *
				     GOSLAB_PAGE_SIZE;
		unsigned int objs = class_to_nelems[c];
		unsigned long tail = span - (unsigned long)objs * size;
		/* Worst case: every object one byte over the class below. */
		unsigned long waste = (unsigned long)(size - prev - 1) * objs + tail;
		unsigned long pct = waste * 10000 / span;

		seq_printf(m, "%5u  %9u  %10lu  %7u  %10lu  %6lu.%02lu%%\n",
			   c, size, span, objs, tail, pct / 100, pct % 100);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sizeclasses);

int goslab_debugfs_init(void)
{
	goslab_debugfs_root = debugfs_create_dir("goslab", NULL);
	debugfs_create_file("sizeclasses", 0444, goslab_debugfs_root, NULL,
			    &sizeclasses_fops);
	return 0;
}

void goslab_debugfs_exit(void)
{
	debugfs_remove_recursive(goslab_debugfs_root);
	goslab_debugfs_root = NULL;
}
