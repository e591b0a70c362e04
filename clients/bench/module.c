// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_bench: goslab against SLUB (kmalloc/kfree) in the same boot.
 *
 * A client of the public API like any other (it includes only <goslab.h>
 * of goslab's headers).  One module, one concept a file:
 *
 *   module.c   load and unload
 *   debugfs.c  the files under /sys/kernel/debug/goslab_bench/ (the
 *              commands and tables are described there)
 *   boot.c     boot mode: the same, driven by module parameters (UML)
 *   micro.c    the micro-benchmarks and the command that runs them
 *   ppair.c    alloc+free pairs on two CPUs at once
 *   xcpu.c     the cross-CPU micro-benchmark
 *   spanops.c  the page heap's span operations with many arenas held
 *   trace.c    a trace's text, and the events loaded from it
 *   replay.c   the trace replay and its memory samples
 *   burst.c    a burst of mixed objects freed, and what stays taken
 *   memory.c   the memory readings: free pages, slab, goslab's stats
 *   stats.c    medians and ratios
 *   bench.h    what those share
 */
#include <linux/module.h>
#include <linux/init.h>

#include "bench.h"

static int __init goslab_bench_init(void)
{
	bench_debugfs_create();
	bench_boot();
	return 0;
}

static void __exit goslab_bench_exit(void)
{
	bench_debugfs_remove();
	bench_trace_reset();
	bench_replay_exit();
}

late_initcall(goslab_bench_init);
module_exit(goslab_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab against SLUB: micro-benchmarks and trace replay");
