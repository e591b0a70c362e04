#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check: scripts/kunit.sh counts a KUnit run whatever else the kernel
# printed in the middle of it.  ktap-mouse.log is a console log in the shape
# of a real run, with the PS/2 mouse driver's line between a suite's
# "KTAP version 1" and its "# Subtest:" (which made kunit.py count passing
# suites as crashed) and a goslab message inside a parameterised case.  It
# goes through kunit.sh's pipeline: scripts/ktap-filter.awk, the tree's
# own kunit.py parse, scripts/kunit-count.py; the counts must be 4 passed,
# 1 failed, 1 skipped.  Then the expected-failure list (kunit/kasan.xfail's
# format): the failing case listed counts as passed (5 0 1), a passing one
# listed as failed (3 2 1), the skipped one listed as failed (4 2 0), a
# listed case that did not run not at all.  One check; the kernel tree is
# unpacked into the cache if the KUnit stages have not done so yet.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}
tree=$cache/linux-source-6.12
. "$repo/scripts/lib.sh"

mkdir -p "$cache" || exit 1
# kunit.sh's lock: an unpack must not replace the tree under its build.
exec 9>"$cache/kunit.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if ! ktree_current "$tree"; then
	ktree_unpack "$tree" || { echo "ktap-check: $ktree_err" >&2; exit 1; }
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/goslab-ktap.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

awk -f "$repo/scripts/ktap-filter.awk" "$repo/scripts/tests/ktap-mouse.log" \
	>"$tmp/ktap"
python3 "$tree/tools/testing/kunit/kunit.py" parse --json="$tmp/json" \
	"$tmp/ktap" >"$tmp/parse" 2>&1
got=$(python3 "$repo/scripts/kunit-count.py" "$tmp/json" 2>&1)
if [ "$got" != "4 1 1" ]; then
	echo "ktap-check: FAIL: counted \"$got\" (passed failed skipped)," \
		"expected \"4 1 1\"" >&2
	sed 's/^/  | /' "$tmp/parse" >&2
	exit 1
fi

# xfail <expected counts> <listed case>...: count with those cases listed.
xfail() {
	want=$1
	shift
	echo "# a comment line" >"$tmp/xfail"
	for c in "$@"; do
		echo "$c a reason" >>"$tmp/xfail"
	done
	got=$(python3 "$repo/scripts/kunit-count.py" "$tmp/json" \
		"$tmp/xfail" 2>/dev/null)
	[ "$got" = "$want" ] && return 0
	echo "ktap-check: FAIL: listed $*: counted \"$got\", expected" \
		"\"$want\"" >&2
	return 1
}
xfail "5 0 1" goslab_refill.refill_sweep_test || exit 1
xfail "3 2 1" goslab_sizeclass.sizeclass_count_test || exit 1
xfail "4 2 0" goslab_kasan.kasan_shadow_test || exit 1
xfail "4 1 1" kasan.not_in_this_run || exit 1
echo "ktap-check: PASS: 4 passed, 1 failed, 1 skipped; the xfail list counts"
exit 0
