#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: growing the heap in fragmented memory (issue 18 item 4).
# goslab_pressure frag=N takes every free block and single page, gives
# the order-1 blocks at odd places back (plenty of free memory, no free
# block of order 2 or more), then allocates N objects of 8 KiB with
# GFP_KERNEL, a span of one goslab page each: nearly every one is a grow,
# which tries the grow size (16 goslab pages) and the orders down to two
# pages first, with mem_opportunistic_gfp()'s flags.  Those attempts must
# neither compact nor reclaim: compact_stall and allocstall (/proc/vmstat,
# read by the client before and after with all_vm_events()) do not move,
# every object is served, and the grows took the smallest blocks
# (heap_sys_bytes grew by under 2 goslab pages a grow).  goslab_pressure
# warm=N before gives goslab the metadata for as many spans (its own
# blocks, of order 2 and up, which a GFP_KERNEL caller's grow may compact
# for); flush and release then give the warm-up's pages back, so that the
# N objects need grows.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
N=1500

# stat <name>: a value of goslab's stats file.
stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$D/stats"
}

if ! goslab_load; then
	fail frag-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
dmesg -c >/dev/null
if client_load goslab_pressure warm=$N && rmmod goslab_pressure; then
	pass frag-warm-load
else
	fail frag-warm-load "goslab_pressure warm=$N did not load and unload"
fi
echo 1 >"$D/flush"
echo 1 >"$D/release"
g0=$(stat grows)
h0=$(stat heap_sys_bytes)
if client_load goslab_pressure frag=$N; then
	pass frag-insmod
else
	fail frag-insmod "insmod goslab_pressure.ko frag=$N failed"
fi
g1=$(stat grows)
h1=$(stat heap_sys_bytes)
dmesg >/tmp/frag.log
grep -o 'goslab_pressure: \(PASS\|FAIL\) .*' /tmp/frag.log |
	while read -r _ verdict name rest; do
		name=${name%:}
		case $name in
		frag-*) ;;
		*) name=frag-$name ;;
		esac
		if [ "$verdict" = PASS ]; then
			pass "$name"
		else
			fail "$name" "$rest"
		fi
	done
grep 'goslab_pressure:' /tmp/frag.log | grep -v 'PASS\|FAIL' | sed 's/^/  | /'

grows=$((g1 - g0))
grown=$((h1 - h0))
echo "  | frag: $grows grows, heap_sys_bytes +$grown"
if [ "$grows" -ge $((N / 2)) ]; then
	pass frag-grew
else
	fail frag-grew "$grows grows for $N objects of one page each"
fi
# The grow size is 16 goslab pages: fragmented, the grows average under 2.
if [ "$grown" -lt $((grows * 2 * 8192)) ]; then
	pass frag-smaller-blocks
else
	fail frag-smaller-blocks "heap_sys_bytes +$grown in $grows grows: 2 goslab pages or more a grow"
fi

dmesg -c >/dev/null
rmmod goslab_pressure
r=$(dmesg | grep -o 'goslab_pressure: \(PASS\|FAIL\) frag-held.*')
case $r in
*PASS*) pass frag-held-contents ;;
*) fail frag-held-contents "${r:-the client printed no verdict}" ;;
esac
v=$(cat "$D/verify" 2>&1)
check frag-verify [ "$v" = OK ]
check frag-rmmod rmmod goslab
