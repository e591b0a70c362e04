# SPDX-License-Identifier: GPL-2.0
#
# Shared by scripts/vm-test.sh, scripts/ext4-test.sh, scripts/vm-run.sh
# and scripts/bench.sh (sourced, not run): find a stock Debian kernel
# (headers, release, image), build goslab.ko and the client modules
# against its headers, pack a busybox initramfs around scripts/guest/,
# boot the kernel in QEMU (TCG, two vCPUs) with a hard time limit, and
# turn the guest's serial log into checks (vm-test.sh and ext4-test.sh;
# the checks go through scripts/lib.sh's ok and bad).
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

# Taint bits, in order (kernel/panic.c taint_flags).
vm_taint_letters="P F S R M B U D A W C I O E L K X T N"

# vm_decode_taint <mask> <allowed>: the letters of the bits of <mask> not
# in <allowed>.
vm_decode_taint() {
	_vm_bit=0
	_vm_out=
	for _vm_l in $vm_taint_letters; do
		if [ $(($1 & (1 << _vm_bit) & ~$2)) -ne 0 ]; then
			_vm_out="$_vm_out$_vm_l"
		fi
		_vm_bit=$((_vm_bit + 1))
	done
	[ $(($1 >> _vm_bit)) -eq 0 ] || _vm_out="$_vm_out(+bits>=$_vm_bit)"
	echo "$_vm_out"
}

# vm_serial_checks <serial log> <QEMU status> <prefix> <suffix>
#                  [<report regex> [<ignored regex>]]:
# the one parse of a guest's serial log (scripts/guest/init's markers),
# as checks of the sourcing script (ok/bad of scripts/lib.sh):
#
#  - every "GOSLAB-CHECK PASS|FAIL <name>" line the guest printed, as
#    <prefix><name>;
#  - finished<suffix>: the guest printed its end marker;
#  - dmesg-clean<suffix>: the kernel log came, holds no line matching
#    WARNING:, BUG:, Oops or Call Trace (or <report regex>, unless it
#    also matches <ignored regex>), and the kernel is tainted with
#    nothing but O (out-of-tree module) and E (unsigned module).  Lines
#    between the guest's expect-oops markers are not counted, and D
#    (died) is then allowed.
#
# Leaves <log>.txt (the log without CRs) and <log>.parsed.
vm_serial_checks() {
	_vm_log=$1
	_vm_rc=$2
	_vm_pre=$3
	_vm_suf=$4
	tr -d '\r' <"$_vm_log" >"$_vm_log.txt"
	awk -v more="${5:-}" -v ignored="${6:-}" '
		/^GOSLAB-CHECK PASS / { print "PASS " $3; next }
		/^GOSLAB-CHECK FAIL / { sub(/^GOSLAB-CHECK FAIL /, ""); print "FAIL " $0; next }
		# A console line the kernel printed into ours can cut the
		# mask: only a line that is the mask alone counts (the guest
		# prints it three times).
		/^GOSLAB-TAINT [0-9]+$/ { print "TAINT " $2; next }
		/^GOSLAB-TAINT / { next }
		/^GOSLAB-DMESG begin/ { indmesg = 1; next }
		/^GOSLAB-DMESG end/ { indmesg = 0; print "DMESG-END"; next }
		indmesg && /goslab-guest: expect-oops begin/ { expect = 1; print "EXPECT-OOPS"; next }
		indmesg && /goslab-guest: expect-oops end/ { expect = 0; next }
		indmesg && !expect && ignored != "" && $0 ~ ignored { next }
		indmesg && !expect && (/WARNING:|BUG:|Oops|Call Trace/ ||
				       (more != "" && $0 ~ more)) {
			print "REPORT " $0; next
		}
		/^GOSLAB-GUEST end/ { print "FINISHED" }
	' "$_vm_log.txt" >"$_vm_log.parsed"

	while read -r _vm_kind _vm_rest; do
		case $_vm_kind in
		PASS)	ok "$_vm_pre$_vm_rest" ;;
		FAIL)	bad "$_vm_pre${_vm_rest%%:*}: ${_vm_rest#*: }" ;;
		esac
	done <"$_vm_log.parsed"

	if ! grep -q '^FINISHED' "$_vm_log.parsed"; then
		if [ "$_vm_rc" -eq 124 ] || [ "$_vm_rc" -eq 137 ]; then
			_vm_why="time limit of $vm_timeout s hit"
		else
			_vm_why="QEMU status $_vm_rc"
		fi
		bad "finished$_vm_suf: guest never printed its end marker ($_vm_why); last lines:"
		tail -n 25 "$_vm_log.txt" | quote
	fi

	_vm_why=
	grep -q '^DMESG-END' "$_vm_log.parsed" ||
		_vm_why="no kernel log from the guest"
	_vm_reports=$(sed -n 's/^REPORT //p' "$_vm_log.parsed")
	[ -z "$_vm_reports" ] ||
		_vm_why="kernel log holds $(echo "$_vm_reports" | wc -l) report line(s)"
	_vm_taint=$(sed -n 's/^TAINT //p' "$_vm_log.parsed" | tail -n 1)
	# O (bit 12) and E (bit 13); D (bit 7) too after a test that kills
	# a task on purpose (init's contract), its Oops lines not counted.
	_vm_allowed=$(((1 << 12) | (1 << 13)))
	grep -q '^EXPECT-OOPS' "$_vm_log.parsed" &&
		_vm_allowed=$((_vm_allowed | (1 << 7)))
	if [ -n "$_vm_taint" ]; then
		_vm_l=$(vm_decode_taint "$_vm_taint" "$_vm_allowed")
		[ -z "$_vm_l" ] ||
			_vm_why="${_vm_why:+$_vm_why; }tainted $_vm_taint ($_vm_l)"
	else
		_vm_why="${_vm_why:+$_vm_why; }the guest printed no taint mask"
	fi
	if [ -z "$_vm_why" ]; then
		ok "dmesg-clean$_vm_suf"
	else
		bad "dmesg-clean$_vm_suf: $_vm_why"
		[ -z "$_vm_reports" ] || echo "$_vm_reports" | head -n 20 | quote
	fi
}
