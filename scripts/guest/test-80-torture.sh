#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: the torture client (clients/goslab_torture.c) runs random
# allocations, reallocs, bulk calls, frees and cross-CPU frees from
# kthreads on every CPU and GFP_ATOMIC allocations from a hard-IRQ timer,
# with sizes from a real boot's kmalloc trace, checking every byte of
# every object before it is freed.  Afterwards goslab must verify OK,
# have counted no bad free and no debug report, and give every page back
# (flush, retain_pages 0, release: heap_sys_bytes 0), then unload with
# nothing leaked.  A short run follows in debug mode (PZU): a client that
# honours the usable size must get no report.
#
# make check runs the short form (defaults below, well under 30 s); make
# torture boots with goslab_mode=torture and the goslab_torture_*= words
# on the kernel command line (scripts/torture.sh), which reach this script
# as environment variables.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=$GOSLAB_DEBUGFS
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$D/stats"; }
ops=${goslab_torture_ops:-2000000}
min_ops=${goslab_torture_min_ops:-0}
secs=${goslab_torture_seconds:-15}
threads=${goslab_torture_threads:-2}
debug_ops=${goslab_torture_debug_ops:-100000}

# run <prefix> <module parameters...>: one torture run; its checks become
# <prefix>-<name>; its summary lines are shown.
run() {
	_pfx=$1
	shift
	dmesg -c >/dev/null
	client_load goslab_torture "$@"
	rc=$?
	dmesg >/tmp/torture.log
	grep -o 'goslab_torture: \(PASS\|FAIL\) .*' /tmp/torture.log |
		while read -r _ verdict name rest; do
			name=${name%:}
			if [ "$verdict" = PASS ]; then
				pass "$_pfx-$name"
			else
				fail "$_pfx-$name" "$rest"
			fi
		done
	grep -q 'goslab_torture: [0-9]* ops' /tmp/torture.log ||
		fail "$_pfx-ran" "insmod status $rc and no summary"
	grep 'goslab_torture:' /tmp/torture.log | grep -v 'PASS\|FAIL' |
		sed 's/^/  | /'
	[ -d /sys/module/goslab_torture ] && rmmod goslab_torture
}

if ! goslab_load; then
	fail torture-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
run torture ops="$ops" min_ops="$min_ops" seconds="$secs" threads="$threads"

v=$(cat "$D/verify")
if [ "$v" = OK ]; then
	pass torture-verify
else
	fail torture-verify "$(echo "$v" | head -n 3 | tr '\n' ' ')"
fi
bad=$(stat_of bad_frees)
rep=$(stat_of debug_reports)
if [ "$bad" = 0 ] && [ "$rep" = 0 ]; then
	pass torture-no-reports
else
	fail torture-no-reports "bad_frees $bad, debug_reports $rep"
fi

# Every page back once the caches are flushed and nothing is retained.
echo 1 >"$D/flush"
echo 0 >"$D/retain_pages"
echo 1 >"$D/release"
objs=$(stat_of small_objects)
large=$(stat_of large_objects)
sys=$(stat_of heap_sys_bytes)
if [ "$objs" = 0 ] && [ "$large" = 0 ] && [ "$sys" = 0 ]; then
	pass torture-pages-back
else
	fail torture-pages-back "small $objs large $large heap_sys_bytes $sys"
fi

# Debug mode: poison, red zones and stacks on, a well-behaved client.
if echo PZU >/sys/module/goslab/parameters/debug 2>/dev/null ||
   echo PZ >/sys/module/goslab/parameters/debug; then
	run torture-debug ops="$debug_ops" seconds="$secs" threads=1 slots=256
	rep=$(stat_of debug_reports)
	if [ "$rep" = 0 ]; then
		pass torture-debug-no-reports
	else
		fail torture-debug-no-reports "debug_reports $rep for a correct client"
	fi
	echo - >/sys/module/goslab/parameters/debug
	v=$(cat "$D/verify")
	if [ "$v" = OK ]; then
		pass torture-debug-verify
	else
		fail torture-debug-verify "$(echo "$v" | head -n 3 | tr '\n' ' ')"
	fi
else
	fail torture-debug "cannot switch debug mode on"
fi

dmesg -c >/dev/null
if rmmod goslab; then
	pass torture-rmmod
else
	fail torture-rmmod "rmmod goslab failed"
fi
if dmesg | grep -q 'not freed at unload'; then
	fail torture-no-leaks "$(dmesg | grep 'goslab:' | head -n 3)"
else
	pass torture-no-leaks
fi
