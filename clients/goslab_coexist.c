// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_coexist: a client for the guest test of how goslab lives with
 * the kernel's own machinery: hardened usercopy and memory cgroups.  Its
 * files in /sys/kernel/debug/goslab_coexist/:
 *
 *   object   write "<goslab|noscan|kmalloc> <size>": the object that copy
 *            copies from and to (goslab 64 at load); read: what it is
 *   offset   where in the object copies start (a u32)
 *   copy     read(n): copy_to_user() of n bytes from object + offset;
 *            write(n): copy_from_user() of n bytes to it.  n is not known
 *            to the compiler, so the kernel's usercopy check runs
 *   hold     write "<count> <size>": allocate count objects with
 *            GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL (a charge over
 *            memory.max fails rather than calling the OOM killer) and keep
 *            them; the write fails with -ENOMEM at the first failure, what
 *            was allocated is kept.  read: "<count> <bytes> <bad>", bad
 *            being held objects goslab_owns() or goslab_usable_size()
 *            got wrong
 *   release  write: goslab_free() everything held
 *   bench    write "<goslab|kmalloc> <len> <iterations>"; read: that many
 *            copy_to_user() of len bytes from such an object into the
 *            reader's buffer, then "<ns per copy>\n" in it
 *
 * copy is created without debugfs's removal protection: a copy the
 * kernel refuses kills the reader inside read(), and a protected file
 * would then never let the module unload.  The object lives until
 * unload, so a killed reader leaks nothing.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/string.h>

#include <goslab.h>

static struct dentry *dir;
static DEFINE_MUTEX(lock);	/* object, held, bench settings */

static void *object;
static char object_kind[8] = "goslab";
static size_t object_size;
static u32 offset;

/* Held objects, linked through their first word. */
static void **held;
static unsigned long held_count, held_bytes;

static char bench_kind[8] = "goslab";
static size_t bench_len = 8;
static unsigned long bench_iters = 100000;

static void *coexist_alloc(const char *kind, size_t size)
{
	if (!strcmp(kind, "kmalloc"))
		return kmalloc(size, GFP_KERNEL);
	if (!strcmp(kind, "noscan"))
		return goslab_alloc_noscan(size, GFP_KERNEL);
	return goslab_alloc(size, GFP_KERNEL);
}

static void coexist_free(const char *kind, void *p)
{
	if (!strcmp(kind, "kmalloc"))
		kfree(p);
	else
		goslab_free(p);
}

static ssize_t object_write(struct file *f, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[32], kind[8];
	size_t size;
	void *p;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %zu", kind, &size) != 2 || !size ||
	    (strcmp(kind, "goslab") && strcmp(kind, "noscan") &&
	     strcmp(kind, "kmalloc")))
		return -EINVAL;
	p = coexist_alloc(kind, size);
	if (!p)
		return -ENOMEM;
	memset(p, 'o', size);
	mutex_lock(&lock);
	if (object)
		coexist_free(object_kind, object);
	strscpy(object_kind, kind, sizeof(object_kind));
	object_size = size;
	WRITE_ONCE(object, p);
	mutex_unlock(&lock);
	return len;
}

static ssize_t object_read(struct file *f, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char buf[48];
	int n;

	mutex_lock(&lock);
	n = scnprintf(buf, sizeof(buf), "%s %zu\n", object_kind, object_size);
	mutex_unlock(&lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations object_fops = {
	.owner = THIS_MODULE,
	.read = object_read,
	.write = object_write,
};

/* No lock held: the kernel may kill the reader in the copy. */
static ssize_t copy_read(struct file *f, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	char *p = READ_ONCE(object);

	if (copy_to_user(ubuf, p + READ_ONCE(offset), len))
		return -EFAULT;
	return len;
}

static ssize_t copy_write(struct file *f, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	char *p = READ_ONCE(object);

	if (copy_from_user(p + READ_ONCE(offset), ubuf, len))
		return -EFAULT;
	return len;
}

static const struct file_operations copy_fops = {
	.owner = THIS_MODULE,
	.read = copy_read,
	.write = copy_write,
};

static void held_release(void)
{
	while (held) {
		void **next = *held;

		goslab_free(held);
		held = next;
	}
	held_count = 0;
	held_bytes = 0;
}

static ssize_t hold_write(struct file *f, const char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	unsigned long count, i;
	char buf[48];
	size_t size;
	int err = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%lu %zu", &count, &size) != 2 ||
	    size < sizeof(void *))
		return -EINVAL;
	mutex_lock(&lock);
	for (i = 0; i < count; i++) {
		void **p = goslab_alloc(size, GFP_KERNEL_ACCOUNT |
					__GFP_RETRY_MAYFAIL | __GFP_NOWARN);

		if (!p) {
			err = -ENOMEM;
			break;
		}
		*p = held;
		held = p;
		held_count++;
		held_bytes += size;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	}
	mutex_unlock(&lock);
	return err ? err : len;
}

static ssize_t hold_read(struct file *f, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	unsigned long bad = 0;
	char buf[64];
	void **p;
	int n;

	mutex_lock(&lock);
	for (p = held; p; p = *p)
		if (!goslab_owns(p) || goslab_usable_size(p) < sizeof(void *))
			bad++;
	n = scnprintf(buf, sizeof(buf), "%lu %lu %lu\n", held_count,
		      held_bytes, bad);
	mutex_unlock(&lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations hold_fops = {
	.owner = THIS_MODULE,
	.read = hold_read,
	.write = hold_write,
};

static ssize_t release_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	mutex_lock(&lock);
	held_release();
	mutex_unlock(&lock);
	return len;
}

static const struct file_operations release_fops = {
	.owner = THIS_MODULE,
	.write = release_write,
};

static ssize_t bench_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	unsigned long iters;
	char buf[48], kind[8];
	size_t blen;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %zu %lu", kind, &blen, &iters) != 3 || !blen ||
	    blen > 4096 || !iters)
		return -EINVAL;
	mutex_lock(&lock);
	strscpy(bench_kind, kind, sizeof(bench_kind));
	bench_len = blen;
	bench_iters = iters;
	mutex_unlock(&lock);
	return len;
}

/* The timed loop: @len is a variable, so every copy is checked. */
static noinline int bench_loop(char __user *ubuf, const void *src,
			       size_t len, unsigned long iters)
{
	unsigned long i;

	for (i = 0; i < iters; i++)
		if (copy_to_user(ubuf, src, len))
			return -EFAULT;
	return 0;
}

static ssize_t bench_read(struct file *f, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	char buf[32];
	void *src;
	u64 t;
	int n, err;

	if (*ppos)
		return 0;
	mutex_lock(&lock);
	if (len < max_t(size_t, bench_len, sizeof(buf))) {
		mutex_unlock(&lock);
		return -EINVAL;
	}
	src = coexist_alloc(bench_kind, bench_len);
	if (!src) {
		mutex_unlock(&lock);
		return -ENOMEM;
	}
	memset(src, 'b', bench_len);
	t = ktime_get_ns();
	err = bench_loop(ubuf, src, bench_len, bench_iters);
	t = ktime_get_ns() - t;
	coexist_free(bench_kind, src);
	n = scnprintf(buf, sizeof(buf), "%llu\n", div64_u64(t, bench_iters));
	mutex_unlock(&lock);
	if (err)
		return err;
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.read = bench_read,
	.write = bench_write,
};

static int __init goslab_coexist_init(void)
{
	object = goslab_alloc(64, GFP_KERNEL);
	if (!object)
		return -ENOMEM;
	object_size = 64;
	memset(object, 'o', object_size);
	dir = debugfs_create_dir("goslab_coexist", NULL);
	debugfs_create_file("object", 0600, dir, NULL, &object_fops);
	debugfs_create_u32("offset", 0600, dir, &offset);
	debugfs_create_file_unsafe("copy", 0600, dir, NULL, &copy_fops);
	debugfs_create_file("hold", 0600, dir, NULL, &hold_fops);
	debugfs_create_file("release", 0200, dir, NULL, &release_fops);
	debugfs_create_file("bench", 0600, dir, NULL, &bench_fops);
	return 0;
}

static void __exit goslab_coexist_exit(void)
{
	debugfs_remove_recursive(dir);
	held_release();
	coexist_free(object_kind, object);
}

module_init(goslab_coexist_init);
module_exit(goslab_coexist_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab client for the usercopy and memory cgroup tests");
