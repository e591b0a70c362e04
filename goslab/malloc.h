/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two files of the API layer, malloc.c and mfree.c, share: the
 * predicate that lets their fast paths run, and the free and size lookups
 * goslab_realloc() reuses.  Nothing below the API includes this.
 */
#ifndef _GOSLAB_MALLOC_H
#define _GOSLAB_MALLOC_H

#include <linux/types.h>
#include <linux/kconfig.h>
#include <linux/mm.h>

#include <trace/events/kmem.h>

#include "debug.h"
#include "kasan.h"

/*
 * No hook that looks at every object is on, debug mode aside: no
 * kmemleak or KASAN, and neither of the kernel's kmem:kmalloc and
 * kmem:kfree events is enabled (their static keys: a nop each while off).
 */
static __always_inline bool malloc_other_hooks_off(void)
{
	return !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && !gs_kasan_on() &&
	       !trace_kmalloc_enabled() && !trace_kfree_enabled();
}

/*
 * No hook at all, debug mode included: the fast paths' one read of it.
 * The fast paths of goslab_alloc() and goslab_free() run only then;
 * everything else takes the full paths, which run every hook and emit
 * the events, so the fast paths stay leaves.
 */
static __always_inline bool malloc_hooks_off(void)
{
	return malloc_other_hooks_off() && !gs_debug_on();
}

/*
 * The entry points of the fast paths, each well under 1 KiB, get a text
 * section of their own aligned to 1 KiB, so each lies within one page
 * wherever the module loader puts it: QEMU's TCG chains translated blocks
 * only within a page, and without this their timings would depend on
 * where the linker happened to put them.  A section each, not an
 * alignment inside .text: the assembler's padding before an aligned
 * function starts with a jump that 6.1's objtool calls unreachable.  The
 * sections are .text.hot.*, which vmlinux's linker script puts at the
 * start of .text when goslab is built in (KUnit, UML): a section it does
 * not know would land outside the kernel's text, where static calls and
 * ftrace cannot patch it.
 */
#define GS_FAST_PATH_ALIGN	1024

void mfree_free(const void *p, unsigned long caller, bool debug);
void mfree_free_sensitive(const void *p, unsigned long caller);
bool mfree_check(const void *p, unsigned long caller);
size_t mfree_usable_size(const void *p, unsigned long caller, size_t *data,
			 bool debug, bool *tiny);

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
/* Called by a free that won its object, before it writes (mfree.c). */
extern void (*mfree_test_hook)(const void *p);
#endif

#endif /* _GOSLAB_MALLOC_H */
