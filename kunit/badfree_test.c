// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's handling of bad pointers in the default mode:
 * double frees, interior pointers and pointers goslab never handed out,
 * given to goslab_free(), goslab_usable_size(), goslab_realloc() and
 * goslab_free_bulk().  Each one must be
 *
 *  - detected and counted: report_stats.bad_frees (debugfs bad_frees) moves
 *    by exactly one;
 *  - reported with the right address, reason and call site: the report
 *    report_get_last() returns names the pointer, says why, and its
 *    caller is the test function that made the call;
 *  - ignored: the real object is untouched and can still be used and
 *    freed exactly once;
 *
 * and the heap must verify afterwards.  Reports provoked on purpose are
 * bracketed by the expect-report markers scripts/kunit.sh looks for.
 */

#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

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
#include "../goslab/malloc.h"
#include "gs_test.h"

static void bf_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
	/* The cases expect this CPU's mcache to cache the spans. */
	gs_test_no_share(test);
}

static void bf_expect_begin(void)
{
	pr_info("goslab-test: expect-report begin\n");
}

static void bf_expect_end(void)
{
	pr_info("goslab-test: expect-report end\n");
}

/* What the counters and the last report said before a bad call. */
struct bf_mark {
	struct report_record r;
	long bad;
};

static noinline void bf_before(struct bf_mark *m)
{
	report_get_last(&m->r);
	m->bad = atomic_long_read(&report_stats.bad_frees);
	bf_expect_begin();
}

/*
 * Exactly one report since bf_before(): about @ptr, with @words in its
 * reason, made from inside @func (the function that called goslab).
 */
static noinline void bf_after(struct kunit *test, const struct bf_mark *m,
			      const void *ptr, const char *words,
			      const char *func, const char *what)
{
	char sym[KSYM_SYMBOL_LEN];
	struct report_record r;

	bf_expect_end();
	report_get_last(&r);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees),
			    m->bad + 1, "%s: bad_frees", what);
	KUNIT_EXPECT_EQ_MSG(test, r.seq, m->r.seq + 1, "%s: reports made", what);
	KUNIT_EXPECT_PTR_EQ_MSG(test, r.addr, ptr, "%s: address", what);
	KUNIT_EXPECT_NOT_NULL_MSG(test, r.reason ? strstr(r.reason, words) : NULL,
				  "%s: reason \"%s\", want \"%s\"", what,
				  r.reason ?: "(none)", words);
	KUNIT_EXPECT_NE_MSG(test, r.caller, 0UL, "%s: no caller", what);
	if (!IS_ENABLED(CONFIG_KALLSYMS))
		return;
	snprintf(sym, sizeof(sym), "%pS", (void *)r.caller);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(sym, func),
				  "%s: reported from %s, not from %s", what,
				  sym, func);
}

/*
 * Run @call, which must make exactly one report about @ptr whose reason
 * contains @words, from the function this expands in.
 */
#define BF_BAD(test, ptr, words, call)					\
do {									\
	struct bf_mark __m;						\
									\
	bf_before(&__m);						\
	call;								\
	bf_after(test, &__m, (const void *)(ptr), words, __func__, #call); \
} while (0)

/* Run @call, which must not report anything. */
#define BF_GOOD(test, call)						\
do {									\
	long __b = atomic_long_read(&report_stats.bad_frees);		\
									\
	call;								\
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees), \
			    __b, "%s reported", #call);			\
} while (0)

/* bad_frees as debugfs stats prints it. */
static unsigned long bf_stats_bad_frees(struct kunit *test)
{
	struct seq_file m = { .size = 4096 };
	unsigned long v = ULONG_MAX;
	const char *f;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, goslab_debugfs_show("stats", &m), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	f = strstr(m.buf, "\nbad_frees ");
	KUNIT_ASSERT_NOT_NULL(test, f);
	if (sscanf(f, "\nbad_frees %lu", &v) != 1)
		KUNIT_FAIL(test, "stats: bad_frees unreadable");
	kunit_kfree(test, m.buf);
	return v;
}

#define BF_VERIFY(test)							\
	KUNIT_EXPECT_EQ_MSG(test, goslab_verify(NULL), 0UL,			\
			    "verify found violations: read debugfs verify")

/* ---- double frees ------------------------------------------------------ */

/*
 * A small object freed twice: while its span is cached, after the span
 * was flushed to its mcentral, and after the span was swept (the free
 * merged into alloc_bits).  A neighbour keeps the span alive throughout.
 */
static void badfree_double_small_test(struct kunit *test)
{
	unsigned long stat;
	char *p, *q, *r;
	void *n;

	bf_pin(test);
	mcache_flush_all();
	p = goslab_alloc(200, GFP_KERNEL);
	q = goslab_alloc(200, GFP_KERNEL);
	r = goslab_alloc(200, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q && r);
	memset(q, 0x3c, 200);

	BF_GOOD(test, goslab_free(p));
	stat = bf_stats_bad_frees(test);
	BF_BAD(test, p, "double free", goslab_free(p));
	/* debugfs counts it too. */
	KUNIT_EXPECT_EQ(test, bf_stats_bad_frees(test), stat + 1);
	BF_BAD(test, p, "double free",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)0));
	BF_BAD(test, p, "double free",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(p, 300, GFP_KERNEL)));

	/*
	 * The span is on its mcentral now, p's free still pending; r's free
	 * waits uncounted in this context's batch when it is repeated.
	 */
	mcache_flush_all();
	BF_BAD(test, p, "double free", goslab_free(p));
	BF_GOOD(test, goslab_free(r));
	BF_BAD(test, r, "double free", goslab_free(r));

	/*
	 * Allocating again caches the span and sweeps it: p and r are
	 * free in alloc_bits now.  Nothing may hand them out twice.
	 */
	n = goslab_alloc(200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	if (n != p)
		BF_BAD(test, p, "double free", goslab_free(p));
	if (n != r)
		BF_BAD(test, r, "double free", goslab_free(r));
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x3c, 200));
	BF_GOOD(test, goslab_free(n));
	BF_GOOD(test, goslab_free(q));
	BF_BAD(test, q, "double free", goslab_free(q));
	mcache_flush_all();
	BF_VERIFY(test);
}

/*
 * A large object freed twice: its pages went back to the heap (the
 * suite keeps the arena), and the second free is caught there.
 */
static void badfree_double_large_test(struct kunit *test)
{
	char *l, *m;

	bf_pin(test);
	l = goslab_alloc(100000, GFP_KERNEL);
	m = goslab_alloc(GOSLAB_PAGE_SIZE * 5, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, l && m);
	memset(m, 0x6d, GOSLAB_PAGE_SIZE * 5);

	BF_GOOD(test, goslab_free(l));
	BF_BAD(test, l, "free goslab memory", goslab_free(l));
	BF_BAD(test, l, "free goslab memory",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(l), (size_t)0));
	BF_BAD(test, l, "free goslab memory",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(l, 200000, GFP_KERNEL)));
	KUNIT_EXPECT_NULL(test, memchr_inv(m, 0x6d, GOSLAB_PAGE_SIZE * 5));
	BF_GOOD(test, goslab_free(m));
	/* Parked on this CPU (up to 8 pages): still a span, object freed. */
	BF_BAD(test, m, "double free", goslab_free(m));
	BF_BAD(test, m, "double free",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(m), (size_t)0));
	/* The next allocation of its size takes it back, zeroed. */
	l = goslab_alloc(GOSLAB_PAGE_SIZE * 5, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, l, m);
	KUNIT_EXPECT_NULL(test, memchr_inv(l, 0, GOSLAB_PAGE_SIZE * 5));
	BF_GOOD(test, goslab_free(l));
	/* Given back by a flush: then it is free goslab memory. */
	mcache_flush_all();
	BF_BAD(test, m, "free goslab memory", goslab_free(m));
	BF_VERIFY(test);
}

/*
 * A tiny object freed twice: with live neighbours in its block, alone in
 * a block the mcache still packs into, and alone in a block the mcache
 * no longer holds (the block itself went back to the span).
 */
static void badfree_double_tiny_test(struct kunit *test)
{
	char *a, *b, *c;

	bf_pin(test);

	/* Neighbours live. */
	mcache_flush_all();
	a = goslab_alloc_noscan(4, GFP_KERNEL);
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 4);
	memset(b, 0xbb, 4);
	BF_GOOD(test, goslab_free(a));
	BF_BAD(test, a, "not allocated", goslab_free(a));
	BF_BAD(test, a, "not allocated",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)0));
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0xbb, 4));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)4);
	BF_GOOD(test, goslab_free(b));
	BF_BAD(test, b, "not allocated", goslab_free(b));

	/* Alone in the block this CPU still packs into. */
	mcache_flush_all();
	a = goslab_alloc_noscan(8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	BF_GOOD(test, goslab_free(a));
	BF_BAD(test, a, "not allocated", goslab_free(a));
	BF_BAD(test, a, "not allocated",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)0));
	/* The block is still this CPU's and still works. */
	b = goslab_alloc_noscan(8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 8);
	memset(b, 0x5b, 8);
	c = goslab_alloc_noscan(16, GFP_KERNEL);	/* a whole block */
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_NE(test, c, a);
	memset(c, 0x5c, 16);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x5b, 8));
	BF_GOOD(test, goslab_free(b));
	BF_GOOD(test, goslab_free(c));
	mcache_flush_all();
	BF_VERIFY(test);

	/*
	 * Alone in a block the mcache let go of: the block itself is freed.
	 * c, a 16-byte noscan object of the same span, keeps the span.
	 */
	a = goslab_alloc_noscan(8, GFP_KERNEL);
	c = goslab_alloc_noscan(16, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && c);
	KUNIT_ASSERT_PTR_EQ(test, span_of((unsigned long)c), span_of((unsigned long)a));
	mcache_flush_all();
	BF_GOOD(test, goslab_free(a));
	BF_BAD(test, a, "not allocated", goslab_free(a));
	BF_BAD(test, a, "not allocated",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)0));
	BF_GOOD(test, goslab_free(c));
	mcache_flush_all();
	BF_VERIFY(test);
}

/* ---- interior pointers ------------------------------------------------- */

static void badfree_interior_small_test(struct kunit *test)
{
	char *q;

	bf_pin(test);
	q = goslab_alloc(200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(q, 0x3c, 200);

	BF_BAD(test, q + 8, "middle of an object", goslab_free(q + 8));
	BF_BAD(test, q + 1, "middle of an object", goslab_free(q + 1));
	BF_BAD(test, q + 207, "middle of an object", goslab_free(q + 207));
	BF_BAD(test, q + 16, "middle of an object",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(q + 16), (size_t)0));
	BF_BAD(test, q + 24, "middle of an object",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(q + 24, 1000, GFP_KERNEL)));
	BF_BAD(test, q + 32, "middle of an object",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(q + 32, 10, GFP_KERNEL)));

	/* The object is untouched and frees exactly once. */
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x3c, 200));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(q), (size_t)208);
	BF_GOOD(test, goslab_free(q));
	BF_BAD(test, q, "double free", goslab_free(q));
	mcache_flush_all();
	BF_VERIFY(test);
}

static void badfree_interior_large_test(struct kunit *test)
{
	char *l;

	bf_pin(test);
	l = goslab_alloc(100000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	memset(l, 0x4c, 100000);

	BF_BAD(test, l + 16, "middle of an object", goslab_free(l + 16));
	BF_BAD(test, l + GOSLAB_PAGE_SIZE, "middle of an object",
	       goslab_free(l + GOSLAB_PAGE_SIZE));
	BF_BAD(test, l + 99999, "middle of an object", goslab_free(l + 99999));
	BF_BAD(test, l + PAGE_SIZE, "middle of an object",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(l + PAGE_SIZE), (size_t)0));
	BF_BAD(test, l + 8, "middle of an object",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(l + 8, 200000, GFP_KERNEL)));

	KUNIT_EXPECT_NULL(test, memchr_inv(l, 0x4c, 100000));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(l), (size_t)round_up(100000, GOSLAB_PAGE_SIZE));
	BF_GOOD(test, goslab_free(l));
	BF_VERIFY(test);
}

static void badfree_interior_tiny_test(struct kunit *test)
{
	char *a, *b;

	bf_pin(test);
	mcache_flush_all();
	a = goslab_alloc_noscan(8, GFP_KERNEL);
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 8);
	memset(a, 0xaa, 8);
	memset(b, 0xbb, 4);

	BF_BAD(test, a + 1, "not allocated", goslab_free(a + 1));
	BF_BAD(test, a + 4, "not allocated", goslab_free(a + 4));
	BF_BAD(test, b + 2, "not allocated", goslab_free(b + 2));
	BF_BAD(test, a + 15, "not allocated", goslab_free(a + 15));
	BF_BAD(test, a + 3, "not allocated",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(a + 3), (size_t)0));
	BF_BAD(test, b + 1, "not allocated",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(b + 1, 100, GFP_KERNEL)));

	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0xaa, 8));
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0xbb, 4));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)8);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)4);
	BF_GOOD(test, goslab_free(a));
	BF_GOOD(test, goslab_free(b));
	BF_BAD(test, a, "not allocated", goslab_free(a));
	mcache_flush_all();
	BF_VERIFY(test);
}

/* ---- pointers goslab never handed out ---------------------------------- */

/*
 * A random address in the direct map that no goslab arena covers.
 * goslab never dereferences a pointer it does not own, so any mapped or
 * unmapped address in the direct map will do.
 */
static void *bf_random_direct(struct kunit *test)
{
	unsigned long span = (unsigned long)high_memory - PAGE_OFFSET;
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		unsigned long a = PAGE_OFFSET + get_random_u64() % span;

		if (virt_addr_valid((void *)a) && !arena_of(a))
			return (void *)a;
	}
	KUNIT_FAIL(test, "no direct-map address outside goslab found");
	return NULL;
}

/* Each of goslab's entry points on @p, which goslab never handed out. */
static noinline void bf_foreign(struct kunit *test, void *p, const char *words)
{
	void *arr[1] = { p };

	BF_BAD(test, p, words, goslab_free(p));
	BF_BAD(test, p, words,
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)0));
	BF_BAD(test, p, words,
	       KUNIT_EXPECT_NULL(test, goslab_realloc(p, 64, GFP_KERNEL)));
	/* realloc to 0 frees: the free is reported, the result is 0 bytes. */
	BF_BAD(test, p, words,
	       KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(p, 0, GFP_KERNEL),
				   (void *)ZERO_SIZE_PTR));
	BF_BAD(test, p, words, goslab_free_bulk(1, arr));
}

/* ---- a write after free into the owner's LIFO ---------------------------- */

/*
 * A freed object on the owner's LIFO keeps the link to the next one (its
 * index + 1) in its first word.  A write after free that overwrites it
 * must not make goslab hand out anything but free objects: a link past
 * the span is reported at the object that held it, which is still handed
 * out (it was free); a link to a live object is reported at that object
 * by the allocation that would have taken it, which gets a fresh object
 * instead; a link of 0 just ends the LIFO.  Every object is accounted for
 * afterwards.
 */
static void badfree_lifo_link_test(struct kunit *test)
{
	unsigned int k;

	/* Under init_on_free the owner's frees do not use the LIFO. */
	if (want_init_on_free())
		kunit_skip(test, "init_on_free: no LIFO");
	bf_pin(test);
	for (k = 0; k < 3; k++) {
		char *a, *b, *r, *x, *y = NULL;
		struct mspan *s;
		unsigned int junk;

		mcache_flush_all();
		a = goslab_alloc(96, GFP_KERNEL);
		b = goslab_alloc(96, GFP_KERNEL);
		r = goslab_alloc(96, GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, a && b && r);
		s = span_of((unsigned long)a);
		KUNIT_ASSERT_PTR_EQ(test, s, span_of((unsigned long)r));
		junk = k == 0 ? 0xdeadbeefU :
		       k == 1 ? ((unsigned long)r - s->start_addr) / s->elemsize + 1 :
				0;
		goslab_free(b);
		goslab_free(a);		/* LIFO: a, then b */
		gs_test_poke_long(a, junk);
		if (k == 0)
			BF_BAD(test, a, "overwritten",
			       x = goslab_alloc(96, GFP_KERNEL));
		else
			BF_GOOD(test, x = goslab_alloc(96, GFP_KERNEL));
		KUNIT_EXPECT_PTR_EQ(test, x, a);
		if (k == 1)
			BF_BAD(test, r, "not free",
			       y = goslab_alloc(96, GFP_KERNEL));
		else
			BF_GOOD(test, y = goslab_alloc(96, GFP_KERNEL));
		KUNIT_ASSERT_NOT_NULL(test, y);
		KUNIT_EXPECT_TRUE(test, y != a && y != b && y != r);
		BF_GOOD(test, KUNIT_EXPECT_EQ(test, goslab_usable_size(y),
					      (size_t)96));
		BF_GOOD(test, goslab_free(y));
		BF_GOOD(test, goslab_free(x));
		BF_GOOD(test, goslab_free(r));
		/* b, left on the dropped LIFO, is drained as freed. */
		mcache_flush_all();
		BF_VERIFY(test);
	}
}

/* Memory from the stack, kmalloc, vmalloc and the page allocator. */
static void badfree_foreign_test(struct kunit *test)
{
	char stackbuf[64] __aligned(16);
	char *stackp = stackbuf;
	struct page *page;
	char *k, *kl, *v, *pg, *rnd;
	int i;

	bf_pin(test);
	/* The compiler must not see that the stack buffer is never used. */
	OPTIMIZER_HIDE_VAR(stackp);
	k = kmalloc(64, GFP_KERNEL);
	kl = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	v = vmalloc(3 * PAGE_SIZE);
	page = alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_TRUE(test, k && kl && v && page);
	pg = page_address(page);
	memset(k, 0x6b, 64);
	memset(pg, 0x70, 2 * PAGE_SIZE);

	bf_foreign(test, stackp, "does not own");
	bf_foreign(test, k, "does not own");
	bf_foreign(test, k + 8, "does not own");
	bf_foreign(test, kl, "does not own");
	bf_foreign(test, v, "does not own");
	bf_foreign(test, v + PAGE_SIZE + 3, "does not own");
	bf_foreign(test, pg, "does not own");
	bf_foreign(test, pg + PAGE_SIZE, "does not own");
	for (i = 0; i < 8; i++) {
		rnd = bf_random_direct(test);
		if (rnd)
			bf_foreign(test, rnd, "does not own");
	}

	/* Nothing of theirs was touched. */
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0x6b, 64));
	KUNIT_EXPECT_NULL(test, memchr_inv(pg, 0x70, 2 * PAGE_SIZE));
	kfree(k);
	kfree(kl);
	vfree(v);
	__free_pages(page, 1);
	BF_VERIFY(test);
}

/*
 * Inside goslab's own memory, but never handed out: the next slot of a
 * fresh span (free, past free_index), and a page of an arena that no span
 * covers.  The ignored free leaves the slot to be handed out normally.
 */
static void badfree_never_allocated_test(struct kunit *test)
{
	struct mcentral *c;
	struct heap_arena *ar;
	unsigned long free_page = 0, flags;
	char *p, *next, *n;
	unsigned int k;

	bf_pin(test);
	mcache_flush_all();
	c = mcentral_of(numa_mem_id(),
			make_spanclass(goslab_size_to_class(3200), false));
	KUNIT_ASSERT_EQ_MSG(test, c->nr_partial, 0UL,
			    "3200-byte objects left allocated by an earlier test");
	p = goslab_alloc(3200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* A fresh span: p is its first object, the rest never handed out. */
	KUNIT_ASSERT_EQ(test, (unsigned long)p, span_of((unsigned long)p)->start_addr);
	next = p + 3200;
	KUNIT_ASSERT_PTR_EQ(test, span_of((unsigned long)next), span_of((unsigned long)p));

	BF_BAD(test, next, "not allocated", goslab_free(next));
	BF_BAD(test, next, "not allocated",
	       KUNIT_EXPECT_EQ(test, goslab_usable_size(next), (size_t)0));
	BF_BAD(test, next, "not allocated",
	       KUNIT_EXPECT_NULL(test, goslab_realloc(next, 10000, GFP_KERNEL)));
	n = goslab_alloc(3200, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, n, next);
	BF_GOOD(test, goslab_free(n));
	BF_GOOD(test, goslab_free(p));

	/* A page of an arena outside every span. */
	ar = arena_of((unsigned long)p);
	KUNIT_ASSERT_NOT_NULL(test, ar);
	spin_lock_irqsave(&ar->heap->lock, flags);
	for (k = GS_PAGES_PER_ARENA; k-- > 0; )
		if (!ar->spans[k] && test_bit(k, ar->owned)) {
			free_page = ar->base + ((unsigned long)k << GOSLAB_PAGE_SHIFT);
			break;
		}
	spin_unlock_irqrestore(&ar->heap->lock, flags);
	if (free_page) {
		BF_BAD(test, free_page, "free goslab memory",
		       goslab_free((void *)free_page));
		BF_BAD(test, free_page + 64, "free goslab memory",
		       goslab_free((void *)(free_page + 64)));
	}
	mcache_flush_all();
	BF_VERIFY(test);
}

/* ---- the heap afterwards ----------------------------------------------- */

#define BF_CHURN	200

/*
 * After every kind of bad pointer the allocator hands out no object
 * twice, keeps contents, counts nothing more, and gives every page back.
 */
/*
 * goslab_free_bulk() frees runs of one span a bitmap word at a time: a
 * bad entry inside a run is reported exactly once and the good entries
 * around it are still freed, each once.
 */
static void badfree_bulk_test(struct kunit *test)
{
	struct mheap *h = mheap_of(numa_mem_id());
	unsigned long inuse0, flags;
	void *a[4], *arr[5];
	char *c;
	int i;

	bf_pin(test);
	mcache_flush_all();
	spin_lock_irqsave(&h->lock, flags);
	inuse0 = h->pages_inuse;
	spin_unlock_irqrestore(&h->lock, flags);

	/* The same object twice in one run. */
	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(96, GFP_KERNEL, 3, a), (size_t)3);
	arr[0] = a[0];
	arr[1] = a[1];
	arr[2] = a[0];
	arr[3] = a[2];
	BF_BAD(test, a[0], "not allocated", goslab_free_bulk(4, arr));
	for (i = 0; i < 3; i++)
		BF_BAD(test, a[i], "not allocated", goslab_free(a[i]));

	/* A pointer into an object between two good ones. */
	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(96, GFP_KERNEL, 2, a), (size_t)2);
	c = a[0];
	arr[0] = a[0];
	arr[1] = c + 8;
	arr[2] = a[1];
	BF_BAD(test, c + 8, "middle", goslab_free_bulk(3, arr));
	BF_BAD(test, a[1], "not allocated", goslab_free(a[1]));

	/* An object freed before, leading and inside a run. */
	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(96, GFP_KERNEL, 4, a), (size_t)4);
	BF_GOOD(test, goslab_free(a[0]));
	BF_GOOD(test, goslab_free(a[2]));
	arr[0] = a[0];
	arr[1] = a[1];
	BF_BAD(test, a[0], "not allocated", goslab_free_bulk(2, arr));
	arr[0] = a[3];
	arr[1] = a[2];
	arr[2] = NULL;
	BF_BAD(test, a[2], "not allocated", goslab_free_bulk(3, arr));
	BF_BAD(test, a[3], "not allocated", goslab_free(a[3]));

	mcache_flush_all();
	spin_lock_irqsave(&h->lock, flags);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, inuse0);
	spin_unlock_irqrestore(&h->lock, flags);
	BF_VERIFY(test);
}

static void badfree_heap_intact_test(struct kunit *test)
{
	long bad0 = atomic_long_read(&report_stats.bad_frees);
	unsigned long inuse0, inuse1, flags;
	struct mheap *h = mheap_of(numa_mem_id());
	void **p;
	int i, j;

	bf_pin(test);
	p = kunit_kcalloc(test, BF_CHURN, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mcache_flush_all();
	spin_lock_irqsave(&h->lock, flags);
	inuse0 = h->pages_inuse;
	spin_unlock_irqrestore(&h->lock, flags);

	for (i = 0; i < BF_CHURN; i++) {
		size_t size = i % 3 == 0 ? 1 + i % 15 : i % 3 == 1 ? 200 : 40000;

		p[i] = i % 3 == 0 ? goslab_alloc_noscan(size, GFP_KERNEL) :
				    goslab_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i & 0xff, size);
	}
	for (i = 0; i < BF_CHURN; i++) {
		size_t size = i % 3 == 0 ? 1 + i % 15 : i % 3 == 1 ? 200 : 40000;

		for (j = 0; j < i; j++)
			if (p[i] == p[j])
				KUNIT_FAIL(test, "object %p handed out twice", p[i]);
		KUNIT_EXPECT_NULL(test, memchr_inv(p[i], i & 0xff, size));
	}
	for (i = 0; i < BF_CHURN; i++)
		goslab_free(p[i]);
	mcache_flush_all();
	spin_lock_irqsave(&h->lock, flags);
	inuse1 = h->pages_inuse;
	spin_unlock_irqrestore(&h->lock, flags);
	KUNIT_EXPECT_EQ(test, inuse1, inuse0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad0);
	BF_VERIFY(test);
}

/* ---- suite ------------------------------------------------------------- */

static unsigned long bf_saved_retain;

/* Keep free arenas, so that a freed object's pages stay goslab's. */
static int bf_init(struct kunit *test)
{
	bf_saved_retain = scavenge_retain_pages();
	scavenge_set_retain_pages(64 * GS_PAGES_PER_ARENA);
	return 0;
}

/*
 * Two CPUs free the same objects at the same moment: the span's owner
 * (its free goes on the span's LIFO) and another CPU (a remote free, its
 * bit in free_bits).  Both may pass the liveness check before either
 * marks the object, and the object then sat on the owner's LIFO with its
 * free bit set too: the owner handed it out again while the next sweep
 * made it free, and the drain counted it a second time.  Exactly one free
 * of each object must take effect and the other be reported; nothing is
 * handed out twice afterwards, and the heap verifies.
 */
#define BF_RACE_OBJS	32
#define BF_RACE_ROUNDS	1000

struct bf_race {
	void *obj[BF_RACE_OBJS];
	atomic_t ready, done;
	int round;
	bool abort;		/* the owner gave up: the remote stops too */
};

/* Wait for @v to reach @n; false if the round was given up. */
static bool bf_race_wait(struct bf_race *r, atomic_t *v, int n)
{
	while (atomic_read(v) < n)
		if (READ_ONCE(r->abort))
			return false;
	return true;
}

/* One of the two freers of round @round. */
static void bf_race_free(struct bf_race *r, int round)
{
	unsigned int i;

	atomic_inc(&r->ready);
	if (!bf_race_wait(r, &r->ready, 2 * (round + 1)))
		return;
	for (i = 0; i < BF_RACE_OBJS; i++)
		goslab_free(r->obj[i]);
	export_commit_remote();
	atomic_inc(&r->done);
}

static int bf_race_remote(void *arg)
{
	struct bf_race *r = arg;
	int round;

	for (round = 0; round < BF_RACE_ROUNDS && !READ_ONCE(r->abort); round++) {
		/* The owner publishes this round's objects first. */
		while (smp_load_acquire(&r->round) != round && !READ_ONCE(r->abort))
			cpu_relax();
		if (!READ_ONCE(r->abort))
			bf_race_free(r, round);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void badfree_racing_double_free_test(struct kunit *test)
{
	struct bf_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	void **again = kunit_kcalloc(test, 2 * BF_RACE_OBJS, sizeof(void *),
				     GFP_KERNEL);
	unsigned int i, k, twice = 0, failed = 0;
	struct task_struct *t;
	int cpus[2], round;
	long bad0, lost;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, again);
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])), 0);
	WRITE_ONCE(r->round, -1);
	t = kthread_create(bf_race_remote, r, "bf_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpus[1]);
	wake_up_process(t);

	bad0 = atomic_long_read(&report_stats.bad_frees);
	bf_expect_begin();
	for (round = 0; round < BF_RACE_ROUNDS && !failed; round++) {
		for (i = 0; i < BF_RACE_OBJS; i++) {
			r->obj[i] = goslab_alloc(64, GFP_KERNEL);
			failed += !r->obj[i];
		}
		if (failed)
			break;
		/* Publishes the objects; pairs with the remote's acquire. */
		smp_store_release(&r->round, round);
		bf_race_free(r, round);
		bf_race_wait(r, &r->done, 2 * (round + 1));
		/* Nothing handed out twice: all distinct. */
		for (i = 0; i < 2 * BF_RACE_OBJS; i++) {
			again[i] = goslab_alloc(64, GFP_KERNEL);
			failed += !again[i];
			for (k = 0; k < i && again[i]; k++)
				twice += again[k] == again[i];
		}
		for (i = 0; i < 2 * BF_RACE_OBJS; i++)
			goslab_free(again[i]);
	}
	WRITE_ONCE(r->abort, true);
	kthread_stop(t);
	/*
	 * Whatever the interleaving, one report per object: at the free,
	 * when the owner meets it on its LIFO, or when the flush drains
	 * the LIFO.
	 */
	mcache_flush_all();
	bf_expect_end();
	KUNIT_ASSERT_EQ_MSG(test, failed, 0U, "allocations failed");
	lost = atomic_long_read(&report_stats.bad_frees) - bad0 -
	       (long)BF_RACE_ROUNDS * BF_RACE_OBJS;
	KUNIT_EXPECT_EQ_MSG(test, twice, 0U, "objects handed out twice");
	KUNIT_EXPECT_EQ_MSG(test, lost, 0L,
			    "double frees not reported exactly once each");
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

#define BF_RACE_LARGE		40000
#define BF_RACE_LARGE_ROUNDS	150

/*
 * The same race for large objects: bit 0 is claimed before anything is
 * written into the object, so the free that loses writes nothing into
 * pages the other already gave back.  One report per object, large
 * neighbours allocated with them keep their bytes, nothing is handed out
 * twice, the heap verifies.
 */
static void badfree_racing_large_test(struct kunit *test)
{
	struct bf_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u8 **guard = kunit_kcalloc(test, BF_RACE_OBJS, sizeof(*guard), GFP_KERNEL);
	void **again = kunit_kcalloc(test, BF_RACE_OBJS, sizeof(void *),
				     GFP_KERNEL);
	unsigned int i, k, twice = 0, failed = 0, broken = 0;
	struct task_struct *t;
	int cpus[2], round;
	long bad0, lost;

	KUNIT_ASSERT_TRUE(test, r && guard && again);
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])), 0);
	WRITE_ONCE(r->round, -1);
	t = kthread_create(bf_race_remote, r, "bf_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpus[1]);
	wake_up_process(t);

	bad0 = atomic_long_read(&report_stats.bad_frees);
	bf_expect_begin();
	for (round = 0; round < BF_RACE_LARGE_ROUNDS && !failed && !broken;
	     round++) {
		for (i = 0; i < BF_RACE_OBJS; i++) {
			r->obj[i] = goslab_alloc(BF_RACE_LARGE, GFP_KERNEL);
			guard[i] = goslab_alloc(BF_RACE_LARGE, GFP_KERNEL);
			failed += !r->obj[i] || !guard[i];
			if (guard[i])
				memset(guard[i], 0x40 + i, BF_RACE_LARGE);
		}
		if (failed)
			break;
		/* Publishes the objects; pairs with the remote's acquire. */
		smp_store_release(&r->round, round);
		bf_race_free(r, round);
		bf_race_wait(r, &r->done, 2 * (round + 1));
		for (i = 0; i < BF_RACE_OBJS; i++) {
			again[i] = goslab_alloc(BF_RACE_LARGE, GFP_KERNEL);
			failed += !again[i];
			for (k = 0; k < i && again[i]; k++)
				twice += again[k] == again[i];
		}
		for (i = 0; i < BF_RACE_OBJS; i++) {
			broken += !!memchr_inv(guard[i], 0x40 + i, BF_RACE_LARGE);
			goslab_free(guard[i]);
			goslab_free(again[i]);
		}
	}
	WRITE_ONCE(r->abort, true);
	kthread_stop(t);
	mcache_flush_all();
	bf_expect_end();
	KUNIT_ASSERT_EQ_MSG(test, failed, 0U, "allocations failed");
	lost = atomic_long_read(&report_stats.bad_frees) - bad0 -
	       (long)round * BF_RACE_OBJS;
	KUNIT_EXPECT_EQ_MSG(test, broken, 0U, "neighbours overwritten");
	KUNIT_EXPECT_EQ_MSG(test, twice, 0U, "objects handed out twice");
	KUNIT_EXPECT_EQ_MSG(test, lost, 0L,
			    "double frees not reported exactly once each");
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * Racing frees and the object's next owner.  The remote CPU's free of
 * an object is stopped where it has won the object and is about to write
 * into it (mfree_test_hook: after its claim); meanwhile the owner frees
 * the same object and allocates until it gets the object's bytes back
 * (the LIFO at once, a sweep after its span runs out, a tiny block once
 * it is released and swept), filling everything it gets with a canary.
 * Then the remote free goes on (goslab_free(), or goslab_free_sensitive(),
 * which clears the object).  Of the two frees exactly one may take
 * effect, the other is reported; the owner's new objects keep their
 * canaries and stay live, and the heap verifies.  A free that wiped (the
 * init_on_free stage, KASAN, debug poison) or published before it had
 * claimed would write over or free the owner's new object.  The stop is
 * bounded: a free the remote one holds a lock against (any tiny
 * object's) waits for it to go on without the owner's signal.
 */
#define BF_REUSE_ROUNDS		8

struct bf_reuse {
	const void *target;
	struct task_struct *task;	/* the free that is stopped */
	atomic_t stopped, go, done;
	int round;
	bool sensitive;			/* the remote free clears it first */
	bool abort;
};

static struct bf_reuse *bf_reuse;

/* mfree_test_hook: stop the remote free of the target, at most 200 ms. */
static void bf_reuse_hook(const void *p)
{
	struct bf_reuse *r = READ_ONCE(bf_reuse);

	if (!r || current != r->task || p != READ_ONCE(r->target))
		return;
	gs_test_hold(&r->stopped, &r->go);
}

static int bf_reuse_remote(void *arg)
{
	struct bf_reuse *r = arg;
	int round;

	for (round = 0; round < BF_REUSE_ROUNDS && !READ_ONCE(r->abort); round++) {
		/* The owner publishes this round's target first. */
		while (smp_load_acquire(&r->round) != round && !READ_ONCE(r->abort))
			cpu_relax();
		if (READ_ONCE(r->abort))
			break;
		if (r->sensitive)
			goslab_free_sensitive(r->target);
		else
			goslab_free(r->target);
		export_commit_remote();
		atomic_inc(&r->done);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void *bf_reuse_alloc(size_t size, bool noscan)
{
	return noscan ? goslab_alloc_noscan(size, GFP_KERNEL) :
			goslab_alloc(size, GFP_KERNEL);
}

/*
 * One kind of object: @size bytes (noscan with @noscan), the owner
 * allocating up to @max of them per round to get the object back; with
 * @sensitive the remote free is goslab_free_sensitive().
 */
static void bf_reuse_run(struct kunit *test, size_t size, bool noscan,
			 unsigned int max, bool sensitive)
{
	struct bf_reuse *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u8 **y = kunit_kcalloc(test, max, sizeof(*y), GFP_KERNEL);
	unsigned int k, n, reused = 0, broken = 0, dead = 0, failed = 0;
	unsigned int wrong = 0;
	struct task_struct *t;
	int cpus[2], round, i;
	long bad;
	u8 *x;

	KUNIT_ASSERT_TRUE(test, r && y);
	r->sensitive = sensitive;
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])), 0);
	WRITE_ONCE(r->round, -1);
	t = kthread_create(bf_reuse_remote, r, "bf_reuse");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	r->task = t;
	kthread_bind(t, cpus[1]);
	WRITE_ONCE(bf_reuse, r);
	WRITE_ONCE(mfree_test_hook, bf_reuse_hook);
	wake_up_process(t);

	bf_expect_begin();
	for (round = 0; round < BF_REUSE_ROUNDS && !failed; round++) {
		x = bf_reuse_alloc(size, noscan);
		if (!x) {
			failed++;
			break;
		}
		memset(x, 0x11, size);
		WRITE_ONCE(r->target, x);
		atomic_set(&r->stopped, 0);
		atomic_set(&r->go, 0);
		bad = atomic_long_read(&report_stats.bad_frees);
		/* Publishes the target; pairs with the remote's acquire. */
		smp_store_release(&r->round, round);
		/* Bounded as the hook is: the remote free may have lost. */
		for (i = 0; i < 20000 && !atomic_read(&r->stopped) &&
		     atomic_read(&r->done) <= round; i++)
			usleep_range(20, 40);
		goslab_free(x);
		for (n = 0; n < max; n++) {
			y[n] = bf_reuse_alloc(size, noscan);
			if (!y[n]) {
				failed++;
				break;
			}
			memset(y[n], 0xc0 + n % 64, size);
			if (y[n] < x + size && x < y[n] + size) {
				reused++;
				n++;
				break;
			}
		}
		atomic_set(&r->go, 1);
		while (atomic_read(&r->done) <= round)
			cpu_relax();
		for (k = 0; k < n; k++) {
			broken += !!memchr_inv(y[k], 0xc0 + k % 64, size);
			dead += !goslab_owns(y[k]);
		}
		/* Exactly one of the two frees of x was reported. */
		wrong += atomic_long_read(&report_stats.bad_frees) - bad != 1;
		for (k = 0; k < n; k++)
			if (goslab_owns(y[k]))
				goslab_free(y[k]);
	}
	WRITE_ONCE(r->abort, true);
	kthread_stop(t);
	WRITE_ONCE(mfree_test_hook, NULL);
	WRITE_ONCE(bf_reuse, NULL);
	mcache_flush_all();
	bf_expect_end();
	KUNIT_ASSERT_EQ_MSG(test, failed, 0U, "allocations failed");
	kunit_info(test, "%zu bytes: the owner got the object back in %u of %d rounds",
		   size, reused, round);
	KUNIT_EXPECT_EQ_MSG(test, broken, 0U, "next owners' objects overwritten");
	KUNIT_EXPECT_EQ_MSG(test, dead, 0U, "next owners' objects freed under them");
	KUNIT_EXPECT_EQ_MSG(test, wrong, 0U,
			    "rounds without exactly one report of the double free");
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static void badfree_racing_reuse_small_test(struct kunit *test)
{
	/* The span's 128 objects, then the sweep gives the object back. */
	bf_reuse_run(test, 64, false, 512, false);
}

static void badfree_racing_reuse_tiny_test(struct kunit *test)
{
	/* One block each: the span's 512 blocks, then the sweep. */
	bf_reuse_run(test, 12, true, 1536, false);
}

static void badfree_racing_reuse_large_test(struct kunit *test)
{
	/* A parked span or the heap's pages come back at once. */
	bf_reuse_run(test, BF_RACE_LARGE, false, 4, false);
}

/* The remote free clears the object first: only once it has claimed it. */
static void badfree_racing_reuse_sensitive_test(struct kunit *test)
{
	bf_reuse_run(test, 64, false, 512, true);
	bf_reuse_run(test, 12, true, 1536, true);
}

/*
 * The release of a tiny block whose objects are all freed, stopped where
 * it has found the block empty and has not yet given it back to its span
 * (mcache_test_hook), while another CPU frees the block's first object a
 * second time.  The block must go back once: exactly one report, of the
 * second free and from its caller, one free of the block counted, and
 * the heap verifies.  A block that looks like a live 16-byte object in
 * that window is freed by the racing free as one, and a second time by
 * the release.
 */
struct bf_window {
	const void *target;
	atomic_t stopped, done;
};

static struct bf_window *bf_window;

/* mcache_test_hook: hold the release of the target, at most 200 ms. */
static void bf_window_hook(const void *block)
{
	struct bf_window *w = READ_ONCE(bf_window);

	if (!w || block != READ_ONCE(w->target))
		return;
	gs_test_hold(&w->stopped, &w->done);
}

static noinline int bf_window_remote(void *arg)
{
	struct bf_window *w = arg;
	unsigned int i;

	for (i = 0; i < 20000 && !atomic_read(&w->stopped); i++)
		usleep_range(20, 40);
	if (atomic_read(&w->stopped)) {
		goslab_free(w->target);
		export_commit_remote();
	}
	atomic_set(&w->done, 1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void badfree_release_window_test(struct kunit *test)
{
	struct bf_window *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct mcache_stats *st0, *st1;
	char sym[KSYM_SYMBOL_LEN];
	struct report_record r0, r;
	struct task_struct *t;
	int cpus[2];
	void *x, *y;
	long bad;

	st0 = kunit_kzalloc(test, sizeof(*st0), GFP_KERNEL);
	st1 = kunit_kzalloc(test, sizeof(*st1), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, w && st0 && st1);
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])), 0);
	mcache_flush_all();
	/* A fresh block this CPU packs into, its only object freed. */
	x = goslab_alloc_noscan(12, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_EQ(test, (unsigned long)x % GS_TINY_SIZE, 0UL);
	BF_GOOD(test, goslab_free(x));
	w->target = x;
	t = kthread_create(bf_window_remote, w, "bf_window");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpus[1]);
	WRITE_ONCE(bf_window, w);
	WRITE_ONCE(mcache_test_hook, bf_window_hook);
	mcache_sum_stats(st0);
	report_get_last(&r0);
	bad = atomic_long_read(&report_stats.bad_frees);
	wake_up_process(t);
	bf_expect_begin();
	/* 8 bytes do not fit at 16, and 8 < 12: a new block, x's goes back. */
	y = goslab_alloc_noscan(8, GFP_KERNEL);
	while (!atomic_read(&w->done))
		usleep_range(20, 40);
	kthread_stop(t);
	bf_expect_end();
	WRITE_ONCE(mcache_test_hook, NULL);
	WRITE_ONCE(bf_window, NULL);
	mcache_sum_stats(st1);
	report_get_last(&r);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&w->stopped), 1,
			    "the release never reached the window");
	KUNIT_EXPECT_EQ_MSG(test, st1->nfree[GS_TINY_SPANCLASS] -
			    st0->nfree[GS_TINY_SPANCLASS], 1UL,
			    "the block was freed more than once");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 1);
	KUNIT_EXPECT_EQ(test, r.seq, r0.seq + 1);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, x);
	KUNIT_EXPECT_NOT_NULL_MSG(test, r.reason ? strstr(r.reason, "not allocated") : NULL,
				  "reason \"%s\"", r.reason ?: "(none)");
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		snprintf(sym, sizeof(sym), "%pS", (void *)r.caller);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(sym, "bf_window_remote"),
					  "reported from %s, not from the second free",
					  sym);
	}
	BF_GOOD(test, goslab_free(y));
	mcache_flush_all();
	BF_VERIFY(test);
}

static void bf_exit(struct kunit *test)
{
	scavenge_set_retain_pages(bf_saved_retain);
}

static struct kunit_case goslab_badfree_cases[] = {
	KUNIT_CASE(badfree_double_small_test),
	KUNIT_CASE(badfree_double_large_test),
	KUNIT_CASE(badfree_double_tiny_test),
	KUNIT_CASE(badfree_interior_small_test),
	KUNIT_CASE(badfree_interior_large_test),
	KUNIT_CASE(badfree_interior_tiny_test),
	KUNIT_CASE(badfree_lifo_link_test),
	KUNIT_CASE(badfree_foreign_test),
	KUNIT_CASE(badfree_never_allocated_test),
	KUNIT_CASE(badfree_racing_double_free_test),
	KUNIT_CASE(badfree_racing_large_test),
	KUNIT_CASE(badfree_racing_reuse_small_test),
	KUNIT_CASE(badfree_racing_reuse_tiny_test),
	KUNIT_CASE(badfree_racing_reuse_large_test),
	KUNIT_CASE(badfree_racing_reuse_sensitive_test),
	KUNIT_CASE(badfree_release_window_test),
	KUNIT_CASE(badfree_bulk_test),
	KUNIT_CASE(badfree_heap_intact_test),
	{}
};

static struct kunit_suite goslab_badfree_suite = {
	.name = "goslab_badfree",
	.init = bf_init,
	.exit = bf_exit,
	.test_cases = goslab_badfree_cases,
};

kunit_test_suite(goslab_badfree_suite);
