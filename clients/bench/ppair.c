// SPDX-License-Identifier: GPL-2.0
/*
 * Alloc+free pairs on two CPUs at once: two kthreads, bound to the first
 * two online CPUs, each running micro.c's pair loop on objects of its
 * own, started together.  Nothing crosses between the CPUs but what the
 * allocator shares (SLUB's node partial list, goslab's central lists and
 * heap): the row says what a lock or a cache line both CPUs take costs,
 * which the one-CPU pair cannot show.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/completion.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/minmax.h>

#include "bench.h"

struct pp_thread {
	bool g;
	size_t size;
	unsigned int iters;
	atomic_t *go;
	u64 ns;
	int err;
	struct completion done;
};

static int pp_fn(void *arg)
{
	struct pp_thread *x = arg;

	/* Both threads are bound and awake before either starts. */
	atomic_inc(x->go);
	while (atomic_read(x->go) < 2)
		cond_resched();
	x->err = x->g ? bench_pair_g(x->size, x->iters, &x->ns) :
			bench_pair_s(x->size, x->iters, &x->ns);
	complete(&x->done);
	bench_park_until_stop();
	return 0;
}

/*
 * @iters pairs of @size on each of two CPUs at the same time, with
 * goslab (@g) or SLUB; *@ns is the slower CPU's time.  -ENODEV with
 * fewer than two CPUs online.
 */
int bench_ppair_run(bool g, size_t size, unsigned int iters, u64 *ns)
{
	struct task_struct *t[2] = { NULL, NULL };
	atomic_t go = ATOMIC_INIT(0);
	struct pp_thread x[2];
	int cpu[2], i, err = 0;

	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	if (cpu[1] >= nr_cpu_ids)
		return -ENODEV;
	for (i = 0; i < 2; i++) {
		x[i] = (struct pp_thread){ .g = g, .size = size,
			.iters = iters, .go = &go };
		init_completion(&x[i].done);
		t[i] = kthread_create(pp_fn, &x[i], "gsbench-p%d", i);
		if (IS_ERR(t[i])) {
			err = PTR_ERR(t[i]);
			t[i] = NULL;
			break;
		}
		kthread_bind(t[i], cpu[i]);
	}
	if (err) {
		for (i = 0; i < 2; i++)
			if (t[i])
				kthread_stop(t[i]);
		return err;
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
	for (i = 0; i < 2; i++)
		wait_for_completion(&x[i].done);
	for (i = 0; i < 2; i++)
		kthread_stop(t[i]);
	*ns = max(x[0].ns, x[1].ns);
	return x[0].err ?: x[1].err;
}
