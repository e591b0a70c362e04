/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace <linux/jump_label.h>: a static key is a plain flag here. */
#ifndef _FUZZ_SHIM_LINUX_JUMP_LABEL_H
#define _FUZZ_SHIM_LINUX_JUMP_LABEL_H

#include <linux/types.h>

struct static_key_false {
	int enabled;
};

#define DECLARE_STATIC_KEY_FALSE(name)	extern struct static_key_false name
#define DEFINE_STATIC_KEY_FALSE(name)	struct static_key_false name = { 0 }
#define static_branch_unlikely(key)	unlikely(__atomic_load_n(&(key)->enabled, __ATOMIC_RELAXED))

#endif
