/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/math.h>: DIV_ROUND_UP is in the shim types.h. */
#ifndef _FUZZ_SHIM_LINUX_MATH_H
#define _FUZZ_SHIM_LINUX_MATH_H
#include <linux/types.h>
#endif
