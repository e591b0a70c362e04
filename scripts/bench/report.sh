#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print make bench's one table from build/bench/results.csv and replay.csv:
# one row per test and size, for each platform and init_on_alloc setting
# goslab ns, SLUB ns and the ratio goslab/SLUB (below 1: goslab faster);
# then the replays, and the footprint boots' medians from footprint.csv.
set -eu
out=$1
awk -F, '
	NR == 1 { next }
	{
		col = $1 "/ioa" $2
		if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
		row = $3 " " $4
		if (!(row in rseen)) { rseen[row] = 1; rows[++nr] = row }
		v[row, col] = sprintf("%8s %8s %6s", $5, $6, $7)
	}
	END {
		printf "%-16s", "ns per object"
		for (c = 1; c <= nc; c++) printf " | %-24s", cols[c] " g/slub/ratio"
		printf "\n"
		for (r = 1; r <= nr; r++) {
			printf "%-16s", rows[r]
			for (c = 1; c <= nc; c++)
				printf " | %24s", ((rows[r], cols[c]) in v) ? v[rows[r], cols[c]] : "-"
			printf "\n"
		}
	}' "$out/results.csv"
if [ "$(wc -l <"$out/replay.csv")" -gt 1 ]; then
	echo
	echo "trace replay (median of runs; bytes; ns per alloc or free call):"
	awk -F, '
		NR == 1 { next }
		{
			printf "%-5s ioa%s %-7s %-6s requested %9d held_end %9s held_peak %9s freepages_end %9s ns/op %6s\n",
				$1, $2, $3, $4, $5, $7, $8, $10, $12
			k = $1 " ioa" $2 " " $3
			# $13: the ns ratio from the guest, the median of each run ratio
			if ($4 == "goslab") { gh[k] = $7; gp[k] = $8; nr[k] = $13 }
			else { sh_[k] = $7; sp[k] = $8; keys[++n] = k }
		}
		END {
			for (i = 1; i <= n; i++) {
				k = keys[i]
				if (!(k in gh)) continue
				# "-": not measured (the UML replays at boot)
				if (sh_[k] + 0 == 0 || sp[k] + 0 == 0)
					printf "%-22s goslab/slub: held_end -      held_peak -      ns/op %s\n",
						k, nr[k]
				else
					printf "%-22s goslab/slub: held_end %.3f  held_peak %.3f  ns/op %s\n",
						k, gh[k] / sh_[k], gp[k] / sp[k], nr[k]
			}
		}' "$out/replay.csv"
fi
# The footprint boots: the median over the boots of each figure, pages
# taken from the page allocator (the system's view) first, the
# allocator's own bytes after, and goslab/SLUB of each median.
if [ -f "$out/footprint.csv" ] && [ "$(wc -l <"$out/footprint.csv")" -gt 1 ]; then
	echo
	echo "footprint (fresh boot per allocator, one replay, init_on_alloc=1; median of boots):"
	awk -F, -f "$(dirname "$0")/median.awk" -f - "$out/footprint.csv" <<'EOF'
		function ratio(g, s) { return s + 0 > 0 ? sprintf("%.3f", g / s) : "-" }
		NR == 1 { next }
		{
			k = $1 SUBSEP $2
			if (!(k in nb)) {
				if (!($1 in tseen)) { tseen[$1] = 1; tr[++nt] = $1 }
			}
			nb[k]++
			for (i = 4; i <= 8; i++) v[k, i] = v[k, i] " " $i
		}
		END {
			printf "%-8s %-7s %5s %10s %10s %10s %14s %14s\n", "trace", "alloc",
				"boots", "pages_end", "pages_5s", "pages_peak", "self_end", "self_5s"
			for (t = 1; t <= nt; t++) {
				for (a = 0; a < 2; a++) {
					al = a ? "slub" : "goslab"
					k = tr[t] SUBSEP al
					if (!(k in nb)) continue
					for (i = 4; i <= 8; i++) m[al, i] = median(v[k, i])
					printf "%-8s %-7s %5d %10d %10d %10d %14d %14d\n", tr[t], al,
						nb[k], m[al, 4], m[al, 5], m[al, 6], m[al, 7], m[al, 8]
				}
				if ((tr[t] SUBSEP "goslab") in nb && (tr[t] SUBSEP "slub") in nb)
					printf "%-8s %-7s %5s %10s %10s %10s %14s %14s\n", tr[t],
						"g/slub", "", ratio(m["goslab", 4], m["slub", 4]),
						ratio(m["goslab", 5], m["slub", 5]),
						ratio(m["goslab", 6], m["slub", 6]),
						ratio(m["goslab", 7], m["slub", 7]),
						ratio(m["goslab", 8], m["slub", 8])
			}
		}
EOF
fi
