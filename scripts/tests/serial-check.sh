#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check: vm_serial_checks (scripts/vm-lib.sh), the one parse of a
# guest's serial log that vm-test.sh and ext4-test.sh share, on three
# made-up logs in the shape scripts/guest/init prints:
#
#  cut-taint    ext4-test's way (goslab reports count): a check passed, one
#               failed, and the last of the three taint lines cut by a
#               kernel console line: the whole ones count, the cut one
#               neither counts nor crashes the parse; goslab's load line
#               is not a report.  2 passed, 1 failed.
#  expect-oops  vm-test's way: an Oops between the guest's expect-oops
#               markers is not a report, and the taint D it leaves is
#               allowed.  2 passed, 0 failed.
#  unfinished   no end marker, a WARNING and a goslab report in the kernel
#               log, taint W: the guest check passes, finished and
#               dmesg-clean fail.  1 passed, 2 failed.
#
# One check per log: its counts and the names of its checks.  Ends with
# "serial-check: N passed, M failed" (scripts/lib.sh's protocol, key
# "serial").
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/goslab-serial.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/cut-taint.log" <<'EOF'
GOSLAB-GUEST begin 6.12.118+deb12-amd64 mode=test
GOSLAB-CHECK PASS ext4-mount
GOSLAB-CHECK FAIL ext4-tar: the extracted tree differs
GOSLAB-TAINT 12288
GOSLAB-TAINT 12288
GOSLAB-TAINT 12[   17.517294] random: crng reseeded
GOSLAB-DMESG begin
[    3.100000] goslab: 67 size classes, 8 KiB pages
[    5.935395] EXT4-fs (vda): mounted filesystem r/w with ordered data mode.
GOSLAB-DMESG end
GOSLAB-GUEST end
EOF

cat >"$tmp/expect-oops.log" <<'EOF'
GOSLAB-GUEST begin 6.12.118+deb12-amd64 mode=test
GOSLAB-CHECK PASS usercopy-refused
GOSLAB-TAINT 12416
GOSLAB-DMESG begin
[   10.000000] goslab-guest: expect-oops begin
[   10.100000] Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
[   10.200000] Call Trace:
[   10.300000] goslab-guest: expect-oops end
GOSLAB-DMESG end
GOSLAB-GUEST end
EOF

cat >"$tmp/unfinished.log" <<'EOF'
GOSLAB-GUEST begin 6.12.118+deb12-amd64 mode=test
GOSLAB-CHECK PASS ext4-mount
GOSLAB-TAINT 12800
GOSLAB-DMESG begin
[    7.000000] WARNING: CPU: 1 PID: 80 at mm/slub.c:4703 free_large_kmalloc+0x5f/0x90
[    7.100000] goslab: bad free of ffff888004a3c010: not an object start
GOSLAB-DMESG end
EOF

results_init serial-check serial

# one <log> <want counts> <want names> [<report regex> [<ignored regex>]]:
# run the parse in a subshell (a parse that dies is a failure, not the end
# of this script), then compare "passed failed" and the checks' names in
# order.
one() {
	(
		results_init serial
		vm_serial_checks "$tmp/$1.log" 0 "" "" "${4:-}" "${5:-}"
		echo "COUNTS $passed $failed"
	) >"$tmp/$1.out" 2>&1
	got=$(sed -n 's/^COUNTS //p' "$tmp/$1.out")
	names=$(sed -n 's/^serial: \(PASS\|FAIL\) \([^:]*\).*/\1 \2/p' \
		"$tmp/$1.out" | tr '\n' ',')
	if [ "$got" = "$2" ] && [ "$names" = "$3" ]; then
		ok "$1"
	else
		bad "$1: counted \"$got\", checks \"$names\"; expected \"$2\", \"$3\""
		quote <"$tmp/$1.out"
	fi
}

# ext4-test's report and ignored patterns.
report='KASAN|goslab:'
ignored='goslab: (usercopy checks|[0-9]+ size classes|loading out-of-tree|module verification)'
one cut-taint "2 1" "PASS ext4-mount,FAIL ext4-tar,PASS dmesg-clean," \
	"$report" "$ignored"
one expect-oops "2 0" "PASS usercopy-refused,PASS dmesg-clean,"
one unfinished "1 2" "PASS ext4-mount,FAIL finished,FAIL dmesg-clean," \
	"$report" "$ignored"
finish
