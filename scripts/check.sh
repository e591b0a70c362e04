#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test stage, in order, each one run even when an earlier
# one failed, and one final line "N passed, M failed" summing them all.
#
# Stages report through the file named by $GOSLAB_RESULTS: a stage script
# appends "<stage> <passed> <failed>".  A stage that writes no such line is
# one check, passed when it exits 0; a stage that exits non-zero without
# reporting a failure (it crashed, or could not run) counts one failure.
#
# To add a stage, add a "stage <name> <command...>" line below; optional
# stages run only when their script exists.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1

results=$(mktemp "${TMPDIR:-/tmp}/goslab-check.XXXXXX") || exit 1
trap 'rm -f "$results"' EXIT
trap 'exit 130' INT TERM
export GOSLAB_RESULTS="$results"

summary=

# stage <name> <command...>
stage() {
	name=$1
	shift
	echo "==== check: $name: $* ===="
	before=$(wc -l <"$results")
	start=$(date +%s)
	"$@"
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$(wc -l <"$results")" -eq "$before" ]; then
		# Not a reporting stage: one check, by exit status.
		if [ "$rc" -eq 0 ]; then
			echo "$name 1 0" >>"$results"
		else
			echo "$name 0 1" >>"$results"
		fi
	else
		# Its own counts; a failing exit with no failure counted is one.
		f=$(tail -n +"$((before + 1))" "$results" |
			awk '{ f += $3 } END { print f + 0 }')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "check: $name exited with status $rc" >&2
			echo "$name-exit 0 1" >>"$results"
		fi
	fi
	line=$(tail -n +"$((before + 1))" "$results" |
		awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed", p, f }')
	summary="$summary$(printf '  %-14s %s (%ss)' "$name" "$line" "$secs")
"
	echo "==== check: $name: $line, ${secs}s ===="
}

# Every stage installs what it needs; this only makes a failure visible
# once, up front.  Not a check of its own unless it fails.
if ! sh scripts/deps.sh; then
	echo "check: scripts/deps.sh failed" >&2
	echo "deps 0 1" >>"$results"
	summary="  deps           0 passed, 1 failed
"
fi
stage sizeclasses make --no-print-directory check-sizeclasses
stage trace2gtrace python3 scripts/tests/trace2gtrace-check.py
stage footprint python3 scripts/tests/footprint-check.py
stage kunit sh scripts/kunit.sh
stage kunit-lean env GOSLAB_KUNIT_CONFIG=lean sh scripts/kunit.sh
stage kunit-free env GOSLAB_KUNIT_CONFIG=lean GOSLAB_KUNIT_NAME=kunit-free \
	GOSLAB_KUNIT_KERNEL_ARGS="init_on_free=1 init_on_alloc=0" \
	GOSLAB_KUNIT_FILTER=goslab_api.api_init_on_free_test sh scripts/kunit.sh
stage kunit-kcsan env GOSLAB_KUNIT_CONFIG=kcsan sh scripts/kunit.sh
stage ktap sh scripts/tests/ktap-check.sh
stage serial sh scripts/tests/serial-check.sh
stage layers python3 scripts/layers.py
stage vm-test sh scripts/vm-test.sh
stage ext4 sh scripts/ext4-test.sh
if [ -f scripts/fuzz.sh ]; then
	stage fuzz sh scripts/fuzz.sh --check
fi
stage dkms sh scripts/dkms-test.sh
if [ -f scripts/lint.sh ]; then
	stage lint sh scripts/lint.sh
fi

echo "==== check: summary ===="
printf '%s' "$summary"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f
	exit f != 0 }' "$results"
