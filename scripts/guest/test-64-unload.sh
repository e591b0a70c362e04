#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: goslab's unload (issue 18 item 2).
#
# Leaks: goslab_pressure leak=12 keeps objects of 8 B to 40 KB and
# prints their page frame numbers; after rmmod of it and of goslab, the
# kernel log has goslab's leak report and its "kept under leaked
# objects" line, and none of those pages is to be had from the page
# allocator (goslab_pressure probe=... takes every free page): nothing
# the kernel can reuse lies under an object a client may still use.
#
# Pressure: while one loop writes 2 to /proc/sys/vm/drop_caches (the
# shrinkers, goslab's among them) and another fills and empties a tmpfs
# file, goslab is loaded, used (goslab_example), checked and unloaded
# several times with nothing leaked: every load and unload succeeds,
# verify says OK, no leak is reported (the host's dmesg-clean check sees
# any WARN or BUG).
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

# goslab is loaded here with usercopy=0: its usercopy hook patches
# __check_object_size() with ftrace at every load and unload, and this
# test loads and unloads it while the pressure loops copy from user space
# on the other vCPU, which under QEMU's TCG can end in "Oops: int3" at
# the patched instruction (cross-vCPU code patching; seen once in a cold
# make check).  Unload is what this test is about; test-95 tests the hook.
UC=usercopy=0

D=$GOSLAB_DEBUGFS

if ! goslab_load $UC; then
	fail unload-insmod-goslab "insmod goslab.ko failed"
	exit 0
fi
dmesg -c >/dev/null
if client_load goslab_pressure leak=12; then
	pass unload-insmod-leaker
else
	fail unload-insmod-leaker "insmod goslab_pressure.ko leak=12 failed"
fi
rmmod goslab_pressure
check unload-rmmod-leaked rmmod goslab
dmesg >/tmp/unload.log
pfns=$(sed -n 's/.*goslab_pressure: leaked pfn \([0-9]*\).*/\1/p' /tmp/unload.log | sort -un)
if grep -q 'goslab: .* object(s) leaked by goslab' /tmp/unload.log; then
	pass unload-leak-report
else
	fail unload-leak-report "no leak report in the kernel log"
fi
if grep -q 'kept under leaked objects' /tmp/unload.log; then
	pass unload-kept-report
else
	fail unload-kept-report "no \"kept under leaked objects\" line"
fi
grep 'goslab: ' /tmp/unload.log | sed 's/^/  | /'
# /proc/kpagecount counts mappings, not references, so a kernel page's
# is 0 either way: instead the client, loaded with a fresh goslab, takes
# every page the page allocator has and looks for these among them.
n=$(echo "$pfns" | wc -w)
echo "  | $n page(s) under leaked objects"
dmesg -c >/dev/null
if [ "$n" -eq 0 ]; then
	fail unload-pages-kept "the client printed no page frame number"
elif ! goslab_load $UC || ! client_load goslab_pressure \
	probe="$(echo "$pfns" | tr '\n' , | sed 's/,$//')"; then
	fail unload-pages-kept "insmod goslab_pressure.ko probe=... failed"
else
	r=$(dmesg | grep -o 'goslab_pressure: \(PASS\|FAIL\) probe-kept.*')
	dmesg | grep 'goslab_pressure: took' | sed 's/^/  | /'
	case $r in
	*PASS*) pass unload-pages-kept ;;
	*) fail unload-pages-kept "${r:-the client printed no verdict}" ;;
	esac
fi
[ -d /sys/module/goslab_pressure ] && rmmod goslab_pressure
goslab_unload

# Unload under pressure, nothing leaked.  Bit 4 silences drop_caches'
# line in the kernel log, which would otherwise flood the log the host
# checks.
echo 4 >/proc/sys/vm/drop_caches
(while :; do echo 2 >/proc/sys/vm/drop_caches; done) &
dropper=$!
(while :; do
	dd if=/dev/zero of=/tmp/unload.press bs=1M count=300 2>/dev/null
	rm -f /tmp/unload.press
done) &
filler=$!
dmesg -c >/dev/null
ok=0 i=0
while [ $i -lt 5 ]; do
	i=$((i + 1))
	goslab_load $UC || { echo "  | round $i: insmod goslab failed"; break; }
	client_load goslab_example || { echo "  | round $i: insmod goslab_example failed"; break; }
	rmmod goslab_example
	v=$(cat "$D/verify" 2>&1)
	[ "$v" = OK ] || { echo "  | round $i: verify: $v"; break; }
	rmmod goslab || { echo "  | round $i: rmmod goslab failed"; break; }
	ok=$((ok + 1))
done
kill "$dropper" "$filler"
wait 2>/dev/null
rm -f /tmp/unload.press
goslab_unload
if [ "$ok" -eq 5 ]; then
	pass unload-pressure-rounds
else
	fail unload-pressure-rounds "$ok of 5 rounds"
fi
if dmesg | grep -q 'leaked\|kept under\|not freed'; then
	fail unload-pressure-no-leak "$(dmesg | grep 'goslab:' | grep 'leaked\|kept' | head -n 3)"
else
	pass unload-pressure-no-leak
fi
