#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: every debugfs file reads; a client holding 10,000 objects of
# one class shows exactly that in classes and stats; verify says OK while
# clients allocate on both CPUs; tunables take good values and refuse bad
# ones with EINVAL; flush empties the per-CPU caches; release returns the
# free arenas down to retain_pages.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
if ! goslab_load; then
	fail debugfs-insmod "insmod goslab.ko failed"
	exit 0
fi

for f in sizeclasses stats classes heap percpu verify retain_pages; do
	if cat "$D/$f" >/tmp/f 2>/dev/null && [ -s /tmp/f ]; then
		pass "debugfs-read-$f"
	else
		fail "debugfs-read-$f" "cannot read $D/$f"
	fi
done

stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }
# live objects of the scan span class of 208-byte objects (class 15)
class_live() { awk '$2 == 15 && $3 == 0 { print $9 }' "$D/classes"; }

before=$(stat_of small_objects)
live_before=$(class_live)
client_load goslab_example hold_count=10000 hold_size=200 rounds=20 &
pid=$!
ok=1
n=0
while kill -0 "$pid" 2>/dev/null; do
	v=$(cat "$D/verify")
	n=$((n + 1))
	[ "$v" = OK ] || { ok=0; echo "$v" | head -n 5; }
done
wait "$pid" && loaded=1 || loaded=0
v=$(cat "$D/verify")
[ "$v" = OK ] || { ok=0; echo "$v" | head -n 5; }
if [ "$ok" = 1 ]; then
	pass debugfs-verify-under-load
else
	fail debugfs-verify-under-load "verify found violations ($n reads)"
fi
[ "$loaded" = 1 ] || fail debugfs-client "goslab_example failed to load"

# The mcache's current tiny block counts as a live object: flush first.
echo 1 >"$D/flush"
after=$(stat_of small_objects)
live_after=$(class_live)
if [ $((after - before)) -eq 10000 ]; then
	pass debugfs-stats-live-objects
else
	fail debugfs-stats-live-objects "small_objects went $before -> $after"
fi
if [ $((${live_after:-0} - ${live_before:-0})) -eq 10000 ]; then
	pass debugfs-classes-live-objects
else
	fail debugfs-classes-live-objects "class 208 live $live_before -> $live_after"
	cat "$D/classes"
fi

# Tunables: bad values are refused with EINVAL.
for f in flush release retain_pages; do
	bads='2 -1 abc 1x 99999999999999999999'
	[ "$f" = retain_pages ] && bads='-1 abc 1x 4x 99999999999999999999'
	for bad in $bads ""; do
		if echo "$bad" >"$D/$f" 2>/tmp/err; then
			fail "debugfs-einval-$f" "'$bad' accepted"
			continue 2
		fi
		grep -q 'Invalid argument' /tmp/err ||
			{ fail "debugfs-einval-$f" "'$bad': $(cat /tmp/err)"; continue 2; }
	done
	pass "debugfs-einval-$f"
done

[ -d /sys/module/goslab_example ] && rmmod goslab_example
echo 1 >"$D/flush" && pass debugfs-flush-write || fail debugfs-flush-write "write 1 failed"
cached=$(awk 'NR > 1 { s += $2 } END { print s + 0 }' "$D/percpu")
if [ "$cached" = 0 ]; then
	pass debugfs-flush-empties-caches
else
	fail debugfs-flush-empties-caches "$cached spans still cached"
fi
echo 0 >"$D/retain_pages" && [ "$(cat "$D/retain_pages")" = 0 ] &&
	pass debugfs-retain-write || fail debugfs-retain-write "retain_pages 0 not taken"
echo 1 >"$D/release"
sys=$(stat_of heap_sys_bytes)
if [ "$sys" = 0 ]; then
	pass debugfs-release
else
	fail debugfs-release "heap_sys_bytes $sys after release with retain 0"
	cat "$D/heap"
fi
[ "$(cat "$D/verify")" = OK ] && pass debugfs-verify-idle ||
	fail debugfs-verify-idle "$(head -n 3 "$D/verify")"
rmmod goslab || fail debugfs-rmmod "rmmod goslab failed"

# goslabtop runs on busybox alone and sorts by any column.
goslab_load
if goslabtop -o -s allocs >/tmp/top 2>&1 && grep -q '^goslab  heap' /tmp/top &&
   grep -q 'spanclass' /tmp/top; then
	pass debugfs-goslabtop
else
	fail debugfs-goslabtop "$(head -n 3 /tmp/top)"
fi
goslabtop -o -s nosuchcolumn >/dev/null 2>&1 &&
	fail debugfs-goslabtop-badcol "accepted a bad column" ||
	pass debugfs-goslabtop-badcol
rmmod goslab
