#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Draw make bench's plots with gnuplot (Debian's gnuplot-nox) from the CSVs
# in <out> (build/bench/): ratio.svg (goslab/SLUB per alloc+free pair
# size, one line per platform and init_on_alloc), and memory-<trace>.svg
# (memory held over each replay, both allocators, QEMU init_on_alloc=1,
# each allocator's own figure), and pages-<trace>.svg (pages taken from
# the page allocator over the replay, each allocator in its own fresh
# boot: the footprint boots' first, with goslab's own figure beside).
set -eu
out=$1
command -v gnuplot >/dev/null || { echo "plot: no gnuplot (scripts/deps.sh)" >&2; exit 1; }

# ratio.svg: one data file per platform/ioa column.
cols=$(awk -F, 'NR > 1 && $3 == "pair" { print $1 "-ioa" $2 }' "$out/results.csv" | sort -u)
plots=
for c in $cols; do
	pl=${c%-ioa*}
	ioa=${c#*-ioa}
	awk -F, -v pl="$pl" -v ioa="$ioa" \
		'$1 == pl && $2 == ioa && $3 == "pair" { print NR, $4, $7 }' \
		"$out/results.csv" | awk '{ print n++, $2, $3 }' >"$out/ratio-$c.dat"
	plots="${plots:+$plots, }'$out/ratio-$c.dat' using 1:3:xtic(2) with linespoints title '$pl init_on_alloc=$ioa'"
done
if [ -n "$plots" ]; then
	gnuplot <<GP
set terminal svg size 900,480 font "sans,12" background "white"
set output "$out/ratio.svg"
set title "alloc+free pair: goslab ns / SLUB ns (below 1: goslab faster)"
set xlabel "object size (bytes)"
set ylabel "goslab / SLUB"
set grid ytics
set yrange [0:*]
set key top left
plot $plots, 0.9 with lines dashtype 2 lc rgb "gray" title "target 0.9"
GP
fi

# over_replay <svg> <title> <y label>: the gnuplot settings of a figure
# over a replay's events from a CSV; the plot command follows.
over_replay() {
	cat <<GP
set terminal svg size 900,480 font "sans,12" background "white"
set output "$1"
set datafile separator ","
set title "$2"
set xlabel "trace event"
set ylabel "$3"
set grid
set key top left
GP
}

for f in "$out"/series-*-ioa1.csv; do
	[ -f "$f" ] || continue
	t=$(basename "$f" .csv)
	t=${t#series-}
	t=${t%-ioa1}
	[ "$(wc -l <"$f")" -gt 1 ] || continue
	{
		over_replay "$out/memory-$t.svg" \
			"replay of $t.gtrace: memory held (QEMU, init_on_alloc=1)" "MiB held"
		cat <<GP
plot "$f" using 1:(\$2/1048576.0) every ::1 with lines lw 2 title "goslab (spans + metadata)", \
     "$f" using 1:(\$3/1048576.0) every ::1 with lines lw 2 title "SLUB (NR_SLAB_UNRECLAIMABLE_B)"
GP
	} | gnuplot
done

for f in "$out"/footprint-series-*-goslab-1.csv; do
	[ -f "$f" ] || continue
	t=$(basename "$f" -goslab-1.csv)
	t=${t#footprint-series-}
	sf=$out/footprint-series-$t-slub-1.csv
	[ -f "$sf" ] || continue
	[ "$(wc -l <"$f")" -gt 1 ] || continue
	[ "$(wc -l <"$sf")" -gt 1 ] || continue
	{
		over_replay "$out/pages-$t.svg" \
			"replay of $t.gtrace: pages taken from the page allocator (fresh boot each, QEMU, init_on_alloc=1)" MiB
		cat <<GP
plot "$f" using 1:(\$3*4096/1048576.0) every ::1 with lines lw 2 title "goslab: free pages taken", \
     "$sf" using 1:(\$3*4096/1048576.0) every ::1 with lines lw 2 title "SLUB: free pages taken", \
     "$f" using 1:(\$2/1048576.0) every ::1 with lines dashtype 2 title "goslab's own (spans + metadata)"
GP
	} | gnuplot
done
