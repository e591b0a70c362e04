#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/ext4-test.sh (installed as /tests/test-ext4.sh in
# an initramfs of its own, run by scripts/guest/init): ext4, jbd2 and
# mbcache built with include/goslab_kmalloc.h, so that their kmalloc
# family is goslab's, run a real file workload on /dev/vda, an image
# mkfs.ext4 made on the host.  e2fsck on the host checks the image after.
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

M=$GOSLAB_MODDIR
D=$GOSLAB_DEBUGFS
X=/bin/gsxattr
MNT=/mnt
NDIR=100
NFILE=20

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
	umount "$MNT" 2>/dev/null
	for m in ext4 jbd2 mbcache; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	goslab_unload
}

die() {
	fail "$1" "$2"
	unload_all
	exit 0
}

# sums <dir>: md5sum of every regular file under <dir>, names relative.
sums() {
	(cd "$1" && find . -type f | sort | xargs md5sum)
}

remount() {
	umount "$MNT" || return 1
	mount -t ext4 /dev/vda "$MNT"
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

# --- create, write, read back after a remount --------------------------
# Sizes from 40 bytes to 9 KiB (inline in one block, several blocks), and
# ten files of 192 KiB of random bytes (extents over many blocks).
chunk="0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
chunk="$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk$chunk"
W=$MNT/w
mkdir "$W" || die ext4-create "mkdir $W failed"
d=0
while [ "$d" -lt "$NDIR" ]; do
	mkdir "$W/d$d" || die ext4-create "mkdir d$d failed"
	f=0
	while [ "$f" -lt "$NFILE" ]; do
		{
			echo "file $d/$f"
			k=$(((d * NFILE + f) % 10))
			while [ "$k" -gt 0 ]; do
				echo "$chunk"
				k=$((k - 1))
			done
		} >"$W/d$d/f$f" || die ext4-create "write d$d/f$f failed"
		f=$((f + 1))
	done
	d=$((d + 1))
done
for i in 0 1 2 3 4 5 6 7 8 9; do
	dd if=/dev/urandom of="$W/d$i/big" bs=64k count=3 2>/dev/null ||
		die ext4-create "dd big $i failed"
done
n=$(find "$W" -type f | wc -l)
nd=$(find "$W" -type d | wc -l)
if [ "$n" -eq $((NDIR * NFILE + 10)) ] && [ "$nd" -eq $((NDIR + 1)) ]; then
	pass ext4-create
else
	fail ext4-create "$n files, $nd directories"
fi
sums "$W" >/tmp/sums.1
sync
remount || die ext4-remount "remount failed"
if sums "$W" | cmp -s - /tmp/sums.1; then
	pass ext4-readback
else
	fail ext4-readback "contents differ after remount"
fi

# --- rename, link, symlink, xattr, truncate ----------------------------
ok=1
d=0
while [ "$d" -lt "$NDIR" ]; do
	p=$W/d$d
	mv "$p/f1" "$p/renamed1" && ln "$p/f2" "$p/hard2" &&
		ln -s f3 "$p/sym3" && ln -s "../d$(((d + 1) % NDIR))/f4" "$p/sym4" ||
		ok=0
	d=$((d + 1))
done
mv "$W/d99" "$W/moved99" || ok=0
why=
[ "$ok" = 1 ] || why="mv/ln failed;"
grep " ./d5/f1\$" /tmp/sums.1 | sed 's| ./d5/f1$| ./d5/renamed1|' >/tmp/want
(cd "$W" && md5sum ./d5/renamed1) | cmp -s - /tmp/want &&
	[ ! -e "$W/d5/f1" ] || why="$why rename;"
[ "$(stat -c %h "$W/d7/f2")" = 2 ] && [ "$(stat -c %h "$W/d7/hard2")" = 2 ] &&
	cmp -s "$W/d7/f2" "$W/d7/hard2" || why="$why hard link;"
[ "$(readlink "$W/d8/sym3")" = f3 ] && cmp -s "$W/d8/sym3" "$W/d8/f3" &&
	cmp -s "$W/d8/sym4" "$W/d9/f4" || why="$why symlink;"
# d98/sym4 pointed into d99, which moved: dangling now.
[ -L "$W/d98/sym4" ] && [ ! -e "$W/d98/sym4" ] &&
	[ "$(readlink "$W/d98/sym4")" = ../d99/f4 ] || why="$why dangling symlink;"
[ -f "$W/moved99/f0" ] && [ ! -e "$W/d99" ] || why="$why directory rename;"
[ -z "$why" ] && pass ext4-namespace-ops || fail ext4-namespace-ops "$why"

# Small values stay in the inode; 3 KiB ones go to an xattr block, the
# same value on 100 files shares blocks through mbcache.
files5=$(find "$W" -name f5 | sort)
files6=$(find "$W" -name f6 | sort)
# shellcheck disable=SC2086 # file lists
if $X set user.small "value-small" $files5 &&
   $X set user.big @3000 $files6 &&
   $X set trusted.t @200 $files5 &&
   $X check user.small "value-small" $files5 &&
   $X check user.big @3000 $files6 &&
   remount &&
   $X check user.big @3000 $files6 && $X check trusted.t @200 $files5 &&
   $X rm user.big $files6 && $X absent user.big $files6; then
	pass ext4-xattr
else
	fail ext4-xattr "set, get, list or remove failed"
fi

ok=1
d=0
while [ "$d" -lt 50 ]; do
	truncate -s 100 "$W/d$d/f7" && truncate -s 0 "$W/d$d/f8" &&
		truncate -s 1048576 "$W/d$d/f9" || ok=0
	d=$((d + 1))
done
[ "$(stat -c %s "$W/d3/f7")" = 100 ] && [ "$(stat -c %s "$W/d3/f8")" = 0 ] &&
	[ "$(stat -c %s "$W/d3/f9")" = 1048576 ] || ok=0
[ "$(head -c 9 "$W/d3/f7")" = "file 3/7" ] || ok=0
[ "$ok" = 1 ] && pass ext4-truncate || fail ext4-truncate "sizes or contents wrong"

# --- tar and extraction -------------------------------------------------
sums "$W" >/tmp/sums.2
find "$W" -type l | sed "s|^$W||" | sort >/tmp/links.2
if (cd "$MNT" && tar -cf "$MNT/w.tar" w) && mkdir "$MNT/x" &&
   tar -xf "$MNT/w.tar" -C "$MNT/x" && remount &&
   sums "$MNT/x/w" | cmp -s - /tmp/sums.2 &&
   find "$MNT/x/w" -type l | sed "s|^$MNT/x/w||" | sort | cmp -s - /tmp/links.2 &&
   [ "$(stat -c %h "$MNT/x/w/d7/f2")" = 2 ]; then
	pass ext4-tar
else
	fail ext4-tar "the extracted tree differs"
fi

# --- delete, umount -----------------------------------------------------
rm -rf "$W" "$MNT/x" "$MNT/w.tar"
left=$(ls -A "$MNT" | tr '\n' ' ')
[ "$left" = "lost+found " ] && pass ext4-delete || fail ext4-delete "left: $left"
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
