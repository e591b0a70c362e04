// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's tiny allocator: noscan requests under 16 bytes
 * packed into 16-byte blocks with Go's alignment rules, and the part Go
 * does not have, explicit free: a block goes back to its span only once
 * every object packed in it is freed and the mcache no longer packs into
 * it (the span's tinyrefs).
 *
 * Every case pins the KUnit thread (a kthread of its own) to its CPU and
 * starts from mcache_flush_all(), so this CPU's mcache has no tiny block.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>

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

/* tinyrefs layout (malloc.c): starts in bits 0-15, ends in 16-30. */
static u32 t_start(unsigned int off)
{
	return BIT(off);
}

static u32 t_end(unsigned int last)
{
	return last < 15 ? BIT(16 + last) : 0;
}

static void tiny_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, smp_processor_id(), cpu);
	mcache_flush_all();
	KUNIT_ASSERT_EQ(test, this_cpu_ptr(mcache_task)->tiny, 0UL);
}

/* Go's alignment for a tiny request of @size bytes. */
static unsigned int tiny_align(size_t size)
{
	if (!(size & 7))
		return 8;
	if (!(size & 3))
		return 4;
	if (!(size & 1))
		return 2;
	return 1;
}

/* The block's refs word, read once (tiny_ref() in mspan.h points to it). */
static u32 tiny_refs(struct mspan *s, unsigned long block)
{
	return READ_ONCE(*tiny_ref(s, block));
}

static unsigned int tiny_idx(struct mspan *s, unsigned long block)
{
	return (block - s->start_addr) / GS_TINY_SIZE;
}

/* The block is an allocated object of its span (not yet freed). */
static bool block_live(struct mspan *s, unsigned long block)
{
	unsigned int idx = tiny_idx(s, block);

	return !mspan_is_free(s, idx) && !test_bit(idx, s->free_bits);
}

#define TINY_MAX_OBJS	64

/*
 * Run @sizes through the tiny allocator and check every object against a
 * model of Go's mallocgc tiny path: align the offset, pack if it fits,
 * else take a new block and keep whichever has more room left.
 */
static void tiny_run_model(struct kunit *test, const u8 *sizes, int n)
{
	unsigned long blk = 0, off = 0;
	void *objs[TINY_MAX_OBJS];
	int i;

	KUNIT_ASSERT_LE(test, n, TINY_MAX_OBJS);
	for (i = 0; i < n; i++) {
		size_t size = sizes[i];
		unsigned long p, o = ALIGN(off, tiny_align(size));
		struct mspan *s;

		objs[i] = goslab_alloc_noscan(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		p = (unsigned long)objs[i];
		KUNIT_EXPECT_EQ_MSG(test, p % tiny_align(size), 0UL,
				    "size %zu at %lx", size, p);
		if (blk && o + size <= GS_TINY_SIZE) {
			KUNIT_EXPECT_EQ_MSG(test, p, blk + o,
					    "object %d, size %zu", i, size);
			off = o + size;
		} else {
			KUNIT_EXPECT_EQ_MSG(test, p % GS_TINY_SIZE, 0UL,
					    "object %d, size %zu: new block", i,
					    size);
			KUNIT_EXPECT_NE(test, p, blk);
			if (size < off || !blk) {
				blk = p;
				off = size;
			}
		}
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, blk);
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tinyoffset,
				(unsigned int)off);
		s = span_of(p);
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, s->spanclass, (u8)GS_TINY_SPANCLASS);
		KUNIT_EXPECT_EQ(test, goslab_usable_size(objs[i]), size);
		/* Fresh blocks are zeroed; tiny objects never reuse bytes. */
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0, size));
		memset(objs[i], 0x10 + i, size);
	}
	/* No object overlaps another: each still holds its own pattern. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(objs[i], 0x10 + i, sizes[i]),
				      "object %d (size %u) overwritten", i,
				      sizes[i]);
	for (i = 0; i < n; i += 2)
		goslab_free(objs[i]);
	for (i = 1; i < n; i += 2) {
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0x10 + i, sizes[i]));
		KUNIT_EXPECT_EQ(test, goslab_usable_size(objs[i]), (size_t)sizes[i]);
	}
	for (i = 1; i < n; i += 2)
		goslab_free(objs[i]);
}

/* 1..15 packs 1, 2 and 4, 8 and 16 byte aligned, as Go does. */
static void tiny_packing_test(struct kunit *test)
{
	static const u8 up[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
				 14, 15 };
	static const u8 down[] = { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
				   3, 2, 1 };
	static const u8 mixed[] = { 3, 8, 1, 4, 2, 2, 6, 5, 12, 1, 1, 7, 9,
				    2, 4, 3, 15, 1, 8, 8, 10, 6, 13, 11 };
	void *a, *b, *c, *d, *e, *f;

	tiny_pin(test);
	tiny_run_model(test, up, ARRAY_SIZE(up));
	mcache_flush_all();
	tiny_run_model(test, down, ARRAY_SIZE(down));
	mcache_flush_all();
	tiny_run_model(test, mixed, ARRAY_SIZE(mixed));
	mcache_flush_all();

	/* Explicitly: five objects share one block, the sixth does not. */
	a = goslab_alloc_noscan(1, GFP_KERNEL);
	b = goslab_alloc_noscan(1, GFP_KERNEL);
	c = goslab_alloc_noscan(2, GFP_KERNEL);
	d = goslab_alloc_noscan(4, GFP_KERNEL);
	e = goslab_alloc_noscan(8, GFP_KERNEL);
	f = goslab_alloc_noscan(1, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && c && d && e && f);
	KUNIT_EXPECT_EQ(test, (unsigned long)a % GS_TINY_SIZE, 0UL);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 1);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 2);
	KUNIT_EXPECT_PTR_EQ(test, d, a + 4);
	KUNIT_EXPECT_PTR_EQ(test, e, a + 8);
	KUNIT_EXPECT_EQ(test, (unsigned long)f % GS_TINY_SIZE, 0UL);
	KUNIT_EXPECT_PTR_NE(test, f, a);
	KUNIT_EXPECT_EQ(test, tiny_refs(span_of((unsigned long)a), (unsigned long)a),
			(u32)(t_start(0) | t_end(0) | t_start(1) | t_end(1) |
			      t_start(2) | t_end(3) | t_start(4) | t_end(7) |
			      t_start(8)));
	goslab_free(a);
	goslab_free(b);
	goslab_free(c);
	goslab_free(d);
	goslab_free(e);
	goslab_free(f);
	mcache_flush_all();
}

/* Only noscan requests under 16 bytes are tiny. */
static void tiny_only_noscan_test(struct kunit *test)
{
	void *p, *q, *r;

	tiny_pin(test);
	p = goslab_alloc(5, GFP_KERNEL);
	q = goslab_alloc_noscan(16, GFP_KERNEL);
	r = goslab_alloc_noscan(5, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_TRUE(test, p && q && r);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p), (size_t)8);
	KUNIT_EXPECT_FALSE(test, spanclass_noscan(span_of((unsigned long)p)->spanclass));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(q), (size_t)16);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(r), (size_t)5);
	KUNIT_EXPECT_NULL(test, memchr_inv(r, 0, 5));
	/* A 16-byte noscan object is a whole block of the tiny span class. */
	KUNIT_EXPECT_EQ(test, span_of((unsigned long)q)->spanclass,
			(u8)GS_TINY_SPANCLASS);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny,
			(unsigned long)r);
	goslab_free(p);
	goslab_free(q);
	goslab_free(r);
	mcache_flush_all();
}

/*
 * A block is returned only after its last object is freed and the mcache
 * has moved on, in either order.
 */
static void tiny_block_release_test(struct kunit *test)
{
	unsigned long blk, blk2, blk3;
	struct mspan *s, *s2;
	void *a, *b, *c, *d, *e;
	long pending;

	tiny_pin(test);

	/* Last object freed first, then the mcache moves on. */
	a = goslab_alloc_noscan(8, GFP_KERNEL);
	b = goslab_alloc_noscan(7, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b);
	blk = (unsigned long)a;
	KUNIT_ASSERT_PTR_EQ(test, b, a + 8);
	s = span_of(blk);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk),
			(u32)(GS_TINY_HELD | t_start(0) | t_end(7) | t_start(8) |
			      t_end(14)));
	goslab_free(a);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk),
			(u32)(GS_TINY_HELD | t_start(8) | t_end(14)));
	KUNIT_EXPECT_TRUE(test, block_live(s, blk));
	goslab_free(b);
	/* Every object is freed, but the mcache still packs into it. */
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), (u32)GS_TINY_HELD);
	KUNIT_EXPECT_TRUE(test, block_live(s, blk));
	pending = mspan_pending(atomic_long_read(&s->freestate));

	/* 2 bytes do not fit at 15 and 2 < 15: the mcache moves on. */
	c = goslab_alloc_noscan(2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	blk2 = (unsigned long)c;
	KUNIT_EXPECT_EQ(test, blk2 % GS_TINY_SIZE, 0UL);
	KUNIT_EXPECT_NE(test, blk2, blk);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, blk2);
	/* Now, and only now, the block went back to its span. */
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), 0U);
	if (span_of(blk2) == s) {
		/* Still cached: the free waits in free_bits for the sweep. */
		KUNIT_EXPECT_TRUE(test, test_bit(tiny_idx(s, blk), s->free_bits));
		KUNIT_EXPECT_EQ(test, mspan_pending(atomic_long_read(&s->freestate)),
				pending + 1);
	}

	/* The mcache moves on first, then the last object is freed. */
	d = goslab_alloc_noscan(8, GFP_KERNEL);	/* 8-aligned: @8 */
	KUNIT_ASSERT_PTR_EQ(test, d, c + 8);
	e = goslab_alloc_noscan(6, GFP_KERNEL);	/* 16 + 6 > 16: new block */
	KUNIT_ASSERT_NOT_NULL(test, e);
	blk3 = (unsigned long)e;
	KUNIT_EXPECT_NE(test, blk3, blk2);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, blk3);
	s2 = span_of(blk2);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2),
			(u32)(t_start(0) | t_end(1) | t_start(8)));
	KUNIT_EXPECT_TRUE(test, block_live(s2, blk2));
	goslab_free(d);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2), (u32)(t_start(0) | t_end(1)));
	KUNIT_EXPECT_TRUE(test, block_live(s2, blk2));
	goslab_free(c);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2), 0U);
	if (span_of(blk3) == s2)
		KUNIT_EXPECT_TRUE(test, test_bit(tiny_idx(s2, blk2), s2->free_bits));

	goslab_free(e);
	/* Held and empty until the flush lets it go. */
	KUNIT_EXPECT_EQ(test, tiny_refs(span_of(blk3), blk3), (u32)GS_TINY_HELD);
	KUNIT_EXPECT_TRUE(test, block_live(span_of(blk3), blk3));
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, 0UL);
}

static void tiny_expect_begin(void)
{
	pr_info("goslab-test: expect-report begin\n");
}

static void tiny_expect_end(void)
{
	pr_info("goslab-test: expect-report end\n");
}

/*
 * A double free of a tiny object, and a pointer into one, are reported,
 * counted and ignored: the objects sharing the block are untouched.
 */
static void tiny_double_free_test(struct kunit *test)
{
	long bad = atomic_long_read(&report_stats.bad_frees);
	unsigned long blk;
	struct mspan *s;
	char *a, *b, *c;
	u32 ref;

	tiny_pin(test);
	a = goslab_alloc_noscan(4, GFP_KERNEL);
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	c = goslab_alloc_noscan(6, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && c);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 4);
	KUNIT_ASSERT_PTR_EQ(test, c, a + 8);
	blk = (unsigned long)a;
	s = span_of(blk);
	memset(a, 0xaa, 4);
	memset(b, 0xbb, 4);
	memset(c, 0xcc, 6);
	goslab_free(a);
	ref = tiny_refs(s, blk);

	tiny_expect_begin();
	goslab_free(a);		/* double free, neighbours live */
	tiny_expect_end();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 1);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), ref);

	tiny_expect_begin();
	goslab_free(b + 1);	/* inside a live tiny object */
	tiny_expect_end();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 2);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), ref);

	tiny_expect_begin();
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)0);
	tiny_expect_end();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 3);

	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0xbb, 4));
	KUNIT_EXPECT_NULL(test, memchr_inv(c, 0xcc, 6));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)4);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(c), (size_t)6);
	goslab_free(b);
	goslab_free(c);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 3);
	mcache_flush_all();

	/* The block is gone now: freeing into it again is still caught. */
	tiny_expect_begin();
	goslab_free(b);
	goslab_free(a);
	tiny_expect_end();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 5);

	/* The allocator still works: fresh objects, fresh block. */
	a = goslab_alloc_noscan(4, GFP_KERNEL);
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 4);
	goslab_free(a);
	goslab_free(b);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees), bad + 5);
}

static struct kunit_case goslab_tiny_cases[] = {
	KUNIT_CASE(tiny_packing_test),
	KUNIT_CASE(tiny_only_noscan_test),
	KUNIT_CASE(tiny_block_release_test),
	KUNIT_CASE(tiny_double_free_test),
	{}
};

static struct kunit_suite goslab_tiny_suite = {
	.name = "goslab_tiny",
	.test_cases = goslab_tiny_cases,
};

kunit_test_suite(goslab_tiny_suite);
