// SPDX-License-Identifier: GPL-2.0
/*
 * The trace goslab_bench replays (the format of shared/traces/README.md:
 * "a CPU ID SIZE ATOMIC" and "f CPU ID" lines): its text as written to
 * the "replay" file, in as many write() calls as it takes, or as read
 * from a file at boot; and the events a replay runs, loaded from that
 * text in three steps: parsing, mapping the trace's CPUs onto the online
 * ones, and dropping the frees a replay cannot make.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/cpumask.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/uaccess.h>

#include "bench.h"

#define TRACE_MAX_IDS		(16U << 20)
#define TRACE_MAX_CPUS		64	/* CPUs one trace may name */

/* The trace as written; all under bench_replay_lock. */
static char *text;
static size_t text_len, text_cap;

/* Forget the trace written so far. */
void bench_trace_reset(void)
{
	vfree(text);
	text = NULL;
	text_len = 0;
	text_cap = 0;
}

/* Append @len bytes from user space, the buffer doubling as it fills. */
ssize_t bench_trace_append(const char __user *ubuf, size_t len)
{
	if (text_len + len + 1 > text_cap) {
		size_t cap = max(text_cap * 2, (size_t)(1 << 20));
		char *n;

		while (cap < text_len + len + 1)
			cap *= 2;
		if (cap > BENCH_TRACE_MAX_BYTES)
			return -EFBIG;
		n = vmalloc(cap);
		if (!n)
			return -ENOMEM;
		if (text)
			memcpy(n, text, text_len);
		vfree(text);
		text = n;
		text_cap = cap;
	}
	if (copy_from_user(text + text_len, ubuf, len))
		return -EFAULT;
	text_len += len;
	return len;
}

/* Take @buf (vmalloc'ed, @len bytes) as the trace, replacing any other. */
void bench_trace_adopt(void *buf, size_t len)
{
	vfree(text);
	text = buf;
	text_len = len;
	text_cap = len;
}

/* Whether anything was written (or adopted) since the last reset. */
bool bench_trace_written(void)
{
	return text;
}

/* The size of the trace's text; 0 when none. */
size_t bench_trace_size(void)
{
	return text ? text_len : 0;
}

/*
 * Step 1: the events of @s, in trace order, each event's worker set to
 * its CPU's rank of first appearance in the trace.  Returns the number
 * of CPUs the trace names, or an error with @msg saying why.
 */
static int trace_parse_events(struct bench_trace *t, char *s, char *msg,
			      size_t msg_size)
{
	unsigned int maxid = 0, nev = 0, cpus[TRACE_MAX_CPUS], ncpus = 0;
	unsigned int line = 0;
	char *l;

	for (l = s; *l; l++)
		if (*l == '\n')
			nev++;
	nev++;
	t->ev = kvmalloc_array(nev, sizeof(*t->ev), GFP_KERNEL);
	if (!t->ev)
		return -ENOMEM;
	nev = 0;
	while ((l = strsep(&s, "\n"))) {
		unsigned int cpu, id, size = 0, atomic = 0, w;
		char type;
		int n;

		line++;
		l = skip_spaces(l);
		if (!*l || *l == '#')
			continue;
		n = sscanf(l, "%c %u %u %u %u", &type, &cpu, &id, &size, &atomic);
		if (!((type == 'a' && n == 5) || (type == 'f' && n >= 3)) ||
		    id == 0 || id >= TRACE_MAX_IDS ||
		    (type == 'a' && (size == 0 || size > GOSLAB_MAX_SIZE))) {
			snprintf(msg, msg_size, "line %u: bad event", line);
			return -EINVAL;
		}
		for (w = 0; w < ncpus && cpus[w] != cpu; w++)
			;
		if (w == ncpus) {
			if (ncpus == ARRAY_SIZE(cpus)) {
				snprintf(msg, msg_size, "more than %u CPUs", ncpus);
				return -EINVAL;
			}
			cpus[ncpus++] = cpu;
		}
		t->ev[nev] = (struct bench_event){ .id = id, .size = size,
			.type = type == 'a' ? EV_ALLOC : EV_FREE,
			.atomic = !!atomic, .worker = w };
		maxid = max(maxid, id);
		nev++;
	}
	if (!nev) {
		snprintf(msg, msg_size, "no events");
		return -EINVAL;
	}
	t->nev = nev;
	t->maxid = maxid;
	return ncpus;
}

/*
 * Step 2: map the trace's @ncpus CPUs onto the online ones, in order of
 * first appearance: one bound worker per online CPU used, the trace's
 * CPUs beyond the online ones dealt round to the workers.
 */
static void trace_map_cpus(struct bench_trace *t, unsigned int ncpus)
{
	unsigned int nonline = num_online_cpus(), k, i;
	int map[TRACE_MAX_CPUS], cpu = -1;

	for (k = 0; k < ncpus; k++) {
		if (k < nonline) {
			cpu = cpumask_next(cpu, cpu_online_mask);
			map[k] = k;
			t->worker_cpu[k] = cpu;
		} else {
			map[k] = k % nonline;
		}
	}
	t->nworkers = min(ncpus, nonline);
	for (i = 0; i < t->nev; i++)
		t->ev[i].worker = map[t->ev[i].worker];
}

/*
 * Step 3: drop the events no replay can run: frees of unknown or already
 * freed ids (a capture that began mid-run frees objects it never saw
 * allocated), and allocations that reuse a live or freed id.  Records
 * each id's requested size too, for the bytes requested over time.
 */
static int trace_drop_orphans(struct bench_trace *t)
{
	unsigned int i, nev;
	u8 *state;

	state = kvzalloc(t->maxid + 1, GFP_KERNEL);
	t->objsize = kvcalloc(t->maxid + 1, sizeof(u32), GFP_KERNEL);
	if (!state || !t->objsize) {
		kvfree(state);
		return -ENOMEM;
	}
	t->nalloc = 0;
	t->nfree = 0;
	t->nskipped = 0;
	for (i = 0, nev = 0; i < t->nev; i++) {
		struct bench_event *e = &t->ev[i];

		if (e->type == EV_ALLOC) {
			if (state[e->id]) {
				t->nskipped++;
				continue;
			}
			state[e->id] = 1;
			t->objsize[e->id] = e->size;
			t->nalloc++;
		} else {
			if (state[e->id] != 1) {
				t->nskipped++;
				continue;
			}
			state[e->id] = 2;
			t->nfree++;
		}
		t->ev[nev++] = *e;
	}
	t->nev = nev;
	t->live_end = t->nalloc - t->nfree;
	kvfree(state);
	return 0;
}

/*
 * Load the trace written into @t; on an error, @msg may say why.  Either
 * way, bench_trace_unload() frees what was loaded.
 */
int bench_trace_load(struct bench_trace *t, char *msg, size_t msg_size)
{
	char *copy;
	int ncpus;

	/* strsep() writes into the text: parse a copy, keep the trace. */
	copy = kvmalloc(text_len + 1, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, text_len);
	copy[text_len] = 0;
	ncpus = trace_parse_events(t, copy, msg, msg_size);
	kvfree(copy);
	if (ncpus < 0)
		return ncpus;
	trace_map_cpus(t, ncpus);
	return trace_drop_orphans(t);
}

void bench_trace_unload(struct bench_trace *t)
{
	kvfree(t->ev);
	kvfree(t->objsize);
	t->ev = NULL;
	t->objsize = NULL;
}
