// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for goslab/sizeclasses.[ch]: the size-to-class lookup
 * tables and the division magic, against linear scans and real division.
 *
 * The input is a list of (size, offset) pairs.  For each size in
 * 1..32768, goslab_size_to_class() must be the smallest class whose
 * class_to_size is at least the size (a scan of class_to_size).  For the
 * offset, reduced into the span of that class (class_to_allocnpages
 * goslab pages), goslab_obj_index() must equal offset / size, and so must
 * it at the first and last byte of that object and of the next.
 */
#include "fuzz.h"
#include "../goslab/sizeclasses.h"

FZ_REFERENCE static unsigned int ref_class(size_t size)
{
	unsigned int c;

	for (c = 1; c < GOSLAB_NUM_SIZE_CLASSES; c++)
		if (class_to_size[c] >= size)
			return c;
	return 0;
}

static void check_index(unsigned int c, unsigned long off)
{
	unsigned long span = class_to_allocnpages[c] * GOSLAB_PAGE_SIZE;
	unsigned int got, want;

	if (off >= span)
		return;
	got = goslab_obj_index(c, off);
	want = off / class_to_size[c];
	if (got != want)
		fz_fail("class %u (size %u): obj_index(%lu) = %u, want %u", c,
			class_to_size[c], off, got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	do {
		size_t sz = 1 + fz_u16(&in) % GOSLAB_MAX_SMALL_SIZE;
		uint32_t raw = (uint32_t)fz_u16(&in) | (uint32_t)fz_u16(&in) << 16;
		unsigned int c = goslab_size_to_class(sz), want = ref_class(sz);
		unsigned long span, off, osz, obj;

		if (c != want)
			fz_fail("size_to_class(%zu) = %u, smallest class >= size is %u (%u bytes)",
				sz, c, want, class_to_size[want]);
		if (c < 1 || c >= GOSLAB_NUM_SIZE_CLASSES)
			fz_fail("size_to_class(%zu) = %u out of range", sz, c);
		osz = class_to_size[c];
		span = class_to_allocnpages[c] * GOSLAB_PAGE_SIZE;
		if (!span || class_to_nelems[c] != span / osz)
			fz_fail("class %u: %lu-byte span, nelems %u, want %lu",
				c, span, class_to_nelems[c], span / osz);

		off = raw % span;
		obj = off / osz;
		check_index(c, off);
		check_index(c, obj * osz);
		check_index(c, obj * osz + osz - 1);
		check_index(c, (obj + 1) * osz);
		check_index(c, span - 1);
	} while (fz_left(&in));
	return 0;
}
