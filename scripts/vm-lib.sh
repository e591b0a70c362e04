# SPDX-License-Identifier: GPL-2.0
#
# Shared by scripts/vm-test.sh, scripts/vm-run.sh and scripts/bench.sh
# (sourced, not run): find a stock Debian kernel (headers, release,
# image), build goslab.ko and the client modules against its headers, pack
# a busybox initramfs around scripts/guest/, and boot the kernel in QEMU
# (TCG, two vCPUs) with a hard time limit.
#
# The caller sets $repo (repository root) before sourcing.  Environment:
#   GOSLAB_VM_TIMEOUT  seconds a boot may take in all (default 300)
#   GOSLAB_VM_NUMA=1   two NUMA nodes of 1 GiB, one vCPU each (default: one
#                      node, 1 GiB)
#   GOSLAB_VM_MEM      the one node's memory, as QEMU's -m takes it (default
#                      1G; make bench's spanops boot needs 5G)
#   GOSLAB_VM_APPEND   extra kernel command-line words

# Variables cross between this file and the scripts that source it.
# shellcheck shell=sh disable=SC2034,SC2154

vmdir=$repo/build/vm
vm_timeout=${GOSLAB_VM_TIMEOUT:-300}

# vm_kernel <series>: the newest installed kernel of <series> (6.12 or
# 6.1).  Sets kdir (its headers), vm_krel (the release its image reports,
# which module vermagic must match) and vm_image (the image's path, not
# checked).  Without headers returns 1 with the reason in vm_err, and
# vm_krel is <series>.
vm_kernel() {
	vm_err=
	vm_krel=$1
	if ! kdir=$(sh "$repo/scripts/kdir.sh" "$1"); then
		vm_err="no headers for $1 (scripts/deps.sh)"
		return 1
	fi
	vm_krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null)
	[ -n "$vm_krel" ] || vm_krel=$(sh "$repo/scripts/krel.sh" "$kdir")
	vm_image=/boot/vmlinuz-$vm_krel
}

# vm_rootfs <dir> <init> [<subdir>...]: a fresh busybox root in <dir>:
# the usual directories, /lib/modules/goslab and the <subdir>s, busybox
# with a link per applet, /dev/console, and <init> as /init.  The caller
# adds its files, then packs it (vm_initramfs).  On failure returns 1 with
# the reason in vm_err.
vm_rootfs() {
	_vm_root=$1
	_vm_init=$2
	shift 2
	rm -rf "$_vm_root"
	mkdir -p "$_vm_root/bin" "$_vm_root/sbin" "$_vm_root/usr/bin" \
		"$_vm_root/usr/sbin" "$_vm_root/proc" "$_vm_root/sys" \
		"$_vm_root/dev" "$_vm_root/tmp" "$_vm_root/lib/modules/goslab" ||
		{ vm_err="cannot create $_vm_root"; return 1; }
	for _vm_d in "$@"; do
		mkdir -p "$_vm_root/$_vm_d" ||
			{ vm_err="cannot create $_vm_root/$_vm_d"; return 1; }
	done
	_vm_bb=$(command -v busybox) || { vm_err="no busybox"; return 1; }
	cp "$_vm_bb" "$_vm_root/bin/busybox" ||
		{ vm_err="cannot copy $_vm_bb"; return 1; }
	for _vm_a in $("$_vm_root/bin/busybox" --list-full); do
		[ -e "$_vm_root/$_vm_a" ] || ln -s /bin/busybox "$_vm_root/$_vm_a" ||
			{ vm_err="cannot link busybox as $_vm_a"; return 1; }
	done
	# The kernel's built-in initramfs has /dev/console; be safe anyway.
	mknod -m 600 "$_vm_root/dev/console" c 5 1 2>/dev/null || true
	if ! cp "$_vm_init" "$_vm_root/init" ||
	   ! chmod 755 "$_vm_root/init"; then
		vm_err="cannot copy $_vm_init"
		return 1
	fi
}

# vm_cpio_pack <dir>: an initramfs (newc, owned by root) of <dir> on stdout.
vm_cpio_pack() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# vm_initramfs <dir> <file>: <dir> packed into <file>, gzipped, for -initrd.
vm_initramfs() {
	vm_cpio_pack "$1" | gzip -1 >"$2"
}

# vm_prepare <series>: build the modules for the newest installed kernel of
# <series> (6.12 or 6.1) and pack its initramfs.  Sets vm_krel (the kernel
# release), vm_image, vm_initrd, vm_buildlog.  On failure returns 1 with
# the reason in vm_err.  Two scripts preparing at once (make run during a
# make check, say) would build into the same build/<release>/ and corrupt
# each other's objects, so preparing holds a lock; booting does not.
vm_prepare() {
	mkdir -p "$repo/build"
	exec 8>"$repo/build/.vm-prepare.lock"
	if command -v flock >/dev/null 2>&1; then
		flock 8
	fi
	_vm_prepare "$@"
	_vm_rc=$?
	exec 8>&-
	return "$_vm_rc"
}

_vm_prepare() {
	vm_kernel "$1" || return 1
	vm_initrd=$vmdir/initramfs-$vm_krel.cpio.gz
	vm_buildlog=$vmdir/build-$vm_krel.log
	mkdir -p "$vmdir"
	if [ ! -r "$vm_image" ]; then
		vm_err="no kernel image $vm_image (scripts/deps.sh)"
		return 1
	fi

	# The Makefile prints "built: <dir>/goslab.ko"; its <dir> is
	# build/<kernel.release>, which need not equal $vm_krel.
	if ! make -C "$repo" KDIR="$kdir" modules >"$vm_buildlog" 2>&1; then
		vm_err="module build failed, see $vm_buildlog"
		return 1
	fi
	ko=$(sed -n 's/^built: //p' "$vm_buildlog" | tail -n 1)
	if [ -z "$ko" ]; then
		ko=$repo/build/$(cat "$kdir/include/config/kernel.release")/goslab.ko
	fi
	if [ ! -f "$ko" ]; then
		vm_err="no goslab.ko after the build, see $vm_buildlog"
		return 1
	fi

	root=$vmdir/rootfs-$vm_krel
	vm_rootfs "$root" "$repo/scripts/guest/init" tests || return 1
	cp "$repo/scripts/guest/lib.sh" "$repo"/scripts/guest/test-*.sh \
		"$root/tests/"
	cp "$repo/scripts/goslabtop" "$root/bin/goslabtop"
	cp "$ko" "$root/lib/modules/goslab/"
	for c in "$(dirname "$ko")"/clients/goslab_*.ko; do
		[ -f "$c" ] && cp "$c" "$root/lib/modules/goslab/"
	done
	if ! vm_initramfs "$root" "$vm_initrd"; then
		vm_err="cannot pack $vm_initrd"
		return 1
	fi
}

# vm_qemu_args: the machine, as words on stdout.
vm_qemu_args() {
	# qboot (as kunit.py uses) boots faster than SeaBIOS and leaves no
	# terminal escapes in the serial log.
	echo "-bios qboot.rom -accel tcg -cpu max -nographic -no-reboot -nic none"
	if [ "${GOSLAB_VM_NUMA:-0}" = 1 ]; then
		# One socket per node: two cores of one socket on different
		# nodes make the scheduler's topology_sane() WARN at boot.
		echo "-smp 2,sockets=2,cores=1,threads=1 -m 2G" \
			"-object memory-backend-ram,id=m0,size=1G" \
			"-object memory-backend-ram,id=m1,size=1G" \
			"-numa node,memdev=m0,cpus=0,nodeid=0" \
			"-numa node,memdev=m1,cpus=1,nodeid=1"
	else
		echo "-smp 2 -m ${GOSLAB_VM_MEM:-1G}"
	fi
}

# vm_boot <serial log> [kernel command-line words...]: boot vm_image with
# vm_initrd; the serial console goes to the log.  Returns QEMU's status
# (124 when the time limit hit).  panic=-1 plus -no-reboot make a panic
# end QEMU at once instead of waiting for the time limit.  vm_qemu_extra,
# when set, is more QEMU words (a disk: scripts/ext4-test.sh).
vm_boot() {
	log=$1
	shift
	# shellcheck disable=SC2046,SC2086 # separate words
	timeout -k 10 "$vm_timeout" qemu-system-x86_64 $(vm_qemu_args) \
		${vm_qemu_extra:-} \
		-kernel "$vm_image" -initrd "$vm_initrd" \
		-append "console=ttyS0 panic=-1 panic_on_warn=0 quiet loglevel=4 $* ${GOSLAB_VM_APPEND:-}" \
		</dev/null >"$log" 2>&1
}
