// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_bench's interface, /sys/kernel/debug/goslab_bench/:
 *
 *   bench   write a command, read the results table:
 *             all [iters=N] [reps=N]     every micro-benchmark
 *             smoke                      a short run of each kind
 *             pair SIZE [iters=N]        alloc+free pairs of one size
 *             pair2 SIZE                 the same on two CPUs at once
 *             pairs [SIZE]               both, every size if none
 *             batch SIZE | bulk SIZE | xcpu SIZE
 *             phase [SIZE]               alloc and free halves apart
 *             spanops [max=ARENAS]       span operations with 1, 64 and
 *                                        1,024 arenas held (spanops.c)
 *             replay                     run the last trace (again)
 *           read: "test size goslab_ns slub_ns ratio", ns per object
 *           (median of reps), ratio = the median over reps of goslab's
 *           ns over SLUB's in the same rep (below 1: goslab is faster).
 *   replay  write a trace (format of shared/traces/README.md), in as many
 *           write() calls as it takes; on close it is replayed reps times
 *           with goslab and with kmalloc (alternating) and reading the
 *           file gives the medians: bytes requested, memory held at the
 *           end and at the peak, free-page cross-check, ns per operation.
 *           With the module parameter footprint=goslab (or slub), it is
 *           replayed once with that allocator alone, no warm-up, and
 *           the file gives the pages taken from the page allocator at
 *           the end, footprint_delay_ms later and at the peak, with the
 *           allocator's own figure beside them (for a fresh boot).
 *   series  memory held after every window of the last replay, per
 *           allocator: "event goslab_held slub_held" (bytes); after a
 *           footprint run "event <allocator>_held <allocator>_pages",
 *           its own bytes and the free pages taken.
 *   burst   write "goslab MiB" or "slub MiB": MiB of mixed objects taken
 *           and freed, then the pages still taken every half second
 *           (burst.c); read: the readings.
 *
 * This file only connects the files to the parts that do the work
 * (micro.c, trace.c, replay.c), under the parts' locks.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/module.h>

#include "bench.h"

static struct dentry *bench_dir;

static int bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, bench_show, NULL);
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[128];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	mutex_lock(&bench_lock);
	err = bench_command(buf);
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = bench_write,
	.release = single_release,
};

/* Opening "replay" to write starts a new trace. */
static int replay_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE) {
		mutex_lock(&bench_replay_lock);
		bench_trace_reset();
		mutex_unlock(&bench_replay_lock);
	}
	return single_open(file, bench_replay_show, NULL);
}

static ssize_t replay_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_replay_lock);
	ret = bench_trace_append(ubuf, len);
	mutex_unlock(&bench_replay_lock);
	return ret;
}

/* The trace is complete when its writer closes the file. */
static int replay_release(struct inode *inode, struct file *file)
{
	if ((file->f_mode & FMODE_WRITE) && bench_trace_written()) {
		mutex_lock(&bench_replay_lock);
		bench_replay_written();
		mutex_unlock(&bench_replay_lock);
	}
	return single_release(inode, file);
}

static const struct file_operations replay_fops = {
	.owner = THIS_MODULE,
	.open = replay_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = replay_write,
	.release = replay_release,
};

DEFINE_SHOW_ATTRIBUTE(bench_series);

void bench_debugfs_create(void)
{
	bench_dir = debugfs_create_dir("goslab_bench", NULL);
	debugfs_create_file("bench", 0600, bench_dir, NULL, &bench_fops);
	debugfs_create_file("replay", 0600, bench_dir, NULL, &replay_fops);
	debugfs_create_file("series", 0400, bench_dir, NULL, &bench_series_fops);
	debugfs_create_file("burst", 0600, bench_dir, NULL, &bench_burst_fops);
}

void bench_debugfs_remove(void)
{
	debugfs_remove_recursive(bench_dir);
}
