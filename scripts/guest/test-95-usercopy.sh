#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: hardened usercopy bounds a copy by the goslab object it
# starts in, as it bounds one by its kmalloc object.  goslab_coexist's
# copy file copies between user space and an object of a chosen kind and
# size; copies inside the object go through, and each that leaves it is
# refused: the kernel's usercopy report, an Oops, the reader killed (kmalloc
# first, for the kernel's own words).  goslab.usercopy=0 shows that
# without the hook the same copy is not refused.  Last of the tests: the
# Oopses taint the kernel (D), which the expect-oops markers allow.  It
# also prints what the hook costs a small copy_to_user() (not a check).
# shellcheck source=scripts/guest/lib.sh disable=SC2119
. /tests/lib.sh

D=/sys/kernel/debug/goslab_coexist
P=/sys/module/goslab/parameters/usercopy

# object <kind> <size> <offset>
object() {
	echo "$1 $2" >"$D/object" && echo "$3" >"$D/offset"
}

# cost <kind>: the least ns per 8-byte copy_to_user() from an object of
# that kind over five runs of 100,000 (TCG timings are noisy; informative).
cost() {
	best=
	for _ in 1 2 3 4 5; do
		echo "$1 8 100000" >"$D/bench"
		t=$(cat "$D/bench")
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "$best"
}

# reads <bytes>: one read() of that many bytes through copy; prints how
# many arrived, or "killed".
reads() {
	rm -f /tmp/uc.out
	if dd if="$D/copy" of=/tmp/uc.out bs="$1" count=1 2>/dev/null; then
		wc -c </tmp/uc.out | tr -d ' '
	else
		echo killed
	fi
}

# writes <bytes>: one write() of that many bytes through copy.
writes() {
	head -c "$1" /dev/zero >/tmp/uc.in
	if dd if=/tmp/uc.in of="$D/copy" bs="$1" count=1 2>/dev/null; then
		echo ok
	else
		echo killed
	fi
}

# in_bounds <name> <kind> <size> <offset> <bytes>
in_bounds() {
	object "$2" "$3" "$4"
	got=$(reads "$5")
	w=$(writes "$5")
	if [ "$got" = "$5" ] && [ "$w" = ok ]; then
		pass "usercopy-ok-$1"
	else
		fail "usercopy-ok-$1" "$5 bytes at $4 of $2 $3: read $got, write $w"
	fi
}

# refused <name> <read|write> <kind> <size> <offset> <bytes> <report>
refused() {
	object "$3" "$4" "$5"
	dmesg -c >/dev/null
	echo "goslab-guest: expect-oops begin" >/dev/kmsg
	if [ "$2" = read ]; then
		r=$(reads "$6")
	else
		r=$(writes "$6")
	fi
	echo "goslab-guest: expect-oops end" >/dev/kmsg
	if [ "$r" = killed ] && dmesg | grep -qF "$7"; then
		pass "usercopy-refused-$1"
	else
		fail "usercopy-refused-$1" "$2 of $6 bytes at $5 of $3 $4: $r"
		dmesg | grep usercopy | head -n 3
	fi
}

if ! goslab_load usercopy=0 || ! client_load goslab_coexist; then
	fail usercopy-insmod "goslab usercopy=0 or goslab_coexist did not load"
	exit 0
fi
object goslab 64 0
if [ "$(cat $P)" = N ] && [ "$(reads 128)" = 128 ]; then
	pass usercopy-off-not-bounded
else
	fail usercopy-off-not-bounded "usercopy=0: $(cat $P), read $(reads 128)"
fi
off_k=$(cost kmalloc)
off_g=$(cost goslab)
rmmod goslab_coexist
goslab_unload

dmesg -c >/dev/null
if ! goslab_load || ! client_load goslab_coexist; then
	fail usercopy-insmod "goslab or goslab_coexist did not load"
	goslab_unload
	exit 0
fi
if [ "$(cat $P)" = Y ] && dmesg | grep -q "goslab: usercopy checks on"; then
	pass usercopy-on
else
	fail usercopy-on "parameter $(cat $P); $(dmesg | grep 'usercopy checks')"
fi
on_k=$(cost kmalloc)
on_g=$(cost goslab)
echo "usercopy-cost: ns per 8-byte copy_to_user, hook off/on:" \
	"kmalloc $off_k/$on_k, goslab $off_g/$on_g"

in_bounds small goslab 64 0 64
in_bounds small-offset goslab 64 32 32
in_bounds tiny noscan 5 0 5
in_bounds sixteen noscan 16 0 16
in_bounds large goslab 40000 0 40960
in_bounds kmalloc kmalloc 64 0 64

refused kmalloc read kmalloc 64 0 128 \
	"usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-64' (offset 0, size 128)!"
refused small read goslab 64 0 128 \
	"usercopy: Kernel memory exposure attempt detected from goslab object 'goslab-64' (offset 0, size 128)!"
refused overwrite write goslab 64 32 64 \
	"usercopy: Kernel memory overwrite attempt detected to goslab object 'goslab-64' (offset 32, size 64)!"
refused tiny read noscan 5 0 8 \
	"usercopy: Kernel memory exposure attempt detected from goslab object 'goslab-tiny' (offset 0, size 8)!"
refused large read goslab 40000 8192 40000 \
	"usercopy: Kernel memory exposure attempt detected from goslab object 'goslab-large' (offset 8192, size 40000)!"

rmmod goslab_coexist
goslab_unload
