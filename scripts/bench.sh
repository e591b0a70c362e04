#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: goslab against SLUB, side by side in one boot of one kernel.
#
#  1. QEMU (TCG, 2 vCPUs, 1 GiB) on Debian's stock 6.12 kernel, booted once
#     with init_on_alloc=1 (Debian's default) and once with init_on_alloc=0.
#     The initramfs is vm-test's (scripts/vm-lib.sh) with /init replaced by
#     scripts/guest/bench-init.sh and the traces packed under /traces: it
#     loads goslab.ko and goslab_bench.ko, writes "all" to
#     /sys/kernel/debug/goslab_bench/bench, replays boot.gtrace (footprint)
#     and kbuild.gtrace (churn speed) through .../replay, and prints every
#     table on the serial console between markers.
#  2. UML (kunit.py --arch=um, native execution): scripts/bench/uml.sh
#     builds goslab and the bench into a UML kernel; the bench runs at
#     late_initcall (goslab_bench.boot_run=all) with init_on_alloc=1 and 0.
#     UML 6.12 is uniprocessor, so it has no two-CPU rows.  The traces
#     go in an initramfs (initrd=) and are replayed at boot too
#     (goslab_bench.boot_replay), on the one CPU and timed only: UML
#     6.12's userspace dies on this host's CPUs ("ptrace set fp regs
#     failed": its FP state buffer is smaller than the CPU's XSAVE area),
#     so no process reads goslab's debugfs for the memory figures.
#  2b. Footprint, the system's view (QEMU, 6.12, init_on_alloc=1): for
#     every trace and each allocator, GOSLAB_BENCH_FOOTPRINT_BOOTS fresh
#     boots (bench_footprint=goslab|slub) that replay the trace once
#     with that allocator alone, nothing before it, and print the pages
#     taken from the page allocator at the end, 5 s later and at the
#     peak; into build/bench/footprint.csv, medians in the table.
#  2c. ext4 (scripts/bench/ext4.sh): the ext4 test's file workload with
#     Debian's own ext4 on SLUB and with ext4 on goslab
#     (include/goslab_kmalloc.h), GOSLAB_BENCH_EXT4_BOOTS fresh boots
#     each: pages the kmalloc family holds and the system loses, at the
#     peak, the end, after umount and 5 s later, and the workload's time;
#     into build/bench/ext4.csv, medians on stdout.
#  3. One table on stdout, CSVs in build/bench/ (results.csv, replay.csv,
#     footprint.csv, series-<trace>.csv), plots drawn with gnuplot (ratio per size,
#     memory held over each replay) into build/bench/ and copied, with the
#     CSVs, to Documentation/bench/ (unless GOSLAB_BENCH_DOC=0).
#
#  2c. Span operations (QEMU, 6.12, init_on_alloc=0, 5 GiB): one boot runs
#     goslab_bench's "spanops" command (clients/bench/spanops.c): ns per
#     span allocation and free with 1, 64 and 1,024 arenas (4 GiB) of
#     objects live; rows spanops-<arenas> and spancyc-<arenas> of platform
#     qemu5g in results.csv.  GOSLAB_BENCH_SPANOPS=0 skips it (default: on
#     when the QEMU boots are).
#
# Environment: GOSLAB_TRACES (default: <repo>/../shared/traces),
# GOSLAB_BENCH_CMD (bench command, default "all"), GOSLAB_BENCH_IOA
# (default "1 0"), GOSLAB_BENCH_UML=0 skips UML, GOSLAB_BENCH_QEMU=0 skips
# QEMU's micro-benchmark and replay boots, GOSLAB_BENCH_REPLAY_REPS
# (default 11; replays take a second or two each),
# GOSLAB_BENCH_FOOTPRINT_BOOTS (boots per trace and allocator, default 3;
# 0 skips the footprint), GOSLAB_BENCH_BURST_BOOTS (burst boots per
# allocator, default 1; 0 skips it), GOSLAB_BENCH_BURST_MIB (default 512),
# GOSLAB_BENCH_FOOTPRINT_TRACES (trace names, default every trace),
# GOSLAB_BENCH_FOOTPRINT_FILL=1 (goslab's footprint boots print its stats
# and per-class fill at the 5 s reading, into
# build/bench/fill-<trace>-<boot>.txt),
# GOSLAB_BENCH_FOOTPRINT_DELAY_MS (when the "5 s" reading is taken,
# default 5000),
# GOSLAB_BENCH_SPANOPS (0 skips 2c), GOSLAB_BENCH_SPANOPS_CMD (its
# command, default "spanops", ',' for ' ': "spanops,max=64" holds at most
# 64 arenas), GOSLAB_BENCH_EXT4=0 skips the ext4 boots,
# GOSLAB_BENCH_EXT4_BOOTS (boots per allocator, default 5),
# GOSLAB_BENCH_EXT4_SAMPLE=0 (ext4 boots with no sampling: the time alone),
# GOSLAB_VM_TIMEOUT (default here 2400 s a boot; 300 for the ext4 boots).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
GOSLAB_VM_TIMEOUT=${GOSLAB_VM_TIMEOUT:-2400}
# shellcheck source=scripts/vm-lib.sh
. "$repo/scripts/vm-lib.sh"
out=$repo/build/bench
# Apart from vm-test's build/vm, so the two can run at once.
vmdir=$out/vm
traces=${GOSLAB_TRACES:-$repo/../shared/traces}
cmd=${GOSLAB_BENCH_CMD:-all}
ioas=${GOSLAB_BENCH_IOA:-1 0}
doc=$repo/Documentation/bench
mkdir -p "$out" "$vmdir"

die() {
	echo "bench: $*" >&2
	exit 1
}

sh "$repo/scripts/deps.sh"

results=$out/results.csv
replay=$out/replay.csv
echo "platform,init_on_alloc,test,size,goslab_ns,slub_ns,ratio" >"$results"
echo "platform,init_on_alloc,trace,allocator,requested_end,requested_peak,held_end,held_peak,sys_end,freepages_end,freepages_peak,ns_per_op,ns_ratio" >"$replay"
footprint=$out/footprint.csv
echo "trace,allocator,boot,pages_end,pages_5s,pages_peak,self_bytes_end,self_bytes_5s,self_bytes_peak,sys_bytes_end,requested_end" >"$footprint"

# bench_prepare <series>: build goslab.ko and goslab_bench.ko from a
# snapshot of the sources in build/bench/src-<release> (apart from the
# shared build/<release>, and without the other clients, so the bench
# does not depend on them), and pack the bench initramfs: busybox,
# /init = scripts/guest/bench-init.sh, the modules, /traces/*.gtrace.
# Sets vm_krel, vm_image and vm_initrd for vm_boot.
bench_prepare() {
	vm_kernel "$1" || die "$vm_err"
	[ -r "$vm_image" ] || die "no $vm_image"
	src=$out/src-$vm_krel
	mkdir -p "$src"
	# By content, stamped with the time of the copy: a source's own
	# mtime can be older than an object built from another tree's
	# version of it (a worktree staged here before), and make would
	# keep that object.
	rsync -rlpD --delete --checksum --exclude='*.o' --exclude='.*.cmd' \
		"$repo/Kbuild" "$repo/goslab" "$repo/include" "$repo/kunit" \
		"$src/"
	mkdir -p "$src/clients"
	rsync -rlpD --delete --checksum --exclude='*.o' --exclude='.*.cmd' \
		"$repo/clients/Kbuild" "$repo/clients/bench" "$src/clients/"
	grep -v '^obj-.*clients/' "$repo/Kbuild" >"$src/Kbuild.new"
	# shellcheck disable=SC2016 # a literal make variable reference
	echo 'obj-$(CONFIG_GOSLAB_EXAMPLE) += clients/' >>"$src/Kbuild.new"
	cmp -s "$src/Kbuild.new" "$src/Kbuild" || cp "$src/Kbuild.new" "$src/Kbuild"
	rm -f "$src/Kbuild.new"
	if ! make -C "$kdir" M="$src" CONFIG_GOSLAB=m CONFIG_GOSLAB_EXAMPLE=m \
		modules >"$vmdir/build-$vm_krel.log" 2>&1; then
		tail -n 20 "$vmdir/build-$vm_krel.log" >&2
		die "module build failed, see $vmdir/build-$vm_krel.log"
	fi
	root=$vmdir/rootfs-$vm_krel
	vm_rootfs "$root" "$repo/scripts/guest/bench-init.sh" traces ||
		die "$vm_err"
	cp "$src/goslab.ko" "$src/clients/goslab_bench.ko" "$root/lib/modules/goslab/"
	ntr=0
	for t in "$traces"/*.gtrace; do
		[ -f "$t" ] || continue
		cp "$t" "$root/traces/"
		ntr=$((ntr + 1))
	done
	[ "$ntr" -gt 0 ] || echo "bench: no traces in $traces: no replay" >&2
	vm_initrd=$vmdir/bench-initramfs-$vm_krel.cpio.gz
	vm_initramfs "$root" "$vm_initrd"
}

# check_guest <which guest> <console log>: say so when the guest did not
# reach its end or its kernel log holds a report.
check_guest() {
	grep -q '^GOSLAB-GUEST end' "$2" ||
		{ echo "bench: $1 did not finish; see $2" >&2; tail -n 20 "$2" >&2; }
	if sed -n '/^GOSLAB-DMESG begin/,/^GOSLAB-DMESG end/p' "$2" |
		grep -E 'WARNING:|BUG:|Oops|Call Trace' >&2; then
		echo "bench: kernel reports in $1's log (above)" >&2
	fi
}

# parse_guest <platform> <ioa> <console log>: the markers bench-init.sh
# printed, into results.csv, replay.csv and series-<trace>-ioa<n>.csv.
parse_guest() {
	pl=$1
	gioa=$2
	log=$3
	check_guest "the $pl guest" "$log"
	grep '^GOSLAB-MACHINE' "$log" | head -n 1 >"$out/machine-$pl-ioa$gioa.txt" || true
	sed -n '/^GOSLAB-BENCH begin/,/^GOSLAB-BENCH end/p' "$log" >"$out/bench-$pl-ioa$gioa.txt"
	parse_bench "$pl" "$gioa" "$out/bench-$pl-ioa$gioa.txt"
	parse_replays "$pl" "$gioa" "$log"
}

# parse_replays <platform> <ioa> <log>: each GOSLAB-REPLAY table into
# replay.csv ("-" where a figure was not measured), and its GOSLAB-SERIES
# table, where the log has one (QEMU's), into series-<trace>-ioa<n>.csv.
parse_replays() {
	pl=$1
	gioa=$2
	log=$3
	# shellcheck disable=SC2013 # trace names are single words
	for t in $(sed -n 's/^GOSLAB-REPLAY \([^ ]*\) begin$/\1/p' "$log"); do
		sed -n "/^GOSLAB-REPLAY $t begin/,/^GOSLAB-REPLAY $t end/p" "$log" >"$out/replay-$pl-$t-ioa$gioa.txt"
		# The ns ratio is the guest's: the median of each run's own.
		awk -v pl="$pl" -v ioa="$gioa" -v t="$t" '
			$1 == "ratio" { r = $NF }
			$1 == "goslab" || $1 == "slub" { line[++n] = $0 }
			END {
				for (j = 1; j <= n; j++) {
					split(line[j], f, " ")
					printf "%s,%s,%s", pl, ioa, t
					for (i = 1; i <= length(f); i++) printf ",%s", f[i]
					printf ",%s\n", r
				}
			}' "$out/replay-$pl-$t-ioa$gioa.txt" >>"$replay"
		grep -q "^GOSLAB-SERIES $t begin" "$log" || continue
		sed -n "/^GOSLAB-SERIES $t begin/,/^GOSLAB-SERIES $t end/p" "$log" |
			awk 'NR > 2 && NF == 3 { printf "%s,%s,%s\n", $1, $2, $3 }
			     NR == 2 { print "event,goslab_held,slub_held" }' \
			>"$out/series-$t-ioa$gioa.csv"
	done
}

# parse_footprint <trace> <allocator> <boot> <console log>: the row of
# the GOSLAB-FOOTPRINT block into footprint.csv, its GOSLAB-SERIES block
# into footprint-series-<trace>-<allocator>-<boot>.csv.  Fails when the
# boot left no row.
parse_footprint() {
	log=$4
	check_guest "footprint boot $3 ($2, $1)" "$log"
	row=$(sed -n "/^GOSLAB-FOOTPRINT $1 begin/,/^GOSLAB-FOOTPRINT $1 end/p" "$log" |
		awk -v a="$2" '$1 == a && NF == 10 {
			printf "%s,%s,%s,%s,%s,%s,%s,%s", $2, $3, $4, $5, $6, $7, $8, $9
		}')
	if [ -z "$row" ]; then
		echo "bench: footprint boot $3 ($2, $1) printed no row; see $log" >&2
		grep -A3 "^GOSLAB-FOOTPRINT $1 begin" "$log" >&2 || true
		return 1
	fi
	echo "$1,$2,$3,$row" >>"$footprint"
	sed -n "/^GOSLAB-SERIES $1 begin/,/^GOSLAB-SERIES $1 end/p" "$log" |
		awk 'NR > 2 && NF == 3 { printf "%s,%s,%s\n", $1, $2, $3 }
		     NR == 2 { print "event,held_bytes,pages" }' \
		>"$out/footprint-series-$1-$2-$3.csv"
}

# parse_bench <platform> <ioa> <file with the table lines>
parse_bench() {
	awk -v pl="$1" -v ioa="$2" '
		$1 == "test" || /^#/ || NF != 5 { next }
		{ printf "%s,%s,%s,%s,%s,%s,%s\n", pl, ioa, $1, $2, $3, $4, $5 }
	' "$3" >>"$results"
}

fboots=${GOSLAB_BENCH_FOOTPRINT_BOOTS:-3}
bboots=${GOSLAB_BENCH_BURST_BOOTS:-1}
if [ "${GOSLAB_BENCH_QEMU:-1}" = 1 ] || [ "$fboots" -gt 0 ] || [ "$bboots" -gt 0 ]; then
	echo "bench: building goslab.ko, goslab_bench.ko and the initramfs for 6.12" >&2
	bench_prepare 6.12
fi

# --- QEMU ---------------------------------------------------------------
if [ "${GOSLAB_BENCH_QEMU:-1}" = 1 ]; then
	bcmd=$(echo "$cmd" | tr ' ' ',')
	for ioa in $ioas; do
		serial=$out/serial-qemu-ioa$ioa.log
		echo "bench: QEMU 6.12 init_on_alloc=$ioa (serial log $serial)" >&2
		start=$(date +%s)
		rc=0
		vm_boot "$serial" "init_on_alloc=$ioa" "bench_cmd=$bcmd" \
			"bench_replay_reps=${GOSLAB_BENCH_REPLAY_REPS:-11}" || rc=$?
		echo "bench: QEMU exited with $rc after $(($(date +%s) - start)) s" >&2
		tr -d '\r' <"$serial" >"$serial.txt"
		parse_guest qemu "$ioa" "$serial.txt"
	done
fi

# --- footprint: fresh boots, one allocator each -------------------------
# Every boot replays one trace once with one allocator: a replay of either
# before it would leave slabs, arenas and per-CPU lists that the free-page
# figure then hides.  The allocators alternate which goes first, so that
# any drift of the host lands on both.
if [ "$fboots" -gt 0 ]; then
	ftraces=${GOSLAB_BENCH_FOOTPRINT_TRACES:-}
	if [ -z "$ftraces" ]; then
		for t in "$traces"/*.gtrace; do
			[ -f "$t" ] && ftraces="$ftraces $(basename "$t" .gtrace)"
		done
	fi
	b=1
	while [ "$b" -le "$fboots" ]; do
		order="goslab slub"
		[ $((b % 2)) = 1 ] || order="slub goslab"
		for t in $ftraces; do
			for a in $order; do
				# A second try when a boot leaves no row: TCG
				# guests here now and then die early in boot
				# (an int3 oops in the timer interrupt, before
				# any module), which says nothing of either
				# allocator.
				for try in 1 2; do
					serial=$vmdir/footprint-$t-$a-$b.log
					echo "bench: footprint boot $b/$fboots: $t with $a (serial log $serial)" >&2
					start=$(date +%s)
					rc=0
					vm_boot "$serial" init_on_alloc=1 "bench_footprint=$a" \
						"bench_footprint_trace=$t" \
						${GOSLAB_BENCH_FOOTPRINT_FILL:+bench_footprint_fill=1} \
						${GOSLAB_BENCH_FOOTPRINT_DELAY_MS:+bench_footprint_delay_ms=$GOSLAB_BENCH_FOOTPRINT_DELAY_MS} || rc=$?
					echo "bench: QEMU exited with $rc after $(($(date +%s) - start)) s" >&2
					tr -d '\r' <"$serial" >"$serial.txt"
					[ "$a" != goslab ] || [ -z "${GOSLAB_BENCH_FOOTPRINT_FILL:-}" ] ||
						sed -n 's/^#| //p' "$serial.txt" >"$out/fill-$t-$b.txt"
					if parse_footprint "$t" "$a" "$b" "$serial.txt"; then
						break
					fi
					[ "$try" = 2 ] || cp "$serial.txt" "$serial.failed.txt"
				done
			done
		done
		b=$((b + 1))
	done
fi

# --- burst: fresh boots, one allocator each -------------------------------
# goslab_bench's burst (clients/bench/burst.c): GOSLAB_BENCH_BURST_MIB
# (default 512) MiB of mixed objects taken and freed, then the pages still
# taken every half second for 20 s, into build/bench/burst.csv
# (allocator,boot,objects,peak_kib,ms,held_kib).  The guest gets memory for
# the burst on top of the initramfs (GOSLAB_VM_MEM).
if [ "$bboots" -gt 0 ]; then
	burst_csv=$out/burst.csv
	bmib=${GOSLAB_BENCH_BURST_MIB:-512}
	echo "allocator,boot,objects,peak_kib,ms,held_kib" >"$burst_csv"
	b=1
	while [ "$b" -le "$bboots" ]; do
		for a in goslab slub; do
			serial=$vmdir/burst-$a-$b.log
			# A second try when the guest dies in early boot, as
			# for the footprint boots (TCG's int3 oops).
			for try in 1 2; do
				echo "bench: burst boot $b/$bboots: $bmib MiB with $a (serial log $serial)" >&2
				rc=0
				mem0=${GOSLAB_VM_MEM:-}
				GOSLAB_VM_MEM=$((bmib * 2 + 1024))M
				vm_boot "$serial" "bench_burst=$a" "bench_burst_mib=$bmib" || rc=$?
				GOSLAB_VM_MEM=$mem0
				echo "bench: QEMU exited with $rc" >&2
				tr -d '\r' <"$serial" >"$serial.txt"
				check_guest "burst boot $b ($a)" "$serial.txt" || true
				! grep -q '^GOSLAB-BURST end' "$serial.txt" || break
			done
			awk -v a="$a" -v b="$b" '
				/^GOSLAB-BURST begin/ { on = 1; next }
				/^GOSLAB-BURST end/ { on = 0 }
				!on { next }
				$1 == a && NF == 5 { objs = $3; peak = $4; next }
				$1 ~ /^[0-9]+$/ && NF == 2 {
					printf "%s,%s,%s,%s,%s,%s\n", a, b, objs, peak, $1, $2
				}
			' "$serial.txt" >>"$burst_csv"
		done
		b=$((b + 1))
	done
fi

# --- spanops: span operations with many arenas live ---------------------
# bench_spanops: a boot of its own, 5 GiB, so that 1,024 arenas (4 GiB)
# can be held; no replay.  init_on_alloc=0: zeroing each 72 KiB object
# would drown the span operation it times.
bench_spanops() {
	[ -n "${vm_initrd:-}" ] || bench_prepare 6.12
	serial=$out/serial-spanops.log
	echo "bench: QEMU 6.12 spanops, 5 GiB (serial log $serial)" >&2
	start=$(date +%s)
	rc=0
	_spanops_mem=${GOSLAB_VM_MEM:-}
	GOSLAB_VM_MEM=5G
	vm_boot "$serial" init_on_alloc=0 \
		"bench_cmd=${GOSLAB_BENCH_SPANOPS_CMD:-spanops}" bench_replay=0 || rc=$?
	GOSLAB_VM_MEM=$_spanops_mem
	echo "bench: QEMU exited with $rc after $(($(date +%s) - start)) s" >&2
	tr -d '\r' <"$serial" >"$serial.txt"
	parse_guest qemu5g 0 "$serial.txt"
	grep '^# ' "$out/bench-qemu5g-ioa0.txt" >&2 || true
}

if [ "${GOSLAB_BENCH_SPANOPS:-${GOSLAB_BENCH_QEMU:-1}}" = 1 ]; then
	bench_spanops
fi

# --- ext4: Debian's ext4 on SLUB against ext4 on goslab ------------------
# bench_ext4: the section, in a script of its own (it builds ext4 as the
# ext4 test does and boots with a disk); its table goes to stdout now,
# its CSV with the others.
bench_ext4() {
	echo "bench: ext4 on SLUB and on goslab, fresh boots" >&2
	sh "$repo/scripts/bench/ext4.sh" "$out" ||
		echo "bench: the ext4 section failed" >&2
}
rm -f "$out/ext4.csv"
[ "${GOSLAB_BENCH_EXT4:-1}" = 0 ] || bench_ext4

# --- UML ----------------------------------------------------------------
if [ "${GOSLAB_BENCH_UML:-1}" = 1 ]; then
	echo "bench: building the UML kernel (kunit.py --arch=um; first time: several minutes)" >&2
	if sh "$repo/scripts/bench/uml.sh" build >"$out/uml-build.log" 2>&1; then
		# The traces, as an uncompressed initramfs for initrd=.
		ucpio=$out/uml-traces.cpio
		urep=
		rm -rf "$out/uml-root"
		mkdir -p "$out/uml-root/traces"
		for t in "$traces"/*.gtrace; do
			[ -f "$t" ] || continue
			cp "$t" "$out/uml-root/traces/"
			urep=$urep${urep:+,}/traces/$(basename "$t")
		done
		vm_cpio_pack "$out/uml-root" >"$ucpio"
		for ioa in $ioas; do
			log=$out/uml-ioa$ioa.log
			echo "bench: UML init_on_alloc=$ioa (log $log)" >&2
			sh "$repo/scripts/bench/uml.sh" run "$log" \
				"goslab_bench.boot_run=$(echo "$cmd" | tr ' ' ',')" \
				${urep:+"initrd=$ucpio"} \
				${urep:+"goslab_bench.boot_replay=$urep"} \
				"goslab_bench.replay_reps=${GOSLAB_BENCH_REPLAY_REPS:-11}" \
				"init_on_alloc=$ioa"
			# Strip printk timestamps; keep the tables.
			sed -e 's/^\[[ 0-9.]*\] //' "$log" >"$out/uml-ioa$ioa.txt"
			sed -n '/GOSLAB-BENCH begin/,/GOSLAB-BENCH end/p' \
				"$out/uml-ioa$ioa.txt" >"$out/bench-uml-ioa$ioa.txt"
			grep -q 'GOSLAB-BENCH end' "$out/bench-uml-ioa$ioa.txt" ||
				{ echo "bench: UML run printed no table; see $log" >&2; tail -n 20 "$log" >&2; }
			parse_bench uml "$ioa" "$out/bench-uml-ioa$ioa.txt"
			parse_replays uml "$ioa" "$out/uml-ioa$ioa.txt"
		done
	else
		echo "bench: UML build failed; see $out/uml-build.log" >&2
		tail -n 20 "$out/uml-build.log" >&2
	fi
fi

# --- one table ------------------------------------------------------------
sh "$repo/scripts/bench/report.sh" "$out"

# --- plots ------------------------------------------------------------------
sh "$repo/scripts/bench/plot.sh" "$out" || echo "bench: plotting failed" >&2
if [ "${GOSLAB_BENCH_DOC:-1}" = 1 ]; then
	mkdir -p "$doc"
	cp "$out"/*.svg "$out/results.csv" "$out/replay.csv" "$doc/" 2>/dev/null || true
	if [ -f "$out/ext4.csv" ] && [ "$(wc -l <"$out/ext4.csv")" -gt 1 ]; then
		cp "$out/ext4.csv" "$doc/"
	fi
	if [ -f "${burst_csv:-}" ] && [ "$(wc -l <"$burst_csv")" -gt 1 ]; then
		cp "$burst_csv" "$doc/"
	fi
	if [ "$(wc -l <"$footprint")" -gt 1 ]; then
		cp "$footprint" "$doc/"
		for f in "$out"/footprint-series-*-1.csv; do
			[ -f "$f" ] && cp "$f" "$doc/"
		done
	fi
	for f in "$out"/series-*-ioa1.csv; do
		[ -f "$f" ] && cp "$f" "$doc/"
	done
	echo "bench: plots and CSVs copied to $doc" >&2
fi
