#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the size histogram clients/goslab_torture.c embeds.

Reads a goslab trace (default: ../shared/traces/boot.gtrace, the README
in that directory describes the format) and prints a C table of
{ lo, hi, cumulative count } rows: every size requested at least
--min times is a row of its own (lo == hi); the remaining requests are
pooled per power-of-two range (lo .. hi, drawn uniformly there).  The
torture client draws a row with probability count / total.

Usage:  scripts/torture-sizes.py [--min N] [TRACE]
Paste the output between the BEGIN/END markers in goslab_torture.c.
"""

import argparse
import collections
import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=int, default=100,
                    help="requests a size needs to get a row of its own")
    ap.add_argument("trace", nargs="?",
                    default=os.path.join(here, "..", "..", "shared", "traces",
                                         "boot.gtrace"))
    args = ap.parse_args()

    sizes = collections.Counter()
    with open(args.trace) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "a":
                sizes[int(w[3])] += 1
    total = sum(sizes.values())

    rows = {}
    pooled = collections.Counter()
    for size, n in sizes.items():
        if n >= args.min:
            rows[(size, size)] = n
        else:
            k = max(size - 1, 1).bit_length()      # 2^(k-1) < size <= 2^k
            pooled[k] += n
    for k, n in pooled.items():
        lo = 1 if k <= 1 else (1 << (k - 1)) + 1
        rows[(lo, 1 << k)] = rows.get((lo, 1 << k), 0) + n

    name = os.path.basename(args.trace)
    print(f"/* {name}: {total} allocations, {len(sizes)} distinct sizes; "
          f"sizes seen >= {args.min} times exact, the rest per power of two */")
    cum = 0
    for (lo, hi), n in sorted(rows.items(), key=lambda r: (r[0][1], r[0][0])):
        cum += n
        print(f"\t{{ {lo:7d}, {hi:7d}, {cum:6d} }},\t/* {100.0 * n / total:5.2f}% */")
    return 0


if __name__ == "__main__":
    sys.exit(main())
