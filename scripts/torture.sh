#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make torture: the long form of the torture test.  Boots the stock
# Debian kernel(s) in QEMU exactly as make vm-test does (scripts/vm-test.sh:
# same build, initramfs, checks and dmesg/taint scan), but with
# goslab_mode=torture on the kernel command line, so the guest's /init
# runs only scripts/guest/test-80-torture.sh, and with goslab_torture_*=
# words that make the run long: GOSLAB_TORTURE_OPS operations (default
# 20 million; at least 10 million are required), all of which must run
# (min_ops = ops) within GOSLAB_TORTURE_SECONDS (default 1200), by
# GOSLAB_TORTURE_THREADS kthreads per CPU (default 2), and a debug-mode
# (PZU) run of GOSLAB_TORTURE_DEBUG_OPS operations (default 500000).
#
# GOSLAB_VM_KERNELS picks the kernels (default: 6.12 only); the boot's
# time limit is the torture's plus 300 s unless GOSLAB_VM_TIMEOUT is set.
# Ends with vm-test's "vm-test: N passed, M failed" line, then the
# torture's own summary lines from the serial log of each kernel.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)

ops=${GOSLAB_TORTURE_OPS:-20000000}
secs=${GOSLAB_TORTURE_SECONDS:-1200}
threads=${GOSLAB_TORTURE_THREADS:-2}
debug_ops=${GOSLAB_TORTURE_DEBUG_OPS:-500000}
if [ "$ops" -lt 10000000 ]; then
	echo "torture: GOSLAB_TORTURE_OPS=$ops is under the 10 million the long form needs" >&2
	exit 1
fi

GOSLAB_VM_KERNELS=${GOSLAB_VM_KERNELS:-6.12}
GOSLAB_VM_TIMEOUT=${GOSLAB_VM_TIMEOUT:-$((secs + 300))}
GOSLAB_VM_APPEND="${GOSLAB_VM_APPEND:-} goslab_mode=torture goslab_torture_ops=$ops goslab_torture_min_ops=$ops goslab_torture_seconds=$secs goslab_torture_threads=$threads goslab_torture_debug_ops=$debug_ops"
export GOSLAB_VM_KERNELS GOSLAB_VM_TIMEOUT GOSLAB_VM_APPEND

echo "torture: $ops operations, $threads threads per CPU, at most $secs s, on $GOSLAB_VM_KERNELS" >&2
start=$(date +%s)
rc=0
sh "$repo/scripts/vm-test.sh" || rc=$?
echo "torture: $(($(date +%s) - start)) s in all" >&2
for log in "$repo"/build/vm/serial-*.log.txt; do
	[ -f "$log" ] || continue
	# This run's logs only.
	[ "$(stat -c %Y "$log")" -ge "$start" ] || continue
	grep -q 'mode=torture' "$log" || continue
	echo "torture: $(basename "$log" .log.txt):"
	grep '^  | .*goslab_torture: ' "$log" | sed 's/^  | \[ *[0-9.]*\] /  /'
done
exit "$rc"
