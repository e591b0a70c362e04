#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the checks kernel maintainers apply, on every C file of the
# project (goslab/, include/, kunit/, clients/):
#
#  1. checkpatch.pl --strict, from Debian's linux-source-6.12, per file;
#  2. sparse (make C=2) on the module and clients, against the stock 6.12
#     headers, warning-free;
#  3. kernel-doc -none on the public header, warning-free;
#  4. W=1 builds against the stock 6.1 and 6.12 headers, warning-free;
#  5. docutils on every Documentation/*.rst, warning-free
#     (scripts/rst-check.py).
#
# One checkpatch rule is off, for a reason of the project's (Go's names
# are spelled the kernel's way, so CAMELCASE is on):
#  VSPRINTF_SPECIFIER_PX a report of a bad pointer or a corrupted byte
#                        must name the real address, as KASAN's and
#                        KFENCE's reports do; hashed pointers (%p) could
#                        not be matched against anything.
#
# fuzz/ is not checked: its harnesses are userspace programs, and
# fuzz/shim/ holds userspace stand-ins for kernel headers, whose
# definitions (volatile in READ_ONCE(), bare barriers in
# fuzz/shim/linux/atomic.h) are what checkpatch rightly flags in kernel
# code; the goslab sources they build are checked here.
#
# Prints "lint: N passed, M failed" (one check per file and tool) and
# appends "lint N M" to $GOSLAB_RESULTS when set.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}
tools=$cache/lint-tools
results_init lint
# A failure shows the first lines of its log: the first reports.
results_excerpt="head -n 20"
log=$repo/build/lint
mkdir -p "$log"

sh scripts/deps.sh || { bad deps; finish; }

# checkpatch and kernel-doc, from the source package, once.
stamp=$(ktree_stamp)
if [ "$(cat "$tools/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$tools" && mkdir -p "$tools"
	tar -xJf "$ktree_tarball" -C "$tools" --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch \
		linux-source-6.12/scripts/kernel-doc ||
		{ bad "unpack lint tools"; finish; }
	echo "$stamp" >"$tools/.stamp"
fi

files=$(git ls-files 'goslab/*.[ch]' 'include/*.h' 'kunit/*.[ch]' 'clients/*.[ch]' \
	2>/dev/null)
[ -n "$files" ] || files=$(ls goslab/*.[ch] include/*.h kunit/*.[ch] clients/*.c clients/bench/*.[ch])
for f in $files; do
	out=$log/checkpatch-$(echo "$f" | tr / _).txt
	if perl "$tools/scripts/checkpatch.pl" --no-tree --strict --terse \
		--ignore VSPRINTF_SPECIFIER_PX -f "$f" >"$out" 2>&1 &&
	   ! grep -qE 'ERROR|WARNING|CHECK' "$out"; then
		count_pass
	else
		bad "checkpatch $f" "$out"
	fi
done

# sparse and W=1, one scratch build directory per kernel.
for series in 6.12 6.1; do
	kdir=$(sh scripts/kdir.sh "$series") || { bad "headers $series"; continue; }
	b=$repo/build/lint/mod-$series
	rm -rf "$b" && mkdir -p "$b"
	cp -r Kbuild goslab include kunit clients "$b/"
	out=$log/build-$series.txt
	if make -C "$kdir" M="$b" CONFIG_GOSLAB=m CONFIG_GOSLAB_EXAMPLE=m \
		W=1 C=2 modules >"$out" 2>&1 &&
	   ! grep -E 'warning:|error:' "$out" >"$out.bad"; then
		count_pass
	else
		[ -s "$out.bad" ] || tail -n 20 "$out" >"$out.bad"
		bad "W=1 + sparse build against $series" "$out.bad"
	fi
done

# Documentation/: every file parses without a docutils warning.  Debian's
# python3-docutils serves /usr/bin/python3; another python3 first on PATH
# may have its own.
py=
for p in python3 /usr/bin/python3; do
	"$p" -c 'import docutils' 2>/dev/null && { py=$p; break; }
done
for f in Documentation/*.rst; do
	out=$log/rst-$(basename "$f").txt
	if [ -n "$py" ] && "$py" scripts/rst-check.py "$f" >"$out" 2>&1; then
		count_pass
	else
		[ -n "$py" ] || echo "no python3 with docutils" >"$out"
		bad "rst $f" "$out"
	fi
done

out=$log/kernel-doc.txt
if perl "$tools/scripts/kernel-doc" -none -Wall include/goslab.h >"$out" 2>&1 &&
   [ ! -s "$out" ]; then
	count_pass
else
	bad "kernel-doc include/goslab.h" "$out"
fi
finish
