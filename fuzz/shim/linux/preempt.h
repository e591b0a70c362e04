/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace <linux/preempt.h>: always task context, never preempted.
 * The masks have the kernel's layout.
 */
#ifndef _FUZZ_SHIM_LINUX_PREEMPT_H
#define _FUZZ_SHIM_LINUX_PREEMPT_H

#define SOFTIRQ_OFFSET		(1UL << 8)
#define SOFTIRQ_MASK		(0xffUL << 8)
#define HARDIRQ_MASK		(0xfUL << 16)
#define NMI_MASK		(0xfUL << 20)

#define preempt_count()		0UL
#define preempt_disable()	do { } while (0)
#define preempt_enable()	do { } while (0)

#endif
