#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: __GFP_ACCOUNT allocations through goslab are charged to the
# caller's memory cgroup, as kmalloc's are.  A shell moved into a cgroup
# (cgroup v2, mounted by /init) makes goslab_coexist allocate through
# goslab_alloc(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL) on its behalf:
# memory.current grows by what it holds and drops when it is freed, the
# objects are not goslab's heap's (they went to kmalloc), goslab_owns()
# and goslab_usable_size() still know them, and with memory.max set an
# allocation past it fails (no OOM kill: RETRY_MAYFAIL).
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=/sys/kernel/debug/goslab_coexist
G=/sys/fs/cgroup/goslab-test
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$GOSLAB_DEBUGFS/stats"; }

if [ ! -f /sys/fs/cgroup/cgroup.controllers ] ||
   ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	fail memcg-cgroup2 "no cgroup v2 memory controller"
	exit 0
fi
if ! goslab_load || ! client_load goslab_coexist; then
	fail memcg-insmod "goslab or goslab_coexist did not load"
	goslab_unload
	exit 0
fi
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p "$G"

# in_cgroup <command>: run the command in a shell that lives in $G.
in_cgroup() {
	sh -c "echo \$\$ >$G/cgroup.procs && $1"
}

# 4096 objects of 1 KiB: 4 MiB charged, with room under no limit.
small0=$(stat_of small_objects)
before=$(cat "$G/memory.current")
if in_cgroup "echo '4096 1024' >$D/hold"; then
	pass memcg-hold
else
	fail memcg-hold "writing 4096 1024 to hold failed"
fi
held=$(cat "$G/memory.current")
grew=$((held - before))
if [ "$grew" -ge $((4096 * 1024)) ]; then
	pass memcg-charged
else
	fail memcg-charged "memory.current grew by $grew bytes for 4 MiB held"
fi
read -r n bytes bad <"$D/hold"
if [ "$n" = 4096 ] && [ "$bad" = 0 ]; then
	pass memcg-owned
else
	fail memcg-owned "hold says $n objects, $bad unknown to goslab_owns/usable_size"
fi
small1=$(stat_of small_objects)
if [ "$small1" -lt $((small0 + 4096)) ]; then
	pass memcg-kmalloc
else
	fail memcg-kmalloc "goslab's heap holds $small1 objects (was $small0): not handed to kmalloc"
fi
echo 1 >"$D/release"
freed=$(cat "$G/memory.current")
if [ $((held - freed)) -ge $((3 * 1024 * 1024)) ]; then
	pass memcg-uncharged
else
	fail memcg-uncharged "memory.current $held before the free, $freed after"
fi

# memory.max: 8 MiB more than the cgroup holds now; ask for 32 MiB.
limit=$((freed + 8 * 1024 * 1024))
echo "$limit" >"$G/memory.max"
if in_cgroup "echo '32768 1024' >$D/hold" 2>/dev/null; then
	fail memcg-limit "32 MiB held under a limit 8 MiB above use"
else
	pass memcg-limit
fi
read -r n bytes bad <"$D/hold"
cur=$(cat "$G/memory.current")
if [ "$bytes" -gt 0 ] && [ "$bytes" -le $((8 * 1024 * 1024)) ] &&
   [ "$cur" -le "$limit" ]; then
	pass memcg-limit-held
else
	fail memcg-limit-held "held $bytes bytes, memory.current $cur, max $limit"
fi
echo 1 >"$D/release"
echo max >"$G/memory.max"
rmdir "$G" 2>/dev/null
rmmod goslab_coexist
goslab_unload
