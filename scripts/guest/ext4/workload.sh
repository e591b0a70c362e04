# SPDX-License-Identifier: GPL-2.0
#
# The file workload of the ext4 guests (installed as /tests/workload.sh,
# sourced): scripts/guest/ext4/test-ext4.sh runs it to check ext4 on
# goslab, scripts/guest/ext4/bench-ext4.sh (make bench) to measure it on
# goslab and on SLUB, so both see the same workload.  ext4_workload runs
# it on the file system mounted at $MNT from /dev/vda; its checks are
# GOSLAB-CHECK lines (lib.sh's pass and fail), and a step that cannot go
# on calls die <name> <why> (below), which calls the sourcing script's
# unload_all.  It leaves the file
# system mounted and empty but for lost+found.
# shellcheck shell=sh

X=/bin/gsxattr
NDIR=100
NFILE=20

# ext4_unload: unmount $MNT, unload ext4, jbd2 and mbcache, then goslab;
# whatever happened, so that nothing stays loaded (init's contract).
ext4_unload() {
	umount "$MNT" 2>/dev/null
	for m in ext4 jbd2 mbcache; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	goslab_unload
}

# die <name> <why>: the check fails, the sourcing script's unload_all
# leaves nothing loaded, and the guest script ends.
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

# ext4_workload: create 2,000 files in 100 directories and read them back
# after a remount; rename, link, symlink, extended attributes, truncate;
# tar and extract the tree; delete everything.
ext4_workload() {
	# --- create, write, read back after a remount
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

	# --- rename, link, symlink, xattr, truncate
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

	# --- tar and extraction
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

	# --- delete
	rm -rf "$W" "$MNT/x" "$MNT/w.tar"
	left=$(ls -A "$MNT" | tr '\n' ' ')
	[ "$left" = "lost+found " ] && pass ext4-delete || fail ext4-delete "left: $left"
}
