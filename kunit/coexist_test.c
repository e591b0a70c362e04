// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for how goslab lives with the kernel's own machinery:
 *
 *  - goslab_usercopy: usercopy_check(), the verdict the ftrace hook on
 *    __check_object_size() acts on, for each kind of object: a copy
 *    inside the object it starts in passes, one byte more is refused with
 *    the offset and the name the report prints; a pointer goslab does not
 *    own is left to the kernel.  (The hook itself needs the stock kernel:
 *    scripts/guest/test-95-usercopy.sh.)
 *  - goslab_memcg: __GFP_ACCOUNT requests handed to kmalloc (forced here:
 *    the test kernel has no memory cgroups), and every call that takes a
 *    pointer knowing them: freed, sized, reallocated, bulk-freed and
 *    goslab_kfree()d without a report, while a second free of one, and a
 *    kmalloc pointer goslab never handed out, are still reported.
 *    (The charge itself: scripts/guest/test-85-memcg.sh.)
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <goslab.h>
#include "../goslab/arena.h"
#include "../goslab/report.h"
#include "../goslab/usercopy.h"
#include "../goslab/memcg.h"

/* ---- goslab_usercopy ----------------------------------------------------- */

/*
 * A copy of @n bytes at @p passes, and one of @n + 1 is refused with
 * @offset and @detail.
 */
static void uc_expect_bound(struct kunit *test, const void *p,
			    unsigned long n, unsigned long offset,
			    const char *detail)
{
	struct usercopy_bad bad;

	KUNIT_EXPECT_FALSE_MSG(test, usercopy_check(p, n, &bad),
			       "%lu bytes at %px refused", n, p);
	KUNIT_EXPECT_FALSE(test, usercopy_check(p, 1, NULL));
	KUNIT_ASSERT_TRUE_MSG(test, usercopy_check(p, n + 1, &bad),
			      "%lu bytes at %px allowed", n + 1, p);
	KUNIT_EXPECT_TRUE(test, usercopy_check(p, n + 1, NULL));
	KUNIT_EXPECT_STREQ(test, bad.name, "goslab object");
	KUNIT_EXPECT_STREQ(test, bad.detail, detail);
	KUNIT_EXPECT_EQ(test, bad.offset, offset);
}

static void usercopy_small_test(struct kunit *test)
{
	char *p = goslab_alloc(50, GFP_KERNEL);
	char *q = goslab_alloc(50, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	/* The slot, as SLUB's kmalloc-64: not the 50 bytes asked for. */
	uc_expect_bound(test, p, 64, 0, "goslab-64");
	uc_expect_bound(test, p + 40, 24, 40, "goslab-64");
	uc_expect_bound(test, q + 63, 1, 63, "goslab-64");
	goslab_free(q);
	goslab_free(p);
}

static void usercopy_noscan_test(struct kunit *test)
{
	char *p = goslab_alloc_noscan(16, GFP_KERNEL);
	char *q = goslab_alloc_noscan(3000, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	/* A 16-byte noscan object shares the tiny span class's spans. */
	uc_expect_bound(test, p, 16, 0, "goslab-16");
	uc_expect_bound(test, q + 100, 3072 - 100, 100, "goslab-3072");
	goslab_free(q);
	goslab_free(p);
}

static void usercopy_tiny_test(struct kunit *test)
{
	char *p = goslab_alloc_noscan(5, GFP_KERNEL);
	char *q = goslab_alloc_noscan(3, GFP_KERNEL);
	struct usercopy_bad bad;

	KUNIT_ASSERT_TRUE(test, p && q);
	/* A tiny object's bytes, not its block's: q may be packed next. */
	uc_expect_bound(test, p, 5, 0, "goslab-tiny");
	uc_expect_bound(test, p + 2, 3, 2, "goslab-tiny");
	uc_expect_bound(test, q, 3, 0, "goslab-tiny");
	goslab_free(p);
	/* Freed, its bytes are nobody's while q lives in its block. */
	if (((unsigned long)p ^ (unsigned long)q) < GS_TINY_SIZE)
		KUNIT_EXPECT_TRUE(test, usercopy_check(p, 1, &bad));
	goslab_free(q);
}

static void usercopy_large_test(struct kunit *test)
{
	char *p = goslab_alloc(40000, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Whole 8 KiB pages: 40960 bytes. */
	uc_expect_bound(test, p, 40960, 0, "goslab-large");
	uc_expect_bound(test, p + 8192, 32768, 8192, "goslab-large");
	goslab_free(p);
}

/* Not goslab's: the kernel's to check, whatever the size. */
static void usercopy_foreign_test(struct kunit *test)
{
	char stackbuf[16];
	void *k = kmalloc(64, GFP_KERNEL);
	char *sp = stackbuf;

	KUNIT_ASSERT_NOT_NULL(test, k);
	OPTIMIZER_HIDE_VAR(sp);
	KUNIT_EXPECT_FALSE(test, usercopy_check(k, 4096, NULL));
	KUNIT_EXPECT_FALSE(test, usercopy_check(sp, 4096, NULL));
	KUNIT_EXPECT_FALSE(test, usercopy_check(NULL, 8, NULL));
	kfree(k);
}

static struct kunit_case goslab_usercopy_cases[] = {
	KUNIT_CASE(usercopy_small_test),
	KUNIT_CASE(usercopy_noscan_test),
	KUNIT_CASE(usercopy_tiny_test),
	KUNIT_CASE(usercopy_large_test),
	KUNIT_CASE(usercopy_foreign_test),
	{}
};

static struct kunit_suite goslab_usercopy_suite = {
	.name = "goslab_usercopy",
	.test_cases = goslab_usercopy_cases,
};

/* ---- goslab_memcg -------------------------------------------------------- */

static long mc_before(void)
{
	pr_info("goslab-test: expect-report begin\n");
	return atomic_long_read(&report_stats.bad_frees);
}

/* Exactly one report since mc_before() said @bad: "does not own" @p. */
static void mc_after(struct kunit *test, long bad, const void *p,
		     const char *what)
{
	struct report_record r;

	pr_info("goslab-test: expect-report end\n");
	report_get_last(&r);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees),
			    bad + 1, "%s: reports", what);
	KUNIT_EXPECT_PTR_EQ_MSG(test, r.addr, p, "%s: address", what);
	KUNIT_EXPECT_EQ_MSG(test, r.why, REPORT_NOT_OWNED, "%s: reason", what);
}

/* Run @call, which must make exactly one "does not own" report of @p. */
#define MC_REPORTED(test, p, call)					\
do {									\
	long __bad = mc_before();					\
									\
	call;								\
	mc_after(test, __bad, (const void *)(p), #call);		\
} while (0)

/* Run @call, which must not report anything. */
#define MC_QUIET(test, call)						\
do {									\
	long __bad = atomic_long_read(&report_stats.bad_frees);	\
									\
	call;								\
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees), \
			    __bad, "%s reported", #call);		\
} while (0)

static int memcg_test_init(struct kunit *test)
{
	memcg_test_force = true;
	return 0;
}

static void memcg_test_exit(struct kunit *test)
{
	memcg_test_force = false;
}

/* An accounted object is kmalloc's, and goslab's calls know it. */
static void memcg_handoff_test(struct kunit *test)
{
	long handed = atomic_long_read(&memcg_handed);
	char *p = goslab_alloc(100, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	char *t = goslab_alloc_noscan(5, GFP_KERNEL_ACCOUNT);
	char *n = goslab_alloc_node(200, GFP_KERNEL_ACCOUNT, 0);
	char *g = goslab_alloc(100, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && t && n && g);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&memcg_handed), handed + 3);
	/* No goslab span covers them; the unaccounted one is goslab's. */
	KUNIT_EXPECT_NULL(test, span_of((unsigned long)p));
	KUNIT_EXPECT_NULL(test, span_of((unsigned long)t));
	KUNIT_EXPECT_NULL(test, span_of((unsigned long)n));
	KUNIT_EXPECT_NOT_NULL(test, span_of((unsigned long)g));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 100));
	KUNIT_EXPECT_TRUE(test, goslab_owns(p));
	KUNIT_EXPECT_TRUE(test, goslab_owns(t));
	MC_QUIET(test, KUNIT_EXPECT_EQ(test, goslab_usable_size(p), ksize(p)));
	KUNIT_EXPECT_GE(test, goslab_usable_size(p), (size_t)100);
	KUNIT_EXPECT_GE(test, goslab_usable_size(t), (size_t)5);
	MC_QUIET(test, goslab_free(p));
	MC_QUIET(test, goslab_free_sensitive(t));
	MC_QUIET(test, goslab_kfree(n));
	MC_QUIET(test, goslab_free(g));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&memcg_handed), handed);
}

/*
 * Only what goslab handed over is freed: a second free of it, and a
 * kmalloc object goslab never saw, are reported and left alone, even
 * while the table holds other objects.
 */
static void memcg_bad_free_test(struct kunit *test)
{
	char *held = goslab_alloc(64, GFP_KERNEL_ACCOUNT);
	char *p = goslab_alloc(64, GFP_KERNEL_ACCOUNT);
	char *k = kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, held && p && k);
	memset(k, 0x6b, 64);
	MC_QUIET(test, goslab_free(p));
	MC_REPORTED(test, p, goslab_free(p));
	MC_REPORTED(test, k, goslab_free(k));
	MC_REPORTED(test, k + 8, goslab_free(k + 8));
	KUNIT_EXPECT_FALSE(test, goslab_owns(k));
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0x6b, 64));
	/* goslab_kfree() of a foreign pointer is kfree()'s, silently. */
	MC_QUIET(test, goslab_kfree(k));
	MC_QUIET(test, goslab_free(held));
}

/* realloc into, out of and within kmalloc, the contents kept. */
static void memcg_realloc_test(struct kunit *test)
{
	char *p = goslab_alloc(50, GFP_KERNEL), *q, *r, *s;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 50);
	q = goslab_realloc(p, 5000, GFP_KERNEL_ACCOUNT);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_NULL(test, span_of((unsigned long)q));
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x5a, 50));
	/* It fits: the same object, whatever the flags. */
	r = goslab_realloc(q, 100, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, q);
	s = goslab_realloc(r, 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_NOT_NULL(test, span_of((unsigned long)s));
	KUNIT_EXPECT_NULL(test, memchr_inv(s, 0x5a, 50));
	KUNIT_EXPECT_FALSE(test, goslab_owns(r));
	MC_QUIET(test, goslab_free(s));
}

static void memcg_bulk_test(struct kunit *test)
{
	long handed = atomic_long_read(&memcg_handed);
	void *p[16];
	int i;

	KUNIT_ASSERT_EQ(test, goslab_alloc_bulk(64, GFP_KERNEL_ACCOUNT, 16, p),
			16);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&memcg_handed), handed + 16);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_NULL(test, span_of((unsigned long)p[i]));
	MC_QUIET(test, goslab_free_bulk(16, p));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&memcg_handed), handed);
}

static struct kunit_case goslab_memcg_cases[] = {
	KUNIT_CASE(memcg_handoff_test),
	KUNIT_CASE(memcg_bad_free_test),
	KUNIT_CASE(memcg_realloc_test),
	KUNIT_CASE(memcg_bulk_test),
	{}
};

static struct kunit_suite goslab_memcg_suite = {
	.name = "goslab_memcg",
	.init = memcg_test_init,
	.exit = memcg_test_exit,
	.test_cases = goslab_memcg_cases,
};

kunit_test_suites(&goslab_usercopy_suite, &goslab_memcg_suite);
