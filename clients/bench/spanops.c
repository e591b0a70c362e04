// SPDX-License-Identifier: GPL-2.0
/*
 * spanops: what one span operation of goslab's page heap costs with 1, 64
 * and 1,024 arenas' worth of objects live (issue 17 item 4: it must not
 * grow with the heap).
 *
 * For each level, the arenas are held by objects of GOSLAB_MAX_SIZE, one
 * whole 4 MiB arena each, so no held arena has a free page.  Then, with
 * them live:
 *
 *   spanops-N SIZE  alloc+free pairs of a large size: 72 KiB (9 pages,
 *                   no alignment) and 128 KiB (16 pages, carved at a
 *                   multiple of 128 KiB).  Both are over the 8 pages a
 *                   CPU parks, so each pair is one span carved from the
 *                   heap and given back to it;
 *   spancyc-N SIZE  batches of SPANOPS_BATCH objects of a mid class whose
 *                   span holds one object (24 KiB: 3 pages; 32 KiB: 4
 *                   pages, aligned), all allocated, then all freed: nearly
 *                   every object is a span from the heap and back (mid
 *                   classes keep no empty span), through the central list.
 *
 * The pages those spans use must be the heap's own, retained free pages,
 * not the buddy allocator's: a large free past the scavenger's target
 * goes straight back to it.  So retain_pages is raised to
 * SPANOPS_RETAIN_PAGES for the run (restored after), and goslab's "grows"
 * and "releases" counters are read before and after each timed set and
 * noted under the table: both stay put when every timed operation was a
 * span operation.
 *
 * SLUB runs the same loops with the same amount held (kmalloc of 4 MiB
 * objects, then of the same sizes), for scale: its large kmallocs are the
 * page allocator's.  4 GiB cannot be held twice in the guest, so each
 * level holds its arenas for goslab, then for SLUB; the ratio is the
 * median of each rep's goslab over the same rep's SLUB.  Timing is
 * micro.c's: whole loops, migration disabled, a warm-up, medians of reps.
 * The levels run up (1, 64, 1,024), then down again, and each figure is
 * the median over both passes: a host whose speed drifts during the run
 * (TCG on a shared machine) then tilts no level against another.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "bench.h"

#define SPANOPS_MAX_HELD	1024
#define SPANOPS_BATCH		256
/* Retained free pages during the run: 32 MiB, four batches of 32 KiB. */
#define SPANOPS_RETAIN_PAGES	4096

#define SPANOPS_LEVELS	3
static const unsigned int spanops_levels[SPANOPS_LEVELS] = { 1, 64, 1024 };
static const unsigned int spanops_pair_sizes[] = { 73728, 131072 };
static const unsigned int spanops_cyc_sizes[] = { 24576, 32768 };

/* A plain number: the arrays below are sized by it in parameter lists. */
#define SPANOPS_TESTS	4
static_assert(ARRAY_SIZE(spanops_pair_sizes) +
	      ARRAY_SIZE(spanops_cyc_sizes) == SPANOPS_TESTS);

static_assert(SPANOPS_MAX_HELD == 1024);

static void *held[SPANOPS_MAX_HELD];
static void *cyc[SPANOPS_BATCH];

static void unhold(bool g, unsigned int n)
{
	while (n--)
		bench_free(g, held[n]);
}

/* @n whole-arena objects live; on failure none. */
static int hold(bool g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		held[i] = bench_alloc(g, GOSLAB_MAX_SIZE, GFP_KERNEL | __GFP_NOWARN);
		if (!held[i]) {
			unhold(g, i);
			return -ENOMEM;
		}
		cond_resched();
	}
	return 0;
}

/* @rounds batches of SPANOPS_BATCH objects of @size, LIFO. */
static __always_inline int cyc_loop(bool g, size_t size, unsigned int rounds,
				    u64 *ns)
{
	unsigned int r, i;
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < SPANOPS_BATCH; i++) {
			char *p = bench_alloc(g, size, GFP_KERNEL);

			if (unlikely(!p)) {
				while (i--)
					bench_free(g, cyc[i]);
				migrate_enable();
				return -ENOMEM;
			}
			WRITE_ONCE(*p, 1);
			cyc[i] = p;
		}
		for (i = SPANOPS_BATCH; i--;)
			bench_free(g, cyc[i]);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

static noinline int cyc_g(size_t size, unsigned int rounds, u64 *ns)
{
	return cyc_loop(true, size, rounds, ns);
}

static noinline int cyc_s(size_t size, unsigned int rounds, u64 *ns)
{
	return cyc_loop(false, size, rounds, ns);
}

struct spanops_params {
	unsigned int iters;	/* pairs per rep */
	unsigned int rounds;	/* batches per rep */
	unsigned int reps;
};

/* Test @t (pairs first, then batches): its size and one run, ns per op. */
static unsigned int test_size(unsigned int t)
{
	return t < ARRAY_SIZE(spanops_pair_sizes) ? spanops_pair_sizes[t] :
	       spanops_cyc_sizes[t - ARRAY_SIZE(spanops_pair_sizes)];
}

static int run_test(bool g, unsigned int t, const struct spanops_params *pp,
		    u64 *dns)
{
	unsigned int size = test_size(t);
	u64 ns, n;
	int err;

	if (t < ARRAY_SIZE(spanops_pair_sizes)) {
		n = pp->iters;
		err = g ? bench_pair_g(size, pp->iters, &ns) :
			  bench_pair_s(size, pp->iters, &ns);
	} else {
		n = (u64)pp->rounds * SPANOPS_BATCH;
		err = g ? cyc_g(size, pp->rounds, &ns) :
			  cyc_s(size, pp->rounds, &ns);
	}
	*dns = ns * 10 / n;	/* tenths of ns, as micro.c's table */
	return err;
}

/* goslab's grows and releases, or -1 where its debugfs cannot be read. */
static void heap_counts(long *grows, long *releases)
{
	if (bench_goslab_read("stats", "grows", grows))
		*grows = -1;
	if (bench_goslab_read("stats", "releases", releases))
		*releases = -1;
}

/*
 * Hold @level arenas with @g's allocator and time every test, into
 * @v[test][@off + rep], @pp->reps of them.  goslab's heap counters over
 * the timed runs are noted.
 */
static int run_level(bool g, unsigned int level,
		     const struct spanops_params *pp,
		     u64 v[SPANOPS_TESTS][BENCH_MAX_REPS], unsigned int off)
{
	long g0, r0, g1, r1, arenas = -1;
	unsigned int t, r;
	u64 dns;
	int err;

	if (g) {
		/* Start from a heap with nothing retained, then keep pages. */
		bench_goslab_write("retain_pages", 0);
		bench_goslab_poke("release");
		bench_goslab_write("retain_pages", SPANOPS_RETAIN_PAGES);
	}
	err = hold(g, level);
	if (err) {
		bench_note("spanops: could not hold %u arenas (%s)", level,
			   g ? "goslab" : "slub");
		return err;
	}
	for (t = 0; !err && t < SPANOPS_TESTS; t++) {
		err = run_test(g, t, pp, &dns);	/* warm-up */
		if (g) {
			heap_counts(&g0, &r0);
			bench_goslab_read("stats", "arenas", &arenas);
		}
		for (r = 0; !err && r < pp->reps; r++) {
			err = run_test(g, t, pp, &v[t][off + r]);
			cond_resched();
		}
		if (g && !err) {
			heap_counts(&g1, &r1);
			bench_note("spanops %u held, %u B: arenas %ld grows +%ld releases +%ld",
				   level, test_size(t), arenas, g1 - g0,
				   r1 - r0);
		}
	}
	unhold(g, level);
	return err;
}

/* Per level, test and run: two passes of reps runs each. */
static u64 gv[SPANOPS_LEVELS][SPANOPS_TESTS][BENCH_MAX_REPS];
static u64 sv[SPANOPS_LEVELS][SPANOPS_TESTS][BENCH_MAX_REPS];

/* The rows of level @l, from both passes' runs. */
static void add_rows(unsigned int l, unsigned int n)
{
	u64 rv[BENCH_MAX_REPS];
	unsigned int t, r;
	char name[16];

	for (t = 0; t < SPANOPS_TESTS; t++) {
		for (r = 0; r < n; r++)
			rv[r] = bench_ratio(gv[l][t][r], sv[l][t][r]);
		snprintf(name, sizeof(name), "%s-%u",
			 t < ARRAY_SIZE(spanops_pair_sizes) ? "spanops" : "spancyc",
			 spanops_levels[l]);
		bench_add_result(name, test_size(t), bench_median(gv[l][t], n),
				 bench_median(sv[l][t], n), bench_median(rv, n));
	}
}

/**
 * bench_spanops - the "spanops" command: [iters=N] [reps=N] [max=ARENAS]
 * @args: the words after the verb
 *
 * Levels above max= (default 1,024) are left out, for guests that cannot
 * hold 4 GiB; reps= is per pass, at most half of BENCH_MAX_REPS.  Called
 * with bench_lock held, from a process (goslab's debugfs is read through
 * its address space).
 * Return: 0 or an error; the rows go to the table.
 */
int bench_spanops(char *args)
{
	struct spanops_params pp = { .iters = 4000, .rounds = 8, .reps = 7 };
	unsigned int max = SPANOPS_MAX_HELD, nl = 0, pass, i, l, v;
	long retain = -1;
	char *tok;
	int err = 0;

	while ((tok = strsep(&args, " \t"))) {
		if (!*tok)
			continue;
		if (!strncmp(tok, "iters=", 6) && !kstrtouint(tok + 6, 0, &v) && v) {
			pp.iters = v;
			pp.rounds = max(v / SPANOPS_BATCH, 1U);
		} else if (!strncmp(tok, "reps=", 5) && !kstrtouint(tok + 5, 0, &v) &&
			   v && v <= BENCH_MAX_REPS / 2) {
			pp.reps = v;
		} else if (!strncmp(tok, "max=", 4) && !kstrtouint(tok + 4, 0, &v)) {
			max = v;
		} else {
			return -EINVAL;
		}
	}
	err = bench_scratch_map();
	if (err)
		return err;
	bench_goslab_read("retain_pages", NULL, &retain);
	while (nl < SPANOPS_LEVELS && spanops_levels[nl] <= max)
		nl++;
	/* Up, then down: 1, 64, 1024, 1024, 64, 1. */
	for (pass = 0; !err && pass < 2; pass++) {
		for (i = 0; !err && i < nl; i++) {
			l = pass ? nl - 1 - i : i;
			err = run_level(true, spanops_levels[l], &pp, gv[l],
					pass * pp.reps) ?:
			      run_level(false, spanops_levels[l], &pp, sv[l],
					pass * pp.reps);
		}
	}
	for (l = 0; !err && l < nl; l++)
		add_rows(l, 2 * pp.reps);
	if (retain >= 0)
		bench_goslab_write("retain_pages", retain);
	bench_scratch_unmap();
	return err;
}
