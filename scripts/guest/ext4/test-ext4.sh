#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/ext4-test.sh (installed as /tests/test-ext4.sh in
# an initramfs of its own, run by scripts/guest/init): ext4, jbd2 and
# mbcache built with include/goslab_kmalloc.h, so that their kmalloc
# family is goslab's, run a real file workload on /dev/vda, an image
# mkfs.ext4 made on the host (scripts/guest/ext4/workload.sh, which make
# bench's ext4 boots run too).  e2fsck on the host checks the image after.
#
# Checks: goslab_kmcheck's checks of the header pass; the modules load
# on goslab (goslab's holders are exactly ext4,
# jbd2, mbcache); the disk mounts; 2,000 files in 100 directories read
# back intact after a remount; renames, hard links, symbolic links,
# extended attributes (in the inode and in shared blocks), truncation;
# a tar of the tree extracts to an identical tree; everything deletes;
# umount; goslab counted ext4's allocations; after rmmod of the three no
# goslab object is live and no bad or foreign free was seen.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh
# shellcheck source=scripts/guest/ext4/workload.sh
. /tests/workload.sh

M=$GOSLAB_MODDIR
D=$GOSLAB_DEBUGFS
MNT=/mnt

stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }

# Print goslab's counters of interest on one line, prefixed.
show_stats() {
	echo "ext4: goslab $1:" \
		"small_mallocs=$(stat_of small_mallocs)" \
		"small_frees=$(stat_of small_frees)" \
		"small_objects=$(stat_of small_objects)" \
		"large_allocs=$(stat_of large_allocs)" \
		"large_frees=$(stat_of large_frees)" \
		"large_objects=$(stat_of large_objects)" \
		"rcu_frees=$(stat_of rcu_frees)" \
		"bad_frees=$(stat_of bad_frees)" \
		"foreign_frees=$(stat_of foreign_frees)"
}

# Leave nothing loaded whatever happened (init's contract).
unload_all() {
	ext4_unload
}

goslab_load || die ext4-insmod-goslab "insmod goslab.ko failed"
for k in crc16 crc32c_generic virtio_blk; do
	insmod "$M/kernel/$k.ko" || die ext4-insmod-kernel "insmod $k.ko failed"
done
# The header's own checks, in plain kmalloc code (scripts/ext4/kmcheck.c).
dmesg -c >/dev/null
insmod "$M/ext4/goslab_kmcheck.ko" || fail ext4-kmcheck-load "its checks failed"
dmesg | sed -n 's/.*goslab_kmcheck: PASS /GOSLAB-CHECK PASS ext4-kmcheck-/p
	s/.*goslab_kmcheck: FAIL \(.*\)/GOSLAB-CHECK FAIL ext4-kmcheck-\1: see the log/p'
[ -d /sys/module/goslab_kmcheck ] && rmmod goslab_kmcheck

echo 1 >"$D/flush"
show_stats "before ext4"
live0=$(stat_of small_objects)
large0=$(stat_of large_objects)
mallocs0=$(stat_of small_mallocs)
lallocs0=$(stat_of large_allocs)

for m in mbcache jbd2 ext4; do
	insmod "$M/ext4/$m.ko" || die ext4-insmod "insmod $m.ko failed"
done
holders=$(awk '$1 == "goslab" { print $4 }' /proc/modules | tr ',' '\n' |
	grep . | sort | tr '\n' ' ')
if [ "$holders" = "ext4 jbd2 mbcache " ]; then
	pass ext4-modules-on-goslab
else
	fail ext4-modules-on-goslab "goslab is used by '$holders'"
fi

mkdir -p "$MNT"
[ -b /dev/vda ] || die ext4-disk "no /dev/vda"
mount -t ext4 /dev/vda "$MNT" || die ext4-mount "mount /dev/vda failed"
pass ext4-mount
grep -q '^/dev/vda /mnt ext4 ' /proc/mounts ||
	fail ext4-mount-type "$(grep vda /proc/mounts)"

ext4_workload
sync
echo 1 >"$D/flush"
show_stats "mounted, after the workload"
echo "ext4: goslab served ext4, jbd2 and mbcache" \
	"$(($(stat_of small_mallocs) - mallocs0)) small and" \
	"$(($(stat_of large_allocs) - lallocs0)) large allocations;" \
	"$(($(stat_of small_objects) - live0)) small objects live while mounted"
[ $(($(stat_of small_mallocs) - mallocs0)) -gt 1000 ] &&
	pass ext4-goslab-served ||
	fail ext4-goslab-served "goslab saw few of ext4's allocations"
umount "$MNT" && pass ext4-umount || fail ext4-umount "umount failed"

# --- unload: nothing of theirs left -------------------------------------
rmmod ext4 && rmmod jbd2 && rmmod mbcache || die ext4-rmmod "rmmod failed"
pass ext4-rmmod
# RCU frees the modules queued finish within goslab's drain time.
i=0
while [ "$(stat_of rcu_pending)" != 0 ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo 1 >"$D/flush"
show_stats "after rmmod ext4 jbd2 mbcache"
if [ "$(stat_of small_objects)" = "$live0" ] &&
   [ "$(stat_of large_objects)" = "$large0" ]; then
	pass ext4-no-leak
else
	fail ext4-no-leak "live small $live0 -> $(stat_of small_objects)," \
		"large $large0 -> $(stat_of large_objects)"
fi
if [ "$(stat_of bad_frees)" = 0 ] && [ "$(stat_of foreign_frees)" = 0 ] &&
   [ "$(stat_of debug_reports)" = 0 ]; then
	pass ext4-no-bad-free
else
	fail ext4-no-bad-free "bad_frees $(stat_of bad_frees)," \
		"foreign_frees $(stat_of foreign_frees)"
fi
dmesg -c >/dev/null
rmmod goslab || fail ext4-rmmod-goslab "rmmod goslab failed"
if dmesg | grep -q 'goslab:'; then
	fail ext4-unload-clean "$(dmesg | grep 'goslab:' | head -n 3)"
else
	pass ext4-unload-clean
fi
for k in virtio_blk crc32c_generic crc16; do
	rmmod "$k" 2>/dev/null
done
exit 0
