// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's debug mode (goslab/debug.c, debug=PZU): every
 * detection is asserted against the report it produces, both the record
 * report_get_last() keeps (address, reason, caller) and the lines on
 * the console, captured the way KFENCE's tests do; correct use, the
 * allocator's own writes, zeroing and switching at run time must produce
 * no report at all.
 *
 * Each case runs with gs_debug_set("PZU") (PZ without a stack depot) and
 * is switched back to "-" by the suite's exit hook, which KUnit runs even
 * when the case failed.  Objects from spans made while debug mode was off
 * carry no records and are never checked, so dbg_alloc() allocates until
 * it gets an object from a span made in debug mode.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/seq_file.h>
#include <linux/uio.h>
#include <linux/sizes.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/poison.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <trace/events/printk.h>

#include <goslab.h>
#include "../goslab/mspan.h"
#include "../goslab/arena.h"
#include "../goslab/mheap.h"
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

#define DBG_REDZONE	0xcc	/* debug.c's red-zone byte */
#define DBG_STASH	8192	/* objects dbg_alloc() may skip */

/* Console lines from goslab, captured while a case provokes a report. */
static struct {
	spinlock_t lock;	/* guards n and lines; on is read locklessly */
	bool on;
	int n;
	char lines[16][200];
} dbg_console = {
	.lock = __SPIN_LOCK_UNLOCKED(dbg_console.lock),
};

static bool dbg_console_ok;

static void dbg_probe_console(void *ignore, const char *buf, size_t len)
{
	unsigned long flags;

	if (!READ_ONCE(dbg_console.on) || !strnstr(buf, "goslab: ", len))
		return;
	spin_lock_irqsave(&dbg_console.lock, flags);
	if (dbg_console.n < ARRAY_SIZE(dbg_console.lines))
		strscpy(dbg_console.lines[dbg_console.n++], buf,
			min(len + 1, sizeof(dbg_console.lines[0])));
	spin_unlock_irqrestore(&dbg_console.lock, flags);
}

/* Start provoking: the kunit.sh markers, a fresh capture. */
static void dbg_expect_begin(void)
{
	unsigned long flags;

	pr_info("goslab-test: expect-report begin\n");
	spin_lock_irqsave(&dbg_console.lock, flags);
	dbg_console.n = 0;
	WRITE_ONCE(dbg_console.on, true);
	spin_unlock_irqrestore(&dbg_console.lock, flags);
}

static void dbg_expect_end(void)
{
	WRITE_ONCE(dbg_console.on, false);
	pr_info("goslab-test: expect-report end\n");
}

/* Was a line containing @what captured?  Always true without capture. */
static bool dbg_console_has(const char *what)
{
	unsigned long flags;
	bool found = false;
	int i;

	if (!dbg_console_ok)
		return true;
	spin_lock_irqsave(&dbg_console.lock, flags);
	for (i = 0; i < dbg_console.n && !found; i++)
		found = strstr(dbg_console.lines[i], what);
	spin_unlock_irqrestore(&dbg_console.lock, flags);
	return found;
}

static bool dbg_tracking(void)
{
	return READ_ONCE(gs_debug_flags) & GS_DEBUG_TRACK;
}

static void dbg_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	/* The cases expect this CPU's mcache to cache the spans. */
	gs_test_no_share(test);
}

static void *dbg_raw_alloc(size_t size, gfp_t gfp, bool noscan)
{
	return noscan ? goslab_alloc_noscan(size, gfp) : goslab_alloc(size, gfp);
}

/* An object of @size from a span that has debug records. */
static void *dbg_alloc(struct kunit *test, size_t size, gfp_t gfp, bool noscan)
{
	void **stash = kvmalloc_array(DBG_STASH, sizeof(void *), GFP_KERNEL);
	unsigned int n = 0;
	struct mspan *s;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, stash);
	for (;;) {
		p = dbg_raw_alloc(size, gfp, noscan);
		if (!p)
			break;
		s = span_of((unsigned long)p);
		if ((s && s->debug) || n == DBG_STASH)
			break;
		stash[n++] = p;
	}
	goslab_free_bulk(n, stash);
	kvfree(stash);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu", size);
	KUNIT_ASSERT_NOT_NULL_MSG(test, span_of((unsigned long)p)->debug,
				  "no debug span for size %zu after %u objects",
				  size, n);
	return p;
}

/*
 * Allocate @size with @gfp until @want comes back (its span is swept),
 * freeing the others.  Return: whether it came back.  Pinned callers only.
 */
static bool dbg_get_back(void *want, size_t size, bool noscan, gfp_t gfp)
{
	void **stash = kvmalloc_array(DBG_STASH, sizeof(void *), GFP_KERNEL);
	unsigned int n = 0;
	bool back = false;
	void *p;

	if (!stash)
		return false;
	while (n < DBG_STASH) {
		p = dbg_raw_alloc(size, gfp, noscan);
		if (!p)
			break;
		if (p == want) {
			back = true;
			break;
		}
		stash[n++] = p;
	}
	goslab_free_bulk(n, stash);
	kvfree(stash);
	return back;
}

/* Frees through a frame of its own, so the report's caller is known. */
static noinline void dbg_free_here(const void *p)
{
	goslab_free(p);
	barrier();	/* no tail call: this frame is the caller */
}

struct dbg_counts {
	long reports, bad;
	unsigned long seq;
};

static void dbg_counts(struct dbg_counts *c)
{
	struct report_record r;

	report_get_last(&r);
	c->reports = atomic_long_read(&report_stats.debug_reports);
	c->bad = atomic_long_read(&report_stats.bad_frees);
	c->seq = r.seq;
}

/* Nothing was reported since @c. */
static void dbg_expect_quiet(struct kunit *test, const struct dbg_counts *c,
			     const char *what)
{
	struct dbg_counts now;

	dbg_counts(&now);
	KUNIT_EXPECT_EQ_MSG(test, now.reports, c->reports, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, now.bad, c->bad, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, now.seq, c->seq, "%s", what);
}

/* Exactly one debug report since @c: at @addr, for @reason. */
static void dbg_expect_report(struct kunit *test, const struct dbg_counts *c,
			      const void *addr, const char *reason,
			      const char *what)
{
	struct dbg_counts now;
	struct report_record r;
	char line[96];

	dbg_counts(&now);
	report_get_last(&r);
	KUNIT_EXPECT_EQ_MSG(test, now.reports, c->reports + 1, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, now.bad, c->bad, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, now.seq, c->seq + 1, "%s", what);
	KUNIT_EXPECT_PTR_EQ_MSG(test, r.addr, addr, "%s", what);
	KUNIT_EXPECT_STREQ_MSG(test, r.reason ? r.reason : "(none)", reason,
			       "%s", what);
	KUNIT_EXPECT_NE_MSG(test, r.caller, 0UL, "%s", what);
	snprintf(line, sizeof(line), "goslab: %s at %px", reason, addr);
	KUNIT_EXPECT_TRUE_MSG(test, dbg_console_has(line),
			      "%s: no console line \"%s\"", what, line);
	if (dbg_tracking())
		KUNIT_EXPECT_TRUE_MSG(test, dbg_console_has("goslab: allocated by"),
				      "%s: no allocation stack printed", what);
}

/*
 * One byte written past the requested size, at @off into the slack, is
 * reported at free with the address of that byte; the report's caller
 * is the function that freed.
 */
static void dbg_overflow_one(struct kunit *test, size_t size, bool noscan,
			     size_t off)
{
	struct dbg_counts c;
	struct report_record r;
	char what[64], *sym = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	u8 *p = dbg_alloc(test, size, GFP_KERNEL, noscan);
	struct mspan *s = span_of((unsigned long)p);

	snprintf(what, sizeof(what), "size %zu noscan %d offset %zu", size,
		 noscan, off);
	KUNIT_ASSERT_GT_MSG(test, (size_t)s->elemsize, size + off, "%s", what);
	memset(p, 0x11, size);
	dbg_counts(&c);
	dbg_expect_begin();
	gs_test_poke(p + size + off, 0x42);
	dbg_free_here(p);
	dbg_expect_end();
	dbg_expect_report(test, &c, p + size + off,
			  "write past the end of the object", what);
	report_get_last(&r);
	KUNIT_ASSERT_NOT_NULL(test, sym);
	sprint_symbol_no_offset(sym, r.caller);
	KUNIT_EXPECT_TRUE_MSG(test, strstarts(sym, "dbg_free_here"),
			      "%s: caller %s", what, sym);
}

static void debug_overflow_test(struct kunit *test)
{
	static const struct {
		size_t size;
		bool noscan;
	} cases[] = {
		{ 100, false }, { 1, false }, { 13, false }, { 1000, false },
		{ 30000, false }, { 5, true }, { 200, true },
		{ 40000, false }, { 100000, true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t size = cases[i].size, slot;
		bool noscan = cases[i].noscan;

		slot = goslab_size_roundup(size);
		/* The first byte past the request, and the slot's last. */
		dbg_overflow_one(test, size, noscan, 0);
		dbg_overflow_one(test, size, noscan, slot - size - 1);
	}
}

/*
 * A write after free is reported when the slot is handed out again, at
 * the written byte, with the free stack.
 */
static void debug_uaf_test(struct kunit *test)
{
	static const size_t sizes[] = { 200, 24, 3000 };
	struct dbg_counts c;
	unsigned int i;

	dbg_pin(test);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *p = dbg_alloc(test, size, GFP_KERNEL, false);
		char what[32];
		bool back;

		snprintf(what, sizeof(what), "size %zu", size);
		memset(p, 0x22, size);
		goslab_free(p);
		dbg_counts(&c);
		dbg_expect_begin();
		gs_test_poke(p + size / 2, 0x42);	/* deliberately after the free */
		back = dbg_get_back(p, size, false, GFP_KERNEL);
		dbg_expect_end();
		KUNIT_ASSERT_TRUE_MSG(test, back, "%s: slot never came back", what);
		dbg_expect_report(test, &c, p + size / 2, "write after free", what);
		if (dbg_tracking())
			KUNIT_EXPECT_TRUE_MSG(test, dbg_console_has("goslab: freed by"),
					      "%s: no free stack printed", what);
		/* The poison was restored: the object is clean again. */
		dbg_counts(&c);
		goslab_free(p);
		dbg_expect_quiet(test, &c, what);
	}
}

/* Correct use, many times over: not one report. */
static void debug_correct_use_test(struct kunit *test)
{
	struct dbg_counts c;
	unsigned int i;

	dbg_counts(&c);
	for (i = 0; i < 3000; i++) {
		u32 x = get_random_u32();
		size_t size = x % 8 ? 1 + (x >> 8) % 2048 :
				      1 + (x >> 8) % (3 * GOSLAB_MAX_SMALL_SIZE);
		gfp_t gfp = GFP_KERNEL | (x & 0x10 ? __GFP_ZERO : 0);
		u8 *p = dbg_raw_alloc(size, gfp, x & 0x20);

		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, (u8)x, size);
		goslab_free(p);
	}
	/* The usable size is the caller's too, as ksize() is with SLUB. */
	for (i = 1; i <= 64; i++) {
		size_t size = i * 37;
		u8 *p = dbg_alloc(test, size, GFP_KERNEL, i & 1);
		size_t usable = goslab_usable_size(p);

		KUNIT_EXPECT_GE(test, usable, size);
		/* Under KASAN only the request is addressable, as for ksize(). */
		memset(p, 0x33, size);
		gs_test_fill(p + size, 0x33, usable - size);
		goslab_free(p);
	}
	/* realloc within the slot keeps the object; using it all is fine. */
	for (i = 1; i <= 12; i++) {
		u8 *p = dbg_alloc(test, 100, GFP_KERNEL, false);
		u8 *q = goslab_realloc(p, 100 + i, GFP_KERNEL);

		KUNIT_ASSERT_PTR_EQ(test, q, p);
		memset(q, 0x44, 100 + i);
		goslab_free(q);
	}
	dbg_expect_quiet(test, &c, "correct use");
}

/*
 * The allocator never writes into a red zone itself: right after the
 * allocation and right before the free it holds the pattern, for sizes
 * just under every class size and for large objects.
 */
static void debug_redzone_test(struct kunit *test)
{
	static const size_t large[] = {
		32769, 40000, 65537, 100000, (1 << 20) + 1,
	};
	static const unsigned int under[] = { 1, 3, 8 };
	struct dbg_counts c;
	unsigned int cl, k;

	dbg_counts(&c);
	for (cl = 1; cl < GOSLAB_NUM_SIZE_CLASSES + ARRAY_SIZE(large); cl++) {
		for (k = 0; k < ARRAY_SIZE(under); k++) {
			size_t size;
			u8 *p;
			struct mspan *s;

			if (cl < GOSLAB_NUM_SIZE_CLASSES) {
				if (class_to_size[cl] <= under[k])
					continue;
				size = class_to_size[cl] - under[k];
			} else {
				if (k)
					break;
				size = large[cl - GOSLAB_NUM_SIZE_CLASSES];
			}
			p = dbg_alloc(test, size, GFP_KERNEL, k & 1);
			s = span_of((unsigned long)p);
			KUNIT_EXPECT_NULL_MSG(test,
					      gs_test_memchr_inv(p + size, DBG_REDZONE,
								 s->elemsize - size),
					      "size %zu: red zone not set at allocation", size);
			memset(p, 0x55, size);
			KUNIT_EXPECT_NULL_MSG(test,
					      gs_test_memchr_inv(p + size, DBG_REDZONE,
								 s->elemsize - size),
					      "size %zu: red zone changed", size);
			goslab_free(p);
		}
	}
	dbg_expect_quiet(test, &c, "red zones");
}

/* __GFP_ZERO still zeroes the requested bytes, over dirtied memory. */
static void debug_zero_test(struct kunit *test)
{
	static const size_t sizes[] = {
		1, 7, 8, 24, 100, 1000, 4096, 30000, 32768, 40000, 100000,
	};
	struct dbg_counts c;
	void *bulk[8];
	unsigned int i, j;

	dbg_pin(test);
	dbg_counts(&c);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];

		for (j = 0; j < 2; j++) {
			u8 *p = dbg_alloc(test, size, GFP_KERNEL, j);
			u8 *q;

			memset(p, 0xa5, size);
			goslab_free(p);
			/* Zeroed whether or not the dirtied slot comes back. */
			q = dbg_raw_alloc(size, GFP_KERNEL | __GFP_ZERO, j);
			KUNIT_ASSERT_NOT_NULL(test, q);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(q, 0, size),
					      "size %zu noscan %u not zeroed",
					      size, j);
			goslab_free(q);
			if (size > GOSLAB_MAX_SMALL_SIZE)
				continue;
			/* And the very slot that was dirtied. */
			p = dbg_alloc(test, size, GFP_KERNEL, j);
			memset(p, 0xa5, size);
			goslab_free(p);
			KUNIT_ASSERT_TRUE_MSG(test,
					      dbg_get_back(p, size, j, GFP_KERNEL | __GFP_ZERO),
					      "size %zu: slot never came back", size);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, size),
					      "size %zu noscan %u reused slot not zeroed",
					      size, j);
			goslab_free(p);
		}
		KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(size, GFP_KERNEL | __GFP_ZERO,
							ARRAY_SIZE(bulk), bulk),
				ARRAY_SIZE(bulk));
		for (j = 0; j < ARRAY_SIZE(bulk); j++) {
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(bulk[j], 0, size),
					      "bulk size %zu not zeroed", size);
			memset(bulk[j], 0x5a, size);
		}
		goslab_free_bulk(ARRAY_SIZE(bulk), bulk);
	}
	dbg_expect_quiet(test, &c, "zeroing");
}

/*
 * Requests under 16 bytes are not packed in debug mode: every object is
 * a slot of its own, with a red zone behind it.
 */
static void debug_tiny_test(struct kunit *test)
{
	struct dbg_counts c;
	size_t size;

	dbg_counts(&c);
	for (size = 1; size < GS_TINY_SIZE; size++) {
		u8 *p = dbg_alloc(test, size, GFP_KERNEL, true);
		u8 *q = dbg_raw_alloc(size, GFP_KERNEL, true);
		unsigned int sc = goslab_size_to_class(size);
		struct mspan *s = span_of((unsigned long)p);
		unsigned long idx = mspan_obj_index(s, (unsigned long)p);

		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_EQ_MSG(test, s->spanclass, make_spanclass(sc, true),
				    "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p,
				    s->start_addr + idx * s->elemsize,
				    "size %zu: not at the start of a slot", size);
		KUNIT_EXPECT_EQ_MSG(test, (size_t)s->elemsize,
				    (size_t)class_to_size[sc], "size %zu", size);
		KUNIT_EXPECT_TRUE_MSG(test, q >= p + s->elemsize ||
				      q + s->elemsize <= p,
				      "size %zu: %px and %px share a slot",
				      size, p, q);
		KUNIT_EXPECT_NULL_MSG(test,
				      gs_test_memchr_inv(p + size, DBG_REDZONE, s->elemsize - size),
				      "size %zu: no red zone", size);
		memset(p, 0x66, size);
		memset(q, 0x77, size);
		goslab_free(q);
		goslab_free(p);
	}
	dbg_expect_quiet(test, &c, "tiny");
}

/*
 * Switching at run time: records written under an older setting are not
 * believed.  An object allocated in debug mode and freed with it off, its
 * slot reused and written in full, then freed with debug mode on again,
 * is no overflow; a slot poisoned, reused with debug mode off and freed
 * again is no write after free when debug mode hands it out again.
 */
static void debug_switch_test(struct kunit *test)
{
	const char *on = dbg_tracking() ? "PZU" : "PZ";
	struct dbg_counts c;
	u8 *p, *q;

	dbg_pin(test);
	dbg_counts(&c);

	/* Allocated with records, freed and reused without. */
	p = dbg_alloc(test, 100, GFP_KERNEL, false);
	KUNIT_ASSERT_EQ(test, gs_debug_set("-"), 0);
	goslab_free(p);
	KUNIT_ASSERT_TRUE(test, dbg_get_back(p, 100, false, GFP_KERNEL));
	gs_test_fill(p, 0x88, goslab_usable_size(p));
	KUNIT_ASSERT_EQ(test, gs_debug_set(on), 0);
	goslab_free(p);
	dbg_expect_quiet(test, &c, "stale live record");

	/* Poisoned with records, reused and dirtied without. */
	q = dbg_alloc(test, 200, GFP_KERNEL, false);
	goslab_free(q);
	KUNIT_ASSERT_EQ(test, gs_debug_set("-"), 0);
	KUNIT_ASSERT_TRUE(test, dbg_get_back(q, 200, false, GFP_KERNEL));
	memset(q, 0x99, 200);
	goslab_free(q);
	KUNIT_ASSERT_EQ(test, gs_debug_set(on), 0);
	KUNIT_ASSERT_TRUE(test, dbg_get_back(q, 200, false, GFP_KERNEL));
	goslab_free(q);
	dbg_expect_quiet(test, &c, "stale poison record");

	/* And detection works again under the new setting. */
	dbg_overflow_one(test, 100, false, 0);
}

#define DBG_NORECORD_OBJS	64

/*
 * Debug mode never fails what would succeed without it: when its
 * per-span records cannot be had (GFP_ATOMIC on a refill that cannot
 * sleep now), the span is made without them and serves, unchecked.
 * Before, the allocation failed.
 */
static void debug_no_records_test(struct kunit *test)
{
	void *p[DBG_NORECORD_OBJS];
	unsigned int i, got = 0;

	WRITE_ONCE(gs_debug_test_no_records, true);
	for (i = 0; i < DBG_NORECORD_OBJS; i++) {
		/* 2 KiB: four to a span, so the loop makes new spans. */
		p[i] = goslab_alloc(2048, GFP_KERNEL | __GFP_ZERO);
		if (p[i]) {
			got++;
			KUNIT_EXPECT_TRUE(test, !memchr_inv(p[i], 0, 2048));
			memset(p[i], 0x5a, 2048);
		}
	}
	WRITE_ONCE(gs_debug_test_no_records, false);
	KUNIT_EXPECT_EQ(test, got, (unsigned int)DBG_NORECORD_OBJS);
	for (i = 0; i < DBG_NORECORD_OBJS; i++)
		goslab_free(p[i]);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

static int debug_case_init(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_STACKDEPOT) && !gs_debug_set("PZU"))
		return 0;
	return gs_debug_set("PZ");
}

static void debug_case_exit(struct kunit *test)
{
	WRITE_ONCE(dbg_console.on, false);
	gs_debug_set("-");
}

/* The console tracepoint is not exported: capture only when built in. */
static int debug_suite_init(struct kunit_suite *suite)
{
#if IS_BUILTIN(CONFIG_GOSLAB)
	dbg_console_ok = !register_trace_console(dbg_probe_console, NULL);
#endif
	return 0;
}

static void debug_suite_exit(struct kunit_suite *suite)
{
#if IS_BUILTIN(CONFIG_GOSLAB)
	if (dbg_console_ok)
		unregister_trace_console(dbg_probe_console, NULL);
	tracepoint_synchronize_unregister();
#endif
	gs_debug_set("-");
}

/*
 * A realloc that moves copies the data, not the red zone past it: with
 * __GFP_ZERO throughout, everything past the old request reads zero.
 */
static void debug_realloc_test(struct kunit *test)
{
	static const size_t sizes[][2] = {
		{ 100, 300 }, { 13, 5000 }, { 3000, 40000 }, { 40000, 90000 },
	};
	struct dbg_counts c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t from = sizes[i][0], to = sizes[i][1];
		u8 *p = dbg_alloc(test, from, GFP_KERNEL | __GFP_ZERO, false);
		u8 *q;

		memset(p, 0x5e, from);
		dbg_counts(&c);
		q = goslab_realloc(p, to, GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(q, 0x5e, from),
				      "%zu to %zu: data", from, to);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(q + from, 0, to - from),
				      "%zu to %zu: not zero past the data", from, to);
		goslab_free(q);
		dbg_expect_quiet(test, &c, "realloc");
	}
}

/*
 * A realloc in place keeps the red zone, at the new size: a byte written
 * past it is reported at free, after a grow within the slot and after a
 * shrink; the bytes the object grew by read zero with __GFP_ZERO.
 */
static void debug_realloc_redzone_test(struct kunit *test)
{
	static const size_t sizes[][2] = {
		{ 100, 104 }, { 100, 50 }, { 1000, 1010 }, { 40000, 20000 },
	};
	struct dbg_counts c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t from = sizes[i][0], to = sizes[i][1];
		u8 *p = dbg_alloc(test, from, GFP_KERNEL | __GFP_ZERO, false);
		char what[48];
		u8 *q;

		snprintf(what, sizeof(what), "%zu to %zu in place", from, to);
		memset(p, 0x5e, from);
		q = goslab_realloc(p, to, GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_PTR_EQ_MSG(test, (void *)q, (void *)p, "%s", what);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(q, 0x5e, min(from, to)),
				      "%s: data", what);
		if (to > from)
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(q + from, 0, to - from),
					      "%s: grown bytes not zero", what);
		dbg_counts(&c);
		dbg_expect_begin();
		gs_test_poke(q + to, 0x42);
		dbg_free_here(q);
		dbg_expect_end();
		dbg_expect_report(test, &c, q + to,
				  "write past the end of the object", what);
	}
}

#define DBG_SW_KEEP	48
#define DBG_SW_ROUNDS	600
#define DBG_SW_FILL	1100	/* 16-byte blocks: two spans and more */

/* The kept objects of debug_switch_call_test() still hold their bytes. */
static bool dbg_sw_intact(struct kunit *test, u8 **keep, const size_t *len,
			  unsigned int round)
{
	unsigned int k;

	for (k = 0; k < DBG_SW_KEEP; k++) {
		const u8 *bad;

		if (!keep[k])
			continue;
		bad = memchr_inv(keep[k], 0x80 | k, len[k]);
		if (bad) {
			KUNIT_FAIL(test, "round %u: byte %td of a %zu-byte object overwritten",
				   round, bad - keep[k], len[k]);
			return false;
		}
	}
	return true;
}

/*
 * Debug mode switched in the middle of an allocation or a free, right
 * after the call read the key (gs_debug_test_switch(): on this CPU, so
 * no other vCPU runs the code being patched): tiny, zeroed and ordinary
 * objects come back zeroed when __GFP_ZERO asks, the objects kept
 * meanwhile (tiny neighbours among them) keep every byte, and nothing is
 * reported.  Each call follows the one read: before, a tiny object could
 * reach debug mode, which wrote its red zone or 16 bytes of zeroes into
 * its neighbours.
 */
static void debug_switch_call_test(struct kunit *test)
{
	static const struct {
		size_t size;
		bool noscan;
	} kinds[] = {
		{ 1, true }, { 3, true }, { 5, true }, { 8, true }, { 13, true },
		{ 16, true }, { 7, true }, { 24, false }, { 100, false },
		{ 100, true }, { 1000, false }, { 40000, false }, { 2, true },
	};
	u8 **keep = kunit_kcalloc(test, DBG_SW_KEEP, sizeof(*keep), GFP_KERNEL);
	size_t *len = kunit_kcalloc(test, DBG_SW_KEEP, sizeof(*len), GFP_KERNEL);
	void **fill = kunit_kmalloc_array(test, DBG_SW_FILL, sizeof(void *),
					  GFP_KERNEL);
	unsigned int round, k, switched = 0;
	struct dbg_counts c;

	KUNIT_ASSERT_TRUE(test, keep && len && fill);
	dbg_pin(test);
	/*
	 * Tiny blocks come from the 16-byte noscan class: fill its spans
	 * in debug mode, so that the tiny allocator goes on in a span with
	 * records, where a tiny object handed to debug mode would get a red
	 * zone over its neighbours.
	 */
	for (k = 0; k < DBG_SW_FILL; k++) {
		fill[k] = goslab_alloc_noscan(GS_TINY_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, fill[k]);
	}
	dbg_counts(&c);
	for (round = 0; round < DBG_SW_ROUNDS; round++) {
		unsigned int kind = round % ARRAY_SIZE(kinds);
		size_t size = kinds[kind].size;
		gfp_t gfp = GFP_KERNEL | (round % 3 ? __GFP_ZERO : 0);
		const char *to = round & 1 ? "PZ" : "-";
		u8 *p;

		k = round % DBG_SW_KEEP;
		KUNIT_ASSERT_EQ(test, gs_debug_set(round & 1 ? "-" : "PZ"), 0);
		if (keep[k]) {
			gs_debug_test_switch(to);
			goslab_free(keep[k]);
			switched += gs_debug_test_switch(NULL);
			keep[k] = NULL;
			if (!dbg_sw_intact(test, keep, len, round))
				break;
		}
		gs_debug_test_switch(to);
		p = dbg_raw_alloc(size, gfp, kinds[kind].noscan);
		switched += gs_debug_test_switch(NULL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		if ((gfp & __GFP_ZERO) && memchr_inv(p, 0, size)) {
			KUNIT_FAIL(test, "round %u: %zu bytes, __GFP_ZERO, not zero",
				   round, size);
			goslab_free(p);
			break;
		}
		if (!dbg_sw_intact(test, keep, len, round)) {
			goslab_free(p);
			break;
		}
		memset(p, 0x80 | k, size);
		keep[k] = p;
		len[k] = size;
	}
	gs_debug_set("-");
	for (k = 0; k < DBG_SW_KEEP; k++)
		goslab_free(keep[k]);
	goslab_free_bulk(DBG_SW_FILL, fill);
	/* The switch came inside the calls, not between them. */
	KUNIT_EXPECT_GT(test, switched, DBG_SW_ROUNDS / 2);
	dbg_expect_quiet(test, &c, "debug mode switched inside calls");
}

#define DBG_LEAK_BUF	SZ_1M

/*
 * Open kmemleak's debugfs file through a mount of our own (the KUnit VM
 * mounts nothing).  Return: the file or an ERR_PTR; *@mntp to mntput().
 */
static struct file *dbg_kmemleak_open(struct vfsmount **mntp, int flags)
{
	struct file_system_type *fs = get_fs_type("debugfs");
	struct vfsmount *mnt;
	struct file *f;

	if (!fs)
		return ERR_PTR(-ENODEV);
	mnt = vfs_kern_mount(fs, 0, "debugfs", NULL);
	put_filesystem(fs);
	if (IS_ERR(mnt))
		return ERR_CAST(mnt);
	f = file_open_root_mnt(mnt, "kmemleak", flags, 0);
	if (IS_ERR(f))
		mntput(mnt);
	else
		*mntp = mnt;
	return f;
}

/* Count the symbols of one name; keep the address of the last. */
static int dbg_count_sym(void *data, unsigned long addr)
{
	unsigned long *d = data;

	d[0]++;
	d[1] = addr;
	return 0;
}

/* The address of the only symbol called @name, or 0. */
static unsigned long dbg_only_symbol(const char *name)
{
	unsigned long d[2] = { 0, 0 };

	kallsyms_on_each_match_symbol(dbg_count_sym, name, d);
	return d[0] == 1 ? d[1] : 0;
}

/*
 * What writing "scan" to kmemleak's file does: its scan under its
 * scan_mutex.  The file has no write_iter, so kernel_write() cannot
 * write to it, and a kthread has no user memory for its write(): both
 * are found by name (built-in tests only, KALLSYMS_ALL).
 * Return: 0, or -ENOENT when either is not to be found unambiguously.
 */
static int dbg_kmemleak_scan(void)
{
	unsigned long scan = dbg_only_symbol("kmemleak_scan");
	struct mutex *lock = (void *)dbg_only_symbol("scan_mutex");

	if (!scan || !lock)
		return -ENOENT;
	mutex_lock(lock);
	((void (*)(void))scan)();
	mutex_unlock(lock);
	return 0;
}

/* kmemleak's report, up to DBG_LEAK_BUF - 1 bytes, into @buf. */
static ssize_t dbg_kmemleak_read(char *buf)
{
	struct vfsmount *mnt;
	struct file *f = dbg_kmemleak_open(&mnt, O_RDONLY);
	loff_t pos = 0;
	size_t len = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	/*
	 * kernel_read() wants a read_iter, which kmemleak's file has not;
	 * it is a seq_file, so seq_read_iter() reads it into kernel memory.
	 */
	for (;;) {
		struct kvec kv = { buf + len, DBG_LEAK_BUF - 1 - len };
		struct iov_iter iter;
		struct kiocb kiocb;

		if (!kv.iov_len)
			break;
		init_sync_kiocb(&kiocb, f);
		kiocb.ki_pos = pos;
		iov_iter_kvec(&iter, ITER_DEST, &kv, 1, kv.iov_len);
		n = seq_read_iter(&kiocb, &iter);
		if (n <= 0)
			break;
		pos = kiocb.ki_pos;
		len += n;
	}
	buf[len] = 0;
	fput(f);
	mntput(mnt);
	return len;
}

/*
 * Run @fn(@ctx) in a kthread of its own until it signals @done, and let
 * it exit: the stack it used is gone before the kmemleak scans, so no
 * stale pointer on it hides an object.
 */
static void dbg_run_kthread(struct kunit *test, int (*fn)(void *), void *ctx,
			    struct completion *done, const char *name)
{
	struct task_struct *t = kthread_create(fn, ctx, "%s", name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	wake_up_process(t);
	/* Done, then gone: kthread_stop() waits for its exit. */
	wait_for_completion(done);
	kthread_stop(t);
	put_task_struct(t);
}

/* What dbg_leak_fn() leaves: an object of a debug span, a hidden pointer. */
struct dbg_leak_ctx {
	struct completion done;
	void *p;
	struct mspan *s;
	unsigned long hidden;
};

/*
 * In a thread of its own, which is gone when kmemleak scans: kmemleak
 * scans every live task's whole stack, where stale copies of these
 * pointers would keep the objects referenced.
 */
static int dbg_leak_fn(void *arg)
{
	void **stash = kvmalloc_array(DBG_STASH, sizeof(void *), GFP_KERNEL);
	struct dbg_leak_ctx *ctx = arg;
	unsigned int n = 0;
	struct mspan *s;
	void *p = NULL;

	if (!stash)
		goto out;
	while (n < DBG_STASH) {
		p = goslab_alloc(200, GFP_KERNEL);
		if (!p)
			break;
		s = span_of((unsigned long)p);
		if (s && s->debug) {
			ctx->p = p;
			ctx->s = s;
			break;
		}
		stash[n++] = p;
	}
	goslab_free_bulk(n, stash);
	kvfree(stash);
	/* Kept inverted, so that no scanned word points at it. */
	ctx->hidden = ~(unsigned long)kmalloc(64, GFP_KERNEL);
out:
	complete(&ctx->done);
	return 0;
}

/*
 * Debug mode's per-object records are kcalloc()ed and pointed to only
 * from the span, in fixalloc memory kmemleak does not scan: kmemleak
 * must not call them leaked (debug.c ignores them).  A kmalloc object
 * whose only pointer is hidden shows that the scan would report one.
 * kmemleak reports objects older than 5 s, unchanged over two scans.
 * Skipped where kmemleak or its symbols cannot be had.
 */
static void debug_kmemleak_records_test(struct kunit *test)
{
	struct dbg_leak_ctx ctx = { .hidden = ~0UL };
	char want[64], *buf;
	int err;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || !IS_BUILTIN(CONFIG_GOSLAB))
		kunit_skip(test, "needs kmemleak and a built-in goslab");
	buf = kvmalloc(DBG_LEAK_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	init_completion(&ctx.done);
	dbg_run_kthread(test, dbg_leak_fn, &ctx, &ctx.done, "goslab-leak-test");
	KUNIT_ASSERT_NOT_NULL(test, ctx.p);
	KUNIT_ASSERT_NE(test, ctx.hidden, ~0UL);
	msleep(5500);
	dbg_expect_begin();
	err = dbg_kmemleak_scan();
	if (!err)
		err = dbg_kmemleak_scan();
	dbg_expect_end();
	if (err || dbg_kmemleak_read(buf) < 0) {
		kfree((void *)~ctx.hidden);
		goslab_free(ctx.p);
		kvfree(buf);
		kunit_skip(test, "no kmemleak scan or report to be had (%d)", err);
	}
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx ", ~ctx.hidden);
	/*
	 * kmemleak's scan is conservative: a stale copy of the control's
	 * pointer anywhere (a register saved on some stack) keeps it from
	 * being reported, and then this scan says nothing either way.
	 */
	if (!strstr(buf, want)) {
		kfree((void *)~ctx.hidden);
		goslab_free(ctx.p);
		kvfree(buf);
		kunit_skip(test, "kmemleak did not report the control object");
	}
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx ",
		 (unsigned long)READ_ONCE(ctx.s->debug));
	KUNIT_EXPECT_NULL_MSG(test, strstr(buf, want),
			      "kmemleak reported a span's debug records as leaked");
	kfree((void *)~ctx.hidden);
	goslab_free(ctx.p);
	kvfree(buf);
}

/* dbg_leaker_fn()'s objects, their pointers hidden (inverted). */
struct dbg_leaker_ctx {
	struct completion done;
	unsigned long small, tiny;
};

static int dbg_leaker_fn(void *arg)
{
	struct dbg_leaker_ctx *ctx = arg;

	ctx->small = ~(unsigned long)goslab_alloc(200, GFP_KERNEL);
	ctx->tiny = ~(unsigned long)goslab_alloc_noscan(6, GFP_KERNEL);
	complete(&ctx->done);
	return 0;
}

/*
 * What unload does for kmemleak: mheap_report_leaks() reports the live
 * objects (here, every live object of the running heap) and marks them
 * not leaked, so kmemleak does not report them a second time once their
 * owner is gone.  Two goslab objects, a small and a tiny one, whose only
 * pointers are hidden, must not be reported by the scans after it.
 */
static void debug_kmemleak_leak_report_test(struct kunit *test)
{
	struct dbg_leaker_ctx ctx = { .small = ~0UL, .tiny = ~0UL };
	char want[64], *buf;
	int err;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || !IS_BUILTIN(CONFIG_GOSLAB))
		kunit_skip(test, "needs kmemleak and a built-in goslab");
	buf = kvmalloc(DBG_LEAK_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	init_completion(&ctx.done);
	dbg_run_kthread(test, dbg_leaker_fn, &ctx, &ctx.done, "goslab-leaker");
	KUNIT_ASSERT_NE(test, ctx.small, ~0UL);
	KUNIT_ASSERT_NE(test, ctx.tiny, ~0UL);
	msleep(5500);
	dbg_expect_begin();
	mheap_report_leaks();
	err = dbg_kmemleak_scan();
	if (!err)
		err = dbg_kmemleak_scan();
	dbg_expect_end();
	if (err || dbg_kmemleak_read(buf) < 0) {
		goslab_free((void *)~ctx.small);
		goslab_free((void *)~ctx.tiny);
		kvfree(buf);
		kunit_skip(test, "no kmemleak scan or report to be had (%d)", err);
	}
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx ", ~ctx.small);
	KUNIT_EXPECT_NULL_MSG(test, strstr(buf, want),
			      "kmemleak reported a small object the leak report named");
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx ", ~ctx.tiny);
	KUNIT_EXPECT_NULL_MSG(test, strstr(buf, want),
			      "kmemleak reported a tiny object the leak report named");
	goslab_free((void *)~ctx.small);
	goslab_free((void *)~ctx.tiny);
	kvfree(buf);
}

static struct kunit_case goslab_debug_cases[] = {
	KUNIT_CASE(debug_overflow_test),
	KUNIT_CASE(debug_uaf_test),
	KUNIT_CASE(debug_correct_use_test),
	KUNIT_CASE(debug_redzone_test),
	KUNIT_CASE(debug_zero_test),
	KUNIT_CASE(debug_tiny_test),
	KUNIT_CASE(debug_switch_test),
	KUNIT_CASE(debug_realloc_test),
	KUNIT_CASE(debug_realloc_redzone_test),
	KUNIT_CASE(debug_switch_call_test),
	KUNIT_CASE(debug_no_records_test),
	KUNIT_CASE_SLOW(debug_kmemleak_records_test),
	KUNIT_CASE_SLOW(debug_kmemleak_leak_report_test),
	{}
};

static struct kunit_suite goslab_debug_suite = {
	.name = "goslab_debug",
	.init = debug_case_init,
	.exit = debug_case_exit,
	.suite_init = debug_suite_init,
	.suite_exit = debug_suite_exit,
	.test_cases = goslab_debug_cases,
};

kunit_test_suite(goslab_debug_suite);
