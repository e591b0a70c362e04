#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stock-kernel VM test (make vm-test).  For each stock Debian kernel series
# (6.12 with two NUMA nodes and 6.1, or those in GOSLAB_VM_KERNELS, e.g.
# "6.12" or "6.12+numa"):
#
#  1. build goslab.ko and the client modules against its headers
#     (make KDIR=... modules, objects in build/<release>/);
#  2. pack a busybox initramfs: /init is scripts/guest/init, the tests are
#     scripts/guest/test-*.sh, the modules are in /lib/modules/goslab/;
#  3. boot /boot/vmlinuz-<release> in QEMU (TCG, 2 vCPUs, 1 GiB, or two NUMA
#     nodes with GOSLAB_VM_NUMA=1) under a hard time limit
#     (GOSLAB_VM_TIMEOUT, default 300 s);
#  4. read the serial console: every "GOSLAB-CHECK PASS|FAIL" line the
#     guest printed is a check, plus one check dmesg-clean-<release> that
#     fails when the guest's kernel log holds WARNING:, BUG:, Oops or a Call
#     Trace, or the kernel is tainted with anything but O (out-of-tree
#     module) and E (unsigned module); lines between the guest's
#     expect-oops markers (scripts/guest/init) are not counted, and D is
#     then allowed.  A kernel whose modules do not build,
#     or whose guest never reaches its end marker (time limit, panic),
#     counts one more failure.
#
# Ends with one line "vm-test: N passed, M failed"; with GOSLAB_RESULTS set,
# appends "vm N M" to that file.  Exit status is 0 only when M is 0.
# Everything (build logs, initramfs, serial logs) stays in build/vm/.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"

results_init vm-test vm

if ! sh "$repo/scripts/deps.sh"; then
	bad "deps: dependency installation failed"
	finish
fi

# Taint bits (kernel/panic.c taint_flags) and the ones allowed here.
taint_letters="P F S R M B U D A W C I O E L K X T N"
taint_allowed=$(((1 << 12) | (1 << 13)))

# decode_taint <mask> <allowed>: letters of the bits not in <allowed>.
decode_taint() {
	bit=0
	out=
	for l in $taint_letters; do
		if [ $(($1 & (1 << bit) & ~$2)) -ne 0 ]; then
			out="$out$l"
		fi
		bit=$((bit + 1))
	done
	rest=$(($1 >> bit))
	[ "$rest" -eq 0 ] || out="$out(+bits>=$bit)"
	echo "$out"
}

# A "+numa" entry boots that kernel with two NUMA nodes (one vCPU each),
# so goslab_alloc_node() placement is checked across nodes; GOSLAB_VM_NUMA=1
# in the environment makes every boot a NUMA one.
numa_env=${GOSLAB_VM_NUMA:-0}
for entry in ${GOSLAB_VM_KERNELS:-6.12+numa 6.1}; do
	series=${entry%+numa}
	if [ "$series" != "$entry" ]; then
		GOSLAB_VM_NUMA=1
	else
		GOSLAB_VM_NUMA=$numa_env
	fi
	export GOSLAB_VM_NUMA
	echo "vm-test: $series: building modules and initramfs" >&2
	if ! vm_prepare "$series"; then
		bad "build-$vm_krel: $vm_err"
		[ -f "${vm_buildlog:-}" ] && tail -n 20 "$vm_buildlog" >&2
		continue
	fi
	krel=$vm_krel
	serial=$vmdir/serial-$krel.log
	echo "vm-test: $krel: booting (limit ${vm_timeout} s)" >&2
	start=$(date +%s)
	rc=0
	vm_boot "$serial" || rc=$?
	echo "vm-test: $krel: QEMU exited with status $rc after" \
		"$(($(date +%s) - start)) s; serial log $serial" >&2

	# One parse of the serial log: check lines, taint, kernel log.
	tr -d '\r' <"$serial" >"$serial.txt"
	awk -v krel="$krel" '
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
		indmesg && !expect && /WARNING:|BUG:|Oops|Call Trace/ { print "REPORT " $0; next }
		/^GOSLAB-GUEST end/ { print "FINISHED" }
	' "$serial.txt" >"$serial.parsed"

	while read -r kind rest; do
		case $kind in
		PASS)
			echo "vm-test: $krel: PASS $rest"
			count_pass ;;
		FAIL)
			bad "$krel: ${rest%%:*}: ${rest#*: }" ;;
		esac
	done <"$serial.parsed"

	if ! grep -q '^FINISHED' "$serial.parsed"; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			why="time limit of $vm_timeout s hit"
		else
			why="QEMU status $rc"
		fi
		bad "finished-$krel: guest never printed its end marker ($why); last lines:"
		tail -n 25 "$serial.txt" | quote
	fi

	why=
	if ! grep -q '^DMESG-END' "$serial.parsed"; then
		why="no kernel log from the guest"
	fi
	reports=$(sed -n 's/^REPORT //p' "$serial.parsed")
	if [ -n "$reports" ]; then
		why="kernel log holds $(echo "$reports" | wc -l) report line(s)"
	fi
	taint=$(sed -n 's/^TAINT //p' "$serial.parsed" | tail -n 1)
	# A guest test that kills a task on purpose (init's contract) may
	# leave D (bit 7, died); its Oops lines were not counted.
	allowed=$taint_allowed
	if grep -q '^EXPECT-OOPS' "$serial.parsed"; then
		allowed=$((taint_allowed | (1 << 7)))
	fi
	if [ -n "$taint" ]; then
		letters=$(decode_taint "$taint" "$allowed")
		[ -z "$letters" ] || why="${why:+$why; }tainted $taint ($letters)"
	elif [ -z "$why" ]; then
		why="the guest printed no taint mask"
	fi
	if [ -z "$why" ]; then
		echo "vm-test: $krel: PASS dmesg-clean-$krel"
		count_pass
	else
		bad "dmesg-clean-$krel: $why"
		[ -z "$reports" ] || echo "$reports" | head -n 20 | quote
	fi
done

finish
