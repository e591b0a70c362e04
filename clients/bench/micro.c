// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks of goslab_bench and the command that runs them:
 * alloc+free pairs of every size class and of large sizes, on one CPU
 * and on two at once (ppair.c), batches of BATCH_N freed LIFO or in a
 * random order, the alloc and free halves of a LIFO batch timed apart
 * (phase), bulk calls, and cross-CPU frees (xcpu.c); their results fill
 * the table that reading "bench" prints.
 *
 * Timing: ktime_get_ns() around whole loops with migration disabled
 * (the allocations are GFP_KERNEL, so preemption stays on); every test
 * is warmed up with both allocators first, then run reps (7) times,
 * goslab and SLUB back to back, which one first alternating; medians are
 * reported, the ratio as the median of each rep's own ratio.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/seq_file.h>

#include "bench.h"

#define BATCH_N			1024
#define MAX_RESULTS		192

static unsigned int bulk_nr = 128;
module_param(bulk_nr, uint, 0644);
MODULE_PARM_DESC(bulk_nr, "objects per bulk call (at most 1024)");

/*
 * Every one of Go's size classes (goslab's sizeclasses.c, which a client
 * cannot read: the table is goslab's own), then large sizes: one span of
 * whole pages each, as SLUB's kmalloc sends them to the page allocator.
 */
static const unsigned int pair_sizes[] = {
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208,
	224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704,
	768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072,
	3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
	9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480,
	21760, 24576, 27264, 28672, 32768,
	40960, 65536, 262144, 1048576
};

static const unsigned int batch_sizes[] = { 16, 64, 256, 1024 };
static const unsigned int bulk_sizes[] = { 16, 64, 256 };
static const unsigned int xcpu_sizes[] = { 64, 256, 1024 };

struct bench_result {
	char test[16];
	unsigned int size;
	u64 g_dns, s_dns;	/* tenths of ns per object */
	u64 ratio_m;		/* goslab/SLUB, thousandths */
};

/* Serialises the table and the command that refills it. */
DEFINE_MUTEX(bench_lock);
static struct bench_result results[MAX_RESULTS];
static unsigned int nresults;
static char bench_err[128];
/* Lines a command adds under the table ("# ..."): what it checked. */
static char bench_notes[4096];
static size_t bench_notes_len;

void bench_add_result(const char *test, unsigned int size, u64 g, u64 s,
		      u64 ratio_m)
{
	struct bench_result *r;

	if (nresults >= MAX_RESULTS)
		return;
	r = &results[nresults++];
	strscpy(r->test, test, sizeof(r->test));
	r->size = size;
	r->g_dns = g;
	r->s_dns = s;
	r->ratio_m = ratio_m;
}

/* A line of @fmt under the table, after "# "; bench_lock held. */
void bench_note(const char *fmt, ...)
{
	size_t room = sizeof(bench_notes) - bench_notes_len;
	va_list ap;

	if (room < 3)
		return;
	bench_notes_len += scnprintf(bench_notes + bench_notes_len, room, "# ");
	va_start(ap, fmt);
	bench_notes_len += vscnprintf(bench_notes + bench_notes_len,
				      sizeof(bench_notes) - bench_notes_len,
				      fmt, ap);
	va_end(ap);
	bench_notes_len += scnprintf(bench_notes + bench_notes_len,
				     sizeof(bench_notes) - bench_notes_len, "\n");
}

/* An empty table, no notes, no error: a command starts with it. */
static void bench_clear(void)
{
	nresults = 0;
	bench_notes_len = 0;
	bench_notes[0] = 0;
	bench_err[0] = 0;
}

/* ------------------------------------------------------------------ */
/* alloc+free pairs                                                    */

static __always_inline int pair_loop(bool g, size_t size, unsigned int iters,
				     u64 *ns)
{
	unsigned int i;
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		char *p = bench_alloc(g, size, GFP_KERNEL);

		if (unlikely(!p)) {
			migrate_enable();
			return -ENOMEM;
		}
		WRITE_ONCE(*p, 1);
		bench_free(g, p);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

noinline int bench_pair_g(size_t size, unsigned int iters, u64 *ns)
{
	return pair_loop(true, size, iters, ns);
}

noinline int bench_pair_s(size_t size, unsigned int iters, u64 *ns)
{
	return pair_loop(false, size, iters, ns);
}

/* ------------------------------------------------------------------ */
/* batches of BATCH_N, freed LIFO or in a random order                 */

static void *batch_objs[BATCH_N];
static u16 batch_perm[BATCH_N];

/* Allocate the batch; on failure free what was allocated. */
static __always_inline int batch_fill(bool g, size_t size)
{
	unsigned int i;

	for (i = 0; i < BATCH_N; i++) {
		char *p = bench_alloc(g, size, GFP_KERNEL);

		if (unlikely(!p)) {
			while (i--)
				bench_free(g, batch_objs[i]);
			return -ENOMEM;
		}
		WRITE_ONCE(*p, 1);
		batch_objs[i] = p;
	}
	return 0;
}

static __always_inline int batch_loop(bool g, size_t size, unsigned int rounds,
				      bool random, u64 *ns)
{
	unsigned int r, i;
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		if (unlikely(batch_fill(g, size))) {
			migrate_enable();
			return -ENOMEM;
		}
		if (random) {
			for (i = 0; i < BATCH_N; i++)
				bench_free(g, batch_objs[batch_perm[i]]);
		} else {
			for (i = BATCH_N; i--;)
				bench_free(g, batch_objs[i]);
		}
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

static noinline int batch_g(size_t size, unsigned int rounds, bool random, u64 *ns)
{
	return batch_loop(true, size, rounds, random, ns);
}

static noinline int batch_s(size_t size, unsigned int rounds, bool random, u64 *ns)
{
	return batch_loop(false, size, rounds, random, ns);
}

/* A LIFO batch with its alloc and free halves timed apart. */
static __always_inline int phase_loop(bool g, size_t size, unsigned int rounds,
				      u64 *ns_alloc, u64 *ns_free)
{
	unsigned int r, i;
	u64 t0, t1, t2, ta = 0, tf = 0;

	migrate_disable();
	for (r = 0; r < rounds; r++) {
		t0 = ktime_get_ns();
		if (unlikely(batch_fill(g, size))) {
			migrate_enable();
			return -ENOMEM;
		}
		t1 = ktime_get_ns();
		for (i = BATCH_N; i--;)
			bench_free(g, batch_objs[i]);
		t2 = ktime_get_ns();
		ta += t1 - t0;
		tf += t2 - t1;
	}
	migrate_enable();
	*ns_alloc = ta;
	*ns_free = tf;
	return 0;
}

static noinline int phase_g(size_t size, unsigned int rounds, u64 *a, u64 *f)
{
	return phase_loop(true, size, rounds, a, f);
}

static noinline int phase_s(size_t size, unsigned int rounds, u64 *a, u64 *f)
{
	return phase_loop(false, size, rounds, a, f);
}

/* xorshift32: the same free order on every run, no entropy drawn. */
static u32 xs_state = 2463534242U;

static u32 xs_next(void)
{
	u32 x = xs_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return xs_state = x;
}

static void batch_shuffle(void)
{
	unsigned int i;

	for (i = 0; i < BATCH_N; i++)
		batch_perm[i] = i;
	for (i = BATCH_N - 1; i > 0; i--) {
		unsigned int j = xs_next() % (i + 1);
		u16 t = batch_perm[i];

		batch_perm[i] = batch_perm[j];
		batch_perm[j] = t;
	}
}

/* ------------------------------------------------------------------ */
/* bulk: goslab_alloc_bulk/free_bulk vs kmem_cache_alloc_bulk/free_bulk */

/* SLUB's bulk calls need a cache: @kc, of @size objects, when !@g. */
static __always_inline int bulk_loop(bool g, size_t size, struct kmem_cache *kc,
				     unsigned int rounds, u64 *ns)
{
	unsigned int r, nr = min_t(unsigned int, bulk_nr, BATCH_N);
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		size_t got = g ?
			goslab_alloc_bulk(size, GFP_KERNEL, nr, batch_objs) :
			kmem_cache_alloc_bulk(kc, GFP_KERNEL, nr, batch_objs);

		if (unlikely(got != nr)) {
			migrate_enable();
			return -ENOMEM;
		}
		if (g)
			goslab_free_bulk(nr, batch_objs);
		else
			kmem_cache_free_bulk(kc, nr, batch_objs);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

static noinline int bulk_g(size_t size, unsigned int rounds, u64 *ns)
{
	return bulk_loop(true, size, NULL, rounds, ns);
}

static noinline int bulk_s(struct kmem_cache *kc, unsigned int rounds, u64 *ns)
{
	return bulk_loop(false, 0, kc, rounds, ns);
}

/* ------------------------------------------------------------------ */
/* driver: warm up, reps alternating, median                           */

enum kind { K_PAIR, K_PPAIR, K_BATCH_LIFO, K_BATCH_RAND, K_BULK, K_XCPU,
	     K_ALLOC, K_FREE };
static const char *const kind_name[] = {
	"pair", "pair2", "batch-lifo", "batch-rand", "bulk", "xcpu", "alloc",
	"free"
};

struct params {
	unsigned int iters;	/* pair: pairs per rep */
	unsigned int rounds;	/* batch: batches per rep */
	unsigned int bulk_rounds;
	unsigned int xcpu_n;	/* objects per CPU */
	unsigned int reps;
};

/*
 * Pairs per rep of @size: fewer for bigger objects, whose pairs cost more
 * (the page allocator's, and zeroing under init_on_alloc), so that a
 * size's rows take about as long as a small one's.
 */
static unsigned int pair_iters(const struct params *pp, unsigned int size)
{
	if (size <= 4096)
		return pp->iters;
	return max_t(unsigned int, pp->iters / (size / 4096), 100);
}

/* One measurement: ns for @objs objects. */
static int run_one(enum kind k, bool g, unsigned int size,
		   const struct params *pp, struct kmem_cache *kc, u64 *ns,
		   u64 *objs)
{
	unsigned int n;

	switch (k) {
	case K_PAIR:
		n = pair_iters(pp, size);
		*objs = n;
		return g ? bench_pair_g(size, n, ns) : bench_pair_s(size, n, ns);
	case K_PPAIR:
		/* Per CPU: each of the two ran @n pairs at the same time. */
		n = pair_iters(pp, size);
		*objs = n;
		return bench_ppair_run(g, size, n, ns);
	case K_BATCH_LIFO:
	case K_BATCH_RAND:
		*objs = (u64)pp->rounds * BATCH_N;
		return g ? batch_g(size, pp->rounds, k == K_BATCH_RAND, ns) :
			   batch_s(size, pp->rounds, k == K_BATCH_RAND, ns);
	case K_BULK:
		*objs = (u64)pp->bulk_rounds * min(bulk_nr, (unsigned int)BATCH_N);
		return g ? bulk_g(size, pp->bulk_rounds, ns) :
			   bulk_s(kc, pp->bulk_rounds, ns);
	case K_XCPU:
		*objs = 2ULL * pp->xcpu_n;
		return bench_xcpu_run(g, size, pp->xcpu_n, ns);
	case K_ALLOC:
	case K_FREE: {
		u64 a = 0, f = 0;
		int err;

		*objs = (u64)pp->rounds * BATCH_N;
		err = g ? phase_g(size, pp->rounds, &a, &f) :
			  phase_s(size, pp->rounds, &a, &f);
		*ns = k == K_ALLOC ? a : f;
		return err;
	}
	}
	return -EINVAL;
}

static int measure(enum kind k, unsigned int size, const struct params *pp)
{
	u64 gv[BENCH_MAX_REPS], sv[BENCH_MAX_REPS], rv[BENCH_MAX_REPS], ns, objs;
	struct kmem_cache *kc = NULL;
	unsigned int r;
	int err = 0;

	if ((k == K_XCPU || k == K_PPAIR) && num_online_cpus() < 2)
		return 0;	/* no row: one CPU (UML) */
	if (k == K_BULK) {
		char name[32];

		snprintf(name, sizeof(name), "goslab_bench_%u", size);
		kc = kmem_cache_create(name, size, 0, 0, NULL);
		if (!kc)
			return -ENOMEM;
	}
	if (k == K_BATCH_RAND)
		batch_shuffle();
	/* Warm up both. */
	err = run_one(k, true, size, pp, kc, &ns, &objs) ?:
	      run_one(k, false, size, pp, kc, &ns, &objs);
	for (r = 0; !err && r < pp->reps; r++) {
		bool gfirst = !(r & 1);

		err = run_one(k, gfirst, size, pp, kc, &ns, &objs);
		if (err)
			break;
		(gfirst ? gv : sv)[r] = ns * 10 / objs;
		err = run_one(k, !gfirst, size, pp, kc, &ns, &objs);
		if (err)
			break;
		(gfirst ? sv : gv)[r] = ns * 10 / objs;
		/*
		 * The two runs of one rep are back to back, so they share
		 * whatever else the machine (or the emulator's host) was
		 * doing: their ratio is steadier than a ratio of medians.
		 */
		rv[r] = bench_ratio(gv[r], sv[r]);
		cond_resched();
	}
	kmem_cache_destroy(kc);
	if (err) {
		snprintf(bench_err, sizeof(bench_err), "%s %u: error %d",
			 kind_name[k], size, err);
		return err;
	}
	bench_add_result(kind_name[k], size, bench_median(gv, pp->reps),
			 bench_median(sv, pp->reps), bench_median(rv, pp->reps));
	return 0;
}

/* ------------------------------------------------------------------ */
/* the command                                                         */

/* Diagnostic: the alloc and free halves of LIFO batches, @size or all. */
static int bench_phase(unsigned int size, const struct params *pp)
{
	unsigned int i;
	int err = 0;

	bench_clear();
	for (i = 0; !err && i < ARRAY_SIZE(pair_sizes); i++) {
		if (size && size != pair_sizes[i])
			continue;
		err = measure(K_ALLOC, pair_sizes[i], pp) ?:
		      measure(K_FREE, pair_sizes[i], pp);
	}
	return err;
}

/*
 * Run @cmd (see debugfs.c for the syntax), its rows replacing the table.
 * Called with bench_lock held.
 */
int bench_command(char *cmd)
{
	struct params pp = { .iters = 100000, .rounds = 50, .bulk_rounds = 400,
			     .xcpu_n = 100000, .reps = 7 };
	bool do_pair = false, do_ppair = false, do_batch = false;
	bool do_bulk = false, do_xcpu = false;
	unsigned int size = 0, i;
	char *tok, *verb;
	int err = 0;

	cmd = strim(cmd);
	verb = strsep(&cmd, " \t");
	if (!verb || !*verb)
		return -EINVAL;
	if (!strcmp(verb, "all")) {
		do_pair = true;
		do_ppair = true;
		do_batch = true;
		do_bulk = true;
		do_xcpu = true;
	} else if (!strcmp(verb, "smoke")) {
		do_pair = true;
		do_ppair = true;
		do_batch = true;
		do_bulk = true;
		do_xcpu = true;
		pp = (struct params){ .iters = 2000, .rounds = 2,
				      .bulk_rounds = 16, .xcpu_n = 2000,
				      .reps = 3 };
	} else if (!strcmp(verb, "replay")) {
		mutex_lock(&bench_replay_lock);
		err = bench_replay_run(false);
		mutex_unlock(&bench_replay_lock);
		return err;
	} else if (!strcmp(verb, "spanops")) {
		bench_clear();
		err = bench_spanops(cmd);
		if (err && !bench_err[0])
			snprintf(bench_err, sizeof(bench_err), "spanops: error %d",
				 err);
		return err;
	} else if (!strcmp(verb, "phase")) {
		unsigned int v = 0;

		tok = strsep(&cmd, " \t");
		if (tok && kstrtouint(tok, 0, &v))
			return -EINVAL;
		return bench_phase(v, &pp);
	} else if (!strcmp(verb, "pair")) {
		do_pair = true;
	} else if (!strcmp(verb, "pair2")) {
		do_ppair = true;
	} else if (!strcmp(verb, "pairs")) {
		do_pair = true;
		do_ppair = true;
	} else if (!strcmp(verb, "batch")) {
		do_batch = true;
	} else if (!strcmp(verb, "bulk")) {
		do_bulk = true;
	} else if (!strcmp(verb, "xcpu")) {
		do_xcpu = true;
	} else {
		return -EINVAL;
	}
	while ((tok = strsep(&cmd, " \t"))) {
		unsigned int v;

		if (!*tok)
			continue;
		if (!strncmp(tok, "iters=", 6) && !kstrtouint(tok + 6, 0, &v) && v) {
			pp.iters = v;
			pp.xcpu_n = v;
			pp.rounds = max(v / BATCH_N, 1U);
			pp.bulk_rounds = max(v / 128, 1U);
		} else if (!strncmp(tok, "reps=", 5) && !kstrtouint(tok + 5, 0, &v) &&
			   v && v <= BENCH_MAX_REPS) {
			pp.reps = v;
		} else if (!kstrtouint(tok, 0, &v) && v && v <= GOSLAB_MAX_SIZE) {
			size = v;
		} else {
			return -EINVAL;
		}
	}

	bench_clear();
	for (i = 0; do_pair && !err && i < ARRAY_SIZE(pair_sizes); i++) {
		err = measure(K_PAIR, size ?: pair_sizes[i], &pp);
		if (size)
			break;
	}
	for (i = 0; do_ppair && !err && i < ARRAY_SIZE(pair_sizes); i++) {
		err = measure(K_PPAIR, size ?: pair_sizes[i], &pp);
		if (size)
			break;
	}
	for (i = 0; do_batch && !err && i < ARRAY_SIZE(batch_sizes); i++) {
		unsigned int s = size ?: batch_sizes[i];

		err = measure(K_BATCH_LIFO, s, &pp) ?: measure(K_BATCH_RAND, s, &pp);
		if (size)
			break;
	}
	for (i = 0; do_bulk && !err && i < ARRAY_SIZE(bulk_sizes); i++) {
		err = measure(K_BULK, size ?: bulk_sizes[i], &pp);
		if (size)
			break;
	}
	for (i = 0; do_xcpu && !err && i < ARRAY_SIZE(xcpu_sizes); i++) {
		err = measure(K_XCPU, size ?: xcpu_sizes[i], &pp);
		if (size)
			break;
	}
	return err;
}

/* The table: "test size goslab_ns slub_ns ratio", then a row a result. */
int bench_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&bench_lock);
	seq_puts(m, "test size goslab_ns slub_ns ratio\n");
	for (i = 0; i < nresults; i++) {
		const struct bench_result *r = &results[i];

		seq_printf(m, "%s %u %llu.%llu %llu.%llu %llu.%03llu\n", r->test,
			   r->size, r->g_dns / 10, r->g_dns % 10, r->s_dns / 10,
			   r->s_dns % 10, r->ratio_m / 1000, r->ratio_m % 1000);
	}
	seq_puts(m, bench_notes);
	if (bench_err[0])
		seq_printf(m, "# error: %s\n", bench_err);
	mutex_unlock(&bench_lock);
	return 0;
}
