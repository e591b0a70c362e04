/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/log2.h>: ilog2() of a non-zero value. */
#ifndef _FUZZ_SHIM_LINUX_LOG2_H
#define _FUZZ_SHIM_LINUX_LOG2_H

#define ilog2(n)	(63 - __builtin_clzll((unsigned long long)(n)))

#endif /* _FUZZ_SHIM_LINUX_LOG2_H */
