// SPDX-License-Identifier: GPL-2.0
/*
 * The memory readings of goslab_bench's replay.  What the system loses
 * is read from the page allocator: free pages, per-CPU page lists
 * included, and the slab counter SLUB's pages are in, by
 * <goslab_sysmem.h> (the KUnit suites read them the same way).  goslab's
 * own accounting, the second column, comes from its debugfs (the public
 * view, as any client would read it), and so do the flush and release a
 * goslab run starts with; SLUB's empty slabs go back by shrinking the
 * kmalloc caches.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "bench.h"

/*
 * goslab's debugfs, read from the kernel.  debugfs's proxy file
 * operations have ->read but no ->read_iter, so kernel_read() refuses
 * them: read through ->read into a scratch page mapped in the calling
 * process (a replay runs in the context of the process that asked for
 * it, never in a kthread).
 */
static unsigned long scratch_uaddr;

int bench_scratch_map(void)
{
	unsigned long a;

	if (!current->mm || (current->flags & (PF_KTHREAD | PF_EXITING)) ||
	    !current->fs)
		return -EPERM;
	a = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(a))
		return (int)a;
	scratch_uaddr = a;
	return 0;
}

void bench_scratch_unmap(void)
{
	if (scratch_uaddr)
		vm_munmap(scratch_uaddr, PAGE_SIZE);
	scratch_uaddr = 0;
}

/*
 * goslab's "stats" file, kept open over a replay.  A file opened and
 * closed for every reading would cost pages counted against goslab:
 * from a process, filp_close() leaves the final release (the struct
 * file, the seq_file and its buffer) to task work that runs on the way
 * back to user space, after the replay's last reading (about 1.1 MB
 * over boot.gtrace's windows).  Opened before the replay's first
 * reading, its buffer is there before the free pages are first read.
 * (__fput_sync() would release at once, but 6.1's BUG()s outside a
 * kthread.)
 */
static struct file *stats_file;

void bench_stats_open(void)
{
	struct file *f = filp_open("/sys/kernel/debug/goslab/stats",
				   O_RDONLY, 0);

	/* Without it every reading opens the file: see goslab_debugfs_rw(). */
	if (!IS_ERR(f))
		stats_file = f;
}

void bench_stats_close(void)
{
	if (stats_file)
		filp_close(stats_file, NULL);
	stats_file = NULL;
}

/*
 * Read @f from its start through the scratch page.  A seq_file read at
 * offset 0 starts the show over, so a file kept open reads anew.
 */
static ssize_t debugfs_read(struct file *f, char *kbuf, size_t len)
{
	char __user *u = (char __user *)scratch_uaddr;
	loff_t pos = 0;
	ssize_t n;

	n = f->f_op->read ? f->f_op->read(f, u, len, &pos) :
	    kernel_read(f, kbuf, len, &pos);
	if (n > 0 && f->f_op->read && copy_from_user(kbuf, u, n))
		n = -EFAULT;
	return n;
}

/* Read or write one goslab debugfs file through the scratch page. */
static ssize_t goslab_debugfs_rw(const char *name, char *kbuf, size_t len,
				 bool write)
{
	char __user *u = (char __user *)scratch_uaddr;
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	if (!scratch_uaddr)
		return -EPERM;
	len = min_t(size_t, len, PAGE_SIZE);
	if (!write && stats_file && !strcmp(name, "stats"))
		return debugfs_read(stats_file, kbuf, len);
	snprintf(path, sizeof(path), "/sys/kernel/debug/goslab/%s", name);
	f = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (write) {
		n = -EFAULT;
		if (!copy_to_user(u, kbuf, len))
			n = f->f_op->write ? f->f_op->write(f, u, len, &pos) :
			    kernel_write(f, kbuf, len, &pos);
	} else {
		n = debugfs_read(f, kbuf, len);
	}
	filp_close(f, NULL);
	return n;
}

/*
 * The whole of goslab's debugfs file @name into @buf (@len bytes, NUL
 * included), a page at a time through the scratch page.
 * Return: the bytes read, or a negative errno.
 */
ssize_t bench_goslab_dump(const char *name, char *buf, size_t len)
{
	char __user *u = (char __user *)scratch_uaddr;
	size_t done = 0;
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t n = 0;

	if (!scratch_uaddr || !len)
		return -EPERM;
	snprintf(path, sizeof(path), "/sys/kernel/debug/goslab/%s", name);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	while (done + 1 < len && f->f_op->read) {
		size_t want = min_t(size_t, PAGE_SIZE, len - 1 - done);

		n = f->f_op->read(f, u, want, &pos);
		if (n <= 0)
			break;
		if (copy_from_user(buf + done, u, n)) {
			n = -EFAULT;
			break;
		}
		done += n;
	}
	filp_close(f, NULL);
	buf[done] = 0;
	return n < 0 ? n : done;
}

/* goslab's heap and metadata bytes, from its "stats" file. */
int bench_goslab_stats(struct bench_goslab_mem *m)
{
	char *buf, *line, *cur;
	ssize_t n;
	int found = 0;

	buf = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = goslab_debugfs_rw("stats", buf, PAGE_SIZE, false);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	buf[n] = 0;
	cur = buf;
	while ((line = strsep(&cur, "\n"))) {
		char *key = strsep(&line, " ");
		long v;

		if (!line || kstrtol(strim(line), 10, &v))
			continue;
		if (!strcmp(key, "heap_inuse_bytes"))
			m->inuse = v, found++;
		else if (!strcmp(key, "metadata_inuse_bytes"))
			m->meta = v, found++;
		else if (!strcmp(key, "heap_sys_bytes"))
			m->sys = v, found++;
	}
	kfree(buf);
	return found == 3 ? 0 : -EPROTO;
}

/*
 * A number from goslab's debugfs: the value of a tunable's file (@field
 * NULL), or the value of the line of "stats" that starts with @field.
 */
int bench_goslab_read(const char *file, const char *field, long *v)
{
	char *buf, *line, *cur;
	int err = -EPROTO;
	ssize_t n;

	buf = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = goslab_debugfs_rw(file, buf, PAGE_SIZE, false);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	buf[n] = 0;
	cur = buf;
	while (err && (line = strsep(&cur, "\n"))) {
		char *key = field ? strsep(&line, " ") : NULL;

		if (field && (!line || strcmp(key, field)))
			continue;
		err = kstrtol(strim(line), 10, v) ? -EPROTO : 0;
		if (!field)
			break;
	}
	kfree(buf);
	return err;
}

/* Set one of goslab's debugfs tunables ("retain_pages", ...) to @v. */
int bench_goslab_write(const char *file, unsigned long v)
{
	char num[24];
	int n = scnprintf(num, sizeof(num), "%lu\n", v);
	ssize_t ret = goslab_debugfs_rw(file, num, n, true);

	return ret < 0 ? ret : 0;
}

/* Trigger one of goslab's debugfs actions ("flush", "release"). */
void bench_goslab_poke(const char *file)
{
	char one[] = "1\n";

	goslab_debugfs_rw(file, one, 2, true);
}

/* Empty slabs of the kmalloc caches back to the page allocator. */
void bench_slub_shrink(void)
{
	int t, i;

	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (kmalloc_caches[t][i])
				kmem_cache_shrink(kmalloc_caches[t][i]);
}
