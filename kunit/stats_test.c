// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's observability (debugfs): the counters that
 * stats and classes print move by exactly what the test did, verify says
 * OK during and after a cross-CPU stress, flush empties every per-CPU
 * cache, and release brings the idle heap down to retain_pages.
 *
 * The files are read through goslab_debugfs_show() into a plain buffer, so
 * the tests see exactly what a reader of /sys/kernel/debug/goslab/ sees.
 * Nothing else in a KUnit kernel uses goslab while a case runs, so every
 * counter moves only because of the case; each case pins itself to its
 * CPU and starts from mcache_flush_all().
 */

#include <kunit/test.h>
#include <linux/rcupdate.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
#include "../goslab/scavenge.h"
#include "../goslab/mcentral.h"
#include "../goslab/mcache.h"
#include "../goslab/fixalloc.h"
#include "../goslab/mem.h"
#include "../goslab/report.h"
#include "../goslab/debug.h"
#include "../goslab/kasan.h"
#include "../goslab/reclaim.h"
#include "../goslab/debugfs.h"
#include "../goslab/export_test.h"
#include "gs_test.h"

#define ST_BUF_SIZE	(64 * 1024)

static void st_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
	/* The cases expect this CPU's mcache to cache the spans. */
	gs_test_no_share(test);
}

/* One debugfs file's text, NUL-terminated; freed with kunit_kfree(). */
static char *st_show(struct kunit *test, const char *name)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	char *buf = kunit_kmalloc(test, ST_BUF_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	m->buf = buf;
	m->size = ST_BUF_SIZE;
	KUNIT_ASSERT_EQ(test, goslab_debugfs_show(name, m), 0);
	KUNIT_ASSERT_LT_MSG(test, m->count, m->size, "%s overflows", name);
	buf[m->count] = 0;
	kunit_kfree(test, m);
	return buf;
}

/* The fields of stats the cases follow. */
enum {
	F_SYS, F_INUSE, F_IDLE, F_RELEASED, F_RELEASES,
	F_SOBJ, F_SBYTES, F_SMALLOC, F_SFREE, F_TALLOC, F_TFREE,
	F_LOBJ, F_LBYTES, F_LALLOC, F_LFREE, F_REFILLS, F_SPANS, F_BAD,
	F_NR
};

static const char *const st_names[F_NR] = {
	[F_SYS] = "heap_sys_bytes",
	[F_INUSE] = "heap_inuse_bytes",
	[F_IDLE] = "heap_idle_bytes",
	[F_RELEASED] = "heap_released_bytes",
	[F_RELEASES] = "releases",
	[F_SOBJ] = "small_objects",
	[F_SBYTES] = "small_bytes",
	[F_SMALLOC] = "small_mallocs",
	[F_SFREE] = "small_frees",
	[F_TALLOC] = "tiny_allocs",
	[F_TFREE] = "tiny_frees",
	[F_LOBJ] = "large_objects",
	[F_LBYTES] = "large_bytes",
	[F_LALLOC] = "large_allocs",
	[F_LFREE] = "large_frees",
	[F_REFILLS] = "span_refills",
	[F_SPANS] = "spans_to_mcache",
	[F_BAD] = "bad_frees",
};

/* A delta the case does not care about. */
#define ANY	LONG_MIN

struct st_stats {
	unsigned long v[F_NR];
};

static void st_read(struct kunit *test, struct st_stats *st)
{
	char *buf = st_show(test, "stats");
	unsigned int i;

	/* The header line first: a table like every other file. */
	KUNIT_EXPECT_EQ(test, strncmp(buf, "field value\n", 12), 0);
	for (i = 0; i < F_NR; i++) {
		size_t n = strlen(st_names[i]);
		const char *p = buf;
		bool found = false;

		while ((p = strstr(p, st_names[i]))) {
			if ((p == buf || p[-1] == '\n') && p[n] == ' ') {
				found = sscanf(p + n + 1, "%lu", &st->v[i]) == 1;
				break;
			}
			p += n;
		}
		KUNIT_EXPECT_TRUE_MSG(test, found, "no %s in stats", st_names[i]);
	}
	kunit_kfree(test, buf);
}

/*
 * Every field moved by exactly @want (0 for the fields not named, ANY
 * for those the caller does not check).  A macro so that a failure names
 * the caller's line.
 */
#define ST_EXPECT(test, a, b, ...)					\
do {									\
	const long __want[F_NR] = { __VA_ARGS__ };			\
	unsigned int __i;						\
									\
	for (__i = 0; __i < F_NR; __i++)				\
		if (__want[__i] != ANY)					\
			KUNIT_EXPECT_EQ_MSG(test,			\
				(long)((b)->v[__i] - (a)->v[__i]),	\
				__want[__i], "stats %s", st_names[__i]); \
} while (0)

/* One line of classes. */
struct st_class {
	unsigned long cached, partial, full, live, allocs, frees, refills;
	unsigned long empty;
};

static void st_class(struct kunit *test, unsigned int spc, struct st_class *c)
{
	char *buf = st_show(test, "classes"), *p = buf, *line;
	bool header = false;

	memset(c, 0, sizeof(*c));
	while ((line = strsep(&p, "\n"))) {
		unsigned int sp, cl, ns, size, objs;
		unsigned long util;
		struct st_class t;

		if (!header) {
			header = !strncmp(line, "spanclass ", 10);
			KUNIT_EXPECT_TRUE(test, header);
			continue;
		}
		if (sscanf(line, "%u %u %u %u %u %lu %lu %lu %lu %lu %lu %lu %lu %lu",
			   &sp, &cl, &ns, &size, &objs, &t.cached, &t.partial,
			   &t.full, &t.live, &util, &t.allocs, &t.frees,
			   &t.refills, &t.empty) != 14 || sp != spc)
			continue;
		KUNIT_EXPECT_EQ(test, cl, spanclass_sizeclass(spc));
		KUNIT_EXPECT_EQ(test, ns, (unsigned int)spanclass_noscan(spc));
		KUNIT_EXPECT_EQ(test, size, class_to_size[cl]);
		KUNIT_EXPECT_EQ(test, objs, class_to_nelems[cl]);
		*c = t;
		break;
	}
	kunit_kfree(test, buf);
}

/* The per-CPU counters of @spc, summed as debugfs sums them. */
static void st_percpu_class(unsigned int spc, unsigned long *nmalloc,
			    unsigned long *nfree)
{
	struct mcache_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);

	*nmalloc = 0;
	*nfree = 0;
	if (WARN_ON(!st))
		return;
	mcache_sum_stats(st);
	*nmalloc = st->nmalloc[spc];
	*nfree = st->nfree[spc];
	kfree(st);
}

/* verify, with the violations (if any) in the failure message. */
static void st_expect_verify(struct kunit *test, const char *when)
{
	char *v = st_show(test, "verify");

	KUNIT_EXPECT_STREQ_MSG(test, v, "OK\n", "verify %s", when);
	kunit_kfree(test, v);
}

/* Rarely used classes, scan and noscan: nothing else touches them. */
struct st_param {
	size_t size;
	bool noscan;
};

static const struct st_param st_params[] = {
	{ 3456, false },
	{ 3200, true },
};

static void st_param_desc(const struct st_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes%s", p->size,
		 p->noscan ? " noscan" : "");
}

KUNIT_ARRAY_PARAM(st_class, st_params, st_param_desc);

static void *st_alloc(const struct st_param *p, gfp_t gfp)
{
	return p->noscan ? goslab_alloc_noscan(p->size, gfp) :
			   goslab_alloc(p->size, gfp);
}

/*
 * N objects of one class move that class's counters by N (per CPU and
 * in classes), stats small_* by N objects and N * size bytes, the span
 * counters by the spans it took, and nothing else.
 */
static void stats_class_counters_test(struct kunit *test)
{
	const struct st_param *prm = test->param_value;
	unsigned int sc = goslab_size_to_class(prm->size);
	unsigned int spc = make_spanclass(sc, prm->noscan);
	unsigned int nelems = class_to_nelems[sc];
	unsigned int n = 2 * nelems + 3, spans = 3, i;
	unsigned long span_bytes = (unsigned long)class_to_allocnpages[sc] *
				   GOSLAB_PAGE_SIZE;
	unsigned long keep = min(spans - 1,
				 mcentral_of(numa_mem_id(), spc)->keep_empty);
	unsigned long m0, f0, m1, f1;
	struct st_stats a, b, c, d;
	struct st_class ca, cb, cc;
	void **p;

	st_pin(test);
	KUNIT_ASSERT_EQ(test, (size_t)class_to_size[sc], prm->size);
	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mcache_flush_all();
	st_read(test, &a);
	st_class(test, spc, &ca);
	st_percpu_class(spc, &m0, &f0);
	KUNIT_ASSERT_EQ_MSG(test, ca.cached + ca.partial + ca.full, 0UL,
			    "class %u has spans: an earlier test leaked", spc);

	for (i = 0; i < n; i++) {
		p[i] = st_alloc(prm, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i, prm->size);
	}
	st_read(test, &b);
	st_class(test, spc, &cb);
	st_percpu_class(spc, &m1, &f1);
	KUNIT_EXPECT_EQ(test, m1 - m0, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, f1 - f0, 0UL);
	ST_EXPECT(test, &a, &b,
		  [F_SYS] = ANY, [F_IDLE] = ANY,
		  [F_INUSE] = spans * span_bytes,
		  [F_SOBJ] = n, [F_SBYTES] = (long)n * prm->size,
		  [F_SMALLOC] = n, [F_REFILLS] = spans, [F_SPANS] = spans);
	/* Two full spans on the central list, the third one cached. */
	KUNIT_EXPECT_EQ(test, cb.allocs - ca.allocs, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, cb.frees - ca.frees, 0UL);
	KUNIT_EXPECT_EQ(test, cb.live - ca.live, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, cb.cached, 1UL);
	KUNIT_EXPECT_EQ(test, cb.full, (unsigned long)spans - 1);
	KUNIT_EXPECT_EQ(test, cb.partial, 0UL);
	KUNIT_EXPECT_EQ(test, cb.refills - ca.refills, (unsigned long)spans);

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, goslab_usable_size(p[i]), prm->size);
		goslab_free(p[i]);
	}
	/* Frees to the last uncached span wait in a batch until counted. */
	export_commit_remote();
	st_read(test, &c);
	st_class(test, spc, &cc);
	st_percpu_class(spc, &m1, &f1);
	KUNIT_EXPECT_EQ(test, m1 - m0, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, f1 - f0, (unsigned long)n);
	/*
	 * The full spans went back to the heap but the class's keep_empty,
	 * kept on its empty list; the cached one stays.
	 */
	ST_EXPECT(test, &a, &c,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_RELEASED] = ANY,
		  [F_RELEASES] = ANY, [F_INUSE] = (1 + keep) * span_bytes,
		  [F_SMALLOC] = n, [F_SFREE] = n,
		  [F_REFILLS] = spans, [F_SPANS] = spans);
	KUNIT_EXPECT_EQ(test, cc.allocs - ca.allocs, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, cc.frees - ca.frees, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, cc.live, ca.live);
	KUNIT_EXPECT_EQ(test, cc.cached, 1UL);
	KUNIT_EXPECT_EQ(test, cc.full, 0UL);
	KUNIT_EXPECT_EQ(test, cc.partial, 0UL);
	KUNIT_EXPECT_EQ(test, cc.empty, keep);

	mcache_flush_all();
	st_read(test, &d);
	st_class(test, spc, &cc);
	KUNIT_EXPECT_EQ(test, cc.cached + cc.partial + cc.full + cc.empty, 0UL);
	ST_EXPECT(test, &a, &d,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_RELEASED] = ANY,
		  [F_RELEASES] = ANY,
		  [F_SMALLOC] = n, [F_SFREE] = n,
		  [F_REFILLS] = spans, [F_SPANS] = spans);
	st_expect_verify(test, "after the frees");
}

/* Large objects move large_* and the heap's in-use bytes, nothing else. */
static void stats_large_test(struct kunit *test)
{
	static const size_t sizes[] = { 100000, 32769, 1 << 20 };
	unsigned long bytes = 0;
	struct st_stats a, b, c;
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i, n = ARRAY_SIZE(sizes);

	st_pin(test);
	mcache_flush_all();
	st_read(test, &a);
	for (i = 0; i < n; i++) {
		p[i] = goslab_alloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		bytes += round_up(sizes[i], GOSLAB_PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, goslab_usable_size(p[i]),
				(size_t)round_up(sizes[i], GOSLAB_PAGE_SIZE));
	}
	st_read(test, &b);
	ST_EXPECT(test, &a, &b,
		  [F_SYS] = ANY, [F_IDLE] = ANY,
		  [F_INUSE] = bytes, [F_LOBJ] = n, [F_LBYTES] = bytes,
		  [F_LALLOC] = n);
	for (i = 0; i < n; i++)
		goslab_free(p[i]);
	/* The 32769-byte object's 5 pages stay parked on this CPU ... */
	st_read(test, &c);
	ST_EXPECT(test, &a, &c,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_RELEASED] = ANY,
		  [F_RELEASES] = ANY, [F_LALLOC] = n, [F_LFREE] = n,
		  [F_INUSE] = 5 * GOSLAB_PAGE_SIZE);
	st_expect_verify(test, "after large frees");
	/* ... until a flush gives them back. */
	mcache_flush_all();
	st_read(test, &c);
	ST_EXPECT(test, &a, &c,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_RELEASED] = ANY,
		  [F_RELEASES] = ANY, [F_LALLOC] = n, [F_LFREE] = n);
}

#define ST_TINY_N	64

/*
 * Tiny allocations move tiny_allocs/tiny_frees by one per object, and
 * the 16-byte noscan class by one per block: 7-byte objects pack two to
 * a block (two 8-byte ones would fill it, and a full block is let go at
 * once).  The last block is held by the mcache until the flush.
 */
static void stats_tiny_test(struct kunit *test)
{
	const unsigned int blocks = ST_TINY_N / 2;
	unsigned long m0, f0, m1, f1;
	struct st_stats a, b, c, d;
	void *p[ST_TINY_N];
	unsigned int i;

	st_pin(test);
	mcache_flush_all();
	st_read(test, &a);
	st_percpu_class(GS_TINY_SPANCLASS, &m0, &f0);
	for (i = 0; i < ST_TINY_N; i++) {
		p[i] = goslab_alloc_noscan(7, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i, 7);
	}
	st_read(test, &b);
	st_percpu_class(GS_TINY_SPANCLASS, &m1, &f1);
	KUNIT_EXPECT_EQ(test, m1 - m0, (unsigned long)blocks);
	KUNIT_EXPECT_EQ(test, f1 - f0, 0UL);
	ST_EXPECT(test, &a, &b,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_INUSE] = ANY,
		  [F_TALLOC] = ST_TINY_N, [F_SOBJ] = blocks,
		  [F_SBYTES] = blocks * GS_TINY_SIZE, [F_SMALLOC] = blocks,
		  [F_REFILLS] = 1, [F_SPANS] = 1);

	for (i = 0; i < ST_TINY_N; i++)
		goslab_free(p[i]);
	st_read(test, &c);
	ST_EXPECT(test, &a, &c,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_INUSE] = ANY,
		  [F_TALLOC] = ST_TINY_N, [F_TFREE] = ST_TINY_N,
		  [F_SOBJ] = 1, [F_SBYTES] = GS_TINY_SIZE,
		  [F_SMALLOC] = blocks, [F_SFREE] = blocks - 1,
		  [F_REFILLS] = 1, [F_SPANS] = 1);

	mcache_flush_all();
	st_read(test, &d);
	st_percpu_class(GS_TINY_SPANCLASS, &m1, &f1);
	KUNIT_EXPECT_EQ(test, f1 - f0, (unsigned long)blocks);
	ST_EXPECT(test, &a, &d,
		  [F_SYS] = ANY, [F_IDLE] = ANY, [F_INUSE] = ANY,
		  [F_RELEASED] = ANY, [F_RELEASES] = ANY,
		  [F_TALLOC] = ST_TINY_N, [F_TFREE] = ST_TINY_N,
		  [F_SMALLOC] = blocks, [F_SFREE] = blocks,
		  [F_REFILLS] = 1, [F_SPANS] = 1);
	st_expect_verify(test, "after tiny frees");
}

/* ---- verify under a cross-CPU stress ----------------------------------- */

#define ST_STRESS_MS		2000
#define ST_STRESS_RING		64
#define ST_STRESS_INFLIGHT	512

struct st_item {
	struct llist_node node;
	void *p;
	u32 size;
	u8 pat;
};

struct st_stress;

struct st_worker {
	struct st_stress *st;
	struct st_worker *peer;
	int cpu;
	u64 rng;
	struct llist_head inbox;
	atomic_t inflight;
	struct st_item *ring[ST_STRESS_RING];
	struct completion done;
};

struct st_stress {
	struct st_worker w[2];
	unsigned long deadline;
	atomic_long_t allocs, frees, corrupt, fails;
};

static u32 st_rand(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 0x2545F4914F6CDD1DULL) >> 32;
}

static struct st_item *st_make(struct st_worker *w)
{
	u32 r = st_rand(&w->rng), kind = r % 100, v = r >> 8;
	bool noscan = v & 1;
	struct st_item *it;
	u32 size;

	if (kind < 35) {
		noscan = true;
		size = 1 + v % 15;
	} else if (kind < 85) {
		size = 16 + v % 1009;
	} else if (kind < 98) {
		size = 1025 + v % (GOSLAB_MAX_SMALL_SIZE - 1024);
	} else {
		size = GOSLAB_MAX_SMALL_SIZE + 1 + v % (96 * 1024);
	}
	it = goslab_alloc(sizeof(*it), GFP_KERNEL);
	if (!it)
		return NULL;
	it->p = noscan ? goslab_alloc_noscan(size, GFP_KERNEL) :
			 goslab_alloc(size, GFP_KERNEL);
	if (!it->p) {
		goslab_free(it);
		return NULL;
	}
	it->size = size;
	it->pat = 1 + (v >> 3) % 255;
	memset(it->p, it->pat, size);
	return it;
}

static void st_consume(struct st_stress *st, struct st_item *it)
{
	if (memchr_inv(it->p, it->pat, it->size)) {
		atomic_long_inc(&st->corrupt);
		pr_err("goslab-test: %u-byte object at %p corrupted\n",
		       it->size, it->p);
	}
	goslab_free(it->p);
	goslab_free(it);
	atomic_long_inc(&st->frees);
}

static unsigned long st_drain(struct st_worker *w)
{
	struct llist_node *n = llist_del_all(&w->inbox);
	struct st_item *it, *tmp;
	unsigned long k = 0;

	llist_for_each_entry_safe(it, tmp, n, node) {
		st_consume(w->st, it);
		k++;
	}
	atomic_sub(k, &w->inflight);
	return k;
}

/*
 * Allocate, fill, and either send the object to the other CPU (which
 * checks and frees it) or keep it in a ring whose evictions are freed
 * here, until the deadline.
 */
static int st_worker_fn(void *arg)
{
	struct st_worker *w = arg;
	struct st_stress *st = w->st;
	unsigned int i = 0, k;

	while (time_before(jiffies, st->deadline)) {
		struct st_item *it = st_make(w);

		i++;
		if (!it) {
			atomic_long_inc(&st->fails);
		} else if ((i & 1) &&
			   atomic_read(&w->peer->inflight) < ST_STRESS_INFLIGHT) {
			atomic_long_inc(&st->allocs);
			atomic_inc(&w->peer->inflight);
			llist_add(&it->node, &w->peer->inbox);
		} else {
			unsigned int slot = st_rand(&w->rng) % ST_STRESS_RING;

			atomic_long_inc(&st->allocs);
			if (w->ring[slot])
				st_consume(st, w->ring[slot]);
			w->ring[slot] = it;
		}
		st_drain(w);
		if (!(i & 31))
			cond_resched();
	}
	for (k = 0; k < ST_STRESS_RING; k++)
		if (w->ring[k])
			st_consume(st, w->ring[k]);
	st_drain(w);
	complete(&w->done);
	return 0;
}

/*
 * Two kthreads on two CPUs allocate and free across CPUs for a moment;
 * verify must say OK while they run and after, and every counter must
 * come back to where it was.
 */
static void stats_verify_stress_test(struct kunit *test)
{
	struct st_stats a, b;
	struct st_stress *st;
	unsigned long checks = 0, bad_checks = 0;
	int cpus[2], i;

	gs_test_two_cpus(test, cpus);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	mcache_flush_all();
	st_expect_verify(test, "before the stress");
	st_read(test, &a);

	st->deadline = jiffies + msecs_to_jiffies(ST_STRESS_MS);
	for (i = 0; i < 2; i++) {
		struct st_worker *w = &st->w[i];

		w->st = st;
		w->peer = &st->w[1 - i];
		w->cpu = cpus[i];
		w->rng = 0x9e3779b97f4a7c15ULL * (i + 7);
		init_llist_head(&w->inbox);
		init_completion(&w->done);
	}
	if (!gs_test_start_pair(test, st_worker_fn, &st->w[0], &st->w[1], cpus,
				"goslab-st"))
		return;

	/* verify under load: each read is a consistent snapshot. */
	while (!completion_done(&st->w[0].done) ||
	       !completion_done(&st->w[1].done)) {
		char *v = st_show(test, "verify");

		checks++;
		if (strcmp(v, "OK\n")) {
			if (!bad_checks)
				KUNIT_FAIL(test, "verify under load:\n%.1000s", v);
			bad_checks++;
		}
		kunit_kfree(test, v);
		msleep(20);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&st->w[i].done);
	/* Whatever crossed over after the receiver's last drain. */
	for (i = 0; i < 2; i++)
		st_drain(&st->w[i]);

	kunit_info(test, "%ld objects across CPUs %d and %d, verify read %lu times under load",
		   atomic_long_read(&st->allocs), cpus[0], cpus[1], checks);
	KUNIT_EXPECT_EQ(test, bad_checks, 0UL);
	KUNIT_EXPECT_GT(test, checks, 0UL);
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->allocs), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->corrupt), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->fails), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->allocs),
			atomic_long_read(&st->frees));

	st_expect_verify(test, "after the stress");
	mcache_flush_all();
	st_expect_verify(test, "after the stress and a flush");
	st_read(test, &b);
	/* Everything was freed: the live counts are back. */
	KUNIT_EXPECT_EQ(test, b.v[F_SOBJ], a.v[F_SOBJ]);
	KUNIT_EXPECT_EQ(test, b.v[F_SBYTES], a.v[F_SBYTES]);
	KUNIT_EXPECT_EQ(test, b.v[F_LOBJ], a.v[F_LOBJ]);
	KUNIT_EXPECT_EQ(test, b.v[F_LBYTES], a.v[F_LBYTES]);
	KUNIT_EXPECT_EQ(test, b.v[F_TALLOC] - a.v[F_TALLOC],
			b.v[F_TFREE] - a.v[F_TFREE]);
	KUNIT_EXPECT_EQ(test, b.v[F_INUSE], a.v[F_INUSE]);
	KUNIT_EXPECT_EQ(test, b.v[F_BAD], a.v[F_BAD]);
}

/* ---- flush ------------------------------------------------------------- */

static const size_t st_flush_sizes[] = { 8, 24, 100, 1024, 3456, 4096 };

struct st_flush_objs {
	void *p[ARRAY_SIZE(st_flush_sizes) * 2 + 2];
	void *irq[2];
	unsigned int irq_level;	/* the mcache level st_fill_irq() ran at */
};

/* Fill this CPU's cache: a span of several classes and a tiny block. */
static long st_fill_cache(void *arg)
{
	struct st_flush_objs *o = arg;
	unsigned int i, k = 0;

	for (i = 0; i < ARRAY_SIZE(st_flush_sizes); i++) {
		o->p[k++] = goslab_alloc(st_flush_sizes[i], GFP_KERNEL);
		o->p[k++] = goslab_alloc_noscan(st_flush_sizes[i], GFP_KERNEL);
	}
	/* 8 + 3 + 2 bytes: a block filled to 16 would be let go at once. */
	o->p[k++] = goslab_alloc_noscan(3, GFP_KERNEL);
	o->p[k++] = goslab_alloc_noscan(2, GFP_KERNEL);
	for (i = 0; i < k; i++)
		if (!o->p[i])
			return -ENOMEM;
	return 0;
}

/* The same from hard IRQ (an IPI): the CPU's hardirq mcache. */
static void st_fill_irq(void *arg)
{
	struct st_flush_objs *o = arg;

	/*
	 * Usually hard IRQ; but a polling idle CPU runs the callback from
	 * its idle task (no IPI is sent), so note the context it had.
	 */
	o->irq_level = in_hardirq() ? GS_MCACHE_HARDIRQ :
		       in_serving_softirq() ? GS_MCACHE_SOFTIRQ : GS_MCACHE_TASK;
	o->irq[0] = goslab_alloc(100, GFP_ATOMIC);
	o->irq[1] = goslab_alloc_noscan(5, GFP_ATOMIC);
}

/* Spans the mcache of @cpu and context @level caches. */
static unsigned long st_cpu_cached(int cpu, unsigned int level)
{
	struct mcache *c = mcache_of(cpu, level);
	unsigned long n = 0;
	unsigned int spc;

	for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++)
		n += READ_ONCE(c->alloc[spc]) != &emptymspan;
	return n;
}

static unsigned long st_central_cached(void)
{
	unsigned long n = 0, flags;
	unsigned int spc;
	int node;

	for_each_node(node) {
		if (!mheap_of(node))
			continue;
		for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++) {
			struct mcentral *c = mcentral_of(node, spc);

			spin_lock_irqsave(&c->lock, flags);
			n += c->nr_cached;
			spin_unlock_irqrestore(&c->lock, flags);
		}
	}
	return n;
}

/*
 * flush (mcache_flush_all()) leaves every CPU's caches empty (task,
 * softirq and hardirq): every alloc[] slot is emptymspan, no tiny block,
 * no span counted as cached by any mcentral; the objects stay valid and
 * free normally after.
 */
static void stats_flush_test(struct kunit *test)
{
	struct st_flush_objs *o;
	struct st_stats a, b;
	unsigned long flushes0 = 0, flushes1 = 0;
	unsigned int i, ncpus = 0;
	int cpu;

	o = kunit_kcalloc(test, num_possible_cpus(), sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	/* Every CPU's caches must hold spans for the flush to empty. */
	gs_test_no_share(test);
	mcache_flush_all();
	st_read(test, &a);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		long err = work_on_cpu(cpu, st_fill_cache, &o[ncpus]);

		KUNIT_EXPECT_EQ_MSG(test, err, 0L, "cpu %d", cpu);
		KUNIT_EXPECT_GE_MSG(test, st_cpu_cached(cpu, GS_MCACHE_TASK),
				    (unsigned long)ARRAY_SIZE(st_flush_sizes),
				    "cpu %d", cpu);
		KUNIT_EXPECT_NE(test, READ_ONCE(mcache_of(cpu, GS_MCACHE_TASK)->tiny), 0UL);
		/*
		 * Another CPU's IPI handler runs in hard IRQ there (or, on
		 * a polling idle CPU, in its idle task: st_fill_irq()).  Not
		 * preemptible meanwhile: migrated onto @cpu, this thread
		 * would run the function itself, in task context.
		 */
		if (cpu != get_cpu()) {
			int err = smp_call_function_single(cpu, st_fill_irq,
							   &o[ncpus], 1);

			put_cpu();
			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_TRUE(test, o[ncpus].irq[0] && o[ncpus].irq[1]);
			KUNIT_EXPECT_GE_MSG(test,
					    st_cpu_cached(cpu, o[ncpus].irq_level),
					    2UL, "cpu %d", cpu);
		} else {
			put_cpu();
		}
		ncpus++;
	}
	cpus_read_unlock();
	KUNIT_EXPECT_GE(test, st_central_cached(),
			(unsigned long)ARRAY_SIZE(st_flush_sizes) * ncpus);

	for_each_possible_cpu(cpu)
		flushes0 += READ_ONCE(mcache_of(cpu, GS_MCACHE_TASK)->stats.flushes);
	mcache_flush_all();
	for_each_possible_cpu(cpu) {
		unsigned int spc, level;

		for (level = 0; level < GS_MCACHE_LEVELS; level++) {
			struct mcache *c = mcache_of(cpu, level);

			for (spc = 0; spc < GOSLAB_NUM_SPAN_CLASSES; spc++)
				KUNIT_EXPECT_PTR_EQ_MSG(test, READ_ONCE(c->alloc[spc]),
							&emptymspan,
							"cpu %d mcache %u spanclass %u",
							cpu, level, spc);
			KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(c->tiny), 0UL,
					    "cpu %d mcache %u", cpu, level);
		}
		flushes1 += READ_ONCE(mcache_of(cpu, GS_MCACHE_TASK)->stats.flushes);
	}
	KUNIT_EXPECT_EQ(test, st_central_cached(), 0UL);
	KUNIT_EXPECT_EQ(test, flushes1 - flushes0, (unsigned long)num_online_cpus());
	st_expect_verify(test, "after the flush");

	/* The objects outlive the flush and free normally. */
	for (i = 0; i < ncpus; i++) {
		unsigned int k;

		for (k = 0; k < ARRAY_SIZE(o[i].p); k++)
			goslab_free(o[i].p[k]);
		goslab_free(o[i].irq[0]);
		goslab_free(o[i].irq[1]);
	}
	mcache_flush_all();
	st_read(test, &b);
	KUNIT_EXPECT_EQ(test, b.v[F_SOBJ], a.v[F_SOBJ]);
	KUNIT_EXPECT_EQ(test, b.v[F_INUSE], a.v[F_INUSE]);
	KUNIT_EXPECT_EQ(test, b.v[F_BAD], a.v[F_BAD]);
	KUNIT_EXPECT_EQ(test, st_central_cached(), 0UL);
	st_expect_verify(test, "after the frees");
}

/* ---- release ----------------------------------------------------------- */

struct st_heap {
	unsigned long owned, free, inuse, pinned_free;
};

/*
 * One node's heap; pinned_free counts the free pages of arenas that also
 * hold in-use pages, which no release can give back.
 */
static void st_heap(int node, struct st_heap *hs)
{
	struct mheap *h = mheap_of(node);
	struct heap_arena *ar;
	unsigned long flags;

	memset(hs, 0, sizeof(*hs));
	if (!h)
		return;
	spin_lock_irqsave(&h->lock, flags);
	hs->owned = h->pages_owned;
	hs->free = h->pages_free;
	hs->inuse = h->pages_inuse;
	list_for_each_entry(ar, &h->arenas, list)
		if (ar->nfree != ar->nowned)
			hs->pinned_free += ar->nfree;
	spin_unlock_irqrestore(&h->lock, flags);
}

/* What writing 1 to release does. */
static void st_release(void)
{
	int node;

	for_each_node(node)
		if (mheap_of(node))
			mheap_release(mheap_of(node), scavenge_retain_pages());
}

#define ST_ARENAS	4

/*
 * Free arenas are kept up to retain_pages and release returns the rest:
 * with retain set to R (whole arenas), release leaves at most R free
 * pages on each node beyond those in arenas still partly in use.
 */
static void stats_release_test(struct kunit *test)
{
	static const unsigned long retain[] = { GS_PAGES_PER_ARENA, 0 };
	void *p[ST_ARENAS];
	struct st_stats a, b;
	struct st_heap hs0, hs;
	unsigned long pinned;
	int node = numa_mem_id(), n;
	unsigned int i;

	st_pin(test);
	mcache_flush_all();
	/* Keep everything, then grow by whole arenas and free them. */
	scavenge_set_retain_pages(64 * GS_PAGES_PER_ARENA);
	for (i = 0; i < ST_ARENAS; i++) {
		p[i] = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < ST_ARENAS; i++)
		goslab_free(p[i]);
	st_heap(node, &hs0);
	KUNIT_ASSERT_GE(test, hs0.free, (unsigned long)ST_ARENAS * GS_PAGES_PER_ARENA);

	for (i = 0; i < ARRAY_SIZE(retain); i++) {
		unsigned long want = retain[i];

		st_read(test, &a);
		scavenge_set_retain_pages(want);
		st_release();
		st_read(test, &b);
		pinned = 0;
		for_each_node(n) {
			st_heap(n, &hs);
			KUNIT_EXPECT_LE_MSG(test, hs.free, want + hs.pinned_free,
					    "node %d, retain %lu", n, want);
			pinned += hs.pinned_free;
		}
		st_heap(node, &hs);
		KUNIT_EXPECT_LE(test, hs.owned + ST_ARENAS * GS_PAGES_PER_ARENA - want,
				hs0.owned);
		/* Heap bytes went down by exactly what stats says was released. */
		KUNIT_EXPECT_EQ(test, a.v[F_SYS] - b.v[F_SYS],
				b.v[F_RELEASED] - a.v[F_RELEASED]);
		KUNIT_EXPECT_EQ(test, a.v[F_IDLE] - b.v[F_IDLE],
				a.v[F_SYS] - b.v[F_SYS]);
		KUNIT_EXPECT_EQ(test, b.v[F_INUSE], a.v[F_INUSE]);
		KUNIT_EXPECT_LE(test, b.v[F_IDLE],
				(want * nr_node_ids + pinned) << GOSLAB_PAGE_SHIFT);
		if (i == 0)
			KUNIT_EXPECT_GT(test, b.v[F_RELEASES], a.v[F_RELEASES]);
	}
	st_expect_verify(test, "after release");

	/* The heap grows again from nothing. */
	p[0] = goslab_alloc(GOSLAB_MAX_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	memset(p[0], 0x5a, GOSLAB_MAX_SIZE);
	goslab_free(p[0]);
}

/* This CPU's batched_frees and parked_bytes from debugfs percpu. */
static void st_percpu_line(struct kunit *test, unsigned long *batched,
			   unsigned long *parked)
{
	char *buf = st_show(test, "percpu"), *p = buf, *line;
	int me = raw_smp_processor_id();
	bool found = false;

	while ((line = strsep(&p, "\n"))) {
		unsigned long spans, bytes, refills, flushes;
		int cpu;

		if (sscanf(line, "%d %lu %lu %lu %lu %lu %lu", &cpu, &spans,
			   &bytes, &refills, &flushes, batched, parked) == 7 &&
		    cpu == me) {
			found = true;
			break;
		}
	}
	KUNIT_EXPECT_TRUE_MSG(test, found, "no percpu line for cpu %d", me);
}

/*
 * percpu shows what a CPU holds back: frees whose count its mcache
 * batches, and its parked large span.
 */
static void stats_percpu_held_test(struct kunit *test)
{
	unsigned int sc = goslab_size_to_class(3072), n = class_to_nelems[sc];
	unsigned long batched, parked;
	unsigned int i;
	void **p, *big;

	st_pin(test);
	p = kunit_kcalloc(test, n + 1, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mcache_flush_all();
	st_percpu_line(test, &batched, &parked);
	KUNIT_EXPECT_EQ(test, batched, 0UL);
	KUNIT_EXPECT_EQ(test, parked, 0UL);

	/* A full span given back by the refill for the n+1st object. */
	for (i = 0; i <= n; i++) {
		p[i] = goslab_alloc(3072, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	goslab_free(p[0]);
	goslab_free(p[1]);
	big = goslab_alloc(5 * GOSLAB_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	goslab_free(big);
	st_percpu_line(test, &batched, &parked);
	KUNIT_EXPECT_EQ(test, batched, 2UL);
	KUNIT_EXPECT_EQ(test, parked, 5UL * GOSLAB_PAGE_SIZE);

	export_commit_remote();
	st_percpu_line(test, &batched, &parked);
	KUNIT_EXPECT_EQ(test, batched, 0UL);
	for (i = 2; i <= n; i++)
		goslab_free(p[i]);
	mcache_flush_all();
	st_percpu_line(test, &batched, &parked);
	KUNIT_EXPECT_EQ(test, batched, 0UL);
	KUNIT_EXPECT_EQ(test, parked, 0UL);
	st_expect_verify(test, "after percpu");
}

/* ---- suite ------------------------------------------------------------- */

static unsigned long st_saved_retain;

static int st_init(struct kunit *test)
{
	st_saved_retain = scavenge_retain_pages();
	return 0;
}

/* Runs even when a case failed an assertion. */
static void st_exit(struct kunit *test)
{
	scavenge_set_retain_pages(st_saved_retain);
	mem_set_fail_pages(0);
}

/*
 * goslab's pages are in the kernel's slab counter: the node's
 * NR_SLAB_UNRECLAIMABLE_B (so /proc/meminfo's Slab and SUnreclaim) moves
 * by what goslab takes from and gives back to the page allocator, which
 * is stats' sys_bytes.  Four 4 MiB objects need four new arenas; they are
 * freed and given back.  Other allocators' slabs move the counter too,
 * meanwhile: a margin of 64 pages, against 4,096 moved.
 */
#define ST_SLAB_MARGIN	64
#define ST_SLAB_TRIES	3

/*
 * One measurement: goslab's change against the counter's, with the four
 * objects held and after their release.  Return: true when both agree
 * within the margin; *@held, *@slab, *@after_* say what was seen.
 */
static bool st_slab_once(struct kunit *test, int node, long *held, long *slab,
			 long *after_held, long *after_slab)
{
	long held0, slab0;
	void *p[4];
	unsigned int i;

	mcache_flush_all();
	mheap_release(mheap_of(node), 0);
	/* Emptied metadata chunks go back a grace period later (fixalloc.c). */
	fixalloc_barrier();
	held0 = mem_pages();
	slab0 = goslab_sysmem_node_pages(node, NR_SLAB_UNRECLAIMABLE_B);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = goslab_alloc_node(GOSLAB_MAX_SIZE, GFP_KERNEL, node);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	*held = mem_pages() - held0;
	*slab = goslab_sysmem_node_pages(node, NR_SLAB_UNRECLAIMABLE_B) - slab0;
	KUNIT_EXPECT_GE(test, *held, 4L * (GOSLAB_MAX_SIZE >> PAGE_SHIFT));
	for (i = 0; i < ARRAY_SIZE(p); i++)
		goslab_free(p[i]);
	mcache_flush_all();
	mheap_release(mheap_of(node), 0);
	fixalloc_barrier();
	*after_held = mem_pages() - held0;
	*after_slab = goslab_sysmem_node_pages(node, NR_SLAB_UNRECLAIMABLE_B) - slab0;
	return abs(*slab - *held) <= ST_SLAB_MARGIN &&
	       abs(*after_slab - *after_held) <= ST_SLAB_MARGIN;
}

/*
 * The counter is the whole node's: SLUB frees slabs meanwhile (KASAN's
 * quarantine draining what earlier suites freed moves it by hundreds of
 * pages at once), so a measurement that disagrees is taken again, up to
 * three times; goslab not in the counter at all would disagree by 4,096
 * pages every time.
 */
static void stats_slab_counter_test(struct kunit *test)
{
	int node = numa_mem_id();
	long held, slab, after_held, after_slab;
	unsigned int tries;
	bool ok = false;

	st_pin(test);
	for (tries = 0; tries < ST_SLAB_TRIES && !ok; tries++)
		ok = st_slab_once(test, node, &held, &slab, &after_held,
				  &after_slab);
	KUNIT_EXPECT_TRUE_MSG(test, ok,
			      "slab counter moved %ld pages, goslab took %ld; after the release: %ld and %ld (last of %u tries)",
			      slab, held, after_slab, after_held, tries);
	/* The objects went back; a metadata chunk per fixalloc may stay. */
	KUNIT_EXPECT_LT_MSG(test, after_held, (long)ST_SLAB_MARGIN,
			    "goslab still holds %ld pages more", after_held);
}

static struct kunit_case goslab_stats_cases[] = {
	KUNIT_CASE_PARAM(stats_class_counters_test, st_class_gen_params),
	KUNIT_CASE(stats_large_test),
	KUNIT_CASE(stats_tiny_test),
	KUNIT_CASE(stats_verify_stress_test),
	KUNIT_CASE(stats_flush_test),
	KUNIT_CASE(stats_release_test),
	KUNIT_CASE(stats_percpu_held_test),
	KUNIT_CASE(stats_slab_counter_test),
	{}
};

static struct kunit_suite goslab_stats_suite = {
	.name = "goslab_stats",
	.init = st_init,
	.exit = st_exit,
	.test_cases = goslab_stats_cases,
};

kunit_test_suite(goslab_stats_suite);
