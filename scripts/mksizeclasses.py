#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate goslab's size-class tables (goslab/sizeclasses.[ch]).

This is an independent Python implementation of the algorithm of Go's
runtime/mksizeclasses.go.  The output is Go's current table: 68 entries
counting the dummy class 0, object sizes 8 .. 32768, including 24.

Usage:
    scripts/mksizeclasses.py OUTDIR         write OUTDIR/sizeclasses.{h,c}
    scripts/mksizeclasses.py --check DIR    exit 1 (and print a diff) when
                                            DIR/sizeclasses.{h,c} are stale
    scripts/mksizeclasses.py --summary      print waste numbers against
                                            kmalloc's power-of-two caches

Outline of the algorithm:

  * Walk candidate sizes from 8 up to 32 KiB.  The step starts at 8 bytes;
    each time the candidate is a power of two the step is re-derived:
    16 bytes from 32, size/8 from 128, 256 bytes from 2048.
  * For each candidate, grow the span one 8 KiB page at a time until the
    tail left over after cutting the span into objects is at most 1/8 of
    the span.
  * If the candidate needs the same pages and gives the same object count
    as the previous class, the previous class is widened to the candidate
    instead of adding a class.
  * Finally each class is widened to the largest multiple of 128 that still
    fits the same number of objects into its span.
  * Every class gets a 32-bit reciprocal, ~0u / size + 1, and the generator
    proves by brute force that (offset * magic) >> 32 == offset / size for
    every byte offset of the span (end included).
"""

import difflib
import os
import sys

# Constants shared with the C side (Go's names in the comments).
MAX_SMALL_SIZE = 32 << 10       # _MaxSmallSize
SMALL_SIZE_DIV = 8              # smallSizeDiv
SMALL_SIZE_MAX = 1024           # smallSizeMax
LARGE_SIZE_DIV = 128            # largeSizeDiv
PAGE_SHIFT = 13                 # _PageShift
PAGE_SIZE = 1 << PAGE_SHIFT
MIN_ALIGN = 8                   # minHeapAlign
EXPECTED_CLASSES = 68           # _NumSizeClasses, counting class 0

U32_MAX = (1 << 32) - 1

SCRIPT = "scripts/mksizeclasses.py"


class SizeClassError(Exception):
    pass


def is_pow2(x):
    return x > 0 and (x & (x - 1)) == 0


def step_for(size, step):
    """Return the size step in force from candidate @size on."""
    if not is_pow2(size):
        return step
    if size >= 2048:
        return 256
    if size >= 128:
        return size // 8
    if size >= 32:
        return 16
    return step


def span_bytes_for(size):
    """Smallest whole number of pages whose tail waste is <= 1/8."""
    span = PAGE_SIZE
    while span % size > span // 8:
        span += PAGE_SIZE
    return span


def build_classes():
    """Return a list of [size, npages]; index 0 is the dummy class."""
    classes = [[0, 0]]
    step = MIN_ALIGN
    size = MIN_ALIGN
    while size <= MAX_SMALL_SIZE:
        step = step_for(size, step)
        if not is_pow2(step):
            raise SizeClassError("alignment %d is not a power of two" % step)
        span = span_bytes_for(size)
        npages = span // PAGE_SIZE
        if len(classes) > 1:
            prev = classes[-1]
            if prev[1] == npages and span // prev[0] == span // size:
                # Same pages, same object count: keep only the larger.
                prev[0] = size
                size += step
                continue
        classes.append([size, npages])
        size += step

    # Widen each class to the largest size (kept a multiple of
    # LARGE_SIZE_DIV so that size_to_class128 stays exact) that fits the
    # same number of objects into the same span.
    for c in classes[1:]:
        span = c[1] * PAGE_SIZE
        widest = (span // (span // c[0])) & ~(LARGE_SIZE_DIV - 1)
        if widest > c[0]:
            c[0] = widest

    if len(classes) != EXPECTED_CLASSES:
        raise SizeClassError("got %d size classes, expected %d" %
                             (len(classes), EXPECTED_CLASSES))
    return classes


def div_magic(size, npages):
    """32-bit reciprocal of @size, checked exact over the whole span."""
    if size == 0:
        return 0
    magic = U32_MAX // size + 1
    if magic > U32_MAX:
        raise SizeClassError("magic for size %d does not fit 32 bits" % size)
    for off in range(npages * PAGE_SIZE + 1):
        if (off * magic) >> 32 != off // size:
            raise SizeClassError("magic %#x for size %d wrong at offset %d" %
                                 (magic, size, off))
    return magic


def lookup_table(classes, base, div, count):
    """Map base + i * div to the smallest class at least that large."""
    out = []
    for i in range(count):
        want = base + i * div
        for idx, c in enumerate(classes):
            if c[0] >= want:
                out.append(idx)
                break
        else:
            raise SizeClassError("no class for size %d" % want)
    return out


class Tables:
    def __init__(self):
        self.classes = build_classes()
        self.size = [c[0] for c in self.classes]
        self.npages = [c[1] for c in self.classes]
        self.nelems = [0] + [c[1] * PAGE_SIZE // c[0] for c in self.classes[1:]]
        self.magic = [div_magic(c[0], c[1]) for c in self.classes]
        self.size_to_class8 = lookup_table(
            self.classes, 0, SMALL_SIZE_DIV,
            SMALL_SIZE_MAX // SMALL_SIZE_DIV + 1)
        self.size_to_class128 = lookup_table(
            self.classes, SMALL_SIZE_MAX, LARGE_SIZE_DIV,
            (MAX_SMALL_SIZE - SMALL_SIZE_MAX) // LARGE_SIZE_DIV + 1)
        self.max_objs = max(self.nelems)
        self._self_check()

    def _self_check(self):
        for i in range(1, len(self.size)):
            size, span = self.size[i], self.npages[i] * PAGE_SIZE
            if size <= self.size[i - 1] or size % MIN_ALIGN:
                raise SizeClassError("class %d: bad size %d" % (i, size))
            if span % size > span // 8:
                raise SizeClassError("class %d: tail waste too big" % i)
            if self.npages[i] > 255 or size > 65535 or self.nelems[i] > 65535:
                raise SizeClassError("class %d: does not fit C types" % i)
        if self.size[-1] != MAX_SMALL_SIZE:
            raise SizeClassError("last class is not %d" % MAX_SMALL_SIZE)
        if max(self.size_to_class8 + self.size_to_class128) > 255:
            raise SizeClassError("class index does not fit u8")

    def class_of(self, size):
        """The C helper goslab_size_to_class(), in Python."""
        if size <= SMALL_SIZE_MAX - 8:
            return self.size_to_class8[(size + SMALL_SIZE_DIV - 1) //
                                       SMALL_SIZE_DIV]
        return self.size_to_class128[(size - SMALL_SIZE_MAX +
                                      LARGE_SIZE_DIV - 1) // LARGE_SIZE_DIV]

    def table_rows(self):
        """Rows of Go's sizeclasses.go comment table."""
        rows = []
        prev = 0
        for i in range(1, len(self.size)):
            size = self.size[i]
            span = self.npages[i] * PAGE_SIZE
            objs = span // size
            tail = span - objs * size
            max_waste = ((size - prev - 1) * objs + tail) / span
            rows.append((i, size, span, objs, tail, 100 * max_waste))
            prev = size
        return rows

    def min_aligns(self):
        """(alignment, bits, smallest size from which on it holds)."""
        first = [0] * (PAGE_SHIFT + 1)
        for size in self.size[1:]:
            tz = (size & -size).bit_length() - 1
            tz = min(tz, PAGE_SHIFT)
            for b in range(PAGE_SHIFT + 1):
                if b > tz:
                    first[b] = 0
                elif first[b] == 0:
                    first[b] = size
        out = []
        for b, size in enumerate(first):
            if size == 0:
                break
            if b + 1 < len(first) and first[b + 1] == size:
                continue
            out.append((1 << b, b, size))
        return out


def wrap_values(values, fmt, per_line, indent="\t", label=None):
    """Format a C initializer body, @per_line values a line."""
    lines = []
    for start in range(0, len(values), per_line):
        chunk = values[start:start + per_line]
        text = indent + ", ".join(fmt % v for v in chunk) + ","
        if label:
            text += "\t/* %s %d */" % (label, start)
        lines.append(text)
    return lines


def gen_banner(comment_open):
    return [
        comment_open,
        " * Code generated by %s; DO NOT EDIT." % SCRIPT,
        " *",
        " * Regenerate with:   %s goslab" % SCRIPT,
        " * Check it is fresh: %s --check goslab" % SCRIPT,
        " *",
        " * Go's size classes (runtime/mksizeclasses.go): 8 KiB pages, tail",
        " * waste of every span <= 1/8, round-up waste of small sizes mostly",
        " * <= 12.5%.  See Documentation/sizeclasses.rst.",
    ]


def gen_header(t):
    out = ["/* SPDX-License-Identifier: GPL-2.0 */"]
    out += gen_banner("/*")
    out.append(" *")
    out.append(" * %-5s  %-9s  %-10s  %-7s  %-10s  %-9s" %
               ("class", "bytes/obj", "bytes/span", "objects",
                "tail waste", "max waste"))
    for row in t.table_rows():
        out.append((" * %5d  %9d  %10d  %7d  %10d  %8.2f%%" % row).rstrip())
    out.append(" *")
    out.append(" * %-9s  %-4s  %-12s" % ("alignment", "bits", "min obj size"))
    for row in t.min_aligns():
        out.append(" * %9d  %4d  %12d" % row)
    out.append(" */")
    out += [
        "#ifndef _GOSLAB_SIZECLASSES_H",
        "#define _GOSLAB_SIZECLASSES_H",
        "",
        "/* Userspace builds (fuzz/) supply these through fuzz/shim/. */",
        "#include <linux/bits.h>",
        "#include <linux/types.h>",
        "",
        "#define GOSLAB_PAGE_SHIFT\t\t%d" % PAGE_SHIFT,
        "#define GOSLAB_PAGE_SIZE\t\tBIT(GOSLAB_PAGE_SHIFT)",
        "#define GOSLAB_NUM_SIZE_CLASSES\t\t%d" % len(t.size),
        "#define GOSLAB_MAX_SMALL_SIZE\t\t%d" % MAX_SMALL_SIZE,
        "#define GOSLAB_SMALL_SIZE_DIV\t\t%d" % SMALL_SIZE_DIV,
        "#define GOSLAB_SMALL_SIZE_MAX\t\t%d" % SMALL_SIZE_MAX,
        "#define GOSLAB_LARGE_SIZE_DIV\t\t%d" % LARGE_SIZE_DIV,
        "#define GOSLAB_NUM_SPAN_CLASSES\t\t(GOSLAB_NUM_SIZE_CLASSES << 1)",
        "#define GOSLAB_MAX_OBJS_PER_SPAN\t%d" % t.max_objs,
        "",
        "/* Object size of each class; class 0 is unused. */",
        "extern const u16 class_to_size[GOSLAB_NUM_SIZE_CLASSES];",
        "/* Span length of each class, in goslab (8 KiB) pages. */",
        "extern const u8 class_to_allocnpages[GOSLAB_NUM_SIZE_CLASSES];",
        "/* ~0u / size + 1: offset / size == ((u64)offset * magic) >> 32. */",
        "extern const u32 class_to_divmagic[GOSLAB_NUM_SIZE_CLASSES];",
        "/* Objects per span. */",
        "extern const u16 class_to_nelems[GOSLAB_NUM_SIZE_CLASSES];",
        "/* Class of size s <= 1024 - 8 is size_to_class8[DIV_ROUND_UP(s, 8)]. */",
        "extern const u8 size_to_class8[GOSLAB_SMALL_SIZE_MAX / "
        "GOSLAB_SMALL_SIZE_DIV + 1];",
        "/* Else size_to_class128[DIV_ROUND_UP(s - 1024, 128)]. */",
        "extern const u8 size_to_class128[(GOSLAB_MAX_SMALL_SIZE - "
        "GOSLAB_SMALL_SIZE_MAX) /",
        "\t\t\t\t GOSLAB_LARGE_SIZE_DIV + 1];",
        "",
        "/*",
        " * goslab_size_to_class - size class for an object of @size bytes,",
        " * 1 <= @size <= GOSLAB_MAX_SMALL_SIZE: the smallest class whose",
        " * object size is at least @size.",
        " */",
        "static inline unsigned int goslab_size_to_class(size_t size)",
        "{",
        "\tif (size <= GOSLAB_SMALL_SIZE_MAX - 8)",
        "\t\treturn size_to_class8[(size + GOSLAB_SMALL_SIZE_DIV - 1) /",
        "\t\t\t\t      GOSLAB_SMALL_SIZE_DIV];",
        "\treturn size_to_class128[(size - GOSLAB_SMALL_SIZE_MAX +",
        "\t\t\t\t GOSLAB_LARGE_SIZE_DIV - 1) / GOSLAB_LARGE_SIZE_DIV];",
        "}",
        "",
        "/*",
        " * goslab_obj_index - index of the object holding byte @offset of a span",
        " * of class @sizeclass (1 <= @sizeclass < GOSLAB_NUM_SIZE_CLASSES),",
        " * i.e. @offset / class_to_size[@sizeclass] without a division.",
        " */",
        "static inline unsigned int goslab_obj_index(unsigned int sizeclass,",
        "\t\t\t\t\t    unsigned long offset)",
        "{",
        "\treturn (unsigned int)(((u64)offset * class_to_divmagic[sizeclass]) "
        ">> 32);",
        "}",
        "",
        "#endif /* _GOSLAB_SIZECLASSES_H */",
    ]
    return "\n".join(out) + "\n"


def gen_source(t):
    out = ["// SPDX-License-Identifier: GPL-2.0"]
    out += gen_banner("/*")
    out.append(" */")
    out.append("")
    out.append('#include "sizeclasses.h"')

    def array(decl, values, fmt, per_line, label="class"):
        out.append("")
        out.append(decl + " = {")
        out.extend(wrap_values(values, fmt, per_line, label=label))
        out.append("};")

    array("const u16 class_to_size[GOSLAB_NUM_SIZE_CLASSES]",
          t.size, "%5d", 8)
    array("const u8 class_to_allocnpages[GOSLAB_NUM_SIZE_CLASSES]",
          t.npages, "%2d", 8)
    array("const u32 class_to_divmagic[GOSLAB_NUM_SIZE_CLASSES]",
          t.magic, "0x%08x", 4)
    array("const u16 class_to_nelems[GOSLAB_NUM_SIZE_CLASSES]",
          t.nelems, "%4d", 8)
    array("const u8 size_to_class8[GOSLAB_SMALL_SIZE_MAX / "
          "GOSLAB_SMALL_SIZE_DIV + 1]",
          t.size_to_class8, "%2d", 16, label="index")
    array("const u8 size_to_class128[(GOSLAB_MAX_SMALL_SIZE - "
          "GOSLAB_SMALL_SIZE_MAX) /\n\t\t\t  GOSLAB_LARGE_SIZE_DIV + 1]",
          t.size_to_class128, "%2d", 16, label="index")
    return "\n".join(out) + "\n"


def outputs(t):
    return {"sizeclasses.h": gen_header(t), "sizeclasses.c": gen_source(t)}


def kmalloc_size(size):
    """Bytes kmalloc() on x86-64 (SLUB, 4 KiB pages) hands out for @size."""
    caches = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]
    for c in caches:
        if size <= c:
            return c
    pages = 1
    while pages * 4096 < size:
        pages <<= 1
    return pages * 4096


def summary(t):
    """Print round-up and span waste of goslab against kmalloc."""
    print("Waste for requests of every size in a range, each size equally")
    print("likely; round-up = (object - request) / object bytes summed;")
    print("goslab total adds the span tail waste.")
    print()
    print("%-13s  %15s  %15s  %15s" %
          ("request size", "kmalloc", "goslab round-up", "goslab total"))
    ranges = [(1, 128), (129, 1024), (1025, 8192), (8193, 32768), (1, 32768)]
    for lo, hi in ranges:
        req = k = g = gt = 0
        for s in range(lo, hi + 1):
            c = t.class_of(s)
            size = t.size[c]
            span = t.npages[c] * PAGE_SIZE
            req += s
            k += kmalloc_size(s)
            g += size
            gt += span / t.nelems[c]
        print("%5d..%-6d  %14.2f%%  %14.2f%%  %14.2f%%" %
              (lo, hi, 100 * (k - req) / k, 100 * (g - req) / g,
               100 * (gt - req) / gt))
    print()
    worst_k = max((kmalloc_size(s) - s) / kmalloc_size(s)
                  for s in range(9, MAX_SMALL_SIZE + 1))
    worst_g = max((t.size[t.class_of(s)] - s) / t.size[t.class_of(s)]
                  for s in range(33, MAX_SMALL_SIZE + 1))
    print("worst round-up, sizes > 32: kmalloc %.2f%%, goslab %.2f%%" %
          (100 * worst_k, 100 * worst_g))
    print("classes: kmalloc 13 caches up to 8192 then page orders; "
          "goslab %d classes" % (len(t.size) - 1))


def check(directory, outs):
    stale = False
    for name, text in outs.items():
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except OSError as e:
            print("%s: %s" % (path, e.strerror), file=sys.stderr)
            stale = True
            continue
        if old != text:
            stale = True
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                fromfile=path, tofile=path + " (generated)"))
    if stale:
        print("%s is out of date: run %s %s" % (directory, SCRIPT, directory),
              file=sys.stderr)
        return 1
    return 0


def usage():
    print("usage: %s OUTDIR | --check DIR | --summary" % sys.argv[0],
          file=sys.stderr)
    return 2


def main(argv):
    if len(argv) == 1 and argv[0] == "--summary":
        summary(Tables())
        return 0
    if len(argv) == 2 and argv[0] == "--check":
        return check(argv[1], outputs(Tables()))
    if len(argv) != 1 or argv[0].startswith("-"):
        return usage()
    outs = outputs(Tables())
    for name, text in outs.items():
        path = os.path.join(argv[0], name)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SizeClassError as e:
        print("mksizeclasses: %s" % e, file=sys.stderr)
        sys.exit(1)
