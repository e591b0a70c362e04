/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kasan: goslab's objects under KASAN's generic mode (the mode x86_64
 * has).  Handed out, an object is addressable up to the size asked for;
 * freed, it is not addressable at all, so the kernel's own checks catch
 * use after free and out-of-bounds access to goslab memory as they do for
 * kmalloc.  Without CONFIG_KASAN_GENERIC every hook is empty.  Checks
 * only, a leaf.
 */
#ifndef _GOSLAB_KASAN_H
#define _GOSLAB_KASAN_H

#include <linux/types.h>

struct mspan;

static __always_inline bool gs_kasan_on(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC);
}

/* The owner's LIFO link, out of KASAN's sight (mspan_set_link()). */
void gs_kasan_set_link(void *p, unsigned int next);
unsigned int gs_kasan_get_link(const void *p);

#ifdef CONFIG_KASAN_GENERIC
void gs_kasan_unpoison(const void *p, size_t size);
void gs_kasan_alloc(const void *p, size_t size, size_t slot);
void gs_kasan_free(const void *p, size_t slot);
void gs_kasan_span(const struct mspan *s, bool freed);
#else
static inline void gs_kasan_unpoison(const void *p, size_t size) { }
static inline void gs_kasan_alloc(const void *p, size_t size, size_t slot) { }
static inline void gs_kasan_free(const void *p, size_t slot) { }
static inline void gs_kasan_span(const struct mspan *s, bool freed) { }
#endif

#endif /* _GOSLAB_KASAN_H */
