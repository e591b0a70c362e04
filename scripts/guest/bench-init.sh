#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of make bench's initramfs (scripts/bench.sh packs it; vm-test never
# sees it: it only packs test-*.sh).  Mounts what the benchmark needs,
# loads goslab and goslab_bench, then prints between serial markers:
#
#   GOSLAB-BENCH begin/end          the micro-benchmark table
#   GOSLAB-REPLAY <name> begin/end  the replay table of /traces/<name>.gtrace
#   GOSLAB-SERIES <name> begin/end  memory held over that replay
#   GOSLAB-STATS <name> begin/end   goslab's stats after it (counters
#                                   summed over every run so far)
#   GOSLAB-FOOTPRINT <name> begin/end  the footprint mode's row for
#                                   /traces/<name>.gtrace (see below)
#   GOSLAB-BURST begin/end          the burst mode's readings (below)
#   GOSLAB-DMESG begin/end          the kernel log
#
# Kernel command-line words (handed to init as environment variables):
#   bench_cmd=all,reps=5     the bench command (',' stands for ' ')
#   bench_replay=1           replay every /traces/*.gtrace (default 1)
#   bench_replay_reps=3      runs per allocator for each replay
#   bench_footprint=goslab   (or slub) the footprint mode: no micro-
#                            benchmark, each trace replayed once with that
#                            allocator alone (goslab_bench's footprint=),
#                            nothing replayed before it; make bench boots
#                            afresh for every trace and allocator
#   bench_footprint_trace=boot  the traces it replays, ',' between names
#                            (default every /traces/*.gtrace, in turn)
#   bench_footprint_fill=1   with bench_footprint=goslab: goslab's "stats"
#                            and "fill" files, read by goslab_bench right
#                            after the second reading (footprint_dump=),
#                            as "#| " lines after the footprint row
#   bench_footprint_delay_ms=5000  when the footprint mode's second
#                            reading is taken, ms after the replay's end
#   bench_burst=goslab       (or slub) the burst mode: goslab_bench's
#                            burst of bench_burst_mib (default 512) MiB,
#                            between GOSLAB-BURST begin/end
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
cd /tmp || exit 1

M=/lib/modules/goslab
B=/sys/kernel/debug/goslab_bench
echo "GOSLAB-GUEST begin $(uname -r) mode=bench"
echo "GOSLAB-MACHINE $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB," \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
	"cmdline: $(cat /proc/cmdline)"

# replay <marker> <trace file>: replay it through $B/replay and print its
# table between "<marker> <name> begin/end", then the series and goslab's
# stats.
replay() {
	name=$(basename "$2" .gtrace)
	start=$(date +%s)
	cat "$2" >$B/replay
	# A close from an exiting process leaves it pending.
	grep -q '^# no replay: pending' $B/replay &&
		echo replay >$B/bench
	echo "$1 $name begin"
	cat $B/replay
	echo "$1 $name end $(($(date +%s) - start)) s"
	echo "GOSLAB-SERIES $name begin"
	cat $B/series
	echo "GOSLAB-SERIES $name end"
	echo "GOSLAB-STATS $name begin"
	cat /sys/kernel/debug/goslab/stats
	echo "GOSLAB-STATS $name end"
}

# The footprint mode: a row of free pages taken per trace, and nothing
# else run in the boot, so that nothing warms either allocator up.
footprint() {
	if ! insmod $M/goslab.ko || ! insmod $M/goslab_bench.ko \
		footprint="$bench_footprint" \
		footprint_delay_ms="${bench_footprint_delay_ms:-5000}" \
		footprint_dump="${bench_footprint_fill:-0}"; then
		echo "GOSLAB-BENCH-ERROR insmod failed"
		return
	fi
	names=$(echo "${bench_footprint_trace:-}" | tr ',' ' ')
	if [ -z "$names" ]; then
		for t in /traces/*.gtrace; do
			[ -f "$t" ] && names="$names $(basename "$t" .gtrace)"
		done
	fi
	for name in $names; do
		t=/traces/$name.gtrace
		[ -f "$t" ] || { echo "GOSLAB-BENCH-ERROR no $t"; continue; }
		replay GOSLAB-FOOTPRINT "$t"
	done
	rmmod goslab_bench
	rmmod goslab
}

# The burst mode: one allocator's burst (goslab_bench's burst file), and
# nothing else in the boot.
burst() {
	if ! insmod $M/goslab.ko || ! insmod $M/goslab_bench.ko; then
		echo "GOSLAB-BENCH-ERROR insmod failed"
		return
	fi
	echo "$bench_burst ${bench_burst_mib:-512}" >$B/burst ||
		echo "GOSLAB-BENCH-ERROR burst failed"
	echo "GOSLAB-BURST begin"
	cat $B/burst
	echo "GOSLAB-BURST end"
	if [ "$bench_burst" = goslab ]; then
		echo "GOSLAB-STATS burst begin"
		cat /sys/kernel/debug/goslab/stats
		echo "GOSLAB-STATS burst end"
	fi
	rmmod goslab_bench
	rmmod goslab
}

if [ -n "${bench_burst:-}" ]; then
	burst
elif [ -n "${bench_footprint:-}" ]; then
	footprint
elif insmod $M/goslab.ko && insmod $M/goslab_bench.ko \
	replay_reps="${bench_replay_reps:-3}"; then
	cmd=$(echo "${bench_cmd:-all}" | tr ',' ' ')
	start=$(date +%s)
	echo "$cmd" >$B/bench || echo "GOSLAB-BENCH-ERROR bench command '$cmd' failed"
	echo "GOSLAB-BENCH begin"
	cat $B/bench
	echo "GOSLAB-BENCH end $(($(date +%s) - start)) s"
	if [ "${bench_replay:-1}" = 1 ]; then
		for t in /traces/*.gtrace; do
			[ -f "$t" ] && replay GOSLAB-REPLAY "$t"
		done
	fi
	rmmod goslab_bench
	rmmod goslab
else
	echo "GOSLAB-BENCH-ERROR insmod failed"
fi

echo "GOSLAB-TAINT $(cat /proc/sys/kernel/tainted)"
echo "GOSLAB-DMESG begin"
dmesg
echo "GOSLAB-DMESG end"
echo "GOSLAB-GUEST end"
sync
poweroff -f
sleep 1000
