#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the reStructuredText tables of Documentation/benchmarks.rst.

Usage: rst-tables.py [results.csv [replay.csv]]
(default: Documentation/bench/results.csv and replay.csv, as make bench
leaves them).  Paste the output under "Latest numbers".
"""
import csv
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
doc = os.path.join(here, "..", "..", "Documentation", "bench")
results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(doc, "results.csv")
replay = sys.argv[2] if len(sys.argv) > 2 else os.path.join(doc, "replay.csv")


def table(header, rows):
    """A simple rst table: one column per header cell."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    rule = "  ".join("=" * w for w in widths)
    out = [rule, "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
           rule]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
            for r in rows]
    out.append(rule)
    return "\n".join(out)


cols = [("qemu", "1"), ("qemu", "0"), ("uml", "1"), ("uml", "0")]
cells, order = {}, []
with open(results, newline="") as f:
    for r in csv.DictReader(f):
        key = (r["test"], r["size"])
        if key not in order:
            order.append(key)
        cells[key + (r["platform"], r["init_on_alloc"])] = r

header = ["test", "size"]
for pl, ioa in cols:
    header += ["%s ioa=%s goslab/SLUB ns" % (pl.upper() if pl == "uml" else "QEMU", ioa),
               "ratio"]
rows = []
for test, size in order:
    row = [test, size]
    for pl, ioa in cols:
        r = cells.get((test, size, pl, ioa))
        if r is None or r["ratio"] in ("", "n/a"):
            row += ["n/a", "n/a"]
        else:
            row += ["%s / %s" % (r["goslab_ns"], r["slub_ns"]), r["ratio"]]
    rows.append(row)
print(table(header, rows))
print()

def num(v):
    """Thousands separated; "-" (not measured) as it is."""
    return "{:,}".format(int(v)) if v.isdigit() else v


rows = []
with open(replay, newline="") as f:
    for r in csv.DictReader(f):
        rows.append([r["platform"], r["trace"], r["init_on_alloc"],
                     r["allocator"],
                     num(r["requested_end"]), num(r["held_end"]),
                     num(r["held_peak"]), r["ns_per_op"],
                     # One ratio a trace: on goslab's row.
                     (r.get("ns_ratio") or "-") if r["allocator"] == "goslab"
                     else ""])
print(table(["where", "trace", "ioa", "allocator", "requested", "held end",
             "held peak", "ns/op", "ns ratio"], rows))
