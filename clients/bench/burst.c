// SPDX-License-Identifier: GPL-2.0
/*
 * The burst: does an allocator give back, by itself, what a burst took?
 *
 * Writing "goslab MiB" (or "slub MiB") to /sys/kernel/debug/goslab_bench/
 * burst allocates MiB of mixed objects with that allocator, half of the
 * bytes in small objects (8 bytes to 32 KiB) and half in large ones
 * (64 KiB to 4 MiB), sizes log-uniform from a fixed seed, interleaved;
 * then frees them all in a shuffled order, and reads the pages taken from
 * the page allocator (goslab_sysmem_free_pages(): free pages with every CPU's
 * per-CPU lists counted) every BURST_STEP_MS for BURST_WATCH_MS.  No flush,
 * no shrinker, nothing but the allocator's own work: issue 10's target is
 * goslab back within 2 MiB of where it was before the burst, within 10 s.
 *
 * Reading the file gives "allocator mib objects peak_kib" and then
 * "ms held_kib" per reading (held: taken since before the burst; the
 * pointer array is taken before the first reading and let go after the
 * last, so it is in neither).  Meant for a fresh boot per allocator, as
 * the footprint replay is (scripts/bench.sh).
 */
#include <linux/vmalloc.h>
#include <linux/overflow.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/jiffies.h>
#include <linux/string.h>

#include "bench.h"

#define BURST_SMALL_MIN		8
#define BURST_SMALL_MAX		(32 << 10)
#define BURST_LARGE_MIN		(64 << 10)
#define BURST_LARGE_MAX		(4 << 20)
#define BURST_MAX_MIB		4096
#define BURST_STEP_MS		500
#define BURST_WATCH_MS		20000
#define BURST_READINGS		(BURST_WATCH_MS / BURST_STEP_MS + 1)

static DEFINE_MUTEX(burst_lock);
static struct {
	bool done, g;
	int err;
	unsigned int mib;
	unsigned long objects;
	long peak_kib;
	long held_kib[BURST_READINGS];
} burst;

/* A size from [@lo, @hi), log-uniform: as many 8-16 as 16-32 bytes. */
static size_t burst_size(struct rnd_state *rs, size_t lo, size_t hi)
{
	unsigned int bits = ilog2(hi / lo);
	u32 r = prandom_u32_state(rs);
	size_t s = lo << (r % bits);

	return s + (prandom_u32_state(rs) % s);
}

static long burst_held_kib(long base)
{
	return (base - goslab_sysmem_free_pages()) << (PAGE_SHIFT - 10);
}

static int burst_run(bool g, unsigned int mib)
{
	unsigned long budget = (unsigned long)mib << 19, small = 0, large = 0;
	unsigned long max, n = 0, i, j;
	struct rnd_state rs;
	long base, held;
	void **obj, *t;
	size_t size;

	/* At most one object per 8 bytes of the small half, plus the large. */
	max = budget / BURST_SMALL_MIN + budget / BURST_LARGE_MIN;
	/* Ample: log-uniform small sizes average near 4 KiB. */
	max = min(max, budget / 512 + 1024);
	obj = vmalloc(array_size(max, sizeof(*obj)));
	if (!obj)
		return -ENOMEM;
	prandom_seed_state(&rs, 10);
	base = goslab_sysmem_free_pages();
	burst.peak_kib = 0;
	while ((small < budget || large < budget) && n < max) {
		if (large < budget && (large <= small || small >= budget))
			size = burst_size(&rs, BURST_LARGE_MIN, BURST_LARGE_MAX);
		else
			size = burst_size(&rs, BURST_SMALL_MIN, BURST_SMALL_MAX);
		obj[n] = bench_alloc(g, size, GFP_KERNEL | __GFP_NOWARN);
		if (!obj[n])
			break;
		if (size >= BURST_LARGE_MIN)
			large += size;
		else
			small += size;
		n++;
		if (!(n & 1023)) {
			burst.peak_kib = max(burst.peak_kib, burst_held_kib(base));
			cond_resched();
		}
	}
	burst.peak_kib = max(burst.peak_kib, burst_held_kib(base));
	burst.objects = n;
	/* Freed in no order the allocation gave them. */
	for (i = n; i > 1; i--) {
		j = prandom_u32_state(&rs) % i;
		t = obj[i - 1];
		obj[i - 1] = obj[j];
		obj[j] = t;
	}
	for (i = 0; i < n; i++) {
		bench_free(g, obj[i]);
		if (!(i & 1023))
			cond_resched();
	}
	for (i = 0; i < BURST_READINGS; i++) {
		held = burst_held_kib(base);
		burst.held_kib[i] = held;
		if (i + 1 < BURST_READINGS)
			msleep(BURST_STEP_MS);
	}
	vfree(obj);
	return small + large < 2 * budget ? -ENOMEM : 0;
}

static int burst_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&burst_lock);
	if (!burst.done) {
		seq_puts(m, "# no burst run yet: write \"goslab MiB\" or \"slub MiB\"\n");
	} else {
		seq_puts(m, "allocator mib objects peak_kib error\n");
		seq_printf(m, "%s %u %lu %ld %d\n", burst.g ? "goslab" : "slub",
			   burst.mib, burst.objects, burst.peak_kib, burst.err);
		seq_puts(m, "ms held_kib\n");
		for (i = 0; i < BURST_READINGS; i++)
			seq_printf(m, "%u %ld\n", i * BURST_STEP_MS,
				   burst.held_kib[i]);
	}
	mutex_unlock(&burst_lock);
	return 0;
}

static int burst_open(struct inode *inode, struct file *file)
{
	return single_open(file, burst_show, NULL);
}

static ssize_t burst_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[32], who[8];
	unsigned int mib;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %u", who, &mib) != 2 || !mib ||
	    mib > BURST_MAX_MIB ||
	    (strcmp(who, "goslab") && strcmp(who, "slub")))
		return -EINVAL;
	mutex_lock(&burst_lock);
	burst.g = !strcmp(who, "goslab");
	burst.mib = mib;
	burst.err = burst_run(burst.g, mib);
	burst.done = true;
	mutex_unlock(&burst_lock);
	return len;
}

const struct file_operations bench_burst_fops = {
	.owner = THIS_MODULE,
	.open = burst_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = burst_write,
	.release = single_release,
};
