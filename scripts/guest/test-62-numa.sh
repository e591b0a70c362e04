#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: NUMA fallback (issue 18 item 1).  goslab_pressure starve=1
# takes every free page of node 0 (__GFP_THISNODE until it fails), then
# allocates and frees objects of 8 B to 4 MiB from CPU 0 and CPU 1, so
# node 0's heap grows from node 1.  Afterwards an arena must belong to
# the heap of the node its memory is on: verify says OK, every arena of
# the heap file lies in a memory block of its own node (sysfs), and a
# node's heap pages are at most its slab counter (SUnreclaim), where
# goslab accounts them by the page's node.  All of it while node 0 is
# still exhausted and the client's last objects are live (it gives them
# and node 0's pages back at its unload).  On one node: skipped.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
if [ ! -d /sys/devices/system/node/node1 ]; then
	echo "  | numa: one node, skipped"
	pass numa-skipped-one-node
	exit 0
fi
if ! goslab_load; then
	fail numa-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
dmesg -c >/dev/null
if client_load goslab_pressure starve=1; then
	pass numa-insmod
else
	fail numa-insmod "insmod goslab_pressure.ko starve=1 failed"
fi
dmesg >/tmp/numa.log
grep -o 'goslab_pressure: \(PASS\|FAIL\) .*' /tmp/numa.log |
	while read -r _ verdict name rest; do
		name=${name%:}
		if [ "$verdict" = PASS ]; then
			pass "numa-$name"
		else
			fail "numa-$name" "$rest"
		fi
	done
grep 'goslab_pressure:' /tmp/numa.log | grep -v 'PASS\|FAIL' | sed 's/^/  | /'

v=$(cat "$D/verify" 2>&1)
if [ "$v" = OK ]; then
	pass numa-verify
else
	fail numa-verify "$(echo "$v" | head -n 3 | tr '\n' ' ')"
fi

# Physical memory blocks per node, "first last node" in block numbers.
bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
for n in /sys/devices/system/node/node[0-9]*; do
	for m in "$n"/memory[0-9]*; do
		[ -e "$m" ] && echo "${m##*/memory} ${n##*/node}"
	done
done >/tmp/numa.blocks
po=$(sed -n 's/.*goslab_pressure: direct map at \(0x[0-9a-f]*\).*/\1/p' /tmp/numa.log)
cat "$D/heap" >/tmp/numa.heap
# Every arena (node, base, pages) against the node of its memory block.
wrong=$(awk -v po="$po" -v bs="$bs" '
	function hex(s,   i, c, v) {
		v = 0
		s = tolower(s)
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			v = v * 16 + c
		}
		return v
	}
	FILENAME == "/tmp/numa.blocks" { node[$1] = $2; next }
	FNR == 1 { next }
	{
		blk = int((hex($2) - hex(po)) / bs)
		if (!(blk in node) || node[blk] != $1)
			printf "arena %s (block %d, node %s) in node %s'"'"'s heap; ",
				$2, blk, (blk in node) ? node[blk] : "?", $1
	}' /tmp/numa.blocks /tmp/numa.heap)
if [ -z "$po" ]; then
	fail numa-arena-nodes "the client printed no direct map address"
elif [ -n "$wrong" ]; then
	fail numa-arena-nodes "$wrong"
else
	pass numa-arena-nodes
fi

# Per node: goslab's heap pages (8 KiB each) at most the node's SUnreclaim.
for n in /sys/devices/system/node/node[0-9]*; do
	id=${n##*/node}
	kb=$(awk -v id="$id" '$1 == id { p += $3 } END { print p * 8 }' /tmp/numa.heap)
	su=$(awk '$3 == "SUnreclaim:" { print $4 }' "$n/meminfo")
	echo "  | node $id: goslab heap $kb KiB, SUnreclaim $su KiB"
	if [ "$kb" -le "$su" ]; then
		pass "numa-node$id-counted"
	else
		fail "numa-node$id-counted" "heap $kb KiB > SUnreclaim $su KiB"
	fi
done
awk 'NR > 1 { a[$1]++ } END { for (n in a) print "  | node " n ": " a[n] " arena(s)" }' /tmp/numa.heap

# The objects the client left live are checked and freed at its unload,
# then node 0's pages go back.
dmesg -c >/dev/null
rmmod goslab_pressure
r=$(dmesg | grep -o 'goslab_pressure: \(PASS\|FAIL\) starve-held.*')
case $r in
*PASS*) pass numa-held-contents ;;
*) fail numa-held-contents "${r:-the client printed no verdict}" ;;
esac
v=$(cat "$D/verify" 2>&1)
check numa-verify-after [ "$v" = OK ]
check numa-rmmod rmmod goslab
