// SPDX-License-Identifier: GPL-2.0
/*
 * How goslab_bench turns runs into figures: a figure is the median of its
 * reps, and a ratio is goslab's figure over SLUB's, in thousandths.
 */
#include <linux/math64.h>
#include <linux/sort.h>

#include "bench.h"

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[0..@n) (which it sorts); 0 for no values. */
u64 bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	if (!n)
		return 0;
	if (n & 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* @g over @s in thousandths; 0 when @s is 0 (nothing to compare with). */
u64 bench_ratio(u64 g, u64 s)
{
	return s ? div64_u64(g * 1000, s) : 0;
}
