/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/minmax.h>: min() and max() for same-typed operands. */
#ifndef _FUZZ_SHIM_LINUX_MINMAX_H
#define _FUZZ_SHIM_LINUX_MINMAX_H
#define min(a, b)	({ typeof(a) __a = (a); typeof(b) __b = (b);	\
			   __a < __b ? __a : __b; })
#define max(a, b)	({ typeof(a) __a = (a); typeof(b) __b = (b);	\
			   __a > __b ? __a : __b; })
#endif
