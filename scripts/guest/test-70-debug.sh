#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: debug mode (debug=PZU).  A hostile client writes past the
# size it asked for and writes after a free; goslab reports each with the
# address the client printed, the allocation and free stacks, counts it,
# and keeps working (verify OK, the example client passes in debug mode).
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }

if ! goslab_load debug=PZU; then
	fail debug-insmod "insmod goslab.ko debug=PZU failed"
	exit 0
fi
[ "$(cat /sys/module/goslab/parameters/debug)" = PZU ] &&
	pass debug-param || fail debug-param "$(cat /sys/module/goslab/parameters/debug)"

for attack in overflow uaf; do
	dmesg -c >/dev/null
	before=$(stat_of debug_reports)
	client_load goslab_hostile attack=$attack
	rmmod goslab_hostile
	dmesg >/tmp/d
	addr=$(sed -n "s/.*goslab_hostile: $attack at \([0-9a-f]*\).*/\1/p" /tmp/d)
	case $attack in
	overflow) what="write past the end of the object" ;;
	uaf) what="write after free" ;;
	esac
	after=$(stat_of debug_reports)
	if [ -n "$addr" ] && grep -q "goslab: $what at $addr" /tmp/d &&
	   grep -q "goslab: allocated by" /tmp/d &&
	   [ $((after - before)) -eq 1 ]; then
		pass "debug-$attack"
	else
		fail "debug-$attack" "no report of $what at '$addr' (reports $before -> $after)"
		grep goslab /tmp/d | head -n 8
	fi
done
[ "$attack" = uaf ] && grep -q "goslab: freed by" /tmp/d &&
	pass debug-free-stack || fail debug-free-stack "no free stack in the uaf report"

if client_load goslab_example rounds=5; then
	pass debug-example
	rmmod goslab_example
else
	fail debug-example "the example client failed in debug mode"
fi
[ "$(cat "$D/verify")" = OK ] && pass debug-verify ||
	fail debug-verify "$(head -n 3 "$D/verify")"
echo - >/sys/module/goslab/parameters/debug &&
	[ "$(cat /sys/module/goslab/parameters/debug)" = - ] &&
	pass debug-off || fail debug-off "cannot switch debug mode off"
echo Q >/sys/module/goslab/parameters/debug 2>/dev/null &&
	fail debug-einval "bad letter accepted" || pass debug-einval
rmmod goslab
