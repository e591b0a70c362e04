# SPDX-License-Identifier: GPL-2.0
#
# Shared by the host-side scripts (sourced, not run:
# . "$repo/scripts/lib.sh"):
#
#  - the result protocol of make check's stages (see scripts/check.sh):
#    count passed and failed checks, end with one line
#    "<name>: N passed, M failed" and, with GOSLAB_RESULTS set, append
#    "<key> N M" to that file (kunit.sh, vm-test.sh, dkms-test.sh,
#    lint.sh, fuzz.sh);
#  - Debian's linux-source-6.12 unpacked into a cache directory, and a
#    copy of this repository staged into such a tree as drivers/goslab
#    (kunit.sh, bench/uml.sh).
#
# The VM side (modules, busybox initramfs, QEMU) is scripts/vm-lib.sh.

# The counters and the *_err variables are the sourcing script's to read.
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

# --- the kernel tree ----------------------------------------------------

ktree_tarball=/usr/src/linux-source-6.12.tar.xz

# ktree_stamp: the tarball's size and modification time, which a tree
# unpacked from it records; nothing and status 1 when it is missing.
ktree_stamp() {
	stat -c '%s %Y' "$ktree_tarball" 2>/dev/null
}

# ktree_current <tree>: <tree> was unpacked from the tarball installed now
# (a new linux-source-6.12 package wants a fresh tree).
ktree_current() {
	[ -f "$1/.goslab-unpacked" ] &&
		[ "$(cat "$1/.goslab-unpacked")" = "$(ktree_stamp)" ]
}

# ktree_unpack <tree>: unpack the tarball afresh as <tree> (through
# <tree>.unpack, so an interrupted unpack never looks finished) and record
# its stamp.  On failure returns 1 with the reason in ktree_err.
ktree_unpack() {
	if ! _kt_stamp=$(ktree_stamp); then
		ktree_err="$ktree_tarball is missing (scripts/deps.sh)"
		return 1
	fi
	rm -rf "$1" "$1.unpack"
	if ! mkdir -p "$1.unpack" ||
	   ! tar -xJf "$ktree_tarball" -C "$1.unpack"; then
		ktree_err="cannot unpack $ktree_tarball"
		return 1
	fi
	if ! mv "$1.unpack/linux-source-6.12" "$1"; then
		ktree_err="unexpected layout in $ktree_tarball"
		return 1
	fi
	rmdir "$1.unpack"
	echo "$_kt_stamp" >"$1/.goslab-unpacked"
}

# ktree_stage <tree> <dir>: make <dir> (a goslab source tree) the tree's
# drivers/goslab, a symlink re-pointed every time, and give
# drivers/Kconfig and drivers/Makefile one line each for it.  Files of the
# tree are replaced, never written in place, so a tree of hard links to
# another (bench/uml.sh's) leaves the other as it was.  On failure returns
# 1 with the reason in ktree_err.
ktree_stage() {
	_kt_link=$1/drivers/goslab
	if [ -e "$_kt_link" ] && [ ! -L "$_kt_link" ]; then
		ktree_err="$_kt_link exists and is not a symlink; remove it"
		return 1
	fi
	if ! ln -sfn "$2" "$_kt_link"; then
		ktree_err="cannot link $_kt_link to $2"
		return 1
	fi
	_kt_file=$1/drivers/Kconfig
	if ! grep -q 'drivers/goslab/kunit/Kconfig' "$_kt_file"; then
		# Before the file's final endmenu.
		_kt_last=$(grep -n '^endmenu' "$_kt_file" | tail -n 1 |
			cut -d: -f1)
		if [ -z "$_kt_last" ]; then
			ktree_err="no endmenu in $_kt_file"
			return 1
		fi
		if ! awk -v at="$_kt_last" \
			'NR == at { print "source \"drivers/goslab/kunit/Kconfig\"\n" }
			 { print }' "$_kt_file" >"$_kt_file.tmp" ||
		   ! mv "$_kt_file.tmp" "$_kt_file"; then
			ktree_err="cannot edit $_kt_file"
			return 1
		fi
	fi
	_kt_file=$1/drivers/Makefile
	# shellcheck disable=SC2016 # a literal make variable reference
	_kt_line='obj-$(CONFIG_GOSLAB)		+= goslab/'
	if ! grep -qF "$_kt_line" "$_kt_file"; then
		if ! { cat "$_kt_file" && echo "$_kt_line"; } >"$_kt_file.tmp" ||
		   ! mv "$_kt_file.tmp" "$_kt_file"; then
			ktree_err="cannot edit $_kt_file"
			return 1
		fi
	fi
}
