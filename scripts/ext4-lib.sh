# SPDX-License-Identifier: GPL-2.0
#
# Shared by scripts/ext4-test.sh and scripts/bench/ext4.sh (sourced, not
# run, after scripts/vm-lib.sh and vm_kernel 6.12): ext4, jbd2 and mbcache
# built from Debian's linux-source-6.12 with include/goslab_kmalloc.h,
# the disk they run on, and the pieces of the guest that carry them.
#
# The caller sets $repo and $vmdir.  Environment: GOSLAB_CACHE,
# GOSLAB_JOBS (make -j, default: CPUs).

# Variables cross between this file and the scripts that source it.
# shellcheck shell=sh disable=SC2034,SC2154

ext4_cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}

# ext4_build: goslab.ko against $kdir's headers, then ext4, jbd2, mbcache
# and goslab_kmcheck against it.  Sets ko (goslab.ko), ext4_bdir (the
# module tree: mbcache.ko, jbd2/jbd2.ko, ext4/ext4.ko, goslab_kmcheck.ko)
# and ext4_log (its build log).  On failure returns 1 with the reason in
# ext4_err and the log to show, if any, in ext4_errlog.
ext4_build() {
	ext4_err=
	ext4_errlog=
	mkdir -p "$vmdir" "$ext4_cache"
	# goslab.ko under vm-lib's lock on build/<release>/.
	_e4_gslog=$vmdir/ext4-goslab-build.log
	mkdir -p "$repo/build"
	exec 8>"$repo/build/.vm-prepare.lock"
	flock 8
	_e4_rc=0
	make -C "$repo" KDIR="$kdir" modules >"$_e4_gslog" 2>&1 || _e4_rc=$?
	exec 8>&-
	ko=$(sed -n 's/^built: //p' "$_e4_gslog" | tail -n 1)
	if [ "$_e4_rc" -ne 0 ] || [ ! -f "$ko" ]; then
		ext4_err="build-goslab: see $_e4_gslog"
		ext4_errlog=$_e4_gslog
		return 1
	fi

	ext4_bdir=$ext4_cache/ext4-$vm_krel
	# One build per cache at a time: the directory is shared by checkouts.
	exec 7>"$ext4_cache/ext4.lock"
	flock 7
	_ext4_build
	_e4_rc=$?
	exec 7>&-
	return "$_e4_rc"
}

_ext4_build() {
	if ! _e4_stamp=$(ktree_stamp); then
		ext4_err="source: $ktree_tarball is missing"
		return 1
	fi
	if [ "$(cat "$ext4_bdir/.goslab-unpacked" 2>/dev/null)" != "$_e4_stamp" ]; then
		echo "ext4: unpacking fs/ext4, fs/jbd2, fs/mbcache.c of $ktree_tarball" >&2
		rm -rf "$ext4_bdir" "$ext4_bdir.unpack"
		if ! mkdir -p "$ext4_bdir.unpack" ||
		   ! tar -xJf "$ktree_tarball" -C "$ext4_bdir.unpack" \
			--strip-components=2 \
			linux-source-6.12/fs/ext4 linux-source-6.12/fs/jbd2 \
			linux-source-6.12/fs/mbcache.c ||
		   ! mv "$ext4_bdir.unpack" "$ext4_bdir"; then
			ext4_err="source: cannot unpack $ktree_tarball"
			return 1
		fi
		echo "$_e4_stamp" >"$ext4_bdir/.goslab-unpacked"
	fi
	# Copied only when they changed, so make sees them unchanged.
	for _e4_f in Kbuild kmcheck.c; do
		cmp -s "$repo/scripts/ext4/$_e4_f" "$ext4_bdir/$_e4_f" ||
			cp "$repo/scripts/ext4/$_e4_f" "$ext4_bdir/$_e4_f"
	done
	ext4_log=$ext4_bdir/build.log
	echo "ext4: building ext4, jbd2, mbcache in $ext4_bdir" >&2
	_e4_start=$(date +%s)
	_e4_rc=0
	make -C "$kdir" M="$ext4_bdir" -j"${GOSLAB_JOBS:-$(nproc)}" \
		GOSLAB_INCLUDE="$repo/include" \
		KBUILD_EXTRA_SYMBOLS="$(dirname "$ko")/Module.symvers" \
		modules >"$ext4_log" 2>&1 || _e4_rc=$?
	echo "ext4: module build took $(($(date +%s) - _e4_start)) s" >&2
	if [ "$_e4_rc" -ne 0 ]; then
		ext4_err="build-ext4: status $_e4_rc, see $ext4_log"
		ext4_errlog=$ext4_log
		return 1
	fi
}

# ext4_disk <image> <log>: a fresh 256 MiB ext4 image, mkfs's output in
# <log>.  4 KiB blocks (mke2fs gives a file system this small 1 KiB
# ones), so a 3 KiB extended attribute fits a block; the inode tables and
# journal written now, not by the guest's ext4lazyinit thread
# mid-workload.
ext4_disk() {
	rm -f "$1"
	truncate -s 256M "$1" &&
		mkfs.ext4 -q -F -b 4096 -L goslab \
			-E lazy_itable_init=0,lazy_journal_init=0 "$1" >"$2" 2>&1
}

# ext4_stock_module <path under kernel/> <file>: one of Debian's modules
# of $vm_krel, uncompressed into <file>.  On failure returns 1 with the
# reason in ext4_err.
ext4_stock_module() {
	_e4_k=/lib/modules/$vm_krel/kernel/$1
	if [ -f "$_e4_k.ko.xz" ]; then
		xz -dc "$_e4_k.ko.xz" >"$2" && return 0
	elif [ -f "$_e4_k.ko" ]; then
		cp "$_e4_k.ko" "$2" && return 0
	fi
	ext4_err="no $_e4_k.ko(.xz)"
	return 1
}

# ext4_rootfs <dir> <guest test> <name>: the ext4 guest's busybox root in
# <dir> (scripts/guest/init as /init): <guest test> as /tests/<name>
# (test-*.sh, for init to run), the workload and lib.sh beside it,
# goslab.ko, the modules ext4_build built (lib/modules/goslab/ext4/),
# Debian's crc16, crc32c_generic and virtio_blk (lib/modules/goslab/kernel/),
# and gsxattr.  The caller adds what else it needs, then packs it.  On
# failure returns 1 with the reason in ext4_err.
ext4_rootfs() {
	if ! vm_rootfs "$1" "$repo/scripts/guest/init" tests mnt \
		lib/modules/goslab/ext4 lib/modules/goslab/kernel; then
		ext4_err=$vm_err
		return 1
	fi
	if ! cp "$repo/scripts/guest/lib.sh" \
		"$repo/scripts/guest/ext4/workload.sh" "$1/tests/" ||
	   ! cp "$2" "$1/tests/$3" ||
	   ! cp "$ko" "$1/lib/modules/goslab/" ||
	   ! cp "$ext4_bdir/mbcache.ko" "$ext4_bdir/jbd2/jbd2.ko" \
		"$ext4_bdir/ext4/ext4.ko" "$ext4_bdir/goslab_kmcheck.ko" \
		"$1/lib/modules/goslab/ext4/"; then
		ext4_err="cannot copy the guest's files into $1"
		return 1
	fi
	for _e4_m in lib/crc16 crypto/crc32c_generic drivers/block/virtio_blk; do
		ext4_stock_module "$_e4_m" \
			"$1/lib/modules/goslab/kernel/${_e4_m##*/}.ko" || return 1
	done
	if ! gcc -static -O2 -Wall -o "$1/bin/gsxattr" \
		"$repo/scripts/guest/ext4/xattr.c" >"$vmdir/ext4-xattr.log" 2>&1; then
		ext4_err="gsxattr does not build, see $vmdir/ext4-xattr.log"
		return 1
	fi
}
