/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels goslab builds on (Debian's 6.1 and
 * 6.12) lives here and nowhere else.
 */
#ifndef _GOSLAB_COMPAT_H
#define _GOSLAB_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>

/* no_llseek was removed in 6.12: a NULL .llseek means the same there. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define GS_NO_LLSEEK	NULL
#else
#define GS_NO_LLSEEK	no_llseek
#endif

/*
 * The largest buddy order, inclusive.  6.8 renamed MAX_ORDER (exclusive)
 * to MAX_PAGE_ORDER (inclusive).
 */
#include <linux/mmzone.h>
#ifdef MAX_PAGE_ORDER
#define GS_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define GS_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#endif /* _GOSLAB_COMPAT_H */
