#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ext4 on goslab (make ext4-test, a make check stage):
#
#  1. build goslab.ko against the stock Debian 6.12 headers, as vm-test.sh
#     does (build/<release>/);
#  2. take fs/ext4, fs/jbd2 and fs/mbcache.c out of Debian's
#     linux-source-6.12 (the source of the kernel Debian ships) once into
#     the cache, ${GOSLAB_CACHE:-~/.cache/goslab}/ext4-<release>/, and
#     build them there as out-of-tree modules ext4, jbd2 and mbcache with
#     scripts/ext4/Kbuild, which force-includes include/goslab_kmalloc.h:
#     their whole kmalloc family is goslab's, their sources untouched;
#     goslab_kmcheck (scripts/ext4/kmcheck.c) beside them checks what of
#     the header ext4 does not reach.
#     The build directory stays, so a second run rebuilds only what
#     changed (the header, goslab's symbol versions);
#  3. mkfs.ext4 a 256 MiB image on the host;
#  4. boot the stock 6.12 kernel in QEMU (scripts/vm-lib.sh: TCG, 2 vCPUs)
#     with the image as a virtio disk and a busybox initramfs holding
#     goslab.ko, those three modules (never Debian's), Debian's
#     virtio_blk, crc16 and crc32c_generic, and the one guest test
#     scripts/guest/ext4/test-ext4.sh, run by scripts/guest/init;
#  5. count the guest's GOSLAB-CHECK lines, and one check that the kernel
#     log holds no WARNING:, BUG: (KASAN's included), Oops, Call Trace or
#     goslab report and the kernel is tainted with nothing but O and E;
#  6. e2fsck -fn on the image: clean.
#
# Ends with "ext4-test: N passed, M failed"; with GOSLAB_RESULTS set,
# appends "ext4 N M".  Exit status 0 only when M is 0.  Logs, image and
# initramfs stay in build/vm/ (ext4-*), the module build log in the cache.
# Environment: GOSLAB_CACHE, GOSLAB_JOBS (make -j, default: CPUs),
# GOSLAB_VM_TIMEOUT (seconds the guest may run, default 100 here).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
GOSLAB_VM_TIMEOUT=${GOSLAB_VM_TIMEOUT:-100}
GOSLAB_VM_NUMA=0
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"

results_init ext4-test ext4
cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}
jobs=${GOSLAB_JOBS:-$(nproc)}

sh "$repo/scripts/deps.sh" || { bad "deps: dependency installation failed"; finish; }
vm_kernel 6.12 || { bad "kernel: $vm_err"; finish; }
[ -r "$vm_image" ] || { bad "kernel: no image $vm_image"; finish; }
mkdir -p "$vmdir" "$cache"

# --- 1. goslab.ko, under vm-lib's lock on build/<release>/ -------------
gslog=$vmdir/ext4-goslab-build.log
exec 8>"$repo/build/.vm-prepare.lock"
flock 8
rc=0
make -C "$repo" KDIR="$kdir" modules >"$gslog" 2>&1 || rc=$?
exec 8>&-
ko=$(sed -n 's/^built: //p' "$gslog" | tail -n 1)
if [ "$rc" -ne 0 ] || [ ! -f "$ko" ]; then
	bad "build-goslab: see $gslog" "$gslog"
	finish
fi
gsdir=$(dirname "$ko")

# --- 2. ext4, jbd2, mbcache ---------------------------------------------
bdir=$cache/ext4-$vm_krel
# One build per cache at a time: the directory is shared by checkouts.
exec 7>"$cache/ext4.lock"
flock 7
stamp=$(ktree_stamp) || { bad "source: $ktree_tarball is missing"; finish; }
if [ "$(cat "$bdir/.goslab-unpacked" 2>/dev/null)" != "$stamp" ]; then
	echo "ext4-test: unpacking fs/ext4, fs/jbd2, fs/mbcache.c of $ktree_tarball" >&2
	rm -rf "$bdir" "$bdir.unpack"
	if ! mkdir -p "$bdir.unpack" ||
	   ! tar -xJf "$ktree_tarball" -C "$bdir.unpack" --strip-components=2 \
		linux-source-6.12/fs/ext4 linux-source-6.12/fs/jbd2 \
		linux-source-6.12/fs/mbcache.c ||
	   ! mv "$bdir.unpack" "$bdir"; then
		bad "source: cannot unpack $ktree_tarball"
		finish
	fi
	echo "$stamp" >"$bdir/.goslab-unpacked"
fi
# Copied only when they changed, so make sees them unchanged.
for f in Kbuild kmcheck.c; do
	cmp -s "$repo/scripts/ext4/$f" "$bdir/$f" ||
		cp "$repo/scripts/ext4/$f" "$bdir/$f"
done
elog=$bdir/build.log
echo "ext4-test: building ext4, jbd2, mbcache in $bdir" >&2
start=$(date +%s)
rc=0
make -C "$kdir" M="$bdir" -j"$jobs" GOSLAB_INCLUDE="$repo/include" \
	KBUILD_EXTRA_SYMBOLS="$gsdir/Module.symvers" modules >"$elog" 2>&1 || rc=$?
exec 7>&-
echo "ext4-test: module build took $(($(date +%s) - start)) s" >&2
if [ "$rc" -ne 0 ]; then
	bad "build-ext4: status $rc, see $elog" "$elog"
	finish
fi
if grep -E 'warning:|error:' "$elog" >"$elog.bad"; then
	bad "build-ext4: warnings, see $elog" "$elog.bad"
else
	ok build-ext4
fi
deps=
for m in mbcache jbd2/jbd2 ext4/ext4 goslab_kmcheck; do
	modinfo -F depends "$bdir/$m.ko" | tr ',' '\n' | grep -qx goslab ||
		deps="$deps ${m##*/}"
done
if [ -z "$deps" ]; then
	ok depends-on-goslab
else
	bad "depends-on-goslab: not linked against goslab:$deps"
fi

# --- 3. the disk ----------------------------------------------------------
img=$vmdir/ext4-disk.img
rm -f "$img"
# 4 KiB blocks (mke2fs gives a file system this small 1 KiB ones), so a
# 3 KiB extended attribute fits a block; the inode tables and journal
# written now, not by the guest's ext4lazyinit thread mid-workload.
if ! truncate -s 256M "$img" ||
   ! mkfs.ext4 -q -F -b 4096 -L goslab \
	-E lazy_itable_init=0,lazy_journal_init=0 \
	"$img" >"$vmdir/ext4-mkfs.log" 2>&1; then
	bad "mkfs: see $vmdir/ext4-mkfs.log" "$vmdir/ext4-mkfs.log"
	finish
fi

# --- 4. the guest ---------------------------------------------------------
root=$vmdir/rootfs-ext4
vm_rootfs "$root" "$repo/scripts/guest/init" tests mnt \
	lib/modules/goslab/ext4 lib/modules/goslab/kernel ||
	{ bad "initramfs: $vm_err"; finish; }
cp "$repo/scripts/guest/lib.sh" "$root/tests/"
cp "$repo/scripts/guest/ext4/test-ext4.sh" "$root/tests/test-ext4.sh"
cp "$ko" "$root/lib/modules/goslab/"
cp "$bdir/mbcache.ko" "$bdir/jbd2/jbd2.ko" "$bdir/ext4/ext4.ko" \
	"$bdir/goslab_kmcheck.ko" \
	"$root/lib/modules/goslab/ext4/"
kmod=/lib/modules/$vm_krel/kernel
for k in lib/crc16 crypto/crc32c_generic drivers/block/virtio_blk; do
	out=$root/lib/modules/goslab/kernel/${k##*/}.ko
	if [ -f "$kmod/$k.ko.xz" ]; then
		xz -dc "$kmod/$k.ko.xz" >"$out"
	elif [ -f "$kmod/$k.ko" ]; then
		cp "$kmod/$k.ko" "$out"
	else
		bad "initramfs: no $kmod/$k.ko(.xz)"
		finish
	fi
done
if ! gcc -static -O2 -Wall -o "$root/bin/gsxattr" \
	"$repo/scripts/guest/ext4/xattr.c" >"$vmdir/ext4-xattr.log" 2>&1; then
	bad "initramfs: gsxattr does not build" "$vmdir/ext4-xattr.log"
	finish
fi
vm_initrd=$vmdir/initramfs-ext4.cpio.gz
vm_initramfs "$root" "$vm_initrd" || { bad "initramfs: cannot pack"; finish; }

serial=$vmdir/serial-ext4.log
vm_qemu_extra="-drive file=$img,if=virtio,format=raw"
echo "ext4-test: booting $vm_krel (limit $vm_timeout s)" >&2
start=$(date +%s)
rc=0
vm_boot "$serial" || rc=$?
echo "ext4-test: QEMU exited with status $rc after" \
	"$(($(date +%s) - start)) s; serial log $serial" >&2

# --- 5. the guest's checks and its kernel log ----------------------------
grep '^ext4: ' "$serial" | tr -d '\r' >&2 || true
# goslab's own reports count too here (nothing provokes one on purpose),
# but not its load lines, nor the kernel's on an unsigned module.
vm_serial_checks "$serial" "$rc" "" "" 'KASAN|goslab:' \
	'goslab: (usercopy checks|[0-9]+ size classes|loading out-of-tree|module verification)'

# --- 6. the file system, checked on the host -----------------------------
if e2fsck -fn "$img" >"$vmdir/ext4-e2fsck.log" 2>&1; then
	ok e2fsck-clean
	tail -n 1 "$vmdir/ext4-e2fsck.log" >&2
else
	bad "e2fsck-clean: e2fsck -fn found problems" "$vmdir/ext4-e2fsck.log"
fi
finish
