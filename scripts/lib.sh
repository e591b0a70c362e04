# SPDX-License-Identifier: GPL-2.0
#
# Shared by the host-side scripts (sourced, not run:
# . "$repo/scripts/lib.sh"):
#
#  - the result protocol of make check's stages (see scripts/check.sh):
#    count passed and failed checks, end with one line
#    "<name>: N passed, M failed" and, with GOSLAB_RESULTS set, append
#    "<key> N M" to that file (kunit.sh, vm-test.sh, dkms-test.sh,
#    lint.sh, fuzz.sh).
#
# The VM side (modules, busybox initramfs, QEMU) is scripts/vm-lib.sh.

# The counters are the sourcing script's to read.
# shellcheck shell=sh disable=SC2034

# --- results ------------------------------------------------------------

# results_init <name> [<key>]: start counting.  <name> prefixes the
# script's PASS, FAIL and final lines; <key> (default <name>) is the
# stage's word in $GOSLAB_RESULTS.  The counts are in $passed and $failed,
# which a script may also set itself (kunit.sh takes kunit.py's).
results_init() {
	results_name=$1
	results_key=${2:-$1}
	passed=0
	failed=0
}

# How bad shows a log: its last 15 lines, unless the script says otherwise
# (lint.sh: "head -n 20", the first reports being the ones to read).
results_excerpt="tail -n 15"

# quote: stdin to stdout, each line indented "  | " (a log under a FAIL).
quote() {
	sed 's/^/  | /'
}

# count_pass, count_fail: one passed or failed check, silently (the script
# says what it wants to itself).
count_pass() {
	passed=$((passed + 1))
}

count_fail() {
	failed=$((failed + 1))
}

# ok <what>: one passed check, printed as "<name>: PASS <what>".
ok() {
	echo "$results_name: PASS $1"
	count_pass
}

# bad <what> [<log>]: one failed check, printed as "<name>: FAIL <what>",
# then the excerpt of <log> when it is a file.
bad() {
	echo "$results_name: FAIL $1"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		$results_excerpt "$2" | quote
	fi
	count_fail
}

# finish: the final line, the results file's line, and exit: 0 when no
# check failed, else 1.
finish() {
	echo "$results_name: $passed passed, $failed failed"
	if [ -n "${GOSLAB_RESULTS:-}" ]; then
		echo "$results_key $passed $failed" >>"$GOSLAB_RESULTS"
	fi
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
