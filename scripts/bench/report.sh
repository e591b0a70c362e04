#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print make bench's one table from build/bench/results.csv and replay.csv:
# one row per test and size, for each platform and init_on_alloc setting
# goslab ns, SLUB ns and the ratio goslab/SLUB (below 1: goslab faster).
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
