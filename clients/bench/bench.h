/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the objects of goslab_bench share, and nothing else: each part
 * keeps its own state behind the functions declared here.  See module.c
 * for the map of the parts.
 */
#ifndef GOSLAB_BENCH_H
#define GOSLAB_BENCH_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include <goslab.h>
#include <goslab_sysmem.h>

struct seq_file;

/* Most reps a figure is the median of (the arrays are on the stack). */
#define BENCH_MAX_REPS		15

/* stats.c */
u64 bench_median(u64 *v, unsigned int n);
u64 bench_ratio(u64 g, u64 s);

/*
 * The allocator under test: goslab when @g, SLUB (kmalloc) otherwise.
 * Always inline, so that each timed loop is compiled once per allocator
 * with no branch on @g left in it.
 */
static __always_inline void *bench_alloc(bool g, size_t size, gfp_t gfp)
{
	return g ? goslab_alloc(size, gfp) : kmalloc(size, gfp);
}

static __always_inline void bench_free(bool g, const void *p)
{
	if (g)
		goslab_free(p);
	else
		kfree(p);
}

/*
 * The end of a benchmark kthread: it has reported, and sleeps until its
 * creator's kthread_stop() (returning first would let the task exit and
 * be freed before kthread_stop() gets to it).
 */
static inline void bench_park_until_stop(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

/* micro.c: the micro-benchmarks; bench_lock serialises their table. */
extern struct mutex bench_lock;
int bench_command(char *cmd);
int bench_show(struct seq_file *m, void *v);
int bench_pair_g(size_t size, unsigned int iters, u64 *ns);
int bench_pair_s(size_t size, unsigned int iters, u64 *ns);
void bench_add_result(const char *test, unsigned int size, u64 g, u64 s,
		      u64 ratio_m);
__printf(1, 2) void bench_note(const char *fmt, ...);

/* spanops.c: the page heap's span operations with many arenas live. */
int bench_spanops(char *args);

/* ppair.c */
int bench_ppair_run(bool g, size_t size, unsigned int iters, u64 *ns);

/* xcpu.c */
int bench_xcpu_run(bool g, size_t size, unsigned int n, u64 *ns);

/*
 * memory.c: what each allocator holds (the system's free pages and slab
 * counter are <goslab_sysmem.h>'s).
 */
struct bench_goslab_mem {
	long inuse, meta, sys;
};

int bench_scratch_map(void);
void bench_scratch_unmap(void);
void bench_stats_open(void);
void bench_stats_close(void);
int bench_goslab_stats(struct bench_goslab_mem *m);
ssize_t bench_goslab_dump(const char *name, char *buf, size_t len);
void bench_goslab_poke(const char *file);
int bench_goslab_read(const char *file, const char *field, long *v);
int bench_goslab_write(const char *file, unsigned long v);
void bench_slub_shrink(void);

/* trace.c: the text written to "replay", and the events parsed from it. */
#define BENCH_TRACE_MAX_BYTES	(256UL << 20)
/* A replay's workers: one per online CPU that the trace's CPUs map to. */
#define BENCH_MAX_WORKERS	(NR_CPUS > 64 ? 64 : NR_CPUS)

#define EV_ALLOC	0
#define EV_FREE		1

struct bench_event {
	u32 id;
	u32 size;
	u8 type;		/* EV_ALLOC or EV_FREE */
	u8 atomic;
	u16 worker;
};

struct bench_trace {
	struct bench_event *ev;	/* what the replay runs, in trace order */
	u32 *objsize;		/* by id: the size its allocation asked for */
	unsigned int nev, nalloc, nfree, nskipped, maxid, live_end;
	unsigned int nworkers;
	int worker_cpu[BENCH_MAX_WORKERS];
};

/* The text functions are called with bench_replay_lock held. */
void bench_trace_reset(void);
ssize_t bench_trace_append(const char __user *ubuf, size_t len);
void bench_trace_adopt(void *buf, size_t len);
bool bench_trace_written(void);
size_t bench_trace_size(void);
int bench_trace_load(struct bench_trace *t, char *msg, size_t msg_size);
void bench_trace_unload(struct bench_trace *t);

/* replay.c: bench_replay_lock serialises the replay and its results. */
extern struct mutex bench_replay_lock;
int bench_replay_run(bool nomem);
void bench_replay_written(void);
int bench_replay_show(struct seq_file *m, void *v);
void bench_replay_exit(void);
int bench_series_show(struct seq_file *m, void *v);

/* burst.c */
extern const struct file_operations bench_burst_fops;

/* debugfs.c */
void bench_debugfs_create(void);
void bench_debugfs_remove(void);

/* boot.c */
void bench_boot(void);

#endif /* GOSLAB_BENCH_H */
