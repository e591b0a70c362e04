#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run: boot the stock Debian 6.12 kernel in QEMU (TCG, 2 vCPUs) with
# goslab.ko and the client modules loaded, print every readable file under
# /sys/kernel/debug/goslab/ from inside the guest, then the footprint
# lines (the example client's objects held by goslab and by kmalloc, in
# pages taken from the page allocator), and power off.
#
# Shows the guest's report (between its GOSLAB-RUN markers) and any kernel
# warning; the full serial log stays in build/vm/run-<release>.log.  The
# boot has the same hard time limit as vm-test (GOSLAB_VM_TIMEOUT, 300 s);
# GOSLAB_VM_NUMA=1 boots two NUMA nodes.  Exit status 0 when the guest
# finished, goslab loaded, and the kernel log holds no WARNING/BUG/Oops.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"

sh "$repo/scripts/deps.sh"

echo "run: building goslab.ko for the stock 6.12 kernel" >&2
if ! vm_prepare 6.12; then
	echo "run: $vm_err" >&2
	[ -f "${vm_buildlog:-}" ] && tail -n 20 "$vm_buildlog" >&2
	exit 1
fi
log=$vmdir/run-$vm_krel.log
echo "run: booting $vm_image in QEMU (TCG, about 10 s)" >&2
rc=0
vm_boot "$log" goslab_mode=run || rc=$?

tr -d '\r' <"$log" >"$log.txt"
status=0
if grep -q '^GOSLAB-RUN end' "$log.txt"; then
	sed -n '/^GOSLAB-RUN begin/,/^GOSLAB-RUN end/p' "$log.txt" |
		sed -e '/^GOSLAB-RUN /d'
	grep -q '^insmod goslab.ko: ok' "$log.txt" || status=1
else
	echo "run: the guest did not finish (QEMU status $rc); last lines:" >&2
	tail -n 30 "$log.txt" >&2
	status=1
fi

# Kernel reports from the guest's dmesg.
reports=$(sed -n '/^GOSLAB-DMESG begin/,/^GOSLAB-DMESG end/p' "$log.txt" |
	grep -E 'WARNING:|BUG:|Oops|Call Trace' || true)
if [ -n "$reports" ]; then
	echo "run: the guest's kernel log holds reports:" >&2
	echo "$reports" | head -n 20 >&2
	status=1
fi
echo "run: full serial log: $log" >&2
exit "$status"
