// SPDX-License-Identifier: GPL-2.0
/*
 * The trace replay of goslab_bench: the trace (trace.c) run reps times
 * with goslab and with kmalloc, alternating, and the medians of what each
 * held and how fast it went, as the "replay" and "series" files print.
 *
 * One kthread per CPU the trace names (mapped onto the online CPUs),
 * bound to it.  The trace is cut into windows of replay_window events;
 * for each window every worker executes, in trace order, the events of
 * its CPU.  A free whose allocation is another worker's waits until that
 * worker has published the pointer (the allocation comes earlier in the
 * trace, so this cannot deadlock: each worker only waits on earlier
 * events).  After a window, the coordinator samples memory: SLUB through
 * NR_SLAB_UNRECLAIMABLE_B (which also counts large kmalloc pages),
 * goslab through its debugfs stats (heap_inuse_bytes, the pages of every
 * span, cached, partial or full, plus metadata_inuse_bytes), both
 * cross-checked by free pages (NR_FREE_PAGES plus the per-CPU page
 * lists).  Each worker times its part of a window as a whole, less its
 * waits for another worker's allocations; the same replay with no
 * allocator, run before each pair of runs, gives the loop's own time,
 * which is subtracted.  The ns ratio is the median of each run's own.
 *
 * The footprint mode (module parameter footprint) is the system's view
 * instead: one allocator, one run, in a fresh boot, judged by the free
 * pages it took; see replay_footprint().
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/atomic.h>
#include <linux/seq_file.h>
#include <linux/delay.h>
#include <linux/string.h>

#include "bench.h"

static unsigned int replay_reps = 3;
module_param(replay_reps, uint, 0644);
MODULE_PARM_DESC(replay_reps, "replay runs per allocator (median)");

static unsigned int replay_window = 256;
module_param(replay_window, uint, 0644);
MODULE_PARM_DESC(replay_window, "events between memory samples");

/*
 * The footprint mode: "goslab" or "slub" replays the trace once with that
 * allocator alone, no warm-up and no null replay, and reports the pages
 * taken from the page allocator.  Meant for a fresh boot (make bench boots
 * one per allocator): any replay before it, of either allocator, leaves
 * slabs, arenas and per-CPU lists behind that the figure would hide.
 */
static char footprint[8];
module_param_string(footprint, footprint, sizeof(footprint), 0644);
MODULE_PARM_DESC(footprint, "goslab or slub: replay once with that allocator alone, no warm-up, and report pages taken (for a fresh boot)");

static unsigned int footprint_delay_ms = 5000;
module_param(footprint_delay_ms, uint, 0644);
MODULE_PARM_DESC(footprint_delay_ms, "footprint mode: ms after the end for the second reading");

/*
 * The footprint mode with goslab: its "stats" and "fill" files read right
 * after the second reading, the trace's objects still live, printed
 * after the row.  The buffer is taken before the first reading.
 */
static bool footprint_dump;
module_param(footprint_dump, bool, 0644);
MODULE_PARM_DESC(footprint_dump, "footprint mode, goslab: print its stats and per-class fill at the second reading");
#define REPLAY_DUMP_BYTES	(64 << 10)

#define REPLAY_MAX_SAMPLES	4096

struct replay_result {
	u64 requested_end, requested_peak;
	u64 held_end, held_peak, sys_end, fp_end, fp_peak;
	/* the footprint mode's: free pages taken, and self-accounted bytes */
	long pages_end, pages_later, pages_peak;
	u64 held_later;
	u64 ns_per_op_x10;
	u64 busy_ns;		/* the workers' time in windows, waits out */
	unsigned long nops;
};

/* Serialises the trace's text, a replay and the results it leaves. */
DEFINE_MUTEX(bench_replay_lock);
static struct bench_trace trace;

static struct {
	void **obj;		/* by id */
	bool nomem;		/* at boot: no process to read goslab's stats */
	int fmode;		/* the footprint mode's allocator, or -1 */
	struct replay_result fres;	/* and its one run */
	/* results */
	bool have, pending;
	int err;
	char errmsg[96];
	struct replay_result med[2];	/* [0] goslab, [1] slub */
	unsigned int reps;
	u64 loop_ns_x10;		/* the null replay's ns per event */
	u64 ns_ratio_x1000;		/* median of each run's own ratio */
	char *dump;		/* footprint_dump's text, or NULL */
	unsigned int nsamples;
	u32 sample_ev[REPLAY_MAX_SAMPLES];
	u64 sample_held[2][REPLAY_MAX_SAMPLES];
	long sample_pages[REPLAY_MAX_SAMPLES];	/* free pages taken */
} rp = { .fmode = -1 };

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

/* ------------------------------------------------------------------ */
/* the workers                                                         */

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
		const struct bench_event *e = &trace.ev[i];
		void *p;

		if (e->worker != w->idx)
			continue;
		if (e->type == EV_ALLOC) {
			gfp_t gfp = e->atomic ? GFP_ATOMIC | __GFP_NOWARN : GFP_KERNEL;

			if (mode == RM_NULL)
				p = &null_obj;
			else
				p = bench_alloc(mode == RM_GOSLAB, e->size, gfp);
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
				bench_free(mode == RM_GOSLAB, p);
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
		/* See win_lo/win_hi; pairs with smp_wmb() in replay_run_window(). */
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
	bench_park_until_stop();
	return 0;
}

/* One worker per trace worker, bound to the CPU the trace maps it to. */
static int replay_start_workers(void)
{
	unsigned int i;

	rworkers = kcalloc(trace.nworkers, sizeof(*rworkers), GFP_KERNEL);
	if (!rworkers)
		return -ENOMEM;
	win_quit = false;
	for (i = 0; i < trace.nworkers; i++) {
		struct task_struct *t;

		rworkers[i].idx = i;
		/* Windows count from here: earlier replays bumped win_gen. */
		rworkers[i].gen = READ_ONCE(win_gen);
		t = kthread_create(rworker_fn, &rworkers[i], "gsbench-r%u", i);
		if (IS_ERR(t))
			return PTR_ERR(t);
		kthread_bind(t, trace.worker_cpu[i]);
		rworkers[i].task = t;
		wake_up_process(t);
	}
	return 0;
}

static void replay_stop_workers(void)
{
	unsigned int i;

	if (!rworkers)
		return;
	WRITE_ONCE(win_quit, true);
	wake_up_all(&win_wq);
	for (i = 0; i < trace.nworkers; i++)
		if (rworkers[i].task)
			kthread_stop(rworkers[i].task);
	kfree(rworkers);
	rworkers = NULL;
}

/* Run events [lo, hi) on every worker; back when all are done. */
static void replay_run_window(unsigned int lo, unsigned int hi)
{
	win_lo = lo;
	win_hi = hi;
	atomic_set(&win_pending, trace.nworkers);
	reinit_completion(&win_done);
	/* Order win_lo/win_hi before win_gen; pairs with rworker_fn()'s smp_rmb(). */
	smp_wmb();
	WRITE_ONCE(win_gen, win_gen + 1);
	wake_up_all(&win_wq);
	wait_for_completion(&win_done);
}

/* ------------------------------------------------------------------ */
/* one replay                                                          */

static u64 held_now(bool g, long base_slab, const struct bench_goslab_mem *gbase)
{
	if (g) {
		struct bench_goslab_mem m;

		if (bench_goslab_stats(&m))
			return 0;
		return (m.inuse - gbase->inuse) + (m.meta - gbase->meta);
	}
	return (goslab_sysmem_pages(NR_SLAB_UNRECLAIMABLE_B) - base_slab) << PAGE_SHIFT;
}

/*
 * One replay of the whole trace: with an allocator (memory sampled after
 * every window), or with none (RM_NULL, only the loop's time).  In the
 * footprint mode (rp.fmode set) the allocator is taken as the boot left
 * it, and the end is read again footprint_delay_ms later, the trace's
 * live objects still held: what an allocator gives back by itself.
 */
static int replay_once(enum replay_mode mode, struct replay_result *res,
		       bool record)
{
	bool g = mode == RM_GOSLAB, null = mode == RM_NULL;
	bool fresh = rp.fmode >= 0;
	struct bench_goslab_mem gbase = {}, gend = {};
	long base_slab, base_fp, pages;
	u64 req = 0, held, fp;
	unsigned int i, lo, ns = 0;
	int err = 0;

	memset(res, 0, sizeof(*res));
	memset(rp.obj, 0, (trace.maxid + 1) * sizeof(void *));
	if (g && !rp.nomem) {
		/*
		 * Empty per-CPU caches; free arenas back (down to retain).
		 * Not in the footprint mode: a fresh boot has nothing to
		 * give back, and SLUB is not shrunk there either.
		 */
		if (!fresh) {
			bench_goslab_poke("flush");
			bench_goslab_poke("release");
		}
		err = bench_goslab_stats(&gbase);
		if (err) {
			snprintf(rp.errmsg, sizeof(rp.errmsg),
				 "cannot read goslab stats (%d): is debugfs mounted?", err);
			return err;
		}
	} else if (!null && !fresh) {
		bench_slub_shrink();
	}
	base_slab = goslab_sysmem_pages(NR_SLAB_UNRECLAIMABLE_B);
	base_fp = goslab_sysmem_free_pages();

	for (i = 0; i < trace.nworkers; i++) {
		struct rworker *w = &rworkers[i];

		w->mode = mode;
		w->busy_ns = 0;
		w->nops = 0;
		w->err = 0;
	}
	for (lo = 0; lo < trace.nev; lo += replay_window) {
		unsigned int hi = min(lo + replay_window, trace.nev);

		replay_run_window(lo, hi);
		if (null)
			continue;
		for (i = lo; i < hi; i++) {
			const struct bench_event *e = &trace.ev[i];

			if (e->type == EV_ALLOC)
				req += e->size;
			else
				req -= trace.objsize[e->id];
		}
		res->requested_peak = max(res->requested_peak, req);
		if (rp.nomem)
			continue;
		held = held_now(g, base_slab, &gbase);
		pages = base_fp - goslab_sysmem_free_pages();
		fp = pages << PAGE_SHIFT;
		res->pages_peak = max(res->pages_peak, pages);
		res->held_peak = max(res->held_peak, held);
		res->fp_peak = max_t(u64, res->fp_peak, (s64)fp > 0 ? fp : 0);
		if (record && ns < REPLAY_MAX_SAMPLES) {
			rp.sample_ev[ns] = hi;
			rp.sample_held[!g][ns] = held;
			rp.sample_pages[ns] = pages;
			ns++;
		}
	}
	for (i = 0; i < trace.nworkers; i++) {
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
		res->pages_end = base_fp - goslab_sysmem_free_pages();
		res->fp_end = res->pages_end << PAGE_SHIFT;
		if (g && !bench_goslab_stats(&gend))
			res->sys_end = gend.sys - gbase.sys + gend.meta -
				       gbase.meta;
		else
			res->sys_end = res->held_end;
	}
	if (fresh && !rp.nomem) {
		/* The peak over the windows, the two readings included. */
		res->pages_peak = max(res->pages_peak, res->pages_end);
		res->held_peak = max(res->held_peak, res->held_end);
		msleep(footprint_delay_ms);
		res->pages_later = base_fp - goslab_sysmem_free_pages();
		res->held_later = held_now(g, base_slab, &gbase);
		res->pages_peak = max(res->pages_peak, res->pages_later);
		res->held_peak = max(res->held_peak, res->held_later);
		if (g && rp.dump) {
			ssize_t n = bench_goslab_dump("stats", rp.dump,
						      REPLAY_DUMP_BYTES);

			if (n >= 0)
				bench_goslab_dump("fill", rp.dump + n,
						  REPLAY_DUMP_BYTES - n);
		}
	}

	/* Let go of what the trace left live. */
	for (i = 0; i <= trace.maxid; i++) {
		void *p = rp.obj[i];

		if (p && p != OBJ_FAILED)
			bench_free(g, p);
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

/* ------------------------------------------------------------------ */
/* reps and medians                                                    */

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

/* Every run of each allocator, [RM_GOSLAB] and [RM_SLUB]. */
static struct replay_result runs[2][BENCH_MAX_REPS];

/*
 * @reps runs of each allocator, after one untimed warm-up of each.
 * Every run starts with the null replay its two allocator runs are
 * timed against.
 */
static int replay_runs(unsigned int reps)
{
	u64 ratio[BENCH_MAX_REPS], loop[BENCH_MAX_REPS];
	unsigned int r, a;
	int err = 0;

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
		ratio[r - 1] = bench_ratio(gn, sn);
		loop[r - 1] = null.nops ? div64_u64(null.busy_ns * 10, null.nops) : 0;
	}
	if (err)
		return err;
	rp.ns_ratio_x1000 = bench_median(ratio, reps);
	rp.loop_ns_x10 = bench_median(loop, reps);
	return 0;
}

/*
 * The footprint mode's one run: rp.fmode's allocator, once, nothing
 * replayed before it, not even the null replay (it allocates nothing,
 * but the mode promises a replay as the boot left the allocator).
 */
static int replay_footprint(void)
{
	memset(rp.sample_held, 0, sizeof(rp.sample_held));
	kvfree(rp.dump);
	rp.dump = NULL;
	if (footprint_dump && rp.fmode == RM_GOSLAB)
		rp.dump = kvzalloc(REPLAY_DUMP_BYTES, GFP_KERNEL);
	return replay_once(rp.fmode, &rp.fres, true);
}

/* At unload: the last footprint run's dump. */
void bench_replay_exit(void)
{
	kvfree(rp.dump);
	rp.dump = NULL;
}

/* rp.med[]: each reported field's median over the @reps runs. */
static void replay_take_medians(unsigned int reps)
{
	unsigned int i, r, a;

	for (a = 0; a < 2; a++) {
		u64 v[BENCH_MAX_REPS];
		struct replay_result *m = &rp.med[a];

		for (i = 0; i < ARRAY_SIZE(replay_med_fields); i++) {
			size_t off = replay_med_fields[i];

			for (r = 0; r < reps; r++)
				v[r] = *replay_field(&runs[a][r], off);
			*replay_field(m, off) = bench_median(v, reps);
		}
	}
}

/*
 * Replay the trace written, replay_reps times each allocator; its table
 * replaces the last one.  @nomem: no process context to read goslab's
 * debugfs through (at boot), so time only.  Called with
 * bench_replay_lock held.
 */
int bench_replay_run(bool nomem)
{
	unsigned int reps = clamp(replay_reps, 1U, (unsigned int)BENCH_MAX_REPS);
	int err;

	rp.have = false;
	rp.pending = false;
	rp.errmsg[0] = 0;
	if (!bench_trace_size()) {
		snprintf(rp.errmsg, sizeof(rp.errmsg), "no trace written");
		return -ENODATA;
	}
	rp.nomem = nomem;
	rp.fmode = -1;
	if (sysfs_streq(footprint, "goslab")) {
		rp.fmode = RM_GOSLAB;
	} else if (sysfs_streq(footprint, "slub")) {
		rp.fmode = RM_SLUB;
	} else if (footprint[0]) {
		snprintf(rp.errmsg, sizeof(rp.errmsg),
			 "footprint must be goslab, slub or empty");
		return -EINVAL;
	}
	if (rp.fmode >= 0 && nomem) {
		/* Its figures are the memory ones: none without a process. */
		snprintf(rp.errmsg, sizeof(rp.errmsg),
			 "the footprint mode needs a process context");
		return -EPERM;
	}
	err = nomem ? 0 : bench_scratch_map();
	if (err) {
		snprintf(rp.errmsg, sizeof(rp.errmsg),
			 "needs a process context (write 'replay' to bench)");
		return err;
	}
	if (!nomem)
		bench_stats_open();
	err = bench_trace_load(&trace, rp.errmsg, sizeof(rp.errmsg));
	if (!err) {
		rp.obj = kvcalloc(trace.maxid + 1, sizeof(void *), GFP_KERNEL);
		if (!rp.obj)
			err = -ENOMEM;
	}
	err = err ?: replay_start_workers();
	if (!err && rp.fmode >= 0) {
		err = replay_footprint();
		reps = 1;
	} else if (!err) {
		err = replay_runs(reps);
		if (!err)
			replay_take_medians(reps);
	}
	if (!err) {
		rp.reps = reps;
		rp.have = true;
	}
	replay_stop_workers();
	kvfree(rp.obj);
	rp.obj = NULL;
	bench_trace_unload(&trace);
	bench_stats_close();
	bench_scratch_unmap();
	rp.err = err;
	if (err && !rp.errmsg[0])
		snprintf(rp.errmsg, sizeof(rp.errmsg), "error %d", err);
	return err;
}

/*
 * The trace's writer closed "replay": run it.  The last close may come
 * from an exiting process (no mm, no fs): then the trace waits for
 * "replay" on bench.  Called with bench_replay_lock held.
 */
void bench_replay_written(void)
{
	if (current->mm && current->fs &&
	    !(current->flags & (PF_EXITING | PF_KTHREAD))) {
		bench_replay_run(false);
		return;
	}
	rp.have = false;
	rp.pending = true;
	snprintf(rp.errmsg, sizeof(rp.errmsg),
		 "pending: write 'replay' to bench to run it");
}

/* ------------------------------------------------------------------ */
/* the tables                                                          */

/* " g/s" to three decimals; 0.000 when @s is 0. */
static void print_ratio(struct seq_file *m, u64 g, u64 s)
{
	u64 r = bench_ratio(g, s);

	seq_printf(m, " %llu.%03llu", r / 1000, r % 1000);
}

static const char *const replay_name[2] = { "goslab", "slub" };

/*
 * The footprint mode's one row: pages taken from the page allocator (free
 * pages before the replay minus after, per-CPU lists counted as free) at
 * the end, footprint_delay_ms later and at the peak over the windows;
 * then the allocator's own figure in bytes (goslab: heap_inuse_bytes plus
 * metadata_inuse_bytes; SLUB: the slab counter) at the same three points,
 * goslab's arenas plus metadata at the end, and the bytes the trace asked
 * for.
 */
static void replay_show_footprint(struct seq_file *m)
{
	const struct replay_result *r = &rp.fres;

	seq_printf(m, "# footprint: %s alone, one run, no warm-up; %u events (%u allocs, %u frees, %u skipped), %u workers, %u live at the end; later = %u ms after the end\n",
		   replay_name[rp.fmode], trace.nev, trace.nalloc, trace.nfree,
		   trace.nskipped, trace.nworkers, trace.live_end,
		   footprint_delay_ms);
	seq_puts(m, "allocator pages_end pages_later pages_peak self_end self_later self_peak sys_end requested_end requested_peak\n");
	seq_printf(m, "%s %ld %ld %ld %llu %llu %llu %llu %llu %llu\n",
		   replay_name[rp.fmode], r->pages_end, r->pages_later,
		   r->pages_peak, r->held_end, r->held_later, r->held_peak,
		   r->sys_end, r->requested_end, r->requested_peak);
	if (rp.dump) {
		const char *p = rp.dump, *nl;

		for (; *p; p = nl + 1) {
			nl = strchrnul(p, '\n');
			seq_printf(m, "#| %.*s\n", (int)(nl - p), p);
			if (!*nl)
				break;
		}
	}
}

/* The medians of the last replay, a row an allocator, then the ratios. */
int bench_replay_show(struct seq_file *m, void *v)
{
	const char *const *name = replay_name;
	unsigned int a;

	mutex_lock(&bench_replay_lock);
	if (!rp.have) {
		seq_printf(m, "# no replay%s%s\n", rp.errmsg[0] ? ": " : "",
			   rp.errmsg);
		mutex_unlock(&bench_replay_lock);
		return 0;
	}
	if (rp.fmode >= 0) {
		replay_show_footprint(m);
		mutex_unlock(&bench_replay_lock);
		return 0;
	}
	seq_printf(m, "# %u events (%u allocs, %u frees, %u skipped), %u workers, %u live at the end, median of %u runs, loop %llu.%llu ns per event\n",
		   trace.nev, trace.nalloc, trace.nfree, trace.nskipped,
		   trace.nworkers, trace.live_end, rp.reps, rp.loop_ns_x10 / 10,
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
	mutex_unlock(&bench_replay_lock);
	return 0;
}

/*
 * Memory held after every window of the last replay, per allocator; in
 * the footprint mode its one allocator's own figure and the free pages
 * taken.
 */
int bench_series_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&bench_replay_lock);
	if (rp.have && rp.fmode >= 0) {
		const char *n = replay_name[rp.fmode];

		seq_printf(m, "event %s_held %s_pages\n", n, n);
		for (i = 0; i < rp.nsamples; i++)
			seq_printf(m, "%u %llu %ld\n", rp.sample_ev[i],
				   rp.sample_held[rp.fmode][i],
				   rp.sample_pages[i]);
		mutex_unlock(&bench_replay_lock);
		return 0;
	}
	seq_puts(m, "event goslab_held slub_held\n");
	for (i = 0; rp.have && i < rp.nsamples; i++)
		seq_printf(m, "%u %llu %llu\n", rp.sample_ev[i],
			   rp.sample_held[0][i], rp.sample_held[1][i]);
	mutex_unlock(&bench_replay_lock);
	return 0;
}
