/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels goslab builds on (Debian's 6.1 and
 * 6.12) lives here and nowhere else, detected by what the headers define
 * rather than by version number.
 */
#ifndef _GOSLAB_COMPAT_H
#define _GOSLAB_COMPAT_H

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
 * shrinker_alloc() + shrinker_register(), and added SHRINKER_ALLOCATED
 * with them.  compat_shrinker_create() hides the difference.
 */
#include <linux/shrinker.h>
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
compat_shrinker_create(unsigned long (*count)(struct shrinker *,
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

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
#include <linux/slab.h>
static inline struct shrinker *
compat_shrinker_create(unsigned long (*count)(struct shrinker *,
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

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

/*
 * kasan_poison() sets the shadow of a granule-aligned range to one value.
 * 6.1 exports it with EXPORT_SYMBOL, 6.12 with EXPORT_SYMBOL_GPL (for
 * KASAN's KUnit suite built as a module), with the same prototype; both
 * declare it only in the private mm/kasan/kasan.h, which no linux-headers
 * package ships.  The public kasan_unpoison_range() is no way round: its
 * __kasan_unpoison_range() is not exported, and it cannot write a poison
 * value.  So a module declares it, once, here; where the kernel's tree is
 * available (Kbuild: GS_KASAN_PRIVATE_H), kasan.c includes the kernel's
 * declaration too and the compiler rejects any difference.
 */
#ifdef CONFIG_KASAN_GENERIC
#include <linux/types.h>
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#endif

/*
 * ftrace with arguments: 6.12 reads a traced function's arguments and
 * sets where it resumes through ftrace_regs_get_argument() and
 * ftrace_regs_set_instruction_pointer() (struct ftrace_regs is opaque);
 * 6.1's struct ftrace_regs is a pt_regs and has
 * ftrace_instruction_pointer_set().
 */
#include <linux/ftrace.h>
#ifdef ftrace_regs_get_argument
#define compat_ftrace_arg(fregs, n)	ftrace_regs_get_argument(fregs, n)
#define compat_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define compat_ftrace_arg(fregs, n) \
	regs_get_kernel_argument(&(fregs)->regs, n)
#define compat_ftrace_set_ip(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#endif

/*
 * Is kernel memory charged to memory cgroups now?  6.1 says so with
 * memcg_kmem_enabled() under CONFIG_MEMCG_KMEM; 6.10 folded that option
 * into CONFIG_MEMCG and renamed the test memcg_kmem_online().
 */
#include <linux/memcontrol.h>
#if defined(CONFIG_MEMCG_KMEM)
#define compat_memcg_kmem_on()		memcg_kmem_enabled()
#elif defined(CONFIG_MEMCG)
#define compat_memcg_kmem_on()		memcg_kmem_online()
#else
#define compat_memcg_kmem_on()		false
#endif

#endif /* _GOSLAB_COMPAT_H */
