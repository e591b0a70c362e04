// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_kmcheck: the checks of include/goslab_kmalloc.h that ext4 does
 * not reach, built with the same forced header as ext4 (scripts/ext4/Kbuild)
 * and loaded in the ext4 guest before it.  Written as ordinary kmalloc
 * code; each check prints "goslab_kmcheck: PASS <name>" or "FAIL <name>",
 * which scripts/guest/ext4/test-ext4.sh turns into its checks.  Loading
 * fails with -EINVAL when a check failed.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <goslab.h>

struct kmcheck_rcu {
	struct rcu_head rcu;
	char data[48];
};

static int kmcheck_failed;

static void kmcheck(bool ok, const char *name)
{
	if (ok) {
		pr_info("goslab_kmcheck: PASS %s\n", name);
	} else {
		pr_err("goslab_kmcheck: FAIL %s\n", name);
		kmcheck_failed++;
	}
}

static bool kmcheck_zero(const char *p, size_t n)
{
	return p && !memchr_inv(p, 0, n);
}

static void kmcheck_alloc(void)
{
	char *a = kmalloc(100, GFP_KERNEL);
	char *z = kzalloc(200, GFP_KERNEL);
	char *c = kcalloc(10, 16, GFP_KERNEL);
	char *n = kzalloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	char *ov = kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL);

	kmcheck(a && goslab_owns(a), "kmalloc-is-goslab");
	kmcheck(goslab_owns(z) && kmcheck_zero(z, 200), "kzalloc-zeroed");
	kmcheck(goslab_owns(c) && kmcheck_zero(c, 160), "kcalloc-zeroed");
	kmcheck(goslab_owns(n) && kmcheck_zero(n, 64), "kzalloc_node");
	kmcheck(!ov, "kmalloc_array-overflow");
	kmcheck(ksize(a) == goslab_usable_size(a) && ksize(a) >= 100,
		"ksize-goslab");
	kmcheck(kmalloc_size_roundup(100) == goslab_size_roundup(100),
		"kmalloc_size_roundup");
	kfree(a);
	kmcheck(!goslab_owns(a), "kfree-frees");
	kfree_sensitive(z);
	kfree(c);
	kvfree(n);
}

/* Objects from kernel helpers are SLUB's; the mapped calls take them. */
static void kmcheck_foreign(void)
{
	char *s = kstrdup("goslab", GFP_KERNEL);
	const char *cs;
	char *r;

	kmcheck(s && !goslab_owns(s), "kstrdup-is-slub");
	kmcheck(ksize(s) >= 7, "ksize-slub");
	r = krealloc(s, 5000, GFP_KERNEL);
	kmcheck(r && !goslab_owns(r) && !strcmp(r, "goslab"),
		"krealloc-slub-stays-slub");
	kfree(r ? r : s);
	s = kstrdup("goslab", GFP_KERNEL);
	kfree_sensitive(s);
	/* A module's string is not the kernel's .rodata: a SLUB copy. */
	cs = kstrdup_const("goslab", GFP_KERNEL);
	kmcheck(cs && !goslab_owns(cs), "kstrdup_const-is-slub");
	kfree_const(cs);
	s = kmalloc(32, GFP_KERNEL);
	kfree_const(s);
	kmcheck(!goslab_owns(s), "kfree_const-goslab");
}

static void kmcheck_realloc(void)
{
	char *p = krealloc(NULL, 50, GFP_KERNEL);
	char *q;

	kmcheck(p && goslab_owns(p), "krealloc-null-is-goslab");
	if (!p)
		return;
	memset(p, 'g', 50);
	q = krealloc(p, 5000, GFP_KERNEL);
	kmcheck(q && goslab_owns(q) && !memchr_inv(q, 'g', 50),
		"krealloc-grows-keeps");
	kfree(q ? q : p);
}

static void kmcheck_kvmalloc(void)
{
	char *s = kvmalloc(100 << 10, GFP_KERNEL);
	char *big = kvzalloc(8 << 20, GFP_KERNEL);
	char *atomic = kvmalloc(8 << 20, GFP_ATOMIC | __GFP_NOWARN);
	char *r;

	kmcheck(s && goslab_owns(s), "kvmalloc-small-is-goslab");
	kmcheck(big && is_vmalloc_addr(big) && kmcheck_zero(big, 8 << 20),
		"kvzalloc-big-is-vmalloc");
	kmcheck(!atomic, "kvmalloc-atomic-no-vmalloc");
	if (s) {
		memset(s, 'k', 100 << 10);
		r = kvrealloc(s, 6 << 20, GFP_KERNEL);
		kmcheck(r && is_vmalloc_addr(r) && !memchr_inv(r, 'k', 100 << 10),
			"kvrealloc-goslab-to-vmalloc");
		kvfree(r ? r : s);
	}
	kvfree(big);
	vfree(atomic);
}

/* kfree's address, and __free(kfree), are goslab's kfree. */
static void kmcheck_address(void)
{
	void (*fn)(const void *) = kfree;
	char *p = kmalloc(64, GFP_KERNEL);
	char *saved;

	fn(p);
	kmcheck(!goslab_owns(p), "kfree-address");
	{
		char *scoped __free(kfree) = kmalloc(64, GFP_KERNEL);

		saved = scoped;
	}
	kmcheck(saved && !goslab_owns(saved), "free-kfree-cleanup");
}

static void kmcheck_rcu(void)
{
	struct kmcheck_rcu *g = kzalloc(sizeof(*g), GFP_KERNEL);
	struct kmcheck_rcu *k = kmemdup(g, sizeof(*g), GFP_KERNEL);
	char *m = kmalloc(40, GFP_KERNEL);

	kmcheck(goslab_owns(g) && k && !goslab_owns(k), "rcu-objects");
	kfree_rcu(g, rcu);
	kfree_rcu(k, rcu);
	kfree_rcu_mightsleep(m);
	kmcheck(goslab_owns(g), "kfree_rcu-waits");
	goslab_rcu_barrier();
	rcu_barrier();
	kmcheck(!goslab_owns(g) && !goslab_owns(m), "kfree_rcu-freed");
}

static int __init kmcheck_init(void)
{
	kmcheck_alloc();
	kmcheck_foreign();
	kmcheck_realloc();
	kmcheck_kvmalloc();
	kmcheck_address();
	kmcheck_rcu();
	return kmcheck_failed ? -EINVAL : 0;
}

static void __exit kmcheck_exit(void)
{
}

module_init(kmcheck_init);
module_exit(kmcheck_exit);
MODULE_DESCRIPTION("goslab: checks of goslab_kmalloc.h");
MODULE_LICENSE("GPL");
