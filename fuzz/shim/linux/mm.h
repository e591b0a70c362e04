/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/mm.h>: x86_64's page size and direct map base. */
#ifndef _FUZZ_SHIM_LINUX_MM_H
#define _FUZZ_SHIM_LINUX_MM_H
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_OFFSET	0xffff888000000000UL
#endif
