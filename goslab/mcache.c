// SPDX-License-Identifier: GPL-2.0
/*
 * mcache: Go's per-P cache (runtime/mcache.go), here one per CPU and
 * context level (task, softirq, hardirq; see struct mcache).  It holds
 * one span per span class and the tiny block.  An mcache is only used by
 * its own context on its own CPU with preemption off; the central lists
 * and the heap take IRQ-safe spinlocks and never sleep in here.  A refill
 * that needs the buddy allocator with a blocking gfp returns -EAGAIN,
 * and the caller grows the heap after re-enabling preemption.  It calls
 * the central lists, the heap (large spans) and the leaves; steps 3 and 4
 * of malloc.c's overview and the remote free (b) are here.
 */
#include <linux/err.h>
#include <linux/smp.h>
#include <linux/cpu.h>
#include <linux/workqueue.h>
#include <linux/topology.h>
#include <linux/percpu.h>

#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "mspan.h"
#include "kasan.h"

struct mcache __percpu *mcache_task;
struct mcache __percpu *mcache_softirq;
struct mcache __percpu *mcache_hardirq;

/*
 * Go's emptymspan: a span with nothing free, so the fast path needs no
 * NULL check; next_free_index() on it returns nelems (0) at once.
 */
struct mspan emptymspan;

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void (*mcache_test_hook)(const void *block);
#endif

/*
 * A release that found its tiny block empty, before the block is back in
 * its span: the KUnit suites stop it here to stage a racing free
 * (badfree_test.c).
 */
static __always_inline void mcache_test_released(const void *block)
{
#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
	void (*hook)(const void *block) = READ_ONCE(mcache_test_hook);

	if (unlikely(hook))
		hook(block);
#endif
}

/**
 * mcache_commit_remote - count the frees @c batched for another owner's span
 * @c: this context's mcache, preemption off (or a dead CPU's)
 */
void mcache_commit_remote(struct mcache *c)
{
	struct mspan *s = c->rfspan;

	if (s) {
		c->rfspan = NULL;
		mcentral_commit_frees(s, c->rfcount);
	}
}

/**
 * mcache_release_tiny - the mcache stops packing into @block
 * @s: the block's span
 * @block: the block's address
 * @sentinel: the mcache's packing offset, where the block's sentinel is
 * @packed: the start bit of an object packed into the block's last bytes
 *	with the release (a pack that fills it, alloc_tiny()), or 0
 *
 * Under the block's lock, where frees decide on the block: the sentinel
 * goes.  A block with objects left is no longer held: its claim ends,
 * before its starts lose the sentinel (mspan.h).  An empty one is free:
 * claimed since the mcache took it, it goes back to its span, whose
 * sweep ends the claim; a free of its first object racing with that
 * finds the claim (mfree_lookup()) and is reported.
 */
void mcache_release_tiny(struct mspan *s, unsigned long block,
			 unsigned int sentinel, u16 packed)
{
	raw_spinlock_t *lock = tiny_block_lock(block);
	unsigned int idx = tiny_block_index(s, block);
	u16 *ref = tiny_ref(s, block);
	unsigned long flags;
	u16 r;

	raw_spin_lock_irqsave(lock, flags);
	/* Frees wait for the lock; only this mcache packs into the block. */
	r = (READ_ONCE(*ref) & ~TINY_START(sentinel)) | packed;
	if (r) {
		clear_bit(idx, s->claim_bits);
		/* Pairs with the smp_rmb() in tiny_read(). */
		smp_mb__after_atomic();
	}
	WRITE_ONCE(*ref, r);
	raw_spin_unlock_irqrestore(lock, flags);
	if (r)
		return;
	mcache_test_released((void *)block);
	mcache_stats_get()->nfree[GS_TINY_SPANCLASS]++;
	mcache_stats_put();
	gs_kasan_free((void *)block, GS_TINY_SIZE);
	mcentral_free_object(s, block, idx, _RET_IP_);
}

/* Give a cached span back to its central list. */
static void mcache_uncache(struct mspan *s)
{
	mspan_drain_local(s);
	mcentral_uncache_span(mcentral_of(s->node, s->spanclass), s);
}

/* refill()'s answer when the object comes from the central list itself. */
#define REFILL_SHARED	1

/*
 * refill - give back the current span of @spc and cache one with room
 * Pending frees to the current span are merged in place first: reusing
 * it costs no trip to the central list.  While the class shares its
 * spans (mcentral_shares()) no span is cached: REFILL_SHARED, and the
 * caller takes one object from the central list.
 */
static int refill(struct mcache *c, unsigned int spc, gfp_t gfp)
{
	struct mspan *s = c->alloc[spc], *old = NULL;
	int node = numa_mem_id();
	struct mcentral *mc = mcentral_of(node, spc);

	if (s != &emptymspan) {
		mspan_drain_local(s);
		if (mspan_pending(atomic_long_read(&s->freestate))) {
			mspan_sweep(s);
			if (s->alloc_count < s->nelems) {
				c->stats.refills++;
				return 0;
			}
		}
		c->alloc[spc] = &emptymspan;
		/* Same central list: give back and take in one lock round. */
		if (s->node == node && !mcentral_shares(mc))
			old = s;
		else
			mcentral_uncache_span(mcentral_of(s->node, spc), s);
	}
	if (mcentral_shares(mc) && !old)
		return REFILL_SHARED;
	s = mcentral_cache_span(mc, old, gfp, 0);
	if (IS_ERR(s))
		return PTR_ERR(s);
	c->alloc[spc] = s;
	c->stats.refills++;
	return 0;
}

/**
 * mcache_next_free - Go's nextFree: the slow path under next_free_fast
 * @c: this CPU's mcache for the current context, preemption off
 * @spc: span class
 * @gfp: the allocation's flags
 * @sp: set to the span the object came from
 * @err: set on failure: -EAGAIN (grow with preemption on and retry) or
 *	-ENOMEM
 *
 * The object comes from the cached span, or from the central list
 * while the class shares its spans; then *@sp is not cached, and its
 * needzero must be read with READ_ONCE() (mcentral_alloc_one()).
 * Return: the object's address, or 0.
 */
unsigned long mcache_next_free(struct mcache *c, unsigned int spc, gfp_t gfp,
			       struct mspan **sp, int *err)
{
	struct mspan *s = c->alloc[spc];
	unsigned int idx;

	idx = next_free_index(s);
	if (idx == s->nelems) {
		*err = refill(c, spc, gfp);
		if (*err == REFILL_SHARED) {
			/*
			 * This context's frees to the class's shared spans
			 * are remote frees, batched: counted first, they
			 * are merged by the central list's sweep and can be
			 * handed out again now, as an owner's LIFO would
			 * (debug mode finds a write after free there).
			 */
			mcache_commit_remote(c);
			*err = 0;
			return mcentral_alloc_shared(mcentral_of(numa_mem_id(),
								 spc),
						     gfp, sp, err);
		}
		if (*err)
			return 0;
		s = c->alloc[spc];
		idx = next_free_index(s);
		if (WARN_ON_ONCE(idx >= s->nelems)) {
			*err = -ENOMEM;
			return 0;
		}
	}
	/* Read racily by remote frees' committers: mspan_live_count(). */
	WRITE_ONCE(s->alloc_count, s->alloc_count + 1);
	*sp = s;
	return mspan_obj_addr(s, idx);
}

/*
 * Pages in parked large spans, every CPU: summed on demand (shrinker
 * count, debugfs), so parking needs no shared counter.  A span taken
 * meanwhile may be counted once more; span structs stay mapped.
 */
unsigned long mcache_parked_pages(void)
{
	unsigned long n = 0;
	struct mspan *s;
	int cpu;

	for_each_possible_cpu(cpu) {
		s = READ_ONCE(per_cpu_ptr(mcache_task, cpu)->large);
		if (s)
			n += READ_ONCE(s->npages);
	}
	return n;
}

/**
 * mcache_take_large - this CPU's parked large span, if it fits
 * @npages: the pages wanted
 * @node: the node they must be on
 *
 * The slot is exchanged atomically, so an interrupt, the shrinker or a
 * flush on another CPU may take the span at any time: whoever exchanges
 * it out owns it.  A span of another size goes back, or to the heap.
 * Return: the span, still in use with its object freed, or NULL.
 */
struct mspan *mcache_take_large(unsigned int npages, int node)
{
	struct mcache *c;
	struct mspan *s;

	preempt_disable();
	c = this_cpu_ptr(mcache_task);
	/*
	 * What mcache_park_large() keeps: a size this CPU allocates.  A
	 * free in an interrupt on this CPU may read it meanwhile.
	 */
	WRITE_ONCE(c->large_npages, npages);
	s = READ_ONCE(c->large) ? xchg(&c->large, NULL) : NULL;
	if (s && (s->npages != npages || s->node != node)) {
		if (cmpxchg(&c->large, NULL, s)) {
			preempt_enable();
			mheap_free(s);
			return NULL;
		}
		s = NULL;
	}
	preempt_enable();
	return s;
}

/**
 * mcache_park_large - keep a freed large span on this CPU
 * @s: an in-use large span of at most GS_LARGE_PARK_PAGES pages whose
 *	object was freed (its free_bits bit 0 set, so frees of it report)
 *
 * Only a span of the size this CPU allocated last is kept: that is the
 * pattern parking pays for, and a span of another size would only hold
 * memory.  The span parked before goes back to the heap.
 * Return: false if @s was not kept (the caller frees it).
 */
bool mcache_park_large(struct mspan *s)
{
	struct mcache *c;
	struct mspan *old;

	preempt_disable();
	c = this_cpu_ptr(mcache_task);
	if (READ_ONCE(c->large_npages) != s->npages) {
		preempt_enable();
		return false;
	}
	old = xchg(&c->large, s);
	preempt_enable();
	if (old)
		mheap_free(old);
	return true;
}

/* @c's parked large span back to the heap.  Return: its pages, or 0. */
static unsigned long mcache_drop_large(struct mcache *c)
{
	struct mspan *s = xchg(&c->large, NULL);
	unsigned long n = 0;

	if (s) {
		n = s->npages;
		mheap_free(s);
	}
	return n;
}

/**
 * mcache_drain_large - every CPU's parked large span back to the heap
 *
 * For the shrinker, "flush" and unload.  Return: the pages given back.
 */
unsigned long mcache_drain_large(void)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += mcache_drop_large(per_cpu_ptr(mcache_task, cpu));
	return n;
}

/**
 * mcache_release_all - give every cached span and the tiny block back
 * @c: an mcache nothing else can touch now: see mcache_flush_local()
 */
void mcache_release_all(struct mcache *c)
{
	unsigned int spc;

	mcache_commit_remote(c);
	mcache_drop_large(c);
	if (c->tiny) {
		mcache_release_tiny(c->tinyspan, c->tiny, c->tinyoffset, 0);
		c->tiny = 0;
		c->tinyspan = NULL;
		c->tinyoffset = 0;
	}
	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		struct mspan *s = c->alloc[spc];

		if (s == &emptymspan)
			continue;
		c->alloc[spc] = &emptymspan;
		mcache_uncache(s);
	}
}

/* All three mcaches of @cpu, which must be dead or be this CPU. */
static void mcache_release_cpu(int cpu)
{
	unsigned int l;

	for (l = 0; l < GS_MCACHE_LEVELS; l++)
		mcache_release_all(mcache_of(cpu, l));
	/* That CPU is this one or dead: its counter is ours to bump. */
	per_cpu_ptr(mcache_task, cpu)->stats.flushes++;
}

/*
 * Runs in a kworker on the CPU.  With preemption, softirqs and hardirqs
 * off, no context of this CPU can be inside its mcache: tasks cannot be
 * preempted there, and softirq and hardirq code always runs to the end
 * before the interrupted task resumes.
 */
static long mcache_flush_local(void *unused)
{
	unsigned long flags;

	local_bh_disable();
	local_irq_save(flags);
	mcache_release_cpu(smp_processor_id());
	local_irq_restore(flags);
	local_bh_enable();
	return 0;
}

/*
 * Give back what @c has not allocated from since the last pass: cached
 * spans of idle classes, an idle tiny block, an idle parked large span.
 * Go flushes every mcache at each GC; goslab has no GC, so an mcache
 * keeps a span only while its class is in use.
 */
static void mcache_trim(struct mcache *c)
{
	unsigned int spc;

	mcache_commit_remote(c);
	if (c->stats.large_allocs == c->idle_large)
		mcache_drop_large(c);
	c->idle_large = c->stats.large_allocs;
	if (c->tiny && c->stats.tiny_allocs == c->idle_tiny) {
		mcache_release_tiny(c->tinyspan, c->tiny, c->tinyoffset, 0);
		c->tiny = 0;
		c->tinyspan = NULL;
		c->tinyoffset = 0;
	}
	c->idle_tiny = c->stats.tiny_allocs;
	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
		struct mspan *s = c->alloc[spc];

		if (s != &emptymspan && c->stats.nmalloc[spc] == c->idle_mark[spc]) {
			c->alloc[spc] = &emptymspan;
			mcache_uncache(s);
		}
		c->idle_mark[spc] = c->stats.nmalloc[spc];
	}
}

/* As mcache_flush_local(), for the idle pass. */
static long mcache_trim_local(void *unused)
{
	unsigned long flags;
	unsigned int l;

	local_bh_disable();
	local_irq_save(flags);
	for (l = 0; l < GS_MCACHE_LEVELS; l++)
		mcache_trim(mcache_of(smp_processor_id(), l));
	local_irq_restore(flags);
	local_bh_enable();
	return 0;
}

/**
 * mcache_trim_idle - on every online CPU, give back what each context
 *	has not used since the last call; sleeps
 */
void mcache_trim_idle(void)
{
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		work_on_cpu(cpu, mcache_trim_local, NULL);
	cpus_read_unlock();
}

/**
 * mcache_flush_all - drain every online CPU's caches; sleeps
 *
 * Then the empty spans the central lists kept go back to the heap too:
 * after a flush nothing is cached anywhere.
 */
void mcache_flush_all(void)
{
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		work_on_cpu(cpu, mcache_flush_local, NULL);
	cpus_read_unlock();
	mcentral_release_empty(NUMA_NO_NODE);
}

/**
 * mcache_drain_dead_cpu - drain a CPU that went offline
 * @cpu: the dead CPU; nothing runs there, so its caches are free to take
 */
void mcache_drain_dead_cpu(int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	mcache_release_cpu(cpu);
	local_irq_restore(flags);
}

/**
 * mcache_sum_stats - every CPU's counters summed
 * @sum: filled in; each context's mcache has its own counters
 */
void mcache_sum_stats(struct mcache_stats *sum)
{
	unsigned int i, l;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		for (l = 0; l < GS_MCACHE_LEVELS; l++) {
			const struct mcache_stats *st = &mcache_of(cpu, l)->stats;

			for (i = 0; i < GOSLAB_NUM_SPAN_CLASSES; i++) {
				sum->nmalloc[i] += READ_ONCE(st->nmalloc[i]);
				sum->nfree[i] += READ_ONCE(st->nfree[i]);
			}
			sum->tiny_allocs += READ_ONCE(st->tiny_allocs);
			sum->tiny_frees += READ_ONCE(st->tiny_frees);
			sum->large_allocs += READ_ONCE(st->large_allocs);
			sum->large_bytes += READ_ONCE(st->large_bytes);
			sum->large_frees += READ_ONCE(st->large_frees);
			sum->refills += READ_ONCE(st->refills);
			sum->flushes += READ_ONCE(st->flushes);
		}
	}
}

static void mcache_init_one(struct mcache *c)
{
	int spc;

	memset(c, 0, sizeof(*c));
	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++)
		c->alloc[spc] = &emptymspan;
}

static void mcache_free_percpu(void)
{
	free_percpu(mcache_task);
	free_percpu(mcache_softirq);
	free_percpu(mcache_hardirq);
	mcache_task = NULL;
	mcache_softirq = NULL;
	mcache_hardirq = NULL;
}

int mcache_init(void)
{
	int cpu;

	mcache_task = alloc_percpu(struct mcache);
	mcache_softirq = alloc_percpu(struct mcache);
	mcache_hardirq = alloc_percpu(struct mcache);
	if (!mcache_task || !mcache_softirq || !mcache_hardirq) {
		mcache_free_percpu();
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		mcache_init_one(per_cpu_ptr(mcache_task, cpu));
		mcache_init_one(per_cpu_ptr(mcache_softirq, cpu));
		mcache_init_one(per_cpu_ptr(mcache_hardirq, cpu));
	}
	return 0;
}

/* Module exit: every CPU's caches, online or not, go back. */
void mcache_exit(void)
{
	int cpu;

	mcache_flush_all();
	cpus_read_lock();
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			mcache_drain_dead_cpu(cpu);
	cpus_read_unlock();
}

/* After mcache_exit(), once nothing can reach the counters any more. */
void mcache_destroy(void)
{
	mcache_free_percpu();
}
