/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usercopy: hardened usercopy for goslab's objects on a stock kernel
 * (usercopy.c).  The kernel's check_heap_object() knows only slab folios;
 * an ftrace hook on __check_object_size() does for goslab's objects what
 * __check_heap_object() does for SLUB's.  A leaf: it reads the arena
 * table and span state and reports through report.c; module.c turns it
 * on and off.
 */
#ifndef _GOSLAB_USERCOPY_H
#define _GOSLAB_USERCOPY_H

#include <linux/types.h>

/* What usercopy_check() found wrong with a copy, for the report. */
struct usercopy_bad {
	const char *name;	/* "goslab object", "goslab span tail" */
	char detail[24];	/* "goslab-64", "goslab-tiny", "goslab-large" */
	unsigned long offset;	/* of the copy's start in the object */
};

bool usercopy_check(const void *ptr, unsigned long n, struct usercopy_bad *bad);
int usercopy_init(void);
void usercopy_exit(void);
bool usercopy_active(void);

#endif /* _GOSLAB_USERCOPY_H */
