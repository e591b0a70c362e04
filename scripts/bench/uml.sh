#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The UML half of make bench: goslab and goslab_bench built into a UML
# kernel (kunit.py --arch=um), the benchmark run at late_initcall by the
# kernel parameter goslab_bench.boot_run=..., once with init_on_alloc=1 and
# once with init_on_alloc=0.  UML runs kernel code natively (no TCG), but
# the 6.12 UML kernel is uniprocessor (arch/um: SMP needs 6.16), so the
# two-CPU test reports "n/a" there.  Traces reach the UML kernel in an
# initramfs (initrd=FILE): goslab_bench.boot_replay=... replays them at
# boot, timing only (no process reads goslab's debugfs there).
#
# Staging, apart from scripts/kunit.sh's so the two never fight over the
# drivers/goslab symlink:
#   $cache/linux-bench-um   a hard-linked copy of kunit.sh's unpacked
#                           linux-source-6.12 (or a fresh unpack), whose
#                           drivers/goslab points at ...
#   $cache/bench-um-src     a snapshot of this repository's sources
#   $cache/bench-um         kunit.py's build directory (incremental)
#
# Usage: uml.sh build | run <out-file> <kernel args...>
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}
main_tree=$cache/linux-source-6.12
tree=$cache/linux-bench-um
src=$cache/bench-um-src
bdir=$cache/bench-um
jobs=${GOSLAB_JOBS:-$(nproc)}

die() {
	echo "uml.sh: $*" >&2
	exit 1
}

stage() {
	mkdir -p "$cache"
	if [ ! -f "$tree/.goslab-bench-tree" ]; then
		rm -rf "$tree" "$tree.tmp"
		if [ -f "$main_tree/.goslab-unpacked" ]; then
			# Hard links: cheap.  Nothing below writes a file of
			# the tree in place (ktree_stage replaces drivers/Kconfig
			# and drivers/Makefile, it does not edit them).
			cp -al "$main_tree" "$tree.tmp"
		else
			ktree_unpack "$tree.tmp" || die "$ktree_err"
		fi
		rm -f "$tree.tmp/drivers/goslab"
		mv "$tree.tmp" "$tree"
		touch "$tree/.goslab-bench-tree"
	fi
	# A snapshot of the sources (others may edit the repository while
	# the kernel builds), by content and stamped with the time of the
	# copy (see bench.sh).  Only the bench client is built in: the
	# example client's boot-time self tests are not benchmarks.
	mkdir -p "$src"
	rsync -rlpD --delete --checksum --exclude='*.o' --exclude='.*.cmd' \
		"$repo/Kbuild" "$repo/goslab" "$repo/include" "$repo/kunit" \
		"$repo/clients" "$src/"
	grep -v 'clients/goslab_example.o' "$src/Kbuild" >"$src/Kbuild.tmp"
	if ! cmp -s "$src/Kbuild.tmp" "$src/Kbuild.um"; then
		cp "$src/Kbuild.tmp" "$src/Kbuild.um"
	fi
	rm "$src/Kbuild.tmp"
	cp -p "$src/Kbuild.um" "$src/Kbuild"
	ktree_stage "$tree" "$src" || die "$ktree_err"
	mkdir -p "$bdir"
	cat >"$bdir/bench.kunitconfig" <<'CFG'
CONFIG_KUNIT=y
CONFIG_GOSLAB=y
CONFIG_GOSLAB_EXAMPLE=y
CONFIG_DEBUG_FS=y
CONFIG_PRINTK_TIME=y
CONFIG_BLK_DEV_INITRD=y
CFG
}

case ${1:-} in
build)
	stage
	python3 "$tree/tools/testing/kunit/kunit.py" build --arch=um \
		--build_dir="$bdir" --kunitconfig="$bdir/bench.kunitconfig" \
		--jobs="$jobs"
	;;
run)
	out=$2
	shift 2
	# Each kernel argument as --kernel_args=..., after kunit.py's own.
	n=$#
	for a; do
		set -- "$@" "--kernel_args=$a"
	done
	shift "$n"
	set -- exec --arch=um --build_dir="$bdir" --raw_output=all \
		--timeout="${GOSLAB_BENCH_UML_TIMEOUT:-1200}" "$@"
	python3 "$tree/tools/testing/kunit/kunit.py" "$@" >"$out" 2>&1 || true
	;;
*)
	echo "usage: $0 build | run <out> <kernel args...>" >&2
	exit 2
	;;
esac
