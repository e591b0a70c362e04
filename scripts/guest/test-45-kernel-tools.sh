#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: the kernel's own tools see goslab, in the booted stock
# kernel (issue 19 items 1, 2 and 8).
#
#  - meminfo: goslab_example holding 2,000 objects of 4,000 bytes moves
#    /proc/meminfo's SUnreclaim by what goslab's stats say it took
#    (sys_bytes), within 256 KiB of the 8 MB moved, and back at unload;
#  - kmem events: with tracefs's kmem:kmalloc and kmem:kfree on, the hold
#    shows 2,000 kmalloc events of bytes_req=4000 bytes_alloc=4096 whose
#    call site is goslab_example's, and unloading it a kfree event for
#    every one of those pointers: what perf kmem, trace-cmd and
#    scripts/trace2gtrace read.  The same hold through kmalloc (SLUB)
#    gives the same events, as the reference.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

N=2000
SIZE=4000
T=/sys/kernel/tracing
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$GOSLAB_DEBUGFS/stats"; }
sunreclaim() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }

if ! goslab_load; then
	fail tools-insmod "goslab did not load"
	exit 0
fi

# --- meminfo ------------------------------------------------------------
s0=$(sunreclaim) g0=$(stat_of sys_bytes)
if client_load goslab_example only_hold=1 hold_count=$N hold_size=$SIZE; then
	s1=$(sunreclaim) g1=$(stat_of sys_bytes)
	rmmod goslab_example
	echo 1 >"$GOSLAB_DEBUGFS/release"
	s2=$(sunreclaim) g2=$(stat_of sys_bytes)
	held=$(((g1 - g0) / 1024)) moved=$((s1 - s0))
	back=$(((g2 - g1) / 1024)) moved_back=$((s2 - s1))
	d1=$((held - moved)) d2=$((back - moved_back))
	[ "$d1" -lt 0 ] && d1=$((-d1))
	[ "$d2" -lt 0 ] && d2=$((-d2))
	if [ "$held" -ge $((N * SIZE / 1024)) ] && [ "$d1" -le 256 ] &&
	   [ "$d2" -le 256 ]; then
		pass tools-meminfo
	else
		fail tools-meminfo "goslab took $held KiB, SUnreclaim moved $moved KiB; back $back KiB, SUnreclaim $moved_back KiB"
	fi
else
	fail tools-meminfo "goslab_example did not load"
fi

# --- kmem events ----------------------------------------------------------
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
if [ ! -d "$T/events/kmem/kmalloc" ]; then
	fail tools-kmem-events "no kmem:kmalloc event in tracefs"
	goslab_unload
	exit 0
fi

# events <hold_kmalloc>: trace one hold and its unload; prints
# "<kmalloc events of the hold> <of them, named goslab_example> <kfreed>".
events() {
	echo 0 >"$T/tracing_on"
	echo >"$T/trace"
	echo 8192 >"$T/buffer_size_kb"
	echo 1 >"$T/events/kmem/kmalloc/enable"
	echo 1 >"$T/events/kmem/kfree/enable"
	echo 1 >"$T/tracing_on"
	client_load goslab_example only_hold=1 hold_count=$N hold_size=$SIZE \
		hold_kmalloc="$1" || return 1
	# Call sites print as symbols only while the module is loaded; the
	# reading itself allocates, so tracing pauses for it.
	echo 0 >"$T/tracing_on"
	cat "$T/trace" >/tmp/kmem-hold
	echo 1 >"$T/tracing_on"
	rmmod goslab_example
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/kmem/kmalloc/enable"
	echo 0 >"$T/events/kmem/kfree/enable"
	cat "$T/trace" >/tmp/kmem-all
	awk -v size=$SIZE '
		FILENAME ~ /all$/ && / kmalloc: / { next }
		/ kmalloc: / && $0 ~ (" bytes_req=" size " ") &&
		    / bytes_alloc=4096 / {
			match($0, /ptr=[0-9a-fx]+/)
			p = substr($0, RSTART + 4, RLENGTH - 4)
			live[p] = 1; n++
			if ($0 ~ /goslab_example/)
				named++
		}
		/ kfree: / {
			match($0, /ptr=[0-9a-fx]+/)
			p = substr($0, RSTART + 4, RLENGTH - 4)
			if (p in live) { delete live[p]; freed++ }
		}
		END { print n + 0, named + 0, freed + 0 }' /tmp/kmem-hold /tmp/kmem-all
}

for who in goslab kmalloc; do
	k=0
	[ "$who" = kmalloc ] && k=1
	r=$(events $k) || { fail "tools-kmem-events-$who" "goslab_example did not load"; continue; }
	# shellcheck disable=SC2086 # three numbers, split on purpose
	set -- $r
	if [ "$1" -eq $N ] && [ "$2" -eq $N ] && [ "$3" -eq $N ]; then
		pass "tools-kmem-events-$who"
	else
		fail "tools-kmem-events-$who" "$1 kmalloc events of $SIZE bytes (bytes_alloc 4096), $2 naming goslab_example, $3 of them kfreed; want $N each"
	fi
done
echo >"$T/trace"
rm -f /tmp/kmem-hold /tmp/kmem-all
goslab_unload
