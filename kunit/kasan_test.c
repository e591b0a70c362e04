// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab under KASAN (goslab/kasan.c): what KASAN's
 * shadow says of goslab's objects as they are handed out, resized, asked
 * for their usable size and freed, and that a bad access to them is
 * reported by KASAN itself, at the address of the bad byte.
 *
 * The shadow is read directly (gs_kasan_ok(), not instrumented), so the
 * state cases provoke nothing.  The report cases make each bad access
 * from a workqueue worker, which is no KUnit test's thread (a KASAN report
 * there fails the test that made it), bracketed by the expect-report
 * markers scripts/kunit.sh looks for, and catch the report through the
 * kernel's error_report_end tracepoint.  Without CONFIG_KASAN_GENERIC
 * every case is skipped.
 */

#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/minmax.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <trace/events/error_report.h>

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

#ifdef CONFIG_KASAN_GENERIC

/* May the byte at @p be accessed, by its shadow byte? */
static noinline __no_sanitize_address bool gs_kasan_ok(const void *p)
{
	s8 v = *(s8 *)kasan_mem_to_shadow(p);
	unsigned long in = (unsigned long)p & ((1UL << KASAN_SHADOW_SCALE_SHIFT) - 1);

	return !v || (v > 0 && in < v);
}

/*
 * @p addressable exactly up to @size: its first and last byte may be
 * accessed, the byte after (when still in the @slot) and the slot's last
 * may not.
 */
static void kt_expect_exact(struct kunit *test, const u8 *p, size_t size,
			    size_t slot, const char *what)
{
	KUNIT_EXPECT_TRUE_MSG(test, gs_kasan_ok(p), "%s: first byte", what);
	KUNIT_EXPECT_TRUE_MSG(test, gs_kasan_ok(p + size - 1),
			      "%s: last byte asked for", what);
	if (size < slot) {
		KUNIT_EXPECT_FALSE_MSG(test, gs_kasan_ok(p + size),
				       "%s: first byte past the request", what);
		KUNIT_EXPECT_FALSE_MSG(test, gs_kasan_ok(p + slot - 1),
				       "%s: last byte of the slot", what);
	}
}

static void kt_expect_none(struct kunit *test, const u8 *p, size_t slot,
			   const char *what)
{
	KUNIT_EXPECT_FALSE_MSG(test, gs_kasan_ok(p), "%s: first byte", what);
	KUNIT_EXPECT_FALSE_MSG(test, gs_kasan_ok(p + slot / 2),
			       "%s: middle byte", what);
	KUNIT_EXPECT_FALSE_MSG(test, gs_kasan_ok(p + slot - 1),
			       "%s: last byte", what);
}

static const size_t kt_sizes[] = {
	1, 7, 8, 13, 16, 24, 100, 1000, 3000, 4100, 20000, 32768, 40000, 100000,
};

/*
 * Handed out: exactly the request addressable, the rest of the slot a
 * red zone.  Freed: nothing, for small and large, scan and noscan (but
 * tiny ones, kasan_tiny_test).
 */
static void kasan_object_test(struct kunit *test)
{
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(kt_sizes); i++) {
		for (k = 0; k < 2; k++) {
			size_t size = kt_sizes[i], slot = goslab_size_roundup(size);
			char what[48];
			u8 *p;

			if (k && size < GS_TINY_SIZE)
				continue;
			snprintf(what, sizeof(what), "size %zu noscan %u", size, k);
			p = k ? goslab_alloc_noscan(size, GFP_KERNEL) :
				goslab_alloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL_MSG(test, p, "%s", what);
			KUNIT_EXPECT_EQ_MSG(test, (size_t)span_of((unsigned long)p)->elemsize,
					    slot, "%s", what);
			kt_expect_exact(test, p, size, slot, what);
			memset(p, 0x5a, size);	/* checked: must not report */
			goslab_free(p);
			kt_expect_none(test, p, slot, what);
		}
	}
	mcache_flush_all();
}

/*
 * Tiny objects share granules: their block is addressable while it is in
 * use, and poisoned once its last object is freed and the mcache has let
 * it go.
 */
static void kasan_tiny_test(struct kunit *test)
{
	u8 *p[6];
	unsigned int i;

	mcache_flush_all();
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = goslab_alloc_noscan(3 + i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, span_of((unsigned long)p[i])->spanclass,
				GS_TINY_SPANCLASS);
		KUNIT_EXPECT_TRUE(test, gs_kasan_ok(p[i]));
		KUNIT_EXPECT_TRUE(test, gs_kasan_ok(p[i] + 2 + i));
		memset(p[i], 0x3c, 3 + i);
	}
	/* Shrunk in place, a tiny object leaves its neighbours addressable. */
	KUNIT_EXPECT_PTR_EQ(test, goslab_realloc(p[0], 2, GFP_KERNEL), (void *)p[0]);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_EXPECT_TRUE(test, gs_kasan_ok(p[i]));
	for (i = 0; i < ARRAY_SIZE(p); i++)
		goslab_free(p[i]);
	mcache_flush_all();
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		u8 *block = PTR_ALIGN_DOWN(p[i], GS_TINY_SIZE);

		kt_expect_none(test, block, GS_TINY_SIZE, "tiny block");
	}
}

/*
 * goslab_usable_size() follows ksize() since 6.2: it says how big the
 * slot is and leaves it as it was, addressable up to the request (a
 * caller that wants it all asks goslab_size_roundup() first);
 * goslab_realloc() in place makes it exactly the new size, as
 * kasan_krealloc() does for krealloc(), and goslab_free_sensitive()
 * clears the whole slot without a report, as kfree_sensitive() does.
 */
static void kasan_resize_test(struct kunit *test)
{
	u8 *p = goslab_alloc(1000, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	kt_expect_exact(test, p, 1000, 1024, "alloc 1000");
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)1024);
	kt_expect_exact(test, p, 1000, 1024, "usable size");
	KUNIT_EXPECT_FALSE(test, gs_kasan_ok(p + 1000));
	memset(p, 0x11, 1000);
	q = goslab_alloc(goslab_size_roundup(1000), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	kt_expect_exact(test, q, 1024, 1024, "alloc of the roundup");
	memset(q, 0x22, 1024);
	goslab_free_sensitive(q);

	q = goslab_realloc(p, 500, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, (void *)q, (void *)p);
	kt_expect_exact(test, p, 500, 1024, "shrunk to 500");
	q = goslab_realloc(p, 1020, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, (void *)q, (void *)p);
	kt_expect_exact(test, p, 1020, 1024, "grown to 1020");
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x11, 500));

	/* Moved: the old slot is freed, the new one exact. */
	q = goslab_realloc(p, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_PTR_NE(test, (void *)q, (void *)p);
	kt_expect_none(test, p, 1024, "moved from");
	kt_expect_exact(test, q, 3000, goslab_size_roundup(3000), "moved to");
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x11, 500));
	goslab_free(q);
	mcache_flush_all();
}

/* Bulk calls go object by object under KASAN: each one marked. */
static void kasan_bulk_test(struct kunit *test)
{
	static const size_t sizes[] = { 24, 200, 5000 };
	void *p[40];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i], slot = goslab_size_roundup(size);

		KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(size, GFP_KERNEL,
							ARRAY_SIZE(p), p),
				ARRAY_SIZE(p));
		for (j = 0; j < ARRAY_SIZE(p); j++)
			kt_expect_exact(test, p[j], size, slot, "bulk alloc");
		goslab_free_bulk(ARRAY_SIZE(p), p);
		for (j = 0; j < ARRAY_SIZE(p); j++)
			kt_expect_none(test, p[j], slot, "bulk free");
	}
	mcache_flush_all();
}

/* KASAN's reports, as error_report_end gives them. */
static struct {
	unsigned long addr;
	int n;
} kt_seen;

static void kt_probe(void *ignore, enum error_detector detector,
		     unsigned long id)
{
	if (detector == ERROR_DETECTOR_KASAN) {
		WRITE_ONCE(kt_seen.addr, id);
		WRITE_ONCE(kt_seen.n, READ_ONCE(kt_seen.n) + 1);
	}
}

static bool kt_watching;

/* Count KASAN's reports from now on; false, with the test failed, if not. */
static bool kt_watch(struct kunit *test)
{
	WRITE_ONCE(kt_seen.n, 0);
	WRITE_ONCE(kt_seen.addr, 0);
	if (register_trace_error_report_end(kt_probe, NULL)) {
		KUNIT_FAIL(test, "cannot attach to error_report_end");
		return false;
	}
	kt_watching = true;
	return true;
}

static void kt_unwatch(void)
{
	if (!kt_watching)
		return;
	unregister_trace_error_report_end(kt_probe, NULL);
	tracepoint_synchronize_unregister();
	kt_watching = false;
}

/* Also after a failed assertion: no probe, no debug mode left behind. */
static void kasan_case_exit(struct kunit *test)
{
	kt_unwatch();
	gs_debug_set("-");
}

struct kt_access {
	struct work_struct work;
	u8 *p;
	bool write;
};

static void kt_access_fn(struct work_struct *work)
{
	struct kt_access *a = container_of(work, struct kt_access, work);

	if (a->write)
		WRITE_ONCE(*a->p, 0x42);
	else
		(void)READ_ONCE(*a->p);
}

/* Access @p from a worker; expect one KASAN report, at @p. */
static void kt_expect_report(struct kunit *test, u8 *p, bool write,
			     const char *what)
{
	struct kt_access a = { .p = p, .write = write };

	WRITE_ONCE(kt_seen.n, 0);
	WRITE_ONCE(kt_seen.addr, 0);
	INIT_WORK_ONSTACK(&a.work, kt_access_fn);
	pr_info("goslab-test: expect-report begin\n");
	queue_work(system_unbound_wq, &a.work);
	flush_work(&a.work);
	pr_info("goslab-test: expect-report end\n");
	destroy_work_on_stack(&a.work);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(kt_seen.n), 1, "%s: reports", what);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(kt_seen.addr), (unsigned long)p,
			    "%s: report address", what);
}

/*
 * A read past the request, a write past it, a read and a write after
 * free, small and large: each is one KASAN report at the bad byte.
 */
static void kasan_report_test(struct kunit *test)
{
	static const size_t sizes[] = { 13, 100, 5000, 40000 };
	unsigned int i;

	if (!kt_watch(test))
		return;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *p = goslab_alloc(size, GFP_KERNEL);
		char what[48];

		KUNIT_EXPECT_NOT_NULL(test, p);
		if (!p)
			break;
		snprintf(what, sizeof(what), "size %zu read past", size);
		kt_expect_report(test, p + size, false, what);
		snprintf(what, sizeof(what), "size %zu write past", size);
		kt_expect_report(test, p + size + 1, true, what);
		goslab_free(p);
		snprintf(what, sizeof(what), "size %zu read after free", size);
		kt_expect_report(test, p, false, what);
		snprintf(what, sizeof(what), "size %zu write after free", size);
		kt_expect_report(test, p + size - 1, true, what);
	}
	kt_unwatch();
	mcache_flush_all();
}

/* goslab's own writes (zeroing, init_on_free, debug mode) never report. */
static void kasan_quiet_test(struct kunit *test)
{
	static const size_t sizes[] = { 5, 24, 1000, 5000, 40000 };
	static void *held[64];
	unsigned int i, r;
	void *keep;

	if (!kt_watch(test))
		return;
	/*
	 * Spans back in the heap are freed pages to KASAN; debug mode's new
	 * spans, made from them below, are poisoned whole by debug.c.
	 */
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		held[i] = goslab_alloc(2048, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, held[i]);
	}
	/* The last one stays live: its arena stays, with the freed pages. */
	for (i = 0; i + 1 < ARRAY_SIZE(held); i++)
		goslab_free(held[i]);
	keep = held[i];
	mcache_flush_all();
	for (r = 0; r < 2; r++) {
		if (r)
			KUNIT_ASSERT_EQ(test, gs_debug_set("PZ"), 0);
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			size_t size = sizes[i];
			u8 *p = goslab_alloc(size, GFP_KERNEL | __GFP_ZERO);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, size));
			memset(p, 0x77, size);
			p = goslab_realloc(p, size * 2, GFP_KERNEL | __GFP_ZERO);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_NULL(test, memchr_inv(p + size, 0, size));
			goslab_free(p);
		}
		for (i = 0; r && i < ARRAY_SIZE(held); i++) {
			held[i] = goslab_alloc(2048, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, held[i]);
		}
		for (i = 0; r && i < ARRAY_SIZE(held); i++)
			goslab_free(held[i]);
	}
	gs_debug_set("-");
	goslab_free(keep);
	kt_unwatch();
	KUNIT_EXPECT_EQ(test, READ_ONCE(kt_seen.n), 0);
	mcache_flush_all();
}

#else

static void kasan_skip(struct kunit *test)
{
	kunit_skip(test, "no CONFIG_KASAN_GENERIC");
}

#define kasan_object_test	kasan_skip
#define kasan_tiny_test		kasan_skip
#define kasan_resize_test	kasan_skip
#define kasan_bulk_test		kasan_skip
#define kasan_report_test	kasan_skip
#define kasan_quiet_test	kasan_skip

#endif /* CONFIG_KASAN_GENERIC */

static struct kunit_case goslab_kasan_cases[] = {
	KUNIT_CASE(kasan_object_test),
	KUNIT_CASE(kasan_tiny_test),
	KUNIT_CASE(kasan_resize_test),
	KUNIT_CASE(kasan_bulk_test),
	KUNIT_CASE(kasan_report_test),
	KUNIT_CASE(kasan_quiet_test),
	{}
};

static struct kunit_suite goslab_kasan_suite = {
	.name = "goslab_kasan",
#ifdef CONFIG_KASAN_GENERIC
	.exit = kasan_case_exit,
#endif
	.test_cases = goslab_kasan_cases,
};

kunit_test_suite(goslab_kasan_suite);
