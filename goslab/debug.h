/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debug: slab_debug-style checks behind a static key (debug.c).  Checks
 * only, a leaf: it reports through report.c and finds objects with
 * span_of().
 */
#ifndef _GOSLAB_DEBUG_H
#define _GOSLAB_DEBUG_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/jump_label.h>

struct mspan;

#define GS_DEBUG_POISON		0x1
#define GS_DEBUG_REDZONE	0x2
#define GS_DEBUG_TRACK		0x4
DECLARE_STATIC_KEY_FALSE(gs_debug_key);
extern unsigned int gs_debug_flags;

static __always_inline bool gs_debug_on(void)
{
	return static_branch_unlikely(&gs_debug_key);
}

#if IS_ENABLED(CONFIG_GOSLAB_KUNIT_TEST)
void gs_debug_test_read(void);
bool gs_debug_test_switch(const char *letters);
/* Tests: debug mode's records cannot be had (gs_debug_span_init()). */
extern bool gs_debug_test_no_records;
#else
static inline void gs_debug_test_read(void) { }
#endif

/*
 * Debug mode for one whole API call: every allocation and free reads
 * the key here once and passes the answer down, so a switch in the
 * middle of the call cannot split it (a tiny object sent to debug mode,
 * a poisoned object put on the owner's LIFO).  Objects a call handles
 * under the old setting are safe: records of an older generation are
 * never believed (debug.c).  In KUnit builds the test hook may switch
 * the mode right after the read.
 */
static __always_inline bool gs_debug_read(void)
{
	bool on = gs_debug_on();

	gs_debug_test_read();
	return on;
}

int gs_debug_set(const char *letters);
int gs_debug_span_init(struct mspan *s, gfp_t gfp, bool may_block);
void gs_debug_span_free(struct mspan *s);
void gs_debug_alloc(void *p, size_t size, gfp_t flags);
bool gs_debug_free(struct mspan *s, unsigned int idx, void *p,
		   unsigned long caller);
void gs_debug_usable(struct mspan *s, unsigned int idx);
bool gs_debug_realloc(void *p, size_t new_size, gfp_t flags);
size_t gs_debug_size(struct mspan *s, unsigned int idx);
void gs_debug_print_object(struct mspan *s, const void *p);

#endif /* _GOSLAB_DEBUG_H */
