// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for goslab's size-class tables (goslab/sizeclasses.[ch]).
 *
 * The expected arrays below are Go's published tables from the current
 * runtime/sizeclasses.go (68 entries counting class 0, with the 24-byte
 * class); everything else is checked against first principles.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/log2.h>

#include "../goslab/sizeclasses.h"

/* Go's class_to_size. */
static const u16 go_class_to_size[] = {
	0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208,
	224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704,
	768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072,
	3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768,
};

/* Go's class_to_allocnpages. */
static const u8 go_class_to_allocnpages[] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 3,
	2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4,
};

static unsigned long span_bytes(unsigned int c)
{
	return (unsigned long)class_to_allocnpages[c] << GOSLAB_PAGE_SHIFT;
}

static void sizeclass_count_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, GOSLAB_NUM_SIZE_CLASSES, 68);
	KUNIT_EXPECT_EQ(test, GOSLAB_NUM_SPAN_CLASSES, 2 * 68);
	KUNIT_EXPECT_EQ(test, GOSLAB_PAGE_SIZE, 8192UL);
	KUNIT_EXPECT_EQ(test, GOSLAB_MAX_SMALL_SIZE, 32768);
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(go_class_to_size),
			(size_t)GOSLAB_NUM_SIZE_CLASSES);
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(go_class_to_allocnpages),
			(size_t)GOSLAB_NUM_SIZE_CLASSES);
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(size_to_class8),
			(size_t)(GOSLAB_SMALL_SIZE_MAX / GOSLAB_SMALL_SIZE_DIV + 1));
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(size_to_class128),
			(size_t)((GOSLAB_MAX_SMALL_SIZE - GOSLAB_SMALL_SIZE_MAX) /
				 GOSLAB_LARGE_SIZE_DIV + 1));
}

/* (a) class_to_size is Go's. */
static void sizeclass_size_matches_go_test(struct kunit *test)
{
	unsigned int c;

	for (c = 0; c < GOSLAB_NUM_SIZE_CLASSES; c++)
		KUNIT_EXPECT_EQ_MSG(test, class_to_size[c], go_class_to_size[c],
				    "class %u", c);
}

/* (b) class_to_allocnpages is Go's. */
static void sizeclass_npages_matches_go_test(struct kunit *test)
{
	unsigned int c;

	for (c = 0; c < GOSLAB_NUM_SIZE_CLASSES; c++)
		KUNIT_EXPECT_EQ_MSG(test, class_to_allocnpages[c],
				    go_class_to_allocnpages[c], "class %u", c);
}

/* (c) goslab_size_to_class() picks the smallest class that fits. */
static void sizeclass_lookup_test(struct kunit *test)
{
	unsigned int c = 1;
	size_t size;

	for (size = 1; size <= GOSLAB_MAX_SMALL_SIZE; size++) {
		unsigned int want = 1;

		while (want < GOSLAB_NUM_SIZE_CLASSES && class_to_size[want] < size)
			want++;
		KUNIT_ASSERT_LT_MSG(test, want, GOSLAB_NUM_SIZE_CLASSES,
				    "no class for size %zu", size);
		c = goslab_size_to_class(size);
		KUNIT_ASSERT_EQ_MSG(test, c, want, "size %zu", size);
	}
	KUNIT_EXPECT_EQ(test, c, GOSLAB_NUM_SIZE_CLASSES - 1);
}

/* (d) tail waste is at most 1/8 of the span; nelems fills the span. */
static void sizeclass_tail_waste_test(struct kunit *test)
{
	unsigned int c;

	KUNIT_EXPECT_EQ(test, class_to_nelems[0], 0);
	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		unsigned long span = span_bytes(c);
		unsigned long size = class_to_size[c];

		KUNIT_EXPECT_GE_MSG(test, class_to_allocnpages[c], 1, "class %u", c);
		KUNIT_EXPECT_LE_MSG(test, (span % size) * 8, span,
				    "class %u: tail waste %lu of %lu", c,
				    span % size, span);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)class_to_nelems[c],
				    span / size, "class %u", c);
		KUNIT_EXPECT_LE_MSG(test, class_to_nelems[c],
				    GOSLAB_MAX_OBJS_PER_SPAN, "class %u", c);
	}
	KUNIT_EXPECT_EQ(test, class_to_nelems[1], GOSLAB_MAX_OBJS_PER_SPAN);
}

/* (e) the division magic is exact for every byte offset of every span. */
static void sizeclass_divmagic_test(struct kunit *test)
{
	unsigned int c;

	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		unsigned long span = span_bytes(c);
		unsigned long size = class_to_size[c];
		unsigned long off;

		for (off = 0; off <= span; off++) {
			unsigned int idx = goslab_obj_index(c, off);

			if (idx != off / size) {
				KUNIT_FAIL(test, "class %u offset %lu: index %u, want %lu",
					   c, off, idx, off / size);
				break;
			}
		}
		/* The first byte of the last object. */
		KUNIT_EXPECT_EQ_MSG(test,
				    goslab_obj_index(c, (class_to_nelems[c] - 1UL) * size),
				    class_to_nelems[c] - 1U, "class %u", c);
	}
}

/* (f) the table is strictly increasing and aligned the way Go's is. */
static void sizeclass_order_align_test(struct kunit *test)
{
	unsigned int c, shift;

	KUNIT_EXPECT_EQ(test, class_to_size[0], 0);
	KUNIT_EXPECT_EQ(test, class_to_allocnpages[0], 0);
	KUNIT_EXPECT_EQ(test, class_to_size[1], 8);
	KUNIT_EXPECT_EQ(test, class_to_size[GOSLAB_NUM_SIZE_CLASSES - 1],
			GOSLAB_MAX_SMALL_SIZE);

	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++) {
		unsigned int size = class_to_size[c];

		KUNIT_EXPECT_GT_MSG(test, size, class_to_size[c - 1], "class %u", c);
		/* Every object is at least 8-byte aligned. */
		KUNIT_EXPECT_EQ_MSG(test, size % 8, 0, "class %u", c);
		/* From 32 bytes on, 16-byte aligned. */
		if (size >= 32)
			KUNIT_EXPECT_EQ_MSG(test, size % 16, 0, "class %u", c);
		/* From 128 to 1024 bytes, aligned to 1/8 of the power of two below. */
		if (size >= 128 && size < GOSLAB_SMALL_SIZE_MAX)
			KUNIT_EXPECT_EQ_MSG(test, size % (rounddown_pow_of_two(size) / 8),
					    0, "class %u", c);
		/* Above smallSizeMax, multiples of largeSizeDiv (size_to_class128). */
		if (size >= GOSLAB_SMALL_SIZE_MAX)
			KUNIT_EXPECT_EQ_MSG(test, size % GOSLAB_LARGE_SIZE_DIV, 0,
					    "class %u", c);
		/* A span holds at least one object. */
		KUNIT_EXPECT_GE_MSG(test, span_bytes(c), (unsigned long)size,
				    "class %u", c);
	}

	/*
	 * Every power of two from 8 to 32 KiB is a class of its own, so such
	 * requests get naturally aligned objects (spans are page aligned).
	 */
	for (shift = 3; (1U << shift) <= GOSLAB_MAX_SMALL_SIZE; shift++) {
		unsigned int size = 1U << shift;

		KUNIT_EXPECT_EQ_MSG(test, class_to_size[goslab_size_to_class(size)],
				    size, "size %u", size);
	}
}

static struct kunit_case goslab_sizeclass_cases[] = {
	KUNIT_CASE(sizeclass_count_test),
	KUNIT_CASE(sizeclass_size_matches_go_test),
	KUNIT_CASE(sizeclass_npages_matches_go_test),
	KUNIT_CASE(sizeclass_lookup_test),
	KUNIT_CASE(sizeclass_tail_waste_test),
	KUNIT_CASE(sizeclass_divmagic_test),
	KUNIT_CASE(sizeclass_order_align_test),
	{}
};

static struct kunit_suite goslab_sizeclass_suite = {
	.name = "goslab_sizeclass",
	.test_cases = goslab_sizeclass_cases,
};

kunit_test_suite(goslab_sizeclass_suite);
