// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_pressure: goslab when memory runs short, on a stock kernel.
 *
 * starve=1 (NUMA): takes node 0's free pages with __GFP_THISNODE until
 * the page allocator has none left, then two kthreads, bound to CPU 0
 * and CPU 1, allocate objects of 8 B to 4 MiB (goslab_alloc() and
 * goslab_alloc_node(..., 0)), fill them, check and free them, and leave
 * their last objects live; at unload those are checked and freed, and
 * node 0's pages go back.  Node 0's heap must grow from node 1 then, and no
 * heap may end up with another node's pages (the guest test reads
 * goslab's verify and heap files afterwards).  On one node it only says
 * "SKIP starve".
 *
 * leak=N: allocates N objects of several sizes, fills them and never
 * frees them, printing each one's page frame numbers.  probe=pfn,...
 * (after goslab's unload, goslab not loaded): takes every free page of
 * every node and gives them back; none may be a probed one, i.e. the
 * pages under leaked objects did not go back to the page allocator.
 *
 * frag=N: fragments memory (gp_frag_fragment()) so that the
 * page allocator has plenty of free order-1 blocks (one goslab page) and
 * no larger one, then makes goslab grow N times with GFP_KERNEL (N
 * objects of 8 KiB, a span of one goslab page each) and holds them until
 * unload.  goslab's opportunistic orders (mem_opportunistic_gfp()) must
 * neither compact nor reclaim: compact_stall and allocstall in
 * /proc/vmstat stay where they were, and every object is served from the
 * order-1 blocks (the guest test reads goslab's grows and
 * heap_sys_bytes).  warm=N, loaded and unloaded before, gives goslab the
 * metadata frag=N's spans need.
 *
 * Each check prints "goslab_pressure: PASS name" or "FAIL name: why".
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmstat.h>

#include <goslab.h>
#include "../goslab/compat.h"	/* GS_MAX_PAGE_ORDER */

static bool starve;
module_param(starve, bool, 0444);
MODULE_PARM_DESC(starve, "exhaust node 0, then allocate from both CPUs");

static unsigned int rounds = 3000;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "allocations per CPU with node 0 exhausted");

static unsigned int leak;
module_param(leak, uint, 0444);
MODULE_PARM_DESC(leak, "objects allocated at load and never freed");

static unsigned int frag;
module_param(frag, uint, 0444);
MODULE_PARM_DESC(frag, "fragment memory, then grow goslab this many times");

static unsigned int warm;
module_param(warm, uint, 0444);
MODULE_PARM_DESC(warm, "allocate and free this many objects of frag's size");

static unsigned long gp_probe[64];
static unsigned int gp_nprobe;
module_param_array_named(probe, gp_probe, ulong, &gp_nprobe, 0444);
MODULE_PARM_DESC(probe, "page frame numbers no free page may have");

#define GP_WINDOW	32	/* objects a thread holds at once */
#define GP_FILL		256	/* bytes checked at each end of an object */
#define GP_MAX_LEAK	64

static const size_t gp_sizes[] = {
	8, 16, 24, 48, 100, 256, 512, 1000, 2048, 4096, 8192, 12000,
	32768, 65536, 100000, 262144, 1 << 20, 4 << 20,
};

struct gp_obj {
	u8 *p;
	size_t size;
	u8 seed;
};

struct gp_thread {
	struct task_struct *task;
	struct completion done;
	struct gp_obj objs[GP_WINDOW];
	unsigned long allocs, failed_small, failed_large, bad;
	int cpu;
};

/* GP_FILL bytes at each end, or each half of a smaller object. */
static void gp_fill(struct gp_obj *o)
{
	size_t n = min_t(size_t, o->size / 2, GP_FILL);
	size_t i;

	for (i = 0; i < n; i++) {
		o->p[i] = o->seed + i;
		o->p[o->size - 1 - i] = o->seed ^ i;
	}
}

static bool gp_intact(const struct gp_obj *o)
{
	size_t n = min_t(size_t, o->size / 2, GP_FILL);
	size_t i;

	for (i = 0; i < n; i++)
		if (o->p[i] != (u8)(o->seed + i) ||
		    o->p[o->size - 1 - i] != (u8)(o->seed ^ i))
			return false;
	return true;
}

static void gp_drop(struct gp_thread *t, struct gp_obj *o)
{
	if (!o->p)
		return;
	if (!gp_intact(o))
		t->bad++;
	goslab_free(o->p);
	o->p = NULL;
}

/*
 * Mostly small objects, a large one now and then: a 4 MiB object in
 * every round would take the whole of node 1 under TCG for nothing.
 */
static size_t gp_pick_size(u32 r)
{
	unsigned int n = ARRAY_SIZE(gp_sizes);

	if (r & 0x100)
		return gp_sizes[(r >> 12) % (n - 4)];
	return gp_sizes[(r >> 12) % n];
}

static int gp_thread_fn(void *arg)
{
	struct gp_thread *t = arg;
	unsigned int i;

	for (i = 0; i < rounds; i++) {
		u32 r = get_random_u32();
		struct gp_obj *o = &t->objs[r % GP_WINDOW];

		gp_drop(t, o);
		o->size = gp_pick_size(r);
		o->seed = r >> 24;
		o->p = (r & 0x200) ? goslab_alloc_node(o->size, GFP_KERNEL, 0) :
				     goslab_alloc(o->size, GFP_KERNEL);
		t->allocs++;
		if (!o->p) {
			/* A 4 MiB block on a fragmented node may not exist. */
			if (o->size > 32768)
				t->failed_large++;
			else
				t->failed_small++;
			continue;
		}
		gp_fill(o);
		cond_resched();
	}
	/* The last window stays live until unload: see gp_unstarve(). */
	complete(&t->done);
	return 0;
}

/* Node 0's free pages, taken until the page allocator fails. */
static unsigned long gp_take_node0(struct list_head *held)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY |
			  __GFP_NOWARN;
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_pages_node(0, gfp, 0))) {
		list_add(&page->lru, held);
		n++;
		if (!(n & 1023))
			cond_resched();
	}
	return n;
}

static void gp_give_back(struct list_head *held)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, held, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

static struct gp_thread gp_threads[2];
static LIST_HEAD(gp_held);
static bool gp_starved;

static void gp_starve(void)
{
	unsigned long held_pages, allocs = 0, fs = 0, fl = 0, bad = 0;
	int i, started = 0;

	if (num_online_nodes() < 2 || !node_online(1) || !cpu_online(1) ||
	    cpu_to_node(0) != 0) {
		pr_info("goslab_pressure: SKIP starve: needs CPU 0 on node 0 and a node 1\n");
		return;
	}
	/* For the guest test: the heap file's addresses are virtual. */
	pr_info("goslab_pressure: direct map at 0x%lx\n", PAGE_OFFSET);
	held_pages = gp_take_node0(&gp_held);
	gp_starved = true;
	pr_info("goslab_pressure: took %lu free pages of node 0\n", held_pages);
	for (i = 0; i < 2; i++) {
		struct gp_thread *t = &gp_threads[i];

		memset(t, 0, sizeof(*t));
		init_completion(&t->done);
		t->cpu = i;
		t->task = kthread_create(gp_thread_fn, t, "goslab_pressure/%d",
					 t->cpu);
		if (IS_ERR(t->task))
			break;
		kthread_bind(t->task, t->cpu);
		wake_up_process(t->task);
		started++;
	}
	for (i = 0; i < started; i++) {
		struct gp_thread *t = &gp_threads[i];

		wait_for_completion(&t->done);
		pr_info("goslab_pressure: cpu %d (node %d): %lu allocations, %lu small and %lu large failed, %lu damaged\n",
			t->cpu, cpu_to_node(t->cpu), t->allocs,
			t->failed_small, t->failed_large, t->bad);
		allocs += t->allocs;
		fs += t->failed_small;
		fl += t->failed_large;
		bad += t->bad;
	}
	if (started == 2)
		pr_info("goslab_pressure: PASS starve-threads\n");
	else
		pr_err("goslab_pressure: FAIL starve-threads: %d of 2 started\n",
		       started);
	if (held_pages)
		pr_info("goslab_pressure: PASS starve-node0\n");
	else
		pr_err("goslab_pressure: FAIL starve-node0: no page of node 0 taken\n");
	if (!fs && allocs)
		pr_info("goslab_pressure: PASS starve-alloc\n");
	else
		pr_err("goslab_pressure: FAIL starve-alloc: %lu of %lu small allocations failed\n",
		       fs, allocs);
	if (!bad)
		pr_info("goslab_pressure: PASS starve-contents\n");
	else
		pr_err("goslab_pressure: FAIL starve-contents: %lu object(s) damaged\n",
		       bad);
}

/*
 * At unload: the objects the threads left live, while node 0 is still
 * exhausted, must be intact; then node 0's pages go back.
 */
static void gp_unstarve(void)
{
	unsigned long before = 0, bad = 0;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(gp_threads); i++) {
		struct gp_thread *t = &gp_threads[i];

		before += t->bad;
		for (k = 0; k < GP_WINDOW; k++)
			gp_drop(t, &t->objs[k]);
		bad += t->bad;
	}
	gp_give_back(&gp_held);
	if (bad == before)
		pr_info("goslab_pressure: PASS starve-held\n");
	else
		pr_err("goslab_pressure: FAIL starve-held: %lu object(s) held until unload damaged\n",
		       bad - before);
}

static void *gp_leaked[GP_MAX_LEAK];

/* Objects never freed: small, tiny and large ones. */
static void gp_leak(void)
{
	static const size_t sizes[] = { 8, 200, 3000, 40000 };
	unsigned int i, n = min_t(unsigned int, leak, GP_MAX_LEAK);

	for (i = 0; i < n; i++) {
		size_t size = sizes[i % ARRAY_SIZE(sizes)];
		unsigned long pfn;
		u8 *p = goslab_alloc(size, GFP_KERNEL);

		if (!p) {
			pr_err("goslab_pressure: FAIL leak: allocation of %zu bytes failed\n",
			       size);
			return;
		}
		memset(p, 0x5a, size);
		gp_leaked[i] = p;
		for (pfn = page_to_pfn(virt_to_page(p));
		     pfn <= page_to_pfn(virt_to_page(p + size - 1)); pfn++)
			pr_info("goslab_pressure: leaked pfn %lu\n", pfn);
	}
	pr_info("goslab_pressure: PASS leak\n");
}

/* Is @pfn one of the probe=... list? */
static bool gp_probed(unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < gp_nprobe; i++)
		if (gp_probe[i] == pfn)
			return true;
	return false;
}

/*
 * Every page the page allocator can hand out, taken from each node and
 * given back: none may be a probed page (one that lay under an object
 * leaked before goslab's unload).
 */
static void gp_probe_pages(void)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY |
			  __GFP_NOWARN;
	unsigned long taken = 0, hits = 0, first = 0;
	struct page *page;
	LIST_HEAD(pages);
	int node;

	for_each_node_state(node, N_MEMORY) {
		while ((page = alloc_pages_node(node, gfp, 0))) {
			list_add(&page->lru, &pages);
			if (gp_probed(page_to_pfn(page)) && !hits++)
				first = page_to_pfn(page);
			if (!(++taken & 1023))
				cond_resched();
		}
	}
	gp_give_back(&pages);
	pr_info("goslab_pressure: took %lu free pages of every node, %lu of %u probed\n",
		taken, hits, gp_nprobe);
	if (!hits && taken)
		pr_info("goslab_pressure: PASS probe-kept\n");
	else
		pr_err("goslab_pressure: FAIL probe-kept: %lu of %u probed pages handed out again (pfn %lu first), %lu taken\n",
		       hits, gp_nprobe, first, taken);
}

/*
 * frag=N.  Blocks held to fragment memory: each on gp_frag_held by its
 * first page's lru, its order in the page's private field.
 */
static LIST_HEAD(gp_frag_held);
static void **gp_frag_objs;
static unsigned int gp_frag_got;

/* A span of one goslab page: the smallest order serves each grow. */
#define GP_FRAG_SIZE	8192

/*
 * Take every free block of @order that @gfp gets onto @list.
 * Return: how many.
 */
static unsigned long gp_frag_take(struct list_head *list, unsigned int order,
				  gfp_t gfp)
{
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_pages(gfp, order))) {
		set_page_private(page, order);
		list_add_tail(&page->lru, list);
		if (!(++n & 1023))
			cond_resched();
	}
	return n;
}

/* The single pages one CPU can take, its per-CPU lists first. */
struct gp_frag_cpu {
	struct list_head pages;
	struct completion go, done;
	unsigned long n;
};

static int gp_frag_take0(void *arg)
{
	struct gp_frag_cpu *f = arg;

	wait_for_completion(&f->go);
	f->n = gp_frag_take(&f->pages, 0,
			    __GFP_NOWARN | __GFP_NORETRY | __GFP_MEMALLOC);
	complete(&f->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Every single page left, from each CPU (a CPU's per-CPU lists hold
 * free pages the buddy allocator merges only once they drain, and only
 * that CPU takes from them), by kthreads made before @before runs
 * memory out (its count in *@first).  Return: the pages taken.
 */
static unsigned long gp_frag_singles(unsigned long (*before)(void),
				     unsigned long *first)
{
	struct gp_frag_cpu *f;
	struct task_struct **t;
	unsigned long n = 0;
	int cpu;

	f = kcalloc(nr_cpu_ids, sizeof(*f), GFP_KERNEL);
	t = kcalloc(nr_cpu_ids, sizeof(*t), GFP_KERNEL);
	if (!f || !t) {
		*first = before();
		goto out;
	}
	for_each_online_cpu(cpu) {
		INIT_LIST_HEAD(&f[cpu].pages);
		init_completion(&f[cpu].go);
		init_completion(&f[cpu].done);
		t[cpu] = kthread_create(gp_frag_take0, &f[cpu], "goslab_frag/%d", cpu);
		if (IS_ERR(t[cpu])) {
			t[cpu] = NULL;
			continue;
		}
		kthread_bind(t[cpu], cpu);
		wake_up_process(t[cpu]);
	}
	*first = before();
	for_each_online_cpu(cpu)
		complete(&f[cpu].go);
	for_each_online_cpu(cpu) {
		if (!t[cpu])
			continue;
		wait_for_completion(&f[cpu].done);
		kthread_stop(t[cpu]);
		list_splice_tail(&f[cpu].pages, &gp_frag_held);
		n += f[cpu].n;
	}
out:
	kfree(t);
	kfree(f);
	return n;
}

static void gp_frag_free(struct page *page)
{
	unsigned int order = page_private(page);

	list_del(&page->lru);
	set_page_private(page, 0);
	__free_pages(page, order);
}

/* Every order-1 block that is to be had without the reserves. */
static unsigned long gp_frag_take1(void)
{
	return gp_frag_take(&gp_frag_held, 1, __GFP_NOWARN | __GFP_NORETRY);
}

/*
 * Leave free order-1 blocks and nothing larger: every order-1 block is
 * taken, then the single pages left (each CPU's per-CPU lists hold
 * free pages the buddy allocator cannot merge until they drain), then
 * every larger block that is left (the reserves under the min watermark,
 * where the first loops stop), and the order-1 blocks at odd places
 * (pfn / 2 odd) go back.  The buddy of each one given back is held, ours
 * or another user's, so none merges into an order-2 block.  No flag here
 * reclaims or compacts, so the counters only see goslab's calls.
 * Return: the pages given back.
 */
static unsigned long gp_frag_fragment(void)
{
	const gfp_t gfp = __GFP_NOWARN | __GFP_NORETRY;
	unsigned long back = 0, big = 0, ones, singles;
	struct page *page, *tmp;
	int order;

	singles = gp_frag_singles(gp_frag_take1, &ones);
	for (order = GS_MAX_PAGE_ORDER; order >= 1; order--)
		big += gp_frag_take(&gp_frag_held, order, gfp | __GFP_MEMALLOC);
	list_for_each_entry_safe(page, tmp, &gp_frag_held, lru) {
		if (page_private(page) == 1 && (page_to_pfn(page) >> 1) & 1) {
			gp_frag_free(page);
			back += 2;
		}
	}
	pr_info("goslab_pressure: frag: took %lu order-1 blocks, %lu single pages and %lu blocks from the reserves, gave back %lu pages at odd order-1 places\n",
		ones, singles, big, back);
	return back;
}

/* compact_stall and the sum of allocstall over zones, as /proc/vmstat. */
static void gp_frag_counters(unsigned long *v, unsigned long *compact,
			     unsigned long *stall)
{
	int z;

	all_vm_events(v);
	*compact = 0;
#ifdef CONFIG_COMPACTION
	*compact = v[COMPACTSTALL];
#endif
	*stall = 0;
	/* FOR_ALL_ZONES(ALLOCSTALL): one item a zone, in zone order. */
	for (z = 0; z < MAX_NR_ZONES; z++)
		*stall += v[ALLOCSTALL_NORMAL - ZONE_NORMAL + z];
}

/*
 * warm=N: N objects of GP_FRAG_SIZE allocated and freed.  A load with
 * warm=N before one with frag=N leaves goslab the metadata for as many
 * spans (span structs, arena records, the arena table: blocks of its own,
 * larger than order 1), so that frag=N's counters see the heap's grows.
 */
static void gp_warm(void)
{
	void **p = kcalloc(warm, sizeof(*p), GFP_KERNEL);
	unsigned int i, got = 0;

	if (!p) {
		pr_err("goslab_pressure: FAIL warm: no memory for the test\n");
		return;
	}
	for (i = 0; i < warm; i++)
		got += !!(p[i] = goslab_alloc(GP_FRAG_SIZE, GFP_KERNEL));
	for (i = 0; i < warm; i++)
		goslab_free(p[i]);
	kfree(p);
	if (got == warm)
		pr_info("goslab_pressure: PASS warm\n");
	else
		pr_err("goslab_pressure: FAIL warm: %u of %u allocations failed\n",
		       warm - got, warm);
}

static void gp_frag(void)
{
	unsigned long c0, c1, s0, s1, back;
	unsigned long *v;
	unsigned int i;

	v = kmalloc_array(NR_VM_EVENT_ITEMS, sizeof(*v), GFP_KERNEL);
	gp_frag_objs = kcalloc(frag, sizeof(*gp_frag_objs), GFP_KERNEL);
	if (!v || !gp_frag_objs) {
		pr_err("goslab_pressure: FAIL frag-setup: no memory for the test\n");
		kfree(v);
		return;
	}
	back = gp_frag_fragment();
	gp_frag_counters(v, &c0, &s0);
	for (i = 0; i < frag; i++) {
		gp_frag_objs[i] = goslab_alloc(GP_FRAG_SIZE, GFP_KERNEL);
		if (!gp_frag_objs[i])
			break;
		memset(gp_frag_objs[i], i & 0xff, GP_FRAG_SIZE);
	}
	gp_frag_got = i;
	gp_frag_counters(v, &c1, &s1);
	kfree(v);
	pr_info("goslab_pressure: frag: %u of %u objects, compact_stall %lu -> %lu, allocstall %lu -> %lu\n",
		gp_frag_got, frag, c0, c1, s0, s1);
	if (back)
		pr_info("goslab_pressure: PASS frag-fragmented\n");
	else
		pr_err("goslab_pressure: FAIL frag-fragmented: no order-1 block given back\n");
	if (gp_frag_got == frag)
		pr_info("goslab_pressure: PASS frag-served\n");
	else
		pr_err("goslab_pressure: FAIL frag-served: object %u of %u failed\n",
		       gp_frag_got, frag);
	if (c1 == c0)
		pr_info("goslab_pressure: PASS frag-no-compact-stall\n");
	else
		pr_err("goslab_pressure: FAIL frag-no-compact-stall: compact_stall moved by %lu\n",
		       c1 - c0);
	if (s1 == s0)
		pr_info("goslab_pressure: PASS frag-no-allocstall\n");
	else
		pr_err("goslab_pressure: FAIL frag-no-allocstall: allocstall moved by %lu\n",
		       s1 - s0);
}

/* At unload: the objects must be intact; then the blocks go back. */
static void gp_unfrag(void)
{
	struct page *page, *tmp;
	unsigned int i, bad = 0;

	for (i = 0; i < gp_frag_got; i++) {
		if (memchr_inv(gp_frag_objs[i], i & 0xff, GP_FRAG_SIZE))
			bad++;
		goslab_free(gp_frag_objs[i]);
	}
	kfree(gp_frag_objs);
	list_for_each_entry_safe(page, tmp, &gp_frag_held, lru)
		gp_frag_free(page);
	if (!bad)
		pr_info("goslab_pressure: PASS frag-held\n");
	else
		pr_err("goslab_pressure: FAIL frag-held: %u object(s) damaged\n",
		       bad);
}

static int __init goslab_pressure_init(void)
{
	if (starve)
		gp_starve();
	if (warm)
		gp_warm();
	if (frag)
		gp_frag();
	if (leak)
		gp_leak();
	if (gp_nprobe)
		gp_probe_pages();
	return 0;
}

/* The leaked objects stay leaked: that is the point. */
static void __exit goslab_pressure_exit(void)
{
	if (gp_starved)
		gp_unstarve();
	if (gp_frag_objs)
		gp_unfrag();
}

module_init(goslab_pressure_init);
module_exit(goslab_pressure_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab under memory pressure: a starved node, fragmented memory, leaks at unload");
