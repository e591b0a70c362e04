// SPDX-License-Identifier: GPL-2.0
/*
 * goslab debug mode, in the style of SLUB's slab_debug= letters:
 *
 *   P  poison: a freed object is filled with POISON_FREE and checked when
 *      it is handed out again, so a write after free is caught;
 *   Z  red zone: the slack between the requested size and the class size
 *      is filled with a pattern at allocation and checked at free, so a
 *      write past the requested size is caught;
 *   U  user tracking: allocation and free call stacks are kept in the
 *      stack depot and printed in every report.
 *
 * Set at load (debug=PZU) or at run time through
 * /sys/module/goslab/parameters/debug; "-" or "" turns it off.  Off, the
 * hooks sit behind a static key and cost nothing.  Spans made while it
 * is on carry one record per object; objects without a record (made
 * while it was off) are never checked, so switching at run time is safe.
 * Tiny packing is not used while it is on: every object gets a slot of
 * its own so it can have a red zone.  Checks only, a leaf: it reports
 * through report.c; post_alloc_hook() and the free paths call it
 * (malloc.c has the overview).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/jump_label.h>
#include <linux/kmemleak.h>
#include <linux/poison.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/stackdepot.h>
#include <linux/string.h>

#include "debug.h"
#include "arena.h"
#include "mspan.h"
#include "report.h"
#include "kasan.h"

DEFINE_STATIC_KEY_FALSE(gs_debug_key);
unsigned int gs_debug_flags;

#define GS_REDZONE	0xcc	/* SLUB's SLUB_RED_ACTIVE */

/* Per-object record; flags below. */
#define OBJ_LIVE	0x1	/* allocated while debug mode was on */
#define OBJ_POISONED	0x2	/* filled with POISON_FREE at free */

/*
 * A record is only believed if it was written under the current setting:
 * every gs_debug_set() starts a new generation, kept in the flags' upper
 * bits.  While debug mode is off (or without P or Z) objects come and go
 * without their records being updated, so a record from an older
 * generation says nothing about the object's poison or red zone now.
 */
#define OBJ_GEN_SHIFT	8
static u32 gs_debug_gen;

static inline u32 obj_gen(void)
{
	return READ_ONCE(gs_debug_gen) << OBJ_GEN_SHIFT;
}

struct gs_objdebug {
	u32 size;
	u32 flags;
	depot_stack_handle_t alloc_stack;
	depot_stack_handle_t free_stack;
};

static DEFINE_MUTEX(gs_debug_mutex);
static char gs_debug_str[8] = "-";

static int debug_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int flags = 0;
	const char *c;

	for (c = val; *c && *c != '\n'; c++) {
		switch (*c) {
		case 'P':
		case 'p':
			flags |= GS_DEBUG_POISON;
			break;
		case 'Z':
		case 'z':
			flags |= GS_DEBUG_REDZONE;
			break;
		case 'U':
		case 'u':
			flags |= GS_DEBUG_TRACK;
			break;
		case '-':
			break;
		default:
			return -EINVAL;
		}
	}
	if ((flags & GS_DEBUG_TRACK) && !IS_ENABLED(CONFIG_STACKDEPOT))
		return -EINVAL;
	mutex_lock(&gs_debug_mutex);
#ifdef CONFIG_STACKDEPOT
	if ((flags & GS_DEBUG_TRACK) && stack_depot_init()) {
		mutex_unlock(&gs_debug_mutex);
		return -ENOMEM;
	}
#endif
	WRITE_ONCE(gs_debug_flags, flags);
	WRITE_ONCE(gs_debug_gen, gs_debug_gen + 1);
	if (flags)
		static_branch_enable(&gs_debug_key);
	else
		static_branch_disable(&gs_debug_key);
	scnprintf(gs_debug_str, sizeof(gs_debug_str), "%s%s%s%s",
		  flags & GS_DEBUG_POISON ? "P" : "",
		  flags & GS_DEBUG_REDZONE ? "Z" : "",
		  flags & GS_DEBUG_TRACK ? "U" : "", flags ? "" : "-");
	mutex_unlock(&gs_debug_mutex);
	return 0;
}

static int debug_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", gs_debug_str);
}

static const struct kernel_param_ops debug_param_ops = {
	.set = debug_param_set,
	.get = debug_param_get,
};
module_param_cb(debug, &debug_param_ops, NULL, 0644);
MODULE_PARM_DESC(debug, "debug letters: P poison, Z red zone, U user tracking, - off");

/**
 * gs_debug_set - switch debug mode from code (tests)
 * @letters: as for the debug= parameter
 */
int gs_debug_set(const char *letters)
{
	return debug_param_set(letters, NULL);
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
static struct task_struct *gs_debug_test_task;
static const char *gs_debug_test_letters;
static bool gs_debug_test_done;

/* Tests: debug mode's records cannot be had (gs_debug_span_init()). */
bool gs_debug_test_no_records;

/**
 * gs_debug_test_switch - switch debug mode inside the next API call
 * @letters: the setting to switch to, as for gs_debug_set(); NULL only
 *	disarms
 *
 * The next gs_debug_read() of the calling task switches to @letters
 * right after it read the key, as a switch from another CPU could, but
 * with no other CPU running the code being patched (QEMU's TCG may trap
 * on that).  That call must be made where it may sleep.
 * Return: true if the switch armed before was made.
 */
bool gs_debug_test_switch(const char *letters)
{
	bool done = gs_debug_test_done;

	WRITE_ONCE(gs_debug_test_task, NULL);
	gs_debug_test_done = false;
	gs_debug_test_letters = letters;
	if (letters)
		WRITE_ONCE(gs_debug_test_task, current);
	return done;
}

/*
 * gs_debug_read()'s hook: the armed switch, once, in the armed task (not
 * in an interrupt that found it current).
 */
void gs_debug_test_read(void)
{
	if (likely(READ_ONCE(gs_debug_test_task) != current) || !in_task())
		return;
	WRITE_ONCE(gs_debug_test_task, NULL);
	might_sleep();
	gs_debug_test_done = !gs_debug_set(gs_debug_test_letters);
}
#endif

static depot_stack_handle_t gs_save_stack(gfp_t gfp)
{
#ifdef CONFIG_STACKDEPOT
	unsigned long entries[16];
	unsigned int n = stack_trace_save(entries, ARRAY_SIZE(entries), 2);

	return stack_depot_save(entries, n, gfp & ~__GFP_ZERO);
#else
	return 0;
#endif
}

static void gs_print_stack(const char *what, depot_stack_handle_t h)
{
	if (!h)
		return;
	pr_err("goslab: %s:\n", what);
#ifdef CONFIG_STACKDEPOT
	stack_depot_print(h);
#endif
}

/**
 * gs_debug_span_init - give a new span its per-object records
 * @s: the span, not yet visible to any allocation
 * @gfp: the allocation's flags
 * @may_block: the caller may sleep now
 *
 * With poisoning on, the whole span is poisoned so that every object is
 * checked the first time it is handed out too.  Where the caller cannot
 * sleep now the records are taken with GFP_ATOMIC; when they cannot be
 * had the span simply has none, and its objects go unchecked: debug mode
 * never fails an allocation that would succeed without it.
 * Return: 0, or -ENOMEM for a span without records.
 */
int gs_debug_span_init(struct mspan *s, gfp_t gfp, bool may_block)
{
	gfp_t g = may_block ? (gfp & ~(__GFP_ZERO | __GFP_NOFAIL)) : GFP_ATOMIC;
	unsigned int i;

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
	if (READ_ONCE(gs_debug_test_no_records))
		return -ENOMEM;
#endif
	s->debug = kcalloc(s->nelems, sizeof(struct gs_objdebug),
			   g | __GFP_NOWARN);
	if (!s->debug)
		return -ENOMEM;
	/*
	 * The only pointer to the records is in the span, which lives in a
	 * fixalloc chunk from the page allocator that kmemleak never scans:
	 * without this, kmemleak would call every span's records a leak.
	 * They hold no pointers (sizes, flags, stack depot handles), so
	 * kmemleak need not scan them either.
	 */
	kmemleak_ignore(s->debug);
	if (gs_debug_flags & GS_DEBUG_POISON) {
		/* Freed pages to KASAN; mheap_alloc() marks them after us. */
		gs_kasan_unpoison((void *)s->start_addr,
				  (unsigned long)s->npages << GOSLAB_PAGE_SHIFT);
		memset((void *)s->start_addr, POISON_FREE,
		       (unsigned long)s->npages << GOSLAB_PAGE_SHIFT);
		for (i = 0; i < s->nelems; i++)
			s->debug[i].flags = OBJ_POISONED | obj_gen();
		s->needzero = 1;
	}
	return 0;
}

void gs_debug_span_free(struct mspan *s)
{
	kfree(s->debug);
	s->debug = NULL;
}

/* Report a corrupted byte of object @idx and what is known of it. */
static void gs_debug_report(struct mspan *s, unsigned int idx, void *obj,
			    const u8 *bad, enum report_reason why,
			    unsigned long caller)
{
	struct gs_objdebug *d = &s->debug[idx];

	report_corruption(bad, why, obj, d->size, s->elemsize, caller);
	gs_print_stack("allocated by", d->alloc_stack);
	gs_print_stack("freed by", d->free_stack);
}

/**
 * gs_debug_alloc - debug checks and set-up of a freshly allocated object
 * @p: the object
 * @size: bytes requested
 * @flags: the allocation's flags
 *
 * Runs after the object left the allocator, before the caller sees it.
 * Zeroes the requested bytes if the flags ask for it (the fast path does
 * not zero in debug mode, so that the poison can be checked first).
 */
void gs_debug_alloc(void *p, size_t size, gfp_t flags)
{
	struct mspan *s = span_of((unsigned long)p);
	unsigned int idx;
	unsigned int mode = READ_ONCE(gs_debug_flags);
	struct gs_objdebug *d;
	u32 gen = obj_gen();
	u8 *b = p;

	if (!s || !s->debug) {
		if (want_init_on_alloc(flags))
			memset(p, 0, s ? s->elemsize : size);
		return;
	}
	idx = mspan_obj_index(s, (unsigned long)p);
	d = &s->debug[idx];
	if (d->flags == (OBJ_POISONED | gen)) {
		const u8 *bad = memchr_inv(b, POISON_FREE, s->elemsize);

		if (bad) {
			gs_debug_report(s, idx, p, bad, REPORT_WRITE_AFTER_FREE,
					_RET_IP_);
			memset(b, POISON_FREE, s->elemsize);
		}
	}
	d->flags = OBJ_LIVE | gen;
	d->size = size;
	d->free_stack = 0;
	d->alloc_stack = (mode & GS_DEBUG_TRACK) ? gs_save_stack(flags) : 0;
	if (want_init_on_alloc(flags))
		memset(b, 0, size);
	if (mode & GS_DEBUG_REDZONE)
		memset(b + size, GS_REDZONE, s->elemsize - size);
}

/**
 * gs_debug_free - debug checks of an object being freed
 * @s: its span
 * @idx: its index
 * @p: the object, already checked to be allocated
 * @caller: for reports
 *
 * Return: true if the object was poisoned (no further clearing needed).
 */
bool gs_debug_free(struct mspan *s, unsigned int idx, void *p,
		   unsigned long caller)
{
	unsigned int mode = READ_ONCE(gs_debug_flags);
	struct gs_objdebug *d;
	u32 gen = obj_gen();
	u8 *b = p;

	if (!s->debug)
		return false;
	d = &s->debug[idx];
	if (d->flags == (OBJ_LIVE | gen) && (mode & GS_DEBUG_REDZONE)) {
		const u8 *bad = memchr_inv(b + d->size, GS_REDZONE,
					   s->elemsize - d->size);

		if (bad)
			gs_debug_report(s, idx, p, bad,
					REPORT_WRITE_PAST_END,
					caller);
	}
	d->free_stack = (mode & GS_DEBUG_TRACK) ? gs_save_stack(GFP_NOWAIT) : 0;
	d->flags = gen;
	if (mode & GS_DEBUG_POISON) {
		memset(b, POISON_FREE, s->elemsize);
		d->flags = OBJ_POISONED | gen;
		return true;
	}
	return false;
}

/* Object @idx's record, if it was handed out under the current setting. */
static struct gs_objdebug *gs_live_record(struct mspan *s, unsigned int idx)
{
	if (s->debug && s->debug[idx].flags == (OBJ_LIVE | obj_gen()))
		return &s->debug[idx];
	return NULL;
}

/*
 * Bytes of object @idx of @s that hold data: the size asked for when its
 * record is current (the rest of the slot is red zone, not data), else
 * the whole slot.
 */
size_t gs_debug_size(struct mspan *s, unsigned int idx)
{
	struct gs_objdebug *d = gs_live_record(s, idx);

	return d ? d->size : s->elemsize;
}

/**
 * gs_debug_usable - a caller learnt the usable size of object @idx
 * @s: its span
 * @idx: its index
 *
 * goslab_usable_size() promises the whole slot, so the slot is the
 * object's from now on: its red zone shrinks to nothing, as SLUB's
 * ksize() gives up the kmalloc red zone of an object (skip_orig_size_check).
 */
void gs_debug_usable(struct mspan *s, unsigned int idx)
{
	struct gs_objdebug *d = gs_live_record(s, idx);

	if (d)
		d->size = s->elemsize;
}

/**
 * gs_debug_realloc - an in-place goslab_realloc() of @p to @new_size
 * @p: the object, live, its whole slot addressable
 * @new_size: its size from now on, at most the slot's
 * @flags: the realloc's flags
 *
 * The red zone is kept, at the new size: the old one is checked, the
 * bytes the object grows by are cleared if @flags ask for zeroing (they
 * held the red zone), and the slot past @new_size becomes the red zone
 * (or is cleared, as krealloc() clears it, without Z).
 * Return: false if @p has no current record: the caller clears the spare
 * bytes itself.
 */
bool gs_debug_realloc(void *p, size_t new_size, gfp_t flags)
{
	struct mspan *s = span_of((unsigned long)p);
	unsigned int mode = READ_ONCE(gs_debug_flags), idx;
	struct gs_objdebug *d;
	u8 *b = p;

	if (!s || !s->debug)
		return false;
	idx = mspan_obj_index(s, (unsigned long)p);
	d = gs_live_record(s, idx);
	if (!d)
		return false;
	if (mode & GS_DEBUG_REDZONE) {
		const u8 *bad = memchr_inv(b + d->size, GS_REDZONE,
					   s->elemsize - d->size);

		if (bad)
			gs_debug_report(s, idx, p, bad, REPORT_WRITE_PAST_END,
					_RET_IP_);
	}
	if (new_size > d->size && want_init_on_alloc(flags))
		memset(b + d->size, 0, new_size - d->size);
	d->size = new_size;
	if (mode & GS_DEBUG_REDZONE)
		memset(b + new_size, GS_REDZONE, s->elemsize - new_size);
	else if (want_init_on_alloc(flags))
		memset(b + new_size, 0, s->elemsize - new_size);
	return true;
}

/**
 * gs_debug_print_object - print what debug mode knows of a bad pointer
 * @s: the span of @p
 * @p: the pointer reported
 */
void gs_debug_print_object(struct mspan *s, const void *p)
{
	unsigned int idx;

	if (!s || !s->debug || (unsigned long)p >= s->limit)
		return;
	idx = mspan_obj_index(s, (unsigned long)p);
	gs_print_stack("last allocated by", s->debug[idx].alloc_stack);
	gs_print_stack("last freed by", s->debug[idx].free_stack);
}
