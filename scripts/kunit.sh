#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run goslab's KUnit suites under the kernel's own kunit.py (make kunit).
#
#  1. Unpack Debian's linux-source-6.12 once into the cache
#     (${GOSLAB_CACHE:-~/.cache/goslab}/linux-source-6.12, stamp file).
#  2. Stage this repository into that tree: drivers/goslab is a symlink to
#     the repository root (re-pointed every run, so a fresh clone elsewhere
#     just works), and drivers/Kconfig / drivers/Makefile get one line each.
#     The repository itself is never written to.
#  3. Run tools/testing/kunit/kunit.py run --arch=x86_64 with
#     kunit/.kunitconfig (KASAN, lockdep, atomic-sleep checks, kmemleak) in
#     QEMU TCG with two vCPUs.  The build directory stays in the cache, so
#     a second run rebuilds only what changed.  GOSLAB_KUNIT_CONFIG=lean
#     runs the same suites on kunit/lean.kunitconfig instead (no KASAN, no
#     kmemleak: the leaf fast paths that those hooks compile out), in a
#     build directory of its own, and reports as stage "kunit-lean".
#     GOSLAB_KUNIT_CONFIG=kcsan runs the suites where CPUs and contexts
#     race (api, concurrency, refill, tiny) on kunit/kcsan.kunitconfig:
#     KCSAN, the data-race detector, in strict mode, instrumenting
#     goslab alone; stage "kunit-kcsan".  Any KCSAN report fails it.
#  4. Count the cases from kunit.py's parsed results (every leaf case: a
#     parameterised case counts once per parameter, as kunit.py counts),
#     and scan the raw kernel log for reports no test asked for.
#
# A test that provokes a report on purpose brackets it with the lines
#     goslab-test: expect-report begin
#     goslab-test: expect-report end
# in the kernel log; report lines between them are ignored.
#
# kmemleak: the tests run from the kernel's initcalls and kunit.py reboots
# the VM straight after them, so kmemleak's first automatic scan (60 s after
# boot) never happens.  kmemleak still tracks every object and its warnings
# about misuse of its API are caught by the scan below; leak checks proper
# are the tests' job (goslab accounts for every byte it hands out).
#
# Output: kunit.py's own output, then exactly one line
#     kunit: N passed, M failed
# where M includes one extra failure when kunit.py itself failed without a
# failing case (config or build error, crash), when no case ran, or when
# the log holds an unexpected report.  With GOSLAB_RESULTS set, a line
# "kunit N M" is appended to that file.  Exit status is 0 only when M is 0.
#
# Environment: GOSLAB_CACHE (cache directory), GOSLAB_JOBS (make -j,
# default: number of CPUs), GOSLAB_KUNIT_NAME (the name results are
# reported under, default kunit, kunit-lean or kunit-kcsan),
# GOSLAB_KUNIT_TIMEOUT (seconds the test VM may run, default 900, 600 for
# kcsan), GOSLAB_KUNIT_FILTER (kunit.py filter_glob, default all built-in
# suites, goslab_[acrt]* for kcsan), GOSLAB_KUNIT_KERNEL_ARGS (extra
# kernel command-line words, e.g. init_on_alloc=1), GOSLAB_KUNIT_CONFIG
# (debug, lean or kcsan, default debug), GOSLAB_KCSAN_SKIP_WATCH (kcsan:
# KCSAN's skip_watch, default 20), GOSLAB_RESULTS (see above).
#
# The test VM boots with kasan_multi_shot, so a KASAN report a test
# provokes on purpose does not silence KASAN for the rest of the run.
# lockdep has no such switch: it turns itself off after its first report,
# so tests should not provoke lockdep reports on purpose.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
cache=${GOSLAB_CACHE:-$HOME/.cache/goslab}
tree=$cache/linux-source-6.12
# Options for this configuration alone, in "$@"; the default filter.
set --
default_filter='' default_timeout=900 cpu=max
case ${GOSLAB_KUNIT_CONFIG:-debug} in
debug)	kconfig=$repo/kunit/.kunitconfig bdir=$cache/kunit-x86_64 name=kunit
	# No 5-level paging under KASAN: before the alternatives are applied
	# KASAN's shadow bounds follow the LA57 bit of boot_cpu_data, which
	# identify_cpu() clears and sets again with interrupts on.  A timer
	# interrupt in between (TCG is slow enough to hit it) reports every
	# access to the direct map as a wild access, at 0.002 s, and the boot
	# never reaches the tests (seen twice, in the default configuration).
	cpu=max,la57=off
	# The kernel's KASAN suite runs on goslab (kunit/Kconfig); its SLUB
	# copy, the same suite "kasan" from module kasan_test, does not.
	set -- --filter='module!=kasan_test' ;;
lean)	kconfig=$repo/kunit/lean.kunitconfig bdir=$cache/kunit-x86_64-lean
	name=kunit-lean ;;
kcsan)	kconfig=$repo/kunit/kcsan.kunitconfig bdir=$cache/kunit-x86_64-kcsan
	name=kunit-kcsan
	# KCSAN instruments goslab's objects alone (Kbuild); the barriers
	# of the spinlocks goslab takes are instrumented as well, as
	# kernel/sched and mm do for theirs.  One watchpoint every
	# 1-$kcsan_skip of goslab's accesses per CPU.
	# Documentation/testing.rst says why.
	kcsan_skip=${GOSLAB_KCSAN_SKIP_WATCH:-20}
	set -- --make_options=KCSAN_SANITIZE=n \
		--make_options=KCSAN_INSTRUMENT_BARRIERS_spinlock.o=y \
		--make_options=KCSAN_INSTRUMENT_BARRIERS_qspinlock.o=y \
		--kernel_args=kcsan.skip_watch="$kcsan_skip"
	# The suites where goslab's contexts and CPUs race.
	default_filter='goslab_[acrt]*'
	# Its run takes 2-3 minutes; a hang should not hold make check long.
	default_timeout=600 ;;
*)	echo "kunit.sh: GOSLAB_KUNIT_CONFIG is debug, lean or kcsan" >&2
	exit 2 ;;
esac
log=$bdir/goslab-kunit.log
json=$bdir/goslab-kunit.json
jobs=${GOSLAB_JOBS:-$(nproc)}
vm_timeout=${GOSLAB_KUNIT_TIMEOUT:-$default_timeout}
filter=${GOSLAB_KUNIT_FILTER:-$default_filter}

# Every path out of this script after setup ends in finish.
# GOSLAB_KUNIT_NAME: the stage's name in the results, for a second run of
# a configuration (make check's kunit-free boots the lean one again).
results_init "${GOSLAB_KUNIT_NAME:-$name}"

die() {
	echo "kunit.sh: $*" >&2
	count_fail
	finish
}

sh "$repo/scripts/deps.sh" || die "dependency installation failed"

mkdir -p "$cache" || die "cannot create $cache"
# One kunit.sh at a time per cache: the staged symlink and the build
# directory are shared.
exec 9>"$cache/kunit.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi

# --- 1. the kernel tree -------------------------------------------------
# The stamp names the tarball it came from, so a new linux-source-6.12
# package gets a fresh tree (the build directory then rebuilds what changed).
ktree_stamp >/dev/null || die "$ktree_tarball is missing (scripts/deps.sh)"
if ! ktree_current "$tree"; then
	echo "kunit: unpacking $ktree_tarball into $cache" >&2
	ktree_unpack "$tree" || die "$ktree_err"
fi

# --- 2. stage the repository --------------------------------------------
ktree_stage "$tree" "$repo" || die "$ktree_err"
# Objects built from another checkout (a git worktree) can be newer than
# this one's sources, and make would keep them: rebuild goslab then.
if [ "$(cat "$cache/$name-repo" 2>/dev/null)" != "$repo" ]; then
	rm -rf "$bdir/drivers/goslab"
	echo "$repo" >"$cache/$name-repo"
fi

# --- 3. kunit.py --------------------------------------------------------
mkdir -p "$bdir"
# Stale results must never be counted.
rm -f "$bdir/test.log" "$log" "$json" "$bdir/kunit-rc"

set -- run "$@" --arch=x86_64 --build_dir="$bdir" \
	--kunitconfig="$kconfig" \
	--jobs="$jobs" --timeout="$vm_timeout" \
	--qemu_args="-smp 2 -cpu $cpu -accel tcg -m 2048" \
	--kernel_args=kasan_multi_shot \
	--json="$json"
for a in ${GOSLAB_KUNIT_KERNEL_ARGS:-}; do
	set -- "$@" --kernel_args="$a"
done
[ -z "$filter" ] || set -- "$@" "$filter"

echo "kunit: $tree/tools/testing/kunit/kunit.py $*" >&2
# kunit.py chdirs to its own tree.  Keep its exit status across the pipe.
{
	rc=0
	python3 "$tree/tools/testing/kunit/kunit.py" "$@" 2>&1 || rc=$?
	echo "$rc" >"$bdir/kunit-rc"
} | tee "$bdir/kunit.py.out"
rc=$(cat "$bdir/kunit-rc" 2>/dev/null || echo 1)

if [ -f "$bdir/test.log" ]; then
	cp "$bdir/test.log" "$log"
	echo "kunit: raw kernel log: $log" >&2
else
	echo "kunit: no kernel log (kunit.py did not boot the kernel)" >&2
	: >"$log"
fi

# --- 4. results ---------------------------------------------------------
# Count from the KTAP lines alone (scripts/ktap-filter.awk says why), parsed
# by the tree's own kunit.py; its first parse, of the whole log, only shows.
if [ -s "$log" ]; then
	rm -f "$json"
	awk -f "$repo/scripts/ktap-filter.awk" "$log" >"$bdir/goslab-kunit.ktap"
	python3 "$tree/tools/testing/kunit/kunit.py" parse --json="$json" \
		"$bdir/goslab-kunit.ktap" >"$bdir/goslab-kunit.parse" 2>&1 ||
		echo "kunit: parse of the KTAP lines: see $bdir/goslab-kunit.parse" >&2
	grep "Testing complete" "$bdir/goslab-kunit.parse" >&2 || true
	# A KTAP stream the parser found broken outside any case counts too.
	if grep -q "Testing complete.*errors: [1-9]" "$bdir/goslab-kunit.parse"; then
		echo "kunit: FAIL: kunit.py found errors in the KTAP lines" >&2
		count_fail
	fi
fi
if [ -s "$json" ]; then
	# kunit/kasan.xfail: the kernel's KASAN cases known to fail on
	# goslab, each with its reason; scripts/kunit-count.py says how
	# they count.
	counts=$(python3 "$repo/scripts/kunit-count.py" "$json" \
		"$repo/kunit/kasan.xfail") || counts="0 1 0"
	# shellcheck disable=SC2086 # split "passed failed skipped"
	set -- $counts
	passed=$1
	failed=$2
	[ "$3" -eq 0 ] || echo "kunit: $3 skipped (not counted)" >&2
fi

if [ ! -s "$json" ]; then
	echo "kunit: FAIL: kunit.py (status $rc) produced no results:" \
		"configuration, build or boot failed, see above" >&2
	count_fail
elif [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "kunit: FAIL: no test case ran" >&2
	count_fail
fi
# kunit.py's own status (rc) is not counted: it also says its parse of the
# whole log failed, and a build or boot failure leaves no results above.
[ "$rc" -eq 0 ] || echo "kunit: kunit.py exited with status $rc" >&2

# Kernel reports no test provoked on purpose.  The kernel's KASAN suite
# (kunit/Kconfig) cannot bracket its reports: it provokes them in every
# case and checks them itself (a case fails on a KASAN report it did not
# ask for, or on none where it asked for one).  Within that suite three
# kinds of report are its own business: KASAN's, each between two lines
# of "="; goslab's bad-pointer report (its "goslab: bad pointer" warning,
# to the end of the trace) for the bad frees it makes on purpose; and
# kmemleak's dump of the interior pointer kmem_cache_invalid_free() frees
# with SLUB, to the end of its stack.  Any other report there counts.
reports=$(awk '
	/goslab-test: expect-report begin/ { expect = NR; next }
	/goslab-test: expect-report end/ { expect = 0; next }
	expect { next }
	/^(\[[ 0-9.]+\] )?[ \t]*# Subtest: kasan$/ { kasan = 1 }
	kasan && /^(\[[ 0-9.]+\] )?(not )?ok [0-9]+ kasan$/ {
		kasan = 0
		skip = ""
	}
	kasan && skip == "" && /^(\[[ 0-9.]+\] )?==========================*$/ {
		skip = "kasan"
		next
	}
	skip == "kasan" && /^(\[[ 0-9.]+\] )?==========================*$/ {
		skip = ""
		next
	}
	kasan && skip == "" && /goslab: bad pointer / { skip = "warn" }
	skip == "warn" && /---\[ end trace/ { skip = ""; next }
	kasan && skip == "" && /kmemleak: Found object by alias/ { skip = "leak" }
	skip == "leak" && /<\/TASK>/ { skip = ""; next }
	skip != "" { next }
	/BUG:|WARNING:|possible recursive locking|inconsistent lock state|circular locking dependency|kmemleak:.*new suspected|Oops|Call Trace/ {
		printf "%s:%d: %s\n", FILENAME, NR, $0
	}
	END {
		if (expect)
			printf "%s:%d: expect-report begin without end\n", FILENAME, expect
	}' "$log")
if [ -n "$reports" ]; then
	echo "kunit: FAIL: kernel reports no test expected:" >&2
	echo "$reports" | head -n 40 >&2
	count_fail
fi

finish
