#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: frees goslab cannot do at once (clients/goslab_deferred.c).
# Its NMI handler frees objects in real NMIs (an NMI IPI to its own CPU
# with interrupts off): still live while interrupts are off, freed once
# they are on.  Its RCU frees are all done after goslab_rcu_barrier(), and
# the ones it leaves queued are freed by goslab's unload, not reported as
# leaked.  Each of the client's checks becomes one check here.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }

if ! goslab_load; then
	fail deferred-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
dmesg -c >/dev/null
if client_load goslab_deferred; then
	pass deferred-insmod
else
	fail deferred-insmod "insmod goslab_deferred.ko failed"
fi
pending=$(stat_of rcu_pending)
nmi=$(stat_of nmi_frees)
dmesg >/tmp/deferred.log
grep -o 'goslab_deferred: \(PASS\|FAIL\) .*' /tmp/deferred.log |
	while read -r _ verdict name rest; do
		name=${name%:}
		if [ "$verdict" = PASS ]; then
			pass "deferred-$name"
		else
			fail "deferred-$name" "$rest"
		fi
	done
grep 'goslab_deferred:' /tmp/deferred.log | grep -v 'PASS\|FAIL' | sed 's/^/  | /'
echo "  | nmi_frees $nmi, rcu_pending $pending right after the load"
v=$(cat "$D/verify")
check deferred-verify [ "$v" = OK ]
[ -d /sys/module/goslab_deferred ] && rmmod goslab_deferred
dmesg -c >/dev/null
if rmmod goslab; then
	pass deferred-rmmod
else
	fail deferred-rmmod "rmmod goslab failed"
fi
if dmesg | grep -q 'not freed at unload\|leaked'; then
	fail deferred-unload-waits "$(dmesg | grep 'goslab:' | head -n 3)"
else
	pass deferred-unload-waits
fi
