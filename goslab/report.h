/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report: every message goslab prints about its callers' mistakes and its
 * own failures, in one place, so that what a user reads and what a test
 * checks are the same words (KFENCE keeps its reports in report.c for the
 * same reason).  A leaf: it calls only debug.c, for debug mode's record of
 * an object.
 */
#ifndef _GOSLAB_REPORT_H
#define _GOSLAB_REPORT_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/gfp.h>

/* Why a pointer handed to goslab was refused, or what debug mode found. */
enum report_reason {
	REPORT_NOT_OWNED,		/* no goslab span covers it */
	REPORT_USABLE_NOT_OWNED,	/* the same, asked for its size */
	REPORT_FREE_MEMORY,		/* goslab pages outside every object */
	REPORT_MIDDLE,			/* not the start of an object */
	REPORT_NOT_ALLOCATED,		/* an object, but free */
	REPORT_DOUBLE_FREE,		/* a second free raced with the first */
	REPORT_TINY_NOT_ALLOCATED,	/* no live tiny object starts there */
	REPORT_LIFO_NOT_FREE,		/* a LIFO link names a live object */
	REPORT_LINK_OVERWRITTEN,	/* a freed object's link was written */
	/* Freed by its owner and by another CPU at once (mspan.h). */
	REPORT_RACING_DOUBLE_FREE,
	REPORT_WRITE_AFTER_FREE,	/* debug mode: poison changed */
	REPORT_WRITE_PAST_END,		/* debug mode: red zone changed */
	REPORT_NR_REASONS
};

/* Counters of reports, for debugfs's stats. */
struct report_stats {
	atomic_long_t bad_frees;
	atomic_long_t debug_reports;
	atomic_long_t foreign_frees;	/* heap pages kfree()d */
};

extern struct report_stats report_stats;

void report_bad(const void *p, enum report_reason why, unsigned long caller);
void report_corruption(const void *bad, enum report_reason why,
		       const void *obj, size_t size, unsigned int elemsize,
		       unsigned long caller);
void report_alloc_failed(size_t size, gfp_t flags);
void report_too_large(size_t size, gfp_t flags);
void report_zone(gfp_t flags);
void report_leaked(unsigned long live, unsigned int sizeclass,
		   unsigned int size);
void report_leaked_total(unsigned long total);
void report_kept_pages(unsigned long pages);
void report_table_range(u64 end, u64 covered);
void report_foreign_free(const void *page, int lost);
void report_nmi_dropped(unsigned long n);
void report_usercopy(const char *name, const char *detail, bool to_user,
		     unsigned long offset, unsigned long len);
void report_usercopy_state(bool on, const char *why, int err);
void report_memcg_leaked(unsigned long n);

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* What report_bad() or report_corruption() said last, for the tests. */
struct report_record {
	const void *addr;
	const char *reason;
	enum report_reason why;
	unsigned long caller;
	unsigned long seq;
};

void report_get_last(struct report_record *r);
#endif

#endif /* _GOSLAB_REPORT_H */
