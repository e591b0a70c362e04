#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: CPU hotplug under load.  cpu1 goes offline and online again
# while a client allocates and frees on every CPU; the dead CPU's cache is
# drained by goslab's hotplug callback (a flush of the online CPUs then
# leaves no span cached anywhere), verify stays OK, nothing leaks.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
CPU1=/sys/devices/system/cpu/cpu1/online
if [ ! -w "$CPU1" ]; then
	pass hotplug-skipped-no-cpu1
	exit 0
fi
if ! goslab_load; then
	fail hotplug-insmod "insmod goslab.ko failed"
	exit 0
fi

(
	i=0
	while [ ! -e /tmp/stop ] && [ $i -lt 50 ]; do
		insmod "$GOSLAB_MODDIR/goslab_example.ko" rounds=5 hold_count=500 \
			2>/dev/null && rmmod goslab_example
		i=$((i + 1))
	done
) &
load=$!
ok=1
for round in 1 2 3 4 5; do
	echo 0 >"$CPU1" || { ok=0; echo "offline cpu1 failed"; }
	sleep 0.2
	echo 1 >"$CPU1" || { ok=0; echo "online cpu1 failed"; }
	sleep 0.2
	v=$(cat "$D/verify")
	[ "$v" = OK ] || { ok=0; echo "round $round: $v" | head -n 5; }
done
touch /tmp/stop
wait "$load"
[ -d /sys/module/goslab_example ] && rmmod goslab_example

# With the load stopped and cpu1 dead, flushing cpu0 must leave nothing
# cached anywhere: cpu1's caches were drained when it died.
goslab_load
client_load goslab_example rounds=5 hold_count=100 && rmmod goslab_example
echo 0 >"$CPU1" || { ok=0; echo "offline cpu1 failed"; }
echo 1 >"$D/flush"
cached=$(awk 'NR > 1 { s += $6 } END { print s + 0 }' "$D/classes")
[ "$cached" = 0 ] || { ok=0; echo "$cached spans cached with cpu1 offline"; }
echo 1 >"$CPU1" || { ok=0; echo "online cpu1 failed"; }
if [ "$ok" = 1 ]; then
	pass hotplug-under-load
else
	fail hotplug-under-load "see above"
fi
echo 1 >"$D/flush"
cached=$(awk 'NR > 1 { s += $6 } END { print s + 0 }' "$D/classes")
objs=$(awk '$1 == "small_objects" { print $2 }' "$D/stats")
if [ "$cached" = 0 ] && [ "$objs" = 0 ]; then
	pass hotplug-drained
else
	fail hotplug-drained "$cached spans cached, $objs objects live"
fi
rmmod goslab
