// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/goslab/: goslab's runtime.MemStats, per-class and
 * per-CPU views, a verify walk and the tunables.  Each file is a table
 * with a header line; Documentation/debugfs.rst describes every field.
 *
 * Fast-path counters are per CPU and summed here, so observing costs the
 * allocator nothing.  Per-CPU caches are read by their own CPU (an IPI),
 * lists and heaps under their locks: each line is a consistent snapshot.
 * An observer: it may use every layer.  malloc.c has the overview.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kstrtox.h>
#include <linux/nodemask.h>
#include <linux/cpumask.h>
#include <linux/cpu.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <linux/string.h>

#include "nmifree.h"
#include "rcufree.h"
#include "debugfs.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "scavenge.h"
#include "arena.h"
#include "mspan.h"
#include "mem.h"
#include "report.h"
#include "reclaim.h"
#include "sizeclasses.h"

static struct dentry *goslab_debugfs_root;

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

static int stats_show(struct seq_file *m, void *v)
{
	struct mcache_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long objs = 0, bytes = 0, mallocs = 0, frees = 0;
	unsigned long spans = 0, released = 0, meta_inuse, meta_sys;
	struct mheap_totals t;
	unsigned int spc;
	int node;

	if (!st)
		return -ENOMEM;
	mcache_sum_stats(st);
	mheap_totals(&t);
	for (spc = 2; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		unsigned long live = st->nmalloc[spc] - st->nfree[spc];

		/* Tiny blocks count as one 16-byte object each. */
		objs += live;
		bytes += live * class_to_size[spanclass_sizeclass(spc)];
		mallocs += st->nmalloc[spc];
		frees += st->nfree[spc];
	}
	for_each_node(node) {
		for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
			struct mcentral *c = mcentral_of(node, spc);

			spans += READ_ONCE(c->nmalloc_spans);
			released += READ_ONCE(c->released);
		}
	}
	mheap_meta_usage(&meta_inuse, &meta_sys);

	seq_puts(m, "field value\n");
	seq_printf(m, "sys_bytes %lu\n", mem_pages() << PAGE_SHIFT);
	seq_printf(m, "heap_sys_bytes %lu\n", t.owned << GOSLAB_PAGE_SHIFT);
	seq_printf(m, "heap_inuse_bytes %lu\n", t.inuse << GOSLAB_PAGE_SHIFT);
	seq_printf(m, "heap_idle_bytes %lu\n", t.free << GOSLAB_PAGE_SHIFT);
	seq_printf(m, "heap_released_bytes %lu\n", t.released);
	seq_printf(m, "arenas %lu\n", t.arenas);
	seq_printf(m, "grows %lu\n", t.grows);
	seq_printf(m, "releases %lu\n", t.releases);
	seq_printf(m, "scavenger_runs %lu\n", scavenge_runs());
	seq_printf(m, "small_objects %lu\n", objs);
	seq_printf(m, "small_bytes %lu\n", bytes);
	seq_printf(m, "small_mallocs %lu\n", mallocs);
	seq_printf(m, "small_frees %lu\n", frees);
	seq_printf(m, "tiny_allocs %lu\n", st->tiny_allocs);
	seq_printf(m, "tiny_frees %lu\n", st->tiny_frees);
	seq_printf(m, "large_objects %lu\n", st->large_allocs - st->large_frees);
	seq_printf(m, "large_bytes %lu\n", st->large_bytes);
	seq_printf(m, "large_allocs %lu\n", st->large_allocs);
	seq_printf(m, "large_frees %lu\n", st->large_frees);
	seq_printf(m, "large_parked_bytes %lu\n",
		   mcache_parked_pages() << GOSLAB_PAGE_SHIFT);
	seq_printf(m, "metadata_inuse_bytes %lu\n", meta_inuse);
	seq_printf(m, "metadata_sys_bytes %lu\n", meta_sys);
	seq_printf(m, "span_refills %lu\n", st->refills);
	seq_printf(m, "spans_to_mcache %lu\n", spans);
	seq_printf(m, "spans_released %lu\n", released);
	seq_printf(m, "flushes %lu\n", st->flushes);
	seq_printf(m, "bad_frees %lu\n", atomic_long_read(&report_stats.bad_frees));
	seq_printf(m, "injected_failures %lu\n", mem_injected());
	seq_printf(m, "debug_reports %lu\n",
		   atomic_long_read(&report_stats.debug_reports));
	seq_printf(m, "foreign_frees %lu\n",
		   atomic_long_read(&report_stats.foreign_frees));
	seq_printf(m, "nmi_frees %lu\n",
		   atomic_long_read(&nmifree_stats.deferred));
	seq_printf(m, "nmi_dropped %lu\n",
		   atomic_long_read(&nmifree_stats.dropped));
	seq_printf(m, "rcu_frees %lu\n",
		   atomic_long_read(&rcufree_stats.queued));
	seq_printf(m, "rcu_pending %ld\n",
		   atomic_long_read(&rcufree_stats.queued) -
		   atomic_long_read(&rcufree_stats.freed));
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int classes_show(struct seq_file *m, void *v)
{
	struct mcache_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int spc;
	int node;

	if (!st)
		return -ENOMEM;
	mcache_sum_stats(st);
	seq_puts(m, "spanclass class noscan size objs/span cached partial full live_objs util% allocs frees refills empty\n");
	for (spc = 2; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		unsigned long cached = 0, partial = 0, full = 0, refills = 0;
		unsigned long empty = 0;
		unsigned long pages = 0;
		unsigned int sc = spanclass_sizeclass(spc);
		unsigned long live = st->nmalloc[spc] - st->nfree[spc];
		unsigned long span_bytes, util = 0, flags;

		for_each_node(node) {
			struct mcentral *c = mcentral_of(node, spc);

			spin_lock_irqsave(&c->lock, flags);
			cached += c->nr_cached;
			partial += c->nr_partial;
			full += c->nr_full;
			empty += c->nr_empty;
			refills += c->nmalloc_spans;
			pages += c->npages;
			spin_unlock_irqrestore(&c->lock, flags);
		}
		if (!st->nmalloc[spc] && !cached && !partial && !full && !empty)
			continue;
		/* Actual pages: a mid class's first span is smaller. */
		span_bytes = pages << GOSLAB_PAGE_SHIFT;
		if (span_bytes)
			util = live * class_to_size[sc] * 100 / span_bytes;
		seq_printf(m, "%9u %5u %6u %5u %9u %6lu %7lu %4lu %9lu %5lu %6lu %5lu %7lu %5lu\n",
			   spc, sc, spc & 1, class_to_size[sc], class_to_nelems[sc],
			   cached, partial, full, live, util, st->nmalloc[spc],
			   st->nfree[spc], refills, empty);
	}
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(classes);

/*
 * How full a class's listed spans are, against the fewest spans of the
 * class that would hold its live objects: where the pages go that a
 * perfect packing would not hold.  Cached spans count in pages and live
 * objects (their owner's counts are read racily, a hint), not in the
 * fill buckets.
 */
struct fill_line {
	unsigned long pages, spans, partial, full, cached, empty, live;
	unsigned long shared;		/* objects refills took one by one */
	unsigned long quarter[4];	/* partial spans by fill, in quarters */
};

static void fill_walk(struct list_head *list, struct fill_line *f,
		      bool partial)
{
	struct mspan *s;

	list_for_each_entry(s, list, list) {
		long live = mspan_live_count(s, atomic_long_read(&s->freestate));

		live = clamp_t(long, live, 0, s->nelems);
		f->live += live;
		f->spans++;
		if (partial)
			f->quarter[min_t(unsigned long, 3,
					 live * 4 / s->nelems)]++;
	}
}

static int fill_show(struct seq_file *m, void *v)
{
	unsigned int spc;
	int node;

	seq_puts(m, "spanclass class size objs/span pages spans cached partial full empty live_objs min_pages excess_pages fill0-25 fill25-50 fill50-75 fill75-100 shared\n");
	for (spc = 2; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		unsigned int sc = spanclass_sizeclass(spc);
		unsigned long flags, nelems, min_pages, grow;
		struct fill_line f = {};

		for_each_node(node) {
			struct mcentral *c = mcentral_of(node, spc);
			unsigned long before;

			spin_lock_irqsave(&c->lock, flags);
			f.pages += c->npages;
			f.cached += c->nr_cached;
			f.shared += c->nshared;
			before = f.spans;
			fill_walk(&c->partial, &f, true);
			f.partial += f.spans - before;
			before = f.spans;
			fill_walk(&c->full, &f, false);
			f.full += f.spans - before;
			before = f.spans;
			fill_walk(&c->empty, &f, false);
			f.empty += f.spans - before;
			spin_unlock_irqrestore(&c->lock, flags);
		}
		if (!f.pages)
			continue;
		/* A class in use grows by grow_npages: its objects per span. */
		grow = mcentral_of(first_node(node_states[N_POSSIBLE]),
				   spc)->grow_npages;
		nelems = (grow << GOSLAB_PAGE_SHIFT) / class_to_size[sc];
		min_pages = DIV_ROUND_UP(f.live, nelems) * grow;
		seq_printf(m, "%9u %5u %5u %9lu %5lu %5lu %6lu %7lu %4lu %5lu %9lu %9lu %12ld %8lu %9lu %9lu %10lu %6lu\n",
			   spc, sc, class_to_size[sc], nelems, f.pages,
			   f.spans + f.cached, f.cached, f.partial, f.full,
			   f.empty, f.live, min_pages,
			   (long)f.pages - (long)min_pages, f.quarter[0],
			   f.quarter[1], f.quarter[2], f.quarter[3], f.shared);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fill);

static int heap_show(struct seq_file *m, void *v)
{
	unsigned long flags;
	struct heap_arena *a;
	int node;

	seq_puts(m, "node base pages free longest_free state\n");
	for_each_node(node) {
		struct mheap *h = mheap_of(node);

		if (!h)
			continue;
		spin_lock_irqsave(&h->lock, flags);
		list_for_each_entry(a, &h->arenas, list) {
			const char *state = !a->nfree ? "full" :
					    a->nfree == a->nowned ? "free" : "partial";

			seq_printf(m, "%4d 0x%lx %5u %4u %12u %s\n", node, a->base,
				   a->nowned, a->nfree, a->sum.max, state);
		}
		spin_unlock_irqrestore(&h->lock, flags);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(heap);

struct percpu_snap {
	unsigned long spans, bytes, refills, flushes, batched, parked;
};

static void percpu_snap_one(struct percpu_snap *ps, struct mcache *c)
{
	/* Another CPU's drain may take it: read once (structs stay mapped). */
	struct mspan *large = READ_ONCE(c->large);
	unsigned int spc;

	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		struct mspan *s = c->alloc[spc];

		if (s == &emptymspan)
			continue;
		ps->spans++;
		ps->bytes += (unsigned long)(s->nelems - s->alloc_count) * s->elemsize;
	}
	ps->refills += c->stats.refills;
	if (c->rfspan)
		ps->batched += c->rfcount;
	if (large)
		ps->parked += (unsigned long)large->npages << GOSLAB_PAGE_SHIFT;
}

/*
 * Runs in a kworker on the CPU with preemption, softirqs and hardirqs
 * off, so none of its three mcaches can change under us.
 */
static long percpu_snap_fn(void *arg)
{
	struct percpu_snap *ps = arg;
	unsigned long irqf;
	unsigned int l;

	memset(ps, 0, sizeof(*ps));
	local_bh_disable();
	local_irq_save(irqf);
	for (l = 0; l < GS_MCACHE_LEVELS; l++)
		percpu_snap_one(ps, mcache_of(smp_processor_id(), l));
	ps->flushes = this_cpu_read(mcache_task->stats.flushes);
	local_irq_restore(irqf);
	local_bh_enable();
	return 0;
}

static int percpu_show(struct seq_file *m, void *v)
{
	struct percpu_snap ps;
	int cpu;

	seq_puts(m, "cpu spans_cached bytes_free_cached refills flushes batched_frees parked_bytes\n");
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		work_on_cpu(cpu, percpu_snap_fn, &ps);
		seq_printf(m, "%3d %12lu %17lu %7lu %7lu %13lu %12lu\n", cpu,
			   ps.spans, ps.bytes, ps.refills, ps.flushes, ps.batched,
			   ps.parked);
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(percpu);

/* verify: check every invariant, print OK or each violation. */
struct verify_ctx {
	struct seq_file *m;
	unsigned long errors;
};

static __printf(2, 3) void verr(struct verify_ctx *v, const char *fmt, ...)
{
	va_list args;

	v->errors++;
	if (!v->m)
		return;
	seq_puts(v->m, "VIOLATION ");
	va_start(args, fmt);
	seq_vprintf(v->m, fmt, args);
	va_end(args);
	seq_putc(v->m, '\n');
}

/*
 * A tiny span's blocks: one with start bits is handed out, never free.
 * Each block is read under its lock (tiny_block_lock()), where the
 * starts and the held state are settled; the span is uncached, so no
 * block of it is handed out meanwhile, and a free clears its last start
 * bit under the lock before it sets the block's free bit.  The lock
 * nests inside the central lock here, never the other way round.
 */
static void verify_tiny(struct verify_ctx *v, struct mspan *s)
{
	unsigned long flags, block;
	unsigned int idx;
	u16 r;

	if (s->spanclass != GS_TINY_SPANCLASS || !s->tinyrefs)
		return;
	for (idx = 0; idx < s->nelems; idx++) {
		block = mspan_obj_addr(s, idx);
		raw_spin_lock_irqsave(tiny_block_lock(block), flags);
		r = READ_ONCE(s->tinyrefs[idx]);
		if (r && !mspan_is_live(s, idx))
			verr(v, "tiny block %lx: start bits %#x, but the block is free",
			     block, r);
		raw_spin_unlock_irqrestore(tiny_block_lock(block), flags);
	}
}

static void verify_list(struct verify_ctx *v, struct mcentral *c,
			struct list_head *head, u8 where, unsigned long want)
{
	bool partial = where == MSPAN_LIST_PARTIAL;
	unsigned long n = 0;
	struct mspan *s;

	list_for_each_entry(s, head, list) {
		long fs = atomic_long_read(&s->freestate);
		unsigned int cnt = mspan_count_alloc(s);
		bool full, on_full;

		n++;
		/* The partial bit says exactly which list the span is on. */
		if (s->where != where || s->spanclass != c->spanclass ||
		    s->state != MSPAN_INUSE || (fs & MSPAN_CACHED) ||
		    !!(fs & MSPAN_PARTIAL) != partial)
			verr(v, "span %lx node %d list %u: where %u class %u state %u fs %ld",
			     s->start_addr, c->node, c->spanclass, s->where,
			     s->spanclass, s->state, fs);
		if (cnt != s->alloc_count)
			verr(v, "span %lx: alloc_count %u, bitmap says %u",
			     s->start_addr, s->alloc_count, cnt);
		if (span_of(s->start_addr) != s)
			verr(v, "span %lx: not in the arena's spans[]", s->start_addr);
		verify_tiny(v, s);
		full = s->alloc_count == s->nelems && mspan_pending(fs) <= 0;
		on_full = where == MSPAN_LIST_FULL;
		if (where == MSPAN_LIST_EMPTY && mspan_live_count(s, fs) > 0)
			verr(v, "span %lx: on the empty list, %u allocated, %ld frees pending",
			     s->start_addr, s->alloc_count, mspan_pending(fs));
		else if (full != on_full)
			verr(v, "span %lx: on list %u, %u of %u allocated, %ld frees pending",
			     s->start_addr, where, s->alloc_count, s->nelems,
			     mspan_pending(fs));
	}
	if (n != want)
		verr(v, "node %d class %u: list has %lu spans, counter says %lu",
		     c->node, c->spanclass, n, want);
}

/*
 * An owned goslab page: its pages are still goslab's alone (no kfree()
 * took a reference, mem.c) and on the heap's own node (a grow that fell
 * back to another node put its block in that node's heap, mheap_grow()).
 */
static void verify_heap_page(struct verify_ctx *v, struct mheap *h,
			     unsigned long addr)
{
	unsigned long p;

	for (p = addr; p < addr + GOSLAB_PAGE_SIZE; p += PAGE_SIZE) {
		int lost = mem_heap_refs_lost(p);

		if (lost)
			verr(v, "page %lx: %d reference(s) %s", p, abs(lost),
			     lost > 0 ? "taken by kfree()" : "held by others");
		if (page_to_nid(virt_to_page((void *)p)) != h->node)
			verr(v, "page %lx: node %d's page in node %d's heap", p,
			     page_to_nid(virt_to_page((void *)p)), h->node);
	}
}

static void verify_heap(struct verify_ctx *v, struct mheap *h)
{
	unsigned long free = 0, owned = 0, flags;
	const struct heap_arena *bad;
	struct heap_arena *a;
	const char *why;
	unsigned int k;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list) {
		struct pallocsum sum = pallocbits_summarize(&a->pages);
		unsigned int nfree = pallocbits_free_count(&a->pages);
		unsigned int nowned = bitmap_weight(a->owned, GS_PAGES_PER_ARENA);

		if (!pallocsum_equal(sum, a->sum))
			verr(v, "arena %lx: summary %u/%u/%u, recomputed %u/%u/%u",
			     a->base, a->sum.start, a->sum.max, a->sum.end,
			     sum.start, sum.max, sum.end);
		if (nfree != a->nfree || nowned != a->nowned)
			verr(v, "arena %lx: free %u owned %u, bitmaps say %u %u",
			     a->base, a->nfree, a->nowned, nfree, nowned);
		if (arena_of(a->base) != a)
			verr(v, "arena %lx: not in the arena table", a->base);
		for (k = 0; k < GS_PAGES_PER_ARENA; k++) {
			struct mspan *s = a->spans[k];
			bool used = a->pages.w[k / 64] & BIT_ULL(k % 64);

			/*
			 * A span's state turns to in use just after the heap
			 * lock is dropped (mheap_alloc()), so only page use
			 * is checked here.
			 */
			if (s && !used)
				verr(v, "arena %lx page %u: span on a free page",
				     a->base, k);
			if (!s && used && test_bit(k, a->owned))
				verr(v, "arena %lx page %u: in use without a span",
				     a->base, k);
			if (test_bit(k, a->owned))
				verify_heap_page(v, h, a->base +
						 ((unsigned long)k << GOSLAB_PAGE_SHIFT));
		}
		free += a->nfree;
		owned += a->nowned;
	}
	if (free != h->pages_free || owned != h->pages_owned)
		verr(v, "node %d: free %lu owned %lu, arenas say %lu %lu",
		     h->node, h->pages_free, h->pages_owned, free, owned);
	why = mheap_index_check(h, &bad);
	if (why)
		verr(v, "node %d: arena index: %s (arena %lx)", h->node, why,
		     bad ? bad->base : 0);
	spin_unlock_irqrestore(&h->lock, flags);
}

/**
 * goslab_verify - check every invariant, as reading the verify file does
 * @m: where each violation is printed, or NULL to only count them
 *
 * Return: the number of violations found.
 */
unsigned long goslab_verify(struct seq_file *m)
{
	struct verify_ctx ctx = { .m = m };
	unsigned long flags;
	unsigned int spc;
	int node;

	for_each_node(node) {
		if (!mheap_of(node))
			continue;
		for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
			struct mcentral *c = mcentral_of(node, spc);

			spin_lock_irqsave(&c->lock, flags);
			verify_list(&ctx, c, &c->partial, MSPAN_LIST_PARTIAL,
				    c->nr_partial);
			verify_list(&ctx, c, &c->full, MSPAN_LIST_FULL, c->nr_full);
			verify_list(&ctx, c, &c->empty, MSPAN_LIST_EMPTY,
				    c->nr_empty);
			spin_unlock_irqrestore(&c->lock, flags);
		}
		verify_heap(&ctx, mheap_of(node));
	}
	return ctx.errors;
}

static int verify_show(struct seq_file *m, void *v)
{
	unsigned long errors = goslab_verify(m);

	if (!errors)
		seq_puts(m, "OK\n");
	else
		seq_printf(m, "%lu violation(s)\n", errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(verify);

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/**
 * goslab_debugfs_show - print one of the read-only files into @m
 * @name: the file's name under /sys/kernel/debug/goslab/
 * @m: a seq_file, for the tests one over a plain buffer
 *
 * Lets the KUnit suites check exactly what a reader of the file sees.
 * Return: what the file's show function returns, -ENOENT for no such file.
 */
int goslab_debugfs_show(const char *name, struct seq_file *m)
{
	static const struct {
		const char *name;
		int (*show)(struct seq_file *m, void *v);
	} files[] = {
		{ "sizeclasses", sizeclasses_show },
		{ "stats", stats_show },
		{ "classes", classes_show },
		{ "heap", heap_show },
		{ "percpu", percpu_show },
		{ "verify", verify_show },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (!strcmp(name, files[i].name))
			return files[i].show(m, NULL);
	return -ENOENT;
}
#endif

/*
 * Tunables: one number each, in [min, max]; anything else, including a
 * trailing word, is -EINVAL with no effect at all.
 */
struct tunable {
	u64 min, max;
	u64 (*get)(void);		/* NULL: write-only trigger */
	int (*set)(u64 val);		/* 0, or -EINVAL for no effect */
};

static int parse_u64(const char __user *buf, size_t len, u64 *val)
{
	char tmp[24];

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	if (copy_from_user(tmp, buf, len))
		return -EFAULT;
	tmp[len] = 0;
	return kstrtou64(strim(tmp), 0, val);
}

static ssize_t tunable_write(struct file *f, const char __user *buf,
			     size_t len, loff_t *pos)
{
	const struct tunable *t = f->private_data;
	u64 val;

	if (parse_u64(buf, len, &val) || val < t->min || val > t->max)
		return -EINVAL;
	return t->set(val) ?: len;
}

static ssize_t tunable_read(struct file *f, char __user *buf, size_t len,
			    loff_t *pos)
{
	const struct tunable *t = f->private_data;
	char tmp[24];
	int n;

	if (!t->get)
		return -EINVAL;
	n = scnprintf(tmp, sizeof(tmp), "%llu\n", t->get());
	return simple_read_from_buffer(buf, len, pos, tmp, n);
}

static const struct file_operations tunable_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = tunable_read,
	.write = tunable_write,
	.llseek = default_llseek,
};

static int flush_set(u64 val)
{
	mcache_flush_all();
	return 0;
}

static int release_set(u64 val)
{
	reclaim_release();
	return 0;
}

static u64 retain_get(void)
{
	return scavenge_retain_pages();
}

static int retain_set(u64 val)
{
	scavenge_set_retain_pages(val);
	return 0;
}

static u64 retain_shift_get(void)
{
	return scavenge_retain_shift();
}

static int retain_shift_set(u64 val)
{
	return scavenge_set_retain_shift(val);
}

static u64 grow_pages_get(void)
{
	return mheap_grow_pages();
}

static int grow_pages_set(u64 val)
{
	return mheap_set_grow_pages(val);
}

static u64 fail_pages_get(void)
{
	return mem_fail_pages();
}

static int fail_pages_set(u64 val)
{
	mem_set_fail_pages(val);
	return 0;
}

static const struct tunable flush_tunable = { 1, 1, NULL, flush_set };
static const struct tunable release_tunable = { 1, 1, NULL, release_set };

/* Up to 1 TiB of goslab pages: anything above is surely a mistake. */
static const struct tunable retain_tunable = {
	0, 1ULL << (40 - GOSLAB_PAGE_SHIFT), retain_get, retain_set
};

static const struct tunable retain_shift_tunable = {
	0, 16, retain_shift_get, retain_shift_set
};

/* A power of two up to an arena (mheap_set_grow_pages() checks). */
static const struct tunable grow_pages_tunable = {
	1, GS_PAGES_PER_ARENA, grow_pages_get, grow_pages_set
};

static const struct tunable fail_pages_tunable = {
	0, 100, fail_pages_get, fail_pages_set
};

int goslab_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir("goslab", NULL);

	goslab_debugfs_root = d;
	debugfs_create_file("sizeclasses", 0444, d, NULL, &sizeclasses_fops);
	debugfs_create_file("stats", 0444, d, NULL, &stats_fops);
	debugfs_create_file("classes", 0444, d, NULL, &classes_fops);
	debugfs_create_file("fill", 0444, d, NULL, &fill_fops);
	debugfs_create_file("heap", 0444, d, NULL, &heap_fops);
	debugfs_create_file("percpu", 0444, d, NULL, &percpu_fops);
	debugfs_create_file("verify", 0444, d, NULL, &verify_fops);
	debugfs_create_file("flush", 0200, d, (void *)&flush_tunable,
			    &tunable_fops);
	debugfs_create_file("release", 0200, d, (void *)&release_tunable,
			    &tunable_fops);
	debugfs_create_file("retain_pages", 0600, d, (void *)&retain_tunable,
			    &tunable_fops);
	debugfs_create_file("retain_shift", 0600, d,
			    (void *)&retain_shift_tunable, &tunable_fops);
	debugfs_create_file("grow_pages", 0600, d, (void *)&grow_pages_tunable,
			    &tunable_fops);
	debugfs_create_file("fail_pages", 0600, d, (void *)&fail_pages_tunable,
			    &tunable_fops);
	return 0;
}

void goslab_debugfs_exit(void)
{
	debugfs_remove_recursive(goslab_debugfs_root);
	goslab_debugfs_root = NULL;
}
