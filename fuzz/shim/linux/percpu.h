/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/percpu.h>: one "CPU", so a per-CPU variable is plain. */
#ifndef _FUZZ_SHIM_LINUX_PERCPU_H
#define _FUZZ_SHIM_LINUX_PERCPU_H
#define DECLARE_PER_CPU(type, name)	extern __typeof__(type) name
#define DEFINE_PER_CPU(type, name)	__typeof__(type) name
#define this_cpu_ptr(ptr)		(ptr)
#define per_cpu_ptr(ptr, cpu)		(ptr)
#endif
