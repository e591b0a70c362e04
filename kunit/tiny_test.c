// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's tiny allocator: noscan requests under 16 bytes
 * packed into 16-byte blocks with Go's alignment rules, and the part Go
 * does not have, explicit free: a block goes back to its span only once
 * every object packed in it is freed and the mcache no longer packs into
 * it (the span's tinyrefs: a u16 of start bits per block; the block's
 * claim bit says the mcache holds it, and then the highest start bit is
 * the sentinel at the packing offset, mspan.h).
 *
 * Every case pins the KUnit thread (a kthread of its own) to its CPU and
 * starts from mcache_flush_all(), so this CPU's mcache has no tiny block.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
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
#include "../goslab/malloc.h"
#include "gs_test.h"

/* tinyrefs layout (mspan.h): a start bit per offset. */
static u16 t_start(unsigned int off)
{
	return BIT(off);
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

/* The block's start bits, read once (tiny_ref() in mspan.h points to them). */
static u16 tiny_refs(struct mspan *s, unsigned long block)
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

/* The mcache holds the block: its claim bit (mspan.h). */
static bool block_held(struct mspan *s, unsigned long block)
{
	return test_bit(tiny_idx(s, block), s->claim_bits);
}

#define TINY_MAX_OBJS	64

/*
 * The model's usable size of object @i: up to the next live object of
 * its block, or the sentinel @held_off of the block the mcache holds
 * (@held), or the block's end.
 */
static size_t tiny_model_extent(const unsigned long *addr, const bool *gone,
				int n, int i, unsigned long held,
				unsigned long held_off)
{
	unsigned long blk = addr[i] & ~(GS_TINY_SIZE - 1UL);
	unsigned long end = blk + (blk == held ? held_off : GS_TINY_SIZE);
	int j;

	for (j = 0; j < n; j++)
		if (!gone[j] && addr[j] > addr[i] && addr[j] < end)
			end = addr[j];
	return end - addr[i];
}

/*
 * Run @sizes through the tiny allocator and check every object against a
 * model of Go's mallocgc tiny path: align the offset, pack if it fits,
 * else take a new block and keep whichever has more room left.  A pack
 * that fills the block lets it go at once: the next object takes a new
 * block and keeps it, as Go's block with no room left would be replaced.
 * Usable sizes follow the extents (mspan.h), growing as neighbours go.
 */
static void tiny_run_model(struct kunit *test, const u8 *sizes, int n)
{
	unsigned long blk = 0, off = 0, addr[TINY_MAX_OBJS];
	bool gone[TINY_MAX_OBJS] = { };
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
		addr[i] = p;
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
		if (off == GS_TINY_SIZE) {
			blk = 0;
			off = 0;
		}
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, blk);
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tinyoffset,
				(unsigned int)off);
		s = span_of(p);
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, s->spanclass, (u8)GS_TINY_SPANCLASS);
		KUNIT_EXPECT_EQ_MSG(test, goslab_usable_size(objs[i]),
				    tiny_model_extent(addr, gone, i + 1, i, blk, off),
				    "object %d, size %zu", i, size);
		/* Fresh blocks are zeroed; tiny objects never reuse bytes. */
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0, size));
		memset(objs[i], 0x10 + i, size);
	}
	/* No object overlaps another: each still holds its own pattern. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(objs[i], 0x10 + i, sizes[i]),
				      "object %d (size %u) overwritten", i,
				      sizes[i]);
	for (i = 0; i < n; i += 2) {
		goslab_free(objs[i]);
		gone[i] = true;
	}
	for (i = 1; i < n; i += 2) {
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0x10 + i, sizes[i]));
		KUNIT_EXPECT_EQ_MSG(test, goslab_usable_size(objs[i]),
				    tiny_model_extent(addr, gone, n, i, blk, off),
				    "object %d, size %u, its successor freed", i,
				    sizes[i]);
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
	/* e filled the block: released with it, no sentinel, not held. */
	KUNIT_EXPECT_EQ(test, tiny_refs(span_of((unsigned long)a), (unsigned long)a),
			(u16)(t_start(0) | t_start(1) | t_start(2) | t_start(4) |
			      t_start(8)));
	KUNIT_EXPECT_FALSE(test, block_held(span_of((unsigned long)a),
					    (unsigned long)a));
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
	/* Held: the sentinel at 15, where the next object would go. */
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk),
			(u16)(t_start(0) | t_start(8) | t_start(15)));
	KUNIT_EXPECT_TRUE(test, block_held(s, blk));
	goslab_free(a);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), (u16)(t_start(8) | t_start(15)));
	KUNIT_EXPECT_TRUE(test, block_live(s, blk));
	goslab_free(b);
	/* Every object is freed, but the mcache still packs into it. */
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), t_start(15));
	KUNIT_EXPECT_TRUE(test, block_held(s, blk));
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
		/*
		 * Still cached: the free waits in free_bits for the sweep,
		 * which ends the claim the block kept since it was taken.
		 */
		KUNIT_EXPECT_TRUE(test, test_bit(tiny_idx(s, blk), s->free_bits));
		KUNIT_EXPECT_TRUE(test, test_bit(tiny_idx(s, blk), s->claim_bits));
		KUNIT_EXPECT_EQ(test, mspan_pending(atomic_long_read(&s->freestate)),
				pending + 1);
	}

	/*
	 * The mcache moves on first, then the last object is freed: d
	 * fills the block, which is let go at once.
	 */
	d = goslab_alloc_noscan(8, GFP_KERNEL);	/* 8-aligned: @8 */
	KUNIT_ASSERT_PTR_EQ(test, d, c + 8);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, 0UL);
	e = goslab_alloc_noscan(6, GFP_KERNEL);	/* a new block, kept */
	KUNIT_ASSERT_NOT_NULL(test, e);
	blk3 = (unsigned long)e;
	KUNIT_EXPECT_NE(test, blk3, blk2);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, blk3);
	s2 = span_of(blk2);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2), (u16)(t_start(0) | t_start(8)));
	KUNIT_EXPECT_FALSE(test, block_held(s2, blk2));
	KUNIT_EXPECT_TRUE(test, block_live(s2, blk2));
	/* c's extent runs to d's start, then over d's bytes once d is gone. */
	KUNIT_EXPECT_EQ(test, goslab_usable_size(c), (size_t)8);
	goslab_free(d);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2), t_start(0));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(c), (size_t)GS_TINY_SIZE);
	KUNIT_EXPECT_TRUE(test, block_live(s2, blk2));
	goslab_free(c);
	KUNIT_EXPECT_EQ(test, tiny_refs(s2, blk2), 0U);
	if (span_of(blk3) == s2)
		KUNIT_EXPECT_TRUE(test, test_bit(tiny_idx(s2, blk2), s2->free_bits));

	goslab_free(e);
	/* Held and empty until the flush lets it go. */
	KUNIT_EXPECT_EQ(test, tiny_refs(span_of(blk3), blk3), t_start(6));
	KUNIT_EXPECT_TRUE(test, block_held(span_of(blk3), blk3));
	KUNIT_EXPECT_TRUE(test, block_live(span_of(blk3), blk3));
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, 0UL);
}

/*
 * An object's extent, its usable size, runs to the next start bit: over
 * an alignment gap once the next object is packed past it, over a freed
 * successor, up to the sentinel while the block is held and to the
 * block's end once it is not.
 */
static void tiny_extent_test(struct kunit *test)
{
	unsigned long blk;
	char *a, *b, *c;
	struct mspan *s;

	tiny_pin(test);
	a = goslab_alloc_noscan(1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	blk = (unsigned long)a;
	s = span_of(blk);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)1);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), (u16)(t_start(0) | t_start(1)));
	/* 4-aligned at 4: the gap 1..3 is a's now. */
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 4);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)4);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)4);
	c = goslab_alloc_noscan(2, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, c, a + 8);
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk),
			(u16)(t_start(0) | t_start(4) | t_start(8) | t_start(10)));
	KUNIT_EXPECT_TRUE(test, block_held(s, blk));
	*a = 0xaa;
	memset(c, 0xcc, 2);
	/* b's bytes fall to a; c's end stays at the sentinel. */
	goslab_free(b);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)8);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(c), (size_t)2);
	goslab_free(c);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)10);
	/* Let go of: to the block's end. */
	mcache_flush_all();
	KUNIT_EXPECT_FALSE(test, block_held(s, blk));
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), t_start(0));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)GS_TINY_SIZE);
	KUNIT_EXPECT_EQ(test, *a, (char)0xaa);
	KUNIT_EXPECT_TRUE(test, goslab_owns(a));
	KUNIT_EXPECT_FALSE(test, goslab_owns(b));
	KUNIT_EXPECT_FALSE(test, goslab_owns(c));
	/* A block that was not kept was never held: its object has it all. */
	c = goslab_alloc_noscan(9, GFP_KERNEL);		/* fresh, kept */
	b = goslab_alloc_noscan(9, GFP_KERNEL);		/* fresh, 9 < 9 fails */
	KUNIT_ASSERT_TRUE(test, b && c);
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, (unsigned long)c);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(c), (size_t)9);
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)GS_TINY_SIZE);
	KUNIT_EXPECT_FALSE(test, block_held(span_of((unsigned long)b),
					    (unsigned long)b));
	goslab_free(a);
	goslab_free(b);
	goslab_free(c);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * A pack that fills the block to 16 leaves no room for a sentinel: the
 * block is let go at once, not held, and the next object takes a new one.
 */
static void tiny_full_block_test(struct kunit *test)
{
	static const u8 fills[][2] = { { 8, 8 }, { 12, 4 }, { 14, 2 }, { 15, 1 } };
	unsigned int k;

	tiny_pin(test);
	for (k = 0; k < ARRAY_SIZE(fills); k++) {
		char *a = goslab_alloc_noscan(fills[k][0], GFP_KERNEL);
		char *b = goslab_alloc_noscan(fills[k][1], GFP_KERNEL);
		unsigned long blk = (unsigned long)a;
		struct mspan *s;
		char *c;

		KUNIT_ASSERT_TRUE(test, a && b);
		KUNIT_ASSERT_PTR_EQ(test, b, a + fills[k][0]);
		s = span_of(blk);
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny, 0UL);
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tinyoffset, 0U);
		KUNIT_EXPECT_FALSE(test, block_held(s, blk));
		KUNIT_EXPECT_EQ(test, tiny_refs(s, blk),
				(u16)(t_start(0) | t_start(fills[k][0])));
		KUNIT_EXPECT_EQ(test, goslab_usable_size(a), (size_t)fills[k][0]);
		KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)fills[k][1]);
		c = goslab_alloc_noscan(1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c);
		KUNIT_EXPECT_EQ(test, (unsigned long)c % GS_TINY_SIZE, 0UL);
		KUNIT_EXPECT_EQ(test, this_cpu_ptr(mcache_task)->tiny,
				(unsigned long)c);
		/* The last free of a block let go of gives it back. */
		goslab_free(b);
		goslab_free(a);
		KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), 0U);
		KUNIT_EXPECT_FALSE(test, block_live(s, blk) &&
				   !test_bit(tiny_idx(s, blk), s->claim_bits));
		goslab_free(c);
		mcache_flush_all();
	}
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * Every size packs as many objects into a block as before the sentinel
 * (main's u32 of starts and ends): 16 / size, Go's alignment never
 * leaving a gap between objects of one size.  Counted for the first
 * block (kept fresh) and the next one (after the first was let go).
 */
static void tiny_density_test(struct kunit *test)
{
	static const u8 per_block[16] = { 0, 16, 8, 5, 4, 3, 2, 2, 2, 1, 1, 1,
					  1, 1, 1, 1 };
	void **objs = kunit_kcalloc(test, 64, sizeof(*objs), GFP_KERNEL);
	unsigned int size, n, k, round;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	tiny_pin(test);
	for (size = 1; size < GS_TINY_SIZE; size++) {
		unsigned long blk = 0;
		unsigned int count = 0;

		n = 0;
		for (round = 0; round < 2;) {
			unsigned long p;

			KUNIT_ASSERT_LT(test, n, 64U);
			objs[n] = goslab_alloc_noscan(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[n]);
			p = (unsigned long)objs[n++] & ~(GS_TINY_SIZE - 1UL);
			if (blk && p != blk) {
				KUNIT_EXPECT_EQ_MSG(test, count,
						    (unsigned int)per_block[size],
						    "size %u, block %u", size,
						    round);
				round++;
				count = 0;
			}
			blk = p;
			count++;
		}
		for (k = 0; k < n; k++)
			goslab_free(objs[k]);
		mcache_flush_all();
	}
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
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
	u16 ref;

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

/* @p freed: exactly one report, about @p, with @words in its reason. */
static void tiny_free_bad(struct kunit *test, void *p, const char *words)
{
	long bad = atomic_long_read(&report_stats.bad_frees);
	struct report_record r;

	tiny_expect_begin();
	goslab_free(p);
	tiny_expect_end();
	report_get_last(&r);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&report_stats.bad_frees),
			    bad + 1, "free of %px", p);
	KUNIT_EXPECT_PTR_EQ(test, r.addr, (const void *)p);
	KUNIT_EXPECT_NOT_NULL_MSG(test, r.reason ? strstr(r.reason, words) : NULL,
				  "free of %px: \"%s\"", p, r.reason ?: "");
}

/*
 * @n (at most 16) 1-byte objects packed into one fresh block, object i
 * holding the byte i.  Return: the block.
 */
static unsigned long tiny_fill_bytes(struct kunit *test, char **p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		p[i] = goslab_alloc_noscan(1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		*p[i] = i;
	}
	KUNIT_ASSERT_PTR_EQ(test, p[n - 1], p[0] + n - 1);
	return (unsigned long)p[0];
}

/*
 * A double free at every offset of a block is reported once and changes
 * nothing: while the mcache holds the block (offsets 0-14, and 15, its
 * sentinel, no object), once it let the block go (every offset of a
 * block of sixteen 1-byte objects, freed from the end), and the last
 * one once the block is back in its span.
 */
static void tiny_double_free_every_offset_test(struct kunit *test)
{
	long bad = atomic_long_read(&report_stats.bad_frees);
	unsigned long blk;
	struct mspan *s;
	char *p[16];
	int i, k;

	tiny_pin(test);
	blk = tiny_fill_bytes(test, p, 15);
	s = span_of(blk);
	KUNIT_EXPECT_TRUE(test, block_held(s, blk));
	tiny_free_bad(test, p[0] + 15, "tiny object not allocated");
	for (i = 0; i < 15; i++) {
		goslab_free(p[i]);
		tiny_free_bad(test, p[i], "tiny object not allocated");
		for (k = i + 1; k < 15; k++)
			KUNIT_EXPECT_EQ(test, *p[k], (char)k);
	}
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), t_start(15));
	/* The 16th fills the held, empty block: let go with it. */
	p[15] = goslab_alloc_noscan(1, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, p[15], p[0] + 15);
	KUNIT_EXPECT_FALSE(test, block_held(s, blk));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(p[15]), (size_t)1);
	/* Its last free gave the block back: a 16-byte slot of the span. */
	goslab_free(p[15]);
	tiny_free_bad(test, p[15], "middle of an object");
	tiny_free_bad(test, p[0], "object not allocated");

	/* A block let go of, sixteen objects in it, freed from the end. */
	blk = tiny_fill_bytes(test, p, 16);
	s = span_of(blk);
	KUNIT_EXPECT_FALSE(test, block_held(s, blk));
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), (u16)0xffff);
	for (i = 15; i >= 0; i--) {
		goslab_free(p[i]);
		tiny_free_bad(test, p[i], i ? "tiny object not allocated" :
					   "object not allocated");
		for (k = 0; k < i; k++)
			KUNIT_EXPECT_EQ(test, *p[k], (char)k);
		if (i)
			KUNIT_EXPECT_EQ(test, goslab_usable_size(p[i - 1]),
					(size_t)(GS_TINY_SIZE - i + 1));
	}
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&report_stats.bad_frees),
			bad + 1 + 15 + 2 + 16);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * The sentinel keeps a wipe off the next object: a free of the held
 * block's last object on another CPU, stopped once it has found the
 * object's extent (mfree_test_hook), while the owner packs the next
 * object right after it.  The free then clears what it found
 * (goslab_free_sensitive(), which clears whatever the configuration):
 * the new object keeps its bytes.  Without the sentinel the last
 * object's extent would run to the block's end, over the new object.
 */
struct tiny_wipe {
	void *target;
	struct task_struct *task;
	atomic_t stopped, go, done;
};

static struct tiny_wipe *tiny_wipe;

static void tiny_wipe_hook(const void *p)
{
	struct tiny_wipe *w = READ_ONCE(tiny_wipe);

	/* The block's lock is held, interrupts off (gs_test_hold()). */
	if (!w || current != w->task || p != READ_ONCE(w->target))
		return;
	gs_test_hold(&w->stopped, &w->go);
}

static int tiny_wipe_remote(void *arg)
{
	struct tiny_wipe *w = arg;

	goslab_free_sensitive(w->target);
	export_commit_remote();
	atomic_set(&w->done, 1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void tiny_sentinel_wipe_test(struct kunit *test)
{
	struct tiny_wipe *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct task_struct *t;
	char *a, *b;
	int cpus[2];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	gs_test_two_cpus(test, cpus);
	if (cpus[0] == cpus[1])
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpus[0])), 0);
	mcache_flush_all();
	a = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0xaa, 4);
	w->target = a;
	t = kthread_create(tiny_wipe_remote, w, "tiny_wipe");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	w->task = t;
	kthread_bind(t, cpus[1]);
	WRITE_ONCE(tiny_wipe, w);
	WRITE_ONCE(mfree_test_hook, tiny_wipe_hook);
	wake_up_process(t);
	for (i = 0; i < 20000 && !atomic_read(&w->stopped); i++)
		usleep_range(20, 40);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&w->stopped), 1,
			    "the free never stopped");
	/* Packed at the sentinel, right after a, while a's free waits. */
	b = goslab_alloc_noscan(4, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 4);
	memset(b, 0xbb, 4);
	atomic_set(&w->go, 1);
	while (!atomic_read(&w->done))
		usleep_range(20, 40);
	kthread_stop(t);
	WRITE_ONCE(mfree_test_hook, NULL);
	WRITE_ONCE(tiny_wipe, NULL);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(b, 0xbb, 4),
			      "the free of the object before wiped the next one");
	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0, 4));
	KUNIT_EXPECT_FALSE(test, goslab_owns(a));
	KUNIT_EXPECT_EQ(test, goslab_usable_size(b), (size_t)4);
	goslab_free(b);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
}

/*
 * verify checks a tiny span's blocks: start bits on a free block are a
 * violation (written here by hand, then taken back).
 */
static void tiny_verify_test(struct kunit *test)
{
	unsigned long blk, flags;
	struct mspan *s;
	char *a, *q;

	tiny_pin(test);
	a = goslab_alloc_noscan(4, GFP_KERNEL);
	q = goslab_alloc_noscan(16, GFP_KERNEL);	/* keeps the span */
	KUNIT_ASSERT_TRUE(test, a && q);
	blk = (unsigned long)a;
	s = span_of(blk);
	KUNIT_ASSERT_PTR_EQ(test, span_of((unsigned long)q), s);
	goslab_free(a);
	mcache_flush_all();
	KUNIT_EXPECT_EQ(test, tiny_refs(s, blk), 0U);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
	raw_spin_lock_irqsave(tiny_block_lock(blk), flags);
	WRITE_ONCE(*tiny_ref(s, blk), t_start(0));
	raw_spin_unlock_irqrestore(tiny_block_lock(blk), flags);
	KUNIT_EXPECT_GE(test, goslab_verify(NULL), 1UL);
	raw_spin_lock_irqsave(tiny_block_lock(blk), flags);
	WRITE_ONCE(*tiny_ref(s, blk), 0);
	raw_spin_unlock_irqrestore(tiny_block_lock(blk), flags);
	KUNIT_EXPECT_EQ(test, goslab_verify(NULL), 0UL);
	goslab_free(q);
	mcache_flush_all();
}

static struct kunit_case goslab_tiny_cases[] = {
	KUNIT_CASE(tiny_packing_test),
	KUNIT_CASE(tiny_only_noscan_test),
	KUNIT_CASE(tiny_block_release_test),
	KUNIT_CASE(tiny_double_free_test),
	KUNIT_CASE(tiny_extent_test),
	KUNIT_CASE(tiny_full_block_test),
	KUNIT_CASE(tiny_density_test),
	KUNIT_CASE(tiny_double_free_every_offset_test),
	KUNIT_CASE(tiny_sentinel_wipe_test),
	KUNIT_CASE(tiny_verify_test),
	{}
};

static struct kunit_suite goslab_tiny_suite = {
	.name = "goslab_tiny",
	.test_cases = goslab_tiny_cases,
};

kunit_test_suite(goslab_tiny_suite);
