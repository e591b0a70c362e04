// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_bench's boot mode, for UML, where no process can drive the
 * debugfs files.  Built in, goslab_bench.boot_run="all" runs the command
 * at late_initcall and prints the table to the kernel log, and
 * goslab_bench.boot_replay=/traces/kbuild.gtrace,... replays those files
 * (from the initramfs) and prints each replay's table; without a process
 * to read goslab's debugfs through, such a replay measures time only.
 * Loaded as a module, the same parameters do the same at insmod.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/initrd.h>
#include <linux/kernel_read_file.h>

#include "bench.h"

static char *boot_run;
module_param(boot_run, charp, 0444);
MODULE_PARM_DESC(boot_run, "command to run at load/boot, table to the log");

static char *boot_replay;
module_param(boot_replay, charp, 0444);
MODULE_PARM_DESC(boot_replay, "traces to replay at load/boot (','-separated paths), tables to the log");

/* Print what @show writes to a seq_file into the log, a line a call. */
static void show_to_log(int (*show)(struct seq_file *, void *))
{
	struct seq_file m = { .size = 4 * PAGE_SIZE };
	char *cur, *line;

	m.buf = kvzalloc(m.size, GFP_KERNEL);
	if (!m.buf)
		return;
	show(&m, NULL);
	m.buf[min(m.count, m.size - 1)] = 0;
	cur = m.buf;
	while ((line = strsep(&cur, "\n")))
		if (*line)
			pr_info("%s\n", line);
	kvfree(m.buf);
}

/* Run @boot_run, its table between the markers bench.sh looks for. */
static void __init boot_bench(void)
{
	char cmd[128];
	int err;

	strscpy(cmd, boot_run, sizeof(cmd));
	/* Kernel parameters cannot hold spaces: ',' stands for one. */
	strreplace(cmd, ',', ' ');
	pr_info("goslab_bench: running \"%s\" (%u CPUs)\n", cmd,
		num_online_cpus());
	mutex_lock(&bench_lock);
	err = bench_command(cmd);
	mutex_unlock(&bench_lock);
	/* The table "bench" reads (ratio: the median of each rep's). */
	pr_info("GOSLAB-BENCH begin\n");
	show_to_log(bench_show);
	if (err)
		pr_info("# error %d\n", err);
	pr_info("GOSLAB-BENCH end\n");
}

/*
 * Replay each trace of @boot_replay, read from a file (at boot, from the
 * initramfs: UML's userspace does not run on this machine's host, so
 * nothing could write the trace into debugfs).  Without a process,
 * goslab's debugfs cannot be read either: the replay measures time only.
 */
static void __init boot_replays(void)
{
	char *paths, *cur, *path;

	paths = kstrdup(boot_replay, GFP_KERNEL);
	if (!paths)
		return;
	wait_for_initramfs();
	cur = paths;
	while ((path = strsep(&cur, ","))) {
		const char *base = kbasename(path);
		int len = strcspn(base, ".");
		void *buf = NULL;
		ssize_t n;

		if (!*path)
			continue;
		pr_info("GOSLAB-REPLAY %.*s begin\n", len, base);
		n = kernel_read_file_from_path(path, 0, &buf,
					       BENCH_TRACE_MAX_BYTES, NULL,
					       READING_UNKNOWN);
		if (n < 0) {
			pr_info("# no replay: cannot read %s (%zd)\n", path, n);
		} else {
			mutex_lock(&bench_replay_lock);
			bench_trace_adopt(buf, n);
			bench_replay_run(!current->mm);
			mutex_unlock(&bench_replay_lock);
			show_to_log(bench_replay_show);
		}
		pr_info("GOSLAB-REPLAY %.*s end\n", len, base);
	}
	kfree(paths);
}

/* At load (or late_initcall, built in): what the parameters ask for. */
void __init bench_boot(void)
{
	if (boot_run && *boot_run)
		boot_bench();
	if (boot_replay && *boot_replay)
		boot_replays();
}
