#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: the benchmark client (clients/bench/) runs and prints
# well-formed numbers.  No timing is asserted: make bench measures, this
# only checks that it works.  "smoke" is a short run of every kind of
# benchmark; then a small synthetic trace (both CPUs, frees on the other
# CPU, objects left live) goes through the replay file.
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

B=/sys/kernel/debug/goslab_bench
if ! goslab_load; then
	fail bench-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
if ! client_load goslab_bench; then
	fail bench-insmod "insmod goslab_bench.ko failed"
	rmmod goslab
	exit 0
fi
pass bench-insmod

if echo smoke >$B/bench; then
	pass bench-smoke-runs
else
	fail bench-smoke-runs "writing 'smoke' to $B/bench failed"
fi
cat $B/bench >/tmp/bench.txt
# Header exactly; then rows "test size goslab_ns slub_ns ratio" with
# positive numbers; every kind present (pair2 and xcpu only with two
# CPUs).
why=$(awk -v ncpu="$(nproc)" '
	NR == 1 {
		if ($0 != "test size goslab_ns slub_ns ratio")
			bad = "header is: " $0
		next
	}
	/^#/ { bad = "error line: " $0; next }
	{
		if (NF != 5) { bad = "line " NR ": " NF " fields"; next }
		for (i = 2; i <= 5; i++)
			if ($i !~ /^[0-9]+(\.[0-9]+)?$/ || $i + 0 <= 0)
				bad = "line " NR ": field " i " is \"" $i "\""
		kind[$1]++
		n++
	}
	END {
		if (bad) { print bad; exit }
		# Every size class (67) and four large sizes (micro.c).
		if (kind["pair"] != 71) { print "pair rows: " kind["pair"] + 0 ", expected 71"; exit }
		if (ncpu >= 2 && kind["pair2"] != 71) { print "pair2 rows: " kind["pair2"] + 0 ", expected 71"; exit }
		if (!kind["batch-lifo"] || !kind["batch-rand"] || !kind["bulk"]) { print "missing batch or bulk rows"; exit }
		if (ncpu >= 2 && !kind["xcpu"]) print "no xcpu rows with " ncpu " CPUs"
	}' /tmp/bench.txt)
if [ -z "$why" ]; then
	pass bench-table-well-formed
else
	fail bench-table-well-formed "$why"
	sed 's/^/  | /' /tmp/bench.txt
fi

# A synthetic trace: 600 allocations over CPUs 0 and 1, the odd ones freed
# on the other CPU, every fourth left live, one atomic in eight.
awk 'BEGIN {
	print "# goslab trace v1: smoke"
	for (i = 1; i <= 600; i++) {
		printf "a %d %d %d %d\n", i % 2, i, 8 + (i * 37) % 700, (i % 8 == 0)
		if (i > 8 && (i - 8) % 4 != 0)
			printf "f %d %d\n", (i - 8 + i % 2) % 2, i - 8
	}
}' >/tmp/smoke.gtrace
cat /tmp/smoke.gtrace >$B/replay
grep -q '^# no replay: pending' $B/replay && echo replay >$B/bench
cat $B/replay >/tmp/replay.txt
why=$(awk '
	/^#/ { if ($0 ~ /no replay/) bad = $0; next }
	$1 == "allocator" { hdr = 1; next }
	$1 == "goslab" || $1 == "slub" {
		if (NF != 9) { bad = $1 ": " NF " fields"; next }
		for (i = 2; i <= 9; i++)
			if ($i !~ /^[0-9]+(\.[0-9]+)?$/)
				bad = $1 ": field " i " is \"" $i "\""
		if ($2 + 0 <= 0 || $4 + 0 <= 0) bad = $1 ": nothing requested or held"
		seen[$1] = 1
		next
	}
	$1 == "ratio" { ratio = 1 }
	END {
		if (bad) print bad
		else if (!hdr || !seen["goslab"] || !seen["slub"] || !ratio) print "incomplete table"
	}' /tmp/replay.txt)
if [ -z "$why" ]; then
	pass bench-replay-well-formed
else
	fail bench-replay-well-formed "$why"
	sed 's/^/  | /' /tmp/replay.txt
fi
if [ "$(awk 'NR > 1 && NF == 3' $B/series | wc -l)" -gt 0 ]; then
	pass bench-series
else
	fail bench-series "no memory samples in $B/series"
fi

rmmod goslab_bench
if rmmod goslab; then
	pass bench-rmmod
else
	fail bench-rmmod "rmmod goslab failed"
fi
if dmesg | grep -q 'goslab: .*not freed at unload'; then
	fail bench-no-leaks "$(dmesg | grep 'goslab:' | tail -n 3)"
else
	pass bench-no-leaks
fi
