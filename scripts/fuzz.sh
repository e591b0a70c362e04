#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz goslab's pure logic in userspace with libFuzzer, ASan and UBSan
# (Debian's clang 14): the page bitmap and its summaries (mpagealloc.c),
# the span bitmap scanning and sweep (mbitmap.c, next_free_fast), and the
# size-class lookup (sizeclasses.[ch]).  Each harness in fuzz/ checks
# goslab against a slow reference; see Documentation/testing.rst.
#
#   scripts/fuzz.sh --check [harness...]   make check's stage: a fixed
#       number of inputs per harness (GOSLAB_FUZZ_RUNS overrides), fixed
#       -seed, from the seeds in fuzz/corpus/<harness>/ only, so every run
#       of a given tree executes the same inputs.
#   scripts/fuzz.sh [harness...]           make fuzz: FUZZ_TIME seconds per
#       harness (default 300); the corpus grows in build/fuzz/corpus/.
#
# Harnesses are built into build/fuzz/ by fuzz/Makefile and run side by
# side.  A crash, a sanitizer report, a WARN from the shim or a mismatch
# with the reference fails that harness; the input is saved as
# build/fuzz/artifacts/<harness>-crash-<sha1> (build/fuzz/check/artifacts/
# in --check mode) and replays with
#     build/fuzz/<harness> <that file>
#
# Output: one line per harness, then exactly one line
#     fuzz: N passed, M failed
# (a harness that does not build counts as failed).  With GOSLAB_RESULTS
# set, "fuzz N M" is appended to that file.  Exit status 0 only if M is 0.
#
# Environment: FUZZ_TIME (seconds per harness, long mode), GOSLAB_FUZZ_RUNS
# (inputs per harness, --check mode; default per harness, below),
# FUZZ_SEED (libFuzzer -seed, default 1), CC (default clang).
set -u

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"

all="fuzz_pallocbits fuzz_bitmap fuzz_sizeclass"
out=build/fuzz
mode=long
if [ "${1:-}" = --check ]; then
	mode=check
	shift
fi
harnesses=${*:-$all}
seed=${FUZZ_SEED:-1}
fuzz_time=${FUZZ_TIME:-300}

# Inputs per harness in --check mode: well past the point where coverage
# stops growing, and enough to kill every mutant of mpagealloc.c,
# mbitmap.c and sizeclasses.c tried while writing the harnesses; about
# 5 s of CPU each, so the whole check takes ~10 s on an idle 2-core
# machine and stays under a minute on a heavily loaded one.
check_runs() {
	if [ -n "${GOSLAB_FUZZ_RUNS:-}" ]; then
		echo "$GOSLAB_FUZZ_RUNS"
		return
	fi
	case $1 in
	fuzz_pallocbits) echo 20000 ;;
	fuzz_bitmap) echo 12000 ;;
	*) echo 100000 ;;
	esac
}

results_init fuzz

if ! sh scripts/deps.sh; then
	echo "fuzz: scripts/deps.sh failed; trying with what is installed" >&2
fi

# Crash inputs: kept from long runs, fresh for each check.
if [ "$mode" = check ]; then
	arts=$out/check/artifacts
else
	arts=$out/artifacts
fi
mkdir -p "$out/logs" "$arts"
start=$(date +%s)

# Build each harness on its own so that one that does not compile fails
# only itself.
built=
for h in $harnesses; do
	case " $all " in
	*" $h "*) ;;
	*)
		echo "fuzz: $h: no such harness (have: $all)" >&2
		count_fail
		continue
		;;
	esac
	if make --no-print-directory -s -f fuzz/Makefile O="$out" \
		CC="${CC:-clang}" "$out/$h" >"$out/logs/$h.build" 2>&1; then
		built="$built $h"
	else
		cat "$out/logs/$h.build" >&2
		echo "fuzz: $h: FAILED to build" >&2
		count_fail
	fi
done

# start <harness>: the fuzzer in the background, its log in build/fuzz/logs/.
start() {
	h=$1
	if [ "$mode" = check ]; then
		# A fresh working corpus: the same inputs every time.
		work=$out/check/$h
		rm -rf "$work" "$arts/$h-"*
		limit="-runs=$(check_runs "$h")"
	else
		work=$out/corpus/$h
		limit="-max_total_time=$fuzz_time"
	fi
	mkdir -p "$work"
	# New inputs go to the first directory; fuzz/corpus/ is only read.
	$norand "$out/$h" -seed="$seed" "$limit" -timeout=20 -reload=0 -print_final_stats=1 \
		-artifact_prefix="$arts/$h-" \
		"$work" "fuzz/corpus/$h" >"$out/logs/$h.log" 2>&1 &
}

# libFuzzer hashes code addresses into its tables of compared values, so
# only with ASLR off does a fixed -seed replay exactly the same inputs.
norand=
if [ "$mode" = check ] && setarch "$(uname -m)" -R true 2>/dev/null; then
	norand="setarch $(uname -m) -R"
fi

pids=
trap 'kill $pids 2>/dev/null; exit 130' INT TERM
for h in $built; do
	start "$h"
	pids="$pids $!"
	eval "pid_$h=$!"
done

for h in $built; do
	eval "wait \$pid_$h"
	echo $? >"$out/logs/$h.rc"
done
trap - INT TERM

for h in $built; do
	log=$out/logs/$h.log
	rc=$(cat "$out/logs/$h.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ] &&
	   ! grep -qE 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:|FUZZ FAILURE|^(WARNING|BUG):' "$log"; then
		echo "fuzz: $h: ok, $runs inputs (log: $log)"
		count_pass
	else
		echo "fuzz: $h: FAILED (exit $rc), last lines of $log:" >&2
		tail -n 40 "$log" >&2
		for a in "$arts/$h-"*; do
			[ -e "$a" ] && echo "fuzz: input saved: $a" >&2
		done
		count_fail
	fi
done
echo "fuzz: ${mode} mode, $(($(date +%s) - start))s"
finish
