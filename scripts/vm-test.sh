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

	vm_serial_checks "$serial" "$rc" "$krel: " "-$krel"
done

finish
