#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the reStructuredText tables of Documentation/benchmarks.rst.

Usage: rst-tables.py [results.csv [replay.csv [footprint.csv]]]
(default: Documentation/bench/results.csv, replay.csv and footprint.csv,
as make bench leaves them).  Paste the output under "Latest numbers".
The footprint table comes first: it is the headline, the system's view.
"""
import csv
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
doc = os.path.join(here, "..", "..", "Documentation", "bench")
results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(doc, "results.csv")
replay = sys.argv[2] if len(sys.argv) > 2 else os.path.join(doc, "replay.csv")
footprint = (sys.argv[3] if len(sys.argv) > 3
             else os.path.join(doc, "footprint.csv"))


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


def median(vals):
    """The median of a list of numbers (the mean of the middle two)."""
    v = sorted(vals)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def footprint_table(path):
    """Pages taken per trace and allocator, medians over the boots, each
    boot's figures after them; then goslab/SLUB of the medians."""
    boots = {}
    order = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["trace"], r["allocator"])
            if r["trace"] not in order:
                order.append(r["trace"])
            boots.setdefault(key, []).append(r)
    fields = ["pages_end", "pages_5s", "pages_peak", "self_bytes_end"]
    rows = []
    for t in order:
        med = {}
        for a in ("goslab", "slub"):
            rs = boots.get((t, a))
            if not rs:
                continue
            med[a] = [median([int(r[k]) for r in rs]) for k in fields]
            each = " ".join(r["pages_5s"] for r in rs)
            rows.append([t, a, str(len(rs))]
                        + ["{:,.0f}".format(m) for m in med[a]] + [each])
        if "goslab" in med and "slub" in med:
            rows.append([t, "goslab/SLUB", ""]
                        + ["%.3f" % (g / s) if s else "-"
                           for g, s in zip(med["goslab"], med["slub"])]
                        + [""])
    return table(["trace", "allocator", "boots", "pages end", "pages 5 s",
                  "pages peak", "own bytes end", "pages 5 s, each boot"],
                 rows)


if os.path.exists(footprint):
    print(footprint_table(footprint))
    print()

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
