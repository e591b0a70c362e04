// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_example: a client of goslab that includes only <goslab.h>.
 *
 * At load it uses the API from process context, from a timer (softirq)
 * and from an hrtimer (hard IRQ) on every online CPU, frees objects on
 * CPUs and in contexts other than those that allocated them, checks every
 * byte it wrote, and checks goslab_alloc_node() placement on each online
 * node.  Each check prints "goslab_example: PASS name" or "FAIL name: why";
 * the load fails with -EIO if any check failed.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/timer.h>
#include <linux/hrtimer.h>
#include <linux/llist.h>
#include <linux/random.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/nodemask.h>
#include <linux/smp.h>

#include <goslab.h>

#include "gs_check.h"

static unsigned int rounds = 200;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "timer and hrtimer rounds per CPU");

static unsigned int hold_count;
module_param(hold_count, uint, 0444);
MODULE_PARM_DESC(hold_count, "objects to keep allocated until unload");

static unsigned int hold_size = 200;
module_param(hold_size, uint, 0444);
MODULE_PARM_DESC(hold_size, "size of each held object");

static bool only_hold;
module_param(only_hold, bool, 0444);
MODULE_PARM_DESC(only_hold, "run nothing but the hold (make run's footprint lines)");

static bool hold_kmalloc;
module_param(hold_kmalloc, bool, 0444);
MODULE_PARM_DESC(hold_kmalloc, "hold the objects with kmalloc(), for a comparison");

static void **held;

/* Objects handed from one context to another carry their own check. */
struct handoff {
	struct llist_node node;
	u32 size;
	u32 seed;
	u8 data[];
};

static LLIST_HEAD(handoffs);
static atomic_t irq_errors = ATOMIC_INIT(0);
static atomic_t irq_allocs = ATOMIC_INIT(0);

static u8 pattern(u32 seed, size_t i)
{
	return (u8)(seed * 31 + i * 7 + 1);
}

static void fill(u8 *p, size_t n, u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pattern(seed, i);
}

static bool verify(const u8 *p, size_t n, u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(seed, i))
			return false;
	return true;
}

/* Allocate in atomic context; free half here, hand half to the next. */
static void atomic_round(u32 seed)
{
	static const u32 sizes[] = { 8, 24, 40, 96, 200, 512, 1000, 3000 };
	struct llist_node *list;
	struct handoff *h, *tmp;
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 sz = sizes[(seed + i) % ARRAY_SIZE(sizes)];

		h = goslab_alloc(sizeof(*h) + sz, GFP_ATOMIC);
		if (!h) {
			atomic_inc(&irq_errors);
			continue;
		}
		atomic_inc(&irq_allocs);
		h->size = sz;
		h->seed = seed + i;
		fill(h->data, sz, h->seed);
		if (i & 1) {
			llist_add(&h->node, &handoffs);
			continue;
		}
		if (!verify(h->data, sz, h->seed))
			atomic_inc(&irq_errors);
		goslab_free(h);
	}
	/* Free a few objects another CPU or context handed over. */
	list = llist_del_all(&handoffs);
	llist_for_each_entry_safe(h, tmp, list, node) {
		if (!verify(h->data, h->size, h->seed))
			atomic_inc(&irq_errors);
		goslab_free(h);
	}
}

struct percpu_timers {
	struct timer_list timer;
	struct hrtimer hrtimer;
	unsigned int timer_left;
	unsigned int hrtimer_left;
	struct completion timer_done;
	struct completion hrtimer_done;
	int cpu;
};

static struct percpu_timers *timers;

static void timer_fn(struct timer_list *t)
{
	struct percpu_timers *pt = from_timer(pt, t, timer);

	atomic_round(pt->timer_left * 1000 + pt->cpu);
	if (--pt->timer_left)
		mod_timer(&pt->timer, jiffies + 1);
	else
		complete(&pt->timer_done);
}

static enum hrtimer_restart hrtimer_fn(struct hrtimer *t)
{
	struct percpu_timers *pt = container_of(t, struct percpu_timers,
						hrtimer);

	atomic_round(pt->hrtimer_left * 7777 + pt->cpu);
	if (--pt->hrtimer_left) {
		hrtimer_forward_now(t, ns_to_ktime(200 * NSEC_PER_USEC));
		return HRTIMER_RESTART;
	}
	complete(&pt->hrtimer_done);
	return HRTIMER_NORESTART;
}

static void start_hrtimer(void *arg)
{
	struct percpu_timers *pt = arg;

	hrtimer_start(&pt->hrtimer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED);
}

static void test_irq_contexts(void)
{
	struct handoff *h, *tmp;
	struct llist_node *list;
	int cpu, n = 0;

	timers = kcalloc(nr_cpu_ids, sizeof(*timers), GFP_KERNEL);
	if (!timers) {
		CHECK("irq-contexts", false, "no memory for timers");
		return;
	}
	for_each_online_cpu(cpu) {
		struct percpu_timers *pt = &timers[cpu];

		pt->cpu = cpu;
		pt->timer_left = rounds;
		pt->hrtimer_left = rounds;
		init_completion(&pt->timer_done);
		init_completion(&pt->hrtimer_done);
		timer_setup(&pt->timer, timer_fn, 0);
		hrtimer_init(&pt->hrtimer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED);
		pt->hrtimer.function = hrtimer_fn;
		pt->timer.expires = jiffies + 1;
		add_timer_on(&pt->timer, cpu);
		/* The CPU may be going offline under a hotplug test. */
		if (smp_call_function_single(cpu, start_hrtimer, pt, 1))
			complete(&pt->hrtimer_done);
		n++;
	}
	/* Process context allocates and hands over meanwhile. */
	for (cpu = 0; cpu < 2000; cpu++)
		atomic_round(cpu * 13);
	/*
	 * Wait for the CPUs set up above, not the ones online now: a hotplug
	 * test may bring one online in between.
	 */
	for_each_possible_cpu(cpu) {
		if (!timers[cpu].timer.function)
			continue;
		wait_for_completion(&timers[cpu].timer_done);
		wait_for_completion(&timers[cpu].hrtimer_done);
		del_timer_sync(&timers[cpu].timer);
		hrtimer_cancel(&timers[cpu].hrtimer);
	}
	list = llist_del_all(&handoffs);
	llist_for_each_entry_safe(h, tmp, list, node) {
		if (!verify(h->data, h->size, h->seed))
			atomic_inc(&irq_errors);
		goslab_free(h);
	}
	kfree(timers);
	CHECK("irq-contexts", !atomic_read(&irq_errors),
	      "%d errors in %d allocations", atomic_read(&irq_errors),
	      atomic_read(&irq_allocs));
	pr_info("goslab_example: %d allocations from process, softirq and hardirq on %d CPUs\n",
		atomic_read(&irq_allocs), n);
}

/* Every size up to past the largest class, both kinds, contents kept. */
static void test_sizes(void)
{
	unsigned int bad = 0, n = 0;
	size_t size;

	for (size = 1; size <= 70000; size += size < 256 ? 1 : size / 16) {
		u8 *a = goslab_alloc(size, GFP_KERNEL);
		u8 *b = goslab_alloc_noscan(size, GFP_KERNEL | __GFP_ZERO);
		size_t i;

		n++;
		if (!a || !b || goslab_usable_size(a) < size ||
		    goslab_usable_size(b) < size) {
			bad++;
		} else {
			for (i = 0; i < size; i++)
				if (b[i])
					break;
			if (i != size)
				bad++;
			fill(a, size, size);
			fill(b, size, ~size);
			if (!verify(a, size, size) || !verify(b, size, ~size))
				bad++;
		}
		goslab_free(a);
		goslab_free(b);
	}
	CHECK("sizes", !bad, "%u of %u sizes failed", bad, n);
}

static void test_many(void)
{
	const unsigned int nr = 10000;
	unsigned int i, bad = 0;
	void **objs;

	objs = kvmalloc_array(nr, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		CHECK("many", false, "no memory");
		return;
	}
	for (i = 0; i < nr; i++) {
		size_t sz = 1 + (get_random_u32() % 2048);

		objs[i] = goslab_alloc(sz, GFP_KERNEL);
		if (objs[i])
			fill(objs[i], min_t(size_t, sz, 16), i);
		else
			bad++;
	}
	/* Free in random order. */
	for (i = nr - 1; i > 0; i--) {
		unsigned int j = get_random_u32() % (i + 1);

		swap(objs[i], objs[j]);
	}
	for (i = 0; i < nr; i++)
		goslab_free(objs[i]);
	kvfree(objs);
	CHECK("many", !bad, "%u allocations failed", bad);
}

static void test_api(void)
{
	void *bulk[64];
	char *p, *q;
	int i, ok;

	CHECK("zero-size", goslab_alloc(0, GFP_KERNEL) == ZERO_SIZE_PTR,
	      "size 0 did not give ZERO_SIZE_PTR");
	goslab_free(NULL);
	goslab_free(ZERO_SIZE_PTR);
	CHECK("array-overflow",
	      !goslab_alloc_array(SIZE_MAX / 2, 3, GFP_KERNEL), "no NULL");
	p = goslab_alloc(40, GFP_KERNEL);
	ok = !!p;
	if (p) {
		fill((u8 *)p, 40, 5);
		q = goslab_realloc(p, 4000, GFP_KERNEL);
		ok = q && verify((u8 *)q, 40, 5);
		goslab_free(q ? q : p);
	}
	CHECK("realloc", ok, "contents lost");
	ok = goslab_alloc_bulk(256, GFP_KERNEL, ARRAY_SIZE(bulk), bulk) ==
	     ARRAY_SIZE(bulk);
	for (i = 0; ok && i < ARRAY_SIZE(bulk); i++)
		memset(bulk[i], i, 256);
	if (ok)
		goslab_free_bulk(ARRAY_SIZE(bulk), bulk);
	CHECK("bulk", ok, "bulk allocation failed");
	p = goslab_alloc(GOSLAB_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
	CHECK("too-big", !p, "an over-large request succeeded");
	goslab_free(p);
	p = goslab_alloc(64, GFP_KERNEL | __GFP_DMA | __GFP_NOWARN);
	CHECK("dma-refused", !p, "__GFP_DMA gave memory goslab cannot place");
	goslab_free(p);
	ok = 1;
	for (i = 1; i <= 100000; i = i * 3 + 1) {
		p = goslab_alloc(i, GFP_KERNEL);
		ok = p && goslab_usable_size(p) == goslab_size_roundup(i);
		goslab_free(p);
		if (!ok)
			break;
	}
	CHECK("size-roundup", ok, "goslab_size_roundup(%d) is not the usable size", i);
	p = goslab_alloc(64, GFP_KERNEL);
	if (p) {
		fill((u8 *)p, 64, 9);
		goslab_free_sensitive(p);
	}
	CHECK("free-sensitive", p, "no memory");
}

static void test_nodes(void)
{
	unsigned int bad = 0, n = 0;
	int node, i;

	for_each_online_node(node) {
		if (!node_state(node, N_MEMORY))
			continue;
		for (i = 0; i < 100; i++) {
			void *p = goslab_alloc_node(64 + i * 40, GFP_KERNEL, node);

			n++;
			if (!p || page_to_nid(virt_to_page(p)) != node)
				bad++;
			goslab_free(p);
		}
	}
	CHECK("alloc-node", !bad, "%u of %u objects off their node", bad, n);
	pr_info("goslab_example: alloc_node checked on %d node(s)\n",
		num_online_nodes());
}

/* Keep hold_count objects so that debugfs can be checked against them. */
static void test_hold(void)
{
	unsigned int i;

	if (!hold_count)
		return;
	held = kvcalloc(hold_count, sizeof(*held), GFP_KERNEL);
	for (i = 0; held && i < hold_count; i++) {
		held[i] = hold_kmalloc ? kmalloc(hold_size, GFP_KERNEL) :
			  goslab_alloc(hold_size, GFP_KERNEL);
		if (!held[i])
			break;
		fill(held[i], hold_size, i);
	}
	CHECK("hold", held && i == hold_count, "held %u of %u", i, hold_count);
}

static void free_held(void)
{
	unsigned int i, bad = 0;

	if (!held)
		return;
	for (i = 0; i < hold_count && held[i]; i++) {
		if (!verify(held[i], hold_size, i))
			bad++;
		if (hold_kmalloc)
			kfree(held[i]);
		else
			goslab_free(held[i]);
	}
	kvfree(held);
	held = NULL;
	if (bad)
		pr_err("goslab_example: FAIL held objects: %u corrupted\n", bad);
}

static int __init goslab_example_init(void)
{
	int ret;

	if (only_hold) {
		test_hold();
		return gs_failed ? (free_held(), -EIO) : 0;
	}
	test_api();
	test_sizes();
	test_many();
	test_nodes();
	test_irq_contexts();
	test_hold();
	ret = gs_check_done();
	if (ret)
		free_held();
	return ret;
}

static void __exit goslab_example_exit(void)
{
	free_held();
}

module_init(goslab_example_init);
module_exit(goslab_example_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab example client: the API from every context");
