#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check's layer stage: no goslab file calls or includes a layer above it.

Data flows down: the API (malloc.c, mfree.c) -> mcache -> mcentral -> mheap
-> the leaves (span state and bitmaps, the arena table, page bitmaps,
fixalloc, size classes, the page allocator boundary, reports, checks).
Observers (module.c, debugfs.c, reclaim.c, the KUnit-only export unit) may
use every layer; no layer uses them.

The call graph comes from the object files, not from the source: for every
goslab/*.o of a built module, `nm` gives the symbols it defines and the ones
it leaves undefined, and an undefined symbol that another goslab object
defines is an edge between the two files.  Inline functions in headers are
compiled into the objects that use them, so a call made through an inline
helper shows up where it really runs.  Includes are checked on the source,
since a header is not an object: a file may include only headers of its own
layer or below.

Usage: layers.py [--objdir DIR]... [--srcdir DIR]
Without --objdir the module is built first (make modules) and its objects
are the ones build/<release>/goslab.mod lists; the debug KUnit kernel's
goslab objects are checked too when scripts/kunit.sh has built them (they
add kasan.o and the KUnit-only export_test.o), so make check runs this
stage after the KUnit stages.  Objects whose source is gone are skipped.  Prints every offending edge; with
GOSLAB_RESULTS set, appends "layers <passed> <failed>" (one check per file
for calls, one per file for includes).  Exit status 0 only when none fails.
"""

import argparse
import os
import re
import subprocess
import sys

# Rank of each file's layer: a file may use files of its rank or higher.
OBSERVER, API, MCACHE, MCENTRAL, MHEAP, LEAF = range(6)
RANK_NAMES = ["observer", "api", "mcache", "mcentral", "mheap", "leaf"]
RANKS = {
    "module": OBSERVER, "debugfs": OBSERVER, "reclaim": OBSERVER,
    "export_test": OBSERVER,
    "malloc": API, "mfree": API, "nmifree": API, "rcufree": API,
    "mcache": MCACHE,
    "mcentral": MCENTRAL,
    "mheap": MHEAP, "mheapindex": MHEAP, "scavenge": MHEAP,
    "arena": LEAF, "mspan": LEAF, "mbitmap": LEAF, "mpagealloc": LEAF,
    "fixalloc": LEAF, "sizeclasses": LEAF, "mem": LEAF, "report": LEAF,
    "debug": LEAF, "kasan": LEAF, "compat": LEAF, "goslab": LEAF,
    "usercopy": LEAF, "memcg": LEAF,
}


def rank_of(path):
    base = os.path.basename(path)
    stem = base.split(".")[0]
    return RANKS.get(stem)


def nm(obj):
    """(defined, undefined) global symbols of @obj."""
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRVWGS":
            defined.add(parts[2])
    return defined, undefined


def module_objects(srcdir, moddir):
    """The goslab/*.o a build links, from its goslab.mod if it has one."""
    mod = os.path.join(moddir, "goslab.mod")
    if os.path.exists(mod):
        with open(mod) as fh:
            objs = fh.read().split()
    else:
        d = os.path.join(moddir, "goslab")
        objs = [os.path.join(d, f) for f in os.listdir(d)] \
            if os.path.isdir(d) else []
    src = srcdir
    return sorted(o for o in objs
                  if o.endswith(".o") and
                  os.path.basename(os.path.dirname(o)) == "goslab" and
                  os.path.exists(os.path.join(
                      src, os.path.basename(o)[:-2] + ".c")))


def kunit_stale(repo, cache, kdir):
    """Why the KUnit build's objects are not this tree's, or None.

    scripts/kunit.sh records which repository it staged (kunit-repo); an
    object older than its source was built from another version of it.
    """
    try:
        with open(os.path.join(cache, "kunit-repo")) as fh:
            staged = fh.read().strip()
    except OSError:
        return "no record of the staged repository"
    if os.path.realpath(staged) != os.path.realpath(repo):
        return f"built from {staged}"
    src = os.path.join(repo, "goslab")
    for f in os.listdir(os.path.join(kdir, "goslab")):
        c = os.path.join(src, f[:-2] + ".c")
        if f.endswith(".o") and os.path.exists(c) and \
           os.path.getmtime(os.path.join(kdir, "goslab", f)) < \
           os.path.getmtime(c):
            return f"{f} is older than its source"
    return None


def build(repo):
    kdir = subprocess.run(["sh", "scripts/kdir.sh"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout.strip()
    krel = subprocess.run(["sh", "scripts/krel.sh", kdir], cwd=repo,
                          check=True, capture_output=True,
                          text=True).stdout.strip()
    subprocess.run(["make", "-s", "--no-print-directory", "KDIR=" + kdir,
                    "modules"], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(repo, "build", krel)


def check_calls(paths, label):
    objs = [os.path.basename(p) for p in paths]
    owner, needs = {}, {}
    for o, path in zip(objs, paths):
        d, u = nm(path)
        for sym in d:
            owner[sym] = o
        needs[o] = u
    passed = failed = 0
    for o in objs:
        r = rank_of(o)
        bad = []
        if r is None:
            bad.append(f"{o}: not in the layer table of scripts/layers.py")
        else:
            for sym in sorted(needs[o]):
                t = owner.get(sym)
                if t is None or t == o:
                    continue
                rt = rank_of(t)
                if rt is not None and rt < r:
                    bad.append(f"{o} ({RANK_NAMES[r]}) -> {t} "
                               f"({RANK_NAMES[rt]}): {sym}")
        for b in bad:
            print(f"layers: {label}: upward call: " + b)
        if bad:
            failed += 1
        else:
            passed += 1
    return passed, failed, len(objs)


INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]')


def check_includes(srcdir):
    passed = failed = 0
    local = set(os.listdir(srcdir))
    for f in sorted(local):
        if not f.endswith((".c", ".h")):
            continue
        r = rank_of(f)
        bad = []
        with open(os.path.join(srcdir, f)) as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = os.path.basename(m.group(1))
                if inc not in local and inc != "goslab.h":
                    continue
                ri = rank_of(inc)
                if r is None or ri is None:
                    bad.append(f"{f}:{n}: {inc}: not in the layer table")
                elif ri < r:
                    bad.append(f"{f}:{n} ({RANK_NAMES[r]}) includes {inc} "
                               f"({RANK_NAMES[ri]})")
        for b in bad:
            print("layers: upward include: " + b)
        if bad:
            failed += 1
        else:
            passed += 1
    return passed, failed


def main():
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--objdir", action="append",
                    help="a build directory holding goslab.mod or goslab/")
    ap.add_argument("--srcdir", default=os.path.join(repo, "goslab"))
    args = ap.parse_args()
    dirs = args.objdir
    if not dirs:
        dirs = [build(repo)]
        cache = os.environ.get("GOSLAB_CACHE",
                               os.path.expanduser("~/.cache/goslab"))
        kunit = os.path.join(cache, "kunit-x86_64", "drivers", "goslab")
        if os.path.isdir(os.path.join(kunit, "goslab")):
            why = kunit_stale(repo, cache, kunit)
            if why:
                print(f"layers: not checking {kunit}: {why}")
            else:
                dirs.append(kunit)
    passed = failed = 0
    for d in dirs:
        objs = module_objects(args.srcdir, d)
        cp, cf, n = check_calls(objs, d)
        if n == 0:
            print(f"layers: no goslab objects in {d}")
            cf += 1
        print(f"layers: {d}: {n} objects")
        passed += cp
        failed += cf
    ip, inf = check_includes(args.srcdir)
    passed += ip
    failed += inf
    print(f"layers: {passed} passed, {failed} failed")
    res = os.environ.get("GOSLAB_RESULTS")
    if res:
        with open(res, "a") as fh:
            fh.write(f"layers {passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
