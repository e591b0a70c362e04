/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels goslab builds on (Debian's 6.1 and
 * 6.12) lives here and nowhere else.
 */
#ifndef _GOSLAB_COMPAT_H
#define _GOSLAB_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>

/* no_llseek was removed in 6.12: a NULL .llseek means the same there. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define GS_NO_LLSEEK	NULL
#else
#define GS_NO_LLSEEK	no_llseek
#endif

/*
 * The largest buddy order, inclusive.  6.8 renamed MAX_ORDER (exclusive)
 * to MAX_PAGE_ORDER (inclusive).
 */
#include <linux/mmzone.h>
#ifdef MAX_PAGE_ORDER
#define GS_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define GS_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Shrinkers: 6.7 replaced register_shrinker() on a caller's struct with
 * shrinker_alloc() + shrinker_register().  gs_shrinker_create() hides it.
 */
#include <linux/shrinker.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
gs_shrinker_create(unsigned long (*count)(struct shrinker *,
					  struct shrink_control *),
		   unsigned long (*scan)(struct shrinker *,
					 struct shrink_control *),
		   const char *name)
{
	struct shrinker *s = shrinker_alloc(SHRINKER_NUMA_AWARE, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
	return s;
}

static inline void gs_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
#include <linux/slab.h>
static inline struct shrinker *
gs_shrinker_create(unsigned long (*count)(struct shrinker *,
					  struct shrink_control *),
		   unsigned long (*scan)(struct shrinker *,
					 struct shrink_control *),
		   const char *name)
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	s->flags = SHRINKER_NUMA_AWARE;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void gs_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

#endif /* _GOSLAB_COMPAT_H */
