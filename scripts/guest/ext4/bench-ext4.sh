#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of make bench's ext4 boots (scripts/bench/ext4.sh; installed
# as /tests/test-ext4bench.sh, run by scripts/guest/init): the workload of
# the ext4 test (scripts/guest/ext4/workload.sh) on /dev/vda, with one of
# two ext4s, chosen by the kernel command-line word ext4bench_alloc=:
#
#   slub    Debian's own ext4, jbd2 and mbcache (/lib/modules/goslab/stock/):
#           their kmalloc family is SLUB's
#   goslab  the same sources built with include/goslab_kmalloc.h
#           (/lib/modules/goslab/ext4/): their kmalloc family is goslab's
#
# Their kmem_cache_*() caches (ext4_inode_cache, jbd2's, ...) are SLUB's in
# both.  goslab.ko is loaded in both, so that the rest of the kernel is the
# same; it serves nothing in the slub boot.
#
# A reading is, after the per-CPU counter deltas are folded
# (/proc/sys/vm/stat_refresh): free pages (nr_free_pages plus every CPU's
# per-CPU page lists, the "count:" lines of /proc/zoneinfo), page cache
# (nr_file_pages), SLUB's slabs (nr_slab_reclaimable plus
# nr_slab_unreclaimable: large kmallocs included, and goslab's pages,
# which goslab counts there as SLUB's are), the slabs of every cache but
# the kmalloc caches (/proc/slabinfo: num_slabs times pagesperslab of each
# cache not named kmalloc-* or dma-kmalloc-*) and goslab's sys_bytes in
# pages.  Against the base reading (modules loaded,
# before the mount, after sync and drop_caches) each reading gives three
# figures:
#
#   sys      pages taken from the page allocator that are not page cache:
#            free pages gone, less the growth of nr_file_pages
#   kmalloc  pages the kmalloc family holds, the whole kernel's: the
#            growth of the slab counters less that of the kmem_cache_*()
#            caches' slabs; what is left is the kmalloc caches' slabs,
#            the large kmallocs' pages and goslab's pages
#   goslab   the growth of goslab's sys_bytes: its part of kmalloc
#
# at four points: peak (the largest of each over the samples a background
# loop takes every 0.2 s from the mount to the end of the workload), end
# (workload done and synced, still mounted, after drop_caches), umount
# (after umount and drop_caches) and 5 s after that.  The workload's time
# is from the start of the mount to the end of its sync.  With the
# command-line word ext4bench_sample=0 no loop samples: the peaks are 0,
# the time is the workload's alone.  One line
#
#   GOSLAB-EXT4BENCH row <alloc> <time s> <sys> <kmalloc> <goslab>
#       <samples> (the peaks) <sys> <kmalloc> <goslab> (end) ... (umount)
#       ... (5 s later)
#
# and the workload's checks, which must all pass for the row to count.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh
# shellcheck source=scripts/guest/ext4/workload.sh
. /tests/workload.sh

M=$GOSLAB_MODDIR
D=$GOSLAB_DEBUGFS
MNT=/mnt
alloc=${ext4bench_alloc:-goslab}
S=/tmp/ext4bench.samples
STOP=/tmp/ext4bench.stop

case $alloc in
goslab)	E=$M/ext4 ;;
slub)	E=$M/stock ;;
*)	fail ext4bench-alloc "ext4bench_alloc=$alloc: neither goslab nor slub"
	exit 0 ;;
esac

unload_all() {
	touch "$STOP"
	wait
	ext4_unload
}

# One reading: free pages, page cache, SLUB's pages, the pages of its
# kmem_cache_*() caches, goslab's pages.
reading() {
	echo 1 >/proc/sys/vm/stat_refresh
	g=$(awk '$1 == "sys_bytes" { print int($2 / 4096) }' "$D/stats")
	awk -v g="$g" '
		FILENAME == "/proc/vmstat" && $1 == "nr_free_pages" { free += $2 }
		FILENAME == "/proc/vmstat" && $1 == "nr_file_pages" { file = $2 }
		FILENAME == "/proc/vmstat" && $1 ~ /^nr_slab_(un)?reclaimable$/ { slab += $2 }
		FILENAME == "/proc/zoneinfo" && $1 == "count:" { free += $2 }
		# name ... pagesperslab : tunables ... : slabdata active num ...
		FILENAME == "/proc/slabinfo" && $13 == "slabdata" &&
		    $1 !~ /^(dma-)?kmalloc-/ { kmc += $15 * $6 }
		END { print free, file, slab, kmc, g }' \
		/proc/vmstat /proc/zoneinfo /proc/slabinfo
}

# figures <reading>: "sys kmalloc goslab" against the base reading.
figures() {
	echo "$1" | awk -v b="$base" '{
		split(b, o, " ")
		printf "%d %d %d\n", (o[1] - $1) - ($2 - o[2]),
			($3 - $4) - (o[3] - o[4]), $5 - o[5]
	}'
}

# kmalloc_slabs: pages of each kmalloc cache (/proc/slabinfo).
kmalloc_slabs() {
	awk '$13 == "slabdata" && $1 ~ /^(dma-)?kmalloc-/ { print $1, $15 * $6 }' \
		/proc/slabinfo
}

# show <point> <reading>: the reading and its figures, for the log.
show() {
	echo "ext4bench: $1: free file slab kmem_caches goslab = $2;" \
		"sys kmalloc goslab = $(figures "$2")"
}

sampler() {
	while [ ! -e "$STOP" ]; do
		reading >>"$S"
		sleep 0.2
	done
}

uptime_cs() {
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

goslab_load || die ext4bench-insmod-goslab "insmod goslab.ko failed"
for k in crc16 crc32c_generic virtio_blk; do
	insmod "$M/kernel/$k.ko" ||
		die ext4bench-insmod-kernel "insmod $k.ko failed"
done
for m in mbcache jbd2 ext4; do
	insmod "$E/$m.ko" || die ext4bench-insmod "insmod $E/$m.ko failed"
done
holders=$(awk '$1 == "goslab" { print $4 }' /proc/modules | tr ',' '\n' |
	grep -v '^-*$' | sort | tr '\n' ' ')
want=
[ "$alloc" = slub ] || want="ext4 jbd2 mbcache "
if [ "$holders" = "$want" ]; then
	pass ext4bench-modules
else
	fail ext4bench-modules "$alloc: goslab is used by '$holders'"
fi
mkdir -p "$MNT"
[ -b /dev/vda ] || die ext4bench-disk "no /dev/vda"

sync
echo 3 >/proc/sys/vm/drop_caches
base=$(reading)
show base "$base"
kmalloc_slabs >/tmp/kmalloc.base
rm -f "$S" "$STOP"
# ext4bench_sample=0: no sampling loop (no peak), for the time alone.
touch "$S"
[ "${ext4bench_sample:-1}" = 0 ] || sampler &
t0=$(uptime_cs)
mount -t ext4 /dev/vda "$MNT" || die ext4bench-mount "mount /dev/vda failed"
ext4_workload
sync
t1=$(uptime_cs)
touch "$STOP"
wait
sync
echo 3 >/proc/sys/vm/drop_caches
end=$(reading)
show end "$end"
# Which of SLUB's kmalloc caches grew, for the log.
kmalloc_slabs | awk 'NR == FNR { b[$1] = $2; next }
	$2 != b[$1] { printf "%s %+d ", $1, $2 - b[$1] }
	END { print "" }' /tmp/kmalloc.base - |
	sed 's/^/ext4bench: kmalloc caches grown: /'
if umount "$MNT"; then
	pass ext4bench-umount
else
	fail ext4bench-umount "umount failed"
fi
echo 3 >/proc/sys/vm/drop_caches
unmounted=$(reading)
show umount "$unmounted"
sleep 5
later=$(reading)
show "5 s later" "$later"

# The peak of each figure on its own, and how many samples.
peaks=$(while read -r r; do figures "$r"; done <"$S" |
	awk '{ for (i = 1; i <= 3; i++) if (NR == 1 || $i > m[i]) m[i] = $i }
	     END { printf "%d %d %d %d\n", m[1] + 0, m[2] + 0, m[3] + 0, NR }')
echo "GOSLAB-EXT4BENCH row $alloc" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 100 }')" \
	"$peaks" "$(figures "$end")" "$(figures "$unmounted")" "$(figures "$later")"
# What goslab served, and what of its pages it still holds 5 s after the
# umount (ext4's objects all freed but the module's few), for the log.
[ "$alloc" = slub ] ||
	echo "ext4bench: goslab: $(awk '$1 ~ /^(small_mallocs|large_allocs|small_objects|sys_bytes|heap_(sys|inuse|idle|released)_bytes|metadata_sys_bytes|arenas)$/ {
		printf "%s %s ", $1, $2 }' "$D/stats")"

unload_all
for k in virtio_blk crc32c_generic crc16; do
	rmmod "$k" 2>/dev/null
done
exit 0
