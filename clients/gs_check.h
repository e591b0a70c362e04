/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks of goslab's test clients (goslab_example, goslab_torture,
 * goslab_deferred), included once by each: a check prints
 * "<module>: PASS <name>" or "<module>: FAIL <name>: <why>" to the kernel
 * log, which the guest scripts (scripts/guest/test-*.sh) turn into their
 * GOSLAB-CHECK lines, and the module's init ends with gs_check_done().
 */
#ifndef _GOSLAB_CLIENTS_GS_CHECK_H
#define _GOSLAB_CLIENTS_GS_CHECK_H

#include <linux/errno.h>
#include <linux/printk.h>

static int gs_passed, gs_failed;

#define CHECK(name, cond, fmt, ...)					\
	do {								\
		const char *__name = (name);				\
									\
		if (cond) {						\
			gs_passed++;					\
			pr_info(KBUILD_MODNAME ": PASS %s\n", __name);	\
		} else {						\
			gs_failed++;					\
			pr_err(KBUILD_MODNAME ": FAIL %s: " fmt "\n",	\
			       __name, ##__VA_ARGS__);			\
		}							\
	} while (0)

/*
 * The summary line.  Return: -EIO if a check failed, so that the load
 * fails, else 0.
 */
static inline int gs_check_done(void)
{
	pr_info(KBUILD_MODNAME ": %d passed, %d failed\n", gs_passed,
		gs_failed);
	return gs_failed ? -EIO : 0;
}

#endif /* _GOSLAB_CLIENTS_GS_CHECK_H */
