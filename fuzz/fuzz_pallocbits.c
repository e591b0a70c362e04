// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for goslab/mpagealloc.c: Go's pallocBits and its
 * summary over one 512-page chunk, against a plain bool[512] reference.
 *
 * The input is an initial state and a list of operations: allocate the
 * first fit of n pages, free part of an allocated run, set or clear an
 * arbitrary range (pages goslab does not own are "in use" too), query
 * ranges, find without allocating (also at a multiple of a power of two,
 * pallocbits_find_aligned()), fill, clear.  After every operation
 * the bits, pallocbits_summarize(), pallocbits_free_count() and
 * pallocbits_find() for a spread of sizes must equal the reference's
 * naive page-by-page answers.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "../goslab/mpagealloc.h"

#define NPAGES PALLOC_CHUNK_PAGES

/* Reference: one bool per page, true = in use. */
static bool ref[NPAGES];

/*
 * First fit of every size at once: a free run of n pages first exists
 * where the running count of free pages first reaches n.
 */
static unsigned int ref_first[NPAGES + 2];

FZ_REFERENCE static void ref_first_fit_all(void)
{
	unsigned int i, n, run = 0, best = 0;

	for (n = 0; n < NPAGES + 2; n++)
		ref_first[n] = PALLOC_NONE;
	for (i = 0; i < NPAGES; i++) {
		run = ref[i] ? 0 : run + 1;
		if (run > best)
			ref_first[best = run] = i + 1 - run;
	}
}

/* First fit the naive way, for the operations that allocate. */
FZ_REFERENCE static unsigned int ref_find(unsigned int n)
{
	unsigned int i, run = 0;

	if (!n || n > NPAGES)
		return PALLOC_NONE;
	for (i = 0; i < NPAGES; i++) {
		run = ref[i] ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return PALLOC_NONE;
}

/* First fit at a multiple of @align (a power of two), the naive way. */
FZ_REFERENCE static unsigned int ref_find_aligned(unsigned int n,
						  unsigned int align)
{
	unsigned int i, k;

	if (!n || n > NPAGES)
		return PALLOC_NONE;
	for (i = 0; i + n <= NPAGES; i += align) {
		for (k = 0; k < n && !ref[i + k]; k++)
			;
		if (k == n)
			return i;
	}
	return PALLOC_NONE;
}

FZ_REFERENCE static struct pallocsum ref_summarize(void)
{
	struct pallocsum s = { 0, 0, 0 };
	unsigned int i, run = 0;

	while (s.start < NPAGES && !ref[s.start])
		s.start++;
	for (i = 0; i < NPAGES; i++) {
		run = ref[i] ? 0 : run + 1;
		if (run > s.max)
			s.max = run;
	}
	s.end = run;
	return s;
}

FZ_REFERENCE static bool ref_range_is(unsigned int i, unsigned int n, bool used)
{
	while (n--)
		if (ref[i++] != used)
			return false;
	return true;
}

FZ_REFERENCE static void ref_set(unsigned int i, unsigned int n, bool used)
{
	while (n--)
		ref[i++] = used;
}

/* pallocbits_find(@n) against ref_first[], which must be current. */
FZ_REFERENCE static void check_find(const struct pallocbits *b, unsigned int n)
{
	unsigned int got = pallocbits_find(b, n);
	unsigned int want = n <= NPAGES ? ref_first[n] : PALLOC_NONE;

	if (got != want)
		fz_fail("pallocbits_find(%u) = %d, first fit is %d", n,
			(int)got, (int)want);
}

/* Everything observable must match the reference. */
FZ_REFERENCE static void check_all(const struct pallocbits *b, unsigned int n_hint)
{
	static const unsigned int sizes[] = {
		0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200,
		255, 256, 257, 511, 512, 513,
	};
	struct pallocsum got = pallocbits_summarize(b), want = ref_summarize();
	unsigned int i, nfree = 0;

	for (i = 0; i < NPAGES; i++) {
		bool bit = (b->w[i / 64] >> (i % 64)) & 1;

		if (bit != ref[i])
			fz_fail("page %u is %d, reference %d", i, bit, ref[i]);
		nfree += !ref[i];
	}
	if (!pallocsum_equal(got, want))
		fz_fail("summary {start %u, max %u, end %u}, reference {%u, %u, %u}",
			got.start, got.max, got.end, want.start, want.max,
			want.end);
	if (pallocbits_free_count(b) != nfree)
		fz_fail("free count %u, reference %u", pallocbits_free_count(b),
			nfree);
	ref_first_fit_all();
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		check_find(b, sizes[i]);
	check_find(b, want.max);
	check_find(b, want.max + 1);
	check_find(b, n_hint);
}

/* A run length: mostly small (Go's common case), sometimes up to 512. */
static unsigned int read_npages(struct fz_in *in)
{
	unsigned int v = fz_u8(in);

	if (v < 192)
		return 1 + v % 64;
	return 1 + fz_u16(in) % NPAGES;
}

/* A valid range [*i, *i + *n) with *n >= 1. */
static void read_range(struct fz_in *in, unsigned int *i, unsigned int *n)
{
	*i = fz_u16(in) % NPAGES;
	*n = read_npages(in);
	if (*n > NPAGES - *i)
		*n = NPAGES - *i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct pallocbits b;
	unsigned int i, n, at, want, op;

	/* Initial state: free, full, or words straight from the input. */
	switch (fz_u8(&in) % 3) {
	case 0:
		pallocbits_clear(&b);
		break;
	case 1:
		pallocbits_fill(&b);
		break;
	default:
		for (i = 0; i < PALLOC_WORDS; i++)
			b.w[i] = fz_u64(&in);
	}
	for (i = 0; i < NPAGES; i++)
		ref[i] = (b.w[i / 64] >> (i % 64)) & 1;
	check_all(&b, 1);

	while (fz_left(&in)) {
		op = fz_u8(&in) % 8;
		n = 1;
		switch (op) {
		case 0:
		case 1:	/* allocate the first fit, as mheap does */
			n = read_npages(&in);
			at = pallocbits_find(&b, n);
			want = ref_find(n);
			if (at != want)
				fz_fail("alloc %u: find %d, first fit %d", n,
					(int)at, (int)want);
			if (at == PALLOC_NONE)
				break;
			if (!pallocbits_range_free(&b, at, n))
				fz_fail("find(%u) = %u, range not free", n, at);
			pallocbits_alloc_range(&b, at, n);
			ref_set(at, n, true);
			if (!pallocbits_range_used(&b, at, n))
				fz_fail("alloc [%u,+%u) not used after", at, n);
			break;
		case 2:
		case 3:	/* free part of an allocated run */
			at = fz_u16(&in) % NPAGES;
			for (i = 0; i < NPAGES && !ref[at]; i++)
				at = (at + 1) % NPAGES;
			if (!ref[at])
				break;
			want = read_npages(&in);
			for (n = 1; n < want && at + n < NPAGES && ref[at + n]; n++)
				;
			if (!pallocbits_range_used(&b, at, n))
				fz_fail("used [%u,+%u) not range_used", at, n);
			pallocbits_free_range(&b, at, n);
			ref_set(at, n, false);
			if (!pallocbits_range_free(&b, at, n))
				fz_fail("freed [%u,+%u) not range_free", at, n);
			break;
		case 4:	/* range queries on an arbitrary range */
			read_range(&in, &at, &n);
			if (pallocbits_range_free(&b, at, n) !=
			    ref_range_is(at, n, false))
				fz_fail("range_free(%u, %u) = %d", at, n,
					pallocbits_range_free(&b, at, n));
			if (pallocbits_range_used(&b, at, n) !=
			    ref_range_is(at, n, true))
				fz_fail("range_used(%u, %u) = %d", at, n,
					pallocbits_range_used(&b, at, n));
			break;
		case 5:	/* set or clear any range (unowned pages, growth) */
			read_range(&in, &at, &n);
			if (fz_u8(&in) & 1) {
				pallocbits_alloc_range(&b, at, n);
				ref_set(at, n, true);
			} else {
				pallocbits_free_range(&b, at, n);
				ref_set(at, n, false);
			}
			break;
		case 6:	/* find without allocating, any or aligned start */
			n = read_npages(&in);
			at = pallocbits_find(&b, n);
			if (at != ref_find(n))
				fz_fail("find(%u) = %d, first fit %d", n,
					(int)at, (int)ref_find(n));
			i = 1U << (fz_u8(&in) % 10);
			at = pallocbits_find_aligned(&b, n, i);
			if (at != (i == 1 ? ref_find(n) : ref_find_aligned(n, i)))
				fz_fail("find_aligned(%u, %u) = %d, first fit %d",
					n, i, (int)at,
					(int)ref_find_aligned(n, i));
			break;
		default:
			if (fz_u8(&in) & 1) {
				pallocbits_fill(&b);
				memset(ref, 1, sizeof(ref));
			} else {
				pallocbits_clear(&b);
				memset(ref, 0, sizeof(ref));
			}
		}
		check_all(&b, n);
	}
	return 0;
}
