// SPDX-License-Identifier: GPL-2.0
/*
 * report: every message goslab prints (see report.h).  A bad pointer is
 * counted, printed with its caller (ratelimited) and warned about once;
 * the operation it came with is then ignored, so the heap stays
 * consistent.  Debug mode's corruption reports say everything in their
 * own lines and do not WARN.  malloc.c's overview says where each path
 * reports.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/bug.h>

#include "report.h"
#include "arena.h"
#include "debug.h"

struct report_stats report_stats;

static const char *const report_reasons[REPORT_NR_REASONS] = {
	[REPORT_NOT_OWNED] = "pointer goslab does not own",
	[REPORT_USABLE_NOT_OWNED] =
		"usable_size of a pointer goslab does not own",
	[REPORT_FREE_MEMORY] = "pointer to free goslab memory",
	[REPORT_MIDDLE] = "pointer into the middle of an object",
	[REPORT_NOT_ALLOCATED] = "object not allocated (double free?)",
	[REPORT_DOUBLE_FREE] = "double free",
	[REPORT_TINY_NOT_ALLOCATED] = "tiny object not allocated",
	[REPORT_LIFO_NOT_FREE] =
		"LIFO names an object that is not free (write after free?)",
	[REPORT_LINK_OVERWRITTEN] =
		"link in a freed object overwritten (write after free?)",
	[REPORT_RACING_DOUBLE_FREE] =
		"double free (by two CPUs at once)",
	[REPORT_WRITE_AFTER_FREE] = "write after free",
	[REPORT_WRITE_PAST_END] = "write past the end of the object",
};

/* The words a report uses for @why. */
static const char *report_reason_str(enum report_reason why)
{
	if (why >= REPORT_NR_REASONS)
		return "unknown";
	return report_reasons[why];
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* The last report, for tests that assert on what was reported. */
static DEFINE_SPINLOCK(report_lock);
static struct report_record report_last;

static void report_note(const void *p, enum report_reason why,
			unsigned long caller)
{
	unsigned long flags;

	spin_lock_irqsave(&report_lock, flags);
	report_last.addr = p;
	report_last.why = why;
	report_last.reason = report_reason_str(why);
	report_last.caller = caller;
	report_last.seq++;
	spin_unlock_irqrestore(&report_lock, flags);
}

/**
 * report_get_last - what the last report said
 * @r: filled in; its seq counts the reports so far
 */
void report_get_last(struct report_record *r)
{
	unsigned long flags;

	spin_lock_irqsave(&report_lock, flags);
	*r = report_last;
	spin_unlock_irqrestore(&report_lock, flags);
}
#else
static inline void report_note(const void *p, enum report_reason why,
			       unsigned long caller)
{
}
#endif

/**
 * report_bad - report a bad pointer handed to goslab
 * @p: the pointer
 * @why: what is wrong with it
 * @caller: the return address of the goslab API call
 */
void report_bad(const void *p, enum report_reason why, unsigned long caller)
{
	const char *reason = report_reason_str(why);

	atomic_long_inc(&report_stats.bad_frees);
	report_note(p, why, caller);
	pr_err_ratelimited("goslab: %s: pointer %px from %pS\n", reason, p,
			   (void *)caller);
	if (gs_debug_on())
		gs_debug_print_object(span_of((unsigned long)p), p);
	WARN_ONCE(1, "goslab: bad pointer %px: %s\n", p, reason);
}

/**
 * report_corruption - debug mode found a byte it did not write
 * @bad: the byte
 * @why: REPORT_WRITE_AFTER_FREE or REPORT_WRITE_PAST_END
 * @obj: the object it belongs to
 * @size: bytes the object's caller asked for
 * @elemsize: the object's slot
 * @caller: the goslab API call that found it
 *
 * debug.c prints the object's stacks after it; no WARN, the report says
 * everything.
 */
void report_corruption(const void *bad, enum report_reason why,
		       const void *obj, size_t size, unsigned int elemsize,
		       unsigned long caller)
{
	atomic_long_inc(&report_stats.debug_reports);
	report_note(bad, why, caller);
	pr_err("goslab: %s at %px: byte 0x%02x at offset %td of object %px (%zu bytes requested, class size %u)\n",
	       report_reason_str(why), bad, *(const u8 *)bad,
	       (const u8 *)bad - (const u8 *)obj, obj, size, elemsize);
}

/**
 * report_alloc_failed - an allocation returns NULL
 * @size: bytes asked for
 * @flags: its flags (the caller checks __GFP_NOWARN)
 */
void report_alloc_failed(size_t size, gfp_t flags)
{
	pr_warn_ratelimited("goslab: allocation of %zu bytes failed (gfp %pGg)\n",
			    size, &flags);
}

/**
 * report_too_large - an allocation over GOSLAB_MAX_SIZE
 * @size: bytes asked for
 * @flags: its flags
 */
void report_too_large(size_t size, gfp_t flags)
{
	WARN_ONCE(!(flags & __GFP_NOWARN),
		  "goslab: %zu bytes is over the largest object\n", size);
}

/**
 * report_zone - a zone modifier in an allocation's flags
 * @flags: the flags
 *
 * __GFP_DMA is refused (goslab has no heap in the DMA zone); the others
 * are dropped, as kmalloc() drops them: see alloc_zone_fixup().
 */
void report_zone(gfp_t flags)
{
	if (flags & __GFP_DMA)
		WARN_ONCE(!(flags & __GFP_NOWARN),
			  "goslab: no DMA-zone memory (gfp %pGg): use kmalloc()\n",
			  &flags);
	else
		WARN_ONCE(!(flags & __GFP_NOWARN),
			  "goslab: unexpected gfp %pGg: zone modifiers dropped\n",
			  &flags);
}

/**
 * report_leaked - objects of one class still live at unload
 * @live: how many
 * @sizeclass: their size class, 0 for large objects
 * @size: the class's size
 */
void report_leaked(unsigned long live, unsigned int sizeclass,
		   unsigned int size)
{
	pr_warn("goslab: %lu object(s) of class %u (%s%u bytes) not freed at unload\n",
		live, sizeclass, sizeclass ? "" : "large, span of ", size);
}

/**
 * report_leaked_total - the sum of report_leaked()'s counts
 * @total: objects leaked
 */
void report_leaked_total(unsigned long total)
{
	pr_warn("goslab: %lu object(s) leaked by goslab's clients\n", total);
}

/**
 * report_foreign_free - a heap page lost references to another allocator
 * @page: the page's address
 * @lost: references taken (a kfree() each), or < 0 for extra ones held
 *
 * A kfree(), kvfree() or kfree_rcu() of a goslab object: SLUB's kfree()
 * saw no slab and put the page (it warned once, "object pointer: ...").
 * goslab's extra references kept the page and its objects, so nothing
 * is corrupted; the object that was freed so stays allocated in goslab.
 */
void report_foreign_free(const void *page, int lost)
{
	atomic_long_inc(&report_stats.foreign_frees);
	if (lost > 0)
		pr_err_ratelimited("goslab: page %px lost %d reference(s): kfree(), kvfree() or kfree_rcu() of a goslab object; goslab kept the page, use goslab_free() or goslab_kfree()\n",
				   page, lost);
	else
		pr_err_ratelimited("goslab: page %px still has %d reference(s) besides goslab's at release: get_page() on goslab memory\n",
				   page, -lost);
}

/**
 * report_table_range - at load, memory the arena table cannot cover
 * @end: the physical end of memory
 * @covered: bytes of the direct map the table covers
 */
void report_table_range(u64 end, u64 covered)
{
	pr_err("goslab: memory ends at %llu GiB, beyond the %llu GiB the arena table covers (5-level paging?): refusing to load\n",
	       end >> 30, covered >> 30);
}

/**
 * report_kept_pages - at unload, pages kept under leaked objects
 * @pages: goslab pages never given back
 */
void report_kept_pages(unsigned long pages)
{
	pr_warn("goslab: %lu page(s) of %lu KiB kept under leaked objects: never given back to the page allocator\n",
		pages, GOSLAB_PAGE_SIZE / 1024);
}

/**
 * report_nmi_dropped - frees from NMI refused, their objects leaked
 * @n: how many since the last report
 *
 * Printed from the irq_work that drains the NMI frees, not from NMI.
 */
void report_nmi_dropped(unsigned long n)
{
	pr_err("goslab: %lu free(s) from NMI refused: too many before interrupts were on; objects leaked\n",
	       n);
	WARN_ONCE(1, "goslab: frees from NMI refused\n");
}

/**
 * report_usercopy - a copy to or from user space leaves a goslab object
 * @name: what the copy started in ("goslab object")
 * @detail: which one ("goslab-64")
 * @to_user: the copy reads the object (an exposure), else writes it
 * @offset: where in the object the copy starts
 * @len: its length
 *
 * usercopy_abort()'s words, so that what reads the kernel's reports reads
 * goslab's; the kernel's own check then refuses the copy (usercopy.c).
 */
void report_usercopy(const char *name, const char *detail, bool to_user,
		     unsigned long offset, unsigned long len)
{
	pr_emerg("usercopy: Kernel memory %s attempt detected %s %s '%s' (offset %lu, size %lu)!\n",
		 to_user ? "exposure" : "overwrite", to_user ? "from" : "to",
		 name, detail, offset, len);
}

/**
 * report_usercopy_state - say at load whether copies are bounded
 * @on: the ftrace hook is on
 * @why: why not, when it is not
 * @err: the error that said so
 */
void report_usercopy_state(bool on, const char *why, int err)
{
	if (on)
		pr_info("goslab: usercopy checks on (an ftrace hook on __check_object_size)\n");
	else
		pr_info("goslab: usercopy checks off: %s (%d)\n", why, err);
}

/**
 * report_memcg_leaked - objects goslab handed to kmalloc live at unload
 * @n: how many
 *
 * They stay allocated (their owner may still hold them): kmalloc's, and
 * kmemleak's to find.
 */
void report_memcg_leaked(unsigned long n)
{
	pr_warn("goslab: %lu accounted object(s) handed to kmalloc not freed at unload\n",
		n);
}
