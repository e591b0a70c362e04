#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench's ext4 section (scripts/bench.sh calls it; it runs alone too):
# the ext4 test's file workload with Debian's own ext4 on SLUB and with
# ext4 on goslab, each in fresh boots of its own.
#
# Usage: scripts/bench/ext4.sh [<out dir>]  (default build/bench)
#
#  1. ext4, jbd2 and mbcache built with include/goslab_kmalloc.h, as the
#     ext4 test builds them (scripts/ext4-lib.sh), goslab.ko with them;
#  2. one initramfs for both: scripts/guest/ext4/bench-ext4.sh as the one
#     guest test, those modules, and Debian's own ext4, jbd2 and mbcache
#     of the stock 6.12 kernel (lib/modules/goslab/stock/);
#  3. GOSLAB_BENCH_EXT4_BOOTS (default 5) boots per allocator, the two
#     alternating which goes first, each on a fresh 256 MiB disk made as
#     the ext4 test makes it: QEMU (scripts/vm-lib.sh: TCG, 2 vCPUs,
#     1 GiB), init_on_alloc as Debian has it (on), ext4bench_alloc=slub or
#     goslab.  A boot that leaves no row, or whose workload failed a
#     check, is tried once more;
#  4. every boot's row into <out>/ext4.csv, then the median of each figure
#     per allocator and goslab/SLUB of the medians on stdout.  The figures
#     are the guest's (bench-ext4.sh says what each counts): pages, the
#     system's way, at the peak, at the end, after umount and 5 s later,
#     and the workload's time.
#
# Environment: GOSLAB_BENCH_EXT4_BOOTS, GOSLAB_BENCH_EXT4_SAMPLE=0 (no
# sampling during the workload: no peak figures, the time alone),
# GOSLAB_VM_TIMEOUT (default here 300 s a boot), GOSLAB_CACHE,
# GOSLAB_JOBS.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:-$repo/build/bench}
GOSLAB_VM_TIMEOUT=${GOSLAB_VM_TIMEOUT:-300}
GOSLAB_VM_NUMA=0
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"
# shellcheck source=scripts/ext4-lib.sh
. "$repo/scripts/ext4-lib.sh"
# Apart from vm-test's build/vm (as the rest of make bench).
vmdir=$out/vm
boots=${GOSLAB_BENCH_EXT4_BOOTS:-5}
csv=$out/ext4.csv
mkdir -p "$out" "$vmdir"

die() {
	echo "bench: ext4: $*" >&2
	exit 1
}

vm_kernel 6.12 || die "$vm_err"
[ -r "$vm_image" ] || die "no $vm_image"
if ! ext4_build; then
	[ -z "$ext4_errlog" ] || tail -n 20 "$ext4_errlog" >&2
	die "$ext4_err"
fi

root=$vmdir/rootfs-ext4bench
ext4_rootfs "$root" "$repo/scripts/guest/ext4/bench-ext4.sh" \
	test-ext4bench.sh || die "$ext4_err"
mkdir -p "$root/lib/modules/goslab/stock"
for m in fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4; do
	ext4_stock_module "$m" "$root/lib/modules/goslab/stock/${m##*/}.ko" ||
		die "$ext4_err"
done
vm_initrd=$vmdir/initramfs-ext4bench.cpio.gz
vm_initramfs "$root" "$vm_initrd" || die "cannot pack $vm_initrd"

echo "alloc,boot,time_s,sys_peak,kmalloc_peak,goslab_peak,samples,sys_end,kmalloc_end,goslab_end,sys_umount,kmalloc_umount,goslab_umount,sys_5s,kmalloc_5s,goslab_5s" >"$csv"

# ext4_boot <alloc> <boot>: one fresh boot; its row into ext4.csv.  Fails
# when the boot left no row or a check of the workload failed.
ext4_boot() {
	img=$vmdir/ext4bench-disk.img
	ext4_disk "$img" "$vmdir/ext4bench-mkfs.log" ||
		die "mkfs failed, see $vmdir/ext4bench-mkfs.log"
	serial=$vmdir/ext4bench-$1-$2.log
	vm_qemu_extra="-drive file=$img,if=virtio,format=raw"
	echo "bench: ext4 boot $2/$boots with $1 (serial log $serial)" >&2
	start=$(date +%s)
	rc=0
	vm_boot "$serial" "ext4bench_alloc=$1" \
		"ext4bench_sample=${GOSLAB_BENCH_EXT4_SAMPLE:-1}" || rc=$?
	echo "bench: QEMU exited with $rc after $(($(date +%s) - start)) s" >&2
	tr -d '\r' <"$serial" >"$serial.txt"
	grep '^ext4bench: ' "$serial.txt" >&2 || true
	if sed -n '/^GOSLAB-DMESG begin/,/^GOSLAB-DMESG end/p' "$serial.txt" |
		grep -E 'WARNING:|BUG:|Oops|Call Trace' >&2; then
		echo "bench: kernel reports in $serial (above)" >&2
	fi
	if grep '^GOSLAB-CHECK FAIL' "$serial.txt" >&2; then
		echo "bench: ext4 boot $2 ($1): the workload failed (above)" >&2
		return 1
	fi
	row=$(awk -v a="$1" '$1 == "GOSLAB-EXT4BENCH" && $2 == "row" &&
		$3 == a && NF == 17 {
			printf "%s", $4
			for (i = 5; i <= 17; i++) printf ",%s", $i
		}' "$serial.txt")
	if [ -z "$row" ]; then
		echo "bench: ext4 boot $2 ($1) printed no row; see $serial" >&2
		tail -n 20 "$serial.txt" >&2
		return 1
	fi
	echo "$1,$2,$row" >>"$csv"
}

b=1
while [ "$b" -le "$boots" ]; do
	order="slub goslab"
	[ $((b % 2)) = 1 ] || order="goslab slub"
	for a in $order; do
		# TCG guests here now and then die early in boot (an int3
		# oops before any module), which says nothing of either.
		ext4_boot "$a" "$b" || ext4_boot "$a" "$b" ||
			echo "bench: ext4 boot $b ($a): no row" >&2
	done
	b=$((b + 1))
done

echo
echo "ext4 (the ext4 test's workload, fresh boot each, median of boots;" \
	"pages of 4 KiB; sys: taken from the page allocator, page cache" \
	"excepted; kmalloc: SLUB's kmalloc caches and large kmallocs and" \
	"goslab's pages; goslab: goslab's part of it):"
awk -F, -f "$(dirname "$0")/median.awk" -f - "$csv" <<'EOF'
	NR == 1 { for (i = 3; i <= NF; i++) name[i] = $i; nf = NF; next }
	{
		nb[$1]++
		for (i = 3; i <= NF; i++) v[$1, i] = v[$1, i] " " $i
	}
	END {
		printf "%-16s %10s %10s %12s\n", "median of boots", "slub", "goslab", "goslab/SLUB"
		printf "%-16s %10d %10d\n", "boots", nb["slub"], nb["goslab"]
		for (i = 3; i <= nf; i++) {
			sl = ("slub" in nb) ? median(v["slub", i]) : "-"
			go = ("goslab" in nb) ? median(v["goslab", i]) : "-"
			r = sl + 0 > 0 && go != "-" ? sprintf("%.3f", go / sl) : "-"
			printf "%-16s %10s %10s %12s\n", name[i], sl, go, r
		}
	}
EOF
echo "every boot: $csv"
