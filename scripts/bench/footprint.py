#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a trace's live objects cost at the end, before any allocator runs.

Usage: footprint.py TRACE.gtrace

Reads a trace (shared/traces/README.md format), keeps the objects it
leaves live, and prints the bytes that each way of packing them needs:

  requested       the sizes asked for
  kmalloc         SLUB's kmalloc sizes (8 .. 8192 with 96 and 192; over
                  8 KiB the page allocator's power-of-two blocks of 4 KiB
                  pages); SLUB's slabs and per-CPU slabs come on top
  go classes      Go's size classes; over 32 KiB whole 8 KiB pages
  go spans        each class's objects packed into as few of Go's spans
                  as hold them (the last one partly used), large objects
                  in 8 KiB pages: the least goslab can hold with Go's
                  classes and pages, before per-CPU caching, parked spans
                  and metadata
  goslab spans    the same, except that a class over 4 KiB (a mid
                  class, see Documentation/design.rst) starts with a span
                  of the fewest pages that hold one object

and each as a ratio of the kmalloc figure.  make bench's replay measures
what the allocators really hold; this says where the floor is.
"""
import importlib.util
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "mksizeclasses", os.path.join(here, "..", "mksizeclasses.py"))
mksc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mksc)

GO_PAGE = mksc.PAGE_SIZE
MID_MIN_SIZE = 4096             # GS_MID_MIN_SIZE in goslab/mspan.h
KPAGE = 4096
KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
                 8192]


def kmalloc_bytes(size):
    for k in KMALLOC_SIZES:
        if size <= k:
            return k
    block = KPAGE
    while block < size:
        block *= 2
    return block


def live_objects(path):
    live = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            ev = line.split()
            if not ev:
                continue
            if ev[0] == "a":
                live[ev[2]] = int(ev[3])
            elif ev[0] == "f":
                live.pop(ev[2], None)
    return list(live.values())


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    classes = mksc.build_classes()[1:]
    sizes = live_objects(argv[0])
    per_class = {}
    large = 0
    for s in sizes:
        for i, (csize, _) in enumerate(classes):
            if s <= csize:
                per_class[i] = per_class.get(i, 0) + 1
                break
        else:
            large += -(-s // GO_PAGE) * GO_PAGE
    go_classes = large + sum(classes[i][0] * n for i, n in per_class.items())
    go_spans = large
    goslab_spans = large
    for i, n in per_class.items():
        csize, npages = classes[i]
        nelems = npages * GO_PAGE // csize
        go_spans += -(-n // nelems) * npages * GO_PAGE
        if csize > MID_MIN_SIZE:
            first = -(-csize // GO_PAGE)
            goslab_spans += first * GO_PAGE
            goslab_spans += -(-(n - 1) // nelems) * npages * GO_PAGE
        else:
            goslab_spans += -(-n // nelems) * npages * GO_PAGE
    kmalloc = sum(kmalloc_bytes(s) for s in sizes)
    rows = [("requested", sum(sizes)), ("kmalloc", kmalloc),
            ("go classes", go_classes), ("go spans", go_spans),
            ("goslab spans", goslab_spans)]
    print("%s: %d live objects, %d over 32 KiB (%d bytes in 8 KiB pages)" %
          (os.path.basename(argv[0]), len(sizes),
           sum(1 for s in sizes if s > mksc.MAX_SMALL_SIZE), large))
    for name, v in rows:
        print("%-12s %11d  %.3f of kmalloc" % (name, v, v / kmalloc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
