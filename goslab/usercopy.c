// SPDX-License-Identifier: GPL-2.0
/*
 * usercopy: a copy to or from user space that starts in a goslab object
 * must stay inside it, as CONFIG_HARDENED_USERCOPY makes a copy stay
 * inside its kmalloc object.  Go has no counterpart.
 *
 * The kernel's check (mm/usercopy.c) runs from check_object_size(),
 * inlined into every copy_{to,from}_user() whose size the compiler does
 * not know, and calls the exported __check_object_size().  There,
 * check_heap_object() asks the folio: a slab folio goes to
 * __check_heap_object() and its cache's bounds, a large folio bounds the
 * copy by the folio, anything else passes.  goslab's pages are neither
 * (an arena is a run of plain pages), so every copy from a goslab object
 * passes.  A module cannot change that code, and usercopy_abort(), which
 * reports and BUGs, is not exported.  So:
 *
 *  - an ftrace hook on __check_object_size() (the livepatch mechanism:
 *    an ftrace_ops with IPMODIFY on one function) looks the copy's start
 *    up in goslab's arena table, span_of(), as every free does;
 *  - a copy that leaves the object it starts in makes the hook point the
 *    saved instruction pointer at usercopy_refuse(), which has
 *    __check_object_size()'s arguments and so runs in its place, in the
 *    copy's own context: it reports in the kernel's words
 *    (report_usercopy()), then has the kernel's own check refuse the copy
 *    (usercopy_abort()'s BUG, as for a kmalloc object);
 *  - anything else returns to __check_object_size(), whose checks run
 *    as before.
 *
 * The bound is the object's slot (its size class, the pages of a large
 * object, the bytes of a tiny object), as SLUB bounds a kmalloc copy by
 * the cache's object size; KASAN checks the bytes a copy touches against
 * the request itself.  Design.rst says what it costs per copy.
 *
 * Without the hook (a kernel without CONFIG_HARDENED_USERCOPY or ftrace
 * with arguments, the goslab.usercopy=0 parameter, or ftrace refusing the
 * ops) goslab loads all the same and says that its usercopy checks are
 * off.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ftrace.h>
#include <linux/thread_info.h>
#include <linux/kernel.h>

#include "usercopy.h"
#include "arena.h"
#include "mspan.h"
#include "report.h"
#include "compat.h"

static bool usercopy = true;
module_param(usercopy, bool, 0444);
MODULE_PARM_DESC(usercopy,
		 "bound copies to and from user space by goslab objects (default on; reads N when the checks are off)");

/*
 * The tiny object of the block at @block whose extent holds byte @off:
 * its first byte and its extent's size, from the block's start bits and
 * held state, read without the block's lock (tiny_object_size(): a stale
 * pair may take a sentinel for an object or end an extent early, never
 * bound a copy by bytes the mcache hands out); *@packed says it is a
 * tiny object, not a 16-byte one.  Return: false when no live tiny
 * object holds it.
 */
static notrace bool usercopy_tiny(const struct mspan *s, unsigned long block,
				  unsigned int off, unsigned int *start,
				  unsigned int *size, bool *packed)
{
	bool held;
	u16 r = tiny_read(s, block, &held);
	unsigned long starts = tiny_live_starts(r, held) & GENMASK(off, 0);
	unsigned int end;

	*packed = r;
	if (!r) {
		/* A 16-byte noscan object, or a block being freed. */
		*start = 0;
		*size = GS_TINY_SIZE;
		return true;
	}
	if (!starts)
		return false;
	*start = __fls(starts);
	end = tiny_extent_end(r, *start);
	if (off >= end)
		return false;
	*size = end - *start;
	return true;
}

/**
 * usercopy_check - does a copy of @n bytes at @ptr leave its goslab object?
 * @ptr: where the copy starts
 * @n: its length
 * @bad: if not NULL, filled in with what the report says
 *
 * Only the start is looked up, as the kernel looks up only the start's
 * folio: a copy that starts outside goslab is the kernel's to check.  A
 * span that is not in use (pages goslab holds free) is not checked
 * either, as the kernel does not check a free page.
 * Return: true if the copy must be refused.
 */
notrace bool usercopy_check(const void *ptr, unsigned long n,
			    struct usercopy_bad *bad)
{
	unsigned long p = (unsigned long)ptr, obj, slot;
	const char *name = "goslab object";
	struct mspan *s = span_of(p);
	unsigned int spc, start, size;
	bool packed = false;

	if (likely(!s))
		return false;
	/* Pairs with the smp_store_release() of s->state in mheap_alloc(). */
	if (smp_load_acquire(&s->state) != MSPAN_INUSE || p < s->start_addr)
		return false;
	spc = READ_ONCE(s->spanclass);
	if (p >= s->limit) {
		/* The span's tail, past its last object: nobody's bytes. */
		name = "goslab span tail";
		obj = s->limit;
		slot = 0;
	} else if (!spanclass_sizeclass(spc)) {
		obj = s->start_addr;
		slot = s->elemsize;
	} else if (spc == GS_TINY_SPANCLASS) {
		obj = p & ~(GS_TINY_SIZE - 1UL);
		if (usercopy_tiny(s, obj, p - obj, &start, &size, &packed)) {
			obj += start;
			slot = size;
		} else {
			name = "goslab tiny block";
			slot = 0;
		}
	} else {
		obj = mspan_obj_addr(s, mspan_obj_index(s, p));
		slot = s->elemsize;
	}
	if (slot && n <= slot - (p - obj))
		return false;
	if (!bad)
		return true;
	bad->name = name;
	bad->offset = p - obj;
	if (!spanclass_sizeclass(spc))
		snprintf(bad->detail, sizeof(bad->detail), "goslab-large");
	else if (packed && slot)
		snprintf(bad->detail, sizeof(bad->detail), "goslab-tiny");
	else
		snprintf(bad->detail, sizeof(bad->detail), "goslab-%u",
			 s->elemsize);
	return true;
}

#if IS_ENABLED(CONFIG_HARDENED_USERCOPY) && \
	IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
/*
 * Where the hook sends a copy that leaves its object: in place of
 * __check_object_size(), with its arguments, in the copy's context.  It
 * looks again, to report: an object that changed under the copy (its
 * owner freed it meanwhile) is the kernel's to check after all.
 */
static void usercopy_refuse(const void *ptr, unsigned long n, bool to_user)
{
	struct usercopy_bad bad;

	if (usercopy_check(ptr, n, &bad)) {
		report_usercopy(bad.name, bad.detail, to_user, bad.offset, n);
		/*
		 * The refusal is the kernel's own: __check_object_size()
		 * refuses a copy from ZERO_SIZE_PTR in usercopy_abort(),
		 * whose BUG() breaks locks and kills the task as for a
		 * kmalloc object (mm/usercopy.c says why it must), and
		 * hardened_usercopy=off lets it through as it lets every
		 * other copy through.  That pointer is not goslab's, so the
		 * hook does not come back here.
		 */
		ptr = ZERO_SIZE_PTR;
	}
	__check_object_size(ptr, n, to_user);
}

/*
 * The ftrace callback at __check_object_size()'s entry: one arena table
 * lookup for a pointer goslab does not own.  It calls nothing traced
 * unless the pointer is in a goslab span.
 */
static notrace void usercopy_hook(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op,
				  struct ftrace_regs *fregs)
{
	unsigned long p = compat_ftrace_arg(fregs, 0);

	if (likely(!span_of(p)))
		return;
	if (usercopy_check((const void *)p, compat_ftrace_arg(fregs, 1), NULL))
		compat_ftrace_set_ip(fregs, (unsigned long)usercopy_refuse);
}

static struct ftrace_ops usercopy_ops = {
	.func = usercopy_hook,
	.flags = FTRACE_OPS_FL_IPMODIFY,
};

static bool usercopy_on;

/* Hook __check_object_size(). Return: 0, or why not. */
static int usercopy_hook_on(const char **why)
{
	int err;

	err = ftrace_set_filter_ip(&usercopy_ops,
				   (unsigned long)__check_object_size, 0, 0);
	if (err) {
		*why = "ftrace cannot filter __check_object_size";
		return err;
	}
	err = register_ftrace_function(&usercopy_ops);
	if (err) {
		ftrace_free_filter(&usercopy_ops);
		*why = "ftrace refused the hook on __check_object_size";
		return err;
	}
	usercopy_on = true;
	return 0;
}

static void usercopy_hook_off(void)
{
	if (!usercopy_on)
		return;
	unregister_ftrace_function(&usercopy_ops);
	ftrace_free_filter(&usercopy_ops);
	usercopy_on = false;
}
#else
static int usercopy_hook_on(const char **why)
{
	*why = "the kernel has no CONFIG_HARDENED_USERCOPY or no ftrace with arguments";
	return -EOPNOTSUPP;
}

static void usercopy_hook_off(void)
{
}
#endif

/**
 * usercopy_init - hook the kernel's usercopy check, if it can be
 *
 * Never fails goslab's load: without the hook the checks are off, which
 * is said once, and the goslab.usercopy parameter then reads N.
 * Return: 0.
 */
int usercopy_init(void)
{
	const char *why = "goslab.usercopy=0";
	int err = -EPERM;

	if (usercopy)
		err = usercopy_hook_on(&why);
	usercopy = !err;
	report_usercopy_state(usercopy, why, err);
	return 0;
}

/** usercopy_exit - take the hook off (goslab's unload) */
void usercopy_exit(void)
{
	usercopy_hook_off();
}

/** usercopy_active - are copies from goslab objects bounded now? */
bool usercopy_active(void)
{
	return usercopy;
}
