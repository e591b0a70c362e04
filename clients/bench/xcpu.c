// SPDX-License-Identifier: GPL-2.0
/*
 * The cross-CPU micro-benchmark of goslab_bench: two kthreads, bound to
 * the first two online CPUs, each allocating objects and handing them
 * through a ring to the other, which frees them.  So every free is a
 * remote one, the case goslab's design has to make cheap.
 */
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/completion.h>
#include <linux/atomic.h>
#include <linux/cache.h>

#include "bench.h"

#define RING_SIZE		512	/* power of two */

/* One producer, one consumer: head and tail on their own cache lines. */
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
			p = bench_alloc(g, x->size, GFP_KERNEL);
			if (unlikely(!p)) {
				x->err = -ENOMEM;
				goto out;
			}
			WRITE_ONCE(*(char *)p, 1);
			while (!ring_push(x->out, p)) {
				/* Full: free what the other side sent. */
				void *q = ring_pop(x->in);

				if (q) {
					bench_free(g, q);
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
			bench_free(g, p);
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
	bench_park_until_stop();
	return 0;
}

/*
 * @n objects a CPU with goslab (@g) or SLUB; *@ns is the slower CPU's
 * time.  -ENODEV with fewer than two CPUs online.
 */
int bench_xcpu_run(bool g, size_t size, unsigned int n, u64 *ns)
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
			bench_free(g, p);
out:
	kfree(r[0]);
	kfree(r[1]);
	return err;
}
