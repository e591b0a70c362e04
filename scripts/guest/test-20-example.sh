#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: the example client (clients/goslab_example.c, which includes
# only <goslab.h>) uses the API from process context, timers and hrtimers
# on every CPU and checks alloc_node placement on every node.  Each of its
# own checks becomes one check here; its load fails if any of them failed.
# Afterwards goslab unloads with nothing leaked.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

if ! goslab_load; then
	fail example-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
dmesg -c >/dev/null
if client_load goslab_example; then
	pass example-insmod
else
	fail example-insmod "insmod goslab_example.ko failed"
fi
dmesg >/tmp/example.log
grep -o 'goslab_example: \(PASS\|FAIL\) .*' /tmp/example.log |
	while read -r _ verdict name rest; do
		name=${name%:}
		if [ "$verdict" = PASS ]; then
			pass "example-$name"
		else
			fail "example-$name" "$rest"
		fi
	done
grep 'goslab_example:' /tmp/example.log | grep -v 'PASS\|FAIL' | sed 's/^/  | /'
[ -d /sys/module/goslab_example ] && rmmod goslab_example
dmesg -c >/dev/null
if rmmod goslab; then
	pass example-rmmod
else
	fail example-rmmod "rmmod goslab failed"
fi
if dmesg | grep -q 'not freed at unload'; then
	fail example-no-leaks "$(dmesg | grep 'goslab:' | head -n 3)"
else
	pass example-no-leaks
fi

# On a two-node guest (vm-test boots 6.12 so), alloc_node must have been
# checked on both nodes.
if [ -d /sys/devices/system/node/node1 ]; then
	if grep -q 'alloc_node checked on 2 node(s)' /tmp/example.log; then
		pass example-numa-two-nodes
	else
		fail example-numa-two-nodes "alloc_node was not checked on 2 nodes"
	fi
fi
