// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for goslab/mbitmap.c and nextFreeFast() in
 * goslab/internal.h (Go's nextFreeFast, nextFreeIndex, refillAllocCache,
 * isFree, and goslab's sweep of explicit frees), compiled in userspace
 * through the fuzz/shim/ stand-ins for the kernel headers.
 *
 * The input builds a span (nelems 1..1024, allocBits, a freeindex with
 * allocCache in Go's state for it, cached or not) and then a list of
 * operations: allocate the way mcache does (nextFreeFast, nextFreeIndex
 * when it declines), nextFreeIndex alone, allocate until full, a bulk
 * allocation (nextFreeBatch), free a live object the way goslab_free()
 * does (its freeBits bit and pending count), and sweep.
 *
 * The reference model knows, per object, only what Go's allocator means:
 * available, live (allocated, not freed), or freed but not yet swept (not
 * available until mspan_sweep()).  Allocation is first fit from the
 * reference's own freeindex, so every index handed out must be the lowest
 * available object: never one handed out twice, never past nelems, and
 * nelems exactly when nothing is available.  nextFreeFast must return
 * that same object, or decline exactly where Go's nextFreeFast declines
 * (no free object in the cached 64-object word, or taking it would leave
 * freeindex on a 64-object boundary that is not the end).  After every
 * operation freeindex, Go's allocCache invariant, allocCount,
 * mspan_count_alloc(), mspan_is_free() and freeBits for every object, and
 * the pending count in freestate are checked against the model.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "../goslab/internal.h"

#define BASE		0x40000000UL	/* never dereferenced */
#define ELEMSIZE	8U		/* class 1 */
#define MAXOBJS		GOSLAB_MAX_OBJS_PER_SPAN

enum obj { AVAIL, LIVE, PENDING };

/* mbitmap.c reports a LIFO link a write after free changed: never here. */
void gs_report_bad(const void *p, const char *reason, unsigned long caller)
{
	fprintf(stderr, "gs_report_bad(%p): %s\n", p, reason);
	abort();
}

static struct mspan span;
/* The span's three bitmaps, full size (mspan_layout_bits()). */
static unsigned long span_bits[3 * GS_ALLOCBITS_WORDS];
static enum obj ref[MAXOBJS];
static unsigned int ref_fi;		/* Go's freeindex, tracked by the model */
static long ref_cached;			/* MSPAN_CACHED or 0 */

FZ_REFERENCE static unsigned int count(enum obj what)
{
	unsigned int i, n = 0;

	for (i = 0; i < span.nelems; i++)
		n += ref[i] == what;
	return n;
}

/* The lowest available object, or nelems. */
FZ_REFERENCE static unsigned int ref_first_avail(void)
{
	unsigned int i;

	for (i = 0; i < span.nelems; i++)
		if (ref[i] == AVAIL)
			break;
	if (i < ref_fi)
		fz_fail("model: object %u available below freeindex %u", i,
			ref_fi);
	return i;
}

/*
 * Go's nextFreeFast declines unless the first free object r is in the
 * cached word and r + 1 is not a boundary other than the end.
 */
FZ_REFERENCE static bool go_fast_declines(unsigned int r)
{
	unsigned int ne = span.nelems;

	return r >= ne || r >= (ref_fi & ~63U) + 64 ||
	       ((r + 1) % 64 == 0 && r + 1 != ne);
}

/* The model's side of handing out object @idx. */
static void ref_take(unsigned int idx, const char *who)
{
	if (idx >= span.nelems)
		fz_fail("%s handed out %u, nelems %u", who, idx, span.nelems);
	if (ref[idx] != AVAIL)
		fz_fail("%s handed out object %u twice (it is %s)", who, idx,
			ref[idx] == LIVE ? "live" : "freed, not swept");
	ref[idx] = LIVE;
	ref_fi = idx + 1;
}

FZ_REFERENCE static void check_all(const char *after)
{
	unsigned int i, ne = span.nelems, f = span.freeindex;
	unsigned int live = count(LIVE), pending = count(PENDING);
	long fs = atomic_long_read(&span.freestate);

	if (f != ref_fi)
		fz_fail("after %s: freeindex %u, model %u", after, f, ref_fi);
	if (f > ne)
		fz_fail("after %s: freeindex %u > nelems %u", after, f, ne);
	/* Go's invariant: allocCache is allocBits from freeindex, inverted. */
	if (f < ne && span.allocCache != ~(u64)span.allocBits[f / 64] >> (f % 64))
		fz_fail("after %s: allocCache %#llx, allocBits word %u is %#lx, freeindex %u",
			after, (unsigned long long)span.allocCache, f / 64,
			span.allocBits[f / 64], f);
	if (span.allocCount != live + pending)
		fz_fail("after %s: allocCount %u, model %u live + %u pending",
			after, span.allocCount, live, pending);
	if (mspan_count_alloc(&span) != live + pending)
		fz_fail("after %s: mspan_count_alloc %u, model %u", after,
			mspan_count_alloc(&span), live + pending);
	if (fs != ref_cached + (long)pending * MSPAN_FREE_ONE)
		fz_fail("after %s: freestate %ld, model %ld + %u pending", after,
			fs, ref_cached, pending);
	for (i = 0; i < ne; i++) {
		bool is_free = mspan_is_free(&span, i);
		bool freed = test_bit(i, span.freeBits);

		if (is_free != (ref[i] == AVAIL))
			fz_fail("after %s: mspan_is_free(%u) = %d, model %d",
				after, i, is_free, ref[i]);
		if (freed != (ref[i] == PENDING))
			fz_fail("after %s: freeBits %u = %d, model %d", after,
				i, freed, ref[i]);
	}
	for (; i < MAXOBJS; i++)
		if (test_bit(i, span.allocBits) || test_bit(i, span.freeBits))
			fz_fail("after %s: bit %u past nelems %u set", after,
				i, ne);
}

/* mcache's allocation: nextFreeFast, else nextFreeIndex.  False if full. */
static bool alloc_mcache(bool fast)
{
	unsigned int r = ref_first_avail(), ne = span.nelems, idx;
	unsigned int count0 = span.allocCount;
	unsigned long p;

	if (fast) {
		p = nextFreeFast(&span);
		if (p) {
			if (go_fast_declines(r))
				fz_fail("nextFreeFast gave %#lx, Go declines (first free %u, freeindex %u, nelems %u)",
					p, r, ref_fi, ne);
			if (p != BASE + (unsigned long)r * ELEMSIZE)
				fz_fail("nextFreeFast gave %#lx, want object %u",
					p, r);
			idx = mspan_obj_index(&span, p);
			if (idx != r)
				fz_fail("mspan_obj_index(%#lx) = %u, want %u",
					p, idx, r);
			if (span.allocCount != count0 + 1)
				fz_fail("nextFreeFast: allocCount %u, was %u",
					span.allocCount, count0);
			ref_take(r, "nextFreeFast");
			return true;
		}
		if (!go_fast_declines(r))
			fz_fail("nextFreeFast declined, Go gives object %u (freeindex %u, nelems %u)",
				r, ref_fi, ne);
		if (span.freeindex != ref_fi || span.allocCount != count0)
			fz_fail("nextFreeFast declined but changed the span");
	}
	idx = nextFreeIndex(&span);
	if (idx > ne)
		fz_fail("nextFreeIndex %u > nelems %u", idx, ne);
	if (idx != r)
		fz_fail("nextFreeIndex %u, first free object is %u (nelems %u)",
			idx, r, ne);
	if (idx == ne) {
		ref_fi = ne;
		return false;
	}
	ref_take(idx, "nextFreeIndex");
	span.allocCount++;		/* the caller's job, as in Go */
	return true;
}

/*
 * nextFreeBatch: up to @n objects, exactly the lowest available ones in
 * order, tagged; fewer only when none is left.  It may leave freeindex at
 * the next word when the rest of this one is taken, which Go's state
 * allows: nothing available may lie between.
 */
static void alloc_batch(unsigned int n, unsigned long tag)
{
	static void *objs[MAXOBJS];
	unsigned int count0 = span.allocCount, got, k, r, i;

	got = nextFreeBatch(&span, objs, n, tag);
	if (got > n)
		fz_fail("nextFreeBatch gave %u of %u", got, n);
	for (k = 0; k < got; k++) {
		r = ref_first_avail();
		if ((unsigned long)objs[k] !=
		    ((BASE + (unsigned long)r * ELEMSIZE) | tag))
			fz_fail("nextFreeBatch object %u is %p, want object %u",
				k, objs[k], r);
		ref_take(r, "nextFreeBatch");
	}
	if (span.allocCount != count0 + got)
		fz_fail("nextFreeBatch: allocCount %u, was %u, gave %u",
			span.allocCount, count0, got);
	if (got < n && ref_first_avail() != span.nelems)
		fz_fail("nextFreeBatch gave %u of %u, object %u available",
			got, n, ref_first_avail());
	if (span.freeindex < ref_fi)
		fz_fail("nextFreeBatch: freeindex %u below %u", span.freeindex,
			ref_fi);
	for (i = ref_fi; i < span.freeindex && i < span.nelems; i++)
		if (ref[i] == AVAIL)
			fz_fail("nextFreeBatch: freeindex %u skips object %u",
				span.freeindex, i);
	ref_fi = span.freeindex;
}

/* goslab_free() of a live object while cached: freeBits, one pending. */
static void free_one(unsigned int from)
{
	unsigned int i, idx;

	for (i = 0; i < span.nelems; i++) {
		idx = (from + i) % span.nelems;
		if (ref[idx] != LIVE)
			continue;
		if (test_and_set_bit(idx, span.freeBits))
			fz_fail("free of live object %u: freeBits already set",
				idx);
		atomic_long_add(MSPAN_FREE_ONE, &span.freestate);
		ref[idx] = PENDING;
		return;
	}
}

static void sweep(void)
{
	unsigned int i, pending = count(PENDING), merged;

	span.needzero = 0;
	merged = mspan_sweep(&span);
	if (merged != pending)
		fz_fail("mspan_sweep merged %u, model %u pending", merged,
			pending);
	if (span.needzero != (merged != 0))
		fz_fail("mspan_sweep: needzero %u after %u merged",
			span.needzero, merged);
	for (i = 0; i < span.nelems; i++)
		if (ref[i] == PENDING)
			ref[i] = AVAIL;
	ref_fi = 0;
	if (span.allocCount != count(LIVE))
		fz_fail("mspan_sweep: allocCount %u, model %u live",
			span.allocCount, count(LIVE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned int i, ne, f, words, mode;

	memset(&span, 0, sizeof(span));
	memset(span_bits, 0, sizeof(span_bits));
	span.allocBits = span_bits;
	span.freeBits = span_bits + GS_ALLOCBITS_WORDS;
	span.localBits = span_bits + 2 * GS_ALLOCBITS_WORDS;
	ne = 1 + fz_u16(&in) % MAXOBJS;
	span.nelems = ne;
	span.elemsize = ELEMSIZE;
	span.divmagic = class_to_divmagic[1];
	span.startAddr = BASE;
	span.limit = BASE + ne * ELEMSIZE;
	span.npages = 1;
	span.spanclass = make_spanclass(1, true);
	span.state = MSPAN_INUSE;
	mspan_init_bits(&span);

	/* allocBits as a sweep leaves them: nothing set past nelems. */
	mode = fz_u8(&in) % 4;
	words = DIV_ROUND_UP(ne, 64);
	for (i = 0; i < words; i++) {
		u64 w = 0;

		if (mode == 1)
			w = ~0ULL;
		else if (mode == 2)
			w = fz_u64(&in);
		else if (mode == 3)	/* mostly allocated */
			w = fz_u64(&in) | fz_u64(&in);
		if (ne < (i + 1) * 64)
			w &= (1ULL << (ne - i * 64)) - 1;
		span.allocBits[i] = w;
	}

	/*
	 * freeindex f with allocCache as Go leaves it after handing out
	 * objects up to f - 1: bit 0 of the cache is object f.
	 */
	f = fz_u16(&in) % (ne + 1);
	span.freeindex = f;
	if (f < ne) {
		refillAllocCache(&span, (f / 64) * 8);
		span.allocCache >>= f % 64;
	} else {
		span.allocCache = 0;
	}
	for (i = 0; i < ne; i++)
		ref[i] = (i < f || test_bit(i, span.allocBits)) ? LIVE : AVAIL;
	ref_fi = f;
	span.allocCount = count(LIVE);
	ref_cached = fz_u8(&in) & 1 ? MSPAN_CACHED : 0;
	atomic_long_set(&span.freestate, ref_cached);
	check_all("setup");

	while (fz_left(&in)) {
		unsigned int op = fz_u8(&in);

		switch (op % 9) {
		case 0:
		case 1:
		case 2:
			alloc_mcache(true);
			check_all("alloc");
			break;
		case 3:
			alloc_mcache(false);
			check_all("nextFreeIndex");
			break;
		case 4:	/* until full, checking only at the end */
			for (i = 0; i <= ne && alloc_mcache(op & 8); i++)
				;
			if (i > ne || ref_first_avail() != ne)
				fz_fail("span not full after %u allocations", i);
			check_all("allocating until full");
			break;
		case 5:
		case 6:
			free_one(fz_u16(&in) % ne);
			check_all("free");
			break;
		case 7:
			alloc_batch(1 + fz_u8(&in) % 130, (op >> 4) & 1);
			check_all("nextFreeBatch");
			break;
		default:
			sweep();
			check_all("sweep");
		}
	}
	return 0;
}
