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
#     scripts/guest/ext4/test-ext4.sh (its workload is
#     scripts/guest/ext4/workload.sh), run by scripts/guest/init;
#  5. count the guest's GOSLAB-CHECK lines, and one check that the kernel
#     log holds no WARNING:, BUG: (KASAN's included), Oops, Call Trace or
#     goslab report and the kernel is tainted with nothing but O and E;
#  6. e2fsck -fn on the image: clean.
#
# The build, the disk and the guest's root are scripts/ext4-lib.sh's,
# shared with make bench's ext4 section (scripts/bench/ext4.sh); the
# parse of step 5 is scripts/vm-lib.sh's, shared with vm-test.sh.
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

# shellcheck source=scripts/ext4-lib.sh
. "$repo/scripts/ext4-lib.sh"

results_init ext4-test ext4

sh "$repo/scripts/deps.sh" || { bad "deps: dependency installation failed"; finish; }
vm_kernel 6.12 || { bad "kernel: $vm_err"; finish; }
[ -r "$vm_image" ] || { bad "kernel: no image $vm_image"; finish; }

# --- 1, 2. goslab.ko; ext4, jbd2, mbcache -------------------------------
ext4_build || { bad "$ext4_err" "$ext4_errlog"; finish; }
bdir=$ext4_bdir
elog=$ext4_log
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
ext4_disk "$img" "$vmdir/ext4-mkfs.log" ||
	{ bad "mkfs: see $vmdir/ext4-mkfs.log" "$vmdir/ext4-mkfs.log"; finish; }

# --- 4. the guest ---------------------------------------------------------
root=$vmdir/rootfs-ext4
ext4_rootfs "$root" "$repo/scripts/guest/ext4/test-ext4.sh" test-ext4.sh ||
	{ bad "initramfs: $ext4_err"; finish; }
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
