/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go's pallocBits and pallocSum (runtime/mpallocbits.go, mpagealloc.go):
 * the page bitmap of one 512-page chunk and its summary.  Pure logic with
 * no idea where the memory comes from, so KUnit and a userspace fuzzer
 * can drive it over fake chunks, as Go's test hooks do.
 */
#ifndef _GOSLAB_MPAGEALLOC_H
#define _GOSLAB_MPAGEALLOC_H

/* Userspace builds (fuzz/) supply this through fuzz/shim/. */
#include <linux/types.h>

#define PALLOC_CHUNK_PAGES	512
#define PALLOC_WORDS		(PALLOC_CHUNK_PAGES / 64)
#define PALLOC_NONE		(~0U)

/* A set bit is a page in use (or not owned); a clear bit is free. */
struct pallocbits {
	u64 w[PALLOC_WORDS];
};

/* Free run at the start, longest free run, free run at the end. */
struct pallocsum {
	u16 start;
	u16 max;
	u16 end;
};

void pallocbits_fill(struct pallocbits *b);
void pallocbits_clear(struct pallocbits *b);
void pallocbits_alloc_range(struct pallocbits *b, unsigned int i,
			    unsigned int n);
void pallocbits_free_range(struct pallocbits *b, unsigned int i,
			   unsigned int n);
bool pallocbits_range_free(const struct pallocbits *b, unsigned int i,
			   unsigned int n);
bool pallocbits_range_used(const struct pallocbits *b, unsigned int i,
			   unsigned int n);
unsigned int pallocbits_find(const struct pallocbits *b, unsigned int npages);
unsigned int pallocbits_find_aligned(const struct pallocbits *b,
				     unsigned int npages, unsigned int align);
unsigned int pallocbits_free_count(const struct pallocbits *b);
struct pallocsum pallocbits_summarize(const struct pallocbits *b);

static inline bool pallocsum_equal(struct pallocsum a, struct pallocsum b)
{
	return a.start == b.start && a.max == b.max && a.end == b.end;
}

#endif /* _GOSLAB_MPAGEALLOC_H */
