// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for goslab/mbitmap.c and next_free_fast() in
 * goslab/mspan.h (Go's next_free_fast, next_free_index, refill_alloc_cache,
 * isFree, and goslab's sweep of explicit frees), compiled in userspace
 * through the fuzz/shim/ stand-ins for the kernel headers.
 *
 * The input builds a span (nelems 1..1024, alloc_bits, a free_index with
 * alloc_cache in Go's state for it, cached or not) and then a list of
 * operations: allocate the way mcache does (next_free_fast, next_free_index
 * when it declines), next_free_index alone, allocate until full, a bulk
 * allocation (next_free_batch), free a live object the way goslab_free()
 * does (its free_bits bit and pending count), sweep; and the owner's LIFO:
 * free onto it, allocate from it (mspan_alloc_local()), overwrite the
 * link in an object on it as a write after free would, drain it.
 *
 * The reference model knows, per object, only what Go's allocator means:
 * available, live (allocated, not freed), or freed but not yet swept (not
 * available until mspan_sweep()).  Allocation is first fit from the
 * reference's own free_index, so every index handed out must be the lowest
 * available object: never one handed out twice, never past nelems, and
 * nelems exactly when nothing is available.  next_free_fast must return
 * that same object, or decline exactly where Go's next_free_fast declines
 * (no free object in the cached 64-object word, or taking it would leave
 * free_index on a 64-object boundary that is not the end).  After every
 * operation free_index, Go's alloc_cache invariant, alloc_count,
 * mspan_count_alloc(), mspan_is_free() and free_bits for every object, and
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
#include "../goslab/mspan.h"

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
void report_bad(const void *p, enum report_reason why, unsigned long caller)
{
	if (why != REPORT_LIFO_NOT_FREE && why != REPORT_LINK_OVERWRITTEN)
		fz_fail("report of reason %d from the LIFO: %p", why, p);
	if (!overwritten)
		fz_fail("report with no link overwritten: %p: %d", p, why);
	reports++;
}

static struct mspan span;
/* The span's four bitmaps, full size (mspan_layout_bits()). */
static unsigned long span_bits[4 * GS_ALLOCBITS_WORDS];
static enum obj ref[MAXOBJS];
static unsigned int ref_fi;		/* Go's free_index, tracked by the model */
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
		fz_fail("model: object %u available below free_index %u", i,
			ref_fi);
	return i;
}

/*
 * Go's next_free_fast declines unless the first free object r is in the
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
	unsigned int i, ne = span.nelems, f = span.free_index;
	unsigned int live = count(LIVE) + count(LOCAL), pending = count(PENDING);
	long fs = atomic_long_read(&span.freestate);

	if (f != ref_fi)
		fz_fail("after %s: free_index %u, model %u", after, f, ref_fi);
	if (f > ne)
		fz_fail("after %s: free_index %u > nelems %u", after, f, ne);
	/* Go's invariant: alloc_cache is alloc_bits from free_index, inverted. */
	if (f < ne && span.alloc_cache != ~(u64)span.alloc_bits[f / 64] >> (f % 64))
		fz_fail("after %s: alloc_cache %#llx, alloc_bits word %u is %#lx, free_index %u",
			after, (unsigned long long)span.alloc_cache, f / 64,
			span.alloc_bits[f / 64], f);
	if (span.alloc_count != live + pending)
		fz_fail("after %s: alloc_count %u, model %u live + %u pending",
			after, span.alloc_count, live, pending);
	if (mspan_count_alloc(&span) != live + pending)
		fz_fail("after %s: mspan_count_alloc %u, model %u", after,
			mspan_count_alloc(&span), live + pending);
	if (fs != ref_cached + (long)pending * MSPAN_FREE_ONE)
		fz_fail("after %s: freestate %ld, model %ld + %u pending", after,
			fs, ref_cached, pending);
	for (i = 0; i < ne; i++) {
		bool is_free = mspan_is_free(&span, i);
		bool freed = test_bit(i, span.free_bits);

		if (is_free != (ref[i] == AVAIL))
			fz_fail("after %s: mspan_is_free(%u) = %d, model %d",
				after, i, is_free, ref[i]);
		if (freed != (ref[i] == PENDING))
			fz_fail("after %s: free_bits %u = %d, model %d", after,
				i, freed, ref[i]);
		if (test_bit(i, span.local_bits) != (ref[i] == LOCAL))
			fz_fail("after %s: local_bits %u = %d, model %d", after,
				i, test_bit(i, span.local_bits), ref[i]);
	}
	for (; i < MAXOBJS; i++)
		if (test_bit(i, span.alloc_bits) || test_bit(i, span.free_bits) ||
		    test_bit(i, span.local_bits))
			fz_fail("after %s: bit %u past nelems %u set", after,
				i, ne);
}

/* mcache's allocation: next_free_fast, else next_free_index.  False if full. */
static bool alloc_mcache(bool fast)
{
	unsigned int r = ref_first_avail(), ne = span.nelems, idx;
	unsigned int count0 = span.alloc_count;
	unsigned long p;

	if (fast) {
		p = next_free_fast(&span);
		if (p) {
			if (go_fast_declines(r))
				fz_fail("next_free_fast gave %#lx, Go declines (first free %u, free_index %u, nelems %u)",
					p, r, ref_fi, ne);
			if (p != BASE + (unsigned long)r * ELEMSIZE)
				fz_fail("next_free_fast gave %#lx, want object %u",
					p, r);
			idx = mspan_obj_index(&span, p);
			if (idx != r)
				fz_fail("mspan_obj_index(%#lx) = %u, want %u",
					p, idx, r);
			if (span.alloc_count != count0 + 1)
				fz_fail("next_free_fast: alloc_count %u, was %u",
					span.alloc_count, count0);
			ref_take(r, "next_free_fast");
			return true;
		}
		if (!go_fast_declines(r))
			fz_fail("next_free_fast declined, Go gives object %u (free_index %u, nelems %u)",
				r, ref_fi, ne);
		if (span.free_index != ref_fi || span.alloc_count != count0)
			fz_fail("next_free_fast declined but changed the span");
	}
	idx = next_free_index(&span);
	if (idx > ne)
		fz_fail("next_free_index %u > nelems %u", idx, ne);
	if (idx != r)
		fz_fail("next_free_index %u, first free object is %u (nelems %u)",
			idx, r, ne);
	if (idx == ne) {
		ref_fi = ne;
		return false;
	}
	ref_take(idx, "next_free_index");
	span.alloc_count++;		/* the caller's job, as in Go */
	return true;
}

/*
 * next_free_batch: up to @n objects, exactly the lowest available ones in
 * order, tagged; fewer only when none is left.  It may leave free_index at
 * the next word when the rest of this one is taken, which Go's state
 * allows: nothing available may lie between.
 */
static void alloc_batch(unsigned int n, unsigned long tag)
{
	static void *objs[MAXOBJS];
	unsigned int count0 = span.alloc_count, got, k, r, i;

	got = next_free_batch(&span, objs, n, tag);
	if (got > n)
		fz_fail("next_free_batch gave %u of %u", got, n);
	for (k = 0; k < got; k++) {
		r = ref_first_avail();
		if ((unsigned long)objs[k] !=
		    ((BASE + (unsigned long)r * ELEMSIZE) | tag))
			fz_fail("next_free_batch object %u is %p, want object %u",
				k, objs[k], r);
		ref_take(r, "next_free_batch");
	}
	if (span.alloc_count != count0 + got)
		fz_fail("next_free_batch: alloc_count %u, was %u, gave %u",
			span.alloc_count, count0, got);
	if (got < n && ref_first_avail() != span.nelems)
		fz_fail("next_free_batch gave %u of %u, object %u available",
			got, n, ref_first_avail());
	if (span.free_index < ref_fi)
		fz_fail("next_free_batch: free_index %u below %u", span.free_index,
			ref_fi);
	for (i = ref_fi; i < span.free_index && i < span.nelems; i++)
		if (ref[i] == AVAIL)
			fz_fail("next_free_batch: free_index %u skips object %u",
				span.free_index, i);
	ref_fi = span.free_index;
}

/* goslab_free() of a live object while cached: free_bits, one pending. */
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
	if (test_and_set_bit(idx, span.free_bits))
		fz_fail("free of live object %u: free_bits already set", idx);
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

/* mspan_alloc_local() with the LIFO in use. */
static void local_alloc(void)
{
	unsigned int r = ref_first_avail(), rep0 = reports, idx, head;
	unsigned long v;
	bool fresh;

	if (!span.localhead)
		return;
	/* As goslab_alloc()'s fast path: a bad link leaves all to the next. */
	head = span.localhead;
	v = mspan_alloc_local(&span, &fresh, true);
	if (!v) {
		if (reports != rep0 || span.localhead != head)
			fz_fail("bailing out on a bad link changed the span or reported");
		v = mspan_alloc_local(&span, &fresh, false);
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
	if (span.alloc_count != count(LIVE))
		fz_fail("mspan_sweep: alloc_count %u, model %u live",
			span.alloc_count, count(LIVE));
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
	span.alloc_bits = span_bits;
	span.free_bits = span_bits + GS_ALLOCBITS_WORDS;
	span.local_bits = span_bits + 2 * GS_ALLOCBITS_WORDS;
	span.claim_bits = span_bits + 3 * GS_ALLOCBITS_WORDS;
	ne = 1 + fz_u16(&in) % MAXOBJS;
	span.nelems = ne;
	span.elemsize = ELEMSIZE;
	span.divmagic = class_to_divmagic[1];
	span.start_addr = BASE;
	span.limit = BASE + ne * ELEMSIZE;
	span.npages = 1;
	span.spanclass = make_spanclass(1, true);
	span.state = MSPAN_INUSE;
	mspan_init_bits(&span);

	/* alloc_bits as a sweep leaves them: nothing set past nelems. */
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
		span.alloc_bits[i] = w;
	}

	/*
	 * free_index f with alloc_cache as Go leaves it after handing out
	 * objects up to f - 1: bit 0 of the cache is object f.
	 */
	f = fz_u16(&in) % (ne + 1);
	span.free_index = f;
	if (f < ne) {
		refill_alloc_cache(&span, (f / 64) * 8);
		span.alloc_cache >>= f % 64;
	} else {
		span.alloc_cache = 0;
	}
	for (i = 0; i < ne; i++)
		ref[i] = (i < f || test_bit(i, span.alloc_bits)) ? LIVE : AVAIL;
	ref_fi = f;
	span.alloc_count = count(LIVE);
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
			check_all("next_free_index");
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
			check_all("next_free_batch");
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
