#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: with fault injection failing a share of goslab's page
# allocations, a client sees NULLs (and fails to load), the kernel stays
# quiet, nothing leaks: once the knob is off, flush and release with
# retain_pages 0 leave no heap at all, and verify stays OK throughout.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }

if ! goslab_load; then
	fail faults-insmod "insmod goslab.ko failed"
	exit 0
fi
ok=1
for pct in 100 50 10; do
	echo 1 >"$D/flush"
	echo 0 >"$D/retain_pages"
	echo 1 >"$D/release"
	echo "$pct" >"$D/fail_pages"
	client_load goslab_example rounds=3 >/dev/null 2>&1 && [ "$pct" = 100 ] &&
		{ ok=0; echo "example loaded with every page allocation failing"; }
	[ -d /sys/module/goslab_example ] && rmmod goslab_example
	v=$(cat "$D/verify")
	[ "$v" = OK ] || { ok=0; echo "fail_pages=$pct: $v" | head -n 5; }
done
echo 0 >"$D/fail_pages"
if [ "$ok" = 1 ]; then
	pass faults-verify
else
	fail faults-verify "violations or a load that should have failed"
fi
inj=$(stat_of injected_failures)
if [ "${inj:-0}" -gt 0 ]; then
	pass faults-injected
else
	fail faults-injected "no failure was injected"
fi
echo 1 >"$D/flush"
echo 0 >"$D/retain_pages"
echo 1 >"$D/release"
objs=$(stat_of small_objects)
large=$(stat_of large_objects)
sys=$(stat_of heap_sys_bytes)
if [ "$objs" = 0 ] && [ "$large" = 0 ] && [ "$sys" = 0 ]; then
	pass faults-nothing-leaked
else
	fail faults-nothing-leaked "small $objs large $large heap $sys bytes"
fi
# After the faults, the allocator works again.
if client_load goslab_example rounds=3; then
	pass faults-recovered
	rmmod goslab_example
else
	fail faults-recovered "example failed with fault injection off"
fi
rmmod goslab
