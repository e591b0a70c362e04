/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/bug.h>.  A kernel WARN is a bug report that make check
 * fails on, so here both WARN_ON_ONCE and BUG_ON print and abort: the
 * fuzzer records the input as a crash.
 */
#ifndef _FUZZ_SHIM_LINUX_BUG_H
#define _FUZZ_SHIM_LINUX_BUG_H

#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>

#define __fuzz_shim_report(kind, cond)					\
	(fprintf(stderr, "%s: %s at %s:%d (%s)\n", kind, #cond,	\
		 __FILE__, __LINE__, __func__), abort())

#define WARN_ON_ONCE(cond) ({						\
	bool __c = !!(cond);						\
	if (__c)							\
		__fuzz_shim_report("WARNING", cond);			\
	__c;								\
})
#define WARN_ON(cond)		WARN_ON_ONCE(cond)
#define BUG_ON(cond) do {						\
	if (cond)							\
		__fuzz_shim_report("BUG", cond);			\
} while (0)

#endif
