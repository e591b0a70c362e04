/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: reading operations from the input
 * and failing loudly.  A failure prints what differed from the reference
 * and aborts, so libFuzzer saves the input as a crash artifact.
 */
#ifndef _GOSLAB_FUZZ_H
#define _GOSLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The input as a stream; reads past the end give zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline int fz_left(const struct fz_in *in)
{
	return in->n != 0;
}

static inline unsigned int fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline unsigned int fz_u16(struct fz_in *in)
{
	unsigned int lo = fz_u8(in);

	return lo | fz_u8(in) << 8;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)fz_u8(in) << (8 * i);
	return v;
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * For the reference models and the checks: their branches say nothing
 * about goslab's code, so they do not feed libFuzzer's coverage, which
 * also makes them several times cheaper (no comparison tracing).
 */
#define FZ_REFERENCE	__attribute__((no_sanitize("coverage")))

#define fz_fail(...) do {						\
	fprintf(stderr, "FUZZ FAILURE at %s:%d: ", __FILE__, __LINE__);	\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

#endif /* _GOSLAB_FUZZ_H */
