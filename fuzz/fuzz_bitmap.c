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
 * does (its freeBits bit and pending count), sweep; and the owner's LIFO:
 * free onto it, allocate from it (mcache_alloc_fast()), overwrite the
 * link in an object on it as a write after free would, drain it.
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
 *
 * The LIFO must hand back its objects last in, first out while no link
 * was overwritten; after one was, every object it hands out must still be
 * one on it (or, after a report, the bitmap's first free one), never a
 * live or a pending one, and reports come only after an overwrite.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "../goslab/internal.h"

#define ELEMSIZE	8U		/* class 1 */
#define MAXOBJS		GOSLAB_MAX_OBJS_PER_SPAN

/* The span's memory: the LIFO keeps its links in freed objects. */
static u64 span_mem[MAXOBJS];
#define BASE		((unsigned long)span_mem)

enum obj { AVAIL, LIVE, PENDING, LOCAL };

static unsigned int lifo[MAXOBJS], nlifo;	/* the model's LIFO, top last */
static bool overwritten;	/* a link was overwritten since the last drain */
static unsigned int reports;

/* mbitmap.c reports a LIFO link a write after free changed. */
void gs_report_bad(const void *p, const char *reason, unsigned long caller)
{
	if (!overwritten)
		fz_fail("report with no link overwritten: %p: %s", p, reason);
	reports++;
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
			ref[idx] == LIVE ? "live" :
			ref[idx] == LOCAL ? "on the LIFO" : "freed, not swept");
	ref[idx] = LIVE;
	ref_fi = idx + 1;
}

FZ_REFERENCE static void check_all(const char *after)
{
	unsigned int i, ne = span.nelems, f = span.freeindex;
	unsigned int live = count(LIVE) + count(LOCAL), pending = count(PENDING);
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
		if (test_bit(i, span.localBits) != (ref[i] == LOCAL))
			fz_fail("after %s: localBits %u = %d, model %d", after,
				i, test_bit(i, span.localBits), ref[i]);
	}
	for (; i < MAXOBJS; i++)
		if (test_bit(i, span.allocBits) || test_bit(i, span.freeBits) ||
		    test_bit(i, span.localBits))
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
/* The first object in state @want from @from on, wrapping; or nelems. */
FZ_REFERENCE static unsigned int ref_find(unsigned int from, enum obj want)
{
	unsigned int i, idx;

	for (i = 0; i < span.nelems; i++) {
		idx = (from + i) % span.nelems;
		if (ref[idx] == want)
			return idx;
	}
	return span.nelems;
}

static void free_one(unsigned int from)
{
	unsigned int idx = ref_find(from, LIVE);

	if (idx == span.nelems)
		return;
	if (test_and_set_bit(idx, span.freeBits))
		fz_fail("free of live object %u: freeBits already set", idx);
	atomic_long_add(MSPAN_FREE_ONE, &span.freestate);
	ref[idx] = PENDING;
}

/* The owner's free: onto the LIFO, as goslab_free() does it. */
static void local_free(unsigned int from)
{
	unsigned int idx = ref_find(from, LIVE);

	if (idx == span.nelems)
		return;
	mspan_push_local(&span, (void *)(BASE + idx * ELEMSIZE), idx);
	ref[idx] = LOCAL;
	lifo[nlifo++] = idx;
}

static void lifo_forget(unsigned int idx)
{
	unsigned int k;

	for (k = 0; k < nlifo; k++)
		if (lifo[k] == idx) {
			memmove(&lifo[k], &lifo[k + 1],
				(nlifo - k - 1) * sizeof(lifo[0]));
			nlifo--;
			return;
		}
	fz_fail("model: object %u not on the LIFO", idx);
}

/* mcache_alloc_fast() with the LIFO in use. */
static void local_alloc(void)
{
	unsigned int r = ref_first_avail(), rep0 = reports, idx, head;
	unsigned long v;
	bool fresh;

	if (!span.localhead)
		return;
	/* As goslab_alloc()'s fast path: a bad link leaves all to the next. */
	head = span.localhead;
	v = mcache_alloc_fast(&span, &fresh, true);
	if (!v) {
		if (reports != rep0 || span.localhead != head)
			fz_fail("bailing out on a bad link changed the span or reported");
		v = mcache_alloc_fast(&span, &fresh, false);
	}
	if (!overwritten) {
		if (!nlifo || v != BASE + (unsigned long)lifo[nlifo - 1] * ELEMSIZE ||
		    fresh)
			fz_fail("LIFO gave %#lx (fresh %d), want object %u",
				v, fresh, nlifo ? lifo[nlifo - 1] : ~0U);
	}
	if (!v) {
		if (reports == rep0 || !go_fast_declines(r))
			fz_fail("LIFO gave nothing: %u reports, first free %u",
				reports - rep0, r);
		return;
	}
	if ((v - BASE) % ELEMSIZE || v - BASE >= span.nelems * ELEMSIZE)
		fz_fail("LIFO gave %#lx, no object of the span", v);
	idx = (v - BASE) / ELEMSIZE;
	if (fresh) {
		if (reports == rep0)
			fz_fail("LIFO fell back to the bitmap without a report");
		if (idx != r)
			fz_fail("fallback gave object %u, first free is %u", idx, r);
		ref_take(idx, "fallback");
		return;
	}
	if (ref[idx] != LOCAL)
		fz_fail("LIFO gave object %u, which is not on it (state %d)",
			idx, ref[idx]);
	ref[idx] = LIVE;
	lifo_forget(idx);
}

/* A write after free over the link of an object on the LIFO. */
static void overwrite(unsigned int from, unsigned int kind, u32 val)
{
	unsigned int idx = ref_find(from, LOCAL);

	if (idx == span.nelems)
		return;
	*(u32 *)(BASE + idx * ELEMSIZE) = kind == 0 ? val :
					   kind == 1 ? val % span.nelems + 1 :
					   kind == 2 ? 0 : span.nelems + 1;
	overwritten = true;
}

/* mspan_drain_local(): everything on the LIFO becomes a pending free. */
static void drain(void)
{
	unsigned int i;

	mspan_drain_local(&span);
	if (span.localhead)
		fz_fail("drain left localhead %u", span.localhead);
	for (i = 0; i < span.nelems; i++)
		if (ref[i] == LOCAL)
			ref[i] = PENDING;
	nlifo = 0;
	overwritten = false;
}

/* As refill: the LIFO drained, then the pending frees merged. */
static void sweep(void)
{
	unsigned int i, pending, merged;

	drain();
	pending = count(PENDING);

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
	nlifo = 0;
	overwritten = false;
	reports = 0;
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

		switch (op % 14) {
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
		case 8:
			sweep();
			check_all("sweep");
			break;
		case 9:
		case 10:
			local_free(fz_u16(&in) % ne);
			check_all("free onto the LIFO");
			break;
		case 11:
		case 12:
			local_alloc();
			check_all("allocation from the LIFO");
			break;
		default:
			if (op & 16) {
				drain();
				check_all("drain");
			} else {
				overwrite(fz_u16(&in) % ne, (op >> 5) & 3,
					  (u32)fz_u64(&in));
				check_all("overwrite");
			}
		}
	}
	return 0;
}
