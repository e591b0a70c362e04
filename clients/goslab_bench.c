// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_bench: goslab against SLUB (kmalloc/kfree) in the same boot.
 *
 * A client of the public API like any other (it includes only <goslab.h>
 * of goslab's headers).  Interface in /sys/kernel/debug/goslab_bench/:
 *
 *   bench   write a command, read the results table:
 *             all [iters=N] [reps=N]     every micro-benchmark
 *             smoke                      a short run of each kind
 *             pair SIZE [iters=N]        alloc+free pairs of one size
 *             batch SIZE | bulk SIZE | xcpu SIZE
 *           read: "test size goslab_ns slub_ns ratio", ns per object
 *           (median of reps), ratio = the median over reps of goslab's
 *           ns over SLUB's in the same rep (below 1: goslab is faster).
 *   replay  write a trace (format of shared/traces/README.md), in as many
 *           write() calls as it takes; on close it is replayed reps times
 *           with goslab and with kmalloc (alternating) and reading the
 *           file gives the medians: bytes requested, memory held at the
 *           end and at the peak, free-page cross-check, ns per operation.
 *   series  memory held after every window of the last replay, per
 *           allocator: "event goslab_held slub_held" (bytes).
 *
 * Built in (UML), goslab_bench.boot_run="all" runs the command at
 * late_initcall and prints the table to the kernel log, and
 * goslab_bench.boot_replay=/traces/kbuild.gtrace,... replays those files
 * (from the initramfs) and prints each replay's table; without a process
 * to read goslab's debugfs through, such a replay measures time only.
 *
 * Timing: ktime_get_ns() around whole loops with migration disabled
 * (the allocations are GFP_KERNEL, so preemption stays on); every test
 * is warmed up with both allocators first, then run reps (7) times,
 * goslab and SLUB back to back, which one first alternating; medians are
 * reported, the ratio as the median of each rep's own ratio.
 *
 * Replay: one kthread per CPU the trace names (mapped onto the online
 * CPUs), bound to it.  The trace is cut into windows of replay_window
 * events; for each window every worker executes, in trace order, the
 * events of its CPU.  A free whose allocation is another worker's waits
 * until that worker has published the pointer (the allocation comes
 * earlier in the trace, so this cannot deadlock: each worker only waits
 * on earlier events).  After a window, the coordinator samples memory:
 * SLUB through NR_SLAB_UNRECLAIMABLE_B (which also counts large kmalloc
 * pages), goslab through its debugfs stats (heap_inuse_bytes, the pages
 * of every span, cached, partial or full, plus metadata_inuse_bytes),
 * both cross-checked by free pages (NR_FREE_PAGES plus the per-CPU page
 * lists).  Each worker times its part of a window as a whole, less its
 * waits for another worker's allocations; the same replay with no
 * allocator, run before each pair of runs, gives the loop's own time,
 * which is subtracted.  The ns ratio is the median of each run's own.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/initrd.h>
#include <linux/kernel_read_file.h>

#include <goslab.h>

static char *boot_run;
module_param(boot_run, charp, 0444);
MODULE_PARM_DESC(boot_run, "command to run at load/boot, table to the log");

static char *boot_replay;
module_param(boot_replay, charp, 0444);
MODULE_PARM_DESC(boot_replay, "traces to replay at load/boot (','-separated paths), tables to the log");

static unsigned int replay_reps = 3;
module_param(replay_reps, uint, 0644);
MODULE_PARM_DESC(replay_reps, "replay runs per allocator (median)");

static unsigned int replay_window = 256;
module_param(replay_window, uint, 0644);
MODULE_PARM_DESC(replay_window, "events between memory samples");

#define BENCH_MAX_REPS		15
#define BATCH_N			1024
#define MAX_RESULTS		64
#define RING_SIZE		512	/* power of two */

static const unsigned int pair_sizes[] = {
	8, 16, 24, 32, 64, 96, 128, 256, 512, 640, 1024, 2048, 4096, 65536
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

static DEFINE_MUTEX(bench_lock);
static DEFINE_MUTEX(replay_lock);
static int replay_run(bool nomem);
static struct bench_result results[MAX_RESULTS];
static unsigned int nresults;
static char bench_err[128];

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median_u64(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	if (!n)
		return 0;
	if (n & 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static u32 xs_state = 2463534242U;

static u32 xs_next(void)
{
	u32 x = xs_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return xs_state = x;
}

static __always_inline void *b_alloc(bool g, size_t size, gfp_t gfp)
{
	return g ? goslab_alloc(size, gfp) : kmalloc(size, gfp);
}

static __always_inline void b_free(bool g, const void *p)
{
	if (g)
		goslab_free(p);
	else
		kfree(p);
}

static void add_result(const char *test, unsigned int size, u64 g, u64 s,
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
		char *p = b_alloc(g, size, GFP_KERNEL);

		if (unlikely(!p)) {
			migrate_enable();
			return -ENOMEM;
		}
		WRITE_ONCE(*p, 1);
		b_free(g, p);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

static noinline int pair_g(size_t size, unsigned int iters, u64 *ns)
{
	return pair_loop(true, size, iters, ns);
}

static noinline int pair_s(size_t size, unsigned int iters, u64 *ns)
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
		char *p = b_alloc(g, size, GFP_KERNEL);

		if (unlikely(!p)) {
			while (i--)
				b_free(g, batch_objs[i]);
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
				b_free(g, batch_objs[batch_perm[i]]);
		} else {
			for (i = BATCH_N; i--;)
				b_free(g, batch_objs[i]);
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
			b_free(g, batch_objs[i]);
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

static unsigned int bulk_nr = 128;
module_param(bulk_nr, uint, 0644);
MODULE_PARM_DESC(bulk_nr, "objects per bulk call (at most 1024)");

static int bulk_g(size_t size, unsigned int rounds, u64 *ns)
{
	unsigned int r, nr = min_t(unsigned int, bulk_nr, BATCH_N);
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		if (unlikely(goslab_alloc_bulk(size, GFP_KERNEL, nr, batch_objs) != nr)) {
			migrate_enable();
			return -ENOMEM;
		}
		goslab_free_bulk(nr, batch_objs);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

static int bulk_s(struct kmem_cache *kc, unsigned int rounds, u64 *ns)
{
	unsigned int r, nr = min_t(unsigned int, bulk_nr, BATCH_N);
	u64 t0, t1;

	migrate_disable();
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		if (unlikely(kmem_cache_alloc_bulk(kc, GFP_KERNEL, nr, batch_objs) != nr)) {
			migrate_enable();
			return -ENOMEM;
		}
		kmem_cache_free_bulk(kc, nr, batch_objs);
	}
	t1 = ktime_get_ns();
	migrate_enable();
	*ns = t1 - t0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* two CPUs, every object freed on the other one                       */

struct ring {
	unsigned int head ____cacheline_aligned_in_smp;	/* producer */
	unsigned int tail ____cacheline_aligned_in_smp;	/* consumer */
	void *slot[RING_SIZE] ____cacheline_aligned_in_smp;
};

struct xc_thread {
	struct ring *out, *in;
	bool g;
	size_t size;
	unsigned int n;
	atomic_t *go;
	u64 ns;
	int err;
	struct completion done;
};

static bool ring_push(struct ring *r, void *p)
{
	unsigned int h = r->head;

	/* Pairs with ring_pop()'s release of tail: the slot is read. */
	if (h - smp_load_acquire(&r->tail) >= RING_SIZE)
		return false;
	r->slot[h & (RING_SIZE - 1)] = p;
	/* Publish the slot; pairs with ring_pop()'s acquire of head. */
	smp_store_release(&r->head, h + 1);
	return true;
}

static void *ring_pop(struct ring *r)
{
	unsigned int t = r->tail;
	void *p;

	/* Pairs with ring_push()'s release of head: the slot is written. */
	if (t == smp_load_acquire(&r->head))
		return NULL;
	p = r->slot[t & (RING_SIZE - 1)];
	/* Hand the slot back; pairs with ring_push()'s acquire of tail. */
	smp_store_release(&r->tail, t + 1);
	return p;
}

static void kthread_park_until_stop(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

static __always_inline void xc_body(struct xc_thread *x, bool g)
{
	unsigned int produced = 0, consumed = 0, idle = 0, k;
	u64 t0, limit;
	void *p;

	while (!atomic_read(x->go))
		cond_resched();
	t0 = ktime_get_ns();
	limit = t0 + 120ULL * NSEC_PER_SEC;
	while (produced < x->n || consumed < x->n) {
		bool progress = false;

		for (k = 0; k < 16 && produced < x->n; k++) {
			p = b_alloc(g, x->size, GFP_KERNEL);
			if (unlikely(!p)) {
				x->err = -ENOMEM;
				goto out;
			}
			WRITE_ONCE(*(char *)p, 1);
			while (!ring_push(x->out, p)) {
				/* Full: free what the other side sent. */
				void *q = ring_pop(x->in);

				if (q) {
					b_free(g, q);
					consumed++;
				} else if (++idle % 4096 == 0) {
					cond_resched();
				} else {
					cpu_relax();
				}
			}
			produced++;
			progress = true;
		}
		while (consumed < x->n && (p = ring_pop(x->in))) {
			b_free(g, p);
			consumed++;
			progress = true;
		}
		if (!progress && ++idle % 4096 == 0) {
			cond_resched();
			if (ktime_get_ns() > limit) {
				x->err = -ETIMEDOUT;
				goto out;
			}
		}
	}
out:
	x->ns = ktime_get_ns() - t0;
}

static int xc_fn(void *arg)
{
	struct xc_thread *x = arg;

	if (x->g)
		xc_body(x, true);
	else
		xc_body(x, false);
	complete(&x->done);
	kthread_park_until_stop();
	return 0;
}

static int xcpu_run(bool g, size_t size, unsigned int n, u64 *ns)
{
	struct ring *r[2];
	struct xc_thread x[2];
	struct task_struct *t[2] = { NULL, NULL };
	int cpu[2], i, err = 0;
	atomic_t go = ATOMIC_INIT(0);
	void *p;

	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	if (cpu[1] >= nr_cpu_ids)
		return -ENODEV;
	r[0] = kzalloc(sizeof(*r[0]), GFP_KERNEL);
	r[1] = kzalloc(sizeof(*r[1]), GFP_KERNEL);
	if (!r[0] || !r[1]) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 2; i++) {
		x[i] = (struct xc_thread){ .out = r[i], .in = r[!i], .g = g,
			.size = size, .n = n, .go = &go };
		init_completion(&x[i].done);
		t[i] = kthread_create(xc_fn, &x[i], "gsbench-x%d", i);
		if (IS_ERR(t[i])) {
			err = PTR_ERR(t[i]);
			t[i] = NULL;
			goto stop;
		}
		kthread_bind(t[i], cpu[i]);
		wake_up_process(t[i]);
	}
	atomic_set(&go, 1);
	for (i = 0; i < 2; i++)
		wait_for_completion(&x[i].done);
	*ns = max(x[0].ns, x[1].ns);
	err = x[0].err ?: x[1].err;
stop:
	if (!t[0] || !t[1] || err)
		atomic_set(&go, 1);
	for (i = 0; i < 2; i++)
		if (t[i])
			kthread_stop(t[i]);
	/* Whatever is left in flight (an error path) is freed here. */
	for (i = 0; i < 2; i++)
		while ((p = ring_pop(r[i])))
			b_free(g, p);
out:
	kfree(r[0]);
	kfree(r[1]);
	return err;
}

/* ------------------------------------------------------------------ */
/* driver: warm up, reps alternating, median                           */

enum kind { K_PAIR, K_BATCH_LIFO, K_BATCH_RAND, K_BULK, K_XCPU,
	     K_ALLOC, K_FREE };
static const char *const kind_name[] = {
	"pair", "batch-lifo", "batch-rand", "bulk", "xcpu", "alloc", "free"
};

struct params {
	unsigned int iters;	/* pair: pairs per rep */
	unsigned int rounds;	/* batch: batches per rep */
	unsigned int bulk_rounds;
	unsigned int xcpu_n;	/* objects per CPU */
	unsigned int reps;
};

/* One measurement: ns for @objs objects. */
static int run_one(enum kind k, bool g, unsigned int size,
		   const struct params *pp, struct kmem_cache *kc, u64 *ns,
		   u64 *objs)
{
	switch (k) {
	case K_PAIR:
		*objs = pp->iters;
		return g ? pair_g(size, pp->iters, ns) : pair_s(size, pp->iters, ns);
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
		return xcpu_run(g, size, pp->xcpu_n, ns);
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

	if (k == K_XCPU && num_online_cpus() < 2)
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
		rv[r] = sv[r] ? div64_u64(gv[r] * 1000, sv[r]) : 0;
		cond_resched();
	}
	kmem_cache_destroy(kc);
	if (err) {
		snprintf(bench_err, sizeof(bench_err), "%s %u: error %d",
			 kind_name[k], size, err);
		return err;
	}
	add_result(kind_name[k], size, median_u64(gv, pp->reps),
		   median_u64(sv, pp->reps), median_u64(rv, pp->reps));
	return 0;
}

static int bench_command(char *cmd)
{
	struct params pp = { .iters = 100000, .rounds = 50, .bulk_rounds = 400,
			     .xcpu_n = 100000, .reps = 7 };
	bool do_pair = false, do_batch = false, do_bulk = false, do_xcpu = false;
	unsigned int size = 0, i;
	char *tok, *verb;
	int err = 0;

	cmd = strim(cmd);
	verb = strsep(&cmd, " \t");
	if (!verb || !*verb)
		return -EINVAL;
	if (!strcmp(verb, "all")) {
		do_pair = true;
		do_batch = true;
		do_bulk = true;
		do_xcpu = true;
	} else if (!strcmp(verb, "smoke")) {
		do_pair = true;
		do_batch = true;
		do_bulk = true;
		do_xcpu = true;
		pp = (struct params){ .iters = 2000, .rounds = 2,
				      .bulk_rounds = 16, .xcpu_n = 2000,
				      .reps = 3 };
	} else if (!strcmp(verb, "replay")) {
		mutex_lock(&replay_lock);
		err = replay_run(false);
		mutex_unlock(&replay_lock);
		return err;
	} else if (!strcmp(verb, "phase")) {
		/* Diagnostic: alloc and free halves of LIFO batches. */
		unsigned int v = 0;

		tok = strsep(&cmd, " \t");
		if (tok && kstrtouint(tok, 0, &v))
			return -EINVAL;
		nresults = 0;
		bench_err[0] = 0;
		for (i = 0; !err && i < ARRAY_SIZE(pair_sizes); i++) {
			if (v && v != pair_sizes[i])
				continue;
			err = measure(K_ALLOC, pair_sizes[i], &pp) ?:
			      measure(K_FREE, pair_sizes[i], &pp);
		}
		return err;
	} else if (!strcmp(verb, "pair")) {
		do_pair = true;
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

	nresults = 0;
	bench_err[0] = 0;
	for (i = 0; do_pair && !err && i < ARRAY_SIZE(pair_sizes); i++) {
		err = measure(K_PAIR, size ?: pair_sizes[i], &pp);
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

/* " g/s" to three decimals; 0.000 when @s is 0. */
static void print_ratio(struct seq_file *m, u64 g, u64 s)
{
	u64 r = s ? div64_u64(g * 1000, s) : 0;

	seq_printf(m, " %llu.%03llu", r / 1000, r % 1000);
}

static int bench_show(struct seq_file *m, void *v)
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
	if (bench_err[0])
		seq_printf(m, "# error: %s\n", bench_err);
	mutex_unlock(&bench_lock);
	return 0;
}

static int bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, bench_show, NULL);
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[128];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	mutex_lock(&bench_lock);
	err = bench_command(buf);
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = bench_write,
	.release = single_release,
};

/* ------------------------------------------------------------------ */
/* memory counters                                                     */

/* A node counter with every CPU's unfolded delta, in pages. */
static long node_stat_exact(enum node_stat_item item)
{
	long v = global_node_page_state_pages(item);
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

#ifdef CONFIG_SMP
		for_each_online_cpu(cpu)
			v += per_cpu_ptr(pgdat->per_cpu_nodestats, cpu)->vm_node_stat_diff[item];
#endif
	}
	return v;
}

/*
 * Free pages: NR_FREE_PAGES with the unfolded deltas plus the pages
 * sitting on the per-CPU page lists (free, but not in NR_FREE_PAGES).
 */
static long bench_free_pages(void)
{
	long v = global_zone_page_state(NR_FREE_PAGES);
	int nid, cpu, z;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			for_each_online_cpu(cpu) {
#ifdef CONFIG_SMP
				struct per_cpu_zonestat *zs;

				zs = per_cpu_ptr(zone->per_cpu_zonestats, cpu);
				v += zs->vm_stat_diff[NR_FREE_PAGES];
#endif
				v += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset, cpu)->count);
			}
		}
	}
	return v;
}

struct gs_mem {
	long inuse, meta, sys;
};

/*
 * goslab's own accounting, from its debugfs (the public view), read from
 * the kernel.  debugfs's proxy file operations have ->read but no
 * ->read_iter, so kernel_read() refuses them: read through ->read into a
 * scratch page mapped in the calling process (a replay runs in the
 * context of the process that asked for it, never in a kthread).
 */
static unsigned long scratch_uaddr;

static int scratch_map(void)
{
	unsigned long a;

	if (!current->mm || (current->flags & (PF_KTHREAD | PF_EXITING)) ||
	    !current->fs)
		return -EPERM;
	a = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(a))
		return (int)a;
	scratch_uaddr = a;
	return 0;
}

static void scratch_unmap(void)
{
	if (scratch_uaddr)
		vm_munmap(scratch_uaddr, PAGE_SIZE);
	scratch_uaddr = 0;
}

/* Read or write one goslab debugfs file through the scratch page. */
static ssize_t goslab_debugfs_rw(const char *name, char *kbuf, size_t len,
				 bool write)
{
	char __user *u = (char __user *)scratch_uaddr;
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	if (!scratch_uaddr)
		return -EPERM;
	len = min_t(size_t, len, PAGE_SIZE);
	snprintf(path, sizeof(path), "/sys/kernel/debug/goslab/%s", name);
	f = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (write) {
		n = -EFAULT;
		if (!copy_to_user(u, kbuf, len))
			n = f->f_op->write ? f->f_op->write(f, u, len, &pos) :
			    kernel_write(f, kbuf, len, &pos);
	} else {
		n = f->f_op->read ? f->f_op->read(f, u, len, &pos) :
		    kernel_read(f, kbuf, len, &pos);
		if (n > 0 && f->f_op->read && copy_from_user(kbuf, u, n))
			n = -EFAULT;
	}
	filp_close(f, NULL);
	return n;
}

static int goslab_stats(struct gs_mem *m)
{
	char *buf, *line, *cur;
	ssize_t n;
	int found = 0;

	buf = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = goslab_debugfs_rw("stats", buf, PAGE_SIZE, false);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	buf[n] = 0;
	cur = buf;
	while ((line = strsep(&cur, "\n"))) {
		char *key = strsep(&line, " ");
		long v;

		if (!line || kstrtol(strim(line), 10, &v))
			continue;
		if (!strcmp(key, "heap_inuse_bytes"))
			m->inuse = v, found++;
		else if (!strcmp(key, "metadata_inuse_bytes"))
			m->meta = v, found++;
		else if (!strcmp(key, "heap_sys_bytes"))
			m->sys = v, found++;
	}
	kfree(buf);
	return found == 3 ? 0 : -EPROTO;
}

static void goslab_debugfs_poke(const char *file)
{
	char one[] = "1\n";

	goslab_debugfs_rw(file, one, 2, true);
}

/* Empty slabs of the kmalloc caches back to the page allocator. */
static void slub_shrink_kmalloc(void)
{
	int t, i;

	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (kmalloc_caches[t][i])
				kmem_cache_shrink(kmalloc_caches[t][i]);
}

/* ------------------------------------------------------------------ */
/* trace replay                                                        */

#define EV_ALLOC	0
#define EV_FREE		1
#define REPLAY_MAX_BYTES	(256UL << 20)
#define REPLAY_MAX_IDS		(16U << 20)
#define REPLAY_MAX_SAMPLES	4096

struct rev {
	u32 id;
	u32 size;
	u8 type;
	u8 atomic;
	u16 worker;
};

struct replay_result {
	u64 requested_end, requested_peak;
	u64 held_end, held_peak, sys_end, fp_end, fp_peak;
	u64 ns_per_op_x10;
	u64 busy_ns;		/* the workers' time in windows, waits out */
	unsigned long nops;
};

static struct {
	char *text;		/* the trace as written */
	size_t len, cap;
	struct rev *ev;
	unsigned int nev, nalloc, nfree, nskipped, maxid, nworkers;
	int worker_cpu[NR_CPUS > 64 ? 64 : NR_CPUS];
	void **obj;		/* by id */
	u32 *objsize;
	bool nomem;		/* at boot: no process to read goslab's stats */
	/* results */
	bool have, pending;
	int err;
	char errmsg[96];
	struct replay_result med[2];	/* [0] goslab, [1] slub */
	unsigned int reps, live_end;
	u64 loop_ns_x10;		/* the null replay's ns per event */
	u64 ns_ratio_x1000;		/* median of each run's own ratio */
	unsigned int nsamples;
	u32 sample_ev[REPLAY_MAX_SAMPLES];
	u64 sample_held[2][REPLAY_MAX_SAMPLES];
} rp;

/* What a replay runs: the first two index rp.med[]. */
enum replay_mode { RM_GOSLAB, RM_SLUB, RM_NULL };

struct rworker {
	struct task_struct *task;
	unsigned int idx;
	unsigned int gen;	/* the last window generation seen */
	enum replay_mode mode;
	u64 busy_ns;
	unsigned long nops;
	int err;
};

static struct rworker *rworkers;
static unsigned int win_lo, win_hi, win_gen;
static bool win_quit;
static atomic_t win_pending;
static DECLARE_WAIT_QUEUE_HEAD(win_wq);
static DECLARE_COMPLETION(win_done);

#define OBJ_FAILED	((void *)1UL)

/*
 * A worker's events of the current window.  Timed as a whole, less the
 * time spent waiting for another worker's allocation: a clock read
 * around each call would cost as much as the call under QEMU and add its
 * own noise.  The loop's own cost comes out by subtracting a replay with
 * no allocator (RM_NULL: a placeholder object, no free).
 */
static __always_inline void replay_window_run(struct rworker *w,
					      enum replay_mode mode)
{
	static char null_obj;
	u64 t0 = ktime_get_ns(), wait = 0;
	unsigned int i;

	for (i = win_lo; i < win_hi; i++) {
		const struct rev *e = &rp.ev[i];
		void *p;

		if (e->worker != w->idx)
			continue;
		if (e->type == EV_ALLOC) {
			gfp_t gfp = e->atomic ? GFP_ATOMIC | __GFP_NOWARN : GFP_KERNEL;

			if (mode == RM_NULL)
				p = &null_obj;
			else
				p = b_alloc(mode == RM_GOSLAB, e->size, gfp);
			if (!p) {
				w->err = -ENOMEM;
				p = OBJ_FAILED;
			}
			/* Publish the object; pairs with the acquire below. */
			smp_store_release(&rp.obj[e->id], p);
		} else {
			/* Pairs with the allocating worker's release above. */
			p = smp_load_acquire(&rp.obj[e->id]);
			if (!p) {
				unsigned long spins = 0;
				u64 tw = ktime_get_ns();

				/* As above: the release that publishes it. */
				while (!(p = smp_load_acquire(&rp.obj[e->id]))) {
					cpu_relax();
					if (++spins % 1024 == 0)
						cond_resched();
				}
				wait += ktime_get_ns() - tw;
			}
			if (p == OBJ_FAILED)
				continue;
			if (mode != RM_NULL)
				b_free(mode == RM_GOSLAB, p);
			rp.obj[e->id] = OBJ_FAILED;	/* gone */
		}
		w->nops++;
	}
	w->busy_ns += ktime_get_ns() - t0 - wait;
}

static int rworker_fn(void *arg)
{
	struct rworker *w = arg;
	unsigned int gen = w->gen;

	for (;;) {
		wait_event(win_wq, READ_ONCE(win_gen) != gen || READ_ONCE(win_quit));
		if (READ_ONCE(win_quit))
			break;
		gen = READ_ONCE(win_gen);
		/* See win_lo/win_hi; pairs with smp_wmb() in replay_once(). */
		smp_rmb();
		if (w->mode == RM_GOSLAB)
			replay_window_run(w, RM_GOSLAB);
		else if (w->mode == RM_SLUB)
			replay_window_run(w, RM_SLUB);
		else
			replay_window_run(w, RM_NULL);
		if (atomic_dec_and_test(&win_pending))
			complete(&win_done);
	}
	kthread_park_until_stop();
	return 0;
}

static u64 held_now(bool g, long base_slab, const struct gs_mem *gbase)
{
	if (g) {
		struct gs_mem m;

		if (goslab_stats(&m))
			return 0;
		return (m.inuse - gbase->inuse) + (m.meta - gbase->meta);
	}
	return (node_stat_exact(NR_SLAB_UNRECLAIMABLE_B) - base_slab) << PAGE_SHIFT;
}

/* Run events [lo, hi) on every worker; back when all are done. */
static void replay_run_window(unsigned int lo, unsigned int hi)
{
	win_lo = lo;
	win_hi = hi;
	atomic_set(&win_pending, rp.nworkers);
	reinit_completion(&win_done);
	/* Order win_lo/win_hi before win_gen; pairs with rworker_fn()'s smp_rmb(). */
	smp_wmb();
	WRITE_ONCE(win_gen, win_gen + 1);
	wake_up_all(&win_wq);
	wait_for_completion(&win_done);
}

/*
 * One replay of the whole trace: with an allocator (memory sampled after
 * every window), or with none (RM_NULL, only the loop's time).
 */
static int replay_once(enum replay_mode mode, struct replay_result *res,
		       bool record)
{
	bool g = mode == RM_GOSLAB, null = mode == RM_NULL;
	struct gs_mem gbase = {}, gend = {};
	long base_slab, base_fp;
	u64 req = 0, held, fp;
	unsigned int i, lo, ns = 0;
	int err = 0;

	memset(res, 0, sizeof(*res));
	memset(rp.obj, 0, (rp.maxid + 1) * sizeof(void *));
	if (g && !rp.nomem) {
		/* Empty per-CPU caches; free arenas back (down to retain). */
		goslab_debugfs_poke("flush");
		goslab_debugfs_poke("release");
		err = goslab_stats(&gbase);
		if (err) {
			snprintf(rp.errmsg, sizeof(rp.errmsg),
				 "cannot read goslab stats (%d): is debugfs mounted?", err);
			return err;
		}
	} else if (!null) {
		slub_shrink_kmalloc();
	}
	base_slab = node_stat_exact(NR_SLAB_UNRECLAIMABLE_B);
	base_fp = bench_free_pages();

	for (i = 0; i < rp.nworkers; i++) {
		struct rworker *w = &rworkers[i];

		w->mode = mode;
		w->busy_ns = 0;
		w->nops = 0;
		w->err = 0;
	}
	for (lo = 0; lo < rp.nev; lo += replay_window) {
		unsigned int hi = min(lo + replay_window, rp.nev);

		replay_run_window(lo, hi);
		if (null)
			continue;
		for (i = lo; i < hi; i++) {
			const struct rev *e = &rp.ev[i];

			if (e->type == EV_ALLOC)
				req += e->size;
			else
				req -= rp.objsize[e->id];
		}
		res->requested_peak = max(res->requested_peak, req);
		if (rp.nomem)
			continue;
		held = held_now(g, base_slab, &gbase);
		fp = (base_fp - bench_free_pages()) << PAGE_SHIFT;
		res->held_peak = max(res->held_peak, held);
		res->fp_peak = max_t(u64, res->fp_peak, (s64)fp > 0 ? fp : 0);
		if (record && ns < REPLAY_MAX_SAMPLES) {
			rp.sample_ev[ns] = hi;
			rp.sample_held[!g][ns] = held;
			ns++;
		}
	}
	for (i = 0; i < rp.nworkers; i++) {
		res->busy_ns += rworkers[i].busy_ns;
		res->nops += rworkers[i].nops;
		err = err ?: rworkers[i].err;
	}
	if (null)
		return 0;
	if (record)
		rp.nsamples = ns;
	res->requested_end = req;
	if (!rp.nomem) {
		res->held_end = held_now(g, base_slab, &gbase);
		res->fp_end = (base_fp - bench_free_pages()) << PAGE_SHIFT;
		if (g && !goslab_stats(&gend))
			res->sys_end = gend.sys - gbase.sys + gend.meta -
				       gbase.meta;
		else
			res->sys_end = res->held_end;
	}

	/* Let go of what the trace left live. */
	for (i = 0; i <= rp.maxid; i++) {
		void *p = rp.obj[i];

		if (p && p != OBJ_FAILED)
			b_free(g, p);
		rp.obj[i] = NULL;
	}
	if (err)
		snprintf(rp.errmsg, sizeof(rp.errmsg), "an allocation failed");
	return err;
}

/* @res's ns per operation x10, the loop's own time (@null's) taken out. */
static void replay_set_ns(struct replay_result *res,
			  const struct replay_result *null)
{
	u64 busy = res->busy_ns > null->busy_ns ? res->busy_ns - null->busy_ns : 0;

	res->ns_per_op_x10 = res->nops ? div64_u64(busy * 10, res->nops) : 0;
}

static int replay_parse(void)
{
	unsigned int maxid = 0, nev = 0, cpus[64], ncpus = 0, i, line = 0;
	char *copy, *cur, *l;
	u8 *state = NULL;
	int err = 0;

	/* strsep() writes into the text: parse a copy, keep the trace. */
	copy = kvmalloc(rp.len + 1, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rp.text, rp.len);
	copy[rp.len] = 0;
	cur = copy;
	for (l = cur; *l; l++)
		if (*l == '\n')
			nev++;
	nev++;
	rp.ev = kvmalloc_array(nev, sizeof(*rp.ev), GFP_KERNEL);
	if (!rp.ev) {
		err = -ENOMEM;
		goto out;
	}
	nev = 0;
	while ((l = strsep(&cur, "\n"))) {
		unsigned int cpu, id, size = 0, atomic = 0, w;
		char t;
		int n;

		line++;
		l = skip_spaces(l);
		if (!*l || *l == '#')
			continue;
		n = sscanf(l, "%c %u %u %u %u", &t, &cpu, &id, &size, &atomic);
		if (!((t == 'a' && n == 5) || (t == 'f' && n >= 3)) ||
		    id == 0 || id >= REPLAY_MAX_IDS ||
		    (t == 'a' && (size == 0 || size > GOSLAB_MAX_SIZE))) {
			snprintf(rp.errmsg, sizeof(rp.errmsg),
				 "line %u: bad event", line);
			err = -EINVAL;
			goto out;
		}
		for (w = 0; w < ncpus && cpus[w] != cpu; w++)
			;
		if (w == ncpus) {
			if (ncpus == ARRAY_SIZE(cpus)) {
				snprintf(rp.errmsg, sizeof(rp.errmsg),
					 "more than %u CPUs", ncpus);
				err = -EINVAL;
				goto out;
			}
			cpus[ncpus++] = cpu;
		}
		rp.ev[nev] = (struct rev){ .id = id, .size = size,
			.type = t == 'a' ? EV_ALLOC : EV_FREE,
			.atomic = !!atomic, .worker = w };
		maxid = max(maxid, id);
		nev++;
	}
	if (!nev) {
		snprintf(rp.errmsg, sizeof(rp.errmsg), "no events");
		err = -EINVAL;
		goto out;
	}
	rp.nev = nev;
	rp.maxid = maxid;

	/*
	 * Map the trace's CPUs onto the online ones, in order of first
	 * appearance; one bound worker per online CPU used.
	 */
	{
		unsigned int nonline = num_online_cpus(), k;
		int map[64], cpu = -1;

		for (k = 0; k < ncpus; k++) {
			if (k < nonline) {
				cpu = cpumask_next(cpu, cpu_online_mask);
				map[k] = k;
				rp.worker_cpu[k] = cpu;
			} else {
				map[k] = k % nonline;
			}
		}
		rp.nworkers = min(ncpus, nonline);
		for (i = 0; i < nev; i++)
			rp.ev[i].worker = map[rp.ev[i].worker];
	}

	/* Drop frees of unknown or already freed ids, and reused ids. */
	state = kvzalloc(maxid + 1, GFP_KERNEL);
	rp.objsize = kvcalloc(maxid + 1, sizeof(u32), GFP_KERNEL);
	rp.obj = kvcalloc(maxid + 1, sizeof(void *), GFP_KERNEL);
	if (!state || !rp.objsize || !rp.obj) {
		err = -ENOMEM;
		goto out;
	}
	rp.nalloc = 0;
	rp.nfree = 0;
	rp.nskipped = 0;
	for (i = 0, nev = 0; i < rp.nev; i++) {
		struct rev *e = &rp.ev[i];

		if (e->type == EV_ALLOC) {
			if (state[e->id]) {
				rp.nskipped++;
				continue;
			}
			state[e->id] = 1;
			rp.objsize[e->id] = e->size;
			rp.nalloc++;
		} else {
			if (state[e->id] != 1) {
				rp.nskipped++;
				continue;
			}
			state[e->id] = 2;
			rp.nfree++;
		}
		rp.ev[nev++] = *e;
	}
	rp.nev = nev;
	rp.live_end = rp.nalloc - rp.nfree;
out:
	kvfree(state);
	kvfree(copy);
	return err;
}

static void replay_free_trace(void)
{
	kvfree(rp.ev);
	kvfree(rp.obj);
	kvfree(rp.objsize);
	rp.ev = NULL;
	rp.obj = NULL;
	rp.objsize = NULL;
}

/* The fields of a replay_result reported as their median over the runs. */
static const size_t replay_med_fields[] = {
	offsetof(struct replay_result, requested_end),
	offsetof(struct replay_result, requested_peak),
	offsetof(struct replay_result, held_end),
	offsetof(struct replay_result, held_peak),
	offsetof(struct replay_result, sys_end),
	offsetof(struct replay_result, fp_end),
	offsetof(struct replay_result, fp_peak),
	offsetof(struct replay_result, ns_per_op_x10),
};

static u64 *replay_field(struct replay_result *res, size_t off)
{
	return (u64 *)((char *)res + off);
}

static int replay_run(bool nomem)
{
	static struct replay_result runs[2][BENCH_MAX_REPS];
	unsigned int reps = clamp(replay_reps, 1U, (unsigned int)BENCH_MAX_REPS);
	u64 ratio[BENCH_MAX_REPS], loop[BENCH_MAX_REPS];
	unsigned int i, r, a;
	int err;

	rp.have = false;
	rp.pending = false;
	rp.errmsg[0] = 0;
	if (!rp.text || !rp.len) {
		snprintf(rp.errmsg, sizeof(rp.errmsg), "no trace written");
		return -ENODATA;
	}
	rp.nomem = nomem;
	err = nomem ? 0 : scratch_map();
	if (err) {
		snprintf(rp.errmsg, sizeof(rp.errmsg),
			 "needs a process context (write 'replay' to bench)");
		return err;
	}
	err = replay_parse();
	if (err)
		goto out_trace;

	rworkers = kcalloc(rp.nworkers, sizeof(*rworkers), GFP_KERNEL);
	if (!rworkers) {
		err = -ENOMEM;
		goto out_trace;
	}
	win_quit = false;
	for (i = 0; i < rp.nworkers; i++) {
		struct task_struct *t;

		rworkers[i].idx = i;
		/* Windows count from here: earlier replays bumped win_gen. */
		rworkers[i].gen = READ_ONCE(win_gen);
		t = kthread_create(rworker_fn, &rworkers[i], "gsbench-r%u", i);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			goto out_workers;
		}
		kthread_bind(t, rp.worker_cpu[i]);
		rworkers[i].task = t;
		wake_up_process(t);
	}

	/*
	 * Warm-up: one untimed run of each.  Every run starts with the null
	 * replay its two allocator runs are timed against.
	 */
	for (r = 0; !err && r < reps + 1; r++) {
		struct replay_result warm, null;
		bool gfirst = !(r & 1);
		u64 gn, sn;

		err = replay_once(RM_NULL, &null, false);
		for (a = 0; !err && a < 2; a++) {
			enum replay_mode m = (a ? !gfirst : gfirst) ? RM_GOSLAB : RM_SLUB;
			struct replay_result *res = r ? &runs[m][r - 1] : &warm;

			err = replay_once(m, res, r == reps);
			replay_set_ns(res, &null);
			cond_resched();
		}
		if (!r)
			continue;
		gn = runs[RM_GOSLAB][r - 1].ns_per_op_x10;
		sn = runs[RM_SLUB][r - 1].ns_per_op_x10;
		ratio[r - 1] = sn ? div64_u64(gn * 1000, sn) : 0;
		loop[r - 1] = null.nops ? div64_u64(null.busy_ns * 10, null.nops) : 0;
	}
	if (err)
		goto out_workers;
	rp.ns_ratio_x1000 = median_u64(ratio, reps);
	rp.loop_ns_x10 = median_u64(loop, reps);

	for (a = 0; a < 2; a++) {
		u64 v[BENCH_MAX_REPS];
		struct replay_result *m = &rp.med[a];

		for (i = 0; i < ARRAY_SIZE(replay_med_fields); i++) {
			size_t off = replay_med_fields[i];

			for (r = 0; r < reps; r++)
				v[r] = *replay_field(&runs[a][r], off);
			*replay_field(m, off) = median_u64(v, reps);
		}
	}
	rp.reps = reps;
	rp.have = true;

out_workers:
	WRITE_ONCE(win_quit, true);
	wake_up_all(&win_wq);
	for (i = 0; i < rp.nworkers; i++)
		if (rworkers[i].task)
			kthread_stop(rworkers[i].task);
	kfree(rworkers);
	rworkers = NULL;
out_trace:
	replay_free_trace();
	scratch_unmap();
	rp.err = err;
	if (err && !rp.errmsg[0])
		snprintf(rp.errmsg, sizeof(rp.errmsg), "error %d", err);
	return err;
}

static int replay_show(struct seq_file *m, void *v)
{
	static const char *const name[2] = { "goslab", "slub" };
	unsigned int a;

	mutex_lock(&replay_lock);
	if (!rp.have) {
		seq_printf(m, "# no replay%s%s\n", rp.errmsg[0] ? ": " : "",
			   rp.errmsg);
		mutex_unlock(&replay_lock);
		return 0;
	}
	seq_printf(m, "# %u events (%u allocs, %u frees, %u skipped), %u workers, %u live at the end, median of %u runs, loop %llu.%llu ns per event\n",
		   rp.nev, rp.nalloc, rp.nfree, rp.nskipped, rp.nworkers,
		   rp.live_end, rp.reps, rp.loop_ns_x10 / 10,
		   rp.loop_ns_x10 % 10);
	if (rp.nomem)
		seq_puts(m, "# memory not measured: no process to read goslab's debugfs through\n");
	seq_puts(m, "allocator requested_end requested_peak held_end held_peak sys_end freepages_end freepages_peak ns_per_op\n");
	for (a = 0; a < 2; a++) {
		const struct replay_result *r = &rp.med[a];

		seq_printf(m, "%s %llu %llu", name[a], r->requested_end,
			   r->requested_peak);
		if (rp.nomem)
			seq_puts(m, " - - - - -");
		else
			seq_printf(m, " %llu %llu %llu %llu %llu", r->held_end,
				   r->held_peak, r->sys_end, r->fp_end,
				   r->fp_peak);
		seq_printf(m, " %llu.%llu\n", r->ns_per_op_x10 / 10,
			   r->ns_per_op_x10 % 10);
	}
	seq_puts(m, "ratio - -");
	if (rp.nomem) {
		seq_puts(m, " - -");
	} else {
		print_ratio(m, rp.med[0].held_end, rp.med[1].held_end);
		print_ratio(m, rp.med[0].held_peak, rp.med[1].held_peak);
	}
	seq_printf(m, " - - - %llu.%03llu", rp.ns_ratio_x1000 / 1000,
		   rp.ns_ratio_x1000 % 1000);
	seq_putc(m, '\n');
	mutex_unlock(&replay_lock);
	return 0;
}

static int replay_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE) {
		mutex_lock(&replay_lock);
		vfree(rp.text);
		rp.text = NULL;
		rp.len = 0;
		rp.cap = 0;
		mutex_unlock(&replay_lock);
	}
	return single_open(file, replay_show, NULL);
}

static ssize_t replay_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	ssize_t ret = len;

	mutex_lock(&replay_lock);
	if (rp.len + len + 1 > rp.cap) {
		size_t cap = max(rp.cap * 2, (size_t)(1 << 20));
		char *n;

		while (cap < rp.len + len + 1)
			cap *= 2;
		if (cap > REPLAY_MAX_BYTES) {
			ret = -EFBIG;
			goto out;
		}
		n = vmalloc(cap);
		if (!n) {
			ret = -ENOMEM;
			goto out;
		}
		if (rp.text)
			memcpy(n, rp.text, rp.len);
		vfree(rp.text);
		rp.text = n;
		rp.cap = cap;
	}
	if (copy_from_user(rp.text + rp.len, ubuf, len)) {
		ret = -EFAULT;
		goto out;
	}
	rp.len += len;
out:
	mutex_unlock(&replay_lock);
	return ret;
}

static int replay_release(struct inode *inode, struct file *file)
{
	if ((file->f_mode & FMODE_WRITE) && rp.text) {
		mutex_lock(&replay_lock);
		/*
		 * The last close may come from an exiting process (no mm,
		 * no fs): then the trace waits for "replay" on bench.
		 */
		if (current->mm && current->fs &&
		    !(current->flags & (PF_EXITING | PF_KTHREAD))) {
			replay_run(false);
		} else {
			rp.have = false;
			rp.pending = true;
			snprintf(rp.errmsg, sizeof(rp.errmsg),
				 "pending: write 'replay' to bench to run it");
		}
		mutex_unlock(&replay_lock);
	}
	return single_release(inode, file);
}

static const struct file_operations replay_fops = {
	.owner = THIS_MODULE,
	.open = replay_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = replay_write,
	.release = replay_release,
};

static int series_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&replay_lock);
	seq_puts(m, "event goslab_held slub_held\n");
	for (i = 0; rp.have && i < rp.nsamples; i++)
		seq_printf(m, "%u %llu %llu\n", rp.sample_ev[i],
			   rp.sample_held[0][i], rp.sample_held[1][i]);
	mutex_unlock(&replay_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(series);

/* ------------------------------------------------------------------ */

static struct dentry *bench_dir;

/* Print what @show writes to a seq_file into the log, a line a call. */
static void show_to_log(int (*show)(struct seq_file *, void *))
{
	struct seq_file m = { .size = 4 * PAGE_SIZE };
	char *cur, *line;

	m.buf = kvzalloc(m.size, GFP_KERNEL);
	if (!m.buf)
		return;
	show(&m, NULL);
	m.buf[min(m.count, m.size - 1)] = 0;
	cur = m.buf;
	while ((line = strsep(&cur, "\n")))
		if (*line)
			pr_info("%s\n", line);
	kvfree(m.buf);
}

/*
 * Replay each trace of @boot_replay, read from a file (at boot, from the
 * initramfs: UML's userspace does not run on this machine's host, so
 * nothing could write the trace into debugfs).  Without a process,
 * goslab's debugfs cannot be read either: the replay measures time only.
 */
static void __init boot_replays(void)
{
	char *paths, *cur, *path;

	paths = kstrdup(boot_replay, GFP_KERNEL);
	if (!paths)
		return;
	wait_for_initramfs();
	cur = paths;
	while ((path = strsep(&cur, ","))) {
		const char *base = kbasename(path);
		int len = strcspn(base, ".");
		void *buf = NULL;
		ssize_t n;

		if (!*path)
			continue;
		pr_info("GOSLAB-REPLAY %.*s begin\n", len, base);
		n = kernel_read_file_from_path(path, 0, &buf, REPLAY_MAX_BYTES,
					       NULL, READING_UNKNOWN);
		if (n < 0) {
			pr_info("# no replay: cannot read %s (%zd)\n", path, n);
		} else {
			mutex_lock(&replay_lock);
			vfree(rp.text);
			rp.text = buf;
			rp.len = n;
			rp.cap = n;
			replay_run(!current->mm);
			mutex_unlock(&replay_lock);
			show_to_log(replay_show);
		}
		pr_info("GOSLAB-REPLAY %.*s end\n", len, base);
	}
	kfree(paths);
}

static int __init goslab_bench_init(void)
{
	bench_dir = debugfs_create_dir("goslab_bench", NULL);
	debugfs_create_file("bench", 0600, bench_dir, NULL, &bench_fops);
	debugfs_create_file("replay", 0600, bench_dir, NULL, &replay_fops);
	debugfs_create_file("series", 0400, bench_dir, NULL, &series_fops);

	if (boot_run && *boot_run) {
		char cmd[128];
		int err;

		strscpy(cmd, boot_run, sizeof(cmd));
		/* Kernel parameters cannot hold spaces: ',' stands for one. */
		strreplace(cmd, ',', ' ');
		pr_info("goslab_bench: running \"%s\" (%u CPUs)\n", cmd,
			num_online_cpus());
		mutex_lock(&bench_lock);
		err = bench_command(cmd);
		mutex_unlock(&bench_lock);
		/* The table "bench" reads (ratio: the median of each rep's). */
		pr_info("GOSLAB-BENCH begin\n");
		show_to_log(bench_show);
		if (err)
			pr_info("# error %d\n", err);
		pr_info("GOSLAB-BENCH end\n");
	}
	if (boot_replay && *boot_replay)
		boot_replays();
	return 0;
}

static void __exit goslab_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	vfree(rp.text);
}

late_initcall(goslab_bench_init);
module_exit(goslab_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab against SLUB: micro-benchmarks and trace replay");
